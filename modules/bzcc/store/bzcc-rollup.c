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

static const char SQL_MAP_DAILY[] =
	"WITH " SNAP_BY("map_key") ", " PLAY_BY("map_key")
	" INSERT INTO bzcc.map_daily (map_key, day, sessions, players, player_seconds, peak_players)"
	" SELECT snap.k, snap.day, snap.sessions, coalesce(play.players, 0),"
	"  coalesce(play.secs, 0), snap.peak"
	" FROM snap LEFT JOIN play ON play.k = snap.k AND play.day = snap.day"
	" ON CONFLICT (map_key, day) DO UPDATE SET sessions = EXCLUDED.sessions,"
	"  players = EXCLUDED.players, player_seconds = EXCLUDED.player_seconds,"
	"  peak_players = EXCLUDED.peak_players";

static const char SQL_MOD_DAILY[] =
	"WITH " SNAP_BY("mod_id") ", " PLAY_BY("mod_id")
	" INSERT INTO bzcc.mod_daily (mod_id, day, sessions, players, player_seconds)"
	" SELECT snap.k, snap.day, snap.sessions, coalesce(play.players, 0),"
	"  coalesce(play.secs, 0)"
	" FROM snap LEFT JOIN play ON play.k = snap.k AND play.day = snap.day"
	" ON CONFLICT (mod_id, day) DO UPDATE SET sessions = EXCLUDED.sessions,"
	"  players = EXCLUDED.players, player_seconds = EXCLUDED.player_seconds";

static const char SQL_PLAYERS_ONLINE[] =
	"INSERT INTO bzcc.players_online (minute, sessions, players)"
	" SELECT date_trunc('minute', taken_at), max(sessions), max(players)"
	" FROM bzcc.polls WHERE ok AND taken_at >= $1::date::timestamp AT TIME ZONE 'UTC'"
	" GROUP BY 1"
	" ON CONFLICT (minute) DO UPDATE SET sessions = EXCLUDED.sessions,"
	"  players = EXCLUDED.players";

/* First day to recompute, new poll watermark, and the pending-from value
 * for the next run, in one row. NULL day: nothing new. */
static const char SQL_PLAN[] =
	"WITH st AS (SELECT last_poll_id, pending_from FROM rollup_state WHERE name = 'bzcc-daily'),"
	/* materialized: read the new polls by id first; left to itself the
	 * planner walks polls_taken_idx from the oldest poll for min(taken_at)
	 * (1.4 s on a year of polls, bench/README.md) */
	" new_polls AS MATERIALIZED (SELECT taken_at, id FROM bzcc.polls"
	"  WHERE id > coalesce((SELECT last_poll_id FROM st), 0)),"
	" np AS (SELECT min(taken_at) AS t, max(id) AS id FROM new_polls)"
	" SELECT CASE WHEN $1::boolean THEN '1970-01-01'::date ELSE"
	"   (least((SELECT t FROM np), (SELECT pending_from FROM st)) AT TIME ZONE 'UTC')::date END,"
	"  coalesce((SELECT id FROM np), (SELECT last_poll_id FROM st), 0),"
	"  (SELECT min(joined_at) FROM bzcc.player_session_events WHERE left_at IS NULL)";

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
	plan->day[0] = plan->pending[0] = '\0';
	snprintf(plan->poll_id, sizeof plan->poll_id, "0");
	if (!res)
		return -1;
	if (!PQgetisnull(res, 0, 0))
		snprintf(plan->day, sizeof plan->day, "%s", PQgetvalue(res, 0, 0));
	snprintf(plan->poll_id, sizeof plan->poll_id, "%s", PQgetvalue(res, 0, 1));
	if (!PQgetisnull(res, 0, 2))
		snprintf(plan->pending, sizeof plan->pending, "%s", PQgetvalue(res, 0, 2));
	PQclear(res);
	return 0;
}

int bzcc_rollup_daily(struct db *db, const char *day)
{
	const char *p[] = { day };
	if (timed(db, "player_daily", SQL_PLAYER_DAILY, 1, p) < 0 ||
	    timed(db, "map_daily", SQL_MAP_DAILY, 1, p) < 0 ||
	    timed(db, "mod_daily", SQL_MOD_DAILY, 1, p) < 0 ||
	    timed(db, "players_online", SQL_PLAYERS_ONLINE, 1, p) < 0)
		return -1;
	/* fresh statistics for the readers' plans (analytics groups thousands
	 * of per-minute rows; the planner guessed 2.6 k for 43 k) */
	return timed(db, "analyze rollups",
		     "ANALYZE bzcc.player_daily, bzcc.map_daily, bzcc.mod_daily,"
		     " bzcc.players_online", 0, NULL);
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
