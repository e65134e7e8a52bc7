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
 * exact Content-Length, then the body. With --listen it runs under the app's
 * own pre-fork supervisor (fcgi/pool.c), so app and baseline are served by
 * the same process model and differ only in what a request does. */
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "buf.h"
#include "platform/web/pool.h"
#include "log.h"

static struct buf body = BUF_INIT;
static char header[160];
static int header_len;
static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
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
		FCGX_PutStr(body.data, (int)body.len, req.out);
		FCGX_Finish_r(&req);
	}
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

	log_init("fcgi-constant");
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
	if (buf_read_file(&body, body_file, 0x7fffffff) < 0 || body.len > 0x7fffffff) {
		fprintf(stderr, "fcgi-constant: cannot read %s (or over 2 GiB): %s\n", body_file,
			strerror(errno));
		return 1;
	}
	header_len = snprintf(header, sizeof header,
			      "Status: 200 OK\r\nContent-Type: application/json\r\n"
			      "Content-Length: %zu\r\n\r\n", body.len);
	if (listen_spec)
		ret = pool_run(listen_spec, workers, pidfile, NULL, true, worker); /* bench: as started */
	else
		ret = worker(0);
	buf_release(&body);
	return ret;
}
