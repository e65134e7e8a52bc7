/* db.h: a thin layer over libpq.
 *
 * Ownership (libpq): every PGresult returned here is the caller's and must be
 * released with PQclear(); connections are closed with db_close(). Values go
 * to PostgreSQL only as parameters (PQexecParams), never spliced into SQL.
 * Parameters are text; NULL pointers in `params` are SQL NULL.
 */
#ifndef GW_DB_H
#define GW_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

struct db {
	PGconn *conn;    /* NULL while disconnected */
	char *url;       /* malloc'd copy of the conninfo */
	unsigned long session; /* bumped on every new session (connect or reset): a
				* LISTEN made before a change of it is gone */
};

/* Remember `url` and connect. Returns 0, or -1 (logged) when the first
 * connection fails; the struct stays usable and db_ensure() retries. */
int db_open(struct db *db, const char *url);

/* Remember `url` without connecting: the first db_ensure() (every db_exec
 * calls it) connects. For processes that may never need the database. */
void db_init_lazy(struct db *db, const char *url);

/* Make sure the connection is up, reconnecting (once) when it was lost.
 * Returns 0 or -1 (logged). */
int db_ensure(struct db *db);

/* Close the connection and free the struct's memory. */
void db_close(struct db *db);

/* Run a statement with text parameters. Returns the result (caller
 * PQclear()s it) when its status is PGRES_COMMAND_OK or PGRES_TUPLES_OK;
 * otherwise logs the server's message (primary and detail) and returns NULL.
 * When the connection turned out to be broken, db->conn is reset so the next
 * db_ensure() reconnects. */
PGresult *db_exec(struct db *db, const char *sql, int nparams,
		  const char *const *params);

/* Like db_exec for statements whose result is not needed: returns 0 or -1. */
int db_run(struct db *db, const char *sql, int nparams, const char *const *params);

/* BEGIN / COMMIT / ROLLBACK. Return 0 or -1. ROLLBACK errors are ignored. */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* Is the server reachable right now (runs "SELECT 1")? */
bool db_ping(struct db *db);

/* LISTEN on `channel` (PostgreSQL asynchronous notifications, sent by
 * NOTIFY / pg_notify()). `channel` is a constant of the caller's, made only
 * of [a-z0-9_] (it is an identifier, not a parameter; anything else is
 * refused). Connects when needed. The LISTEN lasts as long as the session:
 * compare db->session before and after to know it must be repeated.
 * Returns 0 or -1 (logged). */
int db_listen(struct db *db, const char *channel);

/* Without blocking, read what the server has sent and count (and discard)
 * the notifications that arrived on any channel this session listens to.
 * Returns the count (0 when none), or -1 when not connected or the
 * connection is broken (then nothing can be known: assume a change). */
int db_notifies(struct db *db);

#endif
