"""Keyword tags and controlled topics for articles.

Tags are jieba TF-IDF keywords (jieba's own IDF table and rules, as in
``jieba.analyse.extract_tags``) over the title (counted twice) and the body,
segmented with jieba's dictionary plus ``data/newsroom_dict.txt`` and filtered
with ``data/stopwords.txt``. Afterwards the candidates are cleaned: no single
characters, no numbers or number+unit tokens (2022年, 400亿元, 18项), nothing
containing 记者/日讯/通讯员/本报, no stopwords and nothing the caller excludes
(reporter names, place names), and no fragments: markup words (``script``,
``alert`` of ``<script>alert(1)</script>``), parts of a place name (``兰花`` of
乌兰花镇, ``新区`` of 梅河新区) and broken words the HMM glued across a word
boundary (``旅局`` of 文广旅局); see "Fragments" below. Variants are merged through
``data/tag_aliases.yml`` (长春市 -> 长春) and the result is ordered by weight,
ties by the word, so it is deterministic.

Topics come from ``data/topics.yml``: a longest-match keyword scan with the
scoring and threshold described in that file.

Speed: segmentation uses ``rjieba`` (jieba-rs) when it is importable. It is
loaded with jieba's own ``dict.txt`` and the same user dictionary, and made to
cut exactly like jieba:

* jieba-rs replaces the frequency of a word that is added again, while jieba
  adds the new frequency to its total without removing the old one (jieba's
  ``dict.txt`` itself has one duplicate, B超). The route probabilities depend
  on that total, so the difference is added back to jieba-rs as the frequency
  of a private-use placeholder word that can never occur in a text block.
* jieba-rs keeps ASCII runs such as ``2021-2025`` whole where jieba's HMM step
  splits them (``2021``/``-``/``2025``); such tokens are split again with
  jieba's own pattern.

TF-IDF is then computed here with exactly jieba's arithmetic, so the weights
are bit-identical. ``tests/test_tags.py`` checks this against
``jieba.analyse.extract_tags`` on every paragraph of the bundled corpus. Set
``GENERATOR_TOKENIZER=jieba`` to force the pure-jieba tokenizer (it is also
the fallback when rjieba is missing).

Importing this module keeps jieba's ``Building prefix dict`` / ``Loading
model`` lines off stderr for the whole process (:func:`quiet_jieba`).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import itemgetter
from pathlib import Path

import yaml

from .. import resources

# libyaml's safe loader where PyYAML has it: the same data, several times faster
# (the gazetteer alone took 0.1 s in every process that read it)
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DATA_DIR = resources.data_dir()
USER_DICT_PATH = DATA_DIR / "newsroom_dict.txt"
STOPWORDS_PATH = DATA_DIR / "stopwords.txt"
TOPICS_PATH = DATA_DIR / "topics.yml"
ALIASES_PATH = DATA_DIR / "tag_aliases.yml"

BACKEND_ENV = "GENERATOR_TOKENIZER"  # "rjieba" or "jieba"
TITLE_REPEAT = 2  # the title is counted this many times
DEFAULT_TOP_K = 8

# ``jieba.analyse.tfidf.KeywordExtractor.STOP_WORDS``, always part of jieba's
# stopword set (a test checks that this copy is equal).
JIEBA_STOP_WORDS = frozenset(
    {
        "the", "of", "is", "and", "to", "in", "that", "we", "for", "an", "are",
        "by", "be", "as", "on", "with", "can", "if", "from", "which", "you", "it",
        "this", "then", "at", "have", "all", "not", "one", "has", "or",
    }
)  # fmt: skip

# jieba's user-dictionary line pattern (``jieba.re_userdict``).
_USERDICT_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")
# jieba's ``finalseg`` pattern for non-Han runs inside an HMM buffer.
_FINALSEG_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
# A word jieba-rs never needs to look up: private-use characters are outside
# jieba's Han/alnum class, so they are never part of a segmented block.
_TOTAL_PAD_WORD = "\ue000\ue001\ue002"

# Candidate filters -------------------------------------------------------

_FORBIDDEN_PARTS = ("记者", "日讯", "通讯员", "本报")
_HAS_WORD_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_NUMERALS = "0-9０-９零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
_NUMBER_SEPARATORS = r".．,，:：/／~～\-—·%％‰+"
_UNITS = sorted(
    """公里 千米 平方米 平方公里 公顷 千瓦时 千瓦 兆瓦 吉瓦 公斤 千克 毫米 厘米 季度 年度
    周年 小时 分钟 百分点 人次 户次 架次 车次 年 月 日 号 时 分 秒 天 周 岁 届 次 项 个 家
    座 条 件 名 人 位 户 亩 元 吨 米 倍 批 场 所 台 辆 套 只 头 部 本 种 类 期 季 代 级 股 篇
    节 轮 版 章 起 宗 块 层 栋 间 处 张 支 枚 颗 架 艘 列 趟 份 剂 针 例 册 集 度 成 点 型 大
    强 佳 方 地 片 里 克 升 瓦 斤 两 回 遍 声 步 组 对 双 团 队 群 线 路 站 道""".split(),
    key=len,
    reverse=True,
)
_NUMBER_TOKEN = re.compile(
    rf"(?:第|近|约|超|逾)?"
    rf"(?:[{_NUMERALS}][{_NUMERALS}{_NUMBER_SEPARATORS}]*(?:多|余)?(?:{'|'.join(_UNITS)})?)+"
    rf"|[多余](?:{'|'.join(_UNITS)})"
)
# A word that is in neither jieba's dictionary nor the user dictionary (found
# by jieba's HMM: 厅原, 月生, 旅局 ...) must occur at least this often, the
# title counted once (it is repeated for weight, not as more evidence).
MIN_COUNT_UNKNOWN = 2
# Beyond the first MIN_TAGS, a tag needs at least this share of the best
# tag's weight (drops one-off words from the tail of short articles).
MIN_TAGS = 3
MIN_RELATIVE_WEIGHT = 0.15


# jieba's log ------------------------------------------------------------


class _JiebaProgress(logging.Filter):
    """Drops jieba's DEBUG and INFO records, keeps its warnings and errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


def quiet_jieba() -> None:
    """Keep jieba's ``Building prefix dict`` / ``Loading model`` lines off stderr.

    jieba logs them at DEBUG on its logger ``"jieba"`` (``jieba.default_logger``,
    with a stderr handler of its own) whenever a dictionary is loaded: here, in
    ``merge.py`` and ``clean.py`` (jieba's default tokenizer) and in Material's
    search plugin. The import of jieba sets that logger to DEBUG, which would
    undo a level set before it, so the progress records are dropped by a filter
    on the logger: it holds whether jieba is imported before or after, costs no
    import of jieba (70 ms), and forked workers inherit it. If jieba is already
    imported its public ``setLogLevel`` is called as well. Idempotent.
    """
    logger = logging.getLogger("jieba")
    if not any(isinstance(f, _JiebaProgress) for f in logger.filters):
        logger.addFilter(_JiebaProgress())
    jieba = sys.modules.get("jieba")
    if jieba is not None and hasattr(jieba, "setLogLevel"):
        jieba.setLogLevel(logging.WARNING)


quiet_jieba()  # every command imports this module (through generator.enrich)


@dataclass(frozen=True)
class Tokenizer:
    """The word segmenter used for tags: ``cut(text)`` gives jieba's tokens."""

    backend: str  # "rjieba" or "jieba"
    cut: Callable[[str], list[str]]
    has_word: Callable[[str], bool]  # in jieba's dictionary or the user dictionary

    def __call__(self, text: str) -> list[str]:
        return self.cut(text)


# Data files --------------------------------------------------------------


@cache
def user_dict_entries() -> tuple[tuple[str, int, str | None], ...]:
    """``(word, freq, pos)`` of ``newsroom_dict.txt``, parsed as jieba does."""
    entries = []
    for lineno, raw in enumerate(USER_DICT_PATH.read_bytes().split(b"\n"), 1):
        line = raw.strip().decode("utf-8").lstrip("\ufeff")
        if not line:
            continue
        word, freq, tag = _USERDICT_LINE.match(line).groups()
        if freq is None:
            # jieba and jieba-rs would each guess a frequency, differently.
            raise ValueError(f"{USER_DICT_PATH}:{lineno}: entry has no frequency: {line!r}")
        entries.append((word, int(freq), tag.strip() if tag else None))
    return tuple(entries)


@cache
def user_words() -> frozenset[str]:
    return frozenset(word for word, _, _ in user_dict_entries())


@cache
def place_words() -> frozenset[str]:
    """Words the user dictionary tags as places (``ns``)."""
    return frozenset(word for word, _, pos in user_dict_entries() if pos == "ns")


@cache
def stopwords() -> frozenset[str]:
    """jieba's built-in stop words plus every line of ``stopwords.txt``.

    Lines are taken as they are, like ``KeywordExtractor.set_stop_words``.
    """
    lines = STOPWORDS_PATH.read_bytes().decode("utf-8").splitlines()
    return JIEBA_STOP_WORDS | frozenset(lines)


def _jieba_dir() -> Path:
    import jieba

    return Path(jieba.__file__).parent


@cache
def _idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table and its median, loaded like ``jieba.analyse.IDFLoader``."""
    idf: dict[str, float] = {}
    content = (_jieba_dir() / "analyse" / "idf.txt").read_bytes().decode("utf-8")
    for line in content.splitlines():
        word, freq = line.strip().split(" ")
        idf[word] = float(freq)
    median = sorted(idf.values())[len(idf) // 2]
    return idf, median


# Tokenizers --------------------------------------------------------------


@cache
def _jieba_tokenizer():
    """A private ``jieba.Tokenizer`` with jieba's dictionary and the user dict."""
    import jieba

    quiet_jieba()
    tok = jieba.Tokenizer()
    tok.load_userdict(str(USER_DICT_PATH))
    return tok


@cache  # one function per tokenizer: _select remembers word facts per has_word
def _jieba_has_word(tok) -> Callable[[str], bool]:
    freq = tok.FREQ

    def has_word(word: str) -> bool:
        return bool(freq.get(word))

    return has_word


@cache
def _rjieba_cut() -> tuple[Callable[[str], list[str]], Callable[[str], bool]]:
    import rjieba

    if hasattr(rjieba.Jieba, "empty"):
        seg = rjieba.Jieba.empty()
    else:  # older bindings: load the embedded dictionary, then drop it
        seg = rjieba.Jieba()
        seg.clear()
    add = seg.add_word
    freqs: dict[str, int] = {}
    jieba_total = 0  # what jieba's Tokenizer.total will be
    with open(_jieba_dir() / "dict.txt", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            word, freq = parts[0], int(parts[1])
            add(word, freq, parts[2] if len(parts) > 2 else None)
            freqs[word] = freq
            jieba_total += freq
    for word, freq, tag in user_dict_entries():
        add(word, freq, tag)
        freqs[word] = freq
        jieba_total += freq
    if any(freq <= 0 for freq in freqs.values()):
        # jieba treats a zero frequency as "not a word"; jieba-rs does not.
        raise ValueError("dictionary entries with frequency 0 are not supported")
    pad = jieba_total - sum(freqs.values())
    if pad > 0:
        add(_TOTAL_PAD_WORD, pad, None)
    del freqs
    cut = seg.cut
    known: dict[str, bool] = {}  # has_word is asked ~100 times per article: remember

    def has_word(word: str, _get=known.get, _ask=seg.has_word) -> bool:
        found = _get(word)
        if found is None:
            found = known[word] = _ask(word)
        return found

    simple = re.compile(r"[a-zA-Z0-9]+(?:\.\d+)?%?").fullmatch
    split = _FINALSEG_SKIP.split

    # Only a token with one of these characters can need splitting again: any
    # other ASCII character outside [A-Za-z0-9] is a token of its own.
    maybe_joined = re.compile(r"[+#&._%\-]").search

    def needs_split(w: str) -> bool:
        return len(w) > 1 and w.isascii() and not simple(w) and not has_word(w) and bool(w.strip())

    def cut_like_jieba(text: str) -> list[str]:
        words = cut(text, True)
        if maybe_joined(text) is None:
            return words
        # Only an ASCII token can need splitting; there are few, and filter() finds them in C.
        joined = {w for w in set(filter(str.isascii, words)) if needs_split(w)}
        if not joined:
            return words
        out: list[str] = []
        for w in words:
            if w in joined:
                out.extend(x for x in split(w) if x)
            else:
                out.append(w)
        return out

    return cut_like_jieba, has_word


def _backend() -> str:
    wanted = os.environ.get(BACKEND_ENV, "").strip().lower()
    if wanted == "jieba":
        return "jieba"
    try:
        import rjieba  # noqa: F401
    except ImportError:
        if wanted == "rjieba":
            raise
        return "jieba"
    return "rjieba"


@cache
def _tokenizer(backend: str) -> Tokenizer:
    if backend == "rjieba":
        cut, has_word = _rjieba_cut()
        return Tokenizer("rjieba", cut, has_word)
    tok = _jieba_tokenizer()
    return Tokenizer("jieba", lambda text: tok.lcut(text, HMM=True), _jieba_has_word(tok))


def tokenizer() -> Tokenizer:
    """The tokenizer used for tags (rjieba unless ``GENERATOR_TOKENIZER=jieba``)."""
    return _tokenizer(_backend())


# Aliases -----------------------------------------------------------------


@dataclass(frozen=True)
class _StripRule:
    suffixes: tuple[str, ...]
    min_stem_chars: int
    when: frozenset[str]
    keep: frozenset[str]


@dataclass(frozen=True)
class _Aliases:
    mapping: dict[str, str]
    rules: tuple[_StripRule, ...]
    places: frozenset[str]
    suffixes: tuple[str, ...]  # of all rules, for a quick test

    def follow(self, word: str) -> str:
        return self.mapping.get(word, word)

    def canonical(self, word: str, candidates: frozenset[str] | set[str] = frozenset()) -> str:
        word = self.follow(word)
        if not word.endswith(self.suffixes):
            return word
        for rule in self.rules:
            if word in rule.keep:
                continue
            for suffix in rule.suffixes:
                stem = word.removesuffix(suffix)
                if stem == word or len(stem) < rule.min_stem_chars:
                    continue
                if ("stem_is_place" in rule.when and stem in self.places) or (
                    "stem_is_candidate" in rule.when and stem in candidates
                ):
                    word = self.follow(stem)
                    break
        return word


_RULE_CONDITIONS = {"stem_is_place", "stem_is_candidate"}


@cache
def _aliases() -> _Aliases:
    data = yaml.load(ALIASES_PATH.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}  # noqa: S506
    raw_mapping = {str(k): str(v) for k, v in (data.get("aliases") or {}).items()}
    mapping = {}
    for variant in raw_mapping:  # resolve chains once: a -> b -> c gives a -> c
        seen, word = {variant}, raw_mapping[variant]
        while word in raw_mapping and word not in seen:
            seen.add(word)
            word = raw_mapping[word]
        if word in seen:
            raise ValueError(f"{ALIASES_PATH}: alias cycle through {variant!r}")
        mapping[variant] = word
    rules = []
    for raw in data.get("rules") or []:
        when = frozenset(raw.get("when") or ())
        unknown = when - _RULE_CONDITIONS
        if unknown:
            raise ValueError(f"{ALIASES_PATH}: rule {raw.get('id')!r}: unknown when {unknown}")
        rules.append(
            _StripRule(
                suffixes=tuple(raw.get("strip_suffix") or ()),
                min_stem_chars=int(raw.get("min_stem_chars", 2)),
                when=when,
                keep=frozenset(raw.get("keep") or ()),
            )
        )
    places = place_words() | frozenset(str(w) for w in data.get("place_stems") or ())
    suffixes = tuple(sorted({suffix for rule in rules for suffix in rule.suffixes}))
    return _Aliases(mapping, tuple(rules), places, suffixes)


def canonical_tag(word: str) -> str:
    """The canonical form of a tag (aliases and rules that need no context)."""
    return _aliases().canonical(word)


# Tags --------------------------------------------------------------------


def _document(title: str, paragraphs: Iterable[str]) -> str:
    return "\n".join([title] * TITLE_REPEAT + list(paragraphs))


def _tfidf(counts: dict[str, int]) -> list[tuple[str, float]]:
    """``jieba.analyse.extract_tags(..., topK=None, withWeight=True)`` on token counts.

    Same filter (length of the stripped word < 2, lower-cased word in the
    stopwords), same arithmetic (``count * (idf / total)``), unsorted.
    """
    known = _WORD_IDF
    kept = [(w, c, idf) for w, c in counts.items() if (idf := known[w]) is not None]
    if not kept:
        return []
    total = float(sum(c for _, c, _ in kept))
    return [(w, float(c) * (idf / total)) for w, c, idf in kept]


class _Memo(dict):
    """A dict that computes a missing value with ``make(key)`` and keeps it.

    One lookup per hit, and the hits are plain C dict lookups.
    """

    def __init__(self, make: Callable) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


def _word_idf(word: str) -> float | None:
    """A word's IDF (the median for an unknown word); None: TF-IDF leaves it out."""
    if len(word.strip()) < 2 or word.lower() in stopwords():
        return None
    idf, median = _idf()
    return idf.get(word, median)


_WORD_IDF: dict[str, float | None] = _Memo(_word_idf)  # remembered per process


def is_number_token(word: str) -> bool:
    """2022年, 400亿元, 18项, 1.5, 95%, 第二批, 三季度 ... (user-dict words never)."""
    return word not in user_words() and _NUMBER_TOKEN.fullmatch(word) is not None


@lru_cache(maxsize=1 << 18)
def allowed_tag(word: str) -> bool:
    """Whether a word may be a tag at all (before the caller's exclusions)."""
    return (
        len(word) >= 2
        and _HAS_WORD_CHAR.search(word) is not None
        and word not in stopwords()
        and word.lower() not in stopwords()
        and not any(part in word for part in _FORBIDDEN_PARTS)
        and not is_number_token(word)
    )


# Surnames that rarely begin an ordinary word (unlike 高, 金, 白, 惠, 全 …): an
# unknown word starting with one of them is almost always a person's name.
NAME_INITIALS = frozenset(
    "王李张刘陈杨赵吴周徐孙朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖董袁潘蒋蔡杜魏吕丁沈姚卢"
    "姜崔谭陆汪范廖贾夏韦邹孟熊秦邱尹薛闫段侯史陶黎贺顾郝龚邵"
)


_NAME_SHAPE = re.compile("[\u4e00-\u9fff]{2,3}").fullmatch  # 2–3 CJK ideographs


@cache
def _common_surnames() -> frozenset[str]:
    from .people import COMMON_SURNAMES  # people imports this module

    return COMMON_SURNAMES


def _name_by_itself(word: str, has_word: Callable[[str], bool]) -> bool:
    """An unknown word of 2–3 ideographs starting with a common surname (张琼 of 张琼月)."""
    return _NAME_SHAPE(word) is not None and not has_word(word) and word[0] in NAME_INITIALS


def _name_in_text(word: str, has_word: Callable[[str], bool], text: str) -> bool:
    """A word of 2–3 ideographs that in ``text`` only ever follows a surname character
    (海滨 of 黎海滨), never as part of a known word (市长 of 李市长 is a word: 李市)."""
    if _NAME_SHAPE(word) is None:
        return False
    surnames = _common_surnames()
    # Every non-overlapping occurrence must follow a surname: stop at the first that does not.
    i = text.find(word)
    if i == -1:
        return False
    while i != -1:
        if i == 0 or text[i - 1] not in surnames or has_word(text[i - 1] + word):
            return False
        i = text.find(word, i + len(word))
    return True


@cache
def _surname_then_two() -> re.Pattern[str]:
    """Finds the two characters after each common surname character.

    Only the surname character is consumed, so every one of them is found.
    """
    return re.compile("[" + "".join(sorted(_common_surnames())) + "](?=(..))", re.DOTALL)


def _after_surnames(text: str) -> set[str]:
    """Every two-character string of ``text`` that follows a common surname character.

    A word whose first two characters are not in it cannot pass
    :func:`_name_in_text` (its first occurrence would have to follow a surname).
    """
    return set(_surname_then_two().findall(text))


# Fragments ---------------------------------------------------------------
#
# One rule per kind of fragment. Each looks at every occurrence of the word in
# the article and rejects it only when *all* of them are fragments, so a word
# that also stands on its own somewhere stays a tag. They search the text, so
# ``_select`` asks them only about the words of the tags that make the list
# (about ten an article, not the few hundred candidates), and what can be
# known without the text is worked out once per word (``_Word``).

# Markup: ASCII characters that never appear in an acronym or a model name
# (GDP, U14, E-HS9, 5G, C++) but make up HTML, entities, URLs, Markdown and
# template syntax (<script>, &lt;, https://, [x](y), {: .class}, {{ x }}).
_MARKUP_CHARS = frozenset("<>&=/\\{}[]:;|`\"'")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*").fullmatch
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _latin_word_allowed(word: str, known: bool) -> bool:
    """An ASCII word may be a tag only as an acronym (GDP, HTML), a code with a
    digit (U14, J6, 5G) or a word of the dictionaries: never a lower- or
    mixed-case English word (``alert``, ``script``, ``scri``, ``www``), which in
    a Chinese newspaper is code, a URL or a fragment of one."""
    return known or word.isupper() or any(ch.isdigit() for ch in word)


def _ascii_run(text: str, start: int, end: int) -> str:
    """The run of non-space ASCII characters around ``text[start:end]``."""
    while start > 0 and text[start - 1].isascii() and not text[start - 1].isspace():
        start -= 1
    n = len(text)
    while end < n and text[end].isascii() and not text[end].isspace():
        end += 1
    return text[start:end]


def _only_in_markup(word: str, text: str) -> bool:
    """Every occurrence of an ASCII word is inside markup-looking text.

    An occurrence counts when it is a whole ASCII word (jieba keeps an ASCII
    run whole, so that is where the token came from); it is markup when the
    run of non-space ASCII characters around it holds one of
    :data:`_MARKUP_CHARS` (``<SCRIPT``, ``&lt;script&gt;alert(1)&lt;``,
    ``*[HTML]:``, ``https://www.example.com/``). No whole-word occurrence:
    nothing to go by, the word is kept.
    """
    size = len(word)
    found = False
    i = text.find(word)
    while i != -1:
        j = i + size
        if (i == 0 or text[i - 1] not in _ASCII_ALNUM) and (
            j == len(text) or text[j] not in _ASCII_ALNUM
        ):
            if _MARKUP_CHARS.isdisjoint(_ascii_run(text, i, j)):
                return False
            found = True
        i = text.find(word, i + 1)
    return found


@cache
def _place_names() -> frozenset[str]:
    """Every written form of a place of the gazetteer (full names, aliases,
    former names, the province) and the user dictionary's places (``ns``).

    Read through :mod:`places`' own loader; its features and institutions
    (伊通河, 吉林大学) are not place names.
    """
    from .places import _gaz  # places imports this module

    kinds = {"place", "list_only", "province", "jilin"}
    names = {text for text, surface in _gaz().surfaces.items() if surface.kind in kinds}
    return frozenset(names | place_words())


@cache
def _place_parts() -> dict[str, tuple[tuple[str, int], ...]]:
    """Proper substrings of place names -> ``(name, offset in name)`` pairs.

    Substrings that are place names themselves (长春 of 长春市) are left out:
    whether a place may be a tag is the caller's ``exclude``.
    """
    names = _place_names()
    parts: dict[str, list[tuple[str, int]]] = {}
    for name in sorted(names):
        for start in range(len(name)):
            for end in range(start + 2, len(name) + 1):
                part = name[start:end]
                if part != name and part not in names:
                    parts.setdefault(part, []).append((name, start))
    return {part: tuple(where) for part, where in parts.items()}


def _only_in_place_names(word: str, text: str) -> bool:
    """Every occurrence of ``word`` is part of a gazetteer place name written
    there (新区 of 梅河新区, 江城 of 江城吉林, 北区 of 长白山池北区: jieba
    keeps the names of the user dictionary whole, not these forms)."""
    containers = _place_parts()[word]
    i = text.find(word)
    if i == -1:
        return False
    while i != -1:
        if not any(text.startswith(name, i - at) for name, at in containers if at <= i):
            return False
        i = text.find(word, i + 1)
    return True


# Towns, townships, villages (乌兰花镇, 夹信子村) are not in the gazetteer and
# jieba cuts their names apart (乌/兰花/镇, 夹/信子/村). A word directly before
# one of these characters, where that character is not part of a dictionary
# word (乡村, 城镇, 村民, 贫困村), is the end of such a name.
_SETTLEMENT_SUFFIXES = "镇乡村屯"


def _settlement_suffix_at(text: str, word: str, j: int, has_word: Callable[[str], bool]) -> bool:
    """``text[j]`` is a settlement suffix standing alone after ``word``."""
    if j >= len(text) or text[j] not in _SETTLEMENT_SUFFIXES:
        return False
    return not (
        has_word(word + text[j]) or has_word(text[j - 1 : j + 1]) or has_word(text[j : j + 2])
    )


def _only_before_settlements(word: str, text: str, has_word: Callable[[str], bool]) -> bool:
    """Every occurrence of ``word`` ends where a town or village suffix follows
    on its own (兰花 of 乌兰花镇, 信子 and 夹信子 of 夹信子村): it is (the end
    of) the name of a place."""
    i = text.find(word)
    if i == -1:
        return False
    while i != -1:
        if not _settlement_suffix_at(text, word, i + len(word), has_word):
            return False
        i = text.find(word, i + 1)
    return True


# Broken words. jieba's HMM joins single characters the dictionary route left
# over, and sometimes joins them across a word boundary: 文广/旅局 (文广旅局,
# the bureau of culture, radio, TV and tourism), 留言/区现/可疑 (留言区 + 现),
# 升腾/起新/希望 (腾起 + 新). An unknown word is broken at an occurrence when
# its first character belongs to the word before it:
#
# * that character and the one before it are a dictionary word (腾起 of
#   升腾起新希望, 活力 of 激活力增动力, 文旅 of 文旅局);
# * a two-character word starts with the suffix of an administrative name
#   (区现 of 留言区现, 区达 of 集聚区达45个);
# * a two-character word is one character of an abbreviation plus the
#   institution suffix 局 or 厅 (旅局 of 文广旅局, a fragment of an
#   abbreviation jieba does not know: 文广旅局 and 文旅局 are not words).
#
# Only the word before is looked at: a dictionary word across the *end* of
# an unknown word is as often a reading jieba rightly rejected (运维 of
# 运维基地, not 维基; 规上 of 规上工业, not 上工).
_INSTITUTION_SUFFIXES = frozenset("局厅")
_ADMIN_SUFFIXES = frozenset("省市县区州")


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _broken_at(text: str, i: int, j: int, has_word: Callable[[str], bool]) -> bool:
    """Whether the unknown word ``text[i:j]`` starts inside the word before it."""
    if i == 0 or not _is_han(text[i - 1]):
        return False
    if j - i == 2 and (text[i + 1] in _INSTITUTION_SUFFIXES or text[i] in _ADMIN_SUFFIXES):
        return True
    return has_word(text[i - 1 : i + 1])


def _always_broken(word: str, text: str, has_word: Callable[[str], bool]) -> bool:
    """Every occurrence of the unknown ``word`` is cut across a word boundary."""
    size = len(word)
    i = text.find(word)
    if i == -1:
        return False
    while i != -1:
        if not _broken_at(text, i, i + size, has_word):
            return False
        i = text.find(word, i + 1)
    return True


def _fragment(word: str, fact: _Word, text: str, has_word: Callable[[str], bool]) -> bool:
    """Whether every occurrence of ``word`` in ``text`` is a fragment: of markup,
    of a place name, of a town or village name, or a broken unknown word."""
    return (
        (fact.latin and _only_in_markup(word, text))
        or (fact.place_part and _only_in_place_names(word, text))
        or (not fact.known and _always_broken(word, text, has_word))
        or _only_before_settlements(word, text, has_word)
    )


@dataclass(frozen=True, slots=True)
class _Word:
    """What the tag filter knows about a candidate word before it sees the article."""

    usable: bool  # False: never a tag (not allowed, a name by itself, its tag not allowed)
    known: bool  # in jieba's dictionary or the user dictionary
    name_head: str  # 2–3 ideographs (may be a name in its text): the first two; else ""
    tag: str | None  # its canonical form; None: that depends on the article's candidates
    latin: bool  # an ASCII word: may come from markup (_only_in_markup)
    place_part: bool  # part of a place name (_only_in_place_names)


def _word_facts(word: str, has_word: Callable[[str], bool]) -> _Word:
    aliases = _aliases()
    followed = aliases.follow(word)
    tag = None if followed.endswith(aliases.suffixes) else followed
    known = has_word(word)
    latin = _ASCII_WORD(word) is not None
    usable = (
        allowed_tag(word)
        and not _name_by_itself(word, has_word)
        and (tag is None or allowed_tag(tag))
        and (not latin or _latin_word_allowed(word, known))
    )
    name_head = word[:2] if _NAME_SHAPE(word) is not None else ""
    return _Word(usable, known, name_head, tag, latin, word in _place_parts())


# _word_facts per tokenizer (has_word), remembered per process: the words of a
# newspaper repeat from article to article.
_WORD_FACTS: dict[Callable[[str], bool], dict[str, _Word]] = {}


def _facts(has_word: Callable[[str], bool]) -> dict[str, _Word]:
    facts = _WORD_FACTS.get(has_word)
    if facts is None:
        facts = _WORD_FACTS[has_word] = _Memo(lambda word: _word_facts(word, has_word))
    return facts


def _select(
    weighted: Iterable[tuple[str, float]],
    counts: dict[str, int],
    has_word: Callable[[str], bool],
    exclude: Iterable[str],
    top_k: int,
    text: str,
    title_counts: dict[str, int] | None = None,
) -> list[str]:
    """Filter, merge and order weighted candidates into the final tag list.

    ``text`` is the document the weights come from; it is used to drop a
    fragment of an excluded word (明远 of 李明远) when the fragment never
    occurs outside that word, and the fragments of markup, place names and
    broken words (see "Fragments"). ``title_counts``: the tokens of the title,
    which ``counts`` holds :data:`TITLE_REPEAT` times.

    Every test below only rejects a word, so their order does not change
    the result: the cheap ones that need no article text come first. The
    weights of the words kept are added up in the order of ``(-weight,
    word)``, so the sums are the same floats whatever order ``weighted``
    is in.

    The fragment rules (:func:`_fragment`) search the text, so they are
    asked only about the words of the tags that make the list: a word they
    reject is taken out and the list is drawn again. Taking a word out only
    lowers its tag's weight, so a tag outside the list stays outside and the
    result is the same as asking about every word first.
    """
    if top_k <= 0:
        return []
    aliases = _aliases()
    weighted = list(weighted)
    excluded: set[str] = set()
    for word in exclude:
        word = word.strip()
        if word:
            excluded.update((word, aliases.canonical(word)))
    # ``word in inside`` ⇔ ``word`` is part of an excluded word (for words without NUL)
    inside = "\x00".join(sorted(excluded))
    masked: str | None = None  # text with every excluded word blanked out
    candidates: frozenset[str] | None = None  # all weighted words, for aliases.canonical
    facts = _facts(has_word)
    after_surnames = _after_surnames(text)
    title_counts = title_counts or {}
    extra = TITLE_REPEAT - 1  # title copies beyond the first in ``counts``
    kept: list[tuple[float, str, str]] = []
    for word, weight in weighted:
        fact = facts[word]
        if not fact.usable or word in excluded:
            continue
        if (
            not fact.known
            and counts.get(word, 0) - extra * title_counts.get(word, 0) < MIN_COUNT_UNKNOWN
        ):
            continue
        if (
            word in inside
            if "\x00" not in word
            else any(word in container for container in excluded)
        ):
            if masked is None:
                masked = text
                for container in sorted(excluded, key=lambda w: (-len(w), w)):
                    masked = masked.replace(container, "\x00")
            if word not in masked:  # only ever seen inside an excluded word
                continue
        # name_head "" is never in after_surnames
        if fact.name_head in after_surnames and _name_in_text(word, has_word, text):
            continue
        tag = fact.tag
        if tag is None:
            if candidates is None:
                candidates = frozenset(map(itemgetter(0), weighted))
            tag = aliases.canonical(word, candidates)
            if not allowed_tag(tag):
                continue
        if tag in excluded:
            continue
        kept.append((-weight, word, tag))
    kept.sort()  # (-weight, word) is unique: the tag never decides
    checked: set[str] = set()  # words the fragment rules let through
    while True:
        # Minus the summed weight of each tag: the same floats as summing the
        # weights and negating (IEEE negation is exact), sortable without a key.
        negated: dict[str, float] = {}
        for negative, _, tag in kept:
            negated[tag] = negated.get(tag, 0.0) + negative
        final = sorted(zip(negated.values(), negated.keys(), strict=True))[:top_k]
        listed = {tag for _, tag in final}
        fragments: set[str] = set()
        for _, word, tag in kept:
            if tag in listed and word not in checked:
                if _fragment(word, facts[word], text, has_word):
                    fragments.add(word)
                else:
                    checked.add(word)
        if not fragments:
            break
        kept = [item for item in kept if item[1] not in fragments]
    if not final:
        return []
    floor = -final[0][0] * MIN_RELATIVE_WEIGHT
    return [tag for i, (negative, tag) in enumerate(final) if i < MIN_TAGS or -negative >= floor]


def extract_tags(
    title: str,
    paragraphs: list[str],
    exclude: Iterable[str] = (),
    top_k: int = DEFAULT_TOP_K,
) -> list[str]:
    """Up to ``top_k`` tags for an article, best first.

    ``exclude``: reporter names, place names and anything else that must not
    become a tag (their canonical forms are excluded as well). Bylines and
    datelines should be stripped from ``paragraphs`` before the call.
    """
    tok = tokenizer()
    text = _document(title, paragraphs)
    counts = Counter(tok.cut(text))
    title_counts = Counter(tok.cut(title)) if title else None
    return _select(_tfidf(counts), counts, tok.has_word, exclude, top_k, text, title_counts)


@cache
def _jieba_tfidf():
    """``jieba.analyse.TFIDF`` with the private tokenizer and our stopwords."""
    import jieba.analyse

    tfidf = jieba.analyse.TFIDF()
    tfidf.tokenizer = _jieba_tokenizer()
    tfidf.set_stop_words(str(STOPWORDS_PATH))
    return tfidf


def _extract_tags_jieba(
    title: str,
    paragraphs: list[str],
    exclude: Iterable[str] = (),
    top_k: int = DEFAULT_TOP_K,
) -> list[str]:
    """Reference path: the same tags from ``jieba.analyse`` alone (slow)."""
    text = _document(title, paragraphs)
    tfidf = _jieba_tfidf()
    weighted = tfidf.extract_tags(text, topK=None, withWeight=True)
    counts = Counter(tfidf.tokenizer.cut(text))
    title_counts = Counter(tfidf.tokenizer.cut(title)) if title else None
    has_word = _jieba_has_word(tfidf.tokenizer)
    return _select(weighted, counts, has_word, exclude, top_k, text, title_counts)


# Topics ------------------------------------------------------------------


@dataclass(frozen=True)
class _Topics:
    names: tuple[str, ...]
    slugs: dict[str, str]
    keyword_topics: dict[str, tuple[int, ...]]  # () for ignore phrases
    pattern: re.Pattern[str]
    title_weight: int
    body_weight: int
    max_hits: int
    min_keywords: int
    min_score: int
    min_share: float
    max_topics: int


def trie_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """A regex matching the longest of ``words`` at each position (``words`` not empty)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(build(trie))


@cache
def _topics() -> _Topics:
    data = yaml.load(TOPICS_PATH.read_text(encoding="utf-8"), Loader=YAML_LOADER)  # noqa: S506
    scoring = data.get("scoring") or {}
    names: list[str] = []
    slugs: dict[str, str] = {}
    keyword_topics: dict[str, tuple[int, ...]] = {}
    for word in data.get("ignore") or ():
        keyword_topics[str(word)] = ()
    for index, topic in enumerate(data["topics"]):
        name, slug = str(topic["name"]), str(topic["slug"])
        if not slug.isascii() or name in slugs or slug in slugs.values():
            raise ValueError(f"{TOPICS_PATH}: bad or duplicate topic {name!r} / {slug!r}")
        names.append(name)
        slugs[name] = slug
        for word in topic.get("keywords") or ():
            word = str(word)
            if keyword_topics.get(word) == ():
                raise ValueError(f"{TOPICS_PATH}: {word!r} is both ignored and a keyword")
            if index not in keyword_topics.get(word, ()):
                keyword_topics[word] = keyword_topics.get(word, ()) + (index,)
    return _Topics(
        names=tuple(names),
        slugs=slugs,
        keyword_topics=keyword_topics,
        pattern=trie_pattern(keyword_topics),
        title_weight=int(scoring.get("title_weight", 3)),
        body_weight=int(scoring.get("body_weight", 1)),
        max_hits=int(scoring.get("max_hits_per_keyword", 3)),
        min_keywords=int(scoring.get("min_keywords", 2)),
        min_score=int(scoring.get("min_score", 4)),
        min_share=float(scoring.get("min_share_of_best", 0.0)),
        max_topics=int(scoring.get("max_topics", 3)),
    )


def topic_scores(title: str, paragraphs: list[str]) -> dict[str, tuple[int, int]]:
    """``{topic name: (score, distinct keywords)}`` for every topic hit at all."""
    t = _topics()
    title_hits = set(t.pattern.findall(title))
    body_hits = Counter(t.pattern.findall("\n".join(paragraphs)))
    scores = [0] * len(t.names)
    distinct = [0] * len(t.names)
    for word in title_hits | body_hits.keys():
        value = (t.title_weight if word in title_hits else 0) + t.body_weight * min(
            body_hits.get(word, 0), t.max_hits
        )
        for index in t.keyword_topics[word]:
            scores[index] += value
            distinct[index] += 1
    return {t.names[i]: (scores[i], distinct[i]) for i in range(len(t.names)) if distinct[i]}


def assign_topics(title: str, paragraphs: list[str]) -> list[str]:
    """Topic names from ``topics.yml`` for an article, highest score first."""
    t = _topics()
    order = {name: i for i, name in enumerate(t.names)}
    scores = topic_scores(title, paragraphs)
    best = max((score for score, _ in scores.values()), default=0)
    chosen = [
        (score, name)
        for name, (score, distinct) in scores.items()
        if distinct >= t.min_keywords and score >= t.min_score and score >= t.min_share * best
    ]
    chosen.sort(key=lambda item: (-item[0], order[item[1]]))
    return [name for _, name in chosen[: t.max_topics]]


def topic_slug(name: str) -> str:
    """The ASCII slug of a topic name (a slug is returned unchanged)."""
    slugs = _topics().slugs
    if name in slugs:
        return slugs[name]
    if name in slugs.values():
        return name
    raise KeyError(f"unknown topic: {name!r}")


def topic_names() -> list[str]:
    """All topic names in the order of ``topics.yml``."""
    return list(_topics().names)
