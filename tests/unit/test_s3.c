/* test_s3.c: AWS Signature Version 4 (core/s3.c) against AWS's published
 * example values: the "get-vanilla" case of the Signature V4 test suite and
 * the worked S3 examples of the S3 API documentation ("Signature
 * Calculations for the Authorization Header": GET Object, PUT Object, GET
 * Bucket Lifecycle, Get Bucket (List Objects)). Those values are facts;
 * the requests below restate them. Also SHA-256/HMAC vectors (FIPS 180-2,
 * RFC 4231) and the URI encoding rules. */
#include <string.h>

#include "buf.h"
#include "cu.h"
#include "s3.h"
#include "sha256.h"

static const char S3_KEY[] = "AKIAIOSFODNN7EXAMPLE";
static const char S3_SECRET[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
static const char EMPTY[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static void sign(const char *method, const char *uri, const char *query, const char **headers,
		 size_t n, const char *payload, const char *date, const char *region,
		 const char *service, const char *key, const char *secret,
		 struct s3_signature *out)
{
	struct s3_sign_input in;
	memset(&in, 0, sizeof in);
	in.method = method;
	in.canonical_uri = uri;
	in.canonical_query = query;
	in.headers = headers;
	in.n_headers = n;
	in.payload_hash = payload;
	in.amz_date = date;
	in.region = region;
	in.service = service;
	in.access_key = key;
	in.secret_key = secret;
	CU_ASSERT_EQUAL_FATAL(s3_sign(&in, out), 0);
}

/* aws-sig-v4-test-suite, get-vanilla */
static void test_get_vanilla(void)
{
	const char *h[] = { "Host:example.amazonaws.com", "X-Amz-Date:20150830T123600Z" };
	struct s3_signature s = { BUF_INIT, BUF_INIT, "", BUF_INIT };
	sign("GET", "/", "", h, 2, EMPTY, "20150830T123600Z", "us-east-1", "service",
	     "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", &s);
	CU_ASSERT_STRING_EQUAL(s.canonical_request.data,
			       "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
			       "host;x-amz-date\n"
			       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CU_ASSERT_STRING_EQUAL(s.string_to_sign.data,
			       "AWS4-HMAC-SHA256\n20150830T123600Z\n"
			       "20150830/us-east-1/service/aws4_request\n"
			       "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
	CU_ASSERT_STRING_EQUAL(s.signature,
			       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
	CU_ASSERT_STRING_EQUAL(s.authorization.data,
			       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
			       "aws4_request, SignedHeaders=host;x-amz-date, Signature="
			       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
	s3_signature_release(&s);
}

/* S3 docs: GET Object with a Range header. Headers given out of order and
 * with odd spacing, to check normalization. */
static void test_s3_get_object(void)
{
	const char *h[] = { "x-amz-date:20130524T000000Z", "Range: bytes=0-9",
			    "Host:examplebucket.s3.amazonaws.com",
			    "x-amz-content-sha256:  e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" };
	struct s3_signature s = { BUF_INIT, BUF_INIT, "", BUF_INIT };
	sign("GET", "/test.txt", "", h, 4, EMPTY, "20130524T000000Z", "us-east-1", "s3", S3_KEY,
	     S3_SECRET, &s);
	CU_ASSERT_STRING_EQUAL(s.canonical_request.data,
			       "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\n"
			       "range:bytes=0-9\n"
			       "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
			       "x-amz-date:20130524T000000Z\n\n"
			       "host;range;x-amz-content-sha256;x-amz-date\n"
			       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CU_ASSERT_STRING_EQUAL(s.string_to_sign.data,
			       "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
			       "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
	CU_ASSERT_STRING_EQUAL(s.signature,
			       "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
	s3_signature_release(&s);
}

/* S3 docs: PUT Object "Welcome to Amazon S3." as test$file.text. */
static void test_s3_put_object(void)
{
	static const char body[] = "Welcome to Amazon S3.";
	char payload[SHA256_HEX_LEN];
	struct buf uri = BUF_INIT;
	const char *h[] = { "Host:examplebucket.s3.amazonaws.com",
			    "Date:Fri, 24 May 2013 00:00:00 GMT",
			    "x-amz-date:20130524T000000Z", "x-amz-storage-class:REDUCED_REDUNDANCY",
			    "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072" };
	struct s3_signature s = { BUF_INIT, BUF_INIT, "", BUF_INIT };
	sha256_hex(body, sizeof body - 1, payload);
	CU_ASSERT_STRING_EQUAL(payload,
			       "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
	buf_addch(&uri, '/');
	s3_uri_encode(&uri, "test$file.text", 1);
	CU_ASSERT_STRING_EQUAL(uri.data, "/test%24file.text");
	sign("PUT", uri.data, "", h, 5, payload, "20130524T000000Z", "us-east-1", "s3", S3_KEY,
	     S3_SECRET, &s);
	CU_ASSERT_STRING_EQUAL(s.signature,
			       "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
	CU_ASSERT_PTR_NOT_NULL(strstr(s.authorization.data,
		"SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"));
	s3_signature_release(&s);
	buf_release(&uri);
}

/* S3 docs: GET Bucket Lifecycle and Get Bucket (List Objects): query
 * strings in canonical form. */
static void test_s3_queries(void)
{
	const char *h[] = { "Host:examplebucket.s3.amazonaws.com",
			    "x-amz-date:20130524T000000Z",
			    "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" };
	struct s3_signature s = { BUF_INIT, BUF_INIT, "", BUF_INIT };
	sign("GET", "/", "lifecycle=", h, 3, EMPTY, "20130524T000000Z", "us-east-1", "s3", S3_KEY,
	     S3_SECRET, &s);
	CU_ASSERT_STRING_EQUAL(s.signature,
			       "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
	sign("GET", "/", "max-keys=2&prefix=J", h, 3, EMPTY, "20130524T000000Z", "us-east-1", "s3",
	     S3_KEY, S3_SECRET, &s);
	CU_ASSERT_STRING_EQUAL(s.signature,
			       "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
	s3_signature_release(&s);
}

static void test_bad_input(void)
{
	const char *h[] = { "no colon here" };
	const char *ok[] = { "host:x" };
	struct s3_signature s = { BUF_INIT, BUF_INIT, "", BUF_INIT };
	struct s3_sign_input in;
	memset(&in, 0, sizeof in);
	in.method = "GET";
	in.canonical_uri = "/";
	in.headers = h;
	in.n_headers = 1;
	in.payload_hash = EMPTY;
	in.amz_date = "20130524T000000Z";
	in.region = "us-east-1";
	in.service = "s3";
	in.access_key = "k";
	in.secret_key = "s";
	CU_ASSERT_EQUAL(s3_sign(&in, &s), -1);
	in.headers = ok;
	in.amz_date = "2013";
	CU_ASSERT_EQUAL(s3_sign(&in, &s), -1);
	in.amz_date = "20130524T000000Z";
	in.secret_key = NULL;
	CU_ASSERT_EQUAL(s3_sign(&in, &s), -1);
	s3_signature_release(&s);
}

/* FIPS 180-2 "abc" and RFC 4231 test case 2 for HMAC-SHA256. */
static void test_digests(void)
{
	char hex[SHA256_HEX_LEN];
	unsigned char mac[SHA256_LEN];
	char machex[SHA256_HEX_LEN];
	CU_ASSERT_STRING_EQUAL(sha256_hex("abc", 3, hex),
			       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CU_ASSERT_STRING_EQUAL(sha256_hex(NULL, 0, hex), EMPTY);
	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
	CU_ASSERT_STRING_EQUAL(hex_encode(mac, sizeof mac, machex),
			       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	{
		struct sha256_stream *st = sha256_stream_new();
		sha256_stream_add(st, "a", 1);
		sha256_stream_add(st, "bc", 2);
		sha256_stream_finish(st, hex);
		CU_ASSERT_STRING_EQUAL(hex,
			"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	}
}

static void test_uri_and_date(void)
{
	struct buf b = BUF_INIT;
	char d[17];
	s3_uri_encode(&b, "bzcc/map/a b+c~_.-é", 1);
	CU_ASSERT_STRING_EQUAL(b.data, "bzcc/map/a%20b%2Bc~_.-%C3%A9");
	buf_reset(&b);
	s3_uri_encode(&b, "a/b", 0);
	CU_ASSERT_STRING_EQUAL(b.data, "a%2Fb");
	buf_release(&b);
	CU_ASSERT_STRING_EQUAL(s3_amz_date(1369353600000LL, d), "20130524T000000Z");
}

/* Requests that cannot be made fail cleanly without a network. */
static void test_config_errors(void)
{
	struct s3_config c = { 0 };
	char err[200] = "";
	long st = -5;
	c.endpoint = "ftp://example";
	c.bucket = "b";
	c.access_key = "k";
	c.secret_key = "s";
	CU_ASSERT_EQUAL(s3_put(&c, "k", "x", 1, NULL, NULL, &st, err, sizeof err), -1);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "s3:"));
	CU_ASSERT_PTR_NULL(strstr(err, "s\n"));
	c.endpoint = "http://127.0.0.1:9";
	c.bucket = NULL;
	CU_ASSERT_EQUAL(s3_head(&c, "k", &st, err, sizeof err), -1);
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("s3", NULL, NULL);
	CU_add_test(s, "SigV4 test suite: get-vanilla", test_get_vanilla);
	CU_add_test(s, "S3 example: GET Object", test_s3_get_object);
	CU_add_test(s, "S3 example: PUT Object", test_s3_put_object);
	CU_add_test(s, "S3 examples: lifecycle and list queries", test_s3_queries);
	CU_add_test(s, "bad signing input", test_bad_input);
	CU_add_test(s, "SHA-256 and HMAC vectors", test_digests);
	CU_add_test(s, "URI encoding and x-amz-date", test_uri_and_date);
	CU_add_test(s, "invalid configuration", test_config_errors);
}

CU_MAIN()
