"""t97: curation and the admin tools.

* A user proposes a map correction (title, description, a PNG) through the
  multipart form; pictures are validated as the mirror validates them
  (HTML, SVG and a truncated PNG are refused, nothing stored); the
  candidate is stored content-addressed but linked to nothing.
* A user cannot review; a curator approves: the public map page shows the
  new title, description and picture (served from /assets/, the same
  bytes), the live lobby document carries the curated title, the picture is
  the entity's registry source, `gamewatch-job mirror` keeps it without a
  fetch, re-mirroring makes it due again; a second review is 409; a
  rejection changes nothing public. Every step is in the audit log with
  before and after. A mod's name approved shows on its page and in the
  live lobby.
* Admin: health (job runs from job_runs, queues, flags), feature flags read
  by the jobs (ENRICHMENT_ENABLED off: enrich fetches nothing;
  POLLING_PAUSED: poll-bzcc polls nothing), cache controls, users (role,
  ban revokes sessions and refuses sign-in, unban, an admin cannot demote
  or ban themselves), the audit log, BZCC's webhooks form (add and remove
  audited, the token redacted), and from a pool of this script's own:
  the lobby tester (raw lobby redacted beside the decoded one), recent logs
  from GW_ADMIN_LOG_FILES, and the sessions and snapshots browsers."""
import hashlib
import http.server
import json
import os
import re
import signal
import struct
import subprocess
import threading
import time
import urllib.parse
import zlib

from fcgiclient import env_for, fcgi
from gwtest import (BUILD_DIR, DATA, Browser, done, job, load, make_user, ok, poll_file, psql,
                    scalar, session_token)

GW_RUN = os.environ["GW_RUN"]
ASSETS = os.path.join(os.environ["GW_DATA_DIR"], "assets")


def png(w, h, rgb=(255, 0, 0)):
    """A real PNG (PNG spec: signature, IHDR, IDAT, IEND)."""
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def multipart(fields, files=()):
    bd = "----t97" + hashlib.md5(repr(fields).encode()).hexdigest()
    parts = []
    for k, v in fields.items():
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (bd, k, v)).encode())
    for name, filename, ctype, data in files:
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                      "Content-Type: %s\r\n\r\n" % (bd, name, filename, ctype)).encode() + data + b"\r\n")
    parts.append(("--%s--\r\n" % bd).encode())
    return b"".join(parts), "multipart/form-data; boundary=" + bd


def propose(b, tok, key, fields, files=()):
    f = {"csrf_token": tok, "module": "bzcc", "kind": "map", "key": key}
    f.update(fields)
    body, ct = multipart(f, files)
    return b.request("/curation/propose", "POST", body, {"Content-Type": ct})


def count(sql, *a):
    return int(scalar(sql, *a))


rc, out = poll_file(os.path.join(DATA, "msl-api-v1", "2024-08-30_data.json"))
ok(rc == 0, "poll the 2024-08-30 capture", out)
# the web app stores uploads itself: on a host the jobs and the workers are
# one service user; here earlier tests ran the mirror as root, whose folders
# the workers (GW_APP_USER) must be able to write again
if os.geteuid() == 0 and os.environ.get("GW_APP_USER"):
    subprocess.run(["chown", "-R", os.environ["GW_APP_USER"] + ":", ASSETS], check=True)
sid = scalar("SELECT id FROM bzcc.sessions WHERE name = 'vsr' AND ended_at IS NULL")
key = scalar("SELECT map_key FROM bzcc.sessions WHERE id = :'v1'", sid)
qkey = urllib.parse.quote(key, safe="")

people = {}
for role in ("user", "curator", "admin"):
    uid = make_user("t97-" + role, role)
    b = Browser(session=session_token(uid))
    people[role] = (uid, b, b.csrf("/account"))
uu, ub, ut = people["user"]
cu, cb, ct = people["curator"]
au, ab, at = people["admin"]

# ---- proposing ---------------------------------------------------------------
st, h, body = ub.get("/curation/propose?module=bzcc&kind=map&key=" + qkey)
ok(st == 200 and b'enctype="multipart/form-data"' in body and b'name="field_title"' in body
   and b'name="image"' in body, "the proposal form (multipart, text fields, a picture)", st)
ok(ub.get("/curation/propose?module=bzcc&kind=map&key=0%3Anosuchmap")[0] == 404, "an unknown map: 404")
ok(ub.get("/curation/propose?module=bzcc&kind=weather&key=x")[0] == 400, "a kind no module offers: 400")
n_assets = count("SELECT count(*) FROM assets")
n_props = count("SELECT count(*) FROM curation_proposals")
bad_pictures = (
    ("html", "a.png", "image/png", b"<!DOCTYPE html><html><body>login</body></html>"),
    ("svg", "a.png", "image/png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("corrupt", "a.png", "image/png", png(40, 30)[:60]),
)
for why, fn, ctype, data in bad_pictures:
    st, h, body = propose(ub, ut, key, {"field_title": "X"}, [("image", fn, ctype, data)])
    ok(st == 400 and ("(%s)" % why).encode() in body, "a picture that is really %s is refused (400)" % why,
       st, body[-300:])
ok(count("SELECT count(*) FROM assets") == n_assets and count("SELECT count(*) FROM curation_proposals") == n_props,
   "nothing stored for them")
st, h, body = propose(ub, ut, key, {})
ok(st == 400 and b"nothing to propose" in body, "an empty proposal is refused", st)
picture = png(64, 40, (10, 200, 30))
sha = hashlib.sha256(picture).hexdigest()
st, h, body = propose(ub, ut, key, {"field_title": "The Curated Flood", "field_description": "Two bases.\nOne river.",
                                    "note": "from the map's readme"},
                      [("image", "flood.png", "image/png", picture)])
pid = scalar("SELECT max(id) FROM curation_proposals")
ok(st == 303 and scalar("SELECT status || ' ' || image_sha256 || ' ' || (fields->>'title')"
                        " FROM curation_proposals WHERE id = :'v1'", pid) == "pending %s The Curated Flood" % sha,
   "a proposal: title, description and a picture (pending)", st, body[-300:])
path = scalar("SELECT path FROM assets WHERE sha256 = :'v1'", sha)
ok(path == "bzcc/map/%s.png" % sha and open(os.path.join(ASSETS, path), "rb").read() == picture,
   "the picture is stored content-addressed under bzcc/map/, byte for byte", path)
ok(count("SELECT count(*) FROM asset_links WHERE sha256 = :'v1'", sha) == 0, "... and linked to nothing yet")
st, h, body = Browser().get("/bzcc/maps/" + qkey)
ok(st == 200 and b"The Curated Flood" not in body, "the public map page does not show it yet")

# ---- reviewing ------------------------------------------------------------------
ok(ub.get("/admin/curation")[0] == 403, "a user cannot see the curation queue (403)")
st, h, body = ub.post("/admin/curation/%s/approve" % pid, {"csrf_token": ut})
ok(st == 403 and scalar("SELECT status FROM curation_proposals WHERE id = :'v1'", pid) == "pending",
   "nor approve (403, still pending)", st)
st, h, body = cb.get("/admin/curation")
ok(st == 200 and b"The Curated Flood" in body and ("/assets/bzcc/map/%s.png" % sha).encode() in body,
   "the curator sees the proposal, its fields and its picture", st)
st, h, body = cb.post("/admin/curation/%s/approve" % pid, {"csrf_token": ct, "review_note": "thanks"})
ok(st == 303 and scalar("SELECT status FROM curation_proposals WHERE id = :'v1'", pid) == "approved",
   "the curator approves", st, body[-300:])
st, h, body = Browser().get("/bzcc/maps/" + qkey)
img = re.findall(rb'<img class="map-facts__image" src="([^"]+)"', body)
ok(st == 200 and b"The Curated Flood" in body and b"Two bases.\nOne river." in body, "the public map page shows the new title and description", st)
ok(img == [("/assets/bzcc/map/%s.png" % sha).encode()], "... and the new picture", img)
st, h, data = Browser().get(img[0].decode() if img else "/assets/none")
ok(st == 200 and data == picture and h.get("content-type") == "image/png", "served from our own /assets/, the same bytes", st)
st, h, body = Browser().get("/api/v1/sessions/current")
cur = json.loads(body)
ok([s["map"]["title"] for s in cur["sessions"] if s["id"] == sid] == ["The Curated Flood"],
   "the live lobby document carries the curated title (the module's views were rebuilt)")
ok(scalar("SELECT source_url FROM asset_registry WHERE entity_kind = 'map' AND entity_key = :'v1'", key)
   == "upload:" + sha and scalar("SELECT via FROM asset_links WHERE entity_kind = 'map' AND entity_key = :'v1'", key)
   == "registry", "the picture is the map's registry source and its link")
st, h, body = cb.post("/admin/curation/%s/approve" % pid, {"csrf_token": ct})
ok(st == 409, "a proposal is reviewed once (409)", st)
st, h, body = cb.post("/admin/curation/%s/reject" % pid, {"csrf_token": ct})
ok(st == 409, "... also not rejected afterwards", st)
ok(cb.post("/admin/curation/999999/approve", {"csrf_token": ct})[0] == 404, "an unknown proposal: 404")

# the mirror keeps the curated picture without fetching anything
rc, out = job("mirror", "--once", "--only", "map")
ok(rc == 0 and "already mirrored, no fetch" in out and scalar(
    "SELECT sha256 FROM asset_links WHERE entity_kind = 'map' AND entity_key = :'v1'", key) == sha,
   "gamewatch-job mirror links the approved upload from the registry, no fetch", rc, out[-800:])
st, h, body = cb.post("/admin/curation/remirror", {"csrf_token": ct, "module": "bzcc", "kind": "map", "key": key})
ok(st == 303 and scalar("SELECT attempts = 0 AND next_attempt_at <= now() AND signature IS NULL FROM enrich_items"
                        " WHERE kind = 'mirror:map' AND key = :'v1'", key) == "t",
   "re-mirroring makes the picture item due now with a fresh count", st)
rc, out = job("mirror", "--once", "--only", "map")
ok(rc == 0 and scalar("SELECT last_status FROM enrich_items WHERE kind = 'mirror:map' AND key = :'v1'", key) == "ok",
   "and the next mirror run takes it again", rc, out[-400:])

# a rejected proposal changes nothing public
st, h, body = propose(ub, ut, key, {"field_title": "Vandalised"})
pid2 = scalar("SELECT max(id) FROM curation_proposals")
st, h, body = cb.post("/admin/curation/%s/reject" % pid2, {"csrf_token": ct, "review_note": "no"})
ok(st == 303 and scalar("SELECT status FROM curation_proposals WHERE id = :'v1'", pid2) == "rejected"
   and b"Vandalised" not in Browser().get("/bzcc/maps/" + qkey)[2], "a rejection changes nothing public", st)

audit = psql("SELECT action, target, actor_name, actor_role, coalesce(before::text, ''), coalesce(after::text, '')"
             " FROM audit_log WHERE actor_id = :'v1' ORDER BY id", str(cu))
ok([a[0] for a in audit] == ["curation.approve", "curation.remirror", "curation.reject"]
   and audit[0][1] == "proposal:" + pid and audit[0][2] == "t97-curator" and audit[0][3] == "curator",
   "the audit log has each curator action, who and on what", audit)
before, after = json.loads(audit[0][4]), json.loads(audit[0][5])
ok(before["fields"] is None and after["fields"]["title"] == "The Curated Flood" and after["image_sha256"] == sha
   and after["proposal"]["id"] == int(pid) and after["review_note"] == "thanks",
   "... with the state before and after", before, after)

# ---- a mod's name: the other kind BZCC lets people correct -------------------------------
mod = scalar("SELECT mod_id FROM bzcc.sessions WHERE id = :'v1'", sid)
st, h, body = ub.get("/curation/propose?module=bzcc&kind=mod&key=" + mod)
ok(st == 200 and b'name="field_name"' in body and b'name="field_title"' not in body,
   "the mod proposal form has the mod's fields (name)", st)
body, ctype = multipart({"csrf_token": ut, "module": "bzcc", "kind": "mod", "key": mod,
                         "field_name": "Curated Mod Name"}, ())
st, h, _ = ub.request("/curation/propose", "POST", body, {"Content-Type": ctype})
mpid = scalar("SELECT max(id) FROM curation_proposals")
st2, h, _ = cb.post("/admin/curation/%s/approve" % mpid, {"csrf_token": ct})
st3, h, page = Browser().get("/bzcc/mods/" + mod)
cur = json.loads(Browser().get("/api/v1/sessions/current")[2])
live = [s["mod"]["name"] for s in cur["sessions"] if s["id"] == sid]
h1 = re.findall(rb"<h1[^>]*>.*?</h1>", page, re.S)[:1]
ok(st == 303 and st2 == 303 and st3 == 200 and h1 and b"Curated Mod Name" in h1[0],
   "a mod's name approved: the public mod page's heading shows it", st, st2, st3, h1)
ok(live == ["Curated Mod Name"], "... and the live lobby", live)
ok(scalar("SELECT action FROM audit_log WHERE target = :'v1'", "proposal:" + mpid) == "curation.approve",
   "... audited")

# ---- admin: health, flags, cache, users, audit ---------------------------------------
ok(cb.get("/admin/health")[0] == 403 and cb.get("/admin/")[0] == 200, "a curator has /admin/ but not the admin tools")
st, h, body = ab.get("/admin/health")
ok(st == 200 and b"mirror" in body and b"ENRICHMENT_ENABLED" in body and b"mirror:map" in body
   and b"Data freshness" in body, "health: job runs, flags, queues and freshness per module", st)

st, h, _ = ab.post("/admin/flags", {"csrf_token": at, "name": "ENRICHMENT_ENABLED", "enabled": "0"})
rc, out = job("enrich", "--once")
ok(st == 303 and rc == 0 and "ENRICHMENT_ENABLED is off" in out, "ENRICHMENT_ENABLED off: enrich fetches nothing",
   st, rc, out[-300:])
ab.post("/admin/flags", {"csrf_token": at, "name": "ENRICHMENT_ENABLED", "enabled": "1"})
ok(scalar("SELECT enabled FROM feature_flags WHERE name = 'ENRICHMENT_ENABLED'") == "t", "and on again")
st, h, _ = ab.post("/admin/flags", {"csrf_token": at, "name": "POLLING_PAUSED", "enabled": "1"})
polls = count("SELECT count(*) FROM bzcc.polls")
rc, out = poll_file(os.path.join(DATA, "msl-api-v1", "2024-08-30_data.json"))
ok(rc == 0 and "paused" in out and count("SELECT count(*) FROM bzcc.polls") == polls,
   "POLLING_PAUSED: the poller polls nothing", rc, out[-300:])
ab.post("/admin/flags", {"csrf_token": at, "name": "POLLING_PAUSED", "enabled": "0"})
rc, out = poll_file(os.path.join(DATA, "msl-api-v1", "2024-08-30_data.json"))
ok(rc == 0 and count("SELECT count(*) FROM bzcc.polls") == polls + 1, "unpaused: it polls again", rc)
ok(ab.post("/admin/flags", {"csrf_token": at, "name": "NO_SUCH_FLAG", "enabled": "1"})[0] == 400,
   "an unknown flag: 400")
st, h, body = ab.get("/admin/flags")
ok(st == 200 and b"POLLING_PAUSED" in body and b"t97-admin" in body, "the flags page says who set them", st)

st, h, _ = ab.post("/admin/cache", {"csrf_token": at, "what": "refresh", "module": "bzcc"})
st2, h2, _ = ab.post("/admin/cache", {"csrf_token": at, "what": "rate"})
st3, _, _ = ab.post("/admin/cache", {"csrf_token": at, "what": "everything"})
ok(st == 303 and st2 == 303 and st3 == 400 and count(
    "SELECT count(*) FROM audit_log WHERE action = 'cache.flush' AND actor_id = :'v1'", str(au)) == 2,
   "cache controls: rebuild a module's views, flush rate limits (audited); unknown: 400", st, st2, st3)

st, h, body = ab.get("/admin/users?q=t97-")
ok(st == 200 and b"t97-user" in body and b"t97-curator" in body, "users: search by name", st)
ok(ab.get("/admin/users?role=king")[0] == 400, "an unknown role filter: 400")
st, h, _ = ab.post("/admin/users/%d/role" % uu, {"csrf_token": at, "role": "curator"})
ok(st == 303 and scalar("SELECT role FROM users WHERE id = :'v1'", str(uu)) == "curator"
   and ub.get("/admin/curation")[0] == 200, "role change: the user is a curator at once", st)
st, h, _ = ab.post("/admin/users/%d/role" % au, {"csrf_token": at, "role": "user"})
ok(st == 409 and scalar("SELECT role FROM users WHERE id = :'v1'", str(au)) == "admin",
   "an admin cannot change their own role (409)", st)
ok(ab.post("/admin/users/%d/ban" % uu, {"csrf_token": at})[0] == 400, "a ban needs a reason")
st, h, _ = ab.post("/admin/users/%d/ban" % uu, {"csrf_token": at, "reason": "spam"})
ok(st == 303 and ub.get("/account")[0] == 401 and scalar(
    "SELECT count(*) FROM web_sessions WHERE user_id = :'v1' AND revoked_at IS NULL", str(uu)) == "0",
   "a ban revokes every session of the user", st)
ok(ab.post("/admin/users/%d/ban" % au, {"csrf_token": at, "reason": "x"})[0] == 409, "an admin cannot ban themselves")
st, h, body = Browser().get("/users/%d" % uu)
ok(st == 404, "a banned user's profile is gone", st)
st, h, _ = ab.post("/admin/users/%d/unban" % uu, {"csrf_token": at})
ok(st == 303 and scalar("SELECT banned_at IS NULL FROM users WHERE id = :'v1'", str(uu)) == "t", "unban", st)
st, h, _ = ab.post("/admin/users/%d/revoke" % cu, {"csrf_token": at})
ok(st == 303 and cb.get("/admin/")[0] == 401, "sign a user out everywhere", st)
ok(ab.post("/admin/users/999999/role", {"csrf_token": at, "role": "user"})[0] == 404, "an unknown user: 404")
ban = psql("SELECT before->>'banned_at', after->>'ban_reason', after->>'banned_at' IS NOT NULL FROM audit_log"
           " WHERE action = 'user.ban' AND target = :'v1'", "user:%d" % uu)
ok(ban == [["", "spam", "t"]], "the ban is audited with before and after", ban)
st, h, body = ab.get("/admin/audit?action=user.role")
acts = set(re.findall(rb'<th scope="row" class="mono">([a-z_.]+)</th>', body))
ok(st == 200 and acts == {b"user.role"}, "the audit log page, filtered by action", st, acts)
st, h, body = ab.get("/admin/audit")
ok(st == 200 and b"curation.approve" in body and b"flag.set" in body and b"user.ban" in body,
   "the audit log page lists admin and curator actions", st)
cur2 = Browser(session=session_token(make_user("t97-curator-2", "curator")))
ok(cur2.get("/admin/audit")[0] == 403 and Browser().get("/admin/audit")[0] == 401,
   "only admins see the audit log (a curator: 403, nobody: 401)")

# ---- a module's admin form: BZCC's Discord webhooks, audited without their tokens --------
HOOK = "https://discord.com/api/webhooks/9797/t97-secret-token"
n_hooks = count("SELECT count(*) FROM bzcc.webhooks")
n_audit = count("SELECT count(*) FROM audit_log")
st, h, body = ab.post("/bzcc/admin/webhooks", {"csrf_token": at, "action": "add", "url": "https://evil.example/x"})
ok(st == 400 and count("SELECT count(*) FROM bzcc.webhooks") == n_hooks
   and count("SELECT count(*) FROM audit_log") == n_audit,
   "webhooks form: a URL that is not Discord's is refused (400), nothing stored or audited", st)
st, h, _ = ab.post("/bzcc/admin/webhooks", {"csrf_token": at, "action": "add", "url": HOOK, "hosts": ""})
wid = scalar("SELECT id FROM bzcc.webhooks WHERE url = :'v1'", HOOK)
st2, h2, body = ab.get("/bzcc/admin/webhooks")
ok(st == 303 and wid and st2 == 200 and b"/api/webhooks/9797/" in body and b"t97-secret-token" not in body,
   "webhooks form: an admin adds one (303); the list hides its token", st, wid, st2)
st, h, _ = ab.post("/bzcc/admin/webhooks", {"csrf_token": at, "action": "remove", "id": wid})
ok(st == 303 and count("SELECT count(*) FROM bzcc.webhooks WHERE id = :'v1'", wid) == 0,
   "webhooks form: and removes it (303)", st)
st, h, _ = ab.post("/bzcc/admin/webhooks", {"csrf_token": at, "action": "remove", "id": wid})
hooks = psql("SELECT action, actor_name, coalesce(before->>'url', ''), coalesce(after->>'url', '')"
             " FROM audit_log WHERE target = :'v1' ORDER BY id", "webhook:" + wid)
red = "https://discord.com/api/webhooks/9797/\u2026"
ok(st == 303 and hooks == [["webhook.add", "t97-admin", "", red], ["webhook.remove", "t97-admin", red, ""]]
   and count("SELECT count(*) FROM audit_log WHERE before::text LIKE '%t97-secret%'"
             " OR after::text LIKE '%t97-secret%'") == 0,
   "webhooks form: add and remove are audited with before/after, the token redacted; removing it again is not",
   st, hooks)

# ---- a pool of our own: lobby tester, logs, browsers ---------------------------------------
doc = load(os.path.join(DATA, "msl-api-v1", "2024-08-30_data.json"))
# an edited copy of the real capture: an address in a session's text, to see it redacted
doc["Sessions"][0]["Name"] = "host at 203.0.113.77 says hi"
served = json.dumps(doc).encode()


class Lobby(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(served)))
        self.end_headers()
        self.wfile.write(served)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Lobby)
threading.Thread(target=srv.serve_forever, daemon=True).start()
logfile = os.path.join(GW_RUN, "log", "t97-app.log")
with open(logfile, "w") as f:
    for i in range(300):
        f.write("line %d of the app log\n" % i)
os.chmod(logfile, 0o644)
sock = os.path.join(GW_RUN, "run", "t97.sock")
env = dict(os.environ, RAKNET_URL="http://reader:s3cretpw@127.0.0.1:%d/lobby?key=abc123&x=1" % srv.server_address[1],
           GW_ADMIN_LOG_FILES=logfile + ",relative/ignored.log")
pool = subprocess.Popen([os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--listen", "unix:" + sock, "--workers", "1"]
                        + (["--allow-root"] if os.geteuid() == 0 else []), env=env, stdin=subprocess.DEVNULL,
                        stdout=open(os.path.join(GW_RUN, "log", "t97-pool.log"), "ab"), stderr=subprocess.STDOUT)
try:
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.1)
    cookie = "gw_session=" + ab.cookie("gw_session")

    def get(path):
        return fcgi(sock, env_for(path, addr="127.0.0.1", HTTP_COOKIE=cookie))

    st, h, body = get("/bzcc/admin/lobby")
    ok(st == 200 and b"msl-v1: 3 sessions" in body and b"lobby-raw" in body and b"lobby-decoded" in body,
       "lobby tester: fetched now, raw beside decoded", st, body[:300])
    ok(b"203.0.113.77" not in body and b"host at *** says hi" in body, "the raw lobby is redacted (addresses)")
    ok(b"s3cretpw" not in body and b"abc123" not in body and b"http://***@127.0.0.1:" in body
       and b"key=***" in body, "and so is the source URL (credentials)")
    st, h, body = fcgi(sock, env_for("/bzcc/admin/lobby", addr="127.0.0.1"))
    ok(st == 401, "the lobby tester needs an admin", st)
    st, h, body = get("/admin/logs")
    ok(st == 200 and b"line 299 of the app log" in body and b"line 100 of the app log" in body
       and b"line 99 of the app log" not in body and b"relative/ignored" not in body,
       "logs: the last 200 lines of GW_ADMIN_LOG_FILES (absolute paths only)", st)
    ok(b"mirror" in body, "and the recent job runs")
    st, h, body = get("/bzcc/admin/sessions?state=pre_game")
    states = re.findall(rb"<td>(pre_game|in_game|post_game|unknown)</td>", body)
    ok(st == 200 and states and set(states) == {b"pre_game"}, "sessions browser: filtered by state", st, states)
    st, h, body = get("/bzcc/admin/sessions?q=vsr&live=1")
    ok(st == 200 and sid.encode() in body, "sessions browser: name and live filters", st)
    ok(get("/bzcc/admin/sessions?state=playing")[0] == 400, "sessions browser: a bad state is 400")
    st, h, body = get("/bzcc/admin/snapshots?session=" + urllib.parse.quote(sid, safe=""))
    rows = re.findall(rb'<td class="mono"><a href="/bzcc/sessions/([^"]+)">', body)
    ok(st == 200 and rows and set(rows) == {sid.encode()}, "snapshots browser: one session's snapshots",
       st, rows[:3])
    ok(get("/bzcc/admin/snapshots?from=yesterday")[0] == 400, "snapshots browser: a bad time is 400")
    st, h, body = get("/bzcc/admin/snapshots?from=2999-01-01")
    ok(st == 200 and b"No snapshots match" in body, "snapshots browser: an empty window", st)
finally:
    pool.send_signal(signal.SIGTERM)
    pool.wait(10)
    srv.shutdown()
done()
