#!/usr/bin/env bash
# bench/mohaa/redis-ceiling.sh: what Redis alone does with the ingest's
# durable append (bench/README.md, "MOHAA ingest"), on this machine, with
# nothing else running: redis-benchmark (16 clients, unix socket) sends the
# ingest script (modules/mohaa/store/queue.c's add_script: GET, XLEN, XADD,
# SET EX, INCRBY) with the tracker's kill body, and a plain SET, under each
# appendfsync policy. The single-event goal (app >= 60 % of the constant
# responder) cannot be met where this ceiling is itself near 60 % of it.
# Env: BENCH_REQUESTS (30000), BENCH_CLIENTS (16).
set -euo pipefail
N=${BENCH_REQUESTS:-30000}
C=${BENCH_CLIENTS:-16}
command -v redis-benchmark >/dev/null || { echo "redis-benchmark missing (apt-get install redis-tools)" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gamewatch-redis-ceiling.XXXXXX")
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
SRC=$(cd "$(dirname "$0")/../.." && pwd)
# the script as the app loads it, from the C source
SCRIPT=$(python3 - "$SRC/modules/mohaa/store/queue.c" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
body = src[src.index("add_script[] ="):]
body = body[:body.index(";\n")]
print("".join(bytes(s, "utf-8").decode("unicode_escape") for s in re.findall(r'"((?:[^"\\]|\\.)*)"', body)))
PY
)
BODY='type=kill&match_id=match_sess_0.05_0.05&timestamp=73.60&attacker_name=^1Sgt^7Rock&attacker_guid=allies&attacker_team=allies&attacker_x=-1184.25&attacker_y=2210.00&attacker_z=96.13&attacker_pitch=4.22&attacker_yaw=271.50&victim_name=Hans&victim_guid=axis&victim_team=axis&victim_x=-1190.80&victim_y=1702.44&victim_z=64.13&weapon=MOD_FAST_BULLET&hitloc=head&inflictor=player&server_id=bench'
printf '| appendfsync | ingest script req/s | SET req/s |\n| --- | ---: | ---: |\n'
for policy in always everysec no; do
	rm -rf "$TMP/data" && mkdir -p "$TMP/data"
	redis-server --port 0 --unixsocket "$TMP/r.sock" --unixsocketperm 700 --dir "$TMP/data" \
		--appendonly yes --appendfsync "$policy" --save '' --logfile "$TMP/redis.log" &
	PID=$!
	for _ in $(seq 1 50); do redis-cli -s "$TMP/r.sock" ping >/dev/null 2>&1 && break; sleep 0.1; done
	SHA=$(redis-cli -s "$TMP/r.sock" SCRIPT LOAD "$SCRIPT")
	ev=$(redis-benchmark -s "$TMP/r.sock" -c "$C" -n "$N" -r 100000000 --csv \
		EVALSHA "$SHA" 5 s i sh shr req:__rand_int__ 1000000000 1 "$BODY" 1 "" | tail -1 | cut -d'"' -f4)
	set_=$(redis-benchmark -s "$TMP/r.sock" -c "$C" -n "$N" -r 100000000 --csv SET k:__rand_int__ v |
		tail -1 | cut -d'"' -f4)
	printf '| %s | %s | %s |\n' "$policy" "$ev" "$set_"
	kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
done
