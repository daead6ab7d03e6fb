"""Render stage: escaping, links, determinism, index pages on the bundled corpus."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from generator.model import Article, Source
from generator.render import Renderer, Site, date_label, md

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[点我](javascript:alert(1))",
    "![图](http://evil.example/x.png)",
    "{{ config }} {% include 'x' %}",
    "# 不是标题",
    '!!! note "提示"',
    "| a | b |",
    "*强调* _下划线_ `代码`",
    "{: .class onclick=alert(1) }",
    "&lt;script&gt;",
    "---",
]


def render_markdown(text: str) -> str:
    return markdown.markdown(text, extensions=["attr_list", "admonition", "tables"])


@pytest.mark.parametrize("hostile", HOSTILE)
def test_inline_escape_makes_every_syntax_inert(hostile: str) -> None:
    html = render_markdown(f"前文{md(hostile)}后文")
    assert (
        "<script" not in html
        and "<img" not in html
        and "javascript:" not in html.replace("javascript&#58;", "")
    )
    assert (
        "<em>" not in html and "<code>" not in html and "<table" not in html and "<h1" not in html
    )
    assert 'class="admonition' not in html
    assert not re.search(r"<[^>]*\b(onclick|onerror|class=)", html)  # no attributes injected
    text = re.sub(r"<[^>]+>", "", html)
    import html as h

    assert h.unescape(text).replace("\\", "") == f"前文{hostile}后文".replace("\\", "")


def hostile_article() -> Article:
    a = Article(
        title="<script>alert('t')</script>标题: \"引号\" {{ x }}",
        paragraphs=[*HOSTILE, "正常的段落。"],
        sources=[Source("evil.txt", 1, 9)],
        subtitle="[副题](javascript:alert(2))",
        byline="<b>记者</b> 张三",
        reporters=["<i>张三</i>"],
        tags=["<u>标签</u>"],
        cities=["长春"],
        date="2023-02-07",
        date_precision="day",
        date_source="电头“本报2月7日讯”<br>",
    )
    a.id = "20230207-deadbeef"
    return a


def test_article_page_has_no_live_markup() -> None:
    a = hostile_article()
    renderer = Renderer(Site([a], {"长春": {"slug": "changchun"}}, {}, {}))
    renderer.env.globals.update(
        cite_gb=lambda a: "引用", cite_bib=lambda a: "@article{x}", settings_feed_size=1
    )
    files = renderer.render_all()
    page = files["articles/2023/02/20230207-deadbeef.md"]
    body = page.split("---", 2)[2]
    html = render_markdown(body)
    for bad in ("<script", "<img", "<b>", "<i>", "<u>", "<br>", "<h1>不是", "<table", "<em>"):
        assert bad not in html, bad
    assert not re.search(r"""href=["']?\s*javascript""", html)
    assert "&lt;script&gt;" in html
    front = page.split("---", 2)[1]
    assert "<script" not in front  # MkDocs does not escape titles: we do


def test_date_label() -> None:
    assert date_label("2023-02-07") == "2023年2月7日"
    assert date_label("2023-02") == "2023年2月"
    assert date_label(None) == "日期不详"


def test_rendering_is_deterministic(archive) -> None:
    from generator.render import render_archive
    from generator.settings import load_settings

    settings = load_settings(__import__("pathlib").Path(__file__).resolve().parent.parent)
    one = render_archive(archive.articles, archive.pages, settings)
    two = render_archive(archive.articles, archive.pages, settings)
    assert one == two


def test_every_article_has_one_page_and_every_index_link_resolves(archive) -> None:
    import posixpath

    from generator.render import render_archive
    from generator.settings import load_settings

    settings = load_settings(__import__("pathlib").Path(__file__).resolve().parent.parent)
    files = render_archive(archive.articles, archive.pages, settings)
    pages = [p for p in files if p.startswith("articles/")]
    assert len(pages) == len(archive.articles) == len({a.id for a in archive.articles})
    link_re = re.compile(r"\]\(([^)]+\.md)(?:#[^)]*)?\)|href=\"([^\"]+\.html)\"")
    for path, text in files.items():
        if not path.endswith(".md"):
            continue
        for m in link_re.finditer(text):
            target = m.group(1) or m.group(2)
            if target.startswith(("http", "data/")):
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            resolved = (
                resolved.removesuffix(".html") + ".md" if resolved.endswith(".html") else resolved
            )
            assert resolved in files, (path, target)


def _dated(day: str, title: str, article_id: str, **fields) -> Article:
    """A one-paragraph article of ``day`` with its id set."""
    a = Article(
        title=title,
        paragraphs=["正文。"],
        sources=[Source("x.txt", 1, 2)],
        date=day,
        date_precision="day",
        **fields,
    )
    a.id = article_id
    return a


def test_same_day_in_other_years_keeps_the_article_list_a_list() -> None:
    """A day page with 历年今日 links still renders its articles as an HTML list."""
    articles = [
        _dated(day, f"{day}的新闻", f"{day.replace('-', '')}-0000abcd")
        for day in ("2022-03-05", "2023-03-05")
    ]
    renderer = Renderer(Site(articles, {}, {}, {}))
    renderer.env.globals.update(
        cite_gb=lambda a: "引用", cite_bib=lambda a: "@article{x}", settings_feed_size=1
    )
    page = renderer.render_all()["dates/2023-03-05.md"]
    html = render_markdown(page.split("---", 2)[2])
    assert "历年今日" in html and 'href="2022-03-05.md"' in html
    assert re.search(r"<ul>\s*<li><a href=\"../articles/2023/03/20230305-0000abcd.md\"", html)


def _related_by_counting(article: Article, site: Site, limit: int = 5) -> list[str]:
    """``related`` as first written: a Counter over the ids, then the best by sorting."""
    from collections import Counter

    from generator.render import RELATED_MAX_SHARED

    def ids(index: dict[str, list[Article]], key: str) -> list[str]:
        return [a.id for a in index.get(key, [])]

    scores: Counter[str] = Counter()
    for tag in article.tags:
        others = ids(site.tag_index, tag)
        if len(others) <= RELATED_MAX_SHARED:
            scores.update(others)
            scores.update(others)
    for place in article.cities + article.places:
        main, mentions = ids(site.city_index, place), ids(site.mention_index, place)
        if len(main) + len(mentions) <= RELATED_MAX_SHARED:
            scores.update(main)
            scores.update(mentions)
    scores.pop(article.id, None)
    ranked = sorted((-s, -site.date_key[i], i) for i, s in scores.items() if s >= 2)
    return [i for _, _, i in ranked[:limit]]


def _with(i: int, **fields) -> Article:
    return _dated(f"2023-01-0{i % 9 + 1}", f"文章{i}", f"2023010{i % 9 + 1}-{i:08x}", **fields)


def test_related_articles_match_plain_counting(archive) -> None:
    """Scores, the cut-off for common tags and places, and the tie order."""
    from generator.render import RELATED_MAX_SHARED, related

    sites = [Site(archive.articles)]
    # many ties, a tag on more than RELATED_MAX_SHARED articles, a place both main and mentioned
    made = [
        _with(
            i,
            tags=["共同", f"组{i % 3}"] + (["常见"] if i < 3 else []),
            cities=["长春"] if i % 2 else [],
            places=["长春", "吉林"] if i % 4 == 1 else ["吉林"],
        )
        for i in range(RELATED_MAX_SHARED + 40)
    ]
    for a in made[: RELATED_MAX_SHARED + 1]:
        a.tags.append("处处")
    sites.append(Site(made))
    for site in sites:
        for a in site.by_date:
            assert [r.id for r in related(a, site)] == _related_by_counting(a, site)
    assert any(related(a, sites[0]) for a in archive.articles)


def test_every_article_list_of_a_generated_page_renders_as_a_list() -> None:
    """A line of links just above an article list (按日, 历年今日 …) must not swallow
    the list into its paragraph: every page's ``- [`` lines become list items."""
    from generator.render import render_archive
    from generator.settings import load_settings

    days = ("2022-03-05", "2023-03-05", "2023-03-07", "2023-04-01")
    articles = [
        _dated(
            day,
            f"新闻{i}",
            f"{day.replace('-', '')}-0000abc{i}",
            tags=["标签"],
            cities=["长春"],
            places=["长春"],
        )
        for i, day in enumerate(days)
    ]
    settings = load_settings(Path(__file__).resolve().parent.parent, None)
    files = render_archive(articles, [], settings)
    checked = 0
    for path, text in files.items():
        if not path.endswith(".md") or "\n- [" not in text:
            continue
        body = text.split("---", 2)[2] if text.startswith("---") else text
        items = sum(1 for line in body.splitlines() if line.startswith("- ["))
        assert render_markdown(body).count("<li>") >= items, path
        checked += 1
    assert checked >= 8 and "dates/2023-03.md" in files


def test_pager_window_links_a_few_pages_of_a_long_list() -> None:
    from generator.render import Pager, page_path

    def window(number: int, count: int) -> list[int | None]:
        return Pager(number, count, "tags/x.md", 1, 1, 1).window()

    assert window(1, 1) == [1]
    assert window(1, 50) == [1, 2, 3, None, 50]
    assert window(25, 50) == [1, None, 23, 24, 25, 26, 27, None, 50]
    assert window(4, 5) == [1, 2, 3, 4, 5]
    assert page_path("cities/changchun.md", 1) == "cities/changchun.md"
    assert page_path("cities/changchun.md", 3) == "cities/changchun/3.md"


def _listed(path: str, text: str) -> list[str]:
    """The articles a page lists, as docs paths (links resolved from ``path``)."""
    import posixpath

    here = posixpath.dirname(path)
    return [
        posixpath.normpath(posixpath.join(here, link))
        for link in re.findall(r"^- \[.*?\]\(([^)]+)\)", text, re.M)
    ]


def test_long_lists_are_cut_into_pages_that_list_every_article_once(archive, monkeypatch) -> None:
    """With 3 articles a page, every list of the bundled corpus (cities, tags,
    dates, papers …) lists the same articles as on one page; the first page
    keeps the list's path, later pages follow it and are left out of search."""
    import posixpath

    from generator import pagefind, render
    from generator.settings import load_settings

    settings = load_settings(Path(__file__).resolve().parent.parent, None)
    whole = render.render_archive(archive.articles, archive.pages, settings)
    monkeypatch.setattr(render, "PAGE_SIZE", 3)
    paged = render.render_archive(archive.articles, archive.pages, settings)

    assert set(whole) <= set(paged)  # no list page moved
    later = [p for p in paged if re.search(r"/\d+\.md$", p) and not p.startswith("articles/")]
    assert len(later) >= 10  # the bundled corpus has lists of more than 3 articles

    def chain(first: str) -> list[str]:
        pages, n = [first], 2
        while (nxt := render.page_path(first, n)) in paged:
            pages.append(nxt)
            n += 1
        return pages

    checked = 0
    for path, text in whole.items():
        if not path.endswith(".md") or path.startswith(("articles/", "sources/")):
            continue
        if path in ("index.md",) or path.endswith("/index.md"):
            continue
        expected = _listed(path, text)
        if len(expected) <= 3:
            continue
        pages = chain(path)
        mentions = f"{path.removesuffix('.md')}/mentions.md"
        if mentions in paged:
            pages += chain(mentions)
        got = [a for p in pages for a in _listed(p, paged[p])]
        assert sorted(got) == sorted(expected), path
        for p in pages:
            body = paged[p].split("---", 2)[2]
            items = [line for line in body.splitlines() if line.startswith("- [")]
            assert render_markdown(body).count("<li>") >= len(items), p
            for link in re.findall(r'<nav class="archive-pages"[^>]*>.*?</nav>', body):
                for href in re.findall(r'href="([^"]+)"', link):
                    target = posixpath.normpath(posixpath.join(posixpath.dirname(p), href))
                    assert target.removesuffix(".html") + ".md" in paged, (p, href)
            is_later = p != pages[0] and not p.endswith("/mentions.md")
            assert ("search:\n  exclude: true" in paged[p]) == is_later, p
            assert pagefind.skipped(p) == (is_later or pagefind.skipped(pages[0])), p
        checked += 1
    assert checked >= 10


def test_dates_index_has_a_row_per_year_and_days_of_the_latest_year_only() -> None:
    """Thirty years of articles: the dates index links every month that has
    articles from a year × month table, and draws day calendars only for the
    latest year (each year's own page has its days), so it stays small."""
    articles = [
        _dated(f"{year}-{month:02d}-15", f"新闻{year}{month}", f"{year}{month:02d}15-0000abcd")
        for year in range(1994, 2024)
        for month in (3, 11)
    ]
    renderer = Renderer(Site(articles, {}, {}, {}))
    renderer.env.globals.update(
        cite_gb=lambda a: "引用", cite_bib=lambda a: "@article{x}", settings_feed_size=1
    )
    files = renderer.render_all()
    index = files["dates/index.md"]
    rows = re.findall(r'<tr><th><a href="(\d{4})\.html">', index)
    assert rows == [str(y) for y in range(2023, 1993, -1)]  # newest first
    months = set(re.findall(r'href="(\d{4}-\d{2})\.html"', index))
    assert months == {f"{y}-{m:02d}" for y in range(1994, 2024) for m in (3, 11)}
    assert set(re.findall(r'href="(\d{4}-\d{2}-\d{2})\.html"', index)) == {
        "2023-03-15",
        "2023-11-15",
    }
    assert 'href="1994-03-15.html"' in files["dates/1994.md"]  # days on the year's page
    assert len(index) < 20_000
