"""Incremental generation equals cold generation, after any sequence of changes (issue 20).

A seeded random walk over a corpus: each step edits raw files (text inserted,
deleted, duplicated, swapped, a headline rewritten, a sidecar's date moved),
adds raw files (a mutated copy of a page, so that duplicates are merged, or a
held-back page) or deletes them. After each step one build reuses the cache
and the docs trees of every build before it, and one build starts from
nothing with no cache (``--no-cache``); both editions' trees must be equal
byte for byte, manifest included.

Builds run in this process (``pipeline.generate``): the tokenizer, gazetteer
and templates are loaded once, which is what keeps 50 steps on the bundled
corpus and 50 changes on a 1,000-article corpus within a few minutes.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT

from generator import pipeline
from generator.progress import Progress
from generator.settings import load_settings

HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"


def settings_for(corpus: Path, docs: Path, cache_dir: Path | None, workers: int = 1):
    settings = load_settings(ROOT)
    settings.corpus = corpus
    settings.docs = docs
    settings.docs_hant = docs.parent / f"{docs.name}-hant"
    settings.cache_dir = cache_dir
    settings.workers = workers
    settings.allow_shrink = True  # a random walk may delete most of a small corpus
    return settings


def build(corpus: Path, docs: Path, cache_dir: Path | None, workers: int = 1) -> Progress:
    progress = Progress(quiet=True)
    pipeline.generate(settings_for(corpus, docs, cache_dir, workers), progress)
    return progress


def tree(docs: Path) -> dict[str, str]:
    """Relative path → sha256 of every file of both editions."""
    out = {}
    for folder in (docs, docs.parent / f"{docs.name}-hant"):
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                out[f"{folder.name}/{p.relative_to(folder).as_posix()}"] = hashlib.sha256(
                    p.read_bytes()
                ).hexdigest()
    return out


# --- random changes to a corpus ---------------------------------------------------


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines), encoding="utf-8")


def _prose(lines: list[str]) -> list[int]:
    return [i for i, t in enumerate(lines) if len(t) > 20] or list(range(len(lines)))


def _edit_text(rng: random.Random, path: Path) -> str:
    lines = _lines(path)
    if not lines:
        return "empty"
    kind = rng.choice(["insert", "delete", "duplicate", "swap", "headline", "char", "cut"])
    prose = _prose(lines)
    i = rng.choice(prose)
    if kind == "insert":
        text = lines[i]
        at = rng.randrange(len(text) + 1)
        phrase = "".join(rng.choice(HAN) for _ in range(rng.randint(1, 12)))
        lines[i] = text[:at] + phrase + rng.choice(["", "，", "。"]) + text[at:]
    elif kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(rng.randrange(len(lines) + 1), lines[i])
    elif kind == "swap" and len(lines) > 1:
        j = min(i + 1, len(lines) - 1)
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "headline":
        title = "".join(rng.choice(HAN) for _ in range(rng.randint(4, 16)))
        lines[i : i + 1] = ["", rng.choice(["", "# ", "## "]) + title, "", lines[i]]
    elif kind == "char" and lines[i]:
        at = rng.randrange(len(lines[i]))
        lines[i] = lines[i][:at] + rng.choice(HAN) + lines[i][at + 1 :]
    elif kind == "cut":
        lines = lines[: max(1, len(lines) * rng.randint(1, 3) // 4)]
    _write(path, lines)
    return f"{kind} {path.name}"


def _edit_sidecar(rng: random.Random, meta: Path) -> str:
    text = meta.read_text(encoding="utf-8").split("\n")
    day = f"{rng.randint(2019, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    text = [f"date: {day}" if t.startswith("date:") else t for t in text]
    meta.write_text("\n".join(text), encoding="utf-8")
    return f"date {day} {meta.name}"


def random_change(rng: random.Random, corpus: Path, pool: list[Path], serial: list[int]) -> str:
    """One random edit, addition or deletion in ``corpus``; what it was."""
    files = sorted(corpus.glob("*.txt"))
    roll = rng.random()
    if roll < 0.15 and len(files) > 1:  # delete a page (and its sidecar)
        victim = rng.choice(files)
        victim.unlink()
        victim.with_suffix(".meta.yml").unlink(missing_ok=True)
        return f"delete {victim.name}"
    if roll < 0.3 or not files:  # add a page: held back, or a changed copy (duplicates)
        serial[0] += 1
        name = corpus / f"zz_added_{serial[0]:03d}.txt"
        if pool and rng.random() < 0.5:
            source = pool.pop(rng.randrange(len(pool)))
            shutil.copyfile(source, name)
            if source.with_suffix(".meta.yml").exists():
                shutil.copyfile(source.with_suffix(".meta.yml"), name.with_suffix(".meta.yml"))
            return f"add {source.name} as {name.name}"
        source = rng.choice(files) if files else rng.choice(pool)
        shutil.copyfile(source, name)
        done = _edit_text(rng, name)
        return f"add a copy of {source.name} as {name.name} ({done})"
    target = rng.choice(files)
    meta = target.with_suffix(".meta.yml")
    if meta.exists() and rng.random() < 0.15:
        return _edit_sidecar(rng, meta)
    return _edit_text(rng, target)


def random_walk(
    tmp: Path,
    corpus: Path,
    pool: list[Path],
    steps: int,
    per_step: int,
    seed: int,
    workers: int = 1,
) -> list[str]:
    """``steps`` rounds of ``per_step`` random changes, each round followed by an
    incremental build compared with a cold one; returns the changes made."""
    rng = random.Random(seed)
    warm_docs, cache_dir = tmp / "warm" / "docs", tmp / "cache"
    build(corpus, warm_docs, cache_dir, workers)
    done: list[str] = []
    serial = [0]
    for step in range(steps):
        changes = [random_change(rng, corpus, pool, serial) for _ in range(per_step)]
        done += changes
        build(corpus, warm_docs, cache_dir, workers)
        cold = tmp / f"cold{step}" / "docs"
        build(corpus, cold, None, workers)
        warm, expected = tree(warm_docs), tree(cold)
        if warm != expected:
            differ = sorted(
                p for p in warm.keys() | expected.keys() if warm.get(p) != expected.get(p)
            )
            pytest.fail(
                f"step {step} ({'; '.join(changes)}): {len(differ)} files differ: {differ[:10]}"
            )
        shutil.rmtree(cold.parent)
    return done


@pytest.fixture(scope="module")
def held_back(tmp_path_factory) -> Path:
    """A few pages of a small synthetic corpus, to add to the bundled one."""
    out = tmp_path_factory.mktemp("pool") / "c"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "make_corpus.py"), "60", str(out), "--seed", "7"],
        check=True,
        capture_output=True,
    )
    return out


def test_random_changes_to_the_bundled_corpus_build_as_cold(tmp_path, held_back):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    pool = sorted(held_back.glob("*.txt"))[:8]
    # 50 changes, compared with a cold build after every 5 (the suite stays within 15 minutes)
    done = random_walk(tmp_path, corpus, pool, steps=10, per_step=5, seed=20)
    assert len(done) == 50
    kinds = {d.split()[0] for d in done}
    assert {"delete", "add"} <= kinds and len(kinds) >= 6, kinds


@pytest.mark.slow
def test_random_changes_to_a_1000_article_corpus_build_as_cold(tmp_path):
    corpus = tmp_path / "corpus"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "make_corpus.py"),
            "1000",
            str(corpus),
            "--seed",
            "5",
        ],
        check=True,
        capture_output=True,
    )
    # hold back some pages (with their sidecars) to add later
    rng = random.Random(5)
    pool_dir = tmp_path / "pool"
    pool_dir.mkdir()
    for page in rng.sample(sorted(corpus.glob("*.txt")), 12):
        shutil.move(page, pool_dir / page.name)
        if page.with_suffix(".meta.yml").exists():
            shutil.move(page.with_suffix(".meta.yml"), pool_dir / f"{page.stem}.meta.yml")
    pool = sorted(pool_dir.glob("*.txt"))
    # 2 workers: the cold builds use both cores, the rebuilds the warm worker
    done = random_walk(tmp_path, corpus, pool, steps=3, per_step=17, seed=21, workers=2)
    assert len(done) == 51


# --- an edit of the OCR rules ---------------------------------------------------


@pytest.fixture
def own_rules(tmp_path, monkeypatch) -> Path:
    """``corrections.yml`` in a copy of the package (same fingerprint), read by
    ``clean`` and ``cache`` instead of the package's own: the file to edit."""
    from generator import cache, clean

    package = tmp_path / "pkg" / "generator"
    shutil.copytree(ROOT / "generator", package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "templates", package.parent / "templates")
    monkeypatch.setattr(cache, "PACKAGE", package)
    monkeypatch.setattr(clean, "DATA_DIR", package / "data")
    for memoised in (cache.fingerprint, cache.data_fingerprint, clean._load_rules_cached):
        memoised.cache_clear()
    yield package / "data" / "corrections.yml"
    monkeypatch.undo()
    for memoised in (cache.fingerprint, cache.data_fingerprint, clean._load_rules_cached):
        memoised.cache_clear()


def _add_rule(rules: Path, pattern: str, replacement: str) -> None:
    from generator import cache, clean

    text = rules.read_text(encoding="utf-8").rstrip("\n")
    rule = f"- id: test-rule\n  pattern: {pattern}\n  replacement: {replacement}\n  note: test\n"
    rules.write_text(f"{text}\n{rule}", encoding="utf-8")
    for memoised in (cache.data_fingerprint, clean._load_rules_cached):
        memoised.cache_clear()


def test_an_edit_of_the_ocr_rules_redoes_only_what_it_changes(tmp_path, own_rules):
    from generator import cache

    before = cache.fingerprint(), cache.data_fingerprint("pages")
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    warm, cache_dir = tmp_path / "warm" / "docs", tmp_path / "cache"
    build(corpus, warm, cache_dir)
    _add_rule(own_rules, "和声激荡新吉林", "和声激荡吉林新")  # one headline of one file
    assert cache.fingerprint() == before[0]  # the other steps' keys stay
    assert cache.data_fingerprint("pages") != before[1]  # every raw file is read again
    progress = build(corpus, warm, cache_dir)
    hits = dict(
        (name, tuple(map(int, n.split("/"))))
        for name, n in (part.split() for part in progress.counts["cache hits / misses"].split(", "))
    )
    assert hits["pages"][1] == 5, hits
    assert hits["subjects"][1] <= 2, hits  # only the changed article's places and tags
    cold = tmp_path / "cold" / "docs"
    build(corpus, cold, None)
    assert tree(warm) == tree(cold)
    assert "和声激荡吉林新" in "".join(p.read_text("utf-8") for p in warm.rglob("*.md"))
