/// /ui/static/live.js, served from this string (no resource bundle to find at run time, no build
/// chain): hand-written JavaScript, a few dozen lines, that keeps a page's live parts fresh.
enum LiveScript {
    static let source = #"""
// bcops dashboard: keeps a page's live parts fresh without a reload (issue 17).
//
// Every `data-poll` seconds (an attribute of <body>), the page asks for itself again with
// If-None-Match; the dashboard answers 304 when nothing changed, else the page, whose elements
// marked `data-live` replace the elements with the same id here: only those that changed, so
// what the reader looks at stays put, and a log scrolled to its end stays at its end. Nothing
// is built from strings here: the new elements are the server's own, already escaped HTML,
// parsed by DOMParser (which runs no script). Without JavaScript the pages read the same,
// only frozen.
(function () {
  "use strict";
  var etag = null;
  var timer = null;

  function seconds() {
    var s = parseFloat(document.body.getAttribute("data-poll"));
    return s > 0 ? s : 0;
  }

  function say(text) {
    var el = document.getElementById("live-status");
    if (!el) {
      var header = document.querySelector("header");
      if (!header) return;
      el = document.createElement("span");
      el.id = "live-status";
      header.appendChild(el);
    }
    el.textContent = text;
  }

  function schedule() {
    clearTimeout(timer);
    var s = seconds();
    if (s) timer = setTimeout(poll, s * 1000);
  }

  function atEnd(el) {
    return el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
  }

  function apply(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.querySelectorAll("[data-live][id]");
    for (var i = 0; i < fresh.length; i++) {
      var old = document.getElementById(fresh[i].id);
      if (!old || old.outerHTML === fresh[i].outerHTML) continue;
      // Logs scrolled to their end follow what is appended.
      var follow = [];
      var logs = old.tagName === "PRE" ? [old] : old.querySelectorAll("pre");
      for (var j = 0; j < logs.length; j++) if (logs[j].id && atEnd(logs[j])) follow.push(logs[j].id);
      var node = document.importNode(fresh[i], true);
      old.replaceWith(node);
      for (var k = 0; k < follow.length; k++) {
        var pre = document.getElementById(follow[k]);
        if (pre) pre.scrollTop = pre.scrollHeight;
      }
    }
    var poll = doc.body && doc.body.getAttribute("data-poll");
    if (poll) document.body.setAttribute("data-poll", poll); else document.body.removeAttribute("data-poll");
  }

  function poll() {
    var headers = { "Accept": "text/html" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(location.href, { headers: headers, cache: "no-store", credentials: "same-origin", redirect: "error" })
      .then(function (r) {
        if (r.status === 304) return null;
        if (!r.ok) throw new Error("the page answered " + r.status);
        etag = r.headers.get("ETag");
        return r.text();
      })
      .then(function (text) {
        if (text !== null) apply(text);
        document.body.setAttribute("data-live-updates", String(Number(document.body.getAttribute("data-live-updates") || 0) + 1));
        say("live · " + new Date().toLocaleTimeString());
        schedule();
      })
      .catch(function (e) {
        // A page that cannot be asked again (a refused action's answer) stays as it is.
        say("live updates stopped: " + e.message);
      });
  }

  function start() {
    if (!seconds()) return;
    say("live");
    schedule();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
"""#
}
