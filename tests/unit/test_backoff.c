/* test_backoff.c: the approved poll backoff schedule and the exponential one. */
#include "backoff.h"
#include "cu.h"

/* Success: exactly the interval, whatever the random number. */
static void test_poll_success_is_interval(void)
{
	CU_ASSERT_EQUAL(backoff_poll_delay_ms(0, 5000, 0.20, 0.0), 5000);
	CU_ASSERT_EQUAL(backoff_poll_delay_ms(0, 5000, 0.20, 0.999), 5000);
	CU_ASSERT_EQUAL(backoff_poll_delay_ms(-3, 7000, 0.20, 0.5), 7000);
}

/* 10 -> 20 -> 30 -> 60 s, then stays at 60 s; u = 0.5 is the midpoint. */
static void test_poll_schedule_midpoint(void)
{
	CU_ASSERT_EQUAL(backoff_poll_delay_ms(1, 5000, 0.20, 0.5), 10000);
	CU_ASSERT_EQUAL(backoff_poll_delay_ms(2, 5000, 0.20, 0.5), 20000);
	CU_ASSERT_EQUAL(backoff_poll_delay_ms(3, 5000, 0.20, 0.5), 30000);
	CU_ASSERT_EQUAL(backoff_poll_delay_ms(4, 5000, 0.20, 0.5), 60000);
	CU_ASSERT_EQUAL(backoff_poll_delay_ms(50, 5000, 0.20, 0.5), 60000);
}

/* The jitter spans exactly +-20 %, and stays inside it for any u in [0,1). */
static void test_poll_jitter_bounds(void)
{
	int f;
	double u;
	CU_ASSERT_EQUAL(backoff_poll_delay_ms(1, 5000, 0.20, 0.0), 8000);
	CU_ASSERT_EQUAL(backoff_poll_delay_ms(4, 5000, 0.20, 0.0), 48000);
	CU_ASSERT(backoff_poll_delay_ms(4, 5000, 0.20, 0.99999) <= 72000);
	CU_ASSERT(backoff_poll_delay_ms(4, 5000, 0.20, 0.99999) > 71990);
	for (f = 1; f <= 6; f++)
		for (u = 0.0; u < 1.0; u += 0.01) {
			static const long long mid[] = { 0, 10000, 20000, 30000, 60000, 60000, 60000 };
			long long d = backoff_poll_delay_ms(f, 5000, 0.20, u);
			CU_ASSERT(d >= mid[f] * 8 / 10 && d <= mid[f] * 12 / 10);
		}
}

/* 1 s, 2 s, 4 s ... capped at 5 minutes, jitter never exceeds the cap. */
static void test_exp_schedule(void)
{
	CU_ASSERT_EQUAL(backoff_exp_delay_ms(1, 1000, 300000, 0.0, 0.5), 1000);
	CU_ASSERT_EQUAL(backoff_exp_delay_ms(2, 1000, 300000, 0.0, 0.5), 2000);
	CU_ASSERT_EQUAL(backoff_exp_delay_ms(3, 1000, 300000, 0.0, 0.5), 4000);
	CU_ASSERT_EQUAL(backoff_exp_delay_ms(9, 1000, 300000, 0.0, 0.5), 256000);
	CU_ASSERT_EQUAL(backoff_exp_delay_ms(10, 1000, 300000, 0.0, 0.5), 300000);
	CU_ASSERT_EQUAL(backoff_exp_delay_ms(60, 1000, 300000, 0.2, 0.99), 300000);
	CU_ASSERT_EQUAL(backoff_exp_delay_ms(3, 1000, 300000, 0.2, 0.0), 3200);
}

/* The OS random source gives values in [0, 1) that are not all equal. */
static void test_random_unit(void)
{
	double a = backoff_random_unit(), b = backoff_random_unit(), c = backoff_random_unit();
	CU_ASSERT(a >= 0.0 && a < 1.0 && b >= 0.0 && b < 1.0 && c >= 0.0 && c < 1.0);
	CU_ASSERT(!(a == b && b == c));
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("backoff", NULL, NULL);
	CU_add_test(s, "poll success waits the interval", test_poll_success_is_interval);
	CU_add_test(s, "poll failures 10/20/30/60 s", test_poll_schedule_midpoint);
	CU_add_test(s, "poll jitter within +-20%", test_poll_jitter_bounds);
	CU_add_test(s, "exponential 1 s doubling capped 5 min", test_exp_schedule);
	CU_add_test(s, "random unit interval", test_random_unit);
}

CU_MAIN()
