"""t61: upstream failures. getdata.php answering 500, timing out, 429 with
Retry-After, or garbage; picture hosts answering an HTML page posing as a
PNG, a truncated PNG, an SVG, a 20 MB body or 500s. Nothing bad is stored;
each item is retried on the 1 s -> 2 s -> 4 s ... schedule (a 20 ms base
here where the test needs six attempts) and parked after six; the circuit
breaker of a provider opens, defers work, and closes after a good probe."""
import os
import time

from enrichtest import (Fixture, asset_files, bad_asset_files, poll_captures, reset_breakers,
                        run)
from gwtest import done, ok, psql, scalar

fx = Fixture()
if not int(scalar("SELECT count(*) FROM bzcc.maps")):
    poll_captures()
reset_breakers()
maps = psql("SELECT map_key, lower(map_file) FROM bzcc.maps ORDER BY map_key")
FAST = {"ENRICH_BACKOFF_BASE_MS": 20, "ENRICH_BREAKER_THRESHOLD": 1000}


def make_due(kind, keys):
    for k in keys:
        psql("DELETE FROM enrich_items WHERE kind = :'v1' AND key = :'v2'", kind, k)


def item(kind, key):
    r = psql("SELECT attempts, parked_at IS NOT NULL, coalesce(last_error, ''),"
             " extract(epoch FROM next_attempt_at - last_attempt_at), rejections, last_status"
             " FROM enrich_items WHERE kind = :'v1' AND key = :'v2'", kind, key)
    return r[0] if r else None


# a fresh getdata item that only ever gets 500: retried, then parked
k500, f500 = maps[0]
make_due("getdata", [k500])
psql("DELETE FROM bzcc.map_info WHERE map_key = :'v1'", k500)
fx.faults([{"match": "map=%s&" % f500, "mode": "500"}])
t0 = time.time()
rc, out = run("enrich", fx, "--only", "getdata", "--duration", "10", **FAST)
st = item("getdata", k500)
ok(rc == 0 and st and st[0] == "6" and st[1] == "t" and "HTTP 500" in st[2],
   "getdata 500: six attempts, then parked", st, out[-800:])
ok(fx.hits("map=%s&" % f500) == 6, "getdata 500: six requests reached the upstream",
   fx.hits("map=%s&" % f500))
ok(scalar("SELECT count(*) FROM bzcc.map_info WHERE map_key = :'v1'", k500) == "0",
   "getdata 500: nothing stored for the item")
ok("parked after 6 attempts" in out and out.count("getdata %s: failed" % k500) == 5,
   "getdata 500: one log line per attempt outcome")
ok(float(st[3]) >= 23 * 3600, "parked: next attempt a day later", st[3])

# the real schedule: 1 s, then 2 s, then 4 s (each +-20 %)
k2, f2 = maps[1]
make_due("getdata", [k2])
fx.faults([{"match": "map=%s&" % f2, "mode": "500"}])
delays = []
for i in range(3):
    rc, out = run("enrich", fx, "--only", "getdata", "--once",
                  ENRICH_BREAKER_THRESHOLD=1000)
    st = item("getdata", k2)
    delays.append(float(st[3]))
    time.sleep(float(st[3]) + 0.15)
ok(0.8 <= delays[0] <= 1.2 and 1.6 <= delays[1] <= 2.4 and 3.2 <= delays[2] <= 4.8,
   "backoff: 1 s -> 2 s -> 4 s with +-20 % jitter", delays)

# a timeout (GW_FETCH_TIMEOUT_MS=1000 against a 3 s answer)
k3, f3 = maps[2]
make_due("getdata", [k3])
fx.faults([{"match": "map=%s&" % f3, "mode": "sleep", "seconds": 3}])
t0 = time.time()
rc, out = run("enrich", fx, "--only", "getdata", "--once", ENRICH_BREAKER_THRESHOLD=1000)
took = time.time() - t0
st = item("getdata", k3)
ok(st and st[0] == "1" and ("timed out" in st[2].lower() or "timeout" in st[2].lower())
   and took < 2.9, "timeout: the 1 s fetch limit holds and counts an attempt", st, took)

# garbage instead of JSON: rejected, counted, retried
k4, f4 = maps[3]
make_due("getdata", [k4])
fx.faults([{"match": "map=%s&" % f4, "mode": "garbage"}])
rc, out = run("enrich", fx, "--only", "getdata", "--once", ENRICH_BREAKER_THRESHOLD=1000)
st = item("getdata", k4)
ok(st and st[0] == "1" and st[4] == "1" and st[5] == "rejected",
   "not JSON: rejected and counted, retried later", st)

# 429 with Retry-After: the item waits at least that long and the
# provider's circuit opens until then, deferring every other getdata item
reset_breakers()
k5, f5 = maps[4]
others = [m[0] for m in maps[5:8]]
make_due("getdata", [k5])
fx.faults([{"match": "map=%s&" % f5, "mode": "429", "retry_after": 120}])
rc, out = run("enrich", fx, "--only", "getdata", "--once", "--limit", "1")
st = item("getdata", k5)
ok(st and float(st[3]) >= 119, "Retry-After: next attempt >= 120 s later", st)
br = psql("SELECT state, extract(epoch FROM open_until - now()) FROM enrich_breakers"
          " WHERE provider = 'getdata'")
ok(br and br[0][0] == "open" and float(br[0][1]) > 100,
   "Retry-After: the getdata circuit is open until then", br)
make_due("getdata", others)
n_before = fx.hits("getdata.php")
rc, out = run("enrich", fx, "--only", "getdata", "--once")
ok(fx.hits("getdata.php") == n_before and "deferred" in out,
   "open circuit: due items deferred, no request sent", out[-600:])
ok(all(item("getdata", k) is None for k in others), "open circuit: deferral is not an attempt")

# breaker threshold: 3 consecutive failures open it; a good probe closes it
reset_breakers()
fx.faults([{"match": "getdata.php", "mode": "500"}])
make_due("getdata", [m[0] for m in maps[5:11]])
n_before = fx.hits("getdata.php")
rc, out = run("enrich", fx, "--only", "getdata", "--once", ENRICH_BREAKER_THRESHOLD=3)
ok(fx.hits("getdata.php") - n_before == 3 and "circuit getdata open" in out,
   "breaker: opens after 3 failures; the rest deferred", fx.hits("getdata.php") - n_before)
fx.faults([])
psql("UPDATE enrich_breakers SET open_until = now() - interval '1 second'"
     " WHERE provider = 'getdata'")
make_due("getdata", [m[0] for m in maps[5:11]])
rc, out = run("enrich", fx, "--only", "getdata", "--once", ENRICH_BREAKER_THRESHOLD=3)
br = psql("SELECT state, failures FROM enrich_breakers WHERE provider = 'getdata'")
ok("half-open" in out and br and br[0][0] == "closed",
   "breaker: half-open probe succeeds, circuit closed", br, out[-600:])
ok(all((item("getdata", m[0]) or ["", "", "", "", "", ""])[5] in ("ok", "absent")
       for m in maps[5:11]), "breaker: deferred items fetched once it closed")

# ------------------------------------------------- bad pictures
# profiles point at this run's fixture (earlier tests had their own)
rc, out = run("enrich", fx, "--once", "--force")
rc, out = run("mirror", fx, "--once")
reset_breakers()
avatars = psql("SELECT provider || ':' || external_id, avatar_url FROM player_profiles"
               " WHERE found AND avatar_url IS NOT NULL ORDER BY 1 LIMIT 5")
modes = ["html", "truncated", "svg", "big", "500"]
ok(len(avatars) == 5, "five avatars to break", avatars)
files_before = asset_files()
rules = []
for (key, url), mode in zip(avatars, modes):
    path = url.split(str(fx.port), 1)[1]
    rules.append({"match": path, "mode": mode})
    make_due("mirror:avatar", [key])
    psql("DELETE FROM asset_links WHERE entity_kind = 'avatar' AND entity_key = :'v1'", key)
    psql("DELETE FROM asset_sources WHERE url = :'v1'", url)
fx.faults(rules)
hits0 = {r["match"]: fx.hits(r["match"]) for r in rules}
rc, out = run("mirror", fx, "--only", "avatar", "--duration", "15", **FAST)
ok(rc == 0, "mirror with bad pictures exits 0", out[-1500:])
for (key, url), mode in zip(avatars, modes):
    st = item("mirror:avatar", key)
    path = url.split(str(fx.port), 1)[1]
    ok(st and st[0] == "6" and st[1] == "t" and fx.hits(path) - hits0[path] == 6,
       "picture %s: fetched six times, then parked" % mode, st, fx.hits(path) - hits0[path])
    if mode != "500":
        ok(st and st[4] == "6", "picture %s: six rejections counted" % mode, st)
for name in ("html", "corrupt", "svg", "too_big"):
    ok("rejected (%s)" % name in out, "log names the rejection reason %s" % name)
ok("24 rejected" in out, "run summary counts the rejections", out.splitlines()[-1])
ok(asset_files() == files_before, "nothing bad stored: the assets tree is unchanged",
   set(asset_files()) ^ set(files_before))
ok(not bad_asset_files(), "every stored file still matches its name and format",
   *bad_asset_files()[:5])
ok(all(os.path.getsize(f) < (5 << 20) for f in asset_files()), "no file over the 5 MiB cap")
q = psql("SELECT count(*) FROM curation_queue WHERE entity_kind = 'avatar'"
         " AND resolved_at IS NULL AND reason LIKE 'parked:%'")
ok(q and int(q[0][0]) == 5, "parked pictures queued for curation", q)
ph = psql("SELECT count(*) FROM asset_links WHERE entity_kind = 'avatar' AND sha256 IS NULL")
ok(ph and int(ph[0][0]) >= 5, "parked pictures show the placeholder", ph)
fx.faults([])
reset_breakers()
fx.stop()
done()
