/* module.h: the BZCC module (Battlezone: Combat Commander live lobbies,
 * history, enrichment). Its descriptor and the handlers its route table
 * names; included only by the module's own files. Spec:
 * ../shared/specs/bzcc-live-sessions.md; layout: docs/ARCHITECTURE.md.
 *
 * Each handler serves the route named beside it, fills r's status, headers
 * and body, and maps its own failures to 400 (bad parameter, JSON
 * {"error","detail"} or an error page), 404 (unknown id) or 503 (database
 * unavailable). The dispatcher has already checked method, role, CSRF and
 * body limit and sets Cache-Control from the row. `app` is the worker's
 * state, `r` the parsed request with r->route_args[0] holding the {x}
 * segment, decoded. View models: docs/view-models.md and docs/history.md. */
#ifndef GW_BZCC_MODULE_H
#define GW_BZCC_MODULE_H

#include "cfg.h"
#include "platform/module.h"
#include "platform/web/route.h"

struct app;
struct req;

extern const struct gw_module gw_module_bzcc;

void page_home(struct app *app, struct req *r);            /* /bzcc/  live sessions, filters */
void page_session(struct app *app, struct req *r);         /* /bzcc/sessions/{id} */
void page_join(struct app *app, struct req *r);            /* /bzcc/join/{hex}  shareable join link (400: not a join argument) */
void api_sessions_current(struct app *app, struct req *r); /* /api/v1/sessions/current */
void api_session(struct app *app, struct req *r);          /* /api/v1/sessions/{id} */
void api_history_summary(struct app *app, struct req *r);  /* /api/v1/history/summary?minutes=N */
void page_history(struct app *app, struct req *r);         /* /bzcc/history  session list, filters, cursor */
void page_player(struct app *app, struct req *r);          /* /bzcc/players/{id | steam:ID | gog:ID} */
void page_maps(struct app *app, struct req *r);            /* /bzcc/maps */
void page_map(struct app *app, struct req *r);             /* /bzcc/maps/{map_key} */
void page_mods(struct app *app, struct req *r);            /* /bzcc/mods */
void page_mod(struct app *app, struct req *r);             /* /bzcc/mods/{mod_id} */
void page_analytics(struct app *app, struct req *r);       /* /bzcc/analytics  charts + tables */
void api_history_sessions(struct app *app, struct req *r); /* /api/v1/history/sessions (JSON or CSV) */
void api_history_player(struct app *app, struct req *r);   /* /api/v1/history/players/{id}?days=N */
void api_player(struct app *app, struct req *r);           /* /api/v1/players/{id} */
void api_maps(struct app *app, struct req *r);             /* /api/v1/maps (JSON or CSV) */
void api_map(struct app *app, struct req *r);              /* /api/v1/maps/{map_key} */
void api_mods(struct app *app, struct req *r);             /* /api/v1/mods (JSON or CSV) */
void api_mod(struct app *app, struct req *r);              /* /api/v1/mods/{mod_id} */
void api_analytics(struct app *app, struct req *r);        /* /api/v1/analytics?days=N */
void page_legacy_redirect(struct app *app, struct req *r); /* the pre-module root URLs: 301 to /bzcc/... */

/* The module's jobs (jobs/job-*.c): see the rows in module.c. */
int job_poll_bzcc(const struct cfg *cfg, int argc, char **argv);
int job_rollup(const struct cfg *cfg, int argc, char **argv);
void page_webhooks(struct app *app, struct req *r);           /* web/page-webhooks.c */
int job_notify(const struct cfg *cfg, int argc, char **argv);   /* jobs/job-notify.c */
int job_webhook(const struct cfg *cfg, int argc, char **argv);  /* jobs/job-notify.c */

#endif
