/* module.h: the EVE Online module (killmails to battles, sides and intel;
 * ../shared/specs/battlescope.md, issue 13). Its descriptor and the
 * handlers and jobs its tables name; included only by the module's own
 * files. Algorithms: docs/eve-battles.md; formats: modules/eve/FORMAT.md.
 *
 * Each handler serves the route named beside it in module.c and maps its
 * own failures to 400 (bad parameter: JSON {"error","detail"} or the error
 * page), 404 (unknown id) or 503 (database unavailable); the dispatcher has
 * already checked method and body and sets Cache-Control from the row.
 * r->route_args[0] holds the {id} segment, decoded. */
#ifndef GW_EVE_MODULE_H
#define GW_EVE_MODULE_H

#include "cfg.h"
#include "platform/module.h"
#include "platform/web/route.h"

struct app;
struct req;

extern const struct gw_module gw_module_eve;

void page_eve_battles(struct app *app, struct req *r);  /* /eve/  battle list, filters, cursor */
void page_eve_battle(struct app *app, struct req *r);   /* /eve/battles/{id}  battle report */
void page_eve_kills(struct app *app, struct req *r);    /* /eve/kills  recent killmails */
void page_eve_summary(struct app *app, struct req *r);  /* /eve/intel  the game's last days */
void page_eve_entity(struct app *app, struct req *r);   /* /eve/intel/{alliances,corporations,characters}/{id} */
void api_eve_battles(struct app *app, struct req *r);   /* /api/v1/battles */
void api_eve_battle(struct app *app, struct req *r);    /* /api/v1/battles/{id} */
void api_eve_recent(struct app *app, struct req *r);    /* /api/v1/killmails/recent */
void api_eve_summary(struct app *app, struct req *r);   /* /api/v1/intel/summary */
void api_eve_intel(struct app *app, struct req *r);     /* /api/v1/intel/{kind}/{id}[/opponents|/ships] */

/* The module's jobs (jobs/job-*.c): see the rows in module.c. */
int job_eve_import(const struct cfg *cfg, int argc, char **argv);
int job_eve_static(const struct cfg *cfg, int argc, char **argv);
int job_eve_r2z2(const struct cfg *cfg, int argc, char **argv);
int job_eve_cluster(const struct cfg *cfg, int argc, char **argv);
int job_eve_names(const struct cfg *cfg, int argc, char **argv);

#endif
