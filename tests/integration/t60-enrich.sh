#!/usr/bin/env bash
# t60: enrichment and asset mirroring end to end against the local upstream
# fixture (tests/fixtures/upstream.py): facts, pictures, pages, no hotlinks.
exec python3 "$SRCDIR/tests/integration/t60_enrich.py"
