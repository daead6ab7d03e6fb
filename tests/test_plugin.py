"""The ``archive`` MkDocs plugin (generator/plugin.py) and the engine-neutral tree.

* its options are a typed schema (``ArchiveConfig``): a bad value is one line;
* ``mkdocs build`` gives the same Simplified HTML as ``python -m generator site``;
* the plugin's speed-up (``fast``) changes no byte of HTML;
* with the plugin removed from ``mkdocs.yml``, ``python -m generator build``
  then plain ``mkdocs build`` (and the derived Traditional config) give a
  working archive: every local link resolves, sitemap stubs stand beside the
  alternate links, and Material's search index finds the articles.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sitebuild
from sitebuild import ROOT

from generator.plugin import _heads_only
from generator.settings import ConfigError, load_settings

built_site = sitebuild.built_site
LINK = re.compile(r"""(?:href|src)="([^"#?]+)""")


def mkdocs(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("ARCHIVE_SKIP_GENERATE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


def html_files(site: Path, skip: tuple[str, ...] = ("zh-Hant", "pagefind")) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*.html"))
        if p.relative_to(site).parts[0] not in skip
    }


def dangling_links(site: Path) -> list[str]:
    """Local href/src targets of every page that are not files of the site."""
    missing = []
    for page in site.rglob("*.html"):
        for url in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", url) or url.startswith("/"):  # 404.html: site_url paths
                continue
            target = (page.parent / url).resolve()
            if not (target.is_file() or (target / "index.html").is_file()):
                missing.append(f"{page.relative_to(site)} → {url}")
    return missing


def test_a_bad_option_is_one_line_naming_the_file(tmp_path: Path) -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        config.replace("opencc: s2t", "opencc: s2x"), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path)
    assert "mkdocs.yml: plugins.archive.opencc" in str(err.value)
    assert "\n" not in str(err.value)


def test_options_default_once_when_the_plugin_is_absent(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    settings = load_settings(tmp_path)
    assert (settings.opencc, settings.hant, settings.corpus) == ("s2t", True, tmp_path / "corpus")


def test_heads_only_keeps_an_articles_head_and_drops_lists() -> None:
    article = (
        '<h1>题</h1><dl><dd>长春</dd></dl><div class="archive-body" markdown="0"><p>正文</p></div>'
    )
    out = _heads_only("articles/2023/01/x.md", article)
    assert '<div class="archive-body" data-search-exclude markdown="0">' in out
    related = _heads_only("articles/x.md", article + '<h2 id="r">相关文章</h2><ul><li>a</li></ul>')
    assert '<h2 data-search-exclude id="r">' in related and "<h1>题</h1>" in related
    assert (
        _heads_only("tags/abc.md", "<h1>t</h1><ul><li>a</li></ul>").count("data-search-exclude")
        == 1
    )
    assert _heads_only("about.md", article) == article


def test_mkdocs_build_gives_the_site_commands_html(built_site) -> None:
    """The same Simplified HTML, byte for byte, from ``mkdocs build`` (the plugin
    generating, Pagefind on) as from ``python -m generator site``."""
    other = built_site.root / "site-mkdocs"
    mkdocs(built_site.root, "build", "-q", "-d", str(other))
    theirs, ours = html_files(other), html_files(built_site.site)
    assert len(ours) > 200 and set(theirs) == set(ours)
    assert [p for p in ours if ours[p] != theirs[p]] == []
    assert (other / "pagefind" / "pagefind.js").is_file()


def test_the_speed_up_changes_no_byte(built_site) -> None:
    """``fast: false`` (Python-Markdown sees every block) gives the same HTML as
    the site command's build (the plugin's speed-up on)."""
    config = built_site.root / "mkdocs.yml"
    slow = built_site.root / "mkdocs-slow.yml"
    text = config.read_text(encoding="utf-8")
    slow.write_text(text.replace("  - archive:\n", "  - archive:\n      fast: false\n"), "utf-8")
    slow_site = built_site.root / "site-slow"
    mkdocs(built_site.root, "build", "-q", "-f", str(slow), "-d", str(slow_site))
    fast, plain = html_files(built_site.site), html_files(slow_site)
    assert len(fast) > 200 and set(fast) == set(plain)
    assert [p for p in fast if fast[p] != plain[p]] == []


def test_without_the_plugin_the_generated_tree_builds_a_working_archive(tmp_path: Path) -> None:
    root = sitebuild.copy_project(tmp_path / "project")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    plain = re.sub(r"  - archive:\n(?:      .*\n|\n)*", "", text)
    assert "archive:" not in plain.split("extra:")[0]
    config.write_text(plain, encoding="utf-8")
    sitebuild.run_generator(root, "build", "--quiet")
    mkdocs(root, "build", "-q")
    mkdocs(root, "build", "-q", "-f", ".generator-cache/editions/zh-Hant.yml")
    site = root / "site"
    assert dangling_links(site) == []
    # the alternate links' folders hold a sitemap (Material fetches one there)
    for page in (site / "articles").rglob("*.html"):
        assert (page.parent / "sitemap.xml").is_file()
        assert (site / "zh-Hant" / page.relative_to(site)).is_file()
    # Material's own search (no Pagefind without the plugin) finds the articles
    for edition, word in ((site, "珲春"), (site / "zh-Hant", "琿春")):
        index = json.loads((edition / "search" / "search_index.json").read_text("utf-8"))
        hits = {d["location"].split("#")[0] for d in index["docs"] if word in d["text"]}
        assert any(h.startswith("articles/") for h in hits), edition
    switch = (site / "index.html").read_text(encoding="utf-8")
    assert 'class="archive-script-switch"' in switch and 'href="./zh-Hant/index.html"' in switch
