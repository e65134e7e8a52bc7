"""t99: EVE SSO sign-in (OAuth 2.0 authorization code with PKCE, a JWT
access token checked against the issuer's JWKS) against a fake issuer.

The harness points EVE_SSO_URL at 127.0.0.1:GW_FAKE_SSO_PORT, where this
script starts tests/integration/fakesso.py with a key it generates. Through
lighttpd:

* the round trip: /auth/eve sends the browser to the issuer's authorize
  endpoint (from its metadata) with the client id, the callback, a state
  and an S256 challenge; the callback exchanges the code (HTTP Basic with
  the client secret, the verifier, which the issuer checks against the
  challenge) and the verified token signs the browser in as the character:
  a user with an identity ("eve", character id, the token's name);
* a second character links to the same account (several per account), and
  the same character cannot be linked to a second account;
* refused, with nothing linked and nobody signed in: a token signed with a
  key the issuer never published (same kid), one naming an unpublished
  kid, an expired one, one for another client (aud), one without the
  "EVE Online" audience, one from another issuer (iss), HS256 keyed with
  the public key, alg none; a callback whose state is not this browser's
  or whose state cookie was altered (the code is never exchanged); a code
  presented in another sign-in (its PKCE verifier does not match: the
  issuer refuses the exchange); a code used twice; an error answer."""
import hashlib
import base64
import os
import re
import urllib.parse

from fakesso import FakeSSO
from gwtest import Browser, done, ok, psql, scalar

PORT = int(os.environ["GW_FAKE_SSO_PORT"])
CLIENT = os.environ["EVE_SSO_CLIENT_ID"]
BASE = os.environ["APP_BASE_URL"].rstrip("/")
# characters no other test uses
PILOT, ALT, THIRD = "2112990001", "2112990002", "2112990003"

sso = FakeSSO(PORT, CLIENT, os.environ["EVE_SSO_CLIENT_SECRET"])


def begin(b, path="/auth/eve", csrf=None):
    """Start a sign-in (or a link, with csrf): the authorize URL."""
    if csrf:
        st, h, body = b.post(path, {"csrf_token": csrf})
    else:
        st, h, body = b.get(path)
    return st, h, h.get("location", ""), body


def at_issuer(url, **fake):
    """The browser at the issuer: its 302 back to the callback (a path)."""
    u = urllib.parse.urlsplit(url)
    q = dict(urllib.parse.parse_qsl(u.query))
    q.update({"fake_" + k: v for k, v in fake.items()})
    st, h, body = Browser(base=sso.base).get(u.path + "?" + urllib.parse.urlencode(q))
    loc = h.get("location", "")
    ok(st == 302 and loc.startswith(BASE + "/auth/eve/callback?"), "the issuer sends the browser back", st, body)
    return loc[len(BASE):], q


def eve_identities():
    return int(scalar("SELECT count(*) FROM user_identities WHERE provider = 'eve'"))


def sessions():
    return int(scalar("SELECT count(*) FROM web_sessions"))


def refused(label, tweak, want):
    """A sign-in whose token the fake issuer spoils with `tweak`."""
    b = Browser()
    _, _, loc, _ = begin(b)
    cb, _ = at_issuer(loc, character=THIRD, tweak=tweak)
    n_ids, n_sessions, n_tok = eve_identities(), sessions(), len(sso.token_requests)
    st, h, body = b.get(cb)
    ok(st == 400 and want.encode() in body and not b.cookie("gw_session"),
       "%s: 400 (%s), not signed in" % (label, want), st, body[-500:])
    ok(eve_identities() == n_ids and sessions() == n_sessions
       and len(sso.token_requests) == n_tok + 1 and sso.token_requests[-1]["result"] == "ok",
       "%s: the code was exchanged, the token refused, nothing linked" % label)


try:
    # ---- the sign-in page offers the provider -------------------------------
    st, h, body = Browser().get("/login")
    ok(st == 200 and b'href="/auth/eve"' in body and b"Sign in through EVE Online" in body,
       "/login offers EVE Online beside Steam", st)

    # ---- the round trip ------------------------------------------------------
    b = Browser()
    st, h, loc, _ = begin(b)
    u = urllib.parse.urlsplit(loc)
    q = dict(urllib.parse.parse_qsl(u.query))
    ok(st == 303 and loc.startswith(sso.base + "/v2/oauth/authorize?"),
       "GET /auth/eve: 303 to the authorize endpoint the metadata names", st, loc)
    ok(q.get("response_type") == "code" and q.get("client_id") == CLIENT
       and q.get("redirect_uri") == BASE + "/auth/eve/callback" and q.get("scope") == "publicData"
       and re.fullmatch(r"[0-9a-f]{32}", q.get("state", ""))
       and re.fullmatch(r"[A-Za-z0-9_-]{43}", q.get("code_challenge", ""))
       and q.get("code_challenge_method") == "S256",
       "the authorization request: code, client, callback, scope, state, S256 challenge", q)
    ok(b.cookie("gw_signin") and b.cookie("gw_signin").startswith(q.get("state", "-") + ".")
       and "HttpOnly" in h.get("set-cookie", "") and "Path=/auth/" in h.get("set-cookie", ""),
       "the state is bound to this browser by the signed gw_signin cookie", h.get("set-cookie"))
    st2, _, loc2, _ = begin(Browser())
    q2 = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc2).query))
    ok(q2.get("state") != q.get("state") and q2.get("code_challenge") != q.get("code_challenge"),
       "each sign-in has its own state and challenge")
    n_users = int(scalar("SELECT count(*) FROM users"))
    cb, _ = at_issuer(loc, character=PILOT, name="Aura Vex")
    st, h, body = b.get(cb)
    ok(st == 303 and h.get("location") == "/account" and b.cookie("gw_session"),
       "the callback signs in: 303 to /account with a session", st, body[-400:])
    tr = sso.token_requests[-1]
    verifier = tr["form"].get("code_verifier", "")
    ok(tr["result"] == "ok" and tr["basic"].startswith("Basic ")
       and re.fullmatch(r"[A-Za-z0-9._~-]{43,128}", verifier)
       and base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
       == q["code_challenge"]
       and tr["form"].get("redirect_uri") == BASE + "/auth/eve/callback" and "client_id" not in tr["form"],
       "the code was exchanged with HTTP Basic and the verifier of the challenge", tr)
    uid = scalar("SELECT user_id FROM user_identities WHERE provider = 'eve' AND external_id = :'v1'", PILOT)
    ok(uid and int(scalar("SELECT count(*) FROM users")) == n_users + 1,
       "a user with the character's identity was made", uid)
    prof = psql("SELECT profile->>'name', profile->>'profile_url', u.name FROM user_identities i"
                " JOIN users u ON u.id = i.user_id WHERE provider = 'eve' AND external_id = :'v1'", PILOT)
    ok(prof and prof[0] == ["Aura Vex", "https://evewho.com/character/" + PILOT, "Aura Vex"],
       "the character's name comes from the token's name claim", prof)
    st, h, body = b.get("/account")
    ok(st == 200 and PILOT.encode() in body and b"Link a EVE Online account" in body,
       "/account shows the character and offers to link another", st)
    ok(sso.hits.get("/oauth/jwks", 0) >= 1 and sso.hits.get("/.well-known/oauth-authorization-server", 0) >= 1,
       "the keys came from the jwks_uri of the issuer's metadata", sso.hits)

    # ---- a second character on the same account --------------------------------
    tok = b.csrf("/account")
    st, h, loc, _ = begin(b, "/account/link/eve", tok)
    ok(st == 303 and loc.startswith(sso.base + "/v2/oauth/authorize?"), "POST /account/link/eve: to the issuer", st)
    cb, _ = at_issuer(loc, character=ALT, name="Aura Alt")
    st, h, body = b.get(cb)
    ok(st == 303 and h.get("location") == "/account", "the second character is linked: 303 /account", st, body[-300:])
    ok(scalar("SELECT count(*) FROM user_identities WHERE provider = 'eve' AND user_id = :'v1'", uid) == "2",
       "one account, two characters")
    # the same character for another account: refused
    other = Browser()
    _, _, loc, _ = begin(other)
    cb, _ = at_issuer(loc, character=THIRD, name="Third Pilot")
    st, h, body = other.get(cb)
    ok(st == 303 and other.cookie("gw_session"), "another account signs in with its own character", st)
    tok = other.csrf("/account")
    _, _, loc, _ = begin(other, "/account/link/eve", tok)
    cb, _ = at_issuer(loc, character=ALT)
    st, h, body = other.get(cb)
    ok(st == 409 and scalar("SELECT user_id FROM user_identities WHERE provider = 'eve' AND external_id = :'v1'",
                            ALT) == uid,
       "a character linked to one account cannot be linked to another (409)", st, body[-300:])
    psql("DELETE FROM users WHERE id = (SELECT user_id FROM user_identities WHERE provider = 'eve'"
         " AND external_id = :'v1')", THIRD)

    # ---- tokens the issuer spoils -----------------------------------------------
    refused("a token signed with an unpublished key (same kid)", "wrong_key", "signature does not verify")
    refused("an expired token", "expired", "expired")
    refused("a token for another client", "wrong_aud", "(aud)")
    refused("a token without the EVE Online audience", "no_eve_aud", "(aud)")
    refused("a token from another issuer", "wrong_iss", "(iss)")
    refused("HS256 keyed with the public key", "hs256", "not RS256")
    refused("alg none", "none", "not a compact JWS")
    refused("a token naming a key the issuer does not publish", "other_kid", "does not publish")

    # ---- state ---------------------------------------------------------------------
    a1, a2 = Browser(), Browser()
    _, _, loc1, _ = begin(a1)
    _, _, loc2, _ = begin(a2)
    cb2, _ = at_issuer(loc2, character=THIRD)
    n_ids, n_tok = eve_identities(), len(sso.token_requests)
    st, h, body = a1.get(cb2)  # a1's cookie, a2's state
    ok(st == 400 and b"started from this browser" in body and not a1.cookie("gw_session"),
       "a callback with another browser's state is refused (400)", st, body[-300:])
    st, h, body = Browser().get(cb2)
    ok(st == 400, "a callback without the state cookie is refused", st)
    good = a2.cookie("gw_signin")
    a2.clear_cookie("gw_signin")
    a2.set_cookie("gw_signin", good[:-1] + ("0" if good[-1] != "0" else "1"))
    st, h, body = a2.get(cb2)
    ok(st == 400 and not a2.cookie("gw_session"), "a state cookie whose signature was altered is refused", st)
    ok(len(sso.token_requests) == n_tok and eve_identities() == n_ids,
       "a bad state: the code was never exchanged, nothing linked")

    # ---- PKCE: a code carried into another sign-in -------------------------------
    victim, thief = Browser(), Browser()
    _, _, vloc, _ = begin(victim)
    vcb, _ = at_issuer(vloc, character=THIRD)
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(vcb).query))["code"]
    _, _, tloc, _ = begin(thief)
    tstate = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(tloc).query))["state"]
    n_ids, n_tok = eve_identities(), len(sso.token_requests)
    st, h, body = thief.get("/auth/eve/callback?" + urllib.parse.urlencode({"code": code, "state": tstate}))
    ok(st == 400 and b"refused the code" in body and not thief.cookie("gw_session"),
       "a code presented in another sign-in: its verifier does not match, 400", st, body[-400:])
    ok(len(sso.token_requests) == n_tok + 1 and sso.token_requests[-1]["result"] == "invalid_grant"
       and eve_identities() == n_ids,
       "the issuer refused the exchange (invalid_grant), nothing linked", sso.token_requests[-1].get("result"))

    # ---- a code used twice, an error answer ----------------------------------------
    r1 = Browser()
    _, _, loc, _ = begin(r1)
    cb, _ = at_issuer(loc, character=PILOT, name="Aura Vex")
    st, h, body = r1.get(cb)
    ok(st == 303 and r1.cookie("gw_session"), "signing in again as the first character", st)
    ok(scalar("SELECT user_id FROM user_identities WHERE provider = 'eve' AND external_id = :'v1'", PILOT) == uid,
       "... is the same account")
    r2 = Browser()
    _, _, loc, _ = begin(r2)
    st_cookie = r2.cookie("gw_signin")
    cb_state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc).query))["state"]
    code_used = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(cb).query))["code"]
    st, h, body = r2.get("/auth/eve/callback?" + urllib.parse.urlencode({"code": code_used, "state": cb_state}))
    ok(st == 400 and b"refused the code" in body, "a code used before is refused", st, body[-300:])
    e = Browser()
    _, _, loc, _ = begin(e)
    estate = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc).query))["state"]
    st, h, body = e.get("/auth/eve/callback?" + urllib.parse.urlencode(
        {"error": "access_denied", "error_description": "The user <b>cancelled</b>", "state": estate}))
    ok(st == 400 and b"access_denied" in body and b"<b>" not in body and not e.cookie("gw_session"),
       "an error answer (the player cancelled) is refused, its text escaped", st, body[-300:])

    # ---- nothing of the secret leaks -------------------------------------------
    logs = ""
    for f in ("pool.log",):
        path = os.path.join(os.environ.get("GW_RUN", ""), "log", f)
        if os.path.exists(path):
            logs += open(path, errors="replace").read()
    ok(os.environ["EVE_SSO_CLIENT_SECRET"] not in logs and verifier not in logs,
       "neither the client secret nor a verifier is in the web log")
finally:
    sso.close()
done()
