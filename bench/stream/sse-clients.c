/* sse-clients.c: N concurrent Server-Sent Events clients on one epoll loop,
 * for bench/stream/run.sh.
 *
 *   sse-clients HOST PORT PATH N SECONDS [RAMP_PER_S]
 *
 * Opens N HTTP/1.0 GETs of PATH (RAMP_PER_S new connections a second,
 * default 2000), reads every stream for SECONDS from the first connect,
 * (or until SIGTERM) and prints, on stdout:
 *   connected N_OK failed N_FAIL            once all were tried
 *   ready <unix ms>                          when every stream got its first event
 *   event ID <clients> <first unix ms> <last unix ms>   per event id seen, at exit
 * "id: N" lines are timed when read (CLOCK_REALTIME, ms), so run.sh can
 * compare them with the time a poll committed. Needs RLIMIT_NOFILE above N
 * (run.sh raises it). Only loopback is ever a target (the bench's servers). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_IDS 4096

static volatile sig_atomic_t stop_now;

static void on_term(int sig)
{
	(void)sig;
	stop_now = 1;
}

struct cl {
	int fd;
	int state;          /* 0 connecting/sending, 1 reading headers, 2 streaming */
	int got_first;
	char line[64];      /* carry of a partial "id: " line */
	size_t line_len;
	long long last_id;
};

static struct {
	long long id;
	int clients;
	long long first_ms, last_ms;
} ids[MAX_IDS];
static int n_ids;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void saw(long long id)
{
	int i;
	long long t = now_ms();
	for (i = n_ids - 1; i >= 0; i--)
		if (ids[i].id == id)
			break;
	if (i < 0) {
		if (n_ids == MAX_IDS)
			return;
		i = n_ids++;
		ids[i].id = id;
		ids[i].first_ms = t;
	}
	ids[i].clients++;
	ids[i].last_ms = t;
}

/* Scan the bytes of a stream for "id: N" lines (a line may span reads). */
static void scan(struct cl *c, const char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		char ch = p[i];
		if (ch == '\n') {
			c->line[c->line_len < sizeof c->line ? c->line_len : sizeof c->line - 1] = '\0';
			if (c->line_len >= 4 && !strncmp(c->line, "id: ", 4)) {
				long long id = atoll(c->line + 4);
				if (id != c->last_id) {
					saw(id);
					c->last_id = id;
				}
				c->got_first = 1;
			}
			c->line_len = 0;
		} else if (c->line_len < sizeof c->line - 1) {
			c->line[c->line_len++] = ch;
		} else {
			c->line_len = sizeof c->line; /* too long to be an id line */
		}
	}
}

int main(int argc, char **argv)
{
	const char *host, *path;
	int port, n, secs, ramp, ep, i, started = 0, ok = 0, failed = 0, ready = 0, all_ready = 0;
	struct cl *cls;
	struct sockaddr_in sa;
	char req[512], buf[65536];
	long long t0, next_batch;
	int reqlen;

	if (argc < 6) {
		fprintf(stderr, "usage: sse-clients HOST PORT PATH N SECONDS [RAMP_PER_S]\n");
		return 2;
	}
	host = argv[1];
	port = atoi(argv[2]);
	path = argv[3];
	n = atoi(argv[4]);
	secs = atoi(argv[5]);
	ramp = argc > 6 ? atoi(argv[6]) : 2000;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || (ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "sse-clients: HOST must be a loopback address\n");
		return 2;
	}
	reqlen = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n\r\n",
			  path, host, port);
	cls = calloc((size_t)n, sizeof *cls);
	ep = epoll_create1(0);
	t0 = now_ms();
	next_batch = t0;
	signal(SIGTERM, on_term);
	while (!stop_now && now_ms() - t0 < secs * 1000LL) {
		struct epoll_event evs[512];
		int k;
		/* open the next batch of connections */
		while (started < n && now_ms() >= next_batch) {
			int batch = ramp / 20 > 0 ? ramp / 20 : 1, j;
			for (j = 0; j < batch && started < n; j++) {
				struct cl *c = &cls[started];
				struct epoll_event ev;
				c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
				if (c->fd < 0 || (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0 &&
						  errno != EINPROGRESS)) {
					failed++;
					if (c->fd >= 0)
						close(c->fd);
					c->fd = -1;
					started++;
					continue;
				}
				ev.events = EPOLLIN | EPOLLOUT;
				ev.data.ptr = c;
				epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
				started++;
			}
			next_batch += 50;
			if (started == n) {
				/* reported once every connect was attempted */
			}
		}
		k = epoll_wait(ep, evs, 512, 20);
		for (i = 0; i < k; i++) {
			struct cl *c = evs[i].data.ptr;
			if (c->fd < 0)
				continue;
			if (c->state == 0 && (evs[i].events & EPOLLOUT)) {
				struct epoll_event ev;
				if (write(c->fd, req, (size_t)reqlen) != reqlen) {
					failed++;
					epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
					close(c->fd);
					c->fd = -1;
					continue;
				}
				c->state = 1;
				ev.events = EPOLLIN;
				ev.data.ptr = c;
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				continue;
			}
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
				for (;;) {
					ssize_t r = read(c->fd, buf, sizeof buf);
					if (r > 0) {
						const char *p = buf;
						size_t len = (size_t)r;
						if (c->state == 1) {
							char *h = memmem(buf, len, "\r\n\r\n", 4);
							if (!strncmp(buf, "HTTP/1.", 7) && strncmp(buf + 9, "200", 3)) {
								failed++;
								r = 0;
							} else {
								ok++;
								c->state = 2;
								if (h) {
									p = h + 4;
									len = (size_t)(buf + r - p);
								}
							}
							if (!r)
								goto closed;
						}
						scan(c, p, len);
						continue;
					}
					if (r < 0 && (errno == EAGAIN || errno == EINTR))
						break;
closed:
					epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
					close(c->fd);
					c->fd = -1;
					break;
				}
			}
		}
		if (started == n && !ready) {
			int tried = 1;
			for (i = 0; i < n; i++)
				if (cls[i].fd >= 0 && cls[i].state < 2)
					tried = 0;
			if (tried) {
				printf("connected %d failed %d\n", ok, failed);
				fflush(stdout);
				ready = 1;
			}
		}
		if (ready && !all_ready) {
			int all = 1;
			for (i = 0; i < n && all; i++)
				if (cls[i].fd >= 0 && !cls[i].got_first)
					all = 0;
			if (all) {
				printf("ready %lld\n", now_ms());
				fflush(stdout);
				all_ready = 1;
			}
		}
	}
	for (i = 0; i < n_ids; i++)
		printf("event %lld %d %lld %lld\n", ids[i].id, ids[i].clients, ids[i].first_ms, ids[i].last_ms);
	for (i = 0; i < n; i++)
		if (cls[i].fd >= 0)
			close(cls[i].fd);
	free(cls);
	return 0;
}
