"""t95: every state-changing route and every route with a role, walked from
the route table itself (`gamewatch.fcgi --routes`), so that a route added
later is exercised without anyone listing it here.

For each row whose methods include more than GET, or whose role is not
public, through lighttpd:
* without a session: 401 for a row with an account role; a public
  state-changing row (the sign-in form) is 403 without its CSRF token;
* with a role too low (a user on a curator row, a user and a curator on an
  admin row): 403; a banned user's session counts as none: 401;
* with the right role but no CSRF token, a token of another session, the
  token the browser had before signing in, or a malformed one: 403;
* and nothing in the database changed: every table of every schema has the
  same rows before and after (an md5 over each table's rows).

Every state-changing row must have csrf set (a machine-ingest row of
RATE_INGEST, authenticated its own way, is listed as such, and must
answer 401 without its server token). Controls, so
that the refusals are not an artefact of broken test sessions: each GET
row with a role answers the right role without 401/403, and one POST row
accepts the right role with the right token."""
import os
import re
import subprocess
import urllib.parse

from gwtest import BUILD_DIR, Browser, db_fingerprint, done, make_user, ok, psql, session_token

out = subprocess.run([os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--routes"], capture_output=True,
                     text=True, check=True).stdout.splitlines()
head = out[0].split("\t")
col = {n: i for i, n in enumerate(head)}
rows = [dict(zip(head, line.split("\t"))) for line in out[1:]]
guarded = [r for r in rows if r["methods"] not in ("GET, HEAD",) or r["role"] != "public"]
ok(len(guarded) >= 40, "the route table has %d rows with a role or a state-changing method" % len(guarded))
LEVEL = {"user": 1, "curator": 2, "admin": 3}

# state-changing rows must be CSRF rows
no_csrf = []
for r in rows:
    unsafe = [m for m in r["methods"].split(", ") if m not in ("GET", "HEAD")]
    if unsafe and r["csrf"] != "csrf":
        if r["rate"] == "ingest":
            print("# SKIP %s %s: machine ingest (authenticated by its module, not by a browser session)"
                  % (r["methods"], r["pattern"]))
        else:
            no_csrf.append("%s %s" % (r["methods"], r["pattern"]))
ok(not no_csrf, "every state-changing row has csrf set", *no_csrf)

# people: one per role, and a banned user; each with a session and the
# CSRF token that session's pages carry
people = {}
pre_tokens = {}
for role in ("user", "curator", "admin"):
    uid = make_user("guard-" + role, role)
    b = Browser()
    pre_tokens[role] = b.csrf("/login")  # the token of this browser before signing in
    b.set_cookie("gw_session", session_token(uid))
    people[role] = (b, b.csrf("/account"))
    ok(people[role][1] is not None and people[role][1] != pre_tokens[role],
       "a %s session gets its own CSRF token (not the one from before sign-in)" % role)
bid = make_user("guard-banned", "admin")
banned = Browser(session=session_token(bid))
banned_token = people["admin"][1]
psql("UPDATE users SET banned_at = now(), ban_reason = 't95' WHERE id = :'v1'", str(bid))
anon = Browser()
anon_token = anon.csrf("/login")


def url(pattern):
    """A concrete path for a pattern: each {x} a plausible segment."""
    def seg(m):
        name = m.group(1)
        return {"provider": "steam", "session_id": urllib.parse.quote("Rebellion:0000000000000001", safe=""),
                "id": "1"}.get(name, "1")
    return re.sub(r"\{([^}]+)\}", seg, pattern)


def send(b, method, path, token=None, header=False):
    headers = {"Accept": "application/json"}
    fields = {"x": "1"}
    if token is not None and header:
        headers["X-CSRF-Token"] = token
    elif token is not None:
        fields["csrf_token"] = token
    if method in ("GET", "HEAD"):
        return b.request(path, method, None, headers)[0]
    return b.post(path, fields, headers)[0] if method == "POST" else b.request(
        path, method, urllib.parse.urlencode(fields).encode(),
        dict(headers, **{"Content-Type": "application/x-www-form-urlencoded"}))[0]


before = db_fingerprint()
problems = []
checked = 0
for r in guarded:
    path = url(r["pattern"])
    role = r["role"]
    for m in r["methods"].split(", "):
        if m == "HEAD":
            continue
        unsafe = m != "GET"
        if role in LEVEL:
            st = send(anon, m, path, anon_token)
            if st != 401:
                problems.append("%s %s without a session: %d (want 401)" % (m, path, st))
            st = send(banned, m, path, banned_token)
            if st != 401:
                problems.append("%s %s as a banned user: %d (want 401)" % (m, path, st))
            for low in LEVEL:
                if LEVEL[low] < LEVEL[role]:
                    b, tok = people[low]
                    st = send(b, m, path, tok)
                    if st != 403:
                        problems.append("%s %s as %s: %d (want 403)" % (m, path, low, st))
            who = people[role]
        elif role == "operator":
            continue  # t70 covers the operator role
        elif ":" in role:
            # a module's own rule (route.h ROLE_MODULE, e.g. eve's
            # "battle-reports:director"): its module's tests check who
            # passes; here no state-changing request of an anonymous
            # browser passes, with or without its CSRF token
            if unsafe:
                for label, t in (("no token", None), ("its own token", anon_token)):
                    st = send(anon, m, path, t)
                    if st not in (401, 403):
                        problems.append("%s %s (%s) anonymous with %s: %d (want 401 or 403)"
                                        % (m, path, role, label, st))
            checked += 1
            continue
        else:
            who = (anon, anon_token)
        if unsafe and r["csrf"] != "csrf":
            # machine ingest (listed above): no browser session or CSRF
            # token means anything to it; without its module's server token
            # it is 401
            st = send(anon, m, path, None)
            if st != 401:
                problems.append("%s %s without a server token: %d (want 401)" % (m, path, st))
        elif unsafe:
            b, tok = who
            other = people["user" if who is not people["user"] else "curator"][1]
            pre = pre_tokens.get(role)
            for label, t, hdr in (("no token", None, False), ("another session's token", other, True),
                                  ("a token from before sign-in", pre, False),
                                  ("a malformed token", "0" * 63 + "g", True),
                                  ("an all-zero token", "0" * 64, False)):
                if label == "a token from before sign-in" and b is anon:
                    continue  # nobody signed in: this is the right token
                if label == "another session's token" and b is anon:
                    t = people["user"][1]
                st = send(b, m, path, t, hdr)
                if st != 403:
                    problems.append("%s %s as %s with %s: %d (want 403)" % (m, path, role, label, st))
        checked += 1
after = db_fingerprint()
ok(checked >= 40, "%d (method, route) pairs exercised" % checked)
ok(not problems, "each refused with 401 or 403 as its row says", *problems)
changed = [t for t in before if before[t] != after.get(t)] + [t for t in after if t not in before]
ok(not changed, "nothing changed in the database (%d tables compared)" % len(before), *changed)

# controls: the right role passes the guard
fails = []
for r in guarded:
    if r["role"] not in LEVEL or "GET" not in r["methods"].split(", "):
        continue
    b, tok = people[r["role"]]
    st = send(b, "GET", url(r["pattern"]))
    if st in (401, 403):
        fails.append("GET %s as %s: %d" % (r["pattern"], r["role"], st))
ok(not fails, "control: every GET row with a role admits that role", *fails)
b, tok = people["user"]
st = send(b, "POST", "/account/watch/remove", tok)
ok(st == 400, "control: the right session and token pass the guard (the handler's own 400)", st)
st = b.post("/account/watch/remove", {"csrf_token": tok, "module": "bzcc", "kind": "map", "key": "x"})[0]
ok(st == 303, "control: and a complete form is done (303)", st)
done()
