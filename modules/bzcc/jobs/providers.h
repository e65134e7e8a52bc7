/* providers.h: BZCC's enrichment providers (platform/enrich/engine.h),
 * listed in the module descriptor (modules/bzcc/module.c) together with
 * the platform's Steam and GOG providers, in the order they run:
 *
 *   seed      VSR_MAPLIST_URL (vsrmaplist.json; default the copy shipped in
 *             <pkgdatadir>/seed/) into bzcc.map_seed; one item, breaker "vsr"
 *   getdata   GETDATA_ENDPOINT_BASE getdata.php?map=<lower file>&mod=<mod>
 *             per (map, mod) of bzcc.maps into bzcc.map_info, its "mods"
 *             object into bzcc.mod_info
 *   workshop  STEAM_API_BASE ISteamRemoteStorage/GetPublishedFileDetails/v1
 *             (a form POST, no key) for numeric mod ids, 100 a request, into
 *             bzcc.mod_info
 *
 * Answers are decoded by modules/bzcc/domain/facts.h and stored by
 * modules/bzcc/store/bzcc-enrich.h; sources, TTLs and outcomes are in
 * docs/enrichment.md. */
#ifndef GW_BZCC_PROVIDERS_H
#define GW_BZCC_PROVIDERS_H

#include "platform/enrich/engine.h"

extern const struct enrich_provider bzcc_provider_seed;
extern const struct enrich_provider bzcc_provider_getdata;
extern const struct enrich_provider bzcc_provider_workshop;

#endif
