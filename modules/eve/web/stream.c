/* stream.c: the eve module's rooms in gamewatch-stream (docs/realtime.md,
 * docs/eve.md "Live kills"), and the page worker's side of
 * /api/v1/killmails/stream.
 *
 *   killmails                the newest EVE_STREAM_KILLS killmails:
 *                            {"generated_at", "order": [ids, newest first],
 *                             "killmails": {"<id>": <killmail>, ...}}
 *   killmails:<space type>   the same, only kills in that space type
 *                            (kspace, jspace, pochven, zarzakh, abyssal,
 *                            other), taken from the newest EVE_LIVE_KILLS
 *
 * A killmail is the object of /api/v1/killmails/recent without its null
 * members (RFC 7396 patches cannot carry nulls). Documents are built from
 * gw:eve:recent at gw:eve:version (store/eve-live.h), read together in one
 * MULTI once per announced version per process; the version is the event
 * id. A new killmail is then a patch that adds its key and sends "order"
 * whole. */
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "log.h"
#include "modules/eve/domain/access.h"
#include "modules/eve/domain/eve.h"
#include "modules/eve/module.h"
#include "modules/eve/store/eve-live.h"
#include "modules/eve/web/web.h"
#include "platform/stream/jsondiff.h"
#include "platform/web/app.h"
#include "platform/web/req.h"

#define EVE_STREAM_KILLS 50

const char *const eve_stream_channels[] = { EVE_CHANNEL, NULL };

struct eve_stream {
	struct json_object *recent; /* gw:eve:recent as last read, owned */
	long long version;          /* its gw:eve:version */
	bool closed;                /* battle reports are not public: no rooms */
};

int eve_stream_init(struct gw_stream_env *env)
{
	struct eve_stream *st = calloc(1, sizeof *st);
	if (!st)
		abort();
	/* gamewatch-stream knows no sessions: the rooms exist only while
	 * anyone may read battle reports */
	st->closed = eve_policy(EVE_FEAT_REPORTS) != EVE_POLICY_PUBLIC;
	if (st->closed)
		log_info("eve: battle reports are not public: no killmail rooms on the stream server");
	env->state = st;
	return 0;
}

void eve_stream_free(struct gw_stream_env *env)
{
	struct eve_stream *st = env->state;
	if (!st)
		return;
	json_object_put(st->recent);
	free(st);
	env->state = NULL;
}

int eve_stream_room(const char *room)
{
	if (!strncmp(room, "killmails", 9) && (!room[9] || room[9] == ':')) {
		if (!room[9])
			return 1;
		return eve_space_parse(room + 10) == EVE_SPACE_UNKNOWN ? -1 : 1;
	}
	return 0;
}

/* Read gw:eve:recent and gw:eve:version in one transaction. 1 when a new
 * version was loaded, 0 when unchanged, -1 on error or nothing yet. */
static int fetch(struct gw_stream_env *env)
{
	struct eve_stream *st = env->state;
	return kv_get_versioned_json(env->kv, EVE_KEY_RECENT, EVE_KEY_VERSION, &st->recent,
				     &st->version);
}

int eve_stream_message(struct gw_stream_env *env, const char *channel, const char *payload,
		       size_t len)
{
	struct eve_stream *st = env->state;
	(void)len;
	if (st->closed)
		return 0;
	if (channel && payload) {
		struct json_object *m = json_tokener_parse(payload), *v;
		long long n = 0;
		if (m && json_object_object_get_ex(m, "version", &v))
			n = json_object_get_int64(v);
		json_object_put(m);
		if (n && n == st->version && st->recent)
			return 0;
	}
	return fetch(env) == 1;
}

struct json_object *eve_room_doc(struct json_object *recent, const char *room)
{
	struct json_object *doc, *order, *byid, *list, *v;
	const char *space = NULL;
	size_t i, n;
	if (eve_stream_room(room) != 1)
		return NULL;
	if (room[9] == ':')
		space = room + 10;
	doc = json_object_new_object();
	order = json_object_new_array();
	byid = json_object_new_object();
	if (json_object_object_get_ex(recent, "generated_at", &v) && json_object_is_type(v, json_type_string))
		json_object_object_add(doc, "generated_at", json_object_get(v));
	if (json_object_object_get_ex(recent, "killmails", &list) && json_object_is_type(list, json_type_array)) {
		n = json_object_array_length(list);
		for (i = 0; i < n && json_object_array_length(order) < EVE_STREAM_KILLS; i++) {
			struct json_object *k = json_object_array_get_idx(list, i), *id, *sp;
			const char *ids;
			if (!json_object_object_get_ex(k, "killmail_id", &id) ||
			    !json_object_is_type(id, json_type_string))
				continue;
			ids = json_object_get_string(id);
			if (space && !(json_object_object_get_ex(k, "space_type", &sp) &&
				       json_object_is_type(sp, json_type_string) &&
				       !strcmp(json_object_get_string(sp), space)))
				continue;
			if (json_object_object_get_ex(byid, ids, NULL))
				continue;
			json_object_array_add(order, json_object_new_string(ids));
			json_object_object_add(byid, ids, json_strip_nulls(k));
		}
	}
	json_object_object_add(doc, "order", order);
	json_object_object_add(doc, "killmails", byid);
	return doc;
}

struct json_object *eve_stream_build(struct gw_stream_env *env, const char *room,
				     long long *version)
{
	struct eve_stream *st = env->state;
	if (st->closed)
		return NULL;
	if (!st->recent && fetch(env) < 0)
		return NULL;
	*version = st->version;
	return eve_room_doc(st->recent, room);
}

/* GET /api/v1/killmails/stream[?space_type=T]: the page workers hold no
 * streams. The row's access rule has passed; send the client to the room
 * on gamewatch-stream (307 keeps the method; EventSource follows it). */
void api_eve_stream(struct app *app, struct req *r)
{
	const char *space = req_param(r, "space_type");
	struct buf loc = BUF_INIT;
	if (space && *space && eve_space_parse(space) == EVE_SPACE_UNKNOWN) {
		app_error(app, r, 400, "bad request",
			  "space_type must be kspace, pochven, zarzakh, jspace, abyssal or other");
		return;
	}
	if (eve_policy(EVE_FEAT_REPORTS) != EVE_POLICY_PUBLIC) {
		app_error(app, r, 503, "stream unavailable",
			  "The live stream serves public battle reports only (EVE_BATTLE_REPORTS_ACCESS="
			  "public); poll /api/v1/killmails/recent?since=TIME instead.");
		return;
	}
	buf_addstr(&loc, "/api/v1/stream/rooms/killmails");
	if (space && *space) {
		buf_addch(&loc, ':');
		buf_addstr(&loc, space); /* a known token: letters only */
	}
	req_redirect(r, 307, loc.data);
	buf_release(&loc);
}
