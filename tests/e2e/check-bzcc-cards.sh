#!/usr/bin/env bash
# tests/e2e/check-bzcc-cards.sh: the live lobby's strategy, MPI, deathmatch
# and hidden-player cards in headless Chromium, with issue 9's rows (rules,
# join, hidden players, last update, copy buttons); screenshots
# tests/e2e/bzcc-card-<kind>.png (gitignored). See check_bzcc_cards.py.
# Needs the services: when BASE_URL is unset it runs itself through
# tests/integration/run.sh, which starts them on free ports and stops them.
set -u
here=$(cd "$(dirname "$0")" && pwd -P)
if [ -z "${BASE_URL:-}" ]; then
	exec "$here/../integration/run.sh" "$here/check-bzcc-cards.sh"
fi
exec python3 "$here/check_bzcc_cards.py"
