/* fuzz_fcgi_proto.c: libFuzzer target for platform/stream/fcgi-proto.c,
 * the FastCGI record layer of gamewatch-stream (its input is whatever the
 * web server, or anything that reaches the stream socket, sends).
 *
 * The input is cut at its first byte's value into two feeds, so records
 * split across reads are exercised; every event is followed the way the
 * server follows it (params looked up after a request, finish after an
 * abort, stop at an error). Checks: consumed bytes never exceed the input,
 * replies are whole records, and the params of a request decode. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "platform/stream/fcgi-proto.h"

static int count(void *cl, const char *n, size_t nl, const char *v, size_t vl)
{
	(void)n;
	(void)v;
	*(size_t *)cl += nl + vl;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fcgi_conn c;
	struct buf in = BUF_INIT, reply = BUF_INIT;
	size_t cut = size ? data[0] % (size + 1) : 0, pos = 0, used, off;
	int feeds;
	fcgi_conn_init(&c, 10, 10);
	for (feeds = 0; feeds < 2; feeds++) {
		size_t end = feeds == 0 ? cut : size;
		enum fcgi_event ev;
		buf_add(&in, data + pos, end - pos);
		pos = end;
		for (;;) {
			ev = fcgi_conn_feed(&c, (const uint8_t *)in.data, in.len, &used, &reply);
			if (used > in.len)
				abort();
			memmove(in.data, in.data + used, in.len - used);
			buf_truncate(&in, in.len - used);
			if (ev == FCGI_EV_MORE)
				break;
			if (ev == FCGI_EV_ERROR)
				goto out;
			if (ev == FCGI_EV_REQUEST) {
				size_t n = 0;
				char *uri = fcgi_conn_param(&c, "REQUEST_URI");
				fcgi_params_each((const uint8_t *)c.params.data, c.params.len, count, &n);
				free(uri);
			} else {
				fcgi_conn_finish(&c);
			}
		}
	}
out:
	/* replies are whole records, back to back */
	for (off = 0; off < reply.len;) {
		struct fcgi_record r;
		long n = fcgi_parse_record((const uint8_t *)reply.data + off, reply.len - off, &r);
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	fcgi_conn_release(&c);
	buf_release(&in);
	buf_release(&reply);
	return 0;
}
