/* route.h: the route table, the one place that decides, per URL and method,
 * which handler runs and under which rules: method (405 with Allow), role,
 * CSRF, cache policy, rate-limit class, body limit, body handling (parsed or
 * raw) and response kind (JSON errors for ROUTE_API). Handlers never set
 * these themselves.
 *
 * Every module exports its rows (struct gw_module.routes); the platform adds
 * its own (/, /healthz, /metrics, /api/v1/openapi.json). Patterns are
 * literal segments and "{x}" placeholders matching one non-empty decoded
 * segment; a pattern ending in "/" matches only with the slash. Rows are
 * tried in registry order: platform first, then modules. `gamewatch.fcgi
 * --routes` prints the table (docs/routes.md is generated from it).
 *
 * How app_handle (app.c) applies a row, in this order; every refusal is a
 * JSON {"error","detail"} for ROUTE_API and ROUTE_STREAM rows and for any
 * raw path under /api/, the HTML error page otherwise:
 *   1. methods: no row for the method but one for the path -> 405 with
 *      Allow listing that path's methods (GET brings HEAD); no row -> 404.
 *   2. rate: one token from the client address's bucket for the row's
 *      class (Redis; guard.h) -> 429 with Retry-After when empty. Loopback
 *      peers are not limited (GW_TRUST_LOOPBACK); Redis down -> allowed.
 *   3. role -> 401 not signed in / 403 role too low (guard_role in guard.c,
 *      the one function that decides; a module's own rules, ROLE_MODULE,
 *      through its access hook).
 *   4. body: at most body_max bytes (and at most GW_MAX_BODY_BYTES, default
 *      1 MiB, whatever the row says): a declared Content-Length over it is
 *      413 before a byte is read; body_max 0 means the row takes no body and
 *      any body is 413. A BODY_PARSED row's body is then read and parsed by
 *      Content-Type (form, multipart, JSON; req.h) -> 400 when malformed. A
 *      BODY_RAW row's body is left unread and unparsed: its handler reads
 *      the bytes as sent with req_read_raw_body(), under the same limit
 *      (413 when more arrive), when and if it wants them.
 *   5. csrf, on POST/PUT/PATCH/DELETE -> 403 unless the gw_csrf cookie's
 *      token (bound to the web session once signed in) comes back in the
 *      csrf_token field or X-CSRF-Token header.
 *   6. the handler; then Cache-Control from `cache` on a 2xx or 304 (a
 *      streamed response gets it with its headers, in req_stream_begin).
 */
#ifndef GW_ROUTE_H
#define GW_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

struct app;
struct req;
struct gw_module;

typedef void (*route_fn)(struct app *app, struct req *r);

/* Methods a row serves (bit set); M_GET also serves HEAD. */
enum route_method {
	M_GET = 1u << 0,
	M_POST = 1u << 1,
	M_PUT = 1u << 2,
	M_PATCH = 1u << 3,
	M_DELETE = 1u << 4,
};

/* What the route answers, and so how its errors look. */
enum route_kind {
	ROUTE_PAGE,   /* HTML; errors are the error page */
	ROUTE_API,    /* JSON; errors are {"error","detail"} */
	ROUTE_STREAM, /* text/event-stream; errors before the stream starts are JSON */
};

/* Who may call it. Checked by the dispatcher before the handler runs
 * (guard_role_check in guard.h): not signed in is 401, signed in with a
 * lower role 403. The account roles are ordered: an admin is a curator is
 * a user (platform/accounts/accounts.h). */
enum route_role {
	ROLE_PUBLIC = 0,
	ROLE_USER,       /* any signed-in account that is not banned */
	ROLE_CURATOR,    /* an account with the curator or admin role */
	ROLE_ADMIN,      /* an account with the admin role */
	ROLE_OPERATOR,   /* loopback peer (127.0.0.0/8, ::1), or Authorization:
			  * Bearer METRICS_TOKEN compared in constant time */
	/* A module's own rule: a row of module M with role ROLE_MODULE + i is
	 * decided by entry i of M's access table (struct gw_module.access in
	 * platform/module.h), which names the rule for the route list
	 * ("battle-intel:user") and checks it per request (401, 403 or 503 like
	 * the account roles). A platform row, an index past the table, or a
	 * module without the hook is refused (403): rules fail closed. Write
	 * such a row's role as ROLE_MODULE + i (an int, not another enum). */
	ROLE_MODULE = 16,
};

/* Cache-Control the dispatcher sets on a successful response. */
enum route_cache {
	CACHE_NO_STORE = 0, /* no-store: personal or health data */
	CACHE_REVALIDATE,   /* no-cache: may be stored, revalidated each time (ETag) */
	CACHE_PUBLIC,       /* public, max-age=max_age_s */
};

/* Rate-limit classes: a token bucket per class and client address (an
 * IPv6 client by its /64), limits "N/SECONDS" from the environment. */
enum route_rate {
	RATE_NONE = 0,
	RATE_READ,   /* ordinary reads: GW_RATE_READ, default 600/60 */
	RATE_WRITE,  /* state-changing forms and API calls: GW_RATE_WRITE, default 60/60 */
	RATE_LOGIN,  /* sign-in attempts: GW_RATE_LOGIN, default 10/300 */
	RATE_INGEST, /* game-server telemetry: GW_RATE_INGEST, default 10000/10 (guard.h) */
};

/* What the dispatcher does with the request body (step 4 above). */
enum route_body {
	BODY_PARSED = 0, /* read and parsed by Content-Type before the handler runs:
			  * r->form, r->json, r->in_body */
	BODY_RAW,        /* left for the handler (req_read_raw_body): for bodies in
			  * a format of their own that may not parse as their
			  * Content-Type says, such as game servers' telemetry */
};

struct route {
	unsigned methods;       /* enum route_method bits */
	const char *pattern;    /* "/api/v1/sessions/{id}" */
	route_fn fn;
	enum route_kind kind;
	enum route_role role;
	bool csrf;              /* state-changing: unsafe methods need the CSRF token (guard.h) */
	enum route_cache cache;
	int max_age_s;          /* for CACHE_PUBLIC */
	enum route_rate rate;
	size_t body_max;        /* request body limit in bytes (capped by GW_MAX_BODY_BYTES);
				 * 0: no body (413 when one is sent) */
	enum route_body body;   /* parsed by the dispatcher, or raw for the handler */
	const char *summary;    /* one line for the route list and the OpenAPI check */
};

/* Row shorthands for the common cases. */
#define ROUTE_GET_PAGE(pat, fn, sum) \
	{ M_GET, (pat), (fn), ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_REVALIDATE, 0, RATE_READ, 0, BODY_PARSED, (sum) }
#define ROUTE_GET_API(pat, fn, sum) \
	{ M_GET, (pat), (fn), ROUTE_API, ROLE_PUBLIC, false, CACHE_REVALIDATE, 0, RATE_READ, 0, BODY_PARSED, (sum) }
#define ROUTE_END { 0, NULL, NULL, 0, 0, false, 0, 0, 0, 0, 0, NULL }

/* A successful match: the row, and the module it belongs to (NULL for the
 * platform's own rows). */
struct route_match {
	const struct route *route;
	const struct gw_module *module;
	unsigned allowed;       /* when route is NULL but the path matched: methods that exist (405) */
};

/* Find the row for r->raw_path and r->method over the platform's rows and
 * the enabled modules'. The raw path is split at its '/' first and each
 * segment percent-decoded once after, so an encoded slash (%2F) stays
 * inside one {x} value ("/game/maps/0%3Aa%2Fb" gives "0:a/b"). On a match
 * fills r->route_args (decoded {x} segments, borrowed from r->route_buf)
 * and returns 1. When the path exists but not
 * for this method returns 0 with m->allowed set (the dispatcher answers 405
 * with Allow); when nothing matches returns 0 with m->allowed 0 (404). */
int route_lookup(struct req *r, struct route_match *m);

/* Match one pattern against a raw (percent-encoded) path, both starting
 * with '/': the path is split at '/', each segment decoded in place (so
 * `path` must be writable and is modified even when nothing matches), a
 * literal segment of the pattern must equal the decoded segment and a {x}
 * segment takes any non-empty decoded value, '/' included. A malformed
 * escape or %00 in a segment is no match. On success returns 1 and, when
 * args is not NULL, points args[0..] (at most max_args) at the decoded,
 * NUL-terminated {x} values inside `path`. Pure: exposed for the unit tests
 * and the fuzz target. */
int route_pattern_match(const char *pattern, char *path, char **args, int max_args);

/* "GET, HEAD, POST" for a method set, into out (NUL-terminated). */
void route_methods_text(unsigned methods, char *out, size_t outlen);

/* The platform's own rows (route.c), terminated by ROUTE_END. */
extern const struct route platform_routes[];

#endif
