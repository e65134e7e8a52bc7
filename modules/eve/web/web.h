/* web.h: what the eve handlers share: query parameters (each refusal is a
 * 400 with a sentence saying what is allowed), the battle-list query
 * used by both the JSON and the page, cursors and decorations. */
#ifndef GW_EVE_WEB_H
#define GW_EVE_WEB_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "modules/eve/store/eve-read.h"

struct app;
struct req;

/* Optional parameter `name` as a positive id (digits, < 2^63). Returns 0
 * (*out 0 when absent) or 400 with err set. */
int eve_param_id(const struct req *r, const char *name, int64_t *out, char *err, size_t errlen);

/* Optional integer in [lo, hi], def when absent. 0 or 400. */
int eve_param_int(const struct req *r, const char *name, int lo, int hi, int def, int *out,
		  char *err, size_t errlen);

/* Optional RFC 3339 time or date. 0 (*ms 0 when absent) or 400. */
int eve_param_time(const struct req *r, const char *name, int64_t *ms, char *err, size_t errlen);

/* The {id} route segment as a positive id; 0 or 404 (with err) when it is
 * not one. */
int eve_route_id(const struct req *r, int64_t *id, char *err, size_t errlen);

/* The battle list: parse filters and cursor (list "battles"), read one
 * page and build {"battles", "count", "next_cursor", "next_url",
 * "filters"} with names. Returns 0 with *out set, 400 (err) or 503. */
int eve_battles_doc(struct app *app, struct req *r, struct json_object **out, char *err,
		    size_t errlen);

/* Recent kills: {"killmails", "count", "next_cursor", "next_url"}. */
int eve_recent_doc(struct app *app, struct req *r, struct json_object **out, char *err,
		   size_t errlen);

/* "3.60B" / "412.5M" / "950.0K" / "12" from a decimal ISK string. */
void eve_isk_human(const char *isk, char *out, size_t outlen);

/* Add "<key>_text" (eve_isk_human) beside every ISK string under the keys
 * isk, isk_lost, isk_destroyed, recursively. For pages. */
void eve_decorate_isk(struct json_object *doc);

/* Which entity kind a route's pattern is about ("/alliances/",
 * "/corporations/", "/characters/"); EVE_ALLIANCE when none matches. */
enum eve_entity_kind eve_route_kind(const struct req *r);

/* ---- access (web/access.c, domain/access.h) ---------------------------------- */

struct eve_who;

/* The policy of a feature (EVE_POLICY_*), from EVE_BATTLE_REPORTS_ACCESS
 * and EVE_BATTLE_INTEL_ACCESS (read once per process; an unknown value is
 * logged and the default kept: reports public, intel granted). */
int eve_policy(int feature);

/* EVE_MIN_PILOTS: the ruleset's minimum pilots until a director saves
 * one (default 0; 0..EVE_MIN_PILOTS_MAX). */
int eve_min_pilots_default(void);

/* Who the client of r is for the eve module: loads the signed-in user
 * (acct_current) and their feature roles. 0, or 503 on a database error. */
int eve_who_load(struct app *app, struct req *r, struct eve_who *w);

#endif
