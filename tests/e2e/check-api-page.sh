#!/usr/bin/env bash
# tests/e2e/check-api-page.sh: the API page /api in headless Debian Chromium.
#
# Loads BASE_URL/api, lets Swagger UI (static/vendor/swagger-ui-bundle.js,
# started by static/js/api-docs.js) fetch /api/v1/openapi.json and render,
# and checks that it finished (data-api-docs="rendered"), that it drew one
# operation block per operation of the document with the same paths, that
# the page has no inline script and that neither Swagger UI nor our start
# script ran into the CSP (Chromium's console log); then takes a screenshot
# (tests/e2e/api.png) and checks it is a PNG of the window's size.
# Needs the services: when BASE_URL is unset it runs itself through
# tests/integration/run.sh, which starts them on free ports and stops them.
# Prints ok/not ok lines (and, standalone, "N passed, N failed").
#
# Env: GW_SCREENSHOT (PNG path), CHROMIUM.
set -u
here=$(cd "$(dirname "$0")" && pwd -P)
if [ -z "${BASE_URL:-}" ]; then
	exec "$here/../integration/run.sh" "$here/check-api-page.sh"
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
chrome() {
	timeout -k 5 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-dev-shm-usage --hide-scrollbars \
		--user-data-dir="$profile" "$@"
}

# What the page must show: the document's (METHOD path) pairs.
if curl -sf -o "$work/openapi.json" "$BASE_URL/api/v1/openapi.json"; then
	ok "the document is served"
else
	not_ok "the document is served"
fi
python3 - "$work/openapi.json" >"$work/want.txt" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
for path, item in doc["paths"].items():
    for m in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
        if m in item:
            print(m.upper(), path)
EOF
want=$(wc -l <"$work/want.txt")

url="$BASE_URL/api"
dom=$work/api.html
if chrome --enable-logging=stderr --v=0 --virtual-time-budget=10000 --dump-dom "$url" \
	>"$dom" 2>"$work/chrome.log" && [ -s "$dom" ]; then
	ok "chromium loads $url"
else
	not_ok "chromium loads $url" "$(tail -n 5 "$work/chrome.log")"
fi

if grep -q 'data-api-docs="rendered"' "$dom"; then
	ok "Swagger UI fetched the document and rendered (data-api-docs=\"rendered\")"
else
	not_ok "Swagger UI rendered" "$(grep -o 'data-api-docs="[a-z]*"' "$dom" | head -1)"
fi
# Swagger UI's operation blocks: <div class="opblock opblock-get ..."> holding
# <span class="opblock-summary-path" data-path="/...">; the method is the
# class suffix. Pairs drawn, as "METHOD path" lines.
perl -0777 -ne 's/<script\b[^>]*>.*?<\/script>//gis;
	while (/<div\b[^>]*\bclass="opblock opblock-([a-z]+)\b.*?\bdata-path="([^"]*)"/gis) {
		my ($m, $p) = (uc $1, $2); $p =~ s/&amp;/&/g; print "$m $p\n" }' "$dom" \
	| sort >"$work/got.txt"
got=$(wc -l <"$work/got.txt")
if [ "$want" -gt 0 ] && sort "$work/want.txt" | cmp -s - "$work/got.txt"; then
	ok "one operation block per operation of the document ($got)"
else
	not_ok "one operation block per operation of the document" "want $want, drew $got" \
		"$(sort "$work/want.txt" | diff - "$work/got.txt" | head -n 10)"
fi
if [ "$(perl -0777 -ne '$n = 0; $n++ while /<script\b(?![^>]*\bsrc=)/gi; print $n' "$dom")" -eq 0 ]; then
	ok "no inline <script> (CSP script-src 'self')"
else
	not_ok "no inline <script>"
fi
# Chromium logs each CSP violation to the console with its source file.
csp=$(grep 'CONSOLE' "$work/chrome.log" | grep 'Content Security Policy' \
	| grep -E 'swagger-ui|api-docs|/api"|/api ' || true)
if [ -z "$csp" ]; then
	ok "Swagger UI and api-docs.js run under the CSP without a violation"
else
	not_ok "Swagger UI and api-docs.js run under the CSP without a violation" "$csp"
fi

# Without JavaScript the page as sent lists every operation too.
nojs=$work/api-nojs.html
if curl -sf -o "$nojs" "$url" && [ "$(grep -c '<th scope="row" class="mono">' "$nojs")" -eq "$want" ]; then
	ok "without JavaScript the page lists the $want operations"
else
	not_ok "without JavaScript the page lists the $want operations"
fi

shot=${GW_SCREENSHOT:-$SRCDIR/tests/e2e/api.png}
rm -f "$shot"
if chrome --virtual-time-budget=10000 --screenshot="$shot" --window-size=1400,2400 "$url" \
	>/dev/null 2>&1 && [ -s "$shot" ]; then
	# PNG signature, then IHDR width and height (big-endian) at bytes 16..23
	dims=$(od -An -tu1 -j16 -N8 "$shot" | awk '{ print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8 }')
	if [ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
		[ "$dims" = 1400x2400 ] && [ "$(wc -c <"$shot")" -gt 50000 ]; then
		ok "screenshot $(basename "$shot") ($dims, $(wc -c <"$shot") bytes)"
	else
		not_ok "screenshot $shot is a 1400x2400 PNG with content" "$dims, $(wc -c <"$shot") bytes"
	fi
else
	not_ok "screenshot $shot"
fi
exit $(( n_fail > 0 ))
