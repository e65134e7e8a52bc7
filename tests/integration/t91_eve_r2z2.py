"""t91: `gamewatch-job eve-r2z2` against a local R2Z2 fixture.

A python http.server on loopback plays r2z2.zkillboard.com/ephemeral:
sequence.json, then <N>.json documents wrapping real ESI killmails from
tests/data/eve (the R2Z2 shape of docs/eve-format.md section 5: killmail_id,
hash, esi, zkb with the real zKillboard values of the shared samples,
uploaded_at, sequence_id). The script has a sequence that 404s twice before
it appears, a 429 with Retry-After, a malformed document, a re-published
sequence (sequence_updated) repeating an earlier kill, and a sequence that
never appears while later ones do. A second run resumes after the stored
sequence."""
import http.server
import json
from decimal import Decimal
import os
import re
import threading
import time

from gwtest import SRCDIR, done, job, ok, psql, scalar

D = os.path.join(SRCDIR, "tests", "data", "eve")
with open(os.path.join(D, "killmails", "esi_2021-11-28_pochven-sakenta-urhinichi_day.jsonl")) as f:
    KILLS = [json.loads(l) for l in f if l.strip()][:12]
with open(os.path.join(D, "redisq", "zkb_api_response_examples.json")) as f:
    ZKB = [r["zkb"] for r in json.load(f)]   # real zKillboard values (other kills')
with open(os.path.join(D, "redisq", "zkb_api_response_examples.json")) as f:
    # the same values as written, exactly, for comparing with numeric(20, 2)
    TOTAL = [str(Decimal(t).quantize(Decimal("0.01")))
             for t in re.findall(r'"totalValue":([0-9.]+)', f.read())]

BASE_SEQ = 90000


def doc(seq, k, zkb=None, updated=None):
    z = dict(zkb or ZKB[seq % 2])
    z["hash"] = k["killmail_hash"]
    z["href"] = "https://esi.evetech.net/latest/killmails/%d/%s/" % (k["killmail_id"], k["killmail_hash"])
    esi = {key: v for key, v in k.items() if key not in ("killmail_hash", "http_last_modified")}
    d = {"killmail_id": k["killmail_id"], "hash": k["killmail_hash"], "esi": esi, "zkb": z,
         "uploaded_at": 1638100000 + seq, "sequence_id": seq}
    if updated:
        d["sequence_updated"] = updated
    return json.dumps(d).encode()


# sequence -> list of responses served in turn (the last one repeats)
script = {}
for i in range(8):
    script[BASE_SEQ + i] = [(200, doc(BASE_SEQ + i, KILLS[i]))]
script[BASE_SEQ + 2] = [(404, b""), (404, b""), (200, doc(BASE_SEQ + 2, KILLS[2]))]  # not yet, then there
script[BASE_SEQ + 4] = [(429, b'{"error":"slow down"}'), (200, doc(BASE_SEQ + 4, KILLS[4]))]
script[BASE_SEQ + 5] = [(200, b'{"killmail_id": 1, "esi": {"killmail_id": 1}}')]       # malformed
script[BASE_SEQ + 6] = [(200, doc(BASE_SEQ + 6, KILLS[1], updated=BASE_SEQ + 1))]      # re-published
latest = {"seq": BASE_SEQ + 7}
log = []
lock = threading.Lock()


class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        with lock:
            log.append((time.monotonic(), name))
            if name == "sequence.json":
                code, body, extra = 200, json.dumps({"sequence": latest["seq"]}).encode(), {}
            else:
                try:
                    seq = int(name.split(".")[0])
                except ValueError:
                    seq = -1
                steps = script.get(seq, [(404, b"")])
                code, body = steps[0] if len(steps) == 1 else steps.pop(0)
                extra = {"Retry-After": "1"} if code == 429 else {}
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
base = "http://127.0.0.1:%d/ephemeral" % srv.server_address[1]
env = {"EVE_R2Z2_URL": base, "EVE_R2Z2_WAIT_MS": "200"}

# t90 may have stored these kills already: forget the first eleven (the
# twelfth stays, stored without a value, to be valued by the feed)
ids = ",".join(str(k["killmail_id"]) for k in KILLS[:11])
psql("DELETE FROM eve.attackers WHERE killmail_id IN (%s);"
     " DELETE FROM eve.killmails WHERE killmail_id IN (%s);"
     " DELETE FROM eve.battle_killmails WHERE killmail_id IN (%s);"
     " DELETE FROM eve.killmail_ids WHERE killmail_id IN (%s)" % (ids, ids, ids, ids))
job("eve-import", os.path.join(D, "killmails", "esi_2021-11-28_pochven-sakenta-urhinichi_day.jsonl"))
psql("DELETE FROM eve.attackers WHERE killmail_id IN (%s);"
     " DELETE FROM eve.killmails WHERE killmail_id IN (%s);"
     " DELETE FROM eve.battle_killmails WHERE killmail_id IN (%s);"
     " DELETE FROM eve.killmail_ids WHERE killmail_id IN (%s)" % (ids, ids, ids, ids))
ok(scalar("SELECT count(*) FROM eve.killmails WHERE killmail_id = :'v1' AND total_value IS NULL",
          KILLS[11]["killmail_id"]) == "1",
   "kill %d is stored without a value" % KILLS[11]["killmail_id"])

# a first run with no stored position starts at sequence.json's value
rc, out = job("eve-r2z2", "--duration", "2", env=env)
names = [n for _, n in log]
ok(rc == 0 and names[:2] == ["sequence.json", "%d.json" % (BASE_SEQ + 7)],
   "no stored position: starts at sequence.json's sequence, no backlog walk", names[:3], out[-300:])
# now walk the scripted sequences from the start (--from on a clean row)
psql("DELETE FROM eve.feed_state WHERE feed = :'v1'", base)
log.clear()
script[BASE_SEQ + 2] = [(404, b""), (404, b""), (200, doc(BASE_SEQ + 2, KILLS[2]))]
script[BASE_SEQ + 4] = [(429, b'{"error":"slow down"}'), (200, doc(BASE_SEQ + 4, KILLS[4]))]
rc, out = job("eve-r2z2", "--duration", "6", "--from", str(BASE_SEQ), env=env)
ok(rc == 0, "the follower from --from", out[-600:])
names = [n for _, n in log]
seqs = [n for n in names if n != "sequence.json"]
ok(seqs[:5] == ["%d.json" % s for s in (BASE_SEQ, BASE_SEQ + 1, BASE_SEQ + 2, BASE_SEQ + 2, BASE_SEQ + 2)],
   "404 means not yet: the same sequence is asked again", seqs[:6])
t404 = [t for t, n in log if n == "%d.json" % (BASE_SEQ + 2)]
ok(len(t404) == 3 and t404[1] - t404[0] >= 0.18, "it waits between 404s (EVE_R2Z2_WAIT_MS)",
   [round(b - a, 3) for a, b in zip(t404, t404[1:])])
t429 = [t for t, n in log if n == "%d.json" % (BASE_SEQ + 4)]
ok(len(t429) == 2 and t429[1] - t429[0] >= 0.95, "after a 429 it waits Retry-After (1 s)",
   [round(b - a, 3) for a, b in zip(t429, t429[1:])])
stored = {int(r[0]) for r in psql("SELECT killmail_id FROM eve.killmails WHERE source = 'r2z2'")}
want = {KILLS[i]["killmail_id"] for i in (0, 1, 2, 3, 4, 7)}
ok(want <= stored, "every good document's killmail is stored", want - stored)
ok(int(scalar("SELECT count(*) FROM eve.rejected WHERE source = :'v1' AND position = :'v2'",
              base, "sequence %d" % (BASE_SEQ + 5))) >= 1, "the malformed document is refused and counted")
vals = psql("SELECT total_value::text, value_source FROM eve.killmails WHERE killmail_id = :'v1'",
            KILLS[0]["killmail_id"])
ok(vals == [[TOTAL[BASE_SEQ % 2], "zkb"]],
   "zkb.totalValue stored exactly as numeric", vals, ZKB[BASE_SEQ % 2]["totalValue"])
seq = scalar("SELECT sequence FROM eve.feed_state WHERE feed = :'v1'", base)
ok(seq == str(BASE_SEQ + 7), "the position is the last sequence processed", seq)
logrow = psql("SELECT read, inserted, duplicates, rejected FROM eve.ingest_log WHERE source = :'v1'"
              " ORDER BY id DESC LIMIT 1", base)
ok(logrow and int(logrow[0][2]) >= 1 and logrow[0][3] == "1",
   "the re-published sequence is a duplicate, the malformed one a reject", logrow)

# restart: resumes after the stored sequence; a sequence that never comes
# is skipped once the feed has moved past it
log.clear()
script[BASE_SEQ + 9] = [(200, doc(BASE_SEQ + 9, KILLS[9]))]
script[BASE_SEQ + 10] = [(200, doc(BASE_SEQ + 10, KILLS[10]))]
script[BASE_SEQ + 11] = [(200, doc(BASE_SEQ + 11, KILLS[11]))]
latest["seq"] = BASE_SEQ + 11
rc, out = job("eve-r2z2", "--duration", "4", env=env)
names = [n for _, n in log]
ok(rc == 0 and names and names[0] == "%d.json" % (BASE_SEQ + 8),
   "a restart resumes after the stored sequence", names[:4])
ok("%d.json" % (BASE_SEQ + 9) in names and "sequence.json" in names
   and "missing" in out, "sequence %d never came: skipped after sequence.json moved on" % (BASE_SEQ + 8),
   names[:8], out[-300:])
seq = scalar("SELECT sequence FROM eve.feed_state WHERE feed = :'v1'", base)
ok(seq == str(BASE_SEQ + 11), "position after the restart", seq)
vals = psql("SELECT total_value::text, value_source, source FROM eve.killmails WHERE killmail_id = :'v1'",
            KILLS[11]["killmail_id"])
ok(vals == [[TOTAL[(BASE_SEQ + 11) % 2], "zkb", "esi"]],
   "a kill stored without a value gets zKillboard's when the feed repeats it", vals)
stored = {int(r[0]) for r in psql("SELECT killmail_id FROM eve.killmails WHERE source = 'r2z2'")}
ok({KILLS[9]["killmail_id"], KILLS[10]["killmail_id"]} <= stored, "the new kills are stored")

# an unreachable feed backs off and stores the failure
rc, out = job("eve-r2z2", "--duration", "2", env={"EVE_R2Z2_URL": "http://127.0.0.1:9/x",
                                                     "EVE_R2Z2_WAIT_MS": "200"})
row = psql("SELECT consecutive_failures, last_error FROM eve.feed_state WHERE feed = 'http://127.0.0.1:9/x'")
ok(rc != 0 or (row and int(row[0][0]) >= 1), "an unreachable feed is a recorded failure", rc, row, out[-300:])
srv.shutdown()
done()
