/* web.h: what the MOHAA module's web files share: the per-worker state and
 * small helpers. Included only by modules/mohaa/web/ and module.c. */
#ifndef GW_MOHAA_WEB_H
#define GW_MOHAA_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct req;
struct json_object;

#define MOHAA_TOKEN_CACHE 16

/* Per worker (struct gw_worker_hooks). Settings come from the environment:
 *   MOHAA_INGEST_BACKLOG      stream entries waiting before 429 (default 100000)
 *   MOHAA_RETRY_AFTER         Retry-After seconds of a 429 (default 5)
 *   MOHAA_ALLOW_NONDURABLE    1: accept even when Redis does not fsync every
 *                             write (benchmarks of the fsync policy only)
 *   MOHAA_TOKEN_CACHE_SECONDS how long a verified token is trusted without
 *                             asking PostgreSQL again (default 30; 0: always ask) */
struct mohaa_web {
	long long backlog_max;
	int retry_after_s;
	bool allow_nondurable;
	int token_ttl_s;
	int durable;              /* last mohaa_queue_durable() answer: 1, 0, -1 */
	int64_t durable_checked_ms;
	struct {
		unsigned char digest[32];
		int64_t server_id;
		int64_t expires_ms;
	} tokens[MOHAA_TOKEN_CACHE];
	unsigned next_token;
	char rid_prefix[17];      /* 8 random bytes (hex) drawn when the worker starts */
	unsigned long long rid_next; /* request ids: rid_prefix + this counter */
};

int mohaa_worker_init(struct app *app, void **state);
void mohaa_worker_free(struct app *app, void *state);

/* The module's state of this worker. */
struct mohaa_web *mohaa_web_state(struct app *app);

/* An integer query parameter in [lo, hi] (dflt when absent). Returns 0, or
 * 400 with the reason in err. */
int mohaa_int_param(const struct req *r, const char *name, int lo, int hi, int dflt, int *out,
		    char *err, size_t errlen);

/* The route's map argument: "{map}" alone or "{dir}/{map}" from the two
 * route arguments, lower case, into out. */
void mohaa_map_arg(const struct req *r, int first, char *out, size_t outlen);

#endif
