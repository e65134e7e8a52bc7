#!/usr/bin/env bash
# t63: the nightly integrity sweep of mirrored pictures.
exec python3 "$SRCDIR/tests/integration/t63_sweep.py"
