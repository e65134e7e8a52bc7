"""fcgiclient: a minimal FastCGI client (FastCGI 1.0: records, the
RESPONDER role) so that a test can talk to a pool of its own as any
REMOTE_ADDR (a non-loopback peer is rate-limited and has no operator
role)."""
import socket
import struct


def _record(rtype, req_id, content):
    out = b""
    while True:
        chunk, content = content[:65535], content[65535:]
        pad = (8 - len(chunk) % 8) % 8
        out += struct.pack(">BBHHBx", 1, rtype, req_id, len(chunk), pad) + chunk + b"\0" * pad
        if not content:
            return out


def _nv(name, value):
    def length(n):
        return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    name, value = name.encode(), value.encode()
    return length(len(name)) + length(len(value)) + name + value


def fcgi(sock_path, params, body=b"", send_body=True, timeout=15):
    """One request over a fresh connection. Returns (status, headers dict
    lower-cased (the first of each name), body bytes)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock_path)
    req = _record(1, 1, struct.pack(">HB5x", 1, 0))  # BEGIN_REQUEST, RESPONDER
    req += _record(4, 1, b"".join(_nv(k, v) for k, v in params.items()))
    req += _record(4, 1, b"")
    if send_body and body:
        req += _record(5, 1, body)
    req += _record(5, 1, b"")
    try:
        s.sendall(req)
    except OSError:
        pass  # the app may answer and close before taking the whole body
    out = b""
    buf = b""
    while True:
        try:
            data = s.recv(65536)
        except OSError:
            break
        if not data:
            break
        buf += data
        while len(buf) >= 8:
            _, rtype, _, clen, plen = struct.unpack(">BBHHB", buf[:7])
            if len(buf) < 8 + clen + plen:
                break
            content = buf[8:8 + clen]
            buf = buf[8 + clen + plen:]
            if rtype == 6:
                out += content
    s.close()
    head, _, payload = out.partition(b"\r\n\r\n")
    headers = {}
    for line in head.decode("latin-1").split("\r\n"):
        k, _, v = line.partition(":")
        headers.setdefault(k.strip().lower(), v.strip())
    status = int(headers.get("status", "200").split()[0])
    return status, headers, payload


def env_for(path, method="GET", addr="203.0.113.9", **extra):
    """The FastCGI parameters of a request for `path` from `addr`."""
    e = {"REQUEST_URI": path, "REQUEST_METHOD": method, "REMOTE_ADDR": addr,
         "SERVER_PROTOCOL": "HTTP/1.1", "SCRIPT_NAME": ""}
    e.update(extra)
    return e
