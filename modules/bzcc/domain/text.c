/* text.c: the lobby's text encodings: RFC 4648 base64 names holding
 * Windows-1252 C strings (docs/bzcc-format.md 5), UTF-8 clean-up of JSON
 * strings, and the aborting allocators the decoder uses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "internal.h"

static void oom(size_t n)
{
	fprintf(stderr, "fatal: out of memory (%zu bytes)\n", n);
	abort();
}

void *bzcc_xcalloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *bzcc_xreallocarray(void *p, size_t n, size_t size)
{
	void *q;

	if (size && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	q = realloc(p, (n && size) ? n * size : 1);
	if (!q)
		oom(n * size);
	return q;
}

char *bzcc_xstrdup(const char *s)
{
	char *d;
	size_t n;

	if (!s)
		s = "";
	n = strlen(s);
	d = malloc(n + 1);
	if (!d)
		oom(n + 1);
	memcpy(d, s, n + 1);
	return d;
}

/* Windows-1252 0x80..0x9F; the five undefined bytes keep their C1 code
 * point, as .NET and bz2api.js do. 0xA0..0xFF equal Latin-1. */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static void add_utf8(struct buf *b, uint32_t cp)
{
	char u[4];

	if (cp < 0x80) {
		buf_addch(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, u, 4);
	}
}

char *bzcc_cp1252_to_utf8(const unsigned char *s, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_grow(&b, n);
	for (i = 0; i < n; i++) {
		unsigned c = s[i];
		if (c >= 0x80 && c < 0xA0)
			add_utf8(&b, cp1252_high[c - 0x80]);
		else
			add_utf8(&b, c);
	}
	return buf_detach(&b, NULL);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

char *bzcc_utf8_clean(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = BUF_INIT;
	size_t i = 0;

	if (!s)
		return bzcc_xstrdup("");
	buf_grow(&b, n);
	while (i < n && p[i]) {
		size_t k = utf8_seq(p + i, n - i);
		if (!k) {
			add_utf8(&b, 0xFFFD);
			i++;
			continue;
		}
		buf_add(&b, p + i, k);
		i += k;
	}
	return buf_detach(&b, NULL);
}

static int is_space_byte(unsigned char c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0D);
}

char *bzcc_utf8_clean_trim(const char *s, size_t n)
{
	char *t = bzcc_utf8_clean(s, n);
	size_t len = strlen(t), start = 0;

	for (;;) {
		if (start < len && is_space_byte((unsigned char)t[start]))
			start++;
		else if (start + 1 < len && (unsigned char)t[start] == 0xC2 &&
			 (unsigned char)t[start + 1] == 0xA0)
			start += 2;
		else
			break;
	}
	for (;;) {
		if (len > start && is_space_byte((unsigned char)t[len - 1]))
			len--;
		else if (len >= start + 2 && (unsigned char)t[len - 2] == 0xC2 &&
			 (unsigned char)t[len - 1] == 0xA0)
			len -= 2;
		else
			break;
	}
	memmove(t, t + start, len - start);
	t[len - start] = '\0';
	return t;
}

/* Value of a standard base64 character, -1 for anything else. */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return 26 + (c - 'a');
	if (c >= '0' && c <= '9')
		return 52 + (c - '0');
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode RFC 4648 base64 (padding required, no whitespace) into out, which
 * has room for n / 4 * 3 bytes. Returns the byte count or -1. */
static long b64_decode(const char *in, size_t n, unsigned char *out)
{
	size_t i, o = 0, pad = 0;

	if (n % 4)
		return -1;
	if (n && in[n - 1] == '=')
		pad = (n >= 2 && in[n - 2] == '=') ? 2 : 1;
	for (i = 0; i < n; i += 4) {
		int v[4];
		size_t k, real = 4;
		if (i + 4 == n)
			real -= pad;
		for (k = 0; k < 4; k++) {
			if (k >= real) {
				v[k] = 0;
				continue;
			}
			v[k] = b64_value((unsigned char)in[i + k]);
			if (v[k] < 0)
				return -1;
		}
		out[o++] = (unsigned char)((v[0] << 2) | (v[1] >> 4));
		if (real > 2)
			out[o++] = (unsigned char)(((v[1] & 15) << 4) | (v[2] >> 2));
		if (real > 3)
			out[o++] = (unsigned char)(((v[2] & 3) << 6) | v[3]);
	}
	return (long)o;
}

static int is_name_space(unsigned char c)
{
	return is_space_byte(c) || c == 0xA0;
}

char *bzcc_decode_name(const char *b64)
{
	unsigned char *bytes;
	size_t n, start = 0, end;
	long got;
	char *s;

	if (!b64)
		return NULL;
	n = strlen(b64);
	bytes = bzcc_xcalloc(n / 4 * 3 + 1, 1);
	got = b64_decode(b64, n, bytes);
	if (got < 0) {
		free(bytes);
		return NULL;
	}
	/* A C string: the bytes after the first NUL are stack garbage. */
	end = strnlen((const char *)bytes, (size_t)got);
	while (start < end && is_name_space(bytes[start]))
		start++;
	while (end > start && is_name_space(bytes[end - 1]))
		end--;
	s = bzcc_cp1252_to_utf8(bytes + start, end - start);
	free(bytes);
	return s;
}

/* Decode the UTF-8 sequence at p (valid: the model's strings are cleaned
 * first) into *cp; returns its length. */
static size_t utf8_get(const unsigned char *p, uint32_t *cp)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xE0) == 0xC0) {
		*cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
		return 2;
	}
	if ((p[0] & 0xF0) == 0xE0) {
		*cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
		return 3;
	}
	*cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
	      ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
	return 4;
}

char *bzcc_text_display(char *s, bool trim)
{
	const unsigned char *p = (const unsigned char *)s;
	char *o = s;
	bool space = false; /* last char written was a space */

	if (!s)
		return s;
	while (*p) {
		uint32_t cp;
		size_t k = utf8_get(p, &cp);
		bool drop = false, to_space = false;
		if (cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C ||
		    cp == 0x2028 || cp == 0x2029)
			to_space = true;
		else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
			drop = true;            /* C0, DEL, C1 */
		else if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
			 cp == 0xFEFF)
			drop = true;            /* bidi embeddings, overrides, isolates; BOM */
		if (to_space) {
			if (!space)
				*o++ = ' ';
			space = true;
		} else if (!drop) {
			memmove(o, p, k);
			o += k;
			space = cp == ' ';
		}
		p += k;
	}
	*o = '\0';
	if (trim) {
		char *t = bzcc_utf8_clean_trim(s, (size_t)(o - s));
		memcpy(s, t, strlen(t) + 1);
		free(t);
	}
	return s;
}

size_t bzcc_utf8_to_cp1252(const char *s, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (p && *p) {
		uint32_t cp;
		unsigned char c = '?';
		size_t k = utf8_get(p, &cp), i;
		if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF)) {
			c = (unsigned char)cp;
		} else {
			for (i = 0; i < 32; i++)
				if (cp1252_high[i] == cp)
					c = (unsigned char)(0x80 + i);
		}
		buf_addch(out, (char)c);
		n++;
		p += k;
	}
	return n;
}
