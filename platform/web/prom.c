/* prom.c: the Prometheus text exposition format, version 0.0.4 (prom.h). */
#include "platform/web/prom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append n bytes without the NUL bookkeeping of buf_add; the caller has
 * grown `out` beforehand and terminates it afterwards. */
static inline char *put(char *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* Decimal digits of v, written backwards ending at `end`; returns the
 * first digit. */
static inline char *u64_digits(uint64_t v, char *end)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void prom_u64(struct buf *out, uint64_t v)
{
	char tmp[24], *s = u64_digits(v, tmp + sizeof tmp);
	buf_add(out, s, (size_t)(tmp + sizeof tmp - s));
}

void prom_f64(struct buf *out, double v)
{
	char tmp[40];
	if (isnan(v)) {
		buf_addstr(out, "NaN");
		return;
	}
	if (isinf(v)) {
		buf_addstr(out, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(tmp, sizeof tmp, "%.0f", v);
		if (!strcmp(tmp, "-0"))
			strcpy(tmp, "0");
	} else {
		snprintf(tmp, sizeof tmp, "%.15g", v);
		if (strtod(tmp, NULL) != v)
			snprintf(tmp, sizeof tmp, "%.17g", v);
	}
	buf_addstr(out, tmp);
}

static void escape(struct buf *out, const char *s, size_t len, int quote)
{
	size_t i, start = 0;
	for (i = 0; i < len; i++) {
		const char *rep;
		if (s[i] == '\\')
			rep = "\\\\";
		else if (s[i] == '\n')
			rep = "\\n";
		else if (s[i] == '"' && quote)
			rep = "\\\"";
		else
			continue;
		buf_add(out, s + start, i - start);
		buf_add(out, rep, 2);
		start = i + 1;
	}
	buf_add(out, s + start, len - start);
}

void prom_escape_label(struct buf *out, const char *value, size_t len)
{
	escape(out, value ? value : "", value ? len : 0, 1);
}

void prom_family(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_addstr(out, "# HELP ");
	buf_addstr(out, name);
	buf_addch(out, ' ');
	escape(out, help ? help : "", help ? strlen(help) : 0, 0);
	buf_addstr(out, "\n# TYPE ");
	buf_addstr(out, name);
	buf_addch(out, ' ');
	buf_addstr(out, type);
	buf_addch(out, '\n');
}

void prom_labels(struct buf *out, const struct prom_label *labels, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		const char *v = labels[i].value ? labels[i].value : "";
		if (i)
			buf_addch(out, ',');
		buf_addstr(out, labels[i].name);
		buf_add(out, "=\"", 2);
		prom_escape_label(out, v, strlen(v));
		buf_addch(out, '"');
	}
}

static void sample_head(struct buf *out, const char *name, const char *labels)
{
	buf_addstr(out, name);
	if (labels && *labels) {
		buf_addch(out, '{');
		buf_addstr(out, labels);
		buf_addch(out, '}');
	}
	buf_addch(out, ' ');
}

void prom_sample_u64(struct buf *out, const char *name, const char *labels, uint64_t v)
{
	sample_head(out, name, labels);
	prom_u64(out, v);
	buf_addch(out, '\n');
}

void prom_sample_f64(struct buf *out, const char *name, const char *labels, double v)
{
	sample_head(out, name, labels);
	prom_f64(out, v);
	buf_addch(out, '\n');
}

void prom_histogram(struct buf *out, const char *name, const char *labels,
		    const char *const *le, size_t n, const uint64_t *counts, double sum)
{
	size_t name_len = strlen(name), lab_len = labels ? strlen(labels) : 0, i;
	uint64_t cum = 0;
	char digits[24];

	/* every line: name_bucket{labels,le="B"} COUNT\n; the constant parts
	 * are copied straight into room grown once per line */
	for (i = 0; i <= n; i++) {
		const char *b = i < n ? le[i] : "+Inf";
		size_t b_len = strlen(b), d_len;
		char *d, *p;
		cum += counts[i];
		d = u64_digits(cum, digits + sizeof digits);
		d_len = (size_t)(digits + sizeof digits - d);
		buf_grow(out, name_len + lab_len + b_len + d_len + 20);
		p = out->data + out->len;
		p = put(p, name, name_len);
		p = put(p, "_bucket{", 8);
		if (lab_len) {
			p = put(p, labels, lab_len);
			*p++ = ',';
		}
		p = put(p, "le=\"", 4);
		p = put(p, b, b_len);
		p = put(p, "\"} ", 3);
		p = put(p, d, d_len);
		*p++ = '\n';
		*p = '\0';
		out->len = (size_t)(p - out->data);
	}
	buf_add(out, name, name_len);
	buf_addstr(out, "_sum");
	if (lab_len) {
		buf_addch(out, '{');
		buf_add(out, labels, lab_len);
		buf_addch(out, '}');
	}
	buf_addch(out, ' ');
	prom_f64(out, sum);
	buf_addch(out, '\n');
	buf_add(out, name, name_len);
	buf_addstr(out, "_count");
	if (lab_len) {
		buf_addch(out, '{');
		buf_add(out, labels, lab_len);
		buf_addch(out, '}');
	}
	buf_addch(out, ' ');
	prom_u64(out, cum);
	buf_addch(out, '\n');
}
