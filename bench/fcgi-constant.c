/* fcgi-constant.c: the benchmark baseline (bench/README.md).
 *
 * A minimal libfcgi responder that answers every request with the same body,
 * read once at start from a file:
 *
 *   fcgi-constant --body FILE                     FastCGI on fd 0
 *   fcgi-constant --body FILE --listen unix:/path [--workers N] [--pidfile F]
 *                                                 open the socket itself and
 *                                                 pre-fork N workers on it
 *
 * Every answer is "Status: 200 OK", "Content-Type: application/json" and the
 * exact Content-Length, then the body. With --listen the supervisor replaces a
 * worker that dies and stops all of them on SIGTERM/SIGINT, like the app's
 * pool, so the two are served the same way. */
#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *body;
static size_t body_len;
static char header[160];
static int header_len;
static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static int read_body(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 65536, n;

	if (!f) {
		fprintf(stderr, "fcgi-constant: %s: %s\n", path, strerror(errno));
		return -1;
	}
	body = malloc(cap);
	while (body && (n = fread(body + body_len, 1, cap - body_len, f)) > 0) {
		body_len += n;
		if (body_len == cap) {
			char *bigger = realloc(body, cap * 2);
			if (!bigger) {
				free(body);
				body = NULL;
				break;
			}
			body = bigger;
			cap *= 2;
		}
	}
	if (!body || ferror(f)) {
		fprintf(stderr, "fcgi-constant: cannot read %s\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (body_len > (size_t)0x7fffffff) {
		fprintf(stderr, "fcgi-constant: %s is too large\n", path);
		return -1;
	}
	header_len = snprintf(header, sizeof header,
			      "Status: 200 OK\r\nContent-Type: application/json\r\n"
			      "Content-Length: %zu\r\n\r\n", body_len);
	return 0;
}

static int worker(int sock)
{
	FCGX_Request req;
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop; /* no SA_RESTART: interrupt accept() */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0)
		return 1;
	if (FCGX_InitRequest(&req, sock, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		return 1;
	while (!stopping && FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(header, header_len, req.out);
		FCGX_PutStr(body, (int)body_len, req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}

static pid_t spawn(int sock)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGCHLD, SIG_DFL);
		_exit(worker(sock));
	}
	if (pid < 0)
		fprintf(stderr, "fcgi-constant: fork: %s\n", strerror(errno));
	return pid;
}

static int run_pool(const char *spec, int workers, const char *pidfile)
{
	const char *addr = spec;
	struct sigaction sa;
	pid_t *kids;
	int sock, i, alive, is_unix = 0;

	if (!strncmp(addr, "unix:", 5)) {
		addr += 5;
		is_unix = 1;
		unlink(addr);
	}
	if (FCGX_Init() != 0)
		return 1;
	sock = FCGX_OpenSocket(addr, 128);
	if (sock < 0) {
		fprintf(stderr, "fcgi-constant: cannot listen on %s\n", spec);
		return 1;
	}
	if (is_unix)
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
		return 1;
	for (i = 0; i < workers; i++)
		kids[i] = spawn(sock);
	while (!stopping) {
		int status;
		pid_t dead = waitpid(-1, &status, 0);
		if (dead < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < workers; i++) {
			if (kids[i] == dead) {
				kids[i] = stopping ? 0 : spawn(sock);
				if (!stopping)
					usleep(10000); /* no hot loop if workers keep dying */
			}
		}
	}
	for (i = 0; i < workers; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGTERM);
	do {
		alive = 0;
		for (i = 0; i < workers; i++) {
			if (kids[i] > 0) {
				if (waitpid(kids[i], NULL, 0) == kids[i] || errno == ECHILD)
					kids[i] = 0;
				else
					alive = 1;
			}
		}
	} while (alive);
	close(sock);
	if (is_unix)
		unlink(addr);
	if (pidfile)
		unlink(pidfile);
	free(kids);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: fcgi-constant --body FILE [--listen unix:/path | HOST:PORT] "
			"[--workers N] [--pidfile FILE]\n");
}

int main(int argc, char **argv)
{
	const char *body_file = NULL, *listen_spec = NULL, *pidfile = NULL;
	int workers = 1, i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--body") && i + 1 < argc) {
			body_file = argv[++i];
		} else if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			listen_spec = argv[++i];
		} else if (!strcmp(argv[i], "--workers") && i + 1 < argc) {
			workers = atoi(argv[++i]);
			if (workers < 1 || workers > 256) {
				fprintf(stderr, "fcgi-constant: --workers must be 1..256\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--pidfile") && i + 1 < argc) {
			pidfile = argv[++i];
		} else {
			usage();
			return 2;
		}
	}
	if (!body_file) {
		usage();
		return 2;
	}
	if (read_body(body_file) < 0)
		return 1;
	if (listen_spec)
		ret = run_pool(listen_spec, workers, pidfile);
	else
		ret = worker(0);
	free(body);
	return ret;
}
