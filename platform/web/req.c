/* req.c: request parsing (URI, query, cookies, bodies) and responses. */
#include "platform/web/req.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "platform/web/route.h"

#define MAX_URI 8192

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}

static char *xmemdup(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		abort();
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (errlen)
		snprintf(err, errlen, "%s", msg);
}

/* Decode a percent-encoded component; 0 or -1 (bad escape or NUL byte). */
static int decode(const char *s, size_t n, bool plus, char **out, size_t *outlen)
{
	struct buf b = BUF_INIT;
	if (url_decode(s, n, &b, plus) < 0) {
		buf_release(&b);
		return -1;
	}
	*out = buf_detach(&b, outlen);
	return 0;
}

/* Reject ".." and "." segments: no path we serve has them, and letting
 * them through invites confusion with the web server's own normalisation.
 * The segments are those of the raw path, each decoded ("%2e%2E" is ".."),
 * so that an encoded slash inside a value ("a%2F..%2Fb", a map key) is
 * not a segment boundary. */
static int path_ok(const char *raw)
{
	const char *seg = raw;
	if (*raw != '/')
		return 0;
	while (seg) {
		const char *next = strchr(seg + 1, '/');
		size_t len = next ? (size_t)(next - seg - 1) : strlen(seg + 1);
		struct buf d = BUF_INIT;
		int dots = url_decode(seg + 1, len, &d, false) == 0 &&
			   (!strcmp(d.data, ".") || !strcmp(d.data, ".."));
		buf_release(&d);
		if (dots)
			return 0;
		seg = next;
	}
	return 1;
}

/* ---- urlencoded pairs --------------------------------------------------- */

/* Walk the '&'-separated pairs of s[0..len), calling add() with each
 * decoded pair (ownership passes to add). Returns 0, -1 on a bad escape,
 * -2 when more than `max` pairs are present. */
static int each_pair(const char *s, size_t len, int max, int *n,
		     void (*add)(void *ctx, int i, char *k, char *v, size_t vlen), void *ctx)
{
	const char *p = s, *end = s + len;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		size_t n_pair = (size_t)(stop - p);
		if (n_pair) {
			const char *eq = memchr(p, '=', n_pair);
			char *k = NULL, *v = NULL;
			size_t vlen = 0;
			if (*n == max)
				return -2;
			if (decode(p, eq ? (size_t)(eq - p) : n_pair, true, &k, NULL) < 0)
				return -1;
			if (decode(eq ? eq + 1 : stop, eq ? (size_t)(stop - eq - 1) : 0, true, &v,
				   &vlen) < 0) {
				free(k);
				return -1;
			}
			add(ctx, *n, k, v, vlen);
			(*n)++;
		}
		p = amp ? amp + 1 : end;
	}
	return 0;
}

static void add_param(void *ctx, int i, char *k, char *v, size_t vlen)
{
	struct req_param *out = ctx;
	(void)vlen;
	out[i].key = k;
	out[i].value = v;
}

int req_parse_query(const char *s, size_t len, struct req_param *out, int max, int *n,
		    char *err, size_t errlen)
{
	int rc = each_pair(s, len, max, n, add_param, out);
	if (rc == -2) {
		if (errlen)
			snprintf(err, errlen, "more than %d query parameters", max);
		return 400;
	}
	if (rc < 0) {
		set_err(err, errlen, "malformed percent-encoding in the query string");
		return 400;
	}
	return 0;
}

static struct req_field *form_add(struct req_form *f)
{
	struct req_field *grown;
	/* grow in steps of 8 up to REQ_MAX_FIELDS (callers check the limit) */
	if (f->n % 8 == 0) {
		grown = realloc(f->fields, (size_t)(f->n + 8) * sizeof *grown);
		if (!grown)
			abort();
		f->fields = grown;
	}
	memset(&f->fields[f->n], 0, sizeof f->fields[f->n]);
	return &f->fields[f->n];
}

static void add_field(void *ctx, int i, char *k, char *v, size_t vlen)
{
	struct req_form *f = ctx;
	struct req_field *fd = form_add(f);
	(void)i;
	fd->name = k;
	fd->value = v;
	fd->len = vlen;
	f->n++;
}

int req_parse_form(const char *data, size_t len, struct req_form *form, char *err,
		   size_t errlen)
{
	int counted = form->n; /* each_pair's count; add_field keeps form->n in step */
	int rc = each_pair(data, len, REQ_MAX_FIELDS, &counted, add_field, form);
	if (rc)
		req_form_release(form);
	if (rc == -2) {
		if (errlen)
			snprintf(err, errlen, "more than %d form fields", REQ_MAX_FIELDS);
		return 413;
	}
	if (rc < 0) {
		set_err(err, errlen, "malformed percent-encoding in the form body");
		return 400;
	}
	return 0;
}

void req_form_release(struct req_form *form)
{
	int i;
	for (i = 0; i < form->n; i++) {
		free(form->fields[i].name);
		free(form->fields[i].value);
		free(form->fields[i].filename);
		free(form->fields[i].content_type);
	}
	free(form->fields);
	form->fields = NULL;
	form->n = 0;
}

/* ---- cookies (RFC 6265) ------------------------------------------------- */

/* tchar of RFC 9110 §5.6.2 */
static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* cookie-octet of RFC 6265 §4.1.1 */
static bool is_cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
	       (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

void req_parse_cookies(const char *header, struct req_param *out, int max, int *n)
{
	const char *p = header;
	*n = 0;
	if (!p)
		return;
	while (*p && *n < max) {
		const char *pair, *end, *eq, *v, *vend, *q;
		bool good = true;
		p += strspn(p, " \t");
		pair = p;
		end = pair + strcspn(pair, ";");
		p = *end ? end + 1 : end;
		/* trim trailing whitespace of the pair */
		while (end > pair && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		eq = memchr(pair, '=', (size_t)(end - pair));
		if (!eq || eq == pair)
			continue;
		for (q = pair; q < eq; q++)
			good = good && is_tchar((unsigned char)*q);
		v = eq + 1;
		vend = end;
		if (vend - v >= 2 && *v == '"' && vend[-1] == '"') {
			v++;
			vend--;
		}
		for (q = v; q < vend; q++)
			good = good && is_cookie_octet((unsigned char)*q);
		if (!good)
			continue;
		out[*n].key = xmemdup(pair, (size_t)(eq - pair));
		out[*n].value = xmemdup(v, (size_t)(vend - v));
		(*n)++;
	}
}

/* ---- JSON --------------------------------------------------------------- */

/* Lexical rules of RFC 8259 that json-c's strict mode lets through:
 * single-quoted strings, NaN and Infinity, raw control characters inside
 * strings, a '.' not followed by a digit. Returns NULL or the complaint. */
static const char *json_screen(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++) {
				if ((unsigned char)s[i] < 0x20)
					return "a control character inside a JSON string";
				if (s[i] == '\\')
					i++;
			}
			i++;
		} else if (isalpha(c)) {
			size_t j = i;
			while (j < len && isalpha((unsigned char)s[j]))
				j++;
			if (!((j - i == 4 && (!memcmp(s + i, "true", 4) || !memcmp(s + i, "null", 4))) ||
			      (j - i == 5 && !memcmp(s + i, "false", 5)) ||
			      (j - i == 1 && (c == 'e' || c == 'E') && i &&
			       isdigit((unsigned char)s[i - 1]))))
				return "a bare word that is not true, false or null";
			i = j;
		} else if (c == '\'') {
			return "a single quote outside a string";
		} else if (c == '.' && (i + 1 == len || !isdigit((unsigned char)s[i + 1]))) {
			return "a '.' without digits after it";
		} else if (c == '\0') {
			return "a NUL byte";
		} else {
			i++;
		}
	}
	return NULL;
}

struct json_object *req_parse_json(const char *data, size_t len, int max_depth, char *err,
				   size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error e;
	const char *why;
	size_t end;

	if (!len) {
		set_err(err, errlen, "the JSON body is empty");
		return NULL;
	}
	if (len > INT_MAX - 1) {
		set_err(err, errlen, "the JSON body is too long");
		return NULL;
	}
	why = json_screen(data, len);
	if (why) {
		if (errlen)
			snprintf(err, errlen, "malformed JSON: %s", why);
		return NULL;
	}
	tok = json_tokener_new_ex(max_depth);
	if (!tok)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, data, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (e == json_tokener_continue) {
		/* the end of input: a lone NUL ends a top-level number or word */
		o = json_tokener_parse_ex(tok, "", 1);
		e = json_tokener_get_error(tok);
		end = len;
	}
	if (e != json_tokener_success) {
		if (errlen)
			snprintf(err, errlen, "malformed JSON: %s", json_tokener_error_desc(e));
		json_object_put(o);
		json_tokener_free(tok);
		return NULL;
	}
	json_tokener_free(tok);
	/* strict mode refuses trailing non-whitespace itself; check anyway */
	for (; end < len; end++) {
		if (!strchr(" \t\r\n", data[end])) {
			set_err(err, errlen, "malformed JSON: trailing characters after the value");
			json_object_put(o);
			return NULL;
		}
	}
	if (!o)
		set_err(err, errlen, "the body is JSON null");
	return o;
}

/* ---- media types and parameters ------------------------------------------ */

bool req_media_type_is(const char *ct, const char *type)
{
	size_t n = strlen(type), i;
	if (!ct)
		return false;
	ct += strspn(ct, " \t");
	if (strncasecmp(ct, type, n))
		return false;
	i = n + strspn(ct + n, " \t");
	return ct[i] == '\0' || ct[i] == ';';
}

/* Find parameter `name` in the ";"-separated parameter list s[0..len)
 * (RFC 9110 §5.6.6: token "=" ( token / quoted-string ), with optional
 * whitespace around ';' and, leniently, around '='). Returns 1 with the
 * unquoted value in `out` (replaced), 0 when absent, -1 when the list is
 * malformed. */
static int param_get(const char *s, size_t len, const char *name, struct buf *out)
{
	const char *p = s, *end = s + len;
	int found = 0;
	while (p < end) {
		const char *nm;
		size_t nlen;
		struct buf v = BUF_INIT;
		while (p < end && (*p == ' ' || *p == '\t' || *p == ';'))
			p++;
		if (p == end)
			break;
		nm = p;
		while (p < end && is_tchar((unsigned char)*p))
			p++;
		nlen = (size_t)(p - nm);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (!nlen || p == end || *p != '=')
			return -1;
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p == '"') {
			bool closed = false;
			for (p++; p < end; p++) {
				unsigned char c = (unsigned char)*p;
				if (c == '\\' && p + 1 < end) {
					buf_addch(&v, *++p);
				} else if (c == '"') {
					closed = true;
					p++;
					break;
				} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
					break;
				} else {
					buf_addch(&v, (char)c);
				}
			}
			if (!closed) {
				buf_release(&v);
				return -1;
			}
		} else {
			const char *t = p;
			while (p < end && is_tchar((unsigned char)*p))
				p++;
			if (p == t) {
				buf_release(&v);
				return -1;
			}
			buf_add(&v, t, (size_t)(p - t));
		}
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p != ';') {
			buf_release(&v);
			return -1;
		}
		if (!found && nlen == strlen(name) && !strncasecmp(nm, name, nlen)) {
			buf_reset(out);
			buf_add(out, v.data, v.len);
			found = 1;
		}
		buf_release(&v);
	}
	return found;
}

/* bchars of RFC 2046 §5.1.1 */
static bool is_bchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("'()+_,-./:=? ", c));
}

/* ---- multipart/form-data -------------------------------------------------- */

/* One part's header block [p, end) (each line without its CRLF handled
 * here): fills name/filename/content_type of `fd`. Returns 0 or 400. */
static int part_headers(const char *p, const char *end, struct req_field *fd, char *err,
			size_t errlen)
{
	bool have_cd = false;
	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		const char *line_end = eol ? eol : end;
		const char *colon, *v, *vend;
		size_t nlen;
		if (*p == ' ' || *p == '\t') {
			set_err(err, errlen, "a folded header line in a multipart part");
			return 400;
		}
		colon = memchr(p, ':', (size_t)(line_end - p));
		if (!colon || colon == p) {
			set_err(err, errlen, "a malformed header line in a multipart part");
			return 400;
		}
		nlen = (size_t)(colon - p);
		for (v = p; v < colon; v++) {
			if (!is_tchar((unsigned char)*v)) {
				set_err(err, errlen, "a malformed header name in a multipart part");
				return 400;
			}
		}
		v = colon + 1;
		while (v < line_end && (*v == ' ' || *v == '\t'))
			v++;
		vend = line_end;
		while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
			vend--;
		if (memchr(v, '\0', (size_t)(vend - v))) {
			set_err(err, errlen, "a NUL byte in a multipart part header");
			return 400;
		}
		if (nlen == 19 && !strncasecmp(p, "Content-Disposition", 19)) {
			struct buf val = BUF_INIT;
			const char *semi = memchr(v, ';', (size_t)(vend - v));
			const char *params = semi ? semi : vend;
			size_t tlen = (size_t)(params - v);
			int rc;
			if (have_cd) {
				set_err(err, errlen, "two Content-Disposition headers in a multipart part");
				return 400;
			}
			have_cd = true;
			while (tlen && (v[tlen - 1] == ' ' || v[tlen - 1] == '\t'))
				tlen--;
			if (tlen != 9 || strncasecmp(v, "form-data", 9)) {
				set_err(err, errlen, "a multipart part that is not form-data");
				return 400;
			}
			rc = param_get(params, (size_t)(vend - params), "name", &val);
			if (rc == 1)
				fd->name = buf_detach(&val, NULL);
			if (rc >= 0 && (rc = param_get(params, (size_t)(vend - params), "filename",
						       &val)) == 1)
				fd->filename = buf_detach(&val, NULL);
			buf_release(&val);
			if (rc < 0) {
				set_err(err, errlen, "malformed Content-Disposition parameters in a multipart part");
				return 400;
			}
		} else if (nlen == 12 && !strncasecmp(p, "Content-Type", 12)) {
			free(fd->content_type);
			fd->content_type = xmemdup(v, (size_t)(vend - v));
		}
		p = eol ? eol + 2 : end;
	}
	if (!have_cd || !fd->name) {
		set_err(err, errlen, "a multipart part without a Content-Disposition name");
		return 400;
	}
	return 0;
}

int req_parse_multipart(const char *content_type, const char *data, size_t len,
			const struct req_multipart_limits *lim, struct req_form *form,
			char *err, size_t errlen)
{
	static const struct req_multipart_limits defaults = REQ_MULTIPART_DEFAULTS;
	struct buf boundary = BUF_INIT, delim = BUF_INIT;
	const char *params, *end = data + len, *p;
	size_t i;
	int st = 400;

	if (!lim)
		lim = &defaults;
	if (!req_media_type_is(content_type, "multipart/form-data")) {
		set_err(err, errlen, "the Content-Type is not multipart/form-data");
		return 400;
	}
	params = strchr(content_type, ';');
	if (!params || param_get(params, strlen(params), "boundary", &boundary) != 1) {
		set_err(err, errlen, "the multipart Content-Type has no boundary");
		goto out;
	}
	if (boundary.len < 1 || boundary.len > 70 || boundary.data[boundary.len - 1] == ' ') {
		set_err(err, errlen, "the multipart boundary must be 1 to 70 characters");
		goto out;
	}
	for (i = 0; i < boundary.len; i++) {
		if (!is_bchar((unsigned char)boundary.data[i])) {
			set_err(err, errlen, "the multipart boundary has a character RFC 2046 forbids");
			goto out;
		}
	}
	/* the delimiter is CRLF "--" boundary; the first may open the body */
	buf_addstr(&delim, "\r\n--");
	buf_add(&delim, boundary.data, boundary.len);
	if (len >= delim.len - 2 && !memcmp(data, delim.data + 2, delim.len - 2)) {
		p = data + delim.len - 2;
	} else {
		const char *d = memmem(data, len, delim.data, delim.len);
		if (!d) {
			set_err(err, errlen, "the multipart body has no boundary delimiter");
			goto out;
		}
		p = d + delim.len;
	}
	for (;;) {
		const char *hdr, *hdr_end, *content, *next;
		struct req_field *fd;
		int rc;

		/* after a delimiter: "--" closes, else padding and CRLF */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
			set_err(err, errlen, p >= end ? "the multipart body is truncated"
						      : "garbage after a multipart boundary");
			goto out;
		}
		p += 2;
		if (form->n >= lim->max_parts || form->n >= REQ_MAX_FIELDS) {
			if (errlen)
				snprintf(err, errlen, "more than %d multipart parts",
					 lim->max_parts < REQ_MAX_FIELDS ? lim->max_parts : REQ_MAX_FIELDS);
			st = 413;
			goto out;
		}
		/* headers end at an empty line (a part may have none) */
		hdr = p;
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
			hdr_end = p;
			content = p + 2;
		} else {
			/* look no further than the header limit allows */
			size_t room = (size_t)(end - p), cap;
			const char *blank;
			cap = lim->max_header_bytes > (size_t)-1 - 4 ? (size_t)-1
								     : lim->max_header_bytes + 4;
			if (room > cap)
				room = cap;
			blank = memmem(p, room, "\r\n\r\n", 4);
			if (!blank) {
				if (room == cap)
					goto headers_too_big;
				set_err(err, errlen, "the multipart body is truncated in a part's headers");
				goto out;
			}
			hdr_end = blank;
			content = blank + 4;
		}
		if ((size_t)(hdr_end - hdr) > lim->max_header_bytes)
			goto headers_too_big;
		next = memmem(content, (size_t)(end - content), delim.data, delim.len);
		if (!next) {
			set_err(err, errlen, "the multipart body is truncated (no closing boundary)");
			goto out;
		}
		if ((size_t)(next - content) > lim->max_part_bytes) {
			if (errlen)
				snprintf(err, errlen, "a multipart part is larger than %zu bytes",
					 lim->max_part_bytes);
			st = 413;
			goto out;
		}
		fd = form_add(form);
		form->n++;
		rc = part_headers(hdr, hdr_end, fd, err, errlen);
		if (rc)
			goto out;
		fd->value = xmemdup(content, (size_t)(next - content));
		fd->len = (size_t)(next - content);
		p = next + delim.len;
	}
	st = 0;
	goto out;
headers_too_big:
	if (errlen)
		snprintf(err, errlen, "a multipart part's headers are longer than %zu bytes",
			 lim->max_header_bytes);
	st = 413;
out:
	if (st)
		req_form_release(form);
	buf_release(&boundary);
	buf_release(&delim);
	return st;
}

/* ---- body size and reading ----------------------------------------------- */

int req_content_length(const char *s, size_t *out)
{
	size_t v = 0;
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		size_t d = (size_t)(*s - '0');
		if (*s < '0' || *s > '9')
			return -1;
		if (v > ((size_t)-1 - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int req_body_plan(const char *content_length, const char *transfer_encoding,
		  const char *method, size_t max, size_t *to_read, bool *exact)
{
	size_t n;
	*to_read = 0;
	*exact = true;
	if (content_length && *content_length) {
		if (req_content_length(content_length, &n) < 0)
			return 400;
		if (n > max)
			return 413;
		*to_read = n;
		return 0;
	}
	if ((!transfer_encoding || !*transfer_encoding) && method &&
	    (!strcmp(method, "GET") || !strcmp(method, "HEAD")))
		return 0;
	*to_read = max == (size_t)-1 ? max : max + 1;
	*exact = false;
	return 0;
}

int req_read_body(struct req *r, size_t max, char *err, size_t errlen)
{
	const char *cl, *te;
	size_t want, got = 0;
	bool exact;
	int st;

	if (!r->fcgx)
		return 0;
	cl = FCGX_GetParam("CONTENT_LENGTH", r->fcgx->envp);
	te = FCGX_GetParam("HTTP_TRANSFER_ENCODING", r->fcgx->envp);
	st = req_body_plan(cl, te, r->method, max, &want, &exact);
	if (st == 400) {
		set_err(err, errlen, "malformed Content-Length");
		return 400;
	}
	if (st == 413) {
		if (errlen)
			snprintf(err, errlen, "the request body is over this resource's limit of %zu bytes",
				 max);
		return 413;
	}
	while (got < want) {
		size_t chunk = want - got < 65536 ? want - got : 65536;
		int k;
		buf_grow(&r->in_body, chunk);
		k = FCGX_GetStr(r->in_body.data + r->in_body.len, (int)chunk, r->fcgx->in);
		if (k <= 0)
			break;
		r->in_body.len += (size_t)k;
		r->in_body.data[r->in_body.len] = '\0';
		got += (size_t)k;
		if ((size_t)k < chunk)
			break;
	}
	if (got > max) {
		if (errlen)
			snprintf(err, errlen, "the request body is over this resource's limit of %zu bytes",
				 max);
		return 413;
	}
	if (exact && got < want) {
		if (errlen)
			snprintf(err, errlen, "the request body ended after %zu of %zu bytes", got, want);
		return 400;
	}
	return 0;
}

static bool is_json_type(const char *ct)
{
	const char *semi, *plus;
	size_t n;
	if (req_media_type_is(ct, "application/json"))
		return true;
	/* structured syntax suffix +json (RFC 6839), e.g. application/problem+json */
	ct += strspn(ct, " \t");
	semi = ct + strcspn(ct, "; \t");
	n = (size_t)(semi - ct);
	plus = n >= 5 ? ct + n - 5 : NULL;
	return plus && !strncasecmp(plus, "+json", 5) && !strncasecmp(ct, "application/", 12);
}

int req_parse_body(struct req *r, char *err, size_t errlen)
{
	const char *ct = r->in_type ? r->in_type : "";
	if (!r->in_body.len)
		return 0;
	if (req_media_type_is(ct, "application/x-www-form-urlencoded"))
		return req_parse_form(r->in_body.data, r->in_body.len, &r->form, err, errlen);
	if (req_media_type_is(ct, "multipart/form-data")) {
		struct req_multipart_limits lim = REQ_MULTIPART_DEFAULTS;
		return req_parse_multipart(ct, r->in_body.data, r->in_body.len, &lim, &r->form, err,
					   errlen);
	}
	if (is_json_type(ct)) {
		r->json = req_parse_json(r->in_body.data, r->in_body.len, REQ_JSON_MAX_DEPTH, err,
					 errlen);
		return r->json ? 0 : 400;
	}
	return 0;
}

int req_take_body(struct req *r, size_t limit, char *err, size_t errlen)
{
	int st;
	r->body_limit = limit;
	if (r->route && r->route->body == BODY_RAW) {
		const char *cl, *te;
		size_t want;
		bool exact;
		if (!r->fcgx)
			return 0;
		/* the declared length only: the bytes are the handler's to read */
		cl = FCGX_GetParam("CONTENT_LENGTH", r->fcgx->envp);
		te = FCGX_GetParam("HTTP_TRANSFER_ENCODING", r->fcgx->envp);
		st = req_body_plan(cl, te, r->method, limit, &want, &exact);
		if (st == 400)
			set_err(err, errlen, "malformed Content-Length");
		else if (st == 413 && errlen)
			snprintf(err, errlen, "the request body is over this resource's limit of %zu bytes",
				 limit);
		if (st) { /* refused: nothing more is read */
			r->body_read = true;
			r->body_status = st;
		}
		return st;
	}
	r->body_read = true;
	st = r->body_status = req_read_body(r, limit, err, errlen);
	if (!st)
		st = req_parse_body(r, err, errlen);
	return st;
}

int req_read_raw_body(struct req *r, char *err, size_t errlen)
{
	if (r->body_read) {
		if (r->body_status)
			set_err(err, errlen, r->body_status == 413 ? "the request body is over this resource's limit"
				: "the request body could not be read");
		return r->body_status;
	}
	r->body_read = true;
	return r->body_status = req_read_body(r, r->body_limit, err, errlen);
}

/* ---- the request ------------------------------------------------------------ */

int req_parse(struct req *r, FCGX_Request *fcgx, char *err, size_t errlen)
{
	const char *uri = FCGX_GetParam("REQUEST_URI", fcgx->envp);
	const char *m = FCGX_GetParam("REQUEST_METHOD", fcgx->envp);
	const char *q, *rs;
	char *path;
	int st;

	r->fcgx = fcgx;
	r->status = 200;
	r->content_type = "text/html; charset=utf-8";
	buf_init(&r->headers, 0);
	buf_init(&r->body, 0);
	buf_init(&r->in_body, 0);
	r->accept = xstrdup(FCGX_GetParam("HTTP_ACCEPT", fcgx->envp));
	r->accept_encoding = xstrdup(FCGX_GetParam("HTTP_ACCEPT_ENCODING", fcgx->envp));
	r->if_none_match = xstrdup(FCGX_GetParam("HTTP_IF_NONE_MATCH", fcgx->envp));
	r->remote_addr = xstrdup(FCGX_GetParam("REMOTE_ADDR", fcgx->envp));
	r->authorization = xstrdup(FCGX_GetParam("HTTP_AUTHORIZATION", fcgx->envp));
	r->csrf_header = xstrdup(FCGX_GetParam("HTTP_X_CSRF_TOKEN", fcgx->envp));
	r->in_type = xstrdup(FCGX_GetParam("CONTENT_TYPE", fcgx->envp));
	req_parse_cookies(FCGX_GetParam("HTTP_COOKIE", fcgx->envp), r->cookies, REQ_MAX_COOKIES,
			  &r->n_cookies);
	if (m && strlen(m) < sizeof r->method)
		strcpy(r->method, m);
	if (!uri || !*uri)
		uri = "/";
	r->api_path = !strncmp(uri, "/api/", 5) || !strcmp(uri, "/healthz") ||
		       !strncmp(uri, "/healthz?", 9);
	if (strlen(uri) > MAX_URI) {
		if (errlen)
			snprintf(err, errlen, "request URI longer than %d bytes", MAX_URI);
		r->path = xstrdup("/");
		r->raw_query = xstrdup("");
		return 414;
	}
	q = strchr(uri, '?');
	r->raw_path = q ? strndup(uri, (size_t)(q - uri)) : xstrdup(uri);
	if (!r->raw_path)
		abort();
	r->raw_query = xstrdup(q ? q + 1 : "");
	if (decode(uri, q ? (size_t)(q - uri) : strlen(uri), false, &path, NULL) < 0) {
		set_err(err, errlen, "malformed percent-encoding in the path");
		r->path = xstrdup("/");
		return 400;
	}
	r->path = path;
	if (!path_ok(r->raw_path)) {
		set_err(err, errlen, "path must be absolute and without . or .. segments");
		return 400;
	}
	st = req_parse_query(r->raw_query, strlen(r->raw_query), r->params, REQ_MAX_PARAMS,
			     &r->n_params, err, errlen);
	if (st)
		return st;
	/* Apache's ErrorDocument for an error it found itself (the apache confs):
	 * answer that error in our format for the original URI */
	rs = FCGX_GetParam("REDIRECT_STATUS", fcgx->envp);
	if (rs && strlen(rs) == 3 && (rs[0] == '4' || rs[0] == '5') && isdigit((unsigned char)rs[1]) &&
	    isdigit((unsigned char)rs[2])) {
		if (errlen)
			snprintf(err, errlen, "the web server refused this request (%s)", rs);
		return atoi(rs);
	}
	return 0;
}

void req_release(struct req *r)
{
	int i;
	free(r->path);
	free(r->raw_path);
	free(r->raw_query);
	free(r->accept);
	free(r->accept_encoding);
	free(r->if_none_match);
	free(r->remote_addr);
	free(r->authorization);
	free(r->csrf_header);
	free(r->in_type);
	free(r->csrf_token);
	free(r->route_buf);
	for (i = 0; i < r->n_params; i++) {
		free(r->params[i].key);
		free(r->params[i].value);
	}
	for (i = 0; i < r->n_cookies; i++) {
		free(r->cookies[i].key);
		free(r->cookies[i].value);
	}
	req_form_release(&r->form);
	json_object_put(r->json);
	r->json = NULL;
	if (r->in_body.data)
		buf_release(&r->in_body);
	if (r->headers.data)
		buf_release(&r->headers);
	if (r->body.data)
		buf_release(&r->body);
}

const char *req_param(const struct req *r, const char *key)
{
	int i;
	for (i = 0; i < r->n_params; i++)
		if (!strcmp(r->params[i].key, key))
			return r->params[i].value;
	return NULL;
}

const char *req_cookie(const struct req *r, const char *name)
{
	int i;
	for (i = 0; i < r->n_cookies; i++)
		if (!strcmp(r->cookies[i].key, name))
			return r->cookies[i].value;
	return NULL;
}

const char *req_getenv(const struct req *r, const char *name)
{
	return r->fcgx ? FCGX_GetParam(name, r->fcgx->envp) : NULL;
}

const struct req_field *req_field(const struct req *r, const char *name)
{
	int i;
	for (i = 0; i < r->form.n; i++)
		if (!strcmp(r->form.fields[i].name, name))
			return &r->form.fields[i];
	return NULL;
}

/* ---- responses ---------------------------------------------------------------- */

void req_header(struct req *r, const char *name, const char *value)
{
	buf_addstr(&r->headers, name);
	buf_addstr(&r->headers, ": ");
	for (; *value; value++)
		if (*value != '\r' && *value != '\n')
			buf_addch(&r->headers, *value);
	buf_addstr(&r->headers, "\r\n");
}

void req_cache_control(struct req *r)
{
	char v[64];
	const struct route *rt = r->route;
	if (!rt || r->status >= 400 || r->status < 200)
		return;
	switch (rt->cache) {
	case CACHE_NO_STORE:
		req_header(r, "Cache-Control", "no-store");
		break;
	case CACHE_REVALIDATE:
		req_header(r, "Cache-Control", "no-cache");
		break;
	case CACHE_PUBLIC:
		snprintf(v, sizeof v, "public, max-age=%d", rt->max_age_s);
		req_header(r, "Cache-Control", v);
		break;
	}
}

const char *req_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

int req_send(struct req *r)
{
	struct buf h = BUF_INIT;
	const char *body = r->body_ref ? r->body_ref : r->body.data;
	size_t len = r->body_ref ? r->body_ref_len : r->body.len;
	int rc = 0;
	if (r->streaming)
		return 0;
	buf_addf(&h, "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "X-Request-Id: %s\r\n",
		 r->status, req_reason(r->status), r->content_type, len, r->id);
	buf_add(&h, r->headers.data, r->headers.len);
	buf_addstr(&h, "\r\n");
	if (FCGX_PutStr(h.data, (int)h.len, r->fcgx->out) < 0)
		rc = -1;
	if (!rc && strcmp(r->method, "HEAD") && len &&
	    FCGX_PutStr(body, (int)len, r->fcgx->out) < 0)
		rc = -1;
	buf_release(&h);
	return rc;
}

int req_stream_begin(struct req *r)
{
	struct buf h = BUF_INIT;
	int rc = 0;
	if (!r->fcgx || r->streaming)
		return -1;
	req_cache_control(r);
	buf_addf(&h, "Status: %d %s\r\nContent-Type: %s\r\nX-Request-Id: %s\r\n", r->status,
		 req_reason(r->status), r->content_type, r->id);
	buf_add(&h, r->headers.data, r->headers.len);
	buf_addstr(&h, "\r\n");
	r->streaming = true;
	if (FCGX_PutStr(h.data, (int)h.len, r->fcgx->out) < 0 || FCGX_FFlush(r->fcgx->out) < 0)
		rc = -1;
	buf_release(&h);
	return rc;
}

int req_stream_write(struct req *r, const char *data, size_t len)
{
	if (!r->streaming || !r->fcgx)
		return -1;
	if (!strcmp(r->method, "HEAD"))
		return 0;
	while (len) {
		int chunk = len > 65536 ? 65536 : (int)len;
		if (FCGX_PutStr(data, chunk, r->fcgx->out) < 0)
			return -1;
		data += chunk;
		len -= (size_t)chunk;
	}
	return FCGX_FFlush(r->fcgx->out) < 0 ? -1 : 0;
}

void req_json(struct req *r, int status, struct json_object *obj)
{
	size_t len;
	const char *s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN, &len);
	r->status = status;
	r->content_type = "application/json; charset=utf-8";
	r->body_ref = NULL;
	buf_reset(&r->body);
	buf_add(&r->body, s, len);
}

void req_json_error(struct req *r, int status, const char *error, const char *detail)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "error", json_object_new_string(error));
	json_object_object_add(o, "detail", detail ? json_object_new_string(detail) : NULL);
	req_json(r, status, o);
	json_object_put(o);
}

void req_redirect(struct req *r, int status, const char *location)
{
	req_header(r, "Location", location);
	r->status = status;
	r->content_type = "text/plain; charset=utf-8";
	buf_reset(&r->body);
	buf_addf(&r->body, "Moved to %s\n", location);
}
