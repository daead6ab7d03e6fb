"""MkDocs hook: ``mkdocs serve`` and ``mkdocs build`` run the generator first.

With this hook a plain ``mkdocs serve`` regenerates the Markdown whenever a
file in ``corpus/`` or ``templates/`` changes (they are in ``watch:``).
Generation is incremental: when nothing changed, no file is touched, so the
live-reload watcher is not triggered again.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.archive")
ROOT = Path(__file__).resolve().parent.parent


def on_config(config, **kwargs):
    """Hide the script switch when the Traditional edition is switched off."""
    archive = (config.extra or {}).get("archive") or {}
    if not archive.get("hant", True):
        config.extra["script_switch"] = None
    return config


def on_pre_build(config, **kwargs) -> None:
    """Regenerate the Markdown before MkDocs reads the docs folder."""
    if os.environ.get("ARCHIVE_SKIP_GENERATE") == "1":
        return
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from generator.__main__ import generate
    from generator.progress import Progress
    from generator.settings import load_settings

    settings = load_settings(ROOT)
    settings.lock_wait = 60
    archive = generate(settings, Progress(quiet=True))
    if settings.hant:
        from generator.hant import jieba_dictionaries

        jieba_dictionaries(settings, ROOT / ".cache")
    log.info("archive: %d articles generated from %s", len(archive.articles), settings.corpus)
    for problem in archive.problems:
        log.info("archive: %s", problem)
