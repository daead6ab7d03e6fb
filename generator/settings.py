"""Settings: the ``archive`` plugin's options in ``mkdocs.yml``, overridden by flags.

The options and their defaults are declared once, in ``plugin.ArchiveConfig``;
``mkdocs.yml`` is read with MkDocs' own YAML loader (``!ENV``, ``INHERIT``).
The project is the folder of that ``mkdocs.yml`` (``-f/--config-file``, or
the current folder's).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import ArchiveError, UnsafeOutputError
from .plugin import OPENCC_CONFIGS, ArchiveConfig

__all__ = ["OPENCC_CONFIGS", "CACHE_FOLDER", "Settings", "load_settings", "settings_from"]

# The generator's own folder beside mkdocs.yml: memos in build/ (cache.py), the
# search dictionaries and the derived edition configs (editions.py). Not .cache/:
# MkDocs plugins and Zensical use that one, and Zensical's --clean deletes it.
CACHE_FOLDER = ".generator-cache"
CONFIG_FILE = "mkdocs.yml"


class ConfigError(ArchiveError, ValueError):
    """``mkdocs.yml`` is missing, unreadable or holds a bad archive option."""


@dataclass
class Settings:
    root: Path
    config_file: Path
    corpus: Path
    docs: Path
    docs_hant: Path
    site: Path
    offline_dir: Path
    site_url: str
    site_name: str
    archive: ArchiveConfig  # the plugin's options (defaults filled in)
    workers: int | None = None
    lock_wait: float = 0.0
    cache_dir: Path | None = None  # memos of unchanged work (cache.py); None: no cache
    force: bool = False  # --force: write into a folder holding files we did not write
    allow_shrink: bool = False  # --allow-shrink: a build may remove most of the archive
    docs_chosen: bool = False  # --docs: not the docs folder mkdocs.yml names

    @property
    def hant(self) -> bool:
        return self.archive.hant

    @hant.setter
    def hant(self, value: bool) -> None:
        self.archive.hant = value

    @property
    def opencc(self) -> str:
        return self.archive.opencc

    @opencc.setter
    def opencc(self, value: str) -> None:
        self.archive.opencc = value

    @property
    def offline_full_text_limit(self) -> int:
        return self.archive.offline_full_text_limit

    @property
    def pagefind_writer(self) -> str:
        return self.archive.pagefind_writer


def read_config(config_file: Path) -> dict:
    """``mkdocs.yml`` as a dict, read as MkDocs reads it."""
    from mkdocs.exceptions import ConfigurationError
    from mkdocs.utils.yaml import yaml_load

    try:
        with open(config_file, "rb") as fh:
            return yaml_load(fh) or {}
    except FileNotFoundError:
        raise ConfigError(
            f"{config_file}: no such file; run in an archive's folder, name its config with "
            "-f, or start one with: python -m generator new DIR"
        ) from None
    except (OSError, ConfigurationError) as exc:
        raise ConfigError(f"{config_file}: cannot read settings: {exc}") from None


def plugin_entries(config: dict) -> list:
    """``plugins`` of a config as a list of names and one-key mappings (MkDocs
    takes a list or a mapping)."""
    plugins = config.get("plugins") or []
    if isinstance(plugins, dict):
        return [{k: v} for k, v in plugins.items()]
    return list(plugins)


def archive_options(config: dict, config_file: Path) -> ArchiveConfig:
    """The ``archive`` plugin's options in ``config`` (defaults when it is not listed)."""
    entry: object = {}
    for plugin in plugin_entries(config):
        name, options = next(iter(plugin.items())) if isinstance(plugin, dict) else (plugin, {})
        if name == "archive":
            entry = options or {}
    options = ArchiveConfig(config_file_path=str(config_file))
    if not isinstance(entry, dict):
        raise ConfigError(f"{config_file}: plugins.archive: options must be a mapping")
    options.load_dict(entry)
    errors, _warnings = options.validate()
    if errors:
        name, error = errors[0]
        raise ConfigError(f"{config_file}: plugins.archive.{name}: {error}")
    return options


def settings_from(config_file: Path, options: ArchiveConfig, config) -> Settings:
    """Settings for the project whose ``mkdocs.yml`` is ``config_file``.

    ``config``: that file's settings, as a dict or MkDocs' loaded config.
    """
    root = config_file.parent

    def get(key: str, default: str) -> str:
        value = config.get(key) if hasattr(config, "get") else None
        return str(value) if value else default

    return Settings(
        root=root,
        config_file=config_file,
        corpus=root / options.corpus,
        docs=root / get("docs_dir", "docs"),
        docs_hant=root / options.docs_hant,
        site=root / get("site_dir", "site"),
        offline_dir=root / options.offline_dir,
        site_url=get("site_url", "https://example.org/"),
        site_name=get("site_name", "档案"),
        archive=options,
        cache_dir=root / CACHE_FOLDER / "build",
    )


def load_settings(where: Path | None = None, args: argparse.Namespace | None = None) -> Settings:
    """Settings for a project (with CLI overrides from ``args``).

    ``where``: the project folder or its config file; default ``-f`` from
    ``args``, else ``mkdocs.yml`` in the current folder.
    """
    chosen = getattr(args, "config_file", None) if args is not None else None
    if chosen:
        config_file = Path(chosen)
    elif where is not None:
        config_file = where / CONFIG_FILE if where.is_dir() else where
    else:
        config_file = Path(CONFIG_FILE)
    config_file = config_file.resolve()
    config = read_config(config_file)
    settings = settings_from(config_file, archive_options(config, config_file), config)
    if args is not None:
        if getattr(args, "corpus", None):
            settings.corpus = args.corpus.resolve()
        docs = getattr(args, "docs", None)
        if docs is not None:
            if not str(docs).strip():  # Path("") is the current folder: never meant
                raise UnsafeOutputError("--docs is empty: name the output folder; nothing changed")
            settings.docs = Path(docs).resolve()
            settings.docs_chosen = True
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
