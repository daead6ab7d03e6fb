"""Bylines, datelines, reporters and papers (generator/enrich/people.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.enrich.people import (
    Byline,
    canonical_paper,
    find_byline_in_line,
    is_agency,
    load_papers,
    paper_city,
    parse_byline,
    parse_dateline,
    resolve_paper,
    split_glued_names,
)
from generator.model import Article, PageMeta, Source

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


# --- papers.yml ---------------------------------------------------------------------


def test_papers_data_home_cities_and_kinds():
    names = {p.name for p in load_papers()}
    assert {"吉林日报", "城市晚报", "长春日报", "江城日报", "四平日报", "延边日报"} <= names
    assert {"人民日报", "新华社"} <= names
    assert paper_city("城市晚报") == "长春"
    assert paper_city("长春日报") == "长春"
    assert paper_city("江城日报") == "吉林市"
    assert paper_city("吉林日报") is None  # province level
    assert is_agency("新华社") and not is_agency("吉林日报")
    assert canonical_paper("中新社") == "中国新闻社"
    assert canonical_paper("某某晚报") == "某某晚报"  # unknown names are kept
    assert canonical_paper(" ") is None


def test_papers_data_is_well_formed():
    seen: set[str] = set()
    for paper in load_papers():
        assert paper.kind in ("newspaper", "agency")
        for form in (paper.name, *paper.aliases):
            assert form not in seen, form
            seen.add(form)
        for prefix in paper.byline_prefixes:
            assert parse_byline(f"{prefix} 王明") is not None, prefix


# --- parse_byline -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "paper", "reporters", "roles", "photo"),
    [
        ("吉林日报记者 邱国强", "吉林日报", ["邱国强"], {}, False),
        ("城市晚报全媒体记者 陆续", "城市晚报", ["陆续"], {}, False),
        ("本报记者 潘硕 摄", None, ["潘硕"], {}, True),
        ("记者：孟庆林", None, ["孟庆林"], {}, False),  # a byline with a colon
        ("本报记者：韩冬 宋佳", None, ["韩冬", "宋佳"], {}, False),
        ("东北网记者 吴晓", "东北网", ["吴晓"], {}, False),  # a news site's reporter
        ("郑海燕/摄", None, ["郑海燕"], {}, True),  # names-only photo credits
        ("王兵 刘畅 摄", None, ["王兵", "刘畅"], {}, True),
        ("光明日报调研组", "光明日报", [], {}, False),  # a team signs for its paper
        ("本报评论员", None, [], {}, False),
        ("(记者景洋)", None, ["景洋"], {}, False),
        ("（记者刘勃 张宽）", None, ["刘勃", "张宽"], {}, False),
        ("(记者刘勃 张宽)", None, ["刘勃", "张宽"], {}, False),
        (
            "吉林日报记者 金泽文 实习生 高源",
            "吉林日报",
            ["金泽文", "高源"],
            {"高源": "实习生"},
            False,
        ),
        ("本报记者 孟凡明 柳青", None, ["孟凡明", "柳青"], {}, False),
        ("记者 张三 通讯员 李四", None, ["张三", "李四"], {"李四": "通讯员"}, False),
        ("新华社记者 王五 赵六", "新华社", ["王五", "赵六"], {}, False),
        ("本报通讯员 赵六", None, ["赵六"], {"赵六": "通讯员"}, False),
        ("吉林日报记者 张伟国 代黎黎", "吉林日报", ["张伟国", "代黎黎"], {}, False),
        # names glued without spaces, split where only one split fits
        ("记者刘勃张宽", None, ["刘勃", "张宽"], {}, False),
        ("吉林日报记者张伟国代黎黎", "吉林日报", ["张伟国", "代黎黎"], {}, False),
        ("本报记者孟凡明柳青", None, ["孟凡明", "柳青"], {}, False),
        ("吉林日报记者金泽文实习生高源", "吉林日报", ["金泽文", "高源"], {"高源": "实习生"}, False),
        ("本报记者潘硕摄", None, ["潘硕"], {}, True),
        ("城市晚报全媒体记者陆续", "城市晚报", ["陆续"], {}, False),
        ("记者欧阳晓明", None, ["欧阳晓明"], {}, False),
        # other shapes
        ("长春日报记者 王明 报道", "长春日报", ["王明"], {}, False),
        ("文/图 本报记者 潘硕", None, ["潘硕"], {}, True),
        ("新华社发", "新华社", [], {}, True),
        ("本报记者 阿依古丽·买买提", None, ["阿依古丽·买买提"], {}, False),
        ("某某晚报记者 王五", "某某晚报", ["王五"], {}, False),
        ("本报2月7日讯(记者景洋)", None, ["景洋"], {}, False),  # a bare dateline
        ("本报记者 潘硕 摄影", None, ["潘硕"], {}, True),
        ("新华社发 王五 摄", "新华社", ["王五"], {}, True),
        # 图 and 发 end real names: only stripped as credits after a space
        ("记者 张宏图", None, ["张宏图"], {}, False),
        ("记者 李建发", None, ["李建发"], {}, False),
        ("记者 王五 图", None, ["王五"], {}, True),
        ("记者 张三 李四报道", None, ["张三", "李四"], {}, False),
    ],
)
def test_parse_byline(text, paper, reporters, roles, photo):
    assert parse_byline(text) == Byline(paper, reporters, roles, photo)


@pytest.mark.parametrize(
    "text",
    ["记者了解到", "记者从吉林省税务工作会议上了解到", "吉林日报记者", "接受记者采访", "近日", ""],
)
def test_parse_byline_rejects(text):
    assert parse_byline(text) is None


def test_split_glued_names_only_when_unambiguous():
    assert split_glued_names("刘勃张宽") == ["刘勃", "张宽"]
    assert split_glued_names("张伟国代黎黎") == ["张伟国", "代黎黎"]
    assert split_glued_names("景洋") == ["景洋"]
    assert split_glued_names("欧阳晓明") == ["欧阳晓明"]
    assert split_glued_names("了解到") is None
    assert split_glued_names("王刚张李华") is None  # 王刚/张李华 or 王刚张/李华
    # An ambiguous chunk stays together rather than being split by guess.
    assert parse_byline("记者王刚张李华") == Byline(None, ["王刚张李华"], {}, False)


# --- find_byline_in_line --------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "body", "byline"),
    [
        ("吉林日报记者 邱国强", "", "吉林日报记者 邱国强"),
        ("本报记者 潘硕 摄", "", "本报记者 潘硕 摄"),
        ("本报记者 孟凡明 柳青", "", "本报记者 孟凡明 柳青"),
        (
            "在携手前行中共享发展机遇,实现合 吉林日报记者 张伟国 代黎黎",
            "在携手前行中共享发展机遇,实现合",
            "吉林日报记者 张伟国 代黎黎",
        ),
        ("…厅长。城市晚报全媒体记者 陆续", "…厅长。", "城市晚报全媒体记者 陆续"),
        (
            "做 出应有的贡献。 城市晚报全媒体记者 陆续",
            "做 出应有的贡献。",
            "城市晚报全媒体记者 陆续",
        ),
        (
            "出口汽车3000辆,货值 吉林日报记者 张伟国 张琰",
            "出口汽车3000辆,货值",
            "吉林日报记者 张伟国 张琰",
        ),
        ("…实现合吉林日报记者张伟国代黎黎", "…实现合", "吉林日报记者张伟国代黎黎"),
        ("…结束。(记者 张三)", "…结束。", "(记者 张三)"),
        ("…发展。记者 张三 通讯员 李四", "…发展。", "记者 张三 通讯员 李四"),
        ("记者 张三 通讯员 李四", "", "记者 张三 通讯员 李四"),
        ("新华社记者 王五", "", "新华社记者 王五"),
        ("本报通讯员 赵六", "", "本报通讯员 赵六"),
        ("本报评论员", "", "本报评论员"),
        ("本报讯(记者景洋)", "", "本报讯(记者景洋)"),
    ],
)
def test_find_byline_in_line(line, body, byline):
    assert find_byline_in_line(line) == (body, byline)


@pytest.mark.parametrize(
    "line",
    [
        "记者从吉林省税务工作会议上了解到,2022年,全省税务系统",
        "近日,城市晚报全媒体记者了解到,长春U14男足",
        "近日，城市晚报全媒体记者了解到",
        "省射击队相关人员在接受记者采访时表示",
        "他接受记者采访",
        "白山地区总经理王春宇告诉记者",
        "王春宇告诉 记者",
        "据吉林日报记者了解",
        "张三是吉林日报记者",
        "本报2月7日讯(记者景洋)记者从2023年全省科技工作会议上了解到",
        "吉林日报记者",
        "",
    ],
)
def test_find_byline_in_line_ignores_body_sentences(line):
    assert find_byline_in_line(line) is None


def test_bylines_in_bundled_corpus_are_exactly_the_byline_lines():
    expected = {
        ("000", 83), ("000", 89), ("000", 95), ("000", 107), ("000", 119),
        ("001", 81),
        ("002", 39), ("002", 49), ("002", 57), ("002", 71), ("002", 99), ("002", 123),
        ("004", 17),
    }  # fmt: skip
    found = set()
    for path in sorted(CORPUS.glob("*.txt")):
        for no, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            if find_byline_in_line(line.lstrip("# ")):
                found.add((path.name[:3], no))
    assert found == expected


# --- parse_dateline -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "dateline", "rest", "byline"),
    [
        (
            "本报2月7日讯(记者景洋)记者从2023年全省科技工作会议上了解到",
            "本报2月7日讯(记者景洋)",
            "记者从2023年全省科技工作会议上了解到",
            Byline(None, ["景洋"], {}, False),
        ),
        (
            "本报讯(记者徐慕旗)近日,记者从吉林省税务工作会议上了解到",
            "本报讯(记者徐慕旗)",
            "近日,记者从吉林省税务工作会议上了解到",
            Byline(None, ["徐慕旗"], {}, False),
        ),
        (
            "本报2月7日讯(记者刘勃 张宽)历时6天的",
            "本报2月7日讯(记者刘勃 张宽)",
            "历时6天的",
            Byline(None, ["刘勃", "张宽"], {}, False),
        ),
        (
            "本报讯（记者 相文雅）珲春市在",
            "本报讯（记者 相文雅）",
            "珲春市在",
            Byline(None, ["相文雅"], {}, False),
        ),
        (
            "本报长春2月7日讯 记者 张三 李四报道 近日，",
            "本报长春2月7日讯 记者 张三 李四报道",
            "近日，",
            Byline(None, ["张三", "李四"], {}, False),
        ),
        (
            "本报长春2月7日讯 记者 张三 今天，",
            "本报长春2月7日讯 记者 张三",
            "今天，",
            Byline(None, ["张三"], {}, False),
        ),
        (
            "新华社北京2月7日电(记者 王五 赵六)近日",
            "新华社北京2月7日电(记者 王五 赵六)",
            "近日",
            Byline("新华社", ["王五", "赵六"], {}, False),
        ),
        ("新华社北京2月7日电 近日", "新华社北京2月7日电", "近日", Byline("新华社", [], {}, False)),
        ("本报讯 近日，", "本报讯", "近日，", None),
        (  # a special correspondent
            "本报3月2日讯（特派记者 白雪）昨天，",
            "本报3月2日讯（特派记者 白雪）",
            "昨天，",
            Byline(None, ["白雪"], {}, False),
        ),
        (  # an agency's brackets hold the names alone
            "中新网长春3月2日电 （钱程 孙悦）当天，",
            "中新网长春3月2日电 （钱程 孙悦）",
            "当天，",
            Byline("中国新闻社", ["钱程", "孙悦"], {}, False),
        ),
        (  # a news site's lead: the site is not the paper that printed it
            "东亚在线延边频道消息（金美兰）：3月2日，",
            "东亚在线延边频道消息（金美兰）",
            "3月2日，",
            Byline(None, ["金美兰"], {}, False),
        ),
    ],
)
def test_parse_dateline(paragraph, dateline, rest, byline):
    assert parse_dateline(paragraph) == (dateline, rest, byline)


@pytest.mark.parametrize(
    "paragraph",
    [
        "本报记者王五电话采访了",
        "记者从2023年全省科技工作会议上了解到",
        "（本报讯）",
        "2月7日，记者从",
        "据最新消息，今天",  # 消息 leads a dateline only with its reporter in brackets
    ],
)
def test_parse_dateline_rejects(paragraph):
    assert parse_dateline(paragraph) is None


# --- resolve_paper ----------------------------------------------------------------------


def _art(file, byline=None, dateline=None, reporters=(), meta=None, title="t"):
    return Article(
        title=title,
        paragraphs=["正文。"],
        sources=[Source(file, 1, 2)],
        byline=byline,
        dateline=dateline,
        reporters=list(reporters),
        meta=meta or PageMeta(),
    )


def test_explicit_byline_wins_over_metadata():
    a = _art("p.txt", byline="新华社记者 王五", meta=PageMeta(paper="吉林日报"))
    b = _art("p.txt", byline="城市晚报全媒体记者 陆续", meta=PageMeta(paper="吉林日报"))
    resolve_paper([a, b])
    assert (a.paper, a.paper_source) == ("新华社", "署名“新华社记者”")
    assert (b.paper, b.paper_source) == ("城市晚报", "署名“城市晚报全媒体记者”")


def test_dateline_names_agency():
    a = _art("p.txt", dateline="新华社北京2月7日电(记者 王五)")
    resolve_paper([a])
    assert (a.paper, a.paper_source) == ("新华社", "电头“新华社北京2月7日电”")


def test_metadata_paper_for_benbao_and_unsigned():
    a = _art("p.txt", byline="本报记者 孟凡明 柳青", meta=PageMeta(paper="吉报"))
    b = _art("p.txt", meta=PageMeta(paper="城市晚报"))
    resolve_paper([a, b])
    assert (a.paper, a.paper_source) == ("吉林日报", "元数据")
    assert (b.paper, b.paper_source) == ("城市晚报", "元数据")


def test_benbao_resolved_by_other_bylines_on_the_page():
    named = _art("p.txt", byline="吉林日报记者 景洋", reporters=["景洋"])
    own = _art("p.txt", dateline="本报2月7日讯(记者杨悦)", reporters=["杨悦"])
    photo = _art("p.txt", byline="本报记者 潘硕 摄", reporters=["潘硕"])
    unsigned = _art("p.txt")
    other_page = _art("q.txt", dateline="本报讯(记者孙红丽)", reporters=["孙红丽"])
    resolve_paper([named, own, photo, unsigned, other_page])
    assert (own.paper, own.paper_source) == ("吉林日报", "同版其他稿件署名吉林日报")
    assert photo.paper == "吉林日报"
    assert unsigned.paper == "吉林日报" and "本稿无署名" in unsigned.paper_source
    assert other_page.paper is None and other_page.paper_source is None


def test_benbao_resolved_by_reporters_signing_elsewhere():
    # 001-like page: every item is 本报; 景洋 signs as 吉林日报记者 on another page.
    elsewhere = _art("000.txt", byline="吉林日报记者 景洋")
    own = _art("001.txt", dateline="本报2月7日讯(记者景洋)")
    neighbour = _art("001.txt", dateline="本报2月7日讯(记者刘勃 张宽)")
    resolve_paper([elsewhere, own, neighbour])
    assert (own.paper, own.paper_source) == ("吉林日报", "记者景洋在其他稿件署名吉林日报")
    assert (neighbour.paper, neighbour.paper_source) == (
        "吉林日报",
        "同版记者景洋在其他稿件署名吉林日报",
    )


def test_mixed_page_and_lone_benbao_stay_open():
    # A page with both 吉林日报 and 城市晚报 bylines does not decide 本报 or unsigned items.
    a = _art("mixed.txt", byline="吉林日报记者 景洋")
    b = _art("mixed.txt", byline="城市晚报全媒体记者 陆续")
    unsigned = _art("mixed.txt")
    own = _art("mixed.txt", byline="本报记者 王明")
    lone = _art("lone.txt", byline="本报记者 孟凡明 柳青")  # seed 004: null
    nothing = _art("report.txt")  # seed 003: no byline, null
    resolve_paper([a, b, unsigned, own, lone, nothing])
    for article in (unsigned, own, lone, nothing):
        assert article.paper is None and article.paper_source is None


def test_agency_copy_does_not_decide_the_page():
    agency = _art("p.txt", byline="新华社记者 王五")
    own = _art("p.txt", byline="本报记者 王明")
    resolve_paper([agency, own])
    assert agency.paper == "新华社"
    assert own.paper is None


def test_an_unsigned_item_shares_the_paper_of_the_signed_profile_beside_it(archive):
    # Bundled file 002: a two-line news item, then its sidebar 黎海滨简历 closed
    # by 城市晚报全媒体记者 陆续; the page also carries 吉林日报 bylines.
    by_title = {a.title: a for a in archive.articles}
    profile = by_title["黎海滨简历"]
    item = by_title["吉林省退役军人事务厅原党组书记、厅长黎海滨接受纪律审查和监察调查"]
    assert profile.kind == "profile" and profile.paper == "城市晚报"
    assert item.byline is None
    assert (item.paper, item.paper_source) == ("城市晚报", "紧随其后的附栏署名城市晚报")
