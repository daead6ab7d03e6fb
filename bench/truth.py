#!/usr/bin/env python3
"""Score the pipeline on a synthetic corpus against its ground truth.

    python bench/truth.py CORPUS [--export FILE.jsonl] [--show K] [--json OUT]

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
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Placement:
    aid: int
    role: str
    file: str
    first: int
    last: int
    lines: set[int]
    title: str | None


@dataclass
class Unit:
    """One extracted article (fragment or merged) as the scorer sees it."""

    title: str
    sources: list[tuple[str, int, int]]
    overlap: dict[int, int] = field(default_factory=dict)  # placement index -> lines


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
                Placement(art["id"], p["role"], p["file"], first, last, nonblank, art["title"])
            )
    return manifest, placements


def pipeline_units(corpus: Path, shingles: bool = False) -> tuple[list[Unit], list[Unit], dict]:
    """Split fragments and merged articles, running the stages in-process."""
    sys.path.insert(0, str(ROOT))
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


def export_units(path: Path) -> list[Unit]:
    units = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            units.append(
                Unit(
                    rec["title"],
                    [(s["file"], s["first_line"], s["last_line"]) for s in rec["sources"]],
                )
            )
    return units


def _unit(title: str, sources) -> Unit:
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
    touching = attach(units, placements)
    by_article: dict[int, list[int]] = defaultdict(list)
    for k, p in enumerate(placements):
        by_article[p.aid].append(k)
    result = {"planted": len(by_article), "recovered": 0, "duplicates": 0, "dup_merged": 0}
    result.update({"jumps": 0, "jumps_joined": 0, "title_ok": 0})
    misses: dict[str, list] = defaultdict(list)
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
        if placements[first].title is None or _same_title(u.title, placements[first].title):
            result["title_ok"] += 1
        else:
            misses["title"].append(aid)
        if second is not None:
            joined = covers(u, second, placements)
            if role2 == "duplicate":
                result["dup_merged"] += joined
                if not joined:
                    misses["dup_not_merged"].append(aid)
            else:
                result["jumps_joined"] += joined
                if not joined:
                    misses["jump_not_joined"].append(aid)
    covered = {k for u in units for k in u.overlap}
    result["outputs"] = len(units)
    result["outputs_without_placement"] = sum(1 for u in units if not u.overlap)
    result["placements_untouched"] = len(placements) - len(covered)
    result["misses"] = {k: v for k, v in sorted(misses.items())}
    return result


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / b:.1f} %)" if b else f"{a}/0"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--export", type=Path, help="score this export (JSON lines) instead")
    ap.add_argument("--show", type=int, default=0, help="list up to K examples per kind of miss")
    ap.add_argument("--json", type=Path, help="write the numbers here")
    ap.add_argument("--shingles", action="store_true", help="count 4-grams over merge.MAX_POSTINGS")
    args = ap.parse_args(argv)
    manifest, placements = load_truth(args.corpus)
    out: dict = {"corpus": str(args.corpus), "manifest_counts": manifest["counts"]}
    if args.export:
        merged = export_units(args.export)
    else:
        fragments, merged, counts = pipeline_units(args.corpus, args.shingles)
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
    out["merge"] = {k: v for k, v in res.items() if k != "misses"}
    out["misses"] = {k: len(v) for k, v in res["misses"].items()}
    print(
        f"merge: {res['outputs']} articles; recovered {_pct(res['recovered'], res['planted'])}, "
        f"title right {res['title_ok']}; duplicates merged "
        f"{_pct(res['dup_merged'], res['duplicates'])}; jumps joined "
        f"{_pct(res['jumps_joined'], res['jumps'])}; "
        f"{res['outputs_without_placement']} articles hold no planted text"
    )
    print("  misses: " + ", ".join(f"{k} {len(v)}" for k, v in res["misses"].items()))
    if args.show:
        for kind, aids in res["misses"].items():
            print(f"  {kind}: " + " ".join(map(str, aids[: args.show])))
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
