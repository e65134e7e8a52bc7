/* test_tmpl.c: the mustache spec (all 136 core cases) and our own cases for
 * core/tmpl.c. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/buf.h"
#include "core/tmpl.h"
#include "cu.h"

#define SPEC_CASES 136

static unsigned spec_run;
static unsigned spec_passed;

/* ---- spec runner ------------------------------------------------------- */

/* The partials of one spec case, compiled. */
struct partial_table {
	const char *names[16];
	struct tmpl *t[16];
	size_t n;
};

static const struct tmpl *table_partial(void *closure, const char *name)
{
	struct partial_table *pt = closure;
	size_t i;

	for (i = 0; i < pt->n; i++)
		if (!strcmp(pt->names[i], name))
			return pt->t[i];
	return NULL;
}

static const char *str_field(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Run one case; true when the output matches byte for byte. */
static bool run_case(const char *file, struct json_object *tc)
{
	struct partial_table pt = { .n = 0 };
	struct json_object *data = NULL, *partials;
	struct buf out = BUF_INIT;
	const char *name = str_field(tc, "name");
	const char *src = str_field(tc, "template");
	const char *expected = str_field(tc, "expected");
	struct tmpl *t;
	char err[256] = "";
	bool ok = false;
	size_t i;

	if (!name || !src || !expected) {
		printf("\n  invalid case in %s\n", file);
		return false;
	}
	json_object_object_get_ex(tc, "data", &data);
	if (json_object_object_get_ex(tc, "partials", &partials)) {
		json_object_object_foreach(partials, pname, pval) {
			const char *psrc = json_object_get_string(pval);
			if (pt.n == 16)
				break;
			pt.names[pt.n] = pname;
			pt.t[pt.n] = tmpl_compile(psrc, strlen(psrc), err,
						  sizeof(err));
			if (!pt.t[pt.n]) {
				printf("\n  %s / %s: partial %s: %s\n", file,
				       name, pname, err);
				goto done;
			}
			pt.n++;
		}
	}
	t = tmpl_compile(src, strlen(src), err, sizeof(err));
	if (!t) {
		printf("\n  %s / %s: compile error: %s\n", file, name, err);
		goto done;
	}
	if (tmpl_render(t, data, table_partial, &pt, &out, err,
			sizeof(err)) < 0) {
		printf("\n  %s / %s: render error: %s\n", file, name, err);
	} else if (out.len != strlen(expected) ||
		   memcmp(out.data, expected, out.len)) {
		printf("\n  DIFFERS %s / %s\n  TEMPLATE: [%s]\n"
		       "  EXPECTED: [%s]\n  GOT:      [%s]\n",
		       file, name, src, expected, out.data);
	} else {
		ok = true;
	}
	tmpl_free(t);
done:
	for (i = 0; i < pt.n; i++)
		tmpl_free(pt.t[i]);
	buf_release(&out);
	return ok;
}

static void run_spec_file(const char *file)
{
	char rel[64];
	struct json_object *root, *tests;
	size_t i, n;

	snprintf(rel, sizeof(rel), "mustache-spec/%s", file);
	root = json_object_from_file(cu_data_path(rel));
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_FATAL(json_object_object_get_ex(root, "tests", &tests));
	n = json_object_array_length(tests);
	CU_ASSERT(n > 0);
	for (i = 0; i < n; i++) {
		bool ok = run_case(file, json_object_array_get_idx(tests, i));
		spec_run++;
		spec_passed += ok;
		CU_ASSERT(ok);
	}
	json_object_put(root);
}

static void test_spec_comments(void)
{
	run_spec_file("comments.json");
}

static void test_spec_delimiters(void)
{
	run_spec_file("delimiters.json");
}

static void test_spec_interpolation(void)
{
	run_spec_file("interpolation.json");
}

static void test_spec_inverted(void)
{
	run_spec_file("inverted.json");
}

static void test_spec_partials(void)
{
	run_spec_file("partials.json");
}

static void test_spec_sections(void)
{
	run_spec_file("sections.json");
}

static void test_spec_totals(void)
{
	printf("\n  spec: %u run, %u passed\n", spec_run, spec_passed);
	CU_ASSERT_EQUAL(spec_run, SPEC_CASES);
	CU_ASSERT_EQUAL(spec_passed, SPEC_CASES);
}

/* ---- helpers for our own cases ----------------------------------------- */

/* Compile `src`, render it with `json` (parsed) and compare with `expected`.
 * partials: NULL-terminated name/source pairs, or NULL. */
static bool render_eq(const char *src, const char *json, const char *expected,
		      const char **partials)
{
	struct partial_table pt = { .n = 0 };
	struct json_object *data = json ? json_tokener_parse(json) : NULL;
	struct buf out = BUF_INIT;
	char err[256] = "";
	struct tmpl *t;
	bool ok = false;
	size_t i;

	for (i = 0; partials && partials[2 * i]; i++) {
		pt.names[i] = partials[2 * i];
		pt.t[i] = tmpl_compile(partials[2 * i + 1],
				       strlen(partials[2 * i + 1]), err,
				       sizeof(err));
		pt.n = i + 1;
	}
	t = tmpl_compile(src, strlen(src), err, sizeof(err));
	if (t && tmpl_render(t, data, table_partial, &pt, &out, err,
			     sizeof(err)) == 0)
		ok = !strcmp(out.data, expected);
	if (!ok)
		printf("\n  TEMPLATE: [%s]\n  EXPECTED: [%s]\n  GOT:      [%s] %s\n",
		       src, expected, out.data, err);
	tmpl_free(t);
	for (i = 0; i < pt.n; i++)
		tmpl_free(pt.t[i]);
	json_object_put(data);
	buf_release(&out);
	return ok;
}

/* Compile `src` expecting failure with exactly `msg`. */
static bool compile_fails(const char *src, const char *msg)
{
	char err[256] = "";
	struct tmpl *t = tmpl_compile(src, strlen(src), err, sizeof(err));

	if (t) {
		tmpl_free(t);
		printf("\n  compiled unexpectedly: [%s]\n", src);
		return false;
	}
	if (strcmp(err, msg)) {
		printf("\n  error [%s], expected [%s]\n", err, msg);
		return false;
	}
	return true;
}

/* ---- our own cases ----------------------------------------------------- */

static void test_escape_apostrophe(void)
{
	CU_ASSERT(render_eq("{{x}}", "{\"x\": \"it's <b>&\\\"\"}",
			    "it&#39;s &lt;b&gt;&amp;&quot;", NULL));
	CU_ASSERT(render_eq("{{{x}}}|{{&x}}", "{\"x\": \"it's\"}",
			    "it's|it's", NULL));
	CU_ASSERT(render_eq("<a title='{{x}}'>", "{\"x\": \"' onmouseover='\"}",
			    "<a title='&#39; onmouseover=&#39;'>", NULL));
	CU_ASSERT(render_eq("{{#l}}{{.}}{{/l}}", "{\"l\": [\"'\", \"<\"]}",
			    "&#39;&lt;", NULL));
}

static void test_values(void)
{
	CU_ASSERT(render_eq("{{a}} {{b}} {{c}} {{d}}",
			    "{\"a\": -42, \"b\": 9223372036854775807,"
			    " \"c\": 18446744073709551615, \"d\": 0}",
			    "-42 9223372036854775807 18446744073709551615 0",
			    NULL));
	CU_ASSERT(render_eq("{{a}} {{b}} {{c}} {{d}} {{e}}",
			    "{\"a\": 1.21, \"b\": 2.0, \"c\": 0.1,"
			    " \"d\": 1e21, \"e\": -0.5}",
			    "1.21 2 0.1 1e+21 -0.5", NULL));
	CU_ASSERT(render_eq("{{t}} {{f}} [{{n}}] [{{missing}}]",
			    "{\"t\": true, \"f\": false, \"n\": null}",
			    "true false [] []", NULL));
	CU_ASSERT(render_eq("{{o}} {{{a}}}",
			    "{\"o\": {\"k\": \"<v>\"}, \"a\": [1, \"/\"]}",
			    "{&quot;k&quot;:&quot;&lt;v&gt;&quot;} [1,\"/\"]",
			    NULL));
	CU_ASSERT(render_eq("{{s}}", "{\"s\": \"h\\u00e9 \\u2603\"}",
			    "h\xc3\xa9 \xe2\x98\x83", NULL));
}

static void test_truthiness(void)
{
	/* Falsy: missing, null, false, 0, 0.0, "", []. */
	CU_ASSERT(render_eq("{{#a}}A{{/a}}{{#b}}B{{/b}}{{#c}}C{{/c}}"
			    "{{#d}}D{{/d}}{{#e}}E{{/e}}{{#f}}F{{/f}}{{#g}}G{{/g}}",
			    "{\"b\": null, \"c\": false, \"d\": 0, \"e\": 0.0,"
			    " \"f\": \"\", \"g\": []}", "", NULL));
	CU_ASSERT(render_eq("{{^a}}A{{/a}}{{^b}}B{{/b}}{{^c}}C{{/c}}"
			    "{{^d}}D{{/d}}{{^e}}E{{/e}}{{^f}}F{{/f}}{{^g}}G{{/g}}",
			    "{\"b\": null, \"c\": false, \"d\": 0, \"e\": 0.0,"
			    " \"f\": \"\", \"g\": []}", "ABCDEFG", NULL));
	/* Truthy scalars are pushed as the context. */
	CU_ASSERT(render_eq("{{#n}}[{{.}}]{{/n}}{{#s}}[{{.}}]{{/s}}{{#o}}o{{/o}}",
			    "{\"n\": 7, \"s\": \"0\", \"o\": {}}",
			    "[7][0]o", NULL));
	CU_ASSERT(render_eq("{{#l}}{{n}},{{/l}}",
			    "{\"l\": [{\"n\": 1}, {\"n\": 2}, null, 3]}",
			    "1,2,,,", NULL));
}

static void test_no_data(void)
{
	CU_ASSERT(render_eq("a{{x}}b{{#y}}c{{/y}}{{^y}}d{{/y}}{{.}}", NULL,
			    "abd", NULL));
	CU_ASSERT(render_eq("{{.}}", "\"<\"", "&lt;", NULL));
}

static void test_nul_bytes(void)
{
	static const char src[] = "a\0{{x}}\0b";
	struct json_object *data = json_tokener_parse("{\"x\": 1}");
	struct buf out = BUF_INIT;
	struct tmpl *t = tmpl_compile(src, sizeof(src) - 1, NULL, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(tmpl_render(t, data, NULL, NULL, &out, NULL, 0), 0);
	CU_ASSERT_EQUAL(out.len, 5);
	CU_ASSERT(!memcmp(out.data, "a\0" "1\0b", 5));
	tmpl_free(t);
	json_object_put(data);
	buf_release(&out);
}

static void test_render_many_times(void)
{
	const char *src = "{{#l}}<li>{{.}}</li>{{/l}}";
	struct tmpl *t = tmpl_compile(src, strlen(src), NULL, 0);
	struct json_object *a = json_tokener_parse("{\"l\": [1, 2]}");
	struct json_object *b = json_tokener_parse("{\"l\": [\"x\"]}");
	struct buf out = BUF_INIT;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (i = 0; i < 3; i++) {
		buf_reset(&out);
		CU_ASSERT_EQUAL(tmpl_render(t, a, NULL, NULL, &out, NULL, 0), 0);
		CU_ASSERT_STRING_EQUAL(out.data, "<li>1</li><li>2</li>");
		buf_reset(&out);
		CU_ASSERT_EQUAL(tmpl_render(t, b, NULL, NULL, &out, NULL, 0), 0);
		CU_ASSERT_STRING_EQUAL(out.data, "<li>x</li>");
	}
	/* Rendering appends. */
	CU_ASSERT_EQUAL(tmpl_render(t, a, NULL, NULL, &out, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(out.data, "<li>x</li><li>1</li><li>2</li>");
	tmpl_free(t);
	json_object_put(a);
	json_object_put(b);
	buf_release(&out);
}

static void test_partial_indentation(void)
{
	const char *p[] = {
		"outer", "<ul>\n  {{>inner}}\n</ul>\n",
		"inner", "{{#l}}\n<li>{{.}}</li>\n{{/l}}\n",
		NULL,
	};

	/* Indentation adds up through nested standalone partials, and is
	 * never put into interpolated values. */
	CU_ASSERT(render_eq("  {{>outer}}\nend", "{\"l\": [\"a\", \"b\\nc\"]}",
			    "  <ul>\n    <li>a</li>\n    <li>b\nc</li>\n"
			    "  </ul>\nend", p));
	/* An inline partial is not indented. */
	CU_ASSERT(render_eq("x {{>inner}}|", "{\"l\": [1]}",
			    "x <li>1</li>\n|", p));
	/* Partials that are not found render nothing. */
	CU_ASSERT(render_eq("a\n  {{>nope}}\nb", "{}", "a\nb", p));
	CU_ASSERT(render_eq("a{{>nope}}b", "{}", "ab", NULL));
}

/* Render `t` over `levels` nested {"d": ...} objects, the innermost
 * {"d": false} (an empty one would find the outer d again). */
static int render_chain(const struct tmpl *t, struct partial_table *pt,
			int levels, struct buf *out)
{
	struct json_object *data = json_object_new_object();
	char err[256];
	int i, rc;

	json_object_object_add(data, "d", json_object_new_boolean(0));
	for (i = 0; i < levels; i++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "d", data);
		data = o;
	}
	rc = tmpl_render(t, data, table_partial, pt, out, err, sizeof(err));
	json_object_put(data);
	return rc;
}

static void test_partial_depth_limit(void)
{
	const char *self = "x{{>self}}";
	struct partial_table pt = { .n = 1 };
	struct buf out = BUF_INIT;
	char err[256] = "";
	struct tmpl *t;
	int rc;

	t = tmpl_compile(self, strlen(self), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	pt.names[0] = "self";
	pt.t[0] = t;
	buf_addstr(&out, "kept");
	rc = tmpl_render(t, NULL, table_partial, &pt, &out, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_STRING_EQUAL(err,
			       "partial depth limit (64) exceeded at \"self\"");
	/* No half page is left behind. */
	CU_ASSERT_STRING_EQUAL(out.data, "kept");

	/* Exactly at the limit is fine: a chain of 64 partials, each entered
	 * from a section over {"d": {"d": ...}}; one more fails. */
	tmpl_free(t);
	t = tmpl_compile("{{#d}}{{>self}}{{/d}}", 21, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	pt.t[0] = t;
	buf_reset(&out);
	CU_ASSERT_EQUAL(render_chain(t, &pt, 64, &out), 0);
	CU_ASSERT_EQUAL(render_chain(t, &pt, 65, &out), -1);
	tmpl_free(t);
	buf_release(&out);
}

static void test_nesting_limits(void)
{
	struct buf src = BUF_INIT;
	char err[256] = "";
	struct tmpl *t;
	int i;

	for (i = 0; i < TMPL_MAX_NESTING; i++)
		buf_addstr(&src, "{{#a}}");
	for (i = 0; i < TMPL_MAX_NESTING; i++)
		buf_addstr(&src, "{{/a}}");
	t = tmpl_compile(src.data, src.len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(t);
	tmpl_free(t);

	buf_reset(&src);
	for (i = 0; i <= TMPL_MAX_NESTING; i++)
		buf_addstr(&src, "{{#a}}\n");
	t = tmpl_compile(src.data, src.len, err, sizeof(err));
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_STRING_EQUAL(err, "sections nested too deeply at line 101");
	buf_release(&src);
}

static void test_compile_errors(void)
{
	CU_ASSERT(compile_fails("a\n{{#x}}\nb\n", "unclosed section \"x\" at line 2"));
	CU_ASSERT(compile_fails("{{#a}}{{#b}}{{/b}}", "unclosed section \"a\" at line 1"));
	CU_ASSERT(compile_fails("ok\nok\n{{name", "unclosed tag at line 3"));
	CU_ASSERT(compile_fails("{{{name}}", "unclosed tag at line 1"));
	CU_ASSERT(compile_fails("{{=<% %>=}}<%name", "unclosed tag at line 1"));
	CU_ASSERT(compile_fails("{{/x}}", "unexpected closing tag \"x\" at line 1"));
	CU_ASSERT(compile_fails("{{#x}}\n{{/y}}",
				"closing tag \"y\" does not match section \"x\" at line 2"));
	CU_ASSERT(compile_fails("{{}}", "empty tag name at line 1"));
	CU_ASSERT(compile_fails("{{# }}", "empty tag name at line 1"));
	CU_ASSERT(compile_fails("{{=<%=}}", "invalid set delimiter tag at line 1"));
	CU_ASSERT(compile_fails("{{=<% %> x=}}", "invalid set delimiter tag at line 1"));
	CU_ASSERT(compile_fails("{{= =}}", "invalid set delimiter tag at line 1"));
	/* Control characters in names never break the one-line message. */
	CU_ASSERT(compile_fails("{{/a\nb}}", "unexpected closing tag \"a?b\" at line 1"));
	/* Error buffer may be absent or tiny. */
	CU_ASSERT_PTR_NULL(tmpl_compile("{{", 2, NULL, 0));
	{
		char small[8];
		CU_ASSERT_PTR_NULL(tmpl_compile("{{#x}}", 6, small, sizeof(small)));
		CU_ASSERT_STRING_EQUAL(small, "unclose");
	}
	/* Edge cases that are fine. */
	{
		struct tmpl *t = tmpl_compile("", 0, NULL, 0);
		struct buf out = BUF_INIT;
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		CU_ASSERT_EQUAL(tmpl_render(t, NULL, NULL, NULL, &out, NULL, 0), 0);
		CU_ASSERT_EQUAL(out.len, 0);
		tmpl_free(t);
		t = tmpl_compile(NULL, 0, NULL, 0);
		CU_ASSERT_PTR_NOT_NULL(t);
		tmpl_free(t);
		tmpl_free(NULL);
	}
}

/* ---- template sets ----------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs(text, fp);
	fclose(fp);
}

static void remove_file(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static void test_set_load_dir(void)
{
	char dir[] = "/tmp/gw-test-tmpl-XXXXXX";
	struct tmpl_set *set;
	struct json_object *data;
	struct buf out = BUF_INIT;
	char err[256] = "";

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_file(dir, "layout.mustache",
		   "<title>{{title}}</title>\n"
		   "<body>\n"
		   "  {{>nav}}\n"
		   "  <main>{{{content}}}</main>\n"
		   "</body>\n");
	write_file(dir, "nav.mustache",
		   "<nav>\n"
		   "{{#links}}\n"
		   "  <a href=\"{{url}}\">{{label}}</a>\n"
		   "{{/links}}\n"
		   "</nav>\n");
	write_file(dir, "notes.txt", "{{#not a template");
	write_file(dir, ".hidden.mustache", "{{#broken");

	set = tmpl_set_load_dir(dir, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	CU_ASSERT_EQUAL(tmpl_set_count(set), 2);
	CU_ASSERT_PTR_NOT_NULL(tmpl_set_get(set, "layout"));
	CU_ASSERT_PTR_NOT_NULL(tmpl_set_get(set, "nav"));
	CU_ASSERT_PTR_NULL(tmpl_set_get(set, "notes"));
	CU_ASSERT_PTR_NULL(tmpl_set_get(set, "layout.mustache"));
	CU_ASSERT_PTR_NULL(tmpl_set_get(NULL, "nav"));

	data = json_tokener_parse(
		"{\"title\": \"A & B\", \"content\": \"<p>hi</p>\","
		" \"links\": [{\"url\": \"/?a=1&b=2\", \"label\": \"Live\"},"
		" {\"url\": \"/api\", \"label\": \"<API>\"}]}");
	CU_ASSERT_EQUAL(tmpl_set_render(set, "layout", data, &out, err,
					sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(out.data,
			       "<title>A &amp; B</title>\n"
			       "<body>\n"
			       "  <nav>\n"
			       "    <a href=\"/?a=1&amp;b=2\">Live</a>\n"
			       "    <a href=\"/api\">&lt;API&gt;</a>\n"
			       "  </nav>\n"
			       "  <main><p>hi</p></main>\n"
			       "</body>\n");
	buf_reset(&out);
	CU_ASSERT_EQUAL(tmpl_set_render(set, "missing", data, &out, err,
					sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "no template \"missing\"");
	CU_ASSERT_EQUAL(out.len, 0);
	tmpl_set_free(set);
	json_object_put(data);

	/* A broken template fails the whole load, naming the file. */
	write_file(dir, "bad.mustache", "ok\n{{#x}}\n");
	set = tmpl_set_load_dir(dir, err, sizeof(err));
	CU_ASSERT_PTR_NULL(set);
	CU_ASSERT_STRING_EQUAL(err,
			       "bad.mustache: unclosed section \"x\" at line 2");
	remove_file(dir, "bad.mustache");

	remove_file(dir, "layout.mustache");
	remove_file(dir, "nav.mustache");
	remove_file(dir, "notes.txt");
	remove_file(dir, ".hidden.mustache");

	/* An empty directory is an empty set. */
	set = tmpl_set_load_dir(dir, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(set);
	CU_ASSERT_EQUAL(tmpl_set_count(set), 0);
	tmpl_set_free(set);

	CU_ASSERT_EQUAL(rmdir(dir), 0);
	set = tmpl_set_load_dir(dir, err, sizeof(err));
	CU_ASSERT_PTR_NULL(set);
	CU_ASSERT(!strncmp(err, "could not open template directory \"", 35));
	CU_ASSERT_PTR_NULL(tmpl_set_load_dir(NULL, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "no template directory given");
	tmpl_set_free(NULL);
	buf_release(&out);
}

/* The project's own templates (the platform's and every module's, staged in
 * the build directory's share/templates as they are installed) must
 * compile. */
static void test_project_templates(void)
{
	char path[4096];
	const char *src = getenv("GW_BUILDDIR");
	struct tmpl_set *set;
	char err[256] = "";

	snprintf(path, sizeof(path), "%s/share/templates", src ? src : ".");
	set = tmpl_set_load_dir(path, err, sizeof(err));
	if (!set)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(set);
	CU_ASSERT(tmpl_set_count(set) >= 14); /* layout, error, hub + bzcc's 11 */
	tmpl_set_free(set);
}

static void register_tests(void)
{
	CU_pSuite spec = CU_add_suite("mustache spec", NULL, NULL);
	CU_pSuite own = CU_add_suite("tmpl", NULL, NULL);

	CU_add_test(spec, "comments", test_spec_comments);
	CU_add_test(spec, "delimiters", test_spec_delimiters);
	CU_add_test(spec, "interpolation", test_spec_interpolation);
	CU_add_test(spec, "inverted", test_spec_inverted);
	CU_add_test(spec, "partials", test_spec_partials);
	CU_add_test(spec, "sections", test_spec_sections);
	CU_add_test(spec, "136 cases run and passed", test_spec_totals);

	CU_add_test(own, "apostrophe and quotes escaped", test_escape_apostrophe);
	CU_add_test(own, "value formatting", test_values);
	CU_add_test(own, "falsy and truthy values", test_truthiness);
	CU_add_test(own, "null and scalar roots", test_no_data);
	CU_add_test(own, "NUL bytes in templates", test_nul_bytes);
	CU_add_test(own, "compile once, render many", test_render_many_times);
	CU_add_test(own, "partial indentation", test_partial_indentation);
	CU_add_test(own, "partial depth limit", test_partial_depth_limit);
	CU_add_test(own, "section nesting limit", test_nesting_limits);
	CU_add_test(own, "compile errors", test_compile_errors);
	CU_add_test(own, "tmpl_set_load_dir", test_set_load_dir);
	CU_add_test(own, "project templates compile", test_project_templates);
}

CU_MAIN()
