/* access.h: who may use what of the eve module, and the rulesets that
 * decide which battles are shown (docs/eve.md, "Access" and "Rulesets").
 * Pure: no I/O; the store (store/eve-access.h) reads and writes the
 * grants and the ruleset, web/access.c applies the decisions.
 *
 * BattleScope's feature-scoped roles (battlescope.md §5.2): two features,
 * battle-reports (battles, reports, recent kills, the live stream) and
 * battle-intel (the intel pages and JSON); per feature an account holds
 * one role, ranked user 10 < fc 20 < director 30 < admin 40. superadmin
 * is global and passes every check: here it is the platform's admin role
 * (users.role = 'admin'), so the site's operator needs no extra grant.
 *
 * Each feature also has a policy, from the environment
 * (EVE_BATTLE_REPORTS_ACCESS, EVE_BATTLE_INTEL_ACCESS):
 *   public   everyone, signed in or not, has the user role in it
 *   account  every signed-in account has the user role in it
 *   granted  only accounts granted a role have one
 * Defaults: battle-reports public (what the module served before
 * accounts), battle-intel granted (the spec puts intel behind its own
 * feature). Higher roles are always granted explicitly. */
#ifndef GW_EVE_ACCESS_H
#define GW_EVE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum eve_feature {
	EVE_FEAT_REPORTS = 0, /* "battle-reports" */
	EVE_FEAT_INTEL,       /* "battle-intel" */
	EVE_FEATURES
};

/* Ranks as the spec numbers them; NONE is "no role". */
enum eve_rank {
	EVE_RANK_NONE = 0,
	EVE_RANK_USER = 10,
	EVE_RANK_FC = 20,
	EVE_RANK_DIRECTOR = 30,
	EVE_RANK_ADMIN = 40,
	EVE_RANK_SUPERADMIN = 100,
};

enum eve_policy {
	EVE_POLICY_PUBLIC = 0,
	EVE_POLICY_ACCOUNT,
	EVE_POLICY_GRANTED,
};

/* "battle-reports" -> EVE_FEAT_REPORTS, "battle-intel" -> EVE_FEAT_INTEL;
 * -1 otherwise. */
int eve_feature_parse(const char *s);
/* The name of a feature; "" for anything else. */
const char *eve_feature_name(int feature);

/* "user", "fc", "director", "admin" -> their ranks (the roles that can be
 * granted); "superadmin" and anything else -1. */
int eve_rank_parse(const char *s);
/* "user" ... "admin", "superadmin" for a rank; "none" for EVE_RANK_NONE;
 * "" for anything else. */
const char *eve_rank_name(int rank);

/* "public", "account", "granted" -> the policy; -1 otherwise. NULL or ""
 * gives `def`. */
int eve_policy_parse(const char *s, int def);

/* What is known of a client. */
struct eve_who {
	bool signed_in;
	bool superadmin;            /* the platform's admin role */
	int rank[EVE_FEATURES];     /* granted roles (EVE_RANK_NONE when none) */
};

/* The client's effective rank in `feature` under `policy`: superadmin,
 * else the higher of its grant and what the policy gives (user when
 * public, or account and signed in). */
int eve_access_rank(int policy, const struct eve_who *w, int feature);

/* May the client use `feature` at rank `need`? 0 yes; 401 when not
 * signed in (an account could have it); 403 when signed in without it. */
int eve_access_decide(int policy, const struct eve_who *w, int feature, int need);

/* May `granter` change the role of someone in `feature` from `from` to
 * `to` (EVE_RANK_NONE: revoke)? A superadmin may set any granted role; a
 * feature's admin may set and revoke user, fc and director in it, never
 * touching an admin's role nor making one. `to` must be NONE or a role
 * eve_rank_parse knows. */
bool eve_may_grant(const struct eve_who *granter, int feature, int from, int to);

/* ---- rulesets ---------------------------------------------------------------- */

#define EVE_TRACKED_MAX 100      /* alliances, and corporations, a ruleset may list */
#define EVE_MIN_PILOTS_MAX 10000

/* Which battles the lists show (battlescope.md §3 rulesets): at least
 * min_pilots pilots; and when ignore_unlisted is set and either list is
 * not empty, only battles in which a tracked alliance or corporation took
 * part (on any side). */
struct eve_ruleset {
	int min_pilots;
	int64_t alliances[EVE_TRACKED_MAX];
	int n_alliances;
	int64_t corporations[EVE_TRACKED_MAX];
	int n_corporations;
	bool ignore_unlisted;
};

/* Read a list of ids typed into a form: positive decimal numbers below
 * 2^63 separated by commas and/or white space; sorted, duplicates
 * dropped, at most `max`. Returns the count (0 for an empty or blank
 * text), or -1 with a reason naming the first bad entry. */
int eve_ids_parse(const char *text, int64_t *out, int max, char *err, size_t errlen);

/* Does the ruleset filter anything by entity (ignore_unlisted with a
 * list that is not empty)? */
bool eve_ruleset_filters_entities(const struct eve_ruleset *rs);

#endif
