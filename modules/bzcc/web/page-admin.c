/* page-admin.c: BZCC's admin pages (ROLE_ADMIN rows in module.c, listed on
 * /admin/ through accounts.admin_nav):
 *
 *   /bzcc/admin/lobby      lobby tester: fetch RAKNET_URL now and show the
 *                          raw answer, redacted, beside its decoded form
 *   /bzcc/admin/sessions   sessions with filters (state, map, mod, name,
 *                          live only) and paging
 *   /bzcc/admin/snapshots  snapshots with filters (session, time window)
 *                          and paging
 *
 * Redaction of the raw lobby: credentials in the URL (userinfo, and query
 * values of key/token/secret/password-like names) and IPv4 addresses in the
 * body become "***"; nothing else of a public lobby list is private. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "http.h"
#include "modules/bzcc/domain/bzcc.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-accounts.h"
#include "platform/accounts/accounts.h"
#include "platform/accounts/web.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "timeutil.h"

#define RAW_SHOW_MAX (256 * 1024) /* bytes of the raw answer shown */
#define PAGE_ROWS 50

/* The URL with its userinfo and credential-like query values masked. */
static void redact_url(const char *url, struct buf *out)
{
	const char *p = strstr(url, "://"), *q;
	if (p) {
		const char *auth = p + 3, *end = auth + strcspn(auth, "/?#"), *at;
		at = memchr(auth, '@', (size_t)(end - auth));
		buf_add(out, url, (size_t)(auth - url));
		if (at) {
			buf_addstr(out, "***@");
			auth = at + 1;
		}
		url = auth;
	}
	q = strchr(url, '?');
	if (!q) {
		buf_addstr(out, url);
		return;
	}
	buf_add(out, url, (size_t)(q - url) + 1);
	q++;
	while (*q) {
		size_t k = strcspn(q, "&;#"), nk = strcspn(q, "=");
		static const char *const secret[] = { "key", "token", "secret", "pass", "auth", "sig", "cred" };
		size_t i;
		bool mask = false;
		if (nk > k)
			nk = k;
		for (i = 0; i < sizeof secret / sizeof secret[0]; i++) {
			size_t j, sl = strlen(secret[i]);
			for (j = 0; j + sl <= nk; j++)
				if (!strncasecmp(q + j, secret[i], sl))
					mask = true;
		}
		if (mask && nk < k) {
			buf_add(out, q, nk + 1);
			buf_addstr(out, "***");
		} else {
			buf_add(out, q, k);
		}
		q += k;
		if (*q == '#') {
			buf_addstr(out, q);
			break;
		}
		if (*q)
			buf_addch(out, *q++);
	}
}

/* Copy `len` bytes with every dotted IPv4 address replaced by "***". */
static void redact_ips(const char *s, size_t len, struct buf *out)
{
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		int parts = 0;
		if (isdigit((unsigned char)s[i]) && (i == 0 || !isalnum((unsigned char)s[i - 1]))) {
			for (;;) {
				size_t d = 0;
				while (j < len && isdigit((unsigned char)s[j]) && d < 4) {
					j++;
					d++;
				}
				if (d == 0 || d > 3)
					break;
				parts++;
				if (parts == 4 || j >= len || s[j] != '.' || j + 1 >= len ||
				    !isdigit((unsigned char)s[j + 1]))
					break;
				j++;
			}
			if (parts == 4 && (j >= len || !isalnum((unsigned char)s[j]))) {
				buf_addstr(out, "***");
				i = j;
				continue;
			}
		}
		buf_addch(out, s[i++]);
	}
}

void page_admin_lobby(struct app *app, struct req *r)
{
	struct json_object *ctx = json_object_new_object();
	struct http_options opt = { 2000, 4000, BZCC_MAX_DOCUMENT_BYTES, NULL };
	struct http_response res;
	struct buf url = BUF_INIT, raw = BUF_INIT;
	const char *src = app->cfg.raknet_url;
	int64_t t0 = time_mono_ms();
	static int curl_ready;

	redact_url(src, &url);
	json_object_object_add(ctx, "title", json_object_new_string("Lobby tester"));
	json_object_object_add(ctx, "source_url", json_object_new_string(url.data));
	if (!curl_ready && http_global_init() == 0)
		curl_ready = 1;
	memset(&res, 0, sizeof res);
	if (http_get(src, &opt, &res) < 0) {
		json_object_object_add(ctx, "fetch_error", json_object_new_string(res.error));
	} else {
		struct bzcc_lobby lobby;
		char err[256];
		json_object_object_add(ctx, "status", json_object_new_int((int)res.status));
		json_object_object_add(ctx, "bytes", json_object_new_int64((int64_t)res.body.len));
		json_object_object_add(ctx, "content_type", json_object_new_string(res.content_type));
		redact_ips(res.body.data, res.body.len < RAW_SHOW_MAX ? res.body.len : RAW_SHOW_MAX, &raw);
		json_object_object_add(ctx, "raw", json_object_new_string_len(raw.data, (int)raw.len));
		json_object_object_add(ctx, "truncated", json_object_new_boolean(res.body.len > RAW_SHOW_MAX));
		memset(&lobby, 0, sizeof lobby);
		if (bzcc_lobby_decode(res.body.data, res.body.len, &lobby, err, sizeof err) < 0) {
			json_object_object_add(ctx, "decode_error", json_object_new_string(err));
		} else {
			struct json_object *arr = json_object_new_array();
			size_t i;
			struct buf dec = BUF_INIT;
			const char *text;
			for (i = 0; i < lobby.n_sessions; i++)
				json_object_array_add(arr, bzcc_session_to_json(&lobby.sessions[i]));
			text = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_NOSLASHESCAPE);
			redact_ips(text, strlen(text), &dec);
			json_object_object_add(ctx, "decoded", json_object_new_string_len(dec.data, (int)dec.len));
			json_object_object_add(ctx, "sessions", json_object_new_int((int)lobby.n_sessions));
			json_object_object_add(ctx, "skipped", json_object_new_int((int)lobby.skipped));
			json_object_object_add(ctx, "kind", json_object_new_string(
				lobby.kind == BZCC_KIND_MSL_V1 ? "msl-v1" : "raknet"));
			buf_release(&dec);
			json_object_put(arr);
			bzcc_lobby_free(&lobby);
		}
	}
	json_object_object_add(ctx, "elapsed_ms", json_object_new_int64(time_mono_ms() - t0));
	http_response_release(&res);
	acct_render(app, r, 200, "bzcc-admin-lobby", ctx);
	json_object_put(ctx);
	buf_release(&url);
	buf_release(&raw);
}

/* A query parameter that is absent or empty: NULL. */
static const char *param(const struct req *r, const char *k)
{
	const char *v = req_param(r, k);
	return v && *v ? v : NULL;
}

static int page_number(const struct req *r, long *page)
{
	const char *v = param(r, "page");
	char *end;
	*page = 1;
	if (!v)
		return 0;
	*page = strtol(v, &end, 10);
	return *end || *page < 1 || *page > 10000 ? -1 : 0;
}

/* The current query with page=N instead, into out. */
static void page_link(const struct req *r, const char *path, long page, struct buf *out)
{
	int i;
	buf_addf(out, "%s?page=%ld", path, page);
	for (i = 0; i < r->n_params; i++) {
		if (!strcmp(r->params[i].key, "page") || !*r->params[i].value)
			continue;
		buf_addch(out, '&');
		url_arg(out, r->params[i].key);
		buf_addch(out, '=');
		url_arg(out, r->params[i].value);
	}
}

void page_admin_sessions(struct app *app, struct req *r)
{
	const char *state = param(r, "state"), *map = param(r, "map"), *mod = param(r, "mod"),
		   *q = param(r, "q");
	bool live = param(r, "live") && !strcmp(param(r, "live"), "1");
	struct json_object *doc, *ctx, *v;
	long page;

	if (page_number(r, &page) < 0 ||
	    (state && strcmp(state, "pre_game") && strcmp(state, "in_game") && strcmp(state, "post_game") &&
	     strcmp(state, "unknown")) ||
	    (map && !acct_text_ok(map, 200)) || (mod && !acct_text_ok(mod, 100)) ||
	    (q && !acct_text_ok(q, 100))) {
		app_error(app, r, 400, "bad request",
			  "state is pre_game, in_game, post_game or unknown; map, mod and q are short text; page a number from 1.");
		return;
	}
	doc = bzcc_admin_sessions(&app->db, state, map, mod, q, live, (int)(page - 1) * PAGE_ROWS, PAGE_ROWS);
	if (!doc) {
		app_error(app, r, 503, "database unavailable", "Try again in a moment.");
		return;
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string("BZCC sessions"));
	json_object_object_add(ctx, "f_state", json_object_new_string(state ? state : ""));
	json_object_object_add(ctx, "f_map", json_object_new_string(map ? map : ""));
	json_object_object_add(ctx, "f_mod", json_object_new_string(mod ? mod : ""));
	json_object_object_add(ctx, "f_q", json_object_new_string(q ? q : ""));
	json_object_object_add(ctx, "f_live", json_object_new_boolean(live));
	json_object_object_add(ctx, "page", json_object_new_int((int)page));
	if (json_object_object_get_ex(doc, "total", &v) && json_object_get_int64(v) > page * PAGE_ROWS) {
		struct buf u = BUF_INIT;
		page_link(r, "/bzcc/admin/sessions", page + 1, &u);
		json_object_object_add(ctx, "next_url", json_object_new_string(u.data));
		buf_release(&u);
	}
	if (page > 1) {
		struct buf u = BUF_INIT;
		page_link(r, "/bzcc/admin/sessions", page - 1, &u);
		json_object_object_add(ctx, "prev_url", json_object_new_string(u.data));
		buf_release(&u);
	}
	json_object_object_add(ctx, "result", doc);
	acct_render(app, r, 200, "bzcc-admin-sessions", ctx);
	json_object_put(ctx);
}

void page_admin_snapshots(struct app *app, struct req *r)
{
	const char *sid = param(r, "session"), *from = param(r, "from"), *to = param(r, "to");
	int64_t from_ms = 0, to_ms = 0;
	struct json_object *doc, *ctx, *v;
	long page;

	if (page_number(r, &page) < 0 || (sid && !acct_text_ok(sid, 200)) ||
	    (from && time_parse_iso8601(from, &from_ms) < 0) || (to && time_parse_iso8601(to, &to_ms) < 0)) {
		app_error(app, r, 400, "bad request",
			  "from and to are RFC 3339 times (2024-09-14 or 2024-09-14T12:00:00Z), session an id, page a number from 1.");
		return;
	}
	doc = bzcc_admin_snapshots(&app->db, sid, from_ms, to_ms, (int)(page - 1) * PAGE_ROWS, PAGE_ROWS);
	if (!doc) {
		app_error(app, r, 503, "database unavailable", "Try again in a moment.");
		return;
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string("BZCC snapshots"));
	json_object_object_add(ctx, "f_session", json_object_new_string(sid ? sid : ""));
	json_object_object_add(ctx, "f_from", json_object_new_string(from ? from : ""));
	json_object_object_add(ctx, "f_to", json_object_new_string(to ? to : ""));
	json_object_object_add(ctx, "page", json_object_new_int((int)page));
	if (json_object_object_get_ex(doc, "more", &v) && json_object_get_boolean(v)) {
		struct buf u = BUF_INIT;
		page_link(r, "/bzcc/admin/snapshots", page + 1, &u);
		json_object_object_add(ctx, "next_url", json_object_new_string(u.data));
		buf_release(&u);
	}
	if (page > 1) {
		struct buf u = BUF_INIT;
		page_link(r, "/bzcc/admin/snapshots", page - 1, &u);
		json_object_object_add(ctx, "prev_url", json_object_new_string(u.data));
		buf_release(&u);
	}
	json_object_object_add(ctx, "result", doc);
	acct_render(app, r, 200, "bzcc-admin-snapshots", ctx);
	json_object_put(ctx);
}
