/* guard.h: the rules of a route row that the dispatcher (app.c) enforces
 * before a handler runs: rate-limit class, role and CSRF. Handlers never
 * check these themselves; a row says what it needs (route.h).
 *
 * Order in app_handle: route (404/405) -> rate (429) -> role (401) ->
 * body limit (413) and body parsing (400) -> CSRF (403) -> handler.
 *
 * Who is the client: REMOTE_ADDR as the web server reports it (lighttpd and
 * Apache pass the TCP peer). A loopback peer (127.0.0.0/8, ::1, or
 * ::ffff:127.0.0.0/104) is the host itself: the operator's tools, health
 * checks, the tests and the benchmark. With GW_TRUST_LOOPBACK=1 (default)
 * such a peer has ROLE_OPERATOR and is not rate-limited. Set
 * GW_TRUST_LOOPBACK=0 when a reverse proxy on the same host fronts the web
 * server: every client would look like loopback.
 *
 * The pure functions (guard_is_loopback, guard_bearer_ok, guard_role_check,
 * guard_csrf_sign, guard_csrf_valid, guard_parse_rate, guard_rate_key) take
 * plain strings, for the unit tests (tests/unit/test_req.c). */
#ifndef GW_GUARD_H
#define GW_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "platform/web/route.h"

struct app;
struct req;

#define GUARD_CSRF_COOKIE "gw_csrf"     /* HttpOnly, SameSite=Lax cookie: 64 hex digits */
#define GUARD_CSRF_FIELD "csrf_token"   /* form field carrying the token */
#define GUARD_CSRF_HEADER "X-CSRF-Token" /* or this request header (scripts) */
#define GUARD_CSRF_HEX 64               /* length of the cookie and of the token */

#define GUARD_RATE_CLASSES 5            /* enum route_rate values */

/* One rate-limit class: a token bucket holding at most `burst` requests,
 * refilled at burst / per_s requests per second. burst 0: no limit. */
struct guard_rate {
	unsigned burst;
	unsigned per_s;
};

/* The worker's guard settings (struct app.guard), from guard_init(). */
struct guard_cfg {
	const char *secret;          /* SECRET_KEY (borrowed from cfg; checked at start-up) */
	const char *operator_token;  /* METRICS_TOKEN (borrowed), or NULL: bearer access off */
	bool trust_loopback;         /* GW_TRUST_LOOPBACK (default 1) */
	bool secure_cookie;          /* APP_BASE_URL starts with https://: cookies get Secure */
	struct guard_rate rate[GUARD_RATE_CLASSES]; /* by enum route_rate (RATE_NONE unused) */
	struct guard_rate login_account; /* GW_RATE_LOGIN_ACCOUNT: sign-in attempts per account */
	int64_t rate_skip_until_ms;  /* after a Redis failure: fail open without asking until then */
	int64_t rate_warned_ms;      /* last "rate limiting is off" warning */
};

/* Default limits: "requests/seconds" for GW_RATE_READ, GW_RATE_WRITE,
 * GW_RATE_LOGIN and GW_RATE_INGEST. */
#define GUARD_RATE_READ_DEFAULT "600/60"
#define GUARD_RATE_WRITE_DEFAULT "60/60"
#define GUARD_RATE_LOGIN_DEFAULT "10/300"
/* Ingest: game servers push one request per game event (a stats tracker
 * script may send every shot, hit, jump and kill as it happens): a busy
 * 32-player server peaks at a few hundred requests a second, and hosts run
 * several servers behind one address. 1000/s per address with a 10 s burst
 * keeps such servers clear of 429s (which a fire-and-forget tracker would
 * turn into lost events); overload is shed by the module's own queue bound,
 * and a bad token costs its handler one indexed lookup. */
#define GUARD_RATE_INGEST_DEFAULT "10000/10"
/* Sign-in attempts per account name, whatever the address (a password
 * guessed from many addresses): GW_RATE_LOGIN_ACCOUNT. */
#define GUARD_RATE_LOGIN_ACCOUNT_DEFAULT "10/300"

/* Fill `g` from `cfg` and the environment: GW_TRUST_LOOPBACK (0 or 1),
 * GW_RATE_<CLASS> (see guard_parse_rate; an invalid value logs a warning
 * and keeps the default). `cfg` must outlive `g`. */
void guard_init(struct guard_cfg *g, const struct cfg *cfg);

/* Parse a rate limit "N/S" (N requests per S seconds, both 1..1000000) or
 * "off" / "0" (no limit: burst 0). Returns 0, or -1 when malformed. */
int guard_parse_rate(const char *s, struct guard_rate *out);

/* ---- role ----------------------------------------------------------------- */

/* Is `addr` (a numeric IPv4 or IPv6 address, as in REMOTE_ADDR) a loopback
 * address: 127.0.0.0/8, ::1, or IPv4-mapped 127.0.0.0/8? NULL, "" and
 * anything unparseable are not. */
bool guard_is_loopback(const char *addr);

/* Does the Authorization header value carry "Bearer <token>" (scheme
 * case-insensitive, RFC 6750 §2.1) with exactly `token`? Compared in
 * constant time (SHA-256 of both, then CRYPTO_memcmp). Always false when
 * `token` is NULL or empty. */
bool guard_bearer_ok(const char *authorization, const char *token);

/* May a client reach a row of `role`? ROLE_PUBLIC: yes. ROLE_OPERATOR: a
 * loopback peer (when g->trust_loopback) or the operator bearer token.
 * ROLE_USER, ROLE_CURATOR, ROLE_ADMIN: `have` is the signed-in account's
 * role (ROLE_USER < ROLE_CURATOR < ROLE_ADMIN) or -1 when nobody is signed
 * in: -1 is 401, a lower role than the row's is 403. A module's own rule
 * (ROLE_MODULE and above) is 401 here: only guard_role can ask the module
 * (gamewatch-stream, without sessions, refuses such rows). Returns 0, 401
 * or 403. Pure. */
int guard_role_check(const struct guard_cfg *g, enum route_role role, const char *remote_addr,
		     const char *authorization, int have);

/* The dispatcher's role check for r->route: 0; 401 (with a WWW-Authenticate:
 * Bearer challenge for operator rows; for account rows: not signed in);
 * 403 (signed in with too low a role); 503 (an account row, a session
 * cookie, and the database could not be asked). The one place roles are
 * decided; a row of a module's own rule (ROLE_MODULE + i) is handed to
 * that module's access hook (struct gw_module.access), and refused with
 * 403 when the module has no such rule. For a page row and any row of an account role it loads the
 * signed-in user into r->auth (platform/accounts/accounts.h acct_current),
 * which also marks the user present on the site. */
int guard_role(struct app *app, struct req *r);

/* ---- CSRF (signed double-submit cookie) ------------------------------------ */

/* The form token for a CSRF cookie value: hex HMAC-SHA-256 keyed with
 * `secret` over "gw-csrf\0" and the cookie, 64 lowercase hex digits and a
 * NUL into `out`. The token of an anonymous visitor. */
void guard_csrf_sign(const char *secret, const char *cookie, char out[GUARD_CSRF_HEX + 1]);

/* The token bound to a signed-in web session: the same HMAC over
 * "gw-csrf\0", the cookie, "\0" and `binding` (the session's token hash,
 * r->auth.session_hash). A NULL or empty binding is guard_csrf_sign(), so
 * a token from before sign-in is no token after it, and one session's token
 * is no token in another. */
void guard_csrf_sign_bound(const char *secret, const char *cookie, const char *binding,
			   char out[GUARD_CSRF_HEX + 1]);

/* Is `submitted` the token of `cookie` under `secret`? False when either
 * is NULL, the cookie is not 64 lowercase hex digits, or the secret is
 * empty. Constant time in the token's bytes. */
bool guard_csrf_valid(const char *secret, const char *cookie, const char *submitted);

/* The same for a token bound to `binding` (NULL or "": unbound). */
bool guard_csrf_valid_bound(const char *secret, const char *cookie, const char *binding,
			    const char *submitted);

/* The token a page puts in its forms (<input type="hidden"
 * name="csrf_token" value="...">) or gives to scripts for X-CSRF-Token,
 * bound to the signed-in session when there is one (it loads r->auth).
 * When the request carries no well-formed gw_csrf cookie, a new random one
 * is made and a Set-Cookie header added (Path=/; HttpOnly; SameSite=Lax;
 * Secure under https). The string is r->csrf_token (freed with the
 * request). A page that calls this must not be CACHE_PUBLIC. */
const char *guard_csrf_token(struct app *app, struct req *r);

/* A new random gw_csrf cookie for this response (Set-Cookie), used by the
 * rest of the request in place of the one sent: sign-in rotates it so that
 * no token from before survives. Forgets r->csrf_token. */
void guard_csrf_rotate(struct app *app, struct req *r);

/* Replace (or add) the value of cookie `name` as the rest of this request
 * sees it (req_cookie); nothing is sent to the browser. For a cookie the
 * handler has just set. */
void guard_cookie_override(struct req *r, const char *name, const char *value);

/* The dispatcher's CSRF check: for a row with csrf set and a state-changing
 * method (not GET or HEAD), the X-CSRF-Token header, else the csrf_token
 * form field, must be the token of the request's gw_csrf cookie, bound to
 * the signed-in session when a session cookie names one. Returns 0, 403
 * with the reason in `err`, or 503 when the session could not be looked
 * up. */
int guard_csrf(struct app *app, struct req *r, char *err, size_t errlen);

/* ---- rate limits ---------------------------------------------------------- */

/* The Redis key of class `cls` for client `addr`: "gw:rate:<class>:<addr>"
 * where an IPv4 address (or IPv4-mapped IPv6) is written in dotted form
 * and an IPv6 address is cut to its /64 (one subscriber's prefix). An
 * unparseable address keeps its letters, digits, '.', ':' and '-' (at most
 * 64). Returns the length, or -1 when `out` is too small. */
int guard_rate_key(enum route_rate cls, const char *addr, char *out, size_t outlen);

/* The dispatcher's rate check for r->route's class: one token from the
 * client's bucket in Redis (an atomic Lua script: EVALSHA, EVAL on
 * NOSCRIPT). Returns 0, or 429 with the seconds until a token is back in
 * *retry_after_s (at least 1). Loopback peers (when trusted) and RATE_NONE
 * rows are not limited. When Redis fails, the request is allowed (fail
 * open), a warning is logged at most every 10 s, and Redis is not asked
 * again for 1 s. Without Redis at all (REDIS_URL unset, kv_enabled() false)
 * there are no limits: every request is allowed, silently (gamewatch.fcgi
 * says so once when it starts). */
int guard_rate(struct app *app, struct req *r, int *retry_after_s);

/* Take one token from the bucket of Redis key `key` under limit `lim`,
 * whoever the client is (loopback too): for limits a handler applies on
 * top of its row's, such as sign-in attempts per account. Returns 0, or
 * 429 with *retry_after_s (at least 1). Fails open like guard_rate. */
int guard_rate_take(struct app *app, const char *key, const struct guard_rate *lim,
		    int *retry_after_s);

#endif
