/* notify.h: Discord webhook notifications of BZCC sessions, pure (no I/O):
 * which sessions a webhook announces, and the message bodies.
 *
 * Behaviour after the community's bz2-watchbot (bz2vsr/bz2-watchbot,
 * README: a message when a session appears, edited as players and state
 * change, marked ended when it disappears; optionally only games hosted by
 * listed accounts; games named "test" ignored; several webhooks).
 *
 * Message format: Discord's "Execute Webhook" JSON body (content, embeds
 * with title, url, description, color, fields {name, value, inline},
 * footer, timestamp; allowed_mentions) and its limits (title 256, field
 * value 1024, description 4096, at most 25 fields), from Discord's
 * developer documentation, "Webhook Resource" and "Embed Limits". */
#ifndef GW_BZCC_NOTIFY_H
#define GW_BZCC_NOTIFY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define BZCC_NOTIFY_MAX_HOSTS 64

/* Is `name` a test game: does it contain "test" or "testing" as a whole
 * word, in any case ("Test", "my TEST game", "testing 1 2"; not
 * "Contest" or "tested")? NULL is not. */
bool bzcc_notify_is_test(const char *name);

/* The session's host as "<provider>:<external_id>" ("steam:7656…") into
 * out, from the player with "host": true; returns false when there is
 * none (or it has no account id). */
bool bzcc_notify_host(struct json_object *session, char *out, size_t outlen);

/* Does a webhook watching `hosts` (n entries "steam:…"/"gog:…"; n 0: all
 * hosts) announce `session`? Test games never. */
bool bzcc_notify_wants(const char *const *hosts, size_t n, struct json_object *session);

/* The message body for `session` (a session of the current-lobby document,
 * docs/view-models.md) as JSON text into `out` (replacing it): an embed
 * with the name (linked to base_url + "/bzcc/sessions/<id>" when base_url
 * is not empty), MOTD, state and time in state, players/max, map, mode,
 * mod, the roster by team; "content" naming the host only when `first`
 * (the message that creates it: the one ping); when `ended`, the embed says
 * "Session ended" in grey. Markdown in names is escaped and mentions are
 * disabled (allowed_mentions). */
void bzcc_notify_payload(struct json_object *session, bool first, bool ended,
			 const char *base_url, struct buf *out);

/* Check a webhook URL given by an admin: https://discord.com/api/webhooks/
 * <id>/<token> (also discordapp.com, ptb. and canary. hosts), or any
 * http(s) URL whose host[:port] is listed in `extra_hosts` (comma-separated,
 * NOTIFY_WEBHOOK_HOSTS, for a self-hosted relay or the tests). At most 512
 * bytes, no spaces or quotes. Returns 0, or -1 with a reason in err. */
int bzcc_notify_check_url(const char *url, const char *extra_hosts, char *err, size_t errlen);

/* Parse a host list "steam:1, gog:2 steam:3" (commas and/or spaces) into
 * hosts[] (pointers into `buf`, which is modified). Returns the count, or
 * -1 with a reason in err when an entry is not steam:<digits> or
 * gog:<digits>, or there are more than max. */
int bzcc_notify_parse_hosts(char *buf, const char **hosts, int max, char *err, size_t errlen);

#endif
