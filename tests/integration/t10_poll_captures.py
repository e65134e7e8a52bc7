"""t10: every real capture, polled through file://, reaches the database,
the cached view, the JSON API and the HTML page intact.

Expected values come from the captures themselves (MSL) or from the decode
oracle (raw RakNet, names decoded independently of our C code)."""
import glob
import os
import re

from gwtest import (BASE_URL, DATA, done, expected_from_msl, expected_from_raw,
                    get_json, html_escape, http, ok, poll_file, psql, scalar)

RAW = [
    ("lobby/iondriver-proxy_2024-09-15_Nielk1-MultiplayerSessionList-mock.json",
     "iondriver-proxy_2024-09-15_Nielk1-MultiplayerSessionList-mock.json"),
    ("lobby/rebellion-direct_2022-12_frute94-BZCC-Scanner.json",
     "rebellion-direct_2022-12_frute94-BZCC-Scanner.json"),
]
MSL = sorted(glob.glob(os.path.join(DATA, "msl-api-v1", "*.json")))


def check_capture(label, path, expected):
    snaps_before = int(scalar("SELECT count(*) FROM bzcc.session_snapshots"))
    rc, out = poll_file(path)
    ok(rc == 0, "%s: poll-bzcc --once exits 0" % label, out)
    ok("poll ok: %d sessions" % len(expected) in out,
       "%s: job logs %d sessions" % (label, len(expected)), out)

    # JSON API
    status, _, doc = get_json(BASE_URL + "/api/v1/sessions/current")
    ok(status == 200 and doc is not None, "%s: /api/v1/sessions/current is 200 JSON" % label)
    if not doc:
        return
    got_nats = sorted(s["nat_id"] for s in doc["sessions"])
    want_nats = sorted(e["nat_id"] for e in expected)
    ok(got_nats == want_nats, "%s: API lists exactly the capture's sessions" % label,
       "got %s" % got_nats, "want %s" % want_nats)
    by_nat = {s["nat_id"]: s for s in doc["sessions"]}
    name_ok = all(by_nat.get(e["nat_id"], {}).get("name") == e["name"] for e in expected)
    ok(name_ok, "%s: session names decoded as expected" % label,
       *["%s: got %r want %r" % (e["nat_id"], by_nat.get(e["nat_id"], {}).get("name"), e["name"])
         for e in expected if by_nat.get(e["nat_id"], {}).get("name") != e["name"]])
    players_ok = all(sorted(p["name"] for p in by_nat.get(e["nat_id"], {}).get("players", []))
                     == sorted(e["players"]) for e in expected)
    ok(players_ok, "%s: every player present with the expected name" % label)
    if "id" in expected[0]:
        ok(sorted(s["id"] for s in doc["sessions"]) == sorted(e["id"] for e in expected),
           "%s: session ids are <source>:<guid hex16>" % label)
    total_players = sum(len(e["players"]) for e in expected)
    ok(doc["totals"] == {"sessions": len(expected), "players": total_players},
       "%s: totals %d sessions, %d players" % (label, len(expected), total_players),
       doc["totals"])

    # database rows
    live = int(scalar("SELECT count(*) FROM bzcc.sessions WHERE ended_at IS NULL"))
    ok(live == len(expected), "%s: %d live rows in bzcc.sessions" % (label, len(expected)), live)
    present = int(scalar("SELECT count(*) FROM bzcc.session_players sp JOIN bzcc.sessions s"
                         " ON s.id = sp.session_id WHERE s.ended_at IS NULL AND sp.left_at IS NULL"))
    distinct_players = sum(len(set(p["platform_id"] or "pos:%d" % p["position"]
                                   for p in s["players"])) for s in doc["sessions"])
    ok(present == distinct_players, "%s: present players in bzcc.session_players" % label,
       "%d rows, %d expected" % (present, distinct_players))
    snaps_after = int(scalar("SELECT count(*) FROM bzcc.session_snapshots"))
    ok(snaps_after - snaps_before == len(expected),
       "%s: one snapshot row per live session" % label,
       "%d new rows" % (snaps_after - snaps_before))

    # HTML page
    status, headers, body = http(BASE_URL + "/bzcc/")
    html = body.decode("utf-8", "replace")
    ok(status == 200 and headers.get("content-type", "").startswith("text/html"),
       "%s: /bzcc/ is 200 text/html" % label)
    cards = len(re.findall(r'class="session-card[ "]', html))
    ok(cards == len(expected), "%s: one card per session on /bzcc/" % label,
       "%d cards" % cards)
    missing = [e["name"] for e in expected if e["name"] and html_escape(e["name"]) not in html]
    ok(not missing, "%s: every session name on / (HTML-escaped)" % label, *missing)
    missing = [p for e in expected for p in e["players"] if p and html_escape(p) not in html]
    ok(not missing, "%s: every player name on / (HTML-escaped)" % label, *missing)
    raw_specials = [e["name"] for e in expected
                    if any(c in e["name"] for c in "<>'\"&") and e["name"] in html]
    ok(not raw_specials, "%s: no name with < > ' \" & appears unescaped" % label, *raw_specials)


for rel, suffix in RAW:
    check_capture(os.path.basename(rel), os.path.join(DATA, rel), expected_from_raw(
        os.path.join(DATA, rel), suffix))

# Polling the same capture twice keeps each session's start, state start and
# identity, adds snapshots, and ends nothing.
path = os.path.join(DATA, RAW[1][0])
before = psql("SELECT id, first_seen_at, state_since FROM bzcc.sessions"
              " WHERE ended_at IS NULL ORDER BY id")
rc, out = poll_file(path)
after = psql("SELECT id, first_seen_at, state_since FROM bzcc.sessions"
             " WHERE ended_at IS NULL ORDER BY id")
ok(rc == 0 and before == after,
   "re-poll: first_seen_at and state_since kept while the state is unchanged",
   "before %s" % before, "after %s" % after)

# The raw captures' sessions end when the MSL captures replace them.
prev_live = set(r[0] for r in psql("SELECT id FROM bzcc.sessions WHERE ended_at IS NULL"))
for i, path in enumerate(MSL):
    check_capture(os.path.basename(path), path, expected_from_msl(path))
    if i == 0:
        ended = set(r[0] for r in psql("SELECT id FROM bzcc.sessions WHERE ended_at IS NOT NULL"))
        ok(prev_live <= ended, "sessions that disappeared got ended_at",
           "not ended: %s" % sorted(prev_live - ended))
        open_players = int(scalar(
            "SELECT count(*) FROM bzcc.session_players sp JOIN bzcc.sessions s"
            " ON s.id = sp.session_id WHERE s.ended_at IS NOT NULL AND sp.left_at IS NULL"))
        ok(open_players == 0, "players of ended sessions have left_at", open_players)

ok(len(MSL) >= 5, "at least five MSL responses were polled", len(MSL))
total_polls = int(scalar("SELECT count(*) FROM bzcc.polls WHERE ok"))
ok(total_polls >= len(RAW) + 1 + len(MSL), "every poll is logged in bzcc.polls", total_polls)
done()
