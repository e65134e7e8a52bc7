#!/usr/bin/env bash
# t90: MOHAA ingest: the real sample payloads through every web server, tokens,
# malformed bodies (nothing partial stored), match-result, 429, the job's rows.
exec python3 "$SRCDIR/tests/integration/t90_mohaa_ingest.py"
