"""t93: the MOHAA module's OpenAPI fragment against real answers, as t76
does for the platform and BZCC: after ingesting the real sample payloads,
every kind=api route of the module answers (2xx and its documented errors,
the ingest POSTs included), and each answer validates against the merged
document with every object closed (tests/integration/openapi-check.mjs).
Fails when a mohaa API route had no answer validated."""
import gzip
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse

from gwtest import BASE_URL, BUILD_DIR, SRCDIR, done, http, ok
from t90_mohaa_lib import SAMPLE_TOKEN, ingest, post, register, sample_form_lines, sample_json, server_id

CHECK = os.path.join(SRCDIR, "tests", "integration", "openapi-check.mjs")
TMP = tempfile.mkdtemp(prefix="t93-")
stamp = str(int(time.time() * 1000))
NAME = "t93-" + stamp
token = register(NAME)
SID = server_id(NAME)
HDR = {"X-Server-Token": token}

# data: the samples, plus a finished match with a result
for line in sample_form_lines():
    post(BASE_URL, "/api/v1/ingest/events", line.replace(SAMPLE_TOKEN, token))
post(BASE_URL, "/api/v1/ingest/events", json.dumps(sample_json()["request_body"]), HDR)
rc, out = ingest()
ok(rc == 0, "ingest the samples", out[-800:])

st, h, raw = http(BASE_URL + "/api/v1/openapi.json")
doc_file = os.path.join(TMP, "openapi.json")
with open(doc_file, "wb") as f:
    f.write(raw)

out = subprocess.run([os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--routes"], capture_output=True,
                     text=True, check=True).stdout
rows = [line.split("\t") for line in out.splitlines()]
col = {n: i for i, n in enumerate(rows[0])}
routes = {(m, r[col["pattern"]]) for r in rows[1:] if r[col["kind"]] == "api" and r[col["module"]] == "mohaa"
          for m in r[col["methods"]].split(", ") if m != "HEAD"}
ok(len(routes) == 17, "the module has 17 API routes", sorted(routes))

cases = []


def answer(label, method, path, url_path, body=None, headers=None, expect=None):
    if method == "GET":
        st, h, b = http(BASE_URL + url_path, headers=headers)
        if h.get("content-encoding") == "gzip":
            b = gzip.decompress(b)
    else:
        st, h, b = post(BASE_URL, url_path, body, headers)
        b = json.dumps(b).encode() if isinstance(b, (dict, list)) else b
    ctype = h.get("content-type", "")
    parsed = None if not b else json.loads(b) if ctype.startswith("application/json") else b.decode()
    if expect is not None and st != expect:
        ok(False, "%s: status %d" % (label, expect), "got %d: %s" % (st, b[:300]))
    cases.append({"name": label, "path": path, "method": method, "status": st, "content_type": ctype,
                  "body": parsed})
    return parsed


q = lambda s: urllib.parse.quote(s, safe="")
E, R = "/api/v1/ingest/events", "/api/v1/ingest/match-result"
answer("ingest: one form event", "POST", E, E, "type=chat&match_id=m&player_name=a&message=x&server_token=" + token,
       expect=202)
answer("ingest: a batch with a rejection", "POST", E, E, json.dumps([{"type": "player_jump", "player_name": "a"},
                                                                      {"type": "x"}]), HDR, expect=202)
answer("ingest: unknown type", "POST", E, E, "type=teleport", HDR, expect=400)
answer("ingest: no token", "POST", E, E, "type=chat&player_name=a&message=x", expect=401)
answer("ingest: 2 MiB", "POST", E, E, b"x" * (2 << 20), HDR, expect=413)
answer("match-result", "POST", R, R, json.dumps({"match_id": "match_sess_0.05_0.05", "winning_team": "axis"}), HDR,
       expect=202)
answer("match-result without match_id", "POST", R, R, "winning_team=axis", HDR, expect=400)
answer("match-result, wrong token", "POST", R, R, "match_id=m", {"X-Server-Token": "nope"}, expect=401)
rc, out = ingest()

L = "/api/v1/stats/leaderboard"
answer("global board", "GET", L, L, expect=200)
answer("global board by kd, paged", "GET", L, L + "?stat=kd&limit=2&offset=1", expect=200)
answer("global board, bad stat", "GET", L, L + "?stat=wins", expect=400)
answer("global board, bad limit", "GET", L, L + "?limit=0", expect=400)
answer("weekly board", "GET", L + "/weekly", L + "/weekly", expect=200)
answer("weekly board, a past week", "GET", L + "/weekly", L + "/weekly?week=2025-01-18", expect=200)
answer("weekly board, bad week", "GET", L + "/weekly", L + "/weekly?week=last", expect=400)
answer("weapon board", "GET", L + "/weapon/{weapon}", L + "/weapon/thompson", expect=200)
answer("weapon board, unknown weapon", "GET", L + "/weapon/{weapon}", L + "/weapon/phaser", expect=404)
answer("map board", "GET", L + "/map/{map}", L + "/map/unknownmap", expect=200)
answer("map board with a folder", "GET", L + "/map/{dir}/{map}", L + "/map/obj/obj_team2", expect=200)
answer("map board, bad offset", "GET", L + "/map/{dir}/{map}", L + "/map/obj/obj_team2?offset=-1", expect=400)
P = "/api/v1/stats/player/{guid}"
for pid in ("name:SgtRock", "smf:42", "ABCD1234567890EF"):
    answer("player " + pid, "GET", P, "/api/v1/stats/player/" + q(pid), expect=200)
    answer("matches of " + pid, "GET", P + "/matches", "/api/v1/stats/player/%s/matches?limit=1" % q(pid), expect=200)
    answer("weapons of " + pid, "GET", P + "/weapons", "/api/v1/stats/player/%s/weapons" % q(pid), expect=200)
answer("unknown player", "GET", P, "/api/v1/stats/player/nobody", expect=404)
answer("unknown player's matches", "GET", P + "/matches", "/api/v1/stats/player/nobody/matches", expect=404)
answer("matches, bad before", "GET", P + "/matches", "/api/v1/stats/player/smf:42/matches?before=x", expect=400)
answer("unknown player's weapons", "GET", P + "/weapons", "/api/v1/stats/player/nobody/weapons", expect=404)
answer("heat map", "GET", P + "/heatmap/{dir}/{map}", "/api/v1/stats/player/name:SgtRock/heatmap/obj/obj_team2",
       expect=200)
answer("heat map of deaths, SVG", "GET", P + "/heatmap/{dir}/{map}",
       "/api/v1/stats/player/name:Hans/heatmap/obj/obj_team2?kind=deaths&format=svg", expect=200)
answer("heat map, map without folder", "GET", P + "/heatmap/{map}", "/api/v1/stats/player/smf:42/heatmap/x",
       expect=200)
answer("heat map, bad kind", "GET", P + "/heatmap/{map}", "/api/v1/stats/player/smf:42/heatmap/x?kind=all",
       expect=400)
answer("heat map, unknown player", "GET", P + "/heatmap/{map}", "/api/v1/stats/player/nobody/heatmap/x", expect=404)
M = "/api/v1/stats/match/{matchId}"
from gwtest import scalar  # noqa: E402
mid = scalar("SELECT max(id) FROM mohaa.matches WHERE server_id = :'v1' AND match_ref <> ''", SID)
answer("a match", "GET", M, "/api/v1/stats/match/" + mid, expect=200)
answer("a match's timeline", "GET", M + "/timeline", "/api/v1/stats/match/%s/timeline?all=1" % mid, expect=200)
answer("unknown match", "GET", M, "/api/v1/stats/match/999999999", expect=404)
answer("bad match id", "GET", M, "/api/v1/stats/match/abc", expect=400)
answer("unknown match's timeline", "GET", M + "/timeline", "/api/v1/stats/match/999999999/timeline", expect=404)
answer("timeline, bad limit", "GET", M + "/timeline", "/api/v1/stats/match/%s/timeline?limit=0" % mid, expect=400)
answer("server by id", "GET", "/api/v1/stats/server/{serverId}", "/api/v1/stats/server/%d" % SID, expect=200)
answer("server by name", "GET", "/api/v1/stats/server/{serverId}", "/api/v1/stats/server/" + NAME, expect=200)
answer("unknown server", "GET", "/api/v1/stats/server/{serverId}", "/api/v1/stats/server/none-such", expect=404)
answer("live", "GET", "/api/v1/stats/live", "/api/v1/stats/live", expect=200)
answer("live, long window", "GET", "/api/v1/stats/live", "/api/v1/stats/live?window=3600", expect=200)
answer("live, bad window", "GET", "/api/v1/stats/live", "/api/v1/stats/live?window=1", expect=400)
answer("achievements", "GET", "/api/v1/stats/achievements", "/api/v1/stats/achievements", expect=200)

cases_file = os.path.join(TMP, "cases.json")
with open(cases_file, "w") as f:
    json.dump(cases, f)
p = subprocess.run(["node", CHECK, "answers", doc_file, cases_file], capture_output=True, text=True, timeout=120)
ok(p.returncode == 0, "openapi-check.mjs answers runs", p.stderr)
for r in (json.loads(p.stdout)["results"] if p.returncode == 0 else []):
    ok(r["ok"], "answer matches the document: " + r["name"], *r["errors"])
seen = {(c["method"], c["path"]) for c in cases}
ok(not (routes - seen), "every mohaa API route had real answers validated", sorted(routes - seen))
shutil.rmtree(TMP, ignore_errors=True)
done()
