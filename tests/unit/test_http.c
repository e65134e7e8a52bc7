/* test_http.c: the header parsing of core/http.c that needs no network:
 * Retry-After (RFC 9110 10.2.3, delta-seconds form). */
#include <string.h>

#include "core/buf.h"
#include "core/http.h"
#include "cu.h"

static long ra(const char *v)
{
	return http_parse_retry_after(v, strlen(v));
}

static void test_retry_after(void)
{
	CU_ASSERT_EQUAL(ra("120"), 120);
	CU_ASSERT_EQUAL(ra("0"), 0);
	CU_ASSERT_EQUAL(ra(" 120\r\n"), 120); /* as a header callback sees it */
	CU_ASSERT_EQUAL(ra("\t7 \t"), 7);
	CU_ASSERT_EQUAL(ra("007"), 7);
	CU_ASSERT_EQUAL(ra("604800"), HTTP_RETRY_AFTER_MAX_S);
	CU_ASSERT_EQUAL(ra("604799"), 604799);
	CU_ASSERT_EQUAL(HTTP_RETRY_AFTER_MAX_S, 604800);
	/* longer waits are capped, however many digits (no overflow) */
	CU_ASSERT_EQUAL(ra("604801"), HTTP_RETRY_AFTER_MAX_S);
	CU_ASSERT_EQUAL(ra("99999999999999999999999999999999"), HTTP_RETRY_AFTER_MAX_S);
	/* not delta-seconds */
	CU_ASSERT_EQUAL(ra(""), -1);
	CU_ASSERT_EQUAL(ra(" \r\n"), -1);
	CU_ASSERT_EQUAL(ra("-1"), -1);
	CU_ASSERT_EQUAL(ra("+5"), -1);
	CU_ASSERT_EQUAL(ra("1.5"), -1);
	CU_ASSERT_EQUAL(ra("12 34"), -1);
	CU_ASSERT_EQUAL(ra("0x10"), -1);
	CU_ASSERT_EQUAL(ra("Wed, 21 Oct 2015 07:28:00 GMT"), -1);
	CU_ASSERT_EQUAL(ra("\r\n5"), -1); /* CR/LF only at the end */
	/* only `len` bytes are read */
	CU_ASSERT_EQUAL(http_parse_retry_after("12x", 2), 12);
	CU_ASSERT_EQUAL(http_parse_retry_after("5", 0), -1);
}

static void check(const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	http_url_redact(&b, in);
	CU_ASSERT_STRING_EQUAL(b.data, want);
	if (strcmp(b.data, want))
		fprintf(stderr, "\n%s\n  -> %s\n  want %s\n", in, b.data, want);
	buf_release(&b);
}

static void test_userinfo(void)
{
	check("http://alice:s3cret@lobby.example/lobbyServer", "http://***@lobby.example/lobbyServer");
	check("https://token@lobby.example:8443/x?a=1", "https://***@lobby.example:8443/x?a=1");
	/* the last '@' of the authority ends the userinfo */
	check("http://a@b:c@host/p", "http://***@host/p");
	/* an '@' after the authority is not userinfo (the NAT ids have them) */
	check("http://host/path/IGiq_J1@@E?x=y@z", "http://host/path/IGiq_J1@@E?x=y@z");
}

static void test_query(void)
{
	check("http://h/l?__pluginShowSource=true&api_key=abc123&x=1",
	      "http://h/l?__pluginShowSource=true&api_key=***&x=1");
	check("http://h/l?key=K&token=T&access_token=A&client_secret=S&password=P&apikey=Q",
	      "http://h/l?key=***&token=***&access_token=***&client_secret=***&password=***&apikey=***");
	check("http://h/l?API_KEY=abc", "http://h/l?API_KEY=***");
	check("http://h/l?api%5Fkey=abc#frag", "http://h/l?api%5Fkey=***#frag");
	check("https://s3.example/b/k?X-Amz-Credential=AK%2F2024&X-Amz-Signature=ff&X-Amz-Date=1",
	      "https://s3.example/b/k?X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Date=1");
	/* names that only contain the words are kept: monkey ends in "key" ... */
	check("http://h/l?keyboard=1&game=bigboat:battlezone_combat_commander",
	      "http://h/l?keyboard=1&game=bigboat:battlezone_combat_commander");
	check("http://u:p@h/l?key=1", "http://***@h/l?key=***");
}

static void test_unchanged(void)
{
	static const char *const same[] = {
		"http://raknetsrv2.iondriver.com/lobbyServer?__pluginShowSource=true&__pluginQueryServers=true&__pluginShowStatus=true",
		"https://multiplayersessionlist.iondriver.com/api/1.0/sessions?game=bigboat:battlezone_combat_commander",
		"file:///srv/captures/lobby.json", "replay-end:/tmp/dir", "", "http://h/?", "http://h/?k",
	};
	size_t i;
	for (i = 0; i < sizeof same / sizeof same[0]; i++)
		check(same[i], same[i]);
	{
		struct buf b = BUF_INIT;
		http_url_redact(&b, NULL);
		CU_ASSERT_EQUAL(b.len, 0);
		buf_release(&b);
	}
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("http", NULL, NULL);
	CU_add_test(s, "Retry-After delta-seconds", test_retry_after);
	s = CU_add_suite("http_url_redact", NULL, NULL);
	CU_add_test(s, "userinfo", test_userinfo);
	CU_add_test(s, "credential query parameters", test_query);
	CU_add_test(s, "URLs without credentials are unchanged", test_unchanged);
}

CU_MAIN()
