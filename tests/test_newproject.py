"""A new archive from an installed package, in a folder that is not this checkout.

As a new user would: ``pip install <checkout>`` (not editable) into a fresh
virtual environment, ``python -m generator new DIR`` in an empty folder, two
raw files dropped into its corpus, then ``mkdocs build``, ``mkdocs serve``
and ``python -m generator site --offline``. The virtual environment sees
this machine's packages (``--system-site-packages``) so that only the
archive itself is installed; the archive's modules must come from the
environment's copy, never from the checkout.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sitebuild import ROOT

from generator.errors import UnsafeOutputError
from generator.newproject import create


def run(cmd: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ARCHIVE_SKIP_GENERATE")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return proc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UnsafeOutputError):
        create(tmp_path, site_name="档案", site_url="https://example.org/")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_new_escapes_the_site_name(tmp_path: Path) -> None:
    folder = create(tmp_path / "a", site_name='档案"\nsite_dir: /etc', site_url="https://x.org/")
    text = (folder / "mkdocs.yml").read_text(encoding="utf-8")
    assert "\nsite_dir: /etc" not in text and "site_dir: site\n" in text


def test_an_installed_package_starts_and_builds_a_new_archive(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], cwd=tmp_path)
    python = str(venv / "bin" / "python")
    run([python, "-m", "pip", "install", "-q", str(ROOT)], cwd=tmp_path)
    work = tmp_path / "empty"
    work.mkdir()
    where = run([python, "-c", "import generator; print(generator.__file__)"], cwd=work)
    assert where.stdout.startswith(str(venv)), where.stdout

    url = "https://example.org/my-archive/"  # mkdocs serve serves below its path
    run([python, "-m", "generator", "new", "archive", "--name", "我的档案", "--url", url], cwd=work)
    project = work / "archive"
    for raw in sorted((ROOT / "corpus").glob("*.txt"))[:2]:
        shutil.copy2(raw, project / "corpus" / raw.name)

    run([python, "-m", "mkdocs", "build", "-q"], cwd=project)
    site = project / "site"
    articles = sorted((site / "articles").rglob("*.html"))
    assert len(articles) >= 4 and (site / "pagefind" / "pagefind.js").is_file()
    assert "我的档案" in (site / "index.html").read_text(encoding="utf-8")
    assert (project / "overrides" / "main.html").is_file()

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    serve = subprocess.Popen(
        [python, "-m", "mkdocs", "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env={**env, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = articles[0].relative_to(site).as_posix()
        body = ""
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not body:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/my-archive/{page}", timeout=5
                ) as r:
                    body = r.read().decode("utf-8")
            except OSError:
                time.sleep(1)
        assert "archive-body" in body
    finally:
        serve.terminate()
        serve.wait(timeout=30)

    run([python, "-m", "generator", "site", "--offline", "--quiet"], cwd=project)
    offline = project / "site-offline"
    assert (offline / "index.html").is_file() and (offline / "zh-Hant" / "index.html").is_file()
    assert (offline / "search" / "search_index.js").is_file()
