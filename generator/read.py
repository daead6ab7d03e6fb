"""Read stage: raw page files and their sidecar metadata into ``RawPage``s.

This is the only stage that reads files. It decodes whatever encoding a
newsroom used (UTF-8, UTF-16, GB18030/GBK, Big5), normalises line endings,
recognises Traditional-script input, and reports every problem with the file
name (and line, where there is one) instead of failing or dropping text.
"""

from __future__ import annotations

import datetime as _dt
import errno
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml
from charset_normalizer import from_bytes

from . import cache
from .errors import EXIT_WARNINGS, ArchiveError, is_clean_name, shown
from .model import Line, PageMeta, Problem, RawPage

MAX_BYTES = 64 * 1024 * 1024  # larger files are refused, with a message
MAX_META_BYTES = 64 * 1024
MAX_META_DEPTH = 20  # YAML nesting deeper than this is refused
LONG_LINE = 20_000  # lines longer than this (in characters) get a warning
META_KEYS = {"paper", "date", "page", "city", "script"}
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# Control, zero-width and bidi characters, stripped from page text and refused in metadata.
_INVISIBLE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\U000e0000-\U000e007f"
)
_SAFE_VALUE_RE = re.compile(rf"^[^\t\n\r{_INVISIBLE}\ufffd/\\]{{1,80}}$")
# Windows device names: unusable as a file or folder name, with any extension.
_RESERVED_NAME_RE = re.compile(
    r"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$)(\..*)?$", re.I
)


class MetadataError(ArchiveError, ValueError):
    """A sidecar metadata file is malformed. ``str()`` names file and line.

    ``args`` are ``(file, message, line)``; ``line`` may be None.
    """

    exit_code = EXIT_WARNINGS

    def __str__(self) -> str:
        file, message, line = (tuple(self.args) + (None, None, None))[:3]
        where = f"{file}:{line}" if line else f"{file}"
        return f"{where}: {message}"


@dataclass
class Corpus:
    """What the read stage found: pages plus every problem met."""

    pages: list[RawPage]
    problems: list[Problem]


def meta_path(page_path: Path) -> Path:
    """The sidecar of a page: ``NAME.txt`` -> ``NAME.meta.yml`` (NAME may hold dots)."""
    return page_path.with_name(page_path.stem + ".meta.yml")


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The raw page files of a corpus, in a stable order (see ``list_corpus``)."""
    return list_corpus(corpus_dir)[0]


def list_corpus(corpus_dir: Path) -> tuple[list[Path], list[Problem]]:
    """The ``*.txt`` files under ``corpus_dir`` that may be read, sorted by path,
    and a warning for each one left out.

    Left out, each with a warning naming it: files and folders whose name
    starts with a dot (MkDocs leaves such pages out of the site, so their
    source links would break), folders that cannot be listed, symbolic links
    to folders (not followed: their files would be read twice or come from
    outside the corpus), and names that are not UTF-8 or longer than
    ``MAX_NAME_BYTES`` (their pages could not be written). Whether a file is
    a regular file inside the corpus is checked when it is read (``read_regular``).
    """
    found: list[Path] = []
    problems: list[Problem] = []

    def unlistable(exc: OSError) -> None:
        where = _relative(Path(exc.filename or corpus_dir), corpus_dir)
        problems.append(
            Problem("warning", where, f"cannot list folder: {exc.strerror or exc}; skipped")
        )

    for folder, dirs, names in os.walk(corpus_dir, onerror=unlistable):
        here = Path(folder)
        for d in sorted(dirs):
            rel = _relative(here / d, corpus_dir)
            if os.path.islink(here / d):
                dirs.remove(d)
                problems.append(
                    Problem("warning", rel, "symbolic link to a folder, not followed; skipped")
                )
            elif d.startswith("."):
                dirs.remove(d)
                hidden = _count_txt(here / d)
                if hidden:
                    problems.append(
                        Problem(
                            "warning",
                            rel,
                            f"hidden folder (name starts with a dot) holds {hidden} .txt "
                            "file(s); skipped: MkDocs leaves hidden pages out",
                        )
                    )
        dirs.sort()
        for n in names:
            if not n.endswith(".txt"):
                continue
            rel = _relative(here / n, corpus_dir)
            why = _bad_name(n)
            if why:
                problems.append(Problem("warning", rel, f"{why}; skipped"))
                continue
            found.append(here / n)
    kept = []  # every folder on the way must have a usable name too
    for path in found:
        parts = path.relative_to(corpus_dir).parts[:-1]
        bad = next((why for part in parts if (why := _bad_name(part, folder=True))), None)
        if bad:
            problems.append(Problem("warning", _relative(path, corpus_dir), f"{bad}; skipped"))
        else:
            kept.append(path)
    return sorted(kept), problems


MAX_NAME_BYTES = 240  # a longer file name cannot take ".md" (and more) in most file systems


def _bad_name(name: str, folder: bool = False) -> str | None:
    """Why a file (or folder) name cannot be used, or None."""
    what = "folder" if folder else "file"
    if name.startswith("."):
        return f"hidden {what} (name starts with a dot): MkDocs leaves hidden pages out"
    if not is_clean_name(name):
        return f"{what} name is not valid UTF-8 text or holds control characters"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"{what} name is longer than {MAX_NAME_BYTES} bytes"
    return None


def _relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root``, shown safely (undecodable bytes escaped)."""
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = str(path)
    return shown(rel)


def _count_txt(folder: Path) -> int:
    """How many ``*.txt`` files a (hidden) folder holds, without following links."""
    count = 0
    for _dir, _dirs, names in os.walk(folder):
        count += sum(n.endswith(".txt") for n in names)
    return count


class Refused(Exception):
    """A corpus file that is not read; ``str()`` says why (one line).

    ``level``: "warning" for a file that is not ours to read (a link out of
    the corpus, a FIFO, a device), "error" for one too large to read.
    """

    def __init__(self, message: str, level: str = "warning") -> None:
        super().__init__(message)
        self.level = level


_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def read_regular(path: Path, root: Path, limit: int) -> bytes:
    """The bytes of ``path``, which must be a regular file inside ``root``.

    A symbolic link is followed only when it resolves to a file inside
    ``root``; a link that leaves it, dangles or loops, a FIFO, a device, a
    socket and a file over ``limit`` bytes raise ``Refused`` (nothing is read,
    so nothing can hang or fill the memory). ``OSError`` when reading fails.
    """
    st = os.lstat(path)
    target = path
    if stat.S_ISLNK(st.st_mode):
        try:
            target = Path(os.path.realpath(path, strict=True))
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise Refused("symbolic link loops; not read") from None
            if exc.errno == errno.ENOENT:
                raise Refused("symbolic link points to nothing (dangling); not read") from None
            raise
        if not target.is_relative_to(os.path.realpath(root)):
            raise Refused(f"symbolic link leads outside the corpus (to {shown(target)}); not read")
        st = os.stat(target)
    kind = stat.S_IFMT(st.st_mode)
    if kind != stat.S_IFREG:
        raise Refused(f"not a regular file but {_KINDS.get(kind, 'a special file')}; not read")
    if st.st_size > limit:  # refuse before reading it into memory
        raise Refused(f"file is {st.st_size} bytes; limit is {limit}", "error")
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(target, flags)
    try:
        st = os.fstat(fd)  # the file opened, not the one looked at before
        if not stat.S_ISREG(st.st_mode):
            raise Refused("not a regular file; not read")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise Refused(f"file is over {limit} bytes; limit is {limit}", "error")
        return b"".join(chunks)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class RawFile:
    """A raw page file as found on disk: its name, bytes and sidecar (not yet decoded)."""

    name: str  # relative to the corpus directory
    data: bytes
    meta: PageMeta


def read_files(
    corpus_dir: Path, memo: cache.Memo | None = None
) -> tuple[list[RawFile], list[Problem]]:
    """The bytes and sidecar of every ``*.txt`` page under ``corpus_dir`` (sorted by path).

    Files that cannot be used at all (a bad sidecar, unreadable, too large,
    not a regular file inside the corpus: ``list_corpus``, ``read_regular``)
    are reported and left out; decoding is ``read_page_bytes``'s job.
    """
    files: list[RawFile] = []
    problems: list[Problem] = []
    if not corpus_dir.is_dir():
        problems.append(Problem("error", str(corpus_dir), "corpus directory not found"))
        return files, problems
    paths, problems = list_corpus(corpus_dir)
    for path in paths:
        name = path.relative_to(corpus_dir).as_posix()
        try:
            meta = read_meta(meta_path(path), name, memo, root=corpus_dir)
        except MetadataError as exc:
            file, message, line = (tuple(exc.args) + (None, None))[:3]
            problems.append(Problem("error", file, f"{message}; {name} skipped", line))
            continue
        try:
            data = read_regular(path, corpus_dir, MAX_BYTES)
        except Refused as exc:
            problems.append(Problem(exc.level, name, str(exc)))
            continue
        except OSError as exc:
            problems.append(Problem("error", name, f"cannot read file: {exc.strerror or exc}"))
            continue
        files.append(RawFile(name, data, meta))
    return files, problems


def read_corpus(corpus_dir: Path) -> Corpus:
    """Read and decode every ``*.txt`` page under ``corpus_dir`` (sorted by path)."""
    files, problems = read_files(corpus_dir)
    pages: list[RawPage] = []
    for f in files:
        page, page_problems = read_page_bytes(f.name, f.data, f.meta)
        problems.extend(page_problems)
        if page is not None:
            pages.append(page)
    return Corpus(pages, problems)


def read_page_bytes(
    name: str, data: bytes, meta: PageMeta | None = None
) -> tuple[RawPage | None, list[Problem]]:
    """Decode one raw page. Returns the page (or None) and the problems met."""
    meta = meta or PageMeta()
    problems: list[Problem] = []
    if len(data) > MAX_BYTES:
        return None, [Problem("error", name, f"file is {len(data)} bytes; limit is {MAX_BYTES}")]
    if not data.strip():
        what = "empty file" if not data else "file holds only whitespace"
        return None, [Problem("warning", name, what)]
    text, encoding, problem = decode(data)
    if text is None:
        return None, [Problem("error", name, problem or "cannot decode")]
    if problem:
        problems.append(Problem("warning", name, problem))
    if not text.strip():
        what = "file holds only a byte-order mark" if not text else "file holds only whitespace"
        problems.append(Problem("warning", name, what))
        return None, problems
    text, control_problems = _strip_controls(name, text)
    problems.extend(control_problems)
    if not text.strip():
        problems.append(Problem("warning", name, "no text left after removing control characters"))
        return None, problems
    original = text
    script = meta.script or detect_script(text)
    if script == "hant":
        text = to_simplified(text)
        problems.append(
            Problem("warning", name, "text is in Traditional script; converted to Simplified")
        )
    lines = [Line(i, t) for i, t in enumerate(text.split("\n"), start=1)]
    long_lines = [line for line in lines if len(line.text) > LONG_LINE]
    for line in long_lines[:5]:
        problems.append(
            Problem(
                "warning",
                name,
                f"line is {len(line.text)} characters long with no line break",
                line.no,
            )
        )
    if len(long_lines) > 5:
        problems.append(
            Problem("warning", name, f"{len(long_lines) - 5} more lines over {LONG_LINE} chars")
        )
    return RawPage(name, lines, meta, encoding, script, original=original), problems


_BINARY_SIGNATURES = (b"\x89PNG", b"%PDF", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x7fELF")


def decode(data: bytes) -> tuple[str | None, str, str | None]:
    """Decode bytes to text with universal newlines.

    Returns ``(text, encoding, problem)``; ``text`` is None when the bytes are
    not text. UTF-8 (with or without BOM) and UTF-16 with a BOM are taken as
    they are; a file whose lines mix UTF-8 and a legacy encoding is decoded
    line by line (``_decode_mixed``: its encoding ``utf-8+gb18030``, one
    warning naming the lines); anything else is detected, GB18030 (a superset
    of GBK/GB2312) first, then Big5, then charset-normalizer's guess.
    """
    if data.startswith(_BINARY_SIGNATURES):
        return None, "", "binary file (image, PDF or archive), not text"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _newlines(data.decode("utf-16")), "utf-16", None
        except UnicodeDecodeError as exc:
            # The BOM settles the encoding: keep the text, mark the broken units.
            text = data.decode("utf-16", errors="replace")
            return _newlines(text), "utf-16", f"broken UTF-16 at byte {exc.start}: {exc.reason}"
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return _newlines(data.decode("utf-8")), "utf-8", None
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if utf8_error.end == len(data) and utf8_error.reason == "unexpected end of data":
        # Valid UTF-8 cut off inside its last character (a truncated file).
        text = data[: utf8_error.start].decode("utf-8")
        dropped = len(data) - utf8_error.start
        message = f"file ends inside a UTF-8 character; dropped {dropped} trailing byte(s)"
        return _newlines(text), "utf-8", message
    nul_share = data.count(0) / len(data)
    mixed = _decode_mixed(data) if nul_share <= 0.1 else None
    if mixed is not None:
        return mixed
    mostly = _mostly_utf8(data)
    if mostly is not None:
        text, bad = mostly
        line = data.count(b"\n", 0, utf8_error.start) + 1
        message = (
            f"{bad} invalid UTF-8 byte sequence(s) replaced, "
            f"the first at byte {utf8_error.start} (line {line})"
        )
        return _newlines(text), "utf-8", message
    if nul_share > 0.1:
        return None, "", "binary file (many NUL bytes), not text"
    found = _decode_chinese(data)
    if found is not None:
        text, encoding = found
        return _newlines(text), encoding, f"decoded as {_label(encoding)} (not UTF-8)"
    message = f"not UTF-8 (bad byte at offset {utf8_error.start}) and not GB18030 or Big5 text"
    return None, "", message


def _decode_chinese(data: bytes) -> tuple[str, str] | None:
    """``(text, encoding)`` of Chinese text in a legacy encoding, else None:
    GB18030 (a superset of GBK/GB2312), then Big5, then charset-normalizer's
    best guess; whichever decodes every byte into text that looks Chinese."""
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_chinese(text):
            return text, encoding
    best = from_bytes(data).best()
    if best is not None and _looks_like_chinese(str(best)):
        return str(best), best.encoding
    return None


def _label(encoding: str) -> str:
    """How a warning names an encoding: ``GB18030``, ``BIG5``, or as
    charset-normalizer spells it."""
    return encoding.upper() if encoding in ("gb18030", "big5") else encoding


# Non-ASCII characters other than those of Chinese text (CJK punctuation and
# ideographs with Extension A, full-width forms, the general punctuation of
# quotes and dashes). A line of a legacy encoding that happens to be valid
# UTF-8 is mostly such characters (Latin, Greek, Cyrillic, Hebrew…).
_OTHER_WIDE_RE = re.compile(
    "[^\x00-\x7f\u2010-\u206f\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
)
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
MIXED_SHOWN = 8  # line ranges named in the warning of a mixed file; the rest counted


def _decode_mixed(data: bytes) -> tuple[str, str, str] | None:
    """A file whose lines are in two encodings, decoded line by line:
    ``(text, "utf-8+ENCODING", warning)``, or None when it is not such a file.

    Lines are cut at CR, LF and CRLF (as ``_newlines`` counts them). A line of
    Chinese text that is valid UTF-8 stays UTF-8; the other non-ASCII lines
    are decoded together with one legacy encoding (``_decode_chinese``: GB18030,
    Big5 or charset-normalizer's guess), then each in it. A line that is
    UTF-8 damaged by a few stray bytes (more ideographs than bad sequences)
    keeps its text without them; a line neither encoding reads is dropped
    (left empty, so line numbers hold). The file is mixed only when it has
    both UTF-8 Chinese lines and other lines whose encoding is found; a file
    in one encoding (or UTF-8 with a few stray bytes) is left to ``decode``.
    The warning names the lines decoded differently from the rest and those
    that could not be decoded.
    """
    lines = data.splitlines(keepends=True)
    kinds: list[str] = []  # per line: "ascii", "utf-8", "damaged", "other"
    texts: list[str] = []
    for raw in lines:
        if raw.isascii():
            kinds.append("ascii")
            texts.append(raw.decode("ascii"))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            kinds.append("other")
            texts.append("")
            continue
        kinds.append("utf-8" if _is_cjk_text(raw, text) else "other")
        texts.append(text)  # kept if the legacy encoding cannot read it either
    if "utf-8" not in kinds:  # the usual case of a file in one legacy encoding
        return None
    for i, kind in enumerate(kinds):
        if kind == "other":
            replaced = lines[i].decode("utf-8", errors="replace")
            bad = replaced.count("\ufffd") - lines[i].count("\ufffd".encode())
            if bad and len(_HAN_RE.findall(replaced)) > bad:
                kinds[i] = "damaged"
                texts[i] = replaced.replace("\ufffd", "")
    if "other" not in kinds:
        return None
    other = [i for i, kind in enumerate(kinds) if kind == "other"]
    encoding = _legacy_encoding([lines[i] for i in other])
    if encoding is None:
        return None
    for i in other:
        try:
            texts[i] = lines[i].decode(encoding)
        except (UnicodeDecodeError, LookupError):
            if texts[i]:  # valid UTF-8 after all, if not of Chinese text
                kinds[i] = "utf-8"
            else:
                kinds[i] = "undecodable"
                texts[i] = lines[i][len(lines[i].rstrip(b"\r\n")) :].decode("ascii")
    legacy, utf8 = kinds.count("other"), kinds.count("utf-8")
    minority = "other" if legacy <= utf8 else "utf-8"
    names = {"other": _label(encoding), "utf-8": "UTF-8"}
    majority = "utf-8" if minority == "other" else "other"
    parts = [
        f"mixed encodings: {_line_ranges(kinds, minority)} decoded as {names[minority]}, "
        f"the other lines as {names[majority]}"
    ]
    if "damaged" in kinds or "undecodable" in kinds:
        parts.append(
            f"{_line_ranges(kinds, 'damaged', 'undecodable')} could not be decoded "
            "(unreadable bytes dropped)"
        )
    return _newlines("".join(texts)), f"utf-8+{encoding}", "; ".join(parts)


def _is_cjk_text(raw: bytes, text: str) -> bool:
    """Whether the non-ASCII characters of a line (``text``, decoded from
    ``raw``) are mostly those of Chinese text."""
    wide = len(text) - (len(raw) - len(raw.translate(None, _ASCII)))
    return wide > 0 and len(_OTHER_WIDE_RE.findall(text)) <= 0.2 * wide


def _legacy_encoding(lines: list[bytes]) -> str | None:
    """The one legacy encoding of the non-UTF-8 lines of a mixed file, or None.

    Tried on all of them together (``_decode_chinese``), then, so that one
    undecodable line does not hide the encoding of the others, on those that
    GB18030 or Big5 decode (the one that decodes more lines wins).
    """
    found = _decode_chinese(b"".join(lines))
    if found is not None:
        return found[1]
    best: tuple[int, str] | None = None
    for encoding in ("gb18030", "big5"):
        decoded = []
        for raw in lines:
            try:
                decoded.append(raw.decode(encoding))
            except UnicodeDecodeError:
                continue
        if decoded and _looks_like_chinese("".join(decoded)):
            if best is None or len(decoded) > best[0]:
                best = (len(decoded), encoding)
    return best[1] if best else None


def _line_ranges(kinds: list[str], *wanted: str) -> str:
    """``line 3`` or ``lines 3–7, 12``: the lines of the ``wanted`` kinds, a range
    running on across lines of plain ASCII (blank lines between paragraphs)."""
    ranges: list[list[int]] = []
    open_range = False
    for no, kind in enumerate(kinds, start=1):
        if kind in wanted:
            if open_range:
                ranges[-1][1] = no
            else:
                ranges.append([no, no])
                open_range = True
        elif kind != "ascii":
            open_range = False
    shown_ranges = [f"{a}" if a == b else f"{a}–{b}" for a, b in ranges[:MIXED_SHOWN]]
    if len(ranges) > MIXED_SHOWN:
        shown_ranges.append(f"{len(ranges) - MIXED_SHOWN} more range(s)")
    single = len(ranges) == 1 and ranges[0][0] == ranges[0][1]
    return ("line " if single else "lines ") + ", ".join(shown_ranges)


_ASCII = bytes(range(128))


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """UTF-8 text with a few broken bytes: ``(text with U+FFFD, bad count)``, else None.

    GB18030 or Big5 Chinese is never "mostly" UTF-8: almost every character in
    it is an invalid UTF-8 sequence, so requiring 20 valid multi-byte UTF-8
    characters per invalid sequence keeps those encodings out.
    """
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd")
    bad = replaced - data.count("\ufffd".encode())
    ascii_bytes = len(data) - len(data.translate(None, _ASCII))  # never swallowed by errors
    good = len(text) - ascii_bytes - replaced  # valid multi-byte characters
    if 0 < bad and good >= 20 * bad:
        return text, bad
    return None


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_like_chinese(text: str) -> bool:
    sample = text[:20000]
    han = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    bad = sum(1 for ch in sample if unicodedata.category(ch) in ("Co", "Cn") or ch == "\ufffd")
    return han >= max(1, len(sample.strip()) // 10) and bad <= len(sample) // 200


_CONTROL_RE = re.compile(f"[{_INVISIBLE}\ufffd]")


def _strip_controls(name: str, text: str) -> tuple[str, list[Problem]]:
    """Remove control, zero-width and bidi characters, reporting where."""
    problems: list[Problem] = []
    if not _CONTROL_RE.search(text):
        return text, problems
    out_lines = []
    unreported = 0
    for no, line in enumerate(text.split("\n"), start=1):
        found = _CONTROL_RE.findall(line)
        if found:
            kinds = ", ".join(sorted({f"U+{ord(c):04X}" for c in found}))
            if len(problems) < 20:
                problems.append(
                    Problem(
                        "warning", name, f"removed {len(found)} control character(s): {kinds}", no
                    )
                )
            else:
                unreported += 1
            line = _CONTROL_RE.sub("", line)
        out_lines.append(line)
    if unreported:
        problems.append(
            Problem("warning", name, f"removed control characters on {unreported} more line(s)")
        )
    return "\n".join(out_lines), problems


_T2S = None


def to_simplified(text: str) -> str:
    """Convert Traditional-script text to Simplified with official OpenCC."""
    global _T2S
    if _T2S is None:
        import opencc

        _T2S = opencc.OpenCC("t2s")
    return _T2S.convert(text)


_BASIC_HAN_RE = re.compile("[\u4e00-\u9fff]+")  # the CJK Unified Ideographs block


def detect_script(text: str) -> str:
    """'hant' when the text is written in Traditional characters, else 'hans'."""
    sample = "".join(_BASIC_HAN_RE.findall(text, 0, 5000))
    if len(sample) < 20:
        return "hans"
    simplified = to_simplified(sample)
    if simplified == sample:
        return "hans"
    changed = sum(1 for a, b in zip(sample, simplified, strict=False) if a != b)
    return "hant" if changed / len(sample) > 0.05 else "hans"


# --- sidecar metadata -------------------------------------------------------


class _NoAliasLoader(yaml.SafeLoader):
    """Safe loader that refuses aliases (no alias bombs) and deep nesting.

    Values the constructors reject (``2024-13-45``, integers longer than
    Python converts) become marked YAML errors, so they carry a line.
    """

    _depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "aliases are not allowed in metadata", event.start_mark
            )
        if self._depth >= MAX_META_DEPTH:
            raise yaml.MarkedYAMLError(
                None, None, "metadata is nested too deeply", self.peek_event().start_mark
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node, deep=False):  # type: ignore[override]
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid value {str(node.value)[:40]!r}: {exc}", node.start_mark
            ) from None


def read_meta(
    path: Path, page_name: str = "", memo: cache.Memo | None = None, root: Path | None = None
) -> PageMeta:
    """Read a ``NAME.meta.yml`` sidecar; an absent file gives empty metadata.

    Raises ``MetadataError(file, message, line)`` for malformed YAML, wrong
    types, unknown keys or values that are unsafe to use, and for a sidecar
    that is not a regular file inside ``root`` (default: its own folder) or
    is larger than ``MAX_META_BYTES`` (see ``read_regular``). ``memo`` keeps
    parsed sidecars by their bytes (YAML is slow to parse).
    """
    if not os.path.lexists(path):
        return PageMeta()
    name = path.name if not page_name else meta_path(PurePosixPath(page_name)).as_posix()
    try:
        raw = read_regular(path, root if root is not None else path.parent, MAX_META_BYTES)
    except Refused as exc:
        message = str(exc)
        if message.startswith("file is"):
            message = "metadata file is larger than 64 KB"
        raise MetadataError(name, message, None) from None
    except OSError as exc:
        raise MetadataError(name, f"cannot read metadata: {exc.strerror or exc}", None) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise MetadataError(name, f"metadata is not UTF-8 (byte {exc.start})", line) from None
    if memo is None:
        return parse_meta(text, name)
    found, meta = memo.lookup(cache.key("meta", name, raw))
    if not found:
        meta = parse_meta(text, name)  # a MetadataError is raised, not stored
        memo.put(cache.key("meta", name, raw), meta)
    return meta


def parse_meta(text: str, name: str) -> PageMeta:
    """Validate sidecar YAML text. See ``read_meta``."""
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - safe subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise MetadataError(name, f"malformed YAML: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise MetadataError(name, f"malformed YAML: {exc}", None) from None
    except (ValueError, RecursionError) as exc:
        raise MetadataError(name, f"malformed YAML: {exc}", None) from None
    if data is None:
        return PageMeta()
    if not isinstance(data, dict):
        raise MetadataError(name, "metadata must be a mapping of keys to values", 1)
    lines = {key: _key_line(text, key) for key in data}
    unknown = sorted(str(k) for k in data if k not in META_KEYS)
    if unknown:
        first = unknown[0]
        raise MetadataError(
            name,
            f"unknown key {first[:40]!r}; allowed: {', '.join(sorted(META_KEYS))}",
            lines.get(first),
        )
    values: dict[str, str | None] = {}
    for key, value in data.items():
        if value is None:
            values[key] = None
            continue
        if key == "date" and isinstance(value, _dt.date):
            value = value.isoformat()
        if key == "page" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise MetadataError(
                name, f"{key} must be text, not {type(value).__name__}", lines.get(key)
            )
        value = value.strip()
        if key == "date" and not _valid_date(value):
            raise MetadataError(
                name,
                f"date must be YYYY-MM-DD, YYYY-MM or YYYY, not {value[:40]!r}",
                lines.get(key),
            )
        if key == "script" and value not in ("hans", "hant"):
            raise MetadataError(
                name, f"script must be hans or hant, not {value[:40]!r}", lines.get(key)
            )
        if not _SAFE_VALUE_RE.match(value) or ".." in value or not value.strip("."):
            raise MetadataError(
                name,
                f"{key} holds characters or a length not allowed: {value[:40]!r}",
                lines.get(key),
            )
        if _RESERVED_NAME_RE.match(value.rstrip(" .")):
            raise MetadataError(
                name, f"{key} is a reserved device name, not allowed: {value!r}", lines.get(key)
            )
        values[key] = value
    return PageMeta(**values)


def _valid_date(value: str) -> bool:
    if not _DATE_RE.match(value):
        return False
    parts = [int(p) for p in value.split("-")]
    try:
        _dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return 1800 <= parts[0] <= 2100


def _key_line(text: str, key: object) -> int | None:
    pattern = re.compile(rf"^\s*['\"]?{re.escape(str(key))}['\"]?\s*:", re.M)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None
