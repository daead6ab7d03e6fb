"""Served search: one Pagefind bundle per edition (``site/pagefind/``, ``site/zh-Hant/pagefind/``).

Each record (``search_records``: one per article) is a Pagefind custom record:
``content`` is the headline and the text as character bigrams, separated by
``。``, in the language ``und``; ``meta`` is what a result shows (title, date,
paper). Two writers (``extra.archive.pagefind_writer``):

* ``pagefind``: Pagefind's public Python API (``PagefindIndex.add_custom_record``)
  indexes the records: 6.4 GB in one run at 10,000 articles, and slow (its
  Python client reads one answer every 0.1 s: 10 records a second).
* ``archive`` (default): the bundle is written here, in Pagefind 1.5's format
  (``FORMAT``; any other version is not guessed at: the API indexes instead).
  What Pagefind makes of the tokens that are not plain Han (digits, Latin,
  punctuation, full-width and compatibility forms, accents) is not
  re-implemented: ``probe`` gives them to Pagefind through the same API and
  reads back the words made of each; that run also gives the runtime files.
  The index is the API's for the same records (``tests/test_pagefind.py``
  compares every word, page and position) but for two things that only
  order the results: the headline weighs ``HEADLINE`` times the text, and
  metadata values are not indexed (in ``und`` a whole headline is one word).

Bundle (1.5): ``pagefind-entry.json`` names ``pagefind.<hash>.pf_meta`` (CBOR:
version, pages [fragment, word count], chunks [first word, last word, file],
filters, sorts, metadata fields); a chunk ``index/<hash>.pf_index`` lists words
[word, pages, variants], a page [gap from the previous page, locations, metadata
locations], locations by weight, lightest first: -(24 × weight) - 1, the first
position, the gaps. Files are gzip of ``pagefind_dcd`` and the data.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from array import array
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path

import numpy as np

from .search_records import Record, records, skipped, tokens  # noqa: F401 - skipped: for callers

BUNDLE = "pagefind"  # folder of the index inside each edition
LANGUAGE = "und"  # no segmentation anywhere: the records are bigrams already
FORMAT = "1.5."  # the bundle format ``write_bundle`` writes
CHUNK_SIZE = 20000  # Pagefind's chunk size: locations + 1 per page, per chunk
UNIT = 24  # a location's weight is in 24ths
HEADLINE = 4  # weight of the headline's words; the text's is 1
SEPARATOR = "。"  # between headline and text: a position, no word
SANITY = "珲春"  # a plain Han token, probed too: must come back as itself
SIGNATURE = b"pagefind_dcd"
# Files of the bundle the search script uses; the rest (stock UIs) is removed.
KEEP = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
KEEP_SUFFIXES = (".pf_meta", ".pagefind")
KEEP_DIRS = ("index", "fragment", "filter")


class PagefindError(RuntimeError):
    """Pagefind is missing or failed."""


class UnknownFormat(PagefindError):
    """This Pagefind writes a bundle ``write_bundle`` does not know."""


def available() -> bool:
    """Whether the Pagefind binary (pip ``pagefind[extended]``) can run here."""
    try:
        from pagefind.service import get_executable  # type: ignore[import-not-found]

        return get_executable() is not None
    except Exception:  # noqa: BLE001 - not installed, or any failure to locate it
        return False


def index_edition(docs: Path, out: Path, workdir: Path | None = None, writer: str = "archive",
                  opencc: str | None = None) -> int:  # fmt: skip
    """Write the bundle of the edition whose docs folder is ``docs`` into ``out``;
    returns the record count. ``writer``: ``archive`` or ``pagefind`` (above);
    ``opencc``: the Traditional edition's setting (``search_records.records``)."""
    if not available():
        raise PagefindError(
            "Pagefind is not installed: pip install 'pagefind[extended]>=1.5,<1.6' "
            "(or set the archive plugin's search: material in mkdocs.yml)"
        )
    recs = records(docs, opencc)
    tmp = Path(tempfile.mkdtemp(prefix=".pagefind-src-", dir=workdir or out.parent))
    try:
        if writer == "archive":
            try:
                write_bundle(recs, out, tmp)
                return len(recs)
            except UnknownFormat as err:
                print(f"pagefind: {err}; Pagefind indexes the records itself", file=sys.stderr)
        write_with_api(recs, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return len(recs)


# --- Pagefind's public Python API -----------------------------------------------------


def custom_records(recs: list[Record]) -> list[dict]:
    """The arguments of ``PagefindIndex.add_custom_record`` for each record."""
    content = [" ".join([*tokens(r.title), SEPARATOR, *tokens(r.text)]) for r in recs]
    return [dict(url="/" + r.url, content=c, language=LANGUAGE, meta=_meta(r))
            for r, c in zip(recs, content, strict=True)]  # fmt: skip


def _meta(r: Record) -> dict[str, str]:
    """What a result shows: the headline, date and paper (Pagefind sorts the fields)."""
    return {k: v for k, v in (("date", r.date), ("paper", r.paper), ("title", r.title)) if v}


def run_api(items: list[dict], out: Path) -> None:
    """Pagefind's own index of these custom records, written into ``out``.

    Pagefind 1.5.2 answers ``write_files`` before the files are on disk, and
    leaving the index writes them again and stops the service (SIGTERM): a
    file can be left empty. So they are written once, and the context is left
    by an exception (no second write) once they have settled."""
    from pagefind.index import PagefindIndex  # type: ignore[import-not-found]

    class Written(Exception):
        pass

    async def run() -> None:
        async with PagefindIndex() as index:
            for item in items:
                await index.add_custom_record(**item)
            await index.write_files(output_path=str(out.resolve()))
            await asyncio.to_thread(_settle, out)
            raise Written

    shutil.rmtree(out, ignore_errors=True)
    try:  # in a thread of its own: the caller may be running an event loop
        with ThreadPoolExecutor(1) as thread:
            thread.submit(lambda: asyncio.run(run())).result()
    except Written:
        pass
    except Exception as exc:  # noqa: BLE001 - the service's errors have no common type
        raise PagefindError(f"pagefind failed: {exc}") from exc


def _settle(out: Path, polls: int = 5, timeout: float = 300) -> None:
    """Wait until the bundle in ``out`` has an entry file and its files stop growing."""
    seen, same, start = None, 0, time.monotonic()
    while same < polls:
        if time.monotonic() - start > timeout:
            raise PagefindError(f"pagefind: the index in {out} is still incomplete")
        time.sleep(0.1)
        files = {p: p.stat().st_size for p in out.rglob("*") if p.is_file()}
        try:
            ready = all(files.values()) and json.loads((out / "pagefind-entry.json").read_text())
        except (OSError, ValueError):
            ready = False
        same = same + 1 if ready and files == seen else 0
        seen = files


def write_with_api(recs: list[Record], out: Path) -> None:
    """The fallback: Pagefind indexes the records (``pagefind_writer: pagefind``)."""
    run_api(custom_records(recs), out)
    prune_bundle(out)


def prune_bundle(bundle: Path) -> None:
    """Drop the stock UIs and the playground: the archive uses its own search box."""
    for item in bundle.iterdir():
        if item.is_dir():
            if item.name not in KEEP_DIRS:
                shutil.rmtree(item)
        elif item.name not in KEEP and not item.name.endswith(KEEP_SUFFIXES):
            item.unlink()


# --- reading a bundle (the probe's; the tests') ---------------------------------------


def _unpack(data: bytes) -> bytes:
    data = gzip.decompress(data)
    if not data.startswith(SIGNATURE):
        raise UnknownFormat("a Pagefind file without its signature")
    return data[len(SIGNATURE) :]


def _pack(data: bytes) -> bytes:
    return gzip.compress(SIGNATURE + data, compresslevel=6, mtime=0)


def cbor_decode(data: bytes, pos: int = 0) -> tuple[object, int]:
    """The part of CBOR a Pagefind bundle uses (integers, strings, arrays)."""
    major, info = data[pos] >> 5, data[pos] & 31
    size = 1 << (info - 24) if 24 <= info < 28 else 0
    value = int.from_bytes(data[pos + 1 : pos + 1 + size], "big") if size else info
    pos += 1 + size
    if info >= 28 or major not in (0, 1, 3, 4):
        raise UnknownFormat(f"unexpected CBOR item {data[pos - 1 - size]:#x}")
    if major < 2:
        return (value if major == 0 else -1 - value), pos
    if major == 3:
        return data[pos : pos + value].decode("utf-8"), pos + value
    items = []
    for _ in range(value):
        item, pos = cbor_decode(data, pos)
        items.append(item)
    return items, pos


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    size = next(s for s in (1, 2, 4, 8) if value < 1 << (8 * s))
    return bytes([major << 5 | (24 + size.bit_length() - 1)]) + value.to_bytes(size, "big")


def cbor_encode(value: object) -> bytes:
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    return _head(4, len(value)) + b"".join(cbor_encode(v) for v in value)  # a list


def read_bundle(bundle: Path) -> tuple[dict, list]:
    """The entry file and the metadata of a bundle of the known format."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    if not str(entry.get("version", "")).startswith(FORMAT):
        raise UnknownFormat(f"Pagefind {entry.get('version')}: only {FORMAT}x is written here")
    if list(entry.get("languages", {})) != [LANGUAGE]:
        raise UnknownFormat(f"unexpected languages {list(entry.get('languages', {}))}")
    name = entry["languages"][LANGUAGE]["hash"]
    meta, _ = cbor_decode(_unpack((bundle / f"pagefind.{name}.pf_meta").read_bytes()))
    if not isinstance(meta, list) or len(meta) != 6 or meta[0] != entry["version"]:
        raise UnknownFormat(f"unexpected Pagefind metadata in {bundle}")
    return entry, meta


def chunk_words(bundle: Path, name: str) -> list:
    """The words of one chunk: [word, pages, variants], each page [gap, locs, meta locs]."""
    words, _ = cbor_decode(_unpack((bundle / "index" / f"{name}.pf_index").read_bytes()))
    return words[0]


def located(locs: list[int]) -> list[tuple[int, int]]:
    """(position, weight in 24ths) from a page's locations."""
    out: list[tuple[int, int]] = []
    for value in locs:
        if value < 0:
            units, fresh = -value - 1, True
        else:
            out.append((value if fresh else out[-1][0] + value, units))
            fresh = False
    return out


# --- the direct writer ----------------------------------------------------------------

Made = dict[str, list[tuple[str, int, str]]]  # token → (word, weight in 24ths, accented form)


def probe(probed: list[str], tmp: Path) -> tuple[Path, dict, list, Made]:
    """What Pagefind makes of each token (one custom record of them all, read back):
    the probe's bundle, entry file and metadata, and each token's words as (word,
    weight in 24ths, form); an accented form (``café``) is a variant of ``cafe``."""
    bundle = tmp / "probe"
    line = [*probed, SANITY]
    run_api([{"url": "/probe.html", "content": " ".join(line), "language": LANGUAGE}], bundle)
    at: list[list[tuple[str, int, str]]] = [[] for _ in line]
    try:
        entry, meta = read_bundle(bundle)
        if meta[1][0][1] != len(line):
            raise UnknownFormat(f"the probe has {meta[1][0][1]} positions for {len(line)} tokens")
        for _lo, _hi, name in meta[2]:
            for word, pages, variants in chunk_words(bundle, name):
                for form, listed in [("", pages), *((v[0], v[1]) for v in variants)]:
                    for _gap, locs, _meta in listed:
                        for position, units in located(locs):
                            at[position].append((word, units, form))
    except (LookupError, TypeError, ValueError, OSError) as exc:  # a layout not 1.5's
        raise UnknownFormat(f"the probe's bundle is not as expected ({exc!r})") from exc
    if at[-1] != [(SANITY, UNIT, "")]:
        raise UnknownFormat(f"Pagefind indexed {SANITY} as {at[-1]}")
    return bundle, entry, meta, dict(zip(probed, at[:-1], strict=True))


def write_bundle(recs: list[Record], out: Path, tmp: Path) -> None:
    """The edition's bundle in ``out``, written here (after the ``probe`` run, in ``tmp``)."""
    ids: dict[str, int] = {}  # token → id, in order of appearance
    tok, heads, joined = array("i"), [], []
    for rec in recs:
        title, text = tokens(rec.title), tokens(rec.text)
        joined.append(" ".join([*title, SEPARATOR, *text]))
        tok.extend([ids.setdefault(t, len(ids)) for t in [*title, SEPARATOR, *text]])
        heads.append((len(title), 1 + len(text)))
    probed = sorted(t for t in ids if not _plain(t))
    bundle, entry, meta, made = probe(probed, tmp)
    words, rows = _postings(ids, tok, heads, made)
    chunks = _chunks(words, rows)
    del rows
    bounds = [[first, last] for first, last, _ in chunks]
    for a, b in pairwise(bounds):  # as Pagefind 1.5 trims them
        common = len(os.path.commonprefix([a[1], b[0]]))
        if a[1][: common + 1] >= a[0]:
            a[1] = a[1][: common + 1]
        b[0] = b[0][: common + 1]
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(bundle, out, ignore=shutil.ignore_patterns("index", "fragment", "*.pf_meta"))
    prune_bundle(out)
    (out / "index").mkdir()
    listed, used = [], set()
    for (first, last), (_, _, raw) in zip(bounds, chunks, strict=True):
        name = _name(raw, used)
        (out / "index" / f"{name}.pf_index").write_bytes(_pack(raw))
        listed.append([first, last, name])
    pages, fields = _fragments(recs, joined, [sum(h) for h in heads], out / "fragment")
    data = _pack(cbor_encode([meta[0], pages, listed, [], [], fields]))
    digest = f"{LANGUAGE}_{hashlib.sha1(data).hexdigest()[:11]}"  # noqa: S324 - a file name
    (out / f"pagefind.{digest}.pf_meta").write_bytes(data)
    entry["languages"][LANGUAGE].update(hash=digest, page_count=len(pages))
    (out / "pagefind-entry.json").write_text(json.dumps(entry, ensure_ascii=False), "utf-8")


def _plain(token: str) -> bool:
    """A run of CJK ideographs (basic block, extension A): Pagefind's word is the token."""
    return all("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in token)


def _name(data: bytes, used: set[str]) -> str:
    """``und_`` and the shortest prefix (from 7) of the data's hash not used yet."""
    full = hashlib.sha1(data).hexdigest()  # noqa: S324 - a file name
    size = 7
    while full[:size] in used:
        size += 1
    used.add(full[:size])
    return f"{LANGUAGE}_{full[:size]}"


def _fragments(recs: list[Record], joined: list[str], counts: list[int], folder: Path):
    """Each page's fragment (its content and metadata) into ``folder``; the pages'
    [fragment, word count] and the metadata fields."""
    folder.mkdir(parents=True, exist_ok=True)
    pages, used, fields = [], set(), set()
    for rec, content, count in zip(recs, joined, counts, strict=True):
        meta = _meta(rec)
        fields.update(meta)
        data = json.dumps(
            {"url": "/" + rec.url, "content": content, "word_count": count, "filters": {},
             "meta": meta, "anchors": []},
            ensure_ascii=False, separators=(",", ":"),
        ).encode("utf-8")  # fmt: skip
        name = _name(data, used)
        (folder / f"{name}.pf_fragment").write_bytes(_pack(data))
        pages.append([name, count])
    return pages, sorted(fields)


def _postings(ids: dict[str, int], tok_ids: array, heads: list[tuple[int, int]], made: Made):
    """The words in code point order and every (word rank, page, weight, position,
    form rank or -1), sorted as the index lists them. A plain Han token is its
    own word; a probed token makes the words ``probe`` found (in the headline,
    a compound's parts weigh its weight divided by their number, as Pagefind does)."""
    table = []  # token, word, weight in the text, in the headline, form (-1: none)
    for token, found in made.items():
        parts = sum(1 for _, units, _ in found if units != UNIT) or 1
        for word, units, form in found:
            head = UNIT * HEADLINE if units == UNIT else max(1, UNIT * HEADLINE // parts)
            word_id, form_id = (ids.setdefault(w, len(ids)) for w in (word, form or word))
            table.append((ids[token], word_id, units, head, form_id if form else -1))
    names = list(ids)  # with the words only the probe made
    special = np.zeros(len(names), dtype=bool)
    special[[ids[t] for t in made]] = True
    tok = np.frombuffer(tok_ids, dtype=np.int32) if tok_ids else np.zeros(0, np.int32)
    lengths = np.asarray(heads, dtype=np.int64).reshape(-1, 2)
    per_page = lengths.sum(axis=1)
    page = np.repeat(np.arange(len(lengths), dtype=np.int32), per_page)
    pos = (np.arange(len(tok)) - (np.cumsum(per_page) - per_page)[page]).astype(np.int32)
    headline = np.repeat(np.tile([True, False], len(lengths)), lengths.ravel())
    plain = ~special[tok]
    units = np.where(headline[plain], UNIT * HEADLINE, UNIT).astype(np.int32)
    rows = [tok[plain], page[plain], units, pos[plain], np.full(int(plain.sum()), -1, np.int32)]
    if table:
        t = np.asarray(table, dtype=np.int32)
        t = t[np.argsort(t[:, 0], kind="stable")]
        other = np.flatnonzero(~plain)
        lo = np.searchsorted(t[:, 0], tok[other], side="left")
        n = np.searchsorted(t[:, 0], tok[other], side="right") - lo
        which = np.repeat(other, n)
        entry = np.repeat(lo, n) + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))
        more = [t[entry, 1], page[which], np.where(headline[which], t[entry, 3], t[entry, 2]),
                pos[which], t[entry, 4]]  # fmt: skip
        rows = [np.concatenate([a, b.astype(np.int32)]) for a, b in zip(rows, more, strict=True)]
    del tok, page, pos, headline
    order = sorted(range(len(names)), key=names.__getitem__)
    rank = np.empty(len(names), dtype=np.int32)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(names), dtype=np.int32)
    word, page, units, pos, form = rows
    word, form = rank[word], np.where(form < 0, -1, rank[np.maximum(form, 0)])
    sort = np.lexsort((pos, units, page, form, word))
    return [names[i] for i in order], tuple(a[sort] for a in (word, page, units, pos, form))


def _cbor_heads(major: np.ndarray, value: np.ndarray, extra: np.ndarray):
    """CBOR heads (major type, value), each followed by ``extra`` free bytes, as one
    buffer; and where each head's payload starts."""
    value = value.astype(np.uint64)
    k = np.searchsorted(np.array([24, 256, 1 << 16, 1 << 32], np.uint64), value, side="right")
    size = np.array([1, 2, 3, 5, 9])[k]
    total = size + extra
    at = np.cumsum(total) - total
    buf = np.zeros(int(total.sum()), dtype=np.uint8)
    buf[at] = (major.astype(np.uint8) << 5) | np.where(k == 0, value, 23 + k).astype(np.uint8)
    for n in range(1, 9):  # the value's bytes after the head, big-endian
        sel = size > n
        shift = (8 * (size[sel] - 1 - n)).astype(np.uint64)
        buf[at[sel] + n] = (value[sel] >> shift) & np.uint64(255)
    return buf, at + size


def _chunks(words: list[str], rows) -> list[list]:
    """The word chunks, each [first word, last word, CBOR bytes], of about CHUNK_SIZE."""
    rank, page, units, pos, form = rows
    if not len(rank):
        return []
    first = np.ones(1, dtype=bool)
    new_word = np.concatenate([first, rank[1:] != rank[:-1]])
    new_page = new_word | np.concatenate([first, page[1:] != page[:-1]])
    new_group = new_page | np.concatenate([first, units[1:] != units[:-1]])
    end_page, end_word = np.append(new_page[1:], True), np.append(new_word[1:], True)
    word_at, entry_at = np.flatnonzero(new_word), np.flatnonzero(new_page)
    entry_id, word_id = np.cumsum(new_page) - 1, np.cumsum(new_word) - 1
    entry_locs = np.bincount(entry_id, weights=1 + new_group).astype(np.int64)
    word_pages = np.bincount(word_id[entry_at])
    word_size = np.bincount(word_id[entry_at], weights=entry_locs + 1)
    gap = page - np.where(new_word, 0, np.concatenate([[0], page[:-1]]))
    delta = pos - np.where(new_group, 0, np.concatenate([[0], pos[:-1]]))
    present = [words[i] for i in rank[word_at].tolist()]
    encoded = [w.encode("utf-8") for w in present]
    lens = np.array([len(e) for e in encoded], dtype=np.int64)
    bounds, size = [0], 0
    for i, s in enumerate(word_size.tolist()):  # a chunk is closed once it reaches CHUNK_SIZE
        size += s
        if size >= CHUNK_SIZE or i == len(present) - 1:
            bounds.append(i + 1)
            size = 0
    # a row's CBOR items: its word's [word, text, [pages…]] heads, its page's [gap,
    # [locations…]] heads, a weight, the position, [] for metadata and [] for variants
    major = np.array([4, 3, 4, 4, 0, 4, 1, 0, 4, 4], dtype=np.uint8)
    row_at, chunks = np.append(word_at, len(rank)), []
    for a, b in pairwise(bounds):
        sl = slice(int(row_at[a]), int(row_at[b]))
        if (form[sl] >= 0).any():  # accented forms: rare, written word by word
            chunks.append([present[a], present[b - 1], _chunk_with_forms(words, rows, sl)])
            continue
        nw, np_, w, e = new_word[sl], new_page[sl], word_id[sl], entry_id[sl]
        three, nil = np.full(len(nw), 3), np.zeros(len(nw), dtype=np.int64)
        values = np.stack([three, lens[w], word_pages[w], three, gap[sl], entry_locs[e],
                           units[sl], delta[sl], nil, nil], axis=1).ravel()  # fmt: skip
        active = np.stack([nw, nw, nw, np_, np_, np_, new_group[sl], nil == 0, end_page[sl],
                           end_word[sl]], axis=1).ravel()  # fmt: skip
        slot, values = np.tile(np.arange(10), len(nw))[active], values[active]
        buf, payload = _cbor_heads(major[slot], values, np.where(slot == 1, values, 0))
        raw = bytearray(buf.tobytes())
        for word, at in zip(encoded[a:b], payload[slot == 1].tolist(), strict=True):
            raw[at : at + len(word)] = word
        chunks.append([present[a], present[b - 1], b"\x81" + _head(4, b - a) + bytes(raw)])
    return chunks


def _chunk_with_forms(words: list[str], rows, sl: slice) -> bytes:
    """One chunk's CBOR built in Python: for the rare chunks with accented forms."""
    entries: dict[int, dict[int, dict[int, list[tuple[int, int]]]]] = {}
    for r, p, u, x, f in zip(*(a[sl].tolist() for a in rows), strict=True):
        entries.setdefault(r, {}).setdefault(f, {}).setdefault(p, []).append((u, x))

    def listed(pages: dict[int, list[tuple[int, int]]]) -> list:
        out, previous = [], 0
        for p, found in pages.items():
            locs: list[int] = []
            for i, (u, x) in enumerate(found):
                new = i == 0 or u != found[i - 1][0]
                locs += [-u - 1, x] if new else [x - found[i - 1][1]]
            out.append([p - previous, locs, []])
            previous = p
        return out

    return cbor_encode([[
        [words[r], listed(f.get(-1, {})), [[words[k], listed(v)] for k, v in f.items() if k >= 0]]
        for r, f in entries.items()
    ]])  # fmt: skip
