/* http.c: bounded, timed GETs through libcurl. */
#include "http.h"

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

struct hdrs {
	struct http_response *res;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t len = size * n;
	if (s->body->len + len > s->max) {
		s->over = 1;
		return 0; /* abort the transfer */
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
	struct hdrs *h = ud;
	size_t len = size * n;
	if (len > 13 && !strncasecmp(p, "Content-Type:", 13)) {
		trim_copy(h->res->content_type, sizeof h->res->content_type, p + 13, len - 13);
	} else if (len > 12 && !strncasecmp(p, "Retry-After:", 12)) {
		long s = http_parse_retry_after(p + 12, len - 12);
		if (s >= 0)
			h->res->retry_after_s = s;
	} else if (len >= 5 && !strncmp(p, "HTTP/", 5)) {
		/* a new response (after a redirect): forget the previous headers */
		h->res->content_type[0] = '\0';
		h->res->retry_after_s = -1;
	}
	return len;
}

long http_parse_retry_after(const char *v, size_t len)
{
	size_t i = 0, end = len;
	long s = 0;

	while (i < end && (v[i] == ' ' || v[i] == '\t'))
		i++;
	while (end > i && (v[end - 1] == ' ' || v[end - 1] == '\t' || v[end - 1] == '\r' ||
			   v[end - 1] == '\n'))
		end--;
	if (i == end)
		return -1;
	for (; i < end; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		if (s <= HTTP_RETRY_AFTER_MAX_S) /* stops growing past the cap: no overflow */
			s = s * 10 + (v[i] - '0');
	}
	return s > HTTP_RETRY_AFTER_MAX_S ? HTTP_RETRY_AFTER_MAX_S : s;
}

int http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

/* One transfer. `fetch` selects the GET policy of http_get() (file:// allowed,
 * up to 3 redirects over http(s)); otherwise http(s) only and no redirects,
 * as a signed request must not move. */
static int perform(const char *method, const char *url, const char *const *headers,
		   const void *body, size_t body_len, const struct http_options *opt,
		   struct http_response *res, int fetch)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hl = NULL, *tmp;
	struct sink sink;
	struct hdrs hdrs;
	CURL *c;
	CURLcode rc;
	char *scheme = NULL;
	int is_file;
	double total = 0;

	memset(res, 0, sizeof *res);
	buf_init(&res->body, 0);
	res->retry_after_s = -1;
	sink.body = &res->body;
	sink.max = opt && opt->max_bytes ? opt->max_bytes : 8u << 20;
	sink.over = 0;
	hdrs.res = res;

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
	if (!fetch) {
		tmp = curl_slist_append(hl, "Expect:"); /* no 100-continue round trip */
		if (!tmp)
			abort();
		hl = tmp;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	if (fetch) {
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
		curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
		curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* gzip/deflate if offered */
	} else {
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	}
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
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hdrs);
	if (hl)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (sink.max)
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink.max);
	if (!strcmp(method, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET")) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body_len ? body : (const void *)"");
	}

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &total);
	curl_easy_getinfo(c, CURLINFO_SCHEME, &scheme);
	is_file = scheme && !strcasecmp(scheme, "file");
	res->elapsed_ms = (int64_t)(total * 1000.0);
	curl_easy_cleanup(c);
	curl_slist_free_all(hl);

	if (sink.over || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(res->error, sizeof res->error, "response body larger than %zu bytes", sink.max);
		return -1;
	}
	if (rc != CURLE_OK) {
		snprintf(res->error, sizeof res->error, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
		return -1;
	}
	if (is_file && !res->status)
		res->status = 200;
	return 0;
}

int http_get(const char *url, const struct http_options *opt, struct http_response *res)
{
	return perform("GET", url, NULL, NULL, 0, opt, res, 1);
}

int http_send(const char *method, const char *url, const char *const *headers,
	      const void *body, size_t body_len, const struct http_options *opt,
	      struct http_response *res)
{
	return perform(method, url, headers, body, body_len, opt, res, 0);
}

void http_response_release(struct http_response *res)
{
	buf_release(&res->body);
	res->status = 0;
}

/* Is `name` (n bytes, percent-escapes allowed) a credential's name? */
static int secret_param(const char *name, size_t n)
{
	static const char *const tails[] = { "key", "token", "secret", "password", "passwd",
					     "auth", "signature", "credential" };
	char low[64];
	size_t i, k = 0;
	for (i = 0; i < n && k < sizeof low - 1; i++) {
		int c = (unsigned char)name[i];
		if (c == '%' && i + 2 < n) {
			char hex[3] = { name[i + 1], name[i + 2], 0 };
			char *end;
			long v = strtol(hex, &end, 16);
			if (!*end) {
				c = (int)v;
				i += 2;
			}
		}
		low[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	low[k] = '\0';
	for (i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		size_t t = strlen(tails[i]);
		if (k >= t && !strcmp(low + k - t, tails[i]))
			return 1;
	}
	return 0;
}

void http_url_redact(struct buf *out, const char *url)
{
	const char *p, *auth, *auth_end, *at = NULL, *q, *frag;
	if (!url)
		return;
	p = strstr(url, "://");
	auth = p ? p + 3 : url;
	auth_end = auth + strcspn(auth, "/?#");
	if (p) {
		const char *c;
		for (c = auth; c < auth_end; c++)
			if (*c == '@')
				at = c; /* the last '@' ends the userinfo */
	}
	if (at) {
		buf_add(out, url, (size_t)(auth - url));
		buf_addstr(out, "***");
		p = at;
	} else {
		p = url;
	}
	q = strchr(auth_end, '?');
	frag = strchr(auth_end, '#');
	if (!q || (frag && frag < q)) {
		buf_addstr(out, p);
		return;
	}
	buf_add(out, p, (size_t)(q + 1 - p));
	p = q + 1;
	while (*p && *p != '#') {
		size_t n = strcspn(p, "&;#");
		const char *eq = memchr(p, '=', n);
		if (eq && secret_param(p, (size_t)(eq - p))) {
			buf_add(out, p, (size_t)(eq + 1 - p));
			buf_addstr(out, "***");
		} else {
			buf_add(out, p, n);
		}
		p += n;
		if (*p == '&' || *p == ';')
			buf_addch(out, *p++);
	}
	buf_addstr(out, p);
}
