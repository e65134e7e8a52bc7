/* curation.c: proposals, reviews and re-mirroring (curation.h). */
#include "platform/admin/curation.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "platform/admin/audit.h"
#include "platform/web/req.h"

int64_t curation_propose(struct db *db, int64_t user_id, const char *module, const char *kind,
			 const char *key, struct json_object *fields, const char *image_sha,
			 const char *note)
{
	char uid[24];
	const char *params[7] = { uid, module, kind, key,
				  json_object_to_json_string_ext(fields, JSON_C_TO_STRING_PLAIN),
				  image_sha, note };
	PGresult *res;
	int64_t id = -1;
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	res = db_exec(db, "INSERT INTO curation_proposals (proposed_by, module, entity_kind, entity_key,"
			  " fields, image_sha256, note) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)"
			  " RETURNING id", 7, params);
	if (!res)
		return -1;
	if (PQntuples(res) == 1)
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return id;
}

static struct json_object *one_json(struct db *db, const char *sql, int n, const char *const *params)
{
	PGresult *res = db_exec(db, sql, n, params);
	struct json_object *o = NULL;
	if (!res)
		return NULL;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		o = json_tokener_parse(PQgetvalue(res, 0, 0));
	PQclear(res);
	return o;
}

struct json_object *curation_list(struct db *db, const char *status, int limit, const char *cdn)
{
	static const char sql[] =
		"SELECT coalesce(json_agg(json_build_object('id', p.id, 'module', p.module,"
		"  'entity_kind', p.entity_kind, 'entity_key', p.entity_key, 'fields', p.fields,"
		"  'image_sha256', p.image_sha256,"
		"  'image_url', CASE WHEN a.path IS NOT NULL AND a.quarantined_at IS NULL THEN $3 || a.path END,"
		"  'note', p.note, 'status', p.status, 'proposed_by', p.proposed_by,"
		"  'proposer', pu.name, 'created_at', gw_iso(p.created_at),"
		"  'reviewer', ru.name, 'reviewed_at', gw_iso(p.reviewed_at), 'review_note', p.review_note)"
		"  ORDER BY CASE WHEN $1::text IS NULL THEN -p.id ELSE p.id END), '[]')"
		" FROM (SELECT * FROM curation_proposals"
		"   WHERE ($1::text IS NULL AND status <> 'pending') OR status = $1"
		"   ORDER BY CASE WHEN $1::text IS NULL THEN reviewed_at END DESC NULLS LAST,"
		"            CASE WHEN $1::text IS NOT NULL THEN id END, id DESC LIMIT $2::int) p"
		" LEFT JOIN assets a ON a.sha256 = p.image_sha256"
		" LEFT JOIN users pu ON pu.id = p.proposed_by"
		" LEFT JOIN users ru ON ru.id = p.reviewed_by";
	char l[16];
	const char *params[3] = { status, l, cdn };
	snprintf(l, sizeof l, "%d", limit);
	return one_json(db, sql, 3, params);
}

struct json_object *curation_queue_open(struct db *db, int limit)
{
	char l[16];
	const char *params[1] = { l };
	snprintf(l, sizeof l, "%d", limit);
	return one_json(db, "SELECT coalesce(json_agg(json_build_object('entity_kind', entity_kind,"
			    " 'entity_key', entity_key, 'reason', reason, 'last_at', gw_iso(last_at))"
			    " ORDER BY last_at DESC), '[]')"
			    " FROM (SELECT * FROM curation_queue WHERE resolved_at IS NULL"
			    "  ORDER BY last_at DESC LIMIT $1::int) q", 1, params);
}

/* The state of an entity a review may change, for the audit entry:
 * {"fields": curated fields or null, "image_sha256": linked picture or
 * null, "via": how it is linked}. */
static struct json_object *entity_state(struct db *db, const char *module, const char *kind,
					const char *key)
{
	const char *params[3] = { module, kind, key };
	return one_json(db, "SELECT json_build_object("
			    " 'fields', (SELECT fields FROM curated_facts WHERE module = $1"
			    "   AND entity_kind = $2 AND entity_key = $3),"
			    " 'image_sha256', (SELECT sha256 FROM asset_links WHERE entity_kind = $2"
			    "   AND entity_key = $3),"
			    " 'via', (SELECT via FROM asset_links WHERE entity_kind = $2 AND entity_key = $3))",
			3, params);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

int curation_review(struct db *db, const struct req *r, int64_t id, bool approve,
		    const char *review_note, char **module_out, char **kind_out, char **key_out,
		    char *err, size_t errlen)
{
	char pid[24], uid[24], target[40];
	const char *p1[1] = { pid };
	PGresult *res;
	struct json_object *before = NULL, *after = NULL, *prop = NULL;
	char *module = NULL, *kind = NULL, *key = NULL, *sha = NULL;
	int st = 503;

	*module_out = *kind_out = *key_out = NULL;
	snprintf(pid, sizeof pid, "%" PRId64, id);
	snprintf(uid, sizeof uid, "%" PRId64, r->auth.user_id);
	snprintf(target, sizeof target, "proposal:%" PRId64, id);
	if (db_begin(db) < 0) {
		snprintf(err, errlen, "the database is unavailable");
		return 503;
	}
	res = db_exec(db, "SELECT module, entity_kind, entity_key, status, image_sha256,"
			  " json_build_object('id', id, 'fields', fields, 'image_sha256', image_sha256,"
			  "  'note', note, 'proposed_by', proposed_by)"
			  " FROM curation_proposals WHERE id = $1 FOR UPDATE", 1, p1);
	if (!res)
		goto fail;
	if (PQntuples(res) != 1) {
		PQclear(res);
		snprintf(err, errlen, "there is no proposal %" PRId64, id);
		st = 404;
		goto fail;
	}
	if (strcmp(PQgetvalue(res, 0, 3), "pending")) {
		snprintf(err, errlen, "proposal %" PRId64 " was %s already", id, PQgetvalue(res, 0, 3));
		PQclear(res);
		st = 409;
		goto fail;
	}
	module = xstrdup(PQgetvalue(res, 0, 0));
	kind = xstrdup(PQgetvalue(res, 0, 1));
	key = xstrdup(PQgetvalue(res, 0, 2));
	if (!PQgetisnull(res, 0, 4))
		sha = xstrdup(PQgetvalue(res, 0, 4));
	prop = json_tokener_parse(PQgetvalue(res, 0, 5));
	PQclear(res);
	before = entity_state(db, module, kind, key);
	if (!before)
		goto fail;
	if (approve) {
		const char *pf[5] = { module, kind, key, pid, uid };
		if (db_run(db, "INSERT INTO curated_facts (module, entity_kind, entity_key, fields,"
			       " proposal_id, updated_by, updated_at)"
			       " SELECT $1::text, $2::text, $3::text, p.fields, p.id, $5::bigint, now()"
			       " FROM curation_proposals p WHERE p.id = $4::bigint AND p.fields <> '{}'::jsonb"
			       " ON CONFLICT (module, entity_kind, entity_key) DO UPDATE"
			       " SET fields = curated_facts.fields || EXCLUDED.fields,"
			       "  proposal_id = EXCLUDED.proposal_id, updated_by = EXCLUDED.updated_by,"
			       "  updated_at = EXCLUDED.updated_at", 5, pf) < 0)
			goto fail;
		if (sha) {
			char src[80], note[64];
			const char *ps[2] = { src, sha };
			const char *pg[4] = { kind, key, src, note };
			const char *pl[4] = { kind, key, sha, src };
			snprintf(src, sizeof src, "upload:%s", sha);
			snprintf(note, sizeof note, "approved proposal %" PRId64, id);
			if (db_run(db, "INSERT INTO asset_sources (url, sha256, fetched_at)"
				       " VALUES ($1, $2, now()) ON CONFLICT (url) DO NOTHING", 2, ps) < 0 ||
			    db_run(db, "INSERT INTO asset_registry (entity_kind, entity_key, source_url, note)"
				       " VALUES ($1, $2, $3, $4) ON CONFLICT (entity_kind, entity_key) DO UPDATE"
				       " SET source_url = EXCLUDED.source_url, note = EXCLUDED.note,"
				       "  added_at = now()", 4, pg) < 0 ||
			    db_run(db, "INSERT INTO asset_links (entity_kind, entity_key, sha256, via,"
				       " source_url, linked_at) VALUES ($1, $2, $3, 'registry', $4, now())"
				       " ON CONFLICT (entity_kind, entity_key) DO UPDATE SET"
				       "  sha256 = EXCLUDED.sha256, via = EXCLUDED.via,"
				       "  source_url = EXCLUDED.source_url, linked_at = EXCLUDED.linked_at",
				       4, pl) < 0 ||
			    db_run(db, "UPDATE curation_queue SET resolved_at = now()"
				       " WHERE entity_kind = $1 AND entity_key = $2 AND resolved_at IS NULL",
				       2, pl) < 0)
				goto fail;
		}
	}
	{
		const char *pr[4] = { pid, approve ? "approved" : "rejected", uid, review_note };
		if (db_run(db, "UPDATE curation_proposals SET status = $2, reviewed_by = $3,"
			       " reviewed_at = now(), review_note = $4 WHERE id = $1", 4, pr) < 0)
			goto fail;
	}
	after = approve ? entity_state(db, module, kind, key) : json_object_new_object();
	if (!after)
		goto fail;
	json_object_object_add(after, "proposal", json_object_get(prop));
	json_object_object_add(after, "review_note", review_note ? json_object_new_string(review_note) : NULL);
	if (audit_write(db, r, approve ? "curation.approve" : "curation.reject", target, before,
			after) < 0 ||
	    db_commit(db) < 0)
		goto fail;
	log_info("proposal %" PRId64 " %s by user %" PRId64, id, approve ? "approved" : "rejected",
		 r->auth.user_id);
	*module_out = module;
	*kind_out = kind;
	*key_out = key;
	free(sha);
	json_object_put(before);
	json_object_put(after);
	json_object_put(prop);
	return 0;
fail:
	db_rollback(db);
	if (st == 503)
		snprintf(err, errlen, "the database is unavailable");
	free(module);
	free(kind);
	free(key);
	free(sha);
	json_object_put(before);
	json_object_put(after);
	json_object_put(prop);
	return st;
}

int curation_remirror(struct db *db, const struct req *r, const char *module, const char *kind,
		      const char *key)
{
	char ekind[80], target[300];
	const char *params[2] = { ekind, key };
	struct json_object *what;
	snprintf(ekind, sizeof ekind, "mirror:%s", kind);
	snprintf(target, sizeof target, "%s:%s:%s", module, kind, key);
	if (db_begin(db) < 0)
		return -1;
	if (db_run(db, "INSERT INTO enrich_items (kind, key, next_attempt_at) VALUES ($1, $2, now())"
		       " ON CONFLICT (kind, key) DO UPDATE SET next_attempt_at = now(), attempts = 0,"
		       "  parked_at = NULL, signature = NULL", 2, params) < 0)
		goto fail;
	what = json_object_new_object();
	json_object_object_add(what, "item", json_object_new_string(ekind));
	json_object_object_add(what, "key", json_object_new_string(key));
	json_object_object_add(what, "due", json_object_new_string("now"));
	if (audit_write(db, r, "curation.remirror", target, NULL, what) < 0) {
		json_object_put(what);
		goto fail;
	}
	json_object_put(what);
	return db_commit(db);
fail:
	db_rollback(db);
	return -1;
}
