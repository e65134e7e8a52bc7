#!/usr/bin/env bash
# t65: the module boundary seen from outside: BZCC pages under /bzcc/, the
# old root URLs as permanent redirects, the front page, GW_MODULES.
exec python3 "$SRCDIR/tests/integration/t65_modules.py"
