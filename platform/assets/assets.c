/* assets.c: content-addressed picture storage, file and S3 (assets.h). */
#include "platform/assets/assets.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

#ifndef GW_LOCALSTATEDIR
#define GW_LOCALSTATEDIR "/var"
#endif

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

static char *keep(struct buf *b)
{
	return buf_detach(b, NULL);
}

void assets_cfg_release(struct assets_cfg *c)
{
	free(c->root);
	free(c->quarantine_dir);
	memset(c, 0, sizeof *c);
}

const char *assets_cdn_base(void)
{
	static char *base;
	if (!base) {
		struct buf b = BUF_INIT;
		buf_addstr(&b, env_or("ASSETS_CDN_BASE", "/assets/"));
		while (b.len > 1 && b.data[b.len - 1] == '/')
			buf_truncate(&b, b.len - 1);
		if (strcmp(b.data, "/"))
			buf_addch(&b, '/');
		base = buf_detach(&b, NULL);
	}
	return base;
}

int assets_cfg_load(struct assets_cfg *c)
{
	const char *storage = env_or("ASSETS_STORAGE", "file");
	const char *v;
	struct buf b = BUF_INIT;
	char *end;
	long long n;

	memset(c, 0, sizeof *c);
	v = getenv("ASSETS_ROOT");
	if (v && *v) {
		buf_addstr(&b, v);
	} else if ((v = getenv("GW_DATA_DIR")) && *v) {
		buf_addf(&b, "%s/assets", v);
	} else {
		buf_addstr(&b, GW_LOCALSTATEDIR "/lib/gamewatch/assets");
	}
	while (b.len > 1 && b.data[b.len - 1] == '/')
		buf_truncate(&b, b.len - 1);
	c->root = keep(&b);
	v = getenv("ASSETS_QUARANTINE_DIR");
	if (v && *v)
		buf_addstr(&b, v);
	else
		buf_addf(&b, "%s/../assets-quarantine", c->root);
	c->quarantine_dir = keep(&b);
	c->max_bytes = IMG_DEFAULT_MAX_BYTES;
	if ((v = getenv("ASSETS_MAX_BYTES")) && *v) {
		errno = 0;
		n = strtoll(v, &end, 10);
		if (errno || *end || n < 1024 || n > (1LL << 30))
			log_warn("invalid ASSETS_MAX_BYTES \"%s\": using %zu", v, c->max_bytes);
		else
			c->max_bytes = (size_t)n;
	}
	c->quarantine_after = 3;
	if ((v = getenv("ASSETS_QUARANTINE_AFTER")) && *v) {
		n = strtoll(v, &end, 10);
		if (*end || n < 1 || n > 1000)
			log_warn("invalid ASSETS_QUARANTINE_AFTER \"%s\": using 3", v);
		else
			c->quarantine_after = (int)n;
	}
	if (!strcmp(storage, "file")) {
		c->storage = ASSETS_FILE;
		return 0;
	}
	if (strcmp(storage, "s3")) {
		log_error("unknown ASSETS_STORAGE \"%s\" (file or s3)", storage);
		assets_cfg_release(c);
		return -1;
	}
	c->storage = ASSETS_S3;
	c->s3.endpoint = getenv("S3_ENDPOINT");
	c->s3.bucket = getenv("S3_BUCKET");
	c->s3.region = env_or("S3_REGION", "us-east-1");
	c->s3.access_key = getenv("S3_ACCESS_KEY_ID");
	c->s3.secret_key = getenv("S3_SECRET_ACCESS_KEY");
	c->s3.virtual_host = !strcmp(env_or("S3_VIRTUAL_HOST", "0"), "1");
	if (!c->s3.endpoint || !*c->s3.endpoint || !c->s3.bucket || !*c->s3.bucket ||
	    !c->s3.access_key || !c->s3.secret_key) {
		log_error("ASSETS_STORAGE=s3 needs S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID"
			  " and S3_SECRET_ACCESS_KEY");
		assets_cfg_release(c);
		return -1;
	}
	return 0;
}

void assets_path(struct buf *out, const char *dir, const char *sha, enum img_format f)
{
	buf_addf(out, "%s/%s.%s", dir, sha, img_format_ext(f));
}

/* mkdir -p of the directory part of `path`. */
static int make_parents(const char *path)
{
	char *p = strdup(path), *s;
	int ret = 0;
	if (!p)
		abort();
	for (s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			ret = -1;
			break;
		}
		*s = '/';
	}
	free(p);
	return ret;
}

int assets_write_file(const char *path, const void *data, size_t len)
{
	struct buf tmp = BUF_INIT, dir = BUF_INIT;
	const char *slash = strrchr(path, '/');
	const unsigned char *p = data;
	size_t off = 0;
	int fd, e = 0, dfd;

	if (!slash || make_parents(path) < 0)
		return -1;
	buf_add(&dir, path, (size_t)(slash - path));
	buf_addf(&tmp, "%s/.tmp-%s-%ld", dir.data, slash + 1, (long)getpid());
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			break;
		}
		off += (size_t)w;
	}
	/* 0644 whatever the umask: the web server (another user) serves it */
	if (!e && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && rename(tmp.data, path) < 0)
		e = errno;
	if (e) {
		unlink(tmp.data);
		goto out;
	}
	dfd = open(dir.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	buf_release(&tmp);
	buf_release(&dir);
	errno = e;
	return e ? -1 : 0;
}

/* Is `path` a regular file whose content hashes to `sha`? */
static int file_matches(const char *path, const char *sha)
{
	char buf[65536], got[SHA256_HEX_LEN];
	struct sha256_stream *s;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	s = sha256_stream_new();
	while ((n = read(fd, buf, sizeof buf)) > 0)
		sha256_stream_add(s, buf, (size_t)n);
	close(fd);
	sha256_stream_finish(s, got);
	return n == 0 && !strcmp(got, sha);
}

static int store_file(const struct assets_cfg *c, const char *path, const char *sha,
		      const void *data, size_t len, char *err, size_t errlen)
{
	struct buf full = BUF_INIT;
	int ret = 0;
	buf_addf(&full, "%s/%s", c->root, path);
	if (!file_matches(full.data, sha) && assets_write_file(full.data, data, len) < 0) {
		snprintf(err, errlen, "could not write %s: %s", full.data, strerror(errno));
		ret = -1;
	}
	buf_release(&full);
	return ret;
}

static int store_s3(const struct assets_cfg *c, const char *path, const void *data, size_t len,
		    enum img_format f, char *err, size_t errlen)
{
	long st;
	int have = s3_head(&c->s3, path, &st, err, errlen);
	if (have == 1)
		return 0;
	if (have < 0)
		return -1;
	return s3_put(&c->s3, path, data, len, img_format_mime(f),
		      "public, max-age=31536000, immutable", &st, err, errlen);
}

int assets_put(struct db *db, const struct assets_cfg *c, const char *kind,
	       const char *dir, const char *source_url, const void *data, size_t len,
	       const struct img_info *info, int64_t now_ms, char sha_out[SHA256_HEX_LEN],
	       char *err, size_t errlen)
{
	static const char sql_existing[] =
		"SELECT path FROM assets WHERE sha256 = $1 AND quarantined_at IS NULL";
	static const char sql_asset[] =
		"INSERT INTO assets AS a (sha256, kind, ext, mime, width, height, bytes, path, storage,"
		" source_url, created_at, verified_at)"
		" VALUES ($1, $2, $3, $4, $5::int, $6::int, $7::int, $8, $9, $10, gw_ms($11::bigint),"
		"  gw_ms($11::bigint))"
		" ON CONFLICT (sha256) DO UPDATE SET storage = EXCLUDED.storage,"
		"  quarantined_at = NULL, verify_failures = 0, verified_at = EXCLUDED.verified_at,"
		"  path = CASE WHEN a.quarantined_at IS NULL THEN a.path ELSE EXCLUDED.path END";
	static const char sql_source[] =
		"INSERT INTO asset_sources (url, sha256, fetched_at) VALUES ($1, $2, gw_ms($3::bigint))"
		" ON CONFLICT (url) DO UPDATE SET sha256 = EXCLUDED.sha256,"
		"  fetched_at = EXCLUDED.fetched_at";
	struct buf path = BUF_INIT;
	char w[16], h[16], bytes[24], now[24];
	const char *params[11];
	PGresult *res;
	int ret = -1;

	sha256_hex(data, len, sha_out);
	/* the same picture under another kind keeps its first path (dedupe) */
	params[0] = sha_out;
	res = db_exec(db, sql_existing, 1, params);
	if (!res) {
		snprintf(err, errlen, "database unavailable");
		return -1;
	}
	if (PQntuples(res) == 1)
		buf_addstr(&path, PQgetvalue(res, 0, 0));
	else
		assets_path(&path, dir, sha_out, info->format);
	PQclear(res);

	if (c->storage == ASSETS_FILE) {
		if (store_file(c, path.data, sha_out, data, len, err, errlen) < 0)
			goto out;
	} else if (store_s3(c, path.data, data, len, info->format, err, errlen) < 0) {
		goto out;
	}
	snprintf(w, sizeof w, "%d", info->width);
	snprintf(h, sizeof h, "%d", info->height);
	snprintf(bytes, sizeof bytes, "%zu", len);
	snprintf(now, sizeof now, "%lld", (long long)now_ms);
	params[0] = sha_out;
	params[1] = kind;
	params[2] = img_format_ext(info->format);
	params[3] = img_format_mime(info->format);
	params[4] = w;
	params[5] = h;
	params[6] = bytes;
	params[7] = path.data;
	params[8] = c->storage == ASSETS_FILE ? "file" : "s3";
	params[9] = source_url;
	params[10] = now;
	if (db_run(db, sql_asset, 11, params) < 0) {
		snprintf(err, errlen, "database unavailable");
		goto out;
	}
	params[0] = source_url;
	params[1] = sha_out;
	params[2] = now;
	if (db_run(db, sql_source, 3, params) < 0) {
		snprintf(err, errlen, "database unavailable");
		goto out;
	}
	ret = 0;
out:
	buf_release(&path);
	return ret;
}

int assets_source_lookup(struct db *db, const char *url, char sha_out[SHA256_HEX_LEN])
{
	static const char sql[] =
		"SELECT s.sha256 FROM asset_sources s JOIN assets a ON a.sha256 = s.sha256"
		" WHERE s.url = $1 AND a.quarantined_at IS NULL";
	const char *params[] = { url };
	PGresult *res = db_exec(db, sql, 1, params);
	int found = 0;
	if (!res)
		return -1;
	if (PQntuples(res) == 1 && strlen(PQgetvalue(res, 0, 0)) == 64) {
		memcpy(sha_out, PQgetvalue(res, 0, 0), SHA256_HEX_LEN);
		found = 1;
	}
	PQclear(res);
	return found;
}

/* ------------------------------------------------- the integrity sweep */

int assets_list(struct db *db, struct asset_row **rows, size_t *n)
{
	static const char sql[] =
		"SELECT sha256, path, verify_failures, storage FROM assets"
		" WHERE quarantined_at IS NULL ORDER BY sha256";
	PGresult *res = db_exec(db, sql, 0, NULL);
	int i;
	*rows = NULL;
	*n = 0;
	if (!res)
		return -1;
	if (PQntuples(res) > 0) {
		*rows = calloc((size_t)PQntuples(res), sizeof **rows);
		if (!*rows)
			abort();
	}
	for (i = 0; i < PQntuples(res); i++) {
		struct asset_row *r = &(*rows)[i];
		snprintf(r->sha, sizeof r->sha, "%s", PQgetvalue(res, i, 0));
		r->path = strdup(PQgetvalue(res, i, 1));
		if (!r->path)
			abort();
		r->verify_failures = atoi(PQgetvalue(res, i, 2));
		r->storage = !strcmp(PQgetvalue(res, i, 3), "s3") ? ASSETS_S3 : ASSETS_FILE;
	}
	*n = (size_t)PQntuples(res);
	PQclear(res);
	return 0;
}

void assets_rows_free(struct asset_row *rows, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(rows[i].path);
	free(rows);
}

int assets_mark_verified(struct db *db, const char *sha)
{
	const char *params[] = { sha };
	return db_run(db, "UPDATE assets SET verified_at = now(), verify_failures = 0"
			  " WHERE sha256 = $1", 1, params);
}

int assets_mark_failed(struct db *db, const char *sha, int failures, int quarantined)
{
	char f[16];
	const char *params[3];
	snprintf(f, sizeof f, "%d", failures);
	params[0] = sha;
	params[1] = f;
	params[2] = quarantined ? "true" : "false";
	return db_run(db, "UPDATE assets SET verify_failures = $2::int,"
			  " quarantined_at = CASE WHEN $3::boolean THEN now() END WHERE sha256 = $1",
		      3, params);
}

int assets_drop(struct db *db, const char *sha)
{
	const char *params[] = { sha };
	return db_run(db, "DELETE FROM assets WHERE sha256 = $1", 1, params);
}

int assets_forget_sources(struct db *db, const char *sha)
{
	const char *params[] = { sha };
	return db_run(db, "DELETE FROM asset_sources WHERE sha256 = $1", 1, params);
}

int assets_find(struct db *db, const char *sha, struct buf *path, int *quarantined)
{
	const char *params[] = { sha };
	PGresult *res = db_exec(db, "SELECT path, quarantined_at IS NOT NULL FROM assets"
				    " WHERE sha256 = $1", 1, params);
	int found;
	if (!res)
		return -1;
	found = PQntuples(res) == 1;
	if (found) {
		buf_addstr(path, PQgetvalue(res, 0, 0));
		*quarantined = PQgetvalue(res, 0, 1)[0] == 't';
	}
	PQclear(res);
	return found;
}

int assets_adopt(struct db *db, const char *sha, const char *kind, const char *path,
		 const struct img_info *info, size_t bytes)
{
	static const char sql[] =
		"INSERT INTO assets (sha256, kind, ext, mime, width, height, bytes, path, storage,"
		" source_url, created_at, verified_at)"
		" VALUES ($1, $2, $3, $4, $5::int, $6::int, $7::int, $8, 'file', 'adopted:' || $8,"
		"  now(), now()) ON CONFLICT DO NOTHING";
	char w[16], h[16], b[24];
	const char *params[8];
	snprintf(w, sizeof w, "%d", info->width);
	snprintf(h, sizeof h, "%d", info->height);
	snprintf(b, sizeof b, "%zu", bytes);
	params[0] = sha;
	params[1] = kind;
	params[2] = img_format_ext(info->format);
	params[3] = img_format_mime(info->format);
	params[4] = w;
	params[5] = h;
	params[6] = b;
	params[7] = path;
	return db_run(db, sql, 8, params);
}
