"""Which static-site engines can build the archive, and at what cost.

Material for MkDocs reaches end of life on 2027-05-05 and names Zensical as
its successor, which reads ``mkdocs.yml`` but ignores hooks and MkDocs
plugins. This script makes the day Zensical is ready for the archive a
measurement: for each corpus it generates the Markdown once
(``python -m generator build``), then builds the same tree with every engine
it finds (both editions: ``mkdocs.yml``, then the derived
``.generator-cache/editions/zh-Hant.yml`` into ``site/zh-Hant/``) and records
whether the build worked, its time and peak memory, the pages it wrote, the
local links that point at nothing, and how many search records hold each
test query.

    python bench/engines.py                       # bundled corpus and 3,000 articles
    python bench/engines.py --sizes 0,1000        # 0 = the bundled corpus
    python bench/engines.py --zensical /path/to/zensical

Engines: ``mkdocs`` (this environment's) and ``zensical`` (found on PATH, in
``--zensical``, or skipped and reported as not installed; install it in a
separate virtual environment, e.g. ``python -m venv /tmp/z && /tmp/z/bin/pip
install zensical``). Results go to ``bench/out/engines.json`` and, unless
``--no-write``, to the table between the ``engines:`` markers in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULTS = OUT / "engines.json"
BENCHMARKS = ROOT / "BENCHMARKS.md"
QUERIES = ("珲春", "长春", "乡村振兴")
PROJECT_FILES = ("mkdocs.yml", "generator", "templates", "site_overrides")
_LINK_RE = re.compile(r"""(?:href|src)="([^"#?]+)""")
_PEAK = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "run = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "rc = run.returncode\n"
    "print(rc, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def log(message: str) -> None:
    """One progress line on stderr."""
    sys.stderr.write(f"[engines {time.strftime('%H:%M:%S')}] {message}\n")


def measured(cmd: list[str], cwd: Path) -> dict:
    """Exit code, wall seconds and peak memory (MB) of ``cmd`` run in ``cwd``."""
    out = subprocess.run(
        [sys.executable, "-c", _PEAK, *cmd], cwd=cwd, capture_output=True, text=True
    ).stdout.split()
    rc, seconds, peak_kb = int(out[0]), float(out[1]), int(out[2])
    return {"ok": rc == 0, "rc": rc, "seconds": round(seconds, 1), "peak_mb": peak_kb // 1024}


def project(corpus: Path, work: Path, code: Path = ROOT) -> Path:
    """A fresh project folder holding the archive's config (from ``code``) and ``corpus``."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for name in PROJECT_FILES:
        src = code / name
        if src.is_dir():
            shutil.copytree(src, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, work / name)
    shutil.copytree(corpus, work / "corpus")
    return work


def broken_links(site: Path) -> int:
    """Local ``href``/``src`` targets of the built HTML that are not files of the site."""
    missing = 0
    for page in site.rglob("*.html"):
        for target in _LINK_RE.findall(page.read_text(encoding="utf-8", errors="replace")):
            if "://" in target or target.startswith(("mailto:", "data:", "javascript:")):
                continue
            path = (page.parent / target).resolve() if not target.startswith("/") else None
            if path is not None and not path.exists():
                missing += 1
    return missing


def search_hits(site: Path) -> dict[str, int] | None:
    """Records of the engine's own search index holding each query."""
    for index, key in (
        (site / "search" / "search_index.json", "docs"),
        (site / "search.json", "items"),
    ):
        if index.exists():
            records = json.loads(index.read_text(encoding="utf-8")).get(key, [])
            return {
                q: sum(q in (r.get("title", "") + r.get("text", "")) for r in records)
                for q in QUERIES
            }
    return None


# Simplified into site/, Traditional into site/zh-Hant/ (the config that
# ``python -m generator build`` derives from mkdocs.yml).
EDITIONS = ("mkdocs.yml", ".generator-cache/editions/zh-Hant.yml")


def engines(zensical: str | None) -> dict[str, list[list[str]] | None]:
    """Build commands of the engines to try, one per edition (None: not installed)."""
    z = zensical or shutil.which("zensical")
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q"]
    return {
        "mkdocs": [[*mkdocs, "-f", config] for config in EDITIONS],
        "zensical": [[z, "build", "-f", config] for config in EDITIONS]
        if z and Path(z).exists()
        else None,
    }


def measured_all(cmds: list[list[str]], cwd: Path) -> dict:
    """``measured`` for commands run one after the other: all must succeed."""
    runs = [measured(cmd, cwd) for cmd in cmds]
    failed = next((r for r in runs if not r["ok"]), None)
    return {
        "ok": failed is None,
        "rc": failed["rc"] if failed else 0,
        "seconds": round(sum(r["seconds"] for r in runs), 1),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "editions": [r["ok"] for r in runs],
    }


def run(sizes: list[int], zensical: str | None, seed: int, code: Path = ROOT) -> list[dict]:
    """Generate once per corpus, then build it with every engine."""
    rows = []
    for n in sizes:
        if n == 0:
            corpus, label = ROOT / "corpus", "bundled"
        else:
            corpus, label = OUT / f"corpus-{n}", f"{n:,}"
            if not (corpus / "MANIFEST.json").exists():
                log(f"writing corpus of {n} articles")
                subprocess.run(
                    [sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(n), str(corpus),
                     "--seed", str(seed)],
                    check=True, stdout=subprocess.DEVNULL,
                )  # fmt: skip
        work = project(corpus, OUT / f"engines-{label}", code)
        log(f"{label}: generating")
        gen = measured([sys.executable, "-m", "generator", "build", "-q", "--no-cache"], work)
        for name, cmd in engines(zensical).items():
            row = {"corpus": label, "engine": name, "generation": gen}
            if cmd is None:
                row["installed"] = False
                rows.append(row)
                continue
            site = work / "site"
            if site.exists():
                shutil.rmtree(site)
            log(f"{label}: {name} build")
            row.update(installed=True, build=measured_all(cmd, work))
            if site.is_dir():
                row["pages"] = sum(1 for _ in site.rglob("*.html"))
                row["broken_links"] = broken_links(site)
                row["search"] = search_hits(site)
            rows.append(row)
    return rows


def table(rows: list[dict]) -> str:
    """The Markdown table for BENCHMARKS.md."""
    lines = [
        "| corpus | engine | builds | time | peak memory | HTML pages | local links to nothing | "
        + " / ".join(f"“{q}”" for q in QUERIES)
        + " in its search index |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if not r.get("installed"):
            lines.append(f"| {r['corpus']} | {r['engine']} | not installed | | | | | |")
            continue
        b = r["build"]
        hits = r.get("search")
        shown = " / ".join(str(hits[q]) for q in QUERIES) if hits else "no index"
        works = "yes" if b["ok"] else f"no (exit {b['rc']}; editions built: {b['editions']})"
        lines.append(
            f"| {r['corpus']} | {r['engine']} | {works} "
            f"| {b['seconds']} s | {b['peak_mb']:,} MB | {r.get('pages', 0):,} "
            f"| {r.get('broken_links', '–')} | {shown} |"
        )
    gens = {r["corpus"]: r["generation"] for r in rows}
    lines.append("")
    lines.append(
        "Generation before the engines (`python -m generator build --no-cache`): "
        + ", ".join(f"{c} {g['seconds']} s, {g['peak_mb']:,} MB" for c, g in gens.items())
        + "."
    )
    return "\n".join(lines)


def write_report(rows: list[dict]) -> None:
    """Replace the table between the ``engines:`` markers of BENCHMARKS.md."""
    text = BENCHMARKS.read_text(encoding="utf-8")
    begin, end = "<!-- engines:begin -->", "<!-- engines:end -->"
    block = f"{begin}\n{table(rows)}\n{end}"
    if begin in text:
        text = re.sub(f"{begin}.*?{end}", lambda _: block, text, flags=re.S)
    else:
        text += f"\n## Engines (issue 18)\n\n{block}\n"
    BENCHMARKS.write_text(text, encoding="utf-8")


def main() -> int:
    """Parse arguments, run, write the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0,3000", help="comma-separated N; 0 = bundled corpus")
    parser.add_argument("--zensical", help="the zensical executable (default: on PATH)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true", help="do not touch BENCHMARKS.md")
    parser.add_argument(
        "--project", type=Path, default=ROOT, help="take the code and config from this folder"
    )
    args = parser.parse_args()
    rows = run([int(s) for s in args.sizes.split(",")], args.zensical, args.seed, args.project)
    OUT.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    print(table(rows))
    if not args.no_write:
        write_report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
