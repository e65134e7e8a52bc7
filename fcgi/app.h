/* app.h: process-wide state of a web worker, created once before the
 * accept loop and read-only during a request apart from its connections
 * (one libpq and one hiredis connection per process, reconnected on
 * failure) and the current-lobby cache. */
#ifndef GW_APP_H
#define GW_APP_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "kv.h"
#include "tmpl.h"

struct req;

/* The current-lobby document as last read from Redis, kept per process and
 * reused while gw:bzcc:version is unchanged. */
struct lobby_cache {
	long long version;          /* gw:bzcc:version of doc; 0: rebuilt from PostgreSQL (not cached) */
	struct json_object *doc;    /* parsed document, owned */
	bool stale;                 /* poll.stale as set in doc by the last app_current_lobby() */
	struct buf json[2];         /* serialized, [0] with poll.stale false, [1] true; len 0 = not yet */
	struct buf gz[2];           /* gzip of json[i], made on first demand; len 0 = not yet */
	bool dirty;                 /* a change was published (or may have been missed) since doc was read */
};

struct app {
	struct cfg cfg;
	struct db db;
	struct kv kv;
	struct kv sub;              /* subscribed to gw:bzcc:events: invalidates the lobby cache */
	int64_t sub_retry_ms;       /* monotonic time of the next subscribe attempt while down */
	struct tmpl_set *tmpl;
	struct lobby_cache lobby;
	unsigned long served;       /* requests served by this process */
};

/* Load config, templates (GW_TEMPLATE_DIR) and open connections (which may
 * be down: they are retried per request). Returns 0, or -1 when templates
 * fail to load (logged): a worker without templates cannot serve pages. */
int app_init(struct app *app);

/* Close connections and free everything. */
void app_free(struct app *app);

/* Serve one parsed request: route, run the handler, map errors to a status
 * and an error body (JSON under /api/ and /healthz, an HTML page elsewhere). */
void app_handle(struct app *app, struct req *r);

/* The current-lobby document, with poll.stale computed for now. Reuses the
 * process cache until a change is published on gw:bzcc:events (checked
 * without a round trip); while that subscription is down, revalidates with a
 * GET of gw:bzcc:version per call. Falls back to PostgreSQL when Redis is
 * down or empty. On success returns 0
 * and sets *doc to a borrowed object valid until the next call, and *json to
 * its borrowed serialization; returns -1 when neither store answered. */
int app_current_lobby(struct app *app, struct json_object **doc, const struct buf **json);

/* The gzip encoding of the serialization app_current_lobby() returned last
 * (borrowed, valid until the next call), or NULL when compression failed. */
const struct buf *app_current_lobby_gzip(struct app *app);

/* Render `page` (a template name) with `ctx` inside templates/layout into
 * r->body as text/html; ctx gets "content" and the layout keys. On a
 * template error responds 500. `ctx` is not consumed. */
void app_render_page(struct app *app, struct req *r, int status, const char *page,
		     struct json_object *ctx);

/* Respond with an error: JSON {"error","detail"} for API paths, else the
 * error page. */
void app_error(struct app *app, struct req *r, int status, const char *error,
	       const char *detail);

#endif
