"""t30: the JSON API and the pages answer the same through lighttpd, Apache
mod_proxy_fcgi and mod_fcgid: the current lobby and its filters, a session by
id (JSON and page), 404/400/405 JSON errors, the per-minute history summary,
and /healthz."""
import gzip
import os
import urllib.parse

from gwtest import DATA, done, get_json, html_escape, http, ok, poll_file, scalar, servers

def field(s, path):
    for k in path:
        s = s[k]
    return s


CAPTURE = os.path.join(DATA, "lobby", "iondriver-proxy_2024-09-15_Nielk1-MultiplayerSessionList-mock.json")
rc, out = poll_file(CAPTURE)
ok(rc == 0, "poll the IonDriver capture", out)
POLL_MINUTE = scalar("SELECT to_char(date_trunc('minute', max(taken_at) AT TIME ZONE 'UTC'),"
                     " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM bzcc.polls")

for name, url in servers():
    status, headers, doc = get_json(url + "/api/v1/sessions/current")
    ok(status == 200 and headers.get("content-type", "").startswith("application/json"),
       "%s: current is 200 application/json" % name)
    # the rest of this server's checks need the document: a body that is
    # not JSON is a failure of its own, not a reason to skip them quietly
    if not ok(isinstance(doc, dict) and isinstance(doc.get("sessions"), list),
              "%s: current is a JSON object with a sessions list" % name, status):
        continue
    sessions = doc["sessions"]
    ok(len(sessions) == 4 and doc["totals"]["sessions"] == 4,
       "%s: the IonDriver capture's 4 real games (placeholder skipped)" % name, doc["totals"])
    body_len = len(http(url + "/api/v1/sessions/current")[2])
    if name == "apache-proxy-fcgi":
        # mod_proxy_fcgi re-frames the response (chunked) and drops the
        # app's Content-Length; what must hold is that the body is whole.
        ok(body_len == len(http(servers()[0][1] + "/api/v1/sessions/current")[2]),
           "%s: the whole body arrives (same length as through lighttpd)" % name)
    else:
        ok(int(headers.get("content-length", -1)) == body_len, "%s: exact Content-Length" % name)

    # gzip for clients that accept it (same JSON once inflated), and an ETag
    # naming the lobby version: a matching If-None-Match gets a 304
    st, h, plain = http(url + "/api/v1/sessions/current")
    st2, h2, packed = http(url + "/api/v1/sessions/current", headers={"Accept-Encoding": "gzip"})
    ok(st2 == 200 and h2.get("content-encoding") == "gzip"
       and gzip.decompress(packed) == plain and len(packed) < len(plain),
       "%s: gzip-encoded when accepted, identical once inflated" % name,
       h2.get("content-encoding"), len(packed), len(plain))
    ok("accept-encoding" in h.get("vary", "").lower(), "%s: Vary: Accept-Encoding" % name)
    etag = h.get("etag")
    st3, h3, body3 = http(url + "/api/v1/sessions/current", headers={"If-None-Match": etag or "x"})
    ok(etag and st3 == 304 and body3 == b"", "%s: If-None-Match with the ETag is a 304" % name, etag, st3)
    st4, _, _ = http(url + "/api/v1/sessions/current", headers={"If-None-Match": '"lobby-0-0"'})
    ok(st4 == 200, "%s: a different ETag gets the full body" % name)

    # filters: each state / mode / mod filter keeps exactly the matching sessions
    for key, path in (("state", ("state",)), ("mode", ("game_mode", "name")), ("mod", ("mod", "id"))):
        values = sorted(set(field(s, path) for s in sessions))
        for value in values:
            want = sorted(s["id"] for s in sessions if field(s, path) == value)
            st, _, f = get_json(url + "/api/v1/sessions/current?" +
                                urllib.parse.urlencode({key: value}))
            got = sorted(s["id"] for s in f["sessions"]) if f else None
            ok(st == 200 and got == want and f["matched"] == len(want),
               "%s: filter %s=%s keeps %d sessions" % (name, key, value, len(want)),
               "got %s" % got)
    player = sessions[0]["players"][-1]["name"]
    st, _, f = get_json(url + "/api/v1/sessions/current?" + urllib.parse.urlencode({"q": player.upper()}))
    ok(st == 200 and f and any(p["name"] == player for s in f["sessions"] for p in s["players"]),
       "%s: free-text q finds a player name case-insensitively" % name)
    st, _, f = get_json(url + "/api/v1/sessions/current?min_players=5")
    ok(st == 200 and f and all(s["player_count"] >= 5 for s in f["sessions"])
       and f["matched"] == sum(1 for s in sessions if s["player_count"] >= 5),
       "%s: min_players filter" % name)
    for bad in ("state=playing", "min_players=lots", "min_players=-1", "q=" + "x" * 101):
        st, h, e = get_json(url + "/api/v1/sessions/current?" + bad)
        ok(st == 400 and e and e.get("error") and "detail" in e,
           "%s: %s is a 400 with a JSON error" % (name, bad.split("=")[0]), st, e)

    # one session: JSON and page
    s0 = sessions[0]
    quoted = urllib.parse.quote(s0["id"], safe="")
    st, _, one = get_json(url + "/api/v1/sessions/" + quoted)
    ok(st == 200 and one and one["id"] == s0["id"] and one["ended_at"] is None
       and len(one["roster"]) == len(s0["players"]),
       "%s: /api/v1/sessions/{id} returns the session with its roster" % name)
    st, h, body = http(url + "/bzcc/sessions/" + quoted)
    page = body.decode("utf-8", "replace")
    ok(st == 200 and html_escape(s0["name"]) in page
       and all(html_escape(p["name"]) in page for p in s0["players"]),
       "%s: /sessions/{id} page shows the session and every player" % name)
    st, _, e = get_json(url + "/api/v1/sessions/Rebellion:ffffffffffffffff")
    ok(st == 404 and e and e["error"] == "session not found", "%s: unknown id is a 404 JSON error" % name, st, e)
    st, h, body = http(url + "/sessions/Rebellion:ffffffffffffffff")
    ok(st == 404 and h.get("content-type", "").startswith("text/html"),
       "%s: unknown session page is a 404 page" % name)
    st, _, e = get_json(url + "/api/v1/no-such-resource")
    ok(st == 404 and e and "error" in e, "%s: unknown API path is a 404 JSON error" % name)
    st, h, e = get_json(url + "/api/v1/sessions/current")
    st2, h2, _ = http(url + "/api/v1/sessions/current", method="POST")
    ok(st2 == 405 and "GET" in h2.get("allow", ""), "%s: POST is 405 with Allow" % name, st2)
    st, h, body = http(url + "/api/v1/sessions/current", method="HEAD")
    ok(st == 200 and body == b"" and h.get("content-type", "").startswith("application/json")
       and (name == "apache-proxy-fcgi" or int(h.get("content-length", 0)) > 0),
       "%s: HEAD has headers and no body" % name, h)

    # history summary: per-minute points; the minute of our polls has counts
    st, _, summ = get_json(url + "/api/v1/history/summary")
    ok(st == 200 and summ and summ["minutes"] == 60 and len(summ["points"]) == 60,
       "%s: summary defaults to 60 one-minute points" % name)
    if summ:
        # the minute of our poll (not the last point: the clock may have
        # moved on to the next minute since, under ASan easily)
        point = [p for p in summ["points"] if p["minute"] == POLL_MINUTE]
        ok(len(point) == 1 and point[0]["polls"] >= 1 and point[0]["sessions"] is not None
           and point[0]["sessions"] >= 1,
           "%s: the minute of our poll counts our polls and sessions" % name,
           POLL_MINUTE, point or summ["points"][-3:])
    st, _, summ = get_json(url + "/api/v1/history/summary?minutes=5")
    ok(st == 200 and summ and len(summ["points"]) == 5, "%s: summary?minutes=5" % name)
    for bad in ("0", "10081", "abc"):
        st, _, e = get_json(url + "/api/v1/history/summary?minutes=" + bad)
        ok(st == 400 and e and "error" in e, "%s: summary?minutes=%s is 400" % (name, bad))

    st, _, hz = get_json(url + "/healthz")
    ok(st == 200 and hz and hz["database"] is True and hz["redis"] is True
       and hz["status"] == "ok" and hz["problems"] == [] and hz["poll"]["stale"] is False,
       "%s: /healthz reports database, redis and a fresh poll" % name, hz)

    # security headers on pages
    st, h, _ = http(url + "/")
    ok("default-src 'self'" in h.get("content-security-policy", "")
       and h.get("x-content-type-options") == "nosniff",
       "%s: pages carry CSP and nosniff" % name)
done()
