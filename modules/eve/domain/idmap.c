/* idmap.c: see idmap.h. Linear probing, load factor at most 1/2. */
#include "modules/eve/domain/idmap.h"

#include <stdlib.h>

static size_t slot_of(int64_t k, size_t cap)
{
	uint64_t x = (uint64_t)k;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (size_t)x & (cap - 1);
}

uint32_t *idmap_get(const struct idmap *m, int64_t key)
{
	size_t i;
	if (!m->cap || !key)
		return NULL;
	for (i = slot_of(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return &m->vals[i];
	return NULL;
}

uint32_t *idmap_put(struct idmap *m, int64_t key, uint32_t val)
{
	size_t i;
	if ((m->used + 1) * 2 > m->cap) {
		struct idmap n = { NULL, NULL, m->cap ? m->cap * 2 : 64, 0 };
		n.keys = calloc(n.cap, sizeof *n.keys);
		n.vals = calloc(n.cap, sizeof *n.vals);
		if (!n.keys || !n.vals)
			abort();
		for (i = 0; i < m->cap; i++)
			if (m->keys[i])
				idmap_put(&n, m->keys[i], m->vals[i]);
		idmap_free(m);
		*m = n;
	}
	for (i = slot_of(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return &m->vals[i];
		}
	m->keys[i] = key;
	m->vals[i] = val;
	m->used++;
	return &m->vals[i];
}

void idmap_free(struct idmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->used = 0;
}
