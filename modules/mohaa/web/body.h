/* body.h: the request body of the ingest routes, read here until the
 * platform's request layer reads bodies itself (the route-rules work adds
 * req_read_body() to platform/web/req.h, enforcing the row's body_max).
 * This file is the only place that touches FastCGI stdin; when the
 * platform version lands, mohaa_body_read() becomes a call to it (keeping
 * the body raw: the original tracker's form bodies are not valid
 * application/x-www-form-urlencoded and must not be parsed as such). */
#ifndef GW_MOHAA_BODY_H
#define GW_MOHAA_BODY_H

#include <stddef.h>

struct req;
struct buf;

/* Read the body of r into out, at most `max` bytes. Returns 0; 413 when
 * CONTENT_LENGTH says more than max or more than max bytes arrive; 400 when
 * CONTENT_LENGTH is malformed or fewer bytes arrive than it promised; the
 * reason in err. Without CONTENT_LENGTH the body is read to its end (FastCGI
 * ends stdin), up to max + 1 bytes. */
int mohaa_body_read(struct req *r, size_t max, struct buf *out, char *err, size_t errlen);

/* The value of request header `cgi_name` ("HTTP_X_SERVER_TOKEN"), or NULL.
 * Borrowed from libfcgi's environment: valid until the request ends. */
const char *mohaa_header(const struct req *r, const char *cgi_name);

#endif
