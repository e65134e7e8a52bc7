#!/usr/bin/env bash
# bench/run.sh: GameWatch benchmark (see bench/README.md).
#
#  1. builds gamewatch.fcgi, gamewatch-job and bench/fcgi-constant (out of tree);
#  2. starts a private PostgreSQL 15, Redis, two lighttpd on free 127.0.0.1
#     ports, in a fresh temp dir, and runs the migrations;
#  3. generates a 200-session lobby (bench/gen-lobby.py) and measures the poll
#     cycle: `gamewatch-job poll-bzcc --once` against the file, 20 times;
#  4. serves GET /api/v1/sessions/current via lighttpd -> the app's pool
#     (4 workers) and, with the same lighttpd config and worker count, via
#     lighttpd -> bench/fcgi-constant answering a byte-identical copy of the
#     app's body; loads both with wrk (-t2 -d15s --latency) at 32 then 8
#     connections, twice each, alternating, after a warm-up;
#  5. writes bench/out/ (raw wrk output, poll.tsv, env.json, results.json,
#     summary.md) and prints the summary table.
# Everything it started is stopped on exit.
#
# Env (defaults): BENCH_BUILD_DIR (/tmp/gamewatch-bench-build), BENCH_OUT
# (bench/out), BENCH_SESSIONS (200), BENCH_SEED (1), BENCH_WORKERS (4),
# BENCH_DURATION (15 s per wrk run), BENCH_WARMUP (3 s), BENCH_REPEATS (2),
# BENCH_CONNS ("32 8"), BENCH_POLL_RUNS (20), BENCH_PG_FSYNC (on),
# BENCH_SERVICES=min (use bench/services-min.sh even when tests/lib/services.sh
# exists), BENCH_SKIP_BUILD=1 (use the build dir as it is), BENCH_KEEP_TMP=1,
# BENCH_WAIT_QUIET (180 s: how long to wait for other work on the machine to
# fall under BENCH_BUSY_MAX, 15 % of the CPUs, before loading),
# BENCH_PROFILE=1 (after the runs: perf record one worker of each pool under
# -c32 load; reports in bench/out/perf-*-worker*.txt).
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd -P)
BUILD=${BENCH_BUILD_DIR:-/tmp/gamewatch-bench-build}
OUT=${BENCH_OUT:-$SRC/bench/out}
SESSIONS=${BENCH_SESSIONS:-200}
SEED=${BENCH_SEED:-1}
WORKERS=${BENCH_WORKERS:-4}
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-3}
REPEATS=${BENCH_REPEATS:-2}
CONNS=${BENCH_CONNS:-32 8}
POLL_RUNS=${BENCH_POLL_RUNS:-20}
THREADS=2
URL_PATH=/api/v1/sessions/current
# BENCH_ENCODING=gzip: clients send Accept-Encoding: gzip; the app answers
# with its gzip copy and the baseline serves those same compressed bytes.
ENCODING=${BENCH_ENCODING:-identity}
case $ENCODING in
identity) ENC_HDR=() ;;
gzip) ENC_HDR=(-H "Accept-Encoding: gzip") ;;
*) echo "bench: BENCH_ENCODING must be identity or gzip" >&2; exit 2 ;;
esac

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

for tool in wrk lighttpd curl redis-server redis-cli python3 make; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install ${tool/redis-*/redis-server})"
done
[ -x /usr/lib/postgresql/15/bin/initdb ] || die "PostgreSQL 15 is missing (apt-get install postgresql-15)"

# ---------------------------------------------------------------- build
build() {
	local attempt
	if [ ! -x "$SRC/configure" ]; then
		say "autoreconf -fi in $SRC"
		(cd "$SRC" && autoreconf -fi) >/dev/null 2>&1 || die "autoreconf failed"
	fi
	mkdir -p "$BUILD"
	if [ ! -f "$BUILD/Makefile" ]; then
		say "configuring in $BUILD"
		(cd "$BUILD" && "$SRC/configure" -q) >"$BUILD/bench-configure.log" 2>&1 \
			|| { tail -n 20 "$BUILD/bench-configure.log" >&2; die "configure failed"; }
	fi
	# Someone may be mid-edit in another file: retry a few times.
	for attempt in 1 2 3 4; do
		if make -C "$BUILD" -j2 gamewatch.fcgi gamewatch-job bench/fcgi-constant share.stamp \
			>"$BUILD/bench-make.log" 2>&1; then
			return 0
		fi
		say "build failed (attempt $attempt, see $BUILD/bench-make.log); retrying in 30 s"
		tail -n 5 "$BUILD/bench-make.log" >&2
		sleep 30
	done
	die "build failed"
}
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
	build
fi
for p in gamewatch.fcgi gamewatch-job bench/fcgi-constant; do
	[ -x "$BUILD/$p" ] || die "no $BUILD/$p"
done

# ---------------------------------------------------------------- services
need_fns="gw_services_init gw_free_port gw_record gw_pg_start gw_redis_start gw_share gw_app_env
	gw_pool_start gw_render_conf gw_wait_http gw_stop_all"
if [ "${BENCH_SERVICES:-}" != min ] && [ -r "$SRC/tests/lib/services.sh" ] \
	&& . "$SRC/tests/lib/services.sh" 2>/dev/null \
	&& declare -F $need_fns >/dev/null 2>&1; then
	SERVICES=tests/lib/services.sh
else
	. "$SRC/bench/services-min.sh"
	SERVICES=bench/services-min.sh
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gamewatch-bench.XXXXXX") || die "mktemp"
ok=0
cleanup() {
	trap - EXIT INT TERM
	say "stopping everything started in $TMP"
	gw_stop_all "$TMP" >/dev/null 2>&1
	if [ "$ok" = 1 ] && [ "${BENCH_KEEP_TMP:-0}" != 1 ]; then
		rm -rf "$TMP"
	else
		say "state and logs kept in $TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT"
rm -f "$OUT"/wrk-*.txt "$OUT"/cpu-*.jsonl "$OUT"/poll.tsv "$OUT"/poll-*.log "$OUT"/results.json \
	"$OUT"/summary.md "$OUT"/env.json "$OUT"/perf-*.txt

gw_services_init "$TMP" || die "init $TMP"
say "services from $SERVICES; state in $TMP"
GW_PG_FSYNC=${BENCH_PG_FSYNC:-on} gw_pg_start >/dev/null || die "PostgreSQL did not start"
gw_redis_start || die "Redis did not start"
gw_share "$BUILD" || die "staging the build for the service user"
gw_app_env "$SRC"
export GW_RUN_DIR=$TMP/run
# The pool is loaded for minutes after the one poll: keep the view "fresh"
# (stale=false) for the whole run, so that the body stays byte-identical to
# the baseline's copy (default GW_STALE_AFTER_SECONDS is 30).
export GW_STALE_AFTER_SECONDS=86400
"$BUILD/gamewatch-job" migrate >"$TMP/log/migrate.log" 2>&1 \
	|| { cat "$TMP/log/migrate.log" >&2; die "migrate failed"; }

# Other work on this 2-core machine (builds, fuzzers, tests) skews the figures:
# measure the CPU share in use while our servers idle, wait (bounded) for it to
# drop, and record it with the results.
cpu_busy_pct() {  # SECONDS -> percent of all CPUs busy
	local a b
	a=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
	sleep "$1"
	b=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
	echo "$a $b" | awk '{ busy = $3 - $1; idle = $4 - $2; printf "%d", (busy + idle) ? 100 * busy / (busy + idle) : 0 }'
}
QUIET_MAX=${BENCH_BUSY_MAX:-15}
wait_quiet() {  # sets BACKGROUND_CPU
	local quiet_deadline=$(( $(date +%s) + ${BENCH_WAIT_QUIET:-180} ))
	while :; do
		BACKGROUND_CPU=$(cpu_busy_pct 2)
		[ "$BACKGROUND_CPU" -le "$QUIET_MAX" ] && break
		if [ "$(date +%s)" -ge "$quiet_deadline" ]; then
			say "warning: the machine is $BACKGROUND_CPU % busy with other work; figures will be low and noisy"
			ps -eo pcpu,pid,comm --sort=-pcpu | sed -n '2,4p' >&2
			break
		fi
		say "machine $BACKGROUND_CPU % busy with other work (limit $QUIET_MAX %); waiting"
		sleep 8
	done
}
# ---------------------------------------------------------------- poll cycle
LOBBY=$TMP/lobby.json
python3 "$SRC/bench/gen-lobby.py" -n "$SESSIONS" --seed "$SEED" -o "$LOBBY" || die "gen-lobby failed"
export RAKNET_URL="file://$LOBBY"

# One poll: stderr lines stamped on arrival (the job's stderr is unbuffered),
# between a "start" and an "end" stamp, so that report.py knows the wall time
# and the time from the "poll ok" line (logged before the cache refresh) to exit.
poll_once() {  # LOGFILE
	local log=$1
	{
		printf '%s # start\n' "$EPOCHREALTIME"
		"$BUILD/gamewatch-job" poll-bzcc --once 2>&1 >/dev/null \
			| while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done
		printf '%s # end\n' "$EPOCHREALTIME"
	} >"$log"
}

say "first poll of the $SESSIONS-session lobby ($(stat -c %s "$LOBBY") bytes)"
poll_once "$OUT/poll-00.log"
grep -q "poll ok: $SESSIONS sessions" "$OUT/poll-00.log" \
	|| { cat "$OUT/poll-00.log" >&2; die "the first poll did not store $SESSIONS sessions"; }
grep -o 'INFO: poll ok.*' "$OUT/poll-00.log" >&2

wait_quiet
POLL_BACKGROUND_CPU=$BACKGROUND_CPU
say "measuring the poll cycle: $POLL_RUNS x poll-bzcc --once (background CPU $POLL_BACKGROUND_CPU %)"
for i in $(seq 1 "$POLL_RUNS"); do
	log=$(printf '%s/poll-%02d.log' "$OUT" "$i")
	poll_once "$log"
	grep -q "poll ok: $SESSIONS sessions" "$log" || { cat "$log" >&2; die "poll run $i failed"; }
done

# ---------------------------------------------------------------- servers
# lighttpd with the project's own config (apache/lighttpd.conf.in, rendered
# like make does) and the same top level as tests/lib/services.sh; only the
# FastCGI socket and the port differ between the app's and the baseline's.
start_lighttpd() {  # NAME SOCKET -> sets LIGHTTPD_URL
	local name=$1 sock=$2 dir=$TMP/lighttpd-$1 port pid
	port=$(gw_free_port) || die "no free port"
	mkdir -p "$dir"
	gw_render_conf "$SRC/apache/lighttpd.conf.in" "$dir/gamewatch.conf" "$GW_BIN_DIR" "$GW_SHARE_DIR" \
		|| die "rendering lighttpd.conf.in"
	sed -i "s|\"$TMP/run/gamewatch/app.sock\"|\"$sock\"|" "$dir/gamewatch.conf"
	grep -q "\"$sock\"" "$dir/gamewatch.conf" || die "socket not set in $dir/gamewatch.conf"
	cat >"$dir/lighttpd.conf" <<-EOC
		server.modules += ( "mod_fastcgi", "mod_setenv" )
		server.bind = "127.0.0.1"
		server.port = $port
		server.errorlog = "$TMP/log/lighttpd-$name-error.log"
		server.tag = "lighttpd"
		server.max-connections = 1024
		include "$dir/gamewatch.conf"
	EOC
	lighttpd -tt -f "$dir/lighttpd.conf" >"$TMP/log/lighttpd-$name-check.log" 2>&1 \
		|| { cat "$TMP/log/lighttpd-$name-check.log" >&2; die "lighttpd config check failed"; }
	lighttpd -D -f "$dir/lighttpd.conf" </dev/null >>"$TMP/log/lighttpd-$name.log" 2>&1 &
	pid=$!
	gw_record "lighttpd-$name" "$pid"
	LIGHTTPD_PID=$pid
	LIGHTTPD_URL="http://127.0.0.1:$port"
	gw_wait_http "$LIGHTTPD_URL$URL_PATH" 20 200 \
		|| { cat "$TMP/log/lighttpd-$name-error.log" >&2; die "lighttpd ($name) does not answer 200"; }
}

say "starting the app's pool ($WORKERS workers) and lighttpd"
gw_pool_start "$BUILD" "$SRC" "$WORKERS" || die "the app's pool did not start"
APP_POOL_PID=$GW_POOL_PID
start_lighttpd app "$TMP/run/gamewatch/app.sock"
APP_URL=$LIGHTTPD_URL$URL_PATH APP_LIGHTTPD_PID=$LIGHTTPD_PID

BODY=$OUT/app-body.json
code=$(curl -sS "${ENC_HDR[@]}" -o "$BODY" -D "$OUT/app-headers.txt" -w '%{http_code}' "$APP_URL") \
	|| die "curl $APP_URL"
[ "$code" = 200 ] || die "the app answered $code for $URL_PATH"
python3 - "$BODY" "$SESSIONS" "$ENCODING" <<-'EOF' || die "unexpected body for $URL_PATH"
	import gzip, json, sys
	raw = open(sys.argv[1], "rb").read()
	doc = json.loads(gzip.decompress(raw) if sys.argv[3] == "gzip" else raw)
	n = doc["totals"]["sessions"]
	assert n == int(sys.argv[2]) and len(doc["sessions"]) == n, n
	assert doc.get("stale") is False, doc.get("stale")
EOF

say "starting the baseline (bench/fcgi-constant, $WORKERS workers, $(stat -c %s "$BODY")-byte body)"
BASE_SOCK=$TMP/run/gamewatch/constant.sock
"$BUILD/bench/fcgi-constant" --body "$BODY" --listen "unix:$BASE_SOCK" --workers "$WORKERS" \
	--pidfile "$TMP/run/gamewatch/constant.pid" </dev/null >>"$TMP/log/constant.log" 2>&1 &
BASE_POOL_PID=$!
gw_record constant "$BASE_POOL_PID"
for i in $(seq 1 100); do [ -S "$BASE_SOCK" ] && break; sleep 0.1; done
[ -S "$BASE_SOCK" ] || die "fcgi-constant did not create its socket"
start_lighttpd baseline "$BASE_SOCK"
BASE_URL=$LIGHTTPD_URL$URL_PATH BASE_LIGHTTPD_PID=$LIGHTTPD_PID
curl -sS "${ENC_HDR[@]}" -o "$TMP/baseline-body.json" -D "$OUT/baseline-headers.txt" "$BASE_URL" \
	|| die "curl $BASE_URL"
cmp -s "$BODY" "$TMP/baseline-body.json" || die "the baseline's body differs from the app's"

# ---------------------------------------------------------------- load
# CPU time of the serving processes around each run (report.py --cpu), to
# tell where a request's time goes: workers, lighttpd, Redis, whole machine.
REDIS_PID=$(awk '$1 == "redis" {print $2; exit}' "$TMP/pids")
run_wrk() {  # FILE-LABEL URL CONNS SECONDS [POOL-PID LIGHTTPD-PID]
	local f=$OUT/wrk-$1.txt cpu=$OUT/cpu-$1.jsonl
	rm -f "$cpu"
	[ -n "${5:-}" ] && python3 "$SRC/bench/report.py" --cpu "$cpu" pool="$5" lighttpd="$6" redis="$REDIS_PID"
	timeout $(( $4 + 30 )) wrk -t"$THREADS" -c"$3" -d"$4s" --latency "${ENC_HDR[@]}" "$2" >"$f" 2>&1 \
		|| { cat "$f" >&2; die "wrk failed ($1)"; }
	[ -n "${5:-}" ] && python3 "$SRC/bench/report.py" --cpu "$cpu" pool="$5" lighttpd="$6" redis="$REDIS_PID"
	printf 'bench: %-20s %10s req/s  p50 %8s  p99 %8s\n' "$1" \
		"$(awk '/Requests\/sec/ {print $2}' "$f")" \
		"$(awk '$1 == "50%" {print $2}' "$f")" "$(awk '$1 == "99%" {print $2}' "$f")" >&2
}

wait_quiet
say "background CPU before the load: $BACKGROUND_CPU %"

say "warm-up (${WARMUP}s each)"
run_wrk warmup-app "$APP_URL" 32 "$WARMUP"
run_wrk warmup-baseline "$BASE_URL" 32 "$WARMUP"
for c in $CONNS; do
	for r in $(seq 1 "$REPEATS"); do
		run_wrk "app-c$c-$r" "$APP_URL" "$c" "$DURATION" "$APP_POOL_PID" "$APP_LIGHTTPD_PID"
		run_wrk "baseline-c$c-$r" "$BASE_URL" "$c" "$DURATION" "$BASE_POOL_PID" "$BASE_LIGHTTPD_PID"
	done
done

# The app's answer must not have changed under load (same bytes as the baseline's).
curl -sS "${ENC_HDR[@]}" -o "$TMP/app-body-after.json" "$APP_URL" && cmp -s "$BODY" "$TMP/app-body-after.json" \
	|| say "warning: the app's body changed during the run"
grep -E 'ERROR|WARNING' "$TMP/log/pool.log" | head -n 5 >&2

# ---------------------------------------------------------------- profile (optional)
# perf (DWARF call graphs) on one worker of each pool under -c32 load:
# OUTDIR/perf-<app|baseline>-worker.txt (self time by symbol) and
# ...-children.txt (inclusive time: which of our functions the time is under).
profile_worker() {  # NAME POOL-PID URL
	local wpid
	wpid=$(ps -o pid= --ppid "$2" | head -n 1 | tr -d ' ')
	[ -n "$wpid" ] || return 0
	say "profiling $1 worker $wpid under -c32 load (perf record --call-graph dwarf, 8 s)"
	timeout 40 wrk -t"$THREADS" -c32 -d11s "$3" >"$OUT/wrk-profile-$1.txt" 2>&1 &
	local wrk_pid=$!
	sleep 1
	timeout 30 perf record -q -F 1999 --call-graph dwarf,16384 -p "$wpid" -o "$TMP/perf-$1.data" \
		-- sleep 8 >/dev/null 2>&1
	wait "$wrk_pid"
	perf report -i "$TMP/perf-$1.data" --no-children --percent-limit 0.7 --stdio -g none \
		--sort dso,symbol >"$OUT/perf-$1-worker.txt" 2>/dev/null
	perf report -i "$TMP/perf-$1.data" --children --percent-limit 1 --stdio -g none \
		--sort symbol >"$OUT/perf-$1-worker-children.txt" 2>/dev/null
}
if [ "${BENCH_PROFILE:-0}" = 1 ] && command -v perf >/dev/null; then
	profile_worker app "$APP_POOL_PID" "$APP_URL"
	profile_worker baseline "$BASE_POOL_PID" "$BASE_URL"
	say "perf reports in $OUT/perf-*-worker*.txt"
fi

# ---------------------------------------------------------------- report
export BENCH_SRC=$SRC BENCH_BUILD=$BUILD BENCH_SERVICES=$SERVICES BENCH_LOBBY=$LOBBY \
	BENCH_BODY=$BODY BENCH_SESSIONS=$SESSIONS BENCH_SEED=$SEED BENCH_WORKERS=$WORKERS \
	BENCH_THREADS=$THREADS BENCH_DURATION=$DURATION BENCH_WARMUP=$WARMUP \
	BENCH_REPEATS=$REPEATS BENCH_CONNS="$CONNS" BENCH_POLL_RUNS=$POLL_RUNS URL_PATH \
	BENCH_ENCODING=$ENCODING \
	BENCH_POLL_BACKGROUND_CPU=$POLL_BACKGROUND_CPU \
	BENCH_BACKGROUND_CPU=$BACKGROUND_CPU BENCH_BACKGROUND_CPU_AFTER=$(cpu_busy_pct 2)
python3 "$SRC/bench/report.py" --env "$OUT" || die "report failed"
python3 "$SRC/bench/report.py" "$OUT" || die "report failed"
ok=1
