/* engine.h: the enrichment engine behind `gamewatch-job enrich`, and the
 * provider interface through which the platform and the modules plug
 * upstream sources into it.
 *
 * A provider fetches facts about items (a map, a mod, a player account)
 * from one upstream and stores them. The engine owns everything around
 * that: the run loop (--once, --duration, --limit, --force, --only), the
 * due-item selection by the provider's query, batching, the per-provider
 * circuit breaker (enrich-store.h) with deferral of the rest of a phase
 * while it is open, the per-item retry state (attempts, exponential
 * backoff, parking, TTLs of the policy), the outcome counters and the
 * summary line, the lock file, and telling the modules to rebuild their
 * cached views when something their pages show was written.
 *
 * Which providers run: every provider listed by an enabled module in its
 * descriptor (struct gw_module.enrich.providers, platform/module.h), in
 * registry order then list order, each name once. The platform's own
 * providers (Steam and GOG profiles, profiles.h) are listed by the modules
 * whose players have such accounts, at the place in their order they want.
 *
 * Per request the engine calls the provider's request() to build the URL
 * (and form body), sends it through fetch_via_breaker() (enrich-common.h)
 * with the provider's breaker, and hands the classified answer to
 * answer(), which decodes it (a pure decoder), stores the facts, and
 * reports each item's outcome with enrich_done() or enrich_failed(). */
#ifndef GW_ENRICH_ENGINE_H
#define GW_ENRICH_ENGINE_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "http.h"
#include "kv.h"
#include "platform/enrich/enrich-common.h"

/* Largest JSON answer an enrichment request accepts (a larger body is an
 * ENRICH_REJECTED "too_big"). */
#define ENRICH_JSON_MAX_BYTES (4u << 20)

/* One request a provider wants sent. The engine initialises the buffers
 * empty and releases them. */
struct enrich_request {
	struct buf url;      /* the URL (http(s), or file:// for local seed data) */
	struct buf form;     /* application/x-www-form-urlencoded body: POST when
				non-empty, GET otherwise */
	struct buf log_url;  /* what logs and stored errors name instead of url
				(a URL without its secret key); empty: url */
};

/* The state of one enrich run, shared with the providers' callbacks. */
struct enrich_run {
	const struct cfg *cfg;
	struct run_opts opt;          /* parsed options (opt.force: this pass only) */
	struct enrich_policy pol;     /* TTLs, backoff, breaker settings */
	struct breakers br;
	struct db db;
	struct kv kv;
	struct http_options http;     /* timeouts from cfg, ENRICH_JSON_MAX_BYTES cap */
	struct run_counts n;          /* outcome counters of the whole run */
	int changed;                  /* something the pages show was written (this pass) */
	int worked;                   /* a request was sent in this pass */
	int64_t wake_ms;              /* earliest reopening of a breaker that deferred items */
	const struct enrich_provider *cur; /* the provider whose phase runs */
};

struct enrich_provider {
	/* Phase name for --only, and the enrich_items.kind of its items
	 * ("steam"). Unique over all providers. */
	const char *name;
	/* Circuit breaker (enrich_breakers.provider) its requests go through
	 * ("vsr" for the seed list); providers may share one. */
	const char *breaker;
	/* Items per request, >= 1 (Steam takes 100 ids a request). */
	size_t batch;
	/* Optional, once per run before the first pass, when the phase is
	 * selected: read the provider's settings (environment) into a new
	 * *state. Returns 0 to run, 1 to skip the provider for this run (it
	 * logs why, once: a missing API key), -1 on an error (logged; the
	 * provider is skipped). */
	int (*start)(struct enrich_run *run, void **state);
	/* Optional: free what start() made. */
	void (*stop)(void *state);
	/* The due items, at most `limit`, most urgent first: a new JSON array
	 * of objects, each with a string "key" (the enrich_items.key) and
	 * whatever else request() needs. Due: never tried, or next_attempt_at
	 * <= now_ms (fresh items wait for their TTL, failed ones for their
	 * backoff, parked ones for the park period); `force`: every item.
	 * NULL on a database error (logged). */
	struct json_object *(*due)(struct db *db, int force, int64_t now_ms, int limit);
	/* Fill `req` for the items of `batch` (an array of 1..batch items from
	 * due(), borrowed). */
	void (*request)(void *state, struct json_object *batch, struct enrich_request *req);
	/* Handle the answer to `req` for `batch`: `fr` is the classified
	 * result (the provider may reclassify it, e.g. a 404 for a whole
	 * batch is a failure), `body` the response body when fr->outcome is
	 * ENRICH_OK. Report every item of the batch exactly once through
	 * enrich_done() or enrich_failed(). */
	void (*answer)(struct enrich_run *run, void *state, struct json_object *batch,
		       struct fetch_result *fr, const struct buf *body,
		       const struct enrich_request *req, int64_t now_ms);
};

/* Record a success of item `key` of the current provider: status "ok"
 * (ENRICH_OK: counted ok, run->changed set) or "absent" (ENRICH_ABSENT:
 * the upstream has nothing; counted absent), fresh for ttl_ms. Returns 0,
 * or -1 on a database error (not counted). */
int enrich_done(struct enrich_run *run, const char *key, enum enrich_outcome outcome,
		int64_t ttl_ms, int64_t now_ms);

/* Record a failed or rejected attempt of item `key` of the current
 * provider (fr->outcome ENRICH_FAILED or ENRICH_REJECTED, fr->error the
 * reason, fr->retry_after_s honoured), count it, and log the outcome:
 * "<kind> <key>: failed (attempt n/max), retry in s" or "... parked after
 * n attempts: <error>". */
void enrich_failed(struct enrich_run *run, const char *key, const struct fetch_result *fr,
		   int64_t now_ms);

/* Mark the rest of a phase deferred: `items` items were not tried because
 * breaker `breaker` is open until until_ms. Counted, logged once. */
void enrich_defer(struct enrich_run *run, const char *breaker, int64_t until_ms, int items);

/* Call the refresh hook of every enabled module (struct gw_module.enrich
 * .refresh): after a job wrote names or pictures the pages show. A failure
 * is logged and does not stop the others. */
void enrich_refresh_modules(struct db *db, struct kv *kv);

/* `gamewatch-job enrich [--once | --duration S] [--limit N] [--force]
 * [--only NAME,...]`: run the providers of the enabled modules (above).
 * Holds <run_dir>/gamewatch-enrich.lock (a second run exits 0 at once).
 * Names --only does not know select nothing. Returns 0, 1 when the
 * database could not be reached, 2 on a usage error. */
int job_enrich(const struct cfg *cfg, int argc, char **argv);

#endif
