#!/usr/bin/env bash
# t90: Server-Sent Events through every web server: snapshot, minimal patch
# to several clients, Last-Event-ID resume, rooms, Origin, errors.
exec python3 "$SRCDIR/tests/integration/t90_stream.py"
