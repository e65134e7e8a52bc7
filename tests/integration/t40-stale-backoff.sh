#!/usr/bin/env bash
# t40: the stale-data banner and the poller's backoff.
exec python3 "$SRCDIR/tests/integration/t40_stale_backoff.py"
