/* module.c: the eve module's descriptor: routes, jobs, navigation. The one
 * place to look for any EVE URL's handler or job. */
#include "modules/eve/module.h"

static const struct route routes[] = {
	ROUTE_END,
};

static const struct gw_job jobs[] = {
	{ "eve-import", job_eve_import,
	  "import killmail files (R2Z2 day files, ESI JSON lines, tar.bz2/.gz archives)"
	  " [--batch N] [--prices] FILE... | --esi ID/HASH...",
	  NULL, NULL, 0 },
	{ "eve-static", job_eve_static,
	  "import the SDE tables (systems, regions, types, groups) [DIR] [--prices FILE]",
	  NULL, NULL, 0 },
	{ "eve-r2z2", job_eve_r2z2,
	  "follow zKillboard's R2Z2 killmail feed [--once | --duration S] [--from N]",
	  "* * * * *", "--duration 55", 90 },
	{ "eve-cluster", job_eve_cluster,
	  "cluster new killmails into battles, sides and reports [--full] [--gap MIN]"
	  " [--window MIN] [--min-kills N] [--no-correlate]",
	  "* * * * *", NULL, 300 },
	{ NULL, NULL, NULL, NULL, NULL, 0 },
};

const struct gw_module gw_module_eve = {
	.name = "eve",
	.title = "EVE Online battle reports",
	.summary = "Killmails clustered into battles, sides, recent kills and intel",
	.depends = NULL,
	.routes = routes,
	.jobs = jobs,
	.nav = NULL,
	.home = "/eve/",
};
