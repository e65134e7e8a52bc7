/* test_profiles.c: the Steam and GOG profile decoders
 * (platform/enrich/profile-decode.h) and the pure JSON helpers they use
 * (platform/enrich/enrich-json.h).
 *
 * No raw Steam or GOG answer is stored anywhere we could search
 * (tests/data/bzcc/README.md); the real profiles are in the MSL captures'
 * DataCache.Players.IDs (nicknames, avatar and profile URLs as the two
 * APIs published them, fetched by MultiplayerSessionList). Each test
 * answer is built from those records in the shape Valve and GOG document,
 * and the decoded profile must give back the recorded values, including
 * GOG's profile URL, which the decoder derives from the username. */
#include <dirent.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "cu.h"
#include "platform/enrich/enrich-json.h"
#include "platform/enrich/profile-decode.h"

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int found_of(struct json_object *o)
{
	struct json_object *v;
	return json_object_object_get_ex(o, "found", &v) && json_object_get_boolean(v);
}

/* "…_full.jpg" with `suffix` in place of "_full" (how Steam names sizes). */
static struct json_object *avatar_size(const char *full, const char *suffix)
{
	struct buf b = BUF_INIT;
	const char *p = strstr(full, "_full");
	struct json_object *o;
	if (!p) {
		o = json_object_new_string(full);
	} else {
		buf_add(&b, full, (size_t)(p - full));
		buf_addstr(&b, suffix);
		buf_addstr(&b, p + 5);
		o = json_object_new_string(b.data);
	}
	buf_release(&b);
	return o;
}

/* Call fn(capture DataCache.Players.IDs) for every MSL capture. */
static int each_capture(void (*fn)(struct json_object *ids, int *n), int *n)
{
	const char *dir = cu_data_path("bzcc/msl-api-v1");
	char path[4200];
	struct dirent *de;
	DIR *d = opendir(dir);
	int files = 0;
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct json_object *doc, *o;
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		doc = json_object_from_file(path);
		CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
		if (json_object_object_get_ex(doc, "DataCache", &o) &&
		    json_object_object_get_ex(o, "Players", &o) &&
		    json_object_object_get_ex(o, "IDs", &o))
			fn(o, n);
		json_object_put(doc);
		files++;
	}
	closedir(d);
	return files;
}

/* ---------------------------------------------------------------- steam */

static void steam_capture(struct json_object *ids, int *n)
{
	struct json_object *steam, *answer, *resp, *players, *got;
	const char *text;
	char err[128] = "";

	if (!json_object_object_get_ex(ids, "Steam", &steam) ||
	    !json_object_is_type(steam, json_type_object))
		return;
	answer = json_object_new_object();
	resp = json_object_new_object();
	players = json_object_new_array();
	json_object_object_foreach(steam, id, rec) {
		struct json_object *p = json_object_new_object();
		const char *avatar = str_of(rec, "AvatarUrl");
		json_object_object_add(p, "steamid", json_object_new_string(id));
		json_object_object_add(p, "communityvisibilitystate", json_object_new_int(3));
		if (str_of(rec, "Nickname"))
			json_object_object_add(p, "personaname",
					       json_object_new_string(str_of(rec, "Nickname")));
		if (str_of(rec, "ProfileUrl"))
			json_object_object_add(p, "profileurl",
					       json_object_new_string(str_of(rec, "ProfileUrl")));
		if (avatar) {
			json_object_object_add(p, "avatar", avatar_size(avatar, ""));
			json_object_object_add(p, "avatarmedium", avatar_size(avatar, "_medium"));
			json_object_object_add(p, "avatarfull", json_object_new_string(avatar));
		}
		json_object_array_add(players, p);
	}
	json_object_object_add(resp, "players", players);
	json_object_object_add(answer, "response", resp);
	text = json_object_to_json_string_ext(answer, JSON_C_TO_STRING_PLAIN);

	got = steam_summaries_decode(text, strlen(text), err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_EQUAL(json_object_object_length(got), json_object_object_length(steam));
	json_object_object_foreach(steam, sid, want) {
		struct json_object *p = NULL;
		CU_ASSERT_FATAL(json_object_object_get_ex(got, sid, &p));
		CU_ASSERT(found_of(p));
		if (str_of(want, "Nickname"))
			CU_ASSERT_STRING_EQUAL(str_of(p, "nickname"), str_of(want, "Nickname"));
		if (str_of(want, "ProfileUrl"))
			CU_ASSERT_STRING_EQUAL(str_of(p, "profile_url"), str_of(want, "ProfileUrl"));
		if (str_of(want, "AvatarUrl"))
			CU_ASSERT_STRING_EQUAL(str_of(p, "avatar_url"), str_of(want, "AvatarUrl"));
		(*n)++;
	}
	json_object_put(got);
	json_object_put(answer);
}

static void test_steam_real(void)
{
	int n = 0;
	CU_ASSERT(each_capture(steam_capture, &n) >= 10);
	CU_ASSERT(n >= 20); /* every Steam player of every capture was checked */
}

static struct json_object *steam(const char *text)
{
	char err[128] = "";
	return steam_summaries_decode(text, strlen(text), err, sizeof err);
}

static void test_steam_rules(void)
{
	struct json_object *o, *p;
	char err[128] = "";

	/* the first http(s) avatar of full, medium, small; other URLs dropped */
	o = steam("{\"response\":{\"players\":[{\"steamid\":\"1\",\"personaname\":\"A\","
		  "\"avatarfull\":\"javascript:alert(1)\",\"avatarmedium\":\"https://x/m.jpg\","
		  "\"avatar\":\"https://x/s.jpg\",\"profileurl\":\"file:///etc/passwd\"},"
		  "{\"steamid\":\"2\",\"avatarfull\":\"//x/f.jpg\",\"avatar\":\"HTTP://X/s.jpg\"},"
		  "{\"steamid\":\"3\",\"avatarfull\":\"https://x/a b.jpg\"}]}}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_FATAL(json_object_object_get_ex(o, "1", &p));
	CU_ASSERT_STRING_EQUAL(str_of(p, "avatar_url"), "https://x/m.jpg");
	CU_ASSERT_PTR_NULL(str_of(p, "profile_url"));
	CU_ASSERT_FATAL(json_object_object_get_ex(o, "2", &p));
	CU_ASSERT_STRING_EQUAL(str_of(p, "avatar_url"), "HTTP://X/s.jpg");
	CU_ASSERT_PTR_NULL(str_of(p, "nickname"));
	CU_ASSERT_FATAL(json_object_object_get_ex(o, "3", &p));
	CU_ASSERT_PTR_NULL(str_of(p, "avatar_url")); /* a blank inside */
	json_object_put(o);

	/* first entry of an id wins; entries without a string steamid skipped */
	o = steam("\xEF\xBB\xBF{\"response\":{\"players\":[{\"steamid\":\"7\",\"personaname\":\"first\"},"
		  "{\"steamid\":\"7\",\"personaname\":\"second\"},{\"steamid\":8},{\"x\":1},5]}}\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(json_object_object_length(o), 1);
	CU_ASSERT_FATAL(json_object_object_get_ex(o, "7", &p));
	CU_ASSERT_STRING_EQUAL(str_of(p, "nickname"), "first");
	json_object_put(o);

	o = steam("{\"response\":{\"players\":[]}}");
	CU_ASSERT_PTR_NOT_NULL(o);
	CU_ASSERT_EQUAL(json_object_object_length(o), 0);
	json_object_put(o);

	/* not the documented shape */
	CU_ASSERT_PTR_NULL(steam_summaries_decode("{\"response\":{}}", 15, err, sizeof err));
	CU_ASSERT_STRING_EQUAL(err, "no response.players array");
	CU_ASSERT_PTR_NULL(steam("{\"response\":{\"players\":{}}}"));
	CU_ASSERT_PTR_NULL(steam("{\"response\":[]}"));
	CU_ASSERT_PTR_NULL(steam("[]"));
	CU_ASSERT_PTR_NULL(steam_summaries_decode("<html>", 6, err, sizeof err));
	CU_ASSERT_STRING_EQUAL(err, "not JSON");
	CU_ASSERT_PTR_NULL(steam_summaries_decode("", 0, err, sizeof err));
	CU_ASSERT_PTR_NULL(steam_summaries_decode("{\"response\":{\"players\":[]}}", 10, err, 0));
}

/* ------------------------------------------------------------------ gog */

static void gog_capture(struct json_object *ids, int *n)
{
	struct json_object *gog;
	char err[128] = "";
	if (!json_object_object_get_ex(ids, "Gog", &gog) || !json_object_is_type(gog, json_type_object))
		return;
	json_object_object_foreach(gog, id, rec) {
		struct json_object *answer = json_object_new_object(), *av = json_object_new_object(), *p;
		const char *text;
		json_object_object_add(answer, "id", json_object_new_string(id));
		json_object_object_add(answer, "username",
				       json_object_new_string(str_of(rec, "Username")));
		json_object_object_add(av, "sdk_img_184",
				       json_object_new_string(str_of(rec, "AvatarUrl")));
		json_object_object_add(answer, "avatar", av);
		text = json_object_to_json_string(answer);
		p = gog_user_decode(text, strlen(text), err, sizeof err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT(found_of(p));
		CU_ASSERT_STRING_EQUAL(str_of(p, "nickname"), str_of(rec, "Username"));
		/* derived from the username, equal to the recorded profile URL */
		CU_ASSERT_STRING_EQUAL(str_of(p, "profile_url"), str_of(rec, "ProfileUrl"));
		CU_ASSERT_STRING_EQUAL(str_of(p, "avatar_url"), str_of(rec, "AvatarUrl"));
		json_object_put(p);
		json_object_put(answer);
		(*n)++;
	}
}

static void test_gog_real(void)
{
	int n = 0;
	each_capture(gog_capture, &n);
	CU_ASSERT(n >= 1);
}

static struct json_object *gog(const char *text)
{
	char err[128] = "";
	return gog_user_decode(text, strlen(text), err, sizeof err);
}

static void test_gog_rules(void)
{
	struct json_object *p;
	char err[128] = "";

	/* avatar sizes in order: sdk_img_184, large, medium_2x, medium, sdk_img_64, small */
	p = gog("{\"username\":\"u\",\"avatar\":{\"small\":\"https://x/s\",\"large\":\"https://x/l\","
		"\"sdk_img_184\":\"ftp://x/184\"}}");
	CU_ASSERT_STRING_EQUAL(str_of(p, "avatar_url"), "https://x/l");
	json_object_put(p);
	p = gog("{\"username\":\"u\",\"avatar\":{\"small\":\"https://x/s\",\"sdk_img_64\":\"https://x/64\","
		"\"medium\":\"https://x/m\",\"medium_2x\":\"https://x/m2\"}}");
	CU_ASSERT_STRING_EQUAL(str_of(p, "avatar_url"), "https://x/m2");
	json_object_put(p);
	p = gog("{\"username\":\"u\",\"avatar\":{\"small\":\"https://x/s\",\"sdk_img_64\":\"https://x/64\"}}");
	CU_ASSERT_STRING_EQUAL(str_of(p, "avatar_url"), "https://x/64");
	json_object_put(p);
	p = gog("{\"username\":\"u\",\"avatar\":\"https://x/a\"}");
	CU_ASSERT(found_of(p));
	CU_ASSERT_PTR_NULL(str_of(p, "avatar_url"));
	json_object_put(p);

	/* the profile URL carries the name as one percent-encoded path segment */
	p = gog("{\"username\":\"a b/\xc3\xbc?\"}");
	CU_ASSERT_STRING_EQUAL(str_of(p, "profile_url"), "https://www.gog.com/u/a%20b%2F%C3%BC%3F");
	json_object_put(p);

	/* no username: unknown or private */
	p = gog("{\"id\":\"5\",\"username\":\"\",\"avatar\":{\"large\":\"https://x/l\"}}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(!found_of(p));
	CU_ASSERT_PTR_NULL(str_of(p, "nickname"));
	CU_ASSERT_PTR_NULL(str_of(p, "avatar_url"));
	CU_ASSERT_PTR_NULL(str_of(p, "profile_url"));
	json_object_put(p);
	p = gog("{\"error\":\"not_found\"}");
	CU_ASSERT(p && !found_of(p));
	json_object_put(p);
	p = gog("{\"username\":7}");
	CU_ASSERT(p && !found_of(p));
	json_object_put(p);

	CU_ASSERT_PTR_NULL(gog_user_decode("[\"username\"]", 12, err, sizeof err));
	CU_ASSERT_STRING_EQUAL(err, "not a JSON object");
	CU_ASSERT_PTR_NULL(gog("this is not json {"));
	CU_ASSERT_PTR_NULL(gog("\"u\""));

	p = profile_absent();
	CU_ASSERT(!found_of(p));
	CU_ASSERT_EQUAL(json_object_object_length(p), 4);
	json_object_put(p);
}

/* ------------------------------------------------------------ helpers */

static void test_json_helpers(void)
{
	static const char doc[] =
		"\xEF\xBB\xBF{\"i\":42,\"d\":-7.9,\"s\":\"-12\",\"bad\":\"12x\",\"big\":1e300,"
		"\"e\":\"\",\"b\":true,\"str\":\"x\"} trailing";
	struct json_object *o = enrich_json_parse(doc, sizeof doc - 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(json_int(o, "i", 0), 42);
	CU_ASSERT_EQUAL(json_int(o, "d", 0), -7);
	CU_ASSERT_EQUAL(json_int(o, "s", 0), -12);
	CU_ASSERT_EQUAL(json_int(o, "bad", 5), 5);
	CU_ASSERT_EQUAL(json_int(o, "big", 5), 5);
	CU_ASSERT_EQUAL(json_int(o, "e", 5), 5);
	CU_ASSERT_EQUAL(json_int(o, "b", 5), 5);
	CU_ASSERT_EQUAL(json_int(o, "none", 5), 5);
	CU_ASSERT_STRING_EQUAL(json_str(o, "str"), "x");
	CU_ASSERT_PTR_NULL(json_str(o, "i"));
	CU_ASSERT_PTR_NULL(json_str(NULL, "i"));
	json_object_put(o);

	CU_ASSERT_PTR_NULL(enrich_json_parse("", 0));
	CU_ASSERT_PTR_NULL(enrich_json_parse("\xEF\xBB\xBF", 3));
	CU_ASSERT_PTR_NULL(enrich_json_parse("{\"a\":", 5));
	CU_ASSERT_PTR_NULL(enrich_json_parse("nope", 4));

	CU_ASSERT(url_is_http("https://a/b"));
	CU_ASSERT(url_is_http("HtTp://a"));
	CU_ASSERT(!url_is_http("ftp://a"));
	CU_ASSERT(!url_is_http("https://a/b c"));
	CU_ASSERT(!url_is_http("https://a/\nb"));
	CU_ASSERT(!url_is_http("/assets/x.png"));
	CU_ASSERT(!url_is_http(NULL));
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("profiles", NULL, NULL);
	CU_add_test(s, "Steam answers built from the captures' real profiles", test_steam_real);
	CU_add_test(s, "Steam: avatar order, URL rules, duplicates, bad shapes", test_steam_rules);
	CU_add_test(s, "GOG answers built from the captures' real profiles", test_gog_real);
	CU_add_test(s, "GOG: avatar order, profile URL, absent accounts, bad shapes", test_gog_rules);
	CU_add_test(s, "JSON helpers: BOM, integers, strings, http URLs", test_json_helpers);
}

CU_MAIN()
