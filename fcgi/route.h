/* route.h: the route table. Each row says which method and path pattern a
 * handler serves; the dispatcher alone produces 404 and 405, so handlers
 * can assume their preconditions. Patterns are literal segments and "{x}"
 * placeholders matching one non-empty decoded segment. */
#ifndef GW_ROUTE_H
#define GW_ROUTE_H

struct app;
struct req;

typedef void (*route_fn)(struct app *app, struct req *r);

enum route_flags {
	ROUTE_JSON = 1, /* errors on this route are JSON */
};

struct route {
	const char *pattern; /* "/api/v1/sessions/{id}" */
	route_fn fn;         /* serves GET and HEAD */
	unsigned flags;
};

/* The table (defined in route.c), terminated by a row with pattern NULL. */
extern const struct route route_table[];

/* Find the route for r->path; fills r->route_args. Returns the row or NULL. */
const struct route *route_match(struct req *r);

/* Handlers, one per page (page-*.c) or JSON resource (api-*.c). Each
 * serves GET and HEAD of the route named beside it, fills r's status,
 * headers and body, and maps its own failures to 400 (bad parameter, JSON
 * {"error","detail"} or an error page), 404 (unknown id) or 503 (database
 * unavailable). `app` is the worker's state, `r` the parsed request with
 * r->route_args[0] holding the {id} segment, decoded. View models:
 * docs/view-models.md and docs/history.md. */
void page_home(struct app *app, struct req *r);            /* /  live sessions, filters */
void page_session(struct app *app, struct req *r);         /* /sessions/{id} */
void api_sessions_current(struct app *app, struct req *r); /* /api/v1/sessions/current */
void api_session(struct app *app, struct req *r);          /* /api/v1/sessions/{id} */
void api_history_summary(struct app *app, struct req *r);  /* /api/v1/history/summary?minutes=N */
void api_health(struct app *app, struct req *r);           /* /healthz */
void page_history(struct app *app, struct req *r);         /* /history  session list, filters, cursor */
void page_player(struct app *app, struct req *r);          /* /players/{id | steam:ID | gog:ID} */
void page_maps(struct app *app, struct req *r);            /* /maps */
void page_map(struct app *app, struct req *r);             /* /maps/{map_key} */
void page_mods(struct app *app, struct req *r);            /* /mods */
void page_mod(struct app *app, struct req *r);             /* /mods/{mod_id} */
void page_analytics(struct app *app, struct req *r);       /* /analytics  charts + tables */
void api_history_sessions(struct app *app, struct req *r); /* /api/v1/history/sessions (JSON or CSV) */
void api_history_player(struct app *app, struct req *r);   /* /api/v1/history/players/{id}?days=N */
void api_player(struct app *app, struct req *r);           /* /api/v1/players/{id} */
void api_maps(struct app *app, struct req *r);             /* /api/v1/maps (JSON or CSV) */
void api_map(struct app *app, struct req *r);              /* /api/v1/maps/{map_key} */
void api_mods(struct app *app, struct req *r);             /* /api/v1/mods (JSON or CSV) */
void api_mod(struct app *app, struct req *r);              /* /api/v1/mods/{mod_id} */
void api_analytics(struct app *app, struct req *r);        /* /api/v1/analytics?days=N */

#endif
