/* fuzz_iso8601.c: libFuzzer target for time_parse_iso8601() of
 * core/timeutil.c (the from/to query parameters and upstream timestamps).
 *
 * The input, cut at its first NUL, is parsed. Whatever it is, nothing may
 * crash or overflow (UBSan); and a time it accepts must be a real one:
 *  - time_iso8601() of the result parses back to the same second (when it
 *    falls in years 0000..9999, the only ones the text form can hold: an
 *    offset may push "0000-01-01T00:00:00+01:00" out of them);
 *  - when the text is UTC ("Z", "+00:00", "-00:00" or a plain date) and its
 *    seconds are not a leap second (60), formatting the result gives the
 *    text's own date and time fields back, so a day the month does not have
 *    (2023-02-29, which timegm would quietly roll over) cannot pass;
 *  - the fraction is the text's first three fraction digits in ms.
 *
 * Build and run: fuzz/run.sh iso8601
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"

#define MIN_MS INT64_C(-62167219200000) /* 0000-01-01T00:00:00Z */
#define MAX_MS INT64_C(253402300799999) /* 9999-12-31T23:59:59.999Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[64], want[32];
	int64_t ms, back, sec_ms, frac = 0;
	const char *p;
	int utc = 1, scale = 100;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (time_parse_iso8601(s, &ms) < 0) {
		free(s);
		return 0;
	}
	sec_ms = ms >= 0 ? ms / 1000 * 1000 : -((-ms + 999) / 1000 * 1000);
	time_iso8601(ms, out, sizeof out);
	if (ms >= MIN_MS && ms <= MAX_MS &&
	    (time_parse_iso8601(out, &back) < 0 || back != sec_ms))
		__builtin_trap(); /* our own output does not read back */

	/* the text's fields: "YYYY-MM-DD" [("T"|"t"|" ") "HH:MM:SS" ["." digits] offset] */
	memcpy(want, s, 10);
	if (strlen(s) == 10) {
		memcpy(want + 10, "T00:00:00Z", 11);
	} else {
		want[10] = 'T';
		memcpy(want + 11, s + 11, 8);
		want[19] = 'Z';
		want[20] = '\0';
		p = s + 19;
		if (*p == '.')
			for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
				frac += (*p - '0') * scale;
		utc = !strcmp(p, "Z") || !strcmp(p, "z") || !strcmp(p, "+00:00") ||
		      !strcmp(p, "-00:00");
		if (ms - sec_ms != frac)
			__builtin_trap(); /* the fraction was misread */
		if (!strncmp(s + 17, "60", 2))
			utc = 0; /* a leap second reads as the next minute */
	}
	if (utc && strcmp(out, want))
		__builtin_trap(); /* accepted a date or time that does not exist */
	free(s);
	return 0;
}
