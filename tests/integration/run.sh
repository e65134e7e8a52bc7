#!/usr/bin/env bash
# tests/integration/run.sh [SCRIPT...]: the integration harness.
#
# Starts a private PostgreSQL, Redis, the FastCGI pool (BUILD_DIR/gamewatch.fcgi),
# lighttpd and Apache (mod_proxy_fcgi, and mod_fcgid) on free 127.0.0.1 ports in
# a fresh mktemp -d, runs the migrations, then runs each SCRIPT (default: every
# tests/integration/t*.sh in order) with
#   BASE_URL (lighttpd)  APACHE_URL (mod_proxy_fcgi)  GW_FCGID_URL (mod_fcgid)
#   DATABASE_URL REDIS_URL BUILD_DIR SRCDIR GW_RUN (state dir) SECRET_KEY
#   GW_TEMPLATE_DIR GW_DATA_DIR GW_SQL_DIR
#   GW_FAKE_OP_PORT (STEAM_OPENID_URL points there: tests/integration/fakeop.py)
#   GW_FAKE_SSO_PORT (EVE_SSO_URL points there, with EVE_SSO_CLIENT_ID and
#   EVE_SSO_CLIENT_SECRET: tests/integration/fakesso.py)
# in the environment.  A script prints "ok - name" / "not ok - name" lines; one
# that exits non-zero or prints neither counts as a failure.  What cannot run
# here (mod_fcgid not installed) is announced as "SKIP <what>: <reason>".
# Prints "N passed, N failed" last and exits non-zero on any failure.  Everything it
# started is stopped on exit; the temp dir is kept (and named) on failure.
#
# Env: BUILD_DIR (default SRCDIR/build), GW_TEST_TIMEOUT (per script, 300 s),
#      GW_KEEP_TMP=1 to keep the temp dir.
set -u

SRCDIR=$(cd "${SRCDIR:-$(dirname "$0")/../..}" && pwd -P)
BUILD_DIR=$(cd "${BUILD_DIR:-$SRCDIR/build}" 2>/dev/null && pwd -P) \
	|| { echo "not ok - setup: no build dir ${BUILD_DIR:-$SRCDIR/build}"; echo "0 passed, 1 failed"; exit 1; }
export SRCDIR BUILD_DIR

# shellcheck source=../lib/services.sh
. "$SRCDIR/tests/lib/services.sh"

passed=0 failed=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gamewatch-it.XXXXXX")

finish() {
	local rc=$?
	trap - EXIT INT TERM
	gw_stop_all "$TMP"
	if [ "$failed" -gt 0 ] || [ "${GW_KEEP_TMP:-0}" = 1 ]; then
		echo "# state and logs kept in $TMP"
	else
		rm -rf "$TMP"
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$rc" -eq 0 ] || exit 1
	exit 0
}
trap finish EXIT
trap 'failed=$((failed + 1)); echo "not ok - interrupted"; exit 130' INT TERM

setup_fail() {
	echo "not ok - setup: $*"
	for f in "$TMP"/log/*.log; do
		[ -s "$f" ] || continue
		echo "# --- $f"; tail -n 20 "$f" | sed 's/^/# /'
	done
	failed=$((failed + 1))
	exit 1
}

gw_services_init "$TMP" || setup_fail "init $TMP"
GW_PG_FSYNC=off gw_pg_start >/dev/null || setup_fail "PostgreSQL"
# persistent, appendfsync always: the MOHAA ingest answers 202 only then, and
# t92-mohaa-crash restarts Redis on the same append-only file
gw_redis_start --persist || setup_fail "Redis"
lport=$(gw_free_port) || setup_fail "no port"
export APP_BASE_URL="http://127.0.0.1:$lport"
# The OpenID endpoint Steam sign-in trusts (STEAM_OPENID_URL): a fake
# provider that the sign-in tests start on this port (fakeop.py).
GW_FAKE_OP_PORT=$(gw_free_port) || setup_fail "no port"
export GW_FAKE_OP_PORT STEAM_OPENID_URL="http://127.0.0.1:$GW_FAKE_OP_PORT/openid/login"
# The OAuth 2.0 server EVE SSO trusts (EVE_SSO_URL): a fake issuer that the
# EVE sign-in test starts on this port (fakesso.py), with this client.
GW_FAKE_SSO_PORT=$(gw_free_port) || setup_fail "no port"
export GW_FAKE_SSO_PORT EVE_SSO_URL="http://127.0.0.1:$GW_FAKE_SSO_PORT" \
	EVE_SSO_CLIENT_ID=gamewatch-test-client EVE_SSO_CLIENT_SECRET=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
gw_app_env "$SRCDIR"
if [ -x "$BUILD_DIR/gamewatch-job" ]; then
	"$BUILD_DIR/gamewatch-job" migrate >"$GW_RUN/log/migrate.log" 2>&1 || setup_fail "gamewatch-job migrate"
else
	echo "SKIP migrations: no $BUILD_DIR/gamewatch-job"
fi
gw_pool_start "$BUILD_DIR" "$SRCDIR" 4 || setup_fail "FastCGI pool"
# a smaller per-client bound than the default 1 MiB, so that t91's client
# that stops reading falls behind after a few polls
STREAM_CLIENT_BUFFER=${STREAM_CLIENT_BUFFER:-262144} gw_stream_start "$BUILD_DIR" "$SRCDIR" \
	|| setup_fail "gamewatch-stream"
gw_lighttpd_start "$BUILD_DIR" "$SRCDIR" "$lport" || setup_fail "lighttpd"
gw_apache_start "$BUILD_DIR" "$SRCDIR" proxy-fcgi || setup_fail "Apache mod_proxy_fcgi"
if [ -f /usr/lib/apache2/modules/mod_fcgid.so ]; then
	gw_apache_start "$BUILD_DIR" "$SRCDIR" fcgid || setup_fail "Apache mod_fcgid"
else
	echo "SKIP mod_fcgid: /usr/lib/apache2/modules/mod_fcgid.so is not installed (libapache2-mod-fcgid); the checks through it do not run"
fi
export BASE_URL=$GW_LIGHTTPD_URL
gw_wait_http "$BASE_URL/healthz" 30 || setup_fail "$BASE_URL/healthz never answered"

if [ $# -eq 0 ]; then
	set -- "$SRCDIR"/tests/integration/t*.sh
fi
for t in "$@"; do
	[ -f "$t" ] || continue
	name=$(basename "$t")
	echo "# $name"
	out=$GW_RUN/log/test-$name.out
	timeout -k 5 "${GW_TEST_TIMEOUT:-300}" bash "$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	passed=$((passed + p)) failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		failed=$((failed + 1))
	elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name reported no result"
		failed=$((failed + 1))
	fi
done

# Sanitizer reports from the servers' processes (the ASan/UBSan run).
for f in "$GW_RUN"/log/pool.log "$GW_RUN"/log/stream.log "$GW_RUN"/log/apache-*-error.log; do
	[ -f "$f" ] || continue
	if grep -qE 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:' "$f"; then
		echo "not ok - sanitizer report in $(basename "$f")"
		grep -E -A 12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" | head -n 60 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
