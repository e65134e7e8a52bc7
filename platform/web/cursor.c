/* cursor.c: keyset cursors as base64url payload and HMAC tag. */
#include "platform/web/cursor.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#define TAG_BYTES 12

static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void b64_encode(struct buf *out, const unsigned char *p, size_t n)
{
	size_t i;
	for (i = 0; i + 2 < n; i += 3) {
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

/* Decode n characters of unpadded base64url; -1 on a character outside the
 * alphabet, an impossible length, or non-zero unused trailing bits (so each
 * byte string has exactly one accepted spelling). */
static int b64_decode(const char *s, size_t n, struct buf *out)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t i;

	if (n % 4 == 1)
		return -1;
	for (i = 0; i < n; i++) {
		const char *c = memchr(b64url, s[i], 64);
		if (!c || !s[i])
			return -1;
		acc = acc << 6 | (uint32_t)(c - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addch(out, (char)(acc >> bits & 0xff));
		}
	}
	if (acc & ((1u << bits) - 1))
		return -1;
	return 0;
}

static void tag_of(const char *list, const char *payload, size_t len, const char *secret,
		   unsigned char tag[EVP_MAX_MD_SIZE])
{
	struct buf msg = BUF_INIT;
	unsigned int mdlen = 0;
	const char *key = secret;

	buf_addstr(&msg, list);
	buf_addch(&msg, '\0');
	buf_add(&msg, payload, len);
	if (!HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg.data, msg.len,
		  tag, &mdlen))
		abort(); /* only on allocation failure inside OpenSSL */
	buf_release(&msg);
}

int cursor_encode(struct buf *out, const char *list, int64_t key, const char *id,
		  const char *secret)
{
	struct buf payload = BUF_INIT;
	unsigned char tag[EVP_MAX_MD_SIZE];
	size_t idlen = strlen(id);

	if (!secret || !*secret)
		return -1; /* never sign with an empty key (cfg.h) */
	if (idlen > CURSOR_MAX_ID)
		idlen = CURSOR_MAX_ID;
	buf_addf(&payload, "%" PRId64 ".", key);
	buf_add(&payload, id, idlen);
	tag_of(list, payload.data, payload.len, secret, tag);
	b64_encode(out, (const unsigned char *)payload.data, payload.len);
	buf_addch(out, '.');
	b64_encode(out, tag, TAG_BYTES);
	buf_release(&payload);
	return 0;
}

int cursor_decode(const char *token, const char *list, const char *secret, int64_t *key,
		  struct buf *id)
{
	struct buf payload = BUF_INIT, got = BUF_INIT;
	unsigned char want[EVP_MAX_MD_SIZE];
	size_t len = strlen(token), plen;
	const char *dot = strchr(token, '.'), *p, *sep;
	char *end;
	long long k;
	int ret = -1;

	if (!secret || !*secret || !dot || len > CURSOR_MAX_LEN)
		return -1;
	plen = (size_t)(dot - token);
	if (b64_decode(token, plen, &payload) < 0 ||
	    b64_decode(dot + 1, len - plen - 1, &got) < 0 || got.len != TAG_BYTES)
		goto out;
	tag_of(list, payload.data, payload.len, secret, want);
	if (CRYPTO_memcmp(want, got.data, TAG_BYTES))
		goto out;
	/* the tag matched, so the payload is ours; check its shape anyway */
	p = payload.data;
	sep = memchr(p, '.', payload.len);
	if (!sep || sep == p || (size_t)(payload.len - (size_t)(sep - p) - 1) == 0 ||
	    memchr(p, '\0', payload.len))
		goto out;
	if (strspn(*p == '-' ? p + 1 : p, "0123456789") != (size_t)(sep - p) - (*p == '-'))
		goto out;
	errno = 0;
	k = strtoll(p, &end, 10);
	if (errno || end != sep)
		goto out;
	*key = k;
	buf_addstr(id, sep + 1);
	ret = 0;
out:
	buf_release(&payload);
	buf_release(&got);
	return ret;
}
