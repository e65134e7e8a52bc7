/* web-auth.c: signing in and out (accounts.h, provider.h).
 *
 *   GET  /login                       the form: local name and password, and
 *                                     a button per sign-in provider
 *   POST /login                       local sign-in (rate-limited per
 *                                     address by the row, per account here)
 *   POST /logout                      sign out
 *   GET  /auth/{provider}             start a provider's sign-in
 *   GET  /auth/{provider}/callback    its answer
 *   POST /account/link/{provider}     start linking another identity to the
 *                                     signed-in account
 *
 * The state cookie gw_signin ties a provider's answer to the browser that
 * started the sign-in (login CSRF): "<state>.<purpose>.<user id>.<expiry
 * s>.<hmac>", where state is 128 random bits that also travel in the
 * return_to URL, purpose "l" (sign in) or "k" (link to user id), and the
 * HMAC-SHA-256 under SECRET_KEY covers the provider and everything before
 * it. It lives ten minutes, on /auth/ only, and is cleared on the
 * callback whatever the outcome. */
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "log.h"
#include "platform/accounts/accounts.h"
#include "platform/accounts/password.h"
#include "platform/accounts/provider.h"
#include "platform/accounts/web.h"
#include "platform/web/app.h"
#include "platform/web/guard.h"
#include "platform/web/req.h"
#include "sha256.h"
#include "timeutil.h"

#define SIGNIN_COOKIE "gw_signin"
#define SIGNIN_TTL_S 600

/* ---- shared page helpers ---------------------------------------------------- */

void acct_render(struct app *app, struct req *r, int status, const char *page,
		 struct json_object *ctx)
{
	const char *tok = guard_csrf_token(app, r); /* loads r->auth too */
	json_object_object_add(ctx, "csrf_token", json_object_new_string(tok));
	if (r->auth.user_id) {
		struct json_object *me = json_object_new_object();
		json_object_object_add(me, "id", json_object_new_int64(r->auth.user_id));
		json_object_object_add(me, "name", json_object_new_string(r->auth.name));
		json_object_object_add(me, "role", json_object_new_string(acct_role_name(r->auth.role)));
		json_object_object_add(me, "is_curator", json_object_new_boolean(r->auth.role >= ROLE_CURATOR));
		json_object_object_add(me, "is_admin", json_object_new_boolean(r->auth.role >= ROLE_ADMIN));
		json_object_object_add(ctx, "me", me);
	}
	app_render_page(app, r, status, page, ctx);
}

const char *acct_field(const struct req *r, const char *name)
{
	const struct req_field *f = req_field(r, name);
	if (f)
		return f->value;
	if (r->json && json_object_is_type(r->json, json_type_object)) {
		struct json_object *v;
		if (json_object_object_get_ex(r->json, name, &v) && json_object_is_type(v, json_type_string))
			return json_object_get_string(v);
	}
	return NULL;
}

void acct_see_other(struct req *r, const char *path)
{
	req_redirect(r, 303, path);
}

int64_t acct_arg_id(const struct req *r, int i)
{
	const char *s = r->route_args[i];
	char *end;
	long long v;
	if (!s || !*s || *s == '+' || *s == '-' || strlen(s) > 18)
		return -1;
	v = strtoll(s, &end, 10);
	return *end || v <= 0 ? -1 : (int64_t)v;
}

/* The site's absolute root without a trailing '/', or NULL when
 * APP_BASE_URL is not an http(s) URL. */
static const char *site_base(struct app *app, struct buf *out)
{
	const char *b = app->cfg.app_base_url;
	if (!b || (strncmp(b, "https://", 8) && strncmp(b, "http://", 7)))
		return NULL;
	buf_addstr(out, b);
	while (out->len && out->data[out->len - 1] == '/')
		buf_truncate(out, out->len - 1);
	return out->data;
}

/* ---- /login ---------------------------------------------------------------- */

static void login_page(struct app *app, struct req *r, int status, const char *error,
		       const char *name, const char *next)
{
	struct json_object *ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string("Sign in"));
	if (error)
		json_object_object_add(ctx, "error", json_object_new_string(error));
	json_object_object_add(ctx, "name", json_object_new_string(name ? name : ""));
	json_object_object_add(ctx, "next", json_object_new_string(next && acct_safe_next(next) ? next : ""));
	{
		struct json_object *list = json_object_new_array();
		const struct signin_provider *p;
		size_t i;
		for (i = 0; (p = signin_each(i)); i++) {
			struct json_object *o;
			struct buf href = BUF_INIT;
			if (p->configured && !p->configured())
				continue;
			o = json_object_new_object();
			buf_addf(&href, "/auth/%s", p->name);
			json_object_object_add(o, "name", json_object_new_string(p->name));
			json_object_object_add(o, "label", json_object_new_string(p->label));
			json_object_object_add(o, "href", json_object_new_string(href.data));
			json_object_array_add(list, o);
			buf_release(&href);
		}
		json_object_object_add(ctx, "providers", list);
	}
	acct_render(app, r, status, "login", ctx);
	json_object_put(ctx);
}

void page_login(struct app *app, struct req *r)
{
	login_page(app, r, 200, NULL, NULL, req_param(r, "next"));
}

void form_login(struct app *app, struct req *r)
{
	const char *name = acct_field(r, "name"), *pw = acct_field(r, "password");
	const char *next = acct_field(r, "next");
	char key[ACCT_NAME_MAX + 1], hex[SHA256_HEX_LEN];
	struct buf bucket = BUF_INIT, hash = BUF_INIT;
	int64_t uid = 0;
	bool banned = false;
	int retry, found, ok;

	if (!name || !pw || !acct_name_ok(name) || !*pw || strlen(pw) > PW_MAX_LEN) {
		login_page(app, r, 400, "Enter your name and password.", name && acct_name_ok(name) ? name : "", next);
		return;
	}
	/* per account, whatever the address (the row limits per address) */
	acct_login_key(name, key, sizeof key);
	sha256_hex(key, strlen(key), hex);
	buf_addf(&bucket, "gw:rate:login-account:%.32s", hex);
	if (guard_rate_take(app, bucket.data, &app->guard.login_account, &retry) == 429) {
		char v[16], msg[160];
		buf_release(&bucket);
		snprintf(v, sizeof v, "%d", retry);
		req_header(r, "Retry-After", v);
		snprintf(msg, sizeof msg, "Too many sign-in attempts for this account; try again in %d s.",
			 retry);
		login_page(app, r, 429, msg, name, next);
		return;
	}
	buf_release(&bucket);
	found = acct_local_lookup(&app->db, name, &uid, &hash, &banned);
	if (found < 0) {
		buf_release(&hash);
		app_error(app, r, 503, "database unavailable", "The sign-in could not be checked.");
		return;
	}
	if (!found) {
		pw_verify_dummy(pw);
		ok = 0;
	} else {
		ok = pw_verify(hash.data, pw) == 1;
	}
	if (!ok) {
		buf_release(&hash);
		log_info("local sign-in refused for \"%s\"", key);
		login_page(app, r, 401, "Wrong name or password.", name, next);
		return;
	}
	if (banned) {
		buf_release(&hash);
		login_page(app, r, 403, "This account is banned.", name, next);
		return;
	}
	if (pw_needs_rehash(hash.data)) {
		char fresh[PW_ENCODED_MAX];
		if (pw_hash(pw, fresh, sizeof fresh) == 0)
			acct_set_password(&app->db, uid, fresh);
	}
	buf_release(&hash);
	if (acct_sign_in(app, r, uid, "local") < 0) {
		app_error(app, r, 503, "database unavailable", "The session could not be stored.");
		return;
	}
	acct_see_other(r, next && acct_safe_next(next) ? next : "/account");
}

void form_logout(struct app *app, struct req *r)
{
	acct_sign_out(app, r);
	acct_see_other(r, "/");
}

/* ---- the state cookie --------------------------------------------------------- */

static void state_mac(struct app *app, const char *provider, const char *body, char out[65])
{
	unsigned char mac[SHA256_LEN];
	struct buf msg = BUF_INIT;
	static const char label[] = "gw-signin";
	buf_add(&msg, label, sizeof label);
	buf_addstr(&msg, provider);
	buf_addch(&msg, '\0');
	buf_addstr(&msg, body);
	hmac_sha256(app->guard.secret, strlen(app->guard.secret), msg.data, msg.len, mac);
	hex_encode(mac, SHA256_LEN, out);
	buf_release(&msg);
}

static void state_cookie_set(struct app *app, struct req *r, const char *value, long max_age)
{
	struct buf sc = BUF_INIT;
	buf_addf(&sc, "%s=%s; Path=/auth/; Max-Age=%ld; HttpOnly; SameSite=Lax%s", SIGNIN_COOKIE,
		 value, max_age, app->guard.secure_cookie ? "; Secure" : "");
	req_header(r, "Set-Cookie", sc.data);
	buf_release(&sc);
}

/* Start provider p: state cookie and a 303 to the provider. */
static void begin(struct app *app, struct req *r, const struct signin_provider *p, char purpose,
		  int64_t user_id)
{
	unsigned char rnd[16];
	char state[33], mac[65], err[200];
	struct buf base = BUF_INIT, body = BUF_INIT, cookie = BUF_INIT, rt = BUF_INIT,
		   realm = BUF_INIT, loc = BUF_INIT;

	if (!site_base(app, &base)) {
		app_error(app, r, 500, "sign-in not configured",
			  "APP_BASE_URL must be the site's public http(s) address for sign-in providers.");
		goto out;
	}
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		abort();
	hex_encode(rnd, sizeof rnd, state);
	buf_addf(&rt, "%s/auth/%s/callback?state=%s", base.data, p->name, state);
	buf_addf(&realm, "%s/", base.data);
	if (p->begin(app, rt.data, realm.data, &loc, err, sizeof err) < 0) {
		app_error(app, r, 500, "sign-in not configured", err);
		goto out;
	}
	buf_addf(&body, "%s.%c.%" PRId64 ".%" PRId64, state, purpose, user_id,
		 time_now_ms() / 1000 + SIGNIN_TTL_S);
	state_mac(app, p->name, body.data, mac);
	buf_addf(&cookie, "%s.%s", body.data, mac);
	state_cookie_set(app, r, cookie.data, SIGNIN_TTL_S);
	req_redirect(r, 303, loc.data);
out:
	buf_release(&base);
	buf_release(&body);
	buf_release(&cookie);
	buf_release(&rt);
	buf_release(&realm);
	buf_release(&loc);
}

void page_auth_begin(struct app *app, struct req *r)
{
	const struct signin_provider *p = signin_find(r->route_args[0]);
	if (!p) {
		app_error(app, r, 404, "not found", "There is no such sign-in provider.");
		return;
	}
	begin(app, r, p, 'l', 0);
}

void form_account_link(struct app *app, struct req *r)
{
	const struct signin_provider *p = signin_find(r->route_args[0]);
	if (!p) {
		app_error(app, r, 404, "not found", "There is no such sign-in provider.");
		return;
	}
	begin(app, r, p, 'k', r->auth.user_id);
}

/* Check the state cookie against the callback's state parameter. Returns 0
 * with *purpose and *user_id, or -1. */
static int state_check(struct app *app, struct req *r, const struct signin_provider *p,
		       const char *state, char *purpose, int64_t *user_id)
{
	const char *c = req_cookie(r, SIGNIN_COOKIE);
	char body[128], mac[65];
	const char *dot;
	size_t bl;
	char pur;
	long long uid, exp;
	int k;

	if (!c || !state || strlen(state) != 32)
		return -1;
	dot = strrchr(c, '.');
	if (!dot || strlen(dot + 1) != 64 || (bl = (size_t)(dot - c)) >= sizeof body)
		return -1;
	memcpy(body, c, bl);
	body[bl] = '\0';
	state_mac(app, p->name, body, mac);
	if (CRYPTO_memcmp(mac, dot + 1, 64))
		return -1;
	if (strncmp(body, state, 32) || body[32] != '.')
		return -1;
	if (sscanf(body + 33, "%c.%lld.%lld%n", &pur, &uid, &exp, &k) != 3 || body[33 + k])
		return -1;
	if ((pur != 'l' && pur != 'k') || exp < time_now_ms() / 1000)
		return -1;
	*purpose = pur;
	*user_id = uid;
	return 0;
}

void page_auth_callback(struct app *app, struct req *r)
{
	const struct signin_provider *p = signin_find(r->route_args[0]);
	const char *state = req_param(r, "state");
	struct buf base = BUF_INIT, rt = BUF_INIT;
	struct acct_profile prof;
	char err[300], purpose;
	int64_t want_uid, uid = 0;
	bool banned = false;
	int st, found;

	if (!p) {
		app_error(app, r, 404, "not found", "There is no such sign-in provider.");
		return;
	}
	state_cookie_set(app, r, "", 0);
	if (state_check(app, r, p, state, &purpose, &want_uid) < 0) {
		app_error(app, r, 400, "sign-in refused",
			  "This answer does not belong to a sign-in started from this browser in the last"
			  " ten minutes. Start again from the sign-in page.");
		return;
	}
	if (!site_base(app, &base)) {
		app_error(app, r, 500, "sign-in not configured", "APP_BASE_URL is not set.");
		return;
	}
	buf_addf(&rt, "%s/auth/%s/callback?state=%s", base.data, p->name, state);
	buf_release(&base);
	st = p->finish(app, r, rt.data, &prof, err, sizeof err);
	buf_release(&rt);
	if (st) {
		log_warn("%s sign-in refused: %s", p->name, err);
		app_error(app, r, st, st == 400 ? "sign-in refused" : st == 502 ? "sign-in provider unavailable"
			  : "database unavailable", err);
		return;
	}
	if (purpose == 'k') {
		int rc;
		if (acct_current(app, r) < 0 || !r->auth.user_id || r->auth.user_id != want_uid) {
			app_error(app, r, 400, "link refused",
				  "Sign in to the account to link this identity to, then start again.");
			return;
		}
		rc = acct_identity_link(&app->db, r->auth.user_id, &prof);
		if (rc == -1) {
			app_error(app, r, 503, "database unavailable", "The identity could not be linked.");
			return;
		}
		if (rc == -2) {
			app_error(app, r, 409, "identity in use",
				  "This account is linked to another GameWatch account already.");
			return;
		}
		acct_identity_touch(&app->db, r->auth.user_id, &prof);
		acct_see_other(r, "/account");
		return;
	}
	found = acct_identity_user(&app->db, prof.provider, prof.external_id, &uid, &banned);
	if (found < 0) {
		app_error(app, r, 503, "database unavailable", "The account could not be looked up.");
		return;
	}
	if (found && banned) {
		app_error(app, r, 403, "account banned", "This account is banned.");
		return;
	}
	if (!found) {
		uid = acct_user_create(&app->db, &prof, "user", NULL);
		if (uid == -2) /* created by a parallel callback meanwhile */
			found = acct_identity_user(&app->db, prof.provider, prof.external_id, &uid, &banned);
		if (uid < 0 && found <= 0) {
			app_error(app, r, 503, "database unavailable", "The account could not be created.");
			return;
		}
	}
	acct_identity_touch(&app->db, uid, &prof);
	if (acct_sign_in(app, r, uid, prof.provider) < 0) {
		app_error(app, r, 503, "database unavailable", "The session could not be stored.");
		return;
	}
	acct_see_other(r, "/account");
}
