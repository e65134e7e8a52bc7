/* pool.c: pre-forked, supervised FastCGI workers. */
#include "platform/web/pool.h"

#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "platform/web/metrics.h"
#include "timeutil.h"

static volatile sig_atomic_t pool_stopping;

static void on_stop(int sig)
{
	(void)sig;
	pool_stopping = 1;
}

static pid_t spawn(int sock, int (*worker)(int))
{
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		sigaction(SIGCHLD, &sa, NULL);
		_exit(worker(sock));
	}
	if (pid < 0)
		log_error("could not fork a worker: %s", strerror(errno));
	return pid;
}

int pool_run(const char *listen_spec, int workers, const char *pidfile,
	     int (*worker)(int sock))
{
	const char *addr = listen_spec;
	pid_t *kids;
	struct sigaction sa;
	int sock, i, alive, unix_sock = 0;
	int64_t window_start = time_mono_ms();
	int respawns = 0;

	if (!strncmp(addr, "unix:", 5)) {
		addr += 5;
		unix_sock = 1;
		unlink(addr); /* a socket left by a killed pool */
	}
	if (FCGX_Init() != 0) {
		log_error("could not initialise libfcgi");
		return 1;
	}
	sock = FCGX_OpenSocket(addr, 128);
	if (sock < 0) {
		log_error("could not listen on %s", listen_spec);
		return 1;
	}
	if (unix_sock)
		chmod(addr, 0666);
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");
		if (f) {
			fprintf(f, "%ld\n", (long)getpid());
			fclose(f);
		}
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	kids = calloc((size_t)workers, sizeof *kids);
	if (!kids)
		abort();
	/* request counters shared by every worker, and the restart count */
	metrics_pool_init(workers);
	for (i = 0; i < workers; i++)
		kids[i] = spawn(sock, worker);
	log_info("serving FastCGI on %s with %d workers", listen_spec, workers);

	while (!pool_stopping) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < workers; i++) {
			if (kids[i] != pid)
				continue;
			if (WIFSIGNALED(status))
				log_error("worker %ld killed by signal %d", (long)pid, WTERMSIG(status));
			kids[i] = -1;
			if (pool_stopping)
				break;
			metrics_worker_exited(status);
			/* crash loop guard: at most 20 respawns per 10 s */
			if (time_mono_ms() - window_start > 10000) {
				window_start = time_mono_ms();
				respawns = 0;
			}
			if (++respawns > 20)
				time_sleep_ms(1000, NULL);
			kids[i] = spawn(sock, worker);
		}
	}

	for (i = 0; i < workers; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGTERM);
	for (alive = 1; alive;) {
		alive = 0;
		for (i = 0; i < workers; i++) {
			if (kids[i] <= 0)
				continue;
			if (waitpid(kids[i], NULL, 0) == kids[i] || errno == ECHILD)
				kids[i] = -1;
			else
				alive = 1;
		}
	}
	free(kids);
	close(sock);
	if (unix_sock)
		unlink(addr);
	if (pidfile)
		unlink(pidfile);
	log_info("pool stopped");
	return 0;
}
