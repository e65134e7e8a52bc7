/* admin.h: what the admin pages read and change (web-admin.c), every SQL
 * statement of them. A change is written with its audit entry in one
 * transaction (audit.h). */
#ifndef GW_ADMIN_H
#define GW_ADMIN_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct req;

/* Every job seen in job_runs: a new array of {"job", "module",
 * "last_started_at", "last_finished_at", "last_exit_code", "last_seconds",
 * "running" (runs without an end started in the last day), "runs_24h",
 * "failures_24h", "last_failure_at"}, by job name; NULL on a database
 * error. */
struct json_object *admin_job_status(struct db *db);

/* The last `limit` runs, newest first: {"id", "job", "module",
 * "started_at", "finished_at", "exit_code", "seconds"}; failed ones only
 * when failed_only. NULL on a database error. */
struct json_object *admin_job_runs(struct db *db, int limit, bool failed_only);

/* Work waiting: {"enrich": [{"kind", "items", "due", "parked", "failing"}],
 * "curation_queue": open placeholder entities, "proposals_pending"}; NULL
 * on a database error. */
struct json_object *admin_queue_depths(struct db *db);

/* Users, newest first, `limit` from `offset`, optionally matching `q` (a
 * substring of the name, case-insensitive; NULL: all) and `role` (NULL:
 * all): {"users": [{"id", "name", "role", "created_at", "last_login_at",
 * "banned_at", "ban_reason", "identities": [{"provider", "external_id"}],
 * "sessions": active ones}], "total"}. NULL on a database error. */
struct json_object *admin_users(struct db *db, const char *q, const char *role, int offset,
				int limit);

/* Change user `id`'s role / ban or unban them (a ban revokes their
 * sessions) / revoke their sessions, as the signed-in user of `r`, with
 * the audit entry. Return 0, 404 (no such user), 409 (an admin's own role
 * or ban: an admin cannot lock themselves out), or 503. */
int admin_user_role(struct db *db, const struct req *r, int64_t id, const char *role);
int admin_user_ban(struct db *db, const struct req *r, int64_t id, bool ban, const char *reason);
int admin_user_revoke(struct db *db, const struct req *r, int64_t id);

/* Set a feature flag with its audit entry. Returns 0 or 503. */
int admin_flag_set(struct db *db, const struct req *r, const char *name, bool enabled);

/* An audit entry for an action that changes nothing in PostgreSQL (a cache
 * flush), in its own statement. Returns 0 or -1. */
int admin_note(struct db *db, const struct req *r, const char *action, const char *target,
	       struct json_object *after);

#endif
