/* page-mods.c: GET /mods (every mod seen, most played first) and
 * GET /mods/{id} (one mod, its name and picture as shown now, curated values
 * first, its play by day, maps and recent sessions). Same documents as
 * /api/v1/mods and /api/v1/mods/{id}, plus page keys. */
#include <stdio.h>

#include "modules/bzcc/store/bzcc-accounts.h"
#include "platform/assets/assets.h"
#include "platform/web/app.h"
#include "modules/bzcc/web/history.h"
#include "platform/web/req.h"
#include "modules/bzcc/module.h"

void page_mods(struct app *app, struct req *r)
{
	struct json_object *ctx;
	char err[200];
	int days, st = history_mods_doc(app, r, true, &ctx, err, sizeof err);

	if (st) {
		app_error(app, r, st, st == 400 ? "invalid parameter" : "database unavailable", err);
		return;
	}
	days = (int)history_get_int(ctx, "days");
	json_object_object_add(ctx, "title", json_object_new_string("Mods"));
	json_object_object_add(ctx, "days_action", json_object_new_string("/mods"));
	json_object_object_add(ctx, "count", json_object_new_int(
		(int)json_object_array_length(history_get(ctx, "mods"))));
	json_object_object_add(ctx, "days_options", history_days_options(days));
	json_object_object_add(ctx, "max_seconds", json_object_new_int64(
		history_max_of(history_get(ctx, "mods"), "all_time.player_seconds")));
	history_days_link(ctx, "csv_url", "/api/v1/mods", days, true);
	history_days_link(ctx, "json_url", "/api/v1/mods", days, false);
	history_time_texts(ctx);
	app_render_page(app, r, 200, "mods", ctx);
	json_object_put(ctx);
}

void page_mod(struct app *app, struct req *r)
{
	struct json_object *m, *ctx, *daily;
	struct buf u = BUF_INIT;
	char err[200];
	int days, st = history_mod_doc(app, r, true, &m, err, sizeof err);

	if (st) {
		app_error(app, r, st, st == 404 ? "mod not found"
			  : st == 400 ? "invalid parameter" : "database unavailable", err);
		return;
	}
	days = (int)history_get_int(m, "days");
	daily = history_get(m, "daily");
	history_add_duration_texts(daily, "player_seconds", "play_text");
	ctx = json_object_new_object();
	buf_addf(&u, "Mod %s", history_get_str(m, "label"));
	json_object_object_add(ctx, "title", json_object_new_string(u.data));
	buf_reset(&u);
	json_object_object_add(ctx, "maps_max", json_object_new_int64(
		history_max_of(history_get(m, "maps"), "all_time.player_seconds")));
	json_object_object_add(ctx, "days_options", history_days_options(days));
	json_object_object_add(ctx, "days_action", json_object_get(history_get(m, "url")));
	json_object_object_add(ctx, "sessions", json_object_get(history_get(m, "recent_sessions")));
	json_object_object_add(ctx, "daily_max", json_object_new_int64(
		history_max_of(daily, "player_seconds")));
	history_url(&u, "/api/v1/mods", history_get_str(m, "mod_id"));
	json_object_object_add(ctx, "json_url", json_object_new_string(u.data));
	buf_release(&u);
	/* the mod's facts as shown now (a curated name first, then the
	 * enrichment's) and the links to watch it and propose a correction */
	{
		int found;
		struct json_object *facts = bzcc_mod_facts(&app->db, history_get_str(m, "mod_id"),
							   assets_cdn_base(), &found);
		json_object_object_add(ctx, "facts", facts);
		bzcc_account_links(ctx, "mod", history_get_str(m, "mod_id"),
				   facts ? json_object_get_string(history_get(facts, "label"))
					 : history_get_str(m, "label"), 1);
	}
	json_object_object_add(ctx, "mod", m);
	history_time_texts(ctx);
	app_render_page(app, r, 200, "mod", ctx);
	json_object_put(ctx);
}
