/* bzcc-mirror.h: BZCC's picture kinds for `gamewatch-job mirror`
 * (platform/assets/mirror.h), listed in the module descriptor with the
 * platform's avatar kind. Candidates, first that yields a valid picture
 * wins (docs/enrichment.md, "Mirroring"):
 *
 *   map  (key bzcc.maps.map_key) the curated registry (asset_registry
 *        "map" by map key, then "*:<lower file>" for every mod's copy of
 *        the map), the seed list image (bzcc.map_seed), getdata.php's image
 *        (bzcc.map_info), MultiplayerSessionList's Level.Image (bzcc.map_msl)
 *   mod  (key bzcc.mods.mod_id) the registry, getdata.php's mod image,
 *        GETDATA_ENDPOINT_BASE mods/<id>/mod.png (numeric Workshop ids),
 *        the Workshop preview (bzcc.mod_info), MultiplayerSessionList's
 *        Mods.*.Image (bzcc.mod_msl)
 *
 * Both are queued for curation when nothing has a picture; an entity that
 * getdata.php or MultiplayerSessionList described ("known") gets the
 * placeholder even without candidates. */
#ifndef GW_BZCC_MIRROR_H
#define GW_BZCC_MIRROR_H

#include "platform/assets/mirror.h"

extern const struct mirror_kind bzcc_mirror_map;
extern const struct mirror_kind bzcc_mirror_mod;

#endif
