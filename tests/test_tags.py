"""Tests for generator.enrich.tags: tags, topics, data files, rjieba == jieba.

Run with ``-s`` to see the tags of every article block of the bundled corpus
(``test_review_corpus_tags``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from generator.enrich import tags

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

# Places a caller would pass in ``exclude`` (from the gazetteer).
PLACES = [
    "吉林", "吉林省", "长春", "长春市", "吉林市", "四平", "辽源", "通化", "白山", "松原", "白城",
    "延边", "延边州", "梅河口", "公主岭", "长白山", "珲春", "延吉", "汪清", "敦化", "通榆", "桦甸",
]  # fmt: skip

# A number, or a number with a unit of up to two characters: 2022, 2022年,
# 400亿元, 18项, 3.5%, 1.5万.
DIGIT_TOKEN = re.compile(r"[0-9０-９][0-9０-９.,，．%％\-]*[\u4e00-\u9fff]{0,2}")
CHINESE_NUMBER_TOKEN = re.compile(
    r"第?[一二三四五六七八九十百千万亿两零〇]+[年月日项个次家名亿元万届批季度]{0,2}"
)


# Fixtures ---------------------------------------------------------------

AUTO_TITLE = "一汽红旗新能源汽车产销两旺"
AUTO_PARAGRAPHS = [
    "本报1月10日讯（记者李明远 通讯员王晓东）记者从中国一汽了解到，2022年，一汽红旗品牌全年"
    "销量突破31万辆，同比增长3.5%，其中新能源汽车销量达到5.6万辆。",
    "近日，一汽集团在长春市召开2023年工作会议。会议提出，今年将投资400亿元，实施18项重点工程，"
    "加快新能源汽车和智能网联汽车研发，推动长春国际汽车城建设。",
    "据介绍，红旗新能源车型E-HS9、E-QM5等产品持续热销，动力电池、电驱动系统等关键零部件实现"
    "本地配套。记者李明远在现场看到，生产线上一派繁忙景象。",
]
AUTO_EXCLUDE = ["李明远", "王晓东", "长春"]

STRATEGY_TITLE = "我省全面实施“一主六双”高质量发展战略"
STRATEGY_PARAGRAPHS = [
    "记者从省发改委了解到，我省全面实施“一主六双”高质量发展战略，加快建设长春现代化都市圈，"
    "推动“六城联动”。",
    "“一主六双”战略实施以来，长春现代化都市圈建设取得新进展，“陆上风光三峡”工程全面开工，"
    "专精特新企业加快成长。",
]

CITY_TITLE = "长春市推进城市更新"
CITY_PARAGRAPHS = [
    "长春市今年将改造老旧小区500个。长春是吉林省省会，长春市民对城市更新充满期待。",
    "长春将持续推进城市更新和老旧小区改造，让群众住得更舒心。",
]

SPORTS_TITLE = "我省射击队在全国射击冠军赛上收获一金一铜"
SPORTS_PARAGRAPHS = [
    "历时6天的2023年全国射击冠军赛日前收官。我省射击队员在女子10米气步枪决赛中夺得金牌，"
    "并在团体比赛中获得铜牌。",
    "省射击队主教练表示，队员们将以赛代练，备战全运会。",
]

DISCIPLINE_TITLE = "省纪委监委通报三起违反中央八项规定精神问题"
DISCIPLINE_PARAGRAPHS = [
    "省纪委监委日前通报三起违反中央八项规定精神典型问题，涉及违规收受礼品礼金、公款吃喝等。",
    "各级纪检监察机关要紧盯“四风”问题，把全面从严治党向纵深推进，严肃查处违纪问题。",
]

FLAG_TITLE = "五星红旗在校园升起"
FLAG_PARAGRAPHS = ["新学期第一天，全校师生在操场举行升旗仪式，五星红旗冉冉升起，学生们齐唱国歌。"]


def assert_clean(found: list[str], exclude: list[str] = ()) -> None:
    """The forbidden classes never appear among ``found``."""
    stop = tags.stopwords()
    excluded = set(exclude) | {tags.canonical_tag(word) for word in exclude}
    for tag in found:
        assert len(tag) >= 2, f"single character: {tag!r}"
        assert not DIGIT_TOKEN.fullmatch(tag), f"number token: {tag!r}"
        assert not CHINESE_NUMBER_TOKEN.fullmatch(tag) or tag in tags.user_words(), tag
        assert not tags.is_number_token(tag), f"number token: {tag!r}"
        for part in ("记者", "日讯", "通讯员"):
            assert part not in tag, f"{part} in {tag!r}"
        assert tag not in stop, f"stopword: {tag!r}"
        assert tag not in excluded, f"excluded: {tag!r}"
        assert re.search(r"[\u4e00-\u9fffA-Za-z]", tag), f"no word character: {tag!r}"
    assert len(found) == len(set(found)), f"duplicates: {found}"


# Corpus helpers ---------------------------------------------------------

BYLINE = re.compile(
    r"^(?:吉林日报|城市晚报)?(?:全媒体)?(?:本报)?(?:见习|实习)?记者\s*"
    r"(?P<names>[\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4})*)\s*摄?$"
)
DATELINE = re.compile(r"^本报(?:[^()（）]{0,12}日)?讯\s*[(（](?P<who>[^)）]*)[)）]")
NAME_IN_DATELINE = re.compile(
    r"(?:记者|通讯员|实习生)\s*([\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4})*)"
)


def corpus_paragraphs() -> list[str]:
    """Every blank-line separated block of every corpus file."""
    blocks = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        blocks += [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return blocks


def _looks_like_title(block: str) -> bool:
    return block.startswith("#") or (
        len(block) < 40 and not re.search(r"[。！？；!?;，,、：:]$", block)
    )


def corpus_articles() -> list[dict]:
    """Crude article blocks: a title-like block starts an article.

    Bylines and datelines are stripped and their names collected, as the
    pipeline does before it calls ``extract_tags``.
    """
    articles: list[dict] = []
    for path in sorted(CORPUS.glob("*.txt")):
        current = None
        text = path.read_text(encoding="utf-8")
        for block in (b.strip() for b in re.split(r"\n\s*\n", text)):
            if not block:
                continue
            block = " ".join(block.split("\n"))
            byline = BYLINE.match(block)
            if byline:
                if current is not None:
                    current["reporters"] += byline["names"].split()
                continue
            if _looks_like_title(block):
                heading = block.lstrip("# ").strip()
                if current is None or current["paragraphs"]:
                    current = {
                        "file": path.name,
                        "title": heading,
                        "paragraphs": [],
                        "reporters": [],
                    }
                    articles.append(current)
                else:
                    current["title"] += " " + heading
                continue
            if current is None:
                current = {"file": path.name, "title": "", "paragraphs": [], "reporters": []}
                articles.append(current)
            dateline = DATELINE.match(block)
            if dateline:
                for names in NAME_IN_DATELINE.findall(dateline["who"]):
                    current["reporters"] += names.split()
                block = block[dateline.end() :]
            current["paragraphs"].append(block)
    return [a for a in articles if a["paragraphs"]]


@pytest.fixture(autouse=True)
def _default_backend(monkeypatch):
    monkeypatch.delenv(tags.BACKEND_ENV, raising=False)


# Data files -------------------------------------------------------------


def test_user_dict_format_and_size():
    lines = tags.USER_DICT_PATH.read_text(encoding="utf-8").splitlines()
    assert all(re.fullmatch(r"\S+ [1-9][0-9]* [a-z]+", line) for line in lines), [
        line for line in lines if not re.fullmatch(r"\S+ [1-9][0-9]* [a-z]+", line)
    ]
    words = [line.split()[0] for line in lines]
    assert len(words) == len(set(words)), [w for w, n in Counter(words).items() if n > 1]
    assert 150 <= len(words) <= 400
    pos = {w: p for w, _, p in tags.user_dict_entries()}
    for (
        place
    ) in "德惠 舒兰 双辽 靖宇 乾安 通榆 延吉 汪清 安图 扶余 抚松 丰满 九台 前郭 二道江".split():
        assert pos.get(place) == "ns", place
    for (
        term
    ) in "一主六双 长春现代化都市圈 陆上风光三峡 专精特新 六城联动 免申即享 吉林一号".split():
        assert term in pos, term


def test_stopwords_file():
    lines = tags.STOPWORDS_PATH.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 300
    assert all(line and line == line.strip() for line in lines)
    for word in "记者 日讯 本报 全媒体 近日 今年 去年 目前 进一步 工作 方面 相关 表示 介绍".split():
        assert word in tags.stopwords(), word
    for word in "了解到 负责人 实施 推进 推动 加快 全面 持续".split():
        assert word in tags.stopwords(), word
    # a stopword must not also be a newsroom term that should stay a tag
    assert not (set(lines) & tags.user_words())


def test_alias_file():
    aliases = tags._aliases()
    assert aliases.mapping["长春市"] == "长春"
    assert aliases.mapping["新能源车"] == "新能源汽车"
    for variant, target in aliases.mapping.items():
        assert tags.allowed_tag(target), (variant, target)
        assert target not in aliases.mapping, (variant, target)  # chains are resolved
    assert all(tags.allowed_tag(word) for word in tags.user_words())


def test_jieba_stop_words_copy_is_current():
    from jieba.analyse.tfidf import KeywordExtractor

    assert tags.JIEBA_STOP_WORDS == frozenset(KeywordExtractor.STOP_WORDS)


def test_topics_file():
    data = yaml.safe_load(tags.TOPICS_PATH.read_text(encoding="utf-8"))
    names = [t["name"] for t in data["topics"]]
    required = "汽车 农业 医药健康 科技创新 文化旅游 生态环保 民生 营商环境 对外开放 教育"
    required += " 体育 纪检监察 交通 能源"
    assert set(names) == set(required.split())
    slugs = [tags.topic_slug(name) for name in names]
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) for slug in slugs), slugs
    assert len(set(slugs)) == len(slugs)
    assert tags.topic_slug("汽车") == "auto"
    assert tags.topic_slug("auto") == "auto"
    with pytest.raises(KeyError):
        tags.topic_slug("不存在")
    assert tags.topic_names() == names


# Tokenizer --------------------------------------------------------------


def test_tokenizer_backend_is_rjieba():
    pytest.importorskip("rjieba")
    assert tags.tokenizer().backend == "rjieba"


def test_tokenizer_backend_can_be_forced(monkeypatch):
    monkeypatch.setenv(tags.BACKEND_ENV, "jieba")
    assert tags.tokenizer().backend == "jieba"


@pytest.mark.parametrize("backend", ["rjieba", "jieba"])
def test_user_dict_words_kept_whole(backend):
    if backend == "rjieba":
        pytest.importorskip("rjieba")
    cut = tags._tokenizer(backend).cut
    words = cut(
        "我省全面实施“一主六双”高质量发展战略，加快建设长春现代化都市圈，启动“陆上风光三峡”工程。"
    )
    for term in ("一主六双", "长春现代化都市圈", "陆上风光三峡", "高质量发展"):
        assert term in words, words
    assert "前郭县" in cut("松原市前郭县查干湖冬捕开幕")
    assert "前郭" in cut("前郭的查干湖")
    assert "二道江" in cut("通化二道江的发展")


def test_user_dict_words_become_tags():
    found = tags.extract_tags(STRATEGY_TITLE, STRATEGY_PARAGRAPHS, exclude=["长春"])
    assert "一主六双" in found
    assert "长春现代化都市圈" in found
    assert not {"一主", "六双", "都市圈", "现代化"} & set(found)


# Tags -------------------------------------------------------------------


def test_forbidden_classes_never_appear():
    found = tags.extract_tags(AUTO_TITLE, AUTO_PARAGRAPHS, exclude=AUTO_EXCLUDE)
    assert_clean(found, AUTO_EXCLUDE)
    assert "新能源汽车" in found
    assert "明远" not in found  # a fragment of the excluded reporter name


def test_forbidden_classes_even_with_byline_left_in():
    text = ["本报2月7日讯(记者景洋)记者从2023年全省科技工作会议上了解到,今年,我省将启动实施"
            "科技创新“十大跃升行动”,加快推进科技强省建设,18项举措投入资金400亿元。"]  # fmt: skip
    found = tags.extract_tags("", text, exclude=["景洋"])
    assert_clean(found, ["景洋"])
    assert found


def test_number_tokens():
    for word in (
        "2022年",
        "400亿元",
        "18项",
        "3.5%",
        "1.5",
        "第二批",
        "三季度",
        "10万人",
        "2021-2025",
    ):
        assert tags.is_number_token(word), word
        assert not tags.allowed_tag(word), word
    for word in ("一主六双", "三农", "两会", "5G", "十四五", "二十大", "吉林一号", "一汽"):
        assert not tags.is_number_token(word), word


def test_tag_counts_on_fixtures():
    for title, paragraphs in [
        (AUTO_TITLE, AUTO_PARAGRAPHS),
        (STRATEGY_TITLE, STRATEGY_PARAGRAPHS),
        (SPORTS_TITLE, SPORTS_PARAGRAPHS),
        (DISCIPLINE_TITLE, DISCIPLINE_PARAGRAPHS),
    ]:
        found = tags.extract_tags(title, paragraphs)
        assert 3 <= len(found) <= 8, (title, found)
        assert_clean(found)
    assert len(tags.extract_tags("", [])) == 0
    assert len(tags.extract_tags("绿电", [])) <= 1  # very short text: fewer is fine
    assert len(tags.extract_tags(AUTO_TITLE, AUTO_PARAGRAPHS, top_k=3)) == 3
    assert tags.extract_tags(AUTO_TITLE, AUTO_PARAGRAPHS, top_k=0) == []


def test_three_to_eight_tags_on_real_articles():
    articles = [a for a in corpus_articles() if sum(map(len, a["paragraphs"])) >= 150]
    assert len(articles) >= 30
    for a in articles:
        found = tags.extract_tags(a["title"], a["paragraphs"], exclude=a["reporters"] + PLACES)
        assert 3 <= len(found) <= 8, (a["title"], found)
        assert_clean(found, a["reporters"] + PLACES)


def test_alias_merge():
    assert tags.canonical_tag("长春市") == "长春"
    assert tags.canonical_tag("延边朝鲜族自治州") == "延边"
    assert tags.canonical_tag("新能源车") == "新能源汽车"
    assert tags.canonical_tag("中国一汽") == "一汽"
    assert tags.canonical_tag("白山市") == "白山"  # rule: stem is a place
    assert tags.canonical_tag("榆树市") == "榆树"  # rule: stem listed in place_stems
    assert tags.canonical_tag("吉林市") == "吉林市"  # the city is not the province
    assert tags.canonical_tag("西安区") == "西安区"  # 辽源's district is not Xi'an
    assert tags.canonical_tag("高新区") == "高新区"
    found = tags.extract_tags(CITY_TITLE, CITY_PARAGRAPHS)
    assert "长春" in found
    assert "长春市" not in found
    # the province (吉林省 / 吉林) is a stopword: it would tag every article of a Jilin archive
    assert "吉林" not in found and "吉林省" not in found


def test_rule_uses_candidates_of_the_same_article():
    # 朝阳 is no known place, but when it is a candidate 朝阳区 ... stays, it is in `keep`;
    # 宁江区 shortens through place_stems, 龙山区 is kept.
    assert tags._aliases().canonical("宁江区") == "宁江"
    assert tags._aliases().canonical("龙山区", {"龙山"}) == "龙山区"
    assert tags._aliases().canonical("榆林县") == "榆林县"
    assert tags._aliases().canonical("榆林县", {"榆林"}) == "榆林"


def test_fragment_of_excluded_word_only_when_never_alone():
    title = "长白山保护开发区与白山市合作"
    paragraphs = [
        "长白山保护开发区与白山市签署合作协议，白山市将与长白山共同发展冰雪旅游。",
        "白山市冰雪旅游发展迅速。",
    ]
    found = tags.extract_tags(title, paragraphs, exclude=["长白山保护开发区", "长白山"])
    assert "白山" in found  # the city also occurs on its own
    assert "长白山" not in found
    found = tags.extract_tags(title, paragraphs, exclude=["长白山", "白山"])
    assert not {"白山", "长白山", "白山市"} & set(found)


def test_exclude_is_canonicalised():
    found = tags.extract_tags(CITY_TITLE, CITY_PARAGRAPHS, exclude=["长春"])
    assert "长春" not in found and "长春市" not in found
    found = tags.extract_tags(CITY_TITLE, CITY_PARAGRAPHS, exclude=["长春市", "吉林省"])
    assert not {"长春", "长春市", "吉林", "吉林省"} & set(found)


def test_deterministic():
    first = tags.extract_tags(AUTO_TITLE, AUTO_PARAGRAPHS, exclude=AUTO_EXCLUDE)
    for _ in range(3):
        assert tags.extract_tags(AUTO_TITLE, AUTO_PARAGRAPHS, exclude=AUTO_EXCLUDE) == first
        assert (
            tags.extract_tags(AUTO_TITLE, list(AUTO_PARAGRAPHS), exclude=set(AUTO_EXCLUDE)) == first
        )
    assert tags.assign_topics(AUTO_TITLE, AUTO_PARAGRAPHS) == tags.assign_topics(
        AUTO_TITLE, AUTO_PARAGRAPHS
    )


def test_title_weighs_more():
    body = ["会议研究了肉牛产业发展。会议还研究了冰雪旅游和人参产业。"]
    assert tags.extract_tags("冰雪旅游迎来旺季", body)[0] == "冰雪旅游"
    assert tags.extract_tags("人参产业提质增效", body)[0] == "人参产业"


# Topics -----------------------------------------------------------------


def test_topic_auto():
    assert tags.assign_topics(AUTO_TITLE, AUTO_PARAGRAPHS)[0] == "汽车"


def test_topic_fixtures():
    assert tags.assign_topics(SPORTS_TITLE, SPORTS_PARAGRAPHS)[0] == "体育"
    assert tags.assign_topics(DISCIPLINE_TITLE, DISCIPLINE_PARAGRAPHS)[0] == "纪检监察"
    energy = tags.assign_topics(
        "敦化抽水蓄能电站并网发电", ["全省新能源装机突破1000万千瓦，“陆上风光三峡”工程全面开工。"]
    )
    assert energy[0] == "能源"
    assert tags.assign_topics("", []) == []
    assert tags.assign_topics("天气晴朗", ["今天天气晴朗，适合出行。"]) == []


def test_topic_longest_match_and_ignore():
    # 新能源汽车 is a car keyword; it must not count 新能源 for 能源
    scores = tags.topic_scores("新能源汽车", ["新能源汽车销量增长，新能源汽车产业链完善。"])
    assert "能源" not in scores
    # 五星红旗 is consumed by `ignore`, so 红旗 does not count for 汽车
    assert "汽车" not in tags.topic_scores(FLAG_TITLE, FLAG_PARAGRAPHS)
    assert "汽车" not in tags.assign_topics(FLAG_TITLE, FLAG_PARAGRAPHS)


def test_topics_ordered_by_score():
    title = "一汽新能源汽车项目开工 配套建设充电桩和光伏电站"
    paragraphs = [
        "一汽新能源汽车项目今天开工，新能源汽车整车产能将达到20万辆，动力电池和汽车零部件实现本地配套。",
        "项目同步建设分布式光伏电站和储能设施，所用绿电全部来自风电和光伏。",
    ]
    found = tags.assign_topics(title, paragraphs)
    scores = tags.topic_scores(title, paragraphs)
    assert found[0] == "汽车"
    assert [scores[name][0] for name in found] == sorted(
        (scores[name][0] for name in found), reverse=True
    )


# rjieba == jieba ----------------------------------------------------------


def _documents() -> list[tuple[str, list[str], list[str]]]:
    docs = [("", [p], []) for p in corpus_paragraphs()]
    docs += [(a["title"], a["paragraphs"], a["reporters"] + PLACES) for a in corpus_articles()]
    docs += [(AUTO_TITLE, AUTO_PARAGRAPHS, AUTO_EXCLUDE), (CITY_TITLE, CITY_PARAGRAPHS, [])]
    return docs


def test_rjieba_tokens_equal_jieba_tokens():
    pytest.importorskip("rjieba")
    fast, slow = tags._tokenizer("rjieba"), tags._tokenizer("jieba")
    for title, paragraphs, _ in _documents():
        text = tags._document(title, paragraphs)
        assert fast.cut(text) == slow.cut(text), text[:80]
    odd = "2021-2025年 a-b_c 3.5.1版 v1.2abc C++ c# 5G基站 GDP增长3.5%，1.5万人\r\n¥100 ..."
    assert fast.cut(odd) == slow.cut(odd)


def test_tfidf_weights_equal_jieba_analyse():
    """Bit-identical weights for every candidate word, not only the same top tags."""
    pytest.importorskip("rjieba")
    fast = tags._tokenizer("rjieba")
    reference = tags._jieba_tfidf()
    for title, paragraphs, _ in _documents():
        text = tags._document(title, paragraphs)
        ours = dict(tags._tfidf(Counter(fast.cut(text))))
        theirs = dict(reference.extract_tags(text, topK=None, withWeight=True))
        assert ours == theirs, text[:80]


def test_fast_path_tags_equal_pure_jieba_tags():
    pytest.importorskip("rjieba")
    assert tags.tokenizer().backend == "rjieba"
    checked = 0
    for title, paragraphs, exclude in _documents():
        for top_k in (8, 30):
            fast = tags.extract_tags(title, paragraphs, exclude=exclude, top_k=top_k)
            slow = tags._extract_tags_jieba(title, paragraphs, exclude=exclude, top_k=top_k)
            assert fast == slow, (title, paragraphs[0][:40])
            checked += 1
    assert checked > 200


# Review -------------------------------------------------------------------


def test_review_corpus_tags():
    """Prints tags and topics of every article block (run with -s to see them)."""
    print()
    for a in corpus_articles():
        exclude = a["reporters"] + PLACES
        found = tags.extract_tags(a["title"], a["paragraphs"], exclude=exclude)
        topics = tags.assign_topics(a["title"], a["paragraphs"])
        print(f"{a['file'][:3]} {a['title'][:30]:<30} | {' '.join(found)} | {' / '.join(topics)}")
        assert_clean(found, exclude)


def test_person_names_and_their_parts_are_not_tags():
    title = "我省小将张琼月夺得金牌"
    paras = [
        "张琼月在女子50米步枪三种姿势决赛中勇夺金牌，张琼月表现出色。",
        "吉林省退役军人事务厅原厅长黎海滨接受审查，黎海滨涉嫌严重违纪违法。",
        "惠企政策直达，惠企服务更便捷，惠企平台上线。",
    ]
    found = tags.extract_tags(title, paras)
    assert "张琼" not in found and "张琼月" not in found  # unknown word starting with a surname
    assert "海滨" not in found  # a dictionary word, but here only ever the given name of 黎海滨
    assert "惠企" in found  # 惠 is a surname too, but starts ordinary words


# Fragments ----------------------------------------------------------------
# Each class of fragment: the words the rule must drop, and a word of the same
# shape it must keep. (Checked against the code before the rules: every one
# of the dropped words was a tag.)

MARKUP_TITLE = "评论区出现可疑代码"
MARKUP_PARAGRAPHS = [
    "有市民在网站评论区看到<script>alert('中奖')</script>这样的文字，"
    "又看到<img src=x.png onerror=alert(2)>和&lt;script&gt;alert(3)&lt;/script&gt;。",
    "另一条评论只剩半截<scri，另一条是<SCRIPT>alert(4)</SCRIPT>，地址是https://www.example.org/x。",
]
ACRONYM_TITLE = "数字经济占GDP比重提高"
ACRONYM_PARAGRAPHS = [
    "去年全省数字经济规模占GDP比重继续提高，GDP增速高于全国，5G基站数量同步增长。",
]


def test_no_markup_words():
    found = tags.extract_tags(MARKUP_TITLE, MARKUP_PARAGRAPHS, top_k=30)
    assert found, "the article has tags"
    assert not [t for t in found if re.search("[A-Za-z]", t)], found
    for word in ("alert", "script", "scri", "img", "onerror", "src", "png", "lt", "gt", "www"):
        assert word not in found


def test_acronyms_and_codes_stay():
    found = tags.extract_tags(ACRONYM_TITLE, ACRONYM_PARAGRAPHS)
    assert "GDP" in found and "5G基站" in found


def test_markup_rules():
    assert not tags._latin_word_allowed("alert", known=False)
    assert not tags._latin_word_allowed("scri", known=False)
    assert not tags._latin_word_allowed("iPhone", known=False)
    assert tags._latin_word_allowed("iPhone", known=True)  # in the user dictionary
    assert tags._latin_word_allowed("GDP", known=False)
    assert tags._latin_word_allowed("U14", known=False)
    # An acronym is dropped only when every occurrence is inside markup.
    assert tags._only_in_markup("SCRIPT", "代码<SCRIPT>出现，</SCRIPT>结束")
    assert tags._only_in_markup("HTML", "*[HTML]: 超文本")
    assert not tags._only_in_markup("HTML", "代码<HTML>出现，HTML是一种标记语言")
    assert not tags._only_in_markup("GDP", "GDP增速，GDP(国内生产总值)")
    assert not tags._only_in_markup("CBA", "CBAX联赛")  # no whole-word occurrence


PLACE_TITLE = "乌兰花镇发展庭院经济"
PLACE_PARAGRAPHS = [
    "通榆县乌兰花镇引导农户发展庭院经济，乌兰花镇的种植户说，今年收成不错。",
    "梅河新区也在推进庭院经济，江城吉林的农户前来学习。",
]
ORCHID_TITLE = "兰花展开幕"
ORCHID_PARAGRAPHS = ["兰花展今天开幕，上百盆兰花吸引市民观赏。在乌兰花镇，兰花种植成为新产业。"]


def test_no_parts_of_place_names():
    found = tags.extract_tags(PLACE_TITLE, PLACE_PARAGRAPHS, top_k=30)
    assert "庭院经济" in found
    assert "兰花" not in found  # of 乌兰花镇: a town, not in the gazetteer
    assert "新区" not in found  # of 梅河新区 (gazetteer)
    assert "江城" not in found  # of 江城吉林 (gazetteer)


def test_place_name_part_that_also_stands_alone_stays():
    assert "兰花" in tags.extract_tags(ORCHID_TITLE, ORCHID_PARAGRAPHS)


def test_place_name_rules():
    has_word = tags.tokenizer().has_word
    assert tags._only_in_place_names("新区", "梅河新区开工，梅河新区招商")
    assert not tags._only_in_place_names("新区", "梅河新区开工，新区招商")
    assert "江城" in tags._place_parts() and "长春" not in tags._place_parts()
    assert tags._only_before_settlements("兰花", "在乌兰花镇，乌兰花镇的", has_word)
    assert tags._only_before_settlements("信子", "去夹信子村看看", has_word)
    # 村 of a dictionary word is not a suffix: 乡村, 贫困村, 村民
    assert not tags._only_before_settlements("美丽", "建设美丽乡村", has_word)
    assert not tags._only_before_settlements("帮扶", "帮扶村民", has_word)


BROKEN_TITLE = "文广旅局签署合作协议"
BROKEN_PARAGRAPHS = [
    "日前，市文广旅局与区文广旅局签署合作协议，县文旅局负责人出席签约仪式。",
    "双方将共建冷链物流通道，冷链运输车辆优先通行。",
]
RISING_TITLE = "节日夜景"
RISING_PARAGRAPHS = ["夜空中烟花升腾起新的光芒。", "河边炊烟升腾起新的生活气息。"]
TITLE_ONLY_TITLE = "快递柜前排长队"
TITLE_ONLY_PARAGRAPHS = [
    "节日前后，小区里的快递格外多，取件的居民在门口排起长队，物业增派人手帮忙分拣。"
]
UNKNOWN_TITLE = "冷链运输保供应"
UNKNOWN_PARAGRAPHS = ["入冬以来，全市冷链运输车辆昼夜运行，蔬菜水果供应充足，价格总体平稳。"]


def test_no_broken_words():
    assert "旅局" not in tags.extract_tags(BROKEN_TITLE, BROKEN_PARAGRAPHS, top_k=30)
    assert "起新" not in tags.extract_tags(RISING_TITLE, RISING_PARAGRAPHS, top_k=30)


def test_unknown_word_only_in_the_title_is_not_a_tag():
    found = tags.extract_tags(TITLE_ONLY_TITLE, TITLE_ONLY_PARAGRAPHS, top_k=30)
    assert "快递" in found and "柜前" not in found


def test_unknown_word_in_title_and_body_stays():
    assert not tags.tokenizer().has_word("冷链")
    assert "冷链" in tags.extract_tags(UNKNOWN_TITLE, UNKNOWN_PARAGRAPHS)


def test_broken_word_rules():
    has_word = tags.tokenizer().has_word
    # institution suffix after more name; administrative suffix closing the word before
    assert tags._always_broken("旅局", "市文广旅局与县文旅局", has_word)
    assert tags._always_broken("区现", "论坛留言区现可疑帖子，留言区现可疑图片", has_word)
    # the first character ends a dictionary word with the one before it (腾起)
    assert tags._always_broken("起新", "升腾起新的光芒", has_word)
    # one clean occurrence is enough to keep a word
    assert not tags._always_broken("起新", "升腾起新的光芒；“起新”是店名", has_word)
    assert not tags._always_broken("冷链", "全市冷链运输，冷链企业", has_word)


@pytest.mark.parametrize("backend", ["rjieba", "jieba"])
def test_fragment_rules_same_on_both_backends(monkeypatch, backend):
    if backend == "rjieba":
        pytest.importorskip("rjieba")
    monkeypatch.setenv(tags.BACKEND_ENV, backend)
    for title, paragraphs in [
        (MARKUP_TITLE, MARKUP_PARAGRAPHS),
        (PLACE_TITLE, PLACE_PARAGRAPHS),
        (BROKEN_TITLE, BROKEN_PARAGRAPHS),
        (TITLE_ONLY_TITLE, TITLE_ONLY_PARAGRAPHS),
    ]:
        fast = tags.extract_tags(title, paragraphs, top_k=30)
        assert fast == tags._extract_tags_jieba(title, paragraphs, top_k=30), title


# jieba's log ----------------------------------------------------------------

JIEBA_PROGRESS = ("Building prefix dict", "Loading model", "Dumping model", "Prefix dict has been")


def test_jieba_progress_lines_not_on_stderr(tmp_path):
    """A command that loads jieba's dictionary prints none of jieba's progress lines.

    ``TMPDIR`` is a fresh folder, so jieba has no cache and also writes one
    (``Dumping model to file cache``); that file shows the dictionary was built.
    """
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    env.pop(tags.BACKEND_ENV, None)
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "export", "--corpus", "corpus", "--no-cache"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip(), "the export printed articles"
    assert (tmp_path / "jieba.cache").exists(), "jieba built its prefix dict in this run"
    for line in JIEBA_PROGRESS:
        assert line not in proc.stderr, proc.stderr


def test_quiet_jieba_keeps_warnings():
    import logging

    tags.quiet_jieba()
    tags.quiet_jieba()  # idempotent: one filter
    ours = [f for f in logging.getLogger("jieba").filters if isinstance(f, tags._JiebaProgress)]
    assert len(ours) == 1
    assert not ours[0].filter(logging.makeLogRecord({"levelno": logging.DEBUG}))
    assert ours[0].filter(logging.makeLogRecord({"levelno": logging.WARNING}))
