/* test_cursor.c: keyset cursors of fcgi/cursor.c round-trip, and every
 * edit, truncation, foreign list or foreign key is refused. */
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

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("cursor", NULL, NULL);
	CU_add_test(s, "round trip", test_round_trip);
	CU_add_test(s, "no cursor under an empty key", test_no_secret);
	CU_add_test(s, "tampered cursors are refused", test_tampering);
	CU_add_test(s, "garbage is refused", test_garbage);
}

CU_MAIN()
