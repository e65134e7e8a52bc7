/* http-send.h: HTTP requests with a method, extra headers and a body (POST,
 * PUT, HEAD), for the few upstreams that need more than http_get(): the
 * Steam Workshop API (form POST) and S3-compatible storage (signed PUT and
 * HEAD). Same limits and result struct as http_get() (http.h): connect and
 * whole-transfer timeouts, a response body cap, http/https only, Retry-After
 * parsed. Redirects are not followed (a signed request must not move).
 * http_global_init() must have run once in the process. */
#ifndef GW_HTTP_SEND_H
#define GW_HTTP_SEND_H

#include <stddef.h>

#include "http.h"

/* Send `method` ("POST", "PUT", "HEAD", "GET", "DELETE") to `url`.
 *
 * headers: NULL-terminated array of "Name: value" lines, borrowed; may be
 *          NULL. A "Host:" line replaces the one libcurl would send.
 *          "Expect: 100-continue" is never sent.
 * body/body_len: request body (borrowed; NULL when body_len is 0); ignored
 *          for HEAD and GET.
 * opt: timeouts and body cap, or NULL for the defaults of http.h.
 * res: as http_get(); release it with http_response_release() always.
 * Returns 0 when a response arrived (any status), -1 on a transfer failure
 * with res->error set. */
int http_send(const char *method, const char *url, const char *const *headers,
	      const void *body, size_t body_len, const struct http_options *opt,
	      struct http_response *res);

#endif
