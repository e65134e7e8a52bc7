/* bzcc-sources.h: the status of each lobby source the poller reads
 * (bzcc.poll_sources, sql/006-parity.sql): RAKNET_URL as "raknet",
 * MSL_URL as "msl" (docs/bzcc-format.md 10). bzcc_store_poll_status()
 * (bzcc-store.h) serves them as poll.sources. */
#ifndef GW_BZCC_SOURCES_H
#define GW_BZCC_SOURCES_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* One attempt to read a source. */
struct bzcc_source_attempt {
	const char *name;             /* "raknet" or "msl" */
	const char *url;              /* as configured; stored masked (http_url_redact) */
	bool ok;                      /* fetched and decoded */
	bool fresh;                   /* (ok only) its own list server's copy is current */
	const char *error;            /* (not ok) the one-line reason */
	int64_t upstream_updated_ms;  /* what the answer says of its list server; -1 unknown */
	int sessions;                 /* (ok only) sessions it listed */
};

/* Record an attempt at now_ms. The stored status is "ok" (read, fresh),
 * "stale" (read but not fresh, or failing while the last success is at
 * most stale_after_s old) or "down" (failing longer, or never read); the
 * last success, the last error (kept after recovery) and the consecutive
 * failures are kept. Returns 0 or -1. */
int bzcc_sources_record(struct db *db, int64_t now_ms, const struct bzcc_source_attempt *a,
			int stale_after_s);

#endif
