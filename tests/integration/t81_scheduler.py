"""t81: jobs from the registry.

- `gamewatch-job schedule` prints exactly the crontab the build installs
  (BUILD_DIR/apache/crontab), with a line per scheduled job of
  `gamewatch-job list`, at the configured install paths.
- `gamewatch-job scheduler` with a 2-second scheduler minute
  (GW_SCHEDULER_TICK_S) on a private database: the lobby poller polls at
  its interval with no gap while rollup, enrich and mirror start on their
  own schedules, concurrently; the running poller is never started twice;
  every run is recorded in job_runs; a run past its timeout is stopped;
  SIGTERM stops the scheduler and its jobs; a bad schedule is refused."""
import os
import re
import signal
import subprocess
import time

from gwtest import BUILD_DIR, DATA, done, ok
from t80_helpers import create_db, drop_db, psql_url, redis_url

JOB = os.path.join(BUILD_DIR, "gamewatch-job")
WORK = os.path.join(os.environ["GW_RUN"], "t81")
DB = "gw_t81_scheduler"
CAPTURE = os.path.join(DATA, "lobby", "rebellion-direct_2022-12_frute94-BZCC-Scanner.json")


def check_crontab():
    p = subprocess.run([JOB, "schedule"], capture_output=True, text=True,
                       env=dict(os.environ, GW_MODULES=""))
    with open(os.path.join(BUILD_DIR, "apache", "crontab")) as f:
        installed = f.read()
    ok(p.returncode == 0 and p.stdout == installed,
       "t81: `gamewatch-job schedule` equals the installed crontab (apache/crontab)",
       p.stderr, *[l for l in p.stdout.splitlines() if l not in installed.splitlines()][:5])

    # the configured paths, from the build's Makefile
    mk = {}
    with open(os.path.join(BUILD_DIR, "Makefile")) as f:
        for line in f:
            m = re.match(r"^(prefix|exec_prefix|bindir|sysconfdir|localstatedir|runstatedir) = (.*)$",
                         line)
            if m:
                mk[m.group(1)] = m.group(2).strip()
    def expand(v):
        for _ in range(5):
            v = re.sub(r"\$\{(\w+)\}|\$\((\w+)\)", lambda m: mk[m.group(1) or m.group(2)], v)
        return v
    bindir, sysconfdir, lsd, rsd = (expand(mk["bindir"]), expand(mk["sysconfdir"]),
                                    expand(mk["localstatedir"]), expand(mk["runstatedir"]))

    # one line per scheduled job of `gamewatch-job list`, same schedule
    lst = subprocess.run([JOB, "list"], capture_output=True, text=True, check=True).stdout
    listed = {}
    for line in lst.splitlines():
        m = re.match(r"^(\S+)\s+(\S+)\s+(\S+ \S+ \S+ \S+ \S+|-)\s+", line)
        if m and m.group(1) != "job" and m.group(3) != "-":
            listed[m.group(1)] = m.group(3)
    ok(installed.startswith("# BEGIN gamewatch") and installed.endswith("# END gamewatch\n")
       and not any(re.match(r"^[A-Z_]+=", l) for l in installed.splitlines()),
       "t81: the crontab is one marked block and sets no crontab variable (a user's other"
       " lines keep theirs)", installed[:200], installed[-200:])
    lines = [l for l in installed.splitlines() if l and not l.startswith("#")]
    got = {}
    bad = []
    for l in lines:
        m = re.match(r"^(\S+ \S+ \S+ \S+ \S+)  GW_ENV_FILE=(\S+) flock (-n|-w 30) (\S+) "
                     r"(?:timeout -k 10 (\d+) )?(\S+) (\S+)(.*) >>(\S+) 2>&1$", l)
        if not m:
            bad.append(l)
            continue
        name = m.group(7)
        got[name] = m.group(1)
        if (m.group(4) != "%s/gamewatch/%s.cron.lock" % (rsd, name)
                or m.group(2) != "%s/gamewatch/env" % sysconfdir
                or m.group(6) != "%s/gamewatch-job" % bindir
                or m.group(9) != "%s/log/gamewatch/%s.log" % (lsd, name)
                or (m.group(1) == "* * * * *") != (m.group(3) == "-w 30")):
            bad.append(l)
    ok(not bad and got == listed and len(got) >= 5,
       "t81: the crontab has one line per scheduled job of `gamewatch-job list` (%d), with the"
       " install paths, its own lock and log" % len(listed),
       *bad[:3], "crontab %s" % got, "list %s" % listed)
    ok(got.get("poll-bzcc") == "* * * * *" and got.get("rollup") == "*/5 * * * *"
       and got.get("mirror") == "2-59/5 * * * *",
       "t81: poll-bzcc every minute, rollup every 5, mirror at 2-59/5 (the registry's rows)", got)
    p = subprocess.run([JOB, "schedule", "--bindir", "/opt/gw/bin", "--sysconfdir", "/etc",
                        "--localstatedir", "/var", "--runstatedir", "/run"],
                       capture_output=True, text=True)
    ok(p.returncode == 0 and "/opt/gw/bin/gamewatch-job poll-bzcc --duration 55" in p.stdout
       and "GW_ENV_FILE=/etc/gamewatch/env flock" in p.stdout
       and " /run/gamewatch/rollup.cron.lock " in p.stdout
       and ">>/var/log/gamewatch/rollup.log" in p.stdout,
       "t81: schedule --bindir/--sysconfdir/--localstatedir/--runstatedir write those paths",
       p.stdout[-500:])
    # the /etc/cron.d form: the same lines with the user after the schedule
    p2 = subprocess.run([JOB, "schedule", "--bindir", "/opt/gw/bin", "--sysconfdir", "/etc",
                         "--localstatedir", "/var", "--runstatedir", "/run", "--user", "gamewatch"],
                        capture_output=True, text=True)
    user_lines = [l for l in p.stdout.splitlines() if l and not l.startswith("#")]
    sys_lines = [l for l in p2.stdout.splitlines() if l and not l.startswith("#")]
    ok(p2.returncode == 0 and len(sys_lines) == len(user_lines) >= 5
       and all(s == re.sub(r"^(\S+ \S+ \S+ \S+ \S+)  ", r"\1  gamewatch  ", u)
               for u, s in zip(user_lines, sys_lines)),
       "t81: schedule --user NAME writes the /etc/cron.d form (the user after the schedule)",
       *sys_lines[:2])
    p = subprocess.run([JOB, "schedule", "--bindir", "/opt/gw bin"], capture_output=True, text=True)
    ok(p.returncode == 2, "t81: schedule refuses a path with a blank (it is pasted into a shell line)",
       p.stdout[-200:])
    p = subprocess.run([JOB, "schedule", "--bindir", "relative"], capture_output=True, text=True)
    ok(p.returncode == 2 and "usage" in p.stderr, "t81: schedule refuses a relative path")


def sched_env(url, **extra):
    e = dict(os.environ)
    e.update({
        "DATABASE_URL": url, "REDIS_URL": redis_url(12), "GW_RUN_DIR": os.path.join(WORK, "run"),
        "RAKNET_URL": "file://" + CAPTURE, "POLL_INTERVAL_SECONDS": "1",
        "VSR_MAPLIST_URL": "file://" + os.path.join(DATA, "maps", "vsrmaplist.json"),
        "GETDATA_ENDPOINT_BASE": "http://127.0.0.1:1/", "STEAM_API_BASE": "http://127.0.0.1:1",
        "GOG_API_BASE": "http://127.0.0.1:1", "GW_FETCH_TIMEOUT_MS": "1000",
    })
    e.update(extra)
    return e


def run_scheduler(env, seconds, logname):
    """Start the scheduler, let it run `seconds`, SIGTERM it; return (exit
    code, seconds it took to stop, its log text, log dir, Unix time of the
    SIGTERM)."""
    logdir = os.path.join(WORK, logname)
    os.makedirs(logdir, exist_ok=True)
    with open(os.path.join(logdir, "scheduler.log"), "w") as lf:
        p = subprocess.Popen([JOB, "scheduler", "--log-dir", logdir], env=env,
                             stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT)
        time.sleep(seconds)
        t0, term = time.monotonic(), time.time()
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
    with open(os.path.join(logdir, "scheduler.log")) as f:
        text = f.read()
    return rc, time.monotonic() - t0, text, logdir, term


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def check_scheduler(url):
    env = sched_env(url, GW_SCHEDULER_TICK_S="2", GW_SCHEDULE_ASSET_SWEEP="off",
                    GW_JOB_ARGS_ENRICH="--duration 3", GW_JOB_ARGS_MIRROR="--duration 3")
    started = psql_url(url, "SELECT now()")[0][0]
    rc, stop_s, log, logdir, term = run_scheduler(env, 24, "run1")
    ok(rc == 0 and stop_s < 12, "t81: SIGTERM stops the scheduler (exit %s in %.1f s)" % (rc, stop_s),
       log[-1500:])
    pids = [int(x) for x in re.findall(r"started \S+ \(pid (\d+)\)", log)]
    ok(pids and not any(alive(p) for p in pids), "t81: no job outlives the scheduler",
       [p for p in pids if alive(p)])

    # the poller: one run for the whole time, never started twice
    starts = re.findall(r"started (\S+) \(pid", log)
    ok(starts.count("poll-bzcc") == 1 and log.count("poll-bzcc is still running") >= 8,
       "t81: the running poller is not started again (%d ticks skipped it)"
       % log.count("poll-bzcc is still running"), starts)
    for name in ("rollup", "enrich", "mirror"):
        ok(starts.count(name) >= 2, "t81: %s ran on its schedule (%d runs in 12 scheduler minutes)"
           % (name, starts.count(name)), starts)

    polls = psql_url(url, "SELECT extract(epoch FROM taken_at), ok FROM bzcc.polls"
                          " WHERE taken_at >= $1::timestamptz ORDER BY taken_at".replace(
                              "$1", "'%s'" % started))
    times = [float(t) for t, _ in polls]
    gaps = [b - a for a, b in zip(times, times[1:])]
    ok(len(polls) >= 18 and all(o == "t" for _, o in polls),
       "t81: %d successful polls in 24 s at a 1 s interval" % len(polls))
    ok(gaps and max(gaps) < 1.9,
       "t81: no gap in polling while the other jobs ran (largest %.2f s)" % max(gaps or [0]),
       ["%.2f" % g for g in gaps])

    runs = psql_url(url, "SELECT job, module, extract(epoch FROM started_at),"
                         " extract(epoch FROM finished_at), exit_code FROM job_runs"
                         " WHERE started_at >= '%s' ORDER BY started_at" % started)
    by = {}
    for job, module, s, f, code in runs:
        by.setdefault(job, []).append((module, float(s), float(f) if f else None, code))
    poll = by.get("poll-bzcc", [])
    ok(len(poll) == 1 and poll[0][0] == "bzcc" and poll[0][3] == "0" and poll[0][2],
       "t81: job_runs has the poller's one run, finished with exit 0 after SIGTERM", poll)
    others = [(j, r) for j in ("rollup", "enrich", "mirror") for r in by.get(j, [])]
    # runs that ended before the SIGTERM ended on their own: exit 0
    ended = [(j, r) for j, r in others if r[2] is not None and r[2] < term]
    ok(len(ended) >= 4 and all(r[3] == "0" for _, r in ended)
       and all(r[2] is not None for _, r in others)
       and {r[0] for j, r in others if j in ("mirror", "enrich")} == {"platform"}
       and {r[0] for j, r in others if j == "rollup"} == {"bzcc"},
       "t81: job_runs records every rollup, enrich and mirror run (module, finish, exit 0)", runs)
    if poll:
        # (a job due in the first minute starts with the poller: 1 s slack)
        inside = all(poll[0][1] - 1.0 <= r[1] <= (poll[0][2] or 0) for _, r in others)
        ok(inside, "t81: every other run started while the poller was running", runs)
    # rollup and enrich are due in the same minute: started together, not one after the other
    pairs = [(a[1], b[1]) for a in by.get("rollup", []) for b in by.get("enrich", [])
             if abs(a[1] - b[1]) < 1.0]
    ok(len(pairs) >= 2, "t81: rollup and enrich due in the same minute start together", runs)
    with open(os.path.join(logdir, "poll-bzcc.log")) as f:
        ok("poll ok" in f.read(), "t81: each job logs to its own file (poll-bzcc.log)")
    ok(re.search(r"enrich \(pid \d+\) exited 0 after \d+\.\d s", log) is not None,
       "t81: the scheduler logs each run's exit and duration")


def check_timeout(url):
    env = sched_env(url, GW_SCHEDULE_ROLLUP="off", GW_SCHEDULE_ENRICH="off",
                    GW_SCHEDULE_MIRROR="off", GW_SCHEDULE_ASSET_SWEEP="off",
                    GW_JOB_TIMEOUT_POLL_BZCC="2")
    before = psql_url(url, "SELECT coalesce(max(id), 0) FROM job_runs")[0][0]
    rc, _, log, _, _ = run_scheduler(env, 5, "run2")
    ok(rc == 0 and "poll-bzcc (pid" in log and "ran past its timeout of 2 s: SIGTERM" in log,
       "t81: a run past its timeout (GW_JOB_TIMEOUT_POLL_BZCC=2) gets SIGTERM", log[-1500:])
    rows = psql_url(url, "SELECT extract(epoch FROM finished_at - started_at), exit_code"
                         " FROM job_runs WHERE id > %s AND job = 'poll-bzcc' ORDER BY id" % before)
    # (a minute boundary inside the 5 s starts a second run, stopped by the SIGTERM)
    ok(1 <= len(rows) <= 2 and 1.5 < float(rows[0][0]) < 4.5 and rows[0][1] == "0",
       "t81: the stopped run lasted about its timeout and is recorded", rows)

    env = sched_env(url, GW_SCHEDULE_ROLLUP="61 * * * *")
    p = subprocess.run([JOB, "scheduler"], env=env, capture_output=True, text=True, timeout=20)
    ok(p.returncode == 2 and "rollup" in p.stderr and "minute" in p.stderr,
       "t81: a bad schedule is refused, naming the job and the field", p.stderr[-500:])
    env = sched_env(url, GW_SCHEDULER_TICK_S="0")
    p = subprocess.run([JOB, "scheduler"], env=env, capture_output=True, text=True, timeout=20)
    ok(p.returncode == 2, "t81: GW_SCHEDULER_TICK_S out of 1..60 is refused", p.stderr[-300:])


def main():
    os.makedirs(os.path.join(WORK, "run"), exist_ok=True)
    check_crontab()
    url = create_db(DB)
    try:
        p = subprocess.run([JOB, "migrate"], env=dict(os.environ, DATABASE_URL=url),
                           capture_output=True, text=True)
        ok(p.returncode == 0, "t81: migrate a private database", p.stderr[-500:])
        rows = psql_url(url, "SELECT job, module, exit_code FROM job_runs")
        ok(rows == [["migrate", "platform", "0"]],
           "t81: migrate's own run is recorded once job_runs exists", rows)
        # recording is best effort: a job_runs the job may not write to
        # costs a warning, never the job
        psql_url(url, "REVOKE INSERT, UPDATE ON job_runs FROM CURRENT_USER")
        p = subprocess.run([JOB, "rollup"], env=dict(os.environ, DATABASE_URL=url,
                                                      REDIS_URL=redis_url(12)),
                           capture_output=True, text=True)
        psql_url(url, "GRANT INSERT, UPDATE ON job_runs TO CURRENT_USER")
        ok(p.returncode == 0 and "job_runs: could not record the run" in p.stderr
           and "rollup done" in p.stderr,
           "t81: a run that cannot be recorded still runs and exits 0", p.stderr[-800:])
        check_scheduler(url)
        check_timeout(url)
    finally:
        drop_db(DB)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        ok(False, "t81: scheduler", repr(e)[-3000:])
    done()
