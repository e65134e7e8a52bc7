/* job-runs.h: the job_runs table (platform/sql/004-job-runs.sql), written by
 * gamewatch-job around every job it runs: one row per run with job,
 * module ("platform" for the platform's jobs), started_at, finished_at and
 * exit_code. Recording is best effort: a database that is down, or has no
 * job_runs table yet (the first `migrate`), only costs a logged warning (or
 * a debug line) and never changes the job's outcome. Each call opens its own
 * short connection (connect_timeout 5 s) and closes it, so a long job holds
 * no extra connection. */
#ifndef GW_JOB_RUNS_H
#define GW_JOB_RUNS_H

#include <stdint.h>

/* Insert the run's row with started_at = now(). Returns its id (> 0), or 0
 * when it was not recorded. */
int64_t job_run_begin(const char *database_url, const char *job, const char *module);

/* Complete the run: set finished_at = now() and exit_code on row `id`; when
 * id is 0 (the start was not recorded, e.g. migrate created the table),
 * insert the whole row with started_at = `started_ms` (Unix milliseconds)
 * instead. Failures are logged and ignored. */
void job_run_end(const char *database_url, int64_t id, const char *job, const char *module,
		 int64_t started_ms, int exit_code);

#endif
