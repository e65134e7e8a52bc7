"""t70: what the community viewers do (issue 9, "Parity and beyond"), on the
real captures (tests/data/bzcc), edited where a section says so:

* two sources together: a RakNet capture and an MSL API 1.0 response served
  by a local fixture (lobbyfix.py), merged by GUID, per-source status,
  failover both ways, a stale MSL adding no sessions, both down rejected;
  MSL metadata (mod names, level names, team names, nicknames) used, its
  pictures mirrored (never linked);
* host migration relinked (a synthetic migration from two real sessions),
  and its negatives; a revived NAT id starting a new session;
* spam rules and the dedicated-server bot; rules of the game; joining
  (steam:// link, /bzcc/join/{hex} with Open Graph tags);
* viewer habits on the page: VSR only, sort orders, compact cards, hidden
  players labelled, copy buttons, per-card last update."""
import copy
import datetime
import html
import json
import os
import re
import urllib.parse

from enrichtest import Fixture, run
from gwtest import (BASE_URL, DATA, done, get_json, http, job, load, ok, poll_file, psql,
                    scalar, servers)
from lobbyfix import LobbyServer

IONDRIVER = os.path.join(DATA, "lobby", "iondriver-proxy_2024-09-15_Nielk1-MultiplayerSessionList-mock.json")
REBELLION = os.path.join(DATA, "lobby", "rebellion-direct_2022-12_frute94-BZCC-Scanner.json")
MSL_DATA = os.path.join(DATA, "msl-api-v1", "2024-08-30_data.json")
MSL_HIDDEN = os.path.join(DATA, "msl-api-v1", "2024-09-11_data-hidden-player.json")
MSL_DM = os.path.join(DATA, "msl-api-v1", "2025-04-05_dm.json")
RUN = os.environ["GW_RUN"]


def now_iso(offset_s=0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset_s)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def raknet_doc(fresh=True):
    doc = load(IONDRIVER)
    if fresh:
        doc["proxyStatus"]["Rebellion"]["updated"] = now_iso(-3)
    return doc


def msl_doc(path=MSL_DATA, fresh=True, fx=None):
    doc = load(path)
    if fresh:
        doc["Metadata"]["ListServer"]["Rebellion"]["Timestamp"] = now_iso(-5)
    if fx:  # pictures served by the enrichment fixture instead of the real hosts
        text = json.dumps(doc).replace("https://gamelistassets.iondriver.com/bzcc/",
                                       fx.base + "/bzcc/")
        text = re.sub(r"https://avatars\.steamstatic\.com/([0-9a-f]+_full\.jpg)",
                      fx.base + r"/steam-avatars/\1", text)
        doc = json.loads(text)
    return doc


def current(base=BASE_URL, query=""):
    st, _, doc = get_json(base + "/api/v1/sessions/current" + query)
    return doc if st == 200 else None


def by_nat(doc):
    return {s["nat_id"]: s for s in (doc or {}).get("sessions", [])}


def sources(doc):
    return {s["name"]: s for s in doc["poll"]["sources"]}


lobby = LobbyServer()
RK, MS = "/lobbyServer", "/api/1.0/sessions"
env2 = {"RAKNET_URL": lobby.url(RK + "?__pluginShowSource=true"),
        "MSL_URL": lobby.url(MS + "?game=bigboat:battlezone_combat_commander&api_key=SeCrEt")}
rk_nats = [g["g"] for g in load(IONDRIVER)["GET"] if g["g"] != "XXXXXXX@XX"]
msl_nats = [s["Address"]["NAT"] for s in load(MSL_DATA)["Sessions"]]

# --- two sources, merged ------------------------------------------------------------

fx = Fixture()
lobby.set(RK, json.dumps(raknet_doc()).encode())
lobby.set(MS, json.dumps(msl_doc(fx=fx)).encode())
rc, out = job("poll-bzcc", "--once", env=env2)
doc = current()
ok(rc == 0 and lobby.hits(RK) == 1 and lobby.hits(MS) == 1,
   "sources: both RAKNET_URL and MSL_URL are read in one poll", out)
ok(doc and sorted(by_nat(doc)) == sorted(rk_nats + msl_nats),
   "sources: the lobby is the union of both answers (%d + %d sessions)"
   % (len(rk_nats), len(msl_nats)), sorted(by_nat(doc or {})))
src = sources(doc)
ok(src.get("raknet", {}).get("status") == "ok" and src.get("msl", {}).get("status") == "ok"
   and src["raknet"]["sessions"] == len(rk_nats) and src["msl"]["sessions"] == len(msl_nats)
   and "api_key=***" in src["msl"]["url"] and "SeCrEt" not in json.dumps(doc),
   "sources: each source ok, with its session count and a masked URL", src)
ok(scalar("SELECT kind FROM bzcc.polls ORDER BY id DESC LIMIT 1") == "raknet+msl-v1",
   "sources: the poll is recorded as raknet+msl-v1")

# what only MSL knows, used for its sessions: mod names, level names, team
# names (numeric mod ids and no team names before)
msl = load(MSL_DATA)
canyons = [s for s in msl["Sessions"] if s["Level"]["ID"] == "1329976523:mpicanyons"][0]
s = by_nat(doc)[canyons["Address"]["NAT"]]
ok(s["map"]["title"] == canyons["Level"]["Name"] and s["map"]["team_names"] == ["Nomads", "Revolutionaires"],
   "msl metadata: the level's name and its team names", s["map"])
mod_name = msl["Mods"][canyons["Game"]["Mod"]]["Name"]
ok(s["mod"]["name"] == mod_name, "msl metadata: the mod's name (%s), not its number" % mod_name,
   s["mod"])
steam = msl["DataCache"]["Players"]["IDs"]["Steam"]
named = [(p["name"], p["profile_name"], steam[p["external_id"]]["Nickname"]) for p in s["players"]
         if p["provider"] == "steam" and p["external_id"] in steam]
ok(named and all(a == b for _, a, b in named), "msl metadata: Steam nicknames from DataCache", named)
# pictures: mirror candidates, served from our own /assets/ only. A map only
# MSL describes (its level renamed to one no other source knows) can only
# get its picture from there.
only = msl_doc(fx=fx)
lone = [x for x in only["Sessions"] if x["Level"]["ID"] == "1329976523:mpicanyons"][0]
lone["Level"]["ID"], lone["Level"]["MapFile"] = "1329976523:t70mslonly", "t70mslonly.bzn"
lobby.set(MS, json.dumps(only).encode())
rc, out = job("poll-bzcc", "--once", env=env2)
psql("DELETE FROM enrich_breakers WHERE provider = :'v1'", "img:127.0.0.1:%d" % fx.port)
rc, out = run("mirror", fx, "--only", "map")
rc2, out2 = run("mirror", fx, "--only", "avatar")
via = scalar("SELECT via FROM asset_links WHERE entity_kind = 'map'"
             " AND entity_key = '1329976523:t70mslonly' AND sha256 IS NOT NULL")
doc = current()
s = by_nat(doc)[canyons["Address"]["NAT"]]
ok(rc == 0 and rc2 == 0 and via == "msl" and s["map"]["key"] == "1329976523:t70mslonly"
   and (s["map"]["image_url"] or "").startswith("/assets/bzcc/map/"),
   "msl metadata: its level picture is mirrored and served from /assets/",
   via, s["map"]["image_url"], out[-600:])
text = json.dumps(doc)
ok(fx.base not in text and "iondriver.com" not in text and "steamstatic" not in text,
   "msl metadata: no answer links an upstream picture")
fx.stop()

# a session both list: merged by GUID, the RakNet answer's live data wins
shared = copy.deepcopy(msl_doc())
shared["Sessions"][0]["Address"]["NAT"] = rk_nats[0]
shared["Sessions"][0]["ID"] = "Rebellion:" + rk_nats[0]
shared["Sessions"][0]["Name"] = "the MSL copy"
lobby.set(MS, json.dumps(shared).encode())
rc, out = job("poll-bzcc", "--once", env=env2)
doc = current()
rk_names = {g["g"]: g for g in load(IONDRIVER)["GET"]}
ok(rc == 0 and sorted(by_nat(doc)) == sorted(set(rk_nats + msl_nats[1:]))
   and by_nat(doc)[rk_nats[0]]["name"] != "the MSL copy",
   "sources: a game both list is one session, with the RakNet answer's data", out)

# failover: RakNet down -> MSL alone; MSL down -> RakNet alone
lobby.set(RK, b"", status=503)
lobby.set(MS, json.dumps(msl_doc()).encode())
rc, out = job("poll-bzcc", "--once", env=env2)
doc = current()
src = sources(doc)
ok(rc == 0 and sorted(by_nat(doc)) == sorted(msl_nats) and doc["stale"] is False
   and src["raknet"]["status"] == "stale" and "HTTP 503" in src["raknet"]["last_error"]
   and src["raknet"]["consecutive_failures"] == 1 and src["msl"]["status"] == "ok",
   "failover: RakNet down -> the MSL sessions, RakNet stale (failing < 30 s)", src, out)
psql("UPDATE bzcc.poll_sources SET last_success_at = last_success_at - interval '5 minutes'"
     " WHERE name = 'raknet'")
rc, out = job("poll-bzcc", "--once", env=env2)
ok(sources(current())["raknet"]["status"] == "down", "failover: failing longer: RakNet down")
lobby.set(RK, json.dumps(raknet_doc()).encode())
lobby.set(MS, b"<html>oops</html>")
rc, out = job("poll-bzcc", "--once", env=env2)
doc = current()
src = sources(doc)
ok(rc == 0 and sorted(by_nat(doc)) == sorted(rk_nats) and src["raknet"]["status"] == "ok"
   and src["msl"]["status"] == "stale" and "not JSON" in src["msl"]["last_error"]
   and src["raknet"]["last_error"] and "503" in src["raknet"]["last_error"],
   "failover: MSL broken -> the RakNet sessions; RakNet ok keeps its last error", src)
# an MSL whose own list server is stale adds no sessions (they may be over)
lobby.set(MS, json.dumps(msl_doc(fresh=False)).encode())
rc, out = job("poll-bzcc", "--once", env=env2)
doc = current()
ok(rc == 0 and sorted(by_nat(doc)) == sorted(rk_nats) and sources(doc)["msl"]["status"] == "stale"
   and sources(doc)["msl"]["upstream_updated_at"].startswith("2024-08-30"),
   "sources: an MSL answer whose list server copy is old is stale and adds nothing",
   sources(doc))
# both down: the poll is rejected, the last good lobby stays
lobby.set(RK, b"", status=500)
lobby.set(MS, b"", status=500)
rc, out = job("poll-bzcc", "--once", env=env2)
err = scalar("SELECT error FROM bzcc.polls ORDER BY id DESC LIMIT 1")
ok(rc == 1 and err and "raknet: upstream answered HTTP 500" in err and "msl: upstream" in err
   and sorted(by_nat(current())) == sorted(rk_nats),
   "sources: both down: rejected with both reasons, the last good lobby stays", err)
lobby.set(RK, json.dumps(raknet_doc()).encode())
rc, out = job("poll-bzcc", "--once", env={"RAKNET_URL": env2["RAKNET_URL"]})
ok(rc == 0 and list(sources(current())) == ["raknet", "msl"],
   "sources: MSL_URL unset: only RakNet is read (the msl row stays listed a while)")

# --- host migration: relinked ----------------------------------------------------------

# Two real sessions: A (Rebellion capture's "Cannon Fodder MPI", 3+ players)
# and the NAT id of another real session for its new host.
reb = load(REBELLION)
A = copy.deepcopy([g for g in reb["GET"] if g["g"] == "H_-lS3E@GX"][0])
B = copy.deepcopy(A)
B["g"] = "IGiq_J1@@E"  # the NAT id of a real session of the IonDriver capture
B["pl"] = B["pl"][1:]  # the old host left; the others stay
B["pl"][0]["t"] = 1


def poll_games(games, label, **env):
    path = os.path.join(RUN, "t70-%s.json" % label)
    with open(path, "w") as f:
        json.dump({"GET": games}, f)
    return poll_file(path, env=env)


def forget(*nats):
    """This harness's database has seen every real NAT id: make the earlier
    sessions of these ones a month old (a NAT id last seen long ago)."""
    psql("UPDATE bzcc.sessions SET first_seen_at = first_seen_at - interval '30 days',"
         " last_seen_at = last_seen_at - interval '30 days', state_since = state_since -"
         " interval '30 days', ended_at = coalesce(ended_at, last_seen_at) - interval '30 days'"
         " WHERE nat_id = ANY(:'v1'::text[])", "{%s}" % ",".join(nats))
    psql("UPDATE bzcc.session_players SET last_seen_at = last_seen_at - interval '30 days',"
         " left_at = coalesce(left_at, last_seen_at) - interval '30 days' WHERE session_id IN"
         " (SELECT id FROM bzcc.sessions WHERE nat_id = ANY(:'v1'::text[]))",
         "{%s}" % ",".join(nats))


psql("DELETE FROM bzcc.session_links")
forget("H_-lS3E@GX", "IGiq_J1@@E")
rc, out = poll_games([A], "a")
a_id = scalar("SELECT id FROM bzcc.sessions WHERE nat_id = 'H_-lS3E@GX' AND ended_at IS NULL")
first_seen = scalar("SELECT first_seen_at FROM bzcc.sessions WHERE id = :'v1'", a_id)
state_since = scalar("SELECT state_since FROM bzcc.sessions WHERE id = :'v1'", a_id)
rc, out = poll_games([B], "b")
doc = current()
live = doc["sessions"]
ok(rc == 0 and len(live) == 1 and live[0]["id"] == a_id and live[0]["nat_id"] == "IGiq_J1@@E"
   and "1 relinked" in out and "0 revived" in out,
   "migration: the game under a new NAT id continues session %s" % a_id, live and live[0]["id"], out)
ok(scalar("SELECT count(*) FROM bzcc.sessions WHERE (nat_id = 'IGiq_J1@@E'"
          " OR guid_hex = '03800014ffd2c412') AND last_seen_at > now() - interval '1 hour'") == "1"
   and scalar("SELECT first_seen_at FROM bzcc.sessions WHERE id = :'v1'", a_id) == first_seen
   and scalar("SELECT state_since FROM bzcc.sessions WHERE id = :'v1'", a_id) == state_since,
   "migration: one row, first seen and in-state times kept")
st, _, detail = get_json(BASE_URL + "/api/v1/sessions/" + urllib.parse.quote(a_id, safe=""))
migrated = [l for l in (detail or {}).get("links", []) if l["reason"] == "migrated"]
ok(st == 200 and [l["id"] for l in migrated] == ["Rebellion:03800014ffd2c412"]
   and detail["nat_id"] == "IGiq_J1@@E",
   "migration: the session lists the NAT id that continued it", detail and detail["links"])
_, _, hist = get_json(BASE_URL + "/api/v1/history/sessions?q=" + urllib.parse.quote("Cannon Fodder MPI"))
ids = [r["id"] for r in hist["sessions"]] if hist else []
ok(ids.count(a_id) == 1 and "Rebellion:03800014ffd2c412" not in ids,
   "migration: the history has one session", ids)
# the next poll keeps it (the link resolves the new NAT id directly)
rc, out = poll_games([B], "b")
ok(current()["sessions"][0]["id"] == a_id and "0 relinked" in out, "migration: and keeps it")
# negatives: another name, another state, or too late is a new session
for label, edit, env in (("name", lambda g: g.update(n="T3RoZXIgbmFtZQ=="), {}),
                         ("state", lambda g: g.update(si=5), {}),  # post-game
                         ("late", lambda g: None, {"BZCC_RELINK_WINDOW_SECONDS": "1"})):
    psql("DELETE FROM bzcc.session_links")
    A2, B2 = copy.deepcopy(A), copy.deepcopy(B)
    A2["g"], B2["g"] = "38lg4b@@mK", "69IFEC@@mp"  # two more real NAT ids
    forget("38lg4b@@mK", "69IFEC@@mp")
    poll_games([A2], "a2")
    edit(B2)
    if label == "late":
        psql("UPDATE bzcc.sessions SET last_seen_at = last_seen_at - interval '10 seconds',"
             " first_seen_at = first_seen_at - interval '10 seconds' WHERE nat_id = '38lg4b@@mK'")
    rc, out = poll_games([B2], "b2", **env)
    ok(rc == 0 and "0 relinked" in out and current()["sessions"][0]["nat_id"] == "69IFEC@@mp"
       and current()["sessions"][0]["id"].startswith("Rebellion:0cf000030e3d2246"),
       "migration: a different %s is a new session" % label, out)
    psql("DELETE FROM bzcc.session_players WHERE session_id IN (SELECT id FROM bzcc.sessions"
         " WHERE nat_id IN ('38lg4b@@mK', '69IFEC@@mp'))")

# --- revived: a NAT id back 808 days later is a new session -------------------------------

R = copy.deepcopy([g for g in reb["GET"] if g["g"] == "9vuoEA@@GJ"][0])
rc, out = poll_games([R], "r1")
rid = scalar("SELECT id FROM bzcc.sessions WHERE nat_id = '9vuoEA@@GJ'")
rc, out = poll_games([], "r-empty")
psql("UPDATE bzcc.sessions SET first_seen_at = first_seen_at - interval '808 days',"
     " last_seen_at = last_seen_at - interval '808 days', ended_at = ended_at - interval '808 days',"
     " state_since = state_since - interval '808 days' WHERE id = :'v1'", rid)
rc, out = poll_games([R], "r2")
doc = current()
new = [s for s in doc["sessions"] if s["nat_id"] == "9vuoEA@@GJ"]
ok(rc == 0 and "1 revived" in out and new and new[0]["id"] == rid + "~2",
   "revived: the NAT id back after 808 days is a new session %s~2" % rid, out)
span = scalar("SELECT extract(epoch FROM coalesce(ended_at, last_seen_at) - first_seen_at)::int"
              " FROM bzcc.sessions WHERE id = :'v1'", rid + "~2")
old_span = scalar("SELECT extract(epoch FROM ended_at - first_seen_at)::int FROM bzcc.sessions"
                  " WHERE id = :'v1'", rid)
ok(span is not None and int(span) < 60 and int(old_span) < 86400,
   "revived: neither session lasts 808 days (%s s, %s s)" % (span, old_span))
rc, out = poll_games([R], "r3")
ok("0 revived" in out and [s["id"] for s in current()["sessions"]] == [rid + "~2"],
   "revived: the next poll continues the new session", out)

# --- spam rules and the dedicated-server bot -----------------------------------------------

games = copy.deepcopy(reb["GET"])
spam = [g for g in games if g["g"] == "4pc2_MB@W4"][0]      # FoxyChild, one player
spam["l"] = 1
spam["pl"][0]["i"] = "S76561199685297391"
bot = [g for g in games if g["g"] == "H_-lS3E@GX"][0]       # Cannon Fodder MPI
bot["pl"][0]["i"] = "S76561199232890248"
rc, out = poll_games(games, "spam", BZCC_HIDE_NAME_PATTERN="^TEST$",
                     BZCC_HIDE_HOST_IDS="S76561198269627248")
doc = current()
nats = sorted(by_nat(doc))
ok(rc == 0 and "4pc2_MB@W4" not in nats and "hBBKvB@@WY" not in nats and "9vuoEA@@GJ" not in nats
   and len(nats) == len(games) - 3 and "3 hidden" in out
   and scalar("SELECT hidden FROM bzcc.polls ORDER BY id DESC LIMIT 1") == "3",
   "spam: the spam account's locked game, a host id and a name pattern hide 3 games", nats, out)
s = by_nat(doc)["H_-lS3E@GX"]
ok(s["dedicated"] and s["player_count"] == len(bot["pl"]) - 1 and s["max_players"] == bot["pm"] - 1
   and s["players"][0]["bot"] and not any(p["bot"] for p in s["players"][1:])
   and doc["totals"]["players"] == sum(x["player_count"] for x in doc["sessions"]),
   "bot: the dedicated-server bot is marked and left out of the counts", s["player_count"])
ok(scalar("SELECT count(*) FROM identities WHERE external_id = '76561199232890248'") == "0",
   "bot: it never becomes a player")
rc, out = job("poll-bzcc", "--once", env={"RAKNET_URL": "file://" + REBELLION,
                                           "BZCC_HIDE_NAME_PATTERN": "(unclosed"})
ok(rc == 2 and "BZCC_HIDE_NAME_PATTERN" in out, "spam: a pattern that does not compile is an error", out)

# --- rules of the game, joining -----------------------------------------------------------

games = copy.deepcopy(reb["GET"])
games[0]["ti"], games[0]["ki"] = 30, 20
rc, out = poll_games(games, "rules")
doc = current()
s = by_nat(doc)[games[0]["g"]]
ok(s["rules"] == {"time_limit": 30, "kill_limit": 20, "respawn": None, "vehicle_only": None},
   "rules: time and kill limits in the API", s["rules"])
for g in games:
    j = by_nat(doc)[g["g"]]["join"]
    locked = g.get("l") == 1 or g.get("k") == 1
    ok((j is None) == locked, "join: %s %s" % (g["g"], "no link (locked or password)" if locked
                                               else "has a steam:// link"), j)
open_game = [by_nat(doc)[g["g"]] for g in games if not (g.get("l") == 1 or g.get("k") == 1)][0]
j = open_game["join"]
for name, base in servers():
    st, h, body = http(base + j["page"])
    page = body.decode()
    metas = dict(re.findall(r'<meta property="([^"]+)" content="([^"]*)">', page))
    ok(st == 200 and metas.get("og:title") == html.escape("Join " + open_game["name"], quote=True)
       and "players" in metas.get("og:description", "")
       and metas.get("og:url", "").endswith(j["page"]) and metas["og:url"].startswith("http")
       and html.escape(j["steam_url"]) in page and j["steam_url"].startswith(
           "steam://rungame/624970/76561198955218468/-connect-mp%20" + j["hex"]),
       "join: %s %s has Open Graph tags, then the steam:// link" % (name, j["page"]), metas)
    st, h, body = http(base + "/bzcc/join/4e2c")
    ok(st == 400, "join: %s a link that does not decode is a 400" % name, st)
rc, out = poll_games([], "gone")
st, _, body = http(BASE_URL + j["page"])
ok(st == 200 and "not listed right now" in body.decode(), "join: a game no longer listed says so")

# --- viewer habits on the page ---------------------------------------------------------------

for path in (MSL_HIDDEN, MSL_DM):
    rc, out = poll_file(path)
rc, out = poll_games(reb["GET"], "habits")
hid = msl_doc(MSL_HIDDEN)
fresh_hidden = os.path.join(RUN, "t70-msl-hidden.json")
with open(fresh_hidden, "w") as f:
    json.dump(hid, f)
rc, out = job("poll-bzcc", "--once", env={"RAKNET_URL": "file://" + REBELLION,
                                           "MSL_URL": "file://" + fresh_hidden})
doc = current()
ok(rc == 0 and len(doc["sessions"]) == len(reb["GET"]) + len(hid["Sessions"]),
   "habits: a lobby of %d games" % len(doc["sessions"]), out)
vsr = current(query="?vsr=1")
ok(vsr and vsr["sessions"] and all(s["mod"]["vsr"] for s in vsr["sessions"])
   and len(vsr["sessions"]) == sum(1 for s in doc["sessions"] if s["mod"]["vsr"]),
   "habits: vsr=1 keeps the VSR games only (%d)" % len(vsr["sessions"]))
for order, key in (("name", lambda s: (s["name"].lower(), s["id"])),
                   ("recent", lambda s: (s["first_seen_at"],)),
                   ("players", lambda s: (-s["player_count"],))):
    got = current(query="?sort=" + order)
    keys = [key(s) for s in got["sessions"]]
    want = sorted(keys, reverse=order == "recent")
    ok(got.get("filters", {"sort": "players"})["sort"] == order and keys == want,
       "habits: sort=%s" % order, keys)
st = [s["state"] for s in current(query="?sort=state")["sessions"]]
rank = {"pre_game": 0, "in_game": 1, "post_game": 2}
ok(st == sorted(st, key=lambda x: rank.get(x, 3)), "habits: sort=state", st)
ok(get_json(BASE_URL + "/api/v1/sessions/current?sort=random")[0] == 400
   and get_json(BASE_URL + "/api/v1/sessions/current?vsr=2")[0] == 400, "habits: bad sort or vsr is a 400")
st, _, body = http(BASE_URL + "/bzcc/?compact=1&vsr=1&sort=name")
page = body.decode()
ok(st == 200 and 'card-grid card-grid--compact' in page and 'name="vsr" value="1" checked' in page
   and '<option value="name" selected>' in page, "habits: the page keeps compact, VSR only and the sort")
st, _, body = http(BASE_URL + "/bzcc/")
page = body.decode()
sev = [s for s in hid["Sessions"] if s["ID"] == "Rebellion:m91gS_O@WI"][0]
card = page[page.index('data-session-id="Rebellion:') if False else 0:]
m = re.search(r'<article class="session-card[^>]*data-session-id="[^"]*"[^>]*>(?:(?!</article>).)*?'
              r'Sev(?:(?!</article>).)*</article>', page, re.S)
cardtext = m.group(0) if m else ""
ok(m and "Hidden players" in cardtext and 'class="tag tag--hidden">hidden</span>' in cardtext
   and "Slot </span>0" not in page,
   "habits: the hidden player is labelled hidden, no 'Slot 0' anywhere")
ok(page.count('class="card-updated"') == len(doc["sessions"])
   and page.count('data-copy="') >= sum(len(s["players"]) for s in doc["sessions"])
   and 'src="/static/bzcc/lobby.js"' in page,
   "habits: every card has its last update and copy buttons for every player")
st, _, js = http(BASE_URL + "/static/bzcc/lobby.js")
ok(st == 200 and b"clipboard" in js, "habits: lobby.js is served")

# --- fault 6 on the page: bidi controls dropped, names isolated -----------------------------------

games = copy.deepcopy(reb["GET"][:2])
games[0]["h"] = "\u202egnp.exe\u202c\nsecond line"
rc, out = poll_games(games, "bidi")
st, _, body = http(BASE_URL + "/bzcc/")
page = body.decode()
ok("\u202e" not in page and "\u202c" not in page and "gnp.exe second line" in page
   and re.search(r'class="session-link"[^>]*><bdi>', page) and "<bdi>gnp.exe second line</bdi>" in page,
   "fault 6: no bidi override on the page; names and the message are in <bdi>")

lobby.close()
done()
