#!/usr/bin/env bash
# t99: the eve module's feature-scoped roles (battle-reports, battle-intel)
# and the directors' ruleset on real killmails: who reads intel, who grants
# roles, who saves the ruleset, and that the battle list applies it.
exec python3 "$SRCDIR/tests/integration/t99_eve_access.py"
