"""t92: Discord webhook notifications (gamewatch-job notify) against a local
fake receiver speaking Discord's webhook API: a message per new session
(games named like "test" ignored; a host filter on a second webhook), edits
when what a message shows changes, "ended" when the session leaves, 429
with Retry-After waited out, 5xx retried with growing backoff, nothing sent
twice across runs; the webhook CLI; the admin form's routes refuse without
an admin account (t97 uses the form as an admin)."""
import copy
import json
import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from gwtest import DATA, done, get_json, http, job, ok, poll_file, psql, servers

LOG = []           # (webhook, method, path, status, t, body)
SCRIPT = {"1": [429], "2": [500, 500]}  # statuses to answer first, per webhook
MSGS = {}          # message id -> body
NEXT = [1000]
LOCK = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def _answer(self):
        n = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(n) or b"{}")
        parts = self.path.split("?")[0].strip("/").split("/")  # api webhooks ID TOKEN [messages MID]
        hook = parts[2] if len(parts) > 2 else "?"
        with LOCK:
            script = SCRIPT.get(hook, [])
            status = script.pop(0) if script else 200
            LOG.append((hook, self.command, self.path, status, time.monotonic(), body))
            if status == 200 and self.command == "POST":
                NEXT[0] += 1
                mid = str(NEXT[0])
                MSGS[mid] = body
                out = {"id": mid, "channel_id": "1"}
            elif status == 200 and self.command == "PATCH":
                mid = parts[-1]
                if mid not in MSGS:
                    status, out = 404, {"message": "Unknown Message", "code": 10008}
                else:
                    MSGS[mid] = body
                    out = {"id": mid}
            else:
                out = {"message": "You are being rate limited.", "retry_after": 1.0} if status == 429 else {}
        data = json.dumps(out).encode()
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_POST = _answer
    do_PATCH = _answer


srv = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
port = srv.server_address[1]
threading.Thread(target=srv.serve_forever, daemon=True).start()
ENV = {"NOTIFY_WEBHOOK_HOSTS": "127.0.0.1:%d" % port}
W1 = "http://127.0.0.1:%d/api/webhooks/1/secret-token-one" % port
W2 = "http://127.0.0.1:%d/api/webhooks/2/secret-token-two" % port

A = os.path.join(DATA, "msl-api-v1", "2024-10-25_lobby-7.json")
HIDDEN = os.path.join(DATA, "msl-api-v1", "2024-10-25_lobby-7-hidden.json")
rc, out = poll_file(A)
ok(rc == 0, "poll %s" % os.path.basename(A), out)
lobby = get_json(servers()[0][1] + "/api/v1/sessions/current")[2]
by_name = {s["name"]: s for s in lobby["sessions"]}
vsr = by_name["vsr"]
host = [p for p in vsr["players"] if p.get("host")][0]
host_ref = "%s:%s" % (host["provider"], host["external_id"])

# the CLI: refusals, then two webhooks
rc, out = job("webhook", "add", "http://evil.example/api/webhooks/1/x", env=ENV)
ok(rc == 2 and "Discord" in out, "webhook add refuses a URL that is not Discord's (or listed)", out)
rc, out = job("webhook", "add", W2, "--hosts", "bob", env=ENV)
ok(rc == 2 and "steam:" in out, "webhook add refuses a malformed host list", out)
rc, out = job("webhook", "add", W1, env=ENV)
ok(rc == 0, "webhook add URL (every host)", out)
rc, out = job("webhook", "add", W2, "--hosts", host_ref, env=ENV)
ok(rc == 0, "webhook add URL --hosts %s" % host_ref, out)
rc, out = job("webhook", "list", env=ENV)
ok(rc == 0 and "secret-token" not in out and '"hosts"' in out and host_ref in out,
   "webhook list shows the webhooks without their tokens", out)
rows = psql("SELECT action, actor_name, actor_role, after::text FROM audit_log"
            " WHERE action = 'webhook.add' AND actor_role = 'operator' ORDER BY id DESC LIMIT 2")
ok(len(rows) == 2 and all(r[1].startswith("cli:") for r in rows)
   and not any("secret-token" in r[3] for r in rows),
   "webhook add is in the audit log as the operator's action, without the token", rows)

t0 = time.monotonic()
rc, out = job("notify", "--once", env=ENV)
ok(rc == 0, "notify --once delivers (waiting out 429 and 5xx)", out)
w1 = [e for e in LOG if e[0] == "1"]
w2 = [e for e in LOG if e[0] == "2"]
created1 = [e for e in w1 if e[1] == "POST" and e[3] == 200]
titles1 = sorted(e[5]["embeds"][0]["title"] for e in created1)
want1 = sorted(s["name"] for s in lobby["sessions"] if "test" not in s["name"].lower())
ok(titles1 == want1, "webhook 1: one message per session, the \"test\" game left out", titles1, want1)
ok(all(e[5].get("content", "").startswith("New game") and e[5]["allowed_mentions"] == {"parse": []}
       for e in created1), "created messages announce the game, with mentions disabled")
ok(all("?wait=true" in e[2] for e in w1 if e[1] == "POST"), "posts ask for the message (?wait=true)")
ok(w1 and w1[0][3] == 429 and len(w1) > 1 and w1[1][4] - w1[0][4] >= 0.95,
   "429: the retry waits Retry-After (1 s)", [(e[1], e[3], round(e[4] - t0, 2)) for e in w1])
ok([e[3] for e in w2] == [500, 500, 200], "webhook 2: 5xx retried until delivered", [e[3] for e in w2])
if len(w2) == 3:
    d1, d2 = w2[1][4] - w2[0][4], w2[2][4] - w2[1][4]
    ok(d1 >= 0.75 and d2 >= 1.5 and d2 > d1, "5xx backoff grows (%.2f s, then %.2f s)" % (d1, d2))
ok([e[5]["embeds"][0]["title"] for e in w2 if e[3] == 200] == ["vsr"],
   "webhook 2 announces only the listed host's game")

n = len(LOG)
rc, out = job("notify", "--once", env=ENV)
ok(rc == 0 and len(LOG) == n, "a second run with nothing changed sends nothing", LOG[n:])
# without Redis (REDIS_URL empty) the lobby comes from PostgreSQL: the same
# document, so the same decisions
NO_REDIS = dict(ENV, REDIS_URL="")
rc, out = job("notify", "--once", env=NO_REDIS)
ok(rc == 0 and len(LOG) == n, "without Redis (lobby from PostgreSQL), nothing changed: nothing sent",
   LOG[n:], out[-600:])

# vsr loses a player: its messages are edited
raw = json.load(open(A, encoding="utf-8-sig"))
mod = copy.deepcopy(raw)
for s in mod["Sessions"]:
    if s.get("Name") == "vsr":
        s["Players"] = s["Players"][:-1]
tmp = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
json.dump(mod, tmp)
tmp.close()
rc, out = poll_file(tmp.name)
ok(rc == 0, "poll the capture with one player fewer in vsr", out)
n = len(LOG)
rc, out = job("notify", "--once", env=NO_REDIS)
edits = [e for e in LOG[n:] if e[1] == "PATCH"]
vsr_ids = {e[2].split("/messages/")[1] for e in edits}
ok(len(edits) == 2 and all(e[5]["embeds"][0]["title"] == "vsr" for e in edits)
   and not [e for e in LOG[n:] if e[1] == "POST"],
   "without Redis: the changed session's message is edited on both webhooks, nothing posted",
   [(e[0], e[1], e[2]) for e in LOG[n:]], out[-600:])
if edits:
    roster = [f for f in edits[0][5]["embeds"][0]["fields"] if f["name"] == "Roster"][0]["value"]
    ok(roster.count("\n") == len(vsr["players"]) - 2, "the edit shows the new roster", roster)

# sessions leave: their messages say ended
rc, out = poll_file(HIDDEN)
n = len(LOG)
rc, out = job("notify", "--once", env=ENV)
ended = [e for e in LOG[n:] if e[1] == "PATCH" and e[5]["embeds"][0]["title"].endswith("(ended)")]
left = sorted(s["name"] for s in lobby["sessions"] if "test" not in s["name"].lower()
              and s["name"] not in ("G66", "vsr"))
ok(sorted(e[5]["embeds"][0]["title"][:-len(" (ended)")] for e in ended) == left
   and all(any(f["value"] == "Session ended" for f in e[5]["embeds"][0]["fields"]) for e in ended),
   "the messages of sessions that left are edited to \"Session ended\"",
   [(e[0], e[5]["embeds"][0]["title"]) for e in LOG[n:]])
ok(not [e for e in LOG[n:] if e[0] == "2" and e[1] == "PATCH" and "ended" in e[5]["embeds"][0]["title"]],
   "webhook 2's game is still live: not ended")
os.unlink(tmp.name)

# the admin form exists in the route table and refuses without an admin
# account (t97 adds and removes a webhook through it as an admin)
for name, url in servers()[:2]:
    st, h, body = http(url + "/bzcc/admin/webhooks")
    ok(st == 401, "%s: GET /bzcc/admin/webhooks needs an admin (401 without a session)" % name, st)
    st, h, body = http(url + "/bzcc/admin/webhooks", method="POST")
    ok(st in (401, 403), "%s: POST /bzcc/admin/webhooks is refused without an admin" % name, st)
srv.shutdown()
done()
