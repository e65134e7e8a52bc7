#!/usr/bin/env bash
# bench/metrics/run.sh: the cost of one /metrics scrape (its request part)
# with a synthetic table of 200 routes, against a baseline in the same run
# (the same lines written with buf_addf). bench/README.md, "/metrics at 200
# routes", explains the figures.
#
#   bench/metrics/run.sh [bench-metrics options]   e.g. --routes 400 --scrapes 5000
#
# Env: BENCH_BUILD_DIR (default: the checkout's build/, made by ./dev build;
# configured here when missing), BENCH_OUT (bench/out), BENCH_ROUNDS (3).
# Writes BENCH_OUT/metrics.txt; exits 1 when a round misses the goal
# (p50 < 1 ms per scrape).
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
BUILD=${BENCH_BUILD_DIR:-$SRC/build}
OUT=${BENCH_OUT:-$SRC/bench/out}
ROUNDS=${BENCH_ROUNDS:-3}

say() { printf '==> %s\n' "$*" >&2; }

if [ ! -f "$BUILD/Makefile" ]; then
	[ -x "$SRC/configure" ] || (cd "$SRC" && autoreconf -fi >/dev/null 2>&1)
	mkdir -p "$BUILD"
	say "configuring in $BUILD"
	(cd "$BUILD" && "$SRC/configure" -q)
fi
say "make bench/metrics/bench-metrics (in $BUILD)"
make -C "$BUILD" -s -j2 bench/metrics/bench-metrics >/dev/null
mkdir -p "$OUT"
{
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -m), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# CFLAGS: $(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile")"
} >"$OUT/metrics.txt"
rc=0
for i in $(seq 1 "$ROUNDS"); do
	echo "## round $i" >>"$OUT/metrics.txt"
	timeout 300 "$BUILD/bench/metrics/bench-metrics" "$@" >>"$OUT/metrics.txt" || rc=1
done
cat "$OUT/metrics.txt"
exit $rc
