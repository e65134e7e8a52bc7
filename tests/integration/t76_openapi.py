"""t76: the OpenAPI document (/api/v1/openapi.json) against the route table
and against real answers.

* The document served through every web server is valid OpenAPI 3.1 for
  @seriousme/openapi-schema-validator (the official 3.1 JSON Schema, every
  $ref resolvable), and every Schema Object in it compiles as JSON Schema
  2020-12 under Ajv's strict mode (tests/integration/openapi-check.mjs;
  both from npm, devDependencies installed by ./dev's npm ci).
* Its (method, path) pairs are exactly the kind=api and kind=stream rows
  of `gamewatch.fcgi --routes` (HEAD implied by GET; streams documented as
  text/event-stream): a route without an
  entry fails, and so does an entry without a route. Every {x} of a path
  is declared as a path parameter and every operation has a 2xx answer.
* Real answers, after polling two real lobby captures (the second ends the
  first one's sessions) and a rollup, and after importing the real EVE
  killmails of tests/data/eve through the eve jobs and clustering them,
  validate against the documented schema of their status and content
  type, with every object closed (a key the document does not describe
  fails): 200s of every endpoint of every module, the CSV alternatives,
  304s, 400s and 404s; every EVE route answers each status it documents
  (but 503). The eve tables are emptied again afterwards (t90 counts from
  an empty start).
  The Team Picker's POST answers (200, 303, 400, 401, 403, 404, 409) are
  played by the two commanders of a real capture, signed in.
  MOHAA: the real sample payloads ingested through the
  ingest routes by a server registered with the real CLI and written by
  the real ingest job; every MOHAA route answers each status it documents
  but 429 and 503 (the queue full and Redis or PostgreSQL down: t90 and
  t92), the ingest POSTs included.
* The document is served with an ETag (304 on If-None-Match), gzip when
  accepted, Cache-Control from the route table, and /api renders every
  operation without JavaScript.
* A worker whose GW_MODULES enables no module serves only the platform's
  part, and its --routes agrees (the fragments are merged per enabled
  module)."""
import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from gwtest import (BASE_URL, BUILD_DIR, DATA, SRCDIR, Browser, done, get_json, http, job,
                    make_user, ok, poll_file, psql, scalar, servers, session_token)

CHECK = os.path.join(SRCDIR, "tests", "integration", "openapi-check.mjs")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
TMP = tempfile.mkdtemp(prefix="t76-")


def node(*args):
    """Run openapi-check.mjs; its JSON answer, or None (reported)."""
    p = subprocess.run(["node", CHECK] + list(args), capture_output=True, text=True,
                       timeout=120)
    if p.returncode != 0:
        ok(False, "openapi-check.mjs %s runs" % args[0], p.stderr)
        return None
    return json.loads(p.stdout)


def api_routes(env=None):
    """{(METHOD, pattern)} of the kind=api rows of --routes (HEAD implied)."""
    e = dict(os.environ)
    e.update(env or {})
    out = subprocess.run([os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--routes"], env=e,
                         capture_output=True, text=True, check=True).stdout
    rows = [line.split("\t") for line in out.splitlines()]
    head, rows = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(head)}
    pairs, modules = set(), {}
    for r in rows:
        if r[col["kind"]] not in ("api", "stream"):
            continue
        for m in r[col["methods"]].split(", "):
            if m != "HEAD":
                pairs.add((m, r[col["pattern"]]))
                modules[(m, r[col["pattern"]])] = r[col["module"]]
    return pairs, modules


def doc_operations(doc):
    return {(m.upper(), path) for path, item in doc.get("paths", {}).items()
            for m in METHODS if m in item}


# --- the document as served ----------------------------------------------

st, h, raw = http(BASE_URL + "/api/v1/openapi.json")
doc = json.loads(raw) if st == 200 else None
ok(st == 200 and h.get("content-type", "").startswith("application/json") and doc,
   "GET /api/v1/openapi.json is 200 application/json", st, raw[:300])
if not doc:
    done()
doc_file = os.path.join(TMP, "openapi.json")
with open(doc_file, "wb") as f:
    f.write(raw)
ok(doc.get("openapi", "").startswith("3.1."), "the document is OpenAPI 3.1.x", doc.get("openapi"))

res = node("document", doc_file)
if res is not None:
    ok(res["ok"] and res["schemas"] > 0,
       "valid OpenAPI 3.1 (openapi-schema-validator) and %d schemas compile under Ajv strict"
       % res["schemas"], *res["errors"])

for name, url in servers()[1:]:
    st, _, other = http(url + "/api/v1/openapi.json")
    ok(st == 200 and json.loads(other) == doc, "%s serves the same document" % name)

# --- routes <-> document, both directions ----------------------------------

routes, route_module = api_routes()
ops = doc_operations(doc)
missing = sorted(routes - ops)
extra = sorted(ops - routes)
ok(not missing, "every kind=api route has its entry in the document (%d routes)" % len(routes),
   *["no entry for %s %s (module %s)" % (m, p, route_module[(m, p)]) for m, p in missing])
ok(not extra, "every entry of the document is a kind=api route (%d operations)" % len(ops),
   *["no route for %s %s" % e for e in extra])

problems = []
ids = {}
for path, item in doc["paths"].items():
    for m in METHODS:
        op = item.get(m)
        if op is None:
            continue
        declared = {p.get("name") for p in item.get("parameters", []) + op.get("parameters", [])
                    if p.get("in") == "path"}
        for ref in (p for p in item.get("parameters", []) + op.get("parameters", []) if "$ref" in p):
            target = doc
            for part in ref["$ref"][2:].split("/"):
                target = target.get(part, {})
            if target.get("in") == "path":
                declared.add(target.get("name"))
        wanted = set(re.findall(r"\{([^}]+)\}", path))
        if wanted != declared:
            problems.append("%s %s: path parameters %s, declared %s"
                            % (m, path, sorted(wanted), sorted(declared)))
        if not any(s.startswith("2") for s in op.get("responses", {})):
            problems.append("%s %s: no 2xx answer" % (m, path))
        if op.get("operationId") in ids:
            problems.append("operationId %s twice" % op.get("operationId"))
        ids[op.get("operationId")] = path
        if not op.get("summary") or not op.get("tags"):
            problems.append("%s %s: no summary or tags" % (m, path))
ok(not problems, "path parameters declared, a 2xx answer, summary and tag on every operation",
   *problems)

# --- real answers against their schemas ---------------------------------------

lobby = os.path.join(DATA, "lobby")
for capture in ("iondriver-proxy_2024-09-15_Nielk1-MultiplayerSessionList-mock.json",
                "rebellion-direct_2022-12_frute94-BZCC-Scanner.json"):
    rc, out = poll_file(os.path.join(lobby, capture))
    ok(rc == 0, "poll the capture " + capture, out)
rc, out = job("rollup")
ok(rc == 0, "rollup", out)

cases = []


def answer(label, path, url_path, headers=None, expect=None, method="GET", data=None):
    """Fetch url_path through lighttpd (GET, or `method` with the bytes or
    text `data`) and queue its answer for validation against path's
    operation; returns the parsed body (or text, or None)."""
    if data is None:
        st, h, body = http(BASE_URL + url_path, method=method, headers=headers)
    else:
        req = urllib.request.Request(BASE_URL + url_path, method=method, headers=headers or {},
                                     data=data.encode() if isinstance(data, str) else data)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                st, h, body = r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
        except urllib.error.HTTPError as e:
            st, h, body = e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()
    ctype = h.get("content-type", "")
    if h.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    if not body:
        parsed = None
    elif ctype.startswith("application/json"):
        parsed = json.loads(body)
    else:
        parsed = body.decode("utf-8")
    if expect is not None and st != expect:
        ok(False, "%s: status %d" % (label, expect), "got %d: %s" % (st, body[:300]))
    cases.append({"name": label, "path": path, "method": method, "status": st,
                  "content_type": ctype, "body": parsed})
    return parsed, h


q = urllib.parse.quote
cur, h = answer("current lobby", "/api/v1/sessions/current", "/api/v1/sessions/current", expect=200)
answer("current lobby, gzip", "/api/v1/sessions/current", "/api/v1/sessions/current",
       headers={"Accept-Encoding": "gzip"}, expect=200)
answer("current lobby, 304", "/api/v1/sessions/current", "/api/v1/sessions/current",
       headers={"If-None-Match": h.get("etag", "none")}, expect=304)
answer("current lobby, filtered", "/api/v1/sessions/current",
       "/api/v1/sessions/current?state=in_game&min_players=1&q=a", expect=200)
answer("current lobby, bad state (400)", "/api/v1/sessions/current",
       "/api/v1/sessions/current?state=playing", expect=400)
live = cur["sessions"][0]["id"] if cur and cur["sessions"] else None
ok(live is not None, "the lobby has sessions to look at")
answer("a live session", "/api/v1/sessions/{id}", "/api/v1/sessions/" + q(live or "x", safe=""),
       expect=200)
ended = psql("SELECT id FROM bzcc.sessions WHERE ended_at IS NOT NULL ORDER BY id LIMIT 1")
ok(ended, "the second capture ended sessions of the first")
if ended:
    answer("an ended session", "/api/v1/sessions/{id}",
           "/api/v1/sessions/" + q(ended[0][0], safe=""), expect=200)
answer("unknown session (404)", "/api/v1/sessions/{id}",
       "/api/v1/sessions/Rebellion:ffffffffffffffff", expect=404)
answer("summary", "/api/v1/history/summary", "/api/v1/history/summary?minutes=30", expect=200)
answer("summary, bad minutes (400)", "/api/v1/history/summary",
       "/api/v1/history/summary?minutes=0", expect=400)
page, _ = answer("history, first page", "/api/v1/history/sessions",
                 "/api/v1/history/sessions?limit=2", expect=200)
ok(page and page["next_url"], "the history has a second page")
if page and page["next_url"]:
    answer("history, next page", "/api/v1/history/sessions", page["next_url"], expect=200)
answer("history, filtered", "/api/v1/history/sessions",
       "/api/v1/history/sessions?state=in_game&from=2000-01-01&to=2999-01-01&limit=200",
       expect=200)
answer("history, CSV", "/api/v1/history/sessions", "/api/v1/history/sessions?format=csv&limit=2",
       expect=200)
answer("history, CSV by Accept", "/api/v1/history/sessions", "/api/v1/history/sessions",
       headers={"Accept": "text/csv"}, expect=200)
answer("history, bad limit (400)", "/api/v1/history/sessions", "/api/v1/history/sessions?limit=0",
       expect=400)
ref = psql("SELECT provider || ':' || external_id FROM identities ORDER BY id LIMIT 1")
ok(ref, "a player was seen")
ref = ref[0][0] if ref else "steam:1"
answer("a player", "/api/v1/players/{id}", "/api/v1/players/" + q(ref, safe=""), expect=200)
answer("a player by number", "/api/v1/players/{id}", "/api/v1/players/" +
       psql("SELECT min(id) FROM players")[0][0], expect=200)
answer("malformed player id (400)", "/api/v1/players/{id}", "/api/v1/players/x:y", expect=400)
answer("unknown player (404)", "/api/v1/players/{id}", "/api/v1/players/steam:1", expect=404)
answer("a player's days", "/api/v1/history/players/{id}",
       "/api/v1/history/players/" + q(ref, safe="") + "?days=7", expect=200)
answer("a player's days, bad days (400)", "/api/v1/history/players/{id}",
       "/api/v1/history/players/" + q(ref, safe="") + "?days=0", expect=400)
answer("unknown player's days (404)", "/api/v1/history/players/{id}",
       "/api/v1/history/players/gog:1", expect=404)
maps, _ = answer("maps", "/api/v1/maps", "/api/v1/maps?days=3650", expect=200)
answer("maps, CSV", "/api/v1/maps", "/api/v1/maps?format=csv", expect=200)
answer("maps, bad days (400)", "/api/v1/maps", "/api/v1/maps?days=0", expect=400)
answer("maps, bad format (400)", "/api/v1/maps", "/api/v1/maps?format=xml", expect=400)
key = maps["maps"][0]["map_key"] if maps and maps["maps"] else "0:none"
answer("a map", "/api/v1/maps/{key}", "/api/v1/maps/" + q(key, safe="") + "?days=3650", expect=200)
answer("unknown map (404)", "/api/v1/maps/{key}", "/api/v1/maps/0:no-such-map", expect=404)
mods, _ = answer("mods", "/api/v1/mods", "/api/v1/mods?days=3650", expect=200)
answer("mods, CSV", "/api/v1/mods", "/api/v1/mods?format=csv", expect=200)
mod = mods["mods"][0]["mod_id"] if mods and mods["mods"] else "0"
answer("a mod", "/api/v1/mods/{id}", "/api/v1/mods/" + q(mod, safe="") + "?days=3650", expect=200)
answer("unknown mod (404)", "/api/v1/mods/{id}", "/api/v1/mods/999999999999", expect=404)
answer("analytics, one day", "/api/v1/analytics", "/api/v1/analytics?days=1", expect=200)
answer("analytics, ten years", "/api/v1/analytics", "/api/v1/analytics?days=3650", expect=200)
answer("analytics, bad days (400)", "/api/v1/analytics", "/api/v1/analytics?days=3651", expect=400)
hz, _ = answer("health", "/healthz", "/healthz")
ok((cases[-1]["status"], hz and hz.get("status")) in ((200, "ok"), (200, "degraded"), (503, "stale")),
   "health: 200 while the data is fresh, else 503 with status stale", cases[-1]["status"], hz)
answer("metrics (loopback peer)", "/metrics", "/metrics", expect=200)
_, h = answer("the document", "/api/v1/openapi.json", "/api/v1/openapi.json", expect=200)
answer("the document, 304", "/api/v1/openapi.json", "/api/v1/openapi.json",
       headers={"If-None-Match": h.get("etag", "none")}, expect=304)


def answer_as(label, path, url_path, b, method="POST", json_body=None, headers=None, expect=None):
    """Like answer(), as Browser b (its cookies), any method; a JSON body
    when json_body is not None. A redirect's body is not validated."""
    if method == "GET":
        st, h, body = b.get(url_path, headers=headers)
    else:
        st, h, body = b.post(url_path, headers=headers, json_body=json_body if json_body is not None else {})
    ctype = h.get("content-type", "")
    parsed = json.loads(body) if body and ctype.startswith("application/json") else None
    if expect is not None and st != expect:
        ok(False, "%s: status %d" % (label, expect), "got %d: %s" % (st, body[:300]))
    cases.append({"name": label, "path": path, "method": method, "status": st, "content_type": ctype,
                  "body": parsed if st != 303 else None})
    return parsed


# accounts, presence and the Team Picker: a lobby with two team leaders
# (the "vsr" game of 2024-08-30), their accounts signed in, and a viewer
rc, out = poll_file(os.path.join(DATA, "msl-api-v1", "2024-08-30_data.json"))
ok(rc == 0, "poll the 2024-08-30 capture (two team leaders)", out)
vsr = scalar("SELECT id FROM bzcc.sessions WHERE name = 'vsr' AND ended_at IS NULL")
qv = q(vsr, safe="")
tp = "/api/v1/team_picker/{session_id}"


def signed_in(steam, name):
    uid = scalar("SELECT user_id FROM user_identities WHERE provider = 'steam' AND external_id = :'v1'", steam)
    b = Browser(session=session_token(int(uid) if uid else make_user(name, identities=[("steam", steam)])))
    return b, {"X-CSRF-Token": b.csrf("/account"), "Accept": "application/json"}


jb, jh = signed_in("76561197996696789", "t76-jabba")
gb, gh = signed_in("76561197970538803", "t76-graves")
vb, vh = signed_in("76561198064801924", "t76-otter")
anon = Browser()
answer_as("presence on the site", "/api/v1/presence/site", "/api/v1/presence/site", jb, "GET", expect=200)
answer_as("presence in game", "/api/v1/presence/in_game", "/api/v1/presence/in_game", anon, "GET", expect=200)
answer_as("team picker, none yet", tp, "/api/v1/team_picker/" + qv, anon, "GET", expect=200)
answer_as("team picker, unknown session (404)", tp, "/api/v1/team_picker/Rebellion%3Affffffffffffffff", anon,
          "GET", expect=404)
answer_as("start, not signed in (401)", tp + "/start", "/api/v1/team_picker/%s/start" % qv, anon, expect=401)
answer_as("start, no CSRF token (403)", tp + "/start", "/api/v1/team_picker/%s/start" % qv, jb, expect=403)
answer_as("start, not a leader (403)", tp + "/start", "/api/v1/team_picker/%s/start" % qv, vb, headers=vh,
          expect=403)
answer_as("start, unknown session (404)", tp + "/start",
          "/api/v1/team_picker/Rebellion%3Affffffffffffffff/start", jb, headers=jh, expect=404)
answer_as("coin toss before a start (409)", tp + "/coin_toss", "/api/v1/team_picker/%s/coin_toss" % qv, jb,
          headers=jh, expect=409)
answer_as("start", tp + "/start", "/api/v1/team_picker/%s/start" % qv, gb, headers=gh, expect=200)
answer_as("team picker, started", tp, "/api/v1/team_picker/" + qv, anon, "GET", expect=200)
tossed = answer_as("coin toss", tp + "/coin_toss", "/api/v1/team_picker/%s/coin_toss" % qv, jb, headers=jh,
                   expect=200)
turn = (tossed or {}).get("picker", {}).get("turn_team", 1)
on, off = ((jb, jh), (gb, gh)) if turn == 1 else ((gb, gh), (jb, jh))
free = [x["player_id"] for x in (tossed or {}).get("lobby", []) if x["commander_team"] is None]
answer_as("pick out of turn (409)", tp + "/pick", "/api/v1/team_picker/%s/pick" % qv, off[0], headers=off[1],
          json_body={"player_id": free[0] if free else "steam:1"}, expect=409)
answer_as("pick, malformed player (400)", tp + "/pick", "/api/v1/team_picker/%s/pick" % qv, on[0],
          headers=on[1], json_body={"player_steam_id": "12"}, expect=400)
answer_as("pick by SteamID64", tp + "/pick", "/api/v1/team_picker/%s/pick" % qv, on[0], headers=on[1],
          json_body={"player_steam_id": free[0].split(":")[1] if free else "1"}, expect=200)
# the page's form, without JavaScript: a 303 back to the page (no body to validate)
st, h, body = off[0].post("/api/v1/team_picker/%s/pick" % qv,
                          {"csrf_token": off[1]["X-CSRF-Token"], "player_id": free[1] if len(free) > 1 else "x"})
cases.append({"name": "pick, as a form (303)", "path": tp + "/pick", "method": "POST", "status": st,
              "content_type": h.get("content-type", ""), "body": None})
ok(st == 303, "a form pick answers 303", st)
answer_as("finalize", tp + "/finalize", "/api/v1/team_picker/%s/finalize" % qv, jb, headers=jh, expect=200)
answer_as("finalize twice (409)", tp + "/finalize", "/api/v1/team_picker/%s/finalize" % qv, jb, headers=jh,
          expect=409)
answer_as("cancel by a viewer (403)", tp + "/cancel", "/api/v1/team_picker/%s/cancel" % qv, vb, headers=vh,
          expect=403)
answer_as("cancel", tp + "/cancel", "/api/v1/team_picker/%s/cancel" % qv, gb, headers=gh, expect=200)
answer_as("team picker, canceled", tp, "/api/v1/team_picker/" + qv, anon, "GET", expect=200)
# --- EVE: real killmails imported, every route answered ---------------------
# The killmails of tests/data/eve (the same files t90 imports) and the two
# real RedisQ packages, whose zKillboard values give ISK amounts that are
# not zero, go through the module's own jobs. Names are a cache the
# eve-names job fills from ESI; fixture names for every other id stand in
# here, so answers hold both a name and null. When the eve tables were
# empty as t76 started (it runs before t90), they are emptied again once
# the answers are fetched: t90 counts from an empty start.

EVE = os.path.join(SRCDIR, "tests", "data", "eve")
EVE_FIXTURE = "t76 fixture "


def eve_tables():
    return [r[0] for r in psql("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
                               " WHERE schemaname = 'eve' ORDER BY 1")]


def eve_cases():
    rc, out = job("eve-static")
    ok(rc == 0, "eve-static imports the SDE tables", out[-300:])
    files = [os.path.join(EVE, "killmails", f) for f in (
        "esi_2021-11-28_window_1200-1229_all-systems.jsonl",
        "esi_2021-11-28_jorund-30001046_10-14h.jsonl.gz",
        "esi_2021-11-28_pochven-sakenta-urhinichi_day.jsonl")]
    files += [os.path.join(EVE, "redisq", f) for f in (
        "redisq_package_110946162_wspace_2023-08-12.json",
        "redisq_package_110956448_lowsec_2023-08-12.json")]
    rc, out = job("eve-import", *files)
    rejected = re.findall(r"(\d+) rejected", out)
    ok(rc == 0 and rejected == ["0"] * len(files), "eve-import the real killmails, none refused",
       out[-600:])
    rc, out = job("eve-cluster")
    ok(rc == 0, "eve-cluster", out[-300:])
    psql("INSERT INTO eve.names (id, category, name)"
         " SELECT id, 'fixture', :'v1' || id FROM ("
         "  SELECT victim_character_id id FROM eve.killmails UNION SELECT victim_corporation_id FROM eve.killmails"
         "  UNION SELECT victim_alliance_id FROM eve.killmails UNION SELECT character_id FROM eve.attackers"
         "  UNION SELECT corporation_id FROM eve.attackers UNION SELECT alliance_id FROM eve.attackers) x"
         " WHERE id IS NOT NULL AND id % 2 = 0 ON CONFLICT (id) DO NOTHING", EVE_FIXTURE)

    jorund = scalar("SELECT id FROM eve.battles WHERE is_battle AND system_id = 30001046")
    pochven = scalar("SELECT id FROM eve.battles WHERE is_battle AND space_type = 'pochven'"
                     " ORDER BY kills DESC, id LIMIT 1")
    ok(jorund and pochven, "the Jorund fight and a Pochven battle were clustered", jorund, pochven)
    jorund, pochven = jorund or "1", pochven or "1"
    who = psql("SELECT character_id, corporation_id FROM eve.battle_participants WHERE battle_id = :'v1'"
               " AND alliance_id = 99005338 AND character_id <> 0 ORDER BY character_id LIMIT 1", jorund)
    char, corp = who[0] if who else ("1", "1")

    b = "/api/v1/battles"
    page, _ = answer("eve battles, first page", b, b + "?limit=3", expect=200)
    ok(page and page["count"] == 3 and page["next_url"], "eve battles: a first page with a next one")
    if page and page["next_url"]:
        answer("eve battles, next page", b, page["next_url"], expect=200)
    every = ("?space_type=kspace&from=2021-11-28&to=2021-11-29T00:00:00Z&region=Curse&system=Jorund"
             "&alliance_id=99005338&corporation_id=%s&character_id=%s&min_kills=2&limit=100" % (corp, char))
    d, _ = answer("eve battles, every filter", b, b + every, expect=200)
    ok(d and d["count"] == 1 and d["battles"][0]["id"] == jorund,
       "eve battles, every filter: the Jorund battle", d and d["count"])
    answer("eve battles, none match", b, b + "?min_kills=1000000", expect=200)
    for q in ("space_type=wormhole", "from=yesterday", "to=2021-02-30", "alliance_id=abc", "limit=101",
              "min_kills=0", "cursor=xyz", "system=Nowhere", "region=Nowhere"):
        answer("eve battles, %s (400)" % q, b, b + "?" + q, expect=400)

    b = "/api/v1/battles/{id}"
    d, _ = answer("eve battle: Jorund, 1080 kills", b, "/api/v1/battles/" + jorund, expect=200)
    ok(d and d["report"]["kills"] == 1080 and len(d["report"]["participants"]) > 1000
       and any(p.get("character_name") for p in d["report"]["participants"])
       and any("character_name" in p and p["character_name"] is None for p in d["report"]["participants"]),
       "eve battle: the Jorund report, names and nulls beside ids")
    answer("eve battle: Pochven", b, "/api/v1/battles/" + pochven, expect=200)
    for i in ("999999999", "abc", "0"):
        answer("eve battle %s (404)" % i, b, "/api/v1/battles/" + i, expect=404)

    b = "/api/v1/killmails/recent"
    d, _ = answer("eve recent kills, first page", b, b, expect=200)
    ok(d and d["count"] == 50 and d["next_url"]
       and [(k["isk"], k["battle_id"]) for k in d["killmails"][:2]] == [("10000.55", None), ("422152306.43", None)],
       "eve recent kills: 50, the newest the two valued RedisQ kills, in no battle",
       d and d["killmails"][:2])
    if d and d["next_url"]:
        answer("eve recent kills, next page", b, d["next_url"], expect=200)
    d, _ = answer("eve recent kills, since and space type", b,
                  b + "?since=2021-11-28T23:00:00Z&space_type=pochven&limit=200", expect=200)
    ok(d and d["count"] > 0, "eve recent kills in Pochven since 23:00", d and d["count"])
    for q in ("limit=0", "limit=201", "since=never", "space_type=wspace", "cursor=xyz"):
        answer("eve recent kills, %s (400)" % q, b, b + "?" + q, expect=400)

    # the live feed: a 307 to the stream room, which answers HEAD with its
    # headers (the 200 text/event-stream itself is followed in t99-eve-stream)
    b = "/api/v1/killmails/stream"
    answer_as("eve killmail stream: to the room (307)", b, b + "?space_type=jspace", Browser(), "GET",
              expect=307)
    answer("eve killmail stream, space_type=wspace (400)", b, b + "?space_type=wspace", expect=400)
    _, h, _ = Browser().get(b)
    st, h, body = http(BASE_URL + h.get("location", "/nowhere"), method="HEAD")  # urllib would GET it
    ok(st == 200 and h.get("content-type", "").startswith("text/event-stream"),
       "eve killmail stream: the redirect leads to the room's text/event-stream", st, h)
    cases.append({"name": "eve killmail stream, HEAD after the redirect", "path": b, "method": "GET",
                  "status": st, "content_type": h.get("content-type", ""), "body": body.decode()})

    # intel needs the battle-intel feature: an analyst granted it reads,
    # a signed-in account without it is 403, nobody signed in 401
    analyst = make_user("t76-analyst")
    psql("INSERT INTO eve.feature_roles (user_id, feature, role) VALUES (:'v1', 'battle-intel', 'user')",
         str(analyst))
    ib = Browser(session=session_token(analyst))
    plain = Browser(session=session_token(make_user("t76-no-intel")))

    def ianswer(label, path, url_path, headers=None, expect=None):
        return answer_as(label, path, url_path, ib, "GET", headers=headers, expect=expect), None

    U = "until=2021-11-29T00:00:00Z&days=2"
    for p in [p for m, p in sorted(routes) if p.startswith("/api/v1/intel/")]:
        u = p.replace("{id}", "99005338")
        answer_as("eve intel %s, not signed in (401)" % p, p, u, Browser(), "GET", expect=401)
        answer_as("eve intel %s, without battle-intel (403)" % p, p, u, plain, "GET", expect=403)
    b = "/api/v1/intel/summary"
    d, _ = ianswer("eve intel summary of the data's days", b, b + "?" + U, expect=200)
    ok(d and d["kills"] == 1425 and d["biggest_battles"], "eve intel summary: 1425 kills on 2021-11-28",
       d and d["kills"])
    ianswer("eve intel summary, valued kills", b, b + "?until=2023-08-13&days=1", expect=200)
    ianswer("eve intel summary, last 7 days (empty)", b, b, expect=200)
    ianswer("eve intel summary, days=366 (400)", b, b + "?days=366", expect=400)
    ianswer("eve intel summary, until=soon (400)", b, b + "?until=soon", expect=400)

    for kind, ent in (("alliances", "99005338"), ("corporations", corp), ("characters", char)):
        for sub in ("", "/opponents", "/ships"):
            b = "/api/v1/intel/%s/{id}%s" % (kind, sub)
            url = "/api/v1/intel/%s/%%s%s" % (kind, sub)
            d, _ = ianswer("eve intel %s %s%s" % (kind, ent, sub), b, url % ent + "?" + U, expect=200)
            lists = [v for v in (d or {}).values() if isinstance(v, list)]
            ok(d and all(lists) and d["entity_id"] == ent,
               "eve intel %s %s%s: every list filled" % (kind, ent, sub))
            ianswer("eve intel %s, unseen id%s" % (kind, sub), b, url % "1", expect=200)
            ianswer("eve intel %s%s, days=0 (400)" % (kind, sub), b, url % ent + "?days=0", expect=400)
            ianswer("eve intel %s%s, id x1 (404)" % (kind, sub), b, url % "x1", expect=404)
    # wspace kill of 2023: ISK that is not zero in the ships and opponents lists
    corp23 = scalar("SELECT victim_corporation_id FROM eve.killmails WHERE killmail_id = 110946162")
    for sub in ("/opponents", "/ships"):
        b = "/api/v1/intel/corporations/{id}" + sub
        ianswer("eve intel, the valued wspace loss%s" % sub, b,
               "/api/v1/intel/corporations/%s%s?until=2023-08-13&days=1" % (corp23, sub), expect=200)


eve_on = "eve" in route_module.values()
if eve_on:
    eve_empty = scalar("SELECT NOT EXISTS (SELECT 1 FROM eve.killmail_ids) AND NOT EXISTS"
                       " (SELECT 1 FROM eve.systems) AND NOT EXISTS (SELECT 1 FROM eve.names)") == "t"
    try:
        eve_cases()
    finally:
        if eve_empty:
            psql("TRUNCATE %s RESTART IDENTITY" % ", ".join(eve_tables()))
        else:
            psql("DELETE FROM eve.names WHERE name LIKE :'v1' || '%'", EVE_FIXTURE)
    left = psql("SELECT (SELECT count(*) FROM eve.killmail_ids) + (SELECT count(*) FROM eve.systems)"
                " + (SELECT count(*) FROM eve.battles) + (SELECT count(*) FROM eve.names)")
    ok(not eve_empty or left == [["0"]], "the eve tables are left empty, as t76 found them", left)
# --- MOHAA: the real sample payloads ingested, every route answered ----------
# A game server registered with the real CLI (a name unique to the run: the
# mohaa tests after this one count per server) posts the original tracker's
# form bodies and the later JSON array; the real ingest job writes them.


def mohaa_cases():
    from t90_mohaa_lib import SAMPLE_TOKEN, ingest, post, register, sample_form_lines, sample_json
    name = "t76-%d" % int(time.time() * 1000)
    token = register(name)
    sid = scalar("SELECT id FROM mohaa.servers WHERE name = :'v1'", name)
    hdr = {"X-Server-Token": token}
    for line in sample_form_lines():
        st, _, _ = post(BASE_URL, "/api/v1/ingest/events", line.replace(SAMPLE_TOKEN, token))
        ok(st == 202, "mohaa: the sample body is accepted: " + line[:60], st)
    post(BASE_URL, "/api/v1/ingest/events", json.dumps(sample_json()["request_body"]), hdr)
    rc, out = ingest()
    ok(rc == 0, "mohaa-ingest writes the samples", out[-800:])

    E, R = "/api/v1/ingest/events", "/api/v1/ingest/match-result"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    answer("mohaa ingest: one form event", E, E, form, 202, "POST",
           "type=chat&match_id=m&player_name=a&message=100% sure&server_token=" + token)
    answer("mohaa ingest: a batch with a rejection", E, E, hdr, 202, "POST",
           json.dumps([{"type": "player_jump", "player_name": "a"}, {"type": "x"}]))
    answer("mohaa ingest: unknown type (400)", E, E, hdr, 400, "POST", "type=teleport")
    answer("mohaa ingest: no token (401)", E, E, form, 401, "POST", "type=chat&player_name=a&message=x")
    answer("mohaa ingest: 2 MiB (413)", E, E, hdr, 413, "POST", b"x" * (2 << 20))
    answer("mohaa match-result", R, R, hdr, 202, "POST",
           json.dumps({"match_id": "match_sess_0.05_0.05", "winning_team": "axis"}))
    answer("mohaa match-result without match_id (400)", R, R, hdr, 400, "POST", "winning_team=axis")
    answer("mohaa match-result, wrong token (401)", R, R, {"X-Server-Token": "nope"}, 401, "POST",
           "match_id=m")
    answer("mohaa match-result, 2 MiB (413)", R, R, hdr, 413, "POST", b"y" * (2 << 20))
    rc, out = ingest()
    ok(rc == 0, "mohaa-ingest writes them", out[-800:])

    L = "/api/v1/stats/leaderboard"
    answer("mohaa global board", L, L, expect=200)
    answer("mohaa global board by kd, paged", L, L + "?stat=kd&limit=2&offset=1", expect=200)
    answer("mohaa global board, bad stat (400)", L, L + "?stat=wins", expect=400)
    answer("mohaa global board, bad limit (400)", L, L + "?limit=0", expect=400)
    answer("mohaa weekly board", L + "/weekly", L + "/weekly", expect=200)
    answer("mohaa weekly board, a past week", L + "/weekly", L + "/weekly?week=2025-01-18", expect=200)
    answer("mohaa weekly board, bad week (400)", L + "/weekly", L + "/weekly?week=last", expect=400)
    answer("mohaa weapon board", L + "/weapon/{weapon}", L + "/weapon/thompson", expect=200)
    answer("mohaa weapon board, bad limit (400)", L + "/weapon/{weapon}", L + "/weapon/thompson?limit=0",
           expect=400)
    answer("mohaa weapon board, unknown weapon (404)", L + "/weapon/{weapon}", L + "/weapon/phaser",
           expect=404)
    answer("mohaa map board", L + "/map/{map}", L + "/map/unknownmap", expect=200)
    answer("mohaa map board, bad limit (400)", L + "/map/{map}", L + "/map/unknownmap?limit=0", expect=400)
    answer("mohaa map board with a folder", L + "/map/{dir}/{map}", L + "/map/obj/obj_team2", expect=200)
    answer("mohaa map board, bad offset (400)", L + "/map/{dir}/{map}", L + "/map/obj/obj_team2?offset=-1",
           expect=400)
    P = "/api/v1/stats/player/{guid}"
    for pid in ("name:SgtRock", "smf:42", "ABCD1234567890EF"):
        answer("mohaa player " + pid, P, "/api/v1/stats/player/" + q(pid, safe=""), expect=200)
        answer("mohaa matches of " + pid, P + "/matches",
               "/api/v1/stats/player/%s/matches?limit=1" % q(pid, safe=""), expect=200)
        answer("mohaa weapons of " + pid, P + "/weapons", "/api/v1/stats/player/%s/weapons" % q(pid, safe=""),
               expect=200)
    answer("mohaa unknown player (404)", P, "/api/v1/stats/player/nobody", expect=404)
    answer("mohaa unknown player's matches (404)", P + "/matches", "/api/v1/stats/player/nobody/matches",
           expect=404)
    answer("mohaa matches, bad before (400)", P + "/matches", "/api/v1/stats/player/smf:42/matches?before=x",
           expect=400)
    answer("mohaa unknown player's weapons (404)", P + "/weapons", "/api/v1/stats/player/nobody/weapons",
           expect=404)
    H = P + "/heatmap/{dir}/{map}"
    answer("mohaa heat map", H, "/api/v1/stats/player/name:SgtRock/heatmap/obj/obj_team2", expect=200)
    answer("mohaa heat map of deaths, SVG", H,
           "/api/v1/stats/player/name:Hans/heatmap/obj/obj_team2?kind=deaths&format=svg", expect=200)
    answer("mohaa heat map, bad kind (400)", H, "/api/v1/stats/player/name:Hans/heatmap/obj/obj_team2?kind=x",
           expect=400)
    answer("mohaa heat map, unknown player (404)", H, "/api/v1/stats/player/nobody/heatmap/obj/obj_team2",
           expect=404)
    H = P + "/heatmap/{map}"
    answer("mohaa heat map, map without folder", H, "/api/v1/stats/player/smf:42/heatmap/x", expect=200)
    answer("mohaa heat map, bad kind (400)", H, "/api/v1/stats/player/smf:42/heatmap/x?kind=all", expect=400)
    answer("mohaa heat map, unknown player (404)", H, "/api/v1/stats/player/nobody/heatmap/x", expect=404)
    M = "/api/v1/stats/match/{matchId}"
    mid = scalar("SELECT max(id) FROM mohaa.matches WHERE server_id = :'v1' AND match_ref <> ''", sid)
    ok(mid, "mohaa: the samples made a match", mid)
    mid = mid or "1"
    answer("mohaa a match", M, "/api/v1/stats/match/" + mid, expect=200)
    answer("mohaa a match's timeline", M + "/timeline", "/api/v1/stats/match/%s/timeline?all=1" % mid,
           expect=200)
    answer("mohaa unknown match (404)", M, "/api/v1/stats/match/999999999", expect=404)
    answer("mohaa bad match id (400)", M, "/api/v1/stats/match/abc", expect=400)
    answer("mohaa unknown match's timeline (404)", M + "/timeline", "/api/v1/stats/match/999999999/timeline",
           expect=404)
    answer("mohaa timeline, bad limit (400)", M + "/timeline", "/api/v1/stats/match/%s/timeline?limit=0" % mid,
           expect=400)
    S = "/api/v1/stats/server/{serverId}"
    answer("mohaa server by id", S, "/api/v1/stats/server/%s" % sid, expect=200)
    answer("mohaa server by name", S, "/api/v1/stats/server/" + name, expect=200)
    answer("mohaa unknown server (404)", S, "/api/v1/stats/server/none-such", expect=404)
    answer("mohaa live", "/api/v1/stats/live", "/api/v1/stats/live", expect=200)
    answer("mohaa live, long window", "/api/v1/stats/live", "/api/v1/stats/live?window=3600", expect=200)
    answer("mohaa live, bad window (400)", "/api/v1/stats/live", "/api/v1/stats/live?window=1", expect=400)
    answer("mohaa achievements", "/api/v1/stats/achievements", "/api/v1/stats/achievements", expect=200)


if "mohaa" in route_module.values():
    mohaa_cases()

# streams never end: their refusals (JSON before the stream starts) are
# validated here; the 200 text/event-stream is checked in t90
answer("stream: foreign Origin", "/api/v1/stream/sessions", "/api/v1/stream/sessions",
       headers={"Origin": "https://elsewhere.example"}, expect=403)
answer("stream room: unknown", "/api/v1/stream/rooms/{room}", "/api/v1/stream/rooms/nothing:1", expect=404)
answer("stream room: malformed", "/api/v1/stream/rooms/{room}", "/api/v1/stream/rooms/players:x", expect=400)

cases_file = os.path.join(TMP, "cases.json")
with open(cases_file, "w") as f:
    json.dump(cases, f)
res = node("answers", doc_file, cases_file)
for r in (res or {}).get("results", []):
    ok(r["ok"], "answer matches the document: " + r["name"], *r["errors"])

# every API route of every module had real answers checked
seen = {(c["method"], c["path"]) for c in cases}
unchecked = sorted(p for p in routes if p not in seen)
ok(not unchecked, "every API route of every module had real answers validated (%d routes)" % len(routes),
   *["%s %s (module %s)" % (p + (route_module[p],)) for p in unchecked])
# and each EVE route every answer it documents but 503 (the database down)
statuses = {(c["path"], str(c["status"])) for c in cases}
missing = ["%s %s: %s" % (m, p, s) for m, p in sorted(routes) if route_module[(m, p)] == "eve"
           for s in doc["paths"].get(p, {}).get(m.lower(), {}).get("responses", {})
           if s != "503" and (p, s) not in statuses]
ok(not missing, "every documented EVE status but 503 had a real answer validated", *missing)
statuses = {(c["method"], c["path"], str(c["status"])) for c in cases}
missing = ["%s %s: %s" % (m, p, s) for m, p in sorted(routes) if route_module[(m, p)] == "mohaa"
           for s in doc["paths"].get(p, {}).get(m.lower(), {}).get("responses", {})
           if s not in ("429", "503") and (m, p, s) not in statuses]
ok(not missing, "every documented MOHAA status but 429 and 503 had a real answer validated", *missing)

# --- how the document is served ---------------------------------------------

st, h, plain = http(BASE_URL + "/api/v1/openapi.json")
etag = h.get("etag", "")
ok(re.fullmatch(r'"[0-9a-f]{32}"', etag) is not None, "the document has a strong ETag", etag)
ok(h.get("cache-control") == "public, max-age=300", "Cache-Control from the route table",
   h.get("cache-control"))
ok("accept-encoding" in h.get("vary", "").lower(), "Vary: Accept-Encoding")
st2, h2, packed = http(BASE_URL + "/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
ok(st2 == 200 and h2.get("content-encoding") == "gzip" and gzip.decompress(packed) == plain
   and len(packed) < len(plain) / 3,
   "gzip when accepted, identical once inflated", len(packed), len(plain))
for inm, want in ((etag, 304), ('"x", ' + etag, 304), ("W/" + etag, 304), ("*", 304),
                  ('"0123"', 200), ("", 200)):
    st3, h3, body3 = http(BASE_URL + "/api/v1/openapi.json",
                          headers={"If-None-Match": inm} if inm else {})
    ok(st3 == want and (want == 200 or (body3 == b"" and h3.get("etag") == etag)),
       "If-None-Match %r: %d" % (inm, want), st3)
st, h, body = http(BASE_URL + "/api/v1/openapi.json", method="HEAD")
ok(st == 200 and body == b"" and int(h.get("content-length", 0)) == len(plain),
   "HEAD: headers and no body")
st, h, e = get_json(BASE_URL + "/api/v1/openapi.json")
st, h, _ = http(BASE_URL + "/api/v1/openapi.json", method="POST")
ok(st == 405 and "GET" in h.get("allow", ""), "POST is a 405 with Allow", st)

# /api: every operation listed in the page as sent (no JavaScript needed)
st, h, body = http(BASE_URL + "/api")
page = body.decode("utf-8", "replace")
rows = re.findall(r'<td class="mono">([A-Z]+)</td>\s*<th scope="row" class="mono">(?:<a href="[^"]*">)?([^<]+)', page)
ok(st == 200 and h.get("content-type", "").startswith("text/html")
   and {(m, p.replace("&#123;", "{").replace("&#125;", "}")) for m, p in rows} == ops
   and len(rows) == len(ops),
   "/api lists every operation of the document (%d rows)" % len(rows),
   sorted(ops - {(m, p) for m, p in rows}))
ok('src="/static/vendor/swagger-ui-bundle.js"' in page and 'src="/static/js/api-docs.js"' in page
   and not re.search(r"<script(?![^>]*\bsrc=)", page) and " style=" not in page,
   "/api loads Swagger UI and its start script as files (no inline script or style)")
for asset in ("/static/vendor/swagger-ui-bundle.js", "/static/vendor/swagger-ui.css",
              "/static/js/api-docs.js", "/static/css/api-docs.css"):
    st, h, body = http(BASE_URL + asset)
    ok(st == 200 and len(body) > 100, "%s is served (%d bytes)" % (asset, len(body)), st)

# --- a worker with no module enabled: only the platform's part ------------------

sock = os.path.join(TMP, "fcgi.sock")
env = dict(os.environ, GW_MODULES="none-such")
log = open(os.path.join(os.environ.get("GW_RUN", TMP), "log", "t76-pool.log"), "ab")
pool = subprocess.Popen([os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--listen", "unix:" + sock,
                         "--workers", "1"] + (["--allow-root"] if os.geteuid() == 0 else []), env=env, stdout=log, stderr=log)
try:
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    cgi = dict(env, REQUEST_METHOD="GET", REQUEST_URI="/api/v1/openapi.json",
               SCRIPT_NAME="", QUERY_STRING="", SERVER_PROTOCOL="HTTP/1.1")
    p = subprocess.run(["cgi-fcgi", "-bind", "-connect", sock], env=cgi, capture_output=True,
                       timeout=20)
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    alone = json.loads(body) if body.startswith(b"{") else None
    only_platform, _ = api_routes({"GW_MODULES": "none-such"})
    ok(alone is not None and doc_operations(alone) == only_platform
       and ("GET", "/healthz") in only_platform and not any("/sessions/" in p for _, p in only_platform),
       "GW_MODULES enabling no module: the document has only the platform's %d operations, as --routes"
       % len(only_platform), head[:200], body[:200])
finally:
    pool.terminate()
    pool.wait(timeout=20)
    log.close()

shutil.rmtree(TMP, ignore_errors=True)
done()
