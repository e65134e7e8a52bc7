/* enrich-store.c: enrichment state, profiles, links and curation in
 * PostgreSQL (contract in enrich-store.h). */
#include "platform/enrich/enrich-store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "log.h"

static int64_t env_ms(const char *name, int64_t def_ms, int64_t unit_ms, int64_t min, int64_t max)
{
	const char *v = getenv(name);
	char *end;
	long long n;
	if (!v || !*v)
		return def_ms;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n < min || n > max) {
		log_warn("invalid %s \"%s\": using %lld", name, v, (long long)(def_ms / unit_ms));
		return def_ms;
	}
	return (int64_t)n * unit_ms;
}

void enrich_policy_load(struct enrich_policy *p)
{
	const int64_t S = 1000, DAY = 86400;
	p->max_attempts = (int)env_ms("ENRICH_MAX_ATTEMPTS", 6, 1, 1, 100);
	p->backoff_base_ms = env_ms("ENRICH_BACKOFF_BASE_MS", 1000, 1, 1, 3600000);
	p->backoff_cap_ms = env_ms("ENRICH_BACKOFF_CAP_MS", 300000, 1, 1, 86400000);
	p->jitter = 0.20;
	p->park_ms = env_ms("ENRICH_PARK_SECONDS", DAY * S, S, 1, 365 * DAY);
	p->ttl_map_ms = env_ms("ENRICH_TTL_MAP_SECONDS", 3 * DAY * S, S, 1, 365 * DAY);
	p->ttl_mod_ms = env_ms("ENRICH_TTL_MOD_SECONDS", 3 * DAY * S, S, 1, 365 * DAY);
	p->ttl_player_ms = env_ms("ENRICH_TTL_PLAYER_SECONDS", DAY * S, S, 1, 365 * DAY);
	p->ttl_absent_ms = env_ms("ENRICH_TTL_ABSENT_SECONDS", DAY * S, S, 1, 365 * DAY);
	p->ttl_seed_ms = env_ms("ENRICH_TTL_SEED_SECONDS", DAY * S, S, 1, 365 * DAY);
	p->ttl_mirror_ms = env_ms("MIRROR_TTL_SECONDS", 7 * DAY * S, S, 1, 365 * DAY);
	p->breaker_threshold = (int)env_ms("ENRICH_BREAKER_THRESHOLD", 5, 1, 1, 1000);
	p->breaker_cooldown_ms = env_ms("ENRICH_BREAKER_COOLDOWN_SECONDS", 60 * S, S, 1, 3600);
}

static void fmt_ll(char *out, size_t n, long long v)
{
	snprintf(out, n, "%lld", v);
}

/* ---------------------------------------------------------------- items */

int enrich_item_done(struct db *db, const char *kind, const char *key, const char *status,
		     int64_t now_ms, int64_t ttl_ms, const char *signature)
{
	static const char sql[] =
		"INSERT INTO enrich_items AS e (kind, key, attempts, last_attempt_at,"
		" next_attempt_at, parked_at, last_error, last_status, ok_at, expires_at, signature)"
		" VALUES ($1, $2, 0, gw_ms($3::bigint), gw_ms($3::bigint + $4::bigint), NULL, NULL,"
		"  $5, gw_ms($3::bigint), gw_ms($3::bigint + $4::bigint), $6)"
		" ON CONFLICT (kind, key) DO UPDATE SET attempts = 0,"
		"  last_attempt_at = EXCLUDED.last_attempt_at,"
		"  next_attempt_at = EXCLUDED.next_attempt_at, parked_at = NULL, last_error = NULL,"
		"  last_status = EXCLUDED.last_status, ok_at = EXCLUDED.ok_at,"
		"  expires_at = EXCLUDED.expires_at,"
		"  signature = coalesce(EXCLUDED.signature, e.signature)";
	char now[24], ttl[24];
	const char *params[6];
	fmt_ll(now, sizeof now, now_ms);
	fmt_ll(ttl, sizeof ttl, ttl_ms);
	params[0] = kind;
	params[1] = key;
	params[2] = now;
	params[3] = ttl;
	params[4] = status ? status : "ok";
	params[5] = signature;
	return db_run(db, sql, 6, params);
}

int enrich_item_failed(struct db *db, const struct enrich_policy *p, const char *kind,
		       const char *key, const char *error, int rejected, long retry_after_s,
		       int64_t now_ms, int reset_attempts, const char *signature,
		       int64_t *next_ms, int *attempts_out)
{
	static const char get_sql[] =
		"SELECT attempts FROM enrich_items WHERE kind = $1 AND key = $2";
	static const char put_sql[] =
		"INSERT INTO enrich_items AS e (kind, key, attempts, last_attempt_at,"
		" next_attempt_at, parked_at, last_error, last_status, rejections, signature)"
		" VALUES ($1, $2, $3::int, gw_ms($4::bigint), gw_ms($5::bigint),"
		"  CASE WHEN $6::boolean THEN gw_ms($4::bigint) END, $7, $8, $9::int,"
		"  $10)"
		" ON CONFLICT (kind, key) DO UPDATE SET attempts = EXCLUDED.attempts,"
		"  last_attempt_at = EXCLUDED.last_attempt_at,"
		"  next_attempt_at = EXCLUDED.next_attempt_at,"
		"  parked_at = CASE WHEN $6::boolean THEN coalesce(e.parked_at, EXCLUDED.parked_at) END,"
		"  last_error = EXCLUDED.last_error, last_status = EXCLUDED.last_status,"
		"  rejections = e.rejections + EXCLUDED.rejections,"
		"  signature = coalesce(EXCLUDED.signature, e.signature)";
	const char *params[10];
	char a[16], now[24], next[24];
	PGresult *res;
	int attempts = 0, parked;
	int64_t delay, when;

	params[0] = kind;
	params[1] = key;
	if (!reset_attempts) {
		res = db_exec(db, get_sql, 2, params);
		if (!res)
			return -1;
		if (PQntuples(res) == 1)
			attempts = atoi(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	attempts++;
	parked = attempts >= p->max_attempts;
	if (parked) {
		delay = p->park_ms;
	} else {
		delay = backoff_exp_delay_ms(attempts, p->backoff_base_ms, p->backoff_cap_ms,
					     p->jitter, backoff_random_unit());
		if (retry_after_s >= 0 && retry_after_s * 1000LL > delay)
			delay = retry_after_s * 1000LL;
	}
	when = now_ms + delay;
	snprintf(a, sizeof a, "%d", attempts);
	fmt_ll(now, sizeof now, now_ms);
	fmt_ll(next, sizeof next, when);
	params[2] = a;
	params[3] = now;
	params[4] = next;
	params[5] = parked ? "true" : "false";
	params[6] = error ? error : "unknown error";
	params[7] = parked ? "parked" : rejected ? "rejected" : "error";
	params[8] = rejected ? "1" : "0";
	params[9] = signature;
	if (db_run(db, put_sql, 10, params) < 0)
		return -1;
	if (next_ms)
		*next_ms = when;
	if (attempts_out)
		*attempts_out = attempts;
	return parked;
}

int64_t enrich_next_due_ms(struct db *db, const char *kinds)
{
	static const char sql[] =
		"SELECT (extract(epoch FROM min(next_attempt_at)) * 1000)::bigint FROM enrich_items"
		" WHERE kind = ANY (string_to_array($1, ',')) AND parked_at IS NULL";
	const char *params[] = { kinds };
	PGresult *res = db_exec(db, sql, 1, params);
	int64_t v = -1;
	if (!res)
		return -1;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

/* ------------------------------------------------------------- breakers */

static const char *const state_names[] = { "closed", "open", "half_open" };

static void breaker_save(struct db *db, const struct breaker *br, int64_t now_ms)
{
	static const char sql[] =
		"INSERT INTO enrich_breakers (provider, state, failures, open_until, opened_total,"
		" updated_at) VALUES ($1, $2, $3::int, gw_ms(nullif($4, '')::bigint), $5::int,"
		" gw_ms($6::bigint))"
		" ON CONFLICT (provider) DO UPDATE SET state = EXCLUDED.state,"
		"  failures = EXCLUDED.failures, open_until = EXCLUDED.open_until,"
		"  opened_total = EXCLUDED.opened_total, updated_at = EXCLUDED.updated_at";
	char f[16], until[24] = "", total[16], now[24];
	const char *params[6];
	snprintf(f, sizeof f, "%d", br->failures);
	if (br->open_until_ms)
		fmt_ll(until, sizeof until, br->open_until_ms);
	snprintf(total, sizeof total, "%d", br->opened_total);
	fmt_ll(now, sizeof now, now_ms);
	params[0] = br->provider;
	params[1] = state_names[br->state];
	params[2] = f;
	params[3] = until;
	params[4] = total;
	params[5] = now;
	db_run(db, sql, 6, params);
}

static struct breaker *breaker_get(struct db *db, struct breakers *b, const char *provider)
{
	static const char sql[] =
		"SELECT state, failures, coalesce((extract(epoch FROM open_until) * 1000)::bigint, 0),"
		" opened_total FROM enrich_breakers WHERE provider = $1";
	const char *params[] = { provider };
	struct breaker *br;
	PGresult *res;
	size_t i;

	for (i = 0; i < b->n; i++)
		if (!strcmp(b->v[i].provider, provider))
			return &b->v[i];
	b->v = realloc(b->v, (b->n + 1) * sizeof *b->v);
	if (!b->v)
		abort();
	br = &b->v[b->n++];
	memset(br, 0, sizeof *br);
	snprintf(br->provider, sizeof br->provider, "%s", provider);
	res = db_exec(db, sql, 1, params);
	if (res && PQntuples(res) == 1) {
		const char *st = PQgetvalue(res, 0, 0);
		br->state = !strcmp(st, "open") ? BREAKER_OPEN
			  : !strcmp(st, "half_open") ? BREAKER_HALF_OPEN : BREAKER_CLOSED;
		br->failures = atoi(PQgetvalue(res, 0, 1));
		br->open_until_ms = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
		br->opened_total = atoi(PQgetvalue(res, 0, 3));
	}
	if (res)
		PQclear(res);
	return br;
}

int breaker_allow(struct db *db, struct breakers *b, const char *provider, int64_t now_ms,
		  int64_t *until_ms)
{
	struct breaker *br = breaker_get(db, b, provider);
	if (br->state == BREAKER_CLOSED)
		return 1;
	if (now_ms < br->open_until_ms) {
		if (until_ms)
			*until_ms = br->open_until_ms;
		return 0;
	}
	if (br->state == BREAKER_HALF_OPEN) {
		/* a probe is already out in this run; wait for its result */
		if (until_ms)
			*until_ms = now_ms;
		return 0;
	}
	br->state = BREAKER_HALF_OPEN;
	breaker_save(db, br, now_ms);
	log_info("circuit %s half-open: sending one probe", provider);
	return 1;
}

void breaker_success(struct db *db, struct breakers *b, const char *provider, int64_t now_ms)
{
	struct breaker *br = breaker_get(db, b, provider);
	if (br->state == BREAKER_CLOSED && !br->failures)
		return;
	if (br->state != BREAKER_CLOSED)
		log_info("circuit %s closed", provider);
	br->state = BREAKER_CLOSED;
	br->failures = 0;
	br->open_until_ms = 0;
	breaker_save(db, br, now_ms);
}

void breaker_failure(struct db *db, struct breakers *b, const char *provider, int64_t now_ms,
		     long retry_after_s)
{
	struct breaker *br = breaker_get(db, b, provider);
	int64_t until = 0;
	br->failures++;
	if (br->state == BREAKER_HALF_OPEN || br->failures >= b->policy->breaker_threshold) {
		int64_t cool = b->policy->breaker_cooldown_ms;
		int k;
		for (k = 0; k < br->opened_total && cool < 300000; k++)
			cool *= 2;
		if (cool > 300000)
			cool = 300000;
		until = now_ms + cool;
	}
	if (retry_after_s >= 0 && now_ms + retry_after_s * 1000LL > until)
		until = now_ms + retry_after_s * 1000LL;
	if (until) {
		if (br->state != BREAKER_OPEN || until > br->open_until_ms)
			log_warn("circuit %s open for %lld s after %d failure%s%s", provider,
				 (long long)((until - now_ms + 999) / 1000), br->failures,
				 br->failures == 1 ? "" : "s",
				 retry_after_s >= 0 ? " (Retry-After)" : "");
		if (br->state != BREAKER_OPEN)
			br->opened_total++;
		br->state = BREAKER_OPEN;
		if (until > br->open_until_ms)
			br->open_until_ms = until;
	}
	breaker_save(db, br, now_ms);
}

void breakers_release(struct breakers *b)
{
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

/* ------------------------------------------------------------- profiles */

int enrich_store_profile(struct db *db, const char *provider, const char *external_id,
			 int found, const char *nickname, const char *profile_url,
			 const char *avatar_url, int64_t now_ms)
{
	static const char sql[] =
		"INSERT INTO player_profiles (provider, external_id, found, nickname, profile_url,"
		" avatar_url, updated_at) VALUES ($1, $2, $3::boolean, $4, $5, $6, gw_ms($7::bigint))"
		" ON CONFLICT (provider, external_id) DO UPDATE SET found = EXCLUDED.found,"
		"  nickname = EXCLUDED.nickname, profile_url = EXCLUDED.profile_url,"
		"  avatar_url = EXCLUDED.avatar_url, updated_at = EXCLUDED.updated_at";
	char now[24];
	const char *params[7];
	fmt_ll(now, sizeof now, now_ms);
	params[0] = provider;
	params[1] = external_id;
	params[2] = found ? "true" : "false";
	params[3] = nickname;
	params[4] = profile_url;
	params[5] = avatar_url;
	params[6] = now;
	return db_run(db, sql, 7, params);
}

/* --------------------------------------------------- links and curation */

int enrich_link(struct db *db, const char *entity_kind, const char *entity_key,
		const char *sha256, const char *via, const char *source_url, int64_t now_ms)
{
	static const char sql[] =
		"INSERT INTO asset_links (entity_kind, entity_key, sha256, via, source_url, linked_at)"
		" VALUES ($1, $2, $3, $4, $5, gw_ms($6::bigint))"
		" ON CONFLICT (entity_kind, entity_key) DO UPDATE SET sha256 = EXCLUDED.sha256,"
		"  via = EXCLUDED.via, source_url = EXCLUDED.source_url,"
		"  linked_at = EXCLUDED.linked_at";
	char now[24];
	const char *params[6];
	fmt_ll(now, sizeof now, now_ms);
	params[0] = entity_kind;
	params[1] = entity_key;
	params[2] = sha256;
	params[3] = via;
	params[4] = source_url;
	params[5] = now;
	return db_run(db, sql, 6, params);
}

int enrich_has_picture(struct db *db, const char *entity_kind, const char *entity_key)
{
	static const char sql[] =
		"SELECT 1 FROM asset_links l JOIN assets a ON a.sha256 = l.sha256"
		" WHERE l.entity_kind = $1 AND l.entity_key = $2 AND a.quarantined_at IS NULL";
	const char *params[] = { entity_kind, entity_key };
	PGresult *res = db_exec(db, sql, 2, params);
	int v;
	if (!res)
		return -1;
	v = PQntuples(res) > 0;
	PQclear(res);
	return v;
}

int curation_add(struct db *db, const char *entity_kind, const char *entity_key,
		 const char *reason, int64_t now_ms)
{
	static const char sql[] =
		"INSERT INTO curation_queue (entity_kind, entity_key, reason, first_at, last_at)"
		" VALUES ($1, $2, $3, gw_ms($4::bigint), gw_ms($4::bigint))"
		" ON CONFLICT (entity_kind, entity_key) DO UPDATE SET reason = EXCLUDED.reason,"
		"  last_at = EXCLUDED.last_at, resolved_at = NULL";
	char now[24];
	const char *params[4];
	fmt_ll(now, sizeof now, now_ms);
	params[0] = entity_kind;
	params[1] = entity_key;
	params[2] = reason;
	params[3] = now;
	return db_run(db, sql, 4, params);
}

int curation_resolve(struct db *db, const char *entity_kind, const char *entity_key,
		     int64_t now_ms)
{
	static const char sql[] =
		"UPDATE curation_queue SET resolved_at = gw_ms($3::bigint)"
		" WHERE entity_kind = $1 AND entity_key = $2 AND resolved_at IS NULL";
	char now[24];
	const char *params[3];
	fmt_ll(now, sizeof now, now_ms);
	params[0] = entity_kind;
	params[1] = entity_key;
	params[2] = now;
	return db_run(db, sql, 3, params);
}

struct json_object *enrich_query_json_rows(struct db *db, const char *sql, int n,
					   const char *const *params)
{
	PGresult *res = db_exec(db, sql, n, params);
	struct json_object *arr;
	int i;
	if (!res)
		return NULL;
	arr = json_object_new_array();
	for (i = 0; i < PQntuples(res); i++) {
		struct json_object *o = json_tokener_parse(PQgetvalue(res, i, 0));
		if (o)
			json_object_array_add(arr, o);
	}
	PQclear(res);
	return arr;
}
