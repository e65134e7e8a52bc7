/* fuzz_mohaa_lines.c: libFuzzer target for the MOHAA lines body parser
 * (modules/mohaa/domain/parse.c, mohaa_parse_lines), followed by the event
 * model (mohaa_event_from_raw) on every event it yields. Built and run by
 * fuzz/run.sh mohaa_lines. Any input must parse or fail cleanly; every event
 * must lie inside the input; nothing may leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/mohaa/domain/mohaa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mohaa_body b = { 0 };
	char err[256];
	size_t i;
	int st;
	if (size > MOHAA_MAX_BODY)
		return 0;
	st = mohaa_parse_lines((const char *)data, size, &b, err, sizeof err);
	if (st != 0 && st != 400 && st != 413)
		abort();
	for (i = 0; i < b.n; i++) {
		struct mohaa_event ev;
		if (b.ev[i].off > size || b.ev[i].len > size - b.ev[i].off)
			abort();
		if (mohaa_event_from_raw(&b.ev[i], &ev, err, sizeof err) == 0) {
			if (strlen(ev.actor.id) >= MOHAA_ID_MAX || strlen(ev.target.id) >= MOHAA_ID_MAX)
				abort();
			(void)mohaa_occurred_ms(&ev, 1700000000000LL, ev.game_time + 1);
			(void)mohaa_match_decide(NULL, &ev, 0, 600000);
		}
		mohaa_event_free(&ev);
	}
	mohaa_body_free(&b);
	return 0;
}
