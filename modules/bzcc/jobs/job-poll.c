/* job-poll-bzcc.c: the BZCC lobby poller.
 *
 * Each cycle: fetch the lobby (short timeouts, size cap), decode it
 * (games/bzcc), commit it to PostgreSQL in one transaction, then rebuild the
 * cached current view in Redis and publish the change. A fetch or decode
 * failure is logged, counted in bzcc.polls (ok = false) and leaves the last
 * good data in place; the next attempt follows the approved backoff
 * (core/backoff.h). The run lasts about a minute; cron starts the next one,
 * and the lock file keeps two from overlapping. Backoff state survives
 * between runs because it is derived from bzcc.polls.
 *
 * Two sources (issue 9): RAKNET_URL always, and MSL_URL (a
 * MultiplayerSessionList API 1.0 URL) when set. Both are read each cycle;
 * the first that answered and whose own list server is fresh is the
 * primary (RakNet first), the other adds the sessions it alone lists when
 * it is fresh too, and MSL's metadata (mod and map names, pictures, team
 * names, Steam/GOG profiles) is kept whenever it answered. One failing or
 * stale source fails over to the other; the poll fails only when neither
 * answered. Each source's status (ok / stale / down) is kept in
 * bzcc.poll_sources. The operator's spam and bot rules (BZCC_HIDE_*,
 * BZCC_BOT_IDS) apply to every answer; host migrations are relinked and
 * revived NAT ids start new sessions (bzcc-identity.h). Settings:
 * docs/bzcc-format.md 10.
 *
 * --replay DIR feeds archived captures (raw lobby or MSL v1) in time order,
 * each stored as if polled when it was taken, to rebuild history. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backoff.h"
#include "db.h"
#include "modules/bzcc/domain/bzcc.h"
#include "http.h"
#include "modules/bzcc/module.h"
#include "platform/admin/flags.h"
#include "platform/jobs/job.h"
#include "kv.h"
#include "platform/jobs/lock.h"
#include "log.h"
#include "modules/bzcc/store/bzcc-rollup.h"
#include "modules/bzcc/store/bzcc-sources.h"
#include "modules/bzcc/store/bzcc-store.h"
#include "timeutil.h"

/* A source's own list server counts as fresh when its copy is at most this
 * old (BZCC_SOURCE_STALE_SECONDS): MultiplayerSessionList keeps its last
 * good copy up to a minute when Rebellion fails. */
#define SOURCE_STALE_DEFAULT_S 120

struct poller {
	const struct cfg *cfg;
	struct db db;
	struct kv kv;
	int failures;        /* consecutive failed polls */
	long long rejected;  /* rejected in this run */
	int partitions_month; /* yyyymm whose partitions were ensured */
	struct bzcc_rules rules;      /* spam and bot rules (BZCC_HIDE_*, BZCC_BOT_IDS) */
	struct bzcc_poll_opts opts;   /* relink and revive windows */
	const char *msl_url;          /* MSL_URL, or NULL */
	int source_stale_s;           /* BZCC_SOURCE_STALE_SECONDS */
	int paused_logged;    /* "paused" was logged since the last poll */
};

/* A source read in one cycle. */
struct source {
	const char *name;            /* "raknet", "msl" */
	const char *url;
	struct bzcc_lobby lobby;
	char err[400];               /* "" when read and decoded */
	size_t bytes;
	bool fresh;                  /* its own list server's copy is current */
};

/* An integer setting from the environment; `def` when unset or invalid. */
static int env_int(const char *name, int def, int lo, int hi)
{
	const char *v = getenv(name);
	char *end;
	long n;
	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	if (*end || n < lo || n > hi) {
		log_warn("%s=\"%s\" is not an integer from %d to %d; using %d", name, v, lo, hi, def);
		return def;
	}
	return (int)n;
}

/* Make sure this month's and next month's snapshot partitions exist. */
static void ensure_partitions(struct poller *p, int64_t now_ms)
{
	char iso[32];
	int yyyymm;
	time_iso8601(now_ms, iso, sizeof iso);
	yyyymm = atoi(iso) * 100 + atoi(iso + 5);
	if (yyyymm == p->partitions_month)
		return;
	if (bzcc_rollup_snapshot_partitions(&p->db, iso) == 0)
		p->partitions_month = yyyymm;
}

/* Refresh the Redis view; failures are logged and do not fail the poll
 * (PostgreSQL holds the truth and the web app can rebuild from it). */
static void refresh_cache(struct poller *p, int64_t now_ms)
{
	if (bzcc_cache_refresh(&p->db, &p->kv, now_ms) < 0)
		log_warn("could not refresh the cached lobby view");
}

/* Log one stored poll. */
static void log_stored(const struct bzcc_lobby *lobby, const struct bzcc_poll_stats *st,
		       const char *kind, size_t len, int64_t took, int64_t t0)
{
	log_info("poll ok: %d sessions, %d players, %d ended, %zu skipped, %zu hidden, "
		 "%d relinked, %d revived, %zu bytes, fetch+decode %lld ms, total %lld ms (%s)",
		 st->sessions, st->players, st->ended,
		 lobby->skipped + (size_t)st->duplicates, lobby->hidden, st->relinked, st->revived,
		 len, (long long)took, (long long)(time_mono_ms() - t0), kind);
}

/* Decode and store one archived document taken at now_ms (or the read
 * error in `err`). Returns 0 on success, -1 when rejected or not stored. */
static int process(struct poller *p, const char *url, int64_t now_ms, const char *body,
		   size_t len, char *err, size_t errlen, int64_t t0)
{
	struct bzcc_lobby lobby;
	struct bzcc_poll_stats st;
	int64_t took;
	int ok = -1;

	memset(&lobby, 0, sizeof lobby);
	if (!err[0] && bzcc_lobby_decode(body, len, &lobby, err, errlen) == 0)
		bzcc_lobby_apply_rules(&lobby, &p->rules);
	took = time_mono_ms() - t0;
	if (db_ensure(&p->db) == 0)
		ensure_partitions(p, now_ms);
	if (err[0]) {
		p->rejected++;
		log_warn("replayed capture rejected (%lld this run): %s", p->rejected, err);
		bzcc_store_rejected(&p->db, now_ms, url, err, len, took);
	} else if (bzcc_store_poll(&p->db, &lobby, now_ms, url, len, took, &p->opts, &st) < 0) {
		log_error("lobby poll not stored: database unavailable");
	} else {
		log_stored(&lobby, &st, lobby.kind == BZCC_KIND_MSL_V1 ? "msl-v1" : "raknet", len,
			   took, t0);
		ok = 0;
	}
	bzcc_lobby_free(&lobby);
	return ok;
}

/* Fetch and decode one source into src (src->err set on failure). */
static void read_source(struct poller *p, struct source *src, int64_t now_ms)
{
	struct http_options opt = { 0 };
	struct http_response res;

	memset(&src->lobby, 0, sizeof src->lobby);
	src->err[0] = '\0';
	opt.connect_timeout_ms = 2000;
	opt.timeout_ms = p->cfg->fetch_timeout_ms;
	opt.max_bytes = BZCC_MAX_DOCUMENT_BYTES;
	if (http_get(src->url, &opt, &res) < 0)
		snprintf(src->err, sizeof src->err, "fetch failed: %s", res.error);
	else if (res.status != 200)
		snprintf(src->err, sizeof src->err, "upstream answered HTTP %ld", res.status);
	src->bytes = res.body.len;
	if (!src->err[0] &&
	    bzcc_lobby_decode(res.body.data, res.body.len, &src->lobby, src->err,
			      sizeof src->err) == 0)
		bzcc_lobby_apply_rules(&src->lobby, &p->rules);
	http_response_release(&res);
	/* fresh unless its own list server says its copy failed or is old */
	src->fresh = !src->err[0] && src->lobby.upstream_ok != 0 &&
		     (src->lobby.upstream_updated_ms < 0 ||
		      now_ms - src->lobby.upstream_updated_ms <= p->source_stale_s * 1000LL);
}

/* One poll of every configured source. Returns 0 when stored, -1 when no
 * source answered or the database failed. */
static int poll_once(struct poller *p)
{
	struct source src[2];
	size_t n = 0, i, bytes = 0, added = 0, listed[2] = { 0, 0 };
	struct source *primary = NULL;
	struct bzcc_poll_stats st;
	struct bzcc_poll_opts opts = p->opts;
	char kind[32], err[900] = "";
	int64_t now_ms = time_now_ms(), t0 = time_mono_ms(), took;
	int ok = -1;

	memset(src, 0, sizeof src);
	src[n].name = "raknet";
	src[n++].url = p->cfg->raknet_url;
	if (p->msl_url) {
		src[n].name = "msl";
		src[n++].url = p->msl_url;
	}
	for (i = 0; i < n; i++) {
		read_source(p, &src[i], now_ms);
		bytes += src[i].bytes;
		listed[i] = src[i].lobby.n_sessions;
		if (src[i].err[0])
			log_warn("lobby source %s failed: %s", src[i].name, src[i].err);
		else if (!src[i].fresh)
			log_warn("lobby source %s answered, but its list server's copy is stale",
				 src[i].name);
	}
	/* the primary: the first fresh source, else the first that answered */
	for (i = 0; i < n && !primary; i++)
		if (!src[i].err[0] && src[i].fresh)
			primary = &src[i];
	for (i = 0; i < n && !primary; i++)
		if (!src[i].err[0])
			primary = &src[i];
	took = time_mono_ms() - t0;
	if (db_ensure(&p->db) == 0)
		ensure_partitions(p, now_ms);

	if (!primary) {
		for (i = 0; i < n; i++)
			snprintf(err + strlen(err), sizeof err - strlen(err), "%s%s%s%s",
				 i ? "; " : "", n > 1 ? src[i].name : "", n > 1 ? ": " : "",
				 src[i].err);
		p->rejected++;
		log_warn("lobby poll rejected (%lld this run): %s", p->rejected, err);
		bzcc_store_rejected(&p->db, now_ms, src[0].url, err, bytes, took);
	} else {
		snprintf(kind, sizeof kind, "%s",
			 primary->lobby.kind == BZCC_KIND_MSL_V1 ? "msl-v1" : "raknet");
		for (i = 0; i < n; i++) {
			struct source *o = &src[i];
			if (o == primary || o->err[0])
				continue;
			added += bzcc_lobby_merge(&primary->lobby, &o->lobby, o->fresh);
			snprintf(kind + strlen(kind), sizeof kind - strlen(kind), "+%s",
				 o->lobby.kind == BZCC_KIND_MSL_V1 ? "msl-v1" : "raknet");
		}
		opts.kind = kind;
		if (bzcc_store_poll(&p->db, &primary->lobby, now_ms, primary->url, bytes, took,
				    &opts, &st) < 0) {
			log_error("lobby poll not stored: database unavailable");
		} else {
			if (added)
				log_info("%zu sessions listed only by the second source", added);
			log_stored(&primary->lobby, &st, kind, bytes, took, t0);
			ok = 0;
		}
	}
	for (i = 0; i < n; i++) {
		struct bzcc_source_attempt a = {
			.name = src[i].name, .url = src[i].url, .ok = !src[i].err[0],
			.fresh = src[i].fresh, .error = src[i].err,
			.upstream_updated_ms = src[i].err[0] ? -1 : src[i].lobby.upstream_updated_ms,
			.sessions = (int)listed[i],
		};
		bzcc_sources_record(&p->db, now_ms, &a, p->cfg->stale_after_s);
		bzcc_lobby_free(&src[i].lobby);
	}
	refresh_cache(p, now_ms);
	return ok;
}

/* A capture to replay: its path and the time it was taken. */
struct capture {
	char *path;
	int64_t taken_ms;
};

static int cmp_capture(const void *a, const void *b)
{
	const struct capture *x = a, *y = b;
	if (x->taken_ms != y->taken_ms)
		return x->taken_ms < y->taken_ms ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* The time a capture was taken: MSL's Metadata.ListServer.<source>.Timestamp,
 * IonDriver's proxyStatus.<source>.updated, else the file's mtime. */
static int64_t capture_time(const char *path, const struct buf *doc)
{
	const char *s = doc->data;
	size_t len = doc->len;
	struct json_object *root, *o, *src, *ts;
	struct stat stt;
	int64_t ms = -1;

	if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
		s += 3;
		len -= 3;
	}
	root = json_tokener_parse(s);
	if (root && json_object_is_type(root, json_type_object)) {
		if ((json_object_object_get_ex(root, "Metadata", &o) &&
		     json_object_object_get_ex(o, "ListServer", &o)) ||
		    json_object_object_get_ex(root, "proxyStatus", &o)) {
			if (json_object_is_type(o, json_type_object)) {
				json_object_object_foreach(o, key, val) {
					(void)key;
					src = val;
					if ((json_object_object_get_ex(src, "Timestamp", &ts) ||
					     json_object_object_get_ex(src, "updated", &ts)) &&
					    json_object_is_type(ts, json_type_string) &&
					    time_parse_iso8601(json_object_get_string(ts), &ms) == 0)
						break;
					ms = -1;
				}
			}
		}
	}
	if (root)
		json_object_put(root);
	if (ms < 0 && stat(path, &stt) == 0)
		ms = (int64_t)stt.st_mtime * 1000;
	return ms;
}

/* Feed every *.json capture of `dir` in time order, as if polled at the time
 * it was taken; then an empty poll one interval after the last capture
 * closes the sessions the archive ends with. Returns 0 when every capture
 * was stored, 1 otherwise. */
static int replay(struct poller *p, const char *dir)
{
	struct capture *caps = NULL;
	size_t n = 0, i, stored = 0;
	struct buf doc = BUF_INIT, path = BUF_INIT;
	DIR *d = opendir(dir);
	struct dirent *de;
	int64_t last = 0;

	if (!d) {
		log_error("could not open replay directory %s: %s", dir, strerror(errno));
		return 2;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		buf_reset(&path);
		buf_addf(&path, "%s/%s", dir, de->d_name);
		buf_reset(&doc);
		if (buf_read_file(&doc, path.data, BZCC_MAX_DOCUMENT_BYTES) < 0)
			continue;
		caps = realloc(caps, (n + 1) * sizeof *caps);
		if (!caps)
			abort();
		caps[n].path = buf_detach(&path, NULL);
		caps[n].taken_ms = capture_time(caps[n].path, &doc);
		n++;
	}
	closedir(d);
	qsort(caps, n, sizeof *caps, cmp_capture);
	for (i = 0; i < n && !job_stop; i++) {
		char err[400] = "";
		buf_reset(&path);
		buf_addf(&path, "file://%s", caps[i].path);
		buf_reset(&doc);
		if (buf_read_file(&doc, caps[i].path, BZCC_MAX_DOCUMENT_BYTES) < 0)
			snprintf(err, sizeof err, "could not read %s", caps[i].path);
		if (process(p, path.data, caps[i].taken_ms, doc.data, doc.len, err, sizeof err,
			    time_mono_ms()) == 0)
			stored++;
		last = caps[i].taken_ms;
	}
	if (n && !job_stop) {
		struct bzcc_lobby empty;
		struct bzcc_poll_stats st;
		memset(&empty, 0, sizeof empty);
		empty.kind = BZCC_KIND_RAKNET;
		buf_reset(&path);
		buf_addf(&path, "replay-end:%s", dir);
		if (bzcc_store_poll(&p->db, &empty, last + p->cfg->poll_interval_s * 1000LL,
				    path.data, 0, 0, &p->opts, &st) == 0)
			log_info("replay ended: %d sessions closed", st.ended);
		refresh_cache(p, time_now_ms());
	}
	log_info("replayed %zu of %zu captures from %s", stored, n, dir);
	for (i = 0; i < n; i++)
		free(caps[i].path);
	free(caps);
	buf_release(&doc);
	buf_release(&path);
	return stored == n ? 0 : 1;
}

/* How long to wait before the first poll of this run, so a run started by
 * cron while the previous run was backing off keeps honouring the backoff. */
static int64_t initial_wait_ms(struct poller *p)
{
	struct json_object *st = bzcc_store_poll_status(&p->db), *v;
	int64_t wait = 0;
	if (!st)
		return 0;
	if (json_object_object_get_ex(st, "consecutive_failures", &v))
		p->failures = json_object_get_int(v);
	if (p->failures > 0 && json_object_object_get_ex(st, "last_attempt_at", &v) &&
	    json_object_is_type(v, json_type_string)) {
		int64_t last;
		if (time_parse_iso8601(json_object_get_string(v), &last) == 0) {
			int64_t next = last + backoff_poll_delay_ms(p->failures,
				p->cfg->poll_interval_s * 1000LL, 0.20, backoff_random_unit());
			wait = next - time_now_ms();
		}
	}
	json_object_put(st);
	return wait > 0 ? wait : 0;
}

int job_poll_bzcc(const struct cfg *cfg, int argc, char **argv)
{
	struct poller p;
	struct buf lockpath = BUF_INIT;
	int once = 0, duration_s = 55, lockfd, i, ret = 0;
	const char *replay_dir = NULL;
	int64_t deadline, next;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			once = 1;
		} else if (!strcmp(argv[i], "--replay") && i + 1 < argc) {
			replay_dir = argv[++i];
		} else if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
			duration_s = atoi(argv[++i]);
			if (duration_s < 1 || duration_s > 86400) {
				fprintf(stderr, "poll-bzcc: --duration must be 1..86400 seconds\n");
				return 2;
			}
		} else {
			fprintf(stderr, "usage: gamewatch-job poll-bzcc [--once | --duration SECONDS"
					" | --replay DIR]\n");
			return 2;
		}
	}

	buf_addf(&lockpath, "%s/gamewatch-poll-bzcc.lock", cfg->run_dir);
	lockfd = lock_take(lockpath.data);
	buf_release(&lockpath);
	if (lockfd == -2) {
		log_info("another poller holds the lock; exiting");
		return 0;
	}
	if (lockfd < 0)
		return 1;

	memset(&p, 0, sizeof p);
	p.cfg = cfg;
	{
		char why[200];
		const char *hide_locked = getenv("BZCC_HIDE_LOCKED");
		if (bzcc_rules_parse(&p.rules, getenv("BZCC_BOT_IDS"), getenv("BZCC_HIDE_HOST_IDS"),
				     getenv("BZCC_HIDE_LOCKED_ONLY_IDS"), getenv("BZCC_HIDE_NAME_PATTERN"),
				     hide_locked && !strcmp(hide_locked, "1"), why, sizeof why) < 0) {
			log_error("BZCC_HIDE_NAME_PATTERN: %s", why);
			bzcc_rules_free(&p.rules);
			close(lockfd);
			return 2;
		}
	}
	p.opts.identity.relink_window_s = env_int("BZCC_RELINK_WINDOW_SECONDS",
						  BZCC_RELINK_WINDOW_DEFAULT_S, 0, 86400);
	p.opts.identity.revive_after_s = env_int("BZCC_REVIVE_AFTER_SECONDS",
						 BZCC_REVIVE_AFTER_DEFAULT_S, 0, 31536000);
	p.source_stale_s = env_int("BZCC_SOURCE_STALE_SECONDS", SOURCE_STALE_DEFAULT_S, 1, 86400);
	p.msl_url = getenv("MSL_URL") && *getenv("MSL_URL") ? getenv("MSL_URL") : NULL;
	db_open(&p.db, cfg->database_url); /* retried by db_ensure() */
	kv_open(&p.kv, cfg->redis_url, 1000);

	deadline = time_mono_ms() + (int64_t)duration_s * 1000;
	if (replay_dir) {
		ret = replay(&p, replay_dir);
		goto out;
	}
	/* an admin may pause polling (platform/admin/flags.h): the last data
	 * stays served and goes stale; checked before every poll */
	if (once) {
		if (flag_enabled(&p.db, "POLLING_PAUSED"))
			log_info("polling is paused (POLLING_PAUSED): nothing fetched");
		else
			ret = poll_once(&p) == 0 ? 0 : 1;
		goto out;
	}
	next = time_mono_ms() + initial_wait_ms(&p);
	while (!job_stop && next < deadline) {
		int64_t now = time_mono_ms();
		if (next > now) {
			time_sleep_ms(next - now, &job_stop);
			if (job_stop)
				break;
		}
		now = time_mono_ms();
		if (flag_enabled(&p.db, "POLLING_PAUSED")) {
			if (!p.paused_logged)
				log_info("polling is paused (POLLING_PAUSED): not polling until it is lifted");
			p.paused_logged = 1;
			next = now + cfg->poll_interval_s * 1000LL;
			continue;
		}
		p.paused_logged = 0;
		if (poll_once(&p) == 0)
			p.failures = 0;
		else
			p.failures++;
		next = now + backoff_poll_delay_ms(p.failures, cfg->poll_interval_s * 1000LL,
						   0.20, backoff_random_unit());
	}
out:
	bzcc_rules_free(&p.rules);
	db_close(&p.db);
	kv_close(&p.kv);
	close(lockfd);
	return ret;
}
