#!/usr/bin/env bash
# t82: a minimal module (tests/modules/demo) added with one registry line
# builds, migrates, lists and serves its route and job (t82_module_boundary.py).
exec python3 "$SRCDIR/tests/integration/t82_module_boundary.py"
