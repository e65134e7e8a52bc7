/* cfg.c: configuration from the environment. */
#include "cfg.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>

#ifndef GW_PKGDATADIR
#define GW_PKGDATADIR "/usr/local/share/gamewatch"
#endif

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

static long env_long(const char *name, long def, long min, long max)
{
	const char *v = getenv(name);
	char *end;
	long n;
	if (!v || !*v)
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < min || n > max) {
		log_warn("invalid %s \"%s\": using %ld", name, v, def);
		return def;
	}
	return n;
}

void cfg_load_env(struct cfg *c)
{
	c->database_url = env_or("DATABASE_URL", "postgresql:///gamewatch");
	c->redis_url = env_or("REDIS_URL", "redis://127.0.0.1:6379/0");
	c->secret_key = env_or("SECRET_KEY", NULL);
	c->app_base_url = env_or("APP_BASE_URL", "");
	c->raknet_url = env_or("RAKNET_URL", CFG_DEFAULT_RAKNET_URL);
	c->poll_interval_s = (int)env_long("POLL_INTERVAL_SECONDS", 5, 1, 3600);
	c->stale_after_s = (int)env_long("GW_STALE_AFTER_SECONDS", 30, 1, 86400);
	c->template_dir = env_or("GW_TEMPLATE_DIR", GW_PKGDATADIR "/templates");
	c->sql_dir = env_or("GW_SQL_DIR", GW_PKGDATADIR "/sql");
	c->run_dir = env_or("GW_RUN_DIR", "/tmp");
	c->max_body_bytes = (size_t)env_long("GW_MAX_BODY_BYTES", 1 << 20, 1024, 1L << 30);
	c->fetch_timeout_ms = (int)env_long("GW_FETCH_TIMEOUT_MS", 4000, 100, 600000);
}
