/* audit.h: the audit log of every admin and curator action (table
 * audit_log, platform 006): who (user id, name and role at the time),
 * what (an action name such as "curation.approve", "user.role",
 * "flag.set"), on what ("proposal:12", "user:3"), the state before and
 * after as JSON, and the client address. A handler that changes something
 * writes its entry in the same transaction as the change, so there is no
 * change without its entry and no entry for a change rolled back. */
#ifndef GW_AUDIT_H
#define GW_AUDIT_H

#include <json-c/json.h>
#include <stdint.h>

#include "db.h"

struct req;

/* Append one entry for the signed-in user of `r` (r->auth). `before` and
 * `after` may be NULL (SQL NULL); they are borrowed. Returns 0 or -1. */
int audit_write(struct db *db, const struct req *r, const char *action, const char *target,
		struct json_object *before, struct json_object *after);

/* Append one entry for an operator's command-line action (gamewatch-job
 * user ..., gamewatch-job webhook ...): no account (actor_id NULL), actor
 * name "cli:<login name of the effective uid>" ("cli:uid <n>" when the uid
 * has no passwd entry), role "operator", no client address. `before` and
 * `after` are borrowed and may be NULL. Returns 0 or -1 (logged by db). */
int audit_write_cli(struct db *db, const char *action, const char *target,
		    struct json_object *before, struct json_object *after);

/* A page of entries, newest first: {"entries": [{"id", "at", "actor_id",
 * "actor_name", "actor_role", "action", "target", "before", "after",
 * "remote_addr"}], "next_before": id or null} of at most `limit` entries
 * with id < `before_id` (0: from the newest), optionally only `action`
 * (NULL: all). A new object, or NULL on a database error. */
struct json_object *audit_page(struct db *db, int64_t before_id, int limit, const char *action);

#endif
