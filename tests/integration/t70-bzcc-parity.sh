#!/usr/bin/env bash
# t70: issue 9's parity features on the real captures: two sources merged
# with failover, MSL metadata, host-migration relinks, revived NAT ids, spam
# and bot rules, rules of the game, join links, viewer habits on the page.
exec python3 "$SRCDIR/tests/integration/t70_bzcc_parity.py"
