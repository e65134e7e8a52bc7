#!/bin/sh
# check-boundary.sh: the module boundary of docs/ARCHITECTURE.md, checked
# on the source tree (run by `make check`; GW_SRCDIR is the source root):
#   1. core/ and platform/ name no module: the name of no folder of
#      modules/ ("bzcc") appears as a word anywhere in them (code, SQL, templates,
#      comments), case-insensitive;
#   2. core/ and platform/ include no module header (the platform reaches a
#      module only through its descriptor, platform/module.h);
#   3. core/ includes no platform header;
#   4. no module includes another module's headers.
# Prints every violation as file:line: text and exits 1 when there is any.
set -u
src=${GW_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src" || exit 2
[ -d core ] && [ -d platform ] && [ -d modules ] || { echo "no source tree at $src" >&2; exit 2; }
fail=0

report() { # title, grep output (empty: no violation)
	if [ -n "$2" ]; then
		echo "FAIL: $1"
		printf '%s\n' "$2"
		fail=1
	else
		echo "ok: $1"
	fi
}

for dir in modules/*/; do
	name=$(basename "$dir")
	report "core/ and platform/ never name module $name" "$(grep -rniIFw "$name" core platform)"
done
report "core/ and platform/ include no module header" \
	"$(grep -rnE '#[[:space:]]*include[[:space:]]*"modules/' core platform)"
report "core/ includes no platform header" \
	"$(grep -rnE '#[[:space:]]*include[[:space:]]*"platform/' core)"
for dir in modules/*/; do
	name=$(basename "$dir")
	report "module $name includes no other module's header" \
		"$(grep -rnE '#[[:space:]]*include[[:space:]]*"modules/' "$dir" |
			grep -vE "#[[:space:]]*include[[:space:]]*\"modules/$name/")"
done
exit $fail
