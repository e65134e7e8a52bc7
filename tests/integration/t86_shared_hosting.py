"""t86: the shared-hosting profile of apache/README.md, with no root and no
daemon of the user's own, and no Redis.

An unprivileged user (made here, removed at the end) unpacks the release
tarball (`make dist` of this tree), runs ./configure --prefix=$HOME/gamewatch,
make and make install (the front-end files come from the tarball: no npm),
and gamewatch-setup with the database "the host" gives (a PostgreSQL cluster
of this test: role and database made by the host, not by the user). Apache
(a server of this test, run as that user as suexec would) runs the app
through mod_fcgid from the .htaccess the installation ships, in the user's
document root; the user's crontab gets the shipped block beside a line of
their own (which stays), and its job lines run as cron runs them. REDIS_URL
is unset: no connection to any Redis is made, the workers learn of new
polls through PostgreSQL LISTEN/NOTIFY, and the live page, the history and
the API serve the polled capture. As root only (useradd); not in the
sanitizer run."""
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import time

from gwtest import BUILD_DIR, DATA, done, expected_from_raw, html_escape, ok
from t85_helpers import (as_postgres_sql, cluster_start, cluster_stop, cron_lines, descendants,
                         free_port, get, job_name, page_assets, sanitizer_build, sh,
                         start_apache, start_cron_line, system_lock, tail, wait_for)

T = os.path.join(os.environ["GW_RUN"], "t86")
USER = "gwt86host"
HOME = "/home/" + USER
PREFIX = HOME + "/gamewatch"
DOCROOT = HOME + "/public_html"
CAPTURE = "rebellion-direct_2022-12_frute94-BZCC-Scanner.json"
HOST = "gwhost.test"


def skip(why):
    print("ok - t86: shared hosting # SKIP " + why)
    print("SKIP t86: " + why)
    done()


if os.geteuid() != 0:
    skip("not root (useradd)")
if sanitizer_build(BUILD_DIR):
    skip("BUILD_DIR is a sanitizer build (the user builds without them)")
try:
    pwd.getpwnam(USER)
    skip("a user %s exists on this host (not touching it)" % USER)
except KeyError:
    pass


def as_user(args, timeout=600, env=None, cwd=None):
    """Run as the hosting user, from their home, with a login-like environment."""
    e = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": HOME, "USER": USER, "LOGNAME": USER,
         "SHELL": "/bin/sh", "LANG": "C.UTF-8"}
    e.update(env or {})
    return sh(["setpriv", "--reuid=" + USER, "--regid=" + USER, "--init-groups", "--"] + args,
              timeout=timeout, env=e, cwd=cwd or HOME)


def redis_connections(uid):
    """Open TCP connections of processes of `uid` to the harness's Redis port."""
    port = int(re.search(r":(\d+)/?\d*$", os.environ["REDIS_URL"]).group(1))
    n = 0
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = open(f).read().splitlines()[1:]
        except OSError:
            continue
        for r in rows:
            c = r.split()
            if int(c[2].split(":")[1], 16) == port and int(c[7]) == uid:
                n += 1
    return n


procs = []


def main():
    os.makedirs(T, exist_ok=True)
    os.chmod(T, 0o755)
    # ------------------------------------------------------------ the release tarball
    p = sh(["make", "-C", BUILD_DIR, "dist"], timeout=600)
    tarball = os.path.join(BUILD_DIR, "gamewatch-%s.tar.gz" % re.sub(
        r"^.*PACKAGE_VERSION = (\S+).*$", r"\1",
        open(os.path.join(BUILD_DIR, "Makefile")).read(), flags=re.S))
    listing = sh(["tar", "tzf", tarball]).stdout if os.path.exists(tarball) else ""
    ok(p.returncode == 0 and "/static/vendor/htmx.min.js" in listing and "/configure\n" in listing,
       "t86: make dist makes a tarball with configure and the front-end files",
       (p.stdout + p.stderr)[-1500:])

    # ------------------------------------------------------------ the host's part
    r = sh(["useradd", "--create-home", "--home-dir", HOME, "--shell", "/bin/sh", "--user-group", USER])
    ok(r.returncode == 0, "t86: a hosting user " + USER, r.stderr)
    os.chmod(HOME, 0o711)
    uid = pwd.getpwnam(USER).pw_uid
    port, sock, dburl = cluster_start(os.path.join(T, "pgstate"))
    # the host logs the statements of this role (to see LISTEN and NOTIFY)
    as_postgres_sql(port, sock, "ALTER ROLE gamewatch SET log_statement = 'all'")
    shutil.copy(tarball, os.path.join(HOME, "gamewatch.tar.gz"))
    data = os.path.join(HOME, "data")
    os.makedirs(data)
    shutil.copy(os.path.join(DATA, "lobby", CAPTURE), data)
    shutil.copy(os.path.join(DATA, "maps", "vsrmaplist.json"), data)
    sh(["chown", "-R", "%s:%s" % (USER, USER), HOME], check=True)

    # ------------------------------------------------------------ the user's install
    t0 = time.time()
    b = as_user(["sh", "-c", "mkdir src && tar -C src --strip-components=1 -xzf gamewatch.tar.gz"
                 " && cd src && ./configure --prefix=$HOME/gamewatch --with-user=$USER >configure.out 2>&1"
                 " && make -j2 >make.out 2>&1 && make install >install.out 2>&1"], timeout=900)
    ok(b.returncode == 0 and os.path.exists(PREFIX + "/libexec/gamewatch/gamewatch.fcgi")
       and os.path.exists(PREFIX + "/share/gamewatch/static/vendor/htmx.min.js")
       and os.path.exists(PREFIX + "/etc/gamewatch/htaccess")
       and os.path.exists(PREFIX + "/etc/gamewatch/crontab"),
       "t86: as the user: ./configure --prefix=$HOME/gamewatch --with-user=$USER, make, make install"
       " (%.0f s)"
       % (time.time() - t0), b.stderr[-800:], tail(HOME + "/src/make.out"),
       tail(HOME + "/src/install.out"))
    cfg_err = open(HOME + "/src/configure.out").read() if os.path.exists(HOME + "/src/configure.out") else ""
    ok("cannot remove" not in cfg_err, "t86: configure prints no \"rm: cannot remove 'core'\"",
       [l for l in cfg_err.splitlines() if "cannot remove" in l][:3])
    s = as_user([PREFIX + "/sbin/gamewatch-setup", "--database-url", dburl, "--base-url",
                 "http://" + HOST])
    envf = PREFIX + "/etc/gamewatch/env"
    st = os.stat(envf) if os.path.exists(envf) else None
    env_text = open(envf).read() if st else ""
    ok(s.returncode == 0 and st and st.st_uid == uid and oct(st.st_mode & 0o777) == "0o600"
       and "\nDATABASE_URL=" + dburl + "\n" in env_text
       and not re.search(r"^REDIS_URL=", env_text, re.M),
       "t86: gamewatch-setup as the user: env file 0600 with the host's database, no REDIS_URL",
       s.stdout[-800:], s.stderr[-1500:])
    pw = dburl.split(":")[2].split("@")[0]
    ok(pw not in s.stdout + s.stderr, "t86: gamewatch-setup prints no password")
    with open(envf, "a") as f:
        f.write("RAKNET_URL=file://%s/%s\nPOLL_INTERVAL_SECONDS=1\n"
                "VSR_MAPLIST_URL=file://%s/vsrmaplist.json\n"
                "GETDATA_ENDPOINT_BASE=http://127.0.0.1:1/\nSTEAM_API_BASE=http://127.0.0.1:1\n"
                "GOG_API_BASE=http://127.0.0.1:1\nGW_FETCH_TIMEOUT_MS=1000\n"
                # a host that runs BZCC only: the crontab's EVE lines have nothing to do
                "GW_MODULES=bzcc\n" % (data, CAPTURE, data))

    # ------------------------------------------------------------ the document root, as the guide says
    d = as_user(["sh", "-c", 'mkdir -p "$1" && cd "$1"'
                 ' && install -m 0755 "$2/libexec/gamewatch/gamewatch.fcgi" gamewatch.fcgi'
                 ' && ln -s "$2/share/gamewatch/static" static'
                 ' && ln -s "$2/var/lib/gamewatch/assets" assets'
                 ' && cp "$2/etc/gamewatch/htaccess" .htaccess', "sh", DOCROOT, PREFIX])
    ok(d.returncode == 0, "t86: the document root: gamewatch.fcgi, static/, assets/, .htaccess",
       d.stderr)
    ap = free_port()
    adir = os.path.join(T, "apache")
    os.makedirs(os.path.join(adir, "fcgid"), exist_ok=True)
    sh(["chown", USER, os.path.join(adir, "fcgid")], check=True)
    body = ('FcgidIPCDir "%s/fcgid"\nFcgidProcessTableFile "%s/fcgid/shm"\n'
            'FcgidMaxProcessesPerClass 3\n'
            '<VirtualHost 127.0.0.1:%d>\n  ServerName %s\n  DocumentRoot "%s"\n'
            '  <Directory "%s">\n    AllowOverride All\n    Require all granted\n'
            '  </Directory>\n</VirtualHost>\n' % (adir, adir, ap, HOST, DOCROOT, DOCROOT))
    apache = start_apache(adir, body, [ap],
                          ["mpm_event", "authz_core", "alias", "mime", "dir", "headers", "rewrite",
                           "fcgid"], user=USER, group=USER)
    procs.append(apache)
    A = "http://127.0.0.1:%d" % ap

    # ------------------------------------------------------------ the user's crontab
    mine = "0 4 * * * echo my other app\n"
    as_user(["sh", "-c", 'printf "%s" "$1" | crontab -', "sh", mine])
    merge = as_user(["sh", "-c", "(crontab -l 2>/dev/null | sed '/^# BEGIN gamewatch/,/^# END gamewatch/d';"
                     ' cat "$1/etc/gamewatch/crontab") | crontab -', "sh", PREFIX])
    merge2 = as_user(["sh", "-c", "(crontab -l 2>/dev/null | sed '/^# BEGIN gamewatch/,/^# END gamewatch/d';"
                      ' cat "$1/etc/gamewatch/crontab") | crontab -', "sh", PREFIX])
    tab = as_user(["crontab", "-l"]).stdout
    lines = cron_lines(tab, system=False)
    names = [job_name(c) for _, c in lines]
    ok(merge.returncode == 0 and merge2.returncode == 0
       and len(re.findall(r"^# BEGIN gamewatch", tab, re.M)) == 1
       and len(re.findall(r"^# END gamewatch$", tab, re.M)) == 1
       and "echo my other app" in tab and len([n for n in names if n]) >= 5
       and all(PREFIX in c for _, c in lines if job_name(c)),
       "t86: the documented merge adds the jobs to the user's crontab (twice: still one block)"
       " and keeps the user's own line", merge.stderr, tab[-600:])

    # ------------------------------------------------------------ the jobs, as cron runs them
    results = {}
    polls = lambda: int(as_postgres_sql(port, sock, "SELECT count(*) FROM bzcc.polls WHERE ok",
                                        "gamewatch").stdout.strip() or 0)
    # poll-bzcc last, so that the data is fresh for the checks below
    lines.sort(key=lambda l: job_name(l[1]) == "poll-bzcc")
    for _, cmd in lines:
        name = job_name(cmd)
        if not name:
            continue
        pr = start_cron_line(USER, cmd, HOME, os.path.join(T, "cron-%s.out" % name))
        if "--duration" in cmd and not (name.startswith("eve-")):
            # the loops of a minute (poll-bzcc, notify): stopped as a test
            # cannot wait a minute each, once they did their work
            if name == "poll-bzcc":
                wait_for(lambda: polls() >= 2, 30, 0.3)
            else:
                time.sleep(3)
            for pid, comm in descendants(pr.p.pid):
                if comm == "gamewatch-job":
                    os.kill(pid, signal.SIGTERM)
        try:
            rc = pr.p.wait(120)
        except subprocess.TimeoutExpired:
            rc = "timeout"
        pr.stop()
        results[name] = rc
    logs = sorted(os.listdir(PREFIX + "/var/log/gamewatch")) if os.path.isdir(PREFIX + "/var/log/gamewatch") else []
    ok(results and all(rc == 0 for rc in results.values())
       and all(n + ".log" in logs for n in results) and polls() >= 2,
       "t86: every crontab line runs as the user (exit 0, one log each in $HOME)", results, logs)
    eve_logs = {n: open(os.path.join(PREFIX, "var/log/gamewatch", n + ".log")).read()
                for n in results if n.startswith("eve-") and n + ".log" in logs}
    ok(eve_logs and all("is not enabled (GW_MODULES): nothing to do" in t for t in eve_logs.values()),
       "t86: with GW_MODULES=bzcc the crontab's EVE jobs (%s) say so and exit 0"
       % ", ".join(sorted(eve_logs)), eve_logs)

    # the guide's logrotate line for hosts that do not rotate the user's logs
    nonempty_before = {n: os.path.getsize(os.path.join(PREFIX, "var/log/gamewatch", n + ".log")) > 0
                       for n in results if n + ".log" in logs}
    lr = as_user(["sh", "-c", "/usr/sbin/logrotate -f -s $HOME/gamewatch/var/lib/logrotate.state"
                  " $HOME/gamewatch/etc/gamewatch/logrotate"])
    rotated = sorted(f for f in os.listdir(PREFIX + "/var/log/gamewatch") if f.endswith(".log.1")) \
        if os.path.isdir(PREFIX + "/var/log/gamewatch") else []
    # (notifempty: a job that logged nothing, notify without webhooks, is left)
    ok(lr.returncode == 0 and len(rotated) >= 5
       and rotated == sorted(n + ".log.1" for n in results if nonempty_before.get(n)),
       "t86: the guide's logrotate line rotates every job log as the user", lr.stderr[-600:], rotated)

    # ------------------------------------------------------------ the pages, through mod_fcgid
    expected = expected_from_raw(os.path.join(DATA, "lobby", CAPTURE), CAPTURE)
    st, h, body_live = get(A + "/bzcc/", host=HOST)
    live = body_live.decode("utf-8", "replace")
    ok(st == 200 and expected and all(html_escape(e["name"]) in live for e in expected)
       and "nosniff" in h.get("x-content-type-options", ""),
       "t86: the live page (mod_fcgid from .htaccess) shows the %d polled sessions" % len(expected),
       st, live[:400], tail(os.path.join(adir, "error.log")))
    bad = [a for a in page_assets(live) if get(A + a, host=HOST)[0] != 200]
    st_v, h_v, _ = get(A + "/static/vendor/htmx.min.js", host=HOST)
    ok(page_assets(live) and not bad and st_v == 200 and h_v.get("x-content-type-options") == "nosniff"
       and h_v.get("content-type", "").startswith("text/javascript"),
       "t86: the page's scripts and styles come from static/ (typed, nosniff)", bad, h_v)
    st, _, hist = get(A + "/bzcc/history", host=HOST)
    st2, _, api_hist = get(A + "/api/v1/history/sessions", host=HOST)
    hist_doc = json.loads(api_hist) if api_hist.startswith(b"{") else {}
    names_hist = {s.get("name") for s in hist_doc.get("sessions", [])}
    ok(st == 200 and st2 == 200 and {e["name"] for e in expected} <= names_hist
       and all(html_escape(e["name"]) in hist.decode("utf-8", "replace") for e in expected),
       "t86: the history page and /api/v1/history/sessions list the polled sessions",
       st, st2, sorted(names_hist)[:5])
    st, _, cur = get(A + "/api/v1/sessions/current", host=HOST)
    doc = json.loads(cur) if cur.startswith(b"{") else {}
    ok(st == 200 and sorted(s["id"] for s in doc.get("sessions", [])) == sorted(e["id"] for e in expected),
       "t86: /api/v1/sessions/current serves the polled capture", st, cur[:300])
    # the .htaccess's body limit: announced over it, a JSON 413 at once
    p = sh(["curl", "-s", "-m", "10", "-o", "-", "-w", "\n%{http_code} %{content_type}",
            "-H", "Host: " + HOST, "-H", "Content-Type: application/json",
            "-H", "Content-Length: 10000000", "-X", "POST", A + "/api/v1/sessions/current"])
    body, _, last = p.stdout.rpartition("\n")
    code, _, ctype = last.partition(" ")
    try:
        err = json.loads(body)
    except ValueError:
        err = {}
    ok(code == "413" and ctype.startswith("application/json") and err.get("error") == "payload too large",
       "t86: .htaccess: a body announced over the /api/ limit gets the JSON 413 at once", p.stdout[-400:])
    st, _, hz = get(A + "/healthz", host=HOST)
    hz = json.loads(hz) if hz.startswith(b"{") else {}
    ok(hz.get("redis", "missing") is None and hz.get("database") is True
       and (st, hz.get("status")) in ((200, "ok"), (503, "stale")),
       "t86: /healthz says redis null (not used) and is %d %s" % (st, hz.get("status")), hz)

    # ------------------------------------------------------------ change events through PostgreSQL
    before = doc.get("poll", {}).get("last_success_at")
    time.sleep(1.1)
    once = as_user([PREFIX + "/bin/gamewatch-job", "poll-bzcc", "--once"], env={"GW_ENV_FILE": envf})
    seen = []
    for _ in range(6):
        st, _, cur = get(A + "/api/v1/sessions/current", host=HOST)
        seen.append(json.loads(cur).get("poll", {}).get("last_success_at") if cur.startswith(b"{") else None)
    pglog = open(os.path.join(sock, "postgresql.log"), errors="replace").read()
    ok(once.returncode == 0 and before and all(x and x > before for x in seen)
       and "LISTEN gw_bzcc_events" in pglog and "pg_notify('gw_bzcc_events'" in pglog,
       "t86: a new poll reaches every worker at once: the poller NOTIFYs, the workers LISTEN"
       " (PostgreSQL, no Redis)", before, seen, once.stderr[-500:])
    ok(redis_connections(uid) == 0, "t86: no process of the user holds a connection to Redis")


with system_lock():
    try:
        main()
    finally:
        for pr in procs:
            try:
                pr.stop()
            except Exception:
                pass
        try:
            pwd.getpwnam(USER)
            sh(["crontab", "-r", "-u", USER])
            sh(["userdel", "--remove", USER])
            sh(["groupdel", USER])
        except KeyError:
            pass
        for f in os.listdir(BUILD_DIR):
            if f.startswith("gamewatch-") and f.endswith(".tar.gz"):
                os.unlink(os.path.join(BUILD_DIR, f))
        cluster_stop(os.path.join(T, "pgstate"))
done()
