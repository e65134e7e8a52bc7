/* eve-battles.c: eve-cluster's reads and writes (eve-battles.h). */
#include "modules/eve/store/eve-battles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "modules/eve/store/eve-store.h"
#include "timeutil.h"

int eve_systems_load(struct db *db, struct eve_systems *s)
{
	PGresult *res;
	int i, n;
	memset(s, 0, sizeof *s);
	res = db_exec(db, "SELECT system_id, region_id, space_type, sec_band FROM eve.systems", 0, NULL);
	if (!res)
		return -1;
	n = PQntuples(res);
	s->rows = calloc((size_t)n + 1, sizeof *s->rows);
	if (!s->rows)
		abort();
	for (i = 0; i < n; i++) {
		struct eve_sysinfo *r = &s->rows[s->n];
		const char *band = PQgetvalue(res, i, 3);
		int b;
		r->region_id = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		r->space = (enum eve_space)eve_space_parse(PQgetvalue(res, i, 2));
		r->band = EVE_BAND_UNKNOWN;
		for (b = EVE_BAND_HIGHSEC; b <= EVE_BAND_OTHER; b++)
			if (!strcmp(band, eve_band_token((enum eve_band)b)))
				r->band = (enum eve_band)b;
		idmap_put(&s->index, strtoll(PQgetvalue(res, i, 0), NULL, 10), (uint32_t)s->n++);
	}
	PQclear(res);
	return 0;
}

struct eve_sysinfo eve_systems_get(const struct eve_systems *s, int64_t system_id)
{
	uint32_t *x = idmap_get(&s->index, system_id);
	struct eve_sysinfo none = { 0, eve_space_of(system_id, 0), EVE_BAND_UNKNOWN };
	if (!x)
		return none;
	return s->rows[*x];
}

void eve_systems_free(struct eve_systems *s)
{
	free(s->rows);
	idmap_free(&s->index);
	memset(s, 0, sizeof *s);
}

int eve_touched_since(struct db *db, int64_t since, struct eve_touched **out, size_t *n,
		      int64_t *max_seq)
{
	char seq[24];
	const char *p[] = { seq };
	PGresult *res;
	int i, rows;

	snprintf(seq, sizeof seq, "%lld", (long long)since);
	*out = NULL;
	*n = 0;
	*max_seq = since;
	/* the earliest new kill per system, by (time, id) */
	res = db_exec(db,
		      "SELECT DISTINCT ON (k.system_id) k.system_id,"
		      "  (extract(epoch FROM k.killmail_time) * 1000)::bigint, k.killmail_id,"
		      "  max(i.seq) OVER ()"
		      " FROM eve.killmail_ids i"
		      " JOIN eve.killmails k ON k.killmail_id = i.killmail_id"
		      "  AND k.killmail_time = i.killmail_time"
		      " WHERE i.seq > $1::bigint"
		      " ORDER BY k.system_id, k.killmail_time, k.killmail_id",
		      1, p);
	if (!res)
		return -1;
	rows = PQntuples(res);
	*out = calloc((size_t)rows + 1, sizeof **out);
	if (!*out)
		abort();
	for (i = 0; i < rows; i++) {
		(*out)[i].system_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		(*out)[i].time_ms = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		(*out)[i].killmail_id = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		*max_seq = strtoll(PQgetvalue(res, i, 3), NULL, 10);
	}
	*n = (size_t)rows;
	PQclear(res);
	return 0;
}

int eve_restart_point(struct db *db, const struct eve_touched *t, int64_t *from_ms,
		      int64_t *from_id)
{
	char sys[24], ms[24], id[24];
	const char *p[] = { sys, ms, id };
	PGresult *res;
	snprintf(sys, sizeof sys, "%lld", (long long)t->system_id);
	snprintf(ms, sizeof ms, "%lld", (long long)t->time_ms);
	snprintf(id, sizeof id, "%lld", (long long)t->killmail_id);
	/* clusters are contiguous runs of the system's (time, id) order: the
	 * one starting last before the new kill holds the kill just before it */
	res = db_exec(db,
		      "SELECT (extract(epoch FROM start_time) * 1000)::bigint, first_killmail_id"
		      " FROM eve.battles WHERE system_id = $1::bigint"
		      "  AND (start_time, first_killmail_id) < (gw_ms($2::bigint), $3::bigint)"
		      " ORDER BY start_time DESC, first_killmail_id DESC LIMIT 1",
		      3, p);
	if (!res)
		return -1;
	if (PQntuples(res)) {
		*from_ms = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		*from_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	} else {
		*from_ms = t->time_ms;
		*from_id = t->killmail_id;
	}
	PQclear(res);
	return 0;
}

static int64_t col64(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

int eve_kills_load(struct db *db, int64_t system_id, int64_t from_ms, int64_t from_id,
		   struct eve_kills *out)
{
	char sys[24], ms[24], id[24];
	const char *p[] = { sys, ms, id };
	PGresult *res, *att;
	struct idmap index = IDMAP_INIT;
	int i, n, na;
	size_t *fill;

	memset(out, 0, sizeof *out);
	snprintf(sys, sizeof sys, "%lld", (long long)system_id);
	snprintf(ms, sizeof ms, "%lld", (long long)from_ms);
	snprintf(id, sizeof id, "%lld", (long long)from_id);
	res = db_exec(db,
		      "SELECT k.killmail_id, (extract(epoch FROM k.killmail_time) * 1000)::bigint,"
		      "  k.victim_character_id, k.victim_corporation_id, k.victim_alliance_id,"
		      "  k.victim_faction_id, k.victim_ship_type_id, k.damage_taken, k.attacker_count,"
		      "  k.total_value::text, bk.battle_id"
		      " FROM eve.killmails k"
		      " LEFT JOIN eve.battle_killmails bk ON bk.killmail_id = k.killmail_id"
		      " WHERE k.system_id = $1::bigint"
		      "  AND (k.killmail_time, k.killmail_id) >= (gw_ms($2::bigint), $3::bigint)"
		      " ORDER BY k.killmail_time, k.killmail_id",
		      3, p);
	if (!res)
		return -1;
	att = db_exec(db,
		      "SELECT a.killmail_id, a.character_id, a.corporation_id, a.alliance_id,"
		      "  a.faction_id, a.ship_type_id, a.weapon_type_id, a.damage_done, a.final_blow"
		      " FROM eve.attackers a"
		      " JOIN eve.killmails k ON k.killmail_id = a.killmail_id"
		      "  AND k.killmail_time = a.killmail_time"
		      " WHERE k.system_id = $1::bigint"
		      "  AND (k.killmail_time, k.killmail_id) >= (gw_ms($2::bigint), $3::bigint)",
		      3, p);
	if (!att) {
		PQclear(res);
		return -1;
	}
	n = PQntuples(res);
	out->km = calloc((size_t)n + 1, sizeof *out->km);
	out->old_battle = calloc((size_t)n + 1, sizeof *out->old_battle);
	fill = calloc((size_t)n + 1, sizeof *fill);
	if (!out->km || !out->old_battle || !fill)
		abort();
	for (i = 0; i < n; i++) {
		struct eve_killmail *km = &out->km[i];
		km->shape = EVE_SHAPE_ESI;
		km->killmail_id = col64(res, i, 0);
		km->time_ms = col64(res, i, 1);
		km->system_id = system_id;
		km->victim.character_id = col64(res, i, 2);
		km->victim.corporation_id = col64(res, i, 3);
		km->victim.alliance_id = col64(res, i, 4);
		km->victim.faction_id = col64(res, i, 5);
		km->victim.ship_type_id = col64(res, i, 6);
		km->victim.damage = col64(res, i, 7);
		km->n_attackers = 0;
		km->attackers = calloc((size_t)col64(res, i, 8) + 1, sizeof *km->attackers);
		if (!km->attackers)
			abort();
		km->zkb.total_cents = -1;
		if (!PQgetisnull(res, i, 9))
			eve_isk_parse(PQgetvalue(res, i, 9), &km->zkb.total_cents);
		km->zkb.fitted_cents = km->zkb.dropped_cents = km->zkb.destroyed_cents = -1;
		out->old_battle[i] = col64(res, i, 10);
		fill[i] = (size_t)col64(res, i, 8);
		idmap_put(&index, km->killmail_id, (uint32_t)i);
	}
	na = PQntuples(att);
	for (i = 0; i < na; i++) {
		uint32_t *x = idmap_get(&index, col64(att, i, 0));
		struct eve_killmail *km;
		struct eve_party *a;
		if (!x)
			continue;
		km = &out->km[*x];
		if (km->n_attackers >= fill[*x])
			continue; /* more rows than attacker_count: never stored so */
		a = &km->attackers[km->n_attackers++];
		a->character_id = col64(att, i, 1);
		a->corporation_id = col64(att, i, 2);
		a->alliance_id = col64(att, i, 3);
		a->faction_id = col64(att, i, 4);
		a->ship_type_id = col64(att, i, 5);
		a->weapon_type_id = col64(att, i, 6);
		a->damage = col64(att, i, 7);
		a->final_blow = PQgetvalue(att, i, 8)[0] == 't';
	}
	out->n = (size_t)n;
	free(fill);
	idmap_free(&index);
	PQclear(res);
	PQclear(att);
	return 0;
}

void eve_kills_free(struct eve_kills *k)
{
	size_t i;
	for (i = 0; i < k->n; i++)
		eve_killmail_free(&k->km[i]);
	free(k->km);
	free(k->old_battle);
	memset(k, 0, sizeof *k);
}

int eve_battle_ids(struct db *db, size_t n, int64_t *ids)
{
	char cnt[24];
	const char *p[] = { cnt };
	PGresult *res;
	size_t i;
	if (!n)
		return 0;
	snprintf(cnt, sizeof cnt, "%zu", n);
	res = db_exec(db, "SELECT nextval(pg_get_serial_sequence('eve.battles', 'id'))"
			  " FROM generate_series(1, $1::int)", 1, p);
	if (!res)
		return -1;
	for (i = 0; i < n && (int)i < PQntuples(res); i++)
		ids[i] = strtoll(PQgetvalue(res, (int)i, 0), NULL, 10);
	PQclear(res);
	return 0;
}

int eve_battles_replace(struct db *db, int64_t system_id, int64_t from_ms, int64_t from_id,
			const struct buf *battles, const struct buf *bk, const struct buf *bp)
{
	char sys[24], ms[24], id[24];
	const char *p[] = { sys, ms, id };
	snprintf(sys, sizeof sys, "%lld", (long long)system_id);
	snprintf(ms, sizeof ms, "%lld", (long long)from_ms);
	snprintf(id, sizeof id, "%lld", (long long)from_id);
	if (db_begin(db) < 0)
		return -1;
	if (db_run(db, "DELETE FROM eve.battles WHERE system_id = $1::bigint"
		       " AND (start_time, first_killmail_id) >= (gw_ms($2::bigint), $3::bigint)",
		   3, p) < 0 ||
	    eve_store_copy(db, "COPY eve.battles (" EVE_BATTLE_COLUMNS ") FROM STDIN", battles) < 0 ||
	    eve_store_copy(db, "COPY eve.battle_killmails (" EVE_BK_COLUMNS ") FROM STDIN", bk) < 0 ||
	    eve_store_copy(db, "COPY eve.battle_participants (" EVE_BP_COLUMNS ") FROM STDIN", bp) < 0 ||
	    db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

void eve_copy_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': buf_addstr(b, "\\\\"); break;
		case '\t': buf_addstr(b, "\\t"); break;
		case '\n': buf_addstr(b, "\\n"); break;
		case '\r': buf_addstr(b, "\\r"); break;
		default: buf_addch(b, *s);
		}
	}
}

int eve_cluster_state_get(struct db *db, int64_t *last_seq, struct buf *params)
{
	PGresult *res = db_exec(db, "SELECT last_seq, params FROM eve.cluster_state WHERE name = 'battles'",
				0, NULL);
	if (!res)
		return -1;
	*last_seq = -1;
	buf_reset(params);
	if (PQntuples(res)) {
		*last_seq = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		buf_addstr(params, PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return 0;
}

int eve_cluster_state_set(struct db *db, int64_t last_seq, const char *params,
			  int64_t duration_ms)
{
	char seq[24], dur[24];
	const char *p[] = { seq, params, dur };
	snprintf(seq, sizeof seq, "%lld", (long long)last_seq);
	snprintf(dur, sizeof dur, "%lld", (long long)duration_ms);
	return db_run(db, "INSERT INTO eve.cluster_state (name, last_seq, params, duration_ms)"
			  " VALUES ('battles', $1::bigint, $2, $3::int) ON CONFLICT (name) DO UPDATE"
			  " SET last_seq = EXCLUDED.last_seq, params = EXCLUDED.params,"
			  " ran_at = now(), duration_ms = EXCLUDED.duration_ms",
		      3, p);
}
