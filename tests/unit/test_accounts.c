/* test_accounts.c: the pure parts of the accounts (platform/accounts):
 * Argon2id hashing, the OpenID 2.0 relying-party checks and Steam's
 * claimed identifiers, the CSRF token bound to a session, and the small
 * validators (names, tokens, redirect targets, roles). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu.h"
#include "html.h"
#include "platform/accounts/accounts.h"
#include "platform/accounts/openid.h"
#include "platform/accounts/password.h"
#include "platform/web/guard.h"
#include "platform/web/route.h"
#include "timeutil.h"

/* ---- Argon2id ---------------------------------------------------------------- */

static void test_password(void)
{
	char h1[PW_ENCODED_MAX], h2[PW_ENCODED_MAX], g[32];
	char small[16];
	CU_ASSERT_EQUAL_FATAL(pw_hash("correct horse battery", h1, sizeof h1), 0);
	CU_ASSERT_EQUAL_FATAL(pw_hash("correct horse battery", h2, sizeof h2), 0);
	/* the OWASP parameters are what is stored: m=19 MiB, t=2, p=1 */
	CU_ASSERT_EQUAL(strncmp(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31), 0);
	/* a fresh salt each time */
	CU_ASSERT_NOT_EQUAL(strcmp(h1, h2), 0);
	CU_ASSERT_EQUAL(pw_verify(h1, "correct horse battery"), 1);
	CU_ASSERT_EQUAL(pw_verify(h2, "correct horse battery"), 1);
	CU_ASSERT_EQUAL(pw_verify(h1, "correct horse batterY"), 0);
	CU_ASSERT_EQUAL(pw_verify(h1, ""), 0);
	/* not an Argon2id string */
	CU_ASSERT_EQUAL(pw_verify("$2b$12$abcdefghijklmnopqrstuv", "x"), -1);
	CU_ASSERT_EQUAL(pw_verify("plain text", "plain text"), -1);
	CU_ASSERT_EQUAL(pw_verify(NULL, "x"), -1);
	CU_ASSERT_FALSE(pw_needs_rehash(h1));
	CU_ASSERT_TRUE(pw_needs_rehash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"));
	CU_ASSERT_TRUE(pw_needs_rehash(NULL));
	/* a buffer too small is refused, not overrun */
	CU_ASSERT_EQUAL(pw_hash("x", small, sizeof small), -1);
	/* generated passwords: the length asked, letters and digits, different */
	pw_generate(g, 20);
	CU_ASSERT_EQUAL(strlen(g), 20);
	CU_ASSERT_EQUAL(strspn(g, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"), 20);
	{
		char g2[32];
		pw_generate(g2, 20);
		CU_ASSERT_NOT_EQUAL(strcmp(g, g2), 0);
	}
}

/* ---- OpenID 2.0 --------------------------------------------------------------- */

#define EP "https://steamcommunity.com/openid/login"
#define RT "https://gw.example/auth/steam/callback?state=0123456789abcdef0123456789abcdef"
#define CID "https://steamcommunity.com/openid/id/76561197960287930"

struct assertion {
	struct req_param p[16];
	int n;
	char nonce[64];
};

static void set(struct assertion *a, const char *k, const char *v)
{
	int i;
	for (i = 0; i < a->n; i++)
		if (!strcmp(a->p[i].key, k)) {
			a->p[i].value = (char *)v;
			return;
		}
	a->p[a->n].key = (char *)k;
	a->p[a->n].value = (char *)v;
	a->n++;
}

static void drop(struct assertion *a, const char *k)
{
	int i;
	for (i = 0; i < a->n; i++)
		if (!strcmp(a->p[i].key, k)) {
			a->p[i] = a->p[--a->n];
			return;
		}
}

/* A well-formed positive assertion as Steam sends one, nonce at `t`. */
static void good(struct assertion *a, int64_t t)
{
	char when[32];
	memset(a, 0, sizeof *a);
	time_iso8601(t, when, sizeof when);
	snprintf(a->nonce, sizeof a->nonce, "%sAbCdEf123", when);
	set(a, "state", "0123456789abcdef0123456789abcdef");
	set(a, "openid.ns", OPENID_NS);
	set(a, "openid.mode", "id_res");
	set(a, "openid.op_endpoint", EP);
	set(a, "openid.claimed_id", CID);
	set(a, "openid.identity", CID);
	set(a, "openid.return_to", RT);
	set(a, "openid.response_nonce", a->nonce);
	set(a, "openid.assoc_handle", "1234567890");
	set(a, "openid.signed", "signed,op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle");
	set(a, "openid.sig", "W0e8Yg6pQJj7kqV0zM7f6z1M5xk=");
}

static int check(struct assertion *a, int64_t now, const char **cid, char *err, size_t errlen)
{
	struct openid_expect e = { EP, RT, now };
	return openid_check_assertion(a->p, a->n, &e, cid, err, errlen);
}

static void test_openid_assertion(void)
{
	struct assertion a;
	const char *cid;
	char err[200];
	int64_t now = 1735689600000LL; /* 2025-01-01T00:00:00Z */

	good(&a, now - 1000);
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cid);
	CU_ASSERT_STRING_EQUAL(cid, CID);

	/* another OP endpoint (even one that would vouch for it) */
	good(&a, now);
	set(&a, "openid.op_endpoint", "https://evil.example/openid/login");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "endpoint"));
	CU_ASSERT_PTR_NULL(cid);
	set(&a, "openid.op_endpoint", EP "/");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	/* return_to of another sign-in (another state) or another site */
	good(&a, now);
	set(&a, "openid.return_to", "https://gw.example/auth/steam/callback?state=ffffffffffffffffffffffffffffffff");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "return_to"));
	set(&a, "openid.return_to", "https://evil.example/auth/steam/callback?state=0123456789abcdef0123456789abcdef");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	/* claimed_id and identity differ, or one is missing */
	good(&a, now);
	set(&a, "openid.identity", "https://steamcommunity.com/openid/id/76561197960287931");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	good(&a, now);
	drop(&a, "openid.claimed_id");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	/* a field twice: refused rather than read either way */
	good(&a, now);
	a.p[a.n].key = "openid.claimed_id";
	a.p[a.n].value = "https://steamcommunity.com/openid/id/76561197960287999";
	a.n++;
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	/* cancelled, wrong mode, wrong ns, no mode */
	good(&a, now);
	set(&a, "openid.mode", "cancel");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cancel"));
	set(&a, "openid.mode", "setup_needed");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	good(&a, now);
	set(&a, "openid.ns", "http://openid.net/signon/1.1");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	good(&a, now);
	drop(&a, "openid.mode");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	/* nonce: too old, from the future, malformed, missing */
	good(&a, now - OPENID_NONCE_SKEW_MS - 1000);
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nonce"));
	good(&a, now + OPENID_NONCE_SKEW_MS + 1000);
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	good(&a, now);
	set(&a, "openid.response_nonce", "yesterday");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	drop(&a, "openid.response_nonce");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	/* signature fields: missing, or the signed list leaves one out */
	good(&a, now);
	drop(&a, "openid.sig");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	good(&a, now);
	set(&a, "openid.signed", "signed,op_endpoint,identity,return_to,response_nonce,assoc_handle");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "claimed_id"));
	/* "claimed_idx" is not "claimed_id" */
	set(&a, "openid.signed", "op_endpoint,claimed_idx,identity,return_to,response_nonce,assoc_handle");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
	good(&a, now);
	drop(&a, "openid.assoc_handle");
	CU_ASSERT_EQUAL(check(&a, now, &cid, err, sizeof err), -1);
}

static void test_openid_nonce(void)
{
	int64_t t;
	CU_ASSERT_EQUAL(openid_nonce_time("2005-05-15T17:11:51ZUNIQUE", &t), 0);
	CU_ASSERT_EQUAL(t, 1116177111000LL);
	CU_ASSERT_EQUAL(openid_nonce_time("2005-05-15T17:11:51Z", &t), 0);
	CU_ASSERT_EQUAL(openid_nonce_time("2005-05-15T17:11:51", &t), -1);
	CU_ASSERT_EQUAL(openid_nonce_time("2005-05-15T17:11:51+00:00x", &t), -1);
	CU_ASSERT_EQUAL(openid_nonce_time("2005-05-15 17:11:51Zabc", &t), -1);
	CU_ASSERT_EQUAL(openid_nonce_time("2005-02-30T17:11:51Zabc", &t), -1);
	CU_ASSERT_EQUAL(openid_nonce_time("2005-05-15T17:11:51Zab c", &t), -1); /* space */
	CU_ASSERT_EQUAL(openid_nonce_time(NULL, &t), -1);
	{
		char longn[300];
		memset(longn, 'a', sizeof longn - 1);
		longn[sizeof longn - 1] = '\0';
		memcpy(longn, "2005-05-15T17:11:51Z", 20);
		CU_ASSERT_EQUAL(openid_nonce_time(longn, &t), -1); /* over 255 */
		longn[255] = '\0';
		CU_ASSERT_EQUAL(openid_nonce_time(longn, &t), 0);
	}
}

static void test_openid_kv(void)
{
	static const char ok[] = "ns:http://specs.openid.net/auth/2.0\nis_valid:true\n";
	static const char no[] = "ns:http://specs.openid.net/auth/2.0\nis_valid:false\n";
	static const char two[] = "ns:http://specs.openid.net/auth/2.0\nis_valid:false\nis_valid:true\n";
	static const char nons[] = "is_valid:true\n";
	static const char v1[] = "ns:http://openid.net/signon/1.0\nis_valid:true\n";
	static const char junk[] = "<html>is_valid:true</html>";
	static const char nolf[] = "ns:http://specs.openid.net/auth/2.0\nis_valid:true";
	static const char other[] = "ns:http://specs.openid.net/auth/2.0\ninvalidate_handle:x\nis_valid:true\n";
	CU_ASSERT_EQUAL(openid_kv_is_valid(ok, strlen(ok)), 1);
	CU_ASSERT_EQUAL(openid_kv_is_valid(no, strlen(no)), 0);
	CU_ASSERT_EQUAL(openid_kv_is_valid(two, strlen(two)), 0);
	CU_ASSERT_EQUAL(openid_kv_is_valid(nons, strlen(nons)), 0);
	CU_ASSERT_EQUAL(openid_kv_is_valid(v1, strlen(v1)), 0);
	CU_ASSERT_EQUAL(openid_kv_is_valid(junk, strlen(junk)), 0);
	CU_ASSERT_EQUAL(openid_kv_is_valid(nolf, strlen(nolf)), 1);
	CU_ASSERT_EQUAL(openid_kv_is_valid(other, strlen(other)), 1);
	CU_ASSERT_EQUAL(openid_kv_is_valid("is_valid:tru", 12), 0);
	CU_ASSERT_EQUAL(openid_kv_is_valid("", 0), 0);
}

static void test_openid_bodies(void)
{
	struct assertion a;
	struct buf b = BUF_INIT;
	good(&a, 1735689600000LL);
	openid_check_body(a.p, a.n, &b);
	/* every openid.* field but mode, then the new mode; never "state" */
	CU_ASSERT_PTR_NULL(strstr(b.data, "state="));
	CU_ASSERT_PTR_NULL(strstr(b.data, "id_res"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "openid.claimed_id=https%3A%2F%2Fsteamcommunity.com%2Fopenid%2Fid%2F76561197960287930"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "openid.sig=W0e8Yg6pQJj7kqV0zM7f6z1M5xk%3D"));
	{
		static const char tail[] = "&openid.mode=check_authentication";
		CU_ASSERT_TRUE(b.len > sizeof tail &&
			       !strcmp(b.data + b.len - (sizeof tail - 1), tail));
		/* once: the assertion's own mode is not copied */
		CU_ASSERT_PTR_NULL(strstr(strstr(b.data, "openid.mode=") + 1, "openid.mode="));
	}
	buf_release(&b);

	openid_auth_url(&b, EP, RT, "https://gw.example/");
	CU_ASSERT_EQUAL(strncmp(b.data, EP "?openid.ns=http%3A%2F%2Fspecs.openid.net%2Fauth%2F2.0&", strlen(EP) + 53), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "&openid.mode=checkid_setup&"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "&openid.return_to=https%3A%2F%2Fgw.example%2Fauth%2Fsteam%2Fcallback%3Fstate%3D0123456789abcdef0123456789abcdef&"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "&openid.realm=https%3A%2F%2Fgw.example%2F&"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "&openid.identity=http%3A%2F%2Fspecs.openid.net%2Fauth%2F2.0%2Fidentifier_select&"));
	buf_release(&b);
	/* an endpoint with a query already continues it */
	openid_auth_url(&b, "http://127.0.0.1:9/op?x=1", RT, "https://gw.example/");
	CU_ASSERT_EQUAL(strncmp(b.data, "http://127.0.0.1:9/op?x=1&openid.ns=", 36), 0);
	buf_release(&b);
}

static void test_steam_id(void)
{
	char id[18];
	CU_ASSERT_EQUAL(openid_steam_id(CID, id), 0);
	CU_ASSERT_STRING_EQUAL(id, "76561197960287930");
	CU_ASSERT_EQUAL(openid_steam_id("http://steamcommunity.com/openid/id/76561197960287930", id), -1);
	CU_ASSERT_EQUAL(openid_steam_id("https://steamcommunity.com.evil.example/openid/id/76561197960287930", id), -1);
	CU_ASSERT_EQUAL(openid_steam_id("https://steamcommunity.com/openid/id/7656119796028793", id), -1);
	CU_ASSERT_EQUAL(openid_steam_id("https://steamcommunity.com/openid/id/765611979602879301", id), -1);
	CU_ASSERT_EQUAL(openid_steam_id("https://steamcommunity.com/openid/id/76561197960287930/", id), -1);
	CU_ASSERT_EQUAL(openid_steam_id("https://steamcommunity.com/openid/id/76561197960287930?x", id), -1);
	CU_ASSERT_EQUAL(openid_steam_id("https://steamcommunity.com/openid/id/12345678901234567", id), -1);
	CU_ASSERT_EQUAL(openid_steam_id("https://steamcommunity.com/openid/id/7656119796028793a", id), -1);
	CU_ASSERT_EQUAL(openid_steam_id("https://STEAMCOMMUNITY.com/openid/id/76561197960287930", id), -1);
	CU_ASSERT_EQUAL(openid_steam_id(NULL, id), -1);
}

/* ---- CSRF bound to a session --------------------------------------------------- */

#define SECRET "0123456789abcdef0123456789abcdef-secret"
#define COOKIE "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define SESS_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SESS_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void test_csrf_bound(void)
{
	char anon[GUARD_CSRF_HEX + 1], a[GUARD_CSRF_HEX + 1], b[GUARD_CSRF_HEX + 1],
	     empty[GUARD_CSRF_HEX + 1];
	guard_csrf_sign(SECRET, COOKIE, anon);
	guard_csrf_sign_bound(SECRET, COOKIE, SESS_A, a);
	guard_csrf_sign_bound(SECRET, COOKIE, SESS_B, b);
	guard_csrf_sign_bound(SECRET, COOKIE, "", empty);
	CU_ASSERT_STRING_EQUAL(anon, empty);
	CU_ASSERT_STRING_NOT_EQUAL(anon, a);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	CU_ASSERT_TRUE(guard_csrf_valid_bound(SECRET, COOKIE, SESS_A, a));
	/* the token from before sign-in is no token after it */
	CU_ASSERT_FALSE(guard_csrf_valid_bound(SECRET, COOKIE, SESS_A, anon));
	/* one session's token is no token in another, nor signed out */
	CU_ASSERT_FALSE(guard_csrf_valid_bound(SECRET, COOKIE, SESS_B, a));
	CU_ASSERT_FALSE(guard_csrf_valid(SECRET, COOKIE, a));
	CU_ASSERT_TRUE(guard_csrf_valid(SECRET, COOKIE, anon));
	CU_ASSERT_TRUE(guard_csrf_valid_bound(SECRET, COOKIE, NULL, anon));
	CU_ASSERT_FALSE(guard_csrf_valid_bound("", COOKIE, SESS_A, a));
}

/* ---- validators ------------------------------------------------------------------- */

static void test_validators(void)
{
	char key[80];
	CU_ASSERT_EQUAL(acct_role_parse("user"), ROLE_USER);
	CU_ASSERT_EQUAL(acct_role_parse("curator"), ROLE_CURATOR);
	CU_ASSERT_EQUAL(acct_role_parse("admin"), ROLE_ADMIN);
	CU_ASSERT_EQUAL(acct_role_parse("Admin"), -1);
	CU_ASSERT_EQUAL(acct_role_parse("operator"), -1);
	CU_ASSERT_EQUAL(acct_role_parse(NULL), -1);
	CU_ASSERT_STRING_EQUAL(acct_role_name(ROLE_CURATOR), "curator");
	CU_ASSERT_STRING_EQUAL(acct_role_name(ROLE_OPERATOR), "");

	CU_ASSERT_TRUE(acct_token_well_formed(COOKIE));
	CU_ASSERT_FALSE(acct_token_well_formed("00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff"));
	CU_ASSERT_FALSE(acct_token_well_formed(COOKIE "0"));
	CU_ASSERT_FALSE(acct_token_well_formed(""));
	CU_ASSERT_FALSE(acct_token_well_formed(NULL));

	CU_ASSERT_TRUE(acct_safe_next("/account"));
	CU_ASSERT_TRUE(acct_safe_next("/bzcc/history?state=in_game&q=a%20b"));
	CU_ASSERT_FALSE(acct_safe_next("//evil.example/"));
	CU_ASSERT_FALSE(acct_safe_next("/\\evil.example"));
	CU_ASSERT_FALSE(acct_safe_next("/a//b"));
	CU_ASSERT_FALSE(acct_safe_next("https://evil.example/"));
	CU_ASSERT_FALSE(acct_safe_next("account"));
	CU_ASSERT_FALSE(acct_safe_next("/a\r\nSet-Cookie: x=1"));
	CU_ASSERT_FALSE(acct_safe_next(""));
	CU_ASSERT_FALSE(acct_safe_next(NULL));

	CU_ASSERT_TRUE(acct_name_ok("admin"));
	CU_ASSERT_TRUE(acct_name_ok("-=JabbA=- *p0p*"));
	CU_ASSERT_TRUE(acct_name_ok("Zoë"));
	CU_ASSERT_FALSE(acct_name_ok(""));
	CU_ASSERT_FALSE(acct_name_ok("   "));
	CU_ASSERT_FALSE(acct_name_ok("a\tb"));
	CU_ASSERT_FALSE(acct_name_ok("a\x7f"));
	CU_ASSERT_FALSE(acct_name_ok("a\xc2\x85" "b"));   /* C1 NEL */
	CU_ASSERT_FALSE(acct_name_ok("\xc3\x28"));         /* malformed UTF-8 */
	CU_ASSERT_FALSE(acct_name_ok("\xed\xa0\x80"));     /* a surrogate */
	CU_ASSERT_FALSE(acct_name_ok("\xc0\xaf"));         /* overlong */
	CU_ASSERT_FALSE(acct_name_ok("0123456789012345678901234567890123456789012345678901234567890123X"));
	CU_ASSERT_TRUE(acct_text_ok("0123456789012345678901234567890123456789012345678901234567890123X", 200));

	acct_login_key("AdMin Two", key, sizeof key);
	CU_ASSERT_STRING_EQUAL(key, "admin two");
	acct_login_key("ZOË", key, sizeof key);
	CU_ASSERT_STRING_EQUAL(key, "zoË"); /* ASCII folded only */
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("accounts", NULL, NULL);
	CU_add_test(s, "Argon2id hash, verify, rehash, generate", test_password);
	CU_add_test(s, "OpenID positive assertion checks", test_openid_assertion);
	CU_add_test(s, "OpenID response nonce", test_openid_nonce);
	CU_add_test(s, "OpenID Key-Value Form is_valid", test_openid_kv);
	CU_add_test(s, "OpenID auth URL and check_authentication body", test_openid_bodies);
	CU_add_test(s, "Steam claimed identifiers", test_steam_id);
	CU_add_test(s, "CSRF token bound to the session", test_csrf_bound);
	CU_add_test(s, "roles, tokens, next paths, names", test_validators);
}

CU_MAIN()
