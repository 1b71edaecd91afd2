/*
 * suites: one Check suite per engine module (tests/unit/check_<module>.c),
 * collected by tests/unit/main.c into build/unit-tests.
 */
#ifndef OG_TEST_SUITES_H
#define OG_TEST_SUITES_H

#include <check.h>

Suite *suite_util(void);
Suite *suite_dec(void);
Suite *suite_datetime(void);
Suite *suite_config(void);
Suite *suite_wire(void);
Suite *suite_spool(void);
Suite *suite_ledger(void);
Suite *suite_msg(void);
Suite *suite_detect(void);
Suite *suite_xmlsafe(void);
Suite *suite_xform(void);
Suite *suite_canon(void);
Suite *suite_pipeline(void);
Suite *suite_emit(void);
Suite *suite_csv(void);
Suite *suite_rules(void);
Suite *suite_approve(void);
Suite *suite_unpack(void);
Suite *suite_partner(void);
Suite *suite_pool(void);

#endif
