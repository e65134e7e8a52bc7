/* route.h: the route table, the one place that decides, per URL and method,
 * which handler runs and under which rules: method (405 with Allow), role,
 * CSRF, cache policy, rate-limit class, body limit and response kind (JSON
 * errors for ROUTE_API). Handlers never set these themselves.
 *
 * Every module exports its rows (struct gw_module.routes); the platform adds
 * its own (/, /healthz, /metrics, /api/v1/openapi.json). Patterns are
 * literal segments and "{x}" placeholders matching one non-empty decoded
 * segment; a pattern ending in "/" matches only with the slash. Rows are
 * tried in registry order: platform first, then modules. `gamewatch.fcgi
 * --routes` prints the table (docs/routes.md is generated from it). */
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

/* Who may call it. Checked by the dispatcher before the handler runs. */
enum route_role {
	ROLE_PUBLIC = 0,
	ROLE_USER,       /* any signed-in account */
	ROLE_CURATOR,
	ROLE_ADMIN,
	ROLE_OPERATOR,   /* loopback peer, or Authorization: Bearer METRICS_TOKEN */
};

/* Cache-Control the dispatcher sets on a successful response. */
enum route_cache {
	CACHE_NO_STORE = 0, /* no-store: personal or health data */
	CACHE_REVALIDATE,   /* no-cache: may be stored, revalidated each time (ETag) */
	CACHE_PUBLIC,       /* public, max-age=max_age_s */
};

/* Rate-limit classes (token buckets per client address). */
enum route_rate {
	RATE_NONE = 0,
	RATE_READ,   /* ordinary reads */
	RATE_WRITE,  /* state-changing forms and API calls */
	RATE_LOGIN,  /* sign-in attempts */
	RATE_INGEST, /* game-server telemetry */
};

struct route {
	unsigned methods;       /* enum route_method bits */
	const char *pattern;    /* "/api/v1/sessions/{id}" */
	route_fn fn;
	enum route_kind kind;
	enum route_role role;
	bool csrf;              /* state-changing: needs the session's CSRF token */
	enum route_cache cache;
	int max_age_s;          /* for CACHE_PUBLIC */
	enum route_rate rate;
	size_t body_max;        /* request body limit in bytes; 0: no body (413 when one is sent) */
	const char *summary;    /* one line for the route list and the OpenAPI check */
};

/* Row shorthands for the common cases. */
#define ROUTE_GET_PAGE(pat, fn, sum) \
	{ M_GET, (pat), (fn), ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_REVALIDATE, 0, RATE_READ, 0, (sum) }
#define ROUTE_GET_API(pat, fn, sum) \
	{ M_GET, (pat), (fn), ROUTE_API, ROLE_PUBLIC, false, CACHE_REVALIDATE, 0, RATE_READ, 0, (sum) }
#define ROUTE_END { 0, NULL, NULL, 0, 0, false, 0, 0, 0, 0, NULL }

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
