/* mirror.c: due entities of a picture kind, and the platform's avatar kind
 * (mirror.h). */
#include "platform/assets/mirror.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "platform/enrich/enrich-store.h"
#include "platform/module.h"

struct mirror_kind_slot *mirror_kinds_enabled(size_t *n)
{
	const struct gw_module *const *m;
	struct mirror_kind_slot *v = NULL;
	size_t i;

	*n = 0;
	for (m = gw_modules(); *m; m++) {
		const struct mirror_kind *const *k = (*m)->enrich.mirror_kinds;
		for (; k && *k; k++) {
			for (i = 0; i < *n && strcmp(v[i].k->name, (*k)->name); i++)
				;
			if (i < *n)
				continue;
			v = realloc(v, (*n + 1) * sizeof *v);
			if (!v)
				abort();
			v[*n].k = *k;
			snprintf(v[*n].dir, sizeof v[*n].dir, "%s/%s", (*m)->name, (*k)->name);
			(*n)++;
		}
	}
	return v;
}

int mirror_redo(struct db *db, const char *sha)
{
	static const char sql[] =
		"UPDATE enrich_items x SET next_attempt_at = now(), signature = NULL, attempts = 0,"
		" parked_at = NULL FROM asset_links l"
		" WHERE l.sha256 = $1 AND x.kind = 'mirror:' || l.entity_kind AND x.key = l.entity_key";
	const char *params[] = { sha };
	return db_run(db, sql, 1, params);
}

struct json_object *mirror_due_rows(struct db *db, const char *kind, int force,
				    int64_t now_ms, int limit, const char *candidates_sql,
				    int n_extra, const char *const *extra)
{
	struct buf sql = BUF_INIT, item = BUF_INIT;
	struct json_object *rows;
	char now[24], lim[16];
	const char *params[16];
	int i;

	if (n_extra < 0 || n_extra > 12)
		return NULL;
	buf_addf(&item, "mirror:%s", kind);
	buf_addstr(&sql, "WITH k AS (");
	buf_addstr(&sql, candidates_sql);
	buf_addstr(&sql,
		   ") SELECT json_build_object('key', k.key, 'cands', k.cands,"
		   " 'sig', md5(k.cands::text), 'prev_sig', x.signature)"
		   " FROM k LEFT JOIN enrich_items x ON x.kind = $4 AND x.key = k.key"
		   " WHERE (jsonb_array_length(k.cands) > 0 OR k.known)"
		   " AND ($1::boolean OR x.key IS NULL OR x.signature IS DISTINCT FROM md5(k.cands::text)"
		   "  OR x.next_attempt_at <= gw_ms($2::bigint))"
		   " ORDER BY x.next_attempt_at NULLS FIRST LIMIT $3::int");
	snprintf(now, sizeof now, "%lld", (long long)now_ms);
	snprintf(lim, sizeof lim, "%d", limit);
	params[0] = force ? "true" : "false";
	params[1] = now;
	params[2] = lim;
	params[3] = item.data;
	for (i = 0; i < n_extra; i++)
		params[4 + i] = extra[i];
	rows = enrich_query_json_rows(db, sql.data, 4 + n_extra, params);
	buf_release(&sql);
	buf_release(&item);
	return rows;
}

static struct json_object *avatar_due(struct db *db, int force, int64_t now_ms, int limit)
{
	static const char sql[] =
		"SELECT pp.provider || ':' || pp.external_id AS key, false AS known,"
		" " MIRROR_CANDIDATES(
			"(1, 'registry', " MIRROR_REGISTRY("avatar", "pp.provider || ':' || pp.external_id") "),"
			" (2, 'profile', CASE WHEN pp.found THEN pp.avatar_url END)") " AS cands"
		" FROM player_profiles pp";
	return mirror_due_rows(db, "avatar", force, now_ms, limit, sql, 0, NULL);
}

const struct mirror_kind mirror_kind_avatar = {
	.name = "avatar",
	.curate_absent = 0,
	.due = avatar_due,
};
