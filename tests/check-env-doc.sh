#!/bin/sh
# tests/check-env-doc.sh: every setting the programs read is in the settings
# table of apache/README.md (the operator's guide), and README.md carries the
# same table. The settings are the string literals of the sources under
# core/, platform/ and modules/ named like the environment variables they
# are (GW_*, DATABASE_URL, S3_*, ...). Run by make check.
src=${GW_SRCDIR:-$(dirname "$0")/..}
fail=0
table() {
	sed -n '/^<!-- settings table/,/^<!-- end of the settings table -->/p' "$1"
}
guide=$(table "$src/apache/README.md")
if [ -z "$guide" ]; then
	echo "FAIL: apache/README.md has no settings table"
	exit 1
fi
if [ "$guide" != "$(table "$src/README.md")" ]; then
	echo "FAIL: the settings table of README.md differs from apache/README.md's"
	fail=1
else
	echo "ok: README.md and apache/README.md have the same settings table"
fi
names=$(find "$src/core" "$src/platform" "$src/modules" -name '*.[ch]' -not -path '*/tests/*' \
	-exec grep -hoE '"(GW|ASSETS|S3|ENRICH|MIRROR|STEAM|GOG|GETDATA|VSR|REDIS|DATABASE|SECRET|METRICS|APP|RAKNET|POLL|LOG|MSL|BZCC|EVE|STREAM|WS|NOTIFY|MOHAA)_[A-Z0-9_]*[A-Z0-9]"' {} + \
	| tr -d '"' | sort -u)
missing=
for n in $names; do
	printf '%s\n' "$guide" | grep -q "\`$n\`" || missing="$missing $n"
done
if [ -n "$missing" ]; then
	echo "FAIL: settings missing from the table of apache/README.md:$missing"
	fail=1
else
	echo "ok: every setting the sources read ($(echo $names | wc -w)) is in the table"
fi
exit $fail
