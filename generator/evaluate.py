"""Measure the pipeline against hand-made reference annotations (gold).

``python -m generator evaluate --gold FILE`` prints one section per target of
issues 3 and 4 and exits non-zero when a target is missed:

* extraction: gold articles found exactly once (matched by title), spurious extras;
* duplicates: cross-file copies merged with every source file listed;
* OCR: spurious spaces fixed, character errors fixed, and no unannotated change;
* bodies free of page markers, banners, bylines and page headers;
* metadata: dates, paper, reporters (F1), main cities (micro-F1), places (recall).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from .model import Article
from .patterns import BYLINE_TAIL_RE, JUMP_FROM_RE, JUMP_TO_RE

CHAR_TYPES = ("char_error", "dropped_char", "duplication", "garble", "stray_english_word")

_PUNCT_CANON = str.maketrans(
    {
        ",": "，",
        ";": "；",
        ":": "：",
        "(": "（",
        ")": "）",
        "!": "！",
        "?": "？",
        "\u201c": '"',
        "\u201d": '"',
        "'": '"',
        "\u2018": '"',
        "\u2019": '"',
        "-": "—",
    }
)


def canon(text: str) -> str:
    """Text with punctuation variants unified and whitespace removed."""
    text = unicodedata.normalize("NFC", text or "").translate(_PUNCT_CANON)
    return re.sub(r"\s+", "", text)


def han(text: str) -> str:
    """Only Han characters, letters and digits."""
    return "".join(ch for ch in text or "" if ch.isalnum())


def _title_match(gold: dict, article: Article) -> bool:
    mine = han(article.title)
    if not mine:
        return False
    for candidate in [
        gold.get("title"),
        gold.get("title_raw"),
        *(gold.get("title_acceptable") or []),
    ]:
        ref = han(candidate or "")
        if not ref:
            continue
        if ref == mine:
            return True
        short, long_ = sorted((ref, mine), key=len)
        if short in long_ and len(short) >= 0.6 * len(long_):
            return True
    return False


def _anchor_match(gold: dict, article: Article) -> bool:
    text = canon(article.dateline or "") + canon(article.text)
    return any(canon(f["anchor"]).lstrip("（上接第一版）") in text for f in gold["files"])


def match(gold: list[dict], articles: list[Article]) -> dict[str, list[Article]]:
    """Gold id → output articles it matches (by title; by anchor when gold has none)."""
    found: dict[str, list[Article]] = {}
    for g in gold:
        if g.get("title"):
            found[g["id"]] = [a for a in articles if _title_match(g, a)]
        else:
            found[g["id"]] = [a for a in articles if _anchor_match(g, a)]
    return found


def _f1(tp: int, fp: int, fn: int) -> float:
    if tp == 0:
        return 1.0 if fp == fn == 0 else 0.0
    return 2 * tp / (2 * tp + fp + fn)


def evaluate(articles: list[Article], gold_path: Path, corpus: Path) -> tuple[str, bool]:
    """Return a printable report and whether every target is met."""
    gold = json.loads(Path(gold_path).read_text(encoding="utf-8"))
    found = match(gold, articles)
    out: list[str] = []
    ok = True

    def check(label: str, passed: bool, detail: str) -> None:
        nonlocal ok
        ok = ok and passed
        out.append(f"[{'PASS' if passed else 'FAIL'}] {label}: {detail}")

    # --- extraction -------------------------------------------------------------
    exactly_one = [g["id"] for g in gold if len(found[g["id"]]) == 1]
    matched_ids = {id(a) for hits in found.values() for a in hits}
    extra = [a for a in articles if id(a) not in matched_ids]
    out.append("== extraction ==")
    for g in gold:
        hits = found[g["id"]]
        out.append(
            f"  {len(hits)}× {g.get('title') or g['id']}" + ("" if len(hits) == 1 else "   <-- !")
        )
    for a in extra:
        out.append(f"  extra: {a.title} ({a.sources[0].file}:{a.sources[0].first_line})")
    check(
        "articles found exactly once",
        len(exactly_one) >= len(gold) - 1,
        f"{len(exactly_one)}/{len(gold)} (target ≥ {len(gold) - 1})",
    )
    check("spurious extra articles", len(extra) <= 1, f"{len(extra)} (target ≤ 1)")

    # --- duplicates ----------------------------------------------------------------
    multi = [g for g in gold if len({f["file"] for f in g["files"]}) > 1]
    merged = [
        g
        for g in multi
        if len(found[g["id"]]) == 1
        and {f["file"] for f in g["files"]} <= {s.file for s in found[g["id"]][0].sources}
    ]
    check(
        "cross-file duplicates merged with all sources",
        len(merged) == len(multi),
        f"{len(merged)}/{len(multi)}",
    )

    # --- OCR defects -------------------------------------------------------------------
    out.append("== OCR defects ==")
    spaces_total = spaces_fixed = chars_total = chars_fixed = 0
    for g in gold:
        hits = found[g["id"]]
        if len(hits) != 1:
            continue
        text = canon(
            hits[0].title
            + "\n"
            + (hits[0].subtitle or "")
            + "\n"
            + (hits[0].dateline or "")
            + hits[0].text
        )
        raw_text = hits[0].title + (hits[0].subtitle or "") + hits[0].text
        for d in g.get("ocr_defects", []):
            if d["confidence"] not in ("high", "medium"):
                continue
            kind = d["type"]
            if "spurious_space" in kind:
                spaces_total += 1
                spaced = re.findall(r"\S+ +\S+", d["raw"].replace("\n", " "))
                done = all(s not in raw_text for s in spaced)
                spaces_fixed += done
                if not done:
                    out.append(f"  space not fixed: {d['raw']!r} ({g['id']})")
            if any(t in kind for t in CHAR_TYPES) or kind in ("quote_error", "dropped_dash"):
                chars_total += any(t in kind for t in CHAR_TYPES)
                fixed = canon(
                    d["fixed"].split("[")[0].split("(")[0]
                    if "text continues" in d["fixed"]
                    else d["fixed"]
                )
                fixed = fixed.replace("[…]", "")
                done = fixed in text or han(d["fixed"]) in han(text)
                if any(t in kind for t in CHAR_TYPES):
                    chars_fixed += done
                if not done:
                    out.append(
                        f"  not fixed ({d['confidence']}, {kind}): "
                        f"{d['raw']!r} → {d['fixed']!r} ({g['id']})"
                    )
    check("spurious spaces fixed", spaces_fixed == spaces_total, f"{spaces_fixed}/{spaces_total}")
    check(
        "character errors fixed (high/medium)",
        chars_fixed >= chars_total - 5,
        f"{chars_fixed}/{chars_total} (target ≥ {chars_total - 5})",
    )

    # Every change the pipeline made to characters must be an annotated defect.
    annotated = [
        (han(d["raw"]), han(d["fixed"]))
        for g in gold
        for d in g.get("ocr_defects", []) + g.get("suspected_defects_low_confidence", [])
    ]
    unexplained = []
    seen: set[tuple] = set()
    for a in articles:
        for c in a.corrections:
            if c.rule == "join-paragraph" or (c.raw, c.fixed, c.file, c.line) in seen:
                continue
            seen.add((c.raw, c.fixed, c.file, c.line))
            r, f = han(c.raw), han(c.fixed)
            if r == f:
                continue
            if not any(
                r in gr or gr in r for gr, gf in annotated if r and gr and (f in gf or gf in f)
            ):
                unexplained.append(f"{c.file}:{c.line} {c.raw!r} → {c.fixed!r} ({c.rule})")
    for u in unexplained:
        out.append(f"  unannotated change: {u}")
    check(
        "no correct character changed", not unexplained, f"{len(unexplained)} unannotated changes"
    )

    # --- bodies ------------------------------------------------------------------------
    banners = {canon(x) for g in gold for x in (g.get("column"), g.get("page_header")) if x}
    dirty = []
    for a in articles:
        for p in a.paragraphs:
            if (
                JUMP_FROM_RE.search(p)
                or JUMP_TO_RE.search(p)
                or BYLINE_TAIL_RE.search(p)
                or canon(p) in banners
            ):
                dirty.append(f"{a.title}: {p[:30]}")
    for d in dirty:
        out.append(f"  body holds layout text: {d}")
    check("bodies free of markers, banners, bylines, headers", not dirty, f"{len(dirty)} found")

    # --- metadata --------------------------------------------------------------------
    out.append("== metadata ==")
    dated = ok_dates = contradict = 0
    paper_n = paper_ok = 0
    r_tp = r_fp = r_fn = 0
    c_tp = c_fp = c_fn = 0
    p_hit = p_total = 0
    for g in gold:
        hits = found[g["id"]]
        if len(hits) != 1:
            continue
        a = hits[0]
        acceptable = {g.get("date"), *(g.get("date_acceptable") or [])}
        if g.get("date"):
            dated += 1
            ok_dates += a.date in acceptable and a.date is not None
        consistent = a.date is None or any(
            x and (x.startswith(a.date) or a.date.startswith(x)) for x in acceptable
        )
        if a.date is not None and not consistent:
            contradict += 1
            out.append(
                f"  date {a.date} not acceptable for {g['id']} ({sorted(map(str, acceptable))})"
            )
        if g.get("source"):
            paper_n += 1
            good = a.paper == g["source"] or a.paper in (g.get("source_acceptable") or [])
            paper_ok += good
            if not good:
                out.append(f"  paper {a.paper!r} ≠ {g['source']!r} ({g['id']})")
        rep_options = [g.get("reporters") or [], *(g.get("reporters_acceptable") or [])]
        gold_rep = max(
            (set(ref) for ref in rep_options),
            key=lambda ref: len(ref & set(a.reporters)) - len(set(a.reporters) ^ ref),
        ) | set(g.get("reporters_if_merged_with_profile") or []) & set(a.reporters)
        r_tp += len(gold_rep & set(a.reporters))
        r_fp += len(set(a.reporters) - gold_rep)
        r_fn += len(gold_rep - set(a.reporters))
        if set(a.reporters) != gold_rep:
            out.append(f"  reporters {a.reporters} vs {sorted(gold_rep)} ({g['id']})")
        options = [g.get("cities") or [], *(g.get("cities_acceptable") or [])]
        best = max(
            options, key=lambda ref: len(set(ref) & set(a.cities)) - len(set(a.cities) - set(ref))
        )
        c_tp += len(set(best) & set(a.cities))
        c_fp += len(set(a.cities) - set(best))
        c_fn += len(set(best) - set(a.cities))
        if set(best) != set(a.cities):
            out.append(f"  cities {a.cities} vs {best} ({g['id']})")
        mentioned = set(g.get("cities_mentioned") or [])
        p_total += len(mentioned)
        p_hit += len(mentioned & set(a.places) | mentioned & set(a.cities))
        missing = mentioned - set(a.places) - set(a.cities)
        if missing:
            out.append(f"  places missed {sorted(missing)} ({g['id']})")
    check("dates accepted", dated and ok_dates / dated >= 0.9, f"{ok_dates}/{dated} (target ≥ 90%)")
    check("no contradicting date", contradict == 0, f"{contradict}")
    check(
        "paper matches",
        paper_n and paper_ok / paper_n >= 0.95,
        f"{paper_ok}/{paper_n} (target ≥ 95%)",
    )
    check(
        "reporters F1",
        _f1(r_tp, r_fp, r_fn) >= 0.95,
        f"{_f1(r_tp, r_fp, r_fn):.3f} (target ≥ 0.95)",
    )
    check(
        "main cities micro-F1",
        _f1(c_tp, c_fp, c_fn) >= 0.9,
        f"{_f1(c_tp, c_fp, c_fn):.3f} (target ≥ 0.9)",
    )
    check(
        "places recall",
        p_total == 0 or p_hit / p_total >= 0.9,
        f"{p_hit}/{p_total} = {p_hit / max(1, p_total):.3f} (target ≥ 0.9)",
    )
    out.append("")
    out.append("ALL TARGETS MET" if ok else "SOME TARGETS MISSED")
    return "\n".join(out) + "\n", bool(ok)
