/* accounts.c: users, identities, web sessions, presence and what a user
 * keeps; every SQL statement of the accounts (accounts.h). */
#include "platform/accounts/accounts.h"

#include <inttypes.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "log.h"
#include "platform/web/app.h"
#include "platform/web/guard.h"
#include "platform/web/req.h"
#include "platform/web/route.h"
#include "sha256.h"
#include "timeutil.h"

/* ---- pure helpers ------------------------------------------------------ */

int acct_role_parse(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "user"))
		return ROLE_USER;
	if (!strcmp(s, "curator"))
		return ROLE_CURATOR;
	if (!strcmp(s, "admin"))
		return ROLE_ADMIN;
	return -1;
}

const char *acct_role_name(int role)
{
	switch (role) {
	case ROLE_USER:
		return "user";
	case ROLE_CURATOR:
		return "curator";
	case ROLE_ADMIN:
		return "admin";
	default:
		return "";
	}
}

bool acct_token_well_formed(const char *s)
{
	size_t i;
	if (!s || strlen(s) != ACCT_TOKEN_HEX)
		return false;
	for (i = 0; i < ACCT_TOKEN_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool acct_safe_next(const char *next)
{
	size_t i, n;
	if (!next || next[0] != '/' || next[1] == '/')
		return false;
	n = strlen(next);
	if (n > 1000)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)next[i];
		if (c < 0x20 || c == 0x7f || c == '\\')
			return false;
		if (c == '/' && next[i + 1] == '/')
			return false;
	}
	return true;
}

/* Length of the UTF-8 sequence at s (1..4), or 0 when it is malformed
 * (RFC 3629: no overlongs, no surrogates, at most U+10FFFF). */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

bool acct_name_ok(const char *name)
{
	return acct_text_ok(name, ACCT_NAME_MAX);
}

bool acct_text_ok(const char *name, size_t max)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t n;
	bool visible = false;
	if (!name)
		return false;
	n = strlen(name);
	if (n < 1 || n > max)
		return false;
	while (*p) {
		size_t k = utf8_seq(p);
		if (!k)
			return false;
		if (k == 1 && (*p < 0x20 || *p == 0x7f))
			return false;
		/* C1 controls U+0080..U+009F */
		if (k == 2 && p[0] == 0xc2 && p[1] < 0xa0)
			return false;
		if (!(k == 1 && *p == ' '))
			visible = true;
		p += k;
	}
	return visible;
}

/* ---- sessions ------------------------------------------------------------- */

static int session_hours(void)
{
	const char *v = getenv("GW_SESSION_HOURS");
	long h;
	char *end;
	if (!v || !*v)
		return ACCT_SESSION_HOURS_DEFAULT;
	h = strtol(v, &end, 10);
	if (*end || h < 1 || h > 24 * 366) {
		log_warn("invalid GW_SESSION_HOURS \"%s\" (want 1..8784): using %d", v,
			 ACCT_SESSION_HOURS_DEFAULT);
		return ACCT_SESSION_HOURS_DEFAULT;
	}
	return (int)h;
}

int acct_current(struct app *app, struct req *r)
{
	static const char sql[] =
		"SELECT u.id, u.name, u.role FROM web_sessions s JOIN users u ON u.id = s.user_id"
		" WHERE s.token_sha256 = $1 AND s.revoked_at IS NULL AND s.expires_at > now()"
		"   AND u.banned_at IS NULL";
	const char *tok;
	char hash[SHA256_HEX_LEN];
	const char *params[1] = { hash };
	PGresult *res;

	if (r->auth.loaded)
		return r->auth.db_error ? -1 : 0;
	r->auth.loaded = true;
	tok = req_cookie(r, ACCT_SESSION_COOKIE);
	if (!acct_token_well_formed(tok))
		return 0;
	sha256_hex(tok, ACCT_TOKEN_HEX, hash);
	res = db_exec(&app->db, sql, 1, params);
	if (!res) {
		r->auth.db_error = true;
		return -1;
	}
	if (PQntuples(res) == 1) {
		int role = acct_role_parse(PQgetvalue(res, 0, 2));
		if (role > 0) {
			r->auth.user_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
			r->auth.role = role;
			snprintf(r->auth.name, sizeof r->auth.name, "%s", PQgetvalue(res, 0, 1));
			memcpy(r->auth.session_hash, hash, sizeof r->auth.session_hash);
		}
	}
	PQclear(res);
	if (r->auth.user_id)
		acct_presence_touch(app, r->auth.user_id);
	return 0;
}

static void session_cookie(struct app *app, struct req *r, const char *value, long max_age)
{
	struct buf sc = BUF_INIT;
	buf_addf(&sc, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s", ACCT_SESSION_COOKIE,
		 value, max_age, app->guard.secure_cookie ? "; Secure" : "");
	req_header(r, "Set-Cookie", sc.data);
	buf_release(&sc);
}

/* Revoke the session whose token the browser sent, if any. */
static void revoke_sent(struct app *app, struct req *r)
{
	const char *tok = req_cookie(r, ACCT_SESSION_COOKIE);
	char hash[SHA256_HEX_LEN];
	const char *params[1] = { hash };
	if (!acct_token_well_formed(tok))
		return;
	sha256_hex(tok, ACCT_TOKEN_HEX, hash);
	db_run(&app->db, "UPDATE web_sessions SET revoked_at = now()"
			 " WHERE token_sha256 = $1 AND revoked_at IS NULL", 1, params);
}

int acct_sign_in(struct app *app, struct req *r, int64_t user_id, const char *provider)
{
	static const char sql[] =
		"WITH s AS (INSERT INTO web_sessions (token_sha256, user_id, expires_at, provider,"
		"   remote_addr, user_agent)"
		"  VALUES ($1, $2, now() + make_interval(hours => $3::int), $4, $5, $6)"
		"  RETURNING user_id)"
		" UPDATE users u SET last_login_at = now() FROM s WHERE u.id = s.user_id"
		" RETURNING u.name, u.role";
	unsigned char rnd[ACCT_TOKEN_HEX / 2];
	char tok[ACCT_TOKEN_HEX + 1], hash[SHA256_HEX_LEN], uid[24], hours[16];
	/* the user agent is not kept (req.h does not parse it): NULL */
	const char *params[6] = { hash, uid, hours, provider, r->remote_addr, NULL };
	PGresult *res;
	int h = session_hours(), role;

	if (RAND_bytes(rnd, sizeof rnd) != 1)
		abort(); /* no randomness: no session can be safe */
	hex_encode(rnd, sizeof rnd, tok);
	sha256_hex(tok, ACCT_TOKEN_HEX, hash);
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	snprintf(hours, sizeof hours, "%d", h);
	revoke_sent(app, r);
	res = db_exec(&app->db, sql, 6, params);
	if (!res)
		return -1;
	if (PQntuples(res) != 1 || (role = acct_role_parse(PQgetvalue(res, 0, 1))) < 0) {
		PQclear(res);
		log_error("sign-in of user %" PRId64 ": no such user", user_id);
		return -1;
	}
	memset(&r->auth, 0, sizeof r->auth);
	r->auth.loaded = true;
	r->auth.user_id = user_id;
	r->auth.role = role;
	snprintf(r->auth.name, sizeof r->auth.name, "%s", PQgetvalue(res, 0, 0));
	memcpy(r->auth.session_hash, hash, sizeof hash);
	PQclear(res);
	session_cookie(app, r, tok, (long)h * 3600);
	guard_cookie_override(r, ACCT_SESSION_COOKIE, tok);
	guard_csrf_rotate(app, r);
	acct_presence_touch(app, user_id);
	log_info("user %" PRId64 " signed in (%s)", user_id, provider);
	return 0;
}

void acct_sign_out(struct app *app, struct req *r)
{
	revoke_sent(app, r);
	session_cookie(app, r, "", 0);
	guard_cookie_override(r, ACCT_SESSION_COOKIE, "");
	guard_csrf_rotate(app, r);
	if (r->auth.user_id) {
		char id[24];
		const char *argv[3] = { "ZREM", ACCT_PRESENCE_KEY, id };
		redisReply *rep;
		snprintf(id, sizeof id, "%" PRId64, r->auth.user_id);
		rep = kv_cmd(&app->kv, 3, argv, NULL);
		if (rep)
			freeReplyObject(rep);
	}
	memset(&r->auth, 0, sizeof r->auth);
	r->auth.loaded = true;
}

long acct_revoke_sessions(struct db *db, int64_t user_id, const char *keep)
{
	char uid[24];
	const char *params[2] = { uid, keep };
	PGresult *res;
	long n;
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	res = db_exec(db, "UPDATE web_sessions SET revoked_at = now()"
			  " WHERE user_id = $1 AND revoked_at IS NULL"
			  "   AND ($2::text IS NULL OR token_sha256 <> $2)", 2, params);
	if (!res)
		return -1;
	n = strtol(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return n;
}

/* ---- users and identities ------------------------------------------------- */

int acct_identity_user(struct db *db, const char *provider, const char *external_id,
		       int64_t *user_id, bool *banned)
{
	const char *params[2] = { provider, external_id };
	PGresult *res = db_exec(db, "SELECT u.id, u.banned_at IS NOT NULL FROM user_identities i"
				    " JOIN users u ON u.id = i.user_id"
				    " WHERE i.provider = $1 AND i.external_id = $2", 2, params);
	int found;
	if (!res)
		return -1;
	found = PQntuples(res) == 1;
	if (found) {
		*user_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		*banned = PQgetvalue(res, 0, 1)[0] == 't';
	}
	PQclear(res);
	return found;
}

/* {"name", "profile_url"} of a profile, as the identity's profile column. */
static char *profile_json(const struct acct_profile *p)
{
	struct json_object *o = json_object_new_object();
	char *s;
	if (p->name[0])
		json_object_object_add(o, "name", json_object_new_string(p->name));
	if (p->profile_url[0])
		json_object_object_add(o, "profile_url", json_object_new_string(p->profile_url));
	if (p->avatar_url[0])
		json_object_object_add(o, "avatar_url", json_object_new_string(p->avatar_url));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	if (!s)
		abort();
	return s;
}

int64_t acct_user_create(struct db *db, const struct acct_profile *p, const char *role,
			 const char *password_hash)
{
	static const char sql[] =
		"WITH u AS (INSERT INTO users (name, role, password_hash) VALUES ($1, $2, $3)"
		"  RETURNING id)"
		" INSERT INTO user_identities (user_id, provider, external_id, profile, last_login_at)"
		" SELECT u.id, $4, $5, $6::jsonb, NULL FROM u"
		" ON CONFLICT (provider, external_id) DO NOTHING RETURNING user_id";
	struct buf name = BUF_INIT;
	char *prof = profile_json(p);
	const char *params[6] = { NULL, role, password_hash, p->provider, p->external_id, prof };
	PGresult *res;
	int64_t id = -1;

	if (p->name[0] && acct_name_ok(p->name))
		buf_addstr(&name, p->name);
	else
		buf_addf(&name, "%s %s", p->provider, p->external_id);
	if (name.len > ACCT_NAME_MAX)
		buf_truncate(&name, ACCT_NAME_MAX);
	params[0] = name.data;
	if (db_begin(db) < 0)
		goto out;
	res = db_exec(db, sql, 6, params);
	if (!res) {
		db_rollback(db);
		goto out;
	}
	if (PQntuples(res) != 1) {
		/* the identity is someone's already: undo the new user */
		PQclear(res);
		db_rollback(db);
		id = -2;
		goto out;
	}
	id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (db_commit(db) < 0)
		id = -1;
out:
	free(prof);
	buf_release(&name);
	return id;
}

int acct_identity_link(struct db *db, int64_t user_id, const struct acct_profile *p)
{
	static const char sql[] =
		"WITH ins AS (INSERT INTO user_identities (user_id, provider, external_id, profile)"
		"  VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (provider, external_id) DO NOTHING"
		"  RETURNING user_id)"
		" SELECT (SELECT user_id FROM ins),"
		"  (SELECT user_id FROM user_identities WHERE provider = $2 AND external_id = $3)";
	char uid[24];
	char *prof = profile_json(p);
	const char *params[4] = { uid, p->provider, p->external_id, prof };
	PGresult *res;
	int ret;
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	res = db_exec(db, sql, 4, params);
	free(prof);
	if (!res)
		return -1;
	if (!PQgetisnull(res, 0, 0))
		ret = 0;
	else if (!PQgetisnull(res, 0, 1) && strtoll(PQgetvalue(res, 0, 1), NULL, 10) == user_id)
		ret = 1;
	else
		ret = -2;
	PQclear(res);
	return ret;
}

int acct_identity_touch(struct db *db, int64_t user_id, const struct acct_profile *p)
{
	char uid[24];
	char *prof = profile_json(p);
	const char *params[4] = { uid, p->provider, p->external_id, prof };
	int ret;
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	ret = db_run(db, "UPDATE user_identities SET last_login_at = now(),"
			 " profile = CASE WHEN $4::jsonb = '{}' THEN profile ELSE profile || $4::jsonb END"
			 " WHERE user_id = $1 AND provider = $2 AND external_id = $3", 4, params);
	free(prof);
	return ret;
}

void acct_login_key(const char *name, char *out, size_t outlen)
{
	size_t i;
	if (!outlen)
		return;
	for (i = 0; name && name[i] && i + 1 < outlen; i++)
		out[i] = name[i] >= 'A' && name[i] <= 'Z' ? (char)(name[i] - 'A' + 'a') : name[i];
	out[i] = '\0';
}

int acct_local_lookup(struct db *db, const char *name, int64_t *user_id, struct buf *hash,
		      bool *banned)
{
	char key[ACCT_NAME_MAX + 1];
	const char *params[1] = { key };
	PGresult *res;
	int found;
	acct_login_key(name, key, sizeof key);
	res = db_exec(db, "SELECT u.id, u.password_hash, u.banned_at IS NOT NULL"
			  " FROM user_identities i JOIN users u ON u.id = i.user_id"
			  " WHERE i.provider = 'local' AND i.external_id = $1"
			  "   AND u.password_hash IS NOT NULL", 1, params);
	if (!res)
		return -1;
	found = PQntuples(res) == 1;
	if (found) {
		*user_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		buf_reset(hash);
		buf_addstr(hash, PQgetvalue(res, 0, 1));
		*banned = PQgetvalue(res, 0, 2)[0] == 't';
	}
	PQclear(res);
	return found;
}

int acct_set_password(struct db *db, int64_t user_id, const char *hash)
{
	char uid[24];
	const char *params[2] = { uid, hash };
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	return db_run(db, "UPDATE users SET password_hash = $2 WHERE id = $1", 2, params);
}

int acct_known_name(struct db *db, const char *provider, const char *external_id, char *out,
		    size_t outlen)
{
	const char *params[2] = { provider, external_id };
	PGresult *res = db_exec(db, "SELECT coalesce("
				    " (SELECT nullif(nickname, '') FROM player_profiles"
				    "   WHERE provider = $1 AND external_id = $2 AND found),"
				    " (SELECT nullif(last_name, '') FROM identities"
				    "   WHERE provider = $1 AND external_id = $2))", 2, params);
	int found;
	if (!res)
		return -1;
	found = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) &&
		acct_name_ok(PQgetvalue(res, 0, 0));
	if (found)
		snprintf(out, outlen, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return found;
}

int acct_nonce_take(struct db *db, const char *endpoint, const char *nonce)
{
	const char *params[2] = { endpoint, nonce };
	PGresult *res;
	int fresh;
	db_run(db, "DELETE FROM openid_nonces WHERE used_at < now() - interval '1 day'", 0, NULL);
	res = db_exec(db, "INSERT INTO openid_nonces (endpoint, nonce) VALUES ($1, $2)"
			  " ON CONFLICT DO NOTHING", 2, params);
	if (!res)
		return -1;
	fresh = strtol(PQcmdTuples(res), NULL, 10) == 1;
	PQclear(res);
	return fresh;
}

/* ---- export and deletion ------------------------------------------------------ */

struct json_object *acct_export(struct db *db, int64_t user_id)
{
	static const char sql[] =
		"SELECT json_build_object("
		" 'format', 'gamewatch-account-export/1',"
		" 'exported_at', gw_iso(now()),"
		" 'user', (SELECT json_build_object('id', u.id, 'name', u.name, 'role', u.role,"
		"   'created_at', gw_iso(u.created_at), 'last_login_at', gw_iso(u.last_login_at),"
		"   'has_password', u.password_hash IS NOT NULL) FROM users u WHERE u.id = $1),"
		" 'identities', (SELECT coalesce(json_agg(json_build_object('id', i.id, 'provider', i.provider,"
		"   'external_id', i.external_id, 'profile', i.profile, 'linked_at', gw_iso(i.linked_at),"
		"   'last_login_at', gw_iso(i.last_login_at)) ORDER BY i.id), '[]')"
		"   FROM user_identities i WHERE i.user_id = $1),"
		" 'sessions', (SELECT coalesce(json_agg(json_build_object('created_at', gw_iso(s.created_at),"
		"   'expires_at', gw_iso(s.expires_at), 'revoked_at', gw_iso(s.revoked_at),"
		"   'provider', s.provider, 'remote_addr', s.remote_addr) ORDER BY s.created_at), '[]')"
		"   FROM web_sessions s WHERE s.user_id = $1),"
		" 'watchlist', (SELECT coalesce(json_agg(json_build_object('module', w.module, 'kind', w.kind,"
		"   'key', w.key, 'label', w.label, 'created_at', gw_iso(w.created_at))"
		"   ORDER BY w.created_at), '[]') FROM user_watchlist w WHERE w.user_id = $1),"
		" 'filters', (SELECT coalesce(json_agg(json_build_object('id', f.id, 'module', f.module, 'name', f.name,"
		"   'path', f.path, 'created_at', gw_iso(f.created_at)) ORDER BY f.id), '[]')"
		"   FROM user_filters f WHERE f.user_id = $1),"
		" 'proposals', (SELECT coalesce(json_agg(json_build_object('id', p.id, 'module', p.module,"
		"   'entity_kind', p.entity_kind, 'entity_key', p.entity_key, 'fields', p.fields,"
		"   'image_sha256', p.image_sha256, 'note', p.note, 'status', p.status,"
		"   'created_at', gw_iso(p.created_at)) ORDER BY p.id), '[]')"
		"   FROM curation_proposals p WHERE p.proposed_by = $1),"
		" 'audit', (SELECT coalesce(json_agg(json_build_object('at', gw_iso(a.at), 'action', a.action,"
		"   'target', a.target, 'before', a.before, 'after', a.after) ORDER BY a.id), '[]')"
		"   FROM audit_log a WHERE a.actor_id = $1))";
	char uid[24];
	const char *params[1] = { uid };
	PGresult *res;
	struct json_object *o = NULL;
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	res = db_exec(db, sql, 1, params);
	if (!res)
		return NULL;
	if (PQntuples(res) == 1)
		o = json_tokener_parse(PQgetvalue(res, 0, 0));
	PQclear(res);
	return o;
}

int acct_delete(struct db *db, int64_t user_id)
{
	char uid[24];
	const char *params[1] = { uid };
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	return db_run(db, "DELETE FROM users WHERE id = $1", 1, params);
}

struct json_object *acct_public_profile(struct db *db, int64_t id, const char *cdn, int *found)
{
	static const char sql[] =
		"SELECT json_build_object('id', u.id, 'name', u.name, 'role', u.role,"
		" 'created_at', gw_iso(u.created_at),"
		" 'avatar_url', (SELECT gw_asset_url('avatar', i.provider || ':' || i.external_id, $2)"
		"   FROM user_identities i WHERE i.user_id = u.id AND i.provider <> 'local'"
		"   AND gw_asset_url('avatar', i.provider || ':' || i.external_id, $2) IS NOT NULL"
		"   ORDER BY i.id LIMIT 1),"
		" 'identities', (SELECT coalesce(json_agg(json_build_object('provider', i.provider,"
		"   'external_id', i.external_id, 'name', i.profile->>'name',"
		"   'profile_url', i.profile->>'profile_url') ORDER BY i.id), '[]')"
		"   FROM user_identities i WHERE i.user_id = u.id AND i.provider <> 'local'))"
		" FROM users u WHERE u.id = $1 AND u.banned_at IS NULL";
	char uid[24];
	const char *params[2] = { uid, cdn };
	PGresult *res;
	struct json_object *o = NULL;
	snprintf(uid, sizeof uid, "%" PRId64, id);
	*found = -1;
	res = db_exec(db, sql, 2, params);
	if (!res)
		return NULL;
	*found = PQntuples(res) == 1;
	if (*found)
		o = json_tokener_parse(PQgetvalue(res, 0, 0));
	PQclear(res);
	return o;
}

/* The number a one-row, one-column statement returned, or -1. */
static long scalar_long(struct db *db, const char *sql, int n, const char *const *params)
{
	PGresult *res = db_exec(db, sql, n, params);
	long v = -1;
	if (!res)
		return -1;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		v = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	else
		v = strtol(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return v;
}

int acct_watch_add(struct db *db, int64_t user_id, const char *module, const char *kind,
		   const char *key, const char *label)
{
	char uid[24], max[16];
	const char *params[6] = { uid, module, kind, key, label, max };
	long n;
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	snprintf(max, sizeof max, "%d", ACCT_WATCH_MAX);
	n = scalar_long(db, "WITH ins AS (INSERT INTO user_watchlist (user_id, module, kind, key, label)"
			    " SELECT $1, $2, $3, $4, $5"
			    "  WHERE (SELECT count(*) FROM user_watchlist WHERE user_id = $1) < $6::int"
			    "     OR EXISTS (SELECT 1 FROM user_watchlist WHERE user_id = $1 AND module = $2"
			    "                AND kind = $3 AND key = $4)"
			    " ON CONFLICT (user_id, module, kind, key) DO UPDATE SET label = EXCLUDED.label"
			    " RETURNING 1) SELECT count(*) FROM ins", 6, params);
	return n < 0 ? -1 : n > 0;
}

int acct_watch_remove(struct db *db, int64_t user_id, const char *module, const char *kind,
		      const char *key)
{
	char uid[24];
	const char *params[4] = { uid, module, kind, key };
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	return (int)scalar_long(db, "DELETE FROM user_watchlist WHERE user_id = $1 AND module = $2"
				    " AND kind = $3 AND key = $4", 4, params);
}

int acct_filter_add(struct db *db, int64_t user_id, const char *module, const char *name,
		    const char *path)
{
	char uid[24], max[16];
	const char *params[5] = { uid, module, name, path, max };
	long n;
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	snprintf(max, sizeof max, "%d", ACCT_FILTERS_MAX);
	n = scalar_long(db, "WITH ins AS (INSERT INTO user_filters (user_id, module, name, path)"
			    " SELECT $1, $2, $3, $4"
			    "  WHERE (SELECT count(*) FROM user_filters WHERE user_id = $1) < $5::int"
			    " RETURNING 1) SELECT count(*) FROM ins", 5, params);
	return n < 0 ? -1 : n > 0;
}

int acct_filter_delete(struct db *db, int64_t user_id, int64_t id)
{
	char uid[24], fid[24];
	const char *params[2] = { uid, fid };
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	snprintf(fid, sizeof fid, "%" PRId64, id);
	return (int)scalar_long(db, "DELETE FROM user_filters WHERE user_id = $1 AND id = $2", 2,
				params);
}

int acct_identity_unlink(struct db *db, int64_t user_id, int64_t id)
{
	char uid[24], iid[24];
	const char *params[2] = { uid, iid };
	long n;
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	snprintf(iid, sizeof iid, "%" PRId64, id);
	n = scalar_long(db, "WITH own AS (SELECT count(*) FILTER (WHERE id = $2) AS mine,"
			    "   count(*) AS total FROM user_identities WHERE user_id = $1),"
			    " d AS (DELETE FROM user_identities WHERE id = $2 AND user_id = $1"
			    "   AND (SELECT total FROM own) >= 2 RETURNING 1)"
			    " SELECT CASE WHEN (SELECT mine FROM own) = 0 THEN 0"
			    "  WHEN (SELECT total FROM own) < 2 THEN -2"
			    "  ELSE (SELECT count(*) FROM d) END", 2, params);
	return (int)n;
}

/* ---- presence -------------------------------------------------------------------- */

void acct_presence_touch(struct app *app, int64_t user_id)
{
	static int64_t last_trim_ms;
	char id[24], score[24], cut[32];
	const char *zadd[4] = { "ZADD", ACCT_PRESENCE_KEY, score, id };
	redisReply *rep;
	int64_t now = time_now_ms();

	snprintf(id, sizeof id, "%" PRId64, user_id);
	snprintf(score, sizeof score, "%" PRId64, now);
	rep = kv_cmd(&app->kv, 4, zadd, NULL);
	if (rep)
		freeReplyObject(rep);
	if (now - last_trim_ms > 60000) {
		const char *trim[4] = { "ZREMRANGEBYSCORE", ACCT_PRESENCE_KEY, "-inf", cut };
		last_trim_ms = now;
		snprintf(cut, sizeof cut, "(%" PRId64, now - 2 * (int64_t)ACCT_PRESENCE_WINDOW_MS);
		rep = kv_cmd(&app->kv, 4, trim, NULL);
		if (rep)
			freeReplyObject(rep);
	}
}

struct json_object *acct_presence_list(struct app *app, int64_t now_ms, const char *cdn)
{
	static const char sql[] =
		"SELECT coalesce(json_agg(json_build_object('id', u.id, 'name', u.name,"
		"  'profile_url', '/users/' || u.id,"
		"  'avatar_url', (SELECT gw_asset_url('avatar', i.provider || ':' || i.external_id, $3)"
		"     FROM user_identities i WHERE i.user_id = u.id AND i.provider <> 'local'"
		"     AND gw_asset_url('avatar', i.provider || ':' || i.external_id, $3) IS NOT NULL"
		"     ORDER BY i.id LIMIT 1),"
		"  'seen_at', gw_iso(gw_ms(x.ms))) ORDER BY x.ms DESC, u.id), '[]')"
		" FROM unnest($1::bigint[], $2::bigint[]) AS x(id, ms)"
		" JOIN users u ON u.id = x.id AND u.banned_at IS NULL";
	char from[32];
	const char *argv[5] = { "ZRANGEBYSCORE", ACCT_PRESENCE_KEY, from, "+inf", "WITHSCORES" };
	struct buf ids = BUF_INIT, mss = BUF_INIT;
	const char *params[3];
	redisReply *rep;
	PGresult *res;
	struct json_object *out = NULL;
	size_t i;

	snprintf(from, sizeof from, "%" PRId64, now_ms - (int64_t)ACCT_PRESENCE_WINDOW_MS);
	rep = kv_cmd(&app->kv, 5, argv, NULL);
	if (!rep || rep->type != REDIS_REPLY_ARRAY) {
		if (rep)
			freeReplyObject(rep);
		return NULL;
	}
	buf_addch(&ids, '{');
	buf_addch(&mss, '{');
	for (i = 0; i + 1 < rep->elements; i += 2) {
		const redisReply *m = rep->element[i], *s = rep->element[i + 1];
		long long id, ms;
		char *end;
		if (m->type != REDIS_REPLY_STRING || s->type != REDIS_REPLY_STRING)
			continue;
		id = strtoll(m->str, &end, 10);
		if (*end || id <= 0)
			continue;
		ms = (long long)strtod(s->str, NULL);
		buf_addf(&ids, "%s%lld", ids.len > 1 ? "," : "", id);
		buf_addf(&mss, "%s%lld", mss.len > 1 ? "," : "", ms);
	}
	freeReplyObject(rep);
	buf_addch(&ids, '}');
	buf_addch(&mss, '}');
	params[0] = ids.data;
	params[1] = mss.data;
	params[2] = cdn;
	res = db_exec(&app->db, sql, 3, params);
	if (res) {
		out = json_tokener_parse(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	buf_release(&ids);
	buf_release(&mss);
	return out;
}
