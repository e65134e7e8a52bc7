/* job-runs.c: best-effort rows in job_runs around each job (job-runs.h). */
#include "platform/jobs/job-runs.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* A connection with a bounded connect time, or NULL (logged). The URL may be
 * a URI or a conninfo string: expand_dbname lets libpq read either. */
static PGconn *connect_short(const char *url)
{
	const char *keys[] = { "dbname", "connect_timeout", NULL };
	const char *vals[] = { url, "5", NULL };
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		log_warn("job_runs: could not connect to record the run: %s",
			 c ? PQerrorMessage(c) : "out of memory");
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* Does job_runs exist (the first migrate runs before it does)? */
static int have_table(PGconn *c)
{
	PGresult *r = PQexec(c, "SELECT to_regclass('job_runs') IS NOT NULL");
	int yes = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
		  !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	return yes;
}

static PGresult *run(PGconn *c, const char *sql, int n, const char *const *params,
		     ExecStatusType want)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != want) {
		log_warn("job_runs: could not record the run: %s", PQresultErrorMessage(r));
		PQclear(r);
		return NULL;
	}
	return r;
}

int64_t job_run_begin(const char *database_url, const char *job, const char *module)
{
	const char *params[] = { job, module };
	PGconn *c = connect_short(database_url);
	PGresult *r;
	int64_t id = 0;
	if (!c)
		return 0;
	if (!have_table(c)) {
		log_debug("job_runs: no table yet; the run is recorded when it ends");
		PQfinish(c);
		return 0;
	}
	r = run(c, "INSERT INTO job_runs (job, module, started_at) VALUES ($1, $2, now())"
		   " RETURNING id", 2, params, PGRES_TUPLES_OK);
	if (r) {
		id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
	}
	PQfinish(c);
	return id;
}

void job_run_end(const char *database_url, int64_t id, const char *job, const char *module,
		 int64_t started_ms, int exit_code)
{
	char sid[24], scode[16], sstart[24];
	PGconn *c = connect_short(database_url);
	PGresult *r;
	if (!c)
		return;
	snprintf(sid, sizeof sid, "%" PRId64, id);
	snprintf(scode, sizeof scode, "%d", exit_code);
	snprintf(sstart, sizeof sstart, "%" PRId64, started_ms);
	if (id > 0) {
		const char *params[] = { sid, scode };
		r = run(c, "UPDATE job_runs SET finished_at = now(), exit_code = $2::int"
			   " WHERE id = $1::bigint", 2, params, PGRES_COMMAND_OK);
	} else if (have_table(c)) {
		const char *params[] = { job, module, sstart, scode };
		r = run(c, "INSERT INTO job_runs (job, module, started_at, finished_at, exit_code)"
			   " VALUES ($1, $2, to_timestamp($3::bigint / 1000.0), now(), $4::int)",
			4, params, PGRES_COMMAND_OK);
	} else {
		r = NULL;
	}
	PQclear(r);
	PQfinish(c);
}
