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
import json
import os
import re
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import cache, export, merge, pages, read, render
from .enrich import enrich
from .enrich import warm_worker as enrich_worker
from .errors import EXIT_ERROR, EXIT_INTERRUPTED, ArchiveError, GoldFileError, ShrinkError, shown
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


def cmd_build(args: argparse.Namespace) -> int:
    settings = load_settings(ROOT, args)
    check_outputs(settings, chosen=args.docs is not None)
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
    site_folder = settings.offline_dir if args.offline else settings.site
    check_outputs(settings, chosen=args.docs is not None, site=site_folder)
    remove_stale_scratch(settings)
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

    if args.explain:
        return explain_files([Path(f) for f in args.explain])
    settings = load_settings(ROOT, args)
    archive = _process(settings, Progress(quiet=True))
    sys.stdout.write(report(archive.articles, archive.problems))
    return exit_code(archive.problems, args.strict)


def explain_files(paths: list[Path]) -> int:
    """``check --explain FILE…``: every boundary decision on each raw page."""
    from .check import explain

    status = 0
    for path in paths:
        try:
            data = read.read_regular(path, path.resolve().parent, read.MAX_BYTES)
            meta = read.read_meta(read.meta_path(path), path.name, root=path.resolve().parent)
        except (read.Refused, read.MetadataError, OSError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            sys.stderr.write(f"error: {read.shown(path)}: {why}\n")
            status = 1
            continue
        sys.stdout.write(explain(read.shown(path), data, meta))
    return status


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate

    settings = load_settings(ROOT, args)
    gold = Path(args.gold)
    check_gold(gold)
    archive = _process(settings, Progress(quiet=True))
    try:
        text, ok = evaluate(archive.articles, gold, settings.corpus)
    except (KeyError, TypeError, AttributeError) as exc:
        raise GoldFileError(
            f"{shown(gold)}: gold file is not in the expected form ({type(exc).__name__}: {exc})"
        ) from None
    sys.stdout.write(text)
    return 0 if ok else 1


def check_gold(path: Path) -> None:
    """Raise ``GoldFileError`` (one line) unless ``path`` is a list of annotated
    articles as ``evaluate`` reads them: each with an ``id`` and its ``files``."""
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GoldFileError(
            f"{shown(path)}: cannot read gold file: {exc.strerror or exc}"
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise GoldFileError(f"{shown(path)}: gold file is not JSON: {exc}") from None
    if not isinstance(gold, list):
        raise GoldFileError(f"{shown(path)}: gold file must be a JSON list of articles")
    for i, g in enumerate(gold):
        where = f"{shown(path)}: article {i + 1}"
        if not isinstance(g, dict) or not isinstance(g.get("id"), str):
            raise GoldFileError(f'{where}: needs an "id" (text)')
        files = g.get("files")
        if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("file"), str) for f in files
        ):
            raise GoldFileError(f'{where} ({g["id"]}): needs "files": a list of {{"file": …}}')
        if not g.get("title") and not all(isinstance(f.get("anchor"), str) for f in files):
            raise GoldFileError(f'{where} ({g["id"]}): needs a "title" or an "anchor" per file')


def check_outputs(settings: Settings, chosen: bool = False, site: Path | None = None) -> None:
    """Check every folder this run would write before anything is touched
    (``publish.check_output``); the corpus is checked first.

    ``chosen``: the docs folder was given with ``--docs``, so it must also be
    new, empty or the generator's (``.generated.json``) unless ``--force``.
    The docs folder that ``mkdocs.yml`` names is the project's own: the
    hand-written pages it holds are expected (and kept).
    """
    from . import publish

    if not settings.corpus.is_dir():  # a mistyped --corpus must not empty the archive
        raise ValueError(
            f"{shown(settings.corpus)}: corpus directory not found; nothing was written"
        )
    outputs = [
        ("--docs", settings.docs, chosen),
        ("the Traditional docs folder", settings.docs_hant, chosen),
    ]
    if site is not None:
        outputs.append(("the site folder", site, False))
    for what, folder, generated in outputs:
        publish.check_output(
            folder,
            what=what,
            root=settings.root,
            corpus=settings.corpus,
            force=settings.force,
            generated=generated,
        )
    check_cache_dir(settings)


def check_cache_dir(settings: Settings) -> None:
    """The cache folder (``--cache-dir``) is written too: the same places are
    refused for it as for an output folder (``publish.check_output``)."""
    from . import publish

    if settings.cache_dir is not None:
        publish.check_output(
            settings.cache_dir,
            what="--cache-dir",
            root=settings.root,
            corpus=settings.corpus,
            generated=False,
        )


def remove_stale_scratch(settings: Settings) -> None:
    """Delete the Pagefind scratch folders (``.pagefind-src-*``) that a killed
    ``site`` left beside the site folder. Only while no other run holds the
    site's lock: a folder then belongs to no running build."""
    import shutil

    from . import publish

    try:
        with publish.run_lock(settings.site, 0):
            for leftover in settings.site.parent.glob(".pagefind-src-*"):
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover, ignore_errors=True)
    except publish.LockedError:
        pass  # another run is building the site: its scratch folder is in use


def _process(settings: Settings, progress: Progress) -> Archive:
    """``process`` with the project's caches (read and updated)."""
    check_cache_dir(settings)
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

    def writes(p: argparse.ArgumentParser) -> None:
        p.add_argument("--docs", help="Markdown output folder (default: docs/)")
        p.add_argument(
            "--force",
            action="store_true",
            help="write into a non-empty folder that holds files the generator did not write",
        )
        p.add_argument(
            "--allow-shrink",
            action="store_true",
            help="let a build remove more than half of the archive's articles (or all)",
        )

    p = sub.add_parser("build", help="generate the Markdown archive into docs/")
    common(p)
    writes(p)
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
    writes(p)
    p.add_argument(
        "--offline", action="store_true", help="build site-offline/ for file:// browsing"
    )
    p.add_argument("--wait", type=float, default=0, dest="lock_wait")
    p.set_defaults(func=cmd_site)

    p = sub.add_parser("check", help="print a quality table, one row per article")
    common(p)
    p.add_argument(
        "--explain",
        nargs="+",
        metavar="FILE",
        help="print, for each raw page, every headline decision and its evidence",
    )
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("evaluate", help="measure extraction and metadata against gold annotations")
    common(p)
    p.add_argument(
        "--gold", default=str(ROOT / "tests" / "fixtures" / "gold" / "seed-articles.json")
    )
    p.set_defaults(func=cmd_evaluate)

    args = parser.parse_args(argv)
    interrupt_quietly()
    try:
        return args.func(args)
    except KeyboardInterrupt:
        sys.stderr.write(
            "\ninterrupted: each output folder is as before or complete "
            "(a half-done write is finished or undone by the next run)\n"
        )
        return EXIT_INTERRUPTED
    except ArchiveError as exc:  # read.MetadataError, publish.LockedError, UnsafeOutputError …
        sys.stderr.write(f"error: {exc}\n")
        return exc.exit_code
    except OSError as exc:
        sys.stderr.write(f"error: {describe_os_error(exc)}\n")
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - last line of defence: a clear message
        from .pagefind import PagefindError
        from .site import SiteBuildError

        if isinstance(exc, ValueError | SiteBuildError | PagefindError):
            sys.stderr.write(f"error: {exc}\n")
            return EXIT_ERROR
        raise


def describe_os_error(exc: OSError) -> str:
    """One line for a failed file operation, naming the file (shown safely)."""
    names = [shown(n) for n in (exc.filename, exc.filename2) if n is not None]
    reason = exc.strerror or str(exc)
    return f"{' → '.join(names)}: {reason}" if names else reason


def interrupt_quietly() -> None:
    """Ctrl-C: this process raises ``KeyboardInterrupt`` (``main`` turns it into
    one line). The terminal sends the signal to the worker processes too: the
    forks end at once and silently (they inherit this handler), and the
    spawned ones (``site``'s MkDocs and Pagefind workers, which start with
    Python's own handler) are killed here before they print a traceback."""
    main_pid = os.getpid()

    def on_sigint(signum: int, frame: object) -> None:
        if os.getpid() != main_pid:
            os._exit(EXIT_INTERRUPTED)
        import multiprocessing

        for child in multiprocessing.active_children():
            child.kill()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)


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
