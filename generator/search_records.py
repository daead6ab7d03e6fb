"""The served search's records, built from the exported articles.

Every edition's ``data/corpus.jsonl`` (``export.record`` of each article; the
Traditional edition's converted by ``hant``) holds what a record needs, so the
records are made from it, not from the rendered pages. One record per
article: its headline (``title``), and as ``text`` what the article page shows
a reader, in the page's order: kicker, subtitle, dateline, body, byline, then
the metadata block (paper, date, page and section, reporters, photographers,
cities, tags, topics, kind). ``date`` and ``paper`` are shown with each result.

Only articles are searched: index pages (tags, cities, dates, papers,
topics), reporter and day pages, raw source pages and the home and about
pages are not. Their names are in the records of the articles they list, so
a search for a tag or a city finds those articles.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .render import KINDS, date_label

CORPUS = "data/corpus.jsonl"  # in each edition's docs folder
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_SPACE = re.compile(r"\s+")


@dataclass
class Record:
    url: str  # site-relative page: articles/2023/01/<id>.html
    title: str
    text: str
    date: str = ""  # as the page shows it: 2023年1月
    paper: str = ""


def skipped(rel: str) -> bool:
    """Whether docs page ``rel`` is left out of the served search (all but articles)."""
    return not rel.startswith("articles/")


def record(article: dict, label: Callable[[str], str] = str) -> Record:
    """The record of one article of the export (``export.record``).

    ``label``: the edition's form of the page's own words (the kind, 日期不详);
    the article's fields are already in the edition's script.
    """
    a = article
    date = date_label(a.get("date")) if a.get("date") else label(date_label(None))
    page = " ".join(filter(None, (a.get("page"), a.get("section") if a.get("page") else None)))
    photographers = a.get("photographers") or []
    meta = [
        a.get("paper"),
        date,
        page,
        *a.get("reporters", []),
        "、".join(photographers) if photographers != a.get("reporters") else "",
        *a.get("cities", []),
        *a.get("tags", []),
        *a.get("topics", []),
        label(KINDS.get(a["kind"], a["kind"])),
    ]
    parts = [a.get("kicker"), a.get("subtitle"), a.get("dateline"), a.get("text"), a.get("byline")]
    text = " ".join(" ".join(p.split()) for p in (*parts, *meta) if p)
    return Record(a["url"], a["title"], text, date=date, paper=a.get("paper") or "")


def read_corpus(docs: Path) -> Iterator[dict]:
    """The article records of an edition's docs folder."""
    with (docs / CORPUS).open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def records(docs: Path, opencc: str | None = None) -> list[Record]:
    """The search records of one edition (``docs/`` or ``docs-hant/``).

    ``opencc``: the OpenCC setting of a Traditional edition (its page labels
    are converted with it, as its pages are).
    """
    label: Callable[[str], str] = str
    if opencc:
        from .hant import convert_text

        converted: dict[str, str] = {}

        def label(text: str) -> str:
            if text not in converted:
                converted[text] = convert_text(text, opencc)
            return converted[text]

    return [record(a, label) for a in read_corpus(docs)]


# --- the bigram encoding (mirrored in pagefind-search.js) ---------------------------
#
# Why bigrams: Pagefind 1.5 segments Chinese with jieba-rs when indexing but
# cuts the query with ``Intl.Segmenter`` in the browser, and the two disagree
# (珲春 found 6 of the 44 pages that contain it). Both sides cut character
# bigrams instead, and the query is searched as an exact phrase: substring
# matching. Nothing is segmented anywhere: the language is ``und``.


def encode(text: str) -> str:
    """Han runs → overlapping bigrams plus the run's last character; the rest as is.

    >>> encode("珲春综合，2023年")
    '珲春 春综 综合 合 ，2023 年'
    >>> decode(encode("标签 吉林 创新，2023年GDP增长5.2%"))
    '标签 吉林 创新，2023年GDP增长5.2%'
    """
    out: list[str] = []
    pos = 0
    for m in HAN.finditer(text):
        out.append(text[pos : m.start()])
        run = m.group()
        tokens = [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]
        out.append(" " + " ".join(tokens) + " ")
        pos = m.end()
    out.append(text[pos:])
    return _SPACE.sub(" ", "".join(out)).strip()


_HAN_RUNS = re.compile(f"({HAN.pattern})")


def tokens(text: str) -> list[str]:
    """``encode(text).split()``, made directly (and without zero-width spaces,
    which Pagefind drops)."""
    out: list[str] = []
    for i, part in enumerate(_HAN_RUNS.split(text.replace("\u200b", ""))):
        if i % 2:
            out.extend([part[j : j + 2] for j in range(len(part) - 1)])
            out.append(part[-1])
        elif part:
            out.extend(part.split())
    return out


def query_string(term: str) -> str:
    """The Pagefind query for one query term (no spaces); ``pagefind-search.js`` does the same.

    Inside the term a Han run followed by more of the term is encoded as in
    ``encode`` (the page's run ends there too); the last run gives only its
    bigrams (the page's run may go on). Several tokens are searched as one
    exact phrase, except when the term ends in a single Han character: that
    character must match by prefix (年 in 2023年形成 is indexed as 年形), which
    phrases cannot do, so the tokens are then searched together, unordered.

    >>> query_string("珲春"), query_string("乡村振兴"), query_string("春")
    ('珲春', '"乡村 村振 振兴"', '春')
    >>> query_string("然后2023"), query_string("2023年")
    ('"然后 后 2023"', '2023 年')
    """
    pieces: list[tuple[bool, str]] = []
    pos = 0
    for m in HAN.finditer(term):
        pieces.extend((False, w) for w in term[pos : m.start()].split())
        pieces.append((True, m.group()))
        pos = m.end()
    pieces.extend((False, w) for w in term[pos:].split())
    tokens: list[str] = []
    for i, (is_han, text) in enumerate(pieces):
        if not is_han:
            tokens.append(text)
        elif len(text) == 1:
            tokens.append(text)
        else:
            tokens.extend(text[j : j + 2] for j in range(len(text) - 1))
            if i < len(pieces) - 1:
                tokens.append(text[-1])
    if len(tokens) <= 1:
        return "".join(tokens)
    if pieces[-1][0] and len(pieces[-1][1]) == 1:
        return " ".join(tokens)
    return '"' + " ".join(tokens) + '"'


def decode(encoded: str) -> str:
    """The text back from ``encode`` (spaces between Han and other text may be lost)."""
    out: list[str] = []
    prev = ""  # "han" inside a run, "end" after a run's last character, "other"
    for token in encoded.split(" "):
        if not token:
            continue
        if HAN.fullmatch(token):
            if prev == "end":
                out.append(" ")  # two runs with only a space between them
            out.append(token[0])  # a bigram gives its first character
            prev = "end" if len(token) == 1 else "han"  # a single character ends the run
        else:
            if prev == "other":
                out.append(" ")
            out.append(token)
            prev = "other"
    return "".join(out)
