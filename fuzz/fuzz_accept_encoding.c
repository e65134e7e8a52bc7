/* fuzz_accept_encoding.c: libFuzzer target for gzip_accepted() of
 * core/gzip.c (the client's Accept-Encoding header, outside input).
 *
 * The input, cut at its first NUL, is the header value. Nothing may crash
 * or read past the string (AddressSanitizer); the answer is 0 or 1; and it
 * depends on the first coding that names gzip or "*", so listing another
 * coding before or after the header ("identity, " + v, v + ", br") never
 * changes it.
 *
 * Build and run: fuzz/run.sh accept_encoding
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/gzip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *t = malloc(size + 16);
	int r;

	if (!s || !t)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	r = gzip_accepted(s);
	if (r != 0 && r != 1)
		__builtin_trap();
	memcpy(t, "identity, ", 10);
	memcpy(t + 10, s, strlen(s) + 1);
	if (gzip_accepted(t) != r)
		__builtin_trap(); /* a coding listed before changed the answer */
	memcpy(t, s, strlen(s));
	memcpy(t + strlen(s), ", br", 5);
	if (gzip_accepted(t) != r)
		__builtin_trap(); /* a coding listed after changed the answer */
	free(s);
	free(t);
	return 0;
}
