"""Site stage: MkDocs builds of both editions, online and offline, and their search.

* ``site/``            Simplified edition (``mkdocs.yml``), served over http
* ``site/zh-Hant/``    Traditional edition (``mkdocs-hant.yml``)
* ``site-offline/``    the same two editions for file:// browsing

Search differs by build:

* **Served** (``site/``): Pagefind (``generator/pagefind.py``), one index per
  edition in ``pagefind/``. Material's search plugin is switched off for these
  builds (no ``search_index.json``, no search worker, and no jieba pass over
  every page at build time) and ``extra.archive_search`` tells the
  ``archive-search.html`` partial to put the Pagefind search box in the header.
  ``extra.archive.search: material`` (or ``ARCHIVE_SEARCH=material``) keeps
  Material's search instead; so does a machine without Pagefind, with a warning.
* **Offline** (``site-offline/``) and ``mkdocs serve``: Material's own search.
  Its index is rebuilt in the browser on every page load, so above
  ``extra.archive.offline_full_text_limit`` articles (default 300) the
  offline index holds each article's title, summary (its first paragraph),
  tags, places and other metadata instead of the full text, and the search
  panel says so.

Speed: the generated pages' raw HTML blocks (``markdown="0"``) are set aside
before Python-Markdown and put back after it, and their link lists are turned
into HTML directly (``LinkLists``: the same bytes Python-Markdown makes); with
two cores or more the two editions are built by two worker processes while
this one writes the Pagefind indexes (``--workers 1``: one after the other).

Each output folder is built in a staging folder and swapped in atomically
(see ``publish.swap_in``), so a failed or killed build leaves the previous
site untouched. Set ``ARCHIVE_TIMINGS`` to a file name to get one JSON line
per step (MkDocs builds, search indexes) appended to it.
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TypeVar

from . import publish

T = TypeVar("T")

SKIP_ENV = "ARCHIVE_SKIP_GENERATE"
SEARCH_ENV = "ARCHIVE_SEARCH"  # "pagefind" or "material": overrides extra.archive.search
TIMINGS_ENV = "ARCHIVE_TIMINGS"
_DAY_PAGE = re.compile(r"dates/\d{4}-\d{2}-\d{2}\.md$")
SUMMARY_CHARS = 0  # characters of an article's first paragraph in the offline summary index

OFFLINE_SCOPE = {
    "zh-Hans": "离线版的搜索只检索标题、报纸、日期、记者、标签和地点：本档案有 {n} 篇文章，"
    "超过离线全文检索的上限（{limit} 篇）。全文检索请使用在线版。",
    "zh-Hant": "離線版的搜尋只檢索標題、報紙、日期、記者、標籤和地點：本檔案有 {n} 篇文章，"
    "超過離線全文檢索的上限（{limit} 篇）。全文檢索請使用線上版。",
}


@contextmanager
def _env(**values: str):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class SiteBuildError(RuntimeError):
    """MkDocs refused to build (in strict mode: any warning)."""


def _mkdocs_logging() -> None:
    """Show MkDocs' warnings on stderr: as a library it has no handler of its own."""
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_archive", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("mkdocs %(levelname)s: %(message)s"))
        handler.setLevel(logging.WARNING)
        handler._archive = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def record_timing(step: str, seconds: float, count: int = 0) -> None:
    """Append one JSON line to the ``ARCHIVE_TIMINGS`` file, when it is set."""
    path = os.environ.get(TIMINGS_ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"step": step, "seconds": round(seconds, 3), "count": count}) + "\n")


@contextmanager
def timed(step: str) -> Iterator[dict]:
    info = {"count": 0}
    start = time.perf_counter()
    yield info
    record_timing(step, time.perf_counter() - start, info["count"])


def mkdocs_build(
    root: Path,
    config_file: str,
    site_dir: Path,
    adjust: Callable | None = None,
    fast: bool = True,
) -> int:
    """Run one MkDocs build (strict) into ``site_dir``; returns the page count.

    ``adjust(config)`` may change the loaded configuration before the build;
    ``fast`` sets raw HTML blocks aside from Markdown (``stash_html_blocks``).
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    _mkdocs_logging()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    cwd = os.getcwd()
    os.chdir(root)  # MkDocs and the search plugin resolve dictionary paths from here
    try:
        config = load_config(str(root / config_file), site_dir=str(site_dir), strict=True)
        if fast:
            fast_html_blocks(config)
        if adjust:
            adjust(config)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        except (MkDocsException, SystemExit) as exc:
            raise SiteBuildError(f"{config_file}: MkDocs build failed: {exc}") from None
        finally:
            config.plugins.on_shutdown()
    finally:
        os.chdir(cwd)
    return sum(1 for _ in site_dir.rglob("*.html"))


# --- raw HTML blocks past Markdown --------------------------------------------------

# The generated pages are mostly raw HTML marked ``markdown="0"`` (the
# templates escape every newspaper string). Python-Markdown would parse all
# that HTML only to stash it and put it back unchanged: most of an MkDocs
# build. These blocks are set aside before Markdown and restored after it.
_BLOCK_OPEN = re.compile(r'^<(div|details|nav|pre|dl)\b[^>\n]*\bmarkdown="0"[^>\n]*>', re.M)
_STASH_KEY = "ARCHIVEHTMLBLOCK{:06d}Z"
_STASH_P = re.compile(r"<p>(ARCHIVEHTMLBLOCK\d{6}Z)</p>")
_ANCHOR_ID = re.compile(r"<[^>]*\bid=\"([^\"]*)\"")


def stash_html_blocks(markdown: str) -> tuple[str, dict[str, str]]:
    """``markdown`` with each top-level ``markdown="0"`` HTML block replaced by a key."""
    blocks: dict[str, str] = {}
    out: list[str] = []
    pos = 0
    for m in _BLOCK_OPEN.finditer(markdown):
        if m.start() < pos:
            continue  # inside a block already set aside
        tag = m.group(1)
        end = _block_end(markdown, m.end(), tag)
        if end is None:
            continue  # unbalanced: leave it to Markdown
        key = _STASH_KEY.format(len(blocks))
        blocks[key] = markdown[m.start() : end]
        out.append(markdown[pos : m.start()])
        out.append(f"\n\n{key}\n\n")
        pos = end
    out.append(markdown[pos:])
    return "".join(out), blocks


def _block_end(text: str, start: int, tag: str) -> int | None:
    """End of the element opened just before ``start``: its closing tag must end a line."""
    tags = re.compile(rf"<(/?){tag}\b[^>]*>")
    depth = 1
    for m in tags.finditer(text, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            end = m.end()
            if text.startswith("\n", end) or end == len(text):
                return end
            return None
    return None


def restore_html_blocks(html: str, blocks: dict[str, str]) -> str:
    if not blocks:
        return html
    return _STASH_P.sub(lambda m: blocks.get(m.group(1), m.group(0)), html)


# --- link lists past Markdown ------------------------------------------------------

# Index pages are long lists of one-line items: ``- [title](../articles/….md)
# <span …>date</span> · paper<br><span …>summary</span>``. Python-Markdown's
# inline processor takes milliseconds for each such list; these are turned
# into the HTML Python-Markdown would make (same bytes) and set aside like the
# raw HTML blocks. Only a list in the narrow form below is converted: any
# other Markdown syntax in it, a link that MkDocs would warn about, or a
# Markdown extension that could change inline text leaves the list to
# Python-Markdown.
_LIST_EXTENSIONS = {"attr_list", "admonition", "fenced_code", "tables", "toc"}
_LIST_BLOCK = re.compile(r"(?:(?<=\n\n)|\A)((?:- [^\n]+\n)+)(?=\n|\Z)")
_INLINE = re.compile(
    r"""(?P<plain>[^\\`*_\[\]!<>&{}|\n]+)"""
    r"""|\\(?P<esc>[^\n])"""
    r"""|(?P<ent>&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[0-9a-zA-Z]+);)"""
    r"""|(?P<tag></?[a-zA-Z][a-zA-Z0-9]*(?: [^<>\n]*)?>)"""
    r"""|\[(?P<label>(?:[^\\`*_\[\]!<>&{}|\n]|\\[^\n]|&(?:\#[0-9]+|[0-9a-zA-Z]+);)+)\]"""
    r"""\((?P<url>[A-Za-z0-9_./-]+\.md)\)"""
)
_LABEL_PART = re.compile(r"\\([^\n])")
# what an item must not start with: a nested block, or nothing at all
_ITEM_START = re.compile(r"$|[\s#>*+<=-]|\d+[.)]")
# an HTML block or code left to Markdown (a "blank" line may be inside it),
# except one element on one line
_OTHER_BLOCKS = re.compile(r"^(?:<(?!([a-z][a-z0-9]*)\b[^\n]*</\1>$)|    |\t|```|~~~)", re.M)


def _cdata(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


class LinkLists:
    """Turn the generator's link lists into HTML (``convert``), per page."""

    def __init__(self, config) -> None:
        import markdown

        names = {str(e).rsplit(".", 1)[-1] for e in config["markdown_extensions"]}
        self.enabled = names <= _LIST_EXTENSIONS
        md = markdown.Markdown(
            extensions=config["markdown_extensions"],
            extension_configs=config["mdx_configs"] or {},
        )
        self.escaped = frozenset(md.ESCAPED_CHARS)
        self.hrefs: dict[tuple[str, str], str | None] = {}

    def _href(self, page, files, url: str) -> str | None:
        """The link MkDocs would write for ``url`` on ``page``; ``None``: leave it to MkDocs."""
        from mkdocs.utils import get_relative_url

        src = page.file.src_uri
        key = (src.rpartition("/")[0], url)
        if key in self.hrefs:
            return self.hrefs[key]
        target_uri = posixpath.normpath(posixpath.join(posixpath.dirname(src), url).lstrip("/"))
        target = files.get_file_from_path(target_uri)
        href = None
        if target is not None and not target.inclusion.is_excluded():
            # same folder, same relative link: use_directory_urls is off (checked)
            href = get_relative_url(target.url, page.file.url)
        self.hrefs[key] = href
        return href

    def _unescape(self, m: re.Match) -> str:
        char = m.group(1)
        return char if char in self.escaped else m.group(0)

    def inline(self, text: str, page, files) -> str | None:
        out: list[str] = []
        pos = 0
        for m in _INLINE.finditer(text):
            if m.start() != pos:
                return None
            pos = m.end()
            kind = m.lastgroup
            if kind == "plain":
                out.append(m.group(0))
            elif kind == "esc":
                char = m.group("esc")
                if char in self.escaped:
                    out.append(_cdata(char))
                elif _INLINE.fullmatch(char) and _INLINE.fullmatch(char).lastgroup == "plain":
                    out.append("\\" + char)
                else:
                    return None
            elif kind in ("ent", "tag"):
                out.append(m.group(0))
            else:
                href = self._href(page, files, m.group("url"))
                if href is None:
                    return None
                label = _cdata(_LABEL_PART.sub(self._unescape, m.group("label")))
                out.append(f'<a href="{href}">{label}</a>')
        if pos != len(text):
            return None
        return "".join(out)

    def convert(self, markdown: str, page, files, config, blocks: dict[str, str]) -> str:
        """``markdown`` with each convertible list replaced by a key into ``blocks``."""
        if not self.enabled or config["use_directory_urls"] or _OTHER_BLOCKS.search(markdown):
            return markdown

        def replace(m: re.Match) -> str:
            items = []
            for line in m.group(1).splitlines():
                text = line[2:]
                if _ITEM_START.match(text) or text[-1:] in (" ", "\t"):
                    return m.group(0)  # a block inside the item, or a line break
                html = self.inline(text, page, files)
                if html is None:
                    return m.group(0)
                items.append(f"<li>{html}</li>")
            key = _STASH_KEY.format(len(blocks))
            blocks[key] = "<ul>\n" + "\n".join(items) + "\n</ul>"
            return f"{key}\n"

        return _LIST_BLOCK.sub(replace, markdown)


def fast_html_blocks(config) -> None:
    """Register the stash/restore pair on this build's plugin events."""
    stashes: dict[int, dict[str, str]] = {}
    lists = LinkLists(config)

    def on_page_markdown(markdown, page, config, files, **kwargs):
        markdown, blocks = stash_html_blocks(markdown)
        markdown = lists.convert(markdown, page, files, config, blocks)
        stashes[id(page)] = blocks
        return markdown

    def on_page_content(html, page, **kwargs):
        blocks = stashes.pop(id(page), {})
        if blocks and page.present_anchor_ids is not None:
            # MkDocs collects ids from raw HTML for its anchor checks: these too
            for block in blocks.values():
                page.present_anchor_ids.update(_ANCHOR_ID.findall(block))
        return restore_html_blocks(html, blocks)

    # last for markdown, first for content: other plugins see the real page
    on_page_markdown.mkdocs_priority = -1000  # type: ignore[attr-defined]
    on_page_content.mkdocs_priority = 1000  # type: ignore[attr-defined]
    config.plugins._register_event("page_markdown", on_page_markdown)
    config.plugins._register_event("page_content", on_page_content)


# --- which search ------------------------------------------------------------------


def search_engine(settings) -> str:
    """``pagefind`` or ``material`` for the served build."""
    wanted = os.environ.get(SEARCH_ENV) or _archive_extra(settings.root).get("search", "pagefind")
    if wanted != "pagefind":
        return "material"
    from . import pagefind

    if not pagefind.available():
        sys.stderr.write(
            "warning: Pagefind is not installed; the served site uses Material's search "
            "(pip install 'pagefind[extended]>=1.5,<1.6')\n"
        )
        return "material"
    return "pagefind"


def _archive_extra(root: Path) -> dict:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    try:
        config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)  # noqa: S506
    except (OSError, yaml.YAMLError):
        return {}
    return ((config or {}).get("extra") or {}).get("archive") or {}


def _search_plugin(config):
    for name in ("material/search", "search"):
        if name in config.plugins:
            return config.plugins[name]
    return None


def use_pagefind(config) -> None:
    """Served build: Material's search off, the Pagefind search box on."""
    plugin = _search_plugin(config)
    if plugin is not None:
        plugin.config["enabled"] = False
    archive = config.extra.get("archive") or {}
    config.extra["archive_search"] = {
        "engine": "pagefind",
        "bundle": "pagefind/",
        # other sub-sites searched together with this one (see bench/shards.py):
        # [{bundle: "../2021-2022/pagefind/"}], paths from this edition's root
        "merge": list(archive.get("search_merge") or []),
    }


def count_articles(docs: Path) -> int:
    """Article pages in a generated docs folder."""
    return sum(1 for _ in (docs / "articles").rglob("*.md")) if (docs / "articles").is_dir() else 0


# --- the offline summary index -----------------------------------------------------

_BODY_START = re.compile(r'<div class="archive-body"[^>]*>')
_FIRST_P = re.compile(r"<p(?: [^>]*)?>(.*?)</p>", re.S)
_TAGS = re.compile(r"<[^>]+>")
_NOTE = re.compile(r'<span class="archive-note">.*?</span>', re.S)
_LABELS = re.compile(r"<dt>.*?</dt>", re.S)
_INDEX_PAGES = ("tags/", "cities/", "dates/", "reporters/", "papers/", "topics/")
_HEADING_ONLY = re.compile(r"(tags|dates)/(?!index\.md$)")  # their first paragraph is boilerplate


def summary_content(src_uri: str, content: str) -> str | None:
    """What the offline summary index holds of a page (``None``: leave it out).

    Articles: everything before the body (headline, kicker, subtitle and the
    metadata block: paper, date, reporters, places, tags, topics) and the
    first paragraph cut to ``SUMMARY_CHARS`` (0: none; at 10,000 articles
    every byte counts against the 3 s to a first result). Index pages: their
    heading and first paragraph (tag and month pages: the heading only; the
    paragraph is a count and a link back). Raw source, reporter and day pages: nothing.
    Other pages: all of it.
    """
    if src_uri.startswith(("sources/", "reporters/")) or _DAY_PAGE.match(src_uri):
        return None  # their text and names are in the articles' entries
    if src_uri.startswith("articles/"):
        m = _BODY_START.search(content)
        if not m:
            return content
        # without the "date inferred from …" notes and the field labels (报纸, 日期 …)
        head = _LABELS.sub("", _NOTE.sub("", content[: m.start()]))
        if not SUMMARY_CHARS:
            return head
        first = _FIRST_P.search(content, m.end())
        text = _TAGS.sub("", first.group(1)) if first else ""
        if len(text) > SUMMARY_CHARS:
            text = text[:SUMMARY_CHARS] + "……"
        return head + f"<p>{text}</p>"
    if src_uri.startswith(_INDEX_PAGES) or src_uri == "index.md":
        head, sep, rest = content.partition("</h1>")
        if _HEADING_ONLY.match(src_uri):
            return head + sep
        first = _FIRST_P.search(rest)
        return head + sep + (first.group(0) if first else "")
    return content


@contextmanager
def summary_index() -> Iterator[None]:
    """While building: Material's search indexes ``summary_content`` of each page."""
    from material.plugins.search.plugin import SearchIndex

    original = SearchIndex.add_entry_from_context

    def add_entry_from_context(self, page):
        short = summary_content(page.file.src_uri, page.content or "")
        if short is None:
            return None
        full = page.content
        page.content = short
        try:
            return original(self, page)
        finally:
            page.content = full

    SearchIndex.add_entry_from_context = add_entry_from_context
    try:
        yield
    finally:
        SearchIndex.add_entry_from_context = original


def offline_scope(config, note: str) -> None:
    config.extra["archive_search"] = {"offline_scope": note}


# --- the build ---------------------------------------------------------------------


def build_edition(
    root: Path,
    config_file: str,
    out: Path,
    lang: str,
    offline: bool,
    engine: str,
    scope_note: str | None,
) -> int:
    """One edition's MkDocs build (in this process or a worker process; see ``build``)."""
    if scope_note:

        def adjust(config) -> None:
            offline_scope(config, scope_note)
    elif engine == "pagefind":
        adjust = use_pagefind
    else:
        adjust = None
    with _env(**{SKIP_ENV: "1"}), summary_index() if scope_note else nullcontext():
        with timed(f"mkdocs {lang}{' offline' if offline else ''}") as t:
            t["count"] = pages = mkdocs_build(root, config_file, out, adjust)
    if offline:
        utf8_search_index(out / "search")
    return pages


def utf8_search_index(folder: Path) -> None:
    """Rewrite Material's index without ``\\uXXXX`` escapes: half the bytes to load.

    The offline edition loads ``search_index.js`` on every page (file:// has no
    cache worth the name); Chinese text escaped as ``\\u4e2d`` is 6 bytes a
    character instead of 3.
    """
    source = folder / "search_index.json"
    if not source.is_file():
        return
    data = json.loads(source.read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # JSON allows these two inside strings; older JavaScript did not
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    source.write_text(text, encoding="utf-8")
    script = folder / "search_index.js"
    if script.is_file():
        script.write_text(f"var __index = {text}", encoding="utf-8")


def search_indexes(settings, langs: list[str], bundles: dict[str, Path]) -> None:
    """The Pagefind bundle of each edition (both at once when there are cores for it).

    Built from the generated Markdown, not from MkDocs' HTML, and after the
    MkDocs builds, not beside them (they use every core).
    """
    docs = {"zh-Hans": settings.docs, "zh-Hant": settings.docs_hant}
    jobs = [
        (lang, docs[lang], bundles[lang], settings.pagefind_writer, settings.pagefind_memory_mb)
        for lang in langs
    ]
    if parallel_editions(settings) and len(jobs) > 1:
        side_by_side(index_edition, jobs)
    else:
        for job in jobs:
            index_edition(*job)


def index_edition(lang: str, docs: Path, bundle: Path, writer: str, memory_mb: int) -> None:
    """One edition's Pagefind bundle (in this process or a worker process)."""
    from . import pagefind

    with timed(f"pagefind {lang}") as t:
        t["count"] = pagefind.index_edition(
            docs,
            bundle,
            workdir=bundle.parent,
            parts=None if writer == "archive" else 0,
            part_mb=memory_mb,
        )


def side_by_side(fn: Callable[..., T], jobs: list[tuple]) -> list[T]:
    """``[fn(*job) for job in jobs]``, each job in a spawned process of its own."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(jobs), mp_context=context) as pool:
        futures = [pool.submit(fn, *job) for job in jobs]
        try:
            return [f.result() for f in futures]
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def parallel_editions(settings) -> bool:
    """Build the two editions at once when there are cores for it."""
    if not settings.hant:
        return False
    workers = settings.workers if settings.workers is not None else (os.cpu_count() or 1)
    return workers >= 2


def build(settings, offline: bool = False) -> int:
    """Build the site (both editions when the Traditional one is on).

    With two cores or more, the two MkDocs builds run in two worker processes
    while this process writes the Pagefind indexes; with ``--workers 1``
    everything runs here, one step after the other.
    """
    root = settings.root
    if settings.hant:
        from .hant import jieba_dictionaries

        jieba_dictionaries(settings)  # for mkdocs-hant*.yml, in the configured variant
    target = settings.offline_dir if offline else settings.site
    configs = (
        ("mkdocs-offline.yml", "mkdocs-hant-offline.yml")
        if offline
        else ("mkdocs.yml", "mkdocs-hant.yml")
    )
    editions = [(configs[0], "zh-Hans")]
    if settings.hant:
        editions.append((configs[1], "zh-Hant"))
    langs = [lang for _, lang in editions]
    engine = "material" if offline else search_engine(settings)
    notes: dict[str, str | None] = dict.fromkeys(langs)
    if offline:
        n = count_articles(settings.docs)
        limit = settings.offline_full_text_limit
        if n > limit:
            for lang in langs:
                notes[lang] = OFFLINE_SCOPE[lang].format(n=f"{n:,}", limit=f"{limit:,}")
    pid = os.getpid()
    staging = target.parent / f".{target.name}.staging-{pid}"
    # The Simplified build empties its folder first: the Traditional edition is
    # built beside it and moved into staging/zh-Hant/ afterwards; so are the indexes.
    outs = {"zh-Hans": staging, "zh-Hant": target.parent / f".{target.name}.staging-{pid}-hant"}
    bundles = {
        lang: target.parent / f".{target.name}.staging-{pid}-pagefind-{lang}" for lang in langs
    }
    scratch = [*outs.values(), *bundles.values()]
    for folder in scratch:
        shutil.rmtree(folder, ignore_errors=True)
    pages = 0
    with (
        timed("site total") as total,
        publish.run_lock(target, settings.lock_wait),
        _env(**{SKIP_ENV: "1"}),
    ):
        publish.recover(target)
        jobs = [
            (root, cfg, outs[lang], lang, offline, engine, notes[lang]) for cfg, lang in editions
        ]
        try:
            if parallel_editions(settings):
                pages = sum(side_by_side(build_edition, jobs))
            else:
                pages = sum(build_edition(*job) for job in jobs)
            # the search indexes only once the MkDocs workers are gone: at scale
            # both take gigabytes
            if engine == "pagefind":
                search_indexes(settings, langs, bundles)
            if settings.hant:
                outs["zh-Hant"].rename(staging / "zh-Hant")
            if engine == "pagefind":
                from .pagefind import BUNDLE

                for lang, sub in (("zh-Hans", ""), ("zh-Hant", "zh-Hant")):
                    if lang in bundles:
                        bundles[lang].rename((staging / sub if sub else staging) / BUNDLE)
        except BaseException:
            for folder in scratch:
                shutil.rmtree(folder, ignore_errors=True)
            raise
        publish.swap_in(staging, target)
        publish.finish()
        total["count"] = pages
    return pages
