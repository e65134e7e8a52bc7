/* job-ingest.c: `gamewatch-job mohaa-ingest`, the consumer of the ingest
 * stream (store/queue.h) that writes PostgreSQL (store/ingest.h).
 *
 * Loop: take back entries left pending by an earlier run (XAUTOCLAIM: a
 * killed job leaves its delivered, unacknowledged entries there), then read
 * new ones with XREADGROUP in batches; write each batch in one transaction;
 * only then XACK + XDEL it and update the leaderboard sets. A crash between
 * commit and XACK redelivers the entries; mohaa.entries makes the second
 * write a no-op, so every entry is written exactly once. When PostgreSQL
 * is down the entries stay pending and the job backs off. When one entry
 * cannot be written while the database works (a value PostgreSQL refuses),
 * the batch is retried entry by entry and that entry alone is recorded in
 * mohaa.failed_entries and acknowledged.
 *
 * Holds <GW_RUN_DIR>/gamewatch-mohaa-ingest.lock: one consumer at a time,
 * which is what makes claiming with min-idle 0 safe. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "buf.h"
#include "db.h"
#include "kv.h"
#include "log.h"
#include "modules/mohaa/module.h"
#include "modules/mohaa/store/ingest.h"
#include "modules/mohaa/store/leaderboard.h"
#include "modules/mohaa/store/queue.h"
#include "platform/jobs/job.h"
#include "platform/jobs/lock.h"
#include "timeutil.h"

struct consumer {
	struct db db;
	struct kv kv;
	char name[96];
	int batch;
	int64_t idle_ms;
	unsigned long entries, events, duplicates, failed;
};

/* Write one batch and acknowledge it. Returns 0, or -1 when nothing could
 * be written (database down): the entries stay pending. */
static int write_batch(struct consumer *c, struct mohaa_entry *e, size_t n)
{
	struct mohaa_ingest_stats st;
	struct mohaa_lb_changes lb;
	size_t i;

	if (mohaa_ingest_write(&c->db, e, n, c->idle_ms, &st, &lb) == 0) {
		if (mohaa_queue_ack(&c->kv, e, n) < 0)
			log_warn("could not acknowledge %zu entries; they will be redelivered and skipped", n);
		if (mohaa_lb_apply(&c->kv, &lb) < 0)
			log_warn("leaderboard sets not updated; readers use PostgreSQL until the next rebuild");
		mohaa_lb_changes_free(&lb);
		c->entries += st.entries;
		c->events += st.events;
		c->duplicates += st.duplicates;
		log_debug("batch: %zu entries, %zu events, %zu duplicates, %.1f ms", st.entries,
			  st.events, st.duplicates, st.duration_ms);
		return 0;
	}
	mohaa_lb_changes_free(&lb);
	if (!db_ping(&c->db) || n == 1) {
		if (n == 1 && db_ping(&c->db)) {
			int ev = mohaa_ingest_fail(&c->db, e, "the database refused the entry");
			if (ev >= 0) {
				log_error("entry %s could not be written; kept in mohaa.failed_entries", e->id);
				c->failed += (unsigned long)ev;
				mohaa_queue_ack(&c->kv, e, 1);
				return 0;
			}
		}
		return -1;
	}
	/* the database works but refused the batch: one by one */
	log_warn("batch of %zu entries refused; writing them one at a time", n);
	for (i = 0; i < n && !job_stop; i++)
		if (write_batch(c, &e[i], 1) < 0)
			return -1;
	return 0;
}

/* Take back and write every pending entry. Returns 0, or -1 on failure. */
static int drain_pending(struct consumer *c)
{
	char cursor[64] = "0-0";
	do {
		struct mohaa_entry *e = NULL;
		int n = mohaa_queue_claim(&c->kv, c->name, 0, c->batch, cursor, sizeof cursor, &e);
		if (n < 0)
			return -1;
		if (n > 0) {
			log_info("claimed %d pending entries", n);
			if (write_batch(c, e, (size_t)n) < 0) {
				mohaa_entries_free(e, (size_t)n);
				return -1;
			}
		}
		mohaa_entries_free(e, n > 0 ? (size_t)n : 0);
	} while (strcmp(cursor, "0-0") && !job_stop);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: gamewatch-job mohaa-ingest [--once | --duration SECONDS | --forever]"
			" [--batch ENTRIES] [--block-ms MS] [--match-idle SECONDS]\n");
	return 2;
}

int job_mohaa_ingest(const struct cfg *cfg, int argc, char **argv)
{
	struct consumer c;
	struct buf lockpath = BUF_INIT;
	int once = 0, forever = 0, duration_s = 55, block_ms = 1000, lockfd, i, failures = 0;
	int pending = 1, ret = 0;
	long match_idle_s = 600;
	int64_t deadline;
	char host[64] = "host";

	memset(&c, 0, sizeof c);
	c.batch = 200;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			once = 1;
		} else if (!strcmp(argv[i], "--forever")) {
			forever = 1;
		} else if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
			duration_s = atoi(argv[++i]);
			if (duration_s < 1 || duration_s > 86400)
				return usage();
		} else if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
			c.batch = atoi(argv[++i]);
			if (c.batch < 1 || c.batch > 5000)
				return usage();
		} else if (!strcmp(argv[i], "--block-ms") && i + 1 < argc) {
			block_ms = atoi(argv[++i]);
			if (block_ms < 1 || block_ms > 10000)
				return usage();
		} else if (!strcmp(argv[i], "--match-idle") && i + 1 < argc) {
			match_idle_s = atol(argv[++i]);
			if (match_idle_s < 1 || match_idle_s > 86400)
				return usage();
		} else {
			return usage();
		}
	}
	c.idle_ms = match_idle_s * 1000;

	buf_addf(&lockpath, "%s/gamewatch-mohaa-ingest.lock", cfg->run_dir);
	lockfd = lock_take(lockpath.data);
	buf_release(&lockpath);
	if (lockfd == -2) {
		log_info("another mohaa-ingest holds the lock; exiting");
		return 0;
	}
	if (lockfd < 0)
		return 1;
	gethostname(host, sizeof host - 1);
	snprintf(c.name, sizeof c.name, "%s-%ld", host, (long)getpid());
	db_open(&c.db, cfg->database_url);
	kv_open(&c.kv, cfg->redis_url, block_ms + 5000);

	deadline = time_mono_ms() + (int64_t)duration_s * 1000;
	if (mohaa_ingest_partitions(&c.db, 2) < 0)
		log_warn("could not create the monthly partitions of mohaa.events ahead");
	while (!job_stop && (forever || once || time_mono_ms() < deadline)) {
		struct mohaa_entry *e = NULL;
		int n;
		if (mohaa_queue_group(&c.kv) < 0 ||
		    (!mohaa_lb_ready(&c.kv) && mohaa_lb_rebuild(&c.db, &c.kv, 12) < 0) ||
		    (pending && drain_pending(&c) < 0)) {
			n = -1;
		} else {
			pending = 0;
			n = mohaa_queue_read(&c.kv, c.name, c.batch, once ? 0 : block_ms, &e);
			if (n > 0 && write_batch(&c, e, (size_t)n) < 0)
				n = -1;
			mohaa_entries_free(e, n > 0 ? (size_t)n : 0);
		}
		if (n < 0) {
			/* Redis or PostgreSQL down: what was read stays pending */
			int64_t wait = backoff_exp_delay_ms(++failures, 500, 10000, 0.2, backoff_random_unit());
			pending = 1;
			ret = 1;
			log_warn("ingest paused (failure %d); retrying in %lld ms", failures, (long long)wait);
			if (once && failures >= 3)
				break;
			time_sleep_ms(wait, &job_stop);
			continue;
		}
		failures = 0;
		ret = 0;
		if (once && n == 0)
			break;
	}
	log_info("mohaa-ingest: %lu entries, %lu events written, %lu duplicates skipped, %lu events failed",
		 c.entries, c.events, c.duplicates, c.failed);
	db_close(&c.db);
	kv_close(&c.kv);
	close(lockfd);
	return ret;
}
