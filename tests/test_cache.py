"""The build cache (``generator/cache.py``) may only make a rebuild faster.

A rebuild that reuses cached results must write exactly what a build without
any cache writes, after a change to the corpus, after the Traditional folder
was lost, and with a damaged cache file; and it must really reuse them: one
changed raw file is the only file decoded, cleaned and split again.

The cache files are data, never code (``generator/serial.py``): every value
the pipeline memoises comes back equal and of the same types; a byte flipped
anywhere in a cache file gives a warning and the same build as no cache; a
pickle payload put where a cache file goes is never run.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import pickle
import random
import re
import shutil
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli import CORPUS, generator, snapshot

from generator import cache, serial
from generator.model import Article
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
        (cache_dir / f"{name}.memo").write_bytes(b"\x80\x05not a cache file")
        (cache_dir / f"{name}.pickle").write_bytes(b"\x80\x05not a pickle")
    docs = tmp_path / "a" / "docs"
    summary = _build(corpus, docs, cache_dir)
    for name in ("pages", "subjects", "render", "hant"):
        assert f"warning: {cache_dir / name}.memo: not a cache file of format 2" in summary
        assert not (cache_dir / f"{name}.pickle").exists()  # the old format is removed
    cold = tmp_path / "cold" / "docs"
    _build(corpus, cold, None)
    assert _editions(docs) == _editions(cold)
    assert ".memo" not in _build(corpus, docs, cache_dir)  # rewritten whole: no warning


def test_memo_returns_copies_and_keeps_only_what_a_run_used(tmp_path):
    path = tmp_path / "m.memo"
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


# --- the cache format: data, never code; a damaged byte is a warning --------------


def _same(a: Any, b: Any) -> bool:
    """``a == b`` with the same types all the way down (and NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return repr(a) == repr(b)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return len(a) == len(b) and all(map(_same, a.items(), b.items()))
    if isinstance(a, set | frozenset):
        return len(a) == len(b) and all(any(_same(x, y) for y in b) for x in a)
    if dataclasses.is_dataclass(a):
        return (
            all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
            and vars(a).keys() == vars(b).keys()
        )
    return a == b


def _build_here(corpus: Path, docs: Path, cache_dir: Path | None, capsys) -> str:
    """``build`` in this process (fast enough to run hundreds of times): its stderr."""
    from generator.__main__ import main

    flags = ["--cache-dir", str(cache_dir)] if cache_dir else ["--no-cache"]
    argv = ["build", "--quiet", "--workers", "1", "--corpus", str(corpus), "--docs", str(docs)]
    assert main([*argv, *flags]) == 0
    return capsys.readouterr().err


@pytest.fixture(scope="module")
def memoised(tmp_path_factory) -> tuple[Path, dict[str, list]]:
    """A cache of the bundled corpus, and every value the build stored in it
    (memo name → values, copied when stored)."""
    from generator.__main__ import main

    tmp = tmp_path_factory.mktemp("memoised")
    values: dict[str, list] = {}
    put = cache.Memo.put

    def record(memo: cache.Memo, k: bytes, value: Any) -> None:
        values.setdefault(memo.path.stem, []).append(copy.deepcopy(value))
        put(memo, k, value)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cache.Memo, "put", record)
        argv = ["build", "--quiet", "--workers", "1", "--corpus", str(CORPUS)]
        assert main([*argv, "--docs", str(tmp / "docs"), "--cache-dir", str(tmp / "cache")]) == 0
    return tmp / "cache", values


def test_every_memo_stores_the_values_a_build_computes(memoised):
    cache_dir, values = memoised
    assert {"pages", "words", "people", "dates", "subjects", "render", "hant"} <= set(values)
    for name, stored in values.items():
        memo = cache.Memo(cache_dir / f"{name}.memo")
        got = [memo.lookup(k)[1] for k in list(memo._old)]
        assert len(got) == len(stored), name
        assert all(map(_same, got, stored)), name  # in the order they were stored
    assert serial._kinds()[Article].names == tuple(f.name for f in dataclasses.fields(Article))


_REAL: list = []  # what the bundled corpus memoises (filled by ``real``)


@pytest.fixture
def real(memoised) -> list:
    _REAL[:] = [v for vs in memoised[1].values() for v in vs]
    return _REAL


def _plain() -> st.SearchStrategy:
    """Values of every type the codec writes, built around real memoised ones."""
    hashable = st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=True)
        | st.text()
        | st.binary(max_size=8),
        lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=3),
        max_leaves=6,
    )
    leaves = hashable | st.integers(min_value=0).map(lambda i: copy.deepcopy(_REAL[i % len(_REAL)]))
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.lists(inner, max_size=3).map(tuple)
            | st.dictionaries(hashable, inner, max_size=3)
            | st.sets(hashable, max_size=3)
        ),
        max_leaves=8,
    )


PLAIN = _plain()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=PLAIN)
def test_a_value_comes_back_equal_and_of_the_same_types(real, value):
    blob = serial.encode(value)
    assert b"\n" not in blob
    assert _same(serial.decode(blob), value)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_real_value_with_fields_changed_comes_back_the_same(real, data):
    """A memoised dataclass with some fields given other values of their types."""
    with_fields = [v for v in real if _dataclasses_in(v)]
    value = copy.deepcopy(with_fields[data.draw(st.integers(0, len(with_fields) - 1))])
    for obj in _dataclasses_in(value):
        for f in dataclasses.fields(obj):
            old = getattr(obj, f.name)
            if isinstance(old, str) and data.draw(st.booleans()):
                object.__setattr__(obj, f.name, data.draw(st.text()))
            elif isinstance(old, list) and old and isinstance(old[0], str):
                object.__setattr__(obj, f.name, data.draw(st.lists(st.text(), max_size=3)))
    assert _same(serial.decode(serial.encode(value)), value)


def _dataclasses_in(value: Any) -> list:
    found = []
    stack = [value]
    while stack:
        v = stack.pop()
        if dataclasses.is_dataclass(v):
            found.append(v)
            stack.extend(getattr(v, f.name) for f in dataclasses.fields(v))
        elif isinstance(v, list | tuple | set | frozenset):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
    return found


def test_only_known_types_are_written():
    @dataclasses.dataclass
    class Unknown:
        x: int = 0

    class Text(str):
        pass

    for value in (Unknown(), [Text("长春")], {"a": object()}, bytearray(b"x")):
        with pytest.raises(TypeError, match="cannot store"):
            serial.encode(value)


def test_a_result_the_cache_cannot_store_is_computed_not_fatal(tmp_path, capsys):
    memo = cache.Memo(tmp_path / "m.memo")
    assert memo.get(b"a", lambda: bytearray(b"x")) == bytearray(b"x")
    assert memo.get(b"b", lambda: bytearray(b"y")) == bytearray(b"y")
    assert memo.get(b"c", lambda: "kept") == "kept"
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot store a builtins.bytearray" in err
    memo.save()
    again = cache.Memo(tmp_path / "m.memo")
    assert again.lookup(b"a") == (False, None) and again.lookup(b"c") == (True, "kept")


@pytest.mark.parametrize(
    "blob",
    [
        b'{"@model.Nope":[]}',  # unknown type
        b'{"@os.system":["echo"]}',
        b'{"@model.Source":["a.txt",1]}',  # a field missing
        b'{"@model.Source":["a.txt","1","2"]}',  # a field of the wrong type
        b'{"t":[1],"d":[]}',  # two keys
        b'{"x":[1]}',
        b'{"d":[1]}',  # a key without its value
        b'{"d":[[1],2]}',  # an unhashable key
        b'{"s":[1,1]}',
        b'{"b":"***"}',
        b'{"t":5}',
        b"[1,2] 3",
        b"\x80\x05\x95",
        b"[" * 100_000,
        b"1" * 5000,
        b"",
    ],
)
def test_a_stored_value_the_codec_did_not_write_is_refused(blob):
    with pytest.raises(serial.Corrupt):
        serial.decode(blob)


def test_a_field_of_the_wrong_type_is_refused():
    from generator.model import PageMeta, Source

    good = serial.encode([PageMeta(paper="吉林日报"), Source("a.txt", 1, 2)])
    assert serial.decode(good) == [PageMeta(paper="吉林日报"), Source("a.txt", 1, 2)]
    for paper in (b"1", b"[1]", b"true"):  # a paper that is a number, a list, a bool
        forged = good.replace('"吉林日报"'.encode(), paper)
        with pytest.raises(serial.Corrupt, match="PageMeta.paper"):
            serial.decode(forged)
    with pytest.raises(serial.Corrupt, match="Source.first_line"):
        serial.decode(good.replace(b'"a.txt",1,2', b'"a.txt",null,2'))


def test_an_entry_with_a_good_hash_but_a_bad_value_is_recomputed(tmp_path, capsys):
    path = tmp_path / "people.memo"
    memo = cache.Memo(path)
    memo.put(b"k1", ["邱国强"])
    memo.put(b"k2", ["陆续"])
    memo.save()
    # A line that a hostile hand wrote, hash and all: an unknown type.
    forged = cache._line(b"k1", b'{"@builtins.eval":["1"]}')
    lines = path.read_bytes().split(b"\n")
    body = b"\n".join([forged, *lines[2:]])
    path.write_bytes(cache.HEADER + cache._digest(body) + b"\n" + body)
    capsys.readouterr()
    again = cache.Memo(path)
    assert capsys.readouterr().err == ""  # the hashes match …
    assert again.get(b"k1", lambda: ["邱国强"]) == ["邱国强"]  # … the value does not
    assert again.lookup(b"k2") == (True, ["陆续"])
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and "unknown type" in err


class _Boom:
    """Unpickling this runs ``os.system`` (the attack a pickle cache allows)."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple:
        return (os.system, (self.command,))


def test_a_pickle_in_the_cache_folder_is_never_run(memoised, tmp_path, capsys):
    """Pickles where the old cache files were, a pickle instead of a memo file,
    and a pickle as the value of an entry whose hashes match: none is run."""
    marker = tmp_path / "ran"
    command = f"touch {marker}"
    payload = pickle.dumps(_Boom(command), protocol=5)
    while b"\n" in payload:  # a length byte that is a newline: pad the command
        command += " "
        payload = pickle.dumps(_Boom(command), protocol=5)
    cache_dir = tmp_path / "cache"
    shutil.copytree(memoised[0], cache_dir)
    for name in ("meta", "pages", "people", "dates", "subjects", "render", "hant", "words"):
        (cache_dir / f"{name}.pickle").write_bytes(payload)  # the old format
    (cache_dir / "pages.memo").write_bytes(payload)
    people = cache_dir / "people.memo"
    header, first, *rest = people.read_bytes().split(b"\n")
    k = bytes.fromhex(first.split(b" ")[1].decode())
    body = b"\n".join([cache._line(k, payload), *rest])
    people.write_bytes(cache.HEADER + cache._digest(body) + b"\n" + body)
    docs = tmp_path / "a" / "docs"
    err = _build_here(CORPUS, docs, cache_dir, capsys)
    assert not marker.exists()
    assert f"warning: {cache_dir / 'pages.memo'}: not a cache file" in err
    assert f"warning: {people}: a cache entry holds no valid result" in err
    _build_here(CORPUS, tmp_path / "cold" / "docs", None, capsys)
    assert _editions(docs) == _editions(tmp_path / "cold" / "docs")
    assert not list(cache_dir.glob("*.pickle"))
    assert not marker.exists()


def _entries(file: Path | bytes) -> list[bytes]:
    """The entry lines of a memo file, in order of their bytes."""
    data = file if isinstance(file, bytes) else file.read_bytes()
    return sorted(data.split(b"\n")[1:])


def _flips(size: int, count: int, rng: random.Random) -> list[int]:
    """``count`` positions of a file of ``size`` bytes (every one if it is small),
    always with the first and the last."""
    if size <= count:
        return list(range(size))
    return sorted({0, size - 1, *rng.sample(range(size), count - 2)})


def test_a_flipped_byte_in_a_memo_file_is_a_miss_never_another_value(memoised, tmp_path, capsys):
    """Every byte of the small memo files, and 300 of each big one: the memo
    warns once, and every stored key gives its own entry (so its value) or a miss."""
    rng = random.Random(17)
    for good_path in sorted(memoised[0].glob("*.memo")):
        path = tmp_path / good_path.name
        good = good_path.read_bytes()
        truth = cache.Memo(good_path)
        entries = dict(truth._old)
        assert all(truth.lookup(k)[0] for k in entries)
        for pos in _flips(len(good), 4000 if len(good) < 4000 else 300, rng):
            bad = bytearray(good)
            bad[pos] ^= 1 << rng.randrange(8)
            path.write_bytes(bad)
            capsys.readouterr()
            memo = cache.Memo(path)
            assert memo._old.keys() <= entries.keys(), (path.name, pos)
            for k, line in entries.items():
                found, _ = memo.lookup(k)
                assert not found or memo._new[k] == line, (path.name, pos)
            err = capsys.readouterr().err
            assert err.count("\n") == 1 and f"warning: {path}: " in err, (path.name, pos)


class _TemplatesOnce(jinja2.BytecodeCache):
    """Jinja's compiled templates kept in memory between builds (jinja checks
    each against its template's source): hundreds of builds in one test then
    do not compile the templates hundreds of times."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


def test_flipped_bytes_in_the_cache_never_change_the_build(tmp_path, capsys, monkeypatch):
    """500 bytes flipped, one at a time, over every cache file of the bundled
    corpus: each build warns, names the file, and writes what a build without
    a cache writes; and the file is written again with the entries it had."""
    templates, init = _TemplatesOnce(), jinja2.Environment.__init__

    def environment(self: jinja2.Environment, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **{"bytecode_cache": templates, **kwargs})

    monkeypatch.setattr(jinja2.Environment, "__init__", environment)
    cold = tmp_path / "cold" / "docs"
    _build_here(CORPUS, cold, None, capsys)
    reference = _editions(cold)
    cache_dir, docs = tmp_path / "cache", tmp_path / "warm" / "docs"
    _build_here(CORPUS, docs, cache_dir, capsys)
    assert _editions(docs) == reference
    files = {p: p.read_bytes() for p in sorted(cache_dir.glob("*.memo"))}
    assert len(files) >= 7
    rng = random.Random(2026)
    share = 500 // len(files)
    runs = 0
    for path, good in files.items():
        for pos in _flips(len(good), share, rng):
            bad = bytearray(good)
            bad[pos] ^= 1 << rng.randrange(8)
            path.write_bytes(bad)
            err = _build_here(CORPUS, docs, cache_dir, capsys)
            assert f"warning: {path}: " in err, (path.name, pos)
            assert _editions(docs) == reference, (path.name, pos)
            assert _entries(path) == _entries(good), (path.name, pos)  # repaired …
            assert not cache.Memo(path)._repair, (path.name, pos)  # … and whole
            runs += 1
    assert runs >= 490


def test_a_cache_file_that_is_not_a_regular_file_is_neither_read_nor_fatal(tmp_path, capsys):
    """A FIFO would block a read forever, /dev/zero never end; a folder in the
    way cannot be replaced: each is one warning, and the memo starts empty."""
    os.mkfifo(tmp_path / "pages.memo")
    (tmp_path / "hant.memo").symlink_to("/dev/zero")
    (tmp_path / "dates.memo").mkdir()
    for name in ("pages", "hant", "dates"):
        memo = cache.Memo(tmp_path / f"{name}.memo")
        assert memo.stored == 0
        memo.put(b"k", name)
        memo.save()
        err = capsys.readouterr().err
        assert f"warning: {tmp_path / name}.memo: cannot read the cache file" in err
    assert "dates.memo: cannot write the cache file" in err
    assert cache.Memo(tmp_path / "pages.memo").lookup(b"k") == (True, "pages")
    assert not list(tmp_path.glob(".*.tmp"))
