"""Writing output: only our files, all or nothing, one run at a time."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from generator.publish import LockedError, read_manifest, recover, run_lock, write_tree


def test_hand_written_files_survive_and_win(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write_tree(docs, {"index.md": "generated", "a/b.md": "one"})
    (docs / "notes.md").write_text("hand-written", encoding="utf-8")
    (docs / "img").mkdir()
    (docs / "img" / "logo.png").write_bytes(b"\x89PNG")
    (docs / "about.md").write_text("my own about page", encoding="utf-8")
    report = write_tree(docs, {"index.md": "generated v2", "about.md": "generated about"})
    assert (docs / "notes.md").read_text(encoding="utf-8") == "hand-written"
    assert (docs / "img" / "logo.png").read_bytes() == b"\x89PNG"
    assert (docs / "about.md").read_text(encoding="utf-8") == "my own about page"
    assert report.conflicts == ["about.md"]
    assert (docs / "index.md").read_text(encoding="utf-8") == "generated v2"
    assert not (docs / "a" / "b.md").exists()  # our stale page is removed
    assert "about.md" not in read_manifest(docs)


def test_unchanged_files_keep_their_mtime_and_nothing_is_rewritten(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write_tree(docs, {"a.md": "A", "b.md": "B"})
    old = os.stat(docs / "a.md").st_mtime_ns
    time.sleep(0.01)
    report = write_tree(docs, {"a.md": "A", "b.md": "B"})
    assert report.written == 0 and report.unchanged == 2
    report = write_tree(docs, {"a.md": "A", "b.md": "B2"})
    assert report.written == 1
    assert os.stat(docs / "a.md").st_mtime_ns == old
    assert (docs / "b.md").read_text(encoding="utf-8") == "B2"


def test_paths_outside_the_folder_are_refused_and_nothing_changes(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write_tree(docs, {"a.md": "A"})
    for bad in ("../x.md", "/etc/passwd", "a/../../x.md"):
        with pytest.raises(ValueError):
            write_tree(docs, {"a.md": "changed", bad: "x"})
    assert (docs / "a.md").read_text(encoding="utf-8") == "A"
    assert not (tmp_path / "x.md").exists()


def test_leftovers_of_a_killed_run_are_recovered(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write_tree(docs, {"a.md": "A"})
    (tmp_path / ".docs.staging-999").mkdir()
    (tmp_path / ".docs.staging-999" / "half.md").write_text("half", encoding="utf-8")
    recover(docs)
    assert not (tmp_path / ".docs.staging-999").exists()
    # killed between the two renames of the fallback swap: docs is missing, .old holds it
    docs.rename(tmp_path / ".docs.old")
    recover(docs)
    assert (docs / "a.md").read_text(encoding="utf-8") == "A"


def test_second_run_refuses_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    entered = threading.Event()
    release = threading.Event()

    def first() -> None:
        with run_lock(docs):
            entered.set()
            release.wait(5)

    t = threading.Thread(target=first)
    t.start()
    entered.wait(5)
    with pytest.raises(LockedError, match="another generator run"):
        with run_lock(docs, wait=0.3):
            pass
    release.set()
    t.join()
    with run_lock(docs, wait=1):  # free again
        pass


def _tree(n: int) -> dict[str, str]:
    return {f"pages/p{i:02d}.md": f"page {i}" for i in range(n)} | {"old/gone.md": "stale soon"}


def test_a_small_change_is_applied_file_by_file(tmp_path: Path) -> None:
    """Only the changed files are touched; stale ones go, with the folders they emptied."""
    from generator.publish import PATCH_SHARE, stage_tree, swap_in

    docs = tmp_path / "docs"
    write_tree(docs, _tree(40))
    (docs / "mine.md").write_text("hand-written", encoding="utf-8")
    before = {p: os.stat(p).st_mtime_ns for p in docs.rglob("*.md")}
    inode = os.stat(docs).st_ino
    time.sleep(0.01)
    files = {k: v for k, v in _tree(40).items() if k != "old/gone.md"}
    files["pages/p03.md"] = "page 3, corrected"
    files["new/added.md"] = "added"
    assert 3 <= PATCH_SHARE * len(read_manifest(docs))
    report, staging = stage_tree(docs, files)
    assert staging is not None and not (staging / "pages" / "p00.md").exists()  # a patch
    assert (report.written, report.removed, report.unchanged) == (2, 1, 39)
    swap_in(staging, docs)
    assert os.stat(docs).st_ino == inode and not staging.exists()
    assert (docs / "pages" / "p03.md").read_text(encoding="utf-8") == "page 3, corrected"
    assert (docs / "new" / "added.md").read_text(encoding="utf-8") == "added"
    assert not (docs / "old").exists()
    assert (docs / "mine.md").read_text(encoding="utf-8") == "hand-written"
    after = {p: os.stat(p).st_mtime_ns for p in docs.rglob("*.md")}
    touched = {p.relative_to(docs).as_posix() for p in after if before.get(p) != after[p]}
    assert touched == {"pages/p03.md", "new/added.md"}
    assert read_manifest(docs) == {k: read_manifest(docs)[k] for k in sorted(files)}
    assert write_tree(docs, files).written == 0


def test_a_patch_killed_before_its_commit_changes_nothing_and_after_it_is_finished(
    tmp_path: Path,
) -> None:
    from generator.publish import _PATCH, _PLAN, stage_tree

    docs = tmp_path / "docs"
    write_tree(docs, _tree(40))
    manifest = read_manifest(docs)
    files = {k: v for k, v in _tree(40).items() if k != "old/gone.md"}
    files["pages/p01.md"] = "one, new"
    files["pages/p02.md"] = "two, new"
    _, staging = stage_tree(docs, files)  # killed here: no commit
    recover(docs)
    assert not staging.exists() and read_manifest(docs) == manifest
    assert (docs / "pages" / "p01.md").read_text(encoding="utf-8") == "page 1"
    assert (docs / "old" / "gone.md").exists()
    _, staging = stage_tree(docs, files)
    (staging / _PLAN).rename(staging / _PATCH)  # committed, then killed after one file moved
    os.replace(staging / "pages" / "p01.md", docs / "pages" / "p01.md")
    recover(docs)
    assert not staging.exists()
    assert (docs / "pages" / "p01.md").read_text(encoding="utf-8") == "one, new"
    assert (docs / "pages" / "p02.md").read_text(encoding="utf-8") == "two, new"
    assert not (docs / "old").exists()
    assert set(read_manifest(docs)) == set(files)
