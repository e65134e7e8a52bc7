/* smap.h: a small string-keyed hash map (open addressing, FNV-1a) for the
 * ingest job's per-batch state. Keys are copied; values are the caller's. */
#ifndef GW_MOHAA_SMAP_H
#define GW_MOHAA_SMAP_H

#include <stdbool.h>
#include <stddef.h>

struct smap_ent {
	char *key;   /* NULL: empty slot */
	void *val;
};

struct smap {
	struct smap_ent *e;
	size_t cap, n;
};

/* The value stored under key, or NULL. */
void *smap_get(const struct smap *m, const char *key);

/* The slot of key's value, inserting the key (value NULL) when new; *created
 * (may be NULL) tells which. The pointer stays valid until the next insert. */
void **smap_slot(struct smap *m, const char *key, bool *created);

/* Free every key and, with free_val, every value; the map becomes empty. */
void smap_free(struct smap *m, void (*free_val)(void *));

#endif
