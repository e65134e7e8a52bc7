/* fuzz_openid.c: libFuzzer target for the OpenID 2.0 relying party's
 * parsers of what a provider or a browser sends (platform/accounts/openid.h).
 *
 * The first byte picks the parser; the rest of the input is its argument:
 *   0 a check_authentication answer (Key-Value Form): openid_kv_is_valid
 *   1 a callback query: lines "key=value" become the parameters of
 *     openid_check_assertion (and openid_check_body), as req_parse would
 *     hand them over decoded
 *   2 a claimed identifier and a nonce (separated by LF): openid_steam_id,
 *     openid_nonce_time
 * Promises checked (an abort is a crash for libFuzzer): is_valid is 0 or 1,
 * and 1 only when the text holds "is_valid:true"; an accepted assertion
 * names the trusted endpoint and return_to and a claimed id present in the
 * parameters; a Steam id is 17 digits starting 7656119; the body of
 * check_authentication always ends with its own mode. Seeds:
 * fuzz/corpus/openid/. Build and run: fuzz/run.sh openid. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform/accounts/openid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) \
	do { \
		if (!(c)) \
			abort(); \
	} while (0)

#define EP "https://steamcommunity.com/openid/login"
#define RT "https://gw.example/auth/steam/callback?state=0123456789abcdef0123456789abcdef"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0: {
		int v = openid_kv_is_valid(s, size - 1);
		CHECK(v == 0 || v == 1);
		if (v)
			CHECK(memmem(s, size - 1, "is_valid:true", 13) != NULL);
		break;
	}
	case 1: {
		struct req_param p[32];
		struct openid_expect e = { EP, RT, 1735689600000LL };
		struct buf body = BUF_INIT;
		const char *claimed = NULL;
		char err[256];
		int n = 0, i;
		char *line = s, *next;
		for (; line && n < 32; line = next) {
			char *eq;
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			eq = strchr(line, '=');
			if (!eq)
				continue;
			*eq = '\0';
			p[n].key = line;
			p[n].value = eq + 1;
			n++;
		}
		if (openid_check_assertion(p, n, &e, &claimed, err, sizeof err) == 0) {
			CHECK(claimed != NULL);
			CHECK(!strcmp(openid_param(p, n, "openid.op_endpoint"), EP));
			CHECK(!strcmp(openid_param(p, n, "openid.return_to"), RT));
			for (i = 0; i < n && p[i].value != claimed; i++)
				;
			CHECK(i < n);
		} else {
			CHECK(claimed == NULL && err[0]);
		}
		openid_check_body(p, n, &body);
		CHECK(body.len >= 32 && !strcmp(body.data + body.len - 32, "openid.mode=check_authentication"));
		buf_release(&body);
		break;
	}
	case 2: {
		char id[18];
		int64_t t;
		char *nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		if (openid_steam_id(s, id) == 0)
			CHECK(strlen(id) == 17 && !strncmp(id, "7656119", 7) && strspn(id, "0123456789") == 17);
		if (nl)
			(void)openid_nonce_time(nl + 1, &t);
		break;
	}
	}
	free(s);
	return 0;
}
