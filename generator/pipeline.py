"""The pipeline: raw page files to both editions' Markdown, in order (each stage
is one module; ``__main__.py`` only parses arguments and maps errors to exit codes):

    read    corpus/*.txt (+ NAME.meta.yml)      → RawFile      read.py
  ┌ per raw file, cached by content, on every core            pages.py
  │ decode  UTF-8 / GB18030 / Big5 → text       → RawPage      read.py
  │ clean   spaces, punctuation, OCR fixes      → RawPage      clean.py
  └ split   headlines, bylines, captions        → Article      split.py
    merge   duplicates, displaced tails, jumps  → Article      merge.py
    enrich  dates, paper, people, places, tags  → Article      enrich/
    render  Jinja2 templates → Markdown files   → {path: text} render.py
    hant    OpenCC mirror in Traditional script → {path: text} hant.py
    write   atomic swap into docs/              → docs/        publish.py
    site    MkDocs builds + search index        → site/        site.py

Costly per-item results (pages, places, tags, the
Traditional text) are memoised in ``.generator-cache/build/`` by a hash of their inputs
and of the generator's code (``cache.py``), so a rebuild redoes only what a
change touched; ``--no-cache`` turns that off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import cache, merge, pages, read, render
from .enrich import enrich
from .enrich import warm_worker as enrich_worker
from .errors import ShrinkError, shown
from .model import Article, Problem
from .progress import Progress
from .settings import Settings


@dataclass
class Archive:
    """What the pipeline produced from one corpus."""

    articles: list[Article]
    pages: list
    problems: list[Problem] = field(default_factory=list)
    merges: merge.MergeReport = field(default_factory=merge.MergeReport)


def process(
    corpus: Path,
    progress: Progress,
    workers: int | None = None,
    caches: cache.Caches | None = None,
) -> Archive:
    """read → decode, clean, split → merge → enrich: the corpus as distinct articles.

    ``caches`` let a rebuild reuse the results of unchanged files and articles
    (see ``cache.py``); the output is the same with or without them.
    """
    if not corpus.is_dir():  # a mistyped --corpus must not empty the archive
        raise ValueError(f"{corpus}: corpus directory not found; nothing was written")
    caches = caches or cache.disabled()
    with enrich_worker(caches, workers) as warm:  # loads the tokenizer while we read and merge
        with progress.stage("read") as s:
            files, problems = read.read_files(corpus, caches["meta"])
            s["count"] = len(files)
        with progress.stage("clean+split") as s:  # per file: decode, clean, split
            results = pages.process_files(files, caches["pages"], workers)
            problems += [p for r in results for p in r.problems]
            fragments = [a for r in results for a in r.fragments]
            s["count"] = len(fragments)
        with progress.stage("merge") as s:
            articles, merges = merge.merge(fragments, caches["words"])
            s["count"] = len(articles)
        with progress.stage("enrich") as s:
            articles = enrich(articles, workers, caches, warm)
            s["count"] = len(articles)
    if not articles:  # an empty or all-bad corpus: never a passing --strict run
        problems.append(Problem("error", shown(corpus), "no articles found in the corpus"))
    # Problems are about the input; an article's own quality warnings (text gaps)
    # are shown by `check`, on its page and in the export, and do not fail --strict.
    return Archive(articles, [r.page for r in results if r.page], problems, merges)


def generate(settings: Settings, progress: Progress) -> Archive:
    """The whole generation: process, render (both scripts), write docs atomically.

    Holds both docs folders' locks throughout: unchanged pages are kept as
    they are on disk (``publish.Kept``), so nobody else may write meanwhile.
    """
    from . import editions, hans_variants, hant, publish

    caches = cache.Caches(settings.cache_dir)
    with (
        publish.run_lock(settings.docs, settings.lock_wait),
        publish.run_lock(settings.docs_hant, settings.lock_wait),
    ):
        publish.recover(settings.docs)
        publish.recover(settings.docs_hant)
        archive = process(settings.corpus, progress, settings.workers, caches)
        keep = settings.cache_dir is not None
        with progress.stage("render") as s:
            files = render.render_archive(
                archive.articles,
                archive.pages,
                settings,
                caches["render"] if keep else None,
                publish.read_manifest(settings.docs) if keep else None,
            )
            s["count"] = sum(not isinstance(c, publish.Kept) for c in files.values())
        hant_files: dict[str, str | publish.Kept] = {}
        if settings.hant:
            with progress.stage("hant") as s:
                hant_files = hant.mirror(
                    files,
                    settings,
                    archive.articles,
                    caches["hant"],
                    publish.read_manifest(settings.docs_hant) if keep else None,
                )
                s["count"] = sum(not isinstance(c, publish.Kept) for c in hant_files.values())
        # the Simplified edition's search map (Traditional → Simplified), made after
        # the mirror so that it is not converted as a page of the Traditional edition
        files[hans_variants.FILE] = hans_variants.variants_js(files, settings)
        files.update(editions.sitemap_stubs(files))
        if settings.hant:
            hant_files.update(editions.sitemap_stubs(hant_files))
        check_shrink(settings, files)
        # Both editions are ready before either is written, and both trees are
        # staged before either is swapped in: the two swaps follow each other at once.
        with progress.stage("write") as s:
            report, staged = publish.stage_tree(settings.docs, files)
            staged_hant = None
            if settings.hant:
                _, staged_hant = publish.stage_tree(settings.docs_hant, hant_files)
            if staged is not None:
                publish.swap_in(staged, settings.docs)
            if staged_hant is not None:
                publish.swap_in(staged_hant, settings.docs_hant)
            s["count"] = report.written
        caches.save()
        publish.finish()
        # the search dictionaries and the derived edition configs (editions.py),
        # for the docs folder mkdocs.yml names (a --docs build is built by `site`)
        if not settings.docs_chosen:
            editions.write_engine_files(settings, len(archive.articles))
    for path in report.conflicts or []:
        archive.problems.append(
            Problem(
                "warning",
                str(settings.docs / path),
                "hand-written file kept; generated page not written",
            )
        )
    progress.counts.update(
        {
            "raw pages": len(archive.pages),
            "articles": len(archive.articles),
            "duplicates merged": archive.merges.duplicates_merged,
            "glued copies cut": archive.merges.copies_cut,
            "displaced tails joined": archive.merges.tails_joined,
            "page jumps joined": archive.merges.continuations_joined,
            "docs written / unchanged": f"{report.written} / {report.unchanged}",
            "stale pages removed": report.removed,
            "cache hits / misses": caches.stats() or "off",
        }
    )
    return archive


_ARTICLE_PAGE = re.compile(r"^articles/(?:[^/]+/)*(?:\d{8}|nd)-[^/]+\.md$")


def check_shrink(settings: Settings, files: dict) -> None:
    """Refuse (``ShrinkError``) a build that would remove more than half of the
    articles the docs folder holds, or all of them, unless ``--allow-shrink``.

    A mistyped ``--corpus``, an emptied folder or a corpus whose every file
    went bad must not wipe an archive that was fine.
    """
    from . import publish

    before = {p for p in publish.read_manifest(settings.docs) if _ARTICLE_PAGE.match(p)}
    if not before or settings.allow_shrink:
        return
    after = {p for p in files if _ARTICLE_PAGE.match(p)}
    removed = len(before - after)
    if removed * 2 > len(before) or not after:
        raise ShrinkError(
            f"this build would remove {removed} of the {len(before)} articles in "
            f"{shown(settings.docs)} (the corpus {shown(settings.corpus)} gives {len(after)}); "
            "nothing was changed: check --corpus, or run again with --allow-shrink"
        )
