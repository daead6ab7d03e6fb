"""Where the package's own files are: data, templates, theme overrides.

All three travel inside the installed package (``generator/data/``,
``generator.templates``, ``generator.site_overrides``; in a source checkout
the last two are the top-level ``templates/`` and ``site_overrides/``, mapped
by ``pyproject.toml``) and are found with ``importlib.resources``, never
relative to the user's project or the current folder.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _folder(package: str) -> Path:
    # Installed as plain files (a wheel or an editable install): a real path,
    # which Jinja2's and MkDocs' loaders need.
    return Path(str(files(package)))


def data_dir() -> Path:
    """``generator/data/``: gazetteer, dictionaries, stopwords, corrections, layout."""
    return _folder("generator") / "data"


def templates_dir() -> Path:
    """The Jinja2 templates of the generated Markdown."""
    return _folder("generator.templates")


def overrides_dir() -> Path:
    """Material's ``custom_dir``: page templates, stylesheets, vendored scripts."""
    return _folder("generator.site_overrides")
