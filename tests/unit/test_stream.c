/* test_stream.c: the pure parts of gamewatch-stream: the FastCGI record
 * layer (fcgi-proto.h), RFC 7396 merge patches (jsondiff.h), events,
 * client queues with their framing and drop rule, rooms and resume
 * (hub.h). */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cu.h"
#include "platform/stream/fcgi-proto.h"
#include "platform/stream/hub.h"
#include "platform/stream/jsondiff.h"

/* ---- FastCGI ------------------------------------------------------------ */

/* A record built by hand, byte by byte as §3.3 lays it out. */
static size_t raw_record(uint8_t *out, uint8_t type, uint16_t id, const void *c, uint16_t clen,
			 uint8_t pad)
{
	out[0] = 1;
	out[1] = type;
	out[2] = (uint8_t)(id >> 8);
	out[3] = (uint8_t)id;
	out[4] = (uint8_t)(clen >> 8);
	out[5] = (uint8_t)clen;
	out[6] = pad;
	out[7] = 0;
	memcpy(out + 8, c, clen);
	memset(out + 8 + clen, 0xAA, pad);
	return 8u + clen + pad;
}

static void test_parse_record(void)
{
	uint8_t b[64];
	struct fcgi_record r;
	size_t n = raw_record(b, FCGI_STDIN, 0x0102, "abc", 3, 5);
	CU_ASSERT_EQUAL(n, 16);
	CU_ASSERT_EQUAL(fcgi_parse_record(b, n, &r), 16);
	CU_ASSERT_EQUAL(r.type, FCGI_STDIN);
	CU_ASSERT_EQUAL(r.request_id, 0x0102);
	CU_ASSERT_EQUAL(r.content_len, 3);
	CU_ASSERT_NSTRING_EQUAL(r.content, "abc", 3);
	/* every prefix is "need more", never a record */
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(fcgi_parse_record(b, i, &r), 0);
	b[0] = 2;
	CU_ASSERT_EQUAL(fcgi_parse_record(b, n, &r), -1);
}

struct pairs {
	char names[8][300];
	char values[8][300];
	int n;
};

static int collect(void *cl, const char *name, size_t nl, const char *value, size_t vl)
{
	struct pairs *p = cl;
	if (p->n == 8)
		return 7;
	memcpy(p->names[p->n], name, nl);
	p->names[p->n][nl] = '\0';
	memcpy(p->values[p->n], value, vl);
	p->values[p->n][vl] = '\0';
	p->n++;
	return 0;
}

static void test_params(void)
{
	struct buf b = BUF_INIT;
	struct pairs p;
	char longv[200];
	memset(longv, 'v', sizeof longv - 1);
	longv[sizeof longv - 1] = '\0';
	fcgi_add_pair(&b, "REQUEST_URI", 11, "/x", 2);
	fcgi_add_pair(&b, "LONG", 4, longv, strlen(longv)); /* 199 bytes: the 4-byte length form */
	fcgi_add_pair(&b, "EMPTY", 5, "", 0);
	/* the encoding itself: 1-byte lengths, then 0x80000000 | 199 */
	CU_ASSERT_EQUAL((uint8_t)b.data[0], 11);
	CU_ASSERT_EQUAL((uint8_t)b.data[1], 2);
	CU_ASSERT_EQUAL((uint8_t)b.data[15], 4);
	CU_ASSERT_EQUAL((uint8_t)b.data[16], 0x80);
	CU_ASSERT_EQUAL((uint8_t)b.data[19], 199);
	memset(&p, 0, sizeof p);
	CU_ASSERT_EQUAL(fcgi_params_each((uint8_t *)b.data, b.len, collect, &p), 0);
	CU_ASSERT_EQUAL(p.n, 3);
	CU_ASSERT_STRING_EQUAL(p.names[0], "REQUEST_URI");
	CU_ASSERT_STRING_EQUAL(p.values[0], "/x");
	CU_ASSERT_STRING_EQUAL(p.values[1], longv);
	CU_ASSERT_STRING_EQUAL(p.names[2], "EMPTY");
	CU_ASSERT_STRING_EQUAL(p.values[2], "");
	/* cut anywhere inside a pair: malformed, never a read past the end */
	for (size_t cut = 1; cut < b.len; cut++) {
		memset(&p, 0, sizeof p);
		int rc = fcgi_params_each((uint8_t *)b.data, cut, collect, &p);
		CU_ASSERT(cut == 15 || cut == 15 + 1 + 4 + 4 + 199 ? rc == 0 : rc == -1);
	}
	buf_release(&b);
}

/* A web server's request: BEGIN (keep_conn?), PARAMS, empty PARAMS, STDIN. */
static void request_bytes(struct buf *out, uint16_t id, bool keep, const char *uri, const char *body)
{
	uint8_t begin[8] = { 0, FCGI_RESPONDER, keep ? FCGI_KEEP_CONN : 0, 0, 0, 0, 0, 0 };
	uint8_t h[8];
	struct buf params = BUF_INIT;
	fcgi_header(h, FCGI_BEGIN_REQUEST, id, 8);
	buf_add(out, h, 8);
	buf_add(out, begin, 8);
	fcgi_add_pair(&params, "REQUEST_METHOD", 14, "GET", 3);
	fcgi_add_pair(&params, "REQUEST_URI", 11, uri, strlen(uri));
	fcgi_add_stream(out, FCGI_PARAMS, id, params.data, params.len);
	fcgi_add_stream(out, FCGI_PARAMS, id, NULL, 0);
	if (body && *body)
		fcgi_add_stream(out, FCGI_STDIN, id, body, strlen(body));
	fcgi_add_stream(out, FCGI_STDIN, id, NULL, 0);
	buf_release(&params);
}

static void test_conn_request(void)
{
	struct fcgi_conn c;
	struct buf in = BUF_INIT, reply = BUF_INIT;
	size_t used, off = 0, i;
	enum fcgi_event ev = FCGI_EV_MORE;
	char *v;
	fcgi_conn_init(&c, 100, 100);
	request_bytes(&in, 1, true, "/api/v1/stream/sessions", "hello");
	/* fed one byte at a time, as a slow socket might deliver it */
	for (i = 1; i <= in.len && ev == FCGI_EV_MORE; i++) {
		ev = fcgi_conn_feed(&c, (uint8_t *)in.data + off, i - off, &used, &reply);
		off += used;
	}
	CU_ASSERT_EQUAL(ev, FCGI_EV_REQUEST);
	CU_ASSERT_EQUAL(off, in.len);
	CU_ASSERT_EQUAL(reply.len, 0);
	CU_ASSERT_EQUAL(c.request_id, 1);
	CU_ASSERT(c.keep_conn);
	CU_ASSERT_EQUAL(c.stdin_bytes, 5);
	v = fcgi_conn_param(&c, "REQUEST_URI");
	CU_ASSERT_STRING_EQUAL(v, "/api/v1/stream/sessions");
	free(v);
	CU_ASSERT_PTR_NULL(fcgi_conn_param(&c, "HTTP_ORIGIN"));

	/* a second request while the first is active: refused, CANT_MPX_CONN */
	buf_reset(&in);
	request_bytes(&in, 2, false, "/other", NULL);
	ev = fcgi_conn_feed(&c, (uint8_t *)in.data, in.len, &used, &reply);
	CU_ASSERT_EQUAL(ev, FCGI_EV_MORE);
	CU_ASSERT_EQUAL(used, in.len);
	CU_ASSERT_EQUAL(reply.len, 16);
	CU_ASSERT_EQUAL((uint8_t)reply.data[1], FCGI_END_REQUEST);
	CU_ASSERT_EQUAL((uint8_t)reply.data[3], 2);
	CU_ASSERT_EQUAL((uint8_t)reply.data[8 + 4], FCGI_CANT_MPX_CONN);
	CU_ASSERT_EQUAL(c.request_id, 1);

	/* abort of the active one */
	buf_reset(&in);
	buf_reset(&reply);
	fcgi_add_stream(&in, FCGI_ABORT_REQUEST, 1, NULL, 0);
	CU_ASSERT_EQUAL(fcgi_conn_feed(&c, (uint8_t *)in.data, in.len, &used, &reply), FCGI_EV_ABORT);

	/* finished, on a kept connection: the next request is served */
	fcgi_conn_finish(&c);
	CU_ASSERT_EQUAL(c.request_id, 0);
	buf_reset(&in);
	request_bytes(&in, 7, false, "/next", NULL);
	CU_ASSERT_EQUAL(fcgi_conn_feed(&c, (uint8_t *)in.data, in.len, &used, &reply), FCGI_EV_REQUEST);
	CU_ASSERT_EQUAL(c.request_id, 7);
	CU_ASSERT(!c.keep_conn);
	v = fcgi_conn_param(&c, "REQUEST_URI");
	CU_ASSERT_STRING_EQUAL(v, "/next");
	free(v);
	fcgi_conn_release(&c);
	buf_release(&in);
	buf_release(&reply);
}

static void test_conn_management(void)
{
	struct fcgi_conn c;
	struct buf in = BUF_INIT, reply = BUF_INIT, q = BUF_INIT;
	size_t used;
	struct fcgi_record r;
	struct pairs p;
	uint8_t begin[8] = { 0, 2 /* FCGI_AUTHORIZER */, 0, 0, 0, 0, 0, 0 }, h[8];
	fcgi_conn_init(&c, 123, 45);
	fcgi_add_pair(&q, "FCGI_MAX_CONNS", 14, "", 0);
	fcgi_add_pair(&q, "FCGI_MPXS_CONNS", 15, "", 0);
	fcgi_add_pair(&q, "SOMETHING_ELSE", 14, "", 0);
	fcgi_add_stream(&in, FCGI_GET_VALUES, 0, q.data, q.len);
	CU_ASSERT_EQUAL(fcgi_conn_feed(&c, (uint8_t *)in.data, in.len, &used, &reply), FCGI_EV_MORE);
	CU_ASSERT(fcgi_parse_record((uint8_t *)reply.data, reply.len, &r) > 0);
	CU_ASSERT_EQUAL(r.type, FCGI_GET_VALUES_RESULT);
	memset(&p, 0, sizeof p);
	fcgi_params_each(r.content, r.content_len, collect, &p);
	CU_ASSERT_EQUAL(p.n, 2);
	CU_ASSERT_STRING_EQUAL(p.names[0], "FCGI_MAX_CONNS");
	CU_ASSERT_STRING_EQUAL(p.values[0], "123");
	CU_ASSERT_STRING_EQUAL(p.values[1], "0");

	/* an unknown management type: FCGI_UNKNOWN_TYPE naming it */
	buf_reset(&in);
	buf_reset(&reply);
	fcgi_add_stream(&in, 99, 0, NULL, 0);
	fcgi_conn_feed(&c, (uint8_t *)in.data, in.len, &used, &reply);
	CU_ASSERT(fcgi_parse_record((uint8_t *)reply.data, reply.len, &r) > 0);
	CU_ASSERT_EQUAL(r.type, FCGI_UNKNOWN_TYPE);
	CU_ASSERT_EQUAL(r.content[0], 99);

	/* a role other than Responder: FCGI_UNKNOWN_ROLE */
	buf_reset(&in);
	buf_reset(&reply);
	fcgi_header(h, FCGI_BEGIN_REQUEST, 3, 8);
	buf_add(&in, h, 8);
	buf_add(&in, begin, 8);
	fcgi_conn_feed(&c, (uint8_t *)in.data, in.len, &used, &reply);
	CU_ASSERT(fcgi_parse_record((uint8_t *)reply.data, reply.len, &r) > 0);
	CU_ASSERT_EQUAL(r.type, FCGI_END_REQUEST);
	CU_ASSERT_EQUAL(r.content[4], FCGI_UNKNOWN_ROLE);
	CU_ASSERT_EQUAL(c.request_id, 0);

	/* garbage: an error, and the parser says why */
	buf_reset(&in);
	buf_addstr(&in, "GET / HTTP/1.1\r\n\r\n");
	CU_ASSERT_EQUAL(fcgi_conn_feed(&c, (uint8_t *)in.data, in.len, &used, &reply), FCGI_EV_ERROR);
	CU_ASSERT_PTR_NOT_NULL(c.error);
	fcgi_conn_release(&c);
	buf_release(&in);
	buf_release(&reply);
	buf_release(&q);
}

static void test_stream_records(void)
{
	struct buf out = BUF_INIT;
	struct fcgi_record r;
	char *big = malloc(150000);
	size_t off = 0, total = 0;
	long n;
	int recs = 0;
	memset(big, 'x', 150000);
	fcgi_add_stream(&out, FCGI_STDOUT, 9, big, 150000);
	fcgi_add_end_request(&out, 9, 0, FCGI_REQUEST_COMPLETE);
	while ((n = fcgi_parse_record((uint8_t *)out.data + off, out.len - off, &r)) > 0) {
		off += (size_t)n;
		recs++;
		if (r.type == FCGI_STDOUT) {
			CU_ASSERT(r.content_len <= FCGI_MAX_CONTENT);
			total += r.content_len;
		}
	}
	CU_ASSERT_EQUAL(off, out.len);
	CU_ASSERT_EQUAL(total, 150000);
	CU_ASSERT_EQUAL(recs, 4); /* 65535 + 65535 + 18930, then END_REQUEST */
	free(big);
	buf_release(&out);
}

/* ---- merge patches ------------------------------------------------------ */

static struct json_object *J(const char *s)
{
	struct json_object *o = json_tokener_parse(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	return o;
}

static void check_diff(const char *a, const char *b, const char *want)
{
	struct json_object *ja = J(a), *jb = J(b), *p = json_merge_diff(ja, jb), *back;
	if (!want) {
		CU_ASSERT_PTR_NULL(p);
	} else {
		struct json_object *w = J(want);
		CU_ASSERT(json_object_equal(p, w));
		if (!json_object_equal(p, w))
			fprintf(stderr, "diff %s -> %s gave %s\n", a, b, json_object_to_json_string(p));
		json_object_put(w);
		back = json_merge_apply(ja, p);
		CU_ASSERT(json_object_equal(back, jb));
		json_object_put(back);
	}
	json_object_put(p);
	json_object_put(ja);
	json_object_put(jb);
}

static void test_merge_diff(void)
{
	check_diff("{\"a\":1}", "{\"a\":1}", NULL);
	check_diff("{\"a\":1,\"b\":2}", "{\"a\":1,\"b\":3}", "{\"b\":3}");
	check_diff("{\"a\":1,\"b\":2}", "{\"a\":1}", "{\"b\":null}");
	check_diff("{\"a\":{\"x\":1,\"y\":2}}", "{\"a\":{\"x\":1,\"y\":5}}", "{\"a\":{\"y\":5}}");
	check_diff("{\"a\":[1,2]}", "{\"a\":[1,3]}", "{\"a\":[1,3]}");
	check_diff("{\"a\":{\"x\":1}}", "{\"a\":7}", "{\"a\":7}");
	check_diff("{\"a\":7}", "{\"a\":{\"x\":{\"y\":true}}}", "{\"a\":{\"x\":{\"y\":true}}}");
	check_diff("{}", "{\"s\":{\"k1\":{\"n\":1},\"k2\":{\"n\":2}}}",
		   "{\"s\":{\"k1\":{\"n\":1},\"k2\":{\"n\":2}}}");
	check_diff("{\"s\":{\"k1\":{\"n\":1},\"k2\":{\"n\":2}}}", "{\"s\":{\"k2\":{\"n\":2,\"m\":\"x\"}}}",
		   "{\"s\":{\"k1\":null,\"k2\":{\"m\":\"x\"}}}");
	/* 1 and 1.0 are different JSON texts; json-c compares them as different types */
	check_diff("{\"a\":\"1\"}", "{\"a\":1}", "{\"a\":1}");
}

/* RFC 7396 §3's example, and the Appendix A cases, through json_merge_apply. */
static void test_merge_apply_rfc(void)
{
	static const char *const cases[][3] = {
		{ "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
		{ "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}" },
		{ "{\"a\":\"b\"}", "{\"a\":null}", "{}" },
		{ "{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}" },
		{ "{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
		{ "{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}" },
		{ "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}" },
		{ "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}" },
		{ "[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]" },
		{ "{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]" },
		{ "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}" },
		{ "[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}" },
		{ "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}" },
	};
	size_t i;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct json_object *t = J(cases[i][0]), *p = J(cases[i][1]), *w = J(cases[i][2]);
		struct json_object *got = json_merge_apply(t, p);
		CU_ASSERT(json_object_equal(got, w));
		json_object_put(got);
		json_object_put(t);
		json_object_put(p);
		json_object_put(w);
	}
}

/* Real documents: every pair of the MSL captures (as plain JSON objects,
 * nulls stripped) round-trips through diff and apply. */
static void test_merge_captures(void)
{
	static const char *const files[] = {
		"bzcc/msl-api-v1/2024-10-25_lobby-7.json", "bzcc/msl-api-v1/2024-10-25_lobby-7-hidden.json",
		"bzcc/msl-api-v1/2024-09-14_data-7-players.json", "bzcc/msl-api-v1/2025-04-09_six.json",
	};
	struct json_object *docs[4];
	size_t i, j;
	for (i = 0; i < 4; i++) {
		struct json_object *raw = json_object_from_file(cu_data_path(files[i]));
		CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
		docs[i] = json_strip_nulls(raw);
		json_object_put(raw);
	}
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 4; j++) {
			struct json_object *p = json_merge_diff(docs[i], docs[j]), *back;
			if (i == j) {
				CU_ASSERT_PTR_NULL(p);
				continue;
			}
			CU_ASSERT_PTR_NOT_NULL(p);
			back = json_merge_apply(docs[i], p);
			CU_ASSERT(json_object_equal(back, docs[j]));
			json_object_put(back);
			json_object_put(p);
		}
	}
	for (i = 0; i < 4; i++)
		json_object_put(docs[i]);
}

static void test_strip_nulls(void)
{
	struct json_object *a = J("{\"a\":null,\"b\":{\"c\":null,\"d\":1},\"e\":[null,{\"f\":null}]}");
	struct json_object *w = J("{\"b\":{\"d\":1},\"e\":[null,{}]}"), *s = json_strip_nulls(a);
	CU_ASSERT(json_object_equal(s, w));
	json_object_put(a);
	json_object_put(w);
	json_object_put(s);
}

/* ---- events, queues, rooms ------------------------------------------------- */

static void test_sev_format(void)
{
	struct sev *e = sev_event(42, "patch", "{\"a\":1}", 7);
	CU_ASSERT_STRING_EQUAL(e->data, "id: 42\nevent: patch\ndata: {\"a\":1}\n\n");
	CU_ASSERT_EQUAL(e->id, 42);
	CU_ASSERT_EQUAL(sev_wire_len(e), e->len + 8);
	sev_unref(e);
	e = sev_event(0, NULL, "one\ntwo", 7);
	CU_ASSERT_STRING_EQUAL(e->data, "data: one\ndata: two\n\n");
	sev_unref(e);
}

/* Write everything a queue holds through squeue_iov/advance in odd-sized
 * steps (as partial writes would), then parse the records back. */
static void drain(struct squeue *q, struct buf *wire, size_t step)
{
	struct iovec iov[8];
	uint8_t hdrs[8][8];
	int k, i;
	while (!squeue_empty(q)) {
		size_t budget = step, done = 0;
		k = squeue_iov(q, iov, 8, hdrs);
		CU_ASSERT_FATAL(k > 0);
		for (i = 0; i < k && budget; i++) {
			size_t n = iov[i].iov_len < budget ? iov[i].iov_len : budget;
			buf_add(wire, iov[i].iov_base, n);
			budget -= n;
			done += n;
		}
		squeue_advance(q, done);
	}
}

static void test_queue_framing(void)
{
	static const size_t steps[] = { 1, 7, 8, 9, 4096, 65543, 1 << 20 };
	char *big = malloc(140000);
	size_t si;
	for (size_t i = 0; i < 140000; i++)
		big[i] = (char)('a' + i % 26);
	for (si = 0; si < sizeof steps / sizeof steps[0]; si++) {
		struct squeue q;
		struct buf wire = BUF_INIT, stdout_bytes = BUF_INIT, want = BUF_INIT;
		struct sev *raw = sev_bytes("RAW!", 4, true);
		struct sev *a = sev_event(1, "snapshot", big, 140000), *b = sev_event(2, "patch", "{}", 2);
		struct fcgi_record r;
		size_t off = 4;
		long n;
		squeue_init(&q, 0x1234);
		squeue_push(&q, raw);
		squeue_push(&q, a);
		squeue_push(&q, b);
		drain(&q, &wire, steps[si]);
		CU_ASSERT_NSTRING_EQUAL(wire.data, "RAW!", 4);
		while ((n = fcgi_parse_record((uint8_t *)wire.data + off, wire.len - off, &r)) > 0) {
			CU_ASSERT_EQUAL(r.type, FCGI_STDOUT);
			CU_ASSERT_EQUAL(r.request_id, 0x1234);
			CU_ASSERT(r.content_len > 0);
			buf_add(&stdout_bytes, r.content, r.content_len);
			off += (size_t)n;
		}
		CU_ASSERT_EQUAL(off, wire.len);
		buf_add(&want, a->data, a->len);
		buf_add(&want, b->data, b->len);
		CU_ASSERT_EQUAL(stdout_bytes.len, want.len);
		CU_ASSERT(stdout_bytes.len == want.len && !memcmp(stdout_bytes.data, want.data, want.len));
		/* the queue gave up its references: only ours are left */
		CU_ASSERT_EQUAL(a->refs, 1);
		sev_unref(raw);
		sev_unref(a);
		sev_unref(b);
		squeue_release(&q);
		buf_release(&wire);
		buf_release(&stdout_bytes);
		buf_release(&want);
	}
	free(big);
}

static void test_queue_drop(void)
{
	struct squeue q;
	struct sev *e[6];
	struct iovec iov[4];
	uint8_t hdrs[4][8];
	int i;
	char data[100];
	memset(data, 'd', sizeof data);
	for (i = 0; i < 6; i++)
		e[i] = sev_event(i + 1, "patch", data, sizeof data);
	squeue_init(&q, 1);
	/* limit: room behind the head for two events */
	size_t limit = 2 * sev_wire_len(e[0]);
	CU_ASSERT_EQUAL(squeue_offer(&q, e[0], limit), 1); /* head */
	squeue_iov(&q, iov, 4, hdrs);
	squeue_advance(&q, 10);                             /* head partly written */
	CU_ASSERT_EQUAL(squeue_offer(&q, e[1], limit), 1);
	CU_ASSERT_EQUAL(squeue_offer(&q, e[2], limit), 1);
	CU_ASSERT_EQUAL(q.behind, limit);
	/* the third one behind is over: unstarted events go, a snapshot is owed */
	CU_ASSERT_EQUAL(squeue_offer(&q, e[3], limit), 0);
	CU_ASSERT(q.need_snapshot);
	CU_ASSERT_EQUAL(q.drops, 1);
	CU_ASSERT_EQUAL(q.n, 1);       /* the partly written head stays */
	CU_ASSERT_EQUAL(q.behind, 0);
	CU_ASSERT_EQUAL(e[1]->refs, 1); /* released by the queue */
	/* while a snapshot is owed, nothing more is queued */
	CU_ASSERT_EQUAL(squeue_offer(&q, e[4], limit), 0);
	CU_ASSERT_EQUAL(q.drops, 1);
	squeue_advance(&q, sev_wire_len(e[0]) - 10);
	CU_ASSERT(squeue_empty(&q));
	squeue_release(&q);
	for (i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(e[i]->refs, 1);
		sev_unref(e[i]);
	}
}

static void test_room_resume(void)
{
	struct room *r = room_new("sessions", NULL);
	struct sev *ev, *snap;
	unsigned first = 99;
	int n;
	CU_ASSERT_PTR_NULL(room_snapshot(r));
	CU_ASSERT_EQUAL(room_resume(r, 1, &first), -1);
	CU_ASSERT_PTR_NULL(room_update(r, J("{\"n\":1}"), 10)); /* first document: no event */
	snap = room_snapshot(r);
	CU_ASSERT_STRING_EQUAL(snap->data, "id: 10\nevent: snapshot\ndata: {\"n\":1}\n\n");
	sev_unref(snap);
	CU_ASSERT_PTR_NULL(room_update(r, J("{\"n\":1}"), 11)); /* unchanged: version stays */
	CU_ASSERT_EQUAL(r->version, 10);
	CU_ASSERT_PTR_NULL(room_update(r, J("{\"n\":9}"), 10)); /* same version again: ignored */
	ev = room_update(r, J("{\"n\":2}"), 12);
	CU_ASSERT_STRING_EQUAL(ev->data, "id: 12\nevent: patch\ndata: {\"n\":2}\n\n");
	sev_unref(ev);
	ev = room_update(r, J("{\"n\":3,\"m\":true}"), 15);
	sev_unref(ev);
	CU_ASSERT_EQUAL(room_resume(r, 15, &first), 0);     /* up to date */
	n = room_resume(r, 10, &first);                      /* saw the snapshot at 10 */
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(room_ring_at(r, first)->ev->id, 12);
	CU_ASSERT_EQUAL(room_ring_at(r, first + 1)->ev->id, 15);
	CU_ASSERT_EQUAL(room_resume(r, 12, &first), 1);
	CU_ASSERT_EQUAL(room_resume(r, 11, &first), -1);     /* never an event id here */
	/* the source restarted (Redis flushed): older ids mean nothing */
	ev = room_update(r, J("{\"n\":4}"), 2);
	CU_ASSERT_PTR_NOT_NULL(ev);
	sev_unref(ev);
	CU_ASSERT_EQUAL(room_resume(r, 10, &first), -1);
	CU_ASSERT_EQUAL(r->ring_n, 1);
	/* the ring keeps at most ROOM_RING_MAX patches */
	for (int i = 0; i < ROOM_RING_MAX + 10; i++) {
		char doc[32];
		snprintf(doc, sizeof doc, "{\"i\":%d}", i);
		sev_unref(room_update(r, J(doc), 100 + i));
	}
	CU_ASSERT_EQUAL(r->ring_n, ROOM_RING_MAX);
	CU_ASSERT_EQUAL(room_resume(r, 100, &first), -1);
	CU_ASSERT_EQUAL(room_resume(r, 100 + 10, &first), ROOM_RING_MAX - 1);
	room_free(r);
}

static void test_origin_and_id(void)
{
	long long v;
	const char *list = "https://gw.example, http://127.0.0.1:8080/ ,https://b.example";
	CU_ASSERT(stream_origin_allowed(list, NULL));
	CU_ASSERT(stream_origin_allowed(list, ""));
	CU_ASSERT(stream_origin_allowed(list, "https://gw.example"));
	CU_ASSERT(stream_origin_allowed(list, "HTTPS://GW.EXAMPLE"));
	CU_ASSERT(stream_origin_allowed(list, "http://127.0.0.1:8080"));
	CU_ASSERT(stream_origin_allowed(list, "https://b.example"));
	CU_ASSERT(!stream_origin_allowed(list, "https://gw.example.evil"));
	CU_ASSERT(!stream_origin_allowed(list, "http://127.0.0.1"));
	CU_ASSERT(!stream_origin_allowed(list, "null"));
	CU_ASSERT(!stream_origin_allowed("", "https://gw.example"));
	CU_ASSERT(stream_origin_allowed("*", "https://any.example"));
	CU_ASSERT_EQUAL(stream_parse_last_id("123", &v), 0);
	CU_ASSERT_EQUAL(v, 123);
	CU_ASSERT_EQUAL(stream_parse_last_id("0", &v), -1);
	CU_ASSERT_EQUAL(stream_parse_last_id("-4", &v), -1);
	CU_ASSERT_EQUAL(stream_parse_last_id("12a", &v), -1);
	CU_ASSERT_EQUAL(stream_parse_last_id("", &v), -1);
	CU_ASSERT_EQUAL(stream_parse_last_id("99999999999999999999", &v), -1);
	CU_ASSERT_EQUAL(stream_parse_last_id(NULL, &v), -1);
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("fcgi-proto", NULL, NULL);
	CU_add_test(s, "parse a record", test_parse_record);
	CU_add_test(s, "name-value pairs", test_params);
	CU_add_test(s, "a request, mpx refused, abort, keep-conn", test_conn_request);
	CU_add_test(s, "GET_VALUES, unknown type, unknown role, garbage", test_conn_management);
	CU_add_test(s, "stdout split into records", test_stream_records);
	s = CU_add_suite("jsondiff", NULL, NULL);
	CU_add_test(s, "minimal merge patches", test_merge_diff);
	CU_add_test(s, "RFC 7396 apply cases", test_merge_apply_rfc);
	CU_add_test(s, "round trip on real captures", test_merge_captures);
	CU_add_test(s, "strip nulls", test_strip_nulls);
	s = CU_add_suite("hub", NULL, NULL);
	CU_add_test(s, "event text", test_sev_format);
	CU_add_test(s, "queue framing under partial writes", test_queue_framing);
	CU_add_test(s, "drop to snapshot", test_queue_drop);
	CU_add_test(s, "room versions, ring and resume", test_room_resume);
	CU_add_test(s, "origin list and Last-Event-ID", test_origin_and_id);
}

CU_MAIN()
