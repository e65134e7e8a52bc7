/* body.c: bounded reading of the ingest request body (body.h). */
#include "modules/mohaa/web/body.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "buf.h"
#include "platform/web/req.h"

const char *mohaa_header(const struct req *r, const char *cgi_name)
{
	return r->fcgx ? FCGX_GetParam(cgi_name, r->fcgx->envp) : NULL;
}

int mohaa_body_read(struct req *r, size_t max, struct buf *out, char *err, size_t errlen)
{
	const char *cl = mohaa_header(r, "CONTENT_LENGTH");
	size_t want = max + 1, got;
	bool declared = false;
	char chunk[16384];

	buf_reset(out);
	if (!r->fcgx)
		return 0;
	if (cl && *cl) {
		unsigned long long v = 0;
		const char *p;
		for (p = cl; *p; p++) {
			if (*p < '0' || *p > '9' || v > (1ULL << 50)) {
				snprintf(err, errlen, "malformed Content-Length");
				return 400;
			}
			v = v * 10 + (unsigned)(*p - '0');
		}
		if (v > max) {
			snprintf(err, errlen, "the body is %llu bytes; the limit is %zu", v, max);
			return 413;
		}
		want = (size_t)v;
		declared = true;
	}
	while (out->len < want) {
		size_t ask = want - out->len < sizeof chunk ? want - out->len : sizeof chunk;
		int n = FCGX_GetStr(chunk, (int)ask, r->fcgx->in);
		if (n <= 0)
			break;
		buf_add(out, chunk, (size_t)n);
	}
	got = out->len;
	if (got > max) {
		snprintf(err, errlen, "the body is larger than %zu bytes", max);
		return 413;
	}
	if (declared && got < want) {
		snprintf(err, errlen, "the body ended after %zu of %zu bytes", got, want);
		return 400;
	}
	return 0;
}
