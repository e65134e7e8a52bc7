/* lobby.c: parse an upstream lobby document (size limit, BOM, json-c with
 * a depth limit), pick its shape, and decode the RakNet MasterServer2
 * {"GET":[game,...]} answer (docs/bzcc-format.md 2-3). The MSL API 1.0
 * shape is in msl.c. Every key is optional and type-checked; a game with a
 * bad value is skipped and counted, never trusted.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "internal.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* --- typed field readers --- */

static struct json_object *lookup(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v; /* NULL for JSON null too */
}

/* Parse "-?[0-9]{1,10}" into an int; -1 when not such a string or out of
 * range. */
static int parse_digits(const char *s, int *out)
{
	const char *p = s;
	long long v = 0;
	int neg = 0, n = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; *p >= '0' && *p <= '9'; p++, n++) {
		if (n >= 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (*p || !n)
		return -1;
	if (neg)
		v = -v;
	if (v < INT_MIN || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

enum bzcc_field bzcc_get_int(struct json_object *obj, const char *key, int *out)
{
	struct json_object *v = lookup(obj, key);
	int64_t i;

	if (!v)
		return BZCC_FIELD_ABSENT;
	if (json_object_is_type(v, json_type_string)) {
		/* get_string stops at an embedded NUL; compare lengths. */
		const char *s = json_object_get_string(v);
		if ((size_t)json_object_get_string_len(v) != strlen(s))
			return BZCC_FIELD_BAD;
		return parse_digits(s, out) ? BZCC_FIELD_BAD : BZCC_FIELD_OK;
	}
	if (!json_object_is_type(v, json_type_int))
		return BZCC_FIELD_BAD;
	/* json-c saturates bigger numbers to INT64_MIN/UINT64_MAX. */
	i = json_object_get_int64(v);
	if (i < INT_MIN || i > INT_MAX)
		return BZCC_FIELD_BAD;
	*out = (int)i;
	return BZCC_FIELD_OK;
}

enum bzcc_field bzcc_get_flag(struct json_object *obj, const char *key, bool *out)
{
	struct json_object *v = lookup(obj, key);
	enum bzcc_field f;
	int i;

	if (v && json_object_is_type(v, json_type_boolean)) {
		*out = json_object_get_boolean(v);
		return BZCC_FIELD_OK;
	}
	f = bzcc_get_int(obj, key, &i);
	if (f == BZCC_FIELD_OK)
		*out = i == 1;
	return f;
}

enum bzcc_field bzcc_get_str(struct json_object *obj, const char *key,
			     const char **out, size_t *len)
{
	struct json_object *v = lookup(obj, key);

	if (!v)
		return BZCC_FIELD_ABSENT;
	if (!json_object_is_type(v, json_type_string))
		return BZCC_FIELD_BAD;
	*out = json_object_get_string(v);
	if (len)
		*len = (size_t)json_object_get_string_len(v);
	return BZCC_FIELD_OK;
}

enum bzcc_field bzcc_get_obj(struct json_object *obj, const char *key,
			     struct json_object **out)
{
	struct json_object *v = lookup(obj, key);

	if (!v)
		return BZCC_FIELD_ABSENT;
	if (!json_object_is_type(v, json_type_object))
		return BZCC_FIELD_BAD;
	*out = v;
	return BZCC_FIELD_OK;
}

enum bzcc_field bzcc_get_array(struct json_object *obj, const char *key,
			       struct json_object **out)
{
	struct json_object *v = lookup(obj, key);

	if (!v)
		return BZCC_FIELD_ABSENT;
	if (!json_object_is_type(v, json_type_array))
		return BZCC_FIELD_BAD;
	*out = v;
	return BZCC_FIELD_OK;
}

void bzcc_lobby_append(struct bzcc_lobby *lobby, const struct bzcc_session *s)
{
	size_t n = lobby->n_sessions;

	/* Grow at powers of two: n is a power of two exactly when full. */
	if (!n || !(n & (n - 1)))
		lobby->sessions = bzcc_xreallocarray(lobby->sessions,
						     n ? n * 2 : 1,
						     sizeof(*lobby->sessions));
	lobby->sessions[n] = *s;
	lobby->n_sessions = n + 1;
}

/* --- RakNet game objects --- */

/* Read an int key that must be >= 0 when present; a negative value is
 * treated as absent (the field keeps its default). 0 ok, -1 bad type. */
static int get_count(struct json_object *g, const char *key, int *dst)
{
	int v;
	enum bzcc_field f = bzcc_get_int(g, key, &v);

	if (f == BZCC_FIELD_BAD)
		return -1;
	if (f == BZCC_FIELD_OK && v >= 0)
		*dst = v;
	return 0;
}

/* Read a stat (kills, deaths, score): any int, 0 when absent. */
static int get_stat(struct json_object *g, const char *key, int *dst)
{
	return bzcc_get_int(g, key, dst) == BZCC_FIELD_BAD ? -1 : 0;
}

static int decode_player(struct json_object *pl, struct bzcc_player *p)
{
	const char *s;
	size_t len;
	enum bzcc_field f;
	int slot = 0;

	f = bzcc_get_str(pl, "i", &s, &len);
	if (f == BZCC_FIELD_BAD)
		return -1;
	bzcc_player_set_platform(p, f == BZCC_FIELD_OK ? s : NULL);

	f = bzcc_get_str(pl, "n", &s, &len);
	if (f == BZCC_FIELD_BAD)
		return -1;
	if (f == BZCC_FIELD_OK)
		p->name = bzcc_decode_name(s); /* NULL when bad: "" below */
	if (!p->name)
		p->name = bzcc_xstrdup("");

	if (bzcc_get_int(pl, "t", &slot) == BZCC_FIELD_BAD)
		return -1;
	p->slot = slot; /* 255 or out of range become 0 in finish */
	if (get_stat(pl, "k", &p->kills) || get_stat(pl, "d", &p->deaths) ||
	    get_stat(pl, "s", &p->score))
		return -1;
	return 0;
}

/* The game's `pl` list (docs/bzcc-format.md 3.3). */
static int decode_players(struct json_object *g, struct bzcc_session *s)
{
	return bzcc_decode_players(g, "pl", s, decode_player);
}

/* Decode one non-placeholder game into s (initialised by the caller).
 * Returns 0, or -1 when the game is unusable (s then needs releasing). */
static int decode_game(struct json_object *g, struct bzcc_session *s)
{
	const char *nat, *src = NULL, *str;
	size_t nat_len, len;
	uint64_t guid;
	enum bzcc_field f;
	bool flag;

	if (bzcc_get_str(g, "g", &nat, &nat_len) != BZCC_FIELD_OK)
		return -1;
	if (nat_len != strlen(nat) || bzcc_nat_decode(nat, &guid))
		return -1;
	if (bzcc_get_str(g, "proxySource", &src, NULL) == BZCC_FIELD_BAD)
		return -1;
	bzcc_session_set_identity(s, src, nat, guid);

	f = bzcc_get_str(g, "n", &str, &len);
	if (f == BZCC_FIELD_BAD)
		return -1;
	if (f == BZCC_FIELD_OK) {
		s->name = bzcc_decode_name(str);
		if (!s->name)
			return -1;
	}

	f = bzcc_get_str(g, "h", &str, &len);
	if (f == BZCC_FIELD_BAD)
		return -1;
	if (f == BZCC_FIELD_OK)
		s->motd = bzcc_utf8_clean(str, len);

	f = bzcc_get_str(g, "mm", &str, &len);
	if (f == BZCC_FIELD_BAD)
		return -1;
	bzcc_session_set_mods(s, f == BZCC_FIELD_OK ? str : NULL,
			      f == BZCC_FIELD_OK ? len : 0);

	f = bzcc_get_str(g, "m", &str, &len);
	if (f == BZCC_FIELD_BAD)
		return -1;
	bzcc_session_set_map(s, f == BZCC_FIELD_OK ? str : "",
			     f == BZCC_FIELD_OK ? len : 0);

	f = bzcc_get_str(g, "d", &str, &len);
	if (f == BZCC_FIELD_BAD)
		return -1;
	if (f == BZCC_FIELD_OK)
		s->mod_hash = bzcc_utf8_clean(str, len);

	f = bzcc_get_str(g, "v", &str, &len);
	if (f == BZCC_FIELD_BAD)
		return -1;
	if (f == BZCC_FIELD_OK)
		s->version = bzcc_utf8_clean(str, len);

	if (get_count(g, "gt", &s->game_type) || get_count(g, "gtd", &s->gtd) ||
	    get_count(g, "gtm", &s->minutes_in_state) ||
	    get_count(g, "pm", &s->max_players) ||
	    get_count(g, "si", &s->server_info) ||
	    get_count(g, "t", &s->nat_type) || get_count(g, "tps", &s->tps) ||
	    get_count(g, "pg", &s->worst_ping) ||
	    get_count(g, "pgm", &s->max_ping) ||
	    get_count(g, "ti", &s->time_limit) || get_count(g, "ki", &s->kill_limit))
		return -1;
	if (s->gtd >= 0) {
		s->game_mode = s->gtd % BZCC_MODE_MAX;
		s->mode_detail = s->gtd / BZCC_MODE_MAX;
	}

	f = bzcc_get_flag(g, "k", &flag);
	if (f == BZCC_FIELD_BAD)
		return -1;
	s->password = f == BZCC_FIELD_OK && flag;
	f = bzcc_get_flag(g, "l", &flag);
	if (f == BZCC_FIELD_BAD)
		return -1;
	s->locked = f == BZCC_FIELD_OK && flag;

	if (decode_players(g, s))
		return -1;
	bzcc_session_finish(s, true);
	return 0;
}

/* The placeholder's name says whether the proxy can reach Rebellion. */
static void read_placeholder(struct json_object *g, struct bzcc_lobby *out)
{
	const char *n;
	char *name;
	size_t len;

	if (bzcc_get_str(g, "n", &n, NULL) != BZCC_FIELD_OK)
		return;
	name = bzcc_decode_name(n);
	if (!name)
		return;
	len = strlen(name);
	if (len >= 3 && !strcmp(name + len - 3, " UP"))
		out->rebellion_up = 1;
	else if (len >= 5 && !strcmp(name + len - 5, " DOWN"))
		out->rebellion_up = 0;
	free(name);
}

int bzcc_decode_raknet(struct json_object *root, struct bzcc_lobby *out,
		       char *err, size_t errlen)
{
	struct json_object *arr = NULL;
	size_t i, n;

	if (bzcc_get_array(root, "GET", &arr) != BZCC_FIELD_OK) {
		set_err(err, errlen, "`GET` is not an array");
		return -1;
	}
	out->kind = BZCC_KIND_RAKNET;
	bzcc_read_list_status(root, "proxyStatus", "status", "success", "updated", out);
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		struct json_object *g = json_object_array_get_idx(arr, i);
		struct bzcc_session s;
		const char *nat;

		if (!g || !json_object_is_type(g, json_type_object)) {
			out->skipped++;
			continue;
		}
		if (bzcc_get_str(g, "g", &nat, NULL) == BZCC_FIELD_OK &&
		    !strcmp(nat, BZCC_PLACEHOLDER_NAT)) {
			read_placeholder(g, out);
			continue;
		}
		bzcc_session_init(&s);
		if (decode_game(g, &s)) {
			bzcc_session_release(&s);
			out->skipped++;
			continue;
		}
		bzcc_lobby_append(out, &s);
	}
	return 0;
}

/* --- the document --- */

static int only_space(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			return 0;
	return 1;
}

int bzcc_lobby_decode(const char *doc, size_t len, struct bzcc_lobby *out,
		      char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	size_t end;
	int rc;

	memset(out, 0, sizeof(*out));
	out->rebellion_up = -1;
	out->upstream_updated_ms = -1;
	out->upstream_ok = -1;
	if (err && errlen)
		err[0] = '\0';
	if (!doc || !len) {
		set_err(err, errlen, "document is empty");
		return -1;
	}
	if (len > BZCC_MAX_DOCUMENT_BYTES) {
		set_err(err, errlen, "document too large: %zu bytes", len);
		return -1;
	}
	if (len >= 3 && !memcmp(doc, "\xEF\xBB\xBF", 3)) {
		doc += 3;
		len -= 3;
	}
	/* json-c stops at a NUL byte; JSON text never contains one. */
	if (memchr(doc, '\0', len)) {
		set_err(err, errlen, "document is not JSON: contains a nul byte");
		return -1;
	}

	tok = json_tokener_new_ex(BZCC_JSON_MAX_DEPTH);
	if (!tok) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, doc, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	/* A top-level number is only complete once the tokener sees its end;
	 * a NUL byte marks end of input. */
	if (!root && jerr == json_tokener_continue) {
		end = len; /* the first call consumed everything */
		root = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
	}
	if (!root) {
		set_err(err, errlen, "document is not JSON: %s",
			(jerr == json_tokener_continue || jerr == json_tokener_success)
				? "unexpected end of data"
				: json_tokener_error_desc(jerr));
		json_tokener_free(tok);
		return -1;
	}
	json_tokener_free(tok);
	if (end > len || !only_space(doc + end, len - end)) {
		set_err(err, errlen, "document is not JSON: data after the top-level value");
		json_object_put(root);
		return -1;
	}
	if (!json_object_is_type(root, json_type_object)) {
		set_err(err, errlen, "document is not a JSON object");
		json_object_put(root);
		return -1;
	}

	if (json_object_object_get_ex(root, "GET", NULL)) {
		rc = bzcc_decode_raknet(root, out, err, errlen);
	} else if (json_object_object_get_ex(root, "Sessions", NULL)) {
		rc = bzcc_decode_msl(root, out, err, errlen);
	} else {
		set_err(err, errlen, "document has neither `GET` nor `Sessions`");
		rc = -1;
	}
	json_object_put(root);
	if (rc) {
		bzcc_lobby_free(out);
		out->rebellion_up = -1;
		out->upstream_updated_ms = -1;
		out->upstream_ok = -1;
	}
	return rc;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil): the domain keeps no clock and no libc time zone. */
static int64_t civil_days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SS[.fff...]Z" (the form both answers use) -> ms. */
static int parse_utc(const char *t, int64_t *ms)
{
	int y, mo, d, h, mi, se, n = 0;
	int64_t frac = 0, scale = 100;
	if (sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n != 19)
		return -1;
	t += 19;
	if (*t == '.') {
		for (t++; *t >= '0' && *t <= '9'; t++) {
			frac += (*t - '0') * scale;
			scale /= 10;
		}
	}
	if (strcmp(t, "Z") || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	*ms = (civil_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) * 1000 + frac;
	return 0;
}

void bzcc_read_list_status(struct json_object *root, const char *key, const char *status_key,
			   const char *success_key, const char *updated_key,
			   struct bzcc_lobby *out)
{
	struct json_object *o = NULL;
	if (bzcc_get_obj(root, key, &o) != BZCC_FIELD_OK)
		return;
	json_object_object_foreach(o, name, st) {
		const char *status = NULL, *updated = NULL;
		bool success = false;
		int64_t ms;
		(void)name;
		if (!json_object_is_type(st, json_type_object))
			continue;
		bzcc_get_str(st, status_key, &status, NULL);
		bzcc_get_flag(st, success_key, &success);
		out->upstream_ok = success && !(status && !strcmp(status, "expired"));
		if (bzcc_get_str(st, updated_key, &updated, NULL) == BZCC_FIELD_OK &&
		    parse_utc(updated, &ms) == 0)
			out->upstream_updated_ms = ms;
		break; /* the first list server (Rebellion in every real answer) */
	}
}
