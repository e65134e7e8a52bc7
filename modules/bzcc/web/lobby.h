/* lobby.h: the BZCC module's per-worker state: the current-lobby document
 * as last read from Redis, reused while gw:bzcc:version is unchanged and
 * invalidated by messages on gw:bzcc:events (docs/ARCHITECTURE.md, "Poll
 * cycle"). Without Redis (REDIS_URL unset) the document is read from
 * PostgreSQL and reused until a NOTIFY on gw_bzcc_events (LISTEN on the
 * worker's database connection). Created by the module's worker.init hook
 * (module.c). */
#ifndef GW_BZCC_LOBBY_H
#define GW_BZCC_LOBBY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "kv.h"

struct app;

struct lobby_cache {
	long long version;          /* gw:bzcc:version of doc; 0: rebuilt from PostgreSQL (not cached) */
	int64_t checked_ms;         /* monotonic time doc was last confirmed current (version read, or built) */
	int64_t pg_checked_ms;      /* monotonic time PostgreSQL's poll status was last compared with doc */
	long long lagging_version;  /* a gw:bzcc:version found older than PostgreSQL: not used again */
	struct json_object *doc;    /* parsed document, owned */
	bool stale;                 /* poll.stale as set in doc by the last bzcc_current_lobby() */
	struct buf json[2];         /* serialized, [0] with poll.stale false, [1] true; len 0 = not yet */
	struct buf gz[2];           /* gzip of json[i], made on first demand; len 0 = not yet */
	bool dirty;                 /* a change was published (or may have been missed) since doc was read */
};

struct bzcc_web {
	struct kv sub;              /* subscribed to gw:bzcc:events: invalidates the lobby cache */
	int64_t sub_retry_ms;       /* monotonic time of the next subscribe attempt while down */
	int64_t redis_skip_until_ms; /* monotonic: after a failed or timed-out Redis call, Redis is
				      * not asked again before this (PostgreSQL answers meanwhile) */
	unsigned long listen_session; /* without Redis: app->db.session in which we LISTEN on
				       * BZCC_PG_CHANNEL; 0 when not listening */
	struct lobby_cache lobby;
};

/* worker.init / worker.free of the module: allocate the state and
 * subscribe (a Redis that is down is retried every 5 s); free it. */
int bzcc_worker_init(struct app *app, void **state);
void bzcc_worker_free(struct app *app, void *state);

/* The module's state in this worker (never NULL once the worker runs). */
struct bzcc_web *bzcc_web(struct app *app);

/* How long a worker trusts its copy without asking Redis (ms): a Redis
 * that hangs (SIGSTOP: connections accepted, nothing answered, no message
 * published) is noticed within this plus the 500 ms command timeout. */
#define BZCC_LOBBY_TRUST_MS 1000
/* After a Redis call failed or timed out, Redis is left alone this long
 * (ms) and PostgreSQL answers, so a hung Redis costs one timeout per
 * worker per period instead of one per request. */
#define BZCC_REDIS_RETRY_MS 5000
/* A document rebuilt from PostgreSQL is reused this long (ms). */
#define BZCC_LOBBY_PG_REUSE_MS 1000

/* The current-lobby document, with poll.stale computed for now. Reuses the
 * process cache until a change is published on gw:bzcc:events (checked
 * without a round trip) and at most BZCC_LOBBY_TRUST_MS; then, and always
 * while that subscription is down, revalidates with a GET of
 * gw:bzcc:version (500 ms timeout). Falls back to PostgreSQL when Redis is
 * down, hung (a failed call: BZCC_REDIS_RETRY_MS without Redis) or empty.
 * A document that would show the stale banner is checked against
 * PostgreSQL's poll status (each new copy at once, then at most once a
 * second) and rebuilt from
 * PostgreSQL when a newer poll succeeded there: Redis lagging behind is no
 * reason to call the data stale. Without Redis (kv_enabled() false) the
 * document is read from PostgreSQL and kept until a NOTIFY on
 * gw_bzcc_events (BZCC_PG_CHANNEL) announces a change; its version stays
 * 0. On success returns 0 and sets *doc to a borrowed object valid until
 * the next call, and *json to its borrowed serialization; returns -1 when
 * neither store answered. */
int bzcc_current_lobby(struct app *app, struct json_object **doc, const struct buf **json);

/* The gzip encoding of the serialization bzcc_current_lobby() returned
 * last (borrowed, valid until the next call), or NULL when compression
 * failed. */
const struct buf *bzcc_current_lobby_gzip(struct app *app);

#endif
