/* job.h: the jobs run by `gamewatch-job NAME [options]` (from cron in
 * production, from ./dev's scheduler loop in development). Each job returns
 * a process exit code: 0 success, 1 failure (logged), 2 usage or
 * configuration error. */
#ifndef GW_JOB_H
#define GW_JOB_H

#include "cfg.h"

/* Set by SIGINT/SIGTERM: long-running jobs stop at the next safe point. */
extern volatile int job_stop;

/* Apply sql/NNN-*.sql files from cfg->sql_dir that schema_migrations does
 * not list yet, in name order, each in its own transaction. */
int job_migrate(const struct cfg *cfg, int argc, char **argv);

/* Poll the BZCC lobby (cfg->raknet_url: http(s) or file://) every
 * cfg->poll_interval_s with the approved backoff, for --duration SECONDS
 * (default 55) or a single poll with --once; --replay DIR is reserved for
 * history backfill. Holds <run_dir>/gamewatch-poll-bzcc.lock. */
int job_poll_bzcc(const struct cfg *cfg, int argc, char **argv);

/* Create partitions ahead, recompute the daily rollups for the days touched
 * since the last run (--full: all days) and refresh the duration statistics.
 * Holds <run_dir>/gamewatch-rollup.lock. */
int job_rollup(const struct cfg *cfg, int argc, char **argv);

/* Fetch map, mod and player facts from upstream (seed list, getdata.php,
 * Steam, Workshop, GOG) with per-item backoff, parking and per-provider
 * circuit breakers (jobs/job-enrich.c, docs/enrichment.md). Holds
 * <run_dir>/gamewatch-enrich.lock. */
int job_enrich(const struct cfg *cfg, int argc, char **argv);

/* Mirror every picture a page shows (maps, mods, avatars) into our own
 * storage, validated and content-addressed (jobs/job-mirror.c). Holds
 * <run_dir>/gamewatch-mirror.lock. */
int job_mirror(const struct cfg *cfg, int argc, char **argv);

/* The integrity sweep of mirrored pictures: re-hash, dedupe, quarantine
 * (jobs/job-mirror.c). Holds <run_dir>/gamewatch-asset-sweep.lock. */
int job_asset_sweep(const struct cfg *cfg, int argc, char **argv);

#endif
