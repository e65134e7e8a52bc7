#!/usr/bin/env bash
# tests/e2e/check-pages.sh: the home page in headless Debian Chromium.
#
# Seeds sessions with one offline lobby poll (RAKNET_URL=file://fixture), loads
# BASE_URL/ in Chromium, checks that elements with class "session-card" are in
# the rendered DOM (one per game of the capture) and takes a screenshot
# (tests/e2e/gamewatch-home.png), checked by tests/e2e/pngcheck.py.
# Needs the services: when BASE_URL is unset it runs itself through
# tests/integration/run.sh, which starts them on free ports and stops them.
# Prints ok/not ok lines (and, standalone, "N passed, N failed").
#
# Env: GW_E2E_FIXTURE (lobby JSON), GW_SCREENSHOT (PNG path), CHROMIUM.
set -u
here=$(cd "$(dirname "$0")" && pwd -P)
if [ -z "${BASE_URL:-}" ]; then
	exec "$here/../integration/run.sh" "$here/check-pages.sh"
fi
: "${BUILD_DIR:?}" "${SRCDIR:?}"

n_fail=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; [ $# -gt 0 ] && printf '#   %s\n' "$@"; n_fail=$((n_fail + 1)); }

chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
	not_ok "chromium is installed (apt-get install chromium)"
	exit 1
fi

fixture=${GW_E2E_FIXTURE:-$SRCDIR/tests/data/bzcc/lobby/rebellion-direct_2022-12_frute94-BZCC-Scanner.json}
if RAKNET_URL="file://$fixture" timeout 60 "$BUILD_DIR/gamewatch-job" poll-bzcc --once \
	>"${GW_RUN:-/tmp}/log/e2e-poll.log" 2>&1; then
	ok "seed: gamewatch-job poll-bzcc --once from $(basename "$fixture")"
else
	not_ok "seed: gamewatch-job poll-bzcc --once from $(basename "$fixture")" \
		"$(tail -n 5 "${GW_RUN:-/tmp}/log/e2e-poll.log")"
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chrome() {
	timeout -k 5 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-dev-shm-usage --hide-scrollbars \
		--user-data-dir="$profile" "$@"
}

dom=$profile/home.html
if chrome --dump-dom "$BASE_URL/bzcc/" >"$dom" 2>"$profile/chrome.log" && [ -s "$dom" ]; then
	ok "chromium loads $BASE_URL/bzcc/"
else
	not_ok "chromium loads $BASE_URL/bzcc/" "$(tail -n 5 "$profile/chrome.log")"
fi
# Elements (not script text) whose class list has session-card.
cards=$(perl -0777 -ne 's/<script\b.*?<\/script>//gis;
	$n++ while /<[a-z][^>]*\sclass="(?:[^"]*\s)?session-card(?:\s[^"]*)?"/gi; print $n + 0' "$dom")
# One card per game in the capture, the lobby placeholder (NAT id
# XXXXXXX@XX, "Rebellion's server is UP") aside: counted here from the file.
want=$(python3 -c 'import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8-sig"))
print(sum(1 for g in doc["GET"] if g.get("g") != "XXXXXXX@XX"))' "$fixture")
if [ -n "$want" ] && [ "$want" -gt 0 ] && [ "$cards" -eq "$want" ]; then
	ok "home page renders one .session-card per game of the capture ($cards)"
else
	not_ok "home page renders one .session-card per game of the capture" \
		"$cards cards, $want games" "$(head -c 400 "$dom")"
fi

shot=${GW_SCREENSHOT:-$SRCDIR/tests/e2e/gamewatch-home.png}
rm -f "$shot"
# the screenshot is decoded: the window's size, and not a blank page
if chrome --screenshot="$shot" --window-size=1400,1000 "$BASE_URL/bzcc/" >/dev/null 2>&1 \
	&& found=$(python3 "$here/pngcheck.py" "$shot" 1400 1000); then
	ok "screenshot $(basename "$shot"): $found"
else
	not_ok "screenshot $shot is a 1400x1000 picture of a page" "${found:-no file}"
fi
exit $(( n_fail > 0 ))
