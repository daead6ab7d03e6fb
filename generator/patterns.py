"""Regular expressions for the layout of Chinese newspaper pages.

Shared by the clean and split stages. They describe general conventions
(bylines, datelines, page-jump markers, banners), never specific articles.
"""

from __future__ import annotations

import re

HAN = "\u4e00-\u9fff\u3400-\u4dbf"
# CJK punctuation and full-width forms that may touch Han text without a space.
CJK_PUNCT = "\u3000-\u303f\uff00-\uffef\u2014\u2026\u201c\u201d\u2018\u2019\u00b7"
HAN_RE = re.compile(f"[{HAN}]")
HAN_RUN_RE = re.compile(f"[{HAN}]+")
_HAN_RUN_RE = HAN_RUN_RE

# A person's name in a byline: 2-4 Han characters (minority names may use ·).
NAME = f"[{HAN}][{HAN}·]{{1,5}}"
_PAPER = f"(?:[{HAN}]{{2,8}}?(?:日报|晚报|早报|商报|时报|报|通讯社|社|电视台|台|网|客户端))"
_ROLE = "(?:全媒体|融媒体|见习|特约|首席|驻[^\\s记]{1,4})?记者|通讯员|实习生|摄影|摄影记者"

# A byline standing at the end of a line: '吉林日报记者 邱国强',
# '城市晚报全媒体记者 陆续', '本报记者 潘硕 摄', '吉林日报记者 金泽文 实习生 高源'.
BYLINE_TAIL_RE = re.compile(
    rf"(?:^|(?<=[\s。！？!?；;”」』）)]))\s*"
    rf"(?P<byline>(?:{_PAPER}|本报)?(?:{_ROLE})(?:\s*{NAME}){{1,4}}"
    rf"(?:\s+(?:{_ROLE})(?:\s*{NAME}){{1,3}})*(?:\s*摄)?)\s*$"
)
# Every byline holds one of these role words (see _ROLE): a line without one has none.
BYLINE_ROLE_RE = re.compile("记者|通讯员|实习生|摄影")
# A photo credit: '本报记者 潘硕 摄', '张三 摄', '（新华社记者 李四 摄）', '长春市文旅局供图'.
PHOTO_CREDIT_RE = re.compile(
    rf"^[（(]?(?:{_PAPER}|本报)?(?:{_ROLE})?\s*(?:{NAME}\s*){{1,3}}[/／]?\s*(?:摄|供图)[)）]?\s*$"
)
# A photo credit glued to the end of its caption: '…的情景。潘立丽摄', '…。新华社记者 张三 摄'.
GLUED_CREDIT_RE = re.compile(
    rf"(?<=[。！？!?”）)])\s*(?P<credit>[（(]?(?:{_PAPER}|本报)?(?:{_ROLE})?\s*(?:{NAME}\s*){{1,3}}"
    rf"[/／]?\s*(?:摄|供图)[)）]?)\s*$"
)
# A byline with a colon: '记者：周万鹏', '本报记者：张三 李四'.
COLON_BYLINE_RE = re.compile(
    rf"(?:{_PAPER}|本报)?(?:{_ROLE})\s*[：:]\s*{NAME}(?:\s*[、，,\s]\s*{NAME}){{0,3}}"
)
# A team's byline under a title: '光明日报调研组', '本报评论员'.
TEAM_BYLINE_RE = re.compile(
    rf"(?:{_PAPER}|本报)(?:联合)?(?:调研组|调查组|采访组|课题组|报道组|特约评论员|评论员)"
)

# A dateline opening the first paragraph: 本报2月7日讯(记者景洋) / 本报讯 / 据新华社电 /
# 本报长春2月7日讯 / 新华社北京2月7日电(记者…).
DATELINE_RE = re.compile(
    rf"^(?P<dateline>(?:据)?(?:本报|{_PAPER}|新华社|中新社)"
    rf"[{HAN}]{{0,6}}?(?:\d{{1,2}}月\d{{1,2}}日)?(?:讯|电)"
    rf"(?:\s*[（(][^（()）]{{0,40}}[)）])?)\s*"
)

# A reprint's source line closing an article: （来源：人民日报）, 据《光明日报》, 摘自新华网.
SOURCE_CREDIT_RE = re.compile(
    rf"^[（(]?\s*(?:来源|稿源|摘自|转自|转载自|据)\s*[：:]?\s*《?[{HAN}A-Za-z·]{{2,16}}》?"
    rf"(?:\s*[{HAN}]{{0,4}}(?:报道|消息))?\s*[)）]?$"
)

# A news site's lead naming its reporter: 国际在线吉林频道消息（姜彦艳）：
SITE_LEAD_RE = re.compile(
    rf"^(?P<dateline>[{HAN}A-Za-z]{{2,14}}?(?:消息|讯|电|报道)\s*[（(][{HAN}·\s、，,]{{2,24}}[)）])"
    r"\s*[：:]?\s*"
)

# Page-jump markers: (上接第一版) at the start, (下转第三版) at the end.
JUMP_FROM_RE = re.compile(
    r"^\s*[（(]\s*上接第?(?P<page>[0-9一二三四五六七八九十百A-Za-z]+)版\s*[)）]\s*"
)
JUMP_TO_RE = re.compile(
    r"\s*[（(]\s*下转第?(?P<page>[0-9一二三四五六七八九十百A-Za-z]+)版\s*[)）]\s*$"
)

# Sentence punctuation: a line holding any of these reads as prose.
PROSE_PUNCT_RE = re.compile("[，。；！？,;!?]")
# What a finished paragraph may end with.
TERMINAL_RE = re.compile("[。！？!?…；;：:”’」』）)】》—]$")

MD_HEADING_RE = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")

# A column banner: 3+ short slogans separated by spaces ('优环境 抓项目 强信心 开新局').
BANNER_RE = re.compile(rf"^[{HAN}]{{2,6}}(?:\s+[{HAN}]{{2,6}}){{2,}}$")


def han_count(text: str) -> int:
    """Number of Han characters in ``text``."""
    return sum(map(len, _HAN_RUN_RE.findall(text)))  # runs: far fewer strings than characters


def is_prose(text: str) -> bool:
    """True for a line that reads as running text rather than a headline."""
    return bool(PROSE_PUNCT_RE.search(text)) or len(text) > 48
