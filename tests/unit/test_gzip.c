/* test_gzip.c: gzip compression round trip (inflated by zlib itself) and the
 * Accept-Encoding check. */
#include <string.h>
#include <zlib.h>

#include "cu.h"
#include "gzip.h"

static void round_trip(const char *data, size_t len)
{
	struct buf gz = BUF_INIT;
	unsigned char *back = malloc(len + 1);
	z_stream zs;
	CU_ASSERT_FATAL(back != NULL);
	buf_addstr(&gz, "prefix"); /* appends after existing content */
	CU_ASSERT_EQUAL_FATAL(gzip_compress(data, len, 6, &gz), 0);
	CU_ASSERT(!memcmp(gz.data, "prefix", 6));
	CU_ASSERT((unsigned char)gz.data[6] == 0x1f && (unsigned char)gz.data[7] == 0x8b);
	memset(&zs, 0, sizeof zs);
	CU_ASSERT_EQUAL_FATAL(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (Bytef *)gz.data + 6;
	zs.avail_in = (uInt)(gz.len - 6);
	zs.next_out = back;
	zs.avail_out = (uInt)len + 1;
	CU_ASSERT_EQUAL(inflate(&zs, Z_FINISH), Z_STREAM_END);
	CU_ASSERT_EQUAL(zs.total_out, len);
	CU_ASSERT(!memcmp(back, data, len));
	inflateEnd(&zs);
	free(back);
	buf_release(&gz);
}

static void test_round_trip(void)
{
	struct buf big = BUF_INIT;
	int i;
	round_trip("", 0);
	round_trip("{\"sessions\":[]}", 15);
	/* a lobby-shaped repetitive body compresses well */
	for (i = 0; i < 5000; i++)
		buf_addf(&big, "{\"id\":\"Rebellion:%016x\",\"players\":[]},", i * 2654435761u);
	round_trip(big.data, big.len);
	{
		struct buf gz = BUF_INIT;
		gzip_compress(big.data, big.len, 6, &gz);
		CU_ASSERT(gz.len < big.len / 4);
		buf_release(&gz);
	}
	buf_release(&big);
}

static void test_accepted(void)
{
	CU_ASSERT(gzip_accepted("gzip"));
	CU_ASSERT(gzip_accepted("gzip, deflate, br"));
	CU_ASSERT(gzip_accepted("deflate, GZIP;q=0.8"));
	CU_ASSERT(gzip_accepted("*"));
	CU_ASSERT(gzip_accepted("br;q=1.0, gzip;q=0.5"));
	CU_ASSERT(!gzip_accepted(NULL));
	CU_ASSERT(!gzip_accepted(""));
	CU_ASSERT(!gzip_accepted("deflate, br"));
	CU_ASSERT(!gzip_accepted("gzip;q=0"));
	CU_ASSERT(!gzip_accepted("gzip; q=0.000"));
	CU_ASSERT(!gzip_accepted("x-gzip2"));
	CU_ASSERT(!gzip_accepted("identity"));
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("gzip", NULL, NULL);
	CU_add_test(s, "compress and inflate back", test_round_trip);
	CU_add_test(s, "Accept-Encoding", test_accepted);
}

CU_MAIN()
