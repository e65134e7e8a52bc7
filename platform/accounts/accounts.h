/* accounts.h: site accounts, shared by every module (docs/accounts.md).
 *
 * A user (table users) signs in through an identity (user_identities:
 * provider, external id, public profile): Steam through OpenID 2.0
 * (steam.c), or a local name and password for the first admin
 * (password.h). Several identities may point at one user. The role
 * (user < curator < admin) is what the route table checks
 * (platform/web/guard.c guard_role, the only place that decides).
 *
 * Web sessions are server-side: the browser holds a 256-bit random token
 * in the cookie gw_session (HttpOnly; SameSite=Lax; Secure when
 * APP_BASE_URL is https; Max-Age the session's lifetime) and the table
 * web_sessions holds its SHA-256 only, an expiry (GW_SESSION_HOURS,
 * default 336 = 14 days) and a revocation time. Sign-in revokes the
 * session the browser had (rotation) and makes a new gw_csrf cookie; the
 * CSRF token of a signed-in browser is bound to its session (guard.h).
 * A banned user (banned_at) has no sessions and cannot sign in.
 *
 * Presence: acct_current marks a signed-in user as seen now in the Redis
 * sorted set gw:presence:site (member user id, score milliseconds), read by
 * GET /api/v1/presence/site. It can be rebuilt (it fills again as people
 * browse), so it lives in Redis only.
 *
 * Every SQL statement about accounts is in accounts.c. */
#ifndef GW_ACCOUNTS_H
#define GW_ACCOUNTS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"

struct app;
struct req;

#define ACCT_SESSION_COOKIE "gw_session" /* 64 lowercase hex digits */
#define ACCT_TOKEN_HEX 64
#define ACCT_SESSION_HOURS_DEFAULT 336   /* 14 days */
#define ACCT_NAME_MAX 64                 /* bytes of a display or login name */
#define ACCT_PRESENCE_KEY "gw:presence:site"
#define ACCT_PRESENCE_WINDOW_MS (5 * 60 * 1000) /* "online": seen in the last 5 minutes */

/* ---- pure helpers ------------------------------------------------------ */

/* The role named `s` ("user", "curator", "admin") as an enum route_role
 * value (ROLE_USER, ROLE_CURATOR, ROLE_ADMIN), or -1. */
int acct_role_parse(const char *s);

/* "user", "curator" or "admin" for ROLE_USER..ROLE_ADMIN; "" otherwise. */
const char *acct_role_name(int role);

/* Is `s` exactly 64 lowercase hex digits (a session token as sent)? */
bool acct_token_well_formed(const char *s);

/* Is `next` a path on this site to send a browser to after sign-in:
 * starts with one '/', no "//" or '\' anywhere, no control characters,
 * at most 1000 bytes? (An open redirect otherwise.) */
bool acct_safe_next(const char *next);

/* Is `s` acceptable as a line of text of at most `max` bytes: 1..max bytes
 * of valid UTF-8 (RFC 3629), no control characters (C0, DEL, C1), not only
 * spaces? */
bool acct_text_ok(const char *s, size_t max);

/* A login or display name: acct_text_ok(name, ACCT_NAME_MAX). */
bool acct_name_ok(const char *name);

/* ---- the signed-in user of a request ------------------------------------ */

/* Load who is signed in into r->auth, once per request: the gw_session
 * cookie's token is hashed and looked up (not revoked, not expired, user
 * not banned). Returns 0 (r->auth.user_id is 0 when nobody is signed in:
 * no cookie, a malformed or unknown token), or -1 when the database could
 * not be asked (r->auth.db_error). A signed-in user is marked present. */
int acct_current(struct app *app, struct req *r);

/* ---- users and identities (SQL) ------------------------------------------ */

/* What a sign-in provider says about an account (provider.h). */
struct acct_profile {
	char provider[32];       /* "steam", "local" */
	char external_id[129];   /* "76561197960287930" */
	char name[ACCT_NAME_MAX + 8]; /* display name, may be "" (then one is made up) */
	char avatar_url[512];    /* may be "" */
	char profile_url[512];   /* the provider's public page of the account, may be "" */
};

/* The user who owns identity (provider, external_id): 1 with *user_id and
 * *banned set, 0 when no user has it, -1 on a database error. */
int acct_identity_user(struct db *db, const char *provider, const char *external_id,
		       int64_t *user_id, bool *banned);

/* Create a user (role `role`, display name p->name or "<provider> <id>")
 * with the identity `p`, and optionally a password hash (NULL: none).
 * Returns the new id, or -1 (database error; logged) or -2 when the
 * identity belongs to someone already. */
int64_t acct_user_create(struct db *db, const struct acct_profile *p, const char *role,
			 const char *password_hash);

/* Link identity `p` to user `user_id`. Returns 0, -2 when it belongs to
 * another user already (1 when it is the same user's: nothing to do), or -1
 * on a database error. */
int acct_identity_link(struct db *db, int64_t user_id, const struct acct_profile *p);

/* Record a sign-in of identity (provider, external_id): its profile (when
 * p is not NULL) and both last_login_at. Returns 0 or -1. */
int acct_identity_touch(struct db *db, int64_t user_id, const struct acct_profile *p);

/* The name GameWatch already knows for a game account: its platform
 * profile's nickname (player_profiles, from enrichment), else the last
 * in-game name seen (identities). Copies it into out and returns 1, 0 when
 * none is known, -1 on a database error. */
int acct_known_name(struct db *db, const char *provider, const char *external_id, char *out,
		    size_t outlen);

/* Use up an OpenID response nonce of OP `endpoint` (table openid_nonces):
 * 1 when it was not seen before (now it is), 0 when it was (a replay), -1
 * on a database error. Deletes nonces older than a day on the way. */
int acct_nonce_take(struct db *db, const char *endpoint, const char *nonce);

/* The lower-case form of a login name (ASCII letters folded; other bytes
 * kept): the external_id of a "local" identity. Into out (outlen bytes). */
void acct_login_key(const char *name, char *out, size_t outlen);

/* A local account by login name: 1 with *user_id, the Argon2id string in
 * `hash` (replacing its contents) and *banned; 0 when there is none (or it
 * has no password); -1 on a database error. */
int acct_local_lookup(struct db *db, const char *name, int64_t *user_id, struct buf *hash,
		      bool *banned);

/* Store a new password hash for `user_id`. Returns 0 or -1. */
int acct_set_password(struct db *db, int64_t user_id, const char *hash);

/* ---- sessions ------------------------------------------------------------- */

/* Sign `user_id` in on this response: revoke the session the browser had
 * (if any), store a new one (hash only, expiring), send its cookie, rotate
 * the gw_csrf cookie, and fill r->auth with the new session, so the rest
 * of the request sees it. Returns 0, or -1 (database error, logged). */
int acct_sign_in(struct app *app, struct req *r, int64_t user_id, const char *provider);

/* Sign out: revoke the request's session and clear the cookie. */
void acct_sign_out(struct app *app, struct req *r);

/* Revoke every session of `user_id` except the one whose hash is `keep`
 * (NULL: all). Returns how many were revoked, or -1. */
long acct_revoke_sessions(struct db *db, int64_t user_id, const char *keep);

/* ---- what a user keeps ------------------------------------------------------ */

/* The user's whole record as JSON for GET /account/export: user, identities,
 * sessions (without tokens), watchlist, filters, proposals, audit entries
 * made by them. A new object, or NULL on a database error. */
struct json_object *acct_export(struct db *db, int64_t user_id);

/* Delete a user and everything personal (identities, sessions, watchlist,
 * filters cascade); their proposals and audit entries stay with the author
 * set to NULL (audit_log keeps actor_name). Returns 0 or -1. */
int acct_delete(struct db *db, int64_t user_id);

/* The public profile of user `id` (not banned): a new object {"id",
 * "name", "role", "created_at", "avatar_url" (a mirrored avatar of one of
 * its identities under `cdn`, or null), "identities": [{"provider",
 * "external_id", "name", "profile_url"}] (local ones left out)}. NULL with
 * *found 0 when there is no such user, -1 on a database error. */
struct json_object *acct_public_profile(struct db *db, int64_t id, const char *cdn, int *found);

#define ACCT_WATCH_MAX 500   /* watchlist entries per user */
#define ACCT_FILTERS_MAX 100 /* saved filters per user */

/* Add (module, kind, key) with `label` to the user's watchlist (kept when
 * it is there already). Returns 1 added or kept, 0 when the list is full
 * (ACCT_WATCH_MAX), -1 on a database error. */
int acct_watch_add(struct db *db, int64_t user_id, const char *module, const char *kind,
		   const char *key, const char *label);

/* Remove it. Returns how many rows went (0 or 1), or -1. */
int acct_watch_remove(struct db *db, int64_t user_id, const char *module, const char *kind,
		      const char *key);

/* Save a filter (a path with its query under /<module>/). Returns 1, 0 when
 * the user has ACCT_FILTERS_MAX already, -1 on a database error. */
int acct_filter_add(struct db *db, int64_t user_id, const char *module, const char *name,
		    const char *path);

/* Delete the user's filter `id`. Returns 1, 0 (no such filter of theirs), -1. */
int acct_filter_delete(struct db *db, int64_t user_id, int64_t id);

/* Unlink identity `id` from `user_id`, unless it is the last one. Returns
 * 1, 0 (not theirs), -2 (the last identity), -1 on a database error. */
int acct_identity_unlink(struct db *db, int64_t user_id, int64_t id);

/* Mark `user_id` present now (Redis), and trim entries older than the
 * window now and then. Errors are ignored. */
void acct_presence_touch(struct app *app, int64_t user_id);

/* The users seen in the last ACCT_PRESENCE_WINDOW_MS, most recent first:
 * a new array of {"id", "name", "avatar_url" (a mirrored avatar under
 * `cdn`, ASSETS_CDN_BASE, or null), "profile_url", "seen_at"}, or NULL when
 * Redis or PostgreSQL fails. */
struct json_object *acct_presence_list(struct app *app, int64_t now_ms, const char *cdn);

#endif
