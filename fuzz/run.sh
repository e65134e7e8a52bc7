#!/bin/sh
# run.sh: build every libFuzzer target this script knows (fuzz/fuzz_<name>.c
# or modules/*/fuzz/fuzz_<name>.c) with clang -fsanitize=fuzzer,address,undefined
# into a temporary build directory, and run each for ${FUZZ_SECONDS:-30}
# seconds starting from its seed corpus in fuzz/corpus/<name>/ and dictionary
# fuzz/<name>.dict when present (new inputs go to the build directory, never
# into the seeds). Prints "ok - fuzz <name>: ..." or "not ok - fuzz <name>:
# <why>" per target and "N passed, N failed" last (./dev test counts one test
# per target). Exits non-zero when a target is missing, fails to build, runs
# no input or crashes (the crashing input is kept in the build directory).
#
# Usage: fuzz/run.sh [target...]     e.g. fuzz/run.sh bzcc_lobby
# Environment: FUZZ_SECONDS, CC (default clang), FUZZ_BUILD_DIR (default a
# new mktemp -d; kept after the run so crashes can be reproduced).
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-30}
cc=${CC:-clang}
build=${FUZZ_BUILD_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/gw-fuzz.XXXXXX")}
mkdir -p "$build"
jsonc_cflags=$(pkg-config --cflags json-c 2>/dev/null || true)
jsonc_libs=$(pkg-config --libs json-c 2>/dev/null || echo -ljson-c)
cflags="-g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer
	-I$srcdir -I$srcdir/core $jsonc_cflags"

# name -> sources (besides fuzz/fuzz_<name>.c) and seed corpus directory
sources_for() {
	case $1 in
	eve_killmail|eve_scan) echo "core/buf.c core/timeutil.c modules/eve/domain/idmap.c modules/eve/domain/isk.c modules/eve/domain/killmail.c modules/eve/domain/jsonscan.c modules/eve/domain/space.c modules/eve/domain/cluster.c modules/eve/domain/sides.c modules/eve/domain/report.c" ;;
	bzcc_lobby|bzcc_join) echo "core/buf.c core/html.c core/sanitize.c platform/enrich/enrich-json.c modules/bzcc/domain/nat.c modules/bzcc/domain/text.c modules/bzcc/domain/lobby.c modules/bzcc/domain/msl.c modules/bzcc/domain/model.c modules/bzcc/domain/rules.c modules/bzcc/domain/facts.c" ;;
	bzcc_facts) echo "core/buf.c core/html.c core/sanitize.c platform/enrich/enrich-json.c modules/bzcc/domain/facts.c" ;;
	profiles) echo "core/buf.c core/html.c platform/enrich/enrich-json.c platform/enrich/profile-decode.c" ;;
	mohaa_form|mohaa_lines|mohaa_array) echo "core/buf.c modules/mohaa/domain/catalog.c modules/mohaa/domain/parse.c modules/mohaa/domain/event.c modules/mohaa/domain/derive.c" ;;
	tmpl) echo "core/buf.c core/html.c core/tmpl.c" ;;
	img) echo "core/img.c" ;;
	sanitize) echo "core/buf.c core/html.c core/sanitize.c" ;;
	req) echo "core/buf.c core/html.c core/log.c core/sha256.c core/kv.c core/db.c core/timeutil.c platform/web/req.c platform/web/guard.c platform/accounts/accounts.c" ;;
	openid) echo "core/buf.c core/html.c core/timeutil.c platform/accounts/openid.c" ;;
	jose) echo "core/buf.c core/html.c core/sha256.c platform/accounts/jose.c platform/accounts/oauth2.c" ;;
	route) echo "core/buf.c core/log.c platform/modules.c platform/web/route.c" ;;
	url_decode) echo "core/buf.c core/html.c" ;;
	cursor) echo "core/buf.c platform/web/cursor.c" ;;
	iso8601) echo "core/timeutil.c" ;;
	accept_encoding) echo "core/buf.c core/gzip.c" ;;
	retry_after) echo "core/buf.c core/http.c" ;;
	fcgi_proto) echo "core/buf.c platform/stream/fcgi-proto.c" ;;
	*) return 1 ;;
	esac
}
# name -> extra libraries (pkg-config names, then plain flags)
libs_for() {
	case $1 in
	img) echo "$(pkg-config --cflags --libs libpng libjpeg libwebp 2>/dev/null || echo -lpng -ljpeg -lwebp) -lgif" ;;
	req) echo "-lfcgi $(pkg-config --cflags --libs hiredis libcrypto libpq 2>/dev/null || echo -I/usr/include/hiredis -I/usr/include/postgresql -lhiredis -lcrypto -lpq)" ;;
	openid) pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql ;;
	jose) echo "$(pkg-config --cflags --libs libpq 2>/dev/null || echo -I/usr/include/postgresql) $(pkg-config --cflags --libs libjwt libcrypto 2>/dev/null || echo -ljwt -lcrypto)" ;;
	route) echo "-lfcgi" ;;
	cursor) pkg-config --cflags --libs libcrypto 2>/dev/null || echo -lcrypto ;;
	accept_encoding) pkg-config --cflags --libs zlib 2>/dev/null || echo -lz ;;
	# core/http.c includes configure's config.h for PACKAGE_VERSION: the
	# fuzz build directory has a stand-in
	retry_after) echo "-I$build/include $(pkg-config --cflags --libs libcurl 2>/dev/null || echo -lcurl)" ;;
	sanitize|bzcc_facts|bzcc_lobby|bzcc_join) pkg-config --cflags --libs libxml-2.0 2>/dev/null || echo "-I/usr/include/libxml2 -lxml2" ;;
	*) echo "" ;;
	esac
}
corpus_for() {
	case $1 in
	bzcc_lobby) echo bzcc ;;
	*) echo "$1" ;;
	esac
}

# Every target: a missing source file is a failure, not a silent omission.
if [ $# -eq 0 ]; then
	set -- bzcc_lobby bzcc_join bzcc_facts eve_killmail eve_scan tmpl img sanitize profiles req route url_decode cursor iso8601 accept_encoding retry_after fcgi_proto openid jose \
		mohaa_form mohaa_lines mohaa_array
fi
mkdir -p "$build/include"
echo '#define PACKAGE_VERSION "fuzz"' >"$build/include/config.h"

status=0 passed=0 failed=0
fail() {  # NAME WHY
	echo "not ok - fuzz $1: $2"
	failed=$((failed + 1))
	status=1
}
for name in "$@"; do
	if ! srcs=$(sources_for "$name"); then
		fail "$name" "unknown target"
		continue
	fi
	# a target lives in fuzz/ (core, platform) or in its module's fuzz/
	tdir=$srcdir/fuzz
	for d in "$srcdir"/modules/*/fuzz; do
		[ -f "$d/fuzz_$name.c" ] && tdir=$d
	done
	if [ ! -f "$tdir/fuzz_$name.c" ]; then
		fail "$name" "no fuzz/fuzz_$name.c nor modules/*/fuzz/fuzz_$name.c"
		continue
	fi
	bin="$build/fuzz_$name"
	echo "== building $name"
	# Reuse the positional parameters for the source paths (they may hold
	# spaces); the outer for loop already expanded its own list.
	set --
	for s in $srcs; do
		set -- "$@" "$srcdir/$s"
	done
	extra=$(libs_for "$name")
	# shellcheck disable=SC2086 # word splitting of the flag lists is intended
	if ! $cc $cflags "$@" "$tdir/fuzz_$name.c" $jsonc_libs $extra -o "$bin"; then
		fail "$name" "build failed"
		continue
	fi
	work="$build/corpus-$name"
	mkdir -p "$work"
	seeds="$tdir/corpus/$(corpus_for "$name")"
	[ -d "$seeds" ] || seeds=
	dict=
	[ -f "$tdir/$name.dict" ] && dict="-dict=$tdir/$name.dict"
	# a module's targets may share one dictionary named after the module
	[ -z "$dict" ] && [ -f "$tdir/${name%%_*}.dict" ] && dict="-dict=$tdir/${name%%_*}.dict"
	echo "== running $name for $seconds s (log: $build/$name.log)"
	# shellcheck disable=SC2086 # $seeds and $dict are empty or one word
	if "$bin" -max_total_time="$seconds" -print_final_stats=1 $dict \
		-artifact_prefix="$build/$name-" "$work" $seeds \
		>"$build/$name.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/$name.log" | tail -n 1)
		if [ "${runs:-0}" -gt 0 ]; then
			echo "ok - fuzz $name: $runs runs in $seconds s"
			passed=$((passed + 1))
		else
			fail "$name" "ran no input (see $build/$name.log)"
		fi
	else
		tail -n 60 "$build/$name.log" >&2
		fail "$name" "crashed; artifacts in $build"
	fi
done
echo "build directory: $build"
echo "$passed passed, $failed failed"
exit $status
