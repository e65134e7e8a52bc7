/* engine.c: `gamewatch-job enrich`, the run loop over the providers of the
 * enabled modules (contract in engine.h; sources, TTLs and breakers in
 * docs/enrichment.md). */
#include "platform/admin/flags.h"
#include "platform/enrich/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "platform/jobs/job.h"
#include "platform/jobs/lock.h"
#include "platform/module.h"
#include "timeutil.h"

/* A provider selected for this run, with its state. */
struct phase {
	const struct enrich_provider *p;
	void *state;
	int active;   /* started and not skipped */
};

int enrich_done(struct enrich_run *run, const char *key, enum enrich_outcome outcome,
		int64_t ttl_ms, int64_t now_ms)
{
	int ok = outcome == ENRICH_OK;
	if (enrich_item_done(&run->db, run->cur->name, key, ok ? "ok" : "absent", now_ms, ttl_ms,
			     NULL) < 0)
		return -1;
	if (ok) {
		run->n.ok++;
		run->changed = 1;
	} else {
		run->n.absent++;
	}
	return 0;
}

void enrich_failed(struct enrich_run *run, const char *key, const struct fetch_result *fr,
		   int64_t now_ms)
{
	const char *kind = run->cur->name;
	int64_t next = 0;
	int attempts = 0;
	int parked = enrich_item_failed(&run->db, &run->pol, kind, key, fr->error,
					fr->outcome == ENRICH_REJECTED, fr->retry_after_s, now_ms, 0,
					NULL, &next, &attempts);
	if (fr->outcome == ENRICH_REJECTED)
		run->n.rejected++;
	else
		run->n.failed++;
	if (parked == 1) {
		run->n.parked++;
		log_warn("%s %s: parked after %d attempts: %s", kind, key, attempts, fr->error);
	} else if (parked == 0) {
		log_warn("%s %s: %s (attempt %d/%d), retry in %.1f s", kind, key,
			 fr->outcome == ENRICH_REJECTED ? "rejected" : "failed", attempts,
			 run->pol.max_attempts, (double)(next - now_ms) / 1000.0);
		log_info("%s %s: %s", kind, key, fr->error);
	}
}

void enrich_defer(struct enrich_run *run, const char *breaker, int64_t until_ms, int items)
{
	run->n.deferred += items;
	if (!run->wake_ms || until_ms < run->wake_ms)
		run->wake_ms = until_ms;
	log_info("%s: circuit open until %lld ms from now; %d item%s deferred", breaker,
		 (long long)(until_ms - time_now_ms()), items, items == 1 ? "" : "s");
}

/* One pass of one provider: its due items, batch by batch, until done,
 * stopped, or its breaker opens. */
static void run_phase(struct enrich_run *run, struct phase *ph)
{
	const struct enrich_provider *p = ph->p;
	struct json_object *rows;
	size_t n, start, size = p->batch ? p->batch : 1;

	run->cur = p;
	rows = p->due(&run->db, run->opt.force, time_now_ms(), run->opt.limit);
	if (!rows)
		return;
	n = json_object_array_length(rows);
	for (start = 0; start < n && !job_stop; start += size) {
		size_t end = start + size < n ? start + size : n, i;
		struct json_object *batch = json_object_new_array();
		struct enrich_request req = { BUF_INIT, BUF_INIT, BUF_INIT };
		struct http_response res;
		struct fetch_result fr;
		int64_t now, until = 0;
		int deferred;

		for (i = start; i < end; i++)
			json_object_array_add(batch, json_object_get(json_object_array_get_idx(rows, i)));
		p->request(ph->state, batch, &req);
		now = time_now_ms();
		deferred = fetch_via_breaker(&run->db, &run->br, p->breaker, req.url.data,
					     req.form.len ? req.form.data : NULL,
					     req.log_url.len ? req.log_url.data : req.url.data,
					     &run->http, now, &res, &fr, &until) == 1;
		if (deferred) {
			enrich_defer(run, p->breaker, until, (int)(n - start));
		} else {
			run->worked = 1;
			p->answer(run, ph->state, batch, &fr, &res.body, &req, now);
		}
		http_response_release(&res);
		json_object_put(batch);
		buf_release(&req.url);
		buf_release(&req.form);
		buf_release(&req.log_url);
		if (deferred)
			break;
	}
	json_object_put(rows);
}

/* The providers of the enabled modules, each name once, in order. Returns
 * a new array (free it) of *n entries. */
static struct phase *collect(size_t *n)
{
	const struct gw_module *const *m;
	struct phase *v = NULL;
	size_t k, i;

	*n = 0;
	for (m = gw_modules(); *m; m++) {
		const struct enrich_provider *const *p = (*m)->enrich.providers;
		for (; p && *p; p++) {
			for (i = 0; i < *n && strcmp(v[i].p->name, (*p)->name); i++)
				;
			if (i < *n)
				continue;
			k = *n + 1;
			v = realloc(v, k * sizeof *v);
			if (!v)
				abort();
			memset(&v[*n], 0, sizeof *v);
			v[*n].p = *p;
			*n = k;
		}
	}
	return v;
}

static void usage(const struct phase *ph, size_t n)
{
	size_t i;
	fprintf(stderr, "usage: gamewatch-job enrich [--once | --duration SECONDS] [--limit N]"
			" [--force] [--only ");
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%s", i ? "," : "", ph[i].p->name);
	fprintf(stderr, "]\n");
}

void enrich_refresh_modules(struct db *db, struct kv *kv)
{
	const struct gw_module *const *m;
	for (m = gw_modules(); *m; m++)
		if ((*m)->enrich.refresh && (*m)->enrich.refresh(db, kv, time_now_ms()) < 0)
			log_warn("could not refresh the cached views of module %s", (*m)->name);
}

int job_enrich(const struct cfg *cfg, int argc, char **argv)
{
	struct enrich_run run;
	struct phase *ph;
	struct buf lockpath = BUF_INIT, kinds = BUF_INIT;
	int64_t t0 = time_mono_ms(), deadline;
	int lockfd, ret = 0;
	size_t i, n;

	memset(&run, 0, sizeof run);
	ph = collect(&n);
	if (run_opts_parse(&run.opt, argc, argv) < 0) {
		usage(ph, n);
		free(ph);
		return 2;
	}
	/* an admin can switch enrichment off (platform/admin/flags.h) */
	if (!flag_enabled_url(cfg->database_url, "ENRICHMENT_ENABLED")) {
		log_info("ENRICHMENT_ENABLED is off (feature flag): nothing fetched");
		free(ph);
		return 0;
	}
	buf_addf(&lockpath, "%s/gamewatch-enrich.lock", cfg->run_dir);
	lockfd = lock_take(lockpath.data);
	buf_release(&lockpath);
	if (lockfd == -2) {
		log_info("another enrich run holds the lock; exiting");
		free(ph);
		return 0;
	}
	if (lockfd < 0) {
		free(ph);
		return 1;
	}

	run.cfg = cfg;
	enrich_policy_load(&run.pol);
	run.br.policy = &run.pol;
	run.http.connect_timeout_ms = cfg->fetch_timeout_ms < 2000 ? cfg->fetch_timeout_ms : 2000;
	run.http.timeout_ms = cfg->fetch_timeout_ms;
	run.http.max_bytes = ENRICH_JSON_MAX_BYTES;
	db_open(&run.db, cfg->database_url);
	kv_open(&run.kv, cfg->redis_url, 1000);
	for (i = 0; i < n; i++) {
		if (!run_opts_wants(&run.opt, ph[i].p->name))
			continue;
		run.cur = ph[i].p;
		ph[i].active = !ph[i].p->start || ph[i].p->start(&run, &ph[i].state) == 0;
		if (ph[i].active)
			buf_addf(&kinds, "%s%s", kinds.len ? "," : "", ph[i].p->name);
	}

	deadline = time_now_ms() + (int64_t)run.opt.duration_s * 1000;
	while (!job_stop) {
		int64_t next;
		run.worked = 0;
		run.wake_ms = 0;
		if (db_ensure(&run.db) < 0) {
			ret = 1;
			break;
		}
		for (i = 0; i < n && !job_stop; i++)
			if (ph[i].active)
				run_phase(&run, &ph[i]);
		run.opt.force = 0; /* --force applies to the first pass */
		if (run.changed) {
			enrich_refresh_modules(&run.db, &run.kv);
			run.changed = 0;
		}
		if (run.opt.once || !kinds.len)
			break;
		next = enrich_next_due_ms(&run.db, kinds.data);
		if (run.wake_ms && (next < 0 || run.wake_ms < next))
			next = run.wake_ms;
		/* due items that could not run (circuit open): look again in 1 s */
		if (next >= 0 && next <= time_now_ms() && !run.worked)
			next = time_now_ms() + 1000;
		if (next < 0 || next >= deadline)
			break;
		run_sleep_until(next);
	}
	run_counts_log("enrich", &run.n, time_mono_ms() - t0);
	for (i = 0; i < n; i++)
		if (ph[i].state && ph[i].p->stop)
			ph[i].p->stop(ph[i].state);
	free(ph);
	buf_release(&kinds);
	breakers_release(&run.br);
	db_close(&run.db);
	kv_close(&run.kv);
	close(lockfd);
	return ret;
}
