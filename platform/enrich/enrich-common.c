/* enrich-common.c: fetch classification, breaker gating and run options
 * shared by the enrich and mirror jobs (enrich-common.h). */
#include "platform/enrich/enrich-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "platform/jobs/job.h"
#include "log.h"
#include "timeutil.h"

int run_opts_parse(struct run_opts *o, int argc, char **argv)
{
	int i;
	memset(o, 0, sizeof *o);
	o->duration_s = 50;
	o->limit = 200;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			o->once = 1;
		} else if (!strcmp(argv[i], "--force")) {
			o->force = 1;
		} else if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
			o->duration_s = atoi(argv[++i]);
			if (o->duration_s < 1 || o->duration_s > 86400)
				return -1;
		} else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
			o->limit = atoi(argv[++i]);
			if (o->limit < 1 || o->limit > 100000)
				return -1;
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			o->only = argv[++i];
		} else {
			return -1;
		}
	}
	return 0;
}

int run_opts_wants(const struct run_opts *o, const char *name)
{
	const char *p;
	size_t n = strlen(name);
	if (!o->only)
		return 1;
	for (p = o->only; *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && !strncmp(p, name, n))
			return 1;
		p += k;
		if (*p == ',')
			p++;
	}
	return 0;
}

const char *enrich_env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

void enrich_env_base(struct buf *b, const char *name, const char *def, int trailing_slash)
{
	buf_addstr(b, enrich_env_or(name, def));
	while (b->len && b->data[b->len - 1] == '/')
		buf_truncate(b, b->len - 1);
	if (trailing_slash)
		buf_addch(b, '/');
}

int fetch_via_breaker(struct db *db, struct breakers *br, const char *provider,
		      const char *url, const char *post_body, const char *log_url,
		      const struct http_options *opt, int64_t now_ms, struct http_response *res,
		      struct fetch_result *out, int64_t *until_ms)
{
	static const char *const form_hdr[] = {
		"Content-Type: application/x-www-form-urlencoded", NULL };
	int rc;

	memset(out, 0, sizeof *out);
	out->retry_after_s = -1;
	memset(res, 0, sizeof *res);
	buf_init(&res->body, 0);
	if (!breaker_allow(db, br, provider, now_ms, until_ms))
		return 1;
	if (post_body)
		rc = http_send("POST", url, form_hdr, post_body, strlen(post_body), opt, res);
	else
		rc = http_get(url, opt, res);
	out->status = res->status;
	out->retry_after_s = res->retry_after_s;
	if (rc < 0) {
		if (strstr(res->error, "larger than")) {
			out->outcome = ENRICH_REJECTED;
			out->reject = "too_big";
			snprintf(out->error, sizeof out->error, "%s: %s", log_url, res->error);
			/* the host answered; its content is the problem */
			breaker_success(db, br, provider, now_ms);
		} else {
			out->outcome = ENRICH_FAILED;
			snprintf(out->error, sizeof out->error, "%s: %s", log_url, res->error);
			breaker_failure(db, br, provider, now_ms, -1);
		}
		return 0;
	}
	if (res->status >= 200 && res->status < 300) {
		out->outcome = ENRICH_OK;
		breaker_success(db, br, provider, now_ms);
	} else if (res->status == 404 || res->status == 410) {
		out->outcome = ENRICH_ABSENT;
		snprintf(out->error, sizeof out->error, "%s: HTTP %ld", log_url, res->status);
		breaker_success(db, br, provider, now_ms);
	} else {
		out->outcome = ENRICH_FAILED;
		snprintf(out->error, sizeof out->error, "%s: HTTP %ld%s", log_url, res->status,
			 res->retry_after_s >= 0 ? " with Retry-After" : "");
		breaker_failure(db, br, provider, now_ms,
				res->status == 429 || res->status == 503 ? res->retry_after_s : -1);
	}
	return 0;
}

void run_sleep_until(int64_t until_ms)
{
	int64_t d = until_ms - time_now_ms();
	if (d > 0)
		time_sleep_ms(d, &job_stop);
}

void run_counts_log(const char *job, const struct run_counts *c, int64_t took_ms)
{
	log_info("%s done in %lld ms: %d ok, %d absent, %d failed, %d rejected, %d parked, "
		 "%d deferred (circuit open)", job, (long long)took_ms, c->ok, c->absent, c->failed,
		 c->rejected, c->parked, c->deferred);
}
