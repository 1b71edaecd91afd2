/*
 * ledger: the SQLite record of documents, orders, outputs and events.
 */
#define _GNU_SOURCE
#include <check.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ledger.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"

static char *tmp_dir, *db_path;
static struct ledger lg;

static void setup(void)
{
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
}

/* A translated document's result as the pipeline would return it. */
static void fake_result(struct doc_result *r, const char *payload_id, const char *sha_seed)
{
	memset(r, 0, sizeof *r);
	r->ok = 1;
	sha256_hex(sha_seed, strlen(sha_seed), r->sha256);
	r->size = 1234;
	r->partner = xstrdup("buyer1");
	r->sender_key = xstrdup("networkid:buyer1");
	r->decision = xstrdup("accept");
	struct order_info *i = &r->info;
	i->format = xstrdup("cxml");
	i->payload_id = xstrdup(payload_id);
	i->timestamp = xstrdup("2024-03-01T10:00:00-05:00");
	i->mode = xstrdup("production");
	i->sender_domain = xstrdup("NetworkID");
	i->sender_identity = xstrdup("Buyer1");
	i->order_id = xstrdup("PO-1");
	i->order_date = xstrdup("2024-03-01");
	i->type = xstrdup("new");
	i->currency = xstrdup("USD");
	i->stated_total = 3000;
	i->has_stated_total = 1;
	i->subtotal = i->total = 3000;
	i->nlines = 2;
	i->lines = xcalloc(2, sizeof *i->lines);
	for (int k = 0; k < 2; k++) {
		i->lines[k].number = k + 1;
		i->lines[k].quantity = 30000;
		i->lines[k].unit_price = 500;
		i->lines[k].amount = 1500;
		i->lines[k].uom = xstrdup("EA");
		i->lines[k].supplier_part = xasprintf("P-%d", k + 1);
		i->lines[k].description = xstrdup("Widget");
	}
	buf_adds(&r->canonical, "<order version=\"1\"/>");
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

static void add_done(const char *id, const struct doc_result *r)
{
	char *err = NULL;
	struct ledger_doc d = { 0 };
	d.id = id;
	d.name = "order.xml";
	d.received = "2024-03-01T10:00:01+00:00";
	d.state = "done";
	d.archive_path = "archive/2024/03/01/x.gz";
	d.res = r;
	int rc = ledger_add_document(&lg, &d, &err);
	ck_assert_msg(rc == 0, "ledger_add_document: %s", err ? err : "?");
	rc = ledger_add_order(&lg, id, r, NULL, 0, &err);
	ck_assert_msg(rc == 0, "ledger_add_order: %s", err ? err : "?");
}

START_TEST(open_creates_schema)
{
	ck_assert_int_eq(count("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
			       " ('documents','payloads','orders','order_lines','outputs','events')"),
			 6);
	ck_assert_int_eq(count("PRAGMA user_version"), 6);
	ck_assert_int_eq(count("SELECT count(*) FROM documents"), 0);
	/* opening an existing ledger again keeps it */
	ledger_close(&lg);
	char *err = NULL;
	ck_assert_int_eq(ledger_open(&lg, db_path, &err), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM sqlite_master WHERE type = 'table'"), 13);
}
END_TEST

START_TEST(open_fails_with_message)
{
	struct ledger other;
	char *err = NULL;
	char *bad = xasprintf("%s/no/such/dir/ledger.db", tmp_dir);
	ck_assert_int_eq(ledger_open(&other, bad, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err, bad));
	free(err);
	ledger_close(&other);
	free(bad);
}
END_TEST

START_TEST(transaction_commits_everything)
{
	struct doc_result r;
	fake_result(&r, "pid-1@buyer", "doc one");
	char *err = NULL;
	const char *id = "20240301-100000-000001-000001";
	ck_assert_ptr_null(ledger_document_state(&lg, id));

	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	add_done(id, &r);
	ck_assert_int_eq(ledger_add_output(&lg, id, "po", "cxml", "buyer1", "out/buyer1/po/a.xml",
					   "t-a", "id.po@host", "sha-a", 100, &err), 0);
	ck_assert_int_eq(ledger_add_output(&lg, id, "confirmation", "cxml", "buyer1",
					   "out/buyer1/confirmation/a.xml", "t-b",
					   "id.confirmation@host", "sha-b", 200, &err), 0);
	ck_assert_int_eq(ledger_event(&lg, id, "translated", "2 outputs", &err), 0);
	ck_assert_int_eq(ledger_commit(&lg, &err), 0);
	ck_assert_ptr_null(err);

	char *state = ledger_document_state(&lg, id);
	ck_assert_str_eq(state, "done");
	free(state);

	char *doc_id = NULL, *sha = NULL;
	ck_assert_int_eq(ledger_find_payload(&lg, "networkid:buyer1", "pid-1@buyer", &doc_id, &sha),
			 1);
	ck_assert_str_eq(doc_id, id);
	ck_assert_str_eq(sha, r.sha256);
	free(doc_id);
	free(sha);
	ck_assert_int_eq(ledger_find_payload(&lg, "networkid:buyer1", "other", &doc_id, &sha), 0);
	ck_assert_int_eq(ledger_find_payload(&lg, "networkid:someone", "pid-1@buyer", &doc_id, &sha),
			 0);

	ck_assert_int_eq(count("SELECT count(*) FROM orders"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM order_lines"), 2);
	ck_assert_int_eq(count("SELECT sum(amount_e4) FROM order_lines"), 3000);
	ck_assert_int_eq(count("SELECT total_e4 FROM orders"), 3000);
	ck_assert_int_eq(count("SELECT stated_total_e4 FROM orders"), 3000);
	ck_assert_int_eq(count("SELECT count(*) FROM orders WHERE state = 'confirmed'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'translated'"), 1);

	struct ledger_output *o = NULL;
	int n = -1;
	ck_assert_int_eq(ledger_outputs(&lg, id, &o, &n), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(o[0].kind, "po");
	ck_assert_str_eq(o[0].path, "out/buyer1/po/a.xml");
	ck_assert_str_eq(o[0].tmp_name, "t-a");
	ck_assert_str_eq(o[0].sha256, "sha-a");
	ck_assert_str_eq(o[1].kind, "confirmation");
	ledger_outputs_free(o, n);

	ck_assert_int_eq(ledger_outputs(&lg, "unknown-id", &o, &n), 0);
	ck_assert_int_eq(n, 0);
	ledger_outputs_free(o, n);
	pipeline_result_release(&r);
}
END_TEST

START_TEST(no_stated_total_is_null)
{
	struct doc_result r;
	fake_result(&r, "pid-2@buyer", "doc two");
	r.info.has_stated_total = 0;
	char *err = NULL;
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	add_done("D2", &r);
	ck_assert_int_eq(ledger_commit(&lg, &err), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM orders WHERE stated_total_e4 IS NULL"), 1);
	pipeline_result_release(&r);
}
END_TEST

START_TEST(rollback_leaves_nothing)
{
	struct doc_result r;
	fake_result(&r, "pid-3@buyer", "doc three");
	char *err = NULL;
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	add_done("D3", &r);
	ck_assert_int_eq(ledger_add_output(&lg, "D3", "po", "cxml", "buyer1", "out/x.xml", "t",
					   "p", "s", 1, &err), 0);
	ledger_rollback(&lg);
	ck_assert_ptr_null(ledger_document_state(&lg, "D3"));
	char *doc_id = NULL, *sha = NULL;
	ck_assert_int_eq(ledger_find_payload(&lg, "networkid:buyer1", "pid-3@buyer", &doc_id, &sha),
			 0);
	ck_assert_int_eq(count("SELECT count(*) FROM documents"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM orders"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM order_lines"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM outputs"), 0);
	/* and the ledger is usable afterwards */
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	add_done("D3", &r);
	ck_assert_int_eq(ledger_commit(&lg, &err), 0);
	char *state = ledger_document_state(&lg, "D3");
	ck_assert_str_eq(state, "done");
	free(state);
	pipeline_result_release(&r);
}
END_TEST

START_TEST(constraints_are_errors)
{
	struct doc_result r;
	fake_result(&r, "pid-4@buyer", "doc four");
	char *err = NULL;
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	add_done("D4", &r);
	/* the same payload again: the (sender, payloadID) key refuses it */
	struct ledger_doc d = { 0 };
	d.id = "D5";
	d.name = "again.xml";
	d.received = "2024-03-01T10:00:01+00:00";
	d.state = "done";
	d.res = &r;
	ck_assert_int_eq(ledger_add_document(&lg, &d, &err), 0);
	ck_assert_int_eq(ledger_add_order(&lg, "D5", &r, NULL, 0, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err, db_path));
	free(err);
	err = NULL;
	/* a state outside done/duplicate/failed */
	d.id = "D6";
	d.state = "bogus";
	ck_assert_int_eq(ledger_add_document(&lg, &d, &err), -1);
	ck_assert_ptr_nonnull(err);
	free(err);
	err = NULL;
	/* an output path is unique */
	ck_assert_int_eq(ledger_add_output(&lg, "D4", "po", "cxml", "b", "out/same.xml", "t", "p",
					   "s", 1, &err), 0);
	ck_assert_int_eq(ledger_add_output(&lg, "D4", "po", "cxml", "b", "out/same.xml", "t", "p",
					   "s", 1, &err), -1);
	ck_assert_ptr_nonnull(err);
	free(err);
	err = NULL;
	/* an output or event of a document the ledger does not know */
	ck_assert_int_eq(ledger_add_output(&lg, "nosuch", "po", "cxml", "b", "out/n.xml", "t", "p",
					   "s", 1, &err), -1);
	ck_assert_ptr_nonnull(err);
	free(err);
	ledger_rollback(&lg);
	pipeline_result_release(&r);
}
END_TEST

START_TEST(failure_text_and_states)
{
	struct doc_result r;
	memset(&r, 0, sizeof r);
	sha256_hex("broken", 6, r.sha256);
	r.size = 6;
	char *err = NULL;
	struct ledger_doc d = { 0 };
	d.id = "F1";
	d.name = "broken.xml";
	d.received = "2024-03-01T10:00:01+00:00";
	d.state = "failed";
	d.stage = "parse";
	d.reason = "not well-formed XML: line 3, column 7: expected '>'";
	d.hint = "ask the sender to correct and resend the document";
	d.failed_path = "failed/F1-broken.xml";
	d.res = &r;
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	ck_assert_int_eq(ledger_add_document(&lg, &d, &err), 0);
	d.id = "U1";
	d.name = "dup.xml";
	d.state = "duplicate";
	d.stage = d.reason = d.hint = NULL;
	d.duplicate_of = "F0";
	ck_assert_int_eq(ledger_add_document(&lg, &d, &err), 0);
	ck_assert_int_eq(ledger_commit(&lg, &err), 0);

	char *state = ledger_document_state(&lg, "F1");
	ck_assert_str_eq(state, "failed");
	free(state);
	state = ledger_document_state(&lg, "U1");
	ck_assert_str_eq(state, "duplicate");
	free(state);

	char *text = ledger_failure_text(&lg, "F1");
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "document: F1\n"));
	ck_assert_ptr_nonnull(strstr(text, "file: broken.xml\n"));
	ck_assert_ptr_nonnull(strstr(text, "received: 2024-03-01T10:00:01+00:00\n"));
	ck_assert_ptr_nonnull(strstr(text, "stage: parse\n"));
	ck_assert_ptr_nonnull(strstr(text, "error: not well-formed XML: line 3, column 7"));
	ck_assert_ptr_nonnull(strstr(text, "what to do: ask the sender"));
	free(text);
	ck_assert_ptr_null(ledger_failure_text(&lg, "nosuch"));
}
END_TEST

/* An archive's listing includes its members' outputs (ID.1, ID.2, ...), and
 * only theirs: another document whose ID merely starts the same is not. */
START_TEST(outputs_include_archive_members)
{
	struct doc_result r;
	memset(&r, 0, sizeof r);
	sha256_hex("zip", 3, r.sha256);
	char *err = NULL;
	static const char *const ids[] = { "A1", "A1.1", "A1.2", "A10", "A1x1" };
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		struct ledger_doc d = { 0 };
		d.id = ids[i];
		d.name = "batch.zip";
		d.received = "2024-03-01T10:00:01+00:00";
		d.state = "done";
		d.res = &r;
		ck_assert_int_eq(ledger_add_document(&lg, &d, &err), 0);
		char *path = xasprintf("out/p/po/%s.xml", ids[i]);
		ck_assert_int_eq(ledger_add_output(&lg, ids[i], "po", "cxml", "p", path, "t", "pid",
						   "sha", 1, &err), 0);
		free(path);
	}
	ck_assert_int_eq(ledger_commit(&lg, &err), 0);
	struct ledger_output *o = NULL;
	int n = 0;
	ck_assert_int_eq(ledger_outputs(&lg, "A1", &o, &n), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(o[0].path, "out/p/po/A1.xml");
	ck_assert_str_eq(o[1].path, "out/p/po/A1.1.xml");
	ck_assert_str_eq(o[2].path, "out/p/po/A1.2.xml");
	ledger_outputs_free(o, n);
	ck_assert_int_eq(ledger_outputs(&lg, "A1.1", &o, &n), 0);
	ck_assert_int_eq(n, 1);
	ledger_outputs_free(o, n);
}
END_TEST

/* The ledger replaced by an older one: tests/data/ledger/NAME (an SQL
 * dump of a real ledger of that version), then sql (or NULL) run on it as
 * that version would have; not opened with ledger_open yet. */
static void load_old_ledger(const char *name, const char *sql)
{
	ledger_close(&lg);
	unlink(db_path);
	size_t len = 0;
	char *dump_path = xasprintf("%s/tests/data/ledger/%s", t_cfg()->data_dir, name);
	char *dump = t_read_file(dump_path, &len);
	ck_assert_msg(dump != NULL, "cannot read %s", dump_path);
	free(dump_path);
	sqlite3 *raw_db = NULL;
	char *msg = NULL;
	ck_assert_int_eq(sqlite3_open(db_path, &raw_db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(raw_db, dump, NULL, NULL, &msg) == SQLITE_OK, "%s", msg);
	if (sql)
		ck_assert_msg(sqlite3_exec(raw_db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql,
			      msg);
	sqlite3_close(raw_db);
	free(dump);
}

/* The spend table the budget rules read follows every change of an order
 * that counts, and is built once for a ledger made before it existed. */
static void raw(const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(lg.db, sql, NULL, NULL, &msg);
	ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, msg ? msg : "?");
	sqlite3_free(msg);
}

static void assert_spend_is_sum(void)
{
	/* every (cost centre, period, currency) the orders have, and some
	 * they have not */
	const char *keys[][3] = { { "CC-1", "2024-03", "EUR" }, { "CC-1", "2024-04", "EUR" },
				  { "CC-2", "2024-03", "EUR" }, { "CC-9", "2024-03", "EUR" },
				  { "CC-1", "2024-03", "JPY" }, { "CC-2", "2024-03", "JPY" } };
	int committed = count("SELECT COUNT(*) FROM pragma_table_info('orders')"
			      " WHERE name = 'committed_e4'") > 0;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char *sql = xasprintf("SELECT COALESCE(SUM(%s), 0) FROM orders WHERE cost_center"
				      " = '%s' AND period = '%s' AND currency = '%s' AND mode ="
				      " 'production' AND state IN ('confirmed', 'approved')",
				      committed ? "COALESCE(committed_e4, total_e4)" : "total_e4",
				      keys[i][0], keys[i][1], keys[i][2]);
		dec_t v;
		ck_assert_int_eq(ledger_spent(lg.db, keys[i][0], keys[i][1], keys[i][2], &v), 0);
		ck_assert_msg(v == count(sql), "%s %s %s: %lld", keys[i][0], keys[i][1], keys[i][2],
			      (long long)v);
		free(sql);
	}
}

START_TEST(spend_follows_orders)
{
	raw("PRAGMA foreign_keys = OFF;"
	    "INSERT INTO orders(document_id, partner, sender_key, order_id, type, mode, currency,"
	    " subtotal_e4, shipping_e4, tax_e4, discount_e4, total_e4, decision, state, canonical,"
	    " created, cost_center, period, committed_e4) VALUES"
	    " ('d1','p','k','1','new','production','EUR',0,0,0,0,4000000,'accept','confirmed','','t','CC-1','2024-03',4000000),"
	    " ('d2','p','k','2','new','test','EUR',0,0,0,0,500000,'accept','confirmed','','t','CC-1','2024-03',500000),"
	    " ('d3','p','k','3','new','production','EUR',0,0,0,0,700000,'accept','confirmed','','t','CC-2','2024-03',700000),"
	    " ('d4','p','k','4','new','production','EUR',0,0,0,0,800000,'accept','confirmed','','t','CC-1','2024-04',800000),"
	    " ('d5','p','k','5','new','production','EUR',0,0,0,0,900000,'hold','pending','','t','CC-1','2024-03',900000),"
	    " ('d6','p','k','6','new','production','EUR',0,0,0,0,1000000,'hold','pending','','t','CC-1','2024-03',1000000),"
	    " ('d7','p','k','7','new','production','EUR',0,0,0,0,1100000,'accept','confirmed','','t',NULL,'2024-03',1100000),"
	    " ('d8','p','k','8','new','production','EUR',0,0,0,0,1200000,'accept','confirmed','','t','CC-1',NULL,1200000),"
	    /* another currency: its own spend, never added to the euros */
	    " ('d9','p','k','9','new','production','JPY',0,0,0,0,5000000000,'accept','confirmed','','t','CC-1','2024-03',5000000000),"
	    /* a partial order: its rejected lines are not spend */
	    " ('d10','p','k','10','new','production','EUR',0,0,0,0,3000000,'partial','confirmed','','t','CC-2','2024-03',1000000);");
	dec_t v;
	ck_assert_int_eq(ledger_spent(lg.db, "CC-1", "2024-03", "EUR", &v), 0);
	ck_assert_int_eq(v, 4000000);
	ck_assert_int_eq(ledger_spent(lg.db, "CC-1", "2024-03", "JPY", &v), 0);
	ck_assert_int_eq(v, 5000000000);
	ck_assert_int_eq(ledger_spent(lg.db, "CC-2", "2024-03", "EUR", &v), 0);
	ck_assert_int_eq(v, 700000 + 1000000);
	assert_spend_is_sum();
	raw("UPDATE orders SET state = 'approved' WHERE document_id = 'd6';");
	ck_assert_int_eq(ledger_spent(lg.db, "CC-1", "2024-03", "EUR", &v), 0);
	ck_assert_int_eq(v, 5000000);
	assert_spend_is_sum();
	raw("UPDATE orders SET state = 'declined' WHERE document_id = 'd5';"
	    "UPDATE orders SET state = 'rejected' WHERE document_id = 'd1';"
	    "UPDATE orders SET mode = 'production' WHERE document_id = 'd2';"
	    "UPDATE orders SET period = '2024-03', cost_center = 'CC-2' WHERE document_id = 'd4';"
	    "UPDATE orders SET total_e4 = 123, committed_e4 = 123 WHERE document_id = 'd3';"
	    "UPDATE orders SET committed_e4 = 2000000 WHERE document_id = 'd10';"
	    "UPDATE orders SET currency = 'JPY' WHERE document_id = 'd4';"
	    "UPDATE orders SET cost_center = 'CC-1' WHERE document_id = 'd7';");
	assert_spend_is_sum();
	ck_assert_int_eq(ledger_spent(lg.db, "CC-1", "2024-03", "EUR", &v), 0);
	ck_assert_int_eq(v, 500000 + 1000000 + 1100000);
	ck_assert_int_eq(ledger_spent(lg.db, "CC-2", "2024-03", "JPY", &v), 0);
	ck_assert_int_eq(v, 800000);
	raw("DELETE FROM orders WHERE document_id = 'd6';");
	assert_spend_is_sum();
	/* a ledger of version 1: spend per cost centre and period in mixed
	 * currencies, no committed totals; brought up to date on open */
	raw("DROP TRIGGER budget_spend_insert; DROP TRIGGER budget_spend_update;"
	    " DROP TRIGGER budget_spend_delete; DROP TABLE budget_spend;"
	    " ALTER TABLE orders DROP COLUMN committed_e4;"
	    " CREATE TABLE spend(cost_center TEXT NOT NULL, period TEXT NOT NULL,"
	    "  total_e4 INTEGER NOT NULL, PRIMARY KEY (cost_center, period)) WITHOUT ROWID;"
	    " INSERT INTO spend VALUES ('CC-1', '2024-03', 1);"
	    " CREATE TRIGGER spend_insert AFTER INSERT ON orders BEGIN"
	    "  UPDATE spend SET total_e4 = total_e4 + NEW.total_e4; END;"
	    " PRAGMA user_version = 1;");
	ck_assert_int_eq(ledger_spent(lg.db, "CC-1", "2024-03", "EUR", &v), 0); /* the sum, meanwhile */
	ck_assert_int_eq(v, 500000 + 1100000);
	assert_spend_is_sum();
	ledger_close(&lg);
	char *err = NULL;
	ck_assert_int_eq(ledger_open(&lg, db_path, &err), 0);
	ck_assert_int_eq(count("PRAGMA user_version"), 6);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'spend%'"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM budget_spend"), 4);
	assert_spend_is_sum();
	/* opening again adds nothing twice */
	ledger_close(&lg);
	ck_assert_int_eq(ledger_open(&lg, db_path, &err), 0);
	assert_spend_is_sum();
	ck_assert_int_eq(ledger_spent(lg.db, "CC-1", "2024-03", "EUR", &v), 0);
	ck_assert_int_eq(v, 500000 + 1100000);
	/* the new column works after the upgrade */
	raw("UPDATE orders SET committed_e4 = 100 WHERE document_id = 'd7';");
	assert_spend_is_sum();
	ck_assert_int_eq(ledger_spent(lg.db, "CC-1", "2024-03", "EUR", &v), 0);
	ck_assert_int_eq(v, 500000 + 100);
}
END_TEST

static char *one_text(const char *sql)
{
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_prepare_v2(lg.db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	const unsigned char *t = sqlite3_column_text(st, 0);
	char *v = xstrdup(t ? (const char *)t : "(null)");
	sqlite3_finalize(st);
	return v;
}

/* A real ledger of version 3 (tests/data/ledger/v3-cancelled.sql: an order
 * and its cancellation, recorded then as a second confirmed order) is
 * brought to 4 on open in one transaction: orders gain replaced_by, every
 * row kept; the spend is summed anew and the cancellation no longer counts
 * (before: twice the order); the PO number index allows an update to carry
 * the number of the version it replaces. */
START_TEST(upgrades_v3_versions)
{
	/* both rows given a cost centre: version 3's triggers count both */
	load_old_ledger("v3-cancelled.sql", "UPDATE orders SET cost_center = 'CC-1'");

	char *err = NULL;
	ck_assert_msg(ledger_open(&lg, db_path, &err) == 0, "ledger_open: %s", err ? err : "?");
	ck_assert_int_eq(count("PRAGMA user_version"), 6);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM pragma_table_info('orders')"
			       " WHERE name = 'replaced_by'"), 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM orders"), 2);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM documents"), 2);
	/* the cancellation is no spend: 20.00 once, not 40.00 */
	ck_assert_int_eq(count("SELECT total_e4 FROM budget_spend"), 200000);
	/* an update takes the PO number over from the version it replaces */
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	raw("UPDATE orders SET replaced_by = 2 WHERE id = 1");
	raw("UPDATE orders SET po_number = 'PO-0001' WHERE id = 2");
	ck_assert_int_eq(ledger_commit(&lg, &err), 0);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM orders WHERE po_number = 'PO-0001'"), 2);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM budget_spend WHERE total_e4 <> 0"), 0);

	/* opening again changes nothing */
	ledger_close(&lg);
	ck_assert_int_eq(ledger_open(&lg, db_path, &err), 0);
	ck_assert_int_eq(count("PRAGMA user_version"), 6);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM orders WHERE replaced_by = 2"), 1);
}
END_TEST

/* A real ledger of version 4 (tests/data/ledger/v4-held-updates.sql: held
 * updates that version linked at once) is brought to 5 on open: a held
 * update waiting or rejected no longer replaces the version in force,
 * which is current and counted again (the spend 200.00, not 0); a waiting
 * one replaces it once approved; a held order replaced by a held update
 * stays replaced (it was never in force). */
/* Card numbers: masked but the last four digits, in any attribute order
 * and quoting; other attributes and elements untouched; none: NULL. */
START_TEST(masks_card_numbers)
{
	char *m = ledger_masked_cards("<order><payment><pcard number=\"4111 1111-1111 1234\""
				      " expiration=\"2027-12-31\" name=\"number=9999\"/></payment>"
				      "<x number=\"5555\"/><pcard expiration='2027' number='378282246310005'>"
				      "</pcard></order>");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m, "<order><payment><pcard number=\"**** ****-**** 1234\""
			    " expiration=\"2027-12-31\" name=\"number=9999\"/></payment>"
			    "<x number=\"5555\"/><pcard expiration='2027' number='***********0005'>"
			    "</pcard></order>");
	free(m);
	ck_assert_ptr_null(ledger_masked_cards("<order><x number=\"4111111111111111\"/></order>"));
	ck_assert_ptr_null(ledger_masked_cards("<order><pcards number=\"4111\"/></order>"));
	ck_assert_ptr_null(ledger_masked_cards(NULL));
}
END_TEST

/* The ledger keeps a card number only while an approval release has to
 * write the order's outputs from its text: a confirmed order's is masked
 * when recorded, a held one's when released; a ledger of version 5 has
 * its decided orders' numbers masked when it is opened. */
START_TEST(card_numbers_kept_only_while_held)
{
	const char *card = "<order><payment><pcard number=\"4111111111111111\"/></payment></order>";
	struct doc_result r;
	char *err = NULL;
	fake_result(&r, "pc-1@b", "pc-1");
	buf_release(&r.canonical);
	buf_adds(&r.canonical, card);
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	add_done("doc-pc-1", &r);
	pipeline_result_release(&r);
	fake_result(&r, "pc-2@b", "pc-2");
	free(r.decision);
	r.decision = xstrdup("hold");
	free(r.info.order_id);
	r.info.order_id = xstrdup("PO-2");
	buf_release(&r.canonical);
	buf_adds(&r.canonical, card);
	add_done("doc-pc-2", &r);
	pipeline_result_release(&r);
	ck_assert_int_eq(ledger_commit(&lg, &err), 0);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM orders WHERE canonical LIKE '%4111111111111111%'"
			       " AND state = 'pending'"), 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM orders WHERE canonical LIKE '%************1111%'"
			       " AND state = 'confirmed'"), 1);
	/* a ledger of version 5 whose orders all kept the number */
	raw("UPDATE orders SET canonical = '<order><payment><pcard number=\"4111111111111111\"/>"
	    "</payment></order>'");
	raw("PRAGMA user_version = 5");
	ledger_close(&lg);
	ck_assert_int_eq(ledger_open(&lg, db_path, &err), 0);
	ck_assert_int_eq(count("PRAGMA user_version"), 6);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM orders WHERE canonical LIKE '%4111111111111111%'"
			       " AND state = 'pending'"), 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM orders WHERE canonical LIKE '%************1111%'"
			       " AND state = 'confirmed'"), 1);
	/* released, the held one's is masked too */
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	long long ref = count("SELECT id FROM orders WHERE state = 'pending'");
	ck_assert_int_eq(ledger_release_order(&lg, ref, "confirmed", "accept", card, "PO-0002", &err),
			 0);
	ck_assert_int_eq(ledger_commit(&lg, &err), 0);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM orders WHERE canonical LIKE '%4111%'"), 0);
}
END_TEST

START_TEST(upgrades_v4_held_updates)
{
	load_old_ledger("v4-held-updates.sql", NULL);

	char *err = NULL;
	ck_assert_msg(ledger_open(&lg, db_path, &err) == 0, "ledger_open: %s", err ? err : "?");
	ck_assert_int_eq(count("PRAGMA user_version"), 6);
	char *v = one_text("SELECT group_concat(order_id || '/' || type || '/' || state || '/'"
			   " || COALESCE(replaced_by, '-') || '/' || COALESCE(replaces, '-'), ' ')"
			   " FROM (SELECT * FROM orders ORDER BY id)");
	ck_assert_str_eq(v, "P-1/new/pending/6/- G-1/new/confirmed/-/- R-1/new/confirmed/-/-"
			    " G-1/update/pending/-/2 R-1/update/rejected/-/3 P-1/update/pending/-/1");
	free(v);
	ck_assert_int_eq(count("SELECT total_e4 FROM budget_spend WHERE cost_center = 'CC-1'"),
			 2000000);
	assert_spend_is_sum();
	/* approved, the waiting update replaces G-1: 1200.00 and 100.00 */
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	ck_assert_int_eq(ledger_set_order_state(&lg, 4, "approved", NULL, &err), 0);
	ck_assert_int_eq(ledger_commit(&lg, &err), 0);
	ck_assert_int_eq(count("SELECT replaced_by FROM orders WHERE id = 2"), 4);
	ck_assert_int_eq(count("SELECT total_e4 FROM budget_spend WHERE cost_center = 'CC-1'"),
			 13000000);
	assert_spend_is_sum();

	/* opening again changes nothing */
	ledger_close(&lg);
	ck_assert_int_eq(ledger_open(&lg, db_path, &err), 0);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM orders WHERE replaced_by IS NOT NULL"), 2);
}
END_TEST

/* Version 4 linked a second held update of an order, arriving while the
 * first waited, at once too: G-1 <- update (waiting) <- update (waiting),
 * the first replaced by the second. Brought to 5, G-1 is in force again
 * (counted), the first update waits no more, and both name G-1 as the
 * version they replace: the second, approved, replaces G-1 and keeps its
 * PO number (before, G-1 stayed replaced, counted nowhere, and the
 * approved update drew a new PO number: the supplier had the order twice). */
START_TEST(upgrades_v4_held_update_chain)
{
	/* as version 4 recorded a second held update of G-1 (order 7) */
	load_old_ledger(
		"v4-held-updates.sql",
		"INSERT INTO documents SELECT 'G1-U2', 'g3.xml', received, processed,"
		" sha256 || 'x', size, format, sender_key, 'g3@b', mode, partner, state,"
		" stage, reason, hint, duplicate_of, NULL, failed_path, parent_id"
		" FROM documents WHERE id = (SELECT document_id FROM orders WHERE id = 4);"
		"INSERT INTO orders SELECT 7, 'G1-U2', partner, sender_key, order_id,"
		" order_date, type, NULL, mode, currency, stated_total_e4, subtotal_e4,"
		" shipping_e4, tax_e4, discount_e4, 13000000, 13000000, decision,"
		" 'pending', cost_center, period, po_number, message, decided, canonical,"
		" created, NULL FROM orders WHERE id = 4;"
		"INSERT INTO checkpoints(order_ref, seq, role, state)"
		" VALUES (7, 1, 'manager', 'pending');"
		"UPDATE orders SET replaced_by = 7 WHERE id = 4;");

	char *err = NULL;
	ck_assert_msg(ledger_open(&lg, db_path, &err) == 0, "ledger_open: %s", err ? err : "?");
	char *v = one_text("SELECT group_concat(id || '/' || state || '/' || COALESCE(replaced_by, '-')"
			   " || '/' || COALESCE(replaces, '-'), ' ')"
			   " FROM (SELECT * FROM orders WHERE order_id = 'G-1' ORDER BY id)");
	ck_assert_str_eq(v, "2/confirmed/-/- 4/pending/7/2 7/pending/-/2");
	free(v);
	/* G-1 and R-1 count again: 200.00 */
	ck_assert_int_eq(count("SELECT total_e4 FROM budget_spend WHERE cost_center = 'CC-1'"),
			 2000000);
	assert_spend_is_sum();
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	ck_assert_int_eq(ledger_set_order_state(&lg, 7, "approved", NULL, &err), 0);
	ck_assert_int_eq(ledger_commit(&lg, &err), 0);
	ck_assert_int_eq(count("SELECT replaced_by FROM orders WHERE id = 2"), 7);
	char *po = ledger_replaced_po(&lg, 7);
	ck_assert_str_eq(po ? po : "(none)", "PO-0001");
	free(po);
	ck_assert_int_eq(count("SELECT total_e4 FROM budget_spend WHERE cost_center = 'CC-1'"),
			 14000000);
	assert_spend_is_sum();
}
END_TEST

/* A real ledger of version 2 (tests/data/ledger/v2-shipments.sql, the
 * .dump of one made by ordergate before this version: an order, a cXML
 * ship notice and a CSV feed shipment without a ship date) is brought to 3
 * on open: shipments gain notice_date, every row kept; the CSV feed's
 * shipment gets its file's receipt time (the rule for a feed, which the
 * ledger has), the cXML notice none (its noticeDate was not kept: its
 * invoice states none rather than one made up); a new shipment keeps its
 * notice date. */
START_TEST(upgrades_v2_shipments)
{
	/* the feed's shipment F-1 not invoiced yet (its invoice was to come) */
	load_old_ledger("v2-shipments.sql",
			"DELETE FROM invoice_lines WHERE invoice_ref = 2; DELETE FROM invoices WHERE id = 2;");

	char *err = NULL;
	ck_assert_msg(ledger_open(&lg, db_path, &err) == 0, "ledger_open: %s", err ? err : "?");
	ck_assert_int_eq(count("PRAGMA user_version"), 6);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM pragma_table_info('shipments')"
			       " WHERE name = 'notice_date'"), 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM shipments"), 2);
	char *v = one_text("SELECT group_concat(shipment_id || '=' || COALESCE(notice_date, 'NULL'),"
			   " ' ') FROM (SELECT * FROM shipments ORDER BY id)");
	ck_assert_str_eq(v, "S-1=NULL F-1=2026-06-01T07:50:00+00:00");
	free(v);
	v = one_text("SELECT group_concat(shipment_id || '/' || ship_date || '/' || carrier,"
			   " ' ') FROM (SELECT * FROM shipments ORDER BY id)");
	ck_assert_str_eq(v, "S-1/2026-06-01T09:00:00+02:00/UPSN F-1//DHL");
	free(v);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM shipment_lines"), 2);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM invoices"), 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM orders"), 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM documents"), 4);
	assert_spend_is_sum();

	/* the uninvoiced feed shipment from before: no ship date, the feed's
	 * receipt time as its notice date */
	struct ledger_uninvoiced *u = NULL;
	int n = 0;
	ck_assert_int_eq(ledger_uninvoiced(&lg, &u, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(u[0].spec, "F-1\x1f\x1f" "DHL\x1fJJD1\x1f" "2026-06-01T07:50:00+00:00\x1f"
				    "2=50000:0");
	ledger_uninvoiced_free(u, n);

	/* a shipment recorded now keeps the notice's date */
	struct doc_result r;
	memset(&r, 0, sizeof r);
	sha256_hex("n2", 2, r.sha256);
	r.sender_key = xstrdup("networkid:wms");
	r.info.payload_id = xstrdup("n2@w");
	r.ship.shipment_id = xstrdup("S-2");
	r.ship.ship_date = xstrdup("2026-06-03T08:00:00+02:00");
	r.ship.notice_date = xstrdup("2026-06-03T10:00:00+02:00");
	r.ship.nlines = 1;
	r.ship.lines = xcalloc(1, sizeof *r.ship.lines);
	r.ship.lines[0].number = 1;
	r.ship.lines[0].quantity = 20000;
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	raw("INSERT INTO documents(id, name, received, processed, sha256, size, state)"
	    " VALUES ('d-n2', 'n2.xml', '2026-06-03T08:10:00+00:00',"
	    " '2026-06-03T08:10:00+00:00', 'x', 1, 'done')");
	long long ref = ledger_add_shipment(&lg, "d-n2", 1, &r, &err);
	ck_assert_msg(ref > 0, "ledger_add_shipment: %s", err ? err : "?");
	ck_assert_int_eq(ledger_commit(&lg, &err), 0);
	ck_assert_int_eq(ledger_uninvoiced(&lg, &u, &n), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(u[1].spec, "S-2\x1f" "2026-06-03T08:00:00+02:00\x1f\x1f\x1f"
				    "2026-06-03T10:00:00+02:00\x1f" "1=20000:40000");
	ledger_uninvoiced_free(u, n);
	free(r.sender_key);
	free(r.info.payload_id);
	shipment_info_release(&r.ship);

	/* opening again changes nothing */
	ledger_close(&lg);
	ck_assert_int_eq(ledger_open(&lg, db_path, &err), 0);
	ck_assert_int_eq(count("PRAGMA user_version"), 6);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM shipments WHERE notice_date IS NULL"), 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM shipments"), 3);
}
END_TEST

Suite *suite_ledger(void)
{
	Suite *s = suite_create("ledger");
	TCase *tc = tcase_create("sqlite");
	tcase_set_timeout(tc, 30); /* synchronous=FULL on a slow disk */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, open_creates_schema);
	tcase_add_test(tc, open_fails_with_message);
	tcase_add_test(tc, transaction_commits_everything);
	tcase_add_test(tc, no_stated_total_is_null);
	tcase_add_test(tc, rollback_leaves_nothing);
	tcase_add_test(tc, constraints_are_errors);
	tcase_add_test(tc, failure_text_and_states);
	tcase_add_test(tc, outputs_include_archive_members);
	tcase_add_test(tc, spend_follows_orders);
	suite_add_tcase(s, tc);
	/* reads a file from the data folder (t_cfg) */
	tc = tcase_create("upgrade");
	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, upgrades_v2_shipments);
	tcase_add_test(tc, upgrades_v3_versions);
	tcase_add_test(tc, upgrades_v4_held_updates);
	tcase_add_test(tc, masks_card_numbers);
	tcase_add_test(tc, card_numbers_kept_only_while_held);
	tcase_add_test(tc, upgrades_v4_held_update_chain);
	suite_add_tcase(s, tc);
	return s;
}
