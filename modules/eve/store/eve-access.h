/* eve-access.h: the SQL of the eve module's feature roles and ruleset
 * (tables eve.feature_roles and eve.rulesets, migration 002; the rules
 * are in domain/access.h). Every function logs its own database errors. */
#ifndef GW_EVE_STORE_ACCESS_H
#define GW_EVE_STORE_ACCESS_H

#include <json-c/json.h>
#include <stdint.h>

#include "db.h"
#include "modules/eve/domain/access.h"

/* The roles granted to user_id, into rank[feature] (EVE_RANK_NONE where
 * none). Returns 0 or -1. */
int eve_roles_of(struct db *db, int64_t user_id, int rank[EVE_FEATURES]);

/* Every grant, by feature then rank (highest first) then name: a new
 * array of {"user_id" (string), "user_name", "feature", "role",
 * "granted_at", "granted_by_name" (or null)}, or NULL. */
struct json_object *eve_roles_list(struct db *db);

/* Set (rank > 0) or revoke (EVE_RANK_NONE) the role of user_id in
 * `feature`, granted by `by` (0: the command line). Returns 0, or -1. Run
 * it inside the caller's transaction with its audit entry. */
int eve_role_set(struct db *db, int64_t user_id, int feature, int rank, int64_t by);

/* The name of a user who exists and is not banned: 1 with name copied
 * (at most namelen - 1 bytes), 0 when there is no such user, -1. */
int eve_user_name(struct db *db, int64_t user_id, char *name, size_t namelen);

/* The ruleset: 1 with *rs filled from eve.rulesets, 0 when none was saved
 * (*rs is then the defaults: min_pilots `default_min_pilots`, nothing
 * tracked), -1 on a database error. */
int eve_ruleset_get(struct db *db, int default_min_pilots, struct eve_ruleset *rs);

/* The ruleset as JSON for pages, the battle list and the audit log:
 * {"min_pilots", "tracked_alliance_ids": [strings],
 * "tracked_corporation_ids": [strings], "ignore_unlisted"}. A new object. */
struct json_object *eve_ruleset_json(const struct eve_ruleset *rs);

/* Save the ruleset as edited by user `by` named `by_name`. Returns 0 or
 * -1. Run it inside the caller's transaction with its audit entry. */
int eve_ruleset_put(struct db *db, const struct eve_ruleset *rs, int64_t by, const char *by_name);

#endif
