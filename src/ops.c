/*
 * ops: see ops.h.
 */
#define _GNU_SOURCE
#include "ops.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "dec.h"
#include "msg.h"
#include "util.h"

/* Exact decimal text in SQL from 1/10000 units (never floating point):
 * money through og_money(amount, currency) (sql_money below: the
 * currency's minor unit, never cut), quantities with their significant
 * decimals. */
#define MONEY(x, cur) "og_money(" x ", " cur ")"
#define QTY(x)                                                                                \
	"rtrim(rtrim((abs(" x ") / 10000) || '.' || substr('0000' || (abs(" x ") % 10000), -4),"  \
	" '0'), '.')"

static sqlite3_stmt *prep(struct ledger *l, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	return st;
}

static const char *text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

/* An amount in 1/10000 units in its currency's minor unit (JPY 0, BHD 3
 * decimals); a stored figure with more decimals keeps them. */
static void money_text(dec_t v, const char *currency, char out[DEC_FMT_MAX])
{
	dec_format(v, currency_decimals(currency), out);
}

static void money(sqlite3_stmt *st, int i, const char *currency, char out[DEC_FMT_MAX])
{
	money_text(sqlite3_column_int64(st, i), currency, out);
}

/* og_money(amount_e4, currency) for show's queries; NULL stays NULL. */
static void sql_money(sqlite3_context *c, int argc, sqlite3_value **v)
{
	(void)argc;
	if (sqlite3_value_type(v[0]) == SQLITE_NULL) {
		sqlite3_result_null(c);
		return;
	}
	const unsigned char *cur = sqlite3_value_text(v[1]);
	char out[DEC_FMT_MAX];
	money_text(sqlite3_value_int64(v[0]), cur ? (const char *)cur : "", out);
	sqlite3_result_text(c, out, -1, SQLITE_TRANSIENT);
}

/* quantity x unit price rounded once to the currency, as the order's and
 * the invoice's line amounts are computed (canon.c, pipeline.c). */
static int line_amount(dec_t qty, dec_t price, int decimals, dec_t *out)
{
	return dec_mul_round(qty, price, decimals, out);
}

static void qty(sqlite3_stmt *st, int i, char out[DEC_FMT_MAX])
{
	dec_format(sqlite3_column_int64(st, i), 0, out);
}

/* --- show --------------------------------------------------------------- */

struct out {
	FILE *f;
	int json;
	int first; /* no comma before the next JSON item */
};

static void jkv(struct out *o, const char *key, const char *value)
{
	struct buf b = BUF_INIT;
	if (!o->first)
		buf_adds(&b, ",");
	o->first = 0;
	json_pair(&b, key, value);
	fputs(buf_str(&b), o->f);
	buf_release(&b);
}

static void jopen(struct out *o, const char *key, char bracket)
{
	if (!o->first)
		fputc(',', o->f);
	if (key) {
		struct buf b = BUF_INIT;
		json_string(&b, key);
		fprintf(o->f, "%s:", buf_str(&b));
		buf_release(&b);
	}
	fputc(bracket, o->f);
	o->first = 1;
}

static void jclose(struct out *o, char bracket)
{
	fputc(bracket, o->f);
	o->first = 0;
}

/* Prints one query's rows: columns named by cols (NULL ends). A column
 * named "+NAME" is a note on the column before it: in text its value
 * follows that one's, after a space; in JSON it is the key NAME. */
static void section(struct ledger *l, struct out *o, const char *title, const char *sql,
		    const char *key, const char *const *cols)
{
	sqlite3_stmt *st = prep(l, sql);
	if (!st)
		return;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int any = 0;
	if (o->json)
		jopen(o, title, '[');
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (o->json) {
			jopen(o, NULL, '{');
			for (int i = 0; cols[i]; i++)
				jkv(o, cols[i] + (cols[i][0] == '+'), text(st, i));
			jclose(o, '}');
		} else {
			if (!any)
				fprintf(o->f, "\n%s:\n", title);
			fputs("  ", o->f);
			for (int i = 0; cols[i]; i++)
				if (*text(st, i) && cols[i][0] == '+')
					fprintf(o->f, " %s", text(st, i));
				else if (*text(st, i))
					fprintf(o->f, "%s%s=%s", i ? "  " : "", cols[i], text(st, i));
			fputc('\n', o->f);
		}
		any = 1;
	}
	if (o->json)
		jclose(o, ']');
	sqlite3_finalize(st);
}

int ops_show(struct ledger *l, const char *key, int json, FILE *f)
{
	if (sqlite3_create_function(l->db, "og_money", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    sql_money, NULL, NULL) != SQLITE_OK)
		return -1;
	/* the key may name an order (number, PO number) or a document */
	sqlite3_stmt *st = prep(l, "SELECT d.id, d.name, d.state, d.received, d.stage, d.reason,"
				   " o.id FROM documents d LEFT JOIN orders o ON o.document_id = d.id"
				   " WHERE d.id = ?1 OR d.payload_id = ?1 OR o.order_id = ?1"
				   " OR o.po_number = ?1 ORDER BY d.id");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	struct out o = { f, json, 1 };
	int n = 0;
	if (json)
		jopen(&o, NULL, '[');
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *doc = text(st, 0);
		char *id = xstrdup(doc);
		n++;
		if (json) {
			jopen(&o, NULL, '{');
			jkv(&o, "document", doc);
			jkv(&o, "file", text(st, 1));
			jkv(&o, "state", text(st, 2));
			jkv(&o, "received", text(st, 3));
			jkv(&o, "stage", text(st, 4));
			jkv(&o, "reason", text(st, 5));
		} else {
			fprintf(f, "%sdocument %s  file %s  %s  received %s\n", n > 1 ? "\n" : "", doc,
				text(st, 1), text(st, 2), text(st, 3));
			if (*text(st, 4))
				fprintf(f, "  failed at %s: %s\n", text(st, 4), text(st, 5));
		}
		static const char *order_cols[] = { "order", "po", "partner", "date", "type", "state",
						     "+state_note", "decision", "currency", "total",
						     "cost_center", "message", "replaced_by", "replaces",
						     NULL };
		section(l, &o, "order",
			"SELECT order_id, po_number, partner, order_date, type, state,"
			/* a held order replaced or cancelled while it waited
			 * stays pending in the ledger, but waits no more */
			" (SELECT '(waits no more: document ' || r.document_id || CASE r.type"
			" WHEN 'delete' THEN ' cancelled it)' ELSE ' replaced it)' END"
			" FROM orders r WHERE r.id = orders.replaced_by AND orders.state = 'pending'),"
			" decision, currency,"
			" " MONEY("total_e4", "currency") ", cost_center, message,"
			" (SELECT r.document_id || CASE r.type WHEN 'delete' THEN ' (cancelled)'"
			" ELSE ' (updated)' END FROM orders r WHERE r.id = orders.replaced_by),"
			/* a held change waits to replace the version in force;
			 * rejected, expired or replaced itself while it waited,
			 * it replaced nothing */
			" (SELECT e.document_id || CASE WHEN e.replaced_by = orders.id THEN ''"
			" WHEN orders.replaced_by IS NOT NULL AND orders.state = 'pending'"
			" THEN ' (not replaced: a later version replaced both)'"
			" WHEN orders.state = 'pending' THEN ' (once approved)'"
			" WHEN orders.state IN ('rejected', 'declined')"
			" THEN ' (not replaced: this change was ' || orders.state || ')'"
			" ELSE ' (not replaced by it)' END"
			" FROM orders e WHERE e.id = orders.replaces)"
			" FROM orders WHERE document_id = ?1",
			id, order_cols);
		static const char *line_cols[] = { "line", "part", "quantity", "uom", "price", "amount",
						   "state", "rejected", "backordered", "reason", NULL };
		section(l, &o, "lines",
			"SELECT line_number, supplier_part, " QTY("quantity_e4") ", uom,"
			" " QTY("unit_price_e4") ", " MONEY("amount_e4", "o.currency") ","
			" l.state, " QTY("rejected_e4") ", " QTY("backordered_e4") ", reason"
			" FROM order_lines l JOIN orders o ON o.id = l.order_ref WHERE o.document_id = ?1"
			" ORDER BY line_number",
			id, line_cols);
		static const char *cp_cols[] = { "role", "state", "by", "at", "comment", NULL };
		section(l, &o, "approvals",
			/* a checkpoint still pending on a decided order (rejected
			 * by an earlier approver, or expired), or on one replaced
			 * while it waited, waits for nothing */
			"SELECT role, CASE WHEN c.state = 'pending' AND (o.state <> 'pending'"
			" OR o.replaced_by IS NOT NULL)"
			" THEN 'undecided' ELSE c.state END, decided_by, decided_at, comment"
			" FROM checkpoints c"
			" JOIN orders o ON o.id = c.order_ref WHERE o.document_id = ?1 ORDER BY seq",
			id, cp_cols);
		static const char *out_cols[] = { "kind", "path", "sha256", "payloadID", "created", NULL };
		section(l, &o, "outputs",
			"SELECT kind, path, sha256, payload_id, created FROM outputs"
			" WHERE document_id = ?1 ORDER BY id",
			id, out_cols);
		static const char *ship_cols[] = { "shipment", "date", "carrier", "tracking", "lines", NULL };
		section(l, &o, "shipments",
			"SELECT s.shipment_id, s.ship_date, s.carrier, s.tracking,"
			" (SELECT group_concat(line_number || 'x' || " QTY("quantity_e4") ", ' ')"
			"  FROM shipment_lines WHERE shipment_ref = s.id)"
			" FROM shipments s JOIN orders o ON o.id = s.order_ref WHERE o.document_id = ?1",
			id, ship_cols);
		static const char *inv_cols[] = { "invoice", "date", "net", "currency", NULL };
		section(l, &o, "invoices",
			"SELECT invoice_number, invoice_date, " MONEY("net_e4", "i.currency") ", i.currency"
			" FROM invoices i JOIN orders o ON o.id = i.order_ref WHERE o.document_id = ?1",
			id, inv_cols);
		static const char *ev_cols[] = { "at", "event", "detail", NULL };
		section(l, &o, "history",
			"SELECT at, kind, detail FROM events WHERE document_id = ?1 ORDER BY id", id,
			ev_cols);
		if (json)
			jclose(&o, '}');
		free(id);
	}
	if (json) {
		jclose(&o, ']');
		fputc('\n', f);
	}
	sqlite3_finalize(st);
	return n ? 0 : 1;
}

/* --- exports ------------------------------------------------------------- */

/* RFC 4180 cell; text that a spreadsheet would run as a formula gets a
 * leading apostrophe. */
static void cell(FILE *f, const char *s, int last)
{
	if (!s)
		s = "";
	int formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
		      s[0] == '\r';
	int quote = formula || strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	if (quote)
		fputc('"', f);
	fputs(last ? "\r\n" : ",", f);
}

static void num(FILE *f, const char *s, int last)
{
	fputs(s, f);
	fputs(last ? "\r\n" : ",", f);
}

static void bind_range(sqlite3_stmt *st, const char *from, const char *to)
{
	sqlite3_bind_text(st, 1, from ? from : "0000-00-00", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, to ? to : "9999-99-99", -1, SQLITE_STATIC);
}

int ops_export_recon(struct ledger *l, const char *from, const char *to, FILE *f)
{
	sqlite3_stmt *st = prep(l,
		"SELECT o.partner, o.order_id, o.po_number, l.line_number, l.supplier_part,"
		" l.quantity_e4, l.quantity_e4 - l.rejected_e4, l.backordered_e4, l.rejected_e4,"
		" (SELECT COALESCE(SUM(sl.quantity_e4), 0) FROM shipment_lines sl"
		"  JOIN shipments s ON s.id = sl.shipment_ref WHERE s.order_ref = o.id"
		"  AND sl.line_number = l.line_number),"
		" (SELECT COALESCE(SUM(il.quantity_e4), 0) FROM invoice_lines il"
		"  JOIN invoices i ON i.id = il.invoice_ref WHERE i.order_ref = o.id"
		"  AND il.line_number = l.line_number),"
		" (SELECT COALESCE(SUM(il.amount_e4), 0) FROM invoice_lines il"
		"  JOIN invoices i ON i.id = il.invoice_ref WHERE i.order_ref = o.id"
		"  AND il.line_number = l.line_number),"
		" l.unit_price_e4, l.state, o.currency, o.state, o.id, l.amount_e4"
		" FROM order_lines l JOIN orders o ON o.id = l.order_ref"
		" WHERE o.mode = 'production' AND " LEDGER_CURRENT("o.")
		/* the order once, as the version in force: not a change that
		 * waits, or was rejected, beside it */
		" AND " LEDGER_TOOK_EFFECT("o")
		" AND substr(o.order_date, 1, 10) BETWEEN ?1 AND ?2"
		" ORDER BY o.partner, o.order_id, l.line_number");
	if (!st)
		return -1;
	bind_range(st, from, to);
	fputs("partner,order,po,line,part,currency,ordered_qty,confirmed_qty,backordered_qty,"
	      "rejected_qty,shipped_qty,invoiced_qty,ordered_amount,confirmed_amount,"
	      "shipped_amount,invoiced_amount,variance_amount,status\r\n", f);
	int rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		dec_t ordered = sqlite3_column_int64(st, 5), confirmed = sqlite3_column_int64(st, 6);
		dec_t shipped = sqlite3_column_int64(st, 9), invoiced = sqlite3_column_int64(st, 10);
		dec_t inv_amount = sqlite3_column_int64(st, 11), price = sqlite3_column_int64(st, 12);
		const char *line_state = text(st, 13), *order_state = text(st, 15);
		/* an order held for approvers has confirmed nothing yet (the
		 * report says so too): its confirmed quantity and amount are 0
		 * until it is released, not what it orders */
		int held = !strcmp(order_state, "pending") || !strcmp(order_state, "approved");
		if (held)
			confirmed = 0;
		/* the first that applies; the same order as the report page */
		const char *status = held ? "awaiting-approval"
				     : !strcmp(line_state, "rejected") || !strcmp(order_state, "rejected") ||
						     !strcmp(order_state, "declined")
					     ? "rejected"
				     : shipped > confirmed  ? "over-shipped"
				     : invoiced < shipped   ? "under-invoiced"
				     : shipped < confirmed  ? "open"
				     : invoiced > shipped   ? "over-invoiced"
							    : "matched";
		/* amounts in the currency's minor unit: ordered is the stored
		 * line amount (confirmed too, unless lines were rejected); shipped
		 * is the quantity shipped x price rounded to the currency, what
		 * the line's invoices add up to (each invoices what the line has
		 * shipped so far less what it had: pipeline_invoice), so what is
		 * shipped and invoiced has no variance */
		const char *currency = text(st, 14);
		int cd = currency_decimals(currency);
		dec_t a_ord = sqlite3_column_int64(st, 17), a_conf = a_ord, a_ship = 0, variance;
		int bad = confirmed != ordered && line_amount(confirmed, price, cd, &a_conf) < 0;
		bad = bad || line_amount(shipped, price, cd, &a_ship) < 0;
		if (bad || dec_sub(a_ship, inv_amount, &variance) < 0) {
			/* cannot happen for amounts ordergate accepted */
			rows = -1;
			break;
		}
		char q[6][DEC_FMT_MAX], m[5][DEC_FMT_MAX];
		for (int i = 0; i < 6; i++)
			qty(st, 5 + i, q[i]);
		dec_format(confirmed, 0, q[1]); /* 0 when held */
		money_text(a_ord, currency, m[0]);
		money_text(a_conf, currency, m[1]);
		money_text(a_ship, currency, m[2]);
		money_text(inv_amount, currency, m[3]);
		money_text(variance, currency, m[4]);
		char line[32];
		snprintf(line, sizeof line, "%lld", (long long)sqlite3_column_int64(st, 3));
		cell(f, text(st, 0), 0);
		cell(f, text(st, 1), 0);
		cell(f, text(st, 2), 0);
		num(f, line, 0);
		cell(f, text(st, 4), 0);
		cell(f, text(st, 14), 0);
		for (int i = 0; i < 6; i++)
			num(f, q[i], 0);
		for (int i = 0; i < 5; i++)
			num(f, m[i], 0);
		cell(f, status, 1);
		rows++;
	}
	sqlite3_finalize(st);
	return rows;
}

int ops_export_spend(struct ledger *l, const char *from, const char *to, FILE *f)
{
	sqlite3_stmt *st = prep(l,
		"SELECT partner, COALESCE(cost_center, ''), substr(order_date, 1, 7), currency,"
		" COUNT(*), SUM(COALESCE(committed_e4, total_e4)) FROM orders"
		" WHERE mode = 'production'"
		" AND state IN ('confirmed', 'approved') AND " LEDGER_CURRENT("")
		" AND substr(order_date, 1, 10) BETWEEN ?1 AND ?2"
		" GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4");
	if (!st)
		return -1;
	bind_range(st, from, to);
	fputs("supplier_or_partner,cost_center,month,currency,orders,total\r\n", f);
	int rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char total[DEC_FMT_MAX], count[32];
		money(st, 5, text(st, 3), total);
		snprintf(count, sizeof count, "%lld", (long long)sqlite3_column_int64(st, 4));
		cell(f, text(st, 0), 0);
		cell(f, text(st, 1), 0);
		cell(f, text(st, 2), 0);
		cell(f, text(st, 3), 0);
		num(f, count, 0);
		num(f, total, 1);
		rows++;
	}
	sqlite3_finalize(st);
	return rows;
}

/* --- purge --------------------------------------------------------------- */

/* The documents purge leaves alone this time, in the temporary table
 * purge_keep (in memory: temp_store), made afresh. */
static int keep_documents(struct ledger *l, const char *const *keep, int nkeep)
{
	if (sqlite3_exec(l->db, "CREATE TEMP TABLE IF NOT EXISTS purge_keep(id TEXT PRIMARY KEY);"
				"DELETE FROM temp.purge_keep", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	sqlite3_stmt *st = prep(l, "INSERT OR IGNORE INTO temp.purge_keep(id) VALUES (?1)");
	if (!st)
		return -1;
	int rc = 0;
	for (int i = 0; i < nkeep && rc == 0; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, keep[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(st);
	return rc;
}

int ops_purge_files(struct ledger *l, int days, const char *const *keep, int nkeep,
		    char ***files, int *nfiles, char **err)
{
	*files = NULL;
	*nfiles = 0;
	*err = NULL;
	time_t cut = og_now() - (time_t)days * 86400;
	char cutoff[32];
	iso_time(cut, cutoff);
	if (keep_documents(l, keep, nkeep) < 0) {
		*err = xstrdup(sqlite3_errmsg(l->db));
		return -1;
	}
	sqlite3_stmt *st = prep(l, "SELECT o.path FROM outputs o JOIN documents d ON d.id = o.document_id"
				   " WHERE o.kind = 'archive' AND d.processed < ?1"
				   " AND d.id NOT IN (SELECT id FROM temp.purge_keep)");
	if (!st) {
		*err = xstrdup(sqlite3_errmsg(l->db));
		return -1;
	}
	sqlite3_bind_text(st, 1, cutoff, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		*files = xrealloc(*files, sizeof(char *) * (size_t)(*nfiles + 1));
		(*files)[(*nfiles)++] = xstrdup(text(st, 0));
	}
	sqlite3_finalize(st);
	return *nfiles;
}

int ops_purge_rows(struct ledger *l, int days, const char *const *keep, int nkeep, char **err)
{
	*err = NULL;
	time_t cut = og_now() - (time_t)days * 86400;
	char cutoff[32];
	iso_time(cut, cutoff);
	if (keep_documents(l, keep, nkeep) < 0) {
		*err = xasprintf("purge: %s", sqlite3_errmsg(l->db));
		return -1;
	}
	const char *sql[] = {
		/* the archive copies go; their rows with them (but those of the
		 * documents kept: their inputs wait in work/ for recovery, which
		 * archives them by these rows) */
		"DELETE FROM outputs WHERE kind = 'archive' AND document_id IN"
		" (SELECT id FROM documents WHERE processed < ?1)"
		" AND document_id NOT IN (SELECT id FROM temp.purge_keep)",
		"UPDATE documents SET archive_path = NULL WHERE processed < ?1"
		" AND id NOT IN (SELECT id FROM temp.purge_keep)",
		/* detail goes: the order's copy and the event history. The copy
		 * stays while the order can still ship or be invoiced (an
		 * invoice is rendered from it): confirmed with a line not
		 * fully shipped, or a shipment not invoiced yet */
		"UPDATE orders SET canonical = '' WHERE created < ?1 AND (state = 'rejected' OR"
		" (state = 'confirmed' AND NOT EXISTS (SELECT 1 FROM order_lines l"
		"  WHERE l.order_ref = orders.id AND l.quantity_e4 - l.rejected_e4 >"
		"  (SELECT COALESCE(SUM(sl.quantity_e4), 0) FROM shipment_lines sl"
		"   JOIN shipments s ON s.id = sl.shipment_ref"
		"   WHERE s.order_ref = orders.id AND sl.line_number = l.line_number))"
		" AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_ref = orders.id"
		"  AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.shipment_ref = s.id))))",
		"DELETE FROM events WHERE at < ?1",
	};
	char *msg = NULL;
	if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	for (size_t i = 0; i < ARRAY_SIZE(sql); i++) {
		sqlite3_stmt *d = prep(l, sql[i]);
		if (!d)
			goto fail_rollback;
		sqlite3_bind_text(d, 1, cutoff, -1, SQLITE_STATIC);
		int rc = sqlite3_step(d);
		sqlite3_finalize(d);
		if (rc != SQLITE_DONE)
			goto fail_rollback;
	}
	if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
		goto fail_rollback;
	return 0;
fail_rollback:
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
fail:
	*err = xasprintf("purge: %s", msg ? msg : sqlite3_errmsg(l->db));
	sqlite3_free(msg);
	return -1;
}
