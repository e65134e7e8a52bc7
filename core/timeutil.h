/* timeutil.h: wall-clock and monotonic time, ISO-8601 (RFC 3339) text.
 * Times are int64 milliseconds since the Unix epoch (UTC) unless a name says
 * otherwise. */
#ifndef GW_TIMEUTIL_H
#define GW_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Wall-clock time now, ms since the epoch (CLOCK_REALTIME). */
int64_t time_now_ms(void);

/* Monotonic time in ms (CLOCK_MONOTONIC): for durations and deadlines only. */
int64_t time_mono_ms(void);

/* Format `ms` as "YYYY-MM-DDTHH:MM:SSZ" (UTC, second precision, rounded
 * down; the year zero-padded to 4 digits) into out (at least 21 bytes; 32 is
 * safe). Returns out. */
char *time_iso8601(int64_t ms, char *out, size_t outlen);

/* Parse an RFC 3339 timestamp: "YYYY-MM-DDTHH:MM:SS" with optional
 * fractional seconds and a "Z" or "+HH:MM"/"-HH:MM" offset (a plain date
 * "YYYY-MM-DD" means midnight UTC; a space may replace the "T"; seconds may
 * be 60, a leap second, read as the next minute's first). Returns 0 and
 * stores ms since the epoch, or -1 on any malformed input, including a day
 * its month does not have ("2023-02-29", "2024-04-31"). */
int time_parse_iso8601(const char *s, int64_t *ms);

/* Sleep for `ms` milliseconds (restarting after signals unless *stop becomes
 * non-zero; stop may be NULL). */
void time_sleep_ms(int64_t ms, volatile int *stop);

#endif
