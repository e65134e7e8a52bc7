/* sha256.c: SHA-256 and HMAC-SHA256 on OpenSSL EVP (contract in sha256.h). */
#include "sha256.h"

#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

char *hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;
	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

void sha256_raw(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	unsigned int n = 0;
	if (!EVP_Digest(len ? data : "", len, out, &n, EVP_sha256(), NULL) || n != SHA256_LEN)
		abort();
}

char *sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN])
{
	unsigned char d[SHA256_LEN];
	sha256_raw(data, len, d);
	return hex_encode(d, SHA256_LEN, out);
}

void hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
		 unsigned char out[SHA256_LEN])
{
	unsigned int n = 0;
	if (!HMAC(EVP_sha256(), key, (int)keylen, len ? data : (const void *)"", len, out, &n) ||
	    n != SHA256_LEN)
		abort();
}

struct sha256_stream {
	EVP_MD_CTX *ctx;
};

struct sha256_stream *sha256_stream_new(void)
{
	struct sha256_stream *s = malloc(sizeof *s);
	if (!s)
		abort();
	s->ctx = EVP_MD_CTX_new();
	if (!s->ctx || !EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL))
		abort();
	return s;
}

void sha256_stream_add(struct sha256_stream *s, const void *data, size_t len)
{
	if (len && !EVP_DigestUpdate(s->ctx, data, len))
		abort();
}

void sha256_stream_finish(struct sha256_stream *s, char out[SHA256_HEX_LEN])
{
	unsigned char d[SHA256_LEN];
	unsigned int n = 0;
	if (!EVP_DigestFinal_ex(s->ctx, d, &n) || n != SHA256_LEN)
		abort();
	EVP_MD_CTX_free(s->ctx);
	free(s);
	hex_encode(d, SHA256_LEN, out);
}
