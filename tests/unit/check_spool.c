/*
 * spool: folder states, claims, staged writes, the lock.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsio.h"
#include "spool.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"

static char *tmp_dir;
static struct spool sp;

static void setup(void)
{
	tmp_dir = t_tempdir();
	char *root = xasprintf("%s/spool", tmp_dir);
	char *err = NULL;
	ck_assert_int_eq(mkdir(root, 0775), 0);
	int rc = spool_open(&sp, root, &err);
	free(root);
	ck_assert_msg(rc == 0, "spool_open: %s", err ? err : "?");
}

static void teardown(void)
{
	spool_close(&sp);
	t_rmtree(tmp_dir);
	free(tmp_dir);
	tmp_dir = NULL;
}

/* <spool>/<rel> as a fresh string */
static char *at(const char *rel)
{
	return spool_path(&sp, rel);
}

static void put(const char *rel, const char *content)
{
	char *p = at(rel);
	t_write_file(p, content, strlen(content));
	free(p);
}

static int exists(const char *rel)
{
	return spool_exists(&sp, rel);
}

START_TEST(open_creates_states)
{
	static const char *const dirs[] = { "in", "work", "tmp", "out", "archive", "failed" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char *p = at(dirs[i]);
		ck_assert_msg(t_is_dir(p), "%s was not created", p);
		free(p);
	}
	ck_assert_int_eq(sp.root[0], '/'); /* resolved */
	ck_assert_int_eq(sp.lock_fd, -1);
	/* opening again is harmless */
	struct spool again;
	char *err = NULL;
	ck_assert_int_eq(spool_open(&again, sp.root, &err), 0);
	ck_assert_str_eq(again.root, sp.root);
	spool_close(&again);
}
END_TEST

START_TEST(open_relative_path_resolves)
{
	char *cwd = getcwd(NULL, 0);
	ck_assert_int_eq(chdir(tmp_dir), 0);
	struct spool s2;
	char *err = NULL;
	ck_assert_int_eq(mkdir_p("rel/spool", 0775), 0);
	int rc = spool_open(&s2, "rel/spool", &err);
	int chk = chdir(cwd);
	free(cwd);
	ck_assert_int_eq(chk, 0);
	ck_assert_int_eq(rc, 0);
	char *want = xasprintf("%s/rel/spool", tmp_dir);
	char *real = realpath(want, NULL);
	ck_assert_ptr_nonnull(real);
	ck_assert_str_eq(s2.root, real);
	free(real);
	free(want);
	spool_close(&s2);
}
END_TEST

/* a mistyped --spool: refused, naming the folder and how to make it,
 * and nothing is created (neither the folder nor its parents) */
START_TEST(open_refuses_missing_root)
{
	char *root = xasprintf("%s/no/such/spool", tmp_dir);
	char *parent = xasprintf("%s/no", tmp_dir);
	struct spool s2;
	char *err = NULL;
	ck_assert_int_eq(spool_open(&s2, root, &err), -2);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, root) && strstr(err, "mkdir -p"), "%s", err);
	ck_assert_msg(!t_is_dir(parent), "%s was created", parent);
	free(err);
	spool_close(&s2);
	free(parent);
	free(root);
}
END_TEST

START_TEST(open_fails_on_file)
{
	char *f = xasprintf("%s/plainfile", tmp_dir);
	t_write_file(f, "x", 1);
	struct spool s2;
	char *err = NULL;
	ck_assert_int_eq(spool_open(&s2, f, &err), -2);
	ck_assert_ptr_nonnull(err);
	free(err);
	spool_close(&s2);
	free(f);
}
END_TEST

START_TEST(new_ids_unique_and_parse)
{
	enum { N = 500 };
	static char ids[N][SPOOL_ID_LEN + 1];
	for (int i = 0; i < N; i++) {
		spool_new_id(ids[i]);
		ck_assert_uint_eq(strlen(ids[i]), SPOOL_ID_LEN);
		char *name = xasprintf("%s-order %d.xml", ids[i], i);
		char id[SPOOL_ID_LEN + 1];
		const char *orig = NULL;
		ck_assert_msg(spool_parse_work_name(name, id, &orig) == 1, "%s does not parse", name);
		ck_assert_str_eq(id, ids[i]);
		char *want = xasprintf("order %d.xml", i);
		ck_assert_str_eq(orig, want);
		free(want);
		free(name);
		for (int j = 0; j < i; j++)
			ck_assert_msg(strcmp(ids[i], ids[j]) != 0, "id %s repeated", ids[i]);
	}
}
END_TEST

START_TEST(new_id_uses_fixed_time)
{
	const char *old = getenv("ORDERGATE_TIME");
	char *saved = old ? xstrdup(old) : NULL;
	setenv("ORDERGATE_TIME", "1234567890", 1); /* 2009-02-13 23:31:30 UTC */
	char id[SPOOL_ID_LEN + 1];
	spool_new_id(id);
	/* a child process at the same second gets another ID */
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char cid[SPOOL_ID_LEN + 1];
		spool_new_id(cid);
		int rc = write_all(p[1], cid, SPOOL_ID_LEN);
		_exit(rc == 0 ? 0 : 1);
	}
	close(p[1]);
	char cid[SPOOL_ID_LEN + 1] = "";
	ssize_t n = read(p[0], cid, SPOOL_ID_LEN);
	close(p[0]);
	waitpid(pid, NULL, 0);
	if (saved)
		setenv("ORDERGATE_TIME", saved, 1);
	else
		unsetenv("ORDERGATE_TIME");
	free(saved);
	ck_assert_int_eq(n, SPOOL_ID_LEN);
	cid[SPOOL_ID_LEN] = '\0';
	ck_assert(str_starts_with(id, "20090213-233130-"));
	ck_assert(str_starts_with(cid, "20090213-233130-"));
	ck_assert_str_ne(id, cid);
}
END_TEST

static const struct {
	const char *name;
	int ok;
	const char *orig;
} work_names[] = {
	{ "20240101-120000-000123-000001-order.xml", 1, "order.xml" },
	{ "20240101-120000-000123-000001-", 1, "" },
	{ "20240101-120000-000123-000001-a-b-c", 1, "a-b-c" },
	{ "20240101-120000-000123-000001", 0, NULL },	 /* no '-' after the ID */
	{ "20240101-120000-000123-000001x.xml", 0, NULL },
	{ "2024010a-120000-000123-000001-x", 0, NULL },
	{ "20240101_120000-000123-000001-x", 0, NULL },
	{ "20240101-12000-0000123-000001-x", 0, NULL },
	{ "order.xml", 0, NULL },
	{ "", 0, NULL },
};

START_TEST(parse_work_name_table)
{
	char id[SPOOL_ID_LEN + 1] = "";
	const char *orig = NULL;
	int ok = spool_parse_work_name(work_names[_i].name, id, &orig);
	ck_assert_msg(ok == work_names[_i].ok, "spool_parse_work_name(\"%s\") = %d",
		      work_names[_i].name, ok);
	if (ok) {
		ck_assert_str_eq(orig, work_names[_i].orig);
		ck_assert_int_eq(strncmp(id, work_names[_i].name, SPOOL_ID_LEN), 0);
		ck_assert_uint_eq(strlen(id), SPOOL_ID_LEN);
	}
	/* orig may be NULL */
	ck_assert_int_eq(spool_parse_work_name(work_names[_i].name, id, NULL), ok);
}
END_TEST

START_TEST(list_skips_temporary_names)
{
	static const char *const files[] = { "b.xml", "a.xml", ".hidden", "x.tmp", "y.part",
					     "z.filepart", "w~", "v.crdownload", "u.partial",
					     "C.XML" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *rel = xasprintf("in/%s", files[i]);
		put(rel, "<x/>");
		free(rel);
	}
	char *sub = at("in/subdir");
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	free(sub);

	char **names = NULL;
	int n = -1;
	ck_assert_int_eq(spool_list(&sp, "in", &names, &n, 1), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(names[0], "C.XML"); /* byte order */
	ck_assert_str_eq(names[1], "a.xml");
	ck_assert_str_eq(names[2], "b.xml");
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);

	/* without skipping: every file, still no folder */
	ck_assert_int_eq(spool_list(&sp, "in", &names, &n, 0), 0);
	ck_assert_int_eq(n, (int)ARRAY_SIZE(files));
	for (int i = 0; i < n; i++) {
		ck_assert_str_ne(names[i], "subdir");
		if (i)
			ck_assert_int_lt(strcmp(names[i - 1], names[i]), 0);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);

	/* empty and missing folders */
	ck_assert_int_eq(spool_list(&sp, "work", &names, &n, 1), 0);
	ck_assert_int_eq(n, 0);
	free(names);
	ck_assert_int_eq(spool_list(&sp, "nosuch", &names, &n, 1), -1);
	ck_assert_int_eq(n, 0);
	ck_assert_ptr_null(names);
}
END_TEST

START_TEST(claim_moves_once)
{
	put("in/order 1.xml", "<order/>");
	char id[SPOOL_ID_LEN + 1];
	spool_new_id(id);
	char *work = NULL, *err = NULL;
	ck_assert_int_eq(spool_claim(&sp, "order 1.xml", id, &work, &err), 0);
	ck_assert_ptr_null(err);
	char *want = xasprintf("%s-order_1.xml", id);
	ck_assert_str_eq(work, want);
	ck_assert(!exists("in/order 1.xml"));
	char *rel = xasprintf("work/%s", work);
	ck_assert(exists(rel));
	char *p = at(rel);
	char *content = t_read_file(p, NULL);
	ck_assert_str_eq(content, "<order/>");
	free(content);
	free(p);
	char pid[SPOOL_ID_LEN + 1];
	const char *orig = NULL;
	ck_assert_int_eq(spool_parse_work_name(work, pid, &orig), 1);
	ck_assert_str_eq(pid, id);

	/* someone else got there first */
	char *work2 = (char *)&sp;
	ck_assert_int_eq(spool_claim(&sp, "order 1.xml", id, &work2, &err), 1);
	ck_assert_ptr_null(work2);
	ck_assert_ptr_null(err);
	free(rel);
	free(want);
	free(work);
}
END_TEST

START_TEST(claim_from_inbox_tagged_and_gone)
{
	/* an inbox's file is claimed as work/ID-TAG@NAME (recovery reads
	 * where it came from), and a flush after the inbox was removed
	 * has nothing left to sync there: no error */
	char *box = at("box");
	ck_assert_int_eq(mkdir(box, 0755), 0);
	put("box/order 2.xml", "<order/>");
	char id[SPOOL_ID_LEN + 1];
	spool_new_id(id);
	char *work = NULL, *err = NULL;
	ck_assert_int_eq(spool_claim_from(&sp, box, "order 2.xml", id, "acme", &work, &err), 0);
	char *want = xasprintf("%s-acme@order_2.xml", id);
	ck_assert_str_eq(work, want);
	char pid[SPOOL_ID_LEN + 1];
	const char *rest = NULL, *name = NULL;
	ck_assert_int_eq(spool_parse_work_name(work, pid, &rest), 1);
	ck_assert_int_eq(spool_work_tag(rest, &name), 4);
	ck_assert_str_eq(name, "order_2.xml");
	ck_assert_int_eq(spool_work_tag("order_3.xml", &name), 0);
	ck_assert_str_eq(name, "order_3.xml");
	ck_assert_int_eq(spool_stage(&sp, "t-2.xml", "x", 1, &err), 0);
	ck_assert_int_eq(rmdir(box), 0);
	ck_assert_msg(spool_flush(&sp, &err) == 0, "flush: %s", err ? err : "?");
	ck_assert_ptr_null(err);
	free(want);
	free(work);
	free(box);
}
END_TEST

START_TEST(stage_publish_sync)
{
	char *err = NULL;
	const char *doc = "<cXML>published</cXML>\n";
	ck_assert_int_eq(spool_stage(&sp, "t-1.xml", doc, strlen(doc), &err), 0);
	ck_assert_ptr_null(err);
	ck_assert(exists("tmp/t-1.xml"));
	char *p = at("tmp/t-1.xml");
	struct stat st;
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, (off_t)strlen(doc));
	free(p);

	ck_assert_int_eq(spool_publish(&sp, "t-1.xml", "out/acme/po/PO-1.xml", &err), 0);
	ck_assert_ptr_null(err);
	ck_assert(!exists("tmp/t-1.xml"));
	ck_assert(exists("out/acme/po/PO-1.xml"));
	p = at("out/acme/po/PO-1.xml");
	char *content = t_read_file(p, NULL);
	ck_assert_str_eq(content, doc);
	free(content);
	free(p);

	/* the new folders, their parents and tmp/ are remembered for fsync */
	static const char *const want[] = { "out", "out/acme", "out/acme/po", "tmp" };
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		char *d = at(want[i]);
		int found = 0;
		for (int k = 0; k < sp.ndirty; k++)
			found |= !strcmp(sp.dirty_dirs[k], d);
		ck_assert_msg(found, "%s is not in the folders to sync", d);
		free(d);
	}
	ck_assert_int_eq(spool_sync_dirs(&sp, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(sp.ndirty, 0);

	/* a second publish into the existing folder */
	ck_assert_int_eq(spool_stage(&sp, "t-2.xml", "two", 3, &err), 0);
	ck_assert_int_eq(spool_publish(&sp, "t-2.xml", "out/acme/po/PO-2.xml", &err), 0);
	ck_assert(exists("out/acme/po/PO-2.xml"));
	ck_assert_int_eq(spool_sync_dirs(&sp, &err), 0);
}
END_TEST

START_TEST(stage_replaces_leftover)
{
	char *err = NULL;
	put("tmp/again.xml", "old leftover content that is longer");
	ck_assert_int_eq(spool_stage(&sp, "again.xml", "new", 3, &err), 0);
	char *p = at("tmp/again.xml");
	char *c = t_read_file(p, NULL);
	ck_assert_str_eq(c, "new");
	free(c);
	free(p);
	/* an empty document is still a file */
	ck_assert_int_eq(spool_stage(&sp, "empty.xml", "", 0, &err), 0);
	ck_assert(exists("tmp/empty.xml"));
}
END_TEST

START_TEST(stage_failure_is_reported)
{
	char *err = NULL;
	/* tmp/ replaced by a plain file: creating inside it fails, even for root */
	char *tmp = at("tmp");
	ck_assert_int_eq(rmdir(tmp), 0);
	t_write_file(tmp, "not a folder", 12);
	ck_assert_int_eq(spool_stage(&sp, "x.xml", "data", 4, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err, "x.xml"));
	free(err);
	err = NULL;
	ck_assert_int_eq(unlink(tmp), 0);
	ck_assert_int_eq(mkdir(tmp, 0755), 0);

	/* a read-only tmp/: root ignores permissions, so this part only runs
	 * for other users (the plain-file case above covers root) */
	if (geteuid() != 0) {
		ck_assert_int_eq(chmod(tmp, 0555), 0);
		ck_assert_int_eq(spool_stage(&sp, "y.xml", "data", 4, &err), -1);
		ck_assert_ptr_nonnull(err);
		free(err);
		err = NULL;
		chmod(tmp, 0755);
	}
	free(tmp);

	/* a name in a folder that does not exist */
	ck_assert_int_eq(spool_stage(&sp, "no/such/x.xml", "data", 4, &err), -1);
	ck_assert_ptr_nonnull(err);
	free(err);
	err = NULL;

	/* publishing what was never staged */
	ck_assert_int_eq(spool_publish(&sp, "ghost.xml", "out/p/x.xml", &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err, "ghost.xml"));
	free(err);
}
END_TEST

START_TEST(move_unlink_exists)
{
	char *err = NULL;
	put("work/doc.xml", "d");
	ck_assert_int_eq(spool_move(&sp, "work/doc.xml", "failed/doc.xml", &err), 0);
	ck_assert(!exists("work/doc.xml"));
	ck_assert(exists("failed/doc.xml"));
	ck_assert_int_eq(spool_unlink(&sp, "failed/doc.xml", &err), 0);
	ck_assert(!exists("failed/doc.xml"));
	/* removing what is gone already is fine */
	ck_assert_int_eq(spool_unlink(&sp, "failed/doc.xml", &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(spool_move(&sp, "work/none.xml", "failed/none.xml", &err), -1);
	ck_assert_ptr_nonnull(err);
	free(err);
	ck_assert_int_eq(spool_sync_dirs(&sp, &err), 0);
}
END_TEST

/* reprocess's move: never over a file that is there */
START_TEST(rename_noreplace_keeps_target)
{
	put("failed/a.xml", "old");
	put("in/a.xml", "new");
	char *from = xasprintf("%s/failed/a.xml", sp.root), *to = xasprintf("%s/in/a.xml", sp.root),
	     *other = xasprintf("%s/in/b.xml", sp.root);
	errno = 0;
	ck_assert_int_eq(fsio_rename_noreplace(from, to), -1);
	ck_assert_int_eq(errno, EEXIST);
	size_t n;
	char *data = t_read_file(to, &n);
	ck_assert_str_eq(data, "new");
	free(data);
	ck_assert(exists("failed/a.xml"));
	ck_assert_int_eq(fsio_rename_noreplace(from, other), 0);
	ck_assert(!exists("failed/a.xml"));
	data = t_read_file(other, &n);
	ck_assert_str_eq(data, "old");
	free(data);
	free(from);
	free(to);
	free(other);
}
END_TEST

START_TEST(archive_path_by_local_date)
{
	time_t t = 1234567890;
	struct tm tm;
	localtime_r(&t, &tm);
	char *want = xasprintf("archive/%04d/%02d/%02d/ID-x.xml.gz", tm.tm_year + 1900,
			       tm.tm_mon + 1, tm.tm_mday);
	char *got = spool_archive_path("ID-x.xml", t, 0);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	/* kept as sent (it came compressed): its own name */
	want = xasprintf("archive/%04d/%02d/%02d/ID-x.zip", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday);
	got = spool_archive_path("ID-x.zip", t, 1);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
}
END_TEST

START_TEST(lock_excludes_other_process)
{
	char *err = NULL;
	ck_assert_int_eq(spool_lock(&sp, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_int_ge(sp.lock_fd, 0);
	char *lockfile = at("ordergate.lock");
	char *content = t_read_file(lockfile, NULL);
	ck_assert_ptr_nonnull(content);
	ck_assert_int_eq(atol(content), (long)getpid());
	free(content);

	/* the child reports through a pipe, not its exit status: under valgrind
	 * the status carries valgrind's verdict on the whole process */
	int res[2];
	ck_assert_int_eq(pipe(res), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(res[0]);
		struct spool other;
		char *e = NULL;
		int code = 10;
		if (spool_open(&other, sp.root, &e) == 0) {
			int rc = spool_lock(&other, &e);
			char *pidtext = xasprintf("pid %ld", (long)getppid());
			/* 1 and a message naming the holder */
			code = rc == 1 && e && strstr(e, pidtext) ? 0 : 20 + rc;
			free(pidtext);
		}
		free(e);
		spool_close(&other);
		free(lockfile);
		unsigned char c = (unsigned char)code;
		_exit(write(res[1], &c, 1) == 1 ? 0 : 1);
	}
	close(res[1]);
	unsigned char code = 255;
	ssize_t got = read(res[0], &code, 1);
	close(res[0]);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	ck_assert_int_eq(got, 1);
	ck_assert_msg(code == 0, "child: %d (21 = locked without the holder's pid, 20 = took the "
		      "lock, 19 = error, 10 = cannot open the spool)", code);

	/* released on close: the next one gets it */
	spool_close(&sp);
	char *root = xasprintf("%s/spool", tmp_dir);
	ck_assert_int_eq(spool_open(&sp, root, &err), 0);
	ck_assert_int_eq(spool_lock(&sp, &err), 0);
	free(root);
	free(lockfile);
}
END_TEST

Suite *suite_spool(void)
{
	Suite *s = suite_create("spool");
	TCase *tc = tcase_create("folders");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, open_creates_states);
	tcase_add_test(tc, open_relative_path_resolves);
	tcase_add_test(tc, open_refuses_missing_root);
	tcase_add_test(tc, open_fails_on_file);
	tcase_add_test(tc, list_skips_temporary_names);
	tcase_add_test(tc, claim_moves_once);
	tcase_add_test(tc, claim_from_inbox_tagged_and_gone);
	tcase_add_test(tc, stage_publish_sync);
	tcase_add_test(tc, stage_replaces_leftover);
	tcase_add_test(tc, stage_failure_is_reported);
	tcase_add_test(tc, move_unlink_exists);
	tcase_add_test(tc, rename_noreplace_keeps_target);
	tcase_add_test(tc, lock_excludes_other_process);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_set_timeout(tc, 30); /* a loaded machine (valgrind, suites side by side) */
	tcase_add_test(tc, new_ids_unique_and_parse);
	tcase_add_test(tc, new_id_uses_fixed_time);
	tcase_add_loop_test(tc, parse_work_name_table, 0, (int)ARRAY_SIZE(work_names));
	tcase_add_test(tc, archive_path_by_local_date);
	suite_add_tcase(s, tc);
	return s;
}
