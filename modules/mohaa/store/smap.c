/* smap.c: string-keyed hash map (smap.h). */
#include "modules/mohaa/store/smap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct smap_ent *find(const struct smap *m, const char *key)
{
	size_t i;
	if (!m->cap)
		return NULL;
	for (i = hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1))
		if (!m->e[i].key || !strcmp(m->e[i].key, key))
			return &m->e[i];
}

void *smap_get(const struct smap *m, const char *key)
{
	struct smap_ent *e = find(m, key);
	return e && e->key ? e->val : NULL;
}

static void grow(struct smap *m)
{
	struct smap old = *m;
	size_t i;
	m->cap = m->cap ? m->cap * 2 : 64;
	m->e = calloc(m->cap, sizeof *m->e);
	if (!m->e)
		abort();
	for (i = 0; i < old.cap; i++)
		if (old.e[i].key)
			*find(m, old.e[i].key) = old.e[i];
	free(old.e);
}

void **smap_slot(struct smap *m, const char *key, bool *created)
{
	struct smap_ent *e;
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	e = find(m, key);
	if (created)
		*created = !e->key;
	if (!e->key) {
		e->key = strdup(key);
		if (!e->key)
			abort();
		e->val = NULL;
		m->n++;
	}
	return &e->val;
}

void smap_free(struct smap *m, void (*free_val)(void *))
{
	size_t i;
	for (i = 0; i < m->cap; i++)
		if (m->e[i].key) {
			free(m->e[i].key);
			if (free_val)
				free_val(m->e[i].val);
		}
	free(m->e);
	m->e = NULL;
	m->cap = m->n = 0;
}
