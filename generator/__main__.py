"""Command line: ``python -m generator {new,build,export,site,check,evaluate}``.

Parses arguments, checks the output folders, runs the pipeline
(``pipeline.py``, where the whole flow reads in one place) and maps errors to
exit codes (see the README's command-line section).
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import gc
import json
import os
import signal
import sys
from pathlib import Path

from . import cache, export, read
from .errors import EXIT_ERROR, EXIT_INTERRUPTED, ArchiveError, GoldFileError, shown
from .model import Problem
from .pipeline import Archive, generate, process
from .progress import Progress
from .settings import Settings, load_settings

SEED_GOLD = "tests/fixtures/gold/seed-articles.json"


def cmd_build(args: argparse.Namespace) -> int:
    settings = load_settings(args=args)
    check_outputs(settings, chosen=args.docs is not None)
    progress = Progress(quiet=args.quiet)
    archive = generate(settings, progress)
    sys.stderr.write(progress.summary(archive.problems))
    return exit_code(archive.problems, args.strict)


def cmd_new(args: argparse.Namespace) -> int:
    """``new DIR``: an empty archive (config, corpus folder, theme overrides)."""
    from .newproject import create

    folder = create(Path(args.dir), site_name=args.name, site_url=args.url)
    sys.stderr.write(
        f"new archive in {shown(folder)}: put raw page files into {shown(folder / 'corpus')}, "
        f"then run there: mkdocs serve  (or: python -m generator site)\n"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    settings = load_settings(args=args)
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

    settings = load_settings(args=args)
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
    settings = load_settings(args=args)
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

    settings = load_settings(args=args)
    gold = Path(args.gold) if args.gold else settings.root / SEED_GOLD
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
    """The cache folder (``--cache-dir``, default ``.generator-cache/build/``) is
    written too, and so is ``.generator-cache/`` (the Traditional search
    dictionaries) when the Traditional edition is on: the same places are
    refused for them as for an output folder (``publish.check_output``)."""
    from . import publish
    from .settings import CACHE_FOLDER

    folders = [("--cache-dir", settings.cache_dir)] if settings.cache_dir is not None else []
    if settings.hant:
        folders.append(("the generator's cache folder", settings.root / CACHE_FOLDER))
    for what, folder in folders:
        publish.check_output(
            folder,
            what=what,
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

    p = sub.add_parser("new", help="start a new archive in an empty folder")
    p.add_argument("dir", help="the new archive's folder (new or empty)")
    p.add_argument("--name", default="报纸文章档案", help="the site's name")
    p.add_argument("--url", default="https://example.org/archive/", help="the site's URL")
    p.set_defaults(func=cmd_new)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "-f",
            "--config-file",
            type=Path,
            help="the archive's mkdocs.yml (default: the one in the current folder)",
        )
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
            "--cache-dir",
            type=Path,
            help="where results are memoised (default: .generator-cache/build/)",
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
    p.add_argument("--gold", help=f"gold annotations (default: {SEED_GOLD} in the project)")
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


def run() -> None:
    """The ``jilin-news-archive`` console script: ``python -m generator``."""
    exit_now(main())


if __name__ == "__main__":
    run()
