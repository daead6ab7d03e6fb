"""The project's errors and how a file name is shown in a message.

Every error the generator raises on purpose derives from ``ArchiveError``:
``python -m generator`` prints it as one line, ``error: <message>``, and
exits with its ``exit_code`` (the table in README.md, "What the archive
promises"). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
import re

EXIT_OK = 0
EXIT_WARNINGS = 1  # --strict and a warning; evaluate below its targets; a bad sidecar
EXIT_ERROR = 2  # refused or failed: nothing was changed (or the previous output is kept)
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)

MAX_SHOWN = 200  # characters of a name shown in a message; the rest is elided


class ArchiveError(Exception):
    """Base class of the generator's own errors: one line, one exit code."""

    exit_code = EXIT_ERROR


class UnsafeOutputError(ArchiveError):
    """An output folder that must not be written (the root, the corpus, a file …)."""


class ShrinkError(ArchiveError):
    """A build would remove most (or all) of the existing archive."""


class GoldFileError(ArchiveError):
    """A gold annotation file for ``evaluate`` is malformed."""


_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def shown(name: str | bytes | os.PathLike) -> str:
    """A file name as it may be printed on one line: bytes that are not UTF-8
    escaped (``\\xff``), control and bidi characters escaped, very long names cut."""
    if isinstance(name, os.PathLike):
        name = os.fspath(name)
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    try:
        text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that did not come from a file name
        text = name.encode("utf-8", "backslashreplace").decode("utf-8")
    text = _UNSAFE_CHARS.sub(lambda m: repr(m.group())[1:-1], text)
    if len(text) > MAX_SHOWN:
        text = f"{text[: MAX_SHOWN // 2]}…{text[-MAX_SHOWN // 2 :]}"
    return text


def is_clean_name(name: str) -> bool:
    """True when ``name`` is valid UTF-8 text (no escaped bytes, no control characters)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not _UNSAFE_CHARS.search(name)
