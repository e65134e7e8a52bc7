/* ingest.c: POST /api/v1/ingest/events and POST /api/v1/ingest/match-result.
 *
 * 1. Read the body as sent (the row is BODY_RAW: the tracker's form bodies
 *    are not valid urlencoded, so the dispatcher must not parse them), at
 *    most the row's limit (MOHAA_MAX_BODY; 413 above).
 * 2. Parse it (domain: the three shapes); malformed is a 400 and nothing is
 *    kept.
 * 3. Authenticate: X-Server-Token, then Authorization: Bearer, then the
 *    server_token field of the body. Missing or unknown: 401. The token's
 *    SHA-256 is looked up (store/servers.h) and cached per worker briefly.
 * 4. Check every event (known type, required fields): a body of one event
 *    that fails is a 400 naming the problem; in a batch the failing events
 *    are counted and listed in the 202, unless none passes (400).
 * 5. Mask every server token in the body, then append it to the Redis
 *    stream (store/queue.h) with one script that refuses when the backlog
 *    is full (429 + Retry-After, counted). 202 only after Redis answered,
 *    and only when Redis fsyncs every write (or MOHAA_ALLOW_NONDURABLE=1):
 *    a 202 is a promise that the event survives a crash. When Redis goes
 *    away during the call (it may have stored the entry and died before
 *    answering), the same request id is retried for up to RETRY_MS, so the
 *    answer is exact: 202 stored once, 503 not stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "log.h"
#include "modules/mohaa/domain/mohaa.h"
#include "modules/mohaa/module.h"
#include "modules/mohaa/store/queue.h"
#include "modules/mohaa/store/servers.h"
#include "modules/mohaa/web/web.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "sha256.h"
#include "timeutil.h"

#define MAX_LISTED_REJECTIONS 20
#define RETRY_MS 3000

/* The server id of a token, through the per-worker cache. 0 unknown, -1
 * database unavailable. */
static int64_t auth(struct app *app, struct mohaa_web *w, const char *token, size_t len)
{
	unsigned char digest[32];
	int64_t now = time_mono_ms(), id;
	unsigned i;
	mohaa_token_digest(token, len, digest);
	for (i = 0; i < MOHAA_TOKEN_CACHE; i++)
		if (w->tokens[i].expires_ms > now &&
		    CRYPTO_memcmp(w->tokens[i].digest, digest, sizeof digest) == 0)
			return w->tokens[i].server_id;
	id = mohaa_server_by_digest(&app->db, digest);
	if (id > 0 && w->token_ttl_s > 0) {
		i = w->next_token++ % MOHAA_TOKEN_CACHE;
		memcpy(w->tokens[i].digest, digest, sizeof digest);
		w->tokens[i].server_id = id;
		w->tokens[i].expires_ms = now + w->token_ttl_s * 1000LL;
	}
	return id;
}

/* Does Redis promise durability (checked at most once a minute)? */
static bool durable(struct app *app, struct mohaa_web *w)
{
	int64_t now = time_mono_ms();
	if (w->allow_nondurable)
		return true;
	if (w->durable == -2 || now - w->durable_checked_ms > 60000) {
		int was = w->durable;
		w->durable = mohaa_queue_durable(&app->kv);
		w->durable_checked_ms = now;
		if (w->durable == -1 && was != -1)
			log_warn("cannot read Redis's appendfsync (CONFIG refused?): trusting it is always");
		if (w->durable == 0 && was != 0)
			log_error("Redis does not fsync every write (appendonly yes, appendfsync always):"
				  " ingest answers 503");
	}
	return w->durable != 0;
}

/* Is s a token as mohaa_server_add makes them? */
static bool token_shaped(const char *s)
{
	size_t i;
	if (strlen(s) != MOHAA_TOKEN_LEN || strncmp(s, MOHAA_TOKEN_PREFIX, 6))
		return false;
	for (i = 6; i < MOHAA_TOKEN_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Overwrite every occurrence of tok in the body with '*' (same length, so
 * the body parses into the same events). */
static void mask(struct buf *body, const char *tok)
{
	size_t n = strlen(tok);
	char *p = body->data, *end = body->data + body->len;
	if (!n)
		return;
	while ((p = memmem(p, (size_t)(end - p), tok, n))) {
		memset(p, '*', n);
		p += n;
	}
}

static void ingest(struct app *app, struct req *r, const char *default_type)
{
	struct mohaa_web *w = mohaa_web_state(app);
	struct buf *body = &r->in_body;
	struct mohaa_body parsed = { 0 };
	struct json_object *out = NULL, *rejections = NULL;
	const char *token = NULL, *hdr, *single_type = NULL;
	char err[256], id[48], first_err[256] = "";
	int st, accepted = 0, rejected = 0, q;
	int64_t server_id;
	size_t i;

	st = req_read_raw_body(r, err, sizeof err);
	if (st) {
		req_json_error(r, st, st == 413 ? "payload too large" : "invalid body", err);
		goto out;
	}
	st = mohaa_body_parse(body->data ? body->data : "", body->len, &parsed, err, sizeof err);
	if (st) {
		req_json_error(r, st, st == 413 ? "payload too large" : "invalid body", err);
		goto out;
	}

	/* the token: header, bearer, then the body's field */
	hdr = req_getenv(r, "HTTP_X_SERVER_TOKEN");
	if (hdr && *hdr) {
		token = hdr;
	} else if ((hdr = r->authorization) && !strncasecmp(hdr, "Bearer ", 7)) {
		token = hdr + 7;
		while (*token == ' ')
			token++;
	} else {
		for (i = 0; i < parsed.n && !token; i++)
			token = mohaa_raw_get(&parsed.ev[i], "server_token");
	}
	if (!token || !*token) {
		req_header(r, "WWW-Authenticate", "Bearer realm=\"mohaa-ingest\"");
		req_json_error(r, 401, "unauthorized",
			       "Missing server token: send X-Server-Token, Authorization: Bearer, or the"
			       " server_token field.");
		goto out;
	}
	server_id = auth(app, w, token, strlen(token));
	if (server_id < 0) {
		req_json_error(r, 503, "database unavailable", "Cannot check the server token now; retry.");
		goto out;
	}
	if (!server_id) {
		req_header(r, "WWW-Authenticate", "Bearer realm=\"mohaa-ingest\", error=\"invalid_token\"");
		req_json_error(r, 401, "unauthorized", "Unknown or revoked server token.");
		goto out;
	}

	/* the events */
	rejections = json_object_new_array();
	for (i = 0; i < parsed.n; i++) {
		struct mohaa_event ev;
		st = mohaa_event_accept(&parsed.ev[i], default_type, &ev, err, sizeof err);
		if (!st)
			single_type = mohaa_type_name(ev.type);
		mohaa_event_free(&ev);
		if (!st) {
			accepted++;
			continue;
		}
		if (!rejected)
			snprintf(first_err, sizeof first_err, "%s", err);
		if (rejected++ < MAX_LISTED_REJECTIONS) {
			struct json_object *o = json_object_new_object();
			json_object_object_add(o, "index", json_object_new_int((int)i));
			json_object_object_add(o, "error", json_object_new_string(err));
			json_object_array_add(rejections, o);
		}
	}
	if (rejected && (!accepted || parsed.shape == MOHAA_SHAPE_FORM ||
			 parsed.shape == MOHAA_SHAPE_OBJECT)) {
		char detail[300];
		if (parsed.n > 1)
			snprintf(detail, sizeof detail, "%s (no event of the %zu was accepted)",
				 first_err, parsed.n);
		else
			snprintf(detail, sizeof detail, "%s", first_err);
		req_json_error(r, 400, "invalid event", detail);
		goto out;
	}

	if (accepted) {
		if (!durable(app, w)) {
			req_json_error(r, 503, "queue not durable",
				       "Redis does not fsync every write (appendfsync always); events are"
				       " not accepted until it does.");
			goto out;
		}
		/* no credential goes into the queue, the database or the raw lines */
		mask(body, token);
		for (i = 0; i < parsed.n; i++) {
			const char *t = mohaa_raw_get(&parsed.ev[i], "server_token");
			if (t && token_shaped(t))
				mask(body, t);
		}
		{
			char rid[40];
			int64_t start = time_mono_ms();
			int wait = 50;
			snprintf(rid, sizeof rid, "%s%llx", w->rid_prefix, w->rid_next++);
			for (;;) {
				q = mohaa_queue_add(&app->kv, server_id, rid, default_type, body->data,
						    body->len, accepted, w->backlog_max, id, sizeof id);
				if (q >= 0 || time_mono_ms() - start + wait > RETRY_MS)
					break;
				time_sleep_ms(wait, NULL);
				wait = wait * 2 > 500 ? 500 : wait * 2;
			}
		}
		if (q < 0) {
			req_json_error(r, 503, "queue unavailable",
				       "The event queue cannot be reached; nothing was stored. Retry.");
			goto out;
		}
		if (q == 0) {
			char ra[16];
			snprintf(ra, sizeof ra, "%d", w->retry_after_s);
			req_header(r, "Retry-After", ra);
			req_json_error(r, 429, "overloaded",
				       "The ingest backlog is full; nothing was stored. Retry after the"
				       " Retry-After delay.");
			goto out;
		}
	}
	out = json_object_new_object();
	json_object_object_add(out, "status", json_object_new_string("accepted"));
	if (parsed.n == 1 && single_type)
		json_object_object_add(out, "type", json_object_new_string(single_type));
	json_object_object_add(out, "processed", json_object_new_int(accepted));
	json_object_object_add(out, "rejected", json_object_new_int(rejected));
	if (rejected) {
		json_object_object_add(out, "rejections", rejections);
		rejections = NULL;
	}
	if (accepted)
		json_object_object_add(out, "id", json_object_new_string(id));
	req_json(r, 202, out);
out:
	json_object_put(out);
	json_object_put(rejections);
	mohaa_body_free(&parsed);
}

void api_mohaa_ingest_events(struct app *app, struct req *r)
{
	ingest(app, r, NULL);
}

void api_mohaa_ingest_match_result(struct app *app, struct req *r)
{
	ingest(app, r, "match_end");
}
