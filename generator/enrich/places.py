"""Jilin place detection: which places an article mentions and which it is about.

All place knowledge (names, codes, aliases, traps, context words) lives in
``generator/data/gazetteer.yml``; this module only applies it. The functions are pure:
the gazetteer is read once and cached.

How a text is read:

1. **Scan.** Every title and paragraph is scanned left to right for the longest known
   string at each position: place names and aliases, ``not_places`` (rivers, mountains,
   metonyms: 伊通河, 巍巍长白山, 白山松水), institutions (长春海关), province terms
   (吉林省, 我省, 全省, bare 吉林) and 我市/本市. Longest match first means 长白山 never
   yields 白山 and 伊通河 never 伊通.
2. **Check the context** of a bare short name (not of 市/县/区 forms): entry blockers
   (杨靖宇, 坚如磐石, 吉林市场), a following feature word (延吉路, 珲春河), an institution
   suffix within a few characters (长春科技学院), a run of abbreviation characters
   (长辽梅通白延, 长白通高速), a longer 区 name overlapping it (和龙潭区) and a surname
   right before a two-character name (记者王长春).
   For every form: venue (在长春召开), career station (任吉林市委常委), birthplace (吉林梨树人，).
3. **Lists.** Mentions joined only by 、/和/与/及/至 or a single dash form an enumeration.
   Four or more items weigh little each. In 吉林市丰满区 the city only qualifies the
   district. A bare 吉林 inside an enumeration of Jilin places is 吉林市
   (长春、珲春、吉林3个跨境电商综合试验区), a bare 长白山 among prefecture-level units is
   the 长白山 zone; otherwise they are the province and the mountain.
4. **Weigh.** Title-level mentions (the title and the short heading lines that open the
   paragraphs: kicker, subtitle) weigh most, the lead paragraph(s) next, the rest least.

``cities`` are the places the article is about (see :func:`find_places`), ``places`` every
Jilin place mentioned, in order of first mention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from .tags import YAML_LOADER, trie_pattern

__all__ = ["Place", "gazetteer", "find_places", "rollup"]


@dataclass(frozen=True)
class Place:
    name: str  # canonical short name: 长春, 吉林市, 延边, 珲春, 宽城 ...
    full: str  # full official name: 长春市, 延边朝鲜族自治州, 宽城区 ...
    code: str  # NBS 2023 division code, "" when the unit has none (长白山)
    level: str  # prefecture, county, district, zone
    parent: str | None  # canonical name of the prefecture (current boundaries)
    slug: str  # ASCII pinyin


# --------------------------------------------------------------------------- weights

TITLE_WEIGHT = 10.0  # first title-level mention of a place
TITLE_EXTRA = 2.0  # each further title-level mention
LEAD_WEIGHT = 3.0  # a mention in the lead paragraph(s)
BODY_WEIGHT = 1.0  # any later mention
LIST_FACTOR = 0.3  # mention inside an enumeration of LIST_MIN_ITEMS or more places
LIST_MIN_ITEMS = 4
VENUE_FACTOR = 0.3  # 在长春召开
CAREER_FACTOR = 0.2  # 任吉林市委常委
ORIGIN_FACTOR = 0.0  # 吉林梨树人
QUALIFIER_FACTOR = 0.5  # the 吉林市 of 吉林市丰满区
TITLE_PLACE_MIN = 5.0  # title-level score that makes a place a title place
RELATIVE = 0.35  # with title places: others need this share of the top score ...
MIN_WITH_TITLE = 3.0  # ... and at least this score
SHARE = 0.6  # no title place: a place needs this share of all place weight ...
MIN_SCORE = 1.0  # ... and at least this score,
LEAD_RELATIVE = 0.5  # or a full mention in the lead and this share of the top score
SHARE_WIDE = 0.75  # province-wide article: a much more dominant place ...
MIN_WIDE = 5.0  # ... with repeated mentions
PEER_MIN_FACTOR = 0.9  # 各市(州) titles: a peer needs one full-weight mention
LEAD_MIN_CHARS = 60  # lead = first body paragraphs up to this many characters
HEADING_MAX_CHARS = 40  # a leading paragraph this short without 。 is a heading
HEADING_MAX = 4

_SENTENCE_END = tuple("。！？!?；;…")
_PUNCT = set("，,。．.、；;：:！!？?“”\"'‘’（）()《》〈〉【】[]—-－…·　 \n\t")
_ADMIN_SUFFIXES = ("市", "县", "区", "州")
_PAREN_RE = re.compile(r"[（(][^（()）]{0,20}[)）]")
_LIST_SEPARATORS = {"、", "和", "与", "及", "以及", "至"}
_LINKS = {"—", "－", "-", "~", "～", "·"}  # 长春—吉林—图们; never with spaces, never ——


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class _Entry:
    place: Place
    peer: bool
    needs_parent: bool
    not_after: tuple[str, ...]
    not_before: tuple[str, ...]
    history: tuple[dict, ...]


@dataclass(frozen=True)
class _Surface:
    kind: str  # place, feature, institution, province, jilin, list_only, home
    name: str | None = None  # canonical place name (place, institution, list_only)
    bare: bool = False  # a bare short name (context rules apply)


@dataclass(frozen=True)
class _Gazetteer:
    entries: dict[str, _Entry]
    surfaces: dict[str, _Surface]
    other_provinces: tuple[str, ...]
    list_promotion: dict[str, str]
    all_prefectures_terms: tuple[str, ...]
    feature_suffixes: tuple[str, ...]
    institution_suffixes: tuple[str, ...]
    institution_max_gap: int
    venue_before: tuple[str, ...]
    venue_verbs: tuple[str, ...]
    venue_max_gap: int
    career_before: tuple[str, ...]
    origin_after: str
    word_after_last_char: dict[str, frozenset[str]]
    chain_chars: frozenset[str]
    surnames: frozenset[str]
    chain_suffixes: tuple[str, ...]


def _read_data() -> dict:
    text = resources.files("generator").joinpath("data/gazetteer.yml").read_text("utf-8")
    return yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 - a safe loader


def _is_bare(surface: str, entry_data: dict) -> bool:
    if surface == entry_data["full"] or surface.endswith(_ADMIN_SUFFIXES):
        return False
    return not any(w in surface for w in ("开发区", "管委会", "委员会", "新区"))


def _nonempty(words: list[str] | None) -> tuple[str, ...]:
    """The words of a "comes before the name" list; an empty word never matches there."""
    return tuple(w for w in words or () if w)


@cache
def _gaz() -> _Gazetteer:
    data = _read_data()
    entries: dict[str, _Entry] = {}
    surfaces: dict[str, _Surface] = {}

    def add(text: str, surface: _Surface) -> None:
        old = surfaces.get(text)
        if old is not None and old != surface:
            raise ValueError(f"gazetteer: {text!r} is listed twice ({old} / {surface})")
        surfaces[text] = surface

    for item in data["places"]:
        code = item.get("code")
        place = Place(
            name=item["name"],
            full=item["full"],
            code=str(code) if code else "",
            level=item["level"],
            parent=item.get("parent"),
            slug=item["slug"],
        )
        entries[place.name] = _Entry(
            place=place,
            peer=bool(item.get("peer")),
            needs_parent=bool(item.get("needs_parent")),
            not_after=_nonempty(item.get("not_after")),
            not_before=tuple(item.get("not_before") or ()),
            history=tuple(item.get("history") or ()),
        )
        forms = [item["full"], *(item.get("aliases") or ()), *(item.get("former_names") or ())]
        for form in forms:
            add(form, _Surface("place", place.name, _is_bare(form, item)))
        for form in item.get("list_only") or ():
            add(form, _Surface("list_only", place.name, True))
    for item in data.get("not_places") or ():
        add(item["text"], _Surface("feature"))
    for item in data.get("institutions") or ():
        add(item["text"], _Surface("institution", item.get("place")))
    for term in data.get("province_terms") or ():
        add(term, _Surface("jilin", None, True) if term == "吉林" else _Surface("province"))
    for term in data.get("home_city_terms") or ():
        add(term, _Surface("home"))

    ctx = data.get("context") or {}
    chains = data.get("abbreviation_chains") or {}
    return _Gazetteer(
        entries=entries,
        surfaces=surfaces,
        other_provinces=tuple(data.get("other_provinces") or ()),
        list_promotion=dict(data.get("list_promotion") or {}),
        all_prefectures_terms=tuple(data.get("all_prefectures_terms") or ()),
        feature_suffixes=tuple(ctx.get("feature_suffixes") or ()),
        institution_suffixes=tuple(ctx.get("institution_suffixes") or ()),
        institution_max_gap=int(ctx.get("institution_max_gap", 4)),
        venue_before=_nonempty(ctx.get("venue_before")),
        venue_verbs=tuple(ctx.get("venue_verbs") or ()),
        venue_max_gap=int(ctx.get("venue_max_gap", 8)),
        career_before=_nonempty(ctx.get("career_before")),
        origin_after=str(ctx.get("origin_after") or ""),
        word_after_last_char={
            k: frozenset(v) for k, v in (ctx.get("word_after_last_char") or {}).items()
        },
        chain_chars=frozenset(chains.get("chars") or ""),
        surnames=frozenset(data.get("person_surnames") or ""),
        chain_suffixes=tuple(chains.get("suffixes") or ()),
    )


@cache
def _surface_pattern() -> re.Pattern[str]:
    """Matches the longest gazetteer surface at a position (a trie as one regex)."""
    return trie_pattern(_gaz().surfaces)


@cache
def gazetteer() -> dict[str, Place]:
    """Canonical short name -> :class:`Place`, for all of Jilin (cached)."""
    return {name: e.place for name, e in _gaz().entries.items()}


def is_place_name(text: str) -> bool:
    """Whether ``text`` is, as a whole, a Jilin place name or the province's."""
    surface = _gaz().surfaces.get(text)
    return surface is not None and surface.kind in ("place", "list_only", "province", "jilin")


def _resolve(name: str) -> _Entry | None:
    """Entry for a canonical name or any matchable form (长春市, 延边州 ...)."""
    g = _gaz()
    entry = g.entries.get(name)
    if entry is None:
        surface = g.surfaces.get(name)
        if surface is not None and surface.kind in ("place", "list_only") and surface.name:
            entry = g.entries.get(surface.name)
    return entry


def _is_peer(entry: _Entry) -> bool:
    return entry.place.level in ("prefecture", "zone") or entry.peer


def rollup(name: str, date: str | None = None) -> str | None:
    """The prefecture-level unit a place belongs to on ``date`` (ISO, any precision).

    Counties and districts roll up to their prefecture (珲春 -> 延边; 公主岭 -> 四平 before
    2020-06, 长春 after). Prefectures, the 长白山 zone and 梅河口 (a peer of the prefectures)
    return themselves. Unknown names return None.
    """
    entry = _resolve(name)
    if entry is None:
        return None
    if _is_peer(entry):
        return entry.place.name
    return _parent_on(entry, date)


def _parent_on(entry: _Entry, date: str | None) -> str | None:
    parent = entry.place.parent
    if date:
        # the earliest change still ahead of the date decides
        for item in sorted(entry.history, key=lambda h: str(h.get("until", ""))):
            until = str(item.get("until", ""))
            if until and date < until and "parent" in item:
                return item["parent"]
    return parent


# --------------------------------------------------------------------------- scanning


@dataclass
class _Mention:
    seg: int  # segment index (title-level segments first)
    start: int
    end: int
    name: str | None  # canonical place name (None for province terms)
    kind: str  # place, inst, home, jilin, list_only, province
    bare: bool = False
    factor: float = 1.0


def _starts_with_any(text: str, pos: int, words: tuple[str, ...]) -> bool:
    """Whether one of ``words`` starts at ``pos`` (one C call for the whole tuple)."""
    return text.startswith(words, pos)


def _ends_with_any(text: str, pos: int, words: tuple[str, ...]) -> bool:
    """Whether one of ``words`` ends at ``pos``; ``words`` holds no empty string."""
    return text.endswith(words, 0, pos)


def _longest_at(text: str, pos: int) -> tuple[int, _Surface] | None:
    """The longest gazetteer surface starting at ``pos``, with its length."""
    m = _surface_pattern().match(text, pos)
    if m is None:
        return None
    return m.end() - pos, _gaz().surfaces[m.group()]


def _place_starts_at(text: str, pos: int) -> bool:
    found = _longest_at(text, pos)
    return found is not None and found[1].kind in ("place", "list_only")


def _blocked(text: str, i: int, length: int, surface: _Surface) -> bool:
    """Entry blockers, word blockers and overlapping longer 区/市 names."""
    g = _gaz()
    end = i + length
    entry = g.entries.get(surface.name or "")
    if entry is not None and (surface.bare or text[i:end] == entry.place.name):
        if _ends_with_any(text, i, entry.not_after):
            return True
        if _starts_with_any(text, end, entry.not_before):
            return True
    if not surface.bare:
        return False
    if length == 2 and surface.kind == "place" and i > 0 and text[i - 1] in g.surnames:
        return True  # 记者王长春: a given name
    words = g.word_after_last_char.get(text[end - 1])
    if words and end < len(text) and text[end] in words:
        return True
    # 和龙潭区: a longer, suffixed name starting inside this one wins
    for j in range(i + 1, end):
        found = _longest_at(text, j)
        if found and found[1].kind == "place" and not found[1].bare and j + found[0] > end:
            return True
    return False


def _is_feature(text: str, end: int) -> bool:
    g = _gaz()
    return _starts_with_any(text, end, g.feature_suffixes) and not _place_starts_at(text, end)


def _is_institution(text: str, end: int) -> bool:
    g = _gaz()
    for gap in range(0, g.institution_max_gap + 1):
        pos = end + gap
        if pos > len(text):
            break
        if gap and (text[pos - 1] in _PUNCT or text[pos - 1].isdigit()):
            break
        if _starts_with_any(text, pos, g.institution_suffixes):
            return not (gap == 0 and _place_starts_at(text, end))
    return False


def _in_chain(text: str, i: int, end: int) -> bool:
    """A bare name inside an abbreviation chain (长白通高速, 长白通延)."""
    g = _gaz()
    chars = g.chain_chars
    a, b = i, end
    while a > 0 and text[a - 1] in chars:
        a -= 1
    while b < len(text) and text[b] in chars:
        b += 1
    if (a, b) == (i, end):
        return False
    leftovers = 0
    k = a
    while k < b:
        found = _longest_at(text[:b], k)
        if found and found[1].kind in ("place", "list_only", "jilin"):
            k += found[0]
        else:
            leftovers += 1
            k += 1
    if leftovers == 0:
        return False
    return leftovers >= 2 or _starts_with_any(text, b, g.chain_suffixes)


def _context_factor(text: str, i: int, end: int) -> float:
    g = _gaz()
    if g.origin_after and text.startswith(g.origin_after, end):
        after = end + len(g.origin_after)
        if after >= len(text) or text[after] in _PUNCT:
            return ORIGIN_FACTOR
    if _ends_with_any(text, i, g.career_before):
        return CAREER_FACTOR
    if _ends_with_any(text, i, g.venue_before):
        tail = text[end : end + g.venue_max_gap + 2]
        for n, ch in enumerate(tail):
            if ch in _PUNCT:
                tail = tail[:n]
                break
        if any(v in tail for v in g.venue_verbs):
            return VENUE_FACTOR
    return 1.0


def _scan(text: str, seg: int, home: str | None) -> list[_Mention]:
    out: list[_Mention] = []
    i, n = 0, len(text)
    next_surface = _surface_pattern().search  # leftmost position, longest surface there
    surfaces = _gaz().surfaces
    while i < n:
        m = next_surface(text, i)
        if m is None:
            break
        i, end = m.span()
        length, surface = end - i, surfaces[m.group()]
        kind = surface.kind
        if kind in ("place", "list_only", "jilin") and _blocked(text, i, length, surface):
            i += 1
            continue
        if kind == "feature":
            pass
        elif kind == "institution":
            if surface.name:
                out.append(_Mention(seg, i, end, surface.name, "inst", factor=0.0))
        elif kind == "province":
            out.append(_Mention(seg, i, end, None, "province"))
        elif kind == "home":
            if home:
                out.append(_Mention(seg, i, end, home, "place", factor=1.0))
        else:  # place, list_only, jilin
            if surface.bare and _is_feature(text, end):
                i = end
                continue
            if surface.bare and _is_institution(text, end):
                if kind == "place":
                    out.append(_Mention(seg, i, end, surface.name, "inst", True, 0.0))
                i = end
                continue
            if surface.bare and kind != "list_only" and _in_chain(text, i, end):
                i = end
                continue
            factor = _context_factor(text, i, end)
            out.append(_Mention(seg, i, end, surface.name, kind, surface.bare, factor))
        i = end
    _resolve_lists(text, out)
    return out


def _resolve_lists(text: str, mentions: list[_Mention]) -> None:
    """Group enumerations; promote bare 吉林 / 长白山 inside them; damp long lists."""
    g = _gaz()
    listed = [m for m in mentions if m.kind in ("place", "inst", "jilin", "list_only")]
    if not listed:
        return
    # items: mentions joined without a gap (长春市宽城区 is one item)
    items: list[list[_Mention]] = []
    for m in listed:
        if items and items[-1][-1].end == m.start:
            items[-1].append(m)
        else:
            items.append([m])
    for item in items:
        if len(item) > 1:
            _resolve_item(item)
    groups: list[list[list[_Mention]]] = []
    for item in items:
        if groups:
            gap = _PAREN_RE.sub("", text[groups[-1][-1][-1].end : item[0].start])
            if gap.strip() in _LIST_SEPARATORS or gap in _LINKS:
                groups[-1].append(item)
                continue
        groups.append([item])
    for group in groups:
        flat = [m for item in group for m in item]
        if len(group) >= LIST_MIN_ITEMS:
            for m in flat:
                m.factor *= LIST_FACTOR
        if not any(m.kind in ("jilin", "list_only") for m in flat):
            continue  # only these two depend on the list they are in
        places = [m for m in flat if m.kind == "place" and m.name]
        has_peer = any(_is_peer(g.entries[m.name]) for m in places if m.name in g.entries)
        start, end = group[0][0].start, group[-1][-1].end
        for m in flat:
            if m.kind == "jilin":
                if len(group) > 1 and places and not _next_to_province(text, start, end):
                    m.kind, m.name = "place", g.list_promotion.get("吉林", "吉林市")
                else:
                    m.kind, m.name = "province", None
            elif m.kind == "list_only":
                if len(group) > 1 and has_peer:
                    m.kind = "place"
                    m.name = g.list_promotion.get(text[m.start : m.end], m.name)
                else:
                    m.kind = "mountain"


def _next_to_province(text: str, start: int, end: int) -> bool:
    """Whether another province is listed right after ``end`` or before ``start``
    (``、辽宁`` / ``辽宁、``)."""
    after = text.startswith("、", end)
    before = start > 0 and text[start - 1] == "、"
    if not (after or before):
        return False
    return any(
        text.startswith("、" + p, end) or text.endswith(p + "、", 0, start)
        for p in _gaz().other_provinces
    )


def _resolve_item(item: list[_Mention]) -> None:
    """Within one item: 长春吉林 is two cities; in 吉林市丰满区 the city only qualifies."""
    g = _gaz()
    for prev, m in zip(item, item[1:], strict=False):
        if m.kind == "jilin" and prev.kind == "place":
            m.kind, m.name = "place", g.list_promotion.get("吉林", "吉林市")
        elif prev.kind == "jilin" and m.kind in ("place", "inst"):
            prev.kind = "province"  # 吉林长春: the province qualifies the city
        entry = g.entries.get(m.name or "")
        if prev.kind == "place" and entry is not None and prev.name == entry.place.parent:
            prev.factor *= QUALIFIER_FACTOR


# --------------------------------------------------------------------------- weighing


@dataclass
class _Score:
    score: float = 0.0
    title: float = 0.0
    best: float = 0.0  # largest single-mention factor
    lead: float = 0.0  # largest single-mention factor in the lead
    first: tuple[int, int] = (1 << 30, 0)


def _is_heading(p: str) -> bool:
    p = p.strip()
    return bool(p) and len(p) <= HEADING_MAX_CHARS and not p.endswith(_SENTENCE_END)


def _segments(title: str, paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """(segments, regions): title + leading headings are 'title', then 'lead', 'body'."""
    segs, regions = [title or ""], ["title"]
    k = 0
    while k < len(paragraphs) and k < HEADING_MAX and _is_heading(paragraphs[k]):
        segs.append(paragraphs[k])
        regions.append("title")
        k += 1
    lead_chars = 0
    for p in paragraphs[k:]:
        if not p.strip():
            continue
        segs.append(p)
        if lead_chars < LEAD_MIN_CHARS:
            regions.append("lead")
            lead_chars += len(p.strip())
        else:
            regions.append("body")
    return segs, regions


def find_places(
    title: str,
    paragraphs: list[str],
    home_city: str | None = None,
    date: str | None = None,
) -> tuple[list[str], list[str]]:
    """Return ``(cities, places)`` as canonical short names.

    ``places``: every Jilin place mentioned (title first, then in text order); counties
    stay counties (珲春, 通榆). Institutions named after a place (长春海关) list the place
    here but never make it a city.

    ``cities``: the places the article is about, heaviest first:

    * with places at title level (title, kicker, subtitle: pass them joined into
      ``title`` or as the short heading lines that open ``paragraphs``), those places plus
      any other place weighing at least ``RELATIVE`` of the top one;
    * a title such as "长春市与各市(州)对接合作综述" (``all_prefectures_terms``) adds every
      prefecture-level unit that is the subject of a clause of its own (not only listed);
    * without a title place, a place must dominate the article's place weight, or be
      named in the lead and weigh at least ``LEAD_RELATIVE`` of the top place;
    * if the article is province-wide (吉林省/我省/全省/吉林 in the title, or in the lead
      when no place is in the title), a place must dominate even more and be mentioned
      repeatedly. Otherwise ``cities`` is empty.

    Mentions only in a long enumeration, as a venue (在长春召开), as a career station or
    birthplace, or inside an institution's name weigh little or nothing.

    ``home_city`` resolves 我市/本市 (None: they are ignored). ``date`` (ISO) selects the
    boundaries in force (公主岭 belongs to 四平 before 2020-06).
    """
    g = _gaz()
    home = None
    if home_city:
        entry = _resolve(home_city)
        home = entry.place.name if entry else None
    segs, regions = _segments(title, paragraphs)
    mentions: list[_Mention] = []
    for idx, seg in enumerate(segs):
        mentions.extend(_scan(seg, idx, home))

    named = {m.name for m in mentions if m.kind == "place" and m.name}

    def keep(m: _Mention) -> bool:
        entry = g.entries.get(m.name or "")
        if entry is None or not entry.needs_parent:
            return True
        parent = _parent_on(entry, date)
        return parent in named

    mentions = [m for m in mentions if m.kind not in ("place", "inst") or keep(m)]

    scores: dict[str, _Score] = {}
    province_title = province_lead = False
    for m in mentions:
        region = regions[m.seg]
        if m.kind == "province":
            province_title |= region == "title"
            province_lead |= region == "lead"
            continue
        if m.kind not in ("place", "inst") or not m.name:
            continue
        s = scores.setdefault(m.name, _Score())
        s.first = min(s.first, (m.seg, m.start))
        s.best = max(s.best, m.factor)
        if region == "title":
            weight = TITLE_WEIGHT if s.title == 0 else TITLE_EXTRA
            s.title += weight * m.factor
            s.score += weight * m.factor
        elif region == "lead":
            s.score += LEAD_WEIGHT * m.factor
            s.lead = max(s.lead, m.factor)
        else:
            s.score += BODY_WEIGHT * m.factor

    places = sorted(scores, key=lambda name: scores[name].first)
    cities = _choose(scores, segs, regions, province_title, province_lead)
    return cities, places


def _choose(
    scores: dict[str, _Score],
    segs: list[str],
    regions: list[str],
    province_title: bool,
    province_lead: bool,
) -> list[str]:
    g = _gaz()
    if not scores:
        return []
    title_places = {n for n, s in scores.items() if s.title >= TITLE_PLACE_MIN}
    total = sum(s.score for s in scores.values())
    top = max(s.score for s in scores.values())
    chosen: set[str] = set()
    if title_places:
        floor = max(MIN_WITH_TITLE, RELATIVE * top)
        chosen = title_places | {n for n, s in scores.items() if s.score >= floor}
    elif province_title or province_lead:
        chosen = {
            n for n, s in scores.items() if s.score >= MIN_WIDE and s.score >= SHARE_WIDE * total
        }
    else:
        chosen = {
            n
            for n, s in scores.items()
            if s.score >= MIN_SCORE
            and (
                s.score >= SHARE * total
                or (s.lead >= PEER_MIN_FACTOR and s.score >= LEAD_RELATIVE * top)
            )
        }
    title_text = "".join(s for s, r in zip(segs, regions, strict=True) if r == "title")
    if any(term in title_text for term in g.all_prefectures_terms):
        chosen |= {
            n
            for n, s in scores.items()
            if s.best >= PEER_MIN_FACTOR and n in g.entries and _is_peer(g.entries[n])
        }
    return sorted(chosen, key=lambda n: (-scores[n].score, scores[n].first))
