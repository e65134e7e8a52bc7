/* test_cursor.c: keyset cursors of platform/web/cursor.c round-trip, and
 * every edit, truncation, foreign list or foreign key is refused; each
 * rejection rule of cursor_decode() is tested on its own with tokens signed
 * here, independently of cursor.c, from the format cursor.h documents
 * (OpenSSL's HMAC and base64, with the base64url alphabet and no padding). */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "cu.h"
#include "platform/web/cursor.h"

#define SECRET "0123456789abcdef0123456789abcdef"

static int round_trip(int64_t key, const char *id, const char *secret)
{
	struct buf tok = BUF_INIT, got = BUF_INIT;
	int64_t k = 0;
	int ok;

	ok = cursor_encode(&tok, "sessions", key, id, secret) == 0;
	ok = ok && cursor_decode(tok.data, "sessions", secret, &k, &got) == 0 && k == key &&
	     !strcmp(got.data, id);
	/* url-safe: nothing that needs percent-encoding in a query string */
	ok = ok && strspn(tok.data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				    "0123456789-_.") == tok.len;
	if (!ok)
		printf("\n  key %lld id [%s] token [%s] -> %lld [%s]\n", (long long)key, id,
		       tok.data, (long long)k, got.data);
	buf_release(&tok);
	buf_release(&got);
	return ok;
}

static void test_round_trip(void)
{
	CU_ASSERT(round_trip(1726363424123000LL, "Rebellion:03800014ffd2c412", SECRET));
	CU_ASSERT(round_trip(0, "x", SECRET));
	CU_ASSERT(round_trip(-1, "before the epoch", SECRET));
	CU_ASSERT(round_trip(INT64_MAX, "max", SECRET));
	CU_ASSERT(round_trip(INT64_MIN, "min", SECRET));
	CU_ASSERT(round_trip(42, "id.with.dots and spaces, \"quotes\" & caf\xc3\xa9", SECRET));
	CU_ASSERT(round_trip(7, "ab", SECRET)); /* payload lengths 4..6 cover every base64 tail */
	CU_ASSERT(round_trip(7, "abc", SECRET));
	CU_ASSERT(round_trip(7, "abcd", SECRET));
}

static int refused(const char *token, const char *list, const char *secret)
{
	struct buf got = BUF_INIT;
	int64_t k = 99;
	int r = cursor_decode(token, list, secret, &k, &got);
	int ok = r == -1 && k == 99 && got.len == 0;
	if (!ok)
		printf("\n  token [%s] was accepted\n", token);
	buf_release(&got);
	return ok;
}

/* Nothing is signed or accepted under an empty key (cfg.h's promise). */
static void test_no_secret(void)
{
	struct buf tok = BUF_INIT;
	CU_ASSERT_EQUAL(cursor_encode(&tok, "sessions", 7, "x", NULL), -1);
	CU_ASSERT_EQUAL(tok.len, 0);
	CU_ASSERT_EQUAL(cursor_encode(&tok, "sessions", 7, "x", ""), -1);
	CU_ASSERT_EQUAL(tok.len, 0);
	/* a token made under a real key is refused when checked without one */
	CU_ASSERT_EQUAL(cursor_encode(&tok, "sessions", 7, "x", SECRET), 0);
	CU_ASSERT(refused(tok.data, "sessions", ""));
	CU_ASSERT(refused(tok.data, "sessions", NULL));
	buf_release(&tok);
}

static void test_tampering(void)
{
	struct buf tok = BUF_INIT, t = BUF_INIT;
	size_t i;

	cursor_encode(&tok, "sessions", 1726363424123000LL, "Rebellion:03800014ffd2c412", SECRET);
	CU_ASSERT(refused(tok.data, "maps", SECRET));
	CU_ASSERT(refused(tok.data, "sessions", "another secret"));
	CU_ASSERT(refused(tok.data, "sessions", NULL));
	/* every single-character change anywhere in the token */
	for (i = 0; i < tok.len; i++) {
		static const char subst[] = "AaZz09-_.=+/ %";
		size_t j;
		for (j = 0; subst[j]; j++) {
			if (subst[j] == tok.data[i])
				continue;
			buf_reset(&t);
			buf_add(&t, tok.data, tok.len);
			t.data[i] = subst[j];
			CU_ASSERT(refused(t.data, "sessions", SECRET));
		}
	}
	/* truncations and extensions */
	for (i = 0; i < tok.len; i++) {
		buf_reset(&t);
		buf_add(&t, tok.data, i);
		CU_ASSERT(refused(t.data, "sessions", SECRET));
	}
	buf_reset(&t);
	buf_addf(&t, "%sA", tok.data);
	CU_ASSERT(refused(t.data, "sessions", SECRET));
	buf_reset(&t);
	buf_addf(&t, "%s.AAAA", tok.data);
	CU_ASSERT(refused(t.data, "sessions", SECRET));
	buf_release(&t);
	buf_release(&tok);
}

static void test_garbage(void)
{
	struct buf t = BUF_INIT;
	size_t i;

	CU_ASSERT(refused("", "sessions", SECRET));
	CU_ASSERT(refused(".", "sessions", SECRET));
	CU_ASSERT(refused("abc", "sessions", SECRET));
	CU_ASSERT(refused("1726363424123000.Rebellion:x", "sessions", SECRET));
	CU_ASSERT(refused("MTcyNjM2MzQyNDEyMzAwMC54.", "sessions", SECRET));
	CU_ASSERT(refused("MTcyNjM2MzQyNDEyMzAwMC54.AAAAAAAAAAAAAAAA", "sessions", SECRET));
	CU_ASSERT(refused("====.====", "sessions", SECRET));
	for (i = 0; i < CURSOR_MAX_LEN + 10; i++)
		buf_addch(&t, 'A');
	buf_addstr(&t, ".AAAAAAAAAAAAAAAA");
	CU_ASSERT(refused(t.data, "sessions", SECRET));
	buf_release(&t);
}

/* base64url without padding of n bytes, appended to out (via OpenSSL's
 * standard base64, then the RFC 4648 5 alphabet). */
static void b64url(struct buf *out, const unsigned char *p, size_t n)
{
	unsigned char enc[2048];
	int len = EVP_EncodeBlock(enc, p, (int)n), i;

	CU_ASSERT_FATAL(n <= 1500);
	while (len > 0 && enc[len - 1] == '=')
		len--;
	for (i = 0; i < len; i++)
		buf_addch(out, enc[i] == '+' ? '-' : enc[i] == '/' ? '_' : (char)enc[i]);
}

/* A token as cursor.h specifies it: base64url(payload) "." base64url(the
 * first taglen bytes of HMAC-SHA-256(secret, list NUL payload)). */
static void sign(struct buf *out, const char *list, const char *secret, const char *payload,
		 size_t plen, size_t taglen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	struct buf msg = BUF_INIT;

	buf_addstr(&msg, list);
	buf_addch(&msg, '\0');
	buf_add(&msg, payload, plen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(HMAC(EVP_sha256(), secret, (int)strlen(secret),
					  (const unsigned char *)msg.data, msg.len, mac, &maclen));
	CU_ASSERT_FATAL(taglen <= maclen);
	buf_reset(out);
	b64url(out, (const unsigned char *)payload, plen);
	buf_addch(out, '.');
	b64url(out, mac, taglen);
	buf_release(&msg);
}

static int accepted(const char *token, int64_t want_key, const char *want_id)
{
	struct buf got = BUF_INIT;
	int64_t k = 99;
	int ok = cursor_decode(token, "sessions", SECRET, &k, &got) == 0 && k == want_key &&
		 !strcmp(got.data, want_id);
	if (!ok)
		printf("\n  token [%s] not accepted as %lld [%s]\n", token, (long long)want_key,
		       want_id);
	buf_release(&got);
	return ok;
}

/* Tokens signed here are read as cursor.h says. */
static void test_independent_signer(void)
{
	struct buf t = BUF_INIT;

	sign(&t, "sessions", SECRET, "1726363424123000.Rebellion:x", 28, 12);
	CU_ASSERT(accepted(t.data, 1726363424123000LL, "Rebellion:x"));
	sign(&t, "sessions", SECRET, "-5.a.b", 6, 12);
	CU_ASSERT(accepted(t.data, -5, "a.b"));
	sign(&t, "sessions", SECRET, "9223372036854775807.max", 23, 12);
	CU_ASSERT(accepted(t.data, INT64_MAX, "max"));
	sign(&t, "sessions", SECRET, "-9223372036854775808.min", 24, 12);
	CU_ASSERT(accepted(t.data, INT64_MIN, "min"));
	/* and what cursor_encode writes is exactly that token */
	{
		struct buf e = BUF_INIT;
		cursor_encode(&e, "sessions", 42, "id", SECRET);
		sign(&t, "sessions", SECRET, "42.id", 5, 12);
		CU_ASSERT_STRING_EQUAL(e.data, t.data);
		buf_release(&e);
	}
	buf_release(&t);
}

/* The tag is exactly 12 bytes: a longer one, even when it starts with the
 * right 12, and a shorter one are refused. */
static void test_tag_length(void)
{
	struct buf t = BUF_INIT;
	size_t n;

	for (n = 1; n <= 32; n++) {
		sign(&t, "sessions", SECRET, "7.abc", 5, n);
		if (n == 12) {
			CU_ASSERT(accepted(t.data, 7, "abc"));
		} else {
			CU_ASSERT(refused(t.data, "sessions", SECRET));
		}
	}
	buf_release(&t);
}

/* Unused low bits of the last base64url character must be zero, so that
 * each payload has one spelling: setting them is refused although the
 * decoded bytes (and so the tag) stay the same. */
static void test_trailing_bits(void)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	static const char *const payloads[] = { "7.ab", "7.abc" }; /* 4 and 5 bytes */
	struct buf t = BUF_INIT;
	size_t i;

	for (i = 0; i < 2; i++) {
		size_t plen = strlen(payloads[i]), last = (plen * 4 + 2) / 3 - 1;
		unsigned unused = plen % 3 == 1 ? 15 : 3, v, bits;
		sign(&t, "sessions", SECRET, payloads[i], plen, 12);
		CU_ASSERT_EQUAL_FATAL(t.data[last + 1], '.');
		CU_ASSERT(accepted(t.data, 7, payloads[i] + 2));
		v = (unsigned)(strchr(alphabet, t.data[last]) - alphabet);
		CU_ASSERT_EQUAL(v & unused, 0);
		for (bits = 1; bits <= unused; bits++) {
			char saved = t.data[last];
			t.data[last] = alphabet[v | bits];
			CU_ASSERT(refused(t.data, "sessions", SECRET));
			t.data[last] = saved;
		}
	}
	buf_release(&t);
}

/* Base64url text: another alphabet, padding, an impossible length. */
static void test_base64_rules(void)
{
	struct buf t = BUF_INIT, u = BUF_INIT;
	const char *dot;
	size_t i;

	/* payload bytes whose base64 has '-' and '_': '+' and '/' are refused */
	sign(&t, "sessions", SECRET, "1.a\xfb\xef\xbe\xff\xff\xff", 9, 12);
	CU_ASSERT(accepted(t.data, 1, "a\xfb\xef\xbe\xff\xff\xff"));
	CU_ASSERT_PTR_NOT_NULL(strchr(t.data, '-'));
	CU_ASSERT_PTR_NOT_NULL(strchr(t.data, '_'));
	buf_addstr(&u, t.data);
	for (i = 0; i < u.len; i++)
		u.data[i] = u.data[i] == '-' ? '+' : u.data[i] == '_' ? '/' : u.data[i];
	CU_ASSERT(refused(u.data, "sessions", SECRET));
	/* padding after the payload or the tag */
	sign(&t, "sessions", SECRET, "7.ab", 4, 12);
	dot = strchr(t.data, '.');
	buf_reset(&u);
	buf_add(&u, t.data, (size_t)(dot - t.data));
	buf_addf(&u, "==%s", dot);
	CU_ASSERT(refused(u.data, "sessions", SECRET));
	buf_reset(&u);
	buf_addf(&u, "%s==", t.data);
	CU_ASSERT(refused(u.data, "sessions", SECRET));
	/* 4n+1 characters cannot be base64: one more "A" (zero bits) after a
	 * whole payload quantum, with the tag of that payload */
	sign(&t, "sessions", SECRET, "7.a", 3, 12);
	dot = strchr(t.data, '.');
	CU_ASSERT_EQUAL(dot - t.data, 4);
	buf_reset(&u);
	buf_add(&u, t.data, 4);
	buf_addf(&u, "A%s", dot);
	CU_ASSERT(refused(u.data, "sessions", SECRET));
	buf_release(&t);
	buf_release(&u);
}

/* CURSOR_MAX_LEN characters are accepted, one more is not, even when the
 * tag is right. */
static void test_max_length(void)
{
	struct buf t = BUF_INIT, payload = BUF_INIT;

	buf_addstr(&payload, "1.");
	while (payload.len < 371) /* 495 base64url characters + "." + 16 = 512 */
		buf_addch(&payload, 'x');
	sign(&t, "sessions", SECRET, payload.data, payload.len, 12);
	CU_ASSERT_EQUAL(t.len, CURSOR_MAX_LEN);
	CU_ASSERT(accepted(t.data, 1, payload.data + 2));
	buf_addch(&payload, 'x');
	sign(&t, "sessions", SECRET, payload.data, payload.len, 12);
	CU_ASSERT_EQUAL(t.len, CURSOR_MAX_LEN + 1);
	CU_ASSERT(refused(t.data, "sessions", SECRET));
	buf_release(&t);
	buf_release(&payload);
}

/* A tag that does not belong: another payload's, another list's, another
 * key's, all zeros. */
static void test_bad_tag(void)
{
	struct buf t = BUF_INIT, u = BUF_INIT;

	sign(&t, "sessions", SECRET, "2.x", 3, 12);
	sign(&u, "sessions", SECRET, "1.x", 3, 12);
	buf_truncate(&u, (size_t)(strchr(u.data, '.') - u.data));
	buf_addstr(&u, strchr(t.data, '.'));
	CU_ASSERT(refused(u.data, "sessions", SECRET)); /* 1.x with the tag of 2.x */
	sign(&t, "maps", SECRET, "1.x", 3, 12);
	CU_ASSERT(refused(t.data, "sessions", SECRET));
	sign(&t, "sessions", "another key of 32 bytes or more!", "1.x", 3, 12);
	CU_ASSERT(refused(t.data, "sessions", SECRET));
	sign(&t, "sessions", SECRET, "1.x", 3, 12);
	buf_truncate(&t, (size_t)(strchr(t.data, '.') - t.data));
	buf_addstr(&t, ".AAAAAAAAAAAAAAAA");
	CU_ASSERT(refused(t.data, "sessions", SECRET));
	buf_release(&t);
	buf_release(&u);
}

/* The payload must be "<decimal int64>.<non-empty id>" even when its tag is
 * right (a leaked or old secret must not make anything else readable). */
static void test_payload_shape(void)
{
	static const struct {
		const char *p;
		size_t n;
	} bad[] = {
		{ "abc", 3 },		/* no separator */
		{ ".x", 2 },		/* no key */
		{ "5.", 2 },		/* no id */
		{ "+5.x", 4 },		/* strtoll would take these */
		{ " 5.x", 4 },
		{ "5 .x", 4 },
		{ "0x10.x", 6 },
		{ "5a.x", 4 },
		{ "-.x", 3 },
		{ "--5.x", 5 },
		{ "9223372036854775808.x", 21 },  /* INT64_MAX + 1 */
		{ "-9223372036854775809.x", 22 }, /* INT64_MIN - 1 */
		{ "99999999999999999999999.x", 25 },
		{ "5\0.x", 4 },		/* NUL bytes */
		{ "5.x\0y", 5 },
	};
	struct buf t = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sign(&t, "sessions", SECRET, bad[i].p, bad[i].n, 12);
		CU_ASSERT(refused(t.data, "sessions", SECRET));
	}
	buf_release(&t);
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("cursor", NULL, NULL);
	CU_add_test(s, "round trip", test_round_trip);
	CU_add_test(s, "no cursor under an empty key", test_no_secret);
	CU_add_test(s, "tampered cursors are refused", test_tampering);
	CU_add_test(s, "garbage is refused", test_garbage);
	CU_add_test(s, "tokens signed independently are read", test_independent_signer);
	CU_add_test(s, "the tag is exactly 12 bytes", test_tag_length);
	CU_add_test(s, "unused trailing bits must be zero", test_trailing_bits);
	CU_add_test(s, "base64url alphabet, no padding, no 4n+1 length", test_base64_rules);
	CU_add_test(s, "tokens longer than CURSOR_MAX_LEN are refused", test_max_length);
	CU_add_test(s, "a tag that does not belong is refused", test_bad_tag);
	CU_add_test(s, "the payload's shape is checked under a good tag", test_payload_shape);
}

CU_MAIN()
