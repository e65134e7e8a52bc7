/* metrics.c: the BZCC module's part of /metrics (metrics.h). */
#include "modules/bzcc/web/metrics.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "platform/web/app.h"
#include "platform/web/prom.h"

#define POLL_N 9
/* bucket bounds: in seconds for le, in ms (duration_ms) for the query */
static const char *const poll_le[POLL_N] = {
	"0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30",
};
static const char *const poll_le_ms[POLL_N] = {
	"50", "100", "250", "500", "1000", "2500", "5000", "10000", "30000",
};

/* Totals of this process over the rows with id <= polls_upto; [0] the
 * rejected polls, [1] the successful ones. */
struct poll_acc {
	uint64_t count;
	uint64_t cum[POLL_N];   /* cumulative: polls with duration_ms <= poll_le_ms[i] */
	uint64_t sum_ms;
};
static struct poll_acc polls[2];
static long long polls_upto;

static const char *aggregate_sql(void)
{
	static struct buf sql = BUF_INIT;
	int i;
	if (sql.len)
		return sql.data;
	buf_addstr(&sql, "SELECT ok, count(*), coalesce(sum(duration_ms), 0)");
	for (i = 0; i < POLL_N; i++)
		buf_addf(&sql, ", count(*) FILTER (WHERE duration_ms <= $%d::int)", i + 3);
	buf_addstr(&sql, " FROM bzcc.polls WHERE id > $1::bigint AND id <= $2::bigint GROUP BY ok");
	return sql.data;
}

/* Read the rows above the watermark into `polls`. Returns 0 or -1. */
static int catch_up(struct db *db, long long max_id)
{
	const char *params[2 + POLL_N];
	char from[24], to[24];
	PGresult *res;
	int row, i;

	if (max_id < polls_upto) {
		/* the table was emptied or recreated: count again */
		memset(polls, 0, sizeof polls);
		polls_upto = 0;
	}
	if (max_id == polls_upto)
		return 0;
	snprintf(from, sizeof from, "%lld", polls_upto);
	snprintf(to, sizeof to, "%lld", max_id);
	params[0] = from;
	params[1] = to;
	for (i = 0; i < POLL_N; i++)
		params[2 + i] = poll_le_ms[i];
	res = db_exec(db, aggregate_sql(), 2 + POLL_N, params);
	if (!res)
		return -1;
	for (row = 0; row < PQntuples(res); row++) {
		struct poll_acc *a = &polls[PQgetvalue(res, row, 0)[0] == 't'];
		a->count += strtoull(PQgetvalue(res, row, 1), NULL, 10);
		a->sum_ms += strtoull(PQgetvalue(res, row, 2), NULL, 10);
		for (i = 0; i < POLL_N; i++)
			a->cum[i] += strtoull(PQgetvalue(res, row, 3 + i), NULL, 10);
	}
	PQclear(res);
	polls_upto = max_id;
	return 0;
}

void bzcc_metrics(struct app *app, struct buf *out)
{
	static const char sql_exists[] = "SELECT to_regclass('bzcc.polls') IS NOT NULL";
	/* both through indexes: the primary key, polls_ok_taken_idx */
	static const char sql_head[] =
		"SELECT (SELECT coalesce(max(id), 0) FROM bzcc.polls),"
		" (SELECT extract(epoch FROM max(taken_at))::float8 FROM bzcc.polls WHERE ok)";
	static const char *const result[2] = { "result=\"rejected\"", "result=\"ok\"" };
	PGresult *res = db_exec(&app->db, sql_exists, 0, NULL);
	double last_ok = -1;
	long long max_id;
	int k, i;

	if (!res)
		return;
	k = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (!k)
		return;
	res = db_exec(&app->db, sql_head, 0, NULL);
	if (!res)
		return;
	max_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (!PQgetisnull(res, 0, 1))
		last_ok = strtod(PQgetvalue(res, 0, 1), NULL);
	PQclear(res);
	if (catch_up(&app->db, max_id) < 0)
		return;

	prom_family(out, "gamewatch_bzcc_polls_total", "counter",
		    "BZCC lobby polls, by result: ok (stored) or rejected (fetch or decode failed)");
	for (k = 1; k >= 0; k--)
		prom_sample_u64(out, "gamewatch_bzcc_polls_total", result[k], polls[k].count);
	prom_family(out, "gamewatch_bzcc_poll_duration_seconds", "histogram",
		    "Duration of BZCC lobby polls (fetch, decode, store), by result");
	for (k = 1; k >= 0; k--) {
		uint64_t counts[POLL_N + 1], prev = 0;
		for (i = 0; i < POLL_N; i++) {
			counts[i] = polls[k].cum[i] - prev;
			prev = polls[k].cum[i];
		}
		counts[POLL_N] = polls[k].count - prev;
		prom_histogram(out, "gamewatch_bzcc_poll_duration_seconds", result[k], poll_le,
			       POLL_N, counts, polls[k].sum_ms / 1e3);
	}
	if (last_ok >= 0) {
		prom_family(out, "gamewatch_bzcc_poll_last_success_timestamp_seconds", "gauge",
			    "When the newest successful BZCC lobby poll was taken (Unix time)");
		prom_sample_f64(out, "gamewatch_bzcc_poll_last_success_timestamp_seconds", NULL,
				last_ok);
	}
}
