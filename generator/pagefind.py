"""Served search: a Pagefind index of each edition, with Chinese queries that match.

Why not Pagefind's own Chinese handling: Pagefind 1.5 segments the indexed
text with jieba-rs, but splits the *query* in the browser with
``Intl.Segmenter``, and the two disagree (measured on the bundled corpus:
珲春 found 6 of the 44 pages that contain it, because ICU cuts 珲春 where
jieba does not). No browser-side segmenter agrees with jieba and its
newsroom dictionary, so we index something both sides compute the same way:

* **character bigrams.** Every run of Han characters is indexed as its
  overlapping bigrams plus its last character (珲春综合 → ``珲春 春综 综合 合``).
  ``pagefind-search.js`` turns a query into bigrams with the same rule and
  searches them as an exact phrase (contiguous positions), which gives
  substring matching: every page containing 珲春 is found, whatever a
  segmenter would have made of it. Single characters match by prefix.
* **one index per edition**, ``site/pagefind/`` and ``site/zh-Hant/pagefind/``,
  written with the language code ``und`` so that neither the indexer nor the
  browser segments anything (the search script also asks for ``und``).

The records are built from the generated Markdown (so the index is written
while MkDocs builds the pages): for article pages the
headline, the metadata block (paper, date, reporters, places, tags) and the
body; for index pages (tags, cities, years, months, papers, topics) the
heading and first paragraph. Raw source pages (their text is the
articles'), reporter pages and single days (their names and dates are in
every article's record) are left out: fewer records, a faster index.
Each record becomes a small HTML file in a temporary folder, and the
Pagefind CLI indexes that folder (the Python API's service is slower per
record and was seen to leave a truncated WASM file). Display fields
(title, date, paper) travel as Pagefind metadata; the result excerpt is
decoded from the bigram text in the browser (``decode`` here is the
reference for that code).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

BUNDLE = "pagefind"  # folder of the index inside each edition
LANGUAGE = "und"  # no segmentation anywhere: we index bigrams ourselves
# Files of the Pagefind bundle the search script uses; the rest (stock UIs) is removed.
KEEP = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
KEEP_SUFFIXES = (".pf_meta", ".pagefind")
KEEP_DIRS = ("index", "fragment", "filter")

FULL_TEXT = ("articles/",)
# Raw source pages repeat the articles' text; reporters and single days are
# reached from the articles (their names and dates are in every record).
SKIP = ("sources/", "assets/", "data/", "reporters/")
SKIP_RE = re.compile(r"^dates/\d{4}-\d{2}-\d{2}\.md$")
INDEX_PAGES = ("tags/", "cities/", "dates/", "papers/", "topics/", "index.md")
INTRO_CHARS = 200

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_META_BLOCK = re.compile(r'<div class="archive-meta"[^>]*>(.*?)</div>', re.S)
_META_DROP = re.compile(r'<dt>.*?</dt>|<span class="archive-note">.*?</span>', re.S)
_BODY = re.compile(r'<div class="archive-body"[^>]*>(.*?)</div>', re.S)
_CLASS_P = r'<p class="{}"[^>]*>(.*?)</p>'
_LINK_TO = r'<a [^>]*href="[^"]*{}/[^"]*"[^>]*>(.*?)</a>'
_DROP = [
    re.compile(p, re.S)
    for p in (
        r"<details.*?</details>",
        r'<div class="archive-cite".*?</div>',
        r"<nav.*?</nav>",
        r"<script.*?</script>",
        r"<style.*?</style>",
        r"<svg.*?</svg>",
    )
]


class PagefindError(RuntimeError):
    """Pagefind is missing or failed."""


def available() -> bool:
    """Whether the Pagefind binary (pip ``pagefind[extended]``) can run here."""
    try:
        from pagefind.service import get_executable  # type: ignore[import-not-found]
    except ImportError:
        return False
    try:
        return get_executable() is not None
    except Exception:  # noqa: BLE001 - any failure to locate it means "not available"
        return False


# --- the bigram encoding (mirrored in pagefind-search.js) ---------------------------


def encode(text: str) -> str:
    """Han runs → overlapping bigrams plus the run's last character; the rest as is.

    >>> encode("珲春综合，2023年")
    '珲春 春综 综合 合 ，2023 年'
    >>> decode(encode("标签 吉林 创新，2023年GDP增长5.2%"))
    '标签 吉林 创新，2023年GDP增长5.2%'
    """
    out: list[str] = []
    pos = 0
    for m in HAN.finditer(text):
        out.append(text[pos : m.start()])
        run = m.group()
        tokens = [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]
        out.append(" " + " ".join(tokens) + " ")
        pos = m.end()
    out.append(text[pos:])
    return _SPACE.sub(" ", "".join(out)).strip()


def query_string(term: str) -> str:
    """The Pagefind query for one query term (no spaces); ``pagefind-search.js`` does the same.

    Inside the term a Han run followed by more of the term is encoded as in
    ``encode`` (the page's run ends there too); the last run gives only its
    bigrams (the page's run may go on). Several tokens are searched as one
    exact phrase, except when the term ends in a single Han character: that
    character must match by prefix (年 in 2023年形成 is indexed as 年形), which
    phrases cannot do, so the tokens are then searched together, unordered.

    >>> query_string("珲春"), query_string("乡村振兴"), query_string("春")
    ('珲春', '"乡村 村振 振兴"', '春')
    >>> query_string("然后2023"), query_string("2023年")
    ('"然后 后 2023"', '2023 年')
    """
    pieces: list[tuple[bool, str]] = []
    pos = 0
    for m in HAN.finditer(term):
        pieces.extend((False, w) for w in term[pos : m.start()].split())
        pieces.append((True, m.group()))
        pos = m.end()
    pieces.extend((False, w) for w in term[pos:].split())
    tokens: list[str] = []
    for i, (is_han, text) in enumerate(pieces):
        if not is_han:
            tokens.append(text)
        elif len(text) == 1:
            tokens.append(text)
        else:
            tokens.extend(text[j : j + 2] for j in range(len(text) - 1))
            if i < len(pieces) - 1:
                tokens.append(text[-1])
    if len(tokens) <= 1:
        return "".join(tokens)
    if pieces[-1][0] and len(pieces[-1][1]) == 1:
        return " ".join(tokens)
    return '"' + " ".join(tokens) + '"'


def decode(encoded: str) -> str:
    """The text back from ``encode`` (spaces between Han and other text may be lost)."""
    out: list[str] = []
    prev = ""  # "han" inside a run, "end" after a run's last character, "other"
    for token in encoded.split(" "):
        if not token:
            continue
        if HAN.fullmatch(token):
            if prev == "end":
                out.append(" ")  # two runs with only a space between them
            out.append(token[0])  # a bigram gives its first character
            prev = "end" if len(token) == 1 else "han"  # a single character ends the run
        else:
            if prev == "other":
                out.append(" ")
            out.append(token)
            prev = "other"
    return "".join(out)


# --- records from the generated Markdown ---------------------------------------------


@dataclass
class Record:
    url: str  # site-relative, as in the page's links: articles/2023/01/<id>.html
    title: str
    text: str
    date: str = ""
    paper: str = ""
    kind: str = ""  # "article" or "page"


_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_FRONT_TITLE = re.compile(r"^title: *(.*?) *$", re.M)
_HEADING = re.compile(r"^# (.+)$", re.M)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_ESCAPE = re.compile(r"\\(.)")


def _text(fragment: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()


def _md_text(markdown: str) -> str:
    """Plain text of a bit of generated Markdown (links, bold, escapes, tags removed)."""
    text = _MD_LINK.sub(r"\1", markdown).replace("**", "")
    return _text(_MD_ESCAPE.sub(r"\1", text))


def _first(pattern: str | re.Pattern[str], source: str) -> str:
    m = re.search(pattern, source, re.S) if isinstance(pattern, str) else pattern.search(source)
    return _text(m.group(1)) if m else ""


def _title(front: str, body: str) -> str:
    m = _FRONT_TITLE.search(front)
    if m and m.group(1):
        raw = m.group(1)
        if raw.startswith('"'):
            try:
                raw = json.loads(raw)
            except ValueError:
                raw = raw.strip('"')
        return html.unescape(raw)
    heading = _HEADING.search(body)
    return _md_text(heading.group(1)) if heading else ""


def record_for(rel: str, markdown: str) -> Record | None:
    """The search record of one generated page (``rel``: its path in the docs folder)."""
    front_match = _FRONT.match(markdown)
    front = front_match.group(1) if front_match else ""
    content = markdown[front_match.end() :] if front_match else markdown
    for pattern in _DROP:
        content = pattern.sub(" ", content)
    url = rel[: -len(".md")] + ".html"
    title = _title(front, content)
    if rel.startswith(FULL_TEXT) and _BODY.search(content):
        meta_html = _META_BLOCK.search(content)
        meta = _text(_META_DROP.sub(" ", meta_html.group(1))) if meta_html else ""
        head = " ".join(
            filter(
                None,
                (
                    _first(_CLASS_P.format("archive-kicker"), content),
                    _first(_CLASS_P.format("archive-subtitle"), content),
                ),
            )
        )
        return Record(
            url,
            title,
            " ".join(filter(None, (head, _first(_BODY, content), meta))),
            date=_first(_LINK_TO.format("dates"), content),
            paper=_first(_LINK_TO.format("papers"), content),
            kind="article",
        )
    heading = _HEADING.search(content)
    after = content[heading.end() :] if heading else content
    if rel.startswith(INDEX_PAGES):
        intro = next(
            (
                block
                for block in re.split(r"\n\s*\n", after)
                if block.strip() and not block.lstrip().startswith(("#", "-", "<", "|", "{"))
            ),
            "",
        )
        return Record(url, title, _md_text(intro)[:INTRO_CHARS], kind="page")
    return Record(url, title, _md_text(re.sub(r"^#+ ", "", after, flags=re.M)), kind="page")


def records(docs: Path) -> list[Record]:
    """Records of every indexed page of a generated docs folder (``docs/``, ``docs-hant/``).

    Built from the Markdown, not the HTML, so the index can be written while
    MkDocs is still building the pages.
    """
    found: list[Record] = []
    for path in sorted(docs.rglob("*.md")):
        rel = path.relative_to(docs).as_posix()
        if rel.startswith(SKIP) or SKIP_RE.match(rel):
            continue
        rec = record_for(rel, path.read_text(encoding="utf-8"))
        if rec:
            found.append(rec)
    return found


def _meta(key: str, value: str) -> str:
    if not value:
        return ""
    return f'<span data-pagefind-meta="{key}[data-v]" data-v="{html.escape(value)}"></span>'


def record_html(rec: Record) -> str:
    """The stand-in page Pagefind indexes for ``rec``: bigram text, display metadata."""
    weight = ' data-pagefind-weight="4"' if rec.kind == "article" else ' data-pagefind-weight="6"'
    return (
        f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8">'
        f"<title>{html.escape(rec.title)}</title></head><body><main data-pagefind-body>"
        + _meta("title", rec.title)
        + _meta("date", rec.date)
        + _meta("paper", rec.paper)
        + _meta("kind", rec.kind)
        # the trailing "。" keeps Pagefind's heading separator off the last token
        + f"<h1{weight}>{html.escape(encode(rec.title))} 。</h1>"
        + f"<p>{html.escape(encode(rec.text))}</p></main></body></html>"
    )


# --- running Pagefind ---------------------------------------------------------------


def index_edition(docs: Path, out: Path, workdir: Path | None = None) -> int:
    """Write the Pagefind bundle of one edition into ``out``; returns the record count.

    ``docs`` is the edition's generated Markdown (``docs/`` or ``docs-hant/``);
    ``out`` becomes that edition's ``pagefind/`` folder.
    """
    if not available():
        raise PagefindError(
            "Pagefind is not installed: pip install 'pagefind[extended]>=1.5,<1.6' "
            "(or set extra.archive.search: material)"
        )
    recs = records(docs)
    tmp = Path(tempfile.mkdtemp(prefix=".pagefind-src-", dir=workdir or out.parent))
    try:
        for rec in recs:
            target = tmp / rec.url
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(record_html(rec), encoding="utf-8")
        shutil.rmtree(out, ignore_errors=True)
        run_cli(tmp, out)
        prune_bundle(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return len(recs)


def run_cli(site: Path, output: Path) -> None:
    """``python -m pagefind --site SITE --output-path OUTPUT`` (quiet), checked."""
    cmd = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site),
        "--output-path",
        str(output),
        "--keep-index-url",
        "--silent",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not (output / "pagefind-entry.json").is_file():
        raise PagefindError(
            f"pagefind failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()[-2000:]}"
        )
    wasm = list(output.glob("wasm.*.pagefind"))
    if not wasm or any(w.stat().st_size == 0 for w in wasm):
        raise PagefindError(f"pagefind wrote no usable WASM file into {output}")


def prune_bundle(bundle: Path) -> None:
    """Drop the stock UIs and the playground: the archive uses its own search box."""
    for item in bundle.iterdir():
        if item.is_dir():
            if item.name not in KEEP_DIRS:
                shutil.rmtree(item)
        elif item.name not in KEEP and not item.name.endswith(KEEP_SUFFIXES):
            item.unlink()
