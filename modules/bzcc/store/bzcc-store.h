/* bzcc-store.h: BZCC sessions in PostgreSQL (the truth) and the cached
 * current view in Redis. Shared by the poller (writes) and the web app
 * (reads, and rebuilds the view from PostgreSQL when Redis has none).
 *
 * Redis keys (all rebuildable from PostgreSQL):
 *   gw:bzcc:current  the current-lobby document (docs/view-models.md), JSON
 *   gw:bzcc:version  integer bumped after every write of gw:bzcc:current; when
 *                    missing (Redis restarted empty) it restarts at a random
 *                    value in [2^40, 2^52), never at 1, so no version (nor
 *                    the ETag made of it) is ever reused for other content
 *   channel gw:bzcc:events  PUBLISHed {"type":"lobby","version":N} after each write
 */
#ifndef GW_BZCC_STORE_H
#define GW_BZCC_STORE_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "kv.h"
#include "modules/bzcc/domain/bzcc.h"
#include "modules/bzcc/store/bzcc-identity.h"

#define BZCC_KEY_CURRENT "gw:bzcc:current"
#define BZCC_KEY_VERSION "gw:bzcc:version"
#define BZCC_CHANNEL "gw:bzcc:events"
/* The PostgreSQL channel (NOTIFY) of the same change events: what the web
 * workers listen to when Redis is off (REDIS_URL unset). */
#define BZCC_PG_CHANNEL "gw_bzcc_events"

struct bzcc_poll_stats {
	int sessions;      /* live sessions written */
	int players;       /* players in them (bots not counted) */
	int ended;         /* sessions that disappeared with this poll */
	int duplicates;    /* sessions dropped because their id repeated in the document */
	int relinked;      /* games that continue another NAT id's session (host migration) */
	int revived;       /* games whose NAT id came back long after: a new session */
};

/* How a poll is stored (NULL: the defaults). */
struct bzcc_poll_opts {
	const char *kind;  /* bzcc.polls.kind ("raknet+msl-v1"); NULL: from lobby->kind */
	struct bzcc_identity_opts identity; /* relink and revive windows; zeroed: neither */
};

/* Record one successful poll taken at `now_ms` (ms since the epoch) in a
 * single transaction: resolve which session each game is
 * (bzcc_identity_resolve(), with opts->identity), upsert bzcc.sessions and
 * bzcc.session_players, insert a
 * bzcc.session_snapshots row per live session, set ended_at on sessions that
 * disappeared and left_at on players who left, keep state_since while a
 * session stays in the same state, upsert bzcc.maps and bzcc.mods, create a
 * player and identity for every new Steam/GOG account, open, extend and
 * close bzcc.player_session_events intervals, and log the poll in bzcc.polls
 * (`source_url` with its credentials masked by http_url_redact(), `bytes`
 * fetched, `duration_ms` of fetch+decode, lobby->hidden), and keep the
 * metadata of an MSL answer (bzcc_enrich_store_msl()). Bots (players
 * marked "bot") are stored in the roster but are not players: no identity,
 * no playtime, not in snapshots' player_keys.
 * Returns 0 (stats filled) or -1 (logged; rolled back, nothing written). */
int bzcc_store_poll(struct db *db, const struct bzcc_lobby *lobby, int64_t now_ms,
		    const char *source_url, size_t bytes, int64_t duration_ms,
		    const struct bzcc_poll_opts *opts, struct bzcc_poll_stats *stats);

/* Log a rejected or failed poll (fetch error, bad document) in bzcc.polls.
 * `error` is the one-line reason; `source_url` is stored redacted as by
 * bzcc_store_poll(). Returns 0 or -1 (logged). */
int bzcc_store_rejected(struct db *db, int64_t now_ms, const char *source_url,
			const char *error, size_t bytes, int64_t duration_ms);

/* Poll health derived from bzcc.polls: a new object with last_success_at,
 * last_attempt_at (ISO-8601 or null), last_success_ms (number or null),
 * consecutive_failures, last_error (or null), rejected_total, source_url
 * (redacted again on the way out, for rows stored before redaction), and
 * sources: each lobby source read in the last 10 minutes of attempts
 * (bzcc.poll_sources, bzcc-sources.h) as {name, url, status, last_success_at,
 * last_attempt_at, last_error, consecutive_failures, upstream_updated_at,
 * sessions}, "raknet" first.
 * Returns NULL on a database error (logged). Caller owns the object. */
struct json_object *bzcc_store_poll_status(struct db *db);

/* Build the whole current-lobby document from PostgreSQL: generated_at
 * (now_ms), poll (bzcc_store_poll_status), totals {sessions, players},
 * sessions[] (live sessions ordered by players desc, then name, each the
 * stored view model plus state_since, first_seen_at, last_seen_at,
 * ended_at). Returns a new object or NULL on a database error. */
struct json_object *bzcc_store_current_doc(struct db *db, int64_t now_ms);

/* One session by id, live or ended, with `roster` (everyone ever seen in it:
 * the player fields plus first_seen_at, last_seen_at, left_at) and `links`
 * (the raw ids that continued it: [{id, reason, linked_at}]). Returns a new
 * object, NULL with *found = 0 when there is no such session, or NULL with
 * *found = -1 on a database error. */
struct json_object *bzcc_store_session(struct db *db, const char *id, int *found);

/* Per-minute counts for the last `minutes` minutes (1..10080) before now_ms:
 * {"minutes":N,"from":..,"to":..,"points":[{"minute":ISO,"polls":n,
 * "sessions":max or null,"players":max or null},...]}, one point per minute,
 * oldest first; minutes without a successful poll have null counts. Returns a
 * new object or NULL on a database error. */
struct json_object *bzcc_store_summary(struct db *db, int64_t now_ms, int minutes);

/* Write `doc` to Redis as gw:bzcc:current, bump gw:bzcc:version (seeding
 * it first when missing, see above) and publish the change on
 * gw:bzcc:events. Returns the new version (> 0) or -1. */
long long bzcc_cache_put(struct kv *kv, struct json_object *doc);

/* Rebuild the current document from PostgreSQL, cache it in Redis, and
 * announce the change on the PostgreSQL channel BZCC_PG_CHANNEL (payload:
 * now_ms) for workers that run without Redis. Returns the new Redis version,
 * 0 when Redis is off (kv_enabled() false: nothing to cache), or -1 when a
 * store failed (logged). */
long long bzcc_cache_refresh(struct db *db, struct kv *kv, int64_t now_ms);

#endif
