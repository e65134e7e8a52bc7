/* gzip.h: gzip (RFC 1952) compression through zlib, for responses that are
 * compressed once and served many times. */
#ifndef GW_GZIP_H
#define GW_GZIP_H

#include <stddef.h>

#include "buf.h"

/* Append the gzip encoding of `len` bytes at `in` to `out`, at zlib
 * `level` (1 fastest .. 9 smallest; 6 is zlib's default). Returns 0, or -1
 * when zlib fails (out is then left as it was). */
int gzip_compress(const void *in, size_t len, int level, struct buf *out);

/* Does an Accept-Encoding header value accept gzip? True when it lists
 * "gzip" (or "*") without "q=0". NULL is false. */
int gzip_accepted(const char *accept_encoding);

#endif
