/* job-cluster.c: gamewatch-job eve-cluster [--full] [--gap MIN]
 * [--window MIN] [--min-kills N] [--no-correlate]
 *
 * Builds battles from the stored killmails, incrementally: only systems
 * with killmails that arrived since the last run (eve.killmail_ids.seq)
 * are re-clustered, each from the start of the cluster that held the kill
 * just before its earliest new kill (clusters are contiguous runs of a
 * system's (time, id) order, so earlier clusters cannot change). Battle
 * ids survive a rebuild: a new cluster takes the id of the old battle that
 * held most of its kills. Parameters come from the options or
 * EVE_CLUSTER_GAP_MINUTES, EVE_CLUSTER_WINDOW_MINUTES, EVE_CLUSTER_MIN_KILLS
 * (defaults 15, 30, 2: the BattleScope spec's); a change of parameters, or
 * --full, rebuilds everything. Holds <run_dir>/gamewatch-eve-cluster.lock.
 * docs/eve-battles.md describes the algorithm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "buf.h"
#include "db.h"
#include "log.h"
#include "modules/eve/module.h"
#include "modules/eve/store/eve-live.h"
#include "modules/eve/store/eve-battles.h"
#include "modules/eve/store/eve-store.h"
#include "platform/jobs/job.h"
#include "platform/jobs/lock.h"
#include "timeutil.h"

struct ctx {
	struct db *db;
	struct eve_cluster_params cp;
	struct eve_side_params sp;
	struct eve_systems systems;
	struct eve_types types;
	long kills, clusters, battles;
};

static int env_minutes(const char *name, int def, int lo, int hi)
{
	const char *v = getenv(name);
	char *end;
	long x;
	if (!v || !*v)
		return def;
	x = strtol(v, &end, 10);
	if (*end || x < lo || x > hi) {
		log_warn("%s=%s is not %d..%d; using %d", name, v, lo, hi, def);
		return def;
	}
	return (int)x;
}

static void col_time(struct buf *b, int64_t ms)
{
	char s[32];
	buf_addstr(b, time_iso8601(ms, s, sizeof s));
	buf_addch(b, '\t');
}

/* The participants of a report as eve.battle_participants rows. */
static void participant_rows(struct buf *bp, int64_t battle_id, struct json_object *report)
{
	struct json_object *parts, *v;
	size_t i;
	if (!json_object_object_get_ex(report, "participants", &parts))
		return;
	for (i = 0; i < json_object_array_length(parts); i++) {
		struct json_object *p = json_object_array_get_idx(parts, i);
		static const char *const keys[] = { "character_id", "ship_type_id", "corporation_id" };
		size_t k;
		buf_addf(bp, "%lld\t", (long long)battle_id);
		for (k = 0; k < 3; k++) {
			json_object_object_get_ex(p, keys[k], &v);
			buf_addstr(bp, v ? json_object_get_string(v) : "0");
			buf_addch(bp, '\t');
		}
		json_object_object_get_ex(p, "alliance_id", &v);
		buf_addstr(bp, v ? json_object_get_string(v) : "\\N");
		json_object_object_get_ex(p, "side", &v);
		buf_addf(bp, "\t%d\t", json_object_get_int(v));
		json_object_object_get_ex(p, "lost", &v);
		buf_addstr(bp, json_object_get_boolean(v) ? "t\n" : "f\n");
	}
}

/* Re-cluster one system from its restart point. */
static int cluster_system(struct ctx *c, const struct eve_touched *t)
{
	int64_t from_ms, from_id, *ents = NULL, *ids = NULL;
	struct eve_kills k;
	struct eve_ckill *ck;
	uint32_t *cl;
	long n, i;
	size_t j, total = 0, off = 0;
	struct eve_sysinfo si = eve_systems_get(&c->systems, t->system_id);
	struct buf rb = BUF_INIT, rbk = BUF_INIT, rbp = BUF_INIT;
	size_t *first, *count;
	int ret = -1;

	if (eve_restart_point(c->db, t, &from_ms, &from_id) < 0 ||
	    eve_kills_load(c->db, t->system_id, from_ms, from_id, &k) < 0)
		return -1;
	if (!k.n) {
		eve_kills_free(&k);
		return 0;
	}
	for (j = 0; j < k.n; j++)
		total += k.km[j].n_attackers + 1;
	ck = calloc(k.n, sizeof *ck);
	ents = calloc(total, sizeof *ents);
	cl = calloc(k.n, sizeof *cl);
	if (!ck || !ents || !cl)
		abort();
	for (j = 0; j < k.n; j++) {
		ck[j].killmail_id = k.km[j].killmail_id;
		ck[j].time_ms = k.km[j].time_ms;
		ck[j].system_id = t->system_id;
		ck[j].instanced = si.space == EVE_SPACE_ABYSSAL || si.space == EVE_SPACE_OTHER;
		ck[j].entities = ents + off;
		ck[j].n_entities = eve_killmail_entities(&k.km[j], ents + off);
		off += ck[j].n_entities;
	}
	n = eve_cluster(ck, k.n, &c->cp, cl);
	if (n < 0)
		goto out;
	/* kills are loaded in (time, id) order, so each cluster's kills are a
	 * contiguous run in k: first[c], count[c] */
	first = calloc((size_t)n, sizeof *first);
	count = calloc((size_t)n, sizeof *count);
	ids = calloc((size_t)n, sizeof *ids);
	if (!first || !count || !ids)
		abort();
	for (j = k.n; j-- > 0;) {
		first[cl[j]] = j;
		count[cl[j]]++;
	}
	/* battle ids: keep the old id that held most of a cluster's kills */
	{
		struct idmap taken = IDMAP_INIT;
		size_t need = 0, used = 0;
		int64_t *fresh;
		for (i = 0; i < n; i++) {
			struct idmap votes = IDMAP_INIT;
			uint32_t best = 0;
			for (j = first[i]; j < first[i] + count[i]; j++) {
				uint32_t *v;
				if (!k.old_battle[j] || idmap_get(&taken, k.old_battle[j]))
					continue;
				v = idmap_get(&votes, k.old_battle[j]);
				v = idmap_put(&votes, k.old_battle[j], v ? *v + 1 : 1);
				if (*v > best) {
					best = *v;
					ids[i] = k.old_battle[j];
				}
			}
			if (ids[i])
				idmap_put(&taken, ids[i], 1);
			else
				need++;
			idmap_free(&votes);
		}
		fresh = calloc(need + 1, sizeof *fresh);
		if (!fresh)
			abort();
		if (eve_battle_ids(c->db, need, fresh) < 0) {
			free(fresh);
			idmap_free(&taken);
			goto out2;
		}
		for (i = 0; i < n; i++)
			if (!ids[i])
				ids[i] = fresh[used++];
		free(fresh);
		idmap_free(&taken);
	}
	for (i = 0; i < n; i++) {
		const struct eve_killmail **kp = malloc(count[i] * sizeof *kp);
		int *ks = calloc(count[i], sizeof *ks);
		struct json_object *report = NULL, *v;
		struct buf url = BUF_INIT;
		bool battle = (long)count[i] >= c->cp.min_kills;
		int64_t isk = 0, known = 0, start = k.km[first[i]].time_ms,
			end = k.km[first[i] + count[i] - 1].time_ms;
		char isks[32];
		if (!kp || !ks)
			abort();
		for (j = 0; j < count[i]; j++) {
			kp[j] = &k.km[first[i] + j];
			if (kp[j]->zkb.total_cents >= 0) {
				eve_isk_add(&isk, kp[j]->zkb.total_cents);
				known++;
			}
		}
		eve_related_url(&url, t->system_id, start);
		if (battle) {
			struct json_object *urls = json_object_new_array();
			report = eve_battle_report(kp, count[i], &c->sp, eve_types_lookup, &c->types, ks);
			json_object_object_add(report, "system_id", json_object_new_string(
				       (snprintf(isks, sizeof isks, "%lld", (long long)t->system_id), isks)));
			json_object_object_add(report, "space_type", json_object_new_string(eve_space_token(si.space)));
			json_object_object_add(report, "sec_band", json_object_new_string(eve_band_token(si.band)));
			json_object_object_add(report, "zkill_related_url", json_object_new_string(url.data));
			eve_related_urls(urls, t->system_id, start, end);
			json_object_object_add(report, "zkill_related_urls", urls);
			c->battles++;
		}
		/* eve.battles row */
		buf_addf(&rb, "%lld\t%lld\t", (long long)ids[i], (long long)t->system_id);
		if (si.region_id)
			buf_addf(&rb, "%lld\t", (long long)si.region_id);
		else
			buf_addstr(&rb, "\\N\t");
		buf_addf(&rb, "%s\t%s\t", eve_space_token(si.space), eve_band_token(si.band));
		col_time(&rb, start);
		col_time(&rb, end);
		buf_addf(&rb, "%lld\t%zu\t%s\t%s\t%lld\t", (long long)k.km[first[i]].killmail_id, count[i],
			 battle ? "t" : "f", eve_isk_format(isk, isks, sizeof isks), (long long)known);
		if (report) {
			json_object_object_get_ex(report, "pilots", &v);
			buf_addf(&rb, "%d\t", json_object_get_int(v));
			json_object_object_get_ex(report, "side_count", &v);
			buf_addf(&rb, "%d\t", json_object_get_int(v));
		} else {
			buf_addstr(&rb, "0\t0\t");
		}
		buf_addstr(&rb, url.data);
		buf_addch(&rb, '\t');
		if (report)
			eve_copy_escape(&rb, json_object_to_json_string_ext(report, JSON_C_TO_STRING_PLAIN |
									JSON_C_TO_STRING_NOSLASHESCAPE));
		else
			buf_addstr(&rb, "\\N");
		buf_addch(&rb, '\n');
		for (j = 0; j < count[i]; j++) {
			buf_addf(&rbk, "%lld\t%lld\t", (long long)kp[j]->killmail_id, (long long)ids[i]);
			col_time(&rbk, kp[j]->time_ms);
			buf_addf(&rbk, "%d\n", ks[j]);
		}
		if (report)
			participant_rows(&rbp, ids[i], report);
		json_object_put(report);
		buf_release(&url);
		free(kp);
		free(ks);
	}
	if (eve_battles_replace(c->db, t->system_id, from_ms, from_id, &rb, &rbk, &rbp) < 0)
		goto out2;
	c->kills += (long)k.n;
	c->clusters += n;
	ret = 0;
out2:
	free(first);
	free(count);
out:
	free(ids);
	free(ck);
	free(ents);
	free(cl);
	buf_release(&rb);
	buf_release(&rbk);
	buf_release(&rbp);
	eve_kills_free(&k);
	return ret;
}

int job_eve_cluster(const struct cfg *cfg, int argc, char **argv)
{
	struct ctx c;
	struct db db;
	struct buf lockpath = BUF_INIT, params = BUF_INIT, stored = BUF_INIT;
	struct eve_touched *touched = NULL;
	size_t nt = 0, i;
	int64_t last_seq, max_seq, t0 = time_mono_ms();
	int lock, ret = 1, full = 0, a;

	memset(&c, 0, sizeof c);
	c.cp = (struct eve_cluster_params)EVE_CLUSTER_DEFAULTS;
	c.sp = (struct eve_side_params)EVE_SIDE_DEFAULTS;
	c.cp.gap_ms = env_minutes("EVE_CLUSTER_GAP_MINUTES", 15, 0, 1440) * 60000LL;
	c.cp.window_ms = env_minutes("EVE_CLUSTER_WINDOW_MINUTES", 30, 0, 1440) * 60000LL;
	c.cp.min_kills = env_minutes("EVE_CLUSTER_MIN_KILLS", 2, 1, 100000);
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--full")) {
			full = 1;
		} else if (!strcmp(argv[a], "--no-correlate")) {
			c.cp.correlate = false;
		} else if (a + 1 < argc && (!strcmp(argv[a], "--gap") || !strcmp(argv[a], "--window") ||
					    !strcmp(argv[a], "--min-kills"))) {
			char *end;
			long v = strtol(argv[a + 1], &end, 10);
			if (*end || v < (strcmp(argv[a], "--min-kills") ? 0 : 1) || v > 100000) {
				fprintf(stderr, "eve-cluster: bad value for %s\n", argv[a]);
				return 2;
			}
			if (!strcmp(argv[a], "--gap"))
				c.cp.gap_ms = v * 60000LL;
			else if (!strcmp(argv[a], "--window"))
				c.cp.window_ms = v * 60000LL;
			else
				c.cp.min_kills = (int)v;
			a++;
		} else {
			fprintf(stderr, "usage: gamewatch-job eve-cluster [--full] [--gap MIN] [--window MIN]"
					" [--min-kills N] [--no-correlate]\n");
			return 2;
		}
	}
	buf_addf(&params, "gap_ms=%lld window_ms=%lld min_kills=%d correlate=%d hostility=%d",
		 (long long)c.cp.gap_ms, (long long)c.cp.window_ms, c.cp.min_kills, c.cp.correlate,
		 c.sp.hostility_weight);

	buf_addf(&lockpath, "%s/gamewatch-eve-cluster.lock", cfg->run_dir);
	lock = lock_take(lockpath.data);
	buf_release(&lockpath);
	if (lock == -2) {
		log_info("eve-cluster: another run holds the lock");
		buf_release(&params);
		return 0;
	}
	if (lock < 0) {
		buf_release(&params);
		return 1;
	}
	c.db = &db;
	if (db_open(&db, cfg->database_url) < 0)
		goto out;
	if (db_run(&db, "SET client_min_messages = warning", 0, NULL) < 0 ||
	    eve_cluster_state_get(&db, &last_seq, &stored) < 0)
		goto out;
	if (full || strcmp(stored.data, params.data)) {
		if (last_seq >= 0 && !full)
			log_info("eve-cluster: parameters changed (%s): rebuilding", params.data);
		/* every system from its first kill; old ids are kept where a
		 * new cluster holds their kills */
		last_seq = -1;
	}
	if (eve_systems_load(&db, &c.systems) < 0 || eve_types_load(&db, &c.types) < 0)
		goto out;
	/* wait for importing transactions to finish, so no lower seq can
	 * commit after we read */
	if (db_begin(&db) < 0 ||
	    db_run(&db, "LOCK TABLE eve.killmail_ids IN SHARE MODE", 0, NULL) < 0 ||
	    eve_touched_since(&db, last_seq, &touched, &nt, &max_seq) < 0 || db_commit(&db) < 0) {
		db_rollback(&db);
		goto out;
	}
	for (i = 0; i < nt && !job_stop; i++)
		if (cluster_system(&c, &touched[i]) < 0)
			goto out;
	if (job_stop)
		goto out;
	if (eve_cluster_state_set(&db, max_seq, params.data, time_mono_ms() - t0) < 0)
		goto out;
	log_info("eve-cluster: %zu systems, %ld kills re-clustered into %ld clusters (%ld battles)"
		 " in %lld ms",
		 nt, c.kills, c.clusters, c.battles, (long long)(time_mono_ms() - t0));
	/* the live feed shows each kill's battle: publish it again when
	 * battles changed, or when Redis lost it */
	{
		struct eve_live live;
		eve_live_init(&live, cfg->redis_url);
		if (nt > 0 || eve_live_missing(&live) == 1)
			eve_live_publish(&live, &db);
		eve_live_close(&live);
	}
	ret = 0;
out:
	free(touched);
	eve_systems_free(&c.systems);
	eve_types_free(&c.types);
	if (c.db)
		db_close(&db);
	buf_release(&params);
	buf_release(&stored);
	close(lock);
	return ret;
}
