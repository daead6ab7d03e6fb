"""Build the real site once per test session, as a newcomer would, and serve it.

Used by ``tests/test_built_site.py`` and ``tests/test_browser.py``. A test module
registers a fixture by importing it: ``built_site = sitebuild.built_site`` (an
assignment rather than ``from sitebuild import built_site``, which ruff reports
as F811 at every test that takes the fixture as an argument).

* ``built_site``: a copy of the project in a temporary folder where
  ``python -m generator site`` and ``python -m generator site --offline`` ran,
  as a :class:`BuiltSite` (paths of ``site/`` and ``site-offline/``). Built
  once per session however many modules import it.
* ``site_server``: the base URL of ``built_site.site`` served over http.
* ``build_site_from(corpus, dest)``: the same copy-and-build for any corpus
  folder (hostile fixtures).
* ``serve(folder, prefix="/")``: serves a folder on 127.0.0.1 with
  ``ThreadingHTTPServer`` in a thread; ``prefix="/repo/"`` serves it below a
  sub-path, as GitHub Pages serves a project site.
* ``parse_html`` / ``parse_file``: built pages as a small element tree (stdlib only).
* ``CHROMIUM`` / ``require_chromium()``: the browser tests' Chromium, skipped
  with a reason when it is missing.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"

# What a newcomer has after a clone: the project files the site command reads.
PROJECT_DIRS = ("generator", "templates", "site_overrides", "corpus")
PROJECT_GLOBS = ("mkdocs*.yml", "pyproject.toml")


@dataclass
class BuiltSite:
    root: Path  # the project copy
    site: Path  # site/ (Simplified; Traditional in site/zh-Hant/)
    offline: Path | None  # site-offline/ (or None when not built)
    timings: dict[str, float]
    logs: dict[str, str]

    @property
    def site_hant(self) -> Path:
        return self.site / "zh-Hant"

    @property
    def offline_hant(self) -> Path:
        assert self.offline is not None
        return self.offline / "zh-Hant"


def copy_project(dest: Path, corpus: Path | None = None) -> Path:
    """Copy the project files into ``dest`` (the corpus from ``corpus`` if given)."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PROJECT_DIRS:
        src = ROOT / name
        if name == "corpus" and corpus is not None:
            src = corpus
        shutil.copytree(src, dest / name, ignore=ignore)
    for pattern in PROJECT_GLOBS:
        for path in ROOT.glob(pattern):
            shutil.copy2(path, dest / path.name)
    return dest


class BuildFailed(RuntimeError):
    """``python -m generator`` failed: not an assertion, so no xfail test swallows it."""


def run_generator(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """``python -m generator ARGS`` in ``root``, as a user would type it there."""
    env = dict(os.environ)
    # The copy's own package, not the checkout's (``-m`` puts the cwd first anyway).
    env["PYTHONPATH"] = str(root)
    env.pop("ARCHIVE_SKIP_GENERATE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise BuildFailed(
            f"python -m generator {' '.join(args)} exited {proc.returncode}\n"
            f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-8000:]}"
        )
    return proc


def build_project(root: Path, offline: bool = True, check: bool = True) -> BuiltSite:
    """Run ``site`` (and ``site --offline``) in a project copy."""
    timings: dict[str, float] = {}
    logs: dict[str, str] = {}
    for label, args in (("site", ("site",)), ("offline", ("site", "--offline"))):
        if label == "offline" and not offline:
            continue
        start = time.perf_counter()
        proc = run_generator(root, *args, check=check)
        timings[label] = time.perf_counter() - start
        logs[label] = proc.stderr
    return BuiltSite(
        root=root,
        site=root / "site",
        offline=(root / "site-offline") if offline else None,
        timings=timings,
        logs=logs,
    )


def build_site_from(
    corpus: Path, dest: Path, offline: bool = False, check: bool = True
) -> BuiltSite:
    """Copy the project into ``dest`` with ``corpus`` as its corpus, and build it."""
    copy_project(dest, corpus=corpus)
    return build_project(dest, offline=offline, check=check)


_BUILDS: dict[str, BuiltSite] = {}  # shared by every module that imports the fixture


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> BuiltSite:
    """The bundled corpus built into site/ and site-offline/, once per session.

    Each test module that imports this fixture gets its own fixture definition,
    so the build itself is cached here, in this module, and happens once.
    """
    if "bundled" not in _BUILDS:
        root = copy_project(tmp_path_factory.mktemp("project"))
        built = build_project(root, offline=True)
        sys.stderr.write(
            "\nsite build: "
            + ", ".join(f"{k} {v:.1f}s" for k, v in built.timings.items())
            + f" in {root}\n"
        )
        _BUILDS["bundled"] = built
    return _BUILDS["bundled"]


# --- serving -------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def _handler(folder: Path, prefix: str):
    class Handler(_QuietHandler):
        def translate_path(self, path):
            # Only URLs under ``prefix`` exist, as on a project's GitHub Pages site.
            if not path.startswith(prefix):
                return str(folder / ".does-not-exist")
            return super().translate_path("/" + path[len(prefix) :])

    return functools.partial(Handler, directory=str(folder))


@contextlib.contextmanager
def serve(folder: Path, prefix: str = "/") -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) under the URL path ``prefix``.

    Yields the base URL, ending in ``/``: ``prefix="/repo/"`` serves the site
    the way GitHub Pages serves a project site, below a sub-path.
    """
    assert prefix.startswith("/") and prefix.endswith("/")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(folder, prefix))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def site_server(built_site) -> Iterator[str]:
    """Base URL of built_site's site/ served over http."""
    with serve(built_site.site) as url:
        yield url


# --- the browser ---------------------------------------------------------------


def require_chromium() -> None:
    """Skip (with the reason) when the browser tests cannot run here."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; "
            ".ci/run does) to run the browser tests"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("Python playwright is not installed (pip install -e '.[test]')")


# --- reading built HTML (stdlib only) -----------------------------------------------

VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class Node:
    """An element of a parsed page: tag, attributes, children and text."""

    __slots__ = ("tag", "attrs", "children", "parent", "line")

    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None, line: int):
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node | str] = []
        self.parent = parent
        self.line = line

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        out = []
        for child in self.children:
            out.append(child if isinstance(child, str) else child.text())
        return "".join(out)

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs) -> list[Node]:
        found = []
        for node in self.iter():
            if tag and node.tag != tag:
                continue
            if cls and cls not in node.classes:
                continue
            if any(node.attrs.get(k.rstrip("_")) != v for k, v in attrs.items()):
                continue
            found.append(node)
        return found

    def find(self, tag: str | None = None, cls: str | None = None, **attrs) -> Node | None:
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs} line {self.line}>"


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None, 0)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(
            tag, {k: (v if v is not None else "") for k, v in attrs}, self.current, self.getpos()[0]
        )
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        node = Node(
            tag, {k: (v if v is not None else "") for k, v in attrs}, self.current, self.getpos()[0]
        )
        self.current.children.append(node)

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:  # a stray end tag is ignored
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(text: str) -> Node:
    """The page as a tree of :class:`Node` (tolerant, like a browser's, but simpler)."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


@functools.lru_cache(maxsize=4096)
def parse_file(path: Path) -> Node:
    return parse_html(path.read_text(encoding="utf-8"))
