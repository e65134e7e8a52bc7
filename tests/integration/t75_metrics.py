"""t75: /metrics in the Prometheus text format through lighttpd and Apache
(mod_proxy_fcgi and mod_fcgid), and JSON logs from gamewatch-job.

Every scrape goes through a strict parser written here (the text format,
version 0.0.4, as prometheus.io documents it) and, when installed, through
`promtool check metrics` (Debian's prometheus package, in ./dev's test
packages). Then, against known requests and known rows:
  - request counters per route pattern, method and status class grow by
    exactly the requests made, in every scrape, whichever pool worker
    answers it (the pool's workers share their counters), and the raw paths
    never appear as labels;
  - histogram invariants (cumulative buckets, +Inf == _count, _sum);
  - a worker killed by a signal is counted as a restart;
  - mod_fcgid's own processes say they count per process;
  - job_runs: tolerated when absent; runs, failures, durations and the
    last success from known rows, including a run that finishes later;
  - queue depths and asset mirror outcomes from known rows;
  - BZCC polls: totals equal to bzcc.polls, durations summed;
  - gamewatch-job with LOG_FORMAT=json writes JSON lines with file, func
    and module; without it, text lines as before."""
import concurrent.futures
import json
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

from gwtest import (APACHE_URL, BASE_URL, BUILD_DIR, DATA, FCGID_URL, SRCDIR, done, http,
                    job, ok, poll_file, psql, scalar)

# ----------------------------------------------------------- strict parser

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z"
                   r"|[+-]Inf\Z|NaN\Z")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


class ExpositionError(Exception):
    pass


def unescape(s, quote):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            if i + 1 >= len(s):
                raise ExpositionError("dangling backslash in %r" % s)
            n = s[i + 1]
            if n == "\\":
                out.append("\\")
            elif n == "n":
                out.append("\n")
            elif n == '"' and quote:
                out.append('"')
            else:
                raise ExpositionError("bad escape \\%s in %r" % (n, s))
            i += 2
            continue
        if c == "\n":
            raise ExpositionError("raw line feed in %r" % s)
        out.append(c)
        i += 1
    return "".join(out)


def parse_labels(s, line):
    """'{a="x",b="y"}' remainder parser: returns (labels dict, rest)."""
    assert s[0] == "{"
    i, labels = 1, {}
    while True:
        if s[i] == "}":
            return labels, s[i + 1:]
        m = re.match(r"[a-zA-Z_][a-zA-Z0-9_]*", s[i:])
        if not m:
            raise ExpositionError("bad label name in %r" % line)
        name = m.group(0)
        if name.startswith("__") or name in labels:
            raise ExpositionError("reserved or repeated label %s in %r" % (name, line))
        i += len(name)
        if s[i:i + 2] != '="':
            raise ExpositionError("expected =\" after %s in %r" % (name, line))
        i += 2
        j = i
        while j < len(s) and s[j] != '"':
            j += 2 if s[j] == "\\" else 1
        if j >= len(s):
            raise ExpositionError("unterminated label value in %r" % line)
        labels[name] = unescape(s[i:j], True)
        i = j + 1
        if s[i] == ",":
            i += 1
        elif s[i] != "}":
            raise ExpositionError("expected , or } in %r" % line)


def parse_exposition(text):
    """Parse and check a whole scrape. Returns {family: {"type", "help",
    "samples": [(name, labels, value)]}}; raises ExpositionError."""
    if not text.endswith("\n"):
        raise ExpositionError("the text does not end with a line feed")
    fams, current, seen = {}, None, set()
    for line in text[:-1].split("\n"):
        if line.startswith("#"):
            m = re.match(r"# (HELP|TYPE) (\S+) ?(.*)\Z", line)
            if not m:
                raise ExpositionError("comment that is neither HELP nor TYPE: %r" % line)
            kind, name, rest = m.groups()
            if not NAME.match(name):
                raise ExpositionError("bad metric name in %r" % line)
            f = fams.get(name)
            if f is None:
                if name in seen:
                    raise ExpositionError("family %s appears twice" % name)
                f = fams[name] = {"type": None, "help": None, "samples": []}
            elif current != name or f["samples"]:
                raise ExpositionError("family %s split or described after samples" % name)
            current = name
            seen.add(name)
            key = kind.lower()
            if f[key] is not None:
                raise ExpositionError("second %s for %s" % (kind, name))
            if kind == "TYPE":
                if rest not in TYPES:
                    raise ExpositionError("unknown type in %r" % line)
                f["type"] = rest
            else:
                f["help"] = unescape(rest, False)
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(.*)\Z", line)
        if not m:
            raise ExpositionError("bad sample line %r" % line)
        name, rest = m.groups()
        labels = {}
        if rest.startswith("{"):
            labels, rest = parse_labels(rest, line)
        if not rest.startswith(" ") or rest.count(" ") != 1:
            raise ExpositionError("expected exactly ' value' (no timestamp) in %r" % line)
        value = rest[1:]
        if not FLOAT.match(value):
            raise ExpositionError("bad value in %r" % line)
        f = fams.get(current)
        if f is None or f["type"] is None:
            raise ExpositionError("sample before any TYPE: %r" % line)
        t = f["type"]
        if t == "histogram":
            suffix = name[len(current):]
            if not name.startswith(current) or suffix not in ("_bucket", "_sum", "_count"):
                raise ExpositionError("%s is not a sample of histogram %s" % (name, current))
            if (suffix == "_bucket") != ("le" in labels):
                raise ExpositionError("le label only and always on _bucket: %r" % line)
        elif name != current:
            raise ExpositionError("%s is not a sample of %s" % (name, current))
        if t == "counter" and not name.endswith("_total"):
            raise ExpositionError("counter %s does not end in _total" % name)
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            raise ExpositionError("duplicate series %r" % line)
        seen.add(key)
        f["samples"].append((name, labels, float(value)))
    for name, f in fams.items():
        if f["type"] is None or f["help"] is None:
            raise ExpositionError("family %s lacks HELP or TYPE" % name)
        if f["type"] == "counter":
            for _, _, v in f["samples"]:
                if v < 0 or math.isnan(v):
                    raise ExpositionError("counter %s has value %r" % (name, v))
        if f["type"] == "histogram":
            check_histogram(name, f["samples"])
    return fams


def check_histogram(fam, samples):
    series = {}
    for name, labels, v in samples:
        rest = tuple(sorted((k, x) for k, x in labels.items() if k != "le"))
        s = series.setdefault(rest, {"buckets": [], "sum": None, "count": None})
        if name.endswith("_bucket"):
            if s["sum"] is not None or s["count"] is not None:
                raise ExpositionError("%s%r: bucket after _sum/_count" % (fam, rest))
            le = labels["le"]
            if not FLOAT.match(le):
                raise ExpositionError("%s: le=%r is not a number" % (fam, le))
            s["buckets"].append((float(le), v))
        elif name.endswith("_sum"):
            s["sum"] = v
        else:
            s["count"] = v
    for rest, s in series.items():
        b = s["buckets"]
        if not b or b[-1][0] != math.inf:
            raise ExpositionError("%s%r: no +Inf bucket last" % (fam, rest))
        for (l1, c1), (l2, c2) in zip(b, b[1:]):
            if not l1 < l2:
                raise ExpositionError("%s%r: le not ascending" % (fam, rest))
            if c2 < c1:
                raise ExpositionError("%s%r: buckets not cumulative" % (fam, rest))
        if s["count"] is None or s["sum"] is None:
            raise ExpositionError("%s%r: _sum or _count missing" % (fam, rest))
        if s["count"] != b[-1][1]:
            raise ExpositionError("%s%r: _count %r != +Inf bucket %r"
                                  % (fam, rest, s["count"], b[-1][1]))
        if s["count"] == 0 and s["sum"] != 0:
            raise ExpositionError("%s%r: empty with a non-zero sum" % (fam, rest))


def value(fams, name, **labels):
    """The value of one series (labels matched exactly), or None."""
    for fam in fams.values():
        for n, l, v in fam["samples"]:
            if n == name and l == labels:
                return v
    return None


# The parser itself must reject what the format forbids.
BAD = {
    "no final newline": "# HELP a_total x\n# TYPE a_total counter\na_total 1",
    "counter without _total": "# HELP a x\n# TYPE a counter\na 1\n",
    "bad escape": '# HELP a x\n# TYPE a gauge\na{l="\\t"} 1\n',
    "unescaped quote": '# HELP a x\n# TYPE a gauge\na{l="x"y"} 1\n',
    "split family": "# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\n"
                    "# HELP a x\n",
    "duplicate series": '# HELP a x\n# TYPE a gauge\na{l="1"} 1\na{l="1"} 2\n',
    "non-cumulative": '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 3\n'
                      'h_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n',
    "count != +Inf": '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 1\n'
                     'h_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
    "no +Inf": '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n',
    "bad value": "# HELP a x\n# TYPE a gauge\na one\n",
    "missing HELP": "# TYPE a gauge\na 1\n",
}
for why, text in BAD.items():
    try:
        parse_exposition(text)
        ok(False, "strict parser rejects: " + why)
    except ExpositionError:
        ok(True, "strict parser rejects: " + why)
GOOD = ('# HELP h x \\\\ y\\n\n# TYPE h histogram\nh_bucket{a="q\\"\\n\\\\",le="0.5"} 1\n'
        'h_bucket{a="q\\"\\n\\\\",le="+Inf"} 2\nh_sum{a="q\\"\\n\\\\"} 1.5e+00\n'
        'h_count{a="q\\"\\n\\\\"} 2\n')
try:
    g = parse_exposition(GOOD)
    ok(g["h"]["help"] == "x \\ y\n" and value(g, "h_count", a='q"\n\\') == 2,
       "strict parser reads escapes", g)
except ExpositionError as e:
    ok(False, "strict parser reads escapes", e)

# ----------------------------------------------------------------- scrapes

PROMTOOL = shutil.which("promtool")
if not PROMTOOL:
    print("# SKIP promtool checks: promtool not installed (Debian package prometheus)")


def scrape(base, label):
    """GET base/metrics; check status, headers, the strict parse and
    promtool; return the parsed families (None on failure)."""
    st, h, body = http(base + "/metrics")
    text = body.decode("utf-8")
    if st != 200 or not h.get("content-type", "").startswith("text/plain; version=0.0.4"):
        ok(False, "%s: /metrics answers 200 text/plain; version=0.0.4" % label, st, h)
        return None
    if h.get("cache-control") != "no-store":
        ok(False, "%s: /metrics is Cache-Control: no-store" % label, h)
        return None
    try:
        fams = parse_exposition(text)
    except ExpositionError as e:
        ok(False, "%s: /metrics parses strictly" % label, e, text[:2000])
        return None
    if PROMTOOL:
        p = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True,
                           text=True, timeout=30)
        if p.returncode != 0:
            ok(False, "%s: promtool check metrics" % label, p.stdout + p.stderr)
            return None
    return fams


def routes_table():
    out = subprocess.run([os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--routes"],
                         capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in out.splitlines()[1:]:
        cols = line.split("\t")
        rows[cols[1]] = cols[8]
    return rows


ROUTES = routes_table()
ok(ROUTES.get("/metrics") == "platform", "--routes lists /metrics as a platform row")
if_route = subprocess.run([os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--routes"],
                          capture_output=True, text=True, check=True).stdout
ok(re.search(r"^GET, HEAD\t/metrics\tapi\toperator\t-\tno-store\t", if_route, re.M),
   "the /metrics row: api, operator, no-store", if_route)

# ------------------------------------------------ requests per route pattern

SESS = "/api/v1/sessions/{id}"
REQ = "gamewatch_http_requests_total"
DUR = "gamewatch_http_request_duration_seconds"
probe = "t75-probe-" + uuid.uuid4().hex[:8]


def counts(fams):
    return {
        "sess": value(fams, REQ, module="bzcc", route=SESS, method="GET", code="4xx") or 0,
        "sess_n": value(fams, DUR + "_count", module="bzcc", route=SESS) or 0,
        # /healthz answers 200 while the data is fresh, 503 once it is stale
        "health": sum(value(fams, REQ, module="platform", route="/healthz", method="GET",
                            code=c) or 0 for c in ("2xx", "5xx")),
        "unm_get": value(fams, REQ, module="platform", route="(unmatched)", method="GET",
                         code="4xx") or 0,
        "unm_post": value(fams, REQ, module="platform", route="(unmatched)", method="POST",
                          code="4xx") or 0,
        "head": sum(value(fams, REQ, module="platform", route="/healthz", method="HEAD",
                          code=c) or 0 for c in ("2xx", "5xx")),
    }


def one(args):
    method, url = args
    st, h, _ = http(url, method=method)
    return st, h.get("x-request-id", "")


for name, base in [("lighttpd", BASE_URL), ("apache-proxy-fcgi", APACHE_URL)]:
    before = scrape(base, name)
    if not ok(before is not None, "%s: /metrics parses (strict parser%s)"
              % (name, ", promtool" if PROMTOOL else "")):
        continue
    ok(value(before, "gamewatch_metrics_shared") == 1,
       "%s: the pool's workers share their counters (gamewatch_metrics_shared 1)" % name)
    c0 = counts(before)
    K = 12
    work = ([("GET", BASE_URL + "/api/v1/sessions/%s-%d" % (probe, i)) for i in range(K)]
            + [("GET", BASE_URL + "/healthz")] * K
            + [("HEAD", BASE_URL + "/healthz")] * 3
            + [("GET", BASE_URL + "/t75/%s/no/such/page" % probe)] * 5
            + [("POST", BASE_URL + "/healthz")] * 4)
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        results = list(ex.map(one, work))
    statuses = sorted({st for st, _ in results})
    ok(set(statuses) - {503} == {404, 405} | ({200} if 200 in statuses else set())
       and bool({200, 503} & set(statuses)),
       "%s: probe requests answered 404/405 and /healthz 200 or 503 (stale data)" % name, statuses)
    workers = {rid.split("-")[0] for _, rid in results if rid}
    ok(len(workers) >= 2, "%s: the probe requests were served by %d workers" % (name, len(workers)),
       workers)
    # every scrape, whichever worker answers, sees all of them
    exact = True
    fams, text = before, ""
    seen_workers = set()
    last_metrics_count = None
    detail = []
    for i in range(8):
        st, h, body = http(base + "/metrics")
        seen_workers.add(h.get("x-request-id", "").split("-")[0])
        try:
            fams = parse_exposition(body.decode())
        except ExpositionError as e:
            exact = False
            detail.append(str(e))
            break
        c = counts(fams)
        want = {"sess": c0["sess"] + K, "sess_n": c0["sess_n"] + K,
                "health": c0["health"] + K, "unm_get": c0["unm_get"] + 5,
                "unm_post": c0["unm_post"] + 4, "head": c0["head"] + 3}
        if c != want:
            exact = False
            detail.append("scrape %d: %r != %r" % (i, c, want))
        m = value(fams, REQ, module="platform", route="/metrics", method="GET", code="2xx")
        if last_metrics_count is not None and m != last_metrics_count + 1:
            exact = False
            detail.append("/metrics counter %r after %r" % (m, last_metrics_count))
        last_metrics_count = m
        text = body.decode()
    ok(exact, "%s: every scrape counts exactly the probe requests per route pattern, method "
       "and status class (scrapes answered by %d workers)" % (name, len(seen_workers)), *detail)
    ok(probe not in text, "%s: raw paths never become labels" % name)
    labels = {l.get("route") for f in fams.values() for _, l, _ in f["samples"] if "route" in l}
    ok(labels and labels <= set(ROUTES) | {"(unmatched)"},
       "%s: every route label is a pattern of the route table" % name,
       sorted(labels - set(ROUTES)))
    mods = {(l["route"], l["module"]) for f in fams.values() for _, l, _ in f["samples"]
            if "route" in l and l["route"] != "(unmatched)"}
    ok(all(ROUTES[r] == m for r, m in mods), "%s: module labels match the route table" % name,
       mods)
    b = [(l["le"], v) for n, l, v in fams[DUR]["samples"]
         if n == DUR + "_bucket" and l["route"] == SESS]
    ok([x for x, _ in b][-1] == "+Inf" and len(b) == 14,
       "%s: latency histogram of %s has 13 bounds and +Inf" % (name, SESS), b)
    s = value(fams, DUR + "_sum", module="bzcc", route=SESS)
    ok(s is not None and 0 < s < 60 * (c0["sess_n"] + K),
       "%s: latency _sum is positive seconds" % name, s)

# ------------------------------------------------------------ HEAD /metrics
st, h, body = http(BASE_URL + "/metrics", method="HEAD")
ok(st == 200 and body == b"" and int(h.get("content-length", "0")) > 1000,
   "HEAD /metrics: headers only", st, h)

# ------------------------------------------------------------ mod_fcgid
if FCGID_URL:
    fams = scrape(FCGID_URL, "apache-fcgid")
    ok(fams is not None and value(fams, "gamewatch_metrics_shared") == 0
       and "gamewatch_worker_restarts_total" not in fams,
       "apache-fcgid: processes spawned by mod_fcgid report per-process counters "
       "(gamewatch_metrics_shared 0, no pool families)")
else:
    print("# SKIP mod_fcgid: not installed")


# ------------------------------------------------------------ worker restarts
def pool_children():
    pool = int(os.environ["GW_POOL_PID"])
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pool and fields[0] != "Z":
            kids.append(int(d))
    return sorted(kids)


fams = scrape(BASE_URL, "lighttpd")
r0 = value(fams, "gamewatch_worker_restarts_total", reason="signal") if fams else None
n_workers = value(fams, "gamewatch_pool_workers") if fams else None
kids = pool_children()
ok(n_workers == len(kids) == 4, "gamewatch_pool_workers is the pool's size", n_workers, kids)
if kids and r0 is not None:
    os.kill(kids[0], signal.SIGKILL)
    deadline = time.time() + 10
    while time.time() < deadline:
        now = pool_children()
        if len(now) == len(kids) and kids[0] not in now:
            break
        time.sleep(0.1)
    fams = scrape(BASE_URL, "lighttpd")
    r1 = value(fams, "gamewatch_worker_restarts_total", reason="signal") if fams else None
    ok(r1 == r0 + 1, "a worker killed by SIGKILL counts as one restart (reason=signal)", r0, r1)
else:
    ok(False, "worker restarts: no pool children or no restart counter", kids, r0)


# ------------------------------------------------------------ database part
def fresh(since, label="lighttpd", timeout=25):
    """A scrape whose database part was rendered after `since` (epoch s)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        fams = scrape(BASE_URL, label)
        if fams is None:
            return None
        t = value(fams, "gamewatch_metrics_db_refreshed_timestamp_seconds")
        if t is not None and t > since:
            return fams
        time.sleep(0.3)
    ok(False, "no scrape refreshed its database part within %d s" % timeout)
    return None


def now_db():
    return float(scalar("SELECT extract(epoch FROM clock_timestamp())"))


JOB_FAMS = ["gamewatch_job_runs_total", "gamewatch_job_failures_total",
            "gamewatch_job_duration_seconds", "gamewatch_job_last_success_timestamp_seconds"]
had_job_runs = scalar("SELECT to_regclass('job_runs') IS NOT NULL") == "t"
if had_job_runs:
    psql("ALTER TABLE job_runs RENAME TO job_runs_t75_hidden")
try:
    fams = fresh(now_db())
    ok(fams is not None and value(fams, "gamewatch_metrics_db_up") == 1
       and not any(f in fams for f in JOB_FAMS),
       "without a job_runs table: 200, database part up, no job families")
finally:
    if had_job_runs:
        psql("ALTER TABLE job_runs_t75_hidden RENAME TO job_runs")
if not had_job_runs:
    psql("CREATE TABLE job_runs (id bigserial PRIMARY KEY, job text NOT NULL, module text,"
         " started_at timestamptz NOT NULL, finished_at timestamptz, exit_code int)")
JOB = "t75-job-" + uuid.uuid4().hex[:6]
try:
    psql("""INSERT INTO job_runs (job, module, started_at, finished_at, exit_code) VALUES
        (:'v1', 't75', now() - interval '10 min', now() - interval '10 min' + interval '50 ms', 0),
        (:'v1', 't75', now() - interval '9 min', now() - interval '9 min' + interval '2 s', 0),
        (:'v1', 't75', now() - interval '8 min', now() - interval '8 min' + interval '40 s', 1),
        (:'v1', 't75', now() - interval '2 days', NULL, NULL),
        (:'v1', 't75', now() - interval '1 min', NULL, NULL)""", JOB)
    last_ok = float(scalar("SELECT extract(epoch FROM max(finished_at)) FROM job_runs"
                           " WHERE job = :'v1' AND exit_code = 0", JOB))
    fams = fresh(now_db())
    J = dict(job=JOB, module="t75")
    H = "gamewatch_job_duration_seconds"
    if fams:
        got = {
            "runs": value(fams, "gamewatch_job_runs_total", **J),
            "failures": value(fams, "gamewatch_job_failures_total", **J),
            "le0.1": value(fams, H + "_bucket", le="0.1", **J),
            "le1": value(fams, H + "_bucket", le="1", **J),
            "le5": value(fams, H + "_bucket", le="5", **J),
            "le30": value(fams, H + "_bucket", le="30", **J),
            "le60": value(fams, H + "_bucket", le="60", **J),
            "inf": value(fams, H + "_bucket", le="+Inf", **J),
            "count": value(fams, H + "_count", **J),
        }
        want = {"runs": 3, "failures": 1, "le0.1": 1, "le1": 1, "le5": 2, "le30": 2, "le60": 3,
                "inf": 3, "count": 3}
        ok(got == want, "job_runs: runs, failures and duration buckets of known rows "
           "(running and abandoned runs not counted)", got, want)
        ok(abs(value(fams, H + "_sum", **J) - 42.05) < 1e-6, "job_runs: duration _sum",
           value(fams, H + "_sum", **J))
        ok(abs(value(fams, "gamewatch_job_last_success_timestamp_seconds", **J) - last_ok) < 1e-3,
           "job_runs: last success timestamp", last_ok)
    # the running one finishes (after 100 s), a new run fails quickly
    psql("""UPDATE job_runs SET finished_at = started_at + interval '100 s', exit_code = 0
            WHERE job = :'v1' AND finished_at IS NULL AND started_at > now() - interval '1 day'""", JOB)
    psql("""INSERT INTO job_runs (job, module, started_at, finished_at, exit_code)
            VALUES (:'v1', 't75', now(), now() + interval '1 s', 2)""", JOB)
    # every worker that refreshes agrees: scrape until 4 fresh ones were seen
    since, agreed, details = now_db(), 0, []
    for _ in range(4):
        fams = fresh(since)
        if not fams:
            break
        got = (value(fams, "gamewatch_job_runs_total", **J),
               value(fams, "gamewatch_job_failures_total", **J),
               value(fams, H + "_bucket", le="300", **J),
               value(fams, H + "_bucket", le="60", **J))
        if got == (5, 2, 5, 4):
            agreed += 1
        else:
            details.append(got)
    ok(agreed == 4, "job_runs: a run that finished later and a new failure are counted "
       "(runs 5, failures 2)", details)
finally:
    psql("DELETE FROM job_runs WHERE job = :'v1'", JOB)
    if not had_job_runs:
        psql("DROP TABLE job_runs")

# queues and the asset mirror, from known rows
K = "t75q"
SHA = ["%064x" % (0x75000 + i) for i in range(2)]
try:
    psql("""INSERT INTO enrich_items (kind, key, next_attempt_at, parked_at, last_status) VALUES
        (:'v1', 'a', now() - interval '1 min', NULL, 'error'),
        (:'v1', 'b', now() - interval '1 s', NULL, NULL),
        (:'v1', 'c', now() - interval '1 day', NULL, 'ok'),
        (:'v1', 'd', now() + interval '1 day', NULL, 'ok'),
        (:'v1', 'e', now() - interval '1 min', now(), 'parked'),
        (:'v1', 'f', now() + interval '1 min', now(), 'parked'),
        ('mirror:' || :'v1', 'm1', now(), NULL, 'ok'),
        ('mirror:' || :'v1', 'm2', now(), NULL, 'ok'),
        ('mirror:' || :'v1', 'm3', now(), NULL, 'error'),
        ('mirror:' || :'v1', 'm4', now(), NULL, NULL)""", K)
    psql("""INSERT INTO curation_queue (entity_kind, entity_key, reason, first_at, last_at,
            resolved_at) VALUES (:'v1', 'x', 'r', now(), now(), NULL),
            (:'v1', 'y', 'r', now(), now(), NULL), (:'v1', 'z', 'r', now(), now(), now())""", K)
    psql("""INSERT INTO assets (sha256, kind, ext, mime, width, height, bytes, path, storage,
            source_url, created_at, quarantined_at) VALUES
            (:'v2', :'v1', 'png', 'image/png', 1, 1, 10, 't75/' || :'v2', 'file', 'x', now(), NULL),
            (:'v3', :'v1', 'png', 'image/png', 1, 1, 10, 't75/' || :'v3', 'file', 'x', now(), now())""",
         K, SHA[0], SHA[1])
    psql("""INSERT INTO asset_links (entity_kind, entity_key, sha256, via, linked_at) VALUES
            (:'v1', 'p', :'v2', 'registry', now()), (:'v1', 'q', NULL, 'placeholder', now()),
            (:'v1', 'r', NULL, 'placeholder', now())""", K, SHA[0])
    fams = fresh(now_db())
    if fams:
        got = {
            "due": value(fams, "gamewatch_enrich_queue_items", kind=K, state="due"),
            "parked": value(fams, "gamewatch_enrich_queue_items", kind=K, state="parked"),
            "curation": value(fams, "gamewatch_curation_queue_open", entity_kind=K),
            "mirror_ok": value(fams, "gamewatch_asset_mirror_items", kind=K, status="ok"),
            "mirror_error": value(fams, "gamewatch_asset_mirror_items", kind=K, status="error"),
            "mirror_none": value(fams, "gamewatch_asset_mirror_items", kind=K, status="none"),
            "served": value(fams, "gamewatch_assets", kind=K, state="served"),
            "quarantined": value(fams, "gamewatch_assets", kind=K, state="quarantined"),
            "mirrored": value(fams, "gamewatch_asset_links", entity_kind=K, target="mirrored"),
            "placeholder": value(fams, "gamewatch_asset_links", entity_kind=K,
                                 target="placeholder"),
        }
        want = {"due": 3, "parked": 2, "curation": 2, "mirror_ok": 2, "mirror_error": 1,
                "mirror_none": 1, "served": 1, "quarantined": 1, "mirrored": 1,
                "placeholder": 2}
        ok(got == want, "queue depths and asset mirror outcomes from known rows", got, want)
finally:
    psql("DELETE FROM asset_links WHERE entity_kind = :'v1'", K)
    psql("DELETE FROM assets WHERE kind = :'v1'", K)
    psql("DELETE FROM curation_queue WHERE entity_kind = :'v1'", K)
    psql("DELETE FROM enrich_items WHERE kind IN (:'v1', 'mirror:' || :'v1')", K)

# BZCC polls through the module's hook
GOOD_CAPTURE = os.path.join(DATA, "lobby", "rebellion-direct_2022-12_frute94-BZCC-Scanner.json")
tmp = tempfile.mkdtemp()
bad = os.path.join(tmp, "truncated.json")
with open(GOOD_CAPTURE, "rb") as f:
    raw = f.read()
with open(bad, "wb") as f:
    f.write(raw[: len(raw) // 3])
rc1, out1 = poll_file(GOOD_CAPTURE)
rc2, out2 = poll_file(bad)
ok(rc1 == 0 and rc2 != 0, "one good and one rejected poll", out1, out2)
db = psql("SELECT count(*) FILTER (WHERE ok), count(*) FILTER (WHERE NOT ok),"
          " coalesce(sum(duration_ms) FILTER (WHERE ok), 0),"
          " count(*) FILTER (WHERE ok AND duration_ms <= 250),"
          " extract(epoch FROM max(taken_at) FILTER (WHERE ok))::float8 FROM bzcc.polls")[0]
fams = fresh(now_db())
P = "gamewatch_bzcc_poll_duration_seconds"
if fams:
    got = (value(fams, "gamewatch_bzcc_polls_total", result="ok"),
           value(fams, "gamewatch_bzcc_polls_total", result="rejected"),
           value(fams, P + "_count", result="ok"),
           value(fams, P + "_bucket", result="ok", le="0.25"))
    want = (float(db[0]), float(db[1]), float(db[0]), float(db[3]))
    ok(got == want and db[1] != "0", "bzcc polls: totals and buckets equal bzcc.polls", got, want)
    ok(abs(value(fams, P + "_sum", result="ok") - float(db[2]) / 1000) < 1e-6,
       "bzcc polls: duration _sum is the sum of duration_ms", db[2])
    ok(abs(value(fams, "gamewatch_bzcc_poll_last_success_timestamp_seconds") - float(db[4])) < 1e-3,
       "bzcc polls: last success timestamp", db[4])

# ------------------------------------------------------------ JSON logs
KEYS = ["time", "level", "msg", "program", "pid", "context", "module", "file", "func"]
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")


def expected_module(path):
    parts = path.split("/")
    return parts[1] if parts[0] == "modules" else parts[0]


def job_stderr(env):
    e = dict(os.environ)
    e.update(env)
    p = subprocess.run([os.path.join(BUILD_DIR, "gamewatch-job"), "poll-bzcc", "--once"],
                       env=e, capture_output=True, timeout=120)
    return p.returncode, p.stderr.decode("utf-8")


rc0, err0 = job_stderr({"RAKNET_URL": "file://" + GOOD_CAPTURE, "LOG_FORMAT": "json",
                        "GW_LOG_LEVEL": "debug"})
rc, err = job_stderr({"RAKNET_URL": "file://" + bad, "LOG_FORMAT": "json",
                      "GW_LOG_LEVEL": "debug"})
lines = [l for l in (err0 + err).split("\n") if l]
problems, modules = [], set()
for l in lines:
    try:
        o = json.loads(l)
    except ValueError as e:
        problems.append("not JSON: %r (%s)" % (l, e))
        continue
    if list(o) != KEYS:
        problems.append("keys %r" % list(o))
        continue
    if not TIME.match(o["time"]) or o["level"] not in ("debug", "info", "warning", "error"):
        problems.append("time/level %r" % l)
    if o["program"] != "gamewatch-job" or o["context"] != "poll-bzcc" or o["pid"] <= 0:
        problems.append("program/context/pid %r" % l)
    if not os.path.isfile(os.path.join(SRCDIR, o["file"])) or o["file"].startswith(("/", ".")):
        problems.append("file is not a project-relative source path: %r" % o["file"])
    if o["module"] != expected_module(o["file"]):
        problems.append("module %r for %r" % (o["module"], o["file"]))
    if not re.match(r"[A-Za-z_][A-Za-z0-9_]*\Z", o["func"]):
        problems.append("func %r" % o["func"])
    else:
        src = open(os.path.join(SRCDIR, o["file"]), encoding="utf-8", errors="replace").read()
        if not re.search(r"\b%s\s*\(" % re.escape(o["func"]), src):
            problems.append("func %r not in %s" % (o["func"], o["file"]))
    modules.add(o["module"])
ok(rc0 == 0 and rc != 0 and len(lines) >= 2 and not problems,
   "LOG_FORMAT=json: gamewatch-job writes only JSON lines with time, level, msg, program, "
   "pid, context, module, file, func (%d lines)" % len(lines), *(problems or [err]))


def enclosing_function(path, needle):
    """The C function whose body holds the first line containing `needle`:
    the last definition (a line starting at column 0 with "name(") above it."""
    name = None
    with open(os.path.join(SRCDIR, path), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"[A-Za-z_].*?\b([A-Za-z_][A-Za-z0-9_]*)\(", line)
            if m and not line.rstrip().endswith(";"):
                name = m.group(1)
            if needle in line:
                return name
    return None


POLL_SRC = "modules/bzcc/jobs/job-poll.c"
want_func = enclosing_function(POLL_SRC, '"lobby poll rejected')
rejected = [json.loads(l) for l in lines if "lobby poll rejected" in l]
ok(want_func and len(rejected) == 1 and rejected[0]["level"] == "warning"
   and rejected[0]["file"] == POLL_SRC and rejected[0]["module"] == "bzcc"
   and rejected[0]["func"] == want_func,
   "LOG_FORMAT=json: the rejected poll's record names its call site (%s, %s(), bzcc)"
   % (POLL_SRC, want_func), rejected)

rc, err = job_stderr({"RAKNET_URL": "file://" + bad, "LOG_FORMAT": ""})
lines = [l for l in err.split("\n") if l]
TEXT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ gamewatch-job\[\d+\] \[poll-bzcc\] "
                  r"(DEBUG|INFO|WARNING|ERROR): \S")
ok(lines and all(TEXT.match(l) for l in lines),
   "without LOG_FORMAT: the text lines as before", err)
done()
