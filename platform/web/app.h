/* app.h: process-wide state of a web worker, created once before the
 * accept loop and read-only during a request apart from its connections
 * (one libpq and one hiredis connection per process, reconnected on
 * failure) and each module's per-worker state (struct gw_worker_hooks). */
#ifndef GW_APP_H
#define GW_APP_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "kv.h"
#include "platform/web/guard.h"
#include "tmpl.h"

struct req;
struct gw_module;

#define APP_MAX_MODULES 32

struct app {
	struct cfg cfg;
	struct db db;
	struct kv kv;
	struct tmpl_set *tmpl;
	struct guard_cfg guard;     /* role, CSRF and rate settings (guard.h) */
	unsigned long served;       /* requests served by this process */
	const struct gw_module *module_of_state[APP_MAX_MODULES];
	void *module_state[APP_MAX_MODULES]; /* from each enabled module's worker.init */
	size_t n_modules;
};

/* Load config, templates (GW_TEMPLATE_DIR: the platform's and every
 * module's, installed side by side) and open connections (which may be
 * down: they are retried per request), then run each enabled module's
 * worker.init. Returns 0, or -1 when SECRET_KEY is missing or shorter than
 * CFG_SECRET_MIN_BYTES, templates fail to load or a module refuses
 * (logged): such a worker cannot serve pages. */
int app_init(struct app *app);

/* Run the modules' worker.free, close connections and free everything. */
void app_free(struct app *app);

/* The per-worker state `module`'s worker.init returned, or NULL. */
void *app_module_state(const struct app *app, const struct gw_module *module);

/* Serve one parsed request by the route table, the one place for its rules:
 *   1. look the route up: 404, or 405 with Allow listing the methods the
 *      path has;
 *   2. rate-limit class: 429 with Retry-After (guard_rate);
 *   3. role: 401 (guard_role);
 *   4. body: read at most min(row body_max, GW_MAX_BODY_BYTES) bytes (413
 *      before reading when the declared length is over; 413 for any body on
 *      a row with body_max 0), then parse it by Content-Type: 400 when
 *      malformed (req_read_body, req_parse_body);
 *   5. CSRF for csrf rows on state-changing methods: 403 (guard_csrf);
 *   6. the handler; then the row's Cache-Control on a success (unless the
 *      handler streamed, which sent it with the headers).
 * Errors are JSON for ROUTE_API/ROUTE_STREAM rows and for any path under
 * /api/ or /healthz, an HTML page elsewhere (app_error). */
void app_handle(struct app *app, struct req *r);

/* Render `page` (a template name) with `ctx` inside templates/layout into
 * r->body as text/html; ctx gets "content", "nav" (the enabled modules'
 * links) and the layout keys. On a template error responds 500. `ctx` is not
 * consumed. */
void app_render_page(struct app *app, struct req *r, int status, const char *page,
		     struct json_object *ctx);

/* Respond with an error: JSON {"error","detail"} for API routes and paths,
 * else the error page. */
void app_error(struct app *app, struct req *r, int status, const char *error,
	       const char *detail);

/* The handler of every ROUTE_STREAM row in the page workers: streams are
 * served by gamewatch-stream on its own FastCGI socket (docs/realtime.md),
 * so a stream request that reached the page workers (a web server without
 * the stream backend, e.g. the mod_fcgid set-up without it) gets 503 with
 * Retry-After: 60 and a JSON reason; the page then polls the JSON API. */
void api_stream_elsewhere(struct app *app, struct req *r);

#endif
