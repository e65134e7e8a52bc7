/* bzcc-identity.h: which stored session a listed game is (issue 9).
 *
 * A game's raw id is "<source>:<guid hex16>" (docs/bzcc-format.md 4); the
 * GUID belongs to the hosting process, so it changes when the host
 * migrates, and comes back when the same process hosts again later. Two
 * rules keep history true to the games played:
 *
 *  - relink (host migration): a game with a raw id never seen before, whose
 *    name and state equal those of a session that was last seen within the
 *    relink window and is not listed now, and that shares at least one
 *    player (by platform id) with the players that session had at its last
 *    sighting, continues that session (MultiplayerSessionList's
 *    DataService.cs rule): same id, same first_seen_at and state_since, the
 *    new NAT id in its data;
 *  - revive: a raw id whose session ended longer than the revive period ago
 *    starts a new session "<raw id>~<n>" (n = 2, 3, ...) instead of
 *    reopening the old one, so no duration spans the gap.
 *
 * bzcc.session_links maps each raw id that does not name its own session
 * (relinked or revived) to the session it continues now. Every function
 * runs inside the caller's transaction; statements are parameterized. */
#ifndef GW_BZCC_IDENTITY_H
#define GW_BZCC_IDENTITY_H

#include <json-c/json.h>
#include <stdint.h>

#include "db.h"

struct bzcc_identity_opts {
	int relink_window_s;  /* seconds; 0 or less: never relink */
	int revive_after_s;   /* seconds; 0 or less: never revive (reopen as before) */
};

/* Default windows (BZCC_RELINK_WINDOW_SECONDS, BZCC_REVIVE_AFTER_SECONDS). */
#define BZCC_RELINK_WINDOW_DEFAULT_S 180
#define BZCC_REVIVE_AFTER_DEFAULT_S 900

struct bzcc_identity_stats {
	int relinked;  /* games that continue a session of another raw id */
	int revived;   /* games that start a new "~n" session */
};

/* Resolve the session of every object of `sessions` (a JSON array of
 * session view models, each "id" the raw id, distinct) at now_ms: rewrites
 * each object's "id" to the session it belongs to, reopens (ended_at =
 * NULL) the sessions relinked to, and returns in *links a new array of the
 * links to record once the sessions are written ({"raw", "session_id",
 * "reason": "migrated"|"revived", "generation"}). A session is claimed by
 * at most one game. Returns 0, or -1 on a database error (*links NULL). */
int bzcc_identity_resolve(struct db *db, struct json_object *sessions, int64_t now_ms,
			  const struct bzcc_identity_opts *opts, struct json_object **links,
			  struct bzcc_identity_stats *stats);

/* Record `links` (from bzcc_identity_resolve(), after the sessions they
 * name were written) in bzcc.session_links at now_ms. Returns 0 or -1. */
int bzcc_identity_record(struct db *db, struct json_object *links, int64_t now_ms);

#endif
