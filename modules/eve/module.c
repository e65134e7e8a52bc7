/* module.c: the eve module's descriptor: routes, jobs, navigation. The one
 * place to look for any EVE URL's handler or job. */
#include "modules/eve/module.h"

#include <stdio.h>

#include <json-c/json.h>

#include "platform/web/app.h"

/* Access (docs/eve.md "Access"): every row names one of the module's
 * rules (web/access.c) instead of a platform role. Battle reports are
 * public by default and cached as before; intel needs the battle-intel
 * feature (granted by default), so its answers are not for shared caches. */
#define PAGE_REPORTS(pat, fn, sum) \
	{ M_GET, (pat), (fn), ROUTE_PAGE, EVE_RULE_REPORTS, false, CACHE_REVALIDATE, 0, RATE_READ, 0, BODY_PARSED, (sum) }
#define API_REPORTS(pat, fn, sum) \
	{ M_GET, (pat), (fn), ROUTE_API, EVE_RULE_REPORTS, false, CACHE_REVALIDATE, 0, RATE_READ, 0, BODY_PARSED, (sum) }
#define ROUTE_INTEL(pat, fn, sum) \
	{ M_GET, (pat), (fn), ROUTE_API, EVE_RULE_INTEL, false, CACHE_NO_STORE, 0, RATE_READ, 0, BODY_PARSED, (sum) }
#define PAGE_INTEL(pat, fn, sum) \
	{ M_GET, (pat), (fn), ROUTE_PAGE, EVE_RULE_INTEL, false, CACHE_NO_STORE, 0, RATE_READ, 0, BODY_PARSED, (sum) }
#define FORM_BODY 8192

/* Pages under /eve/; JSON under /api/v1/ at the BattleScope spec's paths
 * (none collides with another module's). */
static const struct route routes[] = {
	PAGE_REPORTS("/eve/", page_eve_battles, "Battles with filters and paging (the ruleset applies)"),
	PAGE_REPORTS("/eve/battles/{id}", page_eve_battle, "Battle report: sides, classes, timeline, kills"),
	PAGE_REPORTS("/eve/kills", page_eve_kills, "Recent killmails, live over the stream, polling without it"),
	PAGE_INTEL("/eve/intel", page_eve_summary, "Intel summary of the last days"),
	PAGE_INTEL("/eve/intel/alliances/{id}", page_eve_entity, "Alliance intel"),
	PAGE_INTEL("/eve/intel/corporations/{id}", page_eve_entity, "Corporation intel"),
	PAGE_INTEL("/eve/intel/characters/{id}", page_eve_entity, "Character intel"),
	{ M_GET, "/eve/rulesets", page_eve_rulesets, ROUTE_PAGE, EVE_RULE_REPORTS, false, CACHE_NO_STORE, 0,
	  RATE_READ, 0, BODY_PARSED, "The battle lists' ruleset: minimum pilots, tracked alliances and corporations" },
	{ M_POST, "/eve/rulesets", page_eve_rulesets, ROUTE_PAGE, EVE_RULE_DIRECTOR, true, CACHE_NO_STORE, 0,
	  RATE_WRITE, FORM_BODY, BODY_PARSED, "Save the ruleset (directors; audited)" },
	{ M_GET, "/eve/admin/roles", page_eve_roles, ROUTE_PAGE, EVE_RULE_ROLES, false, CACHE_NO_STORE, 0,
	  RATE_READ, 0, BODY_PARSED, "Feature roles (battle-reports, battle-intel) of the accounts" },
	{ M_POST, "/eve/admin/roles", page_eve_roles, ROUTE_PAGE, EVE_RULE_ROLES, true, CACHE_NO_STORE, 0,
	  RATE_WRITE, FORM_BODY, BODY_PARSED, "Grant or revoke a feature role (feature admins, superadmins; audited)" },
	API_REPORTS("/api/v1/battles", api_eve_battles, "Battles, filters, cursor paging (the ruleset applies)"),
	API_REPORTS("/api/v1/battles/{id}", api_eve_battle, "One battle with its report"),
	API_REPORTS("/api/v1/killmails/recent", api_eve_recent, "Recent killmails (polling feed)"),
	/* a 307 to the room on gamewatch-stream (docs/realtime.md) */
	{ M_GET, "/api/v1/killmails/stream", api_eve_stream, ROUTE_STREAM, EVE_RULE_REPORTS, false,
	  CACHE_NO_STORE, 0, RATE_READ, 0, BODY_PARSED, "New killmails as Server-Sent Events (redirects to the stream room)" },
	ROUTE_INTEL("/api/v1/intel/summary", api_eve_summary, "Intel summary"),
	ROUTE_INTEL("/api/v1/intel/alliances/{id}", api_eve_intel, "Alliance intel"),
	ROUTE_INTEL("/api/v1/intel/alliances/{id}/opponents", api_eve_intel, "Alliance opponents and allies"),
	ROUTE_INTEL("/api/v1/intel/alliances/{id}/ships", api_eve_intel, "Alliance ships flown and lost"),
	ROUTE_INTEL("/api/v1/intel/corporations/{id}", api_eve_intel, "Corporation intel"),
	ROUTE_INTEL("/api/v1/intel/corporations/{id}/opponents", api_eve_intel, "Corporation opponents"),
	ROUTE_INTEL("/api/v1/intel/corporations/{id}/ships", api_eve_intel, "Corporation ships"),
	ROUTE_INTEL("/api/v1/intel/characters/{id}", api_eve_intel, "Character intel"),
	ROUTE_INTEL("/api/v1/intel/characters/{id}/opponents", api_eve_intel, "Character opponents"),
	ROUTE_INTEL("/api/v1/intel/characters/{id}/ships", api_eve_intel, "Character ships"),
	ROUTE_END,
};

static const struct gw_nav nav[] = {
	{ "Battles", "/eve/" },
	{ "Kills", "/eve/kills" },
	{ "Intel", "/eve/intel" },
	{ NULL, NULL },
};

/* The hub card: killmails and battles stored, the newest kill. */
static void hub_card(struct app *app, struct json_object *card)
{
	PGresult *res = db_exec(&app->db,
				"SELECT (SELECT count(*) FROM eve.killmail_ids),"
				" (SELECT count(*) FROM eve.battles WHERE is_battle),"
				" (SELECT gw_iso(max(killmail_time)) FROM eve.killmail_ids)",
				0, NULL);
	char line[160];
	if (!res) {
		json_object_object_add(card, "headline", json_object_new_string("Killmail data unavailable"));
		return;
	}
	snprintf(line, sizeof line, "%s killmails, %s battles", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	json_object_object_add(card, "headline", json_object_new_string(line));
	if (!PQgetisnull(res, 0, 2)) {
		snprintf(line, sizeof line, "Newest kill %s", PQgetvalue(res, 0, 2));
		json_object_object_add(card, "detail", json_object_new_string(line));
	}
	PQclear(res);
}

static const struct gw_job jobs[] = {
	{ "eve-import", job_eve_import,
	  "import killmail files (R2Z2 day files, ESI JSON lines, tar.bz2/.gz archives)"
	  " [--batch N] [--prices] FILE... | --esi ID/HASH...",
	  NULL, NULL, 0 },
	{ "eve-static", job_eve_static,
	  "import the SDE tables (systems, regions, types, groups) [DIR] [--prices FILE]",
	  NULL, NULL, 0 },
	{ "eve-r2z2", job_eve_r2z2,
	  "follow zKillboard's R2Z2 killmail feed [--once | --duration S] [--from N]",
	  "* * * * *", "--duration 55", 90 },
	{ "eve-cluster", job_eve_cluster,
	  "cluster new killmails into battles, sides and reports [--full] [--gap MIN]"
	  " [--window MIN] [--min-kills N] [--no-correlate]",
	  "* * * * *", NULL, 300 },
	{ "eve-names", job_eve_names,
	  "names of the characters, corporations and alliances in recent kills from ESI"
	  " [--limit N] [--days D]",
	  "*/10 * * * *", NULL, 300 },
	{ NULL, NULL, NULL, NULL, NULL, 0 },
};

static const struct gw_nav admin_nav[] = {
	{ "EVE feature roles", "/eve/admin/roles" },
	{ NULL, NULL },
};

const struct gw_module gw_module_eve = {
	.name = "eve",
	.title = "EVE Online battle reports",
	.summary = "Killmails clustered into battles, sides, recent kills and intel",
	.depends = NULL,
	.routes = routes,
	.jobs = jobs,
	.nav = nav,
	.home = "/eve/",
	.hub_card = hub_card,
	.openapi = "eve/openapi.json",
	.accounts = { .admin_nav = admin_nav, .signin_providers = eve_signin_providers },
	.stream = { eve_stream_channels, eve_stream_init, eve_stream_free, eve_stream_room,
		    eve_stream_message, eve_stream_build },
	.access = { eve_access_rules, eve_access_check },
};
