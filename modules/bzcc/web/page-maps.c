/* page-maps.c: GET /maps (every map seen, most played first) and
 * GET /maps/{key} (one map, its play by day and recent sessions). Same
 * documents as /api/v1/maps and /api/v1/maps/{key}, plus page keys. */
#include <stdio.h>

#include "modules/bzcc/store/bzcc-accounts.h"
#include "platform/assets/assets.h"
#include "platform/web/app.h"
#include "modules/bzcc/web/history.h"
#include "platform/web/req.h"
#include "modules/bzcc/module.h"

void page_maps(struct app *app, struct req *r)
{
	struct json_object *ctx;
	char err[200];
	int days, st = history_maps_doc(app, r, true, &ctx, err, sizeof err);

	if (st) {
		app_error(app, r, st, st == 400 ? "invalid parameter" : "database unavailable", err);
		return;
	}
	days = (int)history_get_int(ctx, "days");
	json_object_object_add(ctx, "title", json_object_new_string("Maps"));
	json_object_object_add(ctx, "days_action", json_object_new_string("/maps"));
	json_object_object_add(ctx, "count", json_object_new_int(
		(int)json_object_array_length(history_get(ctx, "maps"))));
	json_object_object_add(ctx, "days_options", history_days_options(days));
	json_object_object_add(ctx, "max_seconds", json_object_new_int64(
		history_max_of(history_get(ctx, "maps"), "all_time.player_seconds")));
	history_days_link(ctx, "csv_url", "/api/v1/maps", days, true);
	history_days_link(ctx, "json_url", "/api/v1/maps", days, false);
	history_time_texts(ctx);
	app_render_page(app, r, 200, "maps", ctx);
	json_object_put(ctx);
}

void page_map(struct app *app, struct req *r)
{
	struct json_object *m, *ctx, *daily;
	struct buf u = BUF_INIT;
	char err[200];
	int days, st = history_map_doc(app, r, true, &m, err, sizeof err);

	if (st) {
		app_error(app, r, st, st == 404 ? "map not found"
			  : st == 400 ? "invalid parameter" : "database unavailable", err);
		return;
	}
	days = (int)history_get_int(m, "days");
	daily = history_get(m, "daily");
	history_add_duration_texts(daily, "player_seconds", "play_text");
	history_decorate_durations(history_get(m, "durations"));
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_get(history_get(m, "map_file")));
	json_object_object_add(ctx, "days_options", history_days_options(days));
	json_object_object_add(ctx, "days_action", json_object_get(history_get(m, "url")));
	json_object_object_add(ctx, "sessions", json_object_get(history_get(m, "recent_sessions")));
	json_object_object_add(ctx, "daily_max", json_object_new_int64(
		history_max_of(daily, "player_seconds")));
	history_url(&u, "/api/v1/maps", history_get_str(m, "map_key"));
	json_object_object_add(ctx, "json_url", json_object_new_string(u.data));
	buf_release(&u);
	/* the map's facts as shown now (curated values first) and the links to
	 * watch it and propose a correction */
	{
		int found;
		struct json_object *facts = bzcc_map_facts(&app->db, history_get_str(m, "map_key"),
							   assets_cdn_base(), &found);
		json_object_object_add(ctx, "facts", facts);
		bzcc_account_links(ctx, "map", history_get_str(m, "map_key"),
				   facts ? json_object_get_string(history_get(facts, "label"))
					 : history_get_str(m, "map_file"), 1);
	}
	json_object_object_add(ctx, "map", m);
	history_time_texts(ctx);
	app_render_page(app, r, 200, "map", ctx);
	json_object_put(ctx);
}
