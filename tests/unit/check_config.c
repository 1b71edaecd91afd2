/*
 * config: defaults, INI overrides, errors naming file and line.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"

static char *tmp_dir;

static void setup(void)
{
	tmp_dir = t_tempdir();
}

static void teardown(void)
{
	t_rmtree(tmp_dir);
	free(tmp_dir);
	tmp_dir = NULL;
}

/* Writes an INI file in the test folder; returns its path (caller frees). */
static char *ini(const char *text)
{
	char *p = xasprintf("%s/ordergate.ini", tmp_dir);
	t_write_file(p, text, strlen(text));
	return p;
}

START_TEST(defaults_without_file)
{
	struct config c;
	char *err = (char *)&c; /* must be reset */
	ck_assert_int_eq(config_load(&c, NULL, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_ptr_null(c.spool_dir);
	ck_assert_ptr_null(c.ledger_path);
	ck_assert_int_eq(c.workers, 0);
	ck_assert_int_eq(c.memory_limit_mb, 512);
	ck_assert_int_eq(c.cpu_limit_seconds, 10);
	ck_assert_int_eq(c.max_document_bytes, 16L * 1024 * 1024);
	ck_assert_int_eq(c.group_size, 64);
	ck_assert_str_eq(c.assume_timezone, "+00:00");
	ck_assert_int_eq(c.validate_outputs, 1);
	ck_assert_ptr_nonnull(c.data_dir);
	ck_assert_str_eq(c.our_domain, "NetworkID");
	ck_assert_str_eq(c.our_identity, "ordergate");
	ck_assert(str_starts_with(c.user_agent, "ordergate "));
	ck_assert_ptr_nonnull(c.payload_host);
	ck_assert_uint_gt(strlen(c.payload_host), 0);
	ck_assert_ptr_null(strchr(c.payload_host, '/'));
	char *x = config_xslt_path(&c, "canonical.rng");
	char *want = xasprintf("%s/xslt/canonical.rng", c.data_dir);
	ck_assert_str_eq(x, want);
	ck_assert_int_eq(access(x, R_OK), 0); /* the default data dir holds the engine */
	free(want);
	free(x);
	config_release(&c);
	ck_assert_ptr_null(c.data_dir);
}
END_TEST

START_TEST(datadir_from_environment)
{
	const char *old = getenv("ORDERGATE_DATADIR");
	char *saved = old ? xstrdup(old) : NULL;
	setenv("ORDERGATE_DATADIR", "/opt/og-test-data", 1);
	struct config c;
	char *err = NULL;
	int rc = config_load(&c, NULL, &err);
	if (saved)
		setenv("ORDERGATE_DATADIR", saved, 1);
	else
		unsetenv("ORDERGATE_DATADIR");
	free(saved);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(c.data_dir, "/opt/og-test-data");
	config_release(&c);
}
END_TEST

START_TEST(file_overrides)
{
	char *p = ini("; a comment\n"
		      "[spool]\n"
		      "dir = /srv/spool\n"
		      "ledger = /srv/ledger.db\n"
		      "\n"
		      "[engine]\n"
		      "workers = 4\n"
		      "memory_limit_mb = 256\n"
		      "cpu_limit_seconds = 30\n"
		      "max_document_mb = 2\n"
		      "group_size = 10\n"
		      "assume_timezone = -05:00\n"
		      "validate_outputs = no\n"
		      "data_dir = /opt/og\n"
		      "[identity]\n"
		      "domain = DUNS\n"
		      "identity = 123456789\n"
		      "user_agent = test agent 1.0\n"
		      "payload_host = gate.example\n");
	struct config c;
	char *err = NULL;
	int rc = config_load(&c, p, &err);
	ck_assert_msg(rc == 0, "config_load: %s", err ? err : "?");
	ck_assert_ptr_null(err);
	ck_assert_str_eq(c.spool_dir, "/srv/spool");
	ck_assert_str_eq(c.ledger_path, "/srv/ledger.db");
	ck_assert_int_eq(c.workers, 4);
	ck_assert_int_eq(c.memory_limit_mb, 256);
	ck_assert_int_eq(c.cpu_limit_seconds, 30);
	ck_assert_int_eq(c.max_document_bytes, 2L * 1024 * 1024);
	ck_assert_int_eq(c.group_size, 10);
	ck_assert_str_eq(c.assume_timezone, "-05:00");
	ck_assert_int_eq(c.validate_outputs, 0);
	ck_assert_str_eq(c.data_dir, "/opt/og");
	ck_assert_str_eq(c.our_domain, "DUNS");
	ck_assert_str_eq(c.our_identity, "123456789");
	ck_assert_str_eq(c.user_agent, "test agent 1.0");
	ck_assert_str_eq(c.payload_host, "gate.example");
	config_release(&c);
	free(p);
}
END_TEST

static const struct {
	const char *value;
	int want;
} bool_cases[] = {
	{ "yes", 1 }, { "true", 1 }, { "on", 1 }, { "1", 1 }, { "YES", 1 },
	{ "no", 0 },  { "false", 0 }, { "off", 0 }, { "0", 0 }, { "Off", 0 },
};

START_TEST(bool_spellings)
{
	char *text = xasprintf("[engine]\nvalidate_outputs = %s\n", bool_cases[_i].value);
	char *p = ini(text);
	struct config c;
	char *err = NULL;
	ck_assert_int_eq(config_load(&c, p, &err), 0);
	ck_assert_int_eq(c.validate_outputs, bool_cases[_i].want);
	config_release(&c);
	free(p);
	free(text);
}
END_TEST

/* Every error names the file and the line (FILE:LINE: ...) and what is wrong. */
static const struct {
	const char *text;
	int line;	   /* 0: no line number expected */
	const char *words; /* must appear in the message */
} error_cases[] = {
	{ "[engine]\nworkers = 2\nbogus = 1\n", 3, "\"bogus\"" },
	{ "[nosuch]\nworkers = 2\n", 2, "[nosuch]" },
	{ "[engine]\n\nworkers = many\n", 3, "workers" },
	{ "[engine]\nworkers = 1000\n", 2, "0..256" },
	{ "[engine]\nworkers = -1\n", 2, "workers" },
	{ "[engine]\nworkers = 4x\n", 2, "workers" },
	{ "[engine]\nworkers =\n", 2, "workers" },
	{ "[engine]\nmemory_limit_mb = 99999999999999999999\n", 2, "memory_limit_mb" },
	{ "[engine]\nmax_document_mb = 0\n", 2, "max_document_mb" },
	{ "[engine]\nvalidate_outputs = maybe\n", 2, "maybe" },
	{ "[engine]\nvalidate_outputs = \n", 2, "validate_outputs" },
	{ "[engine]\nthis line has no equals sign\n", 2, "" },
	{ "[engine]\nassume_timezone = EST\n", 0, "assume_timezone" },
	{ "[engine]\nassume_timezone = +25:00\n", 0, "assume_timezone" },
	{ "[engine]\nassume_timezone = \n", 0, "assume_timezone" },
	{ "[pickup]\nmarker = sometimes\n", 0, "marker" },
	{ "[unpack]\nmax_depth = 99\n", 2, "max_depth" },
};

START_TEST(errors_name_file_and_line)
{
	char *p = ini(error_cases[_i].text);
	struct config c;
	char *err = NULL;
	int rc = config_load(&c, p, &err);
	ck_assert_msg(rc == -1, "config_load accepted:\n%s", error_cases[_i].text);
	ck_assert_ptr_nonnull(err);
	char *prefix = error_cases[_i].line ? xasprintf("%s:%d: ", p, error_cases[_i].line)
					    : xasprintf("%s: ", p);
	ck_assert_msg(str_starts_with(err, prefix), "error \"%s\" does not start with \"%s\"", err,
		      prefix);
	ck_assert_msg(strstr(err, error_cases[_i].words) != NULL, "error \"%s\" does not mention %s",
		      err, error_cases[_i].words);
	free(prefix);
	free(err);
	config_release(&c);
	free(p);
}
END_TEST

START_TEST(missing_file)
{
	char *p = xasprintf("%s/does-not-exist.ini", tmp_dir);
	struct config c;
	char *err = NULL;
	ck_assert_int_eq(config_load(&c, p, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert(str_starts_with(err, p));
	ck_assert_ptr_nonnull(strstr(err, "cannot open"));
	free(err);
	config_release(&c);
	free(p);
}
END_TEST

START_TEST(later_value_wins_and_no_leak)
{
	char *p = ini("[identity]\ndomain = A\ndomain = B\n[engine]\nassume_timezone = Z\n");
	struct config c;
	char *err = NULL;
	ck_assert_int_eq(config_load(&c, p, &err), 0);
	ck_assert_str_eq(c.our_domain, "B");
	ck_assert_str_eq(c.assume_timezone, "Z");
	config_release(&c);
	free(p);
}
END_TEST

/* each inbox's tag in spool names: safe, unique, never the approval
 * files', and the same whatever the order of the sections (a tag names
 * where a claimed file came from, across restarts) */
static const char *const tag_orders[] = {
	"[inbox a b]\ndir = /x\n[inbox a_b]\ndir = /y\n[inbox approvals]\ndir = /z\n"
	"[inbox acme]\ndir = /w\n",
	"[inbox acme]\ndir = /w\n[inbox approvals]\ndir = /z\n[inbox a_b]\ndir = /y\n"
	"[inbox a b]\ndir = /x\n",
};

START_TEST(inbox_tags_unique)
{
	char *p = ini(tag_orders[_i]);
	struct config c;
	char *err = NULL;
	ck_assert_int_eq(config_load(&c, p, &err), 0);
	ck_assert_int_eq(c.ninboxes, 4);
	for (int i = 0; i < c.ninboxes; i++) {
		const char *name = c.inboxes[i].name, *tag = c.inboxes[i].tag;
		/* sha256("a b"), sha256("a_b"), sha256("approvals"): 8 hex digits */
		ck_assert_str_eq(tag, !strcmp(name, "a b")	  ? "a_b-c8687a08"
				      : !strcmp(name, "a_b")	  ? "a_b-648fa9b3"
				      : !strcmp(name, "approvals") ? "approvals-4481c86d"
								   : "acme");
	}
	config_release(&c);
	free(p);
}
END_TEST

Suite *suite_config(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults_without_file);
	tcase_add_test(tc, datadir_from_environment);
	tcase_add_test(tc, file_overrides);
	tcase_add_loop_test(tc, bool_spellings, 0, (int)ARRAY_SIZE(bool_cases));
	tcase_add_loop_test(tc, errors_name_file_and_line, 0, (int)ARRAY_SIZE(error_cases));
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, later_value_wins_and_no_leak);
	tcase_add_loop_test(tc, inbox_tags_unique, 0, (int)ARRAY_SIZE(tag_orders));
	suite_add_tcase(s, tc);
	return s;
}
