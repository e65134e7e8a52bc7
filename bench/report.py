#!/usr/bin/env python3
"""report.py OUTDIR: turn bench/run.sh's raw files into results.json and a
summary table (printed, and written to OUTDIR/summary.md).

Reads OUTDIR/wrk-<target>-c<conns>-<run>.txt (wrk --latency output),
OUTDIR/poll-NN.log (one measured poll cycle each, NN >= 01; every line
prefixed with its arrival time) and OUTDIR/env.json; writes OUTDIR/poll.tsv.

report.py --cpu FILE NAME=PID...: append one JSON line to FILE with the CPU
time (ms, user+system, the process and all its live descendants, plus reaped
children) of each named process tree and of the whole machine ("system").

report.py --env OUTDIR: write OUTDIR/env.json (versions, machine, and the
run's parameters from the BENCH_* variables bench/run.sh exports).
Python 3 standard library only."""
import glob
import subprocess
import json
import os
import re
import statistics
import sys

GOAL_RATIO = 0.70     # app >= 70 % of the baseline's requests/s
GOAL_P99_MS = 10.0    # app p99 < 10 ms
GOAL_CONNS = 32       # ... at 32 connections

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError("bad wrk duration %r" % text)
    return float(m.group(1)) * UNIT_MS[m.group(2)]


def parse_wrk(path):
    txt = open(path, encoding="utf-8", errors="replace").read()
    r = {"file": os.path.basename(path)}
    m = re.search(r"Requests/sec:\s+([0-9.]+)", txt)
    r["rps"] = float(m.group(1)) if m else None
    for pct in ("50", "75", "90", "99"):
        m = re.search(r"^\s+%s%%\s+(\S+)" % pct, txt, re.M)
        r["p" + pct + "_ms"] = to_ms(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in ([0-9.]+\w+), ([0-9.]+\w+) read", txt)
    if m:
        r["requests"] = int(m.group(1))
        r["duration_ms"] = to_ms(m.group(2))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", txt)
    r["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", txt)
    r["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    r["valid"] = bool(r["rps"]) and r["non_2xx"] == 0 and r["socket_errors"] == 0
    return r


def pct_nearest_rank(values, p):
    v = sorted(values)
    if not v:
        return None
    k = max(1, -(-len(v) * p // 100))  # ceil(n * p / 100)
    return v[int(k) - 1]


def fmt(x, nd=2):
    return "-" if x is None else ("%.*f" % (nd, x))


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                              timeout=20).stdout.strip()
    except Exception:
        return ""


def write_env(out):
    e = os.environ.get
    build = e("BENCH_BUILD", "")
    env = {
        "date": sh("date -u +%Y-%m-%dT%H:%M:%SZ"),
        "cpus": os.cpu_count(),
        "cpu_model": sh("awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo"),
        "kernel": sh("uname -sr"),
        "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
        "gcc": sh("gcc --version | head -n 1"),
        "cflags": sh("sed -n 's/^CFLAGS = //p' '%s/Makefile'" % build),
        "lighttpd": sh("lighttpd -v | head -n 1"),
        "wrk": sh("wrk --version 2>&1 | head -n 1"),
        "postgresql": sh("/usr/lib/postgresql/15/bin/postgres --version"),
        "redis": sh("redis-server --version"),
        "libfcgi": sh("dpkg-query -W -f '${Version}' libfcgi0ldbl"),
        "json_c": sh("dpkg-query -W -f '${Version}' libjson-c5"),
        "hiredis": sh("dpkg-query -W -f '${Version}' libhiredis0.14"),
        "libpq": sh("dpkg-query -W -f '${Version}' libpq5"),
        "git_head": sh("git -C '%s' rev-parse --short HEAD" % e("BENCH_SRC", ".")),
        "services": e("BENCH_SERVICES"),
        "pg_fsync": e("BENCH_PG_FSYNC", "on"),
        "url_path": e("URL_PATH"),
        "encoding": e("BENCH_ENCODING"),
        "sessions": int(e("BENCH_SESSIONS", "0")),
        "seed": int(e("BENCH_SEED", "0")),
        "workers": int(e("BENCH_WORKERS", "0")),
        "threads": int(e("BENCH_THREADS", "0")),
        "duration_s": int(e("BENCH_DURATION", "0")),
        "warmup_s": int(e("BENCH_WARMUP", "0")),
        "repeats": int(e("BENCH_REPEATS", "0")),
        "connections": [int(c) for c in e("BENCH_CONNS", "").split()],
        "poll_runs": int(e("BENCH_POLL_RUNS", "0")),
        "background_cpu_pct_poll": int(e("BENCH_POLL_BACKGROUND_CPU", "-1")),
        "background_cpu_pct_before": int(e("BENCH_BACKGROUND_CPU", "-1")),
        "background_cpu_pct_after": int(e("BENCH_BACKGROUND_CPU_AFTER", "-1")),
        "loadavg": sh("cut -d' ' -f1-3 /proc/loadavg"),
    }
    for key, var in (("lobby_bytes", "BENCH_LOBBY"), ("body_bytes", "BENCH_BODY")):
        path = e(var)
        env[key] = os.path.getsize(path) if path and os.path.exists(path) else None
    with open(os.path.join(out, "env.json"), "w") as f:
        json.dump(env, f, indent=2)
        f.write("\n")


POLL_OK = re.compile(r"poll ok: (\d+) sessions, (\d+) players, (\d+) ended, (\d+) skipped, "
                     r"(?:\d+ [a-z]+, )*(\d+) bytes, fetch\+decode (\d+) ms, total (\d+) ms")


def parse_poll_log(path):
    """-> dict, or None when the log has no "poll ok" line."""
    start = end = ok_at = None
    row = None
    for line in open(path, encoding="utf-8", errors="replace"):
        stamp, _, rest = line.rstrip("\n").partition(" ")
        t = float(stamp)
        if rest == "# start":
            start = t
        elif rest == "# end":
            end = t
        m = POLL_OK.search(rest)
        if m:
            ok_at = t
            row = {"sessions": int(m.group(1)), "players": int(m.group(2)),
                   "bytes": int(m.group(5)), "fetch_decode_ms": int(m.group(6)),
                   "total_ms": int(m.group(7))}
    if row is None or start is None or end is None:
        return None
    row["wall_ms"] = (end - start) * 1000.0
    row["after_log_ms"] = (end - ok_at) * 1000.0     # cache refresh + close + exit
    row["before_log_ms"] = (ok_at - start) * 1000.0  # exec, connect, lock, total
    return row


def tree_cpu_ticks(pid):
    """utime+stime+cutime+cstime of pid and every live descendant."""
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            st = open("/proc/%s/stat" % d).read()
        except OSError:
            continue
        f = st[st.rindex(")") + 2:].split()
        kids.setdefault(int(f[1]), []).append((int(d), f))
    def own(p):
        try:
            st = open("/proc/%d/stat" % p).read()
        except OSError:
            return 0
        f = st[st.rindex(")") + 2:].split()
        return sum(int(x) for x in f[11:15])
    total, todo = own(pid), [pid]
    while todo:
        p = todo.pop()
        for c, f in kids.get(p, []):
            total += sum(int(x) for x in f[11:15])
            todo.append(c)
    return total


def cpu_snapshot(path, pairs):
    hz = os.sysconf("SC_CLK_TCK")
    snap = {}
    for pair in pairs:
        name, _, pid = pair.partition("=")
        snap[name] = tree_cpu_ticks(int(pid)) * 1000.0 / hz
    f = open("/proc/stat").readline().split()[1:]
    v = [int(x) for x in f]
    snap["system"] = (sum(v[:8]) - v[3] - v[4]) * 1000.0 / hz  # all but idle and iowait
    snap["system_all"] = sum(v[:8]) * 1000.0 / hz
    with open(path, "a") as out:
        out.write(json.dumps(snap) + "\n")


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--cpu":
        cpu_snapshot(sys.argv[2], sys.argv[3:])
        return
    if len(sys.argv) > 2 and sys.argv[1] == "--env":
        write_env(sys.argv[2])
        return
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "out")
    env = {}
    if os.path.exists(os.path.join(out, "env.json")):
        env = json.load(open(os.path.join(out, "env.json")))

    runs = {}
    for path in sorted(glob.glob(os.path.join(out, "wrk-*-c*-*.txt"))):
        m = re.match(r"wrk-(app|baseline)-c(\d+)-(\d+)\.txt$", os.path.basename(path))
        if not m:
            continue  # warm-up and profiling runs
        target, conns, n = m.group(1), int(m.group(2)), int(m.group(3))
        r = parse_wrk(path)
        r["run"] = n
        cpu = os.path.join(out, "cpu-%s-c%d-%d.jsonl" % (target, conns, n))
        if os.path.exists(cpu) and r.get("requests"):
            snaps = [json.loads(l) for l in open(cpu) if l.strip()]
            if len(snaps) >= 2:
                a, b = snaps[0], snaps[-1]
                per = {}
                for k in a:
                    if k == "system_all":
                        continue
                    key = {"pool": "workers", "lighttpd": "lighttpd"}.get(k, k)
                    per[key] = (b[k] - a[k]) * 1000.0 / r["requests"]
                r["cpu_us_per_request"] = per
                r["machine_busy_pct"] = 100.0 * (b["system"] - a["system"]) / max(
                    1e-9, b["system_all"] - a["system_all"])
        runs.setdefault(conns, {}).setdefault(target, []).append(r)

    api = []
    for conns in sorted(runs, reverse=True):
        row = {"connections": conns}
        for target in ("app", "baseline"):
            rs = sorted(runs[conns].get(target, []), key=lambda r: r["run"])
            rps = [r["rps"] for r in rs if r["rps"]]
            row[target] = {
                "runs": rs,
                "rps_mean": statistics.mean(rps) if rps else None,
                "p50_ms_mean": statistics.mean([r["p50_ms"] for r in rs]) if rs else None,
                "p99_ms_mean": statistics.mean([r["p99_ms"] for r in rs]) if rs else None,
                "p99_ms_worst": max([r["p99_ms"] for r in rs]) if rs else None,
                "all_valid": all(r["valid"] for r in rs) if rs else False,
            }
            cpus = [r["cpu_us_per_request"] for r in rs if "cpu_us_per_request" in r]
            if cpus:
                row[target]["cpu_us_per_request_mean"] = {
                    k: statistics.mean(c[k] for c in cpus) for k in cpus[0]}
        a, b = row["app"]["rps_mean"], row["baseline"]["rps_mean"]
        row["ratio_app_baseline"] = (a / b) if a and b else None
        api.append(row)

    poll_rows = []
    for path in sorted(glob.glob(os.path.join(out, "poll-[0-9][0-9].log"))):
        n = int(os.path.basename(path)[5:7])
        if n == 0:
            continue  # the first poll (inserts from an empty database) is not measured
        r = parse_poll_log(path)
        if r:
            r["run"] = n
            poll_rows.append(r)
    cols = ["run", "total_ms", "fetch_decode_ms", "wall_ms", "after_log_ms", "before_log_ms",
            "sessions", "players", "bytes"]
    with open(os.path.join(out, "poll.tsv"), "w") as f:
        f.write("\t".join(cols) + "\n")
        for r in poll_rows:
            f.write("\t".join(("%.1f" % r[c]) if isinstance(r[c], float) else str(r[c])
                              for c in cols) + "\n")

    def col(name):
        return [r[name] for r in poll_rows if r.get(name) is not None]

    poll = {"runs": len(poll_rows)}
    for name in ("total_ms", "fetch_decode_ms", "wall_ms", "after_log_ms"):
        v = col(name)
        poll[name] = {"median": statistics.median(v) if v else None,
                      "p90": pct_nearest_rank(v, 90), "min": min(v) if v else None,
                      "max": max(v) if v else None}
    for name in ("sessions", "players", "bytes"):
        v = col(name)
        poll[name] = int(v[0]) if v else None

    goal = None
    for row in api:
        if row["connections"] == GOAL_CONNS:
            ratio, p99 = row["ratio_app_baseline"], row["app"]["p99_ms_worst"]
            goal = {"ratio_min": GOAL_RATIO, "p99_max_ms": GOAL_P99_MS,
                    "connections": GOAL_CONNS, "ratio": ratio, "app_p99_ms_worst": p99,
                    "ratio_met": ratio is not None and ratio >= GOAL_RATIO,
                    "p99_met": p99 is not None and p99 < GOAL_P99_MS}
            goal["met"] = goal["ratio_met"] and goal["p99_met"] and \
                row["app"]["all_valid"] and row["baseline"]["all_valid"]

    results = {"env": env, "api": api, "poll_cycle": poll, "goal": goal}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")

    lines = []
    lines.append("GET /api/v1/sessions/current through lighttpd, %s workers, wrk -t2 -d%ss, "
                 "%s runs each, alternating (mean of runs; p99 worst run in brackets)"
                 % (env.get("workers", "?"), env.get("duration_s", "?"), env.get("repeats", "?")))
    lines.append("")
    lines.append("| conns | target | req/s | p50 ms | p99 ms | runs req/s | ratio app/baseline "
                 "| CPU µs/req: workers / lighttpd / redis / whole machine |")
    lines.append("| ---: | --- | ---: | ---: | ---: | --- | ---: | --- |")
    for row in api:
        for target in ("app", "baseline"):
            t = row[target]
            per = " / ".join(fmt(r["rps"], 0) for r in t["runs"])
            bad = "" if t["all_valid"] else " (errors!)"
            c = t.get("cpu_us_per_request_mean") or {}
            cpu = " / ".join(fmt(c.get(k), 0) for k in ("workers", "lighttpd", "redis", "system"))
            lines.append("| %d | %s%s | %s | %s | %s (%s) | %s | %s | %s |" % (
                row["connections"], target, bad, fmt(t["rps_mean"], 0),
                fmt(t["p50_ms_mean"]), fmt(t["p99_ms_mean"]), fmt(t["p99_ms_worst"]), per,
                fmt(row["ratio_app_baseline"] * 100, 1) + " %" if target == "app"
                and row["ratio_app_baseline"] else "", cpu))
    lines.append("")
    lines.append("Poll cycle (poll-bzcc --once, %s sessions / %s players, %s bytes, %d runs; "
                 "other work: %s %% of the CPUs busy before): "
                 % (poll["sessions"], poll["players"], poll["bytes"], poll["runs"],
                    env.get("background_cpu_pct_poll", "?")))
    lines.append("")
    lines.append("| measure | median ms | p90 ms | min ms | max ms |")
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    for name, label in (("total_ms", "job log \"total\" (fetch+decode+commit)"),
                        ("fetch_decode_ms", "job log \"fetch+decode\" (part of total)"),
                        ("after_log_ms", "after the log line: cache refresh + exit"),
                        ("wall_ms", "wall time of `poll-bzcc --once` (whole process)")):
        p = poll[name]
        lines.append("| %s | %s | %s | %s | %s |" % (label, fmt(p["median"], 0), fmt(p["p90"], 0),
                                                     fmt(p["min"], 0), fmt(p["max"], 0)))
    lines.append("")
    if goal:
        lines.append("Goal (app >= %d %% of baseline req/s and p99 < %g ms at %d connections): %s"
                     " (ratio %s %%, app p99 worst run %s ms)" % (
                         GOAL_RATIO * 100, GOAL_P99_MS, GOAL_CONNS,
                         "MET" if goal["met"] else "NOT MET",
                         fmt((goal["ratio"] or 0) * 100, 1), fmt(goal["app_p99_ms_worst"])))
    bg = [env.get("background_cpu_pct_before", -1), env.get("background_cpu_pct_after", -1)]
    lines.append("Other work on the machine: %s %% of the CPUs busy before the load, %s %% after "
                 "(our servers idle)%s" % (bg[0], bg[1], "; figures disturbed" if max(bg) > 15 else ""))
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
