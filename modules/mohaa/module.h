/* module.h: the MOHAA module (Medal of Honor: Allied Assault, OpenMOHAA
 * match telemetry). Its descriptor and the handlers and jobs its tables
 * name; included only by the module's own files. Spec:
 * docs/specs/mohaa-stats-api.md (the stats and ingest endpoints at the
 * same paths); formats and decisions: modules/mohaa/README.md.
 *
 * Each handler serves the route named beside it and fills r's status,
 * headers and body: JSON {"error","detail"} for 400 (bad parameter or
 * body), 401 (ingest token), 404 (unknown id), 413, 429, 503 (database or
 * queue unavailable); pages render the error page instead. The dispatcher
 * has checked the method and sets Cache-Control from the row. `app` is the
 * worker's state, `r` the parsed request with r->route_args[] holding the
 * {x} segments, decoded. */
#ifndef GW_MOHAA_MODULE_H
#define GW_MOHAA_MODULE_H

#include "cfg.h"
#include "platform/module.h"
#include "platform/web/route.h"

struct app;
struct req;
struct buf;

extern const struct gw_module gw_module_mohaa;

/* ingest (web/ingest.c) */
void api_mohaa_ingest_events(struct app *app, struct req *r);       /* POST /api/v1/ingest/events */
void api_mohaa_ingest_match_result(struct app *app, struct req *r); /* POST /api/v1/ingest/match-result */

/* stats JSON (web/api.c) */
void api_mohaa_leaderboard(struct app *app, struct req *r);         /* /api/v1/stats/leaderboard?stat= */
void api_mohaa_leaderboard_weekly(struct app *app, struct req *r);  /* .../leaderboard/weekly?week= */
void api_mohaa_leaderboard_weapon(struct app *app, struct req *r);  /* .../leaderboard/weapon/{weapon} */
void api_mohaa_leaderboard_map(struct app *app, struct req *r);     /* .../leaderboard/map/{map} and {dir}/{map} */
void api_mohaa_player(struct app *app, struct req *r);              /* /api/v1/stats/player/{guid} */
void api_mohaa_player_matches(struct app *app, struct req *r);      /* .../player/{guid}/matches */
void api_mohaa_player_weapons(struct app *app, struct req *r);      /* .../player/{guid}/weapons */
void api_mohaa_player_heatmap(struct app *app, struct req *r);      /* .../player/{guid}/heatmap/{map} and {dir}/{map} */
void api_mohaa_match(struct app *app, struct req *r);               /* /api/v1/stats/match/{matchId} */
void api_mohaa_match_timeline(struct app *app, struct req *r);      /* .../match/{matchId}/timeline */
void api_mohaa_server(struct app *app, struct req *r);              /* /api/v1/stats/server/{serverId} */
void api_mohaa_live(struct app *app, struct req *r);                /* /api/v1/stats/live */
void api_mohaa_achievements(struct app *app, struct req *r);        /* /api/v1/stats/achievements */

/* pages (web/pages.c) */
void page_mohaa_home(struct app *app, struct req *r);           /* /mohaa/ */
void page_mohaa_leaderboard(struct app *app, struct req *r);    /* /mohaa/leaderboard */
void page_mohaa_player(struct app *app, struct req *r);         /* /mohaa/players/{guid} */
void page_mohaa_player_heatmap(struct app *app, struct req *r); /* /mohaa/players/{guid}/heatmap/... */
void page_mohaa_map(struct app *app, struct req *r);            /* /mohaa/maps/{dir}/{map} */
void page_mohaa_match(struct app *app, struct req *r);          /* /mohaa/matches/{id} */
void page_mohaa_server(struct app *app, struct req *r);         /* /mohaa/servers/{id} */
void page_mohaa_achievements(struct app *app, struct req *r);   /* /mohaa/achievements */

/* /metrics (web/metrics.c) */
void mohaa_metrics(struct app *app, struct buf *out);

/* jobs (jobs/job-*.c): see the rows in module.c */
int job_mohaa_ingest(const struct cfg *cfg, int argc, char **argv);
int job_mohaa_server(const struct cfg *cfg, int argc, char **argv);

#endif
