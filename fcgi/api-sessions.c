/* api-sessions.c: GET /api/v1/sessions/current and /api/v1/sessions/{id}. */
#include <string.h>

#include "app.h"
#include "page.h"
#include "req.h"
#include "route.h"
#include "store/bzcc-store.h"

void api_sessions_current(struct app *app, struct req *r)
{
	struct lobby_filter f;
	struct json_object *doc, *out;
	const struct buf *json;
	char err[160];
	int st;

	st = lobby_filter_parse(r, &f, err, sizeof err);
	if (st) {
		req_json_error(r, st, "invalid parameter", err);
		return;
	}
	if (app_current_lobby(app, &doc, &json) < 0) {
		req_json_error(r, 503, "lobby data unavailable",
			       "Neither Redis nor PostgreSQL answered.");
		return;
	}
	req_header(r, "Cache-Control", "no-cache");
	if (!lobby_filter_active(&f)) {
		/* the hot path: the cached serialization, copied once */
		r->status = 200;
		r->content_type = "application/json; charset=utf-8";
		buf_add(&r->body, json->data, json->len);
		return;
	}
	out = lobby_filter_apply(doc, &f);
	req_json(r, 200, out);
	json_object_put(out);
}

void api_session(struct app *app, struct req *r)
{
	int found;
	struct json_object *s = bzcc_store_session(&app->db, r->route_args[0], &found);
	if (!s) {
		if (found < 0)
			req_json_error(r, 503, "database unavailable", NULL);
		else
			req_json_error(r, 404, "session not found",
				       "No session with this id was ever seen.");
		return;
	}
	req_json(r, 200, s);
	json_object_put(s);
}
