/* bzcc-rollup.h: the statements of `gamewatch-job rollup` and the
 * partition upkeep of the poller (modules/bzcc/jobs/): monthly partitions
 * of bzcc.session_snapshots and bzcc.player_session_events (through the
 * platform's gw_ensure_month_partitions(), platform/sql/001-core.sql), the
 * daily rollups bzcc.player_daily, map_daily, mod_daily and
 * players_online, the bzcc.session_duration_stats view, and the rollup's
 * watermark in rollup_state (name 'bzcc-daily'). Tables in
 * modules/bzcc/sql/003-players-history.sql.
 *
 * Functions returning int give 0, or -1 on a database error (logged by
 * core/db.c). The long statements log one line each: "<what>: N rows in
 * T ms". */
#ifndef GW_BZCC_ROLLUP_H
#define GW_BZCC_ROLLUP_H

#include <stdint.h>

#include "db.h"

/* What the next rollup has to do. */
struct bzcc_rollup_plan {
	char day[16];      /* first UTC day to recompute ("YYYY-MM-DD"), "" when nothing is new */
	char poll_id[24];  /* the newest bzcc.polls id now seen (the new watermark) */
	char pending[40];  /* joined_at of the oldest still-open stay (timestamptz text), or "" */
};

/* Make sure this month's and the next `months` months' partitions of both
 * partitioned tables exist (idempotent). */
int bzcc_rollup_partitions_ahead(struct db *db, int months);

/* Make sure the snapshot partitions for the month of `iso_time` (an
 * ISO-8601 UTC time) and the next month exist: the poller's guard before
 * it writes snapshots. */
int bzcc_rollup_snapshot_partitions(struct db *db, const char *iso_time);

/* Plan a rollup: the first day touched by polls logged since the previous
 * run or by stays that were still open then (`full`: 1970-01-01, i.e.
 * everything). */
int bzcc_rollup_plan(struct db *db, int full, struct bzcc_rollup_plan *plan);

/* Recompute player_daily, map_daily, mod_daily and players_online from
 * `day` on (upserts: readers never wait or see a half-built table), then
 * ANALYZE them for the readers' plans. */
int bzcc_rollup_daily(struct db *db, const char *day);

/* REFRESH MATERIALIZED VIEW CONCURRENTLY bzcc.session_duration_stats. */
int bzcc_rollup_durations(struct db *db);

/* Record the finished run: its duration and the plan's watermark and
 * pending time. */
int bzcc_rollup_save(struct db *db, int64_t duration_ms, const struct bzcc_rollup_plan *plan);

#endif
