/* main.c: gamewatch-stream, the Server-Sent Events server (docs/realtime.md).
 *
 *   gamewatch-stream --listen unix:/path/stream.sock | HOST:PORT [--workers N]
 *                    [--pidfile FILE] [--user NAME | --allow-root]
 *
 * Opens the socket, drops root like gamewatch.fcgi's pool (pool.h), and
 * runs N event-loop processes (default 1; each serves thousands of
 * streams) on it, restarted when one dies. lighttpd and Apache send
 * /api/v1/stream/ to this socket (the confs in apache/). Settings in
 * platform/stream/server.h, from the environment, filled first from the env
 * file (GW_ENV_FILE, default <sysconfdir>/gamewatch/env; core/envfile.h) as
 * for gamewatch.fcgi; a file that does not parse stops the program (exit
 * status 2). Needs SECRET_KEY like every program of the platform (cfg.h),
 * though streams sign nothing.
 *
 * SIGHUP reads the env file again and replaces the event loops (pool.h):
 * their streams end, and browsers reconnect to the new ones by themselves
 * (with a fresh snapshot). Without Redis (REDIS_URL unset) there are no
 * change events to follow: rooms answer 503 and pages poll instead. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "envfile.h"
#include "log.h"
#include "platform/stream/server.h"
#include "platform/web/pool.h"

static void usage(void)
{
	fprintf(stderr, "usage: gamewatch-stream --listen unix:/path | HOST:PORT [--workers N] "
			"[--pidfile FILE] [--user NAME | --allow-root]\n");
}

int main(int argc, char **argv)
{
	const char *listen_spec = NULL, *pidfile = NULL, *user = NULL;
	int workers = 1, i;
	bool allow_root = false;
	struct cfg cfg;
	char err[300];

	log_init("gamewatch-stream");
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			listen_spec = argv[++i];
		} else if (!strcmp(argv[i], "--workers") && i + 1 < argc) {
			workers = atoi(argv[++i]);
			if (workers < 1 || workers > 64) {
				fprintf(stderr, "gamewatch-stream: --workers must be 1..64\n");
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
	if (!listen_spec) {
		usage();
		return 2;
	}
	if (envfile_load(err, sizeof err) < 0) {
		log_error("refusing to start: %s", err);
		return 2;
	}
	log_init("gamewatch-stream"); /* GW_LOG_LEVEL, LOG_FORMAT may come from the file */
	cfg_load_env(&cfg);
	if (cfg_check_secret(&cfg, err, sizeof err) < 0) {
		log_error("refusing to start: %s", err);
		return 2;
	}
	if (!cfg.redis_url)
		log_warn("REDIS_URL is unset: no change events to follow; every stream answers 503 "
			 "and the pages poll the JSON API instead");
	pool_on_reload(cfg_reload_checked);
	return pool_run(listen_spec, workers, pidfile, user, allow_root, stream_serve);
}
