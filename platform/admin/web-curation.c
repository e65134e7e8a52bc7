/* web-curation.c: proposing corrections (any signed-in user) and reviewing
 * them (curators), curation.h. The entity kinds and their fields are the
 * modules' (struct gw_curation_kind). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "img.h"
#include "log.h"
#include "platform/accounts/accounts.h"
#include "platform/accounts/web.h"
#include "platform/admin/curation.h"
#include "platform/assets/assets.h"
#include "platform/assets/mirror.h"
#include "platform/module.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "sha256.h"
#include "timeutil.h"

static const struct gw_curation_kind *curation_kind(const char *module, const char *kind,
						    const struct gw_module **mod)
{
	const struct gw_module *m = module ? gw_module_find(module) : NULL;
	const struct gw_curation_kind *k;
	*mod = m;
	for (k = m ? m->accounts.curation_kinds : NULL; k && k->kind; k++)
		if (kind && !strcmp(k->kind, kind))
			return k;
	return NULL;
}

/* The folder pictures of kind `kind` are stored in ("<module>/<kind>"),
 * into out; 0, or -1 when no enabled module has that picture kind. */
static int picture_dir(const char *kind, char *out, size_t outlen)
{
	size_t n, i;
	struct mirror_kind_slot *slots = mirror_kinds_enabled(&n);
	int ret = -1;
	for (i = 0; i < n; i++)
		if (!strcmp(slots[i].k->name, kind)) {
			snprintf(out, outlen, "%s", slots[i].dir);
			ret = 0;
			break;
		}
	free(slots);
	return ret;
}

static bool multiline_field(const char *name)
{
	return strstr(name, "description") != NULL;
}

/* Look the entity up and answer 400/404/503 when it cannot be curated.
 * Returns its current state (a new object) or NULL. */
static struct json_object *entity_current(struct app *app, struct req *r, const char *module,
					  const char *kind, const char *key,
					  const struct gw_curation_kind **k)
{
	const struct gw_module *m;
	struct json_object *cur;
	int err = 0;
	*k = curation_kind(module, kind, &m);
	if (!*k) {
		app_error(app, r, 400, "bad request", "module and kind must name something a module lets people curate.");
		return NULL;
	}
	if (!acct_text_ok(key, 200)) {
		app_error(app, r, 400, "bad request", "key must be 1 to 200 bytes of text.");
		return NULL;
	}
	cur = (*k)->current(&app->db, key, assets_cdn_base(), &err);
	if (!cur)
		app_error(app, r, err < 0 ? 503 : 404, err < 0 ? "database unavailable" : "not found",
			  err < 0 ? "The entity could not be read." : "There is no such entity.");
	return cur;
}

void page_curation_propose(struct app *app, struct req *r)
{
	const char *module = req_param(r, "module"), *kind = req_param(r, "kind"),
		   *key = req_param(r, "key");
	const struct gw_curation_kind *k;
	struct json_object *cur = entity_current(app, r, module, kind, key, &k), *ctx, *fields, *cf;
	const char *const *f;
	if (!cur)
		return;
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string("Propose a correction"));
	json_object_object_add(ctx, "module", json_object_new_string(module));
	json_object_object_add(ctx, "kind", json_object_new_string(k->kind));
	json_object_object_add(ctx, "kind_label", json_object_new_string(k->label));
	json_object_object_add(ctx, "key", json_object_new_string(key));
	json_object_object_add(ctx, "pictures", json_object_new_boolean(k->pictures));
	fields = json_object_new_array();
	json_object_object_get_ex(cur, "fields", &cf);
	for (f = k->fields; f && *f; f++) {
		struct json_object *o = json_object_new_object(), *v = NULL;
		if (cf)
			json_object_object_get_ex(cf, *f, &v);
		json_object_object_add(o, "name", json_object_new_string(*f));
		json_object_object_add(o, "value", json_object_get(v));
		json_object_object_add(o, "multiline", json_object_new_boolean(multiline_field(*f)));
		json_object_array_add(fields, o);
	}
	json_object_object_add(ctx, "fields", fields);
	json_object_object_add(ctx, "entity", cur);
	acct_render(app, r, 200, "curation-propose", ctx);
	json_object_put(ctx);
}

/* Multi-line text: acct_text_ok's rules with CR, LF and TAB allowed. */
static bool multiline_ok(const char *s, size_t max)
{
	struct buf flat = BUF_INIT;
	bool ok;
	size_t i;
	if (!s)
		return false;
	buf_addstr(&flat, s);
	for (i = 0; i < flat.len; i++)
		if (flat.data[i] == '\n' || flat.data[i] == '\r' || flat.data[i] == '\t')
			flat.data[i] = ' ';
	ok = acct_text_ok(flat.data, max);
	buf_release(&flat);
	return ok;
}

void form_curation_propose(struct app *app, struct req *r)
{
	const char *module = acct_field(r, "module"), *kind = acct_field(r, "kind"),
		   *key = acct_field(r, "key"), *note = acct_field(r, "note");
	const struct req_field *img = req_field(r, "image");
	const struct gw_curation_kind *k;
	struct json_object *cur = entity_current(app, r, module, kind, key, &k), *fields, *cf = NULL;
	const char *const *f;
	char sha[SHA256_HEX_LEN], why[200], dir[160];
	const char *image_sha = NULL;
	int64_t id;

	if (!cur)
		return;
	json_object_object_get_ex(cur, "fields", &cf);
	fields = json_object_new_object();
	for (f = k->fields; f && *f; f++) {
		char name[80];
		const char *v;
		struct json_object *now = NULL;
		snprintf(name, sizeof name, "field_%s", *f);
		v = acct_field(r, name);
		if (!v || !*v)
			continue;
		if (!multiline_ok(v, CURATION_FIELD_MAX) ||
		    (!multiline_field(*f) && strpbrk(v, "\r\n\t"))) {
			snprintf(why, sizeof why, "%s must be at most %d bytes of text%s.", *f,
				 CURATION_FIELD_MAX, multiline_field(*f) ? "" : " on one line");
			app_error(app, r, 400, "bad request", why);
			goto out;
		}
		if (cf && json_object_object_get_ex(cf, *f, &now) && now &&
		    !strcmp(json_object_get_string(now), v))
			continue; /* unchanged */
		json_object_object_add(fields, *f, json_object_new_string(v));
	}
	if (note && *note && !multiline_ok(note, CURATION_NOTE_MAX)) {
		app_error(app, r, 400, "bad request", "The note must be at most 2000 bytes of text.");
		goto out;
	}
	if (img && img->len > 0) {
		struct assets_cfg acfg;
		struct img_info info;
		struct img_limits lim;
		enum img_reject rj;
		char src[80];
		if (!k->pictures || picture_dir(k->kind, dir, sizeof dir) < 0) {
			app_error(app, r, 400, "bad request", "This kind takes no picture.");
			goto out;
		}
		if (assets_cfg_load(&acfg) < 0) {
			app_error(app, r, 500, "storage not configured", "Pictures cannot be stored here.");
			goto out;
		}
		/* exactly what the mirror does with a fetched picture */
		memset(&lim, 0, sizeof lim);
		lim.max_bytes = acfg.max_bytes;
		rj = img_validate(img->value, img->len, &lim, &info, why, sizeof why);
		if (rj != IMG_OK) {
			char msg[300];
			assets_cfg_release(&acfg);
			snprintf(msg, sizeof msg, "The picture was refused (%s): %s", img_reject_name(rj), why);
			log_info("curation upload refused (%s): %s", img_reject_name(rj), why);
			app_error(app, r, 400, "picture refused", msg);
			goto out;
		}
		sha256_hex(img->value, img->len, sha);
		snprintf(src, sizeof src, "upload:%s", sha);
		if (assets_put(&app->db, &acfg, k->kind, dir, src, img->value, img->len, &info,
			       time_now_ms(), sha, why, sizeof why) < 0) {
			assets_cfg_release(&acfg);
			log_error("curation upload not stored: %s", why);
			app_error(app, r, 503, "storage unavailable", "The picture could not be stored.");
			goto out;
		}
		assets_cfg_release(&acfg);
		image_sha = sha;
	}
	if (!json_object_object_length(fields) && !image_sha) {
		app_error(app, r, 400, "nothing to propose",
			  "Change at least one field or choose a picture.");
		goto out;
	}
	id = curation_propose(&app->db, r->auth.user_id, module, k->kind, key, fields, image_sha,
			      note && *note ? note : NULL);
	if (id < 0) {
		app_error(app, r, 503, "database unavailable", "The proposal could not be stored.");
		goto out;
	}
	log_info("proposal %" PRId64 " for %s %s %s by user %" PRId64, id, module, k->kind, key,
		 r->auth.user_id);
	acct_see_other(r, "/account#proposals");
out:
	json_object_put(fields);
	json_object_put(cur);
}

/* ---- review ------------------------------------------------------------------------ */

/* Add "current" (the entity as shown now), "label" and "href" to each
 * proposal of `list`, and "propose_href" to each queue entry. */
static void decorate(struct app *app, struct json_object *list)
{
	size_t i, n = list ? json_object_array_length(list) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(list, i), *v, *cur = NULL, *fields;
		const char *module = NULL, *kind = NULL, *key = NULL;
		const struct gw_module *m;
		const struct gw_curation_kind *k;
		int err = 0;
		if (json_object_object_get_ex(p, "module", &v))
			module = json_object_get_string(v);
		if (json_object_object_get_ex(p, "entity_kind", &v))
			kind = json_object_get_string(v);
		if (json_object_object_get_ex(p, "entity_key", &v))
			key = json_object_get_string(v);
		k = curation_kind(module, kind, &m);
		if (k && key)
			cur = k->current(&app->db, key, assets_cdn_base(), &err);
		if (cur) {
			struct json_object *lab, *href;
			if (json_object_object_get_ex(cur, "label", &lab))
				json_object_object_add(p, "label", json_object_get(lab));
			if (json_object_object_get_ex(cur, "href", &href))
				json_object_object_add(p, "href", json_object_get(href));
		}
		/* field rows: name, now, proposed */
		if (json_object_object_get_ex(p, "fields", &fields)) {
			struct json_object *rows = json_object_new_array(), *cf = NULL;
			if (cur)
				json_object_object_get_ex(cur, "fields", &cf);
			json_object_object_foreach(fields, fname, fval) {
				struct json_object *row = json_object_new_object(), *now = NULL;
				if (cf)
					json_object_object_get_ex(cf, fname, &now);
				json_object_object_add(row, "name", json_object_new_string(fname));
				json_object_object_add(row, "now", json_object_get(now));
				json_object_object_add(row, "proposed", json_object_get(fval));
				json_object_array_add(rows, row);
			}
			json_object_object_add(p, "has_fields",
					       json_object_new_boolean(json_object_array_length(rows) > 0));
			json_object_object_add(p, "field_rows", rows);
		}
		if (cur)
			json_object_object_add(p, "current", cur);
	}
}

void page_admin_curation(struct app *app, struct req *r)
{
	const char *cdn = assets_cdn_base();
	struct json_object *pending = curation_list(&app->db, "pending", 100, cdn);
	struct json_object *reviewed = pending ? curation_list(&app->db, NULL, 20, cdn) : NULL;
	struct json_object *queue = reviewed ? curation_queue_open(&app->db, 100) : NULL, *ctx;
	const struct gw_module *const *m;
	size_t i, n;

	if (!queue) {
		json_object_put(pending);
		json_object_put(reviewed);
		app_error(app, r, 503, "database unavailable", "The curation queue could not be read.");
		return;
	}
	decorate(app, pending);
	decorate(app, reviewed);
	/* a placeholder entity links to the proposal form of the module that
	 * has that curation kind */
	n = json_object_array_length(queue);
	for (i = 0; i < n; i++) {
		struct json_object *q = json_object_array_get_idx(queue, i), *v;
		const char *kind = NULL, *key = NULL;
		if (json_object_object_get_ex(q, "entity_kind", &v))
			kind = json_object_get_string(v);
		if (json_object_object_get_ex(q, "entity_key", &v))
			key = json_object_get_string(v);
		for (m = gw_modules(); kind && key && *m; m++) {
			const struct gw_module *mm;
			if (curation_kind((*m)->name, kind, &mm)) {
				struct buf href = BUF_INIT;
				buf_addstr(&href, "/curation/propose?module=");
				url_arg(&href, (*m)->name);
				buf_addstr(&href, "&kind=");
				url_arg(&href, kind);
				buf_addstr(&href, "&key=");
				url_arg(&href, key);
				json_object_object_add(q, "propose_href", json_object_new_string(href.data));
				json_object_object_add(q, "module", json_object_new_string((*m)->name));
				buf_release(&href);
				break;
			}
		}
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string("Curation"));
	json_object_object_add(ctx, "pending", pending);
	json_object_object_add(ctx, "reviewed", reviewed);
	json_object_object_add(ctx, "queue", queue);
	acct_render(app, r, 200, "admin-curation", ctx);
	json_object_put(ctx);
}

static void review(struct app *app, struct req *r, bool approve)
{
	int64_t id = acct_arg_id(r, 0);
	const char *note = acct_field(r, "review_note");
	char *module = NULL, *kind = NULL, *key = NULL, err[200];
	const struct gw_module *m;
	int st;

	if (id <= 0) {
		app_error(app, r, 404, "not found", "There is no such proposal.");
		return;
	}
	if (note && !*note)
		note = NULL;
	if (note && !multiline_ok(note, CURATION_NOTE_MAX)) {
		app_error(app, r, 400, "bad request", "The review note must be at most 2000 bytes of text.");
		return;
	}
	st = curation_review(&app->db, r, id, approve, note, &module, &kind, &key, err, sizeof err);
	if (st) {
		app_error(app, r, st, st == 404 ? "not found" : st == 409 ? "already reviewed"
			  : "database unavailable", err);
		return;
	}
	/* live now: the module rebuilds what it caches */
	m = gw_module_find(module);
	if (approve && m && m->enrich.refresh && m->enrich.refresh(&app->db, &app->kv, time_now_ms()) < 0)
		log_warn("module %s could not refresh its views after proposal %" PRId64, module, id);
	free(module);
	free(kind);
	free(key);
	acct_see_other(r, "/admin/curation");
}

void form_curation_approve(struct app *app, struct req *r)
{
	review(app, r, true);
}

void form_curation_reject(struct app *app, struct req *r)
{
	review(app, r, false);
}

void form_curation_remirror(struct app *app, struct req *r)
{
	const char *module = acct_field(r, "module"), *kind = acct_field(r, "kind"),
		   *key = acct_field(r, "key");
	const struct gw_curation_kind *k;
	struct json_object *cur = entity_current(app, r, module, kind, key, &k);
	if (!cur)
		return;
	json_object_put(cur);
	if (!k->pictures) {
		app_error(app, r, 400, "bad request", "This kind has no pictures to mirror.");
		return;
	}
	if (curation_remirror(&app->db, r, module, k->kind, key) < 0) {
		app_error(app, r, 503, "database unavailable", "The picture could not be queued.");
		return;
	}
	acct_see_other(r, "/admin/curation");
}
