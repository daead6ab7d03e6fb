#!/usr/bin/env python3
"""Preview latency under ``mkdocs serve`` (issue 20): save a raw file, see the page.

    python bench/preview.py --sizes 1000,3000,10000 [--rounds 5] [--mode dirty|full]

For each N, in a scratch copy of the project (``run.scratch_project``) with
the ``make_corpus.py`` corpus (seed 0): ``python -m generator build`` once
(the docs and the cache a user has after a first build), then ``mkdocs serve``
(``--dirty`` unless ``--mode full``) is started and, ``--rounds`` times, one
raw file is edited (one sentence added after a sentence of one of its
articles) and the article's page is polled over HTTP until it shows the new
sentence. The time from the save to that response is the preview latency;
the median of the rounds is reported. Results go to ``bench/out/preview.json``
and are printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402

RESULTS = bench.OUT / "preview.json"
_SENTENCE = re.compile(r"[^。！？\n]{12,60}[。！？]")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.read().decode("utf-8")
    except OSError:
        return ""


def wait_for(url: str, needle: str, limit: float) -> float | None:
    """Seconds until ``url`` serves a page holding ``needle`` (None: not within ``limit``)."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if needle in fetch(url):
            return time.perf_counter() - start
        time.sleep(0.05)
    return None


def targets(proj: Path, rounds: int) -> list[tuple[Path, str, str]]:
    """(raw file, a sentence of one of its articles, that article's URL), one per round,
    spread over the corpus."""
    records = [
        json.loads(line)
        for line in (proj / "docs" / "data" / "corpus.jsonl").read_text("utf-8").splitlines()
    ]
    by_file: dict[str, dict] = {}
    for r in records:
        if len(r["sources"]) == 1 and r["date"]:
            by_file.setdefault(r["sources"][0]["file"], r)
    names = sorted(by_file)
    out = []
    for i in range(rounds):
        name = names[(i * 7919) % len(names)]
        record = by_file[name]
        raw = proj / "corpus" / name
        text = raw.read_text(encoding="utf-8")
        sentence = next(
            (m.group(0) for m in _SENTENCE.finditer(record["text"]) if m.group(0) in text), None
        )
        if sentence:
            out.append((raw, sentence, record["url"]))
    return out


def edit(raw: Path, sentence: str, marker: str) -> None:
    """Add ``marker`` after ``sentence`` (a hard link into the shared corpus: replaced)."""
    text = raw.read_text(encoding="utf-8")
    raw.unlink()
    raw.write_text(text.replace(sentence, sentence + marker, 1), encoding="utf-8")


def measure(n: int, rounds: int, mode: str) -> dict:
    corpus = bench.corpus_for(n, 0)
    proj = bench.scratch_project(n, corpus, tag=f"-preview-{mode}")
    bench.log(f"preview {n}: first build")
    first = bench.run([sys.executable, "-m", "generator", "build", "--quiet"], proj)
    port = free_port()
    base = f"http://127.0.0.1:{port}/jilin-news-archive/"
    cmd = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"]
    if mode == "dirty":
        cmd += ["--dirty", "--no-strict"]  # MkDocs warns about every dirty build
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("ARCHIVE_SKIP_GENERATE", None)
    log = open(proj / "serve.log", "w", encoding="utf-8")  # noqa: SIM115
    server = subprocess.Popen(cmd, cwd=proj, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        start = time.perf_counter()
        up = wait_for(base + "index.html", "</html>", 1800)
        bench.log(f"preview {n}: serve up after {time.perf_counter() - start:.1f}s")
        latencies = []
        for i, (raw, sentence, url) in enumerate(targets(proj, rounds)):
            marker = f"预览测量第{i + 1}次修改加入的句子。"
            time.sleep(2)  # let the watcher settle after the previous rebuild
            edit(raw, sentence, marker)
            seconds = wait_for(base + url, marker, 600)
            latencies.append(seconds)
            bench.log(f"preview {n}: round {i + 1}: {seconds}")
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    done = [s for s in latencies if s is not None]
    return {
        "n": n,
        "mode": mode,
        "first_build_s": round(first["wall"], 1),
        "serve_up_s": None if up is None else round(time.perf_counter() - start, 1),
        "rounds": [None if s is None else round(s, 2) for s in latencies],
        "median_s": round(statistics.median(done), 2) if done else None,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000,3000,10000")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--mode", choices=("dirty", "full"), default="dirty")
    args = p.parse_args(argv)
    results = [measure(int(n), args.rounds, args.mode) for n in args.sizes.split(",")]
    old = json.loads(RESULTS.read_text("utf-8")) if RESULTS.exists() else []
    keep = [r for r in old if (r["n"], r["mode"]) not in {(x["n"], x["mode"]) for x in results}]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(keep + results, indent=1), encoding="utf-8")
    print("| articles | `mkdocs serve` | median, save → page shows the edit | rounds |")
    print("|---|---|---|---|")
    for r in results:
        rounds = ", ".join("–" if s is None else f"{s:.1f}" for s in r["rounds"])
        print(
            f"| {r['n']:,} | {'--dirty' if r['mode'] == 'dirty' else 'full'} | "
            f"{r['median_s']} s | {rounds} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
