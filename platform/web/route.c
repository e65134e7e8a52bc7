/* route.c: the matcher over the platform's rows and every enabled module's,
 * and the platform's own rows. */
#include "platform/web/route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/accounts/web.h"
#include "platform/module.h"
#include "platform/web/req.h"

void page_front(struct app *app, struct req *r);   /* platform/web/hub.c */
void api_health(struct app *app, struct req *r);   /* platform/web/api-health.c */
void api_openapi(struct app *app, struct req *r);  /* platform/web/openapi.c */
void page_api_docs(struct app *app, struct req *r); /* platform/web/openapi.c */
void api_metrics(struct app *app, struct req *r);  /* platform/web/metrics.c */
void api_stream_elsewhere(struct app *app, struct req *r); /* platform/web/app.c */

/* Body limits: a form of a few fields, and a picture upload (a 5 MiB
 * picture, ASSETS_MAX_BYTES' default, and the form around it; both capped
 * by GW_MAX_BODY_BYTES, default 1 MiB). */
#define FORM_MAX (8u * 1024)
#define UPLOAD_MAX (6u * 1024 * 1024)

const struct route platform_routes[] = {
	{ M_GET, "/", page_front, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_REVALIDATE, 0, RATE_READ, 0, BODY_PARSED,
	  "Front page: the only enabled module's home, or a hub of every module" },
	{ M_GET, "/healthz", api_health, ROUTE_API, ROLE_PUBLIC, false, CACHE_NO_STORE, 0, RATE_NONE, 0, BODY_PARSED,
	  "Health: database, Redis and every module's data freshness" },
	{ M_GET, "/api/v1/openapi.json", api_openapi, ROUTE_API, ROLE_PUBLIC, false, CACHE_PUBLIC, 300,
	  RATE_READ, 0, BODY_PARSED, "This OpenAPI 3.1 document of every JSON endpoint (ETag, gzip)" },
	{ M_GET, "/api", page_api_docs, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_REVALIDATE, 0, RATE_READ, 0, BODY_PARSED,
	  "The API page: every JSON endpoint, readable (Swagger UI over the OpenAPI document)" },
	{ M_GET, "/metrics", api_metrics, ROUTE_API, ROLE_OPERATOR, false, CACHE_NO_STORE, 0, RATE_NONE, 0, BODY_PARSED,
	  "Prometheus metrics: requests and latency per route, workers, jobs, queues, modules" },
	/* accounts (platform/accounts/web.h, docs/accounts.md) */
	{ M_GET, "/login", page_login, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_NO_STORE, 0, RATE_READ, 0, BODY_PARSED,
	  "Sign-in page: local name and password, or a sign-in provider (Steam)" },
	{ M_POST, "/login", form_login, ROUTE_PAGE, ROLE_PUBLIC, true, CACHE_NO_STORE, 0, RATE_LOGIN, FORM_MAX, BODY_PARSED,
	  "Local sign-in (Argon2id); rate-limited per address and per account" },
	{ M_POST, "/logout", form_logout, ROUTE_PAGE, ROLE_USER, true, CACHE_NO_STORE, 0, RATE_WRITE, FORM_MAX, BODY_PARSED,
	  "Sign out: revoke this session" },
	{ M_GET, "/auth/{provider}", page_auth_begin, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_NO_STORE, 0,
	  RATE_LOGIN, 0, BODY_PARSED, "Start signing in through a provider (Steam OpenID 2.0, or a module's OAuth 2.0 one)" },
	{ M_GET, "/auth/{provider}/callback", page_auth_callback, ROUTE_PAGE, ROLE_PUBLIC, false,
	  CACHE_NO_STORE, 0, RATE_LOGIN, 0, BODY_PARSED, "The provider's answer: verified, then signed in" },
	{ M_GET, "/account", page_account, ROUTE_PAGE, ROLE_USER, false, CACHE_NO_STORE, 0, RATE_READ, 0, BODY_PARSED,
	  "Your account: identities, watchlist, saved filters, proposals, export, deletion" },
	{ M_POST, "/account/link/{provider}", form_account_link, ROUTE_PAGE, ROLE_USER, true, CACHE_NO_STORE,
	  0, RATE_LOGIN, FORM_MAX, BODY_PARSED, "Link another sign-in identity to your account" },
	{ M_POST, "/account/identities/{id}/unlink", form_account_unlink, ROUTE_PAGE, ROLE_USER, true,
	  CACHE_NO_STORE, 0, RATE_WRITE, FORM_MAX, BODY_PARSED, "Unlink an identity (not the last one)" },
	{ M_POST, "/account/sessions/revoke", form_account_revoke, ROUTE_PAGE, ROLE_USER, true,
	  CACHE_NO_STORE, 0, RATE_WRITE, FORM_MAX, BODY_PARSED, "Sign out everywhere else" },
	{ M_GET, "/account/watch", page_watch_confirm, ROUTE_PAGE, ROLE_USER, false, CACHE_NO_STORE, 0,
	  RATE_READ, 0, BODY_PARSED, "Confirm adding a session, host, map or mod to your watchlist" },
	{ M_POST, "/account/watch", form_watch_add, ROUTE_PAGE, ROLE_USER, true, CACHE_NO_STORE, 0,
	  RATE_WRITE, FORM_MAX, BODY_PARSED, "Add to your watchlist" },
	{ M_POST, "/account/watch/remove", form_watch_remove, ROUTE_PAGE, ROLE_USER, true, CACHE_NO_STORE,
	  0, RATE_WRITE, FORM_MAX, BODY_PARSED, "Remove from your watchlist" },
	{ M_GET, "/account/filters/new", page_filter_new, ROUTE_PAGE, ROLE_USER, false, CACHE_NO_STORE, 0,
	  RATE_READ, 0, BODY_PARSED, "Name a filter to save" },
	{ M_POST, "/account/filters", form_filter_add, ROUTE_PAGE, ROLE_USER, true, CACHE_NO_STORE, 0,
	  RATE_WRITE, FORM_MAX, BODY_PARSED, "Save a filter" },
	{ M_POST, "/account/filters/{id}/delete", form_filter_delete, ROUTE_PAGE, ROLE_USER, true,
	  CACHE_NO_STORE, 0, RATE_WRITE, FORM_MAX, BODY_PARSED, "Delete a saved filter" },
	{ M_GET, "/account/export", page_account_export, ROUTE_PAGE, ROLE_USER, false, CACHE_NO_STORE, 0,
	  RATE_READ, 0, BODY_PARSED, "Download everything GameWatch keeps about you (JSON)" },
	{ M_POST, "/account/delete", form_account_delete, ROUTE_PAGE, ROLE_USER, true, CACHE_NO_STORE, 0,
	  RATE_WRITE, FORM_MAX, BODY_PARSED, "Delete your account and everything personal" },
	{ M_GET, "/users/{id}", page_user, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_NO_STORE, 0, RATE_READ, 0, BODY_PARSED,
	  "A user's public profile: avatar, name, recent games" },
	{ M_GET, "/api/v1/presence/site", api_presence_site, ROUTE_API, ROLE_PUBLIC, false, CACHE_NO_STORE,
	  0, RATE_READ, 0, BODY_PARSED, "Users on the site in the last five minutes" },
	/* curation and admin (platform/admin) */
	{ M_GET, "/curation/propose", page_curation_propose, ROUTE_PAGE, ROLE_USER, false, CACHE_NO_STORE,
	  0, RATE_READ, 0, BODY_PARSED, "Propose a correction of a map or mod: text fields, a picture" },
	{ M_POST, "/curation/propose", form_curation_propose, ROUTE_PAGE, ROLE_USER, true, CACHE_NO_STORE,
	  0, RATE_WRITE, UPLOAD_MAX, BODY_PARSED, "Send a proposal (multipart; the picture is validated like a mirrored one)" },
	{ M_GET, "/admin/", page_admin_index, ROUTE_PAGE, ROLE_CURATOR, false, CACHE_NO_STORE, 0, RATE_READ,
	  0, BODY_PARSED, "Admin and curator tools" },
	{ M_GET, "/admin/curation", page_admin_curation, ROUTE_PAGE, ROLE_CURATOR, false, CACHE_NO_STORE, 0,
	  RATE_READ, 0, BODY_PARSED, "Pending proposals, placeholder pictures, recent reviews" },
	{ M_POST, "/admin/curation/{id}/approve", form_curation_approve, ROUTE_PAGE, ROLE_CURATOR, true,
	  CACHE_NO_STORE, 0, RATE_WRITE, FORM_MAX, BODY_PARSED, "Approve a proposal: live on the public pages" },
	{ M_POST, "/admin/curation/{id}/reject", form_curation_reject, ROUTE_PAGE, ROLE_CURATOR, true,
	  CACHE_NO_STORE, 0, RATE_WRITE, FORM_MAX, BODY_PARSED, "Reject a proposal" },
	{ M_POST, "/admin/curation/remirror", form_curation_remirror, ROUTE_PAGE, ROLE_CURATOR, true,
	  CACHE_NO_STORE, 0, RATE_WRITE, FORM_MAX, BODY_PARSED, "Mirror an entity's picture again on the next run" },
	{ M_GET, "/admin/health", page_admin_health, ROUTE_PAGE, ROLE_ADMIN, false, CACHE_NO_STORE, 0,
	  RATE_READ, 0, BODY_PARSED, "Consolidated health: freshness, database, Redis, queues, job runs, flags" },
	{ M_GET, "/admin/logs", page_admin_logs, ROUTE_PAGE, ROLE_ADMIN, false, CACHE_NO_STORE, 0, RATE_READ,
	  0, BODY_PARSED, "Recent job runs and the ends of the configured log files" },
	{ M_GET, "/admin/cache", page_admin_cache, ROUTE_PAGE, ROLE_ADMIN, false, CACHE_NO_STORE, 0,
	  RATE_READ, 0, BODY_PARSED, "Cache controls" },
	{ M_POST, "/admin/cache", form_admin_cache, ROUTE_PAGE, ROLE_ADMIN, true, CACHE_NO_STORE, 0,
	  RATE_WRITE, FORM_MAX, BODY_PARSED, "Rebuild a module's views, flush rate limits or presence" },
	{ M_GET, "/admin/flags", page_admin_flags, ROUTE_PAGE, ROLE_ADMIN, false, CACHE_NO_STORE, 0,
	  RATE_READ, 0, BODY_PARSED, "Feature flags (enrichment, mirroring, polling)" },
	{ M_POST, "/admin/flags", form_admin_flags, ROUTE_PAGE, ROLE_ADMIN, true, CACHE_NO_STORE, 0,
	  RATE_WRITE, FORM_MAX, BODY_PARSED, "Set a feature flag" },
	{ M_GET, "/admin/users", page_admin_users, ROUTE_PAGE, ROLE_ADMIN, false, CACHE_NO_STORE, 0,
	  RATE_READ, 0, BODY_PARSED, "Users: search, roles, bans" },
	{ M_POST, "/admin/users/{id}/role", form_admin_user_role, ROUTE_PAGE, ROLE_ADMIN, true,
	  CACHE_NO_STORE, 0, RATE_WRITE, FORM_MAX, BODY_PARSED, "Change a user's role" },
	{ M_POST, "/admin/users/{id}/ban", form_admin_user_ban, ROUTE_PAGE, ROLE_ADMIN, true, CACHE_NO_STORE,
	  0, RATE_WRITE, FORM_MAX, BODY_PARSED, "Ban a user (soft delete): no sign-in, sessions revoked" },
	{ M_POST, "/admin/users/{id}/unban", form_admin_user_unban, ROUTE_PAGE, ROLE_ADMIN, true,
	  CACHE_NO_STORE, 0, RATE_WRITE, FORM_MAX, BODY_PARSED, "Lift a ban" },
	{ M_POST, "/admin/users/{id}/revoke", form_admin_user_revoke, ROUTE_PAGE, ROLE_ADMIN, true,
	  CACHE_NO_STORE, 0, RATE_WRITE, FORM_MAX, BODY_PARSED, "Sign a user out everywhere" },
	{ M_GET, "/admin/audit", page_admin_audit, ROUTE_PAGE, ROLE_ADMIN, false, CACHE_NO_STORE, 0,
	  RATE_READ, 0, BODY_PARSED, "The audit log of admin and curator actions" },
	/* served by gamewatch-stream (platform/stream/); the page workers answer 503 */
	{ M_GET, "/api/v1/stream/rooms/{room}", api_stream_elsewhere, ROUTE_STREAM, ROLE_PUBLIC, false,
	  CACHE_NO_STORE, 0, RATE_NONE, 0, BODY_PARSED,
	  "Server-Sent Events of one room of any module: snapshot, then merge patches" },
	ROUTE_END,
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode the n bytes at seg in place and NUL-terminate them.
 * Returns 0, or -1 on a malformed escape or a NUL byte. */
static int decode_segment(char *seg, size_t n)
{
	size_t i, o = 0;
	for (i = 0; i < n; i++) {
		char c = seg[i];
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= n)
				return -1;
			hi = hexval(seg[i + 1]);
			lo = hexval(seg[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (!c)
			return -1;
		seg[o++] = c;
	}
	seg[o] = '\0';
	return 0;
}

int route_pattern_match(const char *pat, char *path, char **args, int max_args)
{
	int n = 0;
	if (*pat != '/' || *path != '/')
		return 0;
	pat++;
	path++;
	for (;;) {
		size_t pl = strcspn(pat, "/");
		char *end = path + strcspn(path, "/");
		int pat_last = !pat[pl], path_last = !*end;
		/* split at the raw '/', then decode the segment once: an encoded
		 * slash (%2F) is part of a {x} value, never a separator */
		if (decode_segment(path, (size_t)(end - path)) < 0)
			return 0;
		if (*pat == '{') {
			if (!*path || n == max_args)
				return 0;
			if (args)
				args[n] = path;
			n++;
		} else if (strlen(path) != pl || strncmp(pat, path, pl)) {
			return 0;
		}
		if (pat_last || path_last)
			return pat_last && path_last;
		pat += pl + 1;
		path = end + 1;
	}
}

static unsigned method_bit(const char *m)
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

void route_methods_text(unsigned methods, char *out, size_t outlen)
{
	static const struct { unsigned bit; const char *text; } names[] = {
		{ M_GET, "GET, HEAD" }, { M_POST, "POST" }, { M_PUT, "PUT" },
		{ M_PATCH, "PATCH" }, { M_DELETE, "DELETE" },
	};
	size_t i, used = 0;
	if (!outlen)
		return;
	out[0] = '\0';
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		int k;
		if (!(methods & names[i].bit))
			continue;
		k = snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", names[i].text);
		if (k < 0 || (size_t)k >= outlen - used)
			return;
		used += (size_t)k;
	}
}

/* Try every row of one table; returns 1 on a full match. */
static int lookup_in(struct req *r, const struct route *rows, const struct gw_module *mod,
		     unsigned want, struct route_match *m)
{
	const struct route *rt;
	for (rt = rows; rt && rt->pattern; rt++) {
		/* matched on the raw path, decoded segment by segment (the
		 * matcher decodes in place: a fresh copy per row) */
		char *copy = strdup(r->raw_path ? r->raw_path : r->path);
		if (!copy)
			abort();
		if (!route_pattern_match(rt->pattern, copy, NULL, REQ_MAX_ROUTE_ARGS)) {
			free(copy);
			continue;
		}
		if (!(rt->methods & want)) {
			m->allowed |= rt->methods;
			free(copy);
			continue;
		}
		strcpy(copy, r->raw_path ? r->raw_path : r->path);
		free(r->route_buf);
		r->route_buf = copy;
		memset(r->route_args, 0, sizeof r->route_args);
		route_pattern_match(rt->pattern, copy, r->route_args, REQ_MAX_ROUTE_ARGS);
		m->route = rt;
		m->module = mod;
		return 1;
	}
	return 0;
}

int route_lookup(struct req *r, struct route_match *m)
{
	const struct gw_module *const *mods;
	unsigned want = method_bit(r->method);

	memset(m, 0, sizeof *m);
	if (!r->path)
		return 0;
	/* an unknown method still finds the path, for the 405's Allow */
	if (lookup_in(r, platform_routes, NULL, want, m))
		return 1;
	for (mods = gw_modules(); *mods; mods++)
		if (lookup_in(r, (*mods)->routes, *mods, want, m))
			return 1;
	return 0;
}
