/* eve-live.c: the live kill feed in Redis (eve-live.h). */
#include "modules/eve/store/eve-live.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "log.h"
#include "modules/eve/store/eve-read.h"
#include "timeutil.h"

void eve_live_init(struct eve_live *l, const char *redis_url)
{
	memset(l, 0, sizeof *l);
	l->redis_url = redis_url;
}

void eve_live_close(struct eve_live *l)
{
	if (l->opened)
		kv_close(&l->kv);
	l->opened = false;
}

static int ensure(struct eve_live *l)
{
	if (!l->redis_url || !*l->redis_url)
		return -1;
	if (!l->opened) {
		if (kv_open(&l->kv, l->redis_url, 2000) < 0) {
			kv_close(&l->kv);
			return -1;
		}
		l->opened = true;
	}
	return kv_ensure(&l->kv);
}

/* A random start for gw:eve:version in [2^40, 2^52), so that a counter
 * Redis lost never names older content again, and JavaScript reads it
 * exactly. */
static long long version_seed(void)
{
	uint64_t r = 0;
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (uint64_t)time_now_ms() * 2654435761u ^ (uint64_t)getpid();
	return (long long)((1ULL << 40) + r % ((1ULL << 52) - (1ULL << 40)));
}

static bool reply_ok(redisReply *r)
{
	return r && r->type != REDIS_REPLY_ERROR;
}

long long eve_live_publish(struct eve_live *l, struct db *db)
{
	struct json_object *doc;
	const char *s;
	size_t len;
	char seed[32], iso[40], msg[96];
	long long version = -1;
	redisReply *r;
	int i;

	if (ensure(l) < 0) {
		if (!l->warned)
			log_warn("eve: Redis unavailable: the live feed is not published (the next"
				 " publish catches up)");
		l->warned = true;
		return -1;
	}
	l->warned = false;
	doc = eve_read_recent(db, NULL, 0, false, 0, 0, EVE_LIVE_KILLS);
	if (!doc) {
		log_warn("eve: the live feed could not be read from the database");
		return -1;
	}
	if (eve_read_add_names(db, doc) < 0)
		log_warn("eve: the live feed goes out without names (database)");
	json_object_object_del(doc, "next");
	json_object_object_add(doc, "generated_at",
			       json_object_new_string(time_iso8601(time_now_ms(), iso, sizeof iso)));
	s = json_object_to_json_string_length(doc, JSON_C_TO_STRING_PLAIN, &len);
	snprintf(seed, sizeof seed, "%lld", version_seed());
	{
		const char *multi[] = { "MULTI" };
		const char *set[] = { "SET", EVE_KEY_RECENT, s };
		size_t setl[] = { 3, sizeof EVE_KEY_RECENT - 1, len };
		const char *nx[] = { "SET", EVE_KEY_VERSION, seed, "NX" };
		const char *incr[] = { "INCR", EVE_KEY_VERSION };
		const char *exec[] = { "EXEC" };
		const char **cmds[] = { multi, set, nx, incr };
		const size_t *lens[] = { NULL, setl, NULL, NULL };
		int argc[] = { 1, 3, 4, 2 };
		for (i = 0; i < 4; i++) {
			r = kv_cmd(&l->kv, argc[i], cmds[i], lens[i]);
			if (!reply_ok(r)) {
				if (r)
					freeReplyObject(r);
				if (i > 0) {
					const char *discard[] = { "DISCARD" };
					r = kv_cmd(&l->kv, 1, discard, NULL);
					if (r)
						freeReplyObject(r);
				}
				log_warn("eve: Redis refused the live feed");
				goto out;
			}
			freeReplyObject(r);
		}
		r = kv_cmd(&l->kv, 1, exec, NULL);
		if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
		    r->element[2]->type != REDIS_REPLY_INTEGER) {
			if (r)
				freeReplyObject(r);
			log_warn("eve: Redis refused the live feed");
			goto out;
		}
		version = r->element[2]->integer;
		freeReplyObject(r);
	}
	snprintf(msg, sizeof msg, "{\"type\":\"killmails\",\"version\":%lld}", version);
	{
		const char *pub[] = { "PUBLISH", EVE_CHANNEL, msg };
		r = kv_cmd(&l->kv, 3, pub, NULL);
		if (!reply_ok(r))
			log_warn("eve: the live feed's version %lld was not announced", version);
		if (r)
			freeReplyObject(r);
	}
out:
	json_object_put(doc);
	return version;
}

int eve_live_missing(struct eve_live *l)
{
	const char *exists[] = { "EXISTS", EVE_KEY_RECENT };
	redisReply *r;
	int ret;
	if (ensure(l) < 0)
		return -1;
	r = kv_cmd(&l->kv, 2, exists, NULL);
	if (!r || r->type != REDIS_REPLY_INTEGER) {
		if (r)
			freeReplyObject(r);
		return -1;
	}
	ret = r->integer == 0;
	freeReplyObject(r);
	return ret;
}
