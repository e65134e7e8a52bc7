/* buf.c: growable byte buffer (see buf.h for the invariants). */
#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

char buf_empty_[1];

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "fatal: out of memory (%zu bytes)\n", n);
		abort();
	}
	return q;
}

void buf_init(struct buf *b, size_t hint)
{
	b->data = buf_empty_;
	b->len = 0;
	b->alloc = 0;
	if (hint)
		buf_grow(b, hint);
}

void buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->data);
	buf_init(b, 0);
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *s;
	if (len)
		*len = b->len;
	if (!b->alloc)
		buf_grow(b, 0);
	s = b->data;
	buf_init(b, 0);
	return s;
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t need, n;
	if (extra > (size_t)-1 - b->len - 2) {
		fprintf(stderr, "fatal: buffer size overflow\n");
		abort();
	}
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return;
	n = b->alloc ? b->alloc : 64;
	while (n < need)
		n = n < ((size_t)1 << 62) ? n * 2 : need;
	if (!b->alloc) {
		b->data = xrealloc(NULL, n);
		b->data[0] = '\0';
	} else {
		b->data = xrealloc(b->data, n);
	}
	b->alloc = n;
}

void buf_add(struct buf *b, const void *data, size_t n)
{
	if (!n)
		return;
	buf_grow(b, n);
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	va_copy(cp, ap);
	n = vsnprintf(b->data + b->len, b->alloc ? b->alloc - b->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n + 1 > (b->alloc ? b->alloc - b->len : 0)) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->data + b->len, b->alloc - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

int buf_read_file(struct buf *b, const char *path, size_t max)
{
	char chunk[65536];
	size_t n, start = b->len;
	int rc = 0;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(b, chunk, n);
		if (max && b->len - start > max)
			break;
	}
	if (ferror(f)) {
		errno = EIO;
		rc = -1;
	}
	fclose(f);
	return rc;
}
