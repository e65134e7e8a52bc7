/* mirror.h: the picture kinds `gamewatch-job mirror` copies to our own
 * storage, and how a module describes one.
 *
 * The engine (job-mirror.c) is the platform's: for each due entity it tries
 * the candidate URLs in order, links a URL mirrored before without a
 * fetch, else fetches it through the picture host's circuit breaker,
 * validates it by decoding (core/img.h), stores it content-addressed
 * (assets.h) and links it (asset_links); it backs off, parks, puts the
 * placeholder and queues curation as docs/enrichment.md says. What a kind
 * contributes is only which entities exist and their candidate URLs, in
 * order: the module knows where its pictures come from.
 *
 * A module lists its kinds in its descriptor (struct gw_module.enrich
 * .mirror_kinds, platform/module.h); the kinds of a module are stored under
 * "<module name>/<kind name>/<sha256>.<ext>". A kind's name is also the
 * asset_links.entity_kind of its entities, and "mirror:<name>" the
 * enrich_items.kind of their mirror state; over all enabled modules each
 * name runs once (the first module listing it decides its storage
 * folder). */
#ifndef GW_MIRROR_H
#define GW_MIRROR_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct mirror_kind {
	const char *name;     /* "map": entity kind, --only name */
	/* Queue an entity for a person when no candidate has a picture (a map
	 * without any picture is worth a look; a player without an avatar is
	 * not). Entities parked after failures are always queued. */
	int curate_absent;
	/* The due entities of this kind, most urgent first, at most `limit`:
	 * a new array of {"key": entity key, "cands": [{"via", "url"}...] in
	 * order, "sig": signature of the candidate list, "prev_sig": the one
	 * last tried or null}, or NULL on a database error. Implemented with
	 * mirror_due_rows(). */
	struct json_object *(*due)(struct db *db, int force, int64_t now_ms, int limit);
};

/* A picture kind enabled in this process, with its storage folder. */
struct mirror_kind_slot {
	const struct mirror_kind *k;
	char dir[128];  /* "<module>/<kind>": where assets_put() stores its pictures */
};

/* The kinds of the enabled modules, each name once, in registry then list
 * order (the first module listing a name gives its folder). Returns a new
 * array (free() it; NULL when *n is 0) of *n slots. */
struct mirror_kind_slot *mirror_kinds_enabled(size_t *n);

/* Make every entity linked to the picture `sha` due for mirroring again at
 * once, with a fresh attempt count (the sweep found the stored file bad or
 * missing). Returns 0 or -1. */
int mirror_redo(struct db *db, const char *sha);

/* The candidate list of one entity as a jsonb array expression, for the
 * candidates query of mirror_due_rows(): `values` is a VALUES list of
 * (order, via, url) rows, e.g.
 *   MIRROR_CANDIDATES("(1, 'registry', " MIRROR_REGISTRY("map", "m.map_key") "),"
 *                     " (2, 'seed', ms.image_url)")
 * Rows whose url is NULL or empty are left out. */
#define MIRROR_CANDIDATES(values)                                                  \
	"(SELECT coalesce(jsonb_agg(jsonb_build_object('via', v.via, 'url', v.url)"   \
	" ORDER BY v.ord), '[]'::jsonb) FROM (VALUES " values ") v(ord, via, url)"    \
	" WHERE v.url IS NOT NULL AND v.url <> '')"

/* The curated source (asset_registry) of an entity of kind `kind` (a SQL
 * string literal's content) whose key is the SQL expression `key`. */
#define MIRROR_REGISTRY(kind, key)                                                 \
	"(SELECT source_url FROM asset_registry r"                                   \
	" WHERE r.entity_kind = '" kind "' AND r.entity_key = " key ")"

/* The due entities of kind `kind` from a module's candidates query.
 * `candidates_sql` is a SELECT with the columns key (text), known (boolean:
 * the upstream has answered about it, so it is worth a placeholder even
 * without candidates) and cands (jsonb, MIRROR_CANDIDATES); it may use $5
 * onwards for `extra` (n_extra values, borrowed; $1..$4 are the
 * wrapper's). An entity is due when it
 * has candidates or is known, and it was never tried, its candidate list
 * changed since (its signature: md5 of the list's text), or its next
 * attempt has come; `force`: all. Never tried first, then by next attempt.
 * Returns rows as struct mirror_kind.due does, or NULL on a database
 * error. */
struct json_object *mirror_due_rows(struct db *db, const char *kind, int force,
				    int64_t now_ms, int limit, const char *candidates_sql,
				    int n_extra, const char *const *extra);

/* The platform's kind "avatar": the avatar of each player profile
 * (player_profiles, key "<provider>:<external id>"), candidates the
 * registry then the profile's avatar URL; never queued for curation. A
 * module whose pages show avatars lists it. */
extern const struct mirror_kind mirror_kind_avatar;

#endif
