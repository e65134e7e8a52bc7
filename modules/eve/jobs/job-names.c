/* job-names.c: gamewatch-job eve-names [--limit N] [--days D]
 *
 * Names for the character, corporation and alliance ids seen in the kills
 * of the last --days D days (default 2; 0: all) (modules/eve/FORMAT.md
 * section 8): ids without a name in eve.names, or
 * with one older than a week (names change), newest kills first, at most N
 * (default 5000) per run, resolved with ESI's POST /universe/names/ (base
 * EVE_ESI_URL, default https://esi.evetech.net/latest) in chunks of 1000.
 * ESI answers 404 for a whole chunk when one id is unknown: the chunk is
 * then halved until the bad id is alone and skipped. 420/429/5xx stop the
 * run (the next scheduled run retries). When names were stored, the live
 * kill feed is published again with them (store/eve-live.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "modules/eve/module.h"
#include "modules/eve/store/eve-battles.h"
#include "modules/eve/store/eve-live.h"
#include "modules/eve/store/eve-store.h"
#include "platform/jobs/job.h"

#define CHUNK 1000

struct run {
	struct db *db;
	const char *url;
	long stored, unknown;
	int stop;
};

/* POST ids[0..n) and store the answer; halve on 404. */
static void resolve(struct run *r, const int64_t *ids, size_t n, int depth)
{
	struct http_response res;
	struct http_options opt = { 2000, 15000, 4u << 20, NULL };
	static const char *const headers[] = { "Content-Type: application/json",
					       "Accept: application/json", NULL };
	struct buf body = BUF_INIT, rows = BUF_INIT;
	size_t i;

	if (!n || r->stop || job_stop)
		return;
	buf_addch(&body, '[');
	for (i = 0; i < n; i++)
		buf_addf(&body, "%s%lld", i ? "," : "", (long long)ids[i]);
	buf_addch(&body, ']');
	memset(&res, 0, sizeof res);
	if (http_send("POST", r->url, headers, body.data, body.len, &opt, &res) < 0) {
		log_warn("eve-names: %s: %s", r->url, res.error);
		r->stop = 1;
	} else if (res.status == 404 && n > 1 && depth < 12) {
		resolve(r, ids, n / 2, depth + 1);
		resolve(r, ids + n / 2, n - n / 2, depth + 1);
	} else if (res.status == 404) {
		r->unknown += (long)n;
	} else if (res.status != 200) {
		log_warn("eve-names: %s answered %ld; stopping this run", r->url, res.status);
		r->stop = 1;
	} else {
		struct json_object *arr = json_tokener_parse(res.body.data);
		size_t m = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
		for (i = 0; i < m; i++) {
			struct json_object *o = json_object_array_get_idx(arr, i), *id, *name, *cat;
			if (!json_object_object_get_ex(o, "id", &id) || !json_object_is_type(id, json_type_int) ||
			    !json_object_object_get_ex(o, "name", &name) || !json_object_is_type(name, json_type_string) ||
			    !json_object_object_get_ex(o, "category", &cat) || !json_object_is_type(cat, json_type_string) ||
			    json_object_get_int64(id) <= 0)
				continue;
			buf_addf(&rows, "%lld\t", (long long)json_object_get_int64(id));
			eve_copy_escape(&rows, json_object_get_string(cat));
			buf_addch(&rows, '\t');
			eve_copy_escape(&rows, json_object_get_string(name));
			buf_addch(&rows, '\n');
			r->stored++;
		}
		if (!arr)
			log_warn("eve-names: %s answered something that is not a JSON array", r->url);
		json_object_put(arr);
		if (rows.len &&
		    (db_begin(r->db) < 0 ||
		     db_run(r->db, "CREATE TEMP TABLE IF NOT EXISTS eve_stage_names"
				   " (id bigint, category text, name text) ON COMMIT DELETE ROWS", 0, NULL) < 0 ||
		     eve_store_copy(r->db, "COPY eve_stage_names (id, category, name) FROM STDIN", &rows) < 0 ||
		     db_run(r->db, "INSERT INTO eve.names (id, category, name)"
				   " SELECT DISTINCT ON (id) id, category, name FROM eve_stage_names"
				   " ON CONFLICT (id) DO UPDATE SET category = EXCLUDED.category,"
				   " name = EXCLUDED.name, fetched_at = now()", 0, NULL) < 0 ||
		     db_commit(r->db) < 0)) {
			db_rollback(r->db);
			r->stop = 1;
		}
	}
	http_response_release(&res);
	buf_release(&body);
	buf_release(&rows);
}

int job_eve_names(const struct cfg *cfg, int argc, char **argv)
{
	const char *base = getenv("EVE_ESI_URL");
	struct buf url = BUF_INIT;
	struct db db;
	struct run r;
	PGresult *res;
	int64_t *ids;
	long limit = 5000, days = 2;
	int i, n, a;
	char lim[24], d[24];
	const char *p[2];

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--limit") && a + 1 < argc && atol(argv[a + 1]) > 0)
			limit = atol(argv[++a]);
		else if (!strcmp(argv[a], "--days") && a + 1 < argc && atol(argv[a + 1]) >= 0)
			days = atol(argv[++a]);
		else {
			fprintf(stderr, "usage: gamewatch-job eve-names [--limit N] [--days D]\n");
			return 2;
		}
	}
	buf_addf(&url, "%s/universe/names/", base && *base ? base : "https://esi.evetech.net/latest");
	if (db_open(&db, cfg->database_url) < 0) {
		db_close(&db);
		buf_release(&url);
		return 1;
	}
	snprintf(lim, sizeof lim, "%ld", limit);
	p[0] = lim;
	snprintf(d, sizeof d, "%ld", days);
	p[1] = d;
	/* the newest kills' parties first; NPC corporations and factions have
	 * names too, but only player entities are looked up here */
	res = db_exec(&db,
		      "WITH seen AS ("
		      "  SELECT id, max(t) t FROM ("
		      "   SELECT unnest(ARRAY[victim_character_id, victim_corporation_id, victim_alliance_id]) id,"
		      "    killmail_time t FROM eve.killmails"
		      "    WHERE $2::int = 0 OR killmail_time > now() - make_interval(days => $2::int)"
		      "   UNION ALL SELECT unnest(ARRAY[character_id, corporation_id, alliance_id]),"
		      "    killmail_time FROM eve.attackers"
		      "    WHERE $2::int = 0 OR killmail_time > now() - make_interval(days => $2::int)) x"
		      "  WHERE id IS NOT NULL AND id > 0 GROUP BY id)"
		      " SELECT s.id FROM seen s LEFT JOIN eve.names n ON n.id = s.id"
		      " WHERE n.id IS NULL OR n.fetched_at < now() - interval '7 days'"
		      " ORDER BY s.t DESC, s.id LIMIT $1::int",
		      2, p);
	if (!res) {
		db_close(&db);
		buf_release(&url);
		return 1;
	}
	n = PQntuples(res);
	ids = calloc((size_t)n + 1, sizeof *ids);
	if (!ids)
		abort();
	for (i = 0; i < n; i++)
		ids[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	PQclear(res);
	memset(&r, 0, sizeof r);
	r.db = &db;
	r.url = url.data;
	for (i = 0; i < n && !r.stop && !job_stop; i += CHUNK)
		resolve(&r, ids + i, (size_t)(n - i < CHUNK ? n - i : CHUNK), 0);
	log_info("eve-names: %d ids asked, %ld names stored, %ld unknown%s", n, r.stored, r.unknown,
		 r.stop ? " (stopped early)" : "");
	/* the live feed shows names beside ids: publish it again when names
	 * arrived, or its streams keep the ids alone until the next kill */
	if (r.stored > 0) {
		struct eve_live live;
		eve_live_init(&live, cfg->redis_url);
		eve_live_publish(&live, &db);
		eve_live_close(&live);
	}
	free(ids);
	db_close(&db);
	buf_release(&url);
	return r.stop ? 1 : 0;
}
