/* main.c: gamewatch-job, the entry point of every cron job. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "http.h"
#include "job.h"
#include "log.h"

volatile int job_stop;

static void on_signal(int sig)
{
	(void)sig;
	job_stop = 1;
}

static const struct {
	const char *name;
	int (*fn)(const struct cfg *, int, char **);
	const char *help;
} jobs[] = {
	{ "migrate", job_migrate, "apply pending sql/ migrations" },
	{ "poll-bzcc", job_poll_bzcc,
	  "poll the BZCC lobby [--once | --duration SECONDS | --replay DIR]" },
	{ "rollup", job_rollup, "partitions ahead and history aggregates [--full]" },
	{ "enrich", job_enrich,
	  "map, mod and player facts from upstream [--once | --duration S] [--limit N]"
	  " [--force] [--only seed,getdata,steam,workshop,gog]" },
	{ "mirror", job_mirror,
	  "copy pictures to our own storage [--once | --duration S] [--limit N] [--force]"
	  " [--only map,mod,avatar]" },
	{ "asset-sweep", job_asset_sweep, "re-hash mirrored files, dedupe, quarantine bad ones" },
};

static void usage(FILE *f)
{
	size_t i;
	fprintf(f, "usage: gamewatch-job NAME [options]\n\njobs:\n");
	for (i = 0; i < sizeof jobs / sizeof jobs[0]; i++)
		fprintf(f, "  %-12s %s\n", jobs[i].name, jobs[i].help);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct cfg cfg;
	size_t i;

	log_init("gamewatch-job");
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	cfg_load_env(&cfg);
	if (http_global_init() < 0) {
		log_error("could not initialise libcurl");
		return 1;
	}
	for (i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
		if (!strcmp(argv[1], jobs[i].name)) {
			log_set_context(jobs[i].name);
			return jobs[i].fn(&cfg, argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "gamewatch-job: unknown job \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
