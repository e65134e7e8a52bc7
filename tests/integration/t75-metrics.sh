#!/usr/bin/env bash
# t75: /metrics (Prometheus text format) through lighttpd and Apache, checked
# by a strict parser and promtool; JSON logs of gamewatch-job (LOG_FORMAT=json).
exec python3 "$SRCDIR/tests/integration/t75_metrics.py"
