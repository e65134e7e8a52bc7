/* api.c: the stats JSON of the MOHAA Stats API spec (same paths, under
 * /api/v1/stats/). Documents: modules/mohaa/openapi.json; queries:
 * store/stats.h and store/leaderboard.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "modules/mohaa/domain/mohaa.h"
#include "modules/mohaa/module.h"
#include "modules/mohaa/store/leaderboard.h"
#include "modules/mohaa/store/stats.h"
#include "modules/mohaa/web/heatmap.h"
#include "modules/mohaa/web/web.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "timeutil.h"

void mohaa_decorate_map(struct json_object *o, const char *key)
{
	const char *m = json_object_get_string(json_object_object_get(o, key));
	const char *t = mohaa_map_friendly(m);
	json_object_object_add(o, "map_title", t ? json_object_new_string(t) : NULL);
}

static void decorate_maps(struct json_object *arr, const char *key)
{
	size_t i;
	for (i = 0; arr && i < json_object_array_length(arr); i++)
		mohaa_decorate_map(json_object_array_get_idx(arr, i), key);
}

void mohaa_decorate_weapon(struct json_object *o)
{
	const struct mohaa_weapon *w =
		mohaa_weapon_lookup(json_object_get_string(json_object_object_get(o, "weapon")));
	json_object_object_add(o, "weapon_name", w ? json_object_new_string(w->display) : NULL);
	json_object_object_add(o, "weapon_class", w && w->wclass ? json_object_new_string(
				       mohaa_wclass_name(w->wclass)) : NULL);
}

/* Answer a stats document or its error. Consumes doc. */
static void answer(struct req *r, struct json_object *doc, int status, const char *what)
{
	if (status == 200) {
		req_json(r, 200, doc);
	} else if (status == 404) {
		char d[160];
		snprintf(d, sizeof d, "No %s with this id.", what);
		req_json_error(r, 404, "not found", d);
	} else {
		req_json_error(r, 503, "database unavailable", "The database did not answer; retry.");
	}
	json_object_put(doc);
}

int mohaa_board_params(const struct req *r, int *offset, int *limit, char *err, size_t errlen)
{
	int st = mohaa_int_param(r, "limit", 1, 100, 25, limit, err, errlen);
	if (!st)
		st = mohaa_int_param(r, "offset", 0, 100000, 0, offset, err, errlen);
	return st;
}

/* A leaderboard page as JSON, or the error. */
static void board(struct app *app, struct req *r, enum mohaa_board b, const char *key,
		  const char *stat)
{
	struct json_object *doc;
	char err[160];
	int offset, limit, st = mohaa_board_params(r, &offset, &limit, err, sizeof err);
	if (st) {
		req_json_error(r, st, "invalid parameter", err);
		return;
	}
	doc = mohaa_lb_read(&app->db, &app->kv, b, key, stat, offset, limit);
	if (!doc) {
		req_json_error(r, 503, "database unavailable", "The leaderboard could not be read; retry.");
		return;
	}
	req_json(r, 200, doc);
	json_object_put(doc);
}

void api_mohaa_leaderboard(struct app *app, struct req *r)
{
	const char *stat = req_param(r, "stat");
	if (!stat)
		stat = "kills";
	if (!mohaa_lb_stat_ok(stat)) {
		req_json_error(r, 400, "invalid parameter", "stat must be kills, headshots, damage or kd");
		return;
	}
	board(app, r, MOHAA_BOARD_GLOBAL, "", stat);
}

int mohaa_week_param(const struct req *r, char week[16], char *err, size_t errlen)
{
	const char *v = req_param(r, "week");
	int64_t ms;
	if (!v) {
		mohaa_week_start(time_now_ms(), week);
		return 0;
	}
	if (mohaa_parse_date(v, &ms) < 0) {
		snprintf(err, errlen, "week must be a date YYYY-MM-DD (any day of the week)");
		return 400;
	}
	mohaa_week_start(ms, week);
	return 0;
}

void api_mohaa_leaderboard_weekly(struct app *app, struct req *r)
{
	char week[16], err[160];
	if (mohaa_week_param(r, week, err, sizeof err)) {
		req_json_error(r, 400, "invalid parameter", err);
		return;
	}
	board(app, r, MOHAA_BOARD_WEEK, week, "kills");
}

void api_mohaa_leaderboard_weapon(struct app *app, struct req *r)
{
	const struct mohaa_weapon *w = mohaa_weapon_lookup(r->route_args[0]);
	if (!w) {
		req_json_error(r, 404, "not found",
			       "No such weapon: use an id (garand, thompson, mp40, kar98 ...) or its name.");
		return;
	}
	board(app, r, MOHAA_BOARD_WEAPON, w->id, "kills");
}

void api_mohaa_leaderboard_map(struct app *app, struct req *r)
{
	char map[160];
	mohaa_map_arg(r, 0, map, sizeof map);
	board(app, r, MOHAA_BOARD_MAP, map, "kills");
}

void api_mohaa_player(struct app *app, struct req *r)
{
	int st;
	struct json_object *doc = mohaa_stats_player(&app->db, r->route_args[0], &st);
	if (doc)
		decorate_maps(json_object_object_get(doc, "maps"), "map_name");
	answer(r, doc, st, "player");
}

void api_mohaa_player_matches(struct app *app, struct req *r)
{
	struct json_object *doc;
	char err[160];
	int limit, st;
	long long before = 0;
	const char *b = req_param(r, "before");
	st = mohaa_int_param(r, "limit", 1, 100, 20, &limit, err, sizeof err);
	if (!st && b) {
		char *end;
		before = strtoll(b, &end, 10);
		if (!*b || *end || before < 1) {
			st = 400;
			snprintf(err, sizeof err, "before must be a match id (a positive integer)");
		}
	}
	if (st) {
		req_json_error(r, st, "invalid parameter", err);
		return;
	}
	doc = mohaa_stats_player_matches(&app->db, r->route_args[0], before, limit, &st);
	if (doc)
		decorate_maps(json_object_object_get(doc, "matches"), "map_name");
	answer(r, doc, st, "player");
}

void api_mohaa_player_weapons(struct app *app, struct req *r)
{
	int st;
	size_t i;
	struct json_object *doc = mohaa_stats_player_weapons(&app->db, r->route_args[0], &st), *arr;
	arr = doc ? json_object_object_get(doc, "weapons") : NULL;
	for (i = 0; arr && i < json_object_array_length(arr); i++)
		mohaa_decorate_weapon(json_object_array_get_idx(arr, i));
	answer(r, doc, st, "player");
}

int mohaa_kind_param(const struct req *r, char *kind, char *err, size_t errlen)
{
	const char *k = req_param(r, "kind");
	*kind = 'k';
	if (!k || !strcmp(k, "kills"))
		return 0;
	if (!strcmp(k, "deaths")) {
		*kind = 'd';
		return 0;
	}
	snprintf(err, errlen, "kind must be kills or deaths");
	return 400;
}

void api_mohaa_player_heatmap(struct app *app, struct req *r)
{
	char map[160], kind, err[160];
	const char *fmt = req_param(r, "format");
	struct json_object *doc;
	int st;
	if (mohaa_kind_param(r, &kind, err, sizeof err)) {
		req_json_error(r, 400, "invalid parameter", err);
		return;
	}
	if (fmt && strcmp(fmt, "json") && strcmp(fmt, "svg")) {
		req_json_error(r, 400, "invalid parameter", "format must be json or svg");
		return;
	}
	mohaa_map_arg(r, 1, map, sizeof map);
	doc = mohaa_stats_heatmap(&app->db, r->route_args[0], map, kind, &st);
	if (doc && fmt && !strcmp(fmt, "svg")) {
		struct buf title = BUF_INIT;
		buf_addf(&title, "%s of %s on %s", kind == 'k' ? "Kills" : "Deaths", r->route_args[0], map);
		buf_reset(&r->body);
		mohaa_heatmap_svg(&r->body, doc, title.data);
		r->status = 200;
		r->content_type = "image/svg+xml";
		buf_release(&title);
		json_object_put(doc);
		return;
	}
	if (doc)
		mohaa_decorate_map(doc, "map_name");
	answer(r, doc, st, "player");
}

static int match_id_arg(struct req *r, int64_t *id)
{
	char *end;
	long long v = strtoll(r->route_args[0], &end, 10);
	if (!*r->route_args[0] || *end || v < 1) {
		req_json_error(r, 400, "invalid parameter", "matchId must be a positive integer");
		return -1;
	}
	*id = v;
	return 0;
}

void api_mohaa_match(struct app *app, struct req *r)
{
	int64_t id;
	int st;
	struct json_object *doc;
	if (match_id_arg(r, &id) < 0)
		return;
	doc = mohaa_stats_match(&app->db, id, &st);
	if (doc)
		mohaa_decorate_map(doc, "map_name");
	answer(r, doc, st, "match");
}

void api_mohaa_match_timeline(struct app *app, struct req *r)
{
	int64_t id;
	int st, offset, limit, all;
	char err[160];
	struct json_object *doc;
	if (match_id_arg(r, &id) < 0)
		return;
	st = mohaa_int_param(r, "offset", 0, 10000000, 0, &offset, err, sizeof err);
	if (!st)
		st = mohaa_int_param(r, "limit", 1, 1000, 200, &limit, err, sizeof err);
	if (!st)
		st = mohaa_int_param(r, "all", 0, 1, 0, &all, err, sizeof err);
	if (st) {
		req_json_error(r, st, "invalid parameter", err);
		return;
	}
	doc = mohaa_stats_timeline(&app->db, id, offset, limit, all, &st);
	answer(r, doc, st, "match");
}

void api_mohaa_server(struct app *app, struct req *r)
{
	int st;
	struct json_object *doc = mohaa_stats_server(&app->db, r->route_args[0], &st);
	if (doc) {
		decorate_maps(json_object_object_get(doc, "recent_matches"), "map_name");
		decorate_maps(json_object_object_get(doc, "maps"), "map_name");
	}
	answer(r, doc, st, "server");
}

void api_mohaa_live(struct app *app, struct req *r)
{
	int st, window;
	char err[160];
	struct json_object *doc;
	st = mohaa_int_param(r, "window", 10, 3600, 90, &window, err, sizeof err);
	if (st) {
		req_json_error(r, st, "invalid parameter", err);
		return;
	}
	doc = mohaa_stats_live(&app->db, window, &st);
	if (doc)
		decorate_maps(json_object_object_get(doc, "matches"), "map_name");
	answer(r, doc, st, "live data");
}

void api_mohaa_achievements(struct app *app, struct req *r)
{
	int st;
	struct json_object *doc = mohaa_stats_achievements(&app->db, &st);
	answer(r, doc, st, "achievement list");
}
