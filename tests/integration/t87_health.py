"""t87: /healthz for monitoring, against pools of this build started here:
200 "ok" with fresh data and Redis, 200 "degraded" when the configured Redis
does not answer (the pages come from PostgreSQL), "redis": null and 200
"ok" without Redis (REDIS_URL unset), 503 "stale" once the data is older
than GW_STALE_AFTER_SECONDS, 503 "down" without PostgreSQL; `problems`
names each cause."""
import json
import os
import socket
import tempfile
import time

from gwtest import BUILD_DIR, DATA, done, ok, poll_file
from t80_helpers import Pool

CAPTURE = os.path.join(DATA, "lobby", "rebellion-direct_2022-12_frute94-BZCC-Scanner.json")
WORK = tempfile.mkdtemp(prefix="t87-", dir=os.environ["GW_RUN"])
FCGI = os.path.join(BUILD_DIR, "gamewatch.fcgi")


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def health(name, **env):
    e = dict(os.environ)
    for k, v in env.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    pool = Pool(FCGI, os.path.join(WORK, name + ".sock"), e, os.path.join(WORK, name + ".log"))
    try:
        st, _, body = pool.get("/healthz")
    finally:
        pool.stop()
    try:
        return st, json.loads(body)
    except ValueError:
        return st, {"body": body[:200]}


rc, out = poll_file(CAPTURE)
ok(rc == 0, "t87: a fresh poll", out)
st, h = health("ok")
ok(st == 200 and h.get("status") == "ok" and h.get("redis") is True and h.get("problems") == [],
   "t87: fresh data and Redis: 200 ok, no problems", st, h)
st, h = health("redis-down", REDIS_URL="redis://127.0.0.1:%d/0" % closed_port())
ok(st == 200 and h.get("status") == "degraded" and h.get("redis") is False
   and any(p.startswith("redis:") for p in h.get("problems", [])),
   "t87: Redis configured but not answering: 200 degraded (fresh data from PostgreSQL)", st, h)
st, h = health("no-redis", REDIS_URL=None)
ok(st == 200 and h.get("status") == "ok" and "redis" in h and h["redis"] is None
   and h.get("problems") == [],
   "t87: REDIS_URL unset: redis null, 200 ok", st, h)
# one second of freshness allowed, two passed since the poll
time.sleep(2.1)
st, h = health("stale", GW_STALE_AFTER_SECONDS="1")
ok(st == 503 and h.get("status") == "stale" and h.get("modules", {}).get("bzcc") == "stale"
   and any(p.startswith("bzcc:") for p in h.get("problems", [])),
   "t87: data older than GW_STALE_AFTER_SECONDS: 503 stale, the module named", st, h)
st, h = health("down", DATABASE_URL="postgresql://gamewatch:x@127.0.0.1:%d/gamewatch" % closed_port())
ok(st == 503 and h.get("status") == "down" and h.get("database") is False
   and any(p.startswith("database:") for p in h.get("problems", [])),
   "t87: PostgreSQL not answering: 503 down", st, h)
done()
