#!/usr/bin/env bash
# t69: regression tests for the faults of issue 9 (credentials in the lobby
# URL, a hung Redis, ETags, bidi text, keys with '/', impossible dates,
# '.../undefined' seed images).
exec python3 "$SRCDIR/tests/integration/t69_bzcc_faults.py"
