#!/usr/bin/env bash
# t91: a client that stops reading is dropped to a snapshot; readers get every patch.
exec python3 "$SRCDIR/tests/integration/t91_stream_slow.py"
