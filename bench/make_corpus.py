#!/usr/bin/env python3
"""Write a synthetic corpus of raw newspaper page files for benchmarks.

    python bench/make_corpus.py N OUTDIR [--seed S] [--corpus DIR] [--layouts L,...]

The text is recombined from the sentences of the bundled sample pages
(``corpus/*.txt``). Articles are laid out several to a page file in the same
raw layout as the samples, with the same kinds of noise: Markdown or plain
headlines, subtitles starting with ——, column banners, bylines at the end
(sometimes glued to the last line), datelines, bylines under the title, photo
captions, page jumps, spaces from column wraps, paragraph breaks inside
sentences, ASCII punctuation, duplicated articles with small wording changes.

Besides these (layout class ``classic``) it plants the layout classes of
issue 16 (``LAYOUTS``): articles opened by a wire or house dateline and never
closed, articles with neither, page furniture, briefs columns, photo captions
with photographers, Q&A interviews, features with section heads, mid-page
jumps and duplicates glued under a neighbour. Every article keeps to a topic
(version 4, ``Topic``): sentences near one anchor of the pool, each rewritten
word the same throughout, its city's places, headline phrases of its own
sentences; neighbour articles take other topics. ``--layouts classic`` writes
the page files of version 2 byte for byte (no topics). See bench/README.md.

Output, all in OUTDIR (existing ``p*.txt``, ``p*.meta.yml`` and
``MANIFEST.json`` there are removed first):

* ``p000000.txt`` ... one page file each, UTF-8, no trailing newline;
* ``p000000.meta.yml`` for some of the pages (keys paper, date, page, city);
* ``MANIFEST.json``: seed, counts, per article its classes and where it was
  placed, per page its furniture and what it prints (the ground truth).

The same arguments always give byte-identical files: all randomness comes from
one ``random.Random(seed)`` and everything is iterated in a fixed order.
The output is throw-away benchmark data; write it under ``bench/out/`` (git
ignores it) or a temporary directory, and never commit it.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

VERSION = 4
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
GAZETTEER = Path(__file__).resolve().parent.parent / "generator" / "data" / "gazetteer.yml"

JUMP_RATE = 0.03  # share of articles split across two pages of one issue
DUP_RATE = 0.05  # share of articles that appear again in another file
RECENT_DAYS = 30  # a copy reprints an article of this many days before (version 3)
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
# --------------------------------------------------------------------------- layout classes
# The layouts of issue 16 that the five bundled pages do not show. ``classic``
# is everything the generator wrote before (version 2); ``--layouts classic``
# writes the same page files as version 2 did, byte for byte.
LAYOUTS = (
    "classic",  # the bundled layouts, recombined (version 2)
    "dateline_open",  # opened by a dateline or wire lead, no closing byline
    "bare",  # headline, then prose: no byline or dateline at all
    "furniture",  # page header, date line, section word, page number (page level)
    "briefs",  # a 简讯 banner over short items, each with its own title
    "caption",  # a photo caption closed by a credit (… 摄)
    "qa",  # an interview in 记者：/答： paragraphs
    "feature",  # a long article with section heads inside
    "jump_mid",  # a page jump whose first part sits mid-page
    "glued_dup",  # a duplicate glued under a neighbour without a blank line
)
NEW_LAYOUTS = LAYOUTS[1:]
# Classes an article slot of a page can take (furniture and jump_mid are decided
# per page and per issue).
SLOT_LAYOUTS = ("dateline_open", "bare", "briefs", "caption", "qa", "feature", "glued_dup")
NEW_LAYOUT_PAGES = 0.3  # share of pages whose slots use some of SLOT_LAYOUTS
NEW_LAYOUT_SLOT = 0.55  # share of slots of such a page that do
FURNITURE_PAGES = 0.2  # share of pages printed with page furniture
JUMP_MID_SHARE = 0.5  # share of page jumps whose first part sits mid-page

# Wire and house datelines of articles that do not close with a byline.
# {city}: short city name, {md}: 3月5日, {names}: reporters.
WIRE_DATELINES = (
    ("本报讯（记者 {names}）", True, False),
    ("本报讯（记者{names}）", True, False),
    ("本报{md}讯（记者 {names}）", True, True),
    ("新华社{city}{md}电（记者 {names}）", True, True),
    ("新华社{city}{md}电", False, True),
    ("光明日报{city}{md}电", False, True),
    ("光明日报{city}{md}电（记者 {names}）", True, True),
    ("人民日报{city}{md}电（记者 {names}）", True, True),
    ("经济日报{city}{md}讯（记者 {names}）", True, True),
    ("中新网吉林{city}{md}电 （{names}）", True, True),
    ("中新网{city}{md}电（记者 {names}）", True, True),
)
PHOTO_BANNERS = ("图片新闻", "图片报道", "看图")
BRIEF_BANNERS = ("简讯", "快讯", "本报简讯", "综合简讯", "短讯", "要闻简报")
SECTION_WORDS = ("要闻", "区域", "经济", "民生", "综合", "都市", "时政", "社会", "文化", "县域")
WEEKDAYS = "一二三四五六日"
QA_HEADS = (
    "{who}就{topic}答记者问",
    "{who}就{topic}答本报记者问",
    "{topic}怎么干？——{who}答记者问",
)
QA_OFFICES = ("负责人", "主要负责同志", "有关负责人", "相关负责人")
QA_QUESTIONS = (
    "请介绍一下{p}的总体考虑。",
    "在{p}方面，有哪些新的举措？",
    "{p}目前进展如何？",
    "下一步，在{p}上还有哪些打算？",
    "群众关心的{p}，怎样落到实处？",
    "和往年相比，今年的{p}有什么不同？",
    "{p}取得了哪些成效？",
    "如何保障{p}顺利推进？",
    "有人担心{p}会增加基层负担，您怎么看？",
)
QA_SHORT_QUESTIONS = ("成效如何？", "难点在哪里？", "下一步怎么走？", "资金从哪里来？")
QA_INTROS = (
    "{cf}{org}印发《关于{p}的实施意见》。围绕群众关心的问题，记者采访了{cf}{org}{office}。",
    "{cf}召开{p}工作推进会。会后，{cf}{org}{office}{name}接受了本报记者专访。",
    "{cf}{org}日前出台{p}相关措施。{cf}{org}{office}就政策要点回答了记者提问。",
)
FEATURE_NUMBERS = "一二三四五六七八"
FEATURE_POINTS = ("一是", "二是", "三是", "四是")
CAPTION_SCENES = SCENES + (
    "市民在冰雪大世界游玩",
    "收割机在稻田里作业",
    "学生在实验室里做实验",
    "游客在街头品尝特色美食",
    "消防员开展应急演练",
    "志愿者在社区清理积雪",
    "工人在车间里组装零部件",
    "村民在大棚里采摘草莓",
    "老人在社区食堂用餐",
    "演员在广场上表演秧歌",
)
CAPTION_FORMS = (
    "{md}，{place}，{scene}。",
    "{md}，{scene}。当日，{place}举办{p}活动。",
    "近日，在{place}，{scene}。",
    "图为{place}{scene}的情景。",
    "{md}，{place}迎来{p}，{scene}。",
)
CAPTION_CREDITS = (
    "本报记者 {names} 摄",
    "{names}/摄",
    "新华社记者 {names} 摄",
    "记者 {names} 摄",
    "{names} 摄",
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


# Topics (version 4). A real article keeps to one subject: its places, its
# organisation, its project come back paragraph after paragraph, and the
# article after it on the page is about something else. Every article (but in
# version 2 mode, ``--layouts classic``) picks a topic: an anchor sentence of
# the pool and the pool sentences nearest it by shared content words, its city
# and places of the same prefecture, and the words it swaps in.
TOPIC_TAGS = ("n", "vn", "nz", "nt", "j", "ns", "l")  # content words that make a subject
TOPIC_COMMON = 0.05  # words in more pool sentences than this share carry no subject
TOPIC_SENTENCES = 60  # pool sentences nearest the anchor an article draws from
TOPIC_SHARE = 0.7  # share of an article's sentence runs that start among them
TOPIC_PLACES = 2  # places of the article's prefecture besides its city
TOPIC_PHRASES = 0.8  # share of titles and heads made of the topic's phrases
TITLE_RECENT = 80  # the last phrases titles used (this many) stay out of new titles
TOPIC_OVERLAP = 12  # at most this many of the last article's topic sentences in the next one's


@dataclass
class Pool:
    """Pool sentences cut into words, and the words to swap in, by tag and length."""

    tokens: list[list[tuple[str, str]]]
    words: dict[tuple[str, int], list[str]]
    places: list[str]
    near: list[list[int]] = field(default_factory=list)  # topic neighbours, nearest first
    phrases_of: list[list[str]] = field(default_factory=list)  # headline phrases per sentence
    prefecture: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


@dataclass
class Topic:
    """What one article is about, and how it rewrites the pool consistently."""

    anchor: int
    sentences: list[int]  # pool sentences it draws from, nearest first
    phrases: list[str]  # headline phrases of those sentences
    places: list[str]  # the places its place names become (its city first)
    words: dict[str, str] = field(default_factory=dict)  # pool word -> what it is here
    used: set[int] = field(default_factory=set)  # pool sentences it printed


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


def load_prefectures(path: Path = GAZETTEER) -> dict[str, tuple[str, list[str]]]:
    """Short city name (``CITIES``) -> its prefecture's text name and the
    county-level places of that prefecture as running text names them."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    places = data["places"]

    def text_name(p: dict) -> str:
        full = p.get("full") or p["name"]
        if 2 <= len(full) <= 4:
            return full
        if full.endswith(("自治县", "自治州")):
            return p["name"] + full[-2]
        return p["name"]

    by_name = {p["name"]: p for p in places}
    out: dict[str, tuple[str, list[str]]] = {}
    for city in CITIES:
        p = by_name.get(city)
        pref = (p.get("parent") or city) if p else city
        head = by_name.get(pref)
        members = sorted({text_name(q) for q in places if q.get("parent") == pref} - {CITIES[city]})
        out[city] = (text_name(head) if head else CITIES[city], members)
    return out


def topic_neighbours(tokens: list[list[tuple[str, str]]]) -> list[list[int]]:
    """For every pool sentence, the ``TOPIC_SENTENCES`` nearest it (itself
    first): cosine of shared content words weighted by rarity, then nearness
    in the pool (the sentences of one bundled article stand together)."""
    n = len(tokens)
    docs = [
        sorted({w for w, f in toks if f in TOPIC_TAGS and _HAN_WORD_RE.match(w)}) for toks in tokens
    ]
    df = Counter(w for d in docs for w in d)
    idf = {w: math.log(n / c) for w, c in df.items() if 1 < c <= max(2, TOPIC_COMMON * n)}
    postings: dict[str, list[int]] = {}
    for i, d in enumerate(docs):
        for w in d:
            if w in idf:
                postings.setdefault(w, []).append(i)
    norm = [math.sqrt(sum(idf[w] ** 2 for w in d if w in idf)) or 1.0 for d in docs]
    near = []
    for i, d in enumerate(docs):
        score: dict[int, float] = {}
        for w in d:
            for j in postings.get(w, ()):
                if j != i:
                    score[j] = score.get(j, 0.0) + idf[w] ** 2
        for j in range(max(0, i - 3), min(n, i + 4)):  # its neighbours in the pool
            if j != i:
                score[j] = score.get(j, 0.0) + 0.5 * norm[i] * norm[j] / (1 + abs(i - j))
        ranked = sorted(score, key=lambda j: (-score[j] / (norm[i] * norm[j]), abs(i - j), j))
        near.append([i, *ranked[: TOPIC_SENTENCES - 1]])
    return near


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
    date_form: str  # md (本报3月5日讯 / 3月5日) / ymd / recent (近日) / dateline (in ``dateline``)
    city: str
    reporters: list[str]
    label: str  # e.g. 吉林日报记者; a caption's whole credit line (本报记者 王伟 摄)
    trainee: str | None
    byline_style: str  # end / dateline / under / none; brief items: colon / inline / none
    intro: str
    body: list[tuple[str, str]]  # ("p", paragraph) or ("h", section head)
    banner: str | None = None
    placed: list[dict] = field(default_factory=list)
    layout: str = "classic"  # one of LAYOUTS
    dateline: str | None = None  # a wire or house lead (新华社长春4月19日电) replacing 本报…讯
    photographers: list[str] = field(default_factory=list)  # captions: who took the photo
    topic: Topic | None = field(default=None, repr=False)  # version 4: what it is about

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
    layouts: tuple[str, ...] = ()  # SLOT_LAYOUTS some of whose slots take
    furniture: bool = False  # printed with page header / date line / page number
    truth: dict = field(default_factory=dict)  # page-level ground truth for the manifest

    @property
    def name(self) -> str:
        return f"p{self.index:06d}"


def cn_number(n: int) -> str:
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


class Generator:
    """Plans issues and pages of N articles and renders them as raw page text."""

    def __init__(
        self,
        n: int,
        seed: int,
        sentences: list[str],
        phrases: list[str],
        layouts: tuple[str, ...] = NEW_LAYOUTS,
    ) -> None:
        unknown = set(layouts) - set(LAYOUTS)
        if unknown:
            raise ValueError(f"unknown layout classes: {', '.join(sorted(unknown))}")
        # the new classes in use (an empty tuple gives version 2's page files)
        self.layouts = tuple(x for x in NEW_LAYOUTS if x in layouts)
        self.slot_layouts = tuple(x for x in SLOT_LAYOUTS if x in self.layouts)
        self.turn = 0  # which of slot_layouts the next page with new layouts starts with
        self.n = n
        self.seed = seed
        self.rng = random.Random(seed)
        self.sentences = sentences
        self.phrases = phrases
        self.pool = word_pool(sentences)
        # version 4: every article keeps to a topic (not in version 2 mode)
        self.topics = bool(self.layouts)
        if self.topics and not self.pool.near:
            self.pool.near = topic_neighbours(self.pool.tokens)
            phrase_set = set(phrases)
            self.pool.phrases_of = [
                [x for x in _PHRASE_SPLIT_RE.split(s) if x in phrase_set] for s in sentences
            ]
            self.pool.prefecture = load_prefectures()
        self.last_topic: Topic | None = None
        self.recent_title_phrases: dict[str, None] = {}  # in the titles of recent articles
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

    def _topic(self, city: str) -> Topic:
        """A topic for a new article in ``city``, another than the last article's."""
        rng, pool = self.rng, self.pool
        last = set(self.last_topic.sentences) if self.last_topic else set()
        for _ in range(10):
            anchor = rng.randrange(len(self.sentences))
            near = pool.near[anchor]
            if len(last.intersection(near)) <= TOPIC_OVERLAP:
                break
        phrases = list(dict.fromkeys(x for k in near for x in pool.phrases_of[k]))
        prefecture, members = pool.prefecture[city]
        places = [CITIES[city]]
        if prefecture != CITIES[city]:
            places.append(prefecture)
        places += rng.sample(members, min(TOPIC_PLACES, len(members)))
        topic = Topic(anchor, list(near), phrases, places)
        self.last_topic = topic
        return topic

    def _topic_start(self, topic: Topic) -> int:
        """Where the next run of sentences starts: mostly a topic sentence not yet printed."""
        rng = self.rng
        if rng.random() < TOPIC_SHARE:
            free = [k for k in topic.sentences if k not in topic.used]
            if free:
                return rng.choice(free)
        return rng.randrange(len(self.sentences))

    def _numbers(self, s: str, year_shift: int, city: str, topic: Topic | None = None) -> str:
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
        if topic is not None:  # the article's city throughout
            s = _CITY_RE.sub(city, s)
        elif rng.random() < 0.5:
            s = _CITY_RE.sub(city, s, count=1)
        return _NUMBER_RE.sub(number, s)

    def _words(self, k: int, topic: Topic | None = None) -> str:
        """Pool sentence ``k`` with some of its words swapped (see ``REWRITE_RATES``);
        with a topic, each word is swapped or kept once for the whole article."""
        rng, pool = self.rng, self.pool
        out = []
        for w, f in pool.tokens[k]:
            rate = REWRITE_RATES.get(f)
            if topic is not None and rate:  # swapped or kept, the same way throughout
                if w not in topic.words:
                    swap = rng.random() < rate and _HAN_WORD_RE.match(w)
                    topic.words[w] = self._topic_word(topic, w, f) if swap else w
                w = topic.words[w]
            elif rate and rng.random() < rate and _HAN_WORD_RE.match(w):
                if f == "ns":
                    w = rng.choice(pool.places)
                else:
                    w = rng.choice(pool.words.get((f, len(w))) or (w,))
            out.append(w)
        return "".join(out)

    def _topic_word(self, topic: Topic, w: str, f: str) -> str:
        """What word ``w`` (tag ``f``) becomes throughout the article of
        ``topic``: one of its places, or a word of the same tag and length."""
        rng = self.rng
        if f == "ns":
            return rng.choice(topic.places)
        return rng.choice(self.pool.words.get((f, len(w))) or (w,))

    def _rewrite(self, k: int, topic: Topic | None = None) -> str:
        """Pool sentence ``k`` rewritten: words swapped, a clause or two taken
        from another sentence (of the topic), enumerations reordered."""
        rng = self.rng
        s = self._words(k, topic)
        clauses = _CLAUSE_RE.findall(s)
        if len(clauses) > 1:
            end = s[len("".join(clauses)) :]  # 。 ! ? and a closing quote
            for i in range(1, len(clauses) - 1):
                if rng.random() < CLAUSE_SWAP:
                    j = (
                        rng.choice(topic.sentences)
                        if topic is not None
                        else rng.randrange(len(self.sentences))
                    )
                    other = _CLAUSE_RE.findall(self._words(j, topic))
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

    def _title(self, city: str, topic: Topic | None = None) -> str:
        rng = self.rng
        ph = self.phrases
        cf = CITIES[city]
        for attempt in range(20):
            if topic is not None:  # mostly the topic's words, as a real headline
                fresh = self._fresh_phrases(topic)
                own = attempt < 10 and len(fresh) >= 5 and rng.random() < TOPIC_PHRASES
                ph = fresh if own else self.phrases
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
                self._title_used(t, topic)
                return t
        t = f"{cf}{rng.choice(ph)}（{len(self.titles)}）"
        self.titles.add(t)
        return t

    def _fresh_phrases(self, topic: Topic) -> list[str]:
        """The topic's phrases that no recent title used: two headlines of a
        page never share a phrase (one would read as the other's copy)."""
        return [x for x in topic.phrases if x not in self.recent_title_phrases]

    def _title_used(self, title: str, topic: Topic | None) -> None:
        """Remember the topic phrases a title used (the last ``TITLE_RECENT``)."""
        if topic is None:
            return
        for x in topic.phrases:
            if x in title:
                self.recent_title_phrases[x] = None
        while len(self.recent_title_phrases) > TITLE_RECENT:
            del self.recent_title_phrases[next(iter(self.recent_title_phrases))]

    def new_article(
        self,
        paper: str,
        issue_date: date,
        kind: str | None = None,
        style: str | None = None,
        layout: str = "classic",
    ) -> Article:
        """A planted article; ``layout`` other than classic draws its sentences
        from one stretch of the pool (one subject, as a real article has)."""
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
        topic = self._topic(city) if self.topics and kind != "photo_caption" else None
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
            start = rng.randrange(len(sents)) if topic is None else self._topic_start(topic)
            for k in range(start, min(len(sents), start + rng.choice((1, 1, 2, 3, 4)))):
                if topic is not None:
                    topic.used.add(k)
                s = self._numbers(self._rewrite(k, topic), shift, cf, topic)
                para.append(s)
                para_len += len(s)
                total += len(s)
                if len(para) >= want or para_len > 300:
                    body.append(("p", "".join(para)))
                    para, para_len = [], 0
                    want = rng.choice((1, 2, 2, 3, 3, 4))
                    since_head += 1
                    if kind == "long" and since_head >= 4 and rng.random() < 0.35:
                        if topic is None:
                            head = rng.choice(self.phrases)
                            if rng.random() < 0.5:
                                head += "：" + rng.choice(self.phrases)
                        else:
                            head = self._phrase(13, topic)
                            if rng.random() < 0.5:
                                head += "：" + self._phrase(13, topic)
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
            aid, kind, self._title(city, topic), subtitle, paper, issue_date, event_date, date_form,
            city, reporters, label, rng.choice(self.names) if rng.random() < 0.08 else None,
            style, intro, body,
            rng.choice(BANNERS) if rng.random() < 0.05 else None,
            layout=layout, topic=topic,
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

    # ------------------------------------------------------------------ layout classes

    def _fresh_title(self, make, topic: Topic | None = None) -> str:
        """A title from ``make()`` that no other article has (numbered at worst)."""
        for _ in range(20):
            t = make()
            if t not in self.titles:
                self.titles.add(t)
                self._title_used(t, topic)
                return t
        t = f"{make()}（{len(self.titles)}）"
        self.titles.add(t)
        return t

    def _phrase(self, longest: int = 13, topic: Topic | None = None, title: bool = False) -> str:
        """A headline phrase of the pool of at most ``longest`` characters
        (mostly one of the topic's, given one; for a ``title``, one that no
        recent title used)."""
        rng = self.rng
        phrases = self.phrases
        own = self._fresh_phrases(topic) if topic is not None and title else topic and topic.phrases
        if own and len(own) >= 5 and rng.random() < TOPIC_PHRASES:
            phrases = own
        for _ in range(10):
            p = rng.choice(phrases)
            if len(p) <= longest:
                return p
        return p[:longest]

    def _stretch(self, art: Article, count: int) -> str:
        """``count`` rewritten pool sentences near the article's subject."""
        rng, topic = self.rng, art.topic
        base = rng.randrange(len(self.sentences)) if topic is None else self._topic_start(topic)
        shift = art.event_date.year - 2023
        cf = CITIES[art.city]
        out = []
        for i in range(count):
            k = (base + i) % len(self.sentences)
            if topic is not None:
                topic.used.add(k)
            out.append(self._numbers(self._rewrite(k, topic), shift, cf, topic))
        return "".join(out)

    def dateline_article(self, paper: str, issue_date: date) -> Article:
        """Class ``dateline_open``: opened by a house or wire dateline, never closed."""
        rng = self.rng
        kind = rng.choice(("brief", "article", "article", "long"))
        art = self.new_article(paper, issue_date, kind, "dateline", "dateline_open")
        form, named, dated = rng.choice(WIRE_DATELINES)
        d = art.event_date
        art.dateline = form.format(
            city=art.city, md=f"{d.month}月{d.day}日", names=" ".join(art.reporters)
        )
        art.body = [(k, t) for k, t in art.body if k == "p"]  # heads would be ambiguous
        if not named:
            art.reporters = []
        if dated:
            art.date_form = "dateline"
        art.trainee = None
        return art

    def bare_article(self, paper: str, issue_date: date) -> Article:
        """Class ``bare``: a headline and prose, nothing that opens or closes it."""
        kind = self.rng.choice(("brief", "article", "article", "long"))
        art = self.new_article(paper, issue_date, kind, "none", "bare")
        art.reporters, art.trainee = [], None
        art.body = [(k, t) for k, t in art.body if k == "p"]  # heads would be ambiguous
        return art

    def feature_article(self, paper: str, issue_date: date, style: str) -> Article:
        """Class ``feature``: a long article with section heads of one form inside."""
        rng = self.rng
        art = self.new_article(paper, issue_date, "long", style, "feature")
        paras = [t for k, t in art.body if k == "p"]
        while len(paras) < 7:  # enough room for two heads or more
            paras.append(self._stretch(art, rng.randint(2, 3)))
        head_kind = rng.choice(("hp", "hn", "h3"))
        points = rng.random() < 0.4  # 一是 … 二是 … inside a part
        body: list[tuple[str, str]] = [("p", paras[0])]
        if rng.random() < 0.5:
            body.append(("p", paras[1]))
            paras = paras[1:]
        heads = 0
        gap = 0
        for text in paras[1:]:
            if gap == 0:
                if rng.random() < 0.5:
                    head = self._phrase(8, art.topic) + " " + self._phrase(8, art.topic)
                else:
                    head = self._phrase(12, art.topic)
                if head_kind == "hn":
                    head = FEATURE_NUMBERS[heads % len(FEATURE_NUMBERS)] + "、" + head
                body.append((head_kind, head))
                if head_kind == "h3" and rng.random() < 0.25:  # a head and a subhead
                    body.append((head_kind, self._phrase(10, art.topic)))
                heads += 1
                gap = rng.randint(2, 3)
                point = 0
            if points and point < len(FEATURE_POINTS) and rng.random() < 0.6:
                text = FEATURE_POINTS[point] + text
                point += 1
            body.append(("p", text))
            gap -= 1
        art.body = body
        return art

    def qa_article(self, paper: str, issue_date: date, style: str) -> Article:
        """Class ``qa``: 记者：question / 答：answer paragraphs under one headline."""
        rng = self.rng
        art = self.new_article(paper, issue_date, "brief", style, "qa")
        cf = CITIES[art.city]
        org = rng.choice(ORGS)
        office = rng.choice(QA_OFFICES)
        official = rng.choice(self.names) if rng.random() < 0.4 else None
        who = f"{cf}{org}{office}"
        topic = self._phrase(10, art.topic)
        art.title = self._fresh_title(
            lambda: rng.choice(QA_HEADS).format(
                who=who, topic=self._phrase(10, art.topic, title=True)
            ),
            art.topic,
        )
        art.subtitle = art.banner = art.trainee = None
        intro = rng.choice(QA_INTROS).format(
            cf=cf, org=org, office=office, name=official or "", p=topic
        )
        body: list[tuple[str, str]] = [("p", intro + self._stretch(art, 1))]
        answer = f"{official}：" if official else "答："
        for _ in range(rng.randint(3, 6)):
            if rng.random() < 0.2:
                q = rng.choice(QA_SHORT_QUESTIONS)
            else:
                q = rng.choice(QA_QUESTIONS).format(p=self._phrase(10, art.topic))
            body.append(("p", "记者：" + q))
            body.append(("p", answer + self._stretch(art, rng.randint(1, 3))))
            if rng.random() < 0.25:
                body.append(("p", self._stretch(art, rng.randint(1, 2))))
        art.body = body
        art.intro = ""
        if style == "none":
            art.reporters = []
        return art

    def brief_items(self, paper: str, issue_date: date, count: int) -> list[Article]:
        """Class ``briefs``: short items with short titles, some closed by 记者：X."""
        rng = self.rng
        arts = []
        for _ in range(count):
            art = self.new_article(paper, issue_date, "brief", "none", "briefs")
            art.title = self._fresh_title(
                lambda a=art: (
                    (CITIES[a.city] if rng.random() < 0.5 else "")
                    + self._phrase(9, a.topic, title=True)
                ),
                art.topic,
            )
            art.subtitle = art.banner = art.trainee = None
            body, total = [], 0
            for k, text in art.body:
                if k == "p" and total < 120:
                    body.append(("p", text))
                    total += len(text)
            art.body = body
            if art.date_form != "recent" and rng.random() < 0.3:
                art.date_form = "recent"  # no date printed: the issue's
            r = rng.random()
            art.byline_style = "colon" if r < 0.35 else "inline" if r < 0.55 else "none"
            art.reporters = art.reporters[:1] if art.byline_style != "none" else []
            arts.append(art)
        return arts

    def caption(self, paper: str, issue_date: date) -> Article:
        """Class ``caption``: a photo caption whose credit names photographers."""
        rng = self.rng
        aid = len(self.articles)
        city = rng.choice(CITY_NAMES)
        cf = CITIES[city]
        d = issue_date - timedelta(days=rng.choice((0, 1, 1, 2)))
        place = cf if rng.random() < 0.5 else rng.choice(self.pool.places)
        text = rng.choice(CAPTION_FORMS).format(
            md=f"{d.month}月{d.day}日",
            place=place,
            scene=rng.choice(CAPTION_SCENES),
            p=self._phrase(10),
        )
        if rng.random() < 0.4:
            text += "图为" + rng.choice(CAPTION_SCENES) + "。"
        names = list(dict.fromkeys(rng.choice(self.names) for _ in range(rng.choice((1, 1, 2)))))
        credit = rng.choice(CAPTION_CREDITS).format(names=" ".join(names))
        form = "md" if re.match(r"\d+月", text) else "recent"
        title = None
        if rng.random() < 0.35:  # a photo news item with a headline of its own
            title = self._fresh_title(lambda: cf + self._phrase(9))
        art = Article(
            aid, "photo_caption", title, None, paper, issue_date, d, form, city,
            [], credit, None, "none", "", [("p", text)], layout="caption",
            photographers=names,
        )  # fmt: skip
        self.articles.append(art)
        return art

    def _dup_index(self, pool: list[Article], issue_date: date) -> int:
        """Which article of the pool is printed again in the issue of ``issue_date``.

        Version 2 took any earlier article, so a copy could come out years
        after the first print; with the new layouts on, a copy reprints an
        article of the last ``RECENT_DAYS`` days (or the latest one there is).
        """
        if not self.layouts:
            return self.rng.randrange(len(pool))
        k = len(pool) - 1
        while k > 0 and (issue_date - pool[k - 1].issue_date).days <= RECENT_DAYS:
            k -= 1
        return self.rng.randrange(k, len(pool))

    def slot_items(self, page: Page, slot: int, want: int, layout: str) -> list[tuple]:
        """Items of one slot in ``layout``, one of the page's new layout classes."""
        rng = self.rng
        paper, issue_date = page.paper, page.issue_date
        if layout == "dateline_open":
            return [("full", self.dateline_article(paper, issue_date))]
        if layout == "bare":
            return [("full", self.bare_article(paper, issue_date))]
        if layout == "feature":
            style = self._style(page, slot, want)
            return [("full", self.feature_article(paper, issue_date, style))]
        if layout == "qa":
            style = self._style(page, slot, want)
            return [("full", self.qa_article(paper, issue_date, style))]
        if layout == "briefs":
            count = min(rng.randint(3, 5), self.n - len(self.articles))
            banner = rng.choice(BRIEF_BANNERS)
            return [("briefs", banner, self.brief_items(paper, issue_date, count))]
        if layout == "caption":
            # under an article still open: the credit must close only the caption
            items: list[tuple] = []
            if not page.items or rng.random() < 0.5:
                items.append(("full", self.dateline_article(paper, issue_date)))
            if len(self.articles) < self.n:
                items.append(("caption", self.caption(paper, issue_date)))
            return items
        # glued_dup: a copy of an earlier article glued under this slot's article
        items = [("full", self.new_article(paper, issue_date, None, self._style(page, slot, want)))]
        pool = self.dup_pool[not page.ascii_punct] or self.dup_pool[page.ascii_punct]
        if pool and len(self.articles) < self.n:
            j = self._dup_index(pool, page.issue_date)
            orig = pool[j]
            pool[j] = pool[-1]
            pool.pop()
            copy = self.variant(orig, rng.choice(("none", "end")))
            items.append(("glued", replace(copy, layout="glued_dup")))
            self.dups += 1
        return items

    # ------------------------------------------------------------------ rendering

    def _credit(self, art: Article) -> str:
        names = " ".join(art.reporters)
        line = f"{art.label} {names}"
        if art.trainee:
            line += f" 实习生 {art.trainee}"
        return line

    def _lead(self, art: Article) -> str:
        d = art.event_date
        if art.dateline:
            when = {
                "dateline": "",
                "md": f"{d.month}月{d.day}日，",
                "ymd": f"{d.year}年{d.month}月{d.day}日，",
            }.get(art.date_form, "近日，")
            return art.dateline + when + art.intro
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
        """A headline line: Markdown ``#`` on Markdown pages, a plain line elsewhere."""
        text = self._punct(page, text)
        return ("#" * level + " " + text) if page.markdown else text

    def _jump_mark(self, page: Page, item: tuple, verb: str) -> str:
        """(下转第三版) as on the bundled pages; a mid-page jump: （下转第3版）."""
        if len(item) > 5 and item[5] == "mid":
            if page.paper == "城市晚报":  # pages A01, A02 …: （下转A03版）
                return self._punct(page, f"（{verb}A{item[4]:02d}版）")
            return self._punct(page, f"（{verb}第{item[4]}版）")
        return f"({verb}第{cn_number(item[4])}版)"

    def _brief_blocks(self, page: Page, banner: str, arts: list[Article]) -> list[list[str]]:
        """A briefs column: the banner, then each item's title, text and credit."""
        rng = self.rng
        out = [[self._heading(page, banner, 2)]]
        for art in arts:
            blocks = [self._heading(page, art.title, 3) if rng.random() < 0.5 else art.title]
            blocks[0] = self._punct(page, blocks[0])
            text = art.body[0][1]
            if art.date_form != "recent":
                d = art.event_date
                text = f"{d.month}月{d.day}日，" + _LEAD_DATE_RE.sub("", text, count=1)
            for _k, more in art.body[1:]:
                text += more
            if art.byline_style == "inline":
                text += f"（记者 {art.reporters[0]}）"
            blocks.extend(self._paragraph(page, text))
            if art.byline_style == "colon":
                blocks.append(
                    self._punct(page, rng.choice(("记者：", "记者 ：", "记者:")) + art.reporters[0])
                )
            out.append(blocks)
        return out

    def _caption_blocks(self, page: Page, art: Article) -> list[str]:
        """A caption after two or more blank lines, its credit on a line of its own or glued."""
        text = self._paragraph(page, art.body[0][1])[0]
        credit = self._punct(page, art.label)
        out, lead = [], "\n\n"
        if art.title:
            out.append(lead + self._heading(page, art.title, 3))
            lead = ""
        if self.rng.random() < 0.4:
            return [*out, lead + text + " " + credit]
        return [*out, lead + text, credit]

    def render(self, page: Page, item: tuple) -> list[str]:
        """Blocks (paragraphs / lines) of one item on a page."""
        rng = self.rng
        kind, art = item[0], item[1]
        blocks: list[str] = []
        if art.kind == "photo_caption":
            blocks.append("\n\n" + self._paragraph(page, art.body[0][1])[0])
            blocks.append(self._punct(page, f"本报记者 {art.reporters[0]} 摄"))
            return blocks
        if kind == "glued":  # a plain headline line is its only cue
            blocks.append(self._punct(page, art.title))
        else:
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
            if k in ("hp", "hn", "h3"):  # a feature's section heads: plain, 一、, ###
                blocks.extend(text_blocks)
                text_blocks = []
                level = 3 if k == "h3" else 0
                blocks.append(
                    self._heading(page, text, level) if level else self._punct(page, text)
                )
                continue
            protect = len(lead) - len(art.intro) if first_para and kind != "tail" else 0
            parts = self._paragraph(page, text, protect)
            if first_para and kind == "tail":
                parts[0] = self._jump_mark(page, item, "上接") + parts[0]
            first_para = False
            text_blocks.extend(parts)
        if kind == "head":
            text_blocks[-1] += self._jump_mark(page, item, "下转")
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
        if not isinstance(art, Article):  # a briefs column
            return True
        return art.kind != "photo_caption" and art.byline_style == "none"

    def _page_layouts(self, page: Page) -> None:
        """Decide which of the new layout classes a page shows (none in version 2 mode)."""
        rng = self.rng
        if "furniture" in self.layouts:
            page.furniture = rng.random() < FURNITURE_PAGES
        if self.slot_layouts and rng.random() < NEW_LAYOUT_PAGES:
            # the classes take turns (every one is planted even in a small
            # corpus); a third of the pages show a second one as well
            first = self.slot_layouts[self.turn % len(self.slot_layouts)]
            self.turn += 1
            others = [x for x in self.slot_layouts if x != first]
            page.layouts = (first,)
            if others and rng.random() < 1 / 3:
                page.layouts += (rng.choice(others),)

    def _open_end(self, page: Page) -> bool:
        """Whether the page's last item is an article a following headline must end."""
        if not page.items:
            return False
        item = page.items[-1]
        art = item[1]
        if item[0] in ("briefs", "caption", "glued"):
            return True
        return art.layout in ("dateline_open", "bare")

    def build(self) -> None:
        """Plan every issue, page and item until N distinct articles are placed."""
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
            # with neither, reads as a section head even to a person. The new
            # layout classes break this on purpose: they are what real pages do.
            house = "end" if rng.random() < 0.5 else "dateline"
            for page in pages:
                page.house = house
            # a jump whose first part sits mid-page: another article above it
            # and at least one below it
            mid = jump_due and "jump_mid" in self.layouts and rng.random() < JUMP_MID_SHARE
            tails: dict[int, list[tuple]] = {}
            for pi, page in enumerate(pages):
                want = rng.randint(2, 7)
                if self.layouts:
                    self._page_layouts(page)
                    if mid and pi == 0:
                        want = max(want, 3)
                head_slot = 1 if mid else 0
                used = False  # whether a slot of the page took one of its new layouts
                for slot in range(want):
                    if len(self.articles) >= n:
                        break
                    if pi == 0 and slot == head_slot and jump_due and len(pages) > 1:
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
                            form = "mid" if mid else "top"
                            if mid:
                                art.layout = "jump_mid"
                            page.items.append(("head", art, i, off, pages[target].page_no, form))
                            tails.setdefault(target, []).append(
                                ("tail", art, i, off, page.page_no, form)
                            )
                            self.jumps += 1
                            jump_due = False
                            continue
                        page.items.append(("full", art))
                        continue
                    if slot and self.dups + 1 <= DUP_RATE * len(self.articles):
                        pool = (
                            self.dup_pool[not page.ascii_punct] or self.dup_pool[page.ascii_punct]
                        )
                        if pool:
                            j = self._dup_index(pool, issue_date)
                            orig = pool[j]
                            pool[j] = pool[-1]
                            pool.pop()
                            style = self._style(page, slot, want, dup=True)
                            page.items.append(("dup", self.variant(orig, style)))
                            self.dups += 1
                            continue
                    if page.layouts and (not used or rng.random() < NEW_LAYOUT_SLOT):
                        layout = rng.choice(page.layouts) if used else page.layouts[0]
                        page.items.extend(self.slot_items(page, slot, want, layout))
                        used = True
                        continue
                    style = self._style(page, slot, want)
                    page.items.append(("full", self.new_article(paper, issue_date, None, style)))
                if page.layouts and self._open_end(page) and len(self.articles) < n:
                    # an open article, column or caption is followed by a headline
                    style = self._style(page, want, want + 1)
                    page.items.append(("full", self.new_article(paper, issue_date, None, style)))
                for tail in tails.pop(pi, []):
                    pos = 0 if rng.random() < 0.5 else rng.randint(0, len(page.items))
                    while pos < len(page.items) and self._bare(page.items[pos]):
                        pos += 1  # an open tail before an article with no byline
                    page.items.insert(pos, tail)
            for page in pages:
                for item in page.items:
                    if (
                        item[0] == "full"
                        and item[1].kind != "photo_caption"
                        and item[1].layout == "classic"
                    ):
                        self.dup_pool[page.ascii_punct].append(item[1])
        self.pages = [p for p in self.pages if p.items]
        for i, page in enumerate(self.pages):
            page.index = i

    # ------------------------------------------------------------------ output

    def _furniture(self, page: Page) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """Page furniture lines (kind, text) above the first article and below the last."""
        rng = self.rng
        d = page.issue_date
        section = rng.choice(SECTION_WORDS)
        colon = rng.choice(("：", ":"))
        editor, artist = rng.sample(self.names, 2)
        evening = page.paper == "城市晚报"
        label = f"A{page.page_no:02d}" if evening else str(page.page_no)
        r = rng.random()
        if evening:  # an evening paper numbers its pages A01, A02 …
            header = f"{label} {section} 责任编辑{colon}{editor} 美术编辑{colon}{artist}"
            if r < 0.7:
                header = f"{page.paper} {label} {section} 责编{colon}{editor} 美编{colon}{artist}"
        elif r < 0.45:
            header = f"{page.paper} 第{page.page_no}版 {section} 责任编辑{colon}{editor}"
        elif r < 0.7:  # the date inside the header line
            header = (
                f"{page.paper} {d.year}年{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]} "
                f"第{page.page_no}版 {section} 责任编辑{colon}{editor}"
            )
        else:
            header = f"第{page.page_no}版 {section} 责任编辑{colon}{editor} 美术编辑{colon}{artist}"
        day = f"{d.year}年{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]}"
        top: list[tuple[str, str]] = []
        if rng.random() < 0.85:
            top.append(("header", header))
        if not top or ("星期" not in header and rng.random() < 0.5):
            top.insert(rng.randint(0, len(top)), ("date", day))
        if rng.random() < 0.4:
            top.append(("section", self._heading(page, section, 2)))
        bottom = [("page_number", label)] if rng.random() < 0.5 else []
        has_header = any(k == "header" for k, _t in top)
        page.truth.update(
            paper=page.paper if has_header and header.startswith(page.paper) else None,
            page=label if has_header else None,
            date=d.isoformat()
            if any(k == "date" or "星期" in t for k, t in top if k != "section")
            else None,
            section=section,
            editors=[editor, artist] if "美" in header else [editor],
        )
        return top, bottom

    def _item_pieces(
        self, page: Page, item: tuple
    ) -> tuple[list[tuple[str, str]], list[tuple[Article, str, int, int]]]:
        """An item as (separator, block) pieces and the placements they hold."""
        rng = self.rng
        kind = item[0]
        if kind == "briefs":
            pieces = []
            spans = []
            for i, blocks in enumerate(self._brief_blocks(page, item[1], item[2])):
                first = len(pieces)
                pieces.extend(("\n\n", b) for b in blocks)
                if i:
                    spans.append((item[2][i - 1], "full", first, len(pieces) - 1))
            return pieces, spans
        if kind == "caption":
            pieces = [("\n\n", b) for b in self._caption_blocks(page, item[1])]
            if rng.random() < 0.25:  # under a 图片新闻 banner (a column, not the caption's)
                first = pieces[0][1].lstrip("\n")
                banner = "\n\n" + self._heading(page, rng.choice(PHOTO_BANNERS), 2)
                pieces[0:1] = [("\n\n", banner), ("\n\n", first)]
                return pieces, [(item[1], "full", 1, len(pieces) - 1)]
            return pieces, [(item[1], "full", 0, len(pieces) - 1)]
        blocks = self.render(page, item)
        role = {"full": "full", "dup": "duplicate", "glued": "duplicate"}.get(kind)
        role = role or {"head": "jump_head", "tail": "jump_tail"}[kind]
        if kind == "glued":
            inner = "\n" if rng.random() < 0.5 else "\n\n"
            pieces = [("\n", blocks[0])] + [(inner, b) for b in blocks[1:]]
        else:
            pieces = [("\n\n", b) for b in blocks]
        return pieces, [(item[1], role, 0, len(pieces) - 1)]

    def page_text(self, page: Page) -> str:
        """The raw text of a page; records every placement's lines in ``Article.placed``."""
        rng = self.rng
        pieces: list[tuple[str, str]] = []  # (separator before it, block)
        furniture: list[tuple[int, str, str]] = []  # piece index, kind, text
        bottom: list[tuple[str, str]] = []
        if page.furniture:
            top, bottom = self._furniture(page)
            for kind, text in top:
                furniture.append((len(pieces), kind, text))
                pieces.append((rng.choice(("\n", "\n\n")), text))
        if rng.random() < 0.15:
            pieces.append(("\n\n", self._heading(page, rng.choice(PAGE_HEADERS), 2)))
        spans: list[tuple[dict, int, int]] = []  # placement, first and last piece
        shown = {"furniture"} if page.furniture else set()
        for item in page.items:
            first = len(pieces)
            item_pieces, item_spans = self._item_pieces(page, item)
            pieces.extend(item_pieces)
            for art, role, a, b in item_spans:
                placed = {"file": page.name + ".txt", "role": role}
                if art.kind != "photo_caption":
                    placed["byline_style"] = art.byline_style
                if item[0] == "glued":
                    placed["layout"] = "glued_dup"
                shown.add(placed.get("layout", art.layout))
                art.placed.append(placed)
                spans.append((placed, first + a, first + b))
        for kind, text in bottom:
            furniture.append((len(pieces), kind, text))
            pieces.append(("\n\n", text))
        lead = 2 if rng.random() < 0.7 else 0
        # Line numbers (1-based, as the reader counts them) of each block's
        # first and last non-empty line: the ground truth for bench/truth.py.
        starts, ends, line = [], [], 1 + lead
        for i, (sep, block) in enumerate(pieces):
            if i:
                line += sep.count("\n")
            line += len(block) - len(block.lstrip("\n"))
            starts.append(line)
            line += block.strip("\n").count("\n")
            ends.append(line)
        for placed, first, last in spans:
            placed["lines"] = [starts[first], ends[last]]
        page.truth["layouts"] = [x for x in NEW_LAYOUTS if x in shown]
        if page.furniture:
            page.truth["furniture"] = [
                {"line": starts[i], "kind": kind, "text": text} for i, kind, text in furniture
            ]
        text = "".join((sep if i else "") + block for i, (sep, block) in enumerate(pieces))
        if lead:
            text = "\n\n" + text
        return text.rstrip()

    def page_meta(self, page: Page) -> str | None:
        """The sidecar ``.meta.yml`` of a page, or None (most furniture pages have none)."""
        rng = self.rng
        if rng.random() < 0.4:
            return None
        if page.furniture and rng.random() < 0.6:
            return None  # the furniture is the only evidence of paper, page and date
        city = PAPER_HOME[page.paper]
        if city is None and rng.random() < 0.5:
            first = page.items[0][1]
            for it in page.items:
                if it[0] != "tail":
                    first = it[2][0] if it[0] == "briefs" else it[1]
                    break
            city = first.city
        lines = [f"paper: {page.paper}", f"date: {page.issue_date.isoformat()}"]
        if rng.random() < 0.85:
            lines.append(f"page: {page.page_no}")
        if city and rng.random() < 0.9:
            lines.append(f"city: {city}")
        return "\n".join(lines) + "\n"


def article_layouts(art: Article) -> list[str]:
    """The layout classes an article's placements show (``classic`` when none)."""
    found = {art.layout} | {p["layout"] for p in art.placed if "layout" in p}
    if len(found) > 1:
        found.discard("classic")
    return [x for x in LAYOUTS if x in found]


def clear_outdir(outdir: Path) -> None:
    """Create OUTDIR, removing the page files and manifest of an earlier run."""
    outdir.mkdir(parents=True, exist_ok=True)
    for pattern in ("p*.txt", "p*.meta.yml", "MANIFEST.json"):
        for path in sorted(outdir.glob(pattern)):
            path.unlink()


def make_corpus(
    n: int,
    outdir: Path,
    seed: int = 0,
    corpus_dir: Path = DEFAULT_CORPUS,
    layouts: tuple[str, ...] = LAYOUTS,
) -> dict:
    """Write the corpus; returns the manifest that was written.

    ``layouts``: the layout classes to plant (``LAYOUTS``); ``("classic",)``
    writes the page files version 2 wrote for the same N and seed.
    """
    if n < 1:
        raise ValueError("N must be at least 1")
    sentences, phrases = load_pool(corpus_dir)
    gen = Generator(n, seed, sentences, phrases, layouts)
    gen.build()
    clear_outdir(outdir)
    total_chars = total_bytes = metas = 0
    noise = {"markdown": 0, "ascii_punct": 0, "column_wrap": 0, "mid_sentence_breaks": 0}
    page_truth = []
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
        page_truth.append(
            {
                "file": page.name + ".txt",
                "paper": page.paper,
                "page": f"A{page.page_no:02d}" if page.paper == "城市晚报" else str(page.page_no),
                "date": page.issue_date.isoformat(),
                "meta_file": meta is not None,
                "layouts": page.truth.get("layouts", []),
                "printed": {
                    k: v for k, v in page.truth.items() if k not in ("furniture", "layouts")
                },
                "furniture": page.truth.get("furniture", []),
            }
        )
        noise["markdown"] += page.markdown
        noise["ascii_punct"] += page.ascii_punct
        noise["column_wrap"] += bool(page.wrap_width)
        noise["mid_sentence_breaks"] += page.break_rate > 0
    arts = gen.articles
    kinds: dict[str, int] = {}
    styles: dict[str, int] = {}
    layout_counts: dict[str, int] = {}
    furnished = {pt["file"] for pt in page_truth if pt["furniture"]}
    for a in arts:
        for x in article_layouts(a):
            layout_counts[x] = layout_counts.get(x, 0) + 1
        if any(p["file"] in furnished for p in a.placed):  # printed on such a page
            layout_counts["furniture"] = layout_counts.get("furniture", 0) + 1
    page_layouts: dict[str, int] = {}
    for pt in page_truth:
        for x in pt["layouts"]:
            page_layouts[x] = page_layouts.get(x, 0) + 1
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
            "layouts": {x: layout_counts.get(x, 0) for x in LAYOUTS},
            "pages_with_layout": {x: page_layouts.get(x, 0) for x in NEW_LAYOUTS},
            "pages_with_new_layout": sum(1 for pt in page_truth if pt["layouts"]),
        },
        "layouts": [x for x in LAYOUTS if x == "classic" or x in gen.layouts],
        "rates": {"duplicates": DUP_RATE, "jumps": JUMP_RATE},
        "articles": [
            {
                "id": a.id,
                "kind": a.kind,
                "title": a.title,
                "paper": a.paper,
                "issue_date": a.issue_date.isoformat(),
                "date": None if a.date_form == "recent" else a.event_date.isoformat(),
                "date_form": a.date_form,
                "city": a.city,
                "reporters": a.reporters,
                "photographers": a.photographers,
                "byline_style": a.byline_style,
                "layouts": article_layouts(a),
                "dateline": a.dateline,
                "credit": a.label if a.kind == "photo_caption" else None,
                "chars": a.chars(),
                "placed": a.placed,
            }
            for a in arts
        ],
        "pages": page_truth,
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
    ap.add_argument(
        "--layouts",
        default="all",
        help="comma-separated layout classes to plant (default all: "
        + ",".join(LAYOUTS)
        + "); 'classic' alone writes version 2's page files",
    )
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("N must be at least 1")
    layouts = LAYOUTS if args.layouts == "all" else tuple(args.layouts.split(","))
    if set(layouts) - set(LAYOUTS):
        ap.error(f"unknown layout class in {args.layouts!r}; known: {', '.join(LAYOUTS)}")
    t0 = time.perf_counter()
    manifest = make_corpus(args.n, args.outdir, args.seed, args.corpus, layouts)
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
