#!/usr/bin/env bash
# t85: the Debian package built by `make deb`: install, first run, the pool
# as its unit runs it, Apache and lighttpd virtual hosts beside another
# site, the jobs from /etc/cron.d, upgrade, backup and restore, purge
# (t85_package.py).
exec python3 "$SRCDIR/tests/integration/t85_package.py"
