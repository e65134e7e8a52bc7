/* tmpl.h: logic-less mustache templates rendered from json-c data.
 *
 * Two layers, as in mustach: a template is compiled once (tmpl_compile) into
 * an immutable tree and rendered any number of times (tmpl_render) against a
 * json-c object into a struct buf. A tmpl_set loads a whole directory of
 * NAME.mustache files at startup and resolves partials within the set.
 *
 * Language: the core of the mustache spec (v1.4: interpolation, sections,
 * inverted sections, comments, partials, set delimiters, standalone lines;
 * no lambdas, inheritance or dynamic names).
 *
 *   {{name}}       value of `name`, HTML-escaped: & < > " ' become
 *                  &amp; &lt; &gt; &quot; &#39; (html_txt in html.h)
 *   {{{name}}}     value unescaped; so is {{& name}}. Only for HTML we
 *                  built ourselves.
 *   {{a.b.c}}      dotted name: `a` is looked up through the context stack,
 *                  then b and c inside it only
 *   {{.}}          the current context (implicit iterator)
 *   {{#x}}..{{/x}} section: skipped when x is falsy, repeated once per
 *                  element (pushed as context) of a non-empty array, else
 *                  rendered once with x pushed as context
 *   {{^x}}..{{/x}} inverted section: rendered only when x is falsy
 *   {{! text }}    comment
 *   {{> name}}     partial; a partial alone on its line is indented by that
 *                  line's leading whitespace
 *   {{=<% %>=}}    change the delimiters
 *
 * Falsy values: a missing name, null, false, 0, 0.0, "" and []. Everything
 * else, including {} and "0", is truthy.
 *
 * Value formatting: strings as is; integers in decimal as json-c prints
 * them; doubles in the shortest form that reads back to the same double
 * (1.21 -> "1.21", 2.0 -> "2", 1e21 -> "1e+21", NaN -> "NaN", infinities ->
 * "Infinity" / "-Infinity"); true/false as "true"/"false"; null as nothing;
 * objects and arrays as compact JSON (json_object_to_json_string_ext, which
 * caches the text inside the object: do not render one json_object tree from
 * two threads at once).
 *
 * Threads: a compiled struct tmpl / tmpl_set is never modified after it is
 * built, so it can be shared read-only by any number of renders.
 *
 * Errors: functions that can fail take `err` / `errlen` and, on failure,
 * write one lowercase line without a trailing period there (truncated to
 * errlen; err may be NULL when errlen is 0), e.g.
 * "unclosed section \"x\" at line 3".
 */
#ifndef GW_TMPL_H
#define GW_TMPL_H

#include <stddef.h>

#include <json-c/json.h>

#include "buf.h"

/* Limits that keep rendering bounded for any template and data. */
#define TMPL_MAX_NESTING 100           /* sections open at once, per template */
#define TMPL_MAX_PARTIAL_DEPTH 64      /* partials inside partials */
#define TMPL_MAX_RENDER_DEPTH 512      /* sections + partials, whole render */
#define TMPL_MAX_STEPS 5000000UL       /* nodes and loop passes per render */
#define TMPL_MAX_OUTPUT (64UL << 20)   /* bytes appended per render */

/* A compiled template: immutable after tmpl_compile, safe to render from
 * many calls (and threads) at once. */
struct tmpl;

/* Compile `len` bytes of mustache source `src` (need not be NUL-terminated;
 * a NUL byte is ordinary text). The source is copied: the caller keeps
 * ownership of `src`.
 *
 * Returns a template to release with tmpl_free, or NULL with a message in
 * `err` ("unclosed tag at line 2", "unclosed section \"x\" at line 3",
 * "unexpected closing tag \"y\" at line 4", "empty tag name at line 1",
 * "invalid set delimiter tag at line 1", "sections nested too deeply at line
 * 9"). */
struct tmpl *tmpl_compile(const char *src, size_t len, char *err,
			  size_t errlen);

/* Release a template from tmpl_compile. NULL is ignored. Must not be called
 * on a template owned by a tmpl_set. */
void tmpl_free(struct tmpl *t);

/* Partial lookup callback for tmpl_render: return the compiled template for
 * `name` (NUL-terminated, borrowed, the tag's trimmed text), or NULL, in
 * which case the partial renders as nothing (as the spec requires). The
 * returned template stays owned by the callback's side and must stay valid
 * until tmpl_render returns. */
typedef const struct tmpl *(*tmpl_partial_fn)(void *closure, const char *name);

/* Render `t` with `data` as the root context, appending to `out`.
 *
 * data: borrowed; any json-c value, NULL meaning JSON null.
 * partials: resolves {{> name}}; NULL means every partial is empty.
 * closure: passed to `partials` untouched.
 *
 * Returns 0, or -1 with a message in `err` when the render is stopped by a
 * limit (partials nested deeper than TMPL_MAX_PARTIAL_DEPTH: "partial depth
 * limit (64) exceeded at \"name\""; TMPL_MAX_RENDER_DEPTH, TMPL_MAX_STEPS
 * or TMPL_MAX_OUTPUT). On error `out` is truncated back to its length at
 * the call, so no half page is ever left in it. */
int tmpl_render(const struct tmpl *t, struct json_object *data,
		tmpl_partial_fn partials, void *closure, struct buf *out,
		char *err, size_t errlen);

/* A named set of templates compiled from one directory. Immutable after
 * loading; safe to share between renders. */
struct tmpl_set;

/* Compile every regular file `dir`/NAME.mustache (NAME not empty and not
 * starting with '.') into template NAME; other files are ignored. Partials
 * of templates in the set resolve to other templates of the set.
 *
 * dir: borrowed path; NULL is an error ("no template directory given").
 * Returns a set to release with tmpl_set_free, or NULL with a message in
 * `err`: "could not open template directory \"d\": No such file or
 * directory", "could not read template \"f\": ...", or a compile error
 * prefixed with the file name ("page.mustache: unclosed tag at line 2").
 * An empty directory gives an empty set, not an error. */
struct tmpl_set *tmpl_set_load_dir(const char *dir, char *err, size_t errlen);

/* The template called `name` (without the .mustache suffix), or NULL when
 * the set has none or set is NULL. The result is owned by the set and valid
 * until tmpl_set_free. */
const struct tmpl *tmpl_set_get(const struct tmpl_set *set, const char *name);

/* Number of templates in the set (0 for NULL). */
size_t tmpl_set_count(const struct tmpl_set *set);

/* Render template `name` of `set` with `data`, partials resolved in the set;
 * otherwise as tmpl_render. An unknown name is an error ("no template
 * \"name\""), and `out` is left unchanged. */
int tmpl_set_render(const struct tmpl_set *set, const char *name,
		    struct json_object *data, struct buf *out, char *err,
		    size_t errlen);

/* Release the set and all its templates. NULL is ignored. */
void tmpl_set_free(struct tmpl_set *set);

#endif
