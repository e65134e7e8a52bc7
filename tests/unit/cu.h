/* cu.h: the few lines every CUnit test program shares.
 * A test file defines its suites with CU_add_suite/CU_add_test inside a
 * function `static void register_tests(void)` and ends with CU_MAIN(). The
 * program exits non-zero when any assertion failed, and prints CUnit's run
 * summary, which CI reads. GW_SRCDIR (exported by `make check`) locates
 * tests/data in VPATH builds. */
#ifndef GW_TESTS_CU_H
#define GW_TESTS_CU_H

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

/* Path of a file under the source tree's tests/data; returns a static buffer. */
static inline const char *cu_data_path(const char *rel)
{
	static char path[4096];
	const char *src = getenv("GW_SRCDIR");
	snprintf(path, sizeof path, "%s/tests/data/%s", src ? src : ".", rel);
	return path;
}

#define CU_MAIN()                                                        \
	int main(void)                                                   \
	{                                                                \
		unsigned failed;                                         \
		if (CU_initialize_registry() != CUE_SUCCESS)             \
			return 2;                                        \
		register_tests();                                        \
		CU_basic_set_mode(CU_BRM_VERBOSE);                       \
		CU_basic_run_tests();                                    \
		failed = CU_get_number_of_failures() +                   \
			 CU_get_number_of_tests_failed();                \
		CU_cleanup_registry();                                   \
		return failed ? 1 : 0;                                   \
	}

#endif
