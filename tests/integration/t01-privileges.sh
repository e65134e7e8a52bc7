#!/usr/bin/env bash
# t01-privileges: the servers run as they would on a host.  Started as root,
# the FastCGI pool (supervisor and workers) and lighttpd run as the service
# user (GW_APP_USER, www-data), Redis as redis; the pool's socket is 0660 and
# belongs to that user; the pool refuses to run its workers as root unless
# told to; Redis wants its password; the secret files are 0600 and no log
# carries a password.  Run by tests/integration/run.sh.
set -u
: "${GW_RUN:?run me through tests/integration/run.sh}" "${BUILD_DIR:?}" "${REDIS_URL:?}" \
	"${DATABASE_URL:?}" "${GW_POOL_PID:?}" "${GW_POOL_SOCKET:?}"

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; [ $# -gt 0 ] && printf '#   %s\n' "$@"; }
check() {  # NAME CMD...: ok when CMD succeeds
	local name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}
tmp=$(mktemp -d); chmod 0755 "$tmp"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

root=no
[ "$(id -u)" = 0 ] && root=yes
want=${GW_APP_USER:-$(id -un)}
user_of() { ps -o user= -p "$1" | tr -d ' '; }
recorded() { awk -v n="$1" '$1 == n { print $2 }' "$GW_RUN/pids" | tail -n 1; }

# --- who runs what
u=$(user_of "$GW_POOL_PID")
check "the pool's supervisor runs as $want (is $u)" test "$u" = "$want"
workers=$(ps -o pid= --ppid "$GW_POOL_PID" | tr -d ' ')
bad=
for w in $workers; do [ "$(user_of "$w")" = "$want" ] || bad="$bad $w:$(user_of "$w")"; done
check "every pool worker runs as $want ($(echo $workers | wc -w) workers)" \
	test -n "$workers" -a -z "$bad"
lpid=$(recorded lighttpd)
u=$(user_of "$lpid")
check "lighttpd runs as $want (is $u)" test -n "$lpid" -a "$u" = "$want"
if [ "$root" = yes ] && id -u redis >/dev/null 2>&1; then
	u=$(user_of "$(recorded redis)")
	check "redis-server runs as redis (is $u)" test "$u" = redis
fi

# --- the socket
set -- $(stat -c '%a %U %G' "$GW_POOL_SOCKET")
check "the FastCGI socket is 0660 (is $1)" test "$1" = 660
check "the FastCGI socket belongs to $want:$(id -gn "$want") (is $2:$3)" \
	test "$2:$3" = "$want:$(id -gn "$want")"

# --- the pool's root policy (only root can be refused)
run_pool() {  # SOCKNAME ARGS...: start a 1-worker pool (our child) as $pool
	local s=$tmp/$1; shift
	"$BUILD_DIR/gamewatch.fcgi" --listen "unix:$s" --workers 1 "$@" \
		</dev/null >>"$tmp/pool.log" 2>&1 &
	pool=$!
	pids+=("$pool")
}
if [ "$root" = yes ]; then
	: >"$tmp/pool.log"
	timeout 10 "$BUILD_DIR/gamewatch.fcgi" --listen "unix:$tmp/r.sock" --workers 1 \
		</dev/null >"$tmp/refuse.log" 2>&1
	rc=$?
	if [ "$rc" = 1 ] && grep -q 'refusing to run the workers as root' "$tmp/refuse.log" \
		&& [ ! -e "$tmp/r.sock" ]; then
		ok "as root without --user the pool refuses to start (exit 1, logged, no socket)"
	else
		not_ok "as root without --user the pool refuses to start" "exit $rc" "$(cat "$tmp/refuse.log")"
	fi
	timeout 10 "$BUILD_DIR/gamewatch.fcgi" --listen "unix:$tmp/n.sock" --workers 1 \
		--user gw-no-such-user </dev/null >"$tmp/nouser.log" 2>&1
	rc=$?
	check "--user with an unknown name: exit 1, 'no such user'" \
		test "$rc" = 1 -a -n "$(grep 'no such user' "$tmp/nouser.log")"

	run_pool a.sock --allow-root; p=$pool
	for i in $(seq 1 50); do [ -S "$tmp/a.sock" ] && break; sleep 0.1; done
	sleep 0.3
	w=$(ps -o pid= --ppid "$p" | tr -d ' ' | head -n 1)
	if [ -n "$w" ] && [ "$(user_of "$w")" = root ] \
		&& grep -q 'the workers run as root (--allow-root)' "$tmp/pool.log"; then
		ok "--allow-root runs the workers as root, with a warning in the log"
	else
		not_ok "--allow-root runs the workers as root, with a warning in the log" "$(cat "$tmp/pool.log")"
	fi
	kill -TERM "$p"; wait "$p" 2>/dev/null
	check "a stopped pool removes its socket" test ! -e "$tmp/a.sock"
else
	echo "# not root: the root-only checks (refusal, --allow-root, redis user) do not apply"
fi

# --- Redis wants its password
pw=${REDIS_URL#redis://}; pw=${pw%%@*}; pw=${pw#*:}
rport=${REDIS_URL##*:}; rport=${rport%%/*}
check "REDIS_URL carries a password" test -n "$pw" -a "$pw" != "$REDIS_URL"
reply=$(redis-cli -h 127.0.0.1 -p "$rport" ping 2>&1)
check "Redis without the password answers NOAUTH (got: $reply)" \
	test -n "$(grep -o NOAUTH <<<"$reply")"
reply=$(REDISCLI_AUTH=$pw redis-cli --no-auth-warning -h 127.0.0.1 -p "$rport" ping 2>&1)
check "Redis with the password answers PONG (got: $reply)" test "$reply" = PONG
check "the Redis password is not on redis-server's command line" \
	test -z "$(grep -F -- "$pw" "/proc/$(recorded redis)/cmdline")"

# --- secrets at rest and in the logs
for f in "$GW_RUN/pg.password" "$GW_RUN/redis.password" "$GW_RUN/redis/redis.conf" \
	"$GW_RUN/etc/gamewatch/fcgid-env.conf"; do
	[ -e "$f" ] || continue
	m=$(stat -c %a "$f")
	check "${f#"$GW_RUN"/} is 0600 (is $m)" test "$m" = 600
done
# the env file the mod_fcgid workers read: the service user's group may read it
f=$GW_RUN/etc/gamewatch/env
if [ -e "$f" ]; then
	m=$(stat -c %a "$f")
	check "etc/gamewatch/env is 0640 or 0600 (is $m)" test "$m" = 640 -o "$m" = 600
fi
pgpw=$(cat "$GW_RUN/pg.password" 2>/dev/null); : "${pgpw:=$pw}"
leaks=$(grep -rlF -e "$pw" -e "$pgpw" "$GW_RUN/log" 2>/dev/null)
check "no log under \$GW_RUN/log carries the Redis or database password" test -z "$leaks"
