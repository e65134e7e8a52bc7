/* cfg.c: configuration from the environment. */
#include "cfg.h"
#include "envfile.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GW_PKGDATADIR
#define GW_PKGDATADIR "/usr/local/share/gamewatch"
#endif
#ifndef GW_RUNSTATEDIR
#define GW_RUNSTATEDIR "/usr/local/var/run"
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
	c->redis_url = env_or("REDIS_URL", NULL);
	c->secret_key = env_or("SECRET_KEY", NULL);
	c->metrics_token = env_or("METRICS_TOKEN", NULL);
	c->app_base_url = env_or("APP_BASE_URL", "");
	c->raknet_url = env_or("RAKNET_URL", CFG_DEFAULT_RAKNET_URL);
	c->poll_interval_s = (int)env_long("POLL_INTERVAL_SECONDS", 5, 1, 3600);
	c->stale_after_s = (int)env_long("GW_STALE_AFTER_SECONDS", 30, 1, 86400);
	c->template_dir = env_or("GW_TEMPLATE_DIR", GW_PKGDATADIR "/templates");
	c->sql_dir = env_or("GW_SQL_DIR", GW_PKGDATADIR "/sql");
	c->run_dir = env_or("GW_RUN_DIR", GW_RUNSTATEDIR "/gamewatch");
	c->max_body_bytes = (size_t)env_long("GW_MAX_BODY_BYTES", 1 << 20, 1024, 1L << 30);
	c->fetch_timeout_ms = (int)env_long("GW_FETCH_TIMEOUT_MS", 4000, 100, 600000);
}

int cfg_check_secret(const struct cfg *c, char *err, size_t errlen)
{
	size_t n = c->secret_key ? strlen(c->secret_key) : 0;
	if (n >= CFG_SECRET_MIN_BYTES)
		return 0;
	if (!n)
		snprintf(err, errlen, "SECRET_KEY is not set: it must hold at least %d bytes "
				      "(e.g. 64 hex digits: od -An -N32 -tx1 /dev/urandom | tr -d ' \\n')",
			 CFG_SECRET_MIN_BYTES);
	else
		snprintf(err, errlen, "SECRET_KEY is %zu bytes long: it must hold at least %d bytes",
			 n, CFG_SECRET_MIN_BYTES);
	return -1;
}

int cfg_reload_checked(void)
{
	struct cfg cfg;
	char err[300];
	if (envfile_load(err, sizeof err) < 0) {
		log_error("%s", err);
		return -1;
	}
	cfg_load_env(&cfg);
	if (cfg_check_secret(&cfg, err, sizeof err) < 0) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}
