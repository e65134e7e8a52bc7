/* queue.h: the durable ingest queue, a Redis stream (every Redis key of the
 * ingest path is here).
 *
 *   gw:mohaa:events        the stream; one entry per accepted request with
 *                          fields s (server id), n (accepted events), d (the
 *                          event type of events that name none: "" or
 *                          match_end for the match-result route), b (the
 *                          body as received, server tokens masked)
 *   group "ingest"         the consumer group of `gamewatch-job mohaa-ingest`
 *   gw:mohaa:ingested      events answered 202 (counter)
 *   gw:mohaa:shed          events answered 429 because the backlog was full
 *   gw:mohaa:shed_requests requests answered 429
 *   gw:mohaa:req:<id>      the entry id a request stored, for 60 s: a request
 *                          retried after its answer was lost (Redis died after
 *                          writing, before answering) finds its entry instead
 *                          of adding a second one
 *
 * Durability: a 202 is sent only after XADD returned, and Redis answers a
 * write only after its append-only file reached the disk when it runs with
 * appendonly yes and appendfsync always (Redis "Persistence" docs: with
 * always, fsync happens before the reply; concurrent clients share one fsync
 * per event-loop turn, which is Redis's group commit). mohaa_queue_durable()
 * checks that setting. The job deletes entries it has written (XACK + XDEL
 * in one script), so XLEN is the backlog. */
#ifndef GW_MOHAA_QUEUE_H
#define GW_MOHAA_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kv;

#define MOHAA_STREAM "gw:mohaa:events"
#define MOHAA_GROUP "ingest"
#define MOHAA_KEY_INGESTED "gw:mohaa:ingested"
#define MOHAA_KEY_SHED "gw:mohaa:shed"
#define MOHAA_KEY_SHED_REQUESTS "gw:mohaa:shed_requests"

/* One stream entry as the job reads it. */
struct mohaa_entry {
	char id[48];          /* stream id "<ms>-<seq>" */
	int64_t received_ms;  /* the id's milliseconds: when Redis accepted it */
	int64_t server_id;    /* 0 when the field is missing or malformed */
	char default_type[24]; /* the d field: type of events that name none ("" none) */
	char *body;           /* malloc'd, NUL-terminated (may hold NULs before len) */
	size_t len;
};

void mohaa_entries_free(struct mohaa_entry *e, size_t n);

/* Append one accepted request atomically (one Lua script): when request
 * `request_id` (unique per request, e.g. 32 random hex digits) already
 * stored its entry, return that entry; when the backlog (XLEN) is at least
 * `backlog_max`, count `events` as shed and append nothing; else XADD,
 * remember the id under the request for 60 s and count the events as
 * ingested. Returns 1 (stored: its id in id_out), 0 (shed), -1 (Redis
 * unreachable or an error reply: the caller may retry with the same
 * request_id, which can neither lose nor duplicate the entry). */
int mohaa_queue_add(struct kv *kv, int64_t server_id, const char *request_id,
		    const char *default_type, const char *body, size_t len, int events,
		    long long backlog_max, char *id_out, size_t idlen);

/* Is Redis configured so that a reply to XADD means the entry is on disk
 * (appendonly yes, appendfsync always)? 1 yes, 0 no, -1 unknown (CONFIG
 * refused or Redis unreachable). */
int mohaa_queue_durable(struct kv *kv);

/* Create the consumer group at the start of the stream (and the stream),
 * if missing. Returns 0 or -1. */
int mohaa_queue_group(struct kv *kv);

/* Read up to `count` new entries for `consumer` (XREADGROUP ... >),
 * waiting up to block_ms when there are none (0: do not wait). Returns how
 * many (entries in *out, caller frees with mohaa_entries_free), or -1. */
int mohaa_queue_read(struct kv *kv, const char *consumer, int count, int block_ms,
		     struct mohaa_entry **out);

/* Take over up to `count` entries delivered to any consumer and not
 * acknowledged for at least min_idle_ms (XAUTOCLAIM from *cursor, "0-0" to
 * start; the next cursor is written back, "0-0" when the scan is done).
 * Returns how many, or -1. */
int mohaa_queue_claim(struct kv *kv, const char *consumer, long long min_idle_ms, int count,
		      char *cursor, size_t cursor_len, struct mohaa_entry **out);

/* Acknowledge and delete the n entries (one script, atomic). 0 or -1. */
int mohaa_queue_ack(struct kv *kv, const struct mohaa_entry *e, size_t n);

/* Entries waiting (XLEN: appended, not yet written and deleted); -1 on error. */
long long mohaa_queue_depth(struct kv *kv);

/* The Unix ms of the oldest entry waiting (from its id), 0 when none, -1
 * on error. */
long long mohaa_queue_oldest_ms(struct kv *kv);

/* Entries delivered and not yet acknowledged (XPENDING summary); -1 on error. */
long long mohaa_queue_pending(struct kv *kv);

/* GET of a counter key; 0 when missing, -1 on error. */
long long mohaa_queue_counter(struct kv *kv, const char *key);

#endif
