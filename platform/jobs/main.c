/* main.c: gamewatch-job, the entry point of every job: the platform's own
 * (platform_jobs) and every enabled module's (struct gw_module.jobs).
 *
 *   gamewatch-job list                 one line per job: name, module, schedule, what it does
 *   gamewatch-job schedule [--bindir D] [--sysconfdir D] [--localstatedir D]
 *                          [--runstatedir D] [--user NAME]
 *                                      print the crontab of the scheduled jobs
 *                                      (defaults: the configured install paths);
 *                                      with --user, as a system crontab
 *                                      (/etc/cron.d) whose lines run as NAME
 *   gamewatch-job scheduler [--log-dir DIR]
 *                                      run the jobs on their schedules, in the
 *                                      foreground (platform/jobs/scheduler.h)
 *   gamewatch-job NAME [options]       run one job, recorded in job_runs; a job
 *                                      of a built module that GW_MODULES leaves
 *                                      out logs so and exits 0 (the installed
 *                                      crontab names every built module's jobs)
 *
 * Settings come from the environment, filled first from the env file
 * (GW_ENV_FILE, default <sysconfdir>/gamewatch/env; core/envfile.h), the
 * same file the web app reads; one that does not parse stops the command
 * (exit status 2). `--help` reads no file.
 *
 * A job does not run without a SECRET_KEY of at least 32 bytes (exit
 * status 2 and one log line; cfg.h); `list`, `schedule` and `--help` need
 * none.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "envfile.h"
#include "http.h"
#include "log.h"
#include "platform/jobs/job-runs.h"
#include "platform/jobs/job.h"
#include "platform/jobs/scheduler.h"
#include "platform/module.h"
#include "timeutil.h"

#ifndef GW_BINDIR
#define GW_BINDIR "/usr/local/bin"
#endif
#ifndef GW_SYSCONFDIR
#define GW_SYSCONFDIR "/usr/local/etc"
#endif
#ifndef GW_LOCALSTATEDIR
#define GW_LOCALSTATEDIR "/usr/local/var"
#endif
#ifndef GW_RUNSTATEDIR
#define GW_RUNSTATEDIR "/usr/local/var/run"
#endif

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
		   "       gamewatch-job list\n"
		   "       gamewatch-job schedule [--bindir DIR] [--sysconfdir DIR] [--localstatedir DIR]\n"
		   "                              [--runstatedir DIR] [--user NAME]\n"
		   "       gamewatch-job scheduler [--log-dir DIR]\n\n"
		   "%-12s %-8s %-16s %s\n", "job", "module", "schedule", "what it does");
	list_rows(f, "platform", platform_jobs);
	for (m = gw_modules(); *m; m++)
		list_rows(f, (*m)->name, (*m)->jobs);
}

static int cmd_schedule(int argc, char **argv)
{
	struct crontab_paths p = { GW_BINDIR, GW_SYSCONFDIR, GW_LOCALSTATEDIR, GW_RUNSTATEDIR, NULL };
	int i;
	for (i = 1; i < argc; i++) {
		const char **to = !strcmp(argv[i], "--bindir")          ? &p.bindir
				  : !strcmp(argv[i], "--sysconfdir")    ? &p.sysconfdir
				  : !strcmp(argv[i], "--localstatedir") ? &p.localstatedir
				  : !strcmp(argv[i], "--runstatedir")   ? &p.runstatedir
				  : !strcmp(argv[i], "--user")          ? &p.user
									: NULL;
		if (!to || i + 1 >= argc || (to != &p.user && argv[i + 1][0] != '/')) {
			fprintf(stderr, "usage: gamewatch-job schedule [--bindir DIR] [--sysconfdir DIR]"
					" [--localstatedir DIR] [--runstatedir DIR] [--user NAME]"
					" (absolute paths)\n");
			return 2;
		}
		*to = argv[++i];
	}
	if (job_crontab(stdout, &p) < 0)
		return 2;
	return fflush(stdout) ? 1 : 0;
}

static int cmd_scheduler(int argc, char **argv)
{
	char self[PATH_MAX];
	const char *log_dir = NULL;
	ssize_t k;
	if (argc == 3 && !strcmp(argv[1], "--log-dir")) {
		log_dir = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: gamewatch-job scheduler [--log-dir DIR]\n");
		return 2;
	}
	/* the children run this very executable */
	k = readlink("/proc/self/exe", self, sizeof self - 1);
	if (k <= 0) {
		log_error("could not find my own executable (/proc/self/exe)");
		return 1;
	}
	self[k] = '\0';
	signal(SIGPIPE, SIG_IGN);
	log_set_context("scheduler");
	return job_scheduler(self, log_dir);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct cfg cfg;
	const struct gw_module *mod;
	const struct gw_job *job;
	const char *module;
	int64_t run_id, started_ms;
	int rc;

	log_init("gamewatch-job");
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	{
		char err[300];
		if (envfile_load(err, sizeof err) < 0) {
			log_error("%s", err);
			return 2;
		}
		log_init("gamewatch-job"); /* GW_LOG_LEVEL, LOG_FORMAT may come from the file */
	}
	if (!strcmp(argv[1], "list")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "schedule"))
		return cmd_schedule(argc - 1, argv + 1);
	if (!strcmp(argv[1], "scheduler"))
		return cmd_scheduler(argc - 1, argv + 1);
	job = job_find(argv[1], &mod);
	if (!job) {
		/* the installed crontab names every built module's jobs: one of a
		 * module GW_MODULES leaves out has nothing to do */
		const struct gw_module *const *b;
		const struct gw_job *j;
		for (b = gw_modules_built; *b; b++)
			for (j = (*b)->jobs; j && j->name; j++)
				if (!strcmp(j->name, argv[1])) {
					log_info("%s: the module %s is not enabled (GW_MODULES): "
						 "nothing to do", argv[1], (*b)->name);
					return 0;
				}
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
	module = mod ? mod->name : "platform";
	started_ms = time_now_ms();
	run_id = job_run_begin(cfg.database_url, job->name, module);
	rc = job->fn(&cfg, argc - 1, argv + 1);
	job_run_end(cfg.database_url, run_id, job->name, module, started_ms, rc);
	return rc;
}
