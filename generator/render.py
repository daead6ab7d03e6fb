"""Render stage: articles to Markdown pages through the Jinja2 templates.

Pure: returns a mapping of docs-relative path → file content. Writing the
files (atomically, never touching hand-written pages) is ``publish``'s job.

All newspaper text passes through the ``md``/``html`` filters, so nothing a
newspaper printed can become Markdown, HTML or template syntax on the page.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import quote

import jinja2
import numpy as np

from . import resources
from .cache import Memo, key
from .model import Article, article_path
from .parallel import shared_map
from .publish import Kept, digest_of

TEMPLATES_DIR = resources.templates_dir()
LATEST = 12
KINDS = {
    "article": "文章",
    "brief": "简讯",
    "photo": "图片",
    "profile": "简历",
    "report_part": "报告（部分）",
}
SUMMARY_CHARS = 90

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!>~|:<=^$])")


def md(text: object) -> str:
    """Escape text for inline Markdown: HTML-escaped, Markdown syntax inert."""
    value = html.escape(str(text or ""), quote=True)
    value = _MD_SPECIAL.sub(r"\\\1", value)
    value = value.replace("\\|", "&#124;").replace("\\~", "&#126;").replace("\\:", "&#58;")
    value = value.replace("\\<", "&lt;").replace("\\=", "&#61;").replace("\\^", "&#94;")
    value = value.replace("\\$", "&#36;")
    return value.replace("\n", " ")


def esc(text: object) -> str:
    """Escape text for raw HTML blocks."""
    return html.escape(str(text or ""), quote=True)


def yaml_str(text: object) -> str:
    """A YAML double-quoted scalar holding HTML-escaped text (MkDocs does not escape titles)."""
    return json.dumps(html.escape(str(text or ""), quote=False), ensure_ascii=False)


def short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def summary(article: Article, limit: int = SUMMARY_CHARS) -> str:
    """The first characters of the body, for lists and descriptions."""
    body = next((p for i, p in enumerate(article.paragraphs) if i not in article.section_heads), "")
    return body if len(body) <= limit else body[:limit] + "……"


def date_label(date: str | None) -> str:
    """2023-02-07 → 2023年2月7日; 2023-02 → 2023年2月; None → 日期不详."""
    if not date:
        return "日期不详"
    parts = [int(p) for p in date.split("-")]
    return "".join(f"{v}{u}" for v, u in zip(parts, "年月日", strict=False))


@dataclass
class Site:
    """Everything the index pages are built from, computed once."""

    articles: list[Article]
    cities: dict[str, dict] = field(default_factory=dict)  # canonical name → gazetteer info
    topics: dict[str, str] = field(default_factory=dict)  # topic name → slug
    settings: dict = field(default_factory=dict)

    @cached_property
    def by_date(self) -> list[Article]:
        """Newest first; undated last; ties by id."""
        dated = sorted(
            (a for a in self.articles if a.date), key=lambda a: (a.date, a.id), reverse=True
        )
        return dated + sorted((a for a in self.articles if not a.date), key=lambda a: a.id)

    @cached_property
    def date_key(self) -> dict[str, int]:
        """Article id → its date as a number (20230207), for "newest first"."""
        return {a.id: int((a.date or "0").replace("-", "")[:8] or 0) for a in self.articles}

    @cached_property
    def related_index(self) -> RelatedIndex:
        return RelatedIndex.of(self)

    @cached_property
    def tag_index(self) -> dict[str, list[Article]]:
        return self._group(lambda a: a.tags)

    @cached_property
    def city_index(self) -> dict[str, list[Article]]:
        """City → articles mainly about it, counties rolled up to prefectures."""

        def keys(a: Article) -> list[str]:
            found: list[str] = []
            for c in a.cities:
                found.append(c)
                parent = self.cities.get(c, {}).get("parent")
                if parent:
                    found.append(parent)
            return list(dict.fromkeys(found))

        return self._group(keys)

    @cached_property
    def mention_index(self) -> dict[str, list[Article]]:
        return self._group(lambda a: [p for p in a.places if p not in a.cities])

    def has_city_page(self, city: str) -> bool:
        """Whether ``city`` gets a page: it is the main city of an article (a
        prefecture also through its counties) or is mentioned by one."""
        return city in self.city_index or city in self.mention_index

    @cached_property
    def reporter_index(self) -> dict[str, list[Article]]:
        return self._group(lambda a: a.reporters)

    @cached_property
    def paper_index(self) -> dict[str, list[Article]]:
        return self._group(lambda a: [a.paper] if a.paper else [])

    @cached_property
    def topic_index(self) -> dict[str, list[Article]]:
        return self._group(lambda a: a.topics)

    def _group(self, keys) -> dict[str, list[Article]]:
        groups: dict[str, list[Article]] = defaultdict(list)
        for a in self.by_date:
            for k in keys(a):
                groups[k].append(a)
        return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))

    @cached_property
    def day_index(self) -> dict[str, list[Article]]:
        return self._group(lambda a: [a.date] if a.date and len(a.date) == 10 else [])

    @cached_property
    def month_index(self) -> dict[str, list[Article]]:
        return self._group(lambda a: [a.date[:7]] if a.date and len(a.date) >= 7 else [])

    @cached_property
    def year_index(self) -> dict[str, list[Article]]:
        return self._group(lambda a: [a.date[:4]] if a.date else [])

    # --- paths -----------------------------------------------------------

    def tag_path(self, tag: str) -> str:
        return f"tags/{short_hash(tag)}.md"

    def city_path(self, city: str) -> str:
        slug = self.cities.get(city, {}).get("slug") or short_hash(city)
        return f"cities/{slug}.md"

    def reporter_path(self, name: str) -> str:
        return f"reporters/{short_hash(name)}.md"

    def paper_path(self, name: str) -> str:
        return f"papers/{short_hash(name)}.md"

    def topic_path(self, name: str) -> str:
        return f"topics/{self.topics.get(name) or short_hash(name)}.md"

    def date_path(self, date: str | None) -> str:
        if not date:
            return "dates/undated.md"
        if len(date) == 4:
            return f"dates/{date}.md"
        return f"dates/{date}.md"


PARALLEL_FROM = 512  # queued pages; fewer are rendered in this process
CHUNK = 64  # pages per task of a worker
_BLANK_LINES = re.compile(r"\n{3,}")


RELATED_MAX_SHARED = 200  # a tag or place of more articles than this relates nothing


def related(article: Article, site: Site, limit: int = 5) -> list[Article]:
    """3–5 articles sharing the most tags and places, newest first on ties.

    A shared tag counts 2, a shared place 1 (once as a main city, once as a
    mention). Tags and places shared by more than ``RELATED_MAX_SHARED``
    articles are skipped: they say little about relatedness, and counting
    them made this quadratic in the size of the archive. Ties: newer date
    first (``Site.date_key``), then the smaller id.
    """
    index = site.related_index
    parts = [arr for tag in article.tags if (arr := index.tags.get(tag)) is not None]
    parts += parts  # a shared tag counts twice
    parts += [
        arr for p in article.cities + article.places if (arr := index.places.get(p)) is not None
    ]
    if not parts:
        return []
    found = np.concatenate(parts)
    found.sort()
    starts = np.flatnonzero(np.concatenate(([True], found[1:] != found[:-1])))
    scores = np.diff(np.append(starts, len(found)))
    others = found[starts]
    keep = (scores >= 2) & (others != index.position[article.id])
    others, scores = others[keep], scores[keep]
    best = np.lexsort((index.id_rank[others], -index.date_key[others], -scores))[:limit]
    return [site.by_date[i] for i in others[best].tolist()]


@dataclass
class RelatedIndex:
    """What ``related`` counts with: articles as positions in ``Site.by_date``."""

    tags: dict[str, np.ndarray]  # tag → its articles (with at most RELATED_MAX_SHARED)
    places: dict[str, np.ndarray]  # place → articles with it as main city, then as mention
    position: dict[str, int]  # article id → position
    date_key: np.ndarray  # position → ``Site.date_key``
    id_rank: np.ndarray  # position → rank of the article's id in sorted order

    @classmethod
    def of(cls, site: Site) -> RelatedIndex:
        """The index of ``site``'s articles, tags and places."""
        position = {a.id: i for i, a in enumerate(site.by_date)}

        def positions(articles: Iterable[Article]) -> np.ndarray:
            return np.fromiter((position[a.id] for a in articles), dtype=np.int64)

        tags = {
            tag: positions(found)
            for tag, found in site.tag_index.items()
            if len(found) <= RELATED_MAX_SHARED
        }
        places = {}
        for place in dict.fromkeys([*site.city_index, *site.mention_index]):
            main, mentions = site.city_index.get(place, []), site.mention_index.get(place, [])
            if len(main) + len(mentions) <= RELATED_MAX_SHARED:
                places[place] = positions(main + mentions)
        date_key = np.array([site.date_key[a.id] for a in site.by_date], dtype=np.int64)
        id_rank = np.empty(len(site.by_date), dtype=np.int64)
        id_rank[np.argsort(np.array([a.id for a in site.by_date]), kind="stable")] = np.arange(
            len(site.by_date)
        )
        return cls(tags, places, position, date_key, id_rank)


PAGE_SIZE = 100  # articles per list page; a longer list goes on over numbered pages


def page_path(first: str, number: int) -> str:
    """Docs path of page ``number`` of the list whose first page is ``first``:
    ``cities/changchun.md``, then ``cities/changchun/2.md``, ``…/3.md``.

    The first page keeps the list's own path, so a link to a city, tag or
    month never breaks as its list grows.
    """
    return first if number == 1 else beside(first, str(number))


def beside(first: str, name: str) -> str:
    """A page that belongs to the page ``first``: in a folder named after it
    (``cities/changchun.md`` → ``cities/changchun/<name>.md``)."""
    return f"{first.removesuffix('.md')}/{name}.md"


@dataclass(frozen=True)
class Pager:
    """Where one page sits in a list cut into pages of ``PAGE_SIZE`` articles.

    Holds the first page's path rather than every page's, so a page's
    context (and its cache key) stays the same size however long the list.
    """

    number: int  # this page, from 1
    count: int  # pages in all
    first_path: str  # the list's first page
    first: int  # position of this page's first article in the whole list, from 1
    last: int  # position of its last article
    total: int  # articles in the whole list

    def path(self, number: int) -> str:
        """Docs path of page ``number`` of this list."""
        return page_path(self.first_path, number)

    @property
    def suffix(self) -> str:
        """What a later page adds to the list's title: ``（第 2 页）``."""
        return "" if self.number == 1 else f"（第 {self.number} 页）"

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and ``around`` either side
        of this one, ``None`` where numbers are left out (a list of 1,000
        pages gets a few links, not 1,000)."""
        shown = sorted(
            {1, self.count, *range(self.number - around, self.number + around + 1)}
            & set(range(1, self.count + 1))
        )
        out: list[int | None] = []
        for n in shown:
            if out and n != out[-1] + 1:
                out.append(None)
            out.append(n)
        return out


@lru_cache(maxsize=1 << 18)
def _link(target: str, here: str) -> str:
    """URL of docs path ``target`` relative to folder ``here`` (both clean,
    docs-relative), URL-encoded so a file name with #, ?, % or quotes stays
    one inert path. Same as ``posixpath.relpath`` for these paths, faster."""
    parts = target.split("/")
    folders = here.split("/") if here and here != "." else []
    common = 0
    while common < len(folders) and common < len(parts) - 1 and parts[common] == folders[common]:
        common += 1
    rel = "/".join([".."] * (len(folders) - common) + parts[common:])
    return quote(rel, safe="/.-_~")


# Templates that read nothing but their context and fixed data (the gazetteer,
# topic slugs, settings): a page made from one of them is unchanged when its
# context is, so a rebuild can keep it (``Renderer(memo=…)``).
CONTEXT_ONLY = frozenset(
    {
        "article.md.j2",
        "source.md.j2",
        "list.md.j2",
        "city.md.j2",
        "date_year.md.j2",
        "date_month.md.j2",
        "date_day.md.j2",
    }
)


class Renderer:
    """Renders every page of the archive from one ``Site``.

    With a ``memo`` (page inputs → content hash) and ``previous`` (the docs
    manifest: path → content hash on disk), a page of a ``CONTEXT_ONLY``
    template whose inputs and file are unchanged is not rendered again: it
    becomes ``publish.Kept``.
    """

    def __init__(
        self,
        site: Site,
        templates_dir: Path = TEMPLATES_DIR,
        memo: Memo | None = None,
        previous: dict[str, str] | None = None,
        deferred: bool = False,
    ) -> None:
        self.site = site
        self.memo = memo
        self.previous = previous or {}
        # deferred: ``page`` only queues a page; ``flush`` renders the queue (on every core)
        self.deferred = deferred
        self._queue: list[tuple[str, str, dict, bytes | None]] = []
        self._digests: dict[int, str] = {}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(md=md, esc=esc, yaml_str=yaml_str, date_label=date_label)
        self.env.globals.update(
            site=site,
            summary=summary,
            article_path=article_path,
            KINDS=KINDS,
            items_md=self.article_items,
        )
        self._items: dict[int, tuple[str, str, str]] = {}
        self.files: dict[str, str | Kept] = {}

    def article_item(self, a: Article, link) -> str:
        """``- [title](link) date · paper · kind<br>summary``: one line of a list page."""
        found = self._items.get(id(a))
        if found is None:
            rest = f'<span class="archive-date">{date_label(a.date)}</span>'
            if a.paper:
                rest += f" · {md(a.paper)}"
            if a.kind != "article":
                rest += f" · {KINDS.get(a.kind, a.kind)}"
            rest += f'<br><span class="archive-summary">{md(summary(a))}</span>'
            found = self._items[id(a)] = (md(a.title), article_path(a), rest)
        return f"- [{found[0]}]({link(found[1])}) {found[2]}"

    def article_items(self, items: Iterable[Article], link) -> str:
        """``article_item`` of each article, each line ending in ``\\n``."""
        return "".join(f"{self.article_item(a, link)}\n" for a in items)

    def _article_digest(self, a: Article) -> str:
        found = self._digests.get(id(a))
        if found is None:
            found = self._digests[id(a)] = hashlib.sha1(repr(a).encode()).hexdigest()
        return found

    def _plain(self, value: object) -> object:
        """``value`` with every article replaced by its content hash."""
        if isinstance(value, Article):
            return self._article_digest(value)
        if isinstance(value, list | tuple):
            if value and isinstance(value[0], Article):  # the usual list of articles
                digest = self._article_digest
                return [digest(v) if isinstance(v, Article) else self._plain(v) for v in value]
            return [self._plain(v) for v in value]
        if isinstance(value, dict):
            return {k: self._plain(v) for k, v in value.items()}
        return value

    def _key(self, path: str, template: str, context: dict) -> bytes:
        plain = [(k, self._plain(v)) for k, v in sorted(context.items())]
        return key("render", path, template, self.site.settings, plain)

    def page(self, path: str, template: str, **context) -> None:
        """Render ``template`` to docs path ``path`` with links relative to it."""
        k = None
        if self.memo is not None and template in CONTEXT_ONLY:
            k = self._key(path, template, context)
            found, digest = self.memo.lookup(k)
            if found and self.previous.get(path) == digest:
                self.files[path] = Kept(digest)
                return
        if self.deferred:
            self.files[path] = ""  # rendered by ``flush``; keeps the order of the files
            self._queue.append((path, template, context, k))
            return
        self._store(path, self._render(path, template, context), k)

    def paged(
        self,
        path: str,
        template: str,
        items: list[Article],
        first: dict | None = None,
        **context,
    ) -> None:
        """``page`` for a list of articles: one page per ``PAGE_SIZE`` of them,
        the first at ``path``, each with ``items`` (its share) and ``pager``.
        ``first``: context only the first page shows (``None`` on later pages)."""
        first = first or {}
        later = dict.fromkeys(first)
        count = max(1, -(-len(items) // PAGE_SIZE))
        for number in range(1, count + 1):
            start = (number - 1) * PAGE_SIZE
            chunk = items[start : start + PAGE_SIZE]
            pager = Pager(number, count, path, start + 1, start + len(chunk), len(items))
            own = first if number == 1 else later
            self.page(pager.path(number), template, items=chunk, pager=pager, **own, **context)

    def _store(self, path: str, text: str, k: bytes | None) -> None:
        self.files[path] = text
        if k is not None:
            self.memo.put(k, digest_of(text))

    def _render(self, path: str, template: str, context: dict) -> str:
        here = posixpath.dirname(path)

        def link(target: str) -> str:
            return _link(target, here)

        def html_link(target: str) -> str:
            return link(target).removesuffix(".md") + ".html"

        def chart(rows: Iterable[tuple[str, int, str | None]]) -> str:
            return bar_chart((label, n, html_link(h) if h else None) for label, n, h in rows)

        text = self.env.get_template(template).render(
            path=path, link=link, html_link=html_link, chart=chart, **context
        )
        return _BLANK_LINES.sub("\n\n", text)

    def flush(
        self, workers: int | None = None, meanwhile: Callable[[], None] | None = None
    ) -> None:
        """Render the queued pages: shared with forks of this process that render
        from the ``Site`` they inherit (``parallel.shared_map``) when there are
        many. ``meanwhile`` runs here in the meantime. The pages are the same on
        any number of processes."""
        queue, self._queue = self._queue, []
        if len(queue) < PARALLEL_FROM:
            workers = 1
        else:
            for name in self.env.list_templates(extensions=["j2"]):  # compiled once, here
                self.env.get_template(name)
        chunks = [queue[i : i + CHUNK] for i in range(0, len(queue), CHUNK)]

        def render_chunk(i: int) -> list[str]:
            return [self._render(path, t, context) for path, t, context, _ in chunks[i]]

        texts = shared_map(render_chunk, len(chunks), workers, meanwhile)
        for chunk, done in zip(chunks, texts, strict=True):
            for (path, _, _, k), text in zip(chunk, done, strict=True):
                self._store(path, text, k)

    def render_all(self) -> dict[str, str]:
        """Every page made from the ``Site`` (queued when ``deferred``)."""
        site = self.site
        ordered = site.by_date
        for i, a in enumerate(ordered):
            newer = ordered[i - 1] if i > 0 and a.date else None
            older = (
                ordered[i + 1] if i + 1 < len(ordered) and ordered[i + 1].date and a.date else None
            )
            self.page(
                article_path(a),
                "article.md.j2",
                a=a,
                newer=newer,
                older=older,
                related=related(a, site),
            )
        self.page("index.md", "home.md.j2", latest=ordered[:LATEST], chart_rows=month_chart(site))
        self.page("tags/index.md", "tags_index.md.j2")
        self.listing(site.tag_index, site.tag_path, "标签", "tags/index.md")
        self.page("cities/index.md", "cities_index.md.j2", chart_rows=city_chart(site))
        for city, items in site.city_index.items():
            counties = [
                (c, len(n))
                for c, n in site.city_index.items()
                if site.cities.get(c, {}).get("parent") == city
            ]
            self.city(city, items, site.mention_index.get(city, []), counties)
        for city, items in site.mention_index.items():
            if city not in site.city_index:
                self.city(city, [], items, [])
        self.render_dates()
        self.page("reporters/index.md", "reporters_index.md.j2")
        self.listing(site.reporter_index, site.reporter_path, "记者", "reporters/index.md")
        self.page("papers/index.md", "papers_index.md.j2")
        self.listing(site.paper_index, site.paper_path, "报纸", "papers/index.md")
        self.page("topics/index.md", "topics_index.md.j2")
        self.listing(site.topic_index, site.topic_path, "专题", "topics/index.md")
        self.page("about.md", "about.md.j2")
        return self.files

    def listing(self, index: dict[str, list[Article]], path_of, kind: str, up: str) -> None:
        """One list (of pages) per key of ``index`` (a tag, reporter, paper or topic)."""
        for name, items in index.items():
            self.paged(
                path_of(name),
                "list.md.j2",
                items,
                heading=f"{kind}：{name}",
                up=up,
                up_label=f"返回{kind}索引",
            )

    def city(
        self, city: str, items: list[Article], mentions: list[Article], counties: list
    ) -> None:
        """A city's pages: its main reports, then the articles that mention it.

        Mentions are listed on the first page; more than ``PAGE_SIZE`` of them
        get a list of their own (``cities/changchun/mentions.md``), linked from it.
        """
        site = self.site
        path = site.city_path(city)
        parent = site.cities.get(city, {}).get("parent")
        # The parent is linked only when it has a page: a county that is only
        # mentioned does not roll up to its prefecture (only main reports do),
        # so the prefecture may have no article and no page at all.
        parent_path = site.city_path(parent) if parent and site.has_city_page(parent) else None
        mentions_path = None
        if len(mentions) > PAGE_SIZE:
            mentions_path = beside(path, "mentions")
            self.paged(
                mentions_path,
                "list.md.j2",
                mentions,
                heading=f"提及{city}的文章",
                up=path,
                up_label=f"返回{city}",
            )
        self.paged(
            path,
            "city.md.j2",
            items,
            first={
                "counties": counties,
                "mentions": [] if mentions_path else mentions,
                "mentions_path": mentions_path,
            },
            city=city,
            parent_path=parent_path,
            mentions_total=len(mentions),
        )

    def render_dates(self) -> None:
        site = self.site
        latest = max(site.year_index, default=None)
        self.page(
            "dates/index.md",
            "dates_index.md.j2",
            years=year_grid(site),
            calendar=calendar(site, latest) if latest else [],
        )
        months_of: dict[str, dict[str, int]] = defaultdict(dict)  # year → month → count
        for month, items in sorted(site.month_index.items()):
            months_of[month[:4]][month] = len(items)
        days_of: dict[str, dict[str, int]] = defaultdict(dict)  # month → day → count
        for day, items in sorted(site.day_index.items()):
            days_of[day[:7]][day] = len(items)
        for year, items in site.year_index.items():
            self.paged(
                f"dates/{year}.md",
                "date_year.md.j2",
                items,
                first={"months": months_of[year], "calendar": calendar(site, year)},
                year=year,
            )
        for month, items in site.month_index.items():
            month_only = sum(a.date_precision == "month" for a in items)
            self.paged(
                f"dates/{month}.md",
                "date_month.md.j2",
                items,
                month=month,
                days=days_of[month],
                month_only=month_only,
            )
        by_day_of_year: dict[str, list[str]] = defaultdict(list)  # "02-07" → its dates
        for day in sorted(site.day_index):
            by_day_of_year[day[5:]].append(day)
        for day, items in site.day_index.items():
            same_day = [d for d in by_day_of_year[day[5:]] if d != day]
            self.paged(f"dates/{day}.md", "date_day.md.j2", items, day=day, same_day=same_day)
        undated = [a for a in site.by_date if not a.date]
        self.paged(
            "dates/undated.md",
            "list.md.j2",
            undated,
            heading="日期不详的文章",
            up="dates/index.md",
            up_label="返回日期索引",
        )


def year_grid(site: Site) -> list[dict]:
    """Year → articles per month, newest year first: the dates index's table,
    a row per year however long the archive (day calendars are on year pages)."""
    return [
        {
            "year": year,
            "count": len(site.year_index[year]),
            "months": [
                (m, len(site.month_index.get(m, [])))
                for m in (f"{year}-{i:02d}" for i in range(1, 13))
            ],
        }
        for year in sorted(site.year_index, reverse=True)
    ]


def calendar(site: Site, only_year: str | None = None) -> list[dict]:
    """Year → month → weeks of days with article counts, for the calendar view."""
    years: list[dict] = []
    for year in sorted(site.year_index, reverse=True):
        if only_year and year != only_year:
            continue
        months = []
        for month in sorted((m for m in site.month_index if m.startswith(year)), reverse=True):
            y, m = int(month[:4]), int(month[5:7])
            first = _dt.date(y, m, 1)
            days_in = ((_dt.date(y + m // 12, m % 12 + 1, 1)) - first).days
            cells: list[dict | None] = [None] * first.weekday()
            for d in range(1, days_in + 1):
                key = f"{month}-{d:02d}"
                cells.append({"day": d, "date": key, "count": len(site.day_index.get(key, []))})
            while len(cells) % 7:
                cells.append(None)
            weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
            months.append({"month": month, "count": len(site.month_index[month]), "weeks": weeks})
        years.append({"year": year, "count": len(site.year_index[year]), "months": months})
    return years


def bar_chart(
    rows: Iterable[tuple[str, int, str | None]], width: int = 560, bar_h: int = 18
) -> str:
    """A horizontal SVG bar chart made at build time (label, value, href)."""
    rows = list(rows)
    if not rows:
        return ""
    top = max(v for _, v, _ in rows) or 1
    label_w, gap = 110, 6
    height = len(rows) * (bar_h + gap) + gap
    parts = [
        f'<svg class="archive-chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value, href) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(2, int((width - label_w - 50) * value / top))
        bar = (
            f'<text x="{label_w - 6}" y="{y + bar_h - 4}" text-anchor="end">{esc(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" rx="3">'
            f"<title>{esc(label)}：{value}</title></rect>"
            f'<text x="{label_w + w + 4}" y="{y + bar_h - 4}">{value}</text>'
        )
        parts.append(f'<a href="{esc(href)}">{bar}</a>' if href else bar)
    parts.append("</svg>")
    return "".join(parts)


def month_chart(site: Site) -> list[tuple[str, int, str]]:
    """Articles per month, oldest first (rows for ``bar_chart``)."""
    return [(date_label(m), len(v), f"dates/{m}.md") for m, v in sorted(site.month_index.items())]


def city_chart(site: Site) -> list[tuple[str, int, str]]:
    """Articles per prefecture-level city (counties rolled up)."""
    rows = [
        (c, len(v), site.city_path(c))
        for c, v in site.city_index.items()
        if not site.cities.get(c, {}).get("parent")
    ]
    return rows


def render(
    articles: list[Article], cities: dict[str, dict], topics: dict[str, str], settings: dict
) -> dict[str, str]:
    """Render the whole archive; returns docs-relative path → Markdown."""
    site = Site(articles, cities, topics, settings)
    return Renderer(site).render_all()


def source_pages(pages: list, renderer: Renderer) -> None:
    """One page per raw file: its text as read, with line numbers to link to."""
    for page in pages:
        text = page.original or "\n".join(line.text for line in page.lines)
        renderer.page(
            f"sources/{page.file}.md",
            "source.md.j2",
            file=page.file,
            lines=NumberedLines(text),
            encoding=page.encoding,
            script=page.script,
        )


@dataclass(frozen=True)
class NumberedLines:
    """A text's numbered lines, made only when a page is rendered; the cache
    key is the text itself (its ``repr``)."""

    text: str

    def html(self) -> str:
        """Every line, escaped, after its number as an anchor (``#L12``), each ending in ``\\n``.

        Made here rather than in the template: a raw file has hundreds of lines,
        and a template loop costs several times as much per line.
        """
        return "".join(
            f'<span class="ln" id="L{i}">{i:4d}</span>  {esc(t)}\n'
            for i, t in enumerate(self.text.split("\n"), start=1)
        )


def render_archive(
    articles: list[Article],
    pages: list,
    settings,
    memo: Memo | None = None,
    previous: dict[str, str] | None = None,
) -> dict[str, str | Kept]:
    """Every generated file of the Simplified edition: pages, data, feeds.

    ``memo`` and ``previous`` (the manifest of docs/) let unchanged pages be
    kept instead of rendered again (see ``Renderer``).
    """
    from . import export
    from .enrich import places, tags

    gaz = {
        name: {"full": p.full, "code": p.code, "parent": p.parent, "slug": p.slug, "level": p.level}
        for name, p in places.gazetteer().items()
    }
    topics = {name: tags.topic_slug(name) for a in articles for name in a.topics}
    site = Site(
        articles, gaz, topics, {"site_url": settings.site_url, "site_name": settings.site_name}
    )
    renderer = Renderer(site, memo=memo, previous=previous, deferred=True)
    renderer.env.globals.update(
        cite_gb=lambda a: cite_gb(a, settings.site_url),
        cite_bib=lambda a: cite_bib(a, settings.site_url),
        settings_feed_size=export.FEED_SIZE,
    )
    renderer.render_all()
    source_pages(pages, renderer)
    data: dict[str, str] = {}

    def data_files() -> None:  # made here while the workers render the pages
        data["data/corpus.jsonl"] = export.jsonl(articles)
        data["feed.xml"] = export.atom_feed(articles, settings.site_url, settings.site_name)
        data["feed.json"] = export.json_feed(articles, settings.site_url, settings.site_name)

    renderer.flush(settings.workers, meanwhile=data_files)
    files = renderer.files
    files.update(data)
    return dict(sorted(files.items()))


def cite_gb(a: Article, site_url: str) -> str:
    """GB/T 7714-2015 reference for a newspaper article, with its stable URL."""
    authors = ", ".join(a.reporters[:3]) + (", 等" if len(a.reporters) > 3 else "")
    head = f"{authors}. " if authors else ""
    paper = a.paper or "佚名报纸"
    date = a.date or "出版日期不详"
    page = f"({a.page})" if a.page else ""
    return f"{head}{a.title}[N/OL]. {paper}, {date}{page}. {site_url.rstrip('/')}/{a.url}"


def cite_bib(a: Article, site_url: str) -> str:
    """BibTeX entry for an article, keyed by its stable id."""

    def field(value: str) -> str:
        return value.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")

    lines = [f"@article{{{a.id},", f"  title = {{{field(a.title)}}},"]
    if a.reporters:
        lines.append(f"  author = {{{field(' and '.join(a.reporters))}}},")
    if a.paper:
        lines.append(f"  journal = {{{field(a.paper)}}},")
    if a.date:
        lines.append(f"  date = {{{a.date}}},")
        lines.append(f"  year = {{{a.date[:4]}}},")
    if a.page:
        lines.append(f"  pages = {{{field(a.page)}}},")
    lines.append(f"  url = {{{site_url.rstrip('/')}/{a.url}}},")
    lines.append("  langid = {chinese},")
    lines.append("}")
    return "\n".join(lines)
