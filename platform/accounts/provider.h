/* provider.h: sign-in providers behind one interface. A provider sends
 * the browser away to be authenticated and, on its return to
 * /auth/<name>/callback, verifies what came back and says which account it
 * was: (provider, external id, public profile) as struct acct_profile.
 * web-auth.c does the rest the same way for every provider: the signed
 * state cookie that ties the callback to the browser that started it,
 * finding or creating the user, linking an identity to a signed-in user,
 * the session. Steam (OpenID 2.0, steam.c) is the platform's own; a
 * module may bring more through its descriptor (struct
 * gw_account_hooks.signin_providers), typically an OAuth 2.0 server whose
 * access tokens are JWTs built on oauth2.h. No table changes for a new one
 * (user_identities.provider is a name). */
#ifndef GW_PROVIDER_H
#define GW_PROVIDER_H

#include <stddef.h>

#include "buf.h"
#include "platform/accounts/accounts.h"

struct app;
struct req;

struct signin_provider {
	const char *name;   /* "steam": user_identities.provider and the URL /auth/<name> */
	const char *label;  /* "Steam" */
	/* Where to send the browser: appends the provider's URL to `location`
	 * for our callback `return_to` (absolute, with the state in its query)
	 * and the site's root `realm`. Returns 0, or -1 with a reason (not
	 * configured). */
	int (*begin)(struct app *app, const char *return_to, const char *realm,
		     struct buf *location, char *err, size_t errlen);
	/* On the callback: verify the answer in r's query for `return_to` and
	 * fill `out` (provider, external_id, profile). Returns 0, or an HTTP
	 * status with a one-line reason: 400 (refused: forged, replayed, from
	 * another endpoint, cancelled...), 502 (the provider could not be
	 * asked), 503 (the database could not be asked). */
	int (*finish)(struct app *app, struct req *r, const char *return_to,
		      struct acct_profile *out, char *err, size_t errlen);
	/* Is it set up (its client id in the environment...)? The sign-in and
	 * account pages offer only providers that are; /auth/<name> of one
	 * that is not answers why. NULL: always. */
	int (*configured)(void);
};

/* Steam through OpenID 2.0 (steam.c). */
extern const struct signin_provider signin_steam;

/* The provider named `name`, or NULL: the platform's, then those of the
 * enabled modules (struct gw_account_hooks.signin_providers). */
const struct signin_provider *signin_find(const char *name);

/* The i-th provider in that order (0-based), or NULL past the last: for
 * the sign-in and account pages. */
const struct signin_provider *signin_each(size_t i);

#endif
