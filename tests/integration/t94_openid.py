"""t94: signing in through Steam (OpenID 2.0) against a fake provider.

The harness points STEAM_OPENID_URL at 127.0.0.1:GW_FAKE_OP_PORT, where this
script starts tests/integration/fakeop.py. Through lighttpd:

* the round trip: /auth/steam sends the browser to the provider with the
  OpenID 2.0 arguments and a signed state cookie; the provider's answer at
  /auth/steam/callback is checked with check_authentication and signs the
  browser in (a user and a Steam identity are made, a 256-bit session
  token is set HttpOnly and SameSite=Lax and only its SHA-256 is stored);
* refused, with nothing signed in and no user made: a replayed assertion
  (its nonce is used up), a forged one (a field changed after signing: the
  provider says is_valid:false), one from another endpoint (a second OP:
  never asked), one whose claimed id is not a Steam profile, a return_to of
  another sign-in, a stale nonce, a cancelled sign-in, an answer without
  the state cookie;
* signing in again rotates the session, a banned user cannot sign in,
  linking a Steam identity to a signed-in local account, and the same
  identity cannot be linked to a second account."""
import hashlib
import os
import re
import urllib.parse

from fakeop import FakeOP
from gwtest import Browser, done, make_user, ok, psql, scalar, session_token

PORT = int(os.environ["GW_FAKE_OP_PORT"])
OP_URL = os.environ["STEAM_OPENID_URL"]
# accounts no other test signs in with (t76 and t98 use the capture's players)
JABBA = "76561197960287930"
GRAVES = "76561197960287931"

op = FakeOP(PORT)
evil = FakeOP(0)  # another OpenID provider on another port


def begin(b):
    """GET /auth/steam: returns the provider URL the browser is sent to."""
    st, h, _ = b.get("/auth/steam")
    return st, h, h.get("location", "")


def at_provider(url, **extra):
    """What the provider answers to the browser: the callback URL."""
    u = urllib.parse.urlsplit(url)
    q = dict(urllib.parse.parse_qsl(u.query))
    q.update(extra)
    return q, op.assertion_url(q)


def users():
    return int(scalar("SELECT count(*) FROM users"))


def sessions():
    return int(scalar("SELECT count(*) FROM web_sessions"))


try:
    # ---- the round trip ----------------------------------------------------
    b = Browser()
    st, h, loc = begin(b)
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc).query))
    base = os.environ["APP_BASE_URL"].rstrip("/")
    ok(st == 303 and loc.startswith(OP_URL + "?"), "GET /auth/steam: 303 to STEAM_OPENID_URL", st, loc)
    ok(q.get("openid.ns") == "http://specs.openid.net/auth/2.0" and q.get("openid.mode") == "checkid_setup"
       and q.get("openid.identity") == q.get("openid.claimed_id")
       == "http://specs.openid.net/auth/2.0/identifier_select"
       and q.get("openid.realm") == base + "/"
       and re.fullmatch(re.escape(base) + r"/auth/steam/callback\?state=[0-9a-f]{32}", q.get("openid.return_to", "")),
       "the OpenID 2.0 arguments: checkid_setup, identifier_select, realm, return_to with a state", q)
    ok(b.cookie("gw_signin") and "HttpOnly" in h.get("set-cookie", "") and "SameSite=Lax" in h.get("set-cookie", "")
       and "Path=/auth/" in h.get("set-cookie", "") and "Max-Age=600" in h.get("set-cookie", ""),
       "a signed state cookie (HttpOnly, SameSite=Lax, Path=/auth/)", h.get("set-cookie"))
    state_cookie = b.cookie("gw_signin")
    n_users, n_sessions = users(), sessions()
    _, cb = at_provider(loc, fake_user=JABBA)
    checks0 = op.checks()
    st, h, body = b.get(cb)
    token = b.cookie("gw_session")
    ok(st == 303 and h.get("location") == "/account", "the callback signs in: 303 to /account", st, body[:300])
    ok(op.checks() == checks0 + 1, "the relying party asked the provider (check_authentication) once",
       op.checks() - checks0)
    setc = [c for c in h.get("set-cookie", "").split("\n") if c.startswith("gw_session=")]
    setc = setc[0] if setc else ""
    ok(token and re.fullmatch(r"[0-9a-f]{64}", token) and "HttpOnly" in setc and "SameSite=Lax" in setc
       and "Secure" not in setc and "Max-Age=" in setc,
       "gw_session: 256 random bits in hex, HttpOnly, SameSite=Lax, no Secure over http, Max-Age", setc)
    ok(any(c.startswith("gw_csrf=") for c in h.get("set-cookie", "").split("\n")),
       "sign-in rotates the CSRF cookie too", h.get("set-cookie"))
    uid = scalar("SELECT user_id FROM user_identities WHERE provider = 'steam' AND external_id = :'v1'", JABBA)
    ok(uid and users() == n_users + 1, "a user and its Steam identity were made", uid)
    ok(scalar("SELECT count(*) FROM web_sessions WHERE token_sha256 = :'v1' AND user_id = :'v2'",
              hashlib.sha256(token.encode()).hexdigest(), uid) == "1"
       and scalar("SELECT count(*) FROM web_sessions WHERE token_sha256 = :'v1'", token) == "0",
       "the session is stored as the SHA-256 of the token, never the token")
    st, h, body = b.get("/account")
    ok(st == 200 and JABBA.encode() in body, "/account shows the signed-in account", st)
    ok(scalar("SELECT profile->>'profile_url' FROM user_identities WHERE external_id = :'v1'", JABBA)
       == "https://steamcommunity.com/profiles/" + JABBA, "the identity keeps the public profile URL")

    # ---- replay: the same answer again, state cookie and all -----------------
    r = Browser()
    r.set_cookie("gw_signin", state_cookie)
    n_sessions = sessions()
    st, h, body = r.get(cb)
    ok(st == 400 and b"replayed" in body and not r.cookie("gw_session") and sessions() == n_sessions,
       "a replayed assertion is refused (nonce used up): 400, no session", st, body[-400:])

    # ---- forged: a field changed after signing --------------------------------
    f = Browser()
    st, h, loc = begin(f)
    _, cb = at_provider(loc, fake_user=GRAVES)
    forged = cb.replace(GRAVES, "76561198000000001")
    n_users, n_sessions, checks0 = users(), sessions(), op.checks()
    st, h, body = f.get(forged)
    ok(st == 400 and b"forged" in body and users() == n_users and sessions() == n_sessions
       and op.checks() == checks0 + 1,
       "a forged assertion (claimed id changed): the provider says no, 400, nothing made", st, body[-400:])

    # ---- from another endpoint (which would vouch for it) ---------------------
    w = Browser()
    st, h, loc = begin(w)
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc).query))
    q["fake_user"] = GRAVES
    cb = evil.assertion_url(q)
    n_users, checks0, evil0 = users(), op.checks(), evil.checks()
    st, h, body = w.get(cb)
    ok(st == 400 and b"endpoint" in body and users() == n_users,
       "an assertion from another OpenID endpoint is refused (400)", st, body[-400:])
    ok(evil.checks() == evil0 and op.checks() == checks0,
       "... before any check_authentication: neither provider was asked", evil.checks() - evil0,
       op.checks() - checks0)
    # the other OP claiming the trusted endpoint: its signature does not hold
    st, h, loc = begin(w)
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc).query))
    q.update(fake_user=GRAVES, fake_op_endpoint=OP_URL)
    st, h, body = w.get(evil.assertion_url(q))
    ok(st == 400 and b"forged" in body and users() == n_users and evil.checks() == evil0,
       "another provider claiming the trusted endpoint: the trusted one says no (400)", st, body[-300:])

    # ---- a claimed id that is not a Steam profile ------------------------------
    c = Browser()
    st, h, loc = begin(c)
    checks0 = op.checks()
    for claimed in ("https://evil.example/openid/id/" + GRAVES,
                    "http://steamcommunity.com/openid/id/" + GRAVES,
                    "https://steamcommunity.com/openid/id/" + GRAVES + "0"):
        _, cb = at_provider(loc, fake_user=GRAVES, fake_claimed=claimed)
        c2 = Browser()
        c2.set_cookie("gw_signin", c.cookie("gw_signin"))
        st, h, body = c2.get(cb)
        ok(st == 400 and b"not a Steam account" in body, "claimed id %s is refused" % claimed, st, body[-300:])
    ok(op.checks() == checks0, "... without asking the provider", op.checks() - checks0)

    # ---- return_to of another sign-in, no state cookie, stale nonce, cancel ----
    a1, a2 = Browser(), Browser()
    _, _, loc1 = begin(a1)
    _, _, loc2 = begin(a2)
    _, cb2 = at_provider(loc2, fake_user=GRAVES)
    st, h, body = a1.get(cb2)  # a1's cookie, a2's state and return_to
    ok(st == 400 and users() == n_users, "an answer for another browser's sign-in is refused", st)
    st, h, body = Browser().get(cb2)
    ok(st == 400 and b"started from this browser" in body, "an answer without the state cookie is refused", st)
    s3 = Browser()
    _, _, loc = begin(s3)
    _, cb = at_provider(loc, fake_user=GRAVES, fake_nonce_age="900")
    st, h, body = s3.get(cb)
    ok(st == 400 and b"too old" in body, "a nonce 15 minutes old is refused", st, body[-300:])
    s4 = Browser()
    _, _, loc = begin(s4)
    _, cb = at_provider(loc, fake_user=GRAVES, fake_mode="cancel")
    st, h, body = s4.get(cb)
    ok(st == 400 and b"cancelled" in body and not s4.cookie("gw_session"), "a cancelled sign-in: 400", st)
    s5 = Browser()
    _, _, loc = begin(s5)
    _, cb = at_provider(loc, fake_user=GRAVES)
    good_state = s5.cookie("gw_signin")
    s5.clear_cookie("gw_signin")
    s5.set_cookie("gw_signin", good_state[:-1] + ("0" if good_state[-1] != "0" else "1"))
    st, h, body = s5.get(cb)
    ok(st == 400, "a state cookie whose signature was altered is refused", st)
    ok(scalar("SELECT count(*) FROM user_identities WHERE external_id = :'v1'", GRAVES) == "0",
       "after all that, nobody signed in as the victim's account")

    # ---- signing in again: same user, session rotated -------------------------
    old = b.cookie("gw_session")
    _, _, loc = begin(b)
    _, cb = at_provider(loc, fake_user=JABBA)
    st, h, body = b.get(cb)
    new = b.cookie("gw_session")
    ok(st == 303 and new and new != old and users() == n_users
       and scalar("SELECT user_id FROM user_identities WHERE external_id = :'v1'", JABBA) == uid,
       "signing in again: the same user, a new session token", st)
    ok(scalar("SELECT revoked_at IS NOT NULL FROM web_sessions WHERE token_sha256 = :'v1'",
              hashlib.sha256(old.encode()).hexdigest()) == "t",
       "the session the browser had is revoked at sign-in (rotation)")
    stale = Browser(session=old)
    st, h, body = stale.get("/account")
    ok(st == 401, "the old token no longer signs in", st)

    # ---- banned ----------------------------------------------------------------
    psql("UPDATE users SET banned_at = now(), ban_reason = 'test' WHERE id = :'v1'", uid)
    bb = Browser()
    _, _, loc = begin(bb)
    _, cb = at_provider(loc, fake_user=JABBA)
    st, h, body = bb.get(cb)
    ok(st == 403 and not bb.cookie("gw_session"), "a banned user cannot sign in (403)", st)
    st, h, body = b.get("/account")
    ok(st == 401, "and their sessions no longer count", st)
    psql("UPDATE users SET banned_at = NULL, ban_reason = NULL WHERE id = :'v1'", uid)

    # ---- linking an identity to a signed-in account ----------------------------
    lid = make_user("local-linker", identities=[("local", "local-linker")])
    lb = Browser(session=session_token(lid))
    tok = lb.csrf("/account")
    st, h, _ = lb.post("/account/link/steam", {"csrf_token": tok})
    loc = h.get("location", "")
    ok(st == 303 and loc.startswith(OP_URL), "POST /account/link/steam: 303 to the provider", st, loc)
    _, cb = at_provider(loc, fake_user=GRAVES)
    st, h, body = lb.get(cb)
    ok(st == 303 and h.get("location") == "/account"
       and scalar("SELECT user_id FROM user_identities WHERE external_id = :'v1'", GRAVES) == str(lid),
       "the Steam identity is linked to the signed-in account", st, body[-300:])
    ok(psql("SELECT provider FROM user_identities WHERE user_id = :'v1' ORDER BY id", str(lid))
       == [["local"], ["steam"]], "one account, two identities")
    other = make_user("other-linker", identities=[("local", "other-linker")])
    ob = Browser(session=session_token(other))
    st, h, _ = ob.post("/account/link/steam", {"csrf_token": ob.csrf("/account")})
    _, cb = at_provider(h.get("location", ""), fake_user=GRAVES)
    st, h, body = ob.get(cb)
    ok(st == 409 and scalar("SELECT user_id FROM user_identities WHERE external_id = :'v1'", GRAVES)
       == str(lid), "an identity of another account cannot be linked (409)", st)
    st, h, _ = Browser().post("/account/link/steam", {"csrf_token": "0" * 64})
    ok(st == 401, "linking needs a signed-in account (401)", st)
finally:
    op.close()
    evil.close()
done()
