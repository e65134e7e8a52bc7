/* api-health.c: GET /healthz: poll freshness, database and Redis
 * reachability. 200 when the app can serve (status "ok", or "degraded" when
 * the lobby data is stale or Redis is down), 503 when PostgreSQL is
 * unreachable. */
#include "app.h"
#include "req.h"
#include "route.h"
#include "store/bzcc-store.h"
#include "timeutil.h"

void api_health(struct app *app, struct req *r)
{
	struct json_object *o = json_object_new_object(), *poll = NULL, *ms;
	bool db_ok = db_ping(&app->db), kv_ok = kv_ping(&app->kv), stale = true;
	char when[32];

	if (db_ok)
		poll = bzcc_store_poll_status(&app->db);
	if (poll && json_object_object_get_ex(poll, "last_success_ms", &ms) &&
	    json_object_is_type(ms, json_type_int))
		stale = time_now_ms() - json_object_get_int64(ms) > app->cfg.stale_after_s * 1000LL;
	if (poll)
		json_object_object_add(poll, "stale", json_object_new_boolean(stale));
	json_object_object_add(o, "status", json_object_new_string(
		!db_ok ? "down" : (stale || !kv_ok) ? "degraded" : "ok"));
	json_object_object_add(o, "database", json_object_new_boolean(db_ok));
	json_object_object_add(o, "redis", json_object_new_boolean(kv_ok));
	json_object_object_add(o, "poll", poll);
	json_object_object_add(o, "stale_after_seconds", json_object_new_int(app->cfg.stale_after_s));
	json_object_object_add(o, "time", json_object_new_string(time_iso8601(time_now_ms(), when, sizeof when)));
	req_header(r, "Cache-Control", "no-store");
	req_json(r, db_ok ? 200 : 503, o);
	json_object_put(o);
}
