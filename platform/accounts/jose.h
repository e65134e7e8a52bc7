/* jose.h: what a relying party needs of JOSE to trust an access token that
 * is a signed JWT: base64url (RFC 4648 §5), RSA public keys from a JWK set
 * (RFC 7517 §5, RFC 7518 §6.3.1), the JWS header (RFC 7515 §4), the
 * signature check through libjwt, and the checks of the claims (RFC 7519
 * §4.1). No I/O: oauth2.c fetches the documents and calls these; the unit
 * tests (tests/unit/test_oauth2.c) and the fuzz target (fuzz/fuzz_jose.c)
 * call them directly.
 *
 * Only RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3) is accepted:
 * checked in the header before the signature and again on libjwt's result,
 * so neither "none" nor an HMAC keyed with the public key can pass. */
#ifndef GW_JOSE_H
#define GW_JOSE_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define JOSE_TOKEN_MAX 16384   /* bytes of a compact JWS we look at */
#define JOSE_KEYS_MAX 16       /* RSA keys kept from one JWK set */
#define JOSE_KID_MAX 128       /* bytes of a key id */
#define JOSE_RSA_MIN_BITS 2048 /* weaker keys are refused */
#define JOSE_RSA_MAX_BITS 8192
#define JOSE_SKEW_S 30         /* clock skew allowed on exp and nbf */

#define JOSE_JSON_MAX (1 << 20) /* bytes of a JSON document from the issuer */
#define JOSE_JSON_DEPTH 16       /* nesting */

/* One JSON value of `len` bytes (white space around it allowed; no NUL
 * byte, at most JOSE_JSON_MAX bytes, JOSE_JSON_DEPTH levels): a new
 * object, or NULL when the text is anything else (trailing data too). */
struct json_object *jose_json_doc(const char *s, size_t len);

/* Append the unpadded base64url form of n bytes at p to out. */
void jose_b64url_encode(struct buf *out, const void *p, size_t n);

/* Decode n characters of unpadded base64url at s, appending the bytes to
 * out. Returns 0, or -1 for a character outside the alphabet (padding '='
 * included), a length of 1 mod 4, or non-zero trailing bits. */
int jose_b64url_decode(const char *s, size_t n, struct buf *out);

/* The RSA public key whose modulus and exponent are the base64url strings
 * n and e (big-endian unsigned integers, RFC 7518 §6.3.1.1-2) as a PEM
 * SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----"), appended to pem,
 * built with OpenSSL 3 (EVP_PKEY_fromdata). Returns 0, or -1 with a reason:
 * bad base64url, a modulus outside JOSE_RSA_MIN_BITS..JOSE_RSA_MAX_BITS or
 * even, an exponent that is even, below 3 or longer than 8 bytes. */
int jose_rsa_pem(const char *n, const char *e, struct buf *pem, char *err, size_t errlen);

/* The usable keys of a JWK set. */
struct jose_key {
	char kid[JOSE_KID_MAX + 1]; /* "" when the key has none */
	char *pem;                  /* owned, NUL-terminated PEM */
};
struct jose_keys {
	struct jose_key key[JOSE_KEYS_MAX];
	int n;
};

/* Read a JWK set ({"keys": [...]}, RFC 7517 §5) of `len` bytes: every RSA
 * key ("kty": "RSA") meant for signatures ("use" absent or "sig", "alg"
 * absent or "RS256", "key_ops" absent or holding "verify") becomes a PEM;
 * other keys (EC, encryption keys) are skipped, and so is an RSA key whose
 * n or e jose_rsa_pem refuses or whose kid is longer than JOSE_KID_MAX or
 * repeats an earlier kid. At most JOSE_KEYS_MAX keys are kept. Fills `out`
 * (free with jose_keys_free, also after an error) and returns the number of
 * keys, or -1 with a reason when the text is not such a set or holds no
 * usable key. */
int jose_jwks_parse(const char *json, size_t len, struct jose_keys *out, char *err,
		    size_t errlen);

void jose_keys_free(struct jose_keys *k);

/* The key with id kid (when kid is NULL: the only key of the set, if it has
 * exactly one), or NULL. Borrowed from k. */
const struct jose_key *jose_keys_find(const struct jose_keys *k, const char *kid);

/* Read the protected header of a compact JWS (three base64url parts joined
 * by '.', at most JOSE_TOKEN_MAX bytes): a JSON object whose "alg" is a
 * string (copied to alg, at most alglen - 1 bytes) and whose "kid", when
 * present, is a string (copied to kid, "" when absent). A header with
 * "crit" is refused (RFC 7515 §4.1.11: we understand no extension).
 * Returns 0, or -1 with a reason. */
int jose_jws_header(const char *token, char *alg, size_t alglen, char *kid, size_t kidlen,
		    char *err, size_t errlen);

/* Verify the compact JWS `token`: header alg must be RS256 and its kid
 * (or the only key when it names none) must be in `keys`; then libjwt
 * checks the signature with that key's PEM and must report RS256. On
 * success returns 0 and sets *claims to a new JSON object of the payload.
 * Returns 1 when the header names a kid that `keys` does not hold (the
 * caller may fetch the set again), -1 with a reason otherwise (malformed,
 * another alg, a bad signature, a payload that is not a JSON object). */
int jose_jwt_verify(const char *token, const struct jose_keys *keys, struct json_object **claims,
		    char *err, size_t errlen);

/* What the claims of an access token must say. */
struct jose_expect {
	const char *issuer;         /* the issuer URL ("https://login.example.com"); iss
				     * must be it (trailing '/' aside) or its host[:port]
				     * (some servers send that) */
	const char *client_id;      /* must be in aud; azp, when present, must be it */
	const char *audience;       /* a second value that must be in aud, or NULL */
	const char *subject_prefix; /* sub must be this followed by 1..19 digits, not 0 */
	const char *name_claim;     /* the claim holding a display name, or NULL */
	int64_t now_s;              /* the time now, seconds since the epoch */
};

/* Check the claims of a verified token: iss, aud (a string or an array of
 * strings), azp, exp (required, a number, later than now - JOSE_SKEW_S),
 * nbf (when present, not later than now + JOSE_SKEW_S) and sub. On success
 * returns 0, copies the digits of sub into id (idlen bytes) and the display
 * name into name ("" when the claim is absent, not a string or longer than
 * namelen - 1 bytes). Returns -1 with a reason that names the failed claim
 * otherwise. Pure. */
int jose_check_claims(struct json_object *claims, const struct jose_expect *e, char *id,
		      size_t idlen, char *name, size_t namelen, char *err, size_t errlen);

#endif
