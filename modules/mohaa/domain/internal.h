/* internal.h: helpers shared by the files of modules/mohaa/domain/ only. */
#ifndef GW_MOHAA_INTERNAL_H
#define GW_MOHAA_INTERNAL_H

#include "modules/mohaa/domain/mohaa.h"

/* The required fields of type t, space-separated ("a|b": either). Static. */
const char *mohaa_type_required(enum mohaa_type t);

/* The player-block prefixes of type t ("attacker victim"). Static. */
const char *mohaa_type_blocks(enum mohaa_type t);

/* Append a field to r: `kl` bytes of key, `vl` bytes of value; percent-decode
 * both (and '+' to space) when `decode`. Keys that are empty or longer than
 * MOHAA_MAX_KEY and fields past MOHAA_MAX_FIELDS are dropped; values are cut
 * to MOHAA_MAX_VALUE bytes and made valid UTF-8. */
void mohaa_raw_add(struct mohaa_raw *r, const char *k, size_t kl, const char *v, size_t vl,
		   bool decode);

#endif
