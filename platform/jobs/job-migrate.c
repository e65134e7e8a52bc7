/* job-migrate.c: apply sql/NNN-name.sql migrations in order, once each.
 * Applied files are recorded in schema_migrations; an applied migration is
 * never edited (add a new file instead). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "platform/jobs/job.h"
#include "log.h"
#include "platform/module.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_migration(const char *name)
{
	size_t n = strlen(name);
	return n > 8 && name[0] >= '0' && name[0] <= '9' && !strcmp(name + n - 4, ".sql");
}

/* Apply one file inside its own transaction. */
static int apply(struct db *db, const char *dir, const char *name)
{
	struct buf path = BUF_INIT, sql = BUF_INIT;
	const char *params[] = { strrchr(name, '/') + 1 };
	PGresult *res;
	int ret = -1;

	buf_addf(&path, "%s/%s", dir, name);
	if (buf_read_file(&sql, path.data, 0) < 0) {
		log_error("could not read migration %s: %s", path.data, strerror(errno));
		goto out;
	}
	if (db_begin(db) < 0)
		goto out;
	/* a migration file is our own multi-statement SQL, not input: PQexec */
	res = PQexec(db->conn, sql.data);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_error("migration %s failed: %s", name, PQresultErrorMessage(res));
		PQclear(res);
		db_rollback(db);
		goto out;
	}
	PQclear(res);
	if (db_run(db, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, params) < 0 ||
	    db_commit(db) < 0) {
		db_rollback(db);
		goto out;
	}
	log_info("applied migration %s", name);
	ret = 0;
out:
	buf_release(&path);
	buf_release(&sql);
	return ret;
}

int job_migrate(const struct cfg *cfg, int argc, char **argv)
{
	struct db db;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	int applied = 0, ret = 1;

	(void)argc;
	(void)argv;
	if (db_open(&db, cfg->database_url) < 0) {
		db_close(&db);
		return 1;
	}
	/* platform first, then each enabled module in registry order */
	{
		const struct gw_module *const *m = gw_modules();
		const char *owner = "platform";
		for (;;) {
			size_t first = n;
			struct buf dir = BUF_INIT;
			buf_addf(&dir, "%s/%s", cfg->sql_dir, owner);
			d = opendir(dir.data);
			if (!d && errno == ENOENT && strcmp(owner, "platform")) {
				buf_release(&dir); /* a module without migrations */
				if (!*m)
					break;
				owner = (*m++)->name;
				continue;
			}
			if (!d) {
				log_error("could not open migrations directory %s: %s", dir.data,
					  strerror(errno));
				buf_release(&dir);
				db_close(&db);
				return 2;
			}
			while ((de = readdir(d))) {
				struct buf rel = BUF_INIT;
				if (!is_migration(de->d_name))
					continue;
				buf_addf(&rel, "%s/%s", owner, de->d_name);
				names = realloc(names, (n + 1) * sizeof *names);
				if (!names)
					abort();
				names[n++] = buf_detach(&rel, NULL);
			}
			closedir(d);
			buf_release(&dir);
			qsort(names + first, n - first, sizeof *names, cmp_str);
			if (!*m)
				break;
			owner = (*m++)->name;
		}
	}

	/* one migrator at a time: a session-level advisory lock */
	if (db_run(&db, "SELECT pg_advisory_lock(7263001)", 0, NULL) < 0 ||
	    db_run(&db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			" version text PRIMARY KEY,"
			" applied_at timestamptz NOT NULL DEFAULT now())", 0, NULL) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		const char *params[] = { strrchr(names[i], '/') + 1 };
		PGresult *res = db_exec(&db, "SELECT 1 FROM schema_migrations WHERE version = $1",
					1, params);
		int done;
		if (!res)
			goto out;
		done = PQntuples(res) > 0;
		PQclear(res);
		if (done)
			continue;
		if (apply(&db, cfg->sql_dir, names[i]) < 0)
			goto out;
		applied++;
	}
	log_info("migrations up to date (%d applied, %zu known)", applied, n);
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	db_close(&db);
	return ret;
}
