#!/usr/bin/env python3
"""post-batches.py: POST every DIR/*.json to the ingest URL with C keep-alive
clients, check each answer is 202 with all events processed, then wait until
mohaa.events holds N rows; print the seconds from the first POST to then."""
import argparse
import glob
import http.client
import json
import queue
import subprocess
import threading
import time
import urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("--url", required=True)
ap.add_argument("--app-url", default="")
ap.add_argument("--token", required=True)
ap.add_argument("--dir", required=True)
ap.add_argument("--clients", type=int, default=4)
ap.add_argument("--events", type=int, required=True)
ap.add_argument("--database-url", required=True)
a = ap.parse_args()
files = sorted(glob.glob(a.dir + "/*.json"))
bodies = [open(f, "rb").read() for f in files]
work = queue.Queue()
for b in bodies:
    work.put(b)
u = urllib.parse.urlparse(a.url)
errors = []


def client():
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    while True:
        try:
            b = work.get_nowait()
        except queue.Empty:
            return
        conn.request("POST", u.path, b, {"Content-Type": "application/json", "X-Server-Token": a.token})
        r = conn.getresponse()
        data = r.read()
        if r.status != 202 or json.loads(data).get("rejected") != 0:
            errors.append((r.status, data[:200]))


t0 = time.monotonic()
threads = [threading.Thread(target=client) for _ in range(a.clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
posted = time.monotonic() - t0
if errors:
    raise SystemExit("post-batches: %d bad answers, first %s" % (len(errors), errors[0]))
while True:
    n = int(subprocess.run(["psql", a.database_url, "-qAtc", "SELECT count(*) FROM mohaa.events"],
                           capture_output=True, text=True, check=True).stdout)
    if n >= a.events:
        break
    time.sleep(0.1)
elapsed = time.monotonic() - t0
import sys
print("post-batches: %d bodies posted in %.2f s; all %d rows written after %.2f s" % (len(bodies), posted, n, elapsed),
      file=sys.stderr)
print("%.3f" % elapsed)
