"""Clean stage: spaces, punctuation, quotes, OCR rules, broken paragraphs."""

from __future__ import annotations

import pytest

from generator.clean import (
    apply_rules,
    clean_page,
    clean_text,
    fix_heading_spaces,
    join_broken,
    load_rules,
    normalise_punctuation,
    split_glued_byline,
    wrap_spaced,
)
from generator.model import Line, RawPage

RULES = load_rules()


def clean(text: str, wrapped: bool = True) -> str:
    return clean_text(text, RULES, wrapped)[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("坚持高层高 位推动,紧密牵手促合作", "坚持高层高位推动，紧密牵手促合作"),
        ("合作 深 人交流,取得成果。", "合作深入交流，取得成果。"),
        ("2022年2月24 日,延边州党政", "2022年2月24日，延边州党政"),
        ("作 用, 在干部交流挂职, 产业合作", "作用，在干部交流挂职，产业合作"),
    ],
)
def test_column_wrap_spaces_are_removed_in_prose(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_latin_words_keep_their_spaces() -> None:
    assert (
        clean("他说,iPhone 14 Pro 在长春发售。", wrapped=False)
        == "他说，iPhone 14 Pro 在长春发售。"
    )


def test_numbers_and_times_are_untouched() -> None:
    assert (
        clean("年产能139.35万吨,10:30开始,共1,000人。")
        == "年产能139.35万吨，10:30开始，共1,000人。"
    )


@pytest.mark.parametrize(
    "headline",
    [
        "数字赋能 助力惠企惠民政策直达",
        "提升民生服务质量 擦亮基层治理底色",
        "优环境 抓项目 强信心 开新局",
    ],
)
def test_headline_spaces_are_kept_on_clean_pages(headline: str) -> None:
    assert fix_heading_spaces(headline, wrapped_page=False) == headline


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("参加全国青少年足球 锦标赛(重点城市组)决赛", "参加全国青少年足球锦标赛(重点城市组)决赛"),
        ("珲春综合保税区 1月出口商用车621辆", "珲春综合保税区1月出口商用车621辆"),
        ("提升民生服务质量 擦亮基层治理底色", "提升民生服务质量 擦亮基层治理底色"),
    ],
)
def test_headline_spaces_on_column_wrapped_pages(raw: str, expected: str) -> None:
    assert fix_heading_spaces(raw, wrapped_page=True) == expected


def test_byline_spaces_are_kept_and_glued_bylines_split() -> None:
    body, byline = split_glued_byline("…在携手前行中共享发展机遇,实现合 吉林日报记者 张伟国 代黎黎")
    assert body == "…在携手前行中共享发展机遇,实现合"
    assert byline == "吉林日报记者 张伟国 代黎黎"
    assert (
        split_glued_byline("军人事务厅厅长。城市晚报全媒体记者 陆续")[1]
        == "城市晚报全媒体记者 陆续"
    )


@pytest.mark.parametrize(
    "sentence", ["记者从珲春综合保税区管理局了解到,", "王春宇告诉记者", "接受记者采访时表示"]
)
def test_sentences_mentioning_reporters_are_not_bylines(sentence: str) -> None:
    assert split_glued_byline(sentence)[1] is None


@pytest.mark.parametrize(
    "line",
    [
        "窥一斑而知全豹。记者从珲春综合保税区管理局了",  # the paragraph broke before 解到
        "处一隅而观全局。本报记者日前在延吉市采访时",
        "本报7月18日讯(记者谢磊雨)记者从吉林市",  # a bare 记者 with a 'name' glued on
    ],
)
def test_a_paragraph_broken_after_a_reporter_sentence_keeps_its_text(line: str) -> None:
    assert split_glued_byline(line) == (line, None)
    page = clean_page(RawPage("t.txt", [Line(1, line), Line(2, ""), Line(3, "解到,截至1月29日。")]))
    assert [x.text for x in page.lines if x.text][0].endswith(line[-4:])


def test_glued_bylines_with_unspaced_or_dotted_names_still_split() -> None:
    assert split_glued_byline("全面开启。本报记者张伟")[1] == "本报记者张伟"
    assert split_glued_byline("全面开启。 吉林日报记者 阿依古丽·买买提")[1] == (
        "吉林日报记者 阿依古丽·买买提"
    )
    assert split_glued_byline("全面开启。 本报记者 潘硕 摄")[1] == "本报记者 潘硕 摄"


def test_dateline_spaces_between_names_are_kept() -> None:
    assert clean("本报2月7日讯(记者刘勃 张宽)历时6天的比赛今天收官。").startswith(
        "本报2月7日讯（记者刘勃 张宽）"
    )


def test_quotes_are_paired_and_a_stray_single_quote_opens() -> None:
    assert (
        normalise_punctuation('围绕 \'六城联动"总体布局,以"一主"为引领')
        == "围绕 “六城联动”总体布局，以“一主”为引领"
    )
    assert normalise_punctuation('他说:"好。"') == "他说：“好。”"


def test_leading_hyphen_becomes_dash() -> None:
    assert (
        normalise_punctuation("-白山市与长春市开展对接合作走笔")
        == "——白山市与长春市开展对接合作走笔"
    )


def test_parentheses_around_chinese_become_full_width() -> None:
    assert (
        normalise_punctuation("驻车换乘(P+R)停车场、各市(州)") == "驻车换乘(P+R)停车场、各市（州）"
    )


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("提请省人大常委会审议审议地方性法规草案9部。", "提请省人大常委会审议地方性法规草案9部。"),
        ("加快推动装备制造制造业向高端化发展。", "加快推动装备制造业向高端化发展。"),
        ("有序推进疫苗接种接种，实现应接尽接。", "有序推进疫苗接种，实现应接尽接。"),
        ("助力农业生产 and 特色产业提质增效。", "助力农业生产和特色产业提质增效。"),
        ("我省又有11个县(市、区)人选。", "我省又有11个县（市、区）入选。"),
        ("公司最终决定人驻白山。", "公司最终决定入驻白山。"),
        ("与长春市陕汽集团、字诵集团讲行业务对接。", "与长春市陕汽集团、宇通集团进行业务对接。"),
    ],
)
def test_ocr_rules_fix_annotated_errors(raw: str, fixed: str) -> None:
    assert clean(raw, wrapped=False) == fixed


@pytest.mark.parametrize(
    "correct",
    [
        "组织部门正在物色合适人选。",  # 人选 is a real noun
        "资深人士认为，要研究研究再定。",  # 深人 inside 资深人士; ABAB verb in speech
        "工具市场很活跃，哈哈哈哈。",  # 具市 inside 工具市场
        "他在演讲行程中说。",  # 讲行 inside 演讲行程
        "天天向上，年年有余，常常来往。",  # single-character reduplication
        "要把园区的道路改造改造成示范路段。",  # noun 道路改造, then the verb 改造成
    ],
)
def test_rules_do_not_fire_on_correct_text(correct: str) -> None:
    assert clean(correct, wrapped=False) == correct


def test_every_rule_changes_something_and_has_a_note() -> None:
    for rule in RULES:
        assert rule.note, rule.id
        assert rule.replacement is not None


def test_corrections_are_recorded_with_file_and_line() -> None:
    page = RawPage(
        "x.txt",
        [Line(1, "标题"), Line(2, ""), Line(3, "提请省人大常委会审议审议地方性法规草案9部。")],
    )
    cleaned = clean_page(page)
    assert [(c.raw, c.fixed, c.file, c.line) for c in cleaned.corrections] == [
        ("审议审议", "审议", "x.txt", 3)
    ]


def test_apply_rules_reports_each_change() -> None:
    text, changes = apply_rules("审议审议，接种接种", RULES)
    assert text == "审议，接种"
    assert [c[:2] for c in changes] == [("审议审议", "审议"), ("接种接种", "接种")]


def test_wrap_spaced_detects_column_wrapped_pages() -> None:
    wrapped = [
        "近年来,长春市与延边州坚持高层高 位推动,紧密牵手促合作,深入谋划对接事 项,推动签约抓落地,促成一个个对接项目 在延边开花结果"
    ] * 2
    clean_lines = [
        "近年来，长春市与延边州坚持高层高位推动，紧密牵手促合作，深入谋划对接事项，推动签约抓落地。"
    ]
    assert wrap_spaced(wrapped)
    assert not wrap_spaced(clean_lines)
    assert not wrap_spaced(
        ["本报2月7日讯(记者刘勃 张宽)历时6天的比赛今天收官,我省射击队表现出色。"] * 3
    )


def test_join_broken_paragraphs_mid_word_and_mid_sentence() -> None:
    head = "“十大跃升行动”包括实施区域创新体系效能跃升行动、优良科技创新生态跃升行动、科技支撑民生发展跃升行动、医药"
    paras = [
        head,
        "强省建设跃升行动。",
        "去年，延边州主要负责同志推动对接",
        "合作项目向县市级延伸。",
    ]
    joined, joins = join_broken(paras)
    assert joined == [
        head + "强省建设跃升行动。",
        "去年，延边州主要负责同志推动对接合作项目向县市级延伸。",
    ]
    assert joins == [(0, 1), (2, 3)]


def test_join_keeps_list_items_and_finished_sentences_apart() -> None:
    paras = [
        "重点做好以下八个方面工作。",
        "（一）坚决稳住经济基本盘。",
        "2000年9月，任吉林省公安厅法制处副处",
        "2004年11月，任吉林省公安厅青少年犯罪研究所所长；",
        "一条路线逐渐清晰：",
        "以建设国际汽车城引领“双廊”。",
    ]
    assert join_broken(paras)[0] == paras


def test_clean_is_idempotent_on_the_bundled_corpus(corpus_pages) -> None:
    for page in corpus_pages:
        once = clean_page(page)
        twice = clean_page(once)
        assert [line.text for line in twice.lines] == [line.text for line in once.lines], page.file
