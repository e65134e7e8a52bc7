/* req.h: one HTTP request, its body, and its response.
 *
 * req_parse() copies everything it keeps out of libfcgi's envp (which is
 * freed at the next FCGX_Accept_r/FCGX_Finish_r), routes on REQUEST_URI (the
 * only variable identical under lighttpd, mod_fcgid and mod_proxy_fcgi),
 * decodes the path and query once and parses the cookies. The request body
 * is read later, by the dispatcher, once the route row's body limit is known
 * (req_read_body), and parsed by its Content-Type (req_parse_body): handlers
 * find the result in r->form or r->json, or the raw bytes in r->in_body. A
 * row with BODY_RAW (route.h) gets its body unread and unparsed; its handler
 * reads the bytes with req_read_raw_body(), under the same limit.
 *
 * The handler fills status, headers and body; req_send() writes them with
 * an exact Content-Length (formatted with snprintf: libfcgi's own printf
 * stops at %zu). A streaming handler (Server-Sent Events) instead calls
 * req_stream_begin() once and req_stream_write() for each chunk.
 *
 * The parsers of outside input (req_parse_query, req_parse_cookies,
 * req_parse_form, req_parse_json, req_parse_multipart, req_content_length,
 * req_body_plan) are pure: they work on bytes, never on libfcgi, so the unit
 * tests (tests/unit/test_req.c) and the fuzz targets (fuzz/fuzz_req.c) call
 * them directly. */
#ifndef GW_REQ_H
#define GW_REQ_H

#include <fcgiapp.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct app;
struct route;
struct gw_module;

#define REQ_MAX_PARAMS 32      /* query parameters (more: 400) */
#define REQ_MAX_ROUTE_ARGS 4
#define REQ_MAX_COOKIES 32     /* cookies kept; further pairs are ignored */
#define REQ_MAX_FIELDS 64      /* form fields or multipart parts (more: 413) */
#define REQ_JSON_MAX_DEPTH 32  /* nesting of a JSON body (deeper: 400) */

/* One decoded name=value pair (query parameter or cookie). */
struct req_param {
	char *key;   /* malloc'd */
	char *value; /* malloc'd */
};

/* One field of a form body: an application/x-www-form-urlencoded pair, or
 * one part of a multipart/form-data body. */
struct req_field {
	char *name;         /* malloc'd, NUL-terminated */
	char *value;        /* malloc'd, NUL-terminated after len bytes; a file part
			     * may hold NUL bytes, so use len */
	size_t len;         /* bytes in value */
	char *filename;     /* multipart file part: the filename parameter as sent
			     * (malloc'd; never a path to trust), else NULL */
	char *content_type; /* multipart: the part's Content-Type (malloc'd), NULL
			     * when absent (RFC 7578: text/plain) or urlencoded */
};

/* A parsed form: `n` fields in order of appearance. */
struct req_form {
	struct req_field *fields; /* malloc'd array of n (NULL when n is 0) */
	int n;
};

/* Limits of req_parse_multipart(). */
struct req_multipart_limits {
	int max_parts;           /* parts (over: 413) */
	size_t max_header_bytes; /* the header block of one part (over: 413) */
	size_t max_part_bytes;   /* the content of one part (over: 413) */
};
/* 64 parts, 8 KiB of headers per part, no per-part limit below the body's */
#define REQ_MULTIPART_DEFAULTS { REQ_MAX_FIELDS, 8192, (size_t)-1 }

/* Who sent the request, as far as the platform's accounts know
 * (platform/accounts/accounts.h acct_current fills it once per request). */
struct req_auth {
	bool loaded;             /* the session cookie was looked at */
	bool db_error;           /* ... but the database could not be asked */
	int64_t user_id;         /* 0: not signed in */
	int role;                /* enum route_role: ROLE_USER, ROLE_CURATOR or ROLE_ADMIN */
	char name[72];           /* display name (at most 64 bytes of UTF-8) */
	char session_hash[65];   /* hex SHA-256 of the session token: the CSRF binding */
};

struct req {
	struct app *app;
	FCGX_Request *fcgx;      /* NULL in the unit tests */
	char method[8];          /* "GET", "HEAD", ... ("" when absent or too long) */
	char *path;              /* decoded path, malloc'd */
	char *raw_path;          /* path as sent (before '?', not decoded), malloc'd */
	char *raw_query;         /* query string as sent (after '?'), malloc'd */
	struct req_param params[REQ_MAX_PARAMS];
	int n_params;
	struct req_param cookies[REQ_MAX_COOKIES]; /* from the Cookie header, in order */
	int n_cookies;
	char *route_args[REQ_MAX_ROUTE_ARGS]; /* {x} segments of the matched route (borrowed from path copy) */
	char *route_buf;         /* malloc'd copy of the path that route_args point into */
	char *accept;            /* Accept header, malloc'd ("" when absent) */
	char *accept_encoding;   /* Accept-Encoding header, malloc'd ("" when absent) */
	char *if_none_match;     /* If-None-Match header, malloc'd ("" when absent) */
	char *remote_addr;       /* REMOTE_ADDR, the web server's peer, malloc'd ("" when absent) */
	char *authorization;     /* Authorization header, malloc'd ("" when absent or not passed) */
	char *csrf_header;       /* X-CSRF-Token header, malloc'd ("" when absent) */
	char *in_type;           /* request Content-Type, malloc'd ("" when absent) */
	bool api_path;           /* the raw URI is under /api/ or is /healthz: errors are JSON even before routing */
	const struct route *route;          /* the matched row (NULL before routing or when none) */
	const struct gw_module *module;     /* its module (NULL: a platform row) */
	char id[17];             /* request id for logs and the X-Request-Id header */
	int64_t started_ms;      /* monotonic */

	/* request body (filled by the dispatcher before the handler runs, or
	 * by the handler's req_read_raw_body() on a BODY_RAW row) */
	size_t body_limit;       /* the row's body_max capped by GW_MAX_BODY_BYTES (req_take_body) */
	bool body_read;          /* the body was read (or refused): body_status says how */
	int body_status;         /* 0, or the 400/413 of reading it */
	struct buf in_body;      /* the bytes as sent (at most body_limit) */
	struct req_form form;    /* urlencoded or multipart body, parsed (else n == 0) */
	struct json_object *json; /* application/json body, parsed (owned; else NULL) */
	char *csrf_token;        /* this response's CSRF form token once computed (guard.h), malloc'd */
	struct req_auth auth;    /* the signed-in user, loaded on demand (no allocation) */

	/* response */
	int status;              /* default 200 */
	const char *content_type; /* static string; default "text/html; charset=utf-8" */
	struct buf headers;      /* extra header lines, each ending in "\r\n" */
	struct buf body;
	const char *body_ref;    /* when set: borrowed bytes sent instead of body (must stay valid until req_send) */
	size_t body_ref_len;
	bool streaming;          /* req_stream_begin() sent the headers: req_send() does nothing */
};

/* Parse the FastCGI request into `r` (zeroed by the caller, app set).
 * Returns 0, or an HTTP status (400 for a malformed URI or query, 414 for an
 * over-long one) with the reason in `err`. Fields parsed before the failure
 * stay valid, and req_release() is always safe. The body is not read.
 * A REDIRECT_STATUS of 4xx or 5xx (Apache running its ErrorDocument through
 * the app for an error it found before the app, e.g. AH10244 on a malformed
 * percent-escape; REQUEST_URI is still the original) is returned as that
 * status, so the error comes out in the app's format for the original
 * path: JSON under /api/. */
int req_parse(struct req *r, FCGX_Request *fcgx, char *err, size_t errlen);

/* Free everything req_parse(), the body parsers and the handler allocated. */
void req_release(struct req *r);

/* The decoded value of query parameter `key` (first occurrence), or NULL. */
const char *req_param(const struct req *r, const char *key);

/* The value of cookie `name` (first occurrence, as sent: cookies are not
 * percent-decoded), or NULL. */
const char *req_cookie(const struct req *r, const char *name);

/* The FastCGI variable `name` of the request ("HTTP_X_SERVER_TOKEN" for a
 * request header X-Server-Token, as CGI names them), or NULL when absent or
 * without a FastCGI request (unit tests). Borrowed from libfcgi: valid
 * until the request ends; the value is as the web server passed it, never
 * checked. For headers the platform does not copy into struct req. */
const char *req_getenv(const struct req *r, const char *name);

/* The first form field named `name` of the parsed body, or NULL. */
const struct req_field *req_field(const struct req *r, const char *name);

/* ---- pure parsers of outside input ------------------------------------ */

/* Parse an application/x-www-form-urlencoded string (a query string or a
 * form body): `len` bytes of `s`, pairs split on '&', name and value split
 * on the first '=', both percent-decoded with '+' as space (url_decode).
 * Empty pairs ("a=1&&b=2") are skipped; "a" alone is name "a", value "".
 * Appends at most `max` pairs to `out` (*n counts them; out[*n..] are
 * written). Returns 0; 400 when a pair has a malformed escape or a NUL byte,
 * or there are more than `max` pairs, with the reason in `err`. Pairs parsed
 * before the failure stay in `out` (the caller frees them). */
int req_parse_query(const char *s, size_t len, struct req_param *out, int max, int *n,
		    char *err, size_t errlen);

/* Parse a Cookie header (RFC 6265 §4.2.1: cookie-pair *( ";" SP cookie-pair ),
 * read leniently: any run of spaces or tabs around pairs is skipped). A pair
 * is kept when its name is a token (RFC 9110 tchar) and its value is
 * cookie-octets, optionally inside one pair of double quotes (removed);
 * other pairs (a browser may send another application's odd cookies) are
 * skipped, and so is everything after the first `max` kept pairs. Values
 * are not percent-decoded. Fills out[0..*n) with malloc'd copies. Never
 * fails. `header` may be NULL. */
void req_parse_cookies(const char *header, struct req_param *out, int max, int *n);

/* Parse an application/x-www-form-urlencoded body into `form` (which must
 * be empty; the caller releases it with req_form_release). Returns 0, 400
 * (malformed escape, NUL byte) or 413 (more than REQ_MAX_FIELDS fields)
 * with the reason in `err`; on failure `form` is left empty. */
int req_parse_form(const char *data, size_t len, struct req_form *form, char *err,
		   size_t errlen);

/* Parse a JSON body with json-c's tokener in strict mode, validating UTF-8,
 * nested at most `max_depth` deep. The whole input must be one JSON text
 * (RFC 8259), optionally surrounded by whitespace. Returns the value (the
 * caller owns it; json_object_put) or NULL with the reason in `err`. A JSON
 * `null` text is returned as NULL too, with err "the body is JSON null". */
struct json_object *req_parse_json(const char *data, size_t len, int max_depth, char *err,
				   size_t errlen);

/* Parse a multipart/form-data body (RFC 7578 over RFC 2046 §5.1.1).
 * content_type: the request's Content-Type, which carries the boundary
 *   parameter (1..70 bchars, token or quoted string).
 * Each part needs a Content-Disposition of type form-data with a name
 * parameter; filename and the part's Content-Type are kept when present,
 * other headers ignored. Header lines end in CRLF. The preamble and the
 * epilogue are ignored; the close delimiter must be present.
 * Fills `form` (empty on entry; the caller releases it with
 * req_form_release). Returns 0; 400 for a missing or malformed boundary, a
 * missing delimiter, a truncated body or a part without a name; 413 when
 * `lim` (or REQ_MAX_FIELDS) is exceeded; with the reason in `err`, and
 * `form` left empty. `lim` NULL means REQ_MULTIPART_DEFAULTS. */
int req_parse_multipart(const char *content_type, const char *data, size_t len,
			const struct req_multipart_limits *lim, struct req_form *form,
			char *err, size_t errlen);

/* Free every field of `form` and empty it. */
void req_form_release(struct req_form *form);

/* Does the Content-Type `ct` name media type `type` ("application/json")?
 * Compares the type/subtype case-insensitively and ignores parameters. */
bool req_media_type_is(const char *ct, const char *type);

/* Parse a CONTENT_LENGTH value: one or more ASCII digits and nothing else.
 * Returns 0 and the value in *out, or -1 (empty, signs, spaces, overflow). */
int req_content_length(const char *s, size_t *out);

/* How much body to read, decided before reading anything.
 * content_length, transfer_encoding: the CONTENT_LENGTH and
 *   HTTP_TRANSFER_ENCODING variables (NULL when absent); method: the
 *   request method; max: the route row's body_max.
 * Returns 0 and sets *to_read and *exact: read exactly *to_read bytes
 * (*exact true: a declared length) or up to *to_read bytes (*exact false:
 * no declared length, read max + 1 to detect an excess). Returns 413 when
 * the declared length is over `max`, 400 when it is malformed. Without
 * CONTENT_LENGTH, a GET or HEAD without Transfer-Encoding has no body
 * (RFC 9112 §6.3); other requests are read up to max + 1. */
int req_body_plan(const char *content_length, const char *transfer_encoding,
		  const char *method, size_t max, size_t *to_read, bool *exact);

/* ---- body reading (libfcgi) --------------------------------------------- */

/* Read the request body from FastCGI stdin into r->in_body, at most `max`
 * bytes (req_body_plan decides first: a declared length over `max` is 413
 * before a byte is read). Returns 0, 413 (over `max`) or 400 (CONTENT_LENGTH
 * malformed, or fewer bytes than declared arrived), with the reason in
 * `err`. With r->fcgx NULL there is no body. */
int req_read_body(struct req *r, size_t max, char *err, size_t errlen);

/* The dispatcher's body step (route.h, step 4) for r->route, with `limit`
 * the row's body_max capped by GW_MAX_BODY_BYTES, kept in r->body_limit.
 * A BODY_PARSED row (or no row): req_read_body() then req_parse_body().
 * A BODY_RAW row: only a declared Content-Length over `limit` is refused
 * (413, nothing read; 400 when malformed); the body stays unread for the
 * handler's req_read_raw_body(). Returns 0, 400 or 413 with the reason in
 * `err`. */
int req_take_body(struct req *r, size_t limit, char *err, size_t errlen);

/* A BODY_RAW row's handler: read the body, unparsed, into r->in_body, at
 * most r->body_limit bytes (req_read_body's rules). Returns 0, 413 (more
 * than the limit declared or sent: the handler answers 413) or 400
 * (CONTENT_LENGTH malformed, or fewer bytes than declared), with the reason
 * in `err`. Called again, or on a BODY_PARSED row, it reads nothing and
 * returns the first reading's status (0 on a BODY_PARSED row that reached
 * its handler). The bytes are NUL-terminated after r->in_body.len when any
 * arrived. */
int req_read_raw_body(struct req *r, char *err, size_t errlen);

/* Parse r->in_body by r->in_type: urlencoded or multipart into r->form,
 * application/json (and +json types) into r->json; any other type, or no
 * body, is left raw. Returns 0, 400 or 413 (as the parsers above), with the
 * reason in `err`. */
int req_parse_body(struct req *r, char *err, size_t errlen);

/* ---- responses ---------------------------------------------------------- */

/* Add a response header line "Name: value" (value must not contain CR/LF:
 * such characters are dropped). */
void req_header(struct req *r, const char *name, const char *value);

/* Add the Cache-Control header of r->route's cache policy when the status
 * is a success (2xx or 304) and a row matched; nothing otherwise. The
 * dispatcher calls it after the handler, req_stream_begin() before the
 * stream's headers go out. Handlers never set Cache-Control themselves. */
void req_cache_control(struct req *r);

/* Write status, headers and body (no body for HEAD). Returns 0 or -1 when
 * the client went away. Does nothing (returns 0) after req_stream_begin(). */
int req_send(struct req *r);

/* Start a streamed response: write the status, r->content_type, the route
 * row's Cache-Control and the headers set so far, without Content-Length,
 * and flush them to the web server. Afterwards only req_stream_write()
 * sends (status, headers and body set later are ignored). Returns 0, or -1
 * when the client went away (or r->fcgx is NULL). */
int req_stream_begin(struct req *r);

/* Send `len` bytes of a streamed response and flush them (FCGX_FFlush) so
 * the web server passes them on now (lighttpd needs
 * server.stream-response-body, Apache flushpackets=on for the path).
 * Nothing is sent for HEAD. Returns 0, or -1 when the client went away or
 * the stream was not begun. */
int req_stream_write(struct req *r, const char *data, size_t len);

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
