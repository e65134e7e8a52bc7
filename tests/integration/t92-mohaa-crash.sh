#!/usr/bin/env bash
# t92: under load, kill -9 the MOHAA ingest job and restart Redis (twice each);
# afterwards every event answered 202 is stored exactly once.
exec python3 "$SRCDIR/tests/integration/t92_mohaa_crash.py"
