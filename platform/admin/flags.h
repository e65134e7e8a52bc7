/* flags.h: feature flags admins switch on /admin/flags and jobs read
 * (table feature_flags, platform 006). A flag is a name in upper case; its
 * value is the table's row when there is one, else the environment
 * variable of the same name ("1"/"true"/"on" or "0"/"false"/"off"), else
 * its default. The flags there are:
 *
 *   ENRICHMENT_ENABLED  (on)  gamewatch-job enrich fetches facts upstream;
 *                             off: the job exits at once without fetching
 *   MIRROR_ENABLED      (on)  gamewatch-job mirror copies pictures
 *   POLLING_PAUSED      (off) the modules' pollers skip their polls (the
 *                             last data stays served, and goes stale)
 */
#ifndef GW_FLAGS_H
#define GW_FLAGS_H

#include <json-c/json.h>
#include <stdbool.h>

#include "db.h"

struct gw_flag_def {
	const char *name;
	bool def;
	const char *summary;
};

/* The known flags, terminated by name NULL. */
extern const struct gw_flag_def gw_flags[];

/* The definition of `name`, or NULL. */
const struct gw_flag_def *flag_def(const char *name);

/* The value of flag `name` (a known one; an unknown name is false) from
 * `db` (may be NULL: environment and default only). A database error is
 * logged and the environment/default value used, so a job keeps its
 * ordinary behaviour when the table cannot be read. */
bool flag_enabled(struct db *db, const char *name);

/* Every known flag: a new array of {"name", "enabled", "default",
 * "source" ("admin", "environment", "default"), "summary", "updated_at",
 * "updated_by"}, or NULL on a database error. */
struct json_object *flag_list(struct db *db);

/* For a job at its start: is flag `name` on? Opens its own connection to
 * `database_url` (closed again); when the database cannot be reached the
 * environment/default value is used and the job carries on to fail or
 * succeed as it would have. */
bool flag_enabled_url(const char *database_url, const char *name);

/* Set a flag's row (by user `user_id`, 0 for none). Returns 0 or -1. */
int flag_set(struct db *db, const char *name, bool enabled, long long user_id);

#endif
