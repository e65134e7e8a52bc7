/* web-admin.c: the admin pages (rows in platform/web/route.c, ROLE_ADMIN
 * unless said otherwise): the index (ROLE_CURATOR: curators see their
 * part), consolidated health, job runs and log files, cache controls,
 * feature flags, users and roles, bans, the audit log. Every change is
 * audited (admin.h); modules add their own admin pages through their route
 * rows and list them in accounts.admin_nav. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "kv.h"
#include "log.h"
#include "platform/accounts/accounts.h"
#include "platform/accounts/web.h"
#include "platform/admin/admin.h"
#include "platform/admin/audit.h"
#include "platform/admin/flags.h"
#include "platform/module.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "timeutil.h"

#define LOG_TAIL_BYTES (64 * 1024) /* read at most this much of a log file's end */
#define LOG_TAIL_LINES 200
#define USERS_PAGE 50
#define AUDIT_PAGE 50

static void add_pretty(struct json_object *ctx, const char *key, struct json_object *v)
{
	json_object_object_add(ctx, key, json_object_new_string(
		json_object_to_json_string_ext(v, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)));
}

/* ---- index ------------------------------------------------------------------ */

void page_admin_index(struct app *app, struct req *r)
{
	struct json_object *ctx = json_object_new_object(), *mods = json_object_new_array();
	struct json_object *q = admin_queue_depths(&app->db);
	const struct gw_module *const *m;
	for (m = gw_modules(); *m; m++) {
		const struct gw_nav *n;
		for (n = (*m)->accounts.admin_nav; n && n->label; n++) {
			struct json_object *o = json_object_new_object();
			json_object_object_add(o, "label", json_object_new_string(n->label));
			json_object_object_add(o, "href", json_object_new_string(n->href));
			json_object_object_add(o, "module", json_object_new_string((*m)->title));
			json_object_array_add(mods, o);
		}
	}
	json_object_object_add(ctx, "title", json_object_new_string("Admin"));
	json_object_object_add(ctx, "module_pages", mods);
	json_object_object_add(ctx, "queues", q);
	acct_render(app, r, 200, "admin-index", ctx);
	json_object_put(ctx);
}

/* ---- health ------------------------------------------------------------------- */

void page_admin_health(struct app *app, struct req *r)
{
	struct json_object *ctx = json_object_new_object(), *mods = json_object_new_array();
	const struct gw_module *const *m;
	bool db_ok = db_ping(&app->db), kv_ok = kv_ping(&app->kv);
	char when[32];

	json_object_object_add(ctx, "title", json_object_new_string("Health"));
	json_object_object_add(ctx, "database", json_object_new_boolean(db_ok));
	json_object_object_add(ctx, "redis", json_object_new_boolean(kv_ok));
	json_object_object_add(ctx, "time", json_object_new_string(time_iso8601(time_now_ms(), when, sizeof when)));
	for (m = gw_modules(); *m; m++) {
		struct json_object *o = json_object_new_object(), *h = json_object_new_object();
		int st = 0;
		if ((*m)->health && db_ok)
			st = (*m)->health(app, h);
		json_object_object_add(o, "name", json_object_new_string((*m)->name));
		json_object_object_add(o, "title", json_object_new_string((*m)->title));
		json_object_object_add(o, "stale", json_object_new_boolean(st != 0));
		add_pretty(o, "detail", h);
		json_object_put(h);
		json_object_array_add(mods, o);
	}
	json_object_object_add(ctx, "modules", mods);
	if (db_ok) {
		json_object_object_add(ctx, "flags", flag_list(&app->db));
		json_object_object_add(ctx, "queues", admin_queue_depths(&app->db));
		json_object_object_add(ctx, "jobs", admin_job_status(&app->db));
	}
	acct_render(app, r, db_ok ? 200 : 503, "admin-health", ctx);
	json_object_put(ctx);
}

/* ---- logs --------------------------------------------------------------------- */

/* The last LOG_TAIL_LINES lines of `path` (at most LOG_TAIL_BYTES read
 * from its end) into out; a one-line error instead when it cannot be
 * read. */
static void tail_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	long size, from;
	char chunk[4096];
	size_t n, i, lines = 0, start = 0;
	struct buf raw = BUF_INIT;
	if (!f) {
		buf_addf(out, "(cannot open: %s)", strerror(errno));
		return;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0) {
		from = size > LOG_TAIL_BYTES ? size - LOG_TAIL_BYTES : 0;
		fseek(f, from, SEEK_SET);
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&raw, chunk, n);
	fclose(f);
	for (i = raw.len; i-- > 0;)
		if (raw.data[i] == '\n' && i + 1 < raw.len && ++lines >= LOG_TAIL_LINES) {
			start = i + 1;
			break;
		}
	buf_add(out, raw.data + start, raw.len - start);
	buf_release(&raw);
}

void page_admin_logs(struct app *app, struct req *r)
{
	struct json_object *ctx = json_object_new_object(), *files = json_object_new_array();
	const char *list = getenv("GW_ADMIN_LOG_FILES");
	bool failed = req_param(r, "failed") && !strcmp(req_param(r, "failed"), "1");
	struct json_object *runs = admin_job_runs(&app->db, 100, failed);

	if (!runs) {
		json_object_put(ctx);
		json_object_put(files);
		app_error(app, r, 503, "database unavailable", "The job runs could not be read.");
		return;
	}
	/* GW_ADMIN_LOG_FILES: comma-separated absolute paths the operator
	 * chose to show here (the app's and jobs' logs); nothing else is read */
	if (list && *list) {
		struct buf copy = BUF_INIT;
		char *save = NULL, *p;
		buf_addstr(&copy, list);
		for (p = strtok_r(copy.data, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			struct json_object *o;
			struct buf text = BUF_INIT;
			if (*p != '/')
				continue;
			tail_file(p, &text);
			o = json_object_new_object();
			json_object_object_add(o, "path", json_object_new_string(p));
			json_object_object_add(o, "text", json_object_new_string_len(text.data, (int)text.len));
			json_object_array_add(files, o);
			buf_release(&text);
		}
		buf_release(&copy);
	}
	json_object_object_add(ctx, "title", json_object_new_string("Logs"));
	json_object_object_add(ctx, "failed_only", json_object_new_boolean(failed));
	json_object_object_add(ctx, "runs", runs);
	json_object_object_add(ctx, "files", files);
	acct_render(app, r, 200, "admin-logs", ctx);
	json_object_put(ctx);
}

/* ---- cache -------------------------------------------------------------------- */

void page_admin_cache(struct app *app, struct req *r)
{
	struct json_object *ctx = json_object_new_object(), *mods = json_object_new_array();
	const struct gw_module *const *m;
	for (m = gw_modules(); *m; m++)
		if ((*m)->enrich.refresh) {
			struct json_object *o = json_object_new_object();
			json_object_object_add(o, "name", json_object_new_string((*m)->name));
			json_object_object_add(o, "title", json_object_new_string((*m)->title));
			json_object_array_add(mods, o);
		}
	json_object_object_add(ctx, "title", json_object_new_string("Caches"));
	json_object_object_add(ctx, "modules", mods);
	json_object_object_add(ctx, "done", req_param(r, "done") ? json_object_new_string(req_param(r, "done")) : NULL);
	acct_render(app, r, 200, "admin-cache", ctx);
	json_object_put(ctx);
}

/* Delete every Redis key matching `pattern` (SCAN, then DEL in batches).
 * Returns how many went, or -1. */
static long kv_delete_matching(struct kv *kv, const char *pattern)
{
	char cursor[32] = "0";
	long n = 0;
	do {
		const char *argv[6] = { "SCAN", cursor, "MATCH", pattern, "COUNT", "500" };
		redisReply *rep = kv_cmd(kv, 6, argv, NULL), *keys;
		size_t i;
		if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
		    rep->element[0]->type != REDIS_REPLY_STRING) {
			if (rep)
				freeReplyObject(rep);
			return -1;
		}
		snprintf(cursor, sizeof cursor, "%s", rep->element[0]->str);
		keys = rep->element[1];
		for (i = 0; i < keys->elements; i++) {
			const char *del[2] = { "DEL", keys->element[i]->str };
			redisReply *d = kv_cmd(kv, 2, del, NULL);
			if (d && d->type == REDIS_REPLY_INTEGER)
				n += d->integer;
			if (d)
				freeReplyObject(d);
		}
		freeReplyObject(rep);
	} while (strcmp(cursor, "0"));
	return n;
}

void form_admin_cache(struct app *app, struct req *r)
{
	const char *what = acct_field(r, "what"), *module = acct_field(r, "module");
	struct json_object *after = json_object_new_object();
	struct buf target = BUF_INIT, back = BUF_INIT;
	long n = 0;
	if (!what) {
		json_object_put(after);
		app_error(app, r, 400, "bad request", "what must be refresh, rate or presence.");
		return;
	}
	if (!strcmp(what, "refresh")) {
		const struct gw_module *m = module ? gw_module_find(module) : NULL;
		if (!m || !m->enrich.refresh) {
			json_object_put(after);
			app_error(app, r, 400, "bad request", "module must be an enabled module with cached views.");
			return;
		}
		if (m->enrich.refresh(&app->db, &app->kv, time_now_ms()) < 0) {
			json_object_put(after);
			app_error(app, r, 503, "refresh failed", "The module could not rebuild its views.");
			return;
		}
		buf_addf(&target, "cache:%s", m->name);
	} else if (!strcmp(what, "rate") || !strcmp(what, "presence")) {
		n = !strcmp(what, "rate") ? kv_delete_matching(&app->kv, "gw:rate:*")
					  : kv_delete_matching(&app->kv, ACCT_PRESENCE_KEY);
		if (n < 0) {
			json_object_put(after);
			app_error(app, r, 503, "Redis unavailable", "The keys could not be deleted.");
			return;
		}
		json_object_object_add(after, "keys_deleted", json_object_new_int64(n));
		buf_addf(&target, "cache:%s", what);
	} else {
		json_object_put(after);
		app_error(app, r, 400, "bad request", "what must be refresh, rate or presence.");
		return;
	}
	json_object_object_add(after, "what", json_object_new_string(what));
	admin_note(&app->db, r, "cache.flush", target.data, after);
	json_object_put(after);
	buf_addstr(&back, "/admin/cache?done=");
	url_arg(&back, what);
	acct_see_other(r, back.data);
	buf_release(&target);
	buf_release(&back);
}

/* ---- flags -------------------------------------------------------------------- */

void page_admin_flags(struct app *app, struct req *r)
{
	struct json_object *flags = flag_list(&app->db), *ctx;
	if (!flags) {
		app_error(app, r, 503, "database unavailable", "The flags could not be read.");
		return;
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string("Feature flags"));
	json_object_object_add(ctx, "flags", flags);
	acct_render(app, r, 200, "admin-flags", ctx);
	json_object_put(ctx);
}

void form_admin_flags(struct app *app, struct req *r)
{
	const char *name = acct_field(r, "name"), *v = acct_field(r, "enabled");
	int st;
	if (!flag_def(name) || !v || (strcmp(v, "1") && strcmp(v, "0"))) {
		app_error(app, r, 400, "bad request", "name must be a known flag and enabled 1 or 0.");
		return;
	}
	st = admin_flag_set(&app->db, r, name, !strcmp(v, "1"));
	if (st) {
		app_error(app, r, 503, "database unavailable", "The flag could not be set.");
		return;
	}
	acct_see_other(r, "/admin/flags");
}

/* ---- users -------------------------------------------------------------------- */

void page_admin_users(struct app *app, struct req *r)
{
	const char *q = req_param(r, "q"), *role = req_param(r, "role"), *ps = req_param(r, "page");
	struct json_object *ctx, *doc, *v;
	long page = 1;
	char *end;
	if (q && !*q)
		q = NULL;
	if (role && !*role)
		role = NULL;
	if ((q && !acct_text_ok(q, 100)) || (role && acct_role_parse(role) < 0)) {
		app_error(app, r, 400, "bad request", "q must be at most 100 bytes of text, role user, curator or admin.");
		return;
	}
	if (ps) {
		page = strtol(ps, &end, 10);
		if (*end || page < 1 || page > 100000) {
			app_error(app, r, 400, "bad request", "page must be a number from 1.");
			return;
		}
	}
	doc = admin_users(&app->db, q, role, (int)(page - 1) * USERS_PAGE, USERS_PAGE);
	if (!doc) {
		app_error(app, r, 503, "database unavailable", "The users could not be read.");
		return;
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string("Users"));
	json_object_object_add(ctx, "q", json_object_new_string(q ? q : ""));
	json_object_object_add(ctx, "role", json_object_new_string(role ? role : ""));
	json_object_object_add(ctx, "page", json_object_new_int((int)page));
	if (json_object_object_get_ex(doc, "total", &v) &&
	    json_object_get_int64(v) > page * USERS_PAGE) {
		struct buf next = BUF_INIT;
		buf_addf(&next, "/admin/users?page=%ld", page + 1);
		if (q) {
			buf_addstr(&next, "&q=");
			url_arg(&next, q);
		}
		if (role) {
			buf_addstr(&next, "&role=");
			url_arg(&next, role);
		}
		json_object_object_add(ctx, "next_url", json_object_new_string(next.data));
		buf_release(&next);
	}
	json_object_object_add(ctx, "users", doc);
	json_object_object_add(ctx, "my_id", json_object_new_int64(r->auth.user_id));
	acct_render(app, r, 200, "admin-users", ctx);
	json_object_put(ctx);
}

static void user_result(struct app *app, struct req *r, int st)
{
	if (!st) {
		acct_see_other(r, "/admin/users");
		return;
	}
	app_error(app, r, st, st == 404 ? "not found" : st == 409 ? "refused" : "database unavailable",
		  st == 404 ? "There is no such user."
		  : st == 409 ? "An admin cannot change their own role or ban themselves."
		  : "The change could not be stored.");
}

void form_admin_user_role(struct app *app, struct req *r)
{
	int64_t id = acct_arg_id(r, 0);
	const char *role = acct_field(r, "role");
	if (id <= 0) {
		user_result(app, r, 404);
		return;
	}
	if (acct_role_parse(role) < 0) {
		app_error(app, r, 400, "bad request", "role must be user, curator or admin.");
		return;
	}
	user_result(app, r, admin_user_role(&app->db, r, id, role));
}

void form_admin_user_ban(struct app *app, struct req *r)
{
	int64_t id = acct_arg_id(r, 0);
	const char *reason = acct_field(r, "reason");
	if (id <= 0) {
		user_result(app, r, 404);
		return;
	}
	if (!reason || !acct_text_ok(reason, 500)) {
		app_error(app, r, 400, "bad request", "A ban needs a reason (at most 500 bytes of text).");
		return;
	}
	user_result(app, r, admin_user_ban(&app->db, r, id, true, reason));
}

void form_admin_user_unban(struct app *app, struct req *r)
{
	int64_t id = acct_arg_id(r, 0);
	user_result(app, r, id > 0 ? admin_user_ban(&app->db, r, id, false, NULL) : 404);
}

void form_admin_user_revoke(struct app *app, struct req *r)
{
	int64_t id = acct_arg_id(r, 0);
	user_result(app, r, id > 0 ? admin_user_revoke(&app->db, r, id) : 404);
}

/* ---- audit -------------------------------------------------------------------- */

void page_admin_audit(struct app *app, struct req *r)
{
	const char *before = req_param(r, "before"), *action = req_param(r, "action");
	struct json_object *doc, *ctx, *entries, *next;
	long long b = 0;
	char *end;
	size_t i, n;
	if (action && !*action)
		action = NULL;
	if (before) {
		b = strtoll(before, &end, 10);
		if (*end || b < 1) {
			app_error(app, r, 400, "bad request", "before must be an entry id.");
			return;
		}
	}
	if (action && !acct_text_ok(action, 64)) {
		app_error(app, r, 400, "bad request", "action must be at most 64 bytes of text.");
		return;
	}
	doc = audit_page(&app->db, b, AUDIT_PAGE, action);
	if (!doc) {
		app_error(app, r, 503, "database unavailable", "The audit log could not be read.");
		return;
	}
	if (json_object_object_get_ex(doc, "entries", &entries)) {
		n = json_object_array_length(entries);
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(entries, i), *v;
			if (json_object_object_get_ex(e, "before", &v) && v)
				add_pretty(e, "before_text", v);
			if (json_object_object_get_ex(e, "after", &v) && v)
				add_pretty(e, "after_text", v);
		}
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string("Audit log"));
	json_object_object_add(ctx, "action", json_object_new_string(action ? action : ""));
	if (json_object_object_get_ex(doc, "next_before", &next) && next) {
		struct buf u = BUF_INIT;
		buf_addf(&u, "/admin/audit?before=%lld", (long long)json_object_get_int64(next));
		if (action) {
			buf_addstr(&u, "&action=");
			url_arg(&u, action);
		}
		json_object_object_add(ctx, "next_url", json_object_new_string(u.data));
		buf_release(&u);
	}
	json_object_object_add(ctx, "audit", doc);
	acct_render(app, r, 200, "admin-audit", ctx);
	json_object_put(ctx);
}
