"""gwtest: helpers for the integration tests (python3 stdlib only).

Run under tests/integration/run.sh, which starts PostgreSQL, Redis, the
FastCGI pool, lighttpd and Apache on loopback ports and exports BASE_URL,
APACHE_URL, GW_FCGID_URL, DATABASE_URL, REDIS_URL, BUILD_DIR, SRCDIR, GW_RUN.
Each check prints a TAP-like "ok - name" or "not ok - name" line; the
harness counts them.
"""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

SRCDIR = os.environ.get("SRCDIR", ".")
BUILD_DIR = os.environ.get("BUILD_DIR", "build")
BASE_URL = os.environ.get("BASE_URL", "")
APACHE_URL = os.environ.get("APACHE_URL", "")
FCGID_URL = os.environ.get("GW_FCGID_URL", "")
DATA = os.path.join(SRCDIR, "tests", "data", "bzcc")

failures = 0


def ok(cond, name, *detail):
    """Print one result line; detail lines go out as comments on failure."""
    global failures
    if cond:
        print("ok - " + name)
    else:
        failures += 1
        print("not ok - " + name)
        for d in detail:
            for line in str(d).splitlines()[:20]:
                print("#   " + line)
    sys.stdout.flush()
    return cond


def done():
    sys.exit(1 if failures else 0)


def servers():
    """(name, base URL) of every web server the harness started."""
    out = [("lighttpd", BASE_URL), ("apache-proxy-fcgi", APACHE_URL)]
    if FCGID_URL:
        out.append(("apache-fcgid", FCGID_URL))
    return [s for s in out if s[1]]


def http(url, method="GET", headers=None):
    """Return (status, headers dict lower-cased, body bytes); never raises on
    HTTP errors."""
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def get_json(url):
    status, headers, body = http(url)
    try:
        return status, headers, json.loads(body)
    except ValueError:
        return status, headers, None


def psql(sql, *params):
    """Run one query through psql (values passed as psql variables, quoted
    by psql itself with :'vN'); return rows as lists of strings."""
    args = ["psql", os.environ["DATABASE_URL"], "-X", "-q", "-At", "-F", "\t",
            "-v", "ON_ERROR_STOP=1"]
    for i, p in enumerate(params):
        args += ["-v", "v%d=%s" % (i + 1, p)]
    out = subprocess.run(args, input=sql, capture_output=True, text=True, check=True)
    return [line.split("\t") for line in out.stdout.splitlines() if line != ""]


def scalar(sql, *params):
    rows = psql(sql, *params)
    return rows[0][0] if rows else None


def job(*args, env=None):
    """Run gamewatch-job; return (exit code, combined output)."""
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([os.path.join(BUILD_DIR, "gamewatch-job")] + list(args),
                       env=e, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def poll_file(path, env=None):
    e = {"RAKNET_URL": "file://" + os.path.abspath(path)}
    e.update(env or {})
    return job("poll-bzcc", "--once", env=e)


def html_escape(s):
    """The escaping our template layer applies to text and attributes."""
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
             .replace('"', "&quot;").replace("'", "&#39;"))


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return json.loads(raw)


# Independent expectations from a capture -----------------------------------

PLACEHOLDER = "XXXXXXX@XX"


def expected_from_raw(path, oracle_file_suffix):
    """Sessions of a raw RakNet capture: from the decode oracle (names
    decoded independently of our C decoder)."""
    oracle = load(os.path.join(DATA, "oracles", "lobby-decoded-oracle.json"))
    games = None
    for entry in oracle:
        if entry["file"].endswith(oracle_file_suffix):
            games = [g for g in entry["games"] if not g["placeholder"]]
    assert games is not None, "no oracle entry for " + oracle_file_suffix
    out = []
    for g in games:
        out.append({
            "nat_id": g["g"],
            "guid": g["guid_hex16"],
            "id": "%s:%s" % (g["proxySource"] or "Rebellion", g["guid_hex16"]),
            "name": g["name"],
            "players": [p["name"] for p in g["players"]],
        })
    return out


def expected_from_msl(path):
    doc = load(path)
    out = []
    for s in doc["Sessions"]:
        out.append({
            "nat_id": s["Address"]["NAT"],
            "name": s.get("Name") or "",
            "players": [p.get("Name") or "" for p in s.get("Players") or []],
        })
    return out


# Accounts ---------------------------------------------------------------------

import hashlib
from http import cookiejar as _cookiejar
import re
import secrets
import urllib.parse


def make_user(name, role="user", identities=()):
    """A user straight in the database (for tests of what signed-in people
    do; sign-in itself is tested through its pages). identities: pairs
    (provider, external_id). Returns the id."""
    uid = int(scalar("INSERT INTO users (name, role) VALUES (:'v1', :'v2') RETURNING id",
                     name, role))
    for prov, ext in identities:
        psql("INSERT INTO user_identities (user_id, provider, external_id, profile)"
             " VALUES (:'v1', :'v2', :'v3', '{}')", str(uid), prov, ext)
    return uid


def session_token(uid, hours=24):
    """A web session for user uid stored as sign-in stores one (the SHA-256
    of a 256-bit token); returns the cookie value."""
    tok = secrets.token_hex(32)
    psql("INSERT INTO web_sessions (token_sha256, user_id, expires_at, provider)"
         " VALUES (:'v1', :'v2', now() + make_interval(hours => :'v3'::int), 'test')",
         hashlib.sha256(tok.encode()).hexdigest(), str(uid), str(hours))
    return tok


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """A cookie-keeping client for BASE_URL (or `base`) that does not follow
    redirects: get/post return (status, headers lower-cased, body bytes)."""

    def __init__(self, base=None, session=None):
        self.base = base or BASE_URL
        self.jar = _cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  NoRedirect)
        if session:
            self.set_cookie("gw_session", session)

    def set_cookie(self, name, value):
        host = urllib.parse.urlsplit(self.base).hostname
        self.jar.set_cookie(_cookiejar.Cookie(
            0, name, value, None, False, host, False, False, "/", True, False, None, False,
            None, None, {}))

    def clear_cookie(self, name):
        for c in list(self.jar):
            if c.name == name:
                self.jar.clear(c.domain, c.path, c.name)

    def cookie(self, name):
        for c in self.jar:
            if c.name == name:
                return c.value
        return None

    def request(self, path, method="GET", data=None, headers=None):
        url = path if path.startswith("http") else self.base + path
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})

        def heads(msg):
            h = {k.lower(): v for k, v in msg.items()}
            # every Set-Cookie, one per line
            if msg.get_all("Set-Cookie"):
                h["set-cookie"] = "\n".join(msg.get_all("Set-Cookie"))
            return h
        try:
            with self.opener.open(req, timeout=20) as r:
                return r.status, heads(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, heads(e.headers), e.read()

    def get(self, path, headers=None):
        return self.request(path, headers=headers)

    def post(self, path, fields=None, headers=None, json_body=None):
        h = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode()
            h.setdefault("Content-Type", "application/json")
        else:
            data = urllib.parse.urlencode(fields or {}).encode()
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return self.request(path, "POST", data, h)

    def csrf(self, page="/login"):
        """The CSRF token a page of this site gives this browser now."""
        st, h, body = self.get(page)
        m = re.search(rb'name="csrf_token" value="([0-9a-f]{64})"', body)
        return m.group(1).decode() if m else None


def db_fingerprint():
    """One md5 per table of the public and module schemas, over all its
    rows: any insert, update or delete changes it."""
    tables = psql("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
                  " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")
    out = {}
    for (t,) in tables:
        out[t] = scalar("SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY"
                        " x::text)), '') FROM %s x" % t)
    return out
