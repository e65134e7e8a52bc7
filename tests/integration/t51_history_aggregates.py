"""t51: the history aggregates (modules/bzcc/sql/010-history-aggregates.sql)
against a recomputation from the raw rows.

`gamewatch-job rollup` keeps bzcc.player_sessions, player_totals,
player_maps, map_totals, mod_totals, players_online_hourly/_daily,
polls_minutely, session_lengths and session_length_daily; `rollup --full`
rebuilds them. This script polls the real captures in stages (replays of
the MSL captures in two groups, the second with the IonDriver lobby capture
older than part of the first; then live polls of a capture, of the same
capture with one session on another map, of another capture, which
revives long-ended sessions as new "~N" ones and ends the others, and of the
first capture again, which reopens the sessions just ended), runs the rollup after each stage, and
recomputes every aggregate here, in Python, from the raw rows
(bzcc.player_session_events, sessions, session_snapshots, polls). The
player profile, which corrects the aggregates with the sessions not rolled
up yet, is checked against the same recomputation before each rollup too.
Then polls and ended sessions are added around the edges of analytics
windows, and the players-online series and the length histogram (whole
buckets from the aggregates, partial ones from minutes and sessions) are
checked for several windows, and the per-minute poll summary before and
after a rollup. Last, `rollup --full` must give the same rows
and repair a deliberately corrupted aggregate.

The database is private to the run; the tables are emptied first."""
import glob
import json
import os
import shutil
import tempfile
import time
import urllib.parse
from collections import defaultdict
from datetime import datetime, timezone

from gwtest import BASE_URL, DATA, done, get_json, job, load, ok, poll_file, psql

UTC = timezone.utc
US = 1000000
DAY_US = 86400 * US
MSL = sorted(glob.glob(os.path.join(DATA, "msl-api-v1", "*.json")))
IONDRIVER = os.path.join(DATA, "lobby", "iondriver-proxy_2024-09-15_Nielk1-MultiplayerSessionList-mock.json")
BUCKETS = [0, 5, 15, 30, 60, 120]      # lower bounds in minutes (docs/history.md)
JOB_ENV = {"GW_RUN_DIR": tempfile.mkdtemp(prefix="gw-t51-run-")}


def us(col):
    return "(extract(epoch FROM %s) * 1000000)::bigint" % col


def pg_secs(d_us):
    """extract(epoch FROM interval)::bigint: numeric rounded half away from zero."""
    q, r = divmod(abs(d_us), US)
    q += 1 if 2 * r >= US else 0
    return q if d_us >= 0 else -q


def iso(u):
    return datetime.fromtimestamp(u // US, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_of(u):
    return u // DAY_US                  # days since the epoch (UTC)


def day_text(d):
    return datetime.fromtimestamp(d * 86400, UTC).strftime("%Y-%m-%d")


def to_us(text):
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()) * US


def num(x):
    return None if x == "" else int(x)


# --- the recomputation ---------------------------------------------------------

def raw():
    r = {}
    r["stays"] = [(int(a), b, int(c), int(d)) for a, b, c, d in psql(
        "SELECT player_id, session_id, %s, %s FROM bzcc.player_session_events"
        % (us("joined_at"), us("coalesce(left_at, last_seen_at)")))]
    r["sessions"] = {row[0]: {"map": row[1], "mod": row[2], "first": int(row[3]), "ended": num(row[4])}
                     for row in psql("SELECT id, map_key, mod_id, %s, %s FROM bzcc.sessions"
                                     % (us("first_seen_at"), us("ended_at")))}
    r["snaps"] = [(a, int(b), c, d, int(e)) for a, b, c, d, e in psql(
        "SELECT session_id, %s, map_key, mod_id, player_count FROM bzcc.session_snapshots"
        % us("taken_at"))]
    r["polls"] = [(int(a), b == "t", int(c), int(d)) for a, b, c, d in psql(
        "SELECT %s, ok, sessions, players FROM bzcc.polls" % us("taken_at"))]
    return r


def recompute(r):
    """Every aggregate of 010, from the raw rows, as {table: {key: value}}."""
    out = {}
    ps = {}
    for pid, sid, j, u in r["stays"]:
        row = ps.setdefault((pid, sid), [r["sessions"][sid]["map"], j, u, 0, 0])
        row[1], row[2] = min(row[1], j), max(row[2], u)
        row[3] += pg_secs(u - j)
        row[4] += 1
    out["player_sessions"] = {k: tuple(v) for k, v in ps.items()}
    tot, pm = defaultdict(lambda: [0, 0, 0]), defaultdict(lambda: [0, 0])
    for (pid, sid), (mk, _, _, secs, n) in ps.items():
        t = tot[pid]
        t[0], t[1], t[2] = t[0] + secs, t[1] + 1, t[2] + n
        m = pm[(pid, mk)]
        m[0], m[1] = m[0] + secs, m[1] + 1
    out["player_totals"] = {k: tuple(v) for k, v in tot.items()}
    out["player_maps"] = {k: tuple(v) for k, v in pm.items()}
    # map_daily / mod_daily as the rollup defines them, then their sums
    for name, col, scol in (("map", 2, "map"), ("mod", 3, "mod")):
        snap, peak = defaultdict(set), defaultdict(int)
        for sid, t, mk, md, pc in r["snaps"]:
            k = (mk, md)[col - 2]
            snap[(k, day_of(t))].add(sid)
            peak[(k, day_of(t))] = max(peak[(k, day_of(t))], pc)
        players, secs = defaultdict(set), defaultdict(int)
        for pid, sid, j, u in r["stays"]:
            k = r["sessions"][sid][scol]
            for d in range(day_of(j), day_of(u) + 1):
                piece = pg_secs(min(u, (d + 1) * DAY_US) - max(j, d * DAY_US))
                players[(k, d)].add(pid)
                secs[(k, d)] += piece
        totals = {}
        for (k, d), sids in snap.items():
            t = totals.setdefault(k, [0, 0, 0, 0])
            t[0] += len(sids)
            t[1] += len(players.get((k, d), ()))
            t[2] += secs.get((k, d), 0)
            t[3] = max(t[3], peak[(k, d)])
        out[name + "_totals"] = {k: tuple(v if name == "map" else v[:3]) for k, v in totals.items()}
    minute = {}
    for t, okk, s, p in r["polls"]:
        if okk:
            m = t // (60 * US) * 60 * US
            a = minute.get(m, (s, p))
            minute[m] = (max(a[0], s), max(a[1], p))
    out["players_online"] = minute
    every = {}
    for t, okk, s, p in r["polls"]:
        m = t // (60 * US) * 60 * US
        a = every.setdefault(m, [0, 0, None, None])
        a[0] += 1
        if okk:
            a[1] += 1
            a[2] = s if a[2] is None else max(a[2], s)
            a[3] = p if a[3] is None else max(a[3], p)
    out["polls_minutely"] = {k: tuple(v) for k, v in every.items()}
    for name, size in (("players_online_hourly", 3600 * US), ("players_online_daily", DAY_US)):
        agg = {}
        for m, (s, p) in minute.items():
            k = m // size if size == DAY_US else m // size * size
            a = agg.get(k, (s, p))
            agg[k] = (max(a[0], s), max(a[1], p))
        out[name] = agg
    lengths = {}
    for sid, s in r["sessions"].items():
        if s["ended"] is not None:
            d = s["ended"] - s["first"]
            lengths[sid] = (day_of(s["ended"]), max([b for b in BUCKETS if d >= b * 60 * US], default=-1))
    out["session_lengths"] = lengths
    per_day = defaultdict(int)
    for v in lengths.values():
        per_day[v] += 1
    out["session_length_daily"] = dict(per_day)
    return out


DB_QUERIES = {
    "player_sessions": ("SELECT player_id, session_id, map_key, %s, %s, seconds, intervals"
                        " FROM bzcc.player_sessions" % (us("joined_at"), us("until")),
                        lambda r: ((int(r[0]), r[1]), (r[2], int(r[3]), int(r[4]), int(r[5]), int(r[6])))),
    "player_totals": ("SELECT player_id, seconds, sessions, intervals FROM bzcc.player_totals",
                      lambda r: (int(r[0]), (int(r[1]), int(r[2]), int(r[3])))),
    "player_maps": ("SELECT player_id, map_key, seconds, sessions FROM bzcc.player_maps",
                    lambda r: ((int(r[0]), r[1]), (int(r[2]), int(r[3])))),
    "map_totals": ("SELECT map_key, sessions, players, player_seconds, peak_players FROM bzcc.map_totals",
                   lambda r: (r[0], tuple(int(x) for x in r[1:]))),
    "mod_totals": ("SELECT mod_id, sessions, players, player_seconds FROM bzcc.mod_totals",
                   lambda r: (r[0], tuple(int(x) for x in r[1:]))),
    "players_online": ("SELECT %s, sessions, players FROM bzcc.players_online" % us("minute"),
                       lambda r: (int(r[0]), (int(r[1]), int(r[2])))),
    "polls_minutely": ("SELECT %s, polls, ok_polls, sessions, players FROM bzcc.polls_minutely"
                       % us("minute"),
                       lambda r: (int(r[0]), (int(r[1]), int(r[2]), num(r[3]), num(r[4])))),
    "players_online_hourly": ("SELECT %s, sessions, players FROM bzcc.players_online_hourly" % us("hour"),
                              lambda r: (int(r[0]), (int(r[1]), int(r[2])))),
    "players_online_daily": ("SELECT day - '1970-01-01'::date, sessions, players"
                             " FROM bzcc.players_online_daily",
                             lambda r: (int(r[0]), (int(r[1]), int(r[2])))),
    "session_lengths": ("SELECT session_id, day - '1970-01-01'::date, min_minutes FROM bzcc.session_lengths",
                        lambda r: (r[0], (int(r[1]), int(r[2])))),
    "session_length_daily": ("SELECT day - '1970-01-01'::date, min_minutes, sessions"
                             " FROM bzcc.session_length_daily",
                             lambda r: ((int(r[0]), int(r[1])), int(r[2]))),
}


def db_tables(names=None):
    return {n: dict(f(row) for row in psql(q)) for n, (q, f) in DB_QUERIES.items()
            if names is None or n in names}


def diff(got, want, limit=12):
    keys = sorted(set(got) | set(want), key=repr)
    return ["%r: db %r, recomputed %r" % (k, got.get(k), want.get(k))
            for k in keys if got.get(k) != want.get(k)][:limit]


def check_tables(stage, skip=()):
    want = recompute(raw())
    got = db_tables()
    for name in DB_QUERIES:
        if name in skip:
            continue
        d = diff(got[name], want[name])
        ok(not d and len(want[name]) > 0 if name in ("player_sessions", "player_totals",
                                                     "map_totals", "session_lengths")
           else not d, "%s: %s equals the recomputation from raw rows (%d rows)"
           % (stage, name, len(want[name])), *d)
    # the totals are the sums of the daily rows they summarize, always
    for name, key in (("map", "map_key"), ("mod", "mod_id")):
        extra = ", max(peak_players)" if name == "map" else ""
        sums = {r[0]: tuple(int(x) for x in r[1:]) for r in psql(
            "SELECT %s, sum(sessions), sum(players), sum(player_seconds)%s FROM bzcc.%s_daily GROUP BY 1"
            % (key, extra, name))}
        d = diff(got[name + "_totals"], sums)
        ok(not d, "%s: %s_totals equals the sums of %s_daily" % (stage, name, name), *d)
    return want


def check_profiles(stage, want=None):
    """/api/v1/players/{id} of every player against the recomputation."""
    want = want or recompute(raw())
    per_player = defaultdict(list)
    for (pid, sid), row in want["player_sessions"].items():
        per_player[pid].append((sid,) + row)
    bad = []
    for pid, rows in sorted(per_player.items()):
        status, _, p = get_json(BASE_URL + "/api/v1/players/%d" % pid)
        if status != 200 or not p:
            bad.append("player %d: HTTP %s" % (pid, status))
            continue
        tot = want["player_totals"][pid]
        fav = defaultdict(lambda: [0, 0])
        for sid, mk, j, u, secs, n in rows:
            fav[mk][0] += secs
            fav[mk][1] += 1
        fav = sorted(((k, v[0], v[1]) for k, v in fav.items()), key=lambda x: (-x[1], x[0]))[:5]
        recent = sorted(rows, key=lambda x: (x[3], x[0]), reverse=True)[:20]
        exp = {"totals": {"play_seconds": tot[0], "sessions": tot[1], "intervals": tot[2]},
               "favourite": [[k, s, n] for k, s, n in fav],
               "recent": [[sid, iso(j), iso(u), secs, n] for sid, mk, j, u, secs, n in recent]}
        got = {"totals": p["totals"],
               "favourite": [[m["map_key"], m["seconds"], m["sessions"]] for m in p["favourite_maps"]],
               "recent": [[s["id"], s["played"]["joined_at"], s["played"]["left_at"],
                           s["played"]["seconds"], s["played"]["intervals"]] for s in p["recent_sessions"]]}
        if got != exp:
            bad.append("player %d: api %s" % (pid, json.dumps(got)[:600]))
            bad.append("player %d: recomputed %s" % (pid, json.dumps(exp)[:600]))
    ok(not bad and per_player, "%s: the profile of each of %d players (totals, favourite maps,"
       " recent sessions) equals the recomputation" % (stage, len(per_player)), *bad[:10])


def rollup(stage, *args):
    rc, out = job("rollup", *args, env=JOB_ENV)
    ok(rc == 0 and "rollup done" in out, "%s: rollup %s exits 0" % (stage, " ".join(args)), out[-2000:])
    return out


def replay(stage, paths):
    tmp = tempfile.mkdtemp(prefix="gw-t51-")
    for p in paths:
        shutil.copy(p, tmp)
    rc, out = job("poll-bzcc", "--replay", tmp, env=JOB_ENV)
    shutil.rmtree(tmp, ignore_errors=True)
    ok(rc == 0 and "replayed %d of %d" % (len(paths), len(paths)) in out,
       "%s: replay of %d captures" % (stage, len(paths)), out[-1500:])


def live(stage, path):
    rc, out = poll_file(path, env=JOB_ENV)
    ok(rc == 0 and "poll ok" in out, "%s: live poll of %s" % (stage, os.path.basename(path)), out[-1500:])


# --- stages ------------------------------------------------------------------------

psql("TRUNCATE bzcc.player_session_events, bzcc.session_snapshots, bzcc.session_players,"
     " bzcc.sessions, bzcc.polls, bzcc.maps, bzcc.mods, bzcc.player_daily, bzcc.map_daily,"
     " bzcc.mod_daily, bzcc.players_online, bzcc.player_sessions, bzcc.player_totals,"
     " bzcc.player_maps, bzcc.map_totals, bzcc.mod_totals, bzcc.players_online_hourly,"
     " bzcc.players_online_daily, bzcc.session_lengths, bzcc.session_length_daily,"
     " bzcc.polls_minutely, identities, players, rollup_state RESTART IDENTITY CASCADE")
ok(len(MSL) >= 10 and os.path.exists(IONDRIVER), "the real captures are there", len(MSL))

# 1. the older half of the MSL captures; the profile before any rollup
replay("stage 1", MSL[:6])
check_profiles("stage 1, before the rollup")
rollup("stage 1")
want = check_tables("stage 1")
check_profiles("stage 1, after the rollup", want)

# 2. the rest, with a capture older than part of stage 1 (a back-dated replay)
replay("stage 2", MSL[6:] + [IONDRIVER])
check_profiles("stage 2, before the rollup")
rollup("stage 2")
want = check_tables("stage 2")
check_profiles("stage 2, after the rollup", want)


def ascii_lower(t):
    """lower() of the test cluster (locale C): ASCII letters only."""
    return "".join(c.lower() if c.isascii() else c for c in t)


# the history search (a substring, case-insensitive; LIKE wildcards in it
# are plain characters, not wildcards)
names = dict(psql("SELECT id, name FROM bzcc.sessions"))
for q in ("vsr", "VsR", "mpi", "%", "_", "\\", "%_%", "a_b", "zzqx"):
    status, _, d = get_json(BASE_URL + "/api/v1/history/sessions?limit=200&q=" + urllib.parse.quote(q))
    want = sorted(i for i, n in names.items() if ascii_lower(q) in ascii_lower(n))
    got = sorted(s["id"] for s in d["sessions"]) if d else None
    ok(status == 200 and got == want, "search q=%r: the %d sessions whose name holds it" % (q, len(want)),
       "got %s" % got, "want %s" % want)
ok(any(ascii_lower("vsr") in ascii_lower(n) for n in names.values()), "some session names hold 'vsr'")
out = rollup("stage 2, nothing new")
ok("no new polls" in out, "stage 2: a rollup with nothing new says so")
check_tables("stage 2, nothing new")

# 3. live polls now: a capture (its sessions are listed again), the same
#    capture with its first session on another map, then another capture
#    (those sessions end; the rollup finds them through the sessions still
#    live at its previous run)
six = os.path.join(DATA, "msl-api-v1", "2025-04-09_six.json")
live("stage 3", six)
check_profiles("stage 3, before the rollup")
rollup("stage 3")
check_tables("stage 3")
moved = load(six)
moved_key = "%s:t51moved" % (moved["Sessions"][0]["Game"].get("Mod") or "0")
moved["Sessions"][0]["Level"]["MapFile"] = "t51moved.bzn"
moved["Sessions"][0]["Level"]["ID"] = moved_key
tmp = tempfile.mkdtemp(prefix="gw-t51-")
moved_path = os.path.join(tmp, "moved.json")
with open(moved_path, "w") as f:
    json.dump(moved, f)
time.sleep(1.1)
live("stage 3, map changed", moved_path)
check_profiles("stage 3, map changed, before the rollup")
rollup("stage 3, map changed")
# map_daily keeps the days before the rollup's first day under the old map
# (its own rule, not changed here): compared with the raw rows after --full
want = check_tables("stage 3, map changed", skip=("map_totals", "mod_totals"))
ok(any(k[1] == moved_key for k in want["player_maps"]) and
   any(k[1] == moved_key for k in db_tables(["player_maps"])["player_maps"]),
   "stage 3: the players of the session that changed map count under %s" % moved_key)
check_profiles("stage 3, map changed, after the rollup", want)
LIVE = "SELECT id FROM bzcc.sessions WHERE ended_at IS NULL"
live_before = set(r[0] for r in psql(LIVE))
counted_before = set(db_tables(["session_lengths"])["session_lengths"])
time.sleep(1.1)
live("stage 3, another capture", os.path.join(DATA, "msl-api-v1", "2024-08-30_data.json"))
live_after = set(r[0] for r in psql(LIVE))
rollup("stage 3, another capture")
want = check_tables("stage 3, another capture", skip=("map_totals", "mod_totals"))
counted = set(db_tables(["session_lengths"])["session_lengths"])
# its sessions ended long ago (stage 2): the poller's revive rule starts
# them anew as "<raw id>~N" and leaves the old ones ended and counted
ok(live_before and live_after and not live_before & live_after and live_before <= counted
   and all("~" in i for i in live_after) and not live_after & counted_before
   and not live_after & counted and counted_before <= counted,
   "stage 3: the last poll ended %d sessions (now counted by length) and revived %d long-ended"
   " ones as new sessions (not counted; the old ones still are)" % (len(live_before), len(live_after)),
   live_before, live_after)
check_profiles("stage 3, another capture", want)
# listed again within the revive period, the sessions just ended reopen:
# their length rows are taken out again
time.sleep(1.1)
live("stage 3, listed again", six)
reopened = set(r[0] for r in psql(LIVE))
rollup("stage 3, listed again")
want = check_tables("stage 3, listed again", skip=("map_totals", "mod_totals"))
counted = set(db_tables(["session_lengths"])["session_lengths"])
ok(reopened == live_before and not reopened & counted and live_after <= counted,
   "stage 3: the %d sessions listed again reopened (no longer counted by length), the %d revived"
   " ones ended (counted)" % (len(reopened), len(live_after)), reopened - live_before,
   live_before - reopened, reopened & counted, live_after - counted)
check_profiles("stage 3, listed again", want)
# a lobby whose players are all hidden (no Steam/GOG id: no stays at all),
# then a poll without its sessions: only the sessions live at the previous
# rollup tell the next one to count them
hidden = load(os.path.join(DATA, "msl-api-v1", "2025-04-05_dm.json"))
for sess in hidden["Sessions"]:
    for pl in sess.get("Players") or []:
        pl.pop("IDs", None)
hidden_path = os.path.join(tmp, "hidden.json")
with open(hidden_path, "w") as f:
    json.dump(hidden, f)
time.sleep(1.1)
live("stage 3, hidden players", hidden_path)
live_hidden = set(r[0] for r in psql(LIVE))
ok(live_hidden and int(psql("SELECT count(*) FROM bzcc.player_session_events WHERE left_at IS NULL")[0][0]) == 0,
   "stage 3: %d sessions live, no stay open" % len(live_hidden))
rollup("stage 3, hidden players")
time.sleep(1.1)
live("stage 3, after the hidden players", os.path.join(DATA, "msl-api-v1", "2025-04-05_ffa.json"))
rollup("stage 3, after the hidden players")
want = check_tables("stage 3, after the hidden players", skip=("map_totals", "mod_totals"))
counted = set(db_tables(["session_lengths"])["session_lengths"])
ok(live_hidden <= counted, "stage 3: the sessions of the hidden players ended and are counted by length",
   live_hidden - counted)
shutil.rmtree(tmp, ignore_errors=True)

# 4. polls and ended sessions around the edges of analytics windows
now_us = int(time.time() * US)
MIN = 60 * US
polls = [(-3 * DAY_US - 5 * MIN, 2, 7), (-3 * DAY_US + 5 * MIN, 3, 11), (-3 * DAY_US + 70 * MIN, 1, 4),
         (-DAY_US - 5 * MIN, 4, 13), (-DAY_US + 5 * MIN, 2, 9), (-10 * MIN, 5, 17), (-11 * MIN, 1, 30),
         (-91 * DAY_US - 4 * MIN, 6, 21), (-91 * DAY_US + 4 * MIN, 2, 5), (-91 * DAY_US + 30 * 60 * MIN, 3, 8),
         (-120 * DAY_US + 2 * 60 * MIN, 1, 2), (-200 * DAY_US, 2, 3), (-30 * DAY_US + 7 * MIN, 4, 6),
         (-310 * DAY_US, 1, 1)]   # a poll before every session below ends (as the poller would log)
for off, s, p in polls:
    psql("INSERT INTO bzcc.polls (taken_at, source_url, kind, ok, sessions, players)"
         " VALUES (to_timestamp(:'v1'::numeric / 1000000), 't51', 'msl-v1', true, :'v2', :'v3')",
         now_us + off, s, p)
psql("INSERT INTO bzcc.polls (taken_at, source_url, kind, ok, sessions, players, error)"
     " VALUES (to_timestamp(:'v1'::numeric / 1000000), 't51', NULL, false, 99, 99, 'rejected')",
     now_us - 2 * DAY_US)
ENDED = [(-30 * DAY_US + 20 * MIN, 3), (-30 * DAY_US - 20 * MIN, 10), (-5 * DAY_US, 45),
         (-15 * MIN, 200), (-2 * DAY_US - 3 * MIN, 14), (-91 * DAY_US + 9 * MIN, 61),
         (-20 * DAY_US, 0), (-300 * DAY_US, 31)]
for i, (off, minutes) in enumerate(ENDED):
    psql("INSERT INTO bzcc.sessions (id, source, nat_id, guid_hex, name, map_file, map_key, mod_id,"
         " mods, version, game_type, game_mode, game_mode_name, state, state_since, nat_type, locked,"
         " has_password, player_count, max_players, first_seen_at, last_seen_at, ended_at, data)"
         " SELECT 't51:edge' || :'v1', source, nat_id, guid_hex, name, map_file, map_key, mod_id,"
         "  mods, version, game_type, game_mode, game_mode_name, state, state_since, nat_type, locked,"
         "  has_password, player_count, max_players,"
         "  to_timestamp(:'v2'::numeric / 1000000) - make_interval(mins => :'v3'::int),"
         "  to_timestamp(:'v2'::numeric / 1000000), to_timestamp(:'v2'::numeric / 1000000), data"
         " FROM bzcc.sessions ORDER BY id LIMIT 1", i, now_us + off, minutes)
rollup("stage 4")
want = check_tables("stage 4", skip=("map_totals", "mod_totals"))
r = raw()
ended = [(s["first"], s["ended"]) for s in r["sessions"].values() if s["ended"] is not None]
for days in (1, 2, 3, 30, 90, 91, 120, 365, 3650):
    status, _, an = get_json(BASE_URL + "/api/v1/analytics?days=%d" % days)
    if not ok(status == 200 and an, "analytics?days=%d is 200" % days, status):
        continue
    lo, hi = to_us(an["from"]), to_us(an["to"])
    unit = "day" if days > 90 else "hour" if days > 2 else "minute"
    size = {"day": DAY_US, "hour": 3600 * US, "minute": 60 * US}[unit]
    pts, daily = {}, {}
    for m, (s, p) in want["players_online"].items():
        if lo < m <= hi:
            b = m // size * size
            a = pts.get(b, (s, p))
            pts[b] = (max(a[0], s), max(a[1], p))
            d = day_of(m)
            a = daily.get(d, (s, p))
            daily[d] = (max(a[0], s), max(a[1], p))
    exp = [{"t": iso(b), "sessions": v[0], "players": v[1]} for b, v in sorted(pts.items())]
    ok(an["players_online"]["resolution"] == unit and an["players_online"]["points"] == exp,
       "analytics?days=%d: players online per %s, partial buckets at both ends included (%d points)"
       % (days, unit, len(exp)), "api %s" % an["players_online"]["points"][:8], "want %s" % exp[:8])
    exp = [{"day": day_text(d), "peak_players": v[1], "peak_sessions": v[0]}
           for d, v in sorted(daily.items(), reverse=True)]
    ok(an["players_online"]["daily"] == exp, "analytics?days=%d: daily peaks (%d days)" % (days, len(exp)),
       "api %s" % an["players_online"]["daily"][:6], "want %s" % exp[:6])
    hist = [0] * len(BUCKETS)
    n = 0
    for first, end in ended:
        if lo < end <= hi:
            n += 1
            for i, b in enumerate(BUCKETS):
                if end - first >= b * 60 * US:
                    k = i
            hist[k] += 1
    h = an["durations"]["histogram"]
    ok([b["sessions"] for b in h] == hist and an["durations"]["ended_sessions"] == n,
       "analytics?days=%d: %d ended sessions in the length histogram" % (days, n),
       "api %s %s" % ([b["sessions"] for b in h], an["durations"]["ended_sessions"]), "want %s %s" % (hist, n))



def check_summary(stage, minutes):
    """/api/v1/history/summary against the raw polls, minute by minute."""
    status, _, doc = get_json(BASE_URL + "/api/v1/history/summary?minutes=%d" % minutes)
    if not ok(status == 200 and doc, "%s: summary?minutes=%d is 200" % (stage, minutes), status):
        return
    every = recompute(raw())["polls_minutely"]
    lo, hi = to_us(doc["from"]), to_us(doc["to"])
    exp = []
    for m in range(lo, hi, 60 * US):
        c, k, s, p = every.get(m, (0, 0, None, None))
        exp.append({"minute": iso(m), "polls": c, "successful_polls": k, "sessions": s, "players": p})
    busy = sum(1 for e in exp if e["polls"])
    ok(doc["points"] == exp and busy > 0, "%s: summary?minutes=%d per minute (%d minutes with polls)"
       % (stage, minutes, busy), "api %s" % [x for x in doc["points"] if x["polls"]][:6],
       "want %s" % [x for x in exp if x["polls"]][:6])


# the summary: minutes the rollup counted from polls_minutely, later ones
# from the polls (a poll logged after the rollup, 30 minutes ago)
check_summary("stage 4", 10080)
psql("INSERT INTO bzcc.polls (taken_at, source_url, kind, ok, sessions, players)"
     " VALUES (now() - interval '30 minutes', 't51', 'msl-v1', true, 7, 19)")
check_summary("stage 4, a poll not rolled up", 10080)
check_summary("stage 4, a poll not rolled up", 60)
rollup("stage 4, summary")
check_summary("stage 4, rolled up", 10080)
check_summary("stage 4, rolled up", 2)

# 5. --full gives the same rows, and repairs a corrupted aggregate
SAME = [n for n in DB_QUERIES if n not in ("map_totals", "mod_totals")]
before = db_tables(SAME)
rollup("stage 5", "--full")
want = check_tables("stage 5, after --full")
after = db_tables(SAME)
d = [n for n in SAME if before[n] != after[n]]
ok(not d, "stage 5: --full leaves the incrementally kept aggregates as they were", *d)
psql("UPDATE bzcc.player_totals SET seconds = seconds + 7 WHERE player_id = (SELECT min(player_id)"
     " FROM bzcc.player_totals)")
psql("DELETE FROM bzcc.session_length_daily WHERE day = (SELECT max(day) FROM bzcc.session_length_daily)")
psql("UPDATE bzcc.map_totals SET peak_players = peak_players + 100")
psql("UPDATE bzcc.polls_minutely SET polls = polls + 1")
rollup("stage 5, repair", "--full")
check_tables("stage 5, after the repair")
check_profiles("stage 5", want)
shutil.rmtree(JOB_ENV["GW_RUN_DIR"], ignore_errors=True)
done()
