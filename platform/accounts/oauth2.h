/* oauth2.h: a sign-in provider (provider.h) for an OAuth 2.0 authorization
 * server whose access tokens are signed JWTs. A module that brings such a
 * provider fills a struct oauth2_config and writes two one-line wrappers
 * for begin and finish (docs/accounts.md, "OAuth 2.0 providers").
 *
 * The flow, per browser sign-in:
 *   1. begin: the server's metadata (RFC 8414, <base>/.well-known/
 *      oauth-authorization-server; cached an hour per process) names the
 *      authorization endpoint. The browser is sent there with
 *      response_type=code, client_id, redirect_uri (<site>/auth/<name>/
 *      callback, exactly as registered with the server), scope, the state
 *      of web-auth.c (bound to this browser by the signed gw_signin cookie)
 *      and the PKCE challenge (RFC 7636 §4.2, S256). The verifier is not
 *      stored anywhere: it is derived from the state under SECRET_KEY
 *      (oauth2_pkce_verifier), so only this site, in the sign-in that this
 *      browser started, can present it.
 *   2. finish: the callback's `code` (an `error` answer is refused with its
 *      reason) goes to the token endpoint (RFC 6749 §4.1.3: a form POST of
 *      grant_type, code, redirect_uri and code_verifier; the client
 *      authenticates with HTTP Basic when a secret is configured, else
 *      sends client_id in the body). A 4xx answer (a wrong verifier, a code
 *      used before or expired) is a refusal.
 *   3. The access token is verified (jose.h): RS256 only, with the key its
 *      header names from the server's JWK set (jwks_uri of the metadata,
 *      cached an hour; fetched again when a token names an unknown key, at
 *      most once a minute), then its claims: iss, aud (the client id and
 *      the configured audience), azp, exp, nbf and the subject, whose
 *      digits are the external id of the identity.
 *
 * Every URL of the metadata must have the configured base's scheme, host
 * and port, so that a wrong document cannot send this server's requests
 * (with the client secret) anywhere else. Outside documents are bounded
 * (JOSE_JSON_MAX) and fetched with 2 s connect / 5 s total timeouts,
 * without following redirects. Tokens and secrets are never logged. */
#ifndef GW_OAUTH2_H
#define GW_OAUTH2_H

#include <json-c/json.h>
#include <stddef.h>

#include "buf.h"
#include "platform/accounts/accounts.h"

struct app;
struct req;

#define OAUTH2_PKCE_LEN 43 /* base64url of 32 bytes, RFC 7636 §4.1: 43..128 */
#define OAUTH2_METADATA_PATH "/.well-known/oauth-authorization-server"
#define OAUTH2_CACHE_S 3600      /* metadata and keys are kept this long */
#define OAUTH2_REFETCH_MIN_S 60  /* an unknown key id fetches the keys again at most this often */

/* One provider's settings (static, owned by the module). */
struct oauth2_config {
	const char *name;            /* "/auth/<name>" and user_identities.provider */
	const char *base_env;        /* environment variable naming the server's base URL */
	const char *base_default;    /* the base URL when it is unset ("https://login.example.com") */
	const char *client_id_env;   /* environment variable of the client id (required) */
	const char *client_secret_env; /* ... of the client secret (unset: a public client) */
	const char *scope;           /* the scope parameter, or NULL to send none */
	const char *audience;        /* a value aud must hold beside the client id, or NULL */
	const char *subject_prefix;  /* sub = this + the account's number ("ACCOUNT:") */
	const char *name_claim;      /* the claim with the display name, or NULL */
	const char *profile_url_fmt; /* printf format, one %s for the number: the account's
				      * public page (acct_profile.profile_url), or NULL */
	const char *avatar_url_fmt;  /* the same for its picture, or NULL */
};

/* What the metadata document says (only what a client uses). */
struct oauth2_metadata {
	char issuer[256];
	char authorization_endpoint[512];
	char token_endpoint[512];
	char jwks_uri[512];
};

/* ---- pure ------------------------------------------------------------------ */

/* The PKCE verifier of sign-in `state` with provider `name`: base64url of
 * HMAC-SHA-256 under `secret` over "gw-pkce\0" name "\0" state, 43
 * characters of the RFC 7636 §4.1 alphabet, into out. */
void oauth2_pkce_verifier(const char *secret, const char *name, const char *state,
			  char out[OAUTH2_PKCE_LEN + 1]);

/* The S256 challenge of a verifier: base64url(SHA-256(verifier)). */
void oauth2_pkce_challenge(const char *verifier, char out[OAUTH2_PKCE_LEN + 1]);

/* Split web-auth.c's return_to ("<site>/auth/<name>/callback?state=<32
 * hex>") into the redirect_uri (without the query, appended to
 * redirect_uri) and the state (copied to state). Returns 0, or -1 when it
 * has another shape. */
int oauth2_split_return_to(const char *return_to, struct buf *redirect_uri, char state[33]);

/* The browser's way to the server: endpoint + '?' (or '&' when it has a
 * query) + response_type=code, client_id, redirect_uri, scope (when not
 * NULL), state, code_challenge, code_challenge_method=S256, each
 * URL-encoded. Appended to out. */
void oauth2_authorize_url(struct buf *out, const char *endpoint, const char *client_id,
			  const char *redirect_uri, const char *scope, const char *state,
			  const char *challenge);

/* The token request body (form-encoded): grant_type=authorization_code,
 * code, redirect_uri, code_verifier and, when client_id is not NULL (a
 * public client), client_id. Appended to out. */
void oauth2_token_body(struct buf *out, const char *code, const char *redirect_uri,
		       const char *verifier, const char *client_id);

/* Is `url` an http(s) URL on the same scheme, host and port as `base`
 * (ports written out or implied by the scheme alike), without userinfo? */
int oauth2_same_origin(const char *url, const char *base);

/* Read the metadata document (RFC 8414 §2) of `len` bytes for the server
 * configured at `base`: issuer must be base (a trailing '/' aside),
 * authorization_endpoint, token_endpoint and jwks_uri present and on
 * base's origin (oauth2_same_origin), and code_challenge_methods_supported,
 * when present, must list S256. Returns 0 with md filled, or -1 with a
 * reason. */
int oauth2_metadata_parse(const char *json, size_t len, const char *base,
			  struct oauth2_metadata *md, char *err, size_t errlen);

/* Read a token endpoint answer (RFC 6749 §5.1) of `len` bytes: a JSON
 * object whose access_token is a string of 1..JOSE_TOKEN_MAX bytes and
 * whose token_type is "Bearer" (any case). The token is appended to
 * access_token. An error answer (§5.2: {"error": ...}) gives -1 with its
 * error code and description in err; anything else -1 with a reason.
 * Returns 0 on success. */
int oauth2_token_parse(const char *json, size_t len, struct buf *access_token, char *err,
		       size_t errlen);

/* Copy at most 100 bytes of s (NULL: "") into out, each byte outside
 * printable ASCII as '?': what of a server's error code or description
 * goes into our messages. */
void oauth2_printable(char *out, size_t outlen, const char *s);

/* ---- the provider (oauth2-provider.c) ----------------------------------------------- */

/* provider.h configured for `c`: its client id is in the environment and
 * its base URL is an http(s) URL. */
int oauth2_configured(const struct oauth2_config *c);

/* provider.h begin for `c`: reads the base URL and client id from the
 * environment, the metadata (cached), derives the verifier from the state
 * in return_to, and appends the authorization URL to location. Returns 0,
 * or -1 with a reason (not configured, the server's metadata unavailable
 * or refused). */
int oauth2_begin(const struct oauth2_config *c, struct app *app, const char *return_to,
		 const char *realm, struct buf *location, char *err, size_t errlen);

/* provider.h finish for `c`: the code exchange and the token checks of
 * steps 2 and 3 above; fills out (provider c->name, external id the
 * subject's number, name from the name claim, profile and avatar URLs).
 * Returns 0, 400 (refused: an error answer, no code, the code refused by
 * the server, a token that does not verify or whose claims are wrong),
 * or 502 (the server could not be asked or answered nonsense). */
int oauth2_finish(const struct oauth2_config *c, struct app *app, struct req *r,
		  const char *return_to, struct acct_profile *out, char *err, size_t errlen);

#endif
