#!/usr/bin/env python3
"""bench/history/explain.py: EXPLAIN (ANALYZE, BUFFERS) the statements the
app (or a job) really ran.

  explain.py LOGFILE FROM-OFFSET TO-OFFSET LABEL OUTDIR [--rollback]

Reads the PostgreSQL log between two byte offsets (run.sh sets
log_min_duration_statement = 0 around one request or job run), takes every
`execute <unnamed>: <sql>` line with its `parameters:` detail, puts the
parameter values in as literals (every statement in store/ casts its
parameters, so a quoted literal plans like the bound value) and writes
OUTDIR/explain-LABEL-N.txt with the statement, its parameters, the logged
duration and the plan. Statements that write are explained inside
BEGIN ... ROLLBACK (--rollback). Uses $DATABASE_URL; prints a summary line
per statement: partitions scanned and subplans removed."""
import os
import re
import subprocess
import sys

STMT = re.compile(r"LOG:  duration: ([0-9.]+) ms  (?:execute [^:]*|statement): (.*)$")
PARAMS = re.compile(r"DETAIL:  (?:Parameters|parameters): (.*)$")
ONE = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")
SKIP = ("REFRESH ", "SET ", "BEGIN", "COMMIT", "ROLLBACK", "SHOW ", "ALTER SYSTEM", "SELECT pg_reload_conf")
TABLES = ("session_snapshots", "player_session_events")


def statements(text):
    out, cur = [], None
    for line in text.splitlines():
        m = STMT.search(line)
        if m:
            cur = [float(m.group(1)), m.group(2), {}]
            out.append(cur)
            continue
        m = PARAMS.search(line)
        if m and cur is not None:
            cur[2] = {int(k): v for k, v in ONE.findall(m.group(1))}
        if " LOG: " in line or " DETAIL: " in line:
            cur = None  # parse/bind lines and their details are not ours
    return out


def bind(sql, params):
    return re.sub(r"\$(\d+)", lambda m: params.get(int(m.group(1)), m.group(0)), sql)


def main():
    log, lo, hi, label, outdir = sys.argv[1:6]
    rollback = "--rollback" in sys.argv
    with open(log, "rb") as f:
        f.seek(int(lo))
        text = f.read(int(hi) - int(lo)).decode("utf-8", "replace")
    n = 0
    for dur, sql, params in statements(text):
        if sql.startswith(SKIP) or "pg_catalog" in sql or "schema_migrations" in sql:
            continue
        n += 1
        q = bind(sql, params)
        explain = "EXPLAIN (ANALYZE, BUFFERS) " + q
        script = ("SET client_min_messages = warning;\n"
                  + ("BEGIN;\n%s;\nROLLBACK;\n" % explain if rollback else explain + ";\n"))
        r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=0", os.environ["DATABASE_URL"]],
                           input=script, capture_output=True, text=True, timeout=600)
        plan = r.stdout + r.stderr
        path = os.path.join(outdir, "explain-%s-%d.txt" % (label, n))
        with open(path, "w") as f:
            f.write("-- %s statement %d (logged duration %.3f ms)\n" % (label, n, dur))
            f.write("-- sql: %s\n" % sql)
            f.write("-- parameters: %s\n\n" % ", ".join("$%d = %s" % kv for kv in sorted(params.items())))
            f.write(plan)
        parts = sorted(set(re.findall(r"on ((?:session_snapshots|player_session_events)_\w+)", plan)))
        removed = re.findall(r"Subplans Removed: (\d+)", plan)
        exec_ms = re.findall(r"Execution Time: ([0-9.]+) ms", plan)
        reads = [t for t in TABLES if t in q]
        print("%s-%d\tlogged %.2f ms\texplain %s ms\treads %s\tpartitions %d %s\tsubplans removed %s"
              % (label, n, dur, exec_ms[-1] if exec_ms else "?", ",".join(reads) or "-",
                 len(parts), " ".join(p.rsplit("_", 1)[-1] for p in parts) if parts else "",
                 "+".join(removed) or "0"))


if __name__ == "__main__":
    main()
