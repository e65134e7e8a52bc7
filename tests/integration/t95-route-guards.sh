#!/usr/bin/env bash
# t95: walks the route table: every state-changing or role route refused
# without a session, with a wrong role and with a missing or wrong CSRF
# token, and nothing changes in the database.
exec python3 "$SRCDIR/tests/integration/t95_route_guards.py"
