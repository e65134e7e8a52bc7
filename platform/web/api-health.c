/* api-health.c: GET /healthz, for monitoring: database and Redis
 * reachability and each enabled module's data freshness (its health hook).
 *
 * The status code follows the usual convention of health checks: 200 while
 * the server serves fresh data, 503 when it cannot.
 *   ok        200  everything answers, every module's data is fresh
 *   degraded  200  fresh data, served without a part that only speeds it up:
 *                  Redis is configured (REDIS_URL) but does not answer
 *   stale     503  a module's data is older than its limit (its health hook
 *                  says so): the pages show old data with a banner
 *   down      503  PostgreSQL does not answer: nothing fresh can be served
 * `problems` lists one sentence per problem (empty when ok). Without Redis
 * (REDIS_URL unset) "redis" is null and counts as no problem. */
#include <stdio.h>

#include "platform/module.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "timeutil.h"

void api_health(struct app *app, struct req *r);

static void problem(struct json_object *list, const char *text)
{
	json_object_array_add(list, json_object_new_string(text));
}

void api_health(struct app *app, struct req *r)
{
	const struct gw_module *const *m;
	struct json_object *o = json_object_new_object(), *mods = json_object_new_object();
	struct json_object *problems = json_object_new_array();
	bool db_ok = db_ping(&app->db), kv_on = kv_enabled(&app->kv);
	bool kv_ok = kv_on && kv_ping(&app->kv), stale = false;
	const char *status;
	char when[32], text[160];

	json_object_object_add(o, "status", NULL); /* first keys; set below */
	json_object_object_add(o, "problems", NULL);
	json_object_object_add(o, "database", json_object_new_boolean(db_ok));
	json_object_object_add(o, "redis", kv_on ? json_object_new_boolean(kv_ok) : NULL);
	if (!db_ok)
		problem(problems, "database: PostgreSQL does not answer");
	if (kv_on && !kv_ok)
		problem(problems, "redis: Redis does not answer (pages are built from PostgreSQL, "
				  "without caches)");
	for (m = gw_modules(); *m; m++) {
		int st = 0;
		if ((*m)->health)
			st = (*m)->health(app, o);
		json_object_object_add(mods, (*m)->name, json_object_new_string(st ? "stale" : "ok"));
		if (st) {
			snprintf(text, sizeof text, "%s: its data is stale (no successful update "
						    "within its limit)", (*m)->name);
			problem(problems, text);
		}
		stale = stale || st;
	}
	json_object_object_add(o, "modules", mods);
	status = !db_ok ? "down" : stale ? "stale" : (kv_on && !kv_ok) ? "degraded" : "ok";
	json_object_object_add(o, "status", json_object_new_string(status));
	json_object_object_add(o, "problems", problems);
	json_object_object_add(o, "time", json_object_new_string(time_iso8601(time_now_ms(), when, sizeof when)));
	req_json(r, db_ok && !stale ? 200 : 503, o);
	json_object_put(o);
}
