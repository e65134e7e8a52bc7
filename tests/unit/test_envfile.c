/* test_envfile.c: core/envfile.c, the one parser of the env file: values
 * taken literally, the shell-isms refused with the line number, the
 * environment winning over the file, a reload updating only the file's
 * keys, modes checked, and no value in any message. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu.h"
#include "envfile.h"

struct got {
	char text[2048];
	int n;
};

static int collect(const char *key, const char *value, void *ud)
{
	struct got *g = ud;
	size_t len = strlen(g->text);
	snprintf(g->text + len, sizeof g->text - len, "%s=[%s];", key, value);
	g->n++;
	return 0;
}

static int parse(const char *text, struct got *g, char *err, size_t errlen)
{
	memset(g, 0, sizeof *g);
	err[0] = '\0';
	return envfile_parse(text, strlen(text), collect, g, err, errlen);
}

static void test_literal_values(void)
{
	struct got g;
	char err[200];
	int n = parse("# GameWatch\n"
		      "\n"
		      "DATABASE_URL=postgresql://gw:p%40ss$word@127.0.0.1:5432/gw?x=1&y=2\r\n"
		      "SECRET_KEY=abc def\n"
		      "EMPTY=\n"
		      "_UNDER1=a\"b'c\\d #not a comment\n"
		      "LAST=no newline at the end",
		      &g, err, sizeof err);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_EQUAL(g.n, 5);
	CU_ASSERT_STRING_EQUAL(g.text,
			       "DATABASE_URL=[postgresql://gw:p%40ss$word@127.0.0.1:5432/gw?x=1&y=2];"
			       "SECRET_KEY=[abc def];EMPTY=[];_UNDER1=[a\"b'c\\d #not a comment];"
			       "LAST=[no newline at the end];");
}

/* Every refusal names its line and never the value. */
static void test_refused(void)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "A=1\nSECRET_KEY=\"s3cret\"\n", "line 2: SECRET_KEY: the value starts with a quote" },
		{ "SECRET_KEY='s3cret'\n", "line 1: SECRET_KEY: the value starts with a quote" },
		{ "export SECRET_KEY=s3cret\n", "line 1: \"export\" is shell syntax" },
		{ "SECRET_KEY = s3cret\n", "line 1: blank before '='" },
		{ "SECRET_KEY= s3cret\n", "line 1: SECRET_KEY: blank after '='" },
		{ "SECRET_KEY=s3cret \n", "line 1: SECRET_KEY: the value ends in a blank" },
		{ "  SECRET_KEY=s3cret\n", "line 1: blank before the key" },
		{ "1KEY=s3cret\n", "line 1: the key must be" },
		{ "KEY-X=s3cret\n", "line 1: the key must be" },
		{ "\n\ns3cret\n", "line 3: not KEY=value" },
		{ "A=s3cret\nB=2\nA=s3cret\n", "line 3: A is set twice" },
	};
	size_t i;
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct got g;
		char err[200];
		CU_ASSERT_EQUAL(parse(bad[i].text, &g, err, sizeof err), -1);
		if (!strstr(err, bad[i].want))
			fprintf(stderr, "case %zu: got \"%s\"\n", i, err);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].want));
		CU_ASSERT_PTR_NULL(strstr(err, "s3cret"));
	}
	{
		/* a NUL byte anywhere */
		struct got g;
		char err[200];
		static const char nul[] = "A=1\nB=x\0y\n";
		memset(&g, 0, sizeof g);
		CU_ASSERT_EQUAL(envfile_parse(nul, sizeof nul - 1, collect, &g, err, sizeof err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "NUL"));
	}
	{
		/* a line longer than the limit */
		struct got g;
		char err[200], *big = malloc(ENVFILE_MAX_LINE + 16);
		memset(big, 'x', ENVFILE_MAX_LINE + 10);
		memcpy(big, "K=", 2);
		big[ENVFILE_MAX_LINE + 10] = '\0';
		CU_ASSERT_EQUAL(parse(big, &g, err, sizeof err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "line 1: longer than"));
		free(big);
	}
}

static char dir[] = "/tmp/gw-test-envfile.XXXXXX";
static char path[256];

static void write_file(const char *text, mode_t mode)
{
	int fd;
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	chmod(path, mode);
}

/* The environment wins over the file; a reload changes the file's keys,
 * drops those it no longer has and never touches the environment's. */
static void test_load_and_reload(void)
{
	char err[300];
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/env", dir);
	setenv("GW_ENV_FILE", path, 1);
	setenv("GWT_FROM_ENV", "environment", 1);
	unsetenv("GWT_A");
	unsetenv("GWT_B");
	write_file("GWT_A=one\nGWT_B=$HOME\nGWT_FROM_ENV=file\n", 0640);
	CU_ASSERT_EQUAL(envfile_load(err, sizeof err), 2);
	CU_ASSERT_STRING_EQUAL(getenv("GWT_A"), "one");
	CU_ASSERT_STRING_EQUAL(getenv("GWT_B"), "$HOME"); /* not expanded */
	CU_ASSERT_STRING_EQUAL(getenv("GWT_FROM_ENV"), "environment");

	write_file("GWT_A=two\nGWT_FROM_ENV=file2\nGWT_C=new\n", 0600);
	CU_ASSERT_EQUAL(envfile_load(err, sizeof err), 2);
	CU_ASSERT_STRING_EQUAL(getenv("GWT_A"), "two");
	CU_ASSERT_PTR_NULL(getenv("GWT_B")); /* gone from the file */
	CU_ASSERT_STRING_EQUAL(getenv("GWT_C"), "new");
	CU_ASSERT_STRING_EQUAL(getenv("GWT_FROM_ENV"), "environment");

	/* a file that no longer parses changes nothing */
	write_file("GWT_A=three\nGWT_A=four\n", 0600);
	CU_ASSERT_EQUAL(envfile_load(err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "line 2: GWT_A is set twice"));
	CU_ASSERT_STRING_EQUAL(getenv("GWT_A"), "two");
	CU_ASSERT_STRING_EQUAL(getenv("GWT_C"), "new");
}

static void test_modes_and_paths(void)
{
	char err[300];
	bool explicit_path;
	/* every user may write it: refused */
	write_file("GWT_A=x\n", 0666);
	CU_ASSERT_EQUAL(envfile_load(err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "may be written by every user"));
	/* a file GW_ENV_FILE names must exist */
	unlink(path);
	CU_ASSERT_EQUAL(envfile_load(err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
	/* GW_ENV_FILE="": no file at all */
	setenv("GW_ENV_FILE", "", 1);
	CU_ASSERT_PTR_NULL(envfile_path(&explicit_path));
	CU_ASSERT_TRUE(explicit_path);
	CU_ASSERT_EQUAL(envfile_load(err, sizeof err), 0);
	/* unset: the compiled-in default, <sysconfdir>/gamewatch/env */
	unsetenv("GW_ENV_FILE");
	CU_ASSERT_STRING_EQUAL(envfile_path(&explicit_path), GW_SYSCONFDIR "/gamewatch/env");
	CU_ASSERT_FALSE(explicit_path);
	rmdir(dir);
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("env file", NULL, NULL);
	CU_add_test(s, "values are literal", test_literal_values);
	CU_add_test(s, "shell-isms refused with the line, never the value", test_refused);
	CU_add_test(s, "environment wins; reload updates the file's keys", test_load_and_reload);
	CU_add_test(s, "modes and paths", test_modes_and_paths);
}

CU_MAIN()
