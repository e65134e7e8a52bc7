/* backoff.h: retry delays with jitter.
 *
 * The lobby poller's schedule is the one approved in the GameWatch spec:
 * every `interval` (5 s) while polls succeed; after 1, 2, 3 and 4 or more
 * consecutive failures wait 10, 20, 30 and 60 s, each scaled by a uniform
 * jitter factor in [1 - j, 1 + j] with j = 0.20; reset on the first success.
 */
#ifndef GW_BACKOFF_H
#define GW_BACKOFF_H

#include <stdint.h>

/* Delay in ms before the next lobby poll, given the number of consecutive
 * failures so far (0 = the last poll succeeded: no jitter, exactly
 * interval_ms), a jitter fraction (0.20) and a uniform random number
 * u in [0, 1) supplied by the caller (so tests are deterministic). */
int64_t backoff_poll_delay_ms(int consecutive_failures, int64_t interval_ms,
			      double jitter, double u);

/* Exponential delay for attempt n >= 1: base_ms * 2^(n-1), capped at cap_ms,
 * then scaled by [1 - jitter, 1 + jitter] with u in [0, 1) (and capped
 * again). Used by enrichment (1 s, 2 s, 4 s ... 5 min). */
int64_t backoff_exp_delay_ms(int attempt, int64_t base_ms, int64_t cap_ms,
			     double jitter, double u);

/* A uniform random number in [0, 1) from the OS (getrandom), for callers
 * that are not tests. */
double backoff_random_unit(void);

#endif
