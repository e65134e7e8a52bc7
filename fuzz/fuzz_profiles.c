/* fuzz_profiles.c: libFuzzer target for the Steam and GOG profile decoders
 * (platform/enrich/profile-decode.h) and enrich_json_parse().
 *
 * Each input is one answer body, given to both decoders. A NULL result
 * must come with a reason; a result must have the documented shape: every
 * profile {"found", "nickname", "profile_url", "avatar_url"} with URLs that
 * are absolute http(s) URLs or null, an absent GOG profile all null, a
 * found one named, with its gog.com profile URL; and it must serialise to
 * JSON that parses again. Crashes, leaks and sanitizer reports fail.
 * Seeds: fuzz/corpus/profiles/ (answers in the shapes of the two APIs,
 * built from the captures' real profiles). Build and run: fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "platform/enrich/enrich-json.h"
#include "platform/enrich/profile-decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_url(struct json_object *p, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(p, key, &v))
		abort();
	if (v && (!json_object_is_type(v, json_type_string) || !url_is_http(json_object_get_string(v))))
		abort();
}

static int check_profile(struct json_object *p)
{
	struct json_object *found, *nick;
	if (!json_object_is_type(p, json_type_object) || json_object_object_length(p) != 4 ||
	    !json_object_object_get_ex(p, "found", &found) ||
	    !json_object_is_type(found, json_type_boolean) ||
	    !json_object_object_get_ex(p, "nickname", &nick) ||
	    (nick && !json_object_is_type(nick, json_type_string)))
		abort();
	check_url(p, "profile_url");
	check_url(p, "avatar_url");
	return json_object_get_boolean(found);
}

static void reparse(struct json_object *o)
{
	struct json_object *back = json_tokener_parse(json_object_to_json_string(o));
	if (!back)
		abort();
	json_object_put(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct json_object *o;
	char err[128];

	err[0] = '\0';
	o = steam_summaries_decode(s, size, err, sizeof err);
	if (!o) {
		if (!err[0])
			abort();
	} else {
		json_object_object_foreach(o, id, p) {
			(void)id;
			if (!check_profile(p))
				abort(); /* a listed id is always found */
		}
		reparse(o);
		json_object_put(o);
	}

	err[0] = '\0';
	o = gog_user_decode(s, size, err, sizeof err);
	if (!o) {
		if (!err[0])
			abort();
	} else {
		struct json_object *nick, *url;
		json_object_object_get_ex(o, "nickname", &nick);
		json_object_object_get_ex(o, "profile_url", &url);
		if (check_profile(o)) {
			if (!nick || !*json_object_get_string(nick) || !url ||
			    strncmp(json_object_get_string(url), "https://www.gog.com/u/", 22))
				abort();
		} else if (nick || url) {
			abort();
		}
		reparse(o);
		json_object_put(o);
	}

	o = enrich_json_parse(s, size);
	if (o)
		json_object_put(o);
	return 0;
}
