/* req.c: request parsing and buffered responses. */
#include "platform/web/req.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

#define MAX_URI 8192

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}

/* Decode a percent-encoded component; 0 or -1 (bad escape or NUL byte). */
static int decode(const char *s, size_t n, bool plus, char **out)
{
	struct buf b = BUF_INIT;
	if (url_decode(s, n, &b, plus) < 0) {
		buf_release(&b);
		return -1;
	}
	*out = buf_detach(&b, NULL);
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

int req_parse(struct req *r, FCGX_Request *fcgx, char *err, size_t errlen)
{
	const char *uri = FCGX_GetParam("REQUEST_URI", fcgx->envp);
	const char *m = FCGX_GetParam("REQUEST_METHOD", fcgx->envp);
	const char *acc = FCGX_GetParam("HTTP_ACCEPT", fcgx->envp);
	const char *ae = FCGX_GetParam("HTTP_ACCEPT_ENCODING", fcgx->envp);
	const char *inm = FCGX_GetParam("HTTP_IF_NONE_MATCH", fcgx->envp);
	const char *q, *p;

	r->fcgx = fcgx;
	r->status = 200;
	r->content_type = "text/html; charset=utf-8";
	buf_init(&r->headers, 0);
	buf_init(&r->body, 0);
	r->accept = xstrdup(acc);
	r->accept_encoding = xstrdup(ae);
	r->if_none_match = xstrdup(inm);
	if (m && strlen(m) < sizeof r->method)
		strcpy(r->method, m);
	if (!uri || !*uri)
		uri = "/";
	r->api_path = !strncmp(uri, "/api/", 5) || !strcmp(uri, "/healthz") ||
		       !strncmp(uri, "/healthz?", 9);
	if (strlen(uri) > MAX_URI) {
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
	if (decode(uri, q ? (size_t)(q - uri) : strlen(uri), false, &r->path) < 0) {
		snprintf(err, errlen, "malformed percent-encoding in the path");
		r->path = xstrdup("/");
		return 400;
	}
	if (!path_ok(r->raw_path)) {
		snprintf(err, errlen, "path must be absolute and without . or .. segments");
		return 400;
	}
	for (p = r->raw_query; *p;) {
		size_t n = strcspn(p, "&");
		const char *eq = memchr(p, '=', n);
		if (n) {
			struct req_param *kv;
			if (r->n_params == REQ_MAX_PARAMS) {
				snprintf(err, errlen, "more than %d query parameters", REQ_MAX_PARAMS);
				return 400;
			}
			kv = &r->params[r->n_params];
			if (decode(p, eq ? (size_t)(eq - p) : n, true, &kv->key) < 0 ||
			    decode(eq ? eq + 1 : p + n, eq ? (size_t)(p + n - eq - 1) : 0, true,
				   &kv->value) < 0) {
				free(kv->key);
				kv->key = NULL;
				snprintf(err, errlen, "malformed percent-encoding in the query string");
				return 400;
			}
			r->n_params++;
		}
		p += n;
		if (*p == '&')
			p++;
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
	free(r->route_buf);
	for (i = 0; i < r->n_params; i++) {
		free(r->params[i].key);
		free(r->params[i].value);
	}
	buf_release(&r->headers);
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

void req_header(struct req *r, const char *name, const char *value)
{
	buf_addstr(&r->headers, name);
	buf_addstr(&r->headers, ": ");
	for (; *value; value++)
		if (*value != '\r' && *value != '\n')
			buf_addch(&r->headers, *value);
	buf_addstr(&r->headers, "\r\n");
}

const char *req_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
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
