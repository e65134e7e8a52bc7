/* buf.h: growable byte buffer, the one way GameWatch builds text.
 *
 * Invariants (after git's strbuf): `data` is never NULL, always has room for
 * `len + 1` bytes and data[len] == '\0', so a buf can be passed to any C
 * string API (binary data may contain NULs; use `len`). BUF_INIT allocates
 * nothing: it points at a shared empty string until the first append.
 * A buf knows nothing of HTML, JSON or FastCGI; escapers build on it.
 *
 * Allocation failure is treated as fatal (abort with a message): the
 * process cannot serve anything sensible without memory, and callers stay
 * free of impossible-to-test error branches.
 */
#ifndef GW_BUF_H
#define GW_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct buf {
	char *data;   /* never NULL; NUL-terminated */
	size_t len;   /* bytes used, excluding the terminating NUL */
	size_t alloc; /* bytes allocated; 0 while data points at the shared empty string */
};

extern char buf_empty_[];
#define BUF_INIT { buf_empty_, 0, 0 }

/* Initialise `b` to empty, reserving `hint` bytes (0: allocate nothing). */
void buf_init(struct buf *b, size_t hint);

/* Free the storage and leave `b` empty and reusable (as BUF_INIT). */
void buf_release(struct buf *b);

/* Empty `b` without freeing its storage (for reuse in loops). */
static inline void buf_reset(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

/* Hand the storage to the caller, who must free(3) it; `b` becomes empty.
 * Always returns a malloc'd NUL-terminated string (never the shared empty
 * one). If `len` is not NULL it receives the length. */
char *buf_detach(struct buf *b, size_t *len);

/* Make room for at least `extra` more bytes beyond len (plus the NUL). */
void buf_grow(struct buf *b, size_t extra);

/* Append `n` bytes from `data` (may contain NULs). */
void buf_add(struct buf *b, const void *data, size_t n);

/* Append a NUL-terminated string; NULL appends nothing. */
static inline void buf_addstr(struct buf *b, const char *s)
{
	if (s)
		buf_add(b, s, strlen(s));
}

/* Append one byte. */
static inline void buf_addch(struct buf *b, char c)
{
	if (b->len + 1 >= b->alloc)
		buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/* Append printf-formatted text (C11 vsnprintf, so %zu, %lld etc. work). */
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Append the contents of the file at `path`. With max > 0, stops once more
 * than `max` bytes were appended, so a caller tells an oversized file by
 * b->len exceeding its limit without reading all of it; 0 means no limit.
 * Returns 0, or -1 with errno set when the file cannot be opened or read
 * (what was read so far stays appended). */
int buf_read_file(struct buf *b, const char *path, size_t max);

/* Shorten to `len` bytes (no-op when len >= b->len). */
void buf_truncate(struct buf *b, size_t len);

#endif
