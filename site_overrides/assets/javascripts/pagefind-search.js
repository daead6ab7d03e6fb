/* Served search: Pagefind in Material's search box (served build only).
 *
 * The index holds character bigrams of the Chinese text (generator/search_records.py
 * explains why), so a query is turned into bigrams with the same rule and
 * searched as an exact phrase: every page containing the query string is
 * found. Pagefind is asked for the language "und" so that it does not cut the
 * query with Intl.Segmenter. Nothing is fetched until the search box is opened;
 * then pagefind.js, its worker and WASM, and the index chunks for the query
 * come from this site's pagefind/ folder.
 * window.__archiveVariants (variants.js, written for each edition at build
 * time) maps the query's characters of the other script to this edition's
 * forms first: Simplified → Traditional on the Traditional edition,
 * Traditional → Simplified on the Simplified one (長春 finds 长春).
 */
(function () {
  "use strict";
  var configEl = document.getElementById("archive-search-config");
  var template = document.getElementById("archive-search-template");
  if (!configEl || !template) return;
  var config = JSON.parse(configEl.textContent);
  var labels = config.labels || {};
  var PAGE = 10;
  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]+/gu;
  var HAN_ONLY = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]+$/u;

  /* --- query encoding: mirrors generator/search_records.py (query_string, decode) --- */

  function chars(s) { return Array.from(s); }

  function queryString(term) {
    var pieces = [];
    var pos = 0;
    term.replace(HAN, function (run, offset) {
      term.slice(pos, offset).split(/\s+/).forEach(function (w) { if (w) pieces.push([false, w]); });
      pieces.push([true, run]);
      pos = offset + run.length;
      return run;
    });
    term.slice(pos).split(/\s+/).forEach(function (w) { if (w) pieces.push([false, w]); });
    var tokens = [];
    pieces.forEach(function (piece, i) {
      if (!piece[0]) { tokens.push(piece[1]); return; }
      var c = chars(piece[1]);
      if (c.length === 1) { tokens.push(c[0]); return; }
      for (var j = 0; j < c.length - 1; j++) tokens.push(c[j] + c[j + 1]);
      if (i < pieces.length - 1) tokens.push(c[c.length - 1]);
    });
    if (tokens.length <= 1) return tokens.join("");
    var last = pieces[pieces.length - 1];
    if (last[0] && chars(last[1]).length === 1) return tokens.join(" ");
    return '"' + tokens.join(" ") + '"';
  }

  function decode(encoded) {
    var out = "";
    var prev = "";
    encoded.split(" ").forEach(function (token) {
      if (!token) return;
      if (HAN_ONLY.test(token)) {
        var c = chars(token);
        if (prev === "end") out += " ";
        out += c[0];
        prev = c.length === 1 ? "end" : "han";
      } else {
        if (prev === "other") out += " ";
        out += token;
        prev = "other";
      }
    });
    return out;
  }

  function toVariant(text) {
    var map = window.__archiveVariants;
    if (!map) return text;
    return chars(text).map(function (ch) { return map[ch] || ch; }).join("");
  }

  function terms(query) {
    return toVariant(query.normalize("NFKC").toLowerCase())
      .split(/[\s,，、;；。]+/)
      .map(function (t) { return t.replace(/^["“”'‘’《》()（）]+|["“”'‘’《》()（）]+$/g, ""); })
      .filter(Boolean);
  }

  /* --- Pagefind ------------------------------------------------------------ */

  var instance = null;

  function absolute(rel) { return new URL(rel, location.href); }

  function load() {
    if (instance) return instance;
    var bundle = absolute(config.bundle);
    instance = import(bundle.href + "pagefind.js").then(function (pagefind) {
      // Pagefind takes the query language from <html lang>: "zh" would make it
      // re-segment our bigrams with Intl.Segmenter. Ask for "und" while it reads it.
      var html = document.documentElement;
      var lang = html.getAttribute("lang");
      html.setAttribute("lang", "und");
      var search;
      try {
        search = pagefind.createInstance({ basePath: bundle.pathname });
      } finally {
        html.setAttribute("lang", lang);
      }
      // other sub-sites (shards) searched together with this one: paths from our root
      var root = absolute(config.base + "/");
      var merges = (config.merge || []).map(function (m) {
        return search.mergeIndex(new URL(m.bundle, root).pathname, { language: "und" });
      });
      return Promise.all(merges).then(function () { return search; });
    }).catch(function (err) {
      instance = null;  // try again on the next query
      throw err;
    });
    return instance;
  }

  function resultUrl(url) {
    // Pagefind gives a path below the index's own site root ("/repo/articles/…"):
    // its baseUrl defaults to the folder that holds pagefind/.
    return new URL(url, location.href).href;
  }

  function searchAll(search, query) {
    var list = terms(query);
    if (!list.length) return Promise.resolve(null);
    return Promise.all(list.map(function (t) { return search.search(queryString(t)); }))
      .then(function (responses) {
        var results = responses[0].results;
        for (var i = 1; i < responses.length; i++) {
          var ids = new Set(responses[i].results.map(function (r) { return r.id; }));
          results = results.filter(function (r) { return ids.has(r.id); });
        }
        return { results: results, terms: list };
      });
  }

  /* --- rendering in Material's markup ------------------------------------- */

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function excerpt(text, list) {
    var lower = text.toLowerCase();
    var at = -1;
    list.forEach(function (t) {
      var i = lower.indexOf(t);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    });
    var start = Math.max(0, at - 40);
    var piece = text.slice(start, start + 120);
    // one pass over the raw text, longest term first; escape what lies between
    var words = list.map(function (t) { return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); })
      .filter(Boolean).sort(function (a, b) { return b.length - a.length; });
    var html = "";
    var last = 0;
    if (words.length) {
      piece.replace(new RegExp(words.join("|"), "gi"), function (m, offset) {
        html += escapeHtml(piece.slice(last, offset)) + "<mark>" + escapeHtml(m) + "</mark>";
        last = offset + m.length;
        return m;
      });
    }
    html += escapeHtml(piece.slice(last));
    return (start > 0 ? "…" : "") + html + (start + 120 < text.length ? "…" : "");
  }

  function body(text, title) {
    // the indexed text starts with the headline: leave it out of the excerpt
    if (title && text.indexOf(title) === 0) text = text.slice(title.length);
    return text.replace(/^[\s.。]+/, "");
  }

  function countLabel(n) {
    if (n === 0) return labels.none || "";
    if (n === 1) return labels.one || "1";
    return (labels.other || "#").replace("#", String(n));
  }

  function setup(root) {
    var input = root.querySelector(".md-search__input");
    var meta = root.querySelector(".md-search-result__meta");
    var list = root.querySelector(".md-search-result__list");
    var more = root.querySelector(".archive-search-more");
    var box = root.querySelector(".md-search-result");  // data-state/data-query: for tests
    var toggle = document.getElementById("__search");
    var current = null;
    var shown = 0;
    var serial = 0;
    var timer = null;

    function render(found, from) {
      var page = found.results.slice(from, from + PAGE);
      var mine = serial;
      return Promise.all(page.map(function (r) { return r.data(); })).then(function (data) {
        if (mine !== serial) return;  // a newer query took over the list
        data.forEach(function (d) {
          var m = d.meta || {};
          var li = document.createElement("li");
          li.className = "md-search-result__item";
          var where = [m.date, m.paper].filter(Boolean).map(escapeHtml).join(" · ");
          li.innerHTML =
            '<a class="md-search-result__link" tabindex="-1" href="' + escapeHtml(resultUrl(d.url)) + '">' +
            '<article class="md-search-result__article md-typeset">' +
            "<h1>" + escapeHtml(m.title || d.url) + "</h1>" +
            (where ? '<p class="archive-search-where">' + where + "</p>" : "") +
            "<p>" + excerpt(body(decode(d.content || ""), m.title), found.terms) + "</p>" +
            "</article></a>";
          list.appendChild(li);
        });
        shown = from + page.length;
        more.hidden = shown >= found.results.length;
      });
    }

    function run() {
      var query = input.value.trim();
      var mine = ++serial;
      box.setAttribute("data-query", query);
      box.setAttribute("data-state", "searching");
      if (!query) {
        meta.textContent = labels.placeholder || "";
        list.innerHTML = "";
        more.hidden = true;
        return;
      }
      meta.textContent = labels.initializer || "…";
      load()
        .then(function (search) { return searchAll(search, query); })
        .then(function (found) {
          if (mine !== serial) return null;
          list.innerHTML = "";
          current = found || { results: [], terms: [] };
          meta.textContent = countLabel(current.results.length);
          return render(current, 0).then(function () {
            if (mine === serial) box.setAttribute("data-state", "done");
          });
        })
        .catch(function (err) {
          if (mine !== serial) return;
          meta.textContent = labels.error || "error";
          box.setAttribute("data-state", "error");
          if (window.console) console.error(err);
        });
    }

    function open() {
      if (toggle.checked) return;
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 200);
    });
    input.addEventListener("focus", function () { load(); open(); });
    root.querySelector("form").addEventListener("reset", function () {
      setTimeout(function () { input.value = ""; run(); input.focus(); }, 0);
    });
    root.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      var first = list.querySelector("a");
      if (first) location.href = first.href;
    });
    var pending = null;  // one "more" at a time: a second click would show a page twice
    more.addEventListener("click", function () {
      if (!current || pending) return;
      pending = render(current, shown).then(
        function () { pending = null; },
        function () { pending = null; }
      );
    });
    toggle.addEventListener("change", function () {
      if (!toggle.checked) return;
      load();
      input.focus();
      setTimeout(function () { if (document.activeElement !== input) input.focus(); }, 150);
    });
    document.addEventListener("keydown", function (event) {
      var active = document.activeElement;
      var typing = active && (active.isContentEditable || /^(input|textarea|select)$/i.test(active.tagName));
      if (!toggle.checked && !typing && !event.ctrlKey && !event.metaKey && !event.altKey &&
          (event.key === "/" || event.key === "s" || event.key === "f")) {
        event.preventDefault();
        open();
        return;
      }
      if (!toggle.checked) return;
      if (event.key === "Escape") {
        toggle.checked = false;
        toggle.dispatchEvent(new Event("change"));
        input.blur();
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        var links = Array.prototype.slice.call(list.querySelectorAll("a"));
        if (!links.length) return;
        event.preventDefault();
        var i = links.indexOf(active);
        i = event.key === "ArrowDown" ? Math.min(links.length - 1, i + 1) : i - 1;
        (i < 0 ? input : links[i]).focus();
      }
    });
    var q = new URLSearchParams(location.search).get("q");
    if (q) { input.value = q; open(); run(); }
  }

  function mount() {
    var nav = document.querySelector(".md-header__inner");
    if (!nav || nav.querySelector(".archive-search")) return;
    var fragment = template.content.cloneNode(true);
    var root = fragment.querySelector(".archive-search");
    var anchor = nav.querySelector(".md-header__source");
    nav.insertBefore(fragment, anchor);
    setup(root);
  }

  window.__archiveSearch = { queryString: queryString, decode: decode, terms: terms };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
