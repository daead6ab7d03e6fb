"""Writing generated files safely.

* **Only our files.** A manifest (``.generated.json``) lists every file the
  generator wrote, with its content hash. Files not in it (hand-written
  pages, images) are never changed or deleted.
* **All or nothing.** A new tree is assembled in a staging folder beside the
  target (unchanged files hard-linked, so their mtimes stay), then swapped
  in with one atomic ``renameat2(RENAME_EXCHANGE)``. A run killed at any
  moment leaves the previous folder in place; leftovers are cleaned up by
  the next run.
* **Small changes, file by file.** When few files change (a rebuild after
  one raw file changed), relinking every unchanged file costs more than the
  change: only the changed files are staged, with a plan. Renaming the plan
  to ``.patch.json`` commits the change; the files are then moved in one by
  one. A run killed before the commit leaves the folder as it was; one
  killed after it is finished by the next run (``recover``): a journal, as
  in a database.
* **One at a time.** A lock file stops two runs from writing at once.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import json
import os
import posixpath
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from .errors import ArchiveError, UnsafeOutputError, shown

MANIFEST = ".generated.json"
PATCH_SHARE = 0.1  # changes to at most this share of the files are applied file by file
# Files a folder may hold and still count as empty for ``check_output``.
HARMLESS = frozenset({".gitignore", ".gitkeep", ".keep", ".nojekyll", ".DS_Store"})
_PLAN = ".patch-plan.json"  # a staged patch, not yet committed
_PATCH = ".patch.json"  # a committed patch (the plan, renamed)
T = TypeVar("T")
R = TypeVar("R")


class LockedError(ArchiveError, RuntimeError):
    """Another generator run holds the lock."""


class ChangedDuringRun(ArchiveError, RuntimeError):
    """A file the run kept as it was changed on disk meanwhile."""


def check_output(
    target: Path,
    *,
    what: str = "output folder",
    root: Path | None = None,
    corpus: Path | None = None,
    force: bool = False,
    generated: bool = True,
) -> None:
    """Refuse (``UnsafeOutputError``, one line) an output folder that must not
    be written, before anything is touched.

    Always refused: the file-system root, the home folder, the project
    ``root`` or any folder holding it or the home folder, the ``corpus``, a
    folder inside it or holding it, and an existing file (or anything that is
    not a folder). With ``generated``, also a folder holding anything but
    ``HARMLESS`` files and no generator manifest (files the generator did not
    write), unless ``force``: the tree is rebuilt, and its empty subfolders and
    folder modes are not kept.
    """
    real = Path(os.path.realpath(target))
    name = f"{what} {shown(target)}"

    def refuse(why: str) -> UnsafeOutputError:
        return UnsafeOutputError(f"{name}: {why}; nothing changed")

    protected = [(Path("/"), "the file-system root"), (Path.home(), "your home folder")]
    if root is not None:
        protected.append((root, "the project folder"))
    for folder, label in protected:
        folder = Path(os.path.realpath(folder))
        if real == folder:
            raise refuse(f"is {label}; choose a folder of its own")
        if folder.is_relative_to(real):
            raise refuse(f"holds {label}; choose a folder of its own")
    if corpus is not None:
        corpus_real = Path(os.path.realpath(corpus))
        if real == corpus_real or real.is_relative_to(corpus_real):
            raise refuse("is the corpus or inside it: output and input must be apart")
        if corpus_real.is_relative_to(real):
            raise refuse("holds the corpus: output and input must be apart")
    if os.path.lexists(target) and not real.is_dir():
        raise refuse("exists and is not a folder")
    if generated and not force and real.is_dir() and not (real / MANIFEST).is_file():
        try:
            with os.scandir(real) as entries:
                foreign = [e.name for e in entries if e.name not in HARMLESS]
        except OSError as exc:
            raise refuse(f"cannot be listed ({exc.strerror or exc})") from None
        if foreign:
            raise refuse(
                "holds files the generator did not write (no .generated.json); "
                "empty it, choose another folder, or use --force (its files are kept)"
            )


@contextmanager
def run_lock(target: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold an exclusive lock for writing ``target``; wait up to ``wait`` seconds."""
    lock_path = target.parent / f".{target.name}.lock"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as fh:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise LockedError(
                        f"another generator run is writing {target} (lock {lock_path}); "
                        "wait for it to finish or use --wait SECONDS"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(target: Path) -> dict[str, str]:
    """Path → content hash of the files the generator wrote last time."""
    try:
        data = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.get("files", {}).items()}
    except (OSError, ValueError, AttributeError):
        return {}


@dataclass(frozen=True)
class Kept:
    """A generated file that is already on disk with this content hash (per the
    manifest): keep it as it is. Lets a rebuild skip rendering unchanged pages."""

    digest: str


def digest_of(content: str | bytes | Kept) -> str:
    """The manifest hash of a generated file's content."""
    if isinstance(content, Kept):
        return content.digest
    return digest(content.encode("utf-8") if isinstance(content, str) else content)


@dataclass
class WriteReport:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    conflicts: list[str] | None = None  # hand-written files we would have replaced


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE) where available."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    if not hasattr(libc, "renameat2"):
        return False
    at_fdcwd, rename_exchange = -100, 2
    res = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return res == 0


def recover(target: Path) -> None:
    """Undo what a killed run left behind (before or after its swap)."""
    parent = target.parent
    old = parent / f".{target.name}.old"
    if not target.exists() and old.exists():
        old.rename(target)  # killed between the two renames of the fallback path
    for leftover in parent.glob(f".{target.name}.staging-*"):
        if (leftover / _PATCH).exists():  # committed: finish it
            _apply_patch(leftover, target)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def write_tree(target: Path, files: dict[str, bytes | str | Kept]) -> WriteReport:
    """Make ``target`` hold exactly ``files`` plus any file we did not generate.

    Nothing changes on disk when every file is already up to date. A ``Kept``
    file must be on disk as the manifest says (the caller holds the lock).
    """
    report, staging = stage_tree(target, files)
    if staging is not None:
        swap_in(staging, target)
    return report


def stage_tree(
    target: Path, files: dict[str, bytes | str | Kept]
) -> tuple[WriteReport, Path | None]:
    """``write_tree`` up to the swap: the new tree, assembled in a staging
    folder that ``swap_in(staging, target)`` puts in place (``None``: nothing
    to change)."""
    report = WriteReport()
    recover(target)
    old = read_manifest(target)
    kept = {path: c.digest for path, c in files.items() if isinstance(c, Kept)}
    for path, want in kept.items():
        if old.get(path) != want or not (target / path).is_file():
            raise ChangedDuringRun(f"{target / path}: changed during the run; run again")
    for path in files:
        _check_path(path)
    made = [(path, c) for path, c in files.items() if not isinstance(c, Kept)]
    encoded = _in_threads(_encode, made)  # (bytes, hash): hashlib lets go of the GIL
    blobs = {path: data for (path, _), (data, _) in zip(made, encoded, strict=True)}
    hashes = {path: h for (path, _), (_, h) in zip(made, encoded, strict=True)}
    del made, encoded
    # A hand-written file at a path we generate wins: we do not overwrite it.
    report.conflicts = sorted(p for p in blobs if p not in old and (target / p).is_file())
    for path in report.conflicts:
        del blobs[path]
    new_manifest = {path: hashes[path] for path in blobs}
    new_manifest.update(kept)
    new_manifest = dict(sorted(new_manifest.items()))
    stale = {p for p in old if p not in new_manifest and (target / p).exists()}
    changed = [p for p in blobs if old.get(p) != new_manifest[p] or not (target / p).is_file()]
    if target.exists() and not changed and not stale:
        report.unchanged = len(new_manifest)
        return report, None
    staging = target.parent / f".{target.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        return _assemble(target, staging, report, blobs, new_manifest, old, changed, stale)
    except BaseException:  # a full disk, Ctrl-C: leave no half-built staging folder behind
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _assemble(
    target: Path,
    staging: Path,
    report: WriteReport,
    blobs: dict[str, bytes],
    new_manifest: dict[str, str],
    old: dict[str, str],
    changed: list[str],
    stale: set[str],
) -> tuple[WriteReport, Path]:
    """Fill ``staging`` with a patch (few changes) or the whole new tree."""

    def write(rel: str) -> None:
        with open(staging / rel, "xb") as fh:
            fh.write(blobs[rel])

    manifest = json.dumps(
        {"generator": "jilin-news-archive", "files": new_manifest}, ensure_ascii=False, indent=0
    )
    if target.exists() and old and len(changed) + len(stale) <= PATCH_SHARE * len(old):
        _make_folders(staging, changed)
        _in_threads(write, changed)
        (staging / MANIFEST).write_text(manifest, encoding="utf-8")
        plan = {"write": changed, "delete": sorted(stale)}
        (staging / _PLAN).write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        report.written, report.removed = len(changed), len(stale)
        report.unchanged = len(new_manifest) - len(changed)
        _fsync_tree(staging)
        return report, staging
    # Carry over everything we did not generate, and unchanged files, by hard link.
    replaced = set(changed)
    carried: list[str] = []
    for rel in _tree_files(target):
        if rel == MANIFEST or rel in replaced:
            continue
        if rel in stale:
            report.removed += 1
            continue
        carried.append(rel)
        if rel in new_manifest:
            report.unchanged += 1
    _make_folders(staging, carried)

    def carry(rel: str) -> None:
        dest = staging / rel
        if (target / rel).is_symlink() and (target / rel).is_dir():
            os.symlink(os.readlink(target / rel), dest)  # a linked folder stays a link
        else:
            _link_or_copy(target / rel, dest)

    _in_threads(carry, carried)
    _make_folders(staging, changed)
    _in_threads(write, changed)
    report.written = len(changed)
    (staging / MANIFEST).write_text(manifest, encoding="utf-8")
    _fsync_tree(staging)
    return report, staging


THREADS = 4  # file system calls and hashing let go of the GIL: run them side by side
_THREADS_FROM = 256  # items; fewer are done in this thread


def _in_threads(fn: Callable[[T], R], items: list[T]) -> list[R]:
    """``[fn(x) for x in items]`` on ``THREADS`` threads when there are many."""
    if len(items) < _THREADS_FROM:
        return [fn(x) for x in items]
    step = -(-len(items) // (THREADS * 8))
    chunks = [items[i : i + step] for i in range(0, len(items), step)]
    with ThreadPoolExecutor(THREADS) as pool:
        done = pool.map(lambda chunk: [fn(x) for x in chunk], chunks)
        return [r for chunk in done for r in chunk]


def _encode(item: tuple[str, bytes | str]) -> tuple[bytes, str]:
    data = item[1].encode("utf-8") if isinstance(item[1], str) else item[1]
    return data, digest(data)


def _make_folders(root: Path, files: list[str]) -> None:
    """Create the folders of ``files`` (posix paths relative to ``root``)."""
    for folder in sorted({posixpath.dirname(f) for f in files} - {""}):
        os.makedirs(root / folder, exist_ok=True)


def _tree_files(root: Path) -> list[str]:
    """Every file (and symlink) below ``root``, as sorted posix paths relative to it."""
    found: list[str] = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(folder, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        found.extend(prefix + n for n in names)
        found.extend(prefix + d for d in dirs if os.path.islink(os.path.join(folder, d)))
    return sorted(found)


_CLEANUPS: list[threading.Thread] = []


def finish() -> None:
    """Wait until the old trees replaced by ``swap_in`` are deleted."""
    while _CLEANUPS:
        _CLEANUPS.pop().join()


def swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` atomically (or as near as the OS allows);
    a staged patch (``stage_tree``) is committed, then applied."""
    if (staging / _PLAN).exists():
        (staging / _PLAN).rename(staging / _PATCH)  # the commit point
        _apply_patch(staging, target)
        return
    if target.exists() and _exchange(staging, target):
        # ``staging`` now holds the old tree: delete it while the run goes on
        # (``finish`` waits; a killed run's leftover goes in ``recover``).
        thread = threading.Thread(target=shutil.rmtree, args=(staging, True), daemon=True)
        thread.start()
        if not _CLEANUPS:
            atexit.register(finish)  # never leave a half-deleted tree behind on exit
        _CLEANUPS.append(thread)
        return
    if not target.exists():
        staging.rename(target)
        return
    old = target.parent / f".{target.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _apply_patch(staging: Path, target: Path) -> None:
    """Move a committed patch's files into ``target``, delete its stale files,
    then its manifest; safe to run again after an interruption."""
    plan = json.loads((staging / _PATCH).read_text(encoding="utf-8"))
    for rel in plan["write"]:
        if os.path.lexists(staging / rel):  # not moved yet
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target / rel)
    for rel in plan["delete"]:
        try:
            (target / rel).unlink()
        except FileNotFoundError:
            pass
        for folder in Path(rel).parents[:-1]:  # folders the deletion emptied
            try:
                (target / folder).rmdir()
            except OSError:
                break
    if (staging / MANIFEST).exists():
        os.replace(staging / MANIFEST, target / MANIFEST)
    shutil.rmtree(staging, ignore_errors=True)


def _link_or_copy(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def _fsync_tree(root: Path) -> None:
    try:
        fd = os.open(root, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    except OSError:
        pass


def _check_path(rel: str) -> None:
    """Refuse generated paths that could escape the target folder."""
    p = Path(rel)
    if p.is_absolute() or ".." in p.parts or not rel or "\x00" in rel:
        raise ValueError(f"refusing to write outside the output folder: {rel!r}")
