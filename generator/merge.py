"""Merge stage: one article per story, with every source recorded.

Pure functions, in four passes:

0. **Glued copies.** A copy of an article that another extraction prints
   under its own headline can run on, in this one, from the article above it
   without any cue of a new article: its headline was read as a section head.
   A section head that is another file's title, over that title's text, is cut
   off as an article of its own (and then merged as a duplicate).
1. **Displaced tails.** An untitled fragment is joined to the article on the
   same page that stops mid-word, when the two ends make a word together
   (``积极利`` + ``用国际创新资源`` → ``利用``).
2. **Duplicates.** Two extractions of one article share most of their text
   even when wording differs by a few percent. Candidate pairs come from an
   index of sampled character 4-gram shingles (so the cost grows with the
   corpus, not its square); a pair is a duplicate when the smaller copy's
   shingles are mostly contained in the larger. The better copy is published and
   every copy is listed as a source.
3. **Continuations.** ``(下转第三版)`` and ``(上接第一版)`` parts of one
   story on different pages are joined when both are in the corpus.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from .cache import Memo, key
from .model import Article, Source
from .patterns import HAN, TERMINAL_RE, han_count

SHINGLE = 4
_NOT_HAN_RE = re.compile(f"[^{HAN}]+")
DUPLICATE_CONTAINMENT = 0.6  # share of the smaller copy's shingles found in the larger
SAME_TITLE_CONTAINMENT = 0.35
MAX_POSTINGS = 50  # shingles shared by more articles than this carry no signal


@dataclass
class MergeReport:
    """Counts for the run summary."""

    copies_cut: int = 0
    tails_joined: int = 0
    duplicates_merged: int = 0
    continuations_joined: int = 0


def merge(articles: list[Article], memo: Memo | None = None) -> tuple[list[Article], MergeReport]:
    """Run the three merge passes; returns distinct articles and counts.

    ``memo`` remembers which join points fall inside a word (jieba is slow to load).
    """
    report = MergeReport()
    articles = split_glued_copies(articles, report)
    articles = join_displaced_tails(articles, report, memo)
    articles = merge_duplicates(articles, report)
    articles = join_continuations(articles, report)
    return articles, report


def han_text(article: Article) -> str:
    """Only the Han characters of title and body: what copies share."""
    return _NOT_HAN_RE.sub("", article.text)


def _norm_title(title: str) -> str:
    return "".join(ch for ch in title if ch.isalnum())


# --- pass 0: glued copies -------------------------------------------------------

GLUED_TITLE_CHARS = 6  # a shorter section head is too common to name another article
GLUED_MATCH_CHARS = 16  # Han characters below the head that must open the other copy


def split_glued_copies(articles: list[Article], report: MergeReport) -> list[Article]:
    """Cut off a section head (and what follows) that is another file's article."""
    titles: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        norm = _norm_title(a.title)
        if not a.title_inferred and len(norm) >= GLUED_TITLE_CHARS:
            titles[norm].append(a)
    if not titles:
        return articles
    out: list[Article] = []
    for a in articles:
        out.extend(_cut_glued(a, titles, report))
    return out


def _cut_glued(a: Article, titles: dict[str, list[Article]], report: MergeReport) -> list[Article]:
    for k, idx in enumerate(a.section_heads):
        if idx == 0 or idx + 1 >= len(a.paragraphs) or k >= len(a.head_lines):
            continue
        others = [
            o
            for o in titles.get(_norm_title(a.paragraphs[idx]), [])
            if o.sources[0].file != a.sources[0].file
        ]
        if not others:  # the common case: a section head that titles nothing else
            continue
        below = _NOT_HAN_RE.sub("", a.paragraphs[idx + 1])[:GLUED_MATCH_CHARS]
        if len(below) < GLUED_MATCH_CHARS or not any(below in han_text(o) for o in others):
            continue
        line = a.head_lines[k]
        head, tail = _cut_at(a, k, idx, line)
        src = a.sources[0]
        note = f"第{line}行“{a.paragraphs[idx]}”是{others[0].sources[0].file}中一篇文章的标题"
        head.notes.append(note + "，其下文字另列为一篇")
        tail.notes.append(note + f"：本篇原被误接在{src.file}的上一篇之后，已分开")
        report.copies_cut += 1
        return [head, *_cut_glued(tail, titles, report)]
    return [a]


def _cut_at(a: Article, k: int, idx: int, line: int) -> tuple[Article, Article]:
    """The article before section head ``k`` (paragraph ``idx``, raw ``line``)
    and the article that head titles."""
    from .split import classify_kind

    src = a.sources[0]
    head = replace(
        a,
        paragraphs=a.paragraphs[:idx],
        section_heads=a.section_heads[:k],
        head_lines=a.head_lines[:k],
        sources=[Source(src.file, src.first_line, line - 1), *a.sources[1:]],
        corrections=[c for c in a.corrections if c.line is None or c.line < line],
        byline=None,
        continued_to=None,
        missing_end=False,
        notes=[n for n in a.notes if "下转" not in n],
        warnings=[],
    )
    tail = replace(
        a,
        title=a.paragraphs[idx],
        title_inferred=False,
        subtitle=None,
        kicker=None,
        paragraphs=a.paragraphs[idx + 1 :],
        section_heads=[i - idx - 1 for i in a.section_heads[k + 1 :]],
        head_lines=a.head_lines[k + 1 :],
        sources=[Source(src.file, line, src.last_line)],
        corrections=[c for c in a.corrections if c.line is not None and c.line >= line],
        dateline=None,
        continued_from=None,
        missing_start=False,
        notes=[n for n in a.notes if "上接" not in n and "没有标题" not in n],
    )
    head.kind, tail.kind = classify_kind(head), classify_kind(tail)
    return head, tail


# --- pass 1: displaced tails ---------------------------------------------------


def _is_headless(a: Article) -> bool:
    return a.title_inferred and a.kind != "photo" and not a.continued_from


def _word_across(left: str, right: str, memo: Memo | None = None) -> bool:
    """Whether the join point of two fragments falls inside a word."""
    left_part, right_part = left[-4:], right[:4]
    if memo is not None:
        return memo.get(
            key("word-across", left_part, right_part), lambda: _word_across(left_part, right_part)
        )
    import jieba

    pos = 0
    for token in jieba.lcut(left_part + right_part, HMM=False):
        if pos < len(left_part) < pos + len(token):
            return True
        pos += len(token)
    return False


def join_displaced_tails(
    articles: list[Article], report: MergeReport, memo: Memo | None = None
) -> list[Article]:
    """Join headless fragments to the article on the same page they complete."""
    by_file: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        by_file[a.sources[0].file].append(a)
    consumed: set[int] = set()
    for tail in articles:
        if not _is_headless(tail) or id(tail) in consumed:
            continue
        heads = [
            a
            for a in by_file[tail.sources[0].file]
            if a is not tail
            and id(a) not in consumed
            and a.missing_end
            and not a.continued_to
            and not a.byline
            and a.paragraphs
            and tail.paragraphs
            and _word_across(a.paragraphs[-1], tail.paragraphs[0], memo)
        ]
        if len(heads) != 1:
            continue
        head = heads[0]
        head.paragraphs[-1] = head.paragraphs[-1] + tail.paragraphs[0]
        offset = len(head.paragraphs) - 1
        head.paragraphs.extend(tail.paragraphs[1:])
        head.section_heads.extend(offset + i for i in tail.section_heads if i > 0)
        head.sources = head.sources + tail.sources
        head.corrections = head.corrections + tail.corrections
        head.byline = head.byline or tail.byline
        head.missing_end = tail.missing_end
        src = tail.sources[0]
        head.notes = [n for n in head.notes if "结尾缺失" not in n]
        head.notes.append(
            f"后半部分错排在{src.file}第{src.first_line}–{src.last_line}行，已接回（断点处成词）"
        )
        consumed.add(id(tail))
        report.tails_joined += 1
    return [a for a in articles if id(a) not in consumed]


# --- pass 2: duplicates -----------------------------------------------------------


def _shingles(text: str) -> set[str]:
    return {text[i : i + SHINGLE] for i in range(max(0, len(text) - SHINGLE + 1))}


def quality(article: Article, longest: int, chars: int | None = None) -> tuple:
    """Sort key: the better copy first.

    Complete before incomplete; then any copy within 5% of the longest
    counts as complete in length, and fewer repairs per 1,000 characters
    decide; then file order, so the choice is deterministic.
    """
    chars = max(1, han_count(article.text) if chars is None else chars)
    repairs = sum(1 for c in article.corrections if c.rule != "join-paragraph")
    return (
        not article.complete,
        chars < 0.95 * longest,
        round(repairs * 1000 / chars, 1),
        -chars,
        article.title_inferred,
        article.sources[0].file,
        article.sources[0].first_line,
    )


SAMPLE_ALL_BELOW = 64  # shorter texts (in shingles) keep every shingle as a sample
CANDIDATE_SHARE = 0.15  # shared samples, as a share of the smaller copy's, worth a check
_HAN_BASE = 0x3400  # HAN is U+3400–U+4DBF and U+4E00–U+9FFF: minus this, 15 bits,
_BITS = 15  # so four characters make one exact int64 shingle code


@cache
def _anchors() -> np.ndarray:
    """Whether each Han character (code point − ``_HAN_BASE``) is an anchor:
    a fixed, pseudo-random eighth of them."""
    cps = np.arange(_HAN_BASE, 0xA000, dtype=np.uint64)
    return ((cps * np.uint64(2654435761)) & np.uint64(0xFFFFFFFF)) >> np.uint64(29) == 0


def _pack(column: Callable[[int], np.ndarray]) -> np.ndarray:
    """Shingle codes from ``column(k)``: the k-th character of every shingle."""
    codes = column(0).astype(np.int64) << (_BITS * (SHINGLE - 1))
    for k in range(1, SHINGLE):
        codes |= column(k).astype(np.int64) << (_BITS * (SHINGLE - 1 - k))
    return codes


@dataclass
class _Shingles:
    """The Han characters of every text, text after text (numpy), and their
    4-character shingles as exact int64 codes: two texts share a code
    exactly when they share that 4-character string."""

    han: np.ndarray  # code point − _HAN_BASE of every Han character
    starts: np.ndarray  # where each text's characters begin in ``han``
    lengths: np.ndarray  # how many Han characters each text has

    @classmethod
    def of(cls, texts: list[str]) -> _Shingles:
        """The Han characters of ``texts``: what ``han_text`` keeps."""
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        cps = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype="<u4")
        offset = cps - np.uint32(_HAN_BASE)  # wraps around below U+3400
        keep = (offset < 0xA000 - _HAN_BASE) & (
            (offset < 0x4DC0 - _HAN_BASE) | (offset >= 0x4E00 - _HAN_BASE)
        )
        kept = np.concatenate(([0], np.cumsum(keep, dtype=np.int32)))
        ends = np.cumsum(lengths)
        han_lengths = kept[ends] - kept[ends - lengths]
        han = offset[keep].astype(np.int32)
        starts = np.concatenate(([0], np.cumsum(han_lengths)[:-1])).astype(np.int64)
        return cls(han, starts, han_lengths)

    def codes_at(self, positions: np.ndarray) -> np.ndarray:
        """The codes of the shingles starting at ``positions`` (each within its text)."""
        return _pack(lambda k: self.han[positions + k])

    def all_of(self, i: int) -> np.ndarray:
        """Text ``i``'s distinct shingles, sorted."""
        start = int(self.starts[i])
        chars = self.han[start : start + int(self.lengths[i])]
        n = max(0, len(chars) - SHINGLE + 1)
        codes = _pack(lambda k: chars[k : k + n])  # slices: faster than positions here
        codes.sort()  # np.unique is several times slower on arrays this small
        return codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if n else codes

    def sampled(self) -> tuple[np.ndarray, np.ndarray]:
        """``(text, code)`` of every distinct sample, sorted by code, then text.

        The samples of a text are its shingles that start with an anchor
        character: about one in eight, the same in every copy of a text (it
        depends on the shingle alone), so shared samples estimate shared
        shingles. A text of fewer than ``SAMPLE_ALL_BELOW`` shingles keeps all.
        """
        take = _anchors()[self.han]
        count = self.lengths - SHINGLE + 1  # shingles per text
        for i in np.flatnonzero(count < SAMPLE_ALL_BELOW).tolist():
            take[self.starts[i] : self.starts[i] + max(0, int(count[i]))] = True
        for k in range(1, SHINGLE):  # the last characters of a text start no shingle
            end = self.starts + self.lengths - k
            take[end[end >= self.starts]] = False
        positions = np.flatnonzero(take)
        texts = np.searchsorted(self.starts, positions, side="right") - 1
        codes = self.codes_at(positions)
        order = np.lexsort((texts, codes))
        texts, codes = texts[order], codes[order]
        new = np.ones(len(codes), dtype=bool)
        new[1:] = (codes[1:] != codes[:-1]) | (texts[1:] != texts[:-1])
        return texts[new], codes[new]


def _candidate_pairs(texts: np.ndarray, codes: np.ndarray, n: int) -> tuple:
    """Pairs ``i < j`` of texts sharing samples that at most ``MAX_POSTINGS``
    texts have, with how many they share: ``(i, j, count)`` arrays.

    ``texts``/``codes``: distinct samples sorted by code, then text.
    """
    run_start = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    run_len = np.diff(np.concatenate((run_start, [len(codes)])))
    rare = np.repeat((run_len > 1) & (run_len <= MAX_POSTINGS), run_len)
    texts, codes = texts[rare], codes[rare]
    pairs = []
    for d in range(1, MAX_POSTINGS):
        same = codes[:-d] == codes[d:]
        if not same.any():
            break
        pairs.append(texts[:-d][same] * n + texts[d:][same])
    if not pairs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    keys, counts = np.unique(np.concatenate(pairs), return_counts=True)
    return keys // n, keys % n, counts


def _common(a: np.ndarray, b: np.ndarray) -> int:
    """How many values two sorted arrays of distinct values share."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return 0
    at = np.searchsorted(b, a).clip(max=len(b) - 1)
    return int(np.count_nonzero(b[at] == a))


def merge_duplicates(articles: list[Article], report: MergeReport) -> list[Article]:
    """Group copies of one article across extractions; keep the best text.

    Candidate pairs share sampled shingles that few articles have (at most
    ``MAX_POSTINGS``); each candidate is then checked on all its shingles.
    """
    n = len(articles)
    shingles = _Shingles.of([a.text for a in articles])
    sample_texts, sample_codes = shingles.sampled()
    n_samples = np.bincount(sample_texts, minlength=n)
    first, second, shared = _candidate_pairs(sample_texts, sample_codes, max(1, n))
    photo = np.array([a.kind == "photo" for a in articles], dtype=bool)
    long = shingles.lengths - SHINGLE + 1 >= SAMPLE_ALL_BELOW
    # A pair of long texts needs CANDIDATE_SHARE of the smaller sample shared;
    # a short text is only sampled where it meets a long one: one shared will do.
    wanted = np.where(long, CANDIDATE_SHARE * n_samples, 0.0)
    enough = ~(long[first] & long[second] & (shared < np.minimum(wanted[first], wanted[second])))
    keep = enough & ~photo[first] & ~photo[second] & (shingles.lengths[first] >= SHINGLE + 7)
    titles = [
        None if a.title_inferred or a.kind == "photo" else _norm_title(a.title) for a in articles
    ]
    full: dict[int, np.ndarray] = {}

    def shingles_of(i: int) -> np.ndarray:
        if i not in full:
            full[i] = shingles.all_of(i)
        return full[i]

    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def similarity(i: int, j: int) -> float:
        si, sj = shingles_of(i), shingles_of(j)
        return _common(si, sj) / max(1, min(len(si), len(sj)))

    for i, j in zip(first[keep].tolist(), second[keep].tolist(), strict=True):
        si, sj = shingles_of(i), shingles_of(j)
        n_i, n_j = len(si), len(sj)
        smaller = min(n_i, n_j)
        if smaller < 8:
            continue
        common = _common(si, sj)
        if common < SAME_TITLE_CONTAINMENT * smaller:
            continue  # cannot be a duplicate: skip the title comparison
        if _is_duplicate(articles[i], articles[j], common, n_i, n_j, titles[i], titles[j]):
            parent[find(j)] = find(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    out: list[Article] = []
    for members in groups.values():
        if len(members) == 1:
            out.append(articles[members[0]])
            continue
        chars = {i: int(shingles.lengths[i]) for i in members}
        longest = max(chars.values())
        members.sort(key=lambda i: quality(articles[i], longest, chars[i]))  # noqa: B023
        out.append(
            _combine(
                [articles[i] for i in members], [similarity(members[0], i) for i in members[1:]]
            )
        )
        report.duplicates_merged += len(members) - 1
    out.sort(key=lambda a: (a.sources[0].file, a.sources[0].first_line))
    return out


def _is_duplicate(
    a: Article,
    b: Article,
    shared: int,
    na: int,
    nb: int,
    title_a: str | None = None,
    title_b: str | None = None,
) -> bool:
    """``title_a``/``title_b``: the normalised titles, when the caller has them."""
    if a.kind == "photo" or b.kind == "photo":
        return False
    smaller = min(na, nb)
    if smaller < 8:
        return False
    containment = shared / smaller
    if containment >= DUPLICATE_CONTAINMENT:
        return True
    if containment < SAME_TITLE_CONTAINMENT or a.title_inferred or b.title_inferred:
        return False
    if title_a is None or title_b is None:
        title_a, title_b = _norm_title(a.title), _norm_title(b.title)
    return title_a == title_b


def _combine(copies: list[Article], similarities: list[float]) -> Article:
    """Publish the best copy; list every copy's sources and evidence.

    ``similarities``: the share of the smaller copy's shingles found in the other,
    for the best copy (the first) and each other one.
    """
    best = copies[0]
    others = copies[1:]
    sources: list[Source] = []
    for c in copies:
        sources.extend(s for s in c.sources if s not in sources)
    merged = replace(
        best,
        sources=sources,
        merged_from=sorted({s.file for s in sources}),
        byline=best.byline or next((c.byline for c in others if c.byline), None),
        dateline=best.dateline or next((c.dateline for c in others if c.dateline), None),
        notes=list(best.notes),
    )
    if merged.dateline and not best.dateline:
        donor = next(c for c in others if c.dateline == merged.dateline)
        merged.notes.append(f"电头“{merged.dateline}”取自{donor.sources[0].file}的版本")
    for c, ratio in zip(others, similarities, strict=True):
        src = c.sources[0]
        merged.notes.append(
            f"与{src.file}第{src.first_line}–{src.last_line}行的另一版本合并"
            f"（相似度{ratio:.0%}，采用{best.sources[0].file}的文本：更完整、修正更少）"
        )
        if c.continued_from and not best.continued_from:
            merged.notes.append(f"另一版本标注“上接{c.continued_from}”（转版部分）")
    return merged


# --- pass 3: continuations ---------------------------------------------------------


def join_continuations(articles: list[Article], report: MergeReport) -> list[Article]:
    """Join ``下转`` parts to their ``上接`` parts on another page of the same issue."""
    starts = [a for a in articles if a.continued_to and not a.continued_from]
    tails = [a for a in articles if a.continued_from]
    consumed: set[int] = set()
    for head in starts:
        for tail in tails:
            if id(tail) in consumed or tail is head:
                continue
            if tail.sources[0].file == head.sources[0].file:
                continue
            if head.meta.paper and tail.meta.paper and head.meta.paper != tail.meta.paper:
                continue
            if head.meta.date and tail.meta.date and head.meta.date != tail.meta.date:
                continue
            if tail.meta.page and not same_page(head.continued_to, tail.meta.page):
                continue
            ht, tt = _norm_title(head.title), _norm_title(tail.title)
            if not tt or not (tt == ht or (len(tt) >= 4 and tt in ht)):
                continue
            _append(head, tail)
            consumed.add(id(tail))
            report.continuations_joined += 1
            break
    return [a for a in articles if id(a) not in consumed]


_NUMERALS = {c: i for i, c in enumerate("〇一二三四五六七八九", start=0)}
_SECTION_PAGE_RE = re.compile(r"^([A-Za-z])0*(\d+)$")


def same_page(marker: str | None, label: str | None) -> bool:
    """Whether a jump marker's page (第三版, A03) names a page labelled ``label``.

    An evening paper's A03 is its third page: a marker without the section
    letter (下转第三版) names it too; two different letters never match.
    """
    a, b = page_number(marker), page_number(label)
    if a == b:
        return True
    ma, mb = _SECTION_PAGE_RE.match(a), _SECTION_PAGE_RE.match(b)
    if ma and mb:
        return ma.group(1).upper() == mb.group(1).upper() and ma.group(2) == mb.group(2)
    if ma or mb:
        return (ma or mb).group(2) == (b if ma else a)
    return False


def page_number(label: str | None) -> str:
    """'第三版' / '3' / 'A3' → a comparable page label ('3', '3', 'A3')."""
    text = (label or "").strip().removeprefix("第").removesuffix("版").strip()
    if text and all(c in _NUMERALS or c == "十" for c in text):
        if "十" in text:
            tens, _, ones = text.partition("十")
            tens_value = _NUMERALS.get(tens, 1) if tens else 1
            return str(tens_value * 10 + (_NUMERALS.get(ones, 0) if ones else 0))
        return str(int("".join(str(_NUMERALS[c]) for c in text)))
    return text.lstrip("0") or text


def _append(head: Article, tail: Article) -> None:
    last = head.paragraphs[-1] if head.paragraphs else ""
    offset = len(head.paragraphs)
    if last and not TERMINAL_RE.search(last) and tail.paragraphs:
        head.paragraphs[-1] = last + tail.paragraphs[0]
        head.paragraphs.extend(tail.paragraphs[1:])
        offset -= 1
    else:
        head.paragraphs.extend(tail.paragraphs)
    head.section_heads.extend(offset + i for i in tail.section_heads)
    head.notes.append(
        f"“下转{head.continued_to}”的后文见{tail.sources[0].file}（“上接{tail.continued_from}”），已接续"
    )
    head.sources = head.sources + tail.sources
    head.corrections = head.corrections + tail.corrections
    head.byline = head.byline or tail.byline
    head.continued_to = tail.continued_to
    head.missing_end = tail.missing_end


def stable_id(article: Article, taken: set[str]) -> str:
    """An ID from date and content: ``YYYYMMDD-<hash of title>``.

    The hash covers the normalised title; if another article already holds
    the ID (same date, same title), the hash of the body's start is added.
    """
    day = (article.date or "").replace("-", "")
    day = day.ljust(8, "0") if day else "nd"
    title_hash = hashlib.sha1(_norm_title(article.title).encode()).hexdigest()[:8]
    candidate = f"{day}-{title_hash}"
    if candidate in taken:
        body_hash = hashlib.sha1(han_text(article)[:400].encode()).hexdigest()[:4]
        candidate = f"{candidate}-{body_hash}"
    return candidate
