#!/usr/bin/env bash
# t00-servers: lighttpd and Apache (mod_proxy_fcgi, and mod_fcgid when the
# harness started it) front the app: /healthz answers through each, files come
# from disk with the right Content-Type, and a "<b>" in a 404 path comes back
# escaped.  Run by tests/integration/run.sh, which sets BASE_URL etc.
set -u
: "${BASE_URL:?run me through tests/integration/run.sh}" "${APACHE_URL:?}" "${GW_RUN:?}" "${SRCDIR:?}"

n_fail=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; [ $# -gt 0 ] && printf '#   %s\n' "$@"; n_fail=$((n_fail + 1)); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# GET URL -> $tmp/h (headers), $tmp/b (body); prints the status code.
get() { curl -s -m 10 -D "$tmp/h" -o "$tmp/b" -w '%{http_code}' "$1"; }
header() { tr -d '\r' <"$tmp/h" | grep -i "^$1:" | tail -n 1 | cut -d: -f2- | sed 's/^ *//'; }

servers="lighttpd=$BASE_URL apache-proxy-fcgi=$APACHE_URL"
[ -n "${GW_FCGID_URL:-}" ] && servers="$servers apache-fcgid=$GW_FCGID_URL"

# A file in the mirrored-assets dir (a 1x1 PNG) and, when the checkout has
# one, a stylesheet under static/.
assets=$GW_RUN/var/lib/gamewatch/assets
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82' >"$assets/t00.png"
chmod 0644 "$assets/t00.png"
css=$(cd "$SRCDIR" && ls static/css/*.css 2>/dev/null | head -n 1)

for s in $servers; do
	name=${s%%=*} url=${s#*=}

	# 200 while the data is fresh, 503 (status "stale") when it is not: the
	# web server passes the app's status and JSON body on either way
	code=$(get "$url/healthz")
	hz=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["status"], d["database"])' \
		"$tmp/b" 2>/dev/null)
	if header Content-Type | grep -q '^application/json' && { [ "$code $hz" = "200 ok True" ] \
		|| [ "$code $hz" = "200 degraded True" ] || [ "$code $hz" = "503 stale True" ]; }; then
		ok "$name: /healthz is application/json, $code with status ${hz% *}"
	else
		not_ok "$name: /healthz is application/json, 200 (ok) or 503 (stale)" "status $code" \
			"type $(header Content-Type)" "$(head -c 300 "$tmp/b")"
	fi

	code=$(get "$url/assets/t00.png")
	if [ "$code" = 200 ] && [ "$(header Content-Type)" = image/png ] && cmp -s "$tmp/b" "$assets/t00.png"; then
		ok "$name: /assets/t00.png served from disk as image/png"
	else
		not_ok "$name: /assets/t00.png served from disk as image/png" "status $code" "type $(header Content-Type)"
	fi

	if [ -n "$css" ]; then
		code=$(get "$url/$css")
		if [ "$code" = 200 ] && header Content-Type | grep -q '^text/css' && cmp -s "$tmp/b" "$SRCDIR/$css"; then
			ok "$name: /$css served as text/css"
		else
			not_ok "$name: /$css served as text/css" "status $code" "type $(header Content-Type)"
		fi
	fi

	code=$(get "$url/static/no-such-file.js")
	if [ "$code" = 404 ]; then
		ok "$name: a missing static file is 404"
	else
		not_ok "$name: a missing static file is 404" "status $code"
	fi

	code=$(get "$url/no/such/page/%3Cb%3Ebold%3C/b%3E?q=%3Cb%3E")
	if [ "$code" = 404 ] && ! grep -qi '<b>' "$tmp/b"; then
		ok "$name: 404 path with <b> is not echoed raw"
	else
		not_ok "$name: 404 path with <b> is not echoed raw" "status $code" "$(head -c 300 "$tmp/b")"
	fi
	if [ "$code" = 404 ] && grep -q '&lt;b&gt;' "$tmp/b"; then
		ok "$name: 404 page shows the path escaped (&lt;b&gt;)"
	else
		not_ok "$name: 404 page shows the path escaped (&lt;b&gt;)" "$(head -c 300 "$tmp/b")"
	fi
done
exit $(( n_fail > 0 ))
