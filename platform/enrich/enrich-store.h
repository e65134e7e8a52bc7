/* enrich-store.h: the platform's enrichment state in PostgreSQL: per-item
 * attempts, backoff and parking (enrich_items); per-provider circuit
 * breakers (enrich_breakers); platform profiles of player accounts
 * (player_profiles); picture links (asset_links) and the curation queue.
 * Shared by `gamewatch-job enrich` (engine.h) and `gamewatch-job mirror`
 * (platform/assets); a module stores its own facts in its own store and
 * its pages read all of it through its own queries.
 *
 * Every time is ms since the epoch; every statement is parameterized.
 * Functions returning int give 0 on success and -1 on a database error
 * (already logged by core/db.c) unless stated otherwise. */
#ifndef GW_ENRICH_STORE_H
#define GW_ENRICH_STORE_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* Retry, freshness and breaker settings, read once from the environment
 * (names in brackets, defaults in docs/enrichment.md). */
struct enrich_policy {
	int max_attempts;             /* [ENRICH_MAX_ATTEMPTS] 6; then parked */
	int64_t backoff_base_ms;      /* [ENRICH_BACKOFF_BASE_MS] 1000 */
	int64_t backoff_cap_ms;       /* [ENRICH_BACKOFF_CAP_MS] 300000 (5 min) */
	double jitter;                /* 0.20 */
	int64_t park_ms;              /* [ENRICH_PARK_SECONDS] 1 day: when a parked item is tried again */
	int64_t ttl_map_ms;           /* [ENRICH_TTL_MAP_SECONDS] 3 days */
	int64_t ttl_mod_ms;           /* [ENRICH_TTL_MOD_SECONDS] 3 days */
	int64_t ttl_player_ms;        /* [ENRICH_TTL_PLAYER_SECONDS] 1 day */
	int64_t ttl_absent_ms;        /* [ENRICH_TTL_ABSENT_SECONDS] 1 day: "no data" answers */
	int64_t ttl_seed_ms;          /* [ENRICH_TTL_SEED_SECONDS] 1 day */
	int64_t ttl_mirror_ms;        /* [MIRROR_TTL_SECONDS] 7 days: re-check of a mirrored picture */
	int breaker_threshold;        /* [ENRICH_BREAKER_THRESHOLD] 5 consecutive failures open it */
	int64_t breaker_cooldown_ms;  /* [ENRICH_BREAKER_COOLDOWN_SECONDS] 60 s, doubling to 5 min */
};

/* Fill `p` from the environment; invalid values fall back to the default
 * with a logged warning. */
void enrich_policy_load(struct enrich_policy *p);

/* ---------------------------------------------------------------- items */

/* What a fetch attempt came to. */
enum enrich_outcome {
	ENRICH_OK,        /* data stored */
	ENRICH_ABSENT,    /* the upstream has nothing for it (404, empty answer) */
	ENRICH_FAILED,    /* transient: timeout, 5xx, 429, connection; retried */
	ENRICH_REJECTED,  /* bad content (not JSON, not an image, too big); retried */
};

/* A success (ENRICH_OK or ENRICH_ABSENT): attempts reset, parking cleared,
 * ok_at = now, next_attempt_at = expires_at = now + ttl_ms, last_status
 * "ok"/"absent"/`status` when status is not NULL ("placeholder").
 * `signature` (may be NULL) is stored for mirror items. */
int enrich_item_done(struct db *db, const char *kind, const char *key, const char *status,
		     int64_t now_ms, int64_t ttl_ms, const char *signature);

/* A failure (ENRICH_FAILED or ENRICH_REJECTED; `rejected` counts content
 * refusals): attempts + 1 and the next attempt after backoff_exp_delay_ms()
 * of the policy, or after retry_after_s when that is longer (-1: none).
 * When attempts reach max_attempts the item is parked until now + park_ms.
 * reset_attempts starts the count again (the mirror's candidates changed).
 * Returns 1 when the item was parked by this call, 0 when scheduled, -1 on
 * error; *next_ms (may be NULL) receives the next attempt time and
 * *attempts (may be NULL) the new count. */
int enrich_item_failed(struct db *db, const struct enrich_policy *p, const char *kind,
		       const char *key, const char *error, int rejected, long retry_after_s,
		       int64_t now_ms, int reset_attempts, const char *signature,
		       int64_t *next_ms, int *attempts);

/* The earliest next_attempt_at among items of the given kinds (a
 * comma-separated list) that are not parked, or -1 when none / on error. */
int64_t enrich_next_due_ms(struct db *db, const char *kinds);

/* ------------------------------------------------------------- breakers */

enum breaker_state { BREAKER_CLOSED, BREAKER_OPEN, BREAKER_HALF_OPEN };

struct breaker {
	char provider[96];
	enum breaker_state state;
	int failures;
	int opened_total;
	int64_t open_until_ms;
};

/* The breakers one job run has looked at, loaded from PostgreSQL on first
 * use and written back on every change. */
struct breakers {
	struct breaker *v;
	size_t n;
	const struct enrich_policy *policy;
};

/* May a request go to `provider` now? Closed: yes. Open before open_until:
 * no (*until_ms, may be NULL, gets the time). Open after open_until:
 * half-open, one probe allowed. Returns 1 or 0. */
int breaker_allow(struct db *db, struct breakers *b, const char *provider, int64_t now_ms,
		  int64_t *until_ms);

/* Report the result of a request to `provider`. A success closes the
 * breaker. A transient failure counts; policy->breaker_threshold in a row,
 * or any failure while half-open, opens it for breaker_cooldown_ms doubled
 * per reopening (capped at 5 minutes). retry_after_s >= 0 (a 429/503 with
 * Retry-After) opens it until then at least. */
void breaker_success(struct db *db, struct breakers *b, const char *provider, int64_t now_ms);
void breaker_failure(struct db *db, struct breakers *b, const char *provider, int64_t now_ms,
		     long retry_after_s);

/* Free the per-run cache of `b` (the rows in enrich_breakers stay). */
void breakers_release(struct breakers *b);

/* ------------------------------------------------------------- profiles */

/* Upsert a platform profile (found = 0: private or unknown account). */
int enrich_store_profile(struct db *db, const char *provider, const char *external_id,
			 int found, const char *nickname, const char *profile_url,
			 const char *avatar_url, int64_t now_ms);

/* --------------------------------------------------- links and curation */

/* Point an entity at a stored picture (sha256) or at the placeholder
 * (sha256 NULL), remembering via ("seed", "getdata", ...) and source_url. */
int enrich_link(struct db *db, const char *entity_kind, const char *entity_key,
		const char *sha256, const char *via, const char *source_url, int64_t now_ms);

/* Does the entity currently show a real (non-placeholder, non-quarantined)
 * picture? Returns 1, 0, or -1. */
int enrich_has_picture(struct db *db, const char *entity_kind, const char *entity_key);

/* Queue an entity for a person (or refresh its reason); resolve it. */
int curation_add(struct db *db, const char *entity_kind, const char *entity_key,
		 const char *reason, int64_t now_ms);
int curation_resolve(struct db *db, const char *entity_kind, const char *entity_key,
		     int64_t now_ms);

/* Run a query returning one row per item and decode column `col` of every
 * row as JSON (a helper for the due-item queries of the jobs). Returns a new
 * array (caller puts it) or NULL on error. */
struct json_object *enrich_query_json_rows(struct db *db, const char *sql, int n,
					   const char *const *params);

#endif
