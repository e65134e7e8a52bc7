"""t70: the route table's rules, enforced by the dispatcher and nowhere else.

Through lighttpd, Apache mod_proxy_fcgi and mod_fcgid: 405 with Allow on a
method a path does not serve; 413 (JSON or HTML by the row's kind) for a
body sent to a row that takes none, declared or chunked; a JSON 400 for an
/api/ path whose percent-decoding fails (an HTML 400 for a page path).

Straight to the FastCGI pool (a small FastCGI client below, so that
REMOTE_ADDR can be a non-loopback peer): a declared length over the limit is
refused before any body arrives; rate limits give 429 with Retry-After per
client address and class, never for loopback, and fail open when Redis is
down; ROLE_OPERATOR rows refuse a non-loopback peer and admit the bearer
token. Finally the secret rule: neither the pool, a lone worker nor a job
starts without a SECRET_KEY of at least 32 bytes.

The pools started here are this script's own (own sockets, stopped by PID)."""
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import http.client
import urllib.parse

from fcgiclient import env_for, fcgi
from gwtest import BUILD_DIR, done, ok, servers

GW_RUN = os.environ["GW_RUN"]
FCGI = os.path.join(BUILD_DIR, "gamewatch.fcgi")
JOB = os.path.join(BUILD_DIR, "gamewatch-job")


def jbody(b):
    try:
        return json.loads(b)
    except ValueError:
        return None


# ---- raw HTTP through the web servers ----

def raw(url, method, path, body=None, headers=None, chunked=False):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    try:
        if chunked:
            c.putrequest(method, path)
            for k, v in (headers or {}).items():
                c.putheader(k, v)
            c.putheader("Transfer-Encoding", "chunked")
            c.endheaders()
            c.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        else:
            c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    except (OSError, http.client.HTTPException) as e:
        return 0, {}, str(e).encode()
    finally:
        c.close()


API = "/api/v1/sessions/current"
PAGE = "/bzcc/"


def check_413(name, url):
    st, h, b = raw(url, "GET", API, body=b"x" * 10, headers={"Content-Type": "text/plain"})
    e = jbody(b)
    ok(st == 413 and e and e.get("error") == "payload too large"
       and "takes no request body" in (e.get("detail") or ""),
       "%s: a 10-byte body on %s is 413 with a JSON error" % (name, API), st, b[:200])
    big = b"y" * (512 * 1024)
    st, h, b = raw(url, "GET", API, body=big)
    ok(st == 413 and jbody(b), "%s: a 512 KiB body is 413 (JSON)" % name, st, b[:200])
    st, h, b = raw(url, "GET", PAGE, body=b"z" * 100)
    ok(st == 413 and h.get("content-type", "").startswith("text/html") and b"413" in b,
       "%s: a body on the page %s is 413 with the HTML error page" % (name, PAGE), st, h)
    st, h, b = raw(url, "GET", API, body=b"chunked body", chunked=True)
    ok(st == 413 and jbody(b), "%s: a chunked body (no Content-Length) is 413" % name, st, b[:200])
    st, h, b = raw(url, "GET", API)
    ok(st == 200 and h.get("cache-control") == "no-cache",
       "%s: without a body the same request is 200 with the row's Cache-Control" % name, st, h)


for name, url in servers():
    # 405 with Allow: the path exists for GET only
    st, h, b = raw(url, "POST", API, body=b"")
    e = jbody(b)
    ok(st == 405 and h.get("allow") == "GET, HEAD" and e and e.get("error") == "method not allowed",
       "%s: POST %s is 405, Allow: GET, HEAD, JSON error" % (name, API), st, h.get("allow"), b[:200])
    st, h, b = raw(url, "DELETE", PAGE)
    ok(st == 405 and h.get("allow") == "GET, HEAD" and h.get("content-type", "").startswith("text/html"),
       "%s: DELETE %s is 405 with Allow and the HTML error page" % (name, PAGE), st, h)

    # 413: these rows take no body; a declared one and a chunked one are refused.
    # lighttpd refuses a body on GET itself ("GET/HEAD with content-length ->
    # 400", by design), before the app: the app's 413 shows through Apache
    # and straight to the pool below.
    if name == "lighttpd":
        st, h, b = raw(url, "GET", API, body=b"x" * 10)
        ok(st == 400 and h.get("server") == "lighttpd" and not jbody(b),
           "%s: refuses a body on GET itself (its own 400)" % name, st, h)
        st, h, b = raw(url, "GET", API)
        ok(st == 200 and h.get("cache-control") == "no-cache",
           "%s: without a body the same request is 200 with the row's Cache-Control" % name, st, h)
    else:
        check_413(name, url)

    # percent-decoding failures: JSON under /api/, the error page elsewhere
    st, h, b = raw(url, "GET", "/api/v1/sessions/%zz")
    e = jbody(b)
    ok(st == 400 and h.get("content-type", "").startswith("application/json") and e
       and e.get("error") == "bad request" and "percent" in (e.get("detail") or ""),
       "%s: /api/v1/sessions/%%zz is a JSON 400" % name, st, h.get("content-type"), b[:300])
    ok("cache-control" not in h, "%s: an error carries no Cache-Control" % name, h)
    st, h, b = raw(url, "GET", "/bzcc/sessions/%zz")
    ok(st == 400 and h.get("content-type", "").startswith("text/html") and b"gamewatch.css" in b,
       "%s: /bzcc/sessions/%%zz is the app's HTML 400 page" % name, st, h.get("content-type"),
       b[:300])


# ---- straight to pools of our own ----

pools = []


def start_pool(tag, **env):
    sock = os.path.join(GW_RUN, "run", "t70-%s.sock" % tag)
    log = os.path.join(GW_RUN, "log", "t70-pool-%s.log" % tag)
    e = dict(os.environ)
    e.update(env)
    e = {k: v for k, v in e.items() if v is not None}
    p = subprocess.Popen([FCGI, "--listen", "unix:" + sock, "--workers", "2"]
                         + (["--allow-root"] if os.geteuid() == 0 else []), env=e,
                         stdin=subprocess.DEVNULL, stdout=open(log, "ab"),
                         stderr=subprocess.STDOUT)
    pools.append(p)
    for _ in range(100):
        if os.path.exists(sock):
            break
        if p.poll() is not None:
            break
        time.sleep(0.1)
    return p, sock, log


def stop_pools():
    for p in pools:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


token = secrets.token_hex(24)
try:
    p, sock, log = start_pool("a", METRICS_TOKEN=token, GW_RATE_READ="3/60")
    ok(os.path.exists(sock), "own pool A started (METRICS_TOKEN, GW_RATE_READ=3/60)")

    # a declared length over the limit is refused before any body is sent
    t0 = time.time()
    st, h, b = fcgi(sock, env_for(API, addr="127.0.0.1", CONTENT_LENGTH="100000000"),
                    body=b"", send_body=False)
    ok(st == 413 and jbody(b) and time.time() - t0 < 5,
       "Content-Length 100 MB is 413 at once, no body read", st, b[:200])
    st, h, b = fcgi(sock, env_for(API, addr="127.0.0.1", CONTENT_LENGTH="12abc"))
    ok(st == 400 and jbody(b), "a malformed Content-Length is 400", st, b[:200])
    st, h, b = fcgi(sock, env_for(API, addr="127.0.0.1", HTTP_TRANSFER_ENCODING="chunked"),
                    body=b"abc")
    ok(st == 413, "a body without Content-Length on a no-body row is 413", st)

    # an error the web server found first (Apache's ErrorDocument through the app)
    st, h, b = fcgi(sock, env_for(API, addr="127.0.0.1", REDIRECT_STATUS="400"))
    ok(st == 400 and jbody(b), "REDIRECT_STATUS=400 on an /api/ path: the JSON 400", st, b[:200])
    st, h, b = fcgi(sock, env_for(API, addr="127.0.0.1", REDIRECT_STATUS="200"))
    ok(st == 200, "REDIRECT_STATUS=200 (an ordinary internal redirect) is served", st)

    # rate limit: 3 per 60 s per address for the read class
    addr = "203.0.113.%d" % (secrets.randbelow(200) + 20)
    got = [fcgi(sock, env_for(API, addr=addr)) for _ in range(4)]
    ok([g[0] for g in got[:3]] == [200, 200, 200],
       "rate: the first 3 reads from %s pass" % addr, [g[0] for g in got])
    st, h, b = got[3]
    e = jbody(b)
    ra = h.get("retry-after", "")
    ok(st == 429 and ra.isdigit() and 1 <= int(ra) <= 20 and e and e.get("error") == "too many requests",
       "rate: the 4th is 429 with Retry-After (about 20 s for one token) and a JSON body",
       st, h, b[:200])
    st, h, b = fcgi(sock, env_for("/bzcc/maps", addr=addr))
    ok(st == 429 and h.get("content-type", "").startswith("text/html") and h.get("retry-after"),
       "rate: a page of the same class answers the HTML 429", st, h)
    st, _, _ = fcgi(sock, env_for("/healthz", addr=addr))
    ok(st != 429, "rate: a RATE_NONE row is never limited", st)
    st, _, _ = fcgi(sock, env_for(API, addr="203.0.113.250"))
    ok(st == 200, "rate: another address has its own bucket", st)
    v6 = [fcgi(sock, env_for(API, addr="2001:db8:7:7::%x" % i))[0] for i in range(1, 5)]
    ok(v6 == [200, 200, 200, 429], "rate: one IPv6 /64 shares one bucket", v6)
    loop = [fcgi(sock, env_for(API, addr="127.0.0.1"))[0] for _ in range(6)]
    ok(loop == [200] * 6, "rate: loopback is not limited", loop)

    # operator rows: whichever the tables ship (e.g. /metrics)
    routes = subprocess.run([FCGI, "--routes"], capture_output=True, text=True, check=True,
                            env={"PATH": os.environ.get("PATH", "")}).stdout.splitlines()
    ok(len(routes) > 3, "gamewatch.fcgi --routes runs without SECRET_KEY", routes[:2])
    # the shipped tables' shape: every row complete, /api/ rows answer JSON,
    # no row shadowed by an earlier one with the same pattern and method
    rows = [r.split("\t") for r in routes[1:]]
    bad = [r for r in rows if len(r) != 11 or not r[1].startswith("/") or not r[0]
           or r[2] not in ("page", "api", "stream") or not r[9]
           or (r[1].startswith("/api/") and r[2] == "page")
           or r[10] != ("-" if r[7] == "0" else r[10]) or r[10] not in ("-", "parsed", "raw")]
    ok(routes[0].split("\t")[:3] == ["methods", "pattern", "kind"] and
       routes[0].split("\t")[10:] == ["body"] and not bad,
       "every shipped row is complete (a body kind when it takes a body) and /api/ rows are"
       " api or stream rows", bad)
    seen = {}
    shadowed = []
    for r in rows:
        for m in r[0].split(", "):
            if (r[1], m) in seen:
                shadowed.append((r[1], m))
            seen[(r[1], m)] = True
    ok(not shadowed, "no shipped row is shadowed by an earlier one", shadowed)
    op = [r.split("\t") for r in routes[1:] if r.split("\t")[3] == "operator"]
    op = [r[1] for r in op if "GET" in r[0] and "{" not in r[1]]
    if not op:
        print("# SKIP operator-role checks: no GET row of ROLE_OPERATOR in this build")
    for path in op:
        st, h, b = fcgi(sock, env_for(path, addr="203.0.113.9"))
        ok(st == 401 and h.get("www-authenticate", "").startswith("Bearer"),
           "%s: a non-loopback peer is refused (401, Bearer challenge)" % path, st, h)
        st, h, b = fcgi(sock, env_for(path, addr="203.0.113.9", HTTP_AUTHORIZATION="Bearer wrong"))
        ok(st == 401, "%s: a wrong token is refused" % path, st)
        st, h, b = fcgi(sock, env_for(path, addr="203.0.113.9",
                                      HTTP_AUTHORIZATION="Bearer " + token))
        ok(st == 200, "%s: the bearer token is admitted" % path, st, b[:200])
        st, h, b = fcgi(sock, env_for(path, addr="127.0.0.1"))
        ok(st == 200, "%s: a loopback peer is admitted" % path, st)
    p.send_signal(signal.SIGTERM)
    p.wait(10)

    # Redis down: rate limiting fails open, with a warning
    p, sock, log = start_pool("b", GW_RATE_READ="1/60",
                              REDIS_URL="redis://127.0.0.1:%d/0" % closed_port())
    codes = [fcgi(sock, env_for("/api/v1/maps", addr="198.51.100.7"))[0] for _ in range(4)]
    ok(all(c not in (429, 0) for c in codes), "Redis down: requests are not rate-limited", codes)
    p.send_signal(signal.SIGTERM)
    p.wait(10)
    ok("rate limiting is off" in open(log, errors="replace").read(),
       "Redis down: the pool logs that rate limiting is off")

    # secrets are never empty
    for label, value in (("unset", None), ("empty", ""), ("31 bytes", "x" * 31)):
        p, sock, log = start_pool("nokey", SECRET_KEY=value)
        try:
            rc = p.wait(10)
        except subprocess.TimeoutExpired:
            rc = None
        text = open(log, errors="replace").read()
        ok(rc == 2 and not os.path.exists(sock) and "SECRET_KEY" in text,
           "pool with SECRET_KEY %s: exits 2 with a log line, no socket" % label, rc, text[-300:])
        os.unlink(log)
    e = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    r = subprocess.run([FCGI], env=e, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=10)
    ok(r.returncode == 2 and "SECRET_KEY" in r.stderr,
       "a lone worker (mod_fcgid style) without SECRET_KEY exits 2", r.returncode, r.stderr)
    r = subprocess.run([JOB, "rollup"], env=e, capture_output=True, text=True, timeout=30)
    ok(r.returncode == 2 and "SECRET_KEY" in r.stderr and "refusing" in r.stderr,
       "gamewatch-job rollup without SECRET_KEY exits 2", r.returncode, r.stderr)
    r = subprocess.run([JOB, "rollup"], env=dict(e, SECRET_KEY="s" * 31), capture_output=True,
                       text=True, timeout=30)
    ok(r.returncode == 2 and "31 bytes" in r.stderr,
       "gamewatch-job with a 31-byte SECRET_KEY exits 2", r.returncode, r.stderr)
    ok(os.environ.get("SECRET_KEY", "") and re.fullmatch(r"[0-9a-f]{64}", os.environ["SECRET_KEY"]),
       "the harness provides SECRET_KEY as 64 hex digits")
    r = subprocess.run([JOB, "list"], env=e, capture_output=True, text=True, timeout=30)
    ok(r.returncode == 0 and "rollup" in r.stdout, "gamewatch-job list needs no SECRET_KEY",
       r.returncode, r.stderr)
finally:
    stop_pools()
done()
