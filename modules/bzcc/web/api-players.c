/* api-players.c: GET /api/v1/players/{id} (a player's profile) and
 * GET /api/v1/history/players/{id}?days=N (play time per UTC day).
 * {id} is a players.id, steam:<SteamID64> or gog:<GOG user id>. */
#include <stdio.h>
#include <string.h>

#include "platform/web/app.h"
#include "modules/bzcc/web/history.h"
#include "platform/web/req.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-history.h"
#include "timeutil.h"

int history_player_lookup(struct app *app, const char *ref, int64_t *player_id, char *err,
			  size_t errlen)
{
	switch (bzcc_history_player_ref(&app->db, ref, player_id)) {
	case 1:
		return 0;
	case 0:
		snprintf(err, errlen, "No player with this id or platform account was ever seen.");
		return 404;
	case -2:
		snprintf(err, errlen,
			 "player id must be a number, steam:<SteamID64> or gog:<GOG user id>,"
			 " such as steam:76561197960287930");
		return 400;
	default:
		snprintf(err, errlen, "The database did not answer. Try again in a moment.");
		return 503;
	}
}

void history_decorate_player(struct json_object *p, bool page)
{
	struct json_object *ids = history_get(p, "identities");
	struct json_object *maps = history_get(p, "favourite_maps");
	struct buf u = BUF_INIT;
	size_t i, n;

	history_player_url(&u, history_get_str(p, "ref"));
	json_object_object_add(p, "url", json_object_new_string(u.data));
	n = ids ? json_object_array_length(ids) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(ids, i);
		if (strcmp(history_get_str(x, "provider"), "steam"))
			continue;
		buf_reset(&u);
		buf_addf(&u, "https://steamcommunity.com/profiles/%s", history_get_str(x, "external_id"));
		json_object_object_add(x, "profile_url", json_object_new_string(u.data));
	}
	n = maps ? json_object_array_length(maps) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(maps, i);
		buf_reset(&u);
		history_url(&u, "/maps", history_get_str(m, "map_key"));
		json_object_object_add(m, "url", json_object_new_string(u.data));
	}
	buf_release(&u);
	history_decorate_sessions(history_get(p, "recent_sessions"), page);
	if (!page)
		return;
	history_add_duration_texts(maps, "seconds", "time_text");
	history_add_duration_text(history_get(p, "totals"), "play_seconds", "play_text");
}

void api_player(struct app *app, struct req *r)
{
	struct json_object *p;
	int64_t id;
	char err[200];
	int st, found;

	st = history_player_lookup(app, r->route_args[0], &id, err, sizeof err);
	if (st) {
		req_json_error(r, st, st == 404 ? "player not found"
				      : st == 400 ? "invalid player id" : "database unavailable", err);
		return;
	}
	p = bzcc_history_player(&app->db, id, &found);
	if (!p) {
		req_json_error(r, found < 0 ? 503 : 404,
			       found < 0 ? "database unavailable" : "player not found", NULL);
		return;
	}
	history_decorate_player(p, false);
	req_json(r, 200, p);
	json_object_put(p);
}

void api_history_player(struct app *app, struct req *r)
{
	struct json_object *d, *player;
	int64_t id;
	char err[200];
	int st, found, days;

	st = history_player_lookup(app, r->route_args[0], &id, err, sizeof err);
	if (!st)
		st = history_int_param(r, "days", 1, BZCC_HISTORY_MAX_DAYS, HISTORY_DAYS_DEFAULT,
				       &days, err, sizeof err);
	if (st) {
		req_json_error(r, st, st == 404 ? "player not found"
				      : st == 400 ? "invalid parameter" : "database unavailable", err);
		return;
	}
	d = bzcc_history_player_daily(&app->db, id, days, time_now_ms(), &found);
	if (!d) {
		req_json_error(r, found < 0 ? 503 : 404,
			       found < 0 ? "database unavailable" : "player not found", NULL);
		return;
	}
	if (json_object_object_get_ex(d, "player", &player)) {
		struct buf u = BUF_INIT;
		history_player_url(&u, history_get_str(player, "ref"));
		json_object_object_add(player, "url", json_object_new_string(u.data));
		buf_release(&u);
	}
	req_json(r, 200, d);
	json_object_put(d);
}
