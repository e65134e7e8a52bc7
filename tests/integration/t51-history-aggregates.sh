#!/usr/bin/env bash
# t51: the history aggregates kept by `gamewatch-job rollup` (010) equal a
# recomputation from the raw rows, after polls of the real captures (in
# stages, incremental rollups) and after `rollup --full`; the player
# profile is exact before a rollup too; analytics' partial buckets.
exec python3 "$SRCDIR/tests/integration/t51_history_aggregates.py"
