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
#include "tmpl.h"

struct req;
struct gw_module;

#define APP_MAX_MODULES 32

struct app {
	struct cfg cfg;
	struct db db;
	struct kv kv;
	struct tmpl_set *tmpl;
	unsigned long served;       /* requests served by this process */
	const struct gw_module *module_of_state[APP_MAX_MODULES];
	void *module_state[APP_MAX_MODULES]; /* from each enabled module's worker.init */
	size_t n_modules;
};

/* Load config, templates (GW_TEMPLATE_DIR: the platform's and every
 * module's, installed side by side) and open connections (which may be
 * down: they are retried per request), then run each enabled module's
 * worker.init. Returns 0, or -1 when templates fail to load or a module
 * refuses (logged): such a worker cannot serve pages. */
int app_init(struct app *app);

/* Run the modules' worker.free, close connections and free everything. */
void app_free(struct app *app);

/* The per-worker state `module`'s worker.init returned, or NULL. */
void *app_module_state(const struct app *app, const struct gw_module *module);

/* Serve one parsed request: look the route up (404, or 405 with Allow),
 * apply the row's rules, run the handler, then set the row's Cache-Control
 * on a success. Errors are JSON for ROUTE_API/ROUTE_STREAM rows and for any
 * path under /api/ or /healthz, an HTML page elsewhere. */
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

#endif
