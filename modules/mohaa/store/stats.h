/* stats.h: every read of the MOHAA pages and JSON (one query each, the
 * document built by PostgreSQL with json_build_object). Times are RFC 3339
 * UTC strings (gw_iso). Each returns the document (caller owns it) and sets
 * *status: 200, 404 (no such player, match, server) or 503 (database
 * unavailable; NULL returned). Document shapes: modules/mohaa/openapi.json. */
#ifndef GW_MOHAA_STATS_H
#define GW_MOHAA_STATS_H

#include <stdint.h>

struct db;
struct json_object;

/* A player's totals, achievements and maps. */
struct json_object *mohaa_stats_player(struct db *db, const char *id, int *status);

/* A player's matches, newest first: `limit` rows with match id below
 * `before` (0: from the newest); "next_before" continues. */
struct json_object *mohaa_stats_player_matches(struct db *db, const char *id, int64_t before,
					       int limit, int *status);

/* A player's weapons, most kills first. */
struct json_object *mohaa_stats_player_weapons(struct db *db, const char *id, int *status);

/* Heat-map cells on `map` (lower case path): of one player (player_id not
 * NULL: 404 when unknown) or of everyone; kind 'k' (kills, at the killer's
 * position) or 'd' (deaths, at the victim's). */
struct json_object *mohaa_stats_heatmap(struct db *db, const char *player_id, const char *map,
					char kind, int *status);

/* One match: facts, rounds, players. */
struct json_object *mohaa_stats_match(struct db *db, int64_t id, int *status);

/* A match's events in order: `limit` from `offset`; all types, or only the
 * ones a timeline shows (kills, headshots, rounds, joins, team changes,
 * chat, objectives, votes) when `all` is 0. */
struct json_object *mohaa_stats_timeline(struct db *db, int64_t id, int offset, int limit,
					 int all, int *status);

/* A server by id (digits) or name: totals, open match, recent matches, maps. */
struct json_object *mohaa_stats_server(struct db *db, const char *ref, int *status);

/* Open matches whose last heartbeat or event is at most window_s old. */
struct json_object *mohaa_stats_live(struct db *db, int window_s, int *status);

/* The 23 achievements with how many players unlocked each, and the latest
 * unlocks. */
struct json_object *mohaa_stats_achievements(struct db *db, int *status);

/* The latest matches (home page). */
struct json_object *mohaa_stats_recent_matches(struct db *db, int limit, int *status);

/* Every map played: matches, kills, last played. */
struct json_object *mohaa_stats_maps(struct db *db, int *status);

/* Totals for the hub card and health: live matches, players seen this
 * week, events written, the last batch's time. */
struct json_object *mohaa_stats_summary(struct db *db, int *status);

/* The time of the ingest job's last batch ({"last_batch_at": ...|null}),
 * cheap enough for /healthz. */
struct json_object *mohaa_stats_last_batch(struct db *db, int *status);

#endif
