#!/usr/bin/env bash
# t92: Discord webhooks against a local fake receiver: create, edit, end, 429, 5xx.
exec python3 "$SRCDIR/tests/integration/t92_notify.py"
