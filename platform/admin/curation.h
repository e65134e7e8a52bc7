/* curation.h: corrections people propose to a module's entities, and what
 * curators make of them (tables curation_proposals and curated_facts,
 * platform 006; the entity kinds come from the modules,
 * struct gw_curation_kind in platform/module.h).
 *
 * A proposal holds new values of some text fields and/or a candidate
 * picture. The picture is validated exactly as a mirrored one (decoded by
 * core/img.h under the mirror's limits) and stored content-addressed
 * (platform/assets/assets.h) under the kind's picture folder with the
 * source "upload:<sha256>", but linked to nothing until approved.
 *
 * Approving, in one transaction with its audit entry: the fields are merged
 * into curated_facts (the module's SQL prefers them to enrichment); the
 * picture becomes the entity's registry source (asset_registry, tried
 * first by the mirror, which links an "upload:" source it already has
 * without a fetch) and its asset link at once, and the entity leaves the
 * placeholder queue. Then the module's enrich.refresh rebuilds its cached
 * views, so the change is live on the public pages. Rejecting records the
 * decision. Re-mirroring an entity makes its picture item due now with a
 * fresh attempt count (the mirror job takes it on its next run). */
#ifndef GW_CURATION_H
#define GW_CURATION_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct req;

#define CURATION_FIELD_MAX 4000 /* bytes of one proposed text field */
#define CURATION_NOTE_MAX 2000

/* Record a proposal by `user_id`: `fields` a JSON object of field -> text
 * (borrowed; may be empty when image_sha is set), image_sha a stored
 * picture's SHA-256 or NULL, note may be NULL. Returns the new id or -1. */
int64_t curation_propose(struct db *db, int64_t user_id, const char *module, const char *kind,
			 const char *key, struct json_object *fields, const char *image_sha,
			 const char *note);

/* Proposals, newest first: status "pending" (oldest first instead), or
 * NULL for the last `limit` reviewed ones. A new array of {"id", "module",
 * "entity_kind", "entity_key", "fields", "image_sha256", "image_url" (under
 * `cdn`), "note", "status", "proposed_by", "proposer", "created_at",
 * "reviewer", "reviewed_at", "review_note"}, or NULL on a database error. */
struct json_object *curation_list(struct db *db, const char *status, int limit, const char *cdn);

/* The entities left with a placeholder picture (curation_queue, unresolved),
 * most recent first: a new array of {"entity_kind", "entity_key", "reason",
 * "last_at"}, or NULL. */
struct json_object *curation_queue_open(struct db *db, int limit);

/* Approve (approve true) or reject proposal `id` as the signed-in user of
 * `r`, with an optional review note, writing the audit entry in the same
 * transaction. Returns 0 (the proposal's module in module_out, its kind and
 * key in kind_out/key_out, each malloc'd: free them), 404 (no such
 * proposal), 409 (already reviewed), or 503 (database) with a reason. */
int curation_review(struct db *db, const struct req *r, int64_t id, bool approve,
		    const char *review_note, char **module_out, char **kind_out, char **key_out,
		    char *err, size_t errlen);

/* Make the picture of (kind, key) due for mirroring now with a fresh
 * attempt count, and audit it. Returns 0 or -1. */
int curation_remirror(struct db *db, const struct req *r, const char *module, const char *kind,
		      const char *key);

#endif
