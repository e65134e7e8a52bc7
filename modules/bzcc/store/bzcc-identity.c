/* bzcc-identity.c: relinking after host migration and reviving old NAT
 * ids (bzcc-identity.h). */
#include "modules/bzcc/store/bzcc-identity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"

/* Each raw id's current target (its link, else itself), whether that
 * session exists and is alive (listed, or ended within the revive period),
 * and the link's generation. $1 raw ids, $2 now, $3 revive period. */
static const char SQL_TARGETS[] =
	"SELECT r.raw, coalesce(l.session_id, r.raw), t.id IS NOT NULL,"
	"  ($3::int <= 0 OR t.ended_at IS NULL"
	"   OR t.ended_at >= gw_ms($2::bigint) - make_interval(secs => $3::int)),"
	"  coalesce(l.generation, 1)"
	" FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS r(raw, ord)"
	" LEFT JOIN bzcc.session_links l ON l.raw_id = r.raw"
	" LEFT JOIN bzcc.sessions t ON t.id = coalesce(l.session_id, r.raw)"
	" ORDER BY r.ord";

/* For each new game ({raw, name, state, keys}), the most recently seen
 * session with its name and state, last seen within the window but not
 * now, not claimed by a listed game ($4), that had one of its platform ids
 * among the players present at its last sighting. */
static const char SQL_RELINK[] =
	"WITH c AS (SELECT x->>'raw' AS raw, x->>'name' AS name, x->>'state' AS state,"
	"  x->'keys' AS keys, ord FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(x, ord))"
	" SELECT c.raw, o.id FROM c"
	" JOIN LATERAL (SELECT s.id FROM bzcc.sessions s"
	"  WHERE s.name = c.name AND c.name <> '' AND s.state = c.state"
	"   AND s.last_seen_at >= gw_ms($2::bigint) - make_interval(secs => $3::int)"
	"   AND s.last_seen_at < gw_ms($2::bigint)"
	"   AND s.id NOT IN (SELECT jsonb_array_elements_text($4::jsonb))"
	"   AND EXISTS (SELECT 1 FROM bzcc.session_players sp"
	"    WHERE sp.session_id = s.id AND sp.last_seen_at >= s.last_seen_at"
	"     AND sp.player_key IN (SELECT jsonb_array_elements_text(c.keys)))"
	"  ORDER BY s.last_seen_at DESC LIMIT 1) o ON true"
	" ORDER BY c.ord";

static const char SQL_REOPEN[] =
	"UPDATE bzcc.sessions SET ended_at = NULL"
	" WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))";

static const char SQL_RECORD[] =
	"INSERT INTO bzcc.session_links AS o (raw_id, session_id, reason, generation, linked_at)"
	" SELECT x->>'raw', x->>'session_id', x->>'reason', (x->>'generation')::int,"
	"  gw_ms($1::bigint)"
	" FROM jsonb_array_elements($2::jsonb) AS x"
	" ON CONFLICT (raw_id) DO UPDATE SET session_id = EXCLUDED.session_id,"
	"  reason = EXCLUDED.reason, generation = EXCLUDED.generation,"
	"  linked_at = EXCLUDED.linked_at";

static const char *member(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : "";
}

static bool in_strings(struct json_object *arr, const char *s)
{
	size_t i;
	for (i = 0; i < json_object_array_length(arr); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
			return true;
	return false;
}

static void add_link(struct json_object *links, const char *raw, const char *session_id,
		     const char *reason, int generation)
{
	struct json_object *l = json_object_new_object();
	json_object_object_add(l, "raw", json_object_new_string(raw));
	json_object_object_add(l, "session_id", json_object_new_string(session_id));
	json_object_object_add(l, "reason", json_object_new_string(reason));
	json_object_object_add(l, "generation", json_object_new_int(generation));
	json_object_array_add(links, l);
}

/* The platform ids of a session object's players (bots excluded). */
static struct json_object *player_keys(struct json_object *s)
{
	struct json_object *keys = json_object_new_array(), *players, *v;
	size_t i;
	if (!json_object_object_get_ex(s, "players", &players))
		return keys;
	for (i = 0; i < json_object_array_length(players); i++) {
		struct json_object *p = json_object_array_get_idx(players, i);
		const char *id = member(p, "platform_id");
		if (*id && !(json_object_object_get_ex(p, "bot", &v) && json_object_get_boolean(v)))
			json_object_array_add(keys, json_object_new_string(id));
	}
	return keys;
}

int bzcc_identity_resolve(struct db *db, struct json_object *sessions, int64_t now_ms,
			  const struct bzcc_identity_opts *opts, struct json_object **links,
			  struct bzcc_identity_stats *stats)
{
	struct json_object *raws = json_object_new_array(), *taken = json_object_new_array();
	struct json_object *fresh = json_object_new_array(), *reopen = json_object_new_array();
	size_t i, n = json_object_array_length(sessions);
	char now[24], revive[16], window[16];
	const char *params[4];
	PGresult *res = NULL;
	int ret = -1;

	*links = json_object_new_array();
	memset(stats, 0, sizeof *stats);
	snprintf(now, sizeof now, "%lld", (long long)now_ms);
	snprintf(revive, sizeof revive, "%d", opts ? opts->revive_after_s : 0);
	snprintf(window, sizeof window, "%d", opts ? opts->relink_window_s : 0);
	for (i = 0; i < n; i++)
		json_object_array_add(raws, json_object_new_string(
			member(json_object_array_get_idx(sessions, i), "id")));
	if (!n) {
		ret = 0;
		goto out;
	}

	params[0] = json_object_to_json_string_ext(raws, JSON_C_TO_STRING_PLAIN);
	params[1] = now;
	params[2] = revive;
	res = db_exec(db, SQL_TARGETS, 3, params);
	if (!res || (size_t)PQntuples(res) != n)
		goto out;
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(sessions, i);
		const char *raw = PQgetvalue(res, (int)i, 0), *target = PQgetvalue(res, (int)i, 1);
		bool exists = PQgetvalue(res, (int)i, 2)[0] == 't';
		bool alive = PQgetvalue(res, (int)i, 3)[0] == 't';
		int gen = atoi(PQgetvalue(res, (int)i, 4));
		if (exists && alive) {
			json_object_object_add(s, "id", json_object_new_string(target));
			json_object_array_add(taken, json_object_new_string(target));
			continue;
		}
		if (exists) {
			/* the NAT id came back long after its session ended: a new
			 * session, unless the game continues a recent one (below) */
			struct buf id = BUF_INIT;
			buf_addf(&id, "%s~%d", raw, gen + 1);
			json_object_object_add(s, "id", json_object_new_string(id.data));
			json_object_object_add(s, "revive_generation", json_object_new_int(gen + 1));
			buf_release(&id);
		}
		if (opts && opts->relink_window_s > 0) {
			struct json_object *c = json_object_new_object();
			json_object_object_add(c, "raw", json_object_new_string(raw));
			json_object_object_add(c, "name", json_object_new_string(member(s, "name")));
			json_object_object_add(c, "state", json_object_new_string(member(s, "state")));
			json_object_object_add(c, "keys", player_keys(s));
			json_object_array_add(fresh, c);
		}
	}
	PQclear(res);
	res = NULL;

	if (json_object_array_length(fresh)) {
		params[0] = json_object_to_json_string_ext(fresh, JSON_C_TO_STRING_PLAIN);
		params[1] = now;
		params[2] = window;
		params[3] = json_object_to_json_string_ext(taken, JSON_C_TO_STRING_PLAIN);
		res = db_exec(db, SQL_RELINK, 4, params);
		if (!res)
			goto out;
		for (i = 0; i < (size_t)PQntuples(res); i++) {
			const char *raw = PQgetvalue(res, (int)i, 0), *old = PQgetvalue(res, (int)i, 1);
			size_t k;
			if (in_strings(taken, old))
				continue; /* claimed by another game of this poll */
			for (k = 0; k < n; k++) {
				struct json_object *s = json_object_array_get_idx(sessions, k);
				if (strcmp(json_object_get_string(json_object_array_get_idx(raws, k)), raw))
					continue;
				json_object_object_add(s, "id", json_object_new_string(old));
				json_object_object_del(s, "revive_generation");
				break;
			}
			json_object_array_add(taken, json_object_new_string(old));
			json_object_array_add(reopen, json_object_new_string(old));
			add_link(*links, raw, old, "migrated", 1);
			stats->relinked++;
			log_info("session %s continues as %s (host migration)", old, raw);
		}
		PQclear(res);
		res = NULL;
	}
	/* the revived games that no recent session claimed */
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(sessions, i), *g;
		if (!json_object_object_get_ex(s, "revive_generation", &g))
			continue;
		add_link(*links, json_object_get_string(json_object_array_get_idx(raws, i)),
			 member(s, "id"), "revived", json_object_get_int(g));
		json_object_array_add(taken, json_object_new_string(member(s, "id")));
		json_object_object_del(s, "revive_generation");
		stats->revived++;
	}
	{
		if (json_object_array_length(reopen)) {
			params[0] = json_object_to_json_string_ext(reopen, JSON_C_TO_STRING_PLAIN);
			if (db_run(db, SQL_REOPEN, 1, params) < 0)
				goto out;
		}
	}
	ret = 0;
out:
	if (res)
		PQclear(res);
	if (ret < 0) {
		json_object_put(*links);
		*links = NULL;
	}
	json_object_put(raws);
	json_object_put(taken);
	json_object_put(fresh);
	json_object_put(reopen);
	return ret;
}

int bzcc_identity_record(struct db *db, struct json_object *links, int64_t now_ms)
{
	char now[24];
	const char *params[2];
	if (!links || !json_object_array_length(links))
		return 0;
	snprintf(now, sizeof now, "%lld", (long long)now_ms);
	params[0] = now;
	params[1] = json_object_to_json_string_ext(links, JSON_C_TO_STRING_PLAIN);
	return db_run(db, SQL_RECORD, 2, params);
}
