/* test_route.c: the route matcher of platform/web/route.c (patterns, 404
 * against 405 with the methods for Allow, the methods text), and the rule
 * that no handler sets Cache-Control (the dispatcher does, from the row).
 *
 * This program has its own module registry (it defines gw_modules_built,
 * so the generated one is not linked): the BZCC module as shipped, and a
 * fixture module that lives only here, whose path has several rows with
 * different methods. The shape of the shipped tables is checked through
 * `gamewatch.fcgi --routes` in tests/integration/t70_route_rules.py. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "cu.h"
#include "platform/module.h"
#include "platform/web/req.h"
#include "platform/web/route.h"

static void h(struct app *app, struct req *r)
{
	(void)app;
	(void)r;
}

static const struct route fixture_routes[] = {
	ROUTE_GET_PAGE("/fx/items/{id}", h, "an item"),
	{ M_POST | M_DELETE, "/fx/items/{id}", h, ROUTE_API, ROLE_PUBLIC, true, CACHE_NO_STORE, 0,
	  RATE_WRITE, 1024, BODY_PARSED, "change an item" },
	{ M_PUT, "/fx/items/{id}", h, ROUTE_API, ROLE_PUBLIC, true, CACHE_NO_STORE, 0, RATE_WRITE,
	  1024, BODY_PARSED, "replace an item" },
	ROUTE_GET_PAGE("/fx/{a}/{b}", h, "two arguments"),
	ROUTE_END,
};
static const struct gw_module fixture = { .name = "fixture", .title = "Fixture",
					  .routes = fixture_routes };
extern const struct gw_module gw_module_bzcc;
const struct gw_module *const gw_modules_built[] = { &gw_module_bzcc, &fixture, NULL };

/* Match `pat` against a copy of `path`; the {x} segments joined by '|'
 * into `out`. Returns the matcher's answer. */
static int match(const char *pat, const char *path, int max_args, char *out, size_t outlen)
{
	char *copy = strdup(path), *args[REQ_MAX_ROUTE_ARGS] = { NULL };
	int i, m = route_pattern_match(pat, copy, args, max_args);
	out[0] = '\0';
	for (i = 0; m && i < max_args && args[i]; i++) {
		strncat(out, i ? "|" : "", outlen - strlen(out) - 1);
		strncat(out, args[i], outlen - strlen(out) - 1);
	}
	free(copy);
	return m;
}

static void test_pattern(void)
{
	char a[256];
	struct {
		const char *pat, *path;
		int want;
		const char *args;
	} cases[] = {
		{ "/", "/", 1, "" },
		{ "/", "/x", 0, "" },
		{ "/", "", 0, "" },
		{ "/healthz", "/healthz", 1, "" },
		{ "/healthz", "/healthz/", 0, "" },
		{ "/healthz", "/healthzz", 0, "" },
		{ "/healthz", "/health", 0, "" },
		{ "/healthz", "healthz", 0, "" },
		{ "/bzcc/", "/bzcc/", 1, "" },
		{ "/bzcc/", "/bzcc", 0, "" },
		{ "/bzcc/", "/bzcc/x", 0, "" },
		{ "/api/v1/sessions/{id}", "/api/v1/sessions/abc", 1, "abc" },
		{ "/api/v1/sessions/{id}", "/api/v1/sessions/", 0, "" },
		{ "/api/v1/sessions/{id}", "/api/v1/sessions", 0, "" },
		{ "/api/v1/sessions/{id}", "/api/v1/sessions/a/b", 0, "" },
		{ "/api/v1/sessions/{id}", "/api/v1/session/abc", 0, "" },
		/* the path is raw: split at '/', each segment decoded once, so a
		 * value may hold anything, an encoded '/' included */
		{ "/bzcc/maps/{key}", "/bzcc/maps/a%20b%25:c%C3%A9", 1, "a b%:c\xc3\xa9" },
		{ "/bzcc/maps/{key}", "/bzcc/maps/2967047003%2Fmpiwoho", 1, "2967047003/mpiwoho" },
		{ "/bzcc/maps/{key}", "/bzcc/maps/a%zz", 0, "" },
		{ "/bzcc/maps/{key}", "/bzcc/maps/a%2", 0, "" },
		{ "/bzcc/maps/{key}", "/bzcc/maps/a%00b", 0, "" },
		{ "/bzcc/maps/{key}", "/bzcc%2Fmaps/x", 0, "" },
		{ "/bzcc/maps", "/bzcc/m%61ps", 1, "" },
		{ "/a/{x}/b/{y}", "/a/1/b/2", 1, "1|2" },
		{ "/a/{x}/b/{y}", "/a/1/c/2", 0, "" },
		{ "/a/{x}/b/{y}", "/a//b/2", 0, "" },
		{ "/{x}", "//", 0, "" },
		{ "/{x}/", "/v/", 1, "v" },
		{ "/{x}/", "/v", 0, "" },
	};
	size_t i;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = match(cases[i].pat, cases[i].path, REQ_MAX_ROUTE_ARGS, a, sizeof a);
		if (got != cases[i].want || strcmp(a, cases[i].args))
			printf("\n  %s vs %s: %d [%s]\n", cases[i].pat, cases[i].path, got, a);
		CU_ASSERT_EQUAL(got, cases[i].want);
		CU_ASSERT_STRING_EQUAL(a, cases[i].args);
	}
	/* more placeholders than the caller has room for: no match */
	CU_ASSERT_EQUAL(match("/a/{x}/{y}", "/a/1/2", 1, a, sizeof a), 0);
	CU_ASSERT_EQUAL(match("/a/{x}/{y}", "/a/1/2", 2, a, sizeof a), 1);
	/* without args: the same answer (the path is decoded in place) */
	{
		char p[] = "/a/1/b/%32";
		CU_ASSERT_EQUAL(route_pattern_match("/a/{x}/b/{y}", p, NULL, REQ_MAX_ROUTE_ARGS), 1);
	}
}

static void test_methods_text(void)
{
	char t[64];
	route_methods_text(M_GET, t, sizeof t);
	CU_ASSERT_STRING_EQUAL(t, "GET, HEAD");
	route_methods_text(M_POST, t, sizeof t);
	CU_ASSERT_STRING_EQUAL(t, "POST");
	route_methods_text(M_GET | M_POST, t, sizeof t);
	CU_ASSERT_STRING_EQUAL(t, "GET, HEAD, POST");
	route_methods_text(M_DELETE | M_PUT, t, sizeof t);
	CU_ASSERT_STRING_EQUAL(t, "PUT, DELETE");
	route_methods_text(M_GET | M_POST | M_PUT | M_PATCH | M_DELETE, t, sizeof t);
	CU_ASSERT_STRING_EQUAL(t, "GET, HEAD, POST, PUT, PATCH, DELETE");
	route_methods_text(0, t, sizeof t);
	CU_ASSERT_STRING_EQUAL(t, "");
	/* a short buffer stays NUL-terminated */
	memset(t, 'x', sizeof t);
	route_methods_text(M_GET | M_POST, t, 6);
	CU_ASSERT(strlen(t) < 6);
	t[0] = 'z';
	route_methods_text(M_GET, t, 0);
	CU_ASSERT_EQUAL(t[0], 'z');
}

/* Look `method` `path` up in the shipped tables. */
static int lookup(const char *method, const char *path, struct req *r, struct route_match *m)
{
	memset(r, 0, sizeof *r);
	snprintf(r->method, sizeof r->method, "%s", method);
	r->path = path ? strdup(path) : NULL;
	return route_lookup(r, m);
}

static void done(struct req *r)
{
	free(r->path);
	free(r->route_buf);
}

static void test_lookup(void)
{
	struct req r;
	struct route_match m;
	char allow[64];

	CU_ASSERT_EQUAL(lookup("GET", "/healthz", &r, &m), 1);
	CU_ASSERT(m.route && !strcmp(m.route->pattern, "/healthz"));
	CU_ASSERT_PTR_NULL(m.module); /* a platform row */
	done(&r);
	CU_ASSERT_EQUAL(lookup("HEAD", "/healthz", &r, &m), 1);
	done(&r);

	/* the path exists, the method does not: 405 with the methods for Allow */
	CU_ASSERT_EQUAL(lookup("POST", "/healthz", &r, &m), 0);
	CU_ASSERT_PTR_NULL(m.route);
	CU_ASSERT_EQUAL(m.allowed, M_GET);
	route_methods_text(m.allowed, allow, sizeof allow);
	CU_ASSERT_STRING_EQUAL(allow, "GET, HEAD");
	done(&r);
	CU_ASSERT_EQUAL(lookup("BREW", "/healthz", &r, &m), 0);
	CU_ASSERT_EQUAL(m.allowed, M_GET);
	done(&r);
	CU_ASSERT_EQUAL(lookup("", "/healthz", &r, &m), 0);
	CU_ASSERT_EQUAL(m.allowed, M_GET);
	done(&r);

	/* nothing there: 404 */
	CU_ASSERT_EQUAL(lookup("GET", "/no/such/page", &r, &m), 0);
	CU_ASSERT_EQUAL(m.allowed, 0);
	done(&r);
	CU_ASSERT_EQUAL(lookup("POST", "/no/such/page", &r, &m), 0);
	CU_ASSERT_EQUAL(m.allowed, 0);
	done(&r);
	CU_ASSERT_EQUAL(lookup("GET", NULL, &r, &m), 0);
	CU_ASSERT_EQUAL(m.allowed, 0);
	done(&r);

	/* a module row with its {x} argument; the literal row listed first wins */
	CU_ASSERT_EQUAL(lookup("GET", "/api/v1/sessions/Rebellion:00ff", &r, &m), 1);
	CU_ASSERT(m.route && !strcmp(m.route->pattern, "/api/v1/sessions/{id}"));
	CU_ASSERT(m.module && !strcmp(m.module->name, "bzcc"));
	CU_ASSERT(r.route_args[0] && !strcmp(r.route_args[0], "Rebellion:00ff"));
	CU_ASSERT_PTR_NULL(r.route_args[1]);
	done(&r);
	CU_ASSERT_EQUAL(lookup("GET", "/api/v1/sessions/current", &r, &m), 1);
	CU_ASSERT(m.route && !strcmp(m.route->pattern, "/api/v1/sessions/current"));
	CU_ASSERT_PTR_NULL(r.route_args[0]);
	done(&r);
	CU_ASSERT_EQUAL(lookup("DELETE", "/api/v1/sessions/x", &r, &m), 0);
	CU_ASSERT_EQUAL(m.allowed, M_GET);
	done(&r);

	/* one path, several rows: each method finds its row */
	CU_ASSERT_EQUAL(lookup("GET", "/fx/items/7", &r, &m), 1);
	CU_ASSERT(m.route == &fixture_routes[0] && m.module == &fixture);
	CU_ASSERT(r.route_args[0] && !strcmp(r.route_args[0], "7"));
	done(&r);
	CU_ASSERT_EQUAL(lookup("DELETE", "/fx/items/7", &r, &m), 1);
	CU_ASSERT(m.route == &fixture_routes[1]);
	done(&r);
	CU_ASSERT_EQUAL(lookup("PUT", "/fx/items/7", &r, &m), 1);
	CU_ASSERT(m.route == &fixture_routes[2]);
	done(&r);
	/* ... and a method none has gets every row's methods for Allow */
	CU_ASSERT_EQUAL(lookup("PATCH", "/fx/items/7", &r, &m), 0);
	CU_ASSERT_EQUAL(m.allowed, M_GET | M_POST | M_DELETE | M_PUT);
	route_methods_text(m.allowed, allow, sizeof allow);
	CU_ASSERT_STRING_EQUAL(allow, "GET, HEAD, POST, PUT, DELETE");
	done(&r);
	CU_ASSERT_EQUAL(lookup("GET", "/fx/a/b", &r, &m), 1);
	CU_ASSERT(r.route_args[0] && !strcmp(r.route_args[0], "a") && r.route_args[1] &&
		  !strcmp(r.route_args[1], "b"));
	done(&r);
	/* segments are matched as decoded (here with a space) */
	CU_ASSERT_EQUAL(lookup("GET", "/fx/items/a b", &r, &m), 1);
	CU_ASSERT(r.route_args[0] && !strcmp(r.route_args[0], "a b"));
	done(&r);
	CU_ASSERT_EQUAL(lookup("GET", "/fx/items/7/more", &r, &m), 0);
	CU_ASSERT_EQUAL(m.allowed, 0);
	done(&r);
}

/* ---- no handler sets Cache-Control ------------------------------------------ */

static int scan_dir(const char *dir, const char *skip, int *files)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int hits = 0;
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		struct buf path = BUF_INIT, text = BUF_INIT;
		if (n < 3 || strcmp(e->d_name + n - 2, ".c") || (skip && !strcmp(e->d_name, skip)))
			continue;
		buf_addf(&path, "%s/%s", dir, e->d_name);
		if (buf_read_file(&text, path.data, 1 << 22) == 0) {
			(*files)++;
			if (strstr(text.data, "Cache-Control")) {
				printf("\n  %s sets Cache-Control\n", path.data);
				hits++;
			}
		}
		buf_release(&path);
		buf_release(&text);
	}
	closedir(d);
	return hits;
}

static void test_no_handler_cache_control(void)
{
	const char *src = getenv("GW_SRCDIR");
	struct buf dir = BUF_INIT;
	DIR *mods;
	struct dirent *e;
	int files = 0, hits;

	if (!src)
		src = ".";
	/* platform/web: only req.c (req_cache_control, used by the dispatcher
	 * and req_stream_begin) names the header */
	buf_addf(&dir, "%s/platform/web", src);
	hits = scan_dir(dir.data, "req.c", &files);
	buf_reset(&dir);
	buf_addf(&dir, "%s/modules", src);
	mods = opendir(dir.data);
	CU_ASSERT_PTR_NOT_NULL(mods);
	while (mods && (e = readdir(mods)) != NULL) {
		struct buf web = BUF_INIT;
		if (e->d_name[0] == '.')
			continue;
		buf_addf(&web, "%s/%s/web", dir.data, e->d_name);
		hits += scan_dir(web.data, NULL, &files);
		buf_release(&web);
	}
	if (mods)
		closedir(mods);
	buf_release(&dir);
	CU_ASSERT(files >= 10); /* the scan really read the handlers */
	CU_ASSERT_EQUAL(hits, 0);
}

static void register_tests(void)
{
	CU_pSuite s;
	unsetenv("GW_MODULES"); /* both modules of this program's registry */
	s = CU_add_suite("route", NULL, NULL);
	CU_add_test(s, "pattern matching", test_pattern);
	CU_add_test(s, "methods text for Allow", test_methods_text);
	CU_add_test(s, "lookup: match, 404, 405", test_lookup);
	CU_add_test(s, "no handler sets Cache-Control", test_no_handler_cache_control);
}

CU_MAIN()
