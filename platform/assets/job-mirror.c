/* job-mirror.c: `gamewatch-job mirror` (copy every picture a page shows to
 * our own storage) and `gamewatch-job asset-sweep` (the nightly integrity
 * check of what was copied). Pages and the API only ever point at
 * ASSETS_CDN_BASE: never at an upstream host.
 *
 * mirror: for each due entity of each picture kind of the enabled modules
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
 *
 * asset-sweep: re-hashes and re-decodes every stored file, marks it
 * verified, quarantines (moves out of the served tree) a file that failed
 * ASSETS_QUARANTINE_AFTER sweeps in a row, forgets a missing one (its
 * entities are mirrored again), deletes duplicate copies of one content and
 * stale temporary files in the kinds' folders, and adopts valid
 * content-named files it does not know. With ASSETS_STORAGE=s3 it checks
 * every object with HEAD. Holds <run_dir>/gamewatch-asset-sweep.lock. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "platform/enrich/enrich-common.h"
#include "img.h"
#include "platform/jobs/job.h"
#include "platform/jobs/lock.h"
#include "log.h"
#include "platform/assets/assets.h"
#include "platform/assets/mirror.h"
#include "platform/module.h"
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

/* A picture kind of this run, with its storage folder. */
struct kind_slot {
	const struct mirror_kind *k;
	char dir[128];  /* "<module>/<kind>" */
};

/* The kinds of the enabled modules, each name once, in order. Returns a
 * new array (free it) of *n entries. */
static struct kind_slot *collect_kinds(size_t *n)
{
	const struct gw_module *const *m;
	struct kind_slot *v = NULL;
	size_t i;

	*n = 0;
	for (m = gw_modules(); *m; m++) {
		const struct mirror_kind *const *k = (*m)->enrich.mirror_kinds;
		for (; k && *k; k++) {
			for (i = 0; i < *n && strcmp(v[i].k->name, (*k)->name); i++)
				;
			if (i < *n)
				continue;
			v = realloc(v, (*n + 1) * sizeof *v);
			if (!v)
				abort();
			v[*n].k = *k;
			snprintf(v[*n].dir, sizeof v[*n].dir, "%s/%s", (*m)->name, (*k)->name);
			(*n)++;
		}
	}
	return v;
}

/* Tell every enabled module to rebuild its cached views. */
static void refresh_modules(struct db *db, struct kv *kv)
{
	const struct gw_module *const *m;
	for (m = gw_modules(); *m; m++)
		if ((*m)->enrich.refresh && (*m)->enrich.refresh(db, kv, time_now_ms()) < 0)
			log_warn("could not refresh the cached views of module %s", (*m)->name);
}

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
static int try_source(struct mirror *m, const struct kind_slot *ks, const char *key,
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

	if (!url_is_http(url)) {
		snprintf(a->error, sizeof a->error, "%s: not an http(s) URL", url);
		return 0;
	}
	have = assets_source_lookup(&m->db, url, a->sha);
	if (have < 0)
		return -1;
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

static void mirror_one(struct mirror *m, const struct kind_slot *ks, struct json_object *row)
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

static void mirror_pass(struct mirror *m, const struct kind_slot *ks)
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

static void mirror_usage(const struct kind_slot *ks, size_t n)
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
	struct kind_slot *ks;
	struct buf lockpath = BUF_INIT, items = BUF_INIT;
	int64_t t0 = time_mono_ms(), deadline;
	int lockfd, ret = 0;
	size_t i, n;

	memset(&m, 0, sizeof m);
	ks = collect_kinds(&n);
	if (run_opts_parse(&m.opt, argc, argv) < 0) {
		mirror_usage(ks, n);
		free(ks);
		return 2;
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
			refresh_modules(&m.db, &m.kv);
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

/* ----------------------------------------------------------------- sweep */

struct sweep {
	struct assets_cfg acfg;
	struct db db;
	struct img_limits lim;
	int verified, failed, quarantined, missing, deduped, adopted, temp_removed;
};

/* Make every entity showing `sha` due for mirroring again. */
static void remirror(struct db *db, const char *sha)
{
	static const char sql[] =
		"UPDATE enrich_items x SET next_attempt_at = now(), signature = NULL, attempts = 0,"
		" parked_at = NULL FROM asset_links l"
		" WHERE l.sha256 = $1 AND x.kind = 'mirror:' || l.entity_kind AND x.key = l.entity_key";
	const char *params[] = { sha };
	db_run(db, sql, 1, params);
}

static int read_all(const char *path, size_t max, struct buf *out)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof chunk)) > 0) {
		buf_add(out, chunk, (size_t)n);
		if (out->len > max)
			break;
	}
	close(fd);
	if (n < 0)
		return -1;
	return 0;
}

/* Does the file hold a valid picture whose SHA-256 is `sha`? 1 yes, 0 no,
 * -1 missing. `why` gets the reason for "no". */
static int check_file(struct sweep *s, const char *path, const char *sha, char *why, size_t n)
{
	struct buf data = BUF_INIT;
	struct img_info info;
	char got[SHA256_HEX_LEN];
	enum img_reject rj;
	int ret;
	if (read_all(path, s->acfg.max_bytes, &data) < 0) {
		int e = errno;
		snprintf(why, n, "%s", strerror(e));
		buf_release(&data);
		return e == ENOENT ? -1 : 0;
	}
	sha256_hex(data.data, data.len, got);
	if (strcmp(got, sha)) {
		snprintf(why, n, "content hashes to %s", got);
		ret = 0;
	} else if ((rj = img_validate(data.data, data.len, &s->lim, &info, why, n)) != IMG_OK) {
		ret = 0;
	} else {
		ret = 1;
	}
	buf_release(&data);
	return ret;
}

static void quarantine_file(struct sweep *s, const char *full, const char *name)
{
	struct buf dst = BUF_INIT;
	mkdir(s->acfg.quarantine_dir, 0700);
	buf_addf(&dst, "%s/%lld-%s", s->acfg.quarantine_dir, (long long)time_now_ms(), name);
	if (rename(full, dst.data) < 0) {
		log_warn("asset-sweep: could not move %s to %s: %s", full, dst.data, strerror(errno));
		unlink(full);
	}
	buf_release(&dst);
}

static void sweep_rows(struct sweep *s)
{
	static const char sql[] =
		"SELECT sha256, path, verify_failures, storage FROM assets"
		" WHERE quarantined_at IS NULL ORDER BY sha256";
	static const char sql_ok[] =
		"UPDATE assets SET verified_at = now(), verify_failures = 0 WHERE sha256 = $1";
	static const char sql_bad[] =
		"UPDATE assets SET verify_failures = $2::int,"
		" quarantined_at = CASE WHEN $3::boolean THEN now() END WHERE sha256 = $1";
	static const char sql_forget[] = "DELETE FROM asset_sources WHERE sha256 = $1";
	static const char sql_drop[] = "DELETE FROM assets WHERE sha256 = $1";
	PGresult *res = db_exec(&s->db, sql, 0, NULL);
	int i;
	if (!res)
		return;
	for (i = 0; i < PQntuples(res) && !job_stop; i++) {
		const char *sha = PQgetvalue(res, i, 0), *path = PQgetvalue(res, i, 1);
		int fails = atoi(PQgetvalue(res, i, 2)) + 1, st;
		const char *params[3];
		char f[16], why[300] = "";
		struct buf full = BUF_INIT;
		params[0] = sha;
		if (!strcmp(PQgetvalue(res, i, 3), "s3")) {
			long status;
			if (s->acfg.storage != ASSETS_S3)
				continue;
			st = s3_head(&s->acfg.s3, path, &status, why, sizeof why);
			if (st < 0) {
				log_warn("asset-sweep: %s: %s", path, why);
				continue;
			}
			st = st == 1 ? 1 : -1;
		} else {
			if (s->acfg.storage != ASSETS_FILE)
				continue;
			buf_addf(&full, "%s/%s", s->acfg.root, path);
			st = check_file(s, full.data, sha, why, sizeof why);
		}
		if (st == 1) {
			db_run(&s->db, sql_ok, 1, params);
			s->verified++;
		} else if (st < 0) {
			s->missing++;
			log_warn("asset-sweep: %s is missing; its entities will be mirrored again", path);
			remirror(&s->db, sha);
			db_run(&s->db, sql_drop, 1, params);
		} else {
			int q = fails >= s->acfg.quarantine_after;
			snprintf(f, sizeof f, "%d", fails);
			params[1] = f;
			params[2] = q ? "true" : "false";
			s->failed++;
			log_warn("asset-sweep: %s failed verification (%d/%d): %s", path, fails,
				 s->acfg.quarantine_after, why);
			if (q) {
				const char *base = strrchr(path, '/');
				quarantine_file(s, full.data, base ? base + 1 : path);
				s->quarantined++;
				log_warn("asset-sweep: %s quarantined in %s", path, s->acfg.quarantine_dir);
				remirror(&s->db, sha);
				db_run(&s->db, sql_forget, 1, params);
			}
			db_run(&s->db, sql_bad, 3, params);
		}
		buf_release(&full);
	}
	PQclear(res);
}

/* "<64 hex>.<ext>": the SHA in sha (65 bytes) and 1, else 0. */
static int content_name(const char *name, char *sha)
{
	size_t i;
	for (i = 0; i < 64; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	if (name[64] != '.')
		return 0;
	memcpy(sha, name, 64);
	sha[64] = '\0';
	return 1;
}

/* The folder `rel_dir` ("<module>/<kind>") of pictures of kind `kind`. */
static void sweep_dir(struct sweep *s, const char *kind, const char *rel_dir)
{
	static const char sql_row[] = "SELECT path, quarantined_at IS NOT NULL FROM assets WHERE sha256 = $1";
	static const char sql_adopt[] =
		"INSERT INTO assets (sha256, kind, ext, mime, width, height, bytes, path, storage,"
		" source_url, created_at, verified_at)"
		" VALUES ($1, $2, $3, $4, $5::int, $6::int, $7::int, $8, 'file', 'adopted:' || $8,"
		"  now(), now()) ON CONFLICT DO NOTHING";
	struct buf dir = BUF_INIT, full = BUF_INIT, rel = BUF_INIT;
	struct dirent *de;
	DIR *d;

	buf_addf(&dir, "%s/%s", s->acfg.root, rel_dir);
	d = opendir(dir.data);
	if (!d) {
		buf_release(&dir);
		return;
	}
	while ((de = readdir(d)) && !job_stop) {
		char sha[SHA256_HEX_LEN], why[300];
		const char *params[8];
		struct stat st;
		PGresult *res;
		if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		buf_reset(&full);
		buf_reset(&rel);
		buf_addf(&full, "%s/%s", dir.data, de->d_name);
		buf_addf(&rel, "%s/%s", rel_dir, de->d_name);
		if (lstat(full.data, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (!strncmp(de->d_name, ".tmp-", 5)) {
			if (st.st_mtime < time(NULL) - 3600 && unlink(full.data) == 0)
				s->temp_removed++;
			continue;
		}
		if (!content_name(de->d_name, sha))
			continue;
		params[0] = sha;
		res = db_exec(&s->db, sql_row, 1, params);
		if (!res)
			continue;
		if (PQntuples(res) == 1) {
			int same = !strcmp(PQgetvalue(res, 0, 0), rel.data);
			int quarantined = PQgetvalue(res, 0, 1)[0] == 't';
			PQclear(res);
			if (same || quarantined)
				continue;
			/* one content, two copies: keep the recorded one */
			if (check_file(s, full.data, sha, why, sizeof why) == 1 && unlink(full.data) == 0) {
				s->deduped++;
				log_info("asset-sweep: removed duplicate %s", rel.data);
			}
			continue;
		}
		PQclear(res);
		{
			struct buf data = BUF_INIT;
			struct img_info info;
			char got[SHA256_HEX_LEN], w[16], h[16], b[24];
			if (read_all(full.data, s->acfg.max_bytes, &data) == 0 &&
			    !strcmp(sha256_hex(data.data, data.len, got), sha) &&
			    img_validate(data.data, data.len, &s->lim, &info, why, sizeof why) == IMG_OK &&
			    !strcmp(strchr(de->d_name, '.') + 1, img_format_ext(info.format))) {
				snprintf(w, sizeof w, "%d", info.width);
				snprintf(h, sizeof h, "%d", info.height);
				snprintf(b, sizeof b, "%zu", data.len);
				params[1] = kind;
				params[2] = img_format_ext(info.format);
				params[3] = img_format_mime(info.format);
				params[4] = w;
				params[5] = h;
				params[6] = b;
				params[7] = rel.data;
				if (db_run(&s->db, sql_adopt, 8, params) == 0) {
					s->adopted++;
					log_info("asset-sweep: adopted unrecorded %s", rel.data);
				}
			} else {
				quarantine_file(s, full.data, de->d_name);
				s->quarantined++;
				log_warn("asset-sweep: unrecorded %s is not a valid picture of that name;"
					 " quarantined", rel.data);
			}
			buf_release(&data);
		}
	}
	closedir(d);
	buf_release(&dir);
	buf_release(&full);
	buf_release(&rel);
}

int job_asset_sweep(const struct cfg *cfg, int argc, char **argv)
{
	struct kind_slot *ks;
	struct sweep s;
	struct buf lockpath = BUF_INIT;
	struct kv kv;
	int64_t t0 = time_mono_ms();
	int lockfd, ret = 0;
	size_t i, n;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: gamewatch-job asset-sweep\n");
		return 2;
	}
	memset(&s, 0, sizeof s);
	if (assets_cfg_load(&s.acfg) < 0)
		return 2;
	s.lim.max_bytes = s.acfg.max_bytes;
	buf_addf(&lockpath, "%s/gamewatch-asset-sweep.lock", cfg->run_dir);
	lockfd = lock_take(lockpath.data);
	buf_release(&lockpath);
	if (lockfd == -2) {
		log_info("another asset sweep holds the lock; exiting");
		assets_cfg_release(&s.acfg);
		return 0;
	}
	if (lockfd < 0 || db_open(&s.db, cfg->database_url) < 0) {
		if (lockfd >= 0) {
			close(lockfd);
			db_close(&s.db);
		}
		assets_cfg_release(&s.acfg);
		return 1;
	}
	sweep_rows(&s);
	ks = collect_kinds(&n);
	if (s.acfg.storage == ASSETS_FILE)
		for (i = 0; i < n; i++)
			sweep_dir(&s, ks[i].k->name, ks[i].dir);
	free(ks);
	if (s.missing || s.quarantined) {
		kv_open(&kv, cfg->redis_url, 1000);
		refresh_modules(&s.db, &kv);
		kv_close(&kv);
	}
	log_info("asset-sweep done in %lld ms: %d verified, %d failed, %d quarantined, %d missing,"
		 " %d duplicates removed, %d adopted, %d temporary files removed",
		 (long long)(time_mono_ms() - t0), s.verified, s.failed, s.quarantined, s.missing,
		 s.deduped, s.adopted, s.temp_removed);
	if (!s.db.conn)
		ret = 1;
	db_close(&s.db);
	close(lockfd);
	assets_cfg_release(&s.acfg);
	return ret;
}
