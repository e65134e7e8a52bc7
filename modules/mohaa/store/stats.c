/* stats.c: the reads of the MOHAA pages and JSON (stats.h). */
#include "modules/mohaa/store/stats.h"

#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "db.h"

/* Run a query of one row and one json column: the document, or NULL with
 * *status 404 (no row, or a NULL value) or 503 (query failed). */
static struct json_object *doc(struct db *db, const char *sql, int n, const char *const *params,
			       int *status)
{
	PGresult *res = db_exec(db, sql, n, params);
	struct json_object *out = NULL;
	if (!res) {
		*status = 503;
		return NULL;
	}
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		out = json_tokener_parse(PQgetvalue(res, 0, 0));
	PQclear(res);
	*status = out ? 200 : 404;
	return out;
}

#define ISO_MS(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

struct json_object *mohaa_stats_player(struct db *db, const char *id, int *status)
{
	const char *params[1] = { id };
	return doc(db,
		"SELECT json_build_object('player_id', p.id, 'kind', p.kind, 'name', p.name,"
		" 'first_seen_at', gw_iso(p.first_seen_at), 'last_seen_at', gw_iso(p.last_seen_at),"
		" 'kills', p.kills, 'deaths', p.deaths, 'headshots', p.headshots,"
		" 'suicides', p.suicides, 'teamkills', p.teamkills, 'damage', p.damage,"
		" 'shots', p.shots, 'hits', p.hits,"
		" 'accuracy', CASE WHEN p.shots > 0 THEN round(p.hits::numeric / p.shots, 4) END,"
		" 'kd', round(p.kills::numeric / greatest(p.deaths, 1), 3),"
		" 'headshot_ratio', CASE WHEN p.kills > 0 THEN round(p.headshots::numeric / p.kills, 4) END,"
		" 'matches', p.matches, 'playtime_seconds', p.playtime_s, 'streak', p.streak,"
		" 'best_streak', p.best_streak,"
		" 'points', (SELECT coalesce(sum(a.points), 0) FROM mohaa.player_achievements pa"
		"   JOIN mohaa.achievements a ON a.id = pa.achievement_id WHERE pa.player_id = p.id),"
		" 'achievements', coalesce((SELECT json_agg(json_build_object('id', a.id, 'name', a.name,"
		"   'description', a.description, 'category', a.category, 'points', a.points,"
		"   'unlocked_at', gw_iso(pa.unlocked_at), 'match_id', pa.match_id)"
		"   ORDER BY pa.unlocked_at, a.id) FROM mohaa.player_achievements pa"
		"   JOIN mohaa.achievements a ON a.id = pa.achievement_id WHERE pa.player_id = p.id), '[]'),"
		" 'maps', coalesce((SELECT json_agg(json_build_object('map_name', m.map_name,"
		"   'kills', m.kills, 'deaths', m.deaths, 'headshots', m.headshots)"
		"   ORDER BY m.kills DESC, m.map_name) FROM mohaa.player_maps m WHERE m.player_id = p.id), '[]'))"
		" FROM mohaa.players p WHERE p.id = $1", 1, params, status);
}

struct json_object *mohaa_stats_player_matches(struct db *db, const char *id, int64_t before,
					       int limit, int *status)
{
	char b[24], l[16];
	const char *params[3] = { id, b, l };
	snprintf(b, sizeof b, "%lld", (long long)before);
	snprintf(l, sizeof l, "%d", limit);
	return doc(db,
		"SELECT CASE WHEN EXISTS (SELECT 1 FROM mohaa.players WHERE id = $1) THEN"
		" json_build_object('player_id', $1::text, 'limit', $3::int,"
		" 'matches', coalesce(json_agg(x ORDER BY x.match_id DESC), '[]'),"
		" 'next_before', CASE WHEN count(*) = $3::int THEN min(x.match_id) END) END"
		" FROM (SELECT pm.match_id, m.server_id, s.name AS server_name, m.map_name,"
		"  gw_iso(m.started_at) AS started_at, gw_iso(m.ended_at) AS ended_at, pm.team,"
		"  pm.kills, pm.deaths, pm.headshots, pm.suicides, pm.teamkills, pm.damage,"
		"  m.winning_team, CASE WHEN m.winning_team IS NULL THEN NULL"
		"   WHEN m.winning_team = 'draw' THEN 'draw' WHEN pm.team = m.winning_team THEN 'win'"
		"   WHEN pm.team IN ('allies', 'axis') THEN 'loss' END AS result,"
		"  gw_iso(pm.first_at) AS first_at, gw_iso(pm.last_at) AS last_at"
		"  FROM mohaa.player_matches pm JOIN mohaa.matches m ON m.id = pm.match_id"
		"  JOIN mohaa.servers s ON s.id = m.server_id"
		"  WHERE pm.player_id = $1 AND ($2::bigint = 0 OR pm.match_id < $2::bigint)"
		"  ORDER BY pm.match_id DESC LIMIT $3::int) x", 3, params, status);
}

struct json_object *mohaa_stats_player_weapons(struct db *db, const char *id, int *status)
{
	const char *params[1] = { id };
	return doc(db,
		"SELECT CASE WHEN EXISTS (SELECT 1 FROM mohaa.players WHERE id = $1) THEN"
		" json_build_object('player_id', $1::text, 'weapons', coalesce(json_agg("
		"  json_build_object('weapon', w.weapon, 'kills', w.kills, 'headshots', w.headshots,"
		"  'deaths', w.deaths, 'shots', w.shots, 'hits', w.hits, 'damage', w.damage,"
		"  'accuracy', CASE WHEN w.shots > 0 THEN round(w.hits::numeric / w.shots, 4) END)"
		"  ORDER BY w.kills DESC, w.shots DESC, w.weapon), '[]')) END"
		" FROM mohaa.player_weapons w WHERE w.player_id = $1", 1, params, status);
}

struct json_object *mohaa_stats_heatmap(struct db *db, const char *player_id, const char *map,
					char kind, int *status)
{
	char k[2] = { kind, '\0' };
	const char *params[3] = { player_id, map, k };
	return doc(db,
		"SELECT CASE WHEN $1::text IS NULL OR EXISTS (SELECT 1 FROM mohaa.players WHERE id = $1)"
		" THEN json_build_object('map_name', $2::text, 'player_id', $1::text,"
		" 'kind', CASE $3 WHEN 'k' THEN 'kills' ELSE 'deaths' END, 'cell_size', 100,"
		" 'total', coalesce(sum(c.n), 0),"
		" 'points', coalesce(json_agg(json_build_object('x', c.x, 'y', c.y, 'count', c.n)"
		"  ORDER BY c.y DESC, c.x), '[]')) END"
		" FROM (SELECT x, y, sum(n) AS n FROM mohaa.heat_cells WHERE map_name = $2"
		"  AND kind = $3::\"char\" AND ($1::text IS NULL OR player_id = $1) GROUP BY x, y) c",
		3, params, status);
}

struct json_object *mohaa_stats_match(struct db *db, int64_t id, int *status)
{
	char i[24];
	const char *params[1] = { i };
	snprintf(i, sizeof i, "%lld", (long long)id);
	return doc(db,
		"SELECT json_build_object('match_id', m.id,"
		" 'server', json_build_object('id', s.id, 'name', s.name),"
		" 'match_ref', m.match_ref, 'map_name', m.map_name, 'gametype', m.gametype,"
		" 'started_at', gw_iso(m.started_at), 'start_inferred', m.start_inferred,"
		" 'last_event_at', gw_iso(m.last_event_at), 'ended_at', gw_iso(m.ended_at),"
		" 'end_reason', m.end_reason,"
		" 'live', m.ended_at IS NULL AND greatest(m.last_event_at, m.last_heartbeat_at)"
		"   > now() - interval '90 seconds',"
		" 'duration_seconds', floor(extract(epoch FROM coalesce(m.ended_at, m.last_event_at)"
		"   - m.started_at))::bigint,"
		" 'round', m.round, 'allies_score', m.allies_score, 'axis_score', m.axis_score,"
		" 'winning_team', m.winning_team, 'player_count', m.player_count, 'kills', m.kills,"
		" 'events', m.events,"
		" 'rounds', coalesce((SELECT json_agg(json_build_object('round', r.round,"
		"   'started_at', gw_iso(r.started_at), 'ended_at', gw_iso(r.ended_at),"
		"   'winning_team', r.winning_team) ORDER BY r.round) FROM mohaa.rounds r"
		"   WHERE r.match_id = m.id), '[]'),"
		" 'players', coalesce((SELECT json_agg(json_build_object('player_id', pm.player_id,"
		"   'name', pm.name, 'team', pm.team, 'kills', pm.kills, 'deaths', pm.deaths,"
		"   'headshots', pm.headshots, 'suicides', pm.suicides, 'teamkills', pm.teamkills,"
		"   'damage', pm.damage, 'shots', pm.shots, 'hits', pm.hits,"
		"   'first_at', gw_iso(pm.first_at), 'last_at', gw_iso(pm.last_at))"
		"   ORDER BY pm.kills DESC, pm.deaths, pm.player_id) FROM mohaa.player_matches pm"
		"   WHERE pm.match_id = m.id), '[]'))"
		" FROM mohaa.matches m JOIN mohaa.servers s ON s.id = m.server_id WHERE m.id = $1::bigint",
		1, params, status);
}

/* the event types a timeline shows by default */
#define TIMELINE_TYPES "'{match_start,match_end,round_start,round_end,kill,headshot,connect," \
	"disconnect,team_change,chat,player_auth,objective_capture,vote_start,bot_killed}'::text[]"

struct json_object *mohaa_stats_timeline(struct db *db, int64_t id, int offset, int limit,
					 int all, int *status)
{
	char i[24], o[16], l[16];
	const char *params[4] = { i, o, l, all ? "t" : "f" };
	snprintf(i, sizeof i, "%lld", (long long)id);
	snprintf(o, sizeof o, "%d", offset);
	snprintf(l, sizeof l, "%d", limit);
	return doc(db,
		"SELECT CASE WHEN EXISTS (SELECT 1 FROM mohaa.matches WHERE id = $1::bigint) THEN"
		" json_build_object('match_id', $1::bigint, 'offset', $2::int, 'limit', $3::int,"
		" 'all', $4::boolean,"
		" 'total', (SELECT count(*) FROM mohaa.events e WHERE e.match_id = $1::bigint"
		"   AND ($4::boolean OR e.type = ANY(" TIMELINE_TYPES "))),"
		" 'events', coalesce(json_agg(json_build_object('at', t.at, 'game_time', t.game_time,"
		"   'round', t.round, 'type', t.type, 'type_sent', t.type_sent,"
		"   'actor', CASE WHEN t.actor_id IS NOT NULL OR t.actor_name IS NOT NULL THEN"
		"     json_build_object('id', t.actor_id, 'name', t.actor_name, 'team', t.actor_team) END,"
		"   'target', CASE WHEN t.target_id IS NOT NULL OR t.target_name IS NOT NULL THEN"
		"     json_build_object('id', t.target_id, 'name', t.target_name, 'team', t.target_team) END,"
		"   'weapon', t.weapon, 'weapon_inferred', t.weapon_inferred, 'mod', t.mod,"
		"   'hitloc', t.hitloc, 'headshot', t.flags & 8 <> 0, 'suicide', t.flags & 1 <> 0,"
		"   'teamkill', t.flags & 2 <> 0, 'world', t.flags & 4 <> 0, 'damage', t.damage,"
		"   'message', t.extra ->> 'message') ORDER BY t.seq), '[]')) END"
		" FROM (SELECT " ISO_MS("e.occurred_at") " AS at, e.game_time, e.round, e.type,"
		"  e.type_sent, e.actor_id, e.actor_name, e.actor_team, e.target_id, e.target_name,"
		"  e.target_team, e.weapon, e.weapon_inferred, e.mod, e.hitloc, e.flags, e.damage, e.extra,"
		"  row_number() OVER (ORDER BY e.occurred_at, e.received_at, e.stream_id, e.idx) AS seq"
		"  FROM mohaa.events e WHERE e.match_id = $1::bigint"
		"  AND ($4::boolean OR e.type = ANY(" TIMELINE_TYPES "))"
		"  ORDER BY e.occurred_at, e.received_at, e.stream_id, e.idx"
		"  OFFSET $2::int LIMIT $3::int) t", 4, params, status);
}

struct json_object *mohaa_stats_server(struct db *db, const char *ref, int *status)
{
	const char *params[1] = { ref };
	return doc(db,
		"SELECT json_build_object('server_id', s.id, 'name', s.name,"
		" 'created_at', gw_iso(s.created_at), 'revoked', s.revoked_at IS NOT NULL,"
		" 'last_seen_at', gw_iso(s.last_seen_at), 'label', s.last_label,"
		" 'matches', (SELECT count(*) FROM mohaa.matches m WHERE m.server_id = s.id),"
		" 'kills', (SELECT coalesce(sum(m.kills), 0) FROM mohaa.matches m WHERE m.server_id = s.id),"
		" 'events', (SELECT coalesce(sum(e.events), 0) FROM mohaa.entries e WHERE e.server_id = s.id),"
		" 'players', (SELECT count(DISTINCT pm.player_id) FROM mohaa.player_matches pm"
		"   JOIN mohaa.matches m ON m.id = pm.match_id WHERE m.server_id = s.id),"
		" 'open_match', (SELECT json_build_object('match_id', m.id, 'map_name', m.map_name,"
		"   'started_at', gw_iso(m.started_at), 'last_event_at', gw_iso(m.last_event_at),"
		"   'player_count', m.player_count) FROM mohaa.matches m"
		"   WHERE m.server_id = s.id AND m.ended_at IS NULL ORDER BY m.id DESC LIMIT 1),"
		" 'recent_matches', coalesce((SELECT json_agg(x ORDER BY x.match_id DESC) FROM"
		"   (SELECT m.id AS match_id, m.map_name, gw_iso(m.started_at) AS started_at,"
		"   gw_iso(m.ended_at) AS ended_at, m.kills, m.winning_team,"
		"   (SELECT count(*) FROM mohaa.player_matches pm WHERE pm.match_id = m.id) AS players"
		"   FROM mohaa.matches m WHERE m.server_id = s.id ORDER BY m.id DESC LIMIT 20) x), '[]'),"
		" 'maps', coalesce((SELECT json_agg(json_build_object('map_name', mm.map_name,"
		"   'matches', mm.n) ORDER BY mm.n DESC, mm.map_name) FROM (SELECT map_name, count(*) AS n"
		"   FROM mohaa.matches WHERE server_id = s.id AND map_name IS NOT NULL GROUP BY map_name) mm),"
		"   '[]'))"
		" FROM mohaa.servers s WHERE s.id::text = $1 OR s.name = $1"
		" ORDER BY (s.id::text = $1) DESC LIMIT 1", 1, params, status);
}

struct json_object *mohaa_stats_live(struct db *db, int window_s, int *status)
{
	char w[16];
	const char *params[1] = { w };
	snprintf(w, sizeof w, "%d", window_s);
	return doc(db,
		"SELECT json_build_object('window_seconds', $1::int, 'matches', coalesce(json_agg("
		" json_build_object('match_id', m.id, 'server', json_build_object('id', s.id, 'name', s.name),"
		"  'map_name', m.map_name, 'gametype', m.gametype, 'started_at', gw_iso(m.started_at),"
		"  'last_event_at', gw_iso(m.last_event_at), 'last_heartbeat_at', gw_iso(m.last_heartbeat_at),"
		"  'round', m.round, 'allies_score', m.allies_score, 'axis_score', m.axis_score,"
		"  'player_count', m.player_count, 'kills', m.kills,"
		"  'players', coalesce((SELECT json_agg(json_build_object('player_id', pm.player_id,"
		"    'name', pm.name, 'team', pm.team, 'kills', pm.kills, 'deaths', pm.deaths)"
		"    ORDER BY pm.kills DESC, pm.player_id) FROM mohaa.player_matches pm"
		"    WHERE pm.match_id = m.id), '[]'))"
		" ORDER BY m.last_event_at DESC, m.id), '[]'))"
		" FROM mohaa.matches m JOIN mohaa.servers s ON s.id = m.server_id"
		" WHERE m.ended_at IS NULL AND greatest(m.last_event_at, m.last_heartbeat_at)"
		"  > now() - make_interval(secs => $1::int)", 1, params, status);
}

struct json_object *mohaa_stats_achievements(struct db *db, int *status)
{
	return doc(db,
		"SELECT json_build_object('achievements', (SELECT json_agg(json_build_object('id', a.id,"
		"  'name', a.name, 'description', a.description, 'category', a.category,"
		"  'points', a.points, 'unlocked_by', (SELECT count(*) FROM mohaa.player_achievements pa"
		"  WHERE pa.achievement_id = a.id)) ORDER BY a.category, a.points, a.id)"
		"  FROM mohaa.achievements a),"
		" 'recent', coalesce((SELECT json_agg(x ORDER BY x.unlocked_at DESC, x.player_id) FROM"
		"  (SELECT pa.player_id, coalesce(p.name, pa.player_id) AS name, pa.achievement_id,"
		"  gw_iso(pa.unlocked_at) AS unlocked_at FROM mohaa.player_achievements pa"
		"  LEFT JOIN mohaa.players p ON p.id = pa.player_id"
		"  ORDER BY pa.unlocked_at DESC, pa.player_id LIMIT 20) x), '[]'))", 0, NULL, status);
}

struct json_object *mohaa_stats_recent_matches(struct db *db, int limit, int *status)
{
	char l[16];
	const char *params[1] = { l };
	snprintf(l, sizeof l, "%d", limit);
	return doc(db,
		"SELECT json_build_object('matches', coalesce(json_agg(x ORDER BY x.match_id DESC), '[]'))"
		" FROM (SELECT m.id AS match_id, m.server_id, s.name AS server_name, m.map_name,"
		"  gw_iso(m.started_at) AS started_at, gw_iso(m.ended_at) AS ended_at, m.kills,"
		"  m.winning_team, (SELECT count(*) FROM mohaa.player_matches pm"
		"  WHERE pm.match_id = m.id) AS players"
		"  FROM mohaa.matches m JOIN mohaa.servers s ON s.id = m.server_id"
		"  ORDER BY m.id DESC LIMIT $1::int) x", 1, params, status);
}

struct json_object *mohaa_stats_maps(struct db *db, int *status)
{
	return doc(db,
		"SELECT json_build_object('maps', coalesce(json_agg(x ORDER BY x.matches DESC, x.map_name),"
		" '[]')) FROM (SELECT map_name, count(*) AS matches, sum(kills) AS kills,"
		" gw_iso(max(started_at)) AS last_played_at FROM mohaa.matches"
		" WHERE map_name IS NOT NULL GROUP BY map_name) x", 0, NULL, status);
}

struct json_object *mohaa_stats_summary(struct db *db, int *status)
{
	return doc(db,
		"SELECT json_build_object('live_matches', (SELECT count(*) FROM mohaa.matches"
		"  WHERE ended_at IS NULL AND greatest(last_event_at, last_heartbeat_at)"
		"  > now() - interval '90 seconds'),"
		" 'players_this_week', (SELECT count(*) FROM mohaa.player_weeks"
		"  WHERE week = date_trunc('week', now() AT TIME ZONE 'UTC')::date),"
		" 'players', (SELECT count(*) FROM mohaa.players),"
		" 'matches', (SELECT count(*) FROM mohaa.matches),"
		" 'last_batch_at', (SELECT gw_iso(max(at)) FROM mohaa.batches))", 0, NULL, status);
}

struct json_object *mohaa_stats_last_batch(struct db *db, int *status)
{
	return doc(db,
		"SELECT json_build_object('last_batch_at', (SELECT gw_iso(at) FROM mohaa.batches"
		" ORDER BY id DESC LIMIT 1))", 0, NULL, status);
}
