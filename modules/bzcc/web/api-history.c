/* api-history.c: GET /api/v1/history/summary?minutes=N. */
#include <stdio.h>
#include <stdlib.h>

#include "platform/web/app.h"
#include "platform/web/req.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-store.h"
#include "timeutil.h"

void api_history_summary(struct app *app, struct req *r)
{
	const char *m = req_param(r, "minutes");
	struct json_object *o;
	long minutes = 60;

	if (m && *m) {
		char *end;
		minutes = strtol(m, &end, 10);
		if (*end || minutes < 1 || minutes > 10080) {
			req_json_error(r, 400, "invalid parameter",
				       "minutes must be an integer from 1 to 10080 (one week)");
			return;
		}
	}
	o = bzcc_store_summary(&app->db, time_now_ms(), (int)minutes);
	if (!o) {
		req_json_error(r, 503, "database unavailable", NULL);
		return;
	}
	req_json(r, 200, o);
	json_object_put(o);
}
