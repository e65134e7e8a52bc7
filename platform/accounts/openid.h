/* openid.h: the pure parts of an OpenID Authentication 2.0 relying party
 * (https://openid.net/specs/openid-authentication-2_0.html), as Steam's
 * sign-in uses it (steam.c): the request that sends the browser to the OP,
 * the checks of a positive assertion that need no network, the
 * check_authentication request body and the reading of its answer. No I/O
 * here: the unit tests (tests/unit/test_accounts.c) and the fuzz target
 * call them directly.
 *
 * Section numbers below are the spec's. Parameter values are the decoded
 * query values (req.h req_param). */
#ifndef GW_OPENID_H
#define GW_OPENID_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "platform/web/req.h"

#define OPENID_NS "http://specs.openid.net/auth/2.0"
#define OPENID_IDENTIFIER_SELECT "http://specs.openid.net/auth/2.0/identifier_select"
#define OPENID_NONCE_SKEW_MS (5 * 60 * 1000) /* a nonce older (or newer) than this is refused */
#define OPENID_NONCE_MAX 255                 /* §10.1: at most 255 characters */

/* The browser's way to the OP (§9.1, checkid_setup with identifier_select,
 * so the OP chooses the identifier): endpoint + '?' (or '&' when it has a
 * query already) + the openid.* arguments, each URL-encoded. Appended to
 * `out`. `realm` is the site's root URL (§9.2). */
void openid_auth_url(struct buf *out, const char *endpoint, const char *return_to,
		     const char *realm);

/* The value of parameter `key` among n params, or NULL; NULL also when the
 * key is there more than once (an assertion with two values for one field
 * is refused, not read either way). */
const char *openid_param(const struct req_param *params, int n, const char *key);

/* What a relying party expects of a positive assertion. */
struct openid_expect {
	const char *endpoint;  /* the OP endpoint URL trusted (configured, never from the assertion) */
	const char *return_to; /* exactly the openid.return_to sent */
	int64_t now_ms;        /* the current time */
};

/* Check a positive assertion without the network (§11): openid.ns is 2.0
 * (§4.1.2), openid.mode is id_res (§10.1; "cancel" and others are refused
 * with their own message), openid.op_endpoint is e->endpoint exactly (an
 * assertion from any other OP is refused before anything else is asked),
 * openid.return_to is e->return_to exactly (§11.1: so also the URL this
 * request came to, which carries the same state), openid.claimed_id and
 * openid.identity are present and equal, openid.response_nonce is a
 * §10.1 nonce whose time is within OPENID_NONCE_SKEW_MS of now, and
 * openid.signed lists op_endpoint, return_to, response_nonce, assoc_handle,
 * claimed_id and identity (§10.1), with openid.sig and openid.assoc_handle
 * present. On success returns 0 and points *claimed_id at the claimed
 * identifier (borrowed from params); else -1 with a one-line reason. The
 * signature itself is for the OP to check (openid_check_body). */
int openid_check_assertion(const struct req_param *params, int n, const struct openid_expect *e,
			   const char **claimed_id, char *err, size_t errlen);

/* The time at the start of a response nonce ("2005-05-15T17:11:51Z" then
 * up to 235 more printable ASCII characters, 33..126, §10.1): 0 and the
 * milliseconds, or -1 when malformed. */
int openid_nonce_time(const char *nonce, int64_t *ms);

/* The body of the direct verification request (§11.4.2.1): every openid.*
 * parameter of the assertion as received except openid.mode, then
 * openid.mode=check_authentication, form-encoded
 * (application/x-www-form-urlencoded). Appended to `out`. */
void openid_check_body(const struct req_param *params, int n, struct buf *out);

/* Read the OP's answer to check_authentication, in Key-Value Form (§4.1.1:
 * "key:value" lines, each ending in LF): 1 when it holds
 * ns:http://specs.openid.net/auth/2.0 and is_valid:true, 0 otherwise (false,
 * missing, malformed, or a key twice). `len` bytes of `body`. */
int openid_kv_is_valid(const char *body, size_t len);

/* Steam's claimed identifiers: "https://steamcommunity.com/openid/id/"
 * followed by exactly 17 digits, a SteamID64 of an individual account
 * (7656119...). Copies the digits into out[18] and returns 0, or returns -1
 * (any other host, scheme, path, length, or a trailing character). */
int openid_steam_id(const char *claimed_id, char out[18]);

#endif
