/* module.c: the MOHAA module's descriptor: routes, jobs, navigation and
 * hooks. The one place to look for any MOHAA URL's handler. */
#include "modules/mohaa/module.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "modules/mohaa/domain/mohaa.h"
#include "modules/mohaa/store/queue.h"
#include "modules/mohaa/store/stats.h"
#include "modules/mohaa/web/web.h"
#include "platform/web/app.h"
#include "timeutil.h"

/* The ingest rows: POST, game servers authenticate with their token in the
 * handler (not a browser session, so no CSRF), never cached. The body is
 * BODY_RAW: the original tracker's form bodies are not valid
 * application/x-www-form-urlencoded (values unescaped: a name may hold '%',
 * '&' or '='), so the handler reads the bytes as sent and parses them
 * itself (domain/parse.c). */
#define ROUTE_INGEST(pat, fn, sum) \
	{ M_POST, (pat), (fn), ROUTE_API, ROLE_PUBLIC, false, CACHE_NO_STORE, 0, RATE_INGEST, \
	  MOHAA_MAX_BODY, BODY_RAW, (sum) }

/* Pages under /mohaa/, JSON at the spec's paths under /api/v1/
 * (docs/specs/mohaa-stats-api.md). A map path "dm/mohdm1" spans two
 * segments, so map routes come in a {map} and a {dir}/{map} form. */
static const struct route routes[] = {
	ROUTE_GET_PAGE("/mohaa/", page_mohaa_home, "Live matches, top players, recent matches, maps"),
	ROUTE_GET_PAGE("/mohaa/leaderboard", page_mohaa_leaderboard, "Leaderboards: all time, weekly, by weapon, by map"),
	ROUTE_GET_PAGE("/mohaa/players/{guid}", page_mohaa_player, "A player: totals, achievements, weapons, maps, matches"),
	ROUTE_GET_PAGE("/mohaa/players/{guid}/heatmap/{map}", page_mohaa_player_heatmap, "A player's kill and death heat maps on a map"),
	ROUTE_GET_PAGE("/mohaa/players/{guid}/heatmap/{dir}/{map}", page_mohaa_player_heatmap, "A player's kill and death heat maps on a map"),
	ROUTE_GET_PAGE("/mohaa/maps/{map}", page_mohaa_map, "A map: everyone's heat maps and top players"),
	ROUTE_GET_PAGE("/mohaa/maps/{dir}/{map}", page_mohaa_map, "A map: everyone's heat maps and top players"),
	ROUTE_GET_PAGE("/mohaa/matches/{id}", page_mohaa_match, "A match: score, players, rounds, timeline"),
	ROUTE_GET_PAGE("/mohaa/servers/{id}", page_mohaa_server, "A game server: totals, recent matches, maps"),
	ROUTE_GET_PAGE("/mohaa/achievements", page_mohaa_achievements, "The 23 achievements and the latest unlocks"),
	ROUTE_INGEST("/api/v1/ingest/events", api_mohaa_ingest_events, "Ingest game events (form, lines or JSON array)"),
	ROUTE_INGEST("/api/v1/ingest/match-result", api_mohaa_ingest_match_result, "Report a match result"),
	ROUTE_GET_API("/api/v1/stats/leaderboard", api_mohaa_leaderboard, "Global leaderboard"),
	ROUTE_GET_API("/api/v1/stats/leaderboard/weekly", api_mohaa_leaderboard_weekly, "Weekly leaderboard"),
	ROUTE_GET_API("/api/v1/stats/leaderboard/weapon/{weapon}", api_mohaa_leaderboard_weapon, "Weapon leaderboard"),
	ROUTE_GET_API("/api/v1/stats/leaderboard/map/{map}", api_mohaa_leaderboard_map, "Map leaderboard"),
	ROUTE_GET_API("/api/v1/stats/leaderboard/map/{dir}/{map}", api_mohaa_leaderboard_map, "Map leaderboard (map path with a folder)"),
	ROUTE_GET_API("/api/v1/stats/player/{guid}", api_mohaa_player, "Player stats"),
	ROUTE_GET_API("/api/v1/stats/player/{guid}/matches", api_mohaa_player_matches, "Player match history"),
	ROUTE_GET_API("/api/v1/stats/player/{guid}/weapons", api_mohaa_player_weapons, "Player weapon stats"),
	ROUTE_GET_API("/api/v1/stats/player/{guid}/heatmap/{map}", api_mohaa_player_heatmap, "Player kill heat map"),
	ROUTE_GET_API("/api/v1/stats/player/{guid}/heatmap/{dir}/{map}", api_mohaa_player_heatmap, "Player kill heat map (map path with a folder)"),
	ROUTE_GET_API("/api/v1/stats/match/{matchId}", api_mohaa_match, "Match details"),
	ROUTE_GET_API("/api/v1/stats/match/{matchId}/timeline", api_mohaa_match_timeline, "Match timeline"),
	ROUTE_GET_API("/api/v1/stats/server/{serverId}", api_mohaa_server, "Server stats"),
	ROUTE_GET_API("/api/v1/stats/live", api_mohaa_live, "Active matches"),
	ROUTE_GET_API("/api/v1/stats/achievements", api_mohaa_achievements, "The achievements and their unlock counts"),
	ROUTE_END,
};

static const struct gw_job jobs[] = {
	{ "mohaa-ingest", job_mohaa_ingest,
	  "write the MOHAA ingest stream to PostgreSQL [--once | --duration S | --forever]"
	  " [--batch N] [--block-ms MS] [--match-idle S]",
	  "* * * * *", "--duration 55", 90 },
	{ "mohaa-server", job_mohaa_server,
	  "MOHAA game servers: add NAME (prints the token once) | rotate NAME | revoke NAME | list",
	  NULL, NULL, 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0 },
};

static const struct gw_nav nav[] = {
	{ "MOHAA", "/mohaa/" },
	{ "Leaderboards", "/mohaa/leaderboard" },
	{ "Achievements", "/mohaa/achievements" },
	{ NULL, NULL },
};

/* The hub card: live matches and players this week. */
static void hub_card(struct app *app, struct json_object *card)
{
	int st;
	struct json_object *s = mohaa_stats_summary(&app->db, &st);
	char line[128];
	long long live, week;
	if (!s) {
		json_object_object_add(card, "headline", json_object_new_string("Stats unavailable"));
		return;
	}
	live = json_object_get_int64(json_object_object_get(s, "live_matches"));
	week = json_object_get_int64(json_object_object_get(s, "players_this_week"));
	snprintf(line, sizeof line, "%lld live match%s, %lld player%s this week", live,
		 live == 1 ? "" : "es", week, week == 1 ? "" : "s");
	json_object_object_add(card, "headline", json_object_new_string(line));
	json_object_put(s);
}

/* /healthz: the ingest queue ("ingest": backlog, oldest waiting entry,
 * last batch); stale when an entry has waited more than 5 minutes (the
 * ingest job is not running or cannot write). */
static int health(struct app *app, struct json_object *out)
{
	struct json_object *o = json_object_new_object(), *s;
	long long backlog = mohaa_queue_depth(&app->kv), oldest = mohaa_queue_oldest_ms(&app->kv);
	int st, stale = 0;
	json_object_object_add(o, "backlog", backlog >= 0 ? json_object_new_int64(backlog) : NULL);
	if (oldest > 0) {
		long long age = (time_now_ms() - oldest) / 1000;
		json_object_object_add(o, "oldest_waiting_seconds", json_object_new_int64(age));
		stale = age > 300;
	} else {
		json_object_object_add(o, "oldest_waiting_seconds", oldest == 0 ? json_object_new_int(0) : NULL);
	}
	s = mohaa_stats_last_batch(&app->db, &st);
	json_object_object_add(o, "last_batch_at",
			       s ? json_object_get(json_object_object_get(s, "last_batch_at")) : NULL);
	json_object_put(s);
	json_object_object_add(out, "ingest", o);
	return stale;
}

const struct gw_module gw_module_mohaa = {
	.name = "mohaa",
	.title = "Medal of Honor: Allied Assault",
	.summary = "OpenMOHAA match telemetry: leaderboards, players, matches, heat maps",
	.depends = NULL,
	.routes = routes,
	.jobs = jobs,
	.nav = nav,
	.home = "/mohaa/",
	.openapi = "mohaa/openapi.json",
	.worker = { mohaa_worker_init, mohaa_worker_free },
	.hub_card = hub_card,
	.health = health,
	.metrics = mohaa_metrics,
};
