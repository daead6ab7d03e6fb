"""Tests for bench/make_corpus.py, the synthetic benchmark corpus generator."""

from __future__ import annotations

import difflib
import importlib.util
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "make_corpus.py"
N = 200


def _load():
    spec = importlib.util.spec_from_file_location("bench_make_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up
    spec.loader.exec_module(module)
    return module


mc = _load()

DATELINE_RE = re.compile(r"本报(?:\d{1,2}月\d{1,2}日)?讯[(（]记者[^)）]+[)）]")
END_BYLINE_RE = re.compile(r"(?:日报|晚报)(?:全媒体|融媒体)?记者(?: [\u4e00-\u9fff]{2,3})+")
UNDER_BYLINE_RE = re.compile(r"^本报记者(?: [\u4e00-\u9fff]{2,3})+$", re.M)
WRAP_SPACE_RE = re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff]")


def _snapshot(outdir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(outdir.iterdir())}


def _pages(outdir: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(outdir.glob("p*.txt"))}


def _flat(text: str) -> str:
    """Text with layout and punctuation style removed, for finding titles."""
    text = re.sub(r"\s+", "", text)
    return text.translate(str.maketrans({":": "：", "(": "（", ")": "）", "!": "！", "?": "？"}))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("bench") / "out"
    manifest = mc.make_corpus(N, outdir, seed=1)
    return outdir, manifest, _pages(outdir)


def test_same_seed_gives_identical_bytes(corpus, tmp_path):
    outdir, _manifest, _pages_ = corpus
    again = tmp_path / "again"
    mc.make_corpus(N, again, seed=1)
    assert _snapshot(again) == _snapshot(outdir)


def test_cli_is_independent_of_hash_seed(corpus, tmp_path):
    outdir, _manifest, _pages_ = corpus
    cli = tmp_path / "cli"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run(
        [sys.executable, str(SCRIPT), str(N), str(cli), "--seed", "1"],
        check=True,
        env=env,
        capture_output=True,
    )
    assert _snapshot(cli) == _snapshot(outdir)


def test_different_seed_gives_different_corpus(corpus, tmp_path):
    outdir, _manifest, pages = corpus
    other = tmp_path / "other"
    mc.make_corpus(N, other, seed=2)
    other_pages = _pages(other)
    assert other_pages != pages
    shared = set(pages) & set(other_pages)
    assert sum(pages[name] == other_pages[name] for name in shared) == 0


def test_rerun_replaces_previous_output(tmp_path):
    outdir = tmp_path / "out"
    mc.make_corpus(120, outdir, seed=5)
    mc.make_corpus(30, outdir, seed=5)
    manifest = json.loads((outdir / "MANIFEST.json").read_text(encoding="utf-8"))
    assert len(list(outdir.glob("p*.txt"))) == manifest["counts"]["files"]


def test_article_count_and_manifest(corpus):
    _outdir, manifest, pages = corpus
    counts = manifest["counts"]
    assert manifest["seed"] == 1
    assert abs(counts["distinct_articles"] - N) <= 0.05 * N
    assert len(manifest["articles"]) == counts["distinct_articles"]
    assert counts["files"] == len(pages)
    assert 2 <= N / counts["files"] <= 8  # several articles per page file
    assert counts["characters"] == sum(len(t) for t in pages.values())
    assert 1200 <= counts["article_characters"] / counts["distinct_articles"] <= 1800
    roles = [p["role"] for a in manifest["articles"] for p in a["placed"]]
    assert roles.count("duplicate") == counts["duplicates"]
    assert roles.count("jump_head") == roles.count("jump_tail") == counts["jumps"]
    assert all(a["placed"] for a in manifest["articles"])


def test_files_are_utf8_without_trailing_newline(corpus):
    outdir, _manifest, _pages_ = corpus
    for path in sorted(outdir.glob("p*.txt")):
        data = path.read_bytes()
        text = data.decode("utf-8")  # raises if not UTF-8
        assert text.strip(), path.name
        assert not text.endswith(("\n", "\r", " ")), path.name
        assert re.fullmatch(r"p\d{6}\.txt", path.name)


def test_sidecar_metadata(corpus):
    outdir, manifest, pages = corpus
    metas = sorted(outdir.glob("p*.meta.yml"))
    assert len(metas) == manifest["counts"]["meta_files"]
    assert 0.3 * len(pages) < len(metas) < 0.9 * len(pages)  # some pages without metadata
    for path in metas:
        assert path.name.replace(".meta.yml", ".txt") in pages
        fields = dict(line.split(": ", 1) for line in path.read_text(encoding="utf-8").splitlines())
        assert set(fields) <= {"paper", "date", "page", "city"}
        assert fields["paper"] in mc.PAPERS
        assert date(2019, 1, 1) <= date.fromisoformat(fields["date"]) <= date(2024, 12, 31)
        if "city" in fields:
            assert fields["city"] in mc.CITIES


def test_bylines_and_datelines(corpus):
    _outdir, _manifest, pages = corpus
    text = "\n".join(pages.values())
    datelines = len(DATELINE_RE.findall(text))
    end_bylines = len(END_BYLINE_RE.findall(text))
    under = len(UNDER_BYLINE_RE.findall(text))
    assert 0.2 * N <= datelines <= 0.5 * N
    assert 0.3 * N <= end_bylines <= 0.6 * N
    assert 0.05 * N <= under <= 0.25 * N
    glued = re.findall(
        r"[。”\"] ?[\u4e00-\u9fff]{2,6}(?:全媒体|融媒体)?记者 [\u4e00-\u9fff]{2,3}", text
    )
    assert glued, "no byline glued to the last text line"
    assert "摄" in text  # photo captions with credits


def test_variety_of_dates_cities_papers(corpus):
    _outdir, manifest, _pages_ = corpus
    arts = manifest["articles"]
    years = {a["issue_date"][:4] for a in arts}
    assert years == {"2019", "2020", "2021", "2022", "2023", "2024"}
    assert {a["paper"] for a in arts} == set(mc.PAPERS)
    assert len({a["city"] for a in arts}) >= 10
    assert len({a["title"] for a in arts if a["title"]}) == sum(1 for a in arts if a["title"])
    reporters = {r for a in arts for r in a["reporters"]}
    assert len(reporters) > 50
    assert all(2 <= len(r) <= 3 for r in reporters)


def test_noise_is_present(corpus):
    _outdir, manifest, pages = corpus
    texts = list(pages.values())
    assert any(WRAP_SPACE_RE.search(t) for t in texts)  # spaces from column wraps
    assert any("，" not in t and "," in t for t in texts)  # ASCII-punctuation pages
    assert any("，" in t for t in texts)
    assert any(re.search(r"^#{1,3} ", t, re.M) for t in texts)  # Markdown headings
    assert any(re.search(r"^——", t, re.M) or "# ——" in t for t in texts)  # subtitles
    # paragraphs that end without sentence-final punctuation (breaks mid-sentence)
    paragraphs = [p for t in texts for p in t.split("\n\n") if len(p) > 40]
    cut = [
        p
        for p in paragraphs
        if not re.search(r"[。！？!?”\"）)]$|(?:记者|实习生)(?: \S+)+$|版\)$", p)
    ]
    assert 0.005 * len(paragraphs) < len(cut) < 0.2 * len(paragraphs)
    assert manifest["counts"]["pages_with"]["column_wrap"] > 0


def test_jumps(corpus):
    _outdir, manifest, pages = corpus
    counts = manifest["counts"]
    text = "\n".join(pages.values())
    assert text.count("(下转第") == text.count("(上接第") == counts["jumps"]
    assert 0.02 * N <= counts["jumps"] <= 0.045 * N
    for art in manifest["articles"]:
        roles = {p["role"]: p["file"] for p in art["placed"]}
        if "jump_head" not in roles:
            continue
        head, tail = roles["jump_head"], roles["jump_tail"]
        assert head < tail
        assert "(下转第" in pages[head]
        assert "(上接第" in pages[tail]
        # the jump head on the continuation page repeats the title
        assert _flat(art["title"]) in _flat(pages[tail])
        assert _flat(art["title"]) in _flat(pages[head])


def test_duplicates(corpus):
    _outdir, manifest, pages = corpus
    counts = manifest["counts"]
    assert 0.035 * N <= counts["duplicates"] <= 0.065 * N
    flat = {name: _flat(t) for name, t in pages.items()}
    styles_differ = 0
    dups = [a for a in manifest["articles"] if any(p["role"] == "duplicate" for p in a["placed"])]
    assert len(dups) == counts["duplicates"]
    for art in dups:
        files = [p["file"] for p in art["placed"]]
        assert len(files) == 2 and files[0] != files[1]
        for name in files:
            assert _flat(art["title"]) in flat[name]
        styles_differ += ("，" in pages[files[0]]) != ("，" in pages[files[1]])
    assert styles_differ >= 0.6 * len(dups)  # mostly another punctuation style


def test_duplicate_wording_changes():
    sentences, phrases = mc.load_pool(mc.DEFAULT_CORPUS)
    gen = mc.Generator(50, 3, sentences, phrases)

    def cjk(article) -> str:
        return "".join(
            re.findall(r"[\u4e00-\u9fff0-9A-Za-z]", "".join(t for _k, t in article.body))
        )

    ratios = []
    for _ in range(12):
        original = gen.new_article("吉林日报", date(2021, 5, 6), "article")
        copy = gen.variant(original)
        ratios.append(difflib.SequenceMatcher(None, cjk(original), cjk(copy), False).ratio())
    assert all(0.95 <= r < 0.995 for r in ratios), ratios
    assert 0.965 <= sum(ratios) / len(ratios) <= 0.985
