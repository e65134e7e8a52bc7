#!/usr/bin/env bash
# t61: upstream failures (500, timeout, Retry-After, garbage, bad pictures):
# retried on schedule, parked, nothing bad stored, circuit breakers.
exec python3 "$SRCDIR/tests/integration/t61_enrich_failures.py"
