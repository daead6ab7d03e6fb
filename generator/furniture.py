"""Page furniture: the lines of a page that describe the page, not an article.

A printed page carries a header (``吉林日报 第1版 要闻 责任编辑:韩雪``,
``城市晚报 A05 都市 责编:赵欣 美编:周晴``, ``2023年2月8日 星期三``), a section
name alone on a line (``要闻``, ``## 区域``) and a page number (``3``). In a text
dump these lines sit among the articles. They are never body text, titles or
articles: they are metadata about the page (paper, page, section, date,
editors) and evidence for every article printed on it.

Pure functions; the vocabulary (section names, editor roles) is data in
``generator/data/layout.yml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from . import resources
from .patterns import HAN, han_count

LAYOUT_FILE = resources.data_dir() / "layout.yml"

# A page label: 第3版 / 第三版 / A05 / B2 (a letter section and a number).
_PAGE_RE = re.compile(
    r"第\s*([0-9一二三四五六七八九十]{1,3})\s*版|(?<![A-Za-z0-9])([A-H]\d{1,2})(?![0-9])"
)
# An issue date, written out: 2022年10月19日, optionally with its weekday.
_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_WEEKDAY_RE = re.compile(r"(?:星期|周|礼拜)[一二三四五六日天]")
_NUMBER_RE = re.compile(r"^(?:\d{1,3}|[A-H]\d{1,2})$")
_SENTENCE_RE = re.compile("[，。；！？,;!?]")
_LEADING_HASHES_RE = re.compile(r"^#{1,6}\s+")


@dataclass(frozen=True)
class Layout:
    """The layout vocabulary of ``layout.yml``."""

    sections: frozenset[str]
    briefs: frozenset[str]
    brief_suffixes: tuple[str, ...]  # 综合简讯, 体育快讯: a briefs banner ends so
    pictures: frozenset[str]
    editor_roles: tuple[str, ...]


@lru_cache(maxsize=1)
def layout() -> Layout:
    """The bundled layout vocabulary (cached)."""
    data = yaml.safe_load(LAYOUT_FILE.read_text(encoding="utf-8")) or {}
    roles = sorted(data.get("editor_roles") or (), key=len, reverse=True)
    return Layout(
        frozenset(data.get("sections") or ()),
        frozenset(data.get("briefs") or ()),
        tuple(w for w in data.get("briefs") or () if len(w) >= 2),
        frozenset(data.get("pictures") or ()),
        tuple(roles),
    )


@lru_cache(maxsize=1)
def _editor_re() -> re.Pattern[str]:
    roles = "|".join(map(re.escape, layout().editor_roles))
    # A role, a colon, then one or two names up to the next role or the end.
    return re.compile(
        rf"(?P<role>{roles})\s*[:：]\s*(?P<names>[{HAN}·\s、]{{2,12}}?)(?=\s*(?:{roles})|\s*$)"
    )


@lru_cache(maxsize=1)
def _paper_re() -> re.Pattern[str]:
    from .enrich.people import load_papers

    names = sorted(
        {form for p in load_papers() if not p.agency for form in (p.name, *p.aliases)},
        key=len,
        reverse=True,
    )
    generic = f"[{HAN}]{{2,6}}(?:日报|晚报|早报|商报|时报|都市报|周报)"
    return re.compile("|".join([*map(re.escape, names), generic]))


@dataclass
class PageInfo:
    """What a page's furniture says about the page."""

    paper: str | None = None
    page: str | None = None
    section: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD
    editors: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the furniture lines as printed

    def add(self, other: PageInfo) -> None:
        """Fill the fields still unknown from another furniture line."""
        self.paper = self.paper or other.paper
        self.page = self.page or other.page
        self.section = self.section or other.section
        self.date = self.date or other.date
        self.editors += [e for e in other.editors if e not in self.editors]
        self.lines += other.lines


def strip_hashes(text: str) -> str:
    """A line without its Markdown heading marks."""
    return _LEADING_HASHES_RE.sub("", text).strip()


def is_section_name(text: str) -> bool:
    """A page section's name alone on a line (``要闻``, ``## 区域``)."""
    return strip_hashes(text) in layout().sections


def parse_header(text: str) -> PageInfo | None:
    """The page header a line is, or None if it is not one.

    A header is short, has no sentence punctuation, and holds staff credits
    (``责任编辑:韩雪``), or a page label (``第3版``, ``A05``) with a paper, a
    section or a date, or a written-out date with its weekday.
    """
    line = strip_hashes(text)
    if not line or len(line) > 72 or _SENTENCE_RE.search(line):
        return None
    if _NUMBER_RE.match(line):
        return PageInfo(page=line, lines=[line])
    info = PageInfo(lines=[line])
    rest = line
    for m in _editor_re().finditer(line):
        names = [n for n in re.split(r"[\s、·]+", m.group("names")) if n]
        info.editors += [f"{m.group('role')}：{n}" for n in names]
        rest = rest.replace(m.group(0), " ")
    page = _PAGE_RE.search(rest)
    if page:
        info.page = page.group(1) or page.group(2)
        rest = rest[: page.start()] + " " + rest[page.end() :]
    date = _DATE_RE.search(rest)
    weekday = _WEEKDAY_RE.search(rest)
    if date:
        y, m_, d = (int(g) for g in date.groups())
        if 1 <= m_ <= 12 and 1 <= d <= 31:
            info.date = f"{y:04d}-{m_:02d}-{d:02d}"
        rest = rest[: date.start()] + " " + rest[date.end() :]
    if weekday:
        rest = rest[: weekday.start()] + " " + rest[weekday.end() :]
    paper = _paper_re().search(rest)
    if paper:
        info.paper = paper.group(0)
        rest = rest[: paper.start()] + " " + rest[paper.end() :]
    words = [w for w in re.split(r"\s+", rest) if w]
    sections = [w for w in words if w in layout().sections]
    if sections:
        info.section = sections[0]
    if info.editors:
        # Credits make a header whatever else the line holds, if the rest is short.
        return info if han_count(rest) <= 12 else None
    if info.page and (info.paper or info.section or info.date or not words):
        return info if han_count(rest) <= 8 else None
    if info.date and weekday and han_count(rest) <= 8:
        return info
    return None


def section_info(text: str) -> PageInfo:
    """Page info for a section name line."""
    return PageInfo(section=strip_hashes(text), lines=[strip_hashes(text)])
