/* GameWatch — small progressive enhancement. The pages work without it
 * (and without htmx); this only adds keyboard navigation between session
 * cards and keeps focus on the same card across htmx refreshes. */
(function () {
  "use strict";

  var CARD = ".session-card";

  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll(CARD));
  }

  function isTyping(el) {
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    return tag === "input" || tag === "select" || tag === "textarea" ||
      el.isContentEditable;
  }

  function focusCard(card) {
    if (!card) return;
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = cards();
    if (!list.length) return;
    var current = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest(CARD) : null;
    var i = list.indexOf(current);
    if (i === -1) {
      focusCard(step > 0 ? list[0] : list[list.length - 1]);
      return;
    }
    var next = i + step;
    if (next < 0 || next >= list.length) return;
    focusCard(list[next]);
  }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    var active = document.activeElement;
    if (isTyping(active)) return;
    var onCard = active && active.matches && active.matches(CARD);

    switch (e.key) {
      case "j":
        move(1); e.preventDefault(); break;
      case "k":
        move(-1); e.preventDefault(); break;
      case "ArrowDown":
      case "ArrowRight":
        if (onCard) { move(1); e.preventDefault(); }
        break;
      case "ArrowUp":
      case "ArrowLeft":
        if (onCard) { move(-1); e.preventDefault(); }
        break;
      case "Enter":
        if (onCard) {
          var link = active.querySelector("a.session-link[href]");
          if (link) { e.preventDefault(); window.location.assign(link.href); }
        }
        break;
      default:
        break;
    }
  });

  /* htmx replaces #sessions every few seconds. htmx itself restores focus to
   * an element with the same id; this is a fallback so keyboard users never
   * lose their place. Does nothing when htmx is absent. */
  var lastFocusedId = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var a = document.activeElement;
    var card = a && a.closest ? a.closest(CARD) : null;
    lastFocusedId = card && card.id ? card.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!lastFocusedId) return;
    var a = document.activeElement;
    if (!a || a === document.body) {
      var card = document.getElementById(lastFocusedId);
      if (card) card.focus({ preventScroll: true });
    }
    lastFocusedId = null;
  });

  /* Show ISO-8601 UTC timestamps in the reader's local time; the ISO value
   * stays in the datetime attribute and the tooltip. */
  function localizeTimes(root) {
    var els = (root || document).querySelectorAll("time[datetime]");
    Array.prototype.forEach.call(els, function (el) {
      if (el.getAttribute("data-localized")) return;
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d.getTime())) return;
      el.title = el.getAttribute("datetime");
      var today = d.toDateString() === new Date().toDateString();
      el.textContent = today
        ? d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" })
        : d.toLocaleString(undefined, {
            month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit"
          });
      el.setAttribute("data-localized", "1");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { localizeTimes(); });
  } else {
    localizeTimes();
  }
  document.addEventListener("htmx:afterSettle", function () { localizeTimes(); });

  /* Leave empty filter fields out of the query so URLs stay short
   * ("/?mode=MPI" rather than "/?state=&mode=MPI&mod=&q="). */
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form || !form.classList || !form.classList.contains("filters")) return;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.value === "") el.disabled = true;
    });
    window.setTimeout(function () {
      Array.prototype.forEach.call(form.elements, function (el) { el.disabled = false; });
    }, 0);
  });
})();
