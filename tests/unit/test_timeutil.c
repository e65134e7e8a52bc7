/* test_timeutil.c: RFC 3339 text of core/timeutil.c. Expected epoch values
 * were computed with Python's calendar.timegm, an independent calendar. */
#include <stdint.h>
#include <string.h>

#include "core/timeutil.h"
#include "cu.h"

static int parses_to(const char *s, int64_t want)
{
	int64_t ms = 12345;
	int ok = time_parse_iso8601(s, &ms) == 0 && ms == want;
	if (!ok)
		printf("\n  [%s] -> %lld, want %lld\n", s, (long long)ms, (long long)want);
	return ok;
}

static int refused(const char *s)
{
	int64_t ms = 12345;
	int ok = time_parse_iso8601(s, &ms) == -1 && ms == 12345;
	if (!ok)
		printf("\n  [%s] was accepted as %lld\n", s ? s : "(null)", (long long)ms);
	return ok;
}

static void test_parse(void)
{
	CU_ASSERT(parses_to("1970-01-01T00:00:00Z", 0));
	CU_ASSERT(parses_to("2024-09-15T12:34:56Z", INT64_C(1726403696000)));
	CU_ASSERT(parses_to("2024-09-15t12:34:56z", INT64_C(1726403696000)));
	CU_ASSERT(parses_to("2024-09-15 12:34:56+00:00", INT64_C(1726403696000)));
	CU_ASSERT(parses_to("2024-09-15T12:34:56.789+02:00", INT64_C(1726396496789)));
	/* the same instant: 08:04:56.789 at UTC-02:30 */
	CU_ASSERT(parses_to("2024-09-15T08:04:56.789-02:30", INT64_C(1726396496789)));
	CU_ASSERT(parses_to("2024-09-15", INT64_C(1726358400000)));
	CU_ASSERT(parses_to("2024-02-29", INT64_C(1709164800000)));
	CU_ASSERT(parses_to("2000-02-29", INT64_C(951782400000)));
	CU_ASSERT(parses_to("0001-01-01T00:00:00Z", INT64_C(-62135596800000)));
	CU_ASSERT(parses_to("1969-12-31T23:00:00Z", INT64_C(-3600000)));
	/* a leap second reads as the next minute's first */
	CU_ASSERT(parses_to("2016-12-31T23:59:60Z", INT64_C(1483228800000)));
	/* digits past the third of the fraction do not round */
	CU_ASSERT(parses_to("1970-01-01T00:00:00.9999Z", 999));
	CU_ASSERT(parses_to("1970-01-01T00:00:00.5Z", 500));
}

static void test_refused(void)
{
	static const char *const bad[] = {
		"", "2024", "2024-09", "2024-9-15", "2024/09/15", "20240915",
		"2024-00-10", "2024-13-01", "2024-01-00", "2024-01-32",
		/* days the month does not have */
		"2023-02-29", "1900-02-29", "2024-02-30", "2024-04-31", "2024-06-31",
		"2024-09-31", "2024-11-31T00:00:00Z",
		"2024-09-15T", "2024-09-15T12:34", "2024-09-15T12:34:56",
		"2024-09-15T24:00:00Z", "2024-09-15T23:60:00Z", "2024-09-15T23:59:61Z",
		"2024-09-15T12:34:56.Z", "2024-09-15T12:34:56+24:00", "2024-09-15T12:34:56+23:60",
		"2024-09-15T12:34:56+0200", "2024-09-15T12:34:56+02", "2024-09-15T12:34:56ZZ",
		"2024-09-15 ", "2024-09-15x", " 2024-09-15", "2024-09-15T12:34:56Z ",
		"yesterday", "2024-13-45",
	};
	size_t i;

	CU_ASSERT(refused(NULL));
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CU_ASSERT(refused(bad[i]));
}

static int formats_as(int64_t ms, const char *want)
{
	char out[32];
	int ok = !strcmp(time_iso8601(ms, out, sizeof out), want);
	if (!ok)
		printf("\n  %lld -> [%s], want [%s]\n", (long long)ms, out, want);
	return ok;
}

static void test_format(void)
{
	int64_t ms;

	CU_ASSERT(formats_as(0, "1970-01-01T00:00:00Z"));
	CU_ASSERT(formats_as(999, "1970-01-01T00:00:00Z"));
	CU_ASSERT(formats_as(-1, "1969-12-31T23:59:59Z"));
	CU_ASSERT(formats_as(INT64_C(1726403696789), "2024-09-15T12:34:56Z"));
	CU_ASSERT(formats_as(INT64_C(-62135596800000), "0001-01-01T00:00:00Z"));
	/* every day of a leap year and of the next formats and parses back */
	for (ms = INT64_C(1704067200000); ms < INT64_C(1767225600000); ms += INT64_C(86399999)) {
		char out[32];
		int64_t back = 0;
		time_iso8601(ms, out, sizeof out);
		CU_ASSERT_EQUAL_FATAL(time_parse_iso8601(out, &back), 0);
		CU_ASSERT_EQUAL(back, ms - ms % 1000);
	}
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("timeutil", NULL, NULL);
	CU_add_test(s, "RFC 3339 times parse to the right instant", test_parse);
	CU_add_test(s, "malformed and impossible times are refused", test_refused);
	CU_add_test(s, "formatting pads and reads back", test_format);
}

CU_MAIN()
