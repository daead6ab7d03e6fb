"""The MkDocs plugin ``archive``: ``plugins: [archive]`` in ``mkdocs.yml``.

Its options (``ArchiveConfig``) are the archive's settings, read by the
command line too (``settings.load_settings``). Under ``mkdocs build`` and
``mkdocs serve`` it runs the generator before MkDocs reads the docs folder.
Everything else it does only saves time or trims the offline search index:

* ``on_config``: the search dictionaries the configured OpenCC variant needs
  (the generator writes them too; this covers a fresh clone under ``serve``),
  and the served search engine (Pagefind on ``build``, Material's on ``serve``).
* ``on_page_markdown`` / ``on_page_content``: the generated pages' raw HTML
  blocks and link lists are set aside from Python-Markdown and put back after
  it (``fastpages.py``): the same HTML, in a fraction of the time.
* ``on_env``: ``archive_cached``, page chrome rendered once per folder
  (``site_overrides/main.html`` works without it).

A plain ``mkdocs build`` (or another engine) without this plugin builds the
same pages from what ``python -m generator build`` wrote.
"""

from __future__ import annotations

import logging
import os
import re

from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.plugins import BasePlugin, event_priority

log = logging.getLogger("mkdocs.plugins.archive")

OPENCC_CONFIGS = ("s2t", "s2tw", "s2hk", "s2twp", "s2hkp")
DEFAULT_OPENCC = "s2t"  # script only: the archive-of-record choice
SKIP_ENV = "ARCHIVE_SKIP_GENERATE"  # set by the command line: it generated already


class ArchiveConfig(base.Config):
    """The archive's settings: the one place their defaults are written."""

    corpus = c.Type(str, default="corpus")
    hant = c.Type(bool, default=True)  # build the Traditional-Chinese mirror
    opencc = c.Choice(OPENCC_CONFIGS, default=DEFAULT_OPENCC)
    docs_hant = c.Type(str, default="docs-hant")
    offline_dir = c.Type(str, default="site-offline")
    # articles; above it the offline index holds each article's head, not its body
    offline_full_text_limit = c.Type(int, default=300)
    search = c.Choice(("pagefind", "material"), default="pagefind")  # the served build's
    search_merge = c.ListOfItems(c.Type(dict), default=[])  # other sub-sites' bundles
    pagefind_writer = c.Choice(("archive", "pagefind"), default="archive")
    # unused since Pagefind indexes in one run; kept so that old configs load
    pagefind_memory_mb = c.Type(int, default=3000)
    generate = c.Type(bool, default=True)  # run the generator on mkdocs build/serve
    fast = c.Type(bool, default=True)  # set generated HTML blocks aside from Markdown
    # set in derived edition configs: the offline index holds heads only (a note says so)
    offline_scope = c.Optional(c.Type(str))


class ArchivePlugin(BasePlugin[ArchiveConfig]):
    """Runs the generator inside ``mkdocs build``/``serve``; see the module docstring."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command = "build"
        self.fast = None
        self.pagefind = False
        self.bytecode = _MemoryBytecodeCache()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    @event_priority(100)  # before the search plugin reads its dictionaries
    def on_config(self, config):
        from . import editions
        from .enrich.tags import quiet_jieba

        quiet_jieba()  # Material's search loads jieba's dictionaries next: no progress lines
        settings = self._settings(config)
        if not settings.hant:
            config.extra["script_switch"] = None
        editions.write_dictionaries(settings)
        self.pagefind = False
        if self.command in ("build", "gh-deploy") and self.config.search == "pagefind":
            from .site import served_search

            self.pagefind = served_search(self.config) == "pagefind"
        if self.pagefind:
            editions.use_pagefind(config, self.config.search_merge)
        elif self.config.offline_scope:  # the search panel says what it searches
            config.extra["archive_search"] = {"offline_scope": self.config.offline_scope}
        if self.config.fast:
            from .fastpages import FastPages

            self.fast = FastPages(config)
        return config

    def _settings(self, config):
        from pathlib import Path

        from .settings import settings_from

        return settings_from(Path(config.config_file_path).resolve(), self.config, config)

    def on_pre_build(self, *, config) -> None:
        """Generate the Markdown before MkDocs reads the docs folder."""
        if not self.config.generate or os.environ.get(SKIP_ENV) == "1":
            return
        from .pipeline import generate
        from .progress import Progress

        settings = self._settings(config)
        settings.lock_wait = 60
        archive = generate(settings, Progress(quiet=True))
        log.info("archive: %d articles generated from %s", len(archive.articles), settings.corpus)
        for problem in archive.problems:
            log.info("archive: %s", problem)

    def on_serve(self, server, *, config, builder):
        """Under ``mkdocs serve``, rebuild on a change of the corpus (``watch:``),
        not of docs/: the generator writes docs/ during every build, and a watch
        on it would start a second build after each one."""
        if self.config.generate and os.environ.get(SKIP_ENV) != "1":
            server.unwatch(config.docs_dir)
        return server

    @event_priority(-1000)  # last: every other plugin sees the page's own Markdown
    def on_page_markdown(self, markdown, *, page, config, files):
        if self.config.offline_scope and _summary_only(page.file.src_uri):
            page.meta.setdefault("search", {})["exclude"] = True
        if self.fast is None:
            return markdown
        return self.fast.before(markdown, page, files, config)

    @event_priority(1000)  # first: every other plugin sees the whole page
    def on_page_content(self, html, *, page, config, files):
        if self.fast is not None:
            html = self.fast.after(html, page)
        if self.config.offline_scope:
            html = _heads_only(page.file.src_uri, html)
        return html

    def on_post_build(self, *, config) -> None:
        """``mkdocs build`` on its own: the Pagefind index of this edition (the
        site command writes it itself, beside the MkDocs builds)."""
        if not self.pagefind or os.environ.get(SKIP_ENV) == "1":
            return
        from pathlib import Path

        from .pagefind import BUNDLE
        from .site import index_edition

        lang = "zh-Hant" if config.theme["language"] == "zh-Hant" else "zh-Hans"
        options = self.config
        index_edition(
            lang,
            Path(config.docs_dir),
            Path(config.site_dir) / BUNDLE,
            options.pagefind_writer,
            options.opencc if lang == "zh-Hant" else None,
        )

    def on_env(self, env, *, config, files):
        """``archive_cached``: a fragment rendered once per key (see main.html).

        The theme's templates are compiled once per process, not once per build
        (``mkdocs serve`` rebuilds with a new Jinja environment each time): a
        bytecode cache keyed, as Jinja does, by each template's source checksum.
        """
        env.bytecode_cache = self.bytecode
        store: dict[tuple, str] = {}

        def archive_cached(*key, caller):
            try:
                return store[key]
            except KeyError:
                text = store[key] = caller()
                return text

        env.globals["archive_cached"] = archive_cached
        return env


class _MemoryBytecodeCache(BytecodeCache):
    """Jinja's compiled templates, kept in memory for the life of the process."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_INDEX_PAGES = ("tags/", "cities/", "dates/", "papers/", "topics/")


def _heads_only(src_uri: str, html: str) -> str:
    """A page as Material's heads-only offline index should see it: an article
    without its body (its head: title, paper, date, reporters, tags, places),
    an index page without its link lists (their titles are the articles')."""
    if src_uri.startswith("articles/"):
        head, body, rest = html.partition('<div class="archive-body"')
        if not body:
            return html
        # the body, and the sections after it (related articles …): a heading
        # marked so leaves its whole section out of Material's index
        rest = re.sub(r"<(h[2-6])(?=[\s>])", r"<\1 data-search-exclude", rest)
        return head + '<div class="archive-body" data-search-exclude' + rest
    if src_uri.startswith(_INDEX_PAGES) or src_uri == "index.md":
        return html.replace("<ul>", "<ul data-search-exclude>")
    return html


def _summary_only(src_uri: str) -> bool:
    """Pages left out of a heads-only offline index: raw sources, reporters, single
    days (their text, names and dates are in the articles' entries)."""
    return src_uri.startswith(("sources/", "reporters/")) or bool(
        re.match(r"dates/\d{4}-\d{2}-\d{2}\.md$", src_uri)
    )
