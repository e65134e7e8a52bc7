/* hub.c: shared events, client queues and rooms (hub.h). Pure. */
#include "platform/stream/hub.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "platform/stream/fcgi-proto.h"
#include "platform/stream/jsondiff.h"

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p)
		abort();
	return p;
}

struct sev *sev_bytes(const void *bytes, size_t len, bool raw)
{
	struct sev *e = xmalloc(sizeof *e + len + 1);
	e->refs = 1;
	e->raw = raw;
	e->id = 0;
	e->len = len;
	if (len)
		memcpy(e->data, bytes, len);
	e->data[len] = '\0';
	return e;
}

struct sev *sev_event(long long id, const char *name, const char *data, size_t len)
{
	struct buf b = BUF_INIT;
	struct sev *e;
	size_t i, start = 0;
	if (id > 0)
		buf_addf(&b, "id: %lld\n", id);
	if (name)
		buf_addf(&b, "event: %s\n", name);
	for (i = 0; i <= len; i++) {
		if (i == len || data[i] == '\n') {
			buf_addstr(&b, "data: ");
			buf_add(&b, data + start, i - start);
			buf_addch(&b, '\n');
			start = i + 1;
		}
	}
	buf_addch(&b, '\n');
	e = sev_bytes(b.data, b.len, false);
	e->id = id;
	buf_release(&b);
	return e;
}

void sev_unref(struct sev *e)
{
	if (e && --e->refs == 0)
		free(e);
}

size_t sev_wire_len(const struct sev *e)
{
	if (e->raw)
		return e->len;
	return e->len + FCGI_HEADER_LEN * ((e->len + FCGI_MAX_CONTENT - 1) / FCGI_MAX_CONTENT);
}

/* ---- queue ---------------------------------------------------------------- */

void squeue_init(struct squeue *q, uint16_t request_id)
{
	memset(q, 0, sizeof *q);
	q->request_id = request_id;
}

void squeue_release(struct squeue *q)
{
	while (q->n) {
		sev_unref(q->items[q->head]);
		q->head = (q->head + 1) % q->cap;
		q->n--;
	}
	free(q->items);
	q->items = NULL;
	q->cap = q->head = 0;
	q->pos = q->behind = 0;
}

void squeue_push(struct squeue *q, struct sev *e)
{
	if (q->n == q->cap) {
		unsigned ncap = q->cap ? q->cap * 2 : 8, i;
		struct sev **ni = xmalloc(ncap * sizeof *ni);
		for (i = 0; i < q->n; i++)
			ni[i] = q->items[(q->head + i) % q->cap];
		free(q->items);
		q->items = ni;
		q->cap = ncap;
		q->head = 0;
	}
	q->items[(q->head + q->n) % q->cap] = sev_ref(e);
	if (q->n)
		q->behind += sev_wire_len(e);
	q->n++;
}

int squeue_offer(struct squeue *q, struct sev *e, size_t limit)
{
	if (q->need_snapshot)
		return 0;
	if (q->n <= 1 || q->behind + sev_wire_len(e) <= limit) {
		squeue_push(q, e);
		return 1;
	}
	/* fallen behind: owe the client a snapshot instead */
	squeue_drop_events(q);
	q->need_snapshot = true;
	q->drops++;
	return 0;
}

void squeue_drop_events(struct squeue *q)
{
	unsigned i, keep;
	if (!q->n)
		return;
	/* the head stays when it is partly written: a record cut in two would
	 * break the FastCGI framing; raw items stay */
	keep = q->pos || q->items[q->head]->raw ? 1 : 0;
	if (!keep) {
		sev_unref(q->items[q->head]);
	}
	for (i = 1; i < q->n; i++) {
		struct sev *it = q->items[(q->head + i) % q->cap];
		if (it->raw) {
			q->items[(q->head + keep) % q->cap] = it;
			keep++;
		} else {
			sev_unref(it);
		}
	}
	q->n = keep;
	q->need_snapshot = false;
	/* recount what waits behind the head */
	q->behind = 0;
	for (i = 1; i < q->n; i++)
		q->behind += sev_wire_len(q->items[(q->head + i) % q->cap]);
}

int squeue_iov(const struct squeue *q, struct iovec *iov, int max, uint8_t (*hdrs)[8])
{
	int k = 0, h = 0;
	unsigned i;
	for (i = 0; i < q->n && k < max; i++) {
		const struct sev *e = q->items[(q->head + i) % q->cap];
		size_t pos = i == 0 ? q->pos : 0;
		if (e->raw) {
			iov[k].iov_base = (char *)e->data + pos;
			iov[k].iov_len = e->len - pos;
			k++;
			continue;
		}
		/* SSE: records of FCGI_MAX_CONTENT + 8 wire bytes */
		while (k < max && pos < sev_wire_len(e)) {
			size_t rec = FCGI_MAX_CONTENT + FCGI_HEADER_LEN;
			size_t c = pos / rec, within = pos % rec;
			size_t start = c * FCGI_MAX_CONTENT;
			size_t clen = e->len - start < FCGI_MAX_CONTENT ? e->len - start : FCGI_MAX_CONTENT;
			if (within < FCGI_HEADER_LEN) {
				if (k + 1 >= max && k > 0)
					return k; /* header and payload go together */
				fcgi_header(hdrs[h], FCGI_STDOUT, q->request_id, (uint16_t)clen);
				iov[k].iov_base = hdrs[h] + within;
				iov[k].iov_len = FCGI_HEADER_LEN - within;
				h++;
				k++;
				pos += FCGI_HEADER_LEN - within;
				within = FCGI_HEADER_LEN;
				if (k >= max)
					return k;
			}
			iov[k].iov_base = (char *)e->data + start + (within - FCGI_HEADER_LEN);
			iov[k].iov_len = clen - (within - FCGI_HEADER_LEN);
			pos += iov[k].iov_len;
			k++;
		}
	}
	return k;
}

void squeue_advance(struct squeue *q, size_t n)
{
	while (n && q->n) {
		struct sev *e = q->items[q->head];
		size_t left = sev_wire_len(e) - q->pos;
		if (n < left) {
			q->pos += n;
			return;
		}
		n -= left;
		sev_unref(e);
		q->head = (q->head + 1) % q->cap;
		q->n--;
		q->pos = 0;
		if (q->n)
			q->behind -= sev_wire_len(q->items[q->head]);
	}
}

/* ---- rooms ---------------------------------------------------------------- */

struct room *room_new(const char *name, void *owner)
{
	struct room *r = xmalloc(sizeof *r);
	memset(r, 0, sizeof *r);
	r->name = strdup(name);
	if (!r->name)
		abort();
	r->owner = owner;
	return r;
}

static void ring_clear(struct room *r)
{
	unsigned i;
	for (i = 0; i < r->ring_n; i++)
		sev_unref(r->ring[(r->ring_head + i) % ROOM_RING_MAX].ev);
	r->ring_head = r->ring_n = 0;
	r->ring_bytes = 0;
}

void room_free(struct room *r)
{
	if (!r)
		return;
	ring_clear(r);
	sev_unref(r->snap);
	if (r->doc)
		json_object_put(r->doc);
	free(r->name);
	free(r);
}

static void ring_drop_oldest(struct room *r)
{
	struct ring_entry *o = &r->ring[r->ring_head];
	r->ring_bytes -= o->ev->len;
	sev_unref(o->ev);
	r->ring_head = (r->ring_head + 1) % ROOM_RING_MAX;
	r->ring_n--;
}

struct sev *room_update(struct room *r, struct json_object *doc, long long version)
{
	struct json_object *patch;
	struct sev *ev;
	size_t len;
	const char *s;
	if (!r->doc) {
		r->doc = doc;
		r->version = version;
		return NULL;
	}
	if (version == r->version) {
		/* the same version: nothing new can have happened */
		json_object_put(doc);
		return NULL;
	}
	if (version < r->version)
		ring_clear(r); /* the source restarted its numbering: older ids mean nothing now */
	patch = json_merge_diff(r->doc, doc);
	if (!patch) {
		json_object_put(doc);
		return NULL;
	}
	s = json_object_to_json_string_length(patch, JSON_C_TO_STRING_PLAIN, &len);
	ev = sev_event(version, "patch", s, len);
	json_object_put(patch);
	while (r->ring_n && (r->ring_n == ROOM_RING_MAX || r->ring_bytes + ev->len > ROOM_RING_BYTES))
		ring_drop_oldest(r);
	if (ev->len <= ROOM_RING_BYTES) {
		struct ring_entry *slot = &r->ring[(r->ring_head + r->ring_n) % ROOM_RING_MAX];
		slot->base = r->version;
		slot->ev = sev_ref(ev);
		r->ring_n++;
		r->ring_bytes += ev->len;
	}
	json_object_put(r->doc);
	r->doc = doc;
	r->version = version;
	sev_unref(r->snap);
	r->snap = NULL;
	return ev;
}

struct sev *room_snapshot(struct room *r)
{
	size_t len;
	const char *s;
	if (!r->doc)
		return NULL;
	if (!r->snap) {
		s = json_object_to_json_string_length(r->doc, JSON_C_TO_STRING_PLAIN, &len);
		r->snap = sev_event(r->version, "snapshot", s, len);
	}
	return sev_ref(r->snap);
}

int room_resume(const struct room *r, long long last_id, unsigned *first)
{
	unsigned i;
	if (!r->doc)
		return -1;
	if (last_id == r->version)
		return 0;
	for (i = 0; i < r->ring_n; i++) {
		if (r->ring[(r->ring_head + i) % ROOM_RING_MAX].base == last_id) {
			*first = i;
			return (int)(r->ring_n - i);
		}
	}
	return -1;
}

const struct ring_entry *room_ring_at(const struct room *r, unsigned i)
{
	return &r->ring[(r->ring_head + i) % ROOM_RING_MAX];
}

/* ---- helpers -------------------------------------------------------------- */

bool stream_origin_allowed(const char *allowed, const char *origin)
{
	const char *p;
	size_t olen;
	if (!origin || !*origin)
		return true;
	if (!allowed)
		return false;
	olen = strlen(origin);
	for (p = allowed; *p;) {
		const char *end = strchr(p, ',');
		size_t n;
		if (!end)
			end = p + strlen(p);
		while (p < end && isspace((unsigned char)*p))
			p++;
		n = (size_t)(end - p);
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (n && p[n - 1] == '/')
			n--;
		if ((n == 1 && *p == '*') || (n == olen && n && !strncasecmp(p, origin, n)))
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

int stream_parse_last_id(const char *s, long long *out)
{
	char *end;
	long long v;
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 1 || v > (1LL << 62))
		return -1;
	*out = v;
	return 0;
}
