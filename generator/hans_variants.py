"""The Simplified edition's search map: Traditional character → Simplified.

The reverse of ``hant.variants_script``: the Traditional edition maps a query
typed in Simplified characters (长春) to its own forms; this module gives the
Simplified edition the map the other way round, so 長春 typed into its search
box finds what 长春 finds. Both editions write the map to the same file,
``assets/javascripts/variants.js`` (``window.__archiveVariants``), which
``pagefind-search.js`` (served) and ``search-zh.js`` (offline) apply to the
query character by character before searching.

The map is made at build time with OpenCC ``t2s`` over every Han character and
kept small: only the Traditional forms of Simplified characters the edition
actually uses, and never a character the edition itself prints (乾 in 乾安 is
not turned into 干, 著 in 著名 stays 著).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from . import hant
from .publish import Kept

FILE = "assets/javascripts/variants.js"  # the same path as the Traditional edition's map
CORPUS = "data/corpus.jsonl"  # every article's reader-facing text, Simplified

# The Han blocks ``hant`` scans (CJK Extension A and the Unified Ideographs);
# compatibility ideographs are folded by the search scripts' NFKC first.
_FIRST, _END = 0x3400, 0xA000


@lru_cache(maxsize=1)
def traditional_forms() -> dict[str, str]:
    """Every Han character whose OpenCC ``t2s`` form is one other character, mapped to it.

    Made with one OpenCC call over every character, one per line (no OpenCC
    phrase spans a line break, so each is converted as if alone), e.g.
    ``{"長": "长", "發": "发", "髮": "发", ...}`` (about 3,800 pairs).
    """
    t2s = hant._opencc("t2s")
    chars = [chr(cp) for cp in range(_FIRST, _END)]
    simplified = t2s.convert("\n".join(chars)).split("\n")
    if len(simplified) != len(chars):  # never seen; one call per character stays correct
        simplified = [t2s.convert(c) for c in chars]
    return {c: s for c, s in zip(chars, simplified, strict=True) if s != c and len(s) == 1}


def reverse_map(used: Iterable[str], forms: Mapping[str, str] | None = None) -> dict[str, str]:
    """Traditional character → Simplified, for the Simplified characters in ``used``.

    ``used``: the characters the Simplified edition prints (any iterable of
    single characters, or a string). A Traditional form is mapped only when
    its Simplified form is used and it is not used itself: a character the
    edition prints as it is (乾 of 乾安, 著 of 著名) must find itself.
    ``forms`` defaults to ``traditional_forms()``. Sorted, so builds are stable.
    """
    chars = set(used)
    forms = traditional_forms() if forms is None else forms
    return {t: s for t, s in sorted(forms.items()) if s in chars and t not in chars}


script = hant.variants_file  # the same file format as the Traditional edition's


def edition_chars(files: Mapping[str, str | Kept], settings) -> set[str]:
    """The characters of the Simplified edition's searchable text.

    The articles' records (``data/corpus.jsonl``: titles, bylines, places,
    tags and full text) and the top-level pages (home, about): every list page
    repeats record text. A page kept from the last build is read from docs/.
    """
    used: set[str] = set()
    for path, content in files.items():
        if path == CORPUS or ("/" not in path and path.endswith(".md")):
            used.update(hant._text(content, settings, path))
    return used


def variants_js(files: Mapping[str, str | Kept], settings) -> str:
    """The Simplified edition's ``variants.js``: ``script(reverse_map(edition_chars(...)))``."""
    return script(reverse_map(edition_chars(files, settings)))
