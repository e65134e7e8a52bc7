/* idmap.h: an open-addressing map from non-zero int64 keys to uint32
 * values, private to the eve domain code. Keys are ids (entities, types,
 * characters) or packed pairs; allocation failure aborts as buf does. */
#ifndef GW_EVE_IDMAP_H
#define GW_EVE_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idmap {
	int64_t *keys;   /* 0 = empty slot */
	uint32_t *vals;
	size_t cap;      /* power of two, or 0 */
	size_t used;
};
#define IDMAP_INIT { NULL, NULL, 0, 0 }

/* The value stored for key (non-zero), or NULL. The pointer is valid until
 * the next idmap_put. */
uint32_t *idmap_get(const struct idmap *m, int64_t key);

/* Store key -> val (replacing); returns a pointer to the stored value. */
uint32_t *idmap_put(struct idmap *m, int64_t key, uint32_t val);

void idmap_free(struct idmap *m);

#endif
