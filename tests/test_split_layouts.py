"""One fixture page per layout class of issue 16 (tests/fixtures/layouts/).

Each test names the layout it holds: where articles begin, what is a section
head, what is page furniture, and that every decision is explained.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import check, clean, merge, split
from generator.model import Article, PageMeta
from generator.read import read_page_bytes

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"


def split_file(name: str) -> list[Article]:
    page, problems = read_page_bytes(name, (LAYOUTS / name).read_bytes(), PageMeta())
    assert page is not None and not problems
    return split.split_page(clean.clean_page(page))


def heads(a: Article) -> list[str]:
    return [a.paragraphs[i] for i in a.section_heads]


def body(a: Article) -> str:
    return "\n".join([a.title, a.subtitle or "", a.kicker or "", *a.paragraphs])


def test_articles_without_closing_byline_end_at_the_next_headline() -> None:
    """本报讯 and 新华社…电 articles with no byline, then a headline-only story."""
    arts = split_file("dateline_no_byline.txt")
    assert [a.title for a in arts] == [
        "全省春季农业生产现场会在榆树召开",
        "长白山景区冬季游客接待量创新高",
        "社区食堂让老人吃上热乎饭",
    ]
    assert [a.dateline is not None for a in arts] == [True, True, False]
    assert heads(arts[1]) == ["冷资源正在变成热经济"]  # a section head stays one


def test_page_furniture_is_page_metadata_never_text() -> None:
    """Header with paper, date, page, section and editors; a section word; a page number."""
    arts = split_file("dateline_no_byline.txt")
    for a in arts:
        assert "责任编辑" not in body(a) and "星期三" not in body(a)
        assert "2" not in a.paragraphs and "要闻" not in a.paragraphs
        assert (a.meta.paper, a.meta.date, a.meta.page, a.meta.section) == (
            "吉林日报",
            "2024-03-06",
            "2",
            "要闻",
        )
        assert set(a.meta.header_fields) == {"paper", "date", "page"}
        assert a.meta.editors == ("责任编辑：孙启明", "版式：高冬")


def test_the_page_header_names_the_paper_and_date_of_its_articles() -> None:
    from generator.enrich import enrich

    arts = {a.title: a for a in enrich(split_file("dateline_no_byline.txt"))}
    unsigned = arts["社区食堂让老人吃上热乎饭"]  # no dateline, no byline
    assert unsigned.paper == "吉林日报" and unsigned.paper_source.startswith("版头（吉林日报")
    assert unsigned.date == "2024-03-06" and unsigned.date_source.startswith("版头（")
    wire = arts["长白山景区冬季游客接待量创新高"]
    assert wire.paper == "新华社"  # the dateline names its agency: that wins over the page


def test_a_feature_keeps_its_section_heads_and_the_next_story_is_cut_off() -> None:
    """No dateline, no byline: a feature with section heads, then a regional story."""
    feature, story = split_file("no_byline_feature.txt")
    assert (feature.title, feature.subtitle) == ("冰雪经济热起来", "——吉林省发展冰雪产业观察")
    assert heads(feature) == ["装备制造走出新路", "赛事活动聚人气"]
    assert story.title == "延吉：老街区焕发新活力"
    assert story.meta.section == "经济" and story.meta.page == "4"


def test_a_briefs_column_gives_one_article_per_item() -> None:
    arts = split_file("briefs.txt")
    assert [a.title for a in arts] == [
        "四平开通首条定制公交线路",
        "松原查干湖迎来首批观鸟爱好者！",  # an item title may end in ！
        "白城举办春季招聘会",
    ]
    assert all(a.column == "本报简讯" for a in arts[:1])
    assert [a.byline for a in arts] == [None, None, "记者：庞博"]  # a byline with a colon
    assert arts[0].meta.paper == "城市晚报" and arts[0].meta.page == "A03"


def test_a_photo_credit_closes_only_its_caption() -> None:
    story, caption, titled, glued = split_file("captions.txt")
    assert story.title == "净月潭森林马拉松鸣枪开跑" and story.kind != "photo"
    assert story.byline is None and "摄" not in body(story)
    assert (caption.kind, caption.byline) == ("photo", "本报记者 蒋涛 摄")
    assert caption.paragraphs == ["松花江畔的雾凇吸引众多摄影爱好者前来拍摄。"]
    assert (titled.kind, titled.title, titled.byline) == (
        "photo",
        "吉林市冰灯游园会开幕",
        "张明远/摄",
    )


def test_photographers_are_not_reporters_of_the_story_above() -> None:
    from generator.enrich import enrich

    arts = enrich(split_file("captions.txt"))
    by_title = {a.title: a for a in arts}
    story = by_title["净月潭森林马拉松鸣枪开跑"]
    assert story.reporters == ["彭程"] and story.photographers == []
    assert by_title["吉林市冰灯游园会开幕"].photographers == ["张明远"]


def test_a_question_and_answer_interview_stays_one_article() -> None:
    interview, other = split_file("interview.txt")
    assert interview.title == "推动县域经济高质量发展"
    assert interview.subtitle == "省发展改革委负责人就县域经济发展答记者问"
    assert sum(p.startswith("记者：") for p in interview.paragraphs) == 3
    assert sum(p.startswith("答：") for p in interview.paragraphs) == 3
    assert interview.section_heads == []
    assert (other.title, other.byline) == ("通化葡萄酒产业集群加快成长", "吉林日报记者 于洋")


def test_a_mid_page_jump_is_joined_and_a_glued_copy_is_cut_and_merged() -> None:
    fragments = split_file("jump_part1.txt") + split_file("jump_part2.txt")
    glued = next(a for a in fragments if a.title == "社区图书馆延长开放时间")
    assert heads(glued) == ["长春新区新增一批科技企业"]  # no cue on the page itself
    articles, report = merge.merge(fragments)
    titles = sorted(a.title for a in articles)
    assert titles == ["社区图书馆延长开放时间", "长春新区新增一批科技企业", "黑土地上的新农人"]
    by_title = {a.title: a for a in articles}
    story = by_title["黑土地上的新农人"]
    assert [s.file for s in story.sources] == ["jump_part1.txt", "jump_part2.txt"]
    assert story.complete and story.byline == "吉林日报记者 陈思远"
    copy = by_title["长春新区新增一批科技企业"]
    assert {s.file for s in copy.sources} == {"jump_part1.txt", "jump_part2.txt"}
    library = by_title["社区图书馆延长开放时间"]
    assert library.sources[0].last_line < 17 and "科技企业" not in library.text
    assert report.copies_cut == 1 and report.continuations_joined == 1


@pytest.mark.parametrize("name", sorted(p.name for p in LAYOUTS.glob("*.txt")))
def test_every_headline_decision_is_explained(name: str) -> None:
    page, _ = read_page_bytes(name, (LAYOUTS / name).read_bytes(), PageMeta())
    decisions, _ = split.explain_page(clean.clean_page(page))
    assert decisions
    for d in decisions:
        assert d.verdict in split.VERDICTS
        if d.score is not None:  # weighed: the evidence adds up to the score
            assert d.score == pytest.approx(sum(w for _, w in d.evidence))
            assert (d.score >= split.NEW_ARTICLE_AT) == (d.verdict == "new")
        elif d.verdict in ("new", "section"):
            assert d.evidence  # decided by a named rule
    # Each article carries the decisions that opened it and kept its section
    # heads, for its provenance panel.
    for a in split.split_page(clean.clean_page(page)):
        assert a.title_inferred or any(n.startswith("第") and "新文章" in n for n in a.notes)
        for line in a.head_lines:
            assert any(n.startswith(f"第{line}行") and "：小标题" in n for n in a.notes)


def test_check_explain_names_every_decision() -> None:
    name = "dateline_no_byline.txt"
    text = check.explain(name, (LAYOUTS / name).read_bytes())
    assert "版面信息：报纸 吉林日报；版次 2；版面 要闻；日期 2024-03-06" in text
    assert "第23行“社区食堂让老人吃上热乎饭”：新文章" in text
    assert "第19行“冷资源正在变成热经济”：小标题" in text
    assert "切分结果：3篇" in text


def test_check_explain_command_prints_each_file_and_refuses_a_missing_one(tmp_path: Path) -> None:
    import subprocess
    import sys

    page = LAYOUTS / "briefs.txt"
    missing = tmp_path / "missing.txt"
    run = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--explain", str(page), str(missing)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert run.returncode == 1
    assert "简讯栏内的短标题" in run.stdout and "切分结果：3篇" in run.stdout
    assert run.stderr.count("missing.txt") == 1 and "Traceback" not in run.stderr


def test_a_question_ending_an_article_stays_its_last_paragraph() -> None:
    text = "## 老街改造听民声\n\n社区召开居民议事会，商量老街改造的方案。\n\n老街的明天会更好吗？\n\n吉林日报记者 韩雪\n\n## 下一篇标题\n\n正文第一段。"
    page, _ = read_page_bytes("q.txt", text.encode(), PageMeta())
    first, second = split.split_page(clean.clean_page(page))
    assert first.title == "老街改造听民声" and first.paragraphs[-1] == "老街的明天会更好吗？"
    assert first.byline == "吉林日报记者 韩雪" and second.title == "下一篇标题"


@pytest.mark.parametrize(
    "credit",
    ["（本报记者 方明 摄）", "延吉市文旅局供图", "新华社记者 王晨 摄"],
)
def test_credit_forms_close_their_caption_alone_or_glued(credit: str) -> None:
    story = (
        "## 冬捕节开幕\n\n本报讯（记者 高远）湖面上人头攒动，冬捕节今天开幕。\n\n活动将持续一个月。"
    )
    caption = "渔工们在冰面上收网的情景。"
    for tail in (f"{caption}\n\n{credit}", f"{caption}{credit}"):
        text = f"{story}\n\n\n\n{tail}"
        page, _ = read_page_bytes("c.txt", text.encode(), PageMeta())
        first, photo = split.split_page(clean.clean_page(page))
        assert first.byline is None and first.paragraphs[-1] == "活动将持续一个月。"
        assert (photo.kind, photo.paragraphs) == ("photo", [caption])
        assert photo.byline.replace(" ", "") == credit.replace(" ", "")


def test_reprints_end_at_their_source_line_and_open_with_a_reprint_dateline() -> None:
    """Wire copy (据新华社…电) and reprints closed by （来源：…） or 据《…》."""
    arts = split_file("reprints.txt")
    assert [a.title for a in arts] == [
        "全国春运客流稳步回升",
        "多地推出文旅消费新举措",
        "春耕备耕有序推进",
    ]
    assert arts[0].dateline == "据新华社北京2月10日电"
    assert arts[0].paragraphs[0].startswith("记者从交通运输部获悉")
    assert [a.byline for a in arts] == ["（来源：新华网）", "据《光明日报》", None]


def test_a_bracketed_note_ending_an_article_closes_it() -> None:
    text = (
        "## 家乡的变化\n\n这些年，村里修了路，盖了新房，日子越过越红火。\n\n（图们市 金明哲家庭）"
        "\n\n## 新闻稿\n\n新华社长春3月1日电 今天，一批项目集中开工。\n\n（完）\n\n## 第三篇\n\n正文。"
    )
    page, _ = read_page_bytes("n.txt", text.encode(), PageMeta())
    arts = split.split_page(clean.clean_page(page))
    assert [(a.title, a.byline) for a in arts] == [
        ("家乡的变化", "（图们市 金明哲家庭）"),
        ("新闻稿", "（完）"),
        ("第三篇", None),
    ]
    assert arts[0].section_heads == []  # the note is no section head
