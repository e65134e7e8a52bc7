/* page-players.c: GET /players/{id}, a player's profile: the document of
 * /api/v1/players/{id} as "player", plus the days played in the last
 * ?days=N (default 30) from /api/v1/history/players/{id}. */
#include <stdio.h>

#include "platform/web/app.h"
#include "modules/bzcc/web/history.h"
#include "platform/web/req.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-history.h"
#include "timeutil.h"

/* Days with play, newest first, each with time_text; sets *max_seconds. */
static struct json_object *activity(struct json_object *daily, int64_t *max_seconds)
{
	struct json_object *out = json_object_new_array(), *points = history_get(daily, "points");
	size_t i, n = points ? json_object_array_length(points) : 0;

	*max_seconds = 1;
	for (i = n; i-- > 0;) {
		struct json_object *p = json_object_array_get_idx(points, i);
		int64_t secs = history_get_int(p, "seconds");
		char t[32];
		if (!secs && !history_get_int(p, "sessions"))
			continue;
		json_object_object_add(p, "time_text", json_object_new_string(
			history_duration_text(secs, t, sizeof t)));
		json_object_array_add(out, json_object_get(p));
		if (secs > *max_seconds)
			*max_seconds = secs;
	}
	return out;
}

void page_player(struct app *app, struct req *r)
{
	struct json_object *p, *daily, *ctx;
	struct buf u = BUF_INIT;
	int64_t id, max_seconds;
	char err[200], text[32];
	int st, found, days;

	st = history_player_lookup(app, r->route_args[0], &id, err, sizeof err);
	if (!st)
		st = history_int_param(r, "days", 1, BZCC_HISTORY_MAX_DAYS, HISTORY_DAYS_DEFAULT,
				       &days, err, sizeof err);
	if (st) {
		app_error(app, r, st, st == 404 ? "player not found"
			  : st == 400 ? "invalid player id or parameter" : "database unavailable", err);
		return;
	}
	p = bzcc_history_player(&app->db, id, &found);
	daily = p ? bzcc_history_player_daily(&app->db, id, days, time_now_ms(), &found) : NULL;
	if (!p || !daily) {
		if (p)
			json_object_put(p);
		app_error(app, r, found < 0 ? 503 : 404,
			  found < 0 ? "database unavailable" : "player not found",
			  found < 0 ? "Try again in a moment." : "No player with this id was ever seen.");
		return;
	}
	history_decorate_player(p, true);
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_get(history_get(p, "display_name")));
	history_url(&u, "/api/v1/players", history_get_str(p, "ref"));
	json_object_object_add(ctx, "api_url", json_object_new_string(u.data));
	buf_reset(&u);
	history_url(&u, "/api/v1/history/players", history_get_str(p, "ref"));
	buf_addf(&u, "?days=%d", days);
	json_object_object_add(ctx, "daily_api_url", json_object_new_string(u.data));
	buf_release(&u);
	json_object_object_add(ctx, "sessions", json_object_get(history_get(p, "recent_sessions")));
	json_object_object_add(ctx, "show_played", json_object_new_boolean(true));
	json_object_object_add(ctx, "player", p);
	json_object_object_add(ctx, "days", json_object_new_int(days));
	json_object_object_add(ctx, "days_options", history_days_options(days));
	json_object_object_add(ctx, "days_action", json_object_get(history_get(p, "url")));
	json_object_object_add(ctx, "activity", activity(daily, &max_seconds));
	json_object_object_add(ctx, "activity_max", json_object_new_int64(max_seconds));
	json_object_object_add(ctx, "activity_totals", json_object_get(history_get(daily, "totals")));
	json_object_object_add(ctx, "activity_text", json_object_new_string(history_duration_text(
		history_get_int(daily, "totals.seconds"), text, sizeof text)));
	json_object_put(daily);
	bzcc_account_links(ctx, "host", history_get_str(p, "ref"), history_get_str(p, "display_name"), 0);
	history_time_texts(ctx);
	app_render_page(app, r, 200, "player", ctx);
	json_object_put(ctx);
}
