#!/usr/bin/env python3
"""Benchmark the archive at several sizes and write BENCHMARKS.md.

    python bench/run.py                         # N = 1000, 3000, 10000, everything
    python bench/run.py --sizes 1000            # one size
    python bench/run.py --sizes 3000 --skip-offline --skip-browser
    python bench/run.py --report-only           # rewrite BENCHMARKS.md from the last results

For each N, in a scratch copy of the project under ``bench/out/run/N/``
(``mkdocs*.yml``, ``generator/``, ``templates/``, ``site_overrides/``, with
the synthetic corpus from ``bench/make_corpus.py`` as ``--corpus``):

1. **cold full build**: ``python -m generator site`` from empty ``docs/`` and
   ``site/`` — generation, both MkDocs builds, both Pagefind indexes. Stage
   times come from the generator's progress lines and from ``ARCHIVE_TIMINGS``
   (written by ``generator/site.py``); peak memory is sampled from ``/proc``
   over the whole process tree (Python and Pagefind together).
2. **no-op rebuild**: ``python -m generator build`` again: files written must be 0.
3. **incremental rebuild**: one sentence added to one raw file, then ``build``:
   time, and how many files of ``docs/`` and ``docs-hant/`` were rewritten (by
   inode and mtime).
4. **sizes**: the site folder, and the average HTML size of an article page.
5. **served search** (Playwright + ``/usr/bin/chromium`` over a local
   ``http.server``): bytes of every response after the query is typed, for
   queries 乡村振兴, 珲春, 对接合作 (the first one also loads Pagefind itself).
6. **offline**: ``python -m generator site --offline`` and the time from
   opening ``site-offline/index.html`` (file://) to the first search result.

Results go to ``bench/out/run/results.json``; the table between the
``bench:begin``/``bench:end`` markers in BENCHMARKS.md is regenerated from it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RUN = OUT / "run"
RESULTS = RUN / "results.json"
BENCHMARKS = ROOT / "BENCHMARKS.md"
COPY = ("generator", "templates", "site_overrides")
QUERIES = ("乡村振兴", "珲春", "对接合作")
OFFLINE_QUERY = "长春"
CHROMIUM = "/usr/bin/chromium"
DONE = """q => { const b = document.querySelector('.archive-search .md-search-result');
  return b && b.dataset.query === q && /done|error/.test(b.dataset.state || ''); }"""
STAGE_LINE = re.compile(r"^(\w[\w+-]*)\s+([\d,]+) in\s+([\d.]+)s", re.M)
GENERATION_STAGES = ("read", "clean+split", "merge", "enrich", "render", "hant", "write")

TARGETS = {
    "generation_s": ("generation raw → both editions' Markdown", "≤ 60 s", 60),
    "full_build_s": ("full build (generate + both MkDocs + search)", "≤ 240 s", 240),
    "peak_mem_mb": ("peak memory (whole process tree)", "≤ 4096 MB", 4096),
    "avg_article_kb": ("average article page", "≤ 60 KB", 60),
    "incremental_pct": ("rebuild after one raw file changed, generator part", "≤ 5 %", 5),
    "search_kb": ("served search, one query, bytes incl. library", "≤ 500 KB", 500),
    "offline_first_result_s": ("offline: first search result (file://)", "≤ 3 s", 3),
}


# --- helpers -----------------------------------------------------------------------


def log(msg: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    versions = {}
    # Python-Markdown and pymdown-extensions decide much of an MkDocs build's time
    for mod in (
        "mkdocs",
        "material",
        "markdown",
        "pymdown-extensions",
        "pagefind",
        "jieba",
        "rjieba",
    ):
        try:
            from importlib.metadata import version

            dist = {"material": "mkdocs-material"}.get(mod, mod)
            versions[mod] = version(dist)
        except Exception:  # noqa: BLE001
            versions[mod] = "?"
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "versions": versions,
        "load_before": os.getloadavg()[0],
    }


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                kids.extend(int(x) for x in fh.read().split())
    except OSError:
        pass
    return kids


def _cmd(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            parts = fh.read().split(b"\0")
        return " ".join(p.decode(errors="replace") for p in parts[:4])[:80]
    except OSError:
        return "?"


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(cmd: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Run ``cmd``; wall time, peak RSS of the whole process tree (MB), stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    at_peak: list[tuple[str, int]] = []
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, at_peak
        while not stop.is_set():
            pids, seen = [proc.pid], set()
            parts = []
            while pids:
                pid = pids.pop()
                if pid in seen:
                    continue
                seen.add(pid)
                parts.append((_cmd(pid), _rss_kb(pid)))
                pids.extend(_children(pid))
            total = sum(kb for _, kb in parts)
            if total > peak:
                peak, at_peak = total, parts
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-4000:]}")
    return {
        "wall": wall,
        "peak_mb": round(peak / 1024),
        "peak_parts": [(c, round(kb / 1024)) for c, kb in at_peak if kb > 50 * 1024],
        "stderr": err,
        "stdout": out,
    }


def stages(stderr: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for name, _count, secs in STAGE_LINE.findall(stderr):
        found[name] = found.get(name, 0.0) + float(secs)
    return found


def timings(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def tree_state(*folders: Path) -> dict[str, tuple[int, int]]:
    state = {}
    for folder in folders:
        for p in folder.rglob("*"):
            if p.is_file():
                st = p.stat()
                state[str(p)] = (st.st_ino, st.st_mtime_ns)
    return state


def du(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _corpus_version() -> int:
    """``VERSION`` of bench/make_corpus.py, without importing it."""
    m = re.search(r"^VERSION = (\d+)", (ROOT / "bench" / "make_corpus.py").read_text(), re.M)
    return int(m.group(1)) if m else 0


def corpus_for(n: int, seed: int) -> Path:
    corpus = OUT / f"corpus-{n}" if seed == 0 else OUT / f"corpus-{n}-s{seed}"
    manifest = corpus / "MANIFEST.json"
    if manifest.exists():
        data = json.loads(manifest.read_text())
        if (
            data.get("requested") == n
            and data.get("seed") == seed
            and data.get("version") == _corpus_version()
        ):
            return corpus
        shutil.rmtree(corpus)  # made by an older make_corpus.py
    log(f"writing corpus of {n} articles → {corpus}")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "make_corpus.py"),
            str(n),
            str(corpus),
            "--seed",
            str(seed),
        ],
        check=True,
        capture_output=True,
    )
    return corpus


def scratch_project(n: int, corpus: Path, source: Path = ROOT, tag: str = "") -> Path:
    """A copy of the project (from ``source``) with the corpus hard-linked in as ``corpus/``."""
    proj = RUN / f"{n}{tag}"
    shutil.rmtree(proj, ignore_errors=True)
    proj.mkdir(parents=True)
    shutil.copytree(corpus, proj / "corpus", copy_function=os.link)
    for name in COPY:
        shutil.copytree(
            source / name, proj / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    for cfg in source.glob("mkdocs*.yml"):
        shutil.copy2(cfg, proj / cfg.name)
    return proj


def touch_one_file(corpus: Path) -> Path:
    """Add one sentence to one paragraph of one raw file (a hard link: replaced, not edited)."""
    files = sorted(corpus.glob("p*.txt"))
    target = files[len(files) // 2]
    text = target.read_text(encoding="utf-8")
    at = text.find("。", len(text) // 3)
    if at < 0:
        at = len(text) - 1
    target.unlink()  # a hard link into the shared corpus: never edit it in place
    target.write_text(
        text[: at + 1] + "记者在现场看到，施工人员正在加紧作业。" + text[at + 1 :], "utf-8"
    )
    return target


# --- browser measurements -----------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: D401
        pass


def serve(folder: Path):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def served_search_bytes(site: Path, queries=QUERIES) -> list[dict]:
    """Bytes and requests fetched for each query, typed in turn on one article page.

    The first query also loads Pagefind (``pagefind.js``, worker, WASM, metadata).
    """
    from playwright.sync_api import sync_playwright

    article = next(iter(sorted((site / "articles").rglob("*.html"))))
    server = serve(site)
    results = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM)
            page = browser.new_page()
            responses: list = []

            def keep(request) -> None:
                responses.append(request)

            page.on("requestfinished", keep)
            url = f"http://127.0.0.1:{server.server_address[1]}/"
            page.goto(url + article.relative_to(site).as_posix())
            page.wait_for_load_state("networkidle")
            for i, q in enumerate(queries):
                seen = len(responses)
                box = page.locator(".archive-search .md-search__input")
                box.click()
                box.fill(q)
                start = time.perf_counter()
                page.wait_for_function(DONE, arg=q, timeout=60000)
                page.wait_for_load_state("networkidle")
                elapsed = time.perf_counter() - start
                total = 0
                for r in responses[seen:]:
                    sizes = r.sizes()
                    total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
                results.append(
                    {
                        "query": q,
                        "first_query_in_page": i == 0,
                        "bytes": total,
                        "requests": len(responses) - seen,
                        "seconds": round(elapsed, 2),
                        "result_line": page.inner_text(".archive-search .md-search-result__meta"),
                    }
                )
            browser.close()
    finally:
        server.shutdown()
    return results


def per_query_bytes(site: Path) -> list[dict]:
    """Each query on its own fresh page (library included every time)."""
    return [served_search_bytes(site, (q,))[0] for q in QUERIES]


def offline_first_result(site: Path, query: str = OFFLINE_QUERY, limit: float = 120) -> dict:
    """Seconds from opening index.html over file:// to the first search result.

    Material drops a query typed while its worker is still building the index
    (and over file:// the shim never says when it is ready), so the query is
    typed again every half second, as an impatient reader would.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        start = time.perf_counter()
        page.goto((site / "index.html").as_uri(), wait_until="commit")
        page.wait_for_selector("input.md-search__input", state="attached")
        elapsed = None
        while time.perf_counter() - start < limit:
            page.evaluate(
                "q => { const i = document.querySelector('input.md-search__input');"
                " i.focus(); i.value = q; i.dispatchEvent(new Event('input', {bubbles: true}));"
                " i.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true})); }",
                query,
            )
            try:
                page.wait_for_selector(".md-search-result__item", timeout=500)
                elapsed = time.perf_counter() - start
                break
            except PlaywrightTimeout:
                continue
        items = page.locator(".md-search-result__item").count()
        note = page.locator(".archive-search-scope").count()
        browser.close()
    return {
        "seconds": round(elapsed, 2) if elapsed is not None else None,
        "query": query,
        "items": items,
        "scope_note": bool(note),
    }


# --- one size ------------------------------------------------------------------------


SETTLE_S = 20  # seconds of rest before the cold build


def bench_size(n: int, args) -> dict:
    corpus = corpus_for(n, args.seed)
    manifest = json.loads((corpus / "MANIFEST.json").read_text())
    proj = scratch_project(n, corpus, args.project, args.tag)
    # The previous run's project (1.5 GB at N = 10,000) was just deleted, and
    # this disk discards freed blocks online: let that finish before timing.
    os.sync()
    time.sleep(SETTLE_S)
    py = [sys.executable, "-m", "generator"]
    common = ["--corpus", "corpus"] + (["--workers", str(args.workers)] if args.workers else [])
    res: dict = {
        "n": n,
        "corpus_chars": manifest["counts"]["characters"],
        "files": manifest["counts"]["files"],
    }
    tfile = proj / "timings.jsonl"
    env = {"ARCHIVE_TIMINGS": str(tfile), "PYTHONDONTWRITEBYTECODE": "1"}

    if args.skip_mkdocs:
        log(f"N={n}: cold generation (build)")
        r = run(py + ["build", *common], proj, env)
        res["generation_s"] = round(r["wall"], 1)
        res["peak_mem_mb"] = r["peak_mb"]
        res["stages"] = stages(r["stderr"])
    else:
        log(f"N={n}: cold full build (site)")
        r = run(py + ["site", *common], proj, env)
        steps = timings(tfile)
        site_total = sum(s["seconds"] for s in steps if s["step"] == "site total")
        res["full_build_s"] = round(r["wall"], 1)
        res["generation_s"] = round(r["wall"] - site_total, 1)
        res["peak_mem_mb"] = r["peak_mb"]
        res["peak_parts"] = r["peak_parts"]
        res["stages"] = stages(r["stderr"])
        res["site_steps"] = {s["step"]: s["seconds"] for s in steps}
        res["site_step_counts"] = {s["step"]: s["count"] for s in steps}
    m = re.search(r"articles\s+(\d+)", r["stderr"])
    res["articles"] = int(m.group(1)) if m else None
    m = re.search(r"docs written / unchanged\s+(\d+) / (\d+)", r["stderr"])
    res["docs_files"] = int(m.group(1)) + int(m.group(2)) if m else None

    log(f"N={n}: extraction against the planted truth (bench/truth.py)")
    r = run(py + ["export", *common], proj, env)
    (proj / "export.jsonl").write_text(r["stdout"], encoding="utf-8")
    truth_json = proj / "truth.json"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "truth.py"),
            str(corpus),
            "--export",
            str(proj / "export.jsonl"),
            "--json",
            str(truth_json),
        ],
        check=True,
        capture_output=True,
    )
    res["truth"] = json.loads(truth_json.read_text(encoding="utf-8"))["merge"]

    log(f"N={n}: no-op rebuild")
    r2 = run(py + ["build", *common], proj, env)
    m = re.search(r"docs written / unchanged\s+(\d+) / (\d+)", r2["stderr"])
    res["noop_written"] = int(m.group(1)) if m else None
    res["noop_s"] = round(r2["wall"], 1)

    log(f"N={n}: incremental rebuild (one raw file changed)")
    target = touch_one_file(proj / "corpus")
    before = tree_state(proj / "docs", proj / "docs-hant")
    r3 = run(py + ["build", *common], proj, env)
    after = tree_state(proj / "docs", proj / "docs-hant")
    rewritten = sorted(
        p for p, v in after.items() if before.get(p) != v and not p.endswith(".generated.json")
    )
    res["incremental"] = {
        "changed_file": target.name,
        "seconds": round(r3["wall"], 1),
        "files_rewritten": len(rewritten),
        "examples": [str(Path(p).relative_to(proj)) for p in rewritten[:12]],
        "stages": stages(r3["stderr"]),
    }
    res["incremental_pct"] = round(100 * r3["wall"] / res["generation_s"], 1)

    if not args.skip_mkdocs:
        site = proj / "site"
        res["site_mb"] = round(du(site) / 1e6, 1)
        arts = [p.stat().st_size for p in (site / "articles").rglob("*.html")]
        res["article_pages"] = len(arts)
        res["avg_article_kb"] = round(sum(arts) / max(1, len(arts)) / 1024, 1)
        res["html_pages"] = sum(1 for _ in site.rglob("*.html"))
        if (site / "pagefind").is_dir():
            res["pagefind_mb"] = round(
                (du(site / "pagefind") + du(site / "zh-Hant" / "pagefind")) / 1e6, 1
            )
        if not args.skip_browser and (site / "pagefind").is_dir():
            log(f"N={n}: served search bytes")
            res["search"] = per_query_bytes(site)
            res["search_sequence"] = served_search_bytes(site)
            res["search_kb"] = round(max(q["bytes"] for q in res["search"]) / 1024, 1)

    if not args.skip_mkdocs and not args.skip_offline:
        log(f"N={n}: offline build")
        tfile.unlink(missing_ok=True)
        r4 = run(py + ["site", "--offline", *common], proj, env)
        steps = timings(tfile)
        res["offline_steps"] = {s["step"]: s["seconds"] for s in steps}
        res["offline_s"] = round(sum(s["seconds"] for s in steps if s["step"] == "site total"), 1)
        res["offline_peak_mem_mb"] = r4["peak_mb"]
        off = proj / "site-offline"
        idx = off / "search" / "search_index.json"
        res["offline_index_mb"] = round(idx.stat().st_size / 1e6, 1) if idx.exists() else None
        res["offline_summary_mode"] = "archive-search-scope" in (off / "index.html").read_text(
            encoding="utf-8"
        )
        if not args.skip_browser:
            log(f"N={n}: offline first result")
            res["offline"] = offline_first_result(off)
            res["offline_first_result_s"] = res["offline"]["seconds"]
    if not args.keep:
        for sub in ("site", "site-offline", "docs", "docs-hant", "corpus"):
            shutil.rmtree(proj / sub, ignore_errors=True)
    return res


def workers_ab(n: int, args, rounds: int = 2) -> dict:
    """``build`` with --workers 1 and 2, alternately, from empty docs each time."""
    corpus = corpus_for(n, args.seed)
    proj = scratch_project(n, corpus, args.project, f"{args.tag}-workers")
    py = [sys.executable, "-m", "generator", "build", "--corpus", "corpus"]
    runs = []
    for _ in range(rounds):
        for workers in (1, 2):
            for sub in ("docs", "docs-hant"):
                shutil.rmtree(proj / sub, ignore_errors=True)
            log(f"N={n}: build --workers {workers}")
            r = run(py + ["--workers", str(workers)], proj)
            st = stages(r["stderr"])
            runs.append(
                {
                    "workers": workers,
                    "wall": round(r["wall"], 1),
                    "enrich": st.get("enrich"),
                    "peak_mb": r["peak_mb"],
                    "load": round(os.getloadavg()[0], 1),
                }
            )
    shutil.rmtree(proj, ignore_errors=True)
    return {"n": n, "tag": args.tag, "runs": runs}


def workers_report(data: dict) -> str:
    found = data.get("workers") or {}
    if not found:
        return "(not measured: `python bench/run.py --workers-ab 3000`)"
    lines = [
        "| N | --workers | enrich stage | whole `build` | peak memory | load average after |",
        "|---|---|---|---|---|---|",
    ]
    for ab in found.values():
        for r in ab["runs"]:
            lines.append(
                f"| {ab['n']:,}{' (' + ab['tag'].lstrip('-') + ')' if ab.get('tag') else ''} "
                f"| {r['workers']} | {fmt(r['enrich'], ' s')} | {fmt(r['wall'], ' s')} "
                f"| {fmt(r['peak_mb'], ' MB')} | {r['load']} |"
            )
    return "\n".join(lines)


def shards_report() -> str:
    path = OUT / "shards" / "result.json"
    if not path.exists():
        return "(not run yet: `python bench/shards.py --n 1000 --check`)"
    res = json.loads(path.read_text(encoding="utf-8"))
    lines = [
        f"{res['n']:,}-article corpus; shards built {res['jobs']} at a time in {res['wall_s']} s:",
        "",
        "| shard | raw files | articles | build |",
        "|---|---|---|---|",
    ]
    for name, sh in res["shards"].items():
        lines.append(f"| {name} | {sh['raw_files']} | {sh['articles']} | {sh['build_s']} s |")
    if res.get("queries"):
        names = list(res["shards"])
        lines += [
            "",
            "| typed on | query | results (all shards) | "
            + " | ".join(f"from {n}" for n in names)
            + " | KB for the first 10 |",
            "|---|---|---|" + "---|" * len(names) + "---|",
        ]
        for key, q in res["queries"].items():
            shard, query = key.split(" ", 1)
            lines.append(
                f"| {shard} | {query} | {q['results']} | "
                + " | ".join(str(q[n]) for n in names)
                + f" | {q['KB for the first 10']} |"
            )
        lines += [
            "",
            "The three queries are typed one after the other on one page: the first one's "
            "bytes include Pagefind itself and the three bundles' metadata.",
        ]
    return "\n".join(lines)


# --- report -------------------------------------------------------------------------


def fmt(v, unit="") -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        v = f"{v:,.1f}"
    elif isinstance(v, int):
        v = f"{v:,}"
    return f"{v}{unit}"


def verdict(key: str, value) -> str:
    if value is None:
        return ""
    limit = TARGETS[key][2]
    return " ✅" if value <= limit else " ❌"


UNITS = {
    "generation_s": " s",
    "full_build_s": " s",
    "peak_mem_mb": " MB",
    "avg_article_kb": " KB",
    "incremental_pct": " %",
    "search_kb": " KB",
    "offline_first_result_s": " s",
}


def _process(cmd: str) -> str:
    if "pagefind" in cmd:
        return "Pagefind"
    if "multiprocessing" in cmd:
        return "site worker (MkDocs or search index)"
    if "generator" in cmd:
        return "generator"
    return (cmd.split() or ["?"])[0].rsplit("/", 1)[-1]


def _label(r: dict) -> str:
    tag = r.get("tag") or ""
    return f"N = {r['n']:,}" + (f" ({tag.lstrip('-')})" if tag else "")


def _ratio_row(sizes: list[dict]) -> str | None:
    cells, any_value = [], False
    for r in sizes:
        small = next((x for x in sizes if x["n"] == 3000 and x.get("tag") == r.get("tag")), None)
        if r["n"] != 10000 or small is None:
            cells.append("")
            continue
        key = "full_build_s" if r.get("full_build_s") and small.get("full_build_s") else None
        key = key or "generation_s"
        if not (r.get(key) and small.get(key)):
            cells.append("–")
            continue
        ratio = r[key] / small[key]
        what = "full build" if key == "full_build_s" else "generation only"
        cells.append(f"{ratio:.2f} ({what}){' ✅' if ratio <= 3.6 else ' ❌'}")
        any_value = True
    if not any_value:
        return None
    return "| build time ratio 3,000 → 10,000 | ≤ 3.6 | " + " | ".join(cells) + " |"


def report(data: dict) -> str:
    sizes = sorted(data["sizes"].values(), key=lambda r: (r.get("tag") or "", r["n"]))
    head = "| target | goal | " + " | ".join(_label(r) for r in sizes) + " |"
    lines = [head, "|---|---|" + "---|" * len(sizes)]
    for key, (label, goal, _) in TARGETS.items():
        cells = [fmt(r.get(key), UNITS[key]) + verdict(key, r.get(key)) for r in sizes]
        lines.append(f"| {label} | {goal} | " + " | ".join(cells) + " |")
    ratio = _ratio_row(sizes)
    if ratio:
        lines.append(ratio)
    out = ["\n".join(lines), ""]
    detail = [
        "| measure | " + " | ".join(_label(r) for r in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]

    def row(label, fn):
        detail.append(f"| {label} | " + " | ".join(fn(r) for r in sizes) + " |")

    def search_cell(r, q):
        for x in r.get("search", []):
            if x["query"] == q:
                return f"{x['bytes'] / 1024:,.0f} KB / {x['requests']} req. ({x['result_line']})"
        return "–"

    row("articles after merge", lambda r: fmt(r.get("articles")))

    def truth(r, what: str, total: str) -> str:
        t = r.get("truth") or {}
        if not t.get(total):
            return "–"
        return f"{t[what]:,} / {t[total]:,} ({100 * t[what] / t[total]:.1f} %)"

    row("planted articles recovered (truth.py)", lambda r: truth(r, "recovered", "planted"))
    row("planted duplicates merged", lambda r: truth(r, "dup_merged", "duplicates"))
    row("planted page jumps joined", lambda r: truth(r, "jumps_joined", "jumps"))
    row("raw files / characters", lambda r: f"{r['files']:,} / {r['corpus_chars']:,}")
    row("generated files per edition", lambda r: fmt(r.get("docs_files")))
    for st in GENERATION_STAGES:
        row(f"stage {st}", lambda r, st=st: fmt(r.get("stages", {}).get(st), " s"))
    for step in ("mkdocs zh-Hans", "mkdocs zh-Hant", "pagefind zh-Hans", "pagefind zh-Hant"):
        row(step, lambda r, step=step: fmt((r.get("site_steps") or {}).get(step), " s"))
    row("site stage (wall)", lambda r: fmt((r.get("site_steps") or {}).get("site total"), " s"))
    row(
        "memory at the peak (MB by process)",
        lambda r: ", ".join(f"{_process(c)} {mb:,}" for c, mb in r.get("peak_parts", [])) or "–",
    )
    row("HTML pages (both editions)", lambda r: fmt(r.get("html_pages")))
    row("site size (both editions)", lambda r: fmt(r.get("site_mb"), " MB"))
    row("Pagefind indexes (both)", lambda r: fmt(r.get("pagefind_mb"), " MB"))
    row(
        "no-op rebuild: files written / time",
        lambda r: f"{fmt(r.get('noop_written'))} / {fmt(r.get('noop_s'), ' s')}",
    )
    row(
        "one raw file changed: files rewritten / time",
        lambda r: (
            (
                f"{fmt(r['incremental']['files_rewritten'])} / "
                f"{fmt(r['incremental']['seconds'], ' s')}"
            )
            if r.get("incremental")
            else "–"
        ),
    )
    for q in QUERIES:
        row(f"search “{q}”, fresh page", lambda r, q=q: search_cell(r, q))
    row(
        "search, 2nd and 3rd query on the same page",
        lambda r: (
            ", ".join(
                f"{x['bytes'] / 1024:,.0f} KB"
                for x in r.get("search_sequence", [])
                if not x["first_query_in_page"]
            )
            or "–"
        ),
    )
    row("offline build (site stage)", lambda r: fmt(r.get("offline_s"), " s"))
    row("offline: peak memory", lambda r: fmt(r.get("offline_peak_mem_mb"), " MB"))
    row("offline search index (Simplified)", lambda r: fmt(r.get("offline_index_mb"), " MB"))
    row(
        "offline index holds",
        lambda r: (
            ("summaries" if r.get("offline_summary_mode") else "full text")
            if r.get("offline_s")
            else "–"
        ),
    )
    out += ["Details:", "", "\n".join(detail), ""]
    m = data["machine"]
    out.append(
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}; "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items())
        + ". The machine is shared with other jobs: times vary by ±40 % between runs."
    )
    out.append("")
    runs = data.get("runs") or [data.get("command", "")]
    shown = [c.replace(" --no-write", "") for c in runs if c]
    out.append("Runs: " + "; ".join(f"`{c}`" for c in shown) + f" (last: {data['date']}).")
    return "\n".join(out)


def _fill(text: str, name: str, body: str) -> str:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if begin not in text:
        return text
    pre, rest = text.split(begin, 1)
    _, post = rest.split(end, 1)
    return pre + begin + "\n" + body + "\n" + end + post


def write_benchmarks(data: dict) -> None:
    text = (
        BENCHMARKS.read_text(encoding="utf-8")
        if BENCHMARKS.exists()
        else ("# Benchmarks\n\n<!-- bench:begin -->\n<!-- bench:end -->\n")
    )
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    if begin not in text:
        text += f"\n{begin}\n{end}\n"
    pre, rest = text.split(begin, 1)
    _, post = rest.split(end, 1)
    text = pre + begin + "\n" + report(data) + "\n" + end + post
    text = _fill(text, "workers", workers_report(data))
    text = _fill(text, "shards", shards_report())
    BENCHMARKS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,3000,10000", help="comma-separated N")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, help="--workers for the generator")
    parser.add_argument("--skip-mkdocs", action="store_true", help="generation only")
    parser.add_argument("--skip-offline", action="store_true", help="no offline build")
    parser.add_argument("--skip-browser", action="store_true", help="no Chromium measurements")
    parser.add_argument("--keep", action="store_true", help="keep the built sites")
    parser.add_argument(
        "--project",
        type=Path,
        default=ROOT,
        help="benchmark the code in this project folder instead (e.g. a patched copy)",
    )
    parser.add_argument("--tag", default="", help="suffix for this run's results (e.g. -patched)")
    parser.add_argument("--no-write", action="store_true", help="do not touch BENCHMARKS.md")
    parser.add_argument("--report-only", action="store_true", help="rewrite BENCHMARKS.md only")
    parser.add_argument(
        "--workers-ab",
        type=int,
        metavar="N",
        help="only compare `build --workers 1` and `--workers 2` at N articles",
    )
    args = parser.parse_args(argv)
    RUN.mkdir(parents=True, exist_ok=True)
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"sizes": {}}
    if args.workers_ab:
        data.setdefault("workers", {})[f"{args.workers_ab}{args.tag}"] = workers_ab(
            args.workers_ab, args
        )
        RESULTS.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    elif not args.report_only:
        data["machine"] = machine()
        data["command"] = "python bench/run.py " + " ".join(
            argv if argv is not None else sys.argv[1:]
        )
        data.setdefault("runs", [])
        if data["command"] not in data["runs"]:
            data["runs"].append(data["command"])
        data["date"] = dt.date.today().isoformat()
        for n in [int(x) for x in args.sizes.split(",") if x]:
            res = bench_size(n, args)
            res["tag"] = args.tag
            res["project"] = str(args.project)
            data["sizes"][f"{n}{args.tag}"] = res
            RESULTS.write_text(json.dumps(data, ensure_ascii=False, indent=1))
            log(
                f"N={n}: "
                + json.dumps({k: v for k, v in res.items() if not isinstance(v, dict | list)})
            )
    if not args.no_write:
        write_benchmarks(data)
        log(f"wrote {BENCHMARKS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
