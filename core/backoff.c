/* backoff.c: retry delays with jitter (schedule in backoff.h). */
#include "backoff.h"

#include <stdint.h>
#include <sys/random.h>
#include <time.h>

static int64_t jittered(int64_t ms, double jitter, double u)
{
	double f = 1.0 - jitter + 2.0 * jitter * u;
	return (int64_t)((double)ms * f + 0.5);
}

int64_t backoff_poll_delay_ms(int consecutive_failures, int64_t interval_ms,
			      double jitter, double u)
{
	static const int64_t steps[] = { 10000, 20000, 30000, 60000 };
	int i;
	if (consecutive_failures <= 0)
		return interval_ms;
	i = consecutive_failures > 4 ? 3 : consecutive_failures - 1;
	return jittered(steps[i], jitter, u);
}

int64_t backoff_exp_delay_ms(int attempt, int64_t base_ms, int64_t cap_ms,
			     double jitter, double u)
{
	int64_t d = base_ms;
	int i;
	for (i = 1; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	d = jittered(d, jitter, u);
	return d > cap_ms ? cap_ms : d;
}

double backoff_random_unit(void)
{
	uint64_t r;
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (uint64_t)time(NULL) * 6364136223846793005ULL;
	return (double)(r >> 11) / 9007199254740992.0;
}
