/* bzcc-accounts.h: what the platform's accounts and admin pages ask of
 * BZCC, and the Team Picker's rows; every SQL statement of them.
 *
 * Team Picker tables (bzcc 009): bzcc.team_pick_sessions (one row per
 * start; state open while tossing or picking, then final or canceled),
 * bzcc.team_pick_picks, bzcc.team_pick_participants. A state change runs
 * in one transaction under an advisory lock per session
 * (pg_advisory_xact_lock), so two commanders acting at once are served one
 * after the other and each sees the other's pick. */
#ifndef GW_BZCC_ACCOUNTS_H
#define GW_BZCC_ACCOUNTS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "modules/bzcc/domain/picker.h"

/* ---- Team Picker -------------------------------------------------------- */

/* The players of session `id` as the lobby lists them now (players without
 * a platform id left out), by slot: 1 with *live (the session is listed
 * now), 0 when there is no such session, -1 on a database error. */
int bzcc_picker_lobby(struct db *db, const char *id, struct tp_lobby *out, bool *live);

/* The latest picker of session `id` into `s` (TP_NONE when there is none)
 * and its row id (0 when none); with `lock`, first take the session's
 * advisory lock (inside a transaction the caller began). When `meta` is
 * not NULL it gets a new object {"id", "created_at", "tossed_at",
 * "closed_at", "picks": [{"order", "team", "player_id", "name",
 * "picked_at"}]} (NULL when there is no picker). Returns 0 or -1. */
int bzcc_picker_load(struct db *db, const char *id, bool lock, struct tp_state *s,
		     int64_t *pick_id, struct json_object **meta);

/* The actions as stored. */
enum bzcc_picker_action { BZCC_TP_START, BZCC_TP_TOSS, BZCC_TP_PICK, BZCC_TP_FINALIZE,
			  BZCC_TP_CANCEL };

/* Store the result `after` of `action` by user `user_id` acting as
 * commander of `team` on picker `*pick_id` of session `id` (a start closes
 * the open one, if any, and sets *pick_id to the new row). `lobby` gives
 * the picked player's name. Inside the caller's transaction. Returns 0 or
 * -1. */
int bzcc_picker_save(struct db *db, const char *id, int64_t *pick_id,
		     enum bzcc_picker_action action, const struct tp_state *after,
		     const struct tp_lobby *lobby, int64_t user_id, int team);

/* The platform ids ("steam:<id>") of user `user_id`'s identities of
 * provider `provider`, into ids (at most max, TP_ID_MAX each). Returns how
 * many, or -1. */
int bzcc_user_player_ids(struct db *db, int64_t user_id, const char *provider,
			 char (*ids)[TP_ID_MAX], int max);

/* ---- presence, profiles --------------------------------------------------- */

/* Players of live sessions whose platform account belongs to a GameWatch
 * account (verified by signing in): {"sessions": {"<session id>":
 * [{"user_id", "name", "profile_url", "player_name", "player_id", "team",
 * "leader"}]}, "players": n}. NULL on a database error. */
struct json_object *bzcc_presence_in_game(struct db *db);

/* The ten latest sessions of the platform accounts `identities` (array of
 * {"provider", "external_id"}): [{"id", "name", "map_file", "last_seen_at",
 * "ended_at"}], or NULL on a database error. */
struct json_object *bzcc_recent_sessions_of(struct db *db, struct json_object *identities);

/* ---- curation: the entity as shown now --------------------------------------- */

/* A map by key: {"label", "fields": {"title", "description"}, "image_url",
 * "author", "description_html" (the enrichment's sanitized HTML),
 * "curated": bool}; a mod by id: {"label", "fields": {"name"},
 * "image_url"}. NULL with *found 0 (none) or -1 (error). */
struct json_object *bzcc_map_facts(struct db *db, const char *key, const char *cdn, int *found);
struct json_object *bzcc_mod_facts(struct db *db, const char *id, const char *cdn, int *found);

/* ---- admin browsers ---------------------------------------------------------- */

/* Sessions, newest first: `limit` from `offset`, filters may be NULL:
 * state, map_key, mod_id, q (name substring, case-insensitive), live_only.
 * {"total", "sessions": [{"id", "name", "state", "map_key", "mod_id",
 * "player_count", "first_seen_at", "last_seen_at", "ended_at"}]}. */
struct json_object *bzcc_admin_sessions(struct db *db, const char *state, const char *map_key,
					const char *mod_id, const char *q, bool live_only,
					int offset, int limit);

/* Snapshots, newest first: optionally of one session and within
 * [from_ms, to_ms) (0: open). {"snapshots": [{"session_id", "taken_at",
 * "state", "player_count", "max_players", "map_key", "mod_id",
 * "player_keys"}], "more": bool}. */
struct json_object *bzcc_admin_snapshots(struct db *db, const char *session_id, int64_t from_ms,
					 int64_t to_ms, int offset, int limit);

#endif
