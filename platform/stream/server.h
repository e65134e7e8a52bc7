/* server.h: the event loop of gamewatch-stream (docs/realtime.md).
 *
 * One process (or a few, forked by pool.c on one listening socket) serves
 * every stream with epoll: no thread or process per client. Each FastCGI
 * connection from the web server carries one request at a time
 * (fcgi-proto.h); a stream request that passes its route row's rules
 * (method, role, body, Origin) joins a room (hub.h) and stays open: the
 * snapshot or the resumed patches first, then every patch as the room's
 * module announces changes on Redis pub/sub, heartbeats between.
 *
 * Settings, from the environment (read once per process):
 *   STREAM_ALLOWED_ORIGINS   comma-separated origins whose pages may open
 *                            streams ("*": any); default the origin of
 *                            APP_BASE_URL; WS_ALLOWED_ORIGINS (the spec's
 *                            name) is read when this is unset
 *   STREAM_MAX_CLIENTS       streams per process (default 20000): over it 503
 *   STREAM_MAX_ROOMS         rooms per process (default 5000): over it 503
 *   STREAM_MAX_PER_ADDR      streams per client address (REMOTE_ADDR) and
 *                            process (default 32; 0: no limit): over it 429.
 *                            Loopback peers are exempt while GW_TRUST_LOOPBACK
 *                            is on (the host's own tools, tests, benchmarks).
 *                            This is the streams' rate rule: an EventSource
 *                            reconnects by itself, so a token per connect
 *                            would punish reconnects, not floods.
 *   STREAM_CLIENT_BUFFER     bytes of events that may wait behind the one
 *                            being written to a client before it is dropped
 *                            to a snapshot (default 1048576)
 *   STREAM_HEARTBEAT_SECONDS comment line to idle streams (default 15)
 *   STREAM_RETRY_MS          the reconnection delay sent to browsers
 *                            (SSE "retry:", default 3000)
 *   STREAM_STATS_SECONDS     a log line with clients, rooms, events, drops
 *                            and memory every N seconds (default 60; 0 off)
 *   REDIS_URL, GW_MODULES, GW_TRUST_LOOPBACK, METRICS_TOKEN as for the app. */
#ifndef GW_STREAM_SERVER_H
#define GW_STREAM_SERVER_H

/* Serve the listening socket `sock` until SIGTERM/SIGINT. Returns the
 * process exit code (0 after a clean stop, 1 when it cannot start). */
int stream_serve(int sock);

#endif
