#!/usr/bin/env bash
# t62: the S3 storage backend against a SigV4-checking S3 fixture.
exec python3 "$SRCDIR/tests/integration/t62_s3.py"
