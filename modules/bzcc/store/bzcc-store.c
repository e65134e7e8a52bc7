/* bzcc-store.c: BZCC sessions in PostgreSQL and the cached view in Redis.
 *
 * A poll is written with a constant number (13) of set-based statements: the
 * normalized sessions travel as one jsonb parameter (the same view-model
 * objects the API serves) and PostgreSQL unpacks them with
 * jsonb_array_elements, so the cost per poll does not grow in round trips
 * with the number of sessions or players. */
#include "modules/bzcc/store/bzcc-store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "modules/bzcc/store/bzcc-enrich.h"
#include "modules/bzcc/store/bzcc-history.h"
#include "modules/bzcc/store/bzcc-identity.h"
#include "platform/assets/assets.h"
#include "platform/players/players.h"
#include "timeutil.h"

static const char SQL_UPSERT_SESSIONS[] =
	"INSERT INTO bzcc.sessions AS o (id, source, nat_id, guid_hex, name, map_file,"
	" map_key, mod_id, mods, version, game_type, game_mode, game_mode_name, state,"
	" state_since, nat_type, locked, has_password, player_count, max_players,"
	" first_seen_at, last_seen_at, ended_at, data)"
	" SELECT s->>'id', s->>'source', s->>'nat_id', s->>'guid', s->>'name',"
	"  s->'map'->>'file', s->'map'->>'key', s->'mod'->>'id',"
	"  ARRAY(SELECT jsonb_array_elements_text(s->'mod'->'ids')), s->>'version',"
	"  (s->'game_type'->>'code')::int, (s->'game_mode'->>'code')::int,"
	"  s->'game_mode'->>'name', s->>'state',"
	"  gw_ms($1::bigint) - make_interval(mins => coalesce((s->>'minutes_in_state')::int, 0)),"
	"  (s->'nat_type'->>'code')::int, (s->>'locked')::boolean,"
	"  (s->>'password')::boolean, (s->>'player_count')::int,"
	"  (s->>'max_players')::int, gw_ms($1::bigint), gw_ms($1::bigint), NULL, s"
	" FROM jsonb_array_elements($2::jsonb) AS s"
	" ON CONFLICT (id) DO UPDATE SET"
	/* a session relinked after host migration carries its new NAT id */
	"  nat_id = EXCLUDED.nat_id, guid_hex = EXCLUDED.guid_hex,"
	"  name = EXCLUDED.name, map_file = EXCLUDED.map_file, map_key = EXCLUDED.map_key,"
	"  mod_id = EXCLUDED.mod_id, mods = EXCLUDED.mods, version = EXCLUDED.version,"
	"  game_type = EXCLUDED.game_type, game_mode = EXCLUDED.game_mode,"
	"  game_mode_name = EXCLUDED.game_mode_name, state = EXCLUDED.state,"
	/* a session that stays in one state keeps the start time first derived
	 * (MSL does the same once gtm saturates at 255 minutes) */
	"  state_since = CASE WHEN o.state = EXCLUDED.state AND o.ended_at IS NULL"
	"   THEN o.state_since ELSE EXCLUDED.state_since END,"
	"  nat_type = EXCLUDED.nat_type, locked = EXCLUDED.locked,"
	"  has_password = EXCLUDED.has_password, player_count = EXCLUDED.player_count,"
	"  max_players = EXCLUDED.max_players,"
	"  last_seen_at = greatest(o.last_seen_at, EXCLUDED.last_seen_at),"
	"  ended_at = NULL, data = EXCLUDED.data";

static const char SQL_UPSERT_PLAYERS[] =
	"INSERT INTO bzcc.session_players AS o (session_id, player_key, name, provider,"
	" external_id, slot, team, leader, host, kills, deaths, score, first_seen_at,"
	" last_seen_at, left_at)"
	" SELECT DISTINCT ON (1, 2) s->>'id',"
	"  CASE WHEN p->>'platform_id' <> '' THEN p->>'platform_id'"
	"   ELSE 'pos:' || (p->>'position') END,"
	"  p->>'name', p->>'provider', p->>'external_id', (p->>'slot')::int,"
	"  (p->>'team')::int, (p->>'leader')::boolean, (p->>'host')::boolean,"
	"  (p->>'kills')::int, (p->>'deaths')::int, (p->>'score')::int,"
	"  gw_ms($1::bigint), gw_ms($1::bigint), NULL"
	" FROM jsonb_array_elements($2::jsonb) AS s,"
	"  jsonb_array_elements(s->'players') AS p"
	" ORDER BY 1, 2"
	" ON CONFLICT (session_id, player_key) DO UPDATE SET"
	"  name = EXCLUDED.name, provider = EXCLUDED.provider,"
	"  external_id = EXCLUDED.external_id, slot = EXCLUDED.slot, team = EXCLUDED.team,"
	"  leader = EXCLUDED.leader, host = EXCLUDED.host, kills = EXCLUDED.kills,"
	"  deaths = EXCLUDED.deaths, score = EXCLUDED.score,"
	"  last_seen_at = greatest(o.last_seen_at, EXCLUDED.last_seen_at), left_at = NULL";

static const char SQL_SNAPSHOTS[] =
	"INSERT INTO bzcc.session_snapshots (session_id, taken_at, state, player_count,"
	" max_players, minutes_in_state, map_key, mod_id, player_keys)"
	" SELECT s->>'id', gw_ms($1::bigint), s->>'state', (s->>'player_count')::int,"
	"  (s->>'max_players')::int, (s->>'minutes_in_state')::int, s->'map'->>'key',"
	"  s->'mod'->>'id',"
	"  ARRAY(SELECT CASE WHEN p->>'platform_id' <> '' THEN p->>'platform_id'"
	"   ELSE 'pos:' || (p->>'position') END FROM jsonb_array_elements(s->'players') p"
	"   WHERE NOT coalesce((p->>'bot')::boolean, false))"
	" FROM jsonb_array_elements($2::jsonb) AS s"
	" ON CONFLICT DO NOTHING";

static const char SQL_PLAYERS_LEFT[] =
	"UPDATE bzcc.session_players SET left_at = gw_ms($1::bigint)"
	" WHERE left_at IS NULL AND last_seen_at < gw_ms($1::bigint)";

/* A session ends at its last sighting (as player stays do), so a gap in
 * polling never stretches its duration. */
static const char SQL_SESSIONS_ENDED[] =
	"UPDATE bzcc.sessions SET ended_at = last_seen_at"
	" WHERE ended_at IS NULL AND last_seen_at < gw_ms($1::bigint)";

static const char SQL_MAPS[] =
	"INSERT INTO bzcc.maps AS o (map_key, map_file, mod_id, first_seen_at, last_seen_at)"
	" SELECT DISTINCT ON (s->'map'->>'key') s->'map'->>'key', s->'map'->>'file',"
	"  s->'mod'->>'id', gw_ms($1::bigint), gw_ms($1::bigint)"
	" FROM jsonb_array_elements($2::jsonb) AS s ORDER BY s->'map'->>'key'"
	" ON CONFLICT (map_key) DO UPDATE SET"
	"  last_seen_at = greatest(o.last_seen_at, EXCLUDED.last_seen_at)";

static const char SQL_MODS[] =
	"INSERT INTO bzcc.mods AS o (mod_id, first_seen_at, last_seen_at)"
	" SELECT DISTINCT m, gw_ms($1::bigint), gw_ms($1::bigint)"
	" FROM jsonb_array_elements($2::jsonb) AS s,"
	"  jsonb_array_elements_text(s->'mod'->'ids') AS m"
	" ON CONFLICT (mod_id) DO UPDATE SET"
	"  last_seen_at = greatest(o.last_seen_at, EXCLUDED.last_seen_at)";

static const char SQL_LINK_PLAYERS[] =
	"UPDATE bzcc.session_players sp SET player_id = x.player_id FROM identities x"
	" WHERE sp.left_at IS NULL AND sp.player_id IS NULL AND sp.provider <> ''"
	"  AND x.provider = sp.provider AND x.external_id = sp.external_id";

/* (player id, session id) pairs listed in this poll. */
#define PRESENT_PAIRS                                                        \
	"(SELECT DISTINCT x.player_id, s->>'id' AS session_id"                  \
	" FROM jsonb_array_elements($2::jsonb) AS s,"                          \
	"  jsonb_array_elements(s->'players') AS p"                            \
	" JOIN identities x ON x.provider = p->>'provider'"                    \
	"  AND x.external_id = p->>'external_id'"                              \
	" WHERE NOT coalesce((p->>'bot')::boolean, false))"

static const char SQL_INTERVALS_OPEN[] =
	"INSERT INTO bzcc.player_session_events (player_id, session_id, joined_at, last_seen_at)"
	" SELECT c.player_id, c.session_id, gw_ms($1::bigint), gw_ms($1::bigint)"
	" FROM " PRESENT_PAIRS " AS c"
	" WHERE NOT EXISTS (SELECT 1 FROM bzcc.player_session_events e"
	"  WHERE e.player_id = c.player_id AND e.session_id = c.session_id AND e.left_at IS NULL)"
	" ON CONFLICT DO NOTHING";

static const char SQL_INTERVALS_EXTEND[] =
	"UPDATE bzcc.player_session_events e SET last_seen_at = gw_ms($1::bigint)"
	" FROM " PRESENT_PAIRS " AS c"
	" WHERE e.left_at IS NULL AND e.player_id = c.player_id AND e.session_id = c.session_id";

/* Whoever was not listed this poll left at the last poll that listed them;
 * this also closes every interval of a session that ended. */
static const char SQL_INTERVALS_CLOSE[] =
	"UPDATE bzcc.player_session_events SET left_at = last_seen_at,"
	" seconds = extract(epoch FROM last_seen_at - joined_at)::int"
	" WHERE left_at IS NULL AND last_seen_at < gw_ms($1::bigint)";

static const char SQL_POLL_LOG[] =
	"INSERT INTO bzcc.polls (taken_at, source_url, kind, ok, error, sessions, players,"
	" skipped, bytes, duration_ms, hidden)"
	" VALUES (gw_ms($1::bigint), $2, $3, $4::boolean, $5, $6::int, $7::int, $8::int,"
	" $9::int, $10::int, $11::int)";

static int poll_log(struct db *db, int64_t now_ms, const char *url, const char *kind,
		    const char *error, int sessions, int players, int skipped,
		    size_t bytes, int64_t duration_ms, int hidden)
{
	char now[24], s[16], p[16], sk[16], b[24], d[24], h[16];
	const char *params[11];
	struct buf safe_url = BUF_INIT;
	int rc;
	/* never store credentials (userinfo, api_key= ...) of the lobby URL */
	http_url_redact(&safe_url, url);
	snprintf(now, sizeof now, "%lld", (long long)now_ms);
	snprintf(s, sizeof s, "%d", sessions);
	snprintf(p, sizeof p, "%d", players);
	snprintf(sk, sizeof sk, "%d", skipped);
	snprintf(b, sizeof b, "%zu", bytes > 2147483647u ? (size_t)2147483647u : bytes);
	snprintf(d, sizeof d, "%lld", (long long)duration_ms);
	snprintf(h, sizeof h, "%d", hidden);
	params[0] = now;
	params[1] = safe_url.data ? safe_url.data : "";
	params[2] = kind;
	params[3] = error ? "false" : "true";
	params[4] = error;
	params[5] = s;
	params[6] = p;
	params[7] = sk;
	params[8] = b;
	params[9] = d;
	params[10] = h;
	rc = db_run(db, SQL_POLL_LOG, 11, params);
	buf_release(&safe_url);
	return rc;
}

/* The Steam and GOG accounts listed in `sessions` (view models), in
 * order, as players_seen() takes them. */
static struct json_object *seen_accounts(struct json_object *sessions)
{
	struct json_object *out = json_object_new_array(), *players;
	size_t i, j;
	for (i = 0; i < json_object_array_length(sessions); i++) {
		if (!json_object_object_get_ex(json_object_array_get_idx(sessions, i), "players",
					       &players))
			continue;
		for (j = 0; j < json_object_array_length(players); j++) {
			struct json_object *p = json_object_array_get_idx(players, j), *a, *v;
			const char *prov = NULL, *ext = NULL;
			if (json_object_object_get_ex(p, "provider", &v))
				prov = json_object_get_string(v);
			if (json_object_object_get_ex(p, "external_id", &v))
				ext = json_object_get_string(v);
			if (!prov || (strcmp(prov, "steam") && strcmp(prov, "gog")) || !ext || !*ext)
				continue;
			if (json_object_object_get_ex(p, "bot", &v) && json_object_get_boolean(v))
				continue; /* a dedicated-server bot is not a player */
			a = json_object_new_object();
			json_object_object_add(a, "provider", json_object_new_string(prov));
			json_object_object_add(a, "external_id", json_object_new_string(ext));
			json_object_object_add(a, "name", json_object_object_get_ex(p, "name", &v)
					       ? json_object_get(v) : NULL);
			json_object_array_add(out, a);
		}
	}
	return out;
}

static const char *str_member(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

int bzcc_store_poll(struct db *db, const struct bzcc_lobby *lobby, int64_t now_ms,
		    const char *source_url, size_t bytes, int64_t duration_ms,
		    const struct bzcc_poll_opts *opts, struct bzcc_poll_stats *stats)
{
	struct json_object *raw = json_object_new_array(), *arr = json_object_new_array();
	struct json_object *accounts = NULL, *links = NULL;
	struct bzcc_identity_stats ids;
	const char *params[2];
	char now[24];
	PGresult *res;
	size_t i, j;
	int ret = -1;

	memset(stats, 0, sizeof *stats);
	for (i = 0; i < lobby->n_sessions; i++) {
		const struct bzcc_session *s = &lobby->sessions[i];
		int dup = 0;
		/* one GUID listed twice would make the upsert touch a row twice */
		for (j = 0; j < i && !dup; j++)
			dup = !strcmp(lobby->sessions[j].id, s->id);
		if (dup) {
			stats->duplicates++;
			continue;
		}
		json_object_array_add(raw, bzcc_session_to_json(s));
	}
	snprintf(now, sizeof now, "%lld", (long long)now_ms);
	params[0] = now;

	if (db_begin(db) < 0)
		goto out;
	/* which stored session each game is: relinked after host migration,
	 * revived after a long gap (bzcc-identity.h) */
	if (bzcc_identity_resolve(db, raw, now_ms, opts ? &opts->identity : NULL, &links,
				  &ids) < 0)
		goto rollback;
	stats->relinked = ids.relinked;
	stats->revived = ids.revived;
	for (i = 0; i < json_object_array_length(raw); i++) {
		struct json_object *s = json_object_array_get_idx(raw, i), *v;
		const char *id = str_member(s, "id");
		int dup = 0;
		for (j = 0; j < json_object_array_length(arr) && !dup; j++)
			dup = !strcmp(str_member(json_object_array_get_idx(arr, j), "id"), id);
		if (dup) {
			stats->duplicates++;
			continue;
		}
		json_object_array_add(arr, json_object_get(s));
		stats->sessions++;
		if (json_object_object_get_ex(s, "player_count", &v))
			stats->players += json_object_get_int(v);
	}
	params[1] = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN);
	accounts = seen_accounts(arr);

	if (db_run(db, SQL_UPSERT_SESSIONS, 2, params) < 0 ||
	    bzcc_identity_record(db, links, now_ms) < 0 ||
	    db_run(db, SQL_UPSERT_PLAYERS, 2, params) < 0 ||
	    db_run(db, SQL_SNAPSHOTS, 2, params) < 0 ||
	    db_run(db, SQL_PLAYERS_LEFT, 1, params) < 0 ||
	    db_run(db, SQL_MAPS, 2, params) < 0 ||
	    db_run(db, SQL_MODS, 2, params) < 0 ||
	    players_seen(db, now_ms, accounts) < 0 ||
	    db_run(db, SQL_LINK_PLAYERS, 0, NULL) < 0 ||
	    db_run(db, SQL_INTERVALS_OPEN, 2, params) < 0 ||
	    db_run(db, SQL_INTERVALS_EXTEND, 2, params) < 0 ||
	    db_run(db, SQL_INTERVALS_CLOSE, 1, params) < 0 ||
	    bzcc_enrich_store_msl(db, lobby->meta, now_ms) < 0)
		goto rollback;
	res = db_exec(db, SQL_SESSIONS_ENDED, 1, params);
	if (!res)
		goto rollback;
	stats->ended = atoi(PQcmdTuples(res));
	PQclear(res);
	if (poll_log(db, now_ms, source_url,
		     opts && opts->kind ? opts->kind
		     : lobby->kind == BZCC_KIND_MSL_V1 ? "msl-v1" : "raknet", NULL,
		     stats->sessions, stats->players,
		     (int)lobby->skipped + stats->duplicates, bytes, duration_ms,
		     (int)lobby->hidden) < 0)
		goto rollback;
	if (db_commit(db) < 0)
		goto rollback;
	ret = 0;
	goto out;
rollback:
	db_rollback(db);
out:
	if (accounts)
		json_object_put(accounts);
	if (links)
		json_object_put(links);
	json_object_put(arr);
	json_object_put(raw);
	return ret;
}

int bzcc_store_rejected(struct db *db, int64_t now_ms, const char *source_url,
			const char *error, size_t bytes, int64_t duration_ms)
{
	return poll_log(db, now_ms, source_url, NULL, error ? error : "unknown error",
			0, 0, 0, bytes, duration_ms, 0);
}

/* Run a query whose single row and column is JSON text; parse it. */
static struct json_object *query_json(struct db *db, const char *sql, int n,
				      const char *const *params, int *rows)
{
	PGresult *res = db_exec(db, sql, n, params);
	struct json_object *o = NULL;
	if (rows)
		*rows = -1;
	if (!res)
		return NULL;
	if (rows)
		*rows = PQntuples(res);
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		o = json_tokener_parse(PQgetvalue(res, 0, 0));
		if (!o)
			log_error("database returned invalid JSON");
	}
	PQclear(res);
	return o;
}

struct json_object *bzcc_store_poll_status(struct db *db)
{
	static const char sql[] =
		"WITH ls AS (SELECT max(taken_at) AS t FROM bzcc.polls WHERE ok),"
		" la AS (SELECT taken_at, source_url FROM bzcc.polls ORDER BY id DESC LIMIT 1),"
		" le AS (SELECT error FROM bzcc.polls WHERE NOT ok ORDER BY id DESC LIMIT 1)"
		" SELECT json_build_object("
		"  'last_success_at', gw_iso((SELECT t FROM ls)),"
		"  'last_success_ms', (extract(epoch FROM (SELECT t FROM ls)) * 1000)::bigint,"
		"  'last_attempt_at', gw_iso((SELECT taken_at FROM la)),"
		"  'source_url', (SELECT source_url FROM la),"
		"  'consecutive_failures', (SELECT count(*) FROM bzcc.polls"
		"     WHERE NOT ok AND taken_at > coalesce((SELECT t FROM ls), '-infinity')),"
		"  'last_error', (SELECT error FROM le),"
		"  'rejected_total', (SELECT count(*) FROM bzcc.polls WHERE NOT ok),"
		/* every source read in the last 10 minutes of attempts */
		"  'sources', (SELECT coalesce(json_agg(json_build_object('name', name, 'url', url,"
		"     'status', status, 'last_success_at', gw_iso(last_success_at),"
		"     'last_attempt_at', gw_iso(last_attempt_at), 'last_error', last_error,"
		"     'consecutive_failures', consecutive_failures,"
		"     'upstream_updated_at', gw_iso(upstream_updated_at), 'sessions', sessions)"
		"    ORDER BY name = 'raknet' DESC, name), '[]'::json) FROM bzcc.poll_sources"
		"   WHERE last_attempt_at >= (SELECT max(last_attempt_at) FROM bzcc.poll_sources)"
		"    - interval '10 minutes'))";
	struct json_object *st = query_json(db, sql, 0, NULL, NULL), *url;
	/* rows written before URLs were redacted on the way in are redacted
	 * on the way out */
	if (st && json_object_object_get_ex(st, "source_url", &url) &&
	    json_object_is_type(url, json_type_string)) {
		struct buf safe = BUF_INIT;
		http_url_redact(&safe, json_object_get_string(url));
		json_object_object_add(st, "source_url",
				       json_object_new_string(safe.data ? safe.data : ""));
		buf_release(&safe);
	}
	return st;
}

/* The stored view model of a session plus its database timestamps. */
#define SESSION_DOC_SQL                                                      \
	"(s.data || jsonb_build_object('state_since', gw_iso(s.state_since),"  \
	" 'first_seen_at', gw_iso(s.first_seen_at),"                            \
	" 'last_seen_at', gw_iso(s.last_seen_at),"                              \
	" 'ended_at', gw_iso(s.ended_at)))"

struct json_object *bzcc_store_current_doc(struct db *db, int64_t now_ms)
{
	/* names and mirrored pictures joined in (sql/004-enrichment.sql);
	 * $1 = ASSETS_CDN_BASE, the only prefix picture URLs ever get */
	static const char sql[] =
		"SELECT json_build_object("
		" 'totals', json_build_object('sessions', count(*),"
		"   'players', coalesce(sum(s.player_count), 0)),"
		" 'sessions', coalesce(jsonb_agg(bzcc.enrich_session(" SESSION_DOC_SQL ", $1)"
		"   ORDER BY s.player_count DESC, s.name, s.id), '[]'::jsonb))"
		" FROM bzcc.sessions s WHERE s.ended_at IS NULL";
	const char *params[] = { assets_cdn_base() };
	struct json_object *doc, *poll;
	char when[32];

	doc = query_json(db, sql, 1, params, NULL);
	if (!doc)
		return NULL;
	poll = bzcc_store_poll_status(db);
	if (!poll) {
		json_object_put(doc);
		return NULL;
	}
	json_object_object_add(doc, "generated_at",
			       json_object_new_string(time_iso8601(now_ms, when, sizeof when)));
	json_object_object_add(doc, "poll", poll);
	return doc;
}

struct json_object *bzcc_store_session(struct db *db, const char *id, int *found)
{
	/* enrichment joined in as for the current document ($2 =
	 * ASSETS_CDN_BASE), plus the map description and roster avatars */
	static const char sql[] =
		"SELECT bzcc.enrich_session(" SESSION_DOC_SQL ", $2)"
		" || jsonb_build_object('map_description', (SELECT coalesce(mi.description,"
		"   ms.description) FROM (SELECT 1) one"
		"   LEFT JOIN bzcc.map_info mi ON mi.map_key = s.map_key AND mi.found"
		"   LEFT JOIN bzcc.map_seed ms ON ms.file_lower = lower(s.map_file)))"
		" || jsonb_build_object('roster', coalesce(("
		"  SELECT jsonb_agg(jsonb_build_object('player_key', p.player_key,"
		"   'name', p.name, 'provider', p.provider, 'external_id', p.external_id,"
		"   'slot', p.slot, 'team', p.team, 'leader', p.leader, 'host', p.host,"
		"   'kills', p.kills, 'deaths', p.deaths, 'score', p.score,"
		"   'first_seen_at', gw_iso(p.first_seen_at),"
		"   'last_seen_at', gw_iso(p.last_seen_at), 'left_at', gw_iso(p.left_at),"
		"   'avatar_url', CASE WHEN p.provider IN ('steam', 'gog') THEN"
		"    gw_asset_url('avatar', p.provider || ':' || p.external_id, $2) END)"
		"   ORDER BY p.left_at IS NOT NULL, p.slot, p.first_seen_at)"
		"  FROM bzcc.session_players p WHERE p.session_id = s.id), '[]'::jsonb))"
		/* the NAT ids that continued it after host migration */
		" || jsonb_build_object('links', coalesce((SELECT jsonb_agg(jsonb_build_object("
		"   'id', l.raw_id, 'reason', l.reason, 'linked_at', gw_iso(l.linked_at))"
		"   ORDER BY l.linked_at, l.raw_id) FROM bzcc.session_links l"
		"  WHERE l.session_id = s.id AND l.raw_id <> s.id), '[]'::jsonb))"
		" FROM bzcc.sessions s WHERE s.id = $1";
	const char *params[] = { id, assets_cdn_base() };
	int rows;
	struct json_object *o = query_json(db, sql, 2, params, &rows);
	*found = rows < 0 ? -1 : (o ? 1 : 0);
	return o;
}

struct json_object *bzcc_store_summary(struct db *db, int64_t now_ms, int minutes)
{
	/* Minutes before the first poll the rollup has not counted ($3) come
	 * from bzcc.polls_minutely (its per-minute counts), the rest from
	 * bzcc.polls, so a week reads ~10 000 rows, not ~120 000. The bounds
	 * are written out, not joined from a CTE: the planner then sees the
	 * range (joined, it guessed a third of the table and switched on JIT,
	 * 250 ms a request on a year of polls, bench/history/EXPLAIN.md). */
	static const char sql[] =
		"WITH per_min AS ("
		"  SELECT minute AS m, polls, ok_polls, sessions, players FROM bzcc.polls_minutely"
		"  WHERE minute >= date_trunc('minute', gw_ms($1::bigint)) - make_interval(mins => $2::int - 1)"
		"   AND minute < least(date_trunc('minute', gw_ms($1::bigint)) + interval '1 minute',"
		"    date_trunc('minute', coalesce($3::timestamptz, 'infinity')))"
		"  UNION ALL"
		"  SELECT date_trunc('minute', taken_at), count(*), count(*) FILTER (WHERE ok),"
		"   max(sessions) FILTER (WHERE ok), max(players) FILTER (WHERE ok)"
		"  FROM bzcc.polls"
		"  WHERE taken_at >= greatest(date_trunc('minute', gw_ms($1::bigint))"
		"    - make_interval(mins => $2::int - 1),"
		"    date_trunc('minute', coalesce($3::timestamptz, 'infinity')))"
		"   AND taken_at < date_trunc('minute', gw_ms($1::bigint)) + interval '1 minute'"
		"  GROUP BY 1)"
		" SELECT json_build_object('minutes', $2::int,"
		"  'from', gw_iso(date_trunc('minute', gw_ms($1::bigint)) - make_interval(mins => $2::int - 1)),"
		"  'to', gw_iso(date_trunc('minute', gw_ms($1::bigint)) + interval '1 minute'),"
		"  'points', json_agg(json_build_object('minute', gw_iso(g.m),"
		"    'polls', coalesce(p.polls, 0), 'successful_polls', coalesce(p.ok_polls, 0),"
		"    'sessions', p.sessions, 'players', p.players) ORDER BY g.m))"
		" FROM generate_series(date_trunc('minute', gw_ms($1::bigint)) - make_interval(mins => $2::int - 1),"
		"  date_trunc('minute', gw_ms($1::bigint)), interval '1 minute') AS g(m)"
		" LEFT JOIN per_min p ON p.m = g.m";
	char now[24], mins[16], since[48];
	const char *params[] = { now, mins, since };
	if (bzcc_history_unrolled_since(db, since, sizeof since) < 0)
		return NULL;
	if (!since[0])
		params[2] = NULL; /* the rollup has counted every poll */
	snprintf(now, sizeof now, "%lld", (long long)now_ms);
	snprintf(mins, sizeof mins, "%d", minutes);
	return query_json(db, sql, 3, params, NULL);
}

/* A random starting point for gw:bzcc:version in [2^40, 2^52): unique
 * with overwhelming probability, and small enough that JavaScript clients
 * reading {"version": N} get it exactly. */
static long long version_seed(void)
{
	uint64_t r = 0;
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (uint64_t)time_now_ms() * 2654435761u ^ (uint64_t)getpid();
	return (long long)((1ULL << 40) + r % ((1ULL << 52) - (1ULL << 40)));
}

long long bzcc_cache_put(struct kv *kv, struct json_object *doc)
{
	size_t len;
	const char *s = json_object_to_json_string_length(doc, JSON_C_TO_STRING_PLAIN, &len);
	const char *set[] = { "SET", BZCC_KEY_CURRENT, s };
	size_t setl[] = { 3, sizeof BZCC_KEY_CURRENT - 1, len };
	const char *incr[] = { "INCR", BZCC_KEY_VERSION };
	redisReply *r;
	long long version;
	char msg[96];
	const char *pub[] = { "PUBLISH", BZCC_CHANNEL, msg };

	char seed[32];
	const char *seed_argv[] = { "SET", BZCC_KEY_VERSION, seed, "NX" };

	r = kv_cmd(kv, 3, set, setl);
	if (!r || r->type == REDIS_REPLY_ERROR) {
		if (r)
			freeReplyObject(r);
		return -1;
	}
	freeReplyObject(r);
	/* A counter that Redis lost (restart without persistence, FLUSHALL)
	 * restarts at a random point, not at 1: versions, and the ETags made
	 * of them, never name older content again. */
	snprintf(seed, sizeof seed, "%lld", version_seed());
	r = kv_cmd(kv, 4, seed_argv, NULL);
	if (!r || r->type == REDIS_REPLY_ERROR) {
		if (r)
			freeReplyObject(r);
		return -1;
	}
	freeReplyObject(r);
	r = kv_cmd(kv, 2, incr, NULL);
	if (!r || r->type != REDIS_REPLY_INTEGER) {
		if (r)
			freeReplyObject(r);
		return -1;
	}
	version = r->integer;
	freeReplyObject(r);
	snprintf(msg, sizeof msg, "{\"type\":\"lobby\",\"version\":%lld}", version);
	r = kv_cmd(kv, 3, pub, NULL);
	if (r)
		freeReplyObject(r);
	return version;
}

long long bzcc_cache_refresh(struct db *db, struct kv *kv, int64_t now_ms)
{
	struct json_object *doc;
	long long v = 0;
	char ms[24];
	const char *params[] = { ms };
	if (kv_enabled(kv)) {
		doc = bzcc_store_current_doc(db, now_ms);
		if (!doc)
			return -1;
		v = bzcc_cache_put(kv, doc);
		json_object_put(doc);
	}
	/* delivered at once (no transaction is open here) */
	snprintf(ms, sizeof ms, "%lld", (long long)now_ms);
	if (db_run(db, "SELECT pg_notify('" BZCC_PG_CHANNEL "', $1)", 1, params) < 0)
		return -1;
	return v;
}
