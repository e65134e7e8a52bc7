/* job-r2z2.c: gamewatch-job eve-r2z2 [--once | --duration S] [--from N]
 *
 * Follows zKillboard's R2Z2 sequence feed (modules/eve/FORMAT.md section 5):
 * base EVE_R2Z2_URL (default https://r2z2.zkillboard.com/ephemeral).
 *  - Resumes after the last stored sequence (eve.feed_state, keyed by the
 *    base URL). With none stored it starts at `sequence.json`'s value (or
 *    --from N), so a first run does not walk a day of backlog.
 *  - Fetches <N>.json in turn; each document is decoded, deduped by
 *    killmail id and stored (a re-published sequence repeats a kill: the
 *    dedupe absorbs it), then N is stored. A malformed document is refused
 *    and counted (eve.rejected) and the follower moves on.
 *  - 404 means "not there yet": wait EVE_R2Z2_WAIT_MS (6000, as
 *    zKillboard's own consumer) and retry the same N. After three 404s it
 *    reads sequence.json: when the feed has published beyond N, N is
 *    missing for good (files live ~24 h) and is skipped with a warning.
 *  - 429 and other errors back off: Retry-After when sent, else 1 s
 *    doubling to 5 min, with jitter; the failure count and last error are
 *    stored with the position.
 * --once stops at the first 404 (caught up); --duration S stops after S
 * seconds (cron runs it every minute with 55). Holds
 * <run_dir>/gamewatch-eve-r2z2.lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "backoff.h"
#include "buf.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "modules/eve/module.h"
#include "modules/eve/store/eve-live.h"
#include "modules/eve/store/eve-store.h"
#include "platform/jobs/job.h"
#include "platform/jobs/lock.h"
#include "timeutil.h"

#define DEFAULT_BASE "https://r2z2.zkillboard.com/ephemeral"

/* sequence.json's value, or -1. */
static int64_t latest_sequence(const char *base, const struct http_options *opt)
{
	struct http_response res;
	struct buf url = BUF_INIT;
	int64_t seq = -1;
	memset(&res, 0, sizeof res);
	buf_addf(&url, "%s/sequence.json", base);
	if (http_get(url.data, opt, &res) == 0 && res.status == 200) {
		struct json_object *o = json_tokener_parse(res.body.data), *v;
		if (o && json_object_object_get_ex(o, "sequence", &v) &&
		    json_object_is_type(v, json_type_int))
			seq = json_object_get_int64(v);
		json_object_put(o);
	}
	http_response_release(&res);
	buf_release(&url);
	return seq;
}

int job_eve_r2z2(const struct cfg *cfg, int argc, char **argv)
{
	const char *base = getenv("EVE_R2Z2_URL");
	const char *wait_env = getenv("EVE_R2Z2_WAIT_MS");
	int64_t wait_ms = wait_env && *wait_env ? strtoll(wait_env, NULL, 10) : 6000;
	int64_t deadline = 0, from = 0, seq = 0, t0 = time_mono_ms();
	struct http_options opt = { 2000, cfg->fetch_timeout_ms > 0 ? cfg->fetch_timeout_ms : 4000,
				    8u << 20, NULL };
	struct eve_import imp;
	struct db db;
	struct eve_live live;
	struct buf lockpath = BUF_INIT, url = BUF_INIT;
	char first_error[512] = "";
	int once = 0, lock, ret = 1, a, misses = 0, failures = 0;

	eve_live_init(&live, cfg->redis_url);
	if (!base || !*base)
		base = DEFAULT_BASE;
	if (wait_ms < 0 || wait_ms > 600000)
		wait_ms = 6000;
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--once"))
			once = 1;
		else if (!strcmp(argv[a], "--duration") && a + 1 < argc)
			deadline = t0 + strtoll(argv[++a], NULL, 10) * 1000;
		else if (!strcmp(argv[a], "--from") && a + 1 < argc)
			from = strtoll(argv[++a], NULL, 10);
		else {
			fprintf(stderr, "usage: gamewatch-job eve-r2z2 [--once | --duration S] [--from N]\n");
			return 2;
		}
	}
	buf_addf(&lockpath, "%s/gamewatch-eve-r2z2.lock", cfg->run_dir);
	lock = lock_take(lockpath.data);
	buf_release(&lockpath);
	if (lock == -2) {
		log_info("eve-r2z2: another follower holds the lock");
		return 0;
	}
	if (lock < 0)
		return 1;
	if (db_open(&db, cfg->database_url) < 0 || eve_import_begin(&imp, &db, base) < 0) {
		db_close(&db);
		close(lock);
		return 1;
	}
	if (eve_feed_get(&db, base, &seq) < 0)
		goto out;
	if (seq > 0) {
		seq++; /* resume after the last stored one */
	} else if (from > 0) {
		seq = from;
	} else {
		seq = latest_sequence(base, &opt);
		if (seq < 0) {
			log_error("eve-r2z2: %s/sequence.json gave no sequence", base);
			goto out;
		}
	}
	log_info("eve-r2z2: following %s from sequence %lld", base, (long long)seq);

	while (!job_stop && (!deadline || time_mono_ms() < deadline)) {
		struct http_response res;
		int64_t delay = 0;
		memset(&res, 0, sizeof res);
		buf_reset(&url);
		buf_addf(&url, "%s/%lld.json", base, (long long)seq);
		if (http_get(url.data, &opt, &res) == 0 && res.status == 200) {
			struct eve_killmail km;
			char err[256], pos[64];
			int d = eve_killmail_decode(res.body.data, res.body.len, &km, err, sizeof err);
			imp.read++;
			snprintf(pos, sizeof pos, "sequence %lld", (long long)seq);
			if (d == EVE_DECODED_KILLMAIL) {
				if (km.sequence_id && km.sequence_id != seq)
					log_warn("eve-r2z2: %s carries sequence_id %lld", url.data,
						 (long long)km.sequence_id);
				long before = imp.inserted;
				if (eve_import_add(&imp, &km) < 0 || eve_import_flush(&imp) < 0) {
					eve_killmail_free(&km);
					http_response_release(&res);
					goto out; /* the database failed: stop, resume from seq later */
				}
				eve_killmail_free(&km);
				if (imp.inserted > before)
					eve_live_publish(&live, &db);
			} else {
				imp.rejected++;
				if (d >= 0)
					snprintf(err, sizeof err, "not a complete R2Z2 document");
				if (!first_error[0])
					snprintf(first_error, sizeof first_error, "%s: %s", pos, err);
				eve_store_rejected(&db, base, pos, err, res.body.data, res.body.len);
			}
			if (eve_feed_set(&db, base, seq, NULL, 0) < 0) {
				http_response_release(&res);
				goto out;
			}
			seq++;
			misses = failures = 0;
		} else if (res.status == 404) {
			failures = 0;
			if (++misses >= 3) {
				int64_t latest = latest_sequence(base, &opt);
				if (latest > seq) {
					log_warn("eve-r2z2: sequence %lld missing while %lld is published;"
						 " skipping it", (long long)seq, (long long)latest);
					seq++;
					misses = 0;
					http_response_release(&res);
					continue;
				}
			}
			if (once) {
				http_response_release(&res);
				break;
			}
			delay = wait_ms;
		} else {
			char msg[300];
			failures++;
			snprintf(msg, sizeof msg, "%s: %s", url.data,
				 res.error[0] ? res.error : (res.status == 429 ? "429 Too Many Requests" : "unexpected status"));
			if (res.status && !res.error[0])
				snprintf(msg, sizeof msg, "%s: HTTP %ld", url.data, res.status);
			log_warn("eve-r2z2: %s (failure %d)", msg, failures);
			eve_feed_set(&db, base, seq - 1, msg, failures);
			delay = res.retry_after_s >= 0 && (res.status == 429 || res.status == 503)
					? res.retry_after_s * 1000
					: backoff_exp_delay_ms(failures, 1000, 300000, 0.2, backoff_random_unit());
		}
		http_response_release(&res);
		if (delay) {
			if (deadline && time_mono_ms() + delay > deadline)
				delay = deadline - time_mono_ms();
			if (delay > 0)
				time_sleep_ms(delay, &job_stop);
		}
	}
	ret = 0;
out:
	log_info("eve-r2z2: %ld read, %ld new, %ld duplicate, %ld rejected; next sequence %lld",
		 imp.read, imp.inserted, imp.duplicates, imp.rejected, (long long)seq);
	if (imp.read || imp.rejected)
		eve_store_ingest_log(&db, base, &imp, time_mono_ms() - t0,
				     first_error[0] ? first_error : NULL);
	eve_import_end(&imp);
	buf_release(&url);
	db_close(&db);
	eve_live_close(&live);
	close(lock);
	return ret;
}
