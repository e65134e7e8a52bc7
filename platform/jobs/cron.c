/* cron.c: five-field cron expressions (cron.h). */
#include "platform/jobs/cron.h"

#include <stdio.h>
#include <string.h>

static const struct field {
	const char *name;
	int lo, hi;
} fields[5] = {
	{ "minute", 0, 59 },
	{ "hour", 0, 23 },
	{ "day-of-month", 1, 31 },
	{ "month", 1, 12 },
	{ "day-of-week", 0, 7 },
};

/* A decimal number at *p (at most 3 digits, enough for every field);
 * advances *p. Returns the value or -1 when there is none. */
static int number(const char **p, const char *end)
{
	int v = 0, d = 0;
	while (*p < end && **p >= '0' && **p <= '9') {
		if (++d > 3)
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return d ? v : -1;
}

/* Parse one field [s, end) into the bit set *bits. */
static int parse_field(const struct field *f, const char *s, const char *end,
		       uint64_t *bits, char *err, size_t errlen)
{
	const char *p = s;
	*bits = 0;
	for (;;) {
		const char *item = p;
		int lo, hi, step = 1, v;
		if (p < end && *p == '*') {
			p++;
			lo = f->lo;
			hi = f->hi;
		} else {
			lo = number(&p, end);
			if (lo < 0) {
				snprintf(err, errlen, "%s field \"%.*s\": expected a number, '*' or a range",
					 f->name, (int)(end - s), s);
				return -1;
			}
			hi = lo;
			if (p < end && *p == '-') {
				p++;
				hi = number(&p, end);
				if (hi < 0) {
					snprintf(err, errlen, "%s field \"%.*s\": a range needs an end",
						 f->name, (int)(end - s), s);
					return -1;
				}
			}
			if (lo < f->lo || hi > f->hi) {
				snprintf(err, errlen, "%s field \"%.*s\": values are %d-%d",
					 f->name, (int)(end - s), s, f->lo, f->hi);
				return -1;
			}
			if (lo > hi) {
				snprintf(err, errlen, "%s field \"%.*s\": range %d-%d is reversed",
					 f->name, (int)(end - s), s, lo, hi);
				return -1;
			}
		}
		if (p < end && *p == '/') {
			if (*item != '*' && lo == hi && !memchr(item, '-', (size_t)(p - item))) {
				snprintf(err, errlen, "%s field \"%.*s\": a step needs '*' or a range",
					 f->name, (int)(end - s), s);
				return -1;
			}
			p++;
			step = number(&p, end);
			if (step <= 0) {
				snprintf(err, errlen, "%s field \"%.*s\": the step must be a number from 1",
					 f->name, (int)(end - s), s);
				return -1;
			}
		}
		if (p < end && *p != ',') {
			snprintf(err, errlen, "%s field \"%.*s\": unexpected '%c'", f->name,
				 (int)(end - s), s, *p);
			return -1;
		}
		for (v = lo; v <= hi; v += step)
			*bits |= 1ULL << v;
		if (p >= end)
			return 0;
		p++; /* ',' */
		if (p >= end || *p == ',') {
			snprintf(err, errlen, "%s field \"%.*s\": empty list item", f->name,
				 (int)(end - s), s);
			return -1;
		}
	}
}

int cron_parse(const char *s, struct cron_expr *out, char *err, size_t errlen)
{
	uint64_t bits[5];
	bool star[5];
	const char *p = s;
	int i;
	char dummy[1];
	if (!errlen) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	for (i = 0; i < 5; i++) {
		const char *b;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p) {
			snprintf(err, errlen, "expected 5 fields, found %d", i);
			return -1;
		}
		b = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		star[i] = *b == '*';
		if (parse_field(&fields[i], b, p, &bits[i], err, errlen) < 0)
			return -1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p) {
		snprintf(err, errlen, "expected 5 fields, found more (\"%s\")", p);
		return -1;
	}
	memset(out, 0, sizeof *out);
	out->minute = bits[0];
	out->hour = (uint32_t)bits[1];
	out->dom = (uint32_t)bits[2];
	out->month = (uint16_t)bits[3];
	out->dow = (uint8_t)((bits[4] & 0x7f) | ((bits[4] >> 7) & 1)); /* 7 is Sunday */
	out->dom_any = star[2];
	out->dow_any = star[4];
	return 0;
}

bool cron_matches(const struct cron_expr *c, const struct tm *tm)
{
	bool dom, dow;
	if (tm->tm_min < 0 || tm->tm_min > 59 || tm->tm_hour < 0 || tm->tm_hour > 23 ||
	    tm->tm_mday < 1 || tm->tm_mday > 31 || tm->tm_mon < 0 || tm->tm_mon > 11 ||
	    tm->tm_wday < 0 || tm->tm_wday > 6)
		return false;
	if (!(c->minute >> tm->tm_min & 1) || !(c->hour >> tm->tm_hour & 1) ||
	    !(c->month >> (tm->tm_mon + 1) & 1))
		return false;
	dom = c->dom >> tm->tm_mday & 1;
	dow = c->dow >> tm->tm_wday & 1;
	if (!c->dom_any && !c->dow_any)
		return dom || dow;
	return dom && dow;
}
