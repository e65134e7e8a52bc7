#!/usr/bin/env bash
# t90: the eve module on the real killmails: static import, bulk imports
# (JSON lines, .gz, tar.bz2, R2Z2 day file, broken lines), incremental
# clustering checked against an independent computation, API and pages.
exec python3 "$SRCDIR/tests/integration/t90_eve.py"
