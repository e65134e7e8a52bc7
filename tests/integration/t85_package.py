"""t85: the Debian package, as an operator follows apache/README.md on a host
that already serves another site.

`make deb` builds the package from this tree; it installs with dpkg -i
(Depends from dpkg-shlibdeps, the files where Debian wants them, the front-end
files under the names the pages load); gamewatch-setup makes the role, the
database (in a PostgreSQL cluster of this test) and the env file; the pool
runs exactly as the shipped systemd unit says (user, groups, environment,
umask) and reloads on SIGHUP without failing a request; Apache (a server of
this test, with the shipped conf-available/gamewatch.conf) serves GameWatch
only in the virtual hosts that say "Use GameWatch" (one plain, one over TLS
from the shipped example) while the default site keeps its "/", with no
AH01146 warning; lighttpd serves it through the shipped conf-available file
(static files with nosniff); every line of the shipped /etc/cron.d file runs
as its user the way cron runs it; logrotate rotates every job log; a package
built from the same tree with a higher version upgrades in place (migrations
run by the postinst as the service user, every row kept); the documented
backup restores into an empty database that serves the same answers; purge
removes everything but the database and the system user (which this test
removes when it made it).

As root only (dpkg), and not in the sanitizer run (the package is built
without them). The host must not have a gamewatch package of its own."""
import glob
import http.server
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import threading
import time

from gwtest import BUILD_DIR, DATA, SRCDIR, done, expected_from_raw, html_escape, ok
from sse import Client
from t85_helpers import (Proc, as_postgres_sql, cluster_start, cluster_stop, cron_lines,
                         descendants, fcgi_get, free_port, get, job_name, page_assets,
                         sanitizer_build, sh, start_apache, start_cron_line, start_lighttpd,
                         system_lock, tail, unit_command, unit_fields, wait_for)

T = os.path.join(os.environ["GW_RUN"], "t85")
CAPTURE = "rebellion-direct_2022-12_frute94-BZCC-Scanner.json"
DB = "gwpkg"
UNIT = "/lib/systemd/system/gamewatch.service"
STREAM_UNIT = "/lib/systemd/system/gamewatch-stream.service"
ENV_FILE = "/etc/gamewatch/env"
GW = "gw.test"


def skip(why):
    print("ok - t85: the Debian package # SKIP " + why)
    print("SKIP t85: " + why)
    done()


if os.geteuid() != 0:
    skip("not root (dpkg -i)")
if sanitizer_build(BUILD_DIR):
    skip("BUILD_DIR is a sanitizer build (the package is built without them)")
if shutil.which("dpkg-shlibdeps") is None:
    skip("dpkg-dev is not installed")


def pkg_status():
    p = sh(["dpkg-query", "-W", "-f=${db:Status-Status} ${Version}", "gamewatch"])
    return p.stdout.strip() if p.returncode == 0 else ""


def build_deb(version):
    p = sh(["make", "-C", BUILD_DIR, "deb", "DEB_VERSION=" + version], timeout=900)
    path = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    for line in p.stdout.splitlines():
        if line.endswith(".deb"):
            path = line
    ok(p.returncode == 0 and os.path.isfile(path) and path.endswith("_%s_amd64.deb" % version),
       "t85: make deb builds gamewatch_%s_amd64.deb" % version, (p.stdout + p.stderr)[-2500:])
    return path


def env_file():
    with open(ENV_FILE) as f:
        return dict(l.rstrip("\n").split("=", 1) for l in f if "=" in l and not l.startswith("#"))


def workers(pool):
    return sorted(pid for pid, comm in descendants(pool.p.pid) if comm.startswith("gamewatch"))


procs = []
created_user = False
pv = sh(["sed", "-n", "s/^PACKAGE_VERSION = //p", os.path.join(BUILD_DIR, "Makefile")]).stdout.strip()
V1, V2 = pv + "-1", pv + "-2"


def main():
    global created_user
    os.makedirs(T, exist_ok=True)
    os.chmod(T, 0o755)
    if pkg_status().startswith("installed") or os.path.exists("/etc/gamewatch"):
        skip("this host has a gamewatch installation of its own (not touching it)")
    user_before = True
    try:
        pwd.getpwnam("gamewatch")
    except KeyError:
        user_before = False

    # ------------------------------------------------------------ build
    deb1 = build_deb(V1)
    info = sh(["dpkg-deb", "-f", deb1, "Depends"]).stdout
    ok(all(l in info for l in ("libpq5", "libfcgi0ldbl", "libhiredis0.14", "libjson-c5", "libcurl4",
                                "libssl3", "libarchive13", "libc6", "cron | cron-daemon", "adduser")),
       "t85: Depends names the libraries the programs link (dpkg-shlibdeps) and cron, adduser",
       info)
    files = sh(["dpkg-deb", "-c", deb1]).stdout
    want = ["./usr/libexec/gamewatch/gamewatch.fcgi", "./usr/bin/gamewatch-job",
            "./usr/libexec/gamewatch/gamewatch-stream",
            "./usr/sbin/gamewatch-setup", "./lib/systemd/system/gamewatch.service",
            "./lib/systemd/system/gamewatch-stream.service",
            "./usr/lib/tmpfiles.d/gamewatch.conf", "./etc/cron.d/gamewatch",
            "./etc/logrotate.d/gamewatch", "./etc/apache2/conf-available/gamewatch.conf",
            "./etc/apache2/conf-available/gamewatch-fcgid.conf",
            "./etc/lighttpd/conf-available/50-gamewatch.conf", "./etc/gamewatch/lighttpd.conf",
            "./usr/share/gamewatch/templates/layout.mustache",
            "./usr/share/gamewatch/sql/platform/001-core.sql",
            "./usr/share/gamewatch/openapi/platform/openapi.json",
            "./usr/share/gamewatch/openapi/bzcc/openapi.json",
            "./usr/share/gamewatch/openapi/eve/openapi.json",
            "./usr/share/gamewatch/static/errors/api/status-413.html",
            "./usr/share/gamewatch/static/errors/api/status-502.html",
            "./usr/share/gamewatch/static/vendor/htmx.min.js",
            "./usr/share/gamewatch/static/vendor/htmx-ext-sse.min.js",
            "./usr/share/gamewatch/static/vendor/chart.umd.js",
            "./usr/share/gamewatch/static/vendor/swagger-ui-bundle.js",
            "./usr/share/gamewatch/static/vendor/swagger-ui.css",
            "./usr/share/doc/gamewatch/GUIDE.md",
            "./usr/share/doc/gamewatch/examples/site-example.conf"]
    ok(all(" " + w + "\n" in files or files.endswith(" " + w) for w in want)
       and "./etc/gamewatch/env" not in files and "./var/" not in files,
       "t85: the package holds programs (gamewatch-stream too), data (OpenAPI fragments, the web"
       " servers' JSON errors), front-end files, units, cron.d, logrotate and the web server"
       " confs, and no state (no env file, nothing in /var)",
       *[w for w in want if w not in files])

    # ------------------------------------------------------------ install
    p = sh(["dpkg", "-i", deb1], timeout=300)
    created_user = not user_before
    ok(p.returncode == 0 and pkg_status() == "installed " + V1, "t85: dpkg -i installs " + V1,
       p.stdout[-1500:] + p.stderr[-1500:])
    if not pkg_status().startswith("installed"):
        return
    st = os.stat("/run/gamewatch")
    ok(pwd.getpwuid(st.st_uid).pw_name == "gamewatch" and st.st_gid == grp_id("www-data")
       and oct(st.st_mode & 0o777) == "0o750",
       "t85: /run/gamewatch (locks, socket) is 0750 gamewatch:www-data",
       oct(st.st_mode), st.st_uid, st.st_gid)
    unit = unit_fields(UNIT)
    hard = {"ProtectSystem": "strict", "PrivateTmp": "yes", "NoNewPrivileges": "yes",
            "RuntimeDirectory": "gamewatch", "User": "gamewatch", "ProtectHome": "yes",
            "ExecReload": "/bin/kill -HUP $MAINPID"}
    ok(all(unit.get(k, [None])[0] == v for k, v in hard.items()),
       "t85: the unit runs as gamewatch, hardened (ProtectSystem=strict, PrivateTmp,"
       " NoNewPrivileges, ProtectHome), with its RuntimeDirectory and a SIGHUP reload",
       {k: unit.get(k) for k in hard})
    with open(UNIT) as f:
        utext = f.read()
    ok("Wants=postgresql.service redis-server.service" in utext
       and "After=network.target postgresql.service redis-server.service" in utext,
       "t85: the unit wants and follows postgresql and redis-server", utext[:600])
    sunit = unit_fields(STREAM_UNIT)
    shard = dict(hard, LimitNOFILE="65536")
    ok(all(sunit.get(k, [None])[0] == v for k, v in shard.items())
       and sunit.get("Environment") == unit.get("Environment")
       and "unix:/run/gamewatch/stream.sock" in sunit.get("ExecStart", [""])[0],
       "t85: the gamewatch-stream unit runs as gamewatch on /run/gamewatch/stream.sock, reads the"
       " same env file, hardened like the pool, LimitNOFILE=65536",
       {k: sunit.get(k) for k in list(shard) + ["Environment", "ExecStart"]})
    if shutil.which("systemd-analyze"):
        v = sh(["systemd-analyze", "verify", UNIT, STREAM_UNIT])
        ok(v.returncode == 0 and "gamewatch.service" not in v.stderr
           and "gamewatch-stream.service" not in v.stderr,
           "t85: systemd-analyze verify accepts both units", v.stdout + v.stderr)

    # ------------------------------------------------------------ first run
    port, sock, _ = cluster_start(os.path.join(T, "pgstate"))
    redis = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/7"
    p = sh(["gamewatch-setup", "--pg-port", port, "--pg-socket", sock, "--db-name", DB,
            "--redis-url", redis, "--base-url", "https://" + GW], timeout=300)
    env = env_file() if os.path.exists(ENV_FILE) else {}
    secret = env.get("SECRET_KEY", "")
    dbpw = re.sub(r"^postgresql://[^:]+:([^@]+)@.*$", r"\1", env.get("DATABASE_URL", ""))
    st = os.stat(ENV_FILE) if os.path.exists(ENV_FILE) else None
    ok(p.returncode == 0 and st and oct(st.st_mode & 0o777) == "0o640" and st.st_uid == 0
       and st.st_gid == grp_id("gamewatch") and re.fullmatch(r"[0-9a-f]{64}", secret)
       and env.get("DATABASE_URL", "").endswith("@127.0.0.1:%s/%s" % (port, DB))
       and env.get("REDIS_URL") == redis and env.get("APP_BASE_URL") == "https://" + GW,
       "t85: gamewatch-setup makes the role, the database and the env file (0640 root:gamewatch,"
       " generated SECRET_KEY, DATABASE_URL, REDIS_URL, APP_BASE_URL)",
       p.stdout[-1500:], p.stderr[-2000:], st and oct(st.st_mode))
    ok(secret and dbpw and secret not in p.stdout + p.stderr and dbpw not in p.stdout + p.stderr,
       "t85: gamewatch-setup prints no secret")
    migrated = as_postgres_sql(port, sock, "SELECT count(*) FROM gw_migrations", DB).stdout.strip()
    ok(migrated.isdigit() and int(migrated) >= 5, "t85: the migrations ran (%s)" % migrated)
    p2 = sh(["gamewatch-setup", "--pg-port", port, "--pg-socket", sock, "--db-name", DB,
             "--no-redis"], timeout=300)
    ok(p2.returncode == 0 and env_file().get("SECRET_KEY") == secret
       and env_file().get("REDIS_URL") == redis,
       "t85: gamewatch-setup run again keeps the env file and its secrets", p2.stdout[-800:])

    # the operator's settings for this offline host (appended as documented)
    data = os.path.join(T, "data")
    os.makedirs(data, exist_ok=True)
    shutil.copy(os.path.join(DATA, "lobby", CAPTURE), data)
    shutil.copy(os.path.join(DATA, "maps", "vsrmaplist.json"), data)
    sh(["chmod", "-R", "a+rX", data])
    r2z2, kill_id = r2z2_standin()
    with open(ENV_FILE, "a") as f:
        f.write("RAKNET_URL=file://%s/%s\nPOLL_INTERVAL_SECONDS=1\n"
                "VSR_MAPLIST_URL=file://%s/vsrmaplist.json\n"
                "GETDATA_ENDPOINT_BASE=http://127.0.0.1:1/\nSTEAM_API_BASE=http://127.0.0.1:1\n"
                "GOG_API_BASE=http://127.0.0.1:1\nGW_FETCH_TIMEOUT_MS=1000\n"
                "EVE_R2Z2_URL=%s\nEVE_R2Z2_WAIT_MS=200\nEVE_ESI_URL=http://127.0.0.1:1\n"
                % (data, CAPTURE, data, r2z2))

    # ------------------------------------------------------------ the pool, as the unit runs it
    pool = Proc(unit_command(UNIT), os.path.join(T, "pool.log"))
    procs.append(pool)
    sockp = "/run/gamewatch/app.sock"
    ok(wait_for(lambda: os.path.exists(sockp), 20), "t85: the pool (as the unit runs it) starts",
       tail(pool.log))
    if not os.path.exists(sockp):
        return
    st = os.stat(sockp)
    ws = workers(pool)
    ids = [open("/proc/%d/status" % w).read() for w in ws]
    uid, gid = pwd.getpwnam("gamewatch").pw_uid, grp_id("www-data")
    ok(pwd.getpwuid(st.st_uid).pw_name == "gamewatch" and st.st_gid == gid
       and oct(st.st_mode & 0o777) == "0o660" and len(ws) == 4
       and all(re.search(r"^Uid:\s+%d\s" % uid, s, re.M) and re.search(r"^Gid:\s+%d\s" % gid, s, re.M)
               for s in ids),
       "t85: 4 workers as gamewatch (group www-data); socket 0660 gamewatch:www-data",
       oct(st.st_mode), len(ws))
    stream = Proc(unit_command(STREAM_UNIT), os.path.join(T, "stream.log"))
    procs.append(stream)
    ssock = "/run/gamewatch/stream.sock"
    ok(wait_for(lambda: os.path.exists(ssock), 20) and stream.alive()
       and pwd.getpwuid(os.stat(ssock).st_uid).pw_name == "gamewatch"
       and os.stat(ssock).st_gid == gid and oct(os.stat(ssock).st_mode & 0o777) == "0o660",
       "t85: gamewatch-stream (as its unit runs it) listens on stream.sock, 0660 gamewatch:www-data",
       tail(stream.log))

    # ------------------------------------------------------------ Apache: vhosts beside another site
    pa, ps, ptls = free_port(), free_port(), free_port()
    other = os.path.join(T, "other")
    os.makedirs(other, exist_ok=True)
    with open(os.path.join(other, "index.html"), "w") as f:
        f.write("<p>the other site</p>\n")
    tls = os.path.join(T, "tls")
    os.makedirs(tls, exist_ok=True)
    sh(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", tls + "/key.pem", "-out", tls + "/cert.pem", "-days", "2",
        "-subj", "/CN=" + GW, "-addext", "subjectAltName=DNS:" + GW], check=True)
    with open("/usr/share/doc/gamewatch/examples/site-example.conf") as f:
        site = f.read()
    site = (site.replace("gamewatch.example.org", GW).replace("*:80", "127.0.0.1:%d" % ps)
            .replace("*:443", "127.0.0.1:%d" % ptls)
            .replace("/etc/letsencrypt/live/%s/fullchain.pem" % GW, tls + "/cert.pem")
            .replace("/etc/letsencrypt/live/%s/privkey.pem" % GW, tls + "/key.pem"))
    with open(os.path.join(T, "site.conf"), "w") as f:
        f.write(site)
    body = ('Include /etc/apache2/conf-available/gamewatch.conf\n'
            '<VirtualHost 127.0.0.1:%d>\n  ServerName other.test\n  DocumentRoot "%s"\n'
            '  <Directory "%s">\n    Require all granted\n  </Directory>\n</VirtualHost>\n'
            '<VirtualHost 127.0.0.1:%d>\n  ServerName plain.%s\n  Use GameWatch\n</VirtualHost>\n'
            'Include "%s/site.conf"\n' % (pa, other, other, pa, GW, T))
    apache = start_apache(os.path.join(T, "apache"), body, [pa, ps, ptls],
                          ["mpm_event", "authz_core", "alias", "mime", "dir", "headers", "macro",
                           "proxy", "proxy_fcgi", "ssl", "socache_shmcb"])
    procs.append(apache)
    A = "http://127.0.0.1:%d" % pa
    st_o, _, b_o = get(A + "/", host="other.test")
    st_s, _, _ = get(A + "/static/css/gamewatch.css", host="other.test")
    st_x, _, b_x = get(A + "/", host="unknown.test")
    ok(st_o == 200 and b"the other site" in b_o and st_s == 404 and b"the other site" in b_x,
       "t85: Apache: the other site (the default vhost) keeps its own / and has no /static/ of ours",
       st_o, b_o[:200], st_s)
    st_g, h_g, b_g = get(A + "/bzcc/", host="plain." + GW)
    ok(st_g == 200 and b"Live games" in b_g and "nosniff" in h_g.get("x-content-type-options", ""),
       "t85: Apache: the vhost with \"Use GameWatch\" serves the live page", st_g, b_g[:300])
    assets = page_assets(b_g.decode("utf-8", "replace"))
    bad = []
    for a in assets:
        s, h, _ = get(A + a, host="plain." + GW)
        if s != 200 or "nosniff" not in h.get("x-content-type-options", "") \
                or not re.match(r"(text/javascript|text/css)", h.get("content-type", "")):
            bad.append((a, s, h.get("content-type")))
    ok(assets and any("/static/vendor/htmx" in a for a in assets) and not bad,
       "t85: every script and stylesheet the page loads (%d, htmx among them) is served, typed,"
       " nosniff" % len(assets), assets, bad)
    cert = tls + "/cert.pem"
    st_t, h_t, b_t = get("https://%s:%d/bzcc/" % (GW, ptls), cacert=cert,
                         resolve="%s:%d:127.0.0.1" % (GW, ptls))
    st_r, h_r, _ = get("http://127.0.0.1:%d/bzcc/?x=1" % ps, host=GW)
    ok(st_t == 200 and b"Live games" in b_t and "max-age" in h_t.get("strict-transport-security", "")
       and st_r == 301 and h_r.get("location") == "https://%s/bzcc/?x=1" % GW,
       "t85: the shipped TLS example serves GameWatch over https (HSTS) and redirects http",
       st_t, st_r, h_r.get("location"))
    with open(os.path.join(T, "apache", "error.log")) as f:
        elog = f.read()
    ok("AH01146" not in elog and "[proxy:warn]" not in elog,
       "t85: Apache logs no AH01146 (two vhosts use the macro; the workers are defined once)",
       elog[-1500:])

    # ------------------------------------------------------------ lighttpd
    pl = free_port()
    with open("/etc/lighttpd/conf-available/50-gamewatch.conf") as f:
        l50 = f.read()
    ok(l50.startswith("# -*- depends: fastcgi setenv -*-"),
       "t85: conf-available/50-gamewatch.conf makes lighty-enable-mod enable fastcgi and setenv")
    with open(os.path.join(T, "50-gamewatch.conf"), "w") as f:
        f.write(l50.replace("gamewatch.example.org", GW))
    lbody = ('server.modules = ( "mod_indexfile", "mod_access", "mod_alias", "mod_redirect" )\n'
             'server.document-root = "%s"\nindex-file.names = ( "index.html" )\n'
             'include_shell "/usr/share/lighttpd/create-mime.conf.pl"\n'
             'include "/etc/lighttpd/conf-available/10-fastcgi.conf"\n'
             'include "/etc/lighttpd/conf-available/05-setenv.conf"\n'
             'include "%s/50-gamewatch.conf"\n'
             'server.modules += ( "mod_dirlisting", "mod_staticfile" )\n' % (other, T))
    light = start_lighttpd(os.path.join(T, "lighttpd"), lbody, pl)
    procs.append(light)
    L = "http://127.0.0.1:%d" % pl
    st_o, _, b_o = get(L + "/", host="other.test")
    st_g, _, b_g = get(L + "/bzcc/", host=GW)
    st_c, h_c, _ = get(L + "/static/css/gamewatch.css", host=GW)
    st_v, h_v, _ = get(L + "/static/vendor/htmx.min.js", host=GW)
    ok(st_o == 200 and b"the other site" in b_o and st_g == 200 and b"Live games" in b_g,
       "t85: lighttpd: GameWatch on its host only, the other site keeps /", st_o, st_g)
    ok(st_c == 200 and h_c.get("x-content-type-options") == "nosniff"
       and h_c.get("content-type", "").startswith("text/css") and st_v == 200
       and h_v.get("x-content-type-options") == "nosniff",
       "t85: lighttpd serves the static files with nosniff and our types", h_c, h_v)

    # ------------------------------------------------------------ reload on SIGHUP
    before = workers(pool)
    statuses = []
    stop = threading.Event()

    def hammer():
        while not stop.is_set():
            statuses.append(get(A + "/bzcc/", host="plain." + GW)[0])

    th = threading.Thread(target=hammer)
    th.start()
    time.sleep(0.3)
    pool.p.send_signal(signal.SIGHUP)
    renewed = wait_for(lambda: len(workers(pool)) == 4 and not set(workers(pool)) & set(before), 20)
    time.sleep(0.3)
    stop.set()
    th.join()
    ok(renewed and pool.alive() and statuses and set(statuses) == {200},
       "t85: SIGHUP (ExecReload) replaces all 4 workers, no request fails meanwhile (%d requests)"
       % len(statuses), before, workers(pool), sorted(set(statuses)), tail(pool.log, 8))

    # ------------------------------------------------------------ the jobs, from /etc/cron.d
    with open("/etc/cron.d/gamewatch") as f:
        cron = f.read()
    lines = cron_lines(cron, system=True)
    names = [job_name(c) for _, c in lines]
    ok(len(lines) >= 5 and all(u == "gamewatch" for u, _ in lines)
       and {"poll-bzcc", "rollup", "enrich", "mirror", "asset-sweep"} <= set(names),
       "t85: /etc/cron.d/gamewatch runs every scheduled job as gamewatch", names)
    marker = time.time()
    results = {}
    count = lambda q: int(as_postgres_sql(port, sock, q, DB).stdout.strip() or 0)
    # the loops of a minute (--duration 55) are stopped once they did their
    # work, as a test cannot wait a minute for each; poll-bzcc runs last, so
    # that the data is fresh for the checks after
    done_when = {
        "poll-bzcc": lambda: count("SELECT count(*) FROM bzcc.polls WHERE ok") >= 2,
        "eve-r2z2": lambda: count("SELECT count(*) FROM eve.killmails WHERE killmail_id = %d"
                                  % kill_id) == 1,
    }
    lines.sort(key=lambda l: job_name(l[1]) == "poll-bzcc")
    for user, cmd in lines:
        name = job_name(cmd)
        pr = start_cron_line(user, cmd, "/var/lib/gamewatch", os.path.join(T, "cron-%s.out" % name))
        if "--duration" in cmd:
            wait_for(done_when.get(name, lambda: False), 30 if name in done_when else 3, 0.3)
            for pid, comm in descendants(pr.p.pid):
                if comm == "gamewatch-job":
                    os.kill(pid, signal.SIGTERM)
        try:
            rc = pr.p.wait(120)
        except subprocess.TimeoutExpired:
            rc = "timeout"
        pr.stop()
        results[name] = rc
    ok(all(rc == 0 for rc in results.values()), "t85: every cron.d line exits 0", results)
    runs = as_postgres_sql(port, sock, "SELECT job || ':' || exit_code FROM job_runs"
                           " WHERE started_at > to_timestamp(%f) ORDER BY id" % marker, DB).stdout.split()
    logs = {n: "/var/log/gamewatch/%s.log" % n for n in names}
    ok(set("%s:0" % n for n in names) <= set(runs)
       and all(os.path.exists(p) and pwd.getpwuid(os.stat(p).st_uid).pw_name == "gamewatch"
               for p in logs.values()),
       "t85: each job ran as gamewatch (job_runs: exit 0) and appended to its own log",
       runs, [p for p in logs.values() if not os.path.exists(p)])
    ok(count("SELECT count(*) FROM eve.killmails WHERE killmail_id = %d" % kill_id) == 1,
       "t85: eve-r2z2 from cron.d stored the killmail the R2Z2 stand-in served (%d)" % kill_id,
       tail("/var/log/gamewatch/eve-r2z2.log"))
    locks = sorted(os.listdir("/run/gamewatch"))
    stray = [p for p in glob.glob("/tmp/gamewatch-*") + glob.glob("/var/tmp/gamewatch-*.lock")
             if os.stat(p).st_uid == pwd.getpwnam("gamewatch").pw_uid]
    ok("gamewatch-poll-bzcc.lock" in locks and "poll-bzcc.cron.lock" in locks and not stray,
       "t85: the jobs' locks are in /run/gamewatch, none in /tmp", locks, stray)
    expected = expected_from_raw(os.path.join(DATA, "lobby", CAPTURE), CAPTURE)
    st_g, _, b_g = get(A + "/bzcc/", host="plain." + GW)
    page = b_g.decode("utf-8", "replace")
    ok(st_g == 200 and expected and all(html_escape(e["name"]) in page for e in expected),
       "t85: the live page through Apache shows the %d polled sessions" % len(expected),
       [e["name"] for e in expected if html_escape(e["name"]) not in page][:5])
    st_h, _, b_h = get(A + "/healthz", host="plain." + GW)
    hz = json.loads(b_h) if b_h.startswith(b"{") else {}
    ok(st_h == 200 and hz.get("status") == "ok" and hz.get("redis") is True,
       "t85: /healthz is 200 ok with fresh data and Redis", st_h, hz)
    # the live events, and main's body limit with its JSON error, through both servers
    for name, base, host in (("Apache", A, "plain." + GW), ("lighttpd", L, GW)):
        c = Client(base + "/api/v1/stream/sessions", headers={"Host": host})
        got = c.wait(lambda cl: cl.events, 10)
        c.close()
        first = c.events[0] if c.events else {}
        snap = first.get("json") or {}
        ok(c.status == 200 and c.headers.get("content-type", "").startswith("text/event-stream")
           and first.get("event") == "snapshot" and got
           and len(json.dumps(snap)) > 100,
           "t85: %s: /api/v1/stream/sessions reaches gamewatch-stream: a snapshot event" % name,
           c.status, c.headers, c.events[:1], tail(stream.log, 5))
        p = sh(["curl", "-s", "-m", "10", "-o", "-", "-w", "\n%{http_code} %{content_type}",
                "-H", "Host: " + host, "-H", "Content-Type: application/json",
                "-H", "Content-Length: 10000000", "-X", "POST", base + "/api/v1/sessions/current"])
        body, _, tailline = p.stdout.rpartition("\n")
        code, _, ctype = tailline.partition(" ")
        try:
            err = json.loads(body)
        except ValueError:
            err = {}
        ok(code == "413" and ctype.startswith("application/json")
           and err.get("error") == "payload too large",
           "t85: %s: a body announced over the /api/ limit gets the JSON 413 at once" % name,
           p.stdout[-400:])
    # systemctl reload gamewatch-stream (ExecReload: SIGHUP): new event loops,
    # and a browser's reconnect gets its snapshot from them
    old = workers(stream)
    held = Client(A + "/api/v1/stream/sessions", headers={"Host": "plain." + GW})
    held.wait(lambda cl: cl.events, 10)
    stream.p.send_signal(signal.SIGHUP)
    renewed = wait_for(lambda: len(workers(stream)) == 1 and not set(workers(stream)) & set(old), 20)
    ended = held.wait(lambda cl: cl.closed, 10) or held.closed
    held.close()
    again = Client(L + "/api/v1/stream/sessions", headers={"Host": GW})
    again.wait(lambda cl: cl.events, 10)
    again.close()
    ok(renewed and stream.alive() and ended and again.status == 200 and again.events
       and again.events[0].get("event") == "snapshot",
       "t85: SIGHUP (ExecReload) replaces gamewatch-stream's event loop: open streams end, a new"
       " one gets its snapshot", old, workers(stream), ended, again.status, tail(stream.log, 6))

    # ------------------------------------------------------------ logrotate
    if shutil.which("logrotate"):
        filled = sorted(os.path.basename(p) + ".1" for p in logs.values()
                        if os.path.exists(p) and os.path.getsize(p) > 0)
        lr = sh(["logrotate", "-f", "-s", os.path.join(T, "logrotate.state"),
                 "/etc/logrotate.d/gamewatch"])
        rotated = sorted(os.path.basename(p) for p in glob.glob("/var/log/gamewatch/*.log.1"))
        # (notifempty: a job that logged nothing, notify without webhooks, is left)
        ok(lr.returncode == 0 and len(rotated) >= 5 and rotated == filled,
           "t85: logrotate rotates every job log (%d)" % len(rotated), lr.stderr[-800:], rotated)

    # ------------------------------------------------------------ upgrade
    before_rows = table_stats_as_postgres(port, sock)
    deb2 = build_deb(V2)
    p = sh(["dpkg", "-i", deb2], timeout=300)
    after_rows = table_stats_as_postgres(port, sock)
    changed = {t: (before_rows[t], after_rows.get(t)) for t in before_rows
               if after_rows.get(t) != before_rows[t] and t != "public.job_runs"}
    jr_b, jr_a = before_rows.get("public.job_runs", (0, ""))[0], after_rows.get("public.job_runs", (0, ""))[0]
    last = as_postgres_sql(port, sock, "SELECT job || ':' || exit_code FROM job_runs ORDER BY id DESC"
                           " LIMIT 1", DB).stdout.strip()
    ok(p.returncode == 0 and pkg_status() == "installed " + V2
       and "applying the migrations (upgrade from %s)" % V1 in p.stdout,
       "t85: dpkg -i %s upgrades %s, its postinst runs the migrations" % (V2, V1),
       p.stdout[-1500:], p.stderr[-1500:])
    ok(not changed and jr_a == jr_b + 1 and last == "migrate:0" and len(before_rows) >= 10
       and sum(n for n, _ in before_rows.values()) > 0,
       "t85: the upgrade keeps every row of all %d tables (job_runs gains the migrate run)"
       % len(before_rows), changed, (jr_b, jr_a, last), p.stderr[-1500:],
       as_postgres_sql(port, sock, "SELECT * FROM job_runs ORDER BY id", DB).stdout)
    ok(env_file().get("SECRET_KEY") == secret, "t85: the upgrade keeps the env file")
    # systemd would restart the pool now (deb-systemd-invoke try-restart);
    # here the test does, and the new programs serve the same data
    pool.stop()
    pool = Proc(unit_command(UNIT), os.path.join(T, "pool2.log"))
    procs.append(pool)
    wait_for(lambda: os.path.exists(sockp), 20)
    st_g, _, b_g = get(A + "/bzcc/", host="plain." + GW)
    ok(st_g == 200 and all(html_escape(e["name"]) in b_g.decode("utf-8", "replace") for e in expected),
       "t85: after the upgrade and restart the live page serves the same sessions", st_g)

    # ------------------------------------------------------------ backup, restore
    bk = os.path.join(T, "backup")
    os.makedirs(bk, exist_ok=True)
    os.chmod(bk, 0o700)
    with open(os.path.join("/var/lib/gamewatch/assets", "t85-backup.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n t85")
    # the documented commands (apache/README.md, "Backups")
    dump = sh(["sh", "-c", 'runuser -u postgres -- pg_dump -Fc -h "$1" -p "$2" -d "$3" >"$4/db.dump"'
               ' && tar -C /var/lib/gamewatch -czf "$4/assets.tar.gz" assets'
               ' && install -m 0600 /etc/gamewatch/env "$4/env"', "sh", sock, port, DB, bk], cwd="/")
    ok(dump.returncode == 0 and os.path.getsize(os.path.join(bk, "db.dump")) > 1000,
       "t85: the documented backup (pg_dump, assets, env) runs", dump.stderr[-800:])
    rdb = DB + "_restored"
    as_postgres_sql(port, sock, "DROP DATABASE IF EXISTS %s" % rdb)
    r1 = as_postgres_sql(port, sock, "CREATE DATABASE %s OWNER %s" % (rdb, DB))
    r2 = sh(["sh", "-c", 'runuser -u postgres -- pg_restore --no-owner --role="$3" -h "$1" -p "$2"'
             ' -d "$4" <"$5/db.dump"', "sh", sock, port, DB, rdb, bk], cwd="/")
    shutil.rmtree("/var/lib/gamewatch/assets")
    r3 = sh(["tar", "-C", "/var/lib/gamewatch", "-xzf", os.path.join(bk, "assets.tar.gz")])
    ok(r1.returncode == 0 and r2.returncode == 0 and r3.returncode == 0
       and os.path.exists("/var/lib/gamewatch/assets/t85-backup.png"),
       "t85: the documented restore (pg_restore into an empty database, assets) runs",
       r1.stderr, r2.stderr[-800:], r3.stderr)
    # a second pool on the restored database (the environment wins over
    # the env file: DATABASE_URL points at the copy)
    rdir = os.path.join(T, "restored")
    os.makedirs(rdir, exist_ok=True)
    sh(["chown", "gamewatch:www-data", rdir], check=True)
    rsock = os.path.join(rdir, "app.sock")
    rurl = env_file()["DATABASE_URL"].rsplit("/", 1)[0] + "/" + rdb
    cmd = unit_command(UNIT)
    cmd = [("DATABASE_URL=" + rurl) if c.startswith("PATH=") else c for c in cmd]
    cmd.insert(cmd.index("-i") + 1, "PATH=/usr/bin:/bin")
    cmd = [c.replace("unix:/run/gamewatch/app.sock", "unix:" + rsock) for c in cmd]
    rpool = Proc(cmd, os.path.join(T, "pool-restored.log"))
    procs.append(rpool)
    wait_for(lambda: os.path.exists(rsock), 20)
    same, differ = [], []
    sid = expected[0]["id"] if expected else "x"
    for path in ["/api/v1/sessions/current", "/api/v1/history/sessions", "/api/v1/sessions/" + sid,
                 "/api/v1/history/summary?minutes=60", "/bzcc/sessions/" + sid, "/bzcc/history"]:
        a, b = fcgi_get(sockp, path), fcgi_get(rsock, path)
        if path.startswith("/api/"):
            ja, jb = json.loads(a[1] or b"null"), json.loads(b[1] or b"null")
            for j in (ja, jb):
                if isinstance(j, dict):
                    for k in ("generated_at", "time", "to", "from", "points"):
                        j.pop(k, None)
            eq = a[0] == b[0] == 200 and ja == jb
        else:
            # the pages carry a CSRF token of their own; the rest is the same
            strip = lambda s: re.sub(rb'(csrf[^"]*"|value=")[0-9a-f]{32,}', b"", s)
            eq = a[0] == b[0] == 200 and strip(a[1]) == strip(b[1])
        (same if eq else differ).append(path)
    st_a, _, _ = get(A + "/assets/t85-backup.png", host="plain." + GW)
    ok(not differ and st_a == 200,
       "t85: the restored database serves the same answers (%s) and the restored assets" % ", ".join(same),
       differ, st_a)

    # ------------------------------------------------------------ purge
    for pr in (rpool, pool, stream, apache, light):
        pr.stop()
    purge()
    left = [p for p in ("/etc/gamewatch", "/etc/cron.d/gamewatch", "/etc/logrotate.d/gamewatch",
                        "/etc/apache2/conf-available/gamewatch.conf", "/usr/share/gamewatch",
                        "/usr/bin/gamewatch-job", UNIT, STREAM_UNIT, "/var/lib/gamewatch",
                        "/var/log/gamewatch",
                        "/run/gamewatch", "/etc/systemd/system/multi-user.target.wants/gamewatch.service")
            if os.path.lexists(p)]
    ok(pkg_status() in ("", "not-installed ", "config-files " + V2) and not left,
       "t85: dpkg --purge removes the package, its confs, env file, state and logs", left, pkg_status())


def r2z2_standin():
    """A loopback stand-in for R2Z2 (r2z2.zkillboard.com/ephemeral, the shape of
    tests/integration/t91): sequence.json names one sequence, whose document
    wraps a real ESI killmail of tests/data/eve; later sequences are 404 (not
    yet published). Returns (base URL, the killmail's id)."""
    with open(os.path.join(SRCDIR, "tests", "data", "eve", "killmails",
                           "esi_2021-11-28_pochven-sakenta-urhinichi_day.jsonl")) as f:
        k = json.loads(next(l for l in f if l.strip()))
    with open(os.path.join(SRCDIR, "tests", "data", "eve", "redisq",
                           "zkb_api_response_examples.json")) as f:
        zkb = dict(json.load(f)[0]["zkb"])  # real zKillboard values (another kill's)
    zkb["hash"] = k["killmail_hash"]
    zkb["href"] = "https://esi.evetech.net/latest/killmails/%d/%s/" % (k["killmail_id"],
                                                                       k["killmail_hash"])
    seq = 123456
    esi = {key: v for key, v in k.items() if key not in ("killmail_hash", "http_last_modified")}
    doc = json.dumps({"killmail_id": k["killmail_id"], "hash": k["killmail_hash"], "esi": esi,
                      "zkb": zkb, "uploaded_at": 1638100000, "sequence_id": seq}).encode()

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.rsplit("/", 1)[-1]
            if name == "sequence.json":
                code, body = 200, json.dumps({"sequence": seq}).encode()
            elif name == "%d.json" % seq:
                code, body = 200, doc
            else:
                code, body = 404, b""
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return "http://127.0.0.1:%d/ephemeral" % srv.server_address[1], k["killmail_id"]


def grp_id(name):
    return int(sh(["getent", "group", name], check=True).stdout.split(":")[2])


def table_stats_as_postgres(port, sock):
    """t80_helpers.table_stats as postgres (peer login on the cluster)."""
    q = ("SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n"
         " ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'm')"
         " AND n.nspname IN ('public', 'bzcc') ORDER BY 1")
    out = {}
    for t in as_postgres_sql(port, sock, q, DB).stdout.split():
        schema, rel = t.split(".")
        r = as_postgres_sql(port, sock, 'SELECT count(*) || \' \' || coalesce(md5(string_agg(x::text,'
                            ' E\'\\n\' ORDER BY x::text)), \'-\') FROM "%s"."%s" x' % (schema, rel), DB)
        n, h = r.stdout.split()
        out[t] = (int(n), h)
    return out


def purge():
    if pkg_status():
        sh(["dpkg", "--purge", "gamewatch"], timeout=300)


with system_lock():
    try:
        main()
    finally:
        for pr in procs:
            try:
                pr.stop()
            except Exception:
                pass
        purge()
        for deb in glob.glob(os.path.join(BUILD_DIR, "gamewatch_*.deb")):
            os.unlink(deb)
        if created_user:
            sh(["userdel", "gamewatch"])
            sh(["groupdel", "gamewatch"])
        cluster_stop(os.path.join(T, "pgstate"))
done()
