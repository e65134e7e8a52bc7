/* route.c: the matcher over the platform's rows and every enabled module's,
 * and the platform's own rows. */
#include "platform/web/route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/module.h"
#include "platform/web/req.h"

void page_front(struct app *app, struct req *r);   /* platform/web/hub.c */
void api_health(struct app *app, struct req *r);   /* platform/web/api-health.c */
void api_openapi(struct app *app, struct req *r);  /* platform/web/openapi.c */
void page_api_docs(struct app *app, struct req *r); /* platform/web/openapi.c */
void api_metrics(struct app *app, struct req *r);  /* platform/web/metrics.c */
void api_stream_elsewhere(struct app *app, struct req *r); /* platform/web/app.c */

const struct route platform_routes[] = {
	{ M_GET, "/", page_front, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_REVALIDATE, 0, RATE_READ, 0, BODY_PARSED,
	  "Front page: the only enabled module's home, or a hub of every module" },
	{ M_GET, "/healthz", api_health, ROUTE_API, ROLE_PUBLIC, false, CACHE_NO_STORE, 0, RATE_NONE, 0, BODY_PARSED,
	  "Health: database, Redis and every module's data freshness" },
	{ M_GET, "/api/v1/openapi.json", api_openapi, ROUTE_API, ROLE_PUBLIC, false, CACHE_PUBLIC, 300,
	  RATE_READ, 0, BODY_PARSED, "This OpenAPI 3.1 document of every JSON endpoint (ETag, gzip)" },
	{ M_GET, "/api", page_api_docs, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_REVALIDATE, 0, RATE_READ, 0, BODY_PARSED,
	  "The API page: every JSON endpoint, readable (Swagger UI over the OpenAPI document)" },
	{ M_GET, "/metrics", api_metrics, ROUTE_API, ROLE_OPERATOR, false, CACHE_NO_STORE, 0, RATE_NONE, 0, BODY_PARSED,
	  "Prometheus metrics: requests and latency per route, workers, jobs, queues, modules" },
	/* served by gamewatch-stream (platform/stream/); the page workers answer 503 */
	{ M_GET, "/api/v1/stream/rooms/{room}", api_stream_elsewhere, ROUTE_STREAM, ROLE_PUBLIC, false,
	  CACHE_NO_STORE, 0, RATE_NONE, 0, BODY_PARSED,
	  "Server-Sent Events of one room of any module: snapshot, then merge patches" },
	ROUTE_END,
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode the n bytes at seg in place and NUL-terminate them.
 * Returns 0, or -1 on a malformed escape or a NUL byte. */
static int decode_segment(char *seg, size_t n)
{
	size_t i, o = 0;
	for (i = 0; i < n; i++) {
		char c = seg[i];
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= n)
				return -1;
			hi = hexval(seg[i + 1]);
			lo = hexval(seg[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (!c)
			return -1;
		seg[o++] = c;
	}
	seg[o] = '\0';
	return 0;
}

int route_pattern_match(const char *pat, char *path, char **args, int max_args)
{
	int n = 0;
	if (*pat != '/' || *path != '/')
		return 0;
	pat++;
	path++;
	for (;;) {
		size_t pl = strcspn(pat, "/");
		char *end = path + strcspn(path, "/");
		int pat_last = !pat[pl], path_last = !*end;
		/* split at the raw '/', then decode the segment once: an encoded
		 * slash (%2F) is part of a {x} value, never a separator */
		if (decode_segment(path, (size_t)(end - path)) < 0)
			return 0;
		if (*pat == '{') {
			if (!*path || n == max_args)
				return 0;
			if (args)
				args[n] = path;
			n++;
		} else if (strlen(path) != pl || strncmp(pat, path, pl)) {
			return 0;
		}
		if (pat_last || path_last)
			return pat_last && path_last;
		pat += pl + 1;
		path = end + 1;
	}
}

static unsigned method_bit(const char *m)
{
	if (!strcmp(m, "GET") || !strcmp(m, "HEAD"))
		return M_GET;
	if (!strcmp(m, "POST"))
		return M_POST;
	if (!strcmp(m, "PUT"))
		return M_PUT;
	if (!strcmp(m, "PATCH"))
		return M_PATCH;
	if (!strcmp(m, "DELETE"))
		return M_DELETE;
	return 0;
}

void route_methods_text(unsigned methods, char *out, size_t outlen)
{
	static const struct { unsigned bit; const char *text; } names[] = {
		{ M_GET, "GET, HEAD" }, { M_POST, "POST" }, { M_PUT, "PUT" },
		{ M_PATCH, "PATCH" }, { M_DELETE, "DELETE" },
	};
	size_t i, used = 0;
	if (!outlen)
		return;
	out[0] = '\0';
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		int k;
		if (!(methods & names[i].bit))
			continue;
		k = snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", names[i].text);
		if (k < 0 || (size_t)k >= outlen - used)
			return;
		used += (size_t)k;
	}
}

/* Try every row of one table; returns 1 on a full match. */
static int lookup_in(struct req *r, const struct route *rows, const struct gw_module *mod,
		     unsigned want, struct route_match *m)
{
	const struct route *rt;
	for (rt = rows; rt && rt->pattern; rt++) {
		/* matched on the raw path, decoded segment by segment (the
		 * matcher decodes in place: a fresh copy per row) */
		char *copy = strdup(r->raw_path ? r->raw_path : r->path);
		if (!copy)
			abort();
		if (!route_pattern_match(rt->pattern, copy, NULL, REQ_MAX_ROUTE_ARGS)) {
			free(copy);
			continue;
		}
		if (!(rt->methods & want)) {
			m->allowed |= rt->methods;
			free(copy);
			continue;
		}
		strcpy(copy, r->raw_path ? r->raw_path : r->path);
		free(r->route_buf);
		r->route_buf = copy;
		memset(r->route_args, 0, sizeof r->route_args);
		route_pattern_match(rt->pattern, copy, r->route_args, REQ_MAX_ROUTE_ARGS);
		m->route = rt;
		m->module = mod;
		return 1;
	}
	return 0;
}

int route_lookup(struct req *r, struct route_match *m)
{
	const struct gw_module *const *mods;
	unsigned want = method_bit(r->method);

	memset(m, 0, sizeof *m);
	if (!r->path)
		return 0;
	/* an unknown method still finds the path, for the 405's Allow */
	if (lookup_in(r, platform_routes, NULL, want, m))
		return 1;
	for (mods = gw_modules(); *mods; mods++)
		if (lookup_in(r, (*mods)->routes, *mods, want, m))
			return 1;
	return 0;
}
