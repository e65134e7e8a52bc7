/* main.c: gamewatch-job, the entry point of every job: the platform's own
 * (platform_jobs) and every enabled module's (struct gw_module.jobs).
 *
 *   gamewatch-job list                 one line per job: name, schedule, what it does
 *   gamewatch-job NAME [options]       run one job
 *
 * A job does not run without a SECRET_KEY of at least 32 bytes (exit
 * status 2 and one log line; cfg.h); `list` and `--help` need none.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "http.h"
#include "log.h"
#include "platform/jobs/job.h"
#include "platform/module.h"

static void on_signal(int sig)
{
	(void)sig;
	job_stop = 1;
}

static void list_rows(FILE *f, const char *module, const struct gw_job *j)
{
	for (; j && j->name; j++)
		fprintf(f, "%-12s %-8s %-16s %s\n", j->name, module,
			j->schedule ? j->schedule : "-", j->usage);
}

static void usage(FILE *f)
{
	const struct gw_module *const *m;
	fprintf(f, "usage: gamewatch-job NAME [options]\n"
		   "       gamewatch-job list\n\n"
		   "%-12s %-8s %-16s %s\n", "job", "module", "schedule", "what it does");
	list_rows(f, "platform", platform_jobs);
	for (m = gw_modules(); *m; m++)
		list_rows(f, (*m)->name, (*m)->jobs);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct cfg cfg;
	const struct gw_module *mod;
	const struct gw_job *job;

	log_init("gamewatch-job");
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "list")) {
		usage(stdout);
		return 0;
	}
	job = job_find(argv[1], &mod);
	if (!job) {
		fprintf(stderr, "gamewatch-job: unknown job \"%s\"\n", argv[1]);
		usage(stderr);
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	cfg_load_env(&cfg);
	{
		char err[200];
		if (cfg_check_secret(&cfg, err, sizeof err) < 0) {
			log_error("refusing to run %s: %s", job->name, err);
			return 2;
		}
	}
	if (http_global_init() < 0) {
		log_error("could not initialise libcurl");
		return 1;
	}
	log_set_context(job->name);
	return job->fn(&cfg, argc - 1, argv + 1);
}
