"""Read stage: raw page files and their sidecar metadata into ``RawPage``s.

This is the only stage that reads files. It decodes whatever encoding a
newsroom used (UTF-8, UTF-16, GB18030/GBK, Big5), normalises line endings,
recognises Traditional-script input, and reports every problem with the file
name (and line, where there is one) instead of failing or dropping text.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from charset_normalizer import from_bytes

from .model import Line, PageMeta, Problem, RawPage

MAX_BYTES = 64 * 1024 * 1024  # larger files are refused, with a message
META_KEYS = {"paper", "date", "page", "city", "script"}
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_SAFE_VALUE_RE = re.compile(r"^[^\x00-\x1f/\\]{1,80}$")


class MetadataError(ValueError):
    """A sidecar metadata file is malformed. ``str()`` names file and line."""


@dataclass
class Corpus:
    """What the read stage found: pages plus every problem met."""

    pages: list[RawPage]
    problems: list[Problem]


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The raw page files of a corpus, in a stable order."""
    return sorted(p for p in corpus_dir.rglob("*.txt") if p.is_file())


def read_corpus(corpus_dir: Path) -> Corpus:
    """Read every ``*.txt`` page under ``corpus_dir`` (sorted by path)."""
    pages: list[RawPage] = []
    problems: list[Problem] = []
    if not corpus_dir.is_dir():
        problems.append(Problem("error", str(corpus_dir), "corpus directory not found"))
        return Corpus(pages, problems)
    for path in corpus_files(corpus_dir):
        name = path.relative_to(corpus_dir).as_posix()
        try:
            meta = read_meta(path.with_suffix("").with_suffix(".meta.yml"), name)
        except MetadataError as exc:
            problems.append(Problem("error", *exc.args))
            continue
        page, page_problems = read_page_bytes(name, path.read_bytes(), meta)
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
    text, control_problems = _strip_controls(name, text)
    problems.extend(control_problems)
    if not text.strip():
        problems.append(Problem("warning", name, "no text left after removing control characters"))
        return None, problems
    script = meta.script or detect_script(text)
    if script == "hant":
        text = to_simplified(text)
        problems.append(
            Problem("warning", name, "text is in Traditional script; converted to Simplified")
        )
    lines = [Line(i, t) for i, t in enumerate(text.split("\n"), start=1)]
    return RawPage(name, lines, meta, encoding, script), problems


_BINARY_SIGNATURES = (b"\x89PNG", b"%PDF", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x7fELF")


def decode(data: bytes) -> tuple[str | None, str, str | None]:
    """Decode bytes to text with universal newlines.

    Returns ``(text, encoding, problem)``; ``text`` is None when the bytes are
    not text. UTF-8 (with or without BOM) and UTF-16 with a BOM are taken as
    they are; anything else is detected, GB18030 (a superset of GBK/GB2312)
    first, then Big5.
    """
    if data.startswith(_BINARY_SIGNATURES):
        return None, "", "binary file (image, PDF or archive), not text"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _newlines(data.decode("utf-16")), "utf-16", None
        except UnicodeDecodeError as exc:
            return None, "", f"broken UTF-16 at byte {exc.start}"
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return _newlines(data.decode("utf-8")), "utf-8", None
    except UnicodeDecodeError as exc:
        utf8_error = exc
    nul_share = data.count(0) / len(data)
    if nul_share > 0.1:
        return None, "", "binary file (many NUL bytes), not text"
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_chinese(text):
            return _newlines(text), encoding, f"decoded as {encoding.upper()} (not UTF-8)"
    best = from_bytes(data).best()
    if best is not None and _looks_like_chinese(str(best)):
        return _newlines(str(best)), best.encoding, f"decoded as {best.encoding} (not UTF-8)"
    return None, "", (
        f"not UTF-8 (bad byte at offset {utf8_error.start}) and not GB18030 or Big5 text"
    )


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_like_chinese(text: str) -> bool:
    sample = text[:20000]
    han = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    bad = sum(1 for ch in sample if unicodedata.category(ch) in ("Co", "Cn") or ch == "\ufffd")
    return han >= max(1, len(sample.strip()) // 10) and bad <= len(sample) // 200


_CONTROL_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def _strip_controls(name: str, text: str) -> tuple[str, list[Problem]]:
    """Remove control, zero-width and bidi characters, reporting where."""
    problems: list[Problem] = []
    if not _CONTROL_RE.search(text):
        return text, problems
    out_lines = []
    for no, line in enumerate(text.split("\n"), start=1):
        found = _CONTROL_RE.findall(line)
        if found:
            kinds = ", ".join(sorted({f"U+{ord(c):04X}" for c in found}))
            if len(problems) < 20:
                problems.append(
                    Problem("warning", name, f"removed {len(found)} control character(s): {kinds}", no)
                )
            line = _CONTROL_RE.sub("", line)
        out_lines.append(line)
    return "\n".join(out_lines), problems


_T2S = None


def to_simplified(text: str) -> str:
    """Convert Traditional-script text to Simplified with official OpenCC."""
    global _T2S
    if _T2S is None:
        import opencc

        _T2S = opencc.OpenCC("t2s")
    return _T2S.convert(text)


def detect_script(text: str) -> str:
    """'hant' when the text is written in Traditional characters, else 'hans'."""
    sample = "".join(ch for ch in text[:5000] if "\u4e00" <= ch <= "\u9fff")
    if len(sample) < 20:
        return "hans"
    simplified = to_simplified(sample)
    changed = sum(1 for a, b in zip(sample, simplified) if a != b)
    return "hant" if changed / len(sample) > 0.05 else "hans"


# --- sidecar metadata -------------------------------------------------------


class _NoAliasLoader(yaml.SafeLoader):
    """Safe loader that refuses anchors and aliases (no alias bombs)."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "aliases are not allowed in metadata", event.start_mark
            )
        return super().compose_node(parent, index)


def read_meta(path: Path, page_name: str = "") -> PageMeta:
    """Read a ``NAME.meta.yml`` sidecar; an absent file gives empty metadata.

    Raises ``MetadataError(file, message, line)`` for malformed YAML, wrong
    types, unknown keys or values that are unsafe to use.
    """
    if not path.exists():
        return PageMeta()
    name = path.name if not page_name else str(Path(page_name).with_suffix("").with_suffix(".meta.yml"))
    raw = path.read_bytes()
    if len(raw) > 64 * 1024:
        raise MetadataError(name, "metadata file is larger than 64 KB", None)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MetadataError(name, f"metadata is not UTF-8 (byte {exc.start})", None) from None
    return parse_meta(text, name)


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
    if data is None:
        return PageMeta()
    if not isinstance(data, dict):
        raise MetadataError(name, "metadata must be a mapping of keys to values", 1)
    lines = {key: _key_line(text, key) for key in data}
    unknown = sorted(str(k) for k in data if k not in META_KEYS)
    if unknown:
        first = unknown[0]
        raise MetadataError(
            name, f"unknown key {first!r}; allowed: {', '.join(sorted(META_KEYS))}", lines.get(first)
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
                name, f"date must be YYYY-MM-DD, YYYY-MM or YYYY, not {value!r}", lines.get(key)
            )
        if key == "script" and value not in ("hans", "hant"):
            raise MetadataError(name, f"script must be hans or hant, not {value!r}", lines.get(key))
        if not _SAFE_VALUE_RE.match(value) or ".." in value:
            raise MetadataError(
                name, f"{key} holds characters or a length not allowed: {value[:40]!r}", lines.get(key)
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
