/* kv.h: a thin layer over hiredis (0.14 on Debian 12) for caches, pub/sub
 * and poll state. Redis holds only what can be rebuilt from PostgreSQL.
 *
 * Redis is optional: opened with no URL (REDIS_URL unset, as on a shared
 * host) a struct kv is "off": kv_enabled() is false, every command returns
 * NULL at once without logging, kv_ping() is false. Callers treat that like
 * a Redis that is down, minus the error logs: caches are skipped and the
 * data comes from PostgreSQL (docs/ARCHITECTURE.md, "Without Redis").
 *
 * Ownership (hiredis): every redisReply returned here is the caller's and is
 * freed with freeReplyObject(), which frees nested replies too. A struct kv
 * is not thread-safe (one per process). */
#ifndef GW_KV_H
#define GW_KV_H

#include <hiredis.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

struct json_object;

struct kv {
	redisContext *ctx; /* NULL while disconnected */
	char *host;        /* malloc'd; a path when unix_socket */
	int port;
	int dbnum;
	bool unix_socket;
	int timeout_ms;    /* connect and command timeout */
	char *user;        /* malloc'd ACL user name for AUTH, or NULL */
	char *password;    /* malloc'd AUTH password, or NULL (never logged) */
	bool off;          /* opened without a URL: Redis is not used (kv_enabled() false) */
};

/* kv_open()'s answer when the URL is NULL or empty: Redis is off. */
#define KV_OFF 1

/* Parse `url` and connect with a timeout (timeout_ms for connect and each
 * command). Accepted forms (the "redis" URI scheme as redis-cli -u reads it):
 *   redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]   PORT 1..65535 (default
 *       6379), DB a number (default 0); USER and PASSWORD are
 *       percent-decoded (RFC 3986 userinfo); "redis://PASSWORD@HOST" (no
 *       colon) is a password alone, as redis-cli reads it
 *   unix:/path[?db=N]                            no authentication
 *   unix://[[USER]:PASSWORD@]/path[?db=N]        a unix socket with AUTH
 *       (redis-py's form; USER and PASSWORD percent-decoded as above)
 * With a password, every (re)connection sends AUTH [USER] PASSWORD, then
 * SELECT DB when DB is not 0. The password is never logged (errors name the
 * host, never the userinfo) and is wiped on kv_close(). Returns 0, or -1
 * (logged) when the URL is invalid, the first connection fails or the server
 * refuses the password (then kv_ensure() retries later, unless the URL was
 * invalid). A server that wants a password given none connects; its
 * commands then fail (NOAUTH error replies, kv_ping() false). */
int kv_open(struct kv *kv, const char *url, int timeout_ms);
/* (url NULL or "": no connection is made, nothing is logged, and kv_open
 * returns KV_OFF; the struct is then "off" for good.) */

/* Is Redis in use at all (false only for a struct opened with no URL)? A
 * struct that is enabled may still be disconnected. */
bool kv_enabled(const struct kv *kv);

/* Reconnect when the connection is down. Returns 0 or -1 (logged once per
 * failure). */
int kv_ensure(struct kv *kv);

/* Close and free (the password is wiped first). */
void kv_close(struct kv *kv);

/* Run a command given as argv (binary-safe: lens may be NULL for C strings).
 * Returns the reply (caller frees it) or NULL on a connection error, after
 * which the connection is dropped so the next call reconnects. A Redis error
 * reply (REDIS_REPLY_ERROR) is returned as a reply, not NULL. */
redisReply *kv_cmd(struct kv *kv, int argc, const char **argv, const size_t *lens);

/* GET key into `out` (replacing its contents). Returns 1 when found, 0 when
 * the key does not exist, -1 on error. */
int kv_get(struct kv *kv, const char *key, struct buf *out);

/* A JSON document and its version counter read together (MULTI, GET key,
 * GET version_key, EXEC), as the live stream rooms publish them. *doc is
 * the caller's copy (NULL: none yet; the caller releases it with
 * json_object_put) and *version its version. When *doc is NULL or the
 * stored version differs, the document is parsed; it must be a JSON object
 * and the version (read with strtoll) positive. Returns 1 after replacing
 * *doc (the old one released) and *version; 0 when the stored version is
 * *version (nothing read into *doc); -1, leaving both as they were, on a
 * Redis error, when either key is missing (nothing published yet), or when
 * the document or version is malformed (logged as a warning). */
int kv_get_versioned_json(struct kv *kv, const char *key, const char *version_key,
			  struct json_object **doc, long long *version);

/* Turn `kv` into a subscriber of `channel` (SUBSCRIBE, confirmation read).
 * A subscribed connection must only be used with kv_poll_messages(). Returns
 * 0, or -1 (logged) when the connection or the subscription fails. */
int kv_subscribe(struct kv *kv, const char *channel);

/* Without blocking, read every message that has arrived on a subscribed
 * connection and discard it. Returns how many arrived (0 when none), or -1
 * when the connection is lost (it is then closed; subscribe again later,
 * and assume messages were missed). */
int kv_poll_messages(struct kv *kv);

/* Like kv_poll_messages(), but hands each pub/sub message to
 * fn(closure, channel, payload, payload_len) (borrowed for the call; other
 * replies, such as subscription confirmations, are skipped). Reads what
 * one read(2) returns, so an event loop calls it again while the socket
 * stays readable. Returns the number of messages, or -1 when the
 * connection is lost (then closed, as kv_poll_messages). */
int kv_read_messages(struct kv *kv,
		     void (*fn)(void *closure, const char *channel, const char *payload, size_t len),
		     void *closure);

/* Is the server reachable right now (PING)? */
bool kv_ping(struct kv *kv);

#endif
