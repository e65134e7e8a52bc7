/* metrics.c: request counters in memory shared by the pool's workers, the
 * platform's database-derived metrics, and GET /metrics (metrics.h). */
#include "platform/web/metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "platform/module.h"
#include "platform/web/app.h"
#include "platform/web/prom.h"
#include "platform/web/req.h"
#include "platform/web/route.h"
#include "timeutil.h"

/* ------------------------------------------------------------ the region */

enum { N_METHODS = 8, N_CODES = 5, N_REASONS = 3, MAX_TABLES = 64 };

static const char *const method_names[N_METHODS] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other",
};
static const char *const code_names[N_CODES] = { "1xx", "2xx", "3xx", "4xx", "5xx" };
static const char *const reason_names[N_REASONS] = { "recycled", "failed", "signal" };
static const double latency_bounds[METRICS_LATENCY_N] = METRICS_LATENCY_BOUNDS;
static const char *const latency_le[METRICS_LATENCY_N] = {
	"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
	"1", "2.5", "5",
};

/* One route row's counters. Atomic adds from any worker; zero-filled by
 * mmap, which is a valid initial state for these lock-free types. */
struct slot {
	_Atomic uint64_t requests[N_METHODS][N_CODES];
	_Atomic uint64_t buckets[METRICS_LATENCY_N + 1]; /* per bucket, not cumulative */
	_Atomic uint64_t sum_ns;
};

struct region {
	_Atomic uint64_t restarts[N_REASONS];
	_Atomic uint64_t workers;       /* the pool's size; 0 without a pool */
	struct slot slots[];            /* 0: unmatched, then every row in table order */
};

struct table {
	const struct route *rows;
	size_t n;
	const char *module;
	size_t first;                   /* slot of rows[0] */
};

static struct table tables[MAX_TABLES];
static size_t n_tables, n_slots;
static struct region *region;
static size_t region_size;
static bool region_shared;
static int64_t bound_ns[METRICS_LATENCY_N];
/* label text per slot ('module="m",route="/p"'), in one buffer */
static struct buf slot_labels = BUF_INIT;
static size_t *label_off;

int metrics_register_routes(const struct route *rows, const char *module)
{
	const struct route *r;
	if (region || n_tables == MAX_TABLES)
		return -1;
	tables[n_tables].rows = rows;
	tables[n_tables].module = module;
	for (r = rows; r && r->pattern; r++)
		tables[n_tables].n++;
	n_tables++;
	return 0;
}

static void add_slot_labels(size_t slot, const char *module, const char *pattern)
{
	struct prom_label l[2] = { { "module", module }, { "route", pattern } };
	label_off[slot] = slot_labels.len;
	prom_labels(&slot_labels, l, 2);
	buf_addch(&slot_labels, '\0');
}

int metrics_setup(bool shared)
{
	const struct gw_module *const *m;
	size_t i, j, slot;
	void *p;

	if (region)
		return 0;
	if (!n_tables) {
		metrics_register_routes(platform_routes, "platform");
		for (m = gw_modules(); *m; m++)
			metrics_register_routes((*m)->routes, (*m)->name);
	}
	n_slots = 1;
	for (i = 0; i < n_tables; i++) {
		tables[i].first = n_slots;
		n_slots += tables[i].n;
	}
	region_size = sizeof(struct region) + n_slots * sizeof(struct slot);
	p = mmap(NULL, region_size, PROT_READ | PROT_WRITE,
		 (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		log_error("could not map %zu bytes for the request metrics", region_size);
		return -1;
	}
	label_off = calloc(n_slots, sizeof *label_off);
	if (!label_off)
		abort();
	buf_reset(&slot_labels);
	add_slot_labels(0, "platform", "(unmatched)");
	for (i = 0, slot = 1; i < n_tables; i++)
		for (j = 0; j < tables[i].n; j++)
			add_slot_labels(slot++, tables[i].module, tables[i].rows[j].pattern);
	for (i = 0; i < METRICS_LATENCY_N; i++)
		bound_ns[i] = (int64_t)(latency_bounds[i] * 1e9 + 0.5);
	region = p;
	region_shared = shared;
	return 0;
}

void metrics_pool_init(int workers)
{
	if (metrics_setup(true) == 0 && region_shared)
		atomic_store(&region->workers, (uint64_t)workers);
}

void metrics_worker_exited(int st)
{
	int reason = WIFSIGNALED(st) ? 2 : (WIFEXITED(st) && WEXITSTATUS(st) == 0) ? 0 : 1;
	if (region)
		atomic_fetch_add_explicit(&region->restarts[reason], 1, memory_order_relaxed);
}

void metrics_reset(void)
{
	if (region)
		munmap(region, region_size);
	region = NULL;
	region_shared = false;
	memset(tables, 0, sizeof tables);
	n_tables = n_slots = 0;
	free(label_off);
	label_off = NULL;
	buf_release(&slot_labels);
}

int64_t metrics_clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static size_t slot_of(const struct route *rt)
{
	size_t i;
	if (!rt)
		return 0;
	for (i = 0; i < n_tables; i++)
		if (rt >= tables[i].rows && rt < tables[i].rows + tables[i].n)
			return tables[i].first + (size_t)(rt - tables[i].rows);
	return 0;
}

static int method_class(const char *m)
{
	int i;
	for (i = 0; i < N_METHODS - 1; i++)
		if (m && !strcmp(m, method_names[i]))
			return i;
	return N_METHODS - 1;
}

void metrics_observe(const struct route *rt, const char *method, int status, int64_t ns)
{
	struct slot *s;
	int code = status / 100 - 1, b = 0;

	if (!region && metrics_setup(false) < 0)
		return;
	if (code < 0)
		code = 0;
	if (code >= N_CODES)
		code = N_CODES - 1;
	if (ns < 0)
		ns = 0;
	while (b < METRICS_LATENCY_N && ns > bound_ns[b])
		b++;
	s = &region->slots[slot_of(rt)];
	atomic_fetch_add_explicit(&s->requests[method_class(method)][code], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->sum_ns, (uint64_t)ns, memory_order_relaxed);
}

/* One counter line: name{<slot labels>,method="M",code="C"} v */
static void request_line(struct buf *out, const char *labels, int m, int c, uint64_t v)
{
	buf_addstr(out, "gamewatch_http_requests_total{");
	buf_addstr(out, labels);
	buf_addstr(out, ",method=\"");
	buf_addstr(out, method_names[m]);
	buf_addstr(out, "\",code=\"");
	buf_addstr(out, code_names[c]);
	buf_addstr(out, "\"} ");
	prom_u64(out, v);
	buf_addch(out, '\n');
}

void metrics_write_requests(struct buf *out)
{
	size_t i;
	int m, c, b;

	if (!region && metrics_setup(false) < 0)
		return;
	prom_family(out, "gamewatch_metrics_shared", "gauge",
		    "1: the request metrics are totals over every worker of the pre-fork pool "
		    "(shared memory); 0: they count only the worker process that answered this "
		    "scrape (the web server spawns workers itself, e.g. mod_fcgid)");
	prom_sample_u64(out, "gamewatch_metrics_shared", NULL, region_shared);

	prom_family(out, "gamewatch_http_requests_total", "counter",
		    "HTTP requests answered, by route pattern, method and status class");
	for (i = 0; i < n_slots; i++) {
		struct slot *s = &region->slots[i];
		for (m = 0; m < N_METHODS; m++)
			for (c = 0; c < N_CODES; c++) {
				uint64_t v = atomic_load_explicit(&s->requests[m][c],
								  memory_order_relaxed);
				if (v)
					request_line(out, slot_labels.data + label_off[i], m, c, v);
			}
	}

	prom_family(out, "gamewatch_http_request_duration_seconds", "histogram",
		    "Time from reading a request to handing its whole response to the "
		    "FastCGI library, by route pattern");
	for (i = 0; i < n_slots; i++) {
		struct slot *s = &region->slots[i];
		uint64_t counts[METRICS_LATENCY_N + 1], total = 0;
		for (b = 0; b <= METRICS_LATENCY_N; b++)
			total += counts[b] = atomic_load_explicit(&s->buckets[b], memory_order_relaxed);
		if (!total)
			continue;
		prom_histogram(out, "gamewatch_http_request_duration_seconds",
			       slot_labels.data + label_off[i], latency_le, METRICS_LATENCY_N, counts,
			       (double)atomic_load_explicit(&s->sum_ns, memory_order_relaxed) / 1e9);
	}

	if (!region_shared)
		return;
	prom_family(out, "gamewatch_worker_restarts_total", "counter",
		    "Workers the pre-fork pool replaced, by why the old one ended: recycled "
		    "(exit 0: request quota or SIGTERM), failed (non-zero exit), signal (killed)");
	for (i = 0; i < N_REASONS; i++) {
		char lab[32];
		snprintf(lab, sizeof lab, "reason=\"%s\"", reason_names[i]);
		prom_sample_u64(out, "gamewatch_worker_restarts_total", lab,
				atomic_load_explicit(&region->restarts[i], memory_order_relaxed));
	}
	prom_family(out, "gamewatch_pool_workers", "gauge",
		    "Workers the pre-fork pool keeps running");
	prom_sample_u64(out, "gamewatch_pool_workers", NULL,
			atomic_load_explicit(&region->workers, memory_order_relaxed));
}

/* ---------------------------------------------------------- database part */

/* job_runs(id bigserial, job text, module text, started_at timestamptz,
 * finished_at timestamptz, exit_code int), written by the job runner.
 *
 * The table grows by every run of every job, so a scrape does not
 * aggregate all of it: each process keeps the totals of the rows up to a
 * watermark (`settled_upto`: every row at or below it has finished, or is
 * abandoned, i.e. unfinished and started over a day ago, which is never
 * counted) and each refresh reads only the rows above it: one aggregate
 * moves the watermark to just below the oldest recent unfinished run, the
 * other adds the newly settled rows to the totals and the finished rows
 * above the new watermark to this scrape only. A first refresh in a
 * process reads the whole table once. A table whose largest id fell below
 * the watermark (truncated, recreated) starts the totals again. Ids are
 * taken to become visible in order: a run whose INSERT committed only after
 * a later run had already finished would be missed, which needs a single
 * autocommit INSERT to outlast a whole job run. */

#define JOB_N 11
static const char *const job_le[JOB_N] = {
	"0.1", "0.5", "1", "5", "10", "30", "60", "300", "900", "1800", "3600",
};

struct job_acc {
	char job[64], module[32];
	uint64_t runs, failures;
	uint64_t cum[JOB_N];            /* cumulative: runs with duration <= job_le[i] */
	double sum_s;
	double last_ok;                 /* epoch seconds of the last successful finish, 0: none */
};

static struct job_acc *jobs_settled;
static size_t n_jobs_settled;
static long long jobs_upto;

static struct job_acc *job_entry(struct job_acc **arr, size_t *n, const char *job,
				 const char *module)
{
	struct job_acc *a;
	size_t i;
	for (i = 0; i < *n; i++)
		if (!strcmp((*arr)[i].job, job) && !strcmp((*arr)[i].module, module))
			return &(*arr)[i];
	a = realloc(*arr, (*n + 1) * sizeof **arr);
	if (!a)
		abort();
	*arr = a;
	a = &a[(*n)++];
	memset(a, 0, sizeof *a);
	snprintf(a->job, sizeof a->job, "%s", job);
	snprintf(a->module, sizeof a->module, "%s", module);
	return a;
}

/* Add one aggregate row (columns from `col`: runs, failures, sum, last_ok,
 * then the JOB_N cumulative counts) to `a`. */
static void job_add(struct job_acc *a, PGresult *res, int row, int col)
{
	int i;
	double last;
	a->runs += strtoull(PQgetvalue(res, row, col), NULL, 10);
	a->failures += strtoull(PQgetvalue(res, row, col + 1), NULL, 10);
	a->sum_s += strtod(PQgetvalue(res, row, col + 2), NULL);
	last = PQgetisnull(res, row, col + 3) ? 0 : strtod(PQgetvalue(res, row, col + 3), NULL);
	if (last > a->last_ok)
		a->last_ok = last;
	for (i = 0; i < JOB_N; i++)
		a->cum[i] += strtoull(PQgetvalue(res, row, col + 4 + i), NULL, 10);
}

static const char *job_aggregate_sql(void)
{
	static struct buf sql = BUF_INIT;
	int i;
	if (sql.len)
		return sql.data;
	buf_addstr(&sql, "SELECT job, coalesce(module, ''), id <= $2::bigint, count(*),"
			 " count(*) FILTER (WHERE exit_code IS DISTINCT FROM 0), coalesce(sum(d), 0),"
			 " extract(epoch FROM max(finished_at) FILTER (WHERE exit_code = 0))::float8");
	for (i = 0; i < JOB_N; i++)
		buf_addf(&sql, ", count(*) FILTER (WHERE d <= $%d::float8)", i + 3);
	buf_addstr(&sql, " FROM (SELECT id, job, module, exit_code, finished_at,"
			 " extract(epoch FROM finished_at - started_at)::float8 AS d"
			 " FROM job_runs WHERE id > $1::bigint AND finished_at IS NOT NULL) r"
			 " GROUP BY 1, 2, 3");
	return sql.data;
}

static void write_jobs(struct db *db, struct buf *out)
{
	static const char sql_mark[] =
		"SELECT coalesce(min(id) FILTER (WHERE finished_at IS NULL"
		"   AND started_at > now() - interval '1 day') - 1, max(id), $1::bigint),"
		" (SELECT coalesce(max(id), 0) FROM job_runs)"
		" FROM job_runs WHERE id > $1::bigint";
	const char *params[2 + JOB_N];
	char from[24], upto[24];
	struct job_acc *all = NULL;
	size_t n_all = 0, i;
	long long new_upto;
	struct buf lab = BUF_INIT;
	PGresult *res;
	int row, k;

	snprintf(from, sizeof from, "%lld", jobs_upto);
	params[0] = from;
	res = db_exec(db, sql_mark, 1, params);
	if (!res)
		return;
	new_upto = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (strtoll(PQgetvalue(res, 0, 1), NULL, 10) < jobs_upto) {
		/* the table was emptied or recreated: count again from 0 */
		PQclear(res);
		free(jobs_settled);
		jobs_settled = NULL;
		n_jobs_settled = 0;
		jobs_upto = 0;
		write_jobs(db, out);
		return;
	}
	PQclear(res);
	snprintf(upto, sizeof upto, "%lld", new_upto);
	params[1] = upto;
	for (k = 0; k < JOB_N; k++)
		params[2 + k] = job_le[k];
	res = db_exec(db, job_aggregate_sql(), 2 + JOB_N, params);
	if (!res)
		return;
	for (row = 0; row < PQntuples(res); row++)
		if (PQgetvalue(res, row, 2)[0] == 't')
			job_add(job_entry(&jobs_settled, &n_jobs_settled, PQgetvalue(res, row, 0),
					  PQgetvalue(res, row, 1)), res, row, 3);
	jobs_upto = new_upto;
	/* this scrape: the settled totals plus the finished runs above them */
	for (i = 0; i < n_jobs_settled; i++)
		*job_entry(&all, &n_all, jobs_settled[i].job, jobs_settled[i].module) = jobs_settled[i];
	for (row = 0; row < PQntuples(res); row++)
		if (PQgetvalue(res, row, 2)[0] != 't')
			job_add(job_entry(&all, &n_all, PQgetvalue(res, row, 0),
					  PQgetvalue(res, row, 1)), res, row, 3);
	PQclear(res);
	if (!n_all)
		return;

	prom_family(out, "gamewatch_job_runs_total", "counter",
		    "Finished job runs (table job_runs), by job and module");
	for (i = 0; i < n_all; i++) {
		struct prom_label l[2] = { { "job", all[i].job }, { "module", all[i].module } };
		buf_reset(&lab);
		prom_labels(&lab, l, 2);
		prom_sample_u64(out, "gamewatch_job_runs_total", lab.data, all[i].runs);
	}
	prom_family(out, "gamewatch_job_failures_total", "counter",
		    "Finished job runs whose exit code was not 0, by job and module");
	for (i = 0; i < n_all; i++) {
		struct prom_label l[2] = { { "job", all[i].job }, { "module", all[i].module } };
		buf_reset(&lab);
		prom_labels(&lab, l, 2);
		prom_sample_u64(out, "gamewatch_job_failures_total", lab.data, all[i].failures);
	}
	prom_family(out, "gamewatch_job_duration_seconds", "histogram",
		    "Duration of finished job runs (finished_at - started_at), by job and module");
	for (i = 0; i < n_all; i++) {
		struct prom_label l[2] = { { "job", all[i].job }, { "module", all[i].module } };
		uint64_t counts[JOB_N + 1], prev = 0;
		for (k = 0; k < JOB_N; k++) {
			counts[k] = all[i].cum[k] - prev;
			prev = all[i].cum[k];
		}
		counts[JOB_N] = all[i].runs - prev;
		buf_reset(&lab);
		prom_labels(&lab, l, 2);
		prom_histogram(out, "gamewatch_job_duration_seconds", lab.data, job_le, JOB_N,
			       counts, all[i].sum_s);
	}
	prom_family(out, "gamewatch_job_last_success_timestamp_seconds", "gauge",
		    "When the last successful run of a job finished (Unix time)");
	for (i = 0; i < n_all; i++) {
		struct prom_label l[2] = { { "job", all[i].job }, { "module", all[i].module } };
		if (!all[i].last_ok)
			continue;
		buf_reset(&lab);
		prom_labels(&lab, l, 2);
		prom_sample_f64(out, "gamewatch_job_last_success_timestamp_seconds", lab.data,
				all[i].last_ok);
	}
	buf_release(&lab);
	free(all);
}

/* A family of gauges from a query whose rows are (label values..., value
 * per state): for each row and each state one sample with the row's labels
 * plus `state_label`="state". */
struct gauge_query {
	const char *name, *help, *sql;
	int n_labels;                   /* leading columns that are label values */
	const char *labels[2];          /* their label names */
	const char *state_label;        /* NULL: one value column, no state label */
	const char *states[3];          /* names of the value columns after the labels */
};

static void write_gauges(struct db *db, struct buf *out, const struct gauge_query *q)
{
	struct buf lab = BUF_INIT;
	PGresult *res = db_exec(db, q->sql, 0, NULL);
	int row, s, n_states = q->state_label ? 0 : 1;

	if (!res)
		return;
	while (q->state_label && n_states < 3 && q->states[n_states])
		n_states++;
	prom_family(out, q->name, "gauge", q->help);
	for (row = 0; row < PQntuples(res); row++) {
		for (s = 0; s < n_states; s++) {
			struct prom_label l[3];
			int k;
			for (k = 0; k < q->n_labels; k++) {
				l[k].name = q->labels[k];
				l[k].value = PQgetvalue(res, row, k);
			}
			if (q->state_label) {
				l[k].name = q->state_label;
				l[k++].value = q->states[s];
			}
			buf_reset(&lab);
			prom_labels(&lab, l, (size_t)k);
			prom_sample_u64(out, q->name, lab.data,
					strtoull(PQgetvalue(res, row, q->n_labels + s), NULL, 10));
		}
	}
	PQclear(res);
	buf_release(&lab);
}

static const struct gauge_query queue_queries[] = {
	{ "gamewatch_enrich_queue_items",
	  "Enrichment and mirror work items by kind: due (next attempt reached, not parked) "
	  "and parked (out of attempts)",
	  "SELECT kind, count(*) FILTER (WHERE parked_at IS NULL AND next_attempt_at <= now()),"
	  " count(*) FILTER (WHERE parked_at IS NOT NULL) FROM enrich_items GROUP BY 1 ORDER BY 1",
	  1, { "kind" }, "state", { "due", "parked" } },
	{ "gamewatch_curation_queue_open",
	  "Entities left with a placeholder picture and not yet resolved by a curator",
	  "SELECT entity_kind, count(*) FROM curation_queue WHERE resolved_at IS NULL"
	  " GROUP BY 1 ORDER BY 1",
	  1, { "entity_kind" }, NULL, { NULL } },
	{ "gamewatch_asset_mirror_items",
	  "Picture mirror work items by kind (map, mod, avatar) and the outcome of their "
	  "last attempt (ok, absent, error, rejected, parked, placeholder; none: not tried)",
	  "SELECT substr(kind, 8), coalesce(last_status, 'none'), count(*) FROM enrich_items"
	  " WHERE kind LIKE 'mirror:%' GROUP BY 1, 2 ORDER BY 1, 2",
	  2, { "kind", "status" }, NULL, { NULL } },
	{ "gamewatch_assets",
	  "Mirrored pictures stored, by kind: served, or quarantined by the integrity sweep",
	  "SELECT kind, count(*) FILTER (WHERE quarantined_at IS NULL),"
	  " count(*) FILTER (WHERE quarantined_at IS NOT NULL) FROM assets GROUP BY 1 ORDER BY 1",
	  1, { "kind" }, "state", { "served", "quarantined" } },
	{ "gamewatch_asset_links",
	  "Entities by the picture they show: a mirrored one or the placeholder",
	  "SELECT entity_kind, count(*) FILTER (WHERE sha256 IS NOT NULL),"
	  " count(*) FILTER (WHERE sha256 IS NULL) FROM asset_links GROUP BY 1 ORDER BY 1",
	  1, { "entity_kind" }, "target", { "mirrored", "placeholder" } },
};

void metrics_write_db(struct app *app, struct buf *out)
{
	/* which of the tables exist (resolved like the queries, on search_path) */
	static const char sql_tables[] =
		"SELECT to_regclass('job_runs') IS NOT NULL, to_regclass('enrich_items') IS NOT NULL,"
		" to_regclass('curation_queue') IS NOT NULL, to_regclass('assets') IS NOT NULL,"
		" to_regclass('asset_links') IS NOT NULL";
	/* the table each of queue_queries reads: its column in sql_tables */
	static const int needs[] = { 1, 2, 1, 3, 4 };
	PGresult *res = db_exec(&app->db, sql_tables, 0, NULL);
	bool have[5];
	size_t i;

	if (!res)
		return;
	for (i = 0; i < 5; i++)
		have[i] = PQgetvalue(res, 0, (int)i)[0] == 't';
	PQclear(res);
	if (have[0])
		write_jobs(&app->db, out);
	for (i = 0; i < sizeof queue_queries / sizeof queue_queries[0]; i++)
		if (have[needs[i]])
			write_gauges(&app->db, out, &queue_queries[i]);
}

/* ------------------------------------------------------------- /metrics */

/* This worker's rendering of the database part: one process serves one
 * request at a time, so a static cache needs no lock. */
static struct buf db_cache = BUF_INIT;
static int64_t db_cache_mono_ms = -1, db_cache_wall_ms, db_cache_cost_ns;
static bool db_cache_up;

static int cache_ttl_ms(void)
{
	static int ttl = -1;
	if (ttl < 0) {
		const char *s = getenv("GW_METRICS_CACHE_SECONDS");
		char *end;
		double v = s && *s ? strtod(s, &end) : 5;
		if (s && *s && (*end || v < 0 || v > 3600)) {
			log_warn("GW_METRICS_CACHE_SECONDS=%s is not 0..3600: using 5", s);
			v = 5;
		}
		ttl = (int)(v * 1000);
	}
	return ttl;
}

static void refresh_db_part(struct app *app)
{
	const struct gw_module *const *m;
	int64_t t0 = metrics_clock_ns();

	buf_reset(&db_cache);
	db_cache_up = db_ensure(&app->db) == 0;
	if (db_cache_up) {
		metrics_write_db(app, &db_cache);
		for (m = gw_modules(); *m; m++)
			if ((*m)->metrics)
				(*m)->metrics(app, &db_cache);
	}
	db_cache_mono_ms = time_mono_ms();
	db_cache_wall_ms = time_now_ms();
	db_cache_cost_ns = metrics_clock_ns() - t0;
}

void api_metrics(struct app *app, struct req *r)
{
	struct buf *out = &r->body;

	buf_reset(out);
	buf_grow(out, 64 * 1024);
	metrics_write_requests(out);
	if (db_cache_mono_ms < 0 || time_mono_ms() - db_cache_mono_ms >= cache_ttl_ms())
		refresh_db_part(app);
	buf_add(out, db_cache.data, db_cache.len);
	prom_family(out, "gamewatch_metrics_db_up", "gauge",
		    "1 when the database answered the last refresh of the database-derived metrics");
	prom_sample_u64(out, "gamewatch_metrics_db_up", NULL, db_cache_up);
	prom_family(out, "gamewatch_metrics_db_refresh_seconds", "gauge",
		    "How long the last refresh of the database-derived metrics took in this worker");
	prom_sample_f64(out, "gamewatch_metrics_db_refresh_seconds", NULL, db_cache_cost_ns / 1e9);
	prom_family(out, "gamewatch_metrics_db_refreshed_timestamp_seconds", "gauge",
		    "When this worker last refreshed the database-derived metrics (Unix time); "
		    "they are cached for GW_METRICS_CACHE_SECONDS");
	prom_sample_f64(out, "gamewatch_metrics_db_refreshed_timestamp_seconds", NULL,
			db_cache_wall_ms / 1e3);
	r->status = 200;
	r->content_type = PROM_CONTENT_TYPE;
}
