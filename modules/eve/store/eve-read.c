/* eve-read.c: reads for the eve pages and JSON. PostgreSQL builds each
 * document (json_build_object), ids as text and ISK as numeric text, so
 * nothing passes through a float; this file parses the text and adds
 * names. Column names differ per entity kind and come only from the fixed
 * table below, never from a request. */
#include "modules/eve/store/eve-read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "timeutil.h"

static struct json_object *parse_text(const char *text)
{
	struct json_object *o = json_tokener_parse(text);
	if (!o)
		log_error("eve: the database built invalid JSON");
	return o;
}

/* The first column of the first row as a JSON document, or NULL. */
static struct json_object *one_doc(struct db *db, const char *sql, int n, const char *const *p,
				   bool *missing)
{
	PGresult *res = db_exec(db, sql, n, p);
	struct json_object *o = NULL;
	if (missing)
		*missing = false;
	if (!res)
		return NULL;
	if (PQntuples(res) && !PQgetisnull(res, 0, 0))
		o = parse_text(PQgetvalue(res, 0, 0));
	else if (missing)
		*missing = true;
	PQclear(res);
	return o;
}

static const char *num(char *buf, size_t len, int64_t v, bool set)
{
	if (!set)
		return NULL;
	snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

/* The header of a battle, shared by the list and the detail. */
#define BATTLE_HEADER                                                             \
	"'id', b.id::text, 'system_id', b.system_id::text, 'system', s.name,"     \
	" 'region_id', b.region_id::text, 'region', r.name, 'security', s.security::text," \
	" 'wh_class', s.wh_class, 'space_type', b.space_type, 'sec_band', b.sec_band,"     \
	" 'start_time', gw_iso(b.start_time), 'end_time', gw_iso(b.end_time),"    \
	" 'duration_seconds', extract(epoch FROM b.end_time - b.start_time)::bigint," \
	" 'kills', b.kills, 'isk_destroyed', b.isk_destroyed::text,"              \
	" 'isk_known_kills', b.isk_known_kills, 'pilots', b.pilots, 'side_count', b.sides," \
	" 'zkill_related_url', b.zkill_related_url, 'url', '/eve/battles/' || b.id"

static const char SQL_BATTLES[] =
	"SELECT json_build_object(" BATTLE_HEADER ","
	"  'sides', (SELECT coalesce(json_agg(json_build_object('side', (x->>'side')::int,"
	"     'pilots', (x->>'pilots')::int, 'ships_lost', (x->>'ships_lost')::int,"
	"     'isk_lost', x->>'isk_lost', 'efficiency', x->'efficiency',"
	"     'members', (SELECT coalesce(json_agg(json_build_object('entity_id', m->>'entity_id',"
	"        'kind', m->>'kind', 'pilots', (m->>'pilots')::int)), '[]') FROM (SELECT m FROM"
	"        jsonb_array_elements(x->'members') m LIMIT 3) mm))"
	"     ORDER BY (x->>'side')::int), '[]')"
	"    FROM jsonb_array_elements(b.report->'sides') x WHERE (x->>'side')::int > 0)"
	" )::text, (extract(epoch FROM b.start_time) * 1000)::bigint, b.id"
	" FROM eve.battles b LEFT JOIN eve.systems s ON s.system_id = b.system_id"
	" LEFT JOIN eve.regions r ON r.region_id = b.region_id"
	" WHERE b.is_battle"
	"  AND ($1::text IS NULL OR b.space_type = $1)"
	"  AND ($2::bigint IS NULL OR b.end_time >= gw_ms($2))"
	"  AND ($3::bigint IS NULL OR b.start_time < gw_ms($3))"
	"  AND ($4::bigint IS NULL OR b.region_id = $4)"
	"  AND ($5::bigint IS NULL OR b.system_id = $5)"
	"  AND ($6::bigint IS NULL OR EXISTS (SELECT 1 FROM eve.battle_participants p"
	"       WHERE p.battle_id = b.id AND p.alliance_id = $6))"
	"  AND ($7::bigint IS NULL OR EXISTS (SELECT 1 FROM eve.battle_participants p"
	"       WHERE p.battle_id = b.id AND p.corporation_id = $7))"
	"  AND ($8::bigint IS NULL OR EXISTS (SELECT 1 FROM eve.battle_participants p"
	"       WHERE p.battle_id = b.id AND p.character_id = $8))"
	"  AND b.kills >= $9::int"
	"  AND ($10::bigint IS NULL OR (b.start_time, b.id) < (gw_ms($10), $11::bigint))"
	"  AND b.pilots >= $13::int"
	"  AND ($14::bigint[] IS NULL OR EXISTS (SELECT 1 FROM eve.battle_participants p"
	"       WHERE p.battle_id = b.id AND (p.alliance_id = ANY ($14::bigint[])"
	"       OR p.corporation_id = ANY ($15::bigint[]))))"
	" ORDER BY b.start_time DESC, b.id DESC LIMIT $12::int";

struct json_object *eve_read_battles(struct db *db, const struct eve_battle_filter *f)
{
	char b[13][24];
	const char *p[15];
	PGresult *res;
	struct json_object *doc, *arr;
	int i, n, limit = f->limit > 0 && f->limit <= 100 ? f->limit : 25;

	p[0] = f->space_type;
	p[1] = num(b[1], sizeof b[1], f->from_ms, f->from_ms != 0);
	p[2] = num(b[2], sizeof b[2], f->to_ms, f->to_ms != 0);
	p[3] = num(b[3], sizeof b[3], f->region_id, f->region_id != 0);
	p[4] = num(b[4], sizeof b[4], f->system_id, f->system_id != 0);
	p[5] = num(b[5], sizeof b[5], f->alliance_id, f->alliance_id != 0);
	p[6] = num(b[6], sizeof b[6], f->corporation_id, f->corporation_id != 0);
	p[7] = num(b[7], sizeof b[7], f->character_id, f->character_id != 0);
	p[8] = num(b[8], sizeof b[8], f->min_kills > 0 ? f->min_kills : 0, true);
	p[9] = num(b[9], sizeof b[9], f->after_ms, f->after);
	p[10] = num(b[10], sizeof b[10], f->after_id, f->after);
	p[11] = num(b[11], sizeof b[11], limit + 1, true);
	p[12] = num(b[12], sizeof b[12], f->min_pilots > 0 ? f->min_pilots : 0, true);
	p[13] = f->tracked_alliances && f->tracked_corporations ? f->tracked_alliances : NULL;
	p[14] = p[13] ? f->tracked_corporations : NULL;
	res = db_exec(db, SQL_BATTLES, 15, p);
	if (!res)
		return NULL;
	doc = json_object_new_object();
	arr = json_object_new_array();
	n = PQntuples(res);
	for (i = 0; i < n && i < limit; i++) {
		struct json_object *o = parse_text(PQgetvalue(res, i, 0));
		if (o)
			json_object_array_add(arr, o);
	}
	json_object_object_add(doc, "battles", arr);
	if (n > limit) {
		struct json_object *next = json_object_new_object();
		json_object_object_add(next, "start_ms",
				       json_object_new_int64(strtoll(PQgetvalue(res, limit - 1, 1), NULL, 10)));
		json_object_object_add(next, "id", json_object_new_string(PQgetvalue(res, limit - 1, 2)));
		json_object_object_add(doc, "next", next);
	}
	PQclear(res);
	return doc;
}

struct json_object *eve_read_battle(struct db *db, int64_t id, bool *missing)
{
	char idb[24];
	const char *p[] = { num(idb, sizeof idb, id, true) };
	return one_doc(db,
		       "SELECT json_build_object(" BATTLE_HEADER ", 'report', b.report)::text"
		       " FROM eve.battles b LEFT JOIN eve.systems s ON s.system_id = b.system_id"
		       " LEFT JOIN eve.regions r ON r.region_id = b.region_id"
		       " WHERE b.id = $1::bigint AND b.is_battle",
		       1, p, missing);
}

static const char SQL_RECENT[] =
	"SELECT json_build_object('killmail_id', k.killmail_id::text,"
	"  'time', gw_iso(k.killmail_time), 'system_id', k.system_id::text, 'system', s.name,"
	"  'region', r.name, 'security', s.security::text,"
	"  'space_type', coalesce(s.space_type, 'unknown'), 'sec_band', coalesce(s.sec_band, 'unknown'),"
	"  'victim', json_build_object('character_id', k.victim_character_id::text,"
	"    'corporation_id', k.victim_corporation_id::text, 'alliance_id', k.victim_alliance_id::text,"
	"    'ship_type_id', k.victim_ship_type_id::text, 'ship', t.name, 'group', g.name),"
	"  'final_blow', (SELECT json_build_object('character_id', a.character_id::text,"
	"    'corporation_id', a.corporation_id::text, 'alliance_id', a.alliance_id::text,"
	"    'ship_type_id', a.ship_type_id::text) FROM eve.attackers a"
	"    WHERE a.killmail_id = k.killmail_id AND a.killmail_time = k.killmail_time"
	"    AND a.final_blow LIMIT 1),"
	"  'isk', k.total_value::text, 'attackers', k.attacker_count, 'npc', k.npc,"
	"  'battle_id', CASE WHEN b.is_battle THEN b.id::text END,"
	"  'zkb_url', 'https://zkillboard.com/kill/' || k.killmail_id || '/'"
	" )::text, (extract(epoch FROM k.killmail_time) * 1000)::bigint, k.killmail_id"
	" FROM eve.killmails k LEFT JOIN eve.systems s ON s.system_id = k.system_id"
	" LEFT JOIN eve.regions r ON r.region_id = s.region_id"
	" LEFT JOIN eve.types t ON t.type_id = k.victim_ship_type_id"
	" LEFT JOIN eve.groups g ON g.group_id = t.group_id"
	" LEFT JOIN eve.battle_killmails bk ON bk.killmail_id = k.killmail_id"
	" LEFT JOIN eve.battles b ON b.id = bk.battle_id"
	" WHERE ($1::text IS NULL OR s.space_type = $1)"
	"  AND ($2::bigint IS NULL OR k.killmail_time > gw_ms($2))"
	"  AND ($3::bigint IS NULL OR (k.killmail_time, k.killmail_id) < (gw_ms($3), $4::bigint))"
	" ORDER BY k.killmail_time DESC, k.killmail_id DESC LIMIT $5::int";

struct json_object *eve_read_recent(struct db *db, const char *space_type, int64_t since_ms,
				    bool after, int64_t after_ms, int64_t after_id, int limit)
{
	char b[5][24];
	const char *p[5];
	PGresult *res;
	struct json_object *doc, *arr;
	int i, n;
	if (limit < 1 || limit > 200)
		limit = 50;
	p[0] = space_type;
	p[1] = num(b[1], sizeof b[1], since_ms, since_ms > 0);
	p[2] = num(b[2], sizeof b[2], after_ms, after);
	p[3] = num(b[3], sizeof b[3], after_id, after);
	p[4] = num(b[4], sizeof b[4], limit + 1, true);
	res = db_exec(db, SQL_RECENT, 5, p);
	if (!res)
		return NULL;
	doc = json_object_new_object();
	arr = json_object_new_array();
	n = PQntuples(res);
	for (i = 0; i < n && i < limit; i++) {
		struct json_object *o = parse_text(PQgetvalue(res, i, 0));
		if (o)
			json_object_array_add(arr, o);
	}
	json_object_object_add(doc, "killmails", arr);
	if (n > limit) {
		struct json_object *next = json_object_new_object();
		json_object_object_add(next, "time_ms",
				       json_object_new_int64(strtoll(PQgetvalue(res, limit - 1, 1), NULL, 10)));
		json_object_object_add(next, "id", json_object_new_string(PQgetvalue(res, limit - 1, 2)));
		json_object_object_add(doc, "next", next);
	}
	PQclear(res);
	return doc;
}

/* --------------------------------------------------------------- intel */

static const struct {
	const char *name, *attacker_col, *victim_col, *participant_col;
} kinds[] = {
	[EVE_ALLIANCE] = { "alliance", "alliance_id", "victim_alliance_id", "alliance_id" },
	[EVE_CORPORATION] = { "corporation", "corporation_id", "victim_corporation_id", "corporation_id" },
	[EVE_CHARACTER] = { "character", "character_id", "victim_character_id", "character_id" },
};

const char *eve_entity_kind_name(enum eve_entity_kind k)
{
	return kinds[k].name;
}

/* Replace every "@A", "@V" and "@P" in tmpl with the kind's columns. */
static void expand(struct buf *out, const char *tmpl, enum eve_entity_kind k)
{
	for (; *tmpl; tmpl++) {
		if (*tmpl == '@' && (tmpl[1] == 'A' || tmpl[1] == 'V' || tmpl[1] == 'P')) {
			buf_addstr(out, tmpl[1] == 'A' ? kinds[k].attacker_col
				  : tmpl[1] == 'V' ? kinds[k].victim_col : kinds[k].participant_col);
			tmpl++;
		} else {
			buf_addch(out, *tmpl);
		}
	}
}

/* $1 entity id, $2 from ms, $3 to ms, $4 kind name, $5 days. */
#define INTEL_CTES                                                                 \
	"WITH mine AS (SELECT DISTINCT killmail_id, killmail_time FROM eve.attackers"  \
	"   WHERE @A = $1::bigint AND killmail_time >= gw_ms($2::bigint)"              \
	"   AND killmail_time < gw_ms($3::bigint)),"                                    \
	" kills AS (SELECT k.* FROM eve.killmails k JOIN mine USING (killmail_id, killmail_time)" \
	"   WHERE k.@V IS DISTINCT FROM $1::bigint),"                                   \
	" losses AS (SELECT * FROM eve.killmails WHERE @V = $1::bigint"                \
	"   AND killmail_time >= gw_ms($2::bigint) AND killmail_time < gw_ms($3::bigint))"

static const char SQL_INTEL[] = INTEL_CTES
	" SELECT json_build_object('kind', $4::text, 'entity_id', $1::text, 'days', $5::int,"
	"  'kills', (SELECT count(*) FROM kills), 'losses', (SELECT count(*) FROM losses),"
	"  'isk_destroyed', (SELECT coalesce(sum(total_value), 0)::text FROM kills),"
	"  'isk_lost', (SELECT coalesce(sum(total_value), 0)::text FROM losses),"
	"  'efficiency', (SELECT CASE WHEN d + l > 0 THEN round(d / (d + l), 4) END FROM"
	"    (SELECT (SELECT coalesce(sum(total_value), 0) FROM kills) d,"
	"            (SELECT coalesce(sum(total_value), 0) FROM losses) l) x),"
	"  'pilots', (SELECT count(DISTINCT character_id) FROM eve.attackers"
	"    WHERE @A = $1::bigint AND killmail_time >= gw_ms($2::bigint)"
	"    AND killmail_time < gw_ms($3::bigint)),"
	"  'activity_by_hour', (SELECT json_agg(json_build_object('hour', h, 'kills', coalesce(kc, 0),"
	"     'losses', coalesce(lc, 0)) ORDER BY h) FROM generate_series(0, 23) h"
	"    LEFT JOIN (SELECT extract(hour FROM killmail_time AT TIME ZONE 'UTC')::int hr, count(*) kc"
	"      FROM kills GROUP BY 1) kx ON kx.hr = h"
	"    LEFT JOIN (SELECT extract(hour FROM killmail_time AT TIME ZONE 'UTC')::int hr, count(*) lc"
	"      FROM losses GROUP BY 1) lx ON lx.hr = h),"
	"  'systems', (SELECT coalesce(json_agg(json_build_object('system_id', x.system_id::text,"
	"     'system', s.name, 'space_type', s.space_type, 'kills', x.kc, 'losses', x.lc)"
	"     ORDER BY x.kc + x.lc DESC, x.system_id), '[]') FROM"
	"    (SELECT system_id, count(*) FILTER (WHERE w = 'k') kc, count(*) FILTER (WHERE w = 'l') lc"
	"     FROM (SELECT system_id, 'k' w FROM kills UNION ALL SELECT system_id, 'l' FROM losses) u"
	"     GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 10) x"
	"    LEFT JOIN eve.systems s ON s.system_id = x.system_id),"
	"  'regions', (SELECT coalesce(json_agg(json_build_object('region_id', x.region_id::text,"
	"     'region', r.name, 'events', x.n) ORDER BY x.n DESC, x.region_id), '[]') FROM"
	"    (SELECT s.region_id, count(*) n FROM (SELECT system_id FROM kills UNION ALL"
	"     SELECT system_id FROM losses) u JOIN eve.systems s ON s.system_id = u.system_id"
	"     GROUP BY 1) x LEFT JOIN eve.regions r ON r.region_id = x.region_id),"
	"  'battles', (SELECT coalesce(json_agg(json_build_object('id', b.id::text,"
	"     'system_id', b.system_id::text, 'system', s.name, 'start_time', gw_iso(b.start_time),"
	"     'kills', b.kills, 'isk_destroyed', b.isk_destroyed::text, 'url', '/eve/battles/' || b.id)"
	"     ORDER BY b.start_time DESC), '[]') FROM (SELECT * FROM eve.battles WHERE is_battle"
	"     AND id IN (SELECT battle_id FROM eve.battle_participants WHERE @P = $1::bigint)"
	"     AND start_time < gw_ms($3::bigint) AND end_time >= gw_ms($2::bigint)"
	"     ORDER BY start_time DESC LIMIT 10) b LEFT JOIN eve.systems s ON s.system_id = b.system_id)"
	" )::text";

/* Entity of a party in SQL: alliance, else a player corporation. */
#define ENTITY(a, c) "coalesce(" a ", CASE WHEN " c " NOT BETWEEN 1000000 AND 1999999 THEN " c " END)"
#define ENTITY_KIND(a) "CASE WHEN " a " IS NOT NULL THEN 'alliance' ELSE 'corporation' END"

static const char SQL_OPPONENTS[] = INTEL_CTES
	", killed AS (SELECT " ENTITY("victim_alliance_id", "victim_corporation_id") " e,"
	"   " ENTITY_KIND("victim_alliance_id") " kind, total_value FROM kills),"
	" killers AS (SELECT DISTINCT l.killmail_id, l.total_value, "
	"   " ENTITY("a.alliance_id", "a.corporation_id") " e, " ENTITY_KIND("a.alliance_id") " kind"
	"   FROM losses l JOIN eve.attackers a ON a.killmail_id = l.killmail_id"
	"   AND a.killmail_time = l.killmail_time),"
	" beside AS (SELECT DISTINCT a.killmail_id, "
	"   " ENTITY("a.alliance_id", "a.corporation_id") " e, " ENTITY_KIND("a.alliance_id") " kind"
	"   FROM kills k JOIN eve.attackers a ON a.killmail_id = k.killmail_id"
	"   AND a.killmail_time = k.killmail_time WHERE a.@A IS DISTINCT FROM $1::bigint)"
	" SELECT json_build_object('kind', $4::text, 'entity_id', $1::text, 'days', $5::int,"
	"  'opponents_killed', (SELECT coalesce(json_agg(json_build_object('entity_id', e::text,"
	"     'kind', kind, 'kills', n, 'isk', isk::text) ORDER BY n DESC, e), '[]') FROM"
	"    (SELECT e, kind, count(*) n, coalesce(sum(total_value), 0) isk FROM killed"
	"     WHERE e IS NOT NULL AND e <> $1::bigint GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 25) x),"
	"  'opponents_lost_to', (SELECT coalesce(json_agg(json_build_object('entity_id', e::text,"
	"     'kind', kind, 'kills', n, 'isk', isk::text) ORDER BY n DESC, e), '[]') FROM"
	"    (SELECT e, kind, count(*) n, coalesce(sum(total_value), 0) isk FROM killers"
	"     WHERE e IS NOT NULL AND e <> $1::bigint GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 25) x),"
	"  'allies', (SELECT coalesce(json_agg(json_build_object('entity_id', e::text,"
	"     'kind', kind, 'kills_together', n) ORDER BY n DESC, e), '[]') FROM"
	"    (SELECT e, kind, count(*) n FROM beside WHERE e IS NOT NULL AND e <> $1::bigint"
	"     GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 25) x)"
	" )::text";

static const char SQL_SHIPS[] = INTEL_CTES
	", flown AS (SELECT a.ship_type_id, count(DISTINCT a.killmail_id) kills,"
	"   count(DISTINCT a.character_id) pilots FROM eve.attackers a JOIN mine m"
	"   ON m.killmail_id = a.killmail_id AND m.killmail_time = a.killmail_time"
	"   WHERE a.@A = $1::bigint AND a.ship_type_id IS NOT NULL GROUP BY 1)"
	" SELECT json_build_object('kind', $4::text, 'entity_id', $1::text, 'days', $5::int,"
	"  'flown', (SELECT coalesce(json_agg(json_build_object('ship_type_id', f.ship_type_id::text,"
	"     'ship', t.name, 'group_id', t.group_id::text, 'group', g.name, 'kills', f.kills,"
	"     'pilots', f.pilots) ORDER BY f.kills DESC, f.ship_type_id), '[]') FROM"
	"    (SELECT * FROM flown ORDER BY kills DESC, ship_type_id LIMIT 50) f"
	"    LEFT JOIN eve.types t ON t.type_id = f.ship_type_id"
	"    LEFT JOIN eve.groups g ON g.group_id = t.group_id),"
	"  'lost', (SELECT coalesce(json_agg(json_build_object('ship_type_id', x.ship::text,"
	"     'ship', t.name, 'group_id', t.group_id::text, 'group', g.name, 'losses', x.n,"
	"     'isk', x.isk::text) ORDER BY x.n DESC, x.ship), '[]') FROM"
	"    (SELECT victim_ship_type_id ship, count(*) n, coalesce(sum(total_value), 0) isk"
	"     FROM losses GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50) x"
	"    LEFT JOIN eve.types t ON t.type_id = x.ship LEFT JOIN eve.groups g ON g.group_id = t.group_id),"
	"  'flown_by_group', (SELECT coalesce(json_agg(json_build_object('group_id', x.gid::text,"
	"     'group', g.name, 'kills', x.n) ORDER BY x.n DESC, x.gid), '[]') FROM"
	"    (SELECT t.group_id gid, sum(f.kills) n FROM flown f JOIN eve.types t"
	"     ON t.type_id = f.ship_type_id GROUP BY 1) x LEFT JOIN eve.groups g ON g.group_id = x.gid),"
	"  'lost_by_group', (SELECT coalesce(json_agg(json_build_object('group_id', x.gid::text,"
	"     'group', g.name, 'losses', x.n, 'isk', x.isk::text) ORDER BY x.n DESC, x.gid), '[]') FROM"
	"    (SELECT t.group_id gid, count(*) n, coalesce(sum(l.total_value), 0) isk FROM losses l"
	"     JOIN eve.types t ON t.type_id = l.victim_ship_type_id GROUP BY 1) x"
	"    LEFT JOIN eve.groups g ON g.group_id = x.gid)"
	" )::text";

static struct json_object *intel_query(struct db *db, const char *tmpl, enum eve_entity_kind kind,
				       int64_t id, int days, int64_t now_ms)
{
	struct buf sql = BUF_INIT;
	char b[4][24];
	const char *p[5];
	struct json_object *o;
	p[0] = num(b[0], sizeof b[0], id, true);
	p[1] = num(b[1], sizeof b[1], now_ms - (int64_t)days * 86400000LL, true);
	p[2] = num(b[2], sizeof b[2], now_ms, true);
	p[3] = kinds[kind].name;
	p[4] = num(b[3], sizeof b[3], days, true);
	expand(&sql, tmpl, kind);
	o = one_doc(db, sql.data, 5, p, NULL);
	buf_release(&sql);
	return o;
}

struct json_object *eve_read_intel(struct db *db, enum eve_entity_kind kind, int64_t id,
				   int days, int64_t now_ms)
{
	return intel_query(db, SQL_INTEL, kind, id, days, now_ms);
}

struct json_object *eve_read_opponents(struct db *db, enum eve_entity_kind kind, int64_t id,
				       int days, int64_t now_ms)
{
	return intel_query(db, SQL_OPPONENTS, kind, id, days, now_ms);
}

struct json_object *eve_read_ships(struct db *db, enum eve_entity_kind kind, int64_t id,
				   int days, int64_t now_ms)
{
	return intel_query(db, SQL_SHIPS, kind, id, days, now_ms);
}

struct json_object *eve_read_summary(struct db *db, int days, int64_t now_ms)
{
	char b[3][24];
	const char *p[3];
	p[0] = num(b[0], sizeof b[0], now_ms - (int64_t)days * 86400000LL, true);
	p[1] = num(b[1], sizeof b[1], now_ms, true);
	p[2] = num(b[2], sizeof b[2], days, true);
	return one_doc(db,
		       "WITH k AS (SELECT * FROM eve.killmails WHERE killmail_time >= gw_ms($1::bigint)"
		       "  AND killmail_time < gw_ms($2::bigint))"
		       " SELECT json_build_object('days', $3::int, 'kills', (SELECT count(*) FROM k),"
		       "  'isk_destroyed', (SELECT coalesce(sum(total_value), 0)::text FROM k),"
		       "  'isk_known_kills', (SELECT count(total_value) FROM k),"
		       "  'npc_kills', (SELECT count(*) FROM k WHERE npc),"
		       "  'battles', (SELECT count(*) FROM eve.battles WHERE is_battle"
		       "    AND start_time < gw_ms($2::bigint) AND end_time >= gw_ms($1::bigint)),"
		       "  'by_space_type', (SELECT coalesce(json_agg(json_build_object('space_type', st,"
		       "    'kills', n) ORDER BY n DESC, st), '[]') FROM (SELECT coalesce(s.space_type,"
		       "    'unknown') st, count(*) n FROM k LEFT JOIN eve.systems s"
		       "    ON s.system_id = k.system_id GROUP BY 1) x),"
		       "  'top_alliances', (SELECT coalesce(json_agg(json_build_object('entity_id', e::text,"
		       "    'kind', 'alliance', 'kills', n) ORDER BY n DESC, e), '[]') FROM"
		       "    (SELECT a.alliance_id e, count(DISTINCT a.killmail_id) n FROM eve.attackers a"
		       "     WHERE a.alliance_id IS NOT NULL AND a.killmail_time >= gw_ms($1::bigint)"
		       "     AND a.killmail_time < gw_ms($2::bigint) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10) x),"
		       "  'top_systems', (SELECT coalesce(json_agg(json_build_object('system_id', x.system_id::text,"
		       "    'system', s.name, 'space_type', s.space_type, 'kills', x.n)"
		       "    ORDER BY x.n DESC, x.system_id), '[]') FROM (SELECT system_id, count(*) n FROM k"
		       "    GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10) x LEFT JOIN eve.systems s"
		       "    ON s.system_id = x.system_id),"
		       "  'biggest_battles', (SELECT coalesce(json_agg(json_build_object('id', b.id::text,"
		       "    'system_id', b.system_id::text, 'system', s.name, 'start_time', gw_iso(b.start_time),"
		       "    'kills', b.kills, 'pilots', b.pilots, 'isk_destroyed', b.isk_destroyed::text,"
		       "    'url', '/eve/battles/' || b.id) ORDER BY b.kills DESC, b.id), '[]') FROM"
		       "    (SELECT * FROM eve.battles WHERE is_battle AND start_time < gw_ms($2::bigint)"
		       "     AND end_time >= gw_ms($1::bigint) ORDER BY kills DESC, id LIMIT 5) b"
		       "    LEFT JOIN eve.systems s ON s.system_id = b.system_id)"
		       " )::text",
		       3, p, NULL);
}

/* ---------------------------------------------------------------- names */

static const char *const name_keys[][2] = {
	{ "character_id", "character_name" },
	{ "corporation_id", "corporation_name" },
	{ "alliance_id", "alliance_name" },
	{ "faction_id", "faction_name" },
	{ "entity_id", "entity_name" },
};
#define N_NAME_KEYS (sizeof name_keys / sizeof name_keys[0])

static bool all_digits(const char *s)
{
	if (!*s || strlen(s) > 19)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Collect ids (as "{1,2,...}" text) or, with names set, add the names. */
static void walk(struct json_object *o, struct buf *ids, struct json_object *names, int depth)
{
	size_t i, k;
	if (depth > 16 || !o)
		return;
	if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++)
			walk(json_object_array_get_idx(o, i), ids, names, depth + 1);
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	for (k = 0; k < N_NAME_KEYS; k++) {
		struct json_object *v, *n;
		const char *s;
		if (!json_object_object_get_ex(o, name_keys[k][0], &v) || !v ||
		    !json_object_is_type(v, json_type_string))
			continue;
		s = json_object_get_string(v);
		if (!all_digits(s))
			continue;
		if (!names) {
			buf_addstr(ids, ids->len > 1 ? "," : "");
			buf_addstr(ids, s);
		} else {
			json_object_object_add(o, name_keys[k][1],
					       json_object_object_get_ex(names, s, &n) ? json_object_get(n) : NULL);
		}
	}
	{
		json_object_object_foreach(o, key, val) {
			(void)key;
			if (json_object_is_type(val, json_type_object) || json_object_is_type(val, json_type_array))
				walk(val, ids, names, depth + 1);
		}
	}
}

int eve_read_add_names(struct db *db, struct json_object *doc)
{
	struct buf ids = BUF_INIT;
	struct json_object *names = NULL;
	PGresult *res;
	const char *p[1];
	int i;
	buf_addch(&ids, '{');
	walk(doc, &ids, NULL, 0);
	buf_addch(&ids, '}');
	p[0] = ids.data;
	res = db_exec(db, "SELECT id::text, name FROM eve.names WHERE id = ANY($1::bigint[])", 1, p);
	buf_release(&ids);
	if (!res)
		return -1;
	names = json_object_new_object();
	for (i = 0; i < PQntuples(res); i++)
		json_object_object_add(names, PQgetvalue(res, i, 0),
				       json_object_new_string(PQgetvalue(res, i, 1)));
	PQclear(res);
	walk(doc, NULL, names, 0);
	json_object_put(names);
	return 0;
}

static int64_t lookup_id(struct db *db, const char *text, const char *sql_by_id, const char *sql_by_name)
{
	const char *p[] = { text };
	PGresult *res;
	int64_t id = 0;
	if (!text || !*text || strlen(text) > 100)
		return 0;
	res = db_exec(db, all_digits(text) ? sql_by_id : sql_by_name, 1, p);
	if (!res)
		return -1;
	if (PQntuples(res))
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return id;
}

int64_t eve_read_system_id(struct db *db, const char *text)
{
	return lookup_id(db, text, "SELECT system_id FROM eve.systems WHERE system_id = $1::bigint",
			 "SELECT system_id FROM eve.systems WHERE lower(name) = lower($1)");
}

int64_t eve_read_region_id(struct db *db, const char *text)
{
	return lookup_id(db, text, "SELECT region_id FROM eve.regions WHERE region_id = $1::bigint",
			 "SELECT region_id FROM eve.regions WHERE lower(name) = lower($1) LIMIT 1");
}
