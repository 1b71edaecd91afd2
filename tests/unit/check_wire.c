/*
 * wire: message fields and framing between parent and workers.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "util.h"
#include "wire.h"

START_TEST(strings_round_trip)
{
	static const char *const values[] = { "hello", "", NULL, "with\nnewline and \"quotes\"",
					       "caf\xc3\xa9", NULL, "last" };
	struct buf m = BUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(values); i++)
		wire_puts(&m, values[i]);
	struct wire_reader r;
	wire_reader_init(&r, &m);
	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		char *s = wire_gets(&r);
		if (!values[i]) {
			ck_assert_msg(s == NULL, "field %zu: NULL came back as \"%s\"", i, s);
		} else {
			ck_assert_ptr_nonnull(s);
			ck_assert_str_eq(s, values[i]);
		}
		free(s);
		ck_assert_int_eq(r.bad, 0);
	}
	ck_assert_ptr_eq(r.p, r.end); /* everything consumed */
	/* reading past the end is an error, not a crash */
	ck_assert_ptr_null(wire_gets(&r));
	ck_assert_int_eq(r.bad, 1);
	buf_release(&m);
}
END_TEST

START_TEST(i64_round_trip)
{
	static const int64_t values[] = { 0, 1, -1, 42, -42, INT32_MAX, (int64_t)INT32_MAX + 1,
					  INT32_MIN, (int64_t)UINT32_MAX, INT64_MAX, INT64_MIN,
					  9000000000000000LL, -123456789012345LL };
	struct buf m = BUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(values); i++)
		wire_put_i64(&m, values[i]);
	ck_assert_uint_eq(m.len, ARRAY_SIZE(values) * 12);
	struct wire_reader r;
	wire_reader_init(&r, &m);
	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		int64_t v = wire_get_i64(&r);
		ck_assert_msg(v == values[i], "value %zu: %lld, want %lld", i, (long long)v,
			      (long long)values[i]);
	}
	ck_assert_int_eq(r.bad, 0);
	buf_release(&m);
}
END_TEST

START_TEST(little_endian_layout)
{
	struct buf m = BUF_INIT;
	wire_puts(&m, "ab");
	wire_put_i64(&m, 0x0102030405060708LL);
	wire_puts(&m, NULL);
	static const unsigned char want[] = { 2, 0, 0, 0, 'a', 'b', 8, 0, 0, 0, 8, 7, 6, 5,
					      4, 3, 2, 1, 0xff, 0xff, 0xff, 0xff };
	ck_assert_uint_eq(m.len, sizeof want);
	ck_assert_mem_eq(m.data, want, sizeof want);
	buf_release(&m);
}
END_TEST

START_TEST(buf_round_trip)
{
	char bin[300];
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (char)(i & 0xff); /* includes NUL bytes */
	struct buf m = BUF_INIT, out = BUF_INIT;
	wire_put(&m, bin, sizeof bin);
	wire_put(&m, NULL, 0);
	wire_put(&m, "tail", 4);
	struct wire_reader r;
	wire_reader_init(&r, &m);
	buf_adds(&out, "stale content");
	wire_get_buf(&r, &out);
	ck_assert_uint_eq(out.len, sizeof bin);
	ck_assert_mem_eq(out.data, bin, sizeof bin);
	wire_get_buf(&r, &out);
	ck_assert_uint_eq(out.len, 0);
	char *t = wire_gets(&r);
	ck_assert_str_eq(t, "tail");
	free(t);
	ck_assert_int_eq(r.bad, 0);
	buf_release(&out);
	buf_release(&m);
}
END_TEST

/* Every strict prefix of a message is refused by the field that is cut. */
START_TEST(truncated_message_is_bad)
{
	struct buf full = BUF_INIT;
	wire_puts(&full, "first");
	wire_put_i64(&full, -5);
	wire_put(&full, "xyz", 3);
	for (size_t cut = 0; cut < full.len; cut++) {
		struct buf m = BUF_INIT;
		buf_add(&m, full.data, cut);
		struct wire_reader r;
		wire_reader_init(&r, &m);
		struct buf b = BUF_INIT;
		char *s = wire_gets(&r);
		int64_t v = wire_get_i64(&r);
		wire_get_buf(&r, &b);
		ck_assert_msg(r.bad == 1, "a message cut at %zu of %zu bytes was read as good", cut,
			      full.len);
		(void)v;
		free(s);
		buf_release(&b);
		buf_release(&m);
	}
	buf_release(&full);
}
END_TEST

START_TEST(lying_lengths_are_bad)
{
	struct buf m = BUF_INIT;
	/* a field claiming 1000 bytes with 3 behind it */
	static const unsigned char lie[] = { 0xe8, 0x03, 0, 0, 'a', 'b', 'c' };
	buf_add(&m, lie, sizeof lie);
	struct wire_reader r;
	wire_reader_init(&r, &m);
	ck_assert_ptr_null(wire_gets(&r));
	ck_assert_int_eq(r.bad, 1);
	/* once bad, stays bad */
	ck_assert_int_eq(wire_get_i64(&r), 0);
	ck_assert_int_eq(r.bad, 1);
	buf_release(&m);

	/* an integer field must be 8 bytes */
	wire_puts(&m, "1234");
	wire_reader_init(&r, &m);
	ck_assert_int_eq(wire_get_i64(&r), 0);
	ck_assert_int_eq(r.bad, 1);
	buf_release(&m);

	/* an absent string where an integer is expected */
	wire_puts(&m, NULL);
	wire_reader_init(&r, &m);
	wire_get_i64(&r);
	ck_assert_int_eq(r.bad, 1);
	buf_release(&m);

	/* a length just under the absent marker, with no bytes */
	static const unsigned char huge[] = { 0xfe, 0xff, 0xff, 0xff };
	buf_add(&m, huge, sizeof huge);
	wire_reader_init(&r, &m);
	ck_assert_ptr_null(wire_gets(&r));
	ck_assert_int_eq(r.bad, 1);
	buf_release(&m);
}
END_TEST

START_TEST(send_recv_socketpair)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct buf a = BUF_INIT, b = BUF_INIT, empty = BUF_INIT, got = BUF_INIT;
	wire_puts(&a, "message one");
	wire_put_i64(&a, 77);
	wire_puts(&b, "two");
	ck_assert_int_eq(wire_send(sv[0], &a), 0);
	ck_assert_int_eq(wire_send(sv[0], &empty), 0);
	ck_assert_int_eq(wire_send(sv[0], &b), 0);
	close(sv[0]);

	ck_assert_int_eq(wire_recv(sv[1], &got), 0);
	ck_assert_uint_eq(got.len, a.len);
	ck_assert_mem_eq(got.data, a.data, a.len);
	struct wire_reader r;
	wire_reader_init(&r, &got);
	char *s = wire_gets(&r);
	ck_assert_str_eq(s, "message one");
	free(s);
	ck_assert_int_eq(wire_get_i64(&r), 77);

	ck_assert_int_eq(wire_recv(sv[1], &got), 0);
	ck_assert_uint_eq(got.len, 0);

	ck_assert_int_eq(wire_recv(sv[1], &got), 0);
	ck_assert_uint_eq(got.len, b.len);
	ck_assert_mem_eq(got.data, b.data, b.len);

	ck_assert_int_eq(wire_recv(sv[1], &got), 1); /* clean end */
	close(sv[1]);
	buf_release(&a);
	buf_release(&b);
	buf_release(&empty);
	buf_release(&got);
}
END_TEST

/* A message larger than the socket buffer, written by another process. */
START_TEST(send_recv_large_across_fork)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	size_t n = 3u << 20;
	struct buf m = BUF_INIT;
	buf_grow(&m, n);
	for (size_t i = 0; i < n; i++)
		m.data[i] = (char)(i % 251);
	m.len = n;
	m.data[n] = '\0';
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(sv[1]);
		int rc = wire_send(sv[0], &m);
		close(sv[0]);
		buf_release(&m);
		_exit(rc == 0 ? 0 : 3); /* a failed send shows as a short read */
	}
	close(sv[0]);
	struct buf got = BUF_INIT;
	int rc = wire_recv(sv[1], &got);
	/* the child's exit status is not used: under valgrind it would carry
	 * valgrind's verdict on the whole process, not the child's result */
	waitpid(pid, NULL, 0);
	close(sv[1]);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(got.len, n);
	ck_assert_mem_eq(got.data, m.data, n);
	buf_release(&got);
	buf_release(&m);
}
END_TEST

START_TEST(recv_truncated_stream)
{
	int sv[2];
	struct buf got = BUF_INIT;

	/* header says 10 bytes, 3 arrive */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	static const unsigned char part[] = { 10, 0, 0, 0, 'a', 'b', 'c' };
	ck_assert_int_eq(write_all(sv[0], part, sizeof part), 0);
	close(sv[0]);
	ck_assert_int_eq(wire_recv(sv[1], &got), -1);
	close(sv[1]);

	/* half a header */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(write_all(sv[0], part, 2), 0);
	close(sv[0]);
	ck_assert_int_eq(wire_recv(sv[1], &got), -1);
	close(sv[1]);

	/* a length past the limit is refused before allocating */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	static const unsigned char big[] = { 0xff, 0xff, 0xff, 0x7f };
	ck_assert_int_eq(write_all(sv[0], big, sizeof big), 0);
	close(sv[0]);
	ck_assert_int_eq(wire_recv(sv[1], &got), -1);
	close(sv[1]);

	/* a closed descriptor */
	ck_assert_int_eq(wire_recv(sv[1], &got), -1);
	buf_release(&got);
}
END_TEST

Suite *suite_wire(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("fields");
	tcase_add_test(tc, strings_round_trip);
	tcase_add_test(tc, i64_round_trip);
	tcase_add_test(tc, little_endian_layout);
	tcase_add_test(tc, buf_round_trip);
	tcase_add_test(tc, truncated_message_is_bad);
	tcase_add_test(tc, lying_lengths_are_bad);
	suite_add_tcase(s, tc);
	tc = tcase_create("framing");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, send_recv_socketpair);
	tcase_add_test(tc, send_recv_large_across_fork);
	tcase_add_test(tc, recv_truncated_stream);
	suite_add_tcase(s, tc);
	return s;
}
