/* test_html.c: the escapers and url_decode of core/html.c. */
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/html.h"
#include "cu.h"

typedef void (*escaper)(struct buf *, const char *);

/* Run escaper `fn` on `in` appended after a prefix; compare the result. */
static int esc_eq(escaper fn, const char *in, const char *expected)
{
	struct buf b = BUF_INIT;
	int ok;

	buf_addstr(&b, "|");
	fn(&b, in);
	ok = !strcmp(b.data + 1, expected) && b.len == strlen(expected) + 1;
	if (!ok)
		printf("\n  in [%s] expected [%s] got [%s]\n", in ? in : "(null)",
		       expected, b.data + 1);
	buf_release(&b);
	return ok;
}

static void test_html_txt(void)
{
	CU_ASSERT(esc_eq(html_txt, "plain text", "plain text"));
	CU_ASSERT(esc_eq(html_txt, "", ""));
	CU_ASSERT(esc_eq(html_txt, NULL, ""));
	CU_ASSERT(esc_eq(html_txt, "<script>alert(1)</script>",
			 "&lt;script&gt;alert(1)&lt;/script&gt;"));
	CU_ASSERT(esc_eq(html_txt, "a & b", "a &amp; b"));
	CU_ASSERT(esc_eq(html_txt, "&amp;", "&amp;amp;"));
	CU_ASSERT(esc_eq(html_txt, "\"double\" 'single'",
			 "&quot;double&quot; &#39;single&#39;"));
	CU_ASSERT(esc_eq(html_txt, "&<>\"'", "&amp;&lt;&gt;&quot;&#39;"));
	/* UTF-8 and other bytes >= 0x80 pass through untouched. */
	CU_ASSERT(esc_eq(html_txt, "caf\xc3\xa9 \xe2\x98\x83 <\xf0\x9f\x8e\xae>",
			 "caf\xc3\xa9 \xe2\x98\x83 &lt;\xf0\x9f\x8e\xae&gt;"));
	CU_ASSERT(esc_eq(html_txt, "\xff\xfe", "\xff\xfe"));
	CU_ASSERT(esc_eq(html_txt, "tab\tnew\nline", "tab\tnew\nline"));
}

static void test_html_txt_n(void)
{
	struct buf b = BUF_INIT;

	html_txt_n(&b, "<b>ignored", 3);
	CU_ASSERT_STRING_EQUAL(b.data, "&lt;b&gt;");
	buf_reset(&b);
	html_txt_n(&b, "a\0<", 3);
	CU_ASSERT_EQUAL(b.len, 6);
	CU_ASSERT(!memcmp(b.data, "a\0&lt;", 6));
	buf_release(&b);
	html_txt_n(&b, NULL, 0);
	html_txt_n(&b, "x", 0);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_EQUAL(b.alloc, 0);
	buf_release(&b);

	/* A long input crosses many buffer growths. */
	{
		char big[5000];
		size_t i;
		memset(big, '<', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		html_txt(&b, big);
		CU_ASSERT_EQUAL(b.len, 4 * (sizeof(big) - 1));
		for (i = 0; i < b.len; i += 4)
			if (memcmp(b.data + i, "&lt;", 4))
				break;
		CU_ASSERT_EQUAL(i, b.len);
		CU_ASSERT_EQUAL(b.data[b.len], '\0');
		buf_release(&b);
	}
}

static void test_html_attr(void)
{
	CU_ASSERT(esc_eq(html_attr, "value", "value"));
	CU_ASSERT(esc_eq(html_attr, NULL, ""));
	CU_ASSERT(esc_eq(html_attr, "\" onmouseover=\"x", "&quot; onmouseover=&quot;x"));
	CU_ASSERT(esc_eq(html_attr, "' onfocus='x", "&#39; onfocus=&#39;x"));
	CU_ASSERT(esc_eq(html_attr, "/?a=1&b=<2>", "/?a=1&amp;b=&lt;2&gt;"));
	CU_ASSERT(esc_eq(html_attr, "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9"));
}

static void test_url_arg(void)
{
	CU_ASSERT(esc_eq(url_arg, "abcXYZ019-._~", "abcXYZ019-._~"));
	CU_ASSERT(esc_eq(url_arg, NULL, ""));
	CU_ASSERT(esc_eq(url_arg, "", ""));
	CU_ASSERT(esc_eq(url_arg, "a b", "a%20b"));
	CU_ASSERT(esc_eq(url_arg, "a+b&c=d", "a%2Bb%26c%3Dd"));
	CU_ASSERT(esc_eq(url_arg, "/?#%", "%2F%3F%23%25"));
	CU_ASSERT(esc_eq(url_arg, "<script>\"'", "%3Cscript%3E%22%27"));
	CU_ASSERT(esc_eq(url_arg, "caf\xc3\xa9", "caf%C3%A9"));
	CU_ASSERT(esc_eq(url_arg, "\x01\x7f\xff", "%01%7F%FF"));
	CU_ASSERT(esc_eq(url_arg, "!*'();:@$,[]", "%21%2A%27%28%29%3B%3A%40%24%2C%5B%5D"));
}

static void test_url_path(void)
{
	CU_ASSERT(esc_eq(url_path, "session-42_a.b~", "session-42_a.b~"));
	CU_ASSERT(esc_eq(url_path, NULL, ""));
	CU_ASSERT(esc_eq(url_path, "a/b", "a%2Fb"));
	CU_ASSERT(esc_eq(url_path, "a b?c#d%", "a%20b%3Fc%23d%25"));
	CU_ASSERT(esc_eq(url_path, "!$()*+,;=:@", "!$()*+,;=:@"));
	CU_ASSERT(esc_eq(url_path, "&'\"<>", "%26%27%22%3C%3E"));
	CU_ASSERT(esc_eq(url_path, "..", ".."));
	CU_ASSERT(esc_eq(url_path, "\xc3\xa9", "%C3%A9"));
}

/* url_decode `in` and compare with `expected` (NULL: expect failure). */
static int dec_eq(const char *in, bool plus, const char *expected)
{
	struct buf b = BUF_INIT;
	int rc, ok;

	buf_addstr(&b, "pre:");
	rc = url_decode(in, strlen(in), &b, plus);
	if (expected)
		ok = rc == 0 && !strcmp(b.data + 4, expected) &&
		     b.len == strlen(expected) + 4;
	else
		ok = rc == -1 && !strcmp(b.data, "pre:") && b.len == 4;
	if (!ok)
		printf("\n  in [%s] rc %d got [%s]\n", in, rc, b.data);
	buf_release(&b);
	return ok;
}

static void test_url_decode(void)
{
	CU_ASSERT(dec_eq("plain", false, "plain"));
	CU_ASSERT(dec_eq("", false, ""));
	CU_ASSERT(dec_eq("a%20b", false, "a b"));
	CU_ASSERT(dec_eq("%3cscript%3E", false, "<script>"));
	CU_ASSERT(dec_eq("%2f%2F", false, "//"));
	CU_ASSERT(dec_eq("caf%C3%A9", false, "caf\xc3\xa9"));
	CU_ASSERT(dec_eq("caf\xc3\xa9", false, "caf\xc3\xa9"));
	CU_ASSERT(dec_eq("a+b", false, "a+b"));
	CU_ASSERT(dec_eq("a+b%2B", true, "a b+"));
	CU_ASSERT(dec_eq("%25zz", false, "%zz"));
	CU_ASSERT(dec_eq("%FF", false, "\xff"));
	/* Malformed escapes. */
	CU_ASSERT(dec_eq("%zz", false, NULL));
	CU_ASSERT(dec_eq("ok%", false, NULL));
	CU_ASSERT(dec_eq("ok%4", false, NULL));
	CU_ASSERT(dec_eq("%4g", false, NULL));
	CU_ASSERT(dec_eq("%g4", false, NULL));
	CU_ASSERT(dec_eq("% 41", false, NULL));
	/* NUL bytes are rejected. */
	CU_ASSERT(dec_eq("a%00b", false, NULL));
	CU_ASSERT(dec_eq("%00", true, NULL));

	{
		struct buf b = BUF_INIT;
		/* A raw NUL inside the given length is rejected too. */
		CU_ASSERT_EQUAL(url_decode("a\0b", 3, &b, false), -1);
		CU_ASSERT_EQUAL(b.len, 0);
		/* Only `len` bytes are read. */
		CU_ASSERT_EQUAL(url_decode("ab%41", 3, &b, false), -1);
		CU_ASSERT_EQUAL(url_decode("ab%41zz", 5, &b, false), 0);
		CU_ASSERT_STRING_EQUAL(b.data, "abA");
		CU_ASSERT_EQUAL(url_decode(NULL, 0, &b, false), 0);
		CU_ASSERT_STRING_EQUAL(b.data, "abA");
		buf_release(&b);
	}
}

static sigjmp_buf fault_jump;

static void on_fault(int sig)
{
	(void)sig;
	siglongjmp(fault_jump, 1);
}

/* url_decode the n bytes of `text` placed at the very end of a readable
 * page, followed by a PROT_NONE page: any read past n bytes faults (under
 * valgrind and ASan as well as without them). Returns url_decode's result,
 * or -2 when it read past its length. */
static int decode_before_guard(const char *text, size_t n, bool plus, struct buf *out)
{
	long page = sysconf(_SC_PAGESIZE);
	struct sigaction sa, old_segv, old_bus;
	volatile int rc = -2;
	char *map, *in;

	map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	CU_ASSERT_FATAL(map != MAP_FAILED);
	CU_ASSERT_EQUAL_FATAL(mprotect(map + page, (size_t)page, PROT_NONE), 0);
	in = map + page - n;
	memcpy(in, text, n);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (sigsetjmp(fault_jump, 1) == 0)
		rc = url_decode(in, n, out, plus);
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	munmap(map, (size_t)page * 2);
	return rc;
}

/* url_decode reads only its `len` bytes: every prefix of escapes that would
 * read on (a '%' near the end, a "+" or plain text) is decoded with the next
 * byte unreadable. */
static void test_url_decode_bounds(void)
{
	static const struct {
		const char *in;
		const char *want; /* NULL: refused */
	} cases[] = {
		{ "", "" }, { "%", NULL }, { "%4", NULL }, { "%41", "A" }, { "a%41", "aA" },
		{ "ab%4", NULL }, { "ab%", NULL }, { "a+b", "a b" }, { "%zz", NULL },
		{ "plain", "plain" }, { "%2f%2F", "//" }, { "x%0", NULL },
	};
	const char *long_in = "q=caf%C3%A9+au+lait&x=%2F%25%41";
	size_t i, n;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b = BUF_INIT;
		int rc;
		buf_addstr(&b, "pre:");
		rc = decode_before_guard(cases[i].in, strlen(cases[i].in), true, &b);
		if (rc == -2)
			printf("\n  url_decode read past the end of [%s]\n", cases[i].in);
		if (cases[i].want) {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_EQUAL(strncmp(b.data, "pre:", 4), 0);
			CU_ASSERT_STRING_EQUAL(b.data + 4, cases[i].want);
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_STRING_EQUAL(b.data, "pre:");
		}
		buf_release(&b);
	}
	/* every prefix of a realistic query: decoded or refused, never over-read */
	for (n = 0; n <= strlen(long_in); n++) {
		struct buf b = BUF_INIT;
		int rc = decode_before_guard(long_in, n, true, &b);
		if (rc == -2)
			printf("\n  url_decode read past %zu bytes of [%s]\n", n, long_in);
		CU_ASSERT(rc == 0 || rc == -1);
		buf_release(&b);
	}
}

/* Encoding then decoding gives the input back. */
static void test_round_trip(void)
{
	const char *in[] = { "a b&c=d/e?f#g%h+i", "caf\xc3\xa9 \xe2\x98\x83",
			     "'\"<>", "~-._" };
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct buf enc = BUF_INIT, dec = BUF_INIT;
		url_arg(&enc, in[i]);
		CU_ASSERT_EQUAL(url_decode(enc.data, enc.len, &dec, true), 0);
		CU_ASSERT_STRING_EQUAL(dec.data, in[i]);
		buf_reset(&enc);
		buf_reset(&dec);
		url_path(&enc, in[i]);
		CU_ASSERT_EQUAL(url_decode(enc.data, enc.len, &dec, false), 0);
		CU_ASSERT_STRING_EQUAL(dec.data, in[i]);
		buf_release(&enc);
		buf_release(&dec);
	}
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("html", NULL, NULL);

	CU_add_test(s, "html_txt", test_html_txt);
	CU_add_test(s, "html_txt_n", test_html_txt_n);
	CU_add_test(s, "html_attr", test_html_attr);
	CU_add_test(s, "url_arg", test_url_arg);
	CU_add_test(s, "url_path", test_url_path);
	CU_add_test(s, "url_decode", test_url_decode);
	CU_add_test(s, "url_decode reads only len bytes", test_url_decode_bounds);
	CU_add_test(s, "encode/decode round trip", test_round_trip);
}

CU_MAIN()
