/* module.c: the eve module's descriptor: routes, jobs, navigation. The one
 * place to look for any EVE URL's handler or job. */
#include "modules/eve/module.h"

static const struct route routes[] = {
	ROUTE_END,
};

const struct gw_module gw_module_eve = {
	.name = "eve",
	.title = "EVE Online battle reports",
	.summary = "Killmails clustered into battles, sides, recent kills and intel",
	.depends = NULL,
	.routes = routes,
	.jobs = NULL,
	.nav = NULL,
	.home = "/eve/",
};
