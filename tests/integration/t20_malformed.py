"""t20: a malformed lobby (truncated JSON, wrong types, 10 MB of garbage, bad
base64, a missing file) is rejected with a logged and counted error; the last
good data stays served and neither the pool nor the web servers crash.

Every bad document is derived from a real capture (cut, retyped, corrupted)
except the garbage, which is random bytes."""
import json
import os
import tempfile

from gwtest import (BASE_URL, DATA, done, get_json, http, load, ok, poll_file, scalar,
                    servers)

GOOD = os.path.join(DATA, "lobby", "rebellion-direct_2022-12_frute94-BZCC-Scanner.json")
tmp = tempfile.mkdtemp()


def write(name, data):
    p = os.path.join(tmp, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def pids_alive():
    """name -> alive? for every server process the harness recorded."""
    alive = {}
    with open(os.path.join(os.environ["GW_RUN"], "pids")) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            try:
                os.kill(int(parts[1]), 0)
                alive[parts[0]] = True
            except OSError:
                alive[parts[0]] = False
    return alive


rc, out = poll_file(GOOD)
ok(rc == 0, "baseline: the good capture polls", out)
_, _, good = get_json(BASE_URL + "/api/v1/sessions/current")
good_ids = sorted(s["id"] for s in good["sessions"])
rejected0 = int(scalar("SELECT count(*) FROM bzcc.polls WHERE NOT ok"))
procs0 = pids_alive()

raw = open(GOOD, "rb").read()
doc = load(GOOD)
wrong_types = dict(doc)
wrong_types["GET"] = {"not": "an array"}
every_game_wrong = {"GET": [{"g": 12345, "n": ["x"], "pl": "nobody", "gt": "two"}
                            for _ in doc["GET"]]}
bad_b64 = {"GET": [dict(g, n="***not base64***", g="%%%%") for g in doc["GET"]]}

cases = [
    ("truncated JSON", write("truncated.json", raw[: len(raw) // 2])),
    ("GET is an object", write("wrong-types.json", json.dumps(wrong_types).encode())),
    ("top level is an array", write("array.json", json.dumps(doc["GET"]).encode())),
    ("10 MB of garbage", write("garbage.bin", os.urandom(10 * 1024 * 1024))),
    ("empty file", write("empty.json", b"")),
    ("missing file", os.path.join(tmp, "does-not-exist.json")),
]
for label, path in cases:
    rc, out = poll_file(path)
    ok(rc == 1, "%s: poll-bzcc --once exits 1" % label, "rc %d" % rc, out)
    ok("rejected" in out, "%s: the rejection is logged" % label, out)
    _, _, cur = get_json(BASE_URL + "/api/v1/sessions/current")
    ok(cur is not None and sorted(s["id"] for s in cur["sessions"]) == good_ids,
       "%s: the last good sessions are still served" % label)

# Documents whose games are all unusable are accepted as a document but every
# game is skipped and counted (the list is then empty, as an empty lobby).
for label, d in (("every game has wrong types", every_game_wrong),
                 ("every name is bad base64", bad_b64)):
    rc, out = poll_file(write(label.replace(" ", "-") + ".json", json.dumps(d).encode()))
    skipped = scalar("SELECT skipped FROM bzcc.polls ORDER BY id DESC LIMIT 1")
    ok(rc == 0 and int(skipped) == len(doc["GET"]),
       "%s: each game skipped and counted" % label, "rc %d, skipped %s" % (rc, skipped), out)
    rc, out = poll_file(GOOD)  # restore the good data for the next case

rejected = int(scalar("SELECT count(*) FROM bzcc.polls WHERE NOT ok"))
ok(rejected - rejected0 == len(cases), "every rejection is counted in bzcc.polls",
   "%d new rejected rows" % (rejected - rejected0))
_, _, health = get_json(BASE_URL + "/healthz")
ok(health and health["poll"]["rejected_total"] == rejected,
   "/healthz reports rejected_total", health)

for name, url in servers():
    status, _, _ = http(url + "/")
    ok(status == 200, "%s still serves / after the bad input" % name, status)
procs = pids_alive()
ok(procs == procs0 and all(procs.values()), "pool and lighttpd processes are still alive", procs)
done()
