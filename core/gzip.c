/* gzip.c: gzip compression through zlib. */
#include "gzip.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

int gzip_compress(const void *in, size_t len, int level, struct buf *out)
{
	z_stream zs;
	size_t start = out->len, bound;
	int rc;

	memset(&zs, 0, sizeof zs);
	/* windowBits 15 + 16: a gzip wrapper instead of zlib's */
	if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	bound = deflateBound(&zs, (uLong)len) + 32;
	buf_grow(out, bound);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out->data + start;
	zs.avail_out = (uInt)bound;
	rc = deflate(&zs, Z_FINISH);
	if (rc != Z_STREAM_END) {
		deflateEnd(&zs);
		buf_truncate(out, start);
		return -1;
	}
	out->len = start + zs.total_out;
	out->data[out->len] = '\0';
	deflateEnd(&zs);
	return 0;
}

/* One coding token of an Accept-Encoding list, with its q value. */
int gzip_accepted(const char *ae)
{
	const char *p = ae;
	if (!ae)
		return 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *t = p, *end = p + n, *semi;
		size_t tl;
		while (t < end && isspace((unsigned char)*t))
			t++;
		semi = memchr(t, ';', (size_t)(end - t));
		tl = (size_t)((semi ? semi : end) - t);
		while (tl && isspace((unsigned char)t[tl - 1]))
			tl--;
		if ((tl == 4 && !strncasecmp(t, "gzip", 4)) || (tl == 1 && *t == '*')) {
			const char *q = semi;
			int zero = 0;
			if (q) {
				q = strstr(q, "q=");
				if (q && q < end) {
					q += 2;
					zero = q[0] == '0' && (q + 1 >= end || q[1] != '.' ||
							       strspn(q + 2, "0") >= (size_t)(end - q - 2));
				}
			}
			return !zero;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}
