"""The built site in Chromium (Playwright): navigation, search, script switch, safety.

Every test fails on a request to another host: only 127.0.0.1, file:, data:,
blob: and about: are allowed (such requests are also aborted, so nothing
leaves the machine). Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sitebuild
from sitebuild import ARTIFACTS, CHROMIUM, ROOT, build_site_from, serve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)",
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
PlaywrightTimeout = sync_api.TimeoutError

built_site = sitebuild.built_site  # fixtures from sitebuild, registered here
site_server = sitebuild.site_server

SEARCH_INPUT = "input.md-search__input"
RESULT = ".md-search-result__item"
LOCAL_SCHEMES = ("file", "data", "blob", "about")

# URLs whose failure is known and excused (none at present).
KNOWN_MISSING = re.compile(r"(?!)")


# --- the browser, and what it saw -----------------------------------------------------


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname == "127.0.0.1"


class Watch:
    """Everything a browser context did that a test may hold against the site."""

    def __init__(self, context):
        self.external: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.dialogs: list[str] = []
        context.on("request", self._request)
        context.route("**/*", self._route)
        context.on("requestfailed", self._failed)
        context.on("response", self._response)
        context.on("page", self.attach)

    def attach(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("dialog", self._dialog)

    def _request(self, request) -> None:
        if not _is_local(request.url):
            self.external.append(request.url)

    def _route(self, route) -> None:
        if _is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def _failed(self, request) -> None:
        # ERR_ABORTED: a request cut short by leaving the page (a click on a result)
        if request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def _console(self, message) -> None:
        if message.type == "error":
            where = (message.location or {}).get("url", "")
            self.console_errors.append(f"{message.text} [{where}]")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def problems(self) -> list[str]:
        failed = [f for f in self.failed if not KNOWN_MISSING.search(f.split(" (")[0])]
        failed = [f for f in failed if not any(f.startswith(e) for e in self.external)]
        console = [
            c
            for c in self.console_errors
            if not KNOWN_MISSING.search(c.rsplit("[", 1)[-1].rstrip("]"))
            and "ERR_BLOCKED_BY_CLIENT" not in c
        ]
        out = [f"request to another host: {u}" for u in self.external]
        out += [f"failed request: {f}" for f in failed]
        out += [f"console error: {c}" for c in console]
        out += [f"page error: {e}" for e in self.page_errors]
        out += [f"dialog: {d}" for d in self.dialogs]
        return out

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "\n".join(problems)


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(context)
    context.watch = watch
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _screenshot(page, name: str, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


def _corpus(top: Path) -> list[dict]:
    lines = (top / "data" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _convertible_article(built) -> tuple[dict, dict]:
    """A (Simplified, Traditional) record pair whose title changes with OpenCC."""
    hans, hant = _corpus(built.site), _corpus(built.site_hant)
    for a, b in zip(hans, hant, strict=True):
        if a["title"] != b["title"]:
            return a, b
    raise AssertionError("no article title changes in Traditional")


# --- search ---------------------------------------------------------------------------


def search(page, query: str, expect: str | None = None, timeout: float = 8.0) -> float:
    """Type ``query`` into the search box; seconds from typing until results appear.

    Works with both engines, which share Material's markup: Material's own
    (offline build) and the served build's Pagefind box (pagefind-search.js,
    whose result list says data-state="done" and data-query when it is done).
    With ``expect``, waits for a result whose text contains it (so results of
    a prefix typed on the way do not count when the full query finds nothing).
    Material drops a query typed while its worker is still building the index
    (over http the result meta says 正在初始化… until then; over file:// its
    index is only loaded when the box opens), so the query is typed again, as
    a reader would, until results appear or ``timeout`` runs out.
    """
    start = time.perf_counter()
    page.wait_for_selector(SEARCH_INPUT, state="attached")
    if page.url.startswith("http"):
        page.wait_for_function(
            "() => !document.querySelector('.md-search-result__meta')"
            ".textContent.includes('初始化')",
            timeout=timeout * 1000,
            polling=50,
        )
    first_typed = None
    while True:
        page.evaluate(
            "s => { const i = document.querySelector(s); i.value = ''; i.focus(); }",
            SEARCH_INPUT,
        )
        first_typed = first_typed or time.perf_counter()
        page.keyboard.type(query, delay=50)
        # Playwright types CJK text as inserted text, with no key events, and
        # Material reads the box on keyup: an input method's commit key gives one.
        page.keyboard.press("End")
        remaining = timeout - (time.perf_counter() - start)
        try:
            page.wait_for_function(
                """([sel, word, query]) => {
                    const box = document.querySelector('.md-search-result[data-state]');
                    if (box && (box.getAttribute('data-state') !== 'done'
                                || box.getAttribute('data-query') !== query)) return false;
                    const items = [...document.querySelectorAll(sel)];
                    return items.length > 0
                        && (!word || items.some(i => i.textContent.includes(word)));
                }""",
                arg=[RESULT, expect, query],
                timeout=max(100, min(remaining, 3.0) * 1000),
                polling=50,
            )
            return time.perf_counter() - first_typed
        except PlaywrightTimeout:
            if time.perf_counter() - start >= timeout:
                meta = page.locator(".md-search-result__meta").inner_text()
                raise AssertionError(
                    f"search {query!r}: no result containing {expect!r} within {timeout}s "
                    f"on {page.url} (search says: {meta.strip()!r})"
                ) from None


def open_first_result(page, must_contain: str) -> str:
    """Click the first search result whose text holds ``must_contain``; wait for its page."""
    link = page.locator(RESULT, has_text=must_contain).first.locator("a").first
    href = link.get_attribute("href")
    with page.expect_navigation() as navigation:
        link.click()
    response = navigation.value
    assert response is None or response.ok, f"search result {href}: HTTP {response.status}"
    text = page.locator("article").first.inner_text(timeout=5000)
    assert must_contain in text, f"{href} → {page.url}: {must_contain} not on the page"
    return href


# --- the Simplified edition over http ---------------------------------------------------


def _click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def test_http_browse_cite_and_search(page, context, site_server, built_site):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_server[:-1])
    page.goto(site_server + "index.html")
    assert "吉林报纸文章档案" in page.title()
    _screenshot(page, "home.png")

    # home → cities index → a city → an article
    _click_and_wait(page, page.locator("article a[href='cities/index.html']").first)
    assert page.url.endswith("/cities/index.html")
    city = page.locator("article li a", has_text=re.compile("^珲春$")).first  # a county-level city
    _click_and_wait(page, city)
    assert page.url.endswith("/cities/hunchun.html"), page.url
    assert "珲春" in page.locator("article h1").inner_text()
    article_link = page.locator("article a[href*='articles/']").first
    title = article_link.inner_text().strip()
    _click_and_wait(page, article_link)
    assert "/articles/" in page.url
    assert page.locator("article h1").inner_text().strip() == title
    url_path = page.url.split(site_server, 1)[1]
    assert url_path in {r["url"] for r in _corpus(built_site.site)}
    page.locator("details.archive-provenance summary").click()
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(800)  # Material's header title and tabs fade back
    _screenshot(page, "article.png", full_page=True)

    # the copy-citation button
    button = page.locator("button.archive-copy[data-copy='cite-gb']")
    button.click()
    page.wait_for_function(
        "b => b.textContent.trim() === '已复制'", arg=button.element_handle(), timeout=3000
    )
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#cite-gb").inner_text()
    assert title in copied and "[N" in copied

    # search from the article page, open a result
    elapsed = search(page, "珲春", expect="珲春")
    print(f"\nhttp search 珲春: first results after {elapsed:.2f}s")
    _screenshot(page, "search.png")
    open_first_result(page, "珲春")
    page.goto(site_server + "index.html")
    search(page, "对接合作", expect="对接")
    assert page.locator(RESULT).count() > 0
    context.watch.assert_clean()


def test_http_article_page_makes_no_failed_requests(page, context, site_server, built_site):
    record = _corpus(built_site.site)[0]
    page.goto(site_server + record["url"], wait_until="networkidle")
    failed = context.watch.failed + context.watch.console_errors
    assert not failed, "\n".join(failed)


# --- file:// ------------------------------------------------------------------------


def test_offline_search_and_article(page, context, built_site):
    home = built_site.offline / "index.html"
    start = time.perf_counter()
    page.goto(home.as_uri())
    elapsed = search(page, "珲春", expect="珲春")
    total = time.perf_counter() - start
    print(
        f"\nfile:// search 珲春: first results {elapsed:.2f}s after typing began, "
        f"{total:.2f}s after opening the page"
    )
    assert elapsed < 5
    open_first_result(page, "珲春")
    assert page.url.startswith("file://")
    record = _corpus(built_site.offline)[0]
    page.goto((built_site.offline / record["url"]).as_uri())
    assert page.locator("article h1").inner_text().strip() == record["title"]
    search(page, "对接合作", expect="对接")
    context.watch.assert_clean()


def test_offline_traditional_switch_and_search(page, context, built_site):
    from generator.hant import convert_text

    hans, hant = _convertible_article(built_site)
    page.goto((built_site.offline / hans["url"]).as_uri())
    assert page.locator("a.archive-script-switch").inner_text().strip() == "繁體中文"
    _click_and_wait(page, page.locator("a.archive-script-switch"))
    assert page.url == (built_site.offline / "zh-Hant" / hans["url"]).as_uri()
    title = page.locator("article h1").inner_text().strip()
    assert title == hant["title"] == convert_text(hans["title"], "s2t")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    elapsed = search(page, "長春", expect="長春")
    print(f"\nfile:// Traditional search 長春: {elapsed:.2f}s")
    # and back (the search overlay closed first)
    page.keyboard.press("Escape")
    _click_and_wait(page, page.locator("a.archive-script-switch"))
    assert page.url == (built_site.offline / hans["url"]).as_uri()
    context.watch.assert_clean()


def test_offline_traditional_home_accepts_simplified_query(page, context, built_site):
    page.goto((built_site.offline_hant / "index.html").as_uri())
    search(page, "長春", expect="長春")
    search(page, "长春", expect="長春")
    context.watch.assert_clean()


def test_offline_traditional_article_accepts_simplified_query(page, context, built_site):
    _, hant = _convertible_article(built_site)
    page.goto((built_site.offline_hant / hant["url"]).as_uri())
    search(page, "长春", expect="長春", timeout=4)


def test_http_traditional_search(page, context, site_server, built_site):
    page.goto(site_server + "zh-Hant/index.html")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    search(page, "長春", expect="長春")
    search(page, "长春", expect="長春")
    _, hant = _convertible_article(built_site)
    page.goto(site_server + "zh-Hant/" + hant["url"])
    search(page, "長春", expect="長春")
    context.watch.assert_clean()


def test_http_traditional_search_result_opens(request, page, site_server, built_site):
    _, hant = _convertible_article(built_site)
    page.goto(site_server + "zh-Hant/" + hant["url"])
    search(page, "長春", expect="長春")
    href = open_first_result(page, "長春")
    assert "/zh-Hant/zh-Hant/" not in href


def test_http_below_a_sub_path(request, page, context, built_site):
    """Served the way GitHub Pages serves a project site: https://USER.github.io/REPO/."""
    with serve(built_site.site, prefix="/jilin-news-archive/") as base:
        record = _corpus(built_site.site)[0]
        page.goto(base + record["url"])
        assert page.locator("article h1").inner_text().strip() == record["title"]
        search(page, "珲春", expect="珲春")
        open_first_result(page, "珲春")
        assert page.url.startswith(base)
        _click_and_wait(page, page.locator("a.archive-script-switch"))
        assert page.url.startswith(base + "zh-Hant/")
        context.watch.assert_clean()


def test_http_traditional_article_accepts_simplified_query(page, site_server, built_site):
    _, hant = _convertible_article(built_site)
    page.goto(site_server + "zh-Hant/" + hant["url"])
    search(page, "长春", expect="長春", timeout=4)


# --- both scripts in both editions ------------------------------------------------------

# Each edition's own script and the other one: the query typed either way.
SCRIPTS = {"": ("长春", "長春"), "zh-Hant/": ("長春", "长春")}


def _found(page) -> tuple[int, list[str]]:
    """The search panel's result count and the result links shown, without query strings."""
    meta = page.locator(".md-search-result__meta").inner_text()
    count = re.search(r"\d+", meta)
    hrefs = page.eval_on_selector_all(
        RESULT + " a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    return int(count.group()) if count else 0, [re.sub(r"\?[^#]*", "", h) for h in hrefs]


def _search_both_scripts(page, home: str) -> tuple[int, list[str]]:
    """Search ``home``'s edition in its own script and the other one: the same articles.

    The page is opened afresh for each query, so a result list left by the
    first query cannot pass for the second's. Results are shown in the
    edition's script: a query in the other script is highlighted as the
    edition prints it.
    """
    edition = "zh-Hant/" if "/zh-Hant/" in home else ""
    own, other = SCRIPTS[edition]
    seen = []
    for query in (own, other):
        page.goto(home)
        search(page, query, expect=own)
        count, hrefs = _found(page)
        folder = home.rsplit("/", 1)[0] + "/"  # Pagefind's links are absolute
        hrefs = [h.removeprefix(folder) for h in hrefs]
        texts = page.locator(RESULT).all_inner_texts()
        assert count > 0 and hrefs, f"{home}: {query} found nothing"
        assert all(other not in t for t in texts), f"{home}: {query} shows {other}"
        marks = page.locator(RESULT + " mark").all_inner_texts()
        assert all(other[0] not in m for m in marks), f"{home}: {query} marks {marks}"
        seen.append((count, hrefs))
    assert seen[0] == seen[1], f"{home}: {own} → {seen[0]}\n{other} → {seen[1]}"
    return seen[0]


def test_http_both_scripts_in_both_editions(page, context, site_server, built_site):
    """Served (Pagefind): 長春 in the Simplified edition finds what 长春 finds, and the
    other way round in the Traditional edition; both editions find the same articles."""
    found = {
        edition: _search_both_scripts(page, site_server + edition + "index.html")
        for edition in SCRIPTS
    }
    # the same articles in both editions: same count, same pages (same paths)
    assert found[""] == found["zh-Hant/"], found
    context.watch.assert_clean()


def test_offline_both_scripts_in_both_editions(page, context, built_site):
    """file:// (Material's search): the same, in each edition's offline build."""
    found = {
        edition: _search_both_scripts(page, (built_site.offline / edition / "index.html").as_uri())
        for edition in SCRIPTS
    }
    assert found[""][0] == found["zh-Hant/"][0], found  # jieba may cut sections differently
    context.watch.assert_clean()


# --- hostile content --------------------------------------------------------------------

BAD = ROOT / "tests" / "fixtures" / "bad"

# Extra payloads written into the temporary corpus: each would set a flag if it ran.
FLAG_PAGE = """\
网页安全检测 恶意代码不应执行

吉林日报讯（记者 张三）检测代码<script>window.__pwned=(window.__pwned||[]).concat('script')</script>不应执行，<img src=x onerror="window.__pwned=['img']">也不应执行，<svg/onload=window.__pwned=['svg']>同样如此。

<a href="javascript:window.__pwned=['a']">点击这里</a>、<details open ontoggle="window.__pwned=['details']">和<body onload="window.__pwned=['body']">都只是文字。

{: onclick="window.__pwned=['attr']" }[链接](javascript:window.__pwned=['md']) <iframe srcdoc="<script>parent.__pwned=['iframe']</script>"></iframe>

吉林日报记者 张三
"""

HOSTILE_STRINGS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[点我](javascript:alert(1))",
    "{{ config }}",
    "<svg onload=alert(1)>",
    "<script>window.__pwned",
)
FORBIDDEN_IN_TEXT = (
    "script, iframe, frame, object, embed, svg, img, style, link, meta, base, form, input, "
    "textarea, a"
)
# What the page holds that the site's own templates never put there.
INSPECT = """forbidden => {
    const out = [];
    if (window.__pwned) out.push('injected code ran: ' + window.__pwned);
    const scopes = [...document.querySelectorAll('article.md-content__inner, .md-search-result')];
    if (!document.querySelector('article.md-content__inner')) out.push('no article');
    for (const scope of scopes) {
        for (const el of scope.querySelectorAll('*')) {
            for (const attr of el.attributes) {
                const name = attr.name.toLowerCase();
                const v = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
                if (name.startsWith('on')) out.push(`<${el.localName} ${name}>`);
                if (name === 'srcdoc' || (['href', 'src', 'action', 'formaction', 'xlink:href',
                        'data'].includes(name) && /^(javascript|vbscript|data):/.test(v)))
                    out.push(`<${el.localName} ${name}="${attr.value}">`);
            }
        }
    }
    const text = '.archive-body, article.md-content__inner h1, .archive-kicker, .archive-subtitle,'
        + ' .md-search-result__article';
    for (const el of document.querySelectorAll(text))
        for (const bad of el.querySelectorAll(forbidden))
            out.push(`<${bad.localName}> in ${el.className || el.localName}`);
    return out;
}"""


def inspect(page) -> list[str]:
    """Injected markup or code on the page (article and search results)."""
    return page.evaluate(INSPECT, FORBIDDEN_IN_TEXT)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("hostile-corpus")
    for path in sorted(BAD.glob("content_*.txt")):
        shutil.copy2(path, corpus / path.name)
    (corpus / "content_flags.txt").write_text(FLAG_PAGE, encoding="utf-8")
    start = time.perf_counter()
    built = build_site_from(corpus, tmp_path_factory.mktemp("hostile-project"), offline=True)
    print(f"\nhostile site built in {time.perf_counter() - start:.1f}s")
    return built


def test_inspect_catches_injection(page):
    """The checker itself, on a page that does everything the hostile corpus tries."""
    page.set_content(
        '<article class="md-content__inner"><h1>t</h1><div class="archive-body">'
        "<img src=x onerror=\"window.__pwned=['img']\"><a href='javascript:void(0)'>a</a>"
        "</div></article>"
    )
    page.wait_for_function("() => window.__pwned")
    found = "\n".join(inspect(page))
    for expected in ("injected code ran", "<img onerror>", 'href="javascript:void(0)"', "<a> in"):
        assert expected in found, found


def test_hostile_content_is_inert(page, context, hostile_site):
    records = _corpus(hostile_site.site)
    assert len(records) >= len(list(BAD.glob("content_*.txt")))
    bodies = []
    problems = []
    with serve(hostile_site.site) as base:
        for edition in ("", "zh-Hant/"):
            for record in records:
                page.goto(base + edition + record["url"], wait_until="load")
                page.wait_for_timeout(50)  # let onerror/onload handlers fire
                problems += [f"{edition}{record['url']}: {f}" for f in inspect(page)]
                bodies.append(page.locator("article.md-content__inner").inner_text())
        # search results show the same text: rendered inert too (served: Pagefind)
        page.goto(base + "index.html")
        for query in ("onerror", "javascript", "window"):
            search(page, query)
            page.wait_for_timeout(100)
            problems += [f"search {query!r}: {f}" for f in inspect(page)]
    # and Material's search over file:// (its index holds the pages' HTML)
    page.goto((hostile_site.offline / "index.html").as_uri())
    for query in ("onerror", "javascript", "window"):
        search(page, query)
        page.wait_for_timeout(100)
        problems += [f"file:// search {query!r}: {f}" for f in inspect(page)]
    problems += context.watch.problems()
    assert not problems, "\n".join(problems)
    text = "\n".join(bodies)
    shown = [s for s in HOSTILE_STRINGS if s not in text]
    assert not shown, f"hostile text not shown verbatim: {shown}"
    # content_frontmatter.txt: its "title: 伪造的标题" line is text, not the page's title
    assert "伪造的标题" not in {r["title"] for r in records}
