"""Writing generated files safely.

* **Only our files.** A manifest (``.generated.json``) lists every file the
  generator wrote, with its content hash. Files not in it (hand-written
  pages, images) are never changed or deleted.
* **All or nothing.** A new tree is assembled in a staging folder beside the
  target (unchanged files hard-linked, so their mtimes stay), then swapped
  in with one atomic ``renameat2(RENAME_EXCHANGE)``. A run killed at any
  moment leaves the previous folder in place; leftovers are cleaned up by
  the next run.
* **One at a time.** A lock file stops two runs from writing at once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".generated.json"


class LockedError(RuntimeError):
    """Another generator run holds the lock."""


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


@dataclass
class WriteReport:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    kept_foreign: int = 0
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
        shutil.rmtree(leftover, ignore_errors=True)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def write_tree(target: Path, files: dict[str, bytes | str]) -> WriteReport:
    """Make ``target`` hold exactly ``files`` plus any file we did not generate.

    Nothing changes on disk when every file is already up to date.
    """
    report = WriteReport()
    recover(target)
    blobs = {path: (c.encode("utf-8") if isinstance(c, str) else c) for path, c in files.items()}
    for path in blobs:
        _check_path(path)
    old = read_manifest(target)
    # A hand-written file at a path we generate wins: we do not overwrite it.
    report.conflicts = sorted(p for p in blobs if p not in old and (target / p).is_file())
    for path in report.conflicts:
        del blobs[path]
    new_manifest = {path: digest(data) for path, data in sorted(blobs.items())}
    stale = [p for p in old if p not in blobs and (target / p).exists()]
    changed = [p for p in blobs if old.get(p) != new_manifest[p] or not (target / p).is_file()]
    if target.exists() and not changed and not stale:
        report.unchanged = len(blobs)
        return report
    staging = target.parent / f".{target.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    # Carry over everything we did not generate, and unchanged files, by hard link.
    if target.exists():
        for src in sorted(target.rglob("*")):
            rel = src.relative_to(target).as_posix()
            if src.is_dir() or rel == MANIFEST or rel in stale:
                if rel in stale:
                    report.removed += 1
                continue
            if rel in blobs and rel in changed:
                continue
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(src, dest)
            if rel in blobs:
                report.unchanged += 1
            else:
                report.kept_foreign += 1
    for rel in changed:
        dest = staging / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(blobs[rel])
        report.written += 1
    (staging / MANIFEST).write_text(
        json.dumps(
            {"generator": "jilin-news-archive", "files": new_manifest}, ensure_ascii=False, indent=0
        ),
        encoding="utf-8",
    )
    _fsync_tree(staging)
    swap_in(staging, target)
    return report


def swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` atomically (or as near as the OS allows)."""
    if target.exists() and _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)
        return
    if not target.exists():
        staging.rename(target)
        return
    old = target.parent / f".{target.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


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
