/* queue.c: the ingest queue on a Redis stream (queue.h). */
#include "modules/mohaa/store/queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "kv.h"
#include "log.h"

/* KEYS: stream, ingested, shed, shed_requests, the request's key; ARGV:
 * backlog_max, server id, body, events, default type. Returns the entry id
 * (a new one, or the one this request stored before), or nil when shed. */
static const char add_script[] =
	"local done = redis.call('GET', KEYS[5])\n"
	"if done then return done end\n"
	"if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then\n"
	"  redis.call('INCRBY', KEYS[3], ARGV[4])\n"
	"  redis.call('INCR', KEYS[4])\n"
	"  return false\n"
	"end\n"
	"local id = redis.call('XADD', KEYS[1], '*', 's', ARGV[2], 'n', ARGV[4], 'd', ARGV[5],"
	" 'b', ARGV[3])\n"
	"redis.call('SET', KEYS[5], id, 'EX', 60)\n"
	"redis.call('INCRBY', KEYS[2], ARGV[4])\n"
	"return id\n";

/* KEYS: stream; ARGV: group, ids... */
static const char ack_script[] =
	"local ids = {}\n"
	"for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end\n"
	"redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))\n"
	"return redis.call('XDEL', KEYS[1], unpack(ids))\n";

static char add_sha[41], ack_sha[41];

/* EVALSHA, loading the script on NOSCRIPT. argv[0] is replaced. */
static redisReply *eval(struct kv *kv, const char *script, char *sha, int argc,
			const char **argv, size_t *lens)
{
	redisReply *r;
	if (*sha) {
		argv[0] = "EVALSHA";
		argv[1] = sha;
		lens[0] = 7;
		lens[1] = 40;
		r = kv_cmd(kv, argc, argv, lens);
		if (!r || r->type != REDIS_REPLY_ERROR || strncmp(r->str, "NOSCRIPT", 8))
			return r;
		freeReplyObject(r);
	}
	{
		const char *load[3] = { "SCRIPT", "LOAD", script };
		r = kv_cmd(kv, 3, load, NULL);
	}
	if (!r)
		return NULL;
	if (r->type != REDIS_REPLY_STRING || r->len != 40) {
		log_error("redis SCRIPT LOAD failed: %s", r->type == REDIS_REPLY_ERROR ? r->str : "?");
		freeReplyObject(r);
		return NULL;
	}
	memcpy(sha, r->str, 40);
	sha[40] = '\0';
	freeReplyObject(r);
	argv[0] = "EVALSHA";
	argv[1] = sha;
	lens[0] = 7;
	lens[1] = 40;
	return kv_cmd(kv, argc, argv, lens);
}

int mohaa_queue_add(struct kv *kv, int64_t server_id, const char *request_id,
		    const char *default_type, const char *body, size_t len, int events,
		    long long backlog_max, char *id_out, size_t idlen)
{
	char max[24], sid[24], nev[16], rkey[96];
	const char *argv[13];
	size_t lens[13];
	redisReply *r;
	int ret = -1;

	snprintf(max, sizeof max, "%lld", backlog_max);
	snprintf(sid, sizeof sid, "%lld", (long long)server_id);
	snprintf(nev, sizeof nev, "%d", events);
	snprintf(rkey, sizeof rkey, "gw:mohaa:req:%s", request_id);
	argv[2] = "5";
	argv[3] = MOHAA_STREAM;
	argv[4] = MOHAA_KEY_INGESTED;
	argv[5] = MOHAA_KEY_SHED;
	argv[6] = MOHAA_KEY_SHED_REQUESTS;
	argv[7] = rkey;
	argv[8] = max;
	argv[9] = sid;
	argv[10] = body;
	argv[11] = nev;
	argv[12] = default_type ? default_type : "";
	for (int i = 2; i < 13; i++)
		lens[i] = strlen(argv[i]);
	lens[10] = len;
	r = eval(kv, add_script, add_sha, 13, argv, lens);
	if (!r)
		return -1;
	if (r->type == REDIS_REPLY_NIL) {
		ret = 0;
	} else if (r->type == REDIS_REPLY_STRING) {
		snprintf(id_out, idlen, "%.*s", (int)r->len, r->str);
		ret = 1;
	} else {
		log_error("redis: appending to %s failed: %s", MOHAA_STREAM,
			  r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
	}
	freeReplyObject(r);
	return ret;
}

int mohaa_queue_durable(struct kv *kv)
{
	const char *a1[3] = { "CONFIG", "GET", "appendonly" };
	const char *a2[3] = { "CONFIG", "GET", "appendfsync" };
	redisReply *r1 = kv_cmd(kv, 3, a1, NULL), *r2 = r1 ? kv_cmd(kv, 3, a2, NULL) : NULL;
	int ret = -1;
	if (r1 && r2 && r1->type == REDIS_REPLY_ARRAY && r1->elements == 2 &&
	    r2->type == REDIS_REPLY_ARRAY && r2->elements == 2)
		ret = !strcmp(r1->element[1]->str, "yes") && !strcmp(r2->element[1]->str, "always");
	if (r1)
		freeReplyObject(r1);
	if (r2)
		freeReplyObject(r2);
	return ret;
}

int mohaa_queue_group(struct kv *kv)
{
	const char *argv[] = { "XGROUP", "CREATE", MOHAA_STREAM, MOHAA_GROUP, "0", "MKSTREAM" };
	redisReply *r = kv_cmd(kv, 6, argv, NULL);
	int ret = 0;
	if (!r)
		return -1;
	if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9)) {
		log_error("redis XGROUP CREATE %s failed: %s", MOHAA_STREAM, r->str);
		ret = -1;
	}
	freeReplyObject(r);
	return ret;
}

void mohaa_entries_free(struct mohaa_entry *e, size_t n)
{
	size_t i;
	for (i = 0; e && i < n; i++)
		free(e[i].body);
	free(e);
}

/* Entries of an array of [id, [field, value, ...]] into *out; returns the
 * count. Deleted entries (nil fields) are skipped. */
static int entries_of(const redisReply *arr, struct mohaa_entry **out)
{
	struct mohaa_entry *e;
	size_t i, k, n = 0;
	*out = NULL;
	if (!arr || arr->type != REDIS_REPLY_ARRAY || !arr->elements)
		return 0;
	e = calloc(arr->elements, sizeof *e);
	if (!e)
		abort();
	for (i = 0; i < arr->elements; i++) {
		const redisReply *it = arr->element[i], *f;
		struct mohaa_entry *x = &e[n];
		if (it->type != REDIS_REPLY_ARRAY || it->elements != 2 ||
		    it->element[0]->type != REDIS_REPLY_STRING)
			continue;
		f = it->element[1];
		snprintf(x->id, sizeof x->id, "%.*s", (int)it->element[0]->len, it->element[0]->str);
		x->received_ms = strtoll(x->id, NULL, 10);
		if (f->type != REDIS_REPLY_ARRAY)
			continue; /* deleted meanwhile */
		for (k = 0; k + 1 < f->elements; k += 2) {
			const redisReply *key = f->element[k], *val = f->element[k + 1];
			if (key->type != REDIS_REPLY_STRING || val->type != REDIS_REPLY_STRING)
				continue;
			if (key->len == 1 && key->str[0] == 'd') {
				snprintf(x->default_type, sizeof x->default_type, "%.*s", (int)val->len,
					 val->str);
			} else if (key->len == 1 && key->str[0] == 's') {
				x->server_id = strtoll(val->str, NULL, 10);
			} else if (key->len == 1 && key->str[0] == 'b') {
				x->body = malloc(val->len + 1);
				if (!x->body)
					abort();
				memcpy(x->body, val->str, val->len);
				x->body[val->len] = '\0';
				x->len = val->len;
			}
		}
		if (!x->body) {
			x->body = strdup("");
			if (!x->body)
				abort();
		}
		n++;
	}
	*out = e;
	return (int)n;
}

int mohaa_queue_read(struct kv *kv, const char *consumer, int count, int block_ms,
		     struct mohaa_entry **out)
{
	char cnt[16], blk[16];
	/* 6 + BLOCK ms + STREAMS key id = 11 */
	const char *argv[11] = { "XREADGROUP", "GROUP", MOHAA_GROUP, consumer, "COUNT", cnt };
	redisReply *r;
	int argc = 6, n;
	snprintf(cnt, sizeof cnt, "%d", count);
	if (block_ms > 0) {
		snprintf(blk, sizeof blk, "%d", block_ms);
		argv[argc++] = "BLOCK";
		argv[argc++] = blk;
	}
	argv[argc++] = "STREAMS";
	argv[argc++] = MOHAA_STREAM;
	argv[argc++] = ">";
	*out = NULL;
	r = kv_cmd(kv, argc, argv, NULL);
	if (!r)
		return -1;
	if (r->type == REDIS_REPLY_ERROR) {
		log_error("redis XREADGROUP failed: %s", r->str);
		freeReplyObject(r);
		return -1;
	}
	n = 0;
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
	    r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements == 2)
		n = entries_of(r->element[0]->element[1], out);
	freeReplyObject(r);
	return n;
}

int mohaa_queue_claim(struct kv *kv, const char *consumer, long long min_idle_ms, int count,
		      char *cursor, size_t cursor_len, struct mohaa_entry **out)
{
	char idle[24], cnt[16];
	const char *argv[] = { "XAUTOCLAIM", MOHAA_STREAM, MOHAA_GROUP, consumer, idle, cursor,
			       "COUNT", cnt };
	redisReply *r;
	int n = 0;
	snprintf(idle, sizeof idle, "%lld", min_idle_ms);
	snprintf(cnt, sizeof cnt, "%d", count);
	*out = NULL;
	r = kv_cmd(kv, 8, argv, NULL);
	if (!r)
		return -1;
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING) {
		log_error("redis XAUTOCLAIM failed: %s", r->type == REDIS_REPLY_ERROR ? r->str : "?");
		freeReplyObject(r);
		return -1;
	}
	snprintf(cursor, cursor_len, "%.*s", (int)r->element[0]->len, r->element[0]->str);
	n = entries_of(r->element[1], out);
	freeReplyObject(r);
	return n;
}

int mohaa_queue_ack(struct kv *kv, const struct mohaa_entry *e, size_t n)
{
	const char **argv;
	size_t *lens, i;
	redisReply *r;
	int ret = -1;
	if (!n)
		return 0;
	argv = calloc(n + 5, sizeof *argv);
	lens = calloc(n + 5, sizeof *lens);
	if (!argv || !lens)
		abort();
	argv[2] = "1";
	argv[3] = MOHAA_STREAM;
	argv[4] = MOHAA_GROUP;
	for (i = 0; i < n; i++)
		argv[5 + i] = e[i].id;
	for (i = 2; i < n + 5; i++)
		lens[i] = strlen(argv[i]);
	r = eval(kv, ack_script, ack_sha, (int)n + 5, argv, lens);
	if (r && r->type == REDIS_REPLY_INTEGER)
		ret = 0;
	else if (r)
		log_error("redis: acknowledging entries failed: %s",
			  r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
	if (r)
		freeReplyObject(r);
	free(argv);
	free(lens);
	return ret;
}

static long long int_reply(struct kv *kv, int argc, const char **argv)
{
	redisReply *r = kv_cmd(kv, argc, argv, NULL);
	long long v = -1;
	if (!r)
		return -1;
	if (r->type == REDIS_REPLY_INTEGER)
		v = r->integer;
	else if (r->type == REDIS_REPLY_STRING)
		v = strtoll(r->str, NULL, 10);
	else if (r->type == REDIS_REPLY_NIL)
		v = 0;
	else if (r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
		 r->element[0]->type == REDIS_REPLY_INTEGER)
		v = r->element[0]->integer; /* XPENDING summary: count first */
	else if (r->type == REDIS_REPLY_ERROR && strstr(r->str, "NOGROUP"))
		v = 0;
	freeReplyObject(r);
	return v;
}

long long mohaa_queue_depth(struct kv *kv)
{
	const char *argv[] = { "XLEN", MOHAA_STREAM };
	return int_reply(kv, 2, argv);
}

long long mohaa_queue_pending(struct kv *kv)
{
	const char *argv[] = { "XPENDING", MOHAA_STREAM, MOHAA_GROUP };
	return int_reply(kv, 3, argv);
}

long long mohaa_queue_counter(struct kv *kv, const char *key)
{
	const char *argv[] = { "GET", key };
	return int_reply(kv, 2, argv);
}

long long mohaa_queue_oldest_ms(struct kv *kv)
{
	const char *argv[] = { "XRANGE", MOHAA_STREAM, "-", "+", "COUNT", "1" };
	redisReply *r = kv_cmd(kv, 6, argv, NULL);
	long long v = -1;
	if (!r)
		return -1;
	if (r->type == REDIS_REPLY_ARRAY)
		v = r->elements && r->element[0]->type == REDIS_REPLY_ARRAY &&
		    r->element[0]->elements >= 1 && r->element[0]->element[0]->type == REDIS_REPLY_STRING
			    ? strtoll(r->element[0]->element[0]->str, NULL, 10) : 0;
	freeReplyObject(r);
	return v;
}
