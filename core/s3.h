/* s3.h: PUT and HEAD of objects on S3-compatible storage (AWS S3, MinIO,
 * Cloudflare R2, ...), signed with AWS Signature Version 4.
 *
 * The signing follows AWS's published description of Signature V4 ("Create
 * a signed AWS API request": canonical request, string to sign, derived
 * signing key, Authorization header) and is checked in tests/unit/test_s3.c
 * against AWS's published example values. Requests are path-style by
 * default (<endpoint>/<bucket>/<key>), which MinIO and R2 accept; set
 * virtual_host for <scheme>://<bucket>.<host>/<key>. Every request carries
 * x-amz-content-sha256 (the payload's SHA-256) and x-amz-date, and signs
 * host, x-amz-content-sha256 and x-amz-date (plus content-type and
 * cache-control on PUT). Secrets are never logged or put in error text.
 */
#ifndef GW_S3_H
#define GW_S3_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct s3_config {
	const char *endpoint;   /* "https://s3.eu-west-1.amazonaws.com", "http://127.0.0.1:9000" */
	const char *bucket;
	const char *region;     /* "us-east-1"; R2 uses "auto" */
	const char *access_key;
	const char *secret_key;
	int virtual_host;       /* 0: path-style (default), 1: bucket in the host name */
	long timeout_ms;        /* whole request; 0 = 10000 */
	long connect_timeout_ms; /* 0 = 2000 */
};

/* The pieces of one request that Signature V4 covers. */
struct s3_sign_input {
	const char *method;          /* "GET", "PUT", "HEAD" */
	const char *canonical_uri;   /* path, already URI-encoded ("/bucket/key") */
	const char *canonical_query; /* sorted, encoded query ("" when none) */
	const char *const *headers;  /* n_headers "Name:value" strings (any case,
				      * values trimmed here); must include host
				      * and x-amz-date */
	size_t n_headers;
	const char *payload_hash;    /* hex SHA-256 of the body, or "UNSIGNED-PAYLOAD" */
	const char *amz_date;        /* "YYYYMMDDTHHMMSSZ" */
	const char *region;
	const char *service;         /* "s3" */
	const char *access_key;
	const char *secret_key;
};

struct s3_signature {
	struct buf canonical_request; /* step 1 */
	struct buf string_to_sign;    /* step 2 */
	char signature[65];           /* step 4: hex HMAC */
	struct buf authorization;     /* the Authorization header value */
};

/* Compute every Signature V4 step for `in` into `out` (whose bufs the
 * caller initialises with BUF_INIT and releases with s3_signature_release).
 * Header names are lower-cased, values trimmed with inner runs of spaces
 * collapsed, and the headers sorted by name. Returns 0, or -1 when an input
 * is missing or a header has no ':' (nothing useful in out). */
int s3_sign(const struct s3_sign_input *in, struct s3_signature *out);

/* Free the bufs of `s` (reusable afterwards, as after BUF_INIT). */
void s3_signature_release(struct s3_signature *s);

/* Append `s` URI-encoded the Signature V4 way: unreserved characters
 * A-Z a-z 0-9 - _ . ~ are kept, '/' is kept when keep_slash, everything else
 * becomes %XX (upper-case hex). */
void s3_uri_encode(struct buf *b, const char *s, int keep_slash);

/* Format `ms` (ms since the epoch) as "YYYYMMDDTHHMMSSZ" into out[17]. */
char *s3_amz_date(int64_t ms, char out[17]);

/* Upload `len` bytes as object `key` (no leading '/'; encoded here).
 * content_type and cache_control may be NULL. Returns 0 on a 2xx answer;
 * -1 otherwise, with the HTTP status (0 when none) in *status (may be NULL)
 * and a one-line reason in err. */
int s3_put(const struct s3_config *c, const char *key, const void *data, size_t len,
	   const char *content_type, const char *cache_control, long *status,
	   char *err, size_t errlen);

/* Does object `key` exist? Returns 1 (2xx), 0 (404), or -1 (any other
 * answer or a transfer failure; the status in *status when status is not
 * NULL, a reason in err). */
int s3_head(const struct s3_config *c, const char *key, long *status, char *err, size_t errlen);

#endif
