"""Every generated link points at a generated page, for any corpus (issue 17).

A property test: the archive is generated over seeded random subsets of the
bundled corpus (``corpus/*.txt``) plus ``../shared/corpus/dev/*.txt`` when
that folder exists, some files cut to a random run of their lines, and every
relative link of every generated Markdown page (both editions) must resolve to
a generated file or a theme asset. Links are read as MkDocs reads them
(front matter off, Python-Markdown with the site's extensions: ``links``)
plus the raw HTML links MkDocs does not check; the resolver mirrors MkDocs'
rules for relative links with ``use_directory_urls: false`` (``resolve``).
The real MkDocs strict build, which reports broken links, runs on two
corpora only (it is the slow part). The whole module takes about 30 s.
"""

from __future__ import annotations

import posixpath
import random
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
import pytest
import sitebuild
import yaml
from mkdocs.utils.meta import get_data
from sitebuild import ROOT

CORPUS = ROOT / "corpus"
DEV = ROOT.parent / "shared" / "corpus" / "dev"
ASSETS = ROOT / "site_overrides"
SEEDS = range(7)
# What MkDocs itself writes into every site (use_directory_urls: false).
MKDOCS_FILES = {"sitemap.xml", "sitemap.xml.gz", "404.html"}


def _markdown() -> markdown.Markdown:
    """Python-Markdown with the extensions ``mkdocs.yml`` gives MkDocs."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)  # !ENV and such
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)  # noqa: S506
    names, configs = [], {}
    for entry in config.get("markdown_extensions") or []:
        name, options = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        names.append(name)
        if options:
            configs[name] = options
    return markdown.Markdown(extensions=names, extension_configs=configs)


class _Hrefs(HTMLParser):
    """The URLs a browser follows in an HTML fragment: ``href`` and ``src``."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("href", "src") and v is not None]


def links(text: str) -> list[str]:
    """Every link of a generated Markdown page, as MkDocs builds it: the YAML
    front matter taken off, the rest converted by Python-Markdown with the
    site's extensions, then the ``href`` and ``src`` of the HTML (Markdown
    links, and the raw HTML the templates write; text in a raw HTML block is
    not Markdown, and escaped markup is no link)."""
    body, _meta = get_data(text)
    parser = _Hrefs()
    parser.feed(_MD.reset().convert(body))
    parser.close()
    return parser.urls


_MD = _markdown()


def resolve(page: str, url: str, files: set[str]) -> str | None:
    """Why ``url``, written in docs page ``page``, is broken; None when it resolves.

    As MkDocs (``use_directory_urls: false``) and a browser read it: a URL with
    a scheme or host is external (not checked); a bare ``#fragment`` is this
    page; a path is taken relative to the page's folder, percent-decoded, and
    must stay inside the docs folder. ``x.md`` and the page's URL ``x.html``
    both name the page ``x.md``; ``folder/`` names ``folder/index.md``; any
    other file must exist as it is (a generated file or a theme asset). An
    absolute path (``/x``) is broken: it misses a site served below a sub-path.
    """
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path:
        return None
    if parts.path.startswith("/"):
        return "absolute path (breaks below a sub-path)"
    path = unquote(parts.path)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if target == ".." or target.startswith("../"):
        return "leads out of the docs folder"
    if path.endswith("/") or target == ".":
        target = posixpath.join(target, "index.md").removeprefix("./")
    if target in files:
        return None
    if target.endswith(".html") and target.removesuffix(".html") + ".md" in files:
        return None
    return f"no such page or file: {target}"


def docs_files(docs: Path) -> set[str]:
    """Docs-relative paths of every file in ``docs``, of the theme's assets and of
    the files MkDocs adds to every site (``MKDOCS_FILES``)."""
    found = {p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file()}
    found |= MKDOCS_FILES
    found |= {p.relative_to(ASSETS).as_posix() for p in (ASSETS / "assets").rglob("*")}
    return found


def broken_links(docs: Path) -> list[str]:
    """``page: url (why)`` for every relative link of a Markdown page in ``docs``
    that does not resolve (see ``resolve``)."""
    files = docs_files(docs)
    broken = []
    for page in sorted(p for p in files if p.endswith(".md")):
        for url in links((docs / page).read_text(encoding="utf-8")):
            why = resolve(page, url, files)
            if why:
                broken.append(f"{page}: {url} ({why})")
    return broken


def all_sources() -> list[Path]:
    """The bundled raw pages, and the shared dev corpus's when it is there."""
    found = sorted(CORPUS.glob("*.txt"))
    if DEV.is_dir():
        found += sorted(DEV.glob("*.txt"))
    return found


def random_corpus(seed: int, dest: Path) -> list[str]:
    """A seeded random subset of ``all_sources()`` written to ``dest``: each file
    whole, or (one in three) cut to a random run of its lines from one blank
    line to another. Returns what was taken, for the failure message."""
    rng = random.Random(seed)
    sources = all_sources()
    chosen = rng.sample(sources, rng.randint(1, len(sources)))
    dest.mkdir(parents=True)
    taken = []
    for i, src in enumerate(sorted(chosen)):
        name = f"{i:02d}_{src.name}"  # the same name may be in both corpora
        lines = src.read_text(encoding="utf-8").split("\n")
        blanks = [n for n, line in enumerate(lines) if not line.strip()]
        if len(blanks) > 2 and rng.random() < 1 / 3:
            start, end = sorted(rng.sample(blanks, 2))
            lines = lines[start:end]
            taken.append(f"{src.name}[{start}:{end}]")
        else:
            taken.append(src.name)
        (dest / name).write_text("\n".join(lines), encoding="utf-8")
        meta = src.with_name(src.stem + ".meta.yml")
        if meta.exists():
            shutil.copy(meta, dest / f"{i:02d}_{meta.name}")
    return taken


def generate(corpus: Path, docs: Path) -> None:
    """``python -m generator build`` of ``corpus`` into ``docs`` (and ``docs-hant``)."""
    sitebuild.run_generator(
        ROOT, "build", "--no-cache", "--quiet", "--corpus", str(corpus), "--docs", str(docs)
    )


def county_without_prefecture(dest: Path, as_in_issue: bool = False) -> Path:
    """A corpus that mentions 东丰 (a county of 辽源) but has no article about
    辽源 or any of its counties: bundled file 002 alone, or (``as_in_issue``)
    as issue 17 found it, its GBK copy plus a Big5 page."""
    dest.mkdir(parents=True)
    page = CORPUS / "002_4daa403c7feebee2.txt"
    if as_in_issue:
        text = page.read_text(encoding="utf-8")
        (dest / "002_gbk.txt").write_bytes(text.encode("gbk"))
        shutil.copy(ROOT / "tests" / "fixtures" / "bad" / "enc_big5.txt", dest)
    else:
        shutil.copy(page, dest)
    return dest


# --- the resolver itself ----------------------------------------------------------


def test_resolver_follows_mkdocs_rules():
    files = {"index.md", "cities/index.md", "cities/changchun.md", "feed.xml", "assets/a.css"}
    ok = [
        ("cities/changchun.md", "index.md"),
        ("cities/changchun.md", "../index.md"),
        ("cities/changchun.md", "changchun.html"),
        ("cities/changchun.md", "./"),
        ("cities/changchun.md", "../cities/"),
        ("cities/changchun.md", "#top"),
        ("cities/changchun.md", "https://example.org/x.md"),
        ("index.md", "feed.xml"),
        ("index.md", "assets/a.css"),
        ("index.md", "cities/%63hangchun.md"),
    ]
    for page, url in ok:
        assert resolve(page, url, files) is None, (page, url)
    bad = [
        ("cities/changchun.md", "liaoyuan.md"),
        ("cities/changchun.md", "../../index.md"),
        ("cities/changchun.md", "/index.md"),
        ("index.md", "changchun.md"),
        ("index.md", "feed.html"),
    ]
    for page, url in bad:
        assert resolve(page, url, files), (page, url)
    text = (
        '---\ntitle: "[t](front.md)"\n---\n\n[a](x.md) ![b](y.png "t") [r][ref]\n\n'
        '<dl><dd><a href="z.html">c</a> [not](a-link.md) &lt;a href="nor.md"&gt;</dd></dl>\n\n'
        "[ref]: w.md\n"
    )
    assert links(text) == ["x.md", "y.png", "w.md", "z.html"]


# --- the corpus of issue 17 ------------------------------------------------------------


@pytest.mark.parametrize("as_in_issue", [False, True], ids=["002", "002-gbk+big5"])
def test_a_county_mentioned_without_its_prefecture_links_no_missing_page(as_in_issue, tmp_path):
    """东丰县's page names its prefecture 辽源; 辽源 has no page (no article is
    about it or its counties), so the name is not a link."""
    docs = tmp_path / "docs"
    generate(county_without_prefecture(tmp_path / "corpus", as_in_issue), docs)
    page = (docs / "cities" / "dongfeng.md").read_text(encoding="utf-8")
    assert "属辽源。" in page
    assert not (docs / "cities" / "liaoyuan.md").exists()
    assert broken_links(docs) == []
    assert broken_links(tmp_path / "docs-hant") == []


@pytest.mark.parametrize("seed", SEEDS)
def test_every_link_resolves_for_random_corpora(seed, tmp_path):
    taken = random_corpus(seed, tmp_path / "corpus")
    docs = tmp_path / "docs"
    generate(tmp_path / "corpus", docs)
    assert (docs / "index.md").exists()
    for folder in (docs, tmp_path / "docs-hant"):
        broken = broken_links(folder)
        assert not broken, f"corpus {taken}: {len(broken)} broken, first: {broken[:5]}"


def test_every_link_resolves_for_the_hostile_corpus(tmp_path):
    """The read stage's hostile fixtures as a corpus (markup, Markdown and
    javascript: links in the text, broken encodings and files): no link made
    from their text, and every generated one resolves."""
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "tests" / "fixtures" / "bad", corpus)
    docs = tmp_path / "docs"
    generate(corpus, docs)
    assert len(list((docs / "articles").rglob("*.md"))) >= 10
    for folder in (docs, tmp_path / "docs-hant"):
        assert broken_links(folder) == []
        schemes = {
            urlsplit(url).scheme
            for page in folder.rglob("*.md")
            for url in links(page.read_text(encoding="utf-8"))
        }
        assert schemes == {""}, "a link with a scheme came from the text"


@pytest.mark.parametrize("which", ["issue-17", "random"])
def test_mkdocs_strict_build_finds_no_broken_link(which, tmp_path):
    """The real ``site --strict`` (MkDocs strict mode fails on a broken link) on
    the corpus of issue 17 and on one random subset."""
    corpus = tmp_path / "corpus"
    if which == "issue-17":
        county_without_prefecture(corpus)
    else:
        random_corpus(SEEDS[-1] + 1, corpus)
    root = sitebuild.copy_project(tmp_path / "project", corpus=corpus)
    proc = sitebuild.run_generator(root, "site", "--strict", check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert broken_links(root / "docs") == []
