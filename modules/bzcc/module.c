/* module.c: the BZCC module's descriptor: routes, jobs, navigation,
 * worker hooks, enrichment providers and picture kinds. The one place to look for any BZCC URL's handler. */
#include "modules/bzcc/module.h"

#include <stdio.h>
#include <string.h>

#include "modules/bzcc/jobs/providers.h"
#include "modules/bzcc/store/bzcc-mirror.h"
#include "modules/bzcc/store/bzcc-store.h"
#include "platform/enrich/profiles.h"
#include "modules/bzcc/web/lobby.h"
#include "modules/bzcc/web/metrics.h"
#include "modules/bzcc/web/stream.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "timeutil.h"

/* A Team Picker action's body: {"player_steam_id": "..."} or a small form. */
#define PICKER_BODY_MAX 1024

/* Pages under /bzcc/, JSON under /api/v1/ at the paths the spec names
 * (docs/specs/bzcc-live-sessions.md). */
static const struct route routes[] = {
	ROUTE_GET_PAGE("/bzcc/", page_home, "Live sessions with filters"),
	ROUTE_GET_PAGE("/bzcc/sessions/{id}", page_session, "One session: players, teams, map"),
	ROUTE_GET_PAGE("/bzcc/join/{hex}", page_join, "Share a game: Open Graph preview, then its steam:// join link"),
	ROUTE_GET_PAGE("/bzcc/history", page_history, "Session history with filters and paging"),
	ROUTE_GET_PAGE("/bzcc/players/{id}", page_player, "Player profile: sessions, playtime"),
	ROUTE_GET_PAGE("/bzcc/maps", page_maps, "Maps by popularity"),
	ROUTE_GET_PAGE("/bzcc/maps/{key}", page_map, "One map: facts and recent sessions"),
	ROUTE_GET_PAGE("/bzcc/mods", page_mods, "Mods by popularity"),
	ROUTE_GET_PAGE("/bzcc/mods/{id}", page_mod, "One mod: facts and recent sessions"),
	ROUTE_GET_PAGE("/bzcc/analytics", page_analytics, "Players online, durations, popularity charts"),
	ROUTE_GET_API("/api/v1/sessions/current", api_sessions_current, "The current lobby (filters, gzip, ETag)"),
	ROUTE_GET_API("/api/v1/sessions/{id}", api_session, "One session, live or ended"),
	ROUTE_GET_API("/api/v1/history/summary", api_history_summary, "Sessions and players over the last minutes"),
	ROUTE_GET_API("/api/v1/history/sessions", api_history_sessions, "Session history, cursor paging, JSON or CSV"),
	ROUTE_GET_API("/api/v1/history/players/{id}", api_history_player, "A player's daily playtime"),
	ROUTE_GET_API("/api/v1/players/{id}", api_player, "A player's profile and totals"),
	ROUTE_GET_API("/api/v1/maps", api_maps, "Maps by popularity, JSON or CSV"),
	ROUTE_GET_API("/api/v1/maps/{key}", api_map, "One map"),
	ROUTE_GET_API("/api/v1/mods", api_mods, "Mods by popularity, JSON or CSV"),
	ROUTE_GET_API("/api/v1/mods/{id}", api_mod, "One mod"),
	ROUTE_GET_API("/api/v1/analytics", api_analytics, "Analytics series"),
	/* the Team Picker (web/api-picker.c): public to read, commanders act */
	{ M_GET, "/api/v1/team_picker/{session_id}", api_team_picker, ROUTE_API, ROLE_PUBLIC, false,
	  CACHE_NO_STORE, 0, RATE_READ, 0, BODY_PARSED, "A session's Team Picker: commanders, coin toss, picks, lobby" },
	{ M_POST, "/api/v1/team_picker/{session_id}/start", api_team_picker_start, ROUTE_API, ROLE_USER,
	  true, CACHE_NO_STORE, 0, RATE_WRITE, PICKER_BODY_MAX, BODY_PARSED, "A team leader starts (or restarts) the pick" },
	{ M_POST, "/api/v1/team_picker/{session_id}/coin_toss", api_team_picker_toss, ROUTE_API, ROLE_USER,
	  true, CACHE_NO_STORE, 0, RATE_WRITE, PICKER_BODY_MAX, BODY_PARSED, "A commander tosses the coin (cryptographic random)" },
	{ M_POST, "/api/v1/team_picker/{session_id}/pick", api_team_picker_pick, ROUTE_API, ROLE_USER,
	  true, CACHE_NO_STORE, 0, RATE_WRITE, PICKER_BODY_MAX, BODY_PARSED, "The commander whose turn it is picks a player" },
	{ M_POST, "/api/v1/team_picker/{session_id}/finalize", api_team_picker_finalize, ROUTE_API,
	  ROLE_USER, true, CACHE_NO_STORE, 0, RATE_WRITE, PICKER_BODY_MAX, BODY_PARSED, "A commander accepts the roster" },
	{ M_POST, "/api/v1/team_picker/{session_id}/cancel", api_team_picker_cancel, ROUTE_API, ROLE_USER,
	  true, CACHE_NO_STORE, 0, RATE_WRITE, PICKER_BODY_MAX, BODY_PARSED, "A commander cancels an unfinished pick" },
	{ M_GET, "/bzcc/sessions/{id}/team-picker", page_team_picker, ROUTE_PAGE, ROLE_PUBLIC, false,
	  CACHE_NO_STORE, 0, RATE_READ, 0, BODY_PARSED, "The Team Picker of a session, for everyone (commanders act)" },
	{ M_GET, "/api/v1/presence/in_game", api_presence_in_game, ROUTE_API, ROLE_PUBLIC, false,
	  CACHE_NO_STORE, 0, RATE_READ, 0, BODY_PARSED, "Signed-in players in live sessions, by session" },
	/* admin pages (web/page-admin.c), linked from /admin/ */
	{ M_GET, "/bzcc/admin/lobby", page_admin_lobby, ROUTE_PAGE, ROLE_ADMIN, false, CACHE_NO_STORE, 0,
	  RATE_READ, 0, BODY_PARSED, "Lobby tester: the raw lobby now, redacted, beside its decoded form" },
	{ M_GET, "/bzcc/admin/sessions", page_admin_sessions, ROUTE_PAGE, ROLE_ADMIN, false, CACHE_NO_STORE,
	  0, RATE_READ, 0, BODY_PARSED, "Sessions with filters and paging" },
	{ M_GET, "/bzcc/admin/snapshots", page_admin_snapshots, ROUTE_PAGE, ROLE_ADMIN, false,
	  CACHE_NO_STORE, 0, RATE_READ, 0, BODY_PARSED, "Session snapshots with filters and paging" },
	/* served by gamewatch-stream (docs/realtime.md); the page workers answer 503 */
	{ M_GET, "/api/v1/stream/sessions", api_stream_elsewhere, ROUTE_STREAM, ROLE_PUBLIC, false,
	  CACHE_NO_STORE, 0, RATE_NONE, 0, BODY_PARSED, "Server-Sent Events of the live lobby: snapshot, then merge patches" },
	/* admins manage the Discord webhooks */
	{ M_GET, "/bzcc/admin/webhooks", page_webhooks, ROUTE_PAGE, ROLE_ADMIN, false, CACHE_NO_STORE, 0,
	  RATE_READ, 0, BODY_PARSED, "Discord webhooks: the list and the form to add one" },
	{ M_POST, "/bzcc/admin/webhooks", page_webhooks, ROUTE_PAGE, ROLE_ADMIN, true, CACHE_NO_STORE, 0,
	  RATE_WRITE, 4096, BODY_PARSED, "Add or remove a Discord webhook" },
	/* the root URLs of the one-game app, kept as permanent redirects */
	{ M_GET, "/sessions/{id}", page_legacy_redirect, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_PUBLIC,
	  86400, RATE_READ, 0, BODY_PARSED, "Moved: /bzcc/sessions/{id}" },
	{ M_GET, "/history", page_legacy_redirect, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_PUBLIC,
	  86400, RATE_READ, 0, BODY_PARSED, "Moved: /bzcc/history" },
	{ M_GET, "/players/{id}", page_legacy_redirect, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_PUBLIC,
	  86400, RATE_READ, 0, BODY_PARSED, "Moved: /bzcc/players/{id}" },
	{ M_GET, "/maps", page_legacy_redirect, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_PUBLIC,
	  86400, RATE_READ, 0, BODY_PARSED, "Moved: /bzcc/maps" },
	{ M_GET, "/maps/{key}", page_legacy_redirect, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_PUBLIC,
	  86400, RATE_READ, 0, BODY_PARSED, "Moved: /bzcc/maps/{key}" },
	{ M_GET, "/mods", page_legacy_redirect, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_PUBLIC,
	  86400, RATE_READ, 0, BODY_PARSED, "Moved: /bzcc/mods" },
	{ M_GET, "/mods/{id}", page_legacy_redirect, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_PUBLIC,
	  86400, RATE_READ, 0, BODY_PARSED, "Moved: /bzcc/mods/{id}" },
	{ M_GET, "/analytics", page_legacy_redirect, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_PUBLIC,
	  86400, RATE_READ, 0, BODY_PARSED, "Moved: /bzcc/analytics" },
	ROUTE_END,
};

static const struct gw_job jobs[] = {
	{ "poll-bzcc", job_poll_bzcc,
	  "poll the BZCC lobby [--once | --duration SECONDS | --replay DIR]",
	  "* * * * *", "--duration 55", 90 },
	{ "rollup", job_rollup, "partitions ahead and history aggregates [--full]",
	  "*/5 * * * *", NULL, 1800 },
	{ "notify", job_notify, "Discord webhooks: post, edit, end session messages [--once | --duration SECONDS]",
	  "* * * * *", "--duration 55", 90 },
	{ "webhook", job_webhook, "manage webhooks: add URL [--hosts steam:ID,...] | list | remove ID",
	  NULL, NULL, 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0 },
};

static const struct gw_nav nav[] = {
	{ "Live", "/bzcc/" },
	{ "History", "/bzcc/history" },
	{ "Maps", "/bzcc/maps" },
	{ "Mods", "/bzcc/mods" },
	{ "Analytics", "/bzcc/analytics" },
	{ NULL, NULL },
};

/* Enrichment (`gamewatch-job enrich`, run by the platform): the seed list
 * and getdata.php first, player profiles, then the Workshop, GOG last. */
static const struct enrich_provider *const providers[] = {
	&bzcc_provider_seed,
	&bzcc_provider_getdata,
	&enrich_provider_steam,
	&bzcc_provider_workshop,
	&enrich_provider_gog,
	NULL,
};

/* Pictures (`gamewatch-job mirror`), stored under bzcc/<kind>/. */
static const struct mirror_kind *const mirror_kinds[] = {
	&bzcc_mirror_map,
	&bzcc_mirror_mod,
	&mirror_kind_avatar,
	NULL,
};

/* After enrichment or mirroring wrote names or pictures: the cached
 * current-lobby view joins them in. */
static int refresh(struct db *db, struct kv *kv, int64_t now_ms)
{
	return bzcc_cache_refresh(db, kv, now_ms) < 0 ? -1 : 0;
}

void page_legacy_redirect(struct app *app, struct req *r)
{
	struct buf to = BUF_INIT;
	(void)app;
	/* the raw path and query as sent, under /bzcc */
	buf_addstr(&to, "/bzcc");
	buf_addstr(&to, r->raw_path);
	if (r->raw_query && *r->raw_query) {
		buf_addch(&to, '?');
		buf_addstr(&to, r->raw_query);
	}
	req_redirect(r, 301, to.data);
	buf_release(&to);
}

/* The hub card: live sessions and players now. */
static void hub_card(struct app *app, struct json_object *card)
{
	struct json_object *doc, *totals, *v;
	const struct buf *json;
	char line[128];
	int sessions = 0, players = 0;
	if (bzcc_current_lobby(app, &doc, &json) < 0) {
		json_object_object_add(card, "headline", json_object_new_string("Lobby data unavailable"));
		return;
	}
	if (json_object_object_get_ex(doc, "totals", &totals)) {
		if (json_object_object_get_ex(totals, "sessions", &v))
			sessions = json_object_get_int(v);
		if (json_object_object_get_ex(totals, "players", &v))
			players = json_object_get_int(v);
	}
	snprintf(line, sizeof line, "%d live session%s, %d player%s", sessions,
		 sessions == 1 ? "" : "s", players, players == 1 ? "" : "s");
	json_object_object_add(card, "headline", json_object_new_string(line));
	if (json_object_object_get_ex(doc, "stale", &v) && json_object_get_boolean(v))
		json_object_object_add(card, "detail",
				       json_object_new_string("Stale: no successful poll recently"));
}

/* /healthz: the lobby poll's freshness ("poll", "stale_after_seconds"). */
static int health(struct app *app, struct json_object *out)
{
	struct json_object *poll = NULL, *ms;
	bool stale = true;
	if (db_ping(&app->db))
		poll = bzcc_store_poll_status(&app->db);
	if (poll && json_object_object_get_ex(poll, "last_success_ms", &ms) &&
	    json_object_is_type(ms, json_type_int))
		stale = time_now_ms() - json_object_get_int64(ms) > app->cfg.stale_after_s * 1000LL;
	if (poll)
		json_object_object_add(poll, "stale", json_object_new_boolean(stale));
	json_object_object_add(out, "poll", poll);
	json_object_object_add(out, "stale_after_seconds", json_object_new_int(app->cfg.stale_after_s));
	return stale ? 1 : 0;
}

const struct gw_module gw_module_bzcc = {
	.name = "bzcc",
	.title = "Battlezone: Combat Commander",
	.summary = "Live lobbies, session history, maps, mods and players",
	.depends = NULL,
	.routes = routes,
	.jobs = jobs,
	.nav = nav,
	.home = "/bzcc/",
	.openapi = "bzcc/openapi.json",
	.worker = { bzcc_worker_init, bzcc_worker_free },
	.hub_card = hub_card,
	.health = health,
	.metrics = bzcc_metrics,
	.enrich = { providers, mirror_kinds, refresh },
	.accounts = { bzcc_watch_kinds, bzcc_curation_kinds, bzcc_admin_nav, bzcc_profile_activity },
	.stream = { bzcc_stream_channels, bzcc_stream_init, bzcc_stream_free, bzcc_stream_room,
		    bzcc_stream_message, bzcc_stream_build },
};
