#!/usr/bin/env bash
# t94: Steam sign-in (OpenID 2.0) against a fake provider: the round trip,
# and forged, replayed and wrong-endpoint assertions refused.
exec python3 "$SRCDIR/tests/integration/t94_openid.py"
