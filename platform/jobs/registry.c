/* registry.c: the platform's own jobs and the lookup over every enabled
 * module's (struct gw_module.jobs). */
#include <string.h>

#include "platform/jobs/job.h"
#include "platform/module.h"

volatile int job_stop;

const struct gw_job platform_jobs[] = {
	{ "migrate", job_migrate, "apply pending migrations (platform first, then modules)",
	  NULL, NULL, 0 },
	{ "enrich", job_enrich,
	  "facts from upstream providers of the enabled modules [--once | --duration S]"
	  " [--limit N] [--force] [--only PROVIDER,...]",
	  "*/5 * * * *", "--duration 50", 300 },
	{ "mirror", job_mirror,
	  "copy pictures to our own storage [--once | --duration S] [--limit N] [--force]"
	  " [--only KIND,...]",
	  "2-59/5 * * * *", "--duration 50", 300 },
	{ "user", job_user,
	  "local accounts: add NAME [--role ROLE] [--password-stdin] | passwd NAME | role NAME ROLE | list",
	  NULL, NULL, 0 },
	{ "asset-sweep", job_asset_sweep, "re-hash mirrored files, dedupe, quarantine bad ones",
	  "17 3 * * *", NULL, 3600 },
	{ NULL, NULL, NULL, NULL, NULL, 0 },
};

const struct gw_job *job_find(const char *name, const struct gw_module **module)
{
	const struct gw_module *const *m;
	const struct gw_job *j;
	if (module)
		*module = NULL;
	for (j = platform_jobs; j->name; j++)
		if (!strcmp(j->name, name))
			return j;
	for (m = gw_modules(); *m; m++)
		for (j = (*m)->jobs; j && j->name; j++)
			if (!strcmp(j->name, name)) {
				if (module)
					*module = *m;
				return j;
			}
	return NULL;
}

