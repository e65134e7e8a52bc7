"""sse: a small Server-Sent Events client for the tests (python3 stdlib).

Speaks HTTP/1.0 over a plain socket, so the body arrives as the server
writes it (no chunked framing to undo), and parses the text/event-stream
format (WHATWG HTML, "Server-sent events": field lines "name: value", a
blank line ends an event, lines starting with ":" are comments)."""
import json
import select
import socket
import time
import urllib.parse


class Client:
    def __init__(self, url, headers=None, rcvbuf=None, timeout=10):
        u = urllib.parse.urlsplit(url)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            # a small receive window: a client that stops reading fills it fast
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect((u.hostname, u.port or 80))
        path = u.path + ("?" + u.query if u.query else "")
        headers = dict(headers or {})
        # a Host header given replaces the URL's (a name-based virtual host)
        host = headers.pop("Host", u.netloc)
        lines = ["GET %s HTTP/1.0" % path, "Host: %s" % host, "Accept: text/event-stream"]
        for k, v in headers.items():
            lines.append("%s: %s" % (k, v))
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buf = b""
        self.status = None
        self.headers = {}
        self.body_prefix = b""
        self.events = []      # dicts: id, event, data (str), json (parsed or None), t (monotonic)
        self.comments = 0
        self.closed = False
        self._cur = {}
        self._read_head()

    def _read_head(self):
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buf += chunk
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
        for line in lines[1:]:
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.buf = rest
        self.sock.setblocking(False)
        self._parse()

    def fileno(self):
        return self.sock.fileno()

    def pump(self):
        """Read what is there without blocking; parse it. Returns False once
        the server closed the stream."""
        if self.closed:
            return False
        while True:
            try:
                chunk = self.sock.recv(262144)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.closed = True
                break
            if not chunk:
                self.closed = True
                break
            self.buf += chunk
        self._parse()
        return not self.closed

    def _parse(self):
        while b"\n" in self.buf:
            line, _, self.buf = self.buf.partition(b"\n")
            line = line.rstrip(b"\r").decode("utf-8")
            if line == "":
                if "data" in self._cur or "event" in self._cur:
                    ev = self._cur
                    data = ev.get("data", "")
                    try:
                        ev["json"] = json.loads(data)
                    except ValueError:
                        ev["json"] = None
                    ev["t"] = time.monotonic()
                    self.events.append(ev)
                self._cur = {}
                continue
            if line.startswith(":"):
                self.comments += 1
                continue
            name, _, value = line.partition(":")
            if value.startswith(" "):
                value = value[1:]
            if name == "data":
                self._cur["data"] = self._cur["data"] + "\n" + value if "data" in self._cur else value
            elif name in ("id", "event", "retry"):
                self._cur[name] = value

    def wait(self, pred, timeout=10):
        """Pump until pred(self) is true or timeout; returns pred's last value."""
        end = time.monotonic() + timeout
        while True:
            r = pred(self)
            if r or time.monotonic() >= end or self.closed:
                return r
            select.select([self.sock], [], [], min(0.2, max(0, end - time.monotonic())))
            self.pump()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def pump_all(clients, pred, timeout=15):
    """Pump every client until pred() is true or timeout."""
    end = time.monotonic() + timeout
    while not pred() and time.monotonic() < end:
        live = [c for c in clients if not c.closed]
        if not live:
            break
        select.select(live, [], [], 0.2)
        for c in live:
            c.pump()
    return pred()


def merge_apply(target, patch):
    """RFC 7396 MergePatch, an oracle independent of the C code."""
    if not isinstance(patch, dict):
        return patch
    if not isinstance(target, dict):
        target = {}
    out = dict(target)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_apply(out.get(k), v)
    return out


def replay(events):
    """The document after applying a client's snapshot and patches in order."""
    doc = None
    for ev in events:
        if ev.get("event") == "snapshot":
            doc = ev["json"]
        elif ev.get("event") == "patch":
            doc = merge_apply(doc, ev["json"])
    return doc


def strip_nulls(v):
    if isinstance(v, dict):
        return {k: strip_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [strip_nulls(x) for x in v]
    return v
