"""Merge stage: displaced tails, fuzzy duplicates, page jumps."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.clean import clean_page
from generator.merge import MergeReport, join_continuations, merge, merge_duplicates
from generator.model import Line, PageMeta, RawPage
from generator.split import split_page

TEXT = (
    "记者从2023年全省科技工作会议上了解到，今年我省将启动实施科技创新十大跃升行动，"
    "加快推进科技强省建设，不断塑造吉林振兴发展新动能新优势。十大跃升行动包括实施区域创新体系"
    "效能跃升行动、优良科技创新生态跃升行动、高水平科技创新平台跃升行动、关键核心技术攻坚跃升行动。"
)


def articles(text: str, name: str, meta: PageMeta | None = None):
    lines = [Line(i, t) for i, t in enumerate(text.split("\n"), start=1)]
    return split_page(clean_page(RawPage(name, lines, meta or PageMeta())))


def test_two_extractions_with_wording_changes_become_one() -> None:
    variant = TEXT.replace("启动实施", "启动").replace("高水平", "高层次").replace("，", ",")
    a = articles(f"我省实施十大跃升行动\n\n{TEXT}\n\n吉林日报记者 景洋", "a.txt")
    b = articles(f"# 我省实施十大跃升行动\n\n本报2月7日讯(记者景洋){variant}", "b.txt")
    merged, report = merge(a + b)
    assert len(merged) == 1 and report.duplicates_merged == 1
    assert {s.file for s in merged[0].sources} == {"a.txt", "b.txt"}
    assert merged[0].merged_from == ["a.txt", "b.txt"]
    assert merged[0].dateline == "本报2月7日讯（记者景洋）"  # evidence kept from the other copy
    assert merged[0].byline == "吉林日报记者 景洋"


def test_different_articles_on_the_same_topic_stay_apart() -> None:
    other = (
        "众人一心，黄土成金。实践证明，推动长春市与全省各市州对接合作是全面贯彻落实新发展理念、"
        "加快构建新发展格局的有力举措，是全面实施一主六双高质量发展战略的重要抓手。"
    )
    a = articles(f"我省实施十大跃升行动\n\n{TEXT}\n\n吉林日报记者 景洋", "a.txt")
    b = articles(f"加快构建新发展格局的生动实践\n\n{other}\n\n吉林日报记者 某某", "b.txt")
    merged, report = merge(a + b)
    assert len(merged) == 2 and report.duplicates_merged == 0


def test_partial_copy_merges_into_the_complete_one_which_is_published() -> None:
    full = articles(f"和声激荡新吉林\n\n{TEXT}\n\n{TEXT[::-1]}\n\n吉林日报记者 邱国强", "full.txt")
    part = articles(f"## 和声激荡新吉林\n\n(上接第一版){TEXT[::-1]}", "part.txt")
    merged, _ = merge(full + part)
    assert len(merged) == 1
    assert merged[0].complete
    assert merged[0].sources[0].file == "full.txt"


def test_displaced_tail_is_joined_when_the_break_is_inside_a_word() -> None:
    other = "近日，吉林省人民政府印发关于表彰吉林省教学成果奖获奖成果的决定，为获奖者颁发相应的证书和奖金。"
    text = (
        f"另一篇\n\n{other}\n\n吉林日报记者 甲乙\n\n"
        "用国际创新资源，在优势互补重点领域加强科研合作。\n\n吉林日报记者 景洋\n\n"
        f"我省实施十大跃升行动\n\n{TEXT}主动布局、积极利"
    )
    merged, report = merge(articles(text, "x.txt"))
    assert report.tails_joined == 1
    joined = next(a for a in merged if a.title == "我省实施十大跃升行动")
    assert "积极利用国际创新资源" in joined.text
    assert joined.byline == "吉林日报记者 景洋"
    assert joined.complete
    assert [(s.first_line, s.last_line) for s in joined.sources] == [(11, 13), (7, 9)]


def test_page_jump_parts_are_joined_across_pages() -> None:
    meta1 = PageMeta(paper="吉林日报", date="2023-02-08", page="1")
    meta3 = PageMeta(paper="吉林日报", date="2023-02-08", page="3")
    head = articles(f"政府工作报告\n\n{TEXT}加快发展(下转第三版)", "p1.txt", meta1)
    tail = articles(f"政府工作报告\n\n(上接第一版)新动能。{TEXT}", "p3.txt", meta3)
    joined = join_continuations(head + tail, MergeReport())
    assert len(joined) == 1
    assert "加快发展新动能。" in joined[0].text
    assert not joined[0].missing_end and not joined[0].continued_to


def test_page_jump_parts_of_different_issues_stay_apart() -> None:
    head = articles(f"政府工作报告\n\n{TEXT}(下转第三版)", "p1.txt", PageMeta(date="2023-02-08"))
    tail = articles(f"政府工作报告\n\n(上接第一版){TEXT}", "p3.txt", PageMeta(date="2022-01-25"))
    assert len(join_continuations(head + tail, MergeReport())) == 2


def test_page_numbers_compare_across_numeral_styles() -> None:
    from generator.merge import page_number

    assert page_number("第三版") == page_number("3") == page_number("03") == "3"
    assert page_number("第十二版") == "12" and page_number("A3") == "A3"


def test_merge_is_independent_of_input_order() -> None:
    variant = TEXT.replace("启动实施", "启动")
    a = articles(f"标题\n\n{TEXT}\n\n吉林日报记者 景洋", "a.txt")
    b = articles(f"标题\n\n{variant}\n\n吉林日报记者 景洋", "b.txt")
    one = merge_duplicates(a + b, MergeReport())
    two = merge_duplicates(b + a, MergeReport())
    assert [x.text for x in one] == [x.text for x in two]
    assert [x.sources for x in one] == [x.sources for x in two]


def test_bundled_corpus_merges(archive) -> None:
    assert len(archive.articles) == 20
    assert archive.merges.duplicates_merged == 3
    assert archive.merges.tails_joined == 1
    multi = sorted(a.title for a in archive.articles if len(a.merged_from) > 1)
    assert multi == [
        "2022年我省释放税费政策红利超400亿元",
        "和声激荡新吉林",
        "我省实施“十大跃升行动”推进科技创新",
    ]


# --- duplicates at scale: sampled candidates, exact check --------------------------


def _story(seed: int, chars: int = 400) -> str:
    """A text of distinct Han characters no other seed shares (no common 4-grams)."""
    import random

    rng = random.Random(seed)
    return "".join(chr(0x4E00 + rng.randrange(20000)) for _ in range(chars)) + "。"


BOILERPLATE = _story(999, 300)  # a passage every article of the page carries


def test_copies_are_merged_even_when_most_of_their_text_is_boilerplate() -> None:
    # 60 articles share a long passage (more than MAX_POSTINGS articles have its
    # shingles): only the two copies of one story may pair up, on their own text.
    pages = [
        articles(
            f"第{i}篇报道\n\n{BOILERPLATE}{_story(i, 120)}\n\n吉林日报记者 甲乙", f"p{i:02}.txt"
        )
        for i in range(60)
    ]
    copy = articles(f"第7篇报道\n\n{BOILERPLATE}{_story(7, 120)}\n\n本报记者 甲乙", "copy.txt")
    merged, report = merge([a for page in pages for a in page] + copy)
    assert report.duplicates_merged == 1
    assert len(merged) == 60
    seventh = next(a for a in merged if a.title == "第7篇报道")
    assert seventh.merged_from == ["copy.txt", "p07.txt"]


def test_a_short_brief_printed_twice_is_merged_and_a_different_one_is_not() -> None:
    brief = "本报讯 全省春季植树造林工作会议昨日在长春召开，会议部署了今年的造林绿化任务。"
    other = "本报讯 全省冬季冰雪旅游推介会昨日在吉林市举行，发布了今年的冰雪旅游精品线路。"
    a = articles(f"植树造林会议召开\n\n{brief}", "a.txt")
    b = articles(f"植树造林会议召开\n\n{brief}", "b.txt")
    c = articles(f"冰雪旅游推介会举行\n\n{other}", "c.txt")
    merged, report = merge(a + b + c)
    assert report.duplicates_merged == 1 and len(merged) == 2


# --- the shingle index against plain-Python definitions ---------------------------

_ALPHABET = (
    "吉林长春省市县科技创新发展会议记者报道经济建设项目乡村振兴"  # common Han
    "㐀㐁䶵"  # Extension A (Han)
    "䷀䷁"  # U+4DC0… hexagrams, between the two Han blocks: not Han
    "𠀀𪚥"  # astral Han, outside HAN: dropped like punctuation
    "，。A1 \n"
)


def _reference_samples(han: str) -> set[str]:
    """The sampled shingles as first defined: anchored by a hash of the first character."""
    from generator.merge import SAMPLE_ALL_BELOW, SHINGLE, _shingles

    if len(han) - SHINGLE + 1 < SAMPLE_ALL_BELOW:
        return _shingles(han)
    anchor = {
        i
        for i in range(len(han) - SHINGLE + 1)
        if ((ord(han[i]) * 2654435761) & 0xFFFFFFFF) >> 29 == 0
    }
    return {han[i : i + SHINGLE] for i in anchor}


def _decode(code: int) -> str:
    from generator.merge import _BITS, _HAN_BASE, SHINGLE

    mask = (1 << _BITS) - 1
    return "".join(
        chr(((code >> (_BITS * (SHINGLE - 1 - k))) & mask) + _HAN_BASE) for k in range(SHINGLE)
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=_ALPHABET, max_size=400).map(lambda t: t * 2), min_size=1, max_size=12
    )
)
def test_shingle_codes_are_exactly_the_four_character_strings(texts: list[str]) -> None:
    from collections import Counter

    from generator.merge import _NOT_HAN_RE, MAX_POSTINGS, _candidate_pairs, _Shingles, _shingles

    hans = [_NOT_HAN_RE.sub("", t) for t in texts]  # what han_text keeps
    index = _Shingles.of(texts)
    assert index.lengths.tolist() == [len(h) for h in hans]
    for i, han in enumerate(hans):
        assert [_decode(c) for c in index.all_of(i).tolist()] == sorted(_shingles(han))
    owners, codes = index.sampled()
    found: dict[int, set[str]] = {i: set() for i in range(len(texts))}
    for i, c in zip(owners.tolist(), codes.tolist(), strict=True):
        found[i].add(_decode(c))
    expected = [_reference_samples(h) for h in hans]
    assert [found[i] for i in range(len(texts))] == expected
    # candidate pairs: shared samples that 2..MAX_POSTINGS texts have
    counts = Counter(s for sample in expected for s in sample)
    shared: Counter[tuple[int, int]] = Counter()
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            common = expected[i] & expected[j]
            n = sum(1 for s in common if counts[s] <= MAX_POSTINGS)
            if n:
                shared[(i, j)] = n
    first, second, count = _candidate_pairs(owners, codes, len(texts))
    got = dict(zip(zip(first.tolist(), second.tolist(), strict=True), count.tolist(), strict=True))
    assert got == dict(shared)


def test_a_jump_marker_names_an_evening_papers_lettered_page() -> None:
    from generator.merge import same_page

    assert same_page("第三版", "A03") and same_page("第A03版", "A03") and same_page("A3", "A03")
    assert same_page("第三版", "3") and not same_page("第三版", "A04")
    assert not same_page("B03", "A03") and not same_page("第3版", "2")
