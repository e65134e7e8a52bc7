"""t80_helpers: what the upgrade (t80) and module-boundary (t82) tests share:
private databases in the harness's PostgreSQL cluster, building a source
tree with autotools, a FastCGI pool of a given build, requests to it through
cgi-fcgi (libfcgi-bin), and per-table row counts and checksums.

Every process started here is stopped by the caller (Pool.stop) or by the
context managers; databases are dropped by drop_db."""
import os
import re
import signal
import subprocess
import time
import urllib.parse

PG_SOCKDIR = os.environ.get("GW_PG_SOCKDIR", "")
PG_PORT = os.environ.get("GW_PG_PORT", "")


def _as_postgres(args):
    """Run a PostgreSQL client as the cluster's superuser (peer auth on the
    harness's socket: the postgres user when we are root, else ourselves)."""
    if os.getuid() == 0:
        args = ["runuser", "-u", "postgres", "--"] + args
    return subprocess.run(args, cwd="/", capture_output=True, text=True)


def admin_sql(sql):
    p = _as_postgres(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", PG_SOCKDIR,
                      "-p", PG_PORT, "-U", "postgres", "-d", "postgres", "-c", sql])
    if p.returncode != 0:
        raise RuntimeError("psql as postgres: %s" % p.stderr.strip())


def create_db(name):
    """A new empty database owned by the application's role; returns its URL
    (the harness's DATABASE_URL with another database name)."""
    assert re.fullmatch(r"[a-z0-9_]+", name)
    admin_sql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
    admin_sql("CREATE DATABASE %s OWNER gamewatch" % name)
    base = os.environ["DATABASE_URL"]
    return base[:base.rindex("/") + 1] + name


def drop_db(name):
    try:
        admin_sql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
    except RuntimeError:
        pass


def redis_url(db):
    """The harness's Redis with another logical database (keeps our lobby
    caches apart from the harness's)."""
    base = os.environ["REDIS_URL"]
    m = re.match(r"^(redis://[^/]+)(/\d+)?$", base)
    return "%s/%d" % (m.group(1), db) if m else base


def psql_url(url, sql):
    """Rows of one query against `url`, tab-separated fields."""
    out = subprocess.run(["psql", url, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                          "-c", sql], capture_output=True, text=True, check=True)
    return [line.split("\t") for line in out.stdout.splitlines() if line != ""]


def table_stats(url, schemas=("public", "bzcc")):
    """{ "schema.table": (row count, md5 of the rows' text sorted) } for every
    ordinary table (partitions included) and materialized view."""
    tables = psql_url(url, "SELECT n.nspname || '.' || c.relname FROM pg_class c"
                           " JOIN pg_namespace n ON n.oid = c.relnamespace"
                           " WHERE c.relkind IN ('r', 'm') AND n.nspname IN (%s)"
                           " ORDER BY 1" % ", ".join("'%s'" % s for s in schemas))
    out = {}
    for (t,) in tables:
        schema, rel = t.split(".")
        q = ('SELECT count(*), coalesce(md5(string_agg(x::text, E\'\\n\' ORDER BY x::text)), \'-\')'
             ' FROM "%s"."%s" x' % (schema, rel))
        n, h = psql_url(url, q)[0]
        out[t] = (int(n), h)
    return out


def run(args, cwd=None, env=None, timeout=600, log=None):
    """Run a command; on failure raise with the tail of its output."""
    p = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if log:
        with open(log, "a") as f:
            f.write("$ %s\n%s%s" % (" ".join(args), p.stdout, p.stderr))
    if p.returncode != 0:
        raise RuntimeError("%s exited %d:\n%s" % (" ".join(args), p.returncode,
                                                  (p.stdout + p.stderr)[-3000:]))
    return p.stdout


def build_tree(src, build, targets, log):
    """autoreconf, configure (no optimisation: speed) and make `targets` of
    the tree at `src` in `build`."""
    os.makedirs(build, exist_ok=True)
    run(["autoreconf", "-fi"], cwd=src, log=log)
    run([os.path.join(src, "configure"), "CFLAGS=-O0 -g0"], cwd=build, log=log)
    run(["make", "-j2"] + list(targets), cwd=build, log=log)


class Pool:
    """gamewatch.fcgi --listen unix:SOCK --workers 1 with `env` (as root with
    --allow-root, which builds before the module boundary, legacy=True, lack)."""

    def __init__(self, fcgi, sock, env, log, legacy=False):
        self.sock = sock
        if os.path.exists(sock):
            os.unlink(sock)
        self.logf = open(log, "a")
        self.proc = subprocess.Popen([fcgi, "--listen", "unix:" + sock, "--workers", "1"]
                                     + (["--allow-root"] if os.geteuid() == 0 and not legacy
                                        else []),
                                     env=env, stdin=subprocess.DEVNULL, stdout=self.logf,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(100):
            if os.path.exists(sock) or self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if not os.path.exists(sock):
            self.stop()
            raise RuntimeError("the pool did not create %s (see %s)" % (sock, log))

    def get(self, path):
        """(status, headers dict lower-cased, body bytes) of GET path."""
        parsed = urllib.parse.urlsplit(path)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "REQUEST_METHOD": "GET", "REQUEST_URI": path, "SCRIPT_NAME": "",
            "PATH_INFO": parsed.path, "QUERY_STRING": parsed.query,
            "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1",
            "HTTP_ACCEPT": "application/json",
        }
        p = subprocess.run(["cgi-fcgi", "-bind", "-connect", self.sock], env=env,
                           capture_output=True, timeout=30)
        raw = p.stdout
        head, _, body = raw.partition(b"\r\n\r\n")
        headers, status = {}, 200
        for line in head.decode("latin-1").split("\r\n"):
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        if "status" in headers:
            status = int(headers["status"].split()[0])
        return status, headers, body

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.logf.close()
