"""t98: the Team Picker, played through the API between the two commanders
of a real capture: the "vsr" game of
tests/data/bzcc/msl-api-v1/2024-08-30_data.json, led by "-=JabbA=- *p0p*"
(team 1) and Graves (team 2), with eight more players.

Each commander is a signed-in account with that player's Steam identity.
Checked: who may act (nobody signed in: 401; without the CSRF token: 403; a
signed-in player who is not a leader: 403), the coin toss (once; both
outcomes occur over repeated tosses), a whole pick in turns with the
out-of-turn commander's pick, a double pick, a commander picked, a
stranger picked and a malformed player refused (409/400, nothing stored),
two picks sent at the same instant (one wins), the form fallback (303),
finalize by both, the public GET and page at every step, the roster
matching the in-game teams once the lobby moves to it (the card says so),
and the picker read-only once the session is over."""
import json
import os
import re
import tempfile
import threading
import urllib.parse

from gwtest import (DATA, Browser, done, load, make_user, ok, poll_file, psql, scalar,
                    session_token)

CAPTURE = os.path.join(DATA, "msl-api-v1", "2024-08-30_data.json")
JABBA, GRAVES, SEV = "76561197996696789", "76561197970538803", "76561199653748651"
TMP = tempfile.mkdtemp(prefix="t98-")

rc, out = poll_file(CAPTURE)
ok(rc == 0, "poll the 2024-08-30 capture", out)
sid = scalar("SELECT id FROM bzcc.sessions WHERE name = 'vsr' AND ended_at IS NULL")
q = urllib.parse.quote(sid, safe="")
API = "/api/v1/team_picker/" + q
PAGE = "/bzcc/sessions/%s/team-picker" % q


def owner(steam, name):
    """The account holding this Steam identity (an earlier test may have
    made it), else a new one."""
    uid = scalar("SELECT user_id FROM user_identities WHERE provider = 'steam' AND external_id = :'v1'", steam)
    return int(uid) if uid else make_user(name, identities=[("steam", steam)])


def browser(uid):
    b = Browser(session=session_token(uid))
    return b, b.csrf("/account")


jb, jt = browser(owner(JABBA, "JabbA"))
gb, gt = browser(owner(GRAVES, "Graves"))
vb, vt = browser(owner(SEV, "Sev"))


def act(who, action, player=None, token=None):
    b, t = who
    body = {"player_id": player} if player else {}
    st, h, raw = b.post("%s/%s" % (API, action), json_body=body,
                        headers={"X-CSRF-Token": t if token is None else token})
    try:
        return st, json.loads(raw)
    except ValueError:
        return st, {"raw": raw[:200]}


def state():
    st, h, raw = Browser().get(API)
    return json.loads(raw)


def picks():
    return int(scalar("SELECT count(*) FROM bzcc.team_pick_picks k JOIN bzcc.team_pick_sessions t"
                      " ON t.id = k.pick_session_id WHERE t.session_id = :'v1' AND t.state <> 'canceled'", sid))


J, G, V = (jb, jt), (gb, gt), (vb, vt)
doc = state()
ok((doc["picker"] is None or doc["picker"]["phase"] in ("final", "canceled")) and doc["can_start"]
   and doc["live"] and len(doc["lobby"]) == 10,
   "before a start: no picker under way, ten players in the lobby, it can start", doc)
was = doc["picker"]

# ---- who may act ------------------------------------------------------------------
st, h, raw = Browser().post(API + "/start", json_body={})
ok(st == 401, "nobody signed in: 401", st)
st, body = act(J, "start", token="")
ok(st == 403 and state()["picker"] == was, "no CSRF token: 403, nothing changed", st, body)
st, body = act(V, "start")
ok(st == 403 and "team leaders" in body.get("detail", ""), "a player who is not a leader cannot start (403)", st, body)
st, body = act(J, "coin_toss")
ok(st == 409, "nothing to toss before a start (409)", st, body)

# ---- start, toss ----------------------------------------------------------------------
st, body = act(G, "start")
p = body.get("picker") or {}
ok(st == 200 and p.get("phase") == "toss" and [c["player_id"] for c in p["commanders"]]
   == ["steam:" + JABBA, "steam:" + GRAVES] and [c["name"] for c in p["commanders"]] == ["-=JabbA=- *p0p*", "Graves"],
   "Graves starts: JabbA commands team 1, Graves team 2", st, body)
st, body = act(J, "pick", "steam:" + SEV)
ok(st == 409 and picks() == 0, "no pick before the toss (409)", st, body)
st, body = act(V, "coin_toss")
ok(st == 403, "a viewer cannot toss (403)", st)

# the toss: both outcomes over repeated starts (all equal by chance: 2^-29)
firsts = []
for i in range(30):
    act(J if i % 2 else G, "start")
    st, body = act(J, "coin_toss")
    firsts.append((body.get("picker") or {}).get("first_pick_team"))
ok(set(firsts) == {1, 2} and all(f in (1, 2) for f in firsts),
   "30 tosses: both teams won some (%d for team 1)" % firsts.count(1), firsts)
st, body = act(G, "coin_toss")
ok(st == 409, "a second toss of the same picker is refused (409)", st, body)
ok(scalar("SELECT count(*) FROM bzcc.team_pick_sessions WHERE session_id = :'v1' AND state = 'open'", sid) == "1",
   "restarting closed the earlier pickers: one open")

# ---- the whole pick ---------------------------------------------------------------------
doc = state()
p = doc["picker"]
first = p["first_pick_team"]
cmd = {1: J, 2: G}
order = [x["player_id"] for x in doc["lobby"] if x["commander_team"] is None]
ok(len(order) == 8 and p["turn_team"] == first and p["remaining"] == 8, "eight players to pick, the toss winner first",
   p, order)
problems = []
for i, player in enumerate(order):
    turn = state()["picker"]["turn_team"]
    n = picks()
    st, body = act(cmd[3 - turn], "pick", player)
    if st != 409 or "other commander's turn" not in body.get("detail", "") or picks() != n:
        problems.append("out of turn %d: %d %s" % (i, st, body))
    if i == 3:
        # two picks at the same instant by the commander on turn: one wins
        res = []
        two = [x for x in order[i:i + 2]]
        ths = [threading.Thread(target=lambda pl=pl: res.append(act(cmd[turn], "pick", pl)[0])) for pl in two]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
        if sorted(res) != [200, 409] or picks() != n + 1:
            problems.append("concurrent: %s, %d picks" % (res, picks()))
        ok(sorted(res) == [200, 409], "two picks sent at once by the commander on turn: one is taken, one refused", res)
        taken = state()["picker"]["picks"][-1]["player_id"]
        order[i:i + 2] = [taken, [x for x in two if x != taken][0]]
        continue
    st, body = act(cmd[turn], "pick", player)
    if st != 200 or body["picker"]["picks"][-1]["player_id"] != player or body["picker"]["picks"][-1]["team"] != turn:
        problems.append("pick %d: %d %s" % (i, st, body))
    if i == 1:
        n = picks()
        nxt = 3 - turn
        for bad, want, why in ((order[0], 409, "picked already"), ("steam:" + JABBA, 409, "commander"),
                               ("steam:76561190000000001", 409, "not in the lobby"), ("steam:abc", 400, "")):
            st, body = act(cmd[nxt], "pick", bad)
            ok(st == want and why in body.get("detail", "") and picks() == n,
               "picking %s is refused (%d: %s)" % (bad, want, why or "malformed"), st, body)
ok(not problems, "eight picks in turns; each out-of-turn pick refused with nothing stored", *problems)
doc = state()
p = doc["picker"]
ok(p["remaining"] == 0 and [k["team"] for k in p["picks"]] == [first, 3 - first] * 4
   and [k["order"] for k in p["picks"]] == list(range(8)),
   "the picks alternate from the toss winner", p["picks"])
rows = psql("SELECT order_index, team_id, player_id FROM bzcc.team_pick_picks WHERE pick_session_id = :'v1'"
            " ORDER BY order_index", str(p["id"]))
ok([int(r[1]) for r in rows] == [k["team"] for k in p["picks"]] and len({r[2] for r in rows}) == 8,
   "stored in order, each player once", rows)
st, body = act(cmd[p["turn_team"]], "pick", order[0])
ok(st == 409 and "every player is picked" in body.get("detail", "").lower(), "no ninth pick", st, body)

# ---- the page, for everyone ------------------------------------------------------------
st, h, page = Browser().get(PAGE)
ok(st == 200 and page.count(b'class="tp-pick tp-team-') == 8 and b"/pick" not in page and h.get("cache-control") == "no-store",
   "the page shows the eight picks to a visitor, with no pick buttons", st)
st, h, page = vb.get(PAGE)
ok(st == 200 and b"You watch this pick" in page and b"coin_toss" not in page, "a signed-in viewer: read-only", st)
st, h, page = jb.get(PAGE)
ok(st == 200 and b"Accept the roster" in page and b"Toss the coin" in page, "a commander sees the actions", st)

# ---- finalize (also through the form, as without JavaScript) ------------------------------
st, body = act(V, "finalize")
ok(st == 403, "a viewer cannot accept (403)", st)
st, h, raw = jb.post(API + "/finalize", {"csrf_token": jt})
ok(st == 303 and urllib.parse.unquote(h.get("location", "")) == urllib.parse.unquote(PAGE),
   "a form post answers 303 back to the page", st, h)
st, body = act(J, "finalize")
ok(st == 409 and "accepted this roster already" in body.get("detail", ""), "accepting twice: 409", st, body)
ok(state()["picker"]["phase"] == "picking", "one acceptance is not final")
st, body = act(G, "finalize")
p = body.get("picker") or {}
ok(st == 200 and p.get("state") == "final" and p.get("phase") == "final" and p.get("closed_at"),
   "both accepted: final", st, body)
ok(p.get("roster_matches") is False, "the in-game teams are not the roster yet", p.get("roster_matches"))
st, body = act(J, "pick", order[0])
ok(st == 409, "a final picker takes no pick", st)
ok(psql("SELECT role FROM bzcc.team_pick_participants WHERE pick_session_id = :'v1' ORDER BY role", str(p["id"]))
   == [["commander1"], ["commander2"]], "both commanders are recorded as participants")

# ---- the lobby moves to the roster: the card says so --------------------------------------
doc = load(CAPTURE)
game = [s for s in doc["Sessions"] if s["Name"] == "vsr"][0]
slots = {1: iter([2, 3, 4, 5]), 2: iter([7, 8, 9, 10])}
team_of = {k["player_id"].split(":")[1]: k["team"] for k in p["picks"]}
for pl in game["Players"]:
    steam = pl["IDs"]["Steam"]["ID"]
    if steam in team_of:
        slot = next(slots[team_of[steam]])
        pl["IDs"]["Slot"] = {"ID": slot}
        pl["Team"] = {"ID": str(team_of[steam]), "SubTeam": {"ID": str(slot)}}
moved = os.path.join(TMP, "2024-08-30_data-picked-teams.json")
with open(moved, "w") as f:
    json.dump(doc, f)
rc, out = poll_file(moved)
doc2 = state()
ok(rc == 0 and doc2["picker"]["roster_matches"] is True, "the lobby's teams equal the roster: roster_matches",
   rc, [(x["name"], x["team"], x["picked_team"]) for x in doc2["lobby"]])
st, h, page = Browser().get(PAGE)
ok(b"The teams in game match the picked roster." in page, "and the picker card says so")

# ---- session over ------------------------------------------------------------------------
others = load(CAPTURE)
others["Sessions"] = [s for s in others["Sessions"] if s["Name"] != "vsr"]
gone = os.path.join(TMP, "2024-08-30_data-without-vsr.json")
with open(gone, "w") as f:
    json.dump(others, f)
rc, out = poll_file(gone)
st, body = act(G, "start")
doc3 = state()
ok(st == 409 and "over" in body.get("detail", "") and doc3["live"] is False and doc3["picker"]["phase"] == "final",
   "once the session is over the picker is read-only (409), still shown", st, body)
ok(Browser().get("/api/v1/team_picker/Rebellion%3Affffffffffffffff")[0] == 404, "an unknown session: 404")
done()
