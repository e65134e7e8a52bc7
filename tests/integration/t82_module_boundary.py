"""t82: the module boundary holds.

A copy of the source tree (the files git tracks) gets the demo module of
tests/modules/demo as modules/demo and ONE line in modules/registry.am,
nothing else, and is built from scratch (autoreconf, configure, make). Then:
  - no tracked file other than modules/registry.am differs from the
    original, and that one differs by the added line;
  - modules/demo includes no other module's header;
  - `gamewatch.fcgi --routes` lists the demo route under module demo;
  - `gamewatch-job list` and `schedule` list its job, which runs and is
    recorded in job_runs;
  - migrate records (demo, 001) after the platform's and bzcc's files;
  - a pool of that build answers the route with the job's note, and with
    GW_MODULES=bzcc the route is gone (404)."""
import json
import os
import re
import shutil
import subprocess

from gwtest import done, ok
from t80_helpers import Pool, build_tree, create_db, drop_db, psql_url, redis_url

SRCDIR = os.environ["SRCDIR"]
WORK = os.path.join(os.environ["GW_RUN"], "t82")
LOG = os.path.join(WORK, "t82.log")
DB = "gw_t82_demo"
LINE = "include $(srcdir)/modules/demo/module.am"


def tracked():
    p = subprocess.run(["git", "-C", SRCDIR, "ls-files", "-z"], capture_output=True)
    if p.returncode != 0:
        return None
    return [f for f in p.stdout.decode().split("\0") if f]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def main():
    files = tracked()
    if files is None:
        ok(True, "t82: module boundary # SKIP %s is not a git checkout (git ls-files)" % SRCDIR)
        return
    shutil.rmtree(WORK, ignore_errors=True)
    src, build = os.path.join(WORK, "src"), os.path.join(WORK, "build")
    copied = []
    for f in files:
        a = os.path.join(SRCDIR, f)
        if not os.path.isfile(a):  # deleted in the working tree
            continue
        b = os.path.join(src, f)
        os.makedirs(os.path.dirname(b), exist_ok=True)
        shutil.copy2(a, b)
        copied.append(f)
    # the module: its folder and one registry line
    shutil.copytree(os.path.join(SRCDIR, "tests", "modules", "demo"),
                    os.path.join(src, "modules", "demo"))
    with open(os.path.join(src, "modules", "registry.am"), "a") as f:
        f.write(LINE + "\n")

    build_tree(src, build, [], LOG)
    ok(True, "t82: the tree with modules/demo and one registry line builds")

    changed = [f for f in copied if read(os.path.join(src, f)) != read(os.path.join(SRCDIR, f))]
    reg_old = read(os.path.join(SRCDIR, "modules", "registry.am")).decode()
    reg_new = read(os.path.join(src, "modules", "registry.am")).decode()
    ok(changed == ["modules/registry.am"] and reg_new == reg_old + LINE + "\n",
       "t82: no tracked file but modules/registry.am changed, by one line", changed)
    demo_files = sorted(os.path.relpath(os.path.join(d, f), os.path.join(src, "modules", "demo"))
                        for d, _, fs in os.walk(os.path.join(src, "modules", "demo")) for f in fs)
    want_files = sorted(os.path.relpath(os.path.join(d, f), os.path.join(SRCDIR, "tests", "modules", "demo"))
                        for d, _, fs in os.walk(os.path.join(SRCDIR, "tests", "modules", "demo"))
                        for f in fs)
    ok(demo_files == want_files, "t82: modules/demo holds exactly tests/modules/demo", demo_files)
    foreign = []
    for f in demo_files:
        if f.endswith((".c", ".h")):
            for inc in re.findall(r'#\s*include\s+"([^"]+)"',
                                  read(os.path.join(src, "modules", "demo", f)).decode()):
                if inc.startswith("modules/") and not inc.startswith("modules/demo/"):
                    foreign.append("%s: %s" % (f, inc))
    ok(not foreign and any(f.endswith(".c") for f in demo_files),
       "t82: modules/demo includes no other module's header", *foreign)

    fcgi, job = os.path.join(build, "gamewatch.fcgi"), os.path.join(build, "gamewatch-job")
    routes = subprocess.run([fcgi, "--routes"], capture_output=True, text=True).stdout
    demo_rows = [l.split("\t") for l in routes.splitlines() if "/api/v1/demo/" in l]
    ok(len(demo_rows) == 1 and demo_rows[0][1] == "/api/v1/demo/notes" and demo_rows[0][2] == "api"
       and demo_rows[0][8] == "demo",
       "t82: gamewatch.fcgi --routes lists GET /api/v1/demo/notes (api, module demo)", demo_rows)
    ok(any(l.split("\t")[8:9] == ["bzcc"] for l in routes.splitlines()),
       "t82: the bzcc routes are still listed")
    lst = subprocess.run([job, "list"], capture_output=True, text=True).stdout
    ok(re.search(r"^demo-note\s+demo\s+0 4 \* \* \*\s+add a note", lst, re.M) is not None,
       "t82: gamewatch-job list lists demo-note (module demo, its schedule)", lst)
    cron = subprocess.run([job, "schedule"], capture_output=True, text=True).stdout
    ok(re.search(r"^0 4 \* \* \*  GW_ENV_FILE=\S+ flock -n \S+/demo-note\.cron\.lock "
                 r".*gamewatch-job demo-note >>", cron,
                 re.M) is not None and cron == read(os.path.join(build, "apache", "crontab")).decode(),
       "t82: the generated crontab runs demo-note on its schedule")

    url = create_db(DB)
    try:
        env = dict(os.environ, DATABASE_URL=url, REDIS_URL=redis_url(13),
                   GW_SQL_DIR=os.path.join(build, "share", "sql"),
                   GW_TEMPLATE_DIR=os.path.join(build, "share", "templates"),
                   GW_RUN_DIR=WORK)
        env.pop("GW_MODULES", None)
        p = subprocess.run([job, "migrate"], env=env, capture_output=True, text=True)
        applied = re.findall(r"applied migration (\S+)", p.stdout + p.stderr)
        owners = [a.split("/")[0] for a in applied]
        # the platform's, then bzcc's (however many), then the demo's
        ok(p.returncode == 0 and applied[-1:] == ["demo/001-notes.sql"]
           and [a.split("/")[0] for a in applied][:4] == ["platform"] * 4
           and "bzcc" in [a.split("/")[0] for a in applied][4:-1]
           and [a.split("/")[0] for a in applied].count("demo") == 1,
           "t82: migrate applies demo/001-notes.sql after the platform's and bzcc's", applied,
           p.stderr[-800:])
        rows = psql_url(url, "SELECT module, version FROM gw_migrations WHERE module = 'demo'")
        ok(rows == [["demo", "001"]], "t82: gw_migrations records (demo, 001)", rows)

        p = subprocess.run([job, "demo-note", "--text", "t82 <note> \u00e9"], env=env,
                           capture_output=True, text=True)
        ok(p.returncode == 0, "t82: gamewatch-job demo-note runs", p.stderr[-500:])
        runs = psql_url(url, "SELECT job, module, exit_code FROM job_runs WHERE job = 'demo-note'")
        ok(runs == [["demo-note", "demo", "0"]], "t82: the run is recorded in job_runs", runs)
        p = subprocess.run([job, "demo-note", "--bogus"], env=env, capture_output=True, text=True)
        ok(p.returncode == 2, "t82: demo-note refuses an unknown option (exit 2)")

        pool = Pool(fcgi, os.path.join(WORK, "demo.sock"), env, os.path.join(WORK, "pool.log"))
        try:
            status, headers, body = pool.get("/api/v1/demo/notes")
        finally:
            pool.stop()
        doc = json.loads(body) if status == 200 else None
        ok(status == 200 and headers.get("content-type", "").startswith("application/json")
           and doc and [n["body"] for n in doc["notes"]] == ["t82 <note> \u00e9"],
           "t82: GET /api/v1/demo/notes answers with the job's note", status, body[:300])
        env_b = dict(env, GW_MODULES="bzcc")
        pool = Pool(fcgi, os.path.join(WORK, "bzcc.sock"), env_b, os.path.join(WORK, "pool-b.log"))
        try:
            status, _, body = pool.get("/api/v1/demo/notes")
            status_h, _, _ = pool.get("/healthz")
        finally:
            pool.stop()
        ok(status == 404 and status_h in (200, 503),
           "t82: with GW_MODULES=bzcc the demo route is gone (404)", status, body[:200])
    finally:
        drop_db(DB)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        ok(False, "t82: module boundary", repr(e)[-3000:])
    done()
