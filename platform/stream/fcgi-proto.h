/* fcgi-proto.h: the FastCGI record layer of gamewatch-stream, pure (no I/O).
 *
 * libfcgi serves one request per process at a time and cannot be driven
 * from an event loop, so the stream server speaks the protocol itself over
 * thousands of non-blocking connections. This file is only the wire format
 * and the per-connection state machine; platform/stream/server.c does the
 * reading and writing.
 *
 * Source of the format: the FastCGI Specification 1.0 (Open Market, 1996),
 * §3.3 (record header: version, type, requestId, contentLength,
 * paddingLength, reserved; all big-endian), §3.4 (name-value pairs: a
 * length of one byte when < 128, else four bytes with the high bit set),
 * §4 (management records FCGI_GET_VALUES / FCGI_GET_VALUES_RESULT and
 * FCGI_UNKNOWN_TYPE), §5 (FCGI_BEGIN_REQUEST with role and the
 * FCGI_KEEP_CONN flag, FCGI_PARAMS and FCGI_STDIN streams ended by an empty
 * record, FCGI_ABORT_REQUEST, FCGI_STDOUT, FCGI_END_REQUEST with appStatus
 * and protocolStatus FCGI_REQUEST_COMPLETE / FCGI_CANT_MPX_CONN /
 * FCGI_UNKNOWN_ROLE).
 *
 * What this server does with it: one request at a time per connection
 * (FCGI_MPXS_CONNS "0"; a second FCGI_BEGIN_REQUEST while one is active is
 * refused with FCGI_CANT_MPX_CONN), Responder role only (others:
 * FCGI_UNKNOWN_ROLE), and the connection kept after FCGI_END_REQUEST only
 * when the web server set FCGI_KEEP_CONN. */
#ifndef GW_FCGI_PROTO_H
#define GW_FCGI_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define FCGI_VERSION_1 1
#define FCGI_HEADER_LEN 8
#define FCGI_MAX_CONTENT 65535

/* record types (§8) */
enum fcgi_type {
	FCGI_BEGIN_REQUEST = 1,
	FCGI_ABORT_REQUEST = 2,
	FCGI_END_REQUEST = 3,
	FCGI_PARAMS = 4,
	FCGI_STDIN = 5,
	FCGI_STDOUT = 6,
	FCGI_STDERR = 7,
	FCGI_DATA = 8,
	FCGI_GET_VALUES = 9,
	FCGI_GET_VALUES_RESULT = 10,
	FCGI_UNKNOWN_TYPE = 11,
};

#define FCGI_RESPONDER 1
#define FCGI_KEEP_CONN 1

/* protocolStatus of FCGI_END_REQUEST */
enum fcgi_proto_status {
	FCGI_REQUEST_COMPLETE = 0,
	FCGI_CANT_MPX_CONN = 1,
	FCGI_OVERLOADED = 2,
	FCGI_UNKNOWN_ROLE = 3,
};

/* One record as it sits in an input buffer (content borrowed from it). */
struct fcgi_record {
	uint8_t type;
	uint16_t request_id;
	const uint8_t *content;
	uint16_t content_len;
};

/* Parse the record at the start of buf[0..len). Returns the bytes it takes
 * (header + content + padding, > 0) and fills *rec; 0 when the buffer does
 * not yet hold a whole record; -1 when the version byte is not 1 (the
 * stream cannot be resynchronised: close the connection). */
long fcgi_parse_record(const uint8_t *buf, size_t len, struct fcgi_record *rec);

/* Decode the name-value pairs of a FCGI_PARAMS stream or a
 * FCGI_GET_VALUES body (§3.4), calling fn(closure, name, name_len, value,
 * value_len) for each pair in order (borrowed, not NUL-terminated); a
 * non-zero return from fn stops the walk and is returned. Returns 0, or -1
 * when a length runs past the end of `len` bytes (malformed). */
int fcgi_params_each(const uint8_t *p, size_t len,
		     int (*fn)(void *closure, const char *name, size_t name_len,
			       const char *value, size_t value_len),
		     void *closure);

/* Append one name-value pair in the §3.4 encoding to `out`. */
void fcgi_add_pair(struct buf *out, const char *name, size_t name_len, const char *value,
		   size_t value_len);

/* Fill the 8-byte header of a record of `type` for `request_id` with
 * `content_len` bytes of content and no padding. */
void fcgi_header(uint8_t out[FCGI_HEADER_LEN], uint8_t type, uint16_t request_id,
		 uint16_t content_len);

/* Append `len` bytes as records of `type` (FCGI_STDOUT, FCGI_STDERR) of at
 * most FCGI_MAX_CONTENT bytes each. len 0 appends the empty record that
 * ends the stream. */
void fcgi_add_stream(struct buf *out, uint8_t type, uint16_t request_id, const void *data,
		     size_t len);

/* Append a FCGI_END_REQUEST record. */
void fcgi_add_end_request(struct buf *out, uint16_t request_id, uint32_t app_status,
			  uint8_t protocol_status);

/* ---- the state of one connection --------------------------------------- */

/* What fcgi_conn_feed() stopped for. */
enum fcgi_event {
	FCGI_EV_MORE = 0,     /* every whole record was taken; feed more bytes */
	FCGI_EV_REQUEST,      /* the active request's params and stdin are complete */
	FCGI_EV_ABORT,        /* the web server aborted the active request */
	FCGI_EV_ERROR,        /* protocol error (reason in conn->error): close */
};

#define FCGI_MAX_PARAMS_BYTES 65536 /* a larger FCGI_PARAMS stream is an error */

struct fcgi_conn {
	uint16_t request_id;   /* the active request, 0 when none */
	bool keep_conn;        /* its FCGI_BEGIN_REQUEST had FCGI_KEEP_CONN */
	bool params_done;      /* the empty FCGI_PARAMS record arrived */
	bool stdin_done;       /* the empty FCGI_STDIN record arrived */
	bool ready;            /* FCGI_EV_REQUEST was returned for it */
	size_t stdin_bytes;    /* request body bytes seen (discarded) */
	struct buf params;     /* the raw FCGI_PARAMS stream of the active request */
	const char *error;     /* static reason after FCGI_EV_ERROR */
	/* answers to FCGI_GET_VALUES, e.g. "FCGI_MAX_CONNS" */
	unsigned max_conns;
	unsigned max_reqs;
};

/* A connection with no request yet; max_conns/max_reqs answer
 * FCGI_GET_VALUES. fcgi_conn_release() frees it. */
void fcgi_conn_init(struct fcgi_conn *c, unsigned max_conns, unsigned max_reqs);
void fcgi_conn_release(struct fcgi_conn *c);

/* Take whole records from in[0..len): sets *used to the bytes taken (the
 * caller drops them from its buffer and keeps the rest for the next call).
 * Replies that need no application (FCGI_GET_VALUES_RESULT,
 * FCGI_UNKNOWN_TYPE, FCGI_END_REQUEST with FCGI_CANT_MPX_CONN or
 * FCGI_UNKNOWN_ROLE) are appended to `reply`, ready to send. Stops after
 * the record that completes a request (FCGI_EV_REQUEST, once per request)
 * or aborts it (FCGI_EV_ABORT), at a protocol error (FCGI_EV_ERROR), or
 * when no whole record is left (FCGI_EV_MORE). Records of other request
 * ids, and stdin past FCGI_EV_REQUEST, are ignored. */
enum fcgi_event fcgi_conn_feed(struct fcgi_conn *c, const uint8_t *in, size_t len, size_t *used,
			       struct buf *reply);

/* The active request is answered (its FCGI_END_REQUEST queued): forget it,
 * ready for the next FCGI_BEGIN_REQUEST on a kept connection. */
void fcgi_conn_finish(struct fcgi_conn *c);

/* The value of param `name` of the active request (after FCGI_EV_REQUEST)
 * as a new NUL-terminated string (caller frees), or NULL when absent. A
 * value with a NUL byte inside is cut there. */
char *fcgi_conn_param(const struct fcgi_conn *c, const char *name);

#endif
