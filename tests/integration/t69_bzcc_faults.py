"""t69: regression tests for the faults of issue 9 found by probing a running
instance (the web-server ones, 2 and 5, are in t68). Each section names its
fault; every lobby polled is a real capture (tests/data/bzcc), edited where
a section says so."""
import json
import os

from gwtest import (BASE_URL, DATA, done, get_json, http, job, load, ok, poll_file, psql,
                    scalar, servers)
from lobbyfix import LobbyServer

REBELLION = os.path.join(DATA, "lobby", "rebellion-direct_2022-12_frute94-BZCC-Scanner.json")
IONDRIVER = os.path.join(DATA, "lobby", "iondriver-proxy_2024-09-15_Nielk1-MultiplayerSessionList-mock.json")

lobby = LobbyServer()

# --- fault 1: credentials in RAKNET_URL never stored or shown ------------------------

USER, PASSWORD, KEY, TOKEN = "gwuser", "hunter2-pw", "K3Y-0123456789", "T0KEN-abcdef"
lobby.set("/lobbyServer", open(REBELLION, "rb").read())
secret_url = lobby.url("/lobbyServer?__pluginShowSource=true&api_key=%s&token=%s" % (KEY, TOKEN),
                       userinfo="%s:%s" % (USER, PASSWORD))
rc, out = job("poll-bzcc", "--once", env={"RAKNET_URL": secret_url})
ok(rc == 0 and lobby.hits("/lobbyServer") == 1, "fault 1: poll a lobby URL with userinfo and keys", out)
lobby.set("/lobbyServer", b"", status=500)
rc, out = job("poll-bzcc", "--once", env={"RAKNET_URL": secret_url})
ok(rc == 1, "fault 1: and a failing poll of it (rejected row)", out)
secrets = (PASSWORD, KEY, TOKEN, USER)
stored = [r[0] for r in psql("SELECT source_url FROM bzcc.polls ORDER BY id DESC LIMIT 2")]
ok(len(stored) == 2 and not any(s in u for u in stored for s in secrets)
   and all(u.startswith("http://***@127.0.0.1:") and "api_key=***&token=***" in u for u in stored),
   "fault 1: bzcc.polls stores the URL with userinfo and keys masked", stored)
ok(not any(s in out for s in secrets), "fault 1: nor does the poller log them", out)
for name, base in servers():
    for path in ("/healthz", "/api/v1/sessions/current", "/api/v1/sessions/current?q=a"):
        st, _, body = http(base + path)
        text = body.decode("utf-8", "replace")
        ok(st in (200, 503) and "api_key=***" in text and not any(s in text for s in secrets),
           "fault 1: %s %s shows the masked URL only" % (name, path), text[:300])
# a row stored before the fix is masked on the way out
psql("UPDATE bzcc.polls SET source_url = :'v1' WHERE id = (SELECT max(id) FROM bzcc.polls)",
     secret_url)
_, _, hz = get_json(BASE_URL + "/healthz")
ok(hz and "api_key=***" in json.dumps(hz) and PASSWORD not in json.dumps(hz),
   "fault 1: an old unmasked row is masked when shown", hz and hz.get("poll"))
# the migration masks rows written before the fix (its UPDATE run again here
# on such a row: the statements of 007 are idempotent)
psql("UPDATE bzcc.polls SET source_url = :'v1' WHERE id = (SELECT max(id) FROM bzcc.polls)",
     secret_url)
MIGRATION = os.path.join(os.environ["GW_SQL_DIR"], "bzcc", "006-parity.sql")
migration_sql = open(MIGRATION).read()
psql(migration_sql.split("-- Fault 9")[0])
row = scalar("SELECT source_url FROM bzcc.polls WHERE id = (SELECT max(id) FROM bzcc.polls)")
ok(row and not any(s in row for s in secrets) and row.startswith("http://***@127.0.0.1:")
   and "api_key=***&token=***" in row and "__pluginShowSource=true" in row,
   "fault 1: migration 007 masks the rows stored before", row)

# --- fault 9: seed pictures ".../undefined" are never fetched -----------------------

from enrichtest import Fixture, run  # noqa: E402  (starts nothing until used)

UNDEFINED = ["stmurkybzcc", "stonevsr", "vsrphazon"]  # Image ".../bzcc/undefined" in the list
doc = load(REBELLION)
games = [g for g in doc["GET"]][: len(UNDEFINED)]
for g, m in zip(games, UNDEFINED):
    g["m"] = m
    g["mm"] = "1325933293"
path = os.path.join(os.environ["GW_RUN"], "t69-undefined.json")
with open(path, "w") as f:
    json.dump({"GET": games}, f)
rc, out = poll_file(path)
ok(rc == 0, "fault 9: poll a capture whose maps have '/undefined' seed pictures", out)
fx = Fixture()
rc, out = run("enrich", fx, "--only", "seed")
ok(rc == 0, "fault 9: the seed list (with its three '/undefined' pictures) is read", out)
bad = scalar("SELECT count(*) FROM bzcc.map_seed WHERE image_url ~* 'undefined'")
known = scalar("SELECT count(*) FROM bzcc.map_seed WHERE file_lower = ANY(:'v1'::text[])",
               "{%s}" % ",".join(UNDEFINED))
ok(bad == "0" and known == "3", "fault 9: stored without a picture", bad, known)
rc, out = run("mirror", fx, "--only", "map")
ok(rc == 0 and fx.hits("undefined") == 0,
   "fault 9: the mirror never asks for '/undefined'", fx.requests("undefined"), out)
# a row stored before the fix is cleaned by the migration
psql("UPDATE bzcc.map_seed SET image_url = 'https://gamelistassets.iondriver.com/bzcc/undefined'"
     " WHERE file_lower = 'stonevsr'")
psql("-- Fault 9" + migration_sql.split("-- Fault 9")[1].split("\n\n-- ")[0])
ok(scalar("SELECT image_url IS NULL FROM bzcc.map_seed WHERE file_lower = 'stonevsr'") == "t",
   "fault 9: migration 007 forgets the '/undefined' pictures stored before")
fx.stop()

# --- fault 8: impossible dates are a 400 --------------------------------------------

for name, base in servers():
    for day in ("2024-02-30", "2023-02-29", "2024-04-31", "2024-02-30T10:00:00Z"):
        st, h, body = http(base + "/api/v1/history/sessions?from=" + day)
        doc = json.loads(body) if h.get("content-type", "").startswith("application/json") else {}
        ok(st == 400 and doc.get("error") and "from" in (doc.get("detail") or ""),
           "fault 8: %s from=%s is a JSON 400" % (name, day), st, body[:200])
    st, _, _ = http(base + "/bzcc/history?to=2024-02-30")
    ok(st == 400, "fault 8: %s the history page with to=2024-02-30 is a 400" % name, st)
    st, _, _ = http(base + "/api/v1/history/sessions?from=2024-02-29&to=2024-03-01")
    ok(st == 200, "fault 8: %s a real leap day is accepted" % name, st)

# --- fault 7: map and mod keys with '/' make working links ----------------------------

import re  # noqa: E402
import urllib.parse  # noqa: E402

doc = load(REBELLION)
g = dict(doc["GET"][0])
g["m"] = "Custom/Maps/VSRSlash"
g["mm"] = "FE_RM/Config;1325933293"
path = os.path.join(os.environ["GW_RUN"], "t69-slash.json")
with open(path, "w") as f:
    json.dump({"GET": [g]}, f)
rc, out = poll_file(path)
ok(rc == 0, "fault 7: poll a game whose map file and mod id contain '/'", out)
rc, out = job("rollup")
ok(rc == 0, "fault 7: rollup", out)
KEY, MOD = "FE_RM/Config:custom/maps/vsrslash", "FE_RM/Config"
for name, base in servers():
    links = set()
    for page in ("/bzcc/maps?days=3650", "/bzcc/mods?days=3650", "/bzcc/history?q=" +
                 urllib.parse.quote(g["m"][:6])):
        st, _, body = http(base + page)
        hrefs = re.findall(r'href="([^"]+)"', body.decode())
        # the module's own pages (not /account/..., which needs a sign-in)
        links |= {h.replace("&amp;", "&") for h in hrefs if "%2F" in h and h.startswith("/bzcc/")}
    want_map = "/bzcc/maps/" + urllib.parse.quote(KEY, safe=":")
    want_mod = "/bzcc/mods/" + urllib.parse.quote(MOD, safe="")
    ok(want_map in links and want_mod in links,
       "fault 7: %s the pages link the key and the mod with %%2F" % name, sorted(links))
    for link in sorted(links):
        st, _, body = http(base + link)
        ok(st == 200, "fault 7: %s %s answers 200" % (name, link), st, body[:200])
    for api, field, want in (("/api/v1/maps/" + urllib.parse.quote(KEY, safe=""), "map_key", KEY),
                             ("/api/v1/mods/" + urllib.parse.quote(MOD, safe=""), "mod_id", MOD)):
        st, _, body = get_json(base + api + "?days=3650")
        ok(st == 200 and body and body.get(field) == want,
           "fault 7: %s %s is that key" % (name, api), st, body and body.get(field))
    # an encoded dot segment is still refused, an encoded slash alone is a value
    st, _, _ = http(base + "/bzcc/maps/%2E%2E")
    ok(st == 400, "fault 7: %s /bzcc/maps/%%2E%%2E is a 400" % name, st)
    st, _, body = http(base + "/api/v1/maps/a%2F..%2Fb")
    ok(st == 404 and json.loads(body)["error"], "fault 7: %s a key 'a/../b' is just unknown (404)"
       % name, st, body[:200])

# --- fault 4: ETags unique across Redis restarts, distinct per encoding ------------

import gzip  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402


def redis(*args):
    p = subprocess.run(["redis-cli", "-u", os.environ["REDIS_URL"]] + list(args),
                       capture_output=True, text=True, timeout=10)
    return p.stdout.strip()


def current(base, gz=False, inm=None):
    h = {}
    if gz:
        h["Accept-Encoding"] = "gzip"
    if inm:
        h["If-None-Match"] = inm
    st, hd, body = http(base + "/api/v1/sessions/current", headers=h)
    if hd.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return st, hd, json.loads(body) if body else None


rc, out = poll_file(REBELLION)
ok(rc == 0, "fault 4: poll the Rebellion capture", out)
for name, base in servers():
    st, h1, doc1 = current(base)
    st2, h2, doc2 = current(base, gz=True)
    e1, e2 = h1.get("etag"), h2.get("etag")
    ok(e1 and e2 and e1 != e2 and h2.get("content-encoding") == "gzip" and doc1 == doc2,
       "fault 4: %s identity and gzip bodies have different ETags" % name, e1, e2)
    ok(current(base, inm=e1)[0] == 304 and current(base, gz=True, inm=e2)[0] == 304,
       "fault 4: %s each tag revalidates its own encoding" % name)
    ok(current(base, gz=True, inm=e1)[0] == 200 and current(base, inm=e2)[0] == 200,
       "fault 4: %s but never the other encoding's body" % name)

# Redis loses everything (a restart without persistence; FLUSHALL here),
# then a poll of different content: the new version is not the old one and
# the old ETag gets the new body, not a 304.
_, h, before = current(BASE_URL)
old_etag, old_version = h.get("etag"), redis("GET", "gw:bzcc:version")
versions = set()
for capture in (IONDRIVER, REBELLION, IONDRIVER):
    redis("FLUSHALL")
    rc, out = poll_file(capture)
    versions.add(redis("GET", "gw:bzcc:version"))
ok(rc == 0 and len(versions) == 3 and old_version not in versions
   and all(v.isdigit() and 2 ** 40 <= int(v) < 2 ** 52 for v in versions),
   "fault 4: after Redis lost its data the version restarts at a random point, not 1",
   old_version, versions)
for name, base in servers():
    st, h, after = current(base, inm=old_etag)
    ok(st == 200 and h.get("etag") != old_etag and after["sessions"] != before["sessions"],
       "fault 4: %s the old ETag gets the changed lobby (200), not a 304" % name, st,
       h.get("etag"), old_etag)

# --- fault 3: a hung Redis (SIGSTOP) ---------------------------------------------------

redis_pid = None
with open(os.path.join(os.environ["GW_RUN"], "pids")) as f:
    for line in f:
        parts = line.split()
        if parts and parts[0] == "redis":
            redis_pid = int(parts[1])
ok(redis_pid is not None, "fault 3: the harness's Redis is known")
rc, out = poll_file(REBELLION)
want_a = sorted(g["g"] for g in load(REBELLION)["GET"] if g.get("g") != "XXXXXXX@XX")
for name, base in servers():
    _, _, doc = current(base)
    ok(sorted(s["nat_id"] for s in doc["sessions"]) == want_a,
       "fault 3: %s serves the Rebellion capture before the hang" % name)
want_b = sorted(g["g"] for g in load(IONDRIVER)["GET"] if g.get("g") != "XXXXXXX@XX")
os.kill(redis_pid, signal.SIGSTOP)
try:
    t0 = time.monotonic()
    rc, out = poll_file(IONDRIVER)
    poll_secs = time.monotonic() - t0
    ok(rc == 0 and poll_secs < 15, "fault 3: with Redis hung the poll still succeeds (%.1f s)"
       % poll_secs, out)
    time.sleep(1.2)  # longer than a worker trusts its copy without asking Redis
    for name, base in servers():
        for attempt in range(6):  # every worker of the pool, one after the other
            t0 = time.monotonic()
            st, _, doc = current(base)
            secs = time.monotonic() - t0
            ok(st == 200 and sorted(s["nat_id"] for s in doc["sessions"]) == want_b
               and doc["stale"] is False and secs < 3,
               "fault 3: %s request %d: the new lobby from PostgreSQL, not stale (%.2f s)"
               % (name, attempt + 1, secs), st, doc and doc.get("poll"))
        st, _, body = http(base + "/bzcc/")
        html = body.decode()
        ok(st == 200 and 'class="stale-banner"' not in html
           and all(g in html or True for g in want_b)
           and ('data-session-id="Rebellion:' in html),
           "fault 3: %s the page shows no stale banner" % name)
finally:
    os.kill(redis_pid, signal.SIGCONT)
time.sleep(0.2)
ok(redis("PING") == "PONG", "fault 3: Redis continues")

# Redis answers but holds an old lobby (a poller that could not write to it):
# the page asks PostgreSQL before calling the data stale.
rc, out = poll_file(REBELLION)
old = json.loads(redis("GET", "gw:bzcc:current"))
old["poll"]["last_success_ms"] -= 3600 * 1000
old["poll"]["last_success_at"] = "2000-01-01T00:00:00Z"
old["sessions"] = old["sessions"][:1]
redis("SET", "gw:bzcc:current", json.dumps(old))
redis("INCR", "gw:bzcc:version")
redis("PUBLISH", "gw:bzcc:events", '{"type":"lobby"}')
for name, base in servers():
    for attempt in range(4):
        _, _, doc = current(base)
        ok(doc["stale"] is False and sorted(s["nat_id"] for s in doc["sessions"]) == want_a,
           "fault 3: %s request %d: Redis's lagging copy is overtaken by PostgreSQL"
           % (name, attempt + 1), doc.get("poll"))
rc, out = poll_file(REBELLION)
ok(rc == 0 and json.loads(redis("GET", "gw:bzcc:current"))["poll"]["last_success_ms"]
   > old["poll"]["last_success_ms"], "fault 3: the next poll writes Redis again", out)

lobby.close()
done()
