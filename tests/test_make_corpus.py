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
    # one convention per issue (a coin each): at N = 200 the count follows a
    # few dozen draws (seeds 6-17 of version 4: 36-115 datelines; seed 1:
    # 24 datelines, 131 end bylines)
    assert 0.1 * N <= datelines <= 0.6 * N
    assert 0.3 * N <= end_bylines <= 0.7 * N
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
    down = len(re.findall(r"[(（]下转(?:第|A\d)", text))
    up = len(re.findall(r"[(（]上接(?:第|A\d)", text))
    assert down == up == counts["jumps"]
    assert 0.02 * N <= counts["jumps"] <= 0.045 * N
    for art in manifest["articles"]:
        roles = {p["role"]: p["file"] for p in art["placed"]}
        if "jump_head" not in roles:
            continue
        head, tail = roles["jump_head"], roles["jump_tail"]
        assert head < tail
        assert re.search(r"[(（]下转(?:第|A\d)", pages[head])
        assert re.search(r"[(（]上接(?:第|A\d)", pages[tail])
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


# --------------------------------------------------------------------------- layout classes
# These check the generator and the scorer, never the splitter: the corpus must
# plant every layout class of issue 16 with a ground truth that matches the page
# text, and bench/truth.py must score a perfect extraction as perfect.

TRUTH = ROOT / "bench" / "truth.py"
V2_COMMIT = "ad336bd"  # the last commit with version 2 of make_corpus.py


def _load_truth():
    spec = importlib.util.spec_from_file_location("bench_truth", TRUTH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


truth = _load_truth()


def _lines(pages: dict[str, str], file: str) -> list[str]:
    return pages[file].split("\n")


def _placements(manifest: dict, layout: str | None = None):
    """(article, placement) pairs, of articles that show ``layout`` when given."""
    for art in manifest["articles"]:
        if layout is None or layout in art["layouts"]:
            for placed in art["placed"]:
                yield art, placed


def _by_file(manifest: dict) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for _art, placed in _placements(manifest):
        spans.setdefault(placed["file"], []).append(tuple(placed["lines"]))
    return {f: sorted(v) for f, v in spans.items()}


def _next_line(lines: list[str], last: int) -> int | None:
    """1-based number of the first non-empty line after line ``last``."""
    for n in range(last + 1, len(lines) + 1):
        if lines[n - 1].strip():
            return n
    return None


def _unflat(text: str) -> str:
    """Headline text without Markdown marks, spaces and punctuation style."""
    return _flat(re.sub(r"^#+ ", "", text.strip()))


def test_every_layout_class_is_planted(corpus):
    _outdir, manifest, _pages_ = corpus
    counts = manifest["counts"]
    assert manifest["version"] == mc.VERSION >= 3
    assert manifest["layouts"] == list(mc.LAYOUTS)
    for layout in mc.LAYOUTS:
        assert counts["layouts"][layout] >= 2, layout
    for layout in mc.NEW_LAYOUTS:
        assert counts["pages_with_layout"][layout] >= 1, layout
    # a meaningful share of pages and articles, the bundled layouts still most
    assert 0.3 <= counts["pages_with_new_layout"] / counts["files"] <= 0.7
    classic_only = sum(1 for a in manifest["articles"] if a["layouts"] == ["classic"])
    assert 0.5 * N <= classic_only <= 0.9 * N  # seed 1, version 4: 110
    pages_by_file = {pg["file"]: pg for pg in manifest["pages"]}
    assert set(pages_by_file) == {f"p{i:06d}.txt" for i in range(counts["files"])}
    for art, placed in _placements(manifest):
        if "glued_dup" in art["layouts"] and "layout" not in placed:
            continue  # the first copy of a glued duplicate: an article like any other
        shown = placed.get("layout") or art["layouts"][0]
        if shown != "classic":
            assert shown in pages_by_file[placed["file"]]["layouts"], (art["id"], shown)


def test_truth_lines_match_the_pages(corpus):
    _outdir, manifest, pages = corpus
    for file, spans in _by_file(manifest).items():
        lines = _lines(pages, file)
        for (a, b), (c, _d) in zip(spans, spans[1:], strict=False):
            assert b < c, (file, a, b, c)  # placements never overlap
        for a, b in spans:
            assert 1 <= a <= b <= len(lines)
            assert lines[a - 1].strip() and lines[b - 1].strip()
    for art, placed in _placements(manifest):
        lines = _lines(pages, placed["file"])
        first = lines[placed["lines"][0] - 1]
        if art["title"] and placed["role"] != "jump_tail":
            assert _unflat(first) == _flat(art["title"]), (art["id"], first)
        elif art["title"]:
            assert _flat(art["title"]) in _flat(first) or first.lstrip("(（").startswith("上接")


def test_dateline_open_articles(corpus):
    _outdir, manifest, pages = corpus
    seen = 0
    forms = set()
    for art, placed in _placements(manifest, "dateline_open"):
        if placed["role"] != "full" or not art["dateline"]:
            continue
        lines = _lines(pages, placed["file"])
        a, b = placed["lines"]
        body = "\n".join(lines[a:b])
        assert _flat(art["dateline"]) in _flat(body), art["id"]
        for name in art["reporters"]:
            assert name in art["dateline"]
        assert not END_BYLINE_RE.search(lines[b - 1])  # no closing byline
        forms.add(re.sub(r"[\d月日]|（.*", "", art["dateline"])[:4])
        nxt = _next_line(lines, b)
        banners = (*mc.PHOTO_BANNERS, *mc.BRIEF_BANNERS)
        if nxt is not None and re.sub(r"^#+ ", "", lines[nxt - 1]) in banners:
            nxt = _next_line(lines, nxt)  # a column's banner, then its first item
        if nxt is not None:  # the next article's headline follows directly
            starts = {p[0] for p in _by_file(manifest)[placed["file"]]}
            assert nxt in starts
        seen += 1
    assert seen >= 2
    assert len(forms) >= 2  # 本报讯, 新华社…电, 光明日报…电, 中新网…电


def test_bare_articles(corpus):
    _outdir, manifest, pages = corpus
    seen = 0
    for art, placed in _placements(manifest, "bare"):
        lines = _lines(pages, placed["file"])
        a, b = placed["lines"]
        text = "\n".join(lines[a - 1 : b])
        assert art["reporters"] == [] and art["byline_style"] == "none"
        assert not DATELINE_RE.search(text) and not END_BYLINE_RE.search(text)
        last = lines[b - 1].strip()
        assert not mc._BYLINE_LINE_RE.match(last) and not mc._BYLINE_TAIL_RE.search(last)
        seen += 1
    assert seen >= 2


def test_page_furniture(corpus):
    _outdir, manifest, pages = corpus
    furnished = [pg for pg in manifest["pages"] if pg["furniture"]]
    assert furnished
    kinds = set()
    for pg in furnished:
        lines = _lines(pages, pg["file"])
        spans = _by_file(manifest)[pg["file"]]
        for f in pg["furniture"]:
            assert lines[f["line"] - 1] == f["text"]
            assert not any(a <= f["line"] <= b for a, b in spans)  # never inside an article
            kinds.add(f["kind"])
            if f["kind"] == "header":
                assert pg["page"] in f["text"].replace("第", "").replace("版", "")
                assert re.search("责任编辑|责编", f["text"])
            if f["kind"] == "date":
                d = date.fromisoformat(pg["date"])
                assert f["text"] == (
                    f"{d.year}年{d.month}月{d.day}日 星期{'一二三四五六日'[d.weekday()]}"
                )
            if f["kind"] == "page_number":
                assert f["text"] == pg["page"] and f["line"] > max(b for _a, b in spans)
        assert pg["printed"]["page"] in (None, pg["page"])
        assert pg["printed"]["paper"] in (None, pg["paper"])
        assert pg["printed"]["date"] in (None, pg["date"])
    assert {"header", "date"} <= kinds


def test_briefs_columns(corpus):
    _outdir, manifest, pages = corpus
    items = list(_placements(manifest, "briefs"))
    assert len(items) >= 3
    colon = 0
    for art, placed in items:
        lines = _lines(pages, placed["file"])
        a, b = placed["lines"]
        assert len(_flat(art["title"])) <= 16
        text = "\n".join(lines[a - 1 : b])
        if art["byline_style"] == "colon":
            assert re.search(r"^记者 ?[:：]" + art["reporters"][0] + "$", lines[b - 1])
            colon += 1
        elif art["byline_style"] == "inline":
            assert f"记者 {art['reporters'][0]}" in text
        else:
            last = lines[b - 1].strip()  # prose may say 告诉记者; no byline
            assert art["reporters"] == [] and not mc._BYLINE_LINE_RE.match(last)
            assert not mc._BYLINE_TAIL_RE.search(last) and not re.search("记者 ?[:：]", last)
    assert colon
    # every column opens with a banner line right above its first item
    firsts = 0
    for _art, placed in items:
        lines = _lines(pages, placed["file"])
        above = [x for x in lines[: placed["lines"][0] - 1] if x.strip()]
        if above and re.sub(r"^#+ ", "", above[-1]) in mc.BRIEF_BANNERS:
            firsts += 1
    assert firsts >= 1


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A corpus large enough for the rarer forms of a class (≈ 2 s)."""
    outdir = tmp_path_factory.mktemp("bench") / "large"
    manifest = mc.make_corpus(600, outdir, seed=2)
    return outdir, manifest, _pages(outdir)


@pytest.mark.parametrize("which", ["corpus", "large"])
def test_photo_captions(which, request):
    _outdir, manifest, pages = request.getfixturevalue(which)
    seen = titled = banners = 0
    for art, placed in _placements(manifest, "caption"):
        if art["kind"] != "photo_caption":
            continue  # the open article a caption sits under
        lines = _lines(pages, placed["file"])
        a, b = placed["lines"]
        assert art["reporters"] == [] and art["photographers"]
        assert lines[b - 1].rstrip().endswith("摄")
        for name in art["photographers"]:
            assert name in lines[b - 1]
        above = lines[: a - 1]
        if re.sub(r"^#+ ", "", lines[a - 3]) in mc.PHOTO_BANNERS:
            banners += 1
            above = above[:-2]  # the banner and the blank line under it
        assert above[-2:] == ["", ""]  # two blank lines or more above
        titled += art["title"] is not None
        seen += 1
    assert seen >= 2
    if which == "large":  # a headline of its own, a 图片新闻 banner above
        assert titled and banners


def test_qa_interviews(corpus):
    _outdir, manifest, pages = corpus
    seen = 0
    for art, placed in _placements(manifest, "qa"):
        lines = _lines(pages, placed["file"])
        a, b = placed["lines"]
        assert re.search("答(?:本报)?记者问", art["title"])
        questions = [x for x in lines[a - 1 : b] if re.match(r"记者[:：]", x)]
        answers = [x for x in lines[a - 1 : b] if re.match(r"(?:答|[\u4e00-\u9fff]{2,3})[:：]", x)]
        assert len(questions) >= 3
        assert len(answers) >= 2 * len(questions)  # 记者： lines match the pattern too
        seen += 1
    assert seen >= 2


def test_features_with_section_heads(corpus):
    _outdir, manifest, pages = corpus
    seen = 0
    for art, placed in _placements(manifest, "feature"):
        lines = _lines(pages, placed["file"])
        a, b = placed["lines"]
        heads = [
            x
            for x in lines[a : b - 1]
            if x.strip()
            and len(re.sub(r"^#+ ", "", x)) <= 26
            and not re.search(r"[。！？”)）]$", x)
        ]
        assert len(heads) >= 2, art["id"]
        seen += 1
    assert seen >= 2


def test_mid_page_jumps(corpus):
    _outdir, manifest, pages = corpus
    seen = 0
    page_label = {pg["file"]: pg["page"] for pg in manifest["pages"]}
    for art, placed in _placements(manifest, "jump_mid"):
        lines = _lines(pages, placed["file"])
        a, b = placed["lines"]
        spans = _by_file(manifest)[placed["file"]]
        if placed["role"] == "jump_head":
            tail = next(p for p in art["placed"] if p["role"] == "jump_tail")
            assert spans[0][0] < a and b < spans[-1][1]  # articles above and below it
            m = re.search(r"[(（]下转第?(A?\d+)版[)）]$", lines[b - 1])
            assert m and m.group(1) == page_label[tail["file"]]
            seen += 1
        else:
            head = next(p for p in art["placed"] if p["role"] == "jump_head")
            text = "\n".join(lines[a - 1 : b])
            m = re.search(r"[(（]上接第?(A?\d+)版[)）]", text)
            assert m and m.group(1) == page_label[head["file"]]
    assert seen >= 2


def test_glued_duplicates(corpus):
    _outdir, manifest, pages = corpus
    seen = 0
    for art, placed in _placements(manifest):
        if placed.get("layout") != "glued_dup":
            continue
        assert placed["role"] == "duplicate" and "glued_dup" in art["layouts"]
        lines = _lines(pages, placed["file"])
        a, _b = placed["lines"]
        assert lines[a - 2].strip()  # no blank line between it and the article above
        assert not lines[a - 1].startswith("#")  # its headline is a plain line
        seen += 1
    assert seen >= 2


def test_classic_only_writes_version_2_pages(tmp_path):
    """``layouts=("classic",)`` writes the page files version 2 wrote, byte for byte."""
    try:
        old = subprocess.run(
            ["git", "show", f"{V2_COMMIT}:bench/make_corpus.py"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("version 2 of make_corpus.py is not in this checkout's history")
    # the old script finds the gazetteer and the sample pages next to its folder
    (tmp_path / "bench").mkdir()
    (tmp_path / "generator").symlink_to(ROOT / "generator")
    (tmp_path / "corpus").symlink_to(ROOT / "corpus")
    script = tmp_path / "bench" / "make_corpus_v2.py"
    script.write_bytes(old)
    spec = importlib.util.spec_from_file_location("bench_make_corpus_v2", script)
    v2 = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = v2
    spec.loader.exec_module(v2)
    v2.make_corpus(90, tmp_path / "v2", seed=4)
    mc.make_corpus(90, tmp_path / "v3", seed=4, layouts=("classic",))
    a = {k: v for k, v in _snapshot(tmp_path / "v2").items() if k != "MANIFEST.json"}
    b = {k: v for k, v in _snapshot(tmp_path / "v3").items() if k != "MANIFEST.json"}
    assert a == b
    manifest = json.loads((tmp_path / "v3" / "MANIFEST.json").read_text(encoding="utf-8"))
    assert all(a["layouts"] == ["classic"] for a in manifest["articles"])
    assert not any(pg["furniture"] for pg in manifest["pages"])


def test_unknown_layout_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown layout"):
        mc.make_corpus(10, tmp_path, layouts=("classic", "sidebar"))


def _perfect_units(manifest: dict) -> list:
    """What a perfect pipeline would export: one unit per planted article."""
    units = []
    page_of = {pg["file"]: pg for pg in manifest["pages"]}
    for art in manifest["articles"]:
        papers = truth.expected_papers(art, page_of)
        meta = {
            "paper": art["paper"] if art["paper"] in papers else next(iter(papers)),
            "page": None,
            "date": art["date"] or art["issue_date"],
            "reporters": truth.expected_reporters(art),
            "photographers": truth.expected_photographers(art),
        }
        page = next(pg for pg in manifest["pages"] if pg["file"] == art["placed"][0]["file"])
        meta["page"] = page["page"]
        sources = [(p["file"], *p["lines"]) for p in art["placed"]]
        units.append(truth.Unit(art["title"] or "", sources, meta=meta))
    return units


def test_truth_scores_a_perfect_extraction_as_perfect(corpus):
    outdir, manifest, _pages_ = corpus
    _m, placements = truth.load_truth(outdir)
    units = _perfect_units(manifest)
    res = truth.score_merge(units, placements)
    assert res["recovered"] == res["title_ok"] == res["planted"] == N
    assert res["dup_merged"] == res["duplicates"] and res["jumps_joined"] == res["jumps"]
    assert res["spurious"] == 0
    classes = truth.score_classes(manifest, placements, units, res)
    assert set(classes) == set(mc.LAYOUTS)
    for name, st in classes.items():
        assert st["planted"] >= 1, name
        assert st["recovered"] == st["exact"] == st["planted"], name
        assert st["reporters_ok"] == st["paper_ok"] == st["date_ok"] == st["planted"], name
        assert st.get("year_wrong", 0) == 0
    assert classes["caption"]["photographers_ok"] == classes["caption"]["captions"] > 0
    assert classes["caption"]["credit_as_reporters"] == 0
    assert classes["jump_mid"]["jumps_joined"] == classes["jump_mid"]["jumps"] > 0
    assert classes["glued_dup"]["dups_joined"] == classes["glued_dup"]["dups"] > 0
    furniture = classes["furniture"]
    assert furniture["furniture_lines"] > 0
    assert furniture["furniture_in_output"] == furniture["furniture_as_title"] == 0
    table = "\n".join(truth.class_table(classes))
    for name in mc.LAYOUTS:
        assert name in table


def test_truth_sees_the_failures_of_issue_16(corpus):
    """Fused neighbours, a credit taken as reporters, furniture as an article."""
    outdir, manifest, _pages_ = corpus
    _m, placements = truth.load_truth(outdir)
    units = _perfect_units(manifest)
    arts = {a["id"]: a for a in manifest["articles"]}
    # an open article swallows the next one on its page
    victim = next(
        a for a in manifest["articles"] if "dateline_open" in a["layouts"] and len(a["placed"]) == 1
    )
    file, a, b = victim["placed"][0]["file"], *victim["placed"][0]["lines"]
    nxt = min(
        (u for u in units if u.sources[0][0] == file and u.sources[0][1] > b),
        key=lambda u: u.sources[0][1],
    )
    units[victim["id"]].sources = [(file, a, nxt.sources[0][2])]
    units.remove(nxt)
    # a caption's credit becomes the reporters of the article above it
    cap = next(a for a in manifest["articles"] if a["layouts"] == ["caption"])
    cfile, cfirst = cap["placed"][0]["file"], cap["placed"][0]["lines"][0]
    above = max(
        (u for u in units if u.sources[0][0] == cfile and u.sources[0][2] < cfirst),
        key=lambda u: u.sources[0][2],
    )
    above.meta["reporters"] = list(arts[cap["id"]]["photographers"])
    # a page header line becomes an article of its own
    pg = next(p for p in manifest["pages"] if p["furniture"])
    f = pg["furniture"][0]
    units.append(truth.Unit(f["text"], [(pg["file"], f["line"], f["line"])], meta={}))
    res = truth.score_merge(units, placements)
    classes = truth.score_classes(manifest, placements, units, res)
    assert res["recovered"] <= N - 2
    assert classes["dateline_open"]["recovered"] < classes["dateline_open"]["planted"]
    assert classes["caption"]["credit_as_reporters"] == 1
    assert classes["furniture"]["furniture_as_title"] == 1
    assert classes["furniture"]["furniture_in_spurious"] == 1
    assert res["spurious"] == 1


def test_truth_expectations_follow_the_evidence():
    """Paper and date a right answer may give, from what the page prints."""
    bare_page = {"meta_file": False, "printed": {}, "date": "2023-02-08"}
    sidecar = {"meta_file": True, "printed": {}, "date": "2023-02-08"}
    pages = {"a.txt": bare_page, "b.txt": sidecar}
    art = {
        "paper": "吉林日报",
        "dateline": None,
        "credit": None,
        "date": "2023-02-07",
        "date_form": "md",
        "issue_date": "2023-02-08",
        "placed": [{"file": "a.txt", "byline_style": "dateline"}],
    }
    assert truth.expected_papers(art, pages) == {"吉林日报", None}
    assert truth.expected_dates(art, pages) == {"2023-02-07", "2023-02-08", None}
    on_b = dict(art, placed=[{"file": "b.txt", "byline_style": "dateline"}])
    assert truth.expected_papers(on_b, pages) == {"吉林日报"}
    assert truth.expected_dates(on_b, pages) == {"2023-02-07", "2023-02-08"}
    signed = dict(art, placed=[{"file": "a.txt", "byline_style": "end"}])
    assert truth.expected_papers(signed, pages) == {"吉林日报"}  # 吉林日报记者 X
    gm = dict(on_b, dateline="光明日报长春2月7日电")
    assert truth.expected_papers(gm, pages) == {"光明日报"}
    xinhua = dict(on_b, dateline="新华社长春2月7日电（记者 王伟）")
    assert truth.expected_papers(xinhua, pages) == {"吉林日报", "新华社"}
    caption = dict(on_b, kind="photo_caption", reporters=[], photographers=["王伟"])
    assert truth.expected_reporters(caption) == []
    assert truth.expected_photographers(caption) == ["王伟"]


def test_articles_keep_to_their_subject(corpus):
    """Version 4: an article's halves share more words than it shares with the
    next article on its page (TF-IDF cosine of character pairs, as the
    splitter's subject-change cue weighs them), on average and at a headline."""
    outdir, manifest, _pages_ = corpus
    sims = truth.subject_similarity(outdir, manifest)
    assert sims["within"]["n"] >= N // 2 and sims["between"]["n"] >= N // 2
    assert sims["within"]["mean"] > 1.5 * sims["between"]["mean"]
    assert sims["within_at_headline"]["mean"] > 2 * sims["between_at_headline"]["mean"]
    assert sims["within"]["p50"] > sims["between"]["p50"]


def test_an_article_keeps_its_places():
    """Place names swapped into an article are its city's and its prefecture's."""
    gen = mc.Generator(60, 3, *mc.load_pool(mc.DEFAULT_CORPUS))
    gen.build()
    tags: dict[str, set[str]] = {}
    for toks in gen.pool.tokens:
        for w, f in toks:
            tags.setdefault(w, set()).add(f)
    checked = 0
    for art in gen.articles:
        if art.topic is None:
            continue
        assert art.topic.places[0] == mc.CITIES[art.city]
        places = {
            new for old, new in art.topic.words.items() if tags.get(old) == {"ns"} and new != old
        }
        assert places <= set(art.topic.places)
        checked += bool(places)
    assert checked >= 10
    # version 2 mode (--layouts classic) has no topics
    v2 = mc.Generator(20, 3, *mc.load_pool(mc.DEFAULT_CORPUS), layouts=("classic",))
    v2.build()
    assert all(a.topic is None for a in v2.articles)
