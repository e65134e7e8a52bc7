#!/usr/bin/env bash
# t68: request-body limits per route class in the shipped web-server confs,
# and JSON bodies for the errors the web servers raise on /api/ themselves.
exec python3 "$SRCDIR/tests/integration/t68_webserver_limits.py"
