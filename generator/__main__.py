"""Command line: ``python -m generator {build,export,site,check,evaluate}``.

The whole pipeline, in order (each stage is one module):

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
Traditional text) are memoised in ``.cache/build/`` by a hash of their inputs
and of the generator's code (``cache.py``), so a rebuild redoes only what a
change touched; ``--no-cache`` turns that off.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import gc
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import cache, export, merge, pages, read, render
from .enrich import enrich
from .enrich import warm_worker as enrich_worker
from .model import Article, Problem
from .progress import Progress
from .settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


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
    # Problems are about the input; an article's own quality warnings (text gaps)
    # are shown by `check`, on its page and in the export, and do not fail --strict.
    return Archive(articles, [r.page for r in results if r.page], problems, merges)


def generate(settings: Settings, progress: Progress) -> Archive:
    """The whole generation: process, render (both scripts), write docs atomically.

    Holds both docs folders' locks throughout: unchanged pages are kept as
    they are on disk (``publish.Kept``), so nobody else may write meanwhile.
    """
    from . import hant, publish

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
            "displaced tails joined": archive.merges.tails_joined,
            "page jumps joined": archive.merges.continuations_joined,
            "docs written / unchanged": f"{report.written} / {report.unchanged}",
            "stale pages removed": report.removed,
            "cache hits / misses": caches.stats() or "off",
        }
    )
    return archive


def cmd_build(args: argparse.Namespace) -> int:
    settings = load_settings(ROOT, args)
    progress = Progress(quiet=args.quiet)
    archive = generate(settings, progress)
    sys.stderr.write(progress.summary(archive.problems))
    return exit_code(archive.problems, args.strict)


def cmd_export(args: argparse.Namespace) -> int:
    settings = load_settings(ROOT, args)
    progress = Progress(quiet=True)
    archive = _process(settings, progress)
    convert = None
    if args.variant == "zh-Hant":
        from .hant import converter

        convert = converter(settings)
    sys.stdout.write(export.jsonl(archive.articles, convert))
    for p in archive.problems:
        sys.stderr.write(f"{p}\n")
    return exit_code(archive.problems, args.strict)


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system.

    CPython keeps freed blocks in its heap: after a 10,000-article generation
    the process stays at 1.3 GB without ``malloc_trim`` and drops to 0.3 GB with it.
    """
    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def cmd_site(args: argparse.Namespace) -> int:
    from . import site

    settings = load_settings(ROOT, args)
    progress = Progress(quiet=args.quiet)
    archive = generate(settings, progress)
    problems = archive.problems
    del archive  # the site step runs MkDocs and Pagefind beside us: give the memory back
    release_memory()
    with progress.stage("mkdocs") as s:
        s["count"] = site.build(settings, offline=args.offline)
    progress.counts["site folder"] = str(settings.offline_dir if args.offline else settings.site)
    sys.stderr.write(progress.summary(problems))
    return exit_code(problems, args.strict)


def cmd_check(args: argparse.Namespace) -> int:
    from .check import report

    settings = load_settings(ROOT, args)
    archive = _process(settings, Progress(quiet=True))
    sys.stdout.write(report(archive.articles, archive.problems))
    return exit_code(archive.problems, args.strict)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate

    settings = load_settings(ROOT, args)
    archive = _process(settings, Progress(quiet=True))
    text, ok = evaluate(archive.articles, Path(args.gold), settings.corpus)
    sys.stdout.write(text)
    return 0 if ok else 1


def _process(settings: Settings, progress: Progress) -> Archive:
    """``process`` with the project's caches (read and updated)."""
    caches = cache.Caches(settings.cache_dir)
    archive = process(settings.corpus, progress, settings.workers, caches)
    caches.save()
    return archive


def exit_code(problems: list[Problem], strict: bool) -> int:
    """0 when the run did what it could: files it skipped or repaired are listed
    in the summary. With --strict, 1 on any error or warning (for CI)."""
    return 1 if strict and problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--corpus", type=Path, help="folder of raw page files (default: corpus/)")
        p.add_argument("--strict", action="store_true", help="exit non-zero on any warning")
        p.add_argument("--workers", type=int, help="processes (default: all cores)")
        p.add_argument("--quiet", "-q", action="store_true", help="no progress output")
        p.add_argument(
            "--no-cache",
            action="store_true",
            help="recompute everything; do not read or write the cache",
        )
        p.add_argument(
            "--cache-dir", type=Path, help="where results are memoised (default: .cache/build/)"
        )

    p = sub.add_parser("build", help="generate the Markdown archive into docs/")
    common(p)
    p.add_argument("--docs", type=Path, help="output folder (default: docs/)")
    p.add_argument(
        "--wait",
        type=float,
        default=0,
        dest="lock_wait",
        help="wait this long for another run's lock",
    )
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("export", help="write the cleaned corpus as JSON Lines on stdout")
    common(p)
    p.add_argument("--variant", choices=["zh-Hans", "zh-Hant"], default="zh-Hans")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("site", help="generate, then build the whole site with MkDocs")
    common(p)
    p.add_argument("--docs", type=Path, help="Markdown folder (default: docs/)")
    p.add_argument(
        "--offline", action="store_true", help="build site-offline/ for file:// browsing"
    )
    p.add_argument("--wait", type=float, default=0, dest="lock_wait")
    p.set_defaults(func=cmd_site)

    p = sub.add_parser("check", help="print a quality table, one row per article")
    common(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("evaluate", help="measure extraction and metadata against gold annotations")
    common(p)
    p.add_argument(
        "--gold", default=str(ROOT / "tests" / "fixtures" / "gold" / "seed-articles.json")
    )
    p.set_defaults(func=cmd_evaluate)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except read.MetadataError as exc:
        sys.stderr.write(f"error: {exc}\n")  # file:line: message
        return 1
    except Exception as exc:  # noqa: BLE001 - last line of defence: a clear message
        from .publish import LockedError
        from .site import SiteBuildError

        if isinstance(exc, LockedError | ValueError | OSError | SiteBuildError):
            sys.stderr.write(f"error: {exc}\n")
            return 2
        raise


def exit_now(code: int) -> None:
    """End the process without tearing down its heap object by object.

    After a 10,000-article run that teardown takes about half a second and
    does nothing: every file is written and closed, every pool joined.
    Deleting the replaced trees is waited for first (``publish.finish``).
    """
    from .publish import finish

    finish()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # reader gone (``| head``) or stream closed
            pass
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
