/* admin.c: the admin pages' SQL (admin.h). */
#include "platform/admin/admin.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "platform/accounts/accounts.h"
#include "platform/admin/audit.h"
#include "platform/admin/flags.h"
#include "platform/web/req.h"

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

struct json_object *admin_job_status(struct db *db)
{
	return one_json(db,
		"SELECT coalesce(json_agg(json_build_object('job', j.job, 'module', j.module,"
		"  'last_started_at', gw_iso(l.started_at), 'last_finished_at', gw_iso(l.finished_at),"
		"  'last_exit_code', l.exit_code,"
		"  'last_seconds', round(extract(epoch FROM l.finished_at - l.started_at)::numeric, 1),"
		"  'running', (SELECT count(*) FROM job_runs x WHERE x.job = j.job AND x.finished_at IS NULL"
		"     AND x.started_at > now() - interval '1 day'),"
		"  'runs_24h', (SELECT count(*) FROM job_runs x WHERE x.job = j.job"
		"     AND x.started_at > now() - interval '1 day'),"
		"  'failures_24h', (SELECT count(*) FROM job_runs x WHERE x.job = j.job"
		"     AND x.started_at > now() - interval '1 day' AND x.exit_code <> 0),"
		"  'last_failure_at', (SELECT gw_iso(max(x.started_at)) FROM job_runs x"
		"     WHERE x.job = j.job AND x.exit_code <> 0)) ORDER BY j.job), '[]')"
		" FROM (SELECT DISTINCT job, module FROM job_runs) j"
		" CROSS JOIN LATERAL (SELECT * FROM job_runs r WHERE r.job = j.job"
		"   ORDER BY r.started_at DESC LIMIT 1) l", 0, NULL);
}

struct json_object *admin_job_runs(struct db *db, int limit, bool failed_only)
{
	char l[16];
	const char *params[2] = { l, failed_only ? "t" : "f" };
	snprintf(l, sizeof l, "%d", limit);
	return one_json(db,
		"SELECT coalesce(json_agg(json_build_object('id', id, 'job', job, 'module', module,"
		"  'started_at', gw_iso(started_at), 'finished_at', gw_iso(finished_at),"
		"  'exit_code', exit_code,"
		"  'seconds', round(extract(epoch FROM finished_at - started_at)::numeric, 1))"
		"  ORDER BY id DESC), '[]')"
		" FROM (SELECT * FROM job_runs WHERE NOT $2::boolean OR exit_code <> 0"
		"   ORDER BY id DESC LIMIT $1::int) r", 2, params);
}

struct json_object *admin_queue_depths(struct db *db)
{
	return one_json(db,
		"SELECT json_build_object("
		" 'enrich', (SELECT coalesce(json_agg(json_build_object('kind', kind, 'items', items,"
		"   'due', due, 'parked', parked, 'failing', failing) ORDER BY kind), '[]')"
		"   FROM (SELECT kind, count(*) AS items,"
		"     count(*) FILTER (WHERE next_attempt_at <= now() AND parked_at IS NULL) AS due,"
		"     count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked,"
		"     count(*) FILTER (WHERE attempts > 0) AS failing FROM enrich_items GROUP BY kind) k),"
		" 'curation_queue', (SELECT count(*) FROM curation_queue WHERE resolved_at IS NULL),"
		" 'proposals_pending', (SELECT count(*) FROM curation_proposals WHERE status = 'pending'))",
		0, NULL);
}

struct json_object *admin_users(struct db *db, const char *q, const char *role, int offset,
				int limit)
{
	char o[16], l[16];
	const char *params[4] = { q, role, o, l };
	snprintf(o, sizeof o, "%d", offset);
	snprintf(l, sizeof l, "%d", limit);
	return one_json(db,
		"WITH m AS (SELECT * FROM users u WHERE ($1::text IS NULL"
		"    OR strpos(lower(u.name), lower($1)) > 0) AND ($2::text IS NULL OR u.role = $2))"
		" SELECT json_build_object('total', (SELECT count(*) FROM m),"
		"  'users', (SELECT coalesce(json_agg(json_build_object('id', p.id, 'name', p.name,"
		"   'role', p.role, 'created_at', gw_iso(p.created_at),"
		"   'last_login_at', gw_iso(p.last_login_at), 'banned_at', gw_iso(p.banned_at),"
		"   'ban_reason', p.ban_reason,"
		"   'identities', (SELECT coalesce(json_agg(json_build_object('provider', i.provider,"
		"     'external_id', i.external_id) ORDER BY i.id), '[]') FROM user_identities i"
		"     WHERE i.user_id = p.id),"
		"   'sessions', (SELECT count(*) FROM web_sessions s WHERE s.user_id = p.id"
		"     AND s.revoked_at IS NULL AND s.expires_at > now())) ORDER BY p.id DESC), '[]')"
		"   FROM (SELECT * FROM m ORDER BY id DESC OFFSET $3::int LIMIT $4::int) p))",
		4, params);
}

/* {"role", "banned_at", "ban_reason"} of user `id` locked for update, or
 * NULL (*found 0: none; -1: error). */
static struct json_object *user_state(struct db *db, int64_t id, int *found)
{
	char uid[24];
	const char *params[1] = { uid };
	PGresult *res;
	struct json_object *o = NULL;
	snprintf(uid, sizeof uid, "%" PRId64, id);
	*found = -1;
	res = db_exec(db, "SELECT json_build_object('role', role, 'banned_at', gw_iso(banned_at),"
			  " 'ban_reason', ban_reason, 'name', name) FROM users WHERE id = $1 FOR UPDATE",
		      1, params);
	if (!res)
		return NULL;
	*found = PQntuples(res) == 1;
	if (*found)
		o = json_tokener_parse(PQgetvalue(res, 0, 0));
	PQclear(res);
	return o;
}

/* Run `sql` ($1 the user id, $2 `arg`) on user `id` inside a transaction
 * with the audit entry (before/after: the user's state). */
static int user_change(struct db *db, const struct req *r, int64_t id, const char *action,
		       const char *sql, const char *arg, bool revoke)
{
	char uid[24], target[40];
	const char *params[2] = { uid, arg };
	struct json_object *before = NULL, *after = NULL;
	int found, st = 503;
	snprintf(uid, sizeof uid, "%" PRId64, id);
	snprintf(target, sizeof target, "user:%" PRId64, id);
	if (db_begin(db) < 0)
		return 503;
	before = user_state(db, id, &found);
	if (!before) {
		st = found == 0 ? 404 : 503;
		goto fail;
	}
	if (sql && db_run(db, sql, 2, params) < 0)
		goto fail;
	if (revoke) {
		long n = acct_revoke_sessions(db, id, NULL);
		if (n < 0)
			goto fail;
		json_object_object_add(before, "sessions_revoked", json_object_new_int64(n));
	}
	after = user_state(db, id, &found);
	if (!after || audit_write(db, r, action, target, before, after) < 0 || db_commit(db) < 0)
		goto fail;
	json_object_put(before);
	json_object_put(after);
	return 0;
fail:
	db_rollback(db);
	json_object_put(before);
	json_object_put(after);
	return st;
}

int admin_user_role(struct db *db, const struct req *r, int64_t id, const char *role)
{
	if (id == r->auth.user_id)
		return 409;
	return user_change(db, r, id, "user.role", "UPDATE users SET role = $2 WHERE id = $1", role,
			   false);
}

int admin_user_ban(struct db *db, const struct req *r, int64_t id, bool ban, const char *reason)
{
	if (ban && id == r->auth.user_id)
		return 409;
	if (ban)
		return user_change(db, r, id, "user.ban",
				   "UPDATE users SET banned_at = coalesce(banned_at, now()), ban_reason = $2"
				   " WHERE id = $1", reason, true);
	return user_change(db, r, id, "user.unban",
			   "UPDATE users SET banned_at = NULL, ban_reason = NULL"
			   " WHERE id = $1 AND $2::text IS NULL", NULL, false);
}

int admin_user_revoke(struct db *db, const struct req *r, int64_t id)
{
	return user_change(db, r, id, "user.revoke_sessions", NULL, NULL, true);
}

int admin_flag_set(struct db *db, const struct req *r, const char *name, bool enabled)
{
	struct json_object *before = json_object_new_object(), *after = json_object_new_object();
	char target[80];
	int st = 503;
	snprintf(target, sizeof target, "flag:%s", name);
	if (db_begin(db) < 0)
		goto out;
	json_object_object_add(before, "enabled", json_object_new_boolean(flag_enabled(db, name)));
	json_object_object_add(after, "enabled", json_object_new_boolean(enabled));
	if (flag_set(db, name, enabled, r->auth.user_id) < 0 ||
	    audit_write(db, r, "flag.set", target, before, after) < 0 || db_commit(db) < 0) {
		db_rollback(db);
		goto out;
	}
	st = 0;
out:
	json_object_put(before);
	json_object_put(after);
	return st;
}

int admin_note(struct db *db, const struct req *r, const char *action, const char *target,
	       struct json_object *after)
{
	return audit_write(db, r, action, target, NULL, after);
}
