/* bzcc-notify.h: the webhooks and their messages in PostgreSQL
 * (bzcc.webhooks, bzcc.webhook_messages; sql/020-webhooks.sql). All SQL is
 * parameterized; every function logs its own database errors. */
#ifndef GW_BZCC_STORE_NOTIFY_H
#define GW_BZCC_STORE_NOTIFY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* Add a webhook (or, for a URL already there, replace its hosts and enable
 * it). hosts: n entries as bzcc_notify_parse_hosts() checked them.
 * Returns its id (> 0) or -1. */
int64_t bzcc_webhook_add(struct db *db, const char *url, const char *const *hosts, int n);

/* Remove a webhook and its messages. Returns 1 removed, 0 no such id, -1. */
int bzcc_webhook_remove(struct db *db, int64_t id);

/* Every webhook: [{"id", "url", "hosts": [...], "enabled", "last_error",
 * "created_at", "live_messages"}], oldest first. With `redact`, the URL's
 * last path segment (the token) is cut to "…". New array, or NULL. */
struct json_object *bzcc_webhook_list(struct db *db, bool redact);

/* The webhook's messages by session id: {"<session id>": {"message_id",
 * "state", "payload", "session"}}. New object, or NULL. */
struct json_object *bzcc_webhook_messages(struct db *db, int64_t webhook_id);

/* Record the message of (webhook, session) after a delivery. */
int bzcc_webhook_message_put(struct db *db, int64_t webhook_id, const char *session_id,
			     const char *message_id, const char *state, const char *payload,
			     const char *session_json);

/* Record the receiver's last refusal (NULL clears it); disable the webhook
 * when `disable`. */
int bzcc_webhook_set_error(struct db *db, int64_t id, const char *error, bool disable);

#endif
