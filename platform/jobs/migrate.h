/* migrate.h: the pure parts of `gamewatch-job migrate` (job-migrate.c):
 * which order owners' migrations run in, what a migration file's version
 * is, and which files of the one-folder layout it replaces.
 *
 * Layout (installed under GW_SQL_DIR, default <pkgdatadir>/sql):
 *   platform/NNN-name.sql       the platform's, applied first
 *   <module>/NNN-name.sql       each enabled module's, modules in the order
 *                               of migrate_order()
 * A file is applied once, in its own transaction, and recorded in
 * gw_migrations (module, version, file, applied_at, adopted_from), where
 * module is "platform" or the module's name and version is NNN. An applied
 * file is never edited: add a new one.
 *
 * Upgrading a database of the one-folder layout (schema_migrations(version)
 * listing "001-core.sql" ... "006-polls-rejected-index.sql"): a file whose
 * leading comment block has a line
 *   -- legacy: 003-players-history.sql[, OTHER.sql ...]
 * took over (part of) those legacy files. When every legacy file it names is
 * in schema_migrations, the file is recorded as applied without running
 * (adopted_from says from which), so nothing already applied runs twice and
 * no row is touched. schema_migrations is left as it was. */
#ifndef GW_MIGRATE_H
#define GW_MIGRATE_H

#include <stddef.h>

#include "buf.h"
#include "platform/module.h"

/* Order the NULL-terminated `mods` (registry order) so that each module
 * comes after every module named in its `depends`, and otherwise keeps
 * registry order (a depth-first walk in registry order). Writes at most
 * `cap` pointers to `out` and returns how many, or -1 with a message in
 * `err` (errlen bytes, may be 0) when a module depends on one that is not
 * in `mods` (not built or not enabled), on itself, or on a cycle, or when
 * cap is too small. */
int migrate_order(const struct gw_module *const *mods, const struct gw_module **out,
		  size_t cap, char *err, size_t errlen);

/* The version of a migration file name: its leading decimal digits, which
 * must be followed by '-' and a name ending in ".sql" ("003-x.sql" -> "003").
 * Copies it NUL-terminated into `ver` (vercap bytes) and returns 0, or
 * returns -1 when `file` is not a migration name or the digits do not fit. */
int migrate_version(const char *file, char *ver, size_t vercap);

/* The legacy files named by "-- legacy:" lines in the leading comment block
 * of `sql` (lines that are blank or start with "--", up to the first other
 * line). Names are separated by commas and/or spaces and must themselves be
 * migration names (migrate_version() accepts them). Appends them to `out`
 * joined by ',' (no spaces) and returns how many (0: none), or -1 when a
 * name is malformed. */
int migrate_legacy_names(const char *sql, struct buf *out);

#endif
