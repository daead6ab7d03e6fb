/* Chinese query segmentation for Material's built-in search.
 *
 * The index is segmented with jieba at build time (words joined by U+200B),
 * but Material splits a query only on separators, so a query of two words
 * written together (对接合作) finds nothing. Material has no query hook, so
 * we wrap Worker.prototype.postMessage: the setup message carries the index,
 * from which we take the vocabulary; every query message is then segmented
 * by forward maximum matching against it before it reaches the worker.
 * Works over http and over file:// (the offline shim's Worker too).
 * window.__archiveVariants (variants.js) maps the other script's characters
 * to this edition's forms (Simplified → Traditional on the Traditional
 * edition, Traditional → Simplified on the Simplified one): a query typed in
 * either script is converted first.
 */
(function () {
  "use strict";
  var vocab = null;
  var maxLen = 1;
  var HAN_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/g;

  function learn(index) {
    var words = new Set();
    var docs = (index && index.docs) || [];
    for (var i = 0; i < docs.length; i++) {
      var text = (docs[i].title || "") + "\u200b" + (docs[i].text || "");
      var runs = text.split(/[\s\u200b]+/);
      for (var j = 0; j < runs.length; j++) {
        var han = runs[j].match(HAN_RUN);
        if (!han) continue;
        for (var k = 0; k < han.length; k++) {
          var w = han[k];
          if (w.length >= 2 && w.length <= 12) {
            words.add(w);
            if (w.length > maxLen) maxLen = w.length;
          }
        }
      }
    }
    vocab = words;
  }

  function toVariant(text) {
    var map = window.__archiveVariants;
    if (!map) return text;
    var out = "";
    for (var i = 0; i < text.length; i++) out += map[text[i]] || text[i];
    return out;
  }

  function segmentRun(run) {
    if (!vocab || run.length <= 2 || vocab.has(run)) return run;
    var parts = [];
    var i = 0;
    while (i < run.length) {
      var found = 1;
      for (var len = Math.min(maxLen, run.length - i); len >= 2; len--) {
        if (vocab.has(run.substr(i, len))) { found = len; break; }
      }
      parts.push(run.substr(i, found));
      i += found;
    }
    return parts.join(" ");
  }

  function segment(query) {
    if (typeof query !== "string") return query;
    return toVariant(query).replace(HAN_RUN, function (run) { return " " + segmentRun(run) + " "; })
      .replace(/\s+/g, " ").trim();
  }
  window.__archiveSegment = segment;

  function patch(Worker) {
    if (!Worker || !Worker.prototype || Worker.prototype.__archivePatched) return;
    var original = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message) {
      try {
        if (message && message.type === 0 && message.data) learn(message.data);
        else if (message && message.type === 2 && typeof message.data === "string") {
          message = { type: 2, data: segment(message.data) };
        }
      } catch (e) { /* never break search */ }
      return original.apply(this, [message].concat([].slice.call(arguments, 1)));
    };
    Worker.prototype.__archivePatched = true;
  }
  patch(window.Worker);
  document.addEventListener("DOMContentLoaded", function () { patch(window.Worker); });
})();
