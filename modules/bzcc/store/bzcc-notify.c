/* bzcc-notify.c: webhooks and their messages (bzcc-notify.h). */
#include "modules/bzcc/store/bzcc-notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* A text[] literal from plain entries (checked: digits, letters, ':'). */
static void array_lit(struct buf *b, const char *const *v, int n)
{
	int i;
	buf_addch(b, '{');
	for (i = 0; i < n; i++) {
		buf_addstr(b, i ? ",\"" : "\"");
		for (const char *p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_addch(b, '\\');
			buf_addch(b, *p);
		}
		buf_addch(b, '"');
	}
	buf_addch(b, '}');
}

int64_t bzcc_webhook_add(struct db *db, const char *url, const char *const *hosts, int n)
{
	static const char sql[] =
		"INSERT INTO bzcc.webhooks (url, hosts) VALUES ($1, $2::text[])"
		" ON CONFLICT (url) DO UPDATE SET hosts = excluded.hosts, enabled = true, last_error = NULL"
		" RETURNING id";
	struct buf lit = BUF_INIT;
	const char *params[2];
	PGresult *res;
	int64_t id = -1;
	array_lit(&lit, hosts, n);
	params[0] = url;
	params[1] = lit.data;
	res = db_exec(db, sql, 2, params);
	if (res && PQntuples(res) == 1)
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (res)
		PQclear(res);
	buf_release(&lit);
	return id;
}

int bzcc_webhook_remove(struct db *db, int64_t id)
{
	char ids[24];
	const char *params[] = { ids };
	PGresult *res;
	int rc;
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	res = db_exec(db, "DELETE FROM bzcc.webhooks WHERE id = $1::bigint", 1, params);
	if (!res)
		return -1;
	rc = atoi(PQcmdTuples(res)) > 0;
	PQclear(res);
	return rc;
}

static struct json_object *json_result(PGresult *res)
{
	struct json_object *o = NULL;
	if (res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		o = json_tokener_parse(PQgetvalue(res, 0, 0));
	if (res)
		PQclear(res);
	return o;
}

struct json_object *bzcc_webhook_list(struct db *db, bool redact)
{
	static const char sql[] =
		"SELECT coalesce(json_agg(json_build_object("
		"  'id', w.id,"
		"  'url', CASE WHEN $1::boolean THEN regexp_replace(w.url, '/[^/?#]+([?#].*)?$', '/…') ELSE w.url END,"
		"  'hosts', to_json(w.hosts), 'enabled', w.enabled, 'last_error', w.last_error,"
		"  'created_at', to_char(w.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
		"  'live_messages', (SELECT count(*) FROM bzcc.webhook_messages m"
		"                    WHERE m.webhook_id = w.id AND m.state = 'live'))"
		"  ORDER BY w.id), '[]'::json) FROM bzcc.webhooks w";
	const char *params[] = { redact ? "true" : "false" };
	return json_result(db_exec(db, sql, 1, params));
}

struct json_object *bzcc_webhook_messages(struct db *db, int64_t webhook_id)
{
	static const char sql[] =
		"SELECT coalesce(json_object_agg(session_id, json_build_object('message_id', message_id,"
		"  'state', state, 'payload', payload, 'session', session)), '{}'::json)"
		" FROM bzcc.webhook_messages WHERE webhook_id = $1::bigint";
	char ids[24];
	const char *params[] = { ids };
	snprintf(ids, sizeof ids, "%lld", (long long)webhook_id);
	return json_result(db_exec(db, sql, 1, params));
}

int bzcc_webhook_message_put(struct db *db, int64_t webhook_id, const char *session_id,
			     const char *message_id, const char *state, const char *payload,
			     const char *session_json)
{
	static const char sql[] =
		"INSERT INTO bzcc.webhook_messages (webhook_id, session_id, message_id, state, payload, session)"
		" VALUES ($1::bigint, $2, $3, $4, $5, $6::jsonb)"
		" ON CONFLICT (webhook_id, session_id) DO UPDATE SET message_id = coalesce(excluded.message_id,"
		"  bzcc.webhook_messages.message_id), state = excluded.state, payload = excluded.payload,"
		"  session = excluded.session, updated_at = now()";
	char ids[24];
	const char *params[] = { ids, session_id, message_id, state, payload, session_json };
	snprintf(ids, sizeof ids, "%lld", (long long)webhook_id);
	return db_run(db, sql, 6, params);
}

int bzcc_webhook_set_error(struct db *db, int64_t id, const char *error, bool disable)
{
	static const char sql[] =
		"UPDATE bzcc.webhooks SET last_error = $2, enabled = enabled AND NOT $3::boolean"
		" WHERE id = $1::bigint";
	char ids[24];
	const char *params[] = { ids, error, disable ? "true" : "false" };
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	return db_run(db, sql, 3, params);
}
