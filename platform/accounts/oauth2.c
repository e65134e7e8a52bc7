/* oauth2.c: the pure parts of sign-in through an OAuth 2.0 server with JWT
 * access tokens (oauth2.h): PKCE, the authorization URL, the token request
 * body, origins, and the metadata and token documents. No I/O: the unit
 * tests and the fuzz target call these; oauth2-provider.c does the rest. */
#include "platform/accounts/oauth2.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "platform/accounts/jose.h"
#include "sha256.h"

/* ---- pure ------------------------------------------------------------------ */

void oauth2_pkce_verifier(const char *secret, const char *name, const char *state,
			  char out[OAUTH2_PKCE_LEN + 1])
{
	static const char label[] = "gw-pkce"; /* with its NUL: a domain separator */
	unsigned char mac[SHA256_LEN];
	struct buf msg = BUF_INIT, enc = BUF_INIT;
	buf_add(&msg, label, sizeof label);
	buf_addstr(&msg, name);
	buf_addch(&msg, '\0');
	buf_addstr(&msg, state);
	hmac_sha256(secret, strlen(secret), msg.data, msg.len, mac);
	jose_b64url_encode(&enc, mac, sizeof mac);
	snprintf(out, OAUTH2_PKCE_LEN + 1, "%s", enc.data);
	OPENSSL_cleanse(mac, sizeof mac);
	buf_release(&msg);
	buf_release(&enc);
}

void oauth2_pkce_challenge(const char *verifier, char out[OAUTH2_PKCE_LEN + 1])
{
	unsigned char d[SHA256_LEN];
	struct buf enc = BUF_INIT;
	sha256_raw(verifier, strlen(verifier), d);
	jose_b64url_encode(&enc, d, sizeof d);
	snprintf(out, OAUTH2_PKCE_LEN + 1, "%s", enc.data);
	buf_release(&enc);
}

int oauth2_split_return_to(const char *return_to, struct buf *redirect_uri, char state[33])
{
	const char *q = return_to ? strchr(return_to, '?') : NULL;
	size_t i;
	if (!q || strncmp(q, "?state=", 7) || strlen(q + 7) != 32)
		return -1;
	for (i = 0; i < 32; i++)
		if (!isxdigit((unsigned char)q[7 + i]))
			return -1;
	buf_add(redirect_uri, return_to, (size_t)(q - return_to));
	memcpy(state, q + 7, 32);
	state[32] = '\0';
	return 0;
}

static void arg(struct buf *out, const char *name, const char *value)
{
	if (out->len && out->data[out->len - 1] != '?' && out->data[out->len - 1] != '&')
		buf_addch(out, '&');
	buf_addstr(out, name);
	buf_addch(out, '=');
	url_arg(out, value);
}

void oauth2_authorize_url(struct buf *out, const char *endpoint, const char *client_id,
			  const char *redirect_uri, const char *scope, const char *state,
			  const char *challenge)
{
	buf_addstr(out, endpoint);
	buf_addch(out, strchr(endpoint, '?') ? '&' : '?');
	arg(out, "response_type", "code");
	arg(out, "client_id", client_id);
	arg(out, "redirect_uri", redirect_uri);
	if (scope)
		arg(out, "scope", scope);
	arg(out, "state", state);
	arg(out, "code_challenge", challenge);
	arg(out, "code_challenge_method", "S256");
}

void oauth2_token_body(struct buf *out, const char *code, const char *redirect_uri,
		       const char *verifier, const char *client_id)
{
	buf_addstr(out, "grant_type=authorization_code");
	arg(out, "code", code);
	arg(out, "redirect_uri", redirect_uri);
	arg(out, "code_verifier", verifier);
	if (client_id)
		arg(out, "client_id", client_id);
}

/* Scheme, host (lower case) and port of an http(s) URL without userinfo.
 * Returns 0 or -1. */
static int origin_of(const char *url, char *scheme, size_t sl, char *host, size_t hl, long *port)
{
	const char *p, *end, *colon;
	size_t n;
	if (!strncmp(url, "https://", 8)) {
		snprintf(scheme, sl, "https");
		p = url + 8;
		*port = 443;
	} else if (!strncmp(url, "http://", 7)) {
		snprintf(scheme, sl, "http");
		p = url + 7;
		*port = 80;
	} else {
		return -1;
	}
	n = strcspn(p, "/?#");
	end = p + n;
	if (!n || memchr(p, '@', n) || memchr(p, '[', n))
		return -1; /* userinfo; IPv6 literals are not needed here */
	colon = memchr(p, ':', n);
	if (colon) {
		char *e;
		long v;
		if (colon + 1 == end)
			return -1;
		v = strtol(colon + 1, &e, 10);
		if (e != end || v < 1 || v > 65535)
			return -1;
		*port = v;
		n = (size_t)(colon - p);
	}
	if (!n || n >= hl)
		return -1;
	for (size_t i = 0; i < n; i++)
		host[i] = (char)tolower((unsigned char)p[i]);
	host[n] = '\0';
	return 0;
}

int oauth2_same_origin(const char *url, const char *base)
{
	char s1[8], s2[8], h1[256], h2[256];
	long p1, p2;
	if (!url || !base || origin_of(url, s1, sizeof s1, h1, sizeof h1, &p1) < 0 ||
	    origin_of(base, s2, sizeof s2, h2, sizeof h2, &p2) < 0)
		return 0;
	return !strcmp(s1, s2) && !strcmp(h1, h2) && p1 == p2;
}

static const char *member_str(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* base without trailing slashes equals s (the same)? */
static bool same_base(const char *s, const char *base)
{
	size_t bl = strlen(base), sl = strlen(s);
	while (bl && base[bl - 1] == '/')
		bl--;
	while (sl && s[sl - 1] == '/')
		sl--;
	return bl == sl && !strncmp(s, base, bl);
}

int oauth2_metadata_parse(const char *json, size_t len, const char *base,
			  struct oauth2_metadata *md, char *err, size_t errlen)
{
	struct json_object *doc = jose_json_doc(json, len), *methods;
	static const char *const keys[] = { "authorization_endpoint", "token_endpoint", "jwks_uri" };
	char *dest[3];
	size_t sizes[3];
	const char *iss;
	int i, ret = -1;

	memset(md, 0, sizeof *md);
	dest[0] = md->authorization_endpoint;
	dest[1] = md->token_endpoint;
	dest[2] = md->jwks_uri;
	sizes[0] = sizeof md->authorization_endpoint;
	sizes[1] = sizeof md->token_endpoint;
	sizes[2] = sizeof md->jwks_uri;
	if (!doc || !json_object_is_type(doc, json_type_object)) {
		snprintf(err, errlen, "the server's metadata is not a JSON object");
		goto out;
	}
	iss = member_str(doc, "issuer");
	if (!iss || strlen(iss) >= sizeof md->issuer || !same_base(iss, base)) {
		snprintf(err, errlen, "the server's metadata names another issuer");
		goto out;
	}
	snprintf(md->issuer, sizeof md->issuer, "%s", iss);
	for (i = 0; i < 3; i++) {
		const char *v = member_str(doc, keys[i]);
		if (!v || strlen(v) >= sizes[i] || !oauth2_same_origin(v, base)) {
			snprintf(err, errlen, "the server's metadata has no %s on its own origin", keys[i]);
			goto out;
		}
		snprintf(dest[i], sizes[i], "%s", v);
	}
	if (json_object_object_get_ex(doc, "code_challenge_methods_supported", &methods)) {
		bool s256 = false;
		size_t k, n = json_object_is_type(methods, json_type_array) ? json_object_array_length(methods) : 0;
		for (k = 0; k < n; k++) {
			struct json_object *m = json_object_array_get_idx(methods, k);
			if (json_object_is_type(m, json_type_string) && !strcmp(json_object_get_string(m), "S256"))
				s256 = true;
		}
		if (!s256) {
			snprintf(err, errlen, "the server does not support PKCE with S256");
			goto out;
		}
	}
	ret = 0;
out:
	json_object_put(doc);
	return ret;
}

void oauth2_printable(char *out, size_t outlen, const char *s)
{
	size_t i, n = 0;
	for (i = 0; s && s[i] && n + 1 < outlen && n < 100; i++)
		out[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[n] = '\0';
}

int oauth2_token_parse(const char *json, size_t len, struct buf *access_token, char *err,
		       size_t errlen)
{
	struct json_object *doc = jose_json_doc(json, len);
	const char *tok, *type, *e;
	int ret = -1;
	if (!doc || !json_object_is_type(doc, json_type_object)) {
		snprintf(err, errlen, "the token answer is not a JSON object");
		goto out;
	}
	if ((e = member_str(doc, "error"))) {
		char code[104], desc[104];
		oauth2_printable(code, sizeof code, e);
		oauth2_printable(desc, sizeof desc, member_str(doc, "error_description"));
		snprintf(err, errlen, "%s%s%s", code, *desc ? ": " : "", desc);
		goto out;
	}
	tok = member_str(doc, "access_token");
	type = member_str(doc, "token_type");
	if (!tok || !*tok || strlen(tok) > JOSE_TOKEN_MAX) {
		snprintf(err, errlen, "the token answer has no access_token");
		goto out;
	}
	if (!type || strcasecmp(type, "Bearer")) {
		snprintf(err, errlen, "the token answer's token_type is not Bearer");
		goto out;
	}
	buf_addstr(access_token, tok);
	ret = 0;
out:
	json_object_put(doc);
	return ret;
}

