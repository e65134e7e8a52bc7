/* sanitize.c: allowlist HTML sanitizer on libxml2's HTML parser (rules in
 * sanitize.h). */
#include "sanitize.h"

#include <stdint.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "html.h"

/* Deeper element nesting than this is flattened to its text: the tree walk
 * is recursive and browser-style parsers accept arbitrary depth. */
#define MAX_DEPTH 64

static const char *const keep_tags[] = { "br", "p", "b", "i", "em", "strong", "ul", "ol", "li" };

static const char *const drop_tags[] = {
	"script", "style", "template", "iframe", "object", "embed", "applet", "noscript",
	"noembed", "noframes", "frameset", "frame", "svg", "math", "head", "title",
	"textarea", "select", "xmp",
};

static int in_list(const char *name, const char *const *list, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!strcmp(name, list[i]))
			return 1;
	return 0;
}

static void silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void silent_structured(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

void sanitize_init(void)
{
	static int done;
	if (done)
		return;
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, silent);
	xmlSetStructuredErrorFunc(NULL, silent_structured);
	done = 1;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	uint32_t cp;
	size_t k, i;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		k = 2, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		k = 3, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		k = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return k;
}

/* The pre-pass: BOMs out, invalid UTF-8 to U+FFFD, controls out, line
 * breaks to <br>. */
static void prepare(const unsigned char *p, size_t n, struct buf *out)
{
	size_t i = 0, k;
	while (i < n) {
		if (p[i] == '\r') {
			buf_addstr(out, "<br>");
			i += (i + 1 < n && p[i + 1] == '\n') ? 2 : 1;
			continue;
		}
		if (p[i] == '\n') {
			buf_addstr(out, "<br>");
			i++;
			continue;
		}
		if (p[i] < 0x20 && p[i] != '\t') {
			i++;
			continue;
		}
		k = utf8_len(p + i, n - i);
		if (!k) {
			buf_addstr(out, "\xEF\xBF\xBD");
			i++;
			continue;
		}
		if (k == 3 && p[i] == 0xEF && p[i + 1] == 0xBB && p[i + 2] == 0xBF) {
			i += 3; /* U+FEFF, the BOM, anywhere */
			continue;
		}
		buf_add(out, p + i, k);
		i += k;
	}
}

static void walk(xmlNodePtr n, struct buf *out, int depth)
{
	for (; n; n = n->next) {
		const char *name;
		switch (n->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			html_txt(out, (const char *)n->content);
			break;
		case XML_ELEMENT_NODE:
			name = (const char *)n->name;
			if (!name || in_list(name, drop_tags, sizeof drop_tags / sizeof drop_tags[0]))
				break;
			if (!strcmp(name, "br")) {
				buf_addstr(out, "<br>");
				break;
			}
			if (depth < MAX_DEPTH &&
			    in_list(name, keep_tags, sizeof keep_tags / sizeof keep_tags[0])) {
				buf_addf(out, "<%s>", name);
				walk(n->children, out, depth + 1);
				buf_addf(out, "</%s>", name);
			} else {
				walk(n->children, out, depth + 1);
			}
			break;
		case XML_DOCUMENT_NODE:
		case XML_HTML_DOCUMENT_NODE:
		case XML_DOCUMENT_FRAG_NODE:
			walk(n->children, out, depth);
			break;
		default:
			/* comments, PIs, DTDs, entity declarations: dropped */
			break;
		}
	}
}

int sanitize_html(const char *in, size_t len, struct buf *out)
{
	struct buf pre = BUF_INIT;
	htmlDocPtr doc;
	size_t before = out->len;

	if (len > SANITIZE_MAX_INPUT)
		return -1;
	sanitize_init();
	/* an explicit body: bare text at the top would get an implied <p> */
	buf_addstr(&pre, "<html><body>");
	prepare((const unsigned char *)in, len, &pre);
	doc = htmlReadMemory(pre.data, (int)pre.len, NULL, "UTF-8",
			     HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
			     HTML_PARSE_COMPACT);
	buf_release(&pre);
	if (!doc) {
		buf_truncate(out, before);
		return -1;
	}
	walk(doc->children, out, 0);
	xmlFreeDoc(doc);
	return 0;
}
