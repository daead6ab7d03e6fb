"""The build cache (``generator/cache.py``) may only make a rebuild faster.

A rebuild that reuses cached results must write exactly what a build without
any cache writes, after a change to the corpus, after the Traditional folder
was lost, and with a damaged cache file; and it must really reuse them: one
changed raw file is the only file decoded, cleaned and split again.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from test_cli import CORPUS, generator, snapshot

from generator import cache
from generator.publish import Kept, read_manifest, write_tree


def _build(corpus: Path, docs: Path, cache_dir: Path | None) -> str:
    flags = ["--cache-dir", str(cache_dir)] if cache_dir else ["--no-cache"]
    proc = generator("build", "--corpus", str(corpus), "--docs", str(docs), *flags)
    return proc.stderr


def _misses(summary: str) -> dict[str, tuple[int, int]]:
    line = next(x for x in summary.splitlines() if "cache hits / misses" in x)
    return {m[0]: (int(m[1]), int(m[2])) for m in re.findall(r"(\w+) (\d+)/(\d+)", line)}


def _editions(docs: Path) -> tuple[dict, dict]:
    return snapshot(docs), snapshot(docs.parent / "docs-hant")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


def _edit_one_page(corpus: Path) -> None:
    page = sorted(corpus.glob("*.txt"))[0]
    text = page.read_text(encoding="utf-8")
    assert "和声激荡新吉林" in text
    page.write_text(text.replace("和声激荡新吉林", "和声激荡新吉林（修订版）", 1), "utf-8")


def test_cached_rebuild_after_a_change_equals_a_build_without_cache(tmp_path, corpus):
    cache_dir, warm = tmp_path / "cache", tmp_path / "warm" / "docs"
    first = _misses(_build(corpus, warm, cache_dir))
    assert first["pages"] == (0, 5)  # a cold cache: every file computed
    _edit_one_page(corpus)
    again = _misses(_build(corpus, warm, cache_dir))
    assert again["pages"] == (4, 1), again  # only the changed file is read again
    assert again["subjects"][1] <= 2, again
    assert again["render"][0] > 150, again  # most pages kept as they were
    cold = tmp_path / "cold" / "docs"
    _build(corpus, cold, None)
    assert _editions(warm) == _editions(cold)


def test_lost_traditional_folder_is_rebuilt_from_kept_pages(tmp_path, corpus):
    cache_dir, docs = tmp_path / "cache", tmp_path / "a" / "docs"
    _build(corpus, docs, cache_dir)
    before = _editions(docs)
    shutil.rmtree(docs.parent / "docs-hant")
    summary = _build(corpus, docs, cache_dir)
    assert _misses(summary)["render"][1] == 0  # every Simplified page was kept …
    assert _editions(docs) == before  # … and every Traditional page made again


def test_damaged_cache_files_are_ignored(tmp_path, corpus):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    for name in ("pages", "subjects", "render", "hant"):
        (cache_dir / f"{name}.pickle").write_bytes(b"\x80\x05not a pickle")
    docs = tmp_path / "a" / "docs"
    _build(corpus, docs, cache_dir)
    cold = tmp_path / "cold" / "docs"
    _build(corpus, cold, None)
    assert _editions(docs) == _editions(cold)


def test_memo_returns_copies_and_keeps_only_what_a_run_used(tmp_path):
    path = tmp_path / "m.pickle"
    memo = cache.Memo(path)
    value = {"tags": ["长春"]}
    memo.put(cache.key("a"), value)
    value["tags"].append("changed later")
    assert memo.lookup(cache.key("a")) == (True, {"tags": ["长春"]})
    memo.put(cache.key("b"), 2)
    memo.save()
    again = cache.Memo(path)
    assert again.get(cache.key("a"), lambda: None) == {"tags": ["长春"]}
    again.save()  # b was not used in this run: dropped
    assert cache.Memo(path).lookup(cache.key("b")) == (False, None)
    assert cache.Memo(path).lookup(cache.key("a"))[0]


def test_keys_tell_parts_apart():
    assert cache.key("ab", "c") != cache.key("a", "bc")
    assert cache.key("x", ["a"]) != cache.key("x", ("a",))
    assert cache.key("x", b"1") == cache.key("x", b"1")


def test_a_kept_file_gone_from_disk_stops_the_write(tmp_path):
    target = tmp_path / "docs"
    write_tree(target, {"a.md": "一", "b.md": "二"})
    kept = Kept(read_manifest(target)["a.md"])
    (target / "a.md").unlink()
    with pytest.raises(RuntimeError, match="changed during the run"):
        write_tree(target, {"a.md": kept, "b.md": "三"})
    assert (target / "b.md").read_text(encoding="utf-8") == "二"  # nothing written
    assert write_tree(target, {"a.md": "一", "b.md": "三"}).written == 2


def test_files_split_on_two_processes_equal_one_process(corpus):
    from generator import pages
    from generator.read import read_files

    files, problems = read_files(corpus)
    assert files and not problems
    one = [pages.process_file(f) for f in files]
    keys = [cache.key("page", f.name, f.data, f.meta) for f in files]
    two = cache.map_cached(cache.Memo(None), pages.process_file, files, keys, 2, parallel_from=1)
    assert repr(two) == repr(one)


def test_traditional_pages_converted_on_two_processes_equal_one(monkeypatch):
    from generator import hant

    texts = [f"第{i}篇：长春市发展改革委员会发布了关于{i}号文件的说明。" for i in range(40)]
    one = hant._convert_both(texts, "s2t", 1, [])[0]
    monkeypatch.setattr(hant, "PARALLEL_FROM", 1)
    assert hant._convert_both(texts, "s2t", 2, [])[0] == one
    assert one[0].startswith("第0篇：長春市發展改革委員會")


def test_shared_map_equals_a_loop_and_reports_a_failed_task():
    from generator.parallel import shared_map

    data = [f"第{i}篇" for i in range(300)]
    assert shared_map(lambda i: data[i] * 2, len(data), 2) == [d * 2 for d in data]
    assert shared_map(lambda i: data[i], len(data), 1) == data

    def fails(i: int) -> str:
        if i % 7 == 3:  # in this process or in the fork, whichever takes it
            raise ValueError("bad task")
        return data[i]

    with pytest.raises((ValueError, RuntimeError), match="bad task"):
        shared_map(fails, len(data), 2)


def test_pages_rendered_on_two_processes_equal_one(monkeypatch):
    from generator import render
    from generator.model import Article, Source

    articles = []
    for i in range(40):
        a = Article(f"长春第{i}篇", [f"正文{i}。"], [Source("p.txt", i + 1, i + 1)])
        a.id, a.date, a.tags = f"2023010{i % 9 + 1}-{i:08x}", f"2023-01-0{i % 9 + 1}", ["乡村振兴"]
        articles.append(a)

    def pages(workers: int) -> dict:
        renderer = render.Renderer(render.Site(articles, {}, {}, {}), deferred=True)
        renderer.env.globals.update(cite_gb=str, cite_bib=str, settings_feed_size=1)
        renderer.render_all()
        renderer.flush(workers)
        return renderer.files

    one = pages(1)
    monkeypatch.setattr(render, "PARALLEL_FROM", 1)
    monkeypatch.setattr(render, "CHUNK", 3)
    assert pages(2) == one
    assert all(one.values())


def test_a_rebuild_computes_its_few_misses_on_the_warm_worker(tmp_path):
    """On a rebuild, the subjects of the few changed articles are computed by a
    worker that loaded the tokenizer while the earlier stages ran: same result."""
    import os

    from generator import parallel
    from generator.enrich import _subjects, warm_worker

    if not parallel.can_fork():
        pytest.skip("needs fork")
    with warm_worker(cache.Caches(tmp_path), workers=2) as warm:
        assert warm is None  # a first build: every article misses, all cores work
    caches = cache.Caches(tmp_path)
    caches["subjects"].put(b"stored", ([], [], [], []))
    caches.save()
    job = (
        "珲春",
        "珲春口岸",
        ["吉林省珲春市口岸通关量创新高。", "长春市企业加快对接合作。"],
        None,
        None,
        [],
    )
    caches = cache.Caches(tmp_path)
    with warm_worker(caches, workers=1) as warm:
        assert warm is None  # one core: nothing to overlap with
    with warm_worker(caches, workers=2) as warm:
        assert warm is not None
        got = cache.map_cached(caches["subjects"], _subjects, [job], [b"new"], 2, 400, warm)
        # the miss ran on the worker, not here
        assert cache.map_cached(cache.Memo(None), _pid, [0], [b"p"], 2, 400, warm) != [os.getpid()]
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            warm.map(_fail, [0])  # a failure there is raised here
        process = warm._proc
    assert not process.is_alive()  # closed with the build: it never outlives it
    assert got == [_subjects(job)]
    assert got[0][0] == ["珲春"]
    assert caches["subjects"].misses == 1


def _pid(_job: object) -> int:
    import os

    return os.getpid()


def _fail(_job: object) -> float:
    return 1 / 0
