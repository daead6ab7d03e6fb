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

Each memo is one file in ``.generator-cache/build/`` (git-ignored), ``NAME.memo``, read
once and written once per run, atomically. A run keeps only the entries it
used, so the cache stays the size of the corpus. The file is text: a header
line naming the format and its version, then one line per entry::

    archive-memo 2 <sha256 of the rest of the file, hex>
    <sha256 of the rest of the line, hex> <key, hex> <value: serial.encode JSON>

The values are JSON (``serial.py``), never pickle: reading a cache file that
was copied, shared or tampered with cannot run code. When the file is read,
its hash is checked (and, if it does not match, every line's own hash, to
keep the lines that are intact); a value is decoded, and checked against the
types it may hold, only when it is looked up. A line that fails a check is
dropped and its result computed again, with one warning naming the file; a
file with a wrong header is ignored whole, with a warning. So a
damaged cache costs time, never a different build. Files from the pickle
format (``NAME.pickle``) are never read, and removed when the memo is saved.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import os
import stat
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from . import serial
from .parallel import WarmWorker

T = TypeVar("T")
PACKAGE = Path(__file__).resolve().parent
VERSION = 2  # of the memo file format (1 was pickle)
_FORMAT = b"archive-cache-2"
_LIBRARIES = ("jieba", "rjieba", "opencc", "jinja2", "pyyaml")
_ORDER = ("meta", "pages", "words", "people", "dates", "subjects", "render", "hant")


# Data files that only one memo's step reads: they are left out of
# ``fingerprint()`` and put into that step's keys instead (``data_fingerprint``),
# so that an edit of the OCR rules re-cleans every raw file but keeps every
# article whose cleaned text did not change (places, tags, pages, Traditional).
# ``corrections.yml`` is read by ``clean.clean_page`` alone, which runs only
# inside the ``pages`` memo's step (``pages.process_file``).
SCOPED_DATA = {"corrections.yml": "pages"}


@cache
def fingerprint() -> bytes:
    """Hash of everything besides the input that decides a cached result
    (but for ``SCOPED_DATA``, which the keys of the step that reads it hold)."""
    h = hashlib.sha1(_FORMAT)
    roots = [PACKAGE, PACKAGE.parent / "templates"]
    scoped = {PACKAGE / "data" / name for name in SCOPED_DATA}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path in scoped:
                continue
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(root.parent).as_posix().encode())
                h.update(path.read_bytes())
    for lib in _LIBRARIES:
        try:
            h.update(f"{lib}={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{lib}=-".encode())
    return h.digest()


@cache
def data_fingerprint(memo: str) -> bytes:
    """Hash of the ``SCOPED_DATA`` files read by the step of ``memo`` (a part
    of that step's keys)."""
    h = hashlib.sha1(memo.encode())
    for name, user in sorted(SCOPED_DATA.items()):
        if user == memo:
            path = PACKAGE / "data" / name
            h.update(name.encode())
            h.update(path.read_bytes() if path.is_file() else b"-")
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

    Results are kept encoded (``serial.encode``): a hit is a fresh copy, so
    later stages may change the objects they get without changing what is
    stored. ``path=None`` gives a memo that remembers nothing (``--no-cache``).
    A damaged entry or file is reported (``warn``) and treated as missing.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._old: dict[bytes, bytes] = {}  # key → its line as read (hash checked)
        self._new: dict[bytes, bytes] = {}  # key → its line, for this run's file
        self.hits = 0
        self.misses = 0
        self.damaged = 0  # entries dropped because they failed a check
        self._repair = False  # the file failed a check: write it again
        self._unstorable = False  # a result could not be encoded (warned once)
        if path is not None:
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            data = _read_regular(path)
        except FileNotFoundError:
            return
        except OSError as exc:
            warn(f"{path}: cannot read the cache file ({exc.strerror or exc}); computing again")
            return
        lines = data.split(b"\n")
        head = lines[0]
        if not head.startswith(HEADER) or len(head) != len(HEADER) + _HASH_LEN:
            self._repair = True
            warn(
                f"{path}: not a cache file of format {VERSION} (damaged, or written by"
                " another version); ignored, its results are computed again"
            )
            return
        bad = 0 if lines.pop() == b"" else 1  # the last line ends with a newline
        body = memoryview(data)[len(head) + 1 :]
        whole = _digest(body) == head[len(HEADER) :]  # then every line is as written
        for line in itertools.islice(lines, 1, None):
            k = _key_of(line) if whole else _checked(line)
            if k is None or k in self._old:
                bad += 1
            else:
                self._old[k] = line
        if bad or not whole:
            self.damaged += bad
            self._repair = True
            if bad:
                entries = "1 damaged entry" if bad == 1 else f"{bad} damaged entries"
                warn(f"{path}: {entries} in the cache file ignored; computing again")
            else:
                warn(f"{path}: the cache file's hash does not match (its entries do); rewriting it")

    def lookup(self, k: bytes) -> tuple[bool, Any]:
        """``(True, value)`` when ``k`` is stored (and keeps it), else ``(False, None)``."""
        line = self._new.get(k)
        old = line is None
        if old:
            line = self._old.get(k)
            if line is None:
                return False, None
        try:
            value = serial.decode(memoryview(line)[_HASH_LEN + 2 + 2 * len(k) :])
        except serial.Corrupt as exc:
            self._drop(k, exc)
            return False, None
        if old:
            self.hits += 1
            self._new[k] = line
        return True, value

    def keep(self, k: bytes) -> bool:
        """Keep the entry of ``k`` for the next run without decoding its value
        (the caller has the result from elsewhere); False when there is none."""
        if k in self._new:
            return True
        line = self._old.get(k)
        if line is None:
            return False
        self.hits += 1
        self._new[k] = line
        return True

    def _drop(self, k: bytes, exc: Exception) -> None:
        """Forget an entry whose value did not decode (a hash-valid line we
        did not write); warns once per memo."""
        self._old.pop(k, None)
        self._new.pop(k, None)
        self.damaged += 1
        self._repair = True
        if self.damaged == 1:
            warn(f"{self.path}: a cache entry holds no valid result ({exc}); computing again")

    def put(self, k: bytes, value: Any) -> None:
        """Store a result (a copy of it: later changes to ``value`` are not stored).

        A value ``serial`` cannot store (a type it does not know) is not kept,
        with one warning per memo: the build goes on, computing it each time."""
        self.misses += 1
        try:
            self._new[k] = _line(k, serial.encode(value))
        except TypeError as exc:
            if not self._unstorable:
                warn(f"{self.path}: {exc}; such results are not kept")
            self._unstorable = True

    @property
    def stored(self) -> int:
        """How many valid results the memo had when this run began."""
        return len(self._old)

    def get(self, k: bytes, compute: Callable[[], T]) -> T:
        """The stored result for ``k``, or ``compute()`` stored under it."""
        found, value = self.lookup(k)
        if not found:
            value = compute()
            self.put(k, value)
        return value

    def save(self) -> None:
        """Write the entries used in this run, atomically; skip when nothing changed.

        A cache that cannot be written (a full disk, a folder in the way) is a
        warning: the next run computes again what it would have held."""
        if self.path is None:
            return
        if self.misses == 0 and not self._repair and self._new.keys() == self._old.keys():
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        body = b"".join(line + b"\n" for line in self._new.values())
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(HEADER + _digest(body) + b"\n")
                fh.write(body)
            tmp.replace(self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            warn(f"{self.path}: cannot write the cache file ({exc.strerror or exc}); not kept")


# A memo file: "archive-memo 2 <hash of the rest>", then a line per entry.
HEADER = f"archive-memo {VERSION} ".encode("ascii")
_HASH_LEN = 64  # hex digits of a SHA-256


def _read_regular(path: Path) -> bytes:
    """The bytes of ``path``; ``OSError`` when it is not a regular file (a FIFO
    would block, a device never end), without reading from it."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return fh.read()


def _digest(data: bytes | memoryview) -> bytes:
    """SHA-256 of ``data``, in lowercase hex."""
    return hashlib.sha256(data).hexdigest().encode("ascii")


def _line(k: bytes, payload: bytes) -> bytes:
    """One entry of a memo file (without its newline): hash, key, value."""
    rest = k.hex().encode("ascii") + b" " + payload
    return _digest(rest) + b" " + rest


def _checked(line: bytes) -> bytes | None:
    """The key of a memo file line whose hash matches its bytes, else None."""
    rest = line[_HASH_LEN + 1 :]
    if line[_HASH_LEN : _HASH_LEN + 1] != b" " or _digest(rest) != line[:_HASH_LEN]:
        return None
    return _key_of(line)


def _key_of(line: bytes) -> bytes | None:
    """The key of a memo file line (from a file whose hash matched), else None."""
    end = line.find(b" ", _HASH_LEN + 1)
    hexkey = line[_HASH_LEN + 1 : end]
    if end < 0 or hexkey != hexkey.lower():
        return None
    try:
        return bytes.fromhex(hexkey.decode("ascii"))
    except ValueError:
        return None


def warn(message: str) -> None:
    """Report a problem with the cache (one line on stderr); the build goes on."""
    sys.stderr.write(f"warning: {message}\n")
    sys.stderr.flush()


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
            path = None if self.folder is None else self.folder / f"{name}.memo"
            self._memos[name] = Memo(path)
        return self._memos[name]

    def save(self) -> None:
        """Write every memo this run used, and remove its pickle file from
        before version 2 (never read: loading pickle can run code)."""
        for name, memo in self._memos.items():
            memo.save()
            if self.folder is not None:
                with contextlib.suppress(OSError):
                    (self.folder / f"{name}.pickle").unlink(missing_ok=True)

    def stats(self) -> str:
        """``pages 2340/1, tags …``: hits/misses per memo, for the run summary,
        in pipeline order."""
        names = sorted(self._memos, key=lambda n: (_ORDER.index(n) if n in _ORDER else 99, n))
        return ", ".join(f"{n} {self._memos[n].hits}/{self._memos[n].misses}" for n in names)


def disabled() -> Caches:
    """Caches that remember nothing."""
    return Caches(None)
