/* test_migrate.c: the pure parts of `gamewatch-job migrate`
 * (platform/jobs/migrate.h): module order by dependencies, file versions,
 * "-- legacy:" headers, and that the shipped files map every file of the
 * one-folder layout. */
#include <dirent.h>
#include <string.h>

#include "buf.h"
#include "cu.h"
#include "platform/jobs/migrate.h"

static const char *const dep_a[] = { "a", NULL };
static const char *const dep_ab[] = { "a", "b", NULL };
static const char *const dep_c[] = { "c", NULL };
static const char *const dep_x[] = { "x", NULL };
static const char *const dep_self[] = { "d", NULL };

static struct gw_module mod(const char *name, const char *const *depends)
{
	struct gw_module m;
	memset(&m, 0, sizeof m);
	m.name = name;
	m.depends = depends;
	return m;
}

static void names(const struct gw_module **out, int n, char *s, size_t cap)
{
	int i;
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		strncat(s, out[i]->name, cap - strlen(s) - 1);
		if (i + 1 < n)
			strncat(s, ",", cap - strlen(s) - 1);
	}
}

static void test_order(void)
{
	const struct gw_module *out[8];
	char err[160], got[64];
	int n;
	/* registry order kept when nothing depends */
	struct gw_module a = mod("a", NULL), b = mod("b", NULL), c = mod("c", NULL);
	const struct gw_module *l1[] = { &a, &b, &c, NULL };
	n = migrate_order(l1, out, 8, err, sizeof err);
	CU_ASSERT_EQUAL(n, 3);
	names(out, n, got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, "a,b,c");

	/* c (first in the registry) needs b, which needs a */
	{
		struct gw_module c2 = mod("c", dep_ab), b2 = mod("b", dep_a), a2 = mod("a", NULL),
				 e2 = mod("e", NULL);
		const struct gw_module *l2[] = { &c2, &e2, &b2, &a2, NULL };
		n = migrate_order(l2, out, 8, err, sizeof err);
		CU_ASSERT_EQUAL(n, 4);
		names(out, n, got, sizeof got);
		CU_ASSERT_STRING_EQUAL(got, "a,b,c,e");
	}
	/* a dependency that is not enabled */
	{
		struct gw_module y = mod("y", dep_x);
		const struct gw_module *l3[] = { &a, &y, NULL };
		CU_ASSERT_EQUAL(migrate_order(l3, out, 8, err, sizeof err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "\"y\" depends on \"x\""));
	}
	/* a cycle, and a module depending on itself */
	{
		struct gw_module a4 = mod("a", dep_c), c4 = mod("c", dep_a), d = mod("d", dep_self);
		const struct gw_module *l4[] = { &a4, &c4, NULL }, *l5[] = { &d, NULL };
		CU_ASSERT_EQUAL(migrate_order(l4, out, 8, err, sizeof err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "cycle"));
		CU_ASSERT_EQUAL(migrate_order(l5, out, 8, err, sizeof err), -1);
	}
	/* too small an output array */
	CU_ASSERT_EQUAL(migrate_order(l1, out, 2, err, sizeof err), -1);
	/* none */
	{
		const struct gw_module *l6[] = { NULL };
		CU_ASSERT_EQUAL(migrate_order(l6, out, 8, NULL, 0), 0);
	}
}

static void test_version(void)
{
	char v[16];
	CU_ASSERT_EQUAL(migrate_version("003-enrichment.sql", v, sizeof v), 0);
	CU_ASSERT_STRING_EQUAL(v, "003");
	CU_ASSERT_EQUAL(migrate_version("12-x.sql", v, sizeof v), 0);
	CU_ASSERT_STRING_EQUAL(v, "12");
	CU_ASSERT_EQUAL(migrate_version("003enrichment.sql", v, sizeof v), -1);
	CU_ASSERT_EQUAL(migrate_version("x-003.sql", v, sizeof v), -1);
	CU_ASSERT_EQUAL(migrate_version("003-.sql", v, sizeof v), -1);
	CU_ASSERT_EQUAL(migrate_version("003-x.sql~", v, sizeof v), -1);
	CU_ASSERT_EQUAL(migrate_version("003-x.txt", v, sizeof v), -1);
	CU_ASSERT_EQUAL(migrate_version("003-a/b.sql", v, sizeof v), -1);
	CU_ASSERT_EQUAL(migrate_version("003-x.sql", v, 3), -1); /* "003" needs 4 bytes */
	CU_ASSERT_EQUAL(migrate_version("003-x.sql", v, 4), 0);
}

static void test_legacy(void)
{
	struct buf out = BUF_INIT;
	CU_ASSERT_EQUAL(migrate_legacy_names("-- a header\n-- legacy: 003-x.sql\nCREATE TABLE t ();\n",
					     &out), 1);
	CU_ASSERT_STRING_EQUAL(out.data, "003-x.sql");
	buf_reset(&out);
	CU_ASSERT_EQUAL(migrate_legacy_names("\n--legacy:001-a.sql, 002-b.sql\r\n--   legacy: 7-c.sql\n"
					     "SELECT 1;\n", &out), 3);
	CU_ASSERT_STRING_EQUAL(out.data, "001-a.sql,002-b.sql,7-c.sql");
	buf_reset(&out);
	/* only the leading comment block counts */
	CU_ASSERT_EQUAL(migrate_legacy_names("-- x\nSELECT 1;\n-- legacy: 003-x.sql\n", &out), 0);
	CU_ASSERT_EQUAL(out.len, 0);
	CU_ASSERT_EQUAL(migrate_legacy_names("", &out), 0);
	CU_ASSERT_EQUAL(migrate_legacy_names("-- legacy:\n", &out), 0);
	/* malformed names */
	CU_ASSERT_EQUAL(migrate_legacy_names("-- legacy: core.sql\n", &out), -1);
	buf_reset(&out);
	CU_ASSERT_EQUAL(migrate_legacy_names("-- legacy: 001-core\n", &out), -1);
	buf_release(&out);
}

/* The shipped files, read from the source tree: every file of the
 * one-folder layout is named by at least one new file, and each new file
 * names only those. */
static const char *const legacy_files[] = {
	"001-core.sql", "002-bzcc-sessions.sql", "003-players-history.sql",
	"004-enrichment.sql", "005-history-api.sql", "006-polls-rejected-index.sql",
};

static void scan(const char *rel, int *seen, int *files)
{
	char path[4096];
	const char *src = getenv("GW_SRCDIR");
	DIR *d;
	struct dirent *de;
	snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
	d = opendir(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d))) {
		struct buf sql = BUF_INIT, names = BUF_INIT, fpath = BUF_INIT;
		char v[16], *tok, *save = NULL;
		if (migrate_version(de->d_name, v, sizeof v) < 0)
			continue;
		buf_addf(&fpath, "%s/%s", path, de->d_name);
		CU_ASSERT_FATAL(buf_read_file(&sql, fpath.data, 0) >= 0);
		CU_ASSERT(migrate_legacy_names(sql.data, &names) >= 0);
		(*files)++;
		for (tok = strtok_r(names.data, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			size_t i, found = 0;
			for (i = 0; i < 6; i++)
				if (!strcmp(tok, legacy_files[i])) {
					seen[i]++;
					found = 1;
				}
			if (!found)
				fprintf(stderr, "%s names unknown legacy file %s\n", de->d_name, tok);
			CU_ASSERT_TRUE(found);
		}
		buf_release(&sql);
		buf_release(&names);
		buf_release(&fpath);
	}
	closedir(d);
}

static void test_shipped(void)
{
	int seen[6] = { 0 }, files = 0, i;
	scan("platform/sql", seen, &files);
	scan("modules/bzcc/sql", seen, &files);
	CU_ASSERT_TRUE(files >= 8);
	for (i = 0; i < 6; i++) {
		if (!seen[i])
			fprintf(stderr, "no file takes over %s\n", legacy_files[i]);
		CU_ASSERT_TRUE(seen[i] > 0);
	}
	/* the two files that were split name their legacy file twice */
	CU_ASSERT_EQUAL(seen[2], 2);
	CU_ASSERT_EQUAL(seen[3], 2);
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("migrate", NULL, NULL);
	CU_add_test(s, "module order", test_order);
	CU_add_test(s, "file versions", test_version);
	CU_add_test(s, "legacy headers", test_legacy);
	CU_add_test(s, "shipped files map the one-folder layout", test_shipped);
}

CU_MAIN()
