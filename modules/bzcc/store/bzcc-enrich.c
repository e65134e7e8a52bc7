/* bzcc-enrich.c: BZCC enrichment facts and due items (bzcc-enrich.h). */
#include "modules/bzcc/store/bzcc-enrich.h"

#include <stdio.h>
#include <stdlib.h>

#include "platform/enrich/enrich-store.h"
#include "platform/players/players.h"

static void fmt_ll(char *out, size_t n, long long v)
{
	snprintf(out, n, "%lld", v);
}

int bzcc_enrich_store_seed(struct db *db, struct json_object *maps, int64_t now_ms)
{
	static const char sql[] =
		"INSERT INTO bzcc.map_seed AS o (file_lower, file, name, image_url, pools, loose,"
		" author, description, tags, size_text, size, base_to_base, updated_at)"
		" SELECT DISTINCT ON (lower(m->>'file')) lower(m->>'file'), m->>'file', m->>'name',"
		"  nullif(m->>'image_url', ''), (m->>'pools')::int,"
		"  CASE WHEN (m->>'loose')::int >= 0 THEN (m->>'loose')::int END,"
		"  nullif(m->>'author', ''), nullif(m->>'description', ''),"
		"  ARRAY(SELECT jsonb_array_elements_text(coalesce(m->'tags', '[]'::jsonb))),"
		"  nullif(m->>'size_text', ''), (m->>'size')::int,"
		"  nullif((m->>'base_to_base')::int, 0), gw_ms($2::bigint)"
		" FROM jsonb_array_elements($1::jsonb) AS m WHERE coalesce(m->>'file', '') <> ''"
		" ORDER BY lower(m->>'file')"
		" ON CONFLICT (file_lower) DO UPDATE SET file = EXCLUDED.file, name = EXCLUDED.name,"
		"  image_url = EXCLUDED.image_url, pools = EXCLUDED.pools, loose = EXCLUDED.loose,"
		"  author = EXCLUDED.author, description = EXCLUDED.description, tags = EXCLUDED.tags,"
		"  size_text = EXCLUDED.size_text, size = EXCLUDED.size,"
		"  base_to_base = EXCLUDED.base_to_base, updated_at = EXCLUDED.updated_at";
	char now[24];
	const char *params[2];
	PGresult *res;
	int n;
	fmt_ll(now, sizeof now, now_ms);
	params[0] = json_object_to_json_string_ext(maps, JSON_C_TO_STRING_PLAIN);
	params[1] = now;
	res = db_exec(db, sql, 2, params);
	if (!res)
		return -1;
	n = atoi(PQcmdTuples(res));
	PQclear(res);
	return n;
}

int bzcc_enrich_store_map_info(struct db *db, const char *map_key, int found,
			       const char *title, const char *description,
			       const char *image_url, struct json_object *net_vars,
			       struct json_object *team_names, int64_t now_ms)
{
	static const char sql[] =
		"INSERT INTO bzcc.map_info AS o (map_key, found, title, description, image_url,"
		" net_vars, team_names, updated_at)"
		" VALUES ($1, $2::boolean, $3, $4, $5, $6::jsonb,"
		"  CASE WHEN $7::jsonb IS NOT NULL THEN"
		"   ARRAY(SELECT jsonb_array_elements_text($7::jsonb)) END, gw_ms($8::bigint))"
		" ON CONFLICT (map_key) DO UPDATE SET found = EXCLUDED.found, title = EXCLUDED.title,"
		"  description = EXCLUDED.description, image_url = EXCLUDED.image_url,"
		"  net_vars = EXCLUDED.net_vars,"
		"  team_names = EXCLUDED.team_names,"
		"  updated_at = EXCLUDED.updated_at";
	char now[24];
	const char *params[8];
	fmt_ll(now, sizeof now, now_ms);
	params[0] = map_key;
	params[1] = found ? "true" : "false";
	params[2] = title;
	params[3] = description;
	params[4] = image_url;
	params[5] = net_vars ? json_object_to_json_string_ext(net_vars, JSON_C_TO_STRING_PLAIN) : NULL;
	params[6] = team_names ? json_object_to_json_string_ext(team_names, JSON_C_TO_STRING_PLAIN)
			       : NULL;
	params[7] = now;
	return db_run(db, sql, 8, params);
}

int bzcc_enrich_store_mods(struct db *db, struct json_object *mods, int64_t now_ms)
{
	static const char sql[] =
		"INSERT INTO bzcc.mod_info AS o (mod_id, name, workshop_name, type, dependencies,"
		" image_url, updated_at)"
		" SELECT DISTINCT ON (m->>'id') m->>'id', nullif(m->>'name', ''),"
		"  nullif(m->>'workshop_name', ''), nullif(m->>'type', ''),"
		"  ARRAY(SELECT jsonb_array_elements_text(coalesce(m->'dependencies', '[]'::jsonb))),"
		"  nullif(m->>'image_url', ''), gw_ms($2::bigint)"
		" FROM jsonb_array_elements($1::jsonb) AS m WHERE coalesce(m->>'id', '') <> ''"
		" ORDER BY m->>'id'"
		" ON CONFLICT (mod_id) DO UPDATE SET name = EXCLUDED.name,"
		"  workshop_name = EXCLUDED.workshop_name, type = EXCLUDED.type,"
		"  dependencies = EXCLUDED.dependencies, image_url = EXCLUDED.image_url,"
		"  updated_at = EXCLUDED.updated_at";
	char now[24];
	const char *params[2];
	fmt_ll(now, sizeof now, now_ms);
	params[0] = json_object_to_json_string_ext(mods, JSON_C_TO_STRING_PLAIN);
	params[1] = now;
	return db_run(db, sql, 2, params);
}

int bzcc_enrich_store_workshop(struct db *db, const char *mod_id, int found,
			       const char *title, const char *preview_url, int64_t now_ms)
{
	static const char sql[] =
		"INSERT INTO bzcc.mod_info AS o (mod_id, workshop_title, workshop_preview_url,"
		" workshop_found, updated_at)"
		" VALUES ($1, $2, $3, $4::boolean, gw_ms($5::bigint))"
		" ON CONFLICT (mod_id) DO UPDATE SET workshop_title = EXCLUDED.workshop_title,"
		"  workshop_preview_url = EXCLUDED.workshop_preview_url,"
		"  workshop_found = EXCLUDED.workshop_found, updated_at = EXCLUDED.updated_at";
	char now[24];
	const char *params[5];
	fmt_ll(now, sizeof now, now_ms);
	params[0] = mod_id;
	params[1] = title;
	params[2] = preview_url;
	params[3] = found ? "true" : "false";
	params[4] = now;
	return db_run(db, sql, 5, params);
}

/* Due: never tried, forced, or its next attempt has come. */
#define DUE_WHERE \
	" ($1::boolean OR x.key IS NULL OR x.next_attempt_at <= gw_ms($2::bigint))"

/* Run a due query: $1 force, $2 now (ms), $3 limit. */
static struct json_object *due(struct db *db, const char *sql, int force, int64_t now_ms,
			       int limit)
{
	char now[24], lim[16];
	const char *params[3];
	fmt_ll(now, sizeof now, now_ms);
	snprintf(lim, sizeof lim, "%d", limit);
	params[0] = force ? "true" : "false";
	params[1] = now;
	params[2] = lim;
	return enrich_query_json_rows(db, sql, 3, params);
}

struct json_object *bzcc_enrich_due_seed(struct db *db, int force, int64_t now_ms, int limit)
{
	static const char sql[] =
		"SELECT json_build_object('key', '" BZCC_SEED_KEY "')"
		" WHERE $1::boolean OR NOT EXISTS (SELECT 1 FROM enrich_items"
		" WHERE kind = 'seed' AND key = '" BZCC_SEED_KEY "'"
		"  AND next_attempt_at > gw_ms($2::bigint))"
		" LIMIT $3::int";
	return due(db, sql, force, now_ms, limit);
}

struct json_object *bzcc_enrich_due_getdata(struct db *db, int force, int64_t now_ms,
					    int limit)
{
	static const char sql[] =
		"SELECT json_build_object('key', m.map_key, 'file', m.map_file, 'mod', m.mod_id)"
		" FROM bzcc.maps m"
		" LEFT JOIN enrich_items x ON x.kind = 'getdata' AND x.key = m.map_key"
		" WHERE" DUE_WHERE
		" ORDER BY x.next_attempt_at NULLS FIRST, m.last_seen_at DESC LIMIT $3::int";
	return due(db, sql, force, now_ms, limit);
}

struct json_object *bzcc_enrich_due_workshop(struct db *db, int force, int64_t now_ms,
					     int limit)
{
	static const char sql[] =
		"SELECT json_build_object('key', mo.mod_id) FROM bzcc.mods mo"
		" LEFT JOIN enrich_items x ON x.kind = 'workshop' AND x.key = mo.mod_id"
		" WHERE mo.mod_id ~ '^[1-9][0-9]{0,19}$' AND" DUE_WHERE
		" ORDER BY x.next_attempt_at NULLS FIRST, mo.last_seen_at DESC LIMIT $3::int";
	return due(db, sql, force, now_ms, limit);
}

int bzcc_enrich_store_msl(struct db *db, struct json_object *meta, int64_t now_ms)
{
	/* the map facts of the first answer win until a later one says
	 * otherwise; null members keep what is there */
	static const char maps_sql[] =
		"INSERT INTO bzcc.map_msl AS o (map_key, title, description, image_url, team_names,"
		" seen_at)"
		" SELECT DISTINCT ON (m->>'key') m->>'key', m->>'title', m->>'description',"
		"  m->>'image_url', CASE WHEN jsonb_typeof(m->'team_names') = 'array' THEN"
		"   ARRAY(SELECT jsonb_array_elements_text(m->'team_names')) END, gw_ms($2::bigint)"
		" FROM jsonb_array_elements($1::jsonb) AS m WHERE coalesce(m->>'key', '') <> ''"
		" ORDER BY m->>'key'"
		" ON CONFLICT (map_key) DO UPDATE SET title = coalesce(EXCLUDED.title, o.title),"
		"  description = coalesce(EXCLUDED.description, o.description),"
		"  image_url = coalesce(EXCLUDED.image_url, o.image_url),"
		"  team_names = coalesce(EXCLUDED.team_names, o.team_names),"
		"  seen_at = EXCLUDED.seen_at";
	static const char mods_sql[] =
		"INSERT INTO bzcc.mod_msl AS o (mod_id, name, image_url, url, seen_at)"
		" SELECT DISTINCT ON (m->>'id') m->>'id', m->>'name', m->>'image_url', m->>'url',"
		"  gw_ms($2::bigint)"
		" FROM jsonb_array_elements($1::jsonb) AS m WHERE coalesce(m->>'id', '') <> ''"
		" ORDER BY m->>'id'"
		" ON CONFLICT (mod_id) DO UPDATE SET name = coalesce(EXCLUDED.name, o.name),"
		"  image_url = coalesce(EXCLUDED.image_url, o.image_url),"
		"  url = coalesce(EXCLUDED.url, o.url), seen_at = EXCLUDED.seen_at";
	struct json_object *maps = NULL, *mods = NULL, *profiles = NULL;
	char now[24];
	const char *params[2];

	if (!meta)
		return 0;
	fmt_ll(now, sizeof now, now_ms);
	params[1] = now;
	if (json_object_object_get_ex(meta, "maps", &maps) && json_object_array_length(maps)) {
		params[0] = json_object_to_json_string_ext(maps, JSON_C_TO_STRING_PLAIN);
		if (db_run(db, maps_sql, 2, params) < 0)
			return -1;
	}
	if (json_object_object_get_ex(meta, "mods", &mods) && json_object_array_length(mods)) {
		params[0] = json_object_to_json_string_ext(mods, JSON_C_TO_STRING_PLAIN);
		if (db_run(db, mods_sql, 2, params) < 0)
			return -1;
	}
	if (json_object_object_get_ex(meta, "profiles", &profiles) &&
	    players_profiles_relay(db, now_ms, profiles) < 0)
		return -1;
	return 0;
}
