/* history-shared.c: parameters, CSV responses and page decorations of the
 * history resources. */
#include "modules/bzcc/web/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "platform/web/cursor.h"
#include "html.h"
#include "modules/bzcc/web/page.h"
#include "platform/web/req.h"
#include "timeutil.h"

#define MAX_FILTER_BYTES 200

static const char *const states[] = { "pre_game", "in_game", "post_game", "unknown" };

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* The q value Accept gives `type` ("text/csv"), -1 when not listed.
 * Wildcards are ignored: only an explicit request for CSV selects it. */
static double accept_q(const char *accept, const char *type)
{
	const char *p = accept;
	size_t tlen = strlen(type);
	double best = -1;

	while (p && *p) {
		size_t n = strcspn(p, ",");
		const char *e = p, *end = p + n;
		while (e < end && (*e == ' ' || *e == '\t'))
			e++;
		if ((size_t)(end - e) >= tlen && !strncasecmp(e, type, tlen) &&
		    (e + tlen == end || e[tlen] == ';' || e[tlen] == ' ' || e[tlen] == '\t')) {
			double q = 1;
			const char *qp = e + tlen;
			while (qp < end) {
				const char *semi = memchr(qp, ';', (size_t)(end - qp));
				if (!semi)
					break;
				qp = semi + 1;
				while (qp < end && (*qp == ' ' || *qp == '\t'))
					qp++;
				if (end - qp >= 2 && (qp[0] == 'q' || qp[0] == 'Q') && qp[1] == '=')
					q = strtod(qp + 2, NULL);
			}
			if (q > best)
				best = q;
		}
		p = *end ? end + 1 : NULL;
	}
	return best;
}

int history_format(const struct req *r, enum history_format *fmt, char *err, size_t errlen)
{
	const char *f = nonempty(req_param(r, "format"));
	double csv, json;

	*fmt = HISTORY_JSON;
	if (f) {
		if (!strcasecmp(f, "csv")) {
			*fmt = HISTORY_CSV;
		} else if (strcasecmp(f, "json")) {
			snprintf(err, errlen, "format must be json or csv");
			return 400;
		}
		return 0;
	}
	csv = accept_q(r->accept ? r->accept : "", "text/csv");
	json = accept_q(r->accept ? r->accept : "", "application/json");
	if (csv > 0 && csv >= json)
		*fmt = HISTORY_CSV;
	return 0;
}

int history_int_param(const struct req *r, const char *name, int lo, int hi, int def,
		      int *out, char *err, size_t errlen)
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

static int parse_time(const char *name, const char *v, bool end_of_day, bool *has,
		      int64_t *ms, char *err, size_t errlen)
{
	*has = false;
	if (!v)
		return 0;
	if (time_parse_iso8601(v, ms) < 0) {
		snprintf(err, errlen,
			 "%s must be an ISO-8601 time such as 2024-09-15T01:23:44Z"
			 " or a date such as 2024-09-15", name);
		return 400;
	}
	/* a plain date as the upper bound means "through that day" */
	if (end_of_day && strlen(v) == 10)
		*ms += 86400000;
	*has = true;
	return 0;
}

int history_query_parse(const struct req *r, const char *secret, enum history_format fmt,
			struct history_query *q, char *err, size_t errlen)
{
	static const char *const keys[] = { "from", "to", "state", "map", "mod", "q", "limit" };
	bool csv = fmt == HISTORY_CSV;
	size_t i;
	int st;

	memset(q, 0, sizeof *q);
	buf_init(&q->cursor_id, 0);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = req_param(r, keys[i]);
		if (v && strlen(v) > MAX_FILTER_BYTES) {
			snprintf(err, errlen, "%s is longer than %d bytes", keys[i], MAX_FILTER_BYTES);
			return 400;
		}
	}
	q->from = nonempty(req_param(r, "from"));
	q->to = nonempty(req_param(r, "to"));
	if ((st = parse_time("from", q->from, false, &q->f.has_from, &q->f.from_ms, err, errlen)) ||
	    (st = parse_time("to", q->to, true, &q->f.has_to, &q->f.to_ms, err, errlen)))
		return st;
	if (q->f.has_from && q->f.has_to && q->f.from_ms >= q->f.to_ms) {
		snprintf(err, errlen, "from must be earlier than to");
		return 400;
	}
	q->f.state = nonempty(req_param(r, "state"));
	if (q->f.state) {
		bool ok = false;
		for (i = 0; i < sizeof states / sizeof states[0]; i++)
			ok |= !strcmp(q->f.state, states[i]);
		if (!ok) {
			snprintf(err, errlen, "state must be one of pre_game, in_game, post_game, unknown");
			return 400;
		}
	}
	q->f.map_key = nonempty(req_param(r, "map"));
	q->f.mod_id = nonempty(req_param(r, "mod"));
	q->f.q = nonempty(req_param(r, "q"));
	st = history_int_param(r, "limit", 1, csv ? HISTORY_CSV_LIMIT_MAX : HISTORY_LIMIT_MAX,
			       csv ? HISTORY_CSV_LIMIT_DEFAULT : HISTORY_LIMIT_DEFAULT,
			       &q->f.limit, err, errlen);
	if (st)
		return st;
	q->cursor = nonempty(req_param(r, "cursor"));
	if (q->cursor) {
		if (cursor_decode(q->cursor, "sessions", secret, &q->f.after_us, &q->cursor_id) < 0) {
			snprintf(err, errlen,
				 "cursor is not a cursor this server issued (it may have been edited);"
				 " start again from the first page without cursor");
			return 400;
		}
		q->f.has_after = true;
		q->f.after_id = q->cursor_id.data;
	}
	return 0;
}

void history_query_release(struct history_query *q)
{
	buf_release(&q->cursor_id);
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *time_or_null(bool has, int64_t ms)
{
	char t[32];
	return has ? json_object_new_string(time_iso8601(ms, t, sizeof t)) : NULL;
}

struct json_object *history_query_filters(const struct history_query *q)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "from", time_or_null(q->f.has_from, q->f.from_ms));
	json_object_object_add(o, "to", time_or_null(q->f.has_to, q->f.to_ms));
	json_object_object_add(o, "state", str_or_null(q->f.state));
	json_object_object_add(o, "map", str_or_null(q->f.map_key));
	json_object_object_add(o, "mod", str_or_null(q->f.mod_id));
	json_object_object_add(o, "q", str_or_null(q->f.q));
	json_object_object_add(o, "limit", json_object_new_int(q->f.limit));
	return o;
}

static void add_arg(struct buf *out, const char *key, const char *value)
{
	if (!value)
		return;
	if (out->len)
		buf_addch(out, '&');
	buf_addstr(out, key);
	buf_addch(out, '=');
	url_arg(out, value);
}

void history_query_string(struct buf *out, const struct history_query *q, const char *cursor,
			  bool csv)
{
	struct buf tmp = BUF_INIT;
	add_arg(&tmp, "from", q->from);
	add_arg(&tmp, "to", q->to);
	add_arg(&tmp, "state", q->f.state);
	add_arg(&tmp, "map", q->f.map_key);
	add_arg(&tmp, "mod", q->f.mod_id);
	add_arg(&tmp, "q", q->f.q);
	if (q->f.limit != (csv ? HISTORY_CSV_LIMIT_DEFAULT : HISTORY_LIMIT_DEFAULT)) {
		char n[16];
		snprintf(n, sizeof n, "%d", q->f.limit);
		add_arg(&tmp, "limit", n);
	}
	add_arg(&tmp, "cursor", cursor);
	if (csv)
		add_arg(&tmp, "format", "csv");
	buf_add(out, tmp.data, tmp.len);
	buf_release(&tmp);
}

void history_send_csv(struct req *r, struct json_object *rows, const struct csv_column *cols,
		      size_t ncols, const char *filename)
{
	struct buf cd = BUF_INIT;
	r->status = 200;
	r->content_type = "text/csv; charset=utf-8";
	buf_reset(&r->body);
	csv_from_json(&r->body, rows, cols, ncols);
	buf_addf(&cd, "attachment; filename=\"%s\"", filename);
	req_header(r, "Content-Disposition", cd.data);
	buf_release(&cd);
}

void history_url(struct buf *out, const char *prefix, const char *segment)
{
	buf_addstr(out, "/bzcc");
	buf_addstr(out, prefix);
	buf_addch(out, '/');
	url_path(out, segment);
}

void history_player_url(struct buf *out, const char *ref)
{
	history_url(out, "/players", ref);
}

char *history_duration_text(int64_t seconds, char *out, size_t outlen)
{
	if (seconds >= 0 && seconds < 60) {
		snprintf(out, outlen, "%lld s", (long long)seconds);
		return out;
	}
	return page_duration_text(seconds, out, outlen);
}

struct json_object *history_get(struct json_object *o, const char *path)
{
	char key[64];
	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof key || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

int64_t history_get_int(struct json_object *o, const char *path)
{
	struct json_object *v = history_get(o, path);
	return v ? json_object_get_int64(v) : 0;
}

const char *history_get_str(struct json_object *o, const char *path)
{
	struct json_object *v = history_get(o, path);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

/* o[key] = prefix/segment. */
static void add_url(struct json_object *o, const char *key, const char *prefix, const char *segment)
{
	struct buf u = BUF_INIT;
	history_url(&u, prefix, segment);
	json_object_object_add(o, key, json_object_new_string(u.data));
	buf_release(&u);
}

void history_add_duration_text(struct json_object *o, const char *from, const char *key)
{
	char t[32];
	struct json_object *v;
	if (!o || !json_object_object_get_ex(o, from, &v) || !v)
		return;
	json_object_object_add(o, key, json_object_new_string(
		history_duration_text(json_object_get_int64(v), t, sizeof t)));
}

static const char *mod_label(const char *mod_id)
{
	return !strcmp(mod_id, "0") ? "Stock" : mod_id;
}

void history_decorate_session(struct json_object *s, bool page)
{
	struct json_object *map = history_get(s, "map"), *mod = history_get(s, "mod");
	struct json_object *played = history_get(s, "played");

	add_url(s, "url", "/sessions", history_get_str(s, "id"));
	if (map)
		add_url(map, "url", "/maps", history_get_str(map, "key"));
	if (mod) {
		add_url(mod, "url", "/mods", history_get_str(mod, "id"));
		json_object_object_add(mod, "label",
				       json_object_new_string(mod_label(history_get_str(mod, "id"))));
	}
	if (!page)
		return;
	history_add_duration_text(s, "duration_seconds", "duration_text");
	if (played)
		history_add_duration_text(played, "seconds", "time_text");
}

void history_decorate_sessions(struct json_object *arr, bool page)
{
	size_t i, n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++)
		history_decorate_session(json_object_array_get_idx(arr, i), page);
}

static void add_sessions_url(struct json_object *o, const char *param, const char *value)
{
	struct buf u = BUF_INIT;
	buf_addf(&u, "/bzcc/history?%s=", param);
	url_arg(&u, value);
	json_object_object_add(o, "sessions_url", json_object_new_string(u.data));
	buf_release(&u);
}

void history_decorate_map(struct json_object *m, bool page)
{
	const char *key = history_get_str(m, "map_key"), *mod = history_get_str(m, "mod_id");
	add_url(m, "url", "/maps", key);
	add_url(m, "mod_url", "/mods", mod);
	json_object_object_add(m, "mod_label", json_object_new_string(mod_label(mod)));
	add_sessions_url(m, "map", key);
	if (!page)
		return;
	history_add_duration_text(history_get(m, "recent"), "player_seconds", "play_text");
	history_add_duration_text(history_get(m, "all_time"), "player_seconds", "play_text");
	history_add_duration_text(m, "player_seconds", "play_text");
}

void history_decorate_mod(struct json_object *m, bool page)
{
	const char *id = history_get_str(m, "mod_id");
	add_url(m, "url", "/mods", id);
	json_object_object_add(m, "label", json_object_new_string(mod_label(id)));
	add_sessions_url(m, "mod", id);
	if (!page)
		return;
	history_add_duration_text(history_get(m, "recent"), "player_seconds", "play_text");
	history_add_duration_text(history_get(m, "all_time"), "player_seconds", "play_text");
}

static void add_day_option(struct json_object *list, int value, const char *label, int days)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "value", json_object_new_int(value));
	json_object_object_add(o, "label", json_object_new_string(label));
	json_object_object_add(o, "selected", json_object_new_boolean(value == days));
	json_object_array_add(list, o);
}

struct json_object *history_days_options(int days)
{
	static const struct {
		int days;
		const char *label;
	} std[] = {
		{ 1, "Last 24 hours" }, { 7, "Last 7 days" }, { 30, "Last 30 days" },
		{ 90, "Last 90 days" }, { 365, "Last year" }, { 3650, "Last 10 years" },
	};
	struct json_object *list = json_object_new_array();
	bool known = false;
	size_t i;

	for (i = 0; i < sizeof std / sizeof std[0]; i++) {
		add_day_option(list, std[i].days, std[i].label, days);
		known |= std[i].days == days;
	}
	if (!known) {
		char label[32];
		snprintf(label, sizeof label, "Last %d days", days);
		add_day_option(list, days, label, days);
	}
	return list;
}

int64_t history_max_of(struct json_object *arr, const char *path)
{
	size_t i, n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	int64_t max = 1;
	for (i = 0; i < n; i++) {
		int64_t v = history_get_int(json_object_array_get_idx(arr, i), path);
		if (v > max)
			max = v;
	}
	return max;
}

void history_add_duration_texts(struct json_object *arr, const char *from, const char *key)
{
	size_t i, n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++)
		history_add_duration_text(json_object_array_get_idx(arr, i), from, key);
}

void history_decorate_durations(struct json_object *arr)
{
	size_t i, n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(arr, i);
		const char *mode = history_get_str(d, "game_mode");
		json_object_object_add(d, "mode_label",
				       json_object_new_string(!strcmp(mode, "*") ? "All modes" : mode));
	}
	history_add_duration_texts(arr, "mean_seconds", "mean_text");
	history_add_duration_texts(arr, "median_seconds", "median_text");
	history_add_duration_texts(arr, "p90_seconds", "p90_text");
}

/* Is s exactly "YYYY-MM-DDTHH:MM:SSZ"? */
static bool is_iso_time(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
			return false;
	return !s[i];
}

void history_time_texts(struct json_object *o)
{
	struct json_object *add;
	size_t i, n;

	if (json_object_is_type(o, json_type_array)) {
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			history_time_texts(json_object_array_get_idx(o, i));
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	/* collect first: an object must not change while it is iterated */
	add = json_object_new_object();
	json_object_object_foreach(o, key, val) {
		if (json_object_is_type(val, json_type_string) &&
		    is_iso_time(json_object_get_string(val))) {
			char text[20], name[80];
			memcpy(text, json_object_get_string(val), 16);
			text[10] = ' ';
			text[16] = '\0';
			snprintf(name, sizeof name, "%s_text", key);
			json_object_object_add(add, name, json_object_new_string(text));
		} else {
			history_time_texts(val);
		}
	}
	json_object_object_foreach(add, k2, v2)
		json_object_object_add(o, k2, json_object_get(v2));
	json_object_put(add);
}

void history_days_link(struct json_object *ctx, const char *key, const char *path, int days,
		       bool csv)
{
	struct buf u = BUF_INIT;
	buf_addf(&u, "%s?days=%d%s", path, days, csv ? "&format=csv" : "");
	json_object_object_add(ctx, key, json_object_new_string(u.data));
	buf_release(&u);
}
