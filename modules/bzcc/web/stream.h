/* stream.h: the BZCC module's rooms in gamewatch-stream (docs/realtime.md).
 *
 *   sessions                 the current lobby, sessions keyed by id:
 *                            {"generated_at", "poll", "totals",
 *                             "order": [session ids as listed],
 *                             "sessions": {"<id>": <session>, ...}}
 *   session:{id}             one session: <session> plus "live": true; once
 *                            it left the lobby (or was never in it)
 *                            {"id", "live": false}
 *   players:{provider:id}    where a player is: {"id", "online",
 *                            "sessions": [{"id","name","state","team","slot"}]}
 *                            ({provider:id} as steam:<SteamID64> or gog:<id>)
 *   team_picker:{session_id} the Team Picker of a session. The picker itself
 *                            is not built yet (its tables do not exist): the
 *                            room answers {"session_id", "state": "none"} and
 *                            is rebuilt on gw:bzcc:team_picker messages, so
 *                            the feature only has to publish there.
 *
 * Every document is built from gw:bzcc:current at gw:bzcc:version (read
 * together in one MULTI), fetched once per announced version per process,
 * nulls removed (RFC 7396 patches cannot carry them: an absent member
 * reads as null). The version is the event id. */
#ifndef GW_BZCC_STREAM_H
#define GW_BZCC_STREAM_H

#include <json-c/json.h>

#include "platform/module.h"

#define BZCC_CHANNEL_TEAM_PICKER "gw:bzcc:team_picker"

extern const char *const bzcc_stream_channels[];

int bzcc_stream_init(struct gw_stream_env *env);
void bzcc_stream_free(struct gw_stream_env *env);
int bzcc_stream_room(const char *room);
int bzcc_stream_message(struct gw_stream_env *env, const char *channel, const char *payload,
			size_t len);
struct json_object *bzcc_stream_build(struct gw_stream_env *env, const char *room,
				      long long *version);

/* The pure part of build, for the unit tests: the document of `room` from
 * the current-lobby document `lobby` (as stored in gw:bzcc:current). A new
 * object, or NULL when `room` is not a BZCC room. */
struct json_object *bzcc_room_doc(struct json_object *lobby, const char *room);

#endif
