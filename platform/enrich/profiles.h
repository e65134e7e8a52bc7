/* profiles.h: the platform's enrichment providers for player profiles
 * (player_profiles: nickname, profile URL, avatar of a platform account),
 * for any module whose players have Steam or GOG identities
 * (platform/players/players.h). A module lists them in its descriptor's
 * enrich.providers where it wants them run (platform/module.h).
 *
 *   steam  ISteamUser/GetPlayerSummaries/v2 at STEAM_API_BASE (default
 *          https://api.steampowered.com) with STEAM_API_KEY, 100 ids a GET;
 *          skipped with one log line when the key is not set; the key is
 *          never logged (errors name the URL without its query).
 *   gog    GOG_API_BASE/users/<id> (default https://users.gog.com), one GET
 *          per id.
 * Answers are decoded by profile-decode.h. An id missing from a Steam
 * answer, or a GOG answer without a username (or a 404), stores
 * found = false ("absent", fresh for ENRICH_TTL_ABSENT_SECONDS); profiles
 * are fresh for ENRICH_TTL_PLAYER_SECONDS. A 404 for a whole Steam batch is
 * the API misbehaving and counts as a failure of every id in it. */
#ifndef GW_ENRICH_PROFILES_H
#define GW_ENRICH_PROFILES_H

#include "platform/enrich/engine.h"

extern const struct enrich_provider enrich_provider_steam;
extern const struct enrich_provider enrich_provider_gog;

#endif
