/*
 * ledger: see ledger.h. Statements are prepared once and cached by their
 * SQL text's address.
 */
#include "ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "fsio.h"
#include "spool.h"
#include "util.h"

/* Whether an order row (columns prefixed p: "", "NEW." or "OLD.") counts
 * as spend: production, confirmed or approved, with a cost centre and a
 * period. The same rows ledger_spent's sum counts. SPEND_ADD and SPEND_SUB
 * add or take away such a row's committed total (the order without the
 * lines its decision rejected; an order recorded before there was one
 * counts whole), per cost centre, period and currency. */
#define SPENDS_V3(p)                                                                     \
	"(" p "cost_center IS NOT NULL AND " p "period IS NOT NULL AND " p "mode = 'production'" \
	" AND " p "state IN ('confirmed', 'approved'))"
/* ... and, from user_version 4, a current version: not replaced or
 * cancelled by a later one, and not itself a cancellation (docs/operations.md,
 * "Changes and cancellations") */
#define SPENDS(p) "(" SPENDS_V3(p) " AND " LEDGER_CURRENT(p) ")"
#define COMMITTED(p) "COALESCE(" p "committed_e4, " p "total_e4)"
#define SPEND_ADD(p)                                                                     \
	"INSERT INTO budget_spend SELECT " p "cost_center, " p "period, " p "currency, "        \
	COMMITTED(p) " WHERE " SPENDS(p) " ON CONFLICT (cost_center, period, currency)"       \
	" DO UPDATE SET total_e4 = total_e4 + excluded.total_e4;"
#define SPEND_SUB(p)                                                                     \
	"UPDATE budget_spend SET total_e4 = total_e4 - " COMMITTED(p) " WHERE " SPENDS(p)      \
	" AND cost_center = " p "cost_center AND period = " p "period"                        \
	" AND currency = " p "currency;"

/* Run when the spend table is new. */
static const char fill_spend_sql[] =
	"INSERT OR IGNORE INTO budget_spend SELECT cost_center, period, currency,"
	" SUM(" COMMITTED("") ") FROM orders WHERE " SPENDS("")
	" GROUP BY cost_center, period, currency;";

/* A ledger of user_version 1 kept spend per cost centre and period only,
 * in currencies mixed, and whole orders: the table is derived, so it goes
 * and budget_spend is filled anew (orders gains committed_e4 first). */
static const char drop_old_spend_sql[] =
	"DROP TRIGGER IF EXISTS spend_insert; DROP TRIGGER IF EXISTS spend_update;"
	" DROP TRIGGER IF EXISTS spend_delete; DROP TABLE IF EXISTS spend;";

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS documents("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL, received TEXT NOT NULL,"
	" processed TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,"
	" format TEXT, sender_key TEXT, payload_id TEXT, mode TEXT, partner TEXT,"
	" state TEXT NOT NULL CHECK (state IN ('done','duplicate','failed')),"
	" stage TEXT, reason TEXT, hint TEXT, duplicate_of TEXT,"
	" archive_path TEXT, failed_path TEXT, parent_id TEXT);"
	"CREATE INDEX IF NOT EXISTS documents_by_parent ON documents(parent_id);"
	"CREATE TABLE IF NOT EXISTS payloads("
	" sender_key TEXT NOT NULL, payload_id TEXT NOT NULL,"
	" document_id TEXT NOT NULL REFERENCES documents(id), sha256 TEXT NOT NULL,"
	" PRIMARY KEY (sender_key, payload_id));"
	"CREATE TABLE IF NOT EXISTS orders("
	" id INTEGER PRIMARY KEY, document_id TEXT NOT NULL UNIQUE REFERENCES documents(id),"
	" partner TEXT NOT NULL, sender_key TEXT NOT NULL, order_id TEXT NOT NULL,"
	" order_date TEXT, type TEXT NOT NULL, previous_payload_id TEXT, mode TEXT NOT NULL,"
	" currency TEXT NOT NULL, stated_total_e4 INTEGER, subtotal_e4 INTEGER NOT NULL,"
	" shipping_e4 INTEGER NOT NULL, tax_e4 INTEGER NOT NULL, discount_e4 INTEGER NOT NULL,"
	" total_e4 INTEGER NOT NULL, committed_e4 INTEGER, decision TEXT NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN"
	"  ('confirmed','rejected','pending','approved','declined')),"
	" cost_center TEXT, period TEXT, po_number TEXT, message TEXT, decided TEXT,"
	" canonical TEXT NOT NULL, created TEXT NOT NULL,"
	" replaced_by INTEGER REFERENCES orders(id), replaces INTEGER REFERENCES orders(id));"
	"CREATE INDEX IF NOT EXISTS orders_by_state ON orders(state);"
	/* the budget rules' spend per cost centre, period and currency, kept
	 * by triggers (a sum over orders would grow with the ledger, read for
	 * every order the rules decide); filled from orders for a ledger made
	 * before (ledger_open: fill_spend_sql) */
	"CREATE TABLE IF NOT EXISTS budget_spend("
	" cost_center TEXT NOT NULL, period TEXT NOT NULL, currency TEXT NOT NULL,"
	" total_e4 INTEGER NOT NULL, PRIMARY KEY (cost_center, period, currency)) WITHOUT ROWID;"
	"CREATE TRIGGER IF NOT EXISTS budget_spend_insert AFTER INSERT ON orders"
	" BEGIN " SPEND_ADD("NEW.") " END;"
	"CREATE TRIGGER IF NOT EXISTS budget_spend_update AFTER UPDATE OF state, mode, total_e4,"
	" committed_e4, cost_center, period, currency, replaced_by ON orders"
	" BEGIN " SPEND_SUB("OLD.") " " SPEND_ADD("NEW.") " END;"
	"CREATE TRIGGER IF NOT EXISTS budget_spend_delete AFTER DELETE ON orders"
	" BEGIN " SPEND_SUB("OLD.") " END;"
	/* one current order per PO number: an update carries the PO number of
	 * the version it replaces */
	"CREATE UNIQUE INDEX IF NOT EXISTS orders_by_po ON orders(partner, po_number)"
	" WHERE po_number IS NOT NULL AND replaced_by IS NULL;"
	"CREATE TABLE IF NOT EXISTS checkpoints("
	" order_ref INTEGER NOT NULL REFERENCES orders(id), seq INTEGER NOT NULL,"
	" role TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('pending','approved','rejected')),"
	" decided_by TEXT, decided_at TEXT, comment TEXT, PRIMARY KEY (order_ref, seq));"
	"CREATE TABLE IF NOT EXISTS sequences("
	" partner TEXT NOT NULL, kind TEXT NOT NULL, next INTEGER NOT NULL,"
	" PRIMARY KEY (partner, kind));"
	"CREATE INDEX IF NOT EXISTS orders_by_number ON orders(sender_key, order_id);"
	/* an update's or cancellation's earlier version, by partner and order
	 * number or by its document's payloadID (ledger_find_earlier): without
	 * these, each change scanned every order */
	"CREATE INDEX IF NOT EXISTS orders_by_partner_number ON orders(partner, order_id);"
	"CREATE INDEX IF NOT EXISTS documents_by_payload ON documents(payload_id);"
	/* the changes of a version (ledger_add_order: one still waiting) */
	"CREATE INDEX IF NOT EXISTS orders_by_replaces ON orders(replaces)"
	" WHERE replaces IS NOT NULL;"
	/* a change naming a document that arrives after it (ledger_find_later) */
	"CREATE INDEX IF NOT EXISTS orders_by_previous ON orders(previous_payload_id)"
	" WHERE previous_payload_id IS NOT NULL;"
	"CREATE TABLE IF NOT EXISTS order_lines("
	" order_ref INTEGER NOT NULL REFERENCES orders(id), line_number INTEGER NOT NULL,"
	" quantity_e4 INTEGER NOT NULL, uom TEXT, supplier_part TEXT, description TEXT,"
	" unit_price_e4 INTEGER NOT NULL, amount_e4 INTEGER NOT NULL, state TEXT NOT NULL,"
	" rejected_e4 INTEGER NOT NULL DEFAULT 0, backordered_e4 INTEGER NOT NULL DEFAULT 0,"
	" reason TEXT, PRIMARY KEY (order_ref, line_number));"
	"CREATE TABLE IF NOT EXISTS outputs("
	" id INTEGER PRIMARY KEY, document_id TEXT NOT NULL REFERENCES documents(id),"
	" kind TEXT NOT NULL, format TEXT NOT NULL, partner TEXT, path TEXT NOT NULL UNIQUE,"
	" tmp_name TEXT NOT NULL, payload_id TEXT, sha256 TEXT NOT NULL, size INTEGER NOT NULL,"
	" created TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS outputs_by_doc ON outputs(document_id);"
	"CREATE INDEX IF NOT EXISTS outputs_by_tmp ON outputs(tmp_name);"
	"CREATE TABLE IF NOT EXISTS events("
	" id INTEGER PRIMARY KEY, document_id TEXT, at TEXT NOT NULL, kind TEXT NOT NULL,"
	" detail TEXT);"
	"CREATE INDEX IF NOT EXISTS events_by_doc ON events(document_id);"
	"CREATE TABLE IF NOT EXISTS shipments("
	" id INTEGER PRIMARY KEY, document_id TEXT NOT NULL REFERENCES documents(id),"
	" order_ref INTEGER NOT NULL REFERENCES orders(id), shipment_id TEXT, ship_date TEXT,"
	" carrier TEXT, tracking TEXT, created TEXT NOT NULL, notice_date TEXT);"
	"CREATE INDEX IF NOT EXISTS shipments_by_order ON shipments(order_ref);"
	"CREATE TABLE IF NOT EXISTS shipment_lines("
	" shipment_ref INTEGER NOT NULL REFERENCES shipments(id), line_number INTEGER NOT NULL,"
	" quantity_e4 INTEGER NOT NULL, PRIMARY KEY (shipment_ref, line_number));"
	"CREATE TABLE IF NOT EXISTS invoices("
	" id INTEGER PRIMARY KEY, order_ref INTEGER NOT NULL REFERENCES orders(id),"
	" shipment_ref INTEGER REFERENCES shipments(id), invoice_number TEXT NOT NULL,"
	" invoice_date TEXT NOT NULL, partner TEXT NOT NULL, mode TEXT NOT NULL,"
	" currency TEXT NOT NULL, subtotal_e4 INTEGER NOT NULL, tax_e4 INTEGER NOT NULL,"
	" shipping_e4 INTEGER NOT NULL, discount_e4 INTEGER NOT NULL, net_e4 INTEGER NOT NULL,"
	" created TEXT NOT NULL, UNIQUE (partner, invoice_number));"
	"CREATE TABLE IF NOT EXISTS invoice_lines("
	" invoice_ref INTEGER NOT NULL REFERENCES invoices(id), line_number INTEGER NOT NULL,"
	" quantity_e4 INTEGER NOT NULL, unit_price_e4 INTEGER NOT NULL, amount_e4 INTEGER NOT NULL,"
	" tax_e4 INTEGER NOT NULL, PRIMARY KEY (invoice_ref, line_number));";

/* The schema's version, set once with the schema: an ordinary open of a
 * ledger of this version writes nothing, so a ledger on a full disk still
 * opens (for recovery to clear tmp/, for show and the other readers). */
static const char version_sql[] = "PRAGMA user_version = 6;";
#define SCHEMA_VERSION 6

/* 3 -> 4: orders gains replaced_by; the spend triggers and the PO number
 * index change with it (made anew by schema_sql), and the spend is summed
 * anew (a cancellation, recorded before as an order, counts no more). */
static const char versions_sql[] =
	"ALTER TABLE orders ADD COLUMN replaced_by INTEGER REFERENCES orders(id);"
	"DROP TRIGGER IF EXISTS budget_spend_insert; DROP TRIGGER IF EXISTS budget_spend_update;"
	"DROP TRIGGER IF EXISTS budget_spend_delete; DROP INDEX IF EXISTS orders_by_po;"
	"DELETE FROM budget_spend;";

/* 4 -> 5: orders gains replaces, the version a change replaces; a change
 * held while that version is in force (confirmed or approved) replaces it
 * only once approved (ledger_set_order_state). A held update recorded
 * before, still waiting or rejected since by an approver or by expiry,
 * had replaced the version in force at once: that version is current
 * again, and a waiting one replaces it once approved (docs/operations.md,
 * "Changes and cancellations"). The spend is summed anew. */
/* The held updates version 4 linked at once, from a version in force (v):
 * the update that replaced it, and each held update that replaced one of
 * those while it waited (cur); held_end: the v whose newest version is
 * such an update still waiting, or rejected since (none was approved). */
#define V4_HELD_CHAIN                                                                         \
	"WITH RECURSIVE chain(v, cur) AS (SELECT o.id, o.replaced_by FROM orders o"          \
	" JOIN orders u ON u.id = o.replaced_by WHERE o.state IN ('confirmed', 'approved')"   \
	" AND u.type = 'update'"                                                              \
	" UNION ALL SELECT c.v, u.replaced_by FROM chain c JOIN orders u ON u.id = c.cur"     \
	" JOIN orders n ON n.id = u.replaced_by WHERE u.type = 'update'"                      \
	" AND u.state = 'pending' AND n.type = 'update'),"                                    \
	" held_end(v) AS (SELECT c.v FROM chain c JOIN orders n ON n.id = c.cur"              \
	" WHERE n.replaced_by IS NULL AND n.type = 'update'"                                  \
	" AND n.state IN ('pending', 'declined', 'rejected')) "
static const char replaces_sql[] =
	"ALTER TABLE orders ADD COLUMN replaces INTEGER REFERENCES orders(id);"
	"UPDATE orders SET replaces = (SELECT MAX(e.id) FROM orders e"
	" WHERE e.replaced_by = orders.id) WHERE id IN (SELECT replaced_by FROM orders);"
	/* every held update of such a chain replaces the version in force
	 * (as one recorded now: a later change replaces that version and
	 * the waiting update both), and that version is in force again */
	"UPDATE orders SET replaces = (" V4_HELD_CHAIN "SELECT c.v FROM chain c"
	" WHERE c.cur = orders.id AND c.v IN (SELECT v FROM held_end))"
	" WHERE id IN (" V4_HELD_CHAIN "SELECT c.cur FROM chain c"
	" WHERE c.v IN (SELECT v FROM held_end));"
	"UPDATE orders SET replaced_by = NULL WHERE id IN (" V4_HELD_CHAIN
	"SELECT v FROM held_end);"
	"DELETE FROM budget_spend;";

#define MAX_STMTS 32
static struct {
	const char *sql;
	sqlite3_stmt *st;
	sqlite3 *db;
} stmts[MAX_STMTS];

static void set_err(struct ledger *l, char **err, const char *what)
{
	if (err)
		*err = xasprintf("ledger %s: %s: %s", l->path, what, sqlite3_errmsg(l->db));
}

static sqlite3_stmt *prepare(struct ledger *l, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (l->uncached) /* finish() finalizes it */
		return sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) == SQLITE_OK ? st : NULL;
	int free_slot = -1;
	for (int i = 0; i < MAX_STMTS; i++) {
		if (stmts[i].sql == sql && stmts[i].db == l->db) {
			sqlite3_reset(stmts[i].st);
			sqlite3_clear_bindings(stmts[i].st);
			return stmts[i].st;
		}
		if (!stmts[i].sql && free_slot < 0)
			free_slot = i;
	}
	if (sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	if (free_slot >= 0) {
		stmts[free_slot].sql = sql;
		stmts[free_slot].st = st;
		stmts[free_slot].db = l->db;
	}
	return st;
}

static int is_cached(sqlite3_stmt *st)
{
	for (int i = 0; i < MAX_STMTS; i++)
		if (stmts[i].st == st)
			return 1;
	return 0;
}

static void finish(sqlite3_stmt *st)
{
	if (!st)
		return;
	if (is_cached(st))
		sqlite3_reset(st);
	else
		sqlite3_finalize(st);
}

/* Binds by type letters: s string (NULL allowed), i int64, I int. */
static sqlite3_stmt *bind(struct ledger *l, const char *sql, const char *types, va_list ap)
{
	sqlite3_stmt *st = prepare(l, sql);
	if (!st)
		return NULL;
	for (int i = 0; types[i]; i++) {
		int rc;
		if (types[i] == 's') {
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st, i + 1);
		} else if (types[i] == 'i') {
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
		} else {
			rc = sqlite3_bind_int(st, i + 1, va_arg(ap, int));
		}
		if (rc != SQLITE_OK) {
			finish(st);
			return NULL;
		}
	}
	return st;
}

static int exec(struct ledger *l, char **err, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = bind(l, sql, types, ap);
	va_end(ap);
	if (!st) {
		set_err(l, err, "prepare");
		return -1;
	}
	int rc = sqlite3_step(st);
	finish(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		set_err(l, err, "write");
		return -1;
	}
	return 0;
}

static sqlite3_stmt *query(struct ledger *l, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = bind(l, sql, types, ap);
	va_end(ap);
	return st;
}

static char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

/* Steps st (a one-row query) once: 1 a row to read, 0 none, -1 an error
 * (a NULL st: its query failed). The caller finishes st. */
static int step_one(sqlite3_stmt *st)
{
	int step = st ? sqlite3_step(st) : SQLITE_ERROR;
	return step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
}

/* The first column of st's first row, st finished: 1 a row, 0 none (*id
 * 0, *text NULL), -1 an error (a NULL st: its query failed). */
static int first_id(sqlite3_stmt *st, long long *id)
{
	int rc = step_one(st);
	*id = rc == 1 ? sqlite3_column_int64(st, 0) : 0;
	finish(st);
	return rc;
}

static int first_text(sqlite3_stmt *st, char **text)
{
	int rc = step_one(st);
	*text = rc == 1 ? col_text(st, 0) : NULL;
	finish(st);
	return rc;
}

/* The first column of the first row of sql, or -1. */
static sqlite3_int64 query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* 1 when table exists without column. */
static int lacks_column(sqlite3 *db, const char *table, const char *column)
{
	char *sql = sqlite3_mprintf("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
				    " AND name = %Q", table);
	int has_table = query_int(db, sql) > 0;
	sqlite3_free(sql);
	sql = sqlite3_mprintf("SELECT COUNT(*) FROM pragma_table_info(%Q) WHERE name = %Q", table,
			      column);
	int lacks = has_table && query_int(db, sql) == 0;
	sqlite3_free(sql);
	return lacks;
}

/* Masks in place the value's digits but the last four. */
static void mask_digits(char *v, char *end)
{
	int digits = 0;
	for (char *c = v; c < end; c++)
		digits += *c >= '0' && *c <= '9';
	for (char *c = v; c < end && digits > 4; c++)
		if (*c >= '0' && *c <= '9') {
			*c = '*';
			digits--;
		}
}

char *ledger_masked_cards(const char *canonical)
{
	if (!canonical || !strstr(canonical, "<pcard"))
		return NULL;
	char *out = xstrdup(canonical);
	int masked = 0;
	for (char *p = out; (p = strstr(p, "<pcard"));) {
		p += 6;
		/* the element's attributes, one by one (as libxml2 writes them:
		 * name="value", '<' '>' '"' escaped inside values) */
		while (xml_space(*p)) {
			while (xml_space(*p))
				p++;
			char *name = p;
			while (*p && *p != '=' && *p != '>' && *p != '/' && !xml_space(*p))
				p++;
			size_t len = (size_t)(p - name);
			while (xml_space(*p))
				p++;
			if (*p != '=')
				break;
			p++;
			while (xml_space(*p))
				p++;
			char quote = *p;
			if (quote != '"' && quote != '\'')
				break;
			char *v = ++p, *end = strchr(v, quote);
			if (!end)
				break;
			if (len == 6 && !strncmp(name, "number", 6)) {
				mask_digits(v, end);
				masked = 1;
			}
			p = end + 1;
		}
	}
	if (!masked) {
		free(out);
		return NULL;
	}
	return out;
}

static void mask_cards_sql(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	char *masked = ledger_masked_cards((const char *)sqlite3_value_text(argv[0]));
	if (masked)
		sqlite3_result_text(ctx, masked, -1, free);
	else
		sqlite3_result_value(ctx, argv[0]);
}

/* Brings a ledger of user_version 0 (new), 1, 2, 3, 4 or 5 to 6 (3 -> 4:
 * versions_sql, 4 -> 5: replaces_sql, 5 -> 6: card numbers masked), inside the
 * caller's transaction. An SQLite result code. 1 -> 2: orders gains
 * committed_e4, the spend table is made anew. 2 -> 3: shipments gains
 * notice_date (the ship notice's own date, for the invoice's reference to
 * it): a CSV feed's is the time its file was received, which the ledger
 * has, so those are filled in; a cXML notice's noticeDate was not kept, so
 * a notice recorded before has none (NULL), and its invoice states none
 * rather than a date made up (docs/operations.md). */
static int upgrade_schema(sqlite3 *db, char **msg)
{
	int had_spend = query_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
				      " AND name = 'budget_spend'") > 0;
	int old_orders = query_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
				       " AND name = 'orders'") > 0 &&
			 query_int(db, "SELECT COUNT(*) FROM pragma_table_info('orders')"
				       " WHERE name = 'committed_e4'") == 0;
	int old_shipments = lacks_column(db, "shipments", "notice_date");
	int old_versions = lacks_column(db, "orders", "replaced_by");
	int old_replaces = lacks_column(db, "orders", "replaces");
	int rc = SQLITE_OK;
	if (old_orders)
		rc = sqlite3_exec(db, "ALTER TABLE orders ADD COLUMN committed_e4 INTEGER", NULL, NULL,
				  msg);
	if (rc == SQLITE_OK && old_shipments)
		rc = sqlite3_exec(db, "ALTER TABLE shipments ADD COLUMN notice_date TEXT;"
				      "UPDATE shipments SET notice_date = (SELECT d.received FROM documents d"
				      " WHERE d.id = shipments.document_id) WHERE document_id IN"
				      " (SELECT id FROM documents WHERE format = 'csv');",
				  NULL, NULL, msg);
	if (rc == SQLITE_OK && old_versions)
		rc = sqlite3_exec(db, versions_sql, NULL, NULL, msg);
	if (rc == SQLITE_OK && old_replaces)
		rc = sqlite3_exec(db, replaces_sql, NULL, NULL, msg);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, drop_old_spend_sql, NULL, NULL, msg);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, schema_sql, NULL, NULL, msg);
	/* 5 -> 6: card numbers masked in the canonical text of every order
	 * no approval release will write outputs from (ledger_masked_cards) */
	if (rc == SQLITE_OK && query_int(db, "PRAGMA user_version") < 6 &&
	    (rc = sqlite3_create_function(db, "og_mask_cards", 1, SQLITE_UTF8, NULL,
					  mask_cards_sql, NULL, NULL)) == SQLITE_OK) {
		rc = sqlite3_exec(db,
				  "UPDATE orders SET canonical = og_mask_cards(canonical)"
				  " WHERE state NOT IN ('pending', 'approved')"
				  " AND canonical LIKE '%<pcard%'",
				  NULL, NULL, msg);
		sqlite3_create_function(db, "og_mask_cards", 1, SQLITE_UTF8, NULL, NULL, NULL,
					NULL);
	}
	if (rc == SQLITE_OK && (!had_spend || old_versions || old_replaces))
		rc = sqlite3_exec(db, fill_spend_sql, NULL, NULL, msg);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, version_sql, NULL, NULL, msg);
	return rc;
}

/* The schema, created or brought up to date: a ledger of this version
 * only has its (idempotent) schema run, which writes nothing when it is
 * all there; a new or older one is set up in
 * one transaction (two engines starting at once: the second finds the
 * first's work done). An SQLite result code. */
static int set_up_schema(sqlite3 *db, char **msg)
{
	if (query_int(db, "PRAGMA user_version") >= SCHEMA_VERSION)
		return sqlite3_exec(db, schema_sql, NULL, NULL, msg);
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, msg);
	if (rc == SQLITE_OK && query_int(db, "PRAGMA user_version") < SCHEMA_VERSION)
		rc = upgrade_schema(db, msg);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, msg);
	if (rc != SQLITE_OK)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int ledger_open(struct ledger *l, const char *path, char **err)
{
	memset(l, 0, sizeof *l);
	*err = NULL;
	l->path = xstrdup(path);
	if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    fsio_sqlite_vfs()) !=
	    SQLITE_OK) {
		set_err(l, err, "open");
		return -1;
	}
	sqlite3_busy_timeout(l->db, 30000);
	char *msg = NULL;
	/* temp_store: sorting and grouping stay in memory; SQLite would
	 * otherwise create its temporary files in /var/tmp, outside the spool */
	const char *setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			    "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";
	int rc = sqlite3_exec(l->db, setup, NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		rc = set_up_schema(l->db, &msg);
	if (rc != SQLITE_OK) {
		*err = xasprintf("ledger %s: cannot set up: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

void ledger_close(struct ledger *l)
{
	for (int i = 0; i < MAX_STMTS; i++)
		if (stmts[i].db == l->db && stmts[i].st) {
			sqlite3_finalize(stmts[i].st);
			memset(&stmts[i], 0, sizeof stmts[i]);
		}
	if (l->db)
		sqlite3_close(l->db);
	free(l->path);
	memset(l, 0, sizeof *l);
}

int ledger_begin(struct ledger *l, char **err)
{
	return exec(l, err, "BEGIN IMMEDIATE", "");
}

int ledger_commit(struct ledger *l, char **err)
{
	if (fsio_commit_point() < 0) {
		*err = xasprintf("cannot commit the ledger %s: %s", l->path, strerror(errno));
		return -1;
	}
	return exec(l, err, "COMMIT", "");
}

void ledger_rollback(struct ledger *l)
{
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
}

char *ledger_document_state(struct ledger *l, const char *id)
{
	sqlite3_stmt *st = query(l, "SELECT state FROM documents WHERE id = ?1", "s", id);
	char *state = st && sqlite3_step(st) == SQLITE_ROW ? col_text(st, 0) : NULL;
	finish(st);
	return state;
}

int ledger_find_payload(struct ledger *l, const char *sender_key, const char *payload_id,
			char **doc_id, char **sha256)
{
	sqlite3_stmt *st = query(l,
				 "SELECT document_id, sha256 FROM payloads"
				 " WHERE sender_key = ?1 AND payload_id = ?2",
				 "ss", sender_key, payload_id);
	int found = st && sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		*doc_id = col_text(st, 0);
		*sha256 = col_text(st, 1);
	}
	finish(st);
	return found;
}

int ledger_add_document(struct ledger *l, const struct ledger_doc *d, char **err)
{
	const struct doc_result *r = d->res;
	char now[32];
	iso_time(og_now(), now);
	return exec(l, err,
		    "INSERT INTO documents(id, name, received, processed, sha256, size, format,"
		    " sender_key, payload_id, mode, partner, state, stage, reason, hint,"
		    " duplicate_of, archive_path, failed_path, parent_id)"
		    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)",
		    "sssssisssssssssssss", d->id, d->name, d->received, now, r->sha256,
		    (long long)r->size, r->info.format, r->sender_key, r->info.payload_id,
		    r->info.mode, r->partner, d->state, d->stage, d->reason, d->hint,
		    d->duplicate_of, d->archive_path, d->failed_path, d->parent_id);
}

void ledger_period(const char *order_date, char out[8])
{
	out[0] = '\0';
	if (order_date && strlen(order_date) >= 7)
		snprintf(out, 8, "%.7s", order_date);
}

int ledger_spent(sqlite3 *db, const char *cc, const char *period, const char *currency,
		 dec_t *out)
{
	/* a ledger no engine of this version has opened yet has no
	 * budget_spend table (a read-only connection cannot add it), perhaps
	 * no committed_e4 either: the sum, then */
	static const char *const sql[] = {
		"SELECT total_e4 FROM budget_spend WHERE cost_center = ?1 AND period = ?2"
		" AND currency = ?3",
		"SELECT COALESCE(SUM(" COMMITTED("") "), 0) FROM orders WHERE cost_center = ?1"
		" AND period = ?2 AND currency = ?3 AND " SPENDS(""),
		"SELECT COALESCE(SUM(" COMMITTED("") "), 0) FROM orders WHERE cost_center = ?1"
		" AND period = ?2 AND currency = ?3 AND " SPENDS_V3(""),
		"SELECT COALESCE(SUM(total_e4), 0) FROM orders WHERE cost_center = ?1"
		" AND period = ?2 AND currency = ?3 AND " SPENDS_V3(""),
	};
	sqlite3_stmt *st = NULL;
	int rc = -1;
	*out = 0;
	for (size_t k = 0; k < ARRAY_SIZE(sql) && !st; k++)
		if (sqlite3_prepare_v2(db, sql[k], -1, &st, NULL) != SQLITE_OK) {
			sqlite3_finalize(st);
			st = NULL;
		}
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, cc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, period ? period : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, currency ? currency : "", -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (step == SQLITE_DONE) {
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static const char *order_state(const char *decision)
{
	if (!decision)
		return "confirmed";
	if (!strcmp(decision, "reject"))
		return "rejected";
	if (!strcmp(decision, "hold"))
		return "pending";
	return "confirmed";
}

/* The (sender, payloadID) a document came under, so the same document
 * again is a duplicate and other content under it a replay. */
static int add_payload(struct ledger *l, const char *doc_id, const struct doc_result *r,
		       char **err)
{
	return exec(l, err,
		    "INSERT INTO payloads(sender_key, payload_id, document_id, sha256)"
		    " VALUES (?1,?2,?3,?4)",
		    "ssss", r->sender_key, r->info.payload_id, doc_id, r->sha256);
}

int ledger_add_order(struct ledger *l, const char *doc_id, const struct doc_result *r,
		     const char *po_number, long long replaces, char **err)
{
	const struct order_info *i = &r->info;
	char now[32];
	iso_time(og_now(), now);
	char period[8];
	ledger_period(i->order_date, period);
	const char *state = order_state(r->decision);
	if (add_payload(l, doc_id, r, err) < 0)
		return -1;
	/* a card number is kept only while an approval release still has to
	 * write the purchase order from this text (docs/operations.md,
	 * "Payment cards") */
	char *masked = strcmp(state, "pending") && strcmp(state, "approved")
			       ? ledger_masked_cards(r->canonical.data)
			       : NULL;
	const char *canonical = masked ? masked : r->canonical.data ? r->canonical.data : "";
	int added = exec(l, err,
		 "INSERT INTO orders(document_id, partner, sender_key, order_id, order_date, type,"
		 " previous_payload_id, mode, currency, stated_total_e4, subtotal_e4, shipping_e4,"
		 " tax_e4, discount_e4, total_e4, decision, state, canonical, created, cost_center,"
		 " period, po_number, message, decided, committed_e4, replaces)"
		 " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,"
		 "?21,?22,?23,?24,?25,NULLIF(?26,0))",
		 "sssssssssiiiiiisssssssssii", doc_id, r->partner, r->sender_key,
		 i->order_id ? i->order_id : "", i->order_date, i->type ? i->type : "new",
		 i->previous_payload_id, i->mode ? i->mode : "production",
		 i->currency ? i->currency : "", (long long)i->stated_total,
		 (long long)i->subtotal, (long long)i->shipping, (long long)i->tax,
		 (long long)i->discount, (long long)i->total, r->decision ? r->decision : "accept",
		 state, canonical, now, r->cost_center,
		 *period ? period : NULL, replaces > 0 ? NULL : po_number, r->message,
		 strcmp(state, "pending") ? now : NULL, (long long)i->committed,
		 replaces > 0 ? replaces : 0LL);
	free(masked);
	if (added < 0)
		return -1;
	sqlite3_int64 ref = sqlite3_last_insert_rowid(l->db);
	/* the version it replaces is no longer current before it takes the
	 * PO number over (one current order per PO number); held, it replaces
	 * a version in force only once approved (ledger_set_order_state), so
	 * that one stays current, and counted, while it waits. A change of
	 * the same version still waiting waits no more: this one replaces it.
	 * Rejected (by the rules), it replaces nothing: it only names it. */
	if (replaces > 0 && strcmp(state, "rejected") &&
	    (exec(l, err,
		  "UPDATE orders SET replaced_by = ?1 WHERE replaces = ?2 AND id <> ?1"
		  " AND replaced_by IS NULL AND state = 'pending'",
		  "ii", (long long)ref, replaces) < 0 ||
	     exec(l, err,
		  "UPDATE orders SET replaced_by = ?1 WHERE id = ?2"
		  " AND NOT (?3 = 'pending' AND state IN ('confirmed', 'approved'))",
		  "iis", (long long)ref, replaces, state) < 0 ||
	     (po_number && exec(l, err, "UPDATE orders SET po_number = ?1 WHERE id = ?2", "si",
				po_number, (long long)ref) < 0)))
		return -1;
	if (!i->has_stated_total &&
	    exec(l, err, "UPDATE orders SET stated_total_e4 = NULL WHERE id = ?1", "i",
		 (long long)ref) < 0)
		return -1;
	for (int k = 0; k < i->nlines; k++) {
		const struct line_info *li = &i->lines[k];
		if (exec(l, err,
			 "INSERT INTO order_lines(order_ref, line_number, quantity_e4, uom,"
			 " supplier_part, description, unit_price_e4, amount_e4, state, rejected_e4,"
			 " backordered_e4, reason) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
			 "iiisssiisiis", (long long)ref, (long long)li->number,
			 (long long)li->quantity, li->uom, li->supplier_part, li->description,
			 (long long)li->unit_price, (long long)li->amount,
			 li->state ? li->state : "accepted", (long long)li->rejected,
			 (long long)li->backordered, li->reason) < 0)
			return -1;
	}
	for (int k = 0; k < r->ncheckpoints; k++)
		if (exec(l, err,
			 "INSERT INTO checkpoints(order_ref, seq, role, state) VALUES (?1,?2,?3,'pending')",
			 "iis", (long long)ref, (long long)(k + 1), r->checkpoints[k]) < 0)
			return -1;
	return 0;
}

static int newest_version(struct ledger *l, long long ref, struct ledger_earlier *e);

int ledger_find_earlier(struct ledger *l, const char *partner, const char *mode,
			const char *payload_id, const char *order_id, struct ledger_earlier *e)
{
	memset(e, 0, sizeof *e);
	long long ref = 0;
	/* by the payloadID named, else (none named, or one the ledger does
	 * not have: a version sent another way, or an original that never
	 * came, which an earlier change may have stood in for) by number */
	for (int k = payload_id && *payload_id ? 0 : 1; k < 2 && !ref; k++) {
		sqlite3_stmt *st =
			k == 0 ? query(l,
				       /* from the document by its payloadID
					* (documents_by_payload): CROSS JOIN keeps
					* SQLite from scanning the partner's orders */
				       "SELECT o.id FROM documents d CROSS JOIN orders o"
				       " ON o.document_id = d.id WHERE d.payload_id = ?2"
				       " AND o.partner = ?1 AND o.mode = ?3 ORDER BY o.id DESC LIMIT 1",
				       "sss", partner, payload_id, mode)
			       : query(l,
				       "SELECT id FROM orders WHERE partner = ?1 AND order_id = ?2"
				       " AND mode = ?3 AND type <> 'delete' ORDER BY replaced_by IS NULL"
				       " AND state IN ('confirmed', 'pending', 'approved') DESC,"
				       " id DESC LIMIT 1",
				       "sss", partner, order_id ? order_id : "", mode);
		if (first_id(st, &ref) < 0)
			return -1;
	}
	if (!ref)
		return 0;
	return newest_version(l, ref, e);
}

/* Into e, the newest version of order ref (following replaced_by; a
 * change may name the first one), or the version in force a held change
 * waits to replace: 1, or -1 on an error. */
static int newest_version(struct ledger *l, long long ref, struct ledger_earlier *e)
{
	sqlite3_stmt *st;
	for (int hops = 0; hops < 100000; hops++) {
		st = query(l,
			   "SELECT o.id, o.document_id, o.state, o.type, o.po_number, o.replaced_by,"
			   " (SELECT COUNT(*) FROM shipments s WHERE s.order_ref = o.id),"
			   " (SELECT e.id FROM orders e WHERE e.id = o.replaces"
			   "  AND e.replaced_by IS NULL AND o.state = 'pending')"
			   " FROM orders o WHERE o.id = ?1",
			   "i", ref);
		if (!st || sqlite3_step(st) != SQLITE_ROW) {
			finish(st);
			ledger_earlier_free(e);
			return -1;
		}
		ledger_earlier_free(e);
		e->ref = sqlite3_column_int64(st, 0);
		e->document_id = col_text(st, 1);
		e->state = col_text(st, 2);
		e->type = col_text(st, 3);
		e->po_number = col_text(st, 4);
		ref = sqlite3_column_int64(st, 5);
		e->shipments = sqlite3_column_int64(st, 6);
		/* a held change waiting to replace the version in force: that
		 * version is the one changed (and the waiting one with it) */
		if (ref <= 0)
			ref = sqlite3_column_int64(st, 7);
		finish(st);
		if (ref <= 0)
			return 1;
	}
	ledger_earlier_free(e);
	return -1;
}

int ledger_replaced_spend(sqlite3 *db, const char *partner, const char *mode,
			  const char *payload_id, const char *order_id, struct ledger_replaced *out)
{
	memset(out, 0, sizeof *out);
	struct ledger l = { .db = db, .uncached = 1 };
	struct ledger_earlier e;
	int rc = ledger_find_earlier(&l, partner, mode, payload_id, order_id, &e);
	if (rc <= 0)
		return rc;
	sqlite3_stmt *st = query(&l,
				 "SELECT document_id, cost_center, period, currency, " COMMITTED("")
				 " FROM orders WHERE id = ?1 AND " SPENDS(""),
				 "i", e.ref);
	ledger_earlier_free(&e);
	rc = step_one(st);
	if (rc == 1) {
		out->document_id = col_text(st, 0);
		out->cost_center = col_text(st, 1);
		out->period = col_text(st, 2);
		out->currency = col_text(st, 3);
		out->committed = sqlite3_column_int64(st, 4);
	}
	finish(st);
	return rc;
}

void ledger_replaced_free(struct ledger_replaced *r)
{
	free(r->document_id);
	free(r->cost_center);
	free(r->period);
	free(r->currency);
	memset(r, 0, sizeof *r);
}

int ledger_find_later(struct ledger *l, const char *partner, const char *mode,
		      const char *payload_id, const char *order_id, struct ledger_earlier *e)
{
	memset(e, 0, sizeof *e);
	int how = 0;
	long long ref = 0;
	for (int k = 0; k < 2 && !ref; k++) {
		if (k == 0 ? !payload_id || !*payload_id : !order_id || !*order_id)
			continue;
		sqlite3_stmt *st =
			k == 0 ? query(l,
				       "SELECT id FROM orders WHERE previous_payload_id = ?2"
				       " AND partner = ?1 AND mode = ?3 ORDER BY id LIMIT 1",
				       "sss", partner, payload_id, mode)
			       : query(l,
				       "SELECT o.id FROM orders o WHERE o.partner = ?1 AND o.order_id = ?2"
				       " AND o.mode = ?3 AND o.type = 'update'"
				       " AND COALESCE(o.previous_payload_id, '') = ''"
				       " AND EXISTS (SELECT 1 FROM events v WHERE v.document_id ="
				       " o.document_id AND v.kind = 'warning'"
				       " AND v.detail LIKE 'update-without-original:%')"
				       /* once: a new order of that number recorded
					* after it was its original; another is a
					* resend or another order (refused, 409) */
				       " AND NOT EXISTS (SELECT 1 FROM orders n WHERE"
				       " n.partner = o.partner AND n.order_id = o.order_id"
				       " AND n.mode = o.mode AND n.type = 'new' AND n.id > o.id)"
				       " ORDER BY o.id LIMIT 1",
				       "sss", partner, order_id, mode);
		int found = first_id(st, &ref);
		if (found < 0)
			return -1;
		if (found)
			how = k + 1;
	}
	if (!ref)
		return 0;
	if (newest_version(l, ref, e) < 0)
		return -1;
	/* a later version rejected or declined is no version in force */
	if (strcmp(e->state, "confirmed") && strcmp(e->state, "pending") &&
	    strcmp(e->state, "approved")) {
		ledger_earlier_free(e);
		return 0;
	}
	return how;
}

int ledger_find_current(struct ledger *l, const char *partner, const char *order_id,
			const char *mode, struct ledger_earlier *e)
{
	memset(e, 0, sizeof *e);
	/* orders_by_partner_number */
	sqlite3_stmt *st = query(l,
				 "SELECT id FROM orders WHERE partner = ?1 AND order_id = ?2"
				 " AND mode = ?3 AND type <> 'delete' AND replaced_by IS NULL"
				 " AND state IN ('confirmed', 'pending', 'approved')"
				 " ORDER BY id DESC LIMIT 1",
				 "sss", partner, order_id, mode);
	long long ref;
	int found = first_id(st, &ref);
	return found <= 0 ? found : newest_version(l, ref, e);
}

int ledger_mark_replaced(struct ledger *l, const char *doc_id, long long by, char **err)
{
	return exec(l, err, "UPDATE orders SET replaced_by = ?2 WHERE document_id = ?1", "si",
		    doc_id, by);
}

int ledger_link_waiting(struct ledger *l, const char *doc_id, long long later, char **err)
{
	return exec(l, err,
		    "UPDATE orders SET replaces = (SELECT id FROM orders WHERE document_id = ?1"
		    " AND state <> 'rejected') WHERE id = ?2 AND replaces IS NULL"
		    " AND state = 'pending'",
		    "si", doc_id, later);
}

int ledger_waits_on_shipped(struct ledger *l, long long ref, char **doc_id)
{
	return first_text(query(l,
				"SELECT e.document_id FROM orders o JOIN orders e ON e.id = o.replaces"
				" WHERE o.id = ?1 AND e.replaced_by IS NULL"
				" AND EXISTS (SELECT 1 FROM shipments s WHERE s.order_ref = e.id)",
				"i", ref),
			  doc_id);
}

int ledger_waiting_change(struct ledger *l, long long ref, char **doc_id)
{
	return first_text(query(l,
				"SELECT o.document_id FROM orders e JOIN orders o ON o.replaces = e.id"
				" WHERE e.id = ?1 AND e.replaced_by IS NULL AND o.state = 'pending'"
				" AND o.replaced_by IS NULL ORDER BY o.id DESC LIMIT 1",
				"i", ref),
			  doc_id);
}

char *ledger_replaced_po(struct ledger *l, long long ref)
{
	sqlite3_stmt *st = query(l, "SELECT po_number FROM orders WHERE replaced_by = ?1"
				    " AND po_number IS NOT NULL", "i", ref);
	char *po = st && sqlite3_step(st) == SQLITE_ROW ? col_text(st, 0) : NULL;
	finish(st);
	return po;
}

void ledger_earlier_free(struct ledger_earlier *e)
{
	free(e->document_id);
	free(e->state);
	free(e->type);
	free(e->po_number);
	memset(e, 0, sizeof *e);
}

/* Formats a number from a pattern: {partner} {yyyy} {yy} {mm} {dd} {seq}
 * {seq:N} (zero-padded to N digits). */
static char *format_number(const char *pattern, const char *partner, long long seq)
{
	struct buf b = BUF_INIT;
	time_t t = og_now();
	struct tm tm;
	localtime_r(&t, &tm);
	for (const char *p = pattern; *p;) {
		if (*p != '{') {
			buf_addch(&b, *p++);
			continue;
		}
		const char *close = strchr(p, '}');
		if (!close) {
			buf_adds(&b, p);
			break;
		}
		char *tok = xstrndup(p + 1, (size_t)(close - p - 1));
		if (!strcmp(tok, "partner"))
			buf_adds(&b, partner);
		else if (!strcmp(tok, "yyyy"))
			buf_printf(&b, "%04d", tm.tm_year + 1900);
		else if (!strcmp(tok, "yy"))
			buf_printf(&b, "%02d", tm.tm_year % 100);
		else if (!strcmp(tok, "mm"))
			buf_printf(&b, "%02d", tm.tm_mon + 1);
		else if (!strcmp(tok, "dd"))
			buf_printf(&b, "%02d", tm.tm_mday);
		else if (!strcmp(tok, "seq"))
			buf_printf(&b, "%lld", seq);
		else if (!strncmp(tok, "seq:", 4))
			buf_printf(&b, "%0*lld", atoi(tok + 4) > 0 && atoi(tok + 4) < 20 ? atoi(tok + 4) : 1,
				   seq);
		else
			buf_printf(&b, "{%s}", tok);
		free(tok);
		p = close + 1;
	}
	return buf_detach(&b);
}

char *ledger_next_number(struct ledger *l, const char *partner, const char *kind,
			 const char *pattern, char **err)
{
	long long next = 1;
	sqlite3_stmt *st = query(l, "SELECT next FROM sequences WHERE partner = ?1 AND kind = ?2",
				 "ss", partner, kind);
	if (st && sqlite3_step(st) == SQLITE_ROW)
		next = sqlite3_column_int64(st, 0);
	finish(st);
	if (exec(l, err,
		 "INSERT INTO sequences(partner, kind, next) VALUES (?1, ?2, ?3)"
		 " ON CONFLICT (partner, kind) DO UPDATE SET next = excluded.next",
		 "ssi", partner, kind, next + 1) < 0)
		return NULL;
	char *num = format_number(pattern, partner, next);
	if (str_ends_with(kind, "-test")) {
		/* test numbers never look like (or collide with) production ones */
		char *t = xasprintf("TEST-%s", num);
		free(num);
		num = t;
	}
	return num;
}

int ledger_add_output(struct ledger *l, const char *doc_id, const char *kind,
		      const char *format, const char *partner, const char *path,
		      const char *tmp_name, const char *payload_id, const char *sha256,
		      long long size, char **err)
{
	char now[32];
	iso_time(og_now(), now);
	return exec(l, err,
		    "INSERT INTO outputs(document_id, kind, format, partner, path, tmp_name,"
		    " payload_id, sha256, size, created) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
		    "ssssssssis", doc_id, kind, format, partner, path, tmp_name, payload_id, sha256,
		    size, now);
}

int ledger_event(struct ledger *l, const char *doc_id, const char *kind, const char *detail,
		 char **err)
{
	char now[32];
	iso_time(og_now(), now);
	return exec(l, err, "INSERT INTO events(document_id, at, kind, detail) VALUES (?1,?2,?3,?4)",
		    "ssss", doc_id, now, kind, detail);
}

int ledger_outputs(struct ledger *l, const char *doc_id, struct ledger_output **out, int *n)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = query(l,
				 "SELECT kind, path, tmp_name, sha256 FROM outputs"
				 " WHERE document_id = ?1 OR (document_id > ?1 || '.' AND document_id < ?1 || '/')"
				 " ORDER BY id",
				 "s", doc_id);
	if (!st)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		*out = xrealloc(*out, sizeof **out * (size_t)(*n + 1));
		struct ledger_output *o = &(*out)[(*n)++];
		o->kind = col_text(st, 0);
		o->path = col_text(st, 1);
		o->tmp_name = col_text(st, 2);
		o->sha256 = col_text(st, 3);
	}
	finish(st);
	return 0;
}

void ledger_outputs_free(struct ledger_output *o, int n)
{
	for (int i = 0; i < n; i++) {
		free(o[i].kind);
		free(o[i].path);
		free(o[i].tmp_name);
		free(o[i].sha256);
	}
	free(o);
}

char *ledger_output_path_for_tmp(struct ledger *l, const char *tmp_name)
{
	sqlite3_stmt *st = query(l, "SELECT path FROM outputs WHERE tmp_name = ?1", "s", tmp_name);
	char *path = st && sqlite3_step(st) == SQLITE_ROW ? col_text(st, 0) : NULL;
	finish(st);
	return path;
}

char *ledger_failure_text(struct ledger *l, const char *id)
{
	sqlite3_stmt *st = query(l,
				 "SELECT name, received, stage, reason, hint FROM documents WHERE id = ?1",
				 "s", id);
	char *text = NULL;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		text = pipeline_why_text(id, (const char *)sqlite3_column_text(st, 0),
					 (const char *)sqlite3_column_text(st, 1),
					 (const char *)sqlite3_column_text(st, 2),
					 (const char *)sqlite3_column_text(st, 3),
					 (const char *)sqlite3_column_text(st, 4));
	finish(st);
	return text;
}

static void read_order(sqlite3_stmt *st, struct ledger_order *o)
{
	o->ref = sqlite3_column_int64(st, 0);
	o->document_id = col_text(st, 1);
	o->order_id = col_text(st, 2);
	o->partner = col_text(st, 3);
	o->state = col_text(st, 4);
	o->created = col_text(st, 5);
	o->currency = col_text(st, 6);
	o->po_number = col_text(st, 7);
	o->canonical = col_text(st, 8);
	o->message = col_text(st, 9);
	o->mode = col_text(st, 10);
	o->total_e4 = sqlite3_column_int64(st, 11);
	o->type = col_text(st, 12);
	o->replaced_by = col_text(st, 13);
}

#define ORDER_COLUMNS                                                                         \
	"SELECT id, document_id, order_id, partner, state, created, currency, po_number,"     \
	" canonical, message, mode, total_e4, type,"                                           \
	" (SELECT r.document_id FROM orders r WHERE r.id = orders.replaced_by) FROM orders "

static int read_orders(sqlite3_stmt *st, struct ledger_order **out, int *n)
{
	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		*out = xrealloc(*out, sizeof **out * (size_t)(*n + 1));
		read_order(st, &(*out)[(*n)++]);
	}
	finish(st);
	return 0;
}

int ledger_find_orders(struct ledger *l, const char *key, struct ledger_order **out, int *n)
{
	return read_orders(query(l,
				 ORDER_COLUMNS "WHERE order_id = ?1 OR document_id = ?1"
					       " OR po_number = ?1 ORDER BY id",
				 "s", key),
			   out, n);
}

int ledger_orders_in_state(struct ledger *l, const char *state, struct ledger_order **out,
			   int *n)
{
	return read_orders(query(l, ORDER_COLUMNS "WHERE state = ?1 AND replaced_by IS NULL"
					       " ORDER BY id", "s", state),
			   out, n);
}

int ledger_replaced_version(struct ledger *l, long long ref, struct ledger_order *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = query(l, ORDER_COLUMNS "WHERE id = (SELECT replaces FROM orders"
						 " WHERE id = ?1)", "i", ref);
	int rc = step_one(st);
	if (rc == 1)
		read_order(st, out);
	finish(st);
	return rc;
}

void ledger_order_clear(struct ledger_order *o)
{
	free(o->document_id);
	free(o->order_id);
	free(o->partner);
	free(o->state);
	free(o->created);
	free(o->currency);
	free(o->po_number);
	free(o->canonical);
	free(o->message);
	free(o->mode);
	free(o->type);
	free(o->replaced_by);
	memset(o, 0, sizeof *o);
}

void ledger_orders_free(struct ledger_order *o, int n)
{
	for (int i = 0; i < n; i++)
		ledger_order_clear(&o[i]);
	free(o);
}

int ledger_checkpoints(struct ledger *l, long long ref, struct ledger_checkpoint **out, int *n)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = query(l,
				 "SELECT seq, role, state, decided_by, decided_at, comment FROM checkpoints"
				 " WHERE order_ref = ?1 ORDER BY seq",
				 "i", ref);
	if (!st)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		*out = xrealloc(*out, sizeof **out * (size_t)(*n + 1));
		struct ledger_checkpoint *c = &(*out)[(*n)++];
		c->seq = sqlite3_column_int64(st, 0);
		c->role = col_text(st, 1);
		c->state = col_text(st, 2);
		c->decided_by = col_text(st, 3);
		c->decided_at = col_text(st, 4);
		c->comment = col_text(st, 5);
	}
	finish(st);
	return 0;
}

void ledger_checkpoints_free(struct ledger_checkpoint *c, int n)
{
	for (int i = 0; i < n; i++) {
		free(c[i].role);
		free(c[i].state);
		free(c[i].decided_by);
		free(c[i].decided_at);
		free(c[i].comment);
	}
	free(c);
}

int ledger_set_checkpoint(struct ledger *l, long long ref, long long seq, const char *state,
			  const char *by, const char *comment, char **err)
{
	char now[32];
	iso_time(og_now(), now);
	return exec(l, err,
		    "UPDATE checkpoints SET state = ?3, decided_by = ?4, decided_at = ?5, comment = ?6"
		    " WHERE order_ref = ?1 AND seq = ?2",
		    "iissss", ref, seq, state, by, now, comment);
}

int ledger_set_order_state(struct ledger *l, long long ref, const char *state,
			   const char *message, char **err)
{
	/* a held change approved replaces the version in force now, in the
	 * same transaction (the spend counts one of them at every moment) */
	if (!strcmp(state, "approved") &&
	    exec(l, err,
		 "UPDATE orders SET replaced_by = ?1 WHERE id = (SELECT replaces FROM orders"
		 " WHERE id = ?1 AND replaced_by IS NULL) AND replaced_by IS NULL",
		 "i", ref) < 0)
		return -1;
	return exec(l, err, "UPDATE orders SET state = ?2, message = COALESCE(?3, message) WHERE id = ?1",
		    "iss", ref, state, message);
}

int ledger_add_checkpoint(struct ledger *l, long long ref, const char *role, const char *comment,
			  char **err)
{
	return exec(l, err,
		    "INSERT INTO checkpoints(order_ref, seq, role, state, comment)"
		    " SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, 'pending', ?3 FROM checkpoints"
		    " WHERE order_ref = ?1",
		    "iss", ref, role, comment);
}

int ledger_set_canonical(struct ledger *l, long long ref, const char *canonical, char **err)
{
	return exec(l, err, "UPDATE orders SET canonical = ?2 WHERE id = ?1", "is", ref, canonical);
}

int ledger_release_order(struct ledger *l, long long ref, const char *state,
			 const char *decision, const char *canonical, const char *po_number,
			 char **err)
{
	char now[32];
	iso_time(og_now(), now);
	/* its outputs are written from this text now: no card number kept */
	char *masked = ledger_masked_cards(canonical);
	int set = exec(l, err,
		       "UPDATE orders SET state = ?2, decision = ?3, canonical = ?4, po_number = ?5,"
		       " decided = ?6 WHERE id = ?1",
		       "isssss", ref, state, decision, masked ? masked : canonical, po_number, now);
	free(masked);
	if (set < 0)
		return -1;
	/* the lines follow the order: held lines become what the rules said */
	if (!strcmp(state, "rejected"))
		return exec(l, err,
			    "UPDATE order_lines SET state = 'rejected', rejected_e4 = quantity_e4"
			    " WHERE order_ref = ?1",
			    "i", ref);
	return exec(l, err,
		    "UPDATE order_lines SET state = CASE"
		    " WHEN rejected_e4 >= quantity_e4 THEN 'rejected'"
		    " WHEN backordered_e4 > 0 THEN 'backordered' ELSE 'accepted' END"
		    " WHERE order_ref = ?1",
		    "i", ref);
}

int ledger_line_status(struct ledger *l, long long ref, long line, long long *quantity,
		       long long *rejected, long long *shipped, char **uom)
{
	*uom = NULL;
	sqlite3_stmt *st = query(l,
				 "SELECT quantity_e4, rejected_e4, (SELECT COALESCE(SUM(sl.quantity_e4), 0)"
				 " FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_ref"
				 " WHERE s.order_ref = ?1 AND sl.line_number = ?2), uom"
				 " FROM order_lines WHERE order_ref = ?1 AND line_number = ?2",
				 "ii", ref, (long long)line);
	int found = st && sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		*quantity = sqlite3_column_int64(st, 0);
		*rejected = sqlite3_column_int64(st, 1);
		*shipped = sqlite3_column_int64(st, 2);
		*uom = col_text(st, 3);
	}
	finish(st);
	return found ? 0 : 1;
}

/* Reads the (line number, quantity) rows of st (finished here) into *out.
 * 0, or -1 (a NULL st, or a step that failed) with *out empty. */
static int read_shipment_lines(sqlite3_stmt *st, struct shipment_line **out, int *n)
{
	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xrealloc(*out, sizeof **out * (size_t)(*n + 1));
		memset(&(*out)[*n], 0, sizeof **out);
		(*out)[*n].number = (long)sqlite3_column_int64(st, 0);
		(*out)[(*n)++].quantity = sqlite3_column_int64(st, 1);
	}
	finish(st);
	if (rc == SQLITE_DONE)
		return 0;
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}

int ledger_unshipped_lines(struct ledger *l, long long ref, struct shipment_line **out, int *n)
{
	sqlite3_stmt *st = query(l,
				 "SELECT line_number, rest FROM (SELECT ol.line_number,"
				 " ol.quantity_e4 - ol.rejected_e4 - COALESCE(sh.q, 0) AS rest"
				 " FROM order_lines ol LEFT JOIN (SELECT sl.line_number AS ln,"
				 "  SUM(sl.quantity_e4) AS q FROM shipment_lines sl"
				 "  JOIN shipments s ON s.id = sl.shipment_ref WHERE s.order_ref = ?1"
				 "  GROUP BY sl.line_number) sh ON sh.ln = ol.line_number"
				 " WHERE ol.order_ref = ?1) WHERE rest > 0 ORDER BY line_number",
				 "i", ref);
	return read_shipment_lines(st, out, n);
}

int ledger_find_shipment(struct ledger *l, long long order_ref, const char *shipment_id,
			 char **doc_id, struct shipment_line **lines, int *n)
{
	*doc_id = NULL;
	*lines = NULL;
	*n = 0;
	sqlite3_stmt *st = query(l,
				 "SELECT id, document_id FROM shipments WHERE order_ref = ?1 AND"
				 " shipment_id = ?2 ORDER BY id LIMIT 1",
				 "is", order_ref, shipment_id);
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	long long ref = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (rc == SQLITE_ROW)
		*doc_id = col_text(st, 1);
	finish(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW || !*doc_id)
		goto fail;
	st = query(l,
		   "SELECT line_number, quantity_e4 FROM shipment_lines WHERE shipment_ref = ?1"
		   " ORDER BY line_number",
		   "i", ref);
	if (read_shipment_lines(st, lines, n) == 0)
		return 1;
fail:
	free(*doc_id);
	free(*lines);
	*doc_id = NULL;
	*lines = NULL;
	*n = 0;
	return -1;
}

long long ledger_add_shipment(struct ledger *l, const char *doc_id, long long order_ref,
			      const struct doc_result *r, char **err)
{
	const struct shipment_info *s = &r->ship;
	char now[32];
	iso_time(og_now(), now);
	if (add_payload(l, doc_id, r, err) < 0)
		return -1;
	if (exec(l, err,
		 "INSERT INTO shipments(document_id, order_ref, shipment_id, ship_date, carrier,"
		 " tracking, created, notice_date) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
		 "sissssss", doc_id, order_ref, s->shipment_id, s->ship_date, s->carrier, s->tracking,
		 now, s->notice_date) < 0)
		return -1;
	long long id = sqlite3_last_insert_rowid(l->db);
	for (int i = 0; i < s->nlines; i++)
		if (exec(l, err,
			 "INSERT INTO shipment_lines(shipment_ref, line_number, quantity_e4)"
			 " VALUES (?1,?2,?3)",
			 "iii", id, (long long)s->lines[i].number, (long long)s->lines[i].quantity) < 0)
			return -1;
	return id;
}

int ledger_uninvoiced(struct ledger *l, struct ledger_uninvoiced **out, int *n)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = query(l,
				 "SELECT s.id, o.id, o.document_id, o.order_id, o.partner, o.mode,"
				 " o.canonical, COALESCE(s.shipment_id, '') || char(31) ||"
				 " COALESCE(s.ship_date, '') || char(31) || COALESCE(s.carrier, '') ||"
				 " char(31) || COALESCE(s.tracking, '') || char(31) ||"
				 " COALESCE(s.notice_date, '') || char(31) ||"
				 " (SELECT group_concat(sl.line_number || '=' || sl.quantity_e4 || ':' ||"
				 "   (SELECT COALESCE(SUM(e.quantity_e4), 0) FROM shipment_lines e"
				 "    JOIN shipments es ON es.id = e.shipment_ref"
				 "    WHERE es.order_ref = s.order_ref AND es.id < s.id"
				 "    AND e.line_number = sl.line_number), ',')"
				 "  FROM shipment_lines sl WHERE sl.shipment_ref = s.id)"
				 " FROM shipments s JOIN orders o ON o.id = s.order_ref"
				 " WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.shipment_ref = s.id)"
				 " ORDER BY s.id",
				 "");
	if (!st)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		*out = xrealloc(*out, sizeof **out * (size_t)(*n + 1));
		struct ledger_uninvoiced *u = &(*out)[(*n)++];
		u->shipment_ref = sqlite3_column_int64(st, 0);
		u->order_ref = sqlite3_column_int64(st, 1);
		u->document_id = col_text(st, 2);
		u->order_id = col_text(st, 3);
		u->partner = col_text(st, 4);
		u->mode = col_text(st, 5);
		u->canonical = col_text(st, 6);
		u->spec = col_text(st, 7);
	}
	finish(st);
	return 0;
}

void ledger_uninvoiced_free(struct ledger_uninvoiced *u, int n)
{
	for (int i = 0; i < n; i++) {
		free(u[i].document_id);
		free(u[i].order_id);
		free(u[i].partner);
		free(u[i].mode);
		free(u[i].canonical);
		free(u[i].spec);
	}
	free(u);
}

int ledger_add_invoice(struct ledger *l, long long order_ref, long long shipment_ref,
		       const char *number, const char *partner, const char *mode,
		       const struct order_info *a, char **err)
{
	char now[32];
	iso_time(og_now(), now);
	if (exec(l, err,
		 "INSERT INTO invoices(order_ref, shipment_ref, invoice_number, invoice_date, partner,"
		 " mode, currency, subtotal_e4, tax_e4, shipping_e4, discount_e4, net_e4, created)"
		 " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
		 "iisssssiiiiis", order_ref, shipment_ref, number, now, partner, mode, a->currency,
		 (long long)a->subtotal, (long long)a->tax, (long long)a->shipping,
		 (long long)a->discount, (long long)a->total, now) < 0)
		return -1;
	long long id = sqlite3_last_insert_rowid(l->db);
	for (int i = 0; i < a->nlines; i++)
		if (exec(l, err,
			 "INSERT INTO invoice_lines(invoice_ref, line_number, quantity_e4, unit_price_e4,"
			 " amount_e4, tax_e4) VALUES (?1,?2,?3,?4,?5,?6)",
			 "iiiiii", id, (long long)a->lines[i].number, (long long)a->lines[i].quantity,
			 (long long)a->lines[i].unit_price, (long long)a->lines[i].amount,
			 (long long)a->lines[i].tax) < 0)
			return -1;
	return 0;
}

/* fsyncs the folder that holds path, so that a rename into or out of it
 * is durable. */
static int sync_folder_of(const char *path)
{
	char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	int rc = fsio_fsync_dir(dir);
	int e = errno;
	free(dir);
	errno = e;
	return rc;
}

/* Writes data to path atomically and durably (a temporary file in
 * spool/tmp/, written, fsync'd, renamed into place, its folder fsync'd),
 * through the fsio layer like the engine's own outputs. Never replaces a
 * file: -1 with errno EEXIST (and no *err) when path exists. */
static int publish_copy(const char *spool, const char *path, const void *data, size_t len,
			char **err)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *tmp = xasprintf("%s/tmp/resend-%ld-%s", spool, (long)getpid(), base);
	int fd = fsio_open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int rc = -1, renamed = 0;
	if (fd >= 0 && fsio_write_all(fd, data, len, tmp) == 0 && fsio_fsync(fd, tmp) == 0) {
		int closed = close(fd);
		fd = -1;
		if (closed == 0 && fsio_rename_noreplace(tmp, path) == 0) {
			renamed = 1;
			rc = sync_folder_of(path);
		}
	}
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (!renamed)
		unlink(tmp);
	if (rc < 0 && !(e == EEXIST && !renamed))
		*err = xasprintf("cannot write %s: %s%s", path, strerror(e),
				 renamed ? " (it is in place, but its folder could not be synced: "
					   "check the disk)"
					 : "; nothing was written, run the command again once the "
					   "cause is fixed");
	free(tmp);
	errno = e;
	return rc;
}

/* Whether the ledger records an output at path. */
static int output_recorded(struct ledger *l, const char *path)
{
	sqlite3_stmt *st = query(l, "SELECT 1 FROM outputs WHERE path = ?1", "s", path);
	int found = st && sqlite3_step(st) == SQLITE_ROW;
	finish(st);
	return found;
}

/* Undoes the record of a resend copy that could not be put in place. */
static int resend_unrecord(struct ledger *l, const char *id, const char *rel,
			   const char *tmp_name)
{
	char *e = NULL;
	if (ledger_begin(l, &e) < 0) {
		free(e);
		return -1;
	}
	if (exec(l, &e, "DELETE FROM outputs WHERE path = ?1 AND tmp_name = ?2", "ss", rel,
		 tmp_name) < 0 ||
	    exec(l, &e, "DELETE FROM events WHERE document_id = ?1 AND kind = 'resent' AND"
			" detail = ?2", "ss", id, rel) < 0 ||
	    ledger_commit(l, &e) < 0) {
		ledger_rollback(l);
		free(e);
		return -1;
	}
	return 0;
}

/* Writes one resend copy of the output orig as rel, by the engine's own
 * protocol (docs/spool.md): staged in tmp/ and made durable, recorded in
 * the ledger under its staged name (the output row and the history event
 * in one transaction: the commit point), then renamed into place. Killed
 * before the commit, the staged file is never committed and the next
 * run's recovery removes it; killed after, the ledger has committed it and
 * recovery publishes it. So the copy is never visible without its ledger
 * row, nor recorded without the file. */
static int resend_copy(struct ledger *l, const char *spool, const char *id, const char *orig,
		       const char *rel, const void *data, size_t len, char **err)
{
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	char *tmp_name = xasprintf("resend-%ld-%s", (long)getpid(), base);
	char *tmp = xasprintf("%s/tmp/%s", spool, tmp_name);
	char *full = xasprintf("%s/%s", spool, rel);
	char *e = NULL;
	int rc = -1, staged = 0, recorded = 0, err_no = 0;
	int fd = fsio_open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd >= 0) {
		int ok = fsio_write_all(fd, data, len, tmp) == 0 && fsio_fsync(fd, tmp) == 0;
		err_no = errno;
		if (close(fd) < 0 && ok) {
			ok = 0;
			err_no = errno;
		}
		staged = ok && sync_folder_of(tmp) == 0;
		if (ok && !staged)
			err_no = errno;
	} else {
		err_no = errno;
	}
	if (!staged) {
		*err = xasprintf("cannot write %s: %s; nothing was written, run the command again "
				 "once the cause is fixed", full, strerror(err_no));
	} else if (ledger_begin(l, &e) < 0 ||
		   exec(l, &e, "INSERT INTO outputs(document_id, kind, format, partner, path,"
			       " tmp_name, payload_id, sha256, size, created) SELECT document_id,"
			       " kind, format, partner, ?2, ?3, payload_id, sha256, size, created"
			       " FROM outputs WHERE path = ?1",
			"sss", orig, rel, tmp_name) < 0 ||
		   ledger_event(l, id, "resent", rel, &e) < 0 || ledger_commit(l, &e) < 0) {
		ledger_rollback(l);
		*err = xasprintf("cannot record the resend of %s in the ledger: %s; nothing was "
				 "written, run the command again once the cause is fixed",
				 orig, e ? e : "unknown error");
	} else {
		recorded = 1;
		if (fsio_rename_noreplace(tmp, full) == 0) {
			if (sync_folder_of(full) == 0)
				rc = 0;
			else
				*err = xasprintf("cannot write %s: %s (it is in place, but its folder "
						 "could not be synced: check the disk)",
						 full, strerror(errno));
		} else if (errno == ENOENT && access(full, F_OK) == 0) {
			/* a run starting meanwhile published it from the ledger */
			rc = 0;
		} else {
			err_no = errno;
			if (resend_unrecord(l, id, rel, tmp_name) == 0) {
				recorded = 0;
				*err = err_no == EEXIST
					? xasprintf("%s appeared while it was being written; run the "
						    "command again", full)
					: xasprintf("cannot write %s: %s; nothing was written, run the "
						    "command again once the cause is fixed",
						    full, strerror(err_no));
			} else {
				*err = xasprintf("cannot put %s in place: %s; the ledger records it "
						 "and its copy waits in tmp/: the next run publishes "
						 "it", full, strerror(err_no));
			}
		}
	}
	if (!recorded)
		unlink(tmp);
	free(e);
	free(full);
	free(tmp);
	free(tmp_name);
	return rc;
}

static int read_file(const char *path, struct buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = read_fd_all(fd, out, (size_t)1 << 30);
	close(fd);
	return rc;
}

/* The folder an input whose spool path is rel came through: the source
 * whose tag its name carries ("ID-TAG@NAME"), NULL for none (in/), and
 * *unknown set for a tag no source has. */
static const char *source_dir(const char *rel, const char *id,
			      const struct ledger_source *src, int nsrc, char **unknown)
{
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	size_t idl = strlen(id);
	if (strncmp(base, id, idl) || base[idl] != '-')
		return NULL;
	const char *rest = base + idl + 1, *orig;
	size_t tl = spool_work_tag(rest, &orig);
	if (tl == 0)
		return NULL;
	for (int i = 0; i < nsrc; i++)
		if (strlen(src[i].tag) == tl && !strncmp(src[i].tag, rest, tl))
			return src[i].dir;
	*unknown = xstrndup(rest, tl);
	return NULL;
}

/* The folder document id came through: from the tag in its spool path
 * rel, or for a member of an archive (parent not NULL) in its
 * container's; NULL for in/ (and *unknown set for a tag no source has). */
static const char *came_through(struct ledger *l, const char *id, const char *rel,
				const char *parent, const struct ledger_source *src, int nsrc,
				char **unknown)
{
	const char *d = source_dir(rel, id, src, nsrc, unknown);
	if (d || *unknown || !parent)
		return d;
	sqlite3_stmt *st = query(l, "SELECT coalesce(failed_path, archive_path) FROM documents"
				    " WHERE id = ?1", "s", parent);
	char *p = st && sqlite3_step(st) == SQLITE_ROW ? col_text(st, 0) : NULL;
	finish(st);
	if (p)
		d = source_dir(p, parent, src, nsrc, unknown);
	free(p);
	return d;
}

static int put_back(struct ledger *l, const char *spool, const struct ledger_source *src,
		    int nsrc, const char *id, const char *name, const char *failed,
		    const char *archive, const char *parent, char **dest, char **err);

/* The message for a key that is no document ID: the document(s) it names
 * as an order number, our PO number or a payloadID (as `show` finds
 * them), with the command to give, or how to find one. */
static char *not_a_document(struct ledger *l, const char *key, const char *cmd)
{
	sqlite3_stmt *st = query(l, "SELECT DISTINCT d.id FROM documents d LEFT JOIN orders o"
				    " ON o.document_id = d.id WHERE d.payload_id = ?1"
				    " OR o.order_id = ?1 OR o.po_number = ?1 ORDER BY d.id",
				 "s", key);
	struct buf ids = BUF_INIT;
	int n = 0;
	char *first = NULL;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		if (n++)
			buf_adds(&ids, ", ");
		buf_adds(&ids, id);
		if (!first)
			first = xstrdup(id);
	}
	finish(st);
	char *msg;
	if (n)
		msg = xasprintf("%s is not a document ID; it names the document%s %s (give one: "
				"ordergate %s %s ...)",
				key, n == 1 ? "" : "s", ids.data, cmd, first);
	else
		msg = xasprintf("no document %s in the ledger: give a document ID, the first word of "
				"its log lines (ordergate show ORDER prints it)",
				key);
	buf_release(&ids);
	free(first);
	return msg;
}

int ledger_reprocess(struct ledger *l, const char *spool, const struct ledger_source *src,
		     int nsrc, const char *id, char **dest, char **err)
{
	*err = NULL;
	*dest = NULL;
	sqlite3_stmt *st = query(l, "SELECT name, state, failed_path, archive_path, parent_id"
				    " FROM documents WHERE id = ?1", "s", id);
	if (!st || sqlite3_step(st) != SQLITE_ROW) {
		finish(st);
		*err = not_a_document(l, id, "reprocess");
		return -2;
	}
	char *name = col_text(st, 0), *state = col_text(st, 1), *failed = col_text(st, 2),
	     *archive = col_text(st, 3), *parent = col_text(st, 4);
	finish(st);
	int rc = -1;
	if ((!failed || !*failed) && (!archive || !*archive))
		*err = xasprintf("document %s (%s) has no input left to reprocess", id,
				 state ? state : "?");
	else
		rc = put_back(l, spool, src, nsrc, id, name, failed, archive, parent, dest, err);
	free(name);
	free(state);
	free(failed);
	free(archive);
	free(parent);
	return rc;
}

/* ledger_reprocess's move: failed (its path in failed/, or "" or NULL)
 * or else the archive copy back into the folder it came through */
static int put_back(struct ledger *l, const char *spool, const struct ledger_source *src,
		    int nsrc, const char *id, const char *name, const char *failed,
		    const char *archive, const char *parent, char **dest, char **err)
{
	int from_failed = failed && *failed;
	const char *rel = from_failed ? failed : archive;
	/* back into the folder it came through, so its inbox's partner and
	 * CSV map apply again */
	char *unknown = NULL;
	const char *dir = came_through(l, id, rel, parent, src, nsrc, &unknown);
	char *in = xasprintf("%s/in", spool);
	if (!dir)
		dir = in;
	if (unknown)
		fprintf(stderr, "ordergate reprocess: %s came through inbox tag \"%s\", which no "
				"[inbox] has now; putting it into %s\n", id, unknown, in);
	char *safe = spool_visible_name(name ? name : "document", 120);
	char *from = xasprintf("%s/%s", spool, rel);
	struct buf data = BUF_INIT;
	int rc = -1;
	if (!from_failed && read_file(from, &data) < 0)
		*err = xasprintf("the archived copy %s is gone (purged?)", archive);
	/* under its own name, or ID-NAME when another file waits under it:
	 * never over a file in the folder */
	for (int k = 0; k < 2 && rc < 0 && !*err; k++) {
		free(*dest);
		*dest = k == 0 ? xasprintf("%s/%s", dir, safe) : xasprintf("%s/%s-%s", dir, id, safe);
		if (!from_failed) {
			/* the archive keeps gzip; a .gz arrived as sent is put back as such */
			rc = publish_copy(spool, *dest, data.data, data.len, err);
		} else if (fsio_rename_noreplace(from, *dest) == 0) {
			/* the move is made durable before the .why goes */
			if (sync_folder_of(*dest) < 0 || sync_folder_of(from) < 0) {
				*err = xasprintf("moved %s back to %s, but the folders could not be "
						 "synced: %s; check the disk",
						 failed, *dest, strerror(errno));
			} else {
				char *why = xasprintf("%s.why", from);
				fsio_unlink(why);
				free(why);
				rc = 0;
			}
		} else if (errno != EEXIST) {
			*err = xasprintf("cannot move %s back to %s: %s (was it already reprocessed?)",
					 failed, dir, strerror(errno));
		}
	}
	if (rc < 0 && !*err)
		*err = xasprintf("cannot put %s back: %s/%s and %s/%s-%s both exist; move one away "
				 "and run the command again", id, dir, safe, dir, id, safe);
	if (rc == 0) {
		char *detail = xasprintf("input put back as %s for a new run", *dest);
		char *e = NULL;
		/* a failed archive member's file and .why were its outputs: they
		 * are gone from failed/ now */
		/* the input is back either way: say what the ledger misses */
		if (from_failed && exec(l, &e, "DELETE FROM outputs WHERE document_id = ?1 AND"
					      " path IN (?2, ?2 || '.why')", "ss", id, failed) < 0) {
			fprintf(stderr, "ordergate reprocess: warning: %s is back, but the ledger "
					"still lists %s and its .why as outputs of %s: %s\n",
				*dest, failed, id, e);
			free(e);
			e = NULL;
		}
		if (ledger_event(l, id, "reprocess", detail, &e) < 0) {
			fprintf(stderr, "ordergate reprocess: warning: %s is back, but %s's history "
					"does not say so: %s\n", *dest, id, e);
			free(e);
		}
		free(detail);
	} else {
		free(*dest);
		*dest = NULL;
	}
	buf_release(&data);
	free(from);
	free(safe);
	free(in);
	free(unknown);
	return rc;
}

int ledger_resend(struct ledger *l, const char *spool, const char *id, const char *kind,
		  char **err)
{
	*err = NULL;
	struct ledger_output *outs;
	int n, done = 0, originals = 0;
	sqlite3_stmt *st = query(l, "SELECT d.state, d.stage, o.state FROM documents d LEFT JOIN"
				    " orders o ON o.document_id = d.id WHERE d.id = ?1", "s", id);
	if (!st || sqlite3_step(st) != SQLITE_ROW) {
		finish(st);
		*err = not_a_document(l, id, "resend");
		return -2;
	}
	char *dstate = col_text(st, 0), *stage = col_text(st, 1), *ostate = col_text(st, 2);
	finish(st);
	if (ledger_outputs(l, id, &outs, &n) < 0) {
		*err = xasprintf("cannot read the outputs of %s", id);
		n = 0;
		outs = NULL;
	}
	for (int i = 0; i < n && !*err; i++) {
		/* a resend's copies are recorded with a tmp_name starting with
		 * "resend" (the engine's start with the document ID): resend the
		 * originals only, once each */
		if (!strcmp(outs[i].kind, "archive") ||
		    (outs[i].tmp_name && !strncmp(outs[i].tmp_name, "resend", 6)) ||
		    (kind && strcmp(outs[i].kind, kind)))
			continue;
		originals++;
		struct buf data = BUF_INIT;
		char *path = xasprintf("%s/%s", spool, outs[i].path);
		if (read_file(path, &data) < 0) {
			*err = xasprintf("%s is gone; nothing to resend", outs[i].path);
		} else {
			char sha[65];
			sha256_hex(data.data, data.len, sha);
			if (strcmp(sha, outs[i].sha256)) {
				*err = xasprintf("%s no longer matches its recorded hash; refusing to "
						 "resend a changed file", outs[i].path);
			} else {
				char *dot = strrchr(outs[i].path, '.');
				char *rel = NULL;
				for (int k = 1; k < 1000 && !rel; k++) {
					char *cand = xasprintf("%.*s.resend-%d%s", (int)(dot - outs[i].path),
							       outs[i].path, k, dot);
					char *full = xasprintf("%s/%s", spool, cand);
					/* a copy the ledger records may still wait in tmp/
					 * (a resend killed after its commit) */
					if (access(full, F_OK) != 0 && !output_recorded(l, cand))
						rel = cand;
					else
						free(cand);
					free(full);
				}
				if (!rel)
					*err = xasprintf("%s has 999 resend copies already; nothing was "
							 "written", outs[i].path);
				else if (resend_copy(l, spool, id, outs[i].path, rel, data.data, data.len,
						     err) == 0)
					done++;
				free(rel);
			}
		}
		free(path);
		buf_release(&data);
	}
	ledger_outputs_free(outs, n);
	if (!*err && done == 0 && !originals) {
		/* nothing to resend: say why, and what to do instead */
		if (dstate && !strcmp(dstate, "failed"))
			*err = xasprintf("document %s failed%s%s and has no outputs to resend: fix the "
					 "cause (its .why in failed/ says what) and run ordergate "
					 "reprocess %s",
					 id, stage && *stage ? " at " : "", stage ? stage : "", id);
		else if (dstate && !strcmp(dstate, "duplicate"))
			*err = xasprintf("document %s is a duplicate: nothing was written for it; "
					 "resend the document it repeats (ordergate show %s names "
					 "its payloadID)",
					 id, id);
		else if (ostate && !strcmp(ostate, "pending"))
			*err = xasprintf("the order of document %s waits for approval: its outputs are "
					 "written when it is decided (ordergate pending)",
					 id);
		else if (kind)
			*err = xasprintf("document %s has no %s output to resend (ordergate show %s "
					 "lists its outputs)",
					 id, kind, id);
		else
			*err = xasprintf("document %s has no output to resend", id);
	}
	free(dstate);
	free(stage);
	free(ostate);
	return *err ? -1 : done;
}
