/* derive.c: match and round decisions (mohaa.h, mohaa_match_decide).
 *
 * The original tracker sends match_start once per map load and a heartbeat
 * every 30 s; match_end, round_start and round_end are defined but never
 * sent (docs/mohaa-format.md §3). Its match_id is "match_" + session +
 * "_" + level.time, and level.time at script start is the same on every
 * load (match_sess_0.05_0.05), so the id repeats across maps and restarts.
 * A match therefore ends at the next match_start, at an event with another
 * match_id or map, at an explicit match_end, or after idle_ms of silence;
 * rounds advance on round_start and on a heartbeat's larger round_number. */
#include <string.h>
#include <strings.h>

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
