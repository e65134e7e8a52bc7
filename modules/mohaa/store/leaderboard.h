/* leaderboard.h: the leaderboards, with Redis sorted sets as the hot path
 * and PostgreSQL as the truth they are rebuilt from.
 *
 *   gw:mohaa:lb:ready                 "1" once built; without it readers ask PostgreSQL
 *   gw:mohaa:lb:global:<stat>         zset player id -> kills | headshots | damage | kd
 *   gw:mohaa:lb:week:<YYYY-MM-DD>     zset player id -> kills in that week (Monday, UTC)
 *   gw:mohaa:lb:weapon:<weapon id>    zset player id -> kills with the weapon
 *   gw:mohaa:lb:map:<map path>        zset player id -> kills on the map
 *   gw:mohaa:lb:rows                  hash player id -> JSON {"name", totals...}
 *
 * Ranking: score descending, then player id descending (ZREVRANGE's order
 * for equal scores; the PostgreSQL path sorts the same way), so both paths
 * give the same page. kd = kills / max(deaths, 1). */
#ifndef GW_MOHAA_LEADERBOARD_H
#define GW_MOHAA_LEADERBOARD_H

#include <stdbool.h>

#include "modules/mohaa/store/ingest.h"

struct db;
struct kv;
struct json_object;

enum mohaa_board {
	MOHAA_BOARD_GLOBAL = 0, /* key: "" */
	MOHAA_BOARD_WEEK,       /* key: a Monday "YYYY-MM-DD" */
	MOHAA_BOARD_WEAPON,     /* key: a weapon id */
	MOHAA_BOARD_MAP,        /* key: a map path, lower case */
};

/* Is `stat` a statistic the global board ranks by (kills, headshots,
 * damage, kd)? The other boards rank by kills only. */
bool mohaa_lb_stat_ok(const char *stat);

/* Update the sets after a committed batch (absolute values from `c`). A
 * failure (logged) drops the ready flag so readers use PostgreSQL until
 * the next rebuild. Returns 0 or -1. */
int mohaa_lb_apply(struct kv *kv, const struct mohaa_lb_changes *c);

/* Rebuild every set from PostgreSQL (weekly ones for the last `weeks`
 * weeks), then set the ready flag. Returns 0 or -1. */
int mohaa_lb_rebuild(struct db *db, struct kv *kv, int weeks);

/* Is the Redis copy ready? */
bool mohaa_lb_ready(struct kv *kv);

/* One page of a board: {"board","key","stat","offset","limit","total",
 * "source":"redis"|"postgres","entries":[{"rank","player_id","name",
 * "value", and for the global board "kills","deaths","headshots",
 * "damage","kd","matches"}]}. Redis when ready, else PostgreSQL. NULL when
 * both fail. Caller owns the result. */
struct json_object *mohaa_lb_read(struct db *db, struct kv *kv, enum mohaa_board board,
				  const char *key, const char *stat, int offset, int limit);

/* The same page from PostgreSQL only (tests compare both paths). */
struct json_object *mohaa_lb_read_pg(struct db *db, enum mohaa_board board, const char *key,
				     const char *stat, int offset, int limit);

#endif
