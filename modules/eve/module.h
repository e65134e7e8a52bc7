/* module.h: the EVE Online module (killmails to battles, sides and intel;
 * ../shared/specs/battlescope.md, issue 13). Its descriptor and the
 * handlers and jobs its tables name; included only by the module's own
 * files. Algorithms: docs/eve-battles.md; formats: docs/eve-format.md.
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

/* The module's jobs (jobs/job-*.c): see the rows in module.c. */
int job_eve_import(const struct cfg *cfg, int argc, char **argv);
int job_eve_static(const struct cfg *cfg, int argc, char **argv);
int job_eve_r2z2(const struct cfg *cfg, int argc, char **argv);
int job_eve_cluster(const struct cfg *cfg, int argc, char **argv);

#endif
