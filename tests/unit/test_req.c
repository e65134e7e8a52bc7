/* test_req.c: the request parser of platform/web/req.c (URI and path
 * decoding, query, cookies, urlencoded, JSON and multipart bodies, body
 * size planning) and the route-row enforcement of platform/web/guard.c
 * (role, CSRF, rate-limit settings and keys). Every expectation is written
 * from the RFCs the header comments cite, not from the code's output. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "cu.h"
#include "platform/module.h"
#include "platform/web/app.h"
#include "platform/web/guard.h"
#include "platform/web/req.h"
#include "platform/web/route.h"

#define SECRET "0123456789abcdef0123456789abcdef"

/* ---- req_parse over a fake FastCGI environment ------------------------------ */

struct fake {
	FCGX_Request fr;
	char *env[16];
	struct req r;
	char err[160];
	int st;
};

/* Parse a request whose environment is the NULL-terminated list of
 * "NAME=value" strings. */
static void fake_parse(struct fake *f, const char *const *vars)
{
	int i;
	memset(f, 0, sizeof *f);
	for (i = 0; vars[i] && i < 15; i++)
		f->env[i] = (char *)vars[i];
	f->fr.envp = f->env;
	f->st = req_parse(&f->r, &f->fr, f->err, sizeof f->err);
}

static void test_path(void)
{
	struct fake f;
	const char *ok1[] = { "REQUEST_URI=/bzcc/maps/a%20b%2Fc?x=1", "REQUEST_METHOD=GET", NULL };
	const char *bad_escape[] = { "REQUEST_URI=/api/v1/sessions/%zz", "REQUEST_METHOD=GET", NULL };
	const char *nul[] = { "REQUEST_URI=/bzcc/%00x", NULL };
	const char *dots[] = { "REQUEST_URI=/bzcc/../etc", NULL };
	const char *dot[] = { "REQUEST_URI=/bzcc/./maps", NULL };
	const char *encoded_dots[] = { "REQUEST_URI=/bzcc/%2E%2E/x", NULL };
	const char *relative[] = { "REQUEST_URI=bzcc/maps", NULL };
	const char *trail_pct[] = { "REQUEST_URI=/a%4", NULL };
	const char *none[] = { "REQUEST_METHOD=GET", NULL };
	char longuri[8300];
	const char *too_long[] = { longuri, NULL };

	fake_parse(&f, ok1);
	CU_ASSERT_EQUAL(f.st, 0);
	CU_ASSERT_STRING_EQUAL(f.r.path, "/bzcc/maps/a b/c");
	CU_ASSERT_STRING_EQUAL(f.r.raw_path, "/bzcc/maps/a%20b%2Fc");
	CU_ASSERT_STRING_EQUAL(f.r.raw_query, "x=1");
	CU_ASSERT_STRING_EQUAL(f.r.method, "GET");
	CU_ASSERT_FALSE(f.r.api_path);
	req_release(&f.r);

	/* the percent-decoding failure is still known to be an API path: JSON error */
	fake_parse(&f, bad_escape);
	CU_ASSERT_EQUAL(f.st, 400);
	CU_ASSERT_TRUE(f.r.api_path);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.err, "percent"));
	req_release(&f.r);

	fake_parse(&f, nul);
	CU_ASSERT_EQUAL(f.st, 400);
	req_release(&f.r);
	fake_parse(&f, dots);
	CU_ASSERT_EQUAL(f.st, 400);
	req_release(&f.r);
	fake_parse(&f, dot);
	CU_ASSERT_EQUAL(f.st, 400);
	req_release(&f.r);
	fake_parse(&f, encoded_dots);
	CU_ASSERT_EQUAL(f.st, 400);
	req_release(&f.r);
	fake_parse(&f, relative);
	CU_ASSERT_EQUAL(f.st, 400);
	req_release(&f.r);
	fake_parse(&f, trail_pct);
	CU_ASSERT_EQUAL(f.st, 400);
	req_release(&f.r);

	fake_parse(&f, none);
	CU_ASSERT_EQUAL(f.st, 0);
	CU_ASSERT_STRING_EQUAL(f.r.path, "/");
	req_release(&f.r);

	/* 8192 bytes of URI pass, one more is 414 */
	strcpy(longuri, "REQUEST_URI=/");
	memset(longuri + 13, 'a', 8191);
	longuri[13 + 8191] = '\0';
	fake_parse(&f, too_long);
	CU_ASSERT_EQUAL(f.st, 0);
	req_release(&f.r);
	longuri[13 + 8191] = 'a';
	longuri[13 + 8192] = '\0';
	fake_parse(&f, too_long);
	CU_ASSERT_EQUAL(f.st, 414);
	req_release(&f.r);
}

static void test_headers_copied(void)
{
	struct fake f;
	const char *vars[] = { "REQUEST_URI=/healthz", "REQUEST_METHOD=POST",
			       "REMOTE_ADDR=203.0.113.9", "HTTP_AUTHORIZATION=Bearer abc",
			       "HTTP_X_CSRF_TOKEN=tok", "CONTENT_TYPE=application/json",
			       "HTTP_COOKIE=gw_csrf=abc; theme=\"dark\"", NULL };
	fake_parse(&f, vars);
	CU_ASSERT_EQUAL(f.st, 0);
	CU_ASSERT_TRUE(f.r.api_path);
	CU_ASSERT_STRING_EQUAL(f.r.remote_addr, "203.0.113.9");
	CU_ASSERT_STRING_EQUAL(f.r.authorization, "Bearer abc");
	CU_ASSERT_STRING_EQUAL(f.r.csrf_header, "tok");
	CU_ASSERT_STRING_EQUAL(f.r.in_type, "application/json");
	CU_ASSERT_EQUAL(f.r.n_cookies, 2);
	CU_ASSERT_STRING_EQUAL(req_cookie(&f.r, "gw_csrf"), "abc");
	CU_ASSERT_STRING_EQUAL(req_cookie(&f.r, "theme"), "dark");
	CU_ASSERT_PTR_NULL(req_cookie(&f.r, "absent"));
	req_release(&f.r);
}

/* ---- query ------------------------------------------------------------------------ */

static void release_params(struct req_param *p, int n)
{
	int i;
	for (i = 0; i < n; i++) {
		free(p[i].key);
		free(p[i].value);
	}
}

static void test_query(void)
{
	struct req_param p[REQ_MAX_PARAMS];
	char err[128];
	struct buf many = BUF_INIT;
	int n = 0, i;
	const char *q = "a=1&b=hello+world&&c=%41%62&d&e=&=f&g=x%3Dy";

	CU_ASSERT_EQUAL(req_parse_query(q, strlen(q), p, REQ_MAX_PARAMS, &n, err, sizeof err), 0);
	CU_ASSERT_EQUAL(n, 7);
	if (n == 7) {
		CU_ASSERT_STRING_EQUAL(p[0].key, "a");
		CU_ASSERT_STRING_EQUAL(p[0].value, "1");
		CU_ASSERT_STRING_EQUAL(p[1].value, "hello world");
		CU_ASSERT_STRING_EQUAL(p[2].key, "c");
		CU_ASSERT_STRING_EQUAL(p[2].value, "Ab");
		CU_ASSERT_STRING_EQUAL(p[3].key, "d");
		CU_ASSERT_STRING_EQUAL(p[3].value, "");
		CU_ASSERT_STRING_EQUAL(p[4].value, "");
		CU_ASSERT_STRING_EQUAL(p[5].key, "");
		CU_ASSERT_STRING_EQUAL(p[5].value, "f");
		CU_ASSERT_STRING_EQUAL(p[6].value, "x=y");
	}
	release_params(p, n);

	/* the length bounds the parse: bytes after it are not read */
	n = 0;
	CU_ASSERT_EQUAL(req_parse_query("a=12&b=3", 3, p, REQ_MAX_PARAMS, &n, err, sizeof err), 0);
	CU_ASSERT_EQUAL(n, 1);
	if (n == 1)
		CU_ASSERT_STRING_EQUAL(p[0].value, "1");
	release_params(p, n);

	n = 0;
	CU_ASSERT_EQUAL(req_parse_query("a=1&b=%zz", 9, p, REQ_MAX_PARAMS, &n, err, sizeof err), 400);
	CU_ASSERT_EQUAL(n, 1);
	release_params(p, n);
	n = 0;
	CU_ASSERT_EQUAL(req_parse_query("%zz=1", 5, p, REQ_MAX_PARAMS, &n, err, sizeof err), 400);
	CU_ASSERT_EQUAL(n, 0);
	n = 0;
	CU_ASSERT_EQUAL(req_parse_query("a=%00", 5, p, REQ_MAX_PARAMS, &n, err, sizeof err), 400);
	CU_ASSERT_EQUAL(n, 0);

	/* exactly the maximum passes, one more is refused */
	for (i = 0; i < REQ_MAX_PARAMS; i++)
		buf_addf(&many, "%sk%d=v", i ? "&" : "", i);
	n = 0;
	CU_ASSERT_EQUAL(req_parse_query(many.data, many.len, p, REQ_MAX_PARAMS, &n, err, sizeof err), 0);
	CU_ASSERT_EQUAL(n, REQ_MAX_PARAMS);
	release_params(p, n);
	buf_addstr(&many, "&one=more");
	n = 0;
	CU_ASSERT_EQUAL(req_parse_query(many.data, many.len, p, REQ_MAX_PARAMS, &n, err, sizeof err), 400);
	release_params(p, n);
	buf_release(&many);
}

/* ---- cookies ----------------------------------------------------------------------- */

static void test_cookies(void)
{
	struct req_param c[REQ_MAX_COOKIES];
	struct buf many = BUF_INIT;
	int n, i;

	req_parse_cookies("a=1; b=two; c=\"quoted\"; d=x=y; e=", c, REQ_MAX_COOKIES, &n);
	CU_ASSERT_EQUAL(n, 5);
	if (n == 5) {
		CU_ASSERT_STRING_EQUAL(c[0].key, "a");
		CU_ASSERT_STRING_EQUAL(c[0].value, "1");
		CU_ASSERT_STRING_EQUAL(c[1].value, "two");
		CU_ASSERT_STRING_EQUAL(c[2].value, "quoted");
		CU_ASSERT_STRING_EQUAL(c[3].key, "d");
		CU_ASSERT_STRING_EQUAL(c[3].value, "x=y");
		CU_ASSERT_STRING_EQUAL(c[4].value, "");
	}
	release_params(c, n);

	/* lenient spacing: no space, tabs, empty pairs */
	req_parse_cookies(" \ta=1;b=2 ;\t; ;c=3\t", c, REQ_MAX_COOKIES, &n);
	CU_ASSERT_EQUAL(n, 3);
	if (n == 3) {
		CU_ASSERT_STRING_EQUAL(c[1].key, "b");
		CU_ASSERT_STRING_EQUAL(c[1].value, "2");
		CU_ASSERT_STRING_EQUAL(c[2].value, "3");
	}
	release_params(c, n);

	/* pairs RFC 6265 does not allow are skipped, the rest kept */
	req_parse_cookies("noequals; =novalue; sp ace=1; v=a b; q=\"x; c=a,b; bs=a\\b; "
			  "dq=a\"b; ok=fine; ctl=a\x01; x=%41",
			  c, REQ_MAX_COOKIES, &n);
	CU_ASSERT_EQUAL(n, 2);
	if (n == 2) {
		CU_ASSERT_STRING_EQUAL(c[0].key, "ok");
		CU_ASSERT_STRING_EQUAL(c[1].key, "x");
		CU_ASSERT_STRING_EQUAL(c[1].value, "%41"); /* not percent-decoded */
	}
	release_params(c, n);

	req_parse_cookies(NULL, c, REQ_MAX_COOKIES, &n);
	CU_ASSERT_EQUAL(n, 0);
	req_parse_cookies("", c, REQ_MAX_COOKIES, &n);
	CU_ASSERT_EQUAL(n, 0);

	/* only the first max are kept */
	for (i = 0; i < REQ_MAX_COOKIES + 5; i++)
		buf_addf(&many, "%sc%d=%d", i ? "; " : "", i, i);
	req_parse_cookies(many.data, c, REQ_MAX_COOKIES, &n);
	CU_ASSERT_EQUAL(n, REQ_MAX_COOKIES);
	CU_ASSERT_STRING_EQUAL(c[REQ_MAX_COOKIES - 1].key, "c31");
	release_params(c, n);
	buf_release(&many);
}

/* ---- urlencoded form ---------------------------------------------------------------- */

static void test_form(void)
{
	struct req_form f = { NULL, 0 };
	struct buf many = BUF_INIT;
	char err[128];
	int i;
	const char *body = "name=GameWatch+fan&csrf_token=abc&note=caf%C3%A9&empty=";

	CU_ASSERT_EQUAL(req_parse_form(body, strlen(body), &f, err, sizeof err), 0);
	CU_ASSERT_EQUAL(f.n, 4);
	if (f.n == 4) {
		CU_ASSERT_STRING_EQUAL(f.fields[0].value, "GameWatch fan");
		CU_ASSERT_EQUAL(f.fields[0].len, 13);
		CU_ASSERT_STRING_EQUAL(f.fields[2].value, "caf\xc3\xa9");
		CU_ASSERT_EQUAL(f.fields[2].len, 5);
		CU_ASSERT_PTR_NULL(f.fields[1].filename);
		CU_ASSERT_PTR_NULL(f.fields[1].content_type);
		CU_ASSERT_EQUAL(f.fields[3].len, 0);
	}
	req_form_release(&f);
	CU_ASSERT_EQUAL(f.n, 0);
	CU_ASSERT_PTR_NULL(f.fields);

	CU_ASSERT_EQUAL(req_parse_form("a=%zz", 5, &f, err, sizeof err), 400);
	req_form_release(&f);
	CU_ASSERT_EQUAL(req_parse_form("a=%00", 5, &f, err, sizeof err), 400);
	req_form_release(&f);
	CU_ASSERT_EQUAL(req_parse_form("", 0, &f, err, sizeof err), 0);
	CU_ASSERT_EQUAL(f.n, 0);
	req_form_release(&f);

	for (i = 0; i < REQ_MAX_FIELDS; i++)
		buf_addf(&many, "%sf%d=%d", i ? "&" : "", i, i);
	CU_ASSERT_EQUAL(req_parse_form(many.data, many.len, &f, err, sizeof err), 0);
	CU_ASSERT_EQUAL(f.n, REQ_MAX_FIELDS);
	if (f.n == REQ_MAX_FIELDS)
		CU_ASSERT_STRING_EQUAL(f.fields[REQ_MAX_FIELDS - 1].value, "63");
	req_form_release(&f);
	buf_addstr(&many, "&x=1");
	CU_ASSERT_EQUAL(req_parse_form(many.data, many.len, &f, err, sizeof err), 413);
	req_form_release(&f);
	buf_release(&many);
}

/* ---- JSON ----------------------------------------------------------------------------- */

static int json_ok(const char *s)
{
	char err[128];
	struct json_object *o = req_parse_json(s, strlen(s), REQ_JSON_MAX_DEPTH, err, sizeof err);
	int ok = o != NULL;
	json_object_put(o);
	return ok;
}

static void test_json(void)
{
	char err[128];
	struct json_object *o, *v;
	struct buf deep = BUF_INIT;
	int i;
	const char *doc = " {\"name\": \"caf\\u00e9\", \"n\": [1, 2.5e3, -0.5], \"ok\": true} \r\n";

	o = req_parse_json(doc, strlen(doc), REQ_JSON_MAX_DEPTH, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "name", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "caf\xc3\xa9");
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "n", &v));
	CU_ASSERT_EQUAL(json_object_array_length(v), 3);
	json_object_put(o);

	/* top-level scalars end at the end of input */
	CU_ASSERT(json_ok("123"));
	CU_ASSERT(json_ok("\"s\""));
	CU_ASSERT(json_ok("false"));
	CU_ASSERT(json_ok("1E5"));

	/* RFC 8259 violations */
	CU_ASSERT_FALSE(json_ok(""));
	CU_ASSERT_FALSE(json_ok("   "));
	CU_ASSERT_FALSE(json_ok("{\"a\":1"));          /* truncated */
	CU_ASSERT_FALSE(json_ok("[1,2"));
	CU_ASSERT_FALSE(json_ok("{\"a\":1}x"));        /* trailing garbage */
	CU_ASSERT_FALSE(json_ok("{\"a\":1}{}"));       /* two texts */
	CU_ASSERT_FALSE(json_ok("[1,]"));
	CU_ASSERT_FALSE(json_ok("{'a':1}"));
	CU_ASSERT_FALSE(json_ok("NaN"));
	CU_ASSERT_FALSE(json_ok("[Infinity]"));
	CU_ASSERT_FALSE(json_ok("[-Infinity]"));
	CU_ASSERT_FALSE(json_ok("[1.]"));
	CU_ASSERT_FALSE(json_ok("[.5]"));
	CU_ASSERT_FALSE(json_ok("[tru]"));
	CU_ASSERT_FALSE(json_ok("[True]"));
	CU_ASSERT_FALSE(json_ok("[\"a\tb\"]"));        /* raw control character */
	CU_ASSERT_FALSE(json_ok("[\"\xff\"]"));        /* not UTF-8 */
	CU_ASSERT_FALSE(json_ok("[\"\xc3\"]"));
	o = req_parse_json("[1]\0[2]", 7, REQ_JSON_MAX_DEPTH, err, sizeof err);
	CU_ASSERT_PTR_NULL(o);                          /* a NUL byte */
	json_object_put(o);
	o = req_parse_json("null", 4, REQ_JSON_MAX_DEPTH, err, sizeof err);
	CU_ASSERT_PTR_NULL(o);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "null"));

	/* depth: exactly the limit parses, one more does not */
	for (i = 0; i < 4; i++)
		buf_addch(&deep, '[');
	for (i = 0; i < 4; i++)
		buf_addch(&deep, ']');
	o = req_parse_json(deep.data, deep.len, 4, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL(o);
	json_object_put(o);
	o = req_parse_json(deep.data, deep.len, 3, err, sizeof err);
	CU_ASSERT_PTR_NULL(o);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "deep"));
	buf_reset(&deep);
	for (i = 0; i < 10000; i++)
		buf_addch(&deep, '[');
	o = req_parse_json(deep.data, deep.len, REQ_JSON_MAX_DEPTH, err, sizeof err);
	CU_ASSERT_PTR_NULL(o);
	buf_release(&deep);
}

/* ---- multipart ------------------------------------------------------------------------- */

#define CT "multipart/form-data; boundary=XyZ"
/* a body as browsers send it: preamble, a text field, a file with a CRLF,
 * a NUL and something boundary-like inside, an epilogue */
static const char mp_body[] =
	"preamble, ignored\r\n"
	"--XyZ\r\n"
	"Content-Disposition: form-data; name=\"title\"\r\n"
	"\r\n"
	"Hello, world\r\n"
	"--XyZ\r\n"
	"content-disposition: form-data; name=\"upload\"; filename=\"a \\\"b\\\".bin\"\r\n"
	"Content-Type: application/octet-stream\r\n"
	"X-Other: ignored\r\n"
	"\r\n"
	"line1\r\n\0--XyZa\r\n"
	"--XyZ  \t\r\n"
	"Content-Disposition: form-data; name=empty\r\n"
	"\r\n"
	"\r\n"
	"--XyZ--\r\n"
	"epilogue";

static int mp(const char *ct, const char *body, size_t len, struct req_form *f)
{
	char err[160];
	int st = req_parse_multipart(ct, body, len, NULL, f, err, sizeof err);
	return st;
}

static void test_multipart(void)
{
	struct req_form f = { NULL, 0 };
	const struct req_field *fd;
	size_t len = sizeof mp_body - 1;

	CU_ASSERT_EQUAL(mp(CT, mp_body, len, &f), 0);
	CU_ASSERT_EQUAL_FATAL(f.n, 3);
	fd = &f.fields[0];
	CU_ASSERT_STRING_EQUAL(fd->name, "title");
	CU_ASSERT_EQUAL(fd->len, 12);
	CU_ASSERT_STRING_EQUAL(fd->value, "Hello, world");
	CU_ASSERT_PTR_NULL(fd->filename);
	CU_ASSERT_PTR_NULL(fd->content_type);
	fd = &f.fields[1];
	CU_ASSERT_STRING_EQUAL(fd->name, "upload");
	CU_ASSERT_STRING_EQUAL(fd->filename, "a \"b\".bin");
	CU_ASSERT_STRING_EQUAL(fd->content_type, "application/octet-stream");
	CU_ASSERT_EQUAL(fd->len, 14);
	CU_ASSERT(fd->len == 14 && !memcmp(fd->value, "line1\r\n\0--XyZa", 14));
	CU_ASSERT_EQUAL(fd->value[14], '\0');
	fd = &f.fields[2];
	CU_ASSERT_STRING_EQUAL(fd->name, "empty");
	CU_ASSERT_EQUAL(fd->len, 0);
	req_form_release(&f);

	/* quoted boundary, case-insensitive type and parameter name */
	{
		const char b[] = "--a b:c\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--a b:c--";
		CU_ASSERT_EQUAL(mp("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b:c\"", b,
				   sizeof b - 1, &f), 0);
		CU_ASSERT(f.n == 1 && !strcmp(f.fields[0].value, "1"));
		req_form_release(&f);
	}
	/* no parts at all: just the close delimiter */
	CU_ASSERT_EQUAL(mp(CT, "--XyZ--\r\n", 9, &f), 0);
	CU_ASSERT_EQUAL(f.n, 0);
	req_form_release(&f);
}

static void test_multipart_malformed(void)
{
	struct req_form f = { NULL, 0 };
	size_t len = sizeof mp_body - 1, i, close_at;
	char b71[128];
	struct buf ct = BUF_INIT;
	const char part[] = "Content-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n";
	struct {
		const char *ct, *body;
	} bad[] = {
		{ "multipart/form-data", "--XyZ\r\n" },                        /* no boundary */
		{ "multipart/form-data; boundary=", "--\r\n" },               /* empty boundary */
		{ "multipart/form-data; boundary=\"abc", "--abc--" },         /* unclosed quote */
		{ "multipart/form-data; boundary=a\\b", "--a\\b--" },          /* not a bchar */
		{ "multipart/form-data; boundary=\"ab \"", "--ab --" },       /* ends in space */
		{ "multipart/mixed; boundary=XyZ", "--XyZ--" },               /* not form-data */
		{ "text/plain", "--XyZ--" },
		{ CT, "" },                                                   /* no delimiter */
		{ CT, "no delimiter at all" },
		{ CT, "--XyZ" },                                              /* truncated */
		{ CT, "--XyZ\r\n" },
		{ CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue" },
		{ CT, "--XyZ\nContent-Disposition: form-data; name=a\n\nv\n--XyZ--" }, /* LF only */
		{ CT, "--XyZjunk\r\n" },                                      /* garbage after boundary */
		{ CT, "--XyZ\r\n\r\nno headers\r\n--XyZ--" },                 /* no Content-Disposition */
		{ CT, "--XyZ\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XyZ--" },      /* no name */
		{ CT, "--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--XyZ--" },
		{ CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--XyZ--" },
		{ CT, "--XyZ\r\nContent-Disposition: form-data; name\r\n\r\nv\r\n--XyZ--" },
		{ CT, "--XyZ\r\nContent-Disposition: form-data; name=a b\r\n\r\nv\r\n--XyZ--" },
		{ CT, "--XyZ\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nv\r\n--XyZ--" }, /* folded */
		{ CT, "--XyZ\r\nNo colon here\r\n\r\nv\r\n--XyZ--" },
		{ CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b\r\n\r\nv\r\n--XyZ--" },
		{ CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XyZ\r\n" }, /* no close */
	};

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int st = mp(bad[i].ct, bad[i].body, strlen(bad[i].body), &f);
		if (st != 400)
			printf("\n  case %zu [%s] gave %d\n", i, bad[i].body, st);
		CU_ASSERT_EQUAL(st, 400);
		req_form_release(&f);
	}

	/* 70 boundary characters pass, 71 do not */
	memset(b71, 'b', 71);
	b71[70] = '\0';
	buf_addf(&ct, "multipart/form-data; boundary=%s", b71);
	{
		struct buf body = BUF_INIT;
		buf_addf(&body, "--%s\r\n%s--%s--", b71, part, b71);
		CU_ASSERT_EQUAL(mp(ct.data, body.data, body.len, &f), 0);
		CU_ASSERT_EQUAL(f.n, 1);
		req_form_release(&f);
		b71[70] = 'b';
		b71[71] = '\0';
		buf_reset(&ct);
		buf_addf(&ct, "multipart/form-data; boundary=%s", b71);
		buf_reset(&body);
		buf_addf(&body, "--%s\r\n%s--%s--", b71, part, b71);
		CU_ASSERT_EQUAL(mp(ct.data, body.data, body.len, &f), 400);
		req_form_release(&f);
		buf_release(&body);
	}
	buf_release(&ct);

	/* every truncation of a good body is refused, except cutting the CRLF
	 * and epilogue after the close delimiter "--XyZ--" */
	close_at = (size_t)((const char *)memmem(mp_body, len, "--XyZ--", 7) - mp_body) + 7;
	for (i = 0; i < len; i++) {
		int st = mp(CT, mp_body, i, &f);
		CU_ASSERT_EQUAL(st, i < close_at ? 400 : 0);
		req_form_release(&f);
	}
}

static void test_multipart_limits(void)
{
	struct req_form f = { NULL, 0 };
	struct buf body = BUF_INIT;
	char err[160];
	int i;
	struct req_multipart_limits lim = { 3, 64, 5 };

	for (i = 0; i < 3; i++)
		buf_addf(&body, "--XyZ\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\n12345\r\n", i);
	buf_addstr(&body, "--XyZ--");
	CU_ASSERT_EQUAL(req_parse_multipart(CT, body.data, body.len, &lim, &f, err, sizeof err), 0);
	CU_ASSERT_EQUAL(f.n, 3);
	req_form_release(&f);

	/* a fourth part */
	body.len -= 7;
	buf_addstr(&body, "--XyZ\r\nContent-Disposition: form-data; name=\"f3\"\r\n\r\n1\r\n--XyZ--");
	CU_ASSERT_EQUAL(req_parse_multipart(CT, body.data, body.len, &lim, &f, err, sizeof err), 413);
	req_form_release(&f);

	/* a part one byte over */
	buf_reset(&body);
	buf_addstr(&body, "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n123456\r\n--XyZ--");
	CU_ASSERT_EQUAL(req_parse_multipart(CT, body.data, body.len, &lim, &f, err, sizeof err), 413);
	req_form_release(&f);

	/* headers over 64 bytes, with and without their blank line in reach */
	buf_reset(&body);
	buf_addstr(&body, "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\nX-Pad: "
			  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n1\r\n--XyZ--");
	CU_ASSERT_EQUAL(req_parse_multipart(CT, body.data, body.len, &lim, &f, err, sizeof err), 413);
	req_form_release(&f);
	buf_reset(&body);
	buf_addstr(&body, "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n1\r\n--XyZ--");
	lim.max_header_bytes = 39; /* the header line is 40 bytes */
	CU_ASSERT_EQUAL(req_parse_multipart(CT, body.data, body.len, &lim, &f, err, sizeof err), 413);
	req_form_release(&f);
	lim.max_header_bytes = 40;
	CU_ASSERT_EQUAL(req_parse_multipart(CT, body.data, body.len, &lim, &f, err, sizeof err), 0);
	req_form_release(&f);

	/* REQ_MAX_FIELDS bounds the parts even with a looser limit */
	lim.max_parts = 1000;
	lim.max_header_bytes = 8192;
	lim.max_part_bytes = (size_t)-1;
	buf_reset(&body);
	for (i = 0; i <= REQ_MAX_FIELDS; i++)
		buf_addf(&body, "--XyZ\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nv\r\n", i);
	buf_addstr(&body, "--XyZ--");
	CU_ASSERT_EQUAL(req_parse_multipart(CT, body.data, body.len, &lim, &f, err, sizeof err), 413);
	req_form_release(&f);
	buf_release(&body);
}

/* ---- body size --------------------------------------------------------------------------- */

static void test_content_length(void)
{
	size_t v = 99;
	CU_ASSERT_EQUAL(req_content_length("0", &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(req_content_length("1048576", &v), 0);
	CU_ASSERT_EQUAL(v, 1048576);
	CU_ASSERT_EQUAL(req_content_length("18446744073709551615", &v), 0);
	CU_ASSERT_EQUAL(v, (size_t)-1);
	v = 7;
	CU_ASSERT_EQUAL(req_content_length("18446744073709551616", &v), -1);
	CU_ASSERT_EQUAL(req_content_length("99999999999999999999999", &v), -1);
	CU_ASSERT_EQUAL(req_content_length("", &v), -1);
	CU_ASSERT_EQUAL(req_content_length(NULL, &v), -1);
	CU_ASSERT_EQUAL(req_content_length("-1", &v), -1);
	CU_ASSERT_EQUAL(req_content_length("+1", &v), -1);
	CU_ASSERT_EQUAL(req_content_length(" 1", &v), -1);
	CU_ASSERT_EQUAL(req_content_length("1 ", &v), -1);
	CU_ASSERT_EQUAL(req_content_length("0x10", &v), -1);
	CU_ASSERT_EQUAL(v, 7);
}

static void test_body_plan(void)
{
	size_t n = 1;
	bool exact = false;

	CU_ASSERT_EQUAL(req_body_plan("100", NULL, "POST", 100, &n, &exact), 0);
	CU_ASSERT(n == 100 && exact);
	CU_ASSERT_EQUAL(req_body_plan("101", NULL, "POST", 100, &n, &exact), 413);
	CU_ASSERT_EQUAL(req_body_plan("1", NULL, "POST", 0, &n, &exact), 413);
	CU_ASSERT_EQUAL(req_body_plan("0", NULL, "POST", 0, &n, &exact), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(req_body_plan("1e3", NULL, "POST", 5000, &n, &exact), 400);
	/* no length: a GET has no body, anything else is read to max + 1 */
	CU_ASSERT_EQUAL(req_body_plan(NULL, NULL, "GET", 100, &n, &exact), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(req_body_plan("", NULL, "HEAD", 100, &n, &exact), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(req_body_plan(NULL, NULL, "POST", 100, &n, &exact), 0);
	CU_ASSERT(n == 101 && !exact);
	CU_ASSERT_EQUAL(req_body_plan(NULL, "chunked", "GET", 0, &n, &exact), 0);
	CU_ASSERT(n == 1 && !exact);
}

static void test_media_type(void)
{
	CU_ASSERT_TRUE(req_media_type_is("application/json", "application/json"));
	CU_ASSERT_TRUE(req_media_type_is("Application/JSON; charset=utf-8", "application/json"));
	CU_ASSERT_TRUE(req_media_type_is(" application/json ;x=1", "application/json"));
	CU_ASSERT_FALSE(req_media_type_is("application/jsonx", "application/json"));
	CU_ASSERT_FALSE(req_media_type_is("application/jso", "application/json"));
	CU_ASSERT_FALSE(req_media_type_is("", "application/json"));
	CU_ASSERT_FALSE(req_media_type_is(NULL, "application/json"));
}

/* req_parse_body picks the parser by Content-Type */
static void test_parse_body(void)
{
	struct req r;
	char err[160];
	memset(&r, 0, sizeof r);
	buf_init(&r.in_body, 0);
	r.in_type = strdup("application/x-www-form-urlencoded; charset=UTF-8");
	buf_addstr(&r.in_body, "a=1&csrf_token=t");
	CU_ASSERT_EQUAL(req_parse_body(&r, err, sizeof err), 0);
	CU_ASSERT_PTR_NOT_NULL(req_field(&r, "csrf_token"));
	CU_ASSERT_PTR_NULL(req_field(&r, "b"));
	CU_ASSERT_PTR_NULL(r.json);
	req_release(&r);

	memset(&r, 0, sizeof r);
	buf_init(&r.in_body, 0);
	r.in_type = strdup("application/problem+json");
	buf_addstr(&r.in_body, "{\"a\":[1]}");
	CU_ASSERT_EQUAL(req_parse_body(&r, err, sizeof err), 0);
	CU_ASSERT_TRUE(r.json && json_object_is_type(r.json, json_type_object));
	CU_ASSERT_EQUAL(r.form.n, 0);
	req_release(&r);

	memset(&r, 0, sizeof r);
	buf_init(&r.in_body, 0);
	r.in_type = strdup("application/json");
	buf_addstr(&r.in_body, "{\"a\":");
	CU_ASSERT_EQUAL(req_parse_body(&r, err, sizeof err), 400);
	req_release(&r);

	/* other types stay raw */
	memset(&r, 0, sizeof r);
	buf_init(&r.in_body, 0);
	r.in_type = strdup("application/octet-stream");
	buf_addstr(&r.in_body, "a=%zz");
	CU_ASSERT_EQUAL(req_parse_body(&r, err, sizeof err), 0);
	CU_ASSERT_EQUAL(r.form.n, 0);
	CU_ASSERT_EQUAL(r.in_body.len, 5);
	req_release(&r);
}

/* ---- guard: role ------------------------------------------------------------------------- */

static void test_loopback(void)
{
	CU_ASSERT_TRUE(guard_is_loopback("127.0.0.1"));
	CU_ASSERT_TRUE(guard_is_loopback("127.255.255.254"));
	CU_ASSERT_TRUE(guard_is_loopback("::1"));
	CU_ASSERT_TRUE(guard_is_loopback("0:0:0:0:0:0:0:1"));
	CU_ASSERT_TRUE(guard_is_loopback("::ffff:127.0.0.1"));
	CU_ASSERT_FALSE(guard_is_loopback("128.0.0.1"));
	CU_ASSERT_FALSE(guard_is_loopback("126.255.255.255"));
	CU_ASSERT_FALSE(guard_is_loopback("203.0.113.9"));
	CU_ASSERT_FALSE(guard_is_loopback("10.0.0.1"));
	CU_ASSERT_FALSE(guard_is_loopback("::2"));
	CU_ASSERT_FALSE(guard_is_loopback("::"));
	CU_ASSERT_FALSE(guard_is_loopback("::ffff:10.0.0.1"));
	CU_ASSERT_FALSE(guard_is_loopback("::127.0.0.1")); /* IPv4-compatible, not mapped */
	CU_ASSERT_FALSE(guard_is_loopback("localhost"));
	CU_ASSERT_FALSE(guard_is_loopback("127.0.0.1 "));
	CU_ASSERT_FALSE(guard_is_loopback("127.1"));
	CU_ASSERT_FALSE(guard_is_loopback(""));
	CU_ASSERT_FALSE(guard_is_loopback(NULL));
}

static void test_bearer(void)
{
	const char *tok = "s3cr3t-operator-token";
	CU_ASSERT_TRUE(guard_bearer_ok("Bearer s3cr3t-operator-token", tok));
	CU_ASSERT_TRUE(guard_bearer_ok("bearer s3cr3t-operator-token", tok));
	CU_ASSERT_TRUE(guard_bearer_ok("BEARER   s3cr3t-operator-token  ", tok));
	CU_ASSERT_FALSE(guard_bearer_ok("Bearer s3cr3t-operator-toke", tok));
	CU_ASSERT_FALSE(guard_bearer_ok("Bearer s3cr3t-operator-tokenX", tok));
	CU_ASSERT_FALSE(guard_bearer_ok("Bearer S3CR3T-OPERATOR-TOKEN", tok));
	CU_ASSERT_FALSE(guard_bearer_ok("Bearers3cr3t-operator-token", tok));
	CU_ASSERT_FALSE(guard_bearer_ok("Basic s3cr3t-operator-token", tok));
	CU_ASSERT_FALSE(guard_bearer_ok("s3cr3t-operator-token", tok));
	CU_ASSERT_FALSE(guard_bearer_ok("Bearer ", tok));
	CU_ASSERT_FALSE(guard_bearer_ok("", tok));
	CU_ASSERT_FALSE(guard_bearer_ok(NULL, tok));
	/* no configured token: nothing matches, not even an empty one */
	CU_ASSERT_FALSE(guard_bearer_ok("Bearer ", ""));
	CU_ASSERT_FALSE(guard_bearer_ok("Bearer x", NULL));
	CU_ASSERT_FALSE(guard_bearer_ok("Bearer x", ""));
}

static void test_role(void)
{
	struct guard_cfg g;
	const char *auth = "Bearer tok-0123456789";
	memset(&g, 0, sizeof g);
	g.trust_loopback = true;
	g.operator_token = "tok-0123456789";

	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_PUBLIC, "203.0.113.9", "", -1), 0);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_OPERATOR, "127.0.0.1", "", -1), 0);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_OPERATOR, "::1", "", -1), 0);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_OPERATOR, "203.0.113.9", "", -1), 401);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_OPERATOR, "203.0.113.9", "Bearer wrong", -1), 401);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_OPERATOR, "203.0.113.9", auth, -1), 0);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_OPERATOR, NULL, NULL, -1), 401);
	/* loopback not trusted (a proxy in front): only the token */
	g.trust_loopback = false;
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_OPERATOR, "127.0.0.1", "", -1), 401);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_OPERATOR, "127.0.0.1", auth, -1), 0);
	/* no token configured: loopback only */
	g.trust_loopback = true;
	g.operator_token = NULL;
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_OPERATOR, "203.0.113.9", "Bearer ", -1), 401);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_OPERATOR, "127.0.0.1", "", -1), 0);
	/* account roles: not signed in is 401 whatever the peer or token */
	g.operator_token = "tok-0123456789";
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_USER, "127.0.0.1", auth, -1), 401);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_CURATOR, "127.0.0.1", auth, -1), 401);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_ADMIN, "127.0.0.1", auth, -1), 401);
	/* signed in: a lower role than the row's is 403, the same or higher 0 */
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_USER, "203.0.113.9", "", ROLE_USER), 0);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_CURATOR, "203.0.113.9", "", ROLE_USER), 403);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_ADMIN, "203.0.113.9", "", ROLE_USER), 403);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_CURATOR, "203.0.113.9", "", ROLE_CURATOR), 0);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_ADMIN, "203.0.113.9", "", ROLE_CURATOR), 403);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_USER, "203.0.113.9", "", ROLE_ADMIN), 0);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_CURATOR, "203.0.113.9", "", ROLE_ADMIN), 0);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_ADMIN, "203.0.113.9", "", ROLE_ADMIN), 0);
	/* a role value out of range is nobody */
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_USER, "203.0.113.9", "", ROLE_OPERATOR), 401);
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_USER, "203.0.113.9", "", 0), 401);
	/* an account role never opens an operator row */
	g.trust_loopback = false;
	CU_ASSERT_EQUAL(guard_role_check(&g, ROLE_OPERATOR, "203.0.113.9", "", ROLE_ADMIN), 401);
}

static void nop(struct app *app, struct req *r)
{
	(void)app;
	(void)r;
}

/* rows that exist only in this test (never in a shipped module) */
static const struct route op_row = { M_GET, "/t", nop, ROUTE_API, ROLE_OPERATOR, false,
				     CACHE_NO_STORE, 0, RATE_NONE, 0, BODY_PARSED, "test" };
static const struct route csrf_row = { M_GET | M_POST, "/t", nop, ROUTE_PAGE, ROLE_PUBLIC, true,
				       CACHE_NO_STORE, 0, RATE_WRITE, 1024, BODY_PARSED, "test" };
static const struct route plain_row = { M_POST, "/t", nop, ROUTE_PAGE, ROLE_PUBLIC, false,
					CACHE_NO_STORE, 0, RATE_WRITE, 1024, BODY_PARSED, "test" };

static void new_req(struct req *r, const char *method, const struct route *row)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->headers, 0);
	buf_init(&r->body, 0);
	buf_init(&r->in_body, 0);
	strcpy(r->method, method);
	r->route = row;
	r->remote_addr = strdup("203.0.113.9");
	r->authorization = strdup("");
	r->csrf_header = strdup("");
	r->in_type = strdup("");
}

static void test_role_dispatch(void)
{
	struct app app;
	struct req r;
	memset(&app, 0, sizeof app);
	app.guard.trust_loopback = true;
	app.guard.operator_token = "tok-0123456789";

	new_req(&r, "GET", &op_row);
	CU_ASSERT_EQUAL(guard_role(&app, &r), 401);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.headers.data, "WWW-Authenticate: Bearer"));
	req_release(&r);
	new_req(&r, "GET", &op_row);
	free(r.authorization);
	r.authorization = strdup("Bearer tok-0123456789");
	CU_ASSERT_EQUAL(guard_role(&app, &r), 0);
	CU_ASSERT_EQUAL(r.headers.len, 0);
	req_release(&r);
	new_req(&r, "GET", &plain_row);
	CU_ASSERT_EQUAL(guard_role(&app, &r), 0);
	req_release(&r);
}

/* A module's own rules (route.h ROLE_MODULE): its hook decides, with the
 * rule's index; a row past its table, a module without the hook, and a
 * platform row naming a rule are refused (403) without asking anyone. */
static int hook_calls, hook_rule;
static int hook_check(struct app *app, struct req *r, int rule)
{
	(void)app;
	(void)r;
	hook_calls++;
	hook_rule = rule;
	return rule == 0 ? 0 : rule == 1 ? 401 : 403;
}
static const char *const hook_rules[] = { "feat:user", "feat:director", NULL };
static const struct route mod_rows[] = {
	{ M_GET, "/m0", nop, ROUTE_API, ROLE_MODULE + 0, false, CACHE_NO_STORE, 0, RATE_NONE, 0, BODY_PARSED, "m0" },
	{ M_GET, "/m1", nop, ROUTE_API, ROLE_MODULE + 1, false, CACHE_NO_STORE, 0, RATE_NONE, 0, BODY_PARSED, "m1" },
	{ M_GET, "/m2", nop, ROUTE_API, ROLE_MODULE + 2, false, CACHE_NO_STORE, 0, RATE_NONE, 0, BODY_PARSED, "m2" },
	ROUTE_END,
};

static void test_role_module(void)
{
	struct app app;
	struct req r;
	struct gw_module with = { 0 }, without = { 0 };
	int i;
	static const int want[] = { 0, 401, 403 };
	memset(&app, 0, sizeof app);
	with.name = "test";
	with.access.rules = hook_rules;
	with.access.check = hook_check;
	without.name = "bare";
	for (i = 0; i < 3; i++) {
		hook_calls = 0;
		hook_rule = -1;
		new_req(&r, "GET", &mod_rows[i]);
		r.module = &with;
		CU_ASSERT_EQUAL(guard_role(&app, &r), i < 2 ? want[i] : 403);
		CU_ASSERT_EQUAL(hook_calls, i < 2 ? 1 : 0); /* rule 2 is past the table */
		CU_ASSERT_EQUAL(hook_rule, i < 2 ? i : -1);
		req_release(&r);
		new_req(&r, "GET", &mod_rows[i]);
		r.module = &without;
		CU_ASSERT_EQUAL(guard_role(&app, &r), 403);
		req_release(&r);
		new_req(&r, "GET", &mod_rows[i]);
		r.module = NULL; /* a platform row naming a rule */
		CU_ASSERT_EQUAL(guard_role(&app, &r), 403);
		req_release(&r);
	}
	CU_ASSERT_EQUAL(hook_calls, 0);
	/* the pure check cannot ask the module: such rows are closed there */
	CU_ASSERT_EQUAL(guard_role_check(&app.guard, ROLE_MODULE, "127.0.0.1", "", ROLE_ADMIN), 401);
}

/* ---- guard: CSRF -------------------------------------------------------------------------- */

#define COOKIE "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
/* HMAC-SHA256(SECRET, "gw-csrf\0" COOKIE), computed independently with
 * printf 'gw-csrf\0%s' COOKIE | openssl dgst -sha256 -hmac SECRET */
#define TOKEN "4748de33fb33bfd97e0d85a870b1200c7cf8ec286e37c6791198c94d46ae4674"

static void test_csrf_sign(void)
{
	char t[GUARD_CSRF_HEX + 1], bad[GUARD_CSRF_HEX + 1];
	size_t i;

	guard_csrf_sign(SECRET, COOKIE, t);
	CU_ASSERT_STRING_EQUAL(t, TOKEN);
	CU_ASSERT_TRUE(guard_csrf_valid(SECRET, COOKIE, TOKEN));
	CU_ASSERT_FALSE(guard_csrf_valid(SECRET "x", COOKIE, TOKEN));
	CU_ASSERT_FALSE(guard_csrf_valid("", COOKIE, TOKEN));
	CU_ASSERT_FALSE(guard_csrf_valid(NULL, COOKIE, TOKEN));
	CU_ASSERT_FALSE(guard_csrf_valid(SECRET, COOKIE, NULL));
	CU_ASSERT_FALSE(guard_csrf_valid(SECRET, NULL, TOKEN));
	CU_ASSERT_FALSE(guard_csrf_valid(SECRET, COOKIE, ""));
	CU_ASSERT_FALSE(guard_csrf_valid(SECRET, COOKIE, TOKEN "0"));
	/* the cookie must be 64 lower-case hex digits */
	CU_ASSERT_FALSE(guard_csrf_valid(SECRET, "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", TOKEN));
	CU_ASSERT_FALSE(guard_csrf_valid(SECRET, COOKIE "0", TOKEN));
	/* another cookie's token does not pass */
	guard_csrf_sign(SECRET, "f123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", t);
	CU_ASSERT_FALSE(guard_csrf_valid(SECRET, COOKIE, t));
	/* every one-character change of the token is refused */
	for (i = 0; i < GUARD_CSRF_HEX; i++) {
		strcpy(bad, TOKEN);
		bad[i] = bad[i] == '0' ? '1' : '0';
		CU_ASSERT_FALSE(guard_csrf_valid(SECRET, COOKIE, bad));
	}
}

static void add_cookie(struct req *r, const char *name, const char *value)
{
	r->cookies[r->n_cookies].key = strdup(name);
	r->cookies[r->n_cookies].value = strdup(value);
	r->n_cookies++;
}

static void test_csrf_dispatch(void)
{
	struct app app;
	struct req r;
	char err[160];
	const char *t;

	memset(&app, 0, sizeof app);
	app.guard.secret = SECRET;

	/* form field */
	new_req(&r, "POST", &csrf_row);
	add_cookie(&r, GUARD_CSRF_COOKIE, COOKIE);
	buf_addstr(&r.in_body, "a=1&csrf_token=" TOKEN);
	CU_ASSERT_EQUAL(req_parse_form(r.in_body.data, r.in_body.len, &r.form, err, sizeof err), 0);
	CU_ASSERT_EQUAL(guard_csrf(&app, &r, err, sizeof err), 0);
	req_release(&r);
	/* header */
	new_req(&r, "DELETE", &csrf_row);
	add_cookie(&r, GUARD_CSRF_COOKIE, COOKIE);
	free(r.csrf_header);
	r.csrf_header = strdup(TOKEN);
	CU_ASSERT_EQUAL(guard_csrf(&app, &r, err, sizeof err), 0);
	req_release(&r);
	/* missing cookie, missing token, wrong token, token of another secret */
	new_req(&r, "POST", &csrf_row);
	free(r.csrf_header);
	r.csrf_header = strdup(TOKEN);
	CU_ASSERT_EQUAL(guard_csrf(&app, &r, err, sizeof err), 403);
	req_release(&r);
	new_req(&r, "POST", &csrf_row);
	add_cookie(&r, GUARD_CSRF_COOKIE, COOKIE);
	CU_ASSERT_EQUAL(guard_csrf(&app, &r, err, sizeof err), 403);
	req_release(&r);
	new_req(&r, "POST", &csrf_row);
	add_cookie(&r, GUARD_CSRF_COOKIE, COOKIE);
	free(r.csrf_header);
	r.csrf_header = strdup("f748de33fb33bfd97e0d85a870b1200c7cf8ec286e37c6791198c94d46ae4674");
	CU_ASSERT_EQUAL(guard_csrf(&app, &r, err, sizeof err), 403);
	app.guard.secret = "another secret of at least 32 bytes";
	free(r.csrf_header);
	r.csrf_header = strdup(TOKEN);
	CU_ASSERT_EQUAL(guard_csrf(&app, &r, err, sizeof err), 403);
	app.guard.secret = SECRET;
	/* GET and HEAD are never checked; rows without csrf neither */
	strcpy(r.method, "GET");
	free(r.csrf_header);
	r.csrf_header = strdup("");
	CU_ASSERT_EQUAL(guard_csrf(&app, &r, err, sizeof err), 0);
	strcpy(r.method, "HEAD");
	CU_ASSERT_EQUAL(guard_csrf(&app, &r, err, sizeof err), 0);
	strcpy(r.method, "POST");
	r.route = &plain_row;
	CU_ASSERT_EQUAL(guard_csrf(&app, &r, err, sizeof err), 0);
	req_release(&r);

	/* the token a page gets: with a good cookie, that cookie's token and no Set-Cookie */
	new_req(&r, "GET", &csrf_row);
	add_cookie(&r, GUARD_CSRF_COOKIE, COOKIE);
	t = guard_csrf_token(&app, &r);
	CU_ASSERT_STRING_EQUAL(t, TOKEN);
	CU_ASSERT_PTR_NULL(strstr(r.headers.data, "Set-Cookie"));
	CU_ASSERT_PTR_EQUAL(guard_csrf_token(&app, &r), t); /* computed once */
	req_release(&r);
	/* without one (or with a malformed one): a new cookie, and its token */
	new_req(&r, "GET", &csrf_row);
	add_cookie(&r, GUARD_CSRF_COOKIE, "not-hex");
	app.guard.secure_cookie = true;
	t = guard_csrf_token(&app, &r);
	{
		const char *sc = strstr(r.headers.data, "Set-Cookie: gw_csrf=");
		char cookie[GUARD_CSRF_HEX + 1];
		CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
		memcpy(cookie, sc + 20, GUARD_CSRF_HEX);
		cookie[GUARD_CSRF_HEX] = '\0';
		CU_ASSERT_STRING_NOT_EQUAL(cookie, COOKIE);
		CU_ASSERT_TRUE(guard_csrf_valid(SECRET, cookie, t));
		CU_ASSERT_PTR_NOT_NULL(strstr(sc, "; Path=/; HttpOnly; SameSite=Lax; Secure\r\n"));
	}
	req_release(&r);
}

/* ---- guard: rate settings and keys ---------------------------------------------------------- */

static void test_rate_parse(void)
{
	struct guard_rate g = { 7, 7 };
	CU_ASSERT_EQUAL(guard_parse_rate("600/60", &g), 0);
	CU_ASSERT(g.burst == 600 && g.per_s == 60);
	CU_ASSERT_EQUAL(guard_parse_rate("1/1", &g), 0);
	CU_ASSERT(g.burst == 1 && g.per_s == 1);
	CU_ASSERT_EQUAL(guard_parse_rate("off", &g), 0);
	CU_ASSERT_EQUAL(g.burst, 0);
	g.burst = 5;
	CU_ASSERT_EQUAL(guard_parse_rate("0", &g), 0);
	CU_ASSERT_EQUAL(g.burst, 0);
	g.burst = 5;
	CU_ASSERT_EQUAL(guard_parse_rate("10", &g), -1);
	CU_ASSERT_EQUAL(guard_parse_rate("0/60", &g), -1);
	CU_ASSERT_EQUAL(guard_parse_rate("5/0", &g), -1);
	CU_ASSERT_EQUAL(guard_parse_rate("-1/5", &g), -1);
	CU_ASSERT_EQUAL(guard_parse_rate("5/-1", &g), -1);
	CU_ASSERT_EQUAL(guard_parse_rate("5/5x", &g), -1);
	CU_ASSERT_EQUAL(guard_parse_rate(" 5/5", &g), -1);
	CU_ASSERT_EQUAL(guard_parse_rate("a/b", &g), -1);
	CU_ASSERT_EQUAL(guard_parse_rate("1000001/1", &g), -1);
	CU_ASSERT_EQUAL(guard_parse_rate("", &g), -1);
	CU_ASSERT_EQUAL(guard_parse_rate(NULL, &g), -1);
	CU_ASSERT_EQUAL(g.burst, 5); /* untouched by failures */
}

static void test_rate_key(void)
{
	char k[128];
	CU_ASSERT(guard_rate_key(RATE_READ, "203.0.113.9", k, sizeof k) > 0);
	CU_ASSERT_STRING_EQUAL(k, "gw:rate:read:203.0.113.9");
	CU_ASSERT(guard_rate_key(RATE_WRITE, "::ffff:203.0.113.9", k, sizeof k) > 0);
	CU_ASSERT_STRING_EQUAL(k, "gw:rate:write:203.0.113.9");
	/* one /64 shares a bucket, whatever the spelling */
	CU_ASSERT(guard_rate_key(RATE_LOGIN, "2001:db8:1:2:3:4:5:6", k, sizeof k) > 0);
	CU_ASSERT_STRING_EQUAL(k, "gw:rate:login:2001:db8:1:2::/64");
	CU_ASSERT(guard_rate_key(RATE_LOGIN, "2001:0DB8:0001:0002:ffff::1", k, sizeof k) > 0);
	CU_ASSERT_STRING_EQUAL(k, "gw:rate:login:2001:db8:1:2::/64");
	CU_ASSERT(guard_rate_key(RATE_INGEST, "2001:db8:1:3::1", k, sizeof k) > 0);
	CU_ASSERT_STRING_EQUAL(k, "gw:rate:ingest:2001:db8:1:3::/64");
	/* not an address: only safe characters are kept */
	CU_ASSERT(guard_rate_key(RATE_READ, "a b;c\r\n*", k, sizeof k) > 0);
	CU_ASSERT_STRING_EQUAL(k, "gw:rate:read:abc");
	CU_ASSERT(guard_rate_key(RATE_READ, "", k, sizeof k) > 0);
	CU_ASSERT_STRING_EQUAL(k, "gw:rate:read:unknown");
	CU_ASSERT(guard_rate_key(RATE_READ, NULL, k, sizeof k) > 0);
	CU_ASSERT_STRING_EQUAL(k, "gw:rate:read:unknown");
	CU_ASSERT_EQUAL(guard_rate_key(RATE_READ, "203.0.113.9", k, 10), -1);
	CU_ASSERT_EQUAL(guard_rate_key((enum route_rate)9, "203.0.113.9", k, sizeof k), -1);
}

static void test_rate_exempt(void)
{
	/* no Redis is needed for requests that are never limited: with none
	 * configured (kv closed) these must answer 0 without asking */
	struct app app;
	struct req r;
	int retry = -1;
	memset(&app, 0, sizeof app);
	app.guard.trust_loopback = true;
	guard_parse_rate("1/60", &app.guard.rate[RATE_WRITE]);
	new_req(&r, "POST", &plain_row);
	free(r.remote_addr);
	r.remote_addr = strdup("127.0.0.1");
	CU_ASSERT_EQUAL(guard_rate(&app, &r, &retry), 0);
	CU_ASSERT_EQUAL(retry, 0);
	CU_ASSERT_EQUAL(app.guard.rate_skip_until_ms, 0); /* Redis was not asked */
	r.route = &op_row; /* RATE_NONE */
	free(r.remote_addr);
	r.remote_addr = strdup("203.0.113.9");
	CU_ASSERT_EQUAL(guard_rate(&app, &r, &retry), 0);
	CU_ASSERT_EQUAL(app.guard.rate_skip_until_ms, 0);
	/* a limited request without Redis fails open, and backs off */
	r.route = &plain_row;
	CU_ASSERT_EQUAL(guard_rate(&app, &r, &retry), 0);
	CU_ASSERT(app.guard.rate_skip_until_ms > 0);
	req_release(&r);
}

/* ---- body reading and streaming over a real FastCGI connection ---------------------
 * A child process plays the web server on a unix socket: it sends the
 * request records (FastCGI 1.0: BEGIN_REQUEST, PARAMS, STDIN) and hands back
 * every STDOUT byte through a pipe; the parent is the app (libfcgi). */

static void put_record(struct buf *b, int type, const char *data, size_t n)
{
	do {
		size_t chunk = n > 65535 ? 65535 : n;
		unsigned char h[8] = { 1, (unsigned char)type, 0, 1, (unsigned char)(chunk >> 8),
				       (unsigned char)chunk, 0, 0 };
		buf_add(b, h, 8);
		buf_add(b, data, chunk);
		data += chunk;
		n -= chunk;
	} while (n);
}

static void put_length(struct buf *b, size_t n)
{
	unsigned char l[4] = { (unsigned char)(0x80 | n >> 24), (unsigned char)(n >> 16),
			       (unsigned char)(n >> 8), (unsigned char)n };
	if (n < 128)
		buf_addch(b, (char)n);
	else
		buf_add(b, l, 4);
}

static void put_param(struct buf *b, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t kn = (size_t)(eq - kv), vn = strlen(eq + 1);
	put_length(b, kn);
	put_length(b, vn);
	buf_add(b, kv, kn);
	buf_add(b, eq + 1, vn);
}

/* The web server: connect, send, then copy STDOUT content to out_fd; when
 * `signal_after` appears in it, write one byte to sync_fd. Exits 0. */
static void web_server(const char *path, const char *const *env, const char *body, size_t n,
		       const char *signal_after, int sync_fd, int out_fd)
{
	struct sockaddr_un a;
	struct buf req = BUF_INIT, params = BUF_INIT, got = BUF_INIT, in = BUF_INIT;
	static const char begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 }; /* RESPONDER, no keep-conn */
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), signalled = 0, i;
	char tmp[65536];
	ssize_t k;

	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		_exit(3);
	put_record(&req, 1, begin, 8);
	for (i = 0; env[i]; i++)
		put_param(&params, env[i]);
	put_record(&req, 4, params.data, params.len);
	put_record(&req, 4, "", 0);
	if (n)
		put_record(&req, 5, body, n);
	put_record(&req, 5, "", 0);
	if (write(fd, req.data, req.len) != (ssize_t)req.len)
		_exit(4);
	while ((k = read(fd, tmp, sizeof tmp)) > 0) {
		buf_add(&in, tmp, (size_t)k);
		while (in.len >= 8) {
			unsigned char *h = (unsigned char *)in.data;
			size_t cl = (size_t)h[4] << 8 | h[5], pl = h[6];
			if (in.len < 8 + cl + pl)
				break;
			if (h[1] == 6)
				buf_add(&got, in.data + 8, cl);
			memmove(in.data, in.data + 8 + cl + pl, in.len - 8 - cl - pl);
			in.len -= 8 + cl + pl;
		}
		if (signal_after && !signalled &&
		    memmem(got.data, got.len, signal_after, strlen(signal_after))) {
			signalled = 1;
			if (write(sync_fd, "x", 1) != 1)
				_exit(5);
		}
	}
	if (write(out_fd, got.data, got.len) != (ssize_t)got.len)
		_exit(6);
	_exit(0);
}

struct conn {
	char dir[64], path[96];
	int listen_fd, sync[2], out[2];
	pid_t child;
	FCGX_Request fr;
};

/* Start the web server child and accept its request. */
static int conn_open(struct conn *c, const char *const *env, const char *body, size_t n,
		     const char *signal_after)
{
	if (FCGX_Init() != 0)
		return -1;
	strcpy(c->dir, "/tmp/gw-test-req-XXXXXX");
	if (!mkdtemp(c->dir))
		return -1;
	snprintf(c->path, sizeof c->path, "%s/s", c->dir);
	c->listen_fd = FCGX_OpenSocket(c->path, 4);
	if (c->listen_fd < 0 || pipe(c->sync) < 0 || pipe(c->out) < 0)
		return -1;
	c->child = fork();
	if (c->child == 0) {
		close(c->sync[0]);
		close(c->out[0]);
		web_server(c->path, env, body, n, signal_after, c->sync[1], c->out[1]);
	}
	close(c->sync[1]);
	close(c->out[1]);
	FCGX_InitRequest(&c->fr, c->listen_fd, 0);
	return FCGX_Accept_r(&c->fr) < 0 ? -1 : 0;
}

/* Finish the request; collect what the web server received. Returns the
 * child's exit status. */
static int conn_close(struct conn *c, struct buf *got)
{
	char tmp[4096];
	ssize_t k;
	int status = -1;
	FCGX_Finish_r(&c->fr);
	while ((k = read(c->out[0], tmp, sizeof tmp)) > 0)
		buf_add(got, tmp, (size_t)k);
	waitpid(c->child, &status, 0);
	close(c->out[0]);
	close(c->sync[0]);
	close(c->listen_fd);
	unlink(c->path);
	rmdir(c->dir);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Read a body of `n` bytes sent with `env` under limit `max`. */
static int read_case(const char *const *env, const char *body, size_t n, size_t max,
		     struct buf *in)
{
	struct conn c;
	struct req r;
	struct buf got = BUF_INIT;
	char err[160];
	int st = -1;
	memset(&r, 0, sizeof r);
	CU_ASSERT_EQUAL_FATAL(conn_open(&c, env, body, n, NULL), 0);
	if (req_parse(&r, &c.fr, err, sizeof err) == 0) {
		st = req_read_body(&r, max, err, sizeof err);
		buf_add(in, r.in_body.data, r.in_body.len);
		req_send(&r);
	}
	req_release(&r);
	CU_ASSERT_EQUAL(conn_close(&c, &got), 0);
	buf_release(&got);
	return st;
}

static void test_read_body(void)
{
	struct buf in = BUF_INIT, big = BUF_INIT;
	const char *cl11[] = { "REQUEST_URI=/x", "REQUEST_METHOD=POST", "CONTENT_LENGTH=11", NULL };
	const char *cl20[] = { "REQUEST_URI=/x", "REQUEST_METHOD=POST", "CONTENT_LENGTH=20", NULL };
	const char *cl200[] = { "REQUEST_URI=/x", "REQUEST_METHOD=POST", "CONTENT_LENGTH=200", NULL };
	const char *nocl[] = { "REQUEST_URI=/x", "REQUEST_METHOD=POST", NULL };
	const char *get[] = { "REQUEST_URI=/x", "REQUEST_METHOD=GET", NULL };
	const char *clbig[] = { "REQUEST_URI=/x", "REQUEST_METHOD=PUT", "CONTENT_LENGTH=300000", NULL };
	size_t i;

	CU_ASSERT_EQUAL(read_case(cl11, "hello world", 11, 100, &in), 0);
	CU_ASSERT(in.len == 11 && !memcmp(in.data, "hello world", 11));
	buf_reset(&in);
	/* fewer bytes than declared */
	CU_ASSERT_EQUAL(read_case(cl20, "hello world", 11, 100, &in), 400);
	buf_reset(&in);
	/* declared over the limit: refused before reading */
	CU_ASSERT_EQUAL(read_case(cl200, "", 0, 100, &in), 413);
	CU_ASSERT_EQUAL(in.len, 0);
	/* no length: read up to max + 1 */
	for (i = 0; i < 150; i++)
		buf_addch(&big, (char)('a' + i % 26));
	CU_ASSERT_EQUAL(read_case(nocl, big.data, 150, 100, &in), 413);
	buf_reset(&in);
	CU_ASSERT_EQUAL(read_case(nocl, big.data, 100, 100, &in), 0);
	CU_ASSERT(in.len == 100 && !memcmp(in.data, big.data, 100));
	buf_reset(&in);
	CU_ASSERT_EQUAL(read_case(nocl, big.data, 1, 0, &in), 413);
	buf_reset(&in);
	/* a GET without length or Transfer-Encoding has no body: nothing read */
	CU_ASSERT_EQUAL(read_case(get, big.data, 50, 0, &in), 0);
	CU_ASSERT_EQUAL(in.len, 0);
	/* a body over several records and reads */
	buf_reset(&big);
	for (i = 0; i < 300000; i++)
		buf_addch(&big, (char)(i * 7 % 251));
	CU_ASSERT_EQUAL(read_case(clbig, big.data, big.len, 1 << 20, &in), 0);
	CU_ASSERT(in.len == big.len && !memcmp(in.data, big.data, big.len));
	buf_release(&in);
	buf_release(&big);
}

/* BODY_RAW: the dispatcher's body step (req_take_body) checks the declared
 * length only; the handler reads the bytes as sent (req_read_raw_body)
 * under the same limit. */
static const struct route raw_row = { M_POST, "/r", nop, ROUTE_API, ROLE_PUBLIC, false,
				      CACHE_NO_STORE, 0, RATE_INGEST, 100, BODY_RAW, "test raw" };
static const struct route parsed_row = { M_POST, "/r", nop, ROUTE_API, ROLE_PUBLIC, false,
					 CACHE_NO_STORE, 0, RATE_WRITE, 100, BODY_PARSED, "test parsed" };

struct raw_result {
	int take, read, again;   /* req_take_body, req_read_raw_body, its second call */
	size_t after_take;       /* r.in_body.len after req_take_body */
	int form_fields;         /* r.form.n after req_take_body */
	char token[32];          /* req_getenv(HTTP_X_SERVER_TOKEN) or "(null)" */
	struct buf in;           /* r.in_body at the end */
};

static void raw_case(const char *const *env, const char *body, size_t n, const struct route *row,
		     struct raw_result *out)
{
	struct conn c;
	struct req r;
	struct buf got = BUF_INIT;
	char err[160];
	const char *tok;
	memset(&r, 0, sizeof r);
	out->take = out->read = out->again = -1;
	CU_ASSERT_EQUAL_FATAL(conn_open(&c, env, body, n, NULL), 0);
	if (req_parse(&r, &c.fr, err, sizeof err) == 0) {
		r.route = row;
		out->take = req_take_body(&r, row->body_max, err, sizeof err);
		out->after_take = r.in_body.len;
		out->form_fields = r.form.n;
		tok = req_getenv(&r, "HTTP_X_SERVER_TOKEN");
		snprintf(out->token, sizeof out->token, "%s", tok ? tok : "(null)");
		if (!out->take || row->body == BODY_RAW) {
			out->read = req_read_raw_body(&r, err, sizeof err);
			out->again = req_read_raw_body(&r, err, sizeof err);
		}
		buf_add(&out->in, r.in_body.data, r.in_body.len);
		req_send(&r);
	}
	req_release(&r);
	CU_ASSERT_EQUAL(conn_close(&c, &got), 0);
	buf_release(&got);
}

static void test_raw_body(void)
{
	/* the original MOHAA tracker's kind of body: not valid urlencoded */
	static const char form[] = "type=chat&message=100% sure &amp; =x";
	const char *cl[] = { "REQUEST_URI=/r", "REQUEST_METHOD=POST", "CONTENT_LENGTH=36",
			     "CONTENT_TYPE=application/x-www-form-urlencoded",
			     "HTTP_X_SERVER_TOKEN=tok-1", NULL };
	const char *cl200[] = { "REQUEST_URI=/r", "REQUEST_METHOD=POST", "CONTENT_LENGTH=200", NULL };
	const char *nocl[] = { "REQUEST_URI=/r", "REQUEST_METHOD=POST", NULL };
	struct raw_result res;
	char big[150];
	size_t i;

	CU_ASSERT_EQUAL_FATAL(strlen(form), 36);
	/* raw: nothing read or parsed by the dispatcher; the handler gets the bytes */
	memset(&res, 0, sizeof res);
	raw_case(cl, form, 36, &raw_row, &res);
	CU_ASSERT_EQUAL(res.take, 0);
	CU_ASSERT_EQUAL(res.after_take, 0);
	CU_ASSERT_EQUAL(res.form_fields, 0);
	CU_ASSERT_EQUAL(res.read, 0);
	CU_ASSERT_EQUAL(res.again, 0);
	CU_ASSERT(res.in.len == 36 && !memcmp(res.in.data, form, 36));
	CU_ASSERT_STRING_EQUAL(res.token, "tok-1");
	buf_release(&res.in);
	/* the same body on a parsed row is a 400 from the dispatcher */
	memset(&res, 0, sizeof res);
	raw_case(cl, form, 36, &parsed_row, &res);
	CU_ASSERT_EQUAL(res.take, 400);
	buf_release(&res.in);
	/* declared over the limit: 413 before a byte is read, and the handler's
	 * read says so too */
	memset(&res, 0, sizeof res);
	raw_case(cl200, "", 0, &raw_row, &res);
	CU_ASSERT_EQUAL(res.take, 413);
	CU_ASSERT_EQUAL(res.read, 413);
	CU_ASSERT_EQUAL(res.in.len, 0);
	CU_ASSERT_STRING_EQUAL(res.token, "(null)");
	buf_release(&res.in);
	/* no length: the handler's read stops after limit + 1 bytes -> 413 */
	for (i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	memset(&res, 0, sizeof res);
	raw_case(nocl, big, sizeof big, &raw_row, &res);
	CU_ASSERT_EQUAL(res.take, 0);
	CU_ASSERT_EQUAL(res.read, 413);
	CU_ASSERT_EQUAL(res.again, 413);
	buf_release(&res.in);
	/* exactly the limit passes */
	memset(&res, 0, sizeof res);
	raw_case(nocl, big, 100, &raw_row, &res);
	CU_ASSERT_EQUAL(res.read, 0);
	CU_ASSERT(res.in.len == 100 && !memcmp(res.in.data, big, 100));
	buf_release(&res.in);
	/* a parsed row's body, read by the dispatcher, is what the raw read returns */
	memset(&res, 0, sizeof res);
	raw_case(nocl, "a=1&b=2", 7, &parsed_row, &res);
	CU_ASSERT_EQUAL(res.take, 0);
	CU_ASSERT_EQUAL(res.after_take, 7);
	CU_ASSERT_EQUAL(res.read, 0);
	CU_ASSERT(res.in.len == 7 && !memcmp(res.in.data, "a=1&b=2", 7));
	buf_release(&res.in);
}

static const struct route stream_row = { M_GET, "/s", nop, ROUTE_STREAM, ROLE_PUBLIC, false,
					 CACHE_NO_STORE, 0, RATE_NONE, 0, BODY_PARSED, "test stream" };

static void test_stream(void)
{
	const char *env[] = { "REQUEST_URI=/s", "REQUEST_METHOD=GET", NULL };
	struct conn c;
	struct req r;
	struct buf got = BUF_INIT;
	struct pollfd pfd;
	char err[160], x;
	int arrived = 0;

	memset(&r, 0, sizeof r);
	CU_ASSERT_EQUAL_FATAL(conn_open(&c, env, "", 0, "data: one\n\n"), 0);
	CU_ASSERT_EQUAL(req_parse(&r, &c.fr, err, sizeof err), 0);
	strcpy(r.id, "t1");
	r.route = &stream_row;
	r.content_type = "text/event-stream";
	CU_ASSERT_EQUAL(req_stream_write(&r, "early", 5), -1); /* not begun */
	CU_ASSERT_EQUAL(req_stream_begin(&r), 0);
	CU_ASSERT_EQUAL(req_stream_write(&r, "data: one\n\n", 11), 0);
	/* the first event reaches the web server while the request is still open */
	pfd.fd = c.sync[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) == 1 && read(c.sync[0], &x, 1) == 1)
		arrived = 1;
	CU_ASSERT_TRUE(arrived);
	CU_ASSERT_EQUAL(req_stream_write(&r, "data: two\n\n", 11), 0);
	/* after the stream began, the buffered response is not sent */
	buf_addstr(&r.body, "NOT SENT");
	CU_ASSERT_EQUAL(req_send(&r), 0);
	req_release(&r);
	CU_ASSERT_EQUAL(conn_close(&c, &got), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(got.data, "Status: 200 OK\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got.data, "Content-Type: text/event-stream\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got.data, "Cache-Control: no-store\r\n"));
	CU_ASSERT_PTR_NULL(strstr(got.data, "Content-Length"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got.data, "\r\n\r\ndata: one\n\ndata: two\n\n"));
	CU_ASSERT_PTR_NULL(strstr(got.data, "NOT SENT"));
	CU_ASSERT_PTR_NULL(strstr(got.data, "early"));
	buf_release(&got);
}

/* HEAD: the stream's headers, never its body */
static void test_stream_head(void)
{
	const char *env[] = { "REQUEST_URI=/s", "REQUEST_METHOD=HEAD", NULL };
	struct conn c;
	struct req r;
	struct buf got = BUF_INIT;
	char err[160];

	memset(&r, 0, sizeof r);
	CU_ASSERT_EQUAL_FATAL(conn_open(&c, env, "", 0, NULL), 0);
	CU_ASSERT_EQUAL(req_parse(&r, &c.fr, err, sizeof err), 0);
	r.route = &stream_row;
	r.content_type = "text/event-stream";
	CU_ASSERT_EQUAL(req_stream_begin(&r), 0);
	CU_ASSERT_EQUAL(req_stream_write(&r, "data: one\n\n", 11), 0);
	req_release(&r);
	CU_ASSERT_EQUAL(conn_close(&c, &got), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(got.data, "Content-Type: text/event-stream\r\n"));
	CU_ASSERT(got.len >= 4 && !strcmp(got.data + got.len - 4, "\r\n\r\n"));
	CU_ASSERT_PTR_NULL(strstr(got.data, "data: one"));
	buf_release(&got);
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("req", NULL, NULL);
	CU_add_test(s, "path decoding and URI limits", test_path);
	CU_add_test(s, "headers copied out of the environment", test_headers_copied);
	CU_add_test(s, "query strings", test_query);
	CU_add_test(s, "cookies (RFC 6265)", test_cookies);
	CU_add_test(s, "urlencoded forms", test_form);
	CU_add_test(s, "JSON bodies", test_json);
	CU_add_test(s, "multipart bodies", test_multipart);
	CU_add_test(s, "malformed and truncated multipart", test_multipart_malformed);
	CU_add_test(s, "multipart limits", test_multipart_limits);
	CU_add_test(s, "Content-Length", test_content_length);
	CU_add_test(s, "body read plan", test_body_plan);
	CU_add_test(s, "media types", test_media_type);
	CU_add_test(s, "body parsed by Content-Type", test_parse_body);
	s = CU_add_suite("guard", NULL, NULL);
	CU_add_test(s, "loopback peers", test_loopback);
	CU_add_test(s, "bearer tokens", test_bearer);
	CU_add_test(s, "roles", test_role);
	CU_add_test(s, "role check of a row", test_role_dispatch);
	CU_add_test(s, "a module's own rules: its hook decides, closed otherwise", test_role_module);
	CU_add_test(s, "CSRF tokens", test_csrf_sign);
	CU_add_test(s, "CSRF check of a row", test_csrf_dispatch);
	CU_add_test(s, "rate limit settings", test_rate_parse);
	CU_add_test(s, "rate limit keys", test_rate_key);
	CU_add_test(s, "rate limit exemptions and failing open", test_rate_exempt);
	s = CU_add_suite("fastcgi", NULL, NULL);
	CU_add_test(s, "request bodies read from FastCGI stdin", test_read_body);
	CU_add_test(s, "a raw-body row's body is the handler's, under its limit", test_raw_body);
	CU_add_test(s, "streamed responses are flushed as written", test_stream);
	CU_add_test(s, "a streamed response to HEAD has no body", test_stream_head);
}

CU_MAIN()
