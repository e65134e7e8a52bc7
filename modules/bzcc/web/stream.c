/* stream.c: the BZCC rooms of gamewatch-stream (stream.h). */
#include "modules/bzcc/web/stream.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "log.h"
#include "modules/bzcc/store/bzcc-store.h"
#include "platform/stream/jsondiff.h"

const char *const bzcc_stream_channels[] = { BZCC_CHANNEL, BZCC_CHANNEL_TEAM_PICKER, NULL };

struct bzcc_stream {
	struct json_object *lobby; /* gw:bzcc:current as last read, owned */
	long long version;         /* its gw:bzcc:version */
};

int bzcc_stream_init(struct gw_stream_env *env)
{
	struct bzcc_stream *st = calloc(1, sizeof *st);
	if (!st)
		abort();
	env->state = st;
	return 0;
}

void bzcc_stream_free(struct gw_stream_env *env)
{
	struct bzcc_stream *st = env->state;
	if (!st)
		return;
	if (st->lobby)
		json_object_put(st->lobby);
	free(st);
	env->state = NULL;
}

/* Session ids are "<source>:<16 hex digits>", "~N" appended for a revived
 * NAT id (store/bzcc-identity.c); accept their characters. */
static bool id_ok(const char *s, size_t max)
{
	size_t n = 0;
	for (; *s; s++, n++)
		if (!isalnum((unsigned char)*s) && !strchr("._:-~", *s))
			return false;
	return n > 0 && n <= max;
}

static bool player_ref_ok(const char *s)
{
	const char *d;
	if (!strncmp(s, "steam:", 6))
		d = s + 6;
	else if (!strncmp(s, "gog:", 4))
		d = s + 4;
	else
		return false;
	if (!*d || strlen(d) > 20)
		return false;
	for (; *d; d++)
		if (!isdigit((unsigned char)*d))
			return false;
	return true;
}

int bzcc_stream_room(const char *room)
{
	if (!strcmp(room, "sessions"))
		return 1;
	if (!strncmp(room, "session:", 8))
		return id_ok(room + 8, 100) ? 1 : -1;
	if (!strncmp(room, "team_picker:", 12))
		return id_ok(room + 12, 100) ? 1 : -1;
	if (!strncmp(room, "players:", 8))
		return player_ref_ok(room + 8) ? 1 : -1;
	return 0;
}

/* Read gw:bzcc:current and gw:bzcc:version in one transaction. Returns 1
 * when a new version was loaded, 0 when unchanged, -1 on error. */
static int fetch(struct gw_stream_env *env)
{
	struct bzcc_stream *st = env->state;
	return kv_get_versioned_json(env->kv, BZCC_KEY_CURRENT, BZCC_KEY_VERSION, &st->lobby,
				     &st->version);
}

int bzcc_stream_message(struct gw_stream_env *env, const char *channel, const char *payload,
			size_t len)
{
	struct bzcc_stream *st = env->state;
	(void)len;
	if (channel && !strcmp(channel, BZCC_CHANNEL_TEAM_PICKER))
		return 1;
	if (channel && payload) {
		/* {"type":"lobby","version":N}: nothing to read when we have N */
		struct json_object *m = json_tokener_parse(payload), *v;
		long long n = 0;
		if (m && json_object_object_get_ex(m, "version", &v))
			n = json_object_get_int64(v);
		json_object_put(m);
		if (n && n == st->version && st->lobby)
			return 0;
	}
	return fetch(env) == 1;
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static struct json_object *copy_of(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (json_object_object_get_ex(o, key, &v))
		return json_strip_nulls(v);
	return NULL;
}

static struct json_object *sessions_doc(struct json_object *lobby)
{
	struct json_object *doc = json_object_new_object(), *order = json_object_new_array();
	struct json_object *byid = json_object_new_object(), *sessions, *v;
	size_t i, n;
	if ((v = copy_of(lobby, "generated_at")))
		json_object_object_add(doc, "generated_at", v);
	if ((v = copy_of(lobby, "poll")))
		json_object_object_add(doc, "poll", v);
	if ((v = copy_of(lobby, "totals")))
		json_object_object_add(doc, "totals", v);
	if (json_object_object_get_ex(lobby, "sessions", &sessions) &&
	    json_object_is_type(sessions, json_type_array)) {
		n = json_object_array_length(sessions);
		for (i = 0; i < n; i++) {
			struct json_object *s = json_object_array_get_idx(sessions, i);
			const char *id = str_of(s, "id");
			if (!id || json_object_object_get_ex(byid, id, NULL))
				continue;
			json_object_array_add(order, json_object_new_string(id));
			json_object_object_add(byid, id, json_strip_nulls(s));
		}
	}
	json_object_object_add(doc, "order", order);
	json_object_object_add(doc, "sessions", byid);
	return doc;
}

static struct json_object *find_session(struct json_object *lobby, const char *id)
{
	struct json_object *sessions;
	size_t i, n;
	if (!json_object_object_get_ex(lobby, "sessions", &sessions) ||
	    !json_object_is_type(sessions, json_type_array))
		return NULL;
	n = json_object_array_length(sessions);
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(sessions, i);
		const char *sid = str_of(s, "id");
		if (sid && !strcmp(sid, id))
			return s;
	}
	return NULL;
}

static struct json_object *session_doc(struct json_object *lobby, const char *id)
{
	struct json_object *s = find_session(lobby, id), *doc;
	if (s) {
		doc = json_strip_nulls(s);
		json_object_object_add(doc, "live", json_object_new_boolean(1));
		return doc;
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "id", json_object_new_string(id));
	json_object_object_add(doc, "live", json_object_new_boolean(0));
	return doc;
}

static struct json_object *player_doc(struct json_object *lobby, const char *ref)
{
	struct json_object *doc = json_object_new_object(), *list = json_object_new_array();
	struct json_object *sessions;
	const char *colon = strchr(ref, ':');
	size_t plen = (size_t)(colon - ref), i, j, n;
	json_object_object_add(doc, "id", json_object_new_string(ref));
	if (json_object_object_get_ex(lobby, "sessions", &sessions) &&
	    json_object_is_type(sessions, json_type_array)) {
		n = json_object_array_length(sessions);
		for (i = 0; i < n; i++) {
			struct json_object *s = json_object_array_get_idx(sessions, i), *players;
			if (!json_object_object_get_ex(s, "players", &players) ||
			    !json_object_is_type(players, json_type_array))
				continue;
			for (j = 0; j < json_object_array_length(players); j++) {
				struct json_object *p = json_object_array_get_idx(players, j), *e, *v;
				const char *prov = str_of(p, "provider"), *ext = str_of(p, "external_id");
				if (!prov || !ext || strlen(prov) != plen || strncmp(prov, ref, plen) ||
				    strcmp(ext, colon + 1))
					continue;
				e = json_object_new_object();
				json_object_object_add(e, "id", copy_of(s, "id"));
				if ((v = copy_of(s, "name")))
					json_object_object_add(e, "name", v);
				if ((v = copy_of(s, "state")))
					json_object_object_add(e, "state", v);
				if ((v = copy_of(p, "team")))
					json_object_object_add(e, "team", v);
				if ((v = copy_of(p, "slot")))
					json_object_object_add(e, "slot", v);
				json_object_array_add(list, e);
				break;
			}
		}
	}
	json_object_object_add(doc, "online",
			       json_object_new_boolean(json_object_array_length(list) > 0));
	json_object_object_add(doc, "sessions", list);
	return doc;
}

struct json_object *bzcc_room_doc(struct json_object *lobby, const char *room)
{
	struct json_object *doc;
	if (bzcc_stream_room(room) != 1)
		return NULL;
	if (!strcmp(room, "sessions"))
		return sessions_doc(lobby);
	if (!strncmp(room, "session:", 8))
		return session_doc(lobby, room + 8);
	if (!strncmp(room, "players:", 8))
		return player_doc(lobby, room + 8);
	/* team_picker:{session_id}: no picker exists yet (stream.h) */
	doc = json_object_new_object();
	json_object_object_add(doc, "session_id", json_object_new_string(room + 12));
	json_object_object_add(doc, "state", json_object_new_string("none"));
	return doc;
}

struct json_object *bzcc_stream_build(struct gw_stream_env *env, const char *room,
				      long long *version)
{
	struct bzcc_stream *st = env->state;
	if (!st->lobby && fetch(env) < 0)
		return NULL;
	*version = st->version;
	return bzcc_room_doc(st->lobby, room);
}
