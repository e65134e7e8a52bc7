/* job-enrich.c: `gamewatch-job enrich`, names and facts for maps, mods and
 * players from outside, fetched asynchronously (never at request time).
 *
 * Phases, in order (each can be chosen with --only):
 *   seed      vsrmaplist.json (VSR_MAPLIST_URL) into bzcc.map_seed
 *   getdata   getdata.php (GETDATA_ENDPOINT_BASE) per (map, mod) of bzcc.maps
 *             into bzcc.map_info and the "mods" object into bzcc.mod_info
 *   steam     ISteamUser/GetPlayerSummaries/v2 (STEAM_API_BASE, STEAM_API_KEY;
 *             skipped when no key), 100 ids a request, into player_profiles
 *   workshop  ISteamRemoteStorage/GetPublishedFileDetails/v1 (a form POST, no
 *             key) for numeric mod ids, 100 a request, into bzcc.mod_info
 *   gog       GOG users API (GOG_API_BASE/users/<id>) into player_profiles
 * Each item has a state row (enrich_items): fresh items wait for their TTL,
 * failed ones back off 1 s, 2 s, 4 s ... (5 min cap, +-20 % jitter, longer
 * when Retry-After says so) and are parked after ENRICH_MAX_ATTEMPTS; each
 * provider has a circuit breaker. Outside text is sanitized before it is
 * stored. One log line per item outcome; a summary line per run. The run
 * repeats passes until --duration ends or nothing is due before then, and
 * rebuilds the cached lobby view when anything changed.
 * Holds <run_dir>/gamewatch-enrich.lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/enrich/enrich-common.h"
#include "html.h"
#include "modules/bzcc/module.h"
#include "platform/jobs/job.h"
#include "platform/jobs/lock.h"
#include "log.h"
#include "sanitize.h"
#include "modules/bzcc/store/bzcc-store.h"
#include "timeutil.h"

#ifndef GW_PKGDATADIR
#define GW_PKGDATADIR "/usr/local/share/gamewatch"
#endif

#define DEFAULT_GETDATA_BASE "https://gamelistassets.iondriver.com/bzcc/"
#define DEFAULT_STEAM_BASE "https://api.steampowered.com"
#define DEFAULT_GOG_BASE "https://users.gog.com"
#define DEFAULT_MAPLIST_URL "file://" GW_PKGDATADIR "/seed/vsrmaplist.json"
#define JSON_MAX_BYTES (4u << 20)
#define STEAM_BATCH 100

struct enricher {
	const struct cfg *cfg;
	struct run_opts opt;
	struct enrich_policy pol;
	struct breakers br;
	struct db db;
	struct kv kv;
	struct http_options http;
	const char *maplist_url;
	struct buf getdata_base;  /* with a trailing '/' */
	struct buf steam_base;    /* without */
	struct buf gog_base;      /* without */
	const char *steam_key;
	struct run_counts n;
	int changed;              /* something the pages show was written */
	int worked;               /* this pass attempted at least one item */
	int64_t wake_ms;          /* earliest breaker reopening seen while deferring */
	int steam_warned;
};

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

static void base_url(struct buf *b, const char *v, int trailing_slash)
{
	buf_addstr(b, v);
	while (b->len && b->data[b->len - 1] == '/')
		buf_truncate(b, b->len - 1);
	if (trailing_slash)
		buf_addch(b, '/');
}

static void defer(struct enricher *e, const char *provider, int64_t until, int items)
{
	e->n.deferred += items;
	if (!e->wake_ms || until < e->wake_ms)
		e->wake_ms = until;
	log_info("%s: circuit open until %lld ms from now; %d item%s deferred", provider,
		 (long long)(until - time_now_ms()), items, items == 1 ? "" : "s");
}

/* Record a failed or rejected attempt and log the item's outcome. */
static void item_failed(struct enricher *e, const char *kind, const char *key,
			const struct fetch_result *fr, int64_t now)
{
	int64_t next = 0;
	int attempts = 0;
	int parked = enrich_item_failed(&e->db, &e->pol, kind, key, fr->error,
					fr->outcome == ENRICH_REJECTED, fr->retry_after_s, now, 0,
					NULL, &next, &attempts);
	if (fr->outcome == ENRICH_REJECTED)
		e->n.rejected++;
	else
		e->n.failed++;
	if (parked == 1) {
		e->n.parked++;
		log_warn("%s %s: parked after %d attempts: %s", kind, key, attempts, fr->error);
	} else if (parked == 0) {
		log_warn("%s %s: %s (attempt %d/%d), retry in %.1f s", kind, key,
			 fr->outcome == ENRICH_REJECTED ? "rejected" : "failed", attempts,
			 e->pol.max_attempts, (double)(next - now) / 1000.0);
		log_info("%s %s: %s", kind, key, fr->error);
	}
}

/* The due items of a phase: rows of `sql` ($1 force, $2 now ms, $3 limit),
 * each a JSON object. */
static struct json_object *due(struct enricher *e, const char *sql, int64_t now)
{
	char now_s[24], lim[16];
	const char *params[3];
	snprintf(now_s, sizeof now_s, "%lld", (long long)now);
	snprintf(lim, sizeof lim, "%d", e->opt.limit);
	params[0] = e->opt.force ? "true" : "false";
	params[1] = now_s;
	params[2] = lim;
	return enrich_query_json_rows(&e->db, sql, 3, params);
}

#define DUE_WHERE                                                              \
	" ($1::boolean OR x.key IS NULL OR x.next_attempt_at <= gw_ms($2::bigint))"

/* ----------------------------------------------------------------- seed */

/* "a, b,,c" -> ["a","b","c"] */
static struct json_object *split_tags(const char *s)
{
	struct json_object *a = json_object_new_array();
	while (s && *s) {
		size_t k = strcspn(s, ",");
		const char *p = s, *q = s + k;
		while (p < q && (*p == ' ' || *p == '\t'))
			p++;
		while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if (q > p)
			json_object_array_add(a, json_object_new_string_len(p, (int)(q - p)));
		s += k;
		if (*s == ',')
			s++;
	}
	return a;
}

static struct json_object *sanitized(const char *s)
{
	struct buf b = BUF_INIT;
	struct json_object *o = NULL;
	if (s && sanitize_html(s, strlen(s), &b) == 0 && b.len)
		o = json_object_new_string_len(b.data, (int)b.len);
	buf_release(&b);
	return o;
}

static void phase_seed(struct enricher *e)
{
	static const char sql_due[] =
		"SELECT 1 WHERE $1::boolean OR NOT EXISTS (SELECT 1 FROM enrich_items"
		" WHERE kind = 'seed' AND key = 'vsrmaplist' AND next_attempt_at > gw_ms($2::bigint))"
		" LIMIT $3::int";
	struct http_response res;
	struct fetch_result fr;
	struct json_object *doc = NULL, *maps, *rows;
	int64_t now = time_now_ms(), until = 0;
	size_t i, n;
	int stored;

	rows = due(e, sql_due, now);
	if (!rows)
		return;
	n = json_object_array_length(rows);
	json_object_put(rows);
	if (!n)
		return;
	if (fetch_via_breaker(&e->db, &e->br, "vsr", e->maplist_url, NULL, e->maplist_url,
			      &e->http, now, &res, &fr, &until) == 1) {
		defer(e, "vsr", until, 1);
		return;
	}
	e->worked = 1;
	if (fr.outcome == ENRICH_OK) {
		doc = parse_json_body(&res.body);
		if (!doc || !json_object_is_type(doc, json_type_array)) {
			fr.outcome = ENRICH_REJECTED;
			fr.reject = "not_json";
			snprintf(fr.error, sizeof fr.error, "%s: not a JSON array", e->maplist_url);
		}
	}
	http_response_release(&res);
	if (fr.outcome == ENRICH_ABSENT) {
		e->n.absent++;
		log_warn("seed vsrmaplist: absent (%s)", fr.error);
		enrich_item_done(&e->db, "seed", "vsrmaplist", "absent", now, e->pol.ttl_absent_ms,
				 NULL);
		goto out;
	}
	if (fr.outcome != ENRICH_OK) {
		item_failed(e, "seed", "vsrmaplist", &fr, now);
		goto out;
	}
	maps = json_object_new_array();
	n = json_object_array_length(doc);
	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(doc, i), *o, *size, *desc;
		const char *file = json_str(m, "File"), *img = json_str(m, "Image");
		if (!file || !*file)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "file", json_object_new_string(file));
		json_object_object_add(o, "name", json_object_new_string(
			json_str(m, "Name") ? json_str(m, "Name") : file));
		if (url_is_http(img))
			json_object_object_add(o, "image_url", json_object_new_string(img));
		json_object_object_add(o, "pools", json_object_new_int64(json_int(m, "Pools", 0)));
		json_object_object_add(o, "loose", json_object_new_int64(json_int(m, "Loose", -1)));
		if (json_str(m, "Author"))
			json_object_object_add(o, "author", json_object_new_string(json_str(m, "Author")));
		desc = sanitized(json_str(m, "Description"));
		if (desc)
			json_object_object_add(o, "description", desc);
		json_object_object_add(o, "tags", split_tags(json_str(m, "Tags")));
		if (json_object_object_get_ex(m, "Size", &size)) {
			if (json_str(size, "formattedSize"))
				json_object_object_add(o, "size_text",
					json_object_new_string(json_str(size, "formattedSize")));
			json_object_object_add(o, "size", json_object_new_int64(json_int(size, "size", 0)));
			json_object_object_add(o, "base_to_base",
					       json_object_new_int64(json_int(size, "baseToBase", 0)));
		}
		json_object_array_add(maps, o);
	}
	stored = enrich_store_seed(&e->db, maps, now);
	json_object_put(maps);
	if (stored < 0)
		goto out;
	e->n.ok++;
	e->changed = 1;
	log_info("seed vsrmaplist: ok, %d maps from %s", stored, e->maplist_url);
	enrich_item_done(&e->db, "seed", "vsrmaplist", "ok", now, e->pol.ttl_seed_ms, NULL);
out:
	if (doc)
		json_object_put(doc);
}

/* -------------------------------------------------------------- getdata */

/* An image path from getdata.php: relative to the endpoint base. */
static struct json_object *absolute_image(struct enricher *e, const char *img)
{
	struct buf b = BUF_INIT;
	struct json_object *o = NULL;
	if (!img || !*img)
		return NULL;
	if (url_is_http(img)) {
		o = json_object_new_string(img);
	} else if (!strstr(img, "://") && !strpbrk(img, " \t\r\n\\") && !strstr(img, "..")) {
		while (*img == '/')
			img++;
		buf_addf(&b, "%s%s", e->getdata_base.data, img);
		o = json_object_new_string(b.data);
	}
	buf_release(&b);
	return o;
}

/* Team names when the map is teamplay (netVars ivar3 "1") and names both. */
static struct json_object *team_names(struct json_object *net_vars)
{
	const char *tp = json_str(net_vars, "ivar3"), *t1 = json_str(net_vars, "svar1"),
		   *t2 = json_str(net_vars, "svar2");
	struct json_object *a;
	if (!tp || strcmp(tp, "1") || !t1 || !*t1 || !t2 || !*t2)
		return NULL;
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_string(t1));
	json_object_array_add(a, json_object_new_string(t2));
	return a;
}

/* getdata.php's "mods" object as rows for enrich_store_mods(). */
static struct json_object *mod_rows(struct enricher *e, struct json_object *mods)
{
	struct json_object *rows = json_object_new_array();
	if (!mods || !json_object_is_type(mods, json_type_object))
		return rows;
	json_object_object_foreach(mods, id, m) {
		struct json_object *r = json_object_new_object(), *deps, *img;
		const char *name = json_str(m, "name"), *wname = json_str(m, "workshop_name"),
			   *type = json_str(m, "type");
		if (!*id || strlen(id) > 64) {
			json_object_put(r);
			continue;
		}
		json_object_object_add(r, "id", json_object_new_string(id));
		if (name)
			json_object_object_add(r, "name", json_object_new_string(name));
		if (wname)
			json_object_object_add(r, "workshop_name", json_object_new_string(wname));
		if (type)
			json_object_object_add(r, "type", json_object_new_string(type));
		if (json_object_object_get_ex(m, "dependencies", &deps) &&
		    json_object_is_type(deps, json_type_array)) {
			struct json_object *d = json_object_new_array();
			size_t i;
			for (i = 0; i < json_object_array_length(deps); i++) {
				struct json_object *v = json_object_array_get_idx(deps, i);
				if (json_object_is_type(v, json_type_string) ||
				    json_object_is_type(v, json_type_int))
					json_object_array_add(d, json_object_new_string(
						json_object_get_string(v)));
			}
			json_object_object_add(r, "dependencies", d);
		}
		img = absolute_image(e, json_str(m, "image"));
		if (img)
			json_object_object_add(r, "image_url", img);
		json_object_array_add(rows, r);
	}
	return rows;
}

/* Returns 1 when the circuit was open (nothing sent), else 0. */
static int getdata_one(struct enricher *e, const char *map_key, const char *file,
		       const char *mod, int64_t now)
{
	struct buf url = BUF_INIT, lower = BUF_INIT;
	struct http_response res;
	struct fetch_result fr;
	struct json_object *doc = NULL, *nv = NULL, *tn = NULL, *img = NULL, *desc = NULL, *mods;
	const char *title;
	int64_t until = 0;
	size_t i;
	int deferred = 0;

	for (i = 0; file[i]; i++)
		buf_addch(&lower, (char)(file[i] >= 'A' && file[i] <= 'Z' ? file[i] + 32 : file[i]));
	buf_addf(&url, "%sgetdata.php?map=", e->getdata_base.data);
	url_arg(&url, lower.data);
	buf_addstr(&url, "&mod=");
	url_arg(&url, *mod ? mod : "0");
	if (fetch_via_breaker(&e->db, &e->br, "getdata", url.data, NULL, url.data, &e->http, now,
			      &res, &fr, &until) == 1) {
		e->wake_ms = !e->wake_ms || until < e->wake_ms ? until : e->wake_ms;
		deferred = 1;
		goto out;
	}
	e->worked = 1;
	if (fr.outcome == ENRICH_OK) {
		doc = parse_json_body(&res.body);
		if (!doc || !json_object_is_type(doc, json_type_object)) {
			fr.outcome = ENRICH_REJECTED;
			fr.reject = "not_json";
			snprintf(fr.error, sizeof fr.error, "%s: not a JSON object", url.data);
		}
	} else if (fr.outcome == ENRICH_ABSENT || (fr.status >= 200 && fr.status < 300)) {
		fr.outcome = ENRICH_ABSENT;
	}
	http_response_release(&res);
	if (fr.outcome == ENRICH_FAILED || fr.outcome == ENRICH_REJECTED) {
		item_failed(e, "getdata", map_key, &fr, now);
		goto out;
	}
	title = json_str(doc, "title");
	img = absolute_image(e, json_str(doc, "image"));
	if (fr.outcome == ENRICH_ABSENT || ((!title || !*title) && !img)) {
		/* consumers treat a body without title or image as "no data" */
		if (enrich_store_map_info(&e->db, map_key, 0, NULL, NULL, NULL, NULL, NULL, now) == 0 &&
		    enrich_item_done(&e->db, "getdata", map_key, "absent", now,
				     e->pol.ttl_absent_ms, NULL) == 0) {
			e->n.absent++;
			log_info("getdata %s: absent (no title or image)", map_key);
		}
		goto out;
	}
	if (json_object_object_get_ex(doc, "netVars", &nv) &&
	    json_object_is_type(nv, json_type_object))
		tn = team_names(nv);
	else
		nv = NULL;
	desc = sanitized(json_str(doc, "description"));
	if (enrich_store_map_info(&e->db, map_key, 1, title, desc ? json_object_get_string(desc) : NULL,
				  img ? json_object_get_string(img) : NULL, nv, tn, now) < 0)
		goto out;
	json_object_object_get_ex(doc, "mods", &mods);
	mods = mod_rows(e, mods);
	if (enrich_store_mods(&e->db, mods, now) == 0 &&
	    enrich_item_done(&e->db, "getdata", map_key, "ok", now, e->pol.ttl_map_ms, NULL) == 0) {
		e->n.ok++;
		e->changed = 1;
		log_info("getdata %s: ok \"%s\"%s%s, %zu mod%s", map_key, title ? title : "",
			 tn ? ", teams " : "", tn ? json_object_to_json_string(tn) : "",
			 json_object_array_length(mods), json_object_array_length(mods) == 1 ? "" : "s");
	}
	json_object_put(mods);
out:
	if (doc)
		json_object_put(doc);
	if (tn)
		json_object_put(tn);
	if (img)
		json_object_put(img);
	if (desc)
		json_object_put(desc);
	buf_release(&url);
	buf_release(&lower);
	return deferred;
}

static void phase_getdata(struct enricher *e)
{
	static const char sql[] =
		"SELECT json_build_object('key', m.map_key, 'file', m.map_file, 'mod', m.mod_id)"
		" FROM bzcc.maps m"
		" LEFT JOIN enrich_items x ON x.kind = 'getdata' AND x.key = m.map_key"
		" WHERE" DUE_WHERE
		" ORDER BY x.next_attempt_at NULLS FIRST, m.last_seen_at DESC LIMIT $3::int";
	int64_t now = time_now_ms();
	struct json_object *rows = due(e, sql, now);
	size_t i, n;
	if (!rows)
		return;
	n = json_object_array_length(rows);
	for (i = 0; i < n && !job_stop; i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);
		if (getdata_one(e, json_str(r, "key"), json_str(r, "file"),
				json_str(r, "mod") ? json_str(r, "mod") : "0", time_now_ms())) {
			defer(e, "getdata", e->wake_ms, (int)(n - i));
			break;
		}
	}
	json_object_put(rows);
}

/* ---------------------------------------------------------------- steam */

static void phase_steam(struct enricher *e)
{
	static const char sql[] =
		"SELECT to_json(i.external_id) FROM identities i"
		" LEFT JOIN enrich_items x ON x.kind = 'steam' AND x.key = i.external_id"
		" WHERE i.provider = 'steam' AND i.external_id ~ '^[0-9]{1,20}$' AND" DUE_WHERE
		" ORDER BY x.next_attempt_at NULLS FIRST, i.last_seen_at DESC LIMIT $3::int";
	struct json_object *rows;
	size_t i, n, start;

	if (!e->steam_key) {
		if (!e->steam_warned)
			log_info("steam: STEAM_API_KEY is not set; player summaries skipped");
		e->steam_warned = 1;
		return;
	}
	rows = due(e, sql, time_now_ms());
	if (!rows)
		return;
	n = json_object_array_length(rows);
	for (start = 0; start < n && !job_stop; start += STEAM_BATCH) {
		size_t end = start + STEAM_BATCH < n ? start + STEAM_BATCH : n;
		struct buf url = BUF_INIT, log_url = BUF_INIT;
		struct http_response res;
		struct fetch_result fr;
		struct json_object *doc = NULL, *players = NULL, *resp;
		int64_t now = time_now_ms(), until = 0;

		buf_addf(&log_url, "%s/ISteamUser/GetPlayerSummaries/v2/", e->steam_base.data);
		buf_addf(&url, "%s?key=", log_url.data);
		url_arg(&url, e->steam_key);
		buf_addstr(&url, "&steamids=");
		for (i = start; i < end; i++)
			buf_addf(&url, "%s%s", i > start ? "," : "",
				 json_object_get_string(json_object_array_get_idx(rows, i)));
		if (fetch_via_breaker(&e->db, &e->br, "steam", url.data, NULL, log_url.data, &e->http,
				      now, &res, &fr, &until) == 1) {
			defer(e, "steam", until, (int)(n - start));
			buf_release(&url);
			buf_release(&log_url);
			break;
		}
		e->worked = 1;
		if (fr.outcome == ENRICH_OK) {
			doc = parse_json_body(&res.body);
			if (!json_object_object_get_ex(doc, "response", &resp) ||
			    !json_object_object_get_ex(resp, "players", &players) ||
			    !json_object_is_type(players, json_type_array)) {
				fr.outcome = ENRICH_REJECTED;
				fr.reject = "not_json";
				snprintf(fr.error, sizeof fr.error, "%s: no response.players array",
					 log_url.data);
			}
		} else if (fr.outcome == ENRICH_ABSENT) {
			/* a 404 for the whole batch is the API misbehaving, not absent ids */
			fr.outcome = ENRICH_FAILED;
		}
		http_response_release(&res);
		for (i = start; i < end; i++) {
			const char *id = json_object_get_string(json_object_array_get_idx(rows, i));
			struct json_object *p = NULL;
			size_t k;
			if (fr.outcome != ENRICH_OK) {
				item_failed(e, "steam", id, &fr, now);
				continue;
			}
			for (k = 0; k < json_object_array_length(players) && !p; k++) {
				struct json_object *c = json_object_array_get_idx(players, k);
				const char *sid = json_str(c, "steamid");
				if (sid && !strcmp(sid, id))
					p = c;
			}
			if (!p) {
				if (enrich_store_profile(&e->db, "steam", id, 0, NULL, NULL, NULL, now) == 0 &&
				    enrich_item_done(&e->db, "steam", id, "absent", now,
						     e->pol.ttl_absent_ms, NULL) == 0) {
					e->n.absent++;
					log_info("steam %s: absent (not in the answer)", id);
				}
				continue;
			}
			{
				const char *avatar = json_str(p, "avatarfull");
				const char *profile = json_str(p, "profileurl");
				if (!url_is_http(avatar))
					avatar = json_str(p, "avatarmedium");
				if (!url_is_http(avatar))
					avatar = json_str(p, "avatar");
				if (enrich_store_profile(&e->db, "steam", id, 1, json_str(p, "personaname"),
							 url_is_http(profile) ? profile : NULL,
							 url_is_http(avatar) ? avatar : NULL, now) == 0 &&
				    enrich_item_done(&e->db, "steam", id, "ok", now, e->pol.ttl_player_ms,
						     NULL) == 0) {
					e->n.ok++;
					e->changed = 1;
					log_info("steam %s: ok \"%s\"", id,
						 json_str(p, "personaname") ? json_str(p, "personaname") : "");
				}
			}
		}
		if (doc)
			json_object_put(doc);
		buf_release(&url);
		buf_release(&log_url);
	}
	json_object_put(rows);
}

/* ------------------------------------------------------------- workshop */

static void phase_workshop(struct enricher *e)
{
	static const char sql[] =
		"SELECT to_json(mo.mod_id) FROM bzcc.mods mo"
		" LEFT JOIN enrich_items x ON x.kind = 'workshop' AND x.key = mo.mod_id"
		" WHERE mo.mod_id ~ '^[1-9][0-9]{0,19}$' AND" DUE_WHERE
		" ORDER BY x.next_attempt_at NULLS FIRST, mo.last_seen_at DESC LIMIT $3::int";
	struct json_object *rows = due(e, sql, time_now_ms());
	size_t i, n, start;

	if (!rows)
		return;
	n = json_object_array_length(rows);
	for (start = 0; start < n && !job_stop; start += STEAM_BATCH) {
		size_t end = start + STEAM_BATCH < n ? start + STEAM_BATCH : n;
		struct buf url = BUF_INIT, form = BUF_INIT;
		struct http_response res;
		struct fetch_result fr;
		struct json_object *doc = NULL, *details = NULL, *resp;
		int64_t now = time_now_ms(), until = 0;

		buf_addf(&url, "%s/ISteamRemoteStorage/GetPublishedFileDetails/v1/", e->steam_base.data);
		buf_addf(&form, "itemcount=%zu", end - start);
		for (i = start; i < end; i++) {
			buf_addf(&form, "&publishedfileids%%5B%zu%%5D=", i - start);
			url_arg(&form, json_object_get_string(json_object_array_get_idx(rows, i)));
		}
		if (fetch_via_breaker(&e->db, &e->br, "workshop", url.data, form.data, url.data,
				      &e->http, now, &res, &fr, &until) == 1) {
			defer(e, "workshop", until, (int)(n - start));
			buf_release(&url);
			buf_release(&form);
			break;
		}
		e->worked = 1;
		if (fr.outcome == ENRICH_OK) {
			doc = parse_json_body(&res.body);
			if (!json_object_object_get_ex(doc, "response", &resp) ||
			    !json_object_object_get_ex(resp, "publishedfiledetails", &details) ||
			    !json_object_is_type(details, json_type_array)) {
				fr.outcome = ENRICH_REJECTED;
				fr.reject = "not_json";
				snprintf(fr.error, sizeof fr.error,
					 "%s: no response.publishedfiledetails array", url.data);
			}
		} else if (fr.outcome == ENRICH_ABSENT) {
			fr.outcome = ENRICH_FAILED;
		}
		http_response_release(&res);
		for (i = start; i < end; i++) {
			const char *id = json_object_get_string(json_object_array_get_idx(rows, i));
			struct json_object *d = NULL;
			size_t k;
			if (fr.outcome != ENRICH_OK) {
				item_failed(e, "workshop", id, &fr, now);
				continue;
			}
			for (k = 0; k < json_object_array_length(details) && !d; k++) {
				struct json_object *c = json_object_array_get_idx(details, k);
				const char *fid = json_str(c, "publishedfileid");
				if (fid && !strcmp(fid, id))
					d = c;
			}
			if (!d || json_int(d, "result", 0) != 1) {
				if (enrich_store_workshop(&e->db, id, 0, NULL, NULL, now) == 0 &&
				    enrich_item_done(&e->db, "workshop", id, "absent", now,
						     e->pol.ttl_absent_ms, NULL) == 0) {
					e->n.absent++;
					log_info("workshop %s: absent (result %lld)", id,
						 d ? json_int(d, "result", 0) : -1LL);
				}
				continue;
			}
			{
				const char *preview = json_str(d, "preview_url");
				if (enrich_store_workshop(&e->db, id, 1, json_str(d, "title"),
							  url_is_http(preview) ? preview : NULL, now) == 0 &&
				    enrich_item_done(&e->db, "workshop", id, "ok", now, e->pol.ttl_mod_ms,
						     NULL) == 0) {
					e->n.ok++;
					e->changed = 1;
					log_info("workshop %s: ok \"%s\"", id,
						 json_str(d, "title") ? json_str(d, "title") : "");
				}
			}
		}
		if (doc)
			json_object_put(doc);
		buf_release(&url);
		buf_release(&form);
	}
	json_object_put(rows);
}

/* ------------------------------------------------------------------ gog */

/* Returns 1 when the circuit was open (nothing sent), else 0. */
static int gog_one(struct enricher *e, const char *id)
{
	struct buf url = BUF_INIT, profile = BUF_INIT;
	struct http_response res;
	struct fetch_result fr;
	struct json_object *doc = NULL, *av;
	const char *name, *avatar = NULL;
	int64_t now = time_now_ms(), until = 0;
	int deferred = 0;

	buf_addf(&url, "%s/users/", e->gog_base.data);
	url_path(&url, id);
	if (fetch_via_breaker(&e->db, &e->br, "gog", url.data, NULL, url.data, &e->http, now, &res,
			      &fr, &until) == 1) {
		e->wake_ms = !e->wake_ms || until < e->wake_ms ? until : e->wake_ms;
		deferred = 1;
		goto out;
	}
	e->worked = 1;
	if (fr.outcome == ENRICH_OK) {
		doc = parse_json_body(&res.body);
		if (!doc || !json_object_is_type(doc, json_type_object)) {
			fr.outcome = ENRICH_REJECTED;
			fr.reject = "not_json";
			snprintf(fr.error, sizeof fr.error, "%s: not a JSON object", url.data);
		}
	}
	http_response_release(&res);
	if (fr.outcome == ENRICH_FAILED || fr.outcome == ENRICH_REJECTED) {
		item_failed(e, "gog", id, &fr, now);
		goto out;
	}
	name = json_str(doc, "username");
	if (fr.outcome == ENRICH_ABSENT || !name || !*name) {
		if (enrich_store_profile(&e->db, "gog", id, 0, NULL, NULL, NULL, now) == 0 &&
		    enrich_item_done(&e->db, "gog", id, "absent", now, e->pol.ttl_absent_ms, NULL) == 0) {
			e->n.absent++;
			log_info("gog %s: absent", id);
		}
		goto out;
	}
	if (json_object_object_get_ex(doc, "avatar", &av)) {
		static const char *const sizes[] = { "sdk_img_184", "large", "medium_2x", "medium",
						     "sdk_img_64", "small" };
		size_t k;
		for (k = 0; k < sizeof sizes / sizeof sizes[0] && !avatar; k++)
			if (url_is_http(json_str(av, sizes[k])))
				avatar = json_str(av, sizes[k]);
	}
	buf_addstr(&profile, "https://www.gog.com/u/");
	url_path(&profile, name);
	if (enrich_store_profile(&e->db, "gog", id, 1, name, profile.data, avatar, now) == 0 &&
	    enrich_item_done(&e->db, "gog", id, "ok", now, e->pol.ttl_player_ms, NULL) == 0) {
		e->n.ok++;
		e->changed = 1;
		log_info("gog %s: ok \"%s\"", id, name);
	}
out:
	if (doc)
		json_object_put(doc);
	buf_release(&url);
	buf_release(&profile);
	return deferred;
}

static void phase_gog(struct enricher *e)
{
	static const char sql[] =
		"SELECT to_json(i.external_id) FROM identities i"
		" LEFT JOIN enrich_items x ON x.kind = 'gog' AND x.key = i.external_id"
		" WHERE i.provider = 'gog' AND i.external_id ~ '^[0-9]{1,20}$' AND" DUE_WHERE
		" ORDER BY x.next_attempt_at NULLS FIRST, i.last_seen_at DESC LIMIT $3::int";
	struct json_object *rows = due(e, sql, time_now_ms());
	size_t i, n;
	if (!rows)
		return;
	n = json_object_array_length(rows);
	for (i = 0; i < n && !job_stop; i++) {
		if (gog_one(e, json_object_get_string(json_object_array_get_idx(rows, i)))) {
			defer(e, "gog", e->wake_ms, (int)(n - i));
			break;
		}
	}
	json_object_put(rows);
}

/* ------------------------------------------------------------------ run */

static void usage(void)
{
	fprintf(stderr, "usage: gamewatch-job enrich [--once | --duration SECONDS] [--limit N]"
			" [--force] [--only seed,getdata,steam,workshop,gog]\n");
}

int job_enrich(const struct cfg *cfg, int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(struct enricher *);
	} phases[] = {
		{ "seed", phase_seed },
		{ "getdata", phase_getdata },
		{ "steam", phase_steam },
		{ "workshop", phase_workshop },
		{ "gog", phase_gog },
	};
	struct enricher e;
	struct buf lockpath = BUF_INIT;
	int64_t t0 = time_mono_ms(), deadline;
	int lockfd, ret = 0;
	size_t i;

	memset(&e, 0, sizeof e);
	if (run_opts_parse(&e.opt, argc, argv) < 0) {
		usage();
		return 2;
	}
	buf_addf(&lockpath, "%s/gamewatch-enrich.lock", cfg->run_dir);
	lockfd = lock_take(lockpath.data);
	buf_release(&lockpath);
	if (lockfd == -2) {
		log_info("another enrich run holds the lock; exiting");
		return 0;
	}
	if (lockfd < 0)
		return 1;

	e.cfg = cfg;
	enrich_policy_load(&e.pol);
	e.br.policy = &e.pol;
	e.maplist_url = env_or("VSR_MAPLIST_URL", DEFAULT_MAPLIST_URL);
	base_url(&e.getdata_base, env_or("GETDATA_ENDPOINT_BASE", DEFAULT_GETDATA_BASE), 1);
	base_url(&e.steam_base, env_or("STEAM_API_BASE", DEFAULT_STEAM_BASE), 0);
	base_url(&e.gog_base, env_or("GOG_API_BASE", DEFAULT_GOG_BASE), 0);
	e.steam_key = env_or("STEAM_API_KEY", NULL);
	e.http.connect_timeout_ms = cfg->fetch_timeout_ms < 2000 ? cfg->fetch_timeout_ms : 2000;
	e.http.timeout_ms = cfg->fetch_timeout_ms;
	e.http.max_bytes = JSON_MAX_BYTES;
	sanitize_init();
	db_open(&e.db, cfg->database_url);
	kv_open(&e.kv, cfg->redis_url, 1000);

	deadline = time_now_ms() + (int64_t)e.opt.duration_s * 1000;
	while (!job_stop) {
		int64_t next;
		e.worked = 0;
		e.wake_ms = 0;
		if (db_ensure(&e.db) < 0) {
			ret = 1;
			break;
		}
		for (i = 0; i < sizeof phases / sizeof phases[0] && !job_stop; i++)
			if (run_opts_wants(&e.opt, phases[i].name))
				phases[i].fn(&e);
		e.opt.force = 0; /* --force applies to the first pass */
		if (e.changed) {
			if (bzcc_cache_refresh(&e.db, &e.kv, time_now_ms()) < 0)
				log_warn("could not refresh the cached lobby view");
			e.changed = 0;
		}
		if (e.opt.once)
			break;
		next = enrich_next_due_ms(&e.db, "seed,getdata,steam,workshop,gog");
		if (e.wake_ms && (next < 0 || e.wake_ms < next))
			next = e.wake_ms;
		/* due items that could not run (circuit open): look again in 1 s */
		if (next >= 0 && next <= time_now_ms() && !e.worked)
			next = time_now_ms() + 1000;
		if (next < 0 || next >= deadline)
			break;
		run_sleep_until(next);
	}
	run_counts_log("enrich", &e.n, time_mono_ms() - t0);
	breakers_release(&e.br);
	buf_release(&e.getdata_base);
	buf_release(&e.steam_base);
	buf_release(&e.gog_base);
	db_close(&e.db);
	kv_close(&e.kv);
	close(lockfd);
	return ret;
}
