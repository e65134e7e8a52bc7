/* eve-battles.h: what eve-cluster reads and writes: the kills of a system
 * from a point on (with attackers and their current battle), the systems'
 * space types, and the replacement of a system's battles from that point
 * (docs/eve-battles.md "Incremental rebuild"). */
#ifndef GW_EVE_BATTLES_H
#define GW_EVE_BATTLES_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"
#include "modules/eve/domain/eve.h"
#include "modules/eve/domain/idmap.h"

/* A system's static facts. */
struct eve_sysinfo {
	int64_t region_id;
	enum eve_space space;
	enum eve_band band;
};

struct eve_systems {
	struct idmap index;   /* system_id -> row */
	struct eve_sysinfo *rows;
	size_t n;
};

/* Load eve.systems. Returns 0 or -1. */
int eve_systems_load(struct db *db, struct eve_systems *s);
/* Facts of a system; one not in the table gets region 0 and the space
 * type its id range implies (eve_space_of), band unknown. */
struct eve_sysinfo eve_systems_get(const struct eve_systems *s, int64_t system_id);
void eve_systems_free(struct eve_systems *s);

/* A system whose kills changed: the earliest new kill (time, id). */
struct eve_touched {
	int64_t system_id;
	int64_t time_ms;
	int64_t killmail_id;
};

/* Systems with kills whose killmail_ids.seq > since (all systems when
 * since < 0), with their earliest new kill; *max_seq gets the highest seq
 * seen (or since). *out is malloc'd. Returns 0 or -1. */
int eve_touched_since(struct db *db, int64_t since, struct eve_touched **out, size_t *n,
		      int64_t *max_seq);

/* Where to re-cluster system `t->system_id` from: the start (time, first
 * id) of the stored cluster holding the kill just before t's kill, or t's
 * own kill when none. Returns 0 or -1. */
int eve_restart_point(struct db *db, const struct eve_touched *t, int64_t *from_ms,
		      int64_t *from_id);

/* The kills of a system at or after (from_ms, from_id) in (time, id) order,
 * with attackers and zkb.total_cents (or -1) filled, and the battle each
 * is in now (0: none) in old_battle[]. Returns 0 or -1. */
struct eve_kills {
	struct eve_killmail *km;
	int64_t *old_battle;
	size_t n;
};
int eve_kills_load(struct db *db, int64_t system_id, int64_t from_ms, int64_t from_id,
		   struct eve_kills *out);
void eve_kills_free(struct eve_kills *k);

/* n fresh battle ids from the identity sequence into ids. Returns 0 or -1. */
int eve_battle_ids(struct db *db, size_t n, int64_t *ids);

/* In one transaction: delete the system's clusters starting at or after
 * (from_ms, from_id) and COPY the new rows (eve.battles,
 * eve.battle_killmails, eve.battle_participants in COPY text, column
 * lists EVE_BATTLE_COLUMNS etc.). Returns 0 or -1 (rolled back). */
#define EVE_BATTLE_COLUMNS                                                        \
	"id, system_id, region_id, space_type, sec_band, start_time, end_time,"   \
	" first_killmail_id, kills, is_battle, isk_destroyed, isk_known_kills, pilots," \
	" sides, zkill_related_url, report"
#define EVE_BK_COLUMNS "killmail_id, battle_id, killmail_time, side"
#define EVE_BP_COLUMNS \
	"battle_id, character_id, ship_type_id, corporation_id, alliance_id, side, is_victim"
int eve_battles_replace(struct db *db, int64_t system_id, int64_t from_ms, int64_t from_id,
			const struct buf *battles, const struct buf *bk, const struct buf *bp);

/* Append s to a COPY text field, escaping backslash, tab, CR and LF. */
void eve_copy_escape(struct buf *b, const char *s);

/* eve.cluster_state: the last seq clustered and the parameter text it was
 * built with ("" and -1 when never run). Returns 0 or -1. */
int eve_cluster_state_get(struct db *db, int64_t *last_seq, struct buf *params);
int eve_cluster_state_set(struct db *db, int64_t last_seq, const char *params,
			  int64_t duration_ms);

#endif
