/* bzcc-history.c: the read side of BZCC history, one statement per answer
 * (the analytics take four), each building its JSON in PostgreSQL. */
#include "modules/bzcc/store/bzcc-history.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "modules/bzcc/store/bzcc-rollup.h"
#include "platform/players/players.h"

/* The summary of a session row `s` as the history list shows it; `extra`
 * is "" or more ", 'key', value" pairs for the object. */
#define SESSION_SUMMARY(extra)                                                \
	"json_build_object('id', s.id, 'nat_id', s.nat_id, 'name', s.name,"     \
	" 'map', json_build_object('file', s.map_file, 'key', s.map_key),"      \
	" 'mod', json_build_object('id', s.mod_id, 'ids', to_json(s.mods),"     \
	"  'stock', s.mod_id = '0'),"                                           \
	" 'version', s.version,"                                                \
	" 'game_type', json_build_object('code', s.game_type,"                  \
	"  'name', s.data->'game_type'->>'name'),"                              \
	" 'game_mode', json_build_object('code', s.game_mode,"                  \
	"  'name', s.game_mode_name),"                                          \
	" 'state', s.state, 'state_label', s.data->>'state_label',"             \
	" 'live', s.ended_at IS NULL,"                                          \
	" 'first_seen_at', gw_iso(s.first_seen_at),"                            \
	" 'last_seen_at', gw_iso(s.last_seen_at), 'ended_at', gw_iso(s.ended_at)," \
	" 'duration_seconds', extract(epoch FROM coalesce(s.ended_at, s.last_seen_at)" \
	"  - s.first_seen_at)::bigint,"                                          \
	" 'player_count', s.player_count, 'max_players', s.max_players,"        \
	" 'players_seen', (SELECT count(*) FROM bzcc.session_players sp"       \
	"  WHERE sp.session_id = s.id)" extra ")"

/* The latest sessions matching `where` (on bzcc.sessions s) as a JSON
 * array, newest first. */
#define RECENT_SESSIONS(where)                                                \
	"(SELECT coalesce(json_agg(r.j ORDER BY r.f DESC, r.id DESC), '[]')"   \
	" FROM (SELECT " SESSION_SUMMARY("") " AS j, s.first_seen_at AS f, s.id" \
	"  FROM bzcc.sessions s WHERE " where                                   \
	"  ORDER BY s.first_seen_at DESC, s.id DESC LIMIT 20) r)"

/* The window's UTC days, with $1 = now (ms) and $2 = days: today - $2 + 1
 * .. today. */
#define DAY_HI "(gw_ms($1::bigint) AT TIME ZONE 'UTC')::date"
#define DAY_LO "(" DAY_HI " - ($2::int - 1))"
#define IN_WINDOW(col) col " BETWEEN " DAY_LO " AND " DAY_HI

/* Per-map figures: recent = sums of the bzcc.map_daily rows `d` in the
 * window, all time = bzcc.map_totals `t` (kept by the rollup as the sums
 * of every daily row), so the cost follows the window, not the history.
 * `dwhere` ("" or "AND ...") filters d, `twhere` ("" or "WHERE ...") t. */
#define MAP_SUMS(dwhere, twhere)                                              \
	"(SELECT coalesce(t.map_key, w.map_key) AS map_key, w.r_sessions, w.r_players," \
	"  w.r_secs, w.r_peak, t.sessions AS a_sessions, t.players AS a_players,"  \
	"  t.player_seconds AS a_secs, t.peak_players AS a_peak"                 \
	" FROM (SELECT * FROM bzcc.map_totals t " twhere ") t FULL JOIN"         \
	" (SELECT d.map_key, sum(d.sessions) AS r_sessions, sum(d.players) AS r_players," \
	"   sum(d.player_seconds) AS r_secs, max(d.peak_players) AS r_peak"      \
	"  FROM bzcc.map_daily d WHERE " IN_WINDOW("d.day") " " dwhere           \
	"  GROUP BY d.map_key) w ON w.map_key = t.map_key)"

#define MOD_SUMS(dwhere, twhere)                                              \
	"(SELECT coalesce(t.mod_id, w.mod_id) AS mod_id, w.r_sessions, w.r_players," \
	"  w.r_secs, t.sessions AS a_sessions, t.players AS a_players,"          \
	"  t.player_seconds AS a_secs"                                           \
	" FROM (SELECT * FROM bzcc.mod_totals t " twhere ") t FULL JOIN"         \
	" (SELECT d.mod_id, sum(d.sessions) AS r_sessions, sum(d.players) AS r_players," \
	"   sum(d.player_seconds) AS r_secs"                                     \
	"  FROM bzcc.mod_daily d WHERE " IN_WINDOW("d.day") " " dwhere           \
	"  GROUP BY d.mod_id) w ON w.mod_id = t.mod_id)"

/* The key-value pairs of a map row `m` joined with its sums `a`. */
#define MAP_FIELDS                                                            \
	"'map_key', m.map_key, 'map_file', m.map_file, 'mod_id', m.mod_id,"     \
	" 'first_seen_at', gw_iso(m.first_seen_at),"                            \
	" 'last_seen_at', gw_iso(m.last_seen_at),"                              \
	" 'recent', json_build_object('sessions', coalesce(a.r_sessions, 0),"   \
	"  'players', coalesce(a.r_players, 0), 'player_seconds', coalesce(a.r_secs, 0)," \
	"  'peak_players', coalesce(a.r_peak, 0)),"                             \
	" 'all_time', json_build_object('sessions', coalesce(a.a_sessions, 0)," \
	"  'players', coalesce(a.a_players, 0), 'player_seconds', coalesce(a.a_secs, 0)," \
	"  'peak_players', coalesce(a.a_peak, 0))"

#define MOD_FIELDS                                                            \
	"'mod_id', m.mod_id, 'stock', m.mod_id = '0',"                          \
	" 'map_count', (SELECT count(*) FROM bzcc.maps mp WHERE mp.mod_id = m.mod_id)," \
	" 'first_seen_at', gw_iso(m.first_seen_at),"                            \
	" 'last_seen_at', gw_iso(m.last_seen_at),"                              \
	" 'recent', json_build_object('sessions', coalesce(a.r_sessions, 0),"   \
	"  'players', coalesce(a.r_players, 0), 'player_seconds', coalesce(a.r_secs, 0))," \
	" 'all_time', json_build_object('sessions', coalesce(a.a_sessions, 0)," \
	"  'players', coalesce(a.a_players, 0), 'player_seconds', coalesce(a.a_secs, 0))"

/* Most played first: recent play, then all-time play and sessions. */
#define BY_POPULARITY(key)                                                    \
	"coalesce(a.r_secs, 0) DESC, coalesce(a.a_secs, 0) DESC,"               \
	" coalesce(a.a_sessions, 0) DESC, m." key

/* A player's canonical reference: the first identity, else the id. */
#define PLAYER_REF(pid)                                                       \
	"coalesce((SELECT x.provider || ':' || x.external_id FROM identities x" \
	" WHERE x.player_id = " pid " ORDER BY x.first_seen_at, x.id LIMIT 1),"  \
	" " pid "::text)"

/* Run a query whose single row and column is JSON text; parse it.
 * *rows = number of rows (-1 on a database error) when rows is not NULL. */
static struct json_object *query_json(struct db *db, const char *sql, int n,
				      const char *const *params, int *rows)
{
	PGresult *res = db_exec(db, sql, n, params);
	struct json_object *o = NULL;

	if (rows)
		*rows = -1;
	if (!res)
		return NULL;
	if (rows)
		*rows = PQntuples(res);
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		o = json_tokener_parse(PQgetvalue(res, 0, 0));
		if (!o)
			log_error("database returned invalid JSON");
	}
	PQclear(res);
	return o;
}

/* As query_json for a lookup by key: sets *found (1, 0, or -1). */
static struct json_object *query_found(struct db *db, const char *sql, int n,
				       const char *const *params, int *found)
{
	int rows;
	struct json_object *o = query_json(db, sql, n, params, &rows);
	*found = rows < 0 ? -1 : (o ? 1 : 0);
	if (rows > 0 && !o)
		*found = -1; /* a row whose JSON did not parse */
	return o;
}

/* Microseconds since the epoch as a timestamptz literal PostgreSQL reads
 * exactly ("2024-09-15 01:23:44.123456+00"). */
static char *us_text(int64_t us, char *out, size_t outlen)
{
	int64_t secs = us / 1000000, frac = us % 1000000;
	time_t t;
	struct tm tm;

	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	t = (time_t)secs;
	if (!gmtime_r(&t, &tm)) {
		snprintf(out, outlen, "1970-01-01 00:00:00+00");
		return out;
	}
	snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
	return out;
}

struct json_object *bzcc_history_sessions(struct db *db, const struct bzcc_history_filter *f)
{
	static const char sql[] =
		"SELECT " SESSION_SUMMARY("") ","
		" (extract(epoch FROM s.first_seen_at) * 1000000)::bigint, s.id"
		" FROM bzcc.sessions s"
		" WHERE ($1::bigint IS NULL OR s.first_seen_at >= gw_ms($1::bigint))"
		"  AND ($2::bigint IS NULL OR s.first_seen_at < gw_ms($2::bigint))"
		"  AND ($3::text IS NULL OR s.state = $3::text)"
		"  AND ($4::text IS NULL OR s.map_key = $4::text)"
		"  AND ($5::text IS NULL OR s.mod_id = $5::text)"
		/* a LIKE with the search's wildcards escaped, so that
		 * sessions_name_trgm_idx (pg_trgm) can find the names */
		"  AND ($6::text IS NULL OR lower(s.name) LIKE '%' || replace(replace(replace("
		"   lower($6::text), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')"
		"  AND ($7::timestamptz IS NULL"
		"   OR (s.first_seen_at, s.id) < ($7::timestamptz, $8::text))"
		" ORDER BY s.first_seen_at DESC, s.id DESC LIMIT $9::int";
	char from[24], to[24], after[48], limit[16];
	const char *params[9];
	struct json_object *out, *list, *next = NULL;
	PGresult *res;
	int i, n, want = f->limit;

	snprintf(from, sizeof from, "%" PRId64, f->from_ms);
	snprintf(to, sizeof to, "%" PRId64, f->to_ms);
	snprintf(limit, sizeof limit, "%d", want + 1); /* one more: is there a next page? */
	params[0] = f->has_from ? from : NULL;
	params[1] = f->has_to ? to : NULL;
	params[2] = f->state;
	params[3] = f->map_key;
	params[4] = f->mod_id;
	params[5] = f->q;
	params[6] = f->has_after ? us_text(f->after_us, after, sizeof after) : NULL;
	params[7] = f->has_after ? f->after_id : NULL;
	params[8] = limit;
	res = db_exec(db, sql, 9, params);
	if (!res)
		return NULL;
	n = PQntuples(res);
	list = json_object_new_array();
	for (i = 0; i < n && i < want; i++) {
		struct json_object *s = json_tokener_parse(PQgetvalue(res, i, 0));
		if (!s) {
			log_error("database returned invalid JSON");
			json_object_put(list);
			PQclear(res);
			return NULL;
		}
		json_object_array_add(list, s);
	}
	if (n > want && want > 0) {
		next = json_object_new_object();
		json_object_object_add(next, "first_seen_us",
				       json_object_new_int64(strtoll(PQgetvalue(res, want - 1, 1), NULL, 10)));
		json_object_object_add(next, "id", json_object_new_string(PQgetvalue(res, want - 1, 2)));
	}
	PQclear(res);
	out = json_object_new_object();
	json_object_object_add(out, "sessions", list);
	json_object_object_add(out, "next", next);
	return out;
}

int bzcc_history_player_ref(struct db *db, const char *ref, int64_t *player_id)
{
	return players_find_ref(db, ref, player_id);
}

/* Two statements, so that the planner sees the watermark's value: behind a
 * subquery it assumes a third of bzcc.polls is new, and the cost of that
 * guess switches on JIT compilation (~100 ms per request;
 * bench/history/EXPLAIN.md). */
int bzcc_history_unrolled_since(struct db *db, char *out, size_t outlen)
{
	char id[24] = "0";
	const char *params[] = { id };
	PGresult *res = db_exec(db, "SELECT last_poll_id FROM rollup_state WHERE name = 'bzcc-daily'",
				0, NULL);

	out[0] = '\0';
	if (!res)
		return -1;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = db_exec(db, "SELECT min(taken_at) FROM bzcc.polls WHERE id > $1::bigint", 1, params);
	if (!res)
		return -1;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		snprintf(out, outlen, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* A player's profile reads the rollup's aggregates (bzcc.player_totals,
 * player_maps, player_sessions) and corrects them with the sessions the
 * rollup has not counted yet: `o`, those seen since the earliest poll
 * logged after the rollup's watermark ($2, bzcc_history_unrolled_since(); a stay
 * changes only when a poll lists its session, which moves the session's
 * last_seen_at to that poll). Their aggregate rows (`stale`) are replaced
 * by rows recounted from the stays (`fresh`), so the answer is exact and
 * current while reading a bounded number of rows: one totals row, the
 * player's maps, at most 20 + |o| session rows and the stays of the few
 * sessions in `o` ($3: their earliest first sighting, which prunes the
 * stays' monthly partitions when the statement is planned). */
struct json_object *bzcc_history_player(struct db *db, int64_t player_id, int *found)
{
	static const char sql[] =
		"WITH o AS MATERIALIZED (SELECT s.id, s.first_seen_at, s.map_key FROM bzcc.sessions s"
		"  WHERE s.last_seen_at >= $2::timestamptz),"
		" fresh AS MATERIALIZED (SELECT e.session_id, o.map_key, min(e.joined_at) AS joined,"
		"   max(coalesce(e.left_at, e.last_seen_at)) AS until,"
		"   sum(extract(epoch FROM coalesce(e.left_at, e.last_seen_at) - e.joined_at)::bigint) AS secs,"
		"   count(*) AS intervals"
		"  FROM o JOIN bzcc.player_session_events e ON e.player_id = $1::bigint"
		"   AND e.session_id = o.id AND e.joined_at >= o.first_seen_at"
		"   AND e.joined_at >= $3::timestamptz"
		"  GROUP BY 1, 2),"
		" stale AS MATERIALIZED (SELECT a.session_id, a.map_key, a.seconds, a.intervals"
		"  FROM bzcc.player_sessions a JOIN o ON o.id = a.session_id"
		"  WHERE a.player_id = $1::bigint),"
		" recent AS (SELECT * FROM ("
		"   SELECT * FROM (SELECT a.session_id, a.joined_at AS joined, a.until,"
		"     a.seconds AS secs, a.intervals FROM bzcc.player_sessions a"
		"    WHERE a.player_id = $1::bigint AND NOT EXISTS (SELECT 1 FROM o WHERE o.id = a.session_id)"
		"    ORDER BY a.until DESC, a.session_id DESC LIMIT 20) kept"
		"   UNION ALL SELECT session_id, joined, until, secs, intervals FROM fresh) r"
		"  ORDER BY until DESC, session_id DESC LIMIT 20)"
		" SELECT json_build_object('id', p.id, 'ref', " PLAYER_REF("p.id") ","
		" 'display_name', p.display_name,"
		" 'first_seen_at', gw_iso(p.first_seen_at), 'last_seen_at', gw_iso(p.last_seen_at),"
		" 'identities', (SELECT coalesce(json_agg(json_build_object('provider', x.provider,"
		"   'external_id', x.external_id, 'last_name', x.last_name,"
		"   'first_seen_at', gw_iso(x.first_seen_at), 'last_seen_at', gw_iso(x.last_seen_at))"
		"   ORDER BY x.first_seen_at, x.id), '[]') FROM identities x WHERE x.player_id = p.id),"
		" 'totals', (SELECT json_build_object("
		"   'play_seconds', coalesce((SELECT t.seconds FROM bzcc.player_totals t"
		"    WHERE t.player_id = p.id), 0)"
		"    - (SELECT coalesce(sum(seconds), 0) FROM stale) + (SELECT coalesce(sum(secs), 0) FROM fresh),"
		"   'sessions', coalesce((SELECT t.sessions FROM bzcc.player_totals t"
		"    WHERE t.player_id = p.id), 0)"
		"    - (SELECT count(*) FROM stale) + (SELECT count(*) FROM fresh),"
		"   'intervals', coalesce((SELECT t.intervals FROM bzcc.player_totals t"
		"    WHERE t.player_id = p.id), 0)"
		"    - (SELECT coalesce(sum(intervals), 0) FROM stale)"
		"    + (SELECT coalesce(sum(intervals), 0) FROM fresh))),"
		" 'favourite_maps', (SELECT coalesce(json_agg(json_build_object('map_key', fm.map_key,"
		"   'map_file', coalesce(m.map_file, split_part(fm.map_key, ':', 2)),"
		"   'mod_id', coalesce(m.mod_id, split_part(fm.map_key, ':', 1)),"
		"   'seconds', fm.seconds, 'sessions', fm.sessions) ORDER BY fm.seconds DESC, fm.map_key), '[]')"
		"  FROM (SELECT map_key, sum(seconds) AS seconds, sum(n) AS sessions FROM ("
		"    SELECT pm.map_key, pm.seconds, pm.sessions AS n FROM bzcc.player_maps pm"
		"     WHERE pm.player_id = p.id"
		"    UNION ALL SELECT map_key, -seconds, -1 FROM stale"
		"    UNION ALL SELECT map_key, secs, 1 FROM fresh) x"
		"   GROUP BY map_key HAVING sum(n) > 0 ORDER BY 2 DESC, 1 LIMIT 5) fm"
		"  LEFT JOIN bzcc.maps m ON m.map_key = fm.map_key),"
		" 'recent_sessions', (SELECT coalesce(json_agg(" SESSION_SUMMARY(
			", 'played', json_build_object('joined_at', gw_iso(r.joined),"
			" 'left_at', gw_iso(r.until), 'seconds', r.secs, 'intervals', r.intervals)")
		"   ORDER BY r.until DESC, s.id DESC), '[]')"
		"  FROM recent r JOIN bzcc.sessions s ON s.id = r.session_id))"
		" FROM players p WHERE p.id = $1::bigint";
	char id[24], since[48], first[48] = "";
	const char *params[] = { id, since, first };
	const char *p1[] = { since };
	PGresult *res;

	if (bzcc_history_unrolled_since(db, since, sizeof since) < 0) {
		*found = -1;
		return NULL;
	}
	if (since[0]) {
		/* the first sighting of those sessions bounds their stays'
		 * joined_at, so the planner leaves out the older partitions
		 * (planning them all would grow with the months kept) */
		res = db_exec(db, "SELECT min(first_seen_at) FROM bzcc.sessions"
			      " WHERE last_seen_at >= $1::timestamptz", 1, p1);
		if (!res) {
			*found = -1;
			return NULL;
		}
		if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
			snprintf(first, sizeof first, "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	if (!since[0])
		params[1] = NULL; /* nothing new: no session to correct */
	if (!first[0])
		params[2] = NULL;
	snprintf(id, sizeof id, "%" PRId64, player_id);
	return query_found(db, sql, 3, params, found);
}

struct json_object *bzcc_history_player_daily(struct db *db, int64_t player_id, int days,
					      int64_t now_ms, int *found)
{
	static const char sql[] =
		"WITH g AS (SELECT " DAY_LO " + i AS day FROM generate_series(0, $2::int - 1) i)"
		" SELECT json_build_object("
		" 'player', json_build_object('id', p.id, 'ref', " PLAYER_REF("p.id") ","
		"   'display_name', p.display_name),"
		" 'days', $2::int, 'from', (" DAY_LO ")::text, 'to', (" DAY_HI ")::text,"
		" 'points', (SELECT json_agg(json_build_object('day', g.day::text,"
		"   'seconds', coalesce(d.seconds, 0), 'sessions', coalesce(d.sessions, 0))"
		"   ORDER BY g.day) FROM g LEFT JOIN bzcc.player_daily d"
		"   ON d.player_id = p.id AND d.day = g.day),"
		" 'totals', (SELECT json_build_object('seconds', coalesce(sum(d.seconds), 0),"
		"   'active_days', count(*)) FROM bzcc.player_daily d"
		"   WHERE d.player_id = p.id AND " IN_WINDOW("d.day") "))"
		" FROM players p WHERE p.id = $3::bigint";
	char id[24], now[24], n[16];
	const char *params[] = { now, n, id };

	snprintf(id, sizeof id, "%" PRId64, player_id);
	snprintf(now, sizeof now, "%" PRId64, now_ms);
	snprintf(n, sizeof n, "%d", days);
	return query_found(db, sql, 3, params, found);
}

struct json_object *bzcc_history_maps(struct db *db, int days, int64_t now_ms)
{
	static const char sql[] =
		"SELECT json_build_object('days', $2::int, 'maps', coalesce(json_agg("
		"  json_build_object(" MAP_FIELDS ") ORDER BY " BY_POPULARITY("map_key") "), '[]'))"
		" FROM bzcc.maps m LEFT JOIN " MAP_SUMS("", "") " a ON a.map_key = m.map_key";
	char now[24], n[16];
	const char *params[] = { now, n };

	snprintf(now, sizeof now, "%" PRId64, now_ms);
	snprintf(n, sizeof n, "%d", days);
	return query_json(db, sql, 2, params, NULL);
}

struct json_object *bzcc_history_map(struct db *db, const char *map_key, int days,
				     int64_t now_ms, int *found)
{
	static const char sql[] =
		"SELECT json_build_object(" MAP_FIELDS ", 'days', $2::int,"
		" 'daily', (SELECT coalesce(json_agg(json_build_object('day', d.day::text,"
		"   'sessions', d.sessions, 'players', d.players, 'player_seconds', d.player_seconds,"
		"   'peak_players', d.peak_players) ORDER BY d.day DESC), '[]')"
		"   FROM bzcc.map_daily d WHERE d.map_key = m.map_key AND " IN_WINDOW("d.day") "),"
		" 'durations', (SELECT coalesce(json_agg(json_build_object('game_mode', t.game_mode,"
		"   'sessions', t.sessions, 'mean_seconds', t.mean_seconds,"
		"   'median_seconds', t.median_seconds, 'p90_seconds', t.p90_seconds)"
		"   ORDER BY t.game_mode = '*', t.sessions DESC, t.game_mode), '[]')"
		"   FROM bzcc.session_duration_stats t WHERE t.map_key = m.map_key),"
		" 'recent_sessions', " RECENT_SESSIONS("s.map_key = m.map_key") ")"
		" FROM bzcc.maps m LEFT JOIN " MAP_SUMS("AND d.map_key = $3", "WHERE t.map_key = $3") " a"
		"  ON a.map_key = m.map_key"
		" WHERE m.map_key = $3";
	char now[24], n[16];
	const char *params[] = { now, n, map_key };

	snprintf(now, sizeof now, "%" PRId64, now_ms);
	snprintf(n, sizeof n, "%d", days);
	return query_found(db, sql, 3, params, found);
}

struct json_object *bzcc_history_mods(struct db *db, int days, int64_t now_ms)
{
	static const char sql[] =
		"SELECT json_build_object('days', $2::int, 'mods', coalesce(json_agg("
		"  json_build_object(" MOD_FIELDS ") ORDER BY " BY_POPULARITY("mod_id") "), '[]'))"
		" FROM bzcc.mods m LEFT JOIN " MOD_SUMS("", "") " a ON a.mod_id = m.mod_id";
	char now[24], n[16];
	const char *params[] = { now, n };

	snprintf(now, sizeof now, "%" PRId64, now_ms);
	snprintf(n, sizeof n, "%d", days);
	return query_json(db, sql, 2, params, NULL);
}

struct json_object *bzcc_history_mod(struct db *db, const char *mod_id, int days,
				     int64_t now_ms, int *found)
{
	static const char sql[] =
		"SELECT json_build_object(" MOD_FIELDS ", 'days', $2::int,"
		" 'daily', (SELECT coalesce(json_agg(json_build_object('day', d.day::text,"
		"   'sessions', d.sessions, 'players', d.players, 'player_seconds', d.player_seconds)"
		"   ORDER BY d.day DESC), '[]')"
		"   FROM bzcc.mod_daily d WHERE d.mod_id = m.mod_id AND " IN_WINDOW("d.day") "),"
		" 'maps', (SELECT coalesce(json_agg(json_build_object(" MAP_FIELDS ")"
		"   ORDER BY " BY_POPULARITY("map_key") "), '[]')"
		"  FROM bzcc.maps m LEFT JOIN " MAP_SUMS(
			"AND d.map_key IN (SELECT mm.map_key FROM bzcc.maps mm WHERE mm.mod_id = $3)",
			"WHERE t.map_key IN (SELECT mm.map_key FROM bzcc.maps mm WHERE mm.mod_id = $3)") " a"
		"   ON a.map_key = m.map_key WHERE m.mod_id = $3),"
		" 'recent_sessions', " RECENT_SESSIONS("s.mod_id = m.mod_id") ")"
		" FROM bzcc.mods m LEFT JOIN " MOD_SUMS("AND d.mod_id = $3", "WHERE t.mod_id = $3") " a"
		"  ON a.mod_id = m.mod_id"
		" WHERE m.mod_id = $3";
	char now[24], n[16];
	const char *params[] = { now, n, mod_id };

	snprintf(now, sizeof now, "%" PRId64, now_ms);
	snprintf(n, sizeof n, "%d", days);
	return query_found(db, sql, 3, params, found);
}

/* Analytics, part by part: $1 now (ms), $2 days. */

/* The per-minute window (now - days, now] ($1 now in ms, $2 days), the
 * bucket of the players-online series, and the whole buckets of unit `u`
 * inside the window: [WLO(u), WHI(u)) (bucket starts; every minute of
 * such a bucket is in the window). Arithmetic in UTC wall time, so a day
 * is 24 h whatever the session's TimeZone. */
#define W_HI "gw_ms($1::bigint)"
#define W_LO "(gw_ms($1::bigint) - make_interval(days => $2::int))"
#define W_UNIT "(CASE WHEN $2::int > 90 THEN 'day' WHEN $2::int > 2 THEN 'hour' ELSE 'minute' END)"
#define WLO(u) "((date_trunc(" u ", " W_LO " AT TIME ZONE 'UTC') + ('1 ' || " u ")::interval)" \
	" AT TIME ZONE 'UTC')"
#define WHI(u) "(date_trunc(" u ", (" W_HI " AT TIME ZONE 'UTC') + interval '1 minute')" \
	" AT TIME ZONE 'UTC')"
#define UTC_TRUNC(u, t) "(date_trunc(" u ", " t " AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
/* Minutes of bzcc.players_online `m` in the window but not in a whole
 * bucket of unit u (at most two partial buckets). */
#define EDGE_MINUTES(cols, u)                                                 \
	" SELECT " cols " FROM bzcc.players_online m"                            \
	"  WHERE m.minute > " W_LO " AND m.minute < " WLO(u)                     \
	" UNION ALL SELECT " cols " FROM bzcc.players_online m"                  \
	"  WHERE m.minute >= greatest(" WHI(u) ", " WLO(u) ") AND m.minute <= " W_HI

/* Peaks per bucket and per day: whole hours and days from the rollup's
 * hourly and daily peaks, the partial buckets at both ends from minutes,
 * so a window reads at most a few thousand rows however long it is. */
static const char SQL_ONLINE[] =
	"WITH b AS (SELECT t, max(sessions) AS sessions, max(players) AS players FROM ("
	"  SELECT m.minute AS t, m.sessions, m.players FROM bzcc.players_online m"
	"   WHERE " W_UNIT " = 'minute' AND m.minute >= " WLO(W_UNIT) " AND m.minute < " WHI(W_UNIT)
	"  UNION ALL SELECT h.hour, h.sessions, h.players FROM bzcc.players_online_hourly h"
	"   WHERE " W_UNIT " = 'hour' AND h.hour >= " WLO(W_UNIT) " AND h.hour < " WHI(W_UNIT)
	"  UNION ALL SELECT d.day::timestamp AT TIME ZONE 'UTC', d.sessions, d.players"
	"   FROM bzcc.players_online_daily d WHERE " W_UNIT " = 'day'"
	"   AND d.day >= (" WLO(W_UNIT) " AT TIME ZONE 'UTC')::date"
	"   AND d.day < (" WHI(W_UNIT) " AT TIME ZONE 'UTC')::date"
	"  UNION ALL" EDGE_MINUTES(UTC_TRUNC(W_UNIT, "m.minute") ", m.sessions, m.players", W_UNIT)
	"  ) x GROUP BY t),"
	" dd AS (SELECT day, max(sessions) AS s, max(players) AS p FROM ("
	"  SELECT d.day, d.sessions, d.players FROM bzcc.players_online_daily d"
	"   WHERE d.day >= (" WLO("'day'") " AT TIME ZONE 'UTC')::date"
	"   AND d.day < (" WHI("'day'") " AT TIME ZONE 'UTC')::date"
	"  UNION ALL" EDGE_MINUTES("(m.minute AT TIME ZONE 'UTC')::date, m.sessions, m.players", "'day'")
	"  ) x GROUP BY day)"
	" SELECT json_build_object("
	" 'resolution', " W_UNIT ","
	" 'points', (SELECT coalesce(json_agg(json_build_object('t', gw_iso(t),"
	"   'sessions', sessions, 'players', players) ORDER BY t), '[]') FROM b),"
	" 'daily', (SELECT coalesce(json_agg(json_build_object('day', day::text,"
	"   'peak_players', p, 'peak_sessions', s) ORDER BY day DESC), '[]') FROM dd))";

static const char SQL_MAP_POPULARITY[] =
	"SELECT coalesce(json_agg(json_build_object('map_key', t.map_key,"
	"  'map_file', coalesce(m.map_file, split_part(t.map_key, ':', 2)),"
	"  'mod_id', coalesce(m.mod_id, split_part(t.map_key, ':', 1)),"
	"  'sessions', t.sessions, 'players', t.players, 'player_seconds', t.secs,"
	"  'peak_players', t.peak) ORDER BY t.secs DESC, t.sessions DESC, t.map_key), '[]')"
	" FROM (SELECT d.map_key, sum(d.sessions) AS sessions, sum(d.players) AS players,"
	"   sum(d.player_seconds) AS secs, max(d.peak_players) AS peak"
	"  FROM bzcc.map_daily d WHERE " IN_WINDOW("d.day")
	"  GROUP BY d.map_key ORDER BY 4 DESC, 2 DESC, 1 LIMIT 10) t"
	" LEFT JOIN bzcc.maps m ON m.map_key = t.map_key";

static const char SQL_MOD_ADOPTION[] =
	"WITH g AS (SELECT " DAY_LO " + i AS day FROM generate_series(0, $2::int - 1) i),"
	" top AS (SELECT d.mod_id, sum(d.sessions) AS total, sum(d.player_seconds) AS secs"
	"  FROM bzcc.mod_daily d WHERE " IN_WINDOW("d.day")
	"  GROUP BY d.mod_id ORDER BY 2 DESC, 3 DESC, 1 LIMIT 5)"
	" SELECT json_build_object("
	" 'days', (SELECT json_agg(day::text ORDER BY day) FROM g),"
	" 'mods', (SELECT coalesce(json_agg(json_build_object('mod_id', t.mod_id,"
	"   'stock', t.mod_id = '0', 'total_sessions', t.total,"
	"   'sessions', (SELECT json_agg(coalesce(md.sessions, 0) ORDER BY g.day)"
	"    FROM g LEFT JOIN bzcc.mod_daily md ON md.mod_id = t.mod_id AND md.day = g.day))"
	"   ORDER BY t.total DESC, t.secs DESC, t.mod_id), '[]') FROM top t))";

/* Sessions that ended in the window per length bucket: whole UTC days
 * from bzcc.session_length_daily (the rollup's counts), the partial first
 * day and today from bzcc.sessions (sessions_ended_idx). */
#define ENDED_HI "(date_trunc('day', " W_HI " AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
#define LENGTH_BUCKET(s)                                                      \
	"coalesce((SELECT max(b.lo) FROM " BZCC_LENGTH_BUCKETS                  \
	" WHERE extract(epoch FROM " s ".ended_at - " s ".first_seen_at) >= b.lo * 60), -1)"

static const char SQL_DURATIONS[] =
	"WITH c AS (SELECT min_minutes, sum(n) AS n FROM ("
	"  SELECT l.min_minutes, l.sessions AS n FROM bzcc.session_length_daily l"
	"   WHERE l.day >= (" WLO("'day'") " AT TIME ZONE 'UTC')::date"
	"   AND l.day < (" ENDED_HI " AT TIME ZONE 'UTC')::date"
	"  UNION ALL SELECT " LENGTH_BUCKET("s") ", 1 FROM bzcc.sessions s"
	"   WHERE s.ended_at IS NOT NULL AND s.ended_at > " W_LO " AND s.ended_at < " WLO("'day'")
	"  UNION ALL SELECT " LENGTH_BUCKET("s") ", 1 FROM bzcc.sessions s"
	"   WHERE s.ended_at IS NOT NULL AND s.ended_at >= greatest(" ENDED_HI ", " WLO("'day'") ")"
	"   AND s.ended_at <= " W_HI
	"  ) x GROUP BY 1)"
	" SELECT json_build_object("
	" 'by_mode', (SELECT coalesce(json_agg(json_build_object('game_mode', t.game_mode,"
	"   'sessions', t.sessions, 'mean_seconds', t.mean_seconds,"
	"   'median_seconds', t.median_seconds, 'p90_seconds', t.p90_seconds)"
	"   ORDER BY t.game_mode = '*', t.sessions DESC, t.game_mode), '[]')"
	"  FROM bzcc.session_duration_stats t WHERE t.map_key = '*'),"
	" 'ended_sessions', (SELECT coalesce(sum(n), 0) FROM c),"
	" 'histogram', (SELECT json_agg(json_build_object('label', b.label,"
	"   'min_minutes', b.lo, 'max_minutes', b.hi,"
	"   'sessions', coalesce((SELECT c.n FROM c WHERE c.min_minutes = b.lo), 0)) ORDER BY b.lo)"
	"  FROM " BZCC_LENGTH_BUCKETS "))";

struct json_object *bzcc_history_analytics(struct db *db, int days, int64_t now_ms)
{
	static const struct {
		const char *key;
		const char *sql;
	} parts[] = {
		{ "players_online", SQL_ONLINE },
		{ "map_popularity", SQL_MAP_POPULARITY },
		{ "mod_adoption", SQL_MOD_ADOPTION },
		{ "durations", SQL_DURATIONS },
	};
	char now[24], n[16], from[40], to[40];
	const char *params[] = { now, n };
	struct json_object *out = json_object_new_object();
	size_t i;

	snprintf(now, sizeof now, "%" PRId64, now_ms);
	snprintf(n, sizeof n, "%d", days);
	json_object_object_add(out, "days", json_object_new_int(days));
	/* "YYYY-MM-DD HH:MM:SS.ffffff+00" -> "YYYY-MM-DDTHH:MM:SSZ" */
	us_text((now_ms - (int64_t)days * 86400000) * 1000, from, sizeof from);
	us_text(now_ms * 1000, to, sizeof to);
	from[10] = to[10] = 'T';
	strcpy(from + 19, "Z");
	strcpy(to + 19, "Z");
	json_object_object_add(out, "from", json_object_new_string(from));
	json_object_object_add(out, "to", json_object_new_string(to));
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		struct json_object *o = query_json(db, parts[i].sql, 2, params, NULL);
		if (!o) {
			json_object_put(out);
			return NULL;
		}
		json_object_object_add(out, parts[i].key, o);
	}
	return out;
}
