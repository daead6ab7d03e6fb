#!/usr/bin/env python3
"""Write a synthetic corpus of raw newspaper page files for benchmarks.

    python bench/make_corpus.py N OUTDIR [--seed S] [--corpus DIR]

The text is recombined from the sentences of the bundled sample pages
(``corpus/*.txt``). Articles are laid out several to a page file in the same
raw layout as the samples, with the same kinds of noise: Markdown or plain
headlines, subtitles starting with ——, column banners, bylines at the end
(sometimes glued to the last line), datelines, bylines under the title, photo
captions, page jumps, spaces from column wraps, paragraph breaks inside
sentences, ASCII punctuation, duplicated articles with small wording changes.

Output, all in OUTDIR (existing ``p*.txt``, ``p*.meta.yml`` and
``MANIFEST.json`` there are removed first):

* ``p000000.txt`` ... one page file each, UTF-8, no trailing newline;
* ``p000000.meta.yml`` for some of the pages (keys paper, date, page, city);
* ``MANIFEST.json``: seed, counts, and per article where it was placed.

The same arguments always give byte-identical files: all randomness comes from
one ``random.Random(seed)`` and everything is iterated in a fixed order.
The output is throw-away benchmark data; write it under ``bench/out/`` (git
ignores it) or a temporary directory, and never commit it.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

VERSION = 2
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
GAZETTEER = Path(__file__).resolve().parent.parent / "generator" / "data" / "gazetteer.yml"

JUMP_RATE = 0.03  # share of articles split across two pages of one issue
DUP_RATE = 0.05  # share of articles that appear again in another file
FIRST_DAY = date(2019, 1, 1)
LAST_DAY = date(2024, 12, 31)

PAPERS = ("吉林日报", "城市晚报", "长春日报", "江城日报")
PAPER_WEIGHTS = (40, 25, 20, 15)
PAPER_HOME = {"吉林日报": None, "城市晚报": "长春", "长春日报": "长春", "江城日报": "吉林市"}
# How the paper names its own reporters in a byline at the end.
BYLINE_LABELS = {
    "吉林日报": ("吉林日报记者",),
    "城市晚报": ("城市晚报全媒体记者",),
    "长春日报": ("长春日报记者", "长春日报融媒体记者"),
    "江城日报": ("江城日报记者", "江城日报全媒体记者"),
}

# short name (as in meta.yml) -> name as written in running text
CITIES = {
    "长春": "长春市",
    "吉林市": "吉林市",
    "四平": "四平市",
    "辽源": "辽源市",
    "通化": "通化市",
    "白山": "白山市",
    "松原": "松原市",
    "白城": "白城市",
    "延边": "延边州",
    "珲春": "珲春市",
    "延吉": "延吉市",
    "梅河口": "梅河口市",
    "敦化": "敦化市",
    "公主岭": "公主岭市",
    "集安": "集安市",
    "桦甸": "桦甸市",
    "蛟河": "蛟河市",
    "磐石": "磐石市",
    "舒兰": "舒兰市",
    "临江": "临江市",
    "扶余": "扶余市",
    "洮南": "洮南市",
    "大安": "大安市",
    "图们": "图们市",
    "龙井": "龙井市",
    "和龙": "和龙市",
    "双辽": "双辽市",
    "榆树": "榆树市",
    "德惠": "德惠市",
    "农安": "农安县",
    "通榆": "通榆县",
    "抚松": "抚松县",
}
CITY_NAMES = tuple(CITIES)

ORGS = (
    "发改委",
    "商务局",
    "科技局",
    "工信局",
    "农业农村局",
    "文旅局",
    "人社局",
    "住建局",
    "交通运输局",
    "生态环境局",
    "市场监管局",
    "税务局",
    "教育局",
    "卫健委",
    "政府新闻办",
)
INTROS = (
    "记者从{city}{org}了解到，",
    "记者日前在{city}采访时获悉，",
    "{city}{org}相关负责人介绍，",
    "在{city}，",
    "记者从{city}{org}获悉，",
)
SUBTITLE_TAILS = ("综述", "走笔", "纪实", "侧记", "观察", "调查")
BANNERS = (
    "优环境 抓项目 强信心 开新局",
    "奋进新征程 建功新时代",
    "聚焦高质量发展",
    "新春走基层",
    "一线见闻",
    "县域经济观察",
    "项目建设进行时",
    "营商环境优化年",
)
PAGE_HEADERS = ("要闻", "聚焦", "综合新闻", "经济", "民生", "时政", "城事", "区域")
SCENES = (
    "工作人员正在检查设备",
    "村民正在用积分兑换商品",
    "游客在景区内游玩",
    "工人在生产线上作业",
    "市民在广场参加活动",
    "志愿者为群众提供服务",
    "农民在田间忙碌",
    "孩子们在冰场上滑冰",
    "技术人员调试设备",
    "快递员分拣包裹",
    "医护人员为老人体检",
    "建设者在工地上施工",
)
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈"
    "曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞宇鑫波斌宁欣悦晨"
    "旭阳博文海峰雪梅晶莹琳婷慧颖瑞丹凯璐岩松柏楠彤萌浩然思远立新振国建春冬秋雨"
)

# Word pairs swapped to make a duplicate's wording differ (both directions).
SYNONYMS = (
    ("推进", "推动"),
    ("提升", "提高"),
    ("培养", "培育"),
    ("保证", "保障"),
    ("加快", "加速"),
    ("智能", "智慧"),
    ("中小微企业", "中小企业"),
    ("目前", "当前"),
    ("积极", "大力"),
    ("持续", "不断"),
    ("重要", "重大"),
    ("取得", "获得"),
    ("全力", "全面"),
    ("有力", "有效"),
    ("显著", "明显"),
    ("稳步", "有序"),
    ("加强", "强化"),
    ("完善", "健全"),
    ("负责人说", "负责人表示"),
    ("了解到", "获悉"),
    ("据了解", "据介绍"),
    ("已经", "已"),
    ("进一步", "更加"),
)
DROPPABLE = ("进一步", "不断", "的", "积极", "全面")
# Character confusions seen in the OCR'd samples (入→人, 进→讲, 县→具 ...).
OCR_CONFUSIONS = {
    "入": "人",
    "进": "讲",
    "县": "具",
    "乎": "平",
    "宇": "字",
    "己": "已",
    "末": "未",
}

# (str.replace chains: much faster than str.translate on non-ASCII text)
ASCII_PUNCT = (
    ("，", ","),
    ("；", ";"),
    ("：", ":"),
    ("（", "("),
    ("）", ")"),
    ("！", "!"),
    ("？", "?"),
)
ASCII_QUOTES = (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"))
ASCII_PARENS = (("（", "("), ("）", ")"))
NO_LINE_START = set("，。、；：！？”’）》…,.;:!?)'\"")
CN_DIGITS = "〇一二三四五六七八九"

CJK = r"\u3400-\u9fff"
_CJK_RE = re.compile(f"[{CJK}]")
_WIDE = rf"[{CJK}\u3000-\u303f\uff00-\uffef“”‘’—…]"  # CJK text and full-width punctuation
_SPACE_RE = re.compile(rf"(?<={_WIDE})[ \t\u3000]+|[ \t\u3000]+(?={_WIDE})")
_JUMP_RE = re.compile(r"[(（](?:上接|下转)第[一二三四五六七八九十]+版[)）]")
_DATELINE_RE = re.compile(r"^本报(?:\d+月\d+日)?讯[(（][^)）]{0,20}[)）]")
_BYLINE_TAIL_RE = re.compile(
    rf"\s*(?:[{CJK}]{{2,6}}?(?:全媒体|融媒体)?记者(?:\s+[{CJK}]{{2,3}})+(?:\s+实习生\s+[{CJK}]{{2,3}})?)$"
)
_BYLINE_LINE_RE = re.compile(
    rf"^(?:本报|[{CJK}]{{2,6}}?)?(?:全媒体|融媒体)?记者[\s{CJK}]{{0,20}}(?:摄)?$"
)
_SENTENCE_RE = re.compile(r"[^。！？\n]*[。！？]+[”’]?")
_PHRASE_SPLIT_RE = re.compile(r"[，、；：“”‘’《》（）()。！？—…]+")
_PHRASE_OK_RE = re.compile(rf"^[{CJK}0-9]+$")
_YEAR_RE = re.compile(r"(?<!\d)20[12]\d(?!\d)")
_CITY_RE = re.compile(r"(?:长春|四平|辽源|通化|白山|松原|白城|珲春|延吉|梅河口|敦化)市|延边州")
_PLACE_START_RE = re.compile(
    r"^(?:我省|全省|我市|全市|吉林|长春|延边|[\u4e00-\u9fff]{1,3}[市州县区])"
)
_LEAD_DATE_RE = re.compile(r"^(?:近日|日前|(?:\d{4}年)?\d{1,2}月\d{1,2}日)，")
_NUMBER_RE = re.compile(r"(?<![\d.月])(\d+)(?:\.(\d+))?(?![\d.月日时点号年])")
_BAD_PHRASE_START = set("的和在是为对与将并等了及而但也从以由把被向其该这那其中")
_BAD_PHRASE_END = set("的和在了与及等为是对将把被向从以而且并")
# A clause cut from running text that ends like a sidebar head (…建强和链接)
# is no headline a newspaper would print; the splitter reads 链接/简历 as a sidebar.
_SIDEBAR_END_RE = re.compile("(?:简历|小传|名片|简介|链接|资料)$")
_SYN_MAP: dict[str, tuple[str, ...]] = {}
for _a, _b in SYNONYMS:
    _SYN_MAP.setdefault(_a, ())
    _SYN_MAP[_a] += (_b,)
    _SYN_MAP.setdefault(_b, ())
    _SYN_MAP[_b] += (_a,)
_SYN_RE = re.compile("|".join(sorted(map(re.escape, _SYN_MAP), key=lambda s: (-len(s), s))))
_DROP_RE = re.compile("|".join(map(re.escape, DROPPABLE)))
_OCR_RE = re.compile("[" + "".join(OCR_CONFUSIONS) + "]")


# --------------------------------------------------------------------------- text pool


def _normalise(line: str) -> str:
    """Undo the samples' layout noise so the pool holds clean full-width text."""
    line = line.replace(" and ", "和")
    line = _SPACE_RE.sub("", line)
    line = re.sub(r"(?<=[^\x00-\x7f]),|,(?=[^\x00-\x7f])", "，", line)
    line = re.sub(r"(?<=[^\x00-\x7f]);|;(?=[^\x00-\x7f])", "；", line)
    line = re.sub(r"(?<=[^\x00-\x7f]):|:(?=[^\x00-\x7f])", "：", line)
    line = re.sub(r"(?<=[^\x00-\x7f])!|!(?=[^\x00-\x7f])", "！", line)
    line = re.sub(r"(?<=[^\x00-\x7f])\?|\?(?=[^\x00-\x7f])", "？", line)
    line = line.replace("(", "（").replace(")", "）")
    if '"' in line:  # straight quotes: alternate open/close
        parts = line.split('"')
        out = [parts[0]]
        for i, part in enumerate(parts[1:]):
            out.append("“" if i % 2 == 0 else "”")
            out.append(part)
        line = "".join(out)
    line = line.replace("'", "‘")
    return line


def load_pool(corpus_dir: Path) -> tuple[list[str], list[str]]:
    """Sentences and headline phrases from the sample pages, in a stable order."""
    files = sorted(corpus_dir.glob("*.txt"))
    if not files:
        raise SystemExit(f"no sample pages (*.txt) in {corpus_dir}")
    sentences: list[str] = []
    seen: set[str] = set()
    for path in files:
        # Runs of body lines between headings and bylines. Lines inside a run
        # are joined without a break, which rejoins paragraphs broken
        # mid-sentence; an unfinished sentence at the end of a run is dropped.
        runs: list[list[str]] = [[]]
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#") or _BYLINE_LINE_RE.match(line):
                runs.append([])
                continue
            line = _JUMP_RE.sub("", line)
            line = _DATELINE_RE.sub("", line)
            glued = _BYLINE_TAIL_RE.search(line)
            line = _normalise(line[: glued.start()] if glued else line).lstrip("—-")
            ends = line.endswith(("。", "！", "？", "”"))
            if not ends and (len(line) < 30 or (len(line) < 40 and not re.search("[，；]", line))):
                runs.append([])  # a headline, kicker, subtitle or banner
                continue
            if line:
                runs[-1].append(line)
            if glued:
                runs.append([])
        text = "\n".join("".join(run) for run in runs if run)
        for m in _SENTENCE_RE.finditer(text):
            s = m.group(0).strip().lstrip("—-，、")
            if not 12 <= len(s) <= 220 or s in seen:
                continue
            if s.count("“") != s.count("”") or s.count("（") != s.count("）"):
                continue
            if len(_CJK_RE.findall(s)) < 0.6 * len(s):
                continue
            seen.add(s)
            sentences.append(s)
    phrases: list[str] = []
    pseen: set[str] = set()
    for s in sentences:
        for p in _PHRASE_SPLIT_RE.split(s):
            if (
                5 <= len(p) <= 13
                and _PHRASE_OK_RE.match(p)
                and p[0] not in _BAD_PHRASE_START
                and p[-1] not in _BAD_PHRASE_END
                and not _SIDEBAR_END_RE.search(p)
                and "记者" not in p  # '城市晚报全媒体记者了解到' would read as a byline
                and len(_CJK_RE.findall(p)) >= 4  # not '2021年': no subtitle '——2021年'
                and p not in pseen
            ):
                pseen.add(p)
                phrases.append(p)
    return sentences, phrases


# --------------------------------------------------------------------------- rewriting

# How often a word of each part of speech (jieba's tags) is replaced by another
# word of the same tag and length from the pool, or a place by another place.
# The bundled pages hold about 600 sentences; 10,000 articles reuse each one
# hundreds of times, while a real paper never prints a sentence twice. With
# the words swapped, most of an article's character 4-grams are its own.
REWRITE_RATES = {
    "n": 0.3,  # nouns
    "vn": 0.3,  # verbal nouns
    "nz": 0.3,
    "nt": 0.5,  # organisations
    "j": 0.3,  # abbreviations
    "l": 0.2,  # set phrases
    "v": 0.2,  # verbs
    "a": 0.15,
    "ad": 0.15,
    "ns": 0.7,  # places: from the gazetteer
}
_HAN_WORD_RE = re.compile(f"^[{CJK}]{{2,}}$")
CLAUSE_SWAP = 0.3  # share of clauses (after the first) taken from another sentence
LIST_SHUFFLE = 0.7  # share of enumerations (甲、乙、丙) given another order
_CLAUSE_RE = re.compile(r"[^，；]+[，；]?")
# An enumeration: the items between its first and last 、 are whole items.
_LIST_RE = re.compile(f"[{CJK}]+(?:、[{CJK}]{{2,10}}){{2,}}、[{CJK}]+")


@dataclass
class Pool:
    """Pool sentences cut into words, and the words to swap in, by tag and length."""

    tokens: list[list[tuple[str, str]]]
    words: dict[tuple[str, int], list[str]]
    places: list[str]


_POOLS: dict[tuple[str, ...], Pool] = {}


def load_places(path: Path = GAZETTEER) -> list[str]:
    """Places of the gazetteer as running text names them: 长春市, 九台区, 前郭县."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for p in data["places"]:
        full = p.get("full") or ""
        if 2 <= len(full) <= 4:
            names.add(full)
        elif full.endswith(("自治县", "自治州")):  # 前郭尔罗斯蒙古族自治县 -> 前郭县
            names.add(p["name"] + full[-2])
        elif p.get("name"):
            names.add(p["name"])
    return sorted(names)


def word_pool(sentences: list[str]) -> Pool:
    """Segment the pool sentences once (jieba, no HMM guesses: deterministic)."""
    key = tuple(sentences)
    if key in _POOLS:
        return _POOLS[key]
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    tokens: list[list[tuple[str, str]]] = []
    words: dict[tuple[str, int], set[str]] = {}
    for s in sentences:
        toks = [(p.word, p.flag) for p in jieba.posseg.lcut(s, HMM=False)]
        tokens.append(toks)
        for w, f in toks:
            if f in REWRITE_RATES and f != "ns" and _HAN_WORD_RE.match(w):
                words.setdefault((f, len(w)), set()).add(w)
    pool = Pool(tokens, {k: sorted(v) for k, v in sorted(words.items())}, load_places())
    _POOLS[key] = pool
    return pool


# --------------------------------------------------------------------------- model


@dataclass
class Article:
    id: int
    kind: str  # brief / article / long / photo_caption
    title: str | None
    subtitle: str | None
    paper: str
    issue_date: date
    event_date: date
    date_form: str  # md (本报3月5日讯 / 3月5日) / ymd / recent (近日)
    city: str
    reporters: list[str]
    label: str  # e.g. 吉林日报记者
    trainee: str | None
    byline_style: str  # end / dateline / under / none
    intro: str
    body: list[tuple[str, str]]  # ("p", paragraph) or ("h", section head)
    banner: str | None = None
    placed: list[dict] = field(default_factory=list)

    def chars(self) -> int:
        return len(self.intro) + sum(len(t) for _k, t in self.body)


@dataclass
class Page:
    index: int
    paper: str
    issue_date: date
    page_no: int
    markdown: bool
    ascii_punct: bool
    ascii_quotes: bool
    ascii_parens: bool
    wrap_width: int  # 0: no spaces from column wraps
    break_rate: float  # paragraph breaks inside sentences, per paragraph
    glue_rate: float  # end bylines glued to the last text line
    ocr_rate: float
    house: str = "end"  # byline convention of the issue: end / dateline
    items: list[tuple] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"p{self.index:06d}"


def cn_number(n: int) -> str:
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


class Generator:
    def __init__(self, n: int, seed: int, sentences: list[str], phrases: list[str]):
        self.n = n
        self.seed = seed
        self.rng = random.Random(seed)
        self.sentences = sentences
        self.phrases = phrases
        self.pool = word_pool(sentences)
        self.titles: set[str] = set()
        rng = self.rng
        names: list[str] = []
        seen: set[str] = set()
        while len(names) < 400:
            name = rng.choice(SURNAMES) + "".join(
                rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))
            )
            if name not in seen:
                seen.add(name)
                names.append(name)
        self.names = names
        self.articles: list[Article] = []
        self.pages: list[Page] = []
        self.dup_pool: dict[bool, list[Article]] = {False: [], True: []}
        self.dups = 0
        self.jumps = 0
        self.used_issues: set[tuple[str, int]] = set()

    # ------------------------------------------------------------------ articles

    def _numbers(self, s: str, year_shift: int, city: str) -> str:
        """Shift years, change some numbers and place names of a pool sentence."""
        rng = self.rng

        def year(m: re.Match) -> str:
            return str(int(m.group(0)) + year_shift)

        def number(m: re.Match) -> str:
            if rng.random() < 0.5:
                return m.group(0)
            whole = m.group(1)
            if len(whole) == 4 and whole.startswith("20"):
                return whole
            lo = 10 ** (len(whole) - 1) if len(whole) > 1 else 1
            new = str(rng.randrange(lo, 10 ** len(whole)))
            if m.group(2):
                new += "." + "".join(rng.choice("0123456789") for _ in m.group(2))
            return new

        if year_shift:
            s = _YEAR_RE.sub(year, s)
        if rng.random() < 0.5:
            s = _CITY_RE.sub(city, s, count=1)
        return _NUMBER_RE.sub(number, s)

    def _words(self, k: int) -> str:
        """Pool sentence ``k`` with some of its words swapped (see ``REWRITE_RATES``)."""
        rng, pool = self.rng, self.pool
        out = []
        for w, f in pool.tokens[k]:
            rate = REWRITE_RATES.get(f)
            if rate and rng.random() < rate and _HAN_WORD_RE.match(w):
                if f == "ns":
                    w = rng.choice(pool.places)
                else:
                    w = rng.choice(pool.words.get((f, len(w))) or (w,))
            out.append(w)
        return "".join(out)

    def _rewrite(self, k: int) -> str:
        """Pool sentence ``k`` rewritten: words swapped, a clause or two taken
        from another sentence, enumerations reordered."""
        rng = self.rng
        s = self._words(k)
        clauses = _CLAUSE_RE.findall(s)
        if len(clauses) > 1:
            end = s[len("".join(clauses)) :]  # 。 ! ? and a closing quote
            for i in range(1, len(clauses) - 1):
                if rng.random() < CLAUSE_SWAP:
                    other = _CLAUSE_RE.findall(self._words(rng.randrange(len(self.sentences))))
                    middle = [c for c in other[1:-1] if c.count("“") == c.count("”")]
                    if middle and clauses[i].count("“") == clauses[i].count("”"):
                        c = rng.choice(middle)
                        clauses[i] = c[:-1] + clauses[i][-1] if c[-1] in "，；" else c
            s = "".join(clauses) + end
        return _LIST_RE.sub(self._shuffle_list, s)

    def _shuffle_list(self, m: re.Match) -> str:
        """Reorder the inner items of 甲、乙、丙、丁 (the outer ones carry other words)."""
        items = m.group(0).split("、")
        if self.rng.random() < LIST_SHUFFLE:
            inner = items[1:-1]
            self.rng.shuffle(inner)
            items[1:-1] = inner
        return "、".join(items)

    def _title(self, city: str) -> str:
        rng, ph = self.rng, self.phrases
        cf = CITIES[city]
        for _ in range(20):
            form = rng.random()
            if form < 0.3:
                t = rng.choice(ph) + " " + rng.choice(ph)
            elif form < 0.5:
                t = f"{city}：{rng.choice(ph)}"
            elif form < 0.75:
                a = rng.choice(ph)
                t = a if _PLACE_START_RE.match(a) else cf + a
            else:
                a = rng.choice(ph)
                t = a if len(a) >= 9 else a + rng.choice(ph)
            if t not in self.titles and len(t) <= 30:
                self.titles.add(t)
                return t
        t = f"{cf}{rng.choice(ph)}（{len(self.titles)}）"
        self.titles.add(t)
        return t

    def new_article(
        self, paper: str, issue_date: date, kind: str | None = None, style: str | None = None
    ) -> Article:
        rng = self.rng
        aid = len(self.articles)
        if kind is None:
            r = rng.random()
            kind = (
                "photo_caption"
                if r < 0.03
                else "brief"
                if r < 0.18
                else "long"
                if r < 0.28
                else "article"
            )
        home = PAPER_HOME[paper]
        city = home if home and rng.random() < 0.6 else rng.choice(CITY_NAMES)
        cf = CITIES[city]
        event_date = issue_date - timedelta(days=rng.choice((0, 1, 1, 1, 2)))
        shift = event_date.year - 2023
        reporters = [rng.choice(self.names) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))]
        reporters = list(dict.fromkeys(reporters))
        label = rng.choice(BYLINE_LABELS[paper])
        if kind == "photo_caption":
            text = (
                f"近日，{cf}{rng.choice(self.phrases)}，{rng.choice(self.phrases)}。"
                f"图为{rng.choice(SCENES)}。"
            )
            art = Article(
                aid, kind, None, None, paper, issue_date, event_date, "recent", city,
                reporters[:1], label, None, "none", "", [("p", self._numbers(text, shift, cf))],
            )  # fmt: skip
            self.articles.append(art)
            return art
        target = {
            "brief": rng.randint(250, 600),
            "article": rng.randint(800, 2000),
            "long": rng.randint(2400, 4200),
        }[kind]
        sents = self.sentences
        body: list[tuple[str, str]] = []
        total = 0
        para: list[str] = []
        para_len = 0
        want = rng.choice((1, 2, 2, 3, 3, 4))
        since_head = 0
        while total < target:
            start = rng.randrange(len(sents))
            for k in range(start, min(len(sents), start + rng.choice((1, 1, 2, 3, 4)))):
                s = self._numbers(self._rewrite(k), shift, cf)
                para.append(s)
                para_len += len(s)
                total += len(s)
                if len(para) >= want or para_len > 300:
                    body.append(("p", "".join(para)))
                    para, para_len = [], 0
                    want = rng.choice((1, 2, 2, 3, 3, 4))
                    since_head += 1
                    if kind == "long" and since_head >= 4 and rng.random() < 0.35:
                        head = rng.choice(self.phrases)
                        if rng.random() < 0.5:
                            head += "：" + rng.choice(self.phrases)
                        body.append(("h", head))
                        since_head = 0
                if total >= target:
                    break
        if para:
            body.append(("p", "".join(para)))
        if body[-1][0] == "h":
            body.pop()
        r = rng.random()
        date_form = "md" if r < 0.6 else "ymd" if r < 0.75 else "recent"
        intro = (
            rng.choice(INTROS).format(city=cf, org=rng.choice(ORGS)) if rng.random() < 0.7 else ""
        )
        r = rng.random()
        if style is None:
            style = (
                "end" if r < 0.45 else "dateline" if r < 0.8 else "under" if r < 0.92 else "none"
            )
        subtitle = None
        if rng.random() < 0.2:
            subtitle = (
                f"{cf}{rng.choice(self.phrases)}{rng.choice(SUBTITLE_TAILS)}"
                if rng.random() < 0.5
                else rng.choice(self.phrases)
            )
        art = Article(
            aid, kind, self._title(city), subtitle, paper, issue_date, event_date, date_form,
            city, reporters, label, rng.choice(self.names) if rng.random() < 0.08 else None,
            style, intro, body,
            rng.choice(BANNERS) if rng.random() < 0.05 else None,
        )  # fmt: skip
        self.articles.append(art)
        return art

    def variant(self, art: Article, style: str | None = None) -> Article:
        """A second copy with ~2-3 % of the wording changed, bylined in ``style``."""
        rng = self.rng
        text = "\n".join(t for _k, t in art.body)
        budget = len(_CJK_RE.findall(text)) * rng.uniform(0.02, 0.03)
        edits: list[tuple[int, int, str]] = []
        matches = list(_SYN_RE.finditer(text))
        rng.shuffle(matches)
        spent = 0.0
        for m in matches:
            if spent >= budget:
                break
            old = m.group(0)
            new = rng.choice(_SYN_MAP[old])
            common = sum(1 for a, b in zip(old, new, strict=False) if a == b)
            spent += max(1, max(len(old), len(new)) - common)
            edits.append((m.start(), m.end(), new))
        if spent < budget:
            taken = {s for s, _e, _n in edits}
            drops = [m for m in _DROP_RE.finditer(text) if m.start() not in taken]
            rng.shuffle(drops)
            for m in drops:
                if spent >= budget:
                    break
                if any(s < m.end() and m.start() < e for s, e, _n in edits):
                    continue
                edits.append((m.start(), m.end(), ""))
                spent += m.end() - m.start()
        edits.sort()
        out, pos = [], 0
        for s, e, new in edits:
            out.append(text[pos:s])
            out.append(new)
            pos = e
        out.append(text[pos:])
        new_texts = "".join(out).split("\n")
        body = [(k, t) for (k, _old), t in zip(art.body, new_texts, strict=True)]
        if style is None:
            style = rng.choice([s for s in ("end", "dateline", "under") if s != art.byline_style])
        return replace(art, body=body, byline_style=style, placed=art.placed)

    # ------------------------------------------------------------------ rendering

    def _credit(self, art: Article) -> str:
        names = " ".join(art.reporters)
        line = f"{art.label} {names}"
        if art.trainee:
            line += f" 实习生 {art.trainee}"
        return line

    def _lead(self, art: Article) -> str:
        d = art.event_date
        if art.byline_style == "dateline":
            when = f"{d.month}月{d.day}日" if art.date_form != "recent" else ""
            head = f"本报{when}讯（记者{' '.join(art.reporters)}）"
            return head + ("近日，" if art.date_form == "recent" else "") + art.intro
        if art.date_form == "md":
            return f"{d.month}月{d.day}日，{art.intro}"
        if art.date_form == "ymd":
            return f"{d.year}年{d.month}月{d.day}日，{art.intro}"
        return "近日，" + art.intro

    def _punct(self, page: Page, text: str) -> str:
        pairs = (
            ASCII_PUNCT + (ASCII_QUOTES if page.ascii_quotes else ())
            if page.ascii_punct
            else ASCII_PARENS
            if page.ascii_parens
            else ()
        )
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    def _paragraph(self, page: Page, text: str, protect: int = 0) -> list[str]:
        """Clean paragraph -> one or more raw paragraphs with the page's noise.

        A break inside the paragraph never falls in its first ``protect``
        characters (the dateline right under the headline).
        """
        rng = self.rng
        if page.ocr_rate:
            chars = None
            for m in _OCR_RE.finditer(text):
                if rng.random() < page.ocr_rate:
                    chars = chars or list(text)
                    chars[m.start()] = OCR_CONFUSIONS[m.group(0)]
            if chars:
                text = "".join(chars)
        text = self._punct(page, text)
        if page.wrap_width:
            width = page.wrap_width
            lines, start, used = [], 0, 0.0
            for i, ch in enumerate(text):
                used += 0.5 if ch < "\u0100" else 1.0
                if used >= width and text[i + 1 : i + 2] not in NO_LINE_START:
                    lines.append(text[start : i + 1])
                    start, used = i + 1, 0.0
                    width = page.wrap_width + rng.choice((0, 0, 0, 1, -1))
            if start < len(text):
                lines.append(text[start:])
            if len(lines) > 2 and rng.random() < page.break_rate:
                first, done = 1, len(lines[0])
                while first < len(lines) - 1 and done <= protect:
                    done += len(lines[first])
                    first += 1
                if first < len(lines) - 1:
                    cut = rng.randrange(first, len(lines) - 1)
                    return [" ".join(lines[:cut]), " ".join(lines[cut:])]
            return [" ".join(lines)]
        if len(text) > 20 + protect and rng.random() < page.break_rate:
            cut = rng.randrange(5 + protect, len(text) - 5)
            if text[cut - 1] not in "。！？!?":
                return [text[:cut], text[cut:]]
        return [text]

    def _heading(self, page: Page, text: str, level: int) -> str:
        text = self._punct(page, text)
        return ("#" * level + " " + text) if page.markdown else text

    def render(self, page: Page, item: tuple) -> list[str]:
        """Blocks (paragraphs / lines) of one item on a page."""
        rng = self.rng
        kind, art = item[0], item[1]
        blocks: list[str] = []
        if art.kind == "photo_caption":
            blocks.append("\n\n" + self._paragraph(page, art.body[0][1])[0])
            blocks.append(self._punct(page, f"本报记者 {art.reporters[0]} 摄"))
            return blocks
        blocks.append(
            self._heading(page, art.title, 1 if page.markdown and rng.random() < 0.3 else 2)
        )
        if kind != "tail":
            if art.subtitle:
                sub = "——" + art.subtitle
                blocks.append(
                    self._heading(page, sub, 3) if rng.random() < 0.5 else self._punct(page, sub)
                )
            if art.banner:
                blocks.append(art.banner)
            if art.byline_style == "under":
                blocks.append(self._punct(page, "本报记者 " + " ".join(art.reporters)))
        body = list(art.body)
        lead = self._lead(art)
        body[0] = (body[0][0], lead + _LEAD_DATE_RE.sub("", body[0][1], count=1))
        if kind in ("head", "tail"):
            i, off = item[2], item[3]
            if kind == "head":
                body = body[:i] + ([("p", body[i][1][:off])] if off else [])
            else:
                body = [("p", body[i][1][off:])] + body[i + 1 :]
        first_para = True
        text_blocks: list[str] = []
        for k, text in body:
            if k == "h":
                blocks.extend(text_blocks)
                text_blocks = []
                blocks.append(self._heading(page, text, rng.choice((2, 3))))
                continue
            protect = len(lead) - len(art.intro) if first_para and kind != "tail" else 0
            parts = self._paragraph(page, text, protect)
            if first_para and kind == "tail":
                parts[0] = f"(上接第{cn_number(item[4])}版)" + parts[0]
            first_para = False
            text_blocks.extend(parts)
        if kind == "head":
            text_blocks[-1] += f"(下转第{cn_number(item[4])}版)"
        blocks.extend(text_blocks)
        if art.byline_style == "end" and kind != "head":
            credit = self._punct(page, self._credit(art))
            if rng.random() < page.glue_rate:
                blocks[-1] += (" " if page.wrap_width else "") + credit
            else:
                blocks.append(credit)
        return blocks

    # ------------------------------------------------------------------ layout

    def _new_page(self, paper: str, issue_date: date, page_no: int) -> Page:
        rng = self.rng
        wrap = rng.random() < 0.12
        ascii_punct = rng.random() < (0.8 if wrap else 0.3)
        r = rng.random()
        page = Page(
            index=len(self.pages),
            paper=paper,
            issue_date=issue_date,
            page_no=page_no,
            markdown=not wrap and rng.random() < 0.25,
            ascii_punct=ascii_punct,
            ascii_quotes=ascii_punct and (wrap or rng.random() < 0.2),
            ascii_parens=rng.random() < 0.5,
            wrap_width=rng.randint(14, 18) if wrap else 0,
            break_rate=0.0 if r < 0.4 else 0.03 if r < 0.8 else 0.08,
            glue_rate=0.5 if wrap else 0.08,
            ocr_rate=0.04 if wrap else 0.0,
        )
        self.pages.append(page)
        return page

    def _issue_date(self, paper: str) -> date:
        rng = self.rng
        span = (LAST_DAY - FIRST_DAY).days
        base = int(span * len(self.articles) / max(1, self.n))
        for _ in range(100):
            day = min(span, max(2, base + rng.randint(-30, 30)))
            if (paper, day) not in self.used_issues:
                break
        else:
            day = rng.randrange(span + 1)  # pragma: no cover - crowded calendar
        self.used_issues.add((paper, day))
        return FIRST_DAY + timedelta(days=day)

    def _style(self, page: Page, slot: int, want: int, dup: bool = False) -> str:
        """Byline style of the article in ``slot`` of ``want`` on ``page``."""
        r = self.rng.random()
        if page.house == "end":
            return "none" if not dup and 0 < slot == want - 1 and r < 0.2 else "end"
        if not dup and slot == 0 and r < 0.2:
            return "none"
        return "dateline" if r < 0.75 else "under"

    @staticmethod
    def _bare(item: tuple) -> bool:
        """An article that neither opens with a byline or dateline nor closes with one."""
        art = item[1]
        return art.kind != "photo_caption" and art.byline_style == "none"

    def build(self) -> None:
        rng = self.rng
        n = self.n
        while len(self.articles) < n:
            paper = rng.choices(PAPERS, PAPER_WEIGHTS)[0]
            issue_date = self._issue_date(paper)
            n_pages = rng.choices((1, 2, 3), (40, 35, 25))[0]
            jump_due = self.jumps + 1 <= JUMP_RATE * (len(self.articles) + 15)
            if jump_due:
                n_pages = max(n_pages, 2)
            if n_pages == 1:
                page_nos = [rng.randint(1, 8)]
            else:
                page_nos = [1] + sorted(rng.sample(range(2, 9), n_pages - 1))
            pages = [self._new_page(paper, issue_date, no) for no in page_nos]
            # One byline convention per issue, as on the sample pages: either
            # every article closes with a byline (a brief without one only
            # last on the page), or every article opens with a dateline or a
            # byline under its title (a brief without one only first). A
            # headline after an article that is still open, followed by text
            # with neither, reads as a section head even to a person.
            house = "end" if rng.random() < 0.5 else "dateline"
            for page in pages:
                page.house = house
            tails: dict[int, list[tuple]] = {}
            for pi, page in enumerate(pages):
                want = rng.randint(2, 7)
                for slot in range(want):
                    if len(self.articles) >= n:
                        break
                    if slot and self.dups + 1 <= DUP_RATE * len(self.articles):
                        pool = (
                            self.dup_pool[not page.ascii_punct] or self.dup_pool[page.ascii_punct]
                        )
                        if pool:
                            j = rng.randrange(len(pool))
                            orig = pool[j]
                            pool[j] = pool[-1]
                            pool.pop()
                            style = self._style(page, slot, want, dup=True)
                            page.items.append(("dup", self.variant(orig, style)))
                            self.dups += 1
                            continue
                    if pi == 0 and slot == 0 and jump_due and len(pages) > 1:
                        art = self.new_article(
                            paper,
                            issue_date,
                            rng.choice(("article", "long")),
                            self._style(page, slot, want),
                        )
                        body = art.body
                        paras = [
                            i
                            for i in range(1, len(body))
                            if body[i][0] == "p" and body[i - 1][0] == "p"
                        ]
                        if paras:
                            i = paras[len(paras) // 2]
                            text = art.body[i][1]
                            off = 0
                            if rng.random() < 0.6:
                                off = rng.randrange(len(text) // 4, 3 * len(text) // 4)
                            target = rng.randrange(1, len(pages))
                            page.items.append(("head", art, i, off, pages[target].page_no))
                            tails.setdefault(target, []).append(("tail", art, i, off, page.page_no))
                            self.jumps += 1
                            jump_due = False
                            continue
                        page.items.append(("full", art))
                        continue
                    style = self._style(page, slot, want)
                    page.items.append(("full", self.new_article(paper, issue_date, None, style)))
                for tail in tails.pop(pi, []):
                    pos = 0 if rng.random() < 0.5 else rng.randint(0, len(page.items))
                    while pos < len(page.items) and self._bare(page.items[pos]):
                        pos += 1  # an open tail before an article with no byline
                    page.items.insert(pos, tail)
            for page in pages:
                for item in page.items:
                    if item[0] == "full" and item[1].kind != "photo_caption":
                        self.dup_pool[page.ascii_punct].append(item[1])
        self.pages = [p for p in self.pages if p.items]
        for i, page in enumerate(self.pages):
            page.index = i

    # ------------------------------------------------------------------ output

    def page_text(self, page: Page) -> str:
        rng = self.rng
        blocks: list[str] = []
        if rng.random() < 0.15:
            blocks.append(self._heading(page, rng.choice(PAGE_HEADERS), 2))
        spans: list[tuple[dict, int, int]] = []  # placement, first and last block
        for item in page.items:
            first = len(blocks)
            blocks.extend(self.render(page, item))
            role = {"full": "full", "dup": "duplicate", "head": "jump_head", "tail": "jump_tail"}
            placed = {"file": page.name + ".txt", "role": role[item[0]]}
            if item[1].kind != "photo_caption":
                placed["byline_style"] = item[1].byline_style
            item[1].placed.append(placed)
            spans.append((placed, first, len(blocks) - 1))
        lead = 2 if rng.random() < 0.7 else 0
        # Line numbers (1-based, as the reader counts them) of each block's
        # first and last non-empty line: the ground truth for bench/truth.py.
        starts, ends, line = [], [], 1 + lead
        for block in blocks:
            line += len(block) - len(block.lstrip("\n"))
            starts.append(line)
            line += block.strip("\n").count("\n")
            ends.append(line)
            line += 2
        for placed, first, last in spans:
            placed["lines"] = [starts[first], ends[last]]
        text = "\n\n".join(blocks)
        if lead:
            text = "\n\n" + text
        return text.rstrip()

    def page_meta(self, page: Page) -> str | None:
        rng = self.rng
        if rng.random() < 0.4:
            return None
        city = PAPER_HOME[page.paper]
        if city is None and rng.random() < 0.5:
            first = next((it[1] for it in page.items if it[0] != "tail"), page.items[0][1])
            city = first.city
        lines = [f"paper: {page.paper}", f"date: {page.issue_date.isoformat()}"]
        if rng.random() < 0.85:
            lines.append(f"page: {page.page_no}")
        if city and rng.random() < 0.9:
            lines.append(f"city: {city}")
        return "\n".join(lines) + "\n"


def clear_outdir(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    for pattern in ("p*.txt", "p*.meta.yml", "MANIFEST.json"):
        for path in sorted(outdir.glob(pattern)):
            path.unlink()


def make_corpus(n: int, outdir: Path, seed: int = 0, corpus_dir: Path = DEFAULT_CORPUS) -> dict:
    """Write the corpus; returns the manifest that was written."""
    if n < 1:
        raise ValueError("N must be at least 1")
    sentences, phrases = load_pool(corpus_dir)
    gen = Generator(n, seed, sentences, phrases)
    gen.build()
    clear_outdir(outdir)
    total_chars = total_bytes = metas = 0
    noise = {"markdown": 0, "ascii_punct": 0, "column_wrap": 0, "mid_sentence_breaks": 0}
    for page in gen.pages:
        text = gen.page_text(page)
        data = text.encode("utf-8")
        (outdir / f"{page.name}.txt").write_bytes(data)
        total_chars += len(text)
        total_bytes += len(data)
        meta = gen.page_meta(page)
        if meta is not None:
            (outdir / f"{page.name}.meta.yml").write_bytes(meta.encode("utf-8"))
            metas += 1
        noise["markdown"] += page.markdown
        noise["ascii_punct"] += page.ascii_punct
        noise["column_wrap"] += bool(page.wrap_width)
        noise["mid_sentence_breaks"] += page.break_rate > 0
    arts = gen.articles
    kinds: dict[str, int] = {}
    styles: dict[str, int] = {}
    for a in arts:
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
        if a.kind != "photo_caption":
            styles[a.byline_style] = styles.get(a.byline_style, 0) + 1
    manifest = {
        "generator": "bench/make_corpus.py",
        "version": VERSION,
        "seed": seed,
        "requested": n,
        "counts": {
            "distinct_articles": len(arts),
            "duplicates": gen.dups,
            "jumps": gen.jumps,
            "files": len(gen.pages),
            "meta_files": metas,
            "characters": total_chars,
            "bytes": total_bytes,
            "article_characters": sum(a.chars() for a in arts),
            "kinds": dict(sorted(kinds.items())),
            "byline_styles": dict(sorted(styles.items())),
            "pages_with": noise,
        },
        "rates": {"duplicates": DUP_RATE, "jumps": JUMP_RATE},
        "articles": [
            {
                "id": a.id,
                "kind": a.kind,
                "title": a.title,
                "paper": a.paper,
                "issue_date": a.issue_date.isoformat(),
                "date": None if a.date_form == "recent" else a.event_date.isoformat(),
                "city": a.city,
                "reporters": a.reporters,
                "byline_style": a.byline_style,
                "chars": a.chars(),
                "placed": a.placed,
            }
            for a in arts
        ],
    }
    (outdir / "MANIFEST.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", metavar="N", type=int, help="number of distinct articles")
    ap.add_argument("outdir", metavar="OUTDIR", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="sample pages to draw from")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("N must be at least 1")
    t0 = time.perf_counter()
    manifest = make_corpus(args.n, args.outdir, args.seed, args.corpus)
    c = manifest["counts"]
    print(
        f"{c['distinct_articles']} articles (+{c['duplicates']} duplicates, {c['jumps']} jumps) "
        f"in {c['files']} files, {c['characters']} characters, "
        f"{time.perf_counter() - t0:.2f}s -> {args.outdir}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
