/* api-analytics.c: GET /api/v1/analytics?days=N, the chart data of
 * /analytics: players online, map popularity, mod adoption, durations. */
#include <stdio.h>

#include "platform/web/app.h"
#include "modules/bzcc/web/history.h"
#include "platform/web/req.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-history.h"
#include "timeutil.h"

int history_analytics_doc(struct app *app, struct req *r, bool page, struct json_object **out,
			  char *err, size_t errlen)
{
	struct json_object *doc, *arr;
	int days, st;
	size_t i, n;

	*out = NULL;
	st = history_int_param(r, "days", 1, BZCC_HISTORY_MAX_DAYS, HISTORY_DAYS_DEFAULT, &days,
			       err, errlen);
	if (st)
		return st;
	doc = bzcc_history_analytics(&app->db, days, time_now_ms());
	if (!doc) {
		snprintf(err, errlen, "The database did not answer. Try again in a moment.");
		return 503;
	}
	arr = history_get(doc, "map_popularity");
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++)
		history_decorate_map(json_object_array_get_idx(arr, i), page);
	arr = history_get(doc, "mod_adoption.mods");
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(arr, i);
		struct buf u = BUF_INIT;
		const char *id = history_get_str(m, "mod_id");
		history_url(&u, "/mods", id);
		json_object_object_add(m, "url", json_object_new_string(u.data));
		json_object_object_add(m, "label", json_object_new_string(
			history_get_int(m, "stock") ? "Stock" : id));
		buf_release(&u);
	}
	*out = doc;
	return 0;
}

void api_analytics(struct app *app, struct req *r)
{
	struct json_object *doc;
	char err[200];
	int st = history_analytics_doc(app, r, false, &doc, err, sizeof err);

	if (st) {
		req_json_error(r, st, st == 503 ? "database unavailable" : "invalid parameter", err);
		return;
	}
	req_json(r, 200, doc);
	json_object_put(doc);
}
