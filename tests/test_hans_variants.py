"""The Simplified edition's search map (Traditional → Simplified): how it is made."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import opencc
import pytest

from generator import hans_variants
from generator.hans_variants import reverse_map, script, traditional_forms
from generator.hant import convert_text, mirror
from generator.publish import Kept
from generator.render import render_archive
from generator.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


def parse(js: str) -> dict[str, str]:
    """The mapping a ``variants.js`` assigns to ``window.__archiveVariants``."""
    assert js.startswith("window.__archiveVariants = ") and js.endswith(";\n")
    return json.loads(js.removeprefix("window.__archiveVariants = ").removesuffix(";\n"))


def apply(mapping: dict[str, str], query: str) -> str:
    """What the search scripts do with a query: map it character by character."""
    return "".join(mapping.get(ch, ch) for ch in query)


@pytest.fixture(scope="module")
def editions(archive):
    settings = load_settings(ROOT)
    hans = render_archive(archive.articles, archive.pages, settings)
    return settings, hans, mirror(hans, settings, archive.articles)


def test_traditional_forms_equal_converting_each_character_alone() -> None:
    """One OpenCC call, a character per line, gives what one call per character gives."""
    t2s = opencc.OpenCC("t2s")
    expected = {}
    for cp in range(0x3400, 0xA000):
        c = chr(cp)
        s = t2s.convert(c)
        if s != c and len(s) == 1:
            expected[c] = s
    assert traditional_forms() == expected
    assert traditional_forms()["長"] == "长"
    assert traditional_forms()["髮"] == traditional_forms()["發"] == "发"
    assert "春" not in traditional_forms()  # the same in both scripts


def test_reverse_map_covers_only_the_characters_used() -> None:
    assert reverse_map("长春") == {"長": "长"}
    assert reverse_map("") == {}
    # every Traditional form of a used character: 發 and 髮 both give 发
    mapping = reverse_map("头发发展")
    assert mapping["發"] == mapping["髮"] == "发" and mapping["頭"] == "头"
    assert all(traditional_forms()[t] == s for t, s in mapping.items())
    assert list(mapping) == sorted(mapping)  # stable output


def test_reverse_map_leaves_characters_the_edition_prints_alone() -> None:
    """乾安 is printed with 乾 in Simplified too: typing 乾安 must find it, not 干安."""
    assert reverse_map("干部")["乾"] == "干"
    assert "乾" not in reverse_map("干部乾安")
    assert "幹" in reverse_map("干部乾安")  # the other Traditional form of 干 still maps


def test_reverse_map_with_explicit_forms() -> None:
    forms = {"長": "长", "東": "东"}
    assert reverse_map(["长", "春"], forms) == {"長": "长"}
    assert reverse_map(["长", "東", "东"], forms) == {"長": "长"}


def test_script_is_the_traditional_editions_format() -> None:
    assert script({"長": "长"}) == 'window.__archiveVariants = {"長":"长"};\n'
    assert parse(script({})) == {}


def test_edition_chars_read_kept_pages_from_docs(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "corpus.jsonl").write_text('{"title": "长春"}\n', encoding="utf-8")
    settings = SimpleNamespace(docs=tmp_path)
    files = {
        "data/corpus.jsonl": Kept("x"),
        "about.md": "关于",
        "articles/a.md": "澳门",  # article pages repeat their records: not read
        "assets/javascripts/other.js": "门",
    }
    used = hans_variants.edition_chars(files, settings)
    assert {"长", "春", "关", "于"} <= used
    assert "澳" not in used and "门" not in used


def test_bundled_edition_map(editions) -> None:
    """The bundled corpus: Traditional queries become the Simplified edition's words."""
    settings, hans, hant = editions
    mapping = parse(hans_variants.variants_js(hans, settings))
    used = hans_variants.edition_chars(hans, settings)
    assert mapping["長"] == "长"
    assert set(mapping.values()) <= used and not set(mapping) & used
    for words in ("长春", "珲春", "公主岭", "对接合作", "乡村振兴", "吉林日报"):
        assert apply(mapping, convert_text(words)) == words, words
        assert apply(mapping, words) == words  # Simplified queries are left as they are
    # small: only what the edition uses, a fraction of all Traditional forms
    assert len(mapping) < len(traditional_forms()) / 2
    assert len(hans_variants.variants_js(hans, settings).encode()) < 30_000
    # and the Traditional edition's own map still goes the other way
    back = parse(hant["assets/javascripts/variants.js"])
    assert apply(back, "长春") == "長春"
