"""The site's editions, derived from the one ``mkdocs.yml``.

``mkdocs.yml`` describes the Simplified edition served over http. The three
others are derived from it, never kept by hand:

* ``zh-Hant``: the Traditional edition, built into ``site/zh-Hant/`` from the
  Traditional docs folder (names and navigation converted with the project's
  OpenCC variant; the Traditional search dictionaries);
* ``offline`` and ``zh-Hant-offline``: both editions for file:// browsing,
  built into ``site-offline/`` with Material's offline plugin.

``python -m generator build`` writes them as plain MkDocs configs into
``.generator-cache/editions/`` (``write_engine_files``), with everything else
an engine needs beside the pages: the search dictionaries. Any engine that
reads ``mkdocs.yml`` builds the Traditional edition with
``mkdocs build -f .generator-cache/editions/zh-Hant.yml``; the site command
builds all of them from the same files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from . import resources
from .settings import CACHE_FOLDER, Settings, plugin_entries, read_config

FOLDER = "editions"  # inside CACHE_FOLDER
EDITIONS = ("zh-Hant", "offline", "zh-Hant-offline")
SIMPLIFIED_DICT = "newsroom_dict.txt"  # the Simplified search's user dictionary
# Keys of mkdocs.yml that hold paths relative to it (the derived files live
# two folders below it; the search dictionaries are read relative to the
# current folder, the project's, and stay as they are).
_PATH_KEYS = ("docs_dir", "site_dir")
HEADER = (
    "# Derived from {source} by python -m generator build: edit that file, not this one.\n"
    "# Build with: mkdocs build -f {self} (from the project folder)\n"
)
SEARCH_PLUGINS = ("search", "material/search")
OFFLINE_SCOPE = {
    "zh-Hans": "离线版的搜索只检索标题、报纸、日期、记者、标签和地点：本档案有 {n} 篇文章，"
    "超过离线全文检索的上限（{limit} 篇）。全文检索请使用在线版。",
    "zh-Hant": "離線版的搜尋只檢索標題、報紙、日期、記者、標籤和地點：本檔案有 {n} 篇文章，"
    "超過離線全文檢索的上限（{limit} 篇）。全文檢索請使用線上版。",
}


def config_path(settings: Settings, edition: str, folder: Path | None = None) -> Path:
    """Where the derived config of ``edition`` is written (in ``folder``, if given)."""
    return (folder or settings.root / CACHE_FOLDER / FOLDER) / f"{edition}.yml"


def _set_plugin(plugins: list, name: str, options: dict) -> list:
    """``plugins`` with ``options`` merged into plugin ``name`` (added if missing)."""
    out, found = [], False
    for entry in plugins:
        key = next(iter(entry)) if isinstance(entry, dict) else entry
        if key == name or (name in SEARCH_PLUGINS and key in SEARCH_PLUGINS):
            old = (entry.get(key) if isinstance(entry, dict) else None) or {}
            out.append({key: {**old, **options}})
            found = True
        else:
            out.append(entry)
    if not found:
        out.append({name: options})
    return out


def derive(
    base: dict,
    edition: str,
    settings: Settings,
    convert,
    n_articles: int = 0,
    folder: Path | None = None,
) -> dict:
    """The config of ``edition``, made from ``base`` (``mkdocs.yml`` as read).

    Pure: ``convert`` turns Simplified text into the project's Traditional
    variant; ``n_articles`` decides whether the offline index holds whole
    articles (``offline_full_text_limit``).
    """
    config = json.loads(json.dumps(base))  # a deep copy of plain data
    hant = edition.startswith("zh-Hant")
    offline = edition.endswith("offline")
    rel = os.path.relpath
    where = config_path(settings, edition, folder).parent
    site = settings.offline_dir if offline else settings.site
    archive: dict = {"generate": False}
    config["docs_dir"] = rel(settings.docs_hant if hant else settings.docs, where)
    config["site_dir"] = rel(site / "zh-Hant" if hant else site, where)
    theme = dict(config.get("theme") or {})
    if theme.get("custom_dir"):
        theme["custom_dir"] = rel(settings.root / theme["custom_dir"], where)
    config["theme"] = theme
    extra = dict(config.get("extra") or {})
    plugins = plugin_entries(config)
    if hant:
        for key in ("site_name", "site_description", "copyright"):
            if config.get(key):
                config[key] = convert(config[key])
        if config.get("site_url"):
            config["site_url"] = config["site_url"].rstrip("/") + "/zh-Hant/"
        theme["language"] = "zh-Hant"
        config["nav"] = _convert_nav(config.get("nav"), convert)
        extra.update(
            edition_lang="zh-Hant",
            edition_path="zh-Hant/",
            script_switch={"label": "简体中文", "lang": "zh-Hans", "relative": "../", "path": ""},
        )
        folder = f"{CACHE_FOLDER}/"
        from .hant import HANT_DICTIONARIES

        plugins = _set_plugin(
            plugins,
            "search",
            {
                "jieba_dict": folder + HANT_DICTIONARIES[0],
                "jieba_dict_user": folder + HANT_DICTIONARIES[1],
            },
        )
    if offline:
        extra["offline_build"] = True  # no alternate links: Material would fetch sitemap.xml
        extra["polyfills"] = ["assets/javascripts/iframe-worker-shim.js"]
        plugins = _set_plugin(plugins, "offline", {})
        archive["search"] = "material"  # Pagefind cannot work over file://
        limit = settings.offline_full_text_limit
        if n_articles > limit:
            lang = "zh-Hant" if hant else "zh-Hans"
            archive["offline_scope"] = OFFLINE_SCOPE[lang].format(
                n=f"{n_articles:,}", limit=f"{limit:,}"
            )
    config["extra"] = extra
    names = {next(iter(p)) if isinstance(p, dict) else p for p in plugins}
    config["plugins"] = _set_plugin(plugins, "archive", archive) if "archive" in names else plugins
    for key in ("hooks", "watch"):
        if config.get(key):
            config[key] = [rel(settings.root / p, where) for p in config[key]]
    return config


def _convert_nav(nav, convert):
    """The navigation with its titles converted (the page paths kept)."""
    if isinstance(nav, list):
        return [_convert_nav(item, convert) for item in nav]
    if isinstance(nav, dict):
        return {convert(k): _convert_nav(v, convert) for k, v in nav.items()}
    return nav


def write_engine_files(
    settings: Settings, n_articles: int, folder: Path | None = None
) -> dict[str, Path]:
    """Everything an engine needs beside the pages: the search dictionaries and
    the derived edition configs (into ``folder``, default
    ``.generator-cache/editions/``). Returns the configs' paths by edition."""
    write_dictionaries(settings)
    base = read_config(settings.config_file)
    write_overrides(settings, base)
    convert = None
    if settings.hant:
        from .hant import converter

        convert = converter(settings)
    paths = {}
    for edition in EDITIONS:
        if edition.startswith("zh-Hant") and not settings.hant:
            continue
        config = derive(base, edition, settings, convert, n_articles, folder)
        path = config_path(settings, edition, folder)
        source = os.path.relpath(settings.config_file, path.parent)
        text = HEADER.format(source=source, self=os.path.relpath(path, settings.root))
        text += yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=1000)
        _write_if_changed(path, text)
        paths[edition] = path
    return paths


def write_overrides(settings: Settings, base: dict) -> None:
    """The theme overrides (``theme.custom_dir``), copied from the package into
    the project when that folder is the generator's (``generator new`` made it)
    or missing. Left alone: the package's own folder (a source checkout) and a
    folder of the user's own (no manifest)."""
    from . import publish

    custom = (base.get("theme") or {}).get("custom_dir")
    if not custom:
        return
    folder = (settings.root / custom).resolve()
    source = resources.overrides_dir().resolve()
    if folder == source:
        return
    if folder.exists() and not (folder / publish.MANIFEST).is_file():
        return
    files = {
        p.relative_to(source).as_posix(): p.read_bytes()
        for p in sorted(source.rglob("*"))
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    publish.write_tree(folder, files)


def write_dictionaries(settings: Settings) -> None:
    """The search dictionaries the configs name, in ``.generator-cache/``: the
    Simplified newsroom dictionary and, with the Traditional edition on, both
    dictionaries in the project's OpenCC variant (``hant.jieba_dictionaries``)."""
    folder = settings.root / CACHE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    source = resources.data_dir() / SIMPLIFIED_DICT
    _write_if_changed(folder / SIMPLIFIED_DICT, source.read_text(encoding="utf-8"))
    if settings.hant:
        from .hant import jieba_dictionaries

        jieba_dictionaries(settings, folder)


def _write_if_changed(path: Path, text: str) -> None:
    """Write ``path`` atomically, and only when its text changes (``serve`` watches)."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    from .hant import write_atomically

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text)


def use_pagefind(config, merge: list) -> None:
    """Served build: Material's search off, the Pagefind search box on."""
    for name in SEARCH_PLUGINS:
        if name in config.plugins:
            config.plugins[name].config["enabled"] = False
    config.extra["archive_search"] = {
        "engine": "pagefind",
        "bundle": "pagefind/",
        # other sub-sites searched together with this one (see bench/shards.py):
        # [{bundle: "../2021-2022/pagefind/"}], paths from this edition's root
        "merge": list(merge or []),
    }


EMPTY_SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n'
)


def sitemap_stubs(files) -> dict[str, str]:
    """An empty ``sitemap.xml`` in every sub-folder of pages.

    Material fetches ``sitemap.xml`` next to the target of every
    ``<link rel="alternate">`` (meant for its language selector); the hreflang
    links point at pages in sub-folders, so without these files every page
    view would make two failed requests. The root's is MkDocs' own.
    """
    folders = {p.rpartition("/")[0] for p in files if p.endswith(".md") and "/" in p}
    return {f"{folder}/sitemap.xml": EMPTY_SITEMAP for folder in sorted(folders)}
