/* page-sessions.c: the GameWatch live page (GET /) and a session's page
 * (GET /sessions/{id}). Both render the same view models the JSON API
 * returns, plus the page-only keys of page.h. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "platform/web/app.h"
#include "buf.h"
#include "html.h"
#include "modules/bzcc/domain/bzcc.h"
#include "modules/bzcc/web/lobby.h"
#include "modules/bzcc/web/page.h"
#include "platform/web/req.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-store.h"
#include "timeutil.h"

static void add_option(struct json_object *list, const char *value, const char *label,
		       const char *selected)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "value", json_object_new_string(value));
	json_object_object_add(o, "label", json_object_new_string(label));
	json_object_object_add(o, "selected",
			       json_object_new_boolean(selected && !strcasecmp(selected, value)));
	json_object_array_add(list, o);
}

/* Distinct values of sessions[].k1.k2 as options, in first-seen order. */
static struct json_object *options_from(struct json_object *sessions, const char *k1,
					const char *k2, const char *selected)
{
	struct json_object *list = json_object_new_array();
	size_t i, j, n = sessions ? json_object_array_length(sessions) : 0;
	add_option(list, "", "Any", selected ? selected : "");
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(sessions, i);
		const char *s;
		bool dup = false;
		if (!json_object_object_get_ex(v, k1, &v) || (k2 && !json_object_object_get_ex(v, k2, &v)) ||
		    !json_object_is_type(v, json_type_string))
			continue;
		s = json_object_get_string(v);
		for (j = 1; j < json_object_array_length(list) && !dup; j++) {
			struct json_object *o, *val;
			o = json_object_array_get_idx(list, j);
			json_object_object_get_ex(o, "value", &val);
			dup = !strcmp(json_object_get_string(val), s);
		}
		if (!dup && *s)
			add_option(list, s, !strcmp(k1, "mod") && !strcmp(s, "0") ? "Stock" : s, selected);
	}
	return list;
}

void page_home(struct app *app, struct req *r)
{
	struct lobby_filter f;
	struct json_object *doc, *filtered, *ctx = NULL, *sessions, *all, *states;
	const struct buf *json;
	struct buf self = BUF_INIT;
	char err[160];
	int64_t now = time_now_ms();
	size_t i, n;
	int st;
	static const enum bzcc_state state_list[] = { BZCC_STATE_PRE_GAME, BZCC_STATE_IN_GAME,
						      BZCC_STATE_POST_GAME, BZCC_STATE_UNKNOWN };

	st = lobby_filter_parse(r, &f, err, sizeof err);
	if (st) {
		app_error(app, r, st, "invalid filter", err);
		return;
	}
	if (bzcc_current_lobby(app, &doc, &json) < 0) {
		app_error(app, r, 503, "lobby data unavailable",
			  "Neither Redis nor PostgreSQL answered. Try again in a moment.");
		return;
	}
	filtered = lobby_filter_apply(doc, &f);
	/* the cached document is shared: decorate a private copy */
	if (json_object_deep_copy(filtered, &ctx, NULL) < 0) {
		json_object_put(filtered);
		app_error(app, r, 500, "internal error", NULL);
		return;
	}
	json_object_put(filtered);
	if (json_object_object_get_ex(ctx, "sessions", &sessions)) {
		n = json_object_array_length(sessions);
		for (i = 0; i < n; i++)
			page_decorate_session(json_object_array_get_idx(sessions, i), now);
	}
	json_object_object_get_ex(doc, "sessions", &all);
	states = json_object_new_array();
	add_option(states, "", "Any", f.state ? f.state : "");
	for (i = 0; i < sizeof state_list / sizeof state_list[0]; i++)
		add_option(states, bzcc_state_token(state_list[i]), bzcc_state_label(state_list[i]), f.state);
	json_object_object_add(ctx, "state_options", states);
	json_object_object_add(ctx, "mode_options", options_from(all, "game_mode", "name", f.mode));
	json_object_object_add(ctx, "mod_options", options_from(all, "mod", "id", f.mod));
	{
		static const char *const sorts[][2] = { { "players", "Most players" },
							{ "recent", "Most recent" },
							{ "name", "Name" }, { "state", "State" } };
		struct json_object *so = json_object_new_array();
		const char *compact = req_param(r, "compact");
		for (i = 0; i < sizeof sorts / sizeof sorts[0]; i++)
			add_option(so, sorts[i][0], sorts[i][1], f.sort);
		json_object_object_add(ctx, "sort_options", so);
		/* compact cards: a display choice, not a filter (lobby.js
		 * remembers it) */
		json_object_object_add(ctx, "compact",
				       json_object_new_boolean(compact && !strcmp(compact, "1")));
	}
	json_object_object_add(ctx, "title", json_object_new_string("Live sessions"));
	buf_addstr(&self, "/");
	if (r->raw_query[0]) {
		buf_addch(&self, '?');
		buf_addstr(&self, r->raw_query);
	}
	json_object_object_add(ctx, "self_url", json_object_new_string(self.data));
	buf_release(&self);
	app_render_page(app, r, 200, "index", ctx);
	json_object_put(ctx);
}

void page_session(struct app *app, struct req *r)
{
	int found;
	struct json_object *s = bzcc_store_session(&app->db, r->route_args[0], &found), *ctx, *name;
	if (!s) {
		if (found < 0)
			app_error(app, r, 503, "database unavailable", "Try again in a moment.");
		else
			app_error(app, r, 404, "session not found", "No session with this id was ever seen.");
		return;
	}
	page_decorate_session(s, time_now_ms());
	{
		struct json_object *links;
		json_object_object_add(s, "has_links", json_object_new_boolean(
			json_object_object_get_ex(s, "links", &links) &&
			json_object_is_type(links, json_type_array) && json_object_array_length(links)));
	}
	ctx = json_object_new_object();
	json_object_object_get_ex(s, "name", &name);
	json_object_object_add(ctx, "title", json_object_get(name));
	bzcc_account_links(ctx, "session", r->route_args[0], json_object_get_string(name), 0);
	{
		struct buf u = BUF_INIT;
		buf_addstr(&u, "/bzcc/sessions/");
		url_path(&u, r->route_args[0]);
		buf_addstr(&u, "/team-picker");
		json_object_object_add(ctx, "team_picker_url", json_object_new_string(u.data));
		buf_release(&u);
	}
	json_object_object_add(ctx, "session", s);
	app_render_page(app, r, 200, "session", ctx);
	json_object_put(ctx);
}
