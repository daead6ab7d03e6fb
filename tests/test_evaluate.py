"""Issues 3 and 4 acceptance, measured against the reference annotations."""

from __future__ import annotations

from conftest import CORPUS, GOLD

from generator.evaluate import canon, evaluate, han


def test_every_target_is_met_on_the_bundled_corpus(archive) -> None:
    text, ok = evaluate(archive.articles, GOLD, CORPUS)
    print(text)
    assert ok, text
    assert "[PASS] articles found exactly once: 20/20" in text
    assert "[PASS] no correct character changed: 0 unannotated changes" in text


def test_normalisers() -> None:
    assert canon("a, b：“c”") == canon('a，b:"c"')
    assert han("长春 U14，男足") == "长春U14男足"
