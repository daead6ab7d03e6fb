#!/usr/bin/env python3
"""Generation only, cold and after small changes (issue 20), at several sizes.

    python bench/incremental.py --sizes 1000,3000,10000 [--project DIR] [--tag T]

For each N, in a scratch copy of the project (``run.scratch_project``, the
code of ``--project``) with the ``make_corpus.py`` corpus (seed 0):

1. ``build --no-cache`` from empty ``docs/``: the cold generation (wall, peak
   memory of the process tree);
2. ``build`` from an empty cache (fills it), then ``build`` again (no-op);
3. **one raw file edited** (``run.touch_one_file``: one sentence added), ``build``;
4. **``corrections.yml`` edited** (the project copy's ``generator/data``): one
   rule added that changes one word of one raw file, ``build``;
5. **a raw file added** (a copy of one page under a new name, with its
   sidecar: its articles are merged as duplicates), ``build``;
6. **that file deleted** again, ``build``.

Each rebuild is also given as a percentage of the cold generation. Results go
to ``bench/out/incremental.json`` (one entry per N and tag) and are printed as
a Markdown table; BENCHMARKS.md is not touched (copy the table by hand).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402

RESULTS = bench.OUT / "incremental.json"
STEPS = ("noop", "one_file", "corrections", "add_file", "delete_file")
LABELS = {
    "cold": "cold generation (`build --no-cache`)",
    "peak": "peak memory, cold",
    "noop": "no-op rebuild",
    "one_file": "one raw file edited",
    "corrections": "`corrections.yml` edited (one rule)",
    "add_file": "one raw file added",
    "delete_file": "one raw file deleted",
}
RULE = """
- id: bench-incremental
  pattern: {word}
  replacement: {fixed}
  note: benchmark only (bench/incremental.py)
"""


def build(proj: Path, *flags: str) -> dict:
    py = [sys.executable, "-m", "generator", "build", "--corpus", "corpus", *flags]
    r = bench.run(py, proj, {"PYTHONDONTWRITEBYTECODE": "1"})
    m = re.search(r"docs written / unchanged\s+(\d+) / (\d+)", r["stderr"])
    return {
        "s": round(r["wall"], 2),
        "peak_mb": r["peak_mb"],
        "written": int(m.group(1)) if m else None,
        "stages": bench.stages(r["stderr"]),
    }


def add_rule(proj: Path) -> None:
    """A correction rule that changes one word of one published article: a
    4-character word of an article from a single raw file that occurs nowhere
    else in the corpus (the first such, from the middle of the export)."""
    files = sorted((proj / "corpus").glob("*.txt"))
    everything = "".join(f.read_text(encoding="utf-8") for f in files)
    records = (proj / "docs" / "data" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    word = None
    for line in records[len(records) // 2 :]:
        record = json.loads(line)
        if len(record["sources"]) != 1:
            continue
        for m in re.finditer(r"[\u4e00-\u9fff]{4}", record["text"]):
            if everything.count(m.group()) == 1:
                word = m.group()
                break
        if word:
            break
    assert word, "no word to correct"
    path = proj / "generator" / "data" / "corrections.yml"
    body = path.read_text(encoding="utf-8")
    path.write_text(body.rstrip("\n") + "\n" + RULE.format(word=word, fixed=word[::-1]), "utf-8")


def bench_size(n: int, args) -> dict:
    corpus = bench.corpus_for(n, 0)
    proj = bench.scratch_project(n, corpus, args.project, f"-incr{args.tag}")
    res: dict = {"n": n, "project": str(args.project)}
    bench.log(f"N={n}: cold build --no-cache")
    cold = build(proj, "--no-cache")
    res["cold"], res["peak"] = cold["s"], cold["peak_mb"]
    res["cold_stages"] = cold["stages"]
    shutil.rmtree(proj / "docs")
    shutil.rmtree(proj / "docs-hant")
    bench.log(f"N={n}: build filling the cache")
    res["fill"] = build(proj)["s"]
    time.sleep(1)
    res["noop"] = build(proj)
    bench.log(f"N={n}: one raw file edited")
    bench.touch_one_file(proj / "corpus")
    res["one_file"] = build(proj)
    bench.log(f"N={n}: corrections.yml edited")
    add_rule(proj)
    res["corrections"] = build(proj)
    bench.log(f"N={n}: a raw file added")
    pages = sorted((proj / "corpus").glob("p*.txt"))
    source = pages[len(pages) // 4]
    added = proj / "corpus" / "zz_added.txt"
    shutil.copyfile(source, added)
    if source.with_suffix(".meta.yml").exists():
        shutil.copyfile(source.with_suffix(".meta.yml"), added.with_suffix(".meta.yml"))
    res["add_file"] = build(proj)
    bench.log(f"N={n}: that file deleted")
    added.unlink()
    added.with_suffix(".meta.yml").unlink(missing_ok=True)
    res["delete_file"] = build(proj)
    if not args.keep:
        shutil.rmtree(proj, ignore_errors=True)
    return res


def table(data: dict, keys: list[str]) -> str:
    head = "| change | " + " | ".join(keys) + " |"
    rows = [head, "|---" * (len(keys) + 1) + "|"]
    cold = " | ".join(f"{data[k]['cold']:.1f} s" for k in keys)
    peak = " | ".join(f"{data[k]['peak']:,} MB" for k in keys)
    rows.append(f"| {LABELS['cold']} | {cold} |")
    rows.append(f"| {LABELS['peak']} | {peak} |")
    for step in STEPS:
        cells = []
        for k in keys:
            r, cold = data[k][step], data[k]["cold"]
            cells.append(f"{r['s']:.1f} s ({100 * r['s'] / cold:.1f} %, {r['written']} files)")
        rows.append(f"| {LABELS[step]} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,3000,10000")
    parser.add_argument("--project", type=Path, default=bench.ROOT)
    parser.add_argument("--tag", default="")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    keys = []
    for n in [int(x) for x in args.sizes.split(",") if x]:
        k = f"{n}{args.tag}"
        data[k] = bench_size(n, args)
        keys.append(k)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(data, ensure_ascii=False, indent=1))
        print(table(data, keys), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
