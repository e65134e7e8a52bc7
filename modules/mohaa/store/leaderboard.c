/* leaderboard.c: leaderboards in Redis sorted sets, rebuilt from
 * PostgreSQL (leaderboard.h). */
#include "modules/mohaa/store/leaderboard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "db.h"
#include "kv.h"
#include "log.h"

#define K_READY "gw:mohaa:lb:ready"
#define K_ROWS "gw:mohaa:lb:rows"
#define CHUNK 500

static const char *const global_stats[] = { "kills", "headshots", "damage", "kd" };

bool mohaa_lb_stat_ok(const char *stat)
{
	size_t i;
	for (i = 0; stat && i < sizeof global_stats / sizeof global_stats[0]; i++)
		if (!strcmp(stat, global_stats[i]))
			return true;
	return false;
}

static void board_key(struct buf *k, enum mohaa_board board, const char *key, const char *stat)
{
	static const char *const kinds[] = { "global", "week", "weapon", "map" };
	buf_reset(k);
	buf_addf(k, "gw:mohaa:lb:%s:%s", kinds[board], board == MOHAA_BOARD_GLOBAL ? stat : key);
}

/* A command being built: argv of owned strings. */
struct cmd {
	char **argv;
	size_t *lens;
	size_t n, cap;
};

static void cmd_add(struct cmd *c, const char *s, size_t len)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->argv = realloc(c->argv, c->cap * sizeof *c->argv);
		c->lens = realloc(c->lens, c->cap * sizeof *c->lens);
		if (!c->argv || !c->lens)
			abort();
	}
	c->argv[c->n] = malloc(len + 1);
	if (!c->argv[c->n])
		abort();
	memcpy(c->argv[c->n], s, len);
	c->argv[c->n][len] = '\0';
	c->lens[c->n++] = len;
}

static void cmd_adds(struct cmd *c, const char *s)
{
	cmd_add(c, s, strlen(s));
}

static void cmd_addf(struct cmd *c, double v)
{
	char b[40];
	snprintf(b, sizeof b, "%.17g", v);
	cmd_adds(c, b);
}

/* Keep the first `keep` arguments, free the rest. */
static void cmd_truncate(struct cmd *c, size_t keep)
{
	size_t i;
	for (i = keep; i < c->n; i++)
		free(c->argv[i]);
	if (c->n > keep)
		c->n = keep;
}

static void cmd_reset(struct cmd *c)
{
	cmd_truncate(c, 0);
}

static void cmd_free(struct cmd *c)
{
	cmd_reset(c);
	free(c->argv);
	free(c->lens);
	memset(c, 0, sizeof *c);
}

/* Run c (keeping it); 0 or -1. */
static int cmd_run(struct kv *kv, struct cmd *c)
{
	redisReply *r = kv_cmd(kv, (int)c->n, (const char **)c->argv, c->lens);
	int ok = r && r->type != REDIS_REPLY_ERROR;
	if (r && !ok)
		log_error("redis %s %s failed: %s", c->argv[0], c->n > 1 ? c->argv[1] : "", r->str);
	if (r)
		freeReplyObject(r);
	return ok ? 0 : -1;
}

static double kd_of(int64_t kills, int64_t deaths)
{
	return (double)kills / (double)(deaths > 1 ? deaths : 1);
}

static int64_t jint(struct json_object *o, const char *k)
{
	return json_object_get_int64(json_object_object_get(o, k));
}

static const char *jstr(struct json_object *o, const char *k)
{
	return json_object_get_string(json_object_object_get(o, k));
}

/* The row kept in K_ROWS for player object p (id, name, totals). */
static char *row_json(struct json_object *p)
{
	struct json_object *r = json_object_new_object();
	static const char *const keys[] = { "kills", "deaths", "headshots", "damage", "matches" };
	size_t i;
	char *out;
	json_object_object_add(r, "name", json_object_new_string(jstr(p, "name") ? jstr(p, "name") : ""));
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		json_object_object_add(r, keys[i], json_object_new_int64(jint(p, keys[i])));
	out = strdup(json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN));
	json_object_put(r);
	if (!out)
		abort();
	return out;
}

/* ZADD/HSET the players of arr (global boards and rows). */
static int apply_players(struct kv *kv, struct json_object *arr)
{
	struct cmd c = { 0 };
	struct buf key = BUF_INIT;
	size_t n = json_object_array_length(arr), i, s, from;
	int rc = 0;
	for (from = 0; from < n && !rc; from += CHUNK) {
		size_t to = from + CHUNK < n ? from + CHUNK : n;
		for (s = 0; s < sizeof global_stats / sizeof global_stats[0] && !rc; s++) {
			cmd_reset(&c);
			cmd_adds(&c, "ZADD");
			board_key(&key, MOHAA_BOARD_GLOBAL, "", global_stats[s]);
			cmd_adds(&c, key.data);
			for (i = from; i < to; i++) {
				struct json_object *p = json_object_array_get_idx(arr, i);
				cmd_addf(&c, s == 3 ? kd_of(jint(p, "kills"), jint(p, "deaths"))
					     : (double)jint(p, global_stats[s]));
				cmd_adds(&c, jstr(p, "id"));
			}
			rc = cmd_run(kv, &c);
		}
		if (rc)
			break;
		cmd_reset(&c);
		cmd_adds(&c, "HSET");
		cmd_adds(&c, K_ROWS);
		for (i = from; i < to; i++) {
			struct json_object *p = json_object_array_get_idx(arr, i);
			char *row = row_json(p);
			cmd_adds(&c, jstr(p, "id"));
			cmd_adds(&c, row);
			free(row);
		}
		rc = cmd_run(kv, &c);
	}
	cmd_free(&c);
	buf_release(&key);
	return rc;
}

/* ZADD the members of arr grouped by their `kfield` (weapon, map, week). */
static int apply_grouped(struct kv *kv, struct json_object *arr, enum mohaa_board board,
			 const char *kfield)
{
	struct cmd c = { 0 };
	struct buf key = BUF_INIT;
	size_t n = json_object_array_length(arr), i, j;
	char *done = calloc(n + 1, 1);
	int rc = 0;
	if (!done)
		abort();
	for (i = 0; i < n && !rc; i++) {
		const char *k;
		size_t count = 0;
		if (done[i])
			continue;
		k = jstr(json_object_array_get_idx(arr, i), kfield);
		cmd_reset(&c);
		cmd_adds(&c, "ZADD");
		board_key(&key, board, k, "kills");
		cmd_adds(&c, key.data);
		for (j = i; j < n; j++) {
			struct json_object *o = json_object_array_get_idx(arr, j);
			if (done[j] || strcmp(jstr(o, kfield), k))
				continue;
			done[j] = 1;
			cmd_addf(&c, (double)jint(o, "kills"));
			cmd_adds(&c, jstr(o, "player_id"));
			if (++count == CHUNK) {
				rc = cmd_run(kv, &c);
				cmd_truncate(&c, 2); /* keep "ZADD key" */
				count = 0;
				if (rc)
					break;
			}
		}
		if (!rc && count)
			rc = cmd_run(kv, &c);
	}
	free(done);
	cmd_free(&c);
	buf_release(&key);
	return rc;
}

static void drop_ready(struct kv *kv)
{
	const char *argv[] = { "DEL", K_READY };
	redisReply *r = kv_cmd(kv, 2, argv, NULL);
	if (r)
		freeReplyObject(r);
}

int mohaa_lb_apply(struct kv *kv, const struct mohaa_lb_changes *c)
{
	int rc = 0;
	if (c->players && apply_players(kv, c->players))
		rc = -1;
	if (!rc && c->weapons && apply_grouped(kv, c->weapons, MOHAA_BOARD_WEAPON, "weapon"))
		rc = -1;
	if (!rc && c->maps && apply_grouped(kv, c->maps, MOHAA_BOARD_MAP, "map"))
		rc = -1;
	if (!rc && c->weeks && apply_grouped(kv, c->weeks, MOHAA_BOARD_WEEK, "week"))
		rc = -1;
	if (rc)
		drop_ready(kv);
	return rc;
}

bool mohaa_lb_ready(struct kv *kv)
{
	struct buf v = BUF_INIT;
	bool ok = kv_get(kv, K_READY, &v) == 1 && !strcmp(v.data, "1");
	buf_release(&v);
	return ok;
}

/* DEL every key matching gw:mohaa:lb:* (SCAN, so Redis is not blocked). */
static int drop_all(struct kv *kv)
{
	char cursor[32] = "0";
	do {
		const char *argv[] = { "SCAN", cursor, "MATCH", "gw:mohaa:lb:*", "COUNT", "500" };
		redisReply *r = kv_cmd(kv, 6, argv, NULL);
		size_t i;
		if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
			if (r)
				freeReplyObject(r);
			return -1;
		}
		snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
		if (r->element[1]->elements) {
			struct cmd c = { 0 };
			cmd_adds(&c, "UNLINK");
			for (i = 0; i < r->element[1]->elements; i++)
				cmd_add(&c, r->element[1]->element[i]->str, r->element[1]->element[i]->len);
			cmd_run(kv, &c);
			cmd_free(&c);
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0"));
	return 0;
}

/* Rows of a query as an array of objects named by `cols`. */
static struct json_object *rows_of(PGresult *res, const char *const *cols, const bool *numeric)
{
	struct json_object *arr = json_object_new_array();
	int r, c, nc = PQnfields(res);
	for (r = 0; r < PQntuples(res); r++) {
		struct json_object *o = json_object_new_object();
		for (c = 0; c < nc; c++)
			json_object_object_add(o, cols[c], numeric[c]
				? json_object_new_int64(strtoll(PQgetvalue(res, r, c), NULL, 10))
				: json_object_new_string(PQgetvalue(res, r, c)));
		json_object_array_add(arr, o);
	}
	return arr;
}

int mohaa_lb_rebuild(struct db *db, struct kv *kv, int weeks)
{
	static const char *const pcols[] = { "id", "name", "kills", "deaths", "headshots", "damage",
					     "matches" };
	static const bool pnum[] = { false, false, true, true, true, true, true };
	static const char *const wcols[] = { "player_id", "weapon", "kills" };
	static const char *const mcols[] = { "player_id", "map", "kills" };
	static const char *const kcols[] = { "player_id", "week", "kills" };
	static const bool gnum[] = { false, false, true };
	struct mohaa_lb_changes c = { 0 };
	char nweeks[16];
	const char *params[1] = { nweeks };
	PGresult *res;
	int rc = -1;

	drop_ready(kv);
	if (drop_all(kv) < 0)
		return -1;
	res = db_exec(db, "SELECT id, name, kills, deaths, headshots, damage, matches FROM mohaa.players",
		      0, NULL);
	if (!res)
		goto out;
	c.players = rows_of(res, pcols, pnum);
	PQclear(res);
	res = db_exec(db, "SELECT player_id, weapon, kills FROM mohaa.player_weapons", 0, NULL);
	if (!res)
		goto out;
	c.weapons = rows_of(res, wcols, gnum);
	PQclear(res);
	res = db_exec(db, "SELECT player_id, map_name, kills FROM mohaa.player_maps", 0, NULL);
	if (!res)
		goto out;
	c.maps = rows_of(res, mcols, gnum);
	PQclear(res);
	snprintf(nweeks, sizeof nweeks, "%d", weeks);
	res = db_exec(db, "SELECT player_id, week::text, kills FROM mohaa.player_weeks"
			  " WHERE week >= (date_trunc('week', now() AT TIME ZONE 'UTC')"
			  " - make_interval(weeks => $1::int))::date", 1, params);
	if (!res)
		goto out;
	c.weeks = rows_of(res, kcols, gnum);
	PQclear(res);
	if (mohaa_lb_apply(kv, &c) == 0) {
		const char *argv[] = { "SET", K_READY, "1" };
		redisReply *r = kv_cmd(kv, 3, argv, NULL);
		rc = r && r->type == REDIS_REPLY_STATUS ? 0 : -1;
		if (r)
			freeReplyObject(r);
	}
out:
	mohaa_lb_changes_free(&c);
	return rc;
}

/* ---- reading -------------------------------------------------------------------- */

static struct json_object *page_head(enum mohaa_board board, const char *key, const char *stat,
				     int offset, int limit, const char *source)
{
	static const char *const kinds[] = { "global", "weekly", "weapon", "map" };
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "board", json_object_new_string(kinds[board]));
	json_object_object_add(o, "key", board == MOHAA_BOARD_GLOBAL ? NULL : json_object_new_string(key));
	json_object_object_add(o, "stat", json_object_new_string(board == MOHAA_BOARD_GLOBAL ? stat : "kills"));
	json_object_object_add(o, "offset", json_object_new_int(offset));
	json_object_object_add(o, "limit", json_object_new_int(limit));
	json_object_object_add(o, "source", json_object_new_string(source));
	return o;
}

static struct json_object *value_of(const char *stat, double v)
{
	return stat && !strcmp(stat, "kd") ? json_object_new_double(v) : json_object_new_int64((int64_t)v);
}

static void add_totals(struct json_object *e, int64_t kills, int64_t deaths, int64_t hs,
		       int64_t dmg, int64_t matches)
{
	json_object_object_add(e, "kills", json_object_new_int64(kills));
	json_object_object_add(e, "deaths", json_object_new_int64(deaths));
	json_object_object_add(e, "headshots", json_object_new_int64(hs));
	json_object_object_add(e, "damage", json_object_new_int64(dmg));
	json_object_object_add(e, "kd", json_object_new_double(kd_of(kills, deaths)));
	json_object_object_add(e, "matches", json_object_new_int64(matches));
}

static struct json_object *read_redis(struct kv *kv, enum mohaa_board board, const char *key,
				      const char *stat, int offset, int limit)
{
	struct buf k = BUF_INIT;
	char start[16], stop[16];
	struct json_object *out = NULL, *entries;
	redisReply *z = NULL, *h = NULL, *card = NULL;
	struct cmd c = { 0 };
	size_t i;

	board_key(&k, board, key, stat);
	snprintf(start, sizeof start, "%d", offset);
	snprintf(stop, sizeof stop, "%d", offset + limit - 1);
	{
		const char *argv[] = { "ZREVRANGE", k.data, start, stop, "WITHSCORES" };
		const char *cargv[] = { "ZCARD", k.data };
		z = kv_cmd(kv, 5, argv, NULL);
		card = z ? kv_cmd(kv, 2, cargv, NULL) : NULL;
	}
	if (!z || !card || z->type != REDIS_REPLY_ARRAY || card->type != REDIS_REPLY_INTEGER)
		goto out;
	cmd_adds(&c, "HMGET");
	cmd_adds(&c, K_ROWS);
	for (i = 0; i + 1 < z->elements; i += 2)
		cmd_add(&c, z->element[i]->str, z->element[i]->len);
	if (c.n > 2) {
		h = kv_cmd(kv, (int)c.n, (const char **)c.argv, c.lens);
		if (!h || h->type != REDIS_REPLY_ARRAY || h->elements != z->elements / 2)
			goto out;
	}
	out = page_head(board, key, stat, offset, limit, "redis");
	json_object_object_add(out, "total", json_object_new_int64(card->integer));
	entries = json_object_new_array();
	json_object_object_add(out, "entries", entries);
	for (i = 0; i + 1 < z->elements; i += 2) {
		struct json_object *e = json_object_new_object(), *row = NULL, *nm;
		double score = strtod(z->element[i + 1]->str, NULL);
		if (h && h->element[i / 2]->type == REDIS_REPLY_STRING)
			row = json_tokener_parse(h->element[i / 2]->str);
		json_object_object_add(e, "rank", json_object_new_int(offset + (int)(i / 2) + 1));
		json_object_object_add(e, "player_id", json_object_new_string(z->element[i]->str));
		nm = row ? json_object_object_get(row, "name") : NULL;
		json_object_object_add(e, "name", json_object_new_string(
			nm ? json_object_get_string(nm) : z->element[i]->str));
		json_object_object_add(e, "value", value_of(board == MOHAA_BOARD_GLOBAL ? stat : "kills",
							    score));
		if (board == MOHAA_BOARD_GLOBAL)
			add_totals(e, jint(row, "kills"), jint(row, "deaths"), jint(row, "headshots"),
				   jint(row, "damage"), jint(row, "matches"));
		json_object_put(row);
		json_object_array_add(entries, e);
	}
out:
	if (z)
		freeReplyObject(z);
	if (h)
		freeReplyObject(h);
	if (card)
		freeReplyObject(card);
	cmd_free(&c);
	buf_release(&k);
	return out;
}

struct json_object *mohaa_lb_read_pg(struct db *db, enum mohaa_board board, const char *key,
				     const char *stat, int offset, int limit)
{
	char off[16], lim[16];
	const char *params[3] = { off, lim, key };
	struct json_object *out, *entries;
	const char *sql;
	PGresult *res;
	int r;
	snprintf(off, sizeof off, "%d", offset);
	snprintf(lim, sizeof lim, "%d", limit);
	switch (board) {
	case MOHAA_BOARD_GLOBAL:
		sql = !strcmp(stat, "kd")
			? "SELECT id, name, kills::float8 / greatest(deaths, 1) AS v, kills, deaths, headshots,"
			  " damage, matches, count(*) OVER () FROM mohaa.players ORDER BY v DESC, id DESC"
			  " OFFSET $1::int LIMIT $2::int"
			: !strcmp(stat, "headshots")
			? "SELECT id, name, headshots, kills, deaths, headshots, damage, matches, count(*) OVER ()"
			  " FROM mohaa.players ORDER BY headshots DESC, id DESC OFFSET $1::int LIMIT $2::int"
			: !strcmp(stat, "damage")
			? "SELECT id, name, damage, kills, deaths, headshots, damage, matches, count(*) OVER ()"
			  " FROM mohaa.players ORDER BY damage DESC, id DESC OFFSET $1::int LIMIT $2::int"
			: "SELECT id, name, kills, kills, deaths, headshots, damage, matches, count(*) OVER ()"
			  " FROM mohaa.players ORDER BY kills DESC, id DESC OFFSET $1::int LIMIT $2::int";
		res = db_exec(db, sql, 2, params);
		break;
	case MOHAA_BOARD_WEEK:
		res = db_exec(db, "SELECT w.player_id, coalesce(p.name, w.player_id), w.kills, count(*) OVER ()"
				  " FROM mohaa.player_weeks w LEFT JOIN mohaa.players p ON p.id = w.player_id"
				  " WHERE w.week = $3::date ORDER BY w.kills DESC, w.player_id DESC"
				  " OFFSET $1::int LIMIT $2::int", 3, params);
		break;
	case MOHAA_BOARD_WEAPON:
		res = db_exec(db, "SELECT w.player_id, coalesce(p.name, w.player_id), w.kills, count(*) OVER ()"
				  " FROM mohaa.player_weapons w LEFT JOIN mohaa.players p ON p.id = w.player_id"
				  " WHERE w.weapon = $3 ORDER BY w.kills DESC, w.player_id DESC"
				  " OFFSET $1::int LIMIT $2::int", 3, params);
		break;
	default:
		res = db_exec(db, "SELECT w.player_id, coalesce(p.name, w.player_id), w.kills, count(*) OVER ()"
				  " FROM mohaa.player_maps w LEFT JOIN mohaa.players p ON p.id = w.player_id"
				  " WHERE w.map_name = $3 ORDER BY w.kills DESC, w.player_id DESC"
				  " OFFSET $1::int LIMIT $2::int", 3, params);
		break;
	}
	if (!res)
		return NULL;
	out = page_head(board, key, stat, offset, limit, "postgres");
	entries = json_object_new_array();
	for (r = 0; r < PQntuples(res); r++) {
		struct json_object *e = json_object_new_object();
		json_object_object_add(e, "rank", json_object_new_int(offset + r + 1));
		json_object_object_add(e, "player_id", json_object_new_string(PQgetvalue(res, r, 0)));
		json_object_object_add(e, "name", json_object_new_string(PQgetvalue(res, r, 1)));
		json_object_object_add(e, "value", value_of(board == MOHAA_BOARD_GLOBAL ? stat : "kills",
							    strtod(PQgetvalue(res, r, 2), NULL)));
		if (board == MOHAA_BOARD_GLOBAL)
			add_totals(e, strtoll(PQgetvalue(res, r, 3), NULL, 10),
				   strtoll(PQgetvalue(res, r, 4), NULL, 10),
				   strtoll(PQgetvalue(res, r, 5), NULL, 10),
				   strtoll(PQgetvalue(res, r, 6), NULL, 10),
				   strtoll(PQgetvalue(res, r, 7), NULL, 10));
		json_object_array_add(entries, e);
	}
	/* the total: from the window when the page has rows, else a count */
	if (PQntuples(res)) {
		json_object_object_add(out, "total", json_object_new_int64(
			strtoll(PQgetvalue(res, 0, PQnfields(res) - 1), NULL, 10)));
	} else {
		PGresult *cnt;
		const char *cp[1] = { key };
		cnt = board == MOHAA_BOARD_GLOBAL ? db_exec(db, "SELECT count(*) FROM mohaa.players", 0, NULL)
		      : board == MOHAA_BOARD_WEEK ? db_exec(db, "SELECT count(*) FROM mohaa.player_weeks WHERE week = $1::date", 1, cp)
		      : board == MOHAA_BOARD_WEAPON ? db_exec(db, "SELECT count(*) FROM mohaa.player_weapons WHERE weapon = $1", 1, cp)
		      : db_exec(db, "SELECT count(*) FROM mohaa.player_maps WHERE map_name = $1", 1, cp);
		json_object_object_add(out, "total", json_object_new_int64(
			cnt ? strtoll(PQgetvalue(cnt, 0, 0), NULL, 10) : 0));
		if (cnt)
			PQclear(cnt);
	}
	json_object_object_add(out, "entries", entries);
	PQclear(res);
	return out;
}

struct json_object *mohaa_lb_read(struct db *db, struct kv *kv, enum mohaa_board board,
				  const char *key, const char *stat, int offset, int limit)
{
	struct json_object *out = NULL;
	if (mohaa_lb_ready(kv))
		out = read_redis(kv, board, key, stat, offset, limit);
	return out ? out : mohaa_lb_read_pg(db, board, key, stat, offset, limit);
}
