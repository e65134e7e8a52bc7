/* sanitize.h: allowlist HTML sanitizer for text from outside (map and mod
 * descriptions from getdata.php and vsrmaplist.json, Workshop texts).
 *
 * The input is parsed with libxml2's HTML parser (the same error recovery a
 * browser applies to tag soup) and written back from the parsed tree,
 * keeping only:
 *   text (re-escaped: & < > " ' become entities),
 *   <br>, <p>, <b>, <i>, <em>, <strong>, <ul>, <ol>, <li>  (no attributes).
 * Every other element is unwrapped (its text kept), except elements whose
 * content is code or hidden data, which are dropped with their content:
 * script, style, template, iframe, object, embed, applet, noscript, noembed,
 * noframes, frameset, frame, svg, math, head, title, textarea, select, xmp.
 * Comments, processing instructions, doctypes and every attribute are
 * dropped. Before parsing, a byte-order mark (U+FEFF) is removed, bytes that
 * are not UTF-8 become U+FFFD, NUL and other C0 controls (except tab) are
 * removed, and each line break (CRLF, CR or LF) becomes <br>, so plain text
 * with line breaks (getdata.php descriptions) renders as it was written.
 *
 * The output is well-formed (every kept element closed, nesting taken from
 * the parse tree) and safe to place in an HTML element's content unescaped.
 */
#ifndef GW_SANITIZE_H
#define GW_SANITIZE_H

#include <stddef.h>

#include "buf.h"

/* Longest input accepted, in bytes (64 KiB). */
#define SANITIZE_MAX_INPUT (64u << 10)

/* Sanitize `len` bytes of `in` (UTF-8, may contain anything) and append the
 * result to `out`.
 *
 * in: borrowed; may be NULL only when len is 0. out: appended to.
 * Returns 0, or -1 when len exceeds SANITIZE_MAX_INPUT or libxml2 could not
 * build a tree; on -1 `out` is left exactly as it was. An input that yields
 * nothing (only a script, say) returns 0 and appends nothing.
 *
 * Thread safety: libxml2's parser is initialised on first use
 * (xmlInitParser); call sanitize_init() first in a multi-threaded program. */
int sanitize_html(const char *in, size_t len, struct buf *out);

/* Initialise libxml2 and silence its error output (which would otherwise go
 * to stderr for every piece of tag soup). Idempotent. */
void sanitize_init(void);

#endif
