"""Settings: ``extra.archive`` in ``mkdocs.yml``, overridden by command-line flags.

Keeping them in ``mkdocs.yml`` gives the site one configuration file.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import yaml

OPENCC_CONFIGS = ("s2t", "s2tw", "s2hk", "s2twp", "s2hkp")


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
        cache_dir=root / ".cache" / "build",
    )
    if args is not None:
        if getattr(args, "corpus", None):
            settings.corpus = args.corpus.resolve()
        if getattr(args, "docs", None):
            settings.docs = args.docs.resolve()
            settings.docs_hant = settings.docs.parent / f"{settings.docs.name}-hant"
        settings.workers = getattr(args, "workers", None)
        settings.lock_wait = getattr(args, "lock_wait", 0.0) or 0.0
        if getattr(args, "cache_dir", None):
            settings.cache_dir = args.cache_dir.resolve()
        if getattr(args, "no_cache", False):
            settings.cache_dir = None
    return settings
