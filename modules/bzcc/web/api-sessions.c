/* api-sessions.c: GET /api/v1/sessions/current and /api/v1/sessions/{id}. */
#include <stdio.h>
#include <string.h>

#include "gzip.h"
#include "platform/web/app.h"
#include "platform/web/openapi.h"
#include "modules/bzcc/web/lobby.h"
#include "modules/bzcc/web/page.h"
#include "platform/web/req.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-store.h"

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
	if (bzcc_current_lobby(app, &doc, &json) < 0) {
		req_json_error(r, 503, "lobby data unavailable",
			       "Neither Redis nor PostgreSQL answered.");
		return;
	}
	if (!lobby_filter_active(&f)) {
		/* the hot path: the cached serialization (gzip-encoded once per
		 * version for clients that accept it), sent without a copy, with
		 * an ETag naming the version so polling clients get 304s */
		const struct buf *gz = NULL;
		r->status = 200;
		r->content_type = "application/json; charset=utf-8";
		req_header(r, "Vary", "Accept-Encoding");
		if (gzip_accepted(r->accept_encoding))
			gz = bzcc_current_lobby_gzip(app);
		if (bzcc_web(app)->lobby.version > 0) {
			/* the version never repeats (gw:bzcc:version is seeded at
			 * random when Redis lost it), and each encoding has its own
			 * tag: a cache holding the gzip body never answers an
			 * identity request with it, nor the reverse */
			char etag[80];
			snprintf(etag, sizeof etag, "\"lobby-%lld-%d%s\"", bzcc_web(app)->lobby.version,
				 bzcc_web(app)->lobby.stale, gz ? "-gzip" : "");
			req_header(r, "ETag", etag);
			if (openapi_etag_matches(r->if_none_match, etag)) {
				r->status = 304;
				return;
			}
		}
		if (gz) {
			req_header(r, "Content-Encoding", "gzip");
			r->body_ref = gz->data;
			r->body_ref_len = gz->len;
		} else {
			r->body_ref = json->data;
			r->body_ref_len = json->len;
		}
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
