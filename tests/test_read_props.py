"""Property tests for the read stage: ``decode`` and ``read_page_bytes``.

Properties:
- neither function raises, whatever the bytes;
- ``read_page_bytes`` returns a page, or no page and at least one problem, and
  every problem names the file;
- text encoded as UTF-8 or UTF-16 (with a BOM) decodes back exactly, and so does
  Chinese text encoded as GB18030 unless its bytes are (nearly) valid UTF-8;
- the page has as many lines as the text after newline normalisation;
- control, bidi and zero-width characters never survive into a page.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator.read import _BINARY_SIGNATURES, decode, read_page_bytes

PROPS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAME = "2024/第1版.txt"

# Characters that must never reach a page: C0/C1 controls except tab and newline,
# bidi controls, zero-width characters, the BOM and U+FFFD (a decoding error).
INVISIBLE = set(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff\ufffd"
)


def forbidden(ch: str) -> bool:
    return (unicodedata.category(ch) == "Cc" and ch not in "\t\n") or ch in INVISIBLE


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "gb18030", "gbk", "big5"]
hanzi = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
hostile_chars = st.one_of(
    st.characters(categories=["Cc"]),
    st.sampled_from(sorted(INVISIBLE)),
    st.sampled_from(["\r", "\n", "\r\n", "\u2028", "\u3000"]),
)
# text that mixes Chinese, arbitrary characters and hostile ones
mixed_text = st.lists(
    st.one_of(hanzi, hostile_chars, st.characters(codec="utf-8")), max_size=200
).map("".join)
encoded_text = st.builds(
    lambda text, encoding: text.encode(encoding, errors="ignore"),
    st.one_of(st.text(max_size=200), mixed_text),
    st.sampled_from(ENCODINGS),
)


def _splice(data: bytes, junk: bytes, at: int) -> bytes:
    at = at % (len(data) + 1)
    return data[:at] + junk + data[at:]


any_bytes = st.one_of(
    st.binary(max_size=2048),
    encoded_text,
    st.builds(_splice, encoded_text, st.binary(min_size=1, max_size=8), st.integers(0, 10_000)),
    st.builds(
        lambda prefix, rest: prefix + rest,
        st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", *_BINARY_SIGNATURES]),
        st.one_of(st.binary(max_size=256), encoded_text),
    ),
)


@PROPS
@given(any_bytes)
def test_decode_never_raises(data):
    text, encoding, problem = decode(data)
    assert isinstance(encoding, str)
    if text is None:
        assert isinstance(problem, str) and problem
    else:
        assert "\r" not in text
        assert problem is None or isinstance(problem, str)


@PROPS
@given(any_bytes)
def test_read_page_bytes_returns_a_page_or_a_problem_naming_the_file(data):
    page, problems = read_page_bytes(NAME, data)
    for problem in problems:
        assert problem.file == NAME and problem.level in ("warning", "error")
        assert problem.line is None or problem.line >= 1
    if page is None:
        assert problems
    else:
        assert page.file == NAME
        assert [line.no for line in page.lines] == list(range(1, len(page.lines) + 1))
        for line in page.lines:
            assert "\n" not in line.text and "\r" not in line.text
            assert not any(forbidden(ch) for ch in line.text), ascii(line.text)


def _expected_utf8(text: str) -> str:
    return normalise_newlines(text.removeprefix("\ufeff"))


@PROPS
@given(st.one_of(st.text(), mixed_text))
def test_utf8_round_trips(text):
    data = text.encode("utf-8")
    assume(not data.startswith(_BINARY_SIGNATURES))  # "%PDF…" text is taken for a PDF
    decoded, encoding, problem = decode(data)
    assert (decoded, encoding, problem) == (_expected_utf8(text), "utf-8", None)


@PROPS
@given(st.one_of(st.text(), mixed_text), st.sampled_from(["utf-16-le", "utf-16-be"]))
def test_utf16_with_bom_round_trips(text, encoding):
    data = "\ufeff".encode(encoding) + text.encode(encoding)
    decoded, got, problem = decode(data)
    assert (decoded, got, problem) == (normalise_newlines(text), "utf-16", None)


# Chinese text: every other character at most is not a Han character (so it
# looks like Chinese), no private-use or unassigned characters, no NUL.
other_chars = st.characters(exclude_categories=["Cs", "Co", "Cn"], exclude_characters="\x00\ufffd")
chinese_text = st.lists(
    st.tuples(hanzi, st.one_of(st.just(""), other_chars)), min_size=1, max_size=150
).map(lambda pairs: "".join(h + o for h, o in pairs))


def _utf8_would_claim(data: bytes) -> bool:
    """Bytes that also read as UTF-8 cut in its last character, or with few bad bytes."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.end == len(data) and exc.reason == "unexpected end of data":
            return True
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ch > "\x7f" and ch != "\ufffd")
    return good >= 20 * bad


@PROPS
@given(chinese_text)
def test_gb18030_chinese_round_trips(text):
    data = text.encode("gb18030")
    assume(not data.startswith(b"\xef\xbb\xbf"))  # a UTF-8 BOM is taken as one
    try:
        data.decode("utf-8")
        assume(False)  # bytes valid as UTF-8 too: read as UTF-8, by design
    except UnicodeDecodeError:
        pass
    decoded, encoding, problem = decode(data)
    if encoding == "utf-8":
        # taken as damaged UTF-8: only when the bytes nearly are UTF-8, and reported
        assert _utf8_would_claim(data) and problem
    else:
        assert (decoded, encoding) == (normalise_newlines(text), "gb18030")
        assert problem and "GB18030" in problem


@PROPS
@given(st.one_of(st.text(), mixed_text), st.sampled_from(["utf-8", "utf-16"]))
def test_line_count_is_preserved(text, encoding):
    data = text.encode(encoding)
    assume(not data.startswith(_BINARY_SIGNATURES))
    page, problems = read_page_bytes(NAME, data)
    normalised = normalise_newlines(text.removeprefix("\ufeff"))
    if page is None:
        # only a text with nothing but whitespace, controls and invisibles gives no page
        assert not "".join(ch for ch in normalised if not forbidden(ch)).strip()
        assert problems
    else:
        assert len(page.lines) == normalised.count("\n") + 1


@PROPS
@given(mixed_text, st.sampled_from(["utf-8", "utf-16", "gb18030"]))
def test_control_characters_never_survive(text, encoding):
    page, problems = read_page_bytes(NAME, text.encode(encoding))
    if page is not None:
        kept = "\n".join(line.text for line in page.lines)
        assert not any(forbidden(ch) for ch in kept), ascii(kept)
        decoded_as_written = page.encoding == encoding  # tiny GB18030 input may not be
        source = normalise_newlines(text.removeprefix("\ufeff"))
        if decoded_as_written and any(forbidden(ch) for ch in source):
            assert any("control character" in p.message for p in problems)
