#!/usr/bin/env bash
# t91: the R2Z2 follower against a local fixture serving real killmails as
# R2Z2 documents, with 404s, a 429 with Retry-After, a malformed document,
# a re-published sequence, a missing sequence and a restart.
exec python3 "$SRCDIR/tests/integration/t91_eve_r2z2.py"
