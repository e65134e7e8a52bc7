/* profile-decode.c: Steam and GOG profile answers (profile-decode.h). */
#include "platform/enrich/profile-decode.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "platform/enrich/enrich-json.h"

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (errlen)
		snprintf(err, errlen, "%s", msg);
}

/* A new string, or JSON null for NULL. */
static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *profile(int found, const char *nickname, const char *profile_url,
				   const char *avatar_url)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "found", json_object_new_boolean(found));
	json_object_object_add(o, "nickname", str_or_null(nickname));
	json_object_object_add(o, "profile_url", str_or_null(url_is_http(profile_url) ? profile_url
										  : NULL));
	json_object_object_add(o, "avatar_url", str_or_null(url_is_http(avatar_url) ? avatar_url
										: NULL));
	return o;
}

struct json_object *profile_absent(void)
{
	return profile(0, NULL, NULL, NULL);
}

struct json_object *steam_summaries_decode(const char *data, size_t len, char *err,
					   size_t errlen)
{
	struct json_object *doc = enrich_json_parse(data, len), *resp, *players, *out;
	size_t i, n;

	if (!doc) {
		set_err(err, errlen, "not JSON");
		return NULL;
	}
	if (!json_object_is_type(doc, json_type_object) ||
	    !json_object_object_get_ex(doc, "response", &resp) ||
	    !json_object_is_type(resp, json_type_object) ||
	    !json_object_object_get_ex(resp, "players", &players) ||
	    !json_object_is_type(players, json_type_array)) {
		json_object_put(doc);
		set_err(err, errlen, "no response.players array");
		return NULL;
	}
	out = json_object_new_object();
	n = json_object_array_length(players);
	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(players, i);
		const char *id = json_str(p, "steamid"), *avatar = json_str(p, "avatarfull");
		if (!id || json_object_object_get_ex(out, id, NULL))
			continue;
		if (!url_is_http(avatar))
			avatar = json_str(p, "avatarmedium");
		if (!url_is_http(avatar))
			avatar = json_str(p, "avatar");
		json_object_object_add(out, id, profile(1, json_str(p, "personaname"),
							json_str(p, "profileurl"), avatar));
	}
	json_object_put(doc);
	return out;
}

struct json_object *gog_user_decode(const char *data, size_t len, char *err, size_t errlen)
{
	static const char *const sizes[] = { "sdk_img_184", "large", "medium_2x", "medium",
					     "sdk_img_64", "small" };
	struct json_object *doc = enrich_json_parse(data, len), *av, *out;
	struct buf url = BUF_INIT;
	const char *name, *avatar = NULL;
	size_t k;

	if (!doc || !json_object_is_type(doc, json_type_object)) {
		if (doc)
			json_object_put(doc);
		set_err(err, errlen, "not a JSON object");
		return NULL;
	}
	name = json_str(doc, "username");
	if (!name || !*name) {
		json_object_put(doc);
		return profile_absent();
	}
	if (json_object_object_get_ex(doc, "avatar", &av))
		for (k = 0; k < sizeof sizes / sizeof sizes[0] && !avatar; k++)
			if (url_is_http(json_str(av, sizes[k])))
				avatar = json_str(av, sizes[k]);
	buf_addstr(&url, "https://www.gog.com/u/");
	url_path(&url, name);
	out = profile(1, name, url.data, avatar);
	buf_release(&url);
	json_object_put(doc);
	return out;
}
