/* bzcc-rollup.c: partitions and daily rollups of BZCC history
 * (bzcc-rollup.h; timings in bench/README.md). */
#include "modules/bzcc/store/bzcc-rollup.h"

#include <stdio.h>

#include "log.h"
#include "timeutil.h"

/* $1 = first UTC day to recompute (date). Stays are split at UTC midnight.
 * Stays are assumed shorter than two days for the partition bound. */
#define STAY_DAYS                                                             \
	" CROSS JOIN LATERAL (SELECT g::date AS day,"                           \
	"  extract(epoch FROM least(coalesce(e.left_at, e.last_seen_at),"        \
	"   (g + interval '1 day') AT TIME ZONE 'UTC')"                          \
	"   - greatest(e.joined_at, g AT TIME ZONE 'UTC'))::bigint AS secs"       \
	"  FROM generate_series((e.joined_at AT TIME ZONE 'UTC')::date::timestamp," \
	"   (coalesce(e.left_at, e.last_seen_at) AT TIME ZONE 'UTC')::date::timestamp," \
	"   interval '1 day') AS g) d"

#define STAYS_SINCE                                                           \
	" WHERE e.joined_at >= ($1::date - 2)::timestamp AT TIME ZONE 'UTC'"     \
	"  AND coalesce(e.left_at, e.last_seen_at) >= $1::date::timestamp AT TIME ZONE 'UTC'" \
	"  AND d.day >= $1::date"

static const char SQL_PLAYER_DAILY[] =
	"INSERT INTO bzcc.player_daily (player_id, day, seconds, sessions)"
	" SELECT e.player_id, d.day, sum(d.secs), count(DISTINCT e.session_id)"
	" FROM bzcc.player_session_events e" STAY_DAYS STAYS_SINCE
	" GROUP BY 1, 2"
	" ON CONFLICT (player_id, day) DO UPDATE SET seconds = EXCLUDED.seconds,"
	"  sessions = EXCLUDED.sessions";

#define PLAY_BY(col)                                                          \
	"play AS (SELECT s." col " AS k, d.day, count(DISTINCT e.player_id) AS players," \
	"  sum(d.secs) AS secs FROM bzcc.player_session_events e"               \
	"  JOIN bzcc.sessions s ON s.id = e.session_id" STAY_DAYS STAYS_SINCE    \
	"  GROUP BY 1, 2)"

#define SNAP_BY(col)                                                          \
	"snap AS (SELECT " col " AS k, (taken_at AT TIME ZONE 'UTC')::date AS day," \
	"  count(DISTINCT session_id) AS sessions, max(player_count) AS peak"   \
	"  FROM bzcc.session_snapshots"                                          \
	"  WHERE taken_at >= $1::date::timestamp AT TIME ZONE 'UTC' GROUP BY 1, 2)"

/* The recomputed rows `new` (k, day, sessions, players, secs[, peak]) are
 * upserted into the daily table, and the totals change by new minus the
 * values those rows had: every part of one statement reads the snapshot
 * taken before the upsert, so `d` below holds the previous values. A day's
 * peak never falls (snapshots are only added), so the all-time peak is the
 * greatest of the old one and the new days'. */
static const char SQL_MAP_DAILY[] =
	"WITH " SNAP_BY("map_key") ", " PLAY_BY("map_key") ","
	" new AS MATERIALIZED (SELECT snap.k, snap.day, snap.sessions,"
	"  coalesce(play.players, 0) AS players, coalesce(play.secs, 0) AS secs, snap.peak"
	"  FROM snap LEFT JOIN play ON play.k = snap.k AND play.day = snap.day),"
	" up AS (INSERT INTO bzcc.map_daily (map_key, day, sessions, players, player_seconds,"
	"  peak_players) SELECT k, day, sessions, players, secs, peak FROM new"
	"  ON CONFLICT (map_key, day) DO UPDATE SET sessions = EXCLUDED.sessions,"
	"  players = EXCLUDED.players, player_seconds = EXCLUDED.player_seconds,"
	"  peak_players = EXCLUDED.peak_players)"
	" INSERT INTO bzcc.map_totals AS t (map_key, sessions, players, player_seconds, peak_players)"
	" SELECT k, sum(sessions), sum(players), sum(secs), max(peak) FROM ("
	"  SELECT k, sessions, players, secs, peak FROM new"
	"  UNION ALL SELECT d.map_key, -d.sessions, -d.players, -d.player_seconds, 0"
	"  FROM bzcc.map_daily d JOIN new ON d.map_key = new.k AND d.day = new.day) x"
	" GROUP BY k"
	" ON CONFLICT (map_key) DO UPDATE SET sessions = t.sessions + EXCLUDED.sessions,"
	"  players = t.players + EXCLUDED.players,"
	"  player_seconds = t.player_seconds + EXCLUDED.player_seconds,"
	"  peak_players = greatest(t.peak_players, EXCLUDED.peak_players)";

static const char SQL_MOD_DAILY[] =
	"WITH " SNAP_BY("mod_id") ", " PLAY_BY("mod_id") ","
	" new AS MATERIALIZED (SELECT snap.k, snap.day, snap.sessions,"
	"  coalesce(play.players, 0) AS players, coalesce(play.secs, 0) AS secs"
	"  FROM snap LEFT JOIN play ON play.k = snap.k AND play.day = snap.day),"
	" up AS (INSERT INTO bzcc.mod_daily (mod_id, day, sessions, players, player_seconds)"
	"  SELECT k, day, sessions, players, secs FROM new"
	"  ON CONFLICT (mod_id, day) DO UPDATE SET sessions = EXCLUDED.sessions,"
	"  players = EXCLUDED.players, player_seconds = EXCLUDED.player_seconds)"
	" INSERT INTO bzcc.mod_totals AS t (mod_id, sessions, players, player_seconds)"
	" SELECT k, sum(sessions), sum(players), sum(secs) FROM ("
	"  SELECT k, sessions, players, secs FROM new"
	"  UNION ALL SELECT d.mod_id, -d.sessions, -d.players, -d.player_seconds"
	"  FROM bzcc.mod_daily d JOIN new ON d.mod_id = new.k AND d.day = new.day) x"
	" GROUP BY k"
	" ON CONFLICT (mod_id) DO UPDATE SET sessions = t.sessions + EXCLUDED.sessions,"
	"  players = t.players + EXCLUDED.players,"
	"  player_seconds = t.player_seconds + EXCLUDED.player_seconds";

static const char SQL_PLAYERS_ONLINE[] =
	"INSERT INTO bzcc.players_online (minute, sessions, players)"
	" SELECT date_trunc('minute', taken_at), max(sessions), max(players)"
	" FROM bzcc.polls WHERE ok AND taken_at >= $1::date::timestamp AT TIME ZONE 'UTC'"
	" GROUP BY 1"
	" ON CONFLICT (minute) DO UPDATE SET sessions = EXCLUDED.sessions,"
	"  players = EXCLUDED.players";

static const char SQL_POLLS_MINUTELY[] =
	"INSERT INTO bzcc.polls_minutely (minute, polls, ok_polls, sessions, players)"
	" SELECT date_trunc('minute', taken_at), count(*), count(*) FILTER (WHERE ok),"
	"  max(sessions) FILTER (WHERE ok), max(players) FILTER (WHERE ok)"
	" FROM bzcc.polls WHERE taken_at >= $1::date::timestamp AT TIME ZONE 'UTC'"
	" GROUP BY 1"
	" ON CONFLICT (minute) DO UPDATE SET polls = EXCLUDED.polls, ok_polls = EXCLUDED.ok_polls,"
	"  sessions = EXCLUDED.sessions, players = EXCLUDED.players";

/* Whole UTC hours and days from `day` on: every minute of them is counted
 * again above, so these peaks are recomputed, not adjusted. */
static const char SQL_ONLINE_HOURLY[] =
	"INSERT INTO bzcc.players_online_hourly (hour, sessions, players)"
	" SELECT date_trunc('hour', minute AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',"
	"  max(sessions), max(players)"
	" FROM bzcc.players_online WHERE minute >= $1::date::timestamp AT TIME ZONE 'UTC'"
	" GROUP BY 1"
	" ON CONFLICT (hour) DO UPDATE SET sessions = EXCLUDED.sessions,"
	"  players = EXCLUDED.players";

static const char SQL_ONLINE_DAILY[] =
	"INSERT INTO bzcc.players_online_daily (day, sessions, players)"
	" SELECT (hour AT TIME ZONE 'UTC')::date, max(sessions), max(players)"
	" FROM bzcc.players_online_hourly WHERE hour >= $1::date::timestamp AT TIME ZONE 'UTC'"
	" GROUP BY 1"
	" ON CONFLICT (day) DO UPDATE SET sessions = EXCLUDED.sessions,"
	"  players = EXCLUDED.players";

/* The sessions step (bzcc_rollup_sessions), one REPEATABLE READ
 * transaction. rollup_s: the sessions to recount ($1 = since). */
static const char SQL_S[] =
	"CREATE TEMP TABLE rollup_s ON COMMIT DROP AS"
	" SELECT id, first_seen_at, ended_at, map_key FROM bzcc.sessions"
	" WHERE last_seen_at >= $1::timestamptz";

/* Their player rows recounted from the stays (a stay joins at or after
 * its session's first sighting, which prunes the partitions), and the
 * rows they replace. */
static const char SQL_PS_NEW[] =
	"CREATE TEMP TABLE rollup_ps ON COMMIT DROP AS"
	" SELECT e.player_id, e.session_id, s.map_key, min(e.joined_at) AS joined_at,"
	"  max(coalesce(e.left_at, e.last_seen_at)) AS until,"
	"  sum(extract(epoch FROM coalesce(e.left_at, e.last_seen_at) - e.joined_at)::bigint) AS seconds,"
	"  count(*)::int AS intervals"
	" FROM rollup_s s JOIN bzcc.player_session_events e"
	"  ON e.session_id = s.id AND e.joined_at >= s.first_seen_at"
	" GROUP BY 1, 2, 3";
static const char SQL_PS_OLD[] =
	"CREATE TEMP TABLE rollup_ps_old ON COMMIT DROP AS"
	" SELECT a.* FROM bzcc.player_sessions a JOIN rollup_s s ON s.id = a.session_id";

static const char SQL_PLAYER_TOTALS_DELTA[] =
	"INSERT INTO bzcc.player_totals AS t (player_id, seconds, sessions, intervals)"
	" SELECT player_id, sum(seconds), sum(n), sum(intervals) FROM ("
	"  SELECT player_id, seconds, 1 AS n, intervals FROM rollup_ps"
	"  UNION ALL SELECT player_id, -seconds, -1, -intervals FROM rollup_ps_old) d"
	" GROUP BY 1"
	" ON CONFLICT (player_id) DO UPDATE SET seconds = t.seconds + EXCLUDED.seconds,"
	"  sessions = t.sessions + EXCLUDED.sessions, intervals = t.intervals + EXCLUDED.intervals";
static const char SQL_PLAYER_MAPS_DELTA[] =
	"INSERT INTO bzcc.player_maps AS t (player_id, map_key, seconds, sessions)"
	" SELECT player_id, map_key, sum(seconds), sum(n) FROM ("
	"  SELECT player_id, map_key, seconds, 1 AS n FROM rollup_ps"
	"  UNION ALL SELECT player_id, map_key, -seconds, -1 FROM rollup_ps_old) d"
	" GROUP BY 1, 2"
	" ON CONFLICT (player_id, map_key) DO UPDATE SET seconds = t.seconds + EXCLUDED.seconds,"
	"  sessions = t.sessions + EXCLUDED.sessions";
/* rows that now count no session (a session moved to another map) */
static const char SQL_PLAYER_EMPTY[] =
	"WITH gone AS (SELECT DISTINCT player_id, map_key FROM rollup_ps_old),"
	" m AS (DELETE FROM bzcc.player_maps t USING gone"
	"  WHERE t.player_id = gone.player_id AND t.map_key = gone.map_key AND t.sessions = 0)"
	" DELETE FROM bzcc.player_totals t USING (SELECT DISTINCT player_id FROM gone) g"
	" WHERE t.player_id = g.player_id AND t.sessions = 0";
static const char SQL_PS_REPLACE_DEL[] =
	"DELETE FROM bzcc.player_sessions a USING rollup_ps_old o"
	" WHERE a.player_id = o.player_id AND a.session_id = o.session_id";
static const char SQL_PS_REPLACE_INS[] =
	"INSERT INTO bzcc.player_sessions (player_id, session_id, map_key, joined_at, until,"
	" seconds, intervals) SELECT player_id, session_id, map_key, joined_at, until, seconds,"
	" intervals FROM rollup_ps";

/* Session lengths: the bucket of each ended session recounted, the rows
 * they replace, the daily counts by the difference. */
static const char SQL_SL_NEW[] =
	"CREATE TEMP TABLE rollup_sl ON COMMIT DROP AS"
	" SELECT s.id AS session_id, (s.ended_at AT TIME ZONE 'UTC')::date AS day,"
	"  coalesce((SELECT max(b.lo) FROM " BZCC_LENGTH_BUCKETS
	"   WHERE extract(epoch FROM s.ended_at - s.first_seen_at) >= b.lo * 60), -1) AS min_minutes"
	" FROM rollup_s s WHERE s.ended_at IS NOT NULL";
static const char SQL_SL_OLD[] =
	"CREATE TEMP TABLE rollup_sl_old ON COMMIT DROP AS"
	" SELECT l.* FROM bzcc.session_lengths l JOIN rollup_s s ON s.id = l.session_id";
static const char SQL_SL_DAILY_DELTA[] =
	"INSERT INTO bzcc.session_length_daily AS t (day, min_minutes, sessions)"
	" SELECT day, min_minutes, sum(n) FROM ("
	"  SELECT day, min_minutes, 1 AS n FROM rollup_sl"
	"  UNION ALL SELECT day, min_minutes, -1 FROM rollup_sl_old) d"
	" GROUP BY 1, 2"
	" ON CONFLICT (day, min_minutes) DO UPDATE SET sessions = t.sessions + EXCLUDED.sessions";
static const char SQL_SL_EMPTY[] =
	"DELETE FROM bzcc.session_length_daily t USING"
	" (SELECT DISTINCT day, min_minutes FROM rollup_sl_old) o"
	" WHERE t.day = o.day AND t.min_minutes = o.min_minutes AND t.sessions = 0";
static const char SQL_SL_REPLACE_DEL[] =
	"DELETE FROM bzcc.session_lengths l USING rollup_sl_old o WHERE l.session_id = o.session_id";
static const char SQL_SL_REPLACE_INS[] =
	"INSERT INTO bzcc.session_lengths (session_id, day, min_minutes)"
	" SELECT session_id, day, min_minutes FROM rollup_sl";

/* --full: every aggregate from its definition (readers keep seeing the old
 * rows until the transaction commits). */
static const struct {
	const char *what, *sql;
} SQL_REBUILD[] = {
	{ "player_sessions emptied",
	  "DELETE FROM bzcc.player_sessions" },
	{ "player_sessions",
	  "INSERT INTO bzcc.player_sessions (player_id, session_id, map_key, joined_at, until,"
	  " seconds, intervals) SELECT player_id, session_id, map_key, joined_at, until, seconds,"
	  " intervals FROM rollup_ps" },
	{ "player_totals emptied",
	  "DELETE FROM bzcc.player_totals" },
	{ "player_totals",
	  "INSERT INTO bzcc.player_totals (player_id, seconds, sessions, intervals)"
	  " SELECT player_id, sum(seconds), count(*), sum(intervals) FROM bzcc.player_sessions"
	  " GROUP BY 1" },
	{ "player_maps emptied",
	  "DELETE FROM bzcc.player_maps" },
	{ "player_maps",
	  "INSERT INTO bzcc.player_maps (player_id, map_key, seconds, sessions)"
	  " SELECT player_id, map_key, sum(seconds), count(*) FROM bzcc.player_sessions"
	  " GROUP BY 1, 2" },
	{ "session_lengths emptied",
	  "DELETE FROM bzcc.session_lengths" },
	{ "session_lengths",
	  "INSERT INTO bzcc.session_lengths (session_id, day, min_minutes)"
	  " SELECT session_id, day, min_minutes FROM rollup_sl" },
	{ "session_length_daily emptied",
	  "DELETE FROM bzcc.session_length_daily" },
	{ "session_length_daily",
	  "INSERT INTO bzcc.session_length_daily (day, min_minutes, sessions)"
	  " SELECT day, min_minutes, count(*) FROM bzcc.session_lengths GROUP BY 1, 2" },
	{ "map_totals emptied",
	  "DELETE FROM bzcc.map_totals" },
	{ "map_totals",
	  "INSERT INTO bzcc.map_totals (map_key, sessions, players, player_seconds, peak_players)"
	  " SELECT map_key, sum(sessions), sum(players), sum(player_seconds), max(peak_players)"
	  " FROM bzcc.map_daily GROUP BY 1" },
	{ "mod_totals emptied",
	  "DELETE FROM bzcc.mod_totals" },
	{ "mod_totals",
	  "INSERT INTO bzcc.mod_totals (mod_id, sessions, players, player_seconds)"
	  " SELECT mod_id, sum(sessions), sum(players), sum(player_seconds)"
	  " FROM bzcc.mod_daily GROUP BY 1" },
	{ "players_online_hourly emptied",
	  "DELETE FROM bzcc.players_online_hourly" },
	{ "players_online_hourly",
	  "INSERT INTO bzcc.players_online_hourly (hour, sessions, players)"
	  " SELECT date_trunc('hour', minute AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',"
	  "  max(sessions), max(players) FROM bzcc.players_online GROUP BY 1" },
	{ "polls_minutely emptied",
	  "DELETE FROM bzcc.polls_minutely" },
	{ "polls_minutely",
	  "INSERT INTO bzcc.polls_minutely (minute, polls, ok_polls, sessions, players)"
	  " SELECT date_trunc('minute', taken_at), count(*), count(*) FILTER (WHERE ok),"
	  "  max(sessions) FILTER (WHERE ok), max(players) FILTER (WHERE ok)"
	  " FROM bzcc.polls GROUP BY 1" },
	{ "players_online_daily emptied",
	  "DELETE FROM bzcc.players_online_daily" },
	{ "players_online_daily",
	  "INSERT INTO bzcc.players_online_daily (day, sessions, players)"
	  " SELECT (hour AT TIME ZONE 'UTC')::date, max(sessions), max(players)"
	  " FROM bzcc.players_online_hourly GROUP BY 1" },
};

/* The plan in one row: first day to recompute, new poll watermark, the
 * pending value for the next run, and `since`. NULL day: nothing new. */
static const char SQL_PLAN[] =
	"WITH st AS (SELECT last_poll_id, pending_from FROM rollup_state WHERE name = 'bzcc-daily'),"
	/* materialized: read the new polls by id first; left to itself the
	 * planner walks polls_taken_idx from the oldest poll for min(taken_at)
	 * (1.4 s on a year of polls, bench/README.md) */
	" new_polls AS MATERIALIZED (SELECT taken_at, id FROM bzcc.polls"
	"  WHERE id > coalesce((SELECT last_poll_id FROM st), 0)),"
	" np AS (SELECT min(taken_at) AS t, max(id) AS id FROM new_polls),"
	" since AS (SELECT least((SELECT t FROM np), (SELECT pending_from FROM st)) AS t)"
	" SELECT CASE WHEN $1::boolean THEN '1970-01-01'::date ELSE"
	"   ((SELECT t FROM since) AT TIME ZONE 'UTC')::date END,"
	"  coalesce((SELECT id FROM np), (SELECT last_poll_id FROM st), 0),"
	"  least((SELECT min(joined_at) FROM bzcc.player_session_events WHERE left_at IS NULL),"
	"   (SELECT min(last_seen_at) FROM bzcc.sessions WHERE ended_at IS NULL)),"
	"  CASE WHEN $1::boolean THEN '-infinity'::timestamptz ELSE (SELECT t FROM since) END";

static const char SQL_SAVE[] =
	"INSERT INTO rollup_state (name, watermark, ran_at, duration_ms, last_poll_id, pending_from)"
	" VALUES ('bzcc-daily', now(), now(), $1::int, $2::bigint, $3::timestamptz)"
	" ON CONFLICT (name) DO UPDATE SET watermark = EXCLUDED.watermark,"
	"  ran_at = EXCLUDED.ran_at, duration_ms = EXCLUDED.duration_ms,"
	"  last_poll_id = EXCLUDED.last_poll_id, pending_from = EXCLUDED.pending_from";

static int timed(struct db *db, const char *what, const char *sql, int n, const char *const *p)
{
	int64_t t0 = time_mono_ms();
	PGresult *res = db_exec(db, sql, n, p);
	if (!res)
		return -1;
	log_info("%s: %s rows in %lld ms", what, PQcmdTuples(res), (long long)(time_mono_ms() - t0));
	PQclear(res);
	return 0;
}

int bzcc_rollup_partitions_ahead(struct db *db, int months)
{
	char n[16];
	const char *p[] = { n };
	snprintf(n, sizeof n, "%d", months);
	return timed(db, "partitions ahead",
		     "SELECT gw_ensure_month_partitions('bzcc.session_snapshots', now(), $1::int)"
		     " + gw_ensure_month_partitions('bzcc.player_session_events', now(), $1::int)",
		     1, p);
}

int bzcc_rollup_snapshot_partitions(struct db *db, const char *iso_time)
{
	const char *params[] = { iso_time };
	return db_run(db, "SELECT gw_ensure_month_partitions("
			  "'bzcc.session_snapshots', $1::timestamptz, 1)", 1, params);
}

int bzcc_rollup_plan(struct db *db, int full, struct bzcc_rollup_plan *plan)
{
	const char *p[] = { full ? "true" : "false" };
	PGresult *res = db_exec(db, SQL_PLAN, 1, p);
	plan->day[0] = plan->pending[0] = plan->since[0] = '\0';
	snprintf(plan->poll_id, sizeof plan->poll_id, "0");
	if (!res)
		return -1;
	if (!PQgetisnull(res, 0, 0))
		snprintf(plan->day, sizeof plan->day, "%s", PQgetvalue(res, 0, 0));
	snprintf(plan->poll_id, sizeof plan->poll_id, "%s", PQgetvalue(res, 0, 1));
	if (!PQgetisnull(res, 0, 2))
		snprintf(plan->pending, sizeof plan->pending, "%s", PQgetvalue(res, 0, 2));
	if (!PQgetisnull(res, 0, 3))
		snprintf(plan->since, sizeof plan->since, "%s", PQgetvalue(res, 0, 3));
	PQclear(res);
	return 0;
}

int bzcc_rollup_daily(struct db *db, const char *day)
{
	const char *p[] = { day };
	if (timed(db, "player_daily", SQL_PLAYER_DAILY, 1, p) < 0 ||
	    timed(db, "map_daily and map_totals", SQL_MAP_DAILY, 1, p) < 0 ||
	    timed(db, "mod_daily and mod_totals", SQL_MOD_DAILY, 1, p) < 0 ||
	    timed(db, "players_online", SQL_PLAYERS_ONLINE, 1, p) < 0 ||
	    timed(db, "polls_minutely", SQL_POLLS_MINUTELY, 1, p) < 0 ||
	    timed(db, "players_online_hourly", SQL_ONLINE_HOURLY, 1, p) < 0 ||
	    timed(db, "players_online_daily", SQL_ONLINE_DAILY, 1, p) < 0)
		return -1;
	return 0;
}

int bzcc_rollup_sessions(struct db *db, const char *since, int full)
{
	static const struct {
		const char *what, *sql;
	} delta[] = {
		{ "player_totals", SQL_PLAYER_TOTALS_DELTA },
		{ "player_maps", SQL_PLAYER_MAPS_DELTA },
		{ "player rows now empty", SQL_PLAYER_EMPTY },
		{ "player_sessions replaced", SQL_PS_REPLACE_DEL },
		{ "player_sessions", SQL_PS_REPLACE_INS },
		{ "session_length_daily", SQL_SL_DAILY_DELTA },
		{ "session_length_daily empty", SQL_SL_EMPTY },
		{ "session_lengths replaced", SQL_SL_REPLACE_DEL },
		{ "session_lengths", SQL_SL_REPLACE_INS },
	};
	const char *p[] = { full ? "-infinity" : since };
	size_t i;

	if (db_run(db, "BEGIN ISOLATION LEVEL REPEATABLE READ", 0, NULL) < 0)
		return -1;
	if (timed(db, "sessions to recount", SQL_S, 1, p) < 0 ||
	    db_run(db, "ANALYZE rollup_s", 0, NULL) < 0 ||
	    timed(db, "player rows recounted", SQL_PS_NEW, 0, NULL) < 0 ||
	    timed(db, "session lengths recounted", SQL_SL_NEW, 0, NULL) < 0)
		goto fail;
	if (full) {
		for (i = 0; i < sizeof SQL_REBUILD / sizeof SQL_REBUILD[0]; i++)
			if (timed(db, SQL_REBUILD[i].what, SQL_REBUILD[i].sql, 0, NULL) < 0)
				goto fail;
	} else {
		if (timed(db, "player rows replaced", SQL_PS_OLD, 0, NULL) < 0 ||
		    timed(db, "session lengths replaced", SQL_SL_OLD, 0, NULL) < 0)
			goto fail;
		for (i = 0; i < sizeof delta / sizeof delta[0]; i++)
			if (timed(db, delta[i].what, delta[i].sql, 0, NULL) < 0)
				goto fail;
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return -1;
}

int bzcc_rollup_analyze(struct db *db)
{
	/* the planner guessed 2.6 k rows for 43 k per-minute rows before the
	 * daily tables were analyzed after each run (bench/README.md) */
	return timed(db, "analyze rollups",
		     "ANALYZE bzcc.player_daily, bzcc.map_daily, bzcc.mod_daily,"
		     " bzcc.players_online, bzcc.players_online_hourly, bzcc.players_online_daily,"
		     " bzcc.polls_minutely,"
		     " bzcc.map_totals, bzcc.mod_totals, bzcc.player_sessions, bzcc.player_totals,"
		     " bzcc.player_maps, bzcc.session_lengths, bzcc.session_length_daily", 0, NULL);
}

int bzcc_rollup_durations(struct db *db)
{
	return timed(db, "session_duration_stats",
		     "REFRESH MATERIALIZED VIEW CONCURRENTLY bzcc.session_duration_stats", 0, NULL);
}

int bzcc_rollup_save(struct db *db, int64_t duration_ms, const struct bzcc_rollup_plan *plan)
{
	char dur[24];
	const char *p[3];
	snprintf(dur, sizeof dur, "%lld", (long long)duration_ms);
	p[0] = dur;
	p[1] = plan->poll_id;
	p[2] = plan->pending[0] ? plan->pending : NULL;
	return db_run(db, SQL_SAVE, 3, p);
}
