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

/* Handlers, one per page (page-*.c) or JSON resource (api-*.c). */
void page_home(struct app *app, struct req *r);
void page_session(struct app *app, struct req *r);
void api_sessions_current(struct app *app, struct req *r);
void api_session(struct app *app, struct req *r);
void api_history_summary(struct app *app, struct req *r);
void api_health(struct app *app, struct req *r);

/* History and analytics (issue 3): page-history.c, page-players.c,
 * page-maps.c, page-mods.c, page-analytics.c, api-history-sessions.c,
 * api-players.c, api-maps.c, api-mods.c, api-analytics.c. */
void page_history(struct app *app, struct req *r);
void page_player(struct app *app, struct req *r);
void page_maps(struct app *app, struct req *r);
void page_map(struct app *app, struct req *r);
void page_mods(struct app *app, struct req *r);
void page_mod(struct app *app, struct req *r);
void page_analytics(struct app *app, struct req *r);
void api_history_sessions(struct app *app, struct req *r);
void api_history_player(struct app *app, struct req *r);
void api_player(struct app *app, struct req *r);
void api_maps(struct app *app, struct req *r);
void api_map(struct app *app, struct req *r);
void api_mods(struct app *app, struct req *r);
void api_mod(struct app *app, struct req *r);
void api_analytics(struct app *app, struct req *r);

#endif
