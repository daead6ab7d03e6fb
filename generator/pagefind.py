"""Served search: a Pagefind index of each edition, with Chinese queries that match.

Why not Pagefind's own Chinese handling: Pagefind 1.5 segments the indexed
text with jieba-rs, but splits the *query* in the browser with
``Intl.Segmenter``, and the two disagree (measured on the bundled corpus:
珲春 found 6 of the 44 pages that contain it, because ICU cuts 珲春 where
jieba does not). No browser-side segmenter agrees with jieba and its
newsroom dictionary, so we index something both sides compute the same way:

* **character bigrams.** Every run of Han characters is indexed as its
  overlapping bigrams plus its last character (珲春综合 → ``珲春 春综 综合 合``).
  ``pagefind-search.js`` turns a query into bigrams with the same rule and
  searches them as an exact phrase (contiguous positions), which gives
  substring matching: every page containing 珲春 is found, whatever a
  segmenter would have made of it. Single characters match by prefix.
* **one index per edition**, ``site/pagefind/`` and ``site/zh-Hant/pagefind/``,
  written with the language code ``und`` so that neither the indexer nor the
  browser segments anything (the search script also asks for ``und``).

The records are built from the generated Markdown (not from the HTML MkDocs
writes): for article pages the
headline, the metadata block (paper, date, reporters, places, tags) and the
body; for index pages (tags, cities, years, months, papers, topics) the
heading and first paragraph. Raw source pages (their text is the
articles'), reporter pages and single days (their names and dates are in
every article's record) are left out: fewer records, a faster index.
**Who writes the index.** By default (``pagefind_writer: archive``) the
generator writes the bundle itself (``write_bundle``, below): the words of a
bigram index are known before Pagefind sees them, and one Pagefind 1.5 run
over the 10,000-article benchmark's records takes about 60 s and 6.4 GB,
linear in the token occurrences. ``learn`` runs the Pagefind CLI once, on a
few probe pages of the tokens that are not plain Han (digits, Latin,
punctuation, compatibility forms), and reads back what Pagefind makes of
them; that run also gives the runtime files (pagefind.js, the WASM). The
result is the index Pagefind would write (``tests/test_scale.py`` compares
every word, page and position on both editions and on tricky tokens). A
Pagefind whose bundle format is not the one known here (``FORMAT``) indexes
by itself: ``pagefind_writer: pagefind``.

**Memory when Pagefind indexes.** One Pagefind run holds every page's words
before it writes anything, so the CLI path cuts the tokens by their first
character into parts of similar size (``split_points``), runs Pagefind once
per part on stand-in pages that hold that part's tokens and a placeholder
(``.``, not a word, still a position) for every other token, and
``merge_parts`` lists the parts' chunks one after the other in one bundle
(the vocabularies are disjoint, sorted ranges; checked) and writes the
metadata file and one fragment per page itself. The part count follows from
``pagefind_memory_mb`` and the memory model next to ``PART_MB``: measured at
10,112 records, 4 parts of 1.9-2.1 GB and about 160 s. A query loads the
same files either way: Pagefind's library, the metadata, one chunk per
bigram and the fragments of the results shown.

The fragments (``write_fragments``) hold what a single run would have
stored: the headline and text as bigrams (the result excerpt is decoded from
them in the browser; ``decode`` here is the reference for that code) and the
display fields (title, date, paper, kind) as Pagefind metadata. The stand-in pages
give Pagefind no metadata (only a placeholder title): Pagefind 1.5 indexes
metadata values as words, and a headline is one long word in every part.
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import html
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from array import array
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

BUNDLE = "pagefind"  # folder of the index inside each edition
LANGUAGE = "und"  # no segmentation anywhere: we index bigrams ourselves
# Files of the Pagefind bundle the search script uses; the rest (stock UIs) is removed.
KEEP = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
KEEP_SUFFIXES = (".pf_meta", ".pagefind")
KEEP_DIRS = ("index", "fragment", "filter")

FULL_TEXT = ("articles/",)
# Raw source pages repeat the articles' text; reporters and single days are
# reached from the articles (their names and dates are in every record).
SKIP = ("sources/", "assets/", "data/", "reporters/")
# Day pages, and the later pages of a long list (``cities/changchun/2.md``):
# the list's first page stands for it in search (they say ``search: exclude``).
SKIP_RE = re.compile(
    r"^dates/\d{4}-\d{2}-\d{2}\.md$|^(?:tags|cities|dates|topics|papers)/.+/\d+\.md$"
)
INDEX_PAGES = ("tags/", "cities/", "dates/", "papers/", "topics/", "index.md")
INTRO_CHARS = 200
# Memory of one Pagefind run (measured, Pagefind 1.5.2): ≈ 53 KB per record plus
# ≈ 420 bytes per Han character of the part's share of the tokens (10,112
# records, 13.9 million Han characters: 6.4 GB in one run, 1.9-2.1 GB per run
# with 4 parts). Parts are added until a run is expected to stay under PART_MB.
PART_MB = 3000
RECORD_MB = 0.053
HAN_CHAR_MB = 420e-6
MAX_PARTS = 16

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_META_BLOCK = re.compile(r'<div class="archive-meta"[^>]*>(.*?)</div>', re.S)
_META_DROP = re.compile(r'<dt>.*?</dt>|<span class="archive-note">.*?</span>', re.S)
_BODY = re.compile(r'<div class="archive-body"[^>]*>(.*?)</div>', re.S)
_CLASS_P = r'<p class="{}"[^>]*>(.*?)</p>'
_LINK_TO = r'<a [^>]*href="[^"]*{}/[^"]*"[^>]*>(.*?)</a>'
_DROP = [
    re.compile(p, re.S)
    for p in (
        r"<details.*?</details>",
        r'<div class="archive-cite".*?</div>',
        r"<nav.*?</nav>",
        r"<script.*?</script>",
        r"<style.*?</style>",
        r"<svg.*?</svg>",
    )
]


class PagefindError(RuntimeError):
    """Pagefind is missing or failed."""


def available() -> bool:
    """Whether the Pagefind binary (pip ``pagefind[extended]``) can run here."""
    try:
        from pagefind.service import get_executable  # type: ignore[import-not-found]
    except ImportError:
        return False
    try:
        return get_executable() is not None
    except Exception:  # noqa: BLE001 - any failure to locate it means "not available"
        return False


# --- the bigram encoding (mirrored in pagefind-search.js) ---------------------------


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


# --- records from the generated Markdown ---------------------------------------------


@dataclass
class Record:
    url: str  # site-relative, as in the page's links: articles/2023/01/<id>.html
    title: str
    text: str
    date: str = ""
    paper: str = ""
    kind: str = ""  # "article" or "page"


_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_FRONT_TITLE = re.compile(r"^title: *(.*?) *$", re.M)
_HEADING = re.compile(r"^# (.+)$", re.M)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_ESCAPE = re.compile(r"\\(.)")


def _text(fragment: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()


def _md_text(markdown: str) -> str:
    """Plain text of a bit of generated Markdown (links, bold, escapes, tags removed)."""
    text = _MD_LINK.sub(r"\1", markdown).replace("**", "")
    return _text(_MD_ESCAPE.sub(r"\1", text))


def _first(pattern: str | re.Pattern[str], source: str) -> str:
    m = re.search(pattern, source, re.S) if isinstance(pattern, str) else pattern.search(source)
    return _text(m.group(1)) if m else ""


def _title(front: str, body: str) -> str:
    m = _FRONT_TITLE.search(front)
    if m and m.group(1):
        raw = m.group(1)
        if raw.startswith('"'):
            try:
                raw = json.loads(raw)
            except ValueError:
                raw = raw.strip('"')
        return html.unescape(raw)
    heading = _HEADING.search(body)
    return _md_text(heading.group(1)) if heading else ""


def record_for(rel: str, markdown: str) -> Record | None:
    """The search record of one generated page (``rel``: its path in the docs folder)."""
    front_match = _FRONT.match(markdown)
    front = front_match.group(1) if front_match else ""
    content = markdown[front_match.end() :] if front_match else markdown
    for pattern in _DROP:
        content = pattern.sub(" ", content)
    url = rel[: -len(".md")] + ".html"
    title = _title(front, content)
    if rel.startswith(FULL_TEXT) and _BODY.search(content):
        meta_html = _META_BLOCK.search(content)
        meta = _text(_META_DROP.sub(" ", meta_html.group(1))) if meta_html else ""
        head = " ".join(
            filter(
                None,
                (
                    _first(_CLASS_P.format("archive-kicker"), content),
                    _first(_CLASS_P.format("archive-subtitle"), content),
                ),
            )
        )
        return Record(
            url,
            title,
            " ".join(filter(None, (head, _first(_BODY, content), meta))),
            date=_first(_LINK_TO.format("dates"), content),
            paper=_first(_LINK_TO.format("papers"), content),
            kind="article",
        )
    heading = _HEADING.search(content)
    after = content[heading.end() :] if heading else content
    if rel.startswith(INDEX_PAGES):
        intro = next(
            (
                block
                for block in re.split(r"\n\s*\n", after)
                if block.strip() and not block.lstrip().startswith(("#", "-", "<", "|", "{"))
            ),
            "",
        )
        return Record(url, title, _md_text(intro)[:INTRO_CHARS], kind="page")
    return Record(url, title, _md_text(re.sub(r"^#+ ", "", after, flags=re.M)), kind="page")


def skipped(rel: str) -> bool:
    """Whether docs page ``rel`` is left out of the served search."""
    return rel.startswith(SKIP) or SKIP_RE.match(rel) is not None


def records(docs: Path) -> list[Record]:
    """Records of every indexed page of a generated docs folder (``docs/``, ``docs-hant/``).

    Built from the Markdown, not the HTML: what a record holds is decided here,
    not by the theme.
    """
    found: list[Record] = []
    for path in sorted(docs.rglob("*.md")):
        rel = path.relative_to(docs).as_posix()
        if skipped(rel):
            continue
        rec = record_for(rel, path.read_text(encoding="utf-8"))
        if rec:
            found.append(rec)
    return found


# --- the stand-in pages, one set per part of the vocabulary -----------------------

PLACEHOLDER = "."  # keeps a token's position in the parts that do not index it
# Pagefind leaves out pages without a word: every stand-in page ends with this
# word, which the merge removes (fullwidth: no page token or NFKC query has it)
SENTINEL = "ｐａｇｅｆｉｎｄ"
NO_WORD = -1  # part of a token Pagefind makes no word of (punctuation)


_HAN_RUNS = re.compile(f"({HAN.pattern})")


def _tokens(text: str) -> list[str]:
    """``encode(text).split()``, made directly."""
    out: list[str] = []
    for i, part in enumerate(_HAN_RUNS.split(text)):
        if i % 2:
            out.extend([part[j : j + 2] for j in range(len(part) - 1)])
            out.append(part[-1])
        elif part:
            out.extend(part.split())
    return out


def part_html(title: list[str], body: list[str], kind: str) -> str:
    """The stand-in page Pagefind indexes: one part's tokens, the others as placeholders.

    Display fields are not here (``write_fragments`` writes them); the title
    meta is a placeholder so that Pagefind does not index the headline as a
    meta field (one long word in every part).
    """
    weight = "4" if kind == "article" else "6"
    return (
        f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8"></head>'
        f'<body><main data-pagefind-body><span data-pagefind-meta="title:{PLACEHOLDER}"></span>'
        # the trailing "。" keeps Pagefind's heading separator off the last token
        f'<h1 data-pagefind-weight="{weight}">{html.escape(" ".join(title))} 。</h1>'
        f"<p>{html.escape(' '.join(body))} {SENTINEL}</p></main></body></html>"
    )


def word_key(token: str) -> str:
    """First character of the word Pagefind makes of ``token`` ('' if it makes none).

    Pagefind keeps alphanumeric characters, lowercased, without diacritics.
    Only the balance of the parts depends on this being exact: the merge
    checks that the parts' vocabularies do not overlap.
    """
    for ch in unicodedata.normalize("NFD", token):
        if ch.isalnum():
            return ch.lower()[:1]
    return ""


def split_points(recs: list[Record], parts: int) -> list[str]:
    """``parts - 1`` Han characters that cut the vocabulary into parts of similar size.

    Every Han character starts exactly one token (a bigram or a run's last
    character), so the character counts are the token counts by first character.
    """
    if parts <= 1:
        return []
    counts: Counter[str] = Counter()
    for rec in recs:
        counts.update(rec.title)
        counts.update(rec.text)
    han = sorted((ch, n) for ch, n in counts.items() if HAN.fullmatch(ch))
    total = sum(n for _, n in han)
    points: list[str] = []
    seen = 0
    for ch, n in han:
        if seen >= total * (len(points) + 1) / parts and len(points) < parts - 1:
            points.append(ch)
        seen += n
    return points


def part_count(records: int, chars: int, part_mb: float = PART_MB) -> int:
    """How many Pagefind runs keep each one under ``part_mb`` (at most ``MAX_PARTS``)."""
    room = part_mb - RECORD_MB * records
    if room <= 0:
        return MAX_PARTS
    return max(1, min(MAX_PARTS, math.ceil(HAN_CHAR_MB * chars / room)))


def han_chars(recs: list[Record]) -> int:
    return sum(len(m) for rec in recs for m in HAN.findall(rec.title + rec.text))


def written(token: str) -> str:
    """A token as the stand-in pages hold it: Han as is, the rest in NFKC (as queries are)."""
    return token if HAN.fullmatch(token) else unicodedata.normalize("NFKC", token)


def write_parts(recs: list[Record], points: list[str], folders: list[Path]) -> None:
    """Each record's stand-in page into every part's folder (one encoding per record).

    Tokens other than Han are written in NFKC (the query is NFKC too): Pagefind
    would index "（2023" as 2023 and also as a word "（2023" that sorts after
    every Han character, in the part that holds the digits.
    """
    cache: dict[str, tuple[str, int]] = {}

    def part_of(token: str) -> tuple[str, int]:
        found = cache.get(token)
        if found is None:
            text = written(token)
            key = word_key(text)
            found = (text, bisect.bisect_right(points, key) if key else NO_WORD)
            cache[token] = found
        return found

    for rec in recs:
        title = [part_of(t) for t in _tokens(rec.title)]
        body = [part_of(t) for t in _tokens(rec.text)]
        for k, folder in enumerate(folders):
            keep = (k, NO_WORD) if k == 0 else (k,)
            t = [tok if p in keep else PLACEHOLDER for tok, p in title]
            b = [tok if p in keep else PLACEHOLDER for tok, p in body]
            target = folder / rec.url
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(part_html(t, b, rec.kind), encoding="utf-8")


# --- running Pagefind ---------------------------------------------------------------


def index_edition(
    docs: Path,
    out: Path,
    workdir: Path | None = None,
    parts: int | None = None,
    part_mb: float = PART_MB,
) -> int:
    """Write the Pagefind bundle of one edition into ``out``; returns the record count.

    ``docs`` is the edition's generated Markdown (``docs/`` or ``docs-hant/``);
    ``out`` becomes that edition's ``pagefind/`` folder. By default the index
    is written here (``write_bundle``, after one small Pagefind run that
    ``learn`` reads). ``parts``: have Pagefind index the records itself
    instead, in that many runs (0: as many as keep a run under ``part_mb``);
    that is the reference the tests compare with, and the way for a Pagefind
    version whose format ``write_bundle`` does not know.
    """
    if not available():
        raise PagefindError(
            "Pagefind is not installed: pip install 'pagefind[extended]>=1.5,<1.6' "
            "(or set extra.archive.search: material)"
        )
    recs = records(docs)
    tmp = Path(tempfile.mkdtemp(prefix=".pagefind-src-", dir=workdir or out.parent))
    try:
        if parts is None:
            try:
                write_bundle(recs, out, tmp)
                return len(recs)
            except UnknownFormat as err:
                print(f"pagefind: {err}; Pagefind indexes the records itself", file=sys.stderr)
                parts = 0
        if not parts:
            parts = part_count(len(recs), han_chars(recs), part_mb)
        try:
            bundles = build_parts(recs, parts, tmp)
            merge_parts(bundles, recs, out)
        except PartsOverlap as err:
            # cannot happen with Han text; if it does, one run indexes everything
            print(f"pagefind: {err}; indexing in one run", file=sys.stderr)
            bundles = build_parts(recs, 1, tmp)
            merge_parts(bundles, recs, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return len(recs)


def build_parts(recs: list[Record], parts: int, tmp: Path) -> list[Path]:
    """One Pagefind bundle per part of the vocabulary, built one after the other."""
    points = split_points(recs, parts)
    sources = [tmp / f"src-{k}" for k in range(len(points) + 1)]
    bundles = [tmp / f"out-{k}" for k in range(len(points) + 1)]
    for folder in sources + bundles:
        shutil.rmtree(folder, ignore_errors=True)
    write_parts(recs, points, sources)
    for source, bundle in zip(sources, bundles, strict=True):
        run_cli(source, bundle)
        shutil.rmtree(source)
    return bundles


def run_cli(site: Path, output: Path) -> None:
    """``python -m pagefind --site SITE --output-path OUTPUT`` (quiet), checked."""
    cmd = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site),
        "--output-path",
        str(output),
        "--keep-index-url",
        "--silent",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not (output / "pagefind-entry.json").is_file():
        raise PagefindError(
            f"pagefind failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()[-2000:]}"
        )
    wasm = list(output.glob("wasm.*.pagefind"))
    if not wasm or any(w.stat().st_size == 0 for w in wasm):
        raise PagefindError(f"pagefind wrote no usable WASM file into {output}")


# --- merging the parts into one bundle ---------------------------------------------
#
# Pagefind 1.5's bundle: pagefind-entry.json names the metadata file
# (pagefind.<hash>.pf_meta: version, pages as [fragment hash, word count],
# index chunks as [first word, last word, file hash], filters, sorts, meta
# fields), index/<hash>.pf_index holds the words of one chunk, sorted, and
# fragment/<hash>.pf_fragment one page's display data (JSON). Files are gzipped
# and start with the signature "pagefind_dcd". Every part indexes the same
# pages in the same order (same word counts), each a disjoint range of the
# vocabulary, so the merged bundle lists the parts' chunks one after the
# other: a word is looked up in exactly the chunk that a single run would
# have put it in, with the same postings.

SIGNATURE = b"pagefind_dcd"


class PartsOverlap(PagefindError):
    """Two parts' vocabularies overlap: their chunks cannot be listed together."""


def _unpack(data: bytes) -> bytes:
    data = gzip.decompress(data)
    if not data.startswith(SIGNATURE):
        raise PagefindError("unexpected Pagefind file (no signature)")
    return data[len(SIGNATURE) :]


def _pack(data: bytes) -> bytes:
    return gzip.compress(SIGNATURE + data, compresslevel=6, mtime=0)


def cbor_decode(data: bytes, pos: int = 0) -> tuple[object, int]:
    """The subset of CBOR that Pagefind's metadata uses (ints, strings, arrays, maps)."""
    head = data[pos]
    major, info = head >> 5, head & 31
    pos += 1
    if info < 24:
        value = info
    elif info <= 27:
        size = 1 << (info - 24)
        value = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    else:
        raise PagefindError(f"unsupported CBOR item {head:#x}")
    if major == 0:
        return value, pos
    if major == 1:
        return -1 - value, pos
    if major == 2:
        return data[pos : pos + value], pos + value
    if major == 3:
        return data[pos : pos + value].decode("utf-8"), pos + value
    if major == 4:
        items = []
        for _ in range(value):
            item, pos = cbor_decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        mapping = {}
        for _ in range(value):
            key, pos = cbor_decode(data, pos)
            mapping[key], pos = cbor_decode(data, pos)
        return mapping, pos
    if major == 7 and info in (20, 21, 22):
        return {20: False, 21: True, 22: None}[info], pos
    raise PagefindError(f"unsupported CBOR item {head:#x}")


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise PagefindError("CBOR integer too large")


def cbor_encode(value: object) -> bytes:
    if value is None or isinstance(value, bool):
        return bytes([0xF6 if value is None else 0xF5 if value else 0xF4])
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(cbor_encode(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(
            cbor_encode(k) + cbor_encode(v) for k, v in value.items()
        )
    raise PagefindError(f"cannot encode {type(value).__name__}")


def _prefixes(a: str, b: str) -> tuple[str, str]:
    """Chunk bounds between two neighbouring chunks, as Pagefind computes them."""
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return a[: common + 1], b[: common + 1]


@dataclass
class _Part:
    bundle: Path
    entry: dict
    meta: list  # [version, pages, chunks, filters, sorts, meta fields]

    @classmethod
    def read(cls, bundle: Path) -> _Part:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        (lang, info), *more = entry["languages"].items()
        if lang != LANGUAGE or more:
            raise PagefindError(f"unexpected languages in {bundle}: {list(entry['languages'])}")
        raw = _unpack((bundle / f"pagefind.{info['hash']}.pf_meta").read_bytes())
        meta, end = cbor_decode(raw)
        if end != len(raw) or not isinstance(meta, list) or len(meta) != 6:
            raise PagefindError(f"unexpected Pagefind metadata in {bundle}")
        if meta[3] or meta[4]:
            raise PagefindError("the parts have filters or sorts: not supported by the merge")
        return cls(bundle, entry, meta)

    def urls(self) -> list[str]:
        return [
            json.loads(_unpack((self.bundle / "fragment" / f"{h}.pf_fragment").read_bytes()))["url"]
            for h, _ in self.meta[1]
        ]


def _chunk_words(part: _Part, name: str) -> list:
    words, _ = cbor_decode(_unpack((part.bundle / "index" / f"{name}.pf_index").read_bytes()))
    return words[0]  # WordIndex: [words], each [word, pages, variants]


def _part_chunks(part: _Part) -> tuple[list[list], str, str]:
    """The part's chunks without the sentinel word, and its first and last word.

    Each chunk is [from, to, source]: the chunk file, or the bytes of a chunk
    rewritten without the sentinel (it sorts after the Han characters, so it
    is in one of the last chunks: the last one whose ``from`` is not above it).
    """
    chunks = [[lo, hi, part.bundle / "index" / f"{name}.pf_index"] for lo, hi, name in part.meta[2]]
    at = max((i for i, c in enumerate(chunks) if c[0] <= SENTINEL), default=None)
    if at is None:
        raise PagefindError(f"no sentinel word in {part.bundle}")
    words = _chunk_words(part, part.meta[2][at][2])
    kept = [w for w in words if w[0] != SENTINEL]
    if len(kept) != len(words) - 1:
        raise PagefindError(f"no sentinel word in {part.bundle}")
    if kept:
        chunks[at][2] = _pack(cbor_encode([kept]))
        if at == 0:
            chunks[at][0] = kept[0][0]
        if at == len(chunks) - 1:
            chunks[at][1] = kept[-1][0]
    else:
        del chunks[at]
        if chunks and at == len(chunks):  # the last chunk went: its neighbour's bound is a prefix
            chunks[-1][1] = _chunk_words(part, part.meta[2][at - 1][2])[-1][0]
    if not chunks:
        return [], "", ""
    return chunks, chunks[0][0], chunks[-1][1]


def merge_parts(bundles: list[Path], recs: list[Record], out: Path) -> None:
    """One bundle in ``out`` from the parts' bundles, with the records' display fragments."""
    parts = [_Part.read(b) for b in bundles]
    first = parts[0]
    counts = [wc for _, wc in first.meta[1]]
    urls = first.urls()
    for part in parts[1:]:
        if part.meta[0] != first.meta[0] or part.meta[5] != first.meta[5]:
            raise PagefindError("the parts come from different Pagefind versions or fields")
        if [wc for _, wc in part.meta[1]] != counts or part.urls() != urls:
            raise PagefindError("the parts do not list the same pages in the same order")
    # the parts' chunks, one after the other: their vocabularies must not overlap
    chunks: list[list] = []
    previous = ""
    for k, part in enumerate(parts):
        own, lowest, highest = _part_chunks(part)
        if not own:
            continue
        if chunks:
            if not previous < lowest:
                raise PartsOverlap(f"part {k} starts at {lowest!r}, before {previous!r}")
            chunks[-1][1], own[0][0] = _prefixes(previous, lowest)
        previous = highest
        chunks.extend(own)

    names: set[str] = set()
    named = []
    for low, high, source in chunks:
        name = source.name.removesuffix(".pf_index") if isinstance(source, Path) else ""
        if not name or name in names:
            data = source if isinstance(source, bytes) else source.read_bytes()
            name = _unique(f"{LANGUAGE}_{hashlib.sha256(data).hexdigest()}", names)
        names.add(name)
        named.append((low, high, name, source))

    by_url = {"/" + rec.url: rec for rec in recs}
    counts = [n - 1 for n in counts]  # without the sentinel
    head = (first.entry, first.meta[0], first.meta[5])
    _assemble(out, first.bundle, head, named, [by_url[u] for u in urls], counts)


def _assemble(
    out: Path,
    runtime: Path,
    head: tuple[dict, str, list],
    chunks: list[tuple[str, str, str, bytes | Path]],
    recs: list[Record],
    counts: list[int],
    tokens: list[tuple[str, str]] | None = None,
) -> None:
    """The bundle in ``out``: the runtime files of the bundle ``runtime``, the
    word chunks as (first word, last word, name, packed bytes or a chunk file), the pages'
    fragments (``write_fragments``) and the metadata; ``head`` is the entry
    file's content, the index version and the metadata fields."""
    entry, version, fields = head
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(runtime, out, ignore=shutil.ignore_patterns("index", "fragment", "*.pf_meta"))
    (out / "index").mkdir()
    for _, _, name, data in chunks:
        target = out / "index" / f"{name}.pf_index"
        if isinstance(data, Path):
            shutil.copyfile(data, target)
        else:
            target.write_bytes(data)
    pages = write_fragments(recs, counts, out / "fragment", tokens)
    listed = [[low, high, name] for low, high, name, _ in chunks]
    write_meta(out, entry, [version, pages, listed, [], [], fields])
    prune_bundle(out)


def write_meta(out: Path, entry: dict, meta: list) -> None:
    """The bundle's metadata file and the entry file that names it."""
    raw = _pack(cbor_encode(meta))
    digest = f"{LANGUAGE}_{hashlib.sha256(raw).hexdigest()[:11]}"
    (out / f"pagefind.{digest}.pf_meta").write_bytes(raw)
    entry = json.loads(json.dumps(entry))
    entry["languages"][LANGUAGE].update(hash=digest, page_count=len(meta[1]))
    (out / "pagefind-entry.json").write_text(
        json.dumps(entry, ensure_ascii=False), encoding="utf-8"
    )


def _unique(full: str, used: set[str], size: int = len(LANGUAGE) + 8) -> str:
    """The shortest prefix of ``full`` (from ``size`` characters) not in ``used``."""
    while full[:size] in used and size < len(full):
        size += 1
    return full[:size]


def write_fragments(
    recs: list[Record],
    counts: list[int],
    folder: Path,
    tokens: list[tuple[str, str]] | None = None,
) -> list[list]:
    """The display fragment of each page (bigram text, metadata); its [hash, word count].

    ``tokens``: each record's headline and text, encoded (``encode``), if already made.
    """
    folder.mkdir(parents=True, exist_ok=True)
    pages: list[list] = []
    used: set[str] = set()
    for i, (rec, count) in enumerate(zip(recs, counts, strict=True)):
        if tokens:
            head, text = tokens[i]
        else:
            head, text = encode(rec.title), encode(rec.text)
        meta = {"title": rec.title, "date": rec.date, "paper": rec.paper, "kind": rec.kind}
        data = json.dumps(
            {
                "url": "/" + rec.url,
                "content": f"{head} 。 {text}".strip(),
                "word_count": count,
                "filters": {},
                "meta": {k: v for k, v in sorted(meta.items()) if v},
                "anchors": [],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        name = _unique(f"{LANGUAGE}_{hashlib.sha256(data).hexdigest()}", used)
        used.add(name)
        (folder / f"{name}.pf_fragment").write_bytes(_pack(data))
        pages.append([name, count])
    return pages


def prune_bundle(bundle: Path) -> None:
    """Drop the stock UIs and the playground: the archive uses its own search box."""
    for item in bundle.iterdir():
        if item.is_dir():
            if item.name not in KEEP_DIRS:
                shutil.rmtree(item)
        elif item.name not in KEEP and not item.name.endswith(KEEP_SUFFIXES):
            item.unlink()


# --- writing the index ourselves ------------------------------------------------------
#
# The bundle is small and documented by its files (see the merge notes above):
# a word chunk is the CBOR of [[word, pages, []], ...], sorted by word (code
# point order), each page [page number, locations, []] in page order, the
# page number given as the gap from the word's previous page. A page's
# locations are its positions grouped by weight, the default weight first and
# then ascending, each group opened by -(24 × weight) - 1 and then the first
# position and the gaps to the next ones. Pagefind 1.5 takes about 60 s and
# 6.4 GB for the 10,000-article benchmark's Simplified records; the words of
# a bigram index are known before Pagefind sees them, so ``write_bundle``
# writes the same postings itself: about 30 s of CPU and 1.3 GB per edition.
#
# What Pagefind makes of a token that is not plain Han (digits, Latin,
# punctuation, compatibility ideographs) is not guessed: ``learn`` runs
# Pagefind once on a page of those tokens, each between two marker words,
# and reads back which words it made of each token and how many positions
# the token took. That run also gives the bundle's runtime (pagefind.js, the
# WASM) and version. ``tests/test_scale.py`` checks the whole result against
# an index Pagefind built from the same records.

PLAIN_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")  # indexed as they are (checked)
MARKER = "丨"  # not in any probe token (those have no plain Han)
CHUNK_SIZE = 20000  # Pagefind's chunk size: positions + 1 per page, per chunk
WEIGHTS = {"article": 4, "page": 6}  # the headline's weight (part_html), the text's is 1
FORMAT = "1.5."  # the bundle format written here; other Pagefind versions index by themselves


class UnknownFormat(PagefindError):
    """This Pagefind writes a bundle format ``write_bundle`` does not know."""


@dataclass
class Lexicon:
    """Pagefind's words for the tokens that are not plain Han, and its runtime files.

    ``words[token][units]``: for a token in an element of that weight (24 per
    unit of ``data-pagefind-weight``), the words Pagefind makes of it as
    (word, offset from the token's position, weight in 24ths, form), and how
    many positions the token takes. Pagefind gives the parts of a compound
    token such as ``10.5%`` a lower weight than the whole, and files an
    accented form (``café``) as a variant of the plain word (form ``café``,
    word ``cafe``; the form is "" otherwise).
    """

    bundle: Path  # the probe's bundle: pagefind.js, WASM, entry, metadata
    entry: dict
    version: str
    fields: list  # metadata fields of the stand-in pages (``title``)
    words: dict[str, dict[int, tuple[tuple[tuple[str, int, int, str], ...], int]]]


SEPARATOR = "\x00"  # the "。" between headline and text: a position, no word


class _Ids(dict):
    """Token → id, numbering new tokens as they come."""

    def __missing__(self, key: str) -> int:
        value = self[key] = len(self)
        return value


@dataclass
class Tokenized:
    """The records' tokens, made once for the probe and the postings.

    Token ids as a C array and each record's headline and text as two joined
    strings: the token strings themselves would take a gigabyte at 10,000
    articles. ``contexts``: per record, its headline's context (1 + index in
    ``WEIGHTS``; 0 is the text's) and the token counts of headline (with the
    separator) and text.
    """

    ids: _Ids  # token → id; ``SEPARATOR`` is 0
    tokens: array
    contexts: list[tuple[int, int, int]]
    lengths: list[int]
    joined: list[tuple[str, str]]

    def probe(self) -> list[str]:
        """The distinct tokens that are not plain Han, sorted."""
        return sorted(t for t in self.ids if t != SEPARATOR and not PLAIN_HAN.fullmatch(t))


def tokenize(recs: list[Record]) -> Tokenized:
    """Each record's headline and text as tokens (``_tokens``)."""
    ids = _Ids()
    sep = ids[SEPARATOR]
    tokens = array("i")
    contexts, lengths, joined = [], [], []
    get = ids.__getitem__
    contexts_of = {kind: 1 + i for i, kind in enumerate(WEIGHTS)}  # 0: text
    for rec in recs:
        title, text = _tokens(rec.title), _tokens(rec.text)
        joined.append((" ".join(title), " ".join(text)))
        tokens.extend(map(get, title))
        tokens.append(sep)
        tokens.extend(map(get, text))
        lengths.append(len(title) + 1 + len(text))
        contexts.append((contexts_of.get(rec.kind, 1), len(title) + 1, len(text)))
    return Tokenized(ids, tokens, contexts, lengths, joined)


def _located(locs: list[int]) -> list[tuple[int, int]]:
    """(position, weight in 24ths) from a page's location list."""
    out: list[tuple[int, int]] = []
    units, fresh = 24, True
    for value in locs:
        if value < 0:
            units, fresh = -value - 1, True
        else:
            out.append((value if fresh else out[-1][0] + value, units))
            fresh = False
    return out


def learn(tokens: list[str], tmp: Path) -> Lexicon:
    """Run Pagefind once on these tokens (``Tokenized.probe``): how it makes words of each.

    One stand-in page per weight the records use (text, article headline,
    index-page headline), each holding every token between marker words.
    """
    line = [MARKER]
    for token in tokens:
        line += [written(token), MARKER]
    site, bundle = tmp / "probe-src", tmp / "probe"
    contexts = {24: ([], line, "page")}
    contexts.update({24 * w: (line, [], kind) for kind, w in WEIGHTS.items()})
    for units, (title, body, kind) in contexts.items():
        (site / f"w{units}.html").parent.mkdir(parents=True, exist_ok=True)
        (site / f"w{units}.html").write_text(part_html(title, body, kind), encoding="utf-8")
    run_cli(site, bundle)
    part = _Part.read(bundle)
    if not str(part.meta[0]).startswith(FORMAT):
        raise UnknownFormat(f"Pagefind {part.meta[0]}: the index format of {FORMAT}x is written")
    page_units = [int(u.rsplit("/w", 1)[1].removesuffix(".html")) for u in part.urls()]
    at: dict[int, dict[int, list[tuple[str, int]]]] = {u: {} for u in contexts}
    marks: dict[int, list[int]] = {u: [] for u in contexts}
    for _lo, _hi, name in part.meta[2]:
        for word, pages, variants in _chunk_words(part, name):
            # an accented form (café) is a variant of the plain word (cafe), with its own pages
            for form, listed in [("", pages), *((v[0], v[1]) for v in variants)]:
                number = 0
                for gap, locs, _meta in listed:
                    number += gap
                    context = page_units[number]
                    for position, units in _located(locs):
                        if word == MARKER:
                            marks[context].append(position)
                        else:
                            at[context].setdefault(position, []).append((word, units, form))
    words: dict[str, dict] = {t: {} for t in tokens}
    for context in contexts:
        found = sorted(marks[context])
        if len(found) != len(tokens) + 1:
            raise PagefindError(f"probe: {len(found)} markers for {len(tokens)} tokens")
        for token, start, end in zip(tokens, found, found[1:], strict=False):
            made = tuple(
                (w, p - start - 1, units, form)
                for p in range(start + 1, end)
                for w, units, form in sorted(at[context].get(p, ()))
            )
            words[token][context] = (made, end - start - 1)
    return Lexicon(bundle, part.entry, str(part.meta[0]), part.meta[5], words)


def _cbor_heads(major: np.ndarray, value: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """CBOR heads (major type, value), each followed by ``extra`` free bytes, as one buffer."""
    value = value.astype(np.uint64)
    size = (
        1
        + (value >= 24)
        + (value >= 256)
        + 2 * (value >= 1 << 16).astype(np.int64)
        + 4 * (value >= 1 << 32).astype(np.int64)
    )
    info = np.where(
        value < 24,
        value,
        np.where(value < 256, 24, np.where(value < 1 << 16, 25, np.where(value < 1 << 32, 26, 27))),
    ).astype(np.uint8)
    total = size + extra
    at = np.cumsum(total) - total
    buf = np.zeros(int(total.sum()), dtype=np.uint8)
    buf[at] = (major.astype(np.uint8) << 5) | info
    for length in (2, 3, 5, 9):
        sel = size == length
        if sel.any():
            v, a = value[sel], at[sel]
            for k in range(1, length):
                buf[a + k] = (v >> np.uint64(8 * (length - 1 - k))) & np.uint64(255)
    return buf, at + size


def _postings(tokenized: Tokenized, lexicon: Lexicon):
    """Every (word, page, weight, position) of the edition, sorted as the index lists them.

    Returns the words (sorted), the rows as arrays (word rank, page, weight,
    position, rank of the accented form or -1) and each page's position count.
    Adds the words only the probe made to ``tokenized.ids``.
    """
    ids, contexts, lengths = tokenized.ids, tokenized.contexts, tokenized.lengths
    pages = len(lengths)
    sep = ids[SEPARATOR]
    units_of = [24] + [24 * w for w in WEIGHTS.values()]
    # A plain token is its own word, at its position, of its element's weight; the
    # others make the words the probe learnt (``made``, per context: CSR arrays).
    span = np.ones(len(ids), dtype=np.int64)
    special = np.zeros(len(ids), dtype=bool)
    special[sep] = True
    made: list[tuple[int, ...]] = []  # context, token, word, offset, weight, form (-1: none)
    for token, spec in lexicon.words.items():
        tid = ids.get(token)
        if tid is None:
            continue
        special[tid] = True
        for c, units in enumerate(units_of):
            parts, span[tid] = spec[units]
            made.extend((c, tid, ids[w], off, u, ids[f] if f else -1) for w, off, u, f in parts)
    names = list(ids)  # with the words only the probe made

    tokens = tokenized.tokens
    tok = np.frombuffer(tokens, dtype=np.int32) if tokens else np.zeros(0, np.int32)
    lengths_a = np.asarray(lengths, dtype=np.int64)
    # int32 rows (positions and pages are far below 2**31): half the memory
    page = np.repeat(np.arange(pages, dtype=np.int32), lengths_a)
    ctx_parts = np.asarray(contexts, dtype=np.int64).reshape(-1, 3)
    ctx = np.repeat(
        np.stack([ctx_parts[:, 0], np.zeros(pages, dtype=np.int64)], axis=1)
        .ravel()
        .astype(np.int8),
        np.stack([ctx_parts[:, 1], ctx_parts[:, 2]], axis=1).ravel(),
    )
    spans = span[tok]
    ends = np.cumsum(spans)
    page_first = np.cumsum(lengths_a) - lengths_a
    before = ends - spans
    pos = (before - before[page_first][page] if len(tok) else before).astype(np.int32)
    del ends, before
    counts = np.add.reduceat(spans, page_first) if len(tok) else np.zeros(pages, np.int64)
    counts[lengths_a == 0] = 0
    units_arr = np.asarray(units_of, dtype=np.int32)
    plain = ~special[tok]
    row_word, row_units, row_pos, row_page = (
        tok[plain],
        units_arr[ctx[plain]],
        pos[plain],
        page[plain],
    )
    row_form = np.full(len(row_word), -1, dtype=np.int32)
    if made:
        table = np.asarray(made, dtype=np.int32)
        table = table[np.lexsort((table[:, 3], table[:, 2], table[:, 1], table[:, 0]))]
        key = table[:, 0].astype(np.int64) * len(names) + table[:, 1]
        other = np.flatnonzero(~plain)
        okey = ctx[other].astype(np.int64) * len(names) + tok[other]
        lo = np.searchsorted(key, okey, side="left")
        n = np.searchsorted(key, okey, side="right") - lo
        which = np.repeat(other, n)
        entry = np.repeat(lo, n) + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))
        row_word = np.concatenate([row_word, table[entry, 2]])
        row_units = np.concatenate([row_units, table[entry, 4]])
        row_pos = np.concatenate([row_pos, pos[which] + table[entry, 3]])
        row_page = np.concatenate([row_page, page[which]])
        row_form = np.concatenate([row_form, table[entry, 5]])
    del pos, page, ctx, tok
    # word ranks in code point order, weights lightest first
    order = sorted(range(len(names)), key=names.__getitem__)
    rank = np.empty(len(names), dtype=np.int32)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(names), dtype=np.int32)
    row_rank = rank[row_word]
    row_form = np.where(row_form < 0, -1, rank[np.maximum(row_form, 0)])
    levels = np.unique(row_units)
    row_level = np.searchsorted(levels, row_units)
    sort = np.lexsort((row_pos, row_level, row_page, row_form, row_rank))
    rows = (row_rank[sort], row_page[sort], row_units[sort], row_pos[sort], row_form[sort])
    return [names[i] for i in order], rows, counts.tolist()


def _chunks(words: list[str], rows) -> list[list]:
    """The word chunks, each [first word, last word, CBOR bytes], of about CHUNK_SIZE."""
    rank, page, units, pos, form = rows
    total = len(rank)
    if not total:
        return []
    new_word = np.ones(total, dtype=bool)
    new_word[1:] = rank[1:] != rank[:-1]
    new_page = new_word.copy()
    new_page[1:] |= page[1:] != page[:-1]
    new_group = new_page.copy()
    new_group[1:] |= units[1:] != units[:-1]
    end_page = np.ones(total, dtype=bool)
    end_page[:-1] = new_page[1:]
    end_word = np.ones(total, dtype=bool)
    end_word[:-1] = new_word[1:]
    word_at = np.flatnonzero(new_word)  # first row of each word present
    entry_at = np.flatnonzero(new_page)
    # per page entry: its location count; per row: the page gap
    entry_id = np.cumsum(new_page, dtype=np.int32) - 1
    entry_locs = np.bincount(entry_id, weights=1 + new_group.astype(np.int64)).astype(np.int64)
    word_id = np.cumsum(new_word, dtype=np.int32) - 1
    word_pages = np.bincount(word_id[entry_at], minlength=len(word_at))
    word_size = np.bincount(word_id[entry_at], weights=entry_locs + 1).astype(np.int64)
    previous_page = np.zeros(total, dtype=np.int32)
    previous_page[1:] = page[:-1]
    previous_page[new_word] = 0
    delta = np.where(new_group, pos, pos - np.concatenate((np.zeros(1, pos.dtype), pos[:-1])))

    present = [words[i] for i in rank[word_at].tolist()]
    encoded = [w.encode("utf-8") for w in present]
    # chunk bounds: close a chunk once its size reaches CHUNK_SIZE
    bounds = [0]
    size = 0
    for i, s in enumerate(word_size.tolist()):
        size += s
        if size >= CHUNK_SIZE:
            bounds.append(i + 1)
            size = 0
    if bounds[-1] != len(present):
        bounds.append(len(present))
    row_bounds = np.append(word_at, total)
    slots = 10
    major = np.array([4, 3, 4, 4, 0, 4, 1, 0, 4, 4], dtype=np.uint8)
    chunks = []
    for a, b in pairwise(bounds):
        r0, r1 = int(row_bounds[a]), int(row_bounds[b])
        sl = slice(r0, r1)
        if (form[sl] >= 0).any():  # accented forms: rare, written one word at a time
            chunks.append([present[a], present[b - 1], _chunk_with_forms(words, rows, r0, r1)])
            continue
        nw, np_, ng = new_word[sl], new_page[sl], new_group[sl]
        wid = word_id[sl]
        eid = entry_id[sl]
        values = np.zeros((r1 - r0, slots), dtype=np.int64)
        active = np.zeros((r1 - r0, slots), dtype=bool)
        values[:, 0] = 3
        lens = np.fromiter((len(encoded[i]) for i in range(a, b)), dtype=np.int64, count=b - a)
        values[:, 1] = lens[wid - a]
        values[:, 2] = word_pages[wid]
        values[:, 3] = 3
        values[:, 4] = page[sl] - previous_page[sl]
        values[:, 5] = entry_locs[eid]
        values[:, 6] = units[sl]
        values[:, 7] = delta[sl]
        for k in (0, 1, 2):
            active[:, k] = nw
        for k in (3, 4, 5):
            active[:, k] = np_
        active[:, 6] = ng
        active[:, 7] = True
        active[:, 8] = end_page[sl]
        active[:, 9] = end_word[sl]
        extra = np.zeros((r1 - r0, slots), dtype=np.int64)
        extra[:, 1] = values[:, 1]
        flat_active = active.ravel()
        buf, payload_at = _cbor_heads(
            np.broadcast_to(major, active.shape).ravel()[flat_active],
            values.ravel()[flat_active],
            extra.ravel()[flat_active],
        )
        slot_of = np.broadcast_to(np.arange(slots), active.shape).ravel()[flat_active]
        raw = bytearray(buf.tobytes())
        for i, at in zip(range(a, b), payload_at[slot_of == 1].tolist(), strict=True):
            raw[at : at + len(encoded[i])] = encoded[i]
        head = b"\x81" + _head(4, b - a)
        chunks.append([present[a], present[b - 1], head + bytes(raw)])
    return chunks


def _chunk_with_forms(words: list[str], rows, r0: int, r1: int) -> bytes:
    """One chunk's CBOR, word by word in Python: for chunks with accented forms."""
    rank, page, units, pos, form = (a[r0:r1].tolist() for a in rows)
    entries: dict[int, dict[int, dict[int, list[tuple[int, int]]]]] = {}
    for r, f, p, u, x in zip(rank, form, page, units, pos, strict=True):
        entries.setdefault(r, {}).setdefault(f, {}).setdefault(p, []).append((u, x))

    def listed(pages: dict[int, list[tuple[int, int]]]) -> list:
        out, previous = [], 0
        for p, located in pages.items():
            locs, units_now, last = [], None, 0
            for u, x in located:
                if u != units_now:
                    locs += [-u - 1, x]
                    units_now = u
                else:
                    locs.append(x - last)
                last = x
            out.append([p - previous, locs, []])
            previous = p
        return out

    items = []
    for r, forms in entries.items():
        variants = [[words[f], listed(pages)] for f, pages in forms.items() if f >= 0]
        items.append([words[r], listed(forms.get(-1, {})), variants])
    return cbor_encode([items])


def write_bundle(recs: list[Record], out: Path, tmp: Path) -> None:
    """The edition's Pagefind bundle in ``out``, written without running Pagefind on it
    (but for the probe run of ``learn``, in ``tmp``)."""
    tokenized = tokenize(recs)
    lexicon = learn(tokenized.probe(), tmp)
    words, rows, counts = _postings(tokenized, lexicon)
    chunks = _chunks(words, rows)
    del rows
    for a, b in pairwise(chunks):
        a[1], b[0] = _prefixes(a[1], b[0])

    names: set[str] = set()
    named = []
    for first, last, raw in chunks:
        name = _unique(f"{LANGUAGE}_{hashlib.sha256(raw).hexdigest()}", names)
        names.add(name)
        named.append((first, last, name, _pack(raw)))
    head = (lexicon.entry, lexicon.version, lexicon.fields)
    _assemble(out, lexicon.bundle, head, named, recs, counts, tokenized.joined)
