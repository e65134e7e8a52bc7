/* test_http.c: the header parsing of core/http.c that needs no network:
 * Retry-After (RFC 9110 10.2.3, delta-seconds form). */
#include <string.h>

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

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("http", NULL, NULL);
	CU_add_test(s, "Retry-After delta-seconds", test_retry_after);
}

CU_MAIN()
