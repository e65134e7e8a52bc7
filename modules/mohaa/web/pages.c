/* pages.c: the MOHAA pages under /mohaa/: the same documents as the JSON
 * (store/stats.h, store/leaderboard.h) with links, text and server-drawn
 * heat maps added; every page works without JavaScript. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "html.h"
#include "modules/mohaa/domain/mohaa.h"
#include "modules/mohaa/module.h"
#include "modules/mohaa/store/leaderboard.h"
#include "modules/mohaa/store/stats.h"
#include "modules/mohaa/web/heatmap.h"
#include "modules/mohaa/web/web.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "timeutil.h"

/* helpers shared with api.c */
void mohaa_decorate_map(struct json_object *o, const char *key);
void mohaa_decorate_weapon(struct json_object *o);
int mohaa_board_params(const struct req *r, int *offset, int *limit, char *err, size_t errlen);
int mohaa_week_param(const struct req *r, char week[16], char *err, size_t errlen);
int mohaa_kind_param(const struct req *r, char *kind, char *err, size_t errlen);

static const char *jstr(struct json_object *o, const char *k)
{
	return json_object_get_string(json_object_object_get(o, k));
}

static void set_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

/* o[k] = prefix + escaped(value of o[from]) (a map path keeps its '/'). */
static void link(struct json_object *o, const char *k, const char *prefix, const char *from,
		 bool path)
{
	const char *v = jstr(o, from);
	struct buf u = BUF_INIT;
	if (!v) {
		json_object_object_add(o, k, NULL);
		return;
	}
	buf_addstr(&u, prefix);
	if (path) {
		const char *slash = strchr(v, '/');
		if (slash) {
			struct buf a = BUF_INIT;
			buf_add(&a, v, (size_t)(slash - v));
			url_path(&u, a.data);
			buf_addch(&u, '/');
			url_path(&u, slash + 1);
			buf_release(&a);
		} else {
			url_path(&u, v);
		}
	} else {
		url_path(&u, v);
	}
	set_str(o, k, u.data);
	buf_release(&u);
}

static void links_each(struct json_object *arr, const char *k, const char *prefix,
		       const char *from, bool path)
{
	size_t i;
	for (i = 0; arr && i < json_object_array_length(arr); i++)
		link(json_object_array_get_idx(arr, i), k, prefix, from, path);
}

static void maps_each(struct json_object *arr, const char *key)
{
	size_t i;
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		mohaa_decorate_map(o, key);
		link(o, "map_url", "/mohaa/maps/", key, true);
	}
}

static void matches_each(struct json_object *arr)
{
	size_t i;
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		char u[48];
		snprintf(u, sizeof u, "/mohaa/matches/%lld",
			 (long long)json_object_get_int64(json_object_object_get(o, "match_id")));
		set_str(o, "url", u);
	}
	maps_each(arr, "map_name");
}

static void page_error(struct app *app, struct req *r, int st, const char *what)
{
	char d[160];
	if (st == 404) {
		snprintf(d, sizeof d, "No %s with this id has been seen.", what);
		app_error(app, r, 404, "not found", d);
	} else {
		app_error(app, r, 503, "database unavailable", "The database did not answer; try again.");
	}
}

static void render(struct app *app, struct req *r, const char *tmpl, const char *title,
		   struct json_object *ctx)
{
	set_str(ctx, "title", title);
	app_render_page(app, r, 200, tmpl, ctx);
	json_object_put(ctx);
}

/* ---- / ---------------------------------------------------------------------- */

void page_mohaa_home(struct app *app, struct req *r)
{
	struct json_object *ctx = json_object_new_object(), *live, *top, *recent, *maps, *sum;
	int st;
	live = mohaa_stats_live(&app->db, 90, &st);
	if (!live) {
		json_object_put(ctx);
		page_error(app, r, 503, "");
		return;
	}
	matches_each(json_object_object_get(live, "matches"));
	{
		size_t i;
		struct json_object *arr = json_object_object_get(live, "matches");
		for (i = 0; i < json_object_array_length(arr); i++)
			links_each(json_object_object_get(json_object_array_get_idx(arr, i), "players"),
				   "url", "/mohaa/players/", "player_id", false);
	}
	top = mohaa_lb_read(&app->db, &app->kv, MOHAA_BOARD_GLOBAL, "", "kills", 0, 10);
	if (top)
		links_each(json_object_object_get(top, "entries"), "url", "/mohaa/players/", "player_id",
			   false);
	recent = mohaa_stats_recent_matches(&app->db, 15, &st);
	if (recent)
		matches_each(json_object_object_get(recent, "matches"));
	maps = mohaa_stats_maps(&app->db, &st);
	if (maps)
		maps_each(json_object_object_get(maps, "maps"), "map_name");
	sum = mohaa_stats_summary(&app->db, &st);
	json_object_object_add(ctx, "live", live);
	json_object_object_add(ctx, "top", top);
	json_object_object_add(ctx, "recent", recent);
	json_object_object_add(ctx, "maps", maps);
	json_object_object_add(ctx, "summary", sum);
	render(app, r, "mohaa-index", "Medal of Honor: Allied Assault", ctx);
}

/* ---- /leaderboard --------------------------------------------------------------- */

void page_mohaa_leaderboard(struct app *app, struct req *r)
{
	const char *b = req_param(r, "board"), *stat = req_param(r, "stat"), *key = req_param(r, "key");
	struct json_object *ctx = json_object_new_object(), *doc, *tabs;
	enum mohaa_board board = MOHAA_BOARD_GLOBAL;
	char err[160], week[16], map[160];
	const struct mohaa_weapon *w = NULL;
	int offset, limit, st;
	struct buf u = BUF_INIT;

	if (!b || !strcmp(b, "global"))
		board = MOHAA_BOARD_GLOBAL;
	else if (!strcmp(b, "weekly"))
		board = MOHAA_BOARD_WEEK;
	else if (!strcmp(b, "weapon"))
		board = MOHAA_BOARD_WEAPON;
	else if (!strcmp(b, "map"))
		board = MOHAA_BOARD_MAP;
	else {
		json_object_put(ctx);
		app_error(app, r, 400, "invalid parameter", "board must be global, weekly, weapon or map");
		return;
	}
	if (!stat || board != MOHAA_BOARD_GLOBAL)
		stat = "kills";
	st = mohaa_board_params(r, &offset, &limit, err, sizeof err);
	if (!st && !mohaa_lb_stat_ok(stat)) {
		st = 400;
		snprintf(err, sizeof err, "stat must be kills, headshots, damage or kd");
	}
	if (!st && board == MOHAA_BOARD_WEEK)
		st = mohaa_week_param(r, week, err, sizeof err);
	if (!st && board == MOHAA_BOARD_WEAPON && !(w = mohaa_weapon_lookup(key ? key : "garand"))) {
		st = 404;
		snprintf(err, sizeof err, "No such weapon.");
	}
	if (st) {
		json_object_put(ctx);
		app_error(app, r, st, st == 404 ? "not found" : "invalid parameter", err);
		return;
	}
	snprintf(map, sizeof map, "%s", key && *key ? key : "obj/obj_team2");
	for (char *p = map; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	key = board == MOHAA_BOARD_WEEK ? week : board == MOHAA_BOARD_WEAPON ? w->id
	      : board == MOHAA_BOARD_MAP ? map : "";
	doc = mohaa_lb_read(&app->db, &app->kv, board, key, stat, offset, limit);
	if (!doc) {
		json_object_put(ctx);
		page_error(app, r, 503, "");
		return;
	}
	links_each(json_object_object_get(doc, "entries"), "url", "/mohaa/players/", "player_id", false);
	json_object_object_add(ctx, "board", doc);
	/* tabs and choices */
	tabs = json_object_new_array();
	{
		static const char *const names[] = { "global", "weekly", "weapon", "map" };
		static const char *const labels[] = { "All time", "This week", "By weapon", "By map" };
		for (int i = 0; i < 4; i++) {
			struct json_object *t = json_object_new_object();
			char href[64];
			snprintf(href, sizeof href, "/mohaa/leaderboard?board=%s", names[i]);
			set_str(t, "label", labels[i]);
			set_str(t, "href", href);
			json_object_object_add(t, "current", json_object_new_boolean((int)board == i));
			json_object_array_add(tabs, t);
		}
	}
	json_object_object_add(ctx, "tabs", tabs);
	json_object_object_add(ctx, "is_global", json_object_new_boolean(board == MOHAA_BOARD_GLOBAL));
	json_object_object_add(ctx, "is_weekly", json_object_new_boolean(board == MOHAA_BOARD_WEEK));
	json_object_object_add(ctx, "is_weapon", json_object_new_boolean(board == MOHAA_BOARD_WEAPON));
	json_object_object_add(ctx, "is_map", json_object_new_boolean(board == MOHAA_BOARD_MAP));
	set_str(ctx, "week", week);
	set_str(ctx, "key", key);
	if (board == MOHAA_BOARD_WEAPON) {
		struct json_object *ws = json_object_new_array();
		size_t n, i;
		const struct mohaa_weapon *all = mohaa_weapons(&n);
		for (i = 0; i < n; i++) {
			struct json_object *o;
			if (all[i].wclass < MOHAA_WC_PISTOL || !strcmp(all[i].id, "detonator"))
				continue;
			o = json_object_new_object();
			set_str(o, "id", all[i].id);
			set_str(o, "name", all[i].display);
			json_object_object_add(o, "selected", json_object_new_boolean(all[i].id == w->id));
			json_object_array_add(ws, o);
		}
		json_object_object_add(ctx, "weapons", ws);
		set_str(ctx, "key_title", w->display);
	}
	if (board == MOHAA_BOARD_MAP) {
		int mst;
		struct json_object *maps = mohaa_stats_maps(&app->db, &mst);
		if (maps) {
			struct json_object *arr = json_object_object_get(maps, "maps");
			size_t i;
			maps_each(arr, "map_name");
			for (i = 0; i < json_object_array_length(arr); i++) {
				struct json_object *o = json_object_array_get_idx(arr, i);
				json_object_object_add(o, "selected", json_object_new_boolean(
					!strcmp(jstr(o, "map_name"), map)));
			}
			json_object_object_add(ctx, "maps", json_object_get(arr));
			json_object_put(maps);
		}
		set_str(ctx, "key_title", mohaa_map_friendly(map) ? mohaa_map_friendly(map) : map);
	}
	if (board == MOHAA_BOARD_GLOBAL) {
		struct json_object *stats = json_object_new_array();
		static const char *const s[] = { "kills", "headshots", "damage", "kd" };
		static const char *const l[] = { "Kills", "Headshots", "Damage", "K/D" };
		for (int i = 0; i < 4; i++) {
			struct json_object *o = json_object_new_object();
			char href[64];
			snprintf(href, sizeof href, "/mohaa/leaderboard?stat=%s", s[i]);
			set_str(o, "label", l[i]);
			set_str(o, "href", href);
			json_object_object_add(o, "current", json_object_new_boolean(!strcmp(stat, s[i])));
			json_object_array_add(stats, o);
		}
		json_object_object_add(ctx, "stats", stats);
	}
	/* pager */
	buf_addf(&u, "/mohaa/leaderboard?board=%s&stat=%s&limit=%d",
		 board == MOHAA_BOARD_GLOBAL ? "global" : board == MOHAA_BOARD_WEEK ? "weekly"
		 : board == MOHAA_BOARD_WEAPON ? "weapon" : "map", stat, limit);
	if (board != MOHAA_BOARD_GLOBAL) {
		buf_addstr(&u, board == MOHAA_BOARD_WEEK ? "&week=" : "&key=");
		url_arg(&u, key);
	}
	{
		int64_t total = json_object_get_int64(json_object_object_get(doc, "total"));
		char tail[32];
		if (offset > 0) {
			struct buf p = BUF_INIT;
			buf_addf(&p, "%s&offset=%d", u.data, offset - limit > 0 ? offset - limit : 0);
			set_str(ctx, "prev_url", p.data);
			buf_release(&p);
		}
		if (offset + limit < total) {
			snprintf(tail, sizeof tail, "&offset=%d", offset + limit);
			buf_addstr(&u, tail);
			set_str(ctx, "next_url", u.data);
		}
	}
	buf_release(&u);
	render(app, r, "mohaa-leaderboard", "Leaderboard", ctx);
}

/* ---- players ------------------------------------------------------------------------ */

void page_mohaa_player(struct app *app, struct req *r)
{
	int st;
	struct json_object *p = mohaa_stats_player(&app->db, r->route_args[0], &st), *ctx, *w, *m;
	struct buf u = BUF_INIT;
	size_t i;
	if (!p) {
		page_error(app, r, st, "player");
		return;
	}
	ctx = json_object_new_object();
	{
		struct json_object *maps = json_object_object_get(p, "maps");
		maps_each(maps, "map_name");
		for (i = 0; i < json_object_array_length(maps); i++) {
			struct json_object *o = json_object_array_get_idx(maps, i);
			buf_reset(&u);
			buf_addstr(&u, "/mohaa/players/");
			url_path(&u, r->route_args[0]);
			buf_addstr(&u, "/heatmap/");
			buf_addstr(&u, jstr(o, "map_url") + strlen("/mohaa/maps/"));
			set_str(o, "heatmap_url", u.data);
		}
	}
	w = mohaa_stats_player_weapons(&app->db, r->route_args[0], &st);
	if (w) {
		struct json_object *arr = json_object_object_get(w, "weapons");
		for (i = 0; i < json_object_array_length(arr); i++)
			mohaa_decorate_weapon(json_object_array_get_idx(arr, i));
	}
	m = mohaa_stats_player_matches(&app->db, r->route_args[0], 0, 20, &st);
	if (m)
		matches_each(json_object_object_get(m, "matches"));
	{
		double pt = (double)json_object_get_int64(json_object_object_get(p, "playtime_seconds"));
		char t[32];
		snprintf(t, sizeof t, "%.1f h", pt / 3600.0);
		set_str(ctx, "playtime_text", t);
	}
	buf_reset(&u);
	buf_addstr(&u, "/api/v1/stats/player/");
	url_path(&u, r->route_args[0]);
	set_str(ctx, "api_url", u.data);
	json_object_object_add(ctx, "player", p);
	json_object_object_add(ctx, "weapons", w);
	json_object_object_add(ctx, "history", m);
	buf_release(&u);
	render(app, r, "mohaa-player", jstr(p, "name"), ctx);
}

static void heat_pair(struct app *app, struct json_object *ctx, const char *pid, const char *map,
		      const char *who, int *st)
{
	static const char kinds[2] = { 'k', 'd' };
	int i;
	for (i = 0; i < 2; i++) {
		struct json_object *h = mohaa_stats_heatmap(&app->db, pid, map, kinds[i], st);
		struct buf svg = BUF_INIT, title = BUF_INIT;
		if (!h)
			return;
		buf_addf(&title, "%s %s on %s (100-unit cells)", i ? "Deaths of" : "Kills by", who, map);
		mohaa_heatmap_svg(&svg, h, title.data);
		json_object_object_add(ctx, i ? "deaths_svg" : "kills_svg",
				       json_object_new_string_len(svg.data, (int)svg.len));
		json_object_object_add(ctx, i ? "deaths_total" : "kills_total",
				       json_object_get(json_object_object_get(h, "total")));
		json_object_put(h);
		buf_release(&svg);
		buf_release(&title);
	}
}

void page_mohaa_player_heatmap(struct app *app, struct req *r)
{
	char map[160];
	int st;
	struct json_object *p = mohaa_stats_player(&app->db, r->route_args[0], &st), *ctx;
	struct buf u = BUF_INIT;
	if (!p) {
		page_error(app, r, st, "player");
		return;
	}
	mohaa_map_arg(r, 1, map, sizeof map);
	ctx = json_object_new_object();
	heat_pair(app, ctx, r->route_args[0], map, jstr(p, "name"), &st);
	if (st != 200) {
		json_object_put(ctx);
		json_object_put(p);
		page_error(app, r, st, "player");
		return;
	}
	set_str(ctx, "map_name", map);
	set_str(ctx, "map_title", mohaa_map_friendly(map));
	buf_addstr(&u, "/mohaa/players/");
	url_path(&u, r->route_args[0]);
	set_str(ctx, "player_url", u.data);
	buf_reset(&u);
	buf_addstr(&u, "/api/v1/stats/player/");
	url_path(&u, r->route_args[0]);
	buf_addf(&u, "/heatmap/%s", map);
	set_str(ctx, "api_url", u.data);
	buf_addstr(&u, "?format=svg");
	set_str(ctx, "svg_url", u.data);
	json_object_object_add(ctx, "player", p);
	buf_release(&u);
	render(app, r, "mohaa-heatmap", "Heat map", ctx);
}

/* ---- maps, matches, servers, achievements --------------------------------------------- */

void page_mohaa_map(struct app *app, struct req *r)
{
	char map[160];
	int st;
	struct json_object *ctx = json_object_new_object(), *top;
	mohaa_map_arg(r, 0, map, sizeof map);
	heat_pair(app, ctx, NULL, map, "everyone", &st);
	if (st != 200) {
		json_object_put(ctx);
		page_error(app, r, st, "map");
		return;
	}
	top = mohaa_lb_read(&app->db, &app->kv, MOHAA_BOARD_MAP, map, "kills", 0, 20);
	if (top)
		links_each(json_object_object_get(top, "entries"), "url", "/mohaa/players/", "player_id",
			   false);
	json_object_object_add(ctx, "top", top);
	set_str(ctx, "map_name", map);
	set_str(ctx, "map_title", mohaa_map_friendly(map));
	render(app, r, "mohaa-map", mohaa_map_friendly(map) ? mohaa_map_friendly(map) : map, ctx);
}

void page_mohaa_match(struct app *app, struct req *r)
{
	char *end;
	long long id = strtoll(r->route_args[0], &end, 10);
	struct json_object *m, *t, *ctx;
	int st;
	char title[64];
	if (!*r->route_args[0] || *end || id < 1) {
		app_error(app, r, 400, "invalid parameter", "A match id is a positive integer.");
		return;
	}
	m = mohaa_stats_match(&app->db, id, &st);
	if (!m) {
		page_error(app, r, st, "match");
		return;
	}
	mohaa_decorate_map(m, "map_name");
	link(m, "map_url", "/mohaa/maps/", "map_name", true);
	links_each(json_object_object_get(m, "players"), "url", "/mohaa/players/", "player_id", false);
	{
		char u[48];
		snprintf(u, sizeof u, "/mohaa/servers/%lld", (long long)json_object_get_int64(
			json_object_object_get(json_object_object_get(m, "server"), "id")));
		set_str(json_object_object_get(m, "server"), "url", u);
	}
	t = mohaa_stats_timeline(&app->db, id, 0, 500, 0, &st);
	if (t) {
		struct json_object *ev = json_object_object_get(t, "events");
		size_t i;
		for (i = 0; i < json_object_array_length(ev); i++) {
			struct json_object *e = json_object_array_get_idx(ev, i);
			struct json_object *a = json_object_object_get(e, "actor");
			struct json_object *g = json_object_object_get(e, "target");
			if (a && jstr(a, "id") && strcmp(jstr(a, "id"), "world"))
				link(a, "url", "/mohaa/players/", "id", false);
			if (g && jstr(g, "id"))
				link(g, "url", "/mohaa/players/", "id", false);
			json_object_object_add(e, "is_kill", json_object_new_boolean(
				!strcmp(jstr(e, "type"), "kill")));
			json_object_object_add(e, "is_chat", json_object_new_boolean(
				!strcmp(jstr(e, "type"), "chat")));
			if (jstr(e, "weapon")) {
				const struct mohaa_weapon *w = mohaa_weapon_lookup(jstr(e, "weapon"));
				set_str(e, "weapon_name", w ? w->display : jstr(e, "weapon"));
			}
		}
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "match", m);
	json_object_object_add(ctx, "timeline", t);
	snprintf(title, sizeof title, "Match %lld", id);
	render(app, r, "mohaa-match", title, ctx);
}

void page_mohaa_server(struct app *app, struct req *r)
{
	int st;
	struct json_object *s = mohaa_stats_server(&app->db, r->route_args[0], &st), *ctx;
	if (!s) {
		page_error(app, r, st, "server");
		return;
	}
	matches_each(json_object_object_get(s, "recent_matches"));
	maps_each(json_object_object_get(s, "maps"), "map_name");
	ctx = json_object_new_object();
	json_object_object_add(ctx, "server", s);
	render(app, r, "mohaa-server", jstr(s, "name"), ctx);
}

void page_mohaa_achievements(struct app *app, struct req *r)
{
	int st;
	struct json_object *a = mohaa_stats_achievements(&app->db, &st), *ctx;
	if (!a) {
		page_error(app, r, st, "");
		return;
	}
	links_each(json_object_object_get(a, "recent"), "url", "/mohaa/players/", "player_id", false);
	ctx = json_object_new_object();
	json_object_object_add(ctx, "achievements", a);
	render(app, r, "mohaa-achievements", "Achievements", ctx);
}
