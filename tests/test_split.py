"""Split stage: one small page per layout pattern, plus the bundled corpus."""

from __future__ import annotations

from generator.clean import clean_page
from generator.model import Line, RawPage
from generator.split import split_page


def page(text: str, name: str = "t.txt") -> RawPage:
    lines = [Line(i, t) for i, t in enumerate(text.split("\n"), start=1)]
    return clean_page(RawPage(name, lines))


def titles(text: str) -> list[str]:
    return [a.title for a in split_page(page(text))]


BODY = "记者从会上了解到，今年全省将继续推进项目建设，加快发展新动能，取得了明显成效。"


def test_plain_headlines_and_end_bylines() -> None:
    arts = split_page(
        page(
            f"第一篇标题\n\n{BODY}\n\n吉林日报记者 张三\n\n第二篇标题\n\n{BODY}\n\n城市晚报全媒体记者 李四"
        )
    )
    assert [a.title for a in arts] == ["第一篇标题", "第二篇标题"]
    assert [a.byline for a in arts] == ["吉林日报记者 张三", "城市晚报全媒体记者 李四"]
    assert all(a.paragraphs == [BODY] for a in arts)


def test_markdown_headings_kicker_title_subtitle() -> None:
    text = f"## 长春市创新优化营商环境\n\n# 数字赋能 助力惠企惠民政策直达\n\n本报讯(记者孙红丽){BODY}\n\n## 射击冠军赛收官\n\n### 我省射击队收获一金一铜\n\n本报2月7日讯(记者刘勃 张宽){BODY}"
    a, b = split_page(page(text))
    assert (a.kicker, a.title, a.subtitle) == (
        "长春市创新优化营商环境",
        "数字赋能 助力惠企惠民政策直达",
        None,
    )
    assert (b.kicker, b.title, b.subtitle) == (None, "射击冠军赛收官", "我省射击队收获一金一铜")


def test_colon_kicker() -> None:
    (a,) = split_page(
        page(f"## 珲春:\n\n### 提升民生服务质量 擦亮基层治理底色\n\n本报讯(记者相文雅){BODY}")
    )
    assert a.kicker == "珲春：" and a.title == "提升民生服务质量 擦亮基层治理底色"


def test_dateline_is_taken_out_of_the_body() -> None:
    (a,) = split_page(page(f"# 标题\n\n本报2月7日讯(记者景洋){BODY}"))
    assert a.dateline == "本报2月7日讯（记者景洋）"
    assert a.paragraphs[0] == BODY


def test_dateline_articles_split_without_bylines() -> None:
    text = f"# 第一篇\n\n本报讯(记者甲乙){BODY}\n\n{BODY}\n\n## 第二篇\n\n本报讯(记者丙丁){BODY}"
    assert titles(text) == ["第一篇", "第二篇"]


def test_glued_byline_closes_the_article() -> None:
    arts = split_page(
        page(f"标题一\n\n{BODY}实现合 吉林日报记者 张伟国 代黎黎\n\n标题二\n\n{BODY}")
    )
    assert arts[0].byline == "吉林日报记者 张伟国 代黎黎"
    assert arts[0].paragraphs[-1].endswith("实现合")
    assert arts[1].title == "标题二"


def test_byline_under_the_title_and_section_heads() -> None:
    text = f"## 开创新局面\n\n## ——精读政府工作报告\n\n本报记者 孟凡明 柳青\n\n## 回眸2022年\n\n## 行稳致远勇作为\n\n{BODY}\n\n## 关键词：建设现代化产业体系\n\n{BODY}"
    (a,) = split_page(page(text))
    assert a.title == "开创新局面" and a.subtitle == "——精读政府工作报告"
    assert a.byline == "本报记者 孟凡明 柳青"
    assert [a.paragraphs[i] for i in a.section_heads] == [
        "回眸2022年",
        "行稳致远勇作为",
        "关键词：建设现代化产业体系",
    ]


def test_lead_above_the_title_joins_the_article_and_page_header_is_metadata() -> None:
    text = f"## 聚焦\n\n## 长春“两会”\n\n砥砺奋进建新功，蓄势扬帆启新程。\n\n## 开创新局面\n\n本报记者 孟凡明 柳青\n\n{BODY}"
    (a,) = split_page(page(text))
    assert a.title == "开创新局面"
    assert a.column == "聚焦 长春“两会”"
    assert a.paragraphs[0] == "砥砺奋进建新功，蓄势扬帆启新程。"
    assert all("聚焦" not in p for p in a.paragraphs)


def test_column_banner_is_not_body() -> None:
    (a,) = split_page(
        page(
            f"和声激荡新吉林\n\n——对接合作综述\n\n优环境 抓项目 强信心 开新局\n\n{BODY}\n\n吉林日报记者 邱国强"
        )
    )
    assert a.column == "优环境 抓项目 强信心 开新局"
    assert a.subtitle == "——对接合作综述"
    assert a.paragraphs == [BODY]


def test_section_heads_inside_an_article_are_not_articles() -> None:
    text = f"长文标题\n\n{BODY}\n\n“点”“线”共振：长春发挥作用形成合力\n\n{BODY}\n\n以“放”促“合”：坚持开放\n\n{BODY}\n\n吉林日报记者 邱国强"
    (a,) = split_page(page(text))
    assert len(a.section_heads) == 2


def test_photo_caption_is_its_own_item() -> None:
    text = f"# 绿电推广会召开\n\n本报2月7日讯(记者杨悦){BODY}\n\n\n\n\n近年来，通榆县乌兰花镇推行积分制。图为村民兑换商品。\n\n本报记者 潘硕 摄\n\n## 下一篇\n\n本报讯(记者孙红丽){BODY}"
    arts = split_page(page(text))
    assert [a.kind for a in arts] == ["brief", "photo", "brief"]  # short bodies are briefs
    assert arts[1].byline == "本报记者 潘硕 摄"
    assert arts[0].paragraphs == [BODY]


def test_sidebar_profile_starts_a_new_item() -> None:
    text = "某某接受纪律审查和监察调查\n\n某某涉嫌严重违纪违法，目前正接受纪律审查和监察调查。\n\n某某简历\n\n某某，男，汉族，1964年3月生，吉林梨树人。\n\n2018年10月，任某厅党组书记、厅长。城市晚报全媒体记者 陆续"
    a, b = split_page(page(text))
    assert a.kind == "brief" and b.kind == "profile"
    assert b.title == "某某简历" and b.byline == "城市晚报全媒体记者 陆续"


def test_page_jump_markers_are_metadata() -> None:
    (a,) = split_page(
        page(f"政府工作报告\n\n(上接第一版){BODY}\n\n二、2022年工作安排\n\n{BODY}(下转第三版)")
    )
    assert a.continued_from == "第一版" and a.continued_to == "第三版"
    assert a.missing_start and a.missing_end
    assert all("上接" not in p and "下转" not in p for p in a.paragraphs)
    assert a.kind == "report_part"


def test_jump_head_starts_a_new_article_in_a_dateline_page() -> None:
    text = f"# 前一篇\n\n本报讯(记者甲乙){BODY}\n\n## 和声激荡新吉林\n\n(上接第一版){BODY}"
    arts = split_page(page(text))
    assert [a.title for a in arts] == ["前一篇", "和声激荡新吉林"]
    assert arts[1].continued_from == "第一版"


def test_last_line_without_newline_is_kept() -> None:
    (a,) = split_page(page(f"标题\n\n{BODY}\n\n最后一行没有换行符也必须保留，积极利"))
    assert a.paragraphs[-1].endswith("积极利")
    assert a.missing_end


def test_headless_fragment_is_marked_missing_start() -> None:
    arts = split_page(
        page(
            f"标题\n\n{BODY}\n\n吉林日报记者 甲乙\n\n用国际创新资源，在优势互补重点领域加强科研合作。\n\n吉林日报记者 景洋"
        )
    )
    assert arts[1].title_inferred and arts[1].missing_start


def test_sources_cover_the_article_lines() -> None:
    arts = split_page(page(f"标题一\n\n{BODY}\n\n吉林日报记者 张三\n\n标题二\n\n{BODY}"))
    assert [(s.first_line, s.last_line) for a in arts for s in a.sources] == [(1, 5), (7, 9)]


def test_bundled_corpus_every_nonblank_line_lands_somewhere(corpus_pages) -> None:
    """Nothing is lost: every non-empty raw line is inside some article's sources."""
    for raw in corpus_pages:
        arts = split_page(clean_page(raw))
        covered = {n for a in arts for s in a.sources for n in range(s.first_line, s.last_line + 1)}
        for line in raw.lines:
            if line.text.strip():
                assert line.no in covered, (raw.file, line.no)


def test_a_headline_after_a_jump_to_marker_opens_an_article() -> None:
    # 下转 ends the first article's part on this page; the next story has its
    # byline at the end only, so nothing else marks the boundary.
    text = (
        f"# 第一篇\n\n本报讯(记者甲乙){BODY}\n\n{BODY[:-1]}(下转第三版)\n\n"
        f"# 第二篇\n\n{BODY}\n\n吉林日报记者 张三"
    )
    a, b = split_page(page(text))
    assert (a.title, a.continued_to) == ("第一篇", "第三版")
    assert (b.title, b.byline, b.paragraphs) == ("第二篇", "吉林日报记者 张三", [BODY])


def test_page_header_above_the_first_headline_is_not_the_title() -> None:
    for text in (
        f"经济\n\n我省推进项目建设\n\n{BODY}\n\n吉林日报记者 张三",
        f"## 综合新闻\n\n## 我省推进项目建设\n\n{BODY}\n\n吉林日报记者 张三",
    ):
        (a,) = split_page(page(text))
        assert a.title == "我省推进项目建设"
        assert a.paragraphs == [BODY]
    # a short kicker ending in a colon is still a kicker
    (a,) = split_page(page(f"## 珲春:\n\n### 提升民生服务质量\n\n本报讯(记者相文雅){BODY}"))
    assert (a.kicker, a.title) == ("珲春：", "提升民生服务质量")


def test_a_headline_with_she_and_dian_is_not_a_dateline() -> None:
    # '我省全社会用电' fits the dateline pattern (a 'paper' ending in 社, then 电)
    text = (
        f"# 第一篇\n\n本报讯(记者甲乙){BODY}\n\n我省全社会用电量增长5%\n\n"
        f"本报3月30日讯(记者丙丁){BODY}"
    )
    a, b = split_page(page(text))
    assert (a.title, b.title) == ("第一篇", "我省全社会用电量增长5%")
    assert b.dateline == "本报3月30日讯（记者丙丁）"
    (c,) = split_page(page(f"# 标题\n\n全社会用电量同比增长,{BODY}"))
    assert c.dateline is None and c.paragraphs[0].startswith("全社会用电量")


def test_a_dated_brief_above_a_headline_is_not_its_lead() -> None:
    brief = "2月22日,白城市生态环境局相关负责人介绍,今年将加快推进项目建设。"
    text = f"白城市升级政策\n\n{brief}\n\n引进一批优势平台企业\n\n本报记者 白宇建\n\n{BODY}"
    a, b = split_page(page(text))
    assert (a.title, b.title) == ("白城市升级政策", "引进一批优势平台企业")
    assert b.paragraphs == [BODY]
