/* timeutil.c: clocks and ISO-8601 text. */
#include "timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t time_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *time_iso8601(int64_t ms, char *out, size_t outlen)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	/* by hand rather than strftime's %Y, which does not pad years < 1000 */
	if (!gmtime_r(&t, &tm))
		snprintf(out, outlen, "1970-01-01T00:00:00Z");
	else
		snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return out;
}

static int digits(const char *s, int n, int *v)
{
	int i, x = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

/* Days in month `mo` (1..12) of year `y` (proleptic Gregorian). */
static int month_days(int y, int mo)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[mo - 1];
}

int time_parse_iso8601(const char *s, int64_t *ms)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh, om, frac_ms = 0, scale = 100;
	int64_t days, secs, off = 0;
	const char *p;

	if (!s || strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d))
		return -1;
	p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (digits(p + 1, 2, &h) || p[3] != ':' || digits(p + 4, 2, &mi) ||
		    p[6] != ':' || digits(p + 7, 2, &se))
			return -1;
		p += 9;
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p)) {
				frac_ms += (*p - '0') * scale;
				scale /= 10;
				p++;
			}
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) ||
			    oh > 23 || om > 59)
				return -1;
			off = (int64_t)(oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
			p += 6;
		} else {
			return -1;
		}
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 ||
	    se > 60)
		return -1;
	{
		struct tm tm = { 0 };
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		days = (int64_t)timegm(&tm) / 86400; /* glibc: UTC calendar -> epoch */
	}
	secs = days * 86400 + h * 3600 + mi * 60 + se - off;
	*ms = secs * 1000 + frac_ms;
	return 0;
}

void time_sleep_ms(int64_t ms, volatile int *stop)
{
	struct timespec req, rem;
	if (ms <= 0)
		return;
	req.tv_sec = ms / 1000;
	req.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&req, &rem) < 0 && errno == EINTR) {
		if (stop && *stop)
			return;
		req = rem;
	}
}
