/* fuzz_sanitize.c: libFuzzer target for core/sanitize.c (the allowlist
 * sanitizer for outside descriptions).
 *
 * Whatever the input, the output must contain no '<' that does not start
 * one of the allowed tags (<br>, <p>, <b>, <i>, <em>, <strong>, <ul>, <ol>,
 * <li> or their closing forms), no attribute, no raw NUL, and open and
 * close tags must balance; a failed call must leave the buffer unchanged.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *        -I. -Icore core/buf.c core/html.c core/sanitize.c fuzz/fuzz_sanitize.c \
 *        $(pkg-config --cflags --libs libxml-2.0) -o fuzz_sanitize
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/sanitize.h"

static const char *const tags[] = { "br", "p", "b", "i", "em", "strong", "ul", "ol", "li" };

/* Length of an allowed tag at p ("<b>", "</li>"), else 0. */
static size_t allowed_tag(const char *p)
{
	size_t i, k, off = p[1] == '/' ? 2 : 1;
	for (i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		k = strlen(tags[i]);
		if (!strncmp(p + off, tags[i], k) && p[off + k] == '>')
			return off + k + 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct buf out = BUF_INIT;
	int depth[9] = { 0 };
	size_t i, k;

	buf_addstr(&out, "x");
	if (sanitize_html((const char *)data, len, &out) < 0) {
		if (out.len != 1 || out.data[0] != 'x')
			__builtin_trap();
		buf_release(&out);
		return 0;
	}
	if (strlen(out.data) != out.len)
		__builtin_trap(); /* no NUL inside */
	for (i = 0; i < out.len; i++) {
		if (out.data[i] == '>' || out.data[i] == '"' || out.data[i] == '\'')
			__builtin_trap(); /* only inside allowed tags, skipped below */
		if (out.data[i] != '<')
			continue;
		k = allowed_tag(out.data + i);
		if (!k)
			__builtin_trap();
		{
			size_t t, off = out.data[i + 1] == '/' ? 2 : 1;
			for (t = 0; t < 9; t++)
				if (!strncmp(out.data + i + off, tags[t], strlen(tags[t])) &&
				    out.data[i + off + strlen(tags[t])] == '>')
					break;
			if (t > 0 && t < 9)
				depth[t] += off == 1 ? 1 : -1;
			if (t < 9 && depth[t] < 0)
				__builtin_trap();
		}
		i += k - 1;
	}
	for (k = 1; k < 9; k++)
		if (depth[k])
			__builtin_trap();
	buf_release(&out);
	return 0;
}
