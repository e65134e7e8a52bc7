/* api-health.c: GET /healthz: database and Redis reachability and each
 * enabled module's data freshness (its health hook). 200 when the app can
 * serve (status "ok", or "degraded" when a module's data is stale or Redis
 * is down), 503 when PostgreSQL is unreachable. */
#include "platform/module.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "timeutil.h"

void api_health(struct app *app, struct req *r);

void api_health(struct app *app, struct req *r)
{
	const struct gw_module *const *m;
	struct json_object *o = json_object_new_object(), *mods = json_object_new_object();
	bool db_ok = db_ping(&app->db), kv_ok = kv_ping(&app->kv), stale = false;
	char when[32];

	json_object_object_add(o, "status", NULL); /* first key; set below */
	json_object_object_add(o, "database", json_object_new_boolean(db_ok));
	json_object_object_add(o, "redis", json_object_new_boolean(kv_ok));
	for (m = gw_modules(); *m; m++) {
		int st = 0;
		if ((*m)->health)
			st = (*m)->health(app, o);
		json_object_object_add(mods, (*m)->name, json_object_new_string(st ? "stale" : "ok"));
		stale = stale || st;
	}
	json_object_object_add(o, "modules", mods);
	json_object_object_add(o, "status", json_object_new_string(
		!db_ok ? "down" : (stale || !kv_ok) ? "degraded" : "ok"));
	json_object_object_add(o, "time", json_object_new_string(time_iso8601(time_now_ms(), when, sizeof when)));
	req_json(r, db_ok ? 200 : 503, o);
	json_object_put(o);
}
