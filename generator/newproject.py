"""``python -m generator new DIR``: an empty archive, ready for raw files.

The folder gets the archive's one config (``mkdocs.yml``, from the packaged
template ``new-project.yml.j2``), an empty ``corpus/``, an empty generated
``docs/`` (MkDocs wants it to exist) and the theme overrides
(``overrides/``, copied from the package and refreshed by every build), and
a ``.gitignore`` for what the generator writes.
"""

from __future__ import annotations

import os
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from . import publish, resources
from .errors import UnsafeOutputError

GITIGNORE = """\
# Written by python -m generator and MkDocs: rebuilt from corpus/ and mkdocs.yml.
/docs/
/docs-hant/
/site/
/site-offline/
/overrides/
/.generator-cache/
/.*.lock
"""


def create(folder: Path, site_name: str, site_url: str) -> Path:
    """Make a new archive in ``folder`` (new, or empty); returns its path."""
    folder = folder.resolve()
    if folder.exists():
        if not folder.is_dir():
            raise UnsafeOutputError(f"{folder}: exists and is not a folder; nothing changed")
        if any(e.name not in publish.HARMLESS for e in os.scandir(folder)):
            raise UnsafeOutputError(
                f"{folder}: is not empty; a new archive needs a new or empty folder; "
                "nothing changed"
            )
    env = Environment(
        loader=FileSystemLoader(resources.templates_dir()),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # YAML, not HTML; the values are quoted below
    )
    config = env.get_template("new-project.yml.j2").render(
        site_name=_yaml_scalar(site_name),
        site_description=_yaml_scalar(f"{site_name}：报纸文章的可检索档案，每篇文章一个稳定网址"),
        site_url=_yaml_scalar(site_url),
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "corpus").mkdir(exist_ok=True)
    publish.write_tree(folder / "docs", {})
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    (folder / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    from .editions import write_engine_files
    from .settings import load_settings

    write_engine_files(load_settings(folder), 0)  # overrides, dictionaries, derived configs
    return folder


def _yaml_scalar(text: str) -> str:
    """``text`` as one double-quoted YAML scalar (no markup, no injection)."""
    import json

    return json.dumps(text.replace("\n", " "), ensure_ascii=False)
