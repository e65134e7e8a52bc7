/* job-mirror.c: `gamewatch-job mirror`: copy every picture a page shows to
 * our own storage, so that pages and the API only ever point at
 * ASSETS_CDN_BASE, never at an upstream host (the nightly check of what was
 * copied is job-sweep.c).
 *
 * For each due entity of each picture kind of the enabled modules
 * (mirror.h: the kinds and their candidate URLs, in order, come from the
 * modules; the platform's own kind is the player avatar), the candidates
 * are tried in order. A source already mirrored is linked without a
 * fetch. Otherwise it is fetched once (through the host's circuit breaker,
 * with the size cap), validated by decoding (core/img.h), hashed, stored
 * immutably (assets.h) under "<module>/<kind>/" and linked. A 404 moves on
 * to the next source; bad content is refused, counted, and the next source
 * tried; a transient failure (timeout, 5xx, 429) stops there and the item
 * backs off like the enrichment items, up to ENRICH_MAX_ATTEMPTS, then is
 * parked. An entity left without a picture gets the placeholder (the
 * templates' own markup) and, where its kind asks for it, a curation_queue
 * entry. A new or changed candidate list makes the item due again at once.
 * The modules rebuild their cached views after a pass that linked
 * something. Holds <run_dir>/gamewatch-mirror.lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "img.h"
#include "log.h"
#include "platform/admin/flags.h"
#include "platform/assets/assets.h"
#include "platform/assets/mirror.h"
#include "platform/enrich/engine.h"
#include "platform/jobs/job.h"
#include "platform/jobs/lock.h"
#include "timeutil.h"

struct mirror {
	const struct cfg *cfg;
	struct run_opts opt;
	struct enrich_policy pol;
	struct assets_cfg acfg;
	struct breakers br;
	struct db db;
	struct kv kv;
	struct http_options http;
	struct img_limits lim;
	struct run_counts n;
	int changed;
	int worked;
	int64_t wake_ms;
};

/* "img:<host[:port]>" for the breaker of a picture host. */
static void host_provider(struct buf *out, const char *url)
{
	const char *p = strstr(url, "://"), *end, *at;
	buf_addstr(out, "img:");
	if (!p)
		return;
	p += 3;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (at)
		p = at + 1;
	buf_add(out, p, (size_t)(end - p) > 80 ? 80 : (size_t)(end - p));
}

struct attempt {
	int ok, transient, rejected, deferred;
	long retry_after_s;
	char error[600];
	char sha[SHA256_HEX_LEN];
	const char *via, *url;
};

/* Try one source. Returns 1 when the entity is done (linked), 0 to try the
 * next source, -1 to stop here (transient failure or circuit open). */
static int try_source(struct mirror *m, const struct mirror_kind_slot *ks, const char *key,
		      const char *via, const char *url, struct attempt *a)
{
	const char *ekind = ks->k->name;
	struct buf provider = BUF_INIT;
	struct http_response res;
	struct fetch_result fr;
	struct img_info info;
	char why[200];
	int64_t now = time_now_ms(), until = 0;
	enum img_reject rj;
	int ret = 0, have;

	/* a source stored before is linked without a fetch, whatever its
	 * form: an http(s) URL mirrored earlier, or "upload:<sha256>", a
	 * picture a curator approved (platform/admin/curation.h) */
	have = assets_source_lookup(&m->db, url, a->sha);
	if (have < 0)
		return -1;
	if (!have && !url_is_http(url)) {
		snprintf(a->error, sizeof a->error, "%s: not an http(s) URL", url);
		return 0;
	}
	if (have) {
		if (enrich_link(&m->db, ekind, key, a->sha, via, url, now) < 0)
			return -1;
		a->ok = 1;
		a->via = via;
		a->url = url;
		log_info("mirror %s %s: ok %s via %s (already mirrored, no fetch)", ekind, key,
			 a->sha, via);
		return 1;
	}
	host_provider(&provider, url);
	if (fetch_via_breaker(&m->db, &m->br, provider.data, url, NULL, url, &m->http, now, &res,
			      &fr, &until) == 1) {
		a->deferred = 1;
		if (!m->wake_ms || until < m->wake_ms)
			m->wake_ms = until;
		m->n.deferred++;
		log_info("mirror %s %s: %s circuit open; deferred", ekind, key, provider.data);
		buf_release(&provider);
		return -1;
	}
	m->worked = 1;
	buf_release(&provider);
	switch (fr.outcome) {
	case ENRICH_ABSENT:
		snprintf(a->error, sizeof a->error, "%s", fr.error);
		break;
	case ENRICH_FAILED:
		a->transient = 1;
		if (fr.retry_after_s > a->retry_after_s)
			a->retry_after_s = fr.retry_after_s;
		snprintf(a->error, sizeof a->error, "%s", fr.error);
		ret = -1;
		break;
	case ENRICH_REJECTED:
		a->rejected = 1;
		m->n.rejected++;
		snprintf(a->error, sizeof a->error, "rejected %s: %s", fr.reject, fr.error);
		log_warn("mirror %s %s: rejected (%s) %s", ekind, key, fr.reject, url);
		break;
	case ENRICH_OK:
		rj = img_validate(res.body.data, res.body.len, &m->lim, &info, why, sizeof why);
		if (rj != IMG_OK) {
			a->rejected = 1;
			m->n.rejected++;
			snprintf(a->error, sizeof a->error, "rejected %s: %s: %s", img_reject_name(rj),
				 url, why);
			log_warn("mirror %s %s: rejected (%s) %s: %s", ekind, key, img_reject_name(rj),
				 url, why);
			break;
		}
		if (assets_put(&m->db, &m->acfg, ekind, ks->dir, url, res.body.data, res.body.len, &info, now,
			       a->sha, a->error, sizeof a->error) < 0 ||
		    enrich_link(&m->db, ekind, key, a->sha, via, url, now) < 0) {
			log_error("mirror %s %s: not stored: %s", ekind, key, a->error);
			a->transient = 1;
			ret = -1;
			break;
		}
		a->ok = 1;
		a->via = via;
		a->url = url;
		log_info("mirror %s %s: ok %s via %s (%s %dx%d, %zu bytes)", ekind, key, a->sha, via,
			 img_format_ext(info.format), info.width, info.height, res.body.len);
		ret = 1;
		break;
	}
	http_response_release(&res);
	return ret;
}

static void mirror_one(struct mirror *m, const struct mirror_kind_slot *ks,
		       struct json_object *row)
{
	const char *ekind = ks->k->name;
	const char *key = json_str(row, "key"), *sig = json_str(row, "sig"),
		   *prev = json_str(row, "prev_sig");
	struct json_object *cands;
	struct buf item = BUF_INIT;
	struct attempt a;
	int64_t now = time_now_ms();
	size_t i, n = 0;
	int reset = !prev || !sig || strcmp(prev, sig);

	memset(&a, 0, sizeof a);
	a.retry_after_s = -1;
	buf_addf(&item, "mirror:%s", ekind);
	if (json_object_object_get_ex(row, "cands", &cands))
		n = json_object_array_length(cands);
	for (i = 0; i < n && !job_stop; i++) {
		struct json_object *c = json_object_array_get_idx(cands, i);
		if (try_source(m, ks, key, json_str(c, "via"), json_str(c, "url"), &a))
			break;
	}
	if (job_stop || a.deferred)
		goto out;
	if (a.ok) {
		if (enrich_item_done(&m->db, item.data, key, "ok", now, m->pol.ttl_mirror_ms, sig) == 0) {
			m->n.ok++;
			m->changed = 1;
			curation_resolve(&m->db, ekind, key, now);
		}
	} else if (a.transient || a.rejected) {
		int64_t next = 0;
		int attempts = 0;
		int parked = enrich_item_failed(&m->db, &m->pol, item.data, key, a.error,
						!a.transient, a.retry_after_s, now, reset, sig,
						&next, &attempts);
		if (parked == 1) {
			m->n.parked++;
			log_warn("mirror %s %s: parked after %d attempts: %s", ekind, key, attempts,
				 a.error);
			if (enrich_has_picture(&m->db, ekind, key) == 0) {
				enrich_link(&m->db, ekind, key, NULL, "placeholder", NULL, now);
				m->changed = 1;
			}
			{
				struct buf reason = BUF_INIT;
				buf_addf(&reason, "parked: %s", a.error);
				curation_add(&m->db, ekind, key, reason.data, now);
				buf_release(&reason);
			}
		} else if (parked == 0) {
			if (a.transient)
				m->n.failed++;
			log_warn("mirror %s %s: %s (attempt %d/%d), retry in %.1f s: %s", ekind, key,
				 a.transient ? "failed" : "rejected", attempts, m->pol.max_attempts,
				 (double)(next - now) / 1000.0, a.error);
		}
	} else {
		/* every source answered "not here", or there is none */
		int has = enrich_has_picture(&m->db, ekind, key);
		m->n.absent++;
		if (has == 0) {
			enrich_link(&m->db, ekind, key, NULL, "placeholder", NULL, now);
			m->changed = 1;
			if (ks->k->curate_absent)
				curation_add(&m->db, ekind, key,
					     n ? "no source has a picture" : "no picture source known",
					     now);
		}
		enrich_item_done(&m->db, item.data, key, "placeholder", now, m->pol.ttl_absent_ms, sig);
		log_info("mirror %s %s: %s (%zu source%s)", ekind, key,
			 has == 1 ? "kept the current picture" : "placeholder", n, n == 1 ? "" : "s");
	}
out:
	buf_release(&item);
}

static void mirror_pass(struct mirror *m, const struct mirror_kind_slot *ks)
{
	struct json_object *rows;
	size_t i, n;

	rows = ks->k->due(&m->db, m->opt.force, time_now_ms(), m->opt.limit);
	if (!rows)
		return;
	n = json_object_array_length(rows);
	for (i = 0; i < n && !job_stop; i++)
		mirror_one(m, ks, json_object_array_get_idx(rows, i));
	json_object_put(rows);
}

static void mirror_usage(const struct mirror_kind_slot *ks, size_t n)
{
	size_t i;
	fprintf(stderr, "usage: gamewatch-job mirror [--once | --duration SECONDS]"
			" [--limit N] [--force] [--only ");
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%s", i ? "," : "", ks[i].k->name);
	fprintf(stderr, "]\n");
}

int job_mirror(const struct cfg *cfg, int argc, char **argv)
{
	struct mirror m;
	struct mirror_kind_slot *ks;
	struct buf lockpath = BUF_INIT, items = BUF_INIT;
	int64_t t0 = time_mono_ms(), deadline;
	int lockfd, ret = 0;
	size_t i, n;

	memset(&m, 0, sizeof m);
	ks = mirror_kinds_enabled(&n);
	if (run_opts_parse(&m.opt, argc, argv) < 0) {
		mirror_usage(ks, n);
		free(ks);
		return 2;
	}
	/* an admin can switch mirroring off (platform/admin/flags.h) */
	if (!flag_enabled_url(cfg->database_url, "MIRROR_ENABLED")) {
		log_info("MIRROR_ENABLED is off (feature flag): nothing copied");
		free(ks);
		return 0;
	}
	if (assets_cfg_load(&m.acfg) < 0) {
		free(ks);
		return 2;
	}
	buf_addf(&lockpath, "%s/gamewatch-mirror.lock", cfg->run_dir);
	lockfd = lock_take(lockpath.data);
	buf_release(&lockpath);
	if (lockfd == -2) {
		log_info("another mirror run holds the lock; exiting");
		assets_cfg_release(&m.acfg);
		free(ks);
		return 0;
	}
	if (lockfd < 0) {
		assets_cfg_release(&m.acfg);
		free(ks);
		return 1;
	}
	m.cfg = cfg;
	enrich_policy_load(&m.pol);
	m.br.policy = &m.pol;
	m.http.connect_timeout_ms = cfg->fetch_timeout_ms < 2000 ? cfg->fetch_timeout_ms : 2000;
	m.http.timeout_ms = cfg->fetch_timeout_ms;
	m.http.max_bytes = m.acfg.max_bytes;
	m.lim.max_bytes = m.acfg.max_bytes;
	db_open(&m.db, cfg->database_url);
	kv_open(&m.kv, cfg->redis_url, 1000);
	for (i = 0; i < n; i++)
		if (run_opts_wants(&m.opt, ks[i].k->name))
			buf_addf(&items, "%smirror:%s", items.len ? "," : "", ks[i].k->name);

	deadline = time_now_ms() + (int64_t)m.opt.duration_s * 1000;
	while (!job_stop) {
		int64_t next;
		m.worked = 0;
		m.wake_ms = 0;
		if (db_ensure(&m.db) < 0) {
			ret = 1;
			break;
		}
		for (i = 0; i < n && !job_stop; i++)
			if (run_opts_wants(&m.opt, ks[i].k->name))
				mirror_pass(&m, &ks[i]);
		m.opt.force = 0;
		if (m.changed) {
			enrich_refresh_modules(&m.db, &m.kv);
			m.changed = 0;
		}
		if (m.opt.once || !items.len)
			break;
		next = enrich_next_due_ms(&m.db, items.data);
		if (m.wake_ms && (next < 0 || m.wake_ms < next))
			next = m.wake_ms;
		if (next >= 0 && next <= time_now_ms() && !m.worked)
			next = time_now_ms() + 1000;
		if (next < 0 || next >= deadline)
			break;
		run_sleep_until(next);
	}
	run_counts_log("mirror", &m.n, time_mono_ms() - t0);
	breakers_release(&m.br);
	assets_cfg_release(&m.acfg);
	buf_release(&items);
	free(ks);
	db_close(&m.db);
	kv_close(&m.kv);
	close(lockfd);
	return ret;
}

