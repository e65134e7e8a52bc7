#!/usr/bin/env bash
# tests/e2e/check-analytics.sh: /analytics in headless Debian Chromium.
#
# Seeds history by replaying the MultiplayerSessionList captures
# (gamewatch-job poll-bzcc --replay on a copy of tests/data/bzcc/msl-api-v1,
# then gamewatch-job rollup), loads BASE_URL/analytics?days=3650 in Chromium
# with a virtual time budget so static/js/analytics.js can fetch
# /api/v1/analytics and draw, and checks in the rendered DOM that every chart
# container has data-rendered="true" and a <canvas>, that the server-rendered
# data tables are there, and that no inline script crept in. Also checks that
# the HTML as sent (what a browser without JavaScript shows) has every table,
# open. Takes a screenshot
# (tests/e2e/analytics.png, gitignored).
# Needs the services: when BASE_URL is unset it runs itself through
# tests/integration/run.sh, which starts them on free ports and stops them.
# Prints ok/not ok lines (and, standalone, "N passed, N failed").
#
# Env: GW_SCREENSHOT (PNG path), CHROMIUM.
set -u
here=$(cd "$(dirname "$0")" && pwd -P)
if [ -z "${BASE_URL:-}" ]; then
	exec "$here/../integration/run.sh" "$here/check-analytics.sh"
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

work=$(mktemp -d)
profile=$(mktemp -d)
trap 'rm -rf "$work" "$profile"' EXIT
log=${GW_RUN:-$work}/log
mkdir -p "$log" "$work/replay"
cp "$SRCDIR"/tests/data/bzcc/msl-api-v1/*.json "$work/replay/"
# lock files in a directory of our own (the default, /tmp, is shared with
# every other run and poller on the machine)
if GW_RUN_DIR=$work timeout 120 "$BUILD_DIR/gamewatch-job" poll-bzcc --replay "$work/replay" \
	>"$log/e2e-replay.log" 2>&1 && grep -q 'replayed [0-9]* of ' "$log/e2e-replay.log" &&
	GW_RUN_DIR=$work timeout 120 "$BUILD_DIR/gamewatch-job" rollup >>"$log/e2e-replay.log" 2>&1; then
	ok "seed: replay of $(ls "$work/replay" | wc -l) MSL captures and rollup"
else
	not_ok "seed: replay and rollup" "$(tail -n 5 "$log/e2e-replay.log")"
fi

chrome() {
	timeout -k 5 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-dev-shm-usage --hide-scrollbars \
		--user-data-dir="$profile" "$@"
}

url="$BASE_URL/bzcc/analytics?days=3650"
dom=$work/analytics.html
if chrome --virtual-time-budget=5000 --dump-dom "$url" >"$dom" 2>"$work/chrome.log" && [ -s "$dom" ]; then
	ok "chromium loads $url"
else
	not_ok "chromium loads $url" "$(tail -n 5 "$work/chrome.log")"
fi

# Count start tags (outside script text) matching a Perl regex.
count() {
	perl -0777 -ne 's/<script\b[^>]*>.*?<\/script>//gis; $n = 0; $n++ while /'"$1"'/gi; print $n' "$dom"
}

charts=$(count '<div\b[^>]*\bclass="chart"[^>]*\bdata-chart="')
drawn=$(count '<div\b(?=[^>]*\bclass="chart")(?=[^>]*\bdata-rendered="true")[^>]*>\s*<canvas\b')
if [ "$charts" -eq 4 ] && [ "$drawn" -eq 4 ]; then
	ok "all 4 charts drawn (data-rendered=\"true\" with a <canvas>)"
else
	not_ok "all 4 charts drawn" "$charts chart containers, $drawn drawn" "$(head -c 600 "$dom")"
fi
if [ "$(count 'data-charts="rendered"')" -eq 1 ]; then
	ok "analytics.js fetched /api/v1/analytics and finished"
else
	not_ok "analytics.js fetched /api/v1/analytics and finished" \
		"$(grep -o 'data-charts="[a-z]*"' "$dom" | head -1)"
fi
for t in players-online map-popularity durations durations-by-mode mod-adoption; do
	# data rows start with <th scope="row">; the "no data" row does not
	rows=$(perl -0777 -ne 'if (/<table\b[^>]*data-table="'"$t"'"[^>]*>(.*?)<\/table>/is) {
		my $n = () = $1 =~ /<th scope="row"/gi; print $n } else { print -1 }' "$dom")
	if [ "$rows" -gt 0 ]; then
		ok "table $t is in the page ($rows rows)"
	else
		not_ok "table $t is in the page with rows" "$rows"
	fi
done
if [ "$(count '<script\b(?![^>]*\bsrc=)')" -eq 0 ]; then
	ok "no inline <script> (CSP script-src 'self')"
else
	not_ok "no inline <script>"
fi

# Without JavaScript the page is the server's HTML as sent (Chromium's
# --dump-dom needs script to serialize): every table, open, no chart drawn.
nojs=$work/analytics-nojs.html
if curl -sf -o "$nojs" "$url" && [ "$(grep -c 'data-table="' "$nojs")" -eq 5 ] &&
	[ "$(grep -c '<details class="chart__data" open>' "$nojs")" -eq 4 ] &&
	! grep -q 'data-rendered=' "$nojs"; then
	ok "without JavaScript the 5 tables are sent, open"
else
	not_ok "without JavaScript the 5 tables are sent, open"
fi

shot=${GW_SCREENSHOT:-$SRCDIR/tests/e2e/analytics.png}
rm -f "$shot"
# the screenshot is decoded: the window's size, and not a blank page
if chrome --virtual-time-budget=5000 --screenshot="$shot" --window-size=1400,2000 "$url" \
	>/dev/null 2>&1 && found=$(python3 "$here/pngcheck.py" "$shot" 1400 2000); then
	ok "screenshot $(basename "$shot"): $found"
else
	not_ok "screenshot $shot is a 1400x2000 picture of a page" "${found:-no file}"
fi
exit $(( n_fail > 0 ))
