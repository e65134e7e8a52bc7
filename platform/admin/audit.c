/* audit.c: the audit log (audit.h). */
#include "platform/admin/audit.h"

#include <inttypes.h>
#include <pwd.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>

#include "platform/accounts/accounts.h"
#include "platform/web/req.h"

static int write_entry(struct db *db, int64_t actor_id, const char *actor_name,
		       const char *actor_role, const char *action, const char *target,
		       struct json_object *before, struct json_object *after, const char *remote_addr)
{
	char uid[24];
	const char *params[8] = {
		uid, actor_name, actor_role, action, target,
		before ? json_object_to_json_string_ext(before, JSON_C_TO_STRING_PLAIN) : NULL,
		after ? json_object_to_json_string_ext(after, JSON_C_TO_STRING_PLAIN) : NULL,
		remote_addr,
	};
	snprintf(uid, sizeof uid, "%" PRId64, actor_id);
	return db_run(db, "INSERT INTO audit_log (actor_id, actor_name, actor_role, action, target,"
			  " before, after, remote_addr)"
			  " VALUES (nullif($1::bigint, 0), $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)",
		      8, params);
}

int audit_write(struct db *db, const struct req *r, const char *action, const char *target,
		struct json_object *before, struct json_object *after)
{
	return write_entry(db, r->auth.user_id, r->auth.name, acct_role_name(r->auth.role), action,
			   target, before, after, r->remote_addr);
}

int audit_write_cli(struct db *db, const char *action, const char *target,
		    struct json_object *before, struct json_object *after)
{
	char name[80];
	struct passwd pw, *res = NULL;
	char pbuf[1024];
	if (getpwuid_r(geteuid(), &pw, pbuf, sizeof pbuf, &res) == 0 && res)
		snprintf(name, sizeof name, "cli:%s", res->pw_name);
	else
		snprintf(name, sizeof name, "cli:uid %u", (unsigned)geteuid());
	return write_entry(db, 0, name, "operator", action, target, before, after, NULL);
}

struct json_object *audit_page(struct db *db, int64_t before_id, int limit, const char *action)
{
	static const char sql[] =
		"WITH e AS (SELECT * FROM audit_log"
		"  WHERE ($1::bigint = 0 OR id < $1) AND ($3::text IS NULL OR action = $3)"
		"  ORDER BY id DESC LIMIT $2::int + 1)"
		" SELECT json_build_object('entries', coalesce((SELECT json_agg(json_build_object("
		"   'id', id, 'at', gw_iso(at), 'actor_id', actor_id, 'actor_name', actor_name,"
		"   'actor_role', actor_role, 'action', action, 'target', target, 'before', before,"
		"   'after', after, 'remote_addr', remote_addr) ORDER BY id DESC)"
		"   FROM (SELECT * FROM e ORDER BY id DESC LIMIT $2::int) p), '[]'),"
		"  'next_before', CASE WHEN (SELECT count(*) FROM e) > $2::int"
		"   THEN (SELECT min(id) FROM (SELECT id FROM e ORDER BY id DESC LIMIT $2::int) q) END)";
	char b[24], l[16];
	const char *params[3] = { b, l, action };
	PGresult *res;
	struct json_object *o = NULL;
	snprintf(b, sizeof b, "%" PRId64, before_id);
	snprintf(l, sizeof l, "%d", limit);
	res = db_exec(db, sql, 3, params);
	if (!res)
		return NULL;
	if (PQntuples(res) == 1)
		o = json_tokener_parse(PQgetvalue(res, 0, 0));
	PQclear(res);
	return o;
}
