/* pool.h: a pre-forked pool of FastCGI workers on one listening socket
 * (what `spawn-fcgi -F N` does), supervised: a worker that exits (recycled
 * after its request quota, or crashed) is replaced; SIGTERM/SIGINT stop the
 * pool, letting each worker finish its current request; SIGHUP replaces
 * every worker by a new one (pool_on_reload). Before forking,
 * the pool maps the request counters its workers share and counts every
 * worker it replaces there (platform/web/metrics.h). */
#ifndef GW_POOL_H
#define GW_POOL_H

#include <stdbool.h>

/* Serve on `listen_spec` ("unix:/path/app.sock" or "HOST:PORT", e.g.
 * "127.0.0.1:9000") with `workers` (1..256) processes, each running
 * worker(sock) which returns its exit code. Stays in the foreground until
 * stopped; returns the process exit code (0 after a clean stop, 1 when it
 * cannot start: unknown user, root without a user, socket not opened).
 *
 * Start-up, in order (what a daemon started as root does, e.g. lighttpd's
 * server.username or PostgreSQL refusing root):
 *   1. `user` (a name from the passwd database, or NULL) is looked up. As
 *      root, NULL is refused (logged) unless `allow_root` (then the workers
 *      run as root, logged as a warning). Not root, `user` must be NULL or
 *      the current user.
 *   2. The socket is opened. A unix socket is made mode 0660, owned by
 *      `user` and its primary group when given (the web server's user must
 *      be that user or in that group, e.g. www-data), else by the caller.
 *   3. The supervisor's pid is written to `pidfile` unless NULL (O_NOFOLLOW:
 *      a symlink planted there is not followed).
 *   4. As root with `user`: initgroups, setgid, setuid (and a check that
 *      root cannot be regained). Then the workers are forked.
 * At exit the socket and the pidfile are removed when the directory lets
 * `user` do so (else the next start replaces the socket). */
int pool_run(const char *listen_spec, int workers, const char *pidfile, const char *user,
	     bool allow_root, int (*worker)(int sock));

/* SIGHUP reloads the pool gracefully (systemd's ExecReload, `kill -HUP`):
 * the supervisor first calls `reload` (set here before pool_run; NULL: no
 * such step) and, when it returns 0, forks a full set of new workers, then
 * sends SIGTERM to the old ones, which finish the request they are serving
 * and exit without being replaced. The listening socket stays open all the
 * while, so no connection is refused. When `reload` returns -1 (it logs
 * why: say, an env file that does not parse) the old workers keep serving.
 * Workers ignore SIGHUP themselves. */
void pool_on_reload(int (*reload)(void));

#endif
