#!/usr/bin/env bash
# t99: /api/v1/killmails/stream: newly imported real killmails reach the
# stream rooms as merge patches (resume, Apache too), and the recent-kills
# page in headless Chromium shows them live, or by polling without the stream.
exec python3 "$SRCDIR/tests/integration/t99_eve_stream.py"
