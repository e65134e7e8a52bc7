-- platform 004-job-runs.sql: one row per run of a job, written by
-- `gamewatch-job` itself around the job (platform/jobs/job-runs.h): the row
-- is inserted when the job starts and completed when it returns. A run
-- killed outright (SIGKILL, a crash) keeps finished_at and exit_code NULL.
-- /metrics reads it (job runs, durations, failures). Recorded as
-- (platform, 004). New in the module layout: no legacy file.
CREATE TABLE job_runs (
	id             bigserial PRIMARY KEY,
	job            text NOT NULL,           -- the registry name ("migrate", "mirror", ...)
	module         text NOT NULL,           -- "platform" or the module's name
	started_at     timestamptz NOT NULL,
	finished_at    timestamptz,             -- NULL while running (or killed)
	exit_code      int                      -- the job's exit code: 0 ok, 1 failed, 2 usage
);
CREATE INDEX job_runs_job_started_idx ON job_runs (job, started_at DESC);
