#!/usr/bin/env bash
# t97: curation (proposals with validated pictures, review, live on the map
# page, re-mirroring, audit) and the admin tools (health, flags read by the
# jobs, caches, users and bans, audit log, lobby tester, logs, browsers).
exec python3 "$SRCDIR/tests/integration/t97_curation_admin.py"
