/* bzcc-mirror.c: candidate pictures of BZCC maps and mods (bzcc-mirror.h). */
#include "modules/bzcc/store/bzcc-mirror.h"

#include "buf.h"
#include "modules/bzcc/store/bzcc-enrich.h"
#include "platform/enrich/enrich-common.h"

static struct json_object *map_due(struct db *db, int force, int64_t now_ms, int limit)
{
	static const char sql[] =
		"SELECT m.map_key AS key, mi.map_key IS NOT NULL OR mm.map_key IS NOT NULL AS known,"
		" " MIRROR_CANDIDATES(
			"(1, 'registry', " MIRROR_REGISTRY("map", "m.map_key") "),"
			" (2, 'registry', " MIRROR_REGISTRY("map", "'*:' || lower(m.map_file)") "),"
			" (3, 'seed', ms.image_url), (4, 'getdata', mi.image_url),"
			" (5, 'msl', mm.image_url)") " AS cands"
		" FROM bzcc.maps m"
		" LEFT JOIN bzcc.map_info mi ON mi.map_key = m.map_key"
		" LEFT JOIN bzcc.map_msl mm ON mm.map_key = m.map_key"
		" LEFT JOIN bzcc.map_seed ms ON ms.file_lower = lower(m.map_file)";
	return mirror_due_rows(db, "map", force, now_ms, limit, sql, 0, NULL);
}

static struct json_object *mod_due(struct db *db, int force, int64_t now_ms, int limit)
{
	/* $5: GETDATA_ENDPOINT_BASE with a trailing '/' */
	static const char sql[] =
		"SELECT mo.mod_id AS key, mi.mod_id IS NOT NULL OR ml.mod_id IS NOT NULL AS known,"
		" " MIRROR_CANDIDATES(
			"(1, 'registry', " MIRROR_REGISTRY("mod", "mo.mod_id") "),"
			" (2, 'getdata', mi.image_url),"
			" (3, 'modpng', CASE WHEN mo.mod_id ~ '^[1-9][0-9]{0,19}$'"
			"  THEN $5 || 'mods/' || mo.mod_id || '/mod.png' END),"
			" (4, 'workshop', mi.workshop_preview_url), (5, 'msl', ml.image_url)") " AS cands"
		" FROM bzcc.mods mo LEFT JOIN bzcc.mod_info mi ON mi.mod_id = mo.mod_id"
		" LEFT JOIN bzcc.mod_msl ml ON ml.mod_id = mo.mod_id";
	struct buf base = BUF_INIT;
	struct json_object *rows;
	const char *extra[1];

	enrich_env_base(&base, "GETDATA_ENDPOINT_BASE", BZCC_GETDATA_BASE_DEFAULT, 1);
	extra[0] = base.data;
	rows = mirror_due_rows(db, "mod", force, now_ms, limit, sql, 1, extra);
	buf_release(&base);
	return rows;
}

const struct mirror_kind bzcc_mirror_map = {
	.name = "map",
	.curate_absent = 1,
	.due = map_due,
};

const struct mirror_kind bzcc_mirror_mod = {
	.name = "mod",
	.curate_absent = 1,
	.due = mod_due,
};
