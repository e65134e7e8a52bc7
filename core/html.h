/* html.h: context-named escapers that append to a struct buf.
 *
 * Every dynamic value that reaches a page goes through one of these, chosen
 * for the context it lands in: html_txt for text nodes, html_attr for quoted
 * attribute values, url_path / url_arg for pieces of a URL (which then go
 * through html_attr when placed in an href). Nothing here writes unescaped
 * output; literal markup is appended with buf_addstr.
 *
 * All escapers take a NUL-terminated string and treat NULL as "nothing to
 * append"; they never fail (allocation failure aborts, see buf.h). Bytes
 * >= 0x80 pass through html_* untouched, so UTF-8 text stays UTF-8.
 */
#ifndef GW_HTML_H
#define GW_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Append `s` escaped for an HTML text node: & < > " ' become
 * &amp; &lt; &gt; &quot; &#39;. The quotes are escaped too so that the same
 * output is also safe inside a quoted attribute.
 *
 * b: destination, appended to.  s: NUL-terminated, borrowed; NULL appends
 * nothing. */
void html_txt(struct buf *b, const char *s);

/* As html_txt, for exactly `len` bytes of `s` (which may contain NULs; they
 * are copied as is). s may be NULL only when len is 0. */
void html_txt_n(struct buf *b, const char *s, size_t len);

/* Append `s` escaped for a quoted HTML attribute value (either quote
 * style): the same set as html_txt. NULL appends nothing. */
void html_attr(struct buf *b, const char *s);

/* Append `s` percent-encoded for one query-string argument (a name or a
 * value): every byte except the RFC 3986 unreserved set A-Z a-z 0-9 - . _ ~
 * becomes %XX (upper-case hex); a space is %20, never '+'. NULL appends
 * nothing. */
void url_arg(struct buf *b, const char *s);

/* Append `s` percent-encoded as one URL path segment: unreserved characters
 * and ! $ ( ) * + , ; = : @ are kept, everything else (including '/', '?',
 * '#', '%', '&', the quote characters and all bytes >= 0x80) becomes %XX.
 * '&' and '\'' are encoded although RFC 3986 allows them, so the result never
 * needs HTML escaping. NULL appends nothing. */
void url_path(struct buf *b, const char *s);

/* Percent-decode `len` bytes of `in` into `out` (appended).
 *
 * %XX takes either hex case. When plus_is_space is true (form bodies and
 * query strings) '+' decodes to a space; otherwise it is kept as '+'.
 *
 * Returns 0 on success. Returns -1, leaving `out` exactly as it was, when
 * an escape is malformed ('%' not followed by two hex digits, e.g. "%zz" or a
 * trailing "%4") or when the result would contain a NUL byte (from "%00" or a
 * raw NUL in the input): such input is rejected rather than silently
 * truncated by C string functions later. `in` is borrowed and may be NULL
 * only when len is 0. */
int url_decode(const char *in, size_t len, struct buf *out, bool plus_is_space);

#endif
