/* route.c: the route table and the matcher. */
#include "route.h"

#include <stdlib.h>
#include <string.h>

#include "req.h"

const struct route route_table[] = {
	{ "/", page_home, 0 },
	{ "/sessions/{id}", page_session, 0 },
	{ "/api/v1/sessions/current", api_sessions_current, ROUTE_JSON },
	{ "/api/v1/sessions/{id}", api_session, ROUTE_JSON },
	{ "/api/v1/history/summary", api_history_summary, ROUTE_JSON },
	{ "/healthz", api_health, ROUTE_JSON },
	/* history and analytics (issue 3) */
	{ "/history", page_history, 0 },
	{ "/players/{id}", page_player, 0 },
	{ "/maps", page_maps, 0 },
	{ "/maps/{key}", page_map, 0 },
	{ "/mods", page_mods, 0 },
	{ "/mods/{id}", page_mod, 0 },
	{ "/analytics", page_analytics, 0 },
	{ "/api/v1/history/sessions", api_history_sessions, ROUTE_JSON },
	{ "/api/v1/history/players/{id}", api_history_player, ROUTE_JSON },
	{ "/api/v1/players/{id}", api_player, ROUTE_JSON },
	{ "/api/v1/maps", api_maps, ROUTE_JSON },
	{ "/api/v1/maps/{key}", api_map, ROUTE_JSON },
	{ "/api/v1/mods", api_mods, ROUTE_JSON },
	{ "/api/v1/mods/{id}", api_mod, ROUTE_JSON },
	{ "/api/v1/analytics", api_analytics, ROUTE_JSON },
	{ NULL, NULL, 0 },
};

/* Match one pattern against a private, writable copy of the path: each
 * "{x}" takes one non-empty segment, which is NUL-terminated in place. */
static int match(const char *pat, char *path, char **args)
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
		if (*pat == '{') {
			if (end == path || n == REQ_MAX_ROUTE_ARGS)
				return 0;
			args[n++] = path;
		} else if (pl != (size_t)(end - path) || strncmp(pat, path, pl)) {
			return 0;
		}
		if (pat_last || path_last)
			return pat_last && path_last;
		*end = '\0';
		pat += pl + 1;
		path = end + 1;
	}
}

const struct route *route_match(struct req *r)
{
	const struct route *rt;
	for (rt = route_table; rt->pattern; rt++) {
		char *copy = strdup(r->path);
		char *args[REQ_MAX_ROUTE_ARGS] = { 0 };
		if (!copy)
			abort();
		if (match(rt->pattern, copy, args)) {
			free(r->route_buf);
			r->route_buf = copy;
			memcpy(r->route_args, args, sizeof args);
			return rt;
		}
		free(copy);
	}
	return NULL;
}
