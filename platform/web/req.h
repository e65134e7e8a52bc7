/* req.h: one HTTP request and its buffered response.
 *
 * req_parse() copies everything it keeps out of libfcgi's envp (which is
 * freed at the next FCGX_Accept_r/FCGX_Finish_r), routes on REQUEST_URI (the
 * only variable identical under lighttpd, mod_fcgid and mod_proxy_fcgi), and
 * decodes the path and query once. The handler fills status, headers and
 * body; req_send() writes them with an exact Content-Length (formatted with
 * snprintf: libfcgi's own printf stops at %zu). */
#ifndef GW_REQ_H
#define GW_REQ_H

#include <fcgiapp.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

struct app;
struct route;
struct gw_module;

#define REQ_MAX_PARAMS 32
#define REQ_MAX_ROUTE_ARGS 4

struct req_param {
	char *key;   /* decoded, malloc'd */
	char *value; /* decoded, malloc'd */
};

struct req {
	struct app *app;
	FCGX_Request *fcgx;
	char method[8];          /* "GET", "HEAD", ... ("" when absent or too long) */
	char *path;              /* decoded path, malloc'd */
	char *raw_path;          /* path as sent (before '?', not decoded), malloc'd */
	char *raw_query;         /* query string as sent (after '?'), malloc'd */
	struct req_param params[REQ_MAX_PARAMS];
	int n_params;
	char *route_args[REQ_MAX_ROUTE_ARGS]; /* {x} segments of the matched route (borrowed from path copy) */
	char *route_buf;         /* malloc'd copy of the path that route_args point into */
	char *accept;            /* Accept header, malloc'd ("" when absent) */
	char *accept_encoding;   /* Accept-Encoding header, malloc'd ("" when absent) */
	char *if_none_match;     /* If-None-Match header, malloc'd ("" when absent) */
	bool api_path;           /* the raw URI is under /api/ or is /healthz: errors are JSON even before routing */
	const struct route *route;          /* the matched row (NULL before routing or when none) */
	const struct gw_module *module;     /* its module (NULL: a platform row) */
	char id[17];             /* request id for logs and the X-Request-Id header */
	int64_t started_ms;      /* monotonic */

	/* response */
	int status;              /* default 200 */
	const char *content_type; /* static string; default "text/html; charset=utf-8" */
	struct buf headers;      /* extra header lines, each ending in "\r\n" */
	struct buf body;
	const char *body_ref;    /* when set: borrowed bytes sent instead of body (must stay valid until req_send) */
	size_t body_ref_len;
};

/* Parse the FastCGI request into `r` (zeroed by the caller, app set).
 * Returns 0, or an HTTP status (400 for a malformed URI or query, 414 for an
 * over-long one) with the reason in `err`. Fields parsed before the failure
 * stay valid, and req_release() is always safe. */
int req_parse(struct req *r, FCGX_Request *fcgx, char *err, size_t errlen);

/* Free everything req_parse() and the handler allocated. */
void req_release(struct req *r);

/* The decoded value of query parameter `key` (first occurrence), or NULL. */
const char *req_param(const struct req *r, const char *key);

/* Add a response header line "Name: value" (value must not contain CR/LF:
 * such characters are dropped). */
void req_header(struct req *r, const char *name, const char *value);

/* Write status, headers and body (no body for HEAD). Returns 0 or -1 when
 * the client went away. */
int req_send(struct req *r);

/* Set a JSON response: `status`, Content-Type application/json, body = `obj`
 * serialized (obj is not consumed). */
void req_json(struct req *r, int status, struct json_object *obj);

/* Set a JSON error response {"error": error, "detail": detail} (detail may
 * be NULL). */
void req_json_error(struct req *r, int status, const char *error, const char *detail);

/* Respond with a redirect: `status` (301, 302, 303 or 307), Location
 * `location` (a path on this site or an absolute URL; CR/LF dropped), and a
 * short body. */
void req_redirect(struct req *r, int status, const char *location);

/* Standard reason phrase for a status code ("Not Found"). */
const char *req_reason(int status);

#endif
