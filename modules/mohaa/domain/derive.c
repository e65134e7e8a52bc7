/* derive.c: match and round decisions (mohaa.h, mohaa_match_decide).
 *
 * The original tracker sends match_start once per map load and a heartbeat
 * every 30 s; match_end, round_start and round_end are defined but never
 * sent (modules/mohaa/README.md, "Matches"). Its match_id is "match_" + session +
 * "_" + level.time, and level.time at script start is the same on every
 * load (match_sess_0.05_0.05), so the id repeats across maps and restarts.
 * A match therefore ends at the next match_start, at an event with another
 * match_id or map, at an explicit match_end, or after idle_ms of silence;
 * rounds advance on round_start and on a heartbeat's larger round_number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "modules/mohaa/domain/mohaa.h"

unsigned mohaa_match_decide(const struct mohaa_match_state *open, const struct mohaa_event *ev,
			    int64_t occurred_ms, int64_t idle_ms)
{
	bool has_ref = ev->match_ref && *ev->match_ref;
	bool context = has_ref || ev->map_name || ev->type == MOHAA_EV_MATCH_END;
	unsigned out = 0;
	int round = 0;

	if (ev->type == MOHAA_EV_MATCH_START) {
		out = MOHAA_MATCH_OPEN_NEW | MOHAA_MATCH_ATTACH;
	} else if (!open) {
		if (!context)
			return 0; /* no match to join (later scripts' "no_match" outside one) */
		out = MOHAA_MATCH_OPEN_NEW | MOHAA_MATCH_ATTACH;
	} else {
		bool stale = occurred_ms - open->last_ms > idle_ms;
		bool other_ref = has_ref && open->ref && *open->ref && strcmp(ev->match_ref, open->ref);
		bool other_map = ev->map_name && open->map_name && *open->map_name &&
				 strcasecmp(ev->map_name, open->map_name);
		if (stale || other_ref || other_map) {
			if (!context)
				return 0; /* the open match went quiet and this names none */
			out = MOHAA_MATCH_OPEN_NEW | MOHAA_MATCH_ATTACH;
		} else {
			out = MOHAA_MATCH_ATTACH;
			round = open->round;
		}
	}
	if (ev->type == MOHAA_EV_MATCH_END)
		out |= MOHAA_MATCH_CLOSE;
	if (ev->type == MOHAA_EV_ROUND_START ||
	    ((ev->type == MOHAA_EV_HEARTBEAT || ev->type == MOHAA_EV_ROUND_END) &&
	     ev->round_number > round))
		out |= MOHAA_MATCH_NEW_ROUND;
	return out;
}

void mohaa_week_start(int64_t ms, char out[16])
{
	int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
	int64_t monday = days - (((days + 3) % 7) + 7) % 7; /* 1970-01-01 was a Thursday */
	time_t s = (time_t)(monday * 86400);
	struct tm tm;
	gmtime_r(&s, &tm);
	snprintf(out, 16, "%04d-%02d-%02d", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
		 tm.tm_mday % 100);
}

int mohaa_parse_date(const char *s, int64_t *ms)
{
	struct tm tm;
	int y, m, d, i;
	time_t t;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	if (tm.tm_mday != d || tm.tm_mon != m - 1) /* 2023-02-30 */
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}
