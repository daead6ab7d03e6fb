"""One raw file → its page and article fragments: decode, clean, split.

These three stages look at one file at a time (``read.read_page_bytes``,
``clean.clean_page``, ``split.split_page``), so they are run per file here:
a file whose bytes, sidecar and generator code did not change is taken from
the ``pages`` memo, and the files that do need work are spread over the
cores when there are many of them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import cache, clean, read, split
from .model import Article, Problem, RawPage

PARALLEL_FROM = 64  # files; below this, starting workers costs more than it saves


@dataclass
class FileResult:
    """What one raw file gives: its page as read (text and metadata, for the
    source page; no lines), its fragments (articles before merging) and any
    problems."""

    page: RawPage | None
    fragments: list[Article]
    problems: list[Problem]


def process_file(f: read.RawFile) -> FileResult:
    """Decode, clean and split one raw file."""
    page, problems = read.read_page_bytes(f.name, f.data, f.meta)
    if page is None:
        return FileResult(None, [], problems)
    fragments = split.split_page(clean.clean_page(page))
    # Later stages need the page only for its source page: its text as read.
    shown = replace(page, lines=[], original=page.original or page_text(page))
    return FileResult(shown, fragments, problems)


def page_text(page: RawPage) -> str:
    """A page's text as read, from its lines."""
    return "\n".join(line.text for line in page.lines)


def process_files(
    files: list[read.RawFile], memo: cache.Memo, workers: int | None = None
) -> list[FileResult]:
    """``process_file`` for every file, in order, reusing the memo's results."""
    rules = cache.data_fingerprint("pages")  # the OCR rules (corrections.yml)
    keys = [cache.key("page", rules, f.name, f.data, f.meta) for f in files]
    return cache.map_cached(memo, process_file, files, keys, workers, PARALLEL_FROM)
