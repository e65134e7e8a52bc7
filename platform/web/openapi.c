/* openapi.c: assemble, serve and render the OpenAPI document (openapi.h). */
#include "platform/web/openapi.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "gzip.h"
#include "log.h"
#include "platform/module.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "sha256.h"

#define FRAGMENT_MAX (4u << 20) /* bytes: a fragment larger than this is refused */

/* The operations of a Path Item Object (OAS 3.1 4.8.9), in display order. */
static const char *const methods[] = { "get", "put", "post", "delete", "options", "head",
				       "patch", "trace" };

/* This process's document (one per worker; read-only once loaded). */
static struct {
	struct json_object *doc; /* NULL: unavailable */
	struct buf json;
	struct buf gz;           /* len 0: gzip failed, identity only */
	char etag[72];           /* "\"<32 hex digits>\"" */
	char error[1280];        /* why doc is NULL */
} oa;

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static int is_object(struct json_object *o)
{
	return o && json_object_is_type(o, json_type_object);
}

/* Add every operationId of doc's paths to the set `ids` (an object);
 * returns the first one already in it, or NULL. */
static const char *collect_ids(struct json_object *paths, struct json_object *ids)
{
	if (!is_object(paths))
		return NULL;
	json_object_object_foreach(paths, path, item) {
		size_t i;
		(void)path;
		for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
			struct json_object *id = member(member(item, methods[i]), "operationId");
			const char *s;
			if (!id || !json_object_is_type(id, json_type_string))
				continue;
			s = json_object_get_string(id);
			if (json_object_object_get_ex(ids, s, NULL))
				return s;
			json_object_object_add(ids, s, NULL);
		}
	}
	return NULL;
}

static const char *tag_name(struct json_object *tag)
{
	struct json_object *n = member(tag, "name");
	return n && json_object_is_type(n, json_type_string) ? json_object_get_string(n) : NULL;
}

/* Check frag against doc without changing either; 0 or -1 with err. */
static int merge_check(struct json_object *doc, struct json_object *frag, const char *origin,
		       char *err, size_t errlen)
{
	struct json_object *paths = member(frag, "paths"), *comps = member(frag, "components");
	struct json_object *tags = member(frag, "tags"), *ids;
	const char *dup;
	size_t i, n;

	if (!is_object(frag)) {
		snprintf(err, errlen, "%s: a fragment must be a JSON object", origin);
		return -1;
	}
	json_object_object_foreach(frag, key, val) {
		(void)val;
		if (strcmp(key, "paths") && strcmp(key, "components") && strcmp(key, "tags")) {
			snprintf(err, errlen, "%s: unexpected top-level key \"%s\" (a fragment has "
				 "only paths, components and tags)", origin, key);
			return -1;
		}
	}
	if ((paths && !is_object(paths)) || (comps && !is_object(comps)) ||
	    (tags && !json_object_is_type(tags, json_type_array))) {
		snprintf(err, errlen, "%s: paths and components must be objects, tags an array", origin);
		return -1;
	}
	if (paths) {
		json_object_object_foreach(paths, path, item) {
			if (!is_object(item)) {
				snprintf(err, errlen, "%s: path %s is not a Path Item object", origin, path);
				return -1;
			}
			if (member(member(doc, "paths"), path)) {
				snprintf(err, errlen, "%s: path %s is already described", origin, path);
				return -1;
			}
		}
	}
	if (comps) {
		json_object_object_foreach(comps, section, entries) {
			if (!is_object(entries)) {
				snprintf(err, errlen, "%s: components.%s must be an object", origin, section);
				return -1;
			}
			json_object_object_foreach(entries, name, v) {
				(void)v;
				if (member(member(member(doc, "components"), section), name)) {
					snprintf(err, errlen, "%s: components.%s.%s is already defined",
						 origin, section, name);
					return -1;
				}
			}
		}
	}
	n = tags ? json_object_array_length(tags) : 0;
	for (i = 0; i < n; i++) {
		const char *name = tag_name(json_object_array_get_idx(tags, i));
		struct json_object *have = member(doc, "tags");
		size_t j, m = have && json_object_is_type(have, json_type_array)
			? json_object_array_length(have) : 0;
		if (!name) {
			snprintf(err, errlen, "%s: tags[%zu] has no name", origin, i);
			return -1;
		}
		for (j = 0; j < m; j++) {
			const char *h = tag_name(json_object_array_get_idx(have, j));
			if (h && !strcmp(h, name)) {
				snprintf(err, errlen, "%s: tag %s is already defined", origin, name);
				return -1;
			}
		}
	}
	ids = json_object_new_object();
	dup = collect_ids(member(doc, "paths"), ids);
	if (!dup)
		dup = collect_ids(paths, ids);
	if (dup) {
		snprintf(err, errlen, "%s: operationId %s is used twice", origin, dup);
		json_object_put(ids);
		return -1;
	}
	json_object_put(ids);
	return 0;
}

/* doc[key], created as an empty object or array when absent. */
static struct json_object *ensure(struct json_object *doc, const char *key, json_type type)
{
	struct json_object *v = member(doc, key);
	if (!v) {
		v = type == json_type_array ? json_object_new_array() : json_object_new_object();
		json_object_object_add(doc, key, v);
	}
	return v;
}

int openapi_merge(struct json_object *doc, struct json_object *frag, const char *origin,
		  char *err, size_t errlen)
{
	struct json_object *paths, *comps, *tags;
	size_t i, n;

	if (!is_object(doc)) {
		snprintf(err, errlen, "%s: the document is not a JSON object", origin);
		return -1;
	}
	if (merge_check(doc, frag, origin, err, errlen) < 0)
		return -1;
	if ((paths = member(frag, "paths"))) {
		struct json_object *to = ensure(doc, "paths", json_type_object);
		json_object_object_foreach(paths, path, item)
			json_object_object_add(to, path, json_object_get(item));
	}
	if ((comps = member(frag, "components"))) {
		struct json_object *to = ensure(doc, "components", json_type_object);
		json_object_object_foreach(comps, section, entries) {
			struct json_object *sec = ensure(to, section, json_type_object);
			json_object_object_foreach(entries, name, v)
				json_object_object_add(sec, name, json_object_get(v));
		}
	}
	if ((tags = member(frag, "tags"))) {
		struct json_object *to = ensure(doc, "tags", json_type_array);
		n = json_object_array_length(tags);
		for (i = 0; i < n; i++)
			json_object_array_add(to, json_object_get(json_object_array_get_idx(tags, i)));
	}
	return 0;
}

int openapi_dir(const char *template_dir, char *out, size_t outlen)
{
	const char *env = getenv("GW_OPENAPI_DIR");
	size_t n;
	int k;

	if (env && *env) {
		k = snprintf(out, outlen, "%s", env);
		return k < 0 || (size_t)k >= outlen ? -1 : 0;
	}
	n = template_dir ? strlen(template_dir) : 0;
	while (n > 1 && template_dir[n - 1] == '/')
		n--;
	while (n > 0 && template_dir[n - 1] != '/')
		n--;
	/* n now covers "<parent>/" (or 0: a relative name without a parent) */
	k = snprintf(out, outlen, "%.*sopenapi", (int)n, n ? template_dir : "");
	return k < 0 || (size_t)k >= outlen ? -1 : 0;
}

/* Parse the JSON file dir/name; NULL with err on failure. */
static struct json_object *read_json(const char *dir, const char *name, char *err, size_t errlen)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct json_object *o = NULL;
	enum json_tokener_error jerr = json_tokener_success;

	buf_addf(&path, "%s/%s", dir, name);
	if (buf_read_file(&text, path.data, FRAGMENT_MAX) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path.data, strerror(errno));
	} else if (text.len > FRAGMENT_MAX) {
		snprintf(err, errlen, "%s is larger than %u bytes", path.data, FRAGMENT_MAX);
	} else {
		struct json_tokener *tok = json_tokener_new();
		o = json_tokener_parse_ex(tok, text.data, (int)text.len);
		jerr = json_tokener_get_error(tok);
		if (o && jerr == json_tokener_success) {
			/* nothing but white space may follow the value */
			size_t end = json_tokener_get_parse_end(tok);
			if (strspn(text.data + end, " \t\r\n") != text.len - end)
				jerr = json_tokener_error_parse_unexpected;
		}
		if (!o || jerr != json_tokener_success) {
			snprintf(err, errlen, "%s is not valid JSON: %s", path.data,
				 jerr == json_tokener_continue ? "it ends too early"
				 : json_tokener_error_desc(jerr));
			json_object_put(o);
			o = NULL;
		}
		json_tokener_free(tok);
	}
	buf_release(&path);
	buf_release(&text);
	return o;
}

void openapi_free(void)
{
	json_object_put(oa.doc);
	oa.doc = NULL;
	buf_release(&oa.json);
	buf_release(&oa.gz);
	oa.etag[0] = '\0';
}

int openapi_load(const char *template_dir)
{
	const struct gw_module *const *m;
	struct json_object *doc;
	char dir[1024], err[sizeof oa.error];
	unsigned char digest[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	const char *s;

	openapi_free();
	oa.error[0] = '\0';
	if (openapi_dir(template_dir, dir, sizeof dir) < 0) {
		snprintf(oa.error, sizeof oa.error, "the OpenAPI directory name is too long");
		log_error("openapi: %s", oa.error);
		return -1;
	}
	doc = read_json(dir, "platform/openapi.json", err, sizeof err);
	if (doc && !is_object(doc)) {
		snprintf(err, sizeof err, "%s/platform/openapi.json is not a JSON object", dir);
		json_object_put(doc);
		doc = NULL;
	}
	for (m = gw_modules(); doc && *m; m++) {
		struct json_object *frag;
		if (!(*m)->openapi)
			continue;
		frag = read_json(dir, (*m)->openapi, err, sizeof err);
		if (!frag || openapi_merge(doc, frag, (*m)->name, err, sizeof err) < 0) {
			json_object_put(doc);
			doc = NULL;
		}
		json_object_put(frag);
	}
	if (!doc) {
		snprintf(oa.error, sizeof oa.error, "%s", err);
		log_error("openapi: %s", oa.error);
		return -1;
	}
	s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	buf_addstr(&oa.json, s);
	buf_addch(&oa.json, '\n');
	if (gzip_compress(oa.json.data, oa.json.len, 9, &oa.gz) < 0)
		buf_reset(&oa.gz);
	sha256_raw(oa.json.data, oa.json.len, digest);
	hex_encode(digest, 16, hex);
	snprintf(oa.etag, sizeof oa.etag, "\"%s\"", hex);
	oa.doc = doc;
	return 0;
}

int openapi_etag_matches(const char *inm, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = inm;

	while (p && *p) {
		size_t n;
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		if (*p == '*')
			return 1;
		if (!strncmp(p, "W/", 2))
			p += 2;
		/* an entity tag is a quoted string without inner quotes */
		n = *p == '"' ? strcspn(p + 1, "\"") + 2 : strcspn(p, ", \t");
		if (n == elen && !strncmp(p, etag, elen))
			return 1;
		if (*p == '"' && !p[n - 1])
			break; /* unterminated quote: nothing more to read */
		p += n;
	}
	return 0;
}

void api_openapi(struct app *app, struct req *r)
{
	(void)app;
	if (!oa.doc) {
		req_json_error(r, 500, "openapi document unavailable", oa.error);
		return;
	}
	r->status = 200;
	r->content_type = "application/json; charset=utf-8";
	req_header(r, "Vary", "Accept-Encoding");
	req_header(r, "ETag", oa.etag);
	if (openapi_etag_matches(r->if_none_match, oa.etag)) {
		r->status = 304;
		return;
	}
	if (oa.gz.len && gzip_accepted(r->accept_encoding)) {
		req_header(r, "Content-Encoding", "gzip");
		r->body_ref = oa.gz.data;
		r->body_ref_len = oa.gz.len;
	} else {
		r->body_ref = oa.json.data;
		r->body_ref_len = oa.json.len;
	}
}

static const char *str_member(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* The page's operation list: [{method, path, summary, tag, anchor}] in
 * document order (platform, then modules). */
static struct json_object *operation_list(struct json_object *doc)
{
	struct json_object *list = json_object_new_array(), *paths = member(doc, "paths");
	if (!is_object(paths))
		return list;
	json_object_object_foreach(paths, path, item) {
		size_t i;
		for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
			struct json_object *op = member(item, methods[i]), *o, *tags;
			const char *tag = NULL, *id = str_member(op, "operationId");
			char upper[8];
			size_t k;
			struct buf anchor = BUF_INIT;
			if (!is_object(op))
				continue;
			tags = member(op, "tags");
			if (tags && json_object_is_type(tags, json_type_array) &&
			    json_object_array_length(tags) > 0 &&
			    json_object_is_type(json_object_array_get_idx(tags, 0), json_type_string))
				tag = json_object_get_string(json_object_array_get_idx(tags, 0));
			for (k = 0; methods[i][k] && k + 1 < sizeof upper; k++)
				upper[k] = (char)(methods[i][k] - 'a' + 'A');
			upper[k] = '\0';
			o = json_object_new_object();
			json_object_object_add(o, "method", json_object_new_string(upper));
			json_object_object_add(o, "path", json_object_new_string(path));
			json_object_object_add(o, "summary",
					       json_object_new_string(str_member(op, "summary") ?
								      str_member(op, "summary") : ""));
			json_object_object_add(o, "tag", tag ? json_object_new_string(tag) : NULL);
			/* Swagger UI's deep link: #/<tag>/<operationId> */
			if (tag && id) {
				buf_addf(&anchor, "#/%s/%s", tag, id);
				json_object_object_add(o, "anchor", json_object_new_string(anchor.data));
			}
			/* a GET without path parameters can be opened as is */
			if (i == 0 && !strchr(path, '{'))
				json_object_object_add(o, "href", json_object_new_string(path));
			buf_release(&anchor);
			json_object_array_add(list, o);
		}
	}
	return list;
}

void page_api_docs(struct app *app, struct req *r)
{
	struct json_object *ctx, *ops;
	if (!oa.doc) {
		app_error(app, r, 500, "API description unavailable",
			  "The OpenAPI document could not be assembled when this worker started.");
		return;
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string("API"));
	json_object_object_add(ctx, "spec_url", json_object_new_string("/api/v1/openapi.json"));
	json_object_object_add(ctx, "openapi_version",
			       json_object_new_string(str_member(oa.doc, "openapi") ?
						      str_member(oa.doc, "openapi") : ""));
	ops = operation_list(oa.doc);
	json_object_object_add(ctx, "count", json_object_new_int((int)json_object_array_length(ops)));
	json_object_object_add(ctx, "operations", ops);
	app_render_page(app, r, 200, "api", ctx);
	json_object_put(ctx);
}
