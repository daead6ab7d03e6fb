"""The command line end to end: ``python -m generator build|export|check|evaluate``.

Each test runs the CLI as a user would (a subprocess in the checkout) on the
bundled corpus or on a temporary corpus mixing good pages with broken ones
from ``tests/fixtures/bad/``, and writes only into ``tmp_path``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import modified_corpus

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
BAD = ROOT / "tests" / "fixtures" / "bad"

# Bad files copied into the mixed corpus → what the summary must say about them.
BAD_FILES = {
    "enc_gb18030.txt": "decoded as GB18030",
    "enc_big5.txt": "decoded as BIG5",
    "enc_utf16le_nobom.txt": "decoded as utf_16_le",
    "broken_empty.txt": "empty file",
    "broken_png.txt": "binary file",
    "broken_nul_in_text.txt": "U+0000",
}
DECODED = ["enc_gb18030.txt", "enc_big5.txt", "enc_utf16le_nobom.txt", "enc_utf16le_bom.txt"]
SKIPPED = ["broken_empty.txt", "broken_png.txt", "malformed.txt"]


def generator(
    *args: str,
    check: int | None = 0,
    timeout: float = 300,
    cwd: Path = ROOT,
    env: dict | None = None,
) -> subprocess.CompletedProcess:
    """``python -m generator ARGS`` in ``cwd`` (the checkout); asserts the exit
    code unless ``check`` is None."""
    env = dict(os.environ if env is None else env)
    env.pop("ARCHIVE_SKIP_GENERATE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check is not None:
        assert proc.returncode == check, (
            f"python -m generator {' '.join(args)} exited {proc.returncode}, not {check}\n"
            f"--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-6000:]}"
        )
    return proc


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under ``folder``."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def mixed_build(tmp_path_factory):
    """The bundled corpus plus broken files, built once: (corpus, docs, process)."""
    tmp = tmp_path_factory.mktemp("mixed")
    corpus = tmp / "corpus"
    shutil.copytree(CORPUS, corpus)
    for name in [*BAD_FILES, "enc_utf16le_bom.txt"]:
        shutil.copy2(BAD / name, corpus / name)
    for name in ("malformed.txt", "malformed.meta.yml"):
        shutil.copy2(BAD / "meta" / name, corpus / name)
    docs = tmp / "docs"
    proc = generator("build", "--corpus", str(corpus), "--docs", str(docs))
    return corpus, docs, proc


@pytest.fixture(scope="module")
def export_lines():
    """``export`` of the bundled corpus, parsed."""
    proc = generator("export", "--strict")
    return [json.loads(line) for line in proc.stdout.splitlines()]


# --- build on broken input ------------------------------------------------------------


def test_build_with_broken_files_exits_0_and_names_each_in_the_summary(mixed_build):
    corpus, docs, proc = mixed_build
    summary = proc.stderr[proc.stderr.index("── summary") :]
    for name, reason in BAD_FILES.items():
        assert re.search(rf"{re.escape(name)}(:\d+)?: .*{re.escape(reason)}", summary), (
            name,
            summary,
        )
    assert "malformed.txt skipped" in summary
    # decoded pages are in the archive, skipped ones are not
    for name in DECODED + ["broken_nul_in_text.txt"]:
        assert (docs / "sources" / f"{name}.md").is_file(), name
    for name in SKIPPED:
        assert not (docs / "sources" / f"{name}.md").exists(), name
    for page in CORPUS.glob("*.txt"):
        assert (docs / "sources" / f"{page.name}.md").is_file()
    assert (docs.parent / "docs-hant" / "index.md").is_file()


def test_malformed_metadata_is_an_error_naming_file_and_line(mixed_build):
    _corpus, _docs, proc = mixed_build
    line = next(x for x in proc.stderr.splitlines() if "malformed.meta.yml" in x)
    assert line.strip().startswith("error: malformed.meta.yml:3: malformed YAML"), line
    assert "errors / warnings" in proc.stderr


def test_strict_build_with_broken_files_exits_non_zero(mixed_build, tmp_path):
    corpus, _docs, _proc = mixed_build
    proc = generator(
        "build", "--strict", "--corpus", str(corpus), "--docs", str(tmp_path / "d"), check=None
    )
    assert proc.returncode != 0
    assert "broken_png.txt" in proc.stderr


def test_missing_corpus_is_an_error_and_leaves_docs_alone(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("mine", encoding="utf-8")
    proc = generator(
        "build", "--corpus", str(tmp_path / "no-such-folder"), "--docs", str(docs), check=None
    )
    assert proc.returncode != 0
    assert "corpus directory not found" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(docs) == {"index.md": hashlib.sha256(b"mine").hexdigest()}


# --- export -------------------------------------------------------------------------------


def readme_export_fields() -> list[str]:
    """Field names from the README's export table (the documented contract)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### The export format", 1)[1].split("\n## ", 1)[0]
    fields: list[str] = []
    for row in section.splitlines():
        if row.startswith("| `"):
            fields += re.findall(r"`([a-z_]+)`", row.split("|")[1])
    return fields


def test_export_is_json_lines_with_every_documented_field(export_lines):
    fields = readme_export_fields()
    assert len(fields) >= 25 and "id" in fields and "text" in fields
    assert len(export_lines) >= 10
    for record in export_lines:
        assert set(record) == set(fields), set(record) ^ set(fields)
        assert re.fullmatch(r"(\d{8}|nd)-[0-9a-f]{8}(-\d+)?", record["id"]), record["id"]
        assert record["url"].startswith("articles/") and record["url"].endswith(
            f"/{record['id']}.html"
        )
        assert isinstance(record["reporters"], list) and isinstance(record["sources"], list)
        for source in record["sources"]:
            assert set(source) == {"file", "first_line", "last_line"}
            assert 1 <= source["first_line"] <= source["last_line"]
        assert 0 <= record["confidence"] <= 1
        assert record["script"] in ("hans", "hant")
        assert "\n\n\n" not in record["text"]
    assert len({r["id"] for r in export_lines}) == len(export_lines)


def test_export_is_sorted_by_date_then_id_undated_last(export_lines):
    keys = [(r["date"] is None, r["date"] or "", r["id"]) for r in export_lines]
    assert keys == sorted(keys)
    assert any(r["date"] is None for r in export_lines)  # the order of undated ones is tested


def test_export_hant_keeps_ids_and_urls_and_converts_titles(export_lines):
    from generator.hant import converter
    from generator.settings import load_settings

    proc = generator("export", "--variant", "zh-Hant")
    hant = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(hant) == len(export_lines)
    convert = converter(load_settings(ROOT))
    changed = 0
    for hans, trad in zip(export_lines, hant, strict=True):
        for key in ("id", "url", "date", "date_precision", "page", "sources", "kind", "script"):
            assert trad[key] == hans[key], key
        assert [c["raw"] for c in trad["corrections"]] == [c["raw"] for c in hans["corrections"]]
        assert trad["title"] == convert(hans["title"])
        assert trad["text"] == convert(hans["text"])
        changed += trad["title"] != hans["title"]
    assert changed >= len(hant) // 2  # most headlines hold a character that differs


# --- check and evaluate ---------------------------------------------------------------------


def test_check_prints_one_row_per_article_and_totals(export_lines):
    proc = generator("check")
    lines = proc.stdout.splitlines()
    rules = [i for i, line in enumerate(lines) if re.fullmatch("-{20,}", line)]
    assert len(rules) == 2, proc.stdout[:2000]
    rows = lines[rules[0] + 1 : rules[1]]
    assert sorted(row.split()[0] for row in rows) == sorted(r["id"] for r in export_lines)
    assert lines[rules[1] + 1].startswith(f"totals: articles {len(export_lines)}, ")


def test_evaluate_passes_on_the_bundled_corpus():
    proc = generator("evaluate")
    assert "ALL TARGETS MET" in proc.stdout


# --- determinism and hand-written pages -------------------------------------------------------


def test_two_builds_give_byte_identical_trees(tmp_path):
    one, two = tmp_path / "one" / "docs", tmp_path / "two" / "docs"
    generator("build", "--strict", "--docs", str(one))  # the bundled corpus has no warning
    generator("build", "--docs", str(two), "--workers", "1")
    assert snapshot(one) == snapshot(two)
    assert snapshot(one.parent / "docs-hant") == snapshot(two.parent / "docs-hant")
    assert len(snapshot(one)) > 100


def test_hand_written_docs_survive_a_rebuild(tmp_path):
    docs = tmp_path / "docs"
    generator("build", "--docs", str(docs))
    before = snapshot(docs)
    mine = {
        "notes/我的笔记.md": "# 我的笔记\n\n手写的页面。\n",
        "img/logo.png": "\x89PNG fake",
        "about.md": "# 我自己的关于页\n",  # a generated path: the hand-written file wins
    }
    (docs / "about.md").unlink()  # pretend about.md was always hand-written …
    manifest = json.loads((docs / ".generated.json").read_text(encoding="utf-8"))
    del manifest["files"]["about.md"]  # … and never generated
    (docs / ".generated.json").write_text(json.dumps(manifest), encoding="utf-8")
    for rel, text in mine.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
    corpus = modified_corpus(tmp_path / "corpus2")
    proc = generator("build", "--corpus", str(corpus), "--docs", str(docs))
    for rel, text in mine.items():
        assert (docs / rel).read_text(encoding="utf-8") == text, rel
    assert "hand-written file kept" in proc.stderr
    after = snapshot(docs)
    assert after != before  # the rebuild did change the generated pages
    assert not any(p.name.startswith(".docs.") for p in tmp_path.iterdir() if p.is_dir())
