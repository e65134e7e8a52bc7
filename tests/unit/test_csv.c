/* test_csv.c: the RFC 4180 writer and formula guard of fcgi/csv.c. */
#include <string.h>

#include "core/buf.h"
#include "cu.h"
#include "platform/web/csv.h"

/* csv_cell(in) must give exactly `expected`. */
static int cell_eq(const char *in, const char *expected)
{
	struct buf b = BUF_INIT;
	int ok;

	csv_cell(&b, in);
	ok = !strcmp(b.data, expected) && b.len == strlen(expected);
	if (!ok)
		printf("\n  in [%s] expected [%s] got [%s]\n", in ? in : "(null)", expected, b.data);
	buf_release(&b);
	return ok;
}

static void test_plain_cells(void)
{
	CU_ASSERT(cell_eq("plain", "plain"));
	CU_ASSERT(cell_eq("", ""));
	CU_ASSERT(cell_eq(NULL, ""));
	CU_ASSERT(cell_eq("two words", "two words"));
	CU_ASSERT(cell_eq("Rebellion:03800014ffd2c412", "Rebellion:03800014ffd2c412"));
	CU_ASSERT(cell_eq("2024-09-15T01:23:44Z", "2024-09-15T01:23:44Z"));
	/* UTF-8 passes through untouched */
	CU_ASSERT(cell_eq("caf\xc3\xa9 \xe2\x98\x85", "caf\xc3\xa9 \xe2\x98\x85"));
	/* a lone quote character that is not special elsewhere in the cell */
	CU_ASSERT(cell_eq("it's", "it's"));
}

static void test_quoting(void)
{
	CU_ASSERT(cell_eq("a,b", "\"a,b\""));
	CU_ASSERT(cell_eq("say \"hi\"", "\"say \"\"hi\"\"\""));
	CU_ASSERT(cell_eq("\"", "\"\"\"\""));
	CU_ASSERT(cell_eq("line1\nline2", "\"line1\nline2\""));
	CU_ASSERT(cell_eq("cr\rhere", "\"cr\rhere\""));
	CU_ASSERT(cell_eq("crlf\r\n", "\"crlf\r\n\""));
	CU_ASSERT(cell_eq(",", "\",\""));
	CU_ASSERT(cell_eq("a \"b\", c", "\"a \"\"b\"\", c\""));
}

static void test_formula_guard(void)
{
	CU_ASSERT(cell_eq("=1+1", "'=1+1"));
	CU_ASSERT(cell_eq("+1", "'+1"));
	CU_ASSERT(cell_eq("-1", "'-1"));
	CU_ASSERT(cell_eq("@SUM(A1)", "'@SUM(A1)"));
	CU_ASSERT(cell_eq("\tx", "'\tx"));
	CU_ASSERT(cell_eq("=HYPERLINK(\"http://x\",\"y\")",
			  "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""));
	/* the guard goes inside the quotes, and CR first is guarded and quoted */
	CU_ASSERT(cell_eq("\r=1", "\"'\r=1\""));
	CU_ASSERT(cell_eq("=a,b", "\"'=a,b\""));
	/* only the first byte matters */
	CU_ASSERT(cell_eq("a=1", "a=1"));
	CU_ASSERT(cell_eq("{OTD} -=JabbA=-", "{OTD} -=JabbA=-"));
	CU_ASSERT(cell_eq("-=JabbA=- *p0p*", "'-=JabbA=- *p0p*"));
}

static void test_numbers_and_rows(void)
{
	struct buf b = BUF_INIT;

	csv_sep(&b, 0);
	csv_int(&b, -5);
	csv_sep(&b, 1);
	csv_int(&b, 9007199254740993LL);
	csv_sep(&b, 2);
	csv_cell(&b, "-5");
	csv_end_row(&b);
	CU_ASSERT_STRING_EQUAL(b.data, "-5,9007199254740993,'-5\r\n");
	buf_release(&b);
}

static void test_from_json(void)
{
	static const struct csv_column cols[] = {
		{ "id", "id" },
		{ "map_key", "map.key" },
		{ "n", "n" },
		{ "ratio", "ratio" },
		{ "live", "live" },
		{ "ended_at", "ended_at" },
		{ "missing", "map.nothing.deeper" },
		{ "list", "list" },
	};
	struct json_object *rows = json_tokener_parse(
		"[{\"id\":\"a,1\",\"map\":{\"key\":\"0:mpi\"},\"n\":-3,\"ratio\":0.5,"
		"\"live\":true,\"ended_at\":null,\"list\":[1,2]},"
		"{\"id\":\"=cmd\",\"map\":\"not an object\",\"n\":7,\"ratio\":1e300,"
		"\"live\":false}]");
	struct json_object *empty = json_object_new_array();
	struct buf b = BUF_INIT;
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
	n = csv_from_json(&b, rows, cols, sizeof cols / sizeof cols[0]);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_STRING_EQUAL(b.data,
			       "id,map_key,n,ratio,live,ended_at,missing,list\r\n"
			       "\"a,1\",0:mpi,-3,0.5,true,,,\r\n"
			       "'=cmd,,7,1e+300,false,,,\r\n");
	buf_reset(&b);
	CU_ASSERT_EQUAL(csv_from_json(&b, NULL, cols, 2), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "id,map_key\r\n");
	buf_reset(&b);
	CU_ASSERT_EQUAL(csv_from_json(&b, empty, cols, 1), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "id\r\n");
	buf_release(&b);
	json_object_put(rows);
	json_object_put(empty);
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("csv", NULL, NULL);
	CU_add_test(s, "plain cells", test_plain_cells);
	CU_add_test(s, "RFC 4180 quoting", test_quoting);
	CU_add_test(s, "formula injection guard", test_formula_guard);
	CU_add_test(s, "numbers and rows", test_numbers_and_rows);
	CU_add_test(s, "rows from JSON", test_from_json);
}

CU_MAIN()
