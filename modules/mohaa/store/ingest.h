/* ingest.h: the ingest job's writer: a batch of stream entries into
 * mohaa.events and every table derived from them, in one transaction,
 * exactly once per entry (mohaa.entries is the record of what was written:
 * an entry already there is a duplicate redelivered after a crash and
 * changes nothing).
 *
 * What is derived (modules/mohaa/README.md): matches (opened and closed by
 * mohaa_match_decide), rounds, players and their totals, per match, per
 * weapon, per map, per week, heat-map cells, kill streaks, and the
 * achievements crossed. Kills whose `weapon` held only a means of death get
 * the weapon the killer last fired, changed to or reloaded in that match
 * when it fits the means of death (weapon_inferred). */
#ifndef GW_MOHAA_INGEST_H
#define GW_MOHAA_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "modules/mohaa/store/queue.h"

struct db;
struct json_object;

struct mohaa_ingest_stats {
	size_t entries;        /* entries written */
	size_t duplicates;     /* entries already written before (skipped) */
	size_t events;         /* events written */
	size_t failed_entries; /* entries recorded in mohaa.failed_entries */
	size_t failed_events;
	double duration_ms;    /* the transaction, from BEGIN to COMMIT */
};

/* What a committed batch changed that the leaderboards show (absolute
 * values, for leaderboard.c). Arrays of objects, owned. */
struct mohaa_lb_changes {
	struct json_object *players; /* {"id","name","kills","deaths","headshots","damage","matches",
				      *  "suicides","teamkills","best_streak","shots","hits"} */
	struct json_object *weapons; /* {"player_id","weapon","kills"} */
	struct json_object *maps;    /* {"player_id","map","kills"} */
	struct json_object *weeks;   /* {"week","player_id","kills"} */
};

/* Write entries e[0..n-1] (in stream order) in one transaction. idle_ms: a
 * match without events for this long is closed when the next event comes
 * (mohaa_match_decide). Fills *st and *lb (release with
 * mohaa_lb_changes_free). Returns 0 when committed, -1 when the database
 * failed (rolled back, logged: nothing was written; the caller may retry
 * the entries one by one to find one that cannot be written). */
int mohaa_ingest_write(struct db *db, const struct mohaa_entry *e, size_t n, int64_t idle_ms,
		       struct mohaa_ingest_stats *st, struct mohaa_lb_changes *lb);

/* Record entry e as failed (mohaa.failed_entries, kept whole for replay)
 * with `error`, and count it in a batch row. Returns the number of events
 * it held (>= 0), or -1 on a database error. Recording it twice is a no-op. */
int mohaa_ingest_fail(struct db *db, const struct mohaa_entry *e, const char *error);

/* Create the monthly partitions of mohaa.events from this month to
 * `months_ahead` months ahead. 0 or -1. */
int mohaa_ingest_partitions(struct db *db, int months_ahead);

void mohaa_lb_changes_free(struct mohaa_lb_changes *lb);

#endif
