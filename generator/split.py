"""Split stage: cut cleaned pages into article fragments.

Pure functions. A page is read as a sequence of items (headline, prose,
byline, photo credit) and cut where the layout of Chinese newspapers puts a
boundary:

* an end byline (``吉林日报记者 邱国强``) closes an article;
* a headline block followed by a dateline (``本报2月7日讯``), a byline under
  the title, or a jump marker (``(上接第一版)``) opens one;
* a headline after a closed article, or after a ``(下转第三版)`` marker, opens one;
* a sidebar head (``……简历``) opens a profile;
* a photo credit (``本报记者 潘硕 摄``) closes a caption.

Any other headline inside an article is a section head. Column banners and
page headers become metadata, never body text. Every decision is noted on
the article (``notes``) so ``check`` and the page can show it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clean import join_broken
from .model import Article, Correction, RawPage, Source
from .patterns import (
    BANNER_RE,
    BYLINE_ROLE_RE,
    BYLINE_TAIL_RE,
    DATELINE_RE,
    JUMP_FROM_RE,
    JUMP_TO_RE,
    MD_HEADING_RE,
    PHOTO_CREDIT_RE,
    TERMINAL_RE,
    han_count,
    is_prose,
)

MAX_HEADING_CHARS = 48
BRIEF_CHARS = 300
SIDEBAR_RE = re.compile(r"(?:简历|小传|名片|简介|相关链接|链接|背景资料|资料)$")
REPORT_RE = re.compile(r"(?:报告|公报|纲要|决定|决议|规划)$")
# The opening of a news story: its date, or 近日 / 日前.
NEWS_LEAD_RE = re.compile(r"^(?:(?:\d{4}年)?\d{1,2}月\d{1,2}日|近日|日前)[，,]")


@dataclass
class Item:
    """One non-empty line of a page, classified."""

    no: int
    kind: str  # heading, prose, byline, credit
    text: str
    level: int = 0  # markdown heading level; 0 for a plain-text headline
    gap: int = 0  # empty lines before it


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

    def items(self) -> list[Item]:
        found = self.headings + self.paragraphs
        found += [b for b in (self.byline, self.top_byline) if b]
        return found


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
        if md:
            items.append(
                Item(line.no, "heading", md.group("text").strip(), len(md.group("hashes")), gap)
            )
        elif "摄" in text and PHOTO_CREDIT_RE.match(text):  # a credit ends in 摄
            items.append(Item(line.no, "credit", text, gap=gap))
        elif _is_byline(text):
            items.append(Item(line.no, "byline", text, gap=gap))
        elif _is_plain_heading(text):
            items.append(Item(line.no, "heading", text, 0, gap))
        else:
            items.append(Item(line.no, "prose", text, gap=gap))
        gap = 0
    return [i for i in items if i.text]


def _is_byline(text: str) -> bool:
    """A line that is a byline and nothing else."""
    if not BYLINE_ROLE_RE.search(text):  # the cheap test first
        return False
    m = BYLINE_TAIL_RE.fullmatch(text)
    return m is not None and m.start("byline") == 0


def jump_to_match(text: str) -> re.Match[str] | None:
    """``JUMP_TO_RE`` searched only in a line holding 下转 (the marker's own word)."""
    return JUMP_TO_RE.search(text) if "下转" in text else None


_DATELINE_SURE_RE = re.compile(
    r"^(?:本报|新华社|中新社)|\d{1,2}月\d{1,2}日|[（(]|(?:日报|晚报|早报|商报|时报|通讯社|电视台|客户端)"
)


def dateline_match(text: str) -> re.Match[str] | None:
    """``DATELINE_RE`` where it really is a dateline.

    The pattern lets any 2-8 characters ending in 社, 台, 网 or 报 stand for a
    paper, so '我省全社会用电量增长' would open with the dateline '我省全社会用电'.
    A dateline names 本报 or a news agency, a date, the reporters in brackets,
    or a paper's full name.
    """
    m = DATELINE_RE.match(text)
    return m if m and _DATELINE_SURE_RE.search(m.group("dateline")) else None


def _is_plain_heading(text: str) -> bool:
    if JUMP_FROM_RE.match(text) or jump_to_match(text) or dateline_match(text):
        return False
    return not is_prose(text) and len(text) <= MAX_HEADING_CHARS and han_count(text) >= 2


def split_page(page: RawPage) -> list[Article]:
    """Split one cleaned page into article fragments, in page order."""
    items = classify(page)
    drafts: list[Draft] = []
    current: Draft | None = None
    i = 0
    while i < len(items):
        item = items[i]
        if item.kind == "heading":
            j = i
            while j < len(items) and items[j].kind == "heading":
                j += 1
            block, after = items[i:j], items[j] if j < len(items) else None
            if i == 0 and _is_page_header(block):
                block[0] = Item(block[0].no, "banner", block[0].text, block[0].level, block[0].gap)
                notes = [f"第{block[0].no}行（{block[0].text}）为版头"]
            else:
                notes = []
            if _opens_article(current, block, after):
                current = Draft(headings=list(block), notes=notes)
                drafts.append(current)
                if SIDEBAR_RE.search(block[-1].text):
                    current.kind = "profile"
                    current.notes.append(
                        f"第{block[-1].no}行标题为附栏（{block[-1].text}），另列为一篇"
                    )
            else:
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
                current = Draft()
                drafts.append(current)
            _add_prose(current, item)
        i += 1
    drafts = _attach_leads(drafts)
    for d in drafts:
        _keep_lone_byline(d)
    return [_to_article(page, d) for d in drafts if d.paragraphs or d.headings]


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


def _opens_article(current: Draft | None, block: list[Item], after: Item | None) -> bool:
    """Whether a headline block starts a new article (else: section heads)."""
    if current is None or current.closed:
        return True
    if not current.paragraphs:
        # a title with its byline is followed by the article's first section head
        return current.top_byline is None
    if SIDEBAR_RE.search(block[-1].text):
        return True
    if current.continued_to:
        # (下转第三版) ended this article's part on the page: what follows is another
        return True
    if after is None:
        return False
    if after.kind in ("byline",):
        return True
    if after.kind == "prose" and (dateline_match(after.text) or JUMP_FROM_RE.match(after.text)):
        return True
    return False


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
            text = text[m.end() :].lstrip()
    if text:
        draft.paragraphs.append(Item(item.no, "prose", text, gap=item.gap))


def _take_caption(drafts: list[Draft], current: Draft | None, credit: Item) -> Draft:
    """A photo credit closes a caption: the paragraph(s) just above it.

    The caption starts after an empty-line gap of two or more (the image's
    place), or is the last paragraph, or the last paragraph saying 图为.
    """
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


def _to_article(page: RawPage, d: Draft) -> Article:
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
        byline=" ".join(b.text for b in (d.top_byline, d.byline) if b) or None,
        dateline=d.dateline,
        continued_from=d.continued_from,
        continued_to=d.continued_to,
        meta=page.meta,
        page=page.meta.page,
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
