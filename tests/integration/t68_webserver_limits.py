"""t68: what the web servers do before a request reaches the app (issue 9,
faults 2 and 5).

* Request-body limits per route class in the shipped confs: a POST that
  announces 512 MiB to a GET-only page or API route is refused with 413 as
  soon as its headers arrive (we send 1 MiB of it and the answer is already
  there: nothing waited for, let alone spooled, the other 511 MiB); a
  chunked body past the limit is cut off too; small bodies still reach the
  app (which answers 405). Every route's body_max (--routes) fits the limit
  the confs give its class.
* Every error the web server raises itself on /api/ and /healthz is JSON
  {"error","detail"} (413 here; 503 from a lighttpd and an Apache whose pool
  socket does not exist), while the app's own JSON errors are passed
  through untouched."""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse

from gwtest import BUILD_DIR, SRCDIR, done, http, ok, servers

MIB = 1024 * 1024


def raw_request(base, head, body_chunks, read_timeout=10):
    """Send `head` then the body chunks over one socket, stopping early once
    the server has answered; returns (status, headers, body, bytes_sent,
    seconds)."""
    u = urllib.parse.urlparse(base)
    s = socket.create_connection((u.hostname, u.port), timeout=read_timeout)
    t0 = time.monotonic()
    sent = 0
    s.sendall(head.encode())
    s.setblocking(False)
    answer = b""
    first = None  # seconds until the first byte of the answer
    for chunk in body_chunks:
        try:
            answer += s.recv(65536)
        except BlockingIOError:
            pass
        except OSError:
            break
        if answer:
            first = time.monotonic() - t0
            break
        try:
            s.sendall(chunk)
            sent += len(chunk)
        except (BlockingIOError, OSError):
            break
    s.setblocking(True)
    s.settimeout(read_timeout)
    try:
        while True:
            if b"\r\n\r\n" in answer:
                head_part, _, rest = answer.partition(b"\r\n\r\n")
                m = re.search(rb"(?im)^content-length:\s*(\d+)", head_part)
                if m and len(rest) >= int(m.group(1)):
                    break
                if re.search(rb"(?im)^transfer-encoding:\s*chunked", head_part) and \
                        rest.endswith(b"0\r\n\r\n"):
                    break
            data = s.recv(65536)
            if not data:
                break
            if first is None:
                first = time.monotonic() - t0
            answer += data
    except OSError:
        pass
    s.close()
    # how long the server took to answer (not how long it kept the
    # connection open afterwards to drain the rest of a body)
    elapsed = first if first is not None else time.monotonic() - t0
    head_part, _, rest = answer.partition(b"\r\n\r\n")
    lines = head_part.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    if hdrs.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while rest:
            size, _, rest = rest.partition(b"\r\n")
            n = int(size.split(b";")[0] or b"0", 16)
            if not n:
                break
            body += rest[:n]
            rest = rest[n + 2:]
        rest = body
    return status, hdrs, rest, sent, elapsed


def big_post(base, path):
    announced = 512 * MIB
    head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\nConnection: close\r\n\r\n" % (path, announced))
    return raw_request(base, head, (b"x" * 65536 for _ in range(16)))


def chunked_post(base, path, total):
    head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n" % path)
    piece = b"y" * 8192
    one = b"%x\r\n%s\r\n" % (len(piece), piece)
    chunks = (one if i < total // len(piece) else b"0\r\n\r\n"
              for i in range(total // len(piece) + 1))
    return raw_request(base, head, chunks)


def is_json_error(hdrs, body):
    try:
        doc = json.loads(body)
    except ValueError:
        return False
    return (hdrs.get("content-type", "").startswith("application/json")
            and isinstance(doc.get("error"), str) and "detail" in doc)


# POST rows of the ingest class (/api/v1/ingest/, 1 MiB), when a module has them
INGEST = [c[1] for c in (r.split("\t") for r in subprocess.run(
    [os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--routes"], capture_output=True, text=True,
    check=True).stdout.splitlines()[1:]) if c[1].startswith("/api/v1/ingest/") and "POST" in c[0]]

# --- 512 MiB announced to GET routes ------------------------------------------------

for name, base in servers():
    for path in ("/bzcc/", "/api/v1/sessions/current"):
        st, h, body, sent, secs = big_post(base, path)
        ok(st == 413 and sent <= MIB and secs < 5,
           "%s: POST announcing 512 MiB to %s is a 413 after %d KiB (%.1f s)"
           % (name, path, sent // 1024, secs), st, body[:200])
        if path.startswith("/api/"):
            ok(is_json_error(h, body) and json.loads(body)["error"] == "payload too large",
               "%s: that 413 on /api/ is JSON" % name, h.get("content-type"), body[:200])
    # a chunked body (no Content-Length) of 64 MiB: answered long before
    # its end; lighttpd counts it against the limit (413), Apache streams it
    # to the app, which answers without reading it (405): neither spools it
    st, h, body, sent, secs = chunked_post(base, "/api/v1/maps", 64 * MIB)
    want = (413,) if name == "lighttpd" else (413, 405)
    ok(st in want and sent < 8 * MIB and secs < 5 and is_json_error(h, body),
       "%s: a 64 MiB chunked body to /api/ is answered (JSON %d) after %d KiB"
       % (name, st, sent // 1024), st, body[:200])
    # a small body is within the class limit: the app itself answers 405
    st, h, body, _, _ = raw_request(base, "POST /api/v1/maps HTTP/1.1\r\nHost: x\r\n"
                                    "Content-Length: 2\r\nConnection: close\r\n\r\n", iter([b"{}"]))
    ok(st == 405 and "GET" in h.get("allow", "") and is_json_error(h, body),
       "%s: a 2-byte POST reaches the app (405 with Allow, JSON)" % name, st, body[:200])
    for path in INGEST[:1]:
        # the ingest class: 512 MiB announced is refused at once, 200 KiB (over the
        # 64 KiB of /api/) reaches the app, which answers itself (no token: 400/401)
        st, h, body, sent, secs = big_post(base, path)
        ok(st == 413 and sent <= MIB and secs < 5 and is_json_error(h, body),
           "%s: POST announcing 512 MiB to %s is a JSON 413 after %d KiB (%.1f s)"
           % (name, path, sent // 1024, secs), st, body[:200])
        head = ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                % (path, 200 * 1024))
        st, h, body, sent, _ = raw_request(base, head, (b"z" * 8192 for _ in range(25)))
        ok(st in (400, 401) and sent == 200 * 1024 and is_json_error(h, body)
           and json.loads(body)["error"] != "payload too large",
           "%s: a 200 KiB POST to %s passes the web server and the app answers it (%d)"
           % (name, path, st), st, body[:200])
    st, h, body = http(base + "/api/v1/sessions/Rebellion:ffffffffffffffff")
    ok(st == 404 and json.loads(body)["error"] == "session not found",
       "%s: the app's own JSON 404 is passed through untouched" % name, body[:200])

# --- every route's body_max fits its class -----------------------------------------

run = os.environ["GW_RUN"]
lt = open(os.path.join(run, "lighttpd", "gamewatch.conf")).read()
ap = open(os.path.join(run, "apache", "proxy-fcgi", "gamewatch.conf")).read()
lt_default = int(re.search(r"(?m)^server\.max-request-size = (\d+)", lt).group(1)) * 1024
# (inside the GameWatch macro: indented)
ap_default = int(re.search(r"(?m)^\s*LimitRequestBody (\d+)", ap).group(1))
# the ingest class (game servers' telemetry): its own block in each conf
m = re.search(r'(?s)\$HTTP\["url"\] =\^ "/api/v1/ingest/" \{\s*server\.max-request-size = (\d+)', lt)
lt_ingest = int(m.group(1)) * 1024 if m else 0
m = re.search(r'(?s)<LocationMatch "\^/api/v1/ingest/">\s*LimitRequestBody (\d+)', ap)
ap_ingest = int(m.group(1)) if m else 0
m = re.search(r'(?m)^\s*<ElseIf "[^"]*-gt (\d+) && %\{REQUEST_URI\} =~ m#\^/api/v1/ingest/#">', ap)
ap_ingest_if = int(m.group(1)) if m else 0
rows = subprocess.run([os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--routes"],
                      capture_output=True, text=True, check=True).stdout.splitlines()
head = rows[0].split("\t")
col = {k: i for i, k in enumerate(head)}
too_big = []
for r in rows[1:]:
    c = r.split("\t")
    limit = min(lt_default, ap_default)
    if c[col["pattern"]].startswith("/api/v1/stream/"):
        limit = 1024
    if c[col["pattern"]] == "/curation/propose" and "POST" in c[col["methods"]]:
        # the upload class: both confs give this one path 6 MiB
        limit = 6 * MIB
        ok(re.search(r'(?m)^\$HTTP\["url"\] == "/curation/propose" \{\n  server\.max-request-size = 6144', lt)
           and re.search(r'<Location "/curation/propose">\n\s*LimitRequestBody 6291456\n', ap),
           "the confs give the curation upload its 6 MiB class")
    elif c[col["pattern"]].startswith("/api/v1/ingest/"):
        limit = min(lt_ingest, ap_ingest, ap_ingest_if)
    if int(c[col["body_max"]]) > limit:
        too_big.append("%s body_max %s > %d" % (c[col["pattern"]], c[col["body_max"]], limit))
ok(not too_big and lt_default == ap_default == 65536,
   "every route's body_max fits the web servers' limit of its class (64 KiB)", *too_big)
ok(lt_ingest == ap_ingest == ap_ingest_if == MIB,
   "the ingest class (/api/v1/ingest/) is 1 MiB in lighttpd's and Apache's confs",
   lt_ingest, ap_ingest, ap_ingest_if)

# --- the pool is down: the web servers' own 503 is JSON on /api/ -------------------

tmp = tempfile.mkdtemp(prefix="t68-", dir=run)
script = r"""
set -u
. "$SRCDIR/tests/lib/services.sh"
gw_services_init "$1" || exit 1
gw_share "$BUILD_DIR"
gw_lighttpd_start "$BUILD_DIR" "$SRCDIR" >/dev/null 2>&1 || exit 2
gw_apache_start "$BUILD_DIR" "$SRCDIR" proxy-fcgi >/dev/null 2>&1 || exit 3
echo "$GW_LIGHTTPD_URL $APACHE_URL"
"""
p = subprocess.run(["bash", "-c", script, "t68", tmp], capture_output=True, text=True,
                   timeout=120)
urls = p.stdout.split()
ok(p.returncode == 0 and len(urls) == 2, "a lighttpd and an Apache with no pool behind them",
   p.stdout, p.stderr[-500:])
try:
    for label, base in zip(("lighttpd", "apache-proxy-fcgi"), urls):
        for path in ("/api/v1/sessions/current", "/healthz"):
            st, h, body = http(base + path)
            ok(st in (502, 503) and is_json_error(h, body),
               "%s without the pool: %s is a JSON %d" % (label, path, st),
               h.get("content-type"), body[:200])
        st, h, body = http(base + "/bzcc/")
        ok(st in (502, 503) and not h.get("content-type", "").startswith("application/json"),
           "%s without the pool: a page keeps the server's own error page (%d)" % (label, st))
finally:
    subprocess.run(["bash", "-c", '. "$SRCDIR/tests/lib/services.sh"; gw_stop_all "$1"',
                    "t68", tmp], timeout=60)
    shutil.rmtree(tmp, ignore_errors=True)
done()
