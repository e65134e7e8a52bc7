#!/usr/bin/env bash
# t80: a database written by the previous main (one-folder migrations)
# upgrades in place with every row kept (t80_upgrade.py).
exec python3 "$SRCDIR/tests/integration/t80_upgrade.py"
