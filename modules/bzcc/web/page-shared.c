/* page-shared.c: lobby filters and page-only decorations. */
#include "modules/bzcc/web/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "platform/web/req.h"
#include "timeutil.h"

static const char *const states[] = { "pre_game", "in_game", "post_game", "unknown" };

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

int lobby_filter_parse(const struct req *r, struct lobby_filter *f, char *err, size_t errlen)
{
	static const char *const keys[] = { "state", "mode", "mod", "q", "nat_type", "min_players",
					    "vsr", "sort" };
	static const char *const sorts[] = { "players", "recent", "name", "state" };
	const char *mp, *v;
	size_t i;

	memset(f, 0, sizeof *f);
	f->min_players = -1;
	f->sort = sorts[0];
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = req_param(r, keys[i]);
		if (v && strlen(v) > 100) {
			snprintf(err, errlen, "parameter %s is longer than 100 bytes", keys[i]);
			return 400;
		}
	}
	f->state = nonempty(req_param(r, "state"));
	f->mode = nonempty(req_param(r, "mode"));
	f->mod = nonempty(req_param(r, "mod"));
	f->q = nonempty(req_param(r, "q"));
	f->nat_type = nonempty(req_param(r, "nat_type"));
	if (f->state) {
		bool ok = false;
		for (i = 0; i < sizeof states / sizeof states[0]; i++)
			ok |= !strcmp(f->state, states[i]);
		if (!ok) {
			snprintf(err, errlen, "state must be one of pre_game, in_game, post_game, unknown");
			return 400;
		}
	}
	mp = nonempty(req_param(r, "min_players"));
	if (mp) {
		char *end;
		long n = strtol(mp, &end, 10);
		if (*end || n < 0 || n > 255) {
			snprintf(err, errlen, "min_players must be an integer from 0 to 255");
			return 400;
		}
		f->min_players = (int)n;
	}
	v = nonempty(req_param(r, "vsr"));
	if (v) {
		if (strcmp(v, "0") && strcmp(v, "1")) {
			snprintf(err, errlen, "vsr must be 0 or 1");
			return 400;
		}
		f->vsr = !strcmp(v, "1");
	}
	v = nonempty(req_param(r, "sort"));
	if (v) {
		bool ok = false;
		for (i = 0; i < sizeof sorts / sizeof sorts[0] && !ok; i++)
			if (!strcmp(v, sorts[i])) {
				f->sort = sorts[i];
				ok = true;
			}
		if (!ok) {
			snprintf(err, errlen, "sort must be one of players, recent, name, state");
			return 400;
		}
	}
	return 0;
}

bool lobby_filter_active(const struct lobby_filter *f)
{
	return f->state || f->mode || f->mod || f->q || f->nat_type || f->min_players >= 0 ||
	       f->vsr || strcmp(f->sort, "players");
}

static const char *str_at(struct json_object *o, const char *k1, const char *k2)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, k1, &v))
		return "";
	if (k2 && !json_object_object_get_ex(v, k2, &v))
		return "";
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static bool matches_q(struct json_object *s, const char *q)
{
	struct json_object *players;
	size_t i, n;
	if (strcasestr(str_at(s, "name", NULL), q) || strcasestr(str_at(s, "map", "file"), q))
		return true;
	if (!json_object_object_get_ex(s, "players", &players))
		return false;
	n = json_object_array_length(players);
	for (i = 0; i < n; i++)
		if (strcasestr(str_at(json_object_array_get_idx(players, i), "name", NULL), q))
			return true;
	return false;
}

static bool matches(struct json_object *s, const struct lobby_filter *f)
{
	struct json_object *v;
	if (f->state && strcmp(str_at(s, "state", NULL), f->state))
		return false;
	if (f->mode && strcasecmp(str_at(s, "game_mode", "name"), f->mode))
		return false;
	if (f->mod && strcmp(str_at(s, "mod", "id"), f->mod))
		return false;
	if (f->nat_type && strcasecmp(str_at(s, "nat_type", "name"), f->nat_type))
		return false;
	if (f->min_players >= 0 &&
	    (!json_object_object_get_ex(s, "player_count", &v) ||
	     json_object_get_int(v) < f->min_players))
		return false;
	if (f->q && !matches_q(s, f->q))
		return false;
	if (f->vsr && !(json_object_object_get_ex(s, "mod", &v) &&
			json_object_object_get_ex(v, "vsr", &v) && json_object_get_boolean(v)))
		return false;
	return true;
}

static int state_rank(const char *st)
{
	static const char *const order[] = { "pre_game", "in_game", "post_game" };
	int i;
	for (i = 0; i < 3; i++)
		if (!strcmp(st, order[i]))
			return i;
	return 3;
}

static int int_member(struct json_object *o, const char *k)
{
	struct json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_int(v) : 0;
}

/* qsort comparators over session objects (json_object **). */
static int by_players(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a, *y = *(struct json_object *const *)b;
	int d = int_member(y, "player_count") - int_member(x, "player_count");
	if (d)
		return d;
	d = strcmp(str_at(x, "name", NULL), str_at(y, "name", NULL));
	return d ? d : strcmp(str_at(x, "id", NULL), str_at(y, "id", NULL));
}

static int by_recent(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a, *y = *(struct json_object *const *)b;
	/* ISO-8601 UTC text orders as time does */
	int d = strcmp(str_at(y, "first_seen_at", NULL), str_at(x, "first_seen_at", NULL));
	return d ? d : by_players(a, b);
}

static int by_name(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a, *y = *(struct json_object *const *)b;
	int d = strcasecmp(str_at(x, "name", NULL), str_at(y, "name", NULL));
	return d ? d : strcmp(str_at(x, "id", NULL), str_at(y, "id", NULL));
}

static int by_state(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a, *y = *(struct json_object *const *)b;
	int d = state_rank(str_at(x, "state", NULL)) - state_rank(str_at(y, "state", NULL));
	return d ? d : by_players(a, b);
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

struct json_object *lobby_filter_apply(struct json_object *doc, const struct lobby_filter *f)
{
	struct json_object *out = json_object_new_object(), *sessions, *kept, *fo;
	size_t i, n;

	json_object_object_foreach(doc, key, val) {
		if (strcmp(key, "sessions"))
			json_object_object_add(out, key, json_object_get(val));
	}
	kept = json_object_new_array();
	if (json_object_object_get_ex(doc, "sessions", &sessions)) {
		n = json_object_array_length(sessions);
		for (i = 0; i < n; i++) {
			struct json_object *s = json_object_array_get_idx(sessions, i);
			if (matches(s, f))
				json_object_array_add(kept, json_object_get(s));
		}
	}
	if (strcmp(f->sort, "players") && json_object_array_length(kept) > 1) {
		json_object_array_sort(kept, !strcmp(f->sort, "recent") ? by_recent
					 : !strcmp(f->sort, "name") ? by_name : by_state);
	}
	fo = json_object_new_object();
	json_object_object_add(fo, "state", str_or_null(f->state));
	json_object_object_add(fo, "mode", str_or_null(f->mode));
	json_object_object_add(fo, "mod", str_or_null(f->mod));
	json_object_object_add(fo, "q", str_or_null(f->q));
	json_object_object_add(fo, "nat_type", str_or_null(f->nat_type));
	json_object_object_add(fo, "min_players",
			       f->min_players >= 0 ? json_object_new_int(f->min_players) : NULL);
	json_object_object_add(fo, "vsr", json_object_new_boolean(f->vsr));
	json_object_object_add(fo, "sort", json_object_new_string(f->sort));
	json_object_object_add(out, "filters", fo);
	json_object_object_add(out, "matched", json_object_new_int((int)json_object_array_length(kept)));
	json_object_object_add(out, "sessions", kept);
	return out;
}

char *page_duration_text(int64_t seconds, char *out, size_t outlen)
{
	int64_t m = seconds / 60;
	if (seconds < 0)
		snprintf(out, outlen, "—");
	else if (m < 60)
		snprintf(out, outlen, "%lld min", (long long)m);
	else if (m < 24 * 60)
		snprintf(out, outlen, "%lld h %02lld min", (long long)(m / 60), (long long)(m % 60));
	else
		snprintf(out, outlen, "%lld d %lld h", (long long)(m / 1440), (long long)(m % 1440 / 60));
	return out;
}

static bool bool_at(struct json_object *o, const char *k)
{
	struct json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

static int int_at(struct json_object *o, const char *k)
{
	struct json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_int(v) : 0;
}

static struct json_object *new_group(const char *label, int team)
{
	struct json_object *g = json_object_new_object();
	json_object_object_add(g, "label", json_object_new_string(label));
	json_object_object_add(g, "team", json_object_new_int(team));
	json_object_object_add(g, "players", json_object_new_array());
	return g;
}

/* A player's profile page on our site ("/players/steam:<id>",
 * "/players/gog:<id>"), or null: always set, so the template never falls
 * back to the session's own url. */
static void add_profile_url(struct json_object *p)
{
	const char *prov = str_at(p, "provider", NULL), *id = str_at(p, "external_id", NULL);
	struct buf b = BUF_INIT;
	if ((!strcmp(prov, "steam") || !strcmp(prov, "gog")) && *id) {
		buf_addstr(&b, "/bzcc/players/");
		url_path(&b, prov);
		buf_addch(&b, ':');
		url_path(&b, id);
		json_object_object_add(p, "url", json_object_new_string(b.data));
	} else {
		json_object_object_add(p, "url", NULL);
	}
	buf_release(&b);
}

/* Team labels: the map's own team names (netVars svar1/svar2 of a teamplay
 * map, joined in by bzcc.enrich_session as map.team_names) or "Team N". */
static void team_labels(struct json_object *s, const char **t1, const char **t2)
{
	struct json_object *map, *names;
	*t1 = "Team 1";
	*t2 = "Team 2";
	if (json_object_object_get_ex(s, "map", &map) &&
	    json_object_object_get_ex(map, "team_names", &names) &&
	    json_object_is_type(names, json_type_array) && json_object_array_length(names) == 2) {
		struct json_object *a = json_object_array_get_idx(names, 0);
		struct json_object *b = json_object_array_get_idx(names, 1);
		if (json_object_is_type(a, json_type_string) && *json_object_get_string(a) &&
		    json_object_is_type(b, json_type_string) && *json_object_get_string(b)) {
			*t1 = json_object_get_string(a);
			*t2 = json_object_get_string(b);
		}
	}
}

static void add_item(struct json_object *list, const char *label, const char *value,
		     const char *title)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "label", json_object_new_string(label));
	json_object_object_add(o, "value", json_object_new_string(value));
	json_object_object_add(o, "title", title ? json_object_new_string(title) : NULL);
	json_object_array_add(list, o);
}

/* The rules row: limits always (a lobby without them has none), the
 * respawn rule and vehicle-only for deathmatch games. */
static struct json_object *rules_items(struct json_object *s)
{
	struct json_object *rules, *v, *list = json_object_new_array();
	char text[32];
	if (!json_object_object_get_ex(s, "rules", &rules) || !rules)
		return list;
	if (json_object_object_get_ex(rules, "time_limit", &v) && v) {
		snprintf(text, sizeof text, "%d min", json_object_get_int(v));
		add_item(list, "Time limit", text, NULL);
	} else {
		add_item(list, "Time limit", "none", NULL);
	}
	if (json_object_object_get_ex(rules, "kill_limit", &v) && v) {
		snprintf(text, sizeof text, "%d", json_object_get_int(v));
		add_item(list, "Kill limit", text, NULL);
	} else {
		add_item(list, "Kill limit", "none", NULL);
	}
	if (json_object_object_get_ex(rules, "respawn", &v) && v) {
		const char *r = json_object_get_string(v);
		add_item(list, "Respawn", r,
			 !strcmp(r, "Race") ? "Respawn as a random vehicle of your own race"
			 : !strcmp(r, "Any") ? "Respawn as a random vehicle of any race"
					     : "Respawn as the vehicle you chose");
	}
	if (json_object_object_get_ex(rules, "vehicle_only", &v) && v &&
	    json_object_get_boolean(v))
		add_item(list, "Vehicles only", "yes", "No pilots on foot: vehicles only");
	return list;
}

void page_decorate_session(struct json_object *s, int64_t now_ms)
{
	struct json_object *players, *groups, *g[4] = { 0 }, *arr;
	struct buf url = BUF_INIT;
	const char *since = str_at(s, "state_since", NULL), *t1, *t2;
	const char *mode = str_at(s, "game_mode", "name");
	bool teams = bool_at(s, "teams");
	int64_t since_ms, secs = -1;
	char text[32];
	size_t i, n;
	int k;

	buf_addstr(&url, "/bzcc/sessions/");
	url_path(&url, str_at(s, "id", NULL));
	json_object_object_add(s, "url", json_object_new_string(url.data));
	buf_release(&url);

	if (*since && time_parse_iso8601(since, &since_ms) == 0)
		secs = (now_ms - since_ms) / 1000;
	json_object_object_add(s, "seconds_in_state", secs >= 0 ? json_object_new_int64(secs) : NULL);
	json_object_object_add(s, "time_in_state",
			       json_object_new_string(page_duration_text(secs, text, sizeof text)));

	/* per card: when the poller last saw it */
	{
		const char *seen = str_at(s, "last_seen_at", NULL);
		int64_t seen_ms, ago;
		if (*seen && time_parse_iso8601(seen, &seen_ms) == 0) {
			ago = (now_ms - seen_ms) / 1000;
			if (ago < 0)
				ago = 0;
			if (ago < 60)
				snprintf(text, sizeof text, "%lld s ago", (long long)ago);
			else {
				char d[24];
				snprintf(text, sizeof text, "%s ago", page_duration_text(ago, d, sizeof d));
			}
			json_object_object_add(s, "updated_text", json_object_new_string(text));
		}
	}
	json_object_object_add(s, "rules_items", rules_items(s));

	/* groups: [0] hidden/unassigned, [1] team 1, [2] team 2, [3] free-for-all */
	if (!json_object_object_get_ex(s, "players", &players))
		return;
	n = json_object_array_length(players);
	for (i = 0; i < n; i++)
		add_profile_url(json_object_array_get_idx(players, i));
	team_labels(s, &t1, &t2);
	if (teams) { /* both sides show, even while one is empty */
		g[1] = new_group(t1, 1);
		g[2] = new_group(t2, 2);
	}
	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(players, i);
		int team = int_at(p, "team"), slot = int_at(p, "slot"), idx;
		if (!slot)
			idx = 0;
		else if (teams && (team == 1 || team == 2))
			idx = team;
		else if (!strcmp(mode, "MPI") && team == 1)
			idx = 1;
		else
			idx = 3;
		if (!g[idx])
			g[idx] = new_group(idx == 0 ? "Hidden players"
					 : idx == 3 ? "Players"
					 : !strcmp(mode, "MPI") ? "Humans"
					 : idx == 1 ? t1 : t2,
					 idx == 3 ? 0 : idx);
		json_object_object_get_ex(g[idx], "players", &arr);
		json_object_array_add(arr, json_object_get(p));
	}
	groups = json_object_new_array();
	for (k = 1; k <= 3; k++)
		if (g[k])
			json_object_array_add(groups, g[k]);
	if (g[0])
		json_object_array_add(groups, g[0]);
	json_object_object_add(s, "team_groups", groups);
}
