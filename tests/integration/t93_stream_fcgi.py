"""t93: gamewatch-stream spoken to directly in FastCGI, as a web server
would: FCGI_GET_VALUES (no multiplexing), FCGI_KEEP_CONN (a second request
on the same connection), a second FCGI_BEGIN_REQUEST during a stream
(FCGI_CANT_MPX_CONN), FCGI_ABORT_REQUEST ending a stream, and the cap of
streams per client address (STREAM_MAX_PER_ADDR, GW_TRUST_LOOPBACK=0). A
private gamewatch-stream on its own socket, with those settings."""
import os
import socket
import struct
import subprocess
import time

from gwtest import BUILD_DIR, DATA, done, ok, poll_file

rc, out = poll_file(os.path.join(DATA, "msl-api-v1", "2024-10-25_lobby-7.json"))
ok(rc == 0, "poll a capture (the rooms need a lobby)", out)
RUN = os.environ["GW_RUN"]
SOCK = os.path.join(RUN, "run", "t93.sock")
env = dict(os.environ, GW_TRUST_LOOPBACK="0", STREAM_MAX_PER_ADDR="2", STREAM_STATS_SECONDS="0")
args = [os.path.join(BUILD_DIR, "gamewatch-stream"), "--listen", "unix:" + SOCK]
if os.geteuid() == 0:
    args.append("--allow-root")
log = open(os.path.join(RUN, "log", "t93-stream.log"), "ab")
proc = subprocess.Popen(args, env=env, stdout=log, stderr=log)
for _ in range(100):
    if os.path.exists(SOCK):
        break
    time.sleep(0.1)


def rec(t, rid, content=b""):
    return struct.pack(">BBHHBB", 1, t, rid, len(content), 0, 0) + content


def pair(n, v):
    def ln(x):
        return bytes([x]) if x < 128 else struct.pack(">I", x | 0x80000000)
    return ln(len(n)) + ln(len(v)) + n + v


def request(rid, uri, keep=False, method="GET", addr="127.0.0.1"):
    params = b"".join(pair(k.encode(), v.encode()) for k, v in (
        ("REQUEST_METHOD", method), ("REQUEST_URI", uri), ("REMOTE_ADDR", addr),
        ("SERVER_PROTOCOL", "HTTP/1.1")))
    return (rec(1, rid, struct.pack(">HB5x", 1, 1 if keep else 0)) + rec(4, rid, params) + rec(4, rid)
            + rec(5, rid))


class Conn:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(5)
        self.s.connect(SOCK)
        self.buf = b""

    def send(self, b):
        self.s.sendall(b)

    def records(self, until, timeout=5):
        """Read records until until(records) is true; returns them as (type, id, content)."""
        out = []
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            while len(self.buf) >= 8:
                _, t, rid, clen, plen, _ = struct.unpack(">BBHHBB", self.buf[:8])
                if len(self.buf) < 8 + clen + plen:
                    break
                out.append((t, rid, self.buf[8:8 + clen]))
                self.buf = self.buf[8 + clen + plen:]
            if until(out):
                return out
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            self.buf += chunk
        return out

    def closed(self, timeout=3):
        self.s.settimeout(timeout)
        try:
            return self.s.recv(1) == b""
        except socket.timeout:
            return False


def stdout_of(recs, rid):
    return b"".join(c for t, r, c in recs if t == 6 and r == rid)


has_end = lambda rid: (lambda rs: any(t == 3 and r == rid for t, r, _ in rs))

c = Conn()
c.send(rec(9, 0, pair(b"FCGI_MPXS_CONNS", b"") + pair(b"FCGI_MAX_CONNS", b"")))
rs = c.records(lambda rs: any(t == 10 for t, _, _ in rs))
vals = [x for t, _, x in rs if t == 10]
ok(vals and pair(b"FCGI_MPXS_CONNS", b"0") in vals[0], "FCGI_GET_VALUES: FCGI_MPXS_CONNS is 0", rs)

# keep-conn: two requests on one connection
c.send(request(1, "/api/v1/stream/sessions", keep=True, method="HEAD"))
rs = c.records(has_end(1))
out = stdout_of(rs, 1)
ok(out.startswith(b"Status: 200") and b"text/event-stream" in out and has_end(1)(rs),
   "HEAD of a stream: the headers, then FCGI_END_REQUEST", out[:200])
c.send(request(2, "/api/v1/stream/nowhere", keep=True))
rs = c.records(has_end(2))
ok(stdout_of(rs, 2).startswith(b"Status: 404") and has_end(2)(rs),
   "FCGI_KEEP_CONN: a second request on the same connection is answered")
c.send(request(3, "/api/v1/stream/nowhere", keep=False))
rs = c.records(has_end(3))
ok(has_end(3)(rs) and c.closed(), "without FCGI_KEEP_CONN the connection closes after the answer")

# a stream, then a second request on its connection: refused, the stream goes on
d = Conn()
d.send(request(1, "/api/v1/stream/sessions"))
rs = d.records(lambda rs: b"event: snapshot" in stdout_of(rs, 1))
ok(b"event: snapshot" in stdout_of(rs, 1), "a stream starts with its snapshot")
d.send(request(2, "/api/v1/stream/sessions"))
rs = d.records(has_end(2))
ends = [x for t, r, x in rs if t == 3 and r == 2]
ok(ends and ends[0][4] == 1, "a second FCGI_BEGIN_REQUEST during a stream: FCGI_CANT_MPX_CONN", rs)
d.send(rec(2, 1))
rs = d.records(has_end(1))
ok(has_end(1)(rs) and d.closed(), "FCGI_ABORT_REQUEST ends the stream (FCGI_END_REQUEST, then close)")

# streams per address
conns = []
for i in range(3):
    e = Conn()
    e.send(request(1, "/api/v1/stream/sessions", addr="203.0.113.9"))
    conns.append((e, e.records(lambda rs: stdout_of(rs, 1).count(b"\r\n\r\n") > 0)))
st = [stdout_of(rs, 1)[:12] for _, rs in conns]
ok(st[0].startswith(b"Status: 200") and st[1].startswith(b"Status: 200") and st[2].startswith(b"Status: 429"),
   "STREAM_MAX_PER_ADDR=2: the third stream from one address is 429", st)
other = Conn()
other.send(request(1, "/api/v1/stream/sessions", addr="203.0.113.10"))
rs = other.records(lambda rs: b"\r\n\r\n" in stdout_of(rs, 1))
ok(stdout_of(rs, 1).startswith(b"Status: 200"), "another address is not limited by it")
conns[0][0].s.close()
time.sleep(0.5)
f = Conn()
f.send(request(1, "/api/v1/stream/sessions", addr="203.0.113.9"))
rs = f.records(lambda rs: b"\r\n\r\n" in stdout_of(rs, 1))
ok(stdout_of(rs, 1).startswith(b"Status: 200"), "a closed stream frees its address's place")

# garbage: the connection is closed, the server keeps serving
g = Conn()
g.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
ok(g.closed(), "bytes that are not FastCGI close the connection")
h = Conn()
h.send(request(1, "/api/v1/stream/nowhere"))
ok(has_end(1)(h.records(has_end(1))), "and the server still answers")

proc.terminate()
try:
    proc.wait(10)
except subprocess.TimeoutExpired:
    proc.kill()
ok(proc.returncode == 0, "SIGTERM stops it cleanly (exit 0)", proc.returncode)
done()
