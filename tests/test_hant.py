"""The Traditional edition: OpenCC conversion, overrides, same ids, Traditional input."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import opencc
import pytest

from generator.hant import convert_page, convert_text, mirror, overrides, variants_js
from generator.model import article_path
from generator.render import render_archive
from generator.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def editions(archive):
    settings = load_settings(ROOT)
    hans = render_archive(archive.articles, archive.pages, settings)
    return settings, hans, mirror(hans, settings, archive.articles)


def page_parts(markdown: str) -> tuple[str, list[str]]:
    """The title (front matter) and body paragraphs of a rendered article page."""
    title = json.loads(re.search(r"^title: (.*)$", markdown, re.M).group(1))
    body = re.search(r'<div class="archive-body" markdown="0">(.*?)</div>', markdown, re.S).group(1)
    paras = re.findall(r"<(?:p|h2)(?: class=\"archive-section\")?>(.*?)</(?:p|h2)>", body)
    return html.unescape(title), [html.unescape(p) for p in paras]


def test_every_article_title_and_body_equal_official_opencc(archive, editions) -> None:
    """Whole bundled corpus: Traditional page == OpenCC(Simplified page), apart from overrides."""
    settings, hans, hant = editions
    plain = opencc.OpenCC(settings.opencc)
    override_pairs = overrides(settings.opencc)
    checked = overridden = 0
    for a in archive.articles:
        path = article_path(a)
        s_title, s_body = page_parts(hans[path])
        t_title, t_body = page_parts(hant[path])
        assert s_title == a.title
        assert t_title == convert_text(s_title, settings.opencc)
        assert len(t_body) == len(s_body)
        for s, t in zip(s_body, t_body, strict=True):
            expected = plain.convert(s)
            if t != expected:
                # the only allowed difference: a documented override
                assert any(simp in s for simp, _ in override_pairs), (s, t)
                assert t == convert_text(s, settings.opencc)
                overridden += 1
            checked += 1
        assert t_title == plain.convert(s_title) or any(
            simp in s_title for simp, _ in override_pairs
        )
    assert checked > 200
    print(
        f"hant: {len(archive.articles)} articles, {checked} paragraphs equal OpenCC, {overridden} via overrides"
    )


def test_paths_and_ids_are_the_same_in_both_editions(editions) -> None:
    _, hans, hant = editions
    assert set(hans) <= set(hant)
    s_ids = [json.loads(line)["id"] for line in hans["data/corpus.jsonl"].splitlines()]
    t_rows = [json.loads(line) for line in hant["data/corpus.jsonl"].splitlines()]
    assert s_ids == [r["id"] for r in t_rows]
    s_rows = [json.loads(line) for line in hans["data/corpus.jsonl"].splitlines()]
    for s, t in zip(s_rows, t_rows, strict=True):
        assert (s["url"], s["date"], s["sources"], s["corrections"]) == (
            t["url"],
            t["date"],
            t["sources"],
            t["corrections"],
        )
        assert t["title"] == convert_text(s["title"])


def test_reader_facing_text_is_converted_everywhere(editions) -> None:
    _, hans, hant = editions
    assert "吉林報紙" in hant["index.md"] or "最新文章" not in hant["index.md"]
    assert "最新文章" in hans["index.md"] and "最新文章" in hant["index.md"]  # same in both scripts
    assert "來源與校勘" in next(v for k, v in hant.items() if k.startswith("articles/"))
    assert "標籤" in hant["tags/index.md"]
    assert "城市" in hant["cities/index.md"] and "長春" in hant["cities/index.md"]


def test_source_pages_keep_the_raw_text_as_printed(editions) -> None:
    _, hans, hant = editions
    for path in (p for p in hans if p.startswith("sources/")):
        assert hant[path] == hans[path]


@pytest.mark.parametrize(("simplified", "traditional"), overrides("s2t"))
def test_each_override_is_needed_and_applied(simplified: str, traditional: str) -> None:
    assert opencc.OpenCC("s2t").convert(simplified) != traditional  # OpenCC alone gets it wrong
    assert (
        convert_text(f"推动{simplified}发展", "s2t")
        == opencc.OpenCC("s2t").convert("推动") + traditional + "發展"
    )


def test_pages_converted_line_by_line_equal_whole_pages(editions) -> None:
    """``convert_page`` (list lines converted once) gives what one OpenCC call gives."""
    _, hans, _ = editions
    pages = [t for p, t in sorted(hans.items()) if p.endswith(".md") and "\n- [" in t]
    assert len(pages) > 50
    for text in pages:
        assert convert_page(text) == convert_text(text)
    simplified, _ = overrides("s2t")[0]  # an override inside a list line and outside it
    page = f"# 发展\n\n- [{simplified}发展](a.md)\n{simplified}\n- [{simplified}发展](a.md)\n"
    assert convert_page(page) == convert_text(page)


def test_fields_converted_together_equal_each_converted_alone(archive) -> None:
    """``convert_many`` (a record's fields in one OpenCC call) gives each field's own conversion."""
    from generator.export import record
    from generator.hant import convert_many

    simplified, _ = overrides("s2t")[0]
    for a in archive.articles:
        fields: list[str] = []
        record(a, lambda text, seen=fields: seen.append(text) or text)
        fields += [
            simplified,
            f"{simplified}发展",
            "",
            "两行\n文字",
            "后",
        ]  # override, empty, a line break
        assert convert_many(fields) == {t: convert_text(t) for t in fields}
    assert convert_many([]) == {}


def test_official_opencc_handles_jilin_place_names() -> None:
    """The reason for the official binding: the pure-Python port misconverts these."""
    assert convert_text("扶余") == "扶餘"
    assert convert_text("松原") == "松原"
    assert convert_text("东丰、丰满") == "東豐、豐滿"
    assert convert_text("长春、珲春、公主岭") == "長春、琿春、公主嶺"


def test_variant_map_lets_simplified_queries_find_traditional_words(editions) -> None:
    _, _, hant = editions
    js = hant["assets/javascripts/variants.js"]
    mapping = json.loads(js.removeprefix("window.__archiveVariants = ").rstrip(";\n"))
    assert mapping["长"] == "長" and "春" not in mapping  # 春 is the same in both scripts
    query = "".join(mapping.get(ch, ch) for ch in "长春对接合作")
    assert query == convert_text("长春对接合作")
    assert variants_js({"a.md": "長春"}) == 'window.__archiveVariants = {"长":"長"};\n'


def test_traditional_raw_input_is_recognised_and_noted(tmp_path: Path) -> None:
    from generator.pipeline import process
    from generator.progress import Progress

    text = "長春市推進對接合作\n\n本報訊（記者王長春）長春市與各市州對接合作項目取得新進展，總投資達到三百億元，發展勢頭良好。"
    (tmp_path / "hant.txt").write_bytes(text.encode("big5"))  # a Big5 file in Traditional script
    archive = process(tmp_path, Progress(quiet=True), workers=1)
    (a,) = archive.articles
    assert a.script == "hant"
    assert a.title == "长春市推进对接合作"  # processed in Simplified
    assert "长春" in a.cities
    assert any("Traditional" in p.message for p in archive.problems)
    settings = load_settings(ROOT)
    files = render_archive(archive.articles, archive.pages, settings)
    assert "原文为繁体字" in files[article_path(a)]


def test_variant_character_class_equals_converting_each_character_alone() -> None:
    """``_variant_chars`` (one OpenCC call, a character per line) = one call per character."""
    from generator import hant

    t2s = opencc.OpenCC("t2s")
    pattern = hant._variant_chars()
    chars = [chr(cp) for cp in range(0x3400, 0xA000)]
    assert [c for c in chars if pattern.fullmatch(c)] == [c for c in chars if t2s.convert(c) != c]
    assert hant._variant_counts("長春長春，发展發展") == {"長": 2, "發": 1}
