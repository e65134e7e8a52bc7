/* fuzz_route.c: libFuzzer target for the route matcher (platform/web/route.c).
 *
 * Input: a method selector byte, then "PATTERN\nPATH" (or just PATH).
 *  - route_pattern_match(PATTERN, PATH) with and without arguments: the
 *    answer is the same either way, every {x} argument is a non-empty
 *    segment without '/', and the path is left alone without arguments;
 *  - route_lookup(PATH) over the platform's rows and a table of sample rows
 *    registered as this program's only module: a match serves the method,
 *    a miss with `allowed` set means the path exists for other methods;
 *  - route_methods_text into buffers of every small size stays terminated.
 * Seeds: fuzz/corpus/route/, dictionary fuzz/route.dict. Build and run:
 * fuzz/run.sh route. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform/module.h"
#include "platform/web/req.h"
#include "platform/web/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) \
	do { \
		if (!(c)) \
			abort(); \
	} while (0)

/* route.c's platform rows name these handlers; the matcher never calls them */
/* the platform rows' handlers, never called by the matcher */
void page_front(struct app *app, struct req *r);
void api_health(struct app *app, struct req *r);
void api_openapi(struct app *app, struct req *r);
void page_api_docs(struct app *app, struct req *r);
void api_metrics(struct app *app, struct req *r);
void page_front(struct app *app, struct req *r) { (void)app; (void)r; }
void api_health(struct app *app, struct req *r) { (void)app; (void)r; }
void api_openapi(struct app *app, struct req *r) { (void)app; (void)r; }
void page_api_docs(struct app *app, struct req *r) { (void)app; (void)r; }
void api_metrics(struct app *app, struct req *r) { (void)app; (void)r; }
/* the accounts and admin rows' handlers (platform/accounts/web.h) */
#define STANDIN(fn) \
	void fn(struct app *app, struct req *r); \
	void fn(struct app *app, struct req *r) { (void)app; (void)r; }
STANDIN(page_login) STANDIN(form_login) STANDIN(form_logout) STANDIN(page_auth_begin)
STANDIN(page_auth_callback) STANDIN(form_account_link) STANDIN(page_account)
STANDIN(form_account_unlink) STANDIN(form_account_revoke) STANDIN(page_watch_confirm)
STANDIN(form_watch_add) STANDIN(form_watch_remove) STANDIN(page_filter_new) STANDIN(form_filter_add)
STANDIN(form_filter_delete) STANDIN(page_account_export) STANDIN(form_account_delete)
STANDIN(page_user) STANDIN(api_presence_site) STANDIN(page_curation_propose)
STANDIN(form_curation_propose) STANDIN(page_admin_curation) STANDIN(form_curation_approve)
STANDIN(form_curation_reject) STANDIN(form_curation_remirror) STANDIN(page_admin_index)
STANDIN(page_admin_health) STANDIN(page_admin_logs) STANDIN(page_admin_cache) STANDIN(form_admin_cache)
STANDIN(page_admin_flags) STANDIN(form_admin_flags) STANDIN(page_admin_users)
STANDIN(form_admin_user_role) STANDIN(form_admin_user_ban) STANDIN(form_admin_user_unban)
STANDIN(form_admin_user_revoke) STANDIN(page_admin_audit)
/* the platform's stream row (served by gamewatch-stream) */
STANDIN(api_stream_elsewhere)
static void h(struct app *app, struct req *r) { (void)app; (void)r; }

static const struct route sample_routes[] = {
	ROUTE_GET_PAGE("/fz/", h, "home"),
	ROUTE_GET_PAGE("/fz/items/{id}", h, "item"),
	{ M_POST | M_DELETE, "/fz/items/{id}", h, ROUTE_API, ROLE_PUBLIC, true, CACHE_NO_STORE, 0,
	  RATE_WRITE, 4096, BODY_PARSED, "change an item" },
	ROUTE_GET_API("/api/v1/fz/{a}/{b}/{c}/{d}", h, "four"),
	ROUTE_GET_API("/api/v1/fz/{a}/x", h, "two"),
	{ M_PUT | M_PATCH, "/api/v1/fz/{a}/x", h, ROUTE_API, ROLE_OPERATOR, false, CACHE_NO_STORE, 0,
	  RATE_WRITE, 1024, BODY_PARSED, "put" },
	ROUTE_END,
};

static const struct gw_module fz_module = { .name = "fz", .title = "fuzz", .routes = sample_routes };
const struct gw_module *const gw_modules_built[] = { &fz_module, NULL };

static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "BREW", "" };

static unsigned bit_of(const char *m)
{
	if (!strcmp(m, "GET") || !strcmp(m, "HEAD"))
		return M_GET;
	if (!strcmp(m, "POST"))
		return M_POST;
	if (!strcmp(m, "PUT"))
		return M_PUT;
	if (!strcmp(m, "PATCH"))
		return M_PATCH;
	if (!strcmp(m, "DELETE"))
		return M_DELETE;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *method;
	char *text, *nl, *pattern = NULL, *path, *copy, *args[REQ_MAX_ROUTE_ARGS];
	struct req r;
	struct route_match m;
	char out[48];
	size_t i;
	int a, b, k;

	if (!size)
		return 0;
	method = methods[data[0] % 8];
	text = malloc(size);
	if (!text)
		abort();
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	nl = strchr(text, '\n');
	path = text;
	if (nl) {
		*nl = '\0';
		pattern = text;
		path = nl + 1;
	}

	if (pattern) {
		/* the matcher decodes in place: each call gets its own copy */
		char *copy2;
		copy = strdup(path);
		copy2 = strdup(path);
		if (!copy || !copy2)
			abort();
		a = route_pattern_match(pattern, copy2, NULL, REQ_MAX_ROUTE_ARGS);
		memset(args, 0, sizeof args);
		b = route_pattern_match(pattern, copy, args, REQ_MAX_ROUTE_ARGS);
		CHECK(a == b);
		/* a {x} value is non-empty; it may hold a decoded '/' (%2F) */
		for (k = 0; b && k < REQ_MAX_ROUTE_ARGS && args[k]; k++)
			CHECK(args[k][0]);
		free(copy);
		free(copy2);
	}

	memset(&r, 0, sizeof r);
	strcpy(r.method, method);
	r.path = strdup(path);
	if (!r.path)
		abort();
	if (route_lookup(&r, &m)) {
		CHECK(m.route && (m.route->methods & bit_of(method)));
		for (k = 0; k < REQ_MAX_ROUTE_ARGS && r.route_args[k]; k++)
			CHECK(r.route_args[k] >= r.route_buf && r.route_args[k][0]);
	} else {
		CHECK(!m.route);
		CHECK(!(m.allowed & bit_of(method)));
	}
	free(r.path);
	free(r.route_buf);

	for (i = 0; i < sizeof out; i++) {
		memset(out, 'x', sizeof out);
		route_methods_text(data[0], out, i);
		CHECK(!i || memchr(out, '\0', i));
	}
	free(text);
	return 0;
}
