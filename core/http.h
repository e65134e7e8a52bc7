/* http.h: the one HTTP(S)/file fetch helper every job uses (libcurl).
 *
 * Only http, https and file URLs are allowed (also after redirects, at most
 * 3). Every fetch has a connect timeout and a whole-transfer timeout, and a
 * cap on the body size: a body larger than max_bytes aborts the transfer.
 * Call http_global_init() once per process before the first fetch. */
#ifndef GW_HTTP_H
#define GW_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct http_response {
	long status;          /* HTTP status; 200 for a readable file:// URL; 0 when no response */
	struct buf body;      /* the body (owned; http_response_release() frees it) */
	char content_type[128]; /* Content-Type header value, "" when absent */
	long retry_after_s;   /* Retry-After in seconds (delta form), -1 when absent */
	int64_t elapsed_ms;   /* total transfer time */
	char error[256];      /* "" on success, else a one-line reason */
};

struct http_options {
	long connect_timeout_ms; /* default 2000 */
	long timeout_ms;         /* whole transfer; default 4000 */
	size_t max_bytes;        /* body cap; default 8 MiB */
	const char *user_agent;  /* default "GameWatch/<version>" */
};

/* The longest wait a Retry-After may ask for: one week. */
#define HTTP_RETRY_AFTER_MAX_S (7L * 24 * 3600)

/* Parse a Retry-After header value in its delta-seconds form (RFC 9110
 * 10.2.3: 1*DIGIT): `len` bytes at `v` (borrowed, need not end in NUL;
 * spaces and tabs around it and a trailing CR/LF are ignored). Returns the
 * seconds, capped at HTTP_RETRY_AFTER_MAX_S so that callers may compute
 * with it in milliseconds without overflow, or -1 when the value is empty,
 * holds anything but digits (a sign, a fraction) or is an HTTP-date, a form
 * we do not honour. */
long http_parse_retry_after(const char *v, size_t len);

/* Initialise libcurl for this process (curl_global_init). Returns 0 or -1. */
int http_global_init(void);

/* GET `url` into `res` (which the caller declares and must release with
 * http_response_release(), whatever the result). `opt` may be NULL for the
 * defaults. Returns 0 when a response arrived (any status: check
 * res->status), -1 when the transfer failed (DNS, connect, timeout, body over
 * the cap, disallowed protocol, missing file), with res->error set. */
int http_get(const char *url, const struct http_options *opt, struct http_response *res);

/* Send `method` ("POST", "PUT", "HEAD", "GET", "DELETE") to `url`, for the
 * upstreams that need more than http_get(): the Steam Workshop API (form
 * POST) and S3-compatible storage (signed PUT and HEAD). Same limits and
 * result as http_get(), but http/https only and redirects are not followed
 * (a signed request must not move).
 *
 * headers: NULL-terminated array of "Name: value" lines, borrowed; may be
 *          NULL. A "Host:" line replaces the one libcurl would send.
 *          "Expect: 100-continue" is never sent.
 * body/body_len: request body (borrowed; NULL when body_len is 0); ignored
 *          for HEAD and GET.
 * Returns 0 when a response arrived (any status), -1 on a transfer failure
 * with res->error set; release res with http_response_release() always. */
int http_send(const char *method, const char *url, const char *const *headers,
	      const void *body, size_t body_len, const struct http_options *opt,
	      struct http_response *res);

/* Free the body and reset the struct. */
void http_response_release(struct http_response *res);

/* Append `url` to `out` with its credentials masked, for anything that is
 * stored, logged or shown (poll logs, health pages): the userinfo of the
 * authority ("scheme://user:pass@host/...") becomes "***@", and the value
 * of every query parameter whose name (percent-decoded, case-insensitive)
 * is or ends in "key", "token", "secret", "password", "passwd", "auth",
 * "signature" or "credential" (api_key, apikey, access_token,
 * client_secret, X-Amz-Signature ...) becomes "***". Everything else is
 * copied byte for byte, so a URL without credentials is unchanged. NULL
 * appends nothing. Never fails. */
void http_url_redact(struct buf *out, const char *url);

#endif
