/* main.c: gamewatch.fcgi, the web application.
 *
 *   gamewatch.fcgi                        FastCGI on fd 0 (mod_fcgid, lighttpd bin-path, spawn-fcgi)
 *   gamewatch.fcgi --listen SPEC --workers N [--pidfile F] [--user NAME | --allow-root]
 *                                         open SPEC itself and pre-fork N workers;
 *                                         started as root it needs --user (it binds,
 *                                         writes the pidfile, then becomes NAME) or
 *                                         --allow-root (pool.h)
 *
 * Settings come from the environment, filled first from the env file
 * (GW_ENV_FILE, default <sysconfdir>/gamewatch/env; core/envfile.h): the
 * same file whether systemd, mod_fcgid or a shell starts the program. A
 * file that does not parse stops the program (exit status 2).
 *
 * Neither form starts without a SECRET_KEY of at least 32 bytes (exit
 * status 2 and one log line; cfg.h). `--routes` needs no secret.
 *
 * The pool reloads on SIGHUP: it reads the env file again and replaces
 * every worker gracefully (pool.h).
 *
 * Each worker serves one request at a time and recycles itself after
 * GW_MAX_REQUESTS requests (default 100000; 0 = never), a guard against slow
 * leaks that costs a database login and a cache reload per recycle. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/web/app.h"
#include "envfile.h"
#include "log.h"
#include "platform/web/metrics.h"
#include "platform/module.h"
#include "platform/web/route.h"
#include "platform/web/pool.h"
#include "platform/web/req.h"
#include "timeutil.h"

static volatile sig_atomic_t worker_stopping;

static void on_term(int sig)
{
	(void)sig;
	worker_stopping = 1;
}

/* The Content-Security-Policy of every response. Pictures come only from our
 * origin, or from the origin of ASSETS_CDN_BASE when that is an absolute
 * http(s) URL (an S3/R2 public bucket): the zero-hotlink rule, enforced by
 * the browser too. Built once per worker; the origin is the scheme, host
 * and port of the URL, with any quote or space cut off. */
static void build_csp(struct buf *csp)
{
	const char *cdn = getenv("ASSETS_CDN_BASE");
	buf_addstr(csp, "default-src 'self'; img-src 'self' data:");
	if (cdn && (!strncmp(cdn, "https://", 8) || !strncmp(cdn, "http://", 7))) {
		const char *host = strstr(cdn, "://") + 3;
		size_t n = (size_t)(host - cdn) + strcspn(host, "/?#'\"; \t\r\n");
		buf_addch(csp, ' ');
		buf_add(csp, cdn, n);
	}
	buf_addstr(csp, "; style-src 'self'; script-src 'self'; connect-src 'self'; "
			"frame-ancestors 'none'");
}

static int worker(int sock)
{
	struct app app;
	FCGX_Request fr;
	struct sigaction sa;
	const char *maxs = getenv("GW_MAX_REQUESTS");
	unsigned long max_requests = maxs ? strtoul(maxs, NULL, 10) : 100000;
	unsigned long pid = (unsigned long)getpid(); /* once: the worker never forks */

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term; /* no SA_RESTART: interrupt accept() */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct buf csp = BUF_INIT;

	if (app_init(&app) < 0)
		return 1;
	build_csp(&csp);
	FCGX_Init();
	FCGX_InitRequest(&fr, sock, FCGI_FAIL_ACCEPT_ON_INTR);
	while (!worker_stopping && FCGX_Accept_r(&fr) >= 0) {
		struct req r;
		char err[160];
		int st;
		int64_t t0 = metrics_clock_ns();

		memset(&r, 0, sizeof r);
		r.app = &app;
		r.started_ms = time_mono_ms();
		snprintf(r.id, sizeof r.id, "%lx-%lx", pid & 0xfffff,
			 app.served & 0xfffffff);
		log_set_context(r.id);
		st = req_parse(&r, &fr, err, sizeof err);
		/* before the handler: a streamed response sends its headers early */
		req_header(&r, "X-Content-Type-Options", "nosniff");
		req_header(&r, "Referrer-Policy", "same-origin");
		req_header(&r, "Content-Security-Policy", csp.data);
		if (st)
			app_error(&app, &r, st, st == 400 ? "bad request" : st == 414 ? "uri too long"
					   : "refused by the web server", err);
		else
			app_handle(&app, &r);
		req_send(&r);
		metrics_observe(r.route, r.method, r.status, metrics_clock_ns() - t0);
		/* /healthz answers 503 by design while the data is stale: the
		 * monitoring reads it, the log need not */
		if (r.status >= 500 && !(r.status == 503 && r.route && !strcmp(r.route->pattern, "/healthz")))
			log_error("%s %s -> %d", r.method, r.path ? r.path : "?", r.status);
		req_release(&r);
		FCGX_Finish_r(&fr);
		log_set_context(NULL);
		if (++app.served >= max_requests && max_requests)
			break;
	}
	app_free(&app);
	buf_release(&csp);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: gamewatch.fcgi [--listen unix:/path | HOST:PORT] "
			"[--workers N] [--pidfile FILE] [--user NAME | --allow-root]\n"
			"       gamewatch.fcgi --routes    print the route table (tab-separated)\n");
}

/* The role column: the platform's role names, or a module rule's own
 * name (route.h ROLE_MODULE); "?" for a rule the module does not have. */
static const char *role_text(const struct route *rt, const struct gw_module *m)
{
	static const char *const roles[] = { "public", "user", "curator", "admin", "operator" };
	int i, rule = (int)rt->role - ROLE_MODULE;
	if ((int)rt->role < ROLE_MODULE)
		return (int)rt->role < (int)(sizeof roles / sizeof *roles) ? roles[rt->role] : "?";
	if (!m || !m->access.rules)
		return "?";
	for (i = 0; i < rule && m->access.rules[i]; i++)
		;
	return i == rule && m->access.rules[rule] ? m->access.rules[rule] : "?";
}

static void print_rows(const struct route *rt, const struct gw_module *m)
{
	static const char *const kinds[] = { "page", "api", "stream" };
	static const char *const caches[] = { "no-store", "no-cache", "public" };
	static const char *const rates[] = { "none", "read", "write", "login", "ingest" };
	const char *module = m ? m->name : "platform";
	for (; rt && rt->pattern; rt++) {
		char methods[64];
		route_methods_text(rt->methods, methods, sizeof methods);
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%zu\t%s\t%s\t%s\n", methods, rt->pattern,
		       kinds[rt->kind], role_text(rt, m), rt->csrf ? "csrf" : "-",
		       caches[rt->cache], rates[rt->rate], rt->body_max, module,
		       rt->summary ? rt->summary : "",
		       !rt->body_max ? "-" : rt->body == BODY_RAW ? "raw" : "parsed");
	}
}

/* --routes: every row of the platform and of the enabled modules, in match
 * order: methods, pattern, kind, role, csrf, cache, rate class, body limit,
 * module, summary, body (parsed, raw, or - for none; last so that readers
 * of the earlier columns by position keep working). docs/routes.md and the
 * OpenAPI check read this. */
static int print_routes(void)
{
	const struct gw_module *const *m;
	printf("methods\tpattern\tkind\trole\tcsrf\tcache\trate\tbody_max\tmodule\tsummary\tbody\n");
	print_rows(platform_routes, NULL);
	for (m = gw_modules(); *m; m++)
		print_rows((*m)->routes, *m);
	return 0;
}

int main(int argc, char **argv)
{
	const char *listen_spec = NULL, *pidfile = NULL, *user = NULL;
	int workers = 4, i;
	bool allow_root = false;

	log_init("gamewatch.fcgi");
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--routes")) {
			return print_routes();
		} else if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			listen_spec = argv[++i];
		} else if (!strcmp(argv[i], "--workers") && i + 1 < argc) {
			workers = atoi(argv[++i]);
			if (workers < 1 || workers > 256) {
				fprintf(stderr, "gamewatch.fcgi: --workers must be 1..256\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--pidfile") && i + 1 < argc) {
			pidfile = argv[++i];
		} else if (!strcmp(argv[i], "--user") && i + 1 < argc) {
			user = argv[++i];
		} else if (!strcmp(argv[i], "--allow-root")) {
			allow_root = true;
		} else {
			usage();
			return 2;
		}
	}
	/* secrets are never empty: neither the pool nor a lone worker starts
	 * without a usable SECRET_KEY (cfg.h) */
	{
		struct cfg cfg;
		char err[300];
		if (envfile_load(err, sizeof err) < 0) {
			log_error("refusing to start: %s", err);
			return 2;
		}
		log_init("gamewatch.fcgi"); /* GW_LOG_LEVEL, LOG_FORMAT may come from the file */
		cfg_load_env(&cfg);
		if (cfg_check_secret(&cfg, err, sizeof err) < 0) {
			log_error("refusing to start: %s", err);
			return 2;
		}
		if (!cfg.redis_url && listen_spec)
			log_info("REDIS_URL is unset: running without Redis (no caches, no rate "
				 "limits; change events through PostgreSQL)");
	}
	pool_on_reload(cfg_reload_checked);
	if (listen_spec)
		return pool_run(listen_spec, workers, pidfile, user, allow_root, worker);
	/* launched by a web server: the listening socket is fd 0 */
	if (FCGX_Init() != 0)
		return 1;
	return worker(0);
}
