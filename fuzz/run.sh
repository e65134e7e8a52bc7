#!/bin/sh
# run.sh: build every libFuzzer target this script knows (fuzz/fuzz_*.c that
# exist) with clang -fsanitize=fuzzer,address,undefined into a temporary
# build directory, and run each for ${FUZZ_SECONDS:-30} seconds starting from
# its seed corpus in fuzz/corpus/<name>/ and dictionary fuzz/<name>.dict
# when present (new inputs go to the build
# directory, never into the seeds). Exits non-zero when a target fails to
# build or crashes (the crashing input is kept in the build directory).
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
	bzcc_lobby) echo "core/buf.c modules/bzcc/domain/nat.c modules/bzcc/domain/text.c modules/bzcc/domain/lobby.c modules/bzcc/domain/msl.c modules/bzcc/domain/model.c" ;;
	bzcc_facts) echo "core/buf.c core/html.c core/sanitize.c platform/enrich/enrich-json.c modules/bzcc/domain/facts.c" ;;
	profiles) echo "core/buf.c core/html.c platform/enrich/enrich-json.c platform/enrich/profile-decode.c" ;;
	mohaa_form|mohaa_lines|mohaa_array) echo "core/buf.c modules/mohaa/domain/catalog.c modules/mohaa/domain/parse.c modules/mohaa/domain/event.c modules/mohaa/domain/derive.c" ;;
	tmpl) echo "core/buf.c core/html.c core/tmpl.c" ;;
	img) echo "core/img.c" ;;
	sanitize) echo "core/buf.c core/html.c core/sanitize.c" ;;
	*) return 1 ;;
	esac
}
# name -> extra libraries (pkg-config names, then plain flags)
libs_for() {
	case $1 in
	img) echo "$(pkg-config --cflags --libs libpng libjpeg libwebp 2>/dev/null || echo -lpng -ljpeg -lwebp) -lgif" ;;
	sanitize|bzcc_facts) pkg-config --cflags --libs libxml-2.0 2>/dev/null || echo "-I/usr/include/libxml2 -lxml2" ;;
	*) echo "" ;;
	esac
}
corpus_for() {
	case $1 in
	bzcc_lobby) echo bzcc ;;
	*) echo "$1" ;;
	esac
}

if [ $# -eq 0 ]; then
	set --
	for name in bzcc_lobby bzcc_facts tmpl img sanitize profiles mohaa_form mohaa_lines mohaa_array; do
		{ [ -f "$srcdir/fuzz/fuzz_$name.c" ] || ls "$srcdir"/modules/*/fuzz/fuzz_$name.c >/dev/null 2>&1; } \
			&& set -- "$@" "$name"
	done
fi

status=0
for name in "$@"; do
	if ! srcs=$(sources_for "$name"); then
		echo "run.sh: unknown target: $name" >&2
		status=1
		continue
	fi
	# a target lives in fuzz/ (core, platform) or in its module's fuzz/
	tdir=$srcdir/fuzz
	for d in "$srcdir"/modules/*/fuzz; do
		[ -f "$d/fuzz_$name.c" ] && tdir=$d
	done
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
		echo "run.sh: $name: build failed" >&2
		status=1
		continue
	fi
	work="$build/corpus-$name"
	mkdir -p "$work"
	seeds="$tdir/corpus/$(corpus_for "$name")"
	[ -d "$seeds" ] || seeds="$tdir/corpus"
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
		grep -E '^stat::number_of_executed_units|Done [0-9]+ runs' "$build/$name.log" || true
		echo "== $name: ok"
	else
		tail -n 60 "$build/$name.log" >&2
		echo "run.sh: $name: crashed; artifacts in $build" >&2
		status=1
	fi
done
echo "build directory: $build"
exit $status
