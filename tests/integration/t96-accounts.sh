#!/usr/bin/env bash
# t96: local accounts (gamewatch-job user, Argon2id), the login form, sessions,
# rate limits per account and per address, watchlist, saved filters, public
# profile, presence, export and deletion.
exec python3 "$SRCDIR/tests/integration/t96_accounts.py"
