#!/usr/bin/env bash
# t99: EVE SSO (OAuth 2.0 with PKCE, JWT checked against the JWKS) against a
# fake issuer: sign-in, several characters per account, and forged, expired,
# wrong-audience, wrong-issuer, bad-state and bad-verifier answers refused.
exec python3 "$SRCDIR/tests/integration/t99_eve_sso.py"
