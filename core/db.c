/* db.c: libpq connection handling and parameterized statements. */
#include "db.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

static int db_connect(struct db *db)
{
	if (db->conn)
		PQfinish(db->conn);
	db->conn = PQconnectdb(db->url);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		char *msg = PQerrorMessage(db->conn);
		log_error("could not connect to database: %s", msg ? msg : "unknown error");
		PQfinish(db->conn);
		db->conn = NULL;
		return -1;
	}
	db->session++;
	return 0;
}

int db_open(struct db *db, const char *url)
{
	db->conn = NULL;
	db->session = 0;
	db->url = strdup(url);
	if (!db->url)
		abort();
	return db_connect(db);
}

void db_init_lazy(struct db *db, const char *url)
{
	db->conn = NULL;
	db->session = 0;
	db->url = strdup(url);
	if (!db->url)
		abort();
}

int db_ensure(struct db *db)
{
	if (db->conn && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	if (db->conn) {
		PQreset(db->conn);
		if (PQstatus(db->conn) == CONNECTION_OK) {
			db->session++;
			return 0;
		}
	}
	return db_connect(db);
}

void db_close(struct db *db)
{
	if (db->conn)
		PQfinish(db->conn);
	db->conn = NULL;
	free(db->url);
	db->url = NULL;
}

PGresult *db_exec(struct db *db, const char *sql, int nparams,
		  const char *const *params)
{
	PGresult *res;
	ExecStatusType st;

	if (db_ensure(db) < 0)
		return NULL;
	res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	{
		const char *prim = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		const char *det = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		log_error("database statement failed: %s%s%s%s",
			  prim ? prim : PQerrorMessage(db->conn),
			  det ? " (" : "", det ? det : "", det ? ")" : "");
	}
	PQclear(res);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	return NULL;
}

int db_run(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = db_exec(db, sql, nparams, params);
	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

int db_begin(struct db *db)
{
	return db_run(db, "BEGIN", 0, NULL);
}

int db_commit(struct db *db)
{
	return db_run(db, "COMMIT", 0, NULL);
}

void db_rollback(struct db *db)
{
	PGresult *res;
	if (!db->conn)
		return;
	res = PQexec(db->conn, "ROLLBACK");
	PQclear(res);
}

bool db_ping(struct db *db)
{
	PGresult *res = db_exec(db, "SELECT 1", 0, NULL);
	if (!res)
		return false;
	PQclear(res);
	return true;
}

int db_listen(struct db *db, const char *channel)
{
	char sql[80];
	size_t i, n = strlen(channel);
	if (!n || n > 63) {
		log_error("refusing to LISTEN on a channel name of %zu bytes", n);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!((channel[i] >= 'a' && channel[i] <= 'z') || (channel[i] >= '0' && channel[i] <= '9') ||
		      channel[i] == '_')) {
			log_error("refusing to LISTEN on channel \"%s\": only [a-z0-9_]", channel);
			return -1;
		}
	snprintf(sql, sizeof sql, "LISTEN %s", channel);
	return db_run(db, sql, 0, NULL);
}

int db_notifies(struct db *db)
{
	PGnotify *n;
	int count = 0;
	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK)
		return -1;
	if (!PQconsumeInput(db->conn))
		return -1;
	while ((n = PQnotifies(db->conn))) {
		PQfreemem(n);
		count++;
	}
	return count;
}
