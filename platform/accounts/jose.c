/* jose.c: base64url, JWK sets to PEM, JWS headers, RS256 verification
 * through libjwt, and the claims of an access token (jose.h). */
#include "platform/accounts/jose.h"

#include <errno.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void jose_b64url_encode(struct buf *out, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i;
	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		buf_addch(out, b64url[v >> 18 & 63]);
		buf_addch(out, b64url[v >> 12 & 63]);
		buf_addch(out, b64url[v >> 6 & 63]);
		buf_addch(out, b64url[v & 63]);
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		buf_addch(out, b64url[v >> 18 & 63]);
		buf_addch(out, b64url[v >> 12 & 63]);
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		buf_addch(out, b64url[v >> 18 & 63]);
		buf_addch(out, b64url[v >> 12 & 63]);
		buf_addch(out, b64url[v >> 6 & 63]);
	}
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int jose_b64url_decode(const char *s, size_t n, struct buf *out)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t i;
	if (n % 4 == 1)
		return -1;
	for (i = 0; i < n; i++) {
		int v = b64_value(s[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addch(out, (char)(acc >> bits & 0xff));
		}
	}
	/* the bits left over must be zero (one encoding per byte string) */
	if (bits && (acc & ((1u << bits) - 1)))
		return -1;
	return 0;
}

/* ---- RSA keys ---------------------------------------------------------------- */

int jose_rsa_pem(const char *n, const char *e, struct buf *pem, char *err, size_t errlen)
{
	struct buf nb = BUF_INIT, eb = BUF_INIT;
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	char *data;
	long len;
	int bits, ret = -1;

	if (!n || !e || jose_b64url_decode(n, strlen(n), &nb) < 0 ||
	    jose_b64url_decode(e, strlen(e), &eb) < 0 || !nb.len || !eb.len) {
		snprintf(err, errlen, "the key's n or e is not base64url");
		goto out;
	}
	if (nb.len > JOSE_RSA_MAX_BITS / 8 + 1 || eb.len > 8) {
		snprintf(err, errlen, "the key's modulus or exponent is too long");
		goto out;
	}
	bn_n = BN_bin2bn((const unsigned char *)nb.data, (int)nb.len, NULL);
	bn_e = BN_bin2bn((const unsigned char *)eb.data, (int)eb.len, NULL);
	if (!bn_n || !bn_e)
		abort();
	bits = BN_num_bits(bn_n);
	if (bits < JOSE_RSA_MIN_BITS || bits > JOSE_RSA_MAX_BITS || !BN_is_odd(bn_n)) {
		snprintf(err, errlen, "the key's modulus has %d bits or is even (%d..%d bits, odd)", bits,
			 JOSE_RSA_MIN_BITS, JOSE_RSA_MAX_BITS);
		goto out;
	}
	if (!BN_is_odd(bn_e) || BN_num_bits(bn_e) < 2) {
		snprintf(err, errlen, "the key's exponent is even or below 3");
		goto out;
	}
	if (!(bld = OSSL_PARAM_BLD_new()) || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
	    !(params = OSSL_PARAM_BLD_to_param(bld)) ||
	    !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		snprintf(err, errlen, "OpenSSL refused the key");
		goto out;
	}
	if (!(bio = BIO_new(BIO_s_mem())) || PEM_write_bio_PUBKEY(bio, pkey) != 1) {
		snprintf(err, errlen, "OpenSSL could not write the key");
		goto out;
	}
	len = BIO_get_mem_data(bio, &data);
	if (len <= 0) {
		snprintf(err, errlen, "OpenSSL could not write the key");
		goto out;
	}
	buf_add(pem, data, (size_t)len);
	ret = 0;
out:
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	buf_release(&nb);
	buf_release(&eb);
	return ret;
}

/* ---- JWK sets ----------------------------------------------------------------- */

static const char *str_member(struct json_object *o, const char *key, bool *present)
{
	struct json_object *v;
	if (present)
		*present = false;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	if (present)
		*present = true;
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* Is this key meant to verify RS256 signatures? */
static bool key_for_rs256(struct json_object *k)
{
	bool has;
	const char *s;
	struct json_object *ops;
	s = str_member(k, "kty", NULL);
	if (!s || strcmp(s, "RSA"))
		return false;
	s = str_member(k, "use", &has);
	if (has && (!s || strcmp(s, "sig")))
		return false;
	s = str_member(k, "alg", &has);
	if (has && (!s || strcmp(s, "RS256")))
		return false;
	if (json_object_object_get_ex(k, "key_ops", &ops)) {
		size_t i, n;
		bool verify = false;
		if (!json_object_is_type(ops, json_type_array))
			return false;
		n = json_object_array_length(ops);
		for (i = 0; i < n; i++) {
			struct json_object *op = json_object_array_get_idx(ops, i);
			if (json_object_is_type(op, json_type_string) &&
			    !strcmp(json_object_get_string(op), "verify"))
				verify = true;
		}
		if (!verify)
			return false;
	}
	return true;
}

void jose_keys_free(struct jose_keys *k)
{
	int i;
	for (i = 0; i < k->n; i++)
		free(k->key[i].pem);
	k->n = 0;
}

const struct jose_key *jose_keys_find(const struct jose_keys *k, const char *kid)
{
	int i;
	if (!kid)
		return k->n == 1 ? &k->key[0] : NULL;
	for (i = 0; i < k->n; i++)
		if (!strcmp(k->key[i].kid, kid))
			return &k->key[i];
	return NULL;
}

struct json_object *jose_json_doc(const char *s, size_t len)
{
	struct json_tokener *tok;
	struct json_object *doc;
	size_t end;
	if (!s || !len || len > JOSE_JSON_MAX || memchr(s, '\0', len))
		return NULL;
	if (!(tok = json_tokener_new_ex(JOSE_JSON_DEPTH)))
		abort();
	doc = json_tokener_parse_ex(tok, s, (int)len);
	if (!doc && json_tokener_get_error(tok) == json_tokener_continue)
		doc = json_tokener_parse_ex(tok, "", 1); /* a bare number at the end */
	end = doc && json_tokener_get_error(tok) == json_tokener_success
		? json_tokener_get_parse_end(tok) : 0;
	json_tokener_free(tok);
	if (!doc)
		return NULL;
	for (; end < len; end++)
		if (!strchr(" \t\r\n", s[end])) {
			json_object_put(doc);
			return NULL;
		}
	return doc;
}

int jose_jwks_parse(const char *json, size_t len, struct jose_keys *out, char *err, size_t errlen)
{
	struct json_object *doc, *keys;
	size_t i, n;
	int ret = -1;

	memset(out, 0, sizeof *out);
	doc = jose_json_doc(json, len);
	if (!doc) {
		snprintf(err, errlen, "the JWK set is not one JSON document");
		goto out;
	}
	if (!json_object_is_type(doc, json_type_object) || !json_object_object_get_ex(doc, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array)) {
		snprintf(err, errlen, "the JWK set has no \"keys\" array");
		goto out;
	}
	n = json_object_array_length(keys);
	for (i = 0; i < n && out->n < JOSE_KEYS_MAX; i++) {
		struct json_object *k = json_object_array_get_idx(keys, i);
		struct buf pem = BUF_INIT;
		const char *kid;
		bool has_kid;
		char why[160];
		if (!json_object_is_type(k, json_type_object) || !key_for_rs256(k))
			continue;
		kid = str_member(k, "kid", &has_kid);
		if ((has_kid && (!kid || strlen(kid) > JOSE_KID_MAX)) || jose_keys_find(out, kid ? kid : ""))
			continue;
		if (jose_rsa_pem(str_member(k, "n", NULL), str_member(k, "e", NULL), &pem, why,
				 sizeof why) < 0) {
			buf_release(&pem);
			continue;
		}
		snprintf(out->key[out->n].kid, sizeof out->key[out->n].kid, "%s", kid ? kid : "");
		out->key[out->n].pem = buf_detach(&pem, NULL);
		out->n++;
	}
	if (!out->n) {
		snprintf(err, errlen, "the JWK set holds no RSA key for RS256 signatures");
		goto out;
	}
	ret = out->n;
out:
	json_object_put(doc);
	return ret;
}

/* ---- JWS ---------------------------------------------------------------------- */

/* Split a compact JWS: the lengths of its three parts; -1 when it is not
 * three non-empty base64url parts (the signature may not be empty). */
static int jws_split(const char *token, size_t *h, size_t *p, size_t *s)
{
	const char *d1, *d2;
	size_t len = strlen(token);
	if (len > JOSE_TOKEN_MAX)
		return -1;
	d1 = strchr(token, '.');
	if (!d1)
		return -1;
	d2 = strchr(d1 + 1, '.');
	if (!d2 || strchr(d2 + 1, '.'))
		return -1;
	*h = (size_t)(d1 - token);
	*p = (size_t)(d2 - d1 - 1);
	*s = len - (size_t)(d2 - token) - 1;
	return *h && *p && *s ? 0 : -1;
}

int jose_jws_header(const char *token, char *alg, size_t alglen, char *kid, size_t kidlen,
		    char *err, size_t errlen)
{
	struct buf raw = BUF_INIT;
	struct json_object *h = NULL;
	const char *a, *k;
	bool has_kid;
	size_t hl, pl, sl;
	int ret = -1;

	if (!token || jws_split(token, &hl, &pl, &sl) < 0) {
		snprintf(err, errlen, "the token is not a compact JWS (three base64url parts)");
		return -1;
	}
	if (jose_b64url_decode(token, hl, &raw) < 0) {
		snprintf(err, errlen, "the token's header is not base64url");
		goto out;
	}
	h = jose_json_doc(raw.data, raw.len);
	if (!h || !json_object_is_type(h, json_type_object)) {
		snprintf(err, errlen, "the token's header is not a JSON object");
		goto out;
	}
	if (json_object_object_get_ex(h, "crit", NULL)) {
		snprintf(err, errlen, "the token's header has critical extensions (\"crit\")");
		goto out;
	}
	a = str_member(h, "alg", NULL);
	k = str_member(h, "kid", &has_kid);
	if (!a || strlen(a) >= alglen || (has_kid && (!k || strlen(k) >= kidlen))) {
		snprintf(err, errlen, "the token's header has no usable alg or kid");
		goto out;
	}
	snprintf(alg, alglen, "%s", a);
	snprintf(kid, kidlen, "%s", k ? k : "");
	ret = 0;
out:
	json_object_put(h);
	buf_release(&raw);
	return ret;
}

int jose_jwt_verify(const char *token, const struct jose_keys *keys, struct json_object **claims,
		    char *err, size_t errlen)
{
	char alg[16], kid[JOSE_KID_MAX + 1];
	const struct jose_key *key;
	jwt_t *jwt = NULL;
	char *grants;
	int rc;

	*claims = NULL;
	if (jose_jws_header(token, alg, sizeof alg, kid, sizeof kid, err, errlen) < 0)
		return -1;
	if (strcmp(alg, "RS256")) {
		snprintf(err, errlen, "the token is signed with %.15s, not RS256", alg);
		return -1;
	}
	key = jose_keys_find(keys, *kid ? kid : NULL);
	if (!key) {
		snprintf(err, errlen, "the token names a signing key the issuer does not publish");
		return 1;
	}
	rc = jwt_decode(&jwt, token, (const unsigned char *)key->pem, (int)strlen(key->pem));
	if (rc || !jwt) {
		snprintf(err, errlen, "the token's signature does not verify with the issuer's key");
		if (jwt)
			jwt_free(jwt);
		return -1;
	}
	if (jwt_get_alg(jwt) != JWT_ALG_RS256) {
		jwt_free(jwt);
		snprintf(err, errlen, "the token is not RS256");
		return -1;
	}
	grants = jwt_get_grants_json(jwt, NULL);
	jwt_free(jwt);
	if (grants) {
		*claims = jose_json_doc(grants, strlen(grants));
		free(grants);
	}
	if (!*claims || !json_object_is_type(*claims, json_type_object)) {
		json_object_put(*claims);
		*claims = NULL;
		snprintf(err, errlen, "the token's payload is not a JSON object");
		return -1;
	}
	return 0;
}

/* ---- claims -------------------------------------------------------------------- */

/* The host[:port] of an http(s) URL into out; "" when it is not one. */
static void url_authority(const char *url, char *out, size_t outlen)
{
	const char *p = NULL;
	size_t n;
	*out = '\0';
	if (!strncmp(url, "https://", 8))
		p = url + 8;
	else if (!strncmp(url, "http://", 7))
		p = url + 7;
	if (!p)
		return;
	n = strcspn(p, "/?#");
	if (n && n < outlen)
		snprintf(out, outlen, "%.*s", (int)n, p);
}

static bool same_issuer(const char *iss, const char *want)
{
	char host[256];
	size_t wl = strlen(want), il = strlen(iss);
	while (wl && want[wl - 1] == '/')
		wl--;
	while (il && iss[il - 1] == '/')
		il--;
	if (il == wl && !strncmp(iss, want, wl))
		return true;
	url_authority(want, host, sizeof host);
	return *host && !strcmp(iss, host);
}

static bool aud_has(struct json_object *aud, const char *v)
{
	size_t i, n;
	if (json_object_is_type(aud, json_type_string))
		return !strcmp(json_object_get_string(aud), v);
	if (!json_object_is_type(aud, json_type_array))
		return false;
	n = json_object_array_length(aud);
	for (i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(aud, i);
		if (json_object_is_type(a, json_type_string) && !strcmp(json_object_get_string(a), v))
			return true;
	}
	return false;
}

/* A NumericDate claim (RFC 7519 §2: a JSON number of seconds). */
static int numeric_date(struct json_object *claims, const char *key, int64_t *out)
{
	struct json_object *v;
	double d;
	if (!json_object_object_get_ex(claims, key, &v))
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return 1;
	}
	if (json_object_is_type(v, json_type_double)) {
		d = json_object_get_double(v);
		if (d > -9.2e18 && d < 9.2e18) {
			*out = (int64_t)d;
			return 1;
		}
	}
	return -1;
}

int jose_check_claims(struct json_object *claims, const struct jose_expect *e, char *id,
		      size_t idlen, char *name, size_t namelen, char *err, size_t errlen)
{
	struct json_object *aud;
	const char *iss, *sub, *azp, *nm;
	bool has_azp;
	int64_t exp, nbf;
	size_t pl, i, dl;
	int rc;

	*id = '\0';
	*name = '\0';
	iss = str_member(claims, "iss", NULL);
	if (!iss || !e->issuer || !same_issuer(iss, e->issuer)) {
		snprintf(err, errlen, "the token's issuer (iss) is not the configured one");
		return -1;
	}
	if (!json_object_object_get_ex(claims, "aud", &aud) || !e->client_id ||
	    !aud_has(aud, e->client_id) || (e->audience && !aud_has(aud, e->audience))) {
		snprintf(err, errlen, "the token's audience (aud) is not this site's client%s%s",
			 e->audience ? " and " : "", e->audience ? e->audience : "");
		return -1;
	}
	azp = str_member(claims, "azp", &has_azp);
	if (has_azp && (!azp || strcmp(azp, e->client_id))) {
		snprintf(err, errlen, "the token was issued to another client (azp)");
		return -1;
	}
	rc = numeric_date(claims, "exp", &exp);
	if (rc != 1) {
		snprintf(err, errlen, "the token has no expiry (exp)");
		return -1;
	}
	if (exp <= e->now_s - JOSE_SKEW_S) {
		snprintf(err, errlen, "the token has expired (exp)");
		return -1;
	}
	rc = numeric_date(claims, "nbf", &nbf);
	if (rc < 0 || (rc == 1 && nbf > e->now_s + JOSE_SKEW_S)) {
		snprintf(err, errlen, "the token is not valid yet (nbf)");
		return -1;
	}
	sub = str_member(claims, "sub", NULL);
	pl = e->subject_prefix ? strlen(e->subject_prefix) : 0;
	if (!sub || strncmp(sub, e->subject_prefix ? e->subject_prefix : "", pl)) {
		snprintf(err, errlen, "the token's subject (sub) is not an account of the expected kind");
		return -1;
	}
	dl = strlen(sub + pl);
	for (i = 0; i < dl; i++)
		if (sub[pl + i] < '0' || sub[pl + i] > '9')
			break;
	if (!dl || dl > 19 || i != dl || sub[pl] == '0' || dl >= idlen) {
		snprintf(err, errlen, "the token's subject (sub) is not an account of the expected kind");
		return -1;
	}
	memcpy(id, sub + pl, dl + 1);
	nm = e->name_claim ? str_member(claims, e->name_claim, NULL) : NULL;
	if (nm && strlen(nm) < namelen)
		memcpy(name, nm, strlen(nm) + 1);
	return 0;
}
