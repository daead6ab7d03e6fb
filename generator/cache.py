"""Content-addressed memos that let a rebuild skip work whose inputs did not change.

A rebuild after one raw file changed must cost a few percent of a full one
(issue 7), so each costly step looks its result up by a hash of its inputs:

* ``meta``     — a sidecar's bytes → its metadata;
* ``pages``    — one raw file's bytes and sidecar → its decoded page and fragments;
* ``words``    — the ends of two fragments → whether the join falls in a word (merge);
* ``people``, ``dates`` — an article's byline / text → its reporters / date evidence;
* ``subjects`` — an article's text and context → its cities, places, tags, topics;
* ``render``   — a page's context → the hash of the page (``render.Renderer``);
* ``hant``     — a generated Simplified text → its Traditional text (or hash).

Every key also holds ``fingerprint()``, a hash of the generator's own code,
data files and templates, and the versions of the libraries whose output we
store: change any of them and every entry misses. So a cache can only make a
build faster, never different — ``tests/test_cache.py`` checks that a cached
rebuild is byte-identical to a cold one.

Each memo is one pickle file in ``.cache/build/`` (git-ignored), read once and
written once per run, atomically. A run keeps only the entries it used, so the
cache stays the size of the corpus. A damaged cache file is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from .parallel import WarmWorker

T = TypeVar("T")
PACKAGE = Path(__file__).resolve().parent
_FORMAT = b"archive-cache-1"
_LIBRARIES = ("jieba", "rjieba", "opencc", "jinja2", "pyyaml")
_ORDER = ("meta", "pages", "words", "people", "dates", "subjects", "render", "hant")


@cache
def fingerprint() -> bytes:
    """Hash of everything besides the input that decides a cached result."""
    h = hashlib.sha1(_FORMAT)
    roots = [PACKAGE, PACKAGE.parent / "templates"]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(root.parent).as_posix().encode())
                h.update(path.read_bytes())
    for lib in _LIBRARIES:
        try:
            h.update(f"{lib}={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{lib}=-".encode())
    return h.digest()


def key(*parts: object) -> bytes:
    """A cache key: the hash of ``parts``.

    A part is str, bytes, or plain data (numbers, None, lists, tuples, dicts
    and dataclasses of those) whose ``repr`` says everything about it. Not
    pickle: its bytes depend on which equal objects happen to be shared.
    """
    h = hashlib.sha1(fingerprint())
    for part in parts:
        if isinstance(part, str):
            data = part.encode("utf-8", "surrogatepass")
        elif isinstance(part, bytes):
            data = part
        else:
            data = repr(part).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


class Memo:
    """One stage's results by key, loaded from and saved to ``path``.

    Results are kept pickled: a hit is a fresh copy, so later stages may
    change the objects they get without changing what is stored.
    ``path=None`` gives a memo that remembers nothing (``--no-cache``).
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._old: dict[bytes, bytes] = {}
        self._new: dict[bytes, bytes] = {}
        self.hits = 0
        self.misses = 0
        if path is not None:
            try:
                with open(path, "rb") as fh:
                    loaded = pickle.load(fh)  # noqa: S301 - our own file in .cache/
                if isinstance(loaded, dict):
                    self._old = loaded
            except Exception:  # noqa: BLE001 - missing or damaged: start again
                self._old = {}

    def lookup(self, k: bytes) -> tuple[bool, Any]:
        """``(True, value)`` when ``k`` is stored (and keeps it), else ``(False, None)``."""
        blob = self._new.get(k)
        if blob is None:
            blob = self._old.get(k)
            if blob is None:
                return False, None
            self.hits += 1
            self._new[k] = blob
        return True, pickle.loads(blob)  # noqa: S301

    def put(self, k: bytes, value: Any) -> None:
        """Store a result (a copy of it: later changes to ``value`` are not stored)."""
        self.misses += 1
        self._new[k] = pickle.dumps(value, protocol=5)

    @property
    def stored(self) -> int:
        """How many results the memo had when this run began."""
        return len(self._old)

    def get(self, k: bytes, compute: Callable[[], T]) -> T:
        """The stored result for ``k``, or ``compute()`` stored under it."""
        found, value = self.lookup(k)
        if not found:
            value = compute()
            self.put(k, value)
        return value

    def save(self) -> None:
        """Write the entries used in this run, atomically; skip when nothing changed."""
        if self.path is None:
            return
        if self.misses == 0 and self._new.keys() == self._old.keys():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(self._new, fh, protocol=5)
        tmp.replace(self.path)


def map_cached(
    memo: Memo,
    fn: Callable[[Any], T],
    jobs: list[Any],
    keys: list[bytes],
    workers: int | None = None,
    parallel_from: int = 64,
    warm: WarmWorker | None = None,
) -> list[T]:
    """``[fn(job) for job in jobs]``, taking stored results by ``keys`` from ``memo``.

    The jobs that miss are run on ``workers`` processes (default: every core)
    when there are at least ``parallel_from`` of them, else on ``warm`` (a
    worker that has loaded what ``fn`` needs) if given, else here; ``fn`` must
    be a module-level function. Results come back in the order of ``jobs``.
    """
    results: list[Any] = []
    todo: list[int] = []
    for i, k in enumerate(keys):
        found, value = memo.lookup(k)
        results.append(value)
        if not found:
            todo.append(i)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    missing = [jobs[i] for i in todo]
    if workers > 1 and len(missing) >= parallel_from:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            chunk = max(1, min(64, len(missing) // (workers * 4)))
            computed = list(pool.map(fn, missing, chunksize=chunk))
    elif warm is not None and missing:
        computed = warm.map(fn, missing)
    else:
        computed = [fn(job) for job in missing]
    for i, value in zip(todo, computed, strict=True):
        memo.put(keys[i], value)
        results[i] = value
    return results


class Caches:
    """The memos of one run, all in one folder (or none at all)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._memos: dict[str, Memo] = {}

    def __getitem__(self, name: str) -> Memo:
        if name not in self._memos:
            path = None if self.folder is None else self.folder / f"{name}.pickle"
            self._memos[name] = Memo(path)
        return self._memos[name]

    def save(self) -> None:
        """Write every memo this run used."""
        for memo in self._memos.values():
            memo.save()

    def stats(self) -> str:
        """``pages 2340/1, tags …``: hits/misses per memo, for the run summary,
        in pipeline order."""
        names = sorted(self._memos, key=lambda n: (_ORDER.index(n) if n in _ORDER else 99, n))
        return ", ".join(f"{n} {self._memos[n].hits}/{self._memos[n].misses}" for n in names)


def disabled() -> Caches:
    """Caches that remember nothing."""
    return Caches(None)
