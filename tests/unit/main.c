/*
 * The unit test runner: every suite of suites.h in one SRunner. Honours
 * Check's environment (CK_FORK=no for valgrind, CK_RUN_SUITE, CK_RUN_CASE,
 * CK_VERBOSITY). Exit status 0 when every test passed, 1 otherwise.
 */
#include <stdlib.h>

#include "suites.h"
#include "testutil.h"

int main(void)
{
	Suite *(*const all[])(void) = {
		suite_util,    suite_dec,	suite_datetime, suite_config, suite_wire,
		suite_msg,     suite_spool,	suite_ledger,	suite_detect, suite_xmlsafe,
		suite_xform,   suite_canon,	suite_pipeline, suite_emit,
		suite_csv,     suite_rules,	suite_approve,	suite_unpack,	suite_partner,
		suite_pool,
	};
	SRunner *sr = srunner_create(all[0]());
	for (size_t i = 1; i < sizeof all / sizeof all[0]; i++)
		srunner_add_suite(sr, all[i]());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	/* the engine was loaded by unchecked fixtures in this process */
	t_engine_shutdown();
	return failed ? 1 : 0;
}
