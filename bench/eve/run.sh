#!/usr/bin/env bash
# bench/eve/run.sh: the eve module's two figures (bench/README.md, "EVE").
#
#  1. Import rate: `gamewatch-job eve-import` of N generated killmails (ESI
#     JSON lines: decode, dedupe, COPY through staging) against a raw COPY of
#     the same rows (bench/eve/gen.py writes both) into the same indexed,
#     partitioned tables. Goal: import >= 50 % of the raw COPY's rate.
#  2. Clustering: bench/eve/cluster-bench on 1 million killmails generated
#     from the real ones. Goal: under 10 s; peak memory reported.
#
# Usage: bench/eve/run.sh [BUILD_DIR]   (default build/, after ./dev build)
# Env: BENCH_EVE_KILLS (import size, default 20000), BENCH_EVE_CLUSTER
#      (clustering size, default 1000000). Uses a private PostgreSQL in a
#      mktemp -d (tests/lib/services.sh), stopped on exit.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd -P)
BUILD=$(cd "${1:-$SRC/build}" && pwd -P)
N=${BENCH_EVE_KILLS:-20000}
NC=${BENCH_EVE_CLUSTER:-1000000}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gw-bench-eve.XXXXXX")
export SRCDIR=$SRC BUILD_DIR=$BUILD
# shellcheck source=../../tests/lib/services.sh
. "$SRC/tests/lib/services.sh"
trap 'gw_stop_all "$TMP" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
gw_services_init "$TMP"
GW_PG_FSYNC=off gw_pg_start >/dev/null
gw_app_env "$SRC"
J=$BUILD/gamewatch-job
"$J" migrate >"$TMP/migrate.log" 2>&1
"$J" eve-static >"$TMP/static.log" 2>&1

python3 "$SRC/bench/eve/gen.py" "$N" "$TMP/gen" "$SRC"
COLS_KM="killmail_id, killmail_time, system_id, hash, victim_character_id, victim_corporation_id,
 victim_alliance_id, victim_faction_id, victim_ship_type_id, damage_taken, attacker_count, war_id,
 total_value, value_source, fitted_value, dropped_value, destroyed_value, points, npc, solo, awox,
 location_id, source"
COLS_ATT="killmail_id, killmail_time, character_id, corporation_id, alliance_id, faction_id,
 ship_type_id, weapon_type_id, damage_done, final_blow, security_status"
empty() {
	psql "$DATABASE_URL" -Xq -c "TRUNCATE eve.killmail_ids, eve.killmails, eve.attackers" >/dev/null
	psql "$DATABASE_URL" -Xq -c "VACUUM ANALYZE" >/dev/null 2>&1
}
ms() { date +%s%3N; }

# warm-up: creates the monthly partitions both runs then share
"$J" eve-import "$TMP/gen/killmails.jsonl" >"$TMP/warm.log" 2>&1
empty
t0=$(ms)
"$J" eve-import "$TMP/gen/killmails.jsonl" >"$TMP/import.log" 2>&1
t1=$(ms)
grep -o "[0-9]* read, [0-9]* new.*done" "$TMP/import.log" | tail -1
empty
t2=$(ms)
psql "$DATABASE_URL" -Xq -v ON_ERROR_STOP=1 \
	-c "\\copy eve.killmail_ids (killmail_id, killmail_time) FROM '$TMP/gen/ids.tsv'" \
	-c "\\copy eve.killmails ($(echo $COLS_KM)) FROM '$TMP/gen/killmails.tsv'" \
	-c "\\copy eve.attackers ($(echo $COLS_ATT)) FROM '$TMP/gen/attackers.tsv'"
t3=$(ms)
rows_att=$(wc -l <"$TMP/gen/attackers.tsv")
python3 - "$N" "$rows_att" "$((t1 - t0))" "$((t3 - t2))" <<'EOF'
import sys
n, att, imp, raw = (int(x) for x in sys.argv[1:])
print("import:   %d killmails (%d attacker rows) in %d ms = %.0f killmails/s" % (n, att, imp, n * 1000 / imp))
print("raw COPY: the same rows in %d ms = %.0f killmails/s" % (raw, n * 1000 / raw))
print("import / raw COPY = %.0f %% (goal >= 50 %%)" % (100.0 * raw / imp))
EOF

cc -O2 -std=c11 -D_GNU_SOURCE -I"$SRC" -I"$SRC/core" $(pkg-config --cflags json-c) \
	"$SRC/bench/eve/cluster-bench.c" "$BUILD/libgamewatch.a" $(pkg-config --libs json-c zlib) -lm \
	-o "$TMP/cluster-bench"
"$TMP/cluster-bench" "$NC" "$SRC"
