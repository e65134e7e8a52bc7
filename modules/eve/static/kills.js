/* kills.js: the recent-kills page (/eve/kills) kept current without a
 * reload (docs/eve.md "Live kills").
 *
 *  - It follows GET /api/v1/killmails/stream[?space_type=T] (a redirect to
 *    the gamewatch-stream room "killmails[:T]"): a snapshot, then RFC 7396
 *    merge patches; the table is redrawn from the room document, newest
 *    first, and new rows are marked.
 *  - When the stream fails (EventSource closed, or refused), it polls
 *    GET /api/v1/killmails/recent every 10 s (the same kills as the room)
 *    and tries the stream again every 60 s.
 *  - Only on the first page (no cursor) and when the page's filter matches
 *    what the stream can give. Without EventSource and fetch it does
 *    nothing: the page as sent stays.
 * State for tests and styling: <html data-kills="connecting|stream|poll">,
 * data-kills-version="<event id>" after each stream event. All text goes
 * in with textContent: nothing from the data is parsed as HTML. */
(function () {
  "use strict";
  var table = document.querySelector(".kills-table tbody");
  if (!table || !window.fetch || !window.JSON) return;
  var params = new URLSearchParams(window.location.search);
  if (params.get("cursor")) return;
  var space = params.get("space_type") || "";
  var STREAM_URL = "/api/v1/killmails/stream" + (space ? "?space_type=" + encodeURIComponent(space) : "");
  var POLL_URL = "/api/v1/killmails/recent?limit=50" + (space ? "&space_type=" + encodeURIComponent(space) : "");
  var root = document.documentElement;
  var doc = null, es = null, pollTimer = null, retryTimer = null;
  var seen = {};

  function state(s) { root.setAttribute("data-kills", s); }

  /* RFC 7396 merge patch */
  function merge(target, patch) {
    if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
    if (target === null || typeof target !== "object" || Array.isArray(target)) target = {};
    Object.keys(patch).forEach(function (k) {
      if (patch[k] === null) delete target[k];
      else target[k] = merge(target[k], patch[k]);
    });
    return target;
  }

  /* "3.60B" like the server's eve_isk_human, from a decimal string */
  function iskText(isk) {
    if (typeof isk !== "string" || !/^\d+(\.\d{1,2})?$/.test(isk)) return "–";
    var parts = isk.split("."), whole = parts[0], frac = ((parts[1] || "") + "00").slice(0, 2);
    var cents = BigInt(whole) * 100n + BigInt(frac);
    var units = [[100000000000000n, "T"], [100000000000n, "B"], [100000000n, "M"], [100000n, "K"]];
    for (var i = 0; i < units.length; i++) {
      if (cents >= units[i][0]) {
        var h = (cents * 100n + units[i][0] / 2n) / units[i][0];
        var r = h % 100n;
        return (h / 100n).toString() + "." + (r < 10n ? "0" : "") + r.toString() + units[i][1];
      }
    }
    return (cents / 100n).toString();
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function link(href, text) {
    var a = el("a", null, text);
    a.href = href;
    return a;
  }

  function party(v) {
    var span = el("span");
    if (!v) return span;
    if (v.character_id) span.appendChild(link("/eve/intel/characters/" + encodeURIComponent(v.character_id),
      v.character_name || "#" + v.character_id));
    else span.appendChild(el("span", "dim", "no pilot"));
    var org = el("span", "dim");
    if (v.corporation_id) {
      org.appendChild(document.createTextNode(" "));
      org.appendChild(link("/eve/intel/corporations/" + encodeURIComponent(v.corporation_id),
        v.corporation_name || "corp " + v.corporation_id));
    }
    if (v.alliance_id) {
      org.appendChild(document.createTextNode(" · "));
      org.appendChild(link("/eve/intel/alliances/" + encodeURIComponent(v.alliance_id),
        v.alliance_name || "alliance " + v.alliance_id));
    }
    span.appendChild(org);
    return span;
  }

  function row(k, fresh) {
    var tr = el("tr", "kill-row" + (fresh ? " kill-row--new" : ""));
    tr.setAttribute("data-killmail-id", k.killmail_id);
    var td = el("td", "mono"), t = el("time", null, k.time);
    t.setAttribute("datetime", k.time || "");
    td.appendChild(t);
    tr.appendChild(td);
    td = el("td", null, k.system || k.system_id);
    td.appendChild(document.createTextNode(" "));
    td.appendChild(el("span", "tag", k.sec_band));
    tr.appendChild(td);
    td = el("td");
    td.appendChild(party(k.victim));
    tr.appendChild(td);
    td = el("td", null, (k.victim && k.victim.ship) || "");
    td.appendChild(document.createTextNode(" "));
    td.appendChild(el("span", "dim", (k.victim && k.victim.group) || ""));
    tr.appendChild(td);
    tr.appendChild(el("td", "num mono", iskText(k.isk)));
    td = el("td");
    if (k.battle_id) td.appendChild(link("/eve/battles/" + encodeURIComponent(k.battle_id), "battle"));
    tr.appendChild(td);
    td = el("td");
    if (k.zkb_url) {
      var a = link(k.zkb_url, "kill");
      a.rel = "external";
      td.appendChild(a);
    }
    tr.appendChild(td);
    return tr;
  }

  /* list: killmails newest first */
  function draw(list) {
    var frag = document.createDocumentFragment(), first = Object.keys(seen).length === 0;
    list.forEach(function (k) {
      frag.appendChild(row(k, !first && !seen[k.killmail_id]));
      seen[k.killmail_id] = true;
    });
    if (!list.length) {
      var tr = el("tr"), td = el("td", "empty-cell", "No killmails yet.");
      td.colSpan = 7;
      tr.appendChild(td);
      frag.appendChild(tr);
    }
    table.textContent = "";
    table.appendChild(frag);
  }

  function drawDoc() {
    var order = (doc && doc.order) || [], map = (doc && doc.killmails) || {};
    draw(order.map(function (id) { return map[id]; }).filter(Boolean));
  }

  /* the rows as sent count as seen, so only later kills are marked */
  Array.prototype.forEach.call(table.querySelectorAll("tr.kill-row a[rel=external]"), function (a) {
    var m = /\/kill\/(\d+)\//.exec(a.getAttribute("href") || "");
    if (m) seen[m[1]] = true;
  });

  function poll() {
    fetch(POLL_URL, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d && Array.isArray(d.killmails)) draw(d.killmails); })
      .catch(function () {});
  }

  function startPolling() {
    if (pollTimer) return;
    state("poll");
    poll();
    pollTimer = setInterval(poll, 10000);
    if (!retryTimer) retryTimer = setTimeout(function () { retryTimer = null; connect(); }, 60000);
  }

  function stopPolling() {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  }

  function connect() {
    if (!window.EventSource) { startPolling(); return; }
    if (es) es.close();
    state(pollTimer ? "poll" : "connecting");
    es = new EventSource(STREAM_URL);
    es.addEventListener("snapshot", function (e) {
      try { doc = JSON.parse(e.data); } catch (err) { return; }
      stopPolling();
      state("stream");
      root.setAttribute("data-kills-version", e.lastEventId || "");
      drawDoc();
    });
    es.addEventListener("patch", function (e) {
      var p;
      try { p = JSON.parse(e.data); } catch (err) { return; }
      doc = merge(doc || {}, p);
      root.setAttribute("data-kills-version", e.lastEventId || "");
      drawDoc();
    });
    es.onerror = function () {
      if (es && es.readyState === EventSource.CLOSED) {
        es = null;
        startPolling();
      }
    };
  }

  connect();
}());
