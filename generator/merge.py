"""Merge stage: one article per story, with every source recorded.

Pure functions, in three passes:

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
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from itertools import chain

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

    tails_joined: int = 0
    duplicates_merged: int = 0
    continuations_joined: int = 0


def merge(articles: list[Article], memo: Memo | None = None) -> tuple[list[Article], MergeReport]:
    """Run the three merge passes; returns distinct articles and counts.

    ``memo`` remembers which join points fall inside a word (jieba is slow to load).
    """
    report = MergeReport()
    articles = join_displaced_tails(articles, report, memo)
    articles = merge_duplicates(articles, report)
    articles = join_continuations(articles, report)
    return articles, report


def han_text(article: Article) -> str:
    """Only the Han characters of title and body: what copies share."""
    return _NOT_HAN_RE.sub("", article.text)


def _norm_title(title: str) -> str:
    return "".join(ch for ch in title if ch.isalnum())


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


def quality(article: Article, longest: int) -> tuple:
    """Sort key: the better copy first.

    Complete before incomplete; then any copy within 5% of the longest
    counts as complete in length, and fewer repairs per 1,000 characters
    decide; then file order, so the choice is deterministic.
    """
    chars = max(1, han_count(article.text))
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


def _anchor_class() -> str:
    """A fixed, pseudo-random eighth of the Han characters, as a regex class."""
    chars = [
        chr(cp)
        for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))
        for cp in range(lo, hi + 1)
        if ((cp * 2654435761) & 0xFFFFFFFF) >> 29 == 0
    ]
    return "[" + "".join(chars) + "]"


# The shingles that start with an anchor character: a sample of about one in
# eight that is the same in every copy of a text (it depends on the shingle
# alone), so shared samples estimate shared shingles at regex speed.
_SAMPLE_RE = re.compile(f"(?=({_anchor_class()}.{{{SHINGLE - 1}}}))")
SAMPLE_ALL_BELOW = 64  # shorter texts (in shingles) keep every shingle as a sample
CANDIDATE_SHARE = 0.15  # shared samples, as a share of the smaller copy's, worth a check


def samples(han: str) -> frozenset[str]:
    """The sampled shingles of a text (every shingle when the text is short)."""
    if len(han) - SHINGLE + 1 < SAMPLE_ALL_BELOW:
        return frozenset(_shingles(han))
    return frozenset(_SAMPLE_RE.findall(han))


def merge_duplicates(articles: list[Article], report: MergeReport) -> list[Article]:
    """Group copies of one article across extractions; keep the best text.

    Candidate pairs share sampled shingles that few articles have (at most
    ``MAX_POSTINGS``); each candidate is then checked on all its shingles.
    """
    hans = [han_text(a) for a in articles]
    sampled = [samples(h) for h in hans]
    counts = Counter(chain.from_iterable(sampled))
    rare = {s for s, c in counts.items() if 1 < c <= MAX_POSTINGS}
    del counts
    rare_samples = [sh & rare for sh in sampled]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, sh in enumerate(rare_samples):
        for s in sh:
            postings[s].append(i)
    full: dict[int, set[str]] = {}

    def shingles_of(i: int) -> set[str]:
        if i not in full:
            full[i] = _shingles(hans[i])
        return full[i]

    parent = list(range(len(articles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    titles = [
        None if a.title_inferred or a.kind == "photo" else _norm_title(a.title) for a in articles
    ]
    photo = [a.kind == "photo" for a in articles]
    # A pair of long texts needs CANDIDATE_SHARE of the smaller sample shared;
    # a short text is only sampled where it meets a long one: one shared will do.
    long = [len(h) - SHINGLE + 1 >= SAMPLE_ALL_BELOW for h in hans]
    wanted = [
        CANDIDATE_SHARE * len(sh) if lg else 0.0 for sh, lg in zip(sampled, long, strict=True)
    ]
    for i, sh in enumerate(rare_samples):
        if not sh or photo[i] or len(hans[i]) < SHINGLE + 7:
            continue
        shared: Counter[int] = Counter()
        for s in sh:
            found = postings[s]  # ascending: only the articles after i
            shared.update(found[bisect_right(found, i) :])
        want_i = wanted[i]
        for j, count in shared.items():
            if (want_i and long[j] and count < min(want_i, wanted[j])) or photo[j]:
                continue
            si, sj = shingles_of(i), shingles_of(j)
            n_i, n_j = len(si), len(sj)
            smaller = min(n_i, n_j)
            common = len(si & sj) if smaller >= 8 else 0
            if smaller < 8 or common < SAME_TITLE_CONTAINMENT * smaller:
                continue  # cannot be a duplicate: skip the title comparison
            if _is_duplicate(articles[i], articles[j], common, n_i, n_j, titles[i], titles[j]):
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(articles)):
        groups[find(i)].append(i)
    out: list[Article] = []
    for members in groups.values():
        if len(members) == 1:
            out.append(articles[members[0]])
            continue
        longest = max(han_count(articles[i].text) for i in members)
        copies = sorted((articles[i] for i in members), key=lambda a: quality(a, longest))
        out.append(_combine(copies))
        report.duplicates_merged += len(copies) - 1
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


def _combine(copies: list[Article]) -> Article:
    """Publish the best copy; list every copy's sources and evidence."""
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
    for c in others:
        src = c.sources[0]
        ratio = _similarity(best, c)
        merged.notes.append(
            f"与{src.file}第{src.first_line}–{src.last_line}行的另一版本合并"
            f"（相似度{ratio:.0%}，采用{best.sources[0].file}的文本：更完整、修正更少）"
        )
        if c.continued_from and not best.continued_from:
            merged.notes.append(f"另一版本标注“上接{c.continued_from}”（转版部分）")
    return merged


def _similarity(a: Article, b: Article) -> float:
    sa, sb = _shingles(han_text(a)), _shingles(han_text(b))
    return len(sa & sb) / max(1, min(len(sa), len(sb)))


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
            if tail.meta.page and page_number(head.continued_to) != page_number(tail.meta.page):
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
