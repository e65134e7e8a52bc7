/* players.h: players and their platform identities, shared by every game
 * (tables `players` and `identities`; a player is one person, an identity
 * one account of theirs on a platform such as Steam or GOG).
 *
 * A module reports the accounts it saw; the platform gives each new
 * account a player and keeps names and times current. Modules link their
 * own rows (the players of a game session) to players.id themselves.
 *
 * Every time is ms since the epoch; every statement is parameterized.
 * Functions returning int give -1 on a database error (logged by
 * core/db.c). */
#ifndef GW_PLAYERS_H
#define GW_PLAYERS_H

#include <json-c/json.h>
#include <stdint.h>

#include "db.h"

/* Record the accounts seen at now_ms. `accounts` is a JSON array of
 * {"provider": "steam"|"gog"|..., "external_id": "...", "name": "..."}
 * (borrowed; entries with an empty provider or external_id are ignored;
 * when an account is listed twice the first entry's name counts). A new
 * account becomes a new player (display_name = name) with its identity;
 * a known one gets last_name, last_seen_at and its player's display_name
 * and last_seen_at updated. One statement: callers may run it inside their
 * own transaction. Returns 0 or -1. */
int players_seen(struct db *db, int64_t now_ms, struct json_object *accounts);

/* Offer profile facts a module learned from a third party that relays the
 * platforms' own data (a game's session list carrying Steam and GOG
 * nicknames and avatars): `profiles` is a JSON array of {"provider":
 * "steam"|"gog", "external_id": decimal, "nickname", "avatar_url",
 * "profile_url"} (borrowed; the last three may be null; URLs already
 * checked to be absolute http(s)). A profile is inserted into
 * player_profiles (found = true) when there is none, and refreshed (null
 * members keep what is there) as long as the platform's own provider
 * (enrichment kind = provider) has never answered for that account; once
 * it has, its answer wins and relayed facts are ignored. Avatars are then
 * mirrored like any profile's (never hotlinked). One statement; returns 0
 * or -1. */
int players_profiles_relay(struct db *db, int64_t now_ms, struct json_object *profiles);

/* Resolve a player reference: "<players.id>" (1..18 decimal digits),
 * "steam:<SteamID64>" or "gog:<GOG user id>" (1..20 decimal digits each).
 * Returns 1 with *player_id set, 0 when no such player, -2 when `ref` has
 * none of these forms, -1 on a database error. */
int players_find_ref(struct db *db, const char *ref, int64_t *player_id);

/* The identities of `provider` (whose external ids are 1..20 decimal
 * digits) due for the enrichment item kind `kind`: never tried, or
 * next_attempt_at <= now_ms (a parked item's comes a park period after
 * it was parked); `force`: all. Never tried first, then by
 * next_attempt_at, then most recently seen; at most `limit`. Returns a new array
 * of {"key": external_id} (the shape engine.h's due() returns) or NULL on
 * a database error. */
struct json_object *players_identities_due(struct db *db, const char *provider,
					   const char *kind, int force, int64_t now_ms,
					   int limit);

#endif
