#!/usr/bin/env bash
# t93: gamewatch-stream's FastCGI: GET_VALUES, keep-conn, no multiplexing, abort, per-address cap.
exec python3 "$SRCDIR/tests/integration/t93_stream_fcgi.py"
