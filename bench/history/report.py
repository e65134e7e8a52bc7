#!/usr/bin/env python3
"""bench/history/report.py OUTDIR: summary.md from run.sh's results.tsv,
explain-summary*.tsv, sizes.txt and env.txt."""
import os
import re
import sys

GOAL_MS = 50.0   # every history endpoint and page (issue 9)
WHAT = {
    "sessions": "`GET /api/v1/history/sessions` (newest 50)",
    "sessions-month": "`GET /api/v1/history/sessions?from=<30 d ago>&to=<now>` page 1",
    "sessions-month-page11": "same, page 11 (next_cursor followed 10 times)",
    "sessions-map": "`GET /api/v1/history/sessions?map=<most played map>`",
    "sessions-q": "`GET /api/v1/history/sessions?q=vsr`",
    "sessions-q-rare": "`GET /api/v1/history/sessions?q=zzqx` (no match: every session read)",
    "player-busy": "`GET /api/v1/players/{busiest}`",
    "player-random": "`GET /api/v1/players/{random}` (200 players, one per request)",
    "player-daily-busy": "`GET /api/v1/history/players/{busiest}` (30 days)",
    "maps": "`GET /api/v1/maps`",
    "maps-365d": "`GET /api/v1/maps?days=365`",
    "map-popular": "`GET /api/v1/maps/{most played}`",
    "mods": "`GET /api/v1/mods`",
    "mod-popular": "`GET /api/v1/mods/{most played}`",
    "analytics": "`GET /api/v1/analytics` (30 days)",
    "analytics-365d": "`GET /api/v1/analytics?days=365`",
    "summary": "`GET /api/v1/history/summary` (60 minutes)",
    "summary-week": "`GET /api/v1/history/summary?minutes=10080`",
    "page-history": "`GET /bzcc/history`",
    "page-player-busy": "`GET /bzcc/players/steam:{busiest}`",
    "page-maps": "`GET /bzcc/maps`",
    "page-map-popular": "`GET /bzcc/maps/{most played}`",
    "page-mods": "`GET /bzcc/mods`",
    "page-mod-popular": "`GET /bzcc/mods/{most played}`",
    "page-analytics": "`GET /bzcc/analytics`",
    # older names (BENCH_HIST_INDEX runs)
    "player-page-busy": "`GET /players/steam:{busiest}` (HTML)",
    "analytics-30d": "`GET /api/v1/analytics?days=30`",
}
SUFFIXES = ("", "-baseline", "-with-index")
STEPS = ("plan_ms", "load_meta_ms", "load_polls_ms", "load_snapshots_ms", "index_snapshots_ms",
         "restart_ms", "vacuum_analyze_ms", "load_total_ms", "rollup_full_ms", "append_hour_ms",
         "rollup_incremental_ms", "extra_index_ms")


def stats(v):
    d = dict(kv.split("=") for kv in v.split())
    return {k: (float(x) if k == "loadavg" else int(x)) for k, x in d.items()}


def main():
    out = sys.argv[1]
    res = {}
    with open(os.path.join(out, "results.tsv")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            res[k] = v
    print("## Results (%s)\n" % open(os.path.join(out, "env.txt")).readline().split()[1])
    print("| step | ms |\n| --- | ---: |")
    for k in STEPS:
        if k in res:
            print("| %s | %s |" % (k[:-3], format(int(res[k]), ",").replace(",", " ")))
    for suffix in SUFFIXES:
        rows = [(k.split(" ", 1)[1], v) for k, v in res.items() if k.startswith("latency%s " % suffix)]
        if not rows:
            continue
        print("\n### Latency%s (1 connection, through lighttpd)\n" % (" " + suffix[1:] if suffix else ""))
        print("| endpoint | requests | p50 ms | p90 ms | p99 ms | max ms | p99 < 50 ms | load avg |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
        for name, v in rows:
            d = stats(v)
            p99 = d["p99_us"] / 1000
            goal = "**met**" if p99 < GOAL_MS else "**not met**"
            bad = "" if d["non200"] == 0 and d["errors"] == 0 else " (%d non-200, %d errors)" % (
                d["non200"], d["errors"])
            print("| %s | %d%s | %.2f | %.2f | %.2f | %.2f | %s | %s |" % (
                WHAT.get(name, name), d["requests"], bad, d["p50_us"] / 1000,
                d["p90_us"] / 1000, p99, d["max_us"] / 1000, goal,
                "%.1f" % d["loadavg"] if "loadavg" in d else "-"))
    base = {k.split(" ", 1)[1]: stats(v) for k, v in res.items() if k.startswith("latency-baseline ")}
    if base:
        print("\n### Before and after (p99 ms, same data)\n")
        print("| endpoint | baseline build | this build |\n| --- | ---: | ---: |")
        for k, v in res.items():
            if k.startswith("latency ") and k.split(" ", 1)[1] in base:
                n = k.split(" ", 1)[1]
                print("| %s | %.2f | %.2f |" % (WHAT.get(n, n), base[n]["p99_us"] / 1000,
                                               stats(v)["p99_us"] / 1000))
    for suffix in SUFFIXES:
        p = os.path.join(out, "explain-summary%s.tsv" % suffix)
        if os.path.exists(p):
            print("\n### Statements (EXPLAIN ANALYZE%s)\n" % (", " + suffix[1:] if suffix else ""))
            print("```")
            print(open(p).read().rstrip())
            print("```")
    print("\nBackground CPU: " + ", ".join("%s %s %%" % (k.replace("background_cpu_", "")[:-4], v)
                                          for k, v in res.items() if k.startswith("background_cpu_")))
    print("\nOther: " + ", ".join("%s=%s" % (k, v) for k, v in res.items()
                                  if not re.match(r"(latency|background|.*_ms$)", k)))


if __name__ == "__main__":
    main()
