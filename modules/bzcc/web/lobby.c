/* lobby.c: the BZCC module's per-worker current-lobby cache. */
#include "modules/bzcc/web/lobby.h"

#include <stdlib.h>
#include <string.h>

#include "gzip.h"
#include "log.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-store.h"
#include "platform/web/app.h"
#include "timeutil.h"

struct bzcc_web *bzcc_web(struct app *app)
{
	return app_module_state(app, &gw_module_bzcc);
}

static void lobby_cache_clear(struct lobby_cache *c)
{
	if (c->doc)
		json_object_put(c->doc);
	c->doc = NULL;
	c->version = 0;
	buf_reset(&c->json[0]);
	buf_reset(&c->json[1]);
	buf_reset(&c->gz[0]);
	buf_reset(&c->gz[1]);
}

int bzcc_worker_init(struct app *app, void **state)
{
	struct bzcc_web *w = calloc(1, sizeof *w);
	if (!w)
		return -1;
	w->lobby.dirty = true;
	buf_init(&w->lobby.json[0], 0);
	buf_init(&w->lobby.json[1], 0);
	buf_init(&w->lobby.gz[0], 0);
	buf_init(&w->lobby.gz[1], 0);
	if (kv_open(&w->sub, app->cfg.redis_url, 500) == 0)
		kv_subscribe(&w->sub, BZCC_CHANNEL);
	*state = w;
	return 0;
}

void bzcc_worker_free(struct app *app, void *state)
{
	struct bzcc_web *w = state;
	(void)app;
	if (!w)
		return;
	lobby_cache_clear(&w->lobby);
	buf_release(&w->lobby.json[0]);
	buf_release(&w->lobby.json[1]);
	buf_release(&w->lobby.gz[0]);
	buf_release(&w->lobby.gz[1]);
	kv_close(&w->sub);
	free(w);
}

/* The last successful poll a document (or poll status) knows of, ms; -1. */
static int64_t last_success_ms(struct json_object *doc_or_poll)
{
	struct json_object *poll = doc_or_poll, *ms;
	json_object_object_get_ex(doc_or_poll, "poll", &poll);
	if (!poll || !json_object_object_get_ex(poll, "last_success_ms", &ms) ||
	    !json_object_is_type(ms, json_type_int))
		return -1;
	return json_object_get_int64(ms);
}

/* Is the data stale: no successful poll within cfg.stale_after_s? */
static bool poll_stale(const struct app *app, struct json_object *doc)
{
	int64_t ms = last_success_ms(doc);
	return ms < 0 || time_now_ms() - ms > app->cfg.stale_after_s * 1000LL;
}

static bool redis_skipped(struct bzcc_web *w)
{
	return time_mono_ms() < w->redis_skip_until_ms;
}

/* A Redis call failed or timed out: leave Redis alone for a while. */
static void redis_failed(struct bzcc_web *w)
{
	w->redis_skip_until_ms = time_mono_ms() + BZCC_REDIS_RETRY_MS;
}

static void set_stale(struct json_object *doc, bool stale)
{
	struct json_object *poll;
	if (json_object_object_get_ex(doc, "poll", &poll) && json_object_is_type(poll, json_type_object))
		json_object_object_add(poll, "stale", json_object_new_boolean(stale));
	json_object_object_add(doc, "stale", json_object_new_boolean(stale));
}

/* Read the version counter; -1 when Redis is unavailable (or skipped
 * after a failure), 0 when unset. */
static long long lobby_version(struct app *app)
{
	const char *argv[] = { "GET", BZCC_KEY_VERSION };
	struct bzcc_web *w = bzcc_web(app);
	redisReply *rep;
	long long v = -1;
	if (redis_skipped(w))
		return -1;
	rep = kv_cmd(&app->kv, 2, argv, NULL);
	if (!rep) {
		redis_failed(w);
		return -1;
	}
	if (rep->type == REDIS_REPLY_STRING)
		v = atoll(rep->str);
	else if (rep->type == REDIS_REPLY_NIL)
		v = 0;
	freeReplyObject(rep);
	return v;
}

/* Has the cached lobby possibly changed? Reads pending change messages
 * without blocking; while the subscription is down (retried every 5 s) every
 * call must revalidate, and a silent subscription is trusted only
 * BZCC_LOBBY_TRUST_MS (a hung Redis publishes nothing and closes nothing). */
static bool lobby_maybe_changed(struct app *app)
{
	struct bzcc_web *w = bzcc_web(app);
	struct lobby_cache *c = &w->lobby;
	int64_t now = time_mono_ms();
	if (!w->sub.ctx && w->sub.host && now >= w->sub_retry_ms && !redis_skipped(w)) {
		w->sub_retry_ms = now + BZCC_REDIS_RETRY_MS;
		if (kv_ensure(&w->sub) == 0 && kv_subscribe(&w->sub, BZCC_CHANNEL) == 0)
			c->dirty = true; /* messages may have been missed meanwhile */
		else
			redis_failed(w);
	}
	if (!w->sub.ctx)
		return true;
	if (kv_poll_messages(&w->sub) != 0)
		c->dirty = true; /* messages arrived, or the connection was lost */
	return c->dirty || !c->version || now - c->checked_ms >= BZCC_LOBBY_TRUST_MS;
}

/* Replace the cached document. */
static void lobby_cache_set(struct lobby_cache *c, struct json_object *fresh, long long v)
{
	lobby_cache_clear(c);
	c->doc = fresh;
	c->version = v;
	c->checked_ms = time_mono_ms();
	c->pg_checked_ms = 0; /* a new copy is compared with PostgreSQL at once */
}

/* The cached document says stale: does PostgreSQL know a newer success
 * (Redis lagging or hung while polls succeed)? Then rebuild from it. Asked
 * at most once a second per worker. */
static void lobby_check_stale_against_pg(struct app *app, struct lobby_cache *c)
{
	struct json_object *st, *fresh;
	int64_t now = time_mono_ms();
	if (now - c->pg_checked_ms < 1000)
		return;
	c->pg_checked_ms = now;
	st = bzcc_store_poll_status(&app->db);
	if (!st)
		return;
	if (last_success_ms(st) > last_success_ms(c->doc)) {
		fresh = bzcc_store_current_doc(&app->db, time_now_ms());
			if (fresh) {
			log_warn("the cached lobby is older than the last successful poll: "
				 "serving it from PostgreSQL");
			if (c->version > 0)
				c->lagging_version = c->version;
			lobby_cache_set(c, fresh, 0);
			c->pg_checked_ms = now;
		}
	}
	json_object_put(st);
}

/* Without Redis: the document read from PostgreSQL is kept until a change
 * is announced on BZCC_PG_CHANNEL (LISTEN on the worker's own connection,
 * read without a round trip). While no LISTEN is in place (no connection
 * yet, or a new session since) every call reads PostgreSQL again. Returns 0,
 * or -1 when PostgreSQL did not answer. */
static int lobby_from_pg(struct app *app)
{
	struct bzcc_web *w = bzcc_web(app);
	struct lobby_cache *c = &w->lobby;
	struct json_object *fresh;
	bool listening = app->db.conn && w->listen_session && app->db.session == w->listen_session;

	if (c->doc && !c->dirty && listening && db_notifies(&app->db) == 0)
		return 0;
	/* LISTEN first, then read: a change committed after the read is
	 * announced to us; one committed before it is in what we read */
	if (!listening)
		w->listen_session = db_listen(&app->db, BZCC_PG_CHANNEL) == 0 ? app->db.session : 0;
	if (w->listen_session)
		db_notifies(&app->db);
	fresh = bzcc_store_current_doc(&app->db, time_now_ms());
	if (!fresh)
		return -1;
	lobby_cache_set(c, fresh, 0);
	c->dirty = !w->listen_session || app->db.session != w->listen_session;
	return 0;
}

int bzcc_current_lobby(struct app *app, struct json_object **doc, const struct buf **json)
{
	struct bzcc_web *w = bzcc_web(app);
	struct lobby_cache *c = &w->lobby;
	long long v = c->version;
	bool stale;

	if (!kv_enabled(&app->kv)) {
		/* no Redis: the document is PostgreSQL's own, kept until NOTIFY */
		if (lobby_from_pg(app) < 0)
			return -1;
		goto serve;
	}
	if (lobby_maybe_changed(app)) {
		v = lobby_version(app);
		if (v > 0 && v == c->lagging_version)
			v = -1; /* Redis still holds what PostgreSQL has overtaken */
		if (v > 0 && v == c->version)
			c->checked_ms = time_mono_ms();
	}
	/* Redis unavailable but a document from PostgreSQL is recent enough
	 * and no change was announced since it was built */
	if (v < 0 && c->doc && !c->version && !c->dirty &&
	    time_mono_ms() - c->checked_ms < BZCC_LOBBY_PG_REUSE_MS)
		v = 0;
	else if (v <= 0 || v != c->version) {
		struct json_object *fresh = NULL;
		if (v > 0) {
			struct buf raw = BUF_INIT;
			int got = kv_get(&app->kv, BZCC_KEY_CURRENT, &raw);
			if (got == 1)
				fresh = json_tokener_parse(raw.data);
			else if (got < 0)
				redis_failed(bzcc_web(app));
			buf_release(&raw);
		}
		if (!fresh) {
			/* Redis down, hung or empty: rebuild from the truth */
			fresh = bzcc_store_current_doc(&app->db, time_now_ms());
			v = 0;
			/* announcements after this point make it dirty again */
			if (fresh && bzcc_web(app)->sub.ctx)
				c->dirty = false;
		}
		if (!fresh)
			return -1;
		lobby_cache_set(c, fresh, v);
	}
	if (v > 0)
		c->dirty = false;
	if (poll_stale(app, c->doc))
		lobby_check_stale_against_pg(app, c);
serve:
	stale = poll_stale(app, c->doc);
	set_stale(c->doc, stale);
	c->stale = stale;
	if (!c->json[stale].len) {
		size_t len;
		const char *s = json_object_to_json_string_length(c->doc, JSON_C_TO_STRING_PLAIN, &len);
		buf_add(&c->json[stale], s, len);
	}
	*doc = c->doc;
	*json = &c->json[stale];
	return 0;
}

const struct buf *bzcc_current_lobby_gzip(struct app *app)
{
	struct bzcc_web *w = bzcc_web(app);
	struct lobby_cache *c = &w->lobby;
	int i = c->stale;
	if (!c->gz[i].len && gzip_compress(c->json[i].data, c->json[i].len, 6, &c->gz[i]) < 0)
		return NULL;
	return &c->gz[i];
}

