/* api-history-sessions.c: GET /api/v1/history/sessions, the session
 * history list (live and ended), as JSON or CSV, with keyset paging. */
#include <stdio.h>
#include <string.h>

#include "platform/web/app.h"
#include "platform/web/cursor.h"
#include "modules/bzcc/web/history.h"
#include "platform/web/req.h"
#include "modules/bzcc/module.h"

static const struct csv_column session_columns[] = {
	{ "id", "id" },
	{ "name", "name" },
	{ "state", "state" },
	{ "live", "live" },
	{ "game_type", "game_type.name" },
	{ "game_mode", "game_mode.name" },
	{ "map_key", "map.key" },
	{ "map_file", "map.file" },
	{ "mod_id", "mod.id" },
	{ "version", "version" },
	{ "first_seen_at", "first_seen_at" },
	{ "last_seen_at", "last_seen_at" },
	{ "ended_at", "ended_at" },
	{ "duration_seconds", "duration_seconds" },
	{ "player_count", "player_count" },
	{ "max_players", "max_players" },
	{ "players_seen", "players_seen" },
	{ "url", "url" },
};

/* Prefix every row's url with APP_BASE_URL, so links in a spreadsheet work. */
static void absolute_urls(struct json_object *rows, const char *base)
{
	size_t i, n = json_object_array_length(rows);
	if (!base || !*base)
		return;
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(rows, i);
		struct buf u = BUF_INIT;
		buf_addstr(&u, base);
		if (u.len && u.data[u.len - 1] == '/')
			buf_truncate(&u, u.len - 1);
		buf_addstr(&u, history_get_str(s, "url"));
		json_object_object_add(s, "url", json_object_new_string(u.data));
		buf_release(&u);
	}
}

int history_sessions_doc(struct app *app, struct req *r, enum history_format fmt, bool page,
			 struct history_query *q, struct json_object **out, char *err,
			 size_t errlen)
{
	struct json_object *res, *sessions, *next, *doc;
	struct buf cursor = BUF_INIT, url = BUF_INIT;
	int st;

	*out = NULL;
	st = history_query_parse(r, app->cfg.secret_key, fmt, q, err, errlen);
	if (st)
		return st;
	res = bzcc_history_sessions(&app->db, &q->f);
	if (!res) {
		snprintf(err, errlen, "The database did not answer. Try again in a moment.");
		return 503;
	}
	json_object_object_get_ex(res, "sessions", &sessions);
	json_object_object_get_ex(res, "next", &next);
	history_decorate_sessions(sessions, page);
	doc = json_object_new_object();
	json_object_object_add(doc, "sessions", json_object_get(sessions));
	json_object_object_add(doc, "count",
			       json_object_new_int((int)json_object_array_length(sessions)));
	if (next && cursor_encode(&cursor, "sessions", history_get_int(next, "first_seen_us"),
				  history_get_str(next, "id"), app->cfg.secret_key) < 0) {
		/* unreachable: the web app does not start without SECRET_KEY */
		snprintf(err, errlen, "The server has no SECRET_KEY to sign the next page's cursor.");
		json_object_put(res);
		json_object_put(doc);
		return 500;
	}
	if (next) {
		buf_addstr(&url, "/api/v1/history/sessions?");
		history_query_string(&url, q, cursor.data, fmt == HISTORY_CSV);
		json_object_object_add(doc, "next_cursor", json_object_new_string(cursor.data));
		json_object_object_add(doc, "next_url", json_object_new_string(url.data));
	} else {
		json_object_object_add(doc, "next_cursor", NULL);
		json_object_object_add(doc, "next_url", NULL);
	}
	json_object_object_add(doc, "filters", history_query_filters(q));
	json_object_put(res);
	buf_release(&cursor);
	buf_release(&url);
	*out = doc;
	return 0;
}

void api_history_sessions(struct app *app, struct req *r)
{
	struct history_query q;
	struct json_object *doc, *sessions, *next_url;
	enum history_format fmt;
	char err[256];
	int st;

	st = history_format(r, &fmt, err, sizeof err);
	if (st) {
		req_json_error(r, st, "invalid parameter", err);
		return;
	}
	st = history_sessions_doc(app, r, fmt, false, &q, &doc, err, sizeof err);
	if (st) {
		req_json_error(r, st, st == 503 ? "database unavailable" : "invalid parameter", err);
		history_query_release(&q);
		return;
	}
	req_header(r, "Vary", "Accept");
	if (fmt == HISTORY_CSV) {
		json_object_object_get_ex(doc, "sessions", &sessions);
		json_object_object_get_ex(doc, "next_url", &next_url);
		absolute_urls(sessions, app->cfg.app_base_url);
		if (next_url) {
			struct buf link = BUF_INIT;
			buf_addf(&link, "<%s>; rel=\"next\"", json_object_get_string(next_url));
			req_header(r, "Link", link.data);
			req_header(r, "X-Next-Cursor", history_get_str(doc, "next_cursor"));
			buf_release(&link);
		}
		history_send_csv(r, sessions, session_columns,
				 sizeof session_columns / sizeof session_columns[0], "sessions.csv");
	} else {
		req_json(r, 200, doc);
	}
	json_object_put(doc);
	history_query_release(&q);
}
