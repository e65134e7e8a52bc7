/* GameWatch analytics: draws the charts of /analytics with Chart.js
 * (/static/vendor/chart.umd.js) from the JSON the page names in
 * data-analytics-src (/api/v1/analytics?days=N).
 *
 * Progressive enhancement: the server renders a data table for every
 * chart, so without JavaScript (or when Chart.js or the fetch fails) the
 * page is complete. After a chart is drawn its container gets
 * data-rendered="true" and its table folds into its <details>. No inline
 * script or style: the CSP is script-src 'self'. */
(function () {
  "use strict";

  var root = document.querySelector("[data-analytics-src]");
  if (!root || !window.fetch) return;
  if (typeof window.Chart === "undefined") {
    root.setAttribute("data-charts", "unavailable");
    return;
  }
  var Chart = window.Chart;
  var style = window.getComputedStyle(document.documentElement);

  function cssVar(name, fallback) {
    var v = style.getPropertyValue(name).trim();
    return v || fallback;
  }

  var colors = [
    cssVar("--cyan", "#3ee8ff"),
    cssVar("--magenta", "#ff3db8"),
    cssVar("--amber", "#ffb22e"),
    cssVar("--green", "#4ef29a"),
    cssVar("--grey", "#a29bb0")
  ];

  Chart.defaults.color = cssVar("--muted", "#b9aecb");
  Chart.defaults.borderColor = "rgba(185, 174, 203, 0.16)";
  Chart.defaults.font.family = cssVar("--font-ui", "sans-serif");
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;

  /* A translucent version of a #rrggbb colour for fills. */
  function fill(hex, alpha) {
    var m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
    if (!m) return hex;
    return "rgba(" + parseInt(m[1], 16) + ", " + parseInt(m[2], 16) + ", " +
      parseInt(m[3], 16) + ", " + alpha + ")";
  }

  /* "2024-09-15T01:00:00Z" as an axis label for a resolution: "01:23"
   * (minute), "09-15 01:00" (hour), "2024-09-15" (day). */
  function shortTime(iso, resolution) {
    if (resolution === "day") return iso.slice(0, 10);
    if (resolution === "hour") return iso.slice(5, 16).replace("T", " ");
    return iso.slice(11, 16);
  }

  function hours(seconds) {
    return Math.round(seconds / 360) / 10;
  }

  function durationText(seconds) {
    var m = Math.floor(seconds / 60);
    if (seconds < 60) return seconds + " s";
    if (m < 60) return m + " min";
    return Math.floor(m / 60) + " h " + ("0" + (m % 60)).slice(-2) + " min";
  }

  /* Put a canvas into the chart container for `kind`; null when absent. */
  function mount(kind) {
    var el = root.querySelector('.chart[data-chart="' + kind + '"]');
    if (!el) return null;
    var canvas = document.createElement("canvas");
    el.textContent = "";
    el.appendChild(canvas);
    return { el: el, canvas: canvas };
  }

  function rendered(m) {
    m.el.setAttribute("data-rendered", "true");
    var panel = m.el.closest(".chart-panel");
    var details = panel && panel.querySelector("details.chart__data");
    if (details) details.removeAttribute("open");
  }

  function draw(kind, config) {
    var m = mount(kind);
    if (!m) return;
    try {
      new Chart(m.canvas, config);
      rendered(m);
    } catch (e) {
      m.el.setAttribute("data-rendered", "false");
      m.el.textContent = "";
    }
  }

  function axisTicks(max) {
    return { autoSkip: true, maxTicksLimit: max, maxRotation: 0 };
  }

  function playersOnline(d) {
    var po = d.players_online || { points: [] };
    draw("players-online", {
      type: "line",
      data: {
        labels: po.points.map(function (p) { return shortTime(p.t, po.resolution); }),
        datasets: [
          { label: "Players", data: po.points.map(function (p) { return p.players; }),
            borderColor: colors[0], backgroundColor: fill(colors[0], 0.15), fill: true,
            pointRadius: po.points.length > 60 ? 0 : 2, tension: 0.2 },
          { label: "Games", data: po.points.map(function (p) { return p.sessions; }),
            borderColor: colors[1], backgroundColor: fill(colors[1], 0.15),
            pointRadius: po.points.length > 60 ? 0 : 2, tension: 0.2 }
        ]
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: { x: { ticks: axisTicks(10) }, y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  function mapPopularity(d) {
    var maps = d.map_popularity || [];
    draw("map-popularity", {
      type: "bar",
      data: {
        labels: maps.map(function (m) { return m.map_file; }),
        datasets: [{ label: "Play time (hours)",
          data: maps.map(function (m) { return hours(m.player_seconds); }),
          backgroundColor: fill(colors[0], 0.55), borderColor: colors[0], borderWidth: 1 }]
      },
      options: {
        indexAxis: "y",
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (c) {
            var m = maps[c.dataIndex];
            return durationText(m.player_seconds) + " in " + m.sessions + " sessions";
          } } }
        },
        scales: { x: { beginAtZero: true, title: { display: true, text: "player-hours" } } }
      }
    });
  }

  function durations(d) {
    var h = (d.durations && d.durations.histogram) || [];
    draw("durations", {
      type: "bar",
      data: {
        labels: h.map(function (b) { return b.label; }),
        datasets: [{ label: "Games", data: h.map(function (b) { return b.sessions; }),
          backgroundColor: fill(colors[1], 0.55), borderColor: colors[1], borderWidth: 1 }]
      },
      options: {
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  function modAdoption(d) {
    var ma = d.mod_adoption || { days: [], mods: [] };
    var dense = ma.days.length > 60;
    draw("mod-adoption", {
      type: "line",
      data: {
        labels: ma.days,
        datasets: ma.mods.map(function (m, i) {
          var c = colors[i % colors.length];
          return { label: m.label, data: m.sessions, borderColor: c,
            backgroundColor: fill(c, 0.2), pointRadius: dense ? 0 : 2, stepped: dense };
        })
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: { x: { ticks: axisTicks(8) }, y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  window.fetch(root.getAttribute("data-analytics-src"), {
    headers: { Accept: "application/json" },
    credentials: "same-origin"
  }).then(function (res) {
    if (!res.ok) throw new Error("HTTP " + res.status);
    return res.json();
  }).then(function (d) {
    playersOnline(d);
    mapPopularity(d);
    durations(d);
    modAdoption(d);
    root.setAttribute("data-charts", "rendered");
  }).catch(function () {
    /* the tables stay open and complete */
    root.setAttribute("data-charts", "failed");
  });
})();
