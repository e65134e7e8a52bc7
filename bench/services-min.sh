# shellcheck shell=bash
# bench/services-min.sh: the few service helpers bench/run.sh needs, used
# only when tests/lib/services.sh is missing or lacks one of them.  Same
# function names and exported variables as tests/lib/services.sh, much less
# care (no port bookkeeping across runs, no Apache).  Source it (bash).

GW_PG_BINDIR=${GW_PG_BINDIR:-/usr/lib/postgresql/15/bin}

gw_services_init() {
	mkdir -p "$1" || return 1
	GW_RUN=$(cd "$1" && pwd -P)
	GW_PIDS_FILE=$GW_RUN/pids
	export GW_RUN GW_PIDS_FILE
	mkdir -p "$GW_RUN"/run/gamewatch "$GW_RUN"/var/lib/gamewatch/assets \
		"$GW_RUN"/etc/gamewatch "$GW_RUN"/log || return 1
	chmod 0755 "$GW_RUN" "$GW_RUN"/run "$GW_RUN"/run/gamewatch
	touch "$GW_PIDS_FILE" "$GW_RUN/ports"
}

# A loopback port nobody listens on and we have not handed out yet.
gw_free_port() {
	local p hex i
	for i in $(seq 1 200); do
		p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 30000 ))
		grep -qsx "$p" "$GW_RUN/ports" && continue
		hex=$(printf ':%04X' "$p")
		awk -v h="$hex" 'substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' \
			/proc/net/tcp /proc/net/tcp6 2>/dev/null && continue
		echo "$p" >>"$GW_RUN/ports"
		echo "$p"
		return 0
	done
	return 1
}

gw_record() { echo "$1 $2" >>"$GW_PIDS_FILE"; }

gw_pg_start() {
	local data=$GW_RUN/pg sock=$GW_RUN/pgrun port pw
	mkdir -p "$data" "$sock" && chmod 0700 "$data" && chmod 0755 "$sock" || return 1
	[ "$(id -u)" = 0 ] && chown postgres "$data" "$sock"
	pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi; }
	pg "$GW_PG_BINDIR/initdb" -D "$data" -U postgres -E UTF8 --locale=C \
		--auth-local=peer --auth-host=scram-sha-256 >"$GW_RUN/log/initdb.log" 2>&1 || return 1
	port=$(gw_free_port) || return 1
	pg "$GW_PG_BINDIR/pg_ctl" -D "$data" -w -t 60 -l "$sock/postgresql.log" \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $sock -c fsync=${GW_PG_FSYNC:-on}" \
		start >"$GW_RUN/log/pg_ctl.log" 2>&1 || return 1
	echo "pg $data" >"$GW_PIDS_FILE.pg"
	pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	pg "$GW_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres \
		-d postgres -c "CREATE ROLE gamewatch LOGIN PASSWORD '$pw'" \
		-c "CREATE DATABASE gamewatch OWNER gamewatch" >/dev/null || return 1
	GW_PG_DATA=$data GW_PG_SOCKDIR=$sock GW_PG_PORT=$port
	DATABASE_URL="postgresql://gamewatch:$pw@127.0.0.1:$port/gamewatch"
	export GW_PG_DATA GW_PG_SOCKDIR GW_PG_PORT DATABASE_URL
}

gw_redis_start() {
	local port i pid
	port=$(gw_free_port) || return 1
	redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
		--daemonize no --logfile "$GW_RUN/log/redis.log" </dev/null >/dev/null 2>&1 &
	pid=$!
	gw_record redis "$pid"
	for i in $(seq 1 100); do
		if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
			GW_REDIS_PORT=$port REDIS_URL="redis://127.0.0.1:$port/0"
			export GW_REDIS_PORT REDIS_URL
			return 0
		fi
		sleep 0.1
	done
	return 1
}

gw_share() {  # BUILD: the staged data and the programs, used in place
	GW_SHARE_DIR=$1/share GW_BIN_DIR=$1
	export GW_SHARE_DIR GW_BIN_DIR
}

gw_app_env() {
	: "${SECRET_KEY:=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')}"
	: "${APP_BASE_URL:=http://127.0.0.1}"
	: "${GW_TEMPLATE_DIR:=$GW_SHARE_DIR/templates}"
	: "${GW_DATA_DIR:=$GW_RUN/var/lib/gamewatch}"
	: "${GW_SQL_DIR:=$GW_SHARE_DIR/sql}"
	export SECRET_KEY APP_BASE_URL GW_TEMPLATE_DIR GW_DATA_DIR GW_SQL_DIR
}

gw_pool_start() {
	local build=$1 src=$2 n=${3:-4} sock=$GW_RUN/run/gamewatch/app.sock pid i
	gw_app_env "$src"
	# as started, like the baseline (bench/fcgi-constant): root too
	"$build/gamewatch.fcgi" --listen "unix:$sock" --workers "$n" --allow-root \
		--pidfile "$GW_RUN/run/gamewatch/pool.pid" </dev/null >>"$GW_RUN/log/pool.log" 2>&1 &
	pid=$!
	gw_record pool "$pid"
	for i in $(seq 1 100); do
		[ -S "$sock" ] && { GW_POOL_SOCKET=$sock GW_POOL_PID=$pid; export GW_POOL_SOCKET GW_POOL_PID; return 0; }
		sleep 0.1
	done
	return 1
}

gw_render_conf() {
	sed -e "s|@pkglibexecdir@|$3|g" -e "s|@pkgdatadir@|$4|g" -e "s|@bindir@|$3|g" \
		-e "s|@localstatedir@|$GW_RUN/var|g" -e "s|@runstatedir@|$GW_RUN/run|g" \
		-e "s|@sysconfdir@|$GW_RUN/etc|g" "$1" >"$2"
}

gw_wait_http() {
	local end=$(( $(date +%s) + ${2:-30} )) code
	while :; do
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null)
		[ -n "$code" ] && [ "$code" != 000 ] && { [ -z "${3:-}" ] || [ "$code" = "$3" ]; } && return 0
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# Stop what DIR/pids lists, newest first (TERM, then KILL after 10 s), then
# PostgreSQL.
gw_stop_all() {
	local dir=${1:-$GW_RUN} name pid i
	if [ -f "$dir/pids" ]; then
		tac "$dir/pids" | while read -r name pid _; do
			kill -0 "$pid" 2>/dev/null || continue
			kill -TERM "$pid" 2>/dev/null
			for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
		done
		: >"$dir/pids"
	fi
	if [ -f "$dir/pids.pg" ]; then
		while read -r _ data; do
			if [ "$(id -u)" = 0 ]; then
				(cd / && runuser -u postgres -- "$GW_PG_BINDIR/pg_ctl" -D "$data" -m fast -w stop) >/dev/null 2>&1
			else
				(cd / && "$GW_PG_BINDIR/pg_ctl" -D "$data" -m fast -w stop) >/dev/null 2>&1
			fi
		done <"$dir/pids.pg"
		rm -f "$dir/pids.pg"
	fi
}
