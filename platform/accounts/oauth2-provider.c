/* oauth2-provider.c: the provider's begin and finish (oauth2.h), with the
 * per-process caches of each server's metadata and JWK set. */
#include "platform/accounts/oauth2.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "http.h"
#include "log.h"
#include "platform/accounts/jose.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "timeutil.h"

/* ---- settings and caches ------------------------------------------------------ */

static const char *env_or(const char *name, const char *def)
{
	const char *v = name ? getenv(name) : NULL;
	return v && *v ? v : def;
}

/* Per process: what one server published. */
struct server_cache {
	const struct oauth2_config *c;
	char base[512];
	bool md_ok;
	int64_t md_at_ms;
	struct oauth2_metadata md;
	bool keys_ok;
	int64_t keys_at_ms;
	struct jose_keys keys;
};

#define CACHES 4
static struct server_cache caches[CACHES];

static struct server_cache *cache_for(const struct oauth2_config *c, const char *base)
{
	int i, free_slot = -1;
	for (i = 0; i < CACHES; i++) {
		if (caches[i].c == c && !strcmp(caches[i].base, base))
			return &caches[i];
		if (!caches[i].c && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0) {
		free_slot = 0;
		jose_keys_free(&caches[0].keys);
	}
	memset(&caches[free_slot], 0, sizeof caches[free_slot]);
	caches[free_slot].c = c;
	snprintf(caches[free_slot].base, sizeof caches[free_slot].base, "%s", base);
	return &caches[free_slot];
}

static int fetch(const char *method, const char *url, const char *const *headers, const char *body,
		 struct http_response *res, char *err, size_t errlen)
{
	static int curl_ready;
	struct http_options opt = { 2000, 5000, JOSE_JSON_MAX, NULL };
	if (!curl_ready) {
		if (http_global_init() < 0) {
			snprintf(err, errlen, "libcurl could not start");
			return -1;
		}
		curl_ready = 1;
	}
	memset(res, 0, sizeof *res);
	if (http_send(method, url, headers, body, body ? strlen(body) : 0, &opt, res) < 0) {
		snprintf(err, errlen, "the sign-in server could not be asked: %s", res->error);
		return -1;
	}
	return 0;
}

static const char *const json_headers[] = { "Accept: application/json", NULL };

/* The metadata of the server at base (cached). 0 or -1 with a reason. */
static int metadata(struct server_cache *sc, const char *base, char *err, size_t errlen)
{
	struct http_response res;
	struct buf url = BUF_INIT;
	struct oauth2_metadata md;
	int64_t now = time_mono_ms();
	int ret = -1;
	if (sc->md_ok && now - sc->md_at_ms < OAUTH2_CACHE_S * 1000LL)
		return 0;
	buf_addstr(&url, base);
	while (url.len && url.data[url.len - 1] == '/')
		buf_truncate(&url, url.len - 1);
	buf_addstr(&url, OAUTH2_METADATA_PATH);
	if (fetch("GET", url.data, json_headers, NULL, &res, err, errlen) == 0) {
		if (res.status != 200)
			snprintf(err, errlen, "the sign-in server's metadata answered HTTP %ld", res.status);
		else if (oauth2_metadata_parse(res.body.data, res.body.len, base, &md, err, errlen) == 0) {
			sc->md = md;
			sc->md_ok = true;
			sc->md_at_ms = now;
			ret = 0;
		}
	}
	http_response_release(&res);
	buf_release(&url);
	return ret;
}

/* The server's keys (cached unless `again`). 0 or -1 with a reason. */
static int keys(struct server_cache *sc, bool again, char *err, size_t errlen)
{
	struct http_response res;
	struct jose_keys k;
	int64_t now = time_mono_ms();
	int ret = -1;
	if (sc->keys_ok && !again && now - sc->keys_at_ms < OAUTH2_CACHE_S * 1000LL)
		return 0;
	if (fetch("GET", sc->md.jwks_uri, json_headers, NULL, &res, err, errlen) == 0) {
		if (res.status != 200) {
			snprintf(err, errlen, "the sign-in server's keys answered HTTP %ld", res.status);
		} else if (jose_jwks_parse(res.body.data, res.body.len, &k, err, errlen) > 0) {
			jose_keys_free(&sc->keys);
			sc->keys = k;
			sc->keys_ok = true;
			sc->keys_at_ms = now;
			ret = 0;
		} else {
			jose_keys_free(&k);
		}
	}
	http_response_release(&res);
	return ret;
}

static int settings(const struct oauth2_config *c, const char **base, const char **client_id,
		    char *err, size_t errlen)
{
	*base = env_or(c->base_env, c->base_default);
	*client_id = env_or(c->client_id_env, NULL);
	if (!*base || (strncmp(*base, "https://", 8) && strncmp(*base, "http://", 7))) {
		snprintf(err, errlen, "%s is not an http(s) URL", c->base_env);
		return -1;
	}
	if (!*client_id || strlen(*client_id) > 200) {
		snprintf(err, errlen, "%s is not set: this sign-in is not configured", c->client_id_env);
		return -1;
	}
	return 0;
}

/* ---- the provider ------------------------------------------------------------- */

int oauth2_configured(const struct oauth2_config *c)
{
	const char *base, *client_id;
	char err[160];
	return settings(c, &base, &client_id, err, sizeof err) == 0;
}

int oauth2_begin(const struct oauth2_config *c, struct app *app, const char *return_to,
		 const char *realm, struct buf *location, char *err, size_t errlen)
{
	const char *base, *client_id;
	struct buf redirect = BUF_INIT;
	struct server_cache *sc;
	char state[33], verifier[OAUTH2_PKCE_LEN + 1], challenge[OAUTH2_PKCE_LEN + 1];
	int ret = -1;
	(void)realm;
	if (settings(c, &base, &client_id, err, errlen) < 0)
		return -1;
	if (oauth2_split_return_to(return_to, &redirect, state) < 0) {
		snprintf(err, errlen, "the callback address has an unexpected shape");
		goto out;
	}
	sc = cache_for(c, base);
	if (metadata(sc, base, err, errlen) < 0) {
		log_warn("%s sign-in: %s", c->name, err);
		goto out;
	}
	oauth2_pkce_verifier(app->guard.secret, c->name, state, verifier);
	oauth2_pkce_challenge(verifier, challenge);
	oauth2_authorize_url(location, sc->md.authorization_endpoint, client_id, redirect.data, c->scope,
			     state, challenge);
	OPENSSL_cleanse(verifier, sizeof verifier);
	ret = 0;
out:
	buf_release(&redirect);
	return ret;
}

/* "Authorization: Basic base64(urlencode(id) ':' urlencode(secret))"
 * (RFC 6749 §2.3.1). */
static void basic_auth(struct buf *out, const char *id, const char *secret)
{
	struct buf cred = BUF_INIT;
	unsigned char *enc;
	url_arg(&cred, id);
	buf_addch(&cred, ':');
	url_arg(&cred, secret);
	enc = malloc(4 * ((cred.len + 2) / 3) + 1);
	if (!enc)
		abort();
	EVP_EncodeBlock(enc, (const unsigned char *)cred.data, (int)cred.len);
	buf_addf(out, "Authorization: Basic %s", (const char *)enc);
	OPENSSL_cleanse(cred.data, cred.len);
	OPENSSL_cleanse(enc, strlen((const char *)enc));
	free(enc);
	buf_release(&cred);
}

int oauth2_finish(const struct oauth2_config *c, struct app *app, struct req *r,
		  const char *return_to, struct acct_profile *out, char *err, size_t errlen)
{
	const char *base, *client_id, *secret, *code = req_param(r, "code");
	const char *error = req_param(r, "error");
	const char *headers[4];
	struct buf redirect = BUF_INIT, body = BUF_INIT, auth = BUF_INIT, token = BUF_INIT;
	struct server_cache *sc;
	struct http_response res;
	struct json_object *claims = NULL;
	struct jose_expect ex;
	char state[33], verifier[OAUTH2_PKCE_LEN + 1], why[200];
	int st = 502, rc;

	memset(&res, 0, sizeof res);
	if (error) {
		char e[104], d[104];
		oauth2_printable(e, sizeof e, error);
		oauth2_printable(d, sizeof d, req_param(r, "error_description"));
		snprintf(err, errlen, "the sign-in server refused or was cancelled: %s%s%s", e, *d ? ": " : "", d);
		return 400;
	}
	if (!code || !*code || strlen(code) > 2048) {
		snprintf(err, errlen, "the answer carries no authorization code");
		return 400;
	}
	if (settings(c, &base, &client_id, err, errlen) < 0)
		return 502;
	secret = env_or(c->client_secret_env, NULL);
	if (oauth2_split_return_to(return_to, &redirect, state) < 0) {
		snprintf(err, errlen, "the callback address has an unexpected shape");
		st = 400;
		goto out;
	}
	sc = cache_for(c, base);
	if (metadata(sc, base, err, errlen) < 0)
		goto out;

	/* the code for a token (RFC 6749 §4.1.3, RFC 7636 §4.5) */
	oauth2_pkce_verifier(app->guard.secret, c->name, state, verifier);
	oauth2_token_body(&body, code, redirect.data, verifier, secret ? NULL : client_id);
	OPENSSL_cleanse(verifier, sizeof verifier);
	headers[0] = "Content-Type: application/x-www-form-urlencoded";
	headers[1] = "Accept: application/json";
	headers[2] = NULL;
	if (secret) {
		basic_auth(&auth, client_id, secret);
		headers[2] = auth.data;
	}
	headers[3] = NULL;
	if (fetch("POST", sc->md.token_endpoint, headers, body.data, &res, err, errlen) < 0)
		goto out;
	if (res.status >= 400 && res.status < 500) {
		if (oauth2_token_parse(res.body.data, res.body.len, &token, why, sizeof why) < 0)
			snprintf(err, errlen, "the sign-in server refused the code (%s): a code used before,"
				 " expired, or not issued to this sign-in", why);
		else
			snprintf(err, errlen, "the sign-in server refused the code (HTTP %ld)", res.status);
		st = 400;
		goto out;
	}
	if (res.status != 200) {
		snprintf(err, errlen, "the sign-in server's token endpoint answered HTTP %ld", res.status);
		goto out;
	}
	if (oauth2_token_parse(res.body.data, res.body.len, &token, why, sizeof why) < 0) {
		snprintf(err, errlen, "the sign-in server's token answer is unusable: %s", why);
		goto out;
	}

	/* the token: signature, then claims */
	if (keys(sc, false, err, errlen) < 0)
		goto out;
	rc = jose_jwt_verify(token.data, &sc->keys, &claims, why, sizeof why);
	if (rc == 1 && time_mono_ms() - sc->keys_at_ms >= OAUTH2_REFETCH_MIN_S * 1000LL) {
		if (keys(sc, true, err, errlen) < 0)
			goto out;
		rc = jose_jwt_verify(token.data, &sc->keys, &claims, why, sizeof why);
	}
	if (rc != 0) {
		snprintf(err, errlen, "the access token is refused: %s", why);
		st = 400;
		goto out;
	}
	memset(out, 0, sizeof *out);
	ex.issuer = base;
	ex.client_id = client_id;
	ex.audience = c->audience;
	ex.subject_prefix = c->subject_prefix;
	ex.name_claim = c->name_claim;
	ex.now_s = time_now_ms() / 1000;
	if (jose_check_claims(claims, &ex, out->external_id, sizeof out->external_id, out->name,
			      sizeof out->name, why, sizeof why) < 0) {
		snprintf(err, errlen, "the access token is refused: %s", why);
		memset(out, 0, sizeof *out);
		st = 400;
		goto out;
	}
	if (!acct_name_ok(out->name))
		out->name[0] = '\0';
	snprintf(out->provider, sizeof out->provider, "%s", c->name);
	if (c->profile_url_fmt)
		snprintf(out->profile_url, sizeof out->profile_url, c->profile_url_fmt, out->external_id);
	if (c->avatar_url_fmt)
		snprintf(out->avatar_url, sizeof out->avatar_url, c->avatar_url_fmt, out->external_id);
	log_info("%s sign-in verified for %s", c->name, out->external_id);
	st = 0;
out:
	json_object_put(claims);
	if (token.data)
		OPENSSL_cleanse(token.data, token.len);
	if (auth.data)
		OPENSSL_cleanse(auth.data, auth.len);
	http_response_release(&res);
	buf_release(&redirect);
	buf_release(&body);
	buf_release(&auth);
	buf_release(&token);
	return st;
}
