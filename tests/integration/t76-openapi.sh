#!/usr/bin/env bash
# t76: the OpenAPI document against the route table (both directions), the
# OpenAPI 3.1 schema (npm validators) and real answers; how it is served.
exec python3 "$SRCDIR/tests/integration/t76_openapi.py"
