/* metrics.h: what GET /metrics reports, in the Prometheus text format
 * (platform/web/prom.h), and how the web workers count it.
 *
 * Request part (counted by every worker, read at each scrape):
 *   gamewatch_http_requests_total{module,route,method,code}   counter
 *       route is the matched row's pattern ("/api/v1/sessions/{id}"), never
 *       the raw path; "(unmatched)" for 404s, 405s and unparsable requests.
 *       method: GET HEAD POST PUT PATCH DELETE OPTIONS or "other"; code the
 *       status class "1xx".."5xx". Only series that counted something.
 *   gamewatch_http_request_duration_seconds{module,route}     histogram
 *       from before the request is parsed to after the response is written
 *       to libfcgi; bounds 0.5 ms .. 5 s (METRICS_LATENCY_BOUNDS).
 *   gamewatch_worker_restarts_total{reason}                   counter (pool only)
 *       workers the pool replaced: "recycled" (exited 0 after their request
 *       quota or SIGTERM), "failed" (non-zero exit), "signal" (killed).
 *   gamewatch_pool_workers                                    gauge (pool only)
 *   gamewatch_metrics_shared                                  gauge
 *       1: the request part is the total of every worker of the pre-fork
 *       pool; 0: it is this process's own count (the web server spawned the
 *       worker, as mod_fcgid does), so a scrape sees one process.
 *
 * Sharing: the pool (pool.c) calls metrics_pool_init() before it forks,
 * which maps one MAP_SHARED|MAP_ANONYMOUS region with a fixed slot per
 * route row (in registry order, slot 0 for unmatched requests); workers
 * add to it with C11 relaxed atomic adds, so any worker's scrape reads the
 * totals. Without a pool the region is private to the process (mapped on
 * first use). A restarted worker inherits the region: counters survive
 * worker restarts and reset only when the pool restarts.
 *
 * Database part (metrics_write_db and each module's metrics hook), rendered
 * at most every GW_METRICS_CACHE_SECONDS (default 5; 0 = every scrape) per
 * worker and served from that worker's cache in between:
 *   gamewatch_job_runs_total{job,module}, gamewatch_job_failures_total,
 *   gamewatch_job_duration_seconds (histogram), gamewatch_job_last_success_timestamp_seconds
 *       from the table job_runs (absent: nothing is written);
 *   gamewatch_enrich_queue_items{kind,state="due"|"parked"}, gamewatch_curation_queue_open{entity_kind}
 *   gamewatch_asset_mirror_items{kind,status}, gamewatch_assets{kind,state}, gamewatch_asset_links{entity_kind,target}
 *   gamewatch_metrics_db_refresh_seconds, gamewatch_metrics_db_refreshed_timestamp_seconds
 * docs/observability.md describes the families, access and costs. */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

struct app;
struct req;
struct route;

/* Upper bounds of the request latency histogram, in seconds. */
#define METRICS_LATENCY_BOUNDS \
	{ 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 }
#define METRICS_LATENCY_N 13

/* Count the rows of `rows` (terminated by a row with pattern NULL) under
 * module label `module` (a static string). Call before metrics_setup();
 * when nothing was registered, metrics_setup() registers platform_routes
 * ("platform") and every enabled module's rows. At most 64 tables.
 * Returns 0, or -1 after setup or when the table list is full. */
int metrics_register_routes(const struct route *rows, const char *module);

/* Map the counters' region: shared between processes forked afterwards
 * (shared true) or private. Idempotent: returns 0 when already set up; -1
 * (logged) when mmap fails, and then nothing is counted. */
int metrics_setup(bool shared);

/* The pool, before forking `workers` workers: metrics_setup(true) and the
 * pool size; on failure the workers fall back to per-process counters. */
void metrics_pool_init(int workers);

/* The pool, when it replaces a worker that ended with waitpid() status
 * `wait_status`: counts a restart by its reason. */
void metrics_worker_exited(int wait_status);

/* Monotonic clock in nanoseconds, for metrics_observe. */
int64_t metrics_clock_ns(void);

/* Count one answered request: `rt` the matched row (NULL: unmatched),
 * `method` as received, `status` the HTTP status sent, `elapsed_ns` its
 * duration. Sets the region up (private) on first use when the pool did
 * not. A row that was not registered counts as unmatched. Cost: a few
 * relaxed atomic adds. */
void metrics_observe(const struct route *rt, const char *method, int status, int64_t elapsed_ns);

/* Append the request part described above to `out`. */
void metrics_write_requests(struct buf *out);

/* Append the platform's database part (job runs, queues, asset mirror) to
 * `out`, querying app->db now. Tables that do not exist are skipped
 * silently; a query that fails is logged and its families left out. The
 * job_runs totals are kept per process and extended by each call with the
 * rows settled since the last one (see metrics.c). */
void metrics_write_db(struct app *app, struct buf *out);

/* GET /metrics: the request part, then the database part and every enabled
 * module's metrics hook from this worker's cache (refreshed when older
 * than GW_METRICS_CACHE_SECONDS). text/plain; version=0.0.4. */
void api_metrics(struct app *app, struct req *r);

/* Forget the routes, the region and the cache (tests and benchmarks). The
 * region is unmapped: processes forked from this one keep theirs. */
void metrics_reset(void);

#endif
