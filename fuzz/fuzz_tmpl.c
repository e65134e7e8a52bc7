/* fuzz_tmpl.c: libFuzzer target for core/tmpl.c.
 *
 * Each input is compiled as a template and, when it compiles, rendered
 * against a fixed small data object. Partials resolve to the input itself
 * ("self", to exercise the depth limit) or to a fixed partial ("p"), so
 * indentation and recursion are covered too. A render error (a limit) is
 * fine; a crash, leak or sanitizer report is not.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *        -I. -Icore core/buf.c core/html.c core/tmpl.c fuzz/fuzz_tmpl.c \
 *        -ljson-c -o fuzz_tmpl
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "core/buf.h"
#include "core/tmpl.h"

static const char data_json[] =
	"{\"name\": \"<b>Tom & 'Jerry'</b>\", \"n\": 42, \"d\": 1.21,"
	" \"zero\": 0, \"empty\": \"\", \"t\": true, \"f\": false, \"nil\": null,"
	" \"list\": [1, \"two\", {\"name\": \"three\"}, [4], null],"
	" \"obj\": {\"a\": {\"b\": {\"c\": \"deep\"}}, \"list\": [\"x\", \"y\"]},"
	" \"lines\": \"one\\ntwo\\n\"}";

static const char partial_src[] = "[\n  {{name}}\n{{#list}}\n {{.}}\n{{/list}}\n]";

static struct json_object *data;
static struct tmpl *partial;

struct fuzz_partials {
	const struct tmpl *self;
};

static const struct tmpl *lookup_partial(void *closure, const char *name)
{
	struct fuzz_partials *fp = closure;

	if (!strcmp(name, "self"))
		return fp->self;
	if (!strcmp(name, "p"))
		return partial;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	struct fuzz_partials fp;
	struct buf out = BUF_INIT;
	char err[128];
	struct tmpl *t;

	if (!data) {
		data = json_tokener_parse(data_json);
		partial = tmpl_compile(partial_src, sizeof(partial_src) - 1,
				       NULL, 0);
		if (!data || !partial)
			__builtin_trap();
	}
	t = tmpl_compile((const char *)buf, len, err, sizeof(err));
	if (!t)
		return 0;
	fp.self = t;
	if (tmpl_render(t, data, lookup_partial, &fp, &out, err,
			sizeof(err)) < 0 && out.len)
		__builtin_trap(); /* an error must leave out as it was */
	if (out.data[out.len] != '\0')
		__builtin_trap();
	buf_release(&out);
	tmpl_free(t);
	return 0;
}
