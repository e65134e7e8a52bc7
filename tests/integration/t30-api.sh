#!/usr/bin/env bash
# t30: the JSON API and pages through every web server: ids, filters,
# errors, history summary, health.
exec python3 "$SRCDIR/tests/integration/t30_api.py"
