/* live.js: the live page follows the lobby over Server-Sent Events
 * (GET /api/v1/stream/sessions, docs/realtime.md) and updates the game
 * cards in place.
 *
 *  - The stream sends a snapshot, then an RFC 7396 merge patch after every
 *    poll. A patch that touches what a card shows (anything but a session's
 *    last_seen_at) makes the page fetch its own URL once (filters included;
 *    the server renders the cards, one template for both) and swap in only
 *    the cards that differ, in the new order; the others stay as they are
 *    (focus and scroll kept). The "Last update" time follows every event.
 *  - When the stream fails (EventSource closed, or no event for 30 s), the
 *    page polls GET /api/v1/sessions/current every 5 s with its ETag and
 *    updates the cards the same way when the lobby changed; the stream is
 *    tried again every 30 s meanwhile.
 *  - No event for 30 s (the poller is down, or every transport failed):
 *    the stale banner is shown until the next event.
 *  - The page's htmx polling (index.mustache) is cancelled while this runs;
 *    without EventSource or fetch this script does nothing and htmx keeps
 *    polling as before.
 * State for tests and styling: <html data-live="stream|poll|connecting">,
 * data-live-stale="1" while the banner shows. */
(function () {
  "use strict";

  var STREAM_URL = "/api/v1/stream/sessions";
  var JSON_URL = "/api/v1/sessions/current";
  var STALE_MS = 30000, POLL_MS = 5000, RETRY_STREAM_MS = 30000;

  var sessions = document.getElementById("sessions");
  if (!sessions || !window.EventSource || !window.fetch || !window.DOMParser) return;

  var root = document.documentElement;
  var doc = null;          /* the room document: snapshot + patches */
  var es = null, pollTimer = null, retryTimer = null;
  var lastEventAt = Date.now(), etag = null;
  var refreshing = false, refreshAgain = false;

  function setMode(m) { root.setAttribute("data-live", m); }

  /* RFC 7396 MergePatch */
  function merge(target, patch) {
    if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
    var out = (target && typeof target === "object" && !Array.isArray(target)) ? target : {};
    Object.keys(patch).forEach(function (k) {
      if (patch[k] === null) delete out[k];
      else out[k] = merge(out[k], patch[k]);
    });
    return out;
  }

  /* Does a patch change anything a card or the totals show? */
  function visible(patch) {
    if (patch.order || patch.totals) return true;
    var s = patch.sessions;
    if (!s) return false;
    return Object.keys(s).some(function (id) {
      var p = s[id];
      if (p === null || typeof p !== "object") return true;
      return Object.keys(p).some(function (k) { return k !== "last_seen_at"; });
    });
  }

  function showUpdateTime(iso) {
    var t = document.querySelector("#lobby-stats time[datetime]");
    if (!t || !iso) return;
    var d = new Date(iso);
    if (isNaN(d.getTime())) return;
    t.setAttribute("datetime", iso);
    t.title = iso;
    t.textContent = d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function heard() {
    lastEventAt = Date.now();
    if (root.getAttribute("data-live-stale")) {
      root.removeAttribute("data-live-stale");
      var b = document.getElementById("live-stale");
      if (b) b.parentNode.removeChild(b);
    }
  }

  function checkStale() {
    if (Date.now() - lastEventAt < STALE_MS) return;
    if (!root.getAttribute("data-live-stale")) {
      root.setAttribute("data-live-stale", "1");
      var region = document.getElementById("status-region");
      if (region && !region.querySelector(".stale-banner")) {
        var sec = document.createElement("section");
        sec.className = "stale-banner";
        sec.id = "live-stale";
        sec.setAttribute("role", "alert");
        var h = document.createElement("h2");
        h.className = "stale-banner__title";
        h.textContent = "Stale data";
        var p = document.createElement("p");
        p.textContent = "No update for " + Math.round(STALE_MS / 1000) +
          " seconds. The games below may already be over.";
        sec.appendChild(h);
        sec.appendChild(p);
        region.appendChild(sec);
      }
    }
    /* the stream says nothing: poll the JSON API until it speaks again */
    if (root.getAttribute("data-live") === "stream") startPolling();
  }

  /* Swap in the cards of a freshly rendered page that differ from ours. */
  function applyPage(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var next = fresh.getElementById("sessions");
    if (!next) return;
    var grid = sessions.querySelector(".card-grid"), ngrid = next.querySelector(".card-grid");
    var hadEmpty = !!sessions.querySelector(".empty-state"), hasEmpty = !!next.querySelector(".empty-state");
    if (!grid || !ngrid || hadEmpty !== hasEmpty) {
      sessions.parentNode.replaceChild(document.importNode(next, true), sessions);
      sessions = document.getElementById("sessions");
    } else {
      var keep = {};
      Array.prototype.forEach.call(grid.children, function (el) { if (el.id) keep[el.id] = el; });
      var cursor = grid.firstElementChild;
      Array.prototype.forEach.call(ngrid.children, function (nel) {
        var cur = nel.id && keep[nel.id];
        var el;
        if (cur && cur.isEqualNode(nel)) {
          el = cur;                       /* unchanged: the same element stays */
        } else {
          el = document.importNode(nel, true);
          if (cur) {
            var focused = cur.contains(document.activeElement);
            grid.replaceChild(el, cur);
            if (cursor === cur) cursor = el;
            if (focused) el.focus({ preventScroll: true });
          }
        }
        if (nel.id) delete keep[nel.id];
        if (el !== cursor) grid.insertBefore(el, cursor);
        else cursor = cursor.nextElementSibling;
      });
      Object.keys(keep).forEach(function (id) { grid.removeChild(keep[id]); });
    }
    ["lobby-stats", "status-region"].forEach(function (id) {
      var a = document.getElementById(id), b = fresh.getElementById(id);
      if (a && b && !a.isEqualNode(b)) a.parentNode.replaceChild(document.importNode(b, true), a);
    });
    if (root.getAttribute("data-live-stale")) {
      root.removeAttribute("data-live-stale"); /* the server just told us what it has */
    }
    document.dispatchEvent(new CustomEvent("gw:live-updated"));
  }

  function refresh() {
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    fetch(window.location.pathname + window.location.search,
          { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) applyPage(html); })
      .catch(function () {})
      .then(function () {
        refreshing = false;
        if (refreshAgain) { refreshAgain = false; refresh(); }
      });
  }

  /* ---- the stream ---- */
  function startStream() {
    if (es) return;
    setMode("connecting");
    es = new EventSource(STREAM_URL);
    es.addEventListener("snapshot", function (e) {
      var first = doc === null;
      try { doc = JSON.parse(e.data); } catch (err) { return; }
      heard();
      stopPolling();
      setMode("stream");
      showUpdateTime(doc.poll && doc.poll.last_success_at);
      if (!first) refresh();  /* a new snapshot after a gap: anything may have changed */
    });
    es.addEventListener("patch", function (e) {
      var p;
      try { p = JSON.parse(e.data); } catch (err) { return; }
      doc = merge(doc, p);
      heard();
      setMode("stream");
      showUpdateTime(doc && doc.poll && doc.poll.last_success_at);
      if (visible(p)) refresh();
    });
    es.addEventListener("error", function () {
      if (es && es.readyState === EventSource.CLOSED) {
        /* refused (not 200) or not text/event-stream: poll instead */
        es = null;
        startPolling();
      } else {
        setMode("connecting");
      }
    });
  }

  /* ---- the fallback: poll the JSON API with its ETag ---- */
  function pollOnce() {
    var headers = { "Accept": "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(JSON_URL, { headers: headers, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 304) { heardFromPoll(null); return; }
        if (!r.ok) return;
        var changed = etag !== null && r.headers.get("ETag") !== etag;
        etag = r.headers.get("ETag");
        return r.json().then(function (j) {
          heardFromPoll(j);
          if (changed) refresh();
        });
      })
      .catch(function () {});
  }

  /* A poll answered: fresh data counts as an event unless the server says
   * its own data is stale. */
  function heardFromPoll(j) {
    if (j && j.poll) {
      showUpdateTime(j.poll.last_success_at);
      if (!j.poll.stale) heard();
    } else if (j === null && !root.getAttribute("data-live-stale")) {
      heard(); /* 304: unchanged since a fresh answer */
    }
  }

  function startPolling() {
    if (pollTimer) return;
    if (es) { es.close(); es = null; }
    setMode("poll");
    pollOnce();
    pollTimer = window.setInterval(pollOnce, POLL_MS);
    if (!retryTimer) {
      retryTimer = window.setInterval(function () {
        if (pollTimer) startStream(); /* the stream may be back */
      }, RETRY_STREAM_MS);
    }
  }

  function stopPolling() {
    if (pollTimer) { window.clearInterval(pollTimer); pollTimer = null; }
  }

  /* htmx's own 5 s polling of #sessions is replaced by the above */
  document.addEventListener("htmx:beforeRequest", function (e) {
    var el = e.detail && e.detail.elt;
    if (el && el.id === "sessions") e.preventDefault();
  });

  window.setInterval(checkStale, 1000);
  startStream();
})();
