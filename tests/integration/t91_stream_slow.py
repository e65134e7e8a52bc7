"""t91: a client that stops reading falls behind and is dropped to a snapshot
(bounded per-client buffer, STREAM_CLIENT_BUFFER: the harness sets 256 KiB),
while a client that reads gets every patch; through lighttpd and Apache
mod_proxy_fcgi. The lobbies are bench/gen-lobby.py's (300 sessions, a new
seed per poll: each patch replaces most of the lobby, ~0.5 MB). The kernel
holds a few MB on the web server's socket to a stalled client (TCP send
buffer autotuning up to tcp_wmem's 4 MB) before the stream server sees the
lag, hence 11 patches."""
import os
import subprocess
import tempfile
import time

from gwtest import SRCDIR, done, get_json, ok, poll_file, servers
from sse import Client, pump_all, replay, strip_nulls

TMP = tempfile.mkdtemp(prefix="t91-")
LOBBIES = []
for seed in range(1, 13):
    path = os.path.join(TMP, "lobby-%d.json" % seed)
    with open(path, "wb") as f:
        subprocess.run(["python3", os.path.join(SRCDIR, "bench", "gen-lobby.py"), "-n", "300",
                        "--seed", str(seed)], stdout=f, check=True)
    LOBBIES.append(path)


def current():
    return get_json(servers()[0][1] + "/api/v1/sessions/current")[2]


def keyed(api_doc):
    return {"order": [s["id"] for s in api_doc["sessions"]],
            "sessions": {s["id"]: strip_nulls(s) for s in api_doc["sessions"]}}


for name, url in servers()[:2]:
    stream = url + "/api/v1/stream/sessions"
    poll_file(LOBBIES[0])
    slow = Client(stream, rcvbuf=4096)
    fast = Client(stream)
    fast.wait(lambda c: c.events, 10)
    for path in LOBBIES[1:]:
        rc, out = poll_file(path)
        ok(rc == 0, "%s: poll %s" % (name, os.path.basename(path)), out)
        fast.wait(lambda c: c.events and c.events[-1]["json"] is not None
                  and len(c.events) >= 1 + LOBBIES.index(path), 15)
    want = keyed(current())
    fast.wait(lambda c: (replay(c.events) or {}).get("order") == want["order"], 10)
    kinds = [e.get("event") for e in fast.events]
    ok(kinds == ["snapshot"] + ["patch"] * (len(LOBBIES) - 1),
       "%s: the client that reads gets the snapshot and every patch" % name, kinds)
    d = replay(fast.events) or {}
    ok(d.get("order") == want["order"] and d.get("sessions") == want["sessions"],
       "%s: and its document is the current lobby" % name)
    # the slow client now reads everything that is waiting for it
    slow.wait(lambda c: (replay(c.events) or {}).get("order") == want["order"], 30)
    kinds = [e.get("event") for e in slow.events]
    ok(kinds.count("snapshot") >= 2 and kinds[0] == "snapshot" and kinds[-1] in ("snapshot", "patch"),
       "%s: the client that stopped reading was dropped to a new snapshot" % name, kinds)
    ok(kinds.count("patch") < len(LOBBIES) - 1,
       "%s: the patches it could not take were not queued for it" % name, kinds)
    d = replay(slow.events) or {}
    ok(d.get("order") == want["order"] and d.get("sessions") == want["sessions"],
       "%s: after the snapshot it holds the current lobby" % name)
    sizes = [len(e.get("data", "")) for e in fast.events]
    print("# %s: event sizes %s" % (name, sizes))
    slow.close()
    fast.close()
for p in LOBBIES:
    os.unlink(p)
os.rmdir(TMP)
done()
