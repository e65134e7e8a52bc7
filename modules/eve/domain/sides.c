/* sides.c: sides of a battle from its attack graph (docs/eve-battles.md
 * "Sides"). Entities are alliances, else player corporations. For every
 * kill, each attacker entity other than the victim's is hostile to the
 * victim's (weight 1 per kill), and every two attacker entities on the same
 * kill are friendly (1 per kill). The net agreement of two entities is
 * friendly - hostility_weight * hostile. Entities are placed in order of
 * involvement: onto the side they agree with most (when positive), else
 * beside the side that already fights their enemies, else onto a new side;
 * then local moves take each entity to the side it agrees with most until
 * nothing moves (or max_passes). Any number of sides can come out. */
#include "modules/eve/domain/eve.h"

#include <stdlib.h>
#include <string.h>

#include "modules/eve/domain/idmap.h"

struct edge {
	uint32_t to;
	int32_t friendly;
	int32_t hostile;
};

struct graph {
	size_t n;             /* entities */
	int64_t *id;          /* entity ids */
	size_t *first;        /* CSR: edges of i are e[first[i] .. first[i+1]) */
	struct edge *e;
	int64_t *weight;      /* involvement: sum of edge weights */
};

static int64_t pair_key(uint32_t a, uint32_t b)
{
	return (int64_t)(((uint64_t)a << 32) | b) + 1; /* +1: never 0 */
}

static void bump(struct idmap *pairs, int32_t **f, int32_t **h, size_t *np, size_t *cap,
		 uint32_t a, uint32_t b, bool hostile)
{
	uint32_t *slot;
	if (a > b) {
		uint32_t t = a;
		a = b;
		b = t;
	}
	slot = idmap_get(pairs, pair_key(a, b));
	if (!slot) {
		if (*np == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			*f = realloc(*f, *cap * sizeof **f);
			*h = realloc(*h, *cap * sizeof **h);
			if (!*f || !*h)
				abort();
		}
		(*f)[*np] = (*h)[*np] = 0;
		slot = idmap_put(pairs, pair_key(a, b), (uint32_t)(*np)++);
	}
	if (hostile)
		(*h)[*slot]++;
	else
		(*f)[*slot]++;
}

/* Build the entity graph of the kills. */
static void build(const struct eve_killmail *const *kills, size_t n, struct graph *g)
{
	struct idmap index = IDMAP_INIT, pairs = IDMAP_INIT;
	int32_t *pf = NULL, *ph = NULL;
	size_t np = 0, cap = 0, i, j, k, ncap = 0;
	uint32_t *att = NULL;
	size_t attcap = 0;
	size_t *deg;

	memset(g, 0, sizeof *g);
	for (i = 0; i < n; i++) {
		const struct eve_killmail *km = kills[i];
		uint32_t v = UINT32_MAX;
		size_t na = 0;
		if (attcap < km->n_attackers) {
			attcap = km->n_attackers;
			att = realloc(att, attcap * sizeof *att);
			if (!att)
				abort();
		}
		for (j = 0; j <= km->n_attackers; j++) {
			int64_t e = eve_party_entity(j ? &km->attackers[j - 1] : &km->victim);
			uint32_t *x;
			if (!e)
				continue;
			x = idmap_get(&index, e);
			if (!x) {
				if (g->n == ncap) {
					ncap = ncap ? ncap * 2 : 64;
					g->id = realloc(g->id, ncap * sizeof *g->id);
					if (!g->id)
						abort();
				}
				g->id[g->n] = e;
				x = idmap_put(&index, e, (uint32_t)g->n++);
			}
			if (j == 0) {
				v = *x;
				continue;
			}
			for (k = 0; k < na && att[k] != *x; k++)
				;
			if (k == na)
				att[na++] = *x;
		}
		for (j = 0; j < na; j++) {
			if (v != UINT32_MAX && att[j] != v)
				bump(&pairs, &pf, &ph, &np, &cap, att[j], v, true);
			for (k = j + 1; k < na; k++)
				bump(&pairs, &pf, &ph, &np, &cap, att[j], att[k], false);
		}
	}
	/* CSR adjacency from the pair table */
	g->first = calloc(g->n + 1, sizeof *g->first);
	g->weight = calloc(g->n ? g->n : 1, sizeof *g->weight);
	deg = calloc(g->n + 1, sizeof *deg);
	g->e = malloc((2 * np + 1) * sizeof *g->e);
	if (!g->first || !g->weight || !deg || !g->e)
		abort();
	for (i = 0; i < pairs.cap; i++) {
		uint64_t key;
		if (!pairs.keys[i])
			continue;
		key = (uint64_t)(pairs.keys[i] - 1);
		deg[key >> 32]++;
		deg[key & 0xffffffffu]++;
	}
	for (i = 0; i < g->n; i++)
		g->first[i + 1] = g->first[i] + deg[i];
	memset(deg, 0, (g->n + 1) * sizeof *deg);
	for (i = 0; i < pairs.cap; i++) {
		uint64_t key;
		uint32_t a, b, p;
		if (!pairs.keys[i])
			continue;
		key = (uint64_t)(pairs.keys[i] - 1);
		a = (uint32_t)(key >> 32);
		b = (uint32_t)(key & 0xffffffffu);
		p = pairs.vals[i];
		g->e[g->first[a] + deg[a]++] = (struct edge){ b, pf[p], ph[p] };
		g->e[g->first[b] + deg[b]++] = (struct edge){ a, pf[p], ph[p] };
		g->weight[a] += pf[p] + ph[p];
		g->weight[b] += pf[p] + ph[p];
	}
	free(deg);
	free(att);
	free(pf);
	free(ph);
	idmap_free(&index);
	idmap_free(&pairs);
}

static void graph_free(struct graph *g)
{
	free(g->id);
	free(g->first);
	free(g->e);
	free(g->weight);
}

static int cmp_involvement(const void *a, const void *b, void *ctx)
{
	const struct graph *g = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	if (g->weight[x] != g->weight[y])
		return g->weight[x] > g->weight[y] ? -1 : 1;
	return g->id[x] < g->id[y] ? -1 : g->id[x] > g->id[y];
}

/* Scores of entity e against every side 1..ns: agreement and hostility. */
static void score(const struct graph *g, const int *side, uint32_t e, int hw, int64_t *agree,
		  int64_t *hostile, int ns)
{
	size_t i;
	memset(agree, 0, (size_t)(ns + 1) * sizeof *agree);
	memset(hostile, 0, (size_t)(ns + 1) * sizeof *hostile);
	for (i = g->first[e]; i < g->first[e + 1]; i++) {
		int s = side[g->e[i].to];
		if (s <= 0)
			continue;
		agree[s] += g->e[i].friendly - (int64_t)hw * g->e[i].hostile;
		hostile[s] += g->e[i].hostile;
	}
}

int eve_sides_assign(const struct eve_killmail *const *kills, size_t n,
		     const struct eve_side_params *p, int64_t **entities, int **side_of,
		     size_t *n_entities)
{
	struct graph g;
	uint32_t *order;
	int *side;
	int64_t *agree, *host, *shost = NULL; /* shost: side x side hostility, ns_cap^2 */
	int ns = 0, ns_cap = 0, pass, *renum, *count;
	size_t i;
	int64_t *sweight;

	*entities = NULL;
	*side_of = NULL;
	*n_entities = 0;
	if (!p || p->hostility_weight < 0 || p->max_passes < 0)
		return -1;
	build(kills, n, &g);
	order = malloc((g.n + 1) * sizeof *order);
	side = calloc(g.n + 1, sizeof *side);
	agree = malloc((g.n + 2) * sizeof *agree);
	host = malloc((g.n + 2) * sizeof *host);
	if (!order || !side || !agree || !host)
		abort();
	for (i = 0; i < g.n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, g.n, sizeof *order, cmp_involvement, &g);

	for (i = 0; i < g.n; i++) {
		uint32_t e = order[i];
		int s, best = 0, target = 0;
		bool fights = false;
		if (g.first[e] == g.first[e + 1]) {
			side[e] = 0; /* no tie to anyone: unaligned */
			continue;
		}
		score(&g, side, e, p->hostility_weight, agree, host, ns);
		for (s = 1; s <= ns; s++) {
			if (agree[s] > 0 && (!best || agree[s] > agree[best]))
				best = s;
			fights |= host[s] > 0;
		}
		if (best) {
			target = best;
		} else if (fights) {
			/* beside the side that fights the same enemies most */
			int64_t top = 0;
			int t;
			for (t = 1; t <= ns; t++) {
				int64_t overlap = 0;
				if (host[t] > 0 || agree[t] < 0)
					continue;
				for (s = 1; s <= ns; s++)
					if (host[s] > 0)
						overlap += shost[(size_t)t * (size_t)ns_cap + (size_t)s];
				if (overlap > top) {
					top = overlap;
					target = t;
				}
			}
		}
		if (!target) {
			if (ns + 1 >= ns_cap) {
				int nc = ns_cap ? ns_cap * 2 : 16, a, b;
				int64_t *m = calloc((size_t)nc * (size_t)nc, sizeof *m);
				if (!m)
					abort();
				for (a = 0; a < ns_cap; a++)
					for (b = 0; b < ns_cap; b++)
						m[(size_t)a * (size_t)nc + (size_t)b] =
							shost[(size_t)a * (size_t)ns_cap + (size_t)b];
				free(shost);
				shost = m;
				ns_cap = nc;
			}
			target = ++ns;
		}
		side[e] = target;
		for (s = 1; s <= ns; s++)
			if (host[s] && s != target) {
				shost[(size_t)target * (size_t)ns_cap + (size_t)s] += host[s];
				shost[(size_t)s * (size_t)ns_cap + (size_t)target] += host[s];
			}
	}

	/* local moves: each entity to the side it agrees with most */
	count = calloc((size_t)ns + 2, sizeof *count);
	if (!count)
		abort();
	for (i = 0; i < g.n; i++)
		count[side[i]]++;
	for (pass = 0; pass < p->max_passes; pass++) {
		int moved = 0;
		for (i = 0; i < g.n; i++) {
			uint32_t e = order[i];
			int cur = side[e], s, best = cur;
			if (cur <= 0)
				continue;
			score(&g, side, e, p->hostility_weight, agree, host, ns);
			for (s = 1; s <= ns; s++)
				if (s != cur && count[s] > 0 && agree[s] > agree[best])
					best = s;
			if (best != cur && agree[best] > 0) {
				count[cur]--;
				count[best]++;
				side[e] = best;
				moved++;
			}
		}
		if (!moved)
			break;
	}

	/* renumber the non-empty sides by involvement, heaviest first */
	sweight = calloc((size_t)ns + 2, sizeof *sweight);
	renum = calloc((size_t)ns + 2, sizeof *renum);
	if (!sweight || !renum)
		abort();
	for (i = 0; i < g.n; i++)
		if (side[i] > 0)
			sweight[side[i]] += g.weight[i] + 1;
	{
		int s, k, out = 0;
		for (k = 1; k <= ns; k++) {
			int pick = 0;
			for (s = 1; s <= ns; s++)
				if (!renum[s] && count[s] > 0 &&
				    (!pick || sweight[s] > sweight[pick]))
					pick = s;
			if (!pick)
				break;
			renum[pick] = ++out;
		}
		ns = out;
	}
	for (i = 0; i < g.n; i++)
		side[i] = side[i] > 0 ? renum[side[i]] : 0;

	*entities = g.id;
	g.id = NULL;
	*side_of = side;
	*n_entities = g.n;
	graph_free(&g);
	free(order);
	free(agree);
	free(host);
	free(shost);
	free(count);
	free(sweight);
	free(renum);
	return ns;
}
