/* test_openapi.c: merging OpenAPI fragments (platform/web/openapi.c): what
 * a fragment adds, every conflict refused with the document unchanged, the
 * shipped fragments merge; the fragment directory; If-None-Match. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cu.h"
#include "platform/web/openapi.h"

static struct json_object *parse(const char *s)
{
	struct json_object *o = json_tokener_parse(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	return o;
}

static struct json_object *parse_file(const char *rel)
{
	char path[4096];
	const char *src = getenv("GW_SRCDIR");
	struct json_object *o;
	snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
	o = json_object_from_file(path);
	if (!o)
		printf("\n  cannot parse %s: %s\n", path, json_util_get_last_err());
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	return o;
}

static struct json_object *at(struct json_object *o, const char *a, const char *b, const char *c)
{
	const char *keys[] = { a, b, c };
	size_t i;
	for (i = 0; i < 3 && keys[i] && o; i++)
		if (!json_object_object_get_ex(o, keys[i], &o))
			return NULL;
	return o;
}

#define BASE "{\"openapi\": \"3.1.0\", \"info\": {\"title\": \"t\", \"version\": \"1\"}," \
	" \"tags\": [{\"name\": \"platform\"}]," \
	" \"paths\": {\"/healthz\": {\"get\": {\"operationId\": \"health\", \"responses\": {}}}}," \
	" \"components\": {\"schemas\": {\"Error\": {\"type\": \"object\"}}}}"

static void test_merge_adds(void)
{
	struct json_object *doc = parse(BASE);
	struct json_object *frag = parse(
		"{\"tags\": [{\"name\": \"game\"}],"
		" \"paths\": {\"/api/v1/x\": {\"get\": {\"operationId\": \"gameX\"}},"
		"             \"/api/v1/y/{id}\": {\"get\": {\"operationId\": \"gameY\"}}},"
		" \"components\": {\"schemas\": {\"GameX\": {\"type\": \"string\"}},"
		"                  \"parameters\": {\"GameId\": {\"name\": \"id\"}}}}");
	char err[256] = "";

	CU_ASSERT_EQUAL(openapi_merge(doc, frag, "game", err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_PTR_NOT_NULL(at(doc, "paths", "/healthz", NULL));
	CU_ASSERT_PTR_NOT_NULL(at(doc, "paths", "/api/v1/x", "get"));
	CU_ASSERT_PTR_NOT_NULL(at(doc, "paths", "/api/v1/y/{id}", "get"));
	CU_ASSERT_EQUAL(json_object_object_length(at(doc, "paths", NULL, NULL)), 3);
	CU_ASSERT_PTR_NOT_NULL(at(doc, "components", "schemas", "Error"));
	CU_ASSERT_PTR_NOT_NULL(at(doc, "components", "schemas", "GameX"));
	/* a section the platform did not have is created */
	CU_ASSERT_PTR_NOT_NULL(at(doc, "components", "parameters", "GameId"));
	CU_ASSERT_EQUAL(json_object_array_length(at(doc, "tags", NULL, NULL)), 2);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(at(json_object_array_get_idx(
		at(doc, "tags", NULL, NULL), 1), "name", NULL, NULL)), "game");
	/* the document keeps its own references: freeing the fragment is safe */
	json_object_put(frag);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(at(doc, "components", "schemas", "GameX") ?
		at(at(doc, "components", "schemas", "GameX"), "type", NULL, NULL) : NULL), "string");
	json_object_put(doc);
}

/* A document without paths, components or tags gets them. */
static void test_merge_into_bare(void)
{
	struct json_object *doc = parse("{\"openapi\": \"3.1.0\"}");
	struct json_object *frag = parse(
		"{\"tags\": [{\"name\": \"g\"}], \"paths\": {\"/a\": {}},"
		" \"components\": {\"schemas\": {\"A\": true}}}");
	char err[256];
	CU_ASSERT_EQUAL(openapi_merge(doc, frag, "g", err, sizeof err), 0);
	CU_ASSERT_PTR_NOT_NULL(at(doc, "paths", "/a", NULL));
	CU_ASSERT_PTR_NOT_NULL(at(doc, "components", "schemas", "A"));
	CU_ASSERT_EQUAL(json_object_array_length(at(doc, "tags", NULL, NULL)), 1);
	json_object_put(frag);
	json_object_put(doc);
}

/* Merge `frag_text` into BASE: refused, err mentions `needle` and the
 * origin, and the document is byte for byte what it was. */
static int refused(const char *frag_text, const char *needle)
{
	struct json_object *doc = parse(BASE), *frag = json_tokener_parse(frag_text);
	char before[2048], err[256] = "";
	int ok;

	snprintf(before, sizeof before, "%s", json_object_to_json_string(doc));
	ok = openapi_merge(doc, frag, "game", err, sizeof err) == -1 &&
	     strstr(err, needle) && !strncmp(err, "game: ", 6) &&
	     !strcmp(before, json_object_to_json_string(doc));
	if (!ok)
		printf("\n  fragment %s: err [%s]\n", frag_text, err);
	json_object_put(frag);
	json_object_put(doc);
	return ok;
}

static void test_merge_conflicts(void)
{
	CU_ASSERT(refused("{\"paths\": {\"/healthz\": {\"get\": {}}}}", "path /healthz"));
	CU_ASSERT(refused("{\"paths\": {\"/new\": {}, \"/healthz\": {}}}", "already described"));
	CU_ASSERT(refused("{\"components\": {\"schemas\": {\"Error\": {}}}}",
			  "components.schemas.Error"));
	CU_ASSERT(refused("{\"tags\": [{\"name\": \"platform\"}]}", "tag platform"));
	CU_ASSERT(refused("{\"tags\": [{\"description\": \"no name\"}]}", "no name"));
	CU_ASSERT(refused("{\"paths\": {\"/x\": {\"get\": {\"operationId\": \"health\"}}}}",
			  "operationId health"));
	CU_ASSERT(refused("{\"paths\": {\"/x\": {\"get\": {\"operationId\": \"a\"}},"
			  " \"/y\": {\"post\": {\"operationId\": \"a\"}}}}", "operationId a"));
	CU_ASSERT(refused("{\"info\": {}}", "unexpected top-level key \"info\""));
	CU_ASSERT(refused("{\"paths\": []}", "must be objects"));
	CU_ASSERT(refused("{\"components\": {\"schemas\": []}}", "components.schemas"));
	CU_ASSERT(refused("{\"tags\": {}}", "tags an array"));
	CU_ASSERT(refused("{\"paths\": {\"/x\": 1}}", "not a Path Item"));
	CU_ASSERT(refused("[]", "JSON object"));
	CU_ASSERT(refused("null", "JSON object"));
	/* a later conflict leaves the earlier, valid parts unmerged too */
	CU_ASSERT(refused("{\"paths\": {\"/fresh\": {}}, \"components\": {\"schemas\":"
			  " {\"Fresh\": {}, \"Error\": {}}}}", "Error"));
}

/* The shipped fragments: the platform's document takes BZCC's, whose paths
 * are all under /api/ (JSON errors) and whose components carry its prefix;
 * a second merge of the same fragment is refused. */
static void test_shipped_fragments(void)
{
	struct json_object *doc = parse_file("platform/openapi.json");
	struct json_object *bzcc = parse_file("modules/bzcc/openapi.json"), *sections;
	char err[256] = "";

	CU_ASSERT_EQUAL(openapi_merge(doc, bzcc, "bzcc", err, sizeof err), 0);
	if (*err)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(at(doc, "paths", "/api/v1/sessions/current", "get"));
	CU_ASSERT_PTR_NOT_NULL(at(doc, "paths", "/healthz", "get"));
	CU_ASSERT_PTR_NOT_NULL(at(doc, "components", "schemas", "BzccSession"));
	json_object_object_foreach(at(bzcc, "paths", NULL, NULL), path, item) {
		(void)item;
		CU_ASSERT(!strncmp(path, "/api/", 5));
	}
	sections = at(bzcc, "components", NULL, NULL);
	json_object_object_foreach(sections, section, entries) {
		(void)section;
		json_object_object_foreach(entries, name, v) {
			(void)v;
			CU_ASSERT(!strncmp(name, "Bzcc", 4));
		}
	}
	CU_ASSERT_EQUAL(openapi_merge(doc, bzcc, "bzcc", err, sizeof err), -1);
	json_object_put(bzcc);
	json_object_put(doc);
}

static int dir_is(const char *template_dir, const char *want)
{
	char out[256];
	int ok = openapi_dir(template_dir, out, sizeof out) == 0 && !strcmp(out, want);
	if (!ok)
		printf("\n  %s -> %s (want %s)\n", template_dir, out, want);
	return ok;
}

static void test_dir(void)
{
	char small[8];
	unsetenv("GW_OPENAPI_DIR");
	CU_ASSERT(dir_is("/usr/local/share/gamewatch/templates", "/usr/local/share/gamewatch/openapi"));
	CU_ASSERT(dir_is("/srv/gw/share/templates/", "/srv/gw/share/openapi"));
	CU_ASSERT(dir_is("build/share/templates", "build/share/openapi"));
	CU_ASSERT(dir_is("templates", "openapi"));
	CU_ASSERT(dir_is("/templates", "/openapi"));
	CU_ASSERT_EQUAL(openapi_dir("/a/much/longer/path/templates", small, sizeof small), -1);
	setenv("GW_OPENAPI_DIR", "/etc/gw/openapi", 1);
	CU_ASSERT(dir_is("/usr/local/share/gamewatch/templates", "/etc/gw/openapi"));
	setenv("GW_OPENAPI_DIR", "", 1);
	CU_ASSERT(dir_is("/x/templates", "/x/openapi"));
	unsetenv("GW_OPENAPI_DIR");
}

static void test_etag(void)
{
	const char *e = "\"0123abcd\"";
	CU_ASSERT(openapi_etag_matches("\"0123abcd\"", e));
	CU_ASSERT(openapi_etag_matches("W/\"0123abcd\"", e));
	CU_ASSERT(openapi_etag_matches("\"other\", \"0123abcd\"", e));
	CU_ASSERT(openapi_etag_matches("\"other\",\"0123abcd\" ", e));
	CU_ASSERT(openapi_etag_matches("*", e));
	CU_ASSERT(!openapi_etag_matches("", e));
	CU_ASSERT(!openapi_etag_matches(NULL, e));
	CU_ASSERT(!openapi_etag_matches("\"0123abc\"", e));
	CU_ASSERT(!openapi_etag_matches("\"0123abcde\"", e));
	CU_ASSERT(!openapi_etag_matches("0123abcd", e));
	CU_ASSERT(!openapi_etag_matches("\"0123abcd", e));
	CU_ASSERT(!openapi_etag_matches("W/", e));
	CU_ASSERT(!openapi_etag_matches(",,, ,", e));
	CU_ASSERT(!openapi_etag_matches("\"a,\"0123abcd\"", e));
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("openapi", NULL, NULL);
	CU_add_test(s, "a fragment adds paths, components and tags", test_merge_adds);
	CU_add_test(s, "merging into a bare document", test_merge_into_bare);
	CU_add_test(s, "conflicts are refused, document unchanged", test_merge_conflicts);
	CU_add_test(s, "the shipped fragments merge", test_shipped_fragments);
	CU_add_test(s, "the fragment directory", test_dir);
	CU_add_test(s, "If-None-Match", test_etag);
}

CU_MAIN()
