#!/usr/bin/env python3
"""Build the archive as 3 shards (by issue year) with one search across them.

    python bench/shards.py [--n 1000] [--check]

A simulation of how a very large archive is built (BENCHMARKS.md, "Scaling
out"): the synthetic corpus is split by issue year into three sub-corpora,
each shard is a complete, independent project built with
``python -m generator site`` (here two at a time, as CI matrix jobs would
run), and the shards are published side by side under one root::

    bench/out/shards/site/index.html          a small front page
    bench/out/shards/site/2019-2020/          shard 1 (its own pagefind/)
    bench/out/shards/site/2021-2022/          shard 2
    bench/out/shards/site/2023-2024/          shard 3

Each shard's ``mkdocs.yml`` lists the other shards' Pagefind bundles in
``extra.archive.search_merge``; the search box then loads them with
Pagefind's ``mergeIndex``, so a query on any shard returns articles from all
three. ``--check`` serves the result, types queries in headless Chromium and
fails unless results come from every shard. Only the Simplified edition is
built (``hant: false``) to keep the run short; the Traditional editions
merge the same way (``../../<shard>/zh-Hant/pagefind/``).

Known limit of sharding by year: duplicates and page jumps are only found
within a shard (a reprint in another year stays a separate article).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "shards"
SHARDS = {"2019-2020": (2019, 2020), "2021-2022": (2021, 2022), "2023-2024": (2023, 2024)}
COPY = ("generator", "templates", "site_overrides")
QUERIES = ("长春", "乡村振兴", "珲春")


def log(msg: str) -> None:
    sys.stderr.write(f"[shards {time.strftime('%H:%M:%S')}] {msg}\n")


def corpus(n: int) -> Path:
    path = ROOT / "bench" / "out" / f"corpus-{n}"
    if not (path / "MANIFEST.json").exists():
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(n), str(path)], check=True
        )
    return path


def split(source: Path) -> dict[str, list[Path]]:
    """Raw files by shard, from the issue date of the articles printed in them."""
    manifest = json.loads((source / "MANIFEST.json").read_text(encoding="utf-8"))
    year_of: dict[str, int] = {}
    for article in manifest["articles"]:
        for place in article["placed"]:
            if place["role"] != "duplicate" and article.get("issue_date"):
                year_of.setdefault(place["file"], int(article["issue_date"][:4]))
    shards: dict[str, list[Path]] = {name: [] for name in SHARDS}
    for txt in sorted(source.glob("*.txt")):
        year = year_of.get(txt.name)
        names = list(SHARDS)
        name = next(
            (s for s, (a, b) in SHARDS.items() if year and a <= year <= b),
            names[zlib.crc32(txt.name.encode()) % len(names)],
        )
        shards[name].append(txt)
    return shards


def project(name: str, files: list[Path]) -> Path:
    """A complete project for one shard: code, config, its part of the corpus."""
    root = OUT / name
    shutil.rmtree(root, ignore_errors=True)
    (root / "corpus").mkdir(parents=True)
    for txt in files:
        os.link(txt, root / "corpus" / txt.name)
        meta = txt.with_suffix(".meta.yml")
        if meta.exists():
            os.link(meta, root / "corpus" / meta.name)
    for sub in COPY:
        shutil.copytree(ROOT / sub, root / sub, ignore=shutil.ignore_patterns("__pycache__"))
    for cfg in ROOT.glob("mkdocs*.yml"):
        shutil.copy2(cfg, root / cfg.name)
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    others = [s for s in SHARDS if s != name]
    merge = "".join(f"\n      - bundle: ../{o}/pagefind/" for o in others)
    text = re.sub(r"^site_name: (.*)$", rf"site_name: \g<1> · {name}", text, count=1, flags=re.M)
    text = re.sub(r"^site_url: (.*)$", rf"site_url: \g<1>{name}/", text, count=1, flags=re.M)
    text = re.sub(r"hant: true", "hant: false", text, count=1)
    text = text.replace(
        "    offline_full_text_limit:", f"    search_merge:{merge}\n    offline_full_text_limit:", 1
    )
    config.write_text(text, encoding="utf-8")
    return root


def build(root: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "site", "--quiet", "--workers", "1"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    if proc.returncode != 0:
        raise SystemExit(f"{root.name}: build failed\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start


def assemble(roots: dict[str, Path], counts: dict[str, int]) -> Path:
    site = OUT / "site"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    for name, root in roots.items():
        shutil.copytree(root / "site", site / name)
    items = "".join(
        f'<li><a href="{n}/index.html">{n}</a>（{counts[n]} 篇文章）</li>' for n in roots
    )
    (site / "index.html").write_text(
        '<!doctype html><html lang="zh"><meta charset="utf-8"><title>吉林报纸文章档案</title>'
        f"<h1>吉林报纸文章档案</h1><p>按年份分为 {len(roots)} 个分站；"
        f"每个分站的搜索同时检索全部分站。</p><ul>{items}</ul></html>\n",
        encoding="utf-8",
    )
    return site


def check(site: Path) -> dict:
    """Query each shard's search box; every query must return articles from all shards."""
    sys.path.insert(0, str(ROOT / "bench"))
    from playwright.sync_api import sync_playwright
    from run import CHROMIUM, DONE, serve  # noqa: PLC0415

    report: dict = {}
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM)
            for shard in SHARDS:
                page = browser.new_page()
                fetched: list = []

                def keep(request, fetched=fetched) -> None:
                    fetched.append(request)

                page.on("requestfinished", keep)
                page.goto(f"{base}{shard}/index.html")
                page.wait_for_load_state("networkidle")
                for q in QUERIES:
                    seen = len(fetched)
                    box = page.locator(".archive-search .md-search__input")
                    box.click()
                    box.fill(q)
                    page.wait_for_function(DONE, arg=q, timeout=60000)
                    page.wait_for_load_state("networkidle")
                    sizes = [r.sizes() for r in fetched[seen:]]
                    first_page_kb = round(
                        sum(x["responseBodySize"] + x["responseHeadersSize"] for x in sizes) / 1024
                    )
                    total = page.inner_text(".archive-search .md-search-result__meta")
                    while page.locator(".archive-search-more:not([hidden])").count():
                        page.click(".archive-search-more")
                        page.wait_for_timeout(50)
                    hrefs = page.eval_on_selector_all(
                        ".archive-search .md-search-result__link", "els => els.map(e => e.href)"
                    )
                    by_shard: dict = {s: sum(1 for h in hrefs if f"/{s}/" in h) for s in SHARDS}
                    by_shard["results"] = total
                    by_shard["KB for the first 10"] = first_page_kb
                    report[f"{shard} {q}"] = by_shard
                page.close()
            browser.close()
    finally:
        server.shutdown()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="articles in the synthetic corpus")
    parser.add_argument("--jobs", type=int, default=2, help="shards built at once")
    parser.add_argument("--check", action="store_true", help="query the result in Chromium")
    args = parser.parse_args(argv)
    parts = split(corpus(args.n))
    roots = {name: project(name, files) for name, files in parts.items()}
    log(", ".join(f"{n}: {len(f)} raw files" for n, f in parts.items()))
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        times = dict(zip(roots, pool.map(build, roots.values()), strict=True))
    wall = time.perf_counter() - start
    counts = {
        n: sum(1 for _ in (r / "site" / "articles").rglob("*.html")) for n, r in roots.items()
    }
    site = assemble(roots, counts)
    result = {
        "n": args.n,
        "shards": {
            n: {"raw_files": len(parts[n]), "articles": counts[n], "build_s": round(t, 1)}
            for n, t in times.items()
        },
        "wall_s": round(wall, 1),
        "jobs": args.jobs,
        "site": str(site),
    }
    log(json.dumps(result, ensure_ascii=False))
    if args.check:
        report = check(site)
        result["queries"] = report
        for key, by_shard in report.items():
            log(f"{key}: " + ", ".join(f"{s} {c}" for s, c in by_shard.items()))
        missing = [k for k, v in report.items() if not all(v[s] for s in SHARDS)]
        (OUT / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
        if missing:
            log(f"FAILED: no results from some shard for {missing}")
            return 1
        log("every query returned results from all 3 shards")
    (OUT / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
