/* flags.c: feature flags (flags.h). */
#include "platform/admin/flags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

const struct gw_flag_def gw_flags[] = {
	{ "ENRICHMENT_ENABLED", true, "gamewatch-job enrich fetches names and facts from upstream providers" },
	{ "MIRROR_ENABLED", true, "gamewatch-job mirror copies pictures to our own storage" },
	{ "POLLING_PAUSED", false, "the lobby pollers skip their polls (the last data stays served, then goes stale)" },
	{ NULL, false, NULL },
};

const struct gw_flag_def *flag_def(const char *name)
{
	const struct gw_flag_def *f;
	for (f = gw_flags; name && f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

/* The environment's value: 1, 0, or -1 when unset or unreadable. */
static int env_value(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return -1;
	if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "on") || !strcasecmp(v, "yes"))
		return 1;
	if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "off") || !strcasecmp(v, "no"))
		return 0;
	log_warn("%s=\"%s\" is not a boolean (1/0, true/false, on/off): ignored", name, v);
	return -1;
}

bool flag_enabled(struct db *db, const char *name)
{
	const struct gw_flag_def *f = flag_def(name);
	const char *params[1] = { name };
	int env;
	if (!f)
		return false;
	if (db) {
		PGresult *res = db_exec(db, "SELECT enabled FROM feature_flags WHERE name = $1", 1, params);
		if (res) {
			int have = PQntuples(res) == 1;
			bool v = have && PQgetvalue(res, 0, 0)[0] == 't';
			PQclear(res);
			if (have)
				return v;
		} else {
			log_warn("flag %s: the table could not be read; using the environment or default", name);
		}
	}
	env = env_value(name);
	return env < 0 ? f->def : env == 1;
}

bool flag_enabled_url(const char *database_url, const char *name)
{
	struct db db;
	bool v;
	if (db_open(&db, database_url) < 0) {
		db_close(&db);
		return flag_enabled(NULL, name);
	}
	v = flag_enabled(&db, name);
	db_close(&db);
	return v;
}

struct json_object *flag_list(struct db *db)
{
	const struct gw_flag_def *f;
	struct json_object *out;
	PGresult *res = db_exec(db, "SELECT f.name, f.enabled, gw_iso(f.updated_at), u.name"
				    " FROM feature_flags f LEFT JOIN users u ON u.id = f.updated_by",
				0, NULL);
	int i, n;
	if (!res)
		return NULL;
	n = PQntuples(res);
	out = json_object_new_array();
	for (f = gw_flags; f->name; f++) {
		struct json_object *o = json_object_new_object();
		int row = -1, env = env_value(f->name);
		bool v;
		const char *src;
		for (i = 0; i < n; i++)
			if (!strcmp(PQgetvalue(res, i, 0), f->name))
				row = i;
		if (row >= 0) {
			v = PQgetvalue(res, row, 1)[0] == 't';
			src = "admin";
		} else if (env >= 0) {
			v = env == 1;
			src = "environment";
		} else {
			v = f->def;
			src = "default";
		}
		json_object_object_add(o, "name", json_object_new_string(f->name));
		json_object_object_add(o, "enabled", json_object_new_boolean(v));
		json_object_object_add(o, "default", json_object_new_boolean(f->def));
		json_object_object_add(o, "source", json_object_new_string(src));
		json_object_object_add(o, "summary", json_object_new_string(f->summary));
		json_object_object_add(o, "updated_at", row >= 0 ? json_object_new_string(PQgetvalue(res, row, 2)) : NULL);
		json_object_object_add(o, "updated_by", row >= 0 && !PQgetisnull(res, row, 3)
				       ? json_object_new_string(PQgetvalue(res, row, 3)) : NULL);
		json_object_array_add(out, o);
	}
	PQclear(res);
	return out;
}

int flag_set(struct db *db, const char *name, bool enabled, long long user_id)
{
	char uid[24];
	const char *params[3] = { name, enabled ? "true" : "false", uid };
	snprintf(uid, sizeof uid, "%lld", user_id);
	return db_run(db, "INSERT INTO feature_flags (name, enabled, updated_by, updated_at)"
			  " VALUES ($1, $2::boolean, nullif($3::bigint, 0), now())"
			  " ON CONFLICT (name) DO UPDATE SET enabled = EXCLUDED.enabled,"
			  "  updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at",
		      3, params);
}
