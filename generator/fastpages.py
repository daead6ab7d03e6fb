"""Generated pages past Python-Markdown, with the same HTML in a fraction of the time.

The generated pages are mostly raw HTML marked ``markdown="0"`` (the
templates escape every newspaper string) and long link lists. The
``archive`` plugin (``plugin.py``) sets both aside before Python-Markdown
(``FastPages.before``, on ``on_page_markdown``) and puts them back after it
(``FastPages.after``, on ``on_page_content``); ``tests/test_fastpages.py``
checks that a build with and without it gives the same HTML.
"""

from __future__ import annotations

import posixpath
import re

# The generated pages are mostly raw HTML marked ``markdown="0"`` (the
# templates escape every newspaper string). Python-Markdown would parse all
# that HTML only to stash it and put it back unchanged: most of an MkDocs
# build. These blocks are set aside before Markdown and restored after it.
_BLOCK_OPEN = re.compile(r'^<(div|details|nav|pre|dl)\b[^>\n]*\bmarkdown="0"[^>\n]*>', re.M)
_STASH_KEY = "ARCHIVEHTMLBLOCK{:06d}Z"
_STASH_P = re.compile(r"<p>(ARCHIVEHTMLBLOCK\d{6}Z)</p>")
_ANCHOR_ID = re.compile(r"<[^>]*\bid=\"([^\"]*)\"")


def stash_html_blocks(markdown: str) -> tuple[str, dict[str, str]]:
    """``markdown`` with each top-level ``markdown="0"`` HTML block replaced by a
    skeleton of the same shape (its first line, a key, its last line; or, for a
    one-line block, its tags around the key).

    Python-Markdown passes raw HTML through unchanged, and how it spaces the
    blocks around it depends on their lines, not their content: the skeleton
    keeps those decisions, and ``restore_html_blocks`` swaps the block back in.
    """
    blocks: dict[str, str] = {}
    out: list[str] = []
    pos = 0
    for m in _BLOCK_OPEN.finditer(markdown):
        if m.start() < pos:
            continue  # inside a block already set aside
        tag = m.group(1)
        end = _block_end(markdown, m.end(), tag)
        if end is None:
            continue  # unbalanced: leave it to Markdown
        block = markdown[m.start() : end]
        key = _STASH_KEY.format(len(blocks))
        if "\n" in block:
            skeleton = (
                f"{block[: block.index(chr(10))]}\n{key}\n{block[block.rindex(chr(10)) + 1 :]}"
            )
        else:
            skeleton = f"{m.group(0)}{key}</{tag}>"
        blocks[skeleton] = block
        out.append(markdown[pos : m.start()])
        out.append(skeleton)
        pos = end
    out.append(markdown[pos:])
    return "".join(out), blocks


def _block_end(text: str, start: int, tag: str) -> int | None:
    """End of the element opened just before ``start``: its closing tag must end a line."""
    tags = re.compile(rf"<(/?){tag}\b[^>]*>")
    depth = 1
    for m in tags.finditer(text, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            end = m.end()
            if text.startswith("\n", end) or end == len(text):
                return end
            return None
    return None


def restore_html_blocks(html: str, blocks: dict[str, str]) -> str:
    """``html`` with every skeleton (and ``<p>key</p>`` of a converted list) replaced
    by the block it stands for."""
    if not blocks:
        return html
    for skeleton, block in blocks.items():
        if not skeleton.startswith("ARCHIVE"):
            html = html.replace(skeleton, block, 1)
    return _STASH_P.sub(lambda m: blocks.get(m.group(1), m.group(0)), html)


# --- link lists past Markdown ------------------------------------------------------

# Index pages are long lists of one-line items: ``- [title](../articles/….md)
# <span …>date</span> · paper<br><span …>summary</span>``. Python-Markdown's
# inline processor takes milliseconds for each such list; these are turned
# into the HTML Python-Markdown would make (same bytes) and set aside like the
# raw HTML blocks. Only a list in the narrow form below is converted: any
# other Markdown syntax in it, a link that MkDocs would warn about, or a
# Markdown extension that could change inline text leaves the list to
# Python-Markdown.
_LIST_EXTENSIONS = {"attr_list", "admonition", "fenced_code", "tables", "toc"}
_LIST_BLOCK = re.compile(r"(?:(?<=\n\n)|\A)((?:- [^\n]+\n)+)(?=\n|\Z)")
_INLINE = re.compile(
    r"""(?P<plain>[^\\`*_\[\]!<>&{}|\n]+)"""
    r"""|\\(?P<esc>[^\n])"""
    r"""|(?P<ent>&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[0-9a-zA-Z]+);)"""
    r"""|(?P<tag></?[a-zA-Z][a-zA-Z0-9]*(?: [^<>\n]*)?>)"""
    r"""|\[(?P<label>(?:[^\\`*_\[\]!<>&{}|\n]|\\[^\n]|&(?:\#[0-9]+|[0-9a-zA-Z]+);)+)\]"""
    r"""\((?P<url>[A-Za-z0-9_./-]+\.md)\)"""
)
_LABEL_PART = re.compile(r"\\([^\n])")
# what an item must not start with: a nested block, or nothing at all
_ITEM_START = re.compile(r"$|[\s#>*+<=-]|\d+[.)]")
# an HTML block or code left to Markdown (a "blank" line may be inside it),
# except one element on one line
_OTHER_BLOCKS = re.compile(r"^(?:<(?!([a-z][a-z0-9]*)\b[^\n]*</\1>$)|    |\t|```|~~~)", re.M)


def _cdata(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


class LinkLists:
    """Turn the generator's link lists into HTML (``convert``), per page."""

    def __init__(self, config) -> None:
        import markdown

        names = {str(e).rsplit(".", 1)[-1] for e in config["markdown_extensions"]}
        self.enabled = names <= _LIST_EXTENSIONS
        md = markdown.Markdown(
            extensions=config["markdown_extensions"],
            extension_configs=config["mdx_configs"] or {},
        )
        self.escaped = frozenset(md.ESCAPED_CHARS)
        self.hrefs: dict[tuple[str, str], str | None] = {}

    def _href(self, page, files, url: str) -> str | None:
        """The link MkDocs would write for ``url`` on ``page``; ``None``: leave it to MkDocs."""
        from mkdocs.utils import get_relative_url

        src = page.file.src_uri
        key = (src.rpartition("/")[0], url)
        if key in self.hrefs:
            return self.hrefs[key]
        target_uri = posixpath.normpath(posixpath.join(posixpath.dirname(src), url).lstrip("/"))
        target = files.get_file_from_path(target_uri)
        href = None
        if target is not None and not target.inclusion.is_excluded():
            # same folder, same relative link: use_directory_urls is off (checked)
            href = get_relative_url(target.url, page.file.url)
        self.hrefs[key] = href
        return href

    def _unescape(self, m: re.Match) -> str:
        char = m.group(1)
        return char if char in self.escaped else m.group(0)

    def inline(self, text: str, page, files) -> str | None:
        out: list[str] = []
        pos = 0
        for m in _INLINE.finditer(text):
            if m.start() != pos:
                return None
            pos = m.end()
            kind = m.lastgroup
            if kind == "plain":
                out.append(m.group(0))
            elif kind == "esc":
                char = m.group("esc")
                if char in self.escaped:
                    out.append(_cdata(char))
                elif _INLINE.fullmatch(char) and _INLINE.fullmatch(char).lastgroup == "plain":
                    out.append("\\" + char)
                else:
                    return None
            elif kind in ("ent", "tag"):
                out.append(m.group(0))
            else:
                href = self._href(page, files, m.group("url"))
                if href is None:
                    return None
                label = _cdata(_LABEL_PART.sub(self._unescape, m.group("label")))
                out.append(f'<a href="{href}">{label}</a>')
        if pos != len(text):
            return None
        return "".join(out)

    def convert(self, markdown: str, page, files, config, blocks: dict[str, str]) -> str:
        """``markdown`` with each convertible list replaced by a key into ``blocks``."""
        if not self.enabled or config["use_directory_urls"] or _OTHER_BLOCKS.search(markdown):
            return markdown

        def replace(m: re.Match) -> str:
            items = []
            for line in m.group(1).splitlines():
                text = line[2:]
                if _ITEM_START.match(text) or text[-1:] in (" ", "\t"):
                    return m.group(0)  # a block inside the item, or a line break
                html = self.inline(text, page, files)
                if html is None:
                    return m.group(0)
                items.append(f"<li>{html}</li>")
            key = _STASH_KEY.format(len(blocks))
            blocks[key] = "<ul>\n" + "\n".join(items) + "\n</ul>"
            return f"{key}\n"

        return _LIST_BLOCK.sub(replace, markdown)


class FastPages:
    """The plugin's speed-up for one build: ``before`` Markdown, ``after`` it."""

    def __init__(self, config) -> None:
        self.stashes: dict[int, dict[str, str]] = {}
        self.lists = LinkLists(config)

    def before(self, markdown: str, page, files, config) -> str:
        """``markdown`` with its raw HTML blocks and link lists set aside."""
        markdown, blocks = stash_html_blocks(markdown)
        markdown = self.lists.convert(markdown, page, files, config, blocks)
        self.stashes[id(page)] = blocks
        return markdown

    def after(self, html: str, page) -> str:
        """``html`` with what ``before`` set aside put back."""
        blocks = self.stashes.pop(id(page), {})
        if blocks and page.present_anchor_ids is not None:
            # MkDocs collects ids from raw HTML for its anchor checks: these too
            for block in blocks.values():
                page.present_anchor_ids.update(_ANCHOR_ID.findall(block))
        return restore_html_blocks(html, blocks)
