/* job-rollup.c: keep partitions ahead and the history aggregates current.
 *
 * 1. Create the monthly partitions of bzcc.session_snapshots and
 *    bzcc.player_session_events for this month and the next three.
 * 2. Recompute the daily rollups (bzcc.player_daily, map_daily, mod_daily,
 *    players_online and its hourly and daily peaks) for the UTC days touched
 *    since the previous run: days of polls logged since then (live or
 *    replayed) and days spanned by stays and sessions that were still live
 *    then; map_totals and mod_totals follow by the difference. Rows are
 *    upserted, so readers never wait and never see a half-built table.
 * 3. Recount the sessions touched since the previous run (their per-player
 *    rows and totals, their length buckets) in one transaction.
 * 4. REFRESH MATERIALIZED VIEW CONCURRENTLY bzcc.session_duration_stats,
 *    ANALYZE the aggregates.
 * `--full` recomputes everything and rebuilds every aggregate from its
 * definition. An incremental run costs what changed, not what history
 * holds (bench/README.md). The statements are in
 * modules/bzcc/store/bzcc-rollup.c.
 * Holds <run_dir>/gamewatch-rollup.lock. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"
#include "log.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-rollup.h"
#include "platform/jobs/job.h"
#include "platform/jobs/lock.h"
#include "timeutil.h"

int job_rollup(const struct cfg *cfg, int argc, char **argv)
{
	struct db db;
	struct bzcc_rollup_plan plan;
	struct buf lockpath = BUF_INIT;
	int full = 0, lockfd, ret = 1, i;
	int64_t t0 = time_mono_ms();

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--full")) {
			full = 1;
		} else {
			fprintf(stderr, "usage: gamewatch-job rollup [--full]\n");
			return 2;
		}
	}
	buf_addf(&lockpath, "%s/gamewatch-rollup.lock", cfg->run_dir);
	lockfd = lock_take(lockpath.data);
	buf_release(&lockpath);
	if (lockfd == -2) {
		log_info("another rollup holds the lock; exiting");
		return 0;
	}
	if (lockfd < 0)
		return 1;
	if (db_open(&db, cfg->database_url) < 0)
		goto out;

	if (bzcc_rollup_partitions_ahead(&db, 3) < 0 || bzcc_rollup_plan(&db, full, &plan) < 0)
		goto out;
	if (plan.day[0]) {
		log_info("recomputing daily rollups from %s, sessions last seen since %s",
			 plan.day, plan.since);
		if (bzcc_rollup_daily(&db, plan.day) < 0 ||
		    bzcc_rollup_sessions(&db, plan.since, full) < 0 ||
		    bzcc_rollup_analyze(&db) < 0)
			goto out;
	} else {
		log_info("no new polls since the last rollup");
	}
	if (bzcc_rollup_durations(&db) < 0 ||
	    bzcc_rollup_save(&db, time_mono_ms() - t0, &plan) < 0)
		goto out;
	log_info("rollup done in %lld ms", (long long)(time_mono_ms() - t0));
	ret = 0;
out:
	db_close(&db);
	close(lockfd);
	return ret;
}
