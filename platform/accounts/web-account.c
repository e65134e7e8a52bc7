/* web-account.c: what a signed-in user sees and keeps (accounts.h): the
 * account page, identities, sessions, the watchlist and saved filters
 * (generic over modules: (module, kind, key) and paths under /<module>/),
 * the export of one's data and the deletion of one's account; the public
 * profile page and who is on the site. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "log.h"
#include "platform/accounts/accounts.h"
#include "platform/accounts/provider.h"
#include "platform/accounts/web.h"
#include "platform/assets/assets.h"
#include "platform/module.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "timeutil.h"

#define WATCH_KEY_MAX 200
#define WATCH_LABEL_MAX 200
#define FILTER_NAME_MAX 80
#define FILTER_PATH_MAX 1000

static const struct gw_watch_kind *watch_kind(const char *module, const char *kind)
{
	const struct gw_module *m = module ? gw_module_find(module) : NULL;
	const struct gw_watch_kind *k;
	for (k = m ? m->accounts.watch_kinds : NULL; k && k->kind; k++)
		if (kind && !strcmp(k->kind, kind))
			return k;
	return NULL;
}

static const char *json_str(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* ---- /account ------------------------------------------------------------- */

void page_account(struct app *app, struct req *r)
{
	struct json_object *doc = acct_export(&app->db, r->auth.user_id), *ctx, *w, *ids, *links;
	size_t i, n;

	if (!doc) {
		app_error(app, r, 503, "database unavailable", "Your account could not be read.");
		return;
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string("Your account"));
	/* watchlist entries get the module's link */
	if (json_object_object_get_ex(doc, "watchlist", &w)) {
		n = json_object_array_length(w);
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(w, i);
			const struct gw_watch_kind *k = watch_kind(json_str(e, "module"), json_str(e, "kind"));
			if (k) {
				struct buf href = BUF_INIT;
				buf_addstr(&href, k->href_prefix);
				url_path(&href, json_str(e, "key"));
				json_object_object_add(e, "href", json_object_new_string(href.data));
				json_object_object_add(e, "kind_label", json_object_new_string(k->label));
				buf_release(&href);
			}
		}
	}
	if (json_object_object_get_ex(doc, "identities", &ids)) {
		n = json_object_array_length(ids);
		for (i = 0; i < n; i++)
			json_object_object_add(json_object_array_get_idx(ids, i), "can_unlink",
					       json_object_new_boolean(n > 1));
	}
	links = json_object_new_array();
	{
		const struct signin_provider *p;
		size_t k;
		for (k = 0; (p = signin_each(k)); k++) {
			struct json_object *o;
			if (p->configured && !p->configured())
				continue;
			o = json_object_new_object();
			json_object_object_add(o, "name", json_object_new_string(p->name));
			json_object_object_add(o, "label", json_object_new_string(p->label));
			json_object_array_add(links, o);
		}
	}
	json_object_object_add(ctx, "link_providers", links);
	json_object_object_add(ctx, "account", doc);
	acct_render(app, r, 200, "account", ctx);
	json_object_put(ctx);
}

void form_account_unlink(struct app *app, struct req *r)
{
	int64_t id = acct_arg_id(r, 0);
	int rc = id > 0 ? acct_identity_unlink(&app->db, r->auth.user_id, id) : 0;
	if (rc < 0 && rc != -2) {
		app_error(app, r, 503, "database unavailable", "The identity could not be unlinked.");
		return;
	}
	if (rc == 0) {
		app_error(app, r, 404, "not found", "You have no such identity.");
		return;
	}
	if (rc == -2) {
		app_error(app, r, 409, "last identity",
			  "This is the only way to sign in to your account: link another first.");
		return;
	}
	acct_see_other(r, "/account");
}

void form_account_revoke(struct app *app, struct req *r)
{
	if (acct_revoke_sessions(&app->db, r->auth.user_id, r->auth.session_hash) < 0) {
		app_error(app, r, 503, "database unavailable", "The sessions could not be revoked.");
		return;
	}
	acct_see_other(r, "/account");
}

/* ---- watchlist ------------------------------------------------------------------ */

/* Validate module, kind, key and label of a watch request (query or form).
 * Returns the kind, or NULL after answering 400. */
static const struct gw_watch_kind *watch_args(struct app *app, struct req *r, bool form,
					      const char **module, const char **key,
					      const char **label)
{
	const char *kind;
	const struct gw_watch_kind *k;
	*module = form ? acct_field(r, "module") : req_param(r, "module");
	kind = form ? acct_field(r, "kind") : req_param(r, "kind");
	*key = form ? acct_field(r, "key") : req_param(r, "key");
	*label = form ? acct_field(r, "label") : req_param(r, "label");
	k = watch_kind(*module, kind);
	if (!k) {
		app_error(app, r, 400, "bad request", "module and kind must name something a module lets you watch.");
		return NULL;
	}
	if (!acct_text_ok(*key, WATCH_KEY_MAX)) {
		app_error(app, r, 400, "bad request", "key must be 1 to 200 bytes.");
		return NULL;
	}
	if (!*label || !**label)
		*label = *key;
	if (!acct_text_ok(*label, WATCH_LABEL_MAX)) {
		app_error(app, r, 400, "bad request", "label must be at most 200 bytes of text.");
		return NULL;
	}
	return k;
}

void page_watch_confirm(struct app *app, struct req *r)
{
	const char *module, *key, *label;
	const struct gw_watch_kind *k = watch_args(app, r, false, &module, &key, &label);
	struct json_object *ctx;
	if (!k)
		return;
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string("Watch"));
	json_object_object_add(ctx, "module", json_object_new_string(module));
	json_object_object_add(ctx, "kind", json_object_new_string(k->kind));
	json_object_object_add(ctx, "kind_label", json_object_new_string(k->label));
	json_object_object_add(ctx, "key", json_object_new_string(key));
	json_object_object_add(ctx, "label", json_object_new_string(label));
	acct_render(app, r, 200, "account-watch", ctx);
	json_object_put(ctx);
}

void form_watch_add(struct app *app, struct req *r)
{
	const char *module, *key, *label;
	const struct gw_watch_kind *k = watch_args(app, r, true, &module, &key, &label);
	int rc;
	if (!k)
		return;
	rc = acct_watch_add(&app->db, r->auth.user_id, module, k->kind, key, label);
	if (rc < 0) {
		app_error(app, r, 503, "database unavailable", "The watchlist could not be saved.");
		return;
	}
	if (rc == 0) {
		app_error(app, r, 409, "watchlist full", "Your watchlist holds 500 entries already.");
		return;
	}
	acct_see_other(r, "/account");
}

void form_watch_remove(struct app *app, struct req *r)
{
	const char *module = acct_field(r, "module"), *kind = acct_field(r, "kind");
	const char *key = acct_field(r, "key");
	if (!module || !kind || !key) {
		app_error(app, r, 400, "bad request", "module, kind and key are needed.");
		return;
	}
	if (acct_watch_remove(&app->db, r->auth.user_id, module, kind, key) < 0) {
		app_error(app, r, 503, "database unavailable", "The watchlist could not be saved.");
		return;
	}
	acct_see_other(r, "/account");
}

/* ---- saved filters ------------------------------------------------------------------ */

/* The module a saved path belongs to: "/<module>/..." of an enabled module,
 * a safe local path of at most FILTER_PATH_MAX bytes. */
static const struct gw_module *filter_module(const char *path)
{
	const struct gw_module *const *m;
	if (!path || strlen(path) > FILTER_PATH_MAX || !acct_safe_next(path))
		return NULL;
	for (m = gw_modules(); *m; m++) {
		size_t n = strlen((*m)->name);
		if (!strncmp(path + 1, (*m)->name, n) && path[1 + n] == '/')
			return *m;
	}
	return NULL;
}

void page_filter_new(struct app *app, struct req *r)
{
	const char *path = req_param(r, "path");
	const struct gw_module *m = filter_module(path);
	struct json_object *ctx;
	if (!m) {
		app_error(app, r, 400, "bad request", "path must be a page of a game on this site (/<game>/...).");
		return;
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string("Save this filter"));
	json_object_object_add(ctx, "path", json_object_new_string(path));
	json_object_object_add(ctx, "module_title", json_object_new_string(m->title));
	acct_render(app, r, 200, "account-filter", ctx);
	json_object_put(ctx);
}

void form_filter_add(struct app *app, struct req *r)
{
	const char *path = acct_field(r, "path"), *name = acct_field(r, "name");
	const struct gw_module *m = filter_module(path);
	int rc;
	if (!m) {
		app_error(app, r, 400, "bad request", "path must be a page of a game on this site (/<game>/...).");
		return;
	}
	if (!acct_text_ok(name, FILTER_NAME_MAX)) {
		app_error(app, r, 400, "bad request", "name must be 1 to 80 bytes of text.");
		return;
	}
	rc = acct_filter_add(&app->db, r->auth.user_id, m->name, name, path);
	if (rc < 0) {
		app_error(app, r, 503, "database unavailable", "The filter could not be saved.");
		return;
	}
	if (rc == 0) {
		app_error(app, r, 409, "too many filters", "You have saved 100 filters already.");
		return;
	}
	acct_see_other(r, "/account");
}

void form_filter_delete(struct app *app, struct req *r)
{
	int64_t id = acct_arg_id(r, 0);
	int rc = id > 0 ? acct_filter_delete(&app->db, r->auth.user_id, id) : 0;
	if (rc < 0) {
		app_error(app, r, 503, "database unavailable", "The filter could not be deleted.");
		return;
	}
	if (rc == 0) {
		app_error(app, r, 404, "not found", "You have no such saved filter.");
		return;
	}
	acct_see_other(r, "/account");
}

/* ---- export and deletion ------------------------------------------------------------ */

void page_account_export(struct app *app, struct req *r)
{
	struct json_object *doc = acct_export(&app->db, r->auth.user_id);
	char cd[96];
	if (!doc) {
		app_error(app, r, 503, "database unavailable", "Your data could not be read.");
		return;
	}
	snprintf(cd, sizeof cd, "attachment; filename=\"gamewatch-account-%" PRId64 ".json\"",
		 r->auth.user_id);
	req_header(r, "Content-Disposition", cd);
	req_json(r, 200, doc);
	json_object_put(doc);
}

void form_account_delete(struct app *app, struct req *r)
{
	const char *confirm = acct_field(r, "confirm");
	int64_t uid = r->auth.user_id;
	if (!confirm || strcmp(confirm, "delete")) {
		app_error(app, r, 400, "not confirmed", "Type delete in the box to delete your account.");
		return;
	}
	if (acct_delete(&app->db, uid) < 0) {
		app_error(app, r, 503, "database unavailable", "Your account could not be deleted.");
		return;
	}
	log_info("user %" PRId64 " deleted their account", uid);
	acct_sign_out(app, r);
	acct_see_other(r, "/");
}

/* ---- public profile and presence --------------------------------------------------- */

void page_user(struct app *app, struct req *r)
{
	int64_t id = acct_arg_id(r, 0);
	int found = 0;
	struct json_object *p = id > 0 ? acct_public_profile(&app->db, id, assets_cdn_base(), &found) : NULL;
	struct json_object *ctx, *acts, *ids;
	const struct gw_module *const *m;

	if (id > 0 && found < 0) {
		app_error(app, r, 503, "database unavailable", "The profile could not be read.");
		return;
	}
	if (!p) {
		app_error(app, r, 404, "not found", "There is no such user.");
		return;
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string(json_str(p, "name")));
	acts = json_object_new_array();
	json_object_object_get_ex(p, "identities", &ids);
	for (m = gw_modules(); *m; m++) {
		struct json_object *a;
		if (!(*m)->accounts.profile || !ids || !json_object_array_length(ids))
			continue;
		a = (*m)->accounts.profile(app, ids);
		if (a)
			json_object_array_add(acts, a);
	}
	json_object_object_add(ctx, "activity", acts);
	json_object_object_add(ctx, "user", p);
	acct_render(app, r, 200, "user", ctx);
	json_object_put(ctx);
}

void api_presence_site(struct app *app, struct req *r)
{
	int64_t now = time_now_ms();
	struct json_object *users = acct_presence_list(app, now, assets_cdn_base()), *o;
	char when[32];
	if (!users) {
		req_json_error(r, 503, "service unavailable", "Presence could not be read (Redis or the database).");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "window_seconds", json_object_new_int(ACCT_PRESENCE_WINDOW_MS / 1000));
	json_object_object_add(o, "count", json_object_new_int((int)json_object_array_length(users)));
	json_object_object_add(o, "users", users);
	json_object_object_add(o, "time", json_object_new_string(time_iso8601(now, when, sizeof when)));
	req_json(r, 200, o);
	json_object_put(o);
}
