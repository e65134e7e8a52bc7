"""t80: a database written by the one-folder layout upgrades in place.

The previous main (commit 3846f9f, the last before the module move) is built
from this repository's history in a temp dir; its own jobs migrate a fresh
database, poll every real capture (the MSL archive replayed at its own
timestamps, the RakNet lobby captures), roll the history up and run an
enrichment pass. Every table's row count and checksum is recorded, and its
API answers for the history are kept. Then this build's `migrate` runs on
the same database, and:
  - every table keeps every row (count and checksum per table);
  - gw_migrations holds (platform, 001..004) and (bzcc, 001..005), the files
    that took over applied legacy files recorded as adopted (not run);
  - the schema equals a fresh database migrated by this build (columns,
    constraints, indexes, functions, views), except the legacy table;
  - a second migrate applies nothing;
  - this build's app answers the history API with the same sessions as the
    old app did.
Without the commit (a tarball, a shallow clone), or with
GW_T80_FROM=fixture, it upgrades the committed dump of such a database
instead (tests/fixtures/upgrade/README.md) and compares the new app's
history with the database's sessions; without either it prints SKIP and
why."""
import gzip
import json
import re
import os
import shutil
import subprocess
import sys
import urllib.parse

from gwtest import DATA, done, ok
from t80_helpers import (Pool, build_tree, create_db, drop_db, psql_url, redis_url, run,
                         table_stats)

OLD = "3846f9f"
SRCDIR = os.environ["SRCDIR"]
BUILD_DIR = os.environ["BUILD_DIR"]
WORK = os.path.join(os.environ["GW_RUN"], "t80")
LOG = os.path.join(WORK, "t80.log")
DB, FRESH = "gw_t80_upgrade", "gw_t80_fresh"
PARTITION = r"_y[0-9]{4}m[0-9]{2}$"
FIXTURE = os.path.join(SRCDIR, "tests", "fixtures", "upgrade", "main-%s.sql.gz" % OLD)


def have_commit():
    p = subprocess.run(["git", "-C", SRCDIR, "cat-file", "-e", OLD + "^{commit}"],
                       capture_output=True)
    return p.returncode == 0


def env_for(url, **extra):
    e = dict(os.environ)
    e.update({"DATABASE_URL": url, "REDIS_URL": redis_url(11),
              "GW_RUN_DIR": os.path.join(WORK, "run"),
              # upstream hosts that refuse at once: enrichment records failures
              "GETDATA_ENDPOINT_BASE": "http://127.0.0.1:1/", "STEAM_API_BASE": "http://127.0.0.1:1",
              "GOG_API_BASE": "http://127.0.0.1:1", "STEAM_API_KEY": "t80",
              "VSR_MAPLIST_URL": "file://" + os.path.join(DATA, "maps", "vsrmaplist.json"),
              "GW_FETCH_TIMEOUT_MS": "1000"})
    e.update(extra)
    return e


def without_urls(v):
    if isinstance(v, dict):
        return {k: without_urls(x) for k, x in v.items() if k != "url"}
    if isinstance(v, list):
        return [without_urls(x) for x in v]
    return v


def history(pool):
    """Every session of the history API, following its cursors, as JSON
    text (keys sorted) without the page link."""
    out, path, pages = [], "/api/v1/history/sessions?from=2000-01-01T00:00:00Z&limit=50", 0
    while path and pages < 50:
        status, _, body = pool.get(path)
        if status != 200:
            raise RuntimeError("%s: %d %s" % (path, status, body[:300]))
        doc = json.loads(body)
        for s in doc["sessions"]:
            # the page links moved under /bzcc/ with the module; the rest is data
            out.append(json.dumps(without_urls(s), sort_keys=True))
        nxt = doc.get("next_url")
        if nxt:
            parts = urllib.parse.urlsplit(nxt)
            path = parts.path + ("?" + parts.query if parts.query else "")
        else:
            path = None
        pages += 1
    return out


def differences(old, new):
    """Lines naming what differs between two history lists, by session id."""
    o = {json.loads(x)["id"]: json.loads(x) for x in old}
    n = {json.loads(x)["id"]: json.loads(x) for x in new}
    out = ["only in the old app: %s" % i for i in sorted(set(o) - set(n))]
    out += ["only in the new app: %s" % i for i in sorted(set(n) - set(o))]
    for i in sorted(set(o) & set(n)):
        for k in sorted(set(o[i]) | set(n[i])):
            if o[i].get(k) != n[i].get(k):
                out.append("%s %s: old %s, new %s" % (i, k, json.dumps(o[i].get(k))[:120],
                                                     json.dumps(n[i].get(k))[:120]))
    if not out and old != new:
        out.append("same sessions in another order")
    return out[:12]


def schema(url):
    """The schema as text rows: columns, constraints, indexes, functions,
    materialized views of public and bzcc (partitions and the bookkeeping
    tables left out: gw_migrations' and schema_migrations' rows differ)."""
    skip = "('schema_migrations', 'gw_migrations')"
    q = [
        "SELECT table_schema, table_name, ordinal_position, column_name, data_type,"
        " is_nullable, coalesce(column_default, '') FROM information_schema.columns"
        " WHERE table_schema IN ('public', 'bzcc') AND table_name !~ '%s'"
        " AND table_name NOT IN %s ORDER BY 1, 2, 3" % (PARTITION, skip),
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE connamespace::regnamespace::text IN ('public', 'bzcc')"
        " AND conrelid::regclass::text !~ '%s'"
        " AND conrelid::regclass::text NOT IN %s ORDER BY 1, 2" % (PARTITION, skip),
        "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes"
        " WHERE schemaname IN ('public', 'bzcc') AND tablename !~ '%s'"
        " AND tablename NOT IN %s ORDER BY 1, 2, 3" % (PARTITION, skip),
        "SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid) FROM pg_proc p"
        " WHERE p.pronamespace::regnamespace::text IN ('public', 'bzcc') ORDER BY 1",
        "SELECT schemaname, matviewname, definition FROM pg_matviews"
        " WHERE schemaname IN ('public', 'bzcc') ORDER BY 1, 2",
    ]
    rows = []
    for sql in q:
        rows += ["\t".join(r) for r in psql_url(url, sql)]
    return rows


def main():
    mode = os.environ.get("GW_T80_FROM", "")
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(os.path.join(WORK, "run"))
    if mode != "fixture" and have_commit():
        from_build()
    elif os.path.exists(FIXTURE):
        from_fixture()
    else:
        ok(True, "t80: upgrade in place # SKIP commit %s is not in %s (no git history:"
                 " a release tarball or a shallow clone) and %s is missing"
                 % (OLD, SRCDIR, FIXTURE))


def from_build():
    """The previous main built from history writes the database."""
    old_src, old_build = os.path.join(WORK, "old-src"), os.path.join(WORK, "old-build")
    os.makedirs(old_src)
    arch = subprocess.run(["git", "-C", SRCDIR, "archive", OLD], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", old_src], input=arch.stdout, check=True)
    build_tree(old_src, old_build, ["gamewatch-job", "gamewatch.fcgi"], LOG)
    ok(True, "t80: the previous main (%s) builds from history" % OLD)

    url = create_db(DB)
    fresh_url = create_db(FRESH)
    try:
        old_history = write_old(old_src, old_build, url)
        upgrade(url, fresh_url, old_history)
    finally:
        drop_db(DB)
        drop_db(FRESH)


def from_fixture():
    """The committed dump of a database the previous main wrote (made by
    GW_T80_WRITE_FIXTURE on the build path) is loaded instead."""
    url = create_db(DB)
    fresh_url = create_db(FRESH)
    try:
        with gzip.open(FIXTURE, "rb") as f:
            dump = f.read()
        p = subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1"], input=dump,
                           capture_output=True)
        ok(p.returncode == 0, "t80: the fixture %s (a database of %s) loads"
           % (os.path.relpath(FIXTURE, SRCDIR), OLD), p.stderr[-800:])
        upgrade(url, fresh_url, None)
    finally:
        drop_db(DB)
        drop_db(FRESH)


def write_old(old_src, old_build, url):
    """Run the old jobs on `url`; return the old app's history answers."""
    old_job = os.path.join(old_build, "gamewatch-job")
    old_env = env_for(url, GW_SQL_DIR=os.path.join(old_src, "sql"),
                      GW_TEMPLATE_DIR=os.path.join(old_src, "templates"))
    run([old_job, "migrate"], env=old_env, log=LOG)
    run([old_job, "poll-bzcc", "--replay", os.path.join(DATA, "msl-api-v1")], env=old_env,
        log=LOG, timeout=120)
    for f in sorted(os.listdir(os.path.join(DATA, "lobby"))):
        e = dict(old_env, RAKNET_URL="file://" + os.path.join(DATA, "lobby", f))
        run([old_job, "poll-bzcc", "--once"], env=e, log=LOG)
    run([old_job, "rollup"], env=old_env, log=LOG)
    subprocess.run([old_job, "enrich", "--once"], env=old_env, capture_output=True, timeout=120)
    out = os.environ.get("GW_T80_WRITE_FIXTURE")
    if out:
        dump = subprocess.run(["pg_dump", "--no-owner", "--no-privileges", url],
                              capture_output=True, check=True).stdout
        with gzip.open(out, "wb", compresslevel=9) as f:
            f.write(dump)

    pool = Pool(os.path.join(old_build, "gamewatch.fcgi"), os.path.join(WORK, "old.sock"),
                old_env, os.path.join(WORK, "old-pool.log"), legacy=True)
    try:
        old_history = history(pool)
    finally:
        pool.stop()
    n_sessions = int(psql_url(url, "SELECT count(*) FROM bzcc.sessions")[0][0])
    ok(len(old_history) == n_sessions,
       "t80: the old app lists all %d sessions in its history API" % n_sessions, len(old_history))
    return old_history


def upgrade(url, fresh_url, old_history):
    """Upgrade `url` with this build and check it; old_history: the old
    app's answers, or None (fixture: the sessions in the database)."""
    legacy = [r[0] for r in psql_url(url, "SELECT version FROM schema_migrations ORDER BY 1")]
    ok(legacy == ["001-core.sql", "002-bzcc-sessions.sql", "003-players-history.sql",
                  "004-enrichment.sql", "005-history-api.sql", "006-polls-rejected-index.sql"],
       "t80: the old migrate recorded its six files in schema_migrations", legacy)
    before = table_stats(url)
    populated = sorted(t for t, (n, _) in before.items() if n > 0)
    ok(all(before.get(t, (0,))[0] > 0 for t in
           ("bzcc.sessions", "bzcc.session_players", "bzcc.polls", "public.players",
            "public.identities", "bzcc.player_daily", "public.rollup_state",
            "bzcc.map_seed", "public.enrich_items")),
       "t80: the old jobs wrote sessions, players, polls, rollups and enrichment",
       *["%s: %d rows" % (t, n) for t, (n, _) in sorted(before.items())])

    n_sessions = before["bzcc.sessions"][0]

    # the upgrade
    new_env = env_for(url)
    job = os.path.join(BUILD_DIR, "gamewatch-job")
    p = subprocess.run([job, "migrate"], env=new_env, capture_output=True, text=True)
    ok(p.returncode == 0, "t80: the new migrate upgrades the old database", p.stdout + p.stderr)
    out = p.stdout + p.stderr
    # what must run: every file that replaces no legacy file (the platform's
    # new ones, files added to a module since, and modules the old build
    # lacked); the others are adopted without running
    share_sql = os.path.join(BUILD_DIR, "share", "sql")
    fresh_files, touched = [], set()
    for m in sorted(os.listdir(share_sql)):
        for f in sorted(os.listdir(os.path.join(share_sql, m))):
            if not f.endswith(".sql"):
                continue
            text = open(os.path.join(share_sql, m, f)).read()
            if not re.search(r"^-- legacy:", text, re.M):
                fresh_files.append((m, f))
                # tables a later migration rewrites on purpose (masking,
                # clean-ups): their rows are kept, their content may change
                touched |= {t.lower() for t in re.findall(
                    r"\b(?:UPDATE|DELETE\s+FROM)\s+([a-z_][\w.]*)", text, re.I)}
    newcomers = {m for m, _ in fresh_files if m not in ("platform", "bzcc")}
    ran = sorted(re.findall(r"applied migration (\S+)", out))
    ok(ran == sorted("%s/%s" % mf for mf in fresh_files),
       "t80: only the files that replace no legacy file ran (%s)"
       % ", ".join("%s/%s" % mf for mf in fresh_files), out)

    after = table_stats(url)
    def same(t):
        tl, rel = t.lower(), t.split(".")[-1].lower()
        if any(x in (tl, rel) or tl.startswith(x + "_") or rel.startswith(x + "_")
               for x in touched):
            return after.get(t) is not None and after[t][0] == before[t][0]
        return after.get(t) == before[t]
    lost = ["%s: %s -> %s" % (t, before[t], after.get(t)) for t in sorted(before) if not same(t)]
    ok(not lost, "t80: every table keeps every row (%d tables, %d with rows, %d rows)"
       % (len(before), len(populated), sum(n for n, _ in before.values())), *lost)
    # new tables come only from the files that ran (CREATE TABLE in them)
    created = set()
    for m, f in fresh_files:
        created |= {t.lower() for t in re.findall(
            r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][\w.]*)",
            open(os.path.join(share_sql, m, f)).read(), re.I)}
    added = {t for t in set(after) - set(before) if t.split(".")[0] not in newcomers}
    unexplained = sorted(t for t in added if t != "public.gw_migrations" and t.lower() not in created
                         and t.split(".")[-1].lower() not in created)
    ok("public.gw_migrations" in added and "public.job_runs" in added and not unexplained,
       "t80: the upgrade adds gw_migrations, job_runs and only the tables of the files that ran",
       unexplained, sorted(added))

    rows = psql_url(url, "SELECT module, version, file, coalesce(adopted_from, '') FROM gw_migrations"
                         " ORDER BY module DESC, version")
    want = [
        ["platform", "001", "001-core.sql", "001-core.sql"],
        ["platform", "002", "002-players.sql", "003-players-history.sql"],
        ["platform", "003", "003-enrichment-assets.sql", "004-enrichment.sql"],
        ["platform", "004", "004-job-runs.sql", ""],
        ["bzcc", "001", "001-sessions.sql", "002-bzcc-sessions.sql"],
        ["bzcc", "002", "002-players-history.sql", "003-players-history.sql"],
        ["bzcc", "003", "003-enrichment.sql", "004-enrichment.sql"],
        ["bzcc", "004", "004-history-api.sql", "005-history-api.sql"],
        ["bzcc", "005", "005-polls-rejected-index.sql", "006-polls-rejected-index.sql"],
    ]
    want = [w for w in want if (w[0], w[2]) not in fresh_files]
    want += [[m, f[:3], f, ""] for m, f in fresh_files]
    rows, want = sorted(rows), sorted(want)
    ok(rows == want, "t80: gw_migrations records (module, version), adopted from the legacy files",
       *["got  %s" % r for r in rows], *["want %s" % r for r in want])
    kept = [r[0] for r in psql_url(url, "SELECT version FROM schema_migrations ORDER BY 1")]
    ok(kept == legacy, "t80: schema_migrations is left as it was")

    p = subprocess.run([job, "migrate"], env=new_env, capture_output=True, text=True)
    ok(p.returncode == 0 and "applied migration" not in p.stdout + p.stderr
       and table_stats(url).get("public.gw_migrations") == after["public.gw_migrations"],
       "t80: a second migrate applies and records nothing", p.stdout + p.stderr)

    # the same schema as a database this build creates from nothing
    p = subprocess.run([job, "migrate"], env=env_for(fresh_url), capture_output=True, text=True)
    ok(p.returncode == 0, "t80: the new migrate creates a fresh database", p.stdout + p.stderr)
    a, b = schema(url), schema(fresh_url)
    only_up = [r for r in a if r not in b]
    only_fresh = [r for r in b if r not in a]
    ok(not only_up and not only_fresh and len(a) > 100,
       "t80: upgraded schema equals a fresh one (%d catalog rows)" % len(a),
       *(["upgraded only: " + r[:200] for r in only_up[:8]] +
         ["fresh only: " + r[:200] for r in only_fresh[:8]]))

    pool = Pool(os.path.join(BUILD_DIR, "gamewatch.fcgi"), os.path.join(WORK, "new.sock"),
                new_env, os.path.join(WORK, "new-pool.log"))
    try:
        new_history = history(pool)
        sid = json.loads(new_history[0])["id"] if new_history else ""
        status, _, body = pool.get("/api/v1/sessions/" + sid)
    finally:
        pool.stop()
    if old_history is not None:
        ok(new_history == old_history and len(new_history) == n_sessions,
           "t80: the new app's history API lists the same %d sessions as the old one" % n_sessions,
           *differences(old_history, new_history))
    else:
        ids = [r[0] for r in psql_url(url, "SELECT id FROM bzcc.sessions"
                                           " ORDER BY first_seen_at DESC, id DESC")]
        got = [json.loads(x)["id"] for x in new_history]
        ok(got == ids and len(ids) == n_sessions and n_sessions > 0,
           "t80: the new app's history API lists all %d sessions of the database" % n_sessions,
           "got %s" % got[:5], "want %s" % ids[:5])
    ok(status == 200 and json.loads(body).get("id") == sid,
       "t80: the new app answers /api/v1/sessions/{id} for an upgraded session", status, body[:300])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a setup step failed: one failure with its reason
        ok(False, "t80: upgrade in place", repr(e)[-3000:])
    sys.stdout.flush()
    done()
