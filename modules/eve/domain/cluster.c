/* cluster.c: kills to battles (docs/eve-battles.md "Clustering").
 *
 * Per system, in (time, killmail id) order, one cluster is open at a time.
 * A kill joins it when
 *   - it comes within gap_ms of the cluster's last kill (not in instanced
 *     space, where one system id holds many separate pockets), or
 *   - it comes within window_ms of the last kill and one of its entities
 *     (alliance, else player corporation, of victim or attackers) was seen
 *     in the cluster already;
 * otherwise the cluster closes and the kill opens the next. There is no cap
 * on a cluster's total length: a four-hour fight stays one battle. */
#include "modules/eve/domain/eve.h"

#include <stdlib.h>
#include <string.h>

/* An open-addressing set of non-zero int64 keys, cleared per cluster. */
struct idset {
	int64_t *slot;
	size_t cap;     /* power of two */
	size_t used;
};

static size_t mix(int64_t k)
{
	uint64_t x = (uint64_t)k;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

static bool idset_has(const struct idset *s, int64_t k)
{
	size_t i;
	if (!s->cap)
		return false;
	for (i = mix(k) & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == k)
			return true;
	return false;
}

static void idset_add(struct idset *s, int64_t k);

static void idset_grow(struct idset *s)
{
	struct idset n = { NULL, s->cap ? s->cap * 2 : 64, 0 };
	size_t i;
	n.slot = calloc(n.cap, sizeof *n.slot);
	if (!n.slot)
		abort();
	for (i = 0; i < s->cap; i++)
		if (s->slot[i])
			idset_add(&n, s->slot[i]);
	free(s->slot);
	*s = n;
}

static void idset_add(struct idset *s, int64_t k)
{
	size_t i;
	if ((s->used + 1) * 2 > s->cap)
		idset_grow(s);
	for (i = mix(k) & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == k)
			return;
	s->slot[i] = k;
	s->used++;
}

/* Small tables are zeroed; a table grown by a big fight is dropped, so
 * the many small clusters after it do not each clear kilobytes. */
static void idset_clear(struct idset *s)
{
	if (s->cap > 1024) {
		free(s->slot);
		s->slot = NULL;
		s->cap = 0;
	} else if (s->used) {
		memset(s->slot, 0, s->cap * sizeof *s->slot);
	}
	s->used = 0;
}

static int cmp_kill(const void *a, const void *b, void *ctx)
{
	const struct eve_ckill *base = ctx;
	const struct eve_ckill *x = &base[*(const uint32_t *)a];
	const struct eve_ckill *y = &base[*(const uint32_t *)b];
	if (x->system_id != y->system_id)
		return x->system_id < y->system_id ? -1 : 1;
	if (x->time_ms != y->time_ms)
		return x->time_ms < y->time_ms ? -1 : 1;
	if (x->killmail_id != y->killmail_id)
		return x->killmail_id < y->killmail_id ? -1 : 1;
	return 0;
}

long eve_cluster(const struct eve_ckill *kills, size_t n, const struct eve_cluster_params *p,
		 uint32_t *cluster_of)
{
	uint32_t *order;
	struct idset seen = { NULL, 0, 0 };
	long clusters = 0;
	size_t i, j;
	int64_t last = 0, system = 0;

	if (!p || p->gap_ms < 0 || p->window_ms < 0 || p->min_kills < 1 || n > UINT32_MAX)
		return -1;
	if (n == 0)
		return 0;
	order = malloc(n * sizeof *order);
	if (!order)
		abort();
	for (i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, n, sizeof *order, cmp_kill, (void *)kills);

	for (i = 0; i < n; i++) {
		const struct eve_ckill *k = &kills[order[i]];
		bool join = false;
		if (i > 0 && k->system_id == system) {
			int64_t dt = k->time_ms - last;
			if (!k->instanced && dt <= p->gap_ms)
				join = true;
			else if (p->correlate && dt <= p->window_ms)
				for (j = 0; j < k->n_entities && !join; j++)
					join = idset_has(&seen, k->entities[j]);
		}
		if (!join) {
			clusters++;
			idset_clear(&seen);
			system = k->system_id;
		}
		cluster_of[order[i]] = (uint32_t)(clusters - 1);
		last = k->time_ms;
		if (p->correlate)
			for (j = 0; j < k->n_entities; j++)
				if (k->entities[j])
					idset_add(&seen, k->entities[j]);
	}
	free(order);
	free(seen.slot);
	return clusters;
}
