// cron.h: five-field cron expressions, as the jobs' schedules are written
// (struct gw_job.schedule) and as cron(8) reads them: pure code, no I/O.
// (Line comments here: the examples contain the characters that end a
// block comment.)
//
// Format (crontab(5) of Vixie/cronie, numeric subset):
//   minute hour day-of-month month day-of-week
// separated by spaces or tabs; each field a comma-separated list of
//   *        every value of the field
//   N        one value
//   N-M      an inclusive range (N <= M)
//   */S      every S-th value from the field's minimum ("*/5" minutes: 0,5,...)
//   N-M/S    every S-th value from N to M ("2-59/5": 2,7,...,57)
// Ranges: minute 0-59, hour 0-23, day-of-month 1-31, month 1-12,
// day-of-week 0-7 (0 and 7 are Sunday). Names (jan, mon), "N/S" without a
// range, "?", "L", "W", "#" and @-shortcuts are refused. As in cron, when
// both day-of-month and day-of-week are restricted (neither starts with
// "*"), a day matches when EITHER matches; otherwise both must.
#ifndef GW_CRON_H
#define GW_CRON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct cron_expr {
	uint64_t minute;   /* bit m: minute m (0-59) */
	uint32_t hour;     /* bit h: hour h (0-23) */
	uint32_t dom;      /* bit d: day of month d (1-31) */
	uint16_t month;    /* bit m: month m (1-12) */
	uint8_t dow;       /* bit d: day of week d (0-6, Sunday 0; 7 folds into 0) */
	bool dom_any;      /* the day-of-month field starts with '*' */
	bool dow_any;      /* the day-of-week field starts with '*' */
};

/* Parse `s` into `out`. Returns 0, or -1 with a one-line message in `err`
 * (errlen bytes; may be 0) naming the field and the problem: wrong number of
 * fields, a value out of its field's range, a reversed range, a zero or
 * missing step, an empty list item, or any other character. */
int cron_parse(const char *s, struct cron_expr *out, char *err, size_t errlen);

/* Does the minute described by `tm` (tm_min, tm_hour, tm_mday, tm_mon 0-11,
 * tm_wday 0-6, as localtime_r() fills them) match `c`? */
bool cron_matches(const struct cron_expr *c, const struct tm *tm);

#endif
