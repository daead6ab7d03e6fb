"""What a user's files can rely on (issue 17): nothing lost, nothing leaked.

* The corpus is read-only input, and only regular files inside it are read:
  links that leave it, dangle or loop, FIFOs and devices are refused with a
  warning naming them, never followed, never waited on.
* Output folders are checked before anything is touched.
* A build never wipes (or mostly empties) an existing archive without
  ``--allow-shrink``; ``--strict`` never passes a run that found no article.
* Resources are bounded (``--workers`` capped at the cores), errors are one
  line with a documented exit code, Ctrl-C prints at most two lines.
* Leftovers of killed runs are removed by the next run.

Every test here failed on the code before issue 17.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_cli import generator
from test_cli import snapshot as files_of  # relative path → sha256 of every file
from test_crash import start  # python -m generator in its own process group

from generator import publish
from generator.errors import ArchiveError, shown
from generator.read import MetadataError, read_files

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
BAD = ROOT / "tests" / "fixtures" / "bad"
SECRET = "TOKEN-issue17-must-not-leak"


# --- helpers ------------------------------------------------------------------------------


def run(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: float = 300):
    """``python -m generator ARGS`` in ``cwd``; never raises on the exit code."""
    return generator(*args, check=None, cwd=cwd, env=env, timeout=timeout)


def tree_state(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder`` (itself included): kind, mode, mtime and content hash."""
    state: dict[str, tuple] = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        st = path.lstat()
        rel = path.relative_to(folder).as_posix()
        if stat.S_ISREG(st.st_mode):
            content = hashlib.sha256(path.read_bytes()).hexdigest()
        elif stat.S_ISLNK(st.st_mode):
            content = os.readlink(path)
        else:
            content = None
        state[rel] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_mtime_ns, content)
    return state


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    """The run's stderr, which must be exactly one ``error: …`` line."""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr[-3000:]
    return lines[0]


def named(problems, name: str) -> list[str]:
    return [str(p) for p in problems if p.file == name]


# --- 1. the corpus: only regular files inside it --------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


def test_links_leaving_the_corpus_are_refused_and_never_read(corpus, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(f"长春市{SECRET}", encoding="utf-8")
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    (corpus / "environ.txt").symlink_to("/proc/self/environ")
    (corpus / "secret.txt").symlink_to(secret)
    (corpus / "up.txt").symlink_to("../secret.txt")
    files, problems = read_files(corpus)
    assert sorted(f.name for f in files) == sorted(p.name for p in CORPUS.glob("*.txt"))
    assert not any(SECRET.encode() in f.data or b"root:" in f.data for f in files)
    for name in ("passwd.txt", "environ.txt", "secret.txt", "up.txt"):
        [line] = named(problems, name)
        assert "leads outside the corpus" in line and line.startswith("warning: "), line


def test_dangling_and_looping_links_are_warnings_naming_them(corpus):
    (corpus / "dangling.txt").symlink_to("no-such-file.txt")
    (corpus / "loop.txt").symlink_to("loop.txt")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "a.txt").symlink_to("b.txt")
    (corpus / "sub" / "b.txt").symlink_to("a.txt")
    files, problems = read_files(corpus)
    assert len(files) == 5
    assert "dangling" in named(problems, "dangling.txt")[0]
    for name in ("loop.txt", "sub/a.txt", "sub/b.txt"):
        assert "loops" in named(problems, name)[0], problems


def test_a_link_to_a_file_inside_the_corpus_is_read(corpus):
    first = sorted(corpus.glob("*.txt"))[0]
    (corpus / "sub").mkdir()
    (corpus / "sub" / "copy.txt").symlink_to(Path("..") / first.name)
    files, problems = read_files(corpus)
    assert not problems
    assert {f.name: f.data for f in files}["sub/copy.txt"] == first.read_bytes()


def test_links_to_folders_are_not_followed(corpus, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leak.txt").write_text(f"长春市{SECRET}", encoding="utf-8")
    (corpus / "linked").symlink_to(outside)
    files, problems = read_files(corpus)
    assert len(files) == 5
    assert "not followed" in named(problems, "linked")[0]


READ_IN_A_CHILD = """
import sys
from pathlib import Path
from generator.read import read_files
files, problems = read_files(Path(sys.argv[1]))
print(len(files))
for p in problems:
    print(p)
"""


def read_in_child(corpus: Path, seconds: float = 30) -> list[str]:
    """``read_files(corpus)`` in a child process, which must end within ``seconds``
    (a FIFO opened for reading would block it forever)."""
    proc = subprocess.run(
        [sys.executable, "-c", READ_IN_A_CHILD, str(corpus)],
        capture_output=True,
        text=True,
        timeout=seconds,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.splitlines()


def test_fifos_as_page_or_sidecar_never_hang(corpus):
    os.mkfifo(corpus / "pipe.txt")
    first = sorted(corpus.glob("*.txt"))[0]
    os.mkfifo(first.with_name(first.stem + ".meta.yml"))
    count, *lines = read_in_child(corpus)
    assert count == "4"  # the page whose sidecar is a FIFO is skipped, with an error
    assert any(line.startswith("warning: pipe.txt: ") and "FIFO" in line for line in lines), lines
    assert any(f"{first.stem}.meta.yml" in line and "FIFO" in line for line in lines), lines


def test_sidecar_linked_to_dev_zero_is_refused_not_read(corpus):
    first = sorted(corpus.glob("*.txt"))[0]
    first.with_name(first.stem + ".meta.yml").symlink_to("/dev/zero")
    count, *lines = read_in_child(corpus, seconds=20)
    assert count == "4"
    [line] = lines
    assert line.startswith(f"error: {first.stem}.meta.yml: ") and "outside the corpus" in line


def test_devices_in_the_corpus_are_refused(corpus):
    try:
        os.mknod(corpus / "zero.txt", stat.S_IFCHR | 0o644, os.makedev(1, 5))  # /dev/zero
    except PermissionError:
        pytest.skip("creating a device needs CAP_MKNOD")
    count, *lines = read_in_child(corpus, seconds=20)
    assert count == "5"
    assert lines == ["warning: zero.txt: not a regular file but a character device; not read"]


def test_an_unreadable_folder_is_a_warning(corpus, monkeypatch):
    (corpus / "locked").mkdir()
    shutil.copy2(sorted(corpus.glob("*.txt"))[0], corpus / "locked" / "page.txt")
    real = os.scandir

    def scandir(path="."):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)  # root ignores chmod 000
    files, problems = read_files(corpus)
    assert len(files) == 5
    assert named(problems, "locked") == [
        "warning: locked: cannot list folder: Permission denied; skipped"
    ]


def test_hidden_files_and_folders_are_skipped_with_a_warning(corpus):
    pages = sorted(corpus.glob("*.txt"))
    (corpus / ".drafts").mkdir()
    shutil.copy2(pages[0], corpus / ".drafts" / "draft.txt")
    shutil.copy2(pages[1], corpus / ".hidden.txt")
    (corpus / ".git").mkdir()  # no .txt inside: not worth a warning
    (corpus / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    files, problems = read_files(corpus)
    assert len(files) == 5
    assert [p.file for p in problems] == [".drafts", ".hidden.txt"]
    assert all("MkDocs leaves hidden pages out" in p.message for p in problems)


def test_sidecar_over_the_limit_through_a_link_is_refused(corpus):
    big = corpus / "big.yml"
    big.write_bytes(b"# padding\n" * 10_000)
    first = sorted(corpus.glob("*.txt"))[0]
    first.with_name(first.stem + ".meta.yml").symlink_to("big.yml")
    files, problems = read_files(corpus)
    assert len(files) == 4
    assert "64 KB" in named(problems, f"{first.stem}.meta.yml")[0]


def test_metadata_error_is_an_archive_error():
    assert issubclass(MetadataError, ArchiveError)
    assert issubclass(publish.LockedError, ArchiveError)
    assert issubclass(publish.ChangedDuringRun, ArchiveError)


def test_names_are_shown_on_one_line_with_bad_bytes_escaped():
    assert shown(os.fsdecode(b"bad\xff.txt")) == "bad\\xff.txt"
    assert shown(b"a\nb.txt") == "a\\nb.txt"
    assert shown("\ud800") == "\\ud800"
    assert len(shown("长" * 300)) <= 201


def test_hostile_corpus_builds_every_good_article_and_leaks_nothing(corpus, tmp_path):
    """Links out, FIFOs, undecodable and 250-byte names, hidden folders: one
    warning each, the five good pages built, no secret in any output."""
    secret = tmp_path / "secret.txt"
    secret.write_text(f"长春市{SECRET}", encoding="utf-8")
    pages = sorted(corpus.glob("*.txt"))
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    (corpus / "environ.txt").symlink_to("/proc/self/environ")
    (corpus / "secret.txt").symlink_to(secret)
    (corpus / "dangling.txt").symlink_to("nowhere.txt")
    os.mkfifo(corpus / "pipe.txt")
    (corpus / ".drafts").mkdir()
    shutil.copy2(pages[0], corpus / ".drafts" / "copy.txt")
    undecodable = os.fsencode(corpus) + b"/bad\xff\xfename.txt"
    with open(undecodable, "wb") as fh:
        fh.write(pages[1].read_bytes())
    long_name = "长" * 82 + ".txt"  # 250 bytes: its source page name would not fit
    shutil.copy2(pages[2], corpus / long_name)
    docs = tmp_path / "out" / "docs"
    env = dict(os.environ, ARCHIVE_TEST_SECRET=SECRET)
    proc = run("build", "--corpus", str(corpus), "--docs", str(docs), "--no-cache", env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "Traceback" not in proc.stderr
    warnings = [
        line.strip() for line in proc.stderr.splitlines() if line.strip().startswith("warning: ")
    ]
    for name in ("passwd.txt", "environ.txt", "secret.txt", "dangling.txt", "pipe.txt", ".drafts"):
        assert sum(f" {name}: " in w for w in warnings) == 1, (name, warnings)
    assert sum("bad\\xff\\xfename.txt" in w for w in warnings) == 1, warnings
    assert sum("longer than 240 bytes" in w for w in warnings) == 1, warnings
    assert len(warnings) == 8
    sources = sorted(p.name for p in (docs / "sources").iterdir() if p.suffix == ".md")
    assert sources == sorted(f"{p.name}.md" for p in pages)
    for folder in (docs, docs.parent / "docs-hant"):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert SECRET.encode() not in data and b"root:x:0" not in data, path
    reference = tmp_path / "ref" / "docs"
    run("build", "--corpus", str(CORPUS), "--docs", str(reference), "--no-cache")
    articles = sorted(
        p.relative_to(reference).as_posix() for p in reference.glob("articles/**/*.md")
    )
    assert sorted(p.relative_to(docs).as_posix() for p in docs.glob("articles/**/*.md")) == articles


# --- 2. output folders are checked before anything is touched --------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder a user works in: the archive's config, the corpus, a file, an
    empty subfolder."""
    home = tmp_path / "work"
    shutil.copytree(CORPUS, home / "corpus")
    shutil.copy2(ROOT / "mkdocs.yml", home / "mkdocs.yml")
    (home / "notes.txt").write_text("mine\n", encoding="utf-8")
    (home / "empty").mkdir()
    os.chmod(home / "empty", 0o700)
    return home


@pytest.mark.parametrize(
    "docs, why",
    [
        ("", "--docs is empty"),
        (".", "project folder"),
        ("corpus", "is the corpus"),
        ("corpus/docs", "is the corpus or inside it"),
        ("/", "file-system root"),
        ("notes.txt", "not a folder"),
        ("..", "holds the project folder"),
        (str(ROOT), "did not write"),
    ],
)
def test_unsafe_docs_folders_are_refused_and_nothing_changes(project, docs, why):
    before = tree_state(project.parent)
    root_before = sorted(os.listdir("/"))
    proc = run("build", "--corpus", "corpus", "--docs", docs, "--no-cache", cwd=project)
    assert proc.returncode == 2
    assert why in one_error_line(proc)
    assert tree_state(project.parent) == before
    assert sorted(os.listdir("/")) == root_before


@pytest.mark.parametrize("cache", ["/", "corpus", "corpus/.generator-cache", ".."])
def test_unsafe_cache_folders_are_refused(project, cache):
    before = tree_state(project.parent)
    proc = run("check", "--corpus", "corpus", "--cache-dir", cache, cwd=project)
    assert proc.returncode == 2 and "--cache-dir" in one_error_line(proc)
    assert tree_state(project.parent) == before


def test_the_home_folder_is_refused(project):
    env = dict(os.environ, HOME=str(project / "empty"))
    before = tree_state(project)
    proc = run("build", "--corpus", "corpus", "--docs", "empty", cwd=project, env=env)
    assert proc.returncode == 2 and "home folder" in one_error_line(proc)
    assert tree_state(project) == before


def test_a_folder_of_foreign_files_is_refused_unless_forced(project):
    out = project / "site-docs"
    (out / "keep" / "empty").mkdir(parents=True)
    (out / "mine.md").write_text("# mine\n", encoding="utf-8")
    before = tree_state(project)
    proc = run("build", "--corpus", "corpus", "--docs", str(out), "--no-cache", cwd=project)
    assert proc.returncode == 2
    assert "did not write" in one_error_line(proc) and "--force" in proc.stderr
    assert tree_state(project) == before
    proc = run(
        "build", "--corpus", "corpus", "--docs", str(out), "--force", "--no-cache", cwd=project
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "mine.md").read_text(encoding="utf-8") == "# mine\n"
    assert (out / "index.md").is_file()
    # written once, the folder is the generator's: no --force needed again
    proc = run("build", "--corpus", "corpus", "--docs", str(out), "--no-cache", cwd=project)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_the_traditional_docs_folder_is_checked_too(project):
    (project / "out-hant").write_text("a file where docs-hant goes\n", encoding="utf-8")
    before = tree_state(project)
    proc = run("build", "--corpus", "corpus", "--docs", "out", cwd=project)
    assert proc.returncode == 2 and "Traditional docs folder" in one_error_line(proc)
    assert tree_state(project) == before


def test_check_output_accepts_new_empty_and_generated_folders(tmp_path):
    for folder in (tmp_path / "new", tmp_path / "empty"):
        (tmp_path / "empty").mkdir(exist_ok=True)
        publish.check_output(folder, root=ROOT, corpus=CORPUS)
    generated = tmp_path / "generated"
    publish.write_tree(generated, {"index.md": "# x\n"})
    (generated / "hand-written.md").write_text("# mine\n", encoding="utf-8")
    publish.check_output(generated, root=ROOT, corpus=CORPUS)


def test_the_projects_own_docs_folder_may_hold_hand_written_pages(tmp_path):
    """docs/ as mkdocs.yml names it, in a fresh clone: a .gitignore and
    hand-written pages, no manifest yet. Not refused; --docs to such a folder is."""
    from generator.__main__ import check_outputs
    from generator.errors import UnsafeOutputError
    from generator.settings import load_settings

    settings = load_settings(ROOT)
    settings.docs, settings.docs_hant = tmp_path / "docs", tmp_path / "docs-hant"
    settings.docs.mkdir()
    (settings.docs / ".gitignore").write_text("/articles/\n", encoding="utf-8")
    check_outputs(settings, chosen=True)  # a .gitignore alone: still empty
    (settings.docs / "notes.md").write_text("# mine\n", encoding="utf-8")
    check_outputs(settings, chosen=False)
    with pytest.raises(UnsafeOutputError):
        check_outputs(settings, chosen=True)


# --- 3. a build never wipes the archive --------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The bundled corpus built once: (docs, its files)."""
    docs = tmp_path_factory.mktemp("built") / "docs"
    proc = run("build", "--corpus", str(CORPUS), "--docs", str(docs), "--no-cache")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return docs


def copy_archive(built: Path, dest: Path) -> Path:
    shutil.copytree(built, dest / "docs", symlinks=True)
    shutil.copytree(built.parent / "docs-hant", dest / "docs-hant", symlinks=True)
    return dest / "docs"


def test_an_empty_or_all_bad_corpus_never_wipes_the_archive(built, tmp_path):
    docs = copy_archive(built, tmp_path)
    before = {"docs": files_of(docs), "hant": files_of(tmp_path / "docs-hant")}
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("broken_png.txt", "broken_empty.txt", "broken_whitespace.txt"):
        if (BAD / name).exists():
            shutil.copy2(BAD / name, bad / name)
    half = tmp_path / "half"
    half.mkdir()
    shutil.copy2(sorted(CORPUS.glob("*.txt"))[0], half)
    for corpus in (empty, bad, half):
        proc = run("build", "--strict", "--corpus", str(corpus), "--docs", str(docs), "--no-cache")
        assert proc.returncode == 2, proc.stderr[-3000:]
        assert "--allow-shrink" in proc.stderr and "Traceback" not in proc.stderr
        assert {"docs": files_of(docs), "hant": files_of(tmp_path / "docs-hant")} == before
    proc = run("build", "--corpus", str(half), "--docs", str(docs), "--no-cache", "--allow-shrink")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert files_of(docs) != before["docs"]


def test_a_small_change_passes_the_shrink_guard(built, tmp_path):
    docs = copy_archive(built, tmp_path)
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    sorted(corpus.glob("*.txt"))[-1].unlink()
    proc = run("build", "--corpus", str(corpus), "--docs", str(docs), "--no-cache")
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_strict_never_passes_a_run_that_found_no_article(tmp_path):
    (tmp_path / "empty").mkdir()
    proc = run(
        "build", "--strict", "--corpus", str(tmp_path / "empty"), "--docs", str(tmp_path / "d")
    )
    assert proc.returncode == 1
    assert "no articles found" in proc.stderr
    proc = run("check", "--strict", "--corpus", str(tmp_path / "empty"), "--no-cache")
    assert proc.returncode == 1


# --- 4. bounded resources ----------------------------------------------------------------------


def test_workers_are_capped_at_the_cores():
    proc = run("check", "--workers", "5000", "--no-cache")
    assert proc.returncode == 0, proc.stderr[-3000:]
    cores = os.cpu_count() or 1
    assert f"warning: --workers 5000 capped at {cores}" in proc.stderr
    proc = run("check", "--workers", "0", "--no-cache")
    assert proc.returncode == 2 and "at least 1" in one_error_line(proc)


# --- 5. one line, one exit code -------------------------------------------------------------------


@pytest.mark.parametrize(
    "gold",
    [
        "not json",
        '{"id": "x"}',
        '[{"title": "x"}]',
        '[{"id": "x", "files": "a.txt"}]',
        '[{"id": "x", "files": [{"file": "a.txt"}]}]',
        '["x"]',
    ],
)
def test_evaluate_with_a_malformed_gold_file_is_one_line(tmp_path, gold):
    path = tmp_path / "gold.json"
    path.write_text(gold, encoding="utf-8")
    proc = run("evaluate", "--gold", str(path), "--no-cache")
    assert proc.returncode == 2
    assert str(path) in one_error_line(proc)


def test_a_missing_gold_file_is_one_line(tmp_path):
    proc = run("evaluate", "--gold", str(tmp_path / "none.json"), "--no-cache")
    assert proc.returncode == 2 and "cannot read gold file" in one_error_line(proc)


def test_an_os_error_is_one_line_naming_the_file():
    proc = run("build", "--docs", "/proc/archive-docs", "--no-cache")
    assert proc.returncode == 2
    assert "/proc/" in one_error_line(proc)


def test_ctrl_c_prints_at_most_two_lines(tmp_path):
    """SIGINT to the whole process group (as a terminal sends it) in the middle
    of a build: exit 130, at most two lines after what the build printed before."""
    args = ["build", "--corpus", str(CORPUS), "--docs", str(tmp_path / "docs"), "--no-cache"]
    proc = start([*args, "-q"])
    time.sleep(1.2)  # inside clean+split / enrich: worker processes are running
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the build ended before the signal")
    assert proc.returncode == 130, err[-3000:]
    ours = [
        line
        for line in err.splitlines()
        if not any(s in line.lower() for s in ("prefix dict", "loading model", "dumping model"))
    ]
    assert len(ours) <= 2, err
    assert "Traceback" not in err and "interrupted" in err


@pytest.mark.slow
def test_ctrl_c_during_site_prints_at_most_two_lines_and_leaves_nothing(tmp_path):
    """``site`` runs MkDocs and Pagefind in spawned workers: Ctrl-C still gives
    one message, and the next run removes what the interrupted one left."""
    import sitebuild

    project = sitebuild.copy_project(tmp_path / "project")
    env = dict(os.environ, PYTHONPATH=str(project))
    env.pop("ARCHIVE_SKIP_GENERATE", None)
    first = run("site", "-q", cwd=project, env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    proc = start(["site", "-q", "--no-cache"], project)
    deadline = time.monotonic() + 120
    while not list(project.glob(".site.staging-*")) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)  # the MkDocs workers are running
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run ended before the signal")
    assert proc.returncode == 130, err[-3000:]
    ours = [line for line in err.splitlines() if "prefix dict" not in line.lower()]
    ours = [line for line in ours if "loading model" not in line.lower()]
    assert len(ours) <= 2 and "Traceback" not in err, err
    (project / ".pagefind-src-killed").mkdir()  # as a SIGKILLed run leaves it
    again = run("site", "-q", cwd=project, env=env)
    assert again.returncode == 0, again.stderr[-3000:]
    left = [p.name for p in project.iterdir() if p.name.startswith((".pagefind-src-", ".site."))]
    left += [p.name for p in project.iterdir() if ".staging-" in p.name]
    assert left == [".site.lock"] or left == [], left


# --- 6. leftovers of killed runs --------------------------------------------------------------


def test_stale_pagefind_scratch_folders_are_removed(tmp_path):
    from generator.__main__ import remove_stale_scratch
    from generator.settings import load_settings

    settings = load_settings(ROOT)
    settings.site = tmp_path / "site"
    for name in (".pagefind-src-abc123", ".pagefind-src-x"):
        (tmp_path / name / "records").mkdir(parents=True)
    (tmp_path / ".pagefind-srcx").mkdir()  # not our pattern
    (tmp_path / "pagefind-src-1").mkdir()
    with publish.run_lock(settings.site):  # another run at work: its scratch is in use
        remove_stale_scratch(settings)
    assert (tmp_path / ".pagefind-src-x").exists()
    remove_stale_scratch(settings)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".pagefind-srcx", ".site.lock", "pagefind-src-1"]


def test_a_failed_write_leaves_no_staging_folder(tmp_path, monkeypatch):
    target = tmp_path / "docs"
    publish.write_tree(target, {f"p{i}.md": f"{i}\n" for i in range(20)})
    before = files_of(target)

    def full(root: Path) -> None:
        raise OSError(28, "No space left on device", str(root))

    monkeypatch.setattr(publish, "_fsync_tree", full)
    with pytest.raises(OSError):
        publish.write_tree(target, {f"p{i}.md": f"{i} changed\n" for i in range(20)})
    assert files_of(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs"]


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(tmp_path):
    target = tmp_path / "docs"
    publish.write_tree(target, {"index.md": "# x\n"})
    stale = tmp_path / ".docs.staging-999999"
    (stale / "articles").mkdir(parents=True)
    (stale / "articles" / "a.md").write_text("half\n", encoding="utf-8")
    publish.write_tree(target, {"index.md": "# y\n"})
    assert not stale.exists()
    assert json.loads((target / publish.MANIFEST).read_text(encoding="utf-8"))["files"]
