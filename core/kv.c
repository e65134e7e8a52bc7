/* kv.c: hiredis connection handling. */
#include "kv.h"
#include "log.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static int kv_parse_url(struct kv *kv, const char *url)
{
	const char *p;
	kv->port = 6379;
	kv->dbnum = 0;
	kv->unix_socket = false;
	if (!strncmp(url, "unix:", 5)) {
		const char *q = strstr(url, "?db=");
		size_t n = q ? (size_t)(q - url - 5) : strlen(url + 5);
		kv->unix_socket = true;
		kv->host = strndup(url + 5, n);
		if (q)
			kv->dbnum = atoi(q + 4);
		return kv->host && *kv->host ? 0 : -1;
	}
	if (strncmp(url, "redis://", 8))
		return -1;
	p = url + 8;
	{
		const char *at = strchr(p, '@');
		if (at)
			p = at + 1; /* AUTH is not used on loopback deployments */
	}
	{
		size_t hl = strcspn(p, ":/");
		kv->host = strndup(p, hl);
		if (!kv->host || !hl)
			return -1;
		p += hl;
	}
	if (*p == ':') {
		char *end;
		long port = strtol(p + 1, &end, 10);
		if (port <= 0 || port > 65535)
			return -1;
		kv->port = (int)port;
		p = end;
	}
	if (*p == '/' && p[1])
		kv->dbnum = atoi(p + 1);
	return 0;
}

static int kv_connect(struct kv *kv)
{
	struct timeval tv = { kv->timeout_ms / 1000, (kv->timeout_ms % 1000) * 1000 };
	if (kv->ctx)
		redisFree(kv->ctx);
	kv->ctx = kv->unix_socket ? redisConnectUnixWithTimeout(kv->host, tv)
				  : redisConnectWithTimeout(kv->host, kv->port, tv);
	if (!kv->ctx || kv->ctx->err) {
		log_error("could not connect to redis at %s:%d: %s", kv->host,
			  kv->port, kv->ctx ? kv->ctx->errstr : "out of memory");
		if (kv->ctx)
			redisFree(kv->ctx);
		kv->ctx = NULL;
		return -1;
	}
	redisSetTimeout(kv->ctx, tv);
	if (kv->dbnum) {
		redisReply *r = redisCommand(kv->ctx, "SELECT %d", kv->dbnum);
		int bad = !r || r->type == REDIS_REPLY_ERROR;
		if (r)
			freeReplyObject(r);
		if (bad) {
			log_error("could not select redis database %d", kv->dbnum);
			redisFree(kv->ctx);
			kv->ctx = NULL;
			return -1;
		}
	}
	return 0;
}

int kv_open(struct kv *kv, const char *url, int timeout_ms)
{
	memset(kv, 0, sizeof *kv);
	kv->timeout_ms = timeout_ms > 0 ? timeout_ms : 1000;
	if (kv_parse_url(kv, url) < 0) {
		log_error("invalid REDIS_URL \"%s\"", url);
		free(kv->host);
		kv->host = NULL;
		return -1;
	}
	return kv_connect(kv);
}

int kv_ensure(struct kv *kv)
{
	if (!kv->host)
		return -1;
	if (kv->ctx && !kv->ctx->err)
		return 0;
	return kv_connect(kv);
}

void kv_close(struct kv *kv)
{
	if (kv->ctx)
		redisFree(kv->ctx);
	kv->ctx = NULL;
	free(kv->host);
	kv->host = NULL;
}

redisReply *kv_cmd(struct kv *kv, int argc, const char **argv, const size_t *lens)
{
	redisReply *r;
	if (kv_ensure(kv) < 0)
		return NULL;
	r = redisCommandArgv(kv->ctx, argc, argv, lens);
	if (!r) {
		log_error("redis command %s failed: %s", argv[0],
			  kv->ctx->errstr[0] ? kv->ctx->errstr : "connection lost");
		redisFree(kv->ctx);
		kv->ctx = NULL;
	}
	return r;
}

int kv_get(struct kv *kv, const char *key, struct buf *out)
{
	const char *argv[] = { "GET", key };
	redisReply *r = kv_cmd(kv, 2, argv, NULL);
	int ret;
	if (!r)
		return -1;
	buf_reset(out);
	if (r->type == REDIS_REPLY_STRING) {
		buf_add(out, r->str, r->len);
		ret = 1;
	} else {
		ret = r->type == REDIS_REPLY_NIL ? 0 : -1;
	}
	freeReplyObject(r);
	return ret;
}

int kv_subscribe(struct kv *kv, const char *channel)
{
	const char *argv[] = { "SUBSCRIBE", channel };
	redisReply *r = kv_cmd(kv, 2, argv, NULL);
	int ok = r && r->type == REDIS_REPLY_ARRAY;
	if (r)
		freeReplyObject(r);
	if (!ok) {
		log_error("could not subscribe to %s", channel);
		if (kv->ctx)
			redisFree(kv->ctx);
		kv->ctx = NULL;
		return -1;
	}
	return 0;
}

int kv_poll_messages(struct kv *kv)
{
	struct pollfd pfd;
	void *reply;
	int n = 0;
	if (!kv->ctx)
		return -1;
	pfd.fd = kv->ctx->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	/* readable: either messages or EOF/error */
	if (redisBufferRead(kv->ctx) != REDIS_OK)
		goto lost;
	for (;;) {
		reply = NULL;
		if (redisGetReplyFromReader(kv->ctx, &reply) != REDIS_OK)
			goto lost;
		if (!reply)
			break;
		freeReplyObject(reply);
		n++;
	}
	return n;
lost:
	redisFree(kv->ctx);
	kv->ctx = NULL;
	return -1;
}

bool kv_ping(struct kv *kv)
{
	const char *argv[] = { "PING" };
	redisReply *r = kv_cmd(kv, 1, argv, NULL);
	bool ok = r && r->type != REDIS_REPLY_ERROR;
	if (r)
		freeReplyObject(r);
	return ok;
}
