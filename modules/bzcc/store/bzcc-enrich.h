/* bzcc-enrich.h: BZCC's enrichment facts in PostgreSQL (tables of
 * sql/004-enrichment.sql): the community seed list (bzcc.map_seed),
 * getdata.php's map and mod facts (bzcc.map_info, bzcc.mod_info), the
 * Workshop titles and previews (bzcc.mod_info), and the due-item queries of
 * the BZCC enrichment providers (modules/bzcc/jobs/providers.h). The pages
 * read the facts through bzcc.enrich_session() (bzcc-store.c) and the
 * history queries (bzcc-history.c).
 *
 * Every time is ms since the epoch; every statement is parameterized.
 * Functions returning int give 0 on success and -1 on a database error
 * (logged by core/db.c) unless stated otherwise. The due functions have
 * the shape of struct enrich_provider.due (platform/enrich/engine.h):
 * `force` ignores freshness, parking and backoff; at most `limit` items;
 * a new array of {"key": ...} objects, or NULL on a database error. */
#ifndef GW_BZCC_ENRICH_H
#define GW_BZCC_ENRICH_H

#include <json-c/json.h>
#include <stdint.h>

#include "db.h"

/* getdata.php's home, where relative picture paths also point (the
 * default of GETDATA_ENDPOINT_BASE). */
#define BZCC_GETDATA_BASE_DEFAULT "https://gamelistassets.iondriver.com/bzcc/"

/* The enrich_items key of the one seed-list item (kind "seed"). */
#define BZCC_SEED_KEY "vsrmaplist"

/* Upsert the seed list `maps` (rows of bzcc_seed_decode(),
 * modules/bzcc/domain/facts.h; one row per lower-cased file, the first
 * listed wins) in one statement. Returns the number of rows written or
 * -1. */
int bzcc_enrich_store_seed(struct db *db, struct json_object *maps, int64_t now_ms);

/* Upsert getdata.php's answer for `map_key` ("<mod>:<lower file>"):
 * found = 0 records "no data" (the other arguments NULL). title,
 * description (sanitized), image_url and team_names (a 2-element array)
 * may be NULL; net_vars is a JSON object or NULL. */
int bzcc_enrich_store_map_info(struct db *db, const char *map_key, int found,
			       const char *title, const char *description,
			       const char *image_url, struct json_object *net_vars,
			       struct json_object *team_names, int64_t now_ms);

/* Upsert the getdata.php facts of mods: `mods` is the "mods" array of
 * bzcc_getdata_decode() ({id, name, workshop_name, type, dependencies,
 * image_url}); Workshop columns are kept. */
int bzcc_enrich_store_mods(struct db *db, struct json_object *mods, int64_t now_ms);

/* Record the Workshop answer for one mod (found = 0: unknown or hidden;
 * title and preview_url NULL then); getdata columns are kept. */
int bzcc_enrich_store_workshop(struct db *db, const char *mod_id, int found,
			       const char *title, const char *preview_url, int64_t now_ms);

/* Keep the metadata a MultiplayerSessionList answer carried (the `meta`
 * of a decoded lobby, modules/bzcc/domain/bzcc.h; NULL: nothing): its
 * level names, descriptions, pictures and team names per map key in
 * bzcc.map_msl, its mod names and pictures in bzcc.mod_msl, and its Steam
 * and GOG nicknames and avatars through players_profiles_relay()
 * (platform/players/players.h). getdata.php and the platforms' own
 * answers win over these wherever both exist (bzcc.enrich_session); the
 * pictures become mirror candidates (bzcc-mirror.h), never links.
 * Returns 0 or -1. */
int bzcc_enrich_store_msl(struct db *db, struct json_object *meta, int64_t now_ms);

/* The seed list when it is due: [{"key": BZCC_SEED_KEY}] or []. */
struct json_object *bzcc_enrich_due_seed(struct db *db, int force, int64_t now_ms, int limit);

/* The (map, mod) pairs of bzcc.maps due for getdata.php (kind "getdata"):
 * [{"key": map_key, "file": map_file, "mod": mod_id or null}], never tried
 * first, then by next attempt, then most recently seen. */
struct json_object *bzcc_enrich_due_getdata(struct db *db, int force, int64_t now_ms,
					    int limit);

/* The Workshop mods (numeric ids of bzcc.mods) due for their Workshop
 * answer (kind "workshop"): [{"key": mod_id}], ordered as above. */
struct json_object *bzcc_enrich_due_workshop(struct db *db, int force, int64_t now_ms,
					     int limit);

#endif
