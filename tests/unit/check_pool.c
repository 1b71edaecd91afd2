/*
 * pool: the worker processes. pool_wait waits until a job is done (-1 when
 * nothing is in flight); pool_poll, which the group commit uses to feed
 * the workers between its steps, waits at most its timeout and never
 * blocks on an empty pool.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pool.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct pool_job *job_for(const char *path, const char *id)
{
	struct pool_job *j = xcalloc(1, sizeof *j);
	j->id = xstrdup(id);
	j->name = xstrdup("order.xml");
	j->work_name = xasprintf("%s-order.xml", id);
	j->path = xstrdup(path);
	j->received = xstrdup("2024-03-01T10:00:01+00:00");
	return j;
}

START_TEST(poll_waits_at_most_its_timeout)
{
	struct pool p;
	char *err = NULL;
	ck_assert_msg(pool_start(&p, t_cfg(), 1, &err) == 0, "pool_start: %s", err ? err : "?");
	struct pool_job *job = NULL;
	struct doc_result *res = NULL;

	/* nothing in flight: poll answers 0 at once, wait -1 */
	double t0 = now_s();
	ck_assert_int_eq(pool_poll(&p, &job, &res, 0), 0);
	ck_assert_int_eq(pool_poll(&p, &job, &res, 500), 0);
	ck_assert_msg(now_s() - t0 < 0.4, "pool_poll waited on an empty pool");
	ck_assert_int_eq(pool_wait(&p, &job, &res), -1);

	/* one order: polled in short steps until it is back */
	char path[] = "/tmp/og-pool-XXXXXX.xml";
	int fd = mkstemps(path, 4);
	ck_assert_int_ge(fd, 0);
	struct t_order o = { 0 };
	char *xml = t_cxml(&o);
	ck_assert_int_eq(write_all(fd, xml, strlen(xml)), 0);
	close(fd);
	free(xml);
	struct pool_job *j = job_for(path, "20240301-100000-000001-000001");
	ck_assert_int_eq(pool_submit(&p, j, &err), 0);
	ck_assert_int_eq(p.busy, 1);
	int n = 0, polls = 0;
	double longest = 0;
	t0 = now_s();
	while (n == 0 && now_s() - t0 < 30) {
		double t = now_s();
		n = pool_poll(&p, &job, &res, 2);
		if (now_s() - t > longest)
			longest = now_s() - t;
		polls++;
	}
	ck_assert_int_eq(n, 1);
	ck_assert_ptr_eq(job, j);
	ck_assert_msg(res[0].ok, "%s: %s", res[0].stage ? res[0].stage : "?",
		      res[0].reason ? res[0].reason : "?");
	ck_assert_int_eq(res[0].noutputs, 2);
	ck_assert_int_eq(p.busy, 0);
	/* a poll returns what is ready even when it arrives within its
	 * wait, and a 2 ms poll never held the caller long (a loaded machine
	 * gets a generous bound) */
	ck_assert_msg(longest < 1.0, "one pool_poll(2 ms) took %.3f s", longest);
	pipeline_result_release(&res[0]);
	free(res);
	pool_job_free(job);
	pool_stop(&p);
	unlink(path);
}
END_TEST

Suite *suite_pool(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("poll");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_test(tc, poll_waits_at_most_its_timeout);
	suite_add_tcase(s, tc);
	return s;
}
