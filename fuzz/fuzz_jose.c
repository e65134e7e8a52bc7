/* fuzz_jose.c: libFuzzer target for what an OAuth 2.0 sign-in server sends
 * (platform/accounts/jose.h, oauth2.h): its metadata document, its JWK
 * set, its token answer, and the access token itself.
 *
 * The first byte picks the parser; the rest of the input is its argument:
 *   0 a JWK set: jose_jwks_parse (every key kept is a PEM public key,
 *     there are at most JOSE_KEYS_MAX, kids are unique)
 *   1 a token answer: oauth2_token_parse (a token taken is 1..16384 bytes)
 *   2 a metadata document: oauth2_metadata_parse against a fixed base
 *     (every endpoint accepted is on the base's origin)
 *   3 an access token: jose_jws_header, then jose_jwt_verify against the
 *     RFC 7515 A.2 key (a token can only verify when its header says
 *     RS256), and jose_check_claims of its payload when it is JSON
 *   4 claims as JSON: jose_check_claims (an accepted subject's id is only
 *     digits, not starting with 0)
 * An abort is a crash for libFuzzer. Seeds: fuzz/corpus/jose/. Build and
 * run: fuzz/run.sh jose. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform/accounts/jose.h"
#include "platform/accounts/oauth2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) \
	do { \
		if (!(c)) \
			abort(); \
	} while (0)

#define BASE "https://login.example.com"

/* RFC 7515 Appendix A.2's public key */
static const char rfc_jwks[] =
	"{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k\",\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx"
	"HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_"
	"7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwK"
	"h9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ\",\"e\":\"AQAB\"}]}";

static void claims(struct json_object *c)
{
	struct jose_expect e = { BASE, "client", "EVE Online", "CHARACTER:EVE:", "name", 1700000000 };
	char id[24], name[72], err[200];
	size_t i;
	if (jose_check_claims(c, &e, id, sizeof id, name, sizeof name, err, sizeof err) == 0) {
		CHECK(id[0] >= '1' && id[0] <= '9');
		for (i = 0; id[i]; i++)
			CHECK(id[i] >= '0' && id[i] <= '9');
		CHECK(strlen(name) < sizeof name);
	} else {
		CHECK(err[0]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jose_keys rfc;
	static int ready;
	const char *s;
	char err[200];
	size_t n;
	int i;
	if (!ready) {
		CHECK(jose_jwks_parse(rfc_jwks, sizeof rfc_jwks - 1, &rfc, err, sizeof err) == 1);
		ready = 1;
	}
	if (size < 1)
		return 0;
	s = (const char *)data + 1;
	n = size - 1;
	switch (data[0] % 5) {
	case 0: {
		struct jose_keys k;
		int got = jose_jwks_parse(s, n, &k, err, sizeof err);
		CHECK(got == -1 || (got == k.n && got >= 1 && got <= JOSE_KEYS_MAX));
		for (i = 0; i < k.n; i++) {
			int j;
			CHECK(!strncmp(k.key[i].pem, "-----BEGIN PUBLIC KEY-----\n", 27));
			for (j = 0; j < i; j++)
				CHECK(strcmp(k.key[i].kid, k.key[j].kid));
		}
		jose_keys_free(&k);
		break;
	}
	case 1: {
		struct buf tok = BUF_INIT;
		if (oauth2_token_parse(s, n, &tok, err, sizeof err) == 0)
			CHECK(tok.len >= 1 && tok.len <= JOSE_TOKEN_MAX);
		else
			CHECK(tok.len == 0);
		buf_release(&tok);
		break;
	}
	case 2: {
		struct oauth2_metadata md;
		if (oauth2_metadata_parse(s, n, BASE, &md, err, sizeof err) == 0) {
			CHECK(oauth2_same_origin(md.authorization_endpoint, BASE));
			CHECK(oauth2_same_origin(md.token_endpoint, BASE));
			CHECK(oauth2_same_origin(md.jwks_uri, BASE));
		}
		break;
	}
	case 3: {
		char *t = malloc(n + 1), alg[16], kid[JOSE_KID_MAX + 1];
		struct json_object *c = NULL;
		int hdr, rc;
		if (!t)
			abort();
		memcpy(t, s, n);
		t[n] = '\0';
		hdr = jose_jws_header(t, alg, sizeof alg, kid, sizeof kid, err, sizeof err);
		rc = jose_jwt_verify(t, &rfc, &c, err, sizeof err);
		CHECK(rc == 0 || c == NULL);
		if (rc == 0) {
			CHECK(hdr == 0 && !strcmp(alg, "RS256"));
			claims(c);
		}
		json_object_put(c);
		free(t);
		break;
	}
	case 4: {
		struct json_object *c = jose_json_doc(s, n);
		if (c && json_object_is_type(c, json_type_object))
			claims(c);
		json_object_put(c);
		break;
	}
	}
	return 0;
}
