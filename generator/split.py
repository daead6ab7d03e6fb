"""Split stage: cut cleaned pages into article fragments.

Pure functions. A page is read as a sequence of items (headline, prose,
byline, photo credit, page furniture). Furniture (page headers, dated weekday
lines, section names, page numbers; ``furniture.py``) becomes page metadata,
never text. Then, for every headline while an article is open:

* sure cues decide alone: a closing byline or photo credit, ``(下转第三版)``,
  a dateline (``本报2月7日讯``), byline or ``(上接第一版)`` under the headline,
  a sidebar head (``……简历``), a short title inside a briefs column;
* otherwise the evidence is weighed (``WEIGHTS``: subtitle, banner, picture
  gap, Markdown level, numbering, form, news lead, the article having only its
  lead, parallel heads, the change of subject) and the headline opens a new
  article from ``NEW_ARTICLE_AT`` on, else it is a section head.

A photo credit (``本报记者 潘硕 摄``) closes only its caption. Every decision is
a ``Decision`` with its evidence: ``explain_page`` returns them (``check
--explain``) and each article's ``notes`` hold its own, for its page.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from .clean import join_broken
from .furniture import PageInfo, is_section_name, layout, parse_header, section_info
from .model import Article, Correction, PageMeta, RawPage, Source
from .patterns import (
    BANNER_RE,
    BYLINE_ROLE_RE,
    BYLINE_TAIL_RE,
    COLON_BYLINE_RE,
    DATELINE_RE,
    GLUED_CREDIT_RE,
    HAN,
    JUMP_FROM_RE,
    JUMP_TO_RE,
    MD_HEADING_RE,
    PHOTO_CREDIT_RE,
    SITE_LEAD_RE,
    SOURCE_CREDIT_RE,
    TEAM_BYLINE_RE,
    TERMINAL_RE,
    han_count,
    is_prose,
)

MAX_HEADING_CHARS = 48
BRIEF_CHARS = 300
CAPTION_CHARS = 300  # a caption under a picture is a few sentences
SIDEBAR_RE = re.compile(r"(?:简历|小传|名片|简介|相关链接|链接|背景资料|资料)$")
REPORT_RE = re.compile(r"(?:报告|公报|纲要|决定|决议|规划)$")
# The opening of a news story: its date, or 近日 / 日前.
NEWS_LEAD_RE = re.compile(
    r"^(?:(?:(?:\d{4}年)?\d{1,2}月)?\d{1,2}日(?:上午|下午|中午|晚上|晚间|晚|凌晨|清晨|早上|一早)?"
    r"|近日|日前)[，,]"
)


@dataclass
class Item:
    """One non-empty line of a page, classified."""

    no: int
    kind: str  # heading, prose, byline, credit, banner, furniture
    text: str
    level: int = 0  # markdown heading level; 0 for a plain-text headline
    gap: int = 0  # empty lines before it
    header: PageInfo | None = None  # what a furniture line says about the page


@dataclass
class Draft:
    """An article being assembled by the splitter."""

    headings: list[Item] = field(default_factory=list)
    paragraphs: list[Item] = field(default_factory=list)
    section_heads: set[int] = field(default_factory=set)  # indexes into paragraphs
    byline: Item | None = None
    top_byline: Item | None = None
    dateline: str | None = None
    continued_from: str | None = None
    continued_to: str | None = None
    closed: bool = False
    kind: str | None = None
    notes: list[str] = field(default_factory=list)
    extra_nos: list[int] = field(default_factory=list)  # lines merged into another item
    after_gap: bool = False  # opened below an empty stretch (a picture's place)
    head_blocks: list[list[Item]] = field(default_factory=list)  # its section heads

    def items(self) -> list[Item]:
        found = self.headings + self.paragraphs
        found += [b for b in (self.byline, self.top_byline) if b]
        return found

    def title_level(self) -> int:
        """Markdown level of the article's own headline (0: plain text)."""
        levels = [h.level for h in self.headings if h.kind == "heading" and h.level]
        return max(levels) if levels else 0


@dataclass
class Decision:
    """Why a headline-like line opened an article, or did not."""

    no: int
    text: str
    verdict: str  # "new", "section", "furniture", "banner"
    score: float | None = None  # None: decided by a rule that needs no weighing
    evidence: list[tuple[str, float]] = field(default_factory=list)

    def explain(self) -> str:
        """One line: the line, the decision and the evidence that carried it."""
        label = VERDICTS[self.verdict]
        why = "；".join(
            f"{text}（{weight:+g}）" if weight else text for text, weight in self.evidence
        )
        score = "" if self.score is None else f" 得分{self.score:+g}"
        return f"第{self.no}行“{self.text}”：{label}{score}。{why}"


VERDICTS = {"new": "新文章", "section": "小标题", "furniture": "版面信息", "banner": "栏目"}

# Evidence for "this headline opens a new article" (positive) or "this is a
# section head of the open article" (negative). A headline opens an article
# when the sum reaches NEW_ARTICLE_AT.
WEIGHTS: dict[str, float] = {
    "dash_subtitle": 3.0,  # a ——subtitle line follows the headline: a title block
    "banner": 3.0,  # a column banner (【…】, 简讯) stands above it
    "column_tag": 2.0,  # the headline opens with a column tag: 【晒家乡】…
    "picture_gap": 2.0,  # below an empty stretch, where a picture stood
    "place_kicker": 1.0,  # opens with a place and a colon (安图：…): a regional story
    "colon_theme": -1.0,  # a theme and a colon (群众的获得感：…): a long article's section
    "quoted": -1.0,  # a quotation as the whole head (“令人惊叹的…”): a feature's section
    "md_deeper": -3.0,  # a subhead level (### or deeper) below the article's title
    "md_below": -1.0,  # ## under a # title: dumps mix the two levels for titles
    "md_same": 1.0,  # the same (or a higher) Markdown level as the article's title
    "numbered": -3.0,  # 一、 （二） 第三 关键词： …: a numbered section
    "run_in": -2.0,  # ends in a dash (加快推动经济恢复——): it leads into its text
    "news_lead": 1.5,  # the text below opens like a news story (2月7日，/ 近日，)
    "long_title": 1.0,  # a long headline, or one of two clauses: a title's form
    "short_head": -1.0,  # a few characters: a section head's form
    "open_sentence": -1.0,  # the paragraph above breaks off mid-sentence
    "lead_only": -1.5,  # the article has only its lead so far: it goes on
    "after_answers": 1.0,  # a Q&A interview ended with an answer; its heads are questions
    "same_form": -1.5,  # shaped like a section head the article already has
    "subject_new": 1.0,  # the text below shares almost nothing with the article
    "subject_same": -1.0,  # the text below goes on with the article's subject
}
NEW_ARTICLE_AT = 1.5
SUBJECT_NEW, SUBJECT_SAME = 0.025, 0.045
SUBJECT_CONTEXT = 6  # paragraphs of the open article compared with the text below
LEAD_ONLY_CHARS = 200
NUMBERED_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．]\D"
    r"|第[一二三四五六七八九十]+[，、,：:\s]|[一二三四五六七八九十]是|其[一二三四五六七八九十][，、：:]"
    r"|关键词[：:]|之[一二三四五六七八九十])"
)
DASH_SUBTITLE_RE = re.compile(r"^(?:——|—|--|－－|-)\S")
BRACKET_BANNER_RE = re.compile(r"^[【\[［〔].{2,30}[】\]］〕]$")
COLUMN_TAG_RE = re.compile(r"^[【［〔].{2,20}[】］〕]\S")
# An answer in a Q&A interview: 答：… / 张炜：… (a name and a colon opening the paragraph).
ANSWER_RE = re.compile(f"^(?:答|[{HAN}]{{2,4}})[：:]")
PLACE_KICKER_RE = re.compile(f"^([{HAN}]{{2,12}})[：:]\\S")
# A bracketed note ending an article: （完）, a reader's credit （延吉市 李军广家庭）.
CLOSING_NOTE_RE = re.compile(
    r"^[（(](?:完|[^（）()，。；！？,;!?]{2,18}\s[^（）()，。；！？,;!?]{2,8})[)）]$"
)
_CLAUSES_RE = re.compile(r"\S\s+\S|[|丨｜]")  # two clauses: 看花海如潮 享愉悦体验
QUOTED_RE = re.compile(r"^[“\"「『][^“”\"「」『』]+[”\"」』]$")
_VILLAGE_SUFFIXES = ("镇", "乡", "村", "屯")  # places below the gazetteer's counties


def _is_place(text: str) -> bool:
    """A place name: in the gazetteer (省, 市, 县, 区 …), or a town or village
    (…镇, …村) named after one or on its own (吉林省吉林市夹信子村)."""
    from .enrich.places import is_place_name

    return is_place_name(text) or (text.endswith(_VILLAGE_SUFFIXES) and len(text) >= 3)


def classify(page: RawPage) -> list[Item]:
    """Turn page lines into classified items, remembering blank-line gaps."""
    items: list[Item] = []
    gap = 0
    for line in page.lines:
        text = line.text.strip()
        if not text:
            gap += 1
            continue
        md = MD_HEADING_RE.match(text)
        header = parse_header(text)
        if header is not None:
            items.append(Item(line.no, "furniture", text, gap=gap, header=header))
        elif _banner_kind(text):  # 本报简讯 reads like a dateline: the column's name first
            items.append(Item(line.no, "heading", text, 0, gap))
        elif md:
            items.append(
                Item(line.no, "heading", md.group("text").strip(), len(md.group("hashes")), gap)
            )
        elif ("摄" in text or "供图" in text) and PHOTO_CREDIT_RE.match(text):  # …摄, …供图
            items.append(Item(line.no, "credit", text, gap=gap))
        elif _is_byline(text) or (len(text) <= 24 and SOURCE_CREDIT_RE.match(text)):
            items.append(Item(line.no, "byline", text, gap=gap))  # a source line closes too
        elif _is_plain_heading(text):
            items.append(Item(line.no, "heading", text, 0, gap))
        elif ("摄" in text[-3:] or "图" in text[-2:]) and (glued := GLUED_CREDIT_RE.search(text)):
            # A caption with its credit on the same line: the credit closes it.
            items.append(Item(line.no, "prose", text[: glued.start()].rstrip(), gap=gap))
            items.append(Item(line.no, "credit", glued.group("credit")))
        else:
            items.append(Item(line.no, "prose", text, gap=gap))
        gap = 0
    items = [i for i in items if i.text]
    for k, item in enumerate(items[:-1]):
        if item.kind == "prose" and _titles_next(item.text, items[k + 1 : k + 3]):
            items[k] = replace(item, kind="heading")
    for k, item in enumerate(items):
        nxt = items[k + 1] if k + 1 < len(items) else None
        if (
            item.kind in ("heading", "prose")
            and not item.level
            and CLOSING_NOTE_RE.match(item.text)
            and (nxt is None or nxt.kind in ("heading", "furniture"))
        ):
            items[k] = replace(item, kind="byline")  # （完） / （延吉市 李军广家庭）: it closes
    return items


def _titles_next(text: str, below: list[Item]) -> bool:
    """A short line with a question or exclamation mark (怎么干？——…答记者问) is a
    headline when a dateline stands right under it, or a byline with the body
    under that (a closing byline has no body under it: a question ending an
    article stays its last paragraph)."""
    if len(text) > MAX_HEADING_CHARS or re.search("[。；;]|[：:，,]$", text):
        return False
    if not re.search("[？?！!]", text):
        return False
    nxt = below[0]
    if nxt.kind == "prose":
        return dateline_match(nxt.text) is not None
    return nxt.kind == "byline" and len(below) > 1 and below[1].kind == "prose"


def _is_byline(text: str) -> bool:
    """A line that is a byline and nothing else."""
    if TEAM_BYLINE_RE.fullmatch(text):  # 光明日报调研组
        return True
    if not BYLINE_ROLE_RE.search(text):  # the cheap test first
        return False
    if COLON_BYLINE_RE.fullmatch(text):  # 记者：周万鹏
        return True
    m = BYLINE_TAIL_RE.fullmatch(text)
    return m is not None and m.start("byline") == 0


def jump_to_match(text: str) -> re.Match[str] | None:
    """``JUMP_TO_RE`` searched only in a line holding 下转 (the marker's own word)."""
    return JUMP_TO_RE.search(text) if "下转" in text else None


_DATELINE_SURE_RE = re.compile(
    r"^(?:据)?(?:本报|新华社|中新社)|\d{1,2}月\d{1,2}日|[（(]|(?:日报|晚报|早报|商报|时报|通讯社|电视台|客户端)"
)


def dateline_match(text: str) -> re.Match[str] | None:
    """``DATELINE_RE`` where it really is a dateline.

    The pattern lets any 2-8 characters ending in 社, 台, 网 or 报 stand for a
    paper, so '我省全社会用电量增长' would open with the dateline '我省全社会用电'.
    A dateline names 本报 or a news agency, a date, the reporters in brackets,
    or a paper's full name. A news site's lead (``国际在线吉林频道消息（姜彦艳）：``)
    counts when it names its reporter in brackets.
    """
    m = DATELINE_RE.match(text)
    if m and _DATELINE_SURE_RE.search(m.group("dateline")):
        return m
    return SITE_LEAD_RE.match(text)


def _is_plain_heading(text: str) -> bool:
    if JUMP_FROM_RE.match(text) or jump_to_match(text) or dateline_match(text):
        return False
    return not is_prose(text) and len(text) <= MAX_HEADING_CHARS and han_count(text) >= 2


def split_page(page: RawPage) -> list[Article]:
    """Split one cleaned page into article fragments, in page order."""
    drafts, _, info = _split(page)
    meta = page_meta(page.meta, info)
    return [_to_article(page, d, meta) for d in drafts if d.paragraphs or d.headings]


def explain_page(page: RawPage) -> tuple[list[Decision], PageInfo]:
    """Every headline-like line's decision with its evidence, and the page's furniture."""
    _, decisions, info = _split(page)
    return decisions, info


def page_meta(meta: PageMeta, info: PageInfo) -> PageMeta:
    """The sidecar metadata, completed by what the page's furniture says.

    The sidecar wins where both speak; ``header_fields`` names what came from
    the furniture, so later stages can say where a date or paper came from.
    """
    taken = []
    values = {}
    for name, value in (("paper", info.paper), ("date", info.date), ("page", info.page)):
        if value and not getattr(meta, name):
            values[name] = value
            taken.append(name)
    if not info.lines:
        return meta
    return replace(
        meta,
        **values,
        header=" / ".join(info.lines),
        section=info.section,
        editors=tuple(info.editors),
        header_fields=tuple(taken),
    )


def _split(page: RawPage) -> tuple[list[Draft], list[Decision], PageInfo]:
    items = classify(page)
    decisions: list[Decision] = []
    info = PageInfo()
    items = _take_furniture(items, info, decisions)
    subjects = _Subjects(items)
    drafts: list[Draft] = []
    current: Draft | None = None
    banners: list[Item] = []  # column banners waiting for their article
    briefs = False  # inside a briefs column
    i = 0
    while i < len(items):
        item = items[i]
        if item.kind == "prose" and briefs and _brief_title(items, i):
            item = items[i] = replace(item, kind="heading")
        if item.kind == "heading":
            j = i
            while j < len(items) and items[j].kind == "heading":
                j += 1
            block, after = items[i:j], items[j] if j < len(items) else None
            notes: list[str] = []
            if not drafts and current is None and _is_page_header(block):
                block[0] = replace(block[0], kind="banner")
                notes.append(f"第{block[0].no}行（{block[0].text}）为版头")
                decisions.append(Decision(block[0].no, block[0].text, "banner"))
            for k, h in enumerate(block):
                if h.kind == "heading" and _is_banner(h, block[k + 1 :], after):
                    block[k] = replace(h, kind="banner")
            if all(h.kind == "banner" for h in block):
                # A banner stands above articles: what was open has ended.
                briefs = any(_banner_kind(h.text) == "briefs" for h in block)
                for h in block:
                    decisions.append(Decision(h.no, h.text, "banner"))
                banners += block
                current = None
                i = j
                continue
            if any(_banner_kind(h.text) == "briefs" for h in block if h.kind == "banner"):
                briefs = True
            decision = _decide(current, block, after, items, j, subjects, briefs or bool(banners))
            decisions.append(decision)
            if decision.verdict == "new":
                current = Draft(headings=banners + list(block), notes=notes)
                current.after_gap = i > 0 and (banners or block)[0].gap >= 2
                banners = []
                current.notes.append(decision.explain())
                drafts.append(current)
                if SIDEBAR_RE.search(block[-1].text):
                    current.kind = "profile"
                    current.notes.append(
                        f"第{block[-1].no}行标题为附栏（{block[-1].text}），另列为一篇"
                    )
                if after is not None and (
                    after.kind == "byline"
                    or (after.kind == "prose" and JUMP_FROM_RE.match(after.text))
                ):
                    briefs = False  # a signed article or a jump's second part: no brief
                titled = [h for h in block if h.kind == "heading"]
                if not any(h.kind == "banner" for h in block) and (
                    current.after_gap or len(titled) >= 2
                ):
                    briefs = False  # a picture, or a title with its kicker or subtitle: no brief
            else:
                assert current is not None
                current.head_blocks.append(block)
                current.notes.append(decision.explain())
                for h in block:
                    current.section_heads.add(len(current.paragraphs))
                    current.paragraphs.append(h)
            i = j
            continue
        if item.kind == "byline":
            if current is not None and not current.paragraphs and not current.closed:
                if current.top_byline is None:
                    current.top_byline = item  # byline under the title
                else:  # a second byline line under the title: one byline
                    top = current.top_byline
                    current.top_byline = Item(top.no, "byline", f"{top.text} {item.text}")
                    current.extra_nos.append(item.no)
            elif current is not None and not current.closed:
                current.byline, current.closed = item, True
            else:  # a byline with nothing to close: keep it visible
                current = Draft(paragraphs=[item], closed=True)
                current.notes.append(f"第{item.no}行署名前没有正文")
                drafts.append(current)
        elif item.kind == "credit":
            current = _take_caption(drafts, current, item)
        else:
            if current is None or current.closed:
                current = Draft(headings=banners)
                current.after_gap = i > 0 and (banners[0] if banners else item).gap >= 2
                banners = []
                drafts.append(current)
            _add_prose(current, item)
            if briefs and sum(han_count(p.text) for p in current.paragraphs) > BRIEF_CHARS * 2:
                briefs = False  # an item this long is no brief: the column has ended
        i += 1
    if banners:  # banners with nothing below them stay visible as page furniture
        for b in banners:
            info.lines.append(b.text)
    drafts = _attach_leads(drafts)
    for d in drafts:
        _keep_lone_byline(d)
    return drafts, decisions, info


def _take_furniture(items: list[Item], info: PageInfo, decisions: list[Decision]) -> list[Item]:
    """Page headers, dates and page numbers out of the item stream, into ``info``.

    A section name alone on a line (``要闻``, ``## 区域``) is furniture above the
    page's first headline; further down it is a column banner.
    """
    kept: list[Item] = []
    started = False
    for item in items:
        if item.kind == "furniture":
            if item.header is not None:
                info.add(item.header)
            decisions.append(Decision(item.no, item.text, "furniture"))
            continue
        if not started and item.kind == "heading" and is_section_name(item.text):
            info.add(section_info(item.text))
            decisions.append(Decision(item.no, item.text, "furniture"))
            continue
        started = started or item.kind != "heading" or bool(kept)
        kept.append(item)
    return kept


def _banner_kind(text: str) -> str | None:
    """``briefs`` for a briefs column's banner (简讯, 综合简讯, 体育快讯 …),
    ``pictures`` for a picture column's (图片新闻 …)."""
    if len(text) > 10 or han_count(text) > 8:
        return None
    words = layout()
    if text in words.briefs or text.endswith(words.brief_suffixes):
        return "briefs"
    if text in words.pictures:
        return "pictures"
    return None


def _is_banner(h: Item, rest: list[Item], after: Item | None) -> bool:
    """A column banner: 【…】 above a headline, a briefs or picture column's name,
    or a section name in the middle of the page."""
    if _banner_kind(h.text) or is_section_name(h.text):
        return True
    return bool(BRACKET_BANNER_RE.match(h.text)) and bool(rest)


def _brief_title(items: list[Item], i: int) -> bool:
    """In a briefs column, a short line above a longer paragraph is an item's title
    even with its exclamation or comma (``镇赉——清明时节，鹤舞满天！``)."""
    text = items[i].text
    nxt = items[i + 1] if i + 1 < len(items) else None
    return (
        han_count(text) <= 24
        and len(text) <= 30
        and not re.search("[。；;：:、]$", text)
        and nxt is not None
        and nxt.kind == "prose"
        and len(nxt.text) >= 2 * len(text)
        and not dateline_match(text)
    )


def _decide(
    current: Draft | None,
    block: list[Item],
    after: Item | None,
    items: list[Item],
    j: int,
    subjects: _Subjects,
    in_column: bool,
) -> Decision:
    """Whether a headline block opens a new article or is a section head, and why."""
    first = block[0]
    text = " / ".join(h.text for h in block)

    def rule(new: bool, why: str) -> Decision:
        return Decision(first.no, text, "new" if new else "section", None, [(why, 0.0)])

    if current is None:
        return rule(True, "页首或栏目下的第一个标题")
    if current.closed:
        return rule(True, "上一篇已结束（文末署名或图片说明）")
    if not current.paragraphs:
        if current.top_byline is None:
            return rule(True, "上一个标题下没有正文")
        return rule(False, "标题和署名之后的第一个小标题")
    if SIDEBAR_RE.search(block[-1].text):
        return rule(True, "附栏标题（简历、链接等）")
    if current.continued_to:
        return rule(True, "上一篇以“下转”结束")
    if after is not None and after.kind == "byline":
        return rule(True, "标题下紧跟署名")
    if after is not None and after.kind == "prose" and dateline_match(after.text):
        return rule(True, "标题下紧跟电头（本报讯、新华社电等）")
    if after is not None and after.kind == "prose" and JUMP_FROM_RE.match(after.text):
        return rule(True, "标题下紧跟“上接”")
    if (
        in_column
        and current.top_byline is None
        and not NUMBERED_RE.match(first.text)
        and sum(han_count(p.text) for p in current.paragraphs) <= 2 * BRIEF_CHARS
    ):
        return rule(True, "简讯栏内的短标题：每条简讯自成一篇")

    evidence: list[tuple[str, float]] = []

    def add(name: str, why: str) -> None:
        evidence.append((why, WEIGHTS[name]))

    heads = [h for h in block if h.kind == "heading"]
    if any(DASH_SUBTITLE_RE.match(h.text) for h in heads[1:]):
        add("dash_subtitle", "标题下有破折号副题")
    if any(h.kind == "banner" for h in block):
        add("banner", "标题上方有栏目名")
    if first.gap >= 2:
        add("picture_gap", f"标题前空{first.gap}行（图片位置）")
    level, own = min((h.level for h in heads), default=0), current.title_level()
    if level and own:
        if level > own and level >= 3:
            add("md_deeper", f"标题级别（{'#' * level}）低于本文标题（{'#' * own}）")
        elif level > own:
            add("md_below", f"二级标题在一级标题的文章下（{'#' * level}）")
        else:
            add("md_same", f"标题级别（{'#' * level}）与本文标题相同或更高")
    elif level and not own and level >= 3:
        add("md_deeper", f"三级以下标题（{'#' * level}）")
    main = heads[0].text if heads else first.text
    if NUMBERED_RE.match(main):
        add("numbered", "标题带序号")
    kicker = PLACE_KICKER_RE.match(main)
    if kicker and _is_place(kicker.group(1)):
        add("place_kicker", f"标题以地名加冒号开头（{kicker.group(1)}：）")
    elif re.match(f"^[^：:]{{3,14}}[：:][{HAN}“]", main):
        add("colon_theme", "冒号前是主题词而非地名，像长文的小标题")
    if QUOTED_RE.match(main):
        add("quoted", "整行是引语，像特写的小标题")
    if COLUMN_TAG_RE.match(main):
        add("column_tag", "标题以【栏目名】开头")
    if len(heads) == 1 and main.endswith(("——", "—")):
        add("run_in", "标题以破折号结尾，引出下文")
    below = _text_below(items, j)
    if below and NEWS_LEAD_RE.match(below[0].text):
        add("news_lead", "下文以日期或“近日”开头，像消息的导语")
    chars = han_count(main)
    if chars >= 14 or _CLAUSES_RE.search(main):
        add("long_title", f"标题较长或为双句（{chars}字）")
    elif chars <= 6 and len(heads) == 1:
        add("short_head", f"标题很短（{chars}字）")
    last = current.paragraphs[-1]
    if last.kind == "prose" and not TERMINAL_RE.search(last.text):
        add("open_sentence", "上一段在句中断开")
    prose = [p for p in current.paragraphs if p.kind == "prose"]
    if (
        not in_column
        and len(prose) <= 1
        and sum(han_count(p.text) for p in prose) < LEAD_ONLY_CHARS
    ):
        add("lead_only", "本文到此只有导语一段")
    answers = sum(bool(ANSWER_RE.match(p.text)) for p in prose)
    if answers >= 2 and ANSWER_RE.match(last.text) and not main.endswith(("？", "?")):
        add("after_answers", "问答体文章以回答结束，其后的非问句标题另起一篇")
    if any(_same_form(block, earlier) for earlier in current.head_blocks):
        add("same_form", "与本文已有的小标题形式相同")
    partial = sum(w for _, w in evidence)
    # The subject is weighed only where it can still change the verdict.
    undecided = (
        NEW_ARTICLE_AT - WEIGHTS["subject_new"]
        <= partial
        < NEW_ARTICLE_AT - WEIGHTS["subject_same"]
    )
    if below and undecided:
        context = current.headings + current.paragraphs[-SUBJECT_CONTEXT:]
        sim = subjects.similarity(context, below)
        if sim < SUBJECT_NEW:
            add("subject_new", f"下文与本文几乎没有共同词语（相似度{sim:.2f}）")
        elif sim >= SUBJECT_SAME:
            add("subject_same", f"下文接着本文的话题（相似度{sim:.2f}）")
    score = round(sum(w for _, w in evidence), 2)
    verdict = "new" if score >= NEW_ARTICLE_AT else "section"
    return Decision(first.no, text, verdict, score, evidence)


def _shape(text: str) -> tuple[bool, bool, int]:
    """Colon, closing dash, and the length of the part a reader compares: the
    words before the colon (积势育机：…) or the whole head."""
    colon = "：" in text or ":" in text
    part = re.split("[：:]", text, maxsplit=1)[0] if colon else text
    return colon, text.endswith(("——", "—")), han_count(part)


def _same_form(block: list[Item], earlier: list[Item]) -> bool:
    """Two headline blocks of the same shape, as parallel section heads are:
    as many lines, the first lines alike in colon and closing dash, and as long
    (within one character; before the colon when there is one)."""
    if len(block) != len(earlier):
        return False
    a, b = _shape(block[0].text), _shape(earlier[0].text)
    return a[:2] == b[:2] and abs(a[2] - b[2]) <= 1


def _text_below(items: list[Item], j: int, limit: int = 3) -> list[Item]:
    """The prose right below a headline block, up to the next headline."""
    found: list[Item] = []
    for item in items[j:]:
        if item.kind != "prose" or len(found) >= limit:
            break
        found.append(item)
    return found


_PAIR_RE = re.compile(f"(?=([{HAN}]{{2}}))")  # overlapping: every pair, found in C


def _bigrams(text: str) -> frozenset[str]:
    """The Han character pairs of a text."""
    return frozenset(_PAIR_RE.findall(text))


class _Subjects:
    """Character pairs of a page's lines and their weights, made on first use.

    A pair's weight is its inverse paragraph frequency on the page: pairs that
    every paragraph uses (吉林, 发展) say little about a change of subject.
    """

    def __init__(self, items: list[Item]) -> None:
        self.items = items
        self.pairs: dict[str, frozenset[str]] = {}
        self.df: Counter[str] | None = None  # paragraphs holding each pair, on first use
        self.n = 0  # paragraphs on the page, plus one
        self.weight2: dict[str, float] = {}

    def of(self, item: Item) -> frozenset[str]:
        found = self.pairs.get(item.text)
        if found is None:
            found = self.pairs[item.text] = _bigrams(item.text)
        return found

    def similarity(self, before: list[Item], below: list[Item]) -> float:
        """Cosine of the two texts' weighted pair sets."""
        if self.df is None:
            texts = [i for i in self.items if i.kind in ("prose", "heading")]
            self.df = Counter()
            for item in texts:
                self.df.update(self.of(item))
            self.n = len(texts) + 1
        a = frozenset().union(*(self.of(i) for i in before))
        b = frozenset().union(*(self.of(i) for i in below))
        if not a or not b:
            return 0.0
        dot = sum(map(self._weight2, a & b))
        return dot / math.sqrt(sum(map(self._weight2, a)) * sum(map(self._weight2, b)))

    def _weight2(self, pair: str) -> float:
        w = self.weight2.get(pair)
        if w is None:
            assert self.df is not None
            w = self.weight2[pair] = (math.log(self.n / (self.df.get(pair) or 1)) + 0.1) ** 2
        return w


def _keep_lone_byline(draft: Draft) -> None:
    """A byline or photo credit with no text around it stays visible as the text."""
    if draft.paragraphs or draft.headings:
        return
    for b in (draft.top_byline, draft.byline):
        if b is not None:
            draft.paragraphs.append(b)
            draft.notes.append(f"第{b.no}行署名前没有正文")
    draft.top_byline = draft.byline = None


def _is_page_header(block: list[Item]) -> bool:
    """A page header (``经济``, ``综合新闻``) above the first headline of a page.

    Only the first line of the page, only when a headline follows it, and
    only a word of at most four Han characters: a kicker ending in a colon
    (``珲春：``) stays a kicker.
    """
    if len(block) < 2:
        return False
    text = block[0].text
    return han_count(text) <= 4 and len(text) <= 6 and not re.search("[：:，,。]", text)


def _add_prose(draft: Draft, item: Item) -> None:
    text = item.text
    m = JUMP_FROM_RE.match(text)
    if m and not draft.paragraphs:
        draft.continued_from = f"第{m.group('page')}版"
        text = text[m.end() :]
    m = jump_to_match(text)
    if m:
        draft.continued_to = f"第{m.group('page')}版"
        text = text[: m.start()]
    if not draft.paragraphs and draft.dateline is None:
        m = dateline_match(text)
        if m and len(text) > m.end():
            draft.dateline = m.group("dateline")
            text = text[m.end() :].lstrip().removeprefix("：").removeprefix(":").lstrip()
    if text:
        draft.paragraphs.append(Item(item.no, "prose", text, gap=item.gap))


def _take_caption(drafts: list[Draft], current: Draft | None, credit: Item) -> Draft:
    """A photo credit closes a caption: the paragraph(s) just above it.

    The caption starts after an empty-line gap of two or more (the image's
    place), or is the last paragraph, or the last paragraph saying 图为.
    """
    if (
        current is not None
        and not current.closed
        and current.after_gap
        and current.paragraphs
        and not current.section_heads
        and sum(han_count(p.text) for p in current.paragraphs) <= CAPTION_CHARS
    ):
        # The article opened below a picture's empty place: it is the caption.
        current.byline, current.closed, current.kind = credit, True, "photo"
        current.notes.append(f"第{credit.no}行摄影署名：本篇在图片位置之下，是图片说明")
        return current
    caption = Draft(byline=credit, closed=True, kind="photo")
    if current is not None and not current.closed and current.paragraphs:
        paras = current.paragraphs
        start = len(paras) - 1
        for k in range(len(paras) - 1, -1, -1):
            if paras[k].gap >= 2 or k in current.section_heads:
                start = k if k not in current.section_heads else k + 1
                break
        start = min(start, len(paras) - 1)
        if start > 0 or current.headings:
            caption.paragraphs = paras[start:]
            del paras[start:]
            current.section_heads = {s for s in current.section_heads if s < start}
        else:  # the whole untitled fragment is the caption
            caption.paragraphs, current.paragraphs = paras, []
            caption.dateline = current.dateline
            drafts.remove(current)
        caption.notes.append(f"第{credit.no}行摄影署名前的段落为图片说明")
    drafts.append(caption)
    return caption


def _attach_leads(drafts: list[Draft]) -> list[Draft]:
    """A headline-less lead above an article's headline belongs to that article.

    Pattern: a short fragment with only page-header heads (``聚焦``) and no
    byline, directly followed by an article whose byline stands under its
    title. The fragment's heads become the page header, its text the lead.
    A fragment that opens like a news story, with its date (``2月8日，``,
    ``近日，``), is a brief of its own.
    """
    out: list[Draft] = []
    for k, draft in enumerate(drafts):
        nxt = drafts[k + 1] if k + 1 < len(drafts) else None
        body_chars = sum(len(p.text) for p in draft.paragraphs)
        if (
            nxt is not None
            and nxt.top_byline is not None
            and draft.byline is None
            and draft.top_byline is None
            and draft.dateline is None
            and not draft.section_heads
            and not draft.continued_from
            and 0 < body_chars <= 400
            and all(han_count(h.text) <= 8 for h in draft.headings)
            and not NEWS_LEAD_RE.match(draft.paragraphs[0].text)
        ):
            nxt.paragraphs = draft.paragraphs + nxt.paragraphs
            nxt.section_heads = {s + len(draft.paragraphs) for s in nxt.section_heads}
            nxt.headings = [
                Item(h.no, "banner", h.text, h.level) for h in draft.headings
            ] + nxt.headings
            nxt.notes.append("标题上方的导语并入本文，其上的短标题视为版头")
            continue
        out.append(draft)
    return out


def heading_roles(headings: list[Item]) -> dict[str, str | None]:
    """Assign kicker, title, subtitle and column to a headline block."""
    roles: dict[str, str | None] = {"kicker": None, "title": None, "subtitle": None, "column": None}
    columns: list[str] = []
    rest: list[Item] = []
    for h in headings:
        if h.kind == "banner" or BANNER_RE.match(h.text):
            columns.append(h.text)
        else:
            rest.append(h)
    if rest and any(h.level for h in rest):
        top = min(h.level for h in rest if h.level)
        t = next(k for k, h in enumerate(rest) if h.level == top)
        before, title, after = rest[:t], rest[t], rest[t + 1 :]
    elif rest:
        before, title, after = [], rest[0], rest[1:]
    else:
        before, title, after = [], None, []
    for h in before:
        if roles["kicker"] is None:
            roles["kicker"] = h.text
        else:
            columns.append(h.text)
    if title is not None and re.search("[：:]$", title.text) and after:
        kicker = f"{roles['kicker']} {title.text}" if roles["kicker"] else title.text
        roles["kicker"], title, after = kicker, after[0], after[1:]
    if title is not None and title.text.startswith("——") and roles["kicker"]:
        roles["subtitle"], title = title.text, None
        roles["title"], roles["kicker"] = roles["kicker"], None
    if title is not None:
        roles["title"] = title.text
    for h in after:
        if roles["subtitle"] is None:
            roles["subtitle"] = h.text
        else:
            roles["subtitle"] += " " + h.text
    if columns:
        roles["column"] = " ".join(columns)
    return roles


def _to_article(page: RawPage, d: Draft, meta: PageMeta) -> Article:
    roles = heading_roles(d.headings)
    texts = [p.text for p in d.paragraphs]
    heads = sorted(d.section_heads)
    # Join broken paragraphs, but never across a section head.
    paragraphs: list[str] = []
    section_heads: list[int] = []
    corrections: list[Correction] = []
    bounds = [0, *heads, *[h + 1 for h in heads], len(texts)]
    for start, end in zip(sorted(set(bounds))[:-1], sorted(set(bounds))[1:], strict=False):
        run = texts[start:end]
        if start in d.section_heads:
            section_heads.append(len(paragraphs))
            paragraphs.extend(run)
            continue
        joined, joins = join_broken(run)
        for a, b in joins:
            corrections.append(
                Correction(
                    f"{run[a][-6:]}\n\n{run[b][:6]}",
                    run[a][-6:] + run[b][:6],
                    "join-paragraph",
                    page.file,
                    d.paragraphs[start + b].no,
                )
            )
        paragraphs.extend(joined)
    head_lines = [d.paragraphs[k].no for k in heads]
    items = d.items()
    nos = [i.no for i in items] + d.extra_nos
    first, last = (min(nos), max(nos)) if nos else (0, 0)
    title = roles["title"]
    article = Article(
        title=title or "",
        paragraphs=paragraphs,
        sources=[Source(page.file, first, last)],
        subtitle=roles["subtitle"],
        kicker=roles["kicker"],
        column=roles["column"],
        section_heads=section_heads,
        head_lines=head_lines,
        byline=" ".join(b.text for b in (d.top_byline, d.byline) if b) or None,
        dateline=d.dateline,
        continued_from=d.continued_from,
        continued_to=d.continued_to,
        meta=meta,
        page=meta.page,
        script=page.script,
        notes=list(d.notes),
    )
    article.corrections = [
        c for c in page.corrections if c.line is not None and first <= c.line <= last
    ] + corrections
    if d.continued_from:
        article.missing_start = True
        article.notes.append(f"正文以“上接{d.continued_from}”开始，前文不在本页")
    if d.continued_to:
        article.missing_end = True
        article.notes.append(f"正文以“下转{d.continued_to}”结束，后文不在本页")
    if not title:
        article.title_inferred = True
        article.title = infer_title(paragraphs)
        if d.kind != "photo":
            article.missing_start = True
            article.notes.append("没有标题：可能是从别处移来的文章后半部分")
    cut_off = (
        paragraphs
        and not d.continued_to
        and not TERMINAL_RE.search(paragraphs[-1])
        and len(paragraphs[-1]) > 8
        and d.kind != "photo"
    )
    if cut_off and not d.byline:
        article.missing_end = True
        article.notes.append("末段在句中断开，且没有署名：结尾缺失")
    elif cut_off:
        # The byline closes the article, but the sentence before it broke off:
        # characters were lost at the column end (a text gap, not a missing end).
        article.warnings.append(f"末句“……{paragraphs[-1][-8:]}”在署名前中断：原版面此处缺字")
    article.kind = d.kind or classify_kind(article)
    return article


def infer_title(paragraphs: list[str]) -> str:
    """A title made from the first clause of the text, for untitled items."""
    if not paragraphs:
        return "（无题）"
    clauses = re.split("(?<=[，。；！？：])", paragraphs[0])
    title = ""
    for clause in clauses:
        title += clause
        if han_count(title) >= 8:
            break
    title = title.rstrip("，。；！？：")
    return (title[:24] + "……") if len(title) > 24 else title


def classify_kind(article: Article) -> str:
    """article, brief or report_part, from length and title."""
    chars = sum(han_count(p) for p in article.paragraphs)
    if REPORT_RE.search(article.title) and (article.continued_from or article.continued_to):
        return "report_part"
    if chars < BRIEF_CHARS and article.complete:
        return "brief"
    return "article"


def split_pages(pages: list[RawPage]) -> list[Article]:
    """Split every page (see ``split_page``)."""
    return [article for page in pages for article in split_page(page)]
