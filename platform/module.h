/* module.h: what a game module exports to the platform.
 *
 * A module is a folder modules/<name>/ (docs/ARCHITECTURE.md, "Adding a
 * module"). It exports exactly one `const struct gw_module gw_module_<name>`
 * and is listed once in modules/registry.am, from which the build generates
 * the registry array below. The platform never includes a module's headers
 * and no module includes another's: everything the platform needs to know
 * about a module is in its descriptor.
 *
 * Anchors: cgit's command table (cmd.c: one static row per page, checked
 * centrally), lighttpd's plugin init (a module hands the server a struct of
 * hooks), PostgreSQL extensions (a module owns its schema and migrations). */
#ifndef GW_MODULE_H
#define GW_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "platform/web/route.h"

struct app;
struct buf;
struct db;
struct enrich_provider;
struct json_object;
struct kv;
struct mirror_kind;
struct req;
struct signin_provider;

/* A job run by `gamewatch-job NAME [options]`, by cron in production and by
 * the ./dev scheduler in development; both schedules are generated from
 * these rows (`gamewatch-job schedule`). fn returns a process exit code: 0
 * success, 1 failure (logged), 2 usage or configuration error. */
struct gw_job {
	const char *name;      /* "poll-<module>": unique over all modules */
	int (*fn)(const struct cfg *cfg, int argc, char **argv);
	const char *usage;     /* one line: what it does and its options */
	const char *schedule;  /* five cron fields ("* * * * *"), NULL: run by hand only */
	const char *cron_args; /* arguments cron passes ("--duration 55"), may be NULL */
	int timeout_s;         /* the scheduler stops a run after this long (0: no limit) */
};

/* A link in the site navigation of the module's pages. */
struct gw_nav {
	const char *label;     /* "Live" */
	const char *href;      /* "/<module>/" */
};

/* Per-worker hooks, called in the web worker around its accept loop.
 * init returns 0, or -1 (logged) to refuse to start the worker; its state
 * pointer is kept in app->module_state[index] and given back to free. */
struct gw_worker_hooks {
	int (*init)(struct app *app, void **state);
	void (*free)(struct app *app, void *state);
};

/* What a module plugs into the platform's enrichment and picture jobs
 * (`gamewatch-job enrich`, `mirror`, `asset-sweep`). Each list is
 * NULL-terminated and may be NULL; it may name the platform's own rows
 * (Steam and GOG profiles in platform/enrich/profiles.h, player avatars in
 * platform/assets/mirror.h) at the place the module wants them run. Over
 * all enabled modules, each name runs once, in registry then list order. */
struct gw_enrich_hooks {
	const struct enrich_provider *const *providers; /* platform/enrich/engine.h */
	const struct mirror_kind *const *mirror_kinds;   /* platform/assets/mirror.h; stored
							    under <module name>/<kind name>/ */
	/* Rebuild the module's cached views after one of those jobs wrote
	 * something its pages show. Returns 0, or -1 (the job logs it and
	 * carries on). May be NULL. */
	int (*refresh)(struct db *db, struct kv *kv, int64_t now_ms);
};

/* A kind of thing of a module a signed-in user may put on their watchlist
 * (platform/accounts: user_watchlist rows are (module, kind, key)). */
struct gw_watch_kind {
	const char *kind;        /* "session", "host", "map", "mod" */
	const char *label;       /* "Session" */
	const char *href_prefix; /* the page of one: href_prefix + the key, URL-encoded
				  * as one path segment ("/<module>/maps/") */
};

/* An entity kind of a module whose facts users may propose corrections to
 * and curators approve (platform/admin/curation.h). Approved text fields
 * land in curated_facts (module, kind, key), which the module's own SQL
 * prefers over what enrichment found; an approved picture becomes the
 * entity's registry source and its asset link, so the kind's name must be
 * the module's picture kind (struct mirror_kind.name) when pictures are
 * allowed. */
struct gw_curation_kind {
	const char *kind;          /* "map": entity kind, also asset_links.entity_kind */
	const char *label;         /* "Map" */
	const char *const *fields; /* NULL-terminated text fields a proposal may set ("title", ...) */
	int pictures;              /* 1: a candidate picture may be uploaded */
	/* The entity as shown now: a new object {"label": display name,
	 * "href": its public page, "fields": {field: current value or null},
	 * "image_url": its picture or null}, or NULL with *err 0 when there is
	 * no such entity and *err -1 on a database error. `cdn` is
	 * ASSETS_CDN_BASE (assets_cdn_base()). */
	struct json_object *(*current)(struct db *db, const char *key, const char *cdn, int *err);
};

/* What a module offers the platform's accounts and admin pages; every
 * member may be NULL. */
struct gw_account_hooks {
	const struct gw_watch_kind *watch_kinds;       /* terminated by kind NULL */
	const struct gw_curation_kind *curation_kinds; /* terminated by kind NULL */
	const struct gw_nav *admin_nav;                /* the module's ROLE_ADMIN pages, linked
							* from /admin/ (terminated by label NULL) */
	/* The public profile's activity in this module for a user's sign-in
	 * identities (`identities`: array of {"provider", "external_id"},
	 * borrowed): a new object {"title": "Recent games",
	 * "items": [{"label", "href", "when" (RFC 3339) or null, "detail"}]},
	 * or NULL when the module has nothing to show (or on an error,
	 * logged). */
	struct json_object *(*profile)(struct app *app, struct json_object *identities);
	/* Sign-in providers the module brings (platform/accounts/provider.h),
	 * NULL-terminated, may be NULL: served at /auth/<name> beside the
	 * platform's own, offered on /login and /account. Names must not clash
	 * with another provider's (the first found wins). */
	const struct signin_provider *const *signin_providers;
};

/* A module's own access rules for its route rows (route.h ROLE_MODULE):
 * a row with role ROLE_MODULE + i is decided by rules[i]. */
struct gw_access_hooks {
	/* The rules' names as the route list prints them ("battle-intel:user"),
	 * NULL-terminated. */
	const char *const *rules;
	/* May the client of `r` reach a row of rule `rule` (an index into
	 * rules)? Called by the dispatcher (guard_role) after the rate limit,
	 * before the body is read; may load the signed-in user
	 * (platform/accounts/accounts.h acct_current). Returns 0, 401 (an
	 * account is needed: not signed in), 403 (signed in without the
	 * rule's access) or 503 (the database could not be asked). */
	int (*check)(struct app *app, struct req *r, int rule);
};

/* What gamewatch-stream (platform/stream/, docs/realtime.md) needs from a
 * module that has rooms. A room is a named JSON document that clients
 * follow over Server-Sent Events: a snapshot on connect, then RFC 7396
 * merge patches after each change. Rows of kind ROUTE_STREAM name the
 * rooms in their URL: the {room} argument of the row, else the pattern's
 * text after "/api/v1/stream/" ("/api/v1/stream/sessions" is the room
 * "sessions"); the platform's "/api/v1/stream/rooms/{room}" asks every
 * enabled module's `room` hook in registry order. */
struct gw_stream_env {
	const struct cfg *cfg;
	struct kv *kv;       /* a command connection to Redis (never the subscriber) */
	void *state;         /* the module's per-process state, set by init */
};

struct gw_stream_hooks {
	/* Redis pub/sub channels on which the module's jobs announce committed
	 * changes, NULL-terminated; NULL: the module has no rooms. */
	const char *const *channels;
	/* Per stream process: set env->state; return 0, or -1 (logged) to
	 * leave the module's rooms out. free may be NULL. */
	int (*init)(struct gw_stream_env *env);
	void (*free)(struct gw_stream_env *env);
	/* Is `room` the module's: 1 yes, 0 not the module's, -1 the module's
	 * kind of room but malformed (a 400). Pure. */
	int (*room)(const char *room);
	/* A message arrived on one of the channels (channel and payload NULL:
	 * messages may have been missed, e.g. after a reconnection, or the
	 * periodic check every 30 s). Return 1 when the rooms may have changed
	 * (the server then calls build for each of the module's open rooms),
	 * 0 when not. */
	int (*message)(struct gw_stream_env *env, const char *channel, const char *payload,
		       size_t len);
	/* The current document of `room`: a new object without null members
	 * (json_strip_nulls, platform/stream/jsondiff.h), with the version of
	 * the source it was built from in *version (> 0, growing with every
	 * change: it becomes the event id). NULL when the source is unavailable
	 * (the room keeps its document; a new client gets 503). */
	struct json_object *(*build)(struct gw_stream_env *env, const char *room, long long *version);
};

struct gw_module {
	const char *name;              /* lower case: URL prefix /<name>/, migrations key, job prefix */
	const char *title;             /* "Battlezone: Combat Commander" */
	const char *summary;           /* one line for the hub page */
	const char *const *depends;    /* modules whose migrations must come first, NULL-terminated; may be NULL */
	const struct route *routes;    /* terminated by a row with pattern NULL */
	const struct gw_job *jobs;     /* terminated by a row with name NULL; may be NULL */
	const struct gw_nav *nav;      /* terminated by a row with label NULL; may be NULL */
	const char *home;              /* the module's front page ("/<name>/") */
	/* Its OpenAPI 3.1 fragment (paths, components, tags of its JSON
	 * endpoints), a path under the installed OpenAPI directory
	 * ("<name>/openapi.json"; platform/web/openapi.h); NULL when the module
	 * has no ROUTE_API rows. */
	const char *openapi;
	struct gw_worker_hooks worker;
	/* Fill `card` (a JSON object) with the module's live summary for the hub
	 * page: {"headline": "...", "detail": "..."}. May be NULL. */
	void (*hub_card)(struct app *app, struct json_object *card);
	/* Add the module's freshness keys to the /healthz object `out`; return
	 * 0 when its data is fresh, 1 when stale (/healthz then answers 503,
	 * status "stale": platform/web/api-health.c).
	 * May be NULL. */
	int (*health)(struct app *app, struct json_object *out);
	/* Append the module's own metric families to `out` in the Prometheus
	 * text format (platform/web/prom.h), named gamewatch_<module>_...,
	 * from what app->db holds. Called when a web worker refreshes its cache
	 * of the database-derived part of /metrics (at most every
	 * GW_METRICS_CACHE_SECONDS, platform/web/metrics.h), not per scrape. A
	 * table that does not exist yet, or a failed query, writes nothing for
	 * its families. May be NULL. */
	void (*metrics)(struct app *app, struct buf *out);
	/* Enrichment providers, mirrored picture kinds, cache refresh. */
	struct gw_enrich_hooks enrich;
	/* Watchlist kinds, curation kinds, admin pages, profile activity. */
	struct gw_account_hooks accounts;
	/* Rooms served by gamewatch-stream (zeroed: none). */
	struct gw_stream_hooks stream;
	/* Access rules of its rows beyond the platform's roles (zeroed: none). */
	struct gw_access_hooks access;
};

/* The registry: every module built in, generated from modules/registry.am
 * (modules-registry.c in the build directory), terminated by NULL. */
extern const struct gw_module *const gw_modules_built[];

/* The enabled modules: GW_MODULES (comma-separated names; default every
 * built module) in registry order, terminated by NULL. Unknown names are
 * logged and ignored. The array is static and computed once per process. */
const struct gw_module *const *gw_modules(void);

/* The enabled module named `name`, or NULL. */
const struct gw_module *gw_module_find(const char *name);

/* Number of enabled modules. */
size_t gw_modules_count(void);

#endif
