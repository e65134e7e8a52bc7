/* api-maps.c: GET /api/v1/maps (every map seen, with popularity; JSON or
 * CSV) and GET /api/v1/maps/{map_key}. */
#include <stdio.h>

#include "platform/web/app.h"
#include "modules/bzcc/web/history.h"
#include "platform/web/req.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-history.h"
#include "timeutil.h"

static const struct csv_column map_columns[] = {
	{ "map_key", "map_key" },
	{ "map_file", "map_file" },
	{ "mod_id", "mod_id" },
	{ "first_seen_at", "first_seen_at" },
	{ "last_seen_at", "last_seen_at" },
	{ "recent_sessions", "recent.sessions" },
	{ "recent_players", "recent.players" },
	{ "recent_player_seconds", "recent.player_seconds" },
	{ "recent_peak_players", "recent.peak_players" },
	{ "sessions", "all_time.sessions" },
	{ "players", "all_time.players" },
	{ "player_seconds", "all_time.player_seconds" },
	{ "peak_players", "all_time.peak_players" },
};

int history_maps_doc(struct app *app, struct req *r, bool page, struct json_object **out,
		     char *err, size_t errlen)
{
	struct json_object *doc, *maps;
	int days, st;
	size_t i, n;

	*out = NULL;
	st = history_int_param(r, "days", 1, BZCC_HISTORY_MAX_DAYS, HISTORY_DAYS_DEFAULT, &days,
			       err, errlen);
	if (st)
		return st;
	doc = bzcc_history_maps(&app->db, days, time_now_ms());
	if (!doc) {
		snprintf(err, errlen, "The database did not answer. Try again in a moment.");
		return 503;
	}
	if (json_object_object_get_ex(doc, "maps", &maps)) {
		n = json_object_array_length(maps);
		for (i = 0; i < n; i++)
			history_decorate_map(json_object_array_get_idx(maps, i), page);
	}
	*out = doc;
	return 0;
}

void api_maps(struct app *app, struct req *r)
{
	struct json_object *doc;
	enum history_format fmt;
	char err[200];
	int st;

	st = history_format(r, &fmt, err, sizeof err);
	if (!st)
		st = history_maps_doc(app, r, false, &doc, err, sizeof err);
	if (st) {
		req_json_error(r, st, st == 503 ? "database unavailable" : "invalid parameter", err);
		return;
	}
	req_header(r, "Vary", "Accept");
	if (fmt == HISTORY_CSV)
		history_send_csv(r, history_get(doc, "maps"), map_columns,
				 sizeof map_columns / sizeof map_columns[0], "maps.csv");
	else
		req_json(r, 200, doc);
	json_object_put(doc);
}

int history_map_doc(struct app *app, struct req *r, bool page, struct json_object **out,
		    char *err, size_t errlen)
{
	struct json_object *m;
	int days, st, found;

	*out = NULL;
	st = history_int_param(r, "days", 1, BZCC_HISTORY_MAX_DAYS, HISTORY_DAYS_DEFAULT, &days,
			       err, errlen);
	if (st)
		return st;
	m = bzcc_history_map(&app->db, r->route_args[0], days, time_now_ms(), &found);
	if (!m) {
		snprintf(err, errlen, found < 0 ? "The database did not answer. Try again in a moment."
			 : "No session was ever seen on a map with this key.");
		return found < 0 ? 503 : 404;
	}
	history_decorate_map(m, page);
	history_decorate_sessions(history_get(m, "recent_sessions"), page);
	*out = m;
	return 0;
}

void api_map(struct app *app, struct req *r)
{
	struct json_object *m;
	char err[200];
	int st = history_map_doc(app, r, false, &m, err, sizeof err);

	if (st) {
		req_json_error(r, st, st == 404 ? "map not found"
				      : st == 400 ? "invalid parameter" : "database unavailable", err);
		return;
	}
	req_json(r, 200, m);
	json_object_put(m);
}
