#!/usr/bin/env bash
# t91: two synthetic MOHAA matches from the real weapon, map, hit-location and
# means-of-death lists; every derived number against independent expectations.
exec python3 "$SRCDIR/tests/integration/t91_mohaa_match.py"
