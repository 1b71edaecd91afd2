/*
 * approve: decisions on held orders (docs/rules.md, "Holds and approvers"),
 * approval files, expiry, the pending list, and the ledger's gap-free
 * numbers. Every test has a ledger of its own in a temporary folder and a
 * fixed clock (ORDERGATE_TIME).
 */
#define _GNU_SOURCE
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "approve.h"
#include "ledger.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"

/* 2024-06-01T10:00:00Z */
#define T0 1717236000LL
#define DAY 86400LL

static char *tmp_dir, *db_path, *saved_time, *saved_tz;
static int had_tz;
static struct ledger lg;

static void set_time(long long t)
{
	char v[32];
	snprintf(v, sizeof v, "%lld", t);
	setenv("ORDERGATE_TIME", v, 1);
}

static void set_tz(const char *tz)
{
	if (tz)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	tzset();
}

static void setup(void)
{
	const char *t = getenv("ORDERGATE_TIME");
	saved_time = t ? xstrdup(t) : NULL;
	const char *z = getenv("TZ");
	had_tz = z != NULL;
	saved_tz = z ? xstrdup(z) : NULL;
	set_time(T0);
	tmp_dir = t_tempdir();
	db_path = xasprintf("%s/ledger.db", tmp_dir);
	char *err = NULL;
	int rc = ledger_open(&lg, db_path, &err);
	ck_assert_msg(rc == 0, "ledger_open: %s", err ? err : "?");
}

static void teardown(void)
{
	ledger_close(&lg);
	t_rmtree(tmp_dir);
	free(db_path);
	free(tmp_dir);
	tmp_dir = db_path = NULL;
	if (saved_time)
		setenv("ORDERGATE_TIME", saved_time, 1);
	else
		unsetenv("ORDERGATE_TIME");
	set_tz(had_tz ? saved_tz : NULL);
	free(saved_time);
	free(saved_tz);
	saved_time = saved_tz = NULL;
}

/* Records an order as a worker's result would: decision "hold" with the
 * given roles as checkpoints (NULL-terminated), or another decision. */
static void add_order(const char *doc_id, const char *order_id, const char *decision,
		      const char *po_number, const char *const *roles)
{
	struct doc_result r;
	memset(&r, 0, sizeof r);
	r.ok = 1;
	sha256_hex(doc_id, strlen(doc_id), r.sha256);
	r.size = 100;
	r.partner = xstrdup("acme");
	r.sender_key = xstrdup("networkid:buyer1");
	r.decision = xstrdup(decision);
	for (int k = 0; roles && roles[k]; k++) {
		r.checkpoints = xrealloc(r.checkpoints, sizeof(char *) * (size_t)(k + 1));
		r.checkpoints[k] = xstrdup(roles[k]);
		r.ncheckpoints = k + 1;
	}
	struct order_info *i = &r.info;
	i->format = xstrdup("cxml");
	i->payload_id = xasprintf("%s@buyer", doc_id);
	i->mode = xstrdup("production");
	i->order_id = xstrdup(order_id);
	i->order_date = xstrdup("2024-06-01");
	i->type = xstrdup("new");
	i->currency = xstrdup("USD");
	i->subtotal = i->total = 12345000; /* 1234.50 */
	i->nlines = 1;
	i->lines = xcalloc(1, sizeof *i->lines);
	i->lines[0].number = 1;
	i->lines[0].quantity = 10000;
	i->lines[0].unit_price = i->lines[0].amount = 12345000;
	i->lines[0].uom = xstrdup("EA");
	i->lines[0].supplier_part = xstrdup("P-1");
	i->lines[0].description = xstrdup("Widget");
	i->lines[0].state = xstrdup(!strcmp(decision, "hold") ? "pending" : "accepted");
	buf_adds(&r.canonical, "<order version=\"1\"/>");

	char *err = NULL;
	struct ledger_doc d = { 0 };
	d.id = doc_id;
	d.name = "order.xml";
	d.received = "2024-06-01T10:00:00+00:00";
	d.state = "done";
	d.res = &r;
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	int rc = ledger_add_document(&lg, &d, &err);
	ck_assert_msg(rc == 0, "ledger_add_document: %s", err ? err : "?");
	rc = ledger_add_order(&lg, doc_id, &r, po_number, 0, &err);
	ck_assert_msg(rc == 0, "ledger_add_order: %s", err ? err : "?");
	ck_assert_int_eq(ledger_commit(&lg, &err), 0);
	pipeline_result_release(&r);
}

static const char *const MGR_FIN[] = { "manager", "finance", NULL };

static void add_held(const char *doc_id, const char *order_id)
{
	add_order(doc_id, order_id, "hold", NULL, MGR_FIN);
}

/* The one order whose document ID is doc_id. */
static struct ledger_order *order_of(const char *doc_id)
{
	struct ledger_order *o = NULL;
	int n = 0;
	ck_assert_int_eq(ledger_find_orders(&lg, doc_id, &o, &n), 0);
	ck_assert_int_eq(n, 1);
	return o;
}

static void assert_state(const char *doc_id, const char *state)
{
	struct ledger_order *o = order_of(doc_id);
	ck_assert_msg(!strcmp(o->state, state), "%s is %s, want %s", doc_id, o->state, state);
	ledger_orders_free(o, 1);
}

/* Checkpoint k (0-based) of an order. */
static void assert_checkpoint(const char *doc_id, int k, const char *role, const char *state,
			      const char *by, const char *comment)
{
	struct ledger_order *o = order_of(doc_id);
	struct ledger_checkpoint *c = NULL;
	int n = 0;
	ck_assert_int_eq(ledger_checkpoints(&lg, o->ref, &c, &n), 0);
	ck_assert_int_gt(n, k);
	ck_assert_int_eq(c[k].seq, k + 1);
	ck_assert_str_eq(c[k].role, role);
	ck_assert_str_eq(c[k].state, state);
	if (by) {
		ck_assert_ptr_nonnull(c[k].decided_by);
		ck_assert_str_eq(c[k].decided_by, by);
		ck_assert_ptr_nonnull(c[k].decided_at);
	} else {
		ck_assert_ptr_null(c[k].decided_by);
		ck_assert_ptr_null(c[k].decided_at);
	}
	if (comment) {
		ck_assert_ptr_nonnull(c[k].comment);
		ck_assert_str_eq(c[k].comment, comment);
	}
	ledger_checkpoints_free(c, n);
	ledger_orders_free(o, 1);
}

static long long count(const char *sql)
{
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_prepare_v2(lg.db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	long long n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void assert_has(const char *hay, const char *needle)
{
	ck_assert_msg(hay && strstr(hay, needle), "\"%s\" lacks \"%s\"", hay ? hay : "(null)",
		      needle);
}

/* approve_decide; asserts its rc and that msg holds want. */
static void decide(const char *key, const char *role, int approve, const char *comment,
		   const char *by, int want_rc, const char *want)
{
	char *msg = NULL, *err = NULL;
	int rc = approve_decide(&lg, key, role, approve, comment, by, &msg, &err);
	ck_assert_msg(rc == want_rc, "%s %s as %s: rc %d (want %d): %s", approve ? "approve" : "reject",
		      key, role, rc, want_rc, msg ? msg : err ? err : "?");
	ck_assert_ptr_null(err);
	ck_assert_ptr_nonnull(msg);
	if (want)
		assert_has(msg, want);
	free(msg);
}

/* --- decisions ---------------------------------------------------------------- */

START_TEST(chain_in_order)
{
	add_held("D-7", "PO-7");
	assert_state("D-7", "pending");
	assert_checkpoint("D-7", 0, "manager", "pending", NULL, NULL);
	assert_checkpoint("D-7", 1, "finance", "pending", NULL, NULL);

	/* finance is in the chain, but after the manager */
	decide("PO-7", "finance", 1, NULL, "bob", 1, "waits for manager first");
	/* a role the order does not wait for at all */
	decide("PO-7", "buyer", 1, NULL, "eve", 1, "needs no decision by buyer");
	assert_checkpoint("D-7", 0, "manager", "pending", NULL, NULL);
	ck_assert_int_eq(count("SELECT count(*) FROM events"), 0);

	decide("PO-7", "manager", 1, "looks fine", "alice", 0, "now waits for finance");
	assert_checkpoint("D-7", 0, "manager", "approved", "alice", "looks fine");
	assert_checkpoint("D-7", 1, "finance", "pending", NULL, NULL);
	assert_state("D-7", "pending");

	/* the same role twice (whatever the case) */
	decide("PO-7", "Manager", 1, NULL, "mallory", 1, "already decided");
	decide("PO-7", "manager", 0, "changed my mind", "alice", 1, "alice");
	assert_checkpoint("D-7", 0, "manager", "approved", "alice", "looks fine");
	assert_state("D-7", "pending");

	/* the last checkpoint, named by document ID */
	decide("D-7", "FINANCE", 1, NULL, "bob", 0, "fully approved");
	assert_checkpoint("D-7", 1, "finance", "approved", "bob", NULL);
	assert_state("D-7", "approved");
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE document_id = 'D-7'"
			       " AND kind = 'approved'"),
			 2);

	/* nothing waits any more */
	decide("PO-7", "finance", 1, NULL, "bob", 1, "not waiting for approval: it is approved");
	decide("PO-7", "manager", 0, NULL, "bob", 1,
	       "it is approved (its purchase order and confirmation are being written)");
	assert_state("D-7", "approved");
}
END_TEST

START_TEST(reject_declines)
{
	add_held("D-8", "PO-8");
	decide("PO-8", "manager", 0, "too dear", "carol", 0, "rejected by manager");
	assert_state("D-8", "declined");
	assert_checkpoint("D-8", 0, "manager", "rejected", "carol", "too dear");
	assert_checkpoint("D-8", 1, "finance", "pending", NULL, NULL);
	struct ledger_order *o = order_of("D-8");
	ck_assert_ptr_nonnull(o->message);
	ck_assert_str_eq(o->message, "too dear");
	ledger_orders_free(o, 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE document_id = 'D-8'"
			       " AND kind = 'rejected'"),
			 1);
	decide("PO-8", "finance", 1, NULL, "bob", 1,
	       "it is declined: rejected, its rejection to the buyer being written");

	/* a rejection at the last checkpoint, without a comment */
	add_held("D-9", "PO-9");
	decide("PO-9", "manager", 1, "", NULL, 0, "now waits for finance");
	decide("PO-9", "finance", 0, NULL, NULL, 0, "rejected by finance");
	assert_state("D-9", "declined");
	o = order_of("D-9");
	ck_assert_ptr_nonnull(o->message);
	ck_assert_str_eq(o->message, "rejected by the approver");
	ledger_orders_free(o, 1);
	/* nobody named */
	assert_checkpoint("D-9", 0, "manager", "approved", "(not named)", NULL);
	assert_checkpoint("D-9", 1, "finance", "rejected", "(not named)", NULL);
}
END_TEST

START_TEST(unknown_and_ambiguous)
{
	decide("NOPE", "manager", 1, NULL, "x", 2, "no order NOPE");

	/* two orders numbered PO-10 wait (from different documents) */
	add_held("D-10a", "PO-10");
	add_held("D-10b", "PO-10");
	decide("PO-10", "manager", 1, NULL, "x", 1, "2 orders numbered PO-10");
	decide("PO-10", "manager", 1, NULL, "x", 1, "D-10a");
	decide("PO-10", "manager", 1, NULL, "x", 1, "D-10b");
	assert_checkpoint("D-10a", 0, "manager", "pending", NULL, NULL);
	assert_checkpoint("D-10b", 0, "manager", "pending", NULL, NULL);
	/* by document ID it is clear */
	decide("D-10b", "manager", 0, "no", "x", 0, "D-10b");
	assert_state("D-10b", "declined");
	assert_state("D-10a", "pending");
	/* now one of the two waits: the number is enough */
	decide("PO-10", "manager", 1, NULL, "x", 0, "D-10a");
	assert_checkpoint("D-10a", 0, "manager", "approved", "x", NULL);

	/* an order that never waited, found by our PO number */
	add_order("D-11", "PO-11", "accept", "PO-acme-000001", NULL);
	decide("PO-acme-000001", "manager", 1, NULL, "x", 1, "it is confirmed");
	decide("PO-11", "manager", 1, NULL, "x", 1, "not waiting");
	add_order("D-12", "PO-12", "reject", NULL, NULL);
	decide("PO-12", "manager", 1, NULL, "x", 1, "it is rejected");
}
END_TEST

START_TEST(decision_rolls_back)
{
	add_held("D-13", "PO-13");
	char *err = NULL, *msg = NULL;
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	ck_assert_int_eq(approve_decide(&lg, "PO-13", "manager", 0, "no", "x", &msg, &err), 0);
	free(msg);
	ledger_rollback(&lg);
	assert_state("D-13", "pending");
	assert_checkpoint("D-13", 0, "manager", "pending", NULL, NULL);
	ck_assert_int_eq(count("SELECT count(*) FROM events"), 0);
}
END_TEST

/* --- approval files ------------------------------------------------------------ */

static char *write_csv(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", tmp_dir, name);
	t_write_file(p, text, strlen(text));
	return p;
}

START_TEST(approval_file)
{
	add_held("D-7", "PO-7");
	add_held("D-8", "PO-8");
	char *path = write_csv("approvals.csv",
			       "\xef\xbb\xbforder,role,decision,comment,by\r\n" /* 1 */
			       "PO-7,manager,approve,,alice\r\n"                 /* 2 */
			       "PO-7,finance,maybe,,bob\r\n"                     /* 3 */
			       "PO-7,finance\r\n"                                /* 4 */
			       "\r\n"                                            /* 5 */
			       "# a comment\r\n"                                 /* 6 */
			       "PO-8,manager,REJECTED,over budget,carol\r\n"     /* 7 */
			       "NOPE,manager,approve,,x\r\n"                     /* 8 */
			       " PO-7 , finance , Approve , fine , bob \r\n"     /* 9 */
			       ",manager,approve\r\n");                          /* 10 */
	struct buf report = BUF_INIT, applied = BUF_INIT;
	char *err = NULL;
	int refused = approve_file(&lg, path, &report, &applied, &err);
	ck_assert_ptr_null(err);
	const char *rep = buf_str(&report), *app = buf_str(&applied);
	ck_assert_msg(refused == 4, "refused %d, report:\n%s", refused, rep);
	ck_assert_msg(strstr(rep, "line 1:") == NULL && strstr(app, "line 1:") == NULL,
		      "the header was taken as a decision:\n%s%s", rep, app);
	/* the refused lines, and only they, in one report; the applied in the other */
	assert_has(app, "line 2: order PO-7 (D-7) approved by manager; it now waits for finance\n");
	assert_has(rep, "line 3: refused: decision \"maybe\" is not approve or reject\n");
	assert_has(rep, "line 4: refused: needs order,role,decision");
	ck_assert_ptr_null(strstr(rep, "line 5:"));
	ck_assert_ptr_null(strstr(rep, "line 6:"));
	assert_has(app, "line 7: order PO-8 (D-8) rejected by manager");
	assert_has(rep, "line 8: refused: no order NOPE");
	assert_has(app, "line 9: order PO-7 (D-7) approved by finance: fully approved");
	assert_has(rep, "line 10: refused: needs order,role,decision");
	ck_assert_msg(!strstr(rep, "line 2:") && !strstr(rep, "line 7:") && !strstr(rep, "line 9:"),
		      "applied lines among the refused:\n%s", rep);
	ck_assert_msg(!strstr(app, "refused"), "refused lines among the applied:\n%s", app);
	assert_state("D-7", "approved");
	assert_state("D-8", "declined");
	assert_checkpoint("D-7", 0, "manager", "approved", "alice", NULL);
	assert_checkpoint("D-7", 1, "finance", "approved", "bob", "fine");
	assert_checkpoint("D-8", 0, "manager", "rejected", "carol", "over budget");
	buf_release(&report);
	buf_release(&applied);
	free(path);

	/* no header: the first line is a decision */
	add_held("D-14", "PO-14");
	path = write_csv("plain.csv", "PO-14,manager,approve\n");
	ck_assert_int_eq(approve_file(&lg, path, &report, &applied, &err), 0);
	assert_has(buf_str(&applied), "line 1: order PO-14 (D-14) approved by manager");
	ck_assert_str_eq(buf_str(&report), "");
	assert_checkpoint("D-14", 0, "manager", "approved", "(not named)", NULL);
	buf_release(&report);
	free(path);

	/* an unreadable file */
	path = xasprintf("%s/missing.csv", tmp_dir);
	ck_assert_int_eq(approve_file(&lg, path, &report, &applied, &err), -1);
	assert_has(err, path);
	free(err);
	free(path);
	buf_release(&report);
	buf_release(&applied);
}
END_TEST

/* CSV as a spreadsheet writes it: a comment with a comma or a quote is in
 * double quotes (a quote inside doubled). A line with more fields than
 * order,role,decision,comment,by, or a quote never closed, is refused: its
 * comment and approver cannot be told apart. */
START_TEST(approval_file_quoted)
{
	add_held("D-30", "PO-30");
	add_held("D-31", "PO-31");
	add_held("D-32", "PO-32");
	add_held("D-33", "PO-33");
	char *path = write_csv("quoted.csv",
			       "order,role,decision,comment,by\r\n"                     /* 1 */
			       "PO-30,manager,reject,\"over budget, sorry\",bob\r\n"     /* 2 */
			       "PO-31,manager,approve, \"he said \"\"ok\"\"\" ,al\r\n"  /* 3 */
			       "PO-32,manager,reject,over budget, sorry,bob\r\n"        /* 4 */
			       "PO-33,manager,approve,\"never closed,al\r\n"           /* 5 */
			       "PO-33,manager,approve,\"x\"y,al\r\n");                /* 6 */
	struct buf report = BUF_INIT, applied = BUF_INIT;
	char *err = NULL;
	int refused = approve_file(&lg, path, &report, &applied, &err);
	ck_assert_ptr_null(err);
	const char *rep = buf_str(&report), *app = buf_str(&applied);
	ck_assert_msg(refused == 3, "refused %d, report:\n%s", refused, rep);
	assert_checkpoint("D-30", 0, "manager", "rejected", "bob", "over budget, sorry");
	assert_checkpoint("D-31", 0, "manager", "approved", "al", "he said \"ok\"");
	assert_has(app, "line 2: order PO-30 (D-30) rejected by manager");
	assert_has(rep, "line 4: refused: 6 fields, more than order,role,decision,comment,by "
			"(a comment with a comma goes in double quotes)\n");
	assert_has(rep, "line 5: refused: a double quote that is not closed on the line\n");
	assert_has(rep, "line 6: refused: text after the closing double quote of field 4\n");
	assert_state("D-32", "pending");
	assert_state("D-33", "pending");
	buf_release(&report);
	buf_release(&applied);
	free(path);
}
END_TEST

/* A file put back after a fix (ordergate reprocess): the lines its first
 * pass applied are reported as already applied and change nothing; the
 * corrected line is applied; a conflicting decision, or the same one by
 * another approver, is still refused. */
START_TEST(approval_file_retried)
{
	add_held("D-20", "PO-20");
	add_held("D-21", "PO-21");
	struct buf report = BUF_INIT, applied = BUF_INIT;
	char *err = NULL;
	char *path = write_csv("retry.csv", "order,role,decision,comment,by\n"
					    "PO-20,manager,approve,ok,alice\n"
					    "PO-21,manger,approve,ok,alice\n");
	ck_assert_int_eq(approve_file(&lg, path, &report, &applied, &err), 1);
	assert_has(buf_str(&report), "line 3: refused: order PO-21 needs no decision by manger");
	free(path);
	buf_reset(&report);
	buf_reset(&applied);
	/* the retry, corrected */
	path = write_csv("retry.csv", "order,role,decision,comment,by\n"
				      "PO-20,manager,approve,ok,alice\n"
				      "PO-21,manager,approve,ok,alice\n");
	int refused = approve_file(&lg, path, &report, &applied, &err);
	ck_assert_msg(refused == 0, "refused %d:\n%s", refused, buf_str(&report));
	assert_has(buf_str(&applied), "line 2: already applied: order PO-20 (D-20): manager "
				      "approved by alice at ");
	assert_has(buf_str(&applied), "line 3: order PO-21 (D-21) approved by manager");
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE document_id = 'D-20' AND "
			       "kind = 'approved'"),
			 1);
	assert_checkpoint("D-20", 0, "manager", "approved", "alice", "ok");
	assert_checkpoint("D-20", 1, "finance", "pending", NULL, NULL);
	free(path);
	buf_reset(&report);
	buf_reset(&applied);
	/* conflicts stay refused: reject after approve, the same approval by
	 * another approver or by nobody named; the next role is applied */
	path = write_csv("conflict.csv", "PO-20,manager,reject,no,alice\n"
					 "PO-20,manager,approve,ok,bob\n"
					 "PO-20,manager,approve\n"
					 "PO-20,finance,approve,fine,alice\n");
	ck_assert_int_eq(approve_file(&lg, path, &report, &applied, &err), 3);
	assert_has(buf_str(&report), "line 1: refused: order PO-20: manager already decided");
	assert_has(buf_str(&report), "line 2: refused: order PO-20: manager already decided");
	assert_has(buf_str(&report), "line 3: refused: order PO-20: manager already decided");
	assert_has(buf_str(&applied), "line 4: order PO-20 (D-20) approved by finance: fully");
	assert_state("D-20", "approved");
	free(path);
	buf_reset(&report);
	buf_reset(&applied);
	/* once the order is released (confirmed), the same lines again are
	 * still already applied; a decision it never had is refused */
	char *e = NULL;
	struct ledger_order *o = order_of("D-20");
	ck_assert_int_eq(ledger_set_order_state(&lg, o->ref, "confirmed", NULL, &e), 0);
	ledger_orders_free(o, 1);
	path = write_csv("again.csv", "PO-20,manager,approve,ok,alice\n"
				      "PO-20,finance,approve,fine,alice\n"
				      "PO-20,finance,reject,no,alice\n");
	ck_assert_int_eq(approve_file(&lg, path, &report, &applied, &err), 1);
	assert_has(buf_str(&applied), "line 1: already applied: order PO-20 (D-20)");
	assert_has(buf_str(&applied), "line 2: already applied: order PO-20 (D-20): finance "
				      "approved by alice");
	assert_has(buf_str(&report), "line 3: refused: order PO-20 is not waiting for approval: "
				     "it is confirmed");
	free(path);
	buf_reset(&report);
	buf_reset(&applied);
	/* three orders numbered PO-30: alice approved one as manager, two wait
	 * for the manager: the line is ambiguous, not already applied */
	add_held("D-30", "PO-30");
	add_held("D-31", "PO-30");
	add_held("D-32", "PO-30");
	ck_assert_int_eq(approve_decide(&lg, "D-30", "manager", 1, NULL, "alice", &e, &err), 0);
	free(e);
	path = write_csv("ambiguous.csv", "PO-30,manager,approve,,alice\n");
	ck_assert_int_eq(approve_file(&lg, path, &report, &applied, &err), 1);
	assert_has(buf_str(&report), "line 1: refused: 3 orders numbered PO-30 wait for approval");
	ck_assert_ptr_null(err);
	free(path);
	buf_release(&report);
	buf_release(&applied);
}
END_TEST

/* --- expiry -------------------------------------------------------------------- */

START_TEST(expire_declines_old_pending)
{
	add_held("D-old", "PO-old");
	add_order("D-done", "PO-done", "accept", NULL, NULL);
	set_time(T0 + 10 * DAY);
	add_held("D-new", "PO-new");
	char *err = NULL;

	set_time(T0 + 14 * DAY - 60);
	ck_assert_int_eq(approve_expire(&lg, 14, &err), 0);
	assert_state("D-old", "pending");

	set_time(T0 + 14 * DAY + 60);
	ck_assert_int_eq(approve_expire(&lg, 14, &err), 1);
	ck_assert_ptr_null(err);
	assert_state("D-old", "declined");
	assert_state("D-new", "pending");
	assert_state("D-done", "confirmed");
	struct ledger_order *o = order_of("D-old");
	ck_assert_ptr_nonnull(o->message);
	assert_has(o->message, "14 days");
	ledger_orders_free(o, 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE document_id = 'D-old'"
			       " AND kind = 'expired'"),
			 1);
	/* once is enough */
	ck_assert_int_eq(approve_expire(&lg, 14, &err), 0);
	/* and a declined order takes no more decisions */
	decide("PO-old", "manager", 1, NULL, "x", 1, "it is declined");

	set_time(T0 + 24 * DAY + 60);
	ck_assert_int_eq(approve_expire(&lg, 14, &err), 1);
	assert_state("D-new", "declined");
	/* a shorter limit takes everything pending */
	add_held("D-last", "PO-last");
	set_time(T0 + 26 * DAY + 60);
	ck_assert_int_eq(approve_expire(&lg, 1, &err), 1);
	assert_state("D-last", "declined");
}
END_TEST

/* The age of a pending order does not depend on the local time zone. */
static const char *const zones[] = { "UTC", "Asia/Tokyo", "America/New_York",
				     "Pacific/Chatham" };

START_TEST(expire_in_any_time_zone)
{
	set_tz(zones[_i]);
	add_held("D-tz", "PO-tz");
	char *err = NULL;
	set_time(T0 + 14 * DAY - 3600);
	int n = approve_expire(&lg, 14, &err);
	ck_assert_msg(n == 0, "TZ=%s: an order pending 14 days less an hour expired", zones[_i]);
	set_time(T0 + 14 * DAY + 3600);
	n = approve_expire(&lg, 14, &err);
	ck_assert_msg(n == 1, "TZ=%s: an order pending 14 days and an hour did not expire",
		      zones[_i]);
	assert_state("D-tz", "declined");
}
END_TEST

/* --- pending list -------------------------------------------------------------- */

/* approve_list's output (caller frees) and its return value. */
static char *list(int *n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	*n = approve_list(&lg, 0, f);
	fclose(f);
	return text;
}

/* Column of needle in line (which ends at '\n'), -1 if absent. */
static long col_of(const char *line, const char *needle)
{
	const char *end = strchr(line, '\n');
	const char *p = strstr(line, needle);
	return p && (!end || p < end) ? (long)(p - line) : -1;
}

START_TEST(pending_list)
{
	int n = -1;
	char *out = list(&n);
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(out, "no order waits for approval\n");
	free(out);

	add_held("D-7", "PO-7");
	add_order("D-done", "PO-done", "accept", NULL, NULL);
	static const char *const three[] = { "manager", "finance", "ceo", NULL };
	add_order("D-8", "PO-8", "hold", NULL, three);
	out = list(&n);
	ck_assert_int_eq(n, 2);
	const char *head = out;
	const char *row1 = strchr(head, '\n');
	ck_assert_ptr_nonnull(row1);
	row1++;
	const char *row2 = strchr(row1, '\n');
	ck_assert_ptr_nonnull(row2);
	row2++;
	ck_assert_ptr_nonnull(strchr(row2, '\n'));
	ck_assert_str_eq(strchr(row2, '\n'), "\n"); /* two rows, nothing else */
	ck_assert_int_eq(col_of(head, "DOCUMENT"), 0);
	ck_assert_int_eq(col_of(row1, "D-7"), 0);
	ck_assert_int_eq(col_of(row2, "D-8"), 0);
	ck_assert_int_gt(col_of(head, "ORDER"), 0);
	ck_assert_int_eq(col_of(row1, "PO-7"), col_of(head, "ORDER"));
	ck_assert_int_eq(col_of(row1, "acme"), col_of(head, "PARTNER"));
	/* the total is right-aligned under TOTAL */
	ck_assert_int_eq(col_of(row1, "1234.50 USD") + (long)strlen("1234.50 USD"),
			 col_of(head, "TOTAL") + (long)strlen("TOTAL"));
	ck_assert_int_eq(col_of(row1, "manager, then finance"), col_of(head, "WAITS FOR"));
	ck_assert_int_eq(col_of(row2, "manager, then finance, then ceo"), col_of(head, "WAITS FOR"));
	char since[32];
	iso_time((time_t)T0, since);
	ck_assert_int_eq(col_of(row1, since), col_of(head, "SINCE"));
	ck_assert_int_eq(col_of(out, "D-done"), -1);
	ck_assert_ptr_null(strstr(out, "D-done"));
	free(out);

	/* once the manager approved, the list names the next role only */
	decide("PO-7", "manager", 1, NULL, "alice", 0, NULL);
	decide("PO-8", "manager", 1, NULL, "alice", 0, NULL);
	decide("PO-8", "finance", 1, NULL, "bob", 0, NULL);
	out = list(&n);
	ck_assert_int_eq(n, 2);
	row1 = strchr(out, '\n') + 1;
	row2 = strchr(row1, '\n') + 1;
	ck_assert_int_eq(col_of(row1, "finance"), col_of(out, "WAITS FOR"));
	ck_assert_int_eq(col_of(row1, "manager"), -1);
	ck_assert_int_eq(col_of(row2, "ceo"), col_of(out, "WAITS FOR"));
	ck_assert_int_eq(col_of(row2, "finance"), -1);
	free(out);
	decide("PO-7", "finance", 0, NULL, "bob", 0, NULL);
	decide("PO-8", "ceo", 1, NULL, "bob", 0, NULL);
	out = list(&n);
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(out, "no order waits for approval\n");
	free(out);
}
END_TEST

/* --- numbers ------------------------------------------------------------------- */

static char *next(const char *partner, const char *kind, const char *pattern)
{
	char *err = NULL;
	char *num = ledger_next_number(&lg, partner, kind, pattern, &err);
	ck_assert_msg(num != NULL, "ledger_next_number: %s", err ? err : "?");
	ck_assert_ptr_null(err);
	return num;
}

static void assert_next(const char *partner, const char *kind, const char *pattern,
			const char *want)
{
	char *num = next(partner, kind, pattern);
	ck_assert_msg(!strcmp(num, want), "%s/%s: \"%s\", want \"%s\"", partner, kind, num, want);
	free(num);
}

START_TEST(numbers_gap_free)
{
	const char *pat = "PO-{partner}-{yyyy}-{seq:6}";
	struct tm tm;
	time_t t0 = (time_t)T0;
	localtime_r(&t0, &tm);
	char yyyy[16];
	snprintf(yyyy, sizeof yyyy, "%04d", tm.tm_year + 1900);
	char want[64];
#define WANT(fmt, ...) (snprintf(want, sizeof want, fmt, __VA_ARGS__), want)
	assert_next("acme", "po", pat, WANT("PO-acme-%s-000001", yyyy));
	assert_next("acme", "po", pat, WANT("PO-acme-%s-000002", yyyy));
	/* per partner */
	assert_next("zinc", "po", pat, WANT("PO-zinc-%s-000001", yyyy));
	/* per kind; a test kind is prefixed and counts apart */
	assert_next("acme", "po-test", pat, WANT("TEST-PO-acme-%s-000001", yyyy));
	assert_next("acme", "invoice", "INV-{seq}", "INV-1");
	assert_next("acme", "po", pat, WANT("PO-acme-%s-000003", yyyy));
	assert_next("acme", "po-test", pat, WANT("TEST-PO-acme-%s-000002", yyyy));

	/* a rollback takes the number back */
	char *err = NULL;
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	assert_next("acme", "po", pat, WANT("PO-acme-%s-000004", yyyy));
	assert_next("acme", "po", pat, WANT("PO-acme-%s-000005", yyyy));
	ledger_rollback(&lg);
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	assert_next("acme", "po", pat, WANT("PO-acme-%s-000004", yyyy));
	ck_assert_int_eq(ledger_commit(&lg, &err), 0);

	/* kept over a reopen */
	ledger_close(&lg);
	ck_assert_int_eq(ledger_open(&lg, db_path, &err), 0);
	assert_next("acme", "po", pat, WANT("PO-acme-%s-000005", yyyy));
	assert_next("zinc", "po", pat, WANT("PO-zinc-%s-000002", yyyy));
#undef WANT
}
END_TEST

START_TEST(number_placeholders)
{
	struct tm tm;
	time_t t0 = (time_t)T0;
	localtime_r(&t0, &tm);
	char want[128];
	snprintf(want, sizeof want, "%02d%02d%02d/%04d/7/007/{bogus}/acme/{partner",
		 tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900);
	/* seven numbers of a kind: the seventh is formatted */
	for (int i = 0; i < 6; i++)
		free(next("acme", "fmt", "x"));
	assert_next("acme", "fmt", "{yy}{mm}{dd}/{yyyy}/{seq}/{seq:3}/{bogus}/{partner}/{partner",
		    want);
	/* a wider number than the padding stays whole */
	assert_next("acme", "fmt", "{seq:1}", "8");
	/* no placeholder at all */
	assert_next("acme", "fmt", "FIXED", "FIXED");
	assert_next("acme", "fmt", "{seq}", "10");
}
END_TEST

Suite *suite_approve(void)
{
	Suite *s = suite_create("approve");
	TCase *tc = tcase_create("decide");
	tcase_set_timeout(tc, 60); /* synchronous=FULL on a slow disk */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, chain_in_order);
	tcase_add_test(tc, reject_declines);
	tcase_add_test(tc, unknown_and_ambiguous);
	tcase_add_test(tc, decision_rolls_back);
	tcase_add_test(tc, approval_file);
	tcase_add_test(tc, approval_file_retried);
	tcase_add_test(tc, approval_file_quoted);
	tcase_add_test(tc, expire_declines_old_pending);
	tcase_add_loop_test(tc, expire_in_any_time_zone, 0, (int)ARRAY_SIZE(zones));
	tcase_add_test(tc, pending_list);
	suite_add_tcase(s, tc);
	tc = tcase_create("numbers");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, numbers_gap_free);
	tcase_add_test(tc, number_placeholders);
	suite_add_tcase(s, tc);
	return s;
}
