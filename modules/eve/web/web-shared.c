/* web-shared.c: parameters, the battle-list and recent-kills documents,
 * and page decorations of the eve module. */
#include "modules/eve/web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/eve/domain/eve.h"
#include "modules/eve/store/eve-access.h"
#include "platform/web/app.h"
#include "platform/web/cursor.h"
#include "platform/web/req.h"
#include "platform/web/route.h"
#include "timeutil.h"

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static int parse_id(const char *v, int64_t *out)
{
	char *end;
	long long x;
	if (!v || !*v || strlen(v) > 19 || v[0] < '0' || v[0] > '9')
		return -1;
	x = strtoll(v, &end, 10);
	if (*end || x <= 0)
		return -1;
	*out = x;
	return 0;
}

int eve_param_id(const struct req *r, const char *name, int64_t *out, char *err, size_t errlen)
{
	const char *v = nonempty(req_param(r, name));
	*out = 0;
	if (!v)
		return 0;
	if (parse_id(v, out) < 0) {
		snprintf(err, errlen, "%s must be a positive integer id", name);
		return 400;
	}
	return 0;
}

int eve_param_int(const struct req *r, const char *name, int lo, int hi, int def, int *out,
		  char *err, size_t errlen)
{
	const char *v = nonempty(req_param(r, name));
	char *end;
	long n;
	*out = def;
	if (!v)
		return 0;
	n = strtol(v, &end, 10);
	if (*end || end == v || n < lo || n > hi || strlen(v) > 12) {
		snprintf(err, errlen, "%s must be an integer from %d to %d", name, lo, hi);
		return 400;
	}
	*out = (int)n;
	return 0;
}

int eve_param_time(const struct req *r, const char *name, int64_t *ms, char *err, size_t errlen)
{
	const char *v = nonempty(req_param(r, name));
	*ms = 0;
	if (!v)
		return 0;
	if (time_parse_iso8601(v, ms) < 0 || *ms <= 0) {
		snprintf(err, errlen, "%s must be an ISO-8601 time such as 2021-11-28T12:00:00Z"
				      " or a date such as 2021-11-28", name);
		return 400;
	}
	return 0;
}

int eve_route_id(const struct req *r, int64_t *id, char *err, size_t errlen)
{
	if (parse_id(r->route_args[0], id) < 0) {
		snprintf(err, errlen, "ids are positive integers");
		return 404;
	}
	return 0;
}

enum eve_entity_kind eve_route_kind(const struct req *r)
{
	const char *p = r->route ? r->route->pattern : "";
	if (strstr(p, "/corporations/"))
		return EVE_CORPORATION;
	if (strstr(p, "/characters/"))
		return EVE_CHARACTER;
	return EVE_ALLIANCE;
}

/* Append "&key=value" (URL-encoded value) when value is set. */
static void qs_add(struct buf *qs, const char *key, const char *value)
{
	const char *hex = "0123456789ABCDEF";
	if (!value || !*value)
		return;
	buf_addstr(qs, qs->len ? "&" : "");
	buf_addstr(qs, key);
	buf_addch(qs, '=');
	for (; *value; value++) {
		unsigned char c = (unsigned char)*value;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
			buf_addch(qs, (char)c);
		} else {
			buf_addch(qs, '%');
			buf_addch(qs, hex[c >> 4]);
			buf_addch(qs, hex[c & 15]);
		}
	}
}

/* "{1,2,3}": ids as a PostgreSQL array literal. */
static void ids_array(struct buf *b, const int64_t *ids, int n)
{
	int i;
	buf_addch(b, '{');
	for (i = 0; i < n; i++)
		buf_addf(b, "%s%lld", i ? "," : "", (long long)ids[i]);
	buf_addch(b, '}');
}

static const char *const battle_params[] = { "space_type", "from", "to", "region", "system",
					     "alliance_id", "corporation_id", "character_id",
					     "min_kills", "limit" };

int eve_battles_doc(struct app *app, struct req *r, struct json_object **out, char *err,
		    size_t errlen)
{
	struct eve_battle_filter f;
	struct eve_ruleset rs;
	struct buf tracked_a = BUF_INIT, tracked_c = BUF_INIT;
	struct json_object *doc, *battles, *next, *filters;
	const char *space = nonempty(req_param(r, "space_type"));
	const char *cur = nonempty(req_param(r, "cursor"));
	int st;
	size_t i;

	*out = NULL;
	memset(&f, 0, sizeof f);
	if (space && eve_space_parse(space) == EVE_SPACE_UNKNOWN) {
		snprintf(err, errlen, "space_type must be kspace, pochven, zarzakh, jspace, abyssal or other");
		return 400;
	}
	f.space_type = space;
	if ((st = eve_param_time(r, "from", &f.from_ms, err, errlen)) ||
	    (st = eve_param_time(r, "to", &f.to_ms, err, errlen)) ||
	    (st = eve_param_id(r, "alliance_id", &f.alliance_id, err, errlen)) ||
	    (st = eve_param_id(r, "corporation_id", &f.corporation_id, err, errlen)) ||
	    (st = eve_param_id(r, "character_id", &f.character_id, err, errlen)) ||
	    (st = eve_param_int(r, "min_kills", 1, 1000000, 0, &f.min_kills, err, errlen)) ||
	    (st = eve_param_int(r, "limit", 1, 100, 25, &f.limit, err, errlen)))
		return st;
	if (nonempty(req_param(r, "system"))) {
		f.system_id = eve_read_system_id(&app->db, req_param(r, "system"));
		if (f.system_id < 0)
			return snprintf(err, errlen, "The database did not answer."), 503;
		if (!f.system_id) {
			snprintf(err, errlen, "system must be a known system name or id");
			return 400;
		}
	}
	if (nonempty(req_param(r, "region"))) {
		f.region_id = eve_read_region_id(&app->db, req_param(r, "region"));
		if (f.region_id < 0)
			return snprintf(err, errlen, "The database did not answer."), 503;
		if (!f.region_id) {
			snprintf(err, errlen, "region must be a known region name or id");
			return 400;
		}
	}
	if (cur) {
		struct buf id = BUF_INIT;
		if (cursor_decode(cur, "battles", app->cfg.secret_key, &f.after_ms, &id) < 0 ||
		    parse_id(id.data, &f.after_id) < 0) {
			buf_release(&id);
			snprintf(err, errlen, "cursor is not valid: use the next_cursor of a previous page");
			return 400;
		}
		f.after = true;
		buf_release(&id);
	}
	/* the directors' ruleset decides which battles are listed */
	if (eve_ruleset_get(&app->db, eve_min_pilots_default(), &rs) < 0) {
		snprintf(err, errlen, "The database did not answer. Try again in a moment.");
		return 503;
	}
	f.min_pilots = rs.min_pilots;
	if (eve_ruleset_filters_entities(&rs)) {
		ids_array(&tracked_a, rs.alliances, rs.n_alliances);
		ids_array(&tracked_c, rs.corporations, rs.n_corporations);
		f.tracked_alliances = tracked_a.data;
		f.tracked_corporations = tracked_c.data;
	}
	doc = eve_read_battles(&app->db, &f);
	buf_release(&tracked_a);
	buf_release(&tracked_c);
	if (!doc) {
		snprintf(err, errlen, "The database did not answer. Try again in a moment.");
		return 503;
	}
	eve_read_add_names(&app->db, doc);
	json_object_object_get_ex(doc, "battles", &battles);
	json_object_object_add(doc, "count", json_object_new_int((int)json_object_array_length(battles)));
	if (json_object_object_get_ex(doc, "next", &next)) {
		struct buf c = BUF_INIT, url = BUF_INIT, qs = BUF_INIT;
		struct json_object *ms, *id;
		json_object_object_get_ex(next, "start_ms", &ms);
		json_object_object_get_ex(next, "id", &id);
		cursor_encode(&c, "battles", json_object_get_int64(ms), json_object_get_string(id),
			      app->cfg.secret_key);
		for (i = 0; i < sizeof battle_params / sizeof *battle_params; i++)
			qs_add(&qs, battle_params[i], req_param(r, battle_params[i]));
		qs_add(&qs, "cursor", c.data);
		buf_addf(&url, "/api/v1/battles?%s", qs.data);
		json_object_object_add(doc, "next_cursor", json_object_new_string(c.data));
		json_object_object_add(doc, "next_url", json_object_new_string(url.data));
		json_object_object_del(doc, "next");
		buf_release(&c);
		buf_release(&url);
		buf_release(&qs);
	} else {
		json_object_object_add(doc, "next_cursor", NULL);
		json_object_object_add(doc, "next_url", NULL);
	}
	filters = json_object_new_object();
	for (i = 0; i < sizeof battle_params / sizeof *battle_params; i++) {
		const char *v = nonempty(req_param(r, battle_params[i]));
		json_object_object_add(filters, battle_params[i], v ? json_object_new_string(v) : NULL);
	}
	json_object_object_add(doc, "filters", filters);
	json_object_object_add(doc, "ruleset", eve_ruleset_json(&rs));
	*out = doc;
	return 0;
}

int eve_recent_doc(struct app *app, struct req *r, struct json_object **out, char *err,
		   size_t errlen)
{
	const char *space = nonempty(req_param(r, "space_type"));
	const char *cur = nonempty(req_param(r, "cursor"));
	int64_t since = 0, after_ms = 0, after_id = 0;
	int limit, st;
	struct json_object *doc, *list, *next;

	*out = NULL;
	if (space && eve_space_parse(space) == EVE_SPACE_UNKNOWN) {
		snprintf(err, errlen, "space_type must be kspace, pochven, zarzakh, jspace, abyssal or other");
		return 400;
	}
	if ((st = eve_param_time(r, "since", &since, err, errlen)) ||
	    (st = eve_param_int(r, "limit", 1, 200, 50, &limit, err, errlen)))
		return st;
	if (cur) {
		struct buf id = BUF_INIT;
		if (cursor_decode(cur, "killmails", app->cfg.secret_key, &after_ms, &id) < 0 ||
		    parse_id(id.data, &after_id) < 0) {
			buf_release(&id);
			snprintf(err, errlen, "cursor is not valid: use the next_cursor of a previous page");
			return 400;
		}
		buf_release(&id);
	}
	doc = eve_read_recent(&app->db, space, since, cur != NULL, after_ms, after_id, limit);
	if (!doc) {
		snprintf(err, errlen, "The database did not answer. Try again in a moment.");
		return 503;
	}
	eve_read_add_names(&app->db, doc);
	json_object_object_get_ex(doc, "killmails", &list);
	json_object_object_add(doc, "count", json_object_new_int((int)json_object_array_length(list)));
	if (json_object_object_get_ex(doc, "next", &next)) {
		struct buf c = BUF_INIT, url = BUF_INIT, qs = BUF_INIT;
		struct json_object *ms, *id;
		json_object_object_get_ex(next, "time_ms", &ms);
		json_object_object_get_ex(next, "id", &id);
		cursor_encode(&c, "killmails", json_object_get_int64(ms), json_object_get_string(id),
			      app->cfg.secret_key);
		qs_add(&qs, "space_type", space);
		qs_add(&qs, "since", req_param(r, "since"));
		qs_add(&qs, "limit", req_param(r, "limit"));
		qs_add(&qs, "cursor", c.data);
		buf_addf(&url, "/api/v1/killmails/recent?%s", qs.data);
		json_object_object_add(doc, "next_cursor", json_object_new_string(c.data));
		json_object_object_add(doc, "next_url", json_object_new_string(url.data));
		json_object_object_del(doc, "next");
		buf_release(&c);
		buf_release(&url);
		buf_release(&qs);
	} else {
		json_object_object_add(doc, "next_cursor", NULL);
		json_object_object_add(doc, "next_url", NULL);
	}
	*out = doc;
	return 0;
}

void eve_isk_human(const char *isk, char *out, size_t outlen)
{
	int64_t cents;
	static const struct {
		int64_t unit;
		const char *suffix;
	} units[] = { { 100000000000000LL, "T" }, { 100000000000LL, "B" }, { 100000000LL, "M" },
		      { 100000LL, "K" } };
	size_t i;
	if (!isk || eve_isk_parse(isk, &cents) < 0) {
		snprintf(out, outlen, "?");
		return;
	}
	for (i = 0; i < sizeof units / sizeof *units; i++)
		if (cents >= units[i].unit) {
			/* two decimals, rounded half up, in integers */
			int64_t h = (cents * 100 + units[i].unit / 2) / units[i].unit;
			if (cents > INT64_MAX / 100)
				h = cents / (units[i].unit / 100);
			snprintf(out, outlen, "%lld.%02lld%s", (long long)(h / 100), (long long)(h % 100),
				 units[i].suffix);
			return;
		}
	snprintf(out, outlen, "%lld", (long long)(cents / 100));
}

void eve_decorate_isk(struct json_object *doc)
{
	static const char *const keys[] = { "isk", "isk_lost", "isk_destroyed" };
	size_t i;
	if (!doc)
		return;
	if (json_object_is_type(doc, json_type_array)) {
		for (i = 0; i < json_object_array_length(doc); i++)
			eve_decorate_isk(json_object_array_get_idx(doc, i));
		return;
	}
	if (!json_object_is_type(doc, json_type_object))
		return;
	for (i = 0; i < sizeof keys / sizeof *keys; i++) {
		struct json_object *v;
		char text[32], key[32];
		if (json_object_object_get_ex(doc, keys[i], &v) && v && json_object_is_type(v, json_type_string)) {
			eve_isk_human(json_object_get_string(v), text, sizeof text);
			snprintf(key, sizeof key, "%s_text", keys[i]);
			json_object_object_add(doc, key, json_object_new_string(text));
		}
	}
	{
		json_object_object_foreach(doc, k, v) {
			(void)k;
			if (v && (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array)))
				eve_decorate_isk(v);
		}
	}
}
