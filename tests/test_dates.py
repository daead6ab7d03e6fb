"""Publication dates (generator/enrich/dates.py), plus the gold test on the seed corpus.

The gold test builds one minimal Article per gold article, runs ``resolve_paper`` and
``assign_dates`` over all of them together (so page context works) and checks dates,
papers and reporters against /work/shared/gold/seed-articles.json.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from generator.enrich.dates import assign_dates
from generator.enrich.people import (
    find_byline_in_line,
    parse_byline,
    parse_dateline,
    resolve_paper,
)
from generator.model import Article, PageMeta, Source

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
GOLD = Path(os.environ.get("GOLD_ARTICLES", "/work/shared/gold/seed-articles.json"))


def _art(paragraphs, *, file="p.txt", dateline=None, meta=None, title="标题"):
    return Article(
        title=title,
        paragraphs=list(paragraphs),
        sources=[Source(file, 1, 9)],
        dateline=dateline,
        meta=meta or PageMeta(),
    )


def _dated(*articles):
    assign_dates(list(articles))
    return articles[0] if len(articles) == 1 else articles


# --- (1) metadata ------------------------------------------------------------------------


def test_metadata_issue_date_wins():
    a = _dated(
        _art(
            ["记者从会议上了解到。"],
            dateline="本报2月7日讯(记者景洋)",
            meta=PageMeta(date="2023-02-08"),
        )
    )
    assert (a.date, a.date_precision, a.date_source) == ("2023-02-08", "day", "元数据（版面日期）")


def test_coarse_metadata_is_refined_by_consistent_dateline():
    a = _dated(_art(["今天召开。"], dateline="本报2月7日讯", meta=PageMeta(date="2023-02")))
    assert (a.date, a.date_precision) == ("2023-02-07", "day")
    assert a.date_source.startswith("电头“本报2月7日讯”")
    b = _dated(_art(["近日召开。"], meta=PageMeta(date="2023")))
    assert (b.date, b.date_precision, b.date_source) == ("2023", "year", "元数据（版面日期）")


# --- (2) dateline and lead sentence ----------------------------------------------------------


def test_dateline_with_year_from_event_name():
    a = _dated(
        _art(
            ["历时6天的2023年全国射击冠军赛(步枪项目)今天在陕西西安收官。"],
            dateline="本报2月7日讯(记者刘勃 张宽)",
        )
    )
    assert (a.date, a.date_precision) == ("2023-02-07", "day")
    assert a.date_source.startswith("电头“本报2月7日讯”，年份据正文“2023年全国射击冠军赛")


def test_dateline_still_in_first_paragraph():
    a = _dated(_art(["本报2月7日讯(记者杨悦)今天召开。预计2023年绿电交易规模有望突破15亿千瓦时。"]))
    assert a.date == "2023-02-07"
    assert "部署当年工作" in a.date_source


def test_agency_dateline_with_written_year():
    a = _dated(_art(["会议今天开幕。"], dateline="新华社北京2022年3月5日电(记者 王五)"))
    assert (a.date, a.date_source) == ("2022-03-05", "电头“新华社北京2022年3月5日电”")


def test_lead_date_year_from_plan_not_from_nearer_review_year():
    # Seed 004: 1月9日 with 2022 reviewed and 2023 planned -> 2023-01-09, not 2022.
    a = _dated(
        _art(
            [
                "砥砺奋进建新功，蓄势扬帆启新程。",
                "1月9日，长春市第十六届人民代表大会第二次会议开幕，市长做政府工作报告。",
                "回眸2022年",
                "2022年，面对复杂严峻形势，发展要安全要求，经受住了重大考验。",
                "2023年，长春市政府工作的总体要求是：稳中求进。",
            ]
        )
    )
    assert (a.date, a.date_precision) == ("2023-01-09", "day")
    assert a.date_source.startswith("正文“1月9日，长春市第十六届")
    assert "年份据正文“2023年" in a.date_source


def test_lead_date_with_event_year_in_same_sentence():
    a = _dated(_art(["2月7日，记者从2023年全省科技工作会议上了解到，今年将启动跃升行动。"]))
    assert a.date == "2023-02-07"
    assert "2023年全省科技工作会议" in a.date_source


def test_a_background_year_is_no_year_for_the_lead_date():
    # 2019 is when the project was approved, not when it started: no year is invented.
    a = _dated(_art(["3月5日，项目正式开工。", "该项目于2019年立项。"]))
    assert a.date is None and a.date_source is None


def test_a_page_year_is_not_taken_by_an_article_about_another_year():
    page_mate = _art(["2023年3月4日，全省春耕备耕工作会议召开。"])
    other = _art(["3月5日，“2018冰雪季”活动启动。"], title="2018冰雪季活动启动")
    assert page_mate.sources == other.sources  # the same page file
    _dated(page_mate, other)
    assert page_mate.date == "2023-03-04"
    assert other.date is None  # its headline names 2018, not the page's 2023


def test_background_full_date_opening_a_paragraph_is_not_the_lead():
    a = _dated(
        _art(
            ["2022年7月12日，恐龙王国开园迎客。", "2023年，景区将推出新项目。"],
        )
    )
    assert a.date == "2023"  # the current year; 2022-07-12 is background


# --- (3) other dates in the text --------------------------------------------------------------


def test_text_cutoff_date_with_plan_year():
    a = _dated(
        _art(
            [
                "记者从珲春综合保税区管理局了解到，截至1月29日，共出口商用车621辆。",
                "2023年，珲春综合保税区全年预计出口重型汽车7000辆。",
                "据统计，2022年，经珲春口岸出口汽车3000辆。",
            ]
        )
    )
    assert (a.date, a.date_precision) == ("2023-01-29", "day")
    assert a.date_source.startswith("正文“截至1月29日，")


def test_latest_text_date_across_new_year():
    a = _dated(
        _art(
            [
                "近日，记者走访了企业。12月28日，生产线投产；1月5日，首批产品下线。",
                "2023年，企业将扩大产能。",
            ]
        )
    )
    assert a.date == "2023-01-05"


def test_designated_day_and_future_dates_are_not_dates():
    a = _dated(
        _art(
            [
                "出台黑土地保护工程实施方案，确定7月22日为“吉林省黑土地保护日”。",
                "二、2022年工作安排",
                "2022年将召开党的二十大。新规将于3月1日起施行。",
            ]
        )
    )
    assert (a.date, a.date_precision) == ("2022", "year")  # seed 003: plan year only
    assert a.date_source == "正文“2022年工作安排”（部署当年工作）"


# --- (4) page context ---------------------------------------------------------------------------


def test_review_and_plan_year_takes_month_from_page():
    article = _art(
        [
            "近日，记者从吉林省税务工作会议上了解到，2022年，全省税务系统减负超过400亿元。",
            "据省税务局相关负责人介绍，2023年，全省税务系统将持续发力。",
        ],
        title="2022年我省释放税费政策红利超400亿元",
    )
    assert _dated(article).date == "2023"
    neighbour = _art(["2023年全省科技工作会议今天召开。"], dateline="本报2月7日讯 记者 景洋 报道")
    _dated(article, neighbour)
    assert (article.date, article.date_precision) == ("2023-02", "month")
    assert article.date_source.startswith("同版稿件日期（2023-02-07），年份据正文“2023年”")


def test_month_day_without_year_takes_year_from_page():
    neighbour = _art(["截至1月29日，共出口621辆。", "2023年，预计出口7000辆。"])
    a = _art(["“今年继续扩大。”1月31日，总经理王春宇告诉记者，公司决定入驻白山。"])
    _dated(a, neighbour)
    assert a.date == "2023-01-31"
    assert "年份据同版稿件日期（2023-01-29）" in a.date_source


def test_dateline_never_moved_to_a_january_page():
    january = _art(["截至1月29日，共出口621辆。", "2023年，预计出口7000辆。"])
    a = _art(["今天召开。"], dateline="本报2月7日讯")
    _dated(a, january)
    assert a.date == "2023-02-07"
    december = _art(["今天召开。"], dateline="本报12月30日讯")
    _dated(december, january)
    assert december.date == "2022-12-30"


def test_dateline_year_from_the_year_the_page_agrees_on():
    a = _art(["今天召开。"], dateline="本报2月7日讯")
    planning = _art(["近日，记者了解到，2023年，我省将加大投入。"])
    _dated(a, planning)
    assert (a.date, a.date_source) == (
        "2023-02-07",
        "电头“本报2月7日讯”，年份据同版稿件年份（2023）",
    )
    assert (planning.date, planning.date_precision) == ("2023-02", "month")


def test_page_context_does_not_depend_on_article_order():
    def page():
        return [
            _art(["今天召开。"], dateline="本报2月7日讯"),
            _art(["近日，记者了解到，2023年，我省将加大投入。"]),
            _art(["1月31日，总经理告诉记者，公司决定入驻。"]),
        ]

    forward = page()
    backward = page()[::-1]
    assign_dates(forward)
    assign_dates(backward)
    assert [a.date for a in forward] == [a.date for a in backward[::-1]]


def test_page_context_ignores_other_files_and_undated_neighbours():
    a = _art(["2022年，全省减负400亿元。", "2023年，全省将持续发力。"], file="a.txt")
    other_file = _art(["今天召开。"], dateline="本报2月7日讯", file="b.txt")
    vague = _art(["近日，我省修订了办法。"], file="a.txt")
    _dated(a, other_file, vague)
    assert a.date == "2023" and a.date_precision == "year"


def test_page_context_year_must_agree():
    a = _art(["2021年，全省减负。", "2022年，全省将持续发力。"])
    neighbour = _art(["今天召开。2023年全国射击冠军赛收官。"], dateline="本报2月7日讯")
    _dated(a, neighbour)
    assert a.date == "2022"  # page is 2023: not this article's year


# --- traps: nothing supports a date ---------------------------------------------------------------


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["近日，吉林省人民政府印发关于表彰吉林省教学成果奖获奖成果的决定。"],
        ["近日，中国科协公布了2021-2025年度第二批全国科普示范县认定名单。"],
        ["2021年，桦甸市被中国科协认定为2021-2025年第一批全国科普示范县。"],
        ["推动《全民科学素质行动规划纲要(2021-2035年)》贯彻落实。"],
        ["近日，长春U14男足将出征。", "据了解，2022年1月，长春市入选首批全国足球发展重点城市。"],
        ["黎海滨，男，1964年3月生。", "2022年2月至2022年5月，任吉林省退役军人事务厅厅长。"],
        ["到2025年，全面投产达产。"],
        ["新规将于3月1日起施行。"],
        [],
    ],
)
def test_no_date_without_evidence(paragraphs):
    a = _art(paragraphs, title="2022年我省释放税费政策红利超400亿元")
    neighbour = _art(["今天召开。"], dateline="本报2月7日讯 记者 景洋 报道")
    neighbour.paragraphs.append("2023年全省科技工作会议召开。")
    _dated(a, neighbour)
    assert (a.date, a.date_precision, a.date_source) == (None, None, None)
    assert neighbour.date == "2023-02-07"


def test_review_year_alone_gives_next_year():
    a = _dated(_art(["回眸2022年，长春经济稳中有进。"]))
    assert (a.date, a.date_precision) == ("2023", "year")
    assert "为已过去的一年" in a.date_source


# --- gold test on the bundled seed corpus ------------------------------------------------

_CJK = r"[\u4e00-\u9fff]"


def _remove_cjk_spaces(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = re.sub(rf"({_CJK})[ \u3000]+({_CJK})", r"\1\2", text)
    return text


def _gold_article(entry: dict) -> Article:
    first = entry["files"][0]
    lines = (CORPUS / first["file"]).read_text(encoding="utf-8").split("\n")
    heads = set(first.get("heading_lines") or [])
    paragraphs: list[str] = []
    byline = None
    for start, end in first["lines"]:
        for no in range(start, end + 1):
            raw = lines[no - 1].strip()
            if not raw or no in heads:
                continue
            raw = raw.lstrip("#").strip()
            found = find_byline_in_line(raw) if byline is None else None
            if found:
                raw, byline = found
            if raw:
                paragraphs.append(_remove_cjk_spaces(raw))
    dateline = None
    if paragraphs:
        split = parse_dateline(paragraphs[0])
        if split:
            dateline, rest, _ = split
            paragraphs[0:1] = [rest] if rest else []
    reporters: list[str] = []
    for text in (dateline, byline):
        parsed = parse_byline(text) if text else None
        if parsed:
            reporters.extend(n for n in parsed.reporters if n not in reporters)
    sources = [Source(f["file"], a, b) for f in entry["files"] for a, b in f["lines"]]
    return Article(
        title=entry["title"] or "",
        paragraphs=paragraphs,
        sources=sources,
        byline=byline,
        dateline=dateline,
        reporters=reporters,
    )


@pytest.fixture(scope="module")
def gold_run():
    if not GOLD.is_file():
        pytest.skip(f"gold annotations not found: {GOLD}")
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    articles = [_gold_article(entry) for entry in gold]
    resolve_paper(articles)
    assign_dates(articles)
    rows = ["id                        date        gold date   | paper  gold   | reporters"]
    for entry, a in zip(gold, articles, strict=True):
        ok_date = "ok" if a.date in [entry["date"], *entry["date_acceptable"]] else "--"
        ok_paper = (
            "ok" if a.paper in [entry["source"], *entry.get("source_acceptable", [])] else "--"
        )
        rows.append(
            f"{entry['id'][:25]:25} {a.date or '-':11} {entry['date'] or '-':11} {ok_date} | "
            f"{a.paper or '-':6} {entry['source'] or '-':6} {ok_paper} | "
            f"{'、'.join(a.reporters) or '-'} / {'、'.join(entry['reporters']) or '-'}"
            f"\n    日期推断自 {a.date_source}；来源 {a.paper_source}"
        )
    return gold, articles, "\n".join(rows)


def _coarser(date: str, acceptable: list[str | None]) -> bool:
    """'2022' for gold '2022-01': less precise, but not a contradiction."""
    return any(d and d.startswith(date + "-") for d in acceptable)


def test_gold_dates(gold_run, capsys):
    gold, articles, table = gold_run
    with capsys.disabled():
        print("\n" + table)
    dated = hits = 0
    wrong = []
    for entry, a in zip(gold, articles, strict=True):
        acceptable = [entry["date"], *entry["date_acceptable"]]
        if entry["date"] is not None:
            dated += 1
            hits += a.date in acceptable
        if a.date is not None and a.date not in acceptable and not _coarser(a.date, acceptable):
            wrong.append((entry["id"], a.date, a.date_source))
    with capsys.disabled():
        print(f"dates: {hits}/{dated} gold-dated articles in date_acceptable")
    assert hits >= 0.9 * dated
    assert wrong == []


def test_gold_papers(gold_run, capsys):
    gold, articles, _ = gold_run
    annotated = [(e, a) for e, a in zip(gold, articles, strict=True) if "source" in e]
    hits = sum(a.paper in [e["source"], *e.get("source_acceptable", [])] for e, a in annotated)
    with capsys.disabled():
        print(f"papers: {hits}/{len(annotated)}")
    assert hits >= 0.95 * len(annotated)


def test_gold_reporters(gold_run, capsys):
    gold, articles, _ = gold_run
    found = {(e["id"], n) for e, a in zip(gold, articles, strict=True) for n in a.reporters}
    expected = {(e["id"], n) for e in gold for n in e["reporters"]}
    tp = len(found & expected)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(expected) if expected else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    with capsys.disabled():
        print(f"reporters: P={precision:.3f} R={recall:.3f} F1={f1:.3f}")
    assert f1 >= 0.95


# --- impossible dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    "dateline, text",
    [
        ("本报2月29日讯", "全省工作会议召开。"),  # dateline: the year comes from the page
        (None, "2023年经济运行平稳。2月29日，全省工作会议召开。"),  # a date in the text
    ],
)
def test_february_29_in_a_year_without_one_is_no_date_and_no_crash(dateline, text):
    odd = _art([text], dateline=dateline, file="p.txt")
    neighbour = _art(
        ["报道。"], dateline="本报3月1日讯", meta=PageMeta(date="2023-03"), file="p.txt"
    )
    assign_dates([odd, neighbour])  # was: ValueError "day is out of range for month"
    assert odd.date != "2023-02-29"
    assert neighbour.date == "2023-03-01"
