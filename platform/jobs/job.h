/* job.h: the jobs run by `gamewatch-job NAME [options]` (from cron in
 * production, from ./dev's scheduler loop in development). Each job returns
 * a process exit code: 0 success, 1 failure (logged), 2 usage or
 * configuration error. */
#ifndef GW_JOB_H
#define GW_JOB_H

#include "cfg.h"
#include "platform/module.h"

/* Set by SIGINT/SIGTERM: long-running jobs stop at the next safe point. */
extern volatile int job_stop;

/* Apply sql/NNN-*.sql files from cfg->sql_dir that schema_migrations does
 * not list yet, in name order, each in its own transaction. */
int job_migrate(const struct cfg *cfg, int argc, char **argv);

/* Fetch names and facts from the enrichment providers of the enabled
 * modules (platform/enrich/engine.h). Holds <run_dir>/gamewatch-enrich.lock. */
int job_enrich(const struct cfg *cfg, int argc, char **argv);

/* Mirror every picture a page shows (the picture kinds of the enabled
 * modules) into our own storage, validated and content-addressed
 * (platform/assets/job-mirror.c). Holds <run_dir>/gamewatch-mirror.lock. */
int job_mirror(const struct cfg *cfg, int argc, char **argv);

/* The integrity sweep of mirrored pictures: re-hash, dedupe, quarantine
 * (platform/assets/job-sweep.c). Holds <run_dir>/gamewatch-asset-sweep.lock. */
int job_asset_sweep(const struct cfg *cfg, int argc, char **argv);

/* The platform's own jobs (migrate, enrich, mirror, asset-sweep), terminated by a
 * row with name NULL; modules add theirs in their descriptors. */
struct gw_job;
extern const struct gw_job platform_jobs[];

/* Find a job by name over the platform's and the enabled modules' rows;
 * *module (may be NULL) gets its module (NULL for a platform job). */
struct gw_module;
const struct gw_job *job_find(const char *name, const struct gw_module **module);

#endif
