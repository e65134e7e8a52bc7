/* pool.c: pre-forked, supervised FastCGI workers. */
#include "platform/web/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <fcgiapp.h>
#include <grp.h>
#include <pwd.h>
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

static volatile sig_atomic_t pool_stopping, pool_reloading;
static int (*reload_fn)(void);

static void on_stop(int sig)
{
	(void)sig;
	pool_stopping = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	pool_reloading = 1;
}

void pool_on_reload(int (*reload)(void))
{
	reload_fn = reload;
}

/* Workers that a reload told to stop: they are not replaced when they exit. */
struct retiring {
	pid_t *pid;
	size_t n, cap;
};

static void retiring_add(struct retiring *r, pid_t pid)
{
	if (pid <= 0)
		return;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		pid_t *p = realloc(r->pid, cap * sizeof *p);
		if (!p)
			abort();
		r->pid = p;
		r->cap = cap;
	}
	r->pid[r->n++] = pid;
}

/* Was `pid` retiring (then it is forgotten)? */
static bool retiring_take(struct retiring *r, pid_t pid)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		if (r->pid[i] == pid) {
			r->pid[i] = r->pid[--r->n];
			return true;
		}
	return false;
}

static pid_t spawn(int sock, int (*worker)(int))
{
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		sigaction(SIGCHLD, &sa, NULL);
		sa.sa_handler = SIG_IGN; /* reloads are the supervisor's business */
		sigaction(SIGHUP, &sa, NULL);
		_exit(worker(sock));
	}
	if (pid < 0)
		log_error("could not fork a worker: %s", strerror(errno));
	return pid;
}

/* Who the pool switches to (change false: stays as it is). */
struct identity {
	bool change;
	uid_t uid;
	gid_t gid;
	char name[64];
};

/* Step 1 of pool_run: fills *id; returns 0, or -1 (logged) when the pool
 * must not start. */
static int resolve_identity(const char *user, bool allow_root, struct identity *id)
{
	struct passwd *pw;
	memset(id, 0, sizeof *id);
	if (!user) {
		if (geteuid() != 0)
			return 0;
		if (!allow_root) {
			log_error("refusing to run the workers as root: give --user NAME "
				  "(e.g. --user www-data), or --allow-root to run them as root anyway");
			return -1;
		}
		log_warn("the workers run as root (--allow-root)");
		return 0;
	}
	pw = getpwnam(user);
	if (!pw) {
		log_error("--user %s: no such user", user);
		return -1;
	}
	if (strlen(pw->pw_name) >= sizeof id->name) {
		log_error("--user %s: name too long", user);
		return -1;
	}
	if (geteuid() != 0) {
		if (pw->pw_uid == geteuid())
			return 0;
		log_error("--user %s: only root can switch users (running as uid %ld)", user,
			  (long)geteuid());
		return -1;
	}
	if (pw->pw_uid == 0 && !allow_root) {
		log_error("--user %s is root: give --allow-root to run the workers as root", user);
		return -1;
	}
	id->change = true;
	id->uid = pw->pw_uid;
	id->gid = pw->pw_gid;
	strcpy(id->name, pw->pw_name);
	return 0;
}

/* Step 4: drop root for good. */
static int drop_root(const struct identity *id)
{
	if (initgroups(id->name, id->gid) < 0 || setgid(id->gid) < 0 || setuid(id->uid) < 0) {
		log_error("could not switch to user %s: %s", id->name, strerror(errno));
		return -1;
	}
	if (id->uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
		log_error("still able to regain root after switching to %s", id->name);
		return -1;
	}
	log_info("running as user %s (uid %ld, gid %ld)", id->name, (long)id->uid, (long)id->gid);
	return 0;
}

static void write_pidfile(const char *pidfile)
{
	char line[32];
	int n = snprintf(line, sizeof line, "%ld\n", (long)getpid());
	int fd = open(pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, (size_t)n) != n)
		log_warn("could not write the pidfile %s: %s", pidfile, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void remove_file(const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("could not remove %s: %s", path, strerror(errno));
}

int pool_run(const char *listen_spec, int workers, const char *pidfile, const char *user,
	     bool allow_root, int (*worker)(int sock))
{
	const char *addr = listen_spec;
	pid_t *kids;
	struct sigaction sa;
	struct identity id;
	struct retiring old = { NULL, 0, 0 };
	int sock, i, alive, unix_sock = 0;
	int64_t window_start = time_mono_ms();
	int respawns = 0;

	if (resolve_identity(user, allow_root, &id) < 0)
		return 1;
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
	if (unix_sock) {
		if ((id.change && chown(addr, id.uid, id.gid) < 0) || chmod(addr, 0660) < 0) {
			log_error("could not set the owner or mode of %s: %s", listen_spec, strerror(errno));
			close(sock);
			unlink(addr);
			return 1;
		}
	}
	if (pidfile)
		write_pidfile(pidfile);
	if (id.change && drop_root(&id) < 0) {
		close(sock);
		unlink(addr);
		if (pidfile)
			unlink(pidfile);
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup; /* no SA_RESTART: interrupts waitpid() */
	sigaction(SIGHUP, &sa, NULL);
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
		pid_t pid;
		if (pool_reloading) {
			pool_reloading = 0;
			if (reload_fn && reload_fn() < 0) {
				log_error("reload refused: the workers keep running as they are");
				continue;
			}
			/* new workers first, then the old ones finish and go */
			for (i = 0; i < workers; i++) {
				pid_t was = kids[i];
				kids[i] = spawn(sock, worker);
				retiring_add(&old, was);
				if (was > 0)
					kill(was, SIGTERM);
			}
			log_info("reloaded: %d new workers, the old ones finish their requests", workers);
			continue;
		}
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (retiring_take(&old, pid))
			continue;
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
	/* workers still finishing after a reload (they have had SIGTERM) */
	for (i = 0; i < (int)old.n; i++)
		waitpid(old.pid[i], NULL, 0);
	free(old.pid);
	free(kids);
	close(sock);
	if (unix_sock)
		remove_file(addr);
	if (pidfile)
		remove_file(pidfile);
	log_info("pool stopped");
	return 0;
}
