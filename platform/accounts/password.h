/* password.h: password hashing for local accounts (the first admin,
 * created by `gamewatch-job user add`), with libargon2 (the reference
 * implementation of RFC 9106, Debian's libargon2-1).
 *
 * Argon2id with the OWASP Password Storage Cheat Sheet's first
 * configuration: m = 19 MiB (19456 KiB), t = 2 iterations, p = 1 lane
 * ("Use Argon2id with a minimum configuration of 19 MiB of memory, an
 * iteration count of 2, and 1 degree of parallelism", OWASP Cheat Sheet
 * Series, Password Storage, section "Argon2id"), a 16-byte random salt and
 * a 32-byte tag. The stored form is the PHC string argon2 encodes
 * ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<tag>", base64 without padding),
 * so a later change of parameters keeps old hashes verifiable and
 * pw_needs_rehash() tells which ones to upgrade at the next sign-in. */
#ifndef GW_PASSWORD_H
#define GW_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PW_T_COST 2          /* iterations */
#define PW_M_COST_KIB 19456  /* 19 MiB */
#define PW_PARALLELISM 1
#define PW_SALT_BYTES 16
#define PW_HASH_BYTES 32
#define PW_ENCODED_MAX 128   /* room for the PHC string of these parameters */
#define PW_MIN_LEN 12        /* shortest password accepted (bytes) */
#define PW_MAX_LEN 1024      /* longest (bytes): bounds the hashing work */

/* Hash `password` (NUL-terminated, PW_MIN_LEN..PW_MAX_LEN bytes is the
 * caller's rule; any length hashes) with a fresh random salt into `out`
 * (at least PW_ENCODED_MAX bytes), NUL-terminated. Returns 0, or -1 when
 * libargon2 fails (memory) or out is too small. */
int pw_hash(const char *password, char *out, size_t outlen);

/* Does `password` match the PHC string `encoded`? Returns 1 (match), 0 (no
 * match), -1 when `encoded` is not an Argon2id string argon2 can read.
 * Constant time in the tag (argon2's own comparison). */
int pw_verify(const char *encoded, const char *password);

/* Hash `password` against a fixed throwaway hash and drop the result: an
 * unknown account name costs as much time as a known one. */
void pw_verify_dummy(const char *password);

/* Was `encoded` made with other parameters than the current ones (or is it
 * unreadable)? Then the next successful sign-in stores a new hash. */
bool pw_needs_rehash(const char *encoded);

/* A random password of `len` characters (letters and digits, 5.95 bits
 * each; 20 characters are 119 bits) into out[len + 1]. Returns out. */
char *pw_generate(char *out, size_t len);

#endif
