/* job-notify.c: Discord webhooks for BZCC sessions (docs/realtime.md).
 *
 *   gamewatch-job notify [--once | --duration SECONDS]
 *   gamewatch-job webhook add URL [--hosts steam:ID,gog:ID...]
 *   gamewatch-job webhook list | remove ID
 *
 * notify runs beside the poller, never inside it: it wakes on the poller's
 * gw:bzcc:events messages (and every 5 s), reads gw:bzcc:current, and for
 * each enabled webhook posts a message when a session it announces appears,
 * edits it when what it shows changes, and marks it ended when the session
 * left the lobby (decisions and bodies: domain/notify.h; state:
 * bzcc.webhook_messages, so a restart neither repeats nor loses a message).
 * Delivery: one request at a time per webhook; 429 waits Retry-After (the
 * header, else the body's retry_after), 5xx and transport failures back off
 * 1 s, 2 s, 4 s ... 5 min (±20 %), other 4xx are recorded on the webhook
 * (a 404 on the webhook itself disables it). NOTIFY_WEBHOOK_HOSTS lists
 * extra host[:port]s a webhook URL may name (a relay, the tests). --once
 * delivers what is due now, waiting out backoffs for at most 60 s.
 * Without Redis (REDIS_URL unset) it reads the current lobby from
 * PostgreSQL instead and wakes on the poller's NOTIFY gw_bzcc_events
 * (LISTEN on its own connection), as the web workers do.
 * Holds <run_dir>/gamewatch-notify.lock. */
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "buf.h"
#include "db.h"
#include "http.h"
#include "kv.h"
#include "log.h"
#include "modules/bzcc/domain/notify.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-notify.h"
#include "modules/bzcc/store/bzcc-store.h"
#include "platform/admin/audit.h"
#include "platform/jobs/lock.h"
#include "timeutil.h"

#define NOTIFY_MAX_WEBHOOKS 256
#define NOTIFY_WAKE_MS 5000
#define NOTIFY_BACKOFF_BASE_MS 1000
#define NOTIFY_BACKOFF_CAP_MS 300000

static volatile int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct hook_state {
	int64_t id;
	int failures;           /* consecutive 5xx / transport failures */
	int64_t blocked_until;  /* monotonic ms */
};

static struct hook_state states[NOTIFY_MAX_WEBHOOKS];
static int n_states;

static struct hook_state *state_of(int64_t id)
{
	int i;
	for (i = 0; i < n_states; i++)
		if (states[i].id == id)
			return &states[i];
	if (n_states == NOTIFY_MAX_WEBHOOKS)
		return NULL;
	memset(&states[n_states], 0, sizeof states[0]);
	states[n_states].id = id;
	return &states[n_states++];
}

/* url + suffix, the suffix going before any query string. */
static void url_with(struct buf *out, const char *url, const char *suffix, const char *query)
{
	size_t base = strcspn(url, "?#");
	buf_reset(out);
	buf_add(out, url, base);
	buf_addstr(out, suffix);
	if (url[base] == '?') {
		buf_addstr(out, url + base);
		if (query)
			buf_addf(out, "&%s", query);
	} else if (query) {
		buf_addf(out, "?%s", query);
	}
}

enum outcome { OK, RETRY, REFUSED, GONE };

/* One request. On OK fills message_id (POST) when not NULL. */
static enum outcome deliver(const char *method, const char *url, const char *body,
			    struct hook_state *st, char *message_id, size_t idlen, char *why, size_t whylen)
{
	static const char *const headers[] = { "Content-Type: application/json", NULL };
	struct http_options opt = { 3000, 10000, 1 << 20, NULL };
	struct http_response res;
	enum outcome o;
	memset(&res, 0, sizeof res);
	if (http_send(method, url, headers, body, strlen(body), &opt, &res) < 0) {
		snprintf(why, whylen, "%s", res.error);
		o = RETRY;
	} else if (res.status >= 200 && res.status < 300) {
		o = OK;
		if (message_id) {
			struct json_object *j = json_tokener_parse(res.body.data), *v;
			message_id[0] = '\0';
			if (j && json_object_object_get_ex(j, "id", &v))
				snprintf(message_id, idlen, "%s", json_object_get_string(v));
			json_object_put(j);
			if (!message_id[0]) {
				snprintf(why, whylen, "HTTP %ld without a message id", res.status);
				o = REFUSED;
			}
		}
	} else if (res.status == 429) {
		long wait_s = res.retry_after_s;
		if (wait_s < 0) {
			struct json_object *j = json_tokener_parse(res.body.data), *v;
			if (j && json_object_object_get_ex(j, "retry_after", &v))
				wait_s = (long)ceil(json_object_get_double(v));
			json_object_put(j);
		}
		if (wait_s < 1)
			wait_s = 1;
		st->blocked_until = time_mono_ms() + wait_s * 1000;
		log_info("webhook %lld: 429, waiting %ld s (Retry-After)", (long long)st->id, wait_s);
		http_response_release(&res);
		return RETRY; /* not a failure: no backoff growth */
	} else if (res.status >= 500) {
		snprintf(why, whylen, "HTTP %ld", res.status);
		o = RETRY;
	} else {
		snprintf(why, whylen, "HTTP %ld: %.200s", res.status, res.body.data);
		o = res.status == 404 ? GONE : REFUSED;
	}
	if (o == RETRY) {
		st->failures++;
		st->blocked_until = time_mono_ms() + backoff_exp_delay_ms(st->failures, NOTIFY_BACKOFF_BASE_MS,
									    NOTIFY_BACKOFF_CAP_MS, 0.2,
									    backoff_random_unit());
		log_warn("webhook %lld: %s; retry %d", (long long)st->id, why, st->failures);
	} else if (o == OK) {
		st->failures = 0;
	}
	http_response_release(&res);
	return o;
}

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v;
	if (o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* Bring one webhook's messages in line with the lobby. Returns the number
 * of requests still due (0: in line, or blocked). */
static int sync_webhook(struct db *db, const struct cfg *cfg, struct json_object *hook,
			struct json_object *lobby)
{
	struct json_object *hosts_j, *msgs, *sessions, *live_ids = json_object_new_object();
	const char *hosts[BZCC_NOTIFY_MAX_HOSTS];
	const char *url = jstr(hook, "url");
	struct hook_state *st;
	struct buf payload = BUF_INIT, target = BUF_INIT;
	size_t i, nh = 0;
	int due = 0;
	char why[300], mid[64];
	int64_t id;
	struct json_object *v;

	json_object_object_get_ex(hook, "id", &v);
	id = json_object_get_int64(v);
	st = state_of(id);
	if (!st || !url || time_mono_ms() < st->blocked_until) {
		json_object_put(live_ids);
		return st && url ? 1 : 0;
	}
	if (json_object_object_get_ex(hook, "hosts", &hosts_j) && json_object_is_type(hosts_j, json_type_array))
		for (i = 0; i < json_object_array_length(hosts_j) && nh < BZCC_NOTIFY_MAX_HOSTS; i++)
			hosts[nh++] = json_object_get_string(json_object_array_get_idx(hosts_j, i));
	msgs = bzcc_webhook_messages(db, id);
	if (!msgs) {
		json_object_put(live_ids);
		return 0;
	}
	/* sessions it announces: create or edit */
	if (json_object_object_get_ex(lobby, "sessions", &sessions) &&
	    json_object_is_type(sessions, json_type_array)) {
		for (i = 0; i < json_object_array_length(sessions); i++) {
			struct json_object *s = json_object_array_get_idx(sessions, i), *m;
			const char *sid = jstr(s, "id");
			const char *sjson;
			enum outcome o = OK;
			if (!sid || !bzcc_notify_wants(hosts, nh, s))
				continue;
			json_object_object_add(live_ids, sid, NULL);
			sjson = json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN);
			if (!json_object_object_get_ex(msgs, sid, &m)) {
				bzcc_notify_payload(s, true, false, cfg->app_base_url, &payload);
				url_with(&target, url, "", "wait=true");
				o = deliver("POST", target.data, payload.data, st, mid, sizeof mid, why, sizeof why);
				if (o == OK)
					bzcc_webhook_message_put(db, id, sid, mid, "live", payload.data, sjson);
				else if (o == REFUSED)
					bzcc_webhook_message_put(db, id, sid, NULL, "failed", payload.data, sjson);
			} else {
				const char *state = jstr(m, "state"), *msg = jstr(m, "message_id");
				if (!state || strcmp(state, "live") || !msg)
					continue; /* ended earlier and back (a new id would be a new session), gone, failed */
				/* an edit leaves "content" (the announcement) as it was:
				 * compare and send the rest */
				bzcc_notify_payload(s, false, false, cfg->app_base_url, &payload);
				{
					struct json_object *old = json_tokener_parse(jstr(m, "payload"));
					bool same = false;
					if (old) {
						json_object_object_del(old, "content");
						same = !strcmp(payload.data, json_object_to_json_string_ext(
										       old, JSON_C_TO_STRING_PLAIN |
											    JSON_C_TO_STRING_NOSLASHESCAPE));
						json_object_put(old);
					}
					if (same)
						continue; /* nothing it shows changed */
				}
				buf_reset(&target);
				buf_addstr(&target, "/messages/");
				buf_addstr(&target, msg);
				{
					struct buf u = BUF_INIT;
					url_with(&u, url, target.data, NULL);
					o = deliver("PATCH", u.data, payload.data, st, NULL, 0, why, sizeof why);
					buf_release(&u);
				}
				if (o == OK)
					bzcc_webhook_message_put(db, id, sid, NULL, "live", payload.data, sjson);
				else if (o == GONE)
					bzcc_webhook_message_put(db, id, sid, NULL, "gone", payload.data, sjson);
			}
			if (o == RETRY) {
				due++;
				goto out;
			}
			if (o == REFUSED || (o == GONE && !json_object_object_get_ex(msgs, sid, NULL))) {
				bzcc_webhook_set_error(db, id, why, o == GONE);
				if (o == GONE)
					goto out; /* the webhook itself is gone: disabled */
			}
		}
	}
	/* live messages of sessions that left the lobby (or no longer qualify): ended */
	json_object_object_foreach(msgs, sid, m) {
		struct json_object *sess = NULL;
		const char *state = jstr(m, "state"), *msg = jstr(m, "message_id");
		enum outcome o;
		struct buf u = BUF_INIT;
		if (!state || strcmp(state, "live") || !msg || json_object_object_get_ex(live_ids, sid, NULL))
			continue;
		json_object_object_get_ex(m, "session", &sess);
		bzcc_notify_payload(sess, false, true, cfg->app_base_url, &payload);
		buf_reset(&target);
		buf_addstr(&target, "/messages/");
		buf_addstr(&target, msg);
		url_with(&u, url, target.data, NULL);
		o = deliver("PATCH", u.data, payload.data, st, NULL, 0, why, sizeof why);
		buf_release(&u);
		if (o == OK || o == GONE || o == REFUSED)
			bzcc_webhook_message_put(db, id, sid, NULL, o == OK ? "ended" : "gone", payload.data,
						 json_object_to_json_string_ext(sess, JSON_C_TO_STRING_PLAIN));
		if (o == RETRY) {
			due++;
			break;
		}
	}
out:
	json_object_put(msgs);
	json_object_put(live_ids);
	buf_release(&payload);
	buf_release(&target);
	return due;
}

static int cmd_notify(const struct cfg *cfg, int argc, char **argv)
{
	struct db db;
	struct kv kv, sub;
	struct buf lockpath = BUF_INIT, cur = BUF_INIT;
	int64_t duration_ms = 55000, t0 = time_mono_ms();
	bool once = false, sub_ok, redis;
	unsigned long listen_session = 0; /* without Redis: db.session of our LISTEN, 0: none */
	int lockfd, i, ret = 0;
	struct sigaction sa;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			once = true;
			duration_ms = 60000;
		} else if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
			duration_ms = atol(argv[++i]) * 1000LL;
		} else {
			fprintf(stderr, "usage: gamewatch-job notify [--once | --duration SECONDS]\n");
			return 2;
		}
	}
	buf_addf(&lockpath, "%s/gamewatch-notify.lock", cfg->run_dir);
	lockfd = lock_take(lockpath.data);
	buf_release(&lockpath);
	if (lockfd == -2) {
		log_info("another notify holds the lock; exiting");
		return 0;
	}
	if (lockfd < 0)
		return 1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	http_global_init();
	if (db_open(&db, cfg->database_url) < 0)
		return 1;
	if (kv_open(&kv, cfg->redis_url, 2000) < 0) {
		db_close(&db);
		return 1;
	}
	redis = kv_enabled(&kv);
	sub_ok = kv_open(&sub, cfg->redis_url, 2000) == 0 && kv_subscribe(&sub, BZCC_CHANNEL) == 0;
	while (!stop_flag && time_mono_ms() - t0 < duration_ms) {
		struct json_object *hooks, *lobby;
		int due = 0, got;
		size_t k;
		if (redis) {
			got = kv_get(&kv, BZCC_KEY_CURRENT, &cur);
			lobby = got == 1 ? json_tokener_parse(cur.data) : NULL;
		} else {
			/* LISTEN first, then read: a change committed after the
			 * read is announced to us, one before it is in the read */
			if (!listen_session || !db.conn || db.session != listen_session)
				listen_session = db_listen(&db, BZCC_PG_CHANNEL) == 0 ? db.session : 0;
			if (listen_session)
				db_notifies(&db);
			lobby = bzcc_store_current_doc(&db, time_now_ms());
			got = lobby ? 1 : -1;
		}
		hooks = lobby ? bzcc_webhook_list(&db, false) : NULL;
		for (k = 0; hooks && k < json_object_array_length(hooks); k++) {
			struct json_object *h = json_object_array_get_idx(hooks, k), *en;
			if (json_object_object_get_ex(h, "enabled", &en) && !json_object_get_boolean(en))
				continue;
			due += sync_webhook(&db, cfg, h, lobby);
		}
		json_object_put(hooks);
		json_object_put(lobby);
		if (got < 0 || (got == 1 && !lobby))
			ret = 1;
		if (once && !due)
			break;
		/* sleep until a change is published, a backoff ends, or 5 s */
		{
			int64_t wake = time_mono_ms() + (due ? 200 : NOTIFY_WAKE_MS);
			while (!stop_flag && time_mono_ms() < wake) {
				if (sub_ok) {
					int n = kv_poll_messages(&sub);
					if (n > 0)
						break;
					if (n < 0)
						sub_ok = kv_subscribe(&sub, BZCC_CHANNEL) == 0;
				} else if (!redis && listen_session) {
					int n = db_notifies(&db);
					if (n > 0)
						break;
					if (n < 0)
						listen_session = 0; /* LISTEN again after the next read */
				}
				time_sleep_ms(100, &stop_flag);
			}
		}
	}
	kv_close(&sub);
	kv_close(&kv);
	db_close(&db);
	buf_release(&cur);
	return ret;
}

/* The webhook `id` in a list from bzcc_webhook_list (borrowed), or NULL. */
static struct json_object *find_hook(struct json_object *list, int64_t id)
{
	size_t i, n = list ? json_object_array_length(list) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *w = json_object_array_get_idx(list, i), *v;
		if (json_object_object_get_ex(w, "id", &v) && json_object_get_int64(v) == id)
			return w;
	}
	return NULL;
}

/* Add (url set) or remove webhook `id` with its audit entry (as the
 * operator: platform/admin/audit.h, the same "webhook.add"/"webhook.remove"
 * entries as the admin form, tokens redacted), in one transaction. Returns
 * the new id when adding, 1 when removed, 0 when there was nothing to
 * remove, -1 on a database error. */
static int64_t cli_change(struct db *db, const char *url, const char *const *hosts, int n,
			  int64_t id)
{
	struct json_object *before = NULL, *after = NULL;
	char target[40];
	int64_t rc = -1;
	if (db_begin(db) < 0)
		return -1;
	if (!(before = bzcc_webhook_list(db, true)))
		goto out;
	if (url) {
		if ((id = bzcc_webhook_add(db, url, hosts, n)) <= 0 ||
		    !(after = bzcc_webhook_list(db, true)))
			goto out;
	} else {
		int removed = bzcc_webhook_remove(db, id);
		if (removed <= 0) {
			rc = removed;
			goto out;
		}
	}
	snprintf(target, sizeof target, "webhook:%" PRId64, id);
	if (audit_write_cli(db, url ? "webhook.add" : "webhook.remove", target, find_hook(before, id),
			    find_hook(after, id)) < 0 ||
	    db_commit(db) < 0)
		goto out;
	rc = url ? id : 1;
out:
	if (rc <= 0)
		db_rollback(db);
	json_object_put(before);
	json_object_put(after);
	return rc;
}

static int cmd_webhook(const struct cfg *cfg, int argc, char **argv)
{
	struct db db;
	int ret = 2;
	char err[200];
	if (argc < 2)
		goto usage;
	if (db_open(&db, cfg->database_url) < 0)
		return 1;
	if (!strcmp(argv[1], "add") && (argc == 3 || (argc == 5 && !strcmp(argv[3], "--hosts")))) {
		const char *hosts[BZCC_NOTIFY_MAX_HOSTS];
		char *list = strdup(argc == 5 ? argv[4] : "");
		int n = bzcc_notify_parse_hosts(list, hosts, BZCC_NOTIFY_MAX_HOSTS, err, sizeof err);
		int64_t id;
		if (n < 0 || bzcc_notify_check_url(argv[2], getenv("NOTIFY_WEBHOOK_HOSTS"), err, sizeof err) < 0) {
			fprintf(stderr, "gamewatch-job webhook add: %s\n", err);
			free(list);
			db_close(&db);
			return 2;
		}
		id = cli_change(&db, argv[2], hosts, n, 0);
		free(list);
		if (id > 0) {
			printf("webhook %lld: %s\n", (long long)id, n ? "the listed hosts" : "every host");
			ret = 0;
		} else {
			ret = 1;
		}
	} else if (!strcmp(argv[1], "list") && argc == 2) {
		struct json_object *l = bzcc_webhook_list(&db, true);
		if (l) {
			printf("%s\n", json_object_to_json_string_ext(l, JSON_C_TO_STRING_PRETTY |
								      JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(l);
			ret = 0;
		} else {
			ret = 1;
		}
	} else if (!strcmp(argv[1], "remove") && argc == 3) {
		int64_t rc = cli_change(&db, NULL, NULL, 0, atoll(argv[2]));
		if (rc == 1)
			printf("webhook %s removed\n", argv[2]);
		else if (rc == 0)
			fprintf(stderr, "gamewatch-job webhook remove: no webhook %s\n", argv[2]);
		ret = rc == 1 ? 0 : 1;
	} else {
		db_close(&db);
		goto usage;
	}
	db_close(&db);
	return ret;
usage:
	fprintf(stderr, "usage: gamewatch-job webhook add URL [--hosts steam:ID,gog:ID...]\n"
			"       gamewatch-job webhook list | remove ID\n");
	return 2;
}

int job_notify(const struct cfg *cfg, int argc, char **argv)
{
	return cmd_notify(cfg, argc, argv);
}

int job_webhook(const struct cfg *cfg, int argc, char **argv)
{
	return cmd_webhook(cfg, argc, argv);
}
