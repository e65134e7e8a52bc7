/* enrich-providers.c: BZCC's enrichment providers: the seed list,
 * getdata.php and the Steam Workshop (providers.h). The platform's engine
 * (platform/enrich/engine.h) runs them inside `gamewatch-job enrich`; each
 * builds its request, decodes the answer with modules/bzcc/domain/facts.h
 * and stores it with modules/bzcc/store/bzcc-enrich.h. One log line per
 * item outcome. */
#include "modules/bzcc/jobs/providers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "log.h"
#include "modules/bzcc/domain/facts.h"
#include "modules/bzcc/store/bzcc-enrich.h"
#include "sanitize.h"

#ifndef GW_PKGDATADIR
#define GW_PKGDATADIR "/usr/local/share/gamewatch"
#endif

#define DEFAULT_STEAM_BASE "https://api.steampowered.com"
#define DEFAULT_MAPLIST_URL "file://" GW_PKGDATADIR "/seed/vsrmaplist.json"

/* A provider's settings: one URL or base URL. */
struct base_state {
	struct buf url;
};

static struct base_state *state_new(const char *env, const char *def, int trailing_slash)
{
	struct base_state *st = calloc(1, sizeof *st);
	if (!st)
		abort();
	buf_init(&st->url, 0);
	if (trailing_slash >= 0)
		enrich_env_base(&st->url, env, def, trailing_slash);
	else
		buf_addstr(&st->url, enrich_env_or(env, def));
	return st;
}

static void state_free(void *state)
{
	struct base_state *st = state;
	buf_release(&st->url);
	free(st);
}

static const char *item_str(struct json_object *batch, size_t i, const char *member)
{
	return json_str(json_object_array_get_idx(batch, i), member);
}

/* A rejection of an answer that does not decode. */
static void reject(struct fetch_result *fr, const char *url, const char *why)
{
	fr->outcome = ENRICH_REJECTED;
	fr->reject = "not_json";
	snprintf(fr->error, sizeof fr->error, "%s: %s", url, why);
}

/* ----------------------------------------------------------------- seed */

static int seed_start(struct enrich_run *run, void **state)
{
	(void)run;
	sanitize_init();
	*state = state_new("VSR_MAPLIST_URL", DEFAULT_MAPLIST_URL, -1);
	return 0;
}

static void seed_request(void *state, struct json_object *batch, struct enrich_request *req)
{
	struct base_state *st = state;
	(void)batch;
	buf_addstr(&req->url, st->url.data);
}

static void seed_answer(struct enrich_run *run, void *state, struct json_object *batch,
			struct fetch_result *fr, const struct buf *body,
			const struct enrich_request *req, int64_t now)
{
	struct json_object *maps = NULL;
	char why[100];
	int stored;
	(void)state;
	(void)batch;

	if (fr->outcome == ENRICH_OK) {
		maps = bzcc_seed_decode(body->data, body->len, why, sizeof why);
		if (!maps)
			reject(fr, req->url.data, why);
	}
	if (fr->outcome == ENRICH_ABSENT) {
		log_warn("seed " BZCC_SEED_KEY ": absent (%s)", fr->error);
		enrich_done(run, BZCC_SEED_KEY, ENRICH_ABSENT, run->pol.ttl_absent_ms, now);
		return;
	}
	if (fr->outcome != ENRICH_OK) {
		enrich_failed(run, BZCC_SEED_KEY, fr, now);
		return;
	}
	stored = bzcc_enrich_store_seed(&run->db, maps, now);
	if (stored >= 0 &&
	    enrich_done(run, BZCC_SEED_KEY, ENRICH_OK, run->pol.ttl_seed_ms, now) == 0)
		log_info("seed " BZCC_SEED_KEY ": ok, %d maps from %s", stored, req->url.data);
	json_object_put(maps);
}

const struct enrich_provider bzcc_provider_seed = {
	.name = "seed",
	.breaker = "vsr",
	.batch = 1,
	.start = seed_start,
	.stop = state_free,
	.due = bzcc_enrich_due_seed,
	.request = seed_request,
	.answer = seed_answer,
};

/* -------------------------------------------------------------- getdata */

static int getdata_start(struct enrich_run *run, void **state)
{
	(void)run;
	sanitize_init();
	*state = state_new("GETDATA_ENDPOINT_BASE", BZCC_GETDATA_BASE_DEFAULT, 1);
	return 0;
}

static void getdata_request(void *state, struct json_object *batch, struct enrich_request *req)
{
	struct base_state *st = state;
	const char *file = item_str(batch, 0, "file"), *mod = item_str(batch, 0, "mod");
	struct buf lower = BUF_INIT;
	size_t i;

	for (i = 0; file && file[i]; i++)
		buf_addch(&lower, (char)(file[i] >= 'A' && file[i] <= 'Z' ? file[i] + 32 : file[i]));
	buf_addf(&req->url, "%sgetdata.php?map=", st->url.data);
	url_arg(&req->url, lower.len ? lower.data : "");
	buf_addstr(&req->url, "&mod=");
	url_arg(&req->url, mod && *mod ? mod : "0");
	buf_release(&lower);
}

static void getdata_answer(struct enrich_run *run, void *state, struct json_object *batch,
			   struct fetch_result *fr, const struct buf *body,
			   const struct enrich_request *req, int64_t now)
{
	struct base_state *st = state;
	const char *key = item_str(batch, 0, "key"), *title;
	struct json_object *info = NULL, *v, *nv = NULL, *tn = NULL, *mods = NULL;
	char why[100];
	size_t n_mods;

	if (fr->outcome == ENRICH_OK) {
		info = bzcc_getdata_decode(body->data, body->len, st->url.data, why, sizeof why);
		if (!info)
			reject(fr, req->url.data, why);
	} else if (fr->outcome == ENRICH_ABSENT || (fr->status >= 200 && fr->status < 300)) {
		/* a 404, or a 2xx body too big to read: no data */
		fr->outcome = ENRICH_ABSENT;
	}
	if (fr->outcome == ENRICH_FAILED || fr->outcome == ENRICH_REJECTED) {
		enrich_failed(run, key, fr, now);
		goto out;
	}
	if (!info || !json_object_object_get_ex(info, "found", &v) || !json_object_get_boolean(v)) {
		if (bzcc_enrich_store_map_info(&run->db, key, 0, NULL, NULL, NULL, NULL, NULL,
					       now) == 0 &&
		    enrich_done(run, key, ENRICH_ABSENT, run->pol.ttl_absent_ms, now) == 0)
			log_info("getdata %s: absent (no title or image)", key);
		goto out;
	}
	title = json_str(info, "title");
	json_object_object_get_ex(info, "net_vars", &nv);
	json_object_object_get_ex(info, "team_names", &tn);
	json_object_object_get_ex(info, "mods", &mods);
	if (bzcc_enrich_store_map_info(&run->db, key, 1, title, json_str(info, "description"),
				       json_str(info, "image_url"), nv, tn, now) < 0)
		goto out;
	n_mods = json_object_array_length(mods);
	if (bzcc_enrich_store_mods(&run->db, mods, now) == 0 &&
	    enrich_done(run, key, ENRICH_OK, run->pol.ttl_map_ms, now) == 0)
		log_info("getdata %s: ok \"%s\"%s%s, %zu mod%s", key, title ? title : "",
			 tn ? ", teams " : "", tn ? json_object_to_json_string(tn) : "",
			 n_mods, n_mods == 1 ? "" : "s");
out:
	if (info)
		json_object_put(info);
}

const struct enrich_provider bzcc_provider_getdata = {
	.name = "getdata",
	.breaker = "getdata",
	.batch = 1,
	.start = getdata_start,
	.stop = state_free,
	.due = bzcc_enrich_due_getdata,
	.request = getdata_request,
	.answer = getdata_answer,
};

/* ------------------------------------------------------------- workshop */

static int workshop_start(struct enrich_run *run, void **state)
{
	(void)run;
	*state = state_new("STEAM_API_BASE", DEFAULT_STEAM_BASE, 0);
	return 0;
}

static void workshop_request(void *state, struct json_object *batch, struct enrich_request *req)
{
	struct base_state *st = state;
	size_t i, n = json_object_array_length(batch);
	buf_addf(&req->url, "%s/ISteamRemoteStorage/GetPublishedFileDetails/v1/", st->url.data);
	buf_addf(&req->form, "itemcount=%zu", n);
	for (i = 0; i < n; i++) {
		buf_addf(&req->form, "&publishedfileids%%5B%zu%%5D=", i);
		url_arg(&req->form, item_str(batch, i, "key"));
	}
}

static void workshop_answer(struct enrich_run *run, void *state, struct json_object *batch,
			    struct fetch_result *fr, const struct buf *body,
			    const struct enrich_request *req, int64_t now)
{
	struct json_object *details = NULL;
	char why[100];
	size_t i, n = json_object_array_length(batch);
	(void)state;

	if (fr->outcome == ENRICH_OK) {
		details = bzcc_workshop_decode(body->data, body->len, why, sizeof why);
		if (!details)
			reject(fr, req->url.data, why);
	} else if (fr->outcome == ENRICH_ABSENT) {
		/* a 404 for the whole batch is the API misbehaving, not absent ids */
		fr->outcome = ENRICH_FAILED;
	}
	for (i = 0; i < n; i++) {
		const char *id = item_str(batch, i, "key");
		struct json_object *d = NULL, *v;
		if (fr->outcome != ENRICH_OK) {
			enrich_failed(run, id, fr, now);
			continue;
		}
		if (!json_object_object_get_ex(details, id, &d) ||
		    !json_object_object_get_ex(d, "found", &v) || !json_object_get_boolean(v)) {
			if (bzcc_enrich_store_workshop(&run->db, id, 0, NULL, NULL, now) == 0 &&
			    enrich_done(run, id, ENRICH_ABSENT, run->pol.ttl_absent_ms, now) == 0)
				log_info("workshop %s: absent (result %lld)", id,
					 d ? json_int(d, "result", 0) : -1LL);
			continue;
		}
		if (bzcc_enrich_store_workshop(&run->db, id, 1, json_str(d, "title"),
					       json_str(d, "preview_url"), now) == 0 &&
		    enrich_done(run, id, ENRICH_OK, run->pol.ttl_mod_ms, now) == 0)
			log_info("workshop %s: ok \"%s\"", id,
				 json_str(d, "title") ? json_str(d, "title") : "");
	}
	if (details)
		json_object_put(details);
}

const struct enrich_provider bzcc_provider_workshop = {
	.name = "workshop",
	.breaker = "workshop",
	.batch = 100,
	.start = workshop_start,
	.stop = state_free,
	.due = bzcc_enrich_due_workshop,
	.request = workshop_request,
	.answer = workshop_answer,
};
