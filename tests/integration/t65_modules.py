"""t65: the URL move of the module boundary (issue 7).

Through every web server: each root URL of the one-game app answers 301 to
the same path under /bzcc/ (query kept) and the target serves it; / is the
only enabled module's home page; the navigation points into /bzcc/. Then
two more pools on their own sockets, started with GW_MODULES naming no
built module and naming bzcc, show that the registry's enabled set decides
what exists: with none, / is the (empty) hub and /bzcc/ is 404."""
import http.client
import os
import re
import subprocess
import tempfile
import time
import urllib.parse

from gwtest import BUILD_DIR, DATA, done, http as get, ok, poll_file, servers

CAPTURE = os.path.join(DATA, "lobby", "iondriver-proxy_2024-09-15_Nielk1-MultiplayerSessionList-mock.json")
rc, out = poll_file(CAPTURE)
ok(rc == 0, "poll the IonDriver capture", out)


def raw(base, path):
    """One request without following redirects: (status, headers, body)."""
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, hdrs, body


# modules built into this binary (modules/registry.am): the module column
# of the route list (bzcc, eve, mohaa today)
MODULES_BUILT = sorted({line.split("\t")[8] for line in subprocess.run(
    [os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--routes"], capture_output=True,
    text=True).stdout.splitlines()[1:] if line.count("\t") >= 9} - {"platform"}) or ["bzcc"]
_, _, cur = get(servers()[0][1] + "/api/v1/sessions/current")
import json  # noqa: E402
sid = json.loads(cur)["sessions"][0]["id"]
LEGACY = [
    ("/sessions/" + urllib.parse.quote(sid, safe=":"), None),
    ("/history", "?limit=2"),
    ("/maps", None),
    ("/mods", "?days=30"),
    ("/analytics", None),
    ("/players/steam:76561198000000000", None),
    ("/maps/" + urllib.parse.quote("a b", safe=""), None),
    ("/mods/0", None),
]
for name, base in servers():
    for path, query in LEGACY:
        full = path + (query or "")
        st, h, _ = raw(base, full)
        ok(st == 301 and h.get("location") == "/bzcc" + full,
           "%s: %s is 301 to /bzcc%s" % (name, full, full), st, h.get("location"))
        ok("max-age=86400" in h.get("cache-control", ""),
           "%s: %s redirect is cacheable for a day" % (name, path), h.get("cache-control"))
    st, _, body = raw(base, "/bzcc/sessions/" + urllib.parse.quote(sid, safe=":"))
    ok(st == 200 and b"session" in body, "%s: the redirect target serves the session page" % name, st)
    st, _, body = raw(base, "/sessions/nope/extra")
    ok(st == 404, "%s: a root path that never existed stays 404" % name, st)
    # the front page: the only enabled module's home page, or the hub with a
    # card per module when several are built (then checked below with
    # GW_MODULES=bzcc)
    st1, _, home = raw(base, "/")
    st2, _, bz = raw(base, "/bzcc/")
    title = re.compile(rb'<h1 id="page-title"[^>]*>([^<]*)</h1>')
    if len(MODULES_BUILT) > 1:
        cards = sorted(m.decode() for m in re.findall(rb'class="hub-card" data-module="([^"]+)"', home))
        ok(st1 == 200 and st2 == 200 and cards == MODULES_BUILT
           and b'href="/bzcc/"' in home and title.search(bz).group(1) == b"Live games",
           "%s: / is the hub with a card per module %s, /bzcc/ the live page" % (name, MODULES_BUILT),
           st1, st2, cards)
    else:
        ok(st1 == 200 and st2 == 200 and title.search(home) and
           title.search(home).group(1) == title.search(bz).group(1) == b"Live games",
           "%s: / and /bzcc/ both show the live page" % name, st1, st2)
    nav = re.findall(rb'<nav class="site-nav".*?</nav>', home, re.S)
    links = re.findall(rb'href="([^"]+)"', nav[0]) if nav else []
    ok(b"/bzcc/history" in links and b"/bzcc/maps" in links and b"/history" not in links,
       "%s: the navigation links into /bzcc/" % name, links)
    # forms and links on the live page point into the module too
    ok(b'action="/bzcc/"' in bz and b'href="/history"' not in bz,
       "%s: the live page's filter form submits to /bzcc/" % name)


def fcgi_get(sock, path, env):
    """GET path from a pool over its FastCGI socket with cgi-fcgi."""
    e = dict(env, REQUEST_METHOD="GET", REQUEST_URI=path, SCRIPT_NAME="",
             SERVER_PROTOCOL="HTTP/1.1", REMOTE_ADDR="127.0.0.1", QUERY_STRING="")
    p = subprocess.run(["cgi-fcgi", "-bind", "-connect", sock], env=e, capture_output=True,
                       timeout=20)
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    m = re.search(rb"^Status: (\d+)", head, re.M)
    return (int(m.group(1)) if m else 200), head, body


def pool(modules):
    """Start a 1-worker pool with GW_MODULES=modules; returns (proc, sock, env)."""
    d = tempfile.mkdtemp(prefix="gw-t65-")
    sock = os.path.join(d, "app.sock")
    env = dict(os.environ, GW_MODULES=modules)
    p = subprocess.Popen([os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--listen", "unix:" + sock,
                          "--workers", "1"] + (["--allow-root"] if os.geteuid() == 0 else []), env=env, stdout=subprocess.DEVNULL,
                         stderr=open(os.path.join(d, "pool.log"), "wb"))
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    return p, sock, env


have_cgi_fcgi = subprocess.run(["sh", "-c", "command -v cgi-fcgi"], capture_output=True).returncode == 0
ok(have_cgi_fcgi, "cgi-fcgi (libfcgi-bin) is installed")
if have_cgi_fcgi:
    p, sock, env = pool("no-such-module")
    try:
        st, head, body = fcgi_get(sock, "/", env)
        ok(st == 200 and b"Every game on this server" in body and b'class="hub-card"' not in body,
           "GW_MODULES naming no built module: / is the empty hub", st, body[:300])
        st, _, _ = fcgi_get(sock, "/bzcc/", env)
        ok(st == 404, "GW_MODULES without bzcc: /bzcc/ is 404", st)
        st, _, body = fcgi_get(sock, "/api/v1/sessions/current", env)
        ok(st == 404 and body.startswith(b"{"), "without bzcc its API is a JSON 404", st, body[:200])
        st, _, body = fcgi_get(sock, "/healthz", env)
        h = json.loads(body) if body.startswith(b"{") else {}
        ok(st == 200 and h.get("modules") == {} and "poll" not in h,
           "/healthz lists no module and no BZCC poll", body[:300])
    finally:
        p.terminate()
        p.wait(10)
    p, sock, env = pool(" bzcc ")
    try:
        st, _, body = fcgi_get(sock, "/bzcc/", env)
        ok(st == 200 and b"Live games" in body, "GW_MODULES=' bzcc ': /bzcc/ serves", st)
        st, _, home = fcgi_get(sock, "/", env)
        ok(st == 200 and re.search(rb'<h1 id="page-title"[^>]*>Live games</h1>', home)
           and b'class="hub-card"' not in home,
           "GW_MODULES=' bzcc ': / is the only module's home page, the live page", st)
        st, _, body = fcgi_get(sock, "/healthz", env)
        h = json.loads(body) if body.startswith(b"{") else {}
        ok(list(h.get("modules", {})) == ["bzcc"] and "poll" in h,
           "/healthz reports the bzcc module and its poll", body[:300])
    finally:
        p.terminate()
        p.wait(10)
done()
