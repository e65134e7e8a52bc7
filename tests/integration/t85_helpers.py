"""t85_helpers: what the installation tests share (t85 the Debian package,
t86 the shared-hosting profile): a lock that keeps two such tests (and two
checkouts' test runs) from changing the host at the same time, a private
PostgreSQL cluster from tests/lib/services.sh, Apache and lighttpd with
configurations of their own, HTTP through curl with any Host header (and
TLS), FastCGI requests through cgi-fcgi, and cron lines run the way cron
runs them.

Every process started here is a child of the test (its own session) and is
stopped by the caller; nothing is looked up or killed by name."""
import contextlib
import fcntl
import os
import re
import shlex
import signal
import socket
import subprocess
import time

SRCDIR = os.environ.get("SRCDIR", ".")
SERVICES = os.path.join(SRCDIR, "tests", "lib", "services.sh")
MODULES = "/usr/lib/apache2/modules"


def sh(args, check=False, timeout=600, **kw):
    """Run a command (list, or a string for sh -c), output captured as text."""
    if isinstance(args, str):
        args = ["sh", "-c", args]
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise RuntimeError("%s exited %d:\n%s" % (" ".join(args)[:300], p.returncode,
                                                  (p.stdout + p.stderr)[-3000:]))
    return p


@contextlib.contextmanager
def system_lock(seconds=900):
    """Hold the host-wide lock of the tests that install into the system."""
    os.makedirs("/run/lock", exist_ok=True)
    f = open("/run/lock/gamewatch-system-tests.lock", "w")
    end = time.time() + seconds
    while True:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.time() > end:
                raise RuntimeError("another installation test holds the lock")
            time.sleep(1)
    try:
        yield
    finally:
        fcntl.flock(f, fcntl.LOCK_UN)
        f.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def sanitizer_build(build_dir):
    """Is BUILD_DIR configured with -fsanitize (the ASan/UBSan run)?"""
    try:
        with open(os.path.join(build_dir, "Makefile")) as f:
            return any(l.startswith("CFLAGS = ") and "-fsanitize" in l for l in f)
    except OSError:
        return False


# ----------------------------------------------------------- PostgreSQL

def cluster_start(state_dir):
    """A private PostgreSQL cluster (tests/lib/services.sh gw_pg_start, as
    postgres) with its state in state_dir; returns (port, socket dir, the
    URL of its role and database "gamewatch", password included)."""
    p = sh(["bash", "-c", '. "$0"; gw_services_init "$1" >/dev/null || exit 1; '
            'GW_PG_FSYNC=off gw_pg_start >/dev/null || exit 1; '
            'echo "$GW_PG_PORT $GW_PG_SOCKDIR $DATABASE_URL"', SERVICES, state_dir], check=True)
    port, sock, url = p.stdout.split()
    return port, sock, url


def cluster_stop(state_dir):
    sh(["bash", "-c", '. "$0"; gw_stop_all "$1"', SERVICES, state_dir])


def as_postgres_sql(port, sock, sql, db="postgres"):
    return sh(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-At", "-v",
               "ON_ERROR_STOP=1", "-h", sock, "-p", str(port), "-d", db, "-c", sql], cwd="/")


# ----------------------------------------------------------- processes

def descendants(pid):
    """(pid, comm) of every descendant of pid."""
    out = []
    p = sh(["ps", "-o", "pid=,comm=", "--ppid", str(pid)])
    for line in p.stdout.splitlines():
        cpid, comm = line.split(None, 1)
        out.append((int(cpid), comm.strip()))
        out += descendants(int(cpid))
    return out


class Proc:
    """A server started in its own session, its output in `log`."""

    def __init__(self, args, log, env=None, cwd="/"):
        self.log = log
        self.logf = open(log, "ab")
        self.p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.logf,
                                  stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                  start_new_session=True)

    def alive(self):
        return self.p.poll() is None

    def stop(self, sig=signal.SIGTERM, wait=20):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(wait)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(5)
        self.logf.close()
        return self.p.returncode


def wait_for(cond, seconds=20, step=0.1):
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


def tail(path, n=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError as e:
        return str(e)


# ----------------------------------------------------------- HTTP

def get(url, host=None, headers=None, cacert=None, resolve=None):
    """GET through curl: (status, {header: value} lower-cased, body bytes).
    status 0 when no answer."""
    args = ["curl", "-s", "-m", "15", "-D", "-", "-o", "-", "--path-as-is"]
    if host:
        args += ["-H", "Host: " + host]
    for k, v in (headers or {}).items():
        args += ["-H", "%s: %s" % (k, v)]
    if cacert:
        args += ["--cacert", cacert]
    if resolve:
        args += ["--resolve", resolve]
    p = subprocess.run(args + [url], capture_output=True, timeout=30)
    raw = p.stdout
    status, hdrs = 0, {}
    # the header block(s) then the body; keep the last block (after 1xx)
    while raw.startswith(b"HTTP/"):
        head, _, raw = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = {}
        for l in lines[1:]:
            k, _, v = l.partition(":")
            hdrs[k.strip().lower()] = v.strip()
    return status, hdrs, raw


def page_assets(html):
    """The /static/ URLs a page loads (scripts and stylesheets)."""
    return sorted(set(re.findall(r'<script[^>]+src="(/static/[^"]+)"', html)
                      + re.findall(r'<link[^>]+href="(/static/[^"]+)"', html)))


def fcgi_get(sock, path):
    """GET path from a FastCGI socket with cgi-fcgi (libfcgi-bin):
    (status, body bytes)."""
    path_only, _, query = path.partition("?")
    env = {"PATH": "/usr/bin:/bin", "REQUEST_METHOD": "GET", "REQUEST_URI": path,
           "QUERY_STRING": query, "SCRIPT_NAME": "", "SERVER_PROTOCOL": "HTTP/1.1",
           "REMOTE_ADDR": "127.0.0.1", "SERVER_NAME": "gw.test", "HTTP_HOST": "gw.test"}
    p = subprocess.run(["cgi-fcgi", "-bind", "-connect", sock], env=env, capture_output=True,
                       timeout=30)
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    m = re.search(rb"^Status: (\d+)", head, re.M)
    return (int(m.group(1)) if m else 200), body


# ----------------------------------------------------------- Apache, lighttpd

def apache_modules(names):
    return "".join("LoadModule %s_module %s/mod_%s.so\n" % (n, MODULES, n) for n in names)


def start_apache(d, body, ports, modules, user="www-data", group="www-data"):
    """Apache with d/httpd.conf = a server part (this test's ports, runtime
    files and logs in d) + body; checked with -t first. Returns the Proc, or
    raises with the check's output."""
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "httpd.conf")
    with open(conf, "w") as f:
        f.write('ServerRoot "%s"\nDefaultRuntimeDir "%s"\nPidFile "%s/httpd.pid"\n'
                'ServerName localhost\n' % (d, d, d))
        for p in ports:
            f.write("Listen 127.0.0.1:%d\n" % p)
        f.write("User %s\nGroup %s\n" % (user, group))
        f.write('ErrorLog "%s/error.log"\nLogLevel warn\n' % d)
        f.write('LogFormat "%%v %%h \\"%%r\\" %%>s %%b" vhost\nCustomLog "%s/access.log" vhost\n' % d)
        f.write('TypesConfig /etc/mime.types\nDefine APACHE_LOG_DIR "%s"\n' % d)
        f.write(apache_modules(modules))
        f.write("StartServers 1\nServerLimit 2\nThreadsPerChild 16\nMaxRequestWorkers 32\n")
        f.write('<Directory />\n    AllowOverride None\n    Require all denied\n</Directory>\n')
        f.write(body)
    chk = sh(["apache2", "-t", "-f", conf])
    if chk.returncode != 0:
        raise RuntimeError("apache2 -t: " + chk.stdout + chk.stderr)
    proc = Proc(["apache2", "-f", conf, "-DFOREGROUND"], os.path.join(d, "apache.log"))
    port = ports[0]
    if not wait_for(lambda: get("http://127.0.0.1:%d/" % port)[0] != 0, 20):
        proc.stop()
        raise RuntimeError("Apache did not answer: " + tail(os.path.join(d, "error.log")))
    return proc


def start_lighttpd(d, body, port):
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "lighttpd.conf")
    err = os.path.join(d, "error.log")
    open(err, "a").close()
    sh(["chown", "www-data:", err])
    with open(conf, "w") as f:
        f.write('server.bind = "127.0.0.1"\nserver.port = %d\nserver.errorlog = "%s"\n'
                'server.username = "www-data"\nserver.groupname = "www-data"\n' % (port, err))
        f.write(body)
    chk = sh(["lighttpd", "-tt", "-f", conf])
    if chk.returncode != 0:
        raise RuntimeError("lighttpd -tt: " + chk.stdout + chk.stderr)
    proc = Proc(["lighttpd", "-D", "-f", conf], os.path.join(d, "lighttpd.log"))
    if not wait_for(lambda: get("http://127.0.0.1:%d/" % port)[0] != 0, 20):
        proc.stop()
        raise RuntimeError("lighttpd did not answer: " + tail(err))
    return proc


# ----------------------------------------------------------- cron

def cron_lines(text, system):
    """(user or None, command) of each job line of a crontab (system: the
    /etc/cron.d format with a user field)."""
    out = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(None, 6 if system else 5)
        if system:
            out.append((parts[5], parts[6]))
        else:
            out.append((None, parts[5]))
    return out


def cron_env(user, home):
    """The environment cron gives a job (Debian's cron: these four)."""
    return {"PATH": "/usr/bin:/bin", "SHELL": "/bin/sh", "HOME": home, "LOGNAME": user}


def start_cron_line(user, command, home, log):
    """Start one crontab command the way cron does (sh -c, as `user`, from
    the user's home with cron's environment), in its own session."""
    args = ["sh", "-c", command]
    if user is not None and os.geteuid() == 0:
        args = ["setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--"] + args
    return Proc(args, log, env=cron_env(user or os.environ.get("USER", "root"), home), cwd="/")


def job_name(command):
    m = re.search(r"/gamewatch-job (\S+)", command)
    return m.group(1) if m else None


def unit_fields(path):
    """The [Service] settings of a systemd unit: {key: [values]}."""
    out = {}
    section = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("["):
                section = line
                continue
            if section != "[Service]" or not line or line.startswith("#") or "=" not in line:
                continue
            k, _, v = line.partition("=")
            out.setdefault(k, []).append(v)
    return out


def unit_command(path):
    """What systemd would run for the unit's ExecStart, as a command list:
    setpriv to User/Group/SupplementaryGroups, the unit's Environment= only
    (plus PATH) and its UMask."""
    u = unit_fields(path)
    user, group = u["User"][0], u["Group"][0]
    supp = u.get("SupplementaryGroups", [""])[0].split()
    gids = [sh(["getent", "group", g], check=True).stdout.split(":")[2] for g in [group] + supp]
    env = ["PATH=/usr/bin:/bin"]
    for e in u.get("Environment", []):
        env += shlex.split(e)
    umask = u.get("UMask", ["0022"])[0]
    return (["setpriv", "--reuid=" + user, "--regid=" + group, "--groups=" + ",".join(gids),
             "--", "env", "-i"] + env + ["sh", "-c", 'umask %s && exec "$@"' % umask, "sh"]
            + shlex.split(u["ExecStart"][0]))
