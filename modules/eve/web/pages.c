/* pages.c: the eve module's pages under /eve/: the battle list with
 * filters, a battle report, recent kills, the intel summary and an
 * entity's intel. Each renders the same document its JSON twin serves,
 * plus page keys (form values, links, ISK as "3.60B"). */
#include <stdio.h>
#include <string.h>

#include "modules/eve/domain/eve.h"
#include "modules/eve/module.h"
#include "modules/eve/store/eve-read.h"
#include "modules/eve/web/web.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "timeutil.h"

#define PAGE_PARTICIPANTS 300 /* participants listed on a report page */

static struct json_object *str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static void add_space_options(struct json_object *ctx, const char *selected)
{
	static const char *const tokens[] = { "kspace", "jspace", "pochven", "zarzakh", "abyssal", "other" };
	static const char *const labels[] = { "Known space", "Wormhole space", "Pochven", "Zarzakh",
					      "Abyssal", "Other" };
	struct json_object *opts = json_object_new_array();
	size_t i;
	for (i = 0; i < sizeof tokens / sizeof *tokens; i++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "value", json_object_new_string(tokens[i]));
		json_object_object_add(o, "label", json_object_new_string(labels[i]));
		json_object_object_add(o, "selected",
				       json_object_new_boolean(selected && !strcmp(selected, tokens[i])));
		json_object_array_add(opts, o);
	}
	json_object_object_add(ctx, "space_options", opts);
}

/* ctx[key] = url with prefix `from` replaced by `to`. */
static void relink(struct json_object *ctx, const char *key, const char *url, const char *from,
		   const char *to)
{
	struct buf u = BUF_INIT;
	size_t n = strlen(from);
	if (!url)
		return;
	buf_addstr(&u, to);
	buf_addstr(&u, strncmp(url, from, n) ? url : url + n);
	json_object_object_add(ctx, key, json_object_new_string(u.data));
	buf_release(&u);
}

void page_eve_battles(struct app *app, struct req *r)
{
	static const char *const fields[] = { "space_type", "from", "to", "region", "system",
					      "alliance_id", "corporation_id", "character_id", "min_kills" };
	struct json_object *ctx = NULL, *form, *v;
	char err[256];
	size_t i;
	int st = eve_battles_doc(app, r, &ctx, err, sizeof err);
	if (st == 503) {
		app_error(app, r, 503, "database unavailable", err);
		return;
	}
	if (st) {
		ctx = json_object_new_object();
		json_object_object_add(ctx, "battles", json_object_new_array());
		json_object_object_add(ctx, "error", json_object_new_string(err));
	}
	json_object_object_add(ctx, "title", json_object_new_string("Battles"));
	form = json_object_new_object();
	for (i = 0; i < sizeof fields / sizeof *fields; i++)
		json_object_object_add(form, fields[i], str_or_null(req_param(r, fields[i])));
	json_object_object_add(ctx, "form", form);
	add_space_options(ctx, req_param(r, "space_type"));
	if (!st && json_object_object_get_ex(ctx, "next_url", &v) && v)
		relink(ctx, "next_page_url", json_object_get_string(v), "/api/v1/battles?", "/eve/?");
	json_object_object_add(ctx, "json_url", json_object_new_string(
		r->raw_query && *r->raw_query ? "" : "/api/v1/battles"));
	if (r->raw_query && *r->raw_query) {
		struct buf u = BUF_INIT;
		buf_addf(&u, "/api/v1/battles?%s", r->raw_query);
		json_object_object_add(ctx, "json_url", json_object_new_string(u.data));
		buf_release(&u);
	}
	eve_decorate_isk(ctx);
	app_render_page(app, r, st ? st : 200, "eve-battles", ctx);
	json_object_put(ctx);
}

/* Mark each side's members with their share for the page. */
static void report_page_keys(struct json_object *doc)
{
	struct json_object *report, *parts, *sides, *tl, *buckets;
	size_t i, n;
	if (!json_object_object_get_ex(doc, "report", &report))
		return;
	if (json_object_object_get_ex(report, "participants", &parts) &&
	    (n = json_object_array_length(parts)) > PAGE_PARTICIPANTS) {
		json_object_object_add(doc, "participants_more",
				       json_object_new_int((int)(n - PAGE_PARTICIPANTS)));
		json_object_array_del_idx(parts, PAGE_PARTICIPANTS, n - PAGE_PARTICIPANTS);
	}
	/* the related-kills pages with the UTC hours each covers */
	{
		struct json_object *urls, *pages = json_object_new_array();
		if (json_object_object_get_ex(report, "zkill_related_urls", &urls))
			for (i = 0; i < json_object_array_length(urls); i++) {
				const char *u = json_object_get_string(json_object_array_get_idx(urls, i));
				const char *stamp = strrchr(u, '/');
				struct json_object *pg = json_object_new_object();
				char label[48] = "";
				int hour;
				/* ".../YYYYMMDDHH00/": the page covers HH-1 to HH+2 */
				if (stamp && stamp - u > 13 && sscanf(stamp - 12, "%*8c%2d", &hour) == 1)
					snprintf(label, sizeof label, "%02d:00–%02d:00 UTC", (hour + 23) % 24,
						 (hour + 2) % 24);
				json_object_object_add(pg, "url", json_object_new_string(u));
				json_object_object_add(pg, "label", json_object_new_string(label));
				json_object_array_add(pages, pg);
			}
		json_object_object_add(doc, "zkill_pages", pages);
	}
	if (json_object_object_get_ex(report, "sides", &sides))
		for (i = 0; i < json_object_array_length(sides); i++) {
			struct json_object *s = json_object_array_get_idx(sides, i), *v;
			json_object_object_get_ex(s, "side", &v);
			json_object_object_add(s, "unaligned", json_object_new_boolean(json_object_get_int(v) == 0));
		}
	if (json_object_object_get_ex(report, "timeline", &tl) &&
	    json_object_object_get_ex(tl, "buckets", &buckets)) {
		int max = 1;
		for (i = 0; i < json_object_array_length(buckets); i++) {
			struct json_object *v;
			json_object_object_get_ex(json_object_array_get_idx(buckets, i), "kills", &v);
			if (json_object_get_int(v) > max)
				max = json_object_get_int(v);
		}
		json_object_object_add(tl, "max_kills", json_object_new_int(max));
	}
}

void page_eve_battle(struct app *app, struct req *r)
{
	struct json_object *doc;
	char err[128], title[160];
	int64_t id;
	bool missing;
	struct json_object *v;
	if (eve_route_id(r, &id, err, sizeof err)) {
		app_error(app, r, 404, "not found", err);
		return;
	}
	doc = eve_read_battle(&app->db, id, &missing);
	if (!doc) {
		app_error(app, r, missing ? 404 : 503, missing ? "not found" : "database unavailable",
			  missing ? "No battle has this id." : "The database did not answer.");
		return;
	}
	eve_read_add_names(&app->db, doc);
	report_page_keys(doc);
	eve_decorate_isk(doc);
	json_object_object_get_ex(doc, "system", &v);
	snprintf(title, sizeof title, "Battle in %s", v ? json_object_get_string(v) : "an unknown system");
	json_object_object_add(doc, "title", json_object_new_string(title));
	app_render_page(app, r, 200, "eve-battle", doc);
	json_object_put(doc);
}

void page_eve_kills(struct app *app, struct req *r)
{
	struct json_object *ctx = NULL, *v;
	char err[256];
	int st = eve_recent_doc(app, r, &ctx, err, sizeof err);
	if (st == 503) {
		app_error(app, r, 503, "database unavailable", err);
		return;
	}
	if (st) {
		ctx = json_object_new_object();
		json_object_object_add(ctx, "killmails", json_object_new_array());
		json_object_object_add(ctx, "error", json_object_new_string(err));
	}
	json_object_object_add(ctx, "title", json_object_new_string("Recent kills"));
	add_space_options(ctx, req_param(r, "space_type"));
	if (!st && json_object_object_get_ex(ctx, "next_url", &v) && v)
		relink(ctx, "next_page_url", json_object_get_string(v), "/api/v1/killmails/recent?", "/eve/kills?");
	eve_decorate_isk(ctx);
	app_render_page(app, r, st ? st : 200, "eve-kills", ctx);
	json_object_put(ctx);
}

void page_eve_summary(struct app *app, struct req *r)
{
	struct json_object *doc;
	char err[128];
	int days;
	int64_t until;
	if (eve_param_int(r, "days", 1, 365, 7, &days, err, sizeof err) ||
	    eve_param_time(r, "until", &until, err, sizeof err)) {
		app_error(app, r, 400, "invalid parameter", err);
		return;
	}
	doc = eve_read_summary(&app->db, days, until ? until : time_now_ms());
	if (!doc) {
		app_error(app, r, 503, "database unavailable", "The database did not answer.");
		return;
	}
	eve_read_add_names(&app->db, doc);
	eve_decorate_isk(doc);
	json_object_object_add(doc, "title", json_object_new_string("Intel"));
	app_render_page(app, r, 200, "eve-intel", doc);
	json_object_put(doc);
}

/* Largest value of `key` over the objects of arr (at least 1). */
static int max_of(struct json_object *arr, const char *key)
{
	size_t i;
	int m = 1;
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *v;
		if (json_object_object_get_ex(json_object_array_get_idx(arr, i), key, &v) &&
		    json_object_get_int(v) > m)
			m = json_object_get_int(v);
	}
	return m;
}

void page_eve_entity(struct app *app, struct req *r)
{
	struct json_object *ctx, *opp, *ships, *v;
	enum eve_entity_kind kind = eve_route_kind(r);
	char err[128], title[160];
	int64_t id, until;
	int days;
	if (eve_route_id(r, &id, err, sizeof err)) {
		app_error(app, r, 404, "not found", err);
		return;
	}
	if (eve_param_int(r, "days", 1, 365, 30, &days, err, sizeof err) ||
	    eve_param_time(r, "until", &until, err, sizeof err)) {
		app_error(app, r, 400, "invalid parameter", err);
		return;
	}
	if (!until)
		until = time_now_ms();
	ctx = eve_read_intel(&app->db, kind, id, days, until);
	opp = ctx ? eve_read_opponents(&app->db, kind, id, days, until) : NULL;
	ships = opp ? eve_read_ships(&app->db, kind, id, days, until) : NULL;
	if (!ships) {
		json_object_put(ctx);
		json_object_put(opp);
		app_error(app, r, 503, "database unavailable", "The database did not answer.");
		return;
	}
	json_object_object_add(ctx, "opponents", opp);
	json_object_object_add(ctx, "ships", ships);
	eve_read_add_names(&app->db, ctx);
	eve_decorate_isk(ctx);
	json_object_object_get_ex(ctx, "activity_by_hour", &v);
	json_object_object_add(ctx, "max_hour", json_object_new_int(max_of(v, "kills") > max_of(v, "losses")
								    ? max_of(v, "kills") : max_of(v, "losses")));
	json_object_object_get_ex(ctx, "regions", &v);
	json_object_object_add(ctx, "max_region", json_object_new_int(max_of(v, "events")));
	json_object_object_get_ex(ctx, "entity_name", &v);
	snprintf(title, sizeof title, "%s %s", kind == EVE_ALLIANCE ? "Alliance"
		 : kind == EVE_CORPORATION ? "Corporation" : "Character",
		 v ? json_object_get_string(v) : r->route_args[0]);
	json_object_object_add(ctx, "title", json_object_new_string(title));
	json_object_object_add(ctx, "kind_path", json_object_new_string(
		kind == EVE_ALLIANCE ? "alliances" : kind == EVE_CORPORATION ? "corporations" : "characters"));
	app_render_page(app, r, 200, "eve-entity", ctx);
	json_object_put(ctx);
}
