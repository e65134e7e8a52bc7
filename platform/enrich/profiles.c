/* profiles.c: the Steam and GOG profile providers (profiles.h). */
#include "platform/enrich/profiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "log.h"
#include "platform/enrich/profile-decode.h"
#include "platform/players/players.h"

#define DEFAULT_STEAM_BASE "https://api.steampowered.com"
#define DEFAULT_GOG_BASE "https://users.gog.com"

struct profiles_state {
	struct buf base;   /* API base without a trailing '/' */
	const char *key;   /* STEAM_API_KEY (Steam only) */
};

static void profiles_stop(void *state)
{
	struct profiles_state *st = state;
	buf_release(&st->base);
	free(st);
}

static struct profiles_state *state_new(const char *env, const char *def)
{
	struct profiles_state *st = calloc(1, sizeof *st);
	if (!st)
		abort();
	buf_init(&st->base, 0);
	enrich_env_base(&st->base, env, def, 0);
	return st;
}

/* Store `prof` (a profile-decode.h object, or NULL for "absent") and
 * record the item. Returns 0 when both were written. */
static int store(struct enrich_run *run, const char *provider, const char *id,
		 struct json_object *prof, int64_t now)
{
	struct json_object *found = NULL;
	int ok = prof && json_object_object_get_ex(prof, "found", &found) &&
		 json_object_get_boolean(found);
	if (!ok)
		return enrich_store_profile(&run->db, provider, id, 0, NULL, NULL, NULL, now) == 0 &&
		       enrich_done(run, id, ENRICH_ABSENT, run->pol.ttl_absent_ms, now) == 0 ? 0 : -1;
	return enrich_store_profile(&run->db, provider, id, 1, json_str(prof, "nickname"),
				    json_str(prof, "profile_url"), json_str(prof, "avatar_url"),
				    now) == 0 &&
	       enrich_done(run, id, ENRICH_OK, run->pol.ttl_player_ms, now) == 0 ? 0 : -1;
}

static const char *item_key(struct json_object *batch, size_t i)
{
	return json_str(json_object_array_get_idx(batch, i), "key");
}

/* ---------------------------------------------------------------- steam */

static int steam_start(struct enrich_run *run, void **state)
{
	struct profiles_state *st;
	const char *key = enrich_env_or("STEAM_API_KEY", NULL);
	(void)run;
	if (!key) {
		log_info("steam: STEAM_API_KEY is not set; player summaries skipped");
		return 1;
	}
	st = state_new("STEAM_API_BASE", DEFAULT_STEAM_BASE);
	st->key = key;
	*state = st;
	return 0;
}

static struct json_object *steam_due(struct db *db, int force, int64_t now_ms, int limit)
{
	return players_identities_due(db, "steam", "steam", force, now_ms, limit);
}

static void steam_request(void *state, struct json_object *batch, struct enrich_request *req)
{
	struct profiles_state *st = state;
	size_t i, n = json_object_array_length(batch);
	buf_addf(&req->log_url, "%s/ISteamUser/GetPlayerSummaries/v2/", st->base.data);
	buf_addf(&req->url, "%s?key=", req->log_url.data);
	url_arg(&req->url, st->key);
	buf_addstr(&req->url, "&steamids=");
	for (i = 0; i < n; i++) {
		if (i)
			buf_addch(&req->url, ',');
		url_arg(&req->url, item_key(batch, i));
	}
}

static void steam_answer(struct enrich_run *run, void *state, struct json_object *batch,
			 struct fetch_result *fr, const struct buf *body,
			 const struct enrich_request *req, int64_t now)
{
	struct json_object *profiles = NULL;
	char why[100];
	size_t i, n = json_object_array_length(batch);
	(void)state;

	if (fr->outcome == ENRICH_OK) {
		profiles = steam_summaries_decode(body->data, body->len, why, sizeof why);
		if (!profiles) {
			fr->outcome = ENRICH_REJECTED;
			fr->reject = "not_json";
			snprintf(fr->error, sizeof fr->error, "%s: %s", req->log_url.data, why);
		}
	} else if (fr->outcome == ENRICH_ABSENT) {
		/* a 404 for the whole batch is the API misbehaving, not absent ids */
		fr->outcome = ENRICH_FAILED;
	}
	for (i = 0; i < n; i++) {
		const char *id = item_key(batch, i);
		struct json_object *p = NULL;
		if (fr->outcome != ENRICH_OK) {
			enrich_failed(run, id, fr, now);
			continue;
		}
		if (!json_object_object_get_ex(profiles, id, &p)) {
			if (store(run, "steam", id, NULL, now) == 0)
				log_info("steam %s: absent (not in the answer)", id);
			continue;
		}
		if (store(run, "steam", id, p, now) == 0)
			log_info("steam %s: ok \"%s\"", id,
				 json_str(p, "nickname") ? json_str(p, "nickname") : "");
	}
	if (profiles)
		json_object_put(profiles);
}

const struct enrich_provider enrich_provider_steam = {
	.name = "steam",
	.breaker = "steam",
	.batch = 100,
	.start = steam_start,
	.stop = profiles_stop,
	.due = steam_due,
	.request = steam_request,
	.answer = steam_answer,
};

/* ------------------------------------------------------------------ gog */

static int gog_start(struct enrich_run *run, void **state)
{
	(void)run;
	*state = state_new("GOG_API_BASE", DEFAULT_GOG_BASE);
	return 0;
}

static struct json_object *gog_due(struct db *db, int force, int64_t now_ms, int limit)
{
	return players_identities_due(db, "gog", "gog", force, now_ms, limit);
}

static void gog_request(void *state, struct json_object *batch, struct enrich_request *req)
{
	struct profiles_state *st = state;
	buf_addf(&req->url, "%s/users/", st->base.data);
	url_path(&req->url, item_key(batch, 0));
}

static void gog_answer(struct enrich_run *run, void *state, struct json_object *batch,
		       struct fetch_result *fr, const struct buf *body,
		       const struct enrich_request *req, int64_t now)
{
	const char *id = item_key(batch, 0);
	struct json_object *prof = NULL;
	char why[100];
	(void)state;

	if (fr->outcome == ENRICH_OK) {
		prof = gog_user_decode(body->data, body->len, why, sizeof why);
		if (!prof) {
			fr->outcome = ENRICH_REJECTED;
			fr->reject = "not_json";
			snprintf(fr->error, sizeof fr->error, "%s: %s", req->url.data, why);
		}
	}
	if (fr->outcome == ENRICH_FAILED || fr->outcome == ENRICH_REJECTED) {
		enrich_failed(run, id, fr, now);
		return;
	}
	/* a 404, or an answer without a username: the account is unknown */
	if (store(run, "gog", id, prof, now) == 0) {
		if (json_str(prof, "nickname"))
			log_info("gog %s: ok \"%s\"", id, json_str(prof, "nickname"));
		else
			log_info("gog %s: absent", id);
	}
	if (prof)
		json_object_put(prof);
}

const struct enrich_provider enrich_provider_gog = {
	.name = "gog",
	.breaker = "gog",
	.batch = 1,
	.start = gog_start,
	.stop = profiles_stop,
	.due = gog_due,
	.request = gog_request,
	.answer = gog_answer,
};
