/* fuzz_bzcc_join.c: libFuzzer target for the join-link decoder
 * (bzcc_join_decode(), the {hex} of /bzcc/join/{hex}: outside input from
 * any URL). The input is the hex text as it would arrive; a success must
 * give three strings, the NAT id one that decodes; nothing may leak.
 * Seeds: modules/bzcc/fuzz/corpus/bzcc_join/ (join arguments of real
 * games). Build and run: fuzz/run.sh bzcc_join. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/bzcc/domain/bzcc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *hex = malloc(size + 1), *name, *mods, *nat;
	uint64_t guid;

	if (!hex)
		return 0;
	memcpy(hex, data, size);
	hex[size] = '\0';
	if (bzcc_join_decode(hex, &name, &mods, &nat) == 0) {
		if (!name || !mods || !nat || bzcc_nat_decode(nat, &guid))
			abort();
		free(name);
		free(mods);
		free(nat);
	} else if (hex[0] && (name || mods || nat)) {
		abort();
	}
	free(hex);
	return 0;
}
