/* html.c: context-named escapers (see html.h for each contract). */
#include "html.h"

static const char hex_digits[] = "0123456789ABCDEF";

/* Entity for an HTML-special byte, or NULL when the byte is copied as is. */
static const char *html_entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

void html_txt_n(struct buf *b, const char *s, size_t len)
{
	size_t i, run = 0;

	if (!s)
		return;
	/* Copy runs of plain bytes in one buf_add; most text has no specials. */
	for (i = 0; i < len; i++) {
		const char *ent = html_entity((unsigned char)s[i]);
		if (!ent)
			continue;
		buf_add(b, s + run, i - run);
		buf_addstr(b, ent);
		run = i + 1;
	}
	buf_add(b, s + run, len - run);
}

void html_txt(struct buf *b, const char *s)
{
	if (s)
		html_txt_n(b, s, strlen(s));
}

void html_attr(struct buf *b, const char *s)
{
	/* Same set as html_txt: kept as its own name so call sites say which
	 * context they write to, and so the two can diverge if ever needed. */
	if (s)
		html_txt_n(b, s, strlen(s));
}

static bool is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

static bool is_path_safe(unsigned char c)
{
	return is_unreserved(c) || (c && strchr("!$()*+,;=:@", c));
}

static void percent_encode(struct buf *b, const char *s,
			   bool (*keep)(unsigned char))
{
	const unsigned char *p;

	if (!s)
		return;
	for (p = (const unsigned char *)s; *p; p++) {
		if (keep(*p)) {
			buf_addch(b, (char)*p);
		} else {
			buf_addch(b, '%');
			buf_addch(b, hex_digits[*p >> 4]);
			buf_addch(b, hex_digits[*p & 0xf]);
		}
	}
}

void url_arg(struct buf *b, const char *s)
{
	percent_encode(b, s, is_unreserved);
}

void url_path(struct buf *b, const char *s)
{
	percent_encode(b, s, is_path_safe);
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int url_decode(const char *in, size_t len, struct buf *out, bool plus_is_space)
{
	size_t start = out->len;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '%') {
			int hi, lo;
			if (len - i < 3)
				goto fail;
			hi = hex_value((unsigned char)in[i + 1]);
			lo = hex_value((unsigned char)in[i + 2]);
			if (hi < 0 || lo < 0)
				goto fail;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (!c)
			goto fail;
		buf_addch(out, (char)c);
	}
	return 0;
fail:
	buf_truncate(out, start);
	return -1;
}
