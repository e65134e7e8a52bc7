/* module.c: the MOHAA module's descriptor. */
#include "modules/mohaa/module.h"

static const struct route routes[] = {
	ROUTE_END,
};

const struct gw_module gw_module_mohaa = {
	.name = "mohaa",
	.title = "Medal of Honor: Allied Assault",
	.summary = "Match telemetry: leaderboards, players, matches, heatmaps",
	.routes = routes,
	.home = "/mohaa/",
};
