#!/usr/bin/env python3
"""bench/history/report.py OUTDIR: summary.md from run.sh's results.tsv,
explain-summary*.tsv, sizes.txt and env.txt."""
import os
import re
import sys

GOAL_MS = 50.0
GOALS = {"player-busy", "player-random", "player-page-busy", "sessions-month",
         "sessions-month-page11"}
WHAT = {
    "player-busy": "`GET /api/v1/players/{busiest}`",
    "player-random": "`GET /api/v1/players/{random}` (200 players, one per request)",
    "player-daily-busy": "`GET /api/v1/history/players/{busiest}?days=30`",
    "sessions-month": "`GET /api/v1/history/sessions?from=<30 d ago>&to=<now>` page 1",
    "sessions-month-page11": "same, page 11 (next_cursor followed 10 times)",
    "sessions-map": "`GET /api/v1/history/sessions?map=<most played map>`",
    "player-page-busy": "`GET /players/steam:{busiest}` (HTML)",
    "analytics-30d": "`GET /api/v1/analytics?days=30`",
}


def main():
    out = sys.argv[1]
    res = {}
    with open(os.path.join(out, "results.tsv")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            res[k] = v
    print("## Results (%s)\n" % open(os.path.join(out, "env.txt")).readline().split()[1])
    print("| step | ms |\n| --- | ---: |")
    for k in ("plan_ms", "load_ms", "analyze_ms", "rollup_full_ms", "append_hour_ms",
              "rollup_incremental_ms", "extra_index_ms"):
        if k in res:
            print("| %s | %s |" % (k[:-3], format(int(res[k]), ",").replace(",", " ")))
    for suffix in ("", "-with-index"):
        rows = [(k.split(" ", 1)[1], v) for k, v in res.items() if k.startswith("latency%s " % suffix)]
        if not rows:
            continue
        print("\n### Latency%s (1 connection, through lighttpd)\n" % (" " + suffix[1:] if suffix else ""))
        print("| endpoint | requests | p50 ms | p90 ms | p99 ms | max ms | goal p99 < 50 ms |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
        for name, v in rows:
            d = dict(kv.split("=") for kv in v.split())
            p99 = int(d["p99_us"]) / 1000
            goal = ("**met**" if p99 < GOAL_MS else "**not met**") if name in GOALS else "-"
            bad = "" if d["non200"] == "0" and d["errors"] == "0" else " (%s non-200, %s errors)" % (
                d["non200"], d["errors"])
            print("| %s | %s%s | %.2f | %.2f | %.2f | %.2f | %s |" % (
                WHAT.get(name, name), d["requests"], bad, int(d["p50_us"]) / 1000,
                int(d["p90_us"]) / 1000, p99, int(d["max_us"]) / 1000, goal))
    for suffix in ("", "-with-index"):
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
