#include "cu.h"
static void register_tests(void) {}
CU_MAIN()
