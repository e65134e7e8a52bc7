/* metrics.c: the MOHAA module's part of /metrics, under the original
 * system's metric names (opm-stats-system worker/pool.go; modules/mohaa/README.md):
 *
 *   mohaa_events_ingested_total            events answered 202 (Redis counter, kept
 *                                          with the stream in the append-only file)
 *   mohaa_events_processed_total           events written to PostgreSQL (mohaa.batches)
 *   mohaa_events_failed_total              events of entries the job could not write
 *   mohaa_events_load_shed_total           events answered 429 (backlog full)
 *   mohaa_worker_queue_depth               stream entries not yet written (XLEN)
 *   mohaa_batch_insert_duration_seconds    histogram of the job's batch transactions
 *
 * The PostgreSQL part is accumulated per process above a watermark of
 * mohaa.batches ids (as bzcc's polls), so a refresh reads only new rows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "kv.h"
#include "modules/mohaa/module.h"
#include "modules/mohaa/store/queue.h"
#include "platform/web/app.h"
#include "platform/web/prom.h"

/* Prometheus client libraries' default buckets, as the original's histogram. */
#define NB 11
static const char *const le[NB] = { "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
				     "2.5", "5", "10" };
static const char *const le_ms[NB] = { "5", "10", "25", "50", "100", "250", "500", "1000",
				       "2500", "5000", "10000" };

static struct {
	long long upto;
	uint64_t processed, failed, batches, cum[NB];
	double sum_ms;
} acc;

static int catch_up(struct db *db)
{
	static struct buf sql = BUF_INIT;
	const char *params[2 + NB];
	char from[24], to[24];
	PGresult *res;
	long long max_id;
	int i;

	res = db_exec(db, "SELECT coalesce(max(id), 0) FROM mohaa.batches", 0, NULL);
	if (!res)
		return -1;
	max_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (max_id < acc.upto)
		memset(&acc, 0, sizeof acc); /* the table was emptied */
	if (max_id == acc.upto)
		return 0;
	if (!sql.len) {
		buf_addstr(&sql, "SELECT coalesce(sum(events), 0), coalesce(sum(failed), 0),"
				 " count(*) FILTER (WHERE entries > 0),"
				 " coalesce(sum(duration_ms) FILTER (WHERE entries > 0), 0)");
		for (i = 0; i < NB; i++)
			buf_addf(&sql, ", count(*) FILTER (WHERE entries > 0 AND duration_ms <= $%d::float8)",
				 i + 3);
		buf_addstr(&sql, " FROM mohaa.batches WHERE id > $1::bigint AND id <= $2::bigint");
	}
	snprintf(from, sizeof from, "%lld", acc.upto);
	snprintf(to, sizeof to, "%lld", max_id);
	params[0] = from;
	params[1] = to;
	for (i = 0; i < NB; i++)
		params[2 + i] = le_ms[i];
	res = db_exec(db, sql.data, 2 + NB, params);
	if (!res)
		return -1;
	acc.processed += strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	acc.failed += strtoull(PQgetvalue(res, 0, 1), NULL, 10);
	acc.batches += strtoull(PQgetvalue(res, 0, 2), NULL, 10);
	acc.sum_ms += strtod(PQgetvalue(res, 0, 3), NULL);
	for (i = 0; i < NB; i++)
		acc.cum[i] += strtoull(PQgetvalue(res, 0, 4 + i), NULL, 10);
	PQclear(res);
	acc.upto = max_id;
	return 0;
}

void mohaa_metrics(struct app *app, struct buf *out)
{
	long long ingested = mohaa_queue_counter(&app->kv, MOHAA_KEY_INGESTED);
	long long shed = ingested >= 0 ? mohaa_queue_counter(&app->kv, MOHAA_KEY_SHED) : -1;
	long long depth = ingested >= 0 ? mohaa_queue_depth(&app->kv) : -1;
	PGresult *res;
	int have_db = 0;

	if (ingested >= 0) {
		prom_family(out, "mohaa_events_ingested_total", "counter",
			    "MOHAA events accepted (202) into the durable ingest queue");
		prom_sample_u64(out, "mohaa_events_ingested_total", NULL, (uint64_t)ingested);
	}
	if (shed >= 0) {
		prom_family(out, "mohaa_events_load_shed_total", "counter",
			    "MOHAA events refused with 429 because the ingest backlog was full");
		prom_sample_u64(out, "mohaa_events_load_shed_total", NULL, (uint64_t)shed);
	}
	if (depth >= 0) {
		prom_family(out, "mohaa_worker_queue_depth", "gauge",
			    "MOHAA ingest stream entries (requests) not yet written to PostgreSQL");
		prom_sample_u64(out, "mohaa_worker_queue_depth", NULL, (uint64_t)depth);
	}
	res = db_exec(&app->db, "SELECT to_regclass('mohaa.batches') IS NOT NULL", 0, NULL);
	if (res) {
		have_db = PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
	}
	if (!have_db || catch_up(&app->db) < 0)
		return;
	prom_family(out, "mohaa_events_processed_total", "counter",
		    "MOHAA events written to PostgreSQL by the ingest job");
	prom_sample_u64(out, "mohaa_events_processed_total", NULL, acc.processed);
	prom_family(out, "mohaa_events_failed_total", "counter",
		    "MOHAA events of queue entries the ingest job could not write (kept in"
		    " mohaa.failed_entries)");
	prom_sample_u64(out, "mohaa_events_failed_total", NULL, acc.failed);
	prom_family(out, "mohaa_batch_insert_duration_seconds", "histogram",
		    "Duration of the ingest job's batch transactions (parse, derive, COPY, commit)");
	{
		uint64_t counts[NB + 1], prev = 0;
		int i;
		for (i = 0; i < NB; i++) {
			counts[i] = acc.cum[i] - prev;
			prev = acc.cum[i];
		}
		counts[NB] = acc.batches - prev;
		prom_histogram(out, "mohaa_batch_insert_duration_seconds", NULL, le, NB, counts,
			       acc.sum_ms / 1e3);
	}
}
