/* sha256.h: SHA-256 and HMAC-SHA256 through OpenSSL's EVP interface.
 * Used for content addresses of mirrored assets and for AWS Signature V4
 * (core/s3.c). Digests are 32 bytes; hex forms are 64 lower-case digits
 * plus a NUL. OpenSSL allocation failures abort (as buf.h does). */
#ifndef GW_SHA256_H
#define GW_SHA256_H

#include <stddef.h>

#define SHA256_LEN 32
#define SHA256_HEX_LEN 65 /* 64 digits + NUL */

/* SHA-256 of `len` bytes of `data` (may be NULL only when len is 0) into
 * out[32]. */
void sha256_raw(const void *data, size_t len, unsigned char out[SHA256_LEN]);

/* The same as lower-case hex into out[65] (NUL-terminated). Returns out. */
char *sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN]);

/* HMAC-SHA256 of `data` under `key` into out[32] (RFC 2104 with SHA-256). */
void hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
		 unsigned char out[SHA256_LEN]);

/* Lower-case hex of `n` bytes into out (at least 2n + 1 bytes). Returns out. */
char *hex_encode(const unsigned char *in, size_t n, char *out);

/* Incremental hashing of a stream (files in the integrity sweep). */
struct sha256_stream;

/* A new stream; free it with sha256_stream_finish(). */
struct sha256_stream *sha256_stream_new(void);

/* Hash `len` more bytes of `data` (borrowed; NULL only when len is 0). */
void sha256_stream_add(struct sha256_stream *s, const void *data, size_t len);

/* Write the hex digest into out[65] and free the stream. */
void sha256_stream_finish(struct sha256_stream *s, char out[SHA256_HEX_LEN]);

#endif
