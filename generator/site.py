"""Site stage: MkDocs builds of both editions, online and offline.

* ``site/``            Simplified edition (``mkdocs.yml``), served over http
* ``site/zh-Hant/``    Traditional edition (``mkdocs-hant.yml``)
* ``site-offline/``    the same two editions for file:// browsing

Each output folder is built in a staging folder and swapped in atomically
(see ``publish.swap_in``), so a failed or killed build leaves the previous
site untouched.
"""

from __future__ import annotations

import logging
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from . import publish

SKIP_ENV = "ARCHIVE_SKIP_GENERATE"


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


def mkdocs_build(root: Path, config_file: str, site_dir: Path) -> int:
    """Run one MkDocs build (strict) into ``site_dir``; returns the page count."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    _mkdocs_logging()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    cwd = os.getcwd()
    os.chdir(root)  # MkDocs and the search plugin resolve dictionary paths from here
    try:
        config = load_config(str(root / config_file), site_dir=str(site_dir), strict=True)
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


def build(settings, offline: bool = False) -> int:
    """Build the site (both editions when the Traditional one is on)."""
    root = settings.root
    if settings.hant:
        from .hant import jieba_dictionaries

        jieba_dictionaries(settings, root / ".cache")
    target = settings.offline_dir if offline else settings.site
    configs = (
        ("mkdocs-offline.yml", "mkdocs-hant-offline.yml")
        if offline
        else ("mkdocs.yml", "mkdocs-hant.yml")
    )
    staging = target.parent / f".{target.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    pages = 0
    with publish.run_lock(target, settings.lock_wait), _env(**{SKIP_ENV: "1"}):
        publish.recover(target)
        pages += mkdocs_build(root, configs[0], staging)
        if settings.hant:
            pages += mkdocs_build(root, configs[1], staging / "zh-Hant")
        publish.swap_in(staging, target)
    return pages
