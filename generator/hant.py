"""The Traditional-Chinese mirror, converted with official OpenCC.

``mirror`` turns the Simplified edition's files into the Traditional
edition's: the same paths, ids and URLs; only reader-facing text changes.
Phrases OpenCC gets wrong for this corpus are fixed by the reviewable data
file ``data/hant_overrides.yml``: each is swapped for a private-use
placeholder before conversion and restored in its correct form after, so
an override never interacts with OpenCC's own phrase segmentation.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import yaml

from . import cache, export, resources
from .model import Article
from .parallel import shared_map
from .plugin import DEFAULT_OPENCC, OPENCC_CONFIGS
from .publish import Kept, digest_of

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # as enrich.tags

DATA = resources.data_dir()
_PUA = 0xF0000  # supplementary private use area: never in news text


@lru_cache(maxsize=8)
def overrides(config: str = DEFAULT_OPENCC, path: str | None = None) -> tuple[tuple[str, str], ...]:
    """(simplified, traditional) phrase pairs for ``config``, longest first."""
    file = Path(path) if path else DATA / "hant_overrides.yml"
    data = yaml.load(file.read_text(encoding="utf-8"), Loader=YAML_LOADER) or []  # noqa: S506
    pairs = []
    for entry in data:
        configs = entry.get("configs") or list(OPENCC_CONFIGS)
        if config in configs:
            pairs.append((str(entry["simplified"]), str(entry["traditional"])))
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[0])))


@lru_cache(maxsize=8)
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


def convert_text(text: str, config: str = DEFAULT_OPENCC) -> str:
    """Simplified → Traditional with OpenCC plus the phrase overrides."""
    pairs = overrides(config)
    slots: list[str] = []
    for simplified, traditional in pairs:
        if simplified in text:
            marker = chr(_PUA + len(slots))
            slots.append(traditional)
            text = text.replace(simplified, marker)
    text = _opencc(config).convert(text)
    for i, traditional in enumerate(slots):
        text = text.replace(chr(_PUA + i), traditional)
    return text


LIST_ITEM = "- ["  # an article's line in a list page: the same on every list it is in


def convert_page(text: str, config: str = DEFAULT_OPENCC) -> str:
    """``convert_text`` of a generated page, its list lines converted once per process.

    An article's list line recurs on its tag, city, date, paper and topic
    pages (half of an edition's text at 10,000 articles). OpenCC's phrases
    hold no line break, so converting line by line gives the same text.
    """
    if LIST_ITEM not in text:
        return convert_text(text, config)
    out: list[str] = []
    plain: list[str] = []
    for line in text.split("\n"):
        if line.startswith(LIST_ITEM):
            if plain:
                out.append(convert_text("\n".join(plain), config))
                plain = []
            out.append(_convert_list_line(line, config))
        else:
            plain.append(line)
    if plain:
        out.append(convert_text("\n".join(plain), config))
    return "\n".join(out)


@lru_cache(maxsize=1 << 16)
def _convert_list_line(line: str, config: str) -> str:
    return convert_text(line, config)


def converter(settings) -> Callable[[str], str]:
    """The conversion function for the configured OpenCC setting."""
    config = settings.opencc

    def convert(text: str) -> str:
        return convert_text(text, config)

    return convert


_KEEP_AS_IS = ("sources/",)  # raw source files are evidence: shown as printed


def mirror(
    files: dict[str, str | Kept],
    settings,
    articles: list[Article] | None = None,
    memo: cache.Memo | None = None,
    previous: dict[str, str] | None = None,
) -> dict[str, str | Kept]:
    """The Traditional edition: same paths, converted text.

    ``memo`` keeps, by a hash of each Simplified text, what its conversion
    gave; with ``previous`` (the manifest of the Traditional docs folder) a
    page whose converted text is already on disk is kept, not converted
    again. A ``Kept`` Simplified page is read from ``settings.docs`` when its
    Traditional page has to be made.
    """
    memo = memo or cache.Memo(None)
    previous = previous or {}
    config = settings.opencc
    convert = converter(settings)

    def cached(text: str) -> str:
        return memo.get(cache.key("hant", config, text), lambda: convert(text))

    out: dict[str, str | Kept] = {}
    counts: Counter[str] = Counter()
    todo: list[tuple[str, bytes, str]] = []  # pages to convert: path, memo key, text
    records = _Records(memo, config, _last_records(settings, memo, config, previous))
    for path, text in files.items():
        if path.startswith(_KEEP_AS_IS):
            same = isinstance(text, Kept) and previous.get(path) == text.digest
            out[path] = text if same else _text(text, settings, path)
        elif path == "data/corpus.jsonl" and articles is not None:
            records.plan(_text(text, settings, path), articles)
            out[path] = ""  # converted below, with the pages
        elif path == "data/corpus.jsonl":
            out[path] = _convert_jsonl(_text(text, settings, path), cached)
            counts.update(_variant_counts(out[path]))
        elif path.endswith(".md"):
            k = cache.key("hant-md", config, digest_of(text))
            found, digest = memo.lookup(k)
            if found and previous.get(path) == digest:
                out[path] = Kept(digest)
            else:
                todo.append((path, k, _text(text, settings, path)))
                out[path] = ""  # converted below, all at once
        else:
            out[path] = cached(_text(text, settings, path))
    texts = [t for _, _, t in todo]
    converted, made = _convert_both(texts, config, settings.workers, records.todo)
    for (path, k, _), text in zip(todo, converted, strict=True):
        out[path] = text
        memo.put(k, digest_of(text))
    if records.lines is not None:
        out["data/corpus.jsonl"] = records.finish(made, counts)
    out["assets/javascripts/variants.js"] = variants_script(counts)
    return out


_CORPUS = "data/corpus.jsonl"


class _LastRun:
    """The corpus files of the last run, both editions, as on disk: the
    Traditional line of each Simplified line, and the edition's variant counts."""

    def __init__(self, simplified: list[str], traditional: list[str], counts: dict) -> None:
        self.lines: dict[str, list[str]] = {}  # Simplified line → its Traditional lines
        for s, t in zip(simplified, traditional, strict=True):
            self.lines.setdefault(s, []).append(t)
        self.counts = Counter(counts)


def _last_records(settings, memo: cache.Memo, config: str, previous: dict) -> _LastRun | None:
    """The last run's corpus files, when both are on disk as the manifests say
    and the memo knows that this code made the Traditional one from the
    Simplified one (``_pair_key``); else None."""
    from .publish import digest, read_manifest

    made, shown = read_manifest(settings.docs).get(_CORPUS), previous.get(_CORPUS)
    if not made or not shown:
        return None
    found, counts = memo.lookup(_pair_key(config, made, shown))
    if not found or not isinstance(counts, dict):
        return None
    try:
        simplified = (settings.docs / _CORPUS).read_bytes()
        traditional = (settings.docs_hant / _CORPUS).read_bytes()
    except OSError:
        return None
    if digest(simplified) != made or digest(traditional) != shown:
        return None
    s_lines = simplified.decode("utf-8").split("\n")
    t_lines = traditional.decode("utf-8").split("\n")
    if len(s_lines) != len(t_lines) or s_lines[-1] or t_lines[-1]:
        return None
    return _LastRun(s_lines[:-1], t_lines[:-1], counts)


def _pair_key(config: str, simplified: str, traditional: str) -> bytes:
    """Memo key saying: the Traditional corpus file of hash ``traditional`` was
    made by this code (``cache.key``) and ``config`` from the Simplified one of
    hash ``simplified``; its value is the file's ``_variant_counts``."""
    return cache.key("hant-corpus", config, simplified, traditional)


class _Records:
    """``export.jsonl(articles, convert)`` made from the Simplified corpus file,
    converting only records not seen before; ``finish`` also adds the
    ``_variant_counts`` of the records to the edition's counts.

    A record's Traditional line is taken from the last run's Traditional file
    (``last``: line for line, when that file was made from the last Simplified
    one by this code), else from the memo (keyed by its Simplified line), else
    made. With ``last`` the counts are the last run's, less the lines no longer
    used, plus the others: the same sums, without decoding 10,000 memo entries.
    """

    def __init__(self, memo: cache.Memo, config: str, last: _LastRun | None = None) -> None:
        self.memo, self.config, self.last = memo, config, last
        self.lines: list[tuple[str, dict[str, int] | None] | None] | None = None
        self.keys: list[bytes | None] = []
        self.todo: list[Article] = []  # articles whose records must be made
        self._todo_at: dict[bytes, int] = {}  # memo key → index in todo

    def plan(self, text: str, articles: list[Article]) -> None:
        ordered = sorted(articles, key=export.sort_key)
        simplified = text.split("\n")[: len(ordered)]
        self.lines = []
        self.simplified = text
        reuse = self.last.lines if self.last is not None else {}
        for s, a in zip(simplified, ordered, strict=True):
            k = cache.key("hant-record", self.config, s)
            again = reuse.get(s)
            if again:
                line = again.pop()
                if not self.memo.keep(k):  # (kept for a run without the last files)
                    self.memo.put(k, (line, _variant_counts(line)))
                self.keys.append(None)
                self.lines.append((line, None))  # counted with the last run's
                continue
            self.keys.append(k)
            found, value = self.memo.lookup(k)
            if not found and k not in self._todo_at:
                self._todo_at[k] = len(self.todo)
                self.todo.append(a)
            self.lines.append(value if found else None)

    def finish(self, made: list[tuple[str, dict[str, int]]], counts: Counter[str]) -> str:
        out: list[str] = []
        stored: set[bytes] = set()
        total: Counter[str] = Counter()
        if self.last is not None:
            total = self.last.counts
            for left in self.last.lines.values():  # lines of records no longer made
                for line in left:
                    for char, n in _variant_counts(line).items():
                        total[char] -= n
        for k, value in zip(self.keys, self.lines, strict=True):
            if value is None:
                value = made[self._todo_at[k]]
                if k not in stored:
                    stored.add(k)
                    self.memo.put(k, value)
            line, found = value
            out.append(line)
            if found is not None:
                total.update(found)
        total = Counter({char: n for char, n in total.items() if n > 0})
        text = export.join_lines(out)
        pair = _pair_key(self.config, digest_of(self.simplified), digest_of(text))
        if not self.memo.lookup(pair)[0]:  # (found when nothing changed)
            self.memo.put(pair, dict(total))
        counts.update(total)
        return text


def _record(a: Article, config: str) -> tuple[str, dict[str, int]]:
    """An article's Traditional record and its ``_variant_counts``."""
    wanted: list[str] = []  # the fields the record converts: collected, converted together
    export.record(a, lambda text: wanted.append(text) or text)
    line = export.line(a, convert_many(wanted, config).__getitem__)
    return line, _variant_counts(line)


def convert_many(texts: list[str], config: str = DEFAULT_OPENCC) -> dict[str, str]:
    """``convert_text`` of each text, as a dict: the texts without a line break
    in one OpenCC call (a record has ~30 short fields; a call costs more than
    its characters). OpenCC's phrases and the overrides hold no line break, so
    converting the joined lines gives each line's own conversion.
    """
    lines = list(dict.fromkeys(t for t in texts if "\n" not in t))
    out: dict[str, str] = {}
    if lines:
        out.update(zip(lines, convert_text("\n".join(lines), config).split("\n"), strict=True))
    for text in texts:
        if "\n" in text and text not in out:
            out[text] = convert_text(text, config)
    return out


PARALLEL_FROM = 256  # pages and records; fewer are converted in this process
CHUNK = 64  # pages or records per task of a worker


def _convert_both(
    texts: list[str], config: str, workers: int | None, records: list[Article]
) -> tuple[list[str], list[tuple[str, dict[str, int]]]]:
    """``convert_text`` of every text and ``_record`` of every article of
    ``records``, shared with forks of this process when there are many
    (``parallel.shared_map``): they convert what they inherited.
    """
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if len(texts) + len(records) < PARALLEL_FROM:
        workers = 1
    tasks = [(True, i) for i in range(0, len(records), CHUNK)]
    tasks += [(False, i) for i in range(0, len(texts), CHUNK)]

    def convert_chunk(n: int) -> list:
        is_record, start = tasks[n]
        if is_record:
            return [_record(a, config) for a in records[start : start + CHUNK]]
        return [convert_page(t, config) for t in texts[start : start + CHUNK]]

    results = shared_map(convert_chunk, len(tasks), workers)
    converted = [t for (rec, _), r in zip(tasks, results, strict=True) if not rec for t in r]
    made = [x for (rec, _), r in zip(tasks, results, strict=True) if rec for x in r]
    return converted, made


def _text(content: str | Kept, settings, path: str) -> str:
    """The Simplified text of a generated file (read from docs/ when it was kept)."""
    if isinstance(content, Kept):
        return (settings.docs / path).read_text(encoding="utf-8")
    return content


def _variant_counts(text: str) -> dict[str, int]:
    """How often ``text`` uses each Traditional character with another Simplified form."""
    return dict(Counter(_variant_chars().findall(text)))


@lru_cache(maxsize=1)
def _variant_chars() -> re.Pattern[str]:
    """The Han characters (as ``_HAN``) whose Simplified form differs, as one class.

    Made with one OpenCC call over every character, one per line (no OpenCC
    phrase spans a line break, so each is converted as if alone).
    """
    t2s = _opencc("t2s")
    chars = [chr(cp) for cp in range(0x3400, 0xA000)]
    simplified = t2s.convert("\n".join(chars)).split("\n")
    if len(simplified) != len(chars):  # never seen; the slow way stays correct
        simplified = [_t2s_char(c, t2s) for c in chars]
    variants = "".join(c for c, s in zip(chars, simplified, strict=True) if s != c)
    return re.compile(f"[{variants}]")


@lru_cache(maxsize=65536)
def _t2s_char(char: str, t2s) -> str:
    return t2s.convert(char)


_READER_FIELDS = (
    "title",
    "subtitle",
    "kicker",
    "column",
    "date_source",
    "paper",
    "dateline",
    "byline",
    "text",
)
_READER_LISTS = ("reporters", "cities", "places", "tags", "topics")


def _convert_jsonl(text: str, convert: Callable[[str], str]) -> str:
    lines = []
    for line in text.splitlines():
        rec = json.loads(line)
        for key in _READER_FIELDS:
            if rec.get(key):
                rec[key] = convert(rec[key])
        for key in _READER_LISTS:
            rec[key] = [convert(v) for v in rec.get(key) or []]
        lines.append(json.dumps(rec, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")


_HAN = re.compile("[\u3400-\u9fff]")


def variants_js(files: dict[str, str]) -> str:
    """``variants_script`` for the Han characters of these Traditional pages.

    (``mirror`` counts the characters of the articles' records instead: the
    same text, counted once per article rather than once per page.)
    """
    counts: Counter[str] = Counter()
    for path, text in files.items():
        if path.endswith(".md") and not path.startswith(_KEEP_AS_IS):
            counts.update(_variant_counts(text))
    return variants_script(counts)


def variants_script(counts: Counter[str]) -> str:
    """``window.__archiveVariants``: Simplified character → its Traditional form here.

    Lets a reader type Simplified (长春) into the Traditional site's search:
    the query is mapped character by character to the forms this edition uses
    (the most frequent one where several exist). ``counts``: how often each
    Traditional character occurs in the edition.
    """
    t2s = _opencc("t2s")
    best: dict[str, tuple[int, str]] = {}
    for char, n in counts.items():
        simplified = _t2s_char(char, t2s)
        if simplified != char and len(simplified) == 1:
            if simplified not in best or (n, char) > best[simplified]:
                best[simplified] = (n, char)
    return variants_file({s: t for s, (_, t) in sorted(best.items())})


def variants_file(mapping: dict[str, str]) -> str:
    """``variants.js``: ``window.__archiveVariants = {...};``, the query map an
    edition's search scripts apply character by character (both editions)."""
    return (
        "window.__archiveVariants = "
        + json.dumps(dict(mapping), ensure_ascii=False, separators=(",", ":"))
        + ";\n"
    )


# The Traditional search dictionaries: the same file names for every OpenCC
# variant, so mkdocs-hant.yml and mkdocs-hant-offline.yml name them once.
HANT_DICTIONARIES = ("jieba_dict_hant.txt", "newsroom_dict_hant.txt")
DICTIONARY_STAMP = "hant_dictionaries.json"  # the variant and inputs they were made from
_STAMP_FORMAT = 1


def jieba_dictionaries(settings, folder: Path | None = None) -> tuple[Path, Path]:
    """jieba's dictionary and the newsroom dictionary converted to Traditional.

    Written into ``folder`` (default: the project's ``.generator-cache/``,
    ``settings.CACHE_FOLDER``, where ``mkdocs-hant*.yml`` look for them)
    under names that do not depend on the OpenCC variant; used by the
    Traditional edition's search index so Traditional words segment whole.
    ``DICTIONARY_STAMP`` beside them records the variant and a digest of every
    input (both dictionaries, the phrase overrides, OpenCC's version): they
    are made again when any of it changes, and left alone otherwise.
    """
    import jieba

    from .settings import CACHE_FOLDER

    folder = folder if folder is not None else settings.root / CACHE_FOLDER
    sources = (Path(jieba.__file__).parent / "dict.txt", DATA / "newsroom_dict.txt")
    targets = tuple(folder / name for name in HANT_DICTIONARIES)
    stamp = _dictionary_stamp(settings.opencc, sources)
    stamp_file = folder / DICTIONARY_STAMP
    if all(t.is_file() for t in targets) and _read_stamp(stamp_file) == stamp:
        return targets[0], targets[1]
    folder.mkdir(parents=True, exist_ok=True)
    convert = converter(settings)
    for source, target in zip(sources, targets, strict=True):
        seen: dict[str, str] = {}
        for line in source.read_text(encoding="utf-8").splitlines():
            parts = line.split(" ")
            if not parts or not parts[0]:
                continue
            word = convert(parts[0])
            seen.setdefault(word, " ".join([word, *parts[1:]]))
        write_atomically(target, "\n".join(seen.values()) + "\n")
    write_atomically(stamp_file, json.dumps(stamp, ensure_ascii=False, sort_keys=True) + "\n")
    return targets[0], targets[1]


def dictionary_variant(folder: Path) -> str | None:
    """The OpenCC variant the dictionaries in ``folder`` were made with (None: none made)."""
    return (_read_stamp(folder / DICTIONARY_STAMP) or {}).get("opencc")


def _dictionary_stamp(config: str, sources: tuple[Path, ...]) -> dict[str, object]:
    """What the Traditional dictionaries depend on: the variant and each input's digest."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version

    try:
        opencc_version = version("OpenCC")
    except PackageNotFoundError:  # installed some other way: its files still count
        opencc_version = "unknown"
    inputs = {}
    for path in (*sources, DATA / "hant_overrides.yml"):
        inputs[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {
        "format": _STAMP_FORMAT,
        "opencc": config,
        "opencc_version": opencc_version,
        "inputs": inputs,
    }


def _read_stamp(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_atomically(target: Path, text: str) -> None:
    """Write ``target`` whole or not at all (another run may read it meanwhile)."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
