/* guard.c: role, CSRF and rate-limit enforcement for the route table. */
#include "platform/web/guard.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kv.h"
#include "log.h"
#include "platform/accounts/accounts.h"
#include "platform/module.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "sha256.h"
#include "timeutil.h"

static const char *const rate_names[GUARD_RATE_CLASSES] = { "none", "read", "write", "login",
							    "ingest" };

int guard_parse_rate(const char *s, struct guard_rate *out)
{
	unsigned long n, sec;
	char *end;
	if (!s)
		return -1;
	if (!strcmp(s, "off") || !strcmp(s, "0")) {
		out->burst = 0;
		out->per_s = 0;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end != '/' || !isdigit((unsigned char)end[1]))
		return -1;
	sec = strtoul(end + 1, &end, 10);
	if (errno || *end || n < 1 || n > 1000000 || sec < 1 || sec > 1000000)
		return -1;
	out->burst = (unsigned)n;
	out->per_s = (unsigned)sec;
	return 0;
}

void guard_init(struct guard_cfg *g, const struct cfg *cfg)
{
	static const char *const env[GUARD_RATE_CLASSES] = { NULL, "GW_RATE_READ", "GW_RATE_WRITE",
							     "GW_RATE_LOGIN", "GW_RATE_INGEST" };
	static const char *const def[GUARD_RATE_CLASSES] = {
		NULL, GUARD_RATE_READ_DEFAULT, GUARD_RATE_WRITE_DEFAULT, GUARD_RATE_LOGIN_DEFAULT,
		GUARD_RATE_INGEST_DEFAULT
	};
	const char *tl = getenv("GW_TRUST_LOOPBACK");
	int i;

	memset(g, 0, sizeof *g);
	g->secret = cfg->secret_key;
	g->operator_token = cfg->metrics_token;
	g->trust_loopback = true;
	if (tl && *tl) {
		if (!strcmp(tl, "0"))
			g->trust_loopback = false;
		else if (strcmp(tl, "1"))
			log_warn("invalid GW_TRUST_LOOPBACK \"%s\": using 1", tl);
	}
	g->secure_cookie = cfg->app_base_url && !strncmp(cfg->app_base_url, "https://", 8);
	for (i = 1; i < GUARD_RATE_CLASSES; i++) {
		const char *v = getenv(env[i]);
		guard_parse_rate(def[i], &g->rate[i]);
		if (v && *v && guard_parse_rate(v, &g->rate[i]) < 0) {
			log_warn("invalid %s \"%s\" (want N/SECONDS or off): using %s", env[i], v, def[i]);
			guard_parse_rate(def[i], &g->rate[i]);
		}
	}
	{
		const char *v = getenv("GW_RATE_LOGIN_ACCOUNT");
		guard_parse_rate(GUARD_RATE_LOGIN_ACCOUNT_DEFAULT, &g->login_account);
		if (v && *v && guard_parse_rate(v, &g->login_account) < 0) {
			log_warn("invalid GW_RATE_LOGIN_ACCOUNT \"%s\" (want N/SECONDS or off): using %s", v,
				 GUARD_RATE_LOGIN_ACCOUNT_DEFAULT);
			guard_parse_rate(GUARD_RATE_LOGIN_ACCOUNT_DEFAULT, &g->login_account);
		}
	}
}

/* ---- role ------------------------------------------------------------------- */

bool guard_is_loopback(const char *addr)
{
	unsigned char a[16];
	static const unsigned char v6_loop[16] = { [15] = 1 };
	static const unsigned char v4_mapped[12] = { [10] = 0xff, [11] = 0xff };
	if (!addr || !*addr)
		return false;
	if (inet_pton(AF_INET, addr, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, addr, a) == 1)
		return !memcmp(a, v6_loop, 16) || (!memcmp(a, v4_mapped, 12) && a[12] == 127);
	return false;
}

bool guard_bearer_ok(const char *authorization, const char *token)
{
	unsigned char want[SHA256_LEN], got[SHA256_LEN];
	const char *p = authorization;
	size_t n;
	if (!p || !token || !*token)
		return false;
	p += strspn(p, " \t");
	if (strncasecmp(p, "Bearer", 6) || (p[6] != ' ' && p[6] != '\t'))
		return false;
	p += 6;
	p += strspn(p, " \t");
	n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (!n)
		return false;
	/* hash both so that the comparison takes the same time whatever the
	 * lengths; then compare the digests in constant time */
	sha256_raw(token, strlen(token), want);
	sha256_raw(p, n, got);
	return CRYPTO_memcmp(want, got, SHA256_LEN) == 0;
}

int guard_role_check(const struct guard_cfg *g, enum route_role role, const char *remote_addr,
		     const char *authorization, int have)
{
	switch (role) {
	case ROLE_PUBLIC:
		return 0;
	case ROLE_OPERATOR:
		if (g->trust_loopback && guard_is_loopback(remote_addr))
			return 0;
		return guard_bearer_ok(authorization, g->operator_token) ? 0 : 401;
	case ROLE_USER:
	case ROLE_CURATOR:
	case ROLE_ADMIN:
		if (have < ROLE_USER || have > ROLE_ADMIN)
			return 401;
		return have >= (int)role ? 0 : 403;
	case ROLE_MODULE: /* and above: a module's rule, which needs the module (guard_role) */
		break;
	}
	return 401;
}

/* A module's own rule (route.h ROLE_MODULE): its access hook decides;
 * fails closed. */
static int module_rule(struct app *app, struct req *r, int rule)
{
	const struct gw_module *m = r->module;
	int i;
	if (!m || !m->access.rules || !m->access.check) {
		log_error("route %s names a module rule but %s has no access hook", r->route->pattern,
			  m ? m->name : "the platform");
		return 403;
	}
	for (i = 0; i < rule && m->access.rules[i]; i++)
		;
	if (i != rule || !m->access.rules[rule]) {
		log_error("route %s names rule %d, past the end of its module's table", r->route->pattern,
			  rule);
		return 403;
	}
	return m->access.check(app, r, rule);
}

int guard_role(struct app *app, struct req *r)
{
	const struct route *rt = r->route;
	int st, have = -1;
	if (!rt)
		return 0;
	if ((int)rt->role >= ROLE_MODULE) {
		st = module_rule(app, r, (int)rt->role - ROLE_MODULE);
		/* presence, as for any page (the hook may not have looked) */
		if (!st && rt->kind == ROUTE_PAGE && !r->auth.loaded && req_cookie(r, ACCT_SESSION_COOKIE))
			acct_current(app, r);
		return st;
	}
	if (rt->role == ROLE_USER || rt->role == ROLE_CURATOR || rt->role == ROLE_ADMIN) {
		if (acct_current(app, r) < 0)
			return 503;
		if (r->auth.user_id)
			have = r->auth.role;
	} else if (rt->kind == ROUTE_PAGE && req_cookie(r, ACCT_SESSION_COOKIE)) {
		/* a page seen by a signed-in user: they are on the site
		 * (presence); a database failure here changes nothing */
		acct_current(app, r);
	}
	st = guard_role_check(&app->guard, rt->role, r->remote_addr, r->authorization, have);
	if (st == 401 && rt->role == ROLE_OPERATOR)
		req_header(r, "WWW-Authenticate", "Bearer realm=\"gamewatch\"");
	return st;
}

/* ---- CSRF ----------------------------------------------------------------------- */

static bool is_lower_hex(const char *s, size_t n)
{
	size_t i;
	if (!s || strlen(s) != n)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

void guard_csrf_sign_bound(const char *secret, const char *cookie, const char *binding,
			   char out[GUARD_CSRF_HEX + 1])
{
	static const char label[] = "gw-csrf"; /* with its NUL: a domain separator */
	unsigned char mac[SHA256_LEN];
	struct buf msg = BUF_INIT;
	buf_add(&msg, label, sizeof label);
	buf_addstr(&msg, cookie ? cookie : "");
	if (binding && *binding) {
		buf_addch(&msg, '\0');
		buf_addstr(&msg, binding);
	}
	hmac_sha256(secret ? secret : "", secret ? strlen(secret) : 0, msg.data, msg.len, mac);
	hex_encode(mac, SHA256_LEN, out);
	buf_release(&msg);
}

void guard_csrf_sign(const char *secret, const char *cookie, char out[GUARD_CSRF_HEX + 1])
{
	guard_csrf_sign_bound(secret, cookie, NULL, out);
}

bool guard_csrf_valid_bound(const char *secret, const char *cookie, const char *binding,
			    const char *submitted)
{
	char want[GUARD_CSRF_HEX + 1];
	if (!secret || !*secret || !submitted || !is_lower_hex(cookie, GUARD_CSRF_HEX) ||
	    strlen(submitted) != GUARD_CSRF_HEX)
		return false;
	guard_csrf_sign_bound(secret, cookie, binding, want);
	return CRYPTO_memcmp(want, submitted, GUARD_CSRF_HEX) == 0;
}

bool guard_csrf_valid(const char *secret, const char *cookie, const char *submitted)
{
	return guard_csrf_valid_bound(secret, cookie, NULL, submitted);
}

void guard_cookie_override(struct req *r, const char *name, const char *value)
{
	int i;
	char *v = strdup(value);
	if (!v)
		abort();
	for (i = 0; i < r->n_cookies; i++)
		if (!strcmp(r->cookies[i].key, name)) {
			free(r->cookies[i].value);
			r->cookies[i].value = v;
			return;
		}
	if (r->n_cookies < REQ_MAX_COOKIES) {
		r->cookies[r->n_cookies].key = strdup(name);
		if (!r->cookies[r->n_cookies].key)
			abort();
		r->cookies[r->n_cookies++].value = v;
		return;
	}
	free(v);
}

/* Make a new random gw_csrf cookie, send it and use it for the rest of the
 * request. */
static void csrf_new_cookie(struct app *app, struct req *r, char fresh[GUARD_CSRF_HEX + 1])
{
	unsigned char rnd[GUARD_CSRF_HEX / 2];
	struct buf sc = BUF_INIT;
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		abort(); /* no randomness: nothing safe to hand out */
	hex_encode(rnd, sizeof rnd, fresh);
	buf_addf(&sc, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s", GUARD_CSRF_COOKIE, fresh,
		 app->guard.secure_cookie ? "; Secure" : "");
	req_header(r, "Set-Cookie", sc.data);
	buf_release(&sc);
	guard_cookie_override(r, GUARD_CSRF_COOKIE, fresh);
}

void guard_csrf_rotate(struct app *app, struct req *r)
{
	char fresh[GUARD_CSRF_HEX + 1];
	csrf_new_cookie(app, r, fresh);
	free(r->csrf_token);
	r->csrf_token = NULL;
}

/* The session binding of this request's tokens: the signed-in session's
 * token hash, or NULL. -1 when the session could not be looked up. */
static int csrf_binding(struct app *app, struct req *r, const char **binding)
{
	*binding = NULL;
	if (!r->auth.loaded && !req_cookie(r, ACCT_SESSION_COOKIE))
		return 0;
	if (acct_current(app, r) < 0)
		return -1;
	if (r->auth.user_id)
		*binding = r->auth.session_hash;
	return 0;
}

const char *guard_csrf_token(struct app *app, struct req *r)
{
	char tok[GUARD_CSRF_HEX + 1];
	const char *cookie = req_cookie(r, GUARD_CSRF_COOKIE);
	const char *binding;
	char fresh[GUARD_CSRF_HEX + 1];

	if (r->csrf_token)
		return r->csrf_token;
	if (!is_lower_hex(cookie, GUARD_CSRF_HEX)) {
		csrf_new_cookie(app, r, fresh);
		cookie = fresh;
	}
	/* a database failure: an unbound token, which a signed-in POST refuses
	 * (the form says to load it again) */
	csrf_binding(app, r, &binding);
	guard_csrf_sign_bound(app->guard.secret, cookie, binding, tok);
	r->csrf_token = strdup(tok);
	if (!r->csrf_token)
		abort();
	return r->csrf_token;
}

int guard_csrf(struct app *app, struct req *r, char *err, size_t errlen)
{
	const struct req_field *f;
	const char *submitted;
	const char *cookie;
	const char *binding;
	if (!r->route || !r->route->csrf || !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"))
		return 0;
	cookie = req_cookie(r, GUARD_CSRF_COOKIE);
	if (!cookie) {
		snprintf(err, errlen, "no %s cookie: load the form again", GUARD_CSRF_COOKIE);
		return 403;
	}
	submitted = r->csrf_header && *r->csrf_header ? r->csrf_header : NULL;
	if (!submitted && (f = req_field(r, GUARD_CSRF_FIELD)) != NULL)
		submitted = f->value;
	if (!submitted) {
		snprintf(err, errlen, "no CSRF token: send the %s form field or the %s header",
			 GUARD_CSRF_FIELD, GUARD_CSRF_HEADER);
		return 403;
	}
	if (csrf_binding(app, r, &binding) < 0) {
		snprintf(err, errlen, "the sign-in could not be checked (database unavailable)");
		return 503;
	}
	if (!guard_csrf_valid_bound(app->guard.secret, cookie, binding, submitted)) {
		snprintf(err, errlen, "the CSRF token does not match: load the form again");
		return 403;
	}
	return 0;
}

/* ---- rate limits ---------------------------------------------------------------- */

int guard_rate_key(enum route_rate cls, const char *addr, char *out, size_t outlen)
{
	unsigned char a[16];
	char text[72]; /* INET6_ADDRSTRLEN + "/64", or 64 kept characters */
	static const unsigned char v4_mapped[12] = { [10] = 0xff, [11] = 0xff };
	int k;

	if ((unsigned)cls >= GUARD_RATE_CLASSES)
		return -1;
	if (addr && inet_pton(AF_INET, addr, a) == 1) {
		inet_ntop(AF_INET, a, text, sizeof text);
	} else if (addr && inet_pton(AF_INET6, addr, a) == 1) {
		if (!memcmp(a, v4_mapped, 12)) {
			inet_ntop(AF_INET, a + 12, text, sizeof text);
		} else {
			memset(a + 8, 0, 8);
			inet_ntop(AF_INET6, a, text, sizeof text);
			strcat(text, "/64");
		}
	} else {
		size_t n = 0;
		for (; addr && *addr && n < 64; addr++)
			if (isalnum((unsigned char)*addr) || strchr(".:-", *addr))
				text[n++] = *addr;
		text[n] = '\0';
		if (!n)
			strcpy(text, "unknown");
	}
	k = snprintf(out, outlen, "gw:rate:%s:%s", rate_names[cls], text);
	return k < 0 || (size_t)k >= outlen ? -1 : k;
}

/* KEYS[1] the bucket; ARGV[1] burst; ARGV[2] milliseconds to refill it.
 * Stores tokens (a float) and the time of the last take; returns 0 when a
 * token was taken, else the milliseconds until one is back. Redis's own
 * clock (TIME) is used, so every worker and host agree. */
static const char rate_script[] =
	"if redis.replicate_commands then redis.replicate_commands() end\n"
	"local burst = tonumber(ARGV[1])\n"
	"local period = tonumber(ARGV[2])\n"
	"local t = redis.call('TIME')\n"
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
	"local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')\n"
	"local tokens = tonumber(b[1])\n"
	"local ts = tonumber(b[2])\n"
	"if tokens == nil or ts == nil then tokens = burst; ts = now end\n"
	"if now > ts then tokens = math.min(burst, tokens + (now - ts) * burst / period) end\n"
	"local wait = 0\n"
	"if tokens >= 1 then tokens = tokens - 1\n"
	"else wait = math.ceil((1 - tokens) * period / burst) end\n"
	"redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))\n"
	"redis.call('PEXPIRE', KEYS[1], period)\n"
	"return wait\n";

static void rate_script_sha(char out[41])
{
	static char sha[41];
	if (!sha[0]) {
		/* EVALSHA names a script by the SHA-1 of its text */
		unsigned char md[EVP_MAX_MD_SIZE];
		if (EVP_Digest(rate_script, strlen(rate_script), md, NULL, EVP_sha1(), NULL) != 1)
			abort(); /* only on allocation failure inside OpenSSL */
		hex_encode(md, 20, sha);
	}
	memcpy(out, sha, 41);
}

static void rate_fail_open(struct guard_cfg *g, const char *why)
{
	int64_t now = time_mono_ms();
	g->rate_skip_until_ms = now + 1000;
	if (!g->rate_warned_ms || now - g->rate_warned_ms >= 10000) {
		g->rate_warned_ms = now;
		log_warn("rate limiting is off for now (%s): allowing requests", why);
	}
}

int guard_rate_take(struct app *app, const char *key, const struct guard_rate *lim,
		    int *retry_after_s)
{
	struct guard_cfg *g = &app->guard;
	char burst[16], period[24], sha[41];
	const char *argv[6];
	redisReply *rep;
	long long wait;

	*retry_after_s = 0;
	if (!lim->burst)
		return 0;
	if (g->rate_skip_until_ms && time_mono_ms() < g->rate_skip_until_ms)
		return 0;
	/* REDIS_URL unset: the buckets live nowhere, the limits are off (the
	 * program said so once at start) */
	if (!kv_enabled(&app->kv))
		return 0;
	snprintf(burst, sizeof burst, "%u", lim->burst);
	snprintf(period, sizeof period, "%llu", (unsigned long long)lim->per_s * 1000ULL);
	rate_script_sha(sha);
	argv[0] = "EVALSHA";
	argv[1] = sha;
	argv[2] = "1";
	argv[3] = key;
	argv[4] = burst;
	argv[5] = period;
	rep = kv_cmd(&app->kv, 6, argv, NULL);
	if (rep && rep->type == REDIS_REPLY_ERROR && !strncmp(rep->str, "NOSCRIPT", 8)) {
		freeReplyObject(rep);
		argv[0] = "EVAL";
		argv[1] = rate_script;
		rep = kv_cmd(&app->kv, 6, argv, NULL);
	}
	if (!rep || rep->type != REDIS_REPLY_INTEGER) {
		char why[160];
		snprintf(why, sizeof why, "%s", !rep ? "Redis is unreachable"
					       : rep->type == REDIS_REPLY_ERROR ? rep->str
					       : "unexpected reply from Redis");
		if (rep)
			freeReplyObject(rep);
		rate_fail_open(g, why);
		return 0;
	}
	wait = rep->integer;
	freeReplyObject(rep);
	g->rate_skip_until_ms = 0;
	if (wait <= 0)
		return 0;
	*retry_after_s = (int)((wait + 999) / 1000);
	if (*retry_after_s < 1)
		*retry_after_s = 1;
	return 429;
}

int guard_rate(struct app *app, struct req *r, int *retry_after_s)
{
	struct guard_cfg *g = &app->guard;
	char key[128];

	*retry_after_s = 0;
	if (!r->route || r->route->rate == RATE_NONE || (unsigned)r->route->rate >= GUARD_RATE_CLASSES)
		return 0;
	if (!g->rate[r->route->rate].burst)
		return 0;
	if (g->trust_loopback && guard_is_loopback(r->remote_addr))
		return 0;
	if (guard_rate_key(r->route->rate, r->remote_addr, key, sizeof key) < 0)
		return 0;
	return guard_rate_take(app, key, &g->rate[r->route->rate], retry_after_s);
}
