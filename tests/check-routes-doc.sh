#!/bin/sh
# tests/check-routes-doc.sh: make check fails while docs/routes.md differs
# from what tools/gen-routes-doc.sh makes of this build's route table, so
# the committed route list cannot go stale. `make routes-doc` rewrites it.
src=${GW_SRCDIR:-.}
build=${GW_BUILDDIR:-build}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
if ! sh "$src/tools/gen-routes-doc.sh" "$build/gamewatch.fcgi" >"$tmp"; then
	echo "FAIL: tools/gen-routes-doc.sh could not read the route table"
	exit 1
fi
if ! diff -u "$src/docs/routes.md" "$tmp"; then
	echo "FAIL: docs/routes.md is out of date with the route table: run 'make routes-doc' and commit it"
	exit 1
fi
echo "docs/routes.md matches gamewatch.fcgi --routes ($(grep -c '^| [A-Z]' "$tmp") routes)"
