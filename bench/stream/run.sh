#!/usr/bin/env bash
# bench/stream/run.sh: Server-Sent Events at scale (bench/README.md, "Streams").
#
#  1. starts PostgreSQL, Redis, the page pool (4 workers), gamewatch-stream
#     (1 process) and lighttpd (tests/lib/services.sh) in a fresh temp dir,
#     migrates and polls a real capture;
#  2. baseline: wrk -t2 -c32 GET /api/v1/sessions/current for BENCH_DURATION s
#     while BENCH_POLLS polls run (one every 3 s), no stream open;
#  3. opens BENCH_CLIENTS SSE clients of /api/v1/stream/sessions through
#     lighttpd (bench/stream/sse-clients.c, one epoll loop), waits until each
#     has its snapshot, records the memory of gamewatch-stream and lighttpd;
#  4. the same polls (alternating two captures: each a real change) and wrk
#     again, with the streams open; for each
#     poll: time from its commit (the arrival of the job's "poll ok" log
#     line, written right after COMMIT) to the last client receiving the
#     event (the cache rebuild and PUBLISH lie between), also from the
#     process's start and exit, and how many clients got it;
#  5. prints the summary and writes bench/stream/out/ (gitignored).
# Env (defaults): BUILD_DIR (build/), BENCH_CLIENTS (5000), BENCH_POLLS (10),
# BENCH_DURATION (20), BENCH_STREAM_WORKERS (1), BENCH_KEEP_TMP=1.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd -P)
BUILD=${BUILD_DIR:-$SRC/build}
OUT=$SRC/bench/stream/out
CLIENTS=${BENCH_CLIENTS:-5000}
POLLS=${BENCH_POLLS:-10}
DURATION=${BENCH_DURATION:-20}
SWORKERS=${BENCH_STREAM_WORKERS:-1}
say() { printf 'bench-stream: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
for t in wrk lighttpd cc python3; do command -v $t >/dev/null || die "$t missing (apt-get install $t)"; done
[ -x "$BUILD/gamewatch-stream" ] || die "no $BUILD/gamewatch-stream (./dev build)"

# descriptors: each client is one socket here, two in lighttpd (which
# keeps a third of its descriptors for backends) and one in the stream
# server; root may raise the hard limit too
need=$(( CLIENTS * 4 + 2000 ))
[ "$(ulimit -Hn)" -ge "$need" ] || ulimit -Hn "$need" 2>/dev/null || true
ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $(( CLIENTS + 200 )) ] || die "ulimit -n $(ulimit -n) is too low for $CLIENTS clients (raise the hard limit)"
mkdir -p "$OUT"
cc -O2 -Wall -o "$OUT/sse-clients" "$SRC/bench/stream/sse-clients.c" || die "could not build sse-clients"

. "$SRC/tests/lib/services.sh"
TMP=$(mktemp -d /tmp/gw-bench-stream.XXXXXX)
cleanup() { gw_stop_all "$TMP"; [ "${BENCH_KEEP_TMP:-0}" = 1 ] && say "kept $TMP" || rm -rf "$TMP"; }
trap cleanup EXIT
gw_services_init "$TMP" || die init
GW_PG_FSYNC=off gw_pg_start >/dev/null || die PostgreSQL
gw_redis_start || die Redis
port=$(gw_free_port)
export APP_BASE_URL="http://127.0.0.1:$port"
gw_app_env "$SRC"
"$BUILD/gamewatch-job" migrate >"$TMP/log/migrate.log" 2>&1 || die migrate
gw_pool_start "$BUILD" "$SRC" 4 || die pool
STREAM_STATS_SECONDS=0 STREAM_MAX_CLIENTS=$(( CLIENTS + 100 )) gw_stream_start "$BUILD" "$SRC" "$SWORKERS" || die stream
GW_LIGHTTPD_MAX_CONNS=$(( CLIENTS + 500 )) gw_lighttpd_start "$BUILD" "$SRC" "$port" || die lighttpd
URL=$GW_LIGHTTPD_URL
A=$SRC/tests/data/bzcc/msl-api-v1/2024-10-25_lobby-7.json
B=$SRC/tests/data/bzcc/msl-api-v1/2024-09-14_data-7-players.json
poll() { RAKNET_URL="file://$1" GW_STALE_AFTER_SECONDS=86400 "$BUILD/gamewatch-job" poll-bzcc --once >>"$TMP/log/polls.log" 2>&1; }
poll "$A" || die "poll"
export GW_STALE_AFTER_SECONDS=86400

rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
tree_rss() {  # PID: RSS of the process and its children, KiB
	local t=0 p
	for p in $1 $(ps -o pid= --ppid "$1"); do t=$(( t + $(rss_kib "$p") )); done
	echo $t
}
lpid=$(awk '$1 == "lighttpd" { print $2 }' "$TMP/pids" | tail -n 1)
spid=$GW_STREAM_PID

wrk_rps() { wrk -t2 -c32 -d"${1}s" "$URL/api/v1/sessions/current" 2>&1 | tee -a "$OUT/wrk.txt" | awk '/Requests\/sec/ { print $2 }'; }

# POLLS polls, one every 3 s, alternating the captures, each timed: start,
# commit (the "poll ok" line, logged right after COMMIT), exit -> $1
run_polls() {
	local i f t_start t_end
	: >"$1"
	for i in $(seq 1 "$POLLS"); do
		f=$A; [ $(( i % 2 )) = 1 ] && f=$B
		t_start=$(date +%s%3N)
		rm -f "$OUT/commit.ms"
		RAKNET_URL="file://$f" "$BUILD/gamewatch-job" poll-bzcc --once 2>&1 >/dev/null |
			while IFS= read -r l; do
				case $l in *"poll ok"*) date +%s%3N >"$OUT/commit.ms" ;; esac
				printf '%s\n' "$l" >>"$TMP/log/polls.log"
			done
		t_end=$(date +%s%3N)
		printf '%s\t%s\t%s\n' "$t_start" "$(cat "$OUT/commit.ms" 2>/dev/null || echo 0)" "$t_end" >>"$1"
		sleep 3
	done
}

# wrk for DURATION s while the polls run (the poller runs in production
# too): the API's throughput without and then with the streams
load_with_polls() {  # RPS_FILE POLLS_FILE
	( sleep 1; wrk_rps "$DURATION" >"$1" ) &
	local w=$!
	run_polls "$2"
	wait "$w"
}
: >"$OUT/wrk.txt"
cut -d' ' -f1-3 /proc/loadavg >"$OUT/load.txt"
wrk -t2 -c32 -d3s "$URL/api/v1/sessions/current" >/dev/null 2>&1
say "baseline: wrk and $POLLS polls, no stream open"
load_with_polls "$OUT/wrk-base.rps" "$OUT/polls-base.tsv"
base=$(cat "$OUT/wrk-base.rps")
s_idle=$(tree_rss "$spid"); l_idle=$(tree_rss "$lpid")

say "opening $CLIENTS SSE clients"
total=$(( 60 + POLLS * 4 + DURATION ))
"$OUT/sse-clients" 127.0.0.1 "$port" /api/v1/stream/sessions "$CLIENTS" "$total" 2000 >"$OUT/clients.txt" 2>&1 &
cpid=$!
for i in $(seq 1 600); do grep -q '^ready' "$OUT/clients.txt" && break; kill -0 $cpid 2>/dev/null || break; sleep 0.1; done
grep -q '^ready' "$OUT/clients.txt" || say "not every client got its snapshot: $(head -n 2 "$OUT/clients.txt")"
sleep 2
s_busy=$(tree_rss "$spid"); l_busy=$(tree_rss "$lpid")

say "wrk and $POLLS polls with the streams open"
load_with_polls "$OUT/wrk-loaded.rps" "$OUT/polls.tsv"
loaded=$(cat "$OUT/wrk-loaded.rps")
kill -TERM "$cpid" 2>/dev/null  # it prints what it saw and exits
cut -d' ' -f1-3 /proc/loadavg >>"$OUT/load.txt"
wait "$cpid"

python3 - "$OUT" "$CLIENTS" "$base" "$loaded" "$s_idle" "$s_busy" "$l_idle" "$l_busy" <<'PY'
import sys, statistics
out, n, base, loaded, s0, s1, l0, l1 = sys.argv[1], int(sys.argv[2]), float(sys.argv[3] or 0), float(sys.argv[4] or 0), *map(int, sys.argv[5:9])
polls = [tuple(map(int, l.split())) for l in open(out + "/polls.tsv") if l.strip()]
events = []
connected = "?"
for line in open(out + "/clients.txt"):
    p = line.split()
    if p[0] == "event":
        events.append((int(p[1]), int(p[2]), int(p[3]), int(p[4])))
    elif p[0] == "connected":
        connected = "%s ok, %s failed" % (p[1], p[3])
events.sort(key=lambda e: e[2])
rows = []
for ts, tc, te in polls:
    # the first event whose first delivery follows the poll's start
    ev = next((e for e in events if e[2] >= ts), None)
    if ev and tc:
        events.remove(ev)
        rows.append((ev[0], ev[1], ev[3] - tc, ev[3] - ts, ev[3] - te, ev[3] - ev[2]))
lines = []
lines.append("clients: %d requested, %s" % (n, connected))
lines.append("poll -> last client (ms): event id, clients reached, from commit, from process start, from process exit, first->last client")
for r in rows:
    lines.append("  %d\t%d\t%d\t%d\t%d\t%d" % r)
def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]
if rows:
    for i, what in ((2, "from commit"), (3, "from process start"), (4, "from process exit")):
        v = [r[i] for r in rows]
        lines.append("%s: median %d ms, p99 %d ms, max %d ms" % (what, statistics.median(v), pct(v, 0.99), max(v)))
    lines.append("every event reached %d of %d clients" % (min(r[1] for r in rows), n))
lines.append("load average before/after: " + open(out + "/load.txt").read().replace("\n", " | "))
lines.append("API GET /api/v1/sessions/current: %.0f req/s alone, %.0f req/s with the streams: %.1f %%"
             % (base, loaded, 100 * loaded / base if base else 0))
lines.append("memory: gamewatch-stream %d -> %d KiB (%.2f KiB per stream); lighttpd %d -> %d KiB (%.2f KiB per stream)"
             % (s0, s1, (s1 - s0) / n, l0, l1, (l1 - l0) / n))
open(out + "/summary.txt", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
