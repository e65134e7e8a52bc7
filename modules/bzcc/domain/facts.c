/* facts.c: decoders of the seed list, getdata.php and Workshop answers
 * (facts.h). */
#include "modules/bzcc/domain/facts.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "platform/enrich/enrich-json.h"
#include "sanitize.h"

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (errlen)
		snprintf(err, errlen, "%s", msg);
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* Sanitized HTML of `s`, or NULL when nothing is left (or s is NULL). */
static struct json_object *sanitized(const char *s)
{
	struct buf b = BUF_INIT;
	struct json_object *o = NULL;
	if (s && sanitize_html(s, strlen(s), &b) == 0 && b.len)
		o = json_object_new_string_len(b.data, (int)b.len);
	buf_release(&b);
	return o;
}

int bzcc_image_value_missing(const char *img)
{
	/* "nomap.png": MultiplayerSessionList's stand-in for a level without
	 * a picture (docs/bzcc-format.md 7) */
	static const char *const junk[] = { "undefined", "null", "none", "nil", "nomap.png" };
	const char *last;
	size_t i, n;
	if (!img)
		return 1;
	while (*img == ' ' || *img == '\t')
		img++;
	if (!*img)
		return 1;
	/* the last path segment, before any query or fragment */
	n = strcspn(img, "?#");
	while (n && img[n - 1] == '/')
		n--;
	last = img + n;
	while (last > img && last[-1] != '/')
		last--;
	n = (size_t)(img + n - last);
	for (i = 0; i < sizeof junk / sizeof junk[0]; i++)
		if (n == strlen(junk[i]) && !strncasecmp(last, junk[i], n))
			return 1;
	return 0;
}

/* "a, b,,c" -> ["a","b","c"] */
static struct json_object *split_tags(const char *s)
{
	struct json_object *a = json_object_new_array();
	while (s && *s) {
		size_t k = strcspn(s, ",");
		const char *p = s, *q = s + k;
		while (p < q && (*p == ' ' || *p == '\t'))
			p++;
		while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if (q > p)
			json_object_array_add(a, json_object_new_string_len(p, (int)(q - p)));
		s += k;
		if (*s == ',')
			s++;
	}
	return a;
}

/* ----------------------------------------------------------------- seed */

struct json_object *bzcc_seed_decode(const char *data, size_t len, char *err, size_t errlen)
{
	struct json_object *doc = enrich_json_parse(data, len), *maps;
	size_t i, n;

	if (!doc || !json_object_is_type(doc, json_type_array)) {
		if (doc)
			json_object_put(doc);
		set_err(err, errlen, "not a JSON array");
		return NULL;
	}
	maps = json_object_new_array();
	n = json_object_array_length(doc);
	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(doc, i), *o, *size, *desc;
		const char *file = json_str(m, "File"), *img = json_str(m, "Image");
		if (!file || !*file)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "file", json_object_new_string(file));
		json_object_object_add(o, "name", json_object_new_string(
			json_str(m, "Name") ? json_str(m, "Name") : file));
		if (url_is_http(img) && !bzcc_image_value_missing(img))
			json_object_object_add(o, "image_url", json_object_new_string(img));
		json_object_object_add(o, "pools", json_object_new_int64(json_int(m, "Pools", 0)));
		json_object_object_add(o, "loose", json_object_new_int64(json_int(m, "Loose", -1)));
		if (json_str(m, "Author"))
			json_object_object_add(o, "author", json_object_new_string(json_str(m, "Author")));
		desc = sanitized(json_str(m, "Description"));
		if (desc)
			json_object_object_add(o, "description", desc);
		json_object_object_add(o, "tags", split_tags(json_str(m, "Tags")));
		if (json_object_object_get_ex(m, "Size", &size)) {
			if (json_str(size, "formattedSize"))
				json_object_object_add(o, "size_text",
					json_object_new_string(json_str(size, "formattedSize")));
			json_object_object_add(o, "size", json_object_new_int64(json_int(size, "size", 0)));
			json_object_object_add(o, "base_to_base",
					       json_object_new_int64(json_int(size, "baseToBase", 0)));
		}
		json_object_array_add(maps, o);
	}
	json_object_put(doc);
	return maps;
}

/* -------------------------------------------------------------- getdata */

/* An image path from getdata.php: absolute, or relative to `base`. */
static struct json_object *absolute_image(const char *base, const char *img)
{
	struct buf b = BUF_INIT;
	struct json_object *o = NULL;
	if (bzcc_image_value_missing(img))
		return NULL;
	if (url_is_http(img)) {
		o = json_object_new_string(img);
	} else if (!strstr(img, "://") && !strpbrk(img, " \t\r\n\\") && !strstr(img, "..")) {
		while (*img == '/')
			img++;
		buf_addf(&b, "%s%s", base, img);
		o = json_object_new_string(b.data);
	}
	buf_release(&b);
	return o;
}

/* Team names when the map is teamplay (netVars ivar3 "1") and names both. */
static struct json_object *team_names(struct json_object *net_vars)
{
	const char *tp = json_str(net_vars, "ivar3"), *t1 = json_str(net_vars, "svar1"),
		   *t2 = json_str(net_vars, "svar2");
	struct json_object *a;
	if (!tp || strcmp(tp, "1") || !t1 || !*t1 || !t2 || !*t2)
		return NULL;
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_string(t1));
	json_object_array_add(a, json_object_new_string(t2));
	return a;
}

/* getdata.php's "mods" object as store rows. */
static struct json_object *mod_rows(const char *base, struct json_object *mods)
{
	struct json_object *rows = json_object_new_array();
	if (!mods || !json_object_is_type(mods, json_type_object))
		return rows;
	json_object_object_foreach(mods, id, m) {
		struct json_object *r, *deps, *img;
		const char *name = json_str(m, "name"), *wname = json_str(m, "workshop_name"),
			   *type = json_str(m, "type");
		if (!*id || strlen(id) > 64)
			continue;
		r = json_object_new_object();
		json_object_object_add(r, "id", json_object_new_string(id));
		if (name)
			json_object_object_add(r, "name", json_object_new_string(name));
		if (wname)
			json_object_object_add(r, "workshop_name", json_object_new_string(wname));
		if (type)
			json_object_object_add(r, "type", json_object_new_string(type));
		if (json_object_is_type(m, json_type_object) &&
		    json_object_object_get_ex(m, "dependencies", &deps) &&
		    json_object_is_type(deps, json_type_array)) {
			struct json_object *d = json_object_new_array();
			size_t i;
			for (i = 0; i < json_object_array_length(deps); i++) {
				struct json_object *v = json_object_array_get_idx(deps, i);
				if (json_object_is_type(v, json_type_string) ||
				    json_object_is_type(v, json_type_int))
					json_object_array_add(d, json_object_new_string(
						json_object_get_string(v)));
			}
			json_object_object_add(r, "dependencies", d);
		}
		img = absolute_image(base, json_str(m, "image"));
		if (img)
			json_object_object_add(r, "image_url", img);
		json_object_array_add(rows, r);
	}
	return rows;
}

struct json_object *bzcc_getdata_decode(const char *data, size_t len, const char *base,
					char *err, size_t errlen)
{
	struct json_object *doc = enrich_json_parse(data, len), *out, *nv = NULL, *img, *mods = NULL;
	const char *title;

	if (!doc || !json_object_is_type(doc, json_type_object)) {
		if (doc)
			json_object_put(doc);
		set_err(err, errlen, "not a JSON object");
		return NULL;
	}
	out = json_object_new_object();
	title = json_str(doc, "title");
	img = absolute_image(base, json_str(doc, "image"));
	if ((!title || !*title) && !img) {
		/* consumers treat a body without title or image as "no data" */
		json_object_object_add(out, "found", json_object_new_boolean(0));
		json_object_put(doc);
		return out;
	}
	json_object_object_add(out, "found", json_object_new_boolean(1));
	json_object_object_add(out, "title", str_or_null(title));
	json_object_object_add(out, "description", sanitized(json_str(doc, "description")));
	json_object_object_add(out, "image_url", img);
	if (json_object_object_get_ex(doc, "netVars", &nv) &&
	    json_object_is_type(nv, json_type_object)) {
		json_object_object_add(out, "net_vars", json_object_get(nv));
		json_object_object_add(out, "team_names", team_names(nv));
	} else {
		json_object_object_add(out, "net_vars", NULL);
		json_object_object_add(out, "team_names", NULL);
	}
	json_object_object_get_ex(doc, "mods", &mods);
	json_object_object_add(out, "mods", mod_rows(base, mods));
	json_object_put(doc);
	return out;
}

/* ------------------------------------------------------------- workshop */

struct json_object *bzcc_workshop_decode(const char *data, size_t len, char *err,
					 size_t errlen)
{
	struct json_object *doc = enrich_json_parse(data, len), *resp, *details, *out;
	size_t i, n;

	if (!doc || !json_object_is_type(doc, json_type_object) ||
	    !json_object_object_get_ex(doc, "response", &resp) ||
	    !json_object_is_type(resp, json_type_object) ||
	    !json_object_object_get_ex(resp, "publishedfiledetails", &details) ||
	    !json_object_is_type(details, json_type_array)) {
		if (doc)
			json_object_put(doc);
		set_err(err, errlen, "no response.publishedfiledetails array");
		return NULL;
	}
	out = json_object_new_object();
	n = json_object_array_length(details);
	for (i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(details, i), *o;
		const char *id = json_str(d, "publishedfileid"), *preview = json_str(d, "preview_url");
		long long result = json_int(d, "result", 0);
		int found = result == 1;
		if (!id || json_object_object_get_ex(out, id, NULL))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "result", json_object_new_int64(result));
		json_object_object_add(o, "found", json_object_new_boolean(found));
		json_object_object_add(o, "title", str_or_null(found ? json_str(d, "title") : NULL));
		json_object_object_add(o, "preview_url",
				       str_or_null(found && url_is_http(preview) ? preview : NULL));
		json_object_object_add(out, id, o);
	}
	json_object_put(doc);
	return out;
}
