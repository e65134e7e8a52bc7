/* bzcc-rollup.h: the statements of `gamewatch-job rollup` and the
 * partition upkeep of the poller (modules/bzcc/jobs/): monthly partitions
 * of bzcc.session_snapshots and bzcc.player_session_events (through the
 * platform's gw_ensure_month_partitions(), platform/sql/001-core.sql), the
 * daily rollups bzcc.player_daily, map_daily, mod_daily and
 * players_online, the bzcc.session_duration_stats view, and the rollup's
 * watermark in rollup_state (name 'bzcc-daily'); tables in
 * modules/bzcc/sql/002-players-history.sql. And the aggregates the history
 * pages read instead of whole history (010-history-aggregates.sql):
 * map_totals and mod_totals (sums of the daily rows), players_online_hourly
 * and _daily (peaks), polls_minutely (every poll per minute), player_sessions, player_totals and player_maps (a
 * player's stays per session, summed), session_lengths and
 * session_length_daily (the analytics histogram).
 *
 * Exactness: each aggregate equals its definition over the raw rows after
 * every run (tests/integration/t51_history_aggregates.py recomputes them).
 * Incremental runs change the aggregates by the difference between the
 * rows they recount and the values those rows had (deltas), so a run
 * costs what changed since the previous one, not what history holds.
 * A session is recounted when its last sighting is at or after the plan's
 * `since`: the earliest poll logged since the previous run, or the last
 * sighting of a session (or the join of a stay) still live at that run.
 * Code that rewrites stays or sessions in some other way must move their
 * last_seen_at forward, or be followed by `rollup --full`.
 *
 * Functions returning int give 0, or -1 on a database error (logged by
 * core/db.c). The long statements log one line each: "<what>: N rows in
 * T ms". */
#ifndef GW_BZCC_ROLLUP_H
#define GW_BZCC_ROLLUP_H

#include <stdint.h>

#include "db.h"

/* The histogram buckets of session lengths in minutes: (label, lower
 * bound, upper bound or NULL), as a VALUES list b(label, lo, hi). Shared by
 * the rollup (session_lengths.min_minutes is a bucket's lo, -1 for a
 * negative length) and the analytics reader (bzcc-history.c). */
#define BZCC_LENGTH_BUCKETS                                                   \
	"(VALUES ('0–5 min', 0, 5), ('5–15 min', 5, 15), ('15–30 min', 15, 30),"  \
	" ('30–60 min', 30, 60), ('1–2 h', 60, 120), ('2 h +', 120, NULL::int))"  \
	" AS b(label, lo, hi)"

/* What the next rollup has to do. */
struct bzcc_rollup_plan {
	char day[16];      /* first UTC day to recompute ("YYYY-MM-DD"), "" when nothing is new */
	char since[40];    /* recount sessions last seen at or after this (timestamptz
	                    * text; "-infinity" for a full run), "" when nothing is new */
	char poll_id[24];  /* the newest bzcc.polls id now seen (the new watermark) */
	char pending[40];  /* earliest join of a still-open stay or last sighting of a
	                    * still-live session (timestamptz text), or "" */
};

/* Make sure this month's and the next `months` months' partitions of both
 * partitioned tables exist (idempotent). */
int bzcc_rollup_partitions_ahead(struct db *db, int months);

/* Make sure the snapshot partitions for the month of `iso_time` (an
 * ISO-8601 UTC time) and the next month exist: the poller's guard before
 * it writes snapshots. */
int bzcc_rollup_snapshot_partitions(struct db *db, const char *iso_time);

/* Plan a rollup: the first instant (`since`) and UTC day touched by polls
 * logged since the previous run or by stays and sessions that were still
 * live then (`full`: everything). */
int bzcc_rollup_plan(struct db *db, int full, struct bzcc_rollup_plan *plan);

/* Recompute player_daily, map_daily, mod_daily, players_online and its
 * hourly and daily peaks, and polls_minutely from `day` on (upserts: readers never wait or see
 * a half-built table). map_totals and mod_totals change by the difference
 * between the recomputed daily rows and their previous values, in the same
 * statement. */
int bzcc_rollup_daily(struct db *db, const char *day);

/* Recount the sessions last seen at or after `since` (timestamptz text) in
 * one REPEATABLE READ transaction: their player_sessions rows from the
 * stays, player_totals and player_maps by the difference, their
 * session_lengths rows and session_length_daily by the difference. With
 * `full` (since "-infinity"), every aggregate is rebuilt from its
 * definition instead (the detail tables from the raw rows, the totals
 * from the detail and daily tables), which also repairs any drift. */
int bzcc_rollup_sessions(struct db *db, const char *since, int full);

/* ANALYZE the rollup and aggregate tables (fresh statistics for the
 * readers' plans). */
int bzcc_rollup_analyze(struct db *db);

/* REFRESH MATERIALIZED VIEW CONCURRENTLY bzcc.session_duration_stats. */
int bzcc_rollup_durations(struct db *db);

/* Record the finished run: its duration and the plan's watermark and
 * pending time. */
int bzcc_rollup_save(struct db *db, int64_t duration_ms, const struct bzcc_rollup_plan *plan);

#endif
