/* eve-access.c: feature roles and the ruleset in PostgreSQL
 * (eve-access.h). Parameterized statements only; arrays of ids travel as
 * the text form '{1,2}' that we build from numbers. */
#include "modules/eve/store/eve-access.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"

int eve_roles_of(struct db *db, int64_t user_id, int rank[EVE_FEATURES])
{
	char id[24];
	const char *p[] = { id };
	PGresult *res;
	int i, n;
	for (i = 0; i < EVE_FEATURES; i++)
		rank[i] = EVE_RANK_NONE;
	snprintf(id, sizeof id, "%" PRId64, user_id);
	res = db_exec(db, "SELECT feature, role FROM eve.feature_roles WHERE user_id = $1::bigint", 1, p);
	if (!res)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		int f = eve_feature_parse(PQgetvalue(res, i, 0)), r = eve_rank_parse(PQgetvalue(res, i, 1));
		if (f >= 0 && r > 0)
			rank[f] = r;
	}
	PQclear(res);
	return 0;
}

struct json_object *eve_roles_list(struct db *db)
{
	PGresult *res = db_exec(db,
				"SELECT coalesce(json_agg(json_build_object('user_id', f.user_id::text,"
				"  'user_name', u.name, 'feature', f.feature, 'role', f.role,"
				"  'granted_at', gw_iso(f.granted_at), 'granted_by_name', g.name)"
				"  ORDER BY f.feature, array_position(ARRAY['admin','director','fc','user'], f.role),"
				"  lower(u.name), f.user_id), '[]')::text"
				" FROM eve.feature_roles f JOIN users u ON u.id = f.user_id"
				" LEFT JOIN users g ON g.id = f.granted_by",
				0, NULL);
	struct json_object *o = NULL;
	if (!res)
		return NULL;
	o = json_tokener_parse(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (!o)
		log_error("eve: the database built invalid JSON (roles)");
	return o;
}

int eve_role_set(struct db *db, int64_t user_id, int feature, int rank, int64_t by)
{
	char id[24], byb[24];
	const char *p[] = { id, eve_feature_name(feature), eve_rank_name(rank), by > 0 ? byb : NULL };
	snprintf(id, sizeof id, "%" PRId64, user_id);
	snprintf(byb, sizeof byb, "%" PRId64, by);
	if (rank == EVE_RANK_NONE)
		return db_run(db, "DELETE FROM eve.feature_roles WHERE user_id = $1::bigint AND feature = $2",
			      2, p);
	return db_run(db,
		      "INSERT INTO eve.feature_roles (user_id, feature, role, granted_by)"
		      " VALUES ($1::bigint, $2, $3, $4::bigint)"
		      " ON CONFLICT (user_id, feature) DO UPDATE SET role = excluded.role,"
		      "  granted_by = excluded.granted_by, granted_at = now()",
		      4, p);
}

int eve_user_name(struct db *db, int64_t user_id, char *name, size_t namelen)
{
	char id[24];
	const char *p[] = { id };
	PGresult *res;
	int found;
	snprintf(id, sizeof id, "%" PRId64, user_id);
	res = db_exec(db, "SELECT name FROM users WHERE id = $1::bigint AND banned_at IS NULL", 1, p);
	if (!res)
		return -1;
	found = PQntuples(res) == 1;
	if (found)
		snprintf(name, namelen, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return found;
}

/* "1,2,3" (array_to_string) back into ids. */
static int ids_of(const char *text, int64_t *out)
{
	char err[80];
	int n = eve_ids_parse(text, out, EVE_TRACKED_MAX, err, sizeof err);
	if (n < 0) {
		log_error("eve: a stored ruleset list is unreadable: %s", err);
		return 0;
	}
	return n;
}

int eve_ruleset_get(struct db *db, int default_min_pilots, struct eve_ruleset *rs)
{
	PGresult *res = db_exec(db,
				"SELECT min_pilots, array_to_string(tracked_alliance_ids, ','),"
				" array_to_string(tracked_corp_ids, ','), ignore_unlisted"
				" FROM eve.rulesets WHERE id = 1",
				0, NULL);
	int found;
	memset(rs, 0, sizeof *rs);
	rs->min_pilots = default_min_pilots;
	if (!res)
		return -1;
	found = PQntuples(res) == 1;
	if (found) {
		rs->min_pilots = atoi(PQgetvalue(res, 0, 0));
		rs->n_alliances = ids_of(PQgetvalue(res, 0, 1), rs->alliances);
		rs->n_corporations = ids_of(PQgetvalue(res, 0, 2), rs->corporations);
		rs->ignore_unlisted = PQgetvalue(res, 0, 3)[0] == 't';
	}
	PQclear(res);
	return found;
}

static struct json_object *id_array(const int64_t *ids, int n)
{
	struct json_object *a = json_object_new_array();
	char s[24];
	int i;
	for (i = 0; i < n; i++) {
		snprintf(s, sizeof s, "%" PRId64, ids[i]);
		json_object_array_add(a, json_object_new_string(s));
	}
	return a;
}

struct json_object *eve_ruleset_json(const struct eve_ruleset *rs)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "min_pilots", json_object_new_int(rs->min_pilots));
	json_object_object_add(o, "tracked_alliance_ids", id_array(rs->alliances, rs->n_alliances));
	json_object_object_add(o, "tracked_corporation_ids", id_array(rs->corporations, rs->n_corporations));
	json_object_object_add(o, "ignore_unlisted", json_object_new_boolean(rs->ignore_unlisted));
	return o;
}

/* '{1,2,3}' */
static void pg_array(struct buf *b, const int64_t *ids, int n)
{
	int i;
	buf_addch(b, '{');
	for (i = 0; i < n; i++)
		buf_addf(b, "%s%" PRId64, i ? "," : "", ids[i]);
	buf_addch(b, '}');
}

int eve_ruleset_put(struct db *db, const struct eve_ruleset *rs, int64_t by, const char *by_name)
{
	char minp[16], byb[24];
	struct buf al = BUF_INIT, co = BUF_INIT;
	const char *p[6];
	int rc;
	snprintf(minp, sizeof minp, "%d", rs->min_pilots);
	snprintf(byb, sizeof byb, "%" PRId64, by);
	pg_array(&al, rs->alliances, rs->n_alliances);
	pg_array(&co, rs->corporations, rs->n_corporations);
	p[0] = minp;
	p[1] = al.data;
	p[2] = co.data;
	p[3] = rs->ignore_unlisted ? "true" : "false";
	p[4] = by > 0 ? byb : NULL;
	p[5] = by_name;
	rc = db_run(db,
		    "INSERT INTO eve.rulesets (id, min_pilots, tracked_alliance_ids, tracked_corp_ids,"
		    "  ignore_unlisted, updated_by, updated_by_name)"
		    " VALUES (1, $1::int, $2::bigint[], $3::bigint[], $4::boolean, $5::bigint, $6)"
		    " ON CONFLICT (id) DO UPDATE SET min_pilots = excluded.min_pilots,"
		    "  tracked_alliance_ids = excluded.tracked_alliance_ids,"
		    "  tracked_corp_ids = excluded.tracked_corp_ids,"
		    "  ignore_unlisted = excluded.ignore_unlisted, updated_at = now(),"
		    "  updated_by = excluded.updated_by, updated_by_name = excluded.updated_by_name",
		    6, p);
	buf_release(&al);
	buf_release(&co);
	return rc;
}
