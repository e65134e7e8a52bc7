/* job-poll-bzcc.c: the BZCC lobby poller.
 *
 * Each cycle: fetch the lobby (short timeouts, size cap), decode it
 * (games/bzcc), commit it to PostgreSQL in one transaction, then rebuild the
 * cached current view in Redis and publish the change. A fetch or decode
 * failure is logged, counted in bzcc.polls (ok = false) and leaves the last
 * good data in place; the next attempt follows the approved backoff
 * (core/backoff.h). The run lasts about a minute; cron starts the next one,
 * and the lock file keeps two from overlapping. Backoff state survives
 * between runs because it is derived from bzcc.polls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "db.h"
#include "games/bzcc/bzcc.h"
#include "http.h"
#include "job.h"
#include "kv.h"
#include "lock.h"
#include "log.h"
#include "store/bzcc-store.h"
#include "timeutil.h"

struct poller {
	const struct cfg *cfg;
	struct db db;
	struct kv kv;
	int failures;        /* consecutive failed polls */
	long long rejected;  /* rejected in this run */
	int partitions_month; /* yyyymm whose partitions were ensured */
};

/* Make sure this month's and next month's snapshot partitions exist. */
static void ensure_partitions(struct poller *p, int64_t now_ms)
{
	char iso[32];
	int yyyymm;
	time_iso8601(now_ms, iso, sizeof iso);
	yyyymm = atoi(iso) * 100 + atoi(iso + 5);
	if (yyyymm == p->partitions_month)
		return;
	{
		const char *params[] = { iso };
		if (db_run(&p->db, "SELECT gw_ensure_month_partitions("
				   "'bzcc.session_snapshots', $1::timestamptz, 1)", 1, params) == 0)
			p->partitions_month = yyyymm;
	}
}

/* Refresh the Redis view; failures are logged and do not fail the poll
 * (PostgreSQL holds the truth and the web app can rebuild from it). */
static void refresh_cache(struct poller *p, int64_t now_ms)
{
	if (bzcc_cache_refresh(&p->db, &p->kv, now_ms) < 0)
		log_warn("could not refresh the cached lobby view");
}

/* One poll. Returns 0 on success, -1 when rejected or not stored. */
static int poll_once(struct poller *p)
{
	struct http_options opt = { 0 };
	struct http_response res;
	struct bzcc_lobby lobby;
	struct bzcc_poll_stats st;
	char err[400] = "";
	int64_t now_ms = time_now_ms(), t0 = time_mono_ms(), took;
	const char *url = p->cfg->raknet_url;
	int ok = -1;

	memset(&lobby, 0, sizeof lobby);
	opt.connect_timeout_ms = 2000;
	opt.timeout_ms = p->cfg->fetch_timeout_ms;
	opt.max_bytes = BZCC_MAX_DOCUMENT_BYTES;
	if (http_get(url, &opt, &res) < 0)
		snprintf(err, sizeof err, "fetch failed: %s", res.error);
	else if (res.status != 200)
		snprintf(err, sizeof err, "upstream answered HTTP %ld", res.status);
	else
		bzcc_lobby_decode(res.body.data, res.body.len, &lobby, err, sizeof err);
	took = time_mono_ms() - t0;

	if (db_ensure(&p->db) == 0)
		ensure_partitions(p, now_ms);
	if (err[0]) {
		p->rejected++;
		log_warn("lobby poll rejected (%lld this run): %s", p->rejected, err);
		bzcc_store_rejected(&p->db, now_ms, url, err, res.body.len, took);
	} else if (bzcc_store_poll(&p->db, &lobby, now_ms, url, res.body.len, took, &st) < 0) {
		log_error("lobby poll not stored: database unavailable");
	} else {
		log_info("poll ok: %d sessions, %d players, %d ended, %zu skipped, "
			 "%zu bytes, fetch+decode %lld ms, total %lld ms",
			 st.sessions, st.players, st.ended, lobby.skipped + (size_t)st.duplicates,
			 res.body.len, (long long)took, (long long)(time_mono_ms() - t0));
		ok = 0;
	}
	refresh_cache(p, now_ms);
	bzcc_lobby_free(&lobby);
	http_response_release(&res);
	return ok;
}

/* How long to wait before the first poll of this run, so a run started by
 * cron while the previous run was backing off keeps honouring the backoff. */
static int64_t initial_wait_ms(struct poller *p)
{
	struct json_object *st = bzcc_store_poll_status(&p->db), *v;
	int64_t wait = 0;
	if (!st)
		return 0;
	if (json_object_object_get_ex(st, "consecutive_failures", &v))
		p->failures = json_object_get_int(v);
	if (p->failures > 0 && json_object_object_get_ex(st, "last_attempt_at", &v) &&
	    json_object_is_type(v, json_type_string)) {
		int64_t last;
		if (time_parse_iso8601(json_object_get_string(v), &last) == 0) {
			int64_t next = last + backoff_poll_delay_ms(p->failures,
				p->cfg->poll_interval_s * 1000LL, 0.20, backoff_random_unit());
			wait = next - time_now_ms();
		}
	}
	json_object_put(st);
	return wait > 0 ? wait : 0;
}

int job_poll_bzcc(const struct cfg *cfg, int argc, char **argv)
{
	struct poller p;
	struct buf lockpath = BUF_INIT;
	int once = 0, duration_s = 55, lockfd, i, ret = 0;
	int64_t deadline, next;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			once = 1;
		} else if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
			duration_s = atoi(argv[++i]);
			if (duration_s < 1 || duration_s > 86400) {
				fprintf(stderr, "poll-bzcc: --duration must be 1..86400 seconds\n");
				return 2;
			}
		} else {
			fprintf(stderr, "usage: gamewatch-job poll-bzcc [--once | --duration SECONDS]\n");
			return 2;
		}
	}

	buf_addf(&lockpath, "%s/gamewatch-poll-bzcc.lock", cfg->run_dir);
	lockfd = lock_take(lockpath.data);
	buf_release(&lockpath);
	if (lockfd == -2) {
		log_info("another poller holds the lock; exiting");
		return 0;
	}
	if (lockfd < 0)
		return 1;

	memset(&p, 0, sizeof p);
	p.cfg = cfg;
	db_open(&p.db, cfg->database_url); /* retried by db_ensure() */
	kv_open(&p.kv, cfg->redis_url, 1000);

	deadline = time_mono_ms() + (int64_t)duration_s * 1000;
	if (once) {
		ret = poll_once(&p) == 0 ? 0 : 1;
		goto out;
	}
	next = time_mono_ms() + initial_wait_ms(&p);
	while (!job_stop && next < deadline) {
		int64_t now = time_mono_ms();
		if (next > now) {
			time_sleep_ms(next - now, &job_stop);
			if (job_stop)
				break;
		}
		now = time_mono_ms();
		if (poll_once(&p) == 0)
			p.failures = 0;
		else
			p.failures++;
		next = now + backoff_poll_delay_ms(p.failures, cfg->poll_interval_s * 1000LL,
						   0.20, backoff_random_unit());
	}
out:
	db_close(&p.db);
	kv_close(&p.kv);
	close(lockfd);
	return ret;
}
