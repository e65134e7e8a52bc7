/* enrich-json.h: the few pure helpers every decoder of an upstream JSON
 * answer uses (Steam and GOG here, a module's own providers in its domain/
 * folder). No I/O, no global state; safe on any input.
 *
 * Strings returned by json_str() are borrowed from the json-c object and
 * live as long as it does. */
#ifndef GW_ENRICH_JSON_H
#define GW_ENRICH_JSON_H

#include <json-c/json.h>
#include <stddef.h>

/* Parse `len` bytes of `data` as one JSON document. A leading UTF-8 BOM
 * (EF BB BF) is skipped; bytes after the first complete document (a
 * trailing newline, say) are ignored. Returns a new object (caller puts
 * it) or NULL when the bytes are empty, not JSON, or longer than INT_MAX.
 * `data` may be NULL only when len is 0. */
struct json_object *enrich_json_parse(const char *data, size_t len);

/* Member `key` of object `o` when it is a string, else NULL (also when `o`
 * is NULL or not an object). */
const char *json_str(struct json_object *o, const char *key);

/* Member `key` of object `o` as an integer: JSON integers, doubles
 * (truncated toward zero; NaN and values outside +-9.2e18 give `def`) and
 * strings holding only a decimal integer ("42", "-7"). Anything else, or
 * no such member, gives `def`. */
long long json_int(struct json_object *o, const char *key, long long def);

/* Is `url` an absolute http:// or https:// URL (scheme case-insensitive)
 * without whitespace? Only such URLs from outside data are ever stored or
 * fetched. NULL gives 0. */
int url_is_http(const char *url);

#endif
