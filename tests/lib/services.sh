# shellcheck shell=bash
# tests/lib/services.sh: private PostgreSQL, Redis, the FastCGI pool, lighttpd
# and Apache on 127.0.0.1, shared by ./dev and the tests.  Source it (bash).
#
#   gw_services_init DIR        all state under DIR (created; pids in DIR/pids);
#                               DIR must be one the postgres and service users
#                               can enter (not inside a 0700 directory such as
#                               a mktemp -d or /root; /tmp or /var/tmp do)
#   gw_free_port                print a free loopback TCP port
#   gw_pg_start [PGDATA]        PostgreSQL 15 cluster (default DIR/pg, run as
#                               postgres when root); exports DATABASE_URL
#                               GW_PG_PORT GW_PG_DATA GW_PG_SOCKDIR
#   gw_redis_start [--persist]  redis-server (as redis when root) with a random
#                               password (requirepass; DIR/redis.password, 0600);
#                               exports REDIS_URL (redis://default:PASSWORD@127.0.0.1:PORT/0)
#                               GW_REDIS_PORT, GW_REDIS_SOCKET_URL (with
#                               GW_REDIS_SOCKET=1: the same server on a unix
#                               socket, else empty); --persist: append-only file with
#                               appendfsync GW_REDIS_APPENDFSYNC (default always)
#   gw_share BUILD              copy the build's programs and its staged data
#                               (BUILD/share) to DIR/app, where the service user can
#                               read them whatever the checkout's modes; exports
#                               GW_BIN_DIR GW_SHARE_DIR
#   gw_reachable PATH           print PATH, or a copy of it under DIR/app/data
#                               when the service user cannot read PATH
#   gw_pool_start BUILD SRC [N] gamewatch.fcgi --listen unix:... --workers N
#                               (--user GW_APP_USER when root); exports
#                               GW_POOL_SOCKET GW_POOL_PID
#   gw_stream_start BUILD SRC [N]   gamewatch-stream --listen unix:.../stream.sock
#                               --workers N (default 1); exports GW_STREAM_SOCKET
#                               GW_STREAM_PID
#   gw_render_conf IN OUT BUILD SRC   the make-time sed, with DIR's paths
#   gw_lighttpd_start BUILD SRC [PORT]      exports GW_LIGHTTPD_PORT GW_LIGHTTPD_URL
#                               (GW_LIGHTTPD_MAX_CONNS: server.max-connections, default 1024)
#   gw_apache_start BUILD SRC [MODE] [PORT] MODE proxy-fcgi (default): exports
#                               GW_APACHE_PORT APACHE_URL; MODE fcgid (Apache spawns
#                               gamewatch.fcgi itself, which reads DIR/etc/gamewatch/env):
#                               exports GW_FCGID_PORT GW_FCGID_URL. The conf's macro
#                               is used for the whole (test) server.
#   gw_app_env SRC              export SECRET_KEY (random if unset) APP_BASE_URL
#                               GW_TEMPLATE_DIR GW_DATA_DIR GW_SQL_DIR (defaults)
#   gw_write_env_file PATH VAR...   an env file (KEY=value) of those variables,
#                               0640, group of GW_APP_USER
#   gw_wait_http URL [SECONDS] [STATUS]     until URL answers (any status, or STATUS)
#   gw_record NAME PID          remember a process started by the caller
#   gw_stop_all [DIR]           stop exactly what DIR/pids lists, then PostgreSQL
#
# Layout under DIR: run/ (runstatedir: run/gamewatch/app.sock, the jobs' locks),
# var/ (localstatedir: var/lib/gamewatch/assets), etc/ (sysconfdir), log/, app/
# (bin/ and share/: what gw_share copied), pg/ pgrun/ (PostgreSQL), redis/,
# lighttpd/, apache/.  Every server binds 127.0.0.1 only.
#
# Users, when started as root (as on a real host): PostgreSQL runs as postgres,
# Redis as redis, lighttpd, Apache's children and the FastCGI pool drop to
# GW_APP_USER (default www-data), which owns run/gamewatch and
# var/lib/gamewatch; GW_AS_APP is the command prefix that runs a program as
# that user (empty when not root: then everything runs as the caller).
# Secrets (the database and Redis passwords) sit in DIR in 0600 files and are
# never printed.

GW_PG_BINDIR=${GW_PG_BINDIR:-/usr/lib/postgresql/15/bin}

gw__log() { printf 'services: %s\n' "$*" >&2; }
gw__die() { gw__log "error: $*"; return 1; }

gw_services_init() {
	local dir=${1:?gw_services_init DIR} u
	mkdir -p "$dir" || return 1
	GW_RUN=$(cd "$dir" && pwd -P) || return 1
	export GW_RUN
	GW_PIDS_FILE=$GW_RUN/pids
	export GW_PIDS_FILE
	GW_SHARE_DIR= GW_BIN_DIR=  # gw_share copies them for this DIR
	if [ "$(id -u)" = 0 ]; then
		GW_APP_USER=${GW_APP_USER:-www-data}
		id -u "$GW_APP_USER" >/dev/null 2>&1 \
			|| gw__die "no user $GW_APP_USER to run the servers as (GW_APP_USER)" || return 1
		GW_AS_APP="setpriv --reuid=$(id -u "$GW_APP_USER") --regid=$(id -g "$GW_APP_USER") --init-groups --"
	else
		GW_APP_USER= GW_AS_APP=
	fi
	export GW_APP_USER GW_AS_APP
	mkdir -p "$GW_RUN"/run/gamewatch "$GW_RUN"/var/lib/gamewatch/assets \
		"$GW_RUN"/var/log/gamewatch "$GW_RUN"/etc/gamewatch "$GW_RUN"/log || return 1
	# mktemp -d makes 0700 dirs; the postgres user and the service user
	# must be able to pass through.
	chmod 0755 "$GW_RUN" "$GW_RUN"/run "$GW_RUN"/run/gamewatch "$GW_RUN"/var \
		"$GW_RUN"/var/lib "$GW_RUN"/var/lib/gamewatch "$GW_RUN"/var/lib/gamewatch/assets \
		"$GW_RUN"/log
	touch "$GW_PIDS_FILE"
	# the programs read no env file of this host (an installed GameWatch's):
	# the tests give every setting in the environment (GW_ENV_FILE set to
	# "" means none; core/envfile.h)
	GW_ENV_FILE=
	export GW_ENV_FILE
	if [ -n "$GW_APP_USER" ]; then
		# what the service user writes: its runtime dir (socket, pidfile,
		# the jobs' locks) and the mirrored assets, as on a host
		chown -R "$GW_APP_USER:" "$GW_RUN"/run/gamewatch "$GW_RUN"/var/lib/gamewatch || return 1
		for u in postgres redis "$GW_APP_USER"; do
			id -u "$u" >/dev/null 2>&1 || continue
			gw__as_user "$u" test -x "$GW_RUN" || {
				gw__die "user $u cannot enter $GW_RUN (a parent directory is private): put the state under /tmp or /var/tmp"
				return 1
			}
		done
	fi
	[ ${#GW_RUN} -le 80 ] || gw__log "warning: $GW_RUN is long; unix socket paths under it may not fit (108 bytes)"
}

# Write the env file PATH (core/envfile.h: KEY=value lines, taken literally)
# with the named variables that are set, mode 0640, group the service
# user's (who runs the workers that read it).
gw_write_env_file() {  # PATH VAR...
	local f=$1 v
	shift
	(
		umask 077
		rm -f "$f.tmp"
		for v in "$@"; do
			[ -n "${!v:-}" ] && printf '%s=%s\n' "$v" "${!v}"
		done >"$f.tmp"
	) || return 1
	if [ -n "${GW_APP_USER:-}" ]; then
		chgrp "$(id -gn "$GW_APP_USER")" "$f.tmp" && chmod 0640 "$f.tmp" || return 1
	fi
	mv "$f.tmp" "$f"
}

# Run a command as USER (from /, which every user can enter).
gw__as_user() {  # USER CMD...
	local u=$1; shift
	(cd / && exec setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" --init-groups -- "$@")
}

# Can the service user (or the caller, when not root) do `test FLAG PATH`?
gw__app_can() {  # FLAG PATH
	if [ -n "${GW_APP_USER:-}" ]; then
		gw__as_user "$GW_APP_USER" test "$1" "$2" 2>/dev/null
	else
		test "$1" "$2"
	fi
}

# PATH when the service user can read it (a directory: and list it), else a
# copy under DIR/app/data (a checkout in a 0700 directory).
gw_reachable() {  # PATH
	gw__need_init || return 1
	local p=$1 dst
	if gw__app_can -r "$p" && { [ ! -d "$p" ] || gw__app_can -x "$p"; }; then
		echo "$p"
		return 0
	fi
	dst=$GW_RUN/app/data/$(basename "$p")
	mkdir -p "$GW_RUN/app/data" && rm -rf "$dst" && cp -R "$p" "$dst" && chmod -R a+rX "$GW_RUN/app" \
		|| { gw__die "could not copy $p to $dst"; return 1; }
	echo "$dst"
}

gw__need_init() { [ -n "${GW_RUN:-}" ] || gw__die "call gw_services_init DIR first"; }

# Ports in use: every local port in /proc/net/tcp{,6} (any state), plus the
# ones already handed out for this DIR (not yet bound).
gw__port_busy() {
	local p=$1 hex
	[ -n "${GW_RUN:-}" ] && grep -qsx "$p" "$GW_RUN/ports" && return 0
	hex=$(printf '%04X' "$p")
	awk -v h=":$hex" 'substr($2, length($2) - 4) == h { found = 1 } END { exit !found }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

gw_free_port() {
	local i p
	for i in $(seq 1 200); do
		p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 30000 ))
		if ! gw__port_busy "$p"; then
			# gw_free_port runs in $(...): remember the port in a file.
			[ -n "${GW_RUN:-}" ] && echo "$p" >>"$GW_RUN/ports"
			echo "$p"
			return 0
		fi
	done
	gw__die "no free port found"
}

# Process start time (field 22 of /proc/PID/stat), to tell a recorded PID from
# a recycled one.
gw__starttime() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	set -- $stat
	echo "${20}"
}

gw_record() {
	gw__need_init || return 1
	local name=$1 pid=$2 st
	st=$(gw__starttime "$pid") || st=0
	echo "$name $pid $st" >>"$GW_PIDS_FILE"
}

gw__alive() {  # PID STARTTIME
	local st
	st=$(gw__starttime "$1") || return 1
	[ "$2" = 0 ] || [ "$st" = "$2" ] || return 1
	# a zombie is not alive
	! grep -qs '^State:.*Z' "/proc/$1/status"
}

gw__children() { ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' '; }

# Descendants of PID as "pid:starttime", collected before anything is killed
# so that re-parented orphans are still found.
gw__descendants() {
	local c
	for c in $(gw__children "$1"); do
		echo "$c:$(gw__starttime "$c" || echo 0)"
		gw__descendants "$c"
	done
}

# Stop one recorded process: TERM, wait up to 10 s, then KILL.  Descendants it
# leaves behind (a shell's running child, say) get TERM, then KILL after 2 s.
gw__stop_pid() {
	local name=$1 pid=$2 st=$3 i d left desc
	# never ourselves (./dev run records its own PID)
	[ "$pid" = "$$" ] || [ "$pid" = "${BASHPID:-}" ] && return 0
	gw__alive "$pid" "$st" || return 0
	desc=$(gw__descendants "$pid")
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 100); do
		gw__alive "$pid" "$st" || break
		sleep 0.1
	done
	if gw__alive "$pid" "$st"; then
		gw__log "$name ($pid) ignored SIGTERM; killing"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	for i in $(seq 1 20); do
		left=
		for d in $desc; do
			gw__alive "${d%%:*}" "${d#*:}" || continue
			left="$left $d"
			[ "$i" = 1 ] && kill -TERM "${d%%:*}" 2>/dev/null
		done
		desc=$left
		[ -z "$desc" ] && break
		sleep 0.1
	done
	for d in $desc; do
		gw__alive "${d%%:*}" "${d#*:}" && kill -KILL "${d%%:*}" 2>/dev/null
	done
	return 0
}

gw__as_postgres() {
	if [ "$(id -u)" = 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

gw_pg_start() {
	gw__need_init || return 1
	local data=${1:-$GW_RUN/pg} sock=$GW_RUN/pgrun port pw
	local owner
	owner=$(id -un)
	[ "$(id -u)" = 0 ] && owner=postgres
	[ -x "$GW_PG_BINDIR/initdb" ] || gw__die "no $GW_PG_BINDIR/initdb (apt-get install postgresql)" || return 1
	# bzcc's migration 010 creates pg_trgm (PostgreSQL's contrib; Debian's
	# server package carries it): say so now rather than at migrate
	if [ -x "$GW_PG_BINDIR/pg_config" ] &&
		[ ! -e "$("$GW_PG_BINDIR/pg_config" --sharedir)/extension/pg_trgm.control" ]; then
		gw__die "PostgreSQL in $GW_PG_BINDIR has no pg_trgm extension (apt-get install postgresql-contrib)" || return 1
	fi
	# A unix socket path must fit in 107 bytes.
	if [ ${#sock} -gt 80 ]; then
		sock=$(mktemp -d "${TMPDIR:-/tmp}/gw-pg.XXXXXX") || return 1
	fi
	mkdir -p "$data" "$sock" || return 1
	chmod 0700 "$data"; chmod 0755 "$sock"
	chown "$owner" "$data" "$sock" || return 1
	GW_PG_DATA=$data GW_PG_SOCKDIR=$sock
	export GW_PG_DATA GW_PG_SOCKDIR
	if [ ! -s "$data/PG_VERSION" ]; then
		gw__as_postgres "$GW_PG_BINDIR/initdb" -D "$data" -U "$owner" -E UTF8 \
			--locale=C --auth-local=peer --auth-host=scram-sha-256 \
			>"$GW_RUN/log/initdb.log" 2>&1 \
			|| { cat "$GW_RUN/log/initdb.log" >&2; gw__die "initdb failed"; return 1; }
	fi
	if gw__as_postgres "$GW_PG_BINDIR/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		port=$(sed -n 4p "$data/postmaster.pid")
		case $sock in */gw-pg.??????) rm -rf "$sock" ;; esac
		sock=$(sed -n 5p "$data/postmaster.pid")
		gw__log "PostgreSQL already running in $data on port $port"
	else
		port=$(gw_free_port) || return 1
		gw__as_postgres "$GW_PG_BINDIR/pg_ctl" -D "$data" -w -t 60 \
			-l "$sock/postgresql.log" \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $sock -c fsync=${GW_PG_FSYNC:-on}" \
			start >"$GW_RUN/log/pg_ctl.log" 2>&1 \
			|| { cat "$GW_RUN/log/pg_ctl.log" "$sock/postgresql.log" >&2; gw__die "PostgreSQL did not start"; return 1; }
	fi
	echo "pg $data $sock" >>"$GW_PIDS_FILE.pg"
	sort -u -o "$GW_PIDS_FILE.pg" "$GW_PIDS_FILE.pg"
	GW_PG_PORT=$port
	export GW_PG_PORT
	# The application's role and database; the password is kept beside the
	# cluster so that a persistent dev cluster keeps working across runs.
	if [ ! -s "$data.password" ]; then
		(umask 077; od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$data.password")
	fi
	pw=$(cat "$data.password")
	gw__as_postgres "$GW_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" \
		-U "$owner" -d postgres >/dev/null <<-SQL || { gw__die "creating role/database failed"; return 1; }
		SELECT 'CREATE ROLE gamewatch LOGIN' WHERE NOT EXISTS
		  (SELECT 1 FROM pg_roles WHERE rolname = 'gamewatch') \gexec
		ALTER ROLE gamewatch PASSWORD '$pw';
		SELECT 'CREATE DATABASE gamewatch OWNER gamewatch' WHERE NOT EXISTS
		  (SELECT 1 FROM pg_database WHERE datname = 'gamewatch') \gexec
	SQL
	DATABASE_URL="postgresql://gamewatch:$pw@127.0.0.1:$port/gamewatch"
	export DATABASE_URL
}

gw_pg_stop() {  # [PGDATA] [SOCKDIR]
	local data=${1:-${GW_PG_DATA:-}} sock=${2:-}
	if [ -n "$data" ] && [ -f "$data/postmaster.pid" ]; then
		gw__as_postgres "$GW_PG_BINDIR/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 \
			|| gw__log "pg_ctl stop failed for $data"
	fi
	# a socket dir made in /tmp because the state dir's path was too long
	case $sock in */gw-pg.??????) rm -rf "$sock" ;; esac
	return 0
}

gw_redis_start() {
	gw__need_init || return 1
	local port persist=no pid i pw dir=$GW_RUN/redis conf=$GW_RUN/redis/redis.conf owner=
	[ "${1:-}" = --persist ] && persist=yes
	command -v redis-server >/dev/null || gw__die "redis-server missing (apt-get install redis-server)" || return 1
	port=$(gw_free_port) || return 1
	# The password is kept (0600) so that a persistent dev server keeps its
	# URL across runs; it goes to the server in its config file, never argv.
	if [ ! -s "$GW_RUN/redis.password" ]; then
		(umask 077; od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$GW_RUN/redis.password")
	fi
	pw=$(cat "$GW_RUN/redis.password")
	mkdir -p "$dir" && chmod 0700 "$dir" || return 1
	(
		umask 077
		rm -f "$conf"
		{
			printf 'bind 127.0.0.1\nport %s\nprotected-mode yes\ndaemonize no\n' "$port"
			printf 'dir %s\nlogfile ""\nrequirepass %s\n' "$dir" "$pw"
			# GW_REDIS_SOCKET=1: also a unix socket (the password still applies)
			[ "${GW_REDIS_SOCKET:-0}" != 1 ] ||
				printf 'unixsocket %s/redis.sock\nunixsocketperm 777\n' "$GW_RUN/redis-sock"
			if [ "$persist" = yes ]; then
				# always: Redis fsyncs a write before it answers. The MOHAA
				# ingest's 202 promises that an accepted event survives a
				# crash, which holds only then; its handler reads this
				# setting and answers 503 under a weaker one
				# (modules/mohaa/README.md, "Durability"). Concurrent
				# writers share one fsync per event-loop turn.
				printf 'appendonly yes\nappendfsync %s\nsave "3600 1 300 100"\n' \
					"${GW_REDIS_APPENDFSYNC:-always}"
			else
				printf 'appendonly no\nsave ""\n'
			fi
		} >"$conf"
	) || return 1
	if [ "${GW_REDIS_SOCKET:-0}" = 1 ]; then
		mkdir -p "$GW_RUN/redis-sock" && chmod 0755 "$GW_RUN/redis-sock" || return 1
	fi
	if [ "$(id -u)" = 0 ] && id -u redis >/dev/null 2>&1; then
		owner=redis
		chown -R redis: "$dir" || return 1
		[ "${GW_REDIS_SOCKET:-0}" != 1 ] || chown redis: "$GW_RUN/redis-sock" || return 1
	fi
	if [ -n "$owner" ]; then
		(cd / && exec setpriv --reuid="$(id -u redis)" --regid="$(id -g redis)" --init-groups -- \
			redis-server "$conf") </dev/null >>"$GW_RUN/log/redis.log" 2>&1 &
	else
		(cd / && exec redis-server "$conf") </dev/null >>"$GW_RUN/log/redis.log" 2>&1 &
	fi
	pid=$!
	gw_record redis "$pid"
	for i in $(seq 1 100); do
		if gw__redis_ping "$port" "$pw"; then
			GW_REDIS_PORT=$port
			# "default": the ACL user requirepass sets (Redis 6+); redis-cli 7.0
			# -u reads ":PASSWORD@" as an empty user name and fails
			REDIS_URL="redis://default:$pw@127.0.0.1:$port/0"
			GW_REDIS_SOCKET_URL=
			[ "${GW_REDIS_SOCKET:-0}" != 1 ] ||
				GW_REDIS_SOCKET_URL="unix://default:$pw@$GW_RUN/redis-sock/redis.sock?db=0"
			export GW_REDIS_PORT REDIS_URL GW_REDIS_SOCKET_URL
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 30 "$GW_RUN/log/redis.log" >&2
	gw__die "redis-server did not start"
}

gw__redis_ping() {  # PORT PASSWORD
	local reply
	if command -v redis-cli >/dev/null; then
		# REDISCLI_AUTH: not on the command line, where ps shows it
		[ "$(REDISCLI_AUTH=$2 redis-cli --no-auth-warning -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
		return
	fi
	exec 9<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null || return 1
	printf 'AUTH %s\r\nPING\r\n' "$2" >&9
	read -r -t 2 reply <&9
	read -r -t 2 reply <&9
	exec 9<&- 9>&-
	[ "${reply%$'\r'}" = +PONG ]
}

# The environment every worker and job gets.
# SRC is the source tree; the data (templates, sql, static) is the build's
# staged share/ (make stages it), copied by gw_share to DIR/app/share.
gw_share() {  # BUILD
	gw__need_init || return 1
	local build=${1:?BUILD_DIR} app=$GW_RUN/app p
	[ -d "$build/share" ] || gw__die "no $build/share (run make)" || return 1
	rm -rf "$app/bin" "$app/share" && mkdir -p "$app/bin" || return 1
	for p in gamewatch.fcgi gamewatch-job gamewatch-stream; do
		[ -f "$build/$p" ] && { cp "$build/$p" "$app/bin/" || return 1; }
	done
	cp -R "$build/share" "$app/share" && chmod -R a+rX,go-w "$app" || return 1
	GW_SHARE_DIR=$app/share GW_BIN_DIR=$app/bin
	export GW_SHARE_DIR GW_BIN_DIR
}

gw_app_env() {
	local src=$1
	[ -n "${GW_SHARE_DIR:-}" ] || gw_share "${BUILD_DIR:-$src/build}" || return 1
	: "${SECRET_KEY:=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')}"
	: "${APP_BASE_URL:=http://127.0.0.1}"
	: "${GW_TEMPLATE_DIR:=$GW_SHARE_DIR/templates}"
	: "${GW_DATA_DIR:=$GW_RUN/var/lib/gamewatch}"
	: "${GW_SQL_DIR:=$GW_SHARE_DIR/sql}"
	# the jobs' lock files: one directory per run, never the shared /tmp;
	# the service user's own (run/gamewatch, like /run/gamewatch on a host)
	: "${GW_RUN_DIR:=$GW_RUN/run/gamewatch}"
	mkdir -p "$GW_RUN_DIR"
	export SECRET_KEY APP_BASE_URL GW_TEMPLATE_DIR GW_DATA_DIR GW_SQL_DIR GW_RUN_DIR
}

gw_pool_start() {
	gw__need_init || return 1
	local build=${1:?BUILD_DIR} src=${2:?SRCDIR} n=${3:-4} sock=$GW_RUN/run/gamewatch/app.sock pid i
	[ -x "$build/gamewatch.fcgi" ] || gw__die "no $build/gamewatch.fcgi" || return 1
	[ -n "${GW_SHARE_DIR:-}" ] || gw_share "$build" || return 1
	gw_app_env "$src" || return 1
	rm -f "$sock"
	# as root the pool binds, writes its pidfile, then becomes GW_APP_USER;
	# the socket is 0660, owned by that user and its group
	(cd / && exec "$GW_BIN_DIR/gamewatch.fcgi" --listen "unix:$sock" --workers "$n" \
		${GW_APP_USER:+--user "$GW_APP_USER"} --pidfile "$GW_RUN/run/gamewatch/pool.pid") \
		</dev/null >>"$GW_RUN/log/pool.log" 2>&1 &
	pid=$!
	gw_record pool "$pid"
	for i in $(seq 1 100); do
		if [ -S "$sock" ] && [ -s "$GW_RUN/run/gamewatch/pool.pid" ]; then
			GW_POOL_SOCKET=$sock GW_POOL_PID=$pid
			export GW_POOL_SOCKET GW_POOL_PID
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 30 "$GW_RUN/log/pool.log" >&2
	gw__die "the FastCGI pool did not create $sock"
}

gw_stream_start() {
	gw__need_init || return 1
	local build=${1:?BUILD_DIR} src=${2:?SRCDIR} n=${3:-1} sock=$GW_RUN/run/gamewatch/stream.sock pid i
	[ -x "$build/gamewatch-stream" ] || gw__die "no $build/gamewatch-stream" || return 1
	[ -n "${GW_SHARE_DIR:-}" ] || gw_share "$build" || return 1
	gw_app_env "$src" || return 1
	rm -f "$sock"
	(cd / && exec "$GW_BIN_DIR/gamewatch-stream" --listen "unix:$sock" --workers "$n" \
		${GW_APP_USER:+--user "$GW_APP_USER"} --pidfile "$GW_RUN/run/gamewatch/stream.pid") \
		</dev/null >>"$GW_RUN/log/stream.log" 2>&1 &
	pid=$!
	gw_record stream "$pid"
	for i in $(seq 1 100); do
		if [ -S "$sock" ] && [ -s "$GW_RUN/run/gamewatch/stream.pid" ]; then
			GW_STREAM_SOCKET=$sock GW_STREAM_PID=$pid
			export GW_STREAM_SOCKET GW_STREAM_PID
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 30 "$GW_RUN/log/stream.log" >&2
	gw__die "gamewatch-stream did not create $sock"
}

# The same substitution as Makefile.am's "edit" rule, with this run's paths:
# programs from the build dir, data from the source dir.
gw_render_conf() {
	local in=$1 out=$2 build=$3 src=$4
	sed -e "s|@pkglibexecdir@|$build|g" \
		-e "s|@pkgdatadir@|$src|g" \
		-e "s|@bindir@|$build|g" \
		-e "s|@localstatedir@|$GW_RUN/var|g" \
		-e "s|@runstatedir@|$GW_RUN/run|g" \
		-e "s|@sysconfdir@|$GW_RUN/etc|g" \
		"$in" >"$out.tmp" && mv "$out.tmp" "$out"
}

gw_lighttpd_start() {
	gw__need_init || return 1
	local build=${1:?BUILD_DIR} src=${2:?SRCDIR} port=${3:-} dir=$GW_RUN/lighttpd pid
	command -v lighttpd >/dev/null || gw__die "lighttpd missing (apt-get install lighttpd)" || return 1
	[ -n "$port" ] || port=$(gw_free_port) || return 1
	mkdir -p "$dir"
	[ -n "${GW_SHARE_DIR:-}" ] || gw_share "$build" || return 1
	gw_render_conf "$src/apache/lighttpd.conf.in" "$dir/gamewatch.conf" "$GW_BIN_DIR" "$GW_SHARE_DIR" || return 1
	# as root: bind, then become the service user, who opens the error log
	touch "$GW_RUN/log/lighttpd-error.log"
	[ -n "${GW_APP_USER:-}" ] && chown "$GW_APP_USER:" "$GW_RUN/log/lighttpd-error.log"
	cat >"$dir/lighttpd.conf" <<-EOF
		server.modules += ( "mod_fastcgi", "mod_setenv" )
		server.bind = "127.0.0.1"
		server.port = $port
		server.errorlog = "$GW_RUN/log/lighttpd-error.log"
		server.tag = "lighttpd"
		server.max-connections = ${GW_LIGHTTPD_MAX_CONNS:-1024}
		server.max-fds = $(( ${GW_LIGHTTPD_MAX_CONNS:-1024} * 3 + 64 ))
		$( [ -n "${GW_APP_USER:-}" ] && printf 'server.username = "%s"\nserver.groupname = "%s"' \
			"$GW_APP_USER" "$(id -gn "$GW_APP_USER")" )
		include "$dir/gamewatch.conf"
	EOF
	lighttpd -tt -f "$dir/lighttpd.conf" >"$GW_RUN/log/lighttpd-check.log" 2>&1 \
		|| { cat "$GW_RUN/log/lighttpd-check.log" >&2; gw__die "lighttpd config check failed"; return 1; }
	(cd / && exec lighttpd -D -f "$dir/lighttpd.conf") </dev/null >>"$GW_RUN/log/lighttpd.log" 2>&1 &
	pid=$!
	gw_record lighttpd "$pid"
	GW_LIGHTTPD_PORT=$port
	GW_LIGHTTPD_URL="http://127.0.0.1:$port"
	export GW_LIGHTTPD_PORT GW_LIGHTTPD_URL
	gw_wait_http "$GW_LIGHTTPD_URL/static/" 20 || {
		cat "$GW_RUN/log/lighttpd-error.log" >&2; gw__die "lighttpd did not answer"; return 1; }
}

gw_apache_start() {
	gw__need_init || return 1
	local build=${1:?BUILD_DIR} src=${2:?SRCDIR} mode=${3:-proxy-fcgi} port=${4:-}
	[ -n "${GW_SHARE_DIR:-}" ] || gw_share "$build" || return 1
	local dir=$GW_RUN/apache apache mods m pid user="" data=$GW_SHARE_DIR lib=$GW_BIN_DIR v
	apache=$(command -v apache2 || echo /usr/sbin/apache2)
	[ -x "$apache" ] || gw__die "apache2 missing (apt-get install apache2)" || return 1
	[ -n "$port" ] || port=$(gw_free_port) || return 1
	mkdir -p "$dir/$mode"
	chmod 0755 "$dir" "$dir/$mode"
	# Apache's children become the service user (they read GW_SHARE_DIR,
	# which gw_share placed where that user can)
	if [ -n "${GW_APP_USER:-}" ]; then
		user="User $GW_APP_USER
Group $(id -gn "$GW_APP_USER")"
	fi
	# mod_fcgid runs every file below the program's directory as a script:
	# the program gets a directory of its own (readable by the service user).
	if [ "$mode" = fcgid ]; then
		lib=$dir/libexec; mkdir -p "$lib"
		cp "$GW_BIN_DIR/gamewatch.fcgi" "$lib/"; chmod -R a+rX "$lib"
	fi
	case $mode in
	proxy-fcgi) mods="mpm_event authz_core alias mime dir headers macro proxy proxy_fcgi" ;;
	fcgid) mods="mpm_event authz_core alias mime dir headers macro fcgid proxy proxy_fcgi" ;;
	*) gw__die "unknown Apache mode $mode"; return 1 ;;
	esac
	gw_render_conf "$src/apache/$mode.conf.in" "$dir/$mode/gamewatch.conf" "$lib" "$data" || return 1
	: >"$dir/$mode/modules.conf"
	for m in $mods; do
		[ -f "/usr/lib/apache2/modules/mod_$m.so" ] \
			|| { gw__die "no mod_$m (apt-get install apache2${m/fcgid/ libapache2-mod-fcgid})"; return 1; }
		echo "LoadModule ${m}_module /usr/lib/apache2/modules/mod_$m.so" >>"$dir/$mode/modules.conf"
	done
	if [ "$mode" = fcgid ]; then
		# The workers mod_fcgid spawns read their settings from the env file
		# (the conf's FcgidInitialEnv GW_ENV_FILE), as on a host: secrets
		# inside, readable by the service user's group only. The
		# sanitizers' options must be there before main(): FcgidInitialEnv.
		gw_app_env "$src" || return 1
		gw_write_env_file "$GW_RUN/etc/gamewatch/env" DATABASE_URL REDIS_URL SECRET_KEY \
			APP_BASE_URL GW_TEMPLATE_DIR GW_DATA_DIR || return 1
		(umask 077; : >"$GW_RUN/etc/gamewatch/fcgid-env.conf") || return 1
		for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
			[ -n "${!v:-}" ] && printf 'FcgidInitialEnv %s "%s"\n' "$v" "${!v}" \
				>>"$GW_RUN/etc/gamewatch/fcgid-env.conf"
		done
		mkdir -p "$dir/$mode/fcgid"
		[ -n "${GW_APP_USER:-}" ] && chown "$GW_APP_USER" "$dir/$mode/fcgid"
	fi
	cat >"$dir/$mode/httpd.conf" <<-EOF
		ServerRoot "$dir/$mode"
		DefaultRuntimeDir "$dir/$mode"
		PidFile "$dir/$mode/httpd.pid"
		ServerName 127.0.0.1
		Listen 127.0.0.1:$port
		$user
		ErrorLog "$GW_RUN/log/apache-$mode-error.log"
		LogLevel warn
		LogFormat "%h %t \"%r\" %>s %b %D" timing
		CustomLog "$GW_RUN/log/apache-$mode-access.log" timing
		Include "$dir/$mode/modules.conf"
		TypesConfig /etc/mime.types
		StartServers 1
		ServerLimit 4
		ThreadsPerChild 25
		MaxRequestWorkers 100
		Timeout 60
		KeepAlive On
		DocumentRoot "$dir/$mode/empty"
		<Directory />
		    AllowOverride None
		    Require all denied
		</Directory>
		$( [ "$mode" = fcgid ] && printf 'FcgidIPCDir "%s"\nFcgidProcessTableFile "%s"\nInclude "%s"\n' \
			"$dir/$mode/fcgid" "$dir/$mode/fcgid/shm" "$GW_RUN/etc/gamewatch/fcgid-env.conf" )
		Include "$dir/$mode/gamewatch.conf"
		Use GameWatch
	EOF
	mkdir -p "$dir/$mode/empty"
	[ -f /etc/mime.types ] || sed -i 's|^TypesConfig .*|TypesConfig /dev/null|' "$dir/$mode/httpd.conf"
	"$apache" -t -f "$dir/$mode/httpd.conf" >"$GW_RUN/log/apache-$mode-check.log" 2>&1 \
		|| { cat "$GW_RUN/log/apache-$mode-check.log" >&2; gw__die "Apache config check failed"; return 1; }
	"$apache" -f "$dir/$mode/httpd.conf" -DFOREGROUND </dev/null \
		>>"$GW_RUN/log/apache-$mode.log" 2>&1 &
	pid=$!
	gw_record "apache-$mode" "$pid"
	if [ "$mode" = fcgid ]; then
		GW_FCGID_PORT=$port GW_FCGID_URL="http://127.0.0.1:$port"
		export GW_FCGID_PORT GW_FCGID_URL
	else
		GW_APACHE_PORT=$port APACHE_URL="http://127.0.0.1:$port"
		export GW_APACHE_PORT APACHE_URL
	fi
	gw_wait_http "http://127.0.0.1:$port/static/" 20 || {
		cat "$GW_RUN/log/apache-$mode-error.log" >&2; gw__die "Apache did not answer"; return 1; }
}

# Wait until URL answers HTTP (any status, or exactly STATUS) within SECONDS.
gw_wait_http() {
	local url=$1 secs=${2:-30} want=${3:-} code end
	end=$(( $(date +%s) + secs ))
	while :; do
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" 2>/dev/null)
		if [ -n "$code" ] && [ "$code" != 000 ]; then
			[ -z "$want" ] || [ "$code" = "$want" ] && return 0
		fi
		[ "$(date +%s)" -ge "$end" ] && { gw__log "timeout waiting for $url (last status $code)"; return 1; }
		sleep 0.1
	done
}

# Stop everything listed in DIR/pids (newest first), then the PostgreSQL
# clusters started from DIR.  Safe to call twice and from another shell.
gw_stop_all() {
	local dir=${1:-${GW_RUN:-}} name pid st data sock
	[ -n "$dir" ] || return 0
	if [ -f "$dir/pids" ]; then
		tac "$dir/pids" | while read -r name pid st; do
			[ -n "$pid" ] && gw__stop_pid "$name" "$pid" "${st:-0}"
		done
		: >"$dir/pids"
	fi
	if [ -f "$dir/pids.pg" ]; then
		while read -r name data sock; do
			gw_pg_stop "$data" "$sock"
		done <"$dir/pids.pg"
		rm -f "$dir/pids.pg"
	fi
	rm -f "$dir/run/gamewatch/app.sock" "$dir/run/gamewatch/stream.sock"
	return 0
}
