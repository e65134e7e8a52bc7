#!/usr/bin/env bash
# t70: the route table's rules (405/Allow, 413, JSON 400 on /api/, rate
# limits, operator role) and the SECRET_KEY rule, through every web server
# and straight to the FastCGI pool.
exec python3 "$SRCDIR/tests/integration/t70_route_rules.py"
