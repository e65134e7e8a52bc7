#!/usr/bin/env bash
# t10: poll both raw RakNet captures and the MultiplayerSessionList responses
# through file://, then check the API, the pages and the database rows.
exec python3 "$SRCDIR/tests/integration/t10_poll_captures.py"
