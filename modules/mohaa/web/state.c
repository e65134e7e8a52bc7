/* state.c: the MOHAA module's per-worker state and shared helpers (web.h). */
#include "modules/mohaa/web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "log.h"
#include "modules/mohaa/module.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "sha256.h"

static long long env_ll(const char *name, long long dflt, long long lo, long long hi)
{
	const char *v = getenv(name);
	char *end;
	long long n;
	if (!v || !*v)
		return dflt;
	n = strtoll(v, &end, 10);
	if (*end || n < lo || n > hi) {
		log_warn("%s=%s is not a number in %lld..%lld; using %lld", name, v, lo, hi, dflt);
		return dflt;
	}
	return n;
}

int mohaa_worker_init(struct app *app, void **state)
{
	struct mohaa_web *w = calloc(1, sizeof *w);
	(void)app;
	if (!w)
		return -1;
	w->backlog_max = env_ll("MOHAA_INGEST_BACKLOG", 100000, 1, 1000000000LL);
	w->retry_after_s = (int)env_ll("MOHAA_RETRY_AFTER", 5, 1, 3600);
	w->allow_nondurable = env_ll("MOHAA_ALLOW_NONDURABLE", 0, 0, 1) == 1;
	w->token_ttl_s = (int)env_ll("MOHAA_TOKEN_CACHE_SECONDS", 30, 0, 3600);
	w->durable = -2; /* not checked yet */
	{
		/* request ids (web/ingest.c) are this prefix and a counter: unique
		 * across workers and restarts without drawing randomness per
		 * request (RAND_bytes checks the pid with a syscall every call) */
		unsigned char raw[8];
		if (RAND_bytes(raw, sizeof raw) != 1) {
			log_error("no randomness for the ingest request ids");
			free(w);
			return -1;
		}
		hex_encode(raw, sizeof raw, w->rid_prefix);
	}
	*state = w;
	return 0;
}

void mohaa_worker_free(struct app *app, void *state)
{
	(void)app;
	free(state);
}

struct mohaa_web *mohaa_web_state(struct app *app)
{
	return app_module_state(app, &gw_module_mohaa);
}

int mohaa_int_param(const struct req *r, const char *name, int lo, int hi, int dflt, int *out,
		    char *err, size_t errlen)
{
	const char *v = req_param(r, name);
	char *end;
	long n;
	*out = dflt;
	if (!v)
		return 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || n < lo || n > hi) {
		snprintf(err, errlen, "%s must be an integer from %d to %d", name, lo, hi);
		return 400;
	}
	*out = (int)n;
	return 0;
}

void mohaa_map_arg(const struct req *r, int first, char *out, size_t outlen)
{
	char *p;
	if (r->route_args[first + 1])
		snprintf(out, outlen, "%s/%s", r->route_args[first], r->route_args[first + 1]);
	else
		snprintf(out, outlen, "%s", r->route_args[first] ? r->route_args[first] : "");
	for (p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
}
