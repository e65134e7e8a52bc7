#!/usr/bin/env bash
# t81: the crontab and the scheduler from the job registry (t81_scheduler.py).
exec python3 "$SRCDIR/tests/integration/t81_scheduler.py"
