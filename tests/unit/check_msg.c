/*
 * msg: JSON string escaping and the diagnostics line format.
 */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"

static const struct {
	const char *in, *out;
} json_cases[] = {
	{ "", "\"\"" },
	{ "plain", "\"plain\"" },
	{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
	{ "back\\slash", "\"back\\\\slash\"" },
	{ "line1\nline2", "\"line1\\nline2\"" },
	{ "cr\rtab\t", "\"cr\\rtab\\t\"" },
	{ "bell\x07", "\"bell\\u0007\"" },
	{ "\x01\x1f", "\"\\u0001\\u001f\"" },
	{ "esc\x1b[0m", "\"esc\\u001b[0m\"" },
	{ "caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\"" }, /* UTF-8 kept as is */
	{ "slash/ and \x7f", "\"slash/ and \x7f\"" },
	{ "</script>", "\"</script>\"" },
	/* bytes that are not UTF-8 become U+FFFD (EF BF BD), one per byte */
	{ "caf\xe9.xml", "\"caf\xef\xbf\xbd.xml\"" },                 /* Latin-1 e-acute */
	{ "\xff\xfe", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },                   /* never in UTF-8 */
	{ "a\x80" "b", "\"a\xef\xbf\xbd" "b\"" },                      /* lone continuation */
	{ "\xc3", "\"\xef\xbf\xbd\"" },                                 /* truncated at the end */
	{ "\xe2\x82x", "\"\xef\xbf\xbd\xef\xbf\xbdx\"" },                  /* truncated, then ASCII */
	{ "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },                   /* overlong '/' */
	{ "\xe0\x80\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },    /* overlong, 3 bytes */
	{ "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },    /* a UTF-16 surrogate */
	{ "\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" }, /* over U+10FFFF */
	{ "\xf0\x9f\x93\xa6 \xf4\x8f\xbf\xbf \xef\xbf\xbd", "\"\xf0\x9f\x93\xa6 \xf4\x8f\xbf\xbf \xef\xbf\xbd\"" }, /* valid: kept */
	{ "\xe9\"\n", "\"\xef\xbf\xbd\\\"\\n\"" },                      /* then escapes as before */
};

START_TEST(json_string_table)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "x=");
	json_string(&b, json_cases[_i].in);
	ck_assert(str_starts_with(b.data, "x="));
	ck_assert_str_eq(b.data + 2, json_cases[_i].out);
	buf_release(&b);
}
END_TEST

/* Captures what msg_log writes to stderr. */
static char *capture(enum msg_level lvl, const char *id, const char *text)
{
	char *dir = t_tempdir();
	char *path = xasprintf("%s/stderr", dir);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	dup2(fd, STDERR_FILENO);
	close(fd);
	msg_log(lvl, id, "%s", text);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	char *out = t_read_file(path, NULL);
	ck_assert_ptr_nonnull(out);
	t_rmtree(dir);
	free(path);
	free(dir);
	return out;
}

START_TEST(log_json_line)
{
	msg_configure(0, 1, 0);
	char *line = capture(MSG_WARN, "20240101-000000-000001-000001", "bad \"value\"\nnext");
	msg_configure(0, 0, 0);
	ck_assert_msg(str_starts_with(line, "{\"time\":\""), "line: %s", line);
	ck_assert_ptr_nonnull(strstr(line, ",\"id\":\"20240101-000000-000001-000001\""));
	ck_assert_ptr_nonnull(strstr(line, ",\"level\":\"warning\""));
	ck_assert_ptr_nonnull(strstr(line, ",\"msg\":\"bad \\\"value\\\"\\nnext\"}"));
	ck_assert(str_ends_with(line, "}\n"));
	ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1); /* one line */
	free(line);
}
END_TEST

START_TEST(log_text_lines)
{
	msg_configure(0, 0, 0);
	char *line = capture(MSG_ERROR, "DOC1", "it broke");
	ck_assert_str_eq(line, "DOC1 error: it broke\n");
	free(line);
	line = capture(MSG_INFO, NULL, "started");
	ck_assert_str_eq(line, "ordergate started\n");
	free(line);
	line = capture(MSG_DEBUG, "DOC1", "hidden");
	ck_assert_str_eq(line, "");
	free(line);
	msg_configure(1, 0, 0); /* quiet: warnings and errors only */
	line = capture(MSG_INFO, "DOC1", "hidden");
	ck_assert_str_eq(line, "");
	free(line);
	line = capture(MSG_WARN, "DOC1", "shown");
	ck_assert_str_eq(line, "DOC1 warning: shown\n");
	free(line);
	msg_configure(0, 0, 1); /* verbose */
	line = capture(MSG_DEBUG, "DOC1", "detail");
	ck_assert_str_eq(line, "DOC1 detail\n");
	free(line);
	msg_configure(0, 0, 0);
}
END_TEST

Suite *suite_msg(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = tcase_create("json");
	tcase_add_loop_test(tc, json_string_table, 0, (int)ARRAY_SIZE(json_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create("log");
	tcase_add_test(tc, log_json_line);
	tcase_add_test(tc, log_text_lines);
	suite_add_tcase(s, tc);
	return s;
}
