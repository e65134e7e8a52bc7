/* fuzz_eve_scan.c: libFuzzer target for the bulk-file scanners: top-level
 * JSON values (JSON lines, day files), object members, and CSV records.
 * Every range returned must lie inside the input and advance; the scanners
 * must never read past the end. Seeds: modules/eve/fuzz/corpus/eve_scan/.
 * Build and run: fuzz/run.sh eve_scan. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/eve/domain/eve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t pos = 0, s, e, last = 0;
	char *line, *fields[16];
	int r, n = 0;

	while ((r = eve_json_next_value(buf, size, &pos, &s, &e)) == 1) {
		size_t mpos = 0, ks, vs, ve;
		const char *key;
		if (s < last || e <= s || e > size || pos != e)
			abort();
		last = e;
		if (buf[s] == '{')
			while (eve_json_next_member(buf + s, e - s, &mpos, &key, &ks, &vs, &ve) == 1) {
				if (key < buf + s || key + ks > buf + e || ve > e - s || vs >= ve)
					abort();
				if (++n > 100000)
					break;
			}
		if (++n > 100000)
			break;
	}
	/* CSV: the input as one NUL-terminated line */
	line = malloc(size + 1);
	if (!line)
		abort();
	memcpy(line, data, size);
	line[size] = '\0';
	r = eve_csv_split(line, fields, 16);
	if (r > 16)
		abort();
	free(line);
	return 0;
}
