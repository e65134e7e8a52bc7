/* fuzz_req.c: libFuzzer target for the request parser (platform/web/req.c)
 * and the guard's parsers of outside input (platform/web/guard.c).
 *
 * The first byte picks the parser; the rest of the input is its argument:
 *   0 request URI through req_parse (path decoding, query, cookies)
 *   1 query string            2 Cookie header         3 urlencoded body
 *   4 JSON body               5 multipart: Content-Type line "\n" body
 *   6 Content-Length, body plan and media types
 *   7 REMOTE_ADDR and Authorization: loopback, bearer, rate key, CSRF
 * Each result is checked against the parser's documented promises; a
 * broken promise aborts (a crash for libFuzzer), as does any sanitizer
 * report. Seeds: fuzz/corpus/req/, dictionary fuzz/req.dict. Build and run:
 * fuzz/run.sh req. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "platform/web/guard.h"
#include "platform/web/req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) \
	do { \
		if (!(c)) \
			abort(); \
	} while (0)

static char *cstr(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static void fuzz_uri(const uint8_t *p, size_t n)
{
	struct buf var = BUF_INIT;
	char *env[4];
	FCGX_Request fr;
	struct req r;
	char err[160];
	int st, i;

	buf_addstr(&var, "REQUEST_URI=");
	buf_add(&var, p, n);
	env[0] = var.data; /* stops at the first NUL, as the environment would */
	env[1] = "REQUEST_METHOD=GET";
	env[2] = "HTTP_COOKIE=a=1; b=\"2\"";
	env[3] = NULL;
	memset(&fr, 0, sizeof fr);
	fr.envp = env;
	memset(&r, 0, sizeof r);
	err[0] = '\0';
	st = req_parse(&r, &fr, err, sizeof err);
	CHECK(st == 0 || st == 400 || st == 414);
	CHECK(st == 0 || err[0]);
	CHECK(r.path != NULL);
	if (!st) {
		CHECK(r.path[0] == '/');
		/* no raw segment decodes to "." or ".." (an encoded slash inside a
		 * segment is data, so the decoded path may show "/./") */
		{
			const char *seg = r.raw_path;
			CHECK(seg && seg[0] == '/');
			while (seg) {
				const char *next = strchr(seg + 1, '/');
				size_t len = next ? (size_t)(next - seg - 1) : strlen(seg + 1);
				CHECK(!(len == 1 && seg[1] == '.') &&
				      !(len == 2 && seg[1] == '.' && seg[2] == '.') &&
				      !(len == 3 && !strncasecmp(seg + 1, "%2e", 3)) &&
				      !(len == 6 && !strncasecmp(seg + 1, "%2e%2e", 6)));
				seg = next;
			}
		}
		for (i = 0; i < r.n_params; i++)
			CHECK(r.params[i].key && r.params[i].value);
	}
	CHECK(r.n_params <= REQ_MAX_PARAMS && r.n_cookies == 2);
	req_release(&r);
	buf_release(&var);
}

static void fuzz_query(const uint8_t *p, size_t n)
{
	struct req_param q[REQ_MAX_PARAMS];
	char err[128];
	int k = 0, i, st;
	st = req_parse_query((const char *)p, n, q, REQ_MAX_PARAMS, &k, err, sizeof err);
	CHECK(st == 0 || st == 400);
	CHECK(k >= 0 && k <= REQ_MAX_PARAMS);
	for (i = 0; i < k; i++) {
		/* decoded text never holds a NUL byte and is no longer than the input */
		CHECK(strlen(q[i].key) <= n && strlen(q[i].value) <= n);
		free(q[i].key);
		free(q[i].value);
	}
}

static void fuzz_cookies(const uint8_t *p, size_t n)
{
	struct req_param c[REQ_MAX_COOKIES];
	char *s = cstr(p, n);
	int k, i;
	req_parse_cookies(s, c, REQ_MAX_COOKIES, &k);
	CHECK(k >= 0 && k <= REQ_MAX_COOKIES);
	for (i = 0; i < k; i++) {
		const char *q;
		CHECK(c[i].key[0]);
		for (q = c[i].key; *q; q++)
			CHECK(is_tchar((unsigned char)*q));
		for (q = c[i].value; *q; q++)
			CHECK(*q > 0x20 && *q < 0x7f && !strchr("\",;\\", *q));
		free(c[i].key);
		free(c[i].value);
	}
	free(s);
}

static void fuzz_form(const uint8_t *p, size_t n)
{
	struct req_form f = { NULL, 0 };
	char err[128];
	int st = req_parse_form((const char *)p, n, &f, err, sizeof err), i;
	CHECK(st == 0 || st == 400 || st == 413);
	CHECK(f.n >= 0 && f.n <= REQ_MAX_FIELDS && (!st || f.n == 0));
	for (i = 0; i < f.n; i++)
		CHECK(f.fields[i].name && f.fields[i].value && f.fields[i].len <= n &&
		      f.fields[i].value[f.fields[i].len] == '\0' && !f.fields[i].filename);
	req_form_release(&f);
	CHECK(f.n == 0 && !f.fields);
}

static void fuzz_json(const uint8_t *p, size_t n)
{
	char err[128];
	struct json_object *o = req_parse_json((const char *)p, n, 8, err, sizeof err);
	if (o) {
		/* what we accept serialises to JSON we accept again */
		size_t len;
		const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
		struct json_object *again = req_parse_json(s, len, 8, err, sizeof err);
		CHECK(again != NULL);
		json_object_put(again);
		json_object_put(o);
	} else {
		CHECK(err[0]);
	}
}

static void fuzz_multipart(const uint8_t *p, size_t n)
{
	const uint8_t *nl = memchr(p, '\n', n);
	struct req_form f = { NULL, 0 };
	struct req_multipart_limits lim = { 4, 128, 64 };
	char err[160];
	char *ct;
	const char *body;
	size_t blen;
	int st, i;

	if (!nl)
		return;
	ct = cstr(p, (size_t)(nl - p));
	body = (const char *)nl + 1;
	blen = n - (size_t)(nl - p) - 1;
	st = req_parse_multipart(ct, body, blen, NULL, &f, err, sizeof err);
	CHECK(st == 0 || st == 400 || st == 413);
	CHECK(!st || (f.n == 0 && err[0]));
	for (i = 0; i < f.n; i++)
		CHECK(f.fields[i].name && f.fields[i].value && f.fields[i].len <= blen &&
		      f.fields[i].value[f.fields[i].len] == '\0');
	req_form_release(&f);
	/* tight limits: never more parts or bigger parts than allowed */
	st = req_parse_multipart(ct, body, blen, &lim, &f, err, sizeof err);
	CHECK(st == 0 || st == 400 || st == 413);
	if (!st) {
		CHECK(f.n <= lim.max_parts);
		for (i = 0; i < f.n; i++)
			CHECK(f.fields[i].len <= lim.max_part_bytes);
	}
	req_form_release(&f);
	free(ct);
}

static void fuzz_sizes(const uint8_t *p, size_t n)
{
	char *s = cstr(p, n);
	size_t v = 0, want;
	bool exact;
	int st;
	if (req_content_length(s, &v) == 0)
		CHECK(s[0] >= '0' && s[0] <= '9');
	st = req_body_plan(s, n & 1 ? "chunked" : NULL, n & 2 ? "GET" : "POST", 1024, &want, &exact);
	CHECK(st == 0 || st == 400 || st == 413);
	if (!st)
		CHECK(exact ? want <= 1024 : want == 1025);
	(void)req_media_type_is(s, "application/json");
	(void)req_media_type_is(s, "multipart/form-data");
	free(s);
}

static void fuzz_guard(const uint8_t *p, size_t n)
{
	const uint8_t *nl = memchr(p, '\n', n);
	size_t an = nl ? (size_t)(nl - p) : n;
	char *addr = cstr(p, an), *auth = cstr(nl ? nl + 1 : p + n, nl ? n - an - 1 : 0);
	char key[128], tok[GUARD_CSRF_HEX + 1];
	bool loop = guard_is_loopback(addr);
	int k = guard_rate_key(RATE_READ, addr, key, sizeof key);
	CHECK(k > 0 && (size_t)k < sizeof key && !strncmp(key, "gw:rate:read:", 13));
	CHECK(!strpbrk(key, " \r\n\t\"'\\"));
	if (loop)
		CHECK(strchr(addr, ':') || !strncmp(addr, "127.", 4));
	(void)guard_bearer_ok(auth, "fuzz-operator-token-0123456789");
	CHECK(!guard_bearer_ok(auth, ""));
	guard_csrf_sign("fuzz secret of thirty-two bytes..", addr, tok);
	CHECK(strlen(tok) == GUARD_CSRF_HEX);
	/* an arbitrary token never passes, except the real one for a real cookie */
	if (guard_csrf_valid("fuzz secret of thirty-two bytes..", addr, auth))
		CHECK(!strcmp(tok, auth));
	free(addr);
	free(auth);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 8) {
	case 0: fuzz_uri(data + 1, size - 1); break;
	case 1: fuzz_query(data + 1, size - 1); break;
	case 2: fuzz_cookies(data + 1, size - 1); break;
	case 3: fuzz_form(data + 1, size - 1); break;
	case 4: fuzz_json(data + 1, size - 1); break;
	case 5: fuzz_multipart(data + 1, size - 1); break;
	case 6: fuzz_sizes(data + 1, size - 1); break;
	case 7: fuzz_guard(data + 1, size - 1); break;
	}
	return 0;
}
