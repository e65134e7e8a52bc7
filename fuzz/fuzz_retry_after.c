/* fuzz_retry_after.c: libFuzzer target for http_parse_retry_after() of
 * core/http.c (the Retry-After header of upstream 429/503 answers).
 *
 * The input is the header value, in a heap block of exactly its length (no
 * NUL to lean on: a read past it is an AddressSanitizer report). The result
 * is compared with a reference written here from http.h's contract: strip
 * spaces and tabs around the value and CR/LF at its end; what is left must
 * be one or more ASCII digits, read as decimal seconds and capped at
 * HTTP_RETRY_AFTER_MAX_S; anything else is -1.
 *
 * Build and run: fuzz/run.sh retry_after
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long reference(const uint8_t *v, size_t n)
{
	size_t a = 0, b = n, i;
	unsigned long long s = 0;

	while (a < b && (v[a] == ' ' || v[a] == '\t'))
		a++;
	while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t' || v[b - 1] == '\r' ||
			 v[b - 1] == '\n'))
		b--;
	if (a == b)
		return -1;
	for (i = a; i < b; i++)
		if (v[i] < '0' || v[i] > '9')
			return -1;
	for (i = a; i < b; i++) {
		s = s * 10 + (v[i] - '0');
		if (s > (unsigned long long)HTTP_RETRY_AFTER_MAX_S)
			return HTTP_RETRY_AFTER_MAX_S;
	}
	return (long)s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = malloc(size ? size : 1);
	long got;

	if (!v)
		abort();
	memcpy(v, data, size);
	got = http_parse_retry_after(v, size);
	if (got != reference(data, size))
		__builtin_trap();
	if (got > HTTP_RETRY_AFTER_MAX_S || got < -1)
		__builtin_trap();
	free(v);
	return 0;
}
