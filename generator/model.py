"""The data model passed between pipeline stages.

Every stage takes and returns these plain dataclasses. Every decision the
pipeline makes about an article is recorded on it (``notes``, ``corrections``,
``date_source``, ``sources``...), so pages, ``check`` and ``export`` can show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageMeta:
    """Per-file metadata from an optional ``NAME.meta.yml`` sidecar."""

    paper: str | None = None
    date: str | None = None  # issue date, ISO YYYY-MM-DD (or YYYY-MM / YYYY)
    page: str | None = None  # page label as printed: "1", "A3", "第二版"
    city: str | None = None  # the paper's home city, for 我市
    script: str | None = None  # "hans" / "hant" when the sidecar says so
    # From the page's own furniture (split.page_meta), never from the sidecar:
    header: str | None = None  # the furniture lines as printed
    section: str | None = None  # 要闻, 经济 ...
    editors: tuple[str, ...] = ()  # 责任编辑：韩雪 ...
    header_fields: tuple[str, ...] = ()  # which of paper/date/page came from the header


@dataclass
class Line:
    """One physical line of a raw page, 1-based ``no`` as in the file."""

    no: int
    text: str


@dataclass
class RawPage:
    """A decoded raw page file with its lines and metadata."""

    file: str  # file name relative to the corpus directory
    lines: list[Line]
    meta: PageMeta = field(default_factory=PageMeta)
    encoding: str = "utf-8"
    script: str = "hans"  # "hant" when the original text was Traditional
    corrections: list[Correction] = field(default_factory=list)
    original: str | None = None  # decoded text before any change, for the source page


@dataclass(frozen=True)
class Source:
    """Where (part of) an article's text came from."""

    file: str
    first_line: int
    last_line: int


@dataclass(frozen=True)
class Correction:
    """One change made to the raw text, for the provenance record."""

    raw: str
    fixed: str
    rule: str = ""  # id of the rule or data entry that made the change
    file: str | None = None
    line: int | None = None


@dataclass
class Article:
    """One article, from a split fragment to a fully enriched page."""

    title: str
    paragraphs: list[str]
    sources: list[Source]
    subtitle: str | None = None
    title_inferred: bool = False  # no headline printed; title made from the text
    section_heads: list[int] = field(default_factory=list)  # paragraph indexes
    head_lines: list[int] = field(default_factory=list)  # raw line of each section head
    kicker: str | None = None
    column: str | None = None  # column banner / page header seen above it
    kind: str = "article"  # article, brief, photo, profile, report_part
    byline: str | None = None  # the raw byline / dateline text
    dateline: str | None = None
    reporters: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)  # from a photo credit (…摄)
    paper: str | None = None
    paper_source: str | None = None
    page: str | None = None
    date: str | None = None  # ISO, precision given by date_precision
    date_precision: str | None = None  # day, month, year
    date_source: str | None = None  # human-readable: where the date came from
    cities: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    continued_from: str | None = None  # e.g. "第一版" from (上接第一版)
    continued_to: str | None = None  # e.g. "第三版" from (下转第三版)
    missing_start: bool = False
    missing_end: bool = False
    merged_from: list[str] = field(default_factory=list)  # files of merged copies
    script: str = "hans"  # script of the original raw text
    confidence: float = 1.0
    notes: list[str] = field(default_factory=list)  # decisions made by stages
    warnings: list[str] = field(default_factory=list)
    id: str = ""
    meta: PageMeta = field(default_factory=PageMeta)

    @property
    def text(self) -> str:
        """The cleaned body, paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)

    @property
    def complete(self) -> bool:
        return not (self.missing_start or self.missing_end)

    @property
    def url(self) -> str:
        """Site-relative URL of the article page (the same in every build)."""
        return article_path(self).removesuffix(".md") + ".html"


def article_path(article: Article) -> str:
    """Docs-relative Markdown path: ``articles/YYYY/MM/<id>.md``.

    Undated articles live under ``articles/undated/``; month-only dates under
    ``articles/YYYY/MM/``; year-only under ``articles/YYYY/``.
    """
    date = article.date or ""
    parts = date.split("-")
    if len(parts) >= 2:
        folder = f"articles/{parts[0]}/{parts[1]}"
    elif parts[0]:
        folder = f"articles/{parts[0]}"
    else:
        folder = "articles/undated"
    return f"{folder}/{article.id}.md"


@dataclass(frozen=True)
class Problem:
    """A warning or error about the input, naming the file and line."""

    level: str  # "warning" or "error"
    file: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{self.level}: {where}: {self.message}"
