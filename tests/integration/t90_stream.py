"""t90: Server-Sent Events through lighttpd, Apache mod_proxy_fcgi (and the
mod_fcgid set-up's proxy line): several clients get the snapshot of the live
lobby, every one of them gets the minimal patch after a poll of a changed
capture, Last-Event-ID resumes without a snapshot, rooms, Origin, errors."""
import json
import os
import subprocess
import time

from gwtest import DATA, done, get_json, http, ok, poll_file, servers
from sse import Client, merge_apply, pump_all, replay, strip_nulls

CAPS = [os.path.join(DATA, "msl-api-v1", f) for f in
        ("2024-10-25_lobby-7.json", "2024-10-25_lobby-7-hidden.json",
         "2024-09-14_data-7-players.json", "2025-04-09_six.json")]
APP_BASE_URL = os.environ.get("APP_BASE_URL", "")
N_CLIENTS = 5
cap_i = 0


def poll_next():
    """Poll the next capture of CAPS (cycling); return the API document."""
    global cap_i
    path = CAPS[cap_i % len(CAPS)]
    cap_i += 1
    rc, out = poll_file(path)
    ok(rc == 0, "poll %s" % os.path.basename(path), out)
    return get_json(servers()[0][1] + "/api/v1/sessions/current")[2]


def keyed(api_doc):
    """The "sessions" room document expected from an API document."""
    return {
        "order": [s["id"] for s in api_doc["sessions"]],
        "sessions": {s["id"]: strip_nulls(s) for s in api_doc["sessions"]},
    }


def same_sessions(room_doc, api_doc):
    """Does a room document hold exactly the API document's sessions, field by field
    (the API adds no field the poller did not store, but it computes poll.stale)?"""
    want = keyed(api_doc)
    return (room_doc and room_doc.get("order") == want["order"]
            and room_doc.get("sessions") == want["sessions"])


def cur_api():
    return get_json(servers()[0][1] + "/api/v1/sessions/current")[2]


before = poll_next()
for name, url in servers():
    stream = url + "/api/v1/stream/sessions"
    clients = [Client(stream) for _ in range(N_CLIENTS)]
    c0 = clients[0]
    ok(all(c.status == 200 for c in clients)
       and all(c.headers.get("content-type", "").startswith("text/event-stream") for c in clients),
       "%s: %d clients get 200 text/event-stream" % (name, N_CLIENTS),
       [c.status for c in clients], c0.headers)
    ok(c0.headers.get("cache-control") == "no-store", "%s: Cache-Control: no-store" % name,
       c0.headers.get("cache-control"))
    got = pump_all(clients, lambda: all(c.events for c in clients), 10)
    ok(got and all(c.events[0].get("event") == "snapshot" for c in clients),
       "%s: each client's first event is a snapshot" % name,
       [c.events[:1] for c in clients][:2])
    if not got:
        for c in clients:
            c.close()
        continue
    snap = c0.events[0]
    ok(same_sessions(snap["json"], before),
       "%s: the snapshot holds the lobby's sessions keyed by id, in the API's order" % name,
       json.dumps(snap["json"])[:400], json.dumps(keyed(before))[:400])
    ok(all(c.events[0]["id"] == snap["id"] and c.events[0]["data"] == snap["data"] for c in clients),
       "%s: every client got the same snapshot with the same id" % name)

    # a changed capture: every client gets one patch, and it is minimal
    after = poll_next()
    got = pump_all(clients, lambda: all(len(c.events) >= 2 for c in clients), 10)
    ok(got and all(c.events[1].get("event") == "patch" for c in clients),
       "%s: every client gets a patch after the poll" % name,
       [(len(c.events), [e.get("event") for e in c.events]) for c in clients])
    if got:
        lat = max(c.events[1]["t"] for c in clients) - min(c.events[1]["t"] for c in clients)
        patch = c0.events[1]["json"]
        ok(all(c.events[1]["data"] == c0.events[1]["data"] for c in clients),
           "%s: the same patch reached all %d clients (spread %.0f ms)" % (name, N_CLIENTS, lat * 1000))
        ok(int(c0.events[1]["id"]) > int(snap["id"]), "%s: event ids grow (%s -> %s)"
           % (name, snap["id"], c0.events[1]["id"]))
        ok(same_sessions(replay(c0.events), after),
           "%s: snapshot + patch (RFC 7396, applied by an independent oracle) == the new lobby" % name,
           json.dumps(patch)[:600])
        # minimal: a session present before and after carries only the fields that changed
        old_s = {s["id"]: strip_nulls(s) for s in before["sessions"]}
        new_s = {s["id"]: strip_nulls(s) for s in after["sessions"]}
        extra = []
        for sid, sp in (patch.get("sessions") or {}).items():
            if sid in old_s and sid in new_s and isinstance(sp, dict):
                for k in sp:
                    if old_s[sid].get(k) == new_s[sid].get(k):
                        extra.append((sid, k))
        unchanged = [sid for sid in old_s if sid in new_s and old_s[sid] == new_s[sid]
                     and sid in (patch.get("sessions") or {})]
        ok(not extra and not unchanged,
           "%s: the patch names only changed sessions and fields" % name, extra[:5], unchanged[:5])
        ok("order" not in patch or patch["order"] == [s["id"] for s in after["sessions"]],
           "%s: the order list is sent only when it changed, and then whole" % name)
    before = after

    # resume: a client that saw the snapshot reconnects with its id after a poll
    last = snap["id"]
    for c in clients:
        c.close()
    mid = poll_next()
    r = Client(stream, headers={"Last-Event-ID": last})
    r.wait(lambda c: len(c.events) >= 2, 4)
    kinds = [e.get("event") for e in r.events]
    ok(r.status == 200 and kinds and all(k == "patch" for k in kinds),
       "%s: Last-Event-ID inside the ring resumes with patches only" % name, kinds)
    ok(same_sessions(replay([snap] + r.events), mid),
       "%s: the resumed patches bring the old snapshot to the current lobby" % name)
    newest = r.events[-1]["id"] if r.events else ""
    r.close()
    r2 = Client(stream, headers={"Last-Event-ID": newest})
    r2.wait(lambda c: c.events, 1.5)
    ok(r2.status == 200 and not r2.events, "%s: Last-Event-ID of the newest event: nothing to send" % name,
       [e.get("event") for e in r2.events])
    r2.close()
    r3 = Client(stream, headers={"Last-Event-ID": "999999999"})
    r3.wait(lambda c: c.events, 4)
    ok(r3.events and r3.events[0].get("event") == "snapshot",
       "%s: an id the ring does not hold gets a snapshot" % name)
    r3.close()
    r4 = Client(stream, headers={"Last-Event-ID": "garbage"})
    r4.wait(lambda c: c.events, 4)
    ok(r4.events and r4.events[0].get("event") == "snapshot", "%s: a malformed id gets a snapshot" % name)
    r4.close()
    before = mid

    # rooms: one session, a player, the team picker
    sess = before["sessions"][0]
    rs = Client(url + "/api/v1/stream/rooms/session:" + sess["id"])
    rs.wait(lambda c: c.events, 4)
    ok(rs.status == 200 and rs.events and rs.events[0]["json"].get("live") is True
       and rs.events[0]["json"].get("name") == sess["name"],
       "%s: room session:{id}: a snapshot of that session" % name, rs.status, rs.events[:1])
    steam = [p for s in before["sessions"] for p in s["players"] if p.get("provider") == "steam"]
    if steam:
        pid = "steam:" + steam[0]["external_id"]
        rp = Client(url + "/api/v1/stream/rooms/players:" + pid)
        rp.wait(lambda c: c.events, 4)
        ok(rp.events and rp.events[0]["json"].get("online") is True
           and rp.events[0]["json"]["sessions"][0]["id"] in [s["id"] for s in before["sessions"]],
           "%s: room players:%s: online, in a live session" % (name, pid), rp.events[:1])
    rt = Client(url + "/api/v1/stream/rooms/team_picker:" + sess["id"])
    rt.wait(lambda c: c.events, 4)
    ok(rt.events and rt.events[0]["json"] == {"session_id": sess["id"], "state": "none"},
       "%s: room team_picker:{id} exists (no picker yet: state none)" % name, rt.events[:1])
    rt.close()
    # the session leaves the lobby: its room says so
    gone = None
    for _ in range(len(CAPS)):
        nxt = poll_next()
        if sess["id"] not in [s["id"] for s in nxt["sessions"]]:
            gone = nxt
            break
    before = nxt
    if gone:
        rs.wait(lambda c: any(e["json"] and e["json"].get("live") is False for e in c.events[1:]), 5)
        ok(replay(rs.events) == {"id": sess["id"], "live": False},
           "%s: when the session ends, its room's patch leaves {id, live: false}" % name,
           [e.get("data")[:200] for e in rs.events[1:]])
    rs.close()
    if steam:
        rp.close()

    # refusals: JSON errors before the stream starts
    st, h, body = http(url + "/api/v1/stream/sessions", headers={"Origin": "https://evil.example"})
    ok(st == 403 and json.loads(body or b"{}").get("error") == "forbidden",
       "%s: a foreign Origin is 403 JSON" % name, st, body[:200])
    if APP_BASE_URL:
        ok_origin = APP_BASE_URL.rstrip("/")
        c = Client(stream, headers={"Origin": ok_origin})
        ok(c.status == 200 and c.headers.get("access-control-allow-origin") == ok_origin,
           "%s: the site's own Origin is allowed and echoed" % name, c.status, c.headers)
        c.close()
    st, h, body = http(url + "/api/v1/stream/nowhere")
    ok(st == 404 and b'"error"' in body, "%s: an unknown stream is 404 JSON" % name, st, body[:200])
    st, h, body = http(url + "/api/v1/stream/rooms/players:bob")
    ok(st == 400 and b'"error"' in body, "%s: a malformed room name is 400 JSON" % name, st, body[:200])
    st, h, body = http(url + "/api/v1/stream/rooms/lobby:1")
    ok(st == 404, "%s: a room no module serves is 404" % name, st, body[:200])
    st, h, body = http(url + "/api/v1/stream/sessions", method="POST")
    ok(st == 405 and "GET" in h.get("allow", ""), "%s: POST is 405 with Allow" % name, st, h.get("allow"))

# heartbeats: a comment line within 15 s (+ slack) on an idle stream
c = Client(servers()[0][1] + "/api/v1/stream/sessions")
c.wait(lambda c: c.comments > 0, 18)
ok(c.comments > 0, "a heartbeat comment reaches an idle client within 15 s")
c.close()

# the page workers, reached directly, answer a stream path with 503 JSON
sock = os.path.join(os.environ["GW_RUN"], "run", "gamewatch", "app.sock")
env = dict(os.environ, REQUEST_METHOD="GET", REQUEST_URI="/api/v1/stream/sessions",
           SCRIPT_NAME="", SERVER_PROTOCOL="HTTP/1.1", REMOTE_ADDR="127.0.0.1")
try:
    out = subprocess.run(["cgi-fcgi", "-bind", "-connect", sock], env=env, capture_output=True,
                         timeout=10).stdout
    ok(b"Status: 503" in out and b"gamewatch-stream" in out,
       "the page workers answer a stream path with 503 JSON naming gamewatch-stream", out[:300])
except FileNotFoundError:
    print("SKIP page-worker 503: cgi-fcgi (libfcgi-bin) is not installed")
done()
