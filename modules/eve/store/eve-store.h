/* eve-store.h: the eve module's PostgreSQL storage (schema eve, migrations
 * in modules/eve/sql/). Writers are the jobs (imports, the R2Z2 follower,
 * static data, clustering); readers are the web handlers. All SQL is
 * parameterized; bulk rows go through COPY (text format, values we
 * produce ourselves: numbers, hex hashes and fixed tokens only).
 * Every function logs its own database errors. */
#ifndef GW_EVE_STORE_H
#define GW_EVE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"
#include "modules/eve/domain/eve.h"
#include "modules/eve/domain/idmap.h"

/* ------------------------------------------------------------- imports */

/* Queue at most this many distinct months per batch (flush before). */
#define EVE_IMPORT_MAX_MONTHS 64

/* Where one queued killmail's rows sit in the batch's COPY text. */
struct eve_import_row {
	int64_t killmail_id;
	int64_t time_ms;
	size_t km_off, km_len, att_off, att_len;
	bool valued;            /* carries zKillboard values */
};

/* A batch of killmails on its way in. Fill with eve_import_add and write
 * with eve_import_flush; counters accumulate over flushes. */
struct eve_import {
	struct db *db;          /* borrowed */
	const char *source;     /* what is imported (file name or feed URL), borrowed */
	struct buf km_rows;     /* COPY text for eve.killmails */
	struct buf att_rows;    /* COPY text for eve.attackers */
	struct eve_import_row *rows;
	size_t n_rows, cap_rows;
	struct idmap batch_ids; /* ids in this batch (duplicates inside a file) */
	int64_t months[EVE_IMPORT_MAX_MONTHS];     /* distinct month starts (ms) in the batch */
	int n_months;
	size_t pending;         /* killmails in the batch */
	/* totals over the import */
	long read, inserted, duplicates, rejected, refs, valued;
	/* price table for killmails without zkb values (may be empty) */
	struct idmap price_index; /* type_id -> index into prices */
	int64_t *prices;          /* hundredths per unit */
	size_t n_prices;
};

/* The killmails.source token of a shape: "esi", "r2z2", "redisq", "zkb". */
const char *eve_shape_token(enum eve_shape shape);

/* Prepare an import of `source` (borrowed: a file name or feed URL).
 * Creates the session's staging tables. Returns 0 or -1. */
int eve_import_begin(struct eve_import *imp, struct db *db, const char *source);

/* Load eve.prices into the import's price table (used for killmails that
 * carry no zkb.totalValue). Returns the number of prices, or -1. */
long eve_import_load_prices(struct eve_import *imp);

/* Queue one decoded killmail (borrowed; copied into the batch). A killmail
 * whose id is already in the batch counts as a duplicate. Returns 1 when
 * queued, 0 for a duplicate in the batch, -1 when a batch spanning more
 * than EVE_IMPORT_MAX_MONTHS months had to be flushed first and failed. */
int eve_import_add(struct eve_import *imp, const struct eve_killmail *km);

/* Write the batch in one transaction, holding an advisory lock that
 * serializes importers: monthly partitions as needed, then the ids already
 * stored are looked up and the new killmails' rows are COPYed straight into
 * eve.killmail_ids, eve.killmails and eve.attackers; known killmails that
 * had no zKillboard value get the batch's (through a staging table). Adds
 * to inserted/duplicates.
 * Returns the number inserted, or -1 (rolled back; the batch is kept). */
long eve_import_flush(struct eve_import *imp);

void eve_import_end(struct eve_import *imp);

/* Record a refused document: source (file or URL), position ("line 12",
 * "member 96992858", "entry killmails/1.json"), the reason and the first
 * 200 bytes of the document. Returns 0 or -1. */
int eve_store_rejected(struct db *db, const char *source, const char *position,
		       const char *reason, const char *doc, size_t len);

/* One line in eve.ingest_log for a finished import or feed run. */
int eve_store_ingest_log(struct db *db, const char *source, const struct eve_import *imp,
			 int64_t duration_ms, const char *first_error);

/* COPY `rows` (text format) with the statement `copy_sql` ("COPY t (...)
 * FROM STDIN"). Returns 0 or -1. */
int eve_store_copy(struct db *db, const char *copy_sql, const struct buf *rows);

/* ------------------------------------------------------------ the feed */

/* The stored sequence of `feed` (an R2Z2 base URL), 0 when none. Returns
 * 0 or -1 on a database error. */
int eve_feed_get(struct db *db, const char *feed, int64_t *sequence);

/* Remember the last processed sequence (and the failure state). */
int eve_feed_set(struct db *db, const char *feed, int64_t sequence, const char *last_error,
		 int consecutive_failures);

/* ---------------------------------------------------------- static data */

/* Types with their groups and names, for battle reports (eve_type_fn). */
struct eve_types {
	struct idmap index;     /* type_id -> row */
	struct eve_type_info *rows;
	char **names;           /* owned strings the rows point to */
	size_t n, n_names;
};

/* Load eve.types joined with eve.groups. Returns 0 or -1. */
int eve_types_load(struct db *db, struct eve_types *t);
/* The eve_type_fn over a loaded set (ctx = struct eve_types *). */
int eve_types_lookup(void *ctx, int64_t type_id, struct eve_type_info *out);
void eve_types_free(struct eve_types *t);

#endif
