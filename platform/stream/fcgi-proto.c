/* fcgi-proto.c: the FastCGI record layer (fcgi-proto.h). Pure: no I/O. */
#include "platform/stream/fcgi-proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FCGI_MAX_STDIN_BYTES (1u << 20) /* a body is refused anyway; stop reading past this */

long fcgi_parse_record(const uint8_t *buf, size_t len, struct fcgi_record *rec)
{
	size_t clen, plen;
	if (len < FCGI_HEADER_LEN)
		return 0;
	if (buf[0] != FCGI_VERSION_1)
		return -1;
	clen = (size_t)buf[4] << 8 | buf[5];
	plen = buf[6];
	if (len < FCGI_HEADER_LEN + clen + plen)
		return 0;
	rec->type = buf[1];
	rec->request_id = (uint16_t)(buf[2] << 8 | buf[3]);
	rec->content = buf + FCGI_HEADER_LEN;
	rec->content_len = (uint16_t)clen;
	return (long)(FCGI_HEADER_LEN + clen + plen);
}

/* One length of §3.4: returns the bytes it took (1 or 4), or 0 when it runs
 * past `left`. */
static size_t pair_len(const uint8_t *p, size_t left, size_t *out)
{
	if (left < 1)
		return 0;
	if (!(p[0] & 0x80)) {
		*out = p[0];
		return 1;
	}
	if (left < 4)
		return 0;
	*out = (size_t)(p[0] & 0x7f) << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
	return 4;
}

int fcgi_params_each(const uint8_t *p, size_t len,
		     int (*fn)(void *, const char *, size_t, const char *, size_t), void *closure)
{
	size_t off = 0;
	while (off < len) {
		size_t nl, vl, k;
		int rc;
		if (!(k = pair_len(p + off, len - off, &nl)))
			return -1;
		off += k;
		if (!(k = pair_len(p + off, len - off, &vl)))
			return -1;
		off += k;
		if (nl > len - off || vl > len - off - nl)
			return -1;
		rc = fn(closure, (const char *)p + off, nl, (const char *)p + off + nl, vl);
		if (rc)
			return rc;
		off += nl + vl;
	}
	return 0;
}

static void add_len(struct buf *out, size_t n)
{
	if (n < 128) {
		buf_addch(out, (char)n);
	} else {
		uint8_t b[4] = { (uint8_t)(0x80 | (n >> 24 & 0x7f)), (uint8_t)(n >> 16),
				 (uint8_t)(n >> 8), (uint8_t)n };
		buf_add(out, b, 4);
	}
}

void fcgi_add_pair(struct buf *out, const char *name, size_t name_len, const char *value,
		   size_t value_len)
{
	add_len(out, name_len);
	add_len(out, value_len);
	buf_add(out, name, name_len);
	buf_add(out, value, value_len);
}

void fcgi_header(uint8_t out[FCGI_HEADER_LEN], uint8_t type, uint16_t request_id,
		 uint16_t content_len)
{
	out[0] = FCGI_VERSION_1;
	out[1] = type;
	out[2] = (uint8_t)(request_id >> 8);
	out[3] = (uint8_t)request_id;
	out[4] = (uint8_t)(content_len >> 8);
	out[5] = (uint8_t)content_len;
	out[6] = 0;
	out[7] = 0;
}

static void add_record(struct buf *out, uint8_t type, uint16_t id, const void *data, size_t len)
{
	uint8_t h[FCGI_HEADER_LEN];
	fcgi_header(h, type, id, (uint16_t)len);
	buf_add(out, h, sizeof h);
	if (len)
		buf_add(out, data, len);
}

void fcgi_add_stream(struct buf *out, uint8_t type, uint16_t request_id, const void *data,
		     size_t len)
{
	const uint8_t *p = data;
	if (!len) {
		add_record(out, type, request_id, NULL, 0);
		return;
	}
	while (len) {
		size_t n = len > FCGI_MAX_CONTENT ? FCGI_MAX_CONTENT : len;
		add_record(out, type, request_id, p, n);
		p += n;
		len -= n;
	}
}

void fcgi_add_end_request(struct buf *out, uint16_t request_id, uint32_t app_status,
			  uint8_t protocol_status)
{
	uint8_t body[8] = { (uint8_t)(app_status >> 24), (uint8_t)(app_status >> 16),
			    (uint8_t)(app_status >> 8), (uint8_t)app_status, protocol_status, 0, 0, 0 };
	add_record(out, FCGI_END_REQUEST, request_id, body, sizeof body);
}

void fcgi_conn_init(struct fcgi_conn *c, unsigned max_conns, unsigned max_reqs)
{
	memset(c, 0, sizeof *c);
	buf_init(&c->params, 0);
	c->max_conns = max_conns;
	c->max_reqs = max_reqs;
}

void fcgi_conn_release(struct fcgi_conn *c)
{
	buf_release(&c->params);
}

void fcgi_conn_finish(struct fcgi_conn *c)
{
	c->request_id = 0;
	c->keep_conn = false;
	c->params_done = c->stdin_done = c->ready = false;
	c->stdin_bytes = 0;
	buf_reset(&c->params);
	/* a long FCGI_PARAMS stream should not pin its memory on a kept connection */
	if (c->params.alloc > 4096)
		buf_release(&c->params);
}

struct values_ctx {
	const struct fcgi_conn *c;
	struct buf *body;
};

static int answer_value(void *closure, const char *name, size_t nl, const char *value, size_t vl)
{
	struct values_ctx *v = closure;
	char num[24];
	(void)value;
	(void)vl;
	if (nl == 14 && !memcmp(name, "FCGI_MAX_CONNS", 14))
		snprintf(num, sizeof num, "%u", v->c->max_conns);
	else if (nl == 13 && !memcmp(name, "FCGI_MAX_REQS", 13))
		snprintf(num, sizeof num, "%u", v->c->max_reqs);
	else if (nl == 15 && !memcmp(name, "FCGI_MPXS_CONNS", 15))
		snprintf(num, sizeof num, "0");
	else
		return 0; /* unknown names are left out (§4.1) */
	fcgi_add_pair(v->body, name, nl, num, strlen(num));
	return 0;
}

enum fcgi_event fcgi_conn_feed(struct fcgi_conn *c, const uint8_t *in, size_t len, size_t *used,
			       struct buf *reply)
{
	size_t off = 0;
	enum fcgi_event ev = FCGI_EV_MORE;
	while (ev == FCGI_EV_MORE) {
		struct fcgi_record rec;
		long n = fcgi_parse_record(in + off, len - off, &rec);
		if (n == 0)
			break;
		if (n < 0) {
			c->error = "not a FastCGI version 1 record";
			ev = FCGI_EV_ERROR;
			break;
		}
		off += (size_t)n;
		if (rec.request_id == 0) { /* management records (§4) */
			if (rec.type == FCGI_GET_VALUES) {
				struct buf body = BUF_INIT;
				struct values_ctx v = { c, &body };
				if (fcgi_params_each(rec.content, rec.content_len, answer_value, &v) < 0) {
					buf_release(&body);
					c->error = "malformed FCGI_GET_VALUES";
					ev = FCGI_EV_ERROR;
					break;
				}
				if (body.len <= FCGI_MAX_CONTENT)
					add_record(reply, FCGI_GET_VALUES_RESULT, 0, body.data, body.len);
				buf_release(&body);
			} else {
				uint8_t body[8] = { rec.type, 0, 0, 0, 0, 0, 0, 0 };
				add_record(reply, FCGI_UNKNOWN_TYPE, 0, body, sizeof body);
			}
			continue;
		}
		if (rec.type == FCGI_BEGIN_REQUEST) {
			uint16_t role;
			if (rec.content_len < 8) {
				c->error = "short FCGI_BEGIN_REQUEST";
				ev = FCGI_EV_ERROR;
				break;
			}
			if (c->request_id) {
				/* one request at a time on a connection (FCGI_MPXS_CONNS 0) */
				fcgi_add_end_request(reply, rec.request_id, 0, FCGI_CANT_MPX_CONN);
				continue;
			}
			role = (uint16_t)(rec.content[0] << 8 | rec.content[1]);
			if (role != FCGI_RESPONDER) {
				fcgi_add_end_request(reply, rec.request_id, 0, FCGI_UNKNOWN_ROLE);
				continue;
			}
			c->request_id = rec.request_id;
			c->keep_conn = rec.content[2] & FCGI_KEEP_CONN;
			c->params_done = c->stdin_done = c->ready = false;
			c->stdin_bytes = 0;
			buf_reset(&c->params);
			continue;
		}
		if (rec.request_id != c->request_id || !c->request_id)
			continue; /* a request we refused, or one already finished */
		switch (rec.type) {
		case FCGI_ABORT_REQUEST:
			ev = FCGI_EV_ABORT;
			break;
		case FCGI_PARAMS:
			if (c->params_done)
				break;
			if (!rec.content_len) {
				c->params_done = true;
			} else if (c->params.len + rec.content_len > FCGI_MAX_PARAMS_BYTES) {
				c->error = "FCGI_PARAMS too large";
				ev = FCGI_EV_ERROR;
			} else {
				buf_add(&c->params, rec.content, rec.content_len);
			}
			break;
		case FCGI_STDIN:
			if (c->stdin_done)
				break;
			if (!rec.content_len) {
				c->stdin_done = true;
			} else {
				c->stdin_bytes += rec.content_len;
				if (c->stdin_bytes > FCGI_MAX_STDIN_BYTES) {
					c->error = "request body too large";
					ev = FCGI_EV_ERROR;
				}
			}
			break;
		case FCGI_DATA:
			break; /* Filter role only; never accepted */
		default: {
			uint8_t body[8] = { rec.type, 0, 0, 0, 0, 0, 0, 0 };
			add_record(reply, FCGI_UNKNOWN_TYPE, 0, body, sizeof body);
			break;
		}
		}
		if (ev == FCGI_EV_MORE && !c->ready && c->params_done && c->stdin_done) {
			c->ready = true;
			ev = FCGI_EV_REQUEST;
		}
	}
	*used = off;
	return ev;
}

struct find_ctx {
	const char *name;
	size_t nl;
	char *out;
};

static int find_param(void *closure, const char *name, size_t nl, const char *value, size_t vl)
{
	struct find_ctx *f = closure;
	size_t n;
	if (nl != f->nl || memcmp(name, f->name, nl))
		return 0;
	n = strnlen(value, vl);
	f->out = malloc(n + 1);
	if (!f->out)
		abort();
	memcpy(f->out, value, n);
	f->out[n] = '\0';
	return 1;
}

char *fcgi_conn_param(const struct fcgi_conn *c, const char *name)
{
	struct find_ctx f = { name, strlen(name), NULL };
	fcgi_params_each((const uint8_t *)c->params.data, c->params.len, find_param, &f);
	return f.out;
}
