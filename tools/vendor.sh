#!/bin/sh
# tools/vendor.sh SRCDIR: the front-end libraries the pages load, from npm.
#
# npm ci of SRCDIR/package-lock.json into SRCDIR/node_modules/ (when missing
# or older than the lock file; no install scripts: none of our packages needs
# one, and swagger-ui-dist's would phone home), then the files the pages use
# into SRCDIR/static/vendor/ under the names the templates load:
#   htmx.min.js            htmx.org/dist/htmx.min.js
#   htmx-ext-sse.min.js    htmx-ext-sse/dist/sse.min.js
#   chart.umd.js           chart.js/dist/chart.umd.js
#   swagger-ui-bundle.js   swagger-ui-dist (with its LICENSE.txt), swagger-ui.css
# and VERSIONS.txt (each package's version and licence). This list is the
# only one: ./dev, `make vendor`, `make install` and `make deb` all run this
# script, and make installs whatever static/vendor/ holds.
#
# Exit status 0, or 1 with a message on stderr (npm missing or failing).
# NPM (default: npm) names the program.
set -eu
SRC=$(cd "${1:?usage: tools/vendor.sh SRCDIR}" && pwd -P)
NPM=${NPM:-npm}
v=$SRC/static/vendor
nm=$SRC/node_modules

if [ ! -f "$nm/.package-lock.json" ] || [ "$SRC/package-lock.json" -nt "$nm/.package-lock.json" ]; then
	if ! command -v "$NPM" >/dev/null 2>&1; then
		echo "vendor: npm is missing (apt-get install npm): static/vendor/ cannot be filled" >&2
		exit 1
	fi
	echo "vendor: npm ci" >&2
	if ! (cd "$SRC" && "$NPM" ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
		echo "vendor: npm ci failed in $SRC (network? run it by hand to see why)" >&2
		exit 1
	fi
fi
mkdir -p "$v"
cp "$nm/htmx.org/dist/htmx.min.js" "$v/htmx.min.js"
cp "$nm/htmx-ext-sse/dist/sse.min.js" "$v/htmx-ext-sse.min.js"
cp "$nm/chart.js/dist/chart.umd.js" "$v/chart.umd.js"
cp "$nm/swagger-ui-dist/swagger-ui-bundle.js" "$v/swagger-ui-bundle.js"
cp "$nm/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt" "$v/swagger-ui-bundle.js.LICENSE.txt"
cp "$nm/swagger-ui-dist/swagger-ui.css" "$v/swagger-ui.css"
{
	echo "Copied by tools/vendor.sh from node_modules (versions pinned in package-lock.json):"
	for p in htmx.org htmx-ext-sse chart.js swagger-ui-dist; do
		printf '  %s %s (%s)\n' "$p" \
			"$(sed -n 's/^  "version": "\(.*\)",*$/\1/p' "$nm/$p/package.json" | head -n 1)" \
			"$(sed -n 's/^  "license": "\(.*\)",*$/\1/p' "$nm/$p/package.json" | head -n 1)"
	done
} >"$v/VERSIONS.txt.tmp"
mv "$v/VERSIONS.txt.tmp" "$v/VERSIONS.txt"
