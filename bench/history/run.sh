#!/usr/bin/env bash
# bench/history/run.sh: history at scale (issues 3 and 9), see bench/README.md.
#
#  1. builds gamewatch.fcgi and gamewatch-job out of tree (like bench/run.sh);
#  2. starts a private PostgreSQL 15, Redis, the app's pool and lighttpd on
#     free 127.0.0.1 ports (tests/lib/services.sh) and migrates;
#  3. replays the real captures (tests/data/bzcc/{lobby,msl-api-v1}) with
#     `poll-bzcc --replay` into a scratch database and copies their sessions
#     and accounts out as templates (schema bench);
#  4. plans one year of 5-second polls ending now (plan.sql) and loads it as
#     the poller would have stored it up to one hour ago: sessions, players
#     and stays with the poller's rules (load.sql); polls and the snapshots
#     of each month streamed with COPY ... TO STDOUT | COPY ... FREEZE into
#     new tables (wal_level minimal while loading), the month's indexes
#     built after, attached as partitions; then the settings are reset,
#     PostgreSQL restarted, VACUUM (ANALYZE);
#  5. times `gamewatch-job rollup --full`, appends the last hour of polls,
#     times an incremental `gamewatch-job rollup`;
#  6. requests every history endpoint and page through lighttpd with curl
#     (one connection, BENCH_HIST_WARMUP requests, then BENCH_HIST_REQUESTS
#     timed ones: p50/p99; wrk -c1 for 10 s on two of them as a cross-check)
#     and EXPLAINs (ANALYZE, BUFFERS) the statements each endpoint and the
#     incremental rollup ran, taken from the PostgreSQL log (explain.py);
#     with BENCH_HIST_BASELINE_BUILD, the same again with that build's pool;
#  7. writes bench/out/history/ and stops everything it started.
#
# Env (defaults): BENCH_BUILD_DIR (/tmp/gamewatch-histbench-build), BENCH_OUT
# (bench/out/history), BENCH_HIST_SNAPSHOTS (75700000 snapshot rows: a year
# of a lobby with 12 sessions open on average), BENCH_HIST_PLAYERS (one per
# 2 100 snapshot rows), BENCH_HIST_TOP (10), BENCH_HIST_SEED (0.42),
# BENCH_HIST_REQUESTS (600 per endpoint), BENCH_HIST_WARMUP (100),
# BENCH_WORKERS (4), BENCH_PG_FSYNC (on), BENCH_HIST_FAST_LOAD (1),
# BENCH_HIST_BASELINE_BUILD (a build dir; its requests:
# BENCH_HIST_BASELINE_REQUESTS 100, BENCH_HIST_BASELINE_WARMUP 10),
# BENCH_SKIP_BUILD=1, BENCH_KEEP_TMP=1, BENCH_HIST_INDEX (an extra CREATE
# INDEX statement to try: the endpoints are measured again after it).
set -uo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd -P)
HERE=$SRC/bench/history
BUILD=${BENCH_BUILD_DIR:-/tmp/gamewatch-histbench-build}
OUT=${BENCH_OUT:-$SRC/bench/out/history}
# a year of 5-second polls of a lobby with 12 sessions open on average
TARGET=${BENCH_HIST_SNAPSHOTS:-75700000}
# 3 000 players per 6.3 M snapshots (one open session on average), so that
# a player's share of the play stays what the real captures suggest
NPLAYERS=${BENCH_HIST_PLAYERS:-$(( (TARGET + 2099) / 2100 ))}
TOP=${BENCH_HIST_TOP:-10}       # the busiest players, equally busy (Zipf flattened above)
FAST=${BENCH_HIST_FAST_LOAD:-1} # bulk-load settings while loading (reset before measuring)
SEED=${BENCH_HIST_SEED:-0.42}
NREQ=${BENCH_HIST_REQUESTS:-600}
NWARM=${BENCH_HIST_WARMUP:-100}
WORKERS=${BENCH_WORKERS:-4}

say() { printf 'bench-history: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
now_ms() { date +%s%3N; }

for tool in wrk lighttpd curl redis-server python3 make psql; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done

# ---------------------------------------------------------------- build
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
	[ -x "$SRC/configure" ] || (cd "$SRC" && autoreconf -fi) >/dev/null 2>&1 || die "autoreconf failed"
	mkdir -p "$BUILD"
	if [ ! -f "$BUILD/Makefile" ]; then
		(cd "$BUILD" && "$SRC/configure" -q) >"$BUILD/configure.log" 2>&1 || die "configure failed"
	fi
	for attempt in 1 2 3 4; do
		make -C "$BUILD" -j2 gamewatch.fcgi gamewatch-job share.stamp >"$BUILD/make.log" 2>&1 && break
		[ "$attempt" = 4 ] && die "build failed (see $BUILD/make.log)"
		say "build failed (attempt $attempt); retrying in 30 s"; sleep 30
	done
fi
JOB=$BUILD/gamewatch-job

# ---------------------------------------------------------------- services
. "$SRC/tests/lib/services.sh" || die "tests/lib/services.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gw-histbench.XXXXXX") || die mktemp
ok=0
cleanup() {
	trap - EXIT INT TERM
	say "stopping everything started in $TMP"
	gw_stop_all "$TMP" >/dev/null 2>&1
	if [ "$ok" = 1 ] && [ "${BENCH_KEEP_TMP:-0}" != 1 ]; then rm -rf "$TMP"; else say "state kept in $TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
rm -f "$OUT"/*.txt "$OUT"/*.tsv "$OUT"/*.log "$OUT"/*.md "$OUT"/*.json

gw_services_init "$TMP" || die "init"
GW_PG_FSYNC=${BENCH_PG_FSYNC:-on} gw_pg_start >/dev/null || die "PostgreSQL did not start"
gw_redis_start || die "Redis did not start"
gw_share "$BUILD" || die "staging the build for the service user"
gw_app_env "$SRC"
export GW_RUN_DIR=$TMP/run
SU() { gw__as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$GW_PG_SOCKDIR" -p "$GW_PG_PORT" -d "${1:-gamewatch}" "${@:2}"; }
Q() { psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" "$@"; }
QA() { psql -X -qAt -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "$1"; }
"$JOB" migrate >"$OUT/migrate.log" 2>&1 || { cat "$OUT/migrate.log" >&2; die "migrate failed"; }

cpu_busy_pct() {  # SECONDS -> percent of all CPUs busy
	local a b
	a=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat); sleep "$1"
	b=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
	echo "$a $b" | awk '{ b = $3 - $1; i = $4 - $2; printf "%d", (b + i) ? 100 * b / (b + i) : 0 }'
}
declare -A R  # results, written to results.tsv
rec() { R[$1]=$2; printf '%s\t%s\n' "$1" "$2" >>"$OUT/results.tsv"; say "$1 = $2"; }
rec background_cpu_start_pct "$(cpu_busy_pct 2)"

# ---------------------------------------------------------------- templates
say "replaying the real captures into a scratch database"
SU postgres -c "CREATE DATABASE gwtpl OWNER gamewatch" || die "create gwtpl"
TPL_URL=${DATABASE_URL%/gamewatch}/gwtpl
mkdir -p "$TMP/captures"
cp "$SRC"/tests/data/bzcc/msl-api-v1/*.json "$SRC"/tests/data/bzcc/lobby/*.json "$TMP/captures/"
DATABASE_URL=$TPL_URL "$JOB" migrate >>"$OUT/migrate.log" 2>&1 || die "migrate gwtpl"
DATABASE_URL=$TPL_URL "$JOB" poll-bzcc --replay "$TMP/captures" >"$OUT/replay.log" 2>&1
grep -q "replayed [0-9]* of" "$OUT/replay.log" || { tail "$OUT/replay.log" >&2; die "replay failed"; }
Q <<-'EOF' || die "bench schema"
	CREATE SCHEMA bench;
	CREATE TABLE bench.tpl_session (tid int PRIMARY KEY, source text, name text, map_file text,
		map_key text, mod_id text, mods text[], version text, game_type int, game_mode int,
		game_mode_name text, nat_type int, locked bool, has_password bool, player_count int,
		max_players int, data jsonb);
	CREATE TABLE bench.tpl_player (provider text, external_id text, name text);
EOF
psql -X -q "$TPL_URL" -c "\copy (SELECT row_number() OVER (ORDER BY first_seen_at, id), source, name, map_file, map_key, mod_id, mods, version, game_type, game_mode, game_mode_name, nat_type, locked, has_password, player_count, max_players, data - 'players' FROM bzcc.sessions) TO STDOUT" \
	| Q -c "\copy bench.tpl_session FROM STDIN" || die "templates"
psql -X -q "$TPL_URL" -c "\copy (SELECT provider, external_id, last_name FROM identities) TO STDOUT" \
	| Q -c "\copy bench.tpl_player FROM STDIN" || die "templates"
SU postgres -c "DROP DATABASE gwtpl" || die "drop gwtpl"
rec template_sessions "$(QA 'SELECT count(*) FROM bench.tpl_session')"
rec template_accounts "$(QA 'SELECT count(*) FROM bench.tpl_player')"

# ---------------------------------------------------------------- generate and load
T2=$(( $(date +%s) / 5 * 5 ))   # the last poll: now
T0=$(( T2 - 365 * 86400 ))      # the first poll: a year ago
C1=$(( T2 - 3600 ))             # loaded first; the last hour is appended later
SNAP_COLS="session_id, taken_at, state, player_count, max_players, minutes_in_state, map_key, mod_id, player_keys"
POLL_COLS="taken_at, source_url, kind, ok, error, sessions, players, skipped, bytes, duration_ms"
PGLOG=$GW_PG_SOCKDIR/postgresql.log
pg_restart() {
	gw__as_postgres "$GW_PG_BINDIR/pg_ctl" -D "$GW_PG_DATA" -w -t 300 -l "$PGLOG" restart >/dev/null
}
# Bulk loading: no WAL for tables created in the loading transaction
# (wal_level minimal), no checkpoints or autovacuum in the middle, big
# sorts for the index builds. Reset to the defaults (and restarted) before
# anything is measured.
if [ "$FAST" = 1 ]; then
	SU gamewatch -c "ALTER SYSTEM SET wal_level = minimal" -c "ALTER SYSTEM SET max_wal_senders = 0" \
		-c "ALTER SYSTEM SET max_wal_size = '32GB'" -c "ALTER SYSTEM SET checkpoint_timeout = '1h'" \
		-c "ALTER SYSTEM SET autovacuum = off" -c "ALTER SYSTEM SET maintenance_work_mem = '1GB'" \
		-c "ALTER SYSTEM SET synchronous_commit = off" >/dev/null || die "tuning"
	pg_restart || die "restart for loading"
fi
load_meta() {  # PREV CUT: sessions, players, stays, maps, mods (load.sql)
	Q -v t0="$T0" -v prev="$1" -v cut="$2" -f "$HERE/load.sql" >>"$OUT/load.log"
}
append_rows() {  # PREV CUT: load_meta, then the snapshots and polls of (PREV, CUT]
	load_meta "$1" "$2" || return 1
	Q -c "INSERT INTO bzcc.session_snapshots ($SNAP_COLS) SELECT * FROM bench.v_snap" \
	  -c "INSERT INTO bzcc.polls ($POLL_COLS) SELECT * FROM bench.v_polls"
}
# One month of snapshots, streamed by one backend into another (both
# cores) with COPY ... FREEZE into a new table, then its indexes, then
# attached as the month's partition (a CHECK constraint spares the scan).
load_month() {  # NAME FROM-EPOCH TO-EPOCH
	local part=$1 a=$2 b=$3
	Q -c "DROP TABLE IF EXISTS bzcc.$part" || return 1
	psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "\copy (SELECT s.id, to_timestamp(g), seg.state,
		seg.player_count, t.max_players, least(255, (g - seg.state_since) / 60)::int, t.map_key,
		t.mod_id, coalesce(seg.keys, '{}') FROM (SELECT * FROM bench.seg WHERE t_from < $b
		AND t_to >= $a AND t_from <= $C1 ORDER BY t_from) seg JOIN bench.s s ON s.sid = seg.sid
		JOIN bench.tpl_session t ON t.tid = s.tid,
		generate_series(greatest(seg.t_from, $a, $T0), least(seg.t_to, $b - 5, $C1), 5) g) TO STDOUT" \
	| psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" \
		-c "BEGIN" -c "CREATE TABLE bzcc.$part (LIKE bzcc.session_snapshots INCLUDING DEFAULTS)" \
		-c "\copy bzcc.$part ($SNAP_COLS) FROM STDIN WITH (FREEZE)" -c "COMMIT" || return 1
}
index_month() {  # NAME FROM-EPOCH TO-EPOCH
	local part=$1 a=$2 b=$3
	Q -c "ALTER TABLE bzcc.$part ADD PRIMARY KEY (session_id, taken_at)" \
	  -c "CREATE INDEX ON bzcc.$part (taken_at)" \
	  -c "ALTER TABLE bzcc.$part ADD CONSTRAINT ${part}_bound CHECK (taken_at >= '$a' AND taken_at < '$b')" \
	  -c "ALTER TABLE bzcc.session_snapshots ATTACH PARTITION bzcc.$part FOR VALUES FROM ('$a') TO ('$b')" \
	  -c "ALTER TABLE bzcc.$part DROP CONSTRAINT ${part}_bound"
}

LOAD_T0=$(now_ms)
Q -c "SELECT gw_ensure_month_partitions('bzcc.player_session_events', to_timestamp($T0), 13)" \
	>/dev/null || die "partitions"
say "planning $TARGET snapshot rows, $NPLAYERS players (plan.sql)"
t=$(now_ms)
Q -v t0="$T0" -v t2="$T2" -v target="$TARGET" -v nplayers="$NPLAYERS" -v seed="$SEED" \
	-v top="$TOP" -f "$HERE/plan.sql" >"$OUT/plan.log" || die "plan.sql failed"
rec plan_ms $(( $(now_ms) - t ))
cat "$OUT/plan.log" >&2
say "loading up to $(date -u -d @$C1 +%FT%TZ): sessions, players, stays (load.sql)"
t=$(now_ms)
load_meta $(( T0 - 5 )) "$C1" || die "load.sql failed"
rec load_meta_ms $(( $(now_ms) - t ))
say "polls (one every 5 s), COPY ... FREEZE"
t=$(now_ms)
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "SET work_mem = '256MB'" \
	-c "\copy (SELECT * FROM bench.v_polls) TO STDOUT" \
| psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "BEGIN" -c "TRUNCATE bzcc.polls" \
	-c "\copy bzcc.polls ($POLL_COLS) FROM STDIN WITH (FREEZE)" -c "COMMIT" || die "polls"
rec load_polls_ms $(( $(now_ms) - t ))
# the months from T0's to C1's, bounds as gw_ensure_month_partitions() makes them
QA "SELECT format('session_snapshots_y%sm%s', to_char(m AT TIME ZONE 'UTC', 'YYYY'),
	to_char(m AT TIME ZONE 'UTC', 'MM')), extract(epoch FROM m)::bigint,
	extract(epoch FROM m + interval '1 month')::bigint, m, m + interval '1 month'
	FROM (SELECT (date_trunc('month', to_timestamp($T0) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
	      + make_interval(months => i) AS m FROM generate_series(0, 13) i) x
	WHERE m <= to_timestamp($C1)" | tr '|' '\t' >"$TMP/months.tsv"
say "snapshots: $(wc -l <"$TMP/months.tsv") months, COPY ... FREEZE into new tables"
t=$(now_ms)
while IFS=$'\t' read -r part a b ta tb; do
	load_month "$part" "$a" "$b" || die "snapshots of $part"
done <"$TMP/months.tsv"
rec load_snapshots_ms $(( $(now_ms) - t ))
say "snapshots: indexes, attach"
t=$(now_ms)
while IFS=$'\t' read -r part a b ta tb; do
	index_month "$part" "$ta" "$tb" || die "indexes of $part"
done <"$TMP/months.tsv"
rec index_snapshots_ms $(( $(now_ms) - t ))
Q -c "SELECT gw_ensure_month_partitions('bzcc.session_snapshots', to_timestamp($T0), 13)
	+ gw_ensure_month_partitions('bzcc.player_session_events', to_timestamp($T0), 13) AS created" \
	>"$OUT/partitions.log" || die "partitions"
if [ "$FAST" = 1 ]; then
	SU gamewatch -c "ALTER SYSTEM RESET ALL" >/dev/null || die "reset"
	t=$(now_ms)
	pg_restart || die "restart with the defaults"
	rec restart_ms $(( $(now_ms) - t ))
fi
t=$(now_ms)
Q -c "VACUUM (ANALYZE)" || die "vacuum analyze"
rec vacuum_analyze_ms $(( $(now_ms) - t ))
rec load_total_ms $(( $(now_ms) - LOAD_T0 ))

sizes() {  # -> sizes.txt
	Q <<-'EOF'
		SELECT c.relname AS "table", to_char(CASE WHEN c.relkind = 'p' THEN
		         (SELECT sum(p.reltuples) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
		           WHERE i.inhparent = c.oid) ELSE c.reltuples END, 'FM999G999G999') AS "rows (estimate)",
		       pg_size_pretty(CASE WHEN c.relkind = 'p' THEN
		         (SELECT sum(pg_table_size(i.inhrelid)) FROM pg_inherits i WHERE i.inhparent = c.oid)
		         ELSE pg_table_size(c.oid) END) AS "heap+toast",
		       pg_size_pretty(CASE WHEN c.relkind = 'p' THEN
		         (SELECT sum(pg_indexes_size(i.inhrelid)) FROM pg_inherits i WHERE i.inhparent = c.oid)
		         ELSE pg_indexes_size(c.oid) END) AS indexes
		  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE n.nspname IN ('bzcc', 'public') AND c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
		   AND c.relname NOT LIKE 'enrich%' AND c.relname NOT LIKE 'asset%'
		 ORDER BY 1;
		SELECT 'session_snapshots' AS t, count(*) FROM bzcc.session_snapshots
		UNION ALL SELECT 'polls', count(*) FROM bzcc.polls
		UNION ALL SELECT 'sessions', count(*) FROM bzcc.sessions
		UNION ALL SELECT 'sessions live', count(*) FROM bzcc.sessions WHERE ended_at IS NULL
		UNION ALL SELECT 'session_players', count(*) FROM bzcc.session_players
		UNION ALL SELECT 'player_session_events', count(*) FROM bzcc.player_session_events
		UNION ALL SELECT 'players', count(*) FROM players
		UNION ALL SELECT 'identities', count(*) FROM identities
		UNION ALL SELECT 'maps', count(*) FROM bzcc.maps
		UNION ALL SELECT 'mods', count(*) FROM bzcc.mods;
		SELECT tableoid::regclass AS partition, count(*) FROM bzcc.session_snapshots GROUP BY 1 ORDER BY 1;
		SELECT pg_size_pretty(pg_database_size(current_database())) AS database_size;
	EOF
}
sizes >"$OUT/sizes-loaded.txt"
cat "$OUT/sizes-loaded.txt" >&2

# ---------------------------------------------------------------- rollups
rec background_cpu_before_rollup_pct "$(cpu_busy_pct 2)"
say "rollup --full"
t=$(now_ms)
"$JOB" rollup --full >"$OUT/rollup-full.log" 2>&1 || { cat "$OUT/rollup-full.log" >&2; die "rollup --full"; }
rec rollup_full_ms $(( $(now_ms) - t ))
cat "$OUT/rollup-full.log" >&2
say "appending the last hour of 5-second polls but 5 minutes"
C2=$(( T2 - 300 ))
t=$(now_ms)
append_rows "$C1" "$C2" || die "append failed"
rec append_hour_ms $(( $(now_ms) - t ))
# the incremental rollup's statements go to the log (explained below)
SU gamewatch -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
lo=$(stat -c %s "$PGLOG")
t=$(now_ms)
"$JOB" rollup >"$OUT/rollup-incremental.log" 2>&1 || { cat "$OUT/rollup-incremental.log" >&2; die "rollup"; }
rec rollup_incremental_ms $(( $(now_ms) - t ))
cat "$OUT/rollup-incremental.log" >&2
hi=$(stat -c %s "$PGLOG")
ROLLUP_LOG=("$lo" "$hi")
# the rollup runs every 5 minutes: measure with the worst case, the last
# 5 minutes of polls not rolled up yet (pages then count those from the
# raw rows)
append_rows "$C2" "$T2" || die "append of the last 5 minutes failed"
sizes >"$OUT/sizes.txt"

# ---------------------------------------------------------------- endpoints
gw_pool_start "$BUILD" "$SRC" "$WORKERS" || die "pool"
gw_lighttpd_start "$BUILD" "$SRC" || die "lighttpd"
BASE=$GW_LIGHTTPD_URL
BUSY=$(QA "SELECT player_id FROM bzcc.player_session_events GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
rec busy_player_id "$BUSY"
rec busy_player_stays "$(QA "SELECT count(*) FROM bzcc.player_session_events WHERE player_id = $BUSY")"
rec busy_player_sessions "$(QA "SELECT count(DISTINCT session_id) FROM bzcc.player_session_events WHERE player_id = $BUSY")"
BUSY_REF=$(QA "SELECT provider || ':' || external_id FROM identities WHERE player_id = $BUSY ORDER BY first_seen_at, id LIMIT 1")
MAP=$(QA "SELECT map_key FROM bzcc.sessions GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
rec popular_map "$MAP"
rec popular_map_sessions "$(QA "SELECT count(*) FROM bzcc.sessions WHERE map_key = '$MAP'")"
FROM=$(date -u -d "@$(( $(date +%s) - 30 * 86400 ))" +%FT%TZ)
TO=$(date -u +%FT%TZ)
rec month_sessions "$(QA "SELECT count(*) FROM bzcc.sessions WHERE first_seen_at >= '$FROM' AND first_seen_at < '$TO'")"
QA "SELECT '/api/v1/players/' || id FROM (SELECT DISTINCT player_id AS id FROM bzcc.player_session_events) p
	ORDER BY md5(id::text || '$SEED') LIMIT 200" >"$OUT/paths-random-player.txt"
LIST="/api/v1/history/sessions?from=$FROM&to=$TO"
# the page reached by following next_cursor 10 times
DEEP=$(python3 - "$BASE" "$LIST" <<-'EOF'
	import json, sys, urllib.request
	base, url = sys.argv[1], sys.argv[2]
	for _ in range(10):
	    doc = json.load(urllib.request.urlopen(base + url))
	    assert doc["next_url"], "fewer than 11 pages"
	    url = doc["next_url"]
	print(url)
EOF
) || die "following next_cursor"

MOD=$(QA "SELECT mod_id FROM bzcc.sessions GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
rec popular_mod "$MOD"
MAPQ=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=":"))' "$MAP")
# every history endpoint and page, with its default parameters, plus a
# few heavier variants (a year's window, a week of minutes, a search)
ENDPOINTS=(
	"sessions|/api/v1/history/sessions"
	"sessions-month|$LIST"
	"sessions-month-page11|$DEEP"
	"sessions-map|/api/v1/history/sessions?map=$MAPQ"
	"sessions-q|/api/v1/history/sessions?q=vsr"
	"sessions-q-rare|/api/v1/history/sessions?q=zzqx"
	"player-busy|/api/v1/players/$BUSY"
	"player-random|@$OUT/paths-random-player.txt"
	"player-daily-busy|/api/v1/history/players/$BUSY"
	"maps|/api/v1/maps"
	"maps-365d|/api/v1/maps?days=365"
	"map-popular|/api/v1/maps/$MAPQ"
	"mods|/api/v1/mods"
	"mod-popular|/api/v1/mods/$MOD"
	"analytics|/api/v1/analytics"
	"analytics-365d|/api/v1/analytics?days=365"
	"summary|/api/v1/history/summary"
	"summary-week|/api/v1/history/summary?minutes=10080"
	"page-history|/bzcc/history"
	"page-player-busy|/bzcc/players/$BUSY_REF"
	"page-maps|/bzcc/maps"
	"page-map-popular|/bzcc/maps/$MAPQ"
	"page-mods|/bzcc/mods"
	"page-mod-popular|/bzcc/mods/$MOD"
	"page-analytics|/bzcc/analytics"
)
paths_file() {  # SPEC -> file of paths
	local name=${1%%|*} spec=${1#*|}
	if [ "${spec:0:1}" = @ ]; then echo "${spec:1}"; else printf '%s\n' "$spec" >"$OUT/paths-$name.txt"; echo "$OUT/paths-$name.txt"; fi
}
for e in "${ENDPOINTS[@]}"; do
	f=$(paths_file "$e")
	code=$(curl -sS -o "$OUT/body-${e%%|*}.out" -w '%{http_code}' "$BASE$(head -n 1 "$f")")
	[ "$code" = 200 ] || die "${e%%|*}: HTTP $code for $(head -n 1 "$f")"
done

# EXPLAIN what each endpoint runs (one request each, statements from the log)
explain_endpoints() {  # LABEL-SUFFIX
	local e f lo hi
	for e in "${ENDPOINTS[@]}"; do
		f=$(paths_file "$e")
		lo=$(stat -c %s "$PGLOG")
		curl -sS -o /dev/null "$BASE$(head -n 1 "$f")"
		sleep 0.3
		hi=$(stat -c %s "$PGLOG")
		python3 "$HERE/explain.py" "$PGLOG" "$lo" "$hi" "${e%%|*}$1" "$OUT" >>"$OUT/explain-summary$1.tsv"
	done
}
explain_endpoints ""
python3 "$HERE/explain.py" "$PGLOG" "${ROLLUP_LOG[0]}" "${ROLLUP_LOG[1]}" rollup-incremental "$OUT" \
	--rollback >>"$OUT/explain-summary.tsv"
SU gamewatch -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
cat "$OUT/explain-summary.tsv" >&2

# N requests, one at a time on one kept-alive connection, with curl's
# time_total per request (paths drawn at random from the endpoint's file).
curl_series() {  # PATHS-FILE COUNT OUTFILE
	python3 - "$1" "$2" "$BASE" >"$TMP/curl.cfg" <<-'EOF'
		import random, sys
		paths = [l.strip() for l in open(sys.argv[1]) if l.strip()]
		for _ in range(int(sys.argv[2])):
		    print('url = "%s%s"\noutput = "/dev/null"' % (sys.argv[3], random.choice(paths)))
	EOF
	timeout 600 curl -sS -K "$TMP/curl.cfg" -w '%{http_code} %{time_total}\n' >"$3"
}
summarize() {  # FILE -> "requests=.. non200=.. p50_us=.. ..."
	python3 - "$1" <<-'EOF'
		import sys
		rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 2]
		t = sorted(float(r[1]) * 1e6 for r in rows) or [0]
		pct = lambda p: t[min(len(t) - 1, max(0, int(round(p / 100 * len(t) + 0.5)) - 1))]
		print("requests=%d errors=0 non200=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%d" % (
		    len(t), sum(r[0] != "200" for r in rows), pct(50), pct(90), pct(99), t[-1], sum(t) / len(t)))
	EOF
}
# Other work on the machine (2 shared cores) shows up in the tails: wait up
# to BENCH_HIST_QUIET_WAIT seconds (300) for it to drop under 25 %.
wait_quiet() {
	local i pct
	for i in $(seq 1 $(( ${BENCH_HIST_QUIET_WAIT:-300} / 5 ))); do
		pct=$(cpu_busy_pct 5)
		[ "$pct" -lt 25 ] && break
	done
	echo "$pct"
}
measure() {  # LABEL-SUFFIX
	local e name f line
	rec "background_cpu_before_load$1_pct" "$(wait_quiet)"
	for e in "${ENDPOINTS[@]}"; do
		name=${e%%|*}
		f=$(paths_file "$e")
		# a series that runs out of time counts the requests it finished
		curl_series "$f" "$NWARM" "$OUT/times-$name$1-warmup.txt" || say "warm-up $name: timed out"
		curl_series "$f" "$NREQ" "$OUT/times-$name$1.txt" || say "series $name: timed out"
		line=$(summarize "$OUT/times-$name$1.txt")
		rec "latency$1 $name" "$line loadavg=$(cut -d' ' -f1 /proc/loadavg)"
	done
	rec "background_cpu_after_load$1_pct" "$(cpu_busy_pct 2)"
	# and wrk (1 connection, 10 s) on the two goal endpoints, as a cross-check
	for name in player-busy sessions-month; do
		for e in "${ENDPOINTS[@]}"; do [ "${e%%|*}" = "$name" ] && f=$(paths_file "$e"); done
		timeout 40 wrk -t1 -c1 -d10s --latency -s "$HERE/requests.lua" "$BASE" -- "$f" 1000000 \
			>"$OUT/wrk-$name$1.txt" 2>&1 || die "wrk $name"
		rec "wrk$1 $name" "$(grep '^requests=' "$OUT/wrk-$name$1.txt")"
	done
}
measure ""

# The same requests answered by another build (BENCH_HIST_BASELINE_BUILD: a
# build dir of the code before the change, e.g. main): only the pool is
# swapped; lighttpd, the data and the database stay.
if [ -n "${BENCH_HIST_BASELINE_BUILD:-}" ]; then
	say "the same endpoints with $BENCH_HIST_BASELINE_BUILD/gamewatch.fcgi"
	gw__stop_pid pool "$GW_POOL_PID" "$(gw__starttime "$GW_POOL_PID" || echo 0)"
	gw_pool_start "$BENCH_HIST_BASELINE_BUILD" "$SRC" "$WORKERS" || die "baseline pool"
	# fewer requests: some of these take seconds on the old code
	NREQ=${BENCH_HIST_BASELINE_REQUESTS:-100} NWARM=${BENCH_HIST_BASELINE_WARMUP:-10}
	SU gamewatch -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
	sleep 0.5
	explain_endpoints "-baseline"
	SU gamewatch -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
	measure "-baseline"
fi

if [ -n "${BENCH_HIST_INDEX:-}" ]; then
	say "trying: $BENCH_HIST_INDEX"
	t=$(now_ms)
	Q -c "$BENCH_HIST_INDEX" -c "ANALYZE" || die "extra index"
	rec extra_index_ms $(( $(now_ms) - t ))
	SU gamewatch -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
	sleep 0.5
	explain_endpoints "-with-index"
	SU gamewatch -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
	measure "-with-index"
fi

# ---------------------------------------------------------------- environment
{
	echo "date_utc $(date -u +%FT%TZ)"
	echo "nproc $(nproc)"
	echo "cpu $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
	echo "mem $(free -g | awk '/Mem:/ {print $2}') GiB"
	echo "kernel $(uname -r)"
	echo "postgres $(QA 'SHOW server_version') shared_buffers=$(QA 'SHOW shared_buffers') work_mem=$(QA 'SHOW work_mem') fsync=$(QA 'SHOW fsync')"
	echo "lighttpd $(lighttpd -v 2>&1 | head -n 1)"
	echo "wrk $(wrk -v 2>&1 | head -n 1)"
	echo "workers $WORKERS"
	echo "t0 $(date -u -d @$T0 +%FT%TZ) t2 $(date -u -d @$T2 +%FT%TZ)"
	echo "git $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null)"
} >"$OUT/env.txt"
grep -E 'ERROR|WARNING' "$TMP/log/pool.log" | head -n 5 >&2
python3 "$HERE/report.py" "$OUT" >"$OUT/summary.md" || die "report"
cat "$OUT/summary.md"
ok=1
