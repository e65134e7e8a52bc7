#!/usr/bin/env bash
# t86: the shared-hosting profile: a user without root installs the release
# tarball into their home, Apache runs it through mod_fcgid from the shipped
# .htaccess, the jobs run from the user's crontab, no Redis
# (t86_shared_hosting.py).
exec python3 "$SRCDIR/tests/integration/t86_shared_hosting.py"
