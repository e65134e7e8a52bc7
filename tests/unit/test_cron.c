/* test_cron.c: five-field cron expressions (platform/jobs/cron.h), and
 * every schedule of the job registry parses. Expected sets are written out
 * by hand from crontab(5), not computed by the code under test. */
#include <string.h>
#include <time.h>

#include "cu.h"
#include "platform/jobs/cron.h"
#include "platform/jobs/job.h"
#include "platform/module.h"

static uint64_t bits(const int *v, int n)
{
	uint64_t b = 0;
	int i;
	for (i = 0; i < n; i++)
		b |= 1ULL << v[i];
	return b;
}

static struct cron_expr parse_ok(const char *s)
{
	struct cron_expr e;
	char err[160] = "";
	int rc = cron_parse(s, &e, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "cron_parse(\"%s\"): %s\n", s, err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	return e;
}

static void test_star(void)
{
	struct cron_expr e = parse_ok("* * * * *");
	CU_ASSERT_EQUAL(e.minute, (1ULL << 60) - 1);
	CU_ASSERT_EQUAL(e.hour, (1U << 24) - 1);
	CU_ASSERT_EQUAL(e.dom, ((1U << 31) - 1) << 1); /* 1..31 */
	CU_ASSERT_EQUAL(e.month, ((1U << 12) - 1) << 1); /* 1..12 */
	CU_ASSERT_EQUAL(e.dow, 0x7f);
	CU_ASSERT_TRUE(e.dom_any);
	CU_ASSERT_TRUE(e.dow_any);
}

static void test_steps(void)
{
	static const int every5[] = { 0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55 };
	static const int from2[] = { 2, 7, 12, 17, 22, 27, 32, 37, 42, 47, 52, 57 };
	static const int hours[] = { 1, 4, 7 };
	struct cron_expr e = parse_ok("*/5 * * * *");
	CU_ASSERT_EQUAL(e.minute, bits(every5, 12));
	e = parse_ok("2-59/5 * * * *");
	CU_ASSERT_EQUAL(e.minute, bits(from2, 12));
	e = parse_ok("0 1-8/3 * * *");
	CU_ASSERT_EQUAL(e.minute, 1ULL);
	CU_ASSERT_EQUAL(e.hour, bits(hours, 3));
	e = parse_ok("*/60 * * * *"); /* a step past the range: only the start */
	CU_ASSERT_EQUAL(e.minute, 1ULL);
	e = parse_ok("5-5/2 * * * *");
	CU_ASSERT_EQUAL(e.minute, 1ULL << 5);
}

static void test_ranges_lists(void)
{
	static const int mins[] = { 1, 2, 3, 10, 30, 31, 32 };
	static const int months[] = { 1, 6, 7, 12 };
	struct cron_expr e = parse_ok("1-3,10,30-32 0,23 31 1,6-7,12 1-5");
	CU_ASSERT_EQUAL(e.minute, bits(mins, 7));
	CU_ASSERT_EQUAL(e.hour, (1U << 0) | (1U << 23));
	CU_ASSERT_EQUAL(e.dom, 1U << 31);
	CU_ASSERT_EQUAL(e.month, (uint16_t)bits(months, 4));
	CU_ASSERT_EQUAL(e.dow, 0x3e);
	CU_ASSERT_FALSE(e.dom_any);
	CU_ASSERT_FALSE(e.dow_any);
	e = parse_ok("  17\t3  * *   *  "); /* blanks around and between fields */
	CU_ASSERT_EQUAL(e.minute, 1ULL << 17);
	CU_ASSERT_EQUAL(e.hour, 1U << 3);
}

static void test_sunday(void)
{
	struct cron_expr a = parse_ok("0 0 * * 0"), b = parse_ok("0 0 * * 7"),
			 c = parse_ok("0 0 * * 5-7");
	CU_ASSERT_EQUAL(a.dow, 1);
	CU_ASSERT_EQUAL(b.dow, 1);
	CU_ASSERT_EQUAL(c.dow, (1 << 5) | (1 << 6) | 1);
}

static struct tm at(int year, int mon, int mday, int hour, int min)
{
	struct tm tm;
	time_t t;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = mday;
	tm.tm_hour = hour;
	tm.tm_min = min;
	t = timegm(&tm); /* fills tm_wday */
	gmtime_r(&t, &tm);
	return tm;
}

static void test_matches(void)
{
	struct cron_expr e = parse_ok("2-59/5 * * * *");
	struct tm tm = at(2024, 9, 15, 1, 22); /* a Sunday */
	CU_ASSERT_EQUAL(tm.tm_wday, 0);
	CU_ASSERT_TRUE(cron_matches(&e, &tm));
	tm = at(2024, 9, 15, 1, 20);
	CU_ASSERT_FALSE(cron_matches(&e, &tm));

	e = parse_ok("17 3 * * *");
	tm = at(2024, 2, 29, 3, 17);
	CU_ASSERT_TRUE(cron_matches(&e, &tm));
	tm = at(2024, 2, 29, 4, 17);
	CU_ASSERT_FALSE(cron_matches(&e, &tm));

	/* Sunday as 7 */
	e = parse_ok("0 12 * * 7");
	tm = at(2024, 9, 15, 12, 0);
	CU_ASSERT_TRUE(cron_matches(&e, &tm));
	tm = at(2024, 9, 16, 12, 0);
	CU_ASSERT_FALSE(cron_matches(&e, &tm));

	/* both day fields restricted: either matches (the 1st, or any Monday) */
	e = parse_ok("0 0 1 * 1");
	tm = at(2024, 9, 1, 0, 0); /* the 1st, a Sunday */
	CU_ASSERT_TRUE(cron_matches(&e, &tm));
	tm = at(2024, 9, 16, 0, 0); /* a Monday */
	CU_ASSERT_TRUE(cron_matches(&e, &tm));
	tm = at(2024, 9, 17, 0, 0); /* neither */
	CU_ASSERT_FALSE(cron_matches(&e, &tm));
	/* one restricted: both must match */
	e = parse_ok("0 0 1 * *");
	tm = at(2024, 9, 16, 0, 0);
	CU_ASSERT_FALSE(cron_matches(&e, &tm));
	e = parse_ok("0 0 * * 1");
	tm = at(2024, 9, 1, 0, 0);
	CU_ASSERT_FALSE(cron_matches(&e, &tm));
	/* months */
	e = parse_ok("0 0 * 2 *");
	tm = at(2024, 2, 10, 0, 0);
	CU_ASSERT_TRUE(cron_matches(&e, &tm));
	tm = at(2024, 3, 10, 0, 0);
	CU_ASSERT_FALSE(cron_matches(&e, &tm));
}

static void test_errors(void)
{
	static const char *const bad[] = {
		"", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *",
		"* * 32 * *", "* * * 0 *", "* * * 13 *", "* * * * 8", "5-2 * * * *",
		"*/0 * * * *", "*/ * * * *", "5/2 * * * *", "1, * * * *", ",1 * * * *",
		"1,,2 * * * *", "1- * * * *", "-1 * * * *", "a * * * *", "* * * jan *",
		"* * * * mon", "@hourly", "? * * * *", "1000 * * * *", "*5 * * * *",
		"1-2-3 * * * *", "*/5/2 * * * *", "* * L * *", "0 0 * * 1#2",
	};
	size_t i;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cron_expr e;
		char err[160] = "";
		int rc = cron_parse(bad[i], &e, err, sizeof err);
		if (rc != -1)
			fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_TRUE(err[0] != '\0');
	}
	{
		struct cron_expr e;
		char err[160];
		cron_parse("61 * * * *", &e, err, sizeof err);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "minute"));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "0-59"));
		cron_parse("* * * * 9", &e, err, sizeof err);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "day-of-week"));
		CU_ASSERT_EQUAL(cron_parse("* *", &e, NULL, 0), -1); /* no message buffer */
	}
}

/* Every schedule in the registry (platform and every built module) parses. */
static void test_registry(void)
{
	const struct gw_job *j;
	size_t m, seen = 0;
	char err[160];
	struct cron_expr e;
	for (j = platform_jobs; j->name; j++)
		if (j->schedule) {
			CU_ASSERT_EQUAL(cron_parse(j->schedule, &e, err, sizeof err), 0);
			seen++;
		}
	for (m = 0; gw_modules_built[m]; m++)
		for (j = gw_modules_built[m]->jobs; j && j->name; j++)
			if (j->schedule) {
				if (cron_parse(j->schedule, &e, err, sizeof err) != 0)
					fprintf(stderr, "%s: %s\n", j->name, err);
				CU_ASSERT_EQUAL(cron_parse(j->schedule, &e, err, sizeof err), 0);
				seen++;
			}
	CU_ASSERT_TRUE(seen >= 2);
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("cron", NULL, NULL);
	CU_add_test(s, "every value", test_star);
	CU_add_test(s, "steps", test_steps);
	CU_add_test(s, "ranges and lists", test_ranges_lists);
	CU_add_test(s, "Sunday is 0 and 7", test_sunday);
	CU_add_test(s, "matching a minute", test_matches);
	CU_add_test(s, "errors", test_errors);
	CU_add_test(s, "registry schedules", test_registry);
}

CU_MAIN()
