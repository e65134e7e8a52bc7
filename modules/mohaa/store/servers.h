/* servers.h: registered game servers and their tokens (table
 * mohaa.servers). A token is shown once, when made; only its SHA-256 is
 * stored, and a presented token is compared by digest in constant time. */
#ifndef GW_MOHAA_SERVERS_H
#define GW_MOHAA_SERVERS_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct json_object;

#define MOHAA_TOKEN_PREFIX "mohaa_"
#define MOHAA_TOKEN_LEN (6 + 64) /* "mohaa_" + 64 hex digits of 32 random bytes */

/* Register server `name` (1..64 bytes of UTF-8 without control characters)
 * with a new random token (OpenSSL RAND_bytes), written NUL-terminated into
 * token[MOHAA_TOKEN_LEN + 1]. Returns the new id; 0 when the name is taken
 * or invalid; -1 on a database or randomness failure (logged). */
int64_t mohaa_server_add(struct db *db, const char *name, char *token);

/* Give server `name` a new token (the old one stops working at once).
 * Returns 1, 0 when there is no such server, -1 on error. */
int mohaa_server_rotate(struct db *db, const char *name, char *token);

/* Revoke server `name`'s token. Returns 1, 0 when no such active server,
 * -1 on error. */
int mohaa_server_revoke(struct db *db, const char *name);

/* Every server: [{"id","name","created_at","revoked_at","last_seen_at",
 * "last_label"}] ordered by name; NULL on error. Caller owns it. */
struct json_object *mohaa_server_list(struct db *db);

/* The SHA-256 of `len` bytes of `token`, into digest[32]. */
void mohaa_token_digest(const char *token, size_t len, unsigned char digest[32]);

/* The active server whose token has digest `digest`: looked up by the
 * digest, then compared with CRYPTO_memcmp. Returns its id, 0 when none
 * (unknown or revoked), -1 on a database error. */
int64_t mohaa_server_by_digest(struct db *db, const unsigned char digest[32]);

#endif
