"""Bylines, datelines, reporters and the paper an article came from.

Pure functions over strings and ``Article`` lists. Known papers, their aliases and
home cities are data in ``generator/data/papers.yml``.

Forms handled (see tests/test_people.py for one fixture per form):

* trailing bylines: ``吉林日报记者 邱国强``, ``城市晚报全媒体记者 陆续``,
  ``吉林日报记者 金泽文 实习生 高源``, ``本报记者 孟凡明 柳青``,
  ``记者 张三 通讯员 李四``, ``新华社记者 …``, ``本报通讯员 …``,
  photo credits ``本报记者 潘硕 摄``; also glued to the end of a body line;
* datelines: ``本报2月7日讯(记者景洋)``, ``本报讯(记者徐慕旗)``,
  ``本报长春2月7日讯 记者 … 报道``, ``新华社北京2月7日电(记者 …)``.

``本报`` ("this paper") names no paper: ``Byline.paper`` is None and
``resolve_paper`` works it out from the page, or leaves it None.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .. import resources
from ..model import Article
from .tags import YAML_LOADER

PAPERS_FILE = resources.data_dir() / "papers.yml"

_CJK = "\u4e00-\u9fff\u3400-\u4dbf"
_WS = " \t\u3000\u00a0"


# --- papers --------------------------------------------------------------------


@dataclass(frozen=True)
class Paper:
    """One entry of ``papers.yml``."""

    name: str
    kind: str = "newspaper"  # newspaper | agency
    level: str | None = None
    city: str | None = None
    aliases: tuple[str, ...] = ()
    byline_prefixes: tuple[str, ...] = ()

    @property
    def agency(self) -> bool:
        return self.kind == "agency"


@lru_cache(maxsize=4)
def load_papers(path: str | None = None) -> tuple[Paper, ...]:
    """The known papers (cached). ``path`` overrides the bundled data file."""
    text = Path(path or PAPERS_FILE).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=YAML_LOADER) or []  # noqa: S506 - a safe loader
    papers = []
    for entry in data:
        papers.append(
            Paper(
                name=entry["name"],
                kind=entry.get("kind") or "newspaper",
                level=entry.get("level"),
                city=entry.get("city"),
                aliases=tuple(entry.get("aliases") or ()),
                byline_prefixes=tuple(entry.get("byline_prefixes") or ()),
            )
        )
    return tuple(papers)


@lru_cache(maxsize=1)
def _paper_index() -> dict[str, Paper]:
    index: dict[str, Paper] = {}
    for paper in load_papers():
        for form in (paper.name, *paper.aliases):
            index[form] = paper
    for paper in load_papers():  # the paper part of byline prefixes: 新文化(记者)
        for prefix in paper.byline_prefixes:
            m = re.search(f"{_ROLE}$", prefix)
            if m and m.start() > 0:
                index.setdefault(prefix[: m.start()], paper)
    return index


def find_paper(name: str | None) -> Paper | None:
    """The known paper a name or alias stands for (None if unknown)."""
    if not name:
        return None
    return _paper_index().get(name.strip())


def canonical_paper(name: str | None) -> str | None:
    """Canonical name for a paper name or alias; unknown names are kept as given."""
    if not name or not name.strip():
        return None
    paper = find_paper(name)
    return paper.name if paper else name.strip()


def paper_city(name: str | None) -> str | None:
    """Home city of a paper (for 我市), None for province/national papers."""
    paper = find_paper(name)
    return paper.city if paper else None


def is_agency(name: str | None) -> bool:
    paper = find_paper(name)
    return bool(paper and paper.agency)


# --- names -----------------------------------------------------------------------

# 百家姓 and other surnames seen in the north-east (incl. Korean-Chinese ones).
_SURNAMES = set(
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏"
    "潘葛奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅"
    "皮卞齐康伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝"
    "董梁杜阮蓝闵席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫"
    "经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿"
    "储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘"
    "景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴胥能苍双闻莘党翟谭贡劳"
    "逄姬申扶堵冉宰郦雍却璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向"
    "古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛"
    "阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公晋楚闫法汝鄢涂钦岳帅缑亢况"
    "琴商牟佘佴伯赏墨哈谯笪年爱阳佟言福代付肖覃谌冼揭粟甯禤仝才矫隋初修战衣迟丛由位展伞门"
    "朴玄南千太延兰原母麦过么植敬练来要邸苑睢银玉鹿辜亓綦逢种旷宾但尧智奉闭"
)
_COMPOUND_SURNAMES = {
    "万俟", "司马", "上官", "欧阳", "夏侯", "诸葛", "闻人", "东方", "赫连", "皇甫", "尉迟",
    "公羊", "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠", "公孙", "仲孙",
    "轩辕", "令狐", "钟离", "宇文", "长孙", "慕容", "鲜于", "闾丘", "司徒", "司空", "端木",
    "呼延", "南宫", "拓跋", "百里", "东郭", "西门", "第五", "爱新",
}  # fmt: skip
# The most frequent surnames: used to pick between several ways to split glued names.
_COMMON_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧"
    "耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙"
    "鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连麦褚娄窦戚岑景党宫费卜冷晏席卫米柏"
    "宗瞿桂全佟应臧闵邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟官封谈匡鞠惠"
    "荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺代朴文"
)
COMMON_SURNAMES = frozenset(_COMMON_SURNAMES)  # public: tags use it to spot names

# Characters that never occur in a name and words that are not names: they keep
# body sentences that mention 记者 (记者了解到, 接受记者采访) from reading as bylines.
_NOT_NAME_CHARS = set("了们的从到是说讯电摄访悉诉称据等并及对把被让这那其该各都也就还又再已")
_NOT_NAMES = {
    "采访", "了解", "获悉", "表示", "介绍", "告诉", "报道", "摄影", "发现", "调查", "看到",
    "注意", "走访", "暗访", "联系", "询问", "提问", "见到", "来到", "所见", "一行", "同志",
    "朋友", "本人", "日前", "近日", "今天", "昨天", "当天", "现场", "随后", "目前",
}  # fmt: skip

_NAME_TOKEN_RE = re.compile(rf"[{_CJK}]+(?:[·•][{_CJK}]+)*")


def _surname_of(name: str) -> str | None:
    if name[:2] in _COMPOUND_SURNAMES:
        return name[:2]
    if name[:1] in _SURNAMES:
        return name[:1]
    return None


def _plausible_name(name: str, *, strict: bool) -> bool:
    """Could ``name`` be a person's name? ``strict`` also demands a known surname."""
    if not _NAME_TOKEN_RE.fullmatch(name):
        return False
    if name in _NOT_NAMES or any(word in name for word in _NOT_NAMES if len(word) > 1):
        return False
    if any(ch in _NOT_NAME_CHARS for ch in name):
        return False
    if "·" in name or "•" in name:  # minority names: 阿依古丽·买买提
        return 3 <= len(name) <= 20
    if not 2 <= len(name) <= 4:
        return False
    if len(name) == 4 and name[:2] not in _COMPOUND_SURNAMES and strict:
        return False
    return not strict or _surname_of(name) is not None


def _segmentations(s: str, max_parts: int = 4) -> Iterable[list[str]]:
    if not s:
        yield []
        return
    if max_parts == 0:
        return
    for size in (2, 3, 4):
        if size <= len(s):
            for rest in _segmentations(s[size:], max_parts - 1):
                yield [s[:size], *rest]


def split_glued_names(chunk: str) -> list[str] | None:
    """Split names written without spaces (``刘勃张宽``), if that can be done one way.

    Each name is 2–4 characters and starts with a surname (4 only with a compound
    surname). When several splits fit, the one whose names all start with a common
    surname wins; when that still leaves a choice, the chunk is ambiguous: None.
    """
    return _split_glued(chunk)[0]


def _split_glued(chunk: str) -> tuple[list[str] | None, bool]:
    """(names or None, ambiguous)."""
    if len(chunk) <= 3:
        return ([chunk] if _plausible_name(chunk, strict=False) else None), False
    if len(chunk) > 12:
        return None, False
    valid = []
    for parts in _segmentations(chunk):
        if all(
            _plausible_name(p, strict=True) and (len(p) < 4 or p[:2] in _COMPOUND_SURNAMES)
            for p in parts
        ):
            valid.append(parts)
    if len(valid) == 1:
        return valid[0], False
    common = [
        parts
        for parts in valid
        if all(
            (p[:2] in _COMPOUND_SURNAMES and len(p) in (3, 4))
            or (p[:1] in _COMMON_SURNAMES and len(p) in (2, 3))
            for p in parts
        )
    ]
    if len(common) == 1:
        return common[0], False
    return None, len(valid) > 1


# --- bylines ---------------------------------------------------------------------


@dataclass(frozen=True)
class Byline:
    """A parsed byline. ``paper`` is None for 本报 or a bare 记者 (caller resolves)."""

    paper: str | None
    reporters: list[str]
    roles: dict[str, str]  # name -> role, for roles other than plain 记者
    photo: bool


_ROLE_MODS = (
    r"(?:全媒体|融媒体|新媒体|首席|资深|见习|实习|特约|特派|摄影|视频|驻[\u4e00-\u9fff]{1,3}?)"
)
_ROLE_BASES = r"(?:记者|通讯员|实习生|评论员|撰稿人|编辑|摄影|摄像)"
_ROLE = rf"(?:{_ROLE_MODS}?{_ROLE_BASES})"
_ROLE_RE = re.compile(_ROLE)
_GENERIC_PAPER = (
    rf"[{_CJK}]{{2,8}}?(?:日报|晚报|早报|晨报|时报|商报|都市报|报|通讯社|新闻社|"
    r"广播电视台|电视台|融媒体中心|网)"
)
# A team signing for its paper: 光明日报调研组, 本报评论员.
_TEAM_RE = re.compile(
    rf"^(?P<paper>[{_CJK}]{{2,10}}?)(?:联合)?(?:调研组|调查组|采访组|课题组|报道组|特约评论员|评论员)$"
)
# A credit of names only: 徐守俊/摄, 张三 李四 摄.
_NAMES_CREDIT_RE = re.compile(
    rf"^(?P<names>[{_CJK}·]{{2,5}}(?:[{_WS}、]+[{_CJK}·]{{2,5}}){{0,3}})[{_WS}]*[/／]?[{_WS}]*(?:摄影|摄)$"
)
_PHOTO_SUFFIX = r"(?:摄影|摄|供图|图)"
_OTHER_SUFFIX = r"(?:报道|发|整理|编译|采写)"
_LEAD_MARK_RE = re.compile(
    r"^(?:(?:文\s*[/／·|｜]\s*图|图\s*[/／·|｜]\s*文|文图)\s*[/／:：·|｜]?|[文图]\s*[/／:：·|｜])\s*"
)
_OPEN = "(（[【〔"
_CLOSE = ")）]】〕"
_TRAIL_PUNCT = "。，,；;：:.！!、 \t\u3000"


@lru_cache(maxsize=1)
def _known_paper_re() -> re.Pattern[str]:
    forms = sorted(_paper_index(), key=len, reverse=True)
    return re.compile("|".join(re.escape(f) for f in forms))


@dataclass(frozen=True)
class _Prefix:
    paper: str | None  # canonical name; None for 本报
    text: str  # the prefix as printed, e.g. "吉林日报"


def _match_paper_prefix(s: str, *, generic: bool = True) -> _Prefix | None:
    """A paper name at the start of ``s`` that is followed by a role word."""
    m = _known_paper_re().match(s)
    if m and _ROLE_RE.match(s, m.end()):
        return _Prefix(_paper_index()[m.group()].name, m.group())
    if s.startswith("本报") and _ROLE_RE.match(s, 2):
        return _Prefix(None, "本报")
    if generic:
        m = re.match(_GENERIC_PAPER, s)
        if m and _ROLE_RE.match(s, m.end()):
            return _Prefix(m.group(), m.group())
    return None


def _strip_wrapping(text: str) -> str:
    t = text.strip().strip(_TRAIL_PUNCT)
    while len(t) >= 2 and t[0] in _OPEN and t[-1] in _CLOSE:
        t = t[1:-1].strip()
    return t


def _parse_people(rest: str, *, strict: bool) -> tuple[list[str], dict[str, str], bool] | None:
    """``记者 张三 李四 实习生 王五 摄`` -> reporters, roles, photo; None if not that."""
    rest = rest.strip()
    photo = False
    m = _LEAD_MARK_RE.match(rest)
    if m:
        photo = "图" in m.group()
        rest = rest[m.end() :]
    roles_at = list(_ROLE_RE.finditer(rest))
    if not roles_at:
        return None
    if rest[: roles_at[0].start()].strip(_WS + "/／"):
        return None  # something other than a role before the first role word
    reporters: list[str] = []
    roles: dict[str, str] = {}
    for i, role_m in enumerate(roles_at):
        end = roles_at[i + 1].start() if i + 1 < len(roles_at) else len(rest)
        chunk = rest[role_m.end() : end].strip(_WS + "、，,/／：:")
        role = role_m.group()
        last = i + 1 == len(roles_at)
        if last:
            # Glued to the last name only where no name ends so (潘硕摄, 李四报道);
            # 图 and 发 end real names (张宏图, 李建发), so those need a space.
            suffix = re.search(
                rf"(?:(?:^|[{_WS}])({_PHOTO_SUFFIX}|{_OTHER_SUFFIX})"
                rf"|(?<=[{_CJK}])(摄影|摄|供图|报道|整理|编译|采写))$",
                chunk,
            )
            word = suffix and (suffix.group(1) or suffix.group(2))
            at = suffix and suffix.start(1 if suffix.group(1) else 2)
            if suffix and not (at == 0 and role in ("摄影", "摄像")):
                stripped = chunk[:at].rstrip(_WS)
                names_if_stripped = stripped.split()
                # "潘硕摄": strip only if what is left still reads as names.
                if stripped and all(
                    _plausible_name(n, strict=False) or split_glued_names(n)
                    for n in names_if_stripped
                ):
                    photo = photo or word in ("摄", "摄影", "供图", "图")
                    chunk = stripped
        tokens = [t for t in re.split(rf"[{_WS}、，,/／]+", chunk) if t]
        if role in ("摄影记者", "摄影", "摄像"):
            photo = True
        if not tokens:
            if role in ("评论员", "编辑", "摄影") or (last and role.endswith("评论员")):
                continue
            return None
        names: list[str] = []
        for token in tokens:
            if len(tokens) > 1 or len(token) <= 3 or "·" in token:
                if not _plausible_name(token, strict=strict):
                    return None
                names.append(token)
            else:
                parts, ambiguous = _split_glued(token)
                if parts is None:
                    # Several ways to split: keep the names together rather than guess.
                    if not (ambiguous or _plausible_name(token, strict=True)):
                        return None
                    parts = [token]
                names.extend(parts)
        base = re.search(f"{_ROLE_BASES}$", role).group()
        label = None
        if base != "记者" or role.startswith(("摄影", "实习")):
            label = role
        for name in names:
            if name not in reporters:
                reporters.append(name)
            if label:
                roles.setdefault(name, label)
    return reporters, roles, photo


def _parse_byline(text: str, *, strict: bool = False) -> tuple[Byline, _Prefix | None] | None:
    t = _strip_wrapping(text)
    if not t:
        return None
    dl = parse_dateline(t)
    if dl is not None and not dl[1].strip():
        dateline, _rest, byline = dl
        if byline is None:
            return None
        return byline, None
    team = _TEAM_RE.match(t)
    if team and (team.group("paper") == "本报" or find_paper(team.group("paper"))):
        paper = None if team.group("paper") == "本报" else canonical_paper(team.group("paper"))
        return Byline(paper, [], {}, False), None
    credit = _NAMES_CREDIT_RE.match(t)
    if credit:
        names = [n for n in re.split(rf"[{_WS}、]+", credit.group("names")) if n]
        if all(_plausible_name(n, strict=True) for n in names):
            return Byline(None, names, {}, True), None
    mark = _LEAD_MARK_RE.match(t)
    lead = t[mark.end() :] if mark else t
    agency_photo = re.match(r"(.+?)发", lead)
    if agency_photo and find_paper(agency_photo.group(1)):  # 新华社发 (王五 摄): a picture
        name = canonical_paper(agency_photo.group(1))
        prefix = _Prefix(name, agency_photo.group(1))
        rest = lead[agency_photo.end() :].strip()
        if not rest or re.fullmatch(_PHOTO_SUFFIX, rest):
            return Byline(name, [], {}, True), prefix
        people = _parse_people("摄影 " + rest, strict=strict)
        if people is None:
            return None
        return Byline(name, people[0], {}, True), prefix
    prefix = _match_paper_prefix(lead)
    body = lead[len(prefix.text) :] if prefix else lead
    people = _parse_people((mark.group() if mark else "") + body, strict=strict)
    if people is None:
        return None
    reporters, roles, photo = people
    paper = prefix.paper if prefix else None
    return Byline(paper, reporters, roles, photo), prefix


def parse_byline(text: str) -> Byline | None:
    """Parse a byline; None if ``text`` is not one.

    ``'吉林日报记者 金泽文 实习生 高源'`` -> ``Byline('吉林日报', ['金泽文', '高源'],
    {'高源': '实习生'}, False)``. ``本报`` and a bare ``记者`` give ``paper=None``.
    A dateline with nothing after it (``本报讯(记者徐慕旗)``) is read too.
    """
    parsed = _parse_byline(text)
    return parsed[0] if parsed else None


def byline_prefix(text: str) -> str | None:
    """The printed prefix up to the first role word: ``吉林日报记者``, ``本报记者``."""
    t = _strip_wrapping(text)
    mark = _LEAD_MARK_RE.match(t)
    if mark:
        t = t[mark.end() :]
    prefix = _match_paper_prefix(t)
    start = len(prefix.text) if prefix else 0
    m = _ROLE_RE.match(t, start)
    return t[: m.end()] if m else None


_BOUNDARY_BEFORE = set(_WS + '。！？!?；;”"」』）)…')


def find_byline_in_line(line: str) -> tuple[str, str] | None:
    """Split a line that ends with a byline into ``(body_part, byline_part)``.

    ``'…实现合 吉林日报记者 张伟国 代黎黎'`` -> ``('…实现合', '吉林日报记者 张伟国 代黎黎')``;
    a line that is only a byline gives ``('', byline)``. Body sentences that merely
    mention 记者 (记者从…了解到, 接受记者采访, 告诉记者) give None.
    """
    s = line.rstrip(_WS + "\r\n")
    lead = len(s) - len(s.lstrip(_WS))
    if not s.strip():
        return None
    # A whole-line 本报评论员 / 本报特约评论员 signature.
    if re.fullmatch(rf"[{_WS}]*本报(?:特约)?评论员[{_WS}]*", s):
        return "", s.strip()
    # A dateline alone on its line: 本报讯(记者景洋)
    dl = parse_dateline(s)
    if dl and not dl[1].strip() and dl[2] and dl[2].reporters:
        return "", s.strip()
    # A parenthesised byline closing the line: …。(记者 张三)
    m = re.search(r"[(（]([^()（）]{2,40})[)）]$", s)
    if m:
        inner = m.group(1).strip()
        parsed = _parse_byline(inner)
        starts_ok = bool(_match_paper_prefix(inner) or _ROLE_RE.match(inner))
        if parsed and parsed[0].reporters and starts_ok:
            return s[: m.start()].strip(), m.group()
    candidates: list[tuple[int, bool]] = []  # (start, known paper prefix)
    for pm in _known_paper_re().finditer(s):
        candidates.append((pm.start(), True))
    for pm in re.finditer("本报", s):
        candidates.append((pm.start(), True))
    for rm in _ROLE_RE.finditer(s):
        candidates.append((rm.start(), False))
    for start, known in sorted(set(candidates)):
        if start < lead:
            continue
        tail = s[start:]
        prefix = _match_paper_prefix(tail, generic=False) if known else None
        if known and prefix is None:
            continue
        before = s[start - 1] if start > lead else ""
        at_boundary = start == lead or before in _BOUNDARY_BEFORE
        if not known and not at_boundary:
            # A generic paper name ("长春晚报记者") must itself start at a boundary;
            # a bare role word glued to text is a body sentence (接受记者采访).
            continue
        parsed = _parse_byline(tail, strict=not (known or start == lead))
        if parsed is None:
            continue
        byline, _ = parsed
        if not byline.reporters:
            continue
        return s[:start].strip(), tail.strip()
    # A generic paper name right after a boundary: "…。某某报记者 王五"
    for gm in re.finditer(_GENERIC_PAPER, s):
        start = gm.start()
        if not (start == lead or s[start - 1] in _BOUNDARY_BEFORE):
            continue
        if not _ROLE_RE.match(s, gm.end()):
            continue
        parsed = _parse_byline(s[start:], strict=True)
        if parsed and parsed[0].reporters:
            return s[:start].strip(), s[start:].strip()
    return None


# --- datelines -------------------------------------------------------------------

_DATE_PART = r"(?:(?:19|20)\d{2}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日"


@lru_cache(maxsize=1)
def _dateline_re() -> re.Pattern[str]:
    known = "|".join(re.escape(f) for f in sorted(_paper_index(), key=len, reverse=True))
    org = rf"(?:本报|{known}|[{_CJK}]{{2,8}}?(?:日报|晚报|报|社|网|在线|客户端))"
    return re.compile(
        rf"^[{_WS}]*(?P<head>(?:据)?(?P<org>{org})"
        rf"(?P<place>[{_CJK}·]{{0,10}}?)[{_WS}]*(?P<date>{_DATE_PART})?[{_WS}]*(?P<kind>讯|电|消息))"
    )


def parse_dateline(paragraph: str) -> tuple[str, str, Byline | None] | None:
    """Split a dateline off the start of a paragraph.

    ``'本报2月7日讯(记者景洋)记者从…'`` -> ``('本报2月7日讯(记者景洋)', '记者从…',
    Byline(None, ['景洋'], {}, False))``. Also ``本报讯(…)``, ``本报长春2月7日讯 记者
    … 报道``, ``新华社北京2月7日电(记者 …)``, with full-width or ASCII brackets.
    None when the paragraph does not start with a dateline.
    """
    m = _dateline_re().match(paragraph)
    if not m:
        return None
    place = m.group("place") or ""
    if _ROLE_RE.search(place) or "本报" in place:
        return None  # 本报记者王五电… is not a dateline
    org = m.group("org")
    paper = None if org == "本报" else canonical_paper(org)
    pos = m.end()
    byline: Byline | None = None
    rest_start = pos
    after = paragraph[pos:]
    stripped = after.lstrip(_WS)
    offset = pos + len(after) - len(stripped)
    if m.group("kind") == "消息":
        if stripped[:1] not in _OPEN:
            return None  # 消息 is a dateline only with its reporter in brackets
        if not find_paper(org):
            paper = None  # a site's lead (国际在线…消息): the printing paper is another
    if stripped[:1] in _OPEN:
        close = re.match(r"[(（\[【〔]([^()（）\[\]【】〔〕]{1,60})[)）\]】〕]", stripped)
        if close:
            inner = close.group(1)
            parsed = _parse_byline(inner) or _parse_byline("记者 " + inner.strip(_WS), strict=True)
            if parsed:
                b, prefix = parsed
                byline = Byline(b.paper or paper, b.reporters, b.roles, b.photo)
                rest_start = offset + close.end()
    elif _ROLE_RE.match(stripped):
        # 本报长春2月7日讯 记者 张三 李四 报道 …  /  …讯 记者 张三 …
        reported = re.match(r"([^。，,；;]{2,40}?)(?:报道|摄)", stripped)
        if reported:
            parsed = _parse_byline(reported.group())
            if parsed:
                b, _ = parsed
                byline = Byline(b.paper or paper, b.reporters, b.roles, b.photo)
                rest_start = offset + reported.end()
        if byline is None:
            # role + space-separated names, then a space before the body.
            spaced = re.match(
                rf"{_ROLE}(?:[{_WS}]*[{_CJK}·]{{2,4}}(?=[{_WS}]))+(?:[{_WS}]+{_ROLE}"
                rf"(?:[{_WS}]*[{_CJK}·]{{2,4}}(?=[{_WS}]))+)*",
                stripped,
            )
            if spaced:
                parsed = _parse_byline(spaced.group())
                if parsed:
                    b, _ = parsed
                    byline = Byline(b.paper or paper, b.reporters, b.roles, b.photo)
                    rest_start = offset + spaced.end()
    if byline is None and paper is not None:
        byline = Byline(paper, [], {}, False)
    dateline = paragraph[len(paragraph) - len(paragraph.lstrip(_WS)) : rest_start].strip()
    rest = paragraph[rest_start:].lstrip(_WS + "：:，,")
    return dateline, rest, byline


def dateline_head(dateline: str) -> str | None:
    """The dateline without its byline: ``本报2月7日讯``."""
    m = _dateline_re().match(dateline)
    return m.group("head").strip() if m else None


# --- paper resolution -------------------------------------------------------------


@dataclass
class Claim:
    """What an article's own dateline and byline say about its paper."""

    paper: str | None  # explicit paper named in byline or dateline
    how: str | None  # paper_source for the explicit paper
    own: bool  # 本报 or a bare 记者: "this paper", to be resolved
    reporters: list[str]


def claim_of(dateline: str | None, byline: str | None, reporters: list[str]) -> Claim:
    """The ``Claim`` of an article with this dateline, byline and reporters
    (a pure function of them: ``enrich`` memoises it with the reporters)."""
    reporters = list(reporters)
    own = False
    for text in (dateline, byline):
        if not text:
            continue
        dl = parse_dateline(text)
        if dl is not None:
            parsed = dl[2]
            how = f"电头“{dateline_head(text) or text.strip()}”"
        else:
            parsed = parse_byline(text)
            how = f"署名“{byline_prefix(text) or text.strip()}”"
        if parsed and not reporters:
            reporters = list(parsed.reporters)
        if parsed and parsed.paper:
            return Claim(parsed.paper, how, False, reporters)
        if dl is not None or parsed is not None:
            own = True
    return Claim(None, None, own, reporters)


def _files(article: Article) -> list[str]:
    seen: list[str] = []
    for source in article.sources:
        if source.file not in seen:
            seen.append(source.file)
    return seen


SIDEBAR_GAP = 2  # lines between a news item and the profile printed beside it


def _sidebar_papers(articles: list[Article], claims: list[Claim]) -> dict[int, str]:
    """Unsigned items followed on their page by a signed sidebar (…简历): the
    sidebar's byline closes the item too, so they share its paper."""
    found: dict[int, str] = {}
    starts: dict[tuple[str, int], tuple[Article, Claim]] = {}
    for article, claim in zip(articles, claims, strict=True):
        if article.kind == "profile":
            first = article.sources[0]
            starts[(first.file, first.first_line)] = (article, claim)
    if not starts:
        return found
    for article, claim in zip(articles, claims, strict=True):
        if claim.paper or claim.reporters or article.kind == "profile" or article.byline:
            continue
        last = article.sources[-1]
        for gap in range(1, SIDEBAR_GAP + 2):
            hit = starts.get((last.file, last.last_line + gap))
            if hit and hit[1].paper and not is_agency(hit[1].paper):
                found[id(article)] = hit[1].paper
                break
    return found


def resolve_paper(articles: list[Article], claims: list[Claim] | None = None) -> None:
    """Set ``paper`` and ``paper_source`` on every article.

    Order of trust: a paper named in the byline or dateline (吉林日报记者,
    新华社…电); the page metadata; for 本报 / bare 记者 bylines and unsigned items,
    the one paper the rest of the page points to (other bylines on the same page
    file name it, or the page's 本报 reporters sign with it elsewhere in the
    corpus); then the reporter's own bylines elsewhere. Otherwise None: a paper is
    never guessed. ``claims``: each article's ``claim_of`` (made here if not given).
    """
    if claims is None:
        claims = [claim_of(a.dateline, a.byline, a.reporters) for a in articles]

    # Reporter -> papers they sign for by name (newspapers only, not agencies).
    signs_for: dict[str, set[str]] = defaultdict(set)
    for claim in claims:
        if claim.paper and not is_agency(claim.paper):
            for name in claim.reporters:
                signs_for[name].add(claim.paper)

    def by_reporters(names: Iterable[str]) -> tuple[set[str], list[str]]:
        papers: set[str] = set()
        who: list[str] = []
        for name in names:
            if signs_for.get(name):
                papers |= signs_for[name]
                who.append(name)
        return papers, who

    # Page file -> evidence for "the paper of this page".
    named_on_page: dict[str, set[str]] = defaultdict(set)
    own_on_page: dict[str, list[str]] = defaultdict(list)
    for article, claim in zip(articles, claims, strict=True):
        for file in _files(article):
            if claim.paper and not is_agency(claim.paper):
                named_on_page[file].add(claim.paper)
            elif claim.own:
                own_on_page[file].extend(claim.reporters)

    sidebars = _sidebar_papers(articles, claims)
    for article, claim in zip(articles, claims, strict=True):
        if claim.paper:
            article.paper, article.paper_source = claim.paper, claim.how
            continue
        if article.meta.paper:
            article.paper = canonical_paper(article.meta.paper)
            from_header = "paper" in article.meta.header_fields
            article.paper_source = f"版头（{article.meta.header}）" if from_header else "元数据"
            continue
        article.paper = article.paper_source = None
        sidebar = sidebars.get(id(article))
        if sidebar is not None:  # the profile beside a news item closes both with its byline
            article.paper = sidebar
            article.paper_source = f"紧随其后的附栏署名{sidebar}"
            continue
        # Page context: the other articles on the same page file(s). This article
        # names no paper, so it is not among named_on_page itself.
        named: set[str] = set()
        via_reporters: set[str] = set()
        via: list[str] = []
        for file in _files(article):
            named |= named_on_page.get(file, set())
            page_papers, page_who = by_reporters(
                n for n in own_on_page.get(file, []) if n not in claim.reporters
            )
            via_reporters |= page_papers
            via.extend(w for w in page_who if w not in via)
        page = named | via_reporters
        own_papers, own_who = by_reporters(claim.reporters)
        if claim.own and len(own_papers) == 1 and (not page or page == own_papers):
            paper = next(iter(own_papers))
            article.paper = paper
            article.paper_source = f"记者{'、'.join(own_who)}在其他稿件署名{paper}"
            continue
        if own_papers and page and page != own_papers:
            continue  # the page and the reporter disagree: leave it open
        if len(page) == 1:
            paper = next(iter(page))
            if paper in named:
                how = f"同版其他稿件署名{paper}"
            else:
                how = f"同版记者{'、'.join(via)}在其他稿件署名{paper}"
            if not claim.own:
                how += "（本稿无署名）"
            article.paper, article.paper_source = paper, how
