/* job-sweep.c: `gamewatch-job asset-sweep`, the nightly integrity check of
 * the mirrored pictures (docs/enrichment.md, "Integrity sweep").
 *
 * Re-hashes and re-decodes every stored file, marks it verified,
 * quarantines (moves out of the served tree) a file that failed
 * ASSETS_QUARANTINE_AFTER sweeps in a row, forgets a missing one (its
 * entities are mirrored again), deletes duplicate copies of one content and
 * stale temporary files in the folders of the enabled picture kinds
 * (mirror.h), and adopts valid content-named files it does not know. With
 * ASSETS_STORAGE=s3 it checks every object with HEAD. The modules rebuild
 * their cached views when a picture left them. Holds
 * <run_dir>/gamewatch-asset-sweep.lock. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "img.h"
#include "log.h"
#include "platform/assets/assets.h"
#include "platform/assets/mirror.h"
#include "platform/enrich/engine.h"
#include "platform/jobs/job.h"
#include "platform/jobs/lock.h"
#include "timeutil.h"

struct sweep {
	struct assets_cfg acfg;
	struct db db;
	struct img_limits lim;
	int verified, failed, quarantined, missing, deduped, adopted, temp_removed;
};

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
	struct asset_row *rows;
	size_t i, n;

	if (assets_list(&s->db, &rows, &n) < 0)
		return;
	for (i = 0; i < n && !job_stop; i++) {
		const char *sha = rows[i].sha, *path = rows[i].path;
		int fails = rows[i].verify_failures + 1, st;
		char why[300] = "";
		struct buf full = BUF_INIT;
		if (rows[i].storage == ASSETS_S3) {
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
			assets_mark_verified(&s->db, sha);
			s->verified++;
		} else if (st < 0) {
			s->missing++;
			log_warn("asset-sweep: %s is missing; its entities will be mirrored again", path);
			mirror_redo(&s->db, sha);
			assets_drop(&s->db, sha);
		} else {
			int q = fails >= s->acfg.quarantine_after;
			s->failed++;
			log_warn("asset-sweep: %s failed verification (%d/%d): %s", path, fails,
				 s->acfg.quarantine_after, why);
			if (q) {
				const char *base = strrchr(path, '/');
				quarantine_file(s, full.data, base ? base + 1 : path);
				s->quarantined++;
				log_warn("asset-sweep: %s quarantined in %s", path, s->acfg.quarantine_dir);
				mirror_redo(&s->db, sha);
				assets_forget_sources(&s->db, sha);
			}
			assets_mark_failed(&s->db, sha, fails, q);
		}
		buf_release(&full);
	}
	assets_rows_free(rows, n);
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
	struct buf dir = BUF_INIT, full = BUF_INIT, rel = BUF_INIT, known = BUF_INIT;
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
		struct stat st;
		int found, quarantined = 0;
		if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		buf_reset(&full);
		buf_reset(&rel);
		buf_reset(&known);
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
		found = assets_find(&s->db, sha, &known, &quarantined);
		if (found < 0)
			continue;
		if (found) {
			if (!strcmp(known.data, rel.data) || quarantined)
				continue;
			/* one content, two copies: keep the recorded one */
			if (check_file(s, full.data, sha, why, sizeof why) == 1 && unlink(full.data) == 0) {
				s->deduped++;
				log_info("asset-sweep: removed duplicate %s", rel.data);
			}
			continue;
		}
		{
			struct buf data = BUF_INIT;
			struct img_info info;
			char got[SHA256_HEX_LEN];
			if (read_all(full.data, s->acfg.max_bytes, &data) == 0 &&
			    !strcmp(sha256_hex(data.data, data.len, got), sha) &&
			    img_validate(data.data, data.len, &s->lim, &info, why, sizeof why) == IMG_OK &&
			    !strcmp(strchr(de->d_name, '.') + 1, img_format_ext(info.format))) {
				if (assets_adopt(&s->db, sha, kind, rel.data, &info, data.len) == 0) {
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
	buf_release(&known);
}

int job_asset_sweep(const struct cfg *cfg, int argc, char **argv)
{
	struct mirror_kind_slot *ks;
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
	ks = mirror_kinds_enabled(&n);
	if (s.acfg.storage == ASSETS_FILE)
		for (i = 0; i < n; i++)
			sweep_dir(&s, ks[i].k->name, ks[i].dir);
	free(ks);
	if (s.missing || s.quarantined) {
		kv_open(&kv, cfg->redis_url, 1000);
		enrich_refresh_modules(&s.db, &kv);
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
