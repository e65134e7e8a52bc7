/* cfg.h: process configuration, read once from the environment at start-up
 * and never changed afterwards. The programs first fill the environment from
 * the env file (envfile.h), so "the environment" includes its settings. Secrets (SECRET_KEY, METRICS_TOKEN, database
 * passwords in DATABASE_URL) come only from the environment and are never
 * logged.
 *
 * Secrets are never empty: the web app (gamewatch.fcgi, its workers and its
 * pool) and every job refuse to start unless cfg_check_secret() accepts
 * SECRET_KEY (at least CFG_SECRET_MIN_BYTES bytes), so everything signed
 * (cursors, CSRF tokens) is signed with a real key. ./dev run and the test
 * harness generate 64 hex digits when SECRET_KEY is unset. */
#ifndef GW_CFG_H
#define GW_CFG_H

#include <stddef.h>

struct cfg {
	const char *database_url;  /* DATABASE_URL, libpq URI/conninfo; default "postgresql:///gamewatch" */
	const char *redis_url;     /* REDIS_URL, "redis://HOST:PORT/DB" or "unix:/path"; NULL when unset
				    * or empty: Redis is off (kv.h: caches off, change events through
				    * PostgreSQL LISTEN/NOTIFY, rate limits off) */
	const char *secret_key;    /* SECRET_KEY; NULL when unset (then cfg_check_secret fails and nothing starts) */
	const char *metrics_token; /* METRICS_TOKEN: bearer token of ROLE_OPERATOR rows; NULL when unset (loopback only) */
	const char *app_base_url;  /* APP_BASE_URL, e.g. "http://127.0.0.1:8080"; default "" (relative links) */
	const char *raknet_url;    /* RAKNET_URL; default the Rebellion lobbyServer URL */
	int poll_interval_s;       /* POLL_INTERVAL_SECONDS, 1..3600; default 5 */
	int stale_after_s;         /* GW_STALE_AFTER_SECONDS; default 30 */
	const char *template_dir;  /* GW_TEMPLATE_DIR; default GW_PKGDATADIR "/templates" */
	const char *sql_dir;       /* GW_SQL_DIR; default GW_PKGDATADIR "/sql" */
	const char *run_dir;       /* GW_RUN_DIR (the jobs' lock files); default GW_RUNSTATEDIR "/gamewatch"
				    * (/run/gamewatch for the package), the service user's own directory */
	size_t max_body_bytes;     /* GW_MAX_BODY_BYTES: cap on every route row's body_max; default 1 MiB */
	int fetch_timeout_ms;      /* GW_FETCH_TIMEOUT_MS, whole-transfer limit for upstream fetches; default 4000 */
};

/* The Rebellion RakNet lobby server, as the game itself uses it. */
#define CFG_DEFAULT_RAKNET_URL "http://battlezone99mp.webdev.rebellion.co.uk/lobbyServer"

/* Fill `c` from the environment (getenv strings are borrowed: they live as
 * long as the process environment is not modified). Invalid numbers fall
 * back to the default with a logged warning. Never fails. */
void cfg_load_env(struct cfg *c);

/* The shortest SECRET_KEY accepted: 32 bytes (256 bits when random, the
 * HMAC-SHA-256 key size). */
#define CFG_SECRET_MIN_BYTES 32

/* Is c->secret_key usable: set, and at least CFG_SECRET_MIN_BYTES bytes?
 * Returns 0, or -1 with a one-line reason for the log in `err` (which
 * never contains the key). Programs call it right after cfg_load_env and
 * exit with status 2 on -1. */
int cfg_check_secret(const struct cfg *c, char *err, size_t errlen);

/* A long-running program's SIGHUP step (the pool, gamewatch-stream): read
 * the env file again (envfile_load, core/envfile.h), load the settings
 * and check the secret as at start. Returns 0, or -1 after logging why
 * (the reason never contains a secret); the caller keeps its running
 * processes then. */
int cfg_reload_checked(void);

#endif
