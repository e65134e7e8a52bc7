/* steam.c: sign-in through Steam, an OpenID 2.0 provider (provider.h,
 * openid.h). Steam answers only with the identifier
 * https://steamcommunity.com/openid/id/<SteamID64>; the display name comes
 * from what GameWatch already knows of that account (its Steam profile
 * fetched by enrichment, else the name last seen in a game).
 *
 * STEAM_OPENID_URL: the OP endpoint (default
 * https://steamcommunity.com/openid/login). Only assertions whose
 * openid.op_endpoint is exactly this URL are read, and the direct
 * verification (check_authentication) goes to it, never to a URL taken
 * from the assertion; the tests point it at a fake provider on loopback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "platform/accounts/openid.h"
#include "platform/accounts/provider.h"
#include "platform/module.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "timeutil.h"

#define STEAM_OPENID_DEFAULT "https://steamcommunity.com/openid/login"

static const char *steam_endpoint(void)
{
	const char *v = getenv("STEAM_OPENID_URL");
	return v && *v ? v : STEAM_OPENID_DEFAULT;
}

static int steam_begin(struct app *app, const char *return_to, const char *realm,
		       struct buf *location, char *err, size_t errlen)
{
	const char *ep = steam_endpoint();
	(void)app;
	if (strncmp(ep, "https://", 8) && strncmp(ep, "http://", 7)) {
		snprintf(err, errlen, "STEAM_OPENID_URL is not an http(s) URL");
		return -1;
	}
	openid_auth_url(location, ep, return_to, realm);
	return 0;
}

/* Ask the OP whether it made this assertion (§11.4.2). 1 yes, 0 no, -1 the
 * OP could not be asked. */
static int check_authentication(const char *endpoint, const struct req *r, char *err,
				size_t errlen)
{
	static int curl_ready;
	static const char *const headers[] = { "Content-Type: application/x-www-form-urlencoded",
					       "Accept: text/plain", NULL };
	struct http_options opt = { 2000, 4000, 64 * 1024, NULL };
	struct http_response res;
	struct buf body = BUF_INIT;
	int ret;

	if (!curl_ready) {
		if (http_global_init() < 0) {
			snprintf(err, errlen, "libcurl could not start");
			return -1;
		}
		curl_ready = 1;
	}
	openid_check_body(r->params, r->n_params, &body);
	memset(&res, 0, sizeof res);
	if (http_send("POST", endpoint, headers, body.data, body.len, &opt, &res) < 0) {
		snprintf(err, errlen, "the Steam sign-in service could not be asked: %s", res.error);
		ret = -1;
	} else if (res.status != 200) {
		snprintf(err, errlen, "the Steam sign-in service answered HTTP %ld", res.status);
		ret = -1;
	} else {
		ret = openid_kv_is_valid(res.body.data, res.body.len);
		if (!ret)
			snprintf(err, errlen, "Steam did not confirm this sign-in (forged or altered answer)");
	}
	http_response_release(&res);
	buf_release(&body);
	return ret;
}

static int steam_finish(struct app *app, struct req *r, const char *return_to,
			struct acct_profile *out, char *err, size_t errlen)
{
	const char *ep = steam_endpoint();
	struct openid_expect e = { ep, return_to, time_now_ms() };
	const char *claimed, *nonce;
	char sid[18];
	int rc;

	if (openid_check_assertion(r->params, r->n_params, &e, &claimed, err, errlen) < 0)
		return 400;
	if (openid_steam_id(claimed, sid) < 0) {
		snprintf(err, errlen, "the claimed identifier is not a Steam account");
		return 400;
	}
	rc = check_authentication(ep, r, err, errlen);
	if (rc < 0)
		return 502;
	if (rc == 0)
		return 400;
	/* the OP vouched for it; now it is used up (§11.3) */
	nonce = openid_param(r->params, r->n_params, "openid.response_nonce");
	rc = acct_nonce_take(&app->db, ep, nonce);
	if (rc < 0) {
		snprintf(err, errlen, "the sign-in could not be recorded (database unavailable)");
		return 503;
	}
	if (rc == 0) {
		snprintf(err, errlen, "this Steam answer was used before (replayed): sign in again");
		return 400;
	}
	memset(out, 0, sizeof *out);
	snprintf(out->provider, sizeof out->provider, "steam");
	snprintf(out->external_id, sizeof out->external_id, "%s", sid);
	snprintf(out->profile_url, sizeof out->profile_url, "https://steamcommunity.com/profiles/%s",
		 sid);
	if (acct_known_name(&app->db, "steam", sid, out->name, sizeof out->name) <= 0)
		snprintf(out->name, sizeof out->name, "Steam user %s", sid + 12);
	log_info("steam sign-in verified for %s", sid);
	return 0;
}

const struct signin_provider signin_steam = {
	.name = "steam",
	.label = "Steam",
	.begin = steam_begin,
	.finish = steam_finish,
};

static const struct signin_provider *const signin_providers[] = { &signin_steam, NULL };

const struct signin_provider *signin_each(size_t i)
{
	const struct gw_module *const *m;
	size_t k;
	for (k = 0; signin_providers[k]; k++)
		if (k == i)
			return signin_providers[k];
	i -= k;
	for (m = gw_modules(); *m; m++) {
		const struct signin_provider *const *p = (*m)->accounts.signin_providers;
		for (k = 0; p && p[k]; k++)
			if (i-- == 0)
				return p[k];
	}
	return NULL;
}

const struct signin_provider *signin_find(const char *name)
{
	const struct signin_provider *p;
	size_t i;
	for (i = 0; name && (p = signin_each(i)); i++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}
