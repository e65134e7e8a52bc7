/* access.c: the eve module's access rules (the descriptor's access hook,
 * route.h ROLE_MODULE), the feature policies from the environment, and
 * the two forms that change access and what is shown:
 *
 *   GET/POST /eve/admin/roles   grant or revoke a feature role (feature
 *                               admins and superadmins; audited "eve.role")
 *   GET/POST /eve/rulesets      the ruleset of the battle lists (read by
 *                               whoever reads battle reports, saved by
 *                               directors; audited "eve.ruleset")
 *
 * Each change and its audit entry (platform/admin/audit.h) are written in
 * one transaction. A refused input re-renders the form with 400 (403 when
 * the granter may not make that change) and the reason. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "modules/eve/domain/access.h"
#include "modules/eve/module.h"
#include "modules/eve/store/eve-access.h"
#include "modules/eve/web/web.h"
#include "platform/accounts/accounts.h"
#include "platform/admin/audit.h"
#include "platform/web/app.h"
#include "platform/web/guard.h"
#include "platform/web/req.h"

/* ---- policies ------------------------------------------------------------------ */

static const char *const policy_env[EVE_FEATURES] = { "EVE_BATTLE_REPORTS_ACCESS",
						      "EVE_BATTLE_INTEL_ACCESS" };
static const int policy_default[EVE_FEATURES] = { EVE_POLICY_PUBLIC, EVE_POLICY_GRANTED };

int eve_policy(int feature)
{
	static int cached[EVE_FEATURES], loaded;
	int i;
	if (!loaded) {
		for (i = 0; i < EVE_FEATURES; i++) {
			cached[i] = eve_policy_parse(getenv(policy_env[i]), policy_default[i]);
			if (cached[i] < 0) {
				log_warn("%s must be public, account or granted: using the default",
					 policy_env[i]);
				cached[i] = policy_default[i];
			}
		}
		loaded = 1;
	}
	return feature >= 0 && feature < EVE_FEATURES ? cached[feature] : EVE_POLICY_GRANTED;
}

int eve_min_pilots_default(void)
{
	const char *v = getenv("EVE_MIN_PILOTS");
	char *end;
	long n;
	if (!v || !*v)
		return 0;
	n = strtol(v, &end, 10);
	if (*end || n < 0 || n > EVE_MIN_PILOTS_MAX) {
		log_warn("EVE_MIN_PILOTS must be an integer from 0 to %d: using 0", EVE_MIN_PILOTS_MAX);
		return 0;
	}
	return (int)n;
}

/* ---- the access hook ---------------------------------------------------------------- */

/* The rules of module.c's rows, in the order of EVE_RULE_* (module.h). */
const char *const eve_access_rules[] = {
	"battle-reports:user",
	"battle-reports:director",
	"battle-intel:user",
	"roles:admin",
	NULL,
};

int eve_who_load(struct app *app, struct req *r, struct eve_who *w)
{
	memset(w, 0, sizeof *w);
	if (acct_current(app, r) < 0)
		return 503;
	if (!r->auth.user_id)
		return 0;
	w->signed_in = true;
	w->superadmin = r->auth.role >= ROLE_ADMIN;
	if (eve_roles_of(&app->db, r->auth.user_id, w->rank) < 0)
		return 503;
	return 0;
}

int eve_access_check(struct app *app, struct req *r, int rule)
{
	static const struct {
		int feature; /* -1: any feature */
		int need;
	} rules[] = {
		{ EVE_FEAT_REPORTS, EVE_RANK_USER },
		{ EVE_FEAT_REPORTS, EVE_RANK_DIRECTOR },
		{ EVE_FEAT_INTEL, EVE_RANK_USER },
		{ -1, EVE_RANK_ADMIN },
	};
	struct eve_who w;
	int st, f;
	if (rule < 0 || rule >= (int)(sizeof rules / sizeof *rules))
		return 403;
	f = rules[rule].feature;
	/* a public feature read by anyone: no need to know who it is */
	if (f >= 0 && rules[rule].need <= EVE_RANK_USER && eve_policy(f) == EVE_POLICY_PUBLIC)
		return 0;
	if ((st = eve_who_load(app, r, &w)))
		return st;
	if (f >= 0)
		return eve_access_decide(eve_policy(f), &w, f, rules[rule].need);
	for (f = 0; f < EVE_FEATURES; f++)
		if (!eve_access_decide(eve_policy(f), &w, f, rules[rule].need))
			return 0;
	return w.signed_in ? 403 : 401;
}

/* ---- helpers ------------------------------------------------------------------------ */

static const char *field(const struct req *r, const char *name)
{
	const struct req_field *f = req_field(r, name);
	return f ? f->value : NULL;
}

static int64_t positive_id(const char *s)
{
	char *end;
	long long v;
	if (!s || !*s || strlen(s) > 19 || *s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	return *end || v <= 0 ? -1 : (int64_t)v;
}

static void render(struct app *app, struct req *r, int status, const char *page,
		   struct json_object *ctx, const char *error)
{
	json_object_object_add(ctx, "csrf_token", json_object_new_string(guard_csrf_token(app, r)));
	if (error)
		json_object_object_add(ctx, "error", json_object_new_string(error));
	app_render_page(app, r, status, page, ctx);
}

/* ---- /eve/admin/roles ---------------------------------------------------------------- */

static void roles_page(struct app *app, struct req *r, int status, const char *error)
{
	struct json_object *ctx = json_object_new_object(), *list = eve_roles_list(&app->db), *feats, *ranks;
	static const char *const grantable[] = { "user", "fc", "director", "admin", "none" };
	size_t i;
	if (!list) {
		json_object_put(ctx);
		app_error(app, r, 503, "database unavailable", "The roles could not be read.");
		return;
	}
	json_object_object_add(ctx, "title", json_object_new_string("EVE feature roles"));
	json_object_object_add(ctx, "grants", list);
	feats = json_object_new_array();
	for (i = 0; i < EVE_FEATURES; i++)
		json_object_array_add(feats, json_object_new_string(eve_feature_name((int)i)));
	json_object_object_add(ctx, "features", feats);
	ranks = json_object_new_array();
	for (i = 0; i < sizeof grantable / sizeof *grantable; i++)
		json_object_array_add(ranks, json_object_new_string(grantable[i]));
	json_object_object_add(ctx, "roles", ranks);
	{
		struct json_object *pol = json_object_new_array();
		static const char *const names[] = { "public", "account", "granted" };
		for (i = 0; i < EVE_FEATURES; i++) {
			struct json_object *o = json_object_new_object();
			json_object_object_add(o, "feature", json_object_new_string(eve_feature_name((int)i)));
			json_object_object_add(o, "policy", json_object_new_string(names[eve_policy((int)i)]));
			json_object_object_add(o, "env", json_object_new_string(policy_env[i]));
			json_object_array_add(pol, o);
		}
		json_object_object_add(ctx, "policies", pol);
	}
	render(app, r, status, "eve-roles", ctx, error);
	json_object_put(ctx);
}

void page_eve_roles(struct app *app, struct req *r)
{
	const char *uid_s = field(r, "user_id"), *char_s = field(r, "character_id");
	const char *feat_s = field(r, "feature"), *role_s = field(r, "role");
	struct json_object *before = NULL, *after = NULL;
	struct eve_who me;
	int64_t uid = -1;
	int feature, to, from[EVE_FEATURES], st;
	char name[ACCT_NAME_MAX + 8], target[40], msg[200];

	if (strcmp(r->method, "POST")) {
		roles_page(app, r, 200, NULL);
		return;
	}
	if ((st = eve_who_load(app, r, &me))) {
		app_error(app, r, st, "database unavailable", "Your roles could not be read.");
		return;
	}
	feature = eve_feature_parse(feat_s);
	to = role_s && !strcmp(role_s, "none") ? EVE_RANK_NONE : eve_rank_parse(role_s);
	if (feature < 0 || to < 0) {
		roles_page(app, r, 400, "Choose a feature (battle-reports, battle-intel) and a role"
				       " (user, fc, director, admin, or none to revoke).");
		return;
	}
	if (uid_s && *uid_s)
		uid = positive_id(uid_s);
	else if (char_s && *char_s && positive_id(char_s) > 0) {
		bool banned = false;
		int rc = acct_identity_user(&app->db, "eve", char_s, &uid, &banned);
		if (rc < 0) {
			app_error(app, r, 503, "database unavailable", "The character could not be looked up.");
			return;
		}
		if (rc == 0)
			uid = 0;
	}
	if (uid <= 0) {
		roles_page(app, r, 400, "Name the account: its GameWatch user id, or the id of an EVE"
				       " character linked to it.");
		return;
	}
	st = eve_user_name(&app->db, uid, name, sizeof name);
	if (st < 0 || eve_roles_of(&app->db, uid, from) < 0) {
		app_error(app, r, 503, "database unavailable", "The account could not be read.");
		return;
	}
	if (st == 0) {
		roles_page(app, r, 400, "There is no such account (or it is banned).");
		return;
	}
	if (!eve_may_grant(&me, feature, from[feature], to)) {
		snprintf(msg, sizeof msg, "You may not change %s's %s role from %s to %s: feature admins set"
			 " user, fc and director; only a superadmin sets or removes admin.", name,
			 eve_feature_name(feature), eve_rank_name(from[feature]), eve_rank_name(to));
		roles_page(app, r, 403, msg);
		return;
	}
	if (from[feature] == to) {
		req_redirect(r, 303, "/eve/admin/roles");
		return;
	}
	before = json_object_new_object();
	json_object_object_add(before, "feature", json_object_new_string(eve_feature_name(feature)));
	json_object_object_add(before, "role", json_object_new_string(eve_rank_name(from[feature])));
	after = json_object_new_object();
	json_object_object_add(after, "feature", json_object_new_string(eve_feature_name(feature)));
	json_object_object_add(after, "role", json_object_new_string(eve_rank_name(to)));
	snprintf(target, sizeof target, "user:%" PRId64, uid);
	if (db_begin(&app->db) < 0 || eve_role_set(&app->db, uid, feature, to, r->auth.user_id) < 0 ||
	    audit_write(&app->db, r, "eve.role", target, before, after) < 0 || db_commit(&app->db) < 0) {
		db_rollback(&app->db);
		json_object_put(before);
		json_object_put(after);
		app_error(app, r, 503, "database unavailable", "The role could not be changed.");
		return;
	}
	json_object_put(before);
	json_object_put(after);
	log_info("eve: %s role of user %" PRId64 " set to %s by user %" PRId64, eve_feature_name(feature),
		 uid, eve_rank_name(to), r->auth.user_id);
	req_redirect(r, 303, "/eve/admin/roles");
}

/* ---- /eve/rulesets ------------------------------------------------------------------- */

static void rulesets_page(struct app *app, struct req *r, int status, const char *error,
			  const struct eve_ruleset *shown)
{
	struct json_object *ctx = json_object_new_object(), *rs;
	struct eve_ruleset cur;
	struct eve_who w;
	struct buf a = BUF_INIT, c = BUF_INIT;
	int i, saved = 0;
	if (!shown) {
		saved = eve_ruleset_get(&app->db, eve_min_pilots_default(), &cur);
		if (saved < 0 || eve_who_load(app, r, &w)) {
			json_object_put(ctx);
			app_error(app, r, 503, "database unavailable", "The ruleset could not be read.");
			return;
		}
		shown = &cur;
	} else if (eve_who_load(app, r, &w)) {
		memset(&w, 0, sizeof w);
	}
	rs = eve_ruleset_json(shown);
	for (i = 0; i < shown->n_alliances; i++)
		buf_addf(&a, "%s%" PRId64, i ? ", " : "", shown->alliances[i]);
	for (i = 0; i < shown->n_corporations; i++)
		buf_addf(&c, "%s%" PRId64, i ? ", " : "", shown->corporations[i]);
	json_object_object_add(rs, "alliances_text", json_object_new_string(a.len ? a.data : ""));
	json_object_object_add(rs, "corporations_text", json_object_new_string(c.len ? c.data : ""));
	buf_release(&a);
	buf_release(&c);
	json_object_object_add(ctx, "title", json_object_new_string("Battle list ruleset"));
	json_object_object_add(ctx, "ruleset", rs);
	json_object_object_add(ctx, "saved", json_object_new_boolean(saved > 0));
	json_object_object_add(ctx, "can_edit",
			       json_object_new_boolean(eve_access_rank(eve_policy(EVE_FEAT_REPORTS), &w,
								       EVE_FEAT_REPORTS) >= EVE_RANK_DIRECTOR));
	json_object_object_add(ctx, "tracked_max", json_object_new_int(EVE_TRACKED_MAX));
	render(app, r, status, "eve-rulesets", ctx, error);
	json_object_put(ctx);
}

void page_eve_rulesets(struct app *app, struct req *r)
{
	const char *minp = field(r, "min_pilots"), *ign = field(r, "ignore_unlisted");
	struct eve_ruleset rs, before_rs;
	struct json_object *before, *after;
	char err[160], msg[200];
	char *end;
	long n;
	int got;

	if (strcmp(r->method, "POST")) {
		rulesets_page(app, r, 200, NULL, NULL);
		return;
	}
	memset(&rs, 0, sizeof rs);
	n = minp && *minp ? strtol(minp, &end, 10) : -1;
	if (!minp || !*minp || *end || n < 0 || n > EVE_MIN_PILOTS_MAX) {
		snprintf(msg, sizeof msg, "Minimum pilots must be a whole number from 0 to %d.", EVE_MIN_PILOTS_MAX);
		rulesets_page(app, r, 400, msg, NULL);
		return;
	}
	rs.min_pilots = (int)n;
	if ((rs.n_alliances = eve_ids_parse(field(r, "tracked_alliances"), rs.alliances, EVE_TRACKED_MAX,
					    err, sizeof err)) < 0) {
		snprintf(msg, sizeof msg, "Tracked alliances: %s.", err);
		rulesets_page(app, r, 400, msg, NULL);
		return;
	}
	if ((rs.n_corporations = eve_ids_parse(field(r, "tracked_corporations"), rs.corporations,
					       EVE_TRACKED_MAX, err, sizeof err)) < 0) {
		snprintf(msg, sizeof msg, "Tracked corporations: %s.", err);
		rulesets_page(app, r, 400, msg, NULL);
		return;
	}
	rs.ignore_unlisted = ign && (!strcmp(ign, "on") || !strcmp(ign, "1") || !strcmp(ign, "true"));
	if (db_begin(&app->db) < 0) {
		app_error(app, r, 503, "database unavailable", "The ruleset could not be saved.");
		return;
	}
	got = eve_ruleset_get(&app->db, eve_min_pilots_default(), &before_rs);
	before = got > 0 ? eve_ruleset_json(&before_rs) : NULL;
	after = eve_ruleset_json(&rs);
	if (got < 0 || eve_ruleset_put(&app->db, &rs, r->auth.user_id, r->auth.name) < 0 ||
	    audit_write(&app->db, r, "eve.ruleset", "ruleset:1", before, after) < 0 ||
	    db_commit(&app->db) < 0) {
		db_rollback(&app->db);
		json_object_put(before);
		json_object_put(after);
		app_error(app, r, 503, "database unavailable", "The ruleset could not be saved.");
		return;
	}
	json_object_put(before);
	json_object_put(after);
	req_redirect(r, 303, "/eve/rulesets");
}
