/* test_facts.c: the decoders of the seed list, getdata.php and Workshop
 * answers (modules/bzcc/domain/facts.h), on the real data in tests/data/bzcc
 * (README.md there says where each file comes from):
 *
 *   seed      maps/vsrmaplist.json is a real seed list, decoded as is;
 *   getdata   no raw getdata.php body is stored anywhere; its fields are in
 *             vt-stats's per-map records (title, description with BOM and
 *             CRLF, netVars verbatim, image hash) and in the MSL captures'
 *             Level and Mods objects (names, descriptions and the absolute
 *             picture URLs MSL built from getdata's relative paths). Answers
 *             are rebuilt from those in the documented shape
 *             (docs/bzcc-format.md §7) and must decode to the recorded
 *             values, URLs included;
 *   workshop  the captures' Mods names as Valve's GetPublishedFileDetails
 *             answer carries them. */
#include <dirent.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "modules/bzcc/domain/facts.h"
#include "sanitize.h"
#include "tests/unit/cu.h"

#define BASE "https://gamelistassets.iondriver.com/bzcc/"

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static long long int_of(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -999;
}

static int found_of(struct json_object *o)
{
	struct json_object *v;
	return json_object_object_get_ex(o, "found", &v) && json_object_get_boolean(v);
}

static int is_null(struct json_object *o, const char *key)
{
	struct json_object *v = (struct json_object *)1;
	return json_object_object_get_ex(o, key, &v) && v == NULL;
}

/* Description text made safe: no BOM, no raw line break, no markup but
 * the sanitizer's allowlist. */
static int safe_text(const char *s)
{
	return s && !strstr(s, "\xEF\xBB\xBF") && !strchr(s, '\r') && !strchr(s, '\n') &&
	       !strstr(s, "<script") && !strstr(s, "<img");
}

static struct json_object *decode_json(struct json_object *(*fn)(const char *, size_t, char *,
								  size_t),
				       struct json_object *doc)
{
	const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	char err[128] = "";
	return fn(text, strlen(text), err, sizeof err);
}

static struct json_object *getdata(const char *text)
{
	char err[128] = "";
	return bzcc_getdata_decode(text, strlen(text), BASE, err, sizeof err);
}

static struct json_object *getdata_obj(struct json_object *answer)
{
	const char *text = json_object_to_json_string_ext(answer, JSON_C_TO_STRING_PLAIN);
	return getdata(text);
}

/* ----------------------------------------------------------------- seed */

static void test_seed_real(void)
{
	struct buf raw = BUF_INIT;
	struct json_object *src, *rows, *r, *tags;
	size_t i, n, with_file = 0, vsr4 = 0, undefined = 0;
	char err[128] = "";

	CU_ASSERT_FATAL(buf_read_file(&raw, cu_data_path("bzcc/maps/vsrmaplist.json"), 1u << 22) == 0);
	src = json_tokener_parse(raw.data);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	for (i = 0; i < json_object_array_length(src); i++) {
		const char *f = str_of(json_object_array_get_idx(src, i), "File");
		with_file += f && *f;
	}
	rows = bzcc_seed_decode(raw.data, raw.len, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
	n = json_object_array_length(rows);
	CU_ASSERT_EQUAL(n, with_file);
	CU_ASSERT_EQUAL(n, 143);
	for (i = 0; i < n; i++) {
		struct json_object *s = NULL;
		size_t k;
		r = json_object_array_get_idx(rows, i);
		for (k = 0; k < json_object_array_length(src) && !s; k++)
			if (!strcmp(str_of(json_object_array_get_idx(src, k), "File"), str_of(r, "file")))
				s = json_object_array_get_idx(src, k);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		/* the real images are absolute gamelistassets URLs, kept as they
		 * are; three maps have the JavaScript placeholder
		 * ".../bzcc/undefined" instead, which is no picture (fault 9) */
		if (strlen(str_of(s, "Image")) > 10 &&
		    !strcmp(str_of(s, "Image") + strlen(str_of(s, "Image")) - 10, "/undefined")) {
			undefined++;
			CU_ASSERT_FALSE(json_object_object_get_ex(r, "image_url", NULL));
		} else {
			CU_ASSERT_STRING_EQUAL(str_of(r, "image_url"), str_of(s, "Image"));
		}
		CU_ASSERT_STRING_EQUAL(str_of(r, "name"), str_of(s, "Name"));
		CU_ASSERT(!str_of(r, "description") || safe_text(str_of(r, "description")));
		CU_ASSERT(json_object_object_get_ex(r, "tags", &tags) &&
			  json_object_is_type(tags, json_type_array));
		if (!strcmp(str_of(r, "file"), "vsr4pool")) {
			vsr4++;
			CU_ASSERT_STRING_EQUAL(str_of(r, "name"), "DuneNight");
			CU_ASSERT_EQUAL(int_of(r, "pools"), 8);
			CU_ASSERT_EQUAL(int_of(r, "loose"), 245);
			CU_ASSERT_STRING_EQUAL(str_of(r, "author"), "ExE");
			CU_ASSERT_STRING_EQUAL(str_of(r, "size_text"), "2048x2048");
			CU_ASSERT_EQUAL(int_of(r, "size"), 2048);
			CU_ASSERT_EQUAL(int_of(r, "base_to_base"), 736);
			CU_ASSERT_EQUAL(json_object_array_length(tags), 0);
			CU_ASSERT(!strncmp(str_of(r, "description"), "DuneNight<br><br>Smallish map.", 30));
		}
		if (!strcmp(str_of(r, "file"), "vsrjocrystalst")) {
			CU_ASSERT_EQUAL(json_object_array_length(tags), 1);
			CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(tags, 0)),
					       "popular");
		}
	}
	CU_ASSERT_EQUAL(vsr4, 1);
	CU_ASSERT_EQUAL(undefined, 3);
	json_object_put(rows);
	json_object_put(src);
	buf_release(&raw);
}

/* fault 9: placeholder picture values are "no picture" */
static void test_image_missing(void)
{
	static const char *const missing[] = {
		NULL, "", "  ", "https://gamelistassets.iondriver.com/bzcc/undefined",
		"https://gamelistassets.iondriver.com/bzcc/undefined/", "undefined", "null", "NULL",
		"https://x.example/assets/null?v=1", "mods/123/None",
		"https://gamelistassets.iondriver.com/bzcc/nomap.png",
	};
	static const char *const present[] = {
		"https://gamelistassets.iondriver.com/bzcc/assets/ea5135e06e66d47b5a1cbb39fdb47296f5732e940df72349913cd9753ac84acc.png",
		"mods/1325933293/mod.png", "https://x.example/undefined.png", "https://x.example/nullify",
	};
	size_t i;
	for (i = 0; i < sizeof missing / sizeof missing[0]; i++)
		CU_ASSERT_TRUE(bzcc_image_value_missing(missing[i]));
	for (i = 0; i < sizeof present / sizeof present[0]; i++)
		CU_ASSERT_FALSE(bzcc_image_value_missing(present[i]));
}

static void test_seed_rules(void)
{
	static const char doc[] =
		"\xEF\xBB\xBF[{\"File\":\"a\",\"Tags\":\" x, y ,,\\tz\\t,\",\"Pools\":\"3\","
		"\"Loose\":\"n/a\",\"Image\":\"assets/rel.png\",\"Description\":"
		"\"<script>alert(1)</script><b onclick=x>bold</b>\\r\\nnext\","
		"\"Size\":{\"size\":\"512\"}},"
		"{\"Name\":\"no file\"},{\"File\":\"\"},{\"File\":7},\"junk\","
		"{\"File\":\"b\",\"Name\":5,\"Image\":\"javascript:alert(1)\",\"Author\":[1]}]";
	struct json_object *rows, *r, *tags;
	char err[128] = "";

	rows = bzcc_seed_decode(doc, sizeof doc - 1, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(rows), 2);
	r = json_object_array_get_idx(rows, 0);
	CU_ASSERT_STRING_EQUAL(str_of(r, "name"), "a"); /* no Name: the file */
	CU_ASSERT(json_object_object_get_ex(r, "tags", &tags));
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(tags), 3);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(tags, 0)), "x");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(tags, 1)), "y");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(tags, 2)), "z");
	CU_ASSERT_EQUAL(int_of(r, "pools"), 3);
	CU_ASSERT_EQUAL(int_of(r, "loose"), -1);
	CU_ASSERT_EQUAL(int_of(r, "size"), 512);
	CU_ASSERT_EQUAL(int_of(r, "base_to_base"), 0);
	CU_ASSERT_PTR_NULL(str_of(r, "size_text"));
	CU_ASSERT_PTR_NULL(str_of(r, "image_url")); /* relative: never kept from the seed list */
	CU_ASSERT_STRING_EQUAL(str_of(r, "description"), "<b>bold</b><br>next");
	r = json_object_array_get_idx(rows, 1);
	CU_ASSERT_STRING_EQUAL(str_of(r, "name"), "b");
	CU_ASSERT_PTR_NULL(str_of(r, "image_url"));
	CU_ASSERT_PTR_NULL(str_of(r, "author"));
	CU_ASSERT_EQUAL(int_of(r, "size"), -999); /* no Size: no size columns */
	json_object_put(rows);

	CU_ASSERT_PTR_NULL(bzcc_seed_decode("{\"File\":\"a\"}", 12, err, sizeof err));
	CU_ASSERT_STRING_EQUAL(err, "not a JSON array");
	CU_ASSERT_PTR_NULL(bzcc_seed_decode("<html>", 6, err, sizeof err));
	rows = bzcc_seed_decode("[]", 2, err, sizeof err);
	CU_ASSERT(rows && json_object_array_length(rows) == 0);
	json_object_put(rows);
}

/* -------------------------------------------------------------- getdata */

static void test_getdata_records(void)
{
	struct json_object *reg = json_object_from_file(
		cu_data_path("bzcc/getdata-derived/vt-stats_map-registry.json"));
	int n = 0, teams = 0, none = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
	json_object_object_foreach(reg, file, rec) {
		struct json_object *ans = json_object_new_object(), *out, *nv, *tn, *v;
		struct buf img = BUF_INIT;
		const char *hash = str_of(rec, "image_hash_origin");
		json_object_object_add(ans, "title", json_object_new_string(str_of(rec, "title")));
		if (str_of(rec, "description"))
			json_object_object_add(ans, "description",
					       json_object_new_string(str_of(rec, "description")));
		if (hash) {
			buf_addf(&img, "assets/%s.png", hash);
			json_object_object_add(ans, "image", json_object_new_string(img.data));
		}
		if (json_object_object_get_ex(rec, "net_vars", &nv))
			json_object_object_add(ans, "netVars", json_object_get(nv));
		out = getdata_obj(ans);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		CU_ASSERT(found_of(out));
		CU_ASSERT_STRING_EQUAL(str_of(out, "title"), str_of(rec, "title"));
		if (hash) {
			struct buf want = BUF_INIT;
			buf_addf(&want, BASE "assets/%s.png", hash);
			CU_ASSERT_STRING_EQUAL(str_of(out, "image_url"), want.data);
			buf_release(&want);
		}
		CU_ASSERT(!str_of(out, "description") || safe_text(str_of(out, "description")));
		/* netVars verbatim */
		CU_ASSERT(json_object_object_get_ex(out, "net_vars", &v) &&
			  json_object_equal(v, nv));
		json_object_object_get_ex(out, "team_names", &tn);
		if (tn)
			teams++;
		else
			none++;
		if (!strcmp(file, "vsrdomain")) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(tn);
			CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(tn, 0)),
					       str_of(nv, "svar1"));
			CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(tn, 1)),
					       str_of(nv, "svar2"));
		}
		if (!strcmp(file, "vsr-training")) /* ivar3 "0": not teamplay, names set */
			CU_ASSERT_PTR_NULL(tn);
		if (!strcmp(file, "vsr4pool"))
			CU_ASSERT(!strncmp(str_of(out, "description"),
					   "DuneNight<br><br>Smallish map.", 30));
		json_object_put(out);
		json_object_put(ans);
		buf_release(&img);
		n++;
	}
	CU_ASSERT_EQUAL(n, 55);
	CU_ASSERT_EQUAL(teams, 54);
	CU_ASSERT_EQUAL(none, 1);
	json_object_put(reg);
}

/* The captures' Level (title, description, picture) and Mods as getdata
 * answers: the picture URLs MSL published must come back exactly. */
static void test_getdata_captures(void)
{
	const char *dir = cu_data_path("bzcc/msl-api-v1");
	char path[4200];
	struct dirent *de;
	DIR *d = opendir(dir);
	int levels = 0, mods = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d))) {
		struct json_object *doc, *sessions, *capmods;
		size_t l = strlen(de->d_name), i;
		if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		doc = json_object_from_file(path);
		CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
		if (json_object_object_get_ex(doc, "Sessions", &sessions))
			for (i = 0; i < json_object_array_length(sessions); i++) {
				struct json_object *lvl, *ans, *out;
				const char *img;
				if (!json_object_object_get_ex(json_object_array_get_idx(sessions, i),
							       "Level", &lvl))
					continue;
				img = str_of(lvl, "Image");
				if (!img || strncmp(img, BASE, strlen(BASE)) || !str_of(lvl, "Name"))
					continue;
				ans = json_object_new_object();
				json_object_object_add(ans, "title",
						       json_object_new_string(str_of(lvl, "Name")));
				if (str_of(lvl, "Description"))
					json_object_object_add(ans, "description", json_object_new_string(
						str_of(lvl, "Description")));
				json_object_object_add(ans, "image",
						       json_object_new_string(img + strlen(BASE)));
				out = getdata_obj(ans);
				CU_ASSERT_PTR_NOT_NULL_FATAL(out);
				CU_ASSERT_STRING_EQUAL(str_of(out, "title"), str_of(lvl, "Name"));
				/* MSL's "nomap.png" stand-in is no picture (issue 9) */
				if (strstr(img, "/nomap.png")) {
					CU_ASSERT_PTR_NULL(str_of(out, "image_url"));
				} else {
					CU_ASSERT_STRING_EQUAL(str_of(out, "image_url"), img);
				}
				CU_ASSERT(!str_of(out, "description") ||
					  safe_text(str_of(out, "description")));
				json_object_put(out);
				json_object_put(ans);
				levels++;
			}
		if (json_object_object_get_ex(doc, "Mods", &capmods)) {
			struct json_object *ans = json_object_new_object(), *gm = json_object_new_object();
			struct json_object *out, *rows;
			json_object_object_add(ans, "title", json_object_new_string("t"));
			json_object_object_foreach(capmods, id, m) {
				struct json_object *e = json_object_new_object();
				const char *img = str_of(m, "Image");
				json_object_object_add(e, "name", json_object_new_string(str_of(m, "Name")));
				json_object_object_add(e, "type", json_object_new_string("mod"));
				if (img && !strncmp(img, BASE, strlen(BASE)))
					json_object_object_add(e, "image",
							       json_object_new_string(img + strlen(BASE)));
				json_object_object_add(gm, id, e);
			}
			json_object_object_add(ans, "mods", gm);
			out = getdata_obj(ans);
			CU_ASSERT_PTR_NOT_NULL_FATAL(out);
			CU_ASSERT_FATAL(json_object_object_get_ex(out, "mods", &rows));
			CU_ASSERT_EQUAL(json_object_array_length(rows), json_object_object_length(capmods));
			for (i = 0; i < json_object_array_length(rows); i++) {
				struct json_object *r = json_object_array_get_idx(rows, i), *m;
				const char *img;
				CU_ASSERT_FATAL(json_object_object_get_ex(capmods, str_of(r, "id"), &m));
				CU_ASSERT_STRING_EQUAL(str_of(r, "name"), str_of(m, "Name"));
				CU_ASSERT_STRING_EQUAL(str_of(r, "type"), "mod");
				img = str_of(m, "Image");
				if (img && !strncmp(img, BASE, strlen(BASE))) {
					CU_ASSERT_STRING_EQUAL(str_of(r, "image_url"), img);
					mods++;
				} else {
					CU_ASSERT_PTR_NULL(str_of(r, "image_url"));
				}
			}
			json_object_put(out);
			json_object_put(ans);
		}
		json_object_put(doc);
	}
	closedir(d);
	CU_ASSERT(levels >= 30);
	CU_ASSERT(mods >= 10);
}

static void test_getdata_rules(void)
{
	struct json_object *o, *rows, *r, *deps;
	char err[128] = "";
	struct buf longid = BUF_INIT;

	/* "no data": neither a title nor a usable image */
	o = getdata("{}");
	CU_ASSERT(o && !found_of(o) && json_object_object_length(o) == 1);
	json_object_put(o);
	o = getdata("{\"title\":\"\",\"image\":\"../etc/passwd\",\"mods\":{\"1\":{}}}");
	CU_ASSERT(o && !found_of(o));
	json_object_put(o);
	o = getdata("{\"title\":null,\"image\":\"file:///etc/passwd\"}");
	CU_ASSERT(o && !found_of(o));
	json_object_put(o);
	/* a picture alone is enough; leading slashes dropped */
	o = getdata("{\"title\":\"\",\"image\":\"//assets/x.png\"}");
	CU_ASSERT(found_of(o));
	CU_ASSERT_STRING_EQUAL(str_of(o, "title"), "");
	CU_ASSERT_STRING_EQUAL(str_of(o, "image_url"), BASE "assets/x.png");
	CU_ASSERT(is_null(o, "net_vars") && is_null(o, "team_names") && is_null(o, "description"));
	json_object_put(o);
	/* an absolute http(s) image is kept; others, blanks and backslashes not */
	o = getdata("{\"title\":\"T\",\"image\":\"https://cdn.example/a.jpg\"}");
	CU_ASSERT_STRING_EQUAL(str_of(o, "image_url"), "https://cdn.example/a.jpg");
	json_object_put(o);
	o = getdata("{\"title\":\"T\",\"image\":\"a b.png\"}");
	CU_ASSERT(found_of(o) && is_null(o, "image_url"));
	json_object_put(o);
	o = getdata("{\"title\":\"T\",\"image\":\"a\\\\b.png\"}");
	CU_ASSERT(is_null(o, "image_url"));
	json_object_put(o);
	/* team names only for teamplay (ivar3 "1") with both names */
	o = getdata("{\"title\":\"T\",\"netVars\":{\"ivar3\":\"1\",\"svar1\":\"A\",\"svar2\":\"\"}}");
	CU_ASSERT(is_null(o, "team_names"));
	CU_ASSERT(!is_null(o, "net_vars"));
	json_object_put(o);
	o = getdata("{\"title\":\"T\",\"netVars\":[1]}");
	CU_ASSERT(is_null(o, "net_vars") && is_null(o, "team_names"));
	json_object_put(o);

	/* mods: ids 1..64 bytes, dependencies' strings and integers */
	buf_addstr(&longid, "{\"title\":\"T\",\"mods\":{\"");
	while (longid.len < 22 + 65)
		buf_addch(&longid, '9');
	buf_addstr(&longid, "\":{},\"\":{},\"5\":{\"name\":\"N\",\"workshop_name\":\"W\","
			    "\"dependencies\":[\"7\",8,1.5,null,{\"x\":1}],\"image\":\"mods/5/mod.png\"},"
			    "\"6\":\"not an object\",\"7\":{\"dependencies\":\"1,2\",\"name\":3}}}");
	o = getdata(longid.data);
	CU_ASSERT_FATAL(json_object_object_get_ex(o, "mods", &rows));
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(rows), 3);
	r = json_object_array_get_idx(rows, 0);
	CU_ASSERT_STRING_EQUAL(str_of(r, "id"), "5");
	CU_ASSERT_STRING_EQUAL(str_of(r, "name"), "N");
	CU_ASSERT_STRING_EQUAL(str_of(r, "workshop_name"), "W");
	CU_ASSERT_STRING_EQUAL(str_of(r, "image_url"), BASE "mods/5/mod.png");
	CU_ASSERT_FATAL(json_object_object_get_ex(r, "dependencies", &deps));
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(deps), 2);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(deps, 0)), "7");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(deps, 1)), "8");
	r = json_object_array_get_idx(rows, 1);
	CU_ASSERT_STRING_EQUAL(str_of(r, "id"), "6");
	CU_ASSERT_EQUAL(json_object_object_length(r), 1);
	r = json_object_array_get_idx(rows, 2);
	CU_ASSERT_PTR_NULL(str_of(r, "name"));
	CU_ASSERT(!json_object_object_get_ex(r, "dependencies", NULL));
	json_object_put(o);
	buf_release(&longid);

	CU_ASSERT_PTR_NULL(bzcc_getdata_decode("[]", 2, BASE, err, sizeof err));
	CU_ASSERT_STRING_EQUAL(err, "not a JSON object");
	CU_ASSERT_PTR_NULL(getdata("this is not json {"));
	CU_ASSERT_PTR_NULL(getdata(""));
}

/* ------------------------------------------------------------- workshop */

static void test_workshop(void)
{
	static const char dup[] =
		"{\"response\":{\"publishedfiledetails\":[{\"publishedfileid\":\"5\","
		"\"result\":\"1\",\"title\":\"a\",\"preview_url\":\"javascript:x\"},"
		"{\"publishedfileid\":\"5\",\"result\":1,\"title\":\"b\"},"
		"{\"publishedfileid\":\"6\"},{\"publishedfileid\":6},[]]}}";
	struct json_object *cap = json_object_from_file(
		cu_data_path("bzcc/msl-api-v1/2024-11-12_loot-pirate.json"));
	struct json_object *mods, *ans, *resp, *details, *out, *d;
	int n = 0;
	char err[128] = "";

	CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
	CU_ASSERT_FATAL(json_object_object_get_ex(cap, "Mods", &mods));
	ans = json_object_new_object();
	resp = json_object_new_object();
	details = json_object_new_array();
	json_object_object_foreach(mods, id, m) {
		struct json_object *e;
		struct buf prev = BUF_INIT;
		if (!strcmp(id, "0"))
			continue;
		e = json_object_new_object();
		buf_addf(&prev, "https://images.steamusercontent.com/ugc/%s/", id);
		json_object_object_add(e, "publishedfileid", json_object_new_string(id));
		json_object_object_add(e, "result", json_object_new_int(1));
		json_object_object_add(e, "consumer_app_id", json_object_new_int(624970));
		json_object_object_add(e, "title", json_object_new_string(str_of(m, "Name")));
		json_object_object_add(e, "preview_url", json_object_new_string(prev.data));
		json_object_array_add(details, e);
		buf_release(&prev);
	}
	/* Valve lists an unknown or hidden id with result 9 (File Not Found) */
	d = json_object_new_object();
	json_object_object_add(d, "publishedfileid", json_object_new_string("1"));
	json_object_object_add(d, "result", json_object_new_int(9));
	json_object_object_add(d, "title", json_object_new_string("hidden"));
	json_object_array_add(details, d);
	json_object_object_add(resp, "result", json_object_new_int(1));
	json_object_object_add(resp, "publishedfiledetails", details);
	json_object_object_add(ans, "response", resp);
	out = decode_json(bzcc_workshop_decode, ans);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	json_object_object_foreach(mods, mid, mm) {
		if (!strcmp(mid, "0"))
			continue;
		CU_ASSERT_FATAL(json_object_object_get_ex(out, mid, &d));
		CU_ASSERT(found_of(d));
		CU_ASSERT_EQUAL(int_of(d, "result"), 1);
		CU_ASSERT_STRING_EQUAL(str_of(d, "title"), str_of(mm, "Name"));
		CU_ASSERT(!strncmp(str_of(d, "preview_url"), "https://images.steamusercontent.com/", 36));
		n++;
	}
	CU_ASSERT(n >= 10);
	CU_ASSERT_FATAL(json_object_object_get_ex(out, "1", &d));
	CU_ASSERT(!found_of(d));
	CU_ASSERT_EQUAL(int_of(d, "result"), 9);
	CU_ASSERT(is_null(d, "title") && is_null(d, "preview_url"));
	json_object_put(out);
	json_object_put(ans);
	json_object_put(cap);

	/* first entry wins; a non-http preview is dropped; no result is 0 */
	out = bzcc_workshop_decode(dup, sizeof dup - 1, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(json_object_object_length(out), 2);
	CU_ASSERT_FATAL(json_object_object_get_ex(out, "5", &d));
	CU_ASSERT(found_of(d));
	CU_ASSERT_STRING_EQUAL(str_of(d, "title"), "a");
	CU_ASSERT(is_null(d, "preview_url"));
	CU_ASSERT_FATAL(json_object_object_get_ex(out, "6", &d));
	CU_ASSERT(!found_of(d) && int_of(d, "result") == 0);
	json_object_put(out);

	CU_ASSERT_PTR_NULL(bzcc_workshop_decode("{\"response\":{}}", 15, err, sizeof err));
	CU_ASSERT_STRING_EQUAL(err, "no response.publishedfiledetails array");
	CU_ASSERT_PTR_NULL(bzcc_workshop_decode("{\"publishedfiledetails\":[]}", 27, err, sizeof err));
	CU_ASSERT_PTR_NULL(bzcc_workshop_decode("garbage", 7, err, sizeof err));
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("bzcc facts", NULL, NULL);
	sanitize_init();
	CU_add_test(s, "seed: the real vsrmaplist.json", test_seed_real);
	CU_add_test(s, "images: placeholder values are no picture", test_image_missing);
	CU_add_test(s, "seed: tags, numbers, URLs, descriptions, bad entries", test_seed_rules);
	CU_add_test(s, "getdata: answers from vt-stats's real records", test_getdata_records);
	CU_add_test(s, "getdata: answers from the captures' levels and mods", test_getdata_captures);
	CU_add_test(s, "getdata: no data, images, team names, mods, bad shapes",
		    test_getdata_rules);
	CU_add_test(s, "workshop: the captures' mod names; results, previews", test_workshop);
}

CU_MAIN()
