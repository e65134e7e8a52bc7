/* test_sanitize.c: the allowlist sanitizer (core/sanitize.c) on real map
 * descriptions (getdata.php text with a BOM and CRLF, vsrmaplist.json HTML)
 * and on hostile markup. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "cu.h"
#include "sanitize.h"

static char *san(const char *in)
{
	struct buf b = BUF_INIT;
	if (sanitize_html(in, strlen(in), &b) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

#define EXPECT(in, want)                                       \
	do {                                                   \
		char *got_ = san(in);                          \
		CU_ASSERT_PTR_NOT_NULL(got_);                  \
		if (got_) {                                    \
			CU_ASSERT_STRING_EQUAL(got_, want);    \
			if (strcmp(got_, want))                \
				fprintf(stderr, "\n  in:   %s\n  got:  %s\n  want: %s\n", \
					in, got_, want);       \
		}                                              \
		free(got_);                                    \
	} while (0)

/* The real getdata.php description of vsr4pool (BOM, CRLF line breaks)
 * becomes the same HTML vsrmaplist.json carries for that map. */
static void test_real_descriptions(void)
{
	struct json_object *rec = json_object_from_file(
		cu_data_path("bzcc/getdata-derived/vt-stats_vsr4pool.json"));
	struct json_object *seed = json_object_from_file(cu_data_path("bzcc/maps/vsrmaplist.json"));
	struct json_object *d;
	const char *desc, *seed_desc = NULL;
	char *a, *b;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
	CU_ASSERT_PTR_NOT_NULL_FATAL(seed);
	CU_ASSERT_FATAL(json_object_object_get_ex(rec, "description", &d));
	desc = json_object_get_string(d);
	CU_ASSERT(!strncmp(desc, "\xEF\xBB\xBF", 3));
	for (i = 0; i < json_object_array_length(seed); i++) {
		struct json_object *e = json_object_array_get_idx(seed, i), *f;
		if (json_object_object_get_ex(e, "File", &f) &&
		    !strcmp(json_object_get_string(f), "vsr4pool") &&
		    json_object_object_get_ex(e, "Description", &f))
			seed_desc = json_object_get_string(f);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(seed_desc);
	a = san(desc);
	b = san(seed_desc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT(!strncmp(a, "DuneNight<br><br>Smallish map.", 30));
	CU_ASSERT(!strstr(a, "\xEF\xBB\xBF"));
	CU_ASSERT(!strchr(a, '\r') && !strchr(a, '\n'));
	free(a);
	free(b);
	json_object_put(rec);
	json_object_put(seed);
}

/* Every seed description sanitizes without error and keeps its words. */
static void test_all_seed_descriptions(void)
{
	struct json_object *seed = json_object_from_file(cu_data_path("bzcc/maps/vsrmaplist.json"));
	size_t i, failures = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(seed);
	for (i = 0; i < json_object_array_length(seed); i++) {
		struct json_object *e = json_object_array_get_idx(seed, i), *f;
		struct buf out = BUF_INIT;
		const char *s;
		if (!json_object_object_get_ex(e, "Description", &f))
			continue;
		s = json_object_get_string(f);
		if (sanitize_html(s, strlen(s), &out) < 0 || (strlen(s) > 0 && !out.len) ||
		    strstr(out.data, "<script") || strstr(out.data, "=\""))
			failures++;
		buf_release(&out);
	}
	CU_ASSERT_EQUAL(failures, 0);
	json_object_put(seed);
}

static void test_allowlist(void)
{
	EXPECT("plain text", "plain text");
	EXPECT("a\r\nb\rc\nd", "a<br>b<br>c<br>d");
	EXPECT("<p class=\"x\" onclick=\"evil()\">Hi <b>there</b> <i>you</i></p>",
	       "<p>Hi <b>there</b> <i>you</i></p>");
	EXPECT("<ul><li>one<li>two</ul><ol><li><em>e</em><strong>s</strong></li></ol>",
	       "<ul><li>one</li><li>two</li></ul><ol><li><em>e</em><strong>s</strong></li></ol>");
	EXPECT("<BR/>x<Br >y", "<br>x<br>y");
	EXPECT("<a href=\"javascript:alert(1)\">link</a> <span style=\"x\">text</span>", "link text");
	EXPECT("<div><font color=red>Red</font></div>", "Red");
}

static void test_hostile(void)
{
	EXPECT("<script>alert(1)</script>ok", "ok");
	EXPECT("x<style>body{display:none}</style>y", "xy");
	EXPECT("<img src=x onerror=alert(1)>pic", "pic");
	EXPECT("<svg><script>alert(1)</script><text>t</text></svg>after", "after");
	EXPECT("<iframe src=\"//evil\">inner</iframe>z", "z");
	EXPECT("a<!-- comment <script> -->b", "ab");
	/* HTML has no CDATA sections: the markers stay as (escaped) text */
	EXPECT("<![CDATA[<b>x</b>]]>", "&lt;![CDATA[<b>x</b>]]&gt;");
	EXPECT("1 < 2 & 3 > 2 \"q\" 'a'", "1 &lt; 2 &amp; 3 &gt; 2 &quot;q&quot; &#39;a&#39;");
	EXPECT("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;");
	EXPECT("&amp;&copy;&#x41;", "&amp;\xC2\xA9" "A");
	EXPECT("<b>unclosed <i>nest", "<b>unclosed <i>nest</i></b>");
	EXPECT("</p></b>stray", "stray");
	EXPECT("<noscript><p>x</p></noscript>y", "y");
	EXPECT("<title>t</title><p>body</p>", "<p>body</p>");
	EXPECT("<textarea><b>x</b></textarea>k", "k");
}

static void test_encoding(void)
{
	EXPECT("\xEF\xBB\xBFstart", "start");
	EXPECT("mid\xEF\xBB\xBF" "dle", "middle");
	EXPECT("bad \xFF\xFE bytes", "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
	EXPECT("overlong \xC0\xAF", "overlong \xEF\xBF\xBD\xEF\xBF\xBD");
	EXPECT("caf\xC3\xA9 \xE2\x80\xA2 \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x80\xA2 \xF0\x9F\x98\x80");
	EXPECT("tab\there\x01\x7f", "tab\there\x7f");
	{
		struct buf b = BUF_INIT;
		static const char nul[] = "a\0b";
		CU_ASSERT_EQUAL(sanitize_html(nul, 3, &b), 0);
		CU_ASSERT_STRING_EQUAL(b.data, "ab");
		buf_release(&b);
	}
}

static void test_limits(void)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	size_t i;
	CU_ASSERT_EQUAL(sanitize_html("", 0, &out), 0);
	CU_ASSERT_EQUAL(out.len, 0);
	buf_addstr(&out, "kept");
	for (i = 0; i < SANITIZE_MAX_INPUT + 1; i++)
		buf_addch(&in, 'x');
	CU_ASSERT_EQUAL(sanitize_html(in.data, in.len, &out), -1);
	CU_ASSERT_STRING_EQUAL(out.data, "kept");
	/* deep nesting stays bounded and well-formed */
	buf_reset(&in);
	buf_reset(&out);
	for (i = 0; i < 2000; i++)
		buf_addstr(&in, "<b>");
	buf_addstr(&in, "deep");
	/* libxml2 stops at its depth limit: what is deeper may be lost, but
	 * the call succeeds and the output stays balanced */
	CU_ASSERT_EQUAL(sanitize_html(in.data, in.len, &out), 0);
	{
		size_t opens = 0, closes = 0;
		const char *p;
		for (p = out.data; (p = strstr(p, "<b>")); p++)
			opens++;
		for (p = out.data; (p = strstr(p, "</b>")); p++)
			closes++;
		CU_ASSERT_EQUAL(opens, closes);
	}
	buf_release(&in);
	buf_release(&out);
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("sanitize", NULL, NULL);
	CU_add_test(s, "real getdata and seed descriptions agree", test_real_descriptions);
	CU_add_test(s, "all 143 seed descriptions", test_all_seed_descriptions);
	CU_add_test(s, "allowlist keeps and unwraps", test_allowlist);
	CU_add_test(s, "hostile markup", test_hostile);
	CU_add_test(s, "BOM, bad UTF-8, controls", test_encoding);
	CU_add_test(s, "size cap and depth", test_limits);
}

CU_MAIN()
