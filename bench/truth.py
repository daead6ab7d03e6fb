#!/usr/bin/env python3
"""Score the pipeline on a synthetic corpus against its ground truth.

    python bench/truth.py CORPUS [--export FILE.jsonl] [--show K] [--json OUT] [--subjects]

``CORPUS`` is a folder written by ``bench/make_corpus.py``; its
``MANIFEST.json`` says where every planted article was placed (file, role and
the first and last line of each copy). Without ``--export`` the read, clean,
split and merge stages run in this process (no enrichment, so it is quick);
with ``--export`` the records of ``python -m generator export --corpus CORPUS``
are scored instead (merged articles only).

A *placement* is one copy of a planted article on a page: ``full``,
``duplicate``, ``jump_head`` or ``jump_tail``. An extracted article (a split
fragment, or a merged article) *covers* a placement when its source line
ranges hold at least half of the placement's non-empty lines.

Split stage, per placement:

* ``ok``: one fragment holds all of its lines and nothing of another placement;
* ``edge``: one fragment covers it and no other placement, but a line or two
  went to a neighbour or came from one (a byline, a headline);
* ``fused``: the fragment covering it also covers another placement;
* ``broken``: its lines are spread over fragments none of which covers it,
  or a second fragment holds some of them without covering anything.

Merge stage, per planted article: *recovered* when exactly one article covers
its first copy and that article covers no placement of another planted
article; a duplicate is *merged* and a jump *joined* when that same article
also covers the second copy; its title is *right* when it is the planted one
up to punctuation and a character or two the cleaner repaired (the headline
phrases come from OCR'd pages). Prints a summary (and up to K examples of each
kind of miss); ``--json`` writes the numbers.

``--subjects`` also prints how alike the halves of a planted article are and
how alike neighbour articles are (``subject_similarity``: the splitter's
subject-change cue, TF-IDF cosine of character pairs).
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# Layout classes of bench/make_corpus.py, in its order (read from the manifest
# when it names them; a version 2 manifest has classic only).
LAYOUTS = (
    "classic",
    "dateline_open",
    "bare",
    "furniture",
    "briefs",
    "caption",
    "qa",
    "feature",
    "jump_mid",
    "glued_dup",
)


@dataclass
class Placement:
    """One copy of a planted article on a page, with its non-empty lines."""

    aid: int
    role: str
    file: str
    first: int
    last: int
    lines: set[int]
    title: str | None
    layout: str | None = None  # a placement-level class (glued_dup)


@dataclass
class Unit:
    """One extracted article (fragment or merged) as the scorer sees it."""

    title: str
    sources: list[tuple[str, int, int]]
    overlap: dict[int, int] = field(default_factory=dict)  # placement index -> lines
    meta: dict | None = None  # export fields: paper, page, date, reporters, photographers


def _flat(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch.isalnum())


def _same_title(got: str, planted: str) -> bool:
    """Equal up to punctuation, spaces and a character or two the cleaner repaired.

    The headline phrases come from the OCR'd sample pages, so a planted title
    may hold an OCR error (向具市延伸) that the clean stage fixes (向县市延伸).
    """
    a, b = _flat(got), _flat(planted)
    return a == b or difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.8


def load_truth(corpus: Path) -> tuple[dict, list[Placement]]:
    """The manifest and every placement of every planted article."""
    manifest = json.loads((corpus / "MANIFEST.json").read_text(encoding="utf-8"))
    texts: dict[str, list[str]] = {}
    placements: list[Placement] = []
    for art in manifest["articles"]:
        for p in art["placed"]:
            if "lines" not in p:
                raise SystemExit(f"{corpus}: MANIFEST.json has no line ranges; regenerate it")
            if p["file"] not in texts:
                raw = (corpus / p["file"]).read_text(encoding="utf-8")
                texts[p["file"]] = raw.replace("\r\n", "\n").split("\n")
            lines = texts[p["file"]]
            first, last = p["lines"]
            nonblank = {n for n in range(first, last + 1) if lines[n - 1].strip()}
            placements.append(
                Placement(
                    art["id"],
                    p["role"],
                    p["file"],
                    first,
                    last,
                    nonblank,
                    art["title"],
                    p.get("layout"),
                )
            )
    return manifest, placements


def pipeline_units(
    corpus: Path, shingles: bool = False, project: Path = ROOT
) -> tuple[list[Unit], list[Unit], dict]:
    """Split fragments and merged articles, running the stages in-process
    with the ``generator`` package of ``project`` (this checkout by default)."""
    sys.path.insert(0, str(project))
    from generator import clean, merge, read, split

    found = read.read_corpus(corpus)
    pages = clean.clean_pages(found.pages)
    fragments = split.split_pages(pages)
    frag_units = [_unit(a.title, a.sources) for a in fragments]
    stats = shingle_stats(fragments) if shingles else None
    articles, report = merge.merge(fragments)
    counts = {
        "duplicates_merged": report.duplicates_merged,
        "displaced_tails_joined": report.tails_joined,
        "continuations_joined": report.continuations_joined,
    }
    if stats:
        counts["shingles"] = stats
    return frag_units, [_unit(a.title, a.sources) for a in articles], counts


def shingle_stats(fragments: list) -> dict:
    """How the merge stage's 4-gram index sees the split fragments.

    ``merge.merge_duplicates`` pairs articles only through shingles found in
    2..MAX_POSTINGS articles; a pair needs a share of the smaller copy's
    shingles among those (35 % with the same title, else 60 %).
    """
    from generator.merge import MAX_POSTINGS, _shingles, han_text

    sets = [_shingles(han_text(a)) for a in fragments if a.kind != "photo"]
    counts: Counter[str] = Counter()
    for sh in sets:
        counts.update(sh)
    over = sum(1 for c in counts.values() if c > MAX_POSTINGS)
    occurrences = sum(counts.values())
    over_occ = sum(c for c in counts.values() if c > MAX_POSTINGS)
    shares = sorted(sum(1 for s in sh if counts[s] <= MAX_POSTINGS) / len(sh) for sh in sets if sh)
    return {
        "max_postings": MAX_POSTINGS,
        "distinct": len(counts),
        "over_max_postings": over,
        "occurrences_over_max_postings": round(over_occ / max(1, occurrences), 3),
        "indexed_share_p10": round(shares[len(shares) // 10], 3) if shares else 0,
        "indexed_share_p50": round(shares[len(shares) // 2], 3) if shares else 0,
    }


# The subject-change cue as generator/split.py weighed it at a20496a (TF-IDF
# cosine of character pairs, document frequency over the page's paragraphs),
# kept here so that the measure of the corpus does not move with the splitter.
_HAN_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
SUBJECT_NEW, SUBJECT_SAME = 0.025, 0.045  # split.py's thresholds at a20496a


def _bigrams(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for run in _HAN_RUN_RE.findall(text):
        counts.update(run[k : k + 2] for k in range(len(run) - 1))
    return counts


def page_idf(paragraphs: list[str]) -> dict[str, float]:
    """Inverse paragraph frequency of each character pair on a page."""
    df: Counter[str] = Counter()
    for text in paragraphs:
        df.update(_bigrams(text).keys())
    n = len(paragraphs) + 1
    return {b: math.log(n / c) + 0.1 for b, c in df.items()}


def similarity(a: str, b: str, idf: dict[str, float]) -> float:
    """TF-IDF cosine of two texts' character pairs (split._similarity at a20496a)."""
    va, vb = _bigrams(a), _bigrams(b)
    if not va or not vb:
        return 0.0
    dot = sum(c * vb[k] * idf.get(k, 1.0) ** 2 for k, c in va.items() if k in vb)
    na = math.sqrt(sum((c * idf.get(k, 1.0)) ** 2 for k, c in va.items()))
    nb = math.sqrt(sum((c * idf.get(k, 1.0)) ** 2 for k, c in vb.items()))
    return dot / (na * nb) if na and nb else 0.0


def subject_similarity(corpus: Path, manifest: dict) -> dict:
    """The subject-change cue of the splitter on the planted articles.

    Per planted article (its first ``full`` placement, the headline line left
    out), with ``similarity`` and the page's ``page_idf`` (over the page's
    non-empty lines): *within*, its first half against its second half (by
    characters, whole lines; articles of two lines or more); *between*, the
    whole article against the next placement on its page. On real pages a new
    article shares almost nothing with the one above it, while the text under
    a section head goes on with its article's subject.
    """
    texts: dict[str, list[str]] = {}
    idfs: dict[str, dict[str, float]] = {}
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for art in manifest["articles"]:
        for p in art["placed"]:
            spans[p["file"]].append(tuple(p["lines"]))

    def body(file: str, first: int, last: int) -> list[str]:
        """The non-empty lines after a placement's first (headline) line."""
        if file not in texts:
            raw = (corpus / file).read_text(encoding="utf-8").replace("\r\n", "\n")
            texts[file] = [line.strip().lstrip("#").strip() for line in raw.split("\n")]
            idfs[file] = page_idf([t for t in texts[file] if t])
        return [t for t in texts[file][first:last] if t]

    within: list[float] = []
    between: list[float] = []
    # as the splitter sees a headline: up to 6 paragraphs above it against up
    # to 3 below (inside an article: at its middle paragraph)
    within_cut: list[float] = []
    between_cut: list[float] = []
    for art in manifest["articles"]:
        full = [p for p in art["placed"] if p["role"] == "full"]
        if not full:
            continue
        p = full[0]
        first, last = p["lines"]
        paras = body(p["file"], first, last)
        if not paras:
            continue
        idf = idfs[p["file"]]
        if len(paras) >= 2:
            half = sum(map(len, paras)) / 2
            k, done = 0, 0
            while k < len(paras) - 1 and done + len(paras[k]) <= half:
                done += len(paras[k])
                k += 1
            k = max(k, 1)
            within.append(similarity(" ".join(paras[:k]), " ".join(paras[k:]), idf))
            if len(paras) >= 4:
                m = len(paras) // 2
                cut = similarity(
                    " ".join(paras[max(0, m - 6) : m]), " ".join(paras[m : m + 3]), idf
                )
                within_cut.append(cut)
        nxt = [s for s in sorted(spans[p["file"]]) if s[0] > last]
        if nxt:
            other = body(p["file"], nxt[0][0], nxt[0][1])
            if other:
                between.append(similarity(" ".join(paras), " ".join(other), idf))
                cut = similarity(" ".join(paras[-6:]), " ".join(other[:3]), idf)
                between_cut.append(cut)

    def dist(xs: list[float]) -> dict:
        xs = sorted(xs)
        if not xs:
            return {"n": 0}
        q = {
            f"p{k}": round(xs[min(len(xs) - 1, len(xs) * k // 100)], 3)
            for k in (10, 25, 50, 75, 90)
        }
        return {
            "n": len(xs),
            "mean": round(sum(xs) / len(xs), 3),
            **q,
            "below_subject_new": round(sum(x < SUBJECT_NEW for x in xs) / len(xs), 3),
            "at_subject_same": round(sum(x >= SUBJECT_SAME for x in xs) / len(xs), 3),
        }

    return {
        "subject_new": SUBJECT_NEW,
        "subject_same": SUBJECT_SAME,
        "within": dist(within),
        "between": dist(between),
        "within_at_headline": dist(within_cut),
        "between_at_headline": dist(between_cut),
    }


def subject_lines(sims: dict) -> list[str]:
    """The two distributions of ``subject_similarity`` as printed lines."""
    out = [
        f"subject similarity (TF-IDF of character pairs; new below {sims['subject_new']}, "
        f"same from {sims['subject_same']}):"
    ]
    for name, label in (
        ("within", "first vs second half"),
        ("between", "article vs next"),
        ("within_at_headline", "6 above vs 3 below"),
        ("between_at_headline", "6 last vs 3 of next"),
    ):
        d = sims[name]
        if not d["n"]:
            continue
        out.append(
            f"  {label:21s} n {d['n']:5d}  mean {d['mean']:.3f}  "
            + "  ".join(f"{k} {d[k]:.3f}" for k in ("p10", "p25", "p50", "p75", "p90"))
            + f"  below new {100 * d['below_subject_new']:.0f} %"
            + f"  same {100 * d['at_subject_same']:.0f} %"
        )
    return out


META_FIELDS = ("paper", "page", "date", "date_precision", "reporters", "photographers", "kind")


def export_units(path: Path) -> list[Unit]:
    """Units of an export (JSON lines), with the metadata fields truth scores."""
    units = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            units.append(
                Unit(
                    rec["title"],
                    [(s["file"], s["first_line"], s["last_line"]) for s in rec["sources"]],
                    meta={k: rec.get(k) for k in META_FIELDS},
                )
            )
    return units


def _unit(title: str, sources: list) -> Unit:
    """A unit from a pipeline article's title and ``Source`` list."""
    return Unit(title, [(s.file, s.first_line, s.last_line) for s in sources])


def attach(units: list[Unit], placements: list[Placement]) -> dict[int, list[int]]:
    """Fill ``Unit.overlap``; returns placement index -> units touching it."""
    by_file: dict[str, list[int]] = defaultdict(list)
    for k, p in enumerate(placements):
        by_file[p.file].append(k)
    touching: dict[int, list[int]] = defaultdict(list)
    for u_index, unit in enumerate(units):
        for file, a, b in unit.sources:
            for k in by_file.get(file, ()):
                p = placements[k]
                if b < p.first or a > p.last:
                    continue
                n = sum(1 for line in p.lines if a <= line <= b)
                if n:
                    if k not in unit.overlap:
                        touching[k].append(u_index)
                    unit.overlap[k] = unit.overlap.get(k, 0) + n
    return touching


def covers(unit: Unit, k: int, placements: list[Placement]) -> bool:
    """Whether ``unit`` holds at least half of placement ``k``'s non-empty lines."""
    return unit.overlap.get(k, 0) * 2 >= len(placements[k].lines)


def score_split(units: list[Unit], placements: list[Placement]) -> dict[int, str]:
    """Placement index -> ok / edge / fused / broken."""
    touching = attach(units, placements)
    verdict: dict[int, str] = {}
    for k, p in enumerate(placements):
        us = touching.get(k, [])
        main = [u for u in us if covers(units[u], k, placements)]
        if len(main) != 1:
            verdict[k] = "broken"
            continue
        u = units[main[0]]
        others = [j for j in u.overlap if j != k and covers(u, j, placements)]
        if others:
            verdict[k] = "fused"
        elif len(us) == 1 and len(u.overlap) == 1 and u.overlap[k] == len(p.lines):
            verdict[k] = "ok"
        else:
            # a stray fragment holding part of this placement and covering nothing
            stray = [
                v
                for v in us
                if v != main[0]
                and not any(covers(units[v], j, placements) for j in units[v].overlap)
            ]
            verdict[k] = "broken" if stray else "edge"
    return verdict


def score_merge(units: list[Unit], placements: list[Placement]) -> dict:
    """Per planted article: recovered, duplicate merged, jump joined, title right.

    ``result["verdict"]``: article id -> the unit index that recovered it (or None).
    """
    touching = attach(units, placements)
    by_article: dict[int, list[int]] = defaultdict(list)
    for k, p in enumerate(placements):
        by_article[p.aid].append(k)
    result = {"planted": len(by_article), "recovered": 0, "duplicates": 0, "dup_merged": 0}
    result.update({"jumps": 0, "jumps_joined": 0, "title_ok": 0})
    misses: dict[str, list] = defaultdict(list)
    found: dict[int, int] = {}
    joined: set[int] = set()
    for aid, ks in sorted(by_article.items()):
        first = ks[0]
        cover = [u for u in touching.get(first, []) if covers(units[u], first, placements)]
        second = ks[1] if len(ks) > 1 else None
        role2 = placements[second].role if second is not None else None
        if role2 == "duplicate":
            result["duplicates"] += 1
        elif role2 == "jump_tail":
            result["jumps"] += 1
        if len(cover) != 1:
            misses["not_covered" if not cover else "covered_twice"].append(aid)
            continue
        u = units[cover[0]]
        foreign = [j for j in u.overlap if placements[j].aid != aid and covers(u, j, placements)]
        if foreign:
            misses["fused"].append(aid)
            continue
        result["recovered"] += 1
        found[aid] = cover[0]
        if placements[first].title is None or _same_title(u.title, placements[first].title):
            result["title_ok"] += 1
        else:
            misses["title"].append(aid)
        if second is not None:
            both = covers(u, second, placements)
            if both:
                joined.add(aid)
            if role2 == "duplicate":
                result["dup_merged"] += both
                if not both:
                    misses["dup_not_merged"].append(aid)
            else:
                result["jumps_joined"] += both
                if not both:
                    misses["jump_not_joined"].append(aid)
    covered = {k for u in units for k in u.overlap}
    result["outputs"] = len(units)
    result["outputs_without_placement"] = sum(1 for u in units if not u.overlap)
    # spurious: an output that covers no placement (a stray piece, a furniture line)
    result["spurious"] = sum(
        1 for u in units if not any(covers(u, k, placements) for k in u.overlap)
    )
    result["placements_untouched"] = len(placements) - len(covered)
    result["misses"] = {k: v for k, v in sorted(misses.items())}
    result["found"] = found
    result["joined"] = joined
    return result


def _han(text: str | None) -> str:
    """Only letters and digits (Han included), as generator/evaluate.py compares titles."""
    return "".join(ch for ch in (text or "") if ch.isalnum())


def title_matches(planted: str, got: str) -> bool:
    """generator/evaluate.py's rule: the same Han text, or one holds the other and
    is at least 60 % of its length."""
    a, b = _han(planted), _han(got)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return short in long_ and len(short) >= 0.6 * len(long_)


def expected_reporters(art: dict) -> list[str]:
    """Reporters a reader finds printed: none for captions and unsigned articles."""
    if art["kind"] == "photo_caption" or art["byline_style"] == "none":
        return []
    return list(art["reporters"])


# Outlets whose own dateline makes an article theirs (光明日报长春4月19日电): the
# gold annotations of the dev set give these as the paper. Agency copy (新华社,
# 中新网) is the printing paper's, or the agency's: either is right here.
DATELINE_OUTLETS = ("光明日报", "人民日报", "经济日报")
AGENCIES = {"新华社": "新华社", "中新网": "中国新闻社"}


def expected_papers(art: dict, page_of: dict[str, dict]) -> set[str | None]:
    """Papers a right answer may give: the dateline's outlet, else the printing
    paper; None as well when nothing printed names it (no sidecar, no header
    with the paper, no byline with it)."""
    dateline = art.get("dateline") or ""
    for outlet in DATELINE_OUTLETS:
        if dateline.startswith(outlet):
            return {outlet}
    if not page_of:  # a version 2 manifest
        return {art["paper"]}
    agencies = {
        name
        for prefix, name in AGENCIES.items()
        if dateline.startswith(prefix) or prefix in (art.get("credit") or "")
    }
    named = any(
        (p["file"] in page_of and page_of[p["file"]]["meta_file"])
        or (p["file"] in page_of and page_of[p["file"]]["printed"].get("paper"))
        or (p.get("byline_style") == "end")  # 吉林日报记者 X
        for p in art["placed"]
    )
    return {art["paper"], *agencies} | (set() if named else {None})


def expected_dates(art: dict, page_of: dict[str, dict]) -> set[str | None]:
    """Dates a right answer may give: the date the text gives (a dateline's, or
    an event's in the lead) or the issue's (the dev gold takes the page's over
    a lead's event date); a copy's issue date too. None as well when nothing
    gives the year: no sidecar, no printed date, no year in the lead."""
    dates: set[str | None] = {art["issue_date"]}
    if art["date"]:
        dates.add(art["date"])
    placed = [p for p in art["placed"] if p["file"] in page_of]
    dates |= {page_of[p["file"]]["date"] for p in placed[1:]}
    year_shown = art.get("date_form") == "ymd" or any(
        page_of[p["file"]]["meta_file"] or page_of[p["file"]]["printed"].get("date") for p in placed
    )
    if page_of and not year_shown:
        dates.add(None)
    return dates


def expected_photographers(art: dict) -> list[str]:
    """Photographers of a caption (version 2 manifests kept them as reporters)."""
    if art["kind"] != "photo_caption":
        return []
    return list(art.get("photographers") or art["reporters"])


def article_classes(art: dict, furniture_files: set[str]) -> list[str]:
    """The layout classes a planted article counts for (furniture: printed on such a page)."""
    classes = list(art.get("layouts") or ["classic"])
    if any(p["file"] in furniture_files for p in art["placed"]):
        classes.append("furniture")
    return classes


def score_classes(
    manifest: dict,
    placements: list[Placement],
    units: list[Unit],
    merged: dict,
    verdict: dict[int, str] | None = None,
) -> dict:
    """Per layout class: planted articles, recovered (lines), exactly once (title),
    and what the class is about (jumps joined, copies merged, photographers,
    furniture kept out); with export metadata also paper, date and reporters.

    ``merged`` is ``score_merge``'s result for ``units``; ``verdict`` the split
    stage's (placement index -> ok / edge / fused / broken), when there is one.
    """
    arts = {a["id"]: a for a in manifest["articles"]}
    pages = manifest.get("pages", [])
    furniture_files = {pg["file"] for pg in pages if pg.get("furniture")}
    page_of = {pg["file"]: pg for pg in pages}
    by_file: dict[str, list[int]] = defaultdict(list)
    for i, u in enumerate(units):
        for file in {f for f, _a, _b in u.sources}:
            by_file[file].append(i)
    firsts: dict[int, int] = {}
    seconds: dict[int, int] = {}
    on_file: dict[str, list[int]] = defaultdict(list)
    for k, p in enumerate(placements):
        on_file[p.file].append(k)
        if p.aid in firsts:
            seconds.setdefault(p.aid, k)
        else:
            firsts[p.aid] = k
    found, joined = merged["found"], merged["joined"]
    with_meta = any(u.meta is not None for u in units)
    order = manifest.get("layouts") or list(LAYOUTS)
    if furniture_files and "furniture" not in order:
        order = [*order, "furniture"]
    stats: dict[str, Counter] = {c: Counter() for c in LAYOUTS if c in order}
    for aid, art in sorted(arts.items()):
        classes = [c for c in article_classes(art, furniture_files) if c in stats]
        u_index = found.get(aid)
        unit = units[u_index] if u_index is not None else None
        files = {p["file"] for p in art["placed"]}
        if art["title"]:
            hits = {
                i
                for f in files
                for i in by_file.get(f, ())
                if title_matches(art["title"], units[i].title)
            }
            if unit is not None and _same_title(unit.title, art["title"]):
                hits.add(u_index)
            exact = len(hits) == 1
        else:  # a caption has no title: the unit that recovered it
            exact = unit is not None
        row: Counter = Counter(planted=1, recovered=unit is not None, exact=exact)
        if aid in seconds:
            second = placements[seconds[aid]]
            kind = "jump" if second.role == "jump_tail" else "dup"
            row[f"{kind}s"] += 1
            row[f"{kind}s_joined"] += aid in joined
        if verdict is not None:
            row[f"split_{verdict[firsts[aid]]}"] += 1
        if with_meta and unit is not None and unit.meta is not None:
            meta = unit.meta
            row["paper_ok"] += meta.get("paper") in expected_papers(art, page_of)
            dates = expected_dates(art, page_of)
            row["date_ok"] += meta.get("date") in dates
            got_date = meta.get("date") or ""
            years = {d[:4] for d in dates if d} | {art["issue_date"][:4]}
            row["year_wrong"] += bool(got_date) and got_date[:4] not in years
            got = sorted(meta.get("reporters") or [])
            # a caption's credit: as photographers; the dev gold lists them as
            # reporters too, so either is right there
            right = [sorted(expected_reporters(art))]
            if art["kind"] == "photo_caption":
                right.append(sorted(expected_photographers(art)))
            row["reporters_ok"] += got in right
            if art["kind"] == "photo_caption":
                row["captions"] += 1
                row["photographers_ok"] += sorted(meta.get("photographers") or []) == sorted(
                    expected_photographers(art)
                )
            first_page = page_of.get(art["placed"][0]["file"], {})
            if first_page.get("printed", {}).get("page"):
                row["page_printed"] += 1
                row["page_ok"] += str(meta.get("page") or "") == first_page["printed"]["page"]
        for c in classes:
            stats[c].update(row)
    # captions: a credit attributed to the article above as its reporters (a
    # name that article really has does not count: the pool of names is small)
    if with_meta:
        leaked = 0
        for aid, art in arts.items():
            names = set(expected_photographers(art))
            if not names:
                continue
            k_cap = firsts[aid]
            cap = placements[k_cap]
            above = [k for k in on_file[cap.file] if placements[k].last < cap.first]
            if not above:
                continue
            k_above = max(above, key=lambda k: placements[k].last)
            own = set(expected_reporters(arts[placements[k_above].aid]))
            if any(
                (names - own) & set(units[i].meta.get("reporters") or [])
                for i in by_file.get(cap.file, ())
                if units[i].meta is not None and covers(units[i], k_above, placements)
            ):
                leaked += 1
        if "caption" in stats:
            stats["caption"]["credit_as_reporters"] = leaked
    # furniture: lines that went into an article, became a title or an article
    if "furniture" in stats:
        lines = [(pg["file"], f) for pg in pages for f in pg.get("furniture", [])]
        inside = as_title = as_article = 0
        for file, f in lines:
            holders = [
                i
                for i in by_file.get(file, ())
                if any(fl == file and a <= f["line"] <= b for fl, a, b in units[i].sources)
            ]
            inside += bool(holders)
            flat = _han(f["text"])
            as_title += any(_han(units[i].title) == flat for i in by_file.get(file, ()))
            as_article += any(
                not any(covers(units[i], k, placements) for k in units[i].overlap) for i in holders
            )
        st = stats["furniture"]
        st["furniture_lines"] = len(lines)
        st["furniture_in_output"] = inside
        st["furniture_as_title"] = as_title
        st["furniture_in_spurious"] = as_article
        st["pages"] = len(furniture_files)
    return {c: dict(v) for c, v in stats.items()}


def class_table(classes: dict) -> list[str]:
    """Printable lines: one per layout class."""
    out = ["  class           planted  recovered          exactly once (title)  other"]
    for c, st in classes.items():
        n = st.get("planted", 0)
        other = []
        for key, total in (
            ("jumps_joined", "jumps"),
            ("dups_joined", "dups"),
            ("photographers_ok", "captions"),
            ("reporters_ok", None),
            ("paper_ok", None),
            ("date_ok", None),
            ("page_ok", "page_printed"),
        ):
            if key in st or (total and total in st):
                of = st.get(total, 0) if total else st.get("recovered", 0)
                other.append(f"{key} {st.get(key, 0)}/{of}")
        for key in ("year_wrong", "credit_as_reporters"):
            if key in st:
                other.append(f"{key} {st[key]}")
        if "furniture_lines" in st:
            other.append(
                f"furniture lines {st['furniture_lines']} on {st['pages']} pages: "
                f"in an output {st['furniture_in_output']}, as a title "
                f"{st['furniture_as_title']}, in a spurious output {st['furniture_in_spurious']}"
            )
        split = [f"{k[6:]} {v}" for k, v in sorted(st.items()) if k.startswith("split_")]
        if split:
            other.append("split: " + ", ".join(split))
        out.append(
            f"  {c:14s} {n:8d}  {_pct(st.get('recovered', 0), n):17s}  "
            f"{_pct(st.get('exact', 0), n):20s}  " + "; ".join(other)
        )
    return out


def _pct(a: int, b: int) -> str:
    """``a/b (p %)``."""
    return f"{a}/{b} ({100 * a / b:.1f} %)" if b else f"{a}/0"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--export", type=Path, help="score this export (JSON lines) instead")
    ap.add_argument("--show", type=int, default=0, help="list up to K examples per kind of miss")
    ap.add_argument("--json", type=Path, help="write the numbers here")
    ap.add_argument("--shingles", action="store_true", help="count 4-grams over merge.MAX_POSTINGS")
    ap.add_argument(
        "--subjects",
        action="store_true",
        help="also the subject-change cue: similarity within an article and to the next one",
    )
    ap.add_argument(
        "--project",
        type=Path,
        default=ROOT,
        help="score the generator package of another copy of the code (e.g. `git archive` of HEAD)",
    )
    args = ap.parse_args(argv)
    manifest, placements = load_truth(args.corpus)
    out: dict = {"corpus": str(args.corpus), "manifest_counts": manifest["counts"]}
    if args.subjects:
        out["subjects"] = subject_similarity(args.corpus, manifest)
        for line in subject_lines(out["subjects"]):
            print(line)
    if args.export:
        merged = export_units(args.export)
    else:
        fragments, merged, counts = pipeline_units(args.corpus, args.shingles, args.project)
        out["merge_report"] = counts
        if args.shingles:
            st = counts["shingles"]
            print(
                f"shingles: {st['distinct']} distinct 4-grams in the split fragments, "
                f"{st['over_max_postings']} in more than {st['max_postings']} fragments "
                f"({100 * st['occurrences_over_max_postings']:.1f} % of occurrences); "
                f"share of a fragment's 4-grams in at most that many: "
                f"p10 {st['indexed_share_p10']:.2f}, median {st['indexed_share_p50']:.2f}"
            )
        verdict = score_split(fragments, placements)
        by_role: dict[str, Counter] = defaultdict(Counter)
        for k, v in verdict.items():
            by_role[placements[k].role][v] += 1
        out["fragments"] = len(fragments)
        out["split"] = {role: dict(sorted(c.items())) for role, c in sorted(by_role.items())}
        total = Counter(verdict.values())
        print(
            f"split: {len(fragments)} fragments for {len(placements)} placements: "
            + ", ".join(f"{k} {total[k]}" for k in ("ok", "edge", "fused", "broken"))
        )
        for role, c in sorted(by_role.items()):
            print(f"  {role:10s} " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
        if args.show:
            for kind in ("fused", "broken"):
                ks = [k for k, v in verdict.items() if v == kind][: args.show]
                for k in ks:
                    p = placements[k]
                    print(f"  {kind}: article {p.aid} {p.role} {p.file}:{p.first}-{p.last}")
    res = score_merge(merged, placements)
    classes = score_classes(manifest, placements, merged, res, None if args.export else verdict)
    out["merge"] = {k: v for k, v in res.items() if k not in ("misses", "found", "joined")}
    out["classes"] = classes
    out["merge"]["classes"] = classes  # bench/run.py keeps the "merge" part
    out["misses"] = {k: len(v) for k, v in res["misses"].items()}
    print(
        f"merge: {res['outputs']} articles; recovered {_pct(res['recovered'], res['planted'])}, "
        f"title right {res['title_ok']}; duplicates merged "
        f"{_pct(res['dup_merged'], res['duplicates'])}; jumps joined "
        f"{_pct(res['jumps_joined'], res['jumps'])}; "
        f"{res['outputs_without_placement']} articles hold no planted text"
    )
    print("  misses: " + ", ".join(f"{k} {len(v)}" for k, v in res["misses"].items()))
    print(f"  spurious (cover no planted article): {res['spurious']}")
    print("per layout class (an article counts for each class it shows):")
    for line in class_table(classes):
        print(line)
    if args.show:
        for kind, aids in res["misses"].items():
            print(f"  {kind}: " + " ".join(map(str, aids[: args.show])))
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
