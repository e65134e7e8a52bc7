/* report.c: the battle report document of one battle (docs/eve-battles.md
 * "Report"): totals, sides with ISK lost and destroyed and efficiency,
 * ship classes lost and fielded, the kill list, participants and a
 * timeline. ISK stays in integer hundredths until formatted. */
#include "modules/eve/domain/eve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "modules/eve/domain/idmap.h"
#include "timeutil.h"

static struct json_object *id_str(int64_t id)
{
	char s[24];
	if (!id)
		return NULL;
	snprintf(s, sizeof s, "%lld", (long long)id);
	return json_object_new_string(s);
}

static struct json_object *isk_str(int64_t cents)
{
	char s[32];
	return json_object_new_string(eve_isk_format(cents, s, sizeof s));
}

static struct json_object *iso(int64_t ms)
{
	char s[32];
	return json_object_new_string(time_iso8601(ms, s, sizeof s));
}

static int64_t kill_value(const struct eve_killmail *km)
{
	return km->zkb.total_cents >= 0 ? km->zkb.total_cents : 0;
}

/* A ship class (group) in a side's losses or fielded ships. */
struct gentry {
	int64_t gid;
	const char *name;  /* borrowed from the type lookup */
	long count;
	int64_t isk;
};

struct glist {
	struct idmap index; /* gid + 1 -> entry */
	struct gentry *e;
	size_t n, cap;
};

/* Per side (index 0 = unaligned) tallies. */
struct side_tally {
	int64_t isk_lost, isk_destroyed, damage;
	long ships_lost, capsules_lost, final_blows, kills;
	struct idmap pilots;      /* character -> 1 */
	struct glist lost, field;
	struct idmap field_seen;  /* (pilot, ship) keys counted in field */
};

struct participant {
	int64_t character_id, corporation_id, alliance_id, ship_type_id;
	int side;
	bool lost;
	int64_t damage;
	long final_blows, kills;
};

static void grow(void **p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return;
	*cap = *cap ? *cap * 2 : 16;
	*p = realloc(*p, *cap * size);
	if (!*p)
		abort();
}

static struct gentry *glist_at(struct glist *l, int64_t gid, const char *name)
{
	uint32_t *x = idmap_get(&l->index, gid + 1);
	if (!x) {
		grow((void **)&l->e, &l->cap, l->n, sizeof *l->e);
		l->e[l->n] = (struct gentry){ gid, name, 0, 0 };
		x = idmap_put(&l->index, gid + 1, (uint32_t)l->n++);
	}
	return &l->e[*x];
}

static void glist_free(struct glist *l)
{
	idmap_free(&l->index);
	free(l->e);
}

static void tally_free(struct side_tally *t)
{
	idmap_free(&t->pilots);
	idmap_free(&t->field_seen);
	glist_free(&t->lost);
	glist_free(&t->field);
}

struct ctx {
	eve_type_fn type_info;
	void *tctx;
};

static int64_t group_of(const struct ctx *c, int64_t type_id, struct eve_type_info *ti)
{
	memset(ti, 0, sizeof *ti);
	if (!type_id || !c->type_info || c->type_info(c->tctx, type_id, ti) != 0) {
		memset(ti, 0, sizeof *ti);
		return 0;
	}
	return ti->group_id;
}

static void add_type_names(struct json_object *o, const struct ctx *c, int64_t type_id)
{
	struct eve_type_info ti;
	if (!type_id)
		return;
	group_of(c, type_id, &ti);
	json_object_object_add(o, "ship", ti.type_name ? json_object_new_string(ti.type_name) : NULL);
	json_object_object_add(o, "group_id", id_str(ti.group_id));
	json_object_object_add(o, "group", ti.group_name ? json_object_new_string(ti.group_name) : NULL);
}

static struct json_object *party_json(const struct eve_party *p, const struct ctx *c)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "character_id", id_str(p->character_id));
	json_object_object_add(o, "corporation_id", id_str(p->corporation_id));
	json_object_object_add(o, "alliance_id", id_str(p->alliance_id));
	json_object_object_add(o, "ship_type_id", id_str(p->ship_type_id));
	add_type_names(o, c, p->ship_type_id);
	return o;
}

/* Group lists: count desc, then ISK desc, then group id. */
static int cmp_gentry(const void *a, const void *b)
{
	const struct gentry *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->isk != y->isk)
		return x->isk > y->isk ? -1 : 1;
	return x->gid < y->gid ? -1 : x->gid > y->gid;
}

static struct json_object *group_list(struct glist *l, const char *count_key, bool isk)
{
	struct json_object *arr = json_object_new_array();
	size_t i;
	if (l->n)
		qsort(l->e, l->n, sizeof *l->e, cmp_gentry);
	for (i = 0; i < l->n; i++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "group_id", id_str(l->e[i].gid));
		json_object_object_add(o, "group", l->e[i].name ? json_object_new_string(l->e[i].name) : NULL);
		json_object_object_add(o, count_key, json_object_new_int64(l->e[i].count));
		if (isk)
			json_object_object_add(o, "isk", isk_str(l->e[i].isk));
		json_object_array_add(arr, o);
	}
	return arr;
}

static int cmp_participant(const void *a, const void *b)
{
	const struct participant *x = a, *y = b;
	if (x->side != y->side)
		return x->side < y->side ? -1 : 1;
	if (x->damage != y->damage)
		return x->damage > y->damage ? -1 : 1;
	if (x->character_id != y->character_id)
		return x->character_id < y->character_id ? -1 : 1;
	if (x->ship_type_id != y->ship_type_id)
		return x->ship_type_id < y->ship_type_id ? -1 : 1;
	return x->corporation_id < y->corporation_id ? -1 : x->corporation_id > y->corporation_id;
}

/* Key of a participant: (character, ship) for pilots; structures and
 * NPCs without a character are keyed by (corporation, ship). The pair is
 * mixed into 64 bits: two rows merge only on a collision, about n^2 / 2^64
 * for n participants (1e-11 for a 10,000-pilot fight). */
static int64_t participant_key(const struct eve_party *p)
{
	int64_t who = p->character_id ? p->character_id : -p->corporation_id;
	return (int64_t)((uint64_t)who * 1000003ULL ^ (uint64_t)p->ship_type_id * 0x9E3779B97F4A7C15ULL) | 1;
}

/* Members of a side: most pilots first, then most losses, then id. */
static int cmp_member(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a, *y = *(struct json_object *const *)b, *v;
	int64_t px, py, lx, ly;
	json_object_object_get_ex(x, "pilots", &v);
	px = json_object_get_int64(v);
	json_object_object_get_ex(y, "pilots", &v);
	py = json_object_get_int64(v);
	if (px != py)
		return px > py ? -1 : 1;
	json_object_object_get_ex(x, "losses", &v);
	lx = json_object_get_int64(v);
	json_object_object_get_ex(y, "losses", &v);
	ly = json_object_get_int64(v);
	if (lx != ly)
		return lx > ly ? -1 : 1;
	json_object_object_get_ex(x, "entity_id", &v);
	px = strtoll(json_object_get_string(v), NULL, 10);
	json_object_object_get_ex(y, "entity_id", &v);
	py = strtoll(json_object_get_string(v), NULL, 10);
	return px < py ? -1 : px > py;
}

static int side_of_party(const struct idmap *eidx, const int *eside, const struct eve_party *p)
{
	int64_t e = eve_party_entity(p);
	uint32_t *x = e ? idmap_get(eidx, e) : NULL;
	return x ? eside[*x] : 0;
}

/* Timeline bucket width for a battle of `ms`: 1 min up to an hour, 5 min
 * up to six hours, 15 min beyond. */
static int64_t bucket_ms(int64_t ms)
{
	if (ms <= 3600000)
		return 60000;
	if (ms <= 6 * 3600000)
		return 300000;
	return 900000;
}

struct json_object *eve_battle_report(const struct eve_killmail *const *kills, size_t n,
				      const struct eve_side_params *p, eve_type_fn type_info,
				      void *tctx, int *kill_side)
{
	struct ctx c = { type_info, tctx };
	int64_t *ents = NULL;
	int *eside = NULL;
	size_t nents = 0, i, j;
	int ns, s;
	struct idmap eidx = IDMAP_INIT, pidx = IDMAP_INIT, pilots_all = IDMAP_INIT;
	struct side_tally *t;
	struct participant *parts = NULL;
	size_t nparts = 0, capparts = 0;
	int64_t total = 0, start, end, bms;
	long known = 0, capsules = 0;
	struct json_object *doc, *sides, *kl, *pl, *tl;
	int *kside;
	/* per entity: pilots and losses */
	long *epilots, *elosses;
	int64_t *eisk;
	struct idmap epil = IDMAP_INIT; /* (entity idx, character) seen */
	struct idmap ekind = IDMAP_INIT; /* entity -> 1 alliance, 2 corporation */

	if (!n)
		return NULL;
	ns = eve_sides_assign(kills, n, p, &ents, &eside, &nents);
	if (ns < 0)
		return NULL;
	for (i = 0; i < nents; i++)
		idmap_put(&eidx, ents[i], (uint32_t)i);
	t = calloc((size_t)ns + 1, sizeof *t);
	kside = calloc(n, sizeof *kside);
	epilots = calloc(nents + 1, sizeof *epilots);
	elosses = calloc(nents + 1, sizeof *elosses);
	eisk = calloc(nents + 1, sizeof *eisk);
	if (!t || !kside || !epilots || !elosses || !eisk)
		abort();


	start = kills[0]->time_ms;
	end = kills[0]->time_ms;
	for (i = 0; i < n; i++) {
		const struct eve_killmail *km = kills[i];
		int64_t v = kill_value(km);
		int vs = side_of_party(&eidx, eside, &km->victim);
		struct eve_type_info ti;
		bool *credited = calloc((size_t)ns + 1, sizeof *credited);
		if (!credited)
			abort();
		if (km->time_ms < start)
			start = km->time_ms;
		if (km->time_ms > end)
			end = km->time_ms;
		kside[i] = vs;
		if (km->zkb.total_cents >= 0)
			known++;
		eve_isk_add(&total, v);
		/* the victim's loss */
		eve_isk_add(&t[vs].isk_lost, v);
		if (EVE_IS_CAPSULE(km->victim.ship_type_id))
			t[vs].capsules_lost++, capsules++;
		else
			t[vs].ships_lost++;
		{
			int64_t gid = group_of(&c, km->victim.ship_type_id, &ti);
			struct gentry *g = glist_at(&t[vs].lost, gid, ti.group_name);
			g->count++;
			eve_isk_add(&g->isk, v);
		}
		{
			int64_t e = eve_party_entity(&km->victim);
			uint32_t *x = e ? idmap_get(&eidx, e) : NULL;
			if (x) {
				elosses[*x]++;
				eve_isk_add(&eisk[*x], v);
			}
		}
		/* every party: pilots, ships fielded, participants */
		for (j = 0; j <= km->n_attackers; j++) {
			const struct eve_party *pa = j ? &km->attackers[j - 1] : &km->victim;
			int ps = j ? side_of_party(&eidx, eside, pa) : vs;
			int64_t key, e;
			uint32_t *x;
			struct participant *pp;
			if (!pa->character_id && !eve_party_entity(pa))
				continue; /* NPCs */
			if (eve_party_entity(pa))
				idmap_put(&ekind, eve_party_entity(pa), pa->alliance_id ? 1 : 2);
			if (j) {
				t[ps].damage += pa->damage;
				if (pa->final_blow)
					t[ps].final_blows++;
				if (ps != vs && !credited[ps]) {
					credited[ps] = true;
					eve_isk_add(&t[ps].isk_destroyed, v);
					t[ps].kills++;
				}
			}
			if (EVE_IS_PLAYER_CHAR(pa->character_id)) {
				idmap_put(&t[ps].pilots, pa->character_id, 1);
				idmap_put(&pilots_all, pa->character_id, 1);
				e = eve_party_entity(pa);
				x = e ? idmap_get(&eidx, e) : NULL;
				if (x) {
					int64_t k2 = (int64_t)(((uint64_t)*x << 40) ^ (uint64_t)pa->character_id) | 1;
					if (!idmap_get(&epil, k2)) {
						idmap_put(&epil, k2, 1);
						epilots[*x]++;
					}
				}
				if (pa->ship_type_id && !EVE_IS_CAPSULE(pa->ship_type_id) &&
				    !idmap_get(&t[ps].field_seen, participant_key(pa))) {
					int64_t gid = group_of(&c, pa->ship_type_id, &ti);
					idmap_put(&t[ps].field_seen, participant_key(pa), 1);
					glist_at(&t[ps].field, gid, ti.group_name)->count++;
				}
			}
			key = participant_key(pa);
			x = idmap_get(&pidx, key);
			if (!x) {
				grow((void **)&parts, &capparts, nparts, sizeof *parts);
				memset(&parts[nparts], 0, sizeof *parts);
				parts[nparts].character_id = pa->character_id;
				parts[nparts].corporation_id = pa->corporation_id;
				parts[nparts].alliance_id = pa->alliance_id;
				parts[nparts].ship_type_id = pa->ship_type_id;
				parts[nparts].side = ps;
				x = idmap_put(&pidx, key, (uint32_t)nparts++);
			}
			pp = &parts[*x];
			if (!j) {
				pp->lost = true;
			} else {
				pp->damage += pa->damage;
				pp->final_blows += pa->final_blow;
				pp->kills++;
			}
		}
		free(credited);
	}

	doc = json_object_new_object();
	json_object_object_add(doc, "kills", json_object_new_int64((int64_t)n));
	json_object_object_add(doc, "start_time", iso(start));
	json_object_object_add(doc, "end_time", iso(end));
	json_object_object_add(doc, "duration_seconds", json_object_new_int64((end - start) / 1000));
	json_object_object_add(doc, "isk_destroyed", isk_str(total));
	json_object_object_add(doc, "isk_known_kills", json_object_new_int64(known));
	json_object_object_add(doc, "pilots", json_object_new_int64((int64_t)pilots_all.used));
	json_object_object_add(doc, "capsules", json_object_new_int64(capsules));
	json_object_object_add(doc, "side_count", json_object_new_int(ns));

	sides = json_object_new_array();
	for (int k = 0; k <= ns; k++) {
		struct json_object *so, *members;
		struct side_tally *st;
		size_t m;
		s = k < ns ? k + 1 : 0; /* sides 1..ns, then the unaligned */
		st = &t[s];
		if (s == 0 && !st->ships_lost && !st->capsules_lost && !st->kills && !st->pilots.used)
			continue;
		so = json_object_new_object();
		json_object_object_add(so, "side", json_object_new_int(s));
		json_object_object_add(so, "label", json_object_new_string(s ? "" : "Unaligned"));
		members = json_object_new_array();
		for (m = 0; m < nents; m++) {
			struct json_object *mo;
			if (eside[m] != s)
				continue;
			mo = json_object_new_object();
			json_object_object_add(mo, "entity_id", id_str(ents[m]));
			{
				uint32_t *kx = idmap_get(&ekind, ents[m]);
				json_object_object_add(mo, "kind", json_object_new_string(
					kx && *kx == 2 ? "corporation" : "alliance"));
			}
			json_object_object_add(mo, "pilots", json_object_new_int64(epilots[m]));
			json_object_object_add(mo, "losses", json_object_new_int64(elosses[m]));
			json_object_object_add(mo, "isk_lost", isk_str(eisk[m]));
			json_object_array_add(members, mo);
		}
		json_object_array_sort(members, cmp_member);
		json_object_object_add(so, "members", members);
		json_object_object_add(so, "pilots", json_object_new_int64((int64_t)st->pilots.used));
		json_object_object_add(so, "ships_lost", json_object_new_int64(st->ships_lost));
		json_object_object_add(so, "capsules_lost", json_object_new_int64(st->capsules_lost));
		json_object_object_add(so, "isk_lost", isk_str(st->isk_lost));
		json_object_object_add(so, "kills", json_object_new_int64(st->kills));
		json_object_object_add(so, "isk_destroyed", isk_str(st->isk_destroyed));
		if (st->isk_destroyed + st->isk_lost > 0) {
			/* efficiency = destroyed / (destroyed + lost), 4 decimals, exact */
			__int128 num = (__int128)st->isk_destroyed * 10000;
			int64_t den = st->isk_destroyed + st->isk_lost;
			int64_t e4 = (int64_t)((num + den / 2) / den);
			char txt[24];
			snprintf(txt, sizeof txt, "%lld.%04lld", (long long)(e4 / 10000),
				 (long long)(e4 % 10000));
			json_object_object_add(so, "efficiency",
					       json_object_new_double_s((double)e4 / 10000.0, txt));
		} else {
			json_object_object_add(so, "efficiency", NULL);
		}
		json_object_object_add(so, "damage_done", json_object_new_int64(st->damage));
		json_object_object_add(so, "final_blows", json_object_new_int64(st->final_blows));
		json_object_object_add(so, "losses_by_group", group_list(&st->lost, "count", true));
		json_object_object_add(so, "fielded_by_group", group_list(&st->field, "pilots", false));
		json_object_array_add(sides, so);
	}
	json_object_object_add(doc, "sides", sides);

	/* the kill list, in the caller's (time, id) order */
	kl = json_object_new_array();
	for (i = 0; i < n; i++) {
		const struct eve_killmail *km = kills[i];
		const struct eve_party *fb = eve_killmail_final_blow(km);
		struct json_object *ko = json_object_new_object();
		struct buf u = BUF_INIT;
		json_object_object_add(ko, "killmail_id", id_str(km->killmail_id));
		json_object_object_add(ko, "time", iso(km->time_ms));
		json_object_object_add(ko, "side", json_object_new_int(kside[i]));
		json_object_object_add(ko, "victim", party_json(&km->victim, &c));
		json_object_object_add(ko, "isk", km->zkb.total_cents >= 0 ? isk_str(km->zkb.total_cents) : NULL);
		json_object_object_add(ko, "attackers", json_object_new_int64((int64_t)km->n_attackers));
		json_object_object_add(ko, "final_blow", fb ? party_json(fb, &c) : NULL);
		eve_kill_url(&u, km->killmail_id);
		json_object_object_add(ko, "zkb_url", json_object_new_string(u.data));
		buf_release(&u);
		json_object_array_add(kl, ko);
		if (kill_side)
			kill_side[i] = kside[i];
	}
	json_object_object_add(doc, "killmails", kl);

	/* participants: by side, then damage done */
	if (nparts)
		qsort(parts, nparts, sizeof *parts, cmp_participant);
	pl = json_object_new_array();
	for (i = 0; i < nparts; i++) {
		struct json_object *po = json_object_new_object();
		json_object_object_add(po, "character_id", id_str(parts[i].character_id));
		json_object_object_add(po, "corporation_id", id_str(parts[i].corporation_id));
		json_object_object_add(po, "alliance_id", id_str(parts[i].alliance_id));
		json_object_object_add(po, "ship_type_id", id_str(parts[i].ship_type_id));
		add_type_names(po, &c, parts[i].ship_type_id);
		json_object_object_add(po, "side", json_object_new_int(parts[i].side));
		json_object_object_add(po, "lost", json_object_new_boolean(parts[i].lost));
		json_object_object_add(po, "damage_done", json_object_new_int64(parts[i].damage));
		json_object_object_add(po, "final_blows", json_object_new_int64(parts[i].final_blows));
		json_object_object_add(po, "kills", json_object_new_int64(parts[i].kills));
		json_object_array_add(pl, po);
	}
	json_object_object_add(doc, "participants", pl);

	/* timeline: kills and ISK per side per bucket */
	bms = bucket_ms(end - start);
	tl = json_object_new_object();
	json_object_object_add(tl, "bucket_seconds", json_object_new_int64(bms / 1000));
	{
		struct json_object *buckets = json_object_new_array();
		int64_t b0 = start - start % bms;
		size_t nb = (size_t)((end - b0) / bms) + 1, b;
		long *bk = calloc(nb * ((size_t)ns + 1), sizeof *bk);
		int64_t *bi = calloc(nb * ((size_t)ns + 1), sizeof *bi);
		if (!bk || !bi)
			abort();
		for (i = 0; i < n; i++) {
			size_t k = (size_t)((kills[i]->time_ms - b0) / bms) * ((size_t)ns + 1) + (size_t)kside[i];
			bk[k]++;
			eve_isk_add(&bi[k], kill_value(kills[i]));
		}
		for (b = 0; b < nb; b++) {
			struct json_object *bo = json_object_new_object(), *ls = json_object_new_array();
			long kt = 0;
			int64_t it = 0;
			for (s = 0; s <= ns; s++) {
				size_t k = b * ((size_t)ns + 1) + (size_t)s;
				struct json_object *x;
				kt += bk[k];
				eve_isk_add(&it, bi[k]);
				if (!bk[k])
					continue;
				x = json_object_new_object();
				json_object_object_add(x, "side", json_object_new_int(s));
				json_object_object_add(x, "kills", json_object_new_int64(bk[k]));
				json_object_object_add(x, "isk_lost", isk_str(bi[k]));
				json_object_array_add(ls, x);
			}
			json_object_object_add(bo, "start", iso(b0 + (int64_t)b * bms));
			json_object_object_add(bo, "kills", json_object_new_int64(kt));
			json_object_object_add(bo, "isk_lost", isk_str(it));
			json_object_object_add(bo, "losses", ls);
			json_object_array_add(buckets, bo);
		}
		json_object_object_add(tl, "buckets", buckets);
		free(bk);
		free(bi);
	}
	json_object_object_add(doc, "timeline", tl);

	for (s = 0; s <= ns; s++)
		tally_free(&t[s]);
	free(t);
	free(kside);
	free(parts);
	free(epilots);
	free(elosses);
	free(eisk);
	free(ents);
	free(eside);
	idmap_free(&eidx);
	idmap_free(&pidx);
	idmap_free(&pilots_all);
	idmap_free(&epil);
	idmap_free(&ekind);
	return doc;
}
