#!/usr/bin/env bash
# t50: replay the MultiplayerSessionList captures as history, roll them up,
# and check the database rollups, the history API (paging, filters, CSV,
# errors) and the history pages against values computed independently
# from the same captures.
exec python3 "$SRCDIR/tests/integration/t50_history.py"
