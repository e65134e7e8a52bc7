/* job-migrate.c: `gamewatch-job migrate`: apply the platform's migrations,
 * then each enabled module's, once each, recorded as (module, version) in
 * gw_migrations; adopt the files a one-folder database already applied
 * (platform/jobs/migrate.h describes the layout and the upgrade). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "log.h"
#include "platform/jobs/job.h"
#include "platform/jobs/migrate.h"
#include "platform/module.h"

#define MAX_OWNERS 33 /* the platform and MAX_MODULES (modules.c) */

/* ------------------------------------------------------------ pure parts */

static int find_mod(const struct gw_module *const *mods, const char *name)
{
	int i;
	for (i = 0; mods[i]; i++)
		if (!strcmp(mods[i]->name, name))
			return i;
	return -1;
}

/* state: 0 unvisited, 1 on the current path, 2 placed */
static int visit(const struct gw_module *const *mods, int i, unsigned char *state,
		 const struct gw_module **out, size_t cap, size_t *n, char *err, size_t errlen)
{
	const char *const *d;
	if (state[i] == 2)
		return 0;
	if (state[i] == 1) {
		snprintf(err, errlen, "module \"%s\" is part of a dependency cycle", mods[i]->name);
		return -1;
	}
	state[i] = 1;
	for (d = mods[i]->depends; d && *d; d++) {
		int j = find_mod(mods, *d);
		if (j < 0) {
			snprintf(err, errlen, "module \"%s\" depends on \"%s\", which is not enabled",
				 mods[i]->name, *d);
			return -1;
		}
		if (visit(mods, j, state, out, cap, n, err, errlen) < 0)
			return -1;
	}
	if (*n >= cap) {
		snprintf(err, errlen, "too many modules");
		return -1;
	}
	out[(*n)++] = mods[i];
	state[i] = 2;
	return 0;
}

int migrate_order(const struct gw_module *const *mods, const struct gw_module **out,
		  size_t cap, char *err, size_t errlen)
{
	unsigned char *state;
	size_t count = 0, n = 0, i;
	int ret = 0;
	char dummy[1];
	if (!errlen) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	while (mods[count])
		count++;
	state = calloc(count + 1, 1);
	if (!state)
		abort();
	for (i = 0; i < count && ret == 0; i++)
		ret = visit(mods, (int)i, state, out, cap, &n, err, errlen);
	free(state);
	return ret < 0 ? -1 : (int)n;
}

int migrate_version(const char *file, char *ver, size_t vercap)
{
	size_t d = 0, n = strlen(file);
	while (isdigit((unsigned char)file[d]))
		d++;
	if (d == 0 || file[d] != '-' || n < d + 1 + 1 + 4 || strcmp(file + n - 4, ".sql") ||
	    strchr(file, '/') || d + 1 > vercap)
		return -1;
	memcpy(ver, file, d);
	ver[d] = '\0';
	return 0;
}

int migrate_legacy_names(const char *sql, struct buf *out)
{
	const char *p = sql;
	int count = 0;
	while (*p) {
		const char *eol = strchr(p, '\n'), *s = p;
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *end = p + len;
		while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		if (s < end && !(end - s >= 2 && s[0] == '-' && s[1] == '-'))
			break; /* the first statement line ends the header */
		if (end - s >= 2) {
			s += 2;
			while (s < end && (*s == ' ' || *s == '\t'))
				s++;
			if ((size_t)(end - s) >= 7 && !strncmp(s, "legacy:", 7)) {
				s += 7;
				for (;;) {
					const char *w;
					char name[256], ver[16];
					while (s < end && (*s == ' ' || *s == '\t' || *s == ',' || *s == '\r'))
						s++;
					if (s >= end)
						break;
					w = s;
					while (s < end && *s != ' ' && *s != '\t' && *s != ',' && *s != '\r')
						s++;
					if ((size_t)(s - w) >= sizeof name)
						return -1;
					memcpy(name, w, (size_t)(s - w));
					name[s - w] = '\0';
					if (migrate_version(name, ver, sizeof ver) < 0)
						return -1;
					if (count++)
						buf_addch(out, ',');
					buf_addstr(out, name);
				}
			}
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return count;
}

/* ------------------------------------------------------------ the job */

struct mfile {
	const char *owner;  /* "platform" or a module's name (static) */
	char version[16];
	char *file;         /* "003-enrichment.sql" */
};

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct mfile *)a)->file, ((const struct mfile *)b)->file);
}

/* Append owner's files (sorted) to *files; a module may have none (no
 * folder), the platform must have its folder. Returns 0 or -1 (logged). */
static int list_owner(const char *sql_dir, const char *owner, int required,
		      struct mfile **files, size_t *n)
{
	struct buf dir = BUF_INIT;
	struct dirent *de;
	size_t first = *n, i;
	DIR *d;
	buf_addf(&dir, "%s/%s", sql_dir, owner);
	d = opendir(dir.data);
	if (!d) {
		int missing = errno == ENOENT;
		if (missing && !required) {
			buf_release(&dir);
			return 0;
		}
		log_error("could not open migrations directory %s: %s", dir.data, strerror(errno));
		buf_release(&dir);
		return -1;
	}
	while ((de = readdir(d))) {
		struct mfile *f;
		char ver[16];
		if (de->d_name[0] == '.' || migrate_version(de->d_name, ver, sizeof ver) < 0)
			continue;
		*files = realloc(*files, (*n + 1) * sizeof **files);
		if (!*files)
			abort();
		f = &(*files)[(*n)++];
		f->owner = owner;
		memcpy(f->version, ver, sizeof ver);
		f->file = strdup(de->d_name);
		if (!f->file)
			abort();
	}
	closedir(d);
	qsort(*files + first, *n - first, sizeof **files, cmp_file);
	for (i = first + 1; i < *n; i++)
		if (!strcmp((*files)[i].version, (*files)[i - 1].version)) {
			log_error("%s: %s and %s have the same version %s", dir.data,
				  (*files)[i - 1].file, (*files)[i].file, (*files)[i].version);
			buf_release(&dir);
			return -1;
		}
	buf_release(&dir);
	return 0;
}

static int read_file(const char *sql_dir, const struct mfile *f, struct buf *sql)
{
	struct buf path = BUF_INIT;
	int ret;
	buf_addf(&path, "%s/%s/%s", sql_dir, f->owner, f->file);
	ret = buf_read_file(sql, path.data, 0);
	if (ret < 0)
		log_error("could not read migration %s: %s", path.data, strerror(errno));
	buf_release(&path);
	return ret < 0 ? -1 : 0;
}

/* 1 when (owner, version) is recorded, 0 when not, -1 on error. */
static int recorded(struct db *db, const struct mfile *f)
{
	const char *params[] = { f->owner, f->version };
	PGresult *res = db_exec(db, "SELECT 1 FROM gw_migrations WHERE module = $1 AND version = $2",
				2, params);
	int done;
	if (!res)
		return -1;
	done = PQntuples(res) > 0;
	PQclear(res);
	return done;
}

/* Apply one file and record it, in one transaction. */
static int apply(struct db *db, const char *sql_dir, const struct mfile *f)
{
	struct buf sql = BUF_INIT;
	const char *params[] = { f->owner, f->version, f->file };
	PGresult *res;
	int ret = -1;

	if (read_file(sql_dir, f, &sql) < 0)
		goto out;
	if (db_begin(db) < 0)
		goto out;
	/* a migration file is our own multi-statement SQL, not input: PQexec */
	res = PQexec(db->conn, sql.data);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_error("migration %s/%s failed: %s", f->owner, f->file, PQresultErrorMessage(res));
		PQclear(res);
		db_rollback(db);
		goto out;
	}
	PQclear(res);
	if (db_run(db, "INSERT INTO gw_migrations (module, version, file) VALUES ($1, $2, $3)",
		   3, params) < 0 || db_commit(db) < 0) {
		db_rollback(db);
		goto out;
	}
	log_info("applied migration %s/%s", f->owner, f->file);
	ret = 0;
out:
	buf_release(&sql);
	return ret;
}

/* The one-folder layout's table, when this database has it: record every
 * file whose legacy files are all listed there. Returns the number adopted,
 * or -1 (logged). */
static int adopt_legacy(struct db *db, const char *sql_dir, const struct mfile *files, size_t n)
{
	PGresult *res;
	size_t i;
	int has, adopted = 0;

	res = db_exec(db, "SELECT to_regclass('public.schema_migrations') IS NOT NULL", 0, NULL);
	if (!res)
		return -1;
	has = !strcmp(PQgetvalue(res, 0, 0), "t");
	PQclear(res);
	if (!has)
		return 0;
	if (db_begin(db) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct buf sql = BUF_INIT, legacy = BUF_INIT;
		char count[16];
		int k, done = recorded(db, &files[i]);
		if (done < 0)
			goto fail;
		if (done)
			continue;
		if (read_file(sql_dir, &files[i], &sql) < 0)
			goto fail;
		k = migrate_legacy_names(sql.data, &legacy);
		buf_release(&sql);
		if (k < 0) {
			log_error("migration %s/%s: malformed \"-- legacy:\" line", files[i].owner,
				  files[i].file);
			buf_release(&legacy);
			goto fail;
		}
		if (k == 0) {
			buf_release(&legacy);
			continue;
		}
		snprintf(count, sizeof count, "%d", k);
		{
			/* every named legacy file applied: record, do not run */
			const char *params[] = { files[i].owner, files[i].version, files[i].file,
						 legacy.data, count };
			res = db_exec(db,
				      "INSERT INTO gw_migrations (module, version, file, applied_at, adopted_from)"
				      " SELECT $1, $2, $3, max(applied_at), $4 FROM schema_migrations"
				      "  WHERE version = ANY (string_to_array($4, ','))"
				      " HAVING count(*) = $5::int",
				      5, params);
			if (!res) {
				buf_release(&legacy);
				goto fail;
			}
			if (strcmp(PQcmdTuples(res), "0")) {
				log_info("recorded %s/%s as applied (legacy %s)", files[i].owner,
					 files[i].file, legacy.data);
				adopted++;
			}
			PQclear(res);
		}
		buf_release(&legacy);
	}
	if (db_commit(db) < 0)
		goto fail;
	return adopted;
fail:
	db_rollback(db);
	return -1;
}

int job_migrate(const struct cfg *cfg, int argc, char **argv)
{
	const struct gw_module *order[MAX_OWNERS];
	struct mfile *files = NULL;
	size_t n = 0, i;
	struct db db;
	char err[256];
	int k, nmods, applied = 0, adopted, ret = 1;

	if (argc > 1) {
		fprintf(stderr, "usage: gamewatch-job migrate\n");
		return 2;
	}
	(void)argv;
	/* platform first, then the enabled modules, dependencies first */
	nmods = migrate_order(gw_modules(), order, MAX_OWNERS, err, sizeof err);
	if (nmods < 0) {
		log_error("%s", err);
		return 2;
	}
	if (list_owner(cfg->sql_dir, "platform", 1, &files, &n) < 0)
		goto usage_out;
	for (k = 0; k < nmods; k++)
		if (list_owner(cfg->sql_dir, order[k]->name, 0, &files, &n) < 0)
			goto usage_out;

	if (db_open(&db, cfg->database_url) < 0) {
		db_close(&db);
		goto free_out;
	}
	/* one migrator at a time: a session-level advisory lock */
	if (db_run(&db, "SELECT pg_advisory_lock(7263001)", 0, NULL) < 0 ||
	    db_run(&db, "CREATE TABLE IF NOT EXISTS gw_migrations ("
			" module text NOT NULL,"
			" version text NOT NULL,"
			" file text NOT NULL,"
			" applied_at timestamptz NOT NULL DEFAULT now(),"
			" adopted_from text,"
			" PRIMARY KEY (module, version))", 0, NULL) < 0)
		goto out;
	adopted = adopt_legacy(&db, cfg->sql_dir, files, n);
	if (adopted < 0)
		goto out;
	for (i = 0; i < n; i++) {
		int done = recorded(&db, &files[i]);
		if (done < 0)
			goto out;
		if (done)
			continue;
		if (apply(&db, cfg->sql_dir, &files[i]) < 0)
			goto out;
		applied++;
	}
	log_info("migrations up to date (%d applied, %d adopted from schema_migrations, %zu known)",
		 applied, adopted, n);
	ret = 0;
out:
	db_close(&db);
free_out:
	for (i = 0; i < n; i++)
		free(files[i].file);
	free(files);
	return ret;
usage_out:
	ret = 2;
	goto free_out;
}
