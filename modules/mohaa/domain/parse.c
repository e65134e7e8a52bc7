/* parse.c: the three ingest body shapes (mohaa.h, modules/mohaa/README.md, "Wire format").
 *
 * 1. The original tracker's form body: key=value pairs joined by '&',
 *    built by string concatenation with no URL-encoding, so a name or a
 *    chat line may hold '&', '=', '%' or spaces. An unencoded body is split
 *    only at an '&' followed by a field name the event type may carry and
 *    has not carried yet; a body that is consistently percent-encoded (no
 *    raw space, control or 8-bit byte, every '%' a valid escape, at least
 *    one escape) is split at every '&' and decoded.
 * 2. Newline-separated lines, each a form event or a JSON object (the later
 *    API still accepts them).
 * 3. The later JSON array of objects, every value possibly a string. The
 *    array is split into its elements by a scanner that tracks strings and
 *    nesting, so each event keeps its exact bytes; each element is then
 *    parsed by json-c in strict mode. Any malformed or truncated part makes
 *    the whole body a 400: nothing of it is kept. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "modules/mohaa/domain/internal.h"

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q)
		abort();
	return q;
}

static void raw_free(struct mohaa_raw *r)
{
	size_t i;
	for (i = 0; i < r->n; i++) {
		free(r->f[i].key);
		free(r->f[i].value);
	}
	free(r->f);
	memset(r, 0, sizeof *r);
}

void mohaa_body_free(struct mohaa_body *b)
{
	size_t i;
	for (i = 0; i < b->n; i++)
		raw_free(&b->ev[i]);
	free(b->ev);
	b->ev = NULL;
	b->n = b->cap = 0;
}

static int fail(char *err, size_t errlen, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return status;
}

/* A new event at the end of b, or NULL when b is full (413). */
static struct mohaa_raw *new_event(struct mohaa_body *b, size_t off, size_t len, bool json)
{
	struct mohaa_raw *r;
	if (b->n >= MOHAA_MAX_EVENTS)
		return NULL;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 4;
		b->ev = xrealloc(b->ev, b->cap * sizeof *b->ev);
	}
	r = &b->ev[b->n++];
	memset(r, 0, sizeof *r);
	r->off = off;
	r->len = len;
	r->json = json;
	return r;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Append n bytes of s to out, decoding %XX and '+' (valid escapes only: the
 * caller checked them). */
static void pct_decode(const char *s, size_t n, struct buf *out)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			buf_addch(out, (char)(hexval((unsigned char)s[i + 1]) * 16 +
					      hexval((unsigned char)s[i + 2])));
			i += 2;
		} else if (s[i] == '+') {
			buf_addch(out, ' ');
		} else {
			buf_addch(out, s[i]);
		}
	}
}

/* Length of the longest prefix of s (at most max bytes of n) that ends on a
 * UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

void mohaa_raw_add(struct mohaa_raw *r, const char *k, size_t kl, const char *v, size_t vl,
		   bool decode)
{
	struct buf tmp = BUF_INIT, val = BUF_INIT, key = BUF_INIT;
	if (!kl || kl > MOHAA_MAX_KEY * 3 || r->n >= MOHAA_MAX_FIELDS)
		return;
	if (decode) {
		pct_decode(k, kl, &tmp);
		mohaa_utf8_fix(tmp.data, tmp.len, &key);
		buf_reset(&tmp);
		pct_decode(v, vl, &tmp);
	} else {
		mohaa_utf8_fix(k, kl, &key);
		buf_add(&tmp, v, vl);
	}
	if (!key.len || key.len > MOHAA_MAX_KEY) {
		buf_release(&tmp);
		buf_release(&key);
		return;
	}
	mohaa_utf8_fix(tmp.data, tmp.len, &val);
	buf_truncate(&val, utf8_cut(val.data, val.len, MOHAA_MAX_VALUE));
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->f = xrealloc(r->f, r->cap * sizeof *r->f);
	}
	r->f[r->n].key = buf_detach(&key, NULL);
	r->f[r->n].value = buf_detach(&val, NULL);
	r->n++;
	buf_release(&tmp);
}

const char *mohaa_raw_get(const struct mohaa_raw *r, const char *key)
{
	size_t i;
	const char *found = NULL;
	bool last = !strcmp(key, "server_token");
	for (i = 0; i < r->n; i++)
		if (!strcmp(r->f[i].key, key)) {
			found = r->f[i].value;
			if (!last)
				break;
		}
	return found;
}

void mohaa_raw_default(struct mohaa_raw *r, const char *key, const char *value)
{
	const char *v = mohaa_raw_get(r, key);
	size_t i;
	if (v && *v)
		return;
	for (i = 0; i < r->n; i++)
		if (!strcmp(r->f[i].key, key)) {
			free(r->f[i].value);
			r->f[i].value = strdup(value);
			if (!r->f[i].value)
				abort();
			return;
		}
	mohaa_raw_add(r, key, strlen(key), value, strlen(value), false);
}

/* ---- 1. the form body -------------------------------------------------------- */

/* A consistently percent-encoded line: no raw space, control or 8-bit byte,
 * every '%' a valid escape, and at least one escape. */
static bool looks_encoded(const char *s, size_t n)
{
	bool escaped = false;
	size_t i;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n || hexval((unsigned char)s[i + 1]) < 0 ||
			    hexval((unsigned char)s[i + 2]) < 0)
				return false;
			escaped = true;
			i += 2;
		} else if (c <= 0x20 || c >= 0x7f) {
			return false;
		}
	}
	return escaped;
}

/* Length of a syntactically valid field name at s (lower-case letters,
 * digits, '_', starting with a letter) followed by '=', or 0. */
static size_t key_at(const char *s, size_t n)
{
	size_t i = 0;
	if (!n || !((s[0] >= 'a' && s[0] <= 'z')))
		return 0;
	while (i < n && i <= MOHAA_MAX_KEY &&
	       ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
		i++;
	return i < n && i <= MOHAA_MAX_KEY && s[i] == '=' ? i : 0;
}

/* The type named by an unencoded line: the value after a leading "type=" or
 * the first "&type=", up to the next '&'. */
static enum mohaa_type raw_type(const char *s, size_t n)
{
	const char *v = NULL, *p;
	char name[40];
	size_t vl;
	if (n >= 5 && !memcmp(s, "type=", 5)) {
		v = s + 5;
	} else {
		for (p = s; p + 6 <= s + n; p++)
			if (!memcmp(p, "&type=", 6)) {
				v = p + 6;
				break;
			}
	}
	if (!v)
		return MOHAA_EV_UNKNOWN;
	p = memchr(v, '&', (size_t)(s + n - v));
	vl = p ? (size_t)(p - v) : (size_t)(s + n - v);
	if (vl >= sizeof name)
		return MOHAA_EV_UNKNOWN;
	memcpy(name, v, vl);
	name[vl] = '\0';
	return mohaa_type_lookup(name, NULL);
}

int mohaa_parse_form(const char *s, size_t len, size_t base, struct mohaa_body *out,
		     char *err, size_t errlen)
{
	struct mohaa_raw *r;
	enum mohaa_type type;
	/* pairs so far: a pair starts at bounds[i], its key is klens[i] bytes */
	size_t bounds[MOHAA_MAX_FIELDS * 4], klens[MOHAA_MAX_FIELDS * 4], nb = 0, i, p;

	if (!len)
		return 0;
	r = new_event(out, base, len, false);
	if (!r)
		return fail(err, errlen, 413, "more than %d events in one body", MOHAA_MAX_EVENTS);

	if (looks_encoded(s, len)) {
		for (p = 0; p <= len;) {
			const char *amp = memchr(s + p, '&', len - p);
			size_t e = amp ? (size_t)(amp - s) : len;
			const char *eq = memchr(s + p, '=', e - p);
			if (e > p)
				mohaa_raw_add(r, s + p, eq ? (size_t)(eq - s - p) : e - p,
					      eq ? eq + 1 : s + e, eq ? (size_t)(s + e - eq - 1) : 0, true);
			p = e + 1;
		}
		return 0;
	}

	/* unencoded: split only where a field name the type may carry follows */
	type = raw_type(s, len);
	klens[nb] = key_at(s, len);
	bounds[nb++] = 0;
	for (p = 0; p < len && nb < sizeof bounds / sizeof bounds[0]; p++) {
		size_t kl;
		bool seen = false, transport;
		if (s[p] != '&')
			continue;
		kl = key_at(s + p + 1, len - p - 1);
		if (!kl)
			continue;
		if (type != MOHAA_EV_UNKNOWN && !mohaa_type_has_key(type, s + p + 1, kl))
			continue;
		transport = (kl == 9 && !memcmp(s + p + 1, "server_id", 9)) ||
			    (kl == 12 && !memcmp(s + p + 1, "server_token", 12));
		for (i = 0; i < nb && !transport && !seen; i++)
			seen = klens[i] == kl && !memcmp(s + bounds[i], s + p + 1, kl);
		if (seen)
			continue;
		klens[nb] = kl;
		bounds[nb++] = p + 1;
	}
	for (i = 0; i < nb; i++) {
		size_t st = bounds[i], e = i + 1 < nb ? bounds[i + 1] - 1 : len;
		const char *eq = memchr(s + st, '=', e - st);
		if (e > st)
			mohaa_raw_add(r, s + st, eq ? (size_t)(eq - s - st) : e - st,
				      eq ? eq + 1 : s + e, eq ? (size_t)(s + e - eq - 1) : 0, false);
	}
	return 0;
}

/* ---- JSON objects -------------------------------------------------------------- */

static int parse_object(const char *s, size_t len, size_t off, size_t idx,
			struct mohaa_body *out, char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new_ex(32);
	struct json_object *obj;
	struct mohaa_raw *r;
	enum json_tokener_error jerr;

	if (!tok)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, s, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!obj || jerr != json_tokener_success || (size_t)json_tokener_get_parse_end(tok) != len) {
		int at = (int)json_tokener_get_parse_end(tok);
		json_object_put(obj);
		json_tokener_free(tok);
		return fail(err, errlen, 400, "invalid JSON in event %zu at byte %zu: %s", idx,
			    off + (size_t)at,
			    jerr == json_tokener_success ? "trailing characters"
			    : jerr == json_tokener_continue ? "unexpected end"
			    : json_tokener_error_desc(jerr));
	}
	json_tokener_free(tok);
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return fail(err, errlen, 400, "event %zu is not a JSON object", idx);
	}
	r = new_event(out, off, len, true);
	if (!r) {
		json_object_put(obj);
		return fail(err, errlen, 413, "more than %d events in one body", MOHAA_MAX_EVENTS);
	}
	json_object_object_foreach(obj, key, val) {
		const char *v;
		size_t vl;
		switch (json_object_get_type(val)) {
		case json_type_null:
			continue;
		case json_type_string:
			v = json_object_get_string(val);
			vl = (size_t)json_object_get_string_len(val);
			break;
		case json_type_object:
		case json_type_array:
			v = json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN);
			vl = strlen(v);
			break;
		default:
			v = json_object_get_string(val);
			vl = strlen(v);
			break;
		}
		mohaa_raw_add(r, key, strlen(key), v, vl, false);
	}
	json_object_put(obj);
	return 0;
}

/* ---- 2. lines -------------------------------------------------------------------- */

int mohaa_parse_lines(const char *s, size_t len, struct mohaa_body *out, char *err,
		      size_t errlen)
{
	size_t p = 0, idx = 0;
	int st;
	while (p < len) {
		const char *nl = memchr(s + p, '\n', len - p);
		size_t e = nl ? (size_t)(nl - s) : len, a = p, b = e;
		while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
			a++;
		while (b > a && (s[b - 1] == '\r' || s[b - 1] == ' ' || s[b - 1] == '\t'))
			b--;
		if (b > a) {
			st = s[a] == '{' ? parse_object(s + a, b - a, a, idx, out, err, errlen)
					 : mohaa_parse_form(s + a, b - a, a, out, err, errlen);
			if (st)
				return st;
			idx++;
		}
		p = e + 1;
	}
	return 0;
}

/* ---- 3. the JSON array -------------------------------------------------------------- */

#define MAX_NEST 64

/* End (exclusive) of the JSON string starting at s[i] == '"', or 0. */
static size_t string_end(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return 0;
}

/* End (exclusive) of the JSON value starting at s[i], found by tracking
 * strings and bracket nesting (not validating: json-c does that), or 0 when
 * the value is truncated or its brackets do not match. */
static size_t value_end(const char *s, size_t len, size_t i)
{
	char stack[MAX_NEST];
	int depth = 0;
	if (s[i] == '"')
		return string_end(s, len, i);
	if (s[i] != '{' && s[i] != '[') {
		while (i < len && !strchr(",]} \t\r\n", s[i]))
			i++;
		return i;
	}
	for (; i < len; i++) {
		char c = s[i];
		if (c == '"') {
			size_t e = string_end(s, len, i);
			if (!e)
				return 0;
			i = e - 1;
		} else if (c == '{' || c == '[') {
			if (depth == MAX_NEST)
				return 0;
			stack[depth++] = c == '{' ? '}' : ']';
		} else if (c == '}' || c == ']') {
			if (!depth || stack[depth - 1] != c)
				return 0;
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

static size_t skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

int mohaa_parse_array(const char *s, size_t len, struct mohaa_body *out, char *err,
		      size_t errlen)
{
	size_t i = skip_ws(s, len, 0), idx = 0;
	int st;
	if (i >= len || s[i] != '[')
		return fail(err, errlen, 400, "the body is not a JSON array");
	i = skip_ws(s, len, i + 1);
	if (i < len && s[i] == ']') {
		i = skip_ws(s, len, i + 1);
		return i == len ? 0 : fail(err, errlen, 400, "text after the JSON array at byte %zu", i);
	}
	for (;;) {
		size_t e;
		if (i >= len)
			return fail(err, errlen, 400, "the JSON array is truncated after %zu events", idx);
		if (s[i] != '{')
			return fail(err, errlen, 400, "event %zu is not a JSON object (byte %zu)", idx, i);
		e = value_end(s, len, i);
		if (!e)
			return fail(err, errlen, 400,
				    "the JSON array is truncated or malformed in event %zu (byte %zu)",
				    idx, i);
		st = parse_object(s + i, e - i, i, idx, out, err, errlen);
		if (st)
			return st;
		idx++;
		i = skip_ws(s, len, e);
		if (i < len && s[i] == ',') {
			i = skip_ws(s, len, i + 1);
			continue;
		}
		if (i < len && s[i] == ']') {
			i = skip_ws(s, len, i + 1);
			if (i != len)
				return fail(err, errlen, 400, "text after the JSON array at byte %zu", i);
			return 0;
		}
		return fail(err, errlen, 400, i < len ? "expected ',' or ']' at byte %zu"
						      : "the JSON array is truncated at byte %zu", i);
	}
}

/* ---- the dispatcher --------------------------------------------------------------------- */

int mohaa_body_parse(const char *data, size_t len, struct mohaa_body *out, char *err,
		     size_t errlen)
{
	const char *nul;
	size_t start = 0;
	int st;

	if (len > MOHAA_MAX_BODY)
		return fail(err, errlen, 413, "the body is larger than %u bytes", MOHAA_MAX_BODY);
	/* the engine's C strings may carry their terminator: cut trailing NULs
	 * and whitespace; a NUL anywhere else is an error */
	while (len && (data[len - 1] == '\0' || isspace((unsigned char)data[len - 1])))
		len--;
	while (start < len && isspace((unsigned char)data[start]))
		start++;
	if (start == len)
		return fail(err, errlen, 400, "the body is empty");
	nul = memchr(data, '\0', len);
	if (nul)
		return fail(err, errlen, 400, "NUL byte at offset %zu of the body",
			    (size_t)(nul - data));
	if (data[start] == '[') {
		out->shape = MOHAA_SHAPE_ARRAY;
		st = mohaa_parse_array(data, len, out, err, errlen);
	} else {
		st = mohaa_parse_lines(data, len, out, err, errlen);
		out->shape = out->n > 1 ? MOHAA_SHAPE_LINES
			     : out->n && out->ev[0].json ? MOHAA_SHAPE_OBJECT : MOHAA_SHAPE_FORM;
	}
	if (!st && !out->n && out->shape != MOHAA_SHAPE_ARRAY)
		st = fail(err, errlen, 400, "the body holds no event");
	if (st)
		mohaa_body_free(out);
	return st;
}
