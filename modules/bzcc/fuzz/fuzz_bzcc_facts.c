/* fuzz_bzcc_facts.c: libFuzzer target for the decoders of the seed list,
 * getdata.php and Workshop answers (modules/bzcc/domain/facts.h).
 *
 * Each input is one answer body, given to all three decoders. A NULL
 * result must come with a reason; a result must have the documented shape
 * (facts.h): seed rows with a non-empty file and tags that are non-empty
 * and trimmed; a getdata answer that is {"found": false} alone or carries
 * title, description, image_url (http(s), or under the base), net_vars,
 * team_names (null or two non-empty strings) and mods (ids of 1..64
 * bytes); Workshop entries found exactly when result is 1, with title and
 * preview null otherwise and every preview an http(s) URL. Sanitized
 * descriptions hold no raw line break. Everything must serialise to JSON
 * that parses again. Crashes, leaks and sanitizer reports fail.
 * Seeds: modules/bzcc/fuzz/corpus/bzcc_facts/. Build and run: fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "modules/bzcc/domain/facts.h"
#include "platform/enrich/enrich-json.h"
#include "sanitize.h"

#define BASE "https://gamelistassets.iondriver.com/bzcc/"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sanitize_init(); /* libxml2 quiet: no message per piece of tag soup */
	return 0;
}

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		abort();
	return v;
}

static void check_text(struct json_object *v)
{
	if (v && (!json_object_is_type(v, json_type_string) ||
		  strpbrk(json_object_get_string(v), "\r\n")))
		abort();
}

static void reparse(struct json_object *o)
{
	struct json_object *back = json_tokener_parse(json_object_to_json_string(o));
	if (!back)
		abort();
	json_object_put(back);
}

static void check_seed(struct json_object *rows)
{
	size_t i, k;
	for (i = 0; i < json_object_array_length(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i), *tags, *v;
		const char *file = json_str(r, "file");
		if (!file || !*file || !json_str(r, "name"))
			abort();
		if (json_object_object_get_ex(r, "image_url", &v) && !url_is_http(json_str(r, "image_url")))
			abort();
		if (json_object_object_get_ex(r, "description", &v))
			check_text(v);
		tags = member(r, "tags");
		for (k = 0; k < json_object_array_length(tags); k++) {
			const char *t = json_object_get_string(json_object_array_get_idx(tags, k));
			size_t n = strlen(t);
			if (!n || strchr(t, ',') || t[0] == ' ' || t[0] == '\t' || t[n - 1] == ' ' ||
			    t[n - 1] == '\t')
				abort();
		}
	}
}

static void check_image(struct json_object *v)
{
	const char *u;
	if (!v)
		return;
	u = json_object_get_string(v);
	if (!url_is_http(u) && strncmp(u, BASE, strlen(BASE)))
		abort();
}

static void check_getdata(struct json_object *o)
{
	struct json_object *tn, *mods;
	size_t i;
	if (!json_object_get_boolean(member(o, "found"))) {
		if (json_object_object_length(o) != 1)
			abort();
		return;
	}
	check_text(member(o, "description"));
	check_image(member(o, "image_url"));
	if ((!json_str(o, "title") || !*json_str(o, "title")) && !member(o, "image_url"))
		abort();
	tn = member(o, "team_names");
	if (tn && (json_object_array_length(tn) != 2 ||
		   !*json_object_get_string(json_object_array_get_idx(tn, 0)) ||
		   !*json_object_get_string(json_object_array_get_idx(tn, 1))))
		abort();
	if (tn && !member(o, "net_vars"))
		abort();
	mods = member(o, "mods");
	for (i = 0; i < json_object_array_length(mods); i++) {
		struct json_object *r = json_object_array_get_idx(mods, i), *v;
		const char *id = json_str(r, "id");
		if (!id || !*id || strlen(id) > 64)
			abort();
		if (json_object_object_get_ex(r, "image_url", &v))
			check_image(v);
	}
}

static void check_workshop(struct json_object *o)
{
	json_object_object_foreach(o, id, d) {
		struct json_object *title = member(d, "title"), *prev = member(d, "preview_url");
		int found = json_object_get_boolean(member(d, "found"));
		(void)id;
		if (found != (json_object_get_int64(member(d, "result")) == 1))
			abort();
		if (!found && (title || prev))
			abort();
		if (prev && !url_is_http(json_object_get_string(prev)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct json_object *o;
	char err[128];

	err[0] = '\0';
	o = bzcc_seed_decode(s, size, err, sizeof err);
	if (!o && !err[0])
		abort();
	if (o) {
		check_seed(o);
		reparse(o);
		json_object_put(o);
	}

	err[0] = '\0';
	o = bzcc_getdata_decode(s, size, BASE, err, sizeof err);
	if (!o && !err[0])
		abort();
	if (o) {
		check_getdata(o);
		reparse(o);
		json_object_put(o);
	}

	err[0] = '\0';
	o = bzcc_workshop_decode(s, size, err, sizeof err);
	if (!o && !err[0])
		abort();
	if (o) {
		check_workshop(o);
		reparse(o);
		json_object_put(o);
	}
	return 0;
}
