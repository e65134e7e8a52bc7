"""t90: MOHAA ingest end to end through lighttpd, Apache mod_proxy_fcgi and
mod_fcgid: the real sample payloads replayed (original form bodies and the
later JSON array), every token placement, the answers to malformed bodies
(nothing partial stored), match-result, the durable queue's 429, and the
rows the ingest job writes (compared with values read independently from
the payload files)."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse

from gwtest import BUILD_DIR, done, http, ok, psql, scalar, servers
from t90_mohaa_lib import (SAMPLE_TOKEN, events_of, ingest, post, register, sample_form_lines,
                           sample_json, server_id)

stamp = str(int(time.time() * 1000))
NAME = "t90-" + stamp
token = register(NAME)
SID = server_id(NAME)

# --- the CLI: the token is shown once, only its SHA-256 is stored ----------
ok(re.fullmatch(r"mohaa_[0-9a-f]{64}", token) is not None, "mohaa-server add prints a fresh token", token)
digest = scalar("SELECT encode(token_sha256, 'hex') FROM mohaa.servers WHERE id = :'v1'", SID)
import hashlib  # noqa: E402
ok(digest == hashlib.sha256(token.encode()).hexdigest(), "only the token's SHA-256 is stored")
p = subprocess.run([os.path.join(BUILD_DIR, "gamewatch-job"), "mohaa-server", "list"],
                   capture_output=True, text=True)
ok(p.returncode == 0 and NAME in p.stdout and token not in p.stdout and token[6:20] not in p.stdout,
   "mohaa-server list names the server and never its token")
p = subprocess.run([os.path.join(BUILD_DIR, "gamewatch-job"), "mohaa-server", "add", NAME],
                   capture_output=True, text=True)
ok(p.returncode != 0 and p.stdout == "", "a taken name is refused and prints no token", p.stdout)

# --- the sample payloads, through every web server ---------------------------
lines = sample_form_lines()
ok(len(lines) == 7, "seven original form bodies in the sample file", len(lines))
before = events_of(SID)
sent_bodies = []
accepted = 0
for name, base in servers():
    for line in lines:
        body = line.replace(SAMPLE_TOKEN, token)
        st, h, js = post(base, "/api/v1/ingest/events", body,
                         {"Content-Type": "application/x-www-form-urlencoded"})
        want_type = re.match(r"type=([a-z_]+)", line).group(1)
        if not ok(st == 202 and js.get("status") == "accepted" and js.get("processed") == 1
                  and js.get("type") == want_type and js.get("rejected") == 0,
                  "%s: the original %s form body is 202" % (name, want_type), st, js):
            continue
        accepted += 1
        sent_bodies.append((js["id"], body))
    doc = sample_json()
    st, h, js = post(base, "/api/v1/ingest/events", json.dumps(doc["request_body"]),
                     {"Content-Type": "application/json", "X-Server-Token": token})
    ok(st == doc["expected_response"]["status"] and js.get("processed") ==
       doc["expected_response"]["body"]["processed"] and js.get("status") == "accepted",
       "%s: the later JSON array is %d with processed %d" % (name, st, js.get("processed", -1)), js)
    accepted += js.get("processed", 0)
rc, out = ingest()
ok(rc == 0, "mohaa-ingest --once drains the stream", out[-2000:])
ok(events_of(SID) - before == accepted,
   "every accepted event is one row of mohaa.events (%d)" % accepted, events_of(SID) - before)

# the rows hold what the payload said (values read from the body text here)
first_id, first_body = sent_bodies[1]  # the kill
fields = dict(kv.split("=", 1) for kv in first_body.split("&"))
row = psql("SELECT type, actor_id, actor_name, actor_team, target_id, mod, hitloc, flags & 8,"
           " actor_x, victim, convert_from(raw, 'UTF8'), game_time, match_id IS NOT NULL"
           " FROM (SELECT *, target_y AS victim FROM mohaa.events) e WHERE stream_id = :'v1'",
           first_id)[0]
ok(row[0] == "kill" and row[1] == "name:" + fields["attacker_name"].replace("^1", "").replace("^7", "")
   and row[2] == "SgtRock" and row[3] == "allies" and row[4] == "name:" + fields["victim_name"],
   "the kill: actors by name, since the original's *_guid held the team", row)
ok(row[5] == fields["weapon"][4:].lower() and row[6] == fields["hitloc"] and row[7] == "8",
   "the kill: `weapon` was the means of death, hitloc head is a headshot", row)
ok(abs(float(row[8]) - float(fields["attacker_x"])) < 0.01 and abs(float(row[9]) - float(fields["victim_y"])) < 0.01,
   "positions kept", row)
ok(row[10] == first_body.replace(token, "*" * len(token)) and token not in row[10],
   "the raw line is kept for replay, its token masked", row[10][:200])
ok(abs(float(row[11]) - float(fields["timestamp"])) < 1e-6 and row[12] == "t",
   "game time kept beside the absolute time; the kill belongs to a match", row)
ok(scalar("SELECT count(*) FROM mohaa.events WHERE server_id = :'v1' AND (convert_from(raw, 'UTF8')"
          " LIKE '%' || :'v2' || '%' OR extra::text LIKE '%' || :'v2' || '%')", SID, token) == "0",
   "no token anywhere in the stored events")
absol = psql("SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS'), actor_id"
             " FROM mohaa.events WHERE server_id = :'v1' AND type = 'connect' LIMIT 1", SID)
ok(absol and absol[0][0] == "2025-01-18T22:40:01.250" and absol[0][1] == "ABCD1234567890EF",
   "the simulator's Unix timestamp is taken as is, its real GUID kept", absol)
js_row = psql("SELECT type, type_sent, actor_id, target_id, weapon, mod, extra ->> 'attacker_stance'"
              " FROM mohaa.events WHERE server_id = :'v1' AND type_sent = 'player_kill' LIMIT 1", SID)
ok(js_row and js_row[0] == ["kill", "player_kill", "smf:42", "name:Hans", "thompson", "fast_bullet", "stand"],
   "the later player_kill is a kill; forum id, weapon and MOD both kept", js_row)

# --- tokens ---------------------------------------------------------------------
base = servers()[0][1]
chat = "type=chat&match_id=m-%s&timestamp=5.0&player_name=Tom&player_guid=allies&message=%s"
for label, hdrs, extra in (("X-Server-Token", {"X-Server-Token": token}, ""),
                           ("Authorization: Bearer", {"Authorization": "Bearer " + token}, ""),
                           ("the server_token field", {}, "&server_token=" + token)):
    st, h, js = post(base, "/api/v1/ingest/events", (chat % (stamp, "hi")) + extra, hdrs)
    ok(st == 202, "token in %s: 202" % label, st, js)
for label, hdrs in (("missing", {}), ("wrong", {"X-Server-Token": "mohaa_" + "0" * 64}),
                    ("garbage", {"Authorization": "Bearer x"})):
    st, h, js = post(base, "/api/v1/ingest/events", chat % (stamp, "x"), hdrs)
    ok(st == 401 and js.get("error") == "unauthorized" and "bearer" in h.get("www-authenticate", "").lower(),
       "%s token: 401 with WWW-Authenticate" % label, st, js)
# a header wins over a forged body field; the body's own token is masked too
st, h, js = post(base, "/api/v1/ingest/events", (chat % (stamp, "hdr")) + "&server_token=" + token,
                 {"X-Server-Token": token})
ok(st == 202, "header and field together: 202", st)
revoked = register(NAME + "-revoked")
p = subprocess.run([os.path.join(BUILD_DIR, "gamewatch-job"), "mohaa-server", "revoke", NAME + "-revoked"],
                   capture_output=True, text=True)
time.sleep(0.1)
st, h, js = post(base, "/api/v1/ingest/events", chat % (stamp, "r"), {"X-Server-Token": revoked})
ok(p.returncode == 0 and st == 401, "a revoked token: 401", st, js)

# --- malformed bodies: the right status, nothing partial stored -------------------
rc, out = ingest()
count0 = events_of(SID)
hdr = {"X-Server-Token": token}
raw_amp = ("type=chat&match_id=m-%s&timestamp=6.5&player_name=Tom & Jerry=pals&player_guid=axis"
           "&message=gg & wp=yes 100%% &x&server_id=srv" % stamp)
st, h, js = post(base, "/api/v1/ingest/events", raw_amp, hdr)
ok(st == 202 and js.get("processed") == 1, "raw & = % in a chat line and a name: 202", st, js)
cases = [
    ("truncated JSON", '[{"type":"kill","match_id":"m","victim_name":"v"},{"type":"chat"', 400, "truncated"),
    ("JSON not an array of objects", "[1,2,3]", 400, "not a JSON object"),
    ("a NUL byte", "type=chat&player_name=a\0b&message=x", 400, "NUL byte"),
    ("an unknown event type", "type=teleport&match_id=m", 400, 'unknown event type \\"teleport\\"'),
    ("a missing field", "type=chat&match_id=m&player_name=a", 400, 'missing field \\"message\\"'),
    ("an empty body", "", 400, "empty"),
    ("a batch of only unknown types", '[{"type":"a"},{"type":"b"}]', 400, "unknown event type"),
]
for label, body, want, needle in cases:
    st, h, js = post(base, "/api/v1/ingest/events", body, hdr)
    ok(st == want and needle in json.dumps(js), "%s: %d naming it" % (label, want), st, js)
big = b"type=chat&player_name=a&message=" + b"x" * (2 << 20)
st, h, js = post(base, "/api/v1/ingest/events", big, hdr)
ok(st == 413, "a 2 MiB body: 413", st, js if isinstance(js, dict) else js[:200])
exact = b"type=chat&player_name=a&message=" + b"y" * ((1 << 20) - 32)
st, h, js = post(base, "/api/v1/ingest/events", exact, hdr)
ok(st == 202, "exactly 1 MiB is accepted", st)
st, h, js = post(base, "/api/v1/ingest/events", "type=chat&player_name=a&message=trailing\0\0", hdr)
ok(st == 202, "the engine's trailing NUL terminator is ignored", st, js)
batch = [{"type": "player_say", "match_id": "m-" + stamp, "timestamp": "7", "player_name": "A",
          "player_guid": "GUIDA", "message": "one"},
         {"type": "teleport", "match_id": "m"},
         {"type": "player_jump", "match_id": "m-" + stamp, "timestamp": 8, "player_name": "A"},
         {"type": "kill", "attacker_name": "A"}]
st, h, js = post(base, "/api/v1/ingest/events", json.dumps(batch), hdr)
ok(st == 202 and js.get("processed") == 2 and js.get("rejected") == 2 and
   [r["index"] for r in js.get("rejections", [])] == [1, 3] and
   'unknown event type "teleport"' in js["rejections"][0]["error"] and
   'missing field "victim_name"' in js["rejections"][1]["error"],
   "a batch with two bad events: 202, processed 2, each rejection named", js)
lines_body = "type=jump&match_id=m-%s&player_name=L1\n\n{\"type\":\"land\",\"player_name\":\"L1\",\"fall_height\":\"12.5\"}\r\n" % stamp
st, h, js = post(base, "/api/v1/ingest/events", lines_body, hdr)
ok(st == 202 and js.get("processed") == 2, "newline-separated lines (form and JSON): 202", st, js)
st, h, js = post(base, "/api/v1/ingest/events", "type=chat", hdr, method="PUT")
ok(st == 405, "PUT: 405", st)
rc, out = ingest()
# 1 (raw &) + 1 (exactly 1 MiB) + 1 (trailing NUL) + 2 (batch) + 2 (lines)
ok(events_of(SID) - count0 == 7, "exactly the accepted events were stored (7), no part of a refused body",
   events_of(SID) - count0)
msg = psql("SELECT actor_name, actor_id, extra ->> 'message', extra ->> 'server_id' FROM mohaa.events"
           " WHERE server_id = :'v1' AND type = 'chat' AND game_time = 6.5", SID)
ok(msg == [["Tom & Jerry=pals", "name:Tom & Jerry=pals", "gg & wp=yes 100% &x", "srv"]],
   "the raw & line kept its name and message whole", msg)
stored = psql("SELECT type, idx FROM mohaa.events WHERE server_id = :'v1' AND actor_name = 'A' ORDER BY idx", SID)
ok(stored == [["chat", "0"], ["jump", "1"]], "the batch's accepted events, in order", stored)

# --- match-result closes the match with its result -------------------------------
ref = "res-" + stamp
for body in ("type=match_start&match_id=%s&map_name=dm/mohdm6&timestamp=0.05&gametype=2" % ref,
             "type=kill&match_id=%s&timestamp=10&attacker_name=Ann&attacker_guid=allies&attacker_team=allies"
             "&victim_name=Bob&victim_guid=axis&victim_team=axis&weapon=MOD_BULLET&hitloc=3" % ref):
    post(base, "/api/v1/ingest/events", body, hdr)
st, h, js = post(base, "/api/v1/ingest/match-result",
                 json.dumps({"match_id": ref, "winning_team": "allies", "allies_score": 5, "axis_score": 2}), hdr)
ok(st == 202 and js.get("type") == "match_end", "match-result: 202 as a match_end", st, js)
st, h, js = post(base, "/api/v1/ingest/match-result", json.dumps({"winning_team": "axis"}), hdr)
ok(st == 400 and 'missing field \\"match_id\\"' in json.dumps(js), "match-result without match_id: 400", st, js)
rc, out = ingest()
m = psql("SELECT map_name, winning_team, allies_score, axis_score, ended_at IS NOT NULL, end_reason, kills"
         " FROM mohaa.matches WHERE server_id = :'v1' AND match_ref = :'v2'", SID, ref)
ok(m == [["dm/mohdm6", "allies", "5", "2", "t", "match_end", "1"]], "the match is closed with its result", m)

# --- backlog: 429 with Retry-After, counted, nothing stored ------------------------
tmp = tempfile.mkdtemp(prefix="t90-")
sock = os.path.join(tmp, "fcgi.sock")
log = open(os.path.join(os.environ.get("GW_RUN", tmp), "log", "t90-pool.log"), "ab")
env = dict(os.environ, MOHAA_INGEST_BACKLOG="1", MOHAA_RETRY_AFTER="7")
pool = subprocess.Popen([os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--listen", "unix:" + sock,
                         "--workers", "1"] + (["--allow-root"] if os.geteuid() == 0 else []),
                        env=env, stdout=log, stderr=log)


def cgi(body, token_hdr):
    e = dict(env, REQUEST_METHOD="POST", REQUEST_URI="/api/v1/ingest/events", SCRIPT_NAME="",
             QUERY_STRING="", SERVER_PROTOCOL="HTTP/1.1", CONTENT_LENGTH=str(len(body)),
             CONTENT_TYPE="application/x-www-form-urlencoded", HTTP_X_SERVER_TOKEN=token_hdr)
    r = subprocess.run(["cgi-fcgi", "-bind", "-connect", sock], env=e, input=body,
                       capture_output=True, timeout=20)
    head, _, b = r.stdout.partition(b"\r\n\r\n")
    status = int(re.search(rb"Status: (\d+)", head).group(1)) if b"Status:" in head else 0
    return status, head.decode("latin-1"), b


try:
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    _, mh, mbody = http(base + "/metrics")
    def metric(text, name):
        m = re.search(r"^%s (\d+)$" % name, text, re.M)
        return int(m.group(1)) if m else None
    shed_before = metric(mbody.decode(), "mohaa_events_load_shed_total")
    st1, _, _ = cgi(b"type=chat&player_name=q1&message=first", token)
    st2, head2, b2 = cgi(b"type=chat&player_name=q2&message=second", token)
    ok(st1 == 202 and st2 == 429 and "Retry-After: 7" in head2 and b"overloaded" in b2,
       "past the backlog: 429 with Retry-After (MOHAA_INGEST_BACKLOG=1)", st1, st2, head2, b2)
    rc, out = ingest()
    n = scalar("SELECT count(*) FROM mohaa.events WHERE server_id = :'v1' AND actor_name IN ('q1', 'q2')", SID)
    ok(n == "1", "only the 202 event was stored, the 429 one was not", n)
    time.sleep(0.1)
    _, _, mbody = http(base + "/metrics")
    text = mbody.decode()
    ok(metric(text, "mohaa_events_load_shed_total") == (shed_before or 0) + 1,
       "mohaa_events_load_shed_total counted it", metric(text, "mohaa_events_load_shed_total"))
finally:
    pool.terminate()
    pool.wait(timeout=20)
    log.close()
    shutil.rmtree(tmp, ignore_errors=True)

# --- the metrics under the original names -------------------------------------------
time.sleep(5.5)  # the database part of /metrics is cached for 5 s
_, _, mbody = http(base + "/metrics")
text = mbody.decode()
for name in ("mohaa_events_ingested_total", "mohaa_events_processed_total", "mohaa_events_failed_total",
             "mohaa_events_load_shed_total", "mohaa_worker_queue_depth",
             "mohaa_batch_insert_duration_seconds_count"):
    ok(re.search(r"^%s \d+" % name, text, re.M) is not None, "/metrics has " + name)
ing = metric(text, "mohaa_events_ingested_total")
proc = metric(text, "mohaa_events_processed_total")
total = int(scalar("SELECT count(*) FROM mohaa.events"))
ok(proc == total and ing == total and metric(text, "mohaa_worker_queue_depth") == 0,
   "ingested = processed = rows in mohaa.events (%d), queue empty" % total, ing, proc, total)
done()
