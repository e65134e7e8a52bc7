#!/usr/bin/env bash
# t93: every MOHAA API route's real answers against the OpenAPI document.
exec python3 "$SRCDIR/tests/integration/t93_mohaa_openapi.py"
