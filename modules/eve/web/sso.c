/* sso.c: EVE SSO, the eve module's sign-in provider "eve": OAuth 2.0
 * authorization code with PKCE against login.eveonline.com, whose access
 * token is a JWT (platform/accounts/oauth2.h does the flow; this file is
 * EVE's settings). Each character signs in, or is linked to the signed-in
 * account, as an identity (provider "eve", external id the character id);
 * an account may hold several.
 *
 * What EVE's SSO documents (developers.eveonline.com, "Validating JWT
 * tokens"): metadata at /.well-known/oauth-authorization-server; RS256
 * tokens; iss "login.eveonline.com" or "https://login.eveonline.com"; aud
 * holding the client id and "EVE Online"; sub "CHARACTER:EVE:<id>"; the
 * character's name in "name".
 *
 * Environment: EVE_SSO_URL (default https://login.eveonline.com; the tests
 * point it at a fake issuer on loopback), EVE_SSO_CLIENT_ID and
 * EVE_SSO_CLIENT_SECRET (the application registered at
 * developers.eveonline.com, its callback URL <APP_BASE_URL>/auth/eve/
 * callback), EVE_SSO_SCOPE (default publicData; empty: no scope). */
#include <stdlib.h>

#include "modules/eve/module.h"
#include "platform/accounts/oauth2.h"
#include "platform/accounts/provider.h"

static const struct oauth2_config eve_sso_default = {
	.name = "eve",
	.base_env = "EVE_SSO_URL",
	.base_default = "https://login.eveonline.com",
	.client_id_env = "EVE_SSO_CLIENT_ID",
	.client_secret_env = "EVE_SSO_CLIENT_SECRET",
	.scope = "publicData",
	.audience = "EVE Online",
	.subject_prefix = "CHARACTER:EVE:",
	.name_claim = "name",
	.profile_url_fmt = "https://evewho.com/character/%s",
	.avatar_url_fmt = "https://images.evetech.net/characters/%s/portrait?size=128",
};

/* The settings with EVE_SSO_SCOPE applied. */
static const struct oauth2_config *eve_sso(void)
{
	static struct oauth2_config c;
	static int ready;
	if (!ready) {
		const char *scope = getenv("EVE_SSO_SCOPE");
		c = eve_sso_default;
		if (scope)
			c.scope = *scope ? scope : NULL;
		ready = 1;
	}
	return &c;
}

static int eve_begin(struct app *app, const char *return_to, const char *realm,
		     struct buf *location, char *err, size_t errlen)
{
	return oauth2_begin(eve_sso(), app, return_to, realm, location, err, errlen);
}

static int eve_finish(struct app *app, struct req *r, const char *return_to,
		      struct acct_profile *out, char *err, size_t errlen)
{
	return oauth2_finish(eve_sso(), app, r, return_to, out, err, errlen);
}

static int eve_configured(void)
{
	return oauth2_configured(eve_sso());
}

static const struct signin_provider signin_eve = {
	.name = "eve",
	.label = "EVE Online",
	.begin = eve_begin,
	.finish = eve_finish,
	.configured = eve_configured,
};

const struct signin_provider *const eve_signin_providers[] = { &signin_eve, NULL };
