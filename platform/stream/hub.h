/* hub.h: the data structures of gamewatch-stream, pure (no I/O): shared
 * Server-Sent Events, the output queue of one client with its FastCGI
 * framing and drop-to-snapshot rule, and rooms with their ring of recent
 * patches for Last-Event-ID resume. platform/stream/server.c owns the
 * sockets and calls these; tests/unit/test_stream.c tests them.
 *
 * Event text (the SSE wire format, WHATWG HTML Living Standard §9.2
 * "Server-sent events", the "text/event-stream" parsing rules):
 *   id: <version>\n event: <snapshot|patch>\n data: <JSON>\n \n
 * and heartbeats as comment lines ": hb\n\n". An event id is the room's
 * version: the source's version number (a module's cache version) at the
 * last change of the room's document, so it is monotonic per room and the
 * same in every stream process and across restarts (docs/realtime.md). */
#ifndef GW_STREAM_HUB_H
#define GW_STREAM_HUB_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "buf.h"

/* A shared, reference-counted, immutable chunk of output. `raw` bytes are
 * sent as they are (already framed: FastCGI records); otherwise the bytes
 * are SSE text that each client frames as FCGI_STDOUT records of its own
 * request id while writing. */
struct sev {
	unsigned refs;
	bool raw;
	long long id;       /* the event id (version), 0 for none */
	size_t len;
	char data[];
};

/* A new event "id: ID\nevent: NAME\ndata: DATA\n\n" (id line left out
 * when id <= 0, event line when name is NULL); newlines inside data start
 * a new "data: " line, as the format requires. One reference. */
struct sev *sev_event(long long id, const char *name, const char *data, size_t len);

/* A new chunk holding a copy of bytes[0..len); raw as given. One reference. */
struct sev *sev_bytes(const void *bytes, size_t len, bool raw);

static inline struct sev *sev_ref(struct sev *e)
{
	e->refs++;
	return e;
}
void sev_unref(struct sev *e);

/* Bytes a chunk takes on the wire: raw: len; SSE: len plus an 8-byte
 * record header per FCGI_MAX_CONTENT bytes. */
size_t sev_wire_len(const struct sev *e);

/* ---- the output queue of one client ------------------------------------- */

struct squeue {
	struct sev **items;    /* ring of `cap` slots */
	unsigned cap, head, n;
	size_t pos;            /* wire bytes of items[head] already written */
	size_t behind;         /* wire bytes of the items after the head */
	uint16_t request_id;   /* FastCGI request id the SSE chunks are framed for */
	bool need_snapshot;    /* dropped events: send the room's snapshot when drained */
	unsigned drops;        /* times the queue was dropped to a snapshot */
};

void squeue_init(struct squeue *q, uint16_t request_id);
/* Drop every item (unref) and free the ring. */
void squeue_release(struct squeue *q);

/* Append `e` (takes a new reference). Never drops. */
void squeue_push(struct squeue *q, struct sev *e);

/* Append an SSE event under the bound `limit` (bytes waiting behind the
 * item being written; an event is always queued when nothing waits behind
 * that item): when the event would take the waiting bytes over
 * `limit`, every SSE item not yet started is dropped, need_snapshot is set
 * and `e` is not queued (returns 0); while need_snapshot is set, events
 * are not queued either (0). Raw items and the item being written stay.
 * Returns 1 when queued. */
int squeue_offer(struct squeue *q, struct sev *e, size_t limit);

/* Drop every SSE item not yet started (the head stays when partly
 * written; raw items stay) and clear need_snapshot: the stream ended. */
void squeue_drop_events(struct squeue *q);

/* Fill at most `max` iovecs with the next bytes to write, starting in the
 * head item at `pos`. SSE items get their record headers, written into
 * `hdrs` (room for `max` headers). Returns the number of iovecs (0 when the
 * queue is empty). */
int squeue_iov(const struct squeue *q, struct iovec *iov, int max,
	       uint8_t (*hdrs)[8]);

/* `n` bytes of what squeue_iov() returned were written: advance, unref
 * finished items. */
void squeue_advance(struct squeue *q, size_t n);

static inline bool squeue_empty(const struct squeue *q)
{
	return q->n == 0;
}

/* ---- rooms ---------------------------------------------------------------- */

#define ROOM_RING_MAX 64            /* patches kept per room for resume */
#define ROOM_RING_BYTES (4u << 20)  /* and at most this many bytes of them */

struct ring_entry {
	long long base;       /* the version the patch applies to */
	struct sev *ev;       /* the patch event (id = version it leads to) */
};

struct room {
	char *name;
	void *owner;                  /* who builds it (the module), for the server */
	struct json_object *doc;      /* current document (null-free), owned; NULL until loaded */
	long long version;            /* id of doc: its last change */
	struct sev *snap;             /* cached snapshot event of (doc, version), or NULL */
	struct ring_entry ring[ROOM_RING_MAX];
	unsigned ring_head, ring_n;
	size_t ring_bytes;
	unsigned clients;             /* clients attached (kept by the server) */
	int64_t empty_since_ms;       /* monotonic time the last client left */
};

/* A new room named `name` with no document. */
struct room *room_new(const char *name, void *owner);
void room_free(struct room *r);

/* Replace the document with `doc` (taken; null-free) at `version`. The
 * first document is taken as is (returns NULL). Later: when `doc` differs,
 * returns the patch event (one reference for the caller, another kept in
 * the ring) and the room moves to `version`; when equal, returns NULL and
 * the room keeps its version; the same version again is ignored. A
 * version below the current one is a new epoch (the source was reset):
 * the ring is cleared first and
 * the patch still returned (clients connected stay in step; a resume from
 * an older id gets the snapshot). */
struct sev *room_update(struct room *r, struct json_object *doc, long long version);

/* The snapshot event of the current document (cached; a new reference), or
 * NULL while the room has no document. */
struct sev *room_snapshot(struct room *r);

/* What a client that last saw event `last_id` needs: returns 0 when it is
 * up to date (last_id is the room's version), the number of patches from
 * the ring it is missing, with their positions in *first (oldest first;
 * take them with room_ring_at), or -1 when the ring does not reach back to
 * last_id (send the snapshot). */
int room_resume(const struct room *r, long long last_id, unsigned *first);

/* The ring's i-th entry from the oldest (0 <= i < ring_n). */
const struct ring_entry *room_ring_at(const struct room *r, unsigned i);

/* ---- small pure helpers --------------------------------------------------- */

/* Is `origin` (the Origin request header) allowed by `allowed`, a
 * comma-separated list of origins ("https://a.example,http://127.0.0.1:8080",
 * spaces around commas ignored, a trailing "/" on an entry ignored; "*"
 * allows any)? A NULL or empty origin (no header: not a cross-site browser
 * request) is allowed. Origins compare exactly, case-insensitively. */
bool stream_origin_allowed(const char *allowed, const char *origin);

/* Parse a Last-Event-ID value: a decimal number 1..2^62. Returns 0 and
 * sets *out, or -1 (then the client gets a snapshot). */
int stream_parse_last_id(const char *s, long long *out);

#endif
