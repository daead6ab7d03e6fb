"""Publishing: `mkdocs gh-deploy` pushes a built archive to a gh-pages branch."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What a fresh clone holds (docs/ only as its .gitignore: the Markdown is generated).
PROJECT = [
    "mkdocs.yml",
    "generator",
    "templates",
    "site_overrides",
    "corpus",
    "pyproject.toml",
    "docs/.gitignore",
    "docs-hant/.gitignore",
]


def run(*cmd: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    return subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=300
    )


def test_gh_deploy_pushes_the_generated_site(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in PROJECT:
        src = ROOT / name
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, project / name)
    remote = tmp_path / "remote.git"
    run("git", "init", "-q", "--bare", str(remote), cwd=tmp_path)
    run("git", "init", "-q", "-b", "main", cwd=project)
    run("git", "remote", "add", "origin", str(remote), cwd=project)
    run("git", "add", "-A", cwd=project)
    run("git", "commit", "-qm", "archive", cwd=project)
    run(sys.executable, "-m", "mkdocs", "gh-deploy", "--force", "--no-history", cwd=project)
    files = run("git", "ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).stdout.split()
    assert "index.html" in files and ".nojekyll" in files
    assert any(f.startswith("articles/2023/02/") and f.endswith(".html") for f in files)
    assert "pagefind/pagefind.js" in files  # the served search, as `generator site` builds it
    # the generator ran inside gh-deploy (the archive plugin): docs/ was made from the corpus
    assert (project / "docs" / "index.md").exists()
