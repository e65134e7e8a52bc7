/* profile-decode.h: pure decoders of the answers of the player-profile
 * providers every game with Steam or GOG players shares (no I/O):
 *
 *   Steam Web API ISteamUser/GetPlayerSummaries/v2 (one answer for up to
 *   100 ids): {"response": {"players": [{"steamid": "7656…", "personaname":
 *   "…", "profileurl": "…", "avatar": "…", "avatarmedium": "…",
 *   "avatarfull": "…", …}]}} — Valve's documentation of the method
 *   (developer.valvesoftware.com/wiki/Steam_Web_API#GetPlayerSummaries_.28v0002.29);
 *   ids that are unknown or deleted are simply not listed.
 *
 *   GOG users API GET users.gog.com/users/<id>: {"id": "…", "username":
 *   "…", "avatar": {"sdk_img_184": "…", "large": "…", "medium_2x": "…",
 *   "medium": "…", "sdk_img_64": "…", "small": "…", …}, …}.
 *
 * Both give the normalized profile the platform stores in player_profiles
 * (enrich_store_profile()): a new json-c object
 *   {"found": true, "nickname": string|null, "profile_url": string|null,
 *    "avatar_url": string|null}
 * where every URL is an absolute http(s) URL (url_is_http()) or null: a
 * relative, javascript: or file: URL from outside is never kept. The caller
 * owns every returned object (json_object_put). */
#ifndef GW_PROFILE_DECODE_H
#define GW_PROFILE_DECODE_H

#include <json-c/json.h>
#include <stddef.h>

/* Decode a GetPlayerSummaries answer (`len` bytes of `data`, a BOM
 * allowed). Returns an object mapping each listed "steamid" (a string) to
 * its profile; when an id is listed twice the first entry wins; entries
 * without a string steamid are skipped. The avatar is avatarfull, else
 * avatarmedium, else avatar (the first that is an http(s) URL). Returns
 * NULL with a one-line reason in err (errlen bytes, may be 0) when the
 * body is not JSON or has no response.players array. */
struct json_object *steam_summaries_decode(const char *data, size_t len, char *err,
					   size_t errlen);

/* Decode a GOG users answer. Returns a profile; "found" is false (and the
 * other members null) when the answer has no non-empty "username" (the
 * account is unknown or private). The avatar is the first http(s) URL of
 * avatar.sdk_img_184, large, medium_2x, medium, sdk_img_64, small; the
 * profile URL is https://www.gog.com/u/<username, percent-encoded as a path
 * segment>. Returns NULL with a reason in err when the body is not a JSON
 * object. */
struct json_object *gog_user_decode(const char *data, size_t len, char *err, size_t errlen);

/* A profile object {"found": false, "nickname": null, "profile_url": null,
 * "avatar_url": null}: what is stored for an id an answer did not list. */
struct json_object *profile_absent(void);

#endif
