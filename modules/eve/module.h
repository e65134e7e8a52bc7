/* module.h: the EVE Online module (killmails to battles, sides and intel;
 * docs/specs/battlescope.md, issue 13). Its descriptor and the
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
void api_eve_stream(struct app *app, struct req *r);    /* /api/v1/killmails/stream  307 to the room */
void page_eve_roles(struct app *app, struct req *r);    /* /eve/admin/roles  GET list, POST grant/revoke */
void page_eve_rulesets(struct app *app, struct req *r); /* /eve/rulesets  GET show, POST save */

/* Access rules of the rows (web/access.c; route.h ROLE_MODULE): the
 * index of each in eve_access_rules, whose names the route list prints. */
#define EVE_RULE_REPORTS (ROLE_MODULE + 0)  /* battle-reports:user */
#define EVE_RULE_DIRECTOR (ROLE_MODULE + 1) /* battle-reports:director */
#define EVE_RULE_INTEL (ROLE_MODULE + 2)    /* battle-intel:user */
#define EVE_RULE_ROLES (ROLE_MODULE + 3)    /* roles:admin: an admin of any feature, or a superadmin */
extern const char *const eve_access_rules[];
/* The descriptor's access hook: 0, 401, 403 or 503 (platform/module.h). */
int eve_access_check(struct app *app, struct req *r, int rule);

/* EVE SSO, the module's sign-in provider "eve" (web/sso.c). */
extern const struct signin_provider *const eve_signin_providers[];

/* The rooms of gamewatch-stream (web/stream.c; platform/module.h). */
extern const char *const eve_stream_channels[];
int eve_stream_init(struct gw_stream_env *env);
void eve_stream_free(struct gw_stream_env *env);
int eve_stream_room(const char *room);
int eve_stream_message(struct gw_stream_env *env, const char *channel, const char *payload,
		       size_t len);
struct json_object *eve_stream_build(struct gw_stream_env *env, const char *room,
				     long long *version);
/* The pure part of build, for the unit tests: the document of `room` from
 * gw:eve:recent's document (borrowed). A new object, or NULL when `room`
 * is not an eve room. */
struct json_object *eve_room_doc(struct json_object *recent, const char *room);

/* The module's jobs (jobs/job-*.c): see the rows in module.c. */
int job_eve_import(const struct cfg *cfg, int argc, char **argv);
int job_eve_static(const struct cfg *cfg, int argc, char **argv);
int job_eve_r2z2(const struct cfg *cfg, int argc, char **argv);
int job_eve_cluster(const struct cfg *cfg, int argc, char **argv);
int job_eve_names(const struct cfg *cfg, int argc, char **argv);

#endif
