/* server.c: the epoll loop of gamewatch-stream (server.h). */
#include "platform/stream/server.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cfg.h"
#include "html.h"
#include "kv.h"
#include "log.h"
#include "platform/module.h"
#include "platform/stream/fcgi-proto.h"
#include "platform/stream/hub.h"
#include "platform/web/guard.h"
#include "platform/web/req.h"
#include "platform/web/route.h"
#include "timeutil.h"

#define STREAM_PREFIX "/api/v1/stream/"
#define READ_CHUNK 16384
#define MAX_IOV 64
#define ROOM_KEEP_MS 60000      /* a room without clients is kept this long for resumes */
#define CHECK_EVERY_MS 30000    /* "messages may have been missed": ask each module */
#define RESUBSCRIBE_MS 5000

enum { T_LISTEN = 1, T_SUB, T_CONN };

struct tag {
	int kind;
};

struct sroom;

struct conn {
	struct tag tag;
	int fd;
	struct fcgi_conn fc;
	struct buf in;
	struct squeue q;
	struct sroom *room;          /* while streaming */
	struct conn *rprev, *rnext;  /* in room->clients */
	struct conn *prev, *next;    /* in srv.conns */
	bool streaming;              /* joined a room */
	bool close_after;            /* close once the queue is written */
	bool counted;                /* counts against STREAM_MAX_CLIENTS */
	bool dead;                   /* closed; freed after the current epoll batch */
	struct addr_count *per_addr; /* its address's count, while it counts there */
};

/* Streams open per client address (REMOTE_ADDR), for STREAM_MAX_PER_ADDR. */
#define ADDR_BUCKETS 4096
struct addr_count {
	char addr[48];
	unsigned n;
	struct addr_count *next;
};

struct smod {
	const struct gw_module *m;
	struct gw_stream_env env;
	bool ok;
};

struct sroom {
	struct room *r;
	struct smod *mod;
	struct conn *clients;
	struct sroom *next;
};

static struct {
	struct cfg cfg;
	struct guard_cfg guard;
	int ep;
	struct tag listen_tag, sub_tag;
	int lsock;
	struct kv kv;           /* commands (the modules' reads) */
	struct kv sub;          /* the subscriber */
	bool sub_up;
	int64_t sub_retry_ms;
	struct smod *mods;
	size_t n_mods;
	struct sroom *rooms;
	size_t n_rooms, n_clients;
	struct conn *conns;
	struct conn *graveyard;  /* closed connections, freed after each epoll batch */
	const char *origins;
	size_t max_clients, max_rooms, client_buffer, max_per_addr;
	struct addr_count *addrs[ADDR_BUCKETS];
	int heartbeat_ms, retry_ms, stats_ms;
	struct sev *hb;
	int64_t next_hb_ms, next_check_ms, next_stats_ms, accept_paused_until;
	unsigned long long events, drops, snapshots, resumes, accepted;
} srv;

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static long env_num(const char *name, long def, long lo, long hi)
{
	const char *s = getenv(name);
	char *end;
	long v;
	if (!s || !*s)
		return def;
	v = strtol(s, &end, 10);
	if (*end || v < lo || v > hi) {
		log_warn("%s=%s is not a number in %ld..%ld; using %ld", name, s, lo, hi, def);
		return def;
	}
	return v;
}

/* The origin (scheme://host[:port]) of APP_BASE_URL, the default of
 * STREAM_ALLOWED_ORIGINS. */
static char *base_origin(const char *url)
{
	const char *p;
	size_t n;
	char *o;
	if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
		return strdup("");
	p = strstr(url, "://") + 3;
	n = (size_t)(p - url) + strcspn(p, "/?#");
	o = malloc(n + 1);
	if (!o)
		abort();
	memcpy(o, url, n);
	o[n] = '\0';
	return o;
}

/* ---- connections ---------------------------------------------------------- */

static unsigned addr_hash(const char *a)
{
	unsigned h = 2166136261u;
	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 16777619u;
	return h % ADDR_BUCKETS;
}

/* The count of `addr` (created at 0 when absent). */
static struct addr_count *addr_get(const char *addr)
{
	struct addr_count **pp = &srv.addrs[addr_hash(addr)], *a;
	for (a = *pp; a; a = a->next)
		if (!strcmp(a->addr, addr))
			return a;
	a = calloc(1, sizeof *a);
	if (!a)
		abort();
	snprintf(a->addr, sizeof a->addr, "%s", addr);
	a->next = *pp;
	*pp = a;
	return a;
}

static void addr_release(struct conn *c)
{
	struct addr_count *a = c->per_addr, **pp;
	if (!a)
		return;
	c->per_addr = NULL;
	if (--a->n)
		return;
	for (pp = &srv.addrs[addr_hash(a->addr)]; *pp; pp = &(*pp)->next) {
		if (*pp == a) {
			*pp = a->next;
			free(a);
			return;
		}
	}
}

static void room_detach(struct conn *c)
{
	struct sroom *sr = c->room;
	if (!sr)
		return;
	if (c->rprev)
		c->rprev->rnext = c->rnext;
	else
		sr->clients = c->rnext;
	if (c->rnext)
		c->rnext->rprev = c->rprev;
	c->rprev = c->rnext = NULL;
	if (--sr->r->clients == 0)
		sr->r->empty_since_ms = time_mono_ms();
	c->room = NULL;
}

/* Close now; the memory is freed after the current batch of epoll events
 * (free_closed), which may still name this connection. */
static void conn_close(struct conn *c)
{
	if (c->dead)
		return;
	addr_release(c);
	room_detach(c);
	if (c->counted)
		srv.n_clients--;
	c->counted = false;
	c->streaming = false;
	epoll_ctl(srv.ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->dead = true;
	if (c->prev)
		c->prev->next = c->next;
	else
		srv.conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = NULL;
	c->next = srv.graveyard;
	srv.graveyard = c;
}

static void free_closed(void)
{
	while (srv.graveyard) {
		struct conn *c = srv.graveyard;
		srv.graveyard = c->next;
		squeue_release(&c->q);
		fcgi_conn_release(&c->fc);
		buf_release(&c->in);
		free(c);
	}
}

/* Write what the queue holds until the socket would block. Returns 0, or
 * -1 when the connection must be closed (write error, or done). */
static int conn_flush(struct conn *c)
{
	struct iovec iov[MAX_IOV];
	uint8_t hdrs[MAX_IOV][8];
	for (;;) {
		int k;
		ssize_t n;
		if (squeue_empty(&c->q)) {
			if (c->q.need_snapshot && c->streaming && c->room) {
				struct sev *s = room_snapshot(c->room->r);
				c->q.need_snapshot = false;
				if (s) {
					squeue_push(&c->q, s);
					sev_unref(s);
					srv.snapshots++;
					continue;
				}
			}
			return c->close_after ? -1 : 0;
		}
		k = squeue_iov(&c->q, iov, MAX_IOV, hdrs);
		n = writev(c->fd, iov, k);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			return -1;
		}
		squeue_advance(&c->q, (size_t)n);
	}
}

/* Queue a whole raw reply (FastCGI records) for `c`. */
static void conn_raw(struct conn *c, const struct buf *b)
{
	struct sev *e;
	if (!b->len)
		return;
	e = sev_bytes(b->data, b->len, true);
	squeue_push(&c->q, e);
	sev_unref(e);
}

/* End the active request: FCGI_END_REQUEST, then close unless the web
 * server asked to keep the connection. */
static void conn_end_request(struct conn *c)
{
	struct buf b = BUF_INIT;
	fcgi_add_end_request(&b, c->fc.request_id, 0, FCGI_REQUEST_COMPLETE);
	conn_raw(c, &b);
	buf_release(&b);
	if (!c->fc.keep_conn)
		c->close_after = true;
	fcgi_conn_finish(&c->fc);
}

/* A complete non-stream answer: JSON {"error","detail"}. */
static void conn_error(struct conn *c, int status, const char *error, const char *detail,
		       const char *extra_headers)
{
	struct buf h = BUF_INIT, body = BUF_INIT, out = BUF_INIT;
	struct json_object *o = json_object_new_object();
	addr_release(c); /* a refused request holds no stream */
	json_object_object_add(o, "error", json_object_new_string(error));
	json_object_object_add(o, "detail", json_object_new_string(detail));
	buf_addstr(&body, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	buf_addf(&h, "Status: %d %s\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
		     "X-Content-Type-Options: nosniff\r\nContent-Length: %zu\r\n%s\r\n",
		 status, req_reason(status), body.len, extra_headers ? extra_headers : "");
	buf_add(&h, body.data, body.len);
	fcgi_add_stream(&out, FCGI_STDOUT, c->fc.request_id, h.data, h.len);
	fcgi_add_stream(&out, FCGI_STDOUT, c->fc.request_id, NULL, 0);
	conn_raw(c, &out);
	buf_release(&h);
	buf_release(&body);
	buf_release(&out);
	conn_end_request(c);
}

/* ---- rooms ---------------------------------------------------------------- */

static struct sroom *room_find(const char *name)
{
	struct sroom *sr;
	for (sr = srv.rooms; sr; sr = sr->next)
		if (!strcmp(sr->r->name, name))
			return sr;
	return NULL;
}

/* Fan a patch out to every client of the room. */
static void room_fanout(struct sroom *sr, struct sev *ev)
{
	struct conn *c, *next;
	for (c = sr->clients; c; c = next) {
		next = c->rnext;
		if (squeue_offer(&c->q, ev, srv.client_buffer)) {
			if (conn_flush(c) < 0)
				conn_close(c);
		} else if (c->q.need_snapshot) {
			srv.drops++;
		}
	}
	srv.events++;
}

/* Rebuild one room from its module; fan out the patch when it changed. */
static void room_rebuild(struct sroom *sr)
{
	long long v = 0;
	struct json_object *doc = sr->mod->m->stream.build(&sr->mod->env, sr->r->name, &v);
	struct sev *ev;
	if (!doc)
		return;
	ev = room_update(sr->r, doc, v);
	if (ev) {
		room_fanout(sr, ev);
		sev_unref(ev);
	}
}

static void module_changed(struct smod *sm)
{
	struct sroom *sr;
	for (sr = srv.rooms; sr; sr = sr->next)
		if (sr->mod == sm)
			room_rebuild(sr);
}

static void on_message(void *closure, const char *channel, const char *payload, size_t len)
{
	size_t i;
	(void)closure;
	for (i = 0; i < srv.n_mods; i++) {
		struct smod *sm = &srv.mods[i];
		const char *const *ch;
		if (!sm->ok)
			continue;
		for (ch = sm->m->stream.channels; *ch; ch++) {
			if (strcmp(*ch, channel))
				continue;
			if (sm->m->stream.message(&sm->env, channel, payload, len))
				module_changed(sm);
			break;
		}
	}
}

static void check_all_modules(void)
{
	size_t i;
	for (i = 0; i < srv.n_mods; i++) {
		struct smod *sm = &srv.mods[i];
		if (sm->ok && sm->m->stream.message(&sm->env, NULL, NULL, 0))
			module_changed(sm);
	}
}

static void rooms_gc(int64_t now)
{
	struct sroom **pp = &srv.rooms;
	while (*pp) {
		struct sroom *sr = *pp;
		if (!sr->r->clients && now - sr->r->empty_since_ms > ROOM_KEEP_MS) {
			*pp = sr->next;
			room_free(sr->r);
			free(sr);
			srv.n_rooms--;
			continue;
		}
		pp = &sr->next;
	}
}

/* ---- the subscriber ------------------------------------------------------- */

static void sub_connect(void)
{
	size_t i;
	struct epoll_event ev;
	if (srv.sub_up)
		return;
	if (kv_ensure(&srv.sub) < 0)
		return;
	for (i = 0; i < srv.n_mods; i++) {
		const char *const *ch;
		if (!srv.mods[i].ok)
			continue;
		for (ch = srv.mods[i].m->stream.channels; *ch; ch++)
			if (kv_subscribe(&srv.sub, *ch) < 0)
				return; /* closed by kv_subscribe; retried later */
	}
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	ev.data.ptr = &srv.sub_tag;
	if (epoll_ctl(srv.ep, EPOLL_CTL_ADD, srv.sub.ctx->fd, &ev) < 0) {
		log_error("epoll_ctl (redis): %s", strerror(errno));
		return;
	}
	srv.sub_up = true;
	log_info("subscribed to the modules' channels");
	/* anything published while we were not listening */
	check_all_modules();
}

static void sub_readable(void)
{
	int fd = srv.sub.ctx ? srv.sub.ctx->fd : -1;
	if (kv_read_messages(&srv.sub, on_message, NULL) < 0) {
		log_warn("lost the Redis subscription; retrying every %d s", RESUBSCRIBE_MS / 1000);
		if (fd >= 0)
			epoll_ctl(srv.ep, EPOLL_CTL_DEL, fd, NULL); /* already closed by kv */
		srv.sub_up = false;
		srv.sub_retry_ms = time_mono_ms() + RESUBSCRIBE_MS;
	}
}

/* ---- requests ------------------------------------------------------------- */

/* The room a stream row names: its {room} argument, else the pattern after
 * /api/v1/stream/. */
static const char *row_room(const struct route *row, struct req *rq)
{
	if (strstr(row->pattern, "{room}"))
		return rq->route_args[0];
	if (!strncmp(row->pattern, STREAM_PREFIX, sizeof STREAM_PREFIX - 1))
		return row->pattern + sizeof STREAM_PREFIX - 1;
	return NULL;
}

/* Which module serves `name`: the row's own module, or (platform rows)
 * the first whose room hook accepts it. Sets *bad when a module
 * recognised the kind of room but not the name. */
static struct smod *room_owner(const struct gw_module *row_module, const char *name, bool *bad)
{
	size_t i;
	*bad = false;
	for (i = 0; i < srv.n_mods; i++) {
		struct smod *sm = &srv.mods[i];
		int rc;
		if (!sm->ok || (row_module && sm->m != row_module))
			continue;
		rc = sm->m->stream.room(name);
		if (rc == 1)
			return sm;
		if (rc < 0)
			*bad = true;
	}
	return NULL;
}

static void start_stream(struct conn *c, struct sroom *sr, const char *origin, bool cross_origin,
			 const char *last_id, bool head)
{
	struct buf h = BUF_INIT, out = BUF_INIT;
	long long lid;
	buf_addstr(&h, "Status: 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
		       "Cache-Control: no-store\r\nX-Accel-Buffering: no\r\n"
		       "X-Content-Type-Options: nosniff\r\n");
	if (cross_origin)
		buf_addf(&h, "Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n", origin);
	buf_addstr(&h, "\r\n");
	if (!head)
		buf_addf(&h, "retry: %d\n\n", srv.retry_ms);
	fcgi_add_stream(&out, FCGI_STDOUT, c->fc.request_id, h.data, h.len);
	c->q.request_id = c->fc.request_id;
	c->q.need_snapshot = false;
	conn_raw(c, &out);
	buf_release(&h);
	buf_release(&out);
	if (head) {
		buf_reset(&out);
		fcgi_add_stream(&out, FCGI_STDOUT, c->fc.request_id, NULL, 0);
		conn_raw(c, &out);
		buf_release(&out);
		conn_end_request(c);
		return;
	}
	c->streaming = true;
	c->room = sr;
	c->rnext = sr->clients;
	if (sr->clients)
		sr->clients->rprev = c;
	sr->clients = c;
	sr->r->clients++;
	if (last_id && stream_parse_last_id(last_id, &lid) == 0) {
		unsigned first = 0, i;
		int n = room_resume(sr->r, lid, &first);
		if (n >= 0) {
			for (i = 0; i < (unsigned)n; i++)
				squeue_push(&c->q, room_ring_at(sr->r, first + i)->ev);
			srv.resumes++;
			return;
		}
	}
	{
		struct sev *s = room_snapshot(sr->r);
		squeue_push(&c->q, s);
		sev_unref(s);
		srv.snapshots++;
	}
}

static void handle_request(struct conn *c)
{
	char *method = fcgi_conn_param(&c->fc, "REQUEST_METHOD");
	char *uri = fcgi_conn_param(&c->fc, "REQUEST_URI");
	char *origin = fcgi_conn_param(&c->fc, "HTTP_ORIGIN");
	char *last_id = fcgi_conn_param(&c->fc, "HTTP_LAST_EVENT_ID");
	char *addr = fcgi_conn_param(&c->fc, "REMOTE_ADDR");
	char *auth = fcgi_conn_param(&c->fc, "HTTP_AUTHORIZATION");
	struct req rq;
	struct route_match m;
	struct buf path = BUF_INIT;
	const char *room_name;
	struct smod *sm;
	struct sroom *sr;
	bool bad, head;
	size_t rawlen;

	memset(&rq, 0, sizeof rq);
	memset(&m, 0, sizeof m);
	if (!method || !uri || strlen(method) >= sizeof rq.method) {
		conn_error(c, 400, "bad request", "REQUEST_METHOD and REQUEST_URI are required.", NULL);
		goto out;
	}
	snprintf(rq.method, sizeof rq.method, "%s", method);
	head = !strcmp(rq.method, "HEAD");
	rawlen = strcspn(uri, "?#");
	if (url_decode(uri, rawlen, &path, false) < 0 || path.data[0] != '/' ||
	    strlen(path.data) != path.len || strstr(path.data, "/./") || strstr(path.data, "/../")) {
		conn_error(c, 400, "bad request", "The path is not a valid URL path.", NULL);
		goto out;
	}
	rq.path = path.data;
	if (!route_lookup(&rq, &m)) {
		if (m.allowed) {
			char allow[64], hdr[96];
			route_methods_text(m.allowed, allow, sizeof allow);
			snprintf(hdr, sizeof hdr, "Allow: %s\r\n", allow);
			conn_error(c, 405, "method not allowed", "This stream is read with GET.", hdr);
		} else {
			conn_error(c, 404, "not found", "No stream at this path.", NULL);
		}
		goto out;
	}
	if (m.route->kind != ROUTE_STREAM) {
		conn_error(c, 404, "not found",
			   "This server only serves streams (/api/v1/stream/...).", NULL);
		goto out;
	}
	/* no web sessions here (no database): a stream row of an account role
	 * is 401 for everyone; every stream row is public today */
	if (guard_role_check(&srv.guard, m.route->role, addr ? addr : "", auth ? auth : "", -1)) {
		conn_error(c, 401, "unauthorized", "This stream needs a signed-in account.", NULL);
		goto out;
	}
	if (c->fc.stdin_bytes > m.route->body_max) {
		conn_error(c, 413, "payload too large", "A stream request takes no body.", NULL);
		goto out;
	}
	if (!stream_origin_allowed(srv.origins, origin)) {
		conn_error(c, 403, "forbidden",
			   "Pages of this origin may not open streams (STREAM_ALLOWED_ORIGINS).", NULL);
		goto out;
	}
	room_name = row_room(m.route, &rq);
	sm = room_name ? room_owner(m.module, room_name, &bad) : NULL;
	if (!sm) {
		if (room_name && bad)
			conn_error(c, 400, "bad request", "This room name is malformed.", NULL);
		else
			conn_error(c, 404, "not found", "No module serves this room.", NULL);
		goto out;
	}
	if (srv.n_clients >= srv.max_clients) {
		conn_error(c, 503, "service unavailable", "Too many streams open; try again later.",
			   "Retry-After: 30\r\n");
		goto out;
	}
	if (!head && addr && *addr && srv.max_per_addr &&
	    !(srv.guard.trust_loopback && guard_is_loopback(addr))) {
		struct addr_count *a = addr_get(addr);
		if (a->n >= srv.max_per_addr) {
			conn_error(c, 429, "too many requests",
				   "Too many streams from this address (STREAM_MAX_PER_ADDR).",
				   "Retry-After: 30\r\n");
			goto out;
		}
		a->n++;
		c->per_addr = a;
	}
	sr = room_find(room_name);
	if (!sr) {
		if (srv.n_rooms >= srv.max_rooms) {
			conn_error(c, 503, "service unavailable", "Too many rooms open; try again later.",
				   "Retry-After: 30\r\n");
			goto out;
		}
		sr = calloc(1, sizeof *sr);
		if (!sr)
			abort();
		sr->r = room_new(room_name, sm);
		sr->mod = sm;
		sr->next = srv.rooms;
		srv.rooms = sr;
		srv.n_rooms++;
		sr->r->empty_since_ms = time_mono_ms();
	}
	if (!sr->r->doc)
		room_rebuild(sr);
	if (!sr->r->doc) {
		conn_error(c, 503, "service unavailable",
			   kv_enabled(&srv.kv)
				   ? "The data of this room is not available yet (Redis down, or no poll yet)."
				   : "Streams need Redis, which this installation does not use (REDIS_URL "
				     "is unset): poll the JSON API instead.",
			   "Retry-After: 5\r\n");
		goto out;
	}
	{
		/* a same-origin page sends no Origin; echo an allowed cross-origin one */
		bool cross = origin && *origin;
		start_stream(c, sr, origin, cross, last_id, head);
	}
	if (!head) {
		c->counted = true;
		srv.n_clients++;
	}
out:
	free(rq.route_buf);
	buf_release(&path);
	free(method);
	free(uri);
	free(origin);
	free(last_id);
	free(addr);
	free(auth);
}

/* Input on a connection. Returns -1 when it must be closed. */
static int conn_readable(struct conn *c)
{
	uint8_t tmp[READ_CHUNK];
	for (;;) {
		ssize_t n = read(c->fd, tmp, sizeof tmp);
		size_t used = 0, off = 0;
		struct buf reply = BUF_INIT;
		if (n == 0)
			return -1; /* the web server closed: the client went away */
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf_add(&c->in, tmp, (size_t)n);
		for (;;) {
			enum fcgi_event ev = fcgi_conn_feed(&c->fc, (uint8_t *)c->in.data + off,
							    c->in.len - off, &used, &reply);
			off += used;
			conn_raw(c, &reply);
			buf_reset(&reply);
			if (ev == FCGI_EV_MORE)
				break;
			if (ev == FCGI_EV_ERROR) {
				log_warn("closing a FastCGI connection: %s", c->fc.error);
				buf_release(&reply);
				return -1;
			}
			if (ev == FCGI_EV_ABORT) {
				/* the client left: end the request (and the stream) */
				room_detach(c);
				addr_release(c);
				if (c->counted) {
					srv.n_clients--;
					c->counted = false;
				}
				c->streaming = false;
				squeue_drop_events(&c->q);
				conn_end_request(c);
				continue;
			}
			if (ev == FCGI_EV_REQUEST && !c->streaming)
				handle_request(c);
		}
		buf_release(&reply);
		if (off) {
			memmove(c->in.data, c->in.data + off, c->in.len - off);
			buf_truncate(&c->in, c->in.len - off);
		}
		if (conn_flush(c) < 0)
			return -1;
	}
}

static void accept_all(void)
{
	for (;;) {
		struct epoll_event ev;
		struct conn *c;
		int fd = accept4(srv.lsock, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				/* out of descriptors: stop accepting for a second */
				log_warn("accept: %s; pausing accepts for 1 s", strerror(errno));
				epoll_ctl(srv.ep, EPOLL_CTL_DEL, srv.lsock, NULL);
				srv.accept_paused_until = time_mono_ms() + 1000;
			}
			return; /* EAGAIN: another process took it, or none left */
		}
		c = calloc(1, sizeof *c);
		if (!c)
			abort();
		c->tag.kind = T_CONN;
		c->fd = fd;
		fcgi_conn_init(&c->fc, (unsigned)srv.max_clients, (unsigned)srv.max_clients);
		squeue_init(&c->q, 0);
		c->next = srv.conns;
		if (srv.conns)
			srv.conns->prev = c;
		srv.conns = c;
		srv.accepted++;
		memset(&ev, 0, sizeof ev);
		ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
		ev.data.ptr = c;
		if (epoll_ctl(srv.ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			log_error("epoll_ctl: %s", strerror(errno));
			conn_close(c);
			continue;
		}
		if (conn_readable(c) < 0)
			conn_close(c);
	}
}

static int listen_add(void)
{
	struct epoll_event ev;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.ptr = &srv.listen_tag;
	return epoll_ctl(srv.ep, EPOLL_CTL_ADD, srv.lsock, &ev);
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void tick(int64_t now)
{
	if (!srv.sub_up && now >= srv.sub_retry_ms) {
		sub_connect();
		if (!srv.sub_up)
			srv.sub_retry_ms = now + RESUBSCRIBE_MS;
	}
	if (srv.accept_paused_until && now >= srv.accept_paused_until) {
		srv.accept_paused_until = 0;
		if (listen_add() == 0)
			accept_all();
	}
	if (now >= srv.next_hb_ms) {
		struct conn *c, *next;
		for (c = srv.conns; c; c = next) {
			next = c->next;
			if (!c->streaming || !squeue_empty(&c->q))
				continue;
			squeue_push(&c->q, srv.hb);
			if (conn_flush(c) < 0)
				conn_close(c);
		}
		srv.next_hb_ms = now + srv.heartbeat_ms;
	}
	if (now >= srv.next_check_ms) {
		check_all_modules();
		srv.next_check_ms = now + CHECK_EVERY_MS;
	}
	rooms_gc(now);
	if (srv.stats_ms && now >= srv.next_stats_ms) {
		log_info("stream stats: clients=%zu rooms=%zu accepted=%llu events=%llu snapshots=%llu "
			 "resumes=%llu drops=%llu rss_kib=%ld",
			 srv.n_clients, srv.n_rooms, srv.accepted, srv.events, srv.snapshots,
			 srv.resumes, srv.drops, rss_kib());
		srv.next_stats_ms = now + srv.stats_ms;
	}
}

static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < srv.max_clients + 64)
		log_warn("the descriptor limit (%lu) is below STREAM_MAX_CLIENTS (%zu): "
			 "raise LimitNOFILE / ulimit -n", (unsigned long)rl.rlim_cur, srv.max_clients);
}

static int setup(int sock)
{
	const struct gw_module *const *mp;
	size_t i;
	char *origin_default;
	const char *o;
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	cfg_load_env(&srv.cfg);
	guard_init(&srv.guard, &srv.cfg);
	srv.max_clients = (size_t)env_num("STREAM_MAX_CLIENTS", 20000, 1, 1000000);
	srv.max_rooms = (size_t)env_num("STREAM_MAX_ROOMS", 5000, 1, 1000000);
	srv.client_buffer = (size_t)env_num("STREAM_CLIENT_BUFFER", 1 << 20, 1024, 1L << 30);
	srv.max_per_addr = (size_t)env_num("STREAM_MAX_PER_ADDR", 32, 0, 1000000);
	srv.heartbeat_ms = (int)env_num("STREAM_HEARTBEAT_SECONDS", 15, 1, 3600) * 1000;
	srv.retry_ms = (int)env_num("STREAM_RETRY_MS", 3000, 100, 600000);
	srv.stats_ms = (int)env_num("STREAM_STATS_SECONDS", 60, 0, 86400) * 1000;
	o = getenv("STREAM_ALLOWED_ORIGINS");
	if (!o || !*o)
		o = getenv("WS_ALLOWED_ORIGINS");
	origin_default = base_origin(srv.cfg.app_base_url);
	srv.origins = o && *o ? o : origin_default; /* kept for the process's life */
	srv.hb = sev_bytes(": hb\n\n", 6, false);
	raise_fd_limit();

	srv.lsock = sock;
	fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
	listen(sock, 4096); /* a deeper backlog than the pool's: streams connect in bursts */
	srv.ep = epoll_create1(EPOLL_CLOEXEC);
	if (srv.ep < 0) {
		log_error("epoll_create1: %s", strerror(errno));
		return -1;
	}
	srv.listen_tag.kind = T_LISTEN;
	srv.sub_tag.kind = T_SUB;
	if (listen_add() < 0) {
		log_error("epoll_ctl (listen): %s", strerror(errno));
		return -1;
	}
	if (kv_open(&srv.kv, srv.cfg.redis_url, 2000) < 0)
		log_warn("Redis is not reachable yet; rooms open once it is");
	if (kv_open(&srv.sub, srv.cfg.redis_url, 2000) < 0 && !srv.sub.host)
		return -1; /* an invalid URL */
	for (mp = gw_modules(); *mp; mp++)
		if ((*mp)->stream.channels)
			srv.n_mods++;
	srv.mods = calloc(srv.n_mods ? srv.n_mods : 1, sizeof *srv.mods);
	if (!srv.mods)
		abort();
	for (i = 0, mp = gw_modules(); *mp; mp++) {
		struct smod *sm;
		if (!(*mp)->stream.channels)
			continue;
		sm = &srv.mods[i++];
		sm->m = *mp;
		sm->env.cfg = &srv.cfg;
		sm->env.kv = &srv.kv;
		sm->ok = !sm->m->stream.init || sm->m->stream.init(&sm->env) == 0;
		if (!sm->ok)
			log_error("module %s: its stream rooms are off (init failed)", sm->m->name);
	}
	sub_connect();
	if (!srv.sub_up)
		srv.sub_retry_ms = time_mono_ms() + RESUBSCRIBE_MS;
	srv.next_hb_ms = time_mono_ms() + srv.heartbeat_ms;
	srv.next_check_ms = time_mono_ms() + CHECK_EVERY_MS;
	srv.next_stats_ms = time_mono_ms() + srv.stats_ms;
	log_info("streams: %zu module(s) with rooms, allowed origins \"%s\", client buffer %zu bytes",
		 srv.n_mods, srv.origins, srv.client_buffer);
	return 0;
}

static void teardown(void)
{
	size_t i;
	while (srv.conns)
		conn_close(srv.conns);
	free_closed();
	while (srv.rooms) {
		struct sroom *sr = srv.rooms;
		srv.rooms = sr->next;
		room_free(sr->r);
		free(sr);
	}
	for (i = 0; i < srv.n_mods; i++)
		if (srv.mods[i].ok && srv.mods[i].m->stream.free)
			srv.mods[i].m->stream.free(&srv.mods[i].env);
	free(srv.mods);
	sev_unref(srv.hb);
	kv_close(&srv.kv);
	kv_close(&srv.sub);
	close(srv.ep);
}

int stream_serve(int sock)
{
	struct epoll_event evs[256];
	if (setup(sock) < 0)
		return 1;
	while (!stopping) {
		int n = epoll_wait(srv.ep, evs, 256, 1000), i;
		if (n < 0 && errno != EINTR) {
			log_error("epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			struct tag *t = evs[i].data.ptr;
			if (t->kind == T_LISTEN) {
				accept_all();
			} else if (t->kind == T_SUB) {
				if (srv.sub_up)
					sub_readable();
			} else {
				struct conn *c = (struct conn *)t;
				uint32_t e = evs[i].events;
				int rc = 0;
				if (c->dead)
					continue;
				if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
					rc = conn_readable(c);
				if (rc == 0 && (e & EPOLLOUT))
					rc = conn_flush(c);
				if (rc < 0)
					conn_close(c);
			}
		}
		tick(time_mono_ms());
		free_closed();
	}
	log_info("stopping: closing %zu streams", srv.n_clients);
	teardown();
	return 0;
}
