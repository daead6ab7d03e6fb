"""The built site, checked file by file (no browser).

The site is built once per session from a fresh copy of the project, as a
newcomer would (``tests/sitebuild.py``): ``python -m generator site`` and
``python -m generator site --offline``.
"""

from __future__ import annotations

import gzip
import json
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import sitebuild
import yaml
from sitebuild import ROOT, BuiltSite, parse_file

built_site = sitebuild.built_site  # the session's build, registered as a fixture here

# --- helpers -----------------------------------------------------------------------


def _config(built: BuiltSite, name: str) -> dict:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    return yaml.load((built.root / name).read_text(encoding="utf-8"), Loader=Loader) or {}  # noqa: S506


def _site_urls(built: BuiltSite) -> tuple[str, str]:
    """The configured site_url of the Simplified and the Traditional edition."""
    return (
        _config(built, "mkdocs.yml")["site_url"],
        _config(built, ".generator-cache/editions/zh-Hant.yml")["site_url"],
    )


def html_pages(folder: Path, skip_hant: bool = False) -> list[Path]:
    pages = sorted(folder.rglob("*.html"))
    if skip_hant:
        pages = [p for p in pages if p.relative_to(folder).parts[0] != "zh-Hant"]
    return pages


def rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


URL_ATTRS = ("href", "src", "poster", "data", "action", "formaction")
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.I)


def _srcset(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def page_urls(page: Path) -> list[tuple[object, str]]:
    """Every (element, url) of a page: URL attributes, srcset, inline CSS url()."""
    doc = parse_file(page)
    out: list[tuple[object, str]] = []
    for node in doc.iter():
        if node.tag == "#document":
            continue
        for attr in URL_ATTRS:
            if attr in node.attrs:
                out.append((node, node.attrs[attr]))
        for attr in ("srcset", "imagesrcset"):
            if attr in node.attrs:
                out.extend((node, u) for u in _srcset(node.attrs[attr]))
        if "style" in node.attrs:
            out.extend((node, m[1] or m[3]) for m in CSS_URL.findall(node.attrs["style"]))
        if node.tag == "style":
            out.extend((node, m[1] or m[3]) for m in CSS_URL.findall(node.text()))
    return out


def _ids(page: Path) -> set[str]:
    ids = set()
    for node in parse_file(page).iter():
        for attr in ("id", "name"):
            if node.attrs.get(attr):
                ids.add(node.attrs[attr])
    return ids


def _edition_root(page: Path, top: Path) -> tuple[Path, int]:
    """(root of the page's edition, index into site_urls)."""
    hant = top / "zh-Hant"
    return (hant, 1) if hant in page.parents else (top, 0)


def check_links(top: Path, site_urls: tuple[str, str], offline: bool) -> list[str]:
    """Every broken or forbidden link of every HTML page under ``top``."""
    errors: list[str] = []
    for page in html_pages(top):
        where = rel(page, top)
        edition, which = _edition_root(page, top)
        base_path = urlsplit(site_urls[which]).path  # MkDocs' 404.html links from here
        for node, raw in page_urls(page):
            url = raw.strip()
            if not url:
                continue
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme in ("http", "https"):
                alternate = node.tag == "link" and "alternate" in node.attrs.get("rel", "").split()
                if not (alternate or any(url.startswith(s) for s in site_urls)):
                    errors.append(f"{where}:{node.line}: external link {url!r} in <{node.tag}>")
                continue
            if url.startswith("//"):
                errors.append(f"{where}:{node.line}: protocol-relative link {url!r}")
                continue
            if scheme in ("mailto", "tel", "data"):
                continue
            if scheme == "javascript":
                # Only the search box's inert ones: Material's "share" button, the form.
                search_ui = any(c.startswith("md-search__") for c in node.classes)
                if not (url == "javascript:void(0)" and search_ui):
                    errors.append(f"{where}:{node.line}: javascript: link {url!r}")
                continue
            if scheme:
                errors.append(f"{where}:{node.line}: unknown scheme {url!r}")
                continue
            path = unquote(parts.path)
            if path.startswith("/"):
                if page.name == "404.html" and path.startswith(base_path):
                    target = edition / path[len(base_path) :]
                else:
                    errors.append(f"{where}:{node.line}: absolute path {url!r} (breaks sub-paths)")
                    continue
            elif path:
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(where), path))
                if joined.startswith("../") or joined == "..":
                    errors.append(f"{where}:{node.line}: {url!r} leaves the site")
                    continue
                target = top / joined
            else:
                target = page
            if target.is_dir():
                if offline:
                    errors.append(
                        f"{where}:{node.line}: {url!r} is a folder (no index over file://)"
                    )
                    continue
                target = target / "index.html"
            if not target.is_file():
                errors.append(
                    f"{where}:{node.line}: broken link {url!r} ({rel(target, top) if top in target.parents else target})"
                )
                continue
            if parts.fragment and target.suffix == ".html":
                fragment = unquote(parts.fragment)
                if fragment not in _ids(target):
                    errors.append(f"{where}:{node.line}: no #{fragment} in {rel(target, top)}")
    return errors


# Known broken links excused by the link tests (none at present).
KNOWN_BROKEN: tuple[re.Pattern[str], ...] = ()


def _unknown(errors: list[str]) -> list[str]:
    return [e for e in errors if not any(p.search(e) for p in KNOWN_BROKEN)]


def check_css_urls(top: Path) -> list[str]:
    """Broken local url()/@import in CSS files, and any to another host."""
    errors = []
    for css in sorted(top.rglob("*.css")):
        text = css.read_text(encoding="utf-8", errors="replace")
        for m in CSS_URL.finditer(text):
            url = (m[2] or m[4]).strip()
            if not url or url.startswith(("data:", "#")):
                continue
            if url.startswith("//") or urlsplit(url).scheme:
                errors.append(f"{rel(css, top)}: external {url!r}")
                continue
            target = (css.parent / unquote(urlsplit(url).path)).resolve()
            if not target.is_file():
                errors.append(f"{rel(css, top)}: broken {url!r}")
    return errors


# --- links ---------------------------------------------------------------------------


def test_links_online_build(built_site):
    errors = _unknown(check_links(built_site.site, _site_urls(built_site), offline=False))
    errors += check_css_urls(built_site.site)
    assert not errors, f"{len(errors)} broken links in site/:\n" + "\n".join(errors[:50])
    assert len(html_pages(built_site.site)) > 100


def test_links_offline_build(built_site):
    errors = _unknown(check_links(built_site.offline, _site_urls(built_site), offline=True))
    errors += check_css_urls(built_site.offline)
    assert not errors, f"{len(errors)} broken links in site-offline/:\n" + "\n".join(errors[:50])


@pytest.mark.parametrize("edition", ["site", "offline"])
def test_traditional_pages_load_variants_js(built_site, edition):
    top = (built_site.site if edition == "site" else built_site.offline) / "zh-Hant"
    errors = []
    for page in html_pages(top):
        if page.name == "404.html":  # served at any URL: MkDocs gives it absolute paths
            continue
        scripts = [n.attrs["src"] for n in parse_file(page).find_all("script") if "src" in n.attrs]
        variants = [s for s in scripts if s.endswith("variants.js")]
        if (
            len(variants) != 1
            or _resolve(page, variants[0])
            != (top / "assets" / "javascripts" / "variants.js").resolve()
        ):
            errors.append(f"{rel(page, top)}: {variants}")
    assert not errors, "\n".join(errors[:20])


@pytest.mark.parametrize("edition", ["site", "offline"])
def test_simplified_pages_load_their_own_variants_js(built_site, edition):
    """The Simplified edition loads its Traditional → Simplified map, not the other one."""
    top = built_site.site if edition == "site" else built_site.offline
    js = top / "assets" / "javascripts" / "variants.js"
    mapping = json.loads(
        js.read_text(encoding="utf-8").removeprefix("window.__archiveVariants = ").rstrip(";\n")
    )
    assert mapping["長"] == "长" and "长" not in mapping
    errors = []
    for page in html_pages(top, skip_hant=True):
        if page.name == "404.html":
            continue
        scripts = [n.attrs["src"] for n in parse_file(page).find_all("script") if "src" in n.attrs]
        variants = [s for s in scripts if s.endswith("variants.js")]
        if len(variants) != 1 or _resolve(page, variants[0]) != js.resolve():
            errors.append(f"{rel(page, top)}: {variants}")
    assert not errors, "\n".join(errors[:20])


def test_link_checker_catches_breakage(tmp_path):
    """The checker itself: a broken relative link, a folder link offline, a bad anchor."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<a href="missing.html">x</a><a href="../a/">y</a><a href="index.html#nope">z</a>'
        '<a href="https://evil.example/">e</a><a href="javascript:alert(1)">j</a>'
        '<img src="/abs.png"><a href="https://example.org/site/ok.html">ok</a>',
        encoding="utf-8",
    )
    errors = check_links(tmp_path, ("https://example.org/site/", "https://example.org/x/"), True)
    text = "\n".join(errors)
    for expected in (
        "missing.html",
        "is a folder",
        "#nope",
        "evil.example",
        "javascript:",
        "/abs.png",
    ):
        assert expected in text
    assert "ok.html" not in text
    assert len(errors) == 6


# --- search indexes --------------------------------------------------------------------
# The offline build (and `mkdocs serve`) use Material's search, whose index MkDocs
# segments with jieba (words joined by U+200B). The served build uses Pagefind
# (generator/pagefind.py) unless extra.archive.search is "material".


def _material_index(top: Path) -> dict | None:
    json_file = top / "search" / "search_index.json"
    js_file = top / "search" / "search_index.js"  # the offline plugin's inlined copy
    if json_file.is_file():
        return json.loads(json_file.read_text(encoding="utf-8"))
    if js_file.is_file():
        script = js_file.read_text(encoding="utf-8").strip()
        prefix = "var __index = "
        assert script.startswith(prefix), f"{js_file}: unexpected start {script[:40]!r}"
        return json.loads(script[len(prefix) :].rstrip(";"))
    return None


def _index_tokens(index: dict) -> set[str]:
    separator = re.compile(index["config"]["separator"])
    tokens: set[str] = set()
    for doc in index["docs"]:
        tokens.update(separator.split(re.sub(r"<[^>]+>", " ", doc["text"])))
        tokens.update(separator.split(doc.get("title") or ""))
    return tokens


def _top(built: BuiltSite, build: str, hant: bool = False) -> Path:
    top = built.site if build == "site" else built.offline
    return top / "zh-Hant" if hant else top


def _material_or_skip(top: Path) -> dict:
    index = _material_index(top)
    if index is None:
        assert (top / "pagefind" / "pagefind.js").is_file(), f"{top}: no search index at all"
        pytest.skip("this build searches with Pagefind (pagefind/): see test_pagefind_index")
    return index


@pytest.mark.parametrize("build", ["site", "offline"])
def test_material_search_index_is_segmented(built_site, build):
    index = _material_or_skip(_top(built_site, build))
    tokens = _index_tokens(index)
    texts = [d["text"] for d in index["docs"] if re.search("[\u4e00-\u9fff]{4}", d["text"])]
    assert texts, "no Chinese text in the search index"
    segmented = [t for t in texts if "\u200b" in t]
    assert len(segmented) / len(texts) > 0.9, "Chinese text is not segmented with U+200B"
    assert "珲春" in tokens
    assert "对接合作" in tokens or {"对接", "合作"} <= tokens
    # Words are words: no run of Han characters longer than jieba would give.
    assert not [t for t in tokens if re.fullmatch("[\u4e00-\u9fff]{13,}", t)]


@pytest.mark.parametrize("build", ["site", "offline"])
def test_material_search_index_traditional_is_segmented(built_site, build):
    index = _material_or_skip(_top(built_site, build, hant=True))
    tokens = _index_tokens(index)
    assert any("\u200b" in d["text"] for d in index["docs"])
    assert {"琿春", "長春"} <= tokens
    assert not {"珲春", "长春"} & tokens, "the Traditional index holds Simplified words"


def _pagefind_records(bundle: Path) -> dict[str, dict]:
    records = {}
    for fragment in (bundle / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd"), fragment
        record = json.loads(data[len(b"pagefind_dcd") :])
        records[record["url"]] = record
    return records


@pytest.mark.parametrize("hant", [False, True], ids=["hans", "hant"])
def test_pagefind_index(built_site, hant):
    top = _top(built_site, "site", hant)
    bundle = top / "pagefind"
    if not bundle.is_dir():
        pytest.skip("the served build uses Material's search (tested above)")
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["und"], "Pagefind must not segment (see pagefind.py)"
    for name in ("pagefind.js", "pagefind-worker.js"):
        assert (bundle / name).is_file()
    records = _pagefind_records(bundle)
    by_path = {url.lstrip("/"): r for url, r in records.items()}
    assert not [u for u in by_path if u.startswith("sources/")]
    for article in _corpus(built_site, hant):
        record = by_path.get(article["url"])
        assert record is not None, f"{article['url']} is not in {bundle}"
        assert record["meta"]["title"] == article["title"]
    tokens = set(" ".join(r["content"] for r in records.values()).split())
    words = ("琿春", "長春") if hant else ("珲春", "对接", "合作")
    for word in words:  # indexed as character bigrams
        assert word in tokens, word
    if hant:
        assert not {"珲春", "长春"} & tokens, "the Traditional index holds Simplified text"


# --- the two editions ----------------------------------------------------------------


def test_every_page_has_a_traditional_twin(built_site):
    site = built_site.site
    hans = {rel(p, site) for p in html_pages(site, skip_hant=True)}
    hant = {rel(p, built_site.site_hant) for p in html_pages(built_site.site_hant)}
    assert hans - hant == set(), "Simplified pages without a Traditional twin"
    assert hant - hans == set(), "Traditional pages without a Simplified twin"
    offline_hans = {rel(p, built_site.offline) for p in html_pages(built_site.offline, True)}
    offline_hant = {rel(p, built_site.offline_hant) for p in html_pages(built_site.offline_hant)}
    assert offline_hans == hans
    assert offline_hant == hant


def _resolve(page: Path, href: str) -> Path:
    return (page.parent / unquote(urlsplit(href).path)).resolve()


def _twin(page: Path, built: BuiltSite, top: Path) -> Path:
    hant = top / "zh-Hant"
    if hant in page.parents:
        return top / page.relative_to(hant)
    return hant / page.relative_to(top)


def _content_pages(top: Path) -> list[Path]:
    return [p for p in html_pages(top) if p.name != "404.html"]


def test_hreflang_alternates_online(built_site):
    errors = []
    top = built_site.site
    for page in _content_pages(top):
        links = {
            n.attrs.get("hreflang"): n.attrs.get("href")
            for n in parse_file(page).find_all("link")
            if n.attrs.get("rel") == "alternate" and n.attrs.get("hreflang")
        }
        where = rel(page, top)
        if set(links) != {"zh-Hans", "zh-Hant"}:
            errors.append(f"{where}: hreflang links {sorted(links)}")
            continue
        hant_page = built_site.site_hant in page.parents
        own, other = ("zh-Hant", "zh-Hans") if hant_page else ("zh-Hans", "zh-Hant")
        if _resolve(page, links[own]) != page.resolve():
            errors.append(f"{where}: hreflang={own} points to {links[own]}")
        if _resolve(page, links[other]) != _twin(page, built_site, top).resolve():
            errors.append(f"{where}: hreflang={other} points to {links[other]}")
    assert not errors, "\n".join(errors[:40])


@pytest.mark.parametrize("edition", ["site", "offline"])
def test_script_switch_points_to_the_twin(built_site, edition):
    top = built_site.site if edition == "site" else built_site.offline
    errors = []
    pages = _content_pages(top)
    for page in pages:
        switches = parse_file(page).find_all("a", cls="archive-script-switch")
        where = rel(page, top)
        if len(switches) != 1:
            errors.append(f"{where}: {len(switches)} script-switch links")
            continue
        target = _resolve(page, switches[0].attrs.get("href", ""))
        if target != _twin(page, built_site, top).resolve():
            errors.append(f"{where}: switch goes to {switches[0].attrs.get('href')}")
        elif not target.is_file():
            errors.append(f"{where}: switch target missing")
    assert len(pages) > 100
    assert not errors, "\n".join(errors[:40])


def test_offline_build_has_no_alternate_links(built_site):
    """Material fetches sitemap.xml for alternate links: impossible over file://."""
    offenders = [
        rel(p, built_site.offline)
        for p in html_pages(built_site.offline)
        if any(n.attrs.get("rel") == "alternate" for n in parse_file(p).find_all("link"))
    ]
    assert not offenders


# --- nothing from other hosts --------------------------------------------------------


def _resource_refs(page: Path) -> list[tuple[object, str]]:
    """URLs a page loads as script, style, font, image or frame."""
    refs = []
    for node in parse_file(page).iter():
        tag, attrs = node.tag, node.attrs
        rels = set(attrs.get("rel", "").lower().split())
        if tag == "script" and "src" in attrs:
            refs.append((node, attrs["src"]))
        elif tag == "link" and rels & {
            "stylesheet",
            "preload",
            "modulepreload",
            "prefetch",
            "icon",
            "apple-touch-icon",
            "manifest",
            "preconnect",
            "dns-prefetch",
        }:
            refs.append((node, attrs.get("href", "")))
        elif tag in ("img", "source", "iframe", "embed", "audio", "video", "track", "input"):
            for attr in ("src", "poster"):
                if attr in attrs:
                    refs.append((node, attrs[attr]))
            for attr in ("srcset",):
                if attr in attrs:
                    refs.extend((node, u) for u in _srcset(attrs[attr]))
        elif tag == "object" and "data" in attrs:
            refs.append((node, attrs["data"]))
        elif tag in ("image", "use", "feimage"):  # SVG
            for attr in ("href", "xlink:href"):
                if attr in attrs:
                    refs.append((node, attrs[attr]))
        if "style" in attrs:
            refs.extend((node, m[1] or m[3]) for m in CSS_URL.findall(attrs["style"]))
        if tag == "style":
            refs.extend((node, m[1] or m[3]) for m in CSS_URL.findall(node.text()))
    return refs


def _is_external(url: str) -> bool:
    url = url.strip().lower()
    return url.startswith("//") or urlsplit(url).scheme in ("http", "https", "ftp", "ws", "wss")


def _external_resources(top: Path) -> list[str]:
    found = []
    for page in html_pages(top):
        for node, url in _resource_refs(page):
            if _is_external(url):
                found.append(f"{rel(page, top)}:{node.line}: <{node.tag}> loads {url}")
    for css in top.rglob("*.css"):
        for m in CSS_URL.finditer(css.read_text(encoding="utf-8", errors="replace")):
            if _is_external(m[2] or m[4]):
                found.append(f"{rel(css, top)}: {m[0]}")
    return found


def test_offline_loads_nothing_from_other_hosts(built_site):
    found = _external_resources(built_site.offline)
    assert not found, "\n".join(found[:40])


def test_online_loads_no_scripts_styles_fonts_from_other_hosts(built_site):
    found = _external_resources(built_site.site)
    assert not found, "\n".join(found[:40])


def test_resource_scan_catches_external_loads(tmp_path):
    (tmp_path / "p.html").write_text(
        '<script src="https://cdn.example/x.js"></script>'
        '<link rel="stylesheet" href="//fonts.example/css">'
        '<img srcset="a.png 1x, https://img.example/b.png 2x">'
        '<div style="background:url(https://img.example/c.png)"></div>'
        '<link rel="canonical" href="https://example.org/">',
        encoding="utf-8",
    )
    (tmp_path / "s.css").write_text('@import "https://fonts.example/f.css";', encoding="utf-8")
    found = "\n".join(_external_resources(tmp_path))
    for host in ("cdn.example", "fonts.example/css", "img.example/b", "img.example/c", "f.css"):
        assert host in found
    assert "canonical" not in found and "example.org" not in found


# --- feeds, sitemap, data, 404 ---------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def _corpus(built: BuiltSite, hant: bool = False) -> list[dict]:
    top = built.site_hant if hant else built.site
    lines = (top / "data" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_atom_feed(built_site):
    root = ET.parse(built_site.site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title")
    assert root.findtext(f"{ATOM}id") and root.findtext(f"{ATOM}updated")
    entries = root.findall(f"{ATOM}entry")
    assert entries
    site_url = _site_urls(built_site)[0]
    for entry in entries:
        assert entry.findtext(f"{ATOM}title")
        assert entry.findtext(f"{ATOM}id")
        assert re.match(r"\d{4}-\d\d-\d\dT", entry.findtext(f"{ATOM}updated") or "")
        href = entry.find(f"{ATOM}link").get("href")
        assert href.startswith(site_url)
        assert (built_site.site / href[len(site_url) :]).is_file(), href


def test_json_feed(built_site):
    feed = json.loads((built_site.site / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert isinstance(feed["items"], list) and feed["items"]
    site_url = _site_urls(built_site)[0]
    ids = [item["id"] for item in feed["items"]]
    assert len(set(ids)) == len(ids)
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item["title"], str) and item["title"]
        assert item["url"].startswith(site_url)
        assert (built_site.site / item["url"][len(site_url) :]).is_file()
        assert item.get("content_text") or item.get("content_html")


def test_sitemap(built_site):
    root = ET.parse(built_site.site / "sitemap.xml").getroot()
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [u.findtext(f"{ns}loc") for u in root.findall(f"{ns}url")]
    assert locs and all(loc.startswith(_site_urls(built_site)[0]) for loc in locs)


def _export_fields() -> list[str]:
    """The field names in README.md's table under "The export format"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### The export format", 1)[1].split("\n## ", 1)[0]
    fields = []
    for line in section.splitlines():
        if line.startswith("| `"):
            fields += re.findall(r"`([a-z_]+)`", line.split("|")[1])
    return fields


@pytest.mark.parametrize("hant", [False, True], ids=["hans", "hant"])
def test_corpus_jsonl(built_site, hant):
    fields = _export_fields()
    assert len(fields) >= 20 and "id" in fields and "text" in fields
    top = built_site.site_hant if hant else built_site.site
    lines = (top / "data" / "corpus.jsonl").read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "", "corpus.jsonl must end with a newline"
    records = []
    for n, line in enumerate(lines[:-1], 1):
        record = json.loads(line)
        assert isinstance(record, dict), f"line {n}"
        missing = [f for f in fields if f not in record]
        assert not missing, f"line {n}: missing {missing}"
        assert record["url"] == f"articles/{record['url'].split('/', 1)[1]}"
        for source in record["sources"]:
            assert {"file", "first_line", "last_line"} <= set(source)
            assert 1 <= source["first_line"] <= source["last_line"]
        records.append(record)
    assert len(records) >= 10
    assert len({r["id"] for r in records}) == len(records)


def test_corpus_jsonl_editions_agree(built_site):
    hans, hant = _corpus(built_site), _corpus(built_site, hant=True)
    assert [(r["id"], r["url"], r["date"]) for r in hans] == [
        (r["id"], r["url"], r["date"]) for r in hant
    ]


def _han_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum("\u4e00" <= c <= "\u9fff" for c in letters) / max(1, len(letters))


def test_404_page_is_chinese(built_site):
    page = built_site.site / "404.html"
    doc = parse_file(page)
    assert doc.find("html").attrs.get("lang", "").startswith("zh")
    body = doc.find("article") or doc
    text = body.text()
    assert "404" in text and "页面不存在" in text
    assert _han_share(text) > 0.8


def test_404_page_traditional_is_traditional(built_site):
    text = (parse_file(built_site.site_hant / "404.html").find("article")).text()
    assert "頁面不存在" in text
    assert "页面不存在" not in text


# --- article pages -------------------------------------------------------------------


@pytest.mark.parametrize("hant", [False, True], ids=["hans", "hant"])
def test_one_page_per_article(built_site, hant):
    top = built_site.site_hant if hant else built_site.site
    records = _corpus(built_site, hant)
    urls = [r["url"] for r in records]
    assert len(set(urls)) == len(urls)
    pages = {rel(p, top) for p in (top / "articles").rglob("*.html")}
    assert pages == set(urls)
    errors = []
    for record in records:
        page = top / record["url"]
        doc = parse_file(page)
        where = record["url"]
        h1 = doc.find_all("h1")
        if len(h1) != 1 or h1[0].text().strip() != record["title"]:
            errors.append(f"{where}: h1 {[h.text() for h in h1]} != {record['title']!r}")
        if not doc.find("title").text().startswith(record["title"]):
            errors.append(f"{where}: <title> {doc.find('title').text()!r}")
        meta = doc.find("div", cls="archive-meta")
        if meta is None or not meta.find("dl"):
            errors.append(f"{where}: no metadata block")
        elif record["date"] and record["date"][:4] not in meta.text():
            errors.append(f"{where}: metadata block lacks the year {record['date'][:4]}")
        provenance = doc.find("details", cls="archive-provenance")
        if provenance is None:
            errors.append(f"{where}: no provenance block")
        else:
            text = provenance.text()
            for source in record["sources"]:
                line_range = f"第{source['first_line']}–{source['last_line']}行"
                if source["file"] not in text or line_range not in text:
                    errors.append(f"{where}: provenance lacks {source['file']} {line_range}")
            links = [a.attrs.get("href", "") for a in provenance.find_all("a")]
            for source in record["sources"]:
                if not any(source["file"] in unquote(h) for h in links):
                    errors.append(f"{where}: no link to source {source['file']}")
        cite = doc.find("div", cls="archive-cite")
        if cite is None:
            errors.append(f"{where}: no citation block")
        else:
            text = cite.text()
            gb = cite.find(id="cite-gb")
            bib = cite.find(id="cite-bib")
            if "GB/T 7714" not in text or gb is None or record["title"] not in gb.text():
                errors.append(f"{where}: no GB/T 7714 citation")
            if "BibTeX" not in text or bib is None or f"{{{record['id']}," not in bib.text():
                errors.append(f"{where}: no BibTeX citation")
            elif not re.search(r"^@\w+\{", bib.text().strip()):
                errors.append(f"{where}: BibTeX does not start with @type{{")
            if len(cite.find_all("button", cls="archive-copy")) < 2:
                errors.append(f"{where}: copy buttons missing")
    assert not errors, "\n".join(errors[:40])


# generator/patterns.py TERMINAL_RE: what a finished sentence ends with
SENTENCE_END = re.compile("[。！？!?…；;：:”’」』）)】》—]$")


def test_complete_articles_end_with_a_sentence(built_site):
    """A complete article that stops mid-sentence (characters lost before the byline)
    carries a visible text-gap warning; it is not silently presented as whole."""
    cut = [
        (r["id"], r["text"].rstrip()[-10:])
        for r in _corpus(built_site)
        if r["complete"]
        and r["kind"] != "photo"
        and not SENTENCE_END.search(r["text"].rstrip())
        and not any("缺字" in w for w in r["warnings"])
    ]
    assert not cut, f"marked complete but cut off mid-sentence, without a warning: {cut}"


def test_traditional_titles_are_opencc_conversions(built_site):
    """The Traditional page titles are the Simplified ones through the configured OpenCC."""
    from generator.hant import convert_text

    opencc = (_config(built_site, "mkdocs.yml").get("extra") or {}).get("archive", {})
    config = opencc.get("opencc", "s2t")
    for record in _corpus(built_site):
        page = built_site.site_hant / record["url"]
        title = parse_file(page).find("h1").text().strip()
        assert title == convert_text(record["title"], config), record["url"]
