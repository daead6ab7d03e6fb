"""Publication dates for articles, with the reason for each one.

Sources, in order of trust:

1. the issue date from the page metadata (``article.meta.date``);
   or from the page's own header (``吉林日报 2022年10月19日 星期三``);
2. the dateline (``本报2月7日讯``) or a lead sentence that opens with a date
   (``1月9日，…开幕``, ``2月7日，记者从…``);
3. other dates in the text (``截至1月29日``, ``1月31日，…告诉记者``);
4. the dates of the other articles on the same page file, at month precision,
   for an article whose own text fixes only the year — unless its title and
   text name other years only (an article about 2018 on a 2023 page).

A date written without a year (the news convention for "this year") takes its
year from the article's *current year*: the year it plans for (``2023年，…将``,
``2022年工作安排``, ``预计2023年``), the year of the event it reports
(``2023年全省科技工作会议``), or the year after the one it reviews as finished
(``回眸2022年``, ``据统计，2022年``). Failing that, the page, then the metadata.
The nearest year mentioned in the text is no evidence (``早在2015年…`` is
background): without evidence a date stays unknown rather than invented.

Not publication dates by themselves: a headline year, programme periods and
ranges (``2021-2025年度``), targets (``到2025年``), background dates with their own
year (``2022年1月，长春市入选…``, CV entries), designated days (``确定7月22日为…``).
An article that supports no date keeps ``date=None``: ``近日`` is not a date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..cache import Memo, key
from ..model import Article
from .people import dateline_head, parse_dateline

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_YEAR_RE = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*年")
_HEADLINE_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")  # 2018冰雪吉林行
_BARE_DATE_RE = re.compile(r"(?<![\d年.])(?<!年\s)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_LEAD_RE = re.compile(
    r"^[\s　“\"]*(?:(?P<y>(?:19|20)\d{2})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"
    r"(?:上午|下午|晚上|晚间|晚|早上|早间|凌晨|中午|傍晚|夜间|清晨|当天|一早)?\s*[，,、\s]"
)
_DATELINE_DATE_RE = re.compile(
    r"(?:(?P<y>(?:19|20)\d{2})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*(?:讯|电)"
)
_CLAUSE_START = set('。；;：:\n！!？?，,、（(“"')
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_STRONG_PLAN_BEFORE = re.compile(r"(?:预计|计划|力争|争取|确保|奋进|展望|迈向|部署|谋划)\s*$")
_PLAN_AFTER = re.compile(r"\s*(?:工作安排|重点工作|工作要点|工作思路|工作打算|工作任务)")
_STRONG_PLAN_IN_SENTENCE = re.compile(
    r"预计|力争|争取|预期目标|总体要求|主要目标|目标是|目标任务|工作安排"
)
_WEAK_PLAN_IN_SENTENCE = re.compile(r"将|拟|要把|要在")
_EVENT_AFTER = re.compile(
    r"[^\s，,。；;、：:“”\"（）()《》]{1,16}?(?:会议|大会|锦标赛|冠军赛|联赛|运动会|博览会|论坛|"
    r"峰会|年会|工作会|展览会|艺术节|文化节|旅游节|冰雪节|比赛|大赛|赛事|选拔赛|全会)"
)
_STRONG_REVIEW_BEFORE = re.compile(r"(?:回眸|回顾|总结|据统计[，,]?|仅|整个|过去的|去年即)\s*$")
_REVIEW_AFTER = re.compile(r"\s*全年")
_NOT_EVENT_BEFORE = re.compile(r"(?:将于|定于|拟于|计划于|预计于|将在|每年|每逢|于每年)\s*$")
_NOT_EVENT_AFTER = re.compile(r"\s*(?:为|前|之前|以前|起|开始施行|正式施行|后将)")
_CUTOFF_BEFORE = re.compile(r"(?:截至|截止到?|截止至)\s*$")


@dataclass
class _YearMention:
    year: int
    start: int
    end: int
    kind: str  # plan, plan_weak, event, review, review_weak, dated, cutoff, range, target, plain
    month: int | None = None
    day: int | None = None
    month_end: bool = False


@dataclass
class _Found:
    """A date candidate from the article's own text."""

    month: int | None
    day: int | None
    year: int | None  # explicit year, if written
    how: str  # "电头“本报2月7日讯”"
    pos: int = -1  # position in the analysed text, for "nearest year"


@dataclass
class _Analysis:
    text: str  # emptied once analysed: ``snippets`` keeps what later steps quote
    meta_date: str | None
    meta_how: str = "元数据（版面日期）"  # where meta_date came from
    mentioned: frozenset[int] = frozenset()  # every year the title and text name
    dateline: _Found | None = None
    lead: _Found | None = None
    text_dates: list[_Found] = field(default_factory=list)
    years: list[_YearMention] = field(default_factory=list)
    current_year: int | None = None
    current_year_how: str | None = None
    lower_bound: tuple[int, int] | None = None  # (year, month) the date cannot precede
    snippets: dict[int, str] = field(default_factory=dict)  # year mention start → its clause


@dataclass
class _Result:
    date: str | None = None
    precision: str | None = None
    source: str | None = None
    own: bool = False  # from the article's own evidence (usable as page context)


# --- text analysis ---------------------------------------------------------------------


def _snippet(text: str, start: int, limit: int = 16) -> str:
    """Text from ``start`` to the end of its clause, at most ``limit`` characters."""
    rest = text[start:]
    m = re.search(r"[，,。；;：:\n]", rest)
    clause = rest[: m.start()] if m else rest
    return clause if len(clause) <= limit else clause[:limit] + "…"


def _clause_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t\u3000")
    if not before:
        return True
    if before[-1] in _CLAUSE_START:
        return True
    return bool(re.search(r"(?:^|\n)[一二三四五六七八九十]+、$", before))


def _sentence_after(text: str, pos: int, limit: int = 60) -> str:
    rest = text[pos : pos + limit]
    m = _SENTENCE_END.search(rest)
    return rest[: m.start()] if m else rest


def _classify_years(text: str) -> list[_YearMention]:
    mentions = []
    for m in _YEAR_RE.finditer(text):
        year = int(m.group(1))
        start, end = m.span()
        before = text[max(0, start - 12) : start]
        after = text[end : end + 40]
        mention = _YearMention(year, start, end, "plain")
        month = re.match(r"\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?(\s*(?:末|底|份?末))?", after)
        if month and 1 <= int(month.group(1)) <= 12:
            mention.month = int(month.group(1))
            mention.day = int(month.group(2)) if month.group(2) else None
            mention.month_end = bool(month.group(3))
            mention.kind = "cutoff" if _CUTOFF_BEFORE.search(before) else "dated"
        elif re.match(r"\s*度", after):
            mention.kind = "range"  # 2021-2025年度, 2022年度: a programme period
        elif re.search(r"(?:19|20)\d{2}\s*年?\s*[-—–~～至到]\s*$", before) or re.match(
            r"\s*[-—–~～]\s*(?:19|20)\d{2}|\s*至\s*(?:19|20)\d{2}\s*年", after
        ):
            mention.kind = "range"
        elif re.search(r"(?:到|至)\s*$", before):
            mention.kind = "target"  # 到2025年
        elif _CUTOFF_BEFORE.search(before):
            mention.kind = "cutoff"
        elif _STRONG_PLAN_BEFORE.search(before) or _PLAN_AFTER.match(after):
            mention.kind = "plan"
        elif _STRONG_REVIEW_BEFORE.search(before) or _REVIEW_AFTER.match(after):
            mention.kind = "review"
        elif _clause_start(text, start) and re.match(r"\s*(?:[，,]|将)", after):
            sentence = _sentence_after(text, end)
            if _STRONG_PLAN_IN_SENTENCE.search(sentence):
                mention.kind = "plan"
            elif _WEAK_PLAN_IN_SENTENCE.search(sentence):
                mention.kind = "plan_weak"
            else:
                mention.kind = "review_weak"  # "2022年，全省…": a summary of that year
        elif _clause_start(text, start) and _STRONG_PLAN_IN_SENTENCE.match(
            _sentence_after(text, end).lstrip("全省市州的 ")
        ):
            mention.kind = "plan"  # 2022年全省经济社会发展的主要预期目标是
        elif _EVENT_AFTER.match(after):
            mention.kind = "event"  # 2023年全省科技工作会议, 2023年全国射击冠军赛
        mentions.append(mention)
    return mentions


def _current_year(analysis: _Analysis, lead_limit: int) -> tuple[int | None, str | None]:
    text, years = analysis.text, analysis.years

    def ctx(mention: _YearMention) -> str:
        return _snippet(text, mention.start)

    by_kind: dict[str, list[_YearMention]] = {}
    for mention in years:
        by_kind.setdefault(mention.kind, []).append(mention)
    reviewed: dict[int, _YearMention] = {}
    for mention in by_kind.get("review", []):
        reviewed.setdefault(mention.year, mention)
    weak_counts: dict[int, list[_YearMention]] = {}
    for mention in by_kind.get("review_weak", []):
        weak_counts.setdefault(mention.year, []).append(mention)
    for year, mentions in weak_counts.items():
        if len(mentions) >= 2:
            reviewed.setdefault(year, mentions[0])

    plans = by_kind.get("plan", [])
    if plans:
        first = min(plans, key=lambda m: (m.year, m.start))
        return first.year, f"正文“{ctx(first)}”（部署当年工作）"
    weak = by_kind.get("plan_weak", [])
    if weak:
        first = min(weak, key=lambda m: (m.year, m.start))
        if not (reviewed and max(reviewed) >= first.year):
            return first.year, f"正文“{ctx(first)}”（部署当年工作）"
    events = [m for m in by_kind.get("event", []) if m.start < lead_limit]
    if events:
        first = min(events, key=lambda m: m.start)
        return first.year, f"正文“{ctx(first)}”"
    if reviewed:
        year = max(reviewed)
        return year + 1, f"正文回顾“{ctx(reviewed[year])}”为已过去的一年"
    cutoffs = by_kind.get("cutoff", [])
    if cutoffs:
        last = max(cutoffs, key=lambda m: (m.year, m.month or 0))
        if not (last.month == 12 and last.month_end):
            return last.year, f"正文“{ctx(last)}”"
    return None, None


def _valid(year: int | None, month: int, day: int | None) -> bool:
    try:
        dt.date(year or 2000, month, day or 1)
    except ValueError:
        return False
    return True


def _analyse(article: Article) -> _Analysis:
    paragraphs = [p for p in article.paragraphs if p and p.strip()]
    dateline_text = article.dateline
    if not dateline_text and paragraphs:
        found = parse_dateline(paragraphs[0])
        if found:
            dateline_text, rest, _ = found
            paragraphs = [rest, *paragraphs[1:]] if rest.strip() else paragraphs[1:]
    if not dateline_text and article.byline and parse_dateline(article.byline):
        dateline_text = article.byline
    text = "\n".join(paragraphs).translate(_FULLWIDTH_DIGITS)
    if dateline_text:
        dateline_text = dateline_text.translate(_FULLWIDTH_DIGITS)
    analysis = _Analysis(text=text, meta_date=article.meta.date)
    if "date" in article.meta.header_fields:
        analysis.meta_how = f"版头（{article.meta.header}）"
    analysis.years = _classify_years(text)
    headline = " ".join(t for t in (article.kicker, article.title, article.subtitle) if t)
    analysis.mentioned = frozenset(m.year for m in analysis.years) | frozenset(
        int(y) for y in _HEADLINE_YEAR_RE.findall(headline.translate(_FULLWIDTH_DIGITS))
    )

    if dateline_text:
        m = _DATELINE_DATE_RE.search(dateline_text)
        if m and _valid(int(m.group("y") or 2000), int(m.group("m")), int(m.group("d"))):
            head = dateline_head(dateline_text) or dateline_text[: m.end()]
            analysis.dateline = _Found(
                int(m.group("m")),
                int(m.group("d")),
                int(m.group("y")) if m.group("y") else None,
                f"电头“{head}”",
                0,
            )

    # Lead sentence: one of the first three paragraphs opens with a date.
    pos = 0
    lead_limit = 0
    for index, paragraph in enumerate(paragraphs):
        if index < 3:
            lead_limit = pos + len(paragraph)
            m = _LEAD_RE.match(paragraph)
            if m and analysis.lead is None and _valid(None, int(m.group("m")), int(m.group("d"))):
                year = int(m.group("y")) if m.group("y") else None
                start = pos + m.start("y" if year else "m")
                analysis.lead = _Found(
                    int(m.group("m")),
                    int(m.group("d")),
                    year,
                    f"正文“{_snippet(text, start, 10)}，{_snippet(text, pos + m.end(), 12)}”",
                    start,
                )
        pos += len(paragraph) + 1
    analysis.current_year, analysis.current_year_how = _current_year(analysis, lead_limit)

    # Dates written without a year, in the current year by news convention.
    for m in _BARE_DATE_RE.finditer(text):
        month, day = int(m.group(1)), int(m.group(2))
        if not _valid(None, month, day):
            continue
        before = text[max(0, m.start() - 6) : m.start()]
        after = text[m.end() : m.end() + 6]
        if _NOT_EVENT_BEFORE.search(before) or _NOT_EVENT_AFTER.match(after):
            continue
        cutoff = "截至" if _CUTOFF_BEFORE.search(before) else ""
        follow = m.end() + len(after) - len(after.lstrip("，,、 "))
        snippet = f"{cutoff}{text[m.start() : follow]}{_snippet(text, follow, 12)}".rstrip("，, ")
        analysis.text_dates.append(_Found(month, day, None, f"正文“{snippet}”", m.start()))
    for mention in analysis.years:
        if mention.kind == "cutoff" and mention.month:
            bound = (mention.year, mention.month)
            if analysis.lower_bound is None or bound > analysis.lower_bound:
                analysis.lower_bound = bound
            if mention.day:  # 截至2023年1月29日: the data date, like 截至1月29日
                analysis.text_dates.append(
                    _Found(
                        mention.month,
                        mention.day,
                        mention.year,
                        f"正文“截至{_snippet(text, mention.start, 14)}”",
                        mention.start,
                    )
                )
    analysis.snippets = {m.start: _snippet(text, m.start) for m in analysis.years}
    analysis.text = ""  # not kept in the cache: 1,500 characters an article
    return analysis


# --- resolution --------------------------------------------------------------------


def _iso(year: int, month: int | None = None, day: int | None = None) -> str:
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def _precision(iso: str) -> str:
    return {1: "year", 2: "month", 3: "day"}[len(iso.split("-"))]


def _parse_iso(iso: str) -> tuple[int, int | None, int | None]:
    parts = [int(p) for p in iso.split("-")]
    return parts[0], (parts[1] if len(parts) > 1 else None), (parts[2] if len(parts) > 2 else None)


def _year_for(
    found: _Found,
    analysis: _Analysis,
    page: str | None,
    meta_year: int | None,
) -> tuple[int | None, str]:
    """The year of a month-day date, and how it was found ('' if written)."""
    if found.year:
        return found.year, ""
    if analysis.current_year:
        return analysis.current_year, f"，年份据{analysis.current_year_how}"
    if page:
        page_year, page_month, page_day = _parse_iso(page)
        if analysis.mentioned and not analysis.mentioned & {page_year, page_year - 1}:
            return None, ""  # the article speaks of other years only: not the page's
        year = page_year
        neighbour = dt.date(page_year, page_month or 12, page_day or 28)
        own = (year, found.month or 1, found.day or 1)
        if _valid(*own) and dt.date(*own) > neighbour + dt.timedelta(days=60):
            year -= 1  # "12月30日" next to a January page is last December
        what = "日期" if page_month else "年份"
        return year, f"，年份据同版稿件{what}（{page}）"
    if meta_year:
        return meta_year, "，年份据元数据"
    return None, ""


def _own_result(
    analysis: _Analysis, page: str | None, meta_year: int | None
) -> tuple[_Result | None, bool]:
    """Date from the article's own text. Second value: it would use the page."""
    needs_page = False
    for found in (analysis.dateline, analysis.lead):
        if found is None:
            continue
        if found is analysis.lead and found.year and analysis.current_year:
            if found.year != analysis.current_year:
                continue  # "2022年7月12日，…" opening a 2023 review: background
        year, how = _year_for(found, analysis, page, meta_year)
        if year is None:
            needs_page = True
            continue
        if not _valid(year, found.month, found.day):
            continue  # 2月29日 in a year without one: not a date to trust
        iso = _iso(year, found.month, found.day)
        return _Result(iso, "day", found.how + how, True), False
    if analysis.text_dates:
        cy = analysis.current_year
        dated: list[tuple[dt.date, _Found, str]] = []
        months = {f.month for f in analysis.text_dates if not f.year}
        wraps = any(m and m <= 3 for m in months) and any(m and m >= 10 for m in months)
        for found in analysis.text_dates:
            year, how = _year_for(found, analysis, page, meta_year)
            if year is None:
                needs_page = True
                continue
            if wraps and not found.year and found.month and found.month >= 10:
                year -= 1  # December dates in a January article
            if (cy and year > cy) or not _valid(year, found.month or 1, found.day or 1):
                continue
            dated.append((dt.date(year, found.month or 1, found.day or 1), found, how))
        if dated:
            when, found, how = max(dated, key=lambda item: item[0])
            iso = _iso(when.year, when.month, when.day)
            return _Result(iso, "day", found.how + how, True), False
    if analysis.current_year:
        return None, True  # the year is known; the month may come from the page
    return None, needs_page


def _resolve(analysis: _Analysis, page: str | None) -> tuple[_Result, bool]:
    """(result, wants_page): wants_page when page context could still add to it."""
    meta, meta_how = analysis.meta_date, analysis.meta_how
    meta_year = int(meta[:4]) if meta and meta[:4].isdigit() else None
    own, needs_page = _own_result(analysis, page, meta_year)
    if meta:
        if own and own.date and own.date.startswith(meta) and len(own.date) > len(meta):
            source = own.source + f"（与{meta_how}一致）"
            return _Result(own.date, own.precision, source, True), False
        return _Result(meta, _precision(meta), meta_how, True), False
    if own:
        return own, False
    cy = analysis.current_year
    if cy and page:
        page_year, page_month, _ = _parse_iso(page)
        bound = analysis.lower_bound
        if page_year == cy and page_month and (bound is None or (cy, page_month) >= bound):
            how = f"同版稿件日期（{page}），年份据{analysis.current_year_how}"
            return _Result(_iso(cy, page_month), "month", how, False), False
    if cy:
        return _Result(_iso(cy), "year", analysis.current_year_how, False), needs_page
    return _Result(), needs_page


def _files(article: Article) -> list[str]:
    return list(dict.fromkeys(source.file for source in article.sources))


def _page_context(
    index: int,
    articles: list[Article],
    analyses: list[_Analysis],
    results: list[_Result],
    by_file: dict[str, list[int]],
) -> str | None:
    """Latest own date of the other articles on the page, else their agreed year."""
    neighbours = []
    years: set[int] = set()
    for file in _files(articles[index]):
        for other in by_file.get(file, []):
            if other == index:
                continue
            if analyses[other].current_year:
                years.add(analyses[other].current_year)
            result = results[other]
            if result.own and result.date and result.precision in ("day", "month"):
                neighbours.append(result.date)
    if neighbours:
        return max(neighbours, key=lambda iso: tuple(p or 0 for p in _parse_iso(iso)))
    if len(years) == 1:
        return _iso(years.pop())
    return None


def assign_dates(articles: list[Article], memo: Memo | None = None) -> None:
    """Set ``date``, ``date_precision`` and ``date_source`` on every article.

    ``date_source`` is the Chinese explanation shown as 日期推断自…. An article
    whose text supports no date keeps ``date=None`` (and ``date_source=None``).
    ``memo`` keeps each article's own date evidence by a hash of the article.
    """
    if memo is None:
        analyses = [_analyse(article) for article in articles]
    else:
        analyses = [
            memo.get(key("dates", a), lambda: _analyse(a))  # noqa: B023
            for a in articles
        ]
    results: list[_Result] = []
    pending: list[int] = []
    for index, analysis in enumerate(analyses):
        result, wants_page = _resolve(analysis, None)
        results.append(result)
        if wants_page:
            pending.append(index)

    # Page context: the latest own date (day or month precision) of the other
    # articles on the same page file.
    by_file: dict[str, list[int]] = {}
    for index, article in enumerate(articles):
        for file in _files(article):
            by_file.setdefault(file, []).append(index)
    # Failing those, the one current year their texts agree on (2023年… on the page).
    # Two rounds, each reading only the previous round's results, so the outcome
    # does not depend on the order of the articles.
    for _round in range(2):
        before = list(results)
        for index in pending:
            page = _page_context(index, articles, analyses, before, by_file)
            if page:
                results[index] = _resolve(analyses[index], page)[0]

    for article, result in zip(articles, results, strict=True):
        article.date = result.date
        article.date_precision = result.precision if result.date else None
        article.date_source = result.source if result.date else None
