/* bzcc-accounts.c: the Team Picker's rows, presence, profiles, curation
 * facts and admin browsers of BZCC (bzcc-accounts.h). */
#include "modules/bzcc/store/bzcc-accounts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static struct json_object *query_one(struct db *db, const char *sql, int n,
				     const char *const *params, int *found)
{
	PGresult *res = db_exec(db, sql, n, params);
	struct json_object *o = NULL;
	if (found)
		*found = -1;
	if (!res)
		return NULL;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		o = json_tokener_parse(PQgetvalue(res, 0, 0));
	if (found)
		*found = o ? 1 : (PQntuples(res) == 0 || PQgetisnull(res, 0, 0)) ? 0 : -1;
	PQclear(res);
	return o;
}

/* ---- Team Picker ------------------------------------------------------------ */

int bzcc_picker_lobby(struct db *db, const char *id, struct tp_lobby *out, bool *live)
{
	const char *params[1] = { id };
	PGresult *res = db_exec(db,
		"SELECT s.ended_at IS NULL, p.provider, p.external_id, p.name, p.team, p.leader"
		" FROM bzcc.sessions s LEFT JOIN bzcc.session_players p ON p.session_id = s.id"
		"  AND p.left_at IS NULL AND p.provider IN ('steam', 'gog') AND p.external_id <> ''"
		" WHERE s.id = $1 ORDER BY p.slot, p.player_key", 1, params);
	int i, n;
	memset(out, 0, sizeof *out);
	*live = false;
	if (!res)
		return -1;
	n = PQntuples(res);
	if (!n) {
		PQclear(res);
		return 0;
	}
	*live = PQgetvalue(res, 0, 0)[0] == 't';
	for (i = 0; i < n && out->n < TP_MAX_PLAYERS; i++) {
		struct tp_player *p;
		if (PQgetisnull(res, i, 1))
			continue;
		p = &out->p[out->n++];
		snprintf(p->id, sizeof p->id, "%s:%s", PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
		snprintf(p->name, sizeof p->name, "%s", PQgetvalue(res, i, 3));
		p->team = atoi(PQgetvalue(res, i, 4));
		p->leader = PQgetvalue(res, i, 5)[0] == 't';
	}
	PQclear(res);
	return 1;
}

int bzcc_picker_load(struct db *db, const char *id, bool lock, struct tp_state *s,
		     int64_t *pick_id, struct json_object **meta)
{
	const char *params[1] = { id };
	char pid[24];
	const char *pp[1] = { pid };
	PGresult *res;
	int i;

	memset(s, 0, sizeof *s);
	*pick_id = 0;
	if (meta)
		*meta = NULL;
	if (lock && db_run(db, "SELECT pg_advisory_xact_lock(hashtext('bzcc.team_picker:' || $1))",
			   1, params) < 0)
		return -1;
	res = db_exec(db, "SELECT id, state, commander1, commander2, coin_winner_team,"
			  " accepted1, accepted2 FROM bzcc.team_pick_sessions"
			  " WHERE session_id = $1 ORDER BY id DESC LIMIT 1", 1, params);
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	*pick_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	{
		const char *st = PQgetvalue(res, 0, 1);
		bool tossed = !PQgetisnull(res, 0, 4);
		s->phase = !strcmp(st, "final") ? TP_FINAL : !strcmp(st, "canceled") ? TP_CANCELED
			   : tossed ? TP_PICKING : TP_TOSS;
		snprintf(s->commander[1], TP_ID_MAX, "%s", PQgetvalue(res, 0, 2));
		snprintf(s->commander[2], TP_ID_MAX, "%s", PQgetvalue(res, 0, 3));
		s->first_team = tossed ? atoi(PQgetvalue(res, 0, 4)) : 0;
		s->accepted[1] = PQgetvalue(res, 0, 5)[0] == 't';
		s->accepted[2] = PQgetvalue(res, 0, 6)[0] == 't';
	}
	PQclear(res);
	snprintf(pid, sizeof pid, "%" PRId64, *pick_id);
	res = db_exec(db, "SELECT player_id, team_id FROM bzcc.team_pick_picks"
			  " WHERE pick_session_id = $1 ORDER BY order_index", 1, pp);
	if (!res)
		return -1;
	for (i = 0; i < PQntuples(res) && s->n_picks < TP_MAX_PLAYERS; i++) {
		snprintf(s->picks[s->n_picks].id, TP_ID_MAX, "%s", PQgetvalue(res, i, 0));
		s->picks[s->n_picks++].team = atoi(PQgetvalue(res, i, 1));
	}
	PQclear(res);
	if (meta) {
		int found;
		*meta = query_one(db,
			"SELECT json_build_object('id', t.id, 'created_at', gw_iso(t.created_at),"
			" 'tossed_at', gw_iso(t.tossed_at), 'closed_at', gw_iso(t.closed_at),"
			" 'picks', (SELECT coalesce(json_agg(json_build_object('order', k.order_index,"
			"   'team', k.team_id, 'player_id', k.player_id, 'name', k.player_name,"
			"   'picked_at', gw_iso(k.picked_at)) ORDER BY k.order_index), '[]')"
			"   FROM bzcc.team_pick_picks k WHERE k.pick_session_id = t.id))"
			" FROM bzcc.team_pick_sessions t WHERE t.id = $1", 1, pp, &found);
		if (found < 0)
			return -1;
	}
	return 0;
}

static const char *state_text(enum tp_phase p)
{
	return p == TP_FINAL ? "final" : p == TP_CANCELED ? "canceled" : "open";
}

int bzcc_picker_save(struct db *db, const char *id, int64_t *pick_id,
		     enum bzcc_picker_action action, const struct tp_state *after,
		     const struct tp_lobby *lobby, int64_t user_id, int team)
{
	char pid[24], uid[24], tm[8], ord[16];
	const char *role = team == 1 ? "commander1" : "commander2";

	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	if (action == BZCC_TP_START) {
		const char *p1[1] = { id };
		const char *p4[4] = { id, after->commander[1], after->commander[2], uid };
		PGresult *res;
		if (db_run(db, "UPDATE bzcc.team_pick_sessions SET state = 'canceled', closed_at = now()"
			       " WHERE session_id = $1 AND state = 'open'", 1, p1) < 0)
			return -1;
		res = db_exec(db, "INSERT INTO bzcc.team_pick_sessions (session_id, state, commander1,"
				  " commander2, created_by_user_id) VALUES ($1, 'open', $2, $3, $4)"
				  " RETURNING id", 4, p4);
		if (!res)
			return -1;
		*pick_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
	}
	snprintf(pid, sizeof pid, "%" PRId64, *pick_id);
	switch (action) {
	case BZCC_TP_START:
		break;
	case BZCC_TP_TOSS: {
		const char *p[2] = { pid, tm };
		snprintf(tm, sizeof tm, "%d", after->first_team);
		if (db_run(db, "UPDATE bzcc.team_pick_sessions SET coin_winner_team = $2::int,"
			       " tossed_at = now() WHERE id = $1", 2, p) < 0)
			return -1;
		break;
	}
	case BZCC_TP_PICK: {
		const struct tp_pick *k = &after->picks[after->n_picks - 1];
		const struct tp_player *pl = tp_lobby_find(lobby, k->id);
		const char *p[6] = { pid, ord, tm, k->id, pl ? pl->name : k->id, uid };
		snprintf(ord, sizeof ord, "%d", after->n_picks - 1);
		snprintf(tm, sizeof tm, "%d", k->team);
		if (db_run(db, "INSERT INTO bzcc.team_pick_picks (pick_session_id, order_index, team_id,"
			       " player_id, player_name, picked_by_user_id) VALUES ($1, $2, $3, $4, $5, $6)",
			   6, p) < 0 ||
		    db_run(db, "UPDATE bzcc.team_pick_sessions SET accepted1 = false, accepted2 = false"
			       " WHERE id = $1", 1, p) < 0)
			return -1;
		break;
	}
	case BZCC_TP_FINALIZE:
	case BZCC_TP_CANCEL: {
		const char *p[4] = { pid, state_text(after->phase), after->accepted[1] ? "t" : "f",
				     after->accepted[2] ? "t" : "f" };
		if (db_run(db, "UPDATE bzcc.team_pick_sessions SET state = $2, accepted1 = $3::boolean,"
			       " accepted2 = $4::boolean,"
			       " closed_at = CASE WHEN $2 = 'open' THEN NULL ELSE now() END WHERE id = $1",
			   4, p) < 0)
			return -1;
		break;
	}
	}
	{
		const char *p[3] = { pid, uid, role };
		if (db_run(db, "INSERT INTO bzcc.team_pick_participants (pick_session_id, user_id, role)"
			       " VALUES ($1, $2, $3) ON CONFLICT (pick_session_id, user_id) DO UPDATE"
			       " SET role = EXCLUDED.role", 3, p) < 0)
			return -1;
	}
	return 0;
}

int bzcc_user_player_ids(struct db *db, int64_t user_id, const char *provider,
			 char (*ids)[TP_ID_MAX], int max)
{
	char uid[24];
	const char *params[2] = { uid, provider };
	PGresult *res;
	int i, n = 0;
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	res = db_exec(db, "SELECT provider || ':' || external_id FROM user_identities"
			  " WHERE user_id = $1 AND provider = $2 ORDER BY id", 2, params);
	if (!res)
		return -1;
	for (i = 0; i < PQntuples(res) && n < max; i++)
		snprintf(ids[n++], TP_ID_MAX, "%s", PQgetvalue(res, i, 0));
	PQclear(res);
	return n;
}

/* ---- presence, profiles -------------------------------------------------------- */

struct json_object *bzcc_presence_in_game(struct db *db)
{
	return query_one(db,
		"WITH v AS (SELECT sp.session_id, sp.slot, u.id AS user_id, u.name AS user_name,"
		"   sp.name AS player_name, sp.provider || ':' || sp.external_id AS player_id,"
		"   sp.team, sp.leader"
		"  FROM bzcc.session_players sp"
		"  JOIN bzcc.sessions s ON s.id = sp.session_id AND s.ended_at IS NULL"
		"  JOIN user_identities i ON i.provider = sp.provider AND i.external_id = sp.external_id"
		"  JOIN users u ON u.id = i.user_id AND u.banned_at IS NULL"
		"  WHERE sp.left_at IS NULL AND sp.provider IN ('steam', 'gog'))"
		" SELECT json_build_object('players', (SELECT count(*) FROM v),"
		"  'sessions', coalesce((SELECT json_object_agg(g.session_id, g.players ORDER BY g.session_id)"
		"   FROM (SELECT session_id, json_agg(json_build_object('user_id', user_id,"
		"     'name', user_name, 'profile_url', '/users/' || user_id, 'player_name', player_name,"
		"     'player_id', player_id, 'team', team, 'leader', leader) ORDER BY slot, player_id)"
		"     AS players FROM v GROUP BY session_id) g), '{}'::json))", 0, NULL, NULL);
}

struct json_object *bzcc_recent_sessions_of(struct db *db, struct json_object *identities)
{
	const char *params[1] = { json_object_to_json_string_ext(identities, JSON_C_TO_STRING_PLAIN) };
	return query_one(db,
		"SELECT coalesce(json_agg(json_build_object('id', r.id, 'name', r.name,"
		"  'map_file', r.map_file, 'last_seen_at', gw_iso(r.seen), 'ended_at', gw_iso(r.ended_at))"
		"  ORDER BY r.seen DESC), '[]')"
		" FROM (SELECT s.id, s.name, s.map_file, s.ended_at, max(sp.last_seen_at) AS seen"
		"  FROM json_array_elements($1::json) x"
		"  JOIN bzcc.session_players sp ON sp.provider = x->>'provider'"
		"   AND sp.external_id = x->>'external_id'"
		"  JOIN bzcc.sessions s ON s.id = sp.session_id"
		"  GROUP BY s.id ORDER BY seen DESC LIMIT 10) r", 1, params, NULL);
}

/* ---- curation facts ------------------------------------------------------------- */

struct json_object *bzcc_map_facts(struct db *db, const char *key, const char *cdn, int *found)
{
	const char *params[2] = { key, cdn };
	return query_one(db,
		"SELECT json_build_object("
		" 'label', coalesce(bzcc.curated('map', m.map_key, 'title'), mi.title, mm.title, ms.name,"
		"   m.map_file),"
		" 'fields', json_build_object("
		"   'title', coalesce(bzcc.curated('map', m.map_key, 'title'), mi.title, mm.title, ms.name),"
		"   'description', bzcc.curated('map', m.map_key, 'description')),"
		" 'description_html', coalesce(mi.description, mm.description, ms.description),"
		" 'curated', EXISTS (SELECT 1 FROM curated_facts c WHERE c.module = 'bzcc'"
		"   AND c.entity_kind = 'map' AND c.entity_key = m.map_key),"
		" 'author', ms.author,"
		" 'image_url', gw_asset_url('map', m.map_key, $2))"
		" FROM bzcc.maps m"
		" LEFT JOIN bzcc.map_info mi ON mi.map_key = m.map_key AND mi.found"
		" LEFT JOIN bzcc.map_msl mm ON mm.map_key = m.map_key"
		" LEFT JOIN bzcc.map_seed ms ON ms.file_lower = lower(m.map_file)"
		" WHERE m.map_key = $1", 2, params, found);
}

struct json_object *bzcc_mod_facts(struct db *db, const char *id, const char *cdn, int *found)
{
	const char *params[2] = { id, cdn };
	return query_one(db,
		"SELECT json_build_object('label', coalesce(bzcc.mod_display_name(m.mod_id), m.mod_id),"
		" 'fields', json_build_object('name', bzcc.mod_display_name(m.mod_id)),"
		" 'image_url', gw_asset_url('mod', m.mod_id, $2))"
		" FROM bzcc.mods m WHERE m.mod_id = $1", 2, params, found);
}

/* ---- admin browsers -------------------------------------------------------------- */

struct json_object *bzcc_admin_sessions(struct db *db, const char *state, const char *map_key,
					const char *mod_id, const char *q, bool live_only,
					int offset, int limit)
{
	char o[16], l[16];
	const char *params[7] = { state, map_key, mod_id, q, live_only ? "t" : "f", o, l };
	snprintf(o, sizeof o, "%d", offset);
	snprintf(l, sizeof l, "%d", limit);
	return query_one(db,
		"WITH m AS (SELECT * FROM bzcc.sessions s WHERE ($1::text IS NULL OR s.state = $1)"
		"  AND ($2::text IS NULL OR s.map_key = $2) AND ($3::text IS NULL OR s.mod_id = $3)"
		"  AND ($4::text IS NULL OR strpos(lower(s.name), lower($4)) > 0)"
		"  AND (NOT $5::boolean OR s.ended_at IS NULL))"
		" SELECT json_build_object('total', (SELECT count(*) FROM m),"
		"  'sessions', (SELECT coalesce(json_agg(json_build_object('id', p.id, 'name', p.name,"
		"   'state', p.state, 'map_key', p.map_key, 'mod_id', p.mod_id,"
		"   'player_count', p.player_count, 'first_seen_at', gw_iso(p.first_seen_at),"
		"   'last_seen_at', gw_iso(p.last_seen_at), 'ended_at', gw_iso(p.ended_at))"
		"   ORDER BY p.first_seen_at DESC, p.id DESC), '[]')"
		"   FROM (SELECT * FROM m ORDER BY first_seen_at DESC, id DESC"
		"    OFFSET $6::int LIMIT $7::int) p))", 7, params, NULL);
}

struct json_object *bzcc_admin_snapshots(struct db *db, const char *session_id, int64_t from_ms,
					 int64_t to_ms, int offset, int limit)
{
	char f[24], t[24], o[16], l[16];
	const char *params[5] = { session_id, f, t, o, l };
	snprintf(f, sizeof f, "%" PRId64, from_ms);
	snprintf(t, sizeof t, "%" PRId64, to_ms);
	snprintf(o, sizeof o, "%d", offset);
	snprintf(l, sizeof l, "%d", limit);
	return query_one(db,
		"WITH p AS (SELECT * FROM bzcc.session_snapshots"
		"  WHERE ($1::text IS NULL OR session_id = $1)"
		"  AND ($2::bigint = 0 OR taken_at >= gw_ms($2::bigint))"
		"  AND ($3::bigint = 0 OR taken_at < gw_ms($3::bigint))"
		"  ORDER BY taken_at DESC, session_id OFFSET $4::int LIMIT $5::int + 1)"
		" SELECT json_build_object('more', (SELECT count(*) FROM p) > $5::int,"
		"  'snapshots', (SELECT coalesce(json_agg(json_build_object('session_id', x.session_id,"
		"   'taken_at', gw_iso(x.taken_at), 'state', x.state, 'player_count', x.player_count,"
		"   'max_players', x.max_players, 'map_key', x.map_key, 'mod_id', x.mod_id,"
		"   'player_keys', x.player_keys) ORDER BY x.taken_at DESC, x.session_id), '[]')"
		"   FROM (SELECT * FROM p ORDER BY taken_at DESC, session_id LIMIT $5::int) x))",
		5, params, NULL);
}
