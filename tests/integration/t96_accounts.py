"""t96: local accounts, sessions and what a user keeps.

* `gamewatch-job user`: add with a generated password (printed once) or
  one from stdin, the Argon2id hash stored with the OWASP parameters,
  duplicates and short passwords refused, role, list, passwd (which signs
  the account out everywhere).
* The login form: a wrong password is 401, the right one signs in (the CSRF
  cookie rotated, the token from before sign-in refused afterwards),
  logout revokes the session, an expired or revoked session is no session,
  "sign out everywhere else".
* Rate limits: per account whatever the address (GW_RATE_LOGIN_ACCOUNT),
  and per address from a pool of this script's own (GW_RATE_LOGIN), each a
  429 with Retry-After.
* Watchlist and saved filters (generic over modules), the public profile
  with the module's recent sessions, presence on the site and in game, the
  export of one's data and the deletion of one's account."""
import hashlib
import json
import os
import re
import signal
import subprocess
import time
import urllib.parse

from fcgiclient import env_for, fcgi
from gwtest import (BUILD_DIR, DATA, Browser, done, job, make_user, ok, poll_file, psql, scalar,
                    session_token)

JOB = os.path.join(BUILD_DIR, "gamewatch-job")
GW_RUN = os.environ["GW_RUN"]


def user_job(*args, stdin=None, env=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([JOB, "user"] + list(args), input=stdin, capture_output=True, text=True,
                       env=e, timeout=60)
    return p.returncode, p.stdout, p.stderr


def login(b, name, password, next_path=None):
    tok = b.csrf("/login")
    f = {"csrf_token": tok, "name": name, "password": password}
    if next_path:
        f["next"] = next_path
    return b.post("/login", f)


# ---- the command line ---------------------------------------------------------
rc, out, err = user_job("add", "Root", "--role", "admin")
m = re.search(r"password: ([A-Za-z0-9]{20})\n", out)
ok(rc == 0 and m, "user add without --password-stdin prints a generated password once", rc, out, err)
root_pw = m.group(1) if m else ""
ok(root_pw not in err and out.count(root_pw) == 1, "the password is not logged")
h = scalar("SELECT u.password_hash FROM users u JOIN user_identities i ON i.user_id = u.id"
           " WHERE i.provider = 'local' AND i.external_id = 'root'")
ok(h and h.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and root_pw not in h,
   "stored as Argon2id with m=19 MiB, t=2, p=1 (OWASP)", h)
ok(scalar("SELECT role FROM users WHERE name = 'Root'") == "admin", "with the role asked for")
rc, out, err = user_job("add", "root", "--password-stdin", stdin="another-long-password\n")
ok(rc == 2 and "exists" in err, "a second local account of the same name (any case) is refused", rc, err)
rc, out, err = user_job("add", "shorty", "--password-stdin", stdin="short\n")
ok(rc == 2 and "at least 12" in err and scalar("SELECT count(*) FROM users WHERE name = 'shorty'") == "0",
   "a password under 12 bytes is refused", rc, err)
rc, out, err = user_job("add", "Alice", "--password-stdin", stdin="alice-password-123\n")
ok(rc == 0 and "password" not in out, "user add --password-stdin", rc, out, err)
rc, out, err = user_job("add", "Bob", "--role", "king")
ok(rc == 2, "an unknown role is refused", rc)
rc, out, err = user_job("role", "alice", "curator")
ok(rc == 0 and scalar("SELECT role FROM users WHERE name = 'Alice'") == "curator", "user role", rc, err)
rc, out, err = user_job("role", "alice", "user")
rows = psql("SELECT a.action, a.before->>'role', a.after->>'role', a.actor_role, a.actor_name"
            " FROM audit_log a JOIN users u ON a.target = 'user:' || u.id"
            " WHERE u.name = 'Alice' AND a.action IN ('user.add', 'user.role') ORDER BY a.id")
ok([r[:4] for r in rows] == [["user.add", "", "user", "operator"], ["user.role", "user", "curator", "operator"],
                             ["user.role", "curator", "user", "operator"]]
   and all(r[4].startswith("cli:") for r in rows),
   "user add and user role are in the audit log, before and after, as the operator's actions", rows)
rc, out, err = user_job("role", "nobody-here", "curator")
ok(rc != 0 and "no local account" in err, "user role of an unknown name is refused", rc, err)
rc, out, err = user_job("list")
ok(rc == 0 and re.search(r"Root\s+admin\s+local", out) and re.search(r"Alice\s+user\s+local", out),
   "user list", out)

# ---- the login form -------------------------------------------------------------
b = Browser()
st, hd, body = login(b, "alice", "wrong-password-123")
ok(st == 401 and b"Wrong name or password" in body and not b.cookie("gw_session"), "a wrong password: 401", st)
st, hd, body = login(b, "nobody", "whatever-password")
ok(st == 401 and b"Wrong name or password" in body, "an unknown name: the same 401", st)
pre_cookie = b.cookie("gw_csrf")
pre_token = b.csrf("/login")
st, hd, body = login(b, "ALICE", "alice-password-123", "/account/watch?module=x")
ok(st == 303 and hd.get("location") == "/account/watch?module=x" and b.cookie("gw_session"),
   "the right password (name in any case): 303 to next", st, hd)
ok(b.cookie("gw_csrf") != pre_cookie, "sign-in rotates the gw_csrf cookie")
st, hd, body = login(Browser(), "alice", "alice-password-123", "//evil.example/")
ok(st == 303 and hd.get("location") == "/account", "an off-site next is ignored", hd.get("location"))
alice = int(scalar("SELECT id FROM users WHERE name = 'Alice'"))
st, hd, body = b.post("/account/sessions/revoke", {"csrf_token": pre_token})
ok(st == 403, "the CSRF token from before sign-in is refused after it (bound to the session)", st)
tok = b.csrf("/account")
st, hd, body = b.get("/account")
ok(st == 200 and b"Alice" in body, "/account as Alice", st)

# sessions: expired, revoked, sign out everywhere else, logout
other = Browser()
login(other, "alice", "alice-password-123")
st, _, _ = b.post("/account/sessions/revoke", {"csrf_token": tok})
ok(st == 303 and other.get("/account")[0] == 401 and b.get("/account")[0] == 200,
   "sign out everywhere else: the other session is gone, this one stays")
psql("UPDATE web_sessions SET expires_at = now() - interval '1 second' WHERE token_sha256 = :'v1'",
     hashlib.sha256(b.cookie("gw_session").encode()).hexdigest())
ok(b.get("/account")[0] == 401, "an expired session is no session (401)")
login(b, "alice", "alice-password-123")
tok = b.csrf("/account")
st, hd, _ = b.post("/logout", {"csrf_token": tok})
ok(st == 303 and b.get("/account")[0] == 401
   and scalar("SELECT count(*) FROM web_sessions WHERE user_id = :'v1' AND revoked_at IS NULL"
              " AND expires_at > now()", str(alice)) == "0",
   "logout revokes the session and clears the cookie", st)

# passwd signs the account out everywhere
login(b, "alice", "alice-password-123")
rc, out, err = user_job("passwd", "Alice", "--password-stdin", stdin="alice-password-456\n")
ok(rc == 0 and b.get("/account")[0] == 401, "user passwd: new password, sessions signed out", rc, err)
row = psql("SELECT actor_id IS NULL, actor_name, actor_role, after->>'sessions_revoked' FROM audit_log"
           " WHERE action = 'user.password' AND target = 'user:' || :'v1' ORDER BY id DESC LIMIT 1",
           str(alice))
ok(row and row[0][0] == "t" and row[0][1].startswith("cli:") and row[0][2] == "operator"
   and int(row[0][3]) >= 1, "user passwd is in the audit log as the operator's action", row)
st, _, _ = login(b, "alice", "alice-password-123")
ok(st == 401, "the old password no longer works", st)
st, _, _ = login(b, "alice", "alice-password-456")
ok(st == 303, "the new one does", st)
tok = b.csrf("/account")

# ---- per-account rate limit (whatever the address: loopback too) ---------------------
rc, out, err = user_job("add", "Carol", "--password-stdin", stdin="carol-password-123\n")
codes = [login(Browser(), "carol", "bad-password-000")[0] for _ in range(10)]
st, hd, body = login(Browser(), "carol", "carol-password-123")
ok(codes == [401] * 10 and st == 429 and hd.get("retry-after", "").isdigit()
   and b"Too many sign-in attempts for this account" in body,
   "the 11th attempt for one account within 5 minutes is 429 with Retry-After, even right",
   codes, st, hd.get("retry-after"))
st, _, _ = login(Browser(), "alice", "alice-password-456")
ok(st == 303, "another account is not limited by it", st)

# ---- per-address limit, from a pool of our own (as a non-loopback peer) ---------------
sock = os.path.join(GW_RUN, "run", "t96.sock")
plog = os.path.join(GW_RUN, "log", "t96-pool.log")
pool = subprocess.Popen([os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--listen", "unix:" + sock,
                         "--workers", "1"] + (["--allow-root"] if os.geteuid() == 0 else []),
                        env=dict(os.environ, GW_RATE_LOGIN="3/300", APP_BASE_URL="https://gw.example"),
                        stdin=subprocess.DEVNULL,
                        stdout=open(plog, "ab"), stderr=subprocess.STDOUT)
try:
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.1)
    got = []
    for i in range(4):
        got.append(fcgi(sock, env_for("/login", "POST", addr="198.51.100.23",
                                      CONTENT_TYPE="application/x-www-form-urlencoded",
                                      CONTENT_LENGTH="20"), body=b"name=x&password=yyyy"))
    ok([g[0] for g in got[:3]] == [403] * 3 and got[3][0] == 429 and got[3][1].get("retry-after"),
       "per address: 3 sign-in requests in 5 minutes (GW_RATE_LOGIN=3/300), the 4th is 429 with Retry-After",
       [g[0] for g in got], got[3][1])
    st, hh, body = fcgi(sock, env_for("/login", "POST", addr="198.51.100.24",
                                      CONTENT_TYPE="application/x-www-form-urlencoded",
                                      CONTENT_LENGTH="20"), body=b"name=x&password=yyyy")
    ok(st == 403, "another address has its own bucket", st)
    # over HTTPS (APP_BASE_URL https://): every cookie gets Secure
    st, hh, body = fcgi(sock, env_for("/login", addr="127.0.0.1"))
    csrf_cookie = re.search(r"gw_csrf=([0-9a-f]{64})", hh.get("set-cookie", ""))
    form_tok = re.search(rb'name="csrf_token" value="([0-9a-f]{64})"', body)
    ok(st == 200 and csrf_cookie and "; Secure" in hh.get("set-cookie", ""), "over https the CSRF cookie is Secure",
       hh.get("set-cookie"))
    form = urllib.parse.urlencode({"csrf_token": form_tok.group(1).decode() if form_tok else "",
                                   "name": "alice", "password": "alice-password-456"}).encode()
    raw = fcgi(sock, env_for("/login", "POST", addr="127.0.0.1", CONTENT_TYPE="application/x-www-form-urlencoded",
                             CONTENT_LENGTH=str(len(form)),
                             HTTP_COOKIE="gw_csrf=" + (csrf_cookie.group(1) if csrf_cookie else "")), body=form)
    sc = raw[1].get("set-cookie", "")  # the first Set-Cookie: the session's
    ok(raw[0] == 303 and sc.startswith("gw_session=") and "; Secure" in sc and "HttpOnly" in sc,
       "over https the session cookie is Secure too", raw[0], sc)
finally:
    pool.send_signal(signal.SIGTERM)
    pool.wait(10)

# ---- watchlist ------------------------------------------------------------------------
rc, out = poll_file(os.path.join(DATA, "msl-api-v1", "2024-08-30_data.json"))
ok(rc == 0, "poll the 2024-08-30 capture", out)
sid = scalar("SELECT id FROM bzcc.sessions WHERE name = 'vsr' AND ended_at IS NULL")
mkey = scalar("SELECT map_key FROM bzcc.sessions WHERE id = :'v1'", sid)
st, hd, body = b.get("/account/watch?module=bzcc&kind=map&key=%s&label=VSR+map" % urllib.parse.quote(mkey))
ok(st == 200 and b"Add to my watchlist" in body, "the watch confirmation page", st)
for kind, key, label in (("map", mkey, "VSR map"), ("session", sid, "vsr"), ("host", "steam:76561197970538803", "Graves"),
                         ("mod", "1325933293", "VSR")):
    st, hd, _ = b.post("/account/watch", {"csrf_token": tok, "module": "bzcc", "kind": kind, "key": key,
                                          "label": label})
    ok(st == 303, "watch a %s" % kind, st)
st, hd, body = b.get("/account")
ok(body.count(b'class="tag">Map</span>') == 1 and b'href="/bzcc/maps/' in body
   and b'href="/bzcc/sessions/' in body and b'href="/bzcc/players/steam:76561197970538803"' in body,
   "the account page lists the four with their module's links")
st, _, _ = b.post("/account/watch", {"csrf_token": tok, "module": "bzcc", "kind": "weather", "key": "x"})
ok(st == 400, "a kind the module does not offer is refused", st)
st, _, _ = b.post("/account/watch", {"csrf_token": tok, "module": "nomodule", "kind": "map", "key": "x"})
ok(st == 400, "an unknown module is refused", st)
st, _, _ = b.post("/account/watch/remove", {"csrf_token": tok, "module": "bzcc", "kind": "mod", "key": "1325933293"})
ok(st == 303 and scalar("SELECT count(*) FROM user_watchlist WHERE user_id = :'v1'", str(alice)) == "3",
   "remove one", st)

# ---- saved filters ------------------------------------------------------------------
path = "/bzcc/history?state=in_game&q=vsr"
st, hd, body = b.get("/account/filters/new?path=" + urllib.parse.quote(path, safe=""))
ok(st == 200 and b"Save this filter" in body, "the save-filter page", st)
st, _, _ = b.post("/account/filters", {"csrf_token": tok, "path": path, "name": "VSR games"})
fid = scalar("SELECT id FROM user_filters WHERE user_id = :'v1'", str(alice))
ok(st == 303 and fid, "save it", st)
for bad in ("//evil.example/bzcc/", "https://evil.example/bzcc/", "/nomodule/x", "/bzcc", "/bzcc/\\x"):
    st, _, _ = b.post("/account/filters", {"csrf_token": tok, "path": bad, "name": "x"})
    ok(st == 400, "a filter path %r is refused" % bad, st)
st, hd, body = b.get("/bzcc/history?state=in_game")
ok(b"/account/filters/new?path=%2Fbzcc%2Fhistory%3Fstate%3Din_game" in body, "the history page links to saving its filter")

# ---- public profile, presence ----------------------------------------------------------
gid = make_user("Lamper-site", identities=[("steam", "76561198825004088")])
gb = Browser(session=session_token(gid))
gb.get("/bzcc/")  # a page view: present
st, hd, body = Browser().get("/users/%d" % gid)
ok(st == 200 and b"Lamper-site" in body and b"Recent Battlezone: Combat Commander sessions" in body
   and b">vsr</a>" in body, "the public profile lists the module's recent sessions of their Steam account", st)
ok(Browser().get("/users/999999")[0] == 404, "an unknown user: 404")
st, hd, body = Browser().get("/api/v1/presence/site")
pres = json.loads(body)
ok(st == 200 and gid in [u["id"] for u in pres["users"]] and hd.get("cache-control") == "no-store",
   "presence/site lists a user who just viewed a page", st, pres)
st, hd, body = Browser().get("/api/v1/presence/in_game")
ig = json.loads(body)
mine = [p for p in ig["sessions"].get(sid, []) if p["user_id"] == gid]
ok(st == 200 and len(mine) == 1 and mine[0]["player_name"] == "Lamper" and mine[0]["leader"] is False
   and mine[0]["team"] == 2 and mine[0]["player_id"] == "steam:76561198825004088"
   and ig["players"] == sum(len(v) for v in ig["sessions"].values()),
   "presence/in_game maps the live session to its signed-in player", ig)

# ---- export and deletion --------------------------------------------------------------
st, hd, body = b.get("/account/export")
ex = json.loads(body) if st == 200 else {}
ok(st == 200 and hd.get("content-disposition", "").startswith("attachment")
   and ex["user"]["name"] == "Alice" and len(ex["watchlist"]) == 3 and len(ex["filters"]) == 1
   and ex["identities"][0]["provider"] == "local" and ex["sessions"],
   "the export holds the account, identities, sessions, watchlist and filters", st, body[:300])
ok(b"argon2" not in body and b.cookie("gw_session").encode() not in body
   and hashlib.sha256(b.cookie("gw_session").encode()).hexdigest().encode() not in body,
   "without the password hash or any session token")
st, _, _ = b.post("/account/delete", {"csrf_token": tok, "confirm": "yes"})
ok(st == 400 and scalar("SELECT count(*) FROM users WHERE id = :'v1'", str(alice)) == "1",
   "deletion needs the word delete", st)
st, hd, _ = b.post("/account/delete", {"csrf_token": tok, "confirm": "delete"})
left = [scalar("SELECT count(*) FROM %s WHERE %s = :'v1'" % (t, c), str(alice))
        for t, c in (("users", "id"), ("user_identities", "user_id"), ("web_sessions", "user_id"),
                     ("user_watchlist", "user_id"), ("user_filters", "user_id"))]
ok(st == 303 and left == ["0"] * 5 and b.get("/account")[0] == 401,
   "account deleted: user, identities, sessions, watchlist, filters", st, left)
nb = Browser()
st, _, _ = login(nb, "alice", "alice-password-456")
# 401, or 429 once this test has used up alice's sign-in attempts
ok(st in (401, 429) and not nb.cookie("gw_session"), "and it can no longer sign in", st)
done()
