"""Site stage: MkDocs builds of both editions, online and offline, and their search.

* ``site/``            Simplified edition (``mkdocs.yml``), served over http
* ``site/zh-Hant/``    Traditional edition (derived config, ``editions.py``)
* ``site-offline/``    the same two editions for file:// browsing (derived configs)

Every build loads its config with MkDocs' ``load_config`` and runs MkDocs'
own ``build``; the ``archive`` plugin listed in ``mkdocs.yml`` does the rest
(``plugin.py``), exactly as under a plain ``mkdocs build``. Search differs by build:

* **Served** (``site/``): Pagefind (``generator/pagefind.py``), one index per
  edition in ``pagefind/``. On ``build`` the plugin switches Material's search
  off and ``extra.archive_search`` tells the ``archive-search.html`` partial
  to put the Pagefind search box in the header. The plugin's ``search:
  material`` (or ``ARCHIVE_SEARCH=material``) keeps Material's search instead;
  so does a machine without Pagefind, with a warning.
* **Offline** (``site-offline/``) and ``mkdocs serve``: Material's own search.
  Its index is rebuilt in the browser on every page load, so above
  ``offline_full_text_limit`` articles the offline index holds each article's
  head (title, paper, date, reporters, tags, places) and not its body
  (``data-search-exclude``), and the search panel says so.

With two cores or more the two editions are built by two worker processes
while this one writes the Pagefind indexes (``--workers 1``: one after the other).

Each output folder is built in a staging folder and swapped in atomically
(see ``publish.swap_in``), so a failed or killed build leaves the previous
site untouched. Set ``ARCHIVE_TIMINGS`` to a file name to get one JSON line
per step (MkDocs builds, search indexes) appended to it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from . import publish
from .settings import CACHE_FOLDER

T = TypeVar("T")

from .plugin import SKIP_ENV  # noqa: E402

SEARCH_ENV = "ARCHIVE_SEARCH"  # "pagefind" or "material": overrides the plugin's search option
TIMINGS_ENV = "ARCHIVE_TIMINGS"


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


def mkdocs_build(root: Path, config_file: str, site_dir: Path) -> int:
    """Run one MkDocs build (strict) of ``config_file`` into ``site_dir``; returns the page count.

    The same steps as ``mkdocs build``: load the config, start the plugins, build.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    _mkdocs_logging()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    cwd = os.getcwd()
    os.chdir(root)  # MkDocs and the search plugin resolve dictionary paths from here
    try:
        try:
            config = load_config(str(root / config_file), site_dir=str(site_dir), strict=True)
        except MkDocsException as exc:
            raise SiteBuildError(f"{config_file}: {exc}") from None
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


# --- which search ------------------------------------------------------------------


def served_search(options) -> str:
    """``pagefind`` or ``material``: the served build's search (plugin option ``search``)."""
    wanted = os.environ.get(SEARCH_ENV) or options.search
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


def count_articles(docs: Path) -> int:
    """Article pages in a generated docs folder."""
    return sum(1 for _ in (docs / "articles").rglob("*.md")) if (docs / "articles").is_dir() else 0


# --- the build ---------------------------------------------------------------------


def build_edition(root: Path, config_file: str, out: Path, lang: str, offline: bool) -> int:
    """One edition's MkDocs build (in this process or a worker process; see ``build``)."""
    with _env(**{SKIP_ENV: "1"}):
        with timed(f"mkdocs {lang}{' offline' if offline else ''}") as t:
            t["count"] = pages = mkdocs_build(root, config_file, out)
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

    Built from each edition's exported articles (``data/corpus.jsonl``, see
    ``search_records``), not from MkDocs' HTML, and after the MkDocs builds,
    not beside them (they use every core).
    """
    docs = {"zh-Hans": (settings.docs, None), "zh-Hant": (settings.docs_hant, settings.opencc)}
    jobs = [
        (lang, docs[lang][0], bundles[lang], settings.pagefind_writer, docs[lang][1])
        for lang in langs
    ]
    if parallel_editions(settings) and len(jobs) > 1:
        side_by_side(index_edition, jobs)
    else:
        for job in jobs:
            index_edition(*job)


def index_edition(
    lang: str, docs: Path, bundle: Path, writer: str, opencc: str | None = None
) -> None:
    """One edition's Pagefind bundle (in this process or a worker process);
    ``opencc``: the Traditional edition's OpenCC setting."""
    from . import pagefind

    with timed(f"pagefind {lang}") as t:
        t["count"] = pagefind.index_edition(
            docs, bundle, workdir=bundle.parent, writer=writer, opencc=opencc
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
    from . import editions as derived

    root = settings.root
    # the derived configs and dictionaries are written by every generation;
    # again here in case the articles were generated by another process
    target = settings.offline_dir if offline else settings.site
    pid = os.getpid()
    # this run's own copies of the derived configs: another run (another
    # --docs) may rewrite the shared ones in .generator-cache/editions/ meanwhile
    configs = settings.root / CACHE_FOLDER / derived.FOLDER / f".run-{pid}"
    paths = derived.write_engine_files(settings, count_articles(settings.docs), configs)
    names = {
        "zh-Hans": paths["offline"] if offline else settings.config_file,
        "zh-Hant": paths.get("zh-Hant-offline" if offline else "zh-Hant"),
    }
    editions = [(str(names["zh-Hans"]), "zh-Hans")]
    if settings.hant:
        editions.append((str(names["zh-Hant"]), "zh-Hant"))
    langs = [lang for _, lang in editions]
    engine = "material" if offline else served_search(settings.archive)
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
        jobs = [(root, cfg, outs[lang], lang, offline) for cfg, lang in editions]
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
        finally:
            shutil.rmtree(configs, ignore_errors=True)
        publish.swap_in(staging, target)
        publish.finish()
        total["count"] = pages
    return pages
