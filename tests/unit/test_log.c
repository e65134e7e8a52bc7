/* test_log.c: core/log.c: the JSON record (parsed back with json-c), the
 * call site the macros capture, the module derived from the path, and the
 * text record that stays the default. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "cu.h"

/* Everything written to `f` since it was opened. */
static char *slurp(FILE *f)
{
	long n;
	char *s;
	fflush(f);
	n = ftell(f);
	s = calloc(1, (size_t)n + 1);
	rewind(f);
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		return NULL;
	}
	return s;
}

/* Parse exactly one JSON object followed by '\n' and nothing else, with
 * UTF-8 validation on. NULL on any deviation. */
static struct json_object *parse_line(const char *line)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	size_t n = strlen(line);
	if (!n || line[n - 1] != '\n' || memchr(line, '\n', n - 1))
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, line, (int)n - 1);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != n - 1) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static const char *str_field(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void test_source_path(void)
{
	char mod[64];
	/* this file, however the build spelt the source directory */
	CU_ASSERT_STRING_EQUAL(log_source_path(__FILE__), "tests/unit/test_log.c");
	CU_ASSERT_STRING_EQUAL(log_source_path("core/log.c"), "core/log.c");
	CU_ASSERT_STRING_EQUAL(log_source_path("../modules/bzcc/jobs/job-poll.c"),
			       "modules/bzcc/jobs/job-poll.c");
	CU_ASSERT_STRING_EQUAL(log_source_path("./platform/web/main.c"), "platform/web/main.c");
	CU_ASSERT_STRING_EQUAL(log_source_path("/home/x/src/gamewatch/platform/web/main.c"),
			       "platform/web/main.c");
	/* the first source root in an absolute path wins, not a later one */
	CU_ASSERT_STRING_EQUAL(log_source_path("/srv/gw/modules/bzcc/tests/unit/test_bzcc.c"),
			       "modules/bzcc/tests/unit/test_bzcc.c");
	CU_ASSERT_STRING_EQUAL(log_source_path(NULL), "");

	log_source_module("modules/bzcc/jobs/job-poll.c", mod, sizeof mod);
	CU_ASSERT_STRING_EQUAL(mod, "bzcc");
	log_source_module("modules/eve/web/api.c", mod, sizeof mod);
	CU_ASSERT_STRING_EQUAL(mod, "eve");
	log_source_module("platform/web/main.c", mod, sizeof mod);
	CU_ASSERT_STRING_EQUAL(mod, "platform");
	log_source_module("core/log.c", mod, sizeof mod);
	CU_ASSERT_STRING_EQUAL(mod, "core");
	log_source_module("tests/unit/test_log.c", mod, sizeof mod);
	CU_ASSERT_STRING_EQUAL(mod, "tests");
	log_source_module("log.c", mod, sizeof mod);
	CU_ASSERT_STRING_EQUAL(mod, "");
	log_source_module("modules/averyveryverylongname/x.c", mod, 5);
	CU_ASSERT_STRING_EQUAL(mod, "aver");
}

/* A call from another function: the record must name it, not log_at. */
static void helper_that_logs(void)
{
	log_warn("from the helper");
}

static void test_json_record(void)
{
	FILE *f = tmpfile();
	struct json_object *o, *v;
	const char *t;
	char *text, *second;
	struct tm tm;
	time_t before = time(NULL), at;
	int ms = -1;
	const char *keys[] = { "time", "level", "msg", "program", "pid", "context", "module",
			       "file", "func" };
	size_t k = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	log_init("test_log");
	log_set_output(f);
	log_set_format(LOG_FORMAT_JSON);
	log_set_level(LOG_INFO);
	log_set_context("req-42");
	log_info("quote \" backslash \\ slash / tab \t newline \n ctl \x01 caf\xc3\xa9 %d", 7);
	log_set_context(NULL);
	helper_that_logs();
	log_debug("below the level: not written");
	log_set_output(NULL);
	log_set_format(LOG_FORMAT_TEXT);
	text = slurp(f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);

	second = strchr(text, '\n');
	CU_ASSERT_PTR_NOT_NULL_FATAL(second);
	second++;
	/* exactly two records */
	CU_ASSERT_PTR_NOT_NULL(strchr(second, '\n'));
	CU_ASSERT_EQUAL(*(strchr(second, '\n') + 1), '\0');
	{
		char first[4096];
		size_t n = (size_t)(second - text);
		CU_ASSERT_FATAL(n < sizeof first);
		memcpy(first, text, n);
		first[n] = '\0';
		o = parse_line(first);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	/* keys in the documented order, nothing else */
	json_object_object_foreach(o, key, val) {
		(void)val;
		CU_ASSERT(k < sizeof keys / sizeof keys[0] && !strcmp(key, keys[k]));
		k++;
	}
	CU_ASSERT_EQUAL(k, sizeof keys / sizeof keys[0]);
	CU_ASSERT_STRING_EQUAL(str_field(o, "level"), "info");
	CU_ASSERT_STRING_EQUAL(str_field(o, "msg"),
			       "quote \" backslash \\ slash / tab \t newline \n ctl \x01 caf\xc3\xa9 7");
	CU_ASSERT_STRING_EQUAL(str_field(o, "program"), "test_log");
	CU_ASSERT(json_object_object_get_ex(o, "pid", &v) && json_object_is_type(v, json_type_int) &&
		  json_object_get_int64(v) == (int64_t)getpid());
	CU_ASSERT_STRING_EQUAL(str_field(o, "context"), "req-42");
	CU_ASSERT_STRING_EQUAL(str_field(o, "file"), "tests/unit/test_log.c");
	CU_ASSERT_STRING_EQUAL(str_field(o, "func"), "test_json_record");
	CU_ASSERT_STRING_EQUAL(str_field(o, "module"), "tests");
	/* the raw line escapes the control characters */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\\u0001"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "newline \\n ctl"));

	/* time: RFC 3339, UTC, milliseconds, now */
	t = str_field(o, "time");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(strlen(t), 24);
	memset(&tm, 0, sizeof tm);
	{
		const char *end = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm);
		CU_ASSERT_PTR_NOT_NULL_FATAL(end);
		CU_ASSERT(sscanf(end, ".%3dZ", &ms) == 1 && ms >= 0 && ms <= 999);
		CU_ASSERT_EQUAL(end[4], 'Z');
	}
	at = timegm(&tm);
	CU_ASSERT(at >= before && at <= time(NULL));
	json_object_put(o);

	o = parse_line(second);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(str_field(o, "level"), "warning");
	CU_ASSERT_STRING_EQUAL(str_field(o, "func"), "helper_that_logs");
	CU_ASSERT_STRING_EQUAL(str_field(o, "msg"), "from the helper");
	CU_ASSERT(json_object_object_get_ex(o, "context", &v) && v == NULL);
	json_object_put(o);
	free(text);
}

static void test_json_invalid_utf8(void)
{
	struct buf b = BUF_INIT;
	struct json_object *o;

	/* a stray continuation byte, 0xff, a truncated sequence, an overlong
	 * '/', a surrogate: each bad byte becomes U+FFFD */
	log_format_json(&b, 1726363424123LL, LOG_ERROR, "p\xff", 1, "c", "modules/m/x.c",
			"f", "a\x80" "b\xff" "c\xc3" "d\xc0\xaf" "e\xed\xa0\x80" "f\xf0\x9f\x98\x80");
	o = parse_line(b.data);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(str_field(o, "msg"),
			       "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd"
			       "d\xef\xbf\xbd\xef\xbf\xbd" "e\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
			       "f\xf0\x9f\x98\x80");
	CU_ASSERT_STRING_EQUAL(str_field(o, "program"), "p\xef\xbf\xbd");
	CU_ASSERT_STRING_EQUAL(str_field(o, "time"), "2024-09-15T01:23:44.123Z");
	CU_ASSERT_STRING_EQUAL(str_field(o, "level"), "error");
	CU_ASSERT_STRING_EQUAL(str_field(o, "module"), "m");
	json_object_put(o);
	buf_release(&b);
}

/* The default format is the text record, as before. */
static void test_text_record(void)
{
	FILE *f = tmpfile();
	char *text, prog[32], ctx[32], level[16], msg[64];
	int y, mo, d, h, mi, s;
	long pid;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	unsetenv("LOG_FORMAT");
	log_set_format(LOG_FORMAT_TEXT);
	log_init("test_log");
	log_set_output(f);
	log_set_context("job-x");
	log_error("two\nlines");
	log_set_context(NULL);
	log_set_output(NULL);
	text = slurp(f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL(sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2dZ %31[^[][%ld] [%31[^]]] %15[^:]: %63[^\n]",
			       &y, &mo, &d, &h, &mi, &s, prog, &pid, ctx, level, msg), 11);
	CU_ASSERT_STRING_EQUAL(prog, "test_log");
	CU_ASSERT_EQUAL(pid, (long)getpid());
	CU_ASSERT_STRING_EQUAL(ctx, "job-x");
	CU_ASSERT_STRING_EQUAL(level, "ERROR");
	CU_ASSERT_STRING_EQUAL(msg, "two lines");
	CU_ASSERT_EQUAL(strchr(text, '\n'), text + strlen(text) - 1);
	free(text);
}

/* LOG_FORMAT=json at log_init selects JSON. */
static void test_env_format(void)
{
	FILE *f = tmpfile();
	struct json_object *o;
	char *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	setenv("LOG_FORMAT", "json", 1);
	log_init("test_log");
	log_set_output(f);
	log_info("hello");
	log_set_output(NULL);
	log_set_format(LOG_FORMAT_TEXT);
	unsetenv("LOG_FORMAT");
	text = slurp(f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	o = parse_line(text);
	CU_ASSERT_PTR_NOT_NULL(o);
	CU_ASSERT_STRING_EQUAL(o ? str_field(o, "func") : "", "test_env_format");
	json_object_put(o);
	free(text);
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("log", NULL, NULL);
	CU_add_test(s, "source path and module", test_source_path);
	CU_add_test(s, "JSON record", test_json_record);
	CU_add_test(s, "JSON record with invalid UTF-8", test_json_invalid_utf8);
	CU_add_test(s, "text record (default)", test_text_record);
	CU_add_test(s, "LOG_FORMAT=json", test_env_format);
}

CU_MAIN()
