/* app.c: worker state, dispatch by the route table, page chrome. */
#include "platform/web/app.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "platform/module.h"
#include "platform/web/openapi.h"
#include "platform/web/guard.h"
#include "platform/web/req.h"
#include "platform/web/route.h"

int app_init(struct app *app)
{
	const struct gw_module *const *m;
	char err[256];
	memset(app, 0, sizeof *app);
	cfg_load_env(&app->cfg);
	if (cfg_check_secret(&app->cfg, err, sizeof err) < 0) {
		log_error("%s", err);
		return -1;
	}
	guard_init(&app->guard, &app->cfg);
	app->tmpl = tmpl_set_load_dir(app->cfg.template_dir, err, sizeof err);
	if (!app->tmpl) {
		log_error("could not load templates from %s: %s", app->cfg.template_dir, err);
		return -1;
	}
	/* connect on first use: a worker serving cached data never needs it */
	db_init_lazy(&app->db, app->cfg.database_url);
	kv_open(&app->kv, app->cfg.redis_url, 500);
	for (m = gw_modules(); *m && app->n_modules < APP_MAX_MODULES; m++) {
		void *state = NULL;
		if ((*m)->worker.init && (*m)->worker.init(app, &state) < 0) {
			log_error("module %s refused to start the worker", (*m)->name);
			return -1;
		}
		app->module_of_state[app->n_modules] = *m;
		app->module_state[app->n_modules++] = state;
	}
	/* the enabled modules' OpenAPI fragments, merged (a failure is logged
	 * and only /api/v1/openapi.json and /api answer 500) */
	openapi_load(app->cfg.template_dir);
	return 0;
}

void app_free(struct app *app)
{
	size_t i;
	for (i = app->n_modules; i-- > 0;)
		if (app->module_of_state[i]->worker.free)
			app->module_of_state[i]->worker.free(app, app->module_state[i]);
	app->n_modules = 0;
	openapi_free();
	tmpl_set_free(app->tmpl);
	db_close(&app->db);
	kv_close(&app->kv);
}

void *app_module_state(const struct app *app, const struct gw_module *module)
{
	size_t i;
	for (i = 0; i < app->n_modules; i++)
		if (app->module_of_state[i] == module)
			return app->module_state[i];
	return NULL;
}

static bool wants_json(const struct req *r)
{
	if (r->route)
		return r->route->kind != ROUTE_PAGE;
	return r->api_path;
}

static void nav_add(struct json_object *nav, const char *label, const char *href, const char *module)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "label", json_object_new_string(label));
	json_object_object_add(o, "href", json_object_new_string(href));
	if (module)
		json_object_object_add(o, "module", json_object_new_string(module));
	json_object_array_add(nav, o);
}

/* The site navigation. One enabled module: its links. Several: on a
 * module's page, "All games" (the hub) then that module's links; on the
 * platform's pages (hub, account, admin, API), one link per module to its
 * home, labelled with its name in capitals. Five modules'
 * links side by side would not fit a header. */
static struct json_object *nav_links(const struct req *r)
{
	const struct gw_module *const *m;
	struct json_object *nav = json_object_new_array();
	const struct gw_nav *n;
	if (gw_modules_count() > 1 && !r->module) {
		for (m = gw_modules(); *m; m++) {
			char label[32];
			size_t i;
			for (i = 0; (*m)->name[i] && i + 1 < sizeof label; i++)
				label[i] = (char)toupper((unsigned char)(*m)->name[i]);
			label[i] = '\0';
			nav_add(nav, label, (*m)->home ? (*m)->home : "/", (*m)->name);
		}
		return nav;
	}
	if (gw_modules_count() > 1)
		nav_add(nav, "All games", "/", NULL);
	for (m = gw_modules(); *m; m++) {
		if (gw_modules_count() > 1 && *m != r->module)
			continue;
		for (n = (*m)->nav; n && n->label; n++)
			nav_add(nav, n->label, n->href, (*m)->name);
	}
	return nav;
}

void app_render_page(struct app *app, struct req *r, int status, const char *page,
		     struct json_object *ctx)
{
	struct buf content = BUF_INIT;
	char err[256];

	if (tmpl_set_render(app->tmpl, page, ctx, &content, err, sizeof err) < 0) {
		log_error("could not render template %s: %s", page, err);
		buf_release(&content);
		r->status = 500;
		r->content_type = "text/plain; charset=utf-8";
		buf_reset(&r->body);
		buf_addstr(&r->body, "internal error: a page template failed\n");
		return;
	}
	json_object_object_add(ctx, "content", json_object_new_string_len(content.data, (int)content.len));
	if (!json_object_object_get_ex(ctx, "nav", NULL))
		json_object_object_add(ctx, "nav", nav_links(r));
	if (!json_object_object_get_ex(ctx, "site_sub", NULL))
		json_object_object_add(ctx, "site_sub", json_object_new_string(
			r->module ? r->module->title
			: gw_modules_count() == 1 ? gw_modules()[0]->title : "Every game"));
	buf_release(&content);
	buf_reset(&r->body);
	if (tmpl_set_render(app->tmpl, "layout", ctx, &r->body, err, sizeof err) < 0) {
		log_error("could not render template layout: %s", err);
		r->status = 500;
		r->content_type = "text/plain; charset=utf-8";
		buf_reset(&r->body);
		buf_addstr(&r->body, "internal error: the layout template failed\n");
		return;
	}
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
}

void app_error(struct app *app, struct req *r, int status, const char *error,
	       const char *detail)
{
	struct json_object *ctx;
	char title[64];
	if (wants_json(r)) {
		req_json_error(r, status, error, detail);
		return;
	}
	ctx = json_object_new_object();
	snprintf(title, sizeof title, "%d %s", status, req_reason(status));
	json_object_object_add(ctx, "title", json_object_new_string(title));
	json_object_object_add(ctx, "status", json_object_new_int(status));
	json_object_object_add(ctx, "reason", json_object_new_string(req_reason(status)));
	json_object_object_add(ctx, "error", json_object_new_string(error));
	json_object_object_add(ctx, "detail", detail ? json_object_new_string(detail) : NULL);
	app_render_page(app, r, status, "error", ctx);
	json_object_put(ctx);
}

void api_stream_elsewhere(struct app *app, struct req *r)
{
	req_header(r, "Retry-After", "60");
	app_error(app, r, 503, "stream unavailable",
		  "Streams are served by gamewatch-stream on its own FastCGI socket, and this web "
		  "server sends them to the page workers; poll the JSON API instead.");
}

/* Answer an enforcement failure with the row's error kind. */
static void refuse(struct app *app, struct req *r, int status, const char *detail)
{
	const char *error = status == 400 ? "bad request"
			    : status == 401 ? "unauthorized"
			    : status == 403 ? "forbidden"
			    : status == 413 ? "payload too large"
			    : status == 429 ? "too many requests"
			    : status == 503 ? "service unavailable"
			    : "error";
	app_error(app, r, status, error, detail);
}

void app_handle(struct app *app, struct req *r)
{
	struct route_match m;
	const struct route *rt;
	char err[256];
	size_t body_max;
	int st, retry;

	if (!route_lookup(r, &m)) {
		if (m.allowed) {
			char allow[64];
			route_methods_text(m.allowed, allow, sizeof allow);
			req_header(r, "Allow", allow);
			app_error(app, r, 405, "method not allowed", "This resource does not answer that method.");
		} else {
			struct buf d = BUF_INIT;
			buf_addf(&d, "No page or resource has the path %s.", r->path);
			app_error(app, r, 404, "not found", d.data);
			buf_release(&d);
		}
		return;
	}
	rt = m.route;
	r->route = rt;
	r->module = m.module;

	st = guard_rate(app, r, &retry);
	if (st) {
		char v[16];
		snprintf(v, sizeof v, "%d", retry);
		req_header(r, "Retry-After", v);
		snprintf(err, sizeof err, "Too many requests from your address; try again in %d s.", retry);
		refuse(app, r, st, err);
		return;
	}
	st = guard_role(app, r);
	if (st) {
		refuse(app, r, st, rt->role == ROLE_OPERATOR
			? "This resource is for the operator: call it from the host itself or with the operator's bearer token."
			: st == 401 ? "Sign in first: this resource needs an account (/login)."
			: st == 403 ? "Your account's role does not allow this resource."
			: "The sign-in could not be checked: the database is unavailable.");
		return;
	}
	body_max = rt->body_max < app->cfg.max_body_bytes ? rt->body_max : app->cfg.max_body_bytes;
	/* read and parsed, or (BODY_RAW) only its declared length checked */
	st = req_take_body(r, body_max, err, sizeof err);
	if (st == 413 && !body_max)
		snprintf(err, sizeof err, "This resource takes no request body.");
	if (!st)
		st = guard_csrf(app, r, err, sizeof err);
	if (st) {
		refuse(app, r, st, err);
		return;
	}
	rt->fn(app, r);
	if (!r->streaming)
		req_cache_control(r);
}
