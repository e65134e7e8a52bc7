/* module.h: the BZCC module (Battlezone: Combat Commander live lobbies,
 * history, enrichment). Its descriptor and the handlers its route table
 * names; included only by the module's own files. Spec:
 * docs/specs/bzcc-live-sessions.md; layout: docs/ARCHITECTURE.md.
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

#include <json-c/json.h>

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

/* The Team Picker (web/api-picker.c; domain/picker.h). */
void api_team_picker(struct app *app, struct req *r);          /* GET /api/v1/team_picker/{session_id} */
void api_team_picker_start(struct app *app, struct req *r);    /* POST .../start */
void api_team_picker_toss(struct app *app, struct req *r);     /* POST .../coin_toss */
void api_team_picker_pick(struct app *app, struct req *r);     /* POST .../pick */
void api_team_picker_finalize(struct app *app, struct req *r); /* POST .../finalize */
void api_team_picker_cancel(struct app *app, struct req *r);   /* POST .../cancel */
void page_team_picker(struct app *app, struct req *r);         /* GET /bzcc/sessions/{id}/team-picker */
/* The picker document of session `sid` (the GET answer): a new object, or
 * NULL with *status 404 (no such session) or 503. */
struct json_object *bzcc_picker_doc(struct app *app, const char *sid, int *status);

/* Presence and admin pages (web/api-presence.c, web/page-admin.c). */
void api_presence_in_game(struct app *app, struct req *r);     /* GET /api/v1/presence/in_game */
void page_admin_lobby(struct app *app, struct req *r);         /* GET /bzcc/admin/lobby */
void page_admin_sessions(struct app *app, struct req *r);      /* GET /bzcc/admin/sessions */
void page_admin_snapshots(struct app *app, struct req *r);     /* GET /bzcc/admin/snapshots */

/* What the module gives the platform's accounts (web/accounts-hooks.c):
 * the members of its struct gw_account_hooks. */
extern const struct gw_watch_kind bzcc_watch_kinds[];
extern const struct gw_curation_kind bzcc_curation_kinds[];
extern const struct gw_nav bzcc_admin_nav[];
struct json_object *bzcc_profile_activity(struct app *app, struct json_object *identities);

/* Add to a page's `ctx` "watch_url" (/account/watch for (kind, key) with
 * `label`) and, when `curate` (a map or mod), "propose_url"
 * (/curation/propose). All arguments borrowed. */
void bzcc_account_links(struct json_object *ctx, const char *kind, const char *key,
			const char *label, int curate);

/* "save_filter_url": /account/filters/new for the request's own path and
 * query (a list page's filters). */
void bzcc_save_filter_link(struct json_object *ctx, const struct req *r);

/* The module's jobs (jobs/job-*.c): see the rows in module.c. */
int job_poll_bzcc(const struct cfg *cfg, int argc, char **argv);
int job_rollup(const struct cfg *cfg, int argc, char **argv);
void page_webhooks(struct app *app, struct req *r);           /* web/page-webhooks.c */
int job_notify(const struct cfg *cfg, int argc, char **argv);   /* jobs/job-notify.c */
int job_webhook(const struct cfg *cfg, int argc, char **argv);  /* jobs/job-notify.c */

#endif
