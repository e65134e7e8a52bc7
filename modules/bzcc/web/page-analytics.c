/* page-analytics.c: GET /analytics?days=N. Every chart is drawn by
 * static/js/analytics.js (Chart.js) from /api/v1/analytics, and every chart
 * also has a table rendered here from the same document, so the page is
 * complete without JavaScript. */
#include <stdio.h>

#include "platform/web/app.h"
#include "modules/bzcc/web/history.h"
#include "platform/web/req.h"
#include "modules/bzcc/module.h"

/* Table rows of the mod adoption chart: days on which any of the top mods
 * had a session, newest first: [{day, counts [{sessions}]}]. */
static struct json_object *adoption_rows(struct json_object *adoption)
{
	struct json_object *days = history_get(adoption, "days"), *mods = history_get(adoption, "mods");
	struct json_object *rows = json_object_new_array();
	size_t i, j, nd = days ? json_object_array_length(days) : 0;
	size_t nm = mods ? json_object_array_length(mods) : 0;

	for (i = nd; i-- > 0;) {
		struct json_object *counts = json_object_new_array(), *row;
		int64_t any = 0;
		for (j = 0; j < nm; j++) {
			struct json_object *series = history_get(json_object_array_get_idx(mods, j),
								 "sessions");
			struct json_object *v = series ? json_object_array_get_idx(series, i) : NULL;
			struct json_object *c = json_object_new_object();
			int64_t n = v ? json_object_get_int64(v) : 0;
			json_object_object_add(c, "sessions", json_object_new_int64(n));
			json_object_array_add(counts, c);
			any += n;
		}
		if (!any) {
			json_object_put(counts);
			continue;
		}
		row = json_object_new_object();
		json_object_object_add(row, "day", json_object_get(json_object_array_get_idx(days, i)));
		json_object_object_add(row, "counts", counts);
		json_object_array_add(rows, row);
	}
	return rows;
}

void page_analytics(struct app *app, struct req *r)
{
	struct json_object *ctx;
	struct buf u = BUF_INIT;
	char err[200];
	int days, st = history_analytics_doc(app, r, true, &ctx, err, sizeof err);

	if (st) {
		app_error(app, r, st, st == 400 ? "invalid parameter" : "database unavailable", err);
		return;
	}
	days = (int)history_get_int(ctx, "days");
	json_object_object_add(ctx, "title", json_object_new_string("Analytics"));
	json_object_object_add(ctx, "days_options", history_days_options(days));
	json_object_object_add(ctx, "days_action", json_object_new_string("/bzcc/analytics"));
	buf_addf(&u, "/api/v1/analytics?days=%d", days);
	json_object_object_add(ctx, "api_url", json_object_new_string(u.data));
	buf_release(&u);
	json_object_object_add(ctx, "online_max", json_object_new_int64(
		history_max_of(history_get(ctx, "players_online.daily"), "peak_players")));
	json_object_object_add(ctx, "maps_max", json_object_new_int64(
		history_max_of(history_get(ctx, "map_popularity"), "player_seconds")));
	json_object_object_add(ctx, "adoption_rows",
			       adoption_rows(history_get(ctx, "mod_adoption")));
	history_decorate_durations(history_get(ctx, "durations.by_mode"));
	json_object_object_add(ctx, "histogram_max", json_object_new_int64(
		history_max_of(history_get(ctx, "durations.histogram"), "sessions")));
	history_time_texts(ctx);
	app_render_page(app, r, 200, "analytics", ctx);
	json_object_put(ctx);
}
