/* kv.c: hiredis connection handling. */
#include "kv.h"
#include "log.h"

#include <poll.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..n) (RFC 3986 section 2.1) into a malloc'd string.
 * NULL on a malformed escape, an encoded NUL, or out of memory. */
static char *pct_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	size_t i;
	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (n - i < 3)
			goto bad;
		hi = hexval(s[i + 1]);
		lo = hexval(s[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			goto bad;
		*o++ = (char)(hi << 4 | lo);
		i += 2;
	}
	*o = 0;
	return out;
bad:
	explicit_bzero(out, n + 1);
	free(out);
	return NULL;
}

/* Wipe and free a secret. */
static void free_secret(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* The userinfo [p, at): USER:PASSWORD, :PASSWORD, or PASSWORD alone
 * (redis-cli's reading), percent-decoded into kv->user and kv->password. */
static int parse_userinfo(struct kv *kv, const char *p, const char *at)
{
	const char *colon = memchr(p, ':', (size_t)(at - p));
	if (colon) {
		if (colon > p && !(kv->user = pct_decode(p, (size_t)(colon - p))))
			return -1;
		kv->password = pct_decode(colon + 1, (size_t)(at - colon - 1));
	} else {
		kv->password = pct_decode(p, (size_t)(at - p));
	}
	return kv->password ? 0 : -1;
}

static int kv_parse_url(struct kv *kv, const char *url)
{
	const char *p, *at, *authority_end;
	kv->port = 6379;
	kv->dbnum = 0;
	kv->unix_socket = false;
	if (!strncmp(url, "unix://", 7)) {
		/* unix://[[USER]:PASSWORD@]/path[?db=N] */
		const char *path, *q;
		p = url + 7;
		at = *p == '/' ? NULL : strchr(p, '@'); /* a path may hold '@' */
		path = at ? at + 1 : p;
		if (*path != '/')
			return -1;
		if (at && parse_userinfo(kv, p, at) < 0)
			return -1;
		q = strstr(path, "?db=");
		kv->unix_socket = true;
		kv->host = strndup(path, q ? (size_t)(q - path) : strlen(path));
		if (q)
			kv->dbnum = atoi(q + 4);
		return kv->host && kv->host[1] ? 0 : -1;
	}
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
	authority_end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(authority_end - p));
	if (at) {
		if (parse_userinfo(kv, p, at) < 0)
			return -1;
		p = at + 1;
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

/* Run one set-up command (AUTH, SELECT) on a fresh connection. Returns 0, or
 * -1 with the server's error (or the connection error) in err. */
static int kv_setup_cmd(struct kv *kv, int argc, const char **argv, char *err, size_t errsz)
{
	redisReply *r = redisCommandArgv(kv->ctx, argc, argv, NULL);
	int ok = r && r->type != REDIS_REPLY_ERROR;
	if (!ok)
		snprintf(err, errsz, "%s", r ? r->str : kv->ctx->errstr[0] ? kv->ctx->errstr
									 : "connection lost");
	if (r)
		freeReplyObject(r);
	return ok ? 0 : -1;
}

static int kv_connect(struct kv *kv)
{
	struct timeval tv = { kv->timeout_ms / 1000, (kv->timeout_ms % 1000) * 1000 };
	char err[256];
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
	if (kv->password) {
		const char *with_user[] = { "AUTH", kv->user, kv->password };
		const char *pass_only[] = { "AUTH", kv->password };
		int rc = kv->user ? kv_setup_cmd(kv, 3, with_user, err, sizeof err)
				  : kv_setup_cmd(kv, 2, pass_only, err, sizeof err);
		if (rc < 0) {
			/* the server's words ("WRONGPASS invalid username-password
			 * pair ..."), never the password */
			log_error("redis at %s:%d refused AUTH%s%s: %s", kv->host, kv->port,
				  kv->user ? " as " : "", kv->user ? kv->user : "", err);
			redisFree(kv->ctx);
			kv->ctx = NULL;
			return -1;
		}
	}
	if (kv->dbnum) {
		char db[16];
		const char *argv[] = { "SELECT", db };
		snprintf(db, sizeof db, "%d", kv->dbnum);
		if (kv_setup_cmd(kv, 2, argv, err, sizeof err) < 0) {
			log_error("could not select redis database %d: %s", kv->dbnum, err);
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
	if (!url || !*url) {
		kv->off = true; /* REDIS_URL unset: Redis is not used at all */
		return KV_OFF;
	}
	if (kv_parse_url(kv, url) < 0) {
		/* the URL may hold a password: show only what follows the '@' */
		const char *at = strchr(url, '@');
		if (at)
			log_error("invalid REDIS_URL \"%s***@%s\" (expected "
				  "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or "
				  "unix://[[USER]:PASSWORD@]/path[?db=N])",
				  strncmp(url, "unix://", 7) ? "redis://" : "unix://", at + 1);
		else
			log_error("invalid REDIS_URL \"%s\" (expected "
				  "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or unix:/path[?db=N])", url);
		kv_close(kv);
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
	free(kv->user);
	kv->user = NULL;
	free_secret(kv->password);
	kv->password = NULL;
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

int kv_get_versioned_json(struct kv *kv, const char *key, const char *version_key,
			  struct json_object **doc, long long *version)
{
	const char *multi[] = { "MULTI" }, *exec[] = { "EXEC" }, *discard[] = { "DISCARD" };
	const char *getd[] = { "GET", key }, *getv[] = { "GET", version_key };
	const char **cmds[] = { multi, getd, getv };
	const int argc[] = { 1, 2, 2 };
	struct json_object *parsed;
	redisReply *r;
	long long v;
	int i, ok = 1;
	for (i = 0; i < 3 && ok; i++) {
		r = kv_cmd(kv, argc[i], cmds[i], NULL);
		ok = r && r->type != REDIS_REPLY_ERROR;
		if (r)
			freeReplyObject(r);
	}
	if (!ok) {
		if (i > 1 && (r = kv_cmd(kv, 1, discard, NULL)))
			freeReplyObject(r); /* MULTI was sent */
		return -1;
	}
	r = kv_cmd(kv, 1, exec, NULL);
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING) {
		if (r)
			freeReplyObject(r);
		return -1; /* a key is missing: nothing published yet */
	}
	v = strtoll(r->element[1]->str, NULL, 10);
	if (*doc && v == *version) {
		freeReplyObject(r);
		return 0;
	}
	parsed = v > 0 ? json_tokener_parse(r->element[0]->str) : NULL;
	freeReplyObject(r);
	if (!json_object_is_type(parsed, json_type_object)) {
		log_warn("%s is not a JSON object (or %s is not a positive number)", key, version_key);
		json_object_put(parsed);
		return -1;
	}
	json_object_put(*doc);
	*doc = parsed;
	*version = v;
	return 1;
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

bool kv_enabled(const struct kv *kv)
{
	return !kv->off;
}

int kv_read_messages(struct kv *kv,
		     void (*fn)(void *closure, const char *channel, const char *payload, size_t len),
		     void *closure)
{
	void *reply;
	int n = 0;
	if (!kv->ctx)
		return -1;
	if (redisBufferRead(kv->ctx) != REDIS_OK)
		goto lost;
	for (;;) {
		redisReply *r;
		reply = NULL;
		if (redisGetReplyFromReader(kv->ctx, &reply) != REDIS_OK)
			goto lost;
		if (!reply)
			break;
		r = reply;
		/* ["message", channel, payload] */
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
		    r->element[0]->type == REDIS_REPLY_STRING && !strcmp(r->element[0]->str, "message") &&
		    r->element[1]->type == REDIS_REPLY_STRING && r->element[2]->type == REDIS_REPLY_STRING) {
			fn(closure, r->element[1]->str, r->element[2]->str, r->element[2]->len);
			n++;
		}
		freeReplyObject(reply);
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
