/* test_buf.c: the growable buffer of core/buf.c. */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "cu.h"

/* The invariants every buf must keep. */
static int buf_ok(const struct buf *b)
{
	return b->data && b->data[b->len] == '\0' &&
	       (b->alloc ? b->len < b->alloc : !b->len);
}

static void test_init(void)
{
	struct buf b = BUF_INIT;

	CU_ASSERT_EQUAL(b.alloc, 0);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_PTR_EQUAL(b.data, buf_empty_);
	CU_ASSERT_STRING_EQUAL(b.data, "");
	/* Release of an unused buf frees nothing and keeps it usable. */
	buf_release(&b);
	CU_ASSERT_PTR_EQUAL(b.data, buf_empty_);
	buf_reset(&b);
	CU_ASSERT(buf_ok(&b));
	CU_ASSERT_PTR_EQUAL(b.data, buf_empty_);
	/* Appending nothing allocates nothing. */
	buf_add(&b, "x", 0);
	buf_addstr(&b, NULL);
	buf_addstr(&b, "");
	CU_ASSERT_EQUAL(b.alloc, 0);
	CU_ASSERT_PTR_EQUAL(b.data, buf_empty_);

	buf_init(&b, 0);
	CU_ASSERT_EQUAL(b.alloc, 0);
	CU_ASSERT_PTR_EQUAL(b.data, buf_empty_);
	buf_init(&b, 100);
	CU_ASSERT(b.alloc >= 101);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT(buf_ok(&b));
	buf_release(&b);
	CU_ASSERT_EQUAL(b.alloc, 0);
	CU_ASSERT_PTR_EQUAL(b.data, buf_empty_);
}

static void test_add(void)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_addstr(&b, "hello");
	buf_addch(&b, ',');
	buf_add(&b, " world!!", 6);
	CU_ASSERT_STRING_EQUAL(b.data, "hello, world");
	CU_ASSERT_EQUAL(b.len, 12);
	CU_ASSERT(buf_ok(&b));
	buf_release(&b);

	/* Byte by byte across many growths. */
	for (i = 0; i < 10000; i++) {
		buf_addch(&b, (char)('a' + i % 26));
		if (!buf_ok(&b))
			break;
	}
	CU_ASSERT_EQUAL(i, 10000);
	CU_ASSERT_EQUAL(b.len, 10000);
	CU_ASSERT_EQUAL(b.data[9999], (char)('a' + 9999 % 26));
	buf_release(&b);
}

static void test_addf_growth(void)
{
	char *s = malloc(70000);
	size_t sizes[] = { 0, 1, 2, 31, 62, 63, 64, 65, 127, 128, 129, 255,
			   1000, 4095, 4096, 4097, 65535, 65536, 69999 };
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memset(s, 'x', 70000);
	/* From empty: the first vsnprintf gets no room at all. */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct buf b = BUF_INIT;
		s[sizes[i]] = '\0';
		buf_addf(&b, "<%s>", s);
		CU_ASSERT_EQUAL(b.len, sizes[i] + 2);
		CU_ASSERT(buf_ok(&b));
		CU_ASSERT_EQUAL(b.data[0], '<');
		CU_ASSERT_EQUAL(b.data[b.len - 1], '>');
		CU_ASSERT(!memcmp(b.data + 1, s, sizes[i]));
		buf_release(&b);
		s[sizes[i]] = 'x';
	}
	/* Appending after existing content, at every length up to 300. */
	for (i = 0; i < 300; i++) {
		struct buf b = BUF_INIT;
		size_t j;
		buf_addstr(&b, "head");
		s[i] = '\0';
		buf_addf(&b, "%s|%d|%zu", s, -7, i);
		s[i] = 'x';
		CU_ASSERT(buf_ok(&b));
		CU_ASSERT(!memcmp(b.data, "head", 4));
		for (j = 0; j < i; j++)
			if (b.data[4 + j] != 'x')
				break;
		CU_ASSERT_EQUAL(j, i);
		buf_truncate(&b, 0);
		buf_addf(&b, "%d|%zu", -7, i);
		{
			char want[64];
			snprintf(want, sizeof(want), "%d|%zu", -7, i);
			CU_ASSERT_STRING_EQUAL(b.data, want);
		}
		buf_release(&b);
	}
	/* Many small appends. */
	{
		struct buf b = BUF_INIT;
		for (i = 0; i < 5000; i++)
			buf_addf(&b, "%04zu", i);
		CU_ASSERT_EQUAL(b.len, 20000);
		CU_ASSERT(!memcmp(b.data + 4 * 1234, "1234", 4));
		CU_ASSERT(buf_ok(&b));
		buf_release(&b);
	}
	free(s);
}

static void test_detach(void)
{
	struct buf b = BUF_INIT;
	size_t len = 99;
	char *s;

	/* Detaching an unused buf still gives a malloc'd empty string. */
	s = buf_detach(&b, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_EQUAL(s, buf_empty_);
	CU_ASSERT_STRING_EQUAL(s, "");
	CU_ASSERT_EQUAL(len, 0);
	free(s);
	CU_ASSERT_PTR_EQUAL(b.data, buf_empty_);

	buf_addstr(&b, "owned by caller");
	s = buf_detach(&b, &len);
	CU_ASSERT_STRING_EQUAL(s, "owned by caller");
	CU_ASSERT_EQUAL(len, 15);
	/* The buf is empty and reusable, and no longer shares the string. */
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_EQUAL(b.alloc, 0);
	CU_ASSERT_PTR_EQUAL(b.data, buf_empty_);
	buf_addstr(&b, "again");
	CU_ASSERT_STRING_EQUAL(s, "owned by caller");
	CU_ASSERT_STRING_EQUAL(b.data, "again");
	free(s);
	s = buf_detach(&b, NULL);
	CU_ASSERT_STRING_EQUAL(s, "again");
	free(s);
}

static void test_truncate_reset(void)
{
	struct buf b = BUF_INIT;
	size_t alloc;

	buf_truncate(&b, 0);
	buf_truncate(&b, 10);
	CU_ASSERT(buf_ok(&b));
	CU_ASSERT_EQUAL(b.alloc, 0);

	buf_addstr(&b, "0123456789");
	buf_truncate(&b, 20);
	CU_ASSERT_STRING_EQUAL(b.data, "0123456789");
	buf_truncate(&b, 10);
	CU_ASSERT_EQUAL(b.len, 10);
	buf_truncate(&b, 4);
	CU_ASSERT_STRING_EQUAL(b.data, "0123");
	CU_ASSERT_EQUAL(b.len, 4);
	buf_truncate(&b, 0);
	CU_ASSERT_STRING_EQUAL(b.data, "");
	CU_ASSERT(buf_ok(&b));

	buf_addstr(&b, "reuse");
	alloc = b.alloc;
	buf_reset(&b);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_EQUAL(b.alloc, alloc);
	CU_ASSERT_STRING_EQUAL(b.data, "");
	buf_release(&b);
}

static void test_binary(void)
{
	static const char bin[] = { 'a', '\0', 'b', '\0', '\0', '\xff', 'c' };
	struct buf b = BUF_INIT;
	char *s;
	size_t len;
	int i;

	buf_add(&b, bin, sizeof(bin));
	CU_ASSERT_EQUAL(b.len, sizeof(bin));
	CU_ASSERT(!memcmp(b.data, bin, sizeof(bin)));
	CU_ASSERT_EQUAL(b.data[b.len], '\0');
	buf_addch(&b, '\0');
	CU_ASSERT_EQUAL(b.len, sizeof(bin) + 1);
	CU_ASSERT(buf_ok(&b));
	for (i = 0; i < 1000; i++)
		buf_add(&b, bin, sizeof(bin));
	CU_ASSERT_EQUAL(b.len, (sizeof(bin) + 1) + 1000 * sizeof(bin));
	CU_ASSERT(!memcmp(b.data + b.len - sizeof(bin), bin, sizeof(bin)));
	buf_truncate(&b, 3);
	CU_ASSERT(!memcmp(b.data, "a\0b\0", 4));
	s = buf_detach(&b, &len);
	CU_ASSERT_EQUAL(len, 3);
	CU_ASSERT(!memcmp(s, "a\0b\0", 4));
	free(s);
}

static void test_grow(void)
{
	struct buf b = BUF_INIT;
	char *before;

	buf_grow(&b, 1000);
	CU_ASSERT(b.alloc >= 1001);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT(buf_ok(&b));
	before = b.data;
	/* Reserved room means no reallocation. */
	memset(b.data, 'y', 1000);
	b.len = 1000;
	b.data[b.len] = '\0';
	buf_grow(&b, 0);
	CU_ASSERT_PTR_EQUAL(b.data, before);
	buf_release(&b);
}

/* buf_read_file: whole file, a limit that stops early, a missing file. */
static void test_read_file(void)
{
	char path[] = "/tmp/gw-test-buf-XXXXXX";
	struct buf b = BUF_INIT;
	FILE *f;
	int fd = mkstemp(path), i;
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "wb");
	CU_ASSERT_FATAL(f != NULL);
	for (i = 0; i < 200000; i++)
		fputc('a' + i % 26, f);
	fclose(f);

	buf_addstr(&b, "x");
	CU_ASSERT_EQUAL(buf_read_file(&b, path, 0), 0);
	CU_ASSERT_EQUAL(b.len, 200001u);
	CU_ASSERT(b.data[0] == 'x' && b.data[1] == 'a' && b.data[200000] == 'a' + 199999 % 26);
	buf_reset(&b);
	CU_ASSERT_EQUAL(buf_read_file(&b, path, 1000), 0);
	CU_ASSERT(b.len > 1000 && b.len < 200000); /* stopped after the limit */
	buf_reset(&b);
	CU_ASSERT_EQUAL(buf_read_file(&b, path, 200000), 0);
	CU_ASSERT_EQUAL(b.len, 200000u); /* exactly the limit is not over it */
	unlink(path);
	buf_reset(&b);
	CU_ASSERT_EQUAL(buf_read_file(&b, path, 0), -1);
	CU_ASSERT_EQUAL(b.len, 0u);
	buf_release(&b);
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("buf", NULL, NULL);

	CU_add_test(s, "BUF_INIT allocates nothing", test_init);
	CU_add_test(s, "add, addstr, addch", test_add);
	CU_add_test(s, "addf growth across sizes", test_addf_growth);
	CU_add_test(s, "detach ownership", test_detach);
	CU_add_test(s, "truncate and reset", test_truncate_reset);
	CU_add_test(s, "binary data with NULs", test_binary);
	CU_add_test(s, "grow reserves room", test_grow);
	CU_add_test(s, "read a file, with and without a limit", test_read_file);
}

CU_MAIN()
