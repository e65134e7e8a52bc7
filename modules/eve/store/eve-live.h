/* eve-live.h: the live kill feed in Redis, which gamewatch-stream serves as
 * the rooms "killmails" and "killmails:<space type>" (web/stream.h,
 * docs/realtime.md, docs/eve.md "Live kills").
 *
 * Whoever commits new killmails (eve-import, eve-r2z2) or changes which
 * battle they belong to (eve-cluster) calls eve_live_publish: it reads the
 * newest EVE_LIVE_KILLS killmails from PostgreSQL as the first page of
 * /api/v1/killmails/recent shows them (names beside ids), stores that
 * document in gw:eve:recent, increments gw:eve:version (in one MULTI) and
 * publishes {"type":"killmails","version":N} on gw:eve:events. Redis holds
 * only what can be rebuilt: a missing key is filled again by the next
 * import or by eve-cluster, which runs every minute. */
#ifndef GW_EVE_LIVE_H
#define GW_EVE_LIVE_H

#include <stdbool.h>

#include "db.h"
#include "kv.h"

#define EVE_KEY_RECENT "gw:eve:recent"
#define EVE_KEY_VERSION "gw:eve:version"
#define EVE_CHANNEL "gw:eve:events"
#define EVE_LIVE_KILLS 100 /* killmails in gw:eve:recent, newest first */

/* A job's connection to Redis for publishing, opened on first use. */
struct eve_live {
	const char *redis_url; /* borrowed (cfg) */
	struct kv kv;
	bool opened;
	bool warned;           /* "Redis unavailable" said once until it is back */
};

void eve_live_init(struct eve_live *l, const char *redis_url);
void eve_live_close(struct eve_live *l);

/* Rebuild and publish the feed (above). Returns the new version, or -1
 * (logged as a warning, once while Redis stays unavailable, in which case
 * PostgreSQL is not read either; never fatal to the caller: the data is in
 * PostgreSQL and the next publish catches up). */
long long eve_live_publish(struct eve_live *l, struct db *db);

/* Is gw:eve:recent missing (Redis flushed or restarted)? 1 yes, 0 no, -1
 * when Redis cannot be asked. */
int eve_live_missing(struct eve_live *l);

#endif
