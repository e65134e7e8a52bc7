/* metrics.h: the BZCC module's part of /metrics (its gw_module.metrics
 * hook), from the table bzcc.polls (one row per lobby poll attempt):
 *
 *   gamewatch_bzcc_polls_total{result="ok"|"rejected"}              counter
 *   gamewatch_bzcc_poll_duration_seconds{result}                     histogram
 *       the poll's duration_ms (fetch, decode and store), bounds 50 ms .. 30 s
 *   gamewatch_bzcc_poll_last_success_timestamp_seconds               gauge
 *       taken_at of the newest successful poll (absent before the first)
 *
 * bzcc.polls only grows (a row every POLL_INTERVAL_SECONDS, 17 280 a day
 * at the default 5 s), so the totals are kept per worker process and each
 * call reads only the rows with an id above the last one it counted: one
 * full read when a worker first serves /metrics, then a few rows. There is
 * one poller at a time (the job lock), so ids commit in order. */
#ifndef GW_BZCC_METRICS_H
#define GW_BZCC_METRICS_H

struct app;
struct buf;

/* Append the families above to `out` (Prometheus text format) from
 * app->db. Nothing when bzcc.polls does not exist or a query fails (the
 * failure is logged by the db layer). */
void bzcc_metrics(struct app *app, struct buf *out);

#endif
