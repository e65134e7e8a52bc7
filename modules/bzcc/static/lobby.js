/* lobby.js: the live lobby page's small conveniences (the page works
 * without them): copy buttons for a player's name, profile link or a
 * game's share link, with a spoken confirmation; the "Compact cards"
 * choice remembered in localStorage. Re-applied after every htmx refresh. */
(function () {
  "use strict";

  var KEY = "gamewatch.bzcc.compact";

  function status(text) {
    var el = document.getElementById("copy-status");
    if (!el) return;
    el.textContent = text;
    el.classList.add("copy-status--shown");
    window.clearTimeout(status.t);
    status.t = window.setTimeout(function () {
      el.classList.remove("copy-status--shown");
    }, 2500);
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    /* http:// pages: the old way, through a selected text area */
    return new Promise(function (resolve, reject) {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.className = "sr-only";
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      if (ok) resolve(); else reject(new Error("copy refused"));
    });
  }

  function enhance(root) {
    Array.prototype.forEach.call(root.querySelectorAll("button.copy[hidden]"), function (b) {
      b.hidden = false;
    });
    var grid = root.querySelector(".card-grid");
    var box = document.querySelector('input[data-remember="compact"]');
    if (grid && box && !/[?&]compact=/.test(window.location.search)) {
      var on = window.localStorage && window.localStorage.getItem(KEY) === "1";
      grid.classList.toggle("card-grid--compact", on);
      box.checked = on;
    }
  }

  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("button.copy") : null;
    if (!b) return;
    var text = b.getAttribute("data-copy");
    var path = b.getAttribute("data-copy-path");
    if (path) text = window.location.origin + path;
    if (!text) return;
    copy(text).then(function () { status("Copied: " + text); },
                    function () { status("Could not copy; select the text instead."); });
  });

  document.addEventListener("change", function (e) {
    var box = e.target;
    if (!box.matches || !box.matches('input[data-remember="compact"]')) return;
    if (window.localStorage) window.localStorage.setItem(KEY, box.checked ? "1" : "0");
    var grid = document.querySelector(".card-grid");
    if (grid) grid.classList.toggle("card-grid--compact", box.checked);
  });

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function () { enhance(document); });
})();
