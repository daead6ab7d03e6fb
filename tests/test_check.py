"""The quality report: one row per article, warnings, totals."""

from __future__ import annotations

from generator.check import report, warnings_for
from generator.model import Article, Problem, Source


def make(**kw) -> Article:
    base = dict(
        title="标题",
        paragraphs=["正文" * 30 + "。"],
        sources=[Source("a.txt", 1, 3)],
        byline="吉林日报记者 张三",
    )
    base.update(kw)
    return Article(**base)


def test_warnings_name_each_problem() -> None:
    assert warnings_for(make()) == []
    assert "无署名" in warnings_for(make(byline=None))
    assert "缺开头" in warnings_for(make(missing_start=True))
    assert "缺结尾" in warnings_for(make(missing_end=True))
    assert "可疑字符" in warnings_for(make(paragraphs=["正文\ufffd乱码。" * 10]))
    assert "过短" in warnings_for(make(paragraphs=["短。"]))
    assert "过长" in warnings_for(make(paragraphs=["长" * 9000]))
    assert "可疑字符" not in warnings_for(make(paragraphs=["第一段。", "第二段。"] * 20))


def test_report_on_the_bundled_corpus(archive) -> None:
    text = report(archive.articles, [Problem("warning", "x.txt", "empty file")])
    rows = [line for line in text.splitlines() if line[:8].isdigit() or line.startswith("nd-")]
    assert len(rows) == len(archive.articles) == 20
    assert "totals: articles 20" in text and "merged 3" in text
    assert "warning: x.txt: empty file" in text
    assert any("缺开头" in r and "缺结尾" in r for r in rows)  # the 2022 report page
