/* facts.h: pure decoders of the outside answers about BZCC maps and mods
 * (no I/O). Each takes the raw body (`len` bytes of `data`, a UTF-8 BOM
 * allowed), returns a new json-c object the caller owns (json_object_put)
 * holding exactly what the store keeps (modules/bzcc/store/bzcc-enrich.h),
 * or NULL with a one-line reason in err (errlen bytes; may be 0).
 *
 * Outside text is made safe here: descriptions go through core/sanitize.h
 * (call sanitize_init() once first in a threaded program), and only
 * absolute http(s) URLs are kept (url_is_http()); nothing else from an
 * answer is ever fetched later.
 *
 * Formats: docs/bzcc-format.md §7 (getdata.php) and §8 (vsrmaplist.json);
 * the Workshop answer is Valve's ISteamRemoteStorage/GetPublishedFileDetails/v1
 * (partner.steamgames.com/doc/webapi/ISteamRemoteStorage). */
#ifndef GW_BZCC_FACTS_H
#define GW_BZCC_FACTS_H

#include <json-c/json.h>
#include <stddef.h>

/* Is an image value from an outside answer really "no picture"? True for
 * NULL, an empty or blank string, and a value whose last path segment is
 * "undefined", "null", "none", "nil" or "nomap.png" (any case): the seed
 * list has "https://gamelistassets.iondriver.com/bzcc/undefined" for maps
 * without a picture, a JavaScript placeholder that must never be fetched,
 * and MultiplayerSessionList names its "no picture" stand-in nomap.png. */
int bzcc_image_value_missing(const char *img);

/* The community map list (vsrmaplist.json): an array of {"Name", "File",
 * "Image", "Pools", "Loose", "Author", "Description", "Tags", "Size":
 * {"formattedSize", "size", "baseToBase"}}. Returns an array with one row
 * per entry that has a non-empty "File":
 *   {"file", "name" (Name, else the file), "image_url" (only when Image is
 *    an http(s) URL and not bzcc_image_value_missing()), "pools" (0 when absent), "loose" (-1 when absent),
 *    "author" (when a string), "description" (sanitized HTML, when any is
 *    left), "tags" (Tags split at commas, blanks trimmed, empties dropped),
 *    and when "Size" is present "size_text" (when a string), "size" and
 *    "base_to_base" (0 when absent)}.
 * Numbers may be JSON numbers or decimal strings. NULL ("not a JSON
 * array") when the body is not a JSON array. */
struct json_object *bzcc_seed_decode(const char *data, size_t len, char *err, size_t errlen);

/* A getdata.php answer for one (map, mod). `base` is
 * GETDATA_ENDPOINT_BASE with a trailing '/': relative image paths
 * ("mods/123/mod.png", no "://", "..", blanks or backslashes) are resolved
 * against it. Returns {"found": false} when the answer has neither a
 * non-empty "title" nor a usable "image" (what consumers treat as "no
 * data"); otherwise
 *   {"found": true, "title" (string or null), "description" (sanitized or
 *    null), "image_url" (absolute or null), "net_vars" (the "netVars"
 *    object verbatim, or null), "team_names" ([svar1, svar2] when netVars
 *    ivar3 is "1" and both are non-empty, else null), "mods": [{"id"
 *    (the key, 1..64 bytes), "name", "workshop_name", "type" (each when a
 *    string), "dependencies" (strings and integers of the array, as
 *    strings, when it is an array), "image_url" (resolved as above)}]}.
 * NULL ("not a JSON object") when the body is not a JSON object. */
struct json_object *bzcc_getdata_decode(const char *data, size_t len, const char *base,
					char *err, size_t errlen);

/* A GetPublishedFileDetails answer: {"response": {"publishedfiledetails":
 * [{"publishedfileid": "…", "result": 1, "title": "…", "preview_url":
 * "…"}, …]}}. Returns an object mapping each listed publishedfileid (a
 * string; the first entry wins) to {"result": n (0 when absent), "found":
 * result == 1, "title" (string or null), "preview_url" (http(s) or null)};
 * title and preview_url are null unless found. NULL ("no
 * response.publishedfiledetails array") otherwise. */
struct json_object *bzcc_workshop_decode(const char *data, size_t len, char *err,
					 size_t errlen);

#endif
