/*
 * util: buffers, names, time, files, hashing.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "suites.h"
#include "testutil.h"
#include "util.h"

START_TEST(buf_basic_appends)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "abc");
	buf_addch(&b, '-');
	buf_add(&b, "xyz123", 3);
	buf_printf(&b, "[%d|%s]", 42, "q");
	ck_assert_uint_eq(b.len, 13);
	ck_assert_str_eq(b.data, "abc-xyz[42|q]");
	ck_assert_uint_eq(strlen(b.data), b.len);
	ck_assert_uint_gt(b.cap, b.len);
	buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(buf_str(&b), "");
	buf_release(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.cap, 0);
}
END_TEST

START_TEST(buf_embedded_nul_and_growth)
{
	struct buf b = BUF_INIT;
	buf_add(&b, "a\0b", 3);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_mem_eq(b.data, "a\0b", 4); /* kept NUL-terminated after the bytes */
	for (int i = 0; i < 10000; i++)
		buf_addch(&b, (char)('a' + i % 26));
	ck_assert_uint_eq(b.len, 10003);
	ck_assert_int_eq(b.data[b.len], '\0');
	ck_assert_int_eq(b.data[3 + 25], 'z');
	ck_assert_int_eq(b.data[3 + 26], 'a');
	buf_add(&b, NULL, 0); /* adding nothing is allowed */
	ck_assert_uint_eq(b.len, 10003);
	buf_release(&b);
}
END_TEST

START_TEST(buf_printf_long_and_empty)
{
	struct buf b = BUF_INIT;
	char big[3000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_printf(&b, "<%s>", big);
	ck_assert_uint_eq(b.len, sizeof big + 1);
	ck_assert_int_eq(b.data[0], '<');
	ck_assert_int_eq(b.data[b.len - 1], '>');
	buf_printf(&b, "%s", "");
	ck_assert_uint_eq(b.len, sizeof big + 1);
	buf_release(&b);
}
END_TEST

START_TEST(buf_detach_and_str)
{
	struct buf b = BUF_INIT;
	char *p = buf_detach(&b); /* empty buffer: still a string */
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "");
	free(p);
	buf_adds(&b, "hello");
	p = buf_detach(&b);
	ck_assert_str_eq(p, "hello");
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	free(p);
	struct buf e = BUF_INIT;
	ck_assert_str_eq(buf_str(&e), "");
	buf_release(&e);
}
END_TEST

START_TEST(xalloc_helpers)
{
	char *s = xasprintf("%s-%05d", "id", 42);
	ck_assert_str_eq(s, "id-00042");
	free(s);
	s = xstrndup("abcdef", 3);
	ck_assert_str_eq(s, "abc");
	free(s);
	s = xstrdup("");
	ck_assert_str_eq(s, "");
	free(s);
	int *z = xcalloc(8, sizeof *z);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(z[i], 0);
	z = xrealloc(z, 100 * sizeof *z);
	ck_assert_int_eq(z[7], 0);
	free(z);
	void *m = xmalloc(0); /* never NULL */
	ck_assert_ptr_nonnull(m);
	free(m);
}
END_TEST

static const struct {
	const char *in;
	size_t max;
	const char *out;
} safe_cases[] = {
	{ "order-1.xml", 64, "order-1.xml" },
	{ "../etc/passwd", 64, "_.._etc_passwd" },
	{ "", 64, "_" },
	{ "a b/c\\d", 64, "a_b_c_d" },
	{ "caf\xc3\xa9.xml", 64, "caf__.xml" },
	{ "abcdefgh", 4, "abcd" },
	{ ".hidden", 64, "_.hidden" },
	{ "..", 64, "_.." },
	{ "/", 64, "_" },
	{ "A_Z-0.9", 64, "A_Z-0.9" },
};

/* safe_name() into a fixed buffer, so a failing check leaks nothing under
 * CK_FORK=no (valgrind) */
static void safe_into(const char *in, size_t max, char out[128])
{
	char *s = safe_name(in, max);
	snprintf(out, 128, "%s", s);
	free(s);
}

START_TEST(safe_name_table)
{
	char s[128];
	safe_into(safe_cases[_i].in, safe_cases[_i].max, s);
	ck_assert_msg(!strcmp(s, safe_cases[_i].out), "safe_name(\"%s\", %zu) = \"%s\", want \"%s\"",
		      safe_cases[_i].in, safe_cases[_i].max, s, safe_cases[_i].out);
}
END_TEST

/* The contract for every input: no '/', never starts with '.', never empty,
 * at most max bytes. */
START_TEST(safe_name_properties)
{
	static const char *inputs[] = { "../etc/passwd", ".", "..", ".profile", "a/../../b",
					 "........", "\x01\x02\x7f", ".abc", "x" };
	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
		for (size_t max = 1; max <= 9; max++) {
			char s[128];
			safe_into(inputs[i], max, s);
			ck_assert_ptr_null(strchr(s, '/'));
			ck_assert_msg(s[0] != '.', "safe_name(\"%s\", %zu) = \"%s\" starts with '.'",
				      inputs[i], max, s);
			ck_assert_uint_gt(strlen(s), 0);
			ck_assert_msg(strlen(s) <= max,
				      "safe_name(\"%s\", %zu) = \"%s\" is %zu bytes, over max",
				      inputs[i], max, s, strlen(s));
		}
	}
}
END_TEST

static const struct {
	const char *in, *out;
} shell_cases[] = {
	{ "/srv/orders/in/o-1.xml", "/srv/orders/in/o-1.xml" },
	{ "/tmp/a spool", "'/tmp/a spool'" },
	{ "it's", "'it'\\''s'" },
	{ "", "''" },
	{ "$(rm -rf /)", "'$(rm -rf /)'" },
	{ "a;b|c&d`e`*?~", "'a;b|c&d`e`*?~'" },
	{ "user@host:1,2+3=4%", "user@host:1,2+3=4%" },
};

/* shell_word() gives one word that sh reads back as the input */
START_TEST(shell_word_table)
{
	char *w = shell_word(shell_cases[_i].in);
	char got[128];
	snprintf(got, sizeof got, "%s", w);
	free(w);
	ck_assert_msg(!strcmp(got, shell_cases[_i].out), "shell_word(\"%s\") = %s, want %s",
		      shell_cases[_i].in, got, shell_cases[_i].out);
}
END_TEST

static const struct {
	const char *in, *out;
} trim_cases[] = {
	{ "  a b \t\n", "a b" }, { "", "" }, { "   ", "" }, { "x", "x" },
	{ "\r\nx y\r\n", "x y" }, { "a  ", "a" }, { "  a", "a" },
};

START_TEST(str_trim_table)
{
	char *copy = xstrdup(trim_cases[_i].in);
	ck_assert_str_eq(str_trim(copy), trim_cases[_i].out);
	free(copy);
}
END_TEST

START_TEST(str_prefix_suffix)
{
	ck_assert(str_ends_with("order.xml", ".xml"));
	ck_assert(str_ends_with("x", ""));
	ck_assert(!str_ends_with("ml", ".xml"));
	ck_assert(!str_ends_with("order.xmlx", ".xml"));
	ck_assert(str_starts_with("archive/2024", "archive/"));
	ck_assert(!str_starts_with("arch", "archive/"));
	ck_assert(str_starts_with("", ""));
}
END_TEST

START_TEST(mkdir_p_nested)
{
	char *dir = t_tempdir();
	char *deep = xasprintf("%s/a/b/c", dir);
	ck_assert_int_eq(mkdir_p(deep, 0755), 0);
	ck_assert(t_is_dir(deep));
	ck_assert_int_eq(mkdir_p(deep, 0755), 0); /* exists: fine */
	char *slash = xasprintf("%s/a/b/d/", dir);
	ck_assert_int_eq(mkdir_p(slash, 0755), 0);
	char *d = xasprintf("%s/a/b/d", dir);
	ck_assert(t_is_dir(d));
	/* a component that is a file */
	char *file = xasprintf("%s/file", dir);
	t_write_file(file, "x", 1);
	char *under = xasprintf("%s/file/sub", dir);
	ck_assert_int_eq(mkdir_p(under, 0755), -1);
	t_rmtree(dir);
	free(under);
	free(file);
	free(d);
	free(slash);
	free(deep);
	free(dir);
}
END_TEST

static int pipe_with(const char *data, size_t len)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write_all(p[1], data, len), 0);
	close(p[1]);
	return p[0];
}

START_TEST(read_fd_all_limit)
{
	char data[100];
	memset(data, 'q', sizeof data);
	struct buf b = BUF_INIT;

	int fd = pipe_with(data, sizeof data);
	errno = 0;
	ck_assert_int_eq(read_fd_all(fd, &b, 50), -1);
	ck_assert_int_eq(errno, EFBIG);
	close(fd);

	buf_reset(&b);
	fd = pipe_with(data, sizeof data);
	ck_assert_int_eq(read_fd_all(fd, &b, sizeof data), 0); /* exactly the limit */
	ck_assert_uint_eq(b.len, sizeof data);
	ck_assert_int_eq(b.data[b.len], '\0');
	ck_assert_mem_eq(b.data, data, sizeof data);
	close(fd);

	buf_reset(&b);
	fd = pipe_with("", 0);
	ck_assert_int_eq(read_fd_all(fd, &b, 10), 0);
	ck_assert_uint_eq(b.len, 0);
	close(fd);

	ck_assert_int_eq(read_fd_all(fd, &b, 10), -1); /* closed */
	buf_release(&b);
}
END_TEST

START_TEST(read_fd_all_large)
{
	/* bigger than one read chunk, through a regular file */
	char *dir = t_tempdir();
	char *path = xasprintf("%s/big", dir);
	size_t n = 200000;
	char *data = xmalloc(n);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 7);
	t_write_file(path, data, n);
	size_t got = 0;
	char *back = t_read_file(path, &got);
	ck_assert_ptr_nonnull(back);
	ck_assert_uint_eq(got, n);
	ck_assert_mem_eq(back, data, n);
	free(back);
	free(data);
	t_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

static const struct {
	const char *in, *hex;
} sha_cases[] = {
	{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

START_TEST(sha256_vectors)
{
	char out[65];
	memset(out, 'Z', sizeof out);
	sha256_hex(sha_cases[_i].in, strlen(sha_cases[_i].in), out);
	ck_assert_str_eq(out, sha_cases[_i].hex);
}
END_TEST

/* Sets or clears an environment variable for one test and puts it back. */
struct saved_env {
	const char *name;
	char *old;
};

static struct saved_env env_set(const char *name, const char *value)
{
	struct saved_env s = { name, NULL };
	const char *o = getenv(name);
	if (o)
		s.old = xstrdup(o);
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
	return s;
}

static void env_restore(struct saved_env *s)
{
	if (s->old)
		setenv(s->name, s->old, 1);
	else
		unsetenv(s->name);
	free(s->old);
	s->old = NULL;
}

START_TEST(og_now_fixed_time)
{
	struct saved_env e = env_set("ORDERGATE_TIME", "1234567890");
	ck_assert_int_eq((long long)og_now(), 1234567890LL);
	setenv("ORDERGATE_TIME", "0", 1);
	ck_assert_int_eq((long long)og_now(), 0);
	/* not a number: the clock */
	setenv("ORDERGATE_TIME", "12abc", 1);
	time_t now = time(NULL);
	ck_assert_int_le(llabs((long long)(og_now() - now)), 5);
	unsetenv("ORDERGATE_TIME");
	ck_assert_int_le(llabs((long long)(og_now() - now)), 5);
	env_restore(&e);
}
END_TEST

static const struct {
	const char *tz;
	time_t t;
	const char *out;
} iso_cases[] = {
	{ "UTC0", 0, "1970-01-01T00:00:00+00:00" },
	{ "XST-05:30", 0, "1970-01-01T05:30:00+05:30" },
	{ "XST3", 0, "1969-12-31T21:00:00-03:00" },
	{ "NST3:30", 86400, "1970-01-01T20:30:00-03:30" },
	{ "UTC0", 1234567890, "2009-02-13T23:31:30+00:00" },
};

START_TEST(iso_time_zones)
{
	struct saved_env e = env_set("TZ", iso_cases[_i].tz);
	tzset();
	char out[32];
	iso_time(iso_cases[_i].t, out);
	env_restore(&e);
	tzset();
	ck_assert_str_eq(out, iso_cases[_i].out);
}
END_TEST

START_TEST(iso_time_has_offset)
{
	char out[32];
	iso_time(og_now(), out);
	ck_assert_uint_eq(strlen(out), 25);
	ck_assert_int_eq(out[10], 'T');
	ck_assert(out[19] == '+' || out[19] == '-');
	ck_assert_int_eq(out[22], ':');
}
END_TEST

START_TEST(write_all_to_pipe)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write_all(p[1], "hello", 5), 0);
	close(p[1]);
	struct buf b = BUF_INIT;
	ck_assert_int_eq(read_fd_all(p[0], &b, 100), 0);
	ck_assert_str_eq(b.data, "hello");
	close(p[0]);
	buf_release(&b);
	ck_assert_int_eq(write_all(p[1], "x", 1), -1); /* closed */
}
END_TEST

Suite *suite_util(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("buf");
	tcase_add_test(tc, buf_basic_appends);
	tcase_add_test(tc, buf_embedded_nul_and_growth);
	tcase_add_test(tc, buf_printf_long_and_empty);
	tcase_add_test(tc, buf_detach_and_str);
	tcase_add_test(tc, xalloc_helpers);
	suite_add_tcase(s, tc);

	tc = tcase_create("strings");
	tcase_add_loop_test(tc, safe_name_table, 0, (int)ARRAY_SIZE(safe_cases));
	tcase_add_test(tc, safe_name_properties);
	tcase_add_loop_test(tc, shell_word_table, 0, (int)ARRAY_SIZE(shell_cases));
	tcase_add_loop_test(tc, str_trim_table, 0, (int)ARRAY_SIZE(trim_cases));
	tcase_add_test(tc, str_prefix_suffix);
	tcase_add_loop_test(tc, sha256_vectors, 0, (int)ARRAY_SIZE(sha_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_test(tc, mkdir_p_nested);
	tcase_add_test(tc, read_fd_all_limit);
	tcase_add_test(tc, read_fd_all_large);
	tcase_add_test(tc, write_all_to_pipe);
	suite_add_tcase(s, tc);

	tc = tcase_create("time");
	tcase_add_test(tc, og_now_fixed_time);
	tcase_add_loop_test(tc, iso_time_zones, 0, (int)ARRAY_SIZE(iso_cases));
	tcase_add_test(tc, iso_time_has_offset);
	suite_add_tcase(s, tc);
	return s;
}
