/* s3.c: S3-compatible PUT/HEAD with AWS Signature Version 4 (s3.h). */
#include "s3.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "sha256.h"
#include "timeutil.h"

static const char EMPTY_SHA256[] =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

void s3_uri_encode(struct buf *b, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' ||
		    (keep_slash && ch == '/')) {
			buf_addch(b, (char)ch);
		} else {
			buf_addch(b, '%');
			buf_addch(b, hex[ch >> 4]);
			buf_addch(b, hex[ch & 15]);
		}
	}
}

char *s3_amz_date(int64_t ms, char out[17])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
	return out;
}

void s3_signature_release(struct s3_signature *s)
{
	buf_release(&s->canonical_request);
	buf_release(&s->string_to_sign);
	buf_release(&s->authorization);
	s->signature[0] = '\0';
}

struct hdr {
	char *name;  /* lower-case */
	char *value; /* trimmed, inner space runs collapsed */
};

static int cmp_hdr(const void *a, const void *b)
{
	return strcmp(((const struct hdr *)a)->name, ((const struct hdr *)b)->name);
}

static void free_hdrs(struct hdr *h, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

/* Split "Name: value" into a normalized pair. */
static int parse_hdr(const char *line, struct hdr *h)
{
	const char *colon = strchr(line, ':'), *v;
	struct buf val = BUF_INIT;
	size_t i, n;
	int space = 0;
	if (!colon || colon == line)
		return -1;
	n = (size_t)(colon - line);
	h->name = malloc(n + 1);
	if (!h->name)
		abort();
	for (i = 0; i < n; i++)
		h->name[i] = (char)tolower((unsigned char)line[i]);
	h->name[n] = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (; *v; v++) {
		if (*v == ' ' || *v == '\t') {
			space = 1;
			continue;
		}
		if (space && val.len)
			buf_addch(&val, ' ');
		space = 0;
		buf_addch(&val, *v);
	}
	h->value = buf_detach(&val, NULL);
	return 0;
}

int s3_sign(const struct s3_sign_input *in, struct s3_signature *out)
{
	struct hdr *h;
	struct buf signed_names = BUF_INIT, scope = BUF_INIT, secret = BUF_INIT;
	unsigned char k[SHA256_LEN], sig[SHA256_LEN];
	char creq_hash[SHA256_HEX_LEN], day[9];
	size_t i;

	if (!in->method || !in->canonical_uri || !in->payload_hash || !in->amz_date ||
	    strlen(in->amz_date) != 16 || !in->region || !in->service || !in->access_key ||
	    !in->secret_key || !in->n_headers)
		return -1;
	h = calloc(in->n_headers, sizeof *h);
	if (!h)
		abort();
	for (i = 0; i < in->n_headers; i++)
		if (parse_hdr(in->headers[i], &h[i]) < 0) {
			free_hdrs(h, in->n_headers);
			return -1;
		}
	qsort(h, in->n_headers, sizeof *h, cmp_hdr);

	/* 1. canonical request */
	buf_reset(&out->canonical_request);
	buf_addf(&out->canonical_request, "%s\n%s\n%s\n", in->method, in->canonical_uri,
		 in->canonical_query ? in->canonical_query : "");
	for (i = 0; i < in->n_headers; i++) {
		buf_addf(&out->canonical_request, "%s:%s\n", h[i].name, h[i].value);
		if (i)
			buf_addch(&signed_names, ';');
		buf_addstr(&signed_names, h[i].name);
	}
	buf_addf(&out->canonical_request, "\n%s\n%s", signed_names.data, in->payload_hash);
	free_hdrs(h, in->n_headers);

	/* 2. string to sign */
	memcpy(day, in->amz_date, 8);
	day[8] = '\0';
	buf_addf(&scope, "%s/%s/%s/aws4_request", day, in->region, in->service);
	sha256_hex(out->canonical_request.data, out->canonical_request.len, creq_hash);
	buf_reset(&out->string_to_sign);
	buf_addf(&out->string_to_sign, "AWS4-HMAC-SHA256\n%s\n%s\n%s", in->amz_date, scope.data,
		 creq_hash);

	/* 3. signing key: HMAC chain over date, region, service, "aws4_request" */
	buf_addf(&secret, "AWS4%s", in->secret_key);
	hmac_sha256(secret.data, secret.len, day, 8, k);
	hmac_sha256(k, sizeof k, in->region, strlen(in->region), k);
	hmac_sha256(k, sizeof k, in->service, strlen(in->service), k);
	hmac_sha256(k, sizeof k, "aws4_request", 12, k);
	/* do not leave the secret in freed heap memory */
	memset(secret.data, 0, secret.len);
	buf_release(&secret);

	/* 4. signature and header */
	hmac_sha256(k, sizeof k, out->string_to_sign.data, out->string_to_sign.len, sig);
	memset(k, 0, sizeof k);
	hex_encode(sig, sizeof sig, out->signature);
	buf_reset(&out->authorization);
	buf_addf(&out->authorization,
		 "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		 in->access_key, scope.data, signed_names.data, out->signature);
	buf_release(&signed_names);
	buf_release(&scope);
	return 0;
}

/* Split the endpoint into scheme ("http"/"https"), host[:port] and a path
 * prefix without trailing '/'. Returns -1 when it is not http(s). */
static int split_endpoint(const char *ep, struct buf *scheme, struct buf *host, struct buf *path)
{
	const char *p, *slash;
	if (!ep)
		return -1;
	if (!strncmp(ep, "https://", 8)) {
		buf_addstr(scheme, "https");
		p = ep + 8;
	} else if (!strncmp(ep, "http://", 7)) {
		buf_addstr(scheme, "http");
		p = ep + 7;
	} else {
		return -1;
	}
	slash = strchr(p, '/');
	buf_add(host, p, slash ? (size_t)(slash - p) : strlen(p));
	if (slash)
		buf_addstr(path, slash);
	while (path->len && path->data[path->len - 1] == '/')
		buf_truncate(path, path->len - 1);
	return host->len ? 0 : -1;
}

/* Build, sign and send one request. */
static int s3_request(const struct s3_config *c, const char *method, const char *key,
		      const void *body, size_t len, const char *content_type,
		      const char *cache_control, struct http_response *res,
		      char *err, size_t errlen)
{
	struct buf scheme = BUF_INIT, host = BUF_INIT, prefix = BUF_INIT, uri = BUF_INIT;
	struct buf url = BUF_INIT, hv[6];
	struct s3_signature sig = { BUF_INIT, BUF_INIT, "", BUF_INIT };
	struct s3_sign_input in;
	struct http_options opt = { 0 };
	const char *sign_lines[5], *send_lines[7];
	char date[17], payload[SHA256_HEX_LEN];
	size_t n = 0, i;
	int ret = -1;

	for (i = 0; i < 6; i++)
		buf_init(&hv[i], 0);
	memset(res, 0, sizeof *res);
	buf_init(&res->body, 0);
	if (!c->bucket || !*c->bucket || !c->access_key || !c->secret_key ||
	    split_endpoint(c->endpoint, &scheme, &host, &prefix) < 0) {
		snprintf(err, errlen, "s3: endpoint, bucket or credentials missing or invalid");
		goto out;
	}
	if (c->virtual_host) {
		struct buf vh = BUF_INIT;
		buf_addf(&vh, "%s.%s", c->bucket, host.data);
		buf_release(&host);
		host = vh;
		buf_addf(&uri, "%s/", prefix.data);
	} else {
		buf_addf(&uri, "%s/", prefix.data);
		s3_uri_encode(&uri, c->bucket, 0);
		buf_addch(&uri, '/');
	}
	s3_uri_encode(&uri, key, 1);
	buf_addf(&url, "%s://%s%s", scheme.data, host.data, uri.data);

	if (len)
		sha256_hex(body, len, payload);
	else
		memcpy(payload, EMPTY_SHA256, sizeof EMPTY_SHA256);
	s3_amz_date(time_now_ms(), date);
	buf_addf(&hv[0], "host:%s", host.data);
	buf_addf(&hv[1], "x-amz-content-sha256:%s", payload);
	buf_addf(&hv[2], "x-amz-date:%s", date);
	sign_lines[n++] = hv[0].data;
	sign_lines[n++] = hv[1].data;
	sign_lines[n++] = hv[2].data;
	if (content_type) {
		buf_addf(&hv[3], "content-type:%s", content_type);
		sign_lines[n++] = hv[3].data;
	}
	if (cache_control) {
		buf_addf(&hv[4], "cache-control:%s", cache_control);
		sign_lines[n++] = hv[4].data;
	}
	memset(&in, 0, sizeof in);
	in.method = method;
	in.canonical_uri = uri.data;
	in.canonical_query = "";
	in.headers = sign_lines;
	in.n_headers = n;
	in.payload_hash = payload;
	in.amz_date = date;
	in.region = c->region && *c->region ? c->region : "us-east-1";
	in.service = "s3";
	in.access_key = c->access_key;
	in.secret_key = c->secret_key;
	if (s3_sign(&in, &sig) < 0) {
		snprintf(err, errlen, "s3: could not sign the request");
		goto out;
	}
	buf_addf(&hv[5], "Authorization: %s", sig.authorization.data);
	for (i = 0; i < n; i++)
		send_lines[i] = sign_lines[i]; /* "name:value" is a valid header line */
	send_lines[n] = hv[5].data;
	send_lines[n + 1] = NULL;
	opt.timeout_ms = c->timeout_ms ? c->timeout_ms : 10000;
	opt.connect_timeout_ms = c->connect_timeout_ms ? c->connect_timeout_ms : 2000;
	opt.max_bytes = 64u << 10; /* error documents only */
	if (http_send(method, url.data, send_lines, body, len, &opt, res) < 0) {
		snprintf(err, errlen, "s3: %s %s: %s", method, key, res->error);
		goto out;
	}
	ret = 0;
out:
	s3_signature_release(&sig);
	for (i = 0; i < 6; i++)
		buf_release(&hv[i]);
	buf_release(&scheme);
	buf_release(&host);
	buf_release(&prefix);
	buf_release(&uri);
	buf_release(&url);
	return ret;
}

/* The <Code> of an S3 XML error document, for the log. */
static void error_code(const struct buf *body, char *out, size_t outlen)
{
	const char *a = strstr(body->data, "<Code>"), *b;
	out[0] = '\0';
	if (!a)
		return;
	a += 6;
	b = strstr(a, "</Code>");
	if (b && (size_t)(b - a) < outlen) {
		memcpy(out, a, (size_t)(b - a));
		out[b - a] = '\0';
	}
}

int s3_put(const struct s3_config *c, const char *key, const void *data, size_t len,
	   const char *content_type, const char *cache_control, long *status,
	   char *err, size_t errlen)
{
	struct http_response res;
	char code[64];
	int ret = -1;
	if (status)
		*status = 0;
	if (s3_request(c, "PUT", key, data, len, content_type, cache_control, &res, err,
		       errlen) == 0) {
		if (status)
			*status = res.status;
		if (res.status >= 200 && res.status < 300) {
			ret = 0;
		} else {
			error_code(&res.body, code, sizeof code);
			snprintf(err, errlen, "s3: PUT %s answered HTTP %ld%s%s", key, res.status,
				 code[0] ? " " : "", code);
		}
	}
	http_response_release(&res);
	return ret;
}

int s3_head(const struct s3_config *c, const char *key, long *status, char *err, size_t errlen)
{
	struct http_response res;
	int ret = -1;
	if (status)
		*status = 0;
	if (s3_request(c, "HEAD", key, NULL, 0, NULL, NULL, &res, err, errlen) == 0) {
		if (status)
			*status = res.status;
		if (res.status >= 200 && res.status < 300)
			ret = 1;
		else if (res.status == 404)
			ret = 0;
		else
			snprintf(err, errlen, "s3: HEAD %s answered HTTP %ld", key, res.status);
	}
	http_response_release(&res);
	return ret;
}
