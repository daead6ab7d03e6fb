"""Crash safety: a killed or concurrent run never damages docs/ or site/.

* ``build`` is started again and again and killed with SIGKILL at random
  moments (seeded, drawn from the measured duration of one run, half of them
  aimed at the moment the output is written). After every kill the docs folder
  (and its Traditional mirror) must be exactly as before the run, or exactly
  what the run would have written, never a mix; then a normal run must
  complete and give the right tree, leaving nothing behind.
* Two runs at once: the second refuses with a clear message or waits
  (``--wait``); the result equals a single clean run.
* ``site`` is killed a few times in a copy of the project: ``site/`` stays a
  complete site, the previous one or exactly the one the run would have built.

The kill tally is printed at the end of the session:
``kill test: N interruptions, previous docs intact N, next run ok N``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import modified_corpus

from generator.settings import CACHE_FOLDER

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
KILLS = 10  # interruptions of `build` (each followed by a whole run)
SITE_KILLS = 2  # interruptions of `site`
SEED = 8  # issue 8
MAX_ATTEMPTS = 3 * KILLS  # a drawn delay may fall after the run ended: draw again
EPOCH = "1700000000"  # SOURCE_DATE_EPOCH: MkDocs' sitemap dates, so sites compare

pytestmark = pytest.mark.slow


# --- the tally printed at the end of the session -----------------------------------


@dataclass(eq=False)  # hashable: registered as a pytest plugin
class Tally:
    interruptions: int = 0
    intact: int = 0
    next_ok: int = 0
    already_new: int = 0  # killed after the swap: the new tree was complete
    while_writing: int = 0  # killed with a staging folder present or after a swap
    mixed_editions: int = 0  # docs/ already new, docs-hant/ still the previous one
    site_while_building: int = 0  # `site` killed with its staging folder present
    lines: list[str] = field(default_factory=list)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        for line in self.lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="module")
def tally(request):
    found = Tally()
    request.config.pluginmanager.register(found, f"crash-tally-{id(found)}")
    yield found
    found.lines.insert(
        0,
        f"kill test: {found.interruptions} interruptions, previous docs intact "
        f"{found.intact}, next run ok {found.next_ok}",
    )


# --- helpers ------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file (the lock file, if inside, is ignored)."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not (p.name.startswith(".") and p.name.endswith(".lock"))
    }


def leftovers(folder: Path) -> list[str]:
    """Staging or backup folders a run left beside ``folder``."""
    if not folder.parent.is_dir():
        return []
    return sorted(
        p.name
        for p in folder.parent.iterdir()
        if p.name.startswith((f".{folder.name}.staging-", f".{folder.name}.old"))
    )


def environment(root: Path = ROOT) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(root), SOURCE_DATE_EPOCH=EPOCH)
    env.pop("ARCHIVE_SKIP_GENERATE", None)
    return env


def start(args: list[str], root: Path = ROOT) -> subprocess.Popen:
    """``python -m generator ARGS`` in its own process group (so a kill takes it all)."""
    return subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        cwd=root,
        env=environment(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def run(args: list[str], root: Path = ROOT, expect: int = 0) -> tuple[float, str]:
    """Run to completion; returns (seconds, stderr)."""
    began = time.perf_counter()
    proc = start(args, root)
    out, err = proc.communicate(timeout=600)
    elapsed = time.perf_counter() - began
    assert proc.returncode == expect, f"{args} exited {proc.returncode}\n{err[-6000:]}"
    return elapsed, err


def timed_run(args: list[str], folder: Path, root: Path = ROOT) -> tuple[float, float]:
    """Run to completion watching ``folder``'s parent: (seconds, when writing began)."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        cwd=root,
        env=environment(root),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    writing = None
    while proc.poll() is None:
        if writing is None and leftovers(folder):
            writing = time.perf_counter() - began
        time.sleep(0.002)
    elapsed = time.perf_counter() - began
    assert proc.returncode == 0
    return elapsed, writing if writing is not None else elapsed


def kill_after(proc: subprocess.Popen, delay: float, trigger=None) -> bool:
    """SIGKILL the run's process group ``delay`` s after it starts (or after ``trigger()``
    first holds); False if the run had already ended."""
    while trigger is not None and proc.poll() is None and not trigger():
        time.sleep(0.002)
    deadline = time.perf_counter() + delay
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            break
        time.sleep(min(0.005, max(0.0, deadline - time.perf_counter())))
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.communicate(timeout=60)
    return proc.returncode == -signal.SIGKILL


@dataclass
class Corpora:
    a: Path
    b: Path
    seconds: float  # one full build
    writing: float  # seconds from the first staging folder to the end of the run
    trees: dict[Path, tuple[dict[str, str], dict[str, str]]]  # corpus → (docs, docs-hant)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> Corpora:
    """The two corpora and the trees a clean build of each gives."""
    tmp = tmp_path_factory.mktemp("corpora")
    b = modified_corpus(tmp / "corpus-b")
    trees = {}
    durations = []
    for corpus in (CORPUS, b):
        docs = tmp / f"ref-{corpus.name}" / "docs"
        durations.append(timed_run(["build", "--corpus", str(corpus), "--docs", str(docs)], docs))
        trees[corpus] = (snapshot(docs), snapshot(docs.parent / "docs-hant"))
    assert trees[CORPUS][0] != trees[b][0] and trees[CORPUS][1] != trees[b][1]
    seconds = max(d for d, _ in durations)
    writing = max(d - w for d, w in durations)
    return Corpora(CORPUS, b, seconds, writing, trees)


# --- build killed at random moments -------------------------------------------------------


def test_killed_build_leaves_previous_docs_intact(corpora, tmp_path, tally):
    rng = random.Random(SEED)
    docs = tmp_path / "work" / "docs"
    hant = docs.parent / "docs-hant"
    run(["build", "--corpus", str(corpora.a), "--docs", str(docs)])
    note = docs / "notes" / "手写.md"  # a hand-written page must survive everything
    note.parent.mkdir()
    note.write_text("# 手写\n", encoding="utf-8")
    current, other = corpora.a, corpora.b
    attempts = 0
    while tally.interruptions < KILLS:
        attempts += 1
        assert attempts <= MAX_ATTEMPTS, "runs kept finishing before the kill"
        before = (snapshot(docs), snapshot(hant))
        expected = corpora.trees[other]
        expected_docs = dict(expected[0], **{"notes/手写.md": before[0]["notes/手写.md"]})
        # Half the kills anywhere in a run; half once it starts writing (its staging
        # folder appears), anywhere in the time writing and exiting took.
        proc = start(["build", "--corpus", str(other), "--docs", str(docs)])
        if tally.interruptions % 2 == 0:
            delay, trigger = rng.uniform(0.0, corpora.seconds), None
        else:
            delay = rng.uniform(0.0, corpora.writing)
            trigger = lambda: bool(leftovers(docs) or leftovers(hant))  # noqa: E731
        if not kill_after(proc, delay, trigger):
            assert proc.returncode == 0
            assert (snapshot(docs), snapshot(hant)) == (expected_docs, expected[1])
            current, other = other, current
            continue
        tally.interruptions += 1
        after = (snapshot(docs), snapshot(hant))
        # Each folder is the previous tree or the complete new one, never a mix.
        assert after[0] in (before[0], expected_docs), f"docs damaged by a kill at {delay:.2f}s"
        assert after[1] in (before[1], expected[1]), f"docs-hant damaged at {delay:.2f}s"
        assert (docs / "index.md").is_file() and (docs / ".generated.json").is_file()
        tally.intact += 1
        tally.already_new += after[0] != before[0]
        tally.while_writing += bool(leftovers(docs) or leftovers(hant) or after != before)
        tally.mixed_editions += after[0] != before[0] and after[1] == before[1]
        # The next normal run completes, cleans up and writes the right tree.
        run(["build", "--corpus", str(other), "--docs", str(docs)])
        assert (snapshot(docs), snapshot(hant)) == (expected_docs, expected[1])
        assert leftovers(docs) == [] and leftovers(hant) == []
        tally.next_ok += 1
        current, other = other, current
    tally.lines.append(
        f"  (build: {tally.interruptions} kills, {tally.while_writing} while writing, "
        f"{tally.already_new} after docs/ was swapped in ({tally.mixed_editions} of them "
        f"before docs-hant/ was); one build ≈ {corpora.seconds:.1f}s, "
        f"writing ≈ {corpora.writing:.2f}s, seed {SEED})"
    )


# --- two runs at once ---------------------------------------------------------------------------


def hold_lock(folder: Path):
    """Take the lock a run takes to write ``folder`` (as another run would)."""
    path = folder.parent / f".{folder.name}.lock"
    folder.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")  # noqa: SIM115 - closed by the caller
    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fh


def test_a_second_run_refuses_or_waits_while_the_lock_is_held(corpora, tmp_path):
    docs = tmp_path / "docs"
    run(["build", "--corpus", str(corpora.a), "--docs", str(docs)])
    before = snapshot(docs)
    lock = hold_lock(docs)
    try:
        _, err = run(["build", "--corpus", str(corpora.b), "--docs", str(docs)], expect=2)
        assert "another generator run" in err and "--wait" in err
        assert "Traceback" not in err
        assert snapshot(docs) == before and leftovers(docs) == []
        waiting = start(["build", "--corpus", str(corpora.b), "--docs", str(docs), "--wait", "120"])
        time.sleep(corpora.seconds + 1.0)  # it reaches the write stage and waits
        assert waiting.poll() is None, waiting.communicate()[1][-3000:]
        assert snapshot(docs) == before
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err[-3000:]
    assert snapshot(docs) == corpora.trees[corpora.b][0]
    assert snapshot(docs.parent / "docs-hant") == corpora.trees[corpora.b][1]


def test_two_runs_started_at_once_do_not_corrupt_each_other(corpora, tmp_path):
    docs = tmp_path / "docs"
    run(["build", "--corpus", str(corpora.a), "--docs", str(docs)])
    args = ["build", "--corpus", str(corpora.b), "--docs", str(docs)]
    for _round in range(2):
        first, second = start(args + ["--wait", "120"]), start(args)
        results = [(p, *p.communicate(timeout=300)) for p in (first, second)]
        for proc, _out, err in results:
            refused = proc.returncode == 2 and "another generator run" in err
            assert proc.returncode == 0 or (proc is second and refused), err[-3000:]
        assert first.returncode == 0
        assert snapshot(docs) == corpora.trees[corpora.b][0]
        assert snapshot(docs.parent / "docs-hant") == corpora.trees[corpora.b][1]
        assert leftovers(docs) == []
        run(["build", "--corpus", str(corpora.a), "--docs", str(docs)])  # back, to change again


# --- site killed --------------------------------------------------------------------------------


def copy_project(dest: Path, corpus: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("generator", "templates", "site_overrides"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    shutil.copytree(corpus, dest / "corpus")
    for path in ROOT.glob("mkdocs*.yml"):
        shutil.copy2(path, dest / path.name)
    cache = ROOT / CACHE_FOLDER  # jieba dictionaries in Traditional script, made once
    if cache.is_dir():
        shutil.copytree(cache, dest / CACHE_FOLDER)
    return dest


def test_killed_site_build_leaves_previous_site_intact(corpora, tmp_path, tally):
    rng = random.Random(SEED + 1)
    root = copy_project(tmp_path / "proj", corpora.a)
    site = root / "site"
    site_args = {c: ["site", "--quiet", "--corpus", str(c)] for c in (corpora.a, corpora.b)}
    seconds, building = timed_run(site_args[corpora.a], site, root)
    sites = {corpora.a: snapshot(site)}
    assert "index.html" in sites[corpora.a] and "zh-Hant/index.html" in sites[corpora.a]
    current, other = corpora.a, corpora.b
    unresolved = None  # a kill after the swap, before the reference for it exists
    kills = attempts = 0
    while kills < SITE_KILLS:
        attempts += 1
        assert attempts <= 4 * SITE_KILLS, "site runs kept finishing before the kill"
        before = snapshot(site)
        # The first kill anywhere; the others once MkDocs builds into its staging
        # folder, anywhere in the time building, swapping and exiting took.
        proc = start(site_args[other], root)
        if kills == 0:
            delay, trigger = rng.uniform(0.0, seconds), None
        else:
            delay = rng.uniform(0.0, seconds - building)
            trigger = lambda: bool(leftovers(site))  # noqa: E731
        if not kill_after(proc, delay, trigger):
            current, other = other, current
            sites.setdefault(current, snapshot(site))
            continue
        kills += 1
        tally.interruptions += 1
        tally.site_while_building += bool(leftovers(site))
        after = snapshot(site)
        if other in sites:
            assert after in (before, sites[other]), f"site damaged by a kill at {delay:.2f}s"
        elif after != before:
            unresolved = after  # must be exactly the site a clean run of `other` gives
        tally.intact += 1
        run(site_args[other], root)
        sites.setdefault(other, snapshot(site))
        assert snapshot(site) == sites[other]
        if unresolved is not None:
            assert unresolved == sites[other], "site damaged by a kill"
            unresolved = None
        assert leftovers(site) == []
        tally.next_ok += 1
        current, other = other, current
    tally.lines.append(
        f"  (site: {SITE_KILLS} kills, {tally.site_while_building} while MkDocs was building; "
        f"one site run ≈ {seconds:.1f}s)"
    )
