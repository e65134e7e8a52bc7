/* bzcc-history.h: read side of the BZCC history (issue 3): the session
 * history list, players, maps, mods and the analytics series, read from
 * bzcc.sessions, bzcc.player_session_events, players, identities,
 * bzcc.maps, bzcc.mods and the rollups (bzcc.player_daily, map_daily,
 * mod_daily, players_online, session_duration_stats; see
 * sql/002-players-history.sql). Read-only; used by the web app.
 *
 * Every function builds its answer in PostgreSQL (json_build_object), runs
 * only parameterized statements, and returns a new json-c object the
 * caller owns (json_object_put) or NULL. Where a function takes `found`,
 * NULL means *found = 0 (no such player, map or mod) or *found = -1 (a
 * database error, logged by db.c). Functions without `found` return NULL
 * only on a database error.
 *
 * Times in the results are ISO-8601 UTC strings ("2024-09-15T01:23:44Z"),
 * days are "YYYY-MM-DD" (UTC days), durations are whole seconds. Windows of
 * `days` days end at `now_ms` (ms since the epoch): daily series cover the
 * UTC days (today - days + 1) .. today, per-minute series the instants
 * (now - days x 24 h, now]. Keys are listed in docs/history.md.
 */
#ifndef GW_BZCC_HISTORY_H
#define GW_BZCC_HISTORY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

#define BZCC_HISTORY_MAX_DAYS 3650  /* largest `days` window any function accepts */
#define BZCC_HISTORY_RECENT 20      /* recent sessions listed on a player, map or mod */

/* Filters and position of one page of the session history. */
struct bzcc_history_filter {
	bool has_from;        /* first_seen_at >= from_ms */
	int64_t from_ms;
	bool has_to;          /* first_seen_at < to_ms */
	int64_t to_ms;
	const char *state;    /* last state seen: pre_game, in_game, post_game, unknown; NULL = any */
	const char *map_key;  /* bzcc.sessions.map_key; NULL = any */
	const char *mod_id;   /* primary mod id; NULL = any */
	const char *q;        /* case-insensitive substring of the session name; NULL = any */
	bool has_after;       /* continue after the row (after_us, after_id) */
	int64_t after_us;     /* first_seen_at of that row, microseconds since the epoch */
	const char *after_id; /* its id */
	int limit;            /* rows per page, 1..10000 (callers enforce their own range) */
};

/* The earliest poll logged after the last rollup's watermark (rollup_state
 * 'bzcc-daily'.last_poll_id), as timestamptz text in `out` (at least 40
 * bytes), or "" when there is none: the rollup's aggregates hold
 * everything before it, so a reader adds the raw rows from there on.
 * Returns 0 or -1 on a database error. */
int bzcc_history_unrolled_since(struct db *db, char *out, size_t outlen);

/* One page of sessions (live and ended) matching `f`, ordered by
 * first_seen_at desc, id desc. Strings in f are borrowed.
 * Returns {"sessions": [summary...], "next": {"first_seen_us": N, "id": "..."}
 * or null when this is the last page}, each summary being {id, nat_id, name,
 * map {file, key}, mod {id, ids, stock}, version, game_type {code, name},
 * game_mode {code, name}, state, state_label, live, first_seen_at,
 * last_seen_at, ended_at, duration_seconds, player_count, max_players,
 * players_seen}; NULL on a database error. */
struct json_object *bzcc_history_sessions(struct db *db, const struct bzcc_history_filter *f);

/* Resolve a player reference: "<players.id>" (decimal), "steam:<SteamID64>"
 * or "gog:<GOG user id>" (decimal digits; at most 20). `ref` is borrowed.
 * Returns 1 with *player_id set, 0 when no player has that id or
 * identity, -1 on a database error, -2 when `ref` has none of the three
 * forms (a client error). The platform's players_find_ref()
 * (platform/players/players.h). */
int bzcc_history_player_ref(struct db *db, const char *ref, int64_t *player_id);

/* A player's profile: {id, ref ("steam:7656..." for the first identity,
 * else the numeric id as text), display_name, first_seen_at, last_seen_at,
 * identities [{provider, external_id, last_name, first_seen_at,
 * last_seen_at}], totals {play_seconds, sessions, intervals},
 * favourite_maps (top 5 by seconds) [{map_key, map_file, mod_id, seconds,
 * sessions}], recent_sessions (the BZCC_HISTORY_RECENT latest) [summary +
 * played {joined_at, left_at, seconds, intervals}]}. Play time comes from
 * bzcc.player_session_events (open stays count up to their last sighting). */
struct json_object *bzcc_history_player(struct db *db, int64_t player_id, int *found);

/* A player's play time per UTC day from bzcc.player_daily, zero-filled:
 * {player {id, ref, display_name}, days, from, to, points [{day, seconds,
 * sessions}] oldest first, totals {seconds, active_days}}.
 * days: 1..BZCC_HISTORY_MAX_DAYS. */
struct json_object *bzcc_history_player_daily(struct db *db, int64_t player_id, int days,
					      int64_t now_ms, int *found);

/* Every map seen, most played first: {days, maps [{map_key, map_file,
 * mod_id, first_seen_at, last_seen_at, recent {sessions, players,
 * player_seconds, peak_players}, all_time {same}}]}. The counts are sums
 * of bzcc.map_daily rows, so a session or player active on two UTC days
 * counts once per day. Ordered by recent player_seconds, then all-time
 * player_seconds, sessions, map_key. */
struct json_object *bzcc_history_maps(struct db *db, int days, int64_t now_ms);

/* One map: as a row of bzcc_history_maps plus days, daily [{day, sessions,
 * players, player_seconds, peak_players}] (newest first, days with data),
 * durations [{game_mode ('*' = all), sessions, mean_seconds,
 * median_seconds, p90_seconds}] (ended sessions, all time) and
 * recent_sessions [summary]. `map_key` is borrowed. */
struct json_object *bzcc_history_map(struct db *db, const char *map_key, int days,
				     int64_t now_ms, int *found);

/* Every mod seen, most played first: {days, mods [{mod_id, stock,
 * map_count (maps seen with it as primary mod), first_seen_at,
 * last_seen_at, recent {sessions, players, player_seconds}, all_time
 * {same}}]}, from bzcc.mod_daily (keyed by a session's primary mod). */
struct json_object *bzcc_history_mods(struct db *db, int days, int64_t now_ms);

/* One mod: as a row of bzcc_history_mods plus days, daily [{day, sessions,
 * players, player_seconds}], maps (its maps, as rows of
 * bzcc_history_maps) and recent_sessions [summary]. */
struct json_object *bzcc_history_mod(struct db *db, const char *mod_id, int days,
				     int64_t now_ms, int *found);

/* Chart data for the last `days` days: {days, from, to,
 * players_online {resolution "minute", "hour" (days > 2) or "day" (days >
 * 90, so a long window stays a few thousand points), points [{t,
 * sessions, players}] (peaks per bucket, buckets without polls absent),
 * daily [{day, peak_players, peak_sessions}] newest first},
 * map_popularity [top 10 maps by player_seconds: {map_key, map_file,
 * mod_id, sessions, players, player_seconds, peak_players}],
 * mod_adoption {days [day...], mods [top 5 by sessions: {mod_id, stock,
 * total_sessions, sessions [one count per day]}]},
 * durations {by_mode [{game_mode, sessions, mean_seconds, median_seconds,
 * p90_seconds}] (bzcc.session_duration_stats, all time, '*' = all modes,
 * last), ended_sessions, histogram [{label, min_minutes, max_minutes (null
 * for the last), sessions}] (sessions that ended in the window, buckets
 * 0-5, 5-15, 15-30, 30-60, 60-120, 120+ minutes)}}. */
struct json_object *bzcc_history_analytics(struct db *db, int days, int64_t now_ms);

#endif
