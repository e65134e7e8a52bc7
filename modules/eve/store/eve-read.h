/* eve-read.h: the reads behind the eve pages and JSON (docs/eve-battles.md
 * "API"). Each returns a new JSON object the caller owns, or NULL on a
 * database error (logged). Ids in the documents are strings, ISK amounts
 * decimal strings, times RFC 3339 UTC. */
#ifndef GW_EVE_READ_H
#define GW_EVE_READ_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* Battle list filters; 0 / NULL means "any". */
struct eve_battle_filter {
	const char *space_type;   /* a token eve_space_parse knows */
	int64_t from_ms, to_ms;   /* battles overlapping [from, to) */
	int64_t region_id, system_id;
	int64_t alliance_id, corporation_id, character_id; /* a participant */
	int min_kills;
	/* the ruleset (domain/access.h): at least min_pilots pilots; when both
	 * tracked lists are set (PostgreSQL array text "{1,2}", may be "{}"),
	 * only battles with a participant in one of them */
	int min_pilots;
	const char *tracked_alliances, *tracked_corporations;
	bool after;               /* keyset: continue after (after_ms, after_id) */
	int64_t after_ms, after_id;
	int limit;                /* 1..100 */
};

/* {"battles": [...], "next": {"start_ms", "id"} | absent}: battles newest
 * first, each with system and region names, space type, times, kills, ISK,
 * pilots, and per side its pilots, ISK lost and leading members. */
struct json_object *eve_read_battles(struct db *db, const struct eve_battle_filter *f);

/* One battle: the summary row plus "report" (eve_battle_report's document)
 * and system, region and security. NULL with *missing set when no battle
 * has that id. */
struct json_object *eve_read_battle(struct db *db, int64_t id, bool *missing);

/* Recent killmails, newest first: {"killmails": [...], "next": ...}. With
 * since_ms > 0 only kills after that time (the polling fallback of the
 * stream). space_type may be NULL. */
struct json_object *eve_read_recent(struct db *db, const char *space_type, int64_t since_ms,
				    bool after, int64_t after_ms, int64_t after_id, int limit);

/* The kind of entity an intel query is about; selects fixed column names. */
enum eve_entity_kind {
	EVE_ALLIANCE,
	EVE_CORPORATION,
	EVE_CHARACTER,
};
const char *eve_entity_kind_name(enum eve_entity_kind k); /* "alliance" ... */

/* Intel over the last `days` days (until now_ms): kills, losses, ISK
 * destroyed and lost, efficiency, pilots, activity by hour of day, top
 * systems, kills per region (the heatmap), recent battles. */
struct json_object *eve_read_intel(struct db *db, enum eve_entity_kind kind, int64_t id,
				   int days, int64_t now_ms);
/* Opponents (alliances, else corporations, they killed and lost to) and
 * allies (who attacked beside them). */
struct json_object *eve_read_opponents(struct db *db, enum eve_entity_kind kind, int64_t id,
				       int days, int64_t now_ms);
/* Ships flown (as attacker) and lost, by type and by group. */
struct json_object *eve_read_ships(struct db *db, enum eve_entity_kind kind, int64_t id,
				   int days, int64_t now_ms);
/* The whole game over the last days: totals, by space type, top
 * alliances and systems, biggest battles. */
struct json_object *eve_read_summary(struct db *db, int days, int64_t now_ms);

/* Add a name beside every id in doc (recursively): for keys
 * character_id, corporation_id, alliance_id, faction_id a sibling
 * "<kind>_name", and for objects of a side's "members" a "name" beside
 * "id"; names from eve.names, null when unknown. Returns 0 or -1. */
int eve_read_add_names(struct db *db, struct json_object *doc);

/* The id of a system or region given as an id or a name (case-insensitive);
 * 0 when unknown, -1 on a database error. */
int64_t eve_read_system_id(struct db *db, const char *text);
int64_t eve_read_region_id(struct db *db, const char *text);

#endif
