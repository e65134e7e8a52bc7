/* http-send.c: requests with a method, headers and a body (http-send.h). */
#include "http-send.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>

#include "config.h"

struct sink {
	struct buf *body;
	size_t max;
	int over;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t len = size * n;
	if (s->body->len + len > s->max) {
		s->over = 1;
		return 0;
	}
	buf_add(s->body, p, len);
	return len;
}

static void trim_copy(char *dst, size_t dstlen, const char *src, size_t n)
{
	while (n && (*src == ' ' || *src == '\t')) {
		src++;
		n--;
	}
	while (n && (src[n - 1] == '\r' || src[n - 1] == '\n' || src[n - 1] == ' '))
		n--;
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct http_response *res = ud;
	size_t len = size * n;
	if (len > 13 && !strncasecmp(p, "Content-Type:", 13)) {
		trim_copy(res->content_type, sizeof res->content_type, p + 13, len - 13);
	} else if (len > 12 && !strncasecmp(p, "Retry-After:", 12)) {
		char v[64];
		char *end;
		long s;
		trim_copy(v, sizeof v, p + 12, len - 12);
		s = strtol(v, &end, 10);
		if (end != v && !*end && s >= 0)
			res->retry_after_s = s;
	}
	return len;
}

int http_send(const char *method, const char *url, const char *const *headers,
	      const void *body, size_t body_len, const struct http_options *opt,
	      struct http_response *res)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hl = NULL, *tmp;
	struct sink sink;
	CURL *c;
	CURLcode rc;
	double total = 0;
	int head = !strcmp(method, "HEAD"), get = !strcmp(method, "GET");

	memset(res, 0, sizeof *res);
	buf_init(&res->body, 0);
	res->retry_after_s = -1;
	sink.body = &res->body;
	sink.max = opt && opt->max_bytes ? opt->max_bytes : 8u << 20;
	sink.over = 0;

	c = curl_easy_init();
	if (!c) {
		snprintf(res->error, sizeof res->error, "could not create a transfer handle");
		return -1;
	}
	for (; headers && *headers; headers++) {
		tmp = curl_slist_append(hl, *headers);
		if (!tmp)
			abort();
		hl = tmp;
	}
	tmp = curl_slist_append(hl, "Expect:");
	if (!tmp)
		abort();
	hl = tmp;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 opt && opt->connect_timeout_ms ? opt->connect_timeout_ms : 2000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, opt && opt->timeout_ms ? opt->timeout_ms : 4000L);
	curl_easy_setopt(c, CURLOPT_USERAGENT,
			 opt && opt->user_agent ? opt->user_agent : "GameWatch/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, res);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (head) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (!get) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body_len ? body : (const void *)"");
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &total);
	res->elapsed_ms = (int64_t)(total * 1000.0);
	curl_easy_cleanup(c);
	curl_slist_free_all(hl);

	if (sink.over) {
		snprintf(res->error, sizeof res->error, "response body larger than %zu bytes", sink.max);
		return -1;
	}
	if (rc != CURLE_OK) {
		snprintf(res->error, sizeof res->error, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}
