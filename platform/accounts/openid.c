/* openid.c: OpenID 2.0 relying-party checks that need no network
 * (openid.h). */
#include "platform/accounts/openid.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "timeutil.h"

static void arg(struct buf *out, const char *k, const char *v, bool first)
{
	if (!first)
		buf_addch(out, '&');
	url_arg(out, k);
	buf_addch(out, '=');
	url_arg(out, v);
}

void openid_auth_url(struct buf *out, const char *endpoint, const char *return_to,
		     const char *realm)
{
	buf_addstr(out, endpoint);
	buf_addch(out, strchr(endpoint, '?') ? '&' : '?');
	arg(out, "openid.ns", OPENID_NS, true);
	arg(out, "openid.mode", "checkid_setup", false);
	arg(out, "openid.return_to", return_to, false);
	arg(out, "openid.realm", realm, false);
	arg(out, "openid.identity", OPENID_IDENTIFIER_SELECT, false);
	arg(out, "openid.claimed_id", OPENID_IDENTIFIER_SELECT, false);
}

const char *openid_param(const struct req_param *params, int n, const char *key)
{
	const char *v = NULL;
	int i;
	for (i = 0; i < n; i++)
		if (!strcmp(params[i].key, key)) {
			if (v)
				return NULL;
			v = params[i].value;
		}
	return v;
}

int openid_nonce_time(const char *nonce, int64_t *ms)
{
	char stamp[21];
	size_t n, i;
	if (!nonce)
		return -1;
	n = strlen(nonce);
	if (n < 20 || n > OPENID_NONCE_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)nonce[i] < 33 || (unsigned char)nonce[i] > 126)
			return -1;
	/* exactly YYYY-MM-DDTHH:MM:SSZ (no fraction, no offset) */
	for (i = 0; i < 20; i++) {
		char c = nonce[i];
		bool ok = (i == 4 || i == 7) ? c == '-' : i == 10 ? c == 'T'
			: (i == 13 || i == 16) ? c == ':' : i == 19 ? c == 'Z'
			: isdigit((unsigned char)c) != 0;
		if (!ok)
			return -1;
	}
	memcpy(stamp, nonce, 20);
	stamp[20] = '\0';
	return time_parse_iso8601(stamp, ms);
}

/* Is `field` one of the comma-separated names of openid.signed? */
static bool signed_has(const char *list, const char *field)
{
	size_t fl = strlen(field);
	const char *p = list;
	while (*p) {
		size_t k = strcspn(p, ",");
		if (k == fl && !strncmp(p, field, fl))
			return true;
		p += k;
		if (*p == ',')
			p++;
	}
	return false;
}

int openid_check_assertion(const struct req_param *params, int n, const struct openid_expect *e,
			   const char **claimed_id, char *err, size_t errlen)
{
	static const char *const must_sign[] = { "op_endpoint", "return_to", "response_nonce",
						  "assoc_handle", "claimed_id", "identity" };
	const char *ns = openid_param(params, n, "openid.ns");
	const char *mode = openid_param(params, n, "openid.mode");
	const char *ep = openid_param(params, n, "openid.op_endpoint");
	const char *rt = openid_param(params, n, "openid.return_to");
	const char *cid = openid_param(params, n, "openid.claimed_id");
	const char *id = openid_param(params, n, "openid.identity");
	const char *nonce = openid_param(params, n, "openid.response_nonce");
	const char *sig = openid_param(params, n, "openid.sig");
	const char *sgn = openid_param(params, n, "openid.signed");
	const char *ah = openid_param(params, n, "openid.assoc_handle");
	int64_t t;
	size_t i;

	*claimed_id = NULL;
	if (!mode) {
		snprintf(err, errlen, "no openid.mode: not an OpenID answer");
		return -1;
	}
	if (!strcmp(mode, "cancel")) {
		snprintf(err, errlen, "the sign-in was cancelled at the provider");
		return -1;
	}
	if (!ns || strcmp(ns, OPENID_NS)) {
		snprintf(err, errlen, "openid.ns is not OpenID 2.0");
		return -1;
	}
	if (strcmp(mode, "id_res")) {
		snprintf(err, errlen, "openid.mode is not id_res");
		return -1;
	}
	if (!ep || !e->endpoint || strcmp(ep, e->endpoint)) {
		snprintf(err, errlen, "the assertion comes from another OpenID endpoint than the one trusted");
		return -1;
	}
	if (!rt || !e->return_to || strcmp(rt, e->return_to)) {
		snprintf(err, errlen, "openid.return_to is not the address this sign-in asked for");
		return -1;
	}
	if (!cid || !id || strcmp(cid, id)) {
		snprintf(err, errlen, "openid.claimed_id and openid.identity are missing or differ");
		return -1;
	}
	if (openid_nonce_time(nonce, &t) < 0) {
		snprintf(err, errlen, "openid.response_nonce is missing or malformed");
		return -1;
	}
	if (t < e->now_ms - OPENID_NONCE_SKEW_MS || t > e->now_ms + OPENID_NONCE_SKEW_MS) {
		snprintf(err, errlen, "openid.response_nonce is too old (or from the future)");
		return -1;
	}
	if (!sig || !*sig || !ah || !*ah || !sgn) {
		snprintf(err, errlen, "the assertion is not signed (openid.sig, openid.signed, openid.assoc_handle)");
		return -1;
	}
	for (i = 0; i < sizeof must_sign / sizeof must_sign[0]; i++)
		if (!signed_has(sgn, must_sign[i])) {
			snprintf(err, errlen, "openid.signed does not cover %s", must_sign[i]);
			return -1;
		}
	*claimed_id = cid;
	return 0;
}

void openid_check_body(const struct req_param *params, int n, struct buf *out)
{
	int i;
	bool first = true;
	for (i = 0; i < n; i++) {
		if (strncmp(params[i].key, "openid.", 7) || !strcmp(params[i].key, "openid.mode"))
			continue;
		arg(out, params[i].key, params[i].value, first);
		first = false;
	}
	arg(out, "openid.mode", "check_authentication", first);
}

int openid_kv_is_valid(const char *body, size_t len)
{
	const char *p = body, *end = body + len;
	int ns_ok = 0, valid = 0, seen_ns = 0, seen_valid = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		const char *colon = memchr(p, ':', (size_t)(line_end - p));
		size_t kl, vl;
		if (!colon)
			return 0; /* §4.1.1: every line is key:value */
		kl = (size_t)(colon - p);
		vl = (size_t)(line_end - colon - 1);
		if (kl == 2 && !strncmp(p, "ns", 2)) {
			if (seen_ns++)
				return 0;
			ns_ok = vl == strlen(OPENID_NS) && !strncmp(colon + 1, OPENID_NS, vl);
		} else if (kl == 8 && !strncmp(p, "is_valid", 8)) {
			if (seen_valid++)
				return 0;
			valid = vl == 4 && !strncmp(colon + 1, "true", 4);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return ns_ok && valid;
}

int openid_steam_id(const char *claimed_id, char out[18])
{
	static const char prefix[] = "https://steamcommunity.com/openid/id/";
	const char *d;
	size_t i;
	if (!claimed_id || strncmp(claimed_id, prefix, sizeof prefix - 1))
		return -1;
	d = claimed_id + sizeof prefix - 1;
	for (i = 0; i < 17; i++)
		if (!isdigit((unsigned char)d[i]))
			return -1;
	if (d[17] != '\0' || strncmp(d, "7656119", 7))
		return -1;
	memcpy(out, d, 17);
	out[17] = '\0';
	return 0;
}
