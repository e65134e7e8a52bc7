/* app.c: worker state, dispatch, the current-lobby cache and page chrome. */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gzip.h"
#include "log.h"
#include "req.h"
#include "route.h"
#include "store/bzcc-store.h"
#include "timeutil.h"

int app_init(struct app *app)
{
	char err[256];
	memset(app, 0, sizeof *app);
	cfg_load_env(&app->cfg);
	app->tmpl = tmpl_set_load_dir(app->cfg.template_dir, err, sizeof err);
	if (!app->tmpl) {
		log_error("could not load templates from %s: %s", app->cfg.template_dir, err);
		return -1;
	}
	/* connect on first use: a worker serving the cached lobby never needs it */
	db_init_lazy(&app->db, app->cfg.database_url);
	kv_open(&app->kv, app->cfg.redis_url, 500);
	app->lobby.dirty = true;
	if (kv_open(&app->sub, app->cfg.redis_url, 500) == 0)
		kv_subscribe(&app->sub, BZCC_CHANNEL);
	buf_init(&app->lobby.json[0], 0);
	buf_init(&app->lobby.json[1], 0);
	buf_init(&app->lobby.gz[0], 0);
	buf_init(&app->lobby.gz[1], 0);
	return 0;
}

static void lobby_cache_clear(struct lobby_cache *c)
{
	if (c->doc)
		json_object_put(c->doc);
	c->doc = NULL;
	c->version = 0;
	buf_reset(&c->json[0]);
	buf_reset(&c->json[1]);
	buf_reset(&c->gz[0]);
	buf_reset(&c->gz[1]);
}

void app_free(struct app *app)
{
	lobby_cache_clear(&app->lobby);
	buf_release(&app->lobby.json[0]);
	buf_release(&app->lobby.json[1]);
	buf_release(&app->lobby.gz[0]);
	buf_release(&app->lobby.gz[1]);
	tmpl_set_free(app->tmpl);
	db_close(&app->db);
	kv_close(&app->kv);
	kv_close(&app->sub);
}

static bool is_json_path(const char *path)
{
	return !strncmp(path, "/api/", 5) || !strcmp(path, "/healthz");
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
	if (is_json_path(r->path ? r->path : "/")) {
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

/* Is the data stale: no successful poll within cfg.stale_after_s? */
static bool poll_stale(const struct app *app, struct json_object *doc)
{
	struct json_object *poll, *ms;
	if (!json_object_object_get_ex(doc, "poll", &poll) ||
	    !json_object_object_get_ex(poll, "last_success_ms", &ms) ||
	    !json_object_is_type(ms, json_type_int))
		return true;
	return time_now_ms() - json_object_get_int64(ms) > app->cfg.stale_after_s * 1000LL;
}

static void set_stale(struct json_object *doc, bool stale)
{
	struct json_object *poll;
	if (json_object_object_get_ex(doc, "poll", &poll) && json_object_is_type(poll, json_type_object))
		json_object_object_add(poll, "stale", json_object_new_boolean(stale));
	json_object_object_add(doc, "stale", json_object_new_boolean(stale));
}

/* Read the version counter; -1 when Redis is unavailable, 0 when unset. */
static long long lobby_version(struct app *app)
{
	const char *argv[] = { "GET", BZCC_KEY_VERSION };
	redisReply *rep = kv_cmd(&app->kv, 2, argv, NULL);
	long long v = -1;
	if (!rep)
		return -1;
	if (rep->type == REDIS_REPLY_STRING)
		v = atoll(rep->str);
	else if (rep->type == REDIS_REPLY_NIL)
		v = 0;
	freeReplyObject(rep);
	return v;
}

/* Has the cached lobby possibly changed? Reads pending change messages
 * without blocking; while the subscription is down (retried every 5 s) every
 * call must revalidate. */
static bool lobby_maybe_changed(struct app *app)
{
	struct lobby_cache *c = &app->lobby;
	if (!app->sub.ctx && app->sub.host && time_mono_ms() >= app->sub_retry_ms) {
		app->sub_retry_ms = time_mono_ms() + 5000;
		if (kv_ensure(&app->sub) == 0 && kv_subscribe(&app->sub, BZCC_CHANNEL) == 0)
			c->dirty = true; /* messages may have been missed meanwhile */
	}
	if (!app->sub.ctx)
		return true;
	if (kv_poll_messages(&app->sub) != 0)
		c->dirty = true; /* messages arrived, or the connection was lost */
	return c->dirty || !c->version;
}

int app_current_lobby(struct app *app, struct json_object **doc, const struct buf **json)
{
	struct lobby_cache *c = &app->lobby;
	long long v = c->version;
	bool stale;

	if (lobby_maybe_changed(app))
		v = lobby_version(app);
	if (v <= 0 || v != c->version) {
		struct json_object *fresh = NULL;
		if (v > 0) {
			struct buf raw = BUF_INIT;
			if (kv_get(&app->kv, BZCC_KEY_CURRENT, &raw) == 1)
				fresh = json_tokener_parse(raw.data);
			buf_release(&raw);
		}
		if (!fresh) {
			/* Redis down or empty: rebuild from the truth, uncached */
			fresh = bzcc_store_current_doc(&app->db, time_now_ms());
			v = 0;
		}
		if (!fresh)
			return -1;
		lobby_cache_clear(c);
		c->doc = fresh;
		c->version = v;
	}
	if (v > 0)
		c->dirty = false;
	stale = poll_stale(app, c->doc);
	set_stale(c->doc, stale);
	c->stale = stale;
	if (!c->json[stale].len) {
		size_t len;
		const char *s = json_object_to_json_string_length(c->doc, JSON_C_TO_STRING_PLAIN, &len);
		buf_add(&c->json[stale], s, len);
	}
	*doc = c->doc;
	*json = &c->json[stale];
	return 0;
}

const struct buf *app_current_lobby_gzip(struct app *app)
{
	struct lobby_cache *c = &app->lobby;
	int i = c->stale;
	if (!c->gz[i].len && gzip_compress(c->json[i].data, c->json[i].len, 6, &c->gz[i]) < 0)
		return NULL;
	return &c->gz[i];
}

void app_handle(struct app *app, struct req *r)
{
	const struct route *rt = route_match(r);
	if (!rt) {
		struct buf d = BUF_INIT;
		buf_addf(&d, "No page or resource has the path %s.", r->path);
		app_error(app, r, 404, "not found", d.data);
		buf_release(&d);
		return;
	}
	if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) {
		req_header(r, "Allow", "GET, HEAD");
		app_error(app, r, 405, "method not allowed", "This resource answers GET and HEAD only.");
		return;
	}
	rt->fn(app, r);
}
