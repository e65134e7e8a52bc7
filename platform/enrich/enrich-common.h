/* enrich-common.h: what `gamewatch-job enrich` (engine.h) and
 * `gamewatch-job mirror` (platform/assets) share: the run options and
 * pacing, fetches that go through a provider's circuit breaker and
 * classify the answer, the per-run counters, and the pure JSON helpers of
 * enrich-json.h. */
#ifndef GW_ENRICH_COMMON_H
#define GW_ENRICH_COMMON_H

#include <json-c/json.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"
#include "http.h"
#include "kv.h"
#include "platform/enrich/enrich-json.h"
#include "platform/enrich/enrich-store.h"

struct run_counts {
	int ok;        /* stored */
	int absent;    /* upstream has nothing */
	int failed;    /* transient failure, retried later */
	int rejected;  /* bad content refused (counted once per refusal) */
	int parked;    /* reached the attempt limit in this run */
	int deferred;  /* not tried: circuit open */
};

/* The result of one upstream request after classification. */
struct fetch_result {
	enum enrich_outcome outcome;
	long status;          /* HTTP status, 0 when none */
	long retry_after_s;   /* -1 when absent */
	char error[300];      /* one line, "" on ENRICH_OK */
	const char *reject;   /* short reason for rejections ("too_big", "not_json", ...) */
};

/* Options of the run loop. */
struct run_opts {
	int once;             /* one pass only */
	int duration_s;       /* stop starting passes after this (default 50) */
	int limit;            /* items per phase per pass (default 200) */
	int force;            /* ignore freshness and parking */
	const char *only;     /* comma-separated phase names, or NULL for all */
};

/* Parse the shared options (--once, --duration S, --limit N, --force,
 * --only LIST) from argv[1..]; unknown options make it return -1. */
int run_opts_parse(struct run_opts *o, int argc, char **argv);

/* Is phase `name` selected by o->only? */
int run_opts_wants(const struct run_opts *o, const char *name);

/* Request `url` (GET, or POST with `post_body` as a form) through the
 * breaker of `provider`. Returns 0 with `res` filled (res->body holds the
 * body for the caller when outcome is ENRICH_OK; release it with
 * http_response_release()), or 1 when the breaker is open (nothing sent;
 * *until_ms gets when it may close). `log_url` is what errors name (never
 * a URL carrying a secret). max_bytes caps the body: a larger one is an
 * ENRICH_REJECTED "too_big". 404 and 410 are ENRICH_ABSENT; 429, 5xx,
 * other 4xx and transfer failures ENRICH_FAILED. */
int fetch_via_breaker(struct db *db, struct breakers *br, const char *provider,
		      const char *url, const char *post_body, const char *log_url,
		      const struct http_options *opt, int64_t now_ms, struct http_response *res,
		      struct fetch_result *out, int64_t *until_ms);

/* Append the environment variable `name` (or `def` when it is unset or
 * empty) to `b` as a base URL: trailing '/' removed, then one added when
 * trailing_slash is set ("https://host/api/" stays usable for
 * "<base>file.php"). */
void enrich_env_base(struct buf *b, const char *name, const char *def, int trailing_slash);

/* The environment variable `name` (borrowed from the environment), or
 * `def` when it is unset or empty. */
const char *enrich_env_or(const char *name, const char *def);

/* Sleep until `until_ms` (wall clock) or job_stop. */
void run_sleep_until(int64_t until_ms);

/* Log the run summary line. */
void run_counts_log(const char *job, const struct run_counts *c, int64_t took_ms);

#endif
