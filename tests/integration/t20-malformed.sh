#!/usr/bin/env bash
# t20: malformed lobbies are rejected, logged and counted; the last good
# data stays served and no process crashes.
exec python3 "$SRCDIR/tests/integration/t20_malformed.py"
