/* pool.h: a pre-forked pool of FastCGI workers on one listening socket
 * (what `spawn-fcgi -F N` does), supervised: a worker that exits (recycled
 * after its request quota, or crashed) is replaced; SIGTERM/SIGINT stop the
 * pool, letting each worker finish its current request. Before forking,
 * the pool maps the request counters its workers share and counts every
 * worker it replaces there (platform/web/metrics.h). */
#ifndef GW_POOL_H
#define GW_POOL_H

/* Serve on `listen_spec` ("unix:/path/app.sock" or "HOST:PORT", e.g.
 * "127.0.0.1:9000") with `workers` (1..256) processes, each running
 * worker(sock) which returns its exit code. Writes the supervisor's pid to
 * `pidfile` unless NULL. Stays in the foreground until stopped; returns the
 * process exit code (0 after a clean stop, 1 when the socket cannot be
 * opened). A unix socket is created mode 0666 (guard it with its directory)
 * and removed at exit. */
int pool_run(const char *listen_spec, int workers, const char *pidfile,
	     int (*worker)(int sock));

#endif
