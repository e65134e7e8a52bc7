"""t40: once nothing fresh has arrived for 30 s the page shows the stale
banner while still serving the last good data; failing polls back off
(10 s after the first failure, so a 4-second run with a 1-second interval
makes exactly one attempt) and a success resets the cadence."""
import os
import re
import subprocess

from gwtest import (BASE_URL, DATA, done, get_json, http, job, ok, poll_file, psql,
                    scalar, servers)

GOOD = os.path.join(DATA, "lobby", "rebellion-direct_2022-12_frute94-BZCC-Scanner.json")
BANNER = 'class="stale-banner"'

rc, out = poll_file(GOOD)
ok(rc == 0, "poll the good capture", out)
st, _, body = http(BASE_URL + "/bzcc/")
ok(st == 200 and BANNER not in body.decode(), "fresh data: no stale banner")
_, _, doc = get_json(BASE_URL + "/api/v1/sessions/current")
ok(doc and doc["stale"] is False and doc["poll"]["stale"] is False, "fresh data: stale is false in the API")
live = sorted(s["id"] for s in doc["sessions"])

# Redis holds only what PostgreSQL can rebuild: with the cache flushed, the
# same sessions are served (rebuilt from PostgreSQL by the web workers).
flush = subprocess.run(["redis-cli", "-u", os.environ["REDIS_URL"], "FLUSHALL"],
                       capture_output=True, text=True)
# redis-cli exits 0 on an error reply (NOAUTH): the answer must be OK
ok(flush.returncode == 0 and flush.stdout.strip() == "OK", "flush Redis", flush.stdout + flush.stderr)
# announce a change as the poller would, so that every worker drops its
# in-process copy, finds no version in Redis and must rebuild
pub = subprocess.run(["redis-cli", "-u", os.environ["REDIS_URL"], "PUBLISH", "gw:bzcc:events",
                      '{"type":"lobby","version":0}'], capture_output=True, text=True)
ok(pub.returncode == 0 and int(pub.stdout) >= 4, "every worker is subscribed to gw:bzcc:events",
   pub.stdout)
for name, url in servers():
    _, _, again = get_json(url + "/api/v1/sessions/current")
    ok(again and sorted(s["id"] for s in again["sessions"]) == live and again["stale"] is False,
       "%s: with Redis flushed the sessions come from PostgreSQL" % name)
rc, out = poll_file(GOOD)
ok(rc == 0 and int(subprocess.run(["redis-cli", "-u", os.environ["REDIS_URL"], "EXISTS",
                                   "gw:bzcc:current"], capture_output=True, text=True).stdout) == 1,
   "the next poll rebuilds the Redis view", out)

# Age every successful poll by 45 s, then fail one poll: the poller rebuilds
# the cached view from PostgreSQL, whose newest success is now 45 s old.
psql("UPDATE bzcc.polls SET taken_at = taken_at - interval '45 seconds'")
rc, out = poll_file(os.path.join(DATA, "does-not-exist.json"))
ok(rc == 1, "a failing poll exits 1", out)
st, _, body = http(BASE_URL + "/bzcc/")
html = body.decode()
ok(st == 200 and BANNER in html, "stale data: the page shows the banner")
ok(len(re.findall(r'class="session-card[ "]', html)) == len(live),
   "stale data: the last good sessions are still on the page")
_, _, doc = get_json(BASE_URL + "/api/v1/sessions/current")
ok(doc and doc["stale"] is True and sorted(s["id"] for s in doc["sessions"]) == live
   and doc["poll"]["consecutive_failures"] >= 1 and doc["poll"]["last_error"],
   "stale data: the API says stale, keeps the sessions, shows the failure", doc and doc["poll"])
st, _, hz = get_json(BASE_URL + "/healthz")
ok(st == 503 and hz and hz["status"] == "stale" and hz["poll"]["stale"] is True
   and hz["modules"].get("bzcc") == "stale"
   and all(v == "ok" for m, v in hz["modules"].items() if m != "bzcc")
   and any(p.startswith("bzcc:") for p in hz["problems"]),
   "/healthz is 503 with status stale and the module named in problems", st, hz)

# Backoff: a run started while an earlier failure's backoff runs (a second
# failure: 16-24 s) waits it out and makes no attempt in 4 s ...
FAILING = {"RAKNET_URL": "file:///nonexistent/lobby.json", "POLL_INTERVAL_SECONDS": "1"}
rc, out = poll_file(os.path.join(DATA, "does-not-exist.json"))
before = int(scalar("SELECT count(*) FROM bzcc.polls"))
rc, out = job("poll-bzcc", "--duration", "4", env=FAILING)
attempts = int(scalar("SELECT count(*) FROM bzcc.polls")) - before
ok(rc == 0 and attempts == 0, "backing off: a new run waits out the backoff (no attempt in 4 s)",
   "attempts %d" % attempts, out)
# ... while after a success a run of 4 s with a 1 s interval makes exactly
# one failing attempt (the next would come 8-12 s later) ...
rc, out = poll_file(GOOD)
ok(rc == 0, "a good poll resets the failures", out)
before = int(scalar("SELECT count(*) FROM bzcc.polls"))
rc, out = job("poll-bzcc", "--duration", "4", env=FAILING)
attempts = int(scalar("SELECT count(*) FROM bzcc.polls")) - before
ok(rc == 0 and attempts == 1, "failing: exactly one attempt in 4 s (backoff >= 8 s)",
   "attempts %d" % attempts, out)
# ... and after a success the 1 s cadence returns: several polls in 4 s.
rc, out = poll_file(GOOD)
before = int(scalar("SELECT count(*) FROM bzcc.polls"))
rc, out = job("poll-bzcc", "--duration", "4", env={
    "RAKNET_URL": "file://" + GOOD, "POLL_INTERVAL_SECONDS": "1"})
attempts = int(scalar("SELECT count(*) FROM bzcc.polls")) - before
ok(rc == 0 and attempts >= 3, "succeeding: a poll about every second", "attempts %d" % attempts, out)
st, _, body = http(BASE_URL + "/bzcc/")
ok(BANNER not in body.decode(), "fresh again: the banner is gone")
done()
