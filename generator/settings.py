"""Settings: ``extra.archive`` in ``mkdocs.yml``, overridden by command-line flags.

Keeping them in ``mkdocs.yml`` gives the site one configuration file.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import UnsafeOutputError

OPENCC_CONFIGS = ("s2t", "s2tw", "s2hk", "s2twp", "s2hkp")

# The generator's own cache folder, beside mkdocs.yml: memos in build/ (cache.py)
# and the Traditional jieba dictionaries (hant.jieba_dictionaries). Not .cache/:
# MkDocs plugins and Zensical use that one, and Zensical's --clean deletes it.
CACHE_FOLDER = ".generator-cache"


@dataclass
class Settings:
    root: Path
    corpus: Path
    docs: Path
    docs_hant: Path
    site: Path
    offline_dir: Path
    site_url: str
    site_name: str
    hant: bool = True
    opencc: str = "s2t"
    workers: int | None = None
    lock_wait: float = 0.0
    offline_full_text_limit: int = 300  # articles; above it the offline index holds summaries
    pagefind_writer: str = "archive"  # "archive": pagefind.write_bundle; "pagefind": the CLI
    pagefind_memory_mb: int = 3000  # one Pagefind CLI run; more memory, fewer (faster) runs
    cache_dir: Path | None = None  # memos of unchanged work (cache.py); None: no cache
    force: bool = False  # --force: write into a folder holding files we did not write
    allow_shrink: bool = False  # --allow-shrink: a build may remove most of the archive


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml, ignoring MkDocs' own tags such as !ENV."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def load_settings(root: Path, args: argparse.Namespace | None = None) -> Settings:
    """Settings for the project at ``root`` (with CLI overrides from ``args``)."""
    config_path = root / "mkdocs.yml"
    try:
        config = yaml.load(config_path.read_text(encoding="utf-8"), Loader=_Loader) or {}  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{config_path}: cannot read settings: {exc}") from None
    extra = (config.get("extra") or {}).get("archive") or {}
    opencc = str(extra.get("opencc", "s2t"))
    if opencc not in OPENCC_CONFIGS:
        raise ValueError(
            f"{config_path}: extra.archive.opencc must be one of {', '.join(OPENCC_CONFIGS)}"
        )
    writer = str(extra.get("pagefind_writer", "archive"))
    if writer not in ("archive", "pagefind"):
        raise ValueError(f"{config_path}: extra.archive.pagefind_writer: archive or pagefind")
    settings = Settings(
        root=root,
        corpus=root / str(extra.get("corpus", "corpus")),
        docs=root / str(config.get("docs_dir", "docs")),
        docs_hant=root / str(extra.get("docs_hant", "docs-hant")),
        site=root / str(config.get("site_dir", "site")),
        offline_dir=root / str(extra.get("offline_dir", "site-offline")),
        site_url=str(config.get("site_url") or "https://example.org/"),
        site_name=str(config.get("site_name") or "档案"),
        hant=bool(extra.get("hant", True)),
        opencc=opencc,
        offline_full_text_limit=int(extra.get("offline_full_text_limit", 300)),
        pagefind_writer=writer,
        pagefind_memory_mb=int(extra.get("pagefind_memory_mb", 3000)),
        cache_dir=root / CACHE_FOLDER / "build",
    )
    if args is not None:
        if getattr(args, "corpus", None):
            settings.corpus = args.corpus.resolve()
        docs = getattr(args, "docs", None)
        if docs is not None:
            if not str(docs).strip():  # Path("") is the current folder: never meant
                raise UnsafeOutputError("--docs is empty: name the output folder; nothing changed")
            settings.docs = Path(docs).resolve()
            settings.docs_hant = settings.docs.parent / f"{settings.docs.name}-hant"
        settings.workers = capped_workers(getattr(args, "workers", None))
        settings.force = bool(getattr(args, "force", False))
        settings.allow_shrink = bool(getattr(args, "allow_shrink", False))
        settings.lock_wait = getattr(args, "lock_wait", 0.0) or 0.0
        if getattr(args, "cache_dir", None):
            settings.cache_dir = args.cache_dir.resolve()
        if getattr(args, "no_cache", False):
            settings.cache_dir = None
    return settings


def capped_workers(workers: int | None) -> int | None:
    """``--workers`` within 1 … the number of cores (a larger number is capped,
    with a warning: each worker is a process, and more than the cores only
    costs memory). None stays None (every core)."""
    if workers is None:
        return None
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, not {workers}")
    cores = os.cpu_count() or 1
    if workers > cores:
        sys.stderr.write(f"warning: --workers {workers} capped at {cores}, the number of cores\n")
        return cores
    return workers
