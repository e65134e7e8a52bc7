/* eve-store.c: killmail imports (COPY through staging tables, dedupe by
 * killmail id), rejected documents, the feed position, and the type table
 * the battle reports use. */
#include "modules/eve/store/eve-store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "timeutil.h"

/* The staging table for value updates of known killmails: lives for the
 * session, emptied by each use. */
static const char SQL_STAGE[] =
	"SET LOCAL client_min_messages = warning;"
	"CREATE TEMP TABLE IF NOT EXISTS eve_stage_km (LIKE eve.killmails);"
	"TRUNCATE eve_stage_km";

#define KM_COLUMNS                                                               \
	"killmail_id, killmail_time, system_id, hash, victim_character_id,"     \
	" victim_corporation_id, victim_alliance_id, victim_faction_id,"         \
	" victim_ship_type_id, damage_taken, attacker_count, war_id, total_value," \
	" value_source, fitted_value, dropped_value, destroyed_value, points, npc," \
	" solo, awox, location_id, source"
#define ATT_COLUMNS                                                              \
	"killmail_id, killmail_time, character_id, corporation_id, alliance_id,"  \
	" faction_id, ship_type_id, weapon_type_id, damage_done, final_blow,"      \
	" security_status"

/* A killmail first seen without a value (ESI) gets one when it comes again
 * with zKillboard's. */
static const char SQL_FILL_VALUES[] =
	"UPDATE eve.killmails k SET total_value = s.total_value, value_source = s.value_source,"
	"  fitted_value = s.fitted_value, dropped_value = s.dropped_value,"
	"  destroyed_value = s.destroyed_value, points = s.points, solo = s.solo, awox = s.awox,"
	"  location_id = s.location_id, hash = coalesce(k.hash, s.hash)"
	" FROM eve_stage_km s"
	" WHERE k.killmail_id = s.killmail_id AND k.killmail_time = s.killmail_time"
	"  AND s.value_source = 'zkb' AND k.value_source IS DISTINCT FROM 'zkb'";

const char *eve_shape_token(enum eve_shape shape)
{
	switch (shape) {
	case EVE_SHAPE_R2Z2: return "r2z2";
	case EVE_SHAPE_REDISQ: return "redisq";
	case EVE_SHAPE_ZKB_MERGED:
	case EVE_SHAPE_ZKB_API: return "zkb";
	default: return "esi";
	}
}

int eve_import_begin(struct eve_import *imp, struct db *db, const char *source)
{
	memset(imp, 0, sizeof *imp);
	imp->db = db;
	imp->source = source;
	buf_init(&imp->km_rows, 0);
	buf_init(&imp->att_rows, 0);
	return db_ensure(db) < 0 ? -1 : 0;
}

long eve_import_load_prices(struct eve_import *imp)
{
	PGresult *res = db_exec(imp->db, "SELECT type_id, price::text FROM eve.prices", 0, NULL);
	int i, n;
	if (!res)
		return -1;
	n = PQntuples(res);
	free(imp->prices);
	idmap_free(&imp->price_index);
	imp->prices = calloc((size_t)n + 1, sizeof *imp->prices);
	if (!imp->prices)
		abort();
	imp->n_prices = 0;
	for (i = 0; i < n; i++) {
		int64_t cents;
		if (eve_isk_parse(PQgetvalue(res, i, 1), &cents) < 0)
			continue;
		imp->prices[imp->n_prices] = cents;
		idmap_put(&imp->price_index, strtoll(PQgetvalue(res, i, 0), NULL, 10),
			  (uint32_t)imp->n_prices++);
	}
	PQclear(res);
	return (long)imp->n_prices;
}

static int price_of(void *ctx, int64_t type_id, int64_t *cents)
{
	const struct eve_import *imp = ctx;
	uint32_t *x = idmap_get(&imp->price_index, type_id);
	if (!x)
		return -1;
	*cents = imp->prices[*x];
	return 0;
}

static void col_id(struct buf *b, int64_t v)
{
	if (v)
		buf_addf(b, "%lld\t", (long long)v);
	else
		buf_addstr(b, "\\N\t");
}

static void col_isk(struct buf *b, int64_t cents)
{
	char s[32];
	if (cents < 0) {
		buf_addstr(b, "\\N\t");
		return;
	}
	buf_addstr(b, eve_isk_format(cents, s, sizeof s));
	buf_addch(b, '\t');
}

static void col_tri(struct buf *b, int v)
{
	buf_addstr(b, v < 0 ? "\\N\t" : v ? "t\t" : "f\t");
}

/* "2021-11-28 12:00:10+00" for COPY. */
static void col_time(struct buf *b, int64_t ms)
{
	char s[32];
	buf_addstr(b, time_iso8601(ms, s, sizeof s));
	buf_addch(b, '\t');
}

/* The month of ms (its first instant, ms); *known tells whether the batch
 * has it already. */
static int64_t month_of(const struct eve_import *imp, int64_t ms, bool *known)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	int64_t m;
	int i;
	gmtime_r(&t, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	m = (int64_t)timegm(&tm) * 1000;
	*known = false;
	for (i = 0; i < imp->n_months; i++)
		if (imp->months[i] == m)
			*known = true;
	return m;
}

int eve_import_add(struct eve_import *imp, const struct eve_killmail *km)
{
	struct buf *b = &imp->km_rows;
	int64_t value = km->zkb.total_cents;
	const char *vsource = value >= 0 ? "zkb" : NULL;
	size_t i;

	bool known;
	int64_t month;

	if (idmap_get(&imp->batch_ids, km->killmail_id)) {
		imp->duplicates++;
		return 0;
	}
	month = month_of(imp, km->time_ms, &known);
	if (!known && imp->n_months == EVE_IMPORT_MAX_MONTHS && eve_import_flush(imp) < 0)
		return -1;
	if (!known)
		imp->months[imp->n_months++] = month;
	idmap_put(&imp->batch_ids, km->killmail_id, 1);
	if (value < 0 && imp->n_prices) {
		int64_t v;
		if (eve_killmail_value(km, price_of, imp, &v) >= 0) {
			value = v;
			vsource = "prices";
		}
	}
	if (value >= 0)
		imp->valued++;
	if (imp->n_rows == imp->cap_rows) {
		imp->cap_rows = imp->cap_rows ? imp->cap_rows * 2 : 256;
		imp->rows = realloc(imp->rows, imp->cap_rows * sizeof *imp->rows);
		if (!imp->rows)
			abort();
	}
	imp->rows[imp->n_rows].killmail_id = km->killmail_id;
	imp->rows[imp->n_rows].time_ms = km->time_ms;
	imp->rows[imp->n_rows].km_off = b->len;
	imp->rows[imp->n_rows].att_off = imp->att_rows.len;
	imp->rows[imp->n_rows].valued = vsource && !strcmp(vsource, "zkb");
	col_id(b, km->killmail_id);
	col_time(b, km->time_ms);
	col_id(b, km->system_id);
	if (km->hash[0])
		buf_addf(b, "%s\t", km->hash);
	else
		buf_addstr(b, "\\N\t");
	col_id(b, km->victim.character_id);
	col_id(b, km->victim.corporation_id);
	col_id(b, km->victim.alliance_id);
	col_id(b, km->victim.faction_id);
	col_id(b, km->victim.ship_type_id);
	buf_addf(b, "%lld\t%zu\t", (long long)km->victim.damage, km->n_attackers);
	col_id(b, km->war_id);
	col_isk(b, value);
	buf_addstr(b, vsource ? vsource : "\\N");
	buf_addch(b, '\t');
	col_isk(b, km->zkb.fitted_cents);
	col_isk(b, km->zkb.dropped_cents);
	col_isk(b, km->zkb.destroyed_cents);
	if (km->zkb.points >= 0 && km->zkb.points < INT32_MAX)
		buf_addf(b, "%lld\t", (long long)km->zkb.points);
	else
		buf_addstr(b, "\\N\t");
	col_tri(b, eve_killmail_is_npc(km));
	col_tri(b, km->zkb.solo);
	col_tri(b, km->zkb.awox);
	col_id(b, km->zkb.location_id);
	buf_addstr(b, eve_shape_token(km->shape));
	buf_addch(b, '\n');

	for (i = 0; i < km->n_attackers; i++) {
		const struct eve_party *a = &km->attackers[i];
		struct buf *ab = &imp->att_rows;
		col_id(ab, km->killmail_id);
		col_time(ab, km->time_ms);
		col_id(ab, a->character_id);
		col_id(ab, a->corporation_id);
		col_id(ab, a->alliance_id);
		col_id(ab, a->faction_id);
		col_id(ab, a->ship_type_id);
		col_id(ab, a->weapon_type_id);
		buf_addf(ab, "%lld\t%s\t%.2f\n", (long long)a->damage, a->final_blow ? "t" : "f",
			 a->security_status);
	}
	imp->rows[imp->n_rows].km_len = b->len - imp->rows[imp->n_rows].km_off;
	imp->rows[imp->n_rows].att_len = imp->att_rows.len - imp->rows[imp->n_rows].att_off;
	imp->n_rows++;
	imp->pending++;
	return 1;
}

int eve_store_copy(struct db *db, const char *copy_sql, const struct buf *rows)
{
	PGresult *res;
	int ok;
	if (db_ensure(db) < 0)
		return -1;
	res = PQexec(db->conn, copy_sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		log_error("COPY failed to start: %s", PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	ok = (!rows->len || PQputCopyData(db->conn, rows->data, (int)rows->len) == 1) &&
	     PQputCopyEnd(db->conn, NULL) == 1;
	res = PQgetResult(db->conn);
	if (!ok || PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_error("COPY failed: %s", res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
		PQclear(res);
		while ((res = PQgetResult(db->conn)))
			PQclear(res);
		return -1;
	}
	PQclear(res);
	while ((res = PQgetResult(db->conn)))
		PQclear(res);
	return 0;
}

long eve_import_flush(struct eve_import *imp)
{
	struct buf ids = BUF_INIT, new_ids = BUF_INIT, km = BUF_INIT, att = BUF_INIT, fill = BUF_INIT;
	struct idmap known = IDMAP_INIT;
	PGresult *res;
	long inserted = 0;
	size_t i;
	int k;

	if (!imp->pending)
		return 0;
	if (db_begin(imp->db) < 0)
		return -1;
	if (db_run(imp->db, "SELECT pg_advisory_xact_lock(7263013)", 0, NULL) < 0)
		goto fail;
	for (k = 0; k < imp->n_months; k++) {
		char ts[32];
		const char *p[] = { time_iso8601(imp->months[k], ts, sizeof ts) };
		if (db_run(imp->db, "SELECT gw_ensure_month_partitions('eve.killmails', $1::timestamptz, 0),"
				    " gw_ensure_month_partitions('eve.attackers', $1::timestamptz, 0)",
			   1, p) < 0)
			goto fail;
	}
	/* the ids already stored */
	buf_addch(&ids, '{');
	for (i = 0; i < imp->n_rows; i++)
		buf_addf(&ids, "%s%lld", i ? "," : "", (long long)imp->rows[i].killmail_id);
	buf_addch(&ids, '}');
	{
		const char *p[] = { ids.data };
		res = db_exec(imp->db, "SELECT killmail_id FROM eve.killmail_ids"
				       " WHERE killmail_id = ANY($1::bigint[])", 1, p);
		if (!res)
			goto fail;
		for (k = 0; k < PQntuples(res); k++)
			idmap_put(&known, strtoll(PQgetvalue(res, k, 0), NULL, 10), 1);
		PQclear(res);
	}
	for (i = 0; i < imp->n_rows; i++) {
		const struct eve_import_row *r = &imp->rows[i];
		if (idmap_get(&known, r->killmail_id)) {
			if (r->valued)
				buf_add(&fill, imp->km_rows.data + r->km_off, r->km_len);
			continue;
		}
		buf_addf(&new_ids, "%lld\t", (long long)r->killmail_id);
		col_time(&new_ids, r->time_ms);
		new_ids.data[new_ids.len - 1] = '\n';
		buf_add(&km, imp->km_rows.data + r->km_off, r->km_len);
		buf_add(&att, imp->att_rows.data + r->att_off, r->att_len);
		inserted++;
	}
	if (inserted &&
	    (eve_store_copy(imp->db, "COPY eve.killmail_ids (killmail_id, killmail_time) FROM STDIN", &new_ids) < 0 ||
	     eve_store_copy(imp->db, "COPY eve.killmails (" KM_COLUMNS ") FROM STDIN", &km) < 0 ||
	     eve_store_copy(imp->db, "COPY eve.attackers (" ATT_COLUMNS ") FROM STDIN", &att) < 0))
		goto fail;
	if (fill.len) {
		res = PQexec(imp->db->conn, SQL_STAGE);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			log_error("could not create the staging table: %s", PQresultErrorMessage(res));
			PQclear(res);
			goto fail;
		}
		PQclear(res);
		if (eve_store_copy(imp->db, "COPY eve_stage_km (" KM_COLUMNS ") FROM STDIN", &fill) < 0 ||
		    db_run(imp->db, SQL_FILL_VALUES, 0, NULL) < 0)
			goto fail;
	}
	if (db_commit(imp->db) < 0)
		goto fail;
	imp->inserted += inserted;
	imp->duplicates += (long)imp->pending - inserted;
	imp->pending = 0;
	imp->n_months = 0;
	imp->n_rows = 0;
	buf_reset(&imp->km_rows);
	buf_reset(&imp->att_rows);
	idmap_free(&imp->batch_ids);
	buf_release(&ids);
	buf_release(&new_ids);
	buf_release(&km);
	buf_release(&att);
	buf_release(&fill);
	idmap_free(&known);
	return inserted;
fail:
	db_rollback(imp->db);
	buf_release(&ids);
	buf_release(&new_ids);
	buf_release(&km);
	buf_release(&att);
	buf_release(&fill);
	idmap_free(&known);
	return -1;
}

void eve_import_end(struct eve_import *imp)
{
	buf_release(&imp->km_rows);
	buf_release(&imp->att_rows);
	free(imp->rows);
	imp->rows = NULL;
	imp->n_rows = imp->cap_rows = 0;
	idmap_free(&imp->batch_ids);
	idmap_free(&imp->price_index);
	free(imp->prices);
	imp->prices = NULL;
}

int eve_store_rejected(struct db *db, const char *source, const char *position,
		       const char *reason, const char *doc, size_t len)
{
	struct buf ex = BUF_INIT;
	size_t i;
	int r;
	/* the excerpt as text: control bytes and invalid UTF-8 become '?' */
	for (i = 0; i < len && i < 200; i++) {
		unsigned char c = (unsigned char)doc[i];
		buf_addch(&ex, c < 0x20 || c >= 0x80 ? '?' : (char)c);
	}
	{
		const char *p[] = { source, position, reason, ex.data };
		r = db_run(db, "INSERT INTO eve.rejected (source, position, reason, excerpt)"
			       " VALUES ($1, $2, $3, $4)", 4, p);
	}
	buf_release(&ex);
	return r;
}

int eve_store_ingest_log(struct db *db, const char *source, const struct eve_import *imp,
			 int64_t duration_ms, const char *first_error)
{
	char n[6][24];
	const char *p[8];
	snprintf(n[0], sizeof n[0], "%ld", imp->read);
	snprintf(n[1], sizeof n[1], "%ld", imp->inserted);
	snprintf(n[2], sizeof n[2], "%ld", imp->duplicates);
	snprintf(n[3], sizeof n[3], "%ld", imp->rejected);
	snprintf(n[4], sizeof n[4], "%ld", imp->refs);
	snprintf(n[5], sizeof n[5], "%lld", (long long)duration_ms);
	p[0] = source;
	p[1] = n[0];
	p[2] = n[1];
	p[3] = n[2];
	p[4] = n[3];
	p[5] = n[4];
	p[6] = n[5];
	p[7] = first_error;
	return db_run(db, "INSERT INTO eve.ingest_log (source, read, inserted, duplicates, rejected,"
			  " refs, duration_ms, first_error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		      8, p);
}

int eve_feed_get(struct db *db, const char *feed, int64_t *sequence)
{
	const char *p[] = { feed };
	PGresult *res = db_exec(db, "SELECT sequence FROM eve.feed_state WHERE feed = $1", 1, p);
	if (!res)
		return -1;
	*sequence = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	return 0;
}

int eve_feed_set(struct db *db, const char *feed, int64_t sequence, const char *last_error,
		 int consecutive_failures)
{
	char seq[24], fails[16];
	const char *p[4];
	snprintf(seq, sizeof seq, "%lld", (long long)sequence);
	snprintf(fails, sizeof fails, "%d", consecutive_failures);
	p[0] = feed;
	p[1] = seq;
	p[2] = last_error;
	p[3] = fails;
	return db_run(db, "INSERT INTO eve.feed_state (feed, sequence, last_error, consecutive_failures)"
			  " VALUES ($1, $2, $3, $4) ON CONFLICT (feed) DO UPDATE SET"
			  " sequence = greatest(eve.feed_state.sequence, EXCLUDED.sequence),"
			  " updated_at = now(), last_error = EXCLUDED.last_error,"
			  " consecutive_failures = EXCLUDED.consecutive_failures",
		      4, p);
}

int eve_types_load(struct db *db, struct eve_types *t)
{
	PGresult *res;
	int i, n;
	memset(t, 0, sizeof *t);
	res = db_exec(db, "SELECT t.type_id, t.name, t.group_id, g.name, g.category_id"
			  " FROM eve.types t LEFT JOIN eve.groups g USING (group_id)", 0, NULL);
	if (!res)
		return -1;
	n = PQntuples(res);
	t->rows = calloc((size_t)n + 1, sizeof *t->rows);
	t->names = calloc(2 * (size_t)n + 1, sizeof *t->names);
	if (!t->rows || !t->names)
		abort();
	for (i = 0; i < n; i++) {
		struct eve_type_info *r = &t->rows[t->n];
		r->group_id = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		r->category_id = strtoll(PQgetvalue(res, i, 4), NULL, 10);
		r->type_name = t->names[t->n_names++] = strdup(PQgetvalue(res, i, 1));
		r->group_name = PQgetisnull(res, i, 3) ? NULL : (t->names[t->n_names++] = strdup(PQgetvalue(res, i, 3)));
		idmap_put(&t->index, strtoll(PQgetvalue(res, i, 0), NULL, 10), (uint32_t)t->n++);
	}
	PQclear(res);
	return 0;
}

int eve_types_lookup(void *ctx, int64_t type_id, struct eve_type_info *out)
{
	const struct eve_types *t = ctx;
	uint32_t *x = idmap_get(&t->index, type_id);
	if (!x)
		return -1;
	*out = t->rows[*x];
	return 0;
}

void eve_types_free(struct eve_types *t)
{
	size_t i;
	for (i = 0; i < t->n_names; i++)
		free(t->names[i]);
	free(t->names);
	free(t->rows);
	idmap_free(&t->index);
	memset(t, 0, sizeof *t);
}
