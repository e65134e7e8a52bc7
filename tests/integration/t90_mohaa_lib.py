"""t90_mohaa_lib: helpers of the MOHAA integration tests (t90..t92, and t76 for the OpenAPI answers).

Servers are registered with the real CLI (`gamewatch-job mohaa-server add`),
events go through the web servers the harness started, and the ingest job
is the real `gamewatch-job mohaa-ingest`."""
import csv
import json
import os
import subprocess
import urllib.error
import urllib.request

from gwtest import BUILD_DIR, SRCDIR, job, psql, scalar

DATA = os.path.join(SRCDIR, "tests", "data", "mohaa")
SAMPLE_TOKEN = "dev-server-token-replace-in-production"


def register(name):
    """Register a game server; return its token (printed once on stdout)."""
    p = subprocess.run([os.path.join(BUILD_DIR, "gamewatch-job"), "mohaa-server", "add", name],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def post(base, path, body, headers=None, method="POST"):
    """POST bytes; return (status, headers lower-cased, parsed JSON or raw bytes)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            st, h, raw = r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        st, h, raw = e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()
    try:
        return st, h, json.loads(raw)
    except ValueError:
        return st, h, raw


def ingest(*args):
    """Run the ingest job until the stream is drained; (rc, output)."""
    return job("mohaa-ingest", "--once", *args)


def sample_form_lines():
    """The original tracker's bodies of sample_payloads_urlencoded.txt."""
    with open(os.path.join(DATA, "payloads", "sample_payloads_urlencoded.txt"), encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]


def sample_json():
    with open(os.path.join(DATA, "payloads", "sample_payloads_json.json"), encoding="utf-8") as f:
        return json.load(f)


def csv_rows(name):
    with open(os.path.join(DATA, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def server_id(name):
    return int(scalar("SELECT id FROM mohaa.servers WHERE name = :'v1'", name))


def events_of(sid):
    return int(scalar("SELECT count(*) FROM mohaa.events WHERE server_id = :'v1'", sid))
