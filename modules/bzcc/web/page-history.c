/* page-history.c: GET /history, the session history list with a GET filter
 * form, the same document as /api/v1/history/sessions plus page keys. */
#include <stdio.h>
#include <string.h>

#include "platform/web/app.h"
#include "modules/bzcc/domain/bzcc.h"
#include "modules/bzcc/web/history.h"
#include "platform/web/req.h"
#include "modules/bzcc/module.h"

static void add_state_options(struct json_object *ctx, const char *selected)
{
	static const enum bzcc_state list[] = { BZCC_STATE_PRE_GAME, BZCC_STATE_IN_GAME,
						BZCC_STATE_POST_GAME, BZCC_STATE_UNKNOWN };
	struct json_object *opts = json_object_new_array();
	size_t i;

	for (i = 0; i < sizeof list / sizeof list[0]; i++) {
		struct json_object *o = json_object_new_object();
		const char *tok = bzcc_state_token(list[i]);
		json_object_object_add(o, "value", json_object_new_string(tok));
		json_object_object_add(o, "label", json_object_new_string(bzcc_state_label(list[i])));
		json_object_object_add(o, "selected",
				       json_object_new_boolean(selected && !strcmp(selected, tok)));
		json_object_array_add(opts, o);
	}
	json_object_object_add(ctx, "state_options", opts);
}

/* ctx[key] = prefix + the query string of q (cursor, csv as given), or
 * prefix alone when the query string is empty. */
static void add_link(struct json_object *ctx, const char *key, const char *prefix,
		     const struct history_query *q, const char *cursor, bool csv)
{
	struct buf u = BUF_INIT, qs = BUF_INIT;
	history_query_string(&qs, q, cursor, csv);
	buf_addstr(&u, prefix);
	if (qs.len) {
		buf_addch(&u, '?');
		buf_add(&u, qs.data, qs.len);
	}
	json_object_object_add(ctx, key, json_object_new_string(u.data));
	buf_release(&u);
	buf_release(&qs);
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

void page_history(struct app *app, struct req *r)
{
	struct history_query q;
	struct json_object *ctx = NULL, *form;
	char err[256];
	int st;

	st = history_sessions_doc(app, r, HISTORY_JSON, true, &q, &ctx, err, sizeof err);
	if (st == 503) {
		app_error(app, r, 503, "database unavailable", err);
		goto out;
	}
	if (st) {
		/* show the form again with the reason, so the visitor can fix it */
		ctx = json_object_new_object();
		json_object_object_add(ctx, "sessions", json_object_new_array());
		json_object_object_add(ctx, "error", json_object_new_string(err));
	}
	json_object_object_add(ctx, "title", json_object_new_string("Session history"));
	/* the form shows what was sent, even when part of it was refused */
	form = json_object_new_object();
	json_object_object_add(form, "from", str_or_null(req_param(r, "from")));
	json_object_object_add(form, "to", str_or_null(req_param(r, "to")));
	json_object_object_add(form, "map", str_or_null(req_param(r, "map")));
	json_object_object_add(form, "mod", str_or_null(req_param(r, "mod")));
	json_object_object_add(form, "q", str_or_null(req_param(r, "q")));
	json_object_object_add(ctx, "form", form);
	add_state_options(ctx, req_param(r, "state"));
	if (!st) {
		const char *next = history_get_str(ctx, "next_cursor");
		if (*next)
			add_link(ctx, "next_page_url", "/bzcc/history", &q, next, false);
		if (q.cursor)
			add_link(ctx, "first_page_url", "/bzcc/history", &q, NULL, false);
		add_link(ctx, "csv_url", "/api/v1/history/sessions", &q, NULL, true);
		add_link(ctx, "json_url", "/api/v1/history/sessions", &q, q.cursor, false);
	}
	bzcc_save_filter_link(ctx, r);
	history_time_texts(ctx);
	app_render_page(app, r, st ? st : 200, "history", ctx);
out:
	if (ctx)
		json_object_put(ctx);
	history_query_release(&q);
}
