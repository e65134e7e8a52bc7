#!/usr/bin/env bash
# bench/mohaa/run.sh: the MOHAA ingest benchmark (bench/README.md, "MOHAA ingest").
#
#  1. Single-event requests per second: one original form body per request
#     (a kill, the tracker's shape) through lighttpd to the app's pool, into
#     the Redis stream with appendfsync always; against the constant FastCGI
#     responder (bench/fcgi-constant answering the same 202 body) behind an
#     identical lighttpd. wrk -t2 -cC -dD with a Lua POST script, twice each.
#  2. The fsync policy's cost: (1) again with Redis at appendfsync everysec
#     and no (MOHAA_ALLOW_NONDURABLE=1, since those do not keep the 202 promise).
#  3. Batched JSON events per second end to end into PostgreSQL: N events in
#     JSON arrays of B posted by 4 clients while `mohaa-ingest --forever`
#     runs, from the first POST until the last row is in mohaa.events;
#     against a raw COPY of the same rows (exported from mohaa.events) into a
#     table with the same columns and indexes.
#
# Env: BENCH_BUILD_DIR (the worktree's build/), BENCH_OUT (bench/out/mohaa, gitignored),
# BENCH_DURATION (15), BENCH_CONNS (32), BENCH_WORKERS (16, both pools), BENCH_EVENTS
# (200000), BENCH_BATCH (500), BENCH_PARTS ("single batched": which parts run),
# BENCH_REDIS (tcp or unix: how the app and the job reach Redis; default unix),
# BENCH_KEEP_TMP=1.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BENCH_BUILD_DIR:-$SRC/build}
OUT=${BENCH_OUT:-$SRC/bench/out/mohaa}
DURATION=${BENCH_DURATION:-15}
CONNS=${BENCH_CONNS:-32}
WORKERS=${BENCH_WORKERS:-16}
EVENTS=${BENCH_EVENTS:-200000}
BATCH=${BENCH_BATCH:-500}
PARTS=" ${BENCH_PARTS:-single batched} "
REDIS_VIA=${BENCH_REDIS:-unix}
say() { printf 'bench-mohaa: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
for tool in wrk lighttpd curl redis-server redis-cli psql python3; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done
make -C "$BUILD" -s gamewatch.fcgi gamewatch-job bench/fcgi-constant >/dev/null || die "build failed"
. "$SRC/tests/lib/services.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gamewatch-bench-mohaa.XXXXXX")
cleanup() {
	gw_stop_all "$TMP" >/dev/null 2>&1 || true
	[ "${BENCH_KEEP_TMP:-0}" = 1 ] && say "state kept in $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p "$OUT"
gw_services_init "$TMP"
GW_PG_FSYNC=on gw_pg_start >/dev/null
GW_REDIS_SOCKET=1 GW_REDIS_APPENDFSYNC=always gw_redis_start --persist
gw_share "$BUILD"
gw_app_env "$SRC"
"$BUILD/gamewatch-job" migrate >"$TMP/log/migrate.log" 2>&1 || die "migrate"
TOKEN=$("$BUILD/gamewatch-job" mohaa-server add bench 2>/dev/null)
# the app and the ingest job reach Redis this way; redis-cli keeps TCP
APP_REDIS_URL=$REDIS_URL
[ "$REDIS_VIA" = unix ] && APP_REDIS_URL=$GW_REDIS_SOCKET_URL

# one lighttpd in front of a FastCGI socket (the project's config, like bench/run.sh)
start_lighttpd() {  # NAME SOCKET -> LIGHTTPD_URL
	local name=$1 sock=$2 dir=$TMP/lighttpd-$1 port
	port=$(gw_free_port)
	mkdir -p "$dir"
	gw_render_conf "$SRC/apache/lighttpd.conf.in" "$dir/gamewatch.conf" "$GW_BIN_DIR" "$GW_SHARE_DIR"
	sed -i "s|\"$TMP/run/gamewatch/app.sock\"|\"$sock\"|" "$dir/gamewatch.conf"
	cat >"$dir/lighttpd.conf" <<-EOC
		server.modules += ( "mod_fastcgi", "mod_setenv" )
		server.bind = "127.0.0.1"
		server.port = $port
		server.errorlog = "$TMP/log/lighttpd-$name-error.log"
		server.max-connections = 1024
		include "$dir/gamewatch.conf"
	EOC
	lighttpd -D -f "$dir/lighttpd.conf" </dev/null >>"$TMP/log/lighttpd-$name.log" 2>&1 &
	gw_record "lighttpd-$name" $!
	LIGHTTPD_URL="http://127.0.0.1:$port"
	gw_wait_http "$LIGHTTPD_URL/healthz" 20 || die "lighttpd $name"
}

pool_start() {  # extra env assignments...
	# no 429 during the load: the job drains between runs; as root the
	# workers run as the service user, as in gw_pool_start
	(cd / && exec env MOHAA_INGEST_BACKLOG=1000000000 REDIS_URL="$APP_REDIS_URL" "$@" "$GW_BIN_DIR/gamewatch.fcgi" \
		--listen "unix:$TMP/run/gamewatch/app.sock" --workers "$WORKERS" ${GW_APP_USER:+--user "$GW_APP_USER"}) \
		</dev/null >>"$TMP/log/pool.log" 2>&1 &
	POOL_PID=$!
	gw_record pool $POOL_PID
	for _ in $(seq 1 100); do [ -S "$TMP/run/gamewatch/app.sock" ] && break; sleep 0.1; done
}
pool_stop() { kill "$POOL_PID"; wait "$POOL_PID" 2>/dev/null || true; rm -f "$TMP/run/gamewatch/app.sock"; }

redis_fsync() {  # POLICY: appendfsync now (CONFIG SET)
	redis-cli --no-auth-warning -u "$REDIS_URL" CONFIG SET appendfsync "$1" >/dev/null
	[ "$(redis-cli --no-auth-warning -u "$REDIS_URL" CONFIG GET appendfsync | sed -n 2p)" = "$1" ] || die "appendfsync $1"
}

BODY="type=kill&match_id=match_sess_0.05_0.05&timestamp=73.60&attacker_name=^1Sgt^7Rock&attacker_guid=allies&attacker_team=allies&attacker_x=-1184.25&attacker_y=2210.00&attacker_z=96.13&attacker_pitch=4.22&attacker_yaw=271.50&victim_name=Hans&victim_guid=axis&victim_team=axis&victim_x=-1190.80&victim_y=1702.44&victim_z=64.13&weapon=MOD_FAST_BULLET&hitloc=head&inflictor=player&server_token=$TOKEN&server_id=bench"
cat >"$TMP/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "$BODY"
EOF

pool_start
start_lighttpd app "$TMP/run/gamewatch/app.sock"
APP_URL=$LIGHTTPD_URL/api/v1/ingest/events
curl -s -o "$TMP/answer.json" -X POST --data-binary "$BODY" "$APP_URL"
grep -q '"status":"accepted"' "$TMP/answer.json" || die "the app did not accept: $(cat "$TMP/answer.json")"
# the baseline answers the app's 202 body, byte for byte (same length every time)
"$BUILD/bench/fcgi-constant" --body "$TMP/answer.json" --listen "unix:$TMP/run/gamewatch/constant.sock" \
	--workers "$WORKERS" </dev/null >>"$TMP/log/constant.log" 2>&1 &
gw_record constant $!
for _ in $(seq 1 100); do [ -S "$TMP/run/gamewatch/constant.sock" ] && break; sleep 0.1; done
start_lighttpd baseline "$TMP/run/gamewatch/constant.sock"
BASE_URL=$LIGHTTPD_URL/api/v1/ingest/events

drain() { REDIS_URL=$APP_REDIS_URL "$BUILD/gamewatch-job" mohaa-ingest --once --batch 500 >>"$TMP/log/ingest.log" 2>&1; }
rps() { awk '/^Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }
run_wrk() {  # LABEL URL
	local f="$OUT/wrk-$1.txt"
	timeout $((DURATION + 30)) wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$TMP/post.lua" "$2" >"$f"
	grep -q "Non-2xx" "$f" && say "warning: $1 had non-2xx answers: $(grep Non-2xx "$f")"
	echo "$(rps "$f") $(p99 "$f")"
}

: >"$OUT/results.tsv"
for policy in always everysec no; do
	case $PARTS in *" single "*) ;; *) break ;; esac
	redis_fsync "$policy"
	if [ "$policy" != always ]; then
		pool_stop
		pool_start MOHAA_ALLOW_NONDURABLE=1
	fi
	for rep in 1 2; do
		drain
		read -r a a99 < <(run_wrk "app-$policy-$rep" "$APP_URL")
		read -r b b99 < <(run_wrk "baseline-$policy-$rep" "$BASE_URL")
		printf 'single\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$policy" "$rep" "$a" "$a99" "$b" "$b99" \
			"$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/results.tsv"
	done
done
drain
redis_fsync always
pool_stop
pool_start

# ---------------------------------------------------------------- batched end to end
if [[ $PARTS == *" batched "* ]]; then
psql "$DATABASE_URL" -qAtc "TRUNCATE mohaa.events, mohaa.entries, mohaa.batches, mohaa.rounds, mohaa.player_matches,
	mohaa.matches, mohaa.players, mohaa.player_weapons, mohaa.player_maps, mohaa.player_weeks, mohaa.heat_cells,
	mohaa.player_achievements CASCADE"
python3 "$SRC/bench/mohaa/gen-batches.py" --events "$EVENTS" --batch "$BATCH" --out "$TMP/batches" --seed 12 \
	--weapons "$SRC/tests/data/mohaa/openmohaa_weapons.csv" --hitlocs "$SRC/tests/data/mohaa/openmohaa_hit_locations.csv"
GW_LOG_LEVEL=${BENCH_JOB_LOG_LEVEL:-info} REDIS_URL=$APP_REDIS_URL "$BUILD/gamewatch-job" mohaa-ingest --forever --batch 20 >>"$TMP/log/ingest.log" 2>&1 &
JOB=$!
gw_record ingest $JOB
e2e=$(python3 "$SRC/bench/mohaa/post-batches.py" --url "$APP_URL" \
	--token "$TOKEN" --dir "$TMP/batches" --clients 4 --events "$EVENTS" --database-url "$DATABASE_URL")
kill "$JOB"; wait "$JOB" 2>/dev/null || true
rows=$(psql "$DATABASE_URL" -qAtc "SELECT count(*) FROM mohaa.events")
[ "$rows" = "$EVENTS" ] || die "end to end: $rows rows, expected $EVENTS"

# the same rows by raw COPY into a table with the same columns and indexes
psql "$DATABASE_URL" -qAtc "\\copy (SELECT * FROM mohaa.events) TO '$TMP/events.copy'"
psql "$DATABASE_URL" -qAt >/dev/null <<'EOF'
DROP TABLE IF EXISTS public.bench_copy;
CREATE TABLE public.bench_copy (LIKE mohaa.events INCLUDING DEFAULTS) PARTITION BY RANGE (received_at);
CREATE TABLE public.bench_copy_default PARTITION OF public.bench_copy DEFAULT;
CREATE UNIQUE INDEX ON public.bench_copy (stream_id, idx, received_at);
CREATE INDEX ON public.bench_copy (match_id, occurred_at);
EOF
copy=$(python3 - "$DATABASE_URL" "$TMP/events.copy" <<'EOF'
import subprocess, sys, time
t = time.monotonic()
subprocess.run(["psql", sys.argv[1], "-qAtc", "\\copy public.bench_copy FROM '%s'" % sys.argv[2]], check=True)
print("%.3f" % (time.monotonic() - t))
EOF
)
n_copy=$(psql "$DATABASE_URL" -qAtc "SELECT count(*) FROM public.bench_copy")
printf 'batched\t%s\t%s\t%s\t%s\n' "$EVENTS" "$BATCH" "$e2e" "$copy" | tee -a "$OUT/results.tsv"
fi
python3 - "$OUT/results.tsv" "${n_copy:-0}" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
single = [r for r in rows if r[0] == "single"]
print("| Redis appendfsync | app req/s | p99 | constant responder req/s | p99 | app / constant | load avg |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for pol in ("always", "everysec", "no"):
    rs = [r for r in single if r[1] == pol]
    if not rs:
        continue
    a = sum(float(r[3]) for r in rs) / len(rs)
    b = sum(float(r[5]) for r in rs) / len(rs)
    print("| %s | %.0f | %s | %.0f | %s | %.0f %% | %s |" % (pol, a, "/".join(r[4] for r in rs), b,
                                                      "/".join(r[6] for r in rs), 100 * a / b,
                                                      "/".join(r[7] for r in rs)))
for r in rows:
    if r[0] == "batched":
        n, e2e, copy = int(r[1]), float(r[3]), float(r[4])
        print("\nbatched: %d events in arrays of %s: end to end %.2f s = %.0f events/s; raw COPY of the same"
              " %s rows %.2f s = %.0f rows/s; ratio %.0f %%" % (n, r[2], e2e, n / e2e, sys.argv[2], copy,
                                                               int(sys.argv[2]) / copy, 100 * (n / e2e) / (int(sys.argv[2]) / copy)))
EOF
