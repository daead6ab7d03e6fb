"""The cleaned corpus as data: JSON Lines records, Atom and JSON feeds.

The record layout is a public contract (documented in README.md and on the
site's 数据下载与说明 page): fields are only ever added, never renamed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from xml.sax.saxutils import escape as xml_escape

from .model import Article

FEED_SIZE = 50


def sort_key(article: Article) -> tuple[int, str, str]:
    """Sort by date then id; undated articles last."""
    return (0 if article.date else 1, article.date or "", article.id)


def record(article: Article, convert: Callable[[str], str] | None = None) -> dict:
    """One article as a plain dict in the export layout.

    ``convert`` (e.g. OpenCC s2t) is applied to reader-facing text only; ids,
    urls, dates, file names and the raw side of corrections stay the same.
    """
    c = convert or (lambda s: s)

    def cv(value: str | None) -> str | None:
        return c(value) if value else value

    return {
        "id": article.id,
        "url": article.url,
        "title": cv(article.title),
        "subtitle": cv(article.subtitle),
        "kicker": cv(article.kicker),
        "column": cv(article.column),
        "kind": article.kind,
        "date": article.date,
        "date_precision": article.date_precision,
        "date_source": cv(article.date_source),
        "paper": cv(article.paper),
        "page": article.page,
        "reporters": [c(r) for r in article.reporters],
        "photographers": [c(r) for r in article.photographers],
        "section": cv(article.meta.section),
        "page_header": cv(article.meta.header),
        "cities": [c(x) for x in article.cities],
        "places": [c(x) for x in article.places],
        "tags": [c(x) for x in article.tags],
        "topics": [c(x) for x in article.topics],
        "sources": [
            {"file": s.file, "first_line": s.first_line, "last_line": s.last_line}
            for s in article.sources
        ],
        "corrections": [
            {"raw": x.raw, "fixed": x.fixed, "rule": x.rule, "line": x.line}
            for x in article.corrections
        ],
        "complete": article.complete,
        "continued_from": article.continued_from,
        "continued_to": article.continued_to,
        "confidence": article.confidence,
        "warnings": [c(w) for w in article.warnings],
        "script": article.script,
        "dateline": cv(article.dateline),
        "byline": cv(article.byline),
        "text": c(article.text),
    }


def jsonl(articles: Iterable[Article], convert: Callable[[str], str] | None = None) -> str:
    """The whole corpus as JSON Lines, sorted by date then id."""
    return join_lines([line(a, convert) for a in sorted(articles, key=sort_key)])


def line(article: Article, convert: Callable[[str], str] | None = None) -> str:
    """One article's JSON Lines record (no newline)."""
    return json.dumps(record(article, convert), ensure_ascii=False, sort_keys=False)


def join_lines(lines: list[str]) -> str:
    """JSON Lines text from records made by ``line``."""
    return "\n".join(lines) + ("\n" if lines else "")


def _newest(articles: Iterable[Article]) -> list[Article]:
    dated = [a for a in articles if a.date]
    return sorted(dated, key=lambda a: (a.date, a.id), reverse=True)[:FEED_SIZE]


def _timestamp(date: str) -> str:
    parts = (date.split("-") + ["01", "01"])[:3]
    return f"{parts[0]}-{parts[1]}-{parts[2]}T00:00:00+08:00"


def atom_feed(articles: Iterable[Article], site_url: str, title: str) -> str:
    """An Atom 1.0 feed of the newest dated articles."""
    base = site_url.rstrip("/") + "/"
    items = _newest(articles)
    updated = _timestamp(items[0].date) if items else "1970-01-01T00:00:00+00:00"
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh">',
        f"<title>{xml_escape(title)}</title>",
        f'<link href="{xml_escape(base)}"/>',
        f'<link rel="self" href="{xml_escape(base)}feed.xml"/>',
        f"<id>{xml_escape(base)}</id>",
        f"<updated>{updated}</updated>",
    ]
    for a in items:
        url = base + a.url
        summary = a.paragraphs[0][:200] if a.paragraphs else ""
        out += [
            "<entry>",
            f"<title>{xml_escape(a.title)}</title>",
            f'<link href="{xml_escape(url)}"/>',
            f"<id>{xml_escape(url)}</id>",
            f"<updated>{_timestamp(a.date)}</updated>",
            *(f"<author><name>{xml_escape(r)}</name></author>" for r in a.reporters),
            *(f'<category term="{xml_escape(t)}"/>' for t in a.tags),
            f"<summary>{xml_escape(summary)}</summary>",
            "</entry>",
        ]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def json_feed(articles: Iterable[Article], site_url: str, title: str) -> str:
    """A JSON Feed 1.1 of the newest dated articles."""
    base = site_url.rstrip("/") + "/"
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": base,
        "feed_url": base + "feed.json",
        "language": "zh",
        "items": [
            {
                "id": a.id,
                "url": base + a.url,
                "title": a.title,
                "content_text": a.text,
                "summary": a.paragraphs[0][:200] if a.paragraphs else "",
                "date_published": _timestamp(a.date),
                "authors": [{"name": r} for r in a.reporters],
                "tags": a.tags,
            }
            for a in _newest(articles)
        ],
    }
    return json.dumps(feed, ensure_ascii=False, indent=1) + "\n"
