"""Clean stage: repair the text of raw page lines.

Pure functions. Per line, in this order:

1. separate a byline glued to the end of a text line onto a line of its own;
2. remove spurious spaces that column wraps left inside Chinese text, keeping
   the spaces that are meant (bylines, parts of a headline, Latin words);
3. normalise punctuation to full width in Chinese context and pair quotes;
4. apply the reviewable OCR corrections in ``data/corrections.yml``.

Every change that alters characters is recorded as a ``Correction`` with its
file and line. Joining paragraphs broken mid-sentence needs the article's
structure, so ``join_broken`` is called by the split stage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml

from . import resources
from .model import Correction, Line, RawPage
from .patterns import (
    BYLINE_ROLE_RE,
    BYLINE_TAIL_RE,
    CJK_PUNCT,
    DATELINE_RE,
    HAN,
    HAN_RE,
    MD_HEADING_RE,
    PROSE_PUNCT_RE,
    TERMINAL_RE,
    is_prose,
)

DATA_DIR = resources.data_dir()


# --- OCR correction rules (data) --------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One reviewable OCR correction from ``corrections.yml``."""

    id: str
    pattern: re.Pattern[str]
    replacement: str
    before: re.Pattern[str] | None = None  # must match the text just before
    after: re.Pattern[str] | None = None  # must match the text just after
    not_before: re.Pattern[str] | None = None
    not_after: re.Pattern[str] | None = None
    keep: frozenset[str] = frozenset()  # matches left alone (doubled-word rules)
    note: str = ""
    literal: str | None = None  # the text to find, when the pattern is not a regex


def load_rules(path: Path | None = None) -> list[Rule]:
    """Load correction rules; raise ``ValueError`` naming the file on bad data."""
    path = path or DATA_DIR / "corrections.yml"
    return list(_load_rules_cached(str(path)))


@lru_cache(maxsize=8)
def _load_rules_cached(path: str) -> tuple[Rule, ...]:
    try:
        entries = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: malformed YAML: {exc}") from None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of rules")
    rules = []
    for i, entry in enumerate(entries, start=1):
        try:
            literal = None if entry.get("regex") else str(entry["pattern"])
            pattern = entry["pattern"] if literal is None else re.escape(literal)

            def ctx(key: str, anchor: str, entry: dict = entry) -> re.Pattern[str] | None:
                value = entry.get(key)
                return re.compile(anchor.format(value)) if value else None

            rules.append(
                Rule(
                    id=str(entry.get("id") or f"rule-{i}"),
                    pattern=re.compile(pattern),
                    replacement=str(entry["replacement"]),
                    before=ctx("before", "(?:{})$"),
                    after=ctx("after", "^(?:{})"),
                    not_before=ctx("not_before", "(?:{})$"),
                    not_after=ctx("not_after", "^(?:{})"),
                    keep=frozenset(entry.get("keep") or ()),
                    note=str(entry.get("note", "")),
                    literal=literal,
                )
            )
        except (KeyError, TypeError, re.error) as exc:
            raise ValueError(f"{path}: rule {i} is invalid: {exc!r}") from None
    return tuple(rules)


@dataclass(frozen=True)
class RuleBook:
    """Correction rules in order, with one pattern finding the text of any literal rule.

    Most lines hold none of the literal rules' texts: one search of ``screen``
    tells so, instead of one search per rule.
    """

    rules: tuple[Rule, ...]
    screen: re.Pattern[str] | None

    @classmethod
    def of(cls, rules: Iterable[Rule] | RuleBook) -> RuleBook:
        """The book of ``rules`` (a book is returned as it is)."""
        if isinstance(rules, RuleBook):
            return rules
        rules = tuple(rules)
        literals = sorted({rule.literal for rule in rules if rule.literal})
        screen = re.compile("|".join(map(re.escape, literals))) if literals else None
        return cls(rules, screen)


def apply_rules(
    text: str, rules: Iterable[Rule] | RuleBook
) -> tuple[str, list[tuple[str, str, str]]]:
    """Apply correction rules to ``text``; return it and (raw, fixed, rule id) triples.

    A literal rule is skipped without a search of its own while the book's
    screen finds no literal rule's text in the line; the screen is asked
    again after every rule that changed the line.
    """
    book = RuleBook.of(rules)
    changes: list[tuple[str, str, str]] = []
    literals_found: bool | None = None  # None: not asked since the text last changed
    for rule in book.rules:
        if rule.literal and book.screen is not None:
            if literals_found is None:
                literals_found = book.screen.search(text) is not None
            if not literals_found:
                continue
        if not rule.pattern.search(text):
            continue
        out, pos = [], 0
        for m in rule.pattern.finditer(text):
            head, tail = text[max(0, m.start() - 12) : m.start()], text[m.end() : m.end() + 12]
            if (
                m.group(0) in rule.keep
                or (rule.before and not rule.before.search(head))
                or (rule.after and not rule.after.search(tail))
                or (rule.not_before and rule.not_before.search(head))
                or (rule.not_after and rule.not_after.search(tail))
            ):
                continue
            # a replacement without a backslash holds no group reference
            fixed = m.expand(rule.replacement) if "\\" in rule.replacement else rule.replacement
            if fixed == m.group(0):
                continue
            out.append(text[pos : m.start()])
            out.append(fixed)
            pos = m.end()
            changes.append((m.group(0), fixed, rule.id))
        if out:
            out.append(text[pos:])
            text = "".join(out)
            literals_found = None
    return text, changes


# --- spaces -------------------------------------------------------------------

_CJKISH = f"[{HAN}{CJK_PUNCT}]"
# A space between two Han characters or Chinese punctuation marks.
_SPACE_CJK_RE = re.compile(f"(?<={_CJKISH})[ \t\u3000]+(?={_CJKISH})")
# A space between Chinese text and a digit (column wrap in '2月24 日').
_SPACE_CJK_DIGIT_RE = re.compile(
    f"(?<={_CJKISH})[ \t\u3000]+(?=[0-9])|(?<=[0-9])[ \t\u3000]+(?={_CJKISH})"
)
_MULTISPACE_RE = re.compile(r"[ \t\u3000]{2,}")
_WRAP_PROBE_RE = re.compile(f"[{HAN}][ \t]+[{HAN}]")


def wrap_spaced(lines: Iterable[str]) -> bool:
    """True when a page's prose is full of column-wrap spaces (like OCR of narrow columns)."""
    spaces = chars = 0
    for text in lines:
        if not PROSE_PUNCT_RE.search(text):
            continue
        text = split_glued_byline(text)[0]
        dateline = DATELINE_RE.match(text)
        if dateline:  # names in 本报讯(记者刘勃 张宽) are meant to be spaced
            text = text[dateline.end() :]
        spaces += len(_WRAP_PROBE_RE.findall(text))
        chars += len(text)
    # at least five such spaces, and one per 200 characters of prose
    return spaces >= 5 and spaces * 200 >= chars


def fix_prose_spaces(text: str) -> str:
    """Remove spaces inside Chinese running text; keep them around Latin words."""
    if " " not in text and "\t" not in text and "\u3000" not in text:
        return text.strip()  # most lines: nothing for the patterns below to find
    text = _SPACE_CJK_RE.sub("", text)
    text = _SPACE_CJK_DIGIT_RE.sub("", text)
    return _MULTISPACE_RE.sub(" ", text).strip()


@lru_cache(maxsize=4096)
def _opens_phrase(part: str) -> bool:
    """Whether a headline part starts like a new phrase (verb, pronoun, adverb)."""
    import jieba.posseg

    for pair in jieba.posseg.lcut(part[:8]):
        return pair.flag[:1] in {"v", "r", "d", "p", "a"}
    return False


def fix_heading_spaces(text: str, wrapped_page: bool) -> str:
    """Keep the spaces between headline parts; drop column-wrap spaces.

    On pages without column-wrap damage every headline space is kept. On
    damaged pages a space is kept only where both sides are real phrases:
    the left at least 4 Han characters and the right opening a new phrase.
    """
    text = _MULTISPACE_RE.sub(" ", text).strip()
    if not wrapped_page or " " not in text:
        return text
    parts = text.split(" ")
    out = parts[0]
    for part in parts[1:]:
        left_ok = len(re.findall(f"[{HAN}]", out.split(" ")[-1])) >= 4
        if left_ok and _opens_phrase(part):
            out += " " + part
        elif re.match(r"[A-Za-z]", part[:1]) or re.search(r"[A-Za-z]$", out):
            out += " " + part
        else:
            out += part
    return out


# --- punctuation --------------------------------------------------------------

_HAN_OR_FW = f"[{HAN}{CJK_PUNCT}]"
_HAN_OR_FW_RE = re.compile(_HAN_OR_FW)
_PUNCT_TABLE = str.maketrans({",": "，", ";": "；", ":": "：", "!": "！", "?": "？"})
# A run of ASCII marks (and ellipses of three or more dots) between two other characters.
_PUNCT_RUN_RE = re.compile(r"(?:[,;:!?]|\.{3,})+")
_PUNCT_MARK_RE = re.compile(r"[,;:!?.]")  # a cheap search: every run starts with one
_DOTS_RE = re.compile(r"\.{3,}")
_LEADING_DASH_RE = re.compile(rf"^[-－—]{{1,2}}(?=[{HAN}“\"])")


def normalise_punctuation(text: str) -> str:
    """Full-width punctuation in Chinese context; numbers and times untouched.

    A whole run of ASCII marks touching Chinese text is converted at once
    (``一,,`` → ``一，，``), so cleaning cleaned text changes nothing.
    """
    text = _LEADING_DASH_RE.sub("——", text)
    text = _fix_parentheses(text)
    text = _pair_quotes(text)
    if not _PUNCT_MARK_RE.search(text):
        return text
    return _PUNCT_RUN_RE.sub(lambda m: _full_width_run(text, m), text)


def _full_width_run(text: str, m: re.Match[str]) -> str:
    """Convert a run of ASCII marks next to Chinese text, or after a closing bracket."""
    run, before, after = m.group(0), text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
    touches = bool(_HAN_OR_FW_RE.match(before) or _HAN_OR_FW_RE.match(after))
    bracket = before in (")", "]") and run[0] in ",;:" and (len(run) > 1 or after.strip() != "")
    if not (touches or bracket):
        return run
    return _DOTS_RE.sub("……", run).translate(_PUNCT_TABLE)


_PAREN_RE = re.compile("[()（）]")
_QUOTE_RE = re.compile("[\"'“”]")


def _fix_parentheses(text: str) -> str:
    """ASCII parentheses around Chinese content become full width."""
    if "(" not in text and ")" not in text:
        return text
    chars = list(text)
    stack: list[int] = []
    for m in _PAREN_RE.finditer(text):  # only the brackets matter
        i = m.start()
        if text[i] in "(（":
            stack.append(i)
        elif stack:
            j = stack.pop()
            if HAN_RE.search(text, j + 1, i):
                chars[j], chars[i] = "（", "）"
            else:
                chars[j], chars[i] = "(", ")"
    for j in stack:  # unmatched opening bracket before Chinese text
        if chars[j] == "(" and HAN_RE.match(text, j + 1):
            chars[j] = "（"
    return "".join(chars)


def _pair_quotes(text: str) -> str:
    """Replace straight quotes with paired curly quotes.

    A straight single quote that opens a phrase closed by a straight double
    quote (``'六城联动"``) is an OCR slip for an opening double quote.
    """
    if '"' not in text and "'" not in text:
        return text
    out: list[str] = []
    double_open = single_open = False
    pos = 0
    for m in _QUOTE_RE.finditer(text):  # only the quotes matter
        i, ch = m.start(), m.group()
        if ch == "“":
            double_open = True
        elif ch == "”":
            double_open = False
        elif ch == '"':
            ch = "”" if double_open else "“"
            double_open = not double_open
        else:  # a straight single quote
            rest = text[i + 1 :]
            if (
                not double_open
                and HAN_RE.match(rest[:1])
                and '"' in rest
                and "'" not in rest.split('"', 1)[0]
            ):
                ch, double_open = "“", True
            elif HAN_RE.search(text, max(0, i - 1), i + 2):
                ch = "’" if single_open else "‘"
                single_open = not single_open
        out += (text[pos:i], ch)
        pos = i + 1
    out.append(text[pos:])
    return "".join(out)


# --- lines and pages ----------------------------------------------------------


# After the role word of a byline: the names, each one at most four Han
# characters unless it holds a middle dot (minority names).
_BYLINE_ROLE_RE = re.compile(r"^.*?(?:记者|通讯员|实习生|摄影)")
_BYLINE_NAME_RE = re.compile(f"^(?:[{HAN}]{{2,4}}|[{HAN}]+·[{HAN}·]+|摄)$")
_BARE_ROLES = {"记者", "通讯员", "实习生", "摄影"}


def _names_spaced(byline: str) -> bool:
    """Whether every name in a glued byline stands apart: '记者 张三 李四', '本报记者张三'.

    A run of Han characters after 记者 longer than one name is running text
    that happens to follow a sentence end: '。记者从珲春综合保税区管理局了'
    (the paragraph broke before 解到). So is a bare 记者 with a 'name' glued
    to it: '。记者从吉林市' (…交通运输局了解到 is on the next line).
    """
    tokens = byline.split()
    role = _BYLINE_ROLE_RE.match(tokens[0])
    if role and len(tokens[0]) > role.end() and role.group(0) in _BARE_ROLES:
        return False
    for token in tokens:
        name = _BYLINE_ROLE_RE.sub("", token)
        if name and not _BYLINE_NAME_RE.match(name):
            return False
    return True


def split_glued_byline(text: str) -> tuple[str, str | None]:
    """Split '…实现合 吉林日报记者 张伟国 代黎黎' into body and byline parts."""
    m = BYLINE_TAIL_RE.search(text) if BYLINE_ROLE_RE.search(text) else None
    if not m or m.start("byline") == 0 and not text[: m.start()].strip():
        return (text, None) if not m else ("", m.group("byline"))
    if not _names_spaced(m.group("byline")):
        return text, None
    body = text[: m.start()].rstrip()
    return body, m.group("byline")


MAX_CLEAN_PASSES = 4


def clean_text(
    text: str, rules: Iterable[Rule] | RuleBook, wrapped_page: bool = False
) -> tuple[str, list[tuple[str, str, str]]]:
    """Clean one line of text (no byline in it). Returns text and changes.

    Cleaning is repeated until the text no longer changes (a fix can make
    another one apply: a correction shortens a line below the headline
    length), so cleaning cleaned text changes nothing.
    """
    book = RuleBook.of(rules)
    changes: list[tuple[str, str, str]] = []
    for _ in range(MAX_CLEAN_PASSES):
        cleaned, found = _clean_once(text, book, wrapped_page)
        changes.extend(found)
        if cleaned == text:
            break
        text = cleaned
    return text, changes


def _clean_once(
    text: str, book: RuleBook, wrapped_page: bool
) -> tuple[str, list[tuple[str, str, str]]]:
    heading = MD_HEADING_RE.match(text)
    prefix = ""
    if heading:
        prefix, text = heading.group("hashes") + " ", heading.group("text")
    dateline = DATELINE_RE.match(text)
    protected = ""
    if dateline:
        protected, text = dateline.group(0).strip(), text[dateline.end() :]
        protected = normalise_punctuation(_MULTISPACE_RE.sub(" ", protected))
    prose = is_prose(text) or bool(dateline)
    text = fix_prose_spaces(text) if prose else fix_heading_spaces(text, wrapped_page)
    text = normalise_punctuation(text)
    if prose:  # spaces next to what were ASCII marks are now inside Chinese text
        text = fix_prose_spaces(text)
    text, changes = apply_rules(text, book)
    return prefix + protected + text, changes


def clean_page(page: RawPage, rules: Iterable[Rule] | RuleBook | None = None) -> RawPage:
    """Clean every line of a page; glued bylines get a line of their own."""
    book = RuleBook.of(load_rules() if rules is None else rules)
    wrapped = wrap_spaced(line.text for line in page.lines)
    lines: list[Line] = []
    corrections: list[Correction] = list(page.corrections)
    for line in page.lines:
        body, bylines = _split_bylines(line.text.strip())
        text, changes = clean_text(body, book, wrapped) if body else ("", [])
        rest, more = _split_bylines(text)  # cleaning can bare a byline: '“"记者 张三'
        if more:
            body, bylines = rest, more + bylines
            text, again = clean_text(body, book, wrapped) if body else ("", [])
            changes += again
        corrections.extend(Correction(r, f, rule, page.file, line.no) for r, f, rule in changes)
        if body:
            lines.append(Line(line.no, text))
        elif not bylines:
            lines.append(Line(line.no, ""))
        for byline in bylines:
            lines.append(Line(line.no, _MULTISPACE_RE.sub(" ", byline).strip()))
    return replace(page, lines=lines, corrections=corrections)


def _split_bylines(text: str) -> tuple[str, list[str]]:
    """Body and the bylines glued to its end (several in a row each count)."""
    body, byline = split_glued_byline(text)
    bylines = [byline] if byline else []
    while body and bylines:
        rest, more = split_glued_byline(body)
        if not more:
            break
        body, bylines = rest, [more, *bylines]
    return body, bylines


def clean_pages(
    pages: Iterable[RawPage], rules: Iterable[Rule] | RuleBook | None = None
) -> list[RawPage]:
    """Clean every page (see ``clean_page``)."""
    book = RuleBook.of(load_rules() if rules is None else rules)
    return [clean_page(page, book) for page in pages]


# --- paragraphs -----------------------------------------------------------------

# A paragraph that opens a list item or a new section does not continue the last one.
_ITEM_START_RE = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、是]|\d+[、.．]|——|[-•·]"
    r"|\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?(?:至\d{4}年\d{1,2}月)?[,，]"
    r"|[“\"])"
)


def is_unterminated(text: str) -> bool:
    """True for running text cut off before its sentence ended."""
    prose = bool(PROSE_PUNCT_RE.search(text)) or ("、" in text and len(text) > 40)
    return prose and not TERMINAL_RE.search(text)


def join_broken(paragraphs: list[str]) -> tuple[list[str], list[tuple[int, int]]]:
    """Join paragraphs that a page break split mid-sentence or mid-word.

    Returns the joined paragraphs and, for each join, the indexes (into the
    input) of the two paragraphs joined.
    """
    out: list[str] = []
    joins: list[tuple[int, int]] = []
    for i, para in enumerate(paragraphs):
        if out and is_unterminated(out[-1]) and not _ITEM_START_RE.match(para):
            out[-1] = out[-1] + para
            joins.append((i - 1, i))
        else:
            out.append(para)
    return out, joins
