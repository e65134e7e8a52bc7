#!/usr/bin/env bash
# t87: /healthz status codes and detail for monitoring (t87_health.py).
exec python3 "$SRCDIR/tests/integration/t87_health.py"
