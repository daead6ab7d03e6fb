"""The served search's records (generator/search_records.py) and the Pagefind
bundle written from them (generator/pagefind.py).

* records are built from the exported articles, one per article;
* the bigram encoding: query and page cut the same way;
* the direct writer's index is the one Pagefind's public Python API
  (``PagefindIndex.add_custom_record``) writes for the same records: the same
  words, pages, positions, fragments and metadata; only the headline's
  weight differs (and Pagefind indexes metadata values as words too);
* the fallback, the Python API, is used when forced and when the bundle
  format is not the known one, and finds a word from the middle of an article.
"""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path

import pytest

from generator import export, pagefind
from generator import search_records as sr
from generator.hant import convert_text

needs_pagefind = pytest.mark.skipif(not pagefind.available(), reason="pagefind not installed")


# --- records ------------------------------------------------------------------------------

ARTICLE = {
    "url": "articles/2023/02/20230208-abcdef12.html",
    "title": "珲春综合保税区  开园",
    "kicker": "引题",
    "subtitle": "副题",
    "dateline": "本报珲春2月7日讯",
    "text": "第一段。\n\n第二段  有空格。",
    "byline": "吉林日报记者 张三",
    "paper": "吉林日报",
    "date": "2023-02-08",
    "page": "2",
    "section": "经济",
    "reporters": ["张三"],
    "photographers": ["李四", "王五"],
    "cities": ["珲春"],
    "tags": ["保税区", "开园"],
    "topics": ["对外开放"],
    "kind": "brief",
}


def test_a_record_holds_what_the_article_page_shows_in_its_order():
    rec = sr.record(ARTICLE)
    assert rec.url == ARTICLE["url"] and rec.title == ARTICLE["title"]
    assert (rec.date, rec.paper) == ("2023年2月8日", "吉林日报")
    assert rec.text == (
        "引题 副题 本报珲春2月7日讯 第一段。 第二段 有空格。 吉林日报记者 张三 "
        "吉林日报 2023年2月8日 2 经济 张三 李四、王五 珲春 保税区 开园 对外开放 简讯"
    )
    undated = sr.record(dict(ARTICLE, date=None, page=None, photographers=["张三"]))
    assert undated.date == "日期不详" and " 2 经济 " not in undated.text
    assert "李四" not in undated.text  # a caption's photographers are its reporters: shown once
    hant = sr.record(dict(ARTICLE, date=None), lambda s: convert_text(s, "s2t"))
    assert hant.date == "日期不詳" and hant.text.endswith(" 簡訊")


def test_records_are_read_from_the_editions_corpus_file(tmp_path):
    (tmp_path / "data").mkdir()
    lines = [json.dumps(dict(ARTICLE, url=f"articles/2023/02/{i}.html")) for i in range(3)]
    (tmp_path / "data" / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [r.url for r in sr.records(tmp_path)] == [f"articles/2023/02/{i}.html" for i in range(3)]
    assert sr.records(tmp_path, "s2t")[0].text.endswith("簡訊")
    assert (
        sr.skipped("tags/abc.md")
        and sr.skipped("index.md")
        and not sr.skipped("articles/2023/02/x.md")
    )


# --- the bigram encoding (Python side; the browser's copy: tests/test_scale.py) ---------------


def test_encode_and_query_string_agree():
    text = "记者从珲春综合保税区管理局了解到，2023年出口商用车621辆。"
    # Pagefind drops punctuation from the words it indexes ("，2023" → "2023")
    encoded = [w for w in (re.sub(r"[^\w]", "", t) for t in sr.encode(text).split()) if w]
    for term in ("珲春", "综合保税区", "保税", "出口商用车", "621辆", "2023年"):
        query = sr.query_string(term)
        tokens = query.strip('"').split()
        if query.startswith('"'):  # a phrase query is a contiguous run of the page's tokens
            assert any(encoded[i : i + len(tokens)] == tokens for i in range(len(encoded)))
        else:  # unordered: every token matches a page token by prefix
            assert all(any(e.startswith(t) for e in encoded) for t in tokens), (term, query)
    assert sr.decode(sr.encode(text)) == text
    assert sr.tokens(text + "\u200b") == sr.encode(text).split()


def test_query_string_shapes():
    assert sr.query_string("珲春") == "珲春"
    assert sr.query_string("春") == "春"
    assert sr.query_string("对接合作") == '"对接 接合 合作"'
    assert sr.query_string("2023年") == "2023 年"  # 年 may go on (年形成): prefix


# --- the bundle: direct writer against Pagefind's own -------------------------------------


def decoded(bundle: Path) -> tuple[dict, dict, dict, list]:
    """A bundle as data: word → (sorted [(URL, ((position, weight), …), meta locs)],
    sorted [(form, pages)]), URL → word count, URL → fragment, metadata fields."""
    _entry, meta = pagefind.read_bundle(bundle)
    fragments = [
        json.loads(pagefind._unpack((bundle / "fragment" / f"{h}.pf_fragment").read_bytes()))
        for h, _ in meta[1]
    ]
    urls = [f["url"] for f in fragments]

    def resolved(pages: list) -> list:
        number, out = 0, []
        for gap, locs, meta_locs in pages:
            number += gap
            out.append((urls[number], tuple(sorted(pagefind.located(locs))), tuple(meta_locs)))
        return sorted(out)

    words: dict[str, tuple] = {}
    chunks = meta[2]
    assert [c[:2] for c in chunks] == sorted(c[:2] for c in chunks)
    assert all(a[1] < b[0] for a, b in pairwise(chunks))
    for lo, hi, name in chunks:
        for word, pages, variants in pagefind.chunk_words(bundle, name):
            assert word not in words and lo <= word[: len(lo)] and word[: len(hi)] <= hi
            words[word] = (resolved(pages), sorted((f, resolved(p)) for f, p in variants))
    counts = {u: n for u, (_h, n) in zip(urls, meta[1], strict=True)}
    return words, counts, {f["url"]: f for f in fragments}, meta[5]


def without_meta(words: dict) -> dict:
    """Pagefind's words with the metadata locations (and metadata-only words) left out."""
    out = {}
    for word, (pages, variants) in words.items():
        pages = [(u, locs, ()) for u, locs, _ in pages if locs]
        variants = [(f, [(u, ls, ()) for u, ls, _ in p if ls]) for f, p in variants]
        variants = [(f, p) for f, p in variants if p]
        if pages or variants:
            out[word] = (pages, variants)
    return out


def assert_same_index(written: Path, reference: Path, recs: list[sr.Record]) -> dict:
    """``written`` (the direct writer) holds what ``reference`` (the API) holds."""
    got, counts, fragments, fields = decoded(written)
    want, want_counts, want_fragments, want_fields = decoded(reference)
    assert counts == want_counts and fragments == want_fragments and fields == want_fields
    want = without_meta(want)
    assert got.keys() == want.keys()
    heads = {"/" + r.url: len(sr.tokens(r.title)) for r in recs}  # headline positions
    for word, (pages, variants) in want.items():
        mine = got[word]
        for (url, locs, _), (url2, locs2, _) in zip(
            pages + [p for _f, ps in variants for p in ps],
            mine[0] + [p for _f, ps in mine[1] for p in ps],
            strict=True,
        ):
            assert url == url2 and [p for p, _ in locs] == [p for p, _ in locs2], word
            for (position, weight), (_, mine_weight) in zip(locs, locs2, strict=True):
                if position < heads[url]:  # HEADLINE times heavier (parts: divided as Pagefind)
                    assert abs(mine_weight / pagefind.HEADLINE - weight) < 1, (word, url)
                else:
                    assert mine_weight == weight, (word, url, position)
        assert [f for f, _ in variants] == [f for f, _ in mine[1]], word
    return got


@pytest.fixture(scope="module")
def editions(archive, tmp_path_factory):
    """Both editions' docs folders, holding only the exported corpus (what records read)."""
    root = tmp_path_factory.mktemp("editions")
    out = {}
    for name, convert in (("docs", None), ("docs-hant", lambda s: convert_text(s, "s2t"))):
        (root / name / "data").mkdir(parents=True)
        text = export.jsonl(archive.articles, convert)
        (root / name / "data" / "corpus.jsonl").write_text(text, encoding="utf-8")
        out[name] = root / name
    return out


@needs_pagefind
@pytest.mark.parametrize("name", ["docs", "docs-hant"])
def test_written_index_equals_pagefinds(editions, name, tmp_path):
    """Every word, page, position, fragment and metadata field as the API writes them."""
    recs = sr.records(editions[name], "s2t" if name == "docs-hant" else None)
    pagefind.write_bundle(recs, tmp_path / "written", tmp_path)
    pagefind.write_with_api(recs, tmp_path / "api")
    words = assert_same_index(tmp_path / "written", tmp_path / "api", recs)
    assert len(words) > 5000 and any(w.isascii() for w in words)
    assert ("琿春" if name == "docs-hant" else "珲春") in words


TRICKY = [
    # compound tokens: Pagefind indexes the whole and its parts, the parts lighter
    sr.Record("a.html", "（sitemap.xml）与GDP增长5.2%", "增速10.5%。同比-3.1个百分点", "2023年1月"),
    sr.Record(
        "b.html", "Ａ股ｐａｇｅ　全角", "e-mail: news@jlnews.cn；C++ 2023—2024年", paper="报"
    ),
    # compatibility ideographs, an extension-B character, Latin with diacritics, emoji
    sr.Record("c.html", "Café", "豈更車 𠀋吉 Café naïve ①② №5 ＃标签 _下划_线_ 👍好 iPhone15"),
    sr.Record("d.html", "只有标题", ""),
]


@needs_pagefind
def test_written_index_equals_pagefinds_on_tricky_tokens(tmp_path):
    """Digits, Latin, punctuation, full-width and compatibility forms, accents, empty text."""
    pagefind.write_bundle(TRICKY, tmp_path / "written", tmp_path)
    pagefind.write_with_api(TRICKY, tmp_path / "api")
    words = assert_same_index(tmp_path / "written", tmp_path / "api", TRICKY)
    assert {"（sitemap", "52", "gdp", "长", "cafe", "豈更", "👍"} <= words.keys()
    assert words["cafe"][1], "café is a variant of cafe"


def _finds_mid_article_word(bundle: Path, recs: list[sr.Record]) -> None:
    """The bundle finds a bigram from the middle of an article's body on that article."""
    words, counts, fragments, _ = decoded(bundle)
    assert len(counts) == len(recs)
    rec = max(recs, key=lambda r: len(r.text))
    middle = sr.tokens(rec.text)[len(sr.tokens(rec.text)) // 2 :]
    word = next(t for t in middle if len(t) == 2 and sr.HAN.fullmatch(t))
    assert "/" + rec.url in {u for u, _locs, _m in words[word][0]}, word
    assert fragments["/" + rec.url]["meta"]["title"] == rec.title


@needs_pagefind
def test_the_api_writer_when_chosen(editions, tmp_path):
    """``pagefind_writer: pagefind``: Pagefind's Python API indexes the records."""
    count = pagefind.index_edition(editions["docs"], tmp_path / "b", writer="pagefind")
    recs = sr.records(editions["docs"])
    assert count == len(recs)
    assert not (tmp_path / "b" / "pagefind-ui.js").exists()  # the stock UIs are removed
    _finds_mid_article_word(tmp_path / "b", recs)


@needs_pagefind
def test_an_unknown_format_falls_back_to_the_api(editions, tmp_path, monkeypatch, capsys):
    """A Pagefind whose bundle is not the known format: not guessed, the API indexes."""
    with monkeypatch.context() as m:
        m.setattr(pagefind, "FORMAT", "0.9.")
        m.setattr(pagefind, "_postings", None)  # the direct writer must not get that far
        pagefind.index_edition(editions["docs"], tmp_path / "b", workdir=tmp_path)
    assert "Pagefind indexes the records itself" in capsys.readouterr().err
    assert not list(tmp_path.glob(".pagefind-src-*"))  # the probe's scratch folder is gone
    _finds_mid_article_word(tmp_path / "b", sr.records(editions["docs"]))
