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

from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.archive")
ROOT = Path(__file__).resolve().parent.parent


@event_priority(100)  # before the search plugin, which checks its dictionaries exist
def on_config(config, **kwargs):
    """Prepare the Traditional jieba dictionaries; hide the switch if that edition is off."""
    archive = (config.extra or {}).get("archive") or {}
    if not archive.get("hant", True):
        config.extra["script_switch"] = None
    elif config.theme.get("language") == "zh-Hant":
        _settings_and_dictionaries()
    return config


def _settings_and_dictionaries():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from generator.hant import jieba_dictionaries
    from generator.settings import load_settings

    settings = load_settings(ROOT)
    if settings.hant:
        jieba_dictionaries(settings)  # the configured variant, where mkdocs-hant*.yml look
    return settings


def on_pre_build(config, **kwargs) -> None:
    """Regenerate the Markdown before MkDocs reads the docs folder."""
    if os.environ.get("ARCHIVE_SKIP_GENERATE") == "1":
        return
    settings = _settings_and_dictionaries()
    from generator.pipeline import generate
    from generator.progress import Progress

    settings.lock_wait = 60
    archive = generate(settings, Progress(quiet=True))
    log.info("archive: %d articles generated from %s", len(archive.articles), settings.corpus)
    for problem in archive.problems:
        log.info("archive: %s", problem)


EMPTY_SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n'
)


def on_post_build(config, **kwargs) -> None:
    """An empty sitemap.xml in every folder of pages that has none.

    Material fetches ``sitemap.xml`` next to the target of every
    ``<link rel="alternate">`` (meant for language selectors, which this site
    does not use). Our hreflang links point at pages in sub-folders, so without
    these files every page view would make two failed requests.
    """
    if config.extra.get("offline_build") or not config.extra.get("script_switch"):
        return
    site = Path(config.site_dir)
    for folder in sorted({p.parent for p in site.rglob("*.html")}):
        target = folder / "sitemap.xml"
        if not target.exists():
            target.write_text(EMPTY_SITEMAP, encoding="utf-8")


def on_env(env, config, files, **kwargs):
    """``archive_cached``: a fragment rendered once per key (see site_overrides/main.html).

    ``{% call archive_cached(name, key) %}…{% endcall %}`` renders its body the
    first time a (name, key) pair is seen and returns the same text afterwards.
    A new store for every build.
    """
    store: dict[tuple, str] = {}

    def archive_cached(*key, caller):
        try:
            return store[key]
        except KeyError:
            text = store[key] = caller()
            return text

    env.globals["archive_cached"] = archive_cached
    return env
