"""``python -m generator check``: a quality table, one row per article;
``check --explain FILE``: every boundary decision on one raw page."""

from __future__ import annotations

import unicodedata

from . import clean, split
from .model import Article, PageMeta, Problem
from .patterns import han_count

SHORT_CHARS = 40
LONG_CHARS = 8000
SUSPECT = set("\ufffd\u25a1\u25a0\ufffc")  # replacement, empty boxes


def _suspect(ch: str) -> bool:
    """Replacement marks, empty boxes, private-use and control characters."""
    return ch in SUSPECT or (unicodedata.category(ch) in ("Co", "Cc") and ch != "\n")


def warnings_for(a: Article) -> list[str]:
    """Quality warnings for one article (also shown on its page)."""
    found = list(a.warnings)
    chars = han_count(a.text)
    if not a.byline and not a.dateline and a.kind not in ("report_part",):
        found.append("无署名")
    if a.missing_start:
        found.append("缺开头")
    if a.missing_end:
        found.append("缺结尾")
    if any(_suspect(ch) for ch in a.text):
        found.append("可疑字符")
    if chars < SHORT_CHARS and a.kind != "photo":
        found.append("过短")
    if chars > LONG_CHARS:
        found.append("过长")
    return found


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(text: str, width: int) -> str:
    out = ""
    for ch in text:
        if _width(out + ch) > width - 1:
            out += "…"
            break
        out += ch
    return out + " " * (width - _width(out))


def report(articles: list[Article], problems: list[Problem]) -> str:
    """The table with totals, plus input problems."""
    head = _cell("id", 20) + _cell("标题", 34) + _cell("类型", 12)
    head += f"{'字数':>6}  {'来源':>4}  {'可信度':>6}  警告"
    lines = [head, "-" * 110]
    totals = {"articles": 0, "chars": 0, "merged": 0, "incomplete": 0, "with warnings": 0}
    for a in articles:
        warns = warnings_for(a)
        chars = han_count(a.text)
        lines.append(
            f"{_cell(a.id, 20)}{_cell(a.title, 34)}{_cell(a.kind, 12)}{chars:>6}  "
            f"{len(a.sources):>4}  {a.confidence:>6.2f}  {'、'.join(warns)}"
        )
        totals["articles"] += 1
        totals["chars"] += chars
        totals["merged"] += len(a.merged_from) > 1
        totals["incomplete"] += not a.complete
        totals["with warnings"] += bool(warns)
    lines.append("-" * 110)
    lines.append("totals: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    if problems:
        lines.append("")
        lines.append(f"input problems ({len(problems)}):")
        lines.extend(f"  {p}" for p in problems)
    return "\n".join(lines) + "\n"


def explain(name: str, data: bytes, meta: PageMeta | None = None) -> str:
    """Why one raw page was cut where it was: its furniture, then every
    headline-like line with the decision and the evidence that carried it,
    then the articles that came out (before merging with other pages)."""
    from .read import read_page_bytes

    page, problems = read_page_bytes(name, data, meta)
    lines = [f"{name}:"]
    lines += [f"  {p}" for p in problems]
    if page is None:
        return "\n".join(lines) + "\n"
    page = clean.clean_page(page)
    decisions, info = split.explain_page(page)
    facts = [
        f"{label} {value}"
        for label, value in (
            ("报纸", info.paper),
            ("版次", info.page),
            ("版面", info.section),
            ("日期", info.date),
            ("编辑", "、".join(info.editors)),
        )
        if value
    ]
    lines.append("版面信息：" + ("；".join(facts) if facts else "无"))
    lines.append(f"标题判断（{split.NEW_ARTICLE_AT:g}分及以上为新文章）：")
    lines += [f"  {d.explain()}" for d in sorted(decisions, key=lambda d: d.no)]
    articles = split.split_page(page)
    lines.append(f"切分结果：{len(articles)}篇")
    for a in articles:
        where = f"第{a.sources[0].first_line}–{a.sources[0].last_line}行"
        lines.append(f"  {where} {a.kind} “{a.title}”" + (f" {a.byline}" if a.byline else ""))
    return "\n".join(lines) + "\n"
