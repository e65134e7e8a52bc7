/* test_timeutil.c: RFC 3339 parsing (core/timeutil.h), above all that an
 * impossible calendar day is refused instead of rolled into the next month
 * (issue 9, fault 8: from=2024-02-30 was read as 2024-03-01). */
#include <stdint.h>
#include <string.h>

#include "cu.h"
#include "timeutil.h"

/* ms of a date, computed here independently of timegm(): days since
 * 1970-01-01 by counting whole years and months. */
static int64_t days_from_civil(int y, int m, int d)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t days = 0;
	int i;
	for (i = 1970; i < y; i++)
		days += ((i % 4 == 0 && i % 100 != 0) || i % 400 == 0) ? 366 : 365;
	for (i = 1; i < m; i++)
		days += mdays[i - 1] + (i == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	return days + d - 1;
}

static void test_valid(void)
{
	int64_t ms;
	CU_ASSERT_EQUAL(time_parse_iso8601("2024-02-29", &ms), 0); /* leap year */
	CU_ASSERT_EQUAL(ms, days_from_civil(2024, 2, 29) * 86400000LL);
	CU_ASSERT_EQUAL(time_parse_iso8601("2000-02-29T12:00:00Z", &ms), 0); /* divisible by 400 */
	CU_ASSERT_EQUAL(ms, days_from_civil(2000, 2, 29) * 86400000LL + 12 * 3600000LL);
	CU_ASSERT_EQUAL(time_parse_iso8601("2024-04-30T23:59:59+02:00", &ms), 0);
	CU_ASSERT_EQUAL(ms, days_from_civil(2024, 4, 30) * 86400000LL + 86399000LL - 7200000LL);
	CU_ASSERT_EQUAL(time_parse_iso8601("2024-12-31 00:00:00.250Z", &ms), 0);
	CU_ASSERT_EQUAL(ms, days_from_civil(2024, 12, 31) * 86400000LL + 250);
	/* the capture timestamps: 7 fractional digits */
	CU_ASSERT_EQUAL(time_parse_iso8601("2024-09-15T01:23:44.9077017Z", &ms), 0);
	CU_ASSERT_EQUAL(ms, days_from_civil(2024, 9, 15) * 86400000LL + (3600 + 23 * 60 + 44) * 1000LL + 907);
	CU_ASSERT_EQUAL(time_parse_iso8601("2016-12-31T23:59:60Z", &ms), 0); /* leap second */
}

static void test_impossible_days(void)
{
	static const char *const bad[] = {
		"2024-02-30", "2024-02-31", "2023-02-29", "1900-02-29", "2100-02-29",
		"2024-04-31", "2024-06-31", "2024-09-31", "2024-11-31", "2024-01-32",
		"2024-00-10", "2024-13-01", "2024-01-00", "2024-02-30T00:00:00Z",
		"2024-04-31T12:00:00+01:00",
	};
	size_t i;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t ms = 12345;
		CU_ASSERT_EQUAL(time_parse_iso8601(bad[i], &ms), -1);
		CU_ASSERT_EQUAL(ms, 12345); /* untouched */
		if (time_parse_iso8601(bad[i], &ms) != -1)
			fprintf(stderr, "accepted: %s\n", bad[i]);
	}
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"", "2024", "2024-2-3", "2024-02-03T", "2024-02-03T24:00:00Z",
		"2024-02-03T12:60:00Z", "2024-02-03T12:00:61Z", "2024-02-03T12:00:00",
		"2024-02-03T12:00:00+24:00", "2024-02-03T12:00:00.Z", "2024-02-03x",
		"2024-02-03T12:00:00Zjunk",
	};
	size_t i;
	int64_t ms;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CU_ASSERT_EQUAL(time_parse_iso8601(bad[i], &ms), -1);
	CU_ASSERT_EQUAL(time_parse_iso8601(NULL, &ms), -1);
}

static void test_round_trip(void)
{
	char out[32];
	int64_t ms, back;
	/* every day of 2023 and 2024 formats and parses back to itself */
	for (ms = days_from_civil(2023, 1, 1) * 86400000LL; ms < days_from_civil(2025, 1, 1) * 86400000LL;
	     ms += 86400000LL + 3723000LL) {
		time_iso8601(ms, out, sizeof out);
		CU_ASSERT_EQUAL_FATAL(time_parse_iso8601(out, &back), 0);
		CU_ASSERT_EQUAL(back, ms);
	}
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("timeutil", NULL, NULL);
	CU_add_test(s, "valid timestamps", test_valid);
	CU_add_test(s, "impossible days are refused", test_impossible_days);
	CU_add_test(s, "malformed text is refused", test_malformed);
	CU_add_test(s, "format and parse round trip", test_round_trip);
}

CU_MAIN()
