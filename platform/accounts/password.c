/* password.c: Argon2id through libargon2 (password.h). */
#include "platform/accounts/password.h"

#include <argon2.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pw_hash(const char *password, char *out, size_t outlen)
{
	unsigned char salt[PW_SALT_BYTES];
	size_t need = argon2_encodedlen(PW_T_COST, PW_M_COST_KIB, PW_PARALLELISM, PW_SALT_BYTES,
					PW_HASH_BYTES, Argon2_id);
	if (outlen < need)
		return -1;
	if (RAND_bytes(salt, sizeof salt) != 1)
		abort(); /* no randomness: no salt */
	return argon2id_hash_encoded(PW_T_COST, PW_M_COST_KIB, PW_PARALLELISM, password,
				     strlen(password), salt, sizeof salt, PW_HASH_BYTES, out,
				     outlen) == ARGON2_OK ? 0 : -1;
}

int pw_verify(const char *encoded, const char *password)
{
	int rc;
	if (!encoded || !password || strncmp(encoded, "$argon2id$", 10))
		return -1;
	rc = argon2id_verify(encoded, password, strlen(password));
	if (rc == ARGON2_OK)
		return 1;
	if (rc == ARGON2_VERIFY_MISMATCH)
		return 0;
	return -1;
}

void pw_verify_dummy(const char *password)
{
	static char dummy[PW_ENCODED_MAX];
	if (!dummy[0] && pw_hash("gamewatch: no such account", dummy, sizeof dummy) < 0)
		return;
	(void)pw_verify(dummy, password ? password : "");
}

bool pw_needs_rehash(const char *encoded)
{
	char want[64];
	snprintf(want, sizeof want, "$argon2id$v=%d$m=%d,t=%d,p=%d$", ARGON2_VERSION_NUMBER,
		 PW_M_COST_KIB, PW_T_COST, PW_PARALLELISM);
	return !encoded || strncmp(encoded, want, strlen(want)) != 0;
}

char *pw_generate(char *out, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	size_t i = 0;
	while (i < len) {
		unsigned char b;
		if (RAND_bytes(&b, 1) != 1)
			abort();
		/* 62 * 4 = 248: reject 248..255 so every character is equally likely */
		if (b >= 248)
			continue;
		out[i++] = alphabet[b % 62];
	}
	out[len] = '\0';
	return out;
}
