/* assets.h: immutable, content-addressed storage of mirrored pictures.
 *
 * A picture that passed img_validate() (core/img.h) is stored once under
 * its SHA-256: the object path is "<dir>/<sha256>.<ext>" (dir: the folder
 * of its kind, "<module>/<kind>" as mirror.h says; ext from the decoded
 * format), recorded in the `assets` table
 * with its dimensions, size and first source URL, and served to browsers as
 * ASSETS_CDN_BASE + path. Storage is pluggable:
 *
 *   file  <ASSETS_ROOT>/<path>, written to a temporary file in the same
 *         directory, fsync'ed, chmod 0644 and renamed into place (a reader
 *         never sees a partial file; an existing file is never rewritten
 *         unless its content is wrong).
 *   s3    the object <path> in S3_BUCKET at S3_ENDPOINT (core/s3.h), HEAD
 *         first and PUT only when absent, with an immutable Cache-Control.
 *
 * Configuration (environment, read once; defaults in docs/enrichment.md):
 *   ASSETS_STORAGE (file), ASSETS_ROOT ($GW_DATA_DIR/assets, else
 *   <localstatedir>/lib/gamewatch/assets), ASSETS_CDN_BASE (/assets/),
 *   ASSETS_MAX_BYTES (5 MiB), ASSETS_QUARANTINE_DIR (<root>/../assets-quarantine),
 *   ASSETS_QUARANTINE_AFTER (3), S3_ENDPOINT, S3_BUCKET, S3_REGION,
 *   S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_VIRTUAL_HOST. */
#ifndef GW_ASSETS_H
#define GW_ASSETS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "img.h"
#include "s3.h"
#include "sha256.h"

enum assets_storage { ASSETS_FILE, ASSETS_S3 };

struct assets_cfg {
	enum assets_storage storage;
	char *root;                  /* file storage root (no trailing '/'; owned) */
	char *quarantine_dir;        /* where the sweep moves bad files (owned) */
	size_t max_bytes;            /* picture size cap */
	int quarantine_after;        /* failed sweeps before quarantine */
	struct s3_config s3;         /* ASSETS_S3 only */
};

/* Fill `c` from the environment. root and quarantine_dir are allocated
 * (free them with assets_cfg_release()); the other strings are borrowed
 * from the environment. Returns 0, or -1 (logged; nothing to release) when
 * ASSETS_STORAGE is unknown or s3 lacks its endpoint, bucket or
 * credentials. */
int assets_cfg_load(struct assets_cfg *c);

/* Free what assets_cfg_load() allocated; `c` is zeroed. */
void assets_cfg_release(struct assets_cfg *c);

/* ASSETS_CDN_BASE with exactly one trailing '/', default "/assets/": the
 * prefix of every picture URL the pages and the API show. Read once from
 * the environment; the string is static. */
const char *assets_cdn_base(void);

/* The object path for a picture: "<dir>/<sha>.<ext>" appended to out. */
void assets_path(struct buf *out, const char *dir, const char *sha, enum img_format f);

/* Store a validated picture of kind `kind` (the assets.kind column) in
 * folder `dir` and record it (assets row, and asset_sources for
 * source_url). `data` must already have passed img_validate() with the
 * result in `info`. A picture already stored (same SHA-256) is not written
 * again and keeps its first path. sha_out receives the hex SHA-256.
 * Returns 0, or -1 with a one-line reason in err (storage or database
 * failure; nothing is recorded then). */
int assets_put(struct db *db, const struct assets_cfg *c, const char *kind,
	       const char *dir, const char *source_url, const void *data, size_t len,
	       const struct img_info *info, int64_t now_ms, char sha_out[SHA256_HEX_LEN],
	       char *err, size_t errlen);

/* The SHA-256 already mirrored from `url` (not quarantined), if any:
 * returns 1 and fills sha_out, 0 when the URL was never mirrored, -1 on a
 * database error. */
int assets_source_lookup(struct db *db, const char *url, char sha_out[SHA256_HEX_LEN]);

/* ------------------------------------------------- the integrity sweep */

/* A stored picture as the sweep sees it. */
struct asset_row {
	char sha[SHA256_HEX_LEN];
	char *path;            /* object path (owned) */
	int verify_failures;   /* failed sweeps in a row so far */
	enum assets_storage storage;
};

/* Every picture not quarantined, by SHA-256. Returns 0 with a new array
 * in *rows (free with assets_rows_free()) of *n rows, or -1. */
int assets_list(struct db *db, struct asset_row **rows, size_t *n);
void assets_rows_free(struct asset_row *rows, size_t n);

/* The sweep's verdicts on one picture: intact (verified now, failures
 * reset); failed for the `failures`-th time in a row, `quarantined` when
 * it has been moved out of the served tree; missing (its row is dropped).
 * Each returns 0 or -1. */
int assets_mark_verified(struct db *db, const char *sha);
int assets_mark_failed(struct db *db, const char *sha, int failures, int quarantined);
int assets_drop(struct db *db, const char *sha);

/* Forget which URLs gave the picture `sha` (asset_sources), so a mirror
 * run fetches them again instead of linking the bad copy. Returns 0 or -1. */
int assets_forget_sources(struct db *db, const char *sha);

/* The row of `sha`: 1 with its path appended to `path` and *quarantined
 * set, 0 when there is none, -1 on a database error. */
int assets_find(struct db *db, const char *sha, struct buf *path, int *quarantined);

/* Record a valid content-named file the sweep found in a kind's folder
 * with no row (storage "file", source "adopted:<path>"), unless a row of
 * that SHA-256 appeared meanwhile. Returns 0 or -1. */
int assets_adopt(struct db *db, const char *sha, const char *kind, const char *path,
		 const struct img_info *info, size_t bytes);

/* Write `len` bytes to `path` atomically (temporary file in the same
 * directory, fsync, chmod 0644, rename, fsync of the directory), creating
 * missing parent directories (0755). Returns 0 or -1 with errno set. */
int assets_write_file(const char *path, const void *data, size_t len);

#endif
