"""t91: two synthetic matches built from the real lists of tests/data/mohaa
(weapons, means of death, hit locations, maps), sent as the trackers send
them, then every derived number checked against expectations computed here
independently:

* match A, the original tracker: one form body per request, *_guid holding
  the team, `weapon` holding the means of death, hit locations as indexes
  and names, a death event beside each kill, heartbeats carrying rounds;
* match B, the later scripts: JSON arrays with forum ids, player_kill etc.,
  a player reaching 100 kills, 50 headshots and a 15-kill streak inside one
  batch, ended by match-result.

Checked: match and round facts, per-player and per-match totals, weapons
named from the killer's last weapon when it fits the means of death, heat
map cells, the four leaderboards (Redis and PostgreSQL paths give the same
page), achievements, timeline, live matches, and the pages (heat maps drawn
as SVG without JavaScript)."""
import collections
import json
import math
import os
import random
import re
import subprocess
import time
import urllib.parse

from gwtest import BASE_URL, done, get_json, http, ok, psql, scalar
from t90_mohaa_lib import csv_rows, ingest, post, register, server_id

rng = random.Random(91)
stamp = str(int(time.time() * 1000))
NAME = "t91-" + stamp
token = register(NAME)
SID = server_id(NAME)
# match B is played on another server (a server has one open match at a time)
NAME_B = NAME + "-b"
HDR = {"X-Server-Token": register(NAME_B)}
SID_B = server_id(NAME_B)

weapons = csv_rows("openmohaa_weapons.csv")
mods = {r["enum"]: r for r in csv_rows("openmohaa_means_of_death.csv")}
hitlocs = [r for r in csv_rows("openmohaa_hit_locations.csv")]
maps = csv_rows("openmohaa_maps.csv")
CLASS = {r["viewmodel_prefix"].lower(): r["weapon_class"] for r in weapons}
FIREARMS = [r for r in weapons if r["weapon_class"] in ("pistol", "rifle", "smg", "mg")]
GRENADES = [r for r in weapons if r["weapon_class"] == "grenade"]


def fits(wid, mod):
    """The rule the ingest job applies to name a MOD-only kill's weapon."""
    c = CLASS.get(wid, "")
    return {"bullet": c in ("pistol", "rifle", "smg", "mg"), "fast_bullet": c in ("pistol", "rifle", "smg", "mg"),
            "grenade": c == "grenade", "rocket": c == "heavy" and wid != "shotgun",
            "shotgun": wid == "shotgun",
            "bash": c in ("pistol", "rifle", "smg", "mg", "heavy")}.get(mod, False)


def cell(v):
    """round(v / 100) * 100, halves away from zero (C's round)."""
    q = abs(v) / 100.0
    return int(math.copysign(math.floor(q + 0.5), v) * 100) if q else 0


def pos():
    return round(rng.uniform(-2500, 2500), 2) + 0.13


exp = collections.defaultdict(lambda: collections.Counter())   # player key -> totals
wexp = collections.defaultdict(collections.Counter)             # (player, weapon) -> kills
heat = collections.defaultdict(collections.Counter)             # (map, player, kind) -> cells
mexp = collections.defaultdict(collections.Counter)             # (match, player) -> per-match
types_sent = collections.Counter()


def apply_kill(match, mapname, a, v, mod, loc_head, ap, vp, weapon, kind, sent=False):
    """Expected effects of a kill (kind: regular, teamkill, suicide, world).
    weapon: the weapon sent, or (sent False) the killer's last one, which
    names the kill only when it fits the means of death. ap/vp None: no
    positions sent."""
    if not sent and weapon and not fits(weapon, mod):
        weapon = None
    if kind == "suicide":
        exp[v]["suicides"] += 1
        exp[v]["deaths"] += 1
        mexp[(match, v)]["deaths"] += 1
        return
    if kind == "regular":
        exp[a]["kills"] += 1
        mexp[(match, a)]["kills"] += 1
        if loc_head:
            exp[a]["headshots"] += 1
        if weapon:
            wexp[(a, weapon)]["kills"] += 1
        if ap:
            heat[(mapname, a, "kills")][(cell(ap[0]), cell(ap[1]))] += 1
    elif kind == "teamkill":
        exp[a]["teamkills"] += 1
    exp[v]["deaths"] += 1
    mexp[(match, v)]["deaths"] += 1
    if weapon:
        wexp[(v, weapon)]["deaths"] += 1
    if vp:
        heat[(mapname, v, "deaths")][(cell(vp[0]), cell(vp[1]))] += 1


# --- match A: the original tracker ------------------------------------------------
MAP_A = next(r["map_path"] for r in maps if r["map_path"] == "obj/obj_team2")
REF_A = "match_sess_0.05_0.05"  # the original repeats it on every map load
# names unique to this run: players are global, and t90 replays the samples' names
U = stamp[-5:]
allies = ["^1Sgt^7Rock" + U, "Pvt Ryan" + U, "Cpl Upham" + U, "Doc & Co" + U]
axis = ["Hans" + U, "Fritz=Boss" + U, "Klaus" + U, "J\u00fcrgen" + U]
clean = lambda n: re.sub(r"\^[0-9]", "", n)
team_of = {n: "allies" for n in allies}
team_of.update({n: "axis" for n in axis})
loadout = {n: rng.choice(FIREARMS)["display_name"] for n in allies + axis}
grenade_of = {n: rng.choice(GRENADES)["display_name"] for n in allies + axis}
prefix_of = {r["display_name"]: r["viewmodel_prefix"].lower() for r in weapons}
last = {}
bodies_a = []
t = 0.05


def form(d):
    return "&".join("%s=%s" % kv for kv in d.items())


def send_a(typ, fields):
    global t
    t += rng.uniform(0.2, 3.0)
    d = {"type": typ, "match_id": REF_A, "timestamp": "%.2f" % t}
    d.update(fields)
    d["server_token"] = token
    d["server_id"] = "t91-label"
    bodies_a.append(d)
    types_sent[typ] += 1


send_a("match_start", {"session_id": "sess_0.05", "server_id": "t91-label", "map_name": MAP_A,
                       "gametype": "4", "timelimit": "20", "fraglimit": "0", "maxclients": "24"})
for n in allies + axis:
    send_a("connect", {"session_id": "sess_0.05", "client_num": "3", "player_name": n, "player_guid": team_of[n]})
    send_a("spawn", {"player_name": n, "player_guid": team_of[n], "team": team_of[n],
                     "pos_x": "%.2f" % pos(), "pos_y": "%.2f" % pos(), "pos_z": "64.0"})
rounds = 0
kills_a = 0
for step in range(90):
    a = rng.choice(allies + axis)
    if step % 30 == 0:
        rounds += 1
        send_a("heartbeat", {"session_id": "sess_0.05", "server_id": "t91-label", "map_name": MAP_A,
                             "round_number": str(rounds), "allies_score": str(rounds), "axis_score": str(rounds - 1),
                             "player_count": "8"})
    r = rng.random()
    if r < 0.35:
        w = loadout[a] if rng.random() < 0.8 else grenade_of[a]
        last[a] = prefix_of[w]
        send_a("weapon_fire", {"player_name": a, "player_guid": team_of[a], "weapon": w, "ammo_remaining": "7",
                               "pos_x": "%.2f" % pos(), "pos_y": "%.2f" % pos(), "pos_z": "0", "aim_pitch": "1.5",
                               "aim_yaw": "90"})
        exp["name:" + clean(a)]["shots"] += 1
        wexp[("name:" + clean(a), last[a])]["shots"] += 1
    elif r < 0.8:
        kind = "regular"
        roll = rng.random()
        foes = [x for x in allies + axis if team_of[x] != team_of[a]]
        mates = [x for x in allies + axis if team_of[x] == team_of[a] and x != a]
        v = rng.choice(foes)
        mod = rng.choice(["MOD_BULLET", "MOD_FAST_BULLET", "MOD_GRENADE", "MOD_BASH"])
        if roll < 0.06:
            kind, v = "teamkill", rng.choice(mates)
        elif roll < 0.10:
            kind, v, mod = "suicide", a, "MOD_FALLING"
        elif roll < 0.14:
            kind, mod = "world", "MOD_FALLING"
        loc = rng.choice(hitlocs)
        hl = loc["index"] if step % 2 else (loc["display_string"] or loc["index"])
        ap, vp = (pos(), pos()), (pos(), pos())
        fields = {}
        if kind == "world":
            fields.update(attacker_name="world", attacker_guid="world")
        else:
            fields.update(attacker_name=a, attacker_guid=team_of[a], attacker_team=team_of[a],
                          attacker_x="%.2f" % ap[0], attacker_y="%.2f" % ap[1], attacker_z="96.1",
                          attacker_pitch="4.2", attacker_yaw="271.5")
        fields.update(victim_name=v, victim_guid=team_of[v], victim_team=team_of[v],
                      victim_x="%.2f" % vp[0], victim_y="%.2f" % vp[1], victim_z="64.1",
                      weapon=mod, hitloc=hl, inflictor="player")
        send_a("kill", fields)
        send_a("death", {"player_name": v, "player_guid": team_of[v], "player_team": team_of[v],
                         "inflictor": "player", "pos_x": "%.2f" % vp[0], "pos_y": "%.2f" % vp[1], "pos_z": "64.1"})
        head = loc["index"] in ("0", "1")
        akey = None if kind == "world" else "name:" + clean(a)
        apply_kill("A", MAP_A, akey, "name:" + clean(v), mod[4:].lower(), head,
                   (float("%.2f" % ap[0]), float("%.2f" % ap[1])), (float("%.2f" % vp[0]), float("%.2f" % vp[1])),
                   last.get(a) if kind in ("regular", "teamkill") else None, kind)
        kills_a += 1
    else:
        extra = rng.choice(["jump", "land", "crouch", "prone", "chat", "reload", "weapon_change",
                            "ladder_mount", "item_pickup", "use", "distance", "damage", "weapon_hit"])
        f = {"player_name": a, "player_guid": team_of[a]}
        if extra == "chat":
            f["message"] = "gg & wp = %d%%" % step
        elif extra == "reload":
            f["weapon"] = loadout[a]
            last[a] = prefix_of[loadout[a]]
        elif extra == "weapon_change":
            f.update(old_weapon=grenade_of[a], new_weapon=loadout[a])
            last[a] = prefix_of[loadout[a]]
        elif extra == "item_pickup":
            f.update(item="Health", count="25")
        elif extra == "use":
            f["entity"] = "door"
        elif extra == "distance":
            f.update(walked="120.5", sprinted="30", driven="0")
        elif extra == "land":
            f["fall_height"] = "48"
        elif extra == "damage":
            v = rng.choice([x for x in allies + axis if team_of[x] != team_of[a]])
            f = {"victim_name": v, "victim_guid": team_of[v], "damage": "34", "weapon": "MOD_BULLET",
                 "attacker_name": a, "attacker_guid": team_of[a]}
            exp["name:" + clean(a)]["damage"] += 34
        elif extra == "weapon_hit":
            v = rng.choice([x for x in allies + axis if team_of[x] != team_of[a]])
            f.update(target_name=v, target_guid=team_of[v], hitloc=str(rng.randint(0, 18)))
            exp["name:" + clean(a)]["hits"] += 1
        elif extra in ("jump",):
            f.update(pos_x="1", pos_y="2", pos_z="3")
        send_a(extra, f)

sent_a = 0
for d in bodies_a:
    st, h, js = post(BASE_URL, "/api/v1/ingest/events", form(d), {"Content-Type": "application/x-www-form-urlencoded"})
    if st == 202:
        sent_a += 1
    else:
        ok(False, "match A event %s accepted" % d["type"], st, js)
ok(sent_a == len(bodies_a), "match A: all %d original form events answered 202" % len(bodies_a))

# --- match B: the later scripts, JSON batches, one player crossing thresholds -----
MAP_B = "dm/mohdm6"
REF_B = "match_b_" + stamp
B0 = 100000 + int(stamp) % 800000
ace, foes_b = "smf:%d" % B0, ["smf:%d" % (B0 + i) for i in range(1, 5)]
names_b = {ace: "^2Ace", **{f: "Foe %s" % f[4:] for f in foes_b}}
batch = [{"type": "match_start", "match_id": REF_B, "timestamp": "0.1", "map_name": MAP_B, "gametype": "1"}]
gt = 0.1
for f in [ace] + foes_b:
    batch.append({"type": "client_begin", "match_id": REF_B, "timestamp": str(gt), "player_name": names_b[f],
                  "player_guid": f[4:], "player_smf_id": f[4:], "player_team": "freeforall"})
batch.append({"type": "weapon_fire", "match_id": REF_B, "timestamp": "0.5", "player_name": names_b[ace],
              "player_guid": ace[4:], "player_smf_id": ace[4:], "weapon": "Thompson", "pos_x": "1", "pos_y": "1"})
exp[ace]["shots"] += 1
wexp[(ace, "thompson")]["shots"] += 1
streak = best = 0
for i in range(120):
    gt += 0.7
    v = foes_b[i % 4]
    head = i % 2 == 0  # 60 headshots
    ap, vp = (pos(), pos()), (pos(), pos())
    batch.append({"type": "player_kill", "match_id": REF_B, "timestamp": "%.1f" % gt,
                  "attacker_name": names_b[ace], "attacker_guid": ace[4:], "attacker_smf_id": ace[4:],
                  "attacker_team": "freeforall", "attacker_x": ap[0], "attacker_y": ap[1], "attacker_z": 10,
                  "victim_name": names_b[v], "victim_guid": v[4:], "victim_smf_id": v[4:], "victim_team": "freeforall",
                  "victim_x": str(vp[0]), "victim_y": str(vp[1]), "weapon": "Thompson", "mod": "MOD_FAST_BULLET",
                  "hitloc": "head" if head else "left_foot"})
    apply_kill("B", MAP_B, ace, v, "fast_bullet", head, ap, vp, "thompson", "regular", sent=True)
    streak += 1
    best = max(best, streak)
    if i == 40:  # one death ends a streak of 41; the best stays
        batch.append({"type": "player_kill", "match_id": REF_B, "timestamp": "%.1f" % (gt + 0.1),
                      "attacker_name": names_b[foes_b[0]], "attacker_guid": foes_b[0][4:],
                      "attacker_smf_id": foes_b[0][4:], "victim_name": names_b[ace], "victim_guid": ace[4:],
                      "victim_smf_id": ace[4:], "weapon": "MP40", "hitloc": 5})
        apply_kill("B", MAP_B, foes_b[0], ace, "fast_bullet", False, None, None, "mp40", "regular", sent=True)
        streak = 0
for b in (batch[:60], batch[60:]):
    st, h, js = post(BASE_URL, "/api/v1/ingest/events", json.dumps(b), HDR)
    ok(st == 202 and js["processed"] == len(b), "match B: a JSON batch of %d events is 202" % len(b), st, js)
st, h, js = post(BASE_URL, "/api/v1/ingest/match-result",
                 "match_id=%s&winning_team=draw&allies_score=0&axis_score=0&total_rounds=1" % REF_B, HDR)
ok(st == 202, "match B: match-result 202", st, js)

rc, out = ingest()
ok(rc == 0 and "events failed" in out and " 0 events failed" in out, "the ingest job wrote everything", out[-1500:])

# --- matches and rounds ---------------------------------------------------------
ma = psql("SELECT id, map_name, start_inferred, round, allies_score, axis_score, player_count, kills, events,"
          " ended_at IS NULL FROM mohaa.matches WHERE server_id = :'v1' AND match_ref = :'v2'", SID, REF_A)
ok(len(ma) == 1 and ma[0][1:] == [MAP_A, "f", str(rounds), str(rounds), str(rounds - 1), "8", str(kills_a),
                                   str(len(bodies_a)), "t"],
   "match A: map, rounds from heartbeats, scores, kills, events; still open", ma, rounds, kills_a, len(bodies_a))
MA = int(ma[0][0])
rr = psql("SELECT round, ended_at IS NOT NULL FROM mohaa.rounds WHERE match_id = :'v1' ORDER BY round", MA)
ok(rr == [[str(i), "t" if i < rounds else "f"] for i in range(1, rounds + 1)], "match A: rounds 1..%d" % rounds, rr)
mb = psql("SELECT id, map_name, ended_at IS NOT NULL, end_reason, winning_team, kills FROM mohaa.matches"
          " WHERE server_id = :'v1' AND match_ref = :'v2'", SID_B, REF_B)
ok(len(mb) == 1 and mb[0][1:] == [MAP_B, "t", "match_end", "draw", "121"], "match B: closed by match-result", mb)
MB = int(mb[0][0])

# --- players --------------------------------------------------------------------
keys = set(exp) | {"name:" + clean(n) for n in allies + axis}
problems = []
for k in sorted(keys):
    row = psql("SELECT kills, deaths, headshots, suicides, teamkills, damage, shots, hits FROM mohaa.players"
               " WHERE id = :'v1'", k)
    got = dict(zip(("kills", "deaths", "headshots", "suicides", "teamkills", "damage", "shots", "hits"),
                   map(int, row[0]))) if row else None
    want = {f: exp[k][f] for f in ("kills", "deaths", "headshots", "suicides", "teamkills", "damage", "shots", "hits")}
    if got != want:
        problems.append("%s: got %s want %s" % (k, got, want))
ok(not problems, "every player's totals as expected (%d players)" % len(keys), *problems)
want = sorted([["name:" + n + U, n + U] for n in ("SgtRock", "Doc & Co", "Fritz=Boss", "J\u00fcrgen")]
              + [[ace, "Ace"]])
names = psql("SELECT id, name FROM mohaa.players WHERE id = ANY(:'v1') ORDER BY id",
             "{" + ",".join('"%s"' % w[0] for w in want) + "}")
ok(names == sorted(want),
   "names with & = and non-ASCII kept, colour codes gone; the team in *_guid gave no shared id", names)
pm_bad = []
for (match, k), c in mexp.items():
    mid = MA if match == "A" else MB
    row = psql("SELECT kills, deaths FROM mohaa.player_matches WHERE match_id = :'v1' AND player_id = :'v2'", mid, k)
    if not row or [int(x) for x in row[0]] != [c["kills"], c["deaths"]]:
        pm_bad.append("%s %s: %s vs %s" % (match, k, row, dict(c)))
ok(not pm_bad, "per-match kills and deaths as expected", *pm_bad)
pt = psql("SELECT p.id, p.playtime_s, (SELECT sum(floor(extract(epoch FROM last_at)) - floor(extract(epoch FROM"
          " first_at))) FROM mohaa.player_matches pm WHERE pm.player_id = p.id), p.matches, (SELECT count(*) FROM"
          " mohaa.player_matches pm WHERE pm.player_id = p.id) FROM mohaa.players p WHERE p.id = ANY(:'v1')",
          "{" + ",".join('"%s"' % k for k in keys) + "}")
ok(pt and all(r[1] == r[2] and r[3] == r[4] for r in pt), "play time and match counts agree with the per-match rows",
   [r for r in pt if r[1] != r[2] or r[3] != r[4]])

# weapons: MOD-only kills got the killer's last fitting weapon
wbad = []
for (k, w), c in wexp.items():
    row = psql("SELECT kills, deaths, shots FROM mohaa.player_weapons WHERE player_id = :'v1' AND weapon = :'v2'", k, w)
    got = [int(x) for x in row[0]] if row else [0, 0, 0]
    if got != [c["kills"], c["deaths"], c["shots"]]:
        wbad.append("%s %s: got %s want %s" % (k, w, got, [c["kills"], c["deaths"], c["shots"]]))
ok(not wbad, "per-weapon kills, deaths and shots as expected (%d pairs)" % len(wexp), *wbad)
inferred = scalar("SELECT count(*) FROM mohaa.events WHERE match_id = :'v1' AND weapon_inferred", MA)
ok(int(inferred) > 0 and scalar("SELECT count(*) FROM mohaa.events WHERE match_id = :'v1' AND weapon_inferred", MB) == "0",
   "match A's kills named their weapon by inference (%s), match B's sent it" % inferred)

# heat maps through the API
hbad = []
for (mp, k, kind), cells in heat.items():
    if not cells:
        continue
    st, h, doc = get_json(BASE_URL + "/api/v1/stats/player/%s/heatmap/%s?kind=%s"
                          % (urllib.parse.quote(k, safe=""), mp, kind))
    got = {(p["x"], p["y"]): p["count"] for p in (doc or {}).get("points", [])}
    if st != 200 or got != dict(cells):
        hbad.append("%s %s %s: %s" % (mp, k, kind, st))
ok(not hbad, "every player's kill and death heat map cells as expected", *hbad)

# --- leaderboards: Redis and PostgreSQL give the same page -------------------------
order = sorted(((exp[k]["kills"], k) for k in keys), reverse=True)
st, h, lb = get_json(BASE_URL + "/api/v1/stats/leaderboard?limit=100")
mine = [e for e in lb["entries"] if e["player_id"] in keys]
ok(st == 200 and [e["player_id"] for e in mine] == [k for _, k in order] and mine[0]["player_id"] == ace
   and mine[0]["kills"] == 120 and mine[0]["value"] == 120, "global board: kills descending, Ace first", mine[:3])
pages = {}
for path in ("/api/v1/stats/leaderboard?limit=50", "/api/v1/stats/leaderboard?stat=kd&limit=50",
             "/api/v1/stats/leaderboard?stat=headshots&offset=2&limit=5", "/api/v1/stats/leaderboard/weekly",
             "/api/v1/stats/leaderboard/weapon/thompson", "/api/v1/stats/leaderboard/weapon/M1%20Garand",
             "/api/v1/stats/leaderboard/map/" + MAP_A, "/api/v1/stats/leaderboard/map/" + MAP_B):
    st, h, pages[path] = get_json(BASE_URL + path)
ok(all(p and p["source"] == "redis" for p in pages.values()), "the boards are read from Redis",
   [(k, p and p["source"]) for k, p in pages.items()])
rcli = ["redis-cli", "-u", os.environ["REDIS_URL"]]
subprocess.run(rcli + ["DEL", "gw:mohaa:lb:ready"], capture_output=True)
same = []
for path, p in pages.items():
    st, h, q = get_json(BASE_URL + path)
    p2 = dict(p, source="postgres")
    if q != p2:
        same.append("%s:\n redis %s\n pg    %s" % (path, json.dumps(p)[:300], json.dumps(q)[:300]))
ok(not same, "without the ready flag every board comes from PostgreSQL, identical", *same)
rc, out = ingest()
st, h, again = get_json(BASE_URL + "/api/v1/stats/leaderboard?limit=50")
ok(again["source"] == "redis" and dict(again, source="x") == dict(pages["/api/v1/stats/leaderboard?limit=50"], source="x"),
   "the ingest job rebuilt the sets: Redis again, the same page")
wk = pages["/api/v1/stats/leaderboard/weekly"]
ok(any(e["player_id"] == ace and e["value"] == 120 for e in wk["entries"]), "weekly board: this week's kills", wk["key"])
st, h, e = get_json(BASE_URL + "/api/v1/stats/leaderboard/weekly?week=2024-02-30")
ok(st == 400, "weekly board: an impossible date is a 400", st)
ok(pages["/api/v1/stats/leaderboard/weapon/M1%20Garand"]["key"] == "garand", "weapon board by display name")
st, h, e = get_json(BASE_URL + "/api/v1/stats/leaderboard/weapon/raygun")
ok(st == 404, "unknown weapon: 404", st)

# --- achievements: all crossed inside one batch -------------------------------------
ach = [r[0] for r in psql("SELECT achievement_id FROM mohaa.player_achievements WHERE player_id = :'v1'"
                          " ORDER BY achievement_id", ace)]
ok(ach == ["HEADSHOT_50", "KILLSTREAK_10", "KILLSTREAK_15", "KILLSTREAK_5", "KILL_100"],
   "Ace unlocked KILL_100, HEADSHOT_50 and the three streaks, not KILL_500", ach)
st, h, p = get_json(BASE_URL + "/api/v1/stats/player/" + ace)
ok(st == 200 and p["best_streak"] == best and p["points"] == 10 + 15 + 20 + 50 + 100 and p["kills"] == 120
   and p["headshots"] == 60 and len(p["achievements"]) == 5, "player stats: streak, points, achievements", p)

# --- timeline, match, live, server --------------------------------------------------
st, h, tl = get_json(BASE_URL + "/api/v1/stats/match/%d/timeline?all=1&limit=1000" % MA)
ok(st == 200 and tl["total"] == len(bodies_a) and [e["type"] for e in tl["events"]] ==
   [{"spawn": "spawn"}.get(d["type"], d["type"]) for d in bodies_a],
   "match A's timeline: every event in the order sent", st, tl and tl["total"])
st, h, tl2 = get_json(BASE_URL + "/api/v1/stats/match/%d/timeline" % MA)
ok(tl2["total"] == sum(1 for d in bodies_a if d["type"] in ("match_start", "kill", "connect", "chat")),
   "the default timeline keeps kills, joins and chat", tl2["total"])
chat = [e for e in tl["events"] if e["type"] == "chat"]
ok(all(re.fullmatch(r"gg & wp = \d+%", e["message"]) for e in chat), "chat lines whole in the timeline")
st, h, live = get_json(BASE_URL + "/api/v1/stats/live")
ids = [m["match_id"] for m in live["matches"]]
ok(MA in ids and MB not in ids, "live: the open match with a recent heartbeat, not the ended one", ids)
st, h, sv = get_json(BASE_URL + "/api/v1/stats/server/%d" % SID)
ok(st == 200 and sv["name"] == NAME and sv["label"] == "t91-label" and sv["open_match"]["match_id"] == MA
   and sv["matches"] == 1 and sv["kills"] == kills_a, "server stats", sv)
st, h, sv2 = get_json(BASE_URL + "/api/v1/stats/server/" + NAME)
ok(st == 200 and sv2["server_id"] == SID, "server by name")

# --- pages: the heat maps are drawn on the server -----------------------------------
st, h, body = http(BASE_URL + "/mohaa/players/%s/heatmap/%s" % (urllib.parse.quote(ace, safe=""), MAP_B))
page = body.decode()
cells_b = len(heat[(MAP_B, ace, "kills")])
ok(st == 200 and page.count("<svg") == 2 and len(re.findall(r"<rect [^>]*><title>x ", page)) == cells_b +
   len(heat[(MAP_B, ace, "deaths")]) and "<script" not in page.split("</head>")[1] and " style=" not in page,
   "the heat map page: two SVGs, one square per cell, no script or inline style", st, cells_b)
for path, needle in (("/mohaa/", "Ace"), ("/mohaa/matches/%d" % MA, "SgtRock" + U),
                     ("/mohaa/players/" + ace, "First Blood Hunter"), ("/mohaa/maps/" + MAP_A, "V2 Rocket Facility"),
                     ("/mohaa/leaderboard?board=weapon&key=thompson", "Ace"), ("/mohaa/servers/%d" % SID, NAME),
                     ("/mohaa/achievements", "Century")):
    st, h, body = http(BASE_URL + path)
    ok(st == 200 and needle in body.decode(), "page %s shows %s" % (path, needle), st)
st, h, body = http(BASE_URL + "/mohaa/players/" + urllib.parse.quote("name:Doc & Co" + U, safe=""))
ok(st == 200 and "Doc &amp; Co" in body.decode(), "a name with & is escaped on its page", st)
st, h, svg = http(BASE_URL + "/api/v1/stats/player/%s/heatmap/%s?format=svg" % (ace, MAP_B))
ok(st == 200 and h.get("content-type", "").startswith("image/svg+xml") and svg.startswith(b"<svg"),
   "the heat map as an SVG image", st, h.get("content-type"))
done()
