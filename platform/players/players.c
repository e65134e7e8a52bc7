/* players.c: players and identities in PostgreSQL (players.h). */
#include "platform/players/players.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/enrich/enrich-store.h"

/* New accounts become a player and an identity (ids drawn once in a
 * MATERIALIZED CTE so both inserts agree); known ones get their last name
 * and time. $2: the accounts array. */
static const char SQL_SEEN[] =
	"WITH seen AS (SELECT DISTINCT ON (e.a->>'provider', e.a->>'external_id')"
	"  e.a->>'provider' AS provider, e.a->>'external_id' AS external_id,"
	"  e.a->>'name' AS name"
	"  FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(a, ord)"
	"  WHERE e.a->>'provider' <> '' AND e.a->>'external_id' <> ''"
	"  ORDER BY 1, 2, e.ord),"
	" fresh AS MATERIALIZED (SELECT nextval('players_id_seq') AS pid, seen.* FROM seen"
	"  WHERE NOT EXISTS (SELECT 1 FROM identities x"
	"   WHERE x.provider = seen.provider AND x.external_id = seen.external_id)),"
	" np AS (INSERT INTO players (id, display_name, first_seen_at, last_seen_at)"
	"  SELECT pid, name, gw_ms($1::bigint), gw_ms($1::bigint) FROM fresh),"
	" ni AS (INSERT INTO identities (player_id, provider, external_id, last_name,"
	"  first_seen_at, last_seen_at)"
	"  SELECT pid, provider, external_id, name, gw_ms($1::bigint), gw_ms($1::bigint) FROM fresh),"
	" ui AS (UPDATE identities x SET last_name = seen.name, last_seen_at = gw_ms($1::bigint)"
	"  FROM seen WHERE x.provider = seen.provider AND x.external_id = seen.external_id)"
	" UPDATE players pl SET display_name = seen.name, last_seen_at = gw_ms($1::bigint)"
	" FROM identities x, seen WHERE pl.id = x.player_id"
	"  AND x.provider = seen.provider AND x.external_id = seen.external_id";

int players_seen(struct db *db, int64_t now_ms, struct json_object *accounts)
{
	char now[24];
	const char *params[2];
	snprintf(now, sizeof now, "%lld", (long long)now_ms);
	params[0] = now;
	params[1] = json_object_to_json_string_ext(accounts, JSON_C_TO_STRING_PLAIN);
	return db_run(db, SQL_SEEN, 2, params);
}

/* Is s 1..max decimal digits? */
static bool digits(const char *s, size_t max)
{
	size_t n = strspn(s, "0123456789");
	return n >= 1 && n <= max && !s[n];
}

int players_find_ref(struct db *db, const char *ref, int64_t *player_id)
{
	static const char by_id[] = "SELECT id FROM players WHERE id = $1::bigint";
	static const char by_identity[] =
		"SELECT player_id FROM identities WHERE provider = $1 AND external_id = $2";
	const char *params[2];
	PGresult *res;
	int ret;

	if (digits(ref, 18)) {
		params[0] = ref;
		res = db_exec(db, by_id, 1, params);
	} else if (!strncmp(ref, "steam:", 6) && digits(ref + 6, 20)) {
		params[0] = "steam";
		params[1] = ref + 6;
		res = db_exec(db, by_identity, 2, params);
	} else if (!strncmp(ref, "gog:", 4) && digits(ref + 4, 20)) {
		params[0] = "gog";
		params[1] = ref + 4;
		res = db_exec(db, by_identity, 2, params);
	} else {
		return -2;
	}
	if (!res)
		return -1;
	ret = PQntuples(res) > 0;
	if (ret)
		*player_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return ret;
}

struct json_object *players_identities_due(struct db *db, const char *provider,
					   const char *kind, int force, int64_t now_ms,
					   int limit)
{
	static const char sql[] =
		"SELECT json_build_object('key', i.external_id) FROM identities i"
		" LEFT JOIN enrich_items x ON x.kind = $5 AND x.key = i.external_id"
		" WHERE i.provider = $4 AND i.external_id ~ '^[0-9]{1,20}$'"
		"  AND ($1::boolean OR x.key IS NULL OR x.next_attempt_at <= gw_ms($2::bigint))"
		" ORDER BY x.next_attempt_at NULLS FIRST, i.last_seen_at DESC LIMIT $3::int";
	char now[24], lim[16];
	const char *params[5];
	snprintf(now, sizeof now, "%lld", (long long)now_ms);
	snprintf(lim, sizeof lim, "%d", limit);
	params[0] = force ? "true" : "false";
	params[1] = now;
	params[2] = lim;
	params[3] = provider;
	params[4] = kind;
	return enrich_query_json_rows(db, sql, 5, params);
}

/* Insert, or refresh while the platform's own provider (enrich_items kind
 * = provider) never answered for the account; the provider's answer, when
 * it comes, replaces what was relayed. $2: the profiles array. */
static const char SQL_RELAY[] =
	"INSERT INTO player_profiles AS pp (provider, external_id, found, nickname, profile_url,"
	" avatar_url, updated_at)"
	" SELECT DISTINCT ON (1, 2) p->>'provider', p->>'external_id', true, p->>'nickname',"
	"  p->>'profile_url', p->>'avatar_url', gw_ms($1::bigint)"
	" FROM jsonb_array_elements($2::jsonb) AS p"
	" WHERE p->>'provider' IN ('steam', 'gog') AND p->>'external_id' ~ '^[0-9]{1,20}$'"
	"  AND coalesce(p->>'nickname', p->>'avatar_url', p->>'profile_url') IS NOT NULL"
	" ORDER BY 1, 2"
	" ON CONFLICT (provider, external_id) DO UPDATE SET found = true,"
	"  nickname = coalesce(EXCLUDED.nickname, pp.nickname),"
	"  profile_url = coalesce(EXCLUDED.profile_url, pp.profile_url),"
	"  avatar_url = coalesce(EXCLUDED.avatar_url, pp.avatar_url),"
	"  updated_at = EXCLUDED.updated_at"
	" WHERE NOT EXISTS (SELECT 1 FROM enrich_items e WHERE e.kind = pp.provider"
	"  AND e.key = pp.external_id AND e.ok_at IS NOT NULL)";

int players_profiles_relay(struct db *db, int64_t now_ms, struct json_object *profiles)
{
	char now[24];
	const char *params[2];
	if (!profiles || !json_object_array_length(profiles))
		return 0;
	snprintf(now, sizeof now, "%lld", (long long)now_ms);
	params[0] = now;
	params[1] = json_object_to_json_string_ext(profiles, JSON_C_TO_STRING_PLAIN);
	return db_run(db, SQL_RELAY, 2, params);
}
