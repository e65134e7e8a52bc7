/* servers.c: registered game servers and their tokens (servers.h). */
#include "modules/mohaa/store/servers.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "log.h"
#include "sha256.h"

void mohaa_token_digest(const char *token, size_t len, unsigned char digest[32])
{
	sha256_raw(token, len, digest);
}

/* A new token into token[MOHAA_TOKEN_LEN + 1] and its digest as the text
 * form of a bytea parameter ("\x" + 64 hex) into hexparam[67]. */
static int new_token(char *token, char *hexparam)
{
	unsigned char raw[32], digest[32];
	if (RAND_bytes(raw, sizeof raw) != 1) {
		log_error("RAND_bytes failed: cannot make a server token");
		return -1;
	}
	memcpy(token, MOHAA_TOKEN_PREFIX, 6);
	hex_encode(raw, sizeof raw, token + 6);
	mohaa_token_digest(token, MOHAA_TOKEN_LEN, digest);
	hexparam[0] = '\\';
	hexparam[1] = 'x';
	hex_encode(digest, sizeof digest, hexparam + 2);
	OPENSSL_cleanse(raw, sizeof raw);
	return 0;
}

static int valid_name(const char *name)
{
	size_t n = strlen(name), i;
	if (n < 1 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return 0;
	return 1;
}

int64_t mohaa_server_add(struct db *db, const char *name, char *token)
{
	char hex[67];
	const char *params[2];
	PGresult *res;
	int64_t id = 0;
	if (!valid_name(name))
		return 0;
	if (new_token(token, hex) < 0)
		return -1;
	params[0] = name;
	params[1] = hex;
	res = db_exec(db, "INSERT INTO mohaa.servers (name, token_sha256) VALUES ($1, $2::bytea)"
			  " ON CONFLICT (name) DO NOTHING RETURNING id", 2, params);
	if (!res)
		return -1;
	if (PQntuples(res) == 1)
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (!id)
		OPENSSL_cleanse(token, MOHAA_TOKEN_LEN);
	return id;
}

int mohaa_server_rotate(struct db *db, const char *name, char *token)
{
	char hex[67];
	const char *params[2] = { name, hex };
	PGresult *res;
	int n;
	if (new_token(token, hex) < 0)
		return -1;
	res = db_exec(db, "UPDATE mohaa.servers SET token_sha256 = $2::bytea, revoked_at = NULL"
			  " WHERE name = $1 RETURNING id", 2, params);
	if (!res)
		return -1;
	n = PQntuples(res);
	PQclear(res);
	return n > 0;
}

int mohaa_server_revoke(struct db *db, const char *name)
{
	const char *params[1] = { name };
	PGresult *res = db_exec(db, "UPDATE mohaa.servers SET revoked_at = now()"
				    " WHERE name = $1 AND revoked_at IS NULL RETURNING id", 1, params);
	int n;
	if (!res)
		return -1;
	n = PQntuples(res);
	PQclear(res);
	return n > 0;
}

struct json_object *mohaa_server_list(struct db *db)
{
	PGresult *res = db_exec(db,
		"SELECT json_agg(json_build_object('id', id, 'name', name,"
		" 'created_at', gw_iso(created_at), 'revoked_at', gw_iso(revoked_at),"
		" 'last_seen_at', gw_iso(last_seen_at), 'last_label', last_label) ORDER BY name)"
		" FROM mohaa.servers", 0, NULL);
	struct json_object *out;
	if (!res)
		return NULL;
	out = PQgetisnull(res, 0, 0) ? json_object_new_array()
				      : json_tokener_parse(PQgetvalue(res, 0, 0));
	PQclear(res);
	return out;
}

int64_t mohaa_server_by_digest(struct db *db, const unsigned char digest[32])
{
	char hex[67];
	const char *params[1] = { hex };
	PGresult *res;
	int64_t id = 0;
	hex[0] = '\\';
	hex[1] = 'x';
	hex_encode(digest, 32, hex + 2);
	res = db_exec(db, "SELECT id, encode(token_sha256, 'hex') FROM mohaa.servers"
			  " WHERE token_sha256 = $1::bytea AND revoked_at IS NULL", 1, params);
	if (!res)
		return -1;
	if (PQntuples(res) == 1 && strlen(PQgetvalue(res, 0, 1)) == 64 &&
	    CRYPTO_memcmp(PQgetvalue(res, 0, 1), hex + 2, 64) == 0)
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return id;
}
