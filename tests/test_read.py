"""Adversarial input for the read stage (cases listed in tests/fixtures/bad/README.md).

Every committed fixture under ``tests/fixtures/bad/`` is defined in this module
(``fixture_files()``); ``test_committed_fixtures_match_definitions`` keeps the
files and the definitions in step, and ``PYTHONPATH=. python tests/test_read.py``
rewrites them. Large inputs (20 MB, 100,000 characters, a file over the size
limit) are made in ``tmp_path`` at test time instead of being committed.

Each test is one case and states the behaviour it expects. ``bad_input_case()``
keeps the tally printed at the end of the session by ``tests/conftest.py``:
a case is *handled* when the read stage behaved as specified, *crashed* when
it raised something it should have reported instead.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator.read import (
    LONG_LINE,
    MAX_BYTES,
    MetadataError,
    decode,
    parse_meta,
    read_corpus,
    read_meta,
    read_page_bytes,
    to_simplified,
)

BAD = Path(__file__).parent / "fixtures" / "bad"
TIME_LIMIT = 5.0  # seconds; every case must return well within this

# --- the tally printed by tests/conftest.py ---------------------------------

BAD_INPUT_TALLY = {"tried": 0, "handled": 0, "crashed": 0}


@contextmanager
def bad_input_case() -> Iterator[None]:
    """Count one case: handled if the block passes, crashed if the code raised."""
    BAD_INPUT_TALLY["tried"] += 1
    try:
        yield
    except AssertionError:
        raise  # returned, but not as specified
    except Exception:
        BAD_INPUT_TALLY["crashed"] += 1
        raise
    BAD_INPUT_TALLY["handled"] += 1


@contextmanager
def bounded(seconds: float = TIME_LIMIT, megabytes: float | None = None) -> Iterator[None]:
    """Assert the block returns within ``seconds`` and peaks under ``megabytes``."""
    if megabytes is not None:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        peak = 0
        if megabytes is not None:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.2f} s (limit {seconds} s)"
    if megabytes is not None:
        assert peak < megabytes * 2**20, f"peak memory {peak / 2**20:.0f} MB (limit {megabytes})"


def page_text(page) -> str:
    return "\n".join(line.text for line in page.lines)


def assert_named(problems, name: str) -> None:
    """Every problem names the file (and is a warning or an error)."""
    assert problems, "expected at least one problem"
    for problem in problems:
        assert problem.file == name, problem
        assert problem.level in ("warning", "error"), problem
        assert name in str(problem)


# --- fixture definitions ----------------------------------------------------

NEWS = (
    "长春市召开优化营商环境新闻发布会\n"
    "\n"
    "吉林日报讯（记者 张三）3月15日，长春市政府新闻办召开新闻发布会，介绍今年以来全市"
    "优化营商环境工作情况。据介绍，一季度全市新登记市场主体2.3万户，同比增长12.6%。"
    "“我们将继续深化‘放管服’改革，让企业办事更便捷。”市营商环境建设局负责人表示。\n"
    "\n"
    "吉林日报记者 张三\n"
)
# GB18030 only: 𠮷 (U+20BB7) needs a four-byte sequence, 䶮 (U+4DAE) is CJK Extension A.
NEWS_GB18030 = NEWS.replace(
    "表示。\n", "表示。当天，𠮷野家长春首店开业，店长王䶮介绍了新店情况。\n"
)
NEWS_HANT = (
    "長春市召開優化營商環境新聞發佈會\n"
    "\n"
    "吉林日報訊（記者 張三）3月15日，長春市政府新聞辦召開新聞發佈會，介紹今年以來全市"
    "優化營商環境工作情況。據介紹，一季度全市新登記市場主體2.3萬戶，同比增長12.6%。"
    "“我們將繼續深化‘放管服’改革，讓企業辦事更便捷。”市營商環境建設局負責人表示。\n"
    "\n"
    "吉林日報記者 張三\n"
)
BOM_LE, BOM_BE, BOM_UTF8 = b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf"


def _mixed_newlines(text: str) -> str:
    lines = text.split("\n")
    endings = ["\r\n", "\r", "\n"]
    return "".join(line + endings[i % 3] for i, line in enumerate(lines[:-1])) + lines[-1]


def _stray_bytes(text: str) -> bytes:
    """NEWS with a lone 0xFF and an overlong '/' (C0 AF) inside line 3."""
    head, tail = text.encode().split("全市".encode(), 1)
    return head + b"\xff" + "全市".encode() + b"\xc0\xaf" + tail


# name -> (bytes, decoded text decode() must return, encoding, problem fragment or None)
ENCODINGS: dict[str, tuple[bytes, str | None, str, str | None]] = {
    "enc_gb18030.txt": (NEWS_GB18030.encode("gb18030"), NEWS_GB18030, "gb18030", "GB18030"),
    "enc_gbk.txt": (NEWS.encode("gbk"), NEWS, "gb18030", "GB18030"),
    "enc_big5.txt": (NEWS_HANT.encode("big5"), NEWS_HANT, "big5", "BIG5"),
    "enc_utf16le_bom.txt": (BOM_LE + NEWS.encode("utf-16-le"), NEWS, "utf-16", None),
    "enc_utf16be_bom.txt": (BOM_BE + NEWS.encode("utf-16-be"), NEWS, "utf-16", None),
    "enc_utf16le_nobom.txt": (NEWS.encode("utf-16-le"), NEWS, "utf_16_le", "utf_16_le"),
    "enc_utf16be_nobom.txt": (NEWS.encode("utf-16-be"), NEWS, "utf_16_be", "utf_16_be"),
    "enc_utf8_bom.txt": (BOM_UTF8 + NEWS.encode(), NEWS, "utf-8", None),
    "enc_mixed_newlines.txt": (_mixed_newlines(NEWS).encode(), NEWS, "utf-8", None),
    # damaged files: the text is kept, the damage is reported
    "enc_utf8_truncated.txt": (NEWS.rstrip("\n").encode()[:-1], NEWS[:-2], "utf-8", "ends inside"),
    "enc_utf8_stray_bytes.txt": (_stray_bytes(NEWS), None, "utf-8", "line 3"),
    "enc_utf16_odd_length.txt": (
        BOM_LE + NEWS.encode("utf-16-le") + b"\x0a",
        None,
        "utf-16",
        "UTF-16",
    ),
    "enc_utf16_lone_surrogate.txt": (
        BOM_LE + NEWS.encode("utf-16-le").replace("全市".encode("utf-16-le"), b"\x00\xd8", 1),
        None,
        "utf-16",
        "UTF-16",
    ),
}
# what read_page_bytes must keep (after removing U+FFFD and converting Big5 to Simplified)
ENCODING_PAGE_TEXT = {
    "enc_gb18030.txt": NEWS_GB18030,
    "enc_big5.txt": NEWS,
    "enc_utf8_truncated.txt": NEWS[:-2],
    "enc_utf8_stray_bytes.txt": NEWS,
    "enc_utf16_odd_length.txt": NEWS,
    "enc_utf16_lone_surrogate.txt": NEWS.replace("全市", "", 1),
}

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a8e2e0b50000000049454e44ae426082"
)
PDF_TINY = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
NUL_TEXT = "吉林日报讯 长春市\x00今天召开\x00\x00新闻发布会。\n\n吉林日报记者\x00张三\n"

# name -> (bytes, level, message fragment, decoded text kept or None for no page)
BROKEN: dict[str, tuple[bytes, str, str, str | None]] = {
    "broken_empty.txt": (b"", "warning", "empty file", None),
    "broken_whitespace.txt": (b" \t\r\n  \n\t\r\n", "warning", "only whitespace", None),
    "broken_whitespace_fullwidth.txt": (
        ("\u3000\u3000\r\n\u3000\n").encode(),
        "warning",
        "only whitespace",
        None,
    ),
    "broken_whitespace_utf16.txt": (
        BOM_LE + " \r\n\t".encode("utf-16-le"),
        "warning",
        "whitespace",
        None,
    ),
    "broken_bom_only.txt": (BOM_UTF8, "warning", "byte-order mark", None),
    "broken_png.txt": (PNG_1X1, "error", "binary", None),
    "broken_pdf.txt": (PDF_TINY, "error", "binary", None),
    "broken_nul_heavy.txt": (b"\x00\xff\x00\xfe" * 256, "error", "NUL", None),
    "broken_nul_in_text.txt": (
        NUL_TEXT.encode(),
        "warning",
        "U+0000",
        NUL_TEXT.replace("\x00", ""),
    ),
    "broken_nul_in_gb18030.txt": (
        NUL_TEXT.encode("gb18030"),
        "warning",
        "U+0000",
        NUL_TEXT.replace("\x00", ""),
    ),
    "broken_only_controls.txt": (
        "\x00\x01\x02\u200b\u202e\x7f\n\x1b\x07\n".encode(),
        "warning",
        "no text left",
        None,
    ),
}


def _news_page(headline: str, *paragraphs: str) -> str:
    return "\n\n".join([headline, *paragraphs, "吉林日报记者 张三"]) + "\n"


# Content aimed at the rendered page. The read stage keeps it verbatim; later
# stages must render it inert (escaped, not executed, not interpreted).
CONTENT: dict[str, tuple[str, list[str]]] = {
    "content_script.txt": (
        _news_page(
            "网站留言区现可疑代码 专家提醒注意网络安全",
            "吉林日报讯（记者 张三）近日，长春市民李先生在某论坛留言区发现一段代码"
            "<script>alert(1)</script>，随即向网信部门反映。",
            "专家介绍，这类代码若未经处理直接显示在网页上，可能被用来窃取用户信息。"
            "另一段<SCRIPT SRC=//example.com/x.js></SCRIPT>代码同样值得警惕。",
        ),
        ["<script>alert(1)</script>", "<SCRIPT SRC=//example.com/x.js></SCRIPT>"],
    ),
    "content_img_onerror.txt": (
        _news_page(
            "图片无法显示？可能是网页被植入了恶意代码",
            "吉林日报讯（记者 张三）市网信办日前通报，一些网站的评论区出现了"
            "<img src=x onerror=alert(1)>这样的图片标签，图片加载失败时便会执行其中的脚本。",
            "工作人员提醒，网站运营者应对用户提交的内容进行过滤。",
        ),
        ["<img src=x onerror=alert(1)>"],
    ),
    "content_js_link.txt": (
        _news_page(
            "警惕“点我领红包”类钓鱼链接",
            "吉林日报讯（记者 张三）近期，不少市民收到写有[点我](javascript:alert(1))字样的消息，"
            "点击后页面会弹出对话框并索要个人信息。",
            "警方提示，对[免费领取](JavaScript:void(0))之类的链接要格外小心。",
        ),
        ["[点我](javascript:alert(1))", "[免费领取](JavaScript:void(0))"],
    ),
    "content_markdown.txt": (
        _news_page(
            "吉林日报推出数字报 读者可在线阅读",
            "吉林日报讯（记者 张三）读者可通过[吉林日报](https://www.example.com/)网站阅读数字报，"
            "版面截图如![版面截图](https://www.example.com/page1.png)所示。",
            "[1]: javascript:alert(1)",
            "# 这一行以井号开头但不是标题，**加粗**和*强调*以及`代码`也只是正文，"
            "<https://www.example.com> 也只是文字。",
            "> 这一行以大于号开头，| 竖线 | 分隔 | 也不是表格。",
        ),
        [
            "[吉林日报](https://www.example.com/)",
            "![版面截图](https://www.example.com/page1.png)",
            "[1]: javascript:alert(1)",
        ],
    ),
    "content_jinja.txt": (
        _news_page(
            "模板语法出现在稿件中 编辑部提醒规范录入",
            "吉林日报讯（记者 张三）录入稿件时，有工作人员误将{{ config }}和{% include 'x' %}"
            "等模板代码粘贴进正文。",
            "技术人员表示，像{{ ''.__class__.__mro__ }}、{# 注释 #}和{%- raw %}这样的内容"
            "应当原样显示，不能被执行。",
        ),
        ["{{ config }}", "{% include 'x' %}", "{{ ''.__class__.__mro__ }}", "{# 注释 #}"],
    ),
    "content_frontmatter.txt": (
        "专访：“一主六双”战略: 'title': \"下一步\" 怎么干？\n"
        "\n"
        "---\n"
        "title: 伪造的标题\n"
        "date: 1999-01-01\n"
        "---\n"
        "\n"
        "吉林日报讯（记者 张三）记者: 您好！受访者: \"谢谢\"。'单引号'和“双引号”都在这一段里，"
        "下面一行只有三个点。\n"
        "...\n"
        "\n"
        "吉林日报记者 张三\n",
        ["---", "title: 伪造的标题", "专访：“一主六双”战略: 'title': \"下一步\" 怎么干？", "..."],
    ),
    "content_admonition.txt": (
        "防汛工作进入关键期\n"
        "\n"
        '!!! note "注意"\n'
        "    吉林日报讯（记者 张三）这一段前面有一行提示框语法，本段是缩进的正文。\n"
        "\n"
        "??? warning\n"
        "    各地要加强巡查，确保安全度汛。\n"
        "\n"
        '=== "标签页"\n'
        "\n"
        "吉林日报记者 张三\n",
        ['!!! note "注意"', "??? warning", '=== "标签页"'],
    ),
    "content_attr_list.txt": (
        _news_page(
            "全省春耕备耕工作有序推进",
            "吉林日报讯（记者 张三）目前，全省春耕备耕工作有序推进{: .class}，"
            '农资供应充足{: #top onclick="alert(1)" }。',
            "{ .md-button }",
            "*[HTML]: 超文本标记语言",
        ),
        ["{: .class}", '{: #top onclick="alert(1)" }', "{ .md-button }", "*[HTML]: 超文本标记语言"],
    ),
    "content_entities.txt": (
        _news_page(
            "网页转义字符知多少",
            "吉林日报讯（记者 张三）在网页源代码中，&lt;script&gt;alert(1)&lt;/script&gt;"
            "会显示为一段文字，&amp;lt;则显示为&lt;。",
            "有时还能见到&#60;img src=x onerror=alert(1)&#62;、&#x3C;和&nbsp;等写法。",
        ),
        [
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "&amp;lt;",
            "&#60;img src=x onerror=alert(1)&#62;",
        ],
    ),
    "content_html_misc.txt": (
        _news_page(
            "网络安全宣传周活动启动",
            "吉林日报讯（记者 张三）活动现场展示了<!-- 未闭合的注释、"
            '<iframe src="javascript:alert(1)"></iframe>和<svg onload=alert(1)>等常见攻击代码。',
            "</textarea><style>body{display:none}</style>也是其中之一。```",
            "```",
        ),
        [
            "<!-- 未闭合的注释",
            '<iframe src="javascript:alert(1)"></iframe>',
            "<svg onload=alert(1)>",
        ],
    ),
}

# Bidi controls and zero-width characters: removed and reported with their line.
BIDI_TEXT = _news_page(
    "长春\u202e新区\u202c发布人才新政",
    "吉林日报讯（记者 张三）长春新区\u200b日前发布人才新政，"
    "\u2066对引进的高层次人才\u2069给予住房补贴。",
    "新政自发布之日起施行\u200d\u200e\u200f\u061c，\ufeff有效期三年。",
).replace("张三\n", "张\u200b三\n")
BIDI_LINES = {
    1: "U+202C, U+202E",
    3: "U+200B, U+2066, U+2069",
    5: "U+061C, U+200D, U+200E, U+200F, U+FEFF",
    7: "U+200B",
}

# --- metadata fixtures: meta/NAME.meta.yml, each with a page meta/NAME.txt --------------

META_PAGE = "吉林日报讯（记者 张三）长春市今天召开新闻发布会。\n"
BILLION_LAUGHS = (
    'lol1: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "lol2: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "lol3: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "lol4: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "lol5: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "lol6: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "lol7: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "lol8: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "lol9: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
    "paper: *i\n"
)

# stem -> (meta bytes, expected line, message fragment)
META: dict[str, tuple[bytes, int | None, str]] = {
    "malformed": ("paper: 吉林日报\ndate: [2024-03-15\npage: 1\n".encode(), 3, "malformed YAML"),
    "malformed_tab": ("paper: 吉林日报\n\tdate: 2024-03-15\n".encode(), 2, "malformed YAML"),
    "not_mapping": (b"- paper\n- date\n", 1, "mapping"),
    "date_words": ("paper: 吉林日报\ndate: 去年\n".encode(), 2, "date must be"),
    "date_impossible": ("paper: 吉林日报\ndate: 2024-13-45\n".encode(), 2, "invalid value"),
    "page_list": ("paper: 吉林日报\npage: [1,2]\n".encode(), 2, "page must be text, not list"),
    "page_huge_int": (("paper: 吉林日报\npage: " + "1" * 5000 + "\n").encode(), 2, "invalid value"),
    "unknown_key": ("paper: 吉林日报\nauthor: 张三\n".encode(), 2, "unknown key 'author'"),
    "alias_bomb": (BILLION_LAUGHS.encode(), 2, "aliases are not allowed"),
    "deep_nesting": (("paper: " + "[" * 5000 + "]" * 5000 + "\n").encode(), 1, "nested too deeply"),
    "python_tag": (b"paper: !!python/object/apply:os.system ['echo pwned']\n", 1, "constructor"),
    "paper_parent_dir": (b"city: x\npaper: ../../x\n", 2, "not allowed"),
    "city_absolute": ("paper: 吉林日报\ncity: /etc/passwd\n".encode(), 2, "not allowed"),
    "paper_windows_path": (b"paper: C:\\Windows\\system32\n", 1, "not allowed"),
    "paper_con": (b"paper: CON\n", 1, "reserved device name"),
    "page_nul": ("paper: 吉林日报\npage: NUL\n".encode(), 2, "reserved device name"),
    "paper_overlong": (("city: 长春\npaper: " + "a" * 5000 + "\n").encode(), 2, "length"),
    "paper_bidi": ('paper: "吉林\u202e报日"\n'.encode(), 1, "not allowed"),
    "not_utf8": ("date: 2024-03-15\npaper: 吉林日报\n".encode("gbk"), 2, "not UTF-8"),
    "not_utf8_utf16": (BOM_LE + "paper: 吉林日报\n".encode("utf-16-le"), 1, "not UTF-8"),
}
# A valid sidecar whose page name holds dots: NAME.txt -> NAME.meta.yml, not NAME-up-to-first-dot.
DOTTED_STEM = "dotted.2024.03.15"
DOTTED_META = (
    b"paper: \xe5\x90\x89\xe6\x9e\x97\xe6\x97\xa5\xe6\x8a\xa5\ndate: 2024-03-15\npage: A3\n"
)


def fixture_files() -> dict[str, bytes]:
    """Every committed file under tests/fixtures/bad/ except README.md."""
    files = {name: data for name, (data, *_rest) in ENCODINGS.items()}
    files.update({name: data for name, (data, *_rest) in BROKEN.items()})
    files.update({name: text.encode() for name, (text, _) in CONTENT.items()})
    files["content_bidi_zero_width.txt"] = BIDI_TEXT.encode()
    for stem, (meta, _line, _fragment) in META.items():
        files[f"meta/{stem}.meta.yml"] = meta
        files[f"meta/{stem}.txt"] = META_PAGE.encode()
    files[f"meta/{DOTTED_STEM}.meta.yml"] = DOTTED_META
    files[f"meta/{DOTTED_STEM}.txt"] = META_PAGE.encode()
    return files


def write_fixtures() -> None:
    for name, data in fixture_files().items():
        path = BAD / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def test_committed_fixtures_match_definitions():
    """The files on disk are exactly the ones defined here, and stay small."""
    files = fixture_files()
    on_disk = {
        p.relative_to(BAD).as_posix()
        for p in BAD.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    assert on_disk == set(files), "run: PYTHONPATH=. python tests/test_read.py"
    for name, data in files.items():
        assert (BAD / name).read_bytes() == data, name
    total = sum(p.stat().st_size for p in BAD.rglob("*") if p.is_file())
    assert total < 200 * 1024
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    for name in files:
        if not name.endswith(".meta.yml") and not name.startswith("meta/"):
            assert f"`{name}`" in readme, f"{name} is not described in README.md"
    for stem in META:
        assert f"`{stem}`" in readme, f"meta case {stem} is not described in README.md"


# --- encodings ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_encoding_decodes_exactly_or_reports(name):
    """Each encoding decodes to the exact text; anything not plain UTF-8 is reported."""
    data, expected, encoding, fragment = ENCODINGS[name]
    with bad_input_case():
        assert (BAD / name).read_bytes() == data
        with bounded():
            text, got_encoding, problem = decode(data)
            page, problems = read_page_bytes(name, data)
        assert got_encoding == encoding
        if expected is not None:
            assert text == expected
        assert page is not None
        assert page_text(page) == ENCODING_PAGE_TEXT.get(name, expected)
        assert [line.no for line in page.lines] == list(range(1, len(page.lines) + 1))
        if fragment is None:
            assert problem is None and problems == []
        else:
            assert fragment in (problem or "")
            assert_named(problems, name)
            assert all(p.level == "warning" for p in problems)


def test_big5_is_converted_to_simplified_and_reported():
    name = "enc_big5.txt"
    with bad_input_case():
        page, problems = read_page_bytes(name, (BAD / name).read_bytes())
        assert page is not None and page.script == "hant" and page.encoding == "big5"
        assert page_text(page) == to_simplified(NEWS_HANT) == NEWS
        assert any("Traditional" in p.message for p in problems)
        assert_named(problems, name)


def test_mixed_newlines_keep_line_numbers():
    """CRLF, CR and LF each end one line: line numbers match a universal-newline reader."""
    name = "enc_mixed_newlines.txt"
    data = (BAD / name).read_bytes()
    with bad_input_case():
        assert b"\r\n" in data and b"\r" in data.replace(b"\r\n", b"")
        page, problems = read_page_bytes(name, data)
        assert problems == []
        expected = data.decode().splitlines()
        assert [(line.no, line.text) for line in page.lines[: len(expected)]] == list(
            enumerate(expected, start=1)
        )


def test_stray_bytes_are_reported_with_their_line():
    name = "enc_utf8_stray_bytes.txt"
    with bad_input_case():
        page, problems = read_page_bytes(name, (BAD / name).read_bytes())
        assert page_text(page) == NEWS
        assert any(p.line == 3 and "U+FFFD" in p.message for p in problems)
        assert any("invalid UTF-8" in p.message for p in problems)
        assert_named(problems, name)


# --- broken files ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_is_reported(name):
    """Broken files return quickly with a warning or error naming the file."""
    data, level, fragment, kept = BROKEN[name]
    with bad_input_case():
        with bounded():
            page, problems = read_page_bytes(name, (BAD / name).read_bytes())
        assert_named(problems, name)
        assert any(p.level == level and fragment in p.message for p in problems), problems
        if kept is None:
            assert page is None
        else:
            assert page is not None and page_text(page) == kept


def test_nul_bytes_are_reported_per_line():
    name = "broken_nul_in_text.txt"
    with bad_input_case():
        _page, problems = read_page_bytes(name, (BAD / name).read_bytes())
        assert {p.line for p in problems} == {1, 3}
        assert all("U+0000" in p.message for p in problems)


def test_random_bytes_are_refused():
    name = "random.txt"
    data = random.Random(1234).randbytes(4096)
    with bad_input_case():
        with bounded():
            page, problems = read_page_bytes(name, data)
        assert page is None
        assert_named(problems, name)
        assert problems[0].level == "error" and "not UTF-8" in problems[0].message


def _hanzi_run(n: int) -> str:
    """``n`` Chinese characters without any punctuation or line break."""
    pool = "吉林省长春市人民政府今天召开新闻发布会介绍全省经济社会发展情况据了解"
    return (pool * (n // len(pool) + 1))[:n]


def test_20mb_without_newline(tmp_path):
    """A 20 MB file with no line break (cut mid-character) is read as one reported line."""
    size = 20 * 2**20
    data = (_hanzi_run(size // 3 + 1)).encode()[:size]
    (tmp_path / "huge.txt").write_bytes(data)
    with bad_input_case():
        with bounded(megabytes=300):
            corpus = read_corpus(tmp_path)
        [page] = corpus.pages
        assert len(page.lines) == 1
        assert page.lines[0].text == data.decode("utf-8", errors="ignore")
        assert_named(corpus.problems, "huge.txt")
        assert any("ends inside a UTF-8 character" in p.message for p in corpus.problems)
        assert any(p.line == 1 and "characters long" in p.message for p in corpus.problems)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_100k_characters_without_punctuation(encoding):
    """One 100,000-character "article" with no punctuation is kept whole and flagged."""
    name = f"long_{encoding}.txt"
    text = _hanzi_run(100_000)
    with bad_input_case():
        with bounded(megabytes=100):
            page, problems = read_page_bytes(name, text.encode(encoding))
        assert page is not None and page_text(page) == text
        assert_named(problems, name)
        long = [p for p in problems if "characters long" in p.message]
        assert len(long) == 1 and long[0].line == 1 and str(100_000) in long[0].message
        assert len(text) > LONG_LINE


def test_many_lines_with_controls_are_summarised():
    """Control characters on 500 lines: 20 reported by line, the rest summarised."""
    name = "controls.txt"
    text = "".join(f"第{i}行\x07内容\n" for i in range(500))
    with bad_input_case():
        with bounded():
            page, problems = read_page_bytes(name, text.encode())
        assert page_text(page) == text.replace("\x07", "")
        assert_named(problems, name)
        assert [p.line for p in problems[:20]] == list(range(1, 21))
        assert "480 more line" in problems[-1].message


def test_file_over_size_limit_is_refused_unread(tmp_path):
    """A sparse file over MAX_BYTES is refused from its size, without being read."""
    with open(tmp_path / "oversized.txt", "wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with bad_input_case():
        with bounded(seconds=2, megabytes=8):
            corpus = read_corpus(tmp_path)
        assert corpus.pages == []
        assert_named(corpus.problems, "oversized.txt")
        assert corpus.problems[0].level == "error" and "limit" in corpus.problems[0].message


def test_unreadable_page_is_reported(tmp_path, monkeypatch):
    (tmp_path / "locked.txt").write_text(NEWS, encoding="utf-8")
    real = os.open  # pages are opened with os.open (O_NONBLOCK: a FIFO cannot hang the read)

    def fake_open(path, *args, **kwargs):
        if os.path.basename(path) == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)
    with bad_input_case():
        corpus = read_corpus(tmp_path)
        assert corpus.pages == []
        assert_named(corpus.problems, "locked.txt")
        assert "Permission denied" in corpus.problems[0].message


# --- a file mixing encodings -----------------------------------------------------

# Two articles of one page, each whole (headline, lead, byline); mixed files put
# them in different encodings. Lines 1-5 are the first article, 6 is blank,
# 7-11 the second.
MIXED_FIRST = _news_page(
    "查干湖冬捕节开幕 万名游客湖边观渔",
    "吉林日报讯（记者 李明）12月28日，第二十届查干湖冰雪渔猎文化旅游节在松原市前郭县开幕，"
    "渔把头带领渔工凿冰下网，当天头网出鱼十余万斤。",
).replace("张三", "李明")
MIXED_SECOND = _news_page(
    "延吉新建三所公办幼儿园 九月迎新生",
    "吉林日报讯（记者 王芳）记者从延吉市教育局获悉，今年新建的三所公办幼儿园将于9月投入使用，"
    "可新增学位一千余个，缓解城区入园难。",
).replace("张三", "王芳")
MIXED_SECOND_HANT = (
    "延吉新建三所公辦幼兒園 九月迎新生\n\n"
    "吉林日報訊（記者 王芳）記者從延吉市教育局獲悉，今年新建的三所公辦幼兒園將於9月投入使用。\n\n"
    "吉林日報記者 王芳\n"
)


def _mixed(first: bytes, second: bytes) -> bytes:
    return first + b"\n" + second


def _mixed_warnings(problems, name: str) -> list:
    """The one warning about the file's mixed encodings (asserted to be one)."""
    assert_named(problems, name)
    found = [p for p in problems if "mixed encodings" in p.message]
    assert len(found) == 1, problems
    assert found[0].level == "warning"
    return found


@pytest.mark.parametrize(
    "order", ["utf8-then-gbk", "gbk-then-utf8"], ids=["utf8-then-gbk", "gbk-then-utf8"]
)
def test_mixed_utf8_and_gbk_keeps_both_articles(order):
    """One article in UTF-8, the other in GBK: decoded line by line, both kept
    exactly, one warning naming the file and the GBK lines."""
    name = "mixed_utf8_gbk.txt"
    if order == "utf8-then-gbk":
        data, gbk_lines = _mixed(MIXED_FIRST.encode(), MIXED_SECOND.encode("gbk")), "7–11"
    else:
        data, gbk_lines = _mixed(MIXED_FIRST.encode("gbk"), MIXED_SECOND.encode()), "1–5"
    with bad_input_case():
        with bounded():
            text, encoding, problem = decode(data)
            page, problems = read_page_bytes(name, data)
        assert text == MIXED_FIRST + "\n" + MIXED_SECOND
        assert encoding == "utf-8+gb18030"
        assert page is not None and page_text(page) == text
        [warning] = _mixed_warnings(problems, name)
        assert problems == [warning]
        assert f"lines {gbk_lines} decoded as GB18030" in warning.message
        assert "could not be decoded" not in warning.message


def test_mixed_file_keeps_line_numbers_with_crlf():
    """CRLF endings in both parts: the lines are those a universal-newline reader counts."""
    name = "mixed_crlf.txt"
    data = _mixed(MIXED_FIRST.encode(), MIXED_SECOND.encode("gbk")).replace(b"\n", b"\r\n")
    with bad_input_case():
        page, problems = read_page_bytes(name, data)
        expected = (MIXED_FIRST + "\n" + MIXED_SECOND).split("\n")
        assert [(line.no, line.text) for line in page.lines] == list(enumerate(expected, 1))
        assert "lines 7–11 decoded as GB18030" in _mixed_warnings(problems, name)[0].message


def test_mixed_utf8_and_big5_keeps_both_articles():
    """The second article in Big5 (Traditional): decoded as Big5, the page as a whole
    converted to Simplified."""
    name = "mixed_utf8_big5.txt"
    data = _mixed(MIXED_FIRST.encode(), MIXED_SECOND_HANT.encode("big5"))
    with bad_input_case():
        text, encoding, _problem = decode(data)
        assert text == MIXED_FIRST + "\n" + MIXED_SECOND_HANT
        assert encoding == "utf-8+big5"
        page, problems = read_page_bytes(name, data)
        assert page is not None and "公办幼儿园" in page_text(page)
        assert "lines 7–11 decoded as BIG5" in _mixed_warnings(problems, name)[0].message


def test_a_gbk_byline_in_a_utf8_page_is_decoded_not_replaced():
    """A single GBK line (the byline) in a UTF-8 page is GBK text, not "stray
    bytes" to replace with U+FFFD."""
    name = "mixed_byline.txt"
    data = MIXED_FIRST.encode().replace(
        "吉林日报记者 李明".encode(), "吉林日报记者 李明".encode("gbk")
    )
    with bad_input_case():
        page, problems = read_page_bytes(name, data)
        assert page_text(page) == MIXED_FIRST
        [warning] = _mixed_warnings(problems, name)
        assert problems == [warning] and "line 5 decoded as GB18030" in warning.message


def test_mixed_file_with_an_undecodable_line_keeps_the_good_lines():
    """A line no encoding reads is dropped and named in the same one warning;
    both articles around it are kept, line numbers unchanged."""
    name = "mixed_junk.txt"
    junk = b"\xff\xfe\x80\xff\x80\x80\n"
    data = MIXED_FIRST.encode() + junk + MIXED_SECOND.encode("gbk")
    with bad_input_case():
        page, problems = read_page_bytes(name, data)
        assert page_text(page) == MIXED_FIRST + "\n" + MIXED_SECOND
        [warning] = _mixed_warnings(problems, name)
        assert problems == [warning]
        assert "lines 7–11 decoded as GB18030" in warning.message
        assert "line 6 could not be decoded" in warning.message


def test_a_gbk_page_with_a_line_that_is_valid_utf8_stays_gbk():
    """图片 in GBK (CD BC C6 AC) happens to be valid UTF-8 (ͼƬ): not Chinese text,
    so the page is one GBK page, not a mixed one."""
    text = MIXED_FIRST.replace("\n\n吉林日报记者", "\n图片\n吉林日报记者")
    data = text.encode("gbk")
    assert "图片".encode("gbk").decode("utf-8") == "ͼƬ"
    with bad_input_case():
        decoded, encoding, problem = decode(data)
        assert (decoded, encoding) == (text, "gb18030")
        assert "decoded as GB18030" in problem


def test_mixed_file_builds_both_articles(tmp_path):
    """Through the whole pipeline (``export``): the GBK article of a mixed file is
    not dropped with it, and the UTF-8 one neither."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "mixed.txt").write_bytes(_mixed(MIXED_FIRST.encode(), MIXED_SECOND.encode("gbk")))
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "export", "--no-cache", "--corpus", str(corpus)],
        cwd=Path(read_page_bytes.__code__.co_filename).resolve().parent.parent,  # this code's
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    titles = [json.loads(line)["title"] for line in proc.stdout.splitlines() if line.strip()]
    assert sorted(titles) == sorted([MIXED_FIRST.split("\n")[0], MIXED_SECOND.split("\n")[0]])
    assert "mixed.txt" in proc.stderr and "mixed encodings" in proc.stderr


# --- content aimed at the page ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CONTENT))
def test_page_content_is_kept_verbatim(name):
    """Markup, template and Markdown syntax in the text is data: the read stage keeps it."""
    text, needles = CONTENT[name]
    with bad_input_case():
        page, problems = read_page_bytes(name, (BAD / name).read_bytes())
        assert problems == []
        assert page is not None and page.script == "hans" and page.encoding == "utf-8"
        assert page_text(page) == text
        assert page.lines[-2].text == "吉林日报记者 张三"
        for needle in needles:
            assert needle in page_text(page)


def test_bidi_and_zero_width_characters_are_removed_and_reported():
    name = "content_bidi_zero_width.txt"
    invisible = "\u202e\u202c\u200b\u200d\u200e\u200f\u061c\ufeff\u2066\u2069"
    with bad_input_case():
        page, problems = read_page_bytes(name, (BAD / name).read_bytes())
        expected = BIDI_TEXT.translate({ord(ch): None for ch in invisible})
        assert page_text(page) == expected
        assert page.lines[0].text == "长春新区发布人才新政"
        assert page.lines[-2].text == "吉林日报记者 张三"
        assert_named(problems, name)
        by_line = {p.line: p.message for p in problems}
        assert set(by_line) == set(BIDI_LINES)
        for line, kinds in BIDI_LINES.items():
            for kind in kinds.split(", "):
                assert kind in by_line[line]


# --- metadata -------------------------------------------------------------------------


@pytest.mark.parametrize("stem", sorted(META))
def test_bad_metadata_is_an_error_naming_file_and_line(stem):
    data, line, fragment = META[stem]
    path = BAD / "meta" / f"{stem}.meta.yml"
    with bad_input_case():
        assert path.read_bytes() == data
        with bounded(seconds=2), pytest.raises(MetadataError) as caught:
            read_meta(path, f"meta/{stem}.txt")
        file, message, got_line = caught.value.args
        assert file == f"meta/{stem}.meta.yml"
        assert got_line == line, message
        assert fragment in message
        assert len(message) < 300
        assert str(caught.value).startswith(f"{file}:{line}: ")


TRICKS = ["../../x", "/etc/passwd", "CON", "NUL", "nul.txt", "com1", "LPT9.log", "a" * 5000]
TRICKS += [
    "C:\\Windows",
    "..",
    ".",
    "x/../y",
    "\\\\server\\share",
    "吉林\u200b日报",
    "吉林\x85日报",
]


@pytest.mark.parametrize("key", ["paper", "date", "page", "city", "script"])
@pytest.mark.parametrize("value", TRICKS, ids=lambda v: ascii(v)[:20])
def test_path_tricks_in_any_field_are_refused(key, value):
    other = "city: 长春" if key != "city" else "paper: 吉林日报"
    text = f"{other}\n{key}: {json.dumps(value)}\n"
    with bad_input_case():
        with pytest.raises(MetadataError) as caught:
            parse_meta(text, "x.meta.yml")
        file, message, line = caught.value.args
        assert (file, line) == ("x.meta.yml", 2)
        assert key in message and len(message) < 300


WRONG_TYPES = [
    ("date", "去年", "date must be"),
    ("date", "20240315", "date must be text, not int"),
    ("date", "2024-03-15 10:00:00", "date must be"),
    ("date", "2024-02-30", "invalid value"),
    ("page", "[1, 2]", "page must be text, not list"),
    ("page", "{a: 1}", "page must be text, not dict"),
    ("page", "1.5", "page must be text, not float"),
    ("page", "true", "page must be text, not bool"),
    ("paper", "123", "paper must be text, not int"),
    ("city", "[长春, 吉林]", "city must be text, not list"),
    ("script", "繁体", "script must be"),
    ("script", "1", "script must be text"),
]


@pytest.mark.parametrize("key,value,fragment", WRONG_TYPES)
def test_wrong_types_are_refused(key, value, fragment):
    text = (
        f"paper: 吉林日报\n{key}: {value}\n" if key != "paper" else f"city: 长春\n{key}: {value}\n"
    )
    with bad_input_case():
        with pytest.raises(MetadataError) as caught:
            parse_meta(text, "x.meta.yml")
        assert caught.value.args[0] == "x.meta.yml" and caught.value.args[2] == 2
        assert fragment in caught.value.args[1]


def test_metadata_directory_is_an_error(tmp_path):
    """A directory where the sidecar should be is reported, not raised as OSError."""
    (tmp_path / "page.txt").write_text(META_PAGE, encoding="utf-8")
    (tmp_path / "page.meta.yml").mkdir()
    with bad_input_case():
        corpus = read_corpus(tmp_path)
        assert corpus.pages == []
        assert_named(corpus.problems, "page.meta.yml")
        assert corpus.problems[0].level == "error"


def test_oversized_metadata_is_an_error(tmp_path):
    path = tmp_path / "page.meta.yml"
    path.write_bytes(b"paper: x\n" + b"# padding\n" * 10_000)
    with bad_input_case():
        with bounded(seconds=2), pytest.raises(MetadataError) as caught:
            read_meta(path, "page.txt")
        assert caught.value.args[0] == "page.meta.yml" and "64 KB" in caught.value.args[1]


def test_empty_metadata_means_no_metadata():
    with bad_input_case():
        assert parse_meta("", "x.meta.yml") == parse_meta("# only a comment\n", "x.meta.yml")


def test_sidecar_of_dotted_page_name_is_found():
    """meta/dotted.2024.03.15.txt takes meta/dotted.2024.03.15.meta.yml."""
    with bad_input_case():
        corpus = read_corpus(BAD / "meta")
        [page] = [p for p in corpus.pages if p.file == f"{DOTTED_STEM}.txt"]
        assert (page.meta.paper, page.meta.date, page.meta.page) == ("吉林日报", "2024-03-15", "A3")


def test_whole_bad_corpus_reads_and_reports_every_bad_meta():
    """read_corpus over the whole corpus returns in time and names a real file per problem."""
    with bad_input_case():
        with bounded():
            corpus = read_corpus(BAD)
        files = {p.relative_to(BAD).as_posix() for p in BAD.rglob("*") if p.is_file()}
        assert corpus.problems
        for problem in corpus.problems:
            assert problem.file in files, problem
        errors = {(p.file, p.line) for p in corpus.problems if p.level == "error"}
        for stem, (_data, line, _fragment) in META.items():
            assert (f"meta/{stem}.meta.yml", line) in errors
        read = {page.file for page in corpus.pages}
        assert not any(name.startswith("meta/") and DOTTED_STEM not in name for name in read)
        assert set(CONTENT) <= read


if __name__ == "__main__":  # regenerate the committed fixtures
    write_fixtures()
    sys.exit(0)
