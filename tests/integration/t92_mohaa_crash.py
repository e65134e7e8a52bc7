"""t92: 202 means durable, and every accepted event is written exactly once.

Under load (threads posting single events through lighttpd, each carrying a
unique marker), the ingest job runs continuously and is killed with SIGKILL
twice (once right after it read a batch), and Redis is restarted twice on
the same files (append-only file, appendfsync always): once stopped with
SIGTERM, once killed with SIGKILL. Afterwards the job drains the stream and:

* every event answered 202 is stored exactly once (by marker; no duplicate
  stream id and index), and nothing else is stored: count(202) = rows.
  (A request in flight when Redis dies may have been written and fsynced
  without an answer; the handler retries it under the same request id, so
  it gets its 202, or a 503 when it was not stored.)
* the job took over the entries a killed job left pending (XAUTOCLAIM), and
  the stream and its pending list end empty."""
import http.client
import json
import os
import signal
import subprocess
import threading
import time
import urllib.parse

from gwtest import BASE_URL, BUILD_DIR, done, ok, psql, scalar
from t90_mohaa_lib import ingest, register, server_id

stamp = str(int(time.time() * 1000))
NAME = "t92-" + stamp
token = register(NAME)
SID = server_id(NAME)
RUN = os.environ["GW_RUN"]
REDIS_PORT = urllib.parse.urlparse(os.environ["REDIS_URL"]).port
REDIS_PASSWORD = urllib.parse.unquote(urllib.parse.urlparse(os.environ["REDIS_URL"]).password or "")
# the harness's Redis (tests/lib/services.sh): its config file, run as redis when root
REDIS_CONF = os.path.join(RUN, "redis", "redis.conf")
DURATION = float(os.environ.get("T92_SECONDS", "24"))
THREADS = 6

results = {}          # marker -> status (or "error: ...")
lock = threading.Lock()
stop = threading.Event()
in_flight = {"TERM": set(), "KILL": set()}   # markers in flight around each restart
inflight = {}
latency = {}


def resp(*args):
    """One command over RESP on a fresh socket after AUTH (fast enough to poll);
    the command's reply as text."""
    import socket

    def cmd(*a):
        return ("*%d\r\n" % len(a) + "".join("$%d\r\n%s\r\n" % (len(x), x) for x in a)).encode()
    with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=2) as s:
        s.sendall(cmd("AUTH", "default", REDIS_PASSWORD) + cmd(*args))
        got = b""
        try:
            while True:  # until the replies stop coming (small: one packet or two)
                data = s.recv(4096)
                if not data:
                    break
                got += data
                if got.startswith(b"+OK\r\n") and len(got) > 5 and got.endswith(b"\r\n"):
                    s.settimeout(0.05)
        except socket.timeout:
            pass
        return got.decode("latin-1")[5:] if got.startswith(b"+OK\r\n") else got.decode("latin-1")


def rcli(*args):
    p = subprocess.run(["redis-cli", "-u", os.environ["REDIS_URL"]] + list(args), capture_output=True,
                       text=True, timeout=10)
    return p.stdout.strip()


def body_for(marker, i):
    if i % 2:
        return ("type=chat&match_id=crash-%s&timestamp=%d.5&player_name=Load %d&player_guid=allies"
                "&message=%s" % (stamp, i % 500, i % 7, marker)).encode(), "application/x-www-form-urlencoded"
    return json.dumps({"type": "player_kill", "match_id": "crash-" + stamp, "timestamp": str(i % 500),
                       "attacker_name": "Load %d" % (i % 7), "attacker_guid": "G%d" % (i % 7),
                       "victim_name": "Load %d" % ((i + 1) % 7), "victim_guid": "G%d" % ((i + 1) % 7),
                       "weapon": "MP40", "hitloc": str(i % 19), "marker": marker}).encode(), "application/json"


def worker(n):
    host = urllib.parse.urlparse(BASE_URL)
    conn = None
    i = 0
    while not stop.is_set():
        i += 1
        marker = "m%d-%d" % (n, i)
        body, ctype = body_for(marker, i * THREADS + n)
        with lock:
            inflight[n] = marker
        began = time.time()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=15)
            conn.request("POST", "/api/v1/ingest/events", body,
                         {"Content-Type": ctype, "X-Server-Token": token})
            r = conn.getresponse()
            data = r.read()
            st = r.status
            if st == 202 and json.loads(data).get("processed") != 1:
                st = "202 without processed 1"
        except Exception as e:  # a dropped connection: reconnect
            st = "error: %s" % e.__class__.__name__
            conn = None
        with lock:
            results[marker] = st
            latency[marker] = time.time() - began
            inflight.pop(n, None)


def starttime(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[19]


def redis_pid():
    pid = None
    with open(os.path.join(RUN, "pids")) as f:
        for line in f:
            parts = line.split()
            if parts and parts[0] == "redis":
                pid = int(parts[1])
    return pid


def restart_redis(how):
    """Stop Redis (SIGTERM or SIGKILL) and start it again on the same files and port."""
    fsync = rcli("CONFIG", "GET", "appendfsync").splitlines()[1]
    pid = redis_pid()
    with lock:
        in_flight[how].update(inflight.values())
    os.kill(pid, signal.SIGKILL if how == "KILL" else signal.SIGTERM)
    for _ in range(500):
        try:
            with open("/proc/%d/status" % pid) as f:
                if "State:\tZ" in f.read():
                    break
        except (FileNotFoundError, ProcessLookupError):
            break  # reaped already (reading a vanishing /proc entry raises either)
        time.sleep(0.02)
    time.sleep(0.3)
    # the same config file (port, dir, password, appendonly, appendfsync) as
    # the harness's gw_redis_start, as the same user
    argv = ["redis-server", REDIS_CONF]
    if os.geteuid() == 0 and subprocess.run(["id", "-u", "redis"], capture_output=True).returncode == 0:
        argv = ["setpriv", "--reuid=redis", "--regid=redis", "--init-groups", "--"] + argv
    log = open(os.path.join(RUN, "log", "redis.log"), "ab")
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd="/",
                         start_new_session=True)
    log.close()
    with open(os.path.join(RUN, "pids"), "a") as f:  # the harness stops it at the end
        f.write("redis %d %s\n" % (p.pid, starttime(p.pid)))
    for _ in range(200):
        if rcli("PING") == "PONG":
            break
        time.sleep(0.05)
    with lock:
        in_flight[how].update(inflight.values())
    return fsync


joblog = open(os.path.join(RUN, "log", "t92-ingest.log"), "ab")


def start_job():
    return subprocess.Popen([os.path.join(BUILD_DIR, "gamewatch-job"), "mohaa-ingest", "--forever",
                             "--batch", "25", "--block-ms", "200"], stdout=joblog, stderr=joblog)


first_redis = redis_pid()
job = start_job()
threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(THREADS)]
t0 = time.time()
for t in threads:
    t.start()
events = []


def at(sec):
    while time.time() - t0 < sec:
        time.sleep(0.05)


at(DURATION * 0.15)
job.kill()
job.wait()
events.append("job killed")
at(DURATION * 0.22)
job = start_job()
at(DURATION * 0.35)
fsync = restart_redis("TERM")
events.append("redis stopped with SIGTERM and started (appendfsync %s)" % fsync)
at(DURATION * 0.5)
# kill the job right after it read a batch: poll until entries are pending
pending_at_kill = "0"
deadline = time.time() + 5
while time.time() < deadline:
    r = resp("XPENDING", "gw:mohaa:events", "ingest")
    if r.startswith("*4") and not r.startswith("*4\r\n:0\r\n"):
        job.kill()
        pending_at_kill = r.split("\r\n")[1][1:]
        break
job.kill()
job.wait()
events.append("job killed with %s entries pending" % pending_at_kill)
at(DURATION * 0.6)
job = start_job()
at(DURATION * 0.75)
restart_redis("KILL")
events.append("redis killed with SIGKILL and started")
at(DURATION)
stop.set()
for t in threads:
    t.join()
job.send_signal(signal.SIGTERM)
job.wait(timeout=60)
rc, out = ingest()
joblog.close()

answered = {m for m, st in results.items() if st == 202}
refused = {m for m, st in results.items() if isinstance(st, int) and 400 <= st < 500}
other = {m: st for m, st in results.items() if st != 202}
statuses = {}
for st in results.values():
    statuses[st] = statuses.get(st, 0) + 1
print("# %d requests in %.0f s: %s; %s" % (len(results), time.time() - t0, statuses, "; ".join(events)))
ok(len(answered) > 500, "load: %d events answered 202" % len(answered), statuses)
slow = sorted(latency.values())[-1]
ok(slow > 0.25 and redis_pid() != first_redis,
   "Redis was really gone: requests in flight waited %.0f ms for it and retried" % (slow * 1000), statuses)
ok(rc == 0, "a last mohaa-ingest --once drains what is left", out[-1500:])

rows = psql("SELECT coalesce(extra ->> 'marker', extra ->> 'message'), count(*) FROM mohaa.events"
            " WHERE server_id = :'v1' GROUP BY 1", SID)
stored = {r[0]: int(r[1]) for r in rows}
twice = {m: n for m, n in stored.items() if n > 1}
missing = answered - set(stored)
extra_rows = set(stored) - answered
total_rows = int(scalar("SELECT count(*) FROM mohaa.events WHERE server_id = :'v1'", SID))
ok(not missing, "every event answered 202 is stored (%d)" % len(answered), sorted(missing)[:20])
ok(not twice and scalar("SELECT count(*) FROM (SELECT 1 FROM mohaa.events WHERE server_id = :'v1'"
                        " GROUP BY stream_id, idx, received_at HAVING count(*) > 1) d", SID) == "0",
   "no event is stored twice", list(twice.items())[:10])
ok(not extra_rows, "nothing is stored that was not answered 202",
   {m: (other.get(m), "in flight at SIGTERM" if m in in_flight["TERM"] else
        "in flight at SIGKILL" if m in in_flight["KILL"] else "") for m in sorted(extra_rows)[:20]})
ok(total_rows == len(answered), "count(202) = %d = rows in mohaa.events (%d)" % (len(answered), total_rows))
with open(os.path.join(RUN, "log", "t92-ingest.log"), "rb") as f:
    log = f.read().decode("utf-8", "replace")
ok("claimed" in log, "a restarted job took over the entries its killed predecessor left pending (XAUTOCLAIM)",
   log[-1500:])
ok(rcli("XLEN", "gw:mohaa:events") == "0" and rcli("XPENDING", "gw:mohaa:events", "ingest").split("\n")[0] == "0",
   "the stream and its pending list are empty")
dups = scalar("SELECT coalesce(sum(duplicates), 0) FROM mohaa.batches")
print("# entries redelivered after commit and skipped as duplicates: %s" % dups)
done()
