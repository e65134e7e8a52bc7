/* fuzz_url_decode.c: libFuzzer target for url_decode() of core/html.c, the
 * percent-decoder of request paths and query strings (outside input).
 *
 * The first input byte chooses plus_is_space (its low bit); the rest is the
 * encoded text, copied into a heap block of exactly its length, so that a
 * read past `len` is an AddressSanitizer report. The result is compared
 * with a reference decoder written here from RFC 3986 2.1 and html.h's
 * contract: the same success or failure and the same bytes; a failure
 * leaves the buffer as it was; success output holds no NUL and is no longer
 * than the input; url_arg() and url_path() of the output decode back to it.
 *
 * Build and run: fuzz/run.sh url_decode
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The reference: decoded length into out (n bytes at most), or -1. */
static long reference(const uint8_t *in, size_t n, bool plus, uint8_t *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		uint8_t c = in[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1; /* fewer than two characters after '%' */
			if (hexval(in[i + 1]) < 0 || hexval(in[i + 2]) < 0)
				return -1;
			c = (uint8_t)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
			i += 3;
		} else {
			if (c == '+' && plus)
				c = ' ';
			i++;
		}
		if (c == 0)
			return -1;
		out[o++] = c;
	}
	return (long)o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INIT, enc = BUF_INIT, back = BUF_INIT;
	bool plus;
	size_t n;
	char *in;
	uint8_t *want;
	long wn;
	int rc;

	if (size < 1)
		return 0;
	plus = data[0] & 1;
	n = size - 1;
	in = malloc(n ? n : 1); /* exactly n bytes: no terminator to lean on */
	want = malloc(n ? n : 1);
	if (!in || !want)
		abort();
	memcpy(in, data + 1, n);
	wn = reference((const uint8_t *)in, n, plus, want);

	buf_addstr(&b, "pre");
	rc = url_decode(in, n, &b, plus);
	if (rc != (wn < 0 ? -1 : 0))
		__builtin_trap(); /* disagrees with the reference on validity */
	if (rc < 0) {
		if (b.len != 3 || memcmp(b.data, "pre", 4))
			__builtin_trap(); /* a failure must leave the buffer as it was */
	} else {
		if (b.len - 3 != (size_t)wn || memcmp(b.data + 3, want, (size_t)wn))
			__builtin_trap(); /* different bytes */
		if (memchr(b.data + 3, '\0', b.len - 3) || b.len - 3 > n)
			__builtin_trap();
		/* encoding the result and decoding it again is the identity */
		url_arg(&enc, b.data + 3);
		if (url_decode(enc.data, enc.len, &back, true) < 0 || strcmp(back.data, b.data + 3))
			__builtin_trap();
		buf_reset(&enc);
		buf_reset(&back);
		url_path(&enc, b.data + 3);
		if (url_decode(enc.data, enc.len, &back, false) < 0 || strcmp(back.data, b.data + 3))
			__builtin_trap();
	}
	buf_release(&b);
	buf_release(&enc);
	buf_release(&back);
	free(in);
	free(want);
	return 0;
}
