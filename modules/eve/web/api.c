/* api.c: the eve module's JSON under /api/v1/ at the BattleScope spec's
 * paths (docs/specs/battlescope.md 5.3): battles, one battle, recent
 * killmails (the polling fallback of the stream), intel summary and
 * alliance, corporation and character intel with opponents and ships.
 * Ids are strings, names sit beside ids, lists page with cursors. */
#include <stdio.h>
#include <string.h>

#include "modules/eve/module.h"
#include "modules/eve/store/eve-read.h"
#include "modules/eve/web/web.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "timeutil.h"

static void fail(struct req *r, int st, const char *err)
{
	req_json_error(r, st, st == 503 ? "database unavailable" : st == 404 ? "not found"
			      : "invalid parameter", err);
}

void api_eve_battles(struct app *app, struct req *r)
{
	struct json_object *doc;
	char err[256];
	int st = eve_battles_doc(app, r, &doc, err, sizeof err);
	if (st) {
		fail(r, st, err);
		return;
	}
	req_json(r, 200, doc);
	json_object_put(doc);
}

void api_eve_battle(struct app *app, struct req *r)
{
	struct json_object *doc;
	char err[128];
	int64_t id;
	bool missing;
	if (eve_route_id(r, &id, err, sizeof err)) {
		fail(r, 404, err);
		return;
	}
	doc = eve_read_battle(&app->db, id, &missing);
	if (!doc) {
		fail(r, missing ? 404 : 503, missing ? "no battle has this id" : "The database did not answer.");
		return;
	}
	eve_read_add_names(&app->db, doc);
	req_json(r, 200, doc);
	json_object_put(doc);
}

void api_eve_recent(struct app *app, struct req *r)
{
	struct json_object *doc;
	char err[256];
	int st = eve_recent_doc(app, r, &doc, err, sizeof err);
	if (st) {
		fail(r, st, err);
		return;
	}
	req_json(r, 200, doc);
	json_object_put(doc);
}

void api_eve_summary(struct app *app, struct req *r)
{
	struct json_object *doc;
	char err[128];
	int days;
	int64_t until;
	int st = eve_param_int(r, "days", 1, 365, 7, &days, err, sizeof err);
	if (!st)
		st = eve_param_time(r, "until", &until, err, sizeof err);
	if (st) {
		fail(r, st, err);
		return;
	}
	doc = eve_read_summary(&app->db, days, until ? until : time_now_ms());
	if (!doc) {
		fail(r, 503, "The database did not answer.");
		return;
	}
	eve_read_add_names(&app->db, doc);
	req_json(r, 200, doc);
	json_object_put(doc);
}

/* /intel/{alliances,corporations,characters}/{id}[/opponents|/ships] */
void api_eve_intel(struct app *app, struct req *r)
{
	struct json_object *doc;
	const char *pat = r->route ? r->route->pattern : "";
	enum eve_entity_kind kind = eve_route_kind(r);
	char err[128];
	int64_t id, until;
	int days, st;
	size_t n = strlen(pat);

	if (eve_route_id(r, &id, err, sizeof err)) {
		fail(r, 404, err);
		return;
	}
	st = eve_param_int(r, "days", 1, 365, 30, &days, err, sizeof err);
	if (!st)
		st = eve_param_time(r, "until", &until, err, sizeof err);
	if (st) {
		fail(r, st, err);
		return;
	}
	if (!until)
		until = time_now_ms();
	if (n > 10 && !strcmp(pat + n - 10, "/opponents"))
		doc = eve_read_opponents(&app->db, kind, id, days, until);
	else if (n > 6 && !strcmp(pat + n - 6, "/ships"))
		doc = eve_read_ships(&app->db, kind, id, days, until);
	else
		doc = eve_read_intel(&app->db, kind, id, days, until);
	if (!doc) {
		fail(r, 503, "The database did not answer.");
		return;
	}
	eve_read_add_names(&app->db, doc);
	req_json(r, 200, doc);
	json_object_put(doc);
}
