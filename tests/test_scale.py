"""Scale features on the bundled corpus (no timing assertions: see bench/run.py).

* the offline edition's search index holds summaries above
  ``extra.archive.offline_full_text_limit`` articles, and says so;
* the served edition's Pagefind search finds 对接合作, 珲春 and 乡村振兴
  (every page that contains them), in both editions and below a sub-path;
* generation is incremental: an unchanged corpus writes nothing, and one
  changed raw file rewrites only the files whose content changed.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from sitebuild import CHROMIUM, built_site, copy_project, run_generator, serve  # noqa: F401

from generator import pagefind
from generator import search_records as sr

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
QUERIES = ("对接合作", "珲春", "乡村振兴")


# --- offline: summaries above the threshold -------------------------------------------


@pytest.fixture(scope="module")
def offline_summary(tmp_path_factory):
    """The bundled corpus built offline with a threshold of 5 articles."""
    root = copy_project(tmp_path_factory.mktemp("summary"))
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text, n = re.subn(r"offline_full_text_limit: *\d+", "offline_full_text_limit: 5", text)
    assert n == 1, "offline_full_text_limit not found in mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    run_generator(root, "site", "--offline", "--quiet")
    return root / "site-offline"


def _index(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["docs"]


def test_offline_index_holds_summaries_above_threshold(offline_summary, built_site):  # noqa: F811
    full = {d["location"]: d for d in _index(built_site.offline / "search" / "search_index.json")}
    short = {d["location"]: d for d in _index(offline_summary / "search" / "search_index.json")}
    articles = [loc for loc in full if loc.startswith("articles/") and "#" not in loc]
    assert articles and all(loc in short for loc in articles)
    # sections after the body (相关文章) and raw source pages are gone; the text is short
    assert not [
        loc
        for loc, d in short.items()
        if loc.startswith("articles/") and "相关" in d["title"].replace("\u200b", "")
    ]
    assert not [loc for loc in short if loc.startswith("sources/")]
    longest_full = max(len(full[loc]["text"]) for loc in articles)
    longest_short = max(len(short[loc]["text"]) for loc in articles)
    assert longest_short < longest_full / 3
    # what a reader searches for stays: titles, tags, places
    for loc in articles:
        for word in ("珲春",):
            if word in full[loc]["title"]:
                assert word in short[loc]["title"]
    hunchun = [
        loc for loc in articles if "珲春综合保税区" in full[loc]["title"].replace("\u200b", "")
    ]
    assert hunchun and "珲春" in short[hunchun[0]]["text"].replace("\u200b", "")
    # the .js copy the offline plugin inlines is the same index
    script = (offline_summary / "search" / "search_index.js").read_text(encoding="utf-8")
    assert len(script) < 2 * (offline_summary / "search" / "search_index.json").stat().st_size
    # and the search panel says what it searches
    for page in (offline_summary / "index.html", offline_summary / "zh-Hant" / "index.html"):
        html = page.read_text(encoding="utf-8")
        assert "archive-search-scope" in html
    assert "pagefind" not in (offline_summary / "index.html").read_text(encoding="utf-8")


def test_offline_index_is_full_text_below_threshold(built_site):  # noqa: F811
    docs = _index(built_site.offline / "search" / "search_index.json")
    assert any(d["location"].startswith("articles/") and "#" in d["location"] for d in docs)
    assert "archive-search-scope" not in (built_site.offline / "index.html").read_text("utf-8")


# --- served: Pagefind -----------------------------------------------------------------

needs_pagefind = pytest.mark.skipif(not pagefind.available(), reason="pagefind not installed")


@needs_pagefind
def test_served_build_uses_pagefind_not_material_search(built_site):  # noqa: F811
    for edition in (built_site.site, built_site.site_hant):
        assert (edition / "pagefind" / "pagefind-entry.json").is_file()
        assert not (edition / "search" / "search_index.json").exists()
        html = (edition / "index.html").read_text(encoding="utf-8")
        assert "archive-search-template" in html and "pagefind-search.js" in html
        entry = json.loads((edition / "pagefind" / "pagefind-entry.json").read_text())
        assert list(entry["languages"]) == ["und"]  # nothing segments our bigrams
    # no stock Pagefind UI is shipped, nothing comes from another host
    assert not (built_site.site / "pagefind" / "pagefind-ui.js").exists()


def _records_with(docs: Path, word: str) -> set[str]:
    """Pages whose indexed record contains ``word``: what search must find."""
    opencc = "s2t" if docs.name == "docs-hant" else None
    return {r.url for r in sr.records(docs, opencc) if word in f"{r.title} {r.text}"}


def _check_queries(site_folder: Path, root: Path, browser) -> None:
    """Every query finds exactly the records that contain it, in both editions."""
    with serve(site_folder, prefix="/repo/") as base:
        page = browser.new_page()
        try:
            page.goto(base + "about.html")
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            for docs, prefix, queries in (
                (root / "docs", "", QUERIES),
                (root / "docs-hant", "zh-Hant/", ("对接合作", "珲春", "鄉村振興")),
            ):
                if prefix:
                    page.goto(base + prefix + "about.html")
                for query in queries:
                    box = page.locator(".archive-search .md-search__input")
                    box.click()
                    box.fill(query)
                    page.wait_for_function(
                        """q => { const b = document.querySelector('.archive-search .md-search-result');
                          return b && b.dataset.query === q && b.dataset.state === 'done'; }""",
                        arg=query,
                        timeout=30000,
                    )
                    while page.locator(".archive-search-more:not([hidden])").count():
                        page.click(".archive-search-more")
                        page.wait_for_timeout(200)
                    hrefs = page.eval_on_selector_all(
                        ".archive-search .md-search-result__link", "els => els.map(e => e.href)"
                    )
                    found = {h.split(base + prefix, 1)[-1] for h in hrefs}
                    assert all(h.startswith(base + prefix) for h in hrefs), hrefs[:3]
                    word = page.evaluate(
                        "q => window.__archiveSearch.terms(q)[0]", query
                    )  # the Traditional edition maps Simplified input to its forms
                    expected = _records_with(docs, word)
                    assert expected, f"{word} is in no record of {docs}"
                    assert found == expected, (
                        query,
                        sorted(expected - found),
                        sorted(found - expected),
                    )
                    # the excerpt is decoded from the fragment's bigrams, the match marked
                    marks = page.eval_on_selector_all(
                        ".archive-search .md-search-result__link mark",
                        "els => els.map(e => e.textContent)",
                    )
                    assert marks and word in marks, (query, marks[:3])
            assert all(r.startswith(base) for r in requests), "a request left the site"
        finally:
            page.close()


@needs_pagefind
@pytest.mark.browser
def test_pagefind_finds_chinese_words(built_site, browser):  # noqa: F811
    _check_queries(built_site.site, built_site.root, browser)


@pytest.fixture(scope="module")
def api_site(built_site, tmp_path_factory):  # noqa: F811
    """The served site with both editions indexed by Pagefind's Python API (the fallback)."""
    site_copy = tmp_path_factory.mktemp("api") / "site"
    shutil.copytree(built_site.site, site_copy)
    for docs, bundle, opencc in (
        (built_site.root / "docs", site_copy / "pagefind", None),
        (built_site.root / "docs-hant", site_copy / "zh-Hant" / "pagefind", "s2t"),
    ):
        pagefind.index_edition(docs, bundle, writer="pagefind", opencc=opencc)
    return site_copy


@needs_pagefind
@pytest.mark.browser
def test_pagefind_finds_chinese_words_with_the_api_writer(built_site, api_site, browser):  # noqa: F811
    _check_queries(api_site, built_site.root, browser)


@needs_pagefind
@pytest.mark.browser
def test_browser_query_encoding_matches_python(built_site, browser):  # noqa: F811
    terms = ["珲春", "春", "对接合作", "2023年", "然后2023", "U14男队", "GDP增长5.2%", "𠀀𠀁字"]
    text = "标签 吉林 创新，2023年GDP增长5.2%。“一主六双”战略"
    with serve(built_site.site) as base:
        page = browser.new_page()
        try:
            page.goto(base + "index.html")
            got = page.evaluate(
                "([ts, t, enc]) => [ts.map(window.__archiveSearch.queryString),"
                " window.__archiveSearch.decode(enc)]",
                [terms, text, sr.encode(text)],
            )
        finally:
            page.close()
    assert got[0] == [sr.query_string(t) for t in terms]
    assert got[1] == sr.decode(sr.encode(text))


# --- incremental generation -------------------------------------------------------------


def _state(*folders: Path) -> dict[str, tuple[int, int, bytes]]:
    out = {}
    for folder in folders:
        for p in sorted(folder.rglob("*")):
            if p.is_file() and p.name != ".generated.json":
                st = p.stat()
                out[str(p.relative_to(folder.parent))] = (st.st_ino, st.st_mtime_ns, p.read_bytes())
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A corpus copy and its generated docs/ and docs-hant/ (in-process, workers=1)."""
    import argparse

    from generator.pipeline import generate
    from generator.progress import Progress
    from generator.settings import load_settings

    work = tmp_path_factory.mktemp("incremental")
    corpus = work / "corpus"
    shutil.copytree(CORPUS, corpus)
    args = argparse.Namespace(corpus=corpus, docs=work / "docs", workers=1, lock_wait=0)

    def run():
        settings = load_settings(ROOT, args)
        progress = Progress(quiet=True)
        generate(settings, progress)
        return progress.counts

    run()
    return work, corpus, run


def test_unchanged_corpus_writes_nothing(generated):
    work, _, run = generated
    before = _state(work / "docs", work / "docs-hant")
    counts = run()
    assert str(counts["docs written / unchanged"]).startswith("0 /")
    assert _state(work / "docs", work / "docs-hant") == before


def test_one_changed_file_rewrites_only_what_changed(generated):
    work, corpus, run = generated
    before = _state(work / "docs", work / "docs-hant")
    raw = sorted(corpus.glob("*.txt"))[0]
    lines = raw.read_text(encoding="utf-8").split("\n")
    # a long body line in the middle of the page: the article text changes, its
    # first paragraph (the summary on index pages) most likely not
    at = max(
        range(len(lines) // 3, len(lines)),
        key=lambda i: (len(lines[i]) > 60 and lines[i].endswith("。"), len(lines[i])),
    )
    added = "记者在现场看到，施工人员正在加紧作业。"
    lines[at] += added
    raw.write_text("\n".join(lines), encoding="utf-8")
    run()
    after = _state(work / "docs", work / "docs-hant")
    rewritten = {p for p in after if before.get(p, (None, None))[:2] != after[p][:2]}
    changed = {p for p in after if before.get(p, (0, 0, None))[2] != after[p][2]}
    assert rewritten == changed, "a file was rewritten with the same content"
    pages = [p for p in changed if p.startswith("docs/articles/") and added in after[p][2].decode()]
    assert len(pages) == 1, "the edited article's page was not rewritten"
    assert f"docs/sources/{raw.name}.md" in changed
    assert len(changed) <= max(12, len(after) // 10), sorted(changed)
    for path, (ino, mtime, _) in after.items():
        if path not in changed:
            assert before[path][:2] == (ino, mtime), f"{path} was touched"
