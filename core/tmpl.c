/* tmpl.c: mustache compiler and json-c renderer (see tmpl.h).
 *
 * A template compiles into a flat array of nodes. A section node records
 * the index just past its body, so a body is the range (i + 1, end) and
 * neither rendering nor freeing needs to walk a tree. Literal text and tag
 * names live in one pool string owned by the template.
 *
 * Standalone lines (a section, inverted, closing, comment, partial or
 * set-delimiter tag alone on its line) are removed at compile time, with
 * their leading whitespace and line ending. A standalone partial keeps that
 * whitespace as its indentation, which the renderer puts in front of every
 * line of the partial's own text: the partial is compiled once, so the
 * indentation is applied while rendering instead of by rewriting its source.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "tmpl.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "html.h"

#define NPOS ((size_t)-1)
#define MAX_DELIM 32     /* longest delimiter a {{=a b=}} tag may set */
#define ERR_NAME_MAX 60  /* tag names are cut to this length in messages */

enum node_kind {
	NODE_TEXT,
	NODE_VAR,      /* {{x}}: escaped */
	NODE_RAW,      /* {{{x}}} and {{& x}} */
	NODE_SECTION,
	NODE_INVERTED,
	NODE_PARTIAL,
};

struct node {
	unsigned char kind;
	bool standalone;  /* sections and partials: the tag was alone on its line */
	size_t line;      /* 1-based line of the tag */
	size_t off;       /* TEXT: the text; others: NUL-terminated name */
	size_t len;       /* TEXT: its length; others: length of the name */
	size_t parts;     /* VAR..INVERTED: name split at '.', NUL-separated */
	size_t nparts;    /* number of parts; 0 for the implicit iterator "." */
	size_t ind_off;   /* PARTIAL: indentation of a standalone tag */
	size_t ind_len;
	size_t end;       /* SECTION, INVERTED: index just past the body */
};

struct tmpl {
	struct node *nodes;
	size_t n;
	char *pool;       /* texts and names, referenced by offset */
};

struct tmpl_entry {
	char *name;
	struct tmpl *t;
};

struct tmpl_set {
	struct tmpl_entry *v; /* sorted by name */
	size_t n;
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "fatal: out of memory (%zu bytes)\n", n);
		abort();
	}
	return q;
}

/* Format a one-line message into err; control bytes (from tag names) are
 * replaced so the message stays on one line. */
__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	for (p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static int name_len_for_err(size_t len)
{
	return len > ERR_NAME_MAX ? ERR_NAME_MAX : (int)len;
}

/* ---- compiler ---------------------------------------------------------- */

struct compiler {
	const char *src;
	size_t len;
	struct node *nodes;
	size_t n, alloc;
	struct buf pool;
	char *err;
	size_t errlen;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* First position >= from where pat (plen > 0) starts in s, or NPOS. */
static size_t find(const char *s, size_t len, size_t from, const char *pat,
		   size_t plen)
{
	while (from < len && len - from >= plen) {
		const char *p = memchr(s + from, pat[0], len - from - plen + 1);
		if (!p)
			return NPOS;
		from = (size_t)(p - s);
		if (!memcmp(p, pat, plen))
			return from;
		from++;
	}
	return NPOS;
}

static struct node *add_node(struct compiler *c, enum node_kind kind,
			     size_t line)
{
	struct node *n;

	if (c->n == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 16;
		c->nodes = xrealloc(c->nodes, c->alloc * sizeof(*c->nodes));
	}
	n = &c->nodes[c->n++];
	memset(n, 0, sizeof(*n));
	n->kind = (unsigned char)kind;
	n->line = line;
	return n;
}

static void add_text(struct compiler *c, size_t from, size_t to, size_t line)
{
	struct node *n;

	if (to <= from)
		return;
	n = add_node(c, NODE_TEXT, line);
	n->off = c->pool.len;
	n->len = to - from;
	buf_add(&c->pool, c->src + from, to - from);
}

/* Store a tag name in the pool: the name as written, then (for lookups)
 * its dot-separated parts, each NUL-terminated. */
static void set_name(struct compiler *c, struct node *n, const char *name,
		     size_t len)
{
	size_t i;

	n->off = c->pool.len;
	n->len = len;
	buf_add(&c->pool, name, len);
	buf_addch(&c->pool, '\0');
	if (n->kind == NODE_PARTIAL)
		return;
	n->parts = c->pool.len;
	if (len == 1 && name[0] == '.') {
		n->nparts = 0;
		return;
	}
	n->nparts = 1;
	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			buf_addch(&c->pool, '\0');
			n->nparts++;
		} else {
			buf_addch(&c->pool, name[i]);
		}
	}
	buf_addch(&c->pool, '\0');
}

/* Parse the inside of {{=open close=}}; 0 on success. */
static int parse_delims(const char *s, size_t len, char *otag, size_t *olen,
			char *ctag, size_t *clen)
{
	size_t a, b;

	while (len && is_space(*s)) {
		s++;
		len--;
	}
	while (len && is_space(s[len - 1]))
		len--;
	for (a = 0; a < len && !is_space(s[a]); a++)
		;
	for (b = a; b < len && is_space(s[b]); b++)
		;
	if (!a || b == a || b == len || a > MAX_DELIM || len - b > MAX_DELIM)
		return -1;
	if (memchr(s, '=', a) || memchr(s + b, '=', len - b))
		return -1;
	for (size_t i = b; i < len; i++)
		if (is_space(s[i]))
			return -1;
	memcpy(otag, s, a);
	*olen = a;
	memcpy(ctag, s + b, len - b);
	*clen = len - b;
	return 0;
}

static bool is_standalone_type(char type)
{
	return type == '#' || type == '^' || type == '/' || type == '>' ||
	       type == '!' || type == '=';
}

struct tmpl *tmpl_compile(const char *src, size_t len, char *err,
			  size_t errlen)
{
	struct compiler c = { .src = src, .len = len, .pool = BUF_INIT,
			      .err = err, .errlen = errlen };
	char otag[MAX_DELIM] = "{{", ctag[MAX_DELIM] = "}}";
	char close[MAX_DELIM + 1];
	size_t olen = 2, clen = 2;
	size_t open[TMPL_MAX_NESTING];
	size_t nopen = 0;
	size_t pos = 0;          /* start of text not yet turned into nodes */
	size_t line = 1, counted = 0;
	struct tmpl *t;

	if (!src)
		len = 0;
	for (;;) {
		size_t ts, p, cs, ce, te, ls, after, nlen;
		const char *name;
		char type;
		bool standalone = false;
		struct node *n;

		ts = find(src, len, pos, otag, olen);
		if (ts == NPOS) {
			add_text(&c, pos, len, line);
			break;
		}
		for (; counted < ts; counted++)
			if (src[counted] == '\n')
				line++;

		/* The tag's type, the span of its content and its end. */
		p = ts + olen;
		type = p < len ? src[p] : '\0';
		if (type == '{' || type == '=') {
			close[0] = type == '{' ? '}' : '=';
			memcpy(close + 1, ctag, clen);
			cs = p + 1;
			ce = find(src, len, cs, close, clen + 1);
			te = ce == NPOS ? NPOS : ce + clen + 1;
		} else {
			cs = type && strchr("&#^/>!", type) ? p + 1 : p;
			ce = find(src, len, cs, ctag, clen);
			te = ce == NPOS ? NPOS : ce + clen;
		}
		if (ce == NPOS) {
			set_err(err, errlen, "unclosed tag at line %zu", line);
			goto fail;
		}

		/* Standalone: only blanks between the line start (not before
		 * the previous tag) and the tag, and after it up to the end of
		 * the line or of the template. */
		ls = ts;
		after = te;
		if (is_standalone_type(type)) {
			while (ls > pos && is_blank(src[ls - 1]))
				ls--;
			/* When ls stops at pos, src[ls - 1] ends the previous
			 * tag: a newline only if that tag was standalone. */
			if (!ls || src[ls - 1] == '\n') {
				while (after < len && is_blank(src[after]))
					after++;
				if (after == len) {
					standalone = true;
				} else if (src[after] == '\n') {
					standalone = true;
					after++;
				} else if (src[after] == '\r' &&
					   after + 1 < len &&
					   src[after + 1] == '\n') {
					standalone = true;
					after += 2;
				}
			}
		}
		if (!standalone) {
			ls = ts;
			after = te;
		}
		add_text(&c, pos, ls, line);
		pos = after;

		if (type == '!')
			continue;
		if (type == '=') {
			if (parse_delims(src + cs, ce - cs, otag, &olen, ctag,
					 &clen) < 0) {
				set_err(err, errlen,
					"invalid set delimiter tag at line %zu",
					line);
				goto fail;
			}
			continue;
		}

		name = src + cs;
		nlen = ce - cs;
		while (nlen && is_space(*name)) {
			name++;
			nlen--;
		}
		while (nlen && is_space(name[nlen - 1]))
			nlen--;
		if (!nlen) {
			set_err(err, errlen, "empty tag name at line %zu", line);
			goto fail;
		}

		switch (type) {
		case '#':
		case '^':
			if (nopen == TMPL_MAX_NESTING) {
				set_err(err, errlen,
					"sections nested too deeply at line %zu",
					line);
				goto fail;
			}
			n = add_node(&c, type == '#' ? NODE_SECTION :
				     NODE_INVERTED, line);
			n->standalone = standalone;
			set_name(&c, n, name, nlen);
			open[nopen++] = c.n - 1;
			break;
		case '/': {
			struct node *o;
			if (!nopen) {
				set_err(err, errlen,
					"unexpected closing tag \"%.*s\" at line %zu",
					name_len_for_err(nlen), name, line);
				goto fail;
			}
			o = &c.nodes[open[nopen - 1]];
			if (o->len != nlen ||
			    memcmp(c.pool.data + o->off, name, nlen)) {
				set_err(err, errlen,
					"closing tag \"%.*s\" does not match section \"%.*s\" at line %zu",
					name_len_for_err(nlen), name,
					name_len_for_err(o->len),
					c.pool.data + o->off, line);
				goto fail;
			}
			o->end = c.n;
			nopen--;
			break;
		}
		case '>':
			n = add_node(&c, NODE_PARTIAL, line);
			n->standalone = standalone;
			set_name(&c, n, name, nlen);
			if (standalone && ts > ls) {
				n->ind_off = c.pool.len;
				n->ind_len = ts - ls;
				buf_add(&c.pool, src + ls, ts - ls);
			}
			break;
		default:
			n = add_node(&c, type == '{' || type == '&' ? NODE_RAW :
				     NODE_VAR, line);
			set_name(&c, n, name, nlen);
			break;
		}
	}
	if (nopen) {
		struct node *o = &c.nodes[open[nopen - 1]];
		set_err(err, errlen, "unclosed section \"%.*s\" at line %zu",
			name_len_for_err(o->len), c.pool.data + o->off, o->line);
		goto fail;
	}

	t = xrealloc(NULL, sizeof(*t));
	t->nodes = c.nodes;
	t->n = c.n;
	t->pool = buf_detach(&c.pool, NULL);
	return t;
fail:
	free(c.nodes);
	buf_release(&c.pool);
	return NULL;
}

void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	free(t->nodes);
	free(t->pool);
	free(t);
}

/* ---- renderer ---------------------------------------------------------- */

struct render {
	struct buf *out;
	size_t start;             /* out->len when the render began */
	tmpl_partial_fn partials;
	void *closure;
	struct json_object *stack[TMPL_MAX_RENDER_DEPTH + 1]; /* contexts */
	size_t nstack;
	unsigned depth;           /* sections and partials being rendered */
	unsigned partial_depth;
	unsigned long steps;
	char *err;
	size_t errlen;
};

/* One template being rendered: the top one or a partial. */
struct frame {
	const struct tmpl *t;
	const char *indent;       /* put before each line of t's own text */
	size_t indent_len;
	bool bol;                 /* at the beginning of a line of t */
};

static int render_nodes(struct render *r, struct frame *f, size_t i,
			size_t end);

/* Called before a tag's output: a tag that starts a line of an indented
 * partial gets the indentation, even if it renders nothing. */
static void begin_line(struct render *r, struct frame *f)
{
	if (f->bol && f->indent_len)
		buf_add(r->out, f->indent, f->indent_len);
	f->bol = false;
}

static void emit_text(struct render *r, struct frame *f, const char *s,
		      size_t len)
{
	while (len) {
		const char *nl = memchr(s, '\n', len);
		size_t chunk = nl ? (size_t)(nl - s) + 1 : len;

		begin_line(r, f);
		buf_add(r->out, s, chunk);
		if (nl)
			f->bol = true;
		s += chunk;
		len -= chunk;
	}
}

/* Shortest "%.Ng" that reads back as the same double, so 1.21 prints as
 * "1.21" where json-c's default would print 1.2099999999999999. */
static void format_double(char *tmp, size_t size, double d)
{
	int prec;

	if (isnan(d)) {
		snprintf(tmp, size, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(tmp, size, "%s", d > 0 ? "Infinity" : "-Infinity");
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(tmp, size, "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			return;
	}
	snprintf(tmp, size, "%.17g", d);
}

static void emit_value(struct render *r, struct json_object *v, bool escape)
{
	char tmp[64];
	const char *s = tmp;
	size_t len;
	int64_t i;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return;
	case json_type_string:
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		break;
	case json_type_boolean:
		s = json_object_get_boolean(v) ? "true" : "false";
		len = strlen(s);
		break;
	case json_type_int:
		i = json_object_get_int64(v);
		if (i == INT64_MAX)
			snprintf(tmp, sizeof(tmp), "%" PRIu64,
				 json_object_get_uint64(v));
		else
			snprintf(tmp, sizeof(tmp), "%" PRId64, i);
		len = strlen(tmp);
		break;
	case json_type_double:
		format_double(tmp, sizeof(tmp), json_object_get_double(v));
		len = strlen(tmp);
		break;
	default:
		s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
		len = s ? strlen(s) : 0;
		break;
	}
	if (escape)
		html_txt_n(r->out, s, len);
	else
		buf_add(r->out, s, len);
}

static bool is_truthy(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return false;
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) != 0;
	case json_type_double:
		return json_object_get_double(v) != 0.0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return json_object_array_length(v) > 0;
	default:
		return true;
	}
}

/* Resolve a tag's name against the context stack. The first part is
 * searched from the innermost context out; the other parts only inside
 * what the first one found. Returns false when the name is missing. */
static bool lookup(const struct render *r, const struct tmpl *t,
		   const struct node *n, struct json_object **val)
{
	const char *part = t->pool + n->parts;
	struct json_object *cur = NULL;
	bool found = false;
	size_t k, j;

	if (!n->nparts) {
		*val = r->stack[r->nstack - 1];
		return true;
	}
	for (k = r->nstack; k > 0 && !found; k--) {
		struct json_object *ctx = r->stack[k - 1];
		found = json_object_is_type(ctx, json_type_object) &&
			json_object_object_get_ex(ctx, part, &cur);
	}
	if (!found)
		return false;
	for (j = 1; j < n->nparts; j++) {
		part += strlen(part) + 1;
		if (!json_object_is_type(cur, json_type_object) ||
		    !json_object_object_get_ex(cur, part, &cur))
			return false;
	}
	*val = cur;
	return true;
}

__attribute__((format(printf, 2, 3)))
static int render_fail(struct render *r, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (r->err && r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
		for (p = r->err; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	return -1;
}

static int check_depth(struct render *r, const struct node *n)
{
	if (r->depth >= TMPL_MAX_RENDER_DEPTH)
		return render_fail(r,
				   "template nesting limit (%d) exceeded at line %zu",
				   TMPL_MAX_RENDER_DEPTH, n->line);
	return 0;
}

/* Render a section body once with `ctx` pushed as the innermost context. */
static int render_body(struct render *r, struct frame *f, size_t i,
		       struct json_object *ctx, bool push)
{
	const struct node *n = &f->t->nodes[i];
	int rc;

	if (check_depth(r, n) < 0)
		return -1;
	if (++r->steps > TMPL_MAX_STEPS)
		return render_fail(r, "render step limit exceeded");
	r->depth++;
	if (push)
		r->stack[r->nstack++] = ctx;
	rc = render_nodes(r, f, i + 1, n->end);
	if (push)
		r->nstack--;
	r->depth--;
	return rc;
}

static int render_section(struct render *r, struct frame *f, size_t i)
{
	const struct node *n = &f->t->nodes[i];
	struct json_object *v = NULL;
	bool truthy;
	size_t k;

	if (!n->standalone)
		begin_line(r, f);
	truthy = lookup(r, f->t, n, &v) && is_truthy(v);
	if (n->kind == NODE_INVERTED)
		return truthy ? 0 : render_body(r, f, i, NULL, false);
	if (!truthy)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return render_body(r, f, i, v, true);
	for (k = 0; k < json_object_array_length(v); k++)
		if (render_body(r, f, i, json_object_array_get_idx(v, k),
				true) < 0)
			return -1;
	return 0;
}

static int render_partial(struct render *r, struct frame *f,
			  const struct node *n)
{
	const char *name = f->t->pool + n->off;
	const struct tmpl *p = NULL;
	struct buf indent = BUF_INIT;
	struct frame sub;
	int rc;

	if (!n->standalone)
		begin_line(r, f);
	if (r->partials)
		p = r->partials(r->closure, name);
	if (!p) {
		if (n->standalone)
			f->bol = true;
		return 0;
	}
	if (r->partial_depth >= TMPL_MAX_PARTIAL_DEPTH)
		return render_fail(r, "partial depth limit (%d) exceeded at \"%.*s\"",
				   TMPL_MAX_PARTIAL_DEPTH,
				   name_len_for_err(n->len), name);
	if (check_depth(r, n) < 0)
		return -1;

	/* A standalone partial is indented by its own line's whitespace on
	 * top of the indentation of the partial it appears in; an inline
	 * one is not indented at all. */
	sub.t = p;
	sub.bol = true;
	sub.indent = "";
	sub.indent_len = 0;
	if (n->standalone) {
		if (!f->indent_len) {
			sub.indent = f->t->pool + n->ind_off;
			sub.indent_len = n->ind_len;
		} else if (!n->ind_len) {
			sub.indent = f->indent;
			sub.indent_len = f->indent_len;
		} else {
			buf_add(&indent, f->indent, f->indent_len);
			buf_add(&indent, f->t->pool + n->ind_off, n->ind_len);
			sub.indent = indent.data;
			sub.indent_len = indent.len;
		}
	}
	r->partial_depth++;
	r->depth++;
	rc = render_nodes(r, &sub, 0, p->n);
	r->depth--;
	r->partial_depth--;
	buf_release(&indent);
	if (n->standalone)
		f->bol = true;
	return rc;
}

static int render_nodes(struct render *r, struct frame *f, size_t i,
			size_t end)
{
	while (i < end) {
		const struct node *n = &f->t->nodes[i];
		struct json_object *v;

		if (++r->steps > TMPL_MAX_STEPS)
			return render_fail(r, "render step limit exceeded");
		if (r->out->len - r->start > TMPL_MAX_OUTPUT)
			return render_fail(r, "render output limit exceeded");
		switch (n->kind) {
		case NODE_TEXT:
			emit_text(r, f, f->t->pool + n->off, n->len);
			i++;
			break;
		case NODE_VAR:
		case NODE_RAW:
			begin_line(r, f);
			if (lookup(r, f->t, n, &v))
				emit_value(r, v, n->kind == NODE_VAR);
			i++;
			break;
		case NODE_SECTION:
		case NODE_INVERTED:
			if (render_section(r, f, i) < 0)
				return -1;
			i = n->end;
			break;
		case NODE_PARTIAL:
			if (render_partial(r, f, n) < 0)
				return -1;
			i++;
			break;
		default:
			return render_fail(r, "corrupt template");
		}
	}
	return 0;
}

int tmpl_render(const struct tmpl *t, struct json_object *data,
		tmpl_partial_fn partials, void *closure, struct buf *out,
		char *err, size_t errlen)
{
	struct render *r;
	struct frame f = { .t = t, .indent = "", .indent_len = 0, .bol = true };
	int rc;

	if (!t) {
		set_err(err, errlen, "no template");
		return -1;
	}
	/* The context stack is a few KiB: keep it off the C stack, which the
	 * recursion already uses. */
	r = xrealloc(NULL, sizeof(*r));
	memset(r, 0, sizeof(*r));
	r->out = out;
	r->start = out->len;
	r->partials = partials;
	r->closure = closure;
	r->stack[0] = data;
	r->nstack = 1;
	r->err = err;
	r->errlen = errlen;
	rc = render_nodes(r, &f, 0, t->n);
	if (!rc && out->len - r->start > TMPL_MAX_OUTPUT)
		rc = render_fail(r, "render output limit exceeded");
	if (rc < 0)
		buf_truncate(out, r->start);
	free(r);
	return rc;
}

/* ---- template sets ----------------------------------------------------- */

static const char suffix[] = ".mustache";

static int entry_cmp(const void *a, const void *b)
{
	const struct tmpl_entry *x = a, *y = b;
	return strcmp(x->name, y->name);
}

struct tmpl_set *tmpl_set_load_dir(const char *dir, char *err, size_t errlen)
{
	struct tmpl_set *set;
	struct dirent *de;
	struct buf path = BUF_INIT, src = BUF_INIT;
	size_t alloc = 0;
	char cerr[256];
	DIR *d;

	if (!dir) {
		set_err(err, errlen, "no template directory given");
		return NULL;
	}
	d = opendir(dir);
	if (!d) {
		set_err(err, errlen, "could not open template directory \"%s\": %s",
			dir, strerror(errno));
		return NULL;
	}
	set = xrealloc(NULL, sizeof(*set));
	set->v = NULL;
	set->n = 0;
	while ((de = readdir(d))) {
		size_t nlen = strlen(de->d_name);
		size_t slen = sizeof(suffix) - 1;
		struct stat st;
		struct tmpl *t;

		if (de->d_name[0] == '.' || nlen <= slen ||
		    strcmp(de->d_name + nlen - slen, suffix))
			continue;
		buf_reset(&path);
		buf_addf(&path, "%s/%s", dir, de->d_name);
		if (stat(path.data, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		buf_reset(&src);
		if (buf_read_file(&src, path.data, 0) < 0) {
			set_err(err, errlen, "could not read template \"%s\": %s",
				path.data, strerror(errno));
			goto fail;
		}
		t = tmpl_compile(src.data, src.len, cerr, sizeof(cerr));
		if (!t) {
			set_err(err, errlen, "%s: %s", de->d_name, cerr);
			goto fail;
		}
		if (set->n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			set->v = xrealloc(set->v, alloc * sizeof(*set->v));
		}
		set->v[set->n].name = xrealloc(NULL, nlen - slen + 1);
		memcpy(set->v[set->n].name, de->d_name, nlen - slen);
		set->v[set->n].name[nlen - slen] = '\0';
		set->v[set->n].t = t;
		set->n++;
	}
	closedir(d);
	buf_release(&path);
	buf_release(&src);
	if (set->n)
		qsort(set->v, set->n, sizeof(*set->v), entry_cmp);
	return set;
fail:
	closedir(d);
	buf_release(&path);
	buf_release(&src);
	tmpl_set_free(set);
	return NULL;
}

const struct tmpl *tmpl_set_get(const struct tmpl_set *set, const char *name)
{
	struct tmpl_entry key, *e;

	if (!set || !name || !set->n)
		return NULL;
	key.name = (char *)name;
	key.t = NULL;
	e = bsearch(&key, set->v, set->n, sizeof(*set->v), entry_cmp);
	return e ? e->t : NULL;
}

size_t tmpl_set_count(const struct tmpl_set *set)
{
	return set ? set->n : 0;
}

static const struct tmpl *set_partial(void *closure, const char *name)
{
	return tmpl_set_get(closure, name);
}

int tmpl_set_render(const struct tmpl_set *set, const char *name,
		    struct json_object *data, struct buf *out, char *err,
		    size_t errlen)
{
	const struct tmpl *t = tmpl_set_get(set, name);

	if (!t) {
		set_err(err, errlen, "no template \"%s\"", name ? name : "");
		return -1;
	}
	return tmpl_render(t, data, set_partial, (void *)set, out, err, errlen);
}

void tmpl_set_free(struct tmpl_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++) {
		free(set->v[i].name);
		tmpl_free(set->v[i].t);
	}
	free(set->v);
	free(set);
}
