#!/usr/bin/env bash
# tests/e2e/check-live.sh: the live page in headless Chromium (driven through
# chromedriver) follows the lobby over Server-Sent Events: a card changes in
# place without a reload after a poll, the stale banner shows after 30 s
# without an event and goes away with the next, and with the stream blocked
# the page falls back to polling the JSON API (tests/e2e/check_live.py).
# Needs the services: when BASE_URL is unset it runs itself through
# tests/integration/run.sh. Prints ok/not ok lines.
set -u
here=$(cd "$(dirname "$0")" && pwd -P)
if [ -z "${BASE_URL:-}" ]; then
	exec "$here/../integration/run.sh" "$here/check-live.sh"
fi
exec python3 "$here/check_live.py"
