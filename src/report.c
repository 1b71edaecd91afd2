/*
 * report: see report.h. The page is built in a struct buf and written at
 * the end, so a ledger error never leaves half a page behind. Every query
 * filters mode = 'production'. Definitions, as the page states them:
 *
 *   spend         order totals of orders confirmed or approved, per
 *                 currency (as export spend and the budget rules count it)
 *   month         orders.period, else the first 7 characters of order_date
 *   cycle time    last approver decision (checkpoints.decided_at) minus the
 *                 order's arrival (orders.created), for orders approved
 *                 or declined by an approver (one that expired after some
 *                 approvals is counted with the expired, not as approved)
 *   role wait     a checkpoint's decision minus the previous checkpoint's
 *                 decision (or the arrival, for the first)
 *   line status   ordered = quantity, confirmed = quantity - rejected,
 *                 shipped = sum of shipment_lines, invoiced = sum of
 *                 invoice_lines over the order's invoices; the first that
 *                 holds: awaiting approval (order pending), rejected (line
 *                 or whole order rejected), over-shipped (shipped >
 *                 confirmed), under-invoiced (invoiced < shipped), open
 *                 (shipped < confirmed), matched (invoiced = shipped =
 *                 confirmed), else over-invoiced.
 *   orders        the current versions (LEDGER_CURRENT) that took effect
 *                 (LEDGER_TOOK_EFFECT): a change that waits for approval
 *                 or was rejected while the version it names stays in
 *                 force is counted apart (summary, reasons); approval
 *                 cycle times count such changes with the orders.
 */
#include "report.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dec.h"
#include "util.h"

/* The orders the report counts: the current versions (an order replaced by
 * an update or cancelled counts once, as its current version; a
 * cancellation is no order of its own: docs/operations.md, "Changes and
 * cancellations"), and of an order whose change waits for approval or was
 * rejected, the version in force only: such changes are counted apart */
#define ORDERS \
	"(SELECT * FROM orders WHERE " LEDGER_CURRENT("") " AND " LEDGER_TOOK_EFFECT("orders") ")"
/* Those changes: held, rejected or declined while the version they name
 * stays in force */
#define CHANGES_NOT_TAKEN                                                       \
	"(SELECT * FROM orders WHERE " LEDGER_CURRENT("") " AND NOT "             \
	LEDGER_TOOK_EFFECT("orders") ")"
/* What approvers decided or have to decide: the orders and those changes */
#define HELD "(SELECT * FROM orders WHERE " LEDGER_CURRENT("") ")"

#ifndef OG_VERSION
#define OG_VERSION "0.1.0"
#endif

#define TOP_BARS 15    /* bars per chart; the rest are summed in one */
#define TOP_REASONS 10 /* rows per reason table */
#define MAX_EXCEPTIONS 100

struct rep {
	struct ledger *l;
	struct buf h; /* the page */
	char *err;
	char now[32];
};

/* --- ledger access --- */

static sqlite3_stmt *query(struct rep *r, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (r->err)
		return NULL;
	if (sqlite3_prepare_v2(r->l->db, sql, -1, &st, NULL) != SQLITE_OK) {
		r->err = xasprintf("ledger %s: cannot read: %s", r->l->path,
				   sqlite3_errmsg(r->l->db));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* 1 a row, 0 done or an error (r->err set). */
static int row(struct rep *r, sqlite3_stmt *st)
{
	if (!st || r->err)
		return 0;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		r->err = xasprintf("ledger %s: cannot read: %s", r->l->path,
				   sqlite3_errmsg(r->l->db));
	return 0;
}

static const char *text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

static long long num(sqlite3_stmt *st, int i)
{
	return sqlite3_column_int64(st, i);
}

/* The single integer a query returns (0 when it returns nothing). */
static long long scalar(struct rep *r, const char *sql)
{
	sqlite3_stmt *st = query(r, sql);
	long long v = row(r, st) ? num(st, 0) : 0;
	sqlite3_finalize(st);
	return v;
}

/* --- HTML text --- */

/* At most n bytes of s, escaped for text and attribute values alike;
 * control characters become spaces. */
static void esc_n(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\'': buf_adds(b, "&#39;"); break;
		default: buf_addch(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
		}
	}
}

static void esc(struct buf *b, const char *s)
{
	esc_n(b, s ? s : "", SIZE_MAX);
}

/* s escaped, cut to at most max characters (UTF-8) with an ellipsis. */
static void esc_cut(struct buf *b, const char *s, size_t max)
{
	size_t chars = 0, cut = 0;
	for (size_t i = 0; s[i]; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (chars == max - 1)
				cut = i;
			chars++;
		}
	if (chars <= max) {
		esc(b, s);
		return;
	}
	esc_n(b, s, cut);
	buf_adds(b, "\xe2\x80\xa6");
}

/* A decimal string with thousands separators in its integer part. */
static void grouped(struct buf *b, const char *s)
{
	if (*s == '-')
		buf_addch(b, *s++);
	size_t nd = strspn(s, "0123456789");
	for (size_t i = 0; i < nd; i++) {
		if (i && (nd - i) % 3 == 0)
			buf_addch(b, ',');
		buf_addch(b, s[i]);
	}
	buf_adds(b, s + nd);
}

/* Money, exact, with the currency's minor units: 13,436.90 EUR. */
static void money(struct buf *b, dec_t v, const char *currency)
{
	char s[DEC_FMT_MAX];
	dec_format(v, currency_decimals(currency), s);
	grouped(b, s);
	if (currency && *currency) {
		buf_adds(b, "\xc2\xa0");
		esc(b, currency);
	}
}

static void qty(struct buf *b, dec_t v)
{
	char s[DEC_FMT_MAX];
	dec_format(v, 0, s);
	grouped(b, s);
}

/* Seconds as hours with one decimal: 9000 is "2.5 h". */
static void hours(struct buf *b, long long secs)
{
	unsigned long long a = secs < 0 ? 0ULL - (unsigned long long)secs : (unsigned long long)secs;
	unsigned long long tenths = (a * 10 + 1800) / 3600;
	buf_printf(b, "%s%llu.%llu&nbsp;h", secs < 0 && tenths ? "-" : "", tenths / 10, tenths % 10);
	if (tenths >= 480) { /* two days and more: also in days */
		unsigned long long dtenths = (a * 10 + 43200) / 86400;
		buf_printf(b, " (%llu.%llu&nbsp;d)", dtenths / 10, dtenths % 10);
	}
}

static const char *plural(long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* --- charts --- */

struct bar {
	char *label; /* plain text, cut on the chart */
	char *value; /* HTML, shown next to the bar */
	char *tip;   /* HTML, the bar's tooltip */
	double size; /* the bar's length, relative to the others */
	int muted;   /* drawn grey: the sum of the rest */
};

struct bars {
	struct bar *v;
	int n;
};

static void bars_add(struct bars *bs, const char *label, struct buf *value, struct buf *tip,
		     double size)
{
	bs->v = xrealloc(bs->v, sizeof *bs->v * (size_t)(bs->n + 1));
	struct bar *b = &bs->v[bs->n++];
	b->label = xstrdup(label);
	b->value = buf_detach(value);
	b->tip = buf_detach(tip);
	b->size = size < 0 ? 0 : size;
	b->muted = 0;
}

static void bars_free(struct bars *bs)
{
	for (int i = 0; i < bs->n; i++) {
		free(bs->v[i].label);
		free(bs->v[i].value);
		free(bs->v[i].tip);
	}
	free(bs->v);
	bs->v = NULL;
	bs->n = 0;
}

static double max_size(const struct bars *bs)
{
	double m = 0;
	for (int i = 0; i < bs->n; i++)
		if (bs->v[i].size > m)
			m = bs->v[i].size;
	return m;
}

#define CHART_W 1100
#define LABEL_CHARS 30 /* a label longer is cut (the tooltip has it whole) */
#define MUTED "#9aa5b1"

/* Horizontal bars, one row each: label, bar, value. */
static void svg_hbars(struct buf *b, const char *title, const struct bars *bs, const char *color)
{
	const int label_w = 260, value_w = 240, rowh = 28, pad = 6;
	const double span = CHART_W - label_w - value_w - 16;
	int height = 2 * pad + bs->n * rowh;
	double max = max_size(bs);
	buf_printf(b, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
		   CHART_W, height);
	esc(b, title);
	buf_adds(b, "\">\n");
	for (int i = 0; i < bs->n; i++) {
		const struct bar *br = &bs->v[i];
		int y = pad + i * rowh;
		double len = max > 0 ? br->size / max * span : 0;
		if (br->size > 0 && len < 2)
			len = 2;
		buf_printf(b, "<g><title>%s</title>", br->tip);
		buf_printf(b, "<text class=\"lbl\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
			   label_w - 10, y + rowh / 2 + 5);
		esc_cut(b, br->label, LABEL_CHARS);
		buf_printf(b, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\" "
			      "fill=\"%s\"/>",
			   label_w, y + 4, len, rowh - 8, br->muted ? MUTED : color);
		buf_printf(b, "<text class=\"val\" x=\"%.1f\" y=\"%d\">%s</text></g>\n",
			   label_w + len + 8, y + rowh / 2 + 5, br->value);
	}
	buf_adds(b, "</svg>\n");
}

/* Vertical columns in the given order (months): label below each, the
 * value above it while there is room, always in the tooltip. */
static void svg_columns(struct buf *b, const char *title, const struct bars *bs,
			const char *color)
{
	const int left = 20, top = 28, plot_h = 170;
	int rotate = bs->n > 12;
	int bottom = rotate ? 70 : 34;
	int height = top + plot_h + bottom;
	double slot = (double)(CHART_W - 2 * left) / (bs->n > 0 ? bs->n : 1);
	double bw = slot * 0.62 > 90 ? 90 : slot * 0.62;
	double max = max_size(bs);
	buf_printf(b, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
		   CHART_W, height);
	esc(b, title);
	buf_adds(b, "\">\n");
	buf_printf(b, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", left,
		   top + plot_h, CHART_W - left, top + plot_h);
	for (int i = 0; i < bs->n; i++) {
		const struct bar *br = &bs->v[i];
		double cx = left + slot * i + slot / 2;
		double hgt = max > 0 ? br->size / max * plot_h : 0;
		if (br->size > 0 && hgt < 2)
			hgt = 2;
		buf_printf(b, "<g><title>%s</title>", br->tip);
		buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"3\" "
			      "fill=\"%s\"/>",
			   cx - bw / 2, top + plot_h - hgt, bw, hgt, color);
		if (!rotate)
			buf_printf(b, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" "
				      "text-anchor=\"middle\">%s</text>",
				   cx, top + plot_h - hgt - 6, br->value);
		if (rotate) {
			buf_printf(b, "<text class=\"lbl\" x=\"%.1f\" y=\"%d\" text-anchor=\"end\" "
				      "transform=\"rotate(-50 %.1f %d)\">",
				   cx + 4, top + plot_h + 14, cx + 4, top + plot_h + 14);
		} else {
			buf_printf(b, "<text class=\"lbl\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
				   cx, top + plot_h + 20);
		}
		esc_cut(b, br->label, 12);
		buf_adds(b, "</text></g>\n");
	}
	buf_adds(b, "</svg>\n");
}

/* --- the page --- */

static const char css[] =
	":root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f5f7fa;--card:#fff;"
	"--accent:#2563eb}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:var(--bg);color:var(--ink);"
	"font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
	"main{max-width:1200px;margin:0 auto;padding:28px 32px 48px}\n"
	"header h1{margin:0;font-size:28px;letter-spacing:-.01em}\n"
	".meta{color:var(--muted);margin:4px 0 0}\n"
	".note{margin:12px 0 0;padding:8px 12px;background:#fff8e1;border:1px solid #ffe082;"
	"border-radius:6px;display:inline-block}\n"
	"section{background:var(--card);border:1px solid var(--line);border-radius:10px;"
	"padding:18px 24px;margin:22px 0 0}\n"
	"h2{font-size:19px;margin:0 0 4px}\n"
	"h3{font-size:15px;margin:18px 0 6px;color:var(--muted);font-weight:600}\n"
	".hint{color:var(--muted);margin:0 0 10px;font-size:13.5px}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px}\n"
	".card{border:1px solid var(--line);border-radius:8px;padding:10px 14px}\n"
	".card .n{font-size:26px;font-weight:650;font-variant-numeric:tabular-nums}\n"
	".card .k{color:var(--muted);font-size:13px}\n"
	".chart{display:block;width:100%;height:auto;margin:4px 0}\n"
	".chart text{font-size:13px;fill:var(--ink)}\n"
	".chart .val{fill:var(--muted);font-variant-numeric:tabular-nums}\n"
	".chart .axis{stroke:#9aa5b1;stroke-width:1}\n"
	"table{border-collapse:collapse;width:100%;margin:6px 0 4px;font-size:14px}\n"
	"th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);"
	"vertical-align:top}\n"
	"th{color:var(--muted);font-weight:600;font-size:13px;background:#fafbfc}\n"
	"td.r,th.r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"td.reason{word-break:break-word}\n"
	".legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:6px 0;font-size:13px;"
	"color:var(--muted)}\n"
	".sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;"
	"vertical-align:-1px}\n"
	".empty{font-size:18px;color:var(--muted);margin:8px 0}\n"
	".none{color:var(--muted);font-style:italic}\n"
	".cols{display:grid;grid-template-columns:1fr 1fr;gap:0 28px}\n"
	"footer{color:var(--muted);font-size:12.5px;margin-top:22px}\n"
	"code{font-size:13px;background:#eef2f7;padding:1px 5px;border-radius:4px}\n";

static const char *state_names[] = { "confirmed", "approved", "pending", "rejected", "declined" };
static const char *state_colors[] = { "#2e7d32", "#81c784", "#f9a825", "#c62828", "#ef6c00" };

static void start_section(struct rep *r, const char *id, const char *title, const char *hint)
{
	buf_printf(&r->h, "<section id=\"%s\">\n<h2>%s</h2>\n", id, title);
	if (hint)
		buf_printf(&r->h, "<p class=\"hint\">%s</p>\n", hint);
}

static void swatch(struct buf *b, const char *color, const char *name)
{
	buf_printf(b, "<span><span class=\"sw\" style=\"background:%s\"></span>%s</span>", color,
		   name);
}

static void summary(struct rep *r)
{
	long long counts[ARRAY_SIZE(state_names)] = { 0 };
	long long total = 0;
	sqlite3_stmt *st = query(r, "SELECT state, COUNT(*) FROM " ORDERS
				    " WHERE mode = 'production' GROUP BY state");
	while (row(r, st)) {
		total += num(st, 1);
		for (size_t i = 0; i < ARRAY_SIZE(state_names); i++)
			if (!strcmp(text(st, 0), state_names[i]))
				counts[i] = num(st, 1);
	}
	sqlite3_finalize(st);
	long long lines = scalar(r, "SELECT COUNT(*) FROM order_lines ol JOIN " ORDERS " o"
				    " ON o.id = ol.order_ref WHERE o.mode = 'production'");
	start_section(r, "summary", "Production orders", NULL);
	buf_adds(&r->h, "<div class=\"cards\">\n");
	buf_printf(&r->h, "<div class=\"card\"><div class=\"n\">%lld</div><div class=\"k\">orders"
			  "</div></div>\n", total);
	for (size_t i = 0; i < ARRAY_SIZE(state_names); i++)
		buf_printf(&r->h, "<div class=\"card\" id=\"count-%s\"><div class=\"n\">%lld</div>"
				  "<div class=\"k\"><span class=\"sw\" style=\"background:%s\"></span>"
				  "%s</div></div>\n",
			   state_names[i], counts[i], state_colors[i], state_names[i]);
	buf_printf(&r->h, "<div class=\"card\"><div class=\"n\">%lld</div><div class=\"k\">order "
			  "lines</div></div>\n", lines);
	buf_adds(&r->h, "</div>\n");
	/* changes that did not take effect are no orders of their own */
	long long ch_rejected = scalar(r, "SELECT COUNT(*) FROM " CHANGES_NOT_TAKEN
					  " WHERE mode = 'production' AND state IN ('rejected', 'declined')");
	long long ch_waiting = scalar(r, "SELECT COUNT(*) FROM " CHANGES_NOT_TAKEN
					 " WHERE mode = 'production' AND state = 'pending'");
	if (ch_rejected || ch_waiting)
		buf_printf(&r->h, "<p class=\"hint\" id=\"changes\">Changes of orders (updates, "
				  "cancellations) that did not take effect are not counted as orders: "
				  "<span id=\"changes-rejected\">%lld</span> rejected or declined, "
				  "<span id=\"changes-waiting\">%lld</span> waiting for approval. Their "
				  "orders are counted once, as the version in force.</p>\n",
			   ch_rejected, ch_waiting);
	buf_adds(&r->h, "</section>\n");
}

/* Spend charts, one per currency; sql returns currency, label, sum and
 * count, ordered by currency. Bars (biggest first): the top ones, the rest
 * summed in one; columns (months, in order): all. */
static void spend_charts(struct rep *r, const char *sql, int columns, const char *color,
			 const char *what)
{
	sqlite3_stmt *st = query(r, sql);
	struct bars bs = { NULL, 0 };
	char *currency = NULL;
	dec_t rest = 0, total = 0;
	long long rest_n = 0, rest_orders = 0, total_orders = 0;
	int any = 0;
	for (;;) {
		int more = row(r, st);
		if (currency && (!more || strcmp(text(st, 0), currency))) {
			struct buf v = BUF_INIT, t = BUF_INIT;
			if (rest_n) {
				money(&v, rest, currency);
				buf_printf(&t, "%lld other %s: ", rest_n, what);
				money(&t, rest, currency);
				buf_printf(&t, " in %lld %s", rest_orders, plural(rest_orders, "order", "orders"));
				char *label = xasprintf("(%lld others)", rest_n);
				bars_add(&bs, label, &v, &t, (double)rest);
				bs.v[bs.n - 1].muted = 1;
				free(label);
			}
			buf_adds(&r->h, "<h3>");
			esc(&r->h, currency);
			buf_adds(&r->h, " &middot; total ");
			money(&r->h, total, currency);
			buf_printf(&r->h, " in %lld %s</h3>\n", total_orders,
				   plural(total_orders, "order", "orders"));
			char *title = xasprintf("spend by %s in %s", what, currency);
			if (columns)
				svg_columns(&r->h, title, &bs, color);
			else
				svg_hbars(&r->h, title, &bs, color);
			free(title);
			bars_free(&bs);
			free(currency);
			currency = NULL;
		}
		if (!more)
			break;
		if (!currency) {
			currency = xstrdup(text(st, 0));
			rest = total = 0;
			rest_n = rest_orders = total_orders = 0;
		}
		any = 1;
		dec_t sum = num(st, 2);
		long long n = num(st, 3);
		const char *label = *text(st, 1) ? text(st, 1) : "(no date)";
		if (dec_add(total, sum, &total) < 0)
			total = DEC_MAX;
		total_orders += n;
		if (!columns && bs.n >= TOP_BARS) {
			if (dec_add(rest, sum, &rest) < 0)
				rest = DEC_MAX;
			rest_n++;
			rest_orders += n;
			continue;
		}
		struct buf v = BUF_INIT, t = BUF_INIT;
		money(&v, sum, currency);
		if (!columns)
			buf_printf(&v, " &middot; %lld %s", n, plural(n, "order", "orders"));
		esc(&t, label);
		buf_adds(&t, ": ");
		money(&t, sum, currency);
		buf_printf(&t, " in %lld %s", n, plural(n, "order", "orders"));
		bars_add(&bs, label, &v, &t, (double)sum);
	}
	sqlite3_finalize(st);
	free(currency);
	bars_free(&bs);
	if (!any && !r->err)
		buf_adds(&r->h, "<p class=\"none\">No confirmed or approved orders yet.</p>\n");
}

/* An order's spend: its committed total (without the lines its decision
 * rejected; the whole total for an order recorded before ordergate kept
 * one), the same as `ordergate export spend` and the budget rules'
 * og:spent. */
#define SPEND "COALESCE(committed_e4, total_e4)"

static void spend(struct rep *r)
{
	start_section(r, "spend-partner", "Spend by trading partner",
		      "Trading partner: the partner the order came from (the ledger's "
		      "<code>orders.partner</code>); the supplier identity an order is addressed to "
		      "is not recorded per order. Spend: the totals of the orders confirmed or "
		      "approved, without the lines their rules rejected, per currency (as "
		      "<code>ordergate export spend</code> and the budget rules count it).");
	spend_charts(r,
		     "SELECT currency, partner, SUM(" SPEND "), COUNT(*) FROM " ORDERS
		     " WHERE mode = 'production' AND state IN ('confirmed', 'approved')"
		     " GROUP BY currency, partner ORDER BY currency, 3 DESC, partner",
		     0, "#2563eb", "partners");
	buf_adds(&r->h, "</section>\n");
	start_section(r, "spend-month", "Spend by month",
		      "By the order's period (the month of its order date); months without "
		      "orders are not shown. Point at a column for its amount.");
	spend_charts(r,
		     "SELECT currency, COALESCE(period, substr(order_date, 1, 7), '') AS m,"
		     " SUM(" SPEND "), COUNT(*) FROM " ORDERS
		     " WHERE mode = 'production' AND state IN ('confirmed', 'approved')"
		     " GROUP BY currency, m ORDER BY currency, m",
		     1, "#0d9488", "month");
	buf_adds(&r->h, "</section>\n");
}

static void volumes(struct rep *r)
{
	start_section(r, "volumes", "Order volumes per partner",
		      "Every production order by its state now: confirmed (accepted or released "
		      "after approval), approved (waiting to be released), pending (waiting for an "
		      "approver), rejected, declined (by an approver or expired).");
	sqlite3_stmt *st = query(r, "SELECT partner, COUNT(*), SUM(state = 'confirmed'),"
				    " SUM(state = 'approved'), SUM(state = 'pending'),"
				    " SUM(state = 'rejected'), SUM(state = 'declined'),"
				    " COUNT(DISTINCT currency) FROM " ORDERS " WHERE mode = 'production'"
				    " GROUP BY partner ORDER BY COUNT(*) DESC, partner");
	struct vol {
		char *partner;
		long long total, by[5];
	} *v = NULL;
	int n = 0;
	long long max = 0;
	while (row(r, st)) {
		v = xrealloc(v, sizeof *v * (size_t)(n + 1));
		v[n].partner = xstrdup(text(st, 0));
		v[n].total = num(st, 1);
		for (int k = 0; k < 5; k++)
			v[n].by[k] = num(st, 2 + k);
		if (v[n].total > max)
			max = v[n].total;
		n++;
	}
	sqlite3_finalize(st);
	if (n == 0) {
		if (!r->err)
			buf_adds(&r->h, "<p class=\"none\">No orders.</p>\n");
	} else {
		buf_adds(&r->h, "<div class=\"legend\">");
		for (int k = 0; k < 5; k++)
			swatch(&r->h, state_colors[k], state_names[k]);
		buf_adds(&r->h, "</div>\n");
		int shown = n > TOP_BARS + 5 ? TOP_BARS + 5 : n;
		const int label_w = 260, rowh = 28, pad = 6;
		const double span = CHART_W - label_w - 120;
		buf_printf(&r->h, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
				  "aria-label=\"orders per partner by state\">\n",
			   CHART_W, 2 * pad + shown * rowh);
		for (int i = 0; i < shown; i++) {
			int y = pad + i * rowh;
			double x = label_w;
			buf_adds(&r->h, "<g><title>");
			esc(&r->h, v[i].partner);
			buf_printf(&r->h, ": %lld %s", v[i].total, plural(v[i].total, "order", "orders"));
			for (int k = 0; k < 5; k++)
				if (v[i].by[k])
					buf_printf(&r->h, ", %lld %s", v[i].by[k], state_names[k]);
			buf_printf(&r->h, "</title><text class=\"lbl\" x=\"%d\" y=\"%d\" "
					  "text-anchor=\"end\">",
				   label_w - 10, y + rowh / 2 + 5);
			esc_cut(&r->h, v[i].partner, LABEL_CHARS);
			buf_adds(&r->h, "</text>");
			for (int k = 0; k < 5; k++) {
				if (!v[i].by[k])
					continue;
				double w = (double)v[i].by[k] / (double)max * span;
				buf_printf(&r->h, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
						  "fill=\"%s\"/>",
					   x, y + 4, w, rowh - 8, state_colors[k]);
				x += w;
			}
			buf_printf(&r->h, "<text class=\"val\" x=\"%.1f\" y=\"%d\">%lld</text></g>\n",
				   x + 8, y + rowh / 2 + 5, v[i].total);
		}
		buf_adds(&r->h, "</svg>\n");
		if (shown < n)
			buf_printf(&r->h, "<p class=\"hint\">The chart shows the %d partners with the most "
					  "orders; the table lists all %d.</p>\n",
				   shown, n);
		buf_adds(&r->h, "<table><thead><tr><th>Partner</th><th class=\"r\">orders</th>");
		for (int k = 0; k < 5; k++)
			buf_printf(&r->h, "<th class=\"r\">%s</th>", state_names[k]);
		buf_adds(&r->h, "</tr></thead><tbody>\n");
		for (int i = 0; i < n; i++) {
			buf_adds(&r->h, "<tr><td>");
			esc(&r->h, v[i].partner);
			buf_printf(&r->h, "</td><td class=\"r\">%lld</td>", v[i].total);
			for (int k = 0; k < 5; k++)
				buf_printf(&r->h, "<td class=\"r\">%lld</td>", v[i].by[k]);
			buf_adds(&r->h, "</tr>\n");
		}
		buf_adds(&r->h, "</tbody></table>\n");
	}
	for (int i = 0; i < n; i++)
		free(v[i].partner);
	free(v);
	buf_adds(&r->h, "</section>\n");
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

struct durations {
	long long *v;
	int n;
};

static void dur_add(struct durations *d, long long secs)
{
	d->v = xrealloc(d->v, sizeof *d->v * (size_t)(d->n + 1));
	d->v[d->n++] = secs;
}

/* One table row: name, count, median, max. */
static void dur_row(struct buf *b, const char *name, struct durations *d)
{
	buf_adds(b, "<tr><td>");
	esc(b, name);
	buf_printf(b, "</td><td class=\"r\">%d</td>", d->n);
	if (d->n == 0) {
		buf_adds(b, "<td class=\"r\">&ndash;</td><td class=\"r\">&ndash;</td></tr>\n");
		return;
	}
	qsort(d->v, (size_t)d->n, sizeof *d->v, cmp_ll);
	long long median = d->n % 2 ? d->v[d->n / 2] : (d->v[d->n / 2 - 1] + d->v[d->n / 2]) / 2;
	buf_adds(b, "<td class=\"r\">");
	hours(b, median);
	buf_adds(b, "</td><td class=\"r\">");
	hours(b, d->v[d->n - 1]);
	buf_adds(b, "</td></tr>\n");
}

#define SECONDS_BETWEEN(a, b) "CAST(ROUND((" a " - " b ") * 86400) AS INTEGER)"

static void cycle_times(struct rep *r)
{
	start_section(r, "cycle", "Approval cycle times",
		      "Orders held for approvers (changes of orders among them). Cycle time: from the order's arrival to its last "
		      "approver decision. Wait per role: from the moment the order reached that "
		      "approver (its arrival, or the previous approver's decision) to the decision.");
	struct durations all = { NULL, 0 }, ok = { NULL, 0 }, no = { NULL, 0 };
	sqlite3_stmt *st = query(r,
				 "SELECT " SECONDS_BETWEEN("MAX(julianday(c.decided_at))",
							   "julianday(o.created)") ","
				 " SUM(c.state = 'rejected') FROM " HELD " o"
				 " JOIN checkpoints c ON c.order_ref = o.id"
				 " WHERE o.mode = 'production' AND o.state <> 'pending'"
				 " AND c.decided_at IS NOT NULL GROUP BY o.id"
				 /* an order that expired after some approvals was
				  * neither approved nor declined by an approver */
				 " HAVING SUM(c.state = 'rejected') > 0"
				 " OR MAX(o.state IN ('confirmed', 'approved'))");
	while (row(r, st)) {
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			continue; /* a time SQLite cannot read */
		dur_add(&all, num(st, 0));
		dur_add(num(st, 1) ? &no : &ok, num(st, 0));
	}
	sqlite3_finalize(st);
	long long waiting = scalar(r, "SELECT COUNT(*) FROM " HELD
				      " WHERE mode = 'production' AND state = 'pending'");
	long long expired = scalar(r, "SELECT COUNT(*) FROM " HELD " o WHERE o.mode = 'production'"
				      " AND o.state IN ('declined', 'rejected')"
				      " AND EXISTS (SELECT 1 FROM checkpoints c WHERE c.order_ref = o.id)"
				      " AND NOT EXISTS (SELECT 1 FROM checkpoints c"
				      "  WHERE c.order_ref = o.id AND c.state = 'rejected')"
				      " AND EXISTS (SELECT 1 FROM checkpoints c"
				      "  WHERE c.order_ref = o.id AND c.state = 'pending')");
	/* every approver approved, then its budget rules, run again at its
	 * release, rejected it (docs/rules.md, "Budgets at release") */
	long long at_release = scalar(r, "SELECT COUNT(*) FROM " HELD " o WHERE o.mode = 'production'"
					 " AND o.state IN ('declined', 'rejected')"
					 " AND EXISTS (SELECT 1 FROM checkpoints c WHERE c.order_ref = o.id)"
					 " AND NOT EXISTS (SELECT 1 FROM checkpoints c"
					 "  WHERE c.order_ref = o.id AND c.state <> 'approved')");
	if (all.n == 0 && waiting == 0 && expired == 0 && at_release == 0) {
		if (!r->err)
			buf_adds(&r->h, "<p class=\"none\">No order has been held for approval.</p>\n");
		buf_adds(&r->h, "</section>\n");
		return;
	}
	buf_adds(&r->h, "<div class=\"cols\"><div>\n<h3>Decided orders</h3>\n"
			"<table><thead><tr><th></th><th class=\"r\">orders</th>"
			"<th class=\"r\">median</th><th class=\"r\">max</th></tr></thead><tbody>\n");
	dur_row(&r->h, "all decided", &all);
	dur_row(&r->h, "approved", &ok);
	dur_row(&r->h, "declined by an approver", &no);
	buf_adds(&r->h, "</tbody></table>\n");
	free(all.v);
	free(ok.v);
	free(no.v);

	if (waiting) {
		sqlite3_stmt *w = query(r, "SELECT " SECONDS_BETWEEN("julianday(?1)",
								     "MIN(julianday(created))")
					   " FROM " HELD " WHERE mode = 'production' AND state = 'pending'");
		if (w)
			sqlite3_bind_text(w, 1, r->now, -1, SQLITE_STATIC);
		if (row(r, w)) {
			buf_printf(&r->h, "<p id=\"waiting\">Waiting now: %lld %s", waiting,
				   plural(waiting, "order", "orders"));
			if (sqlite3_column_type(w, 0) != SQLITE_NULL) {
				buf_adds(&r->h, ", the oldest for ");
				hours(&r->h, num(w, 0));
			}
			buf_adds(&r->h, ".</p>\n");
		}
		sqlite3_finalize(w);
	}
	if (expired)
		buf_printf(&r->h, "<p>%lld %s declined without an approver's rejection (not approved "
				  "in time) %s not counted.</p>\n",
			   expired, plural(expired, "order", "orders"), plural(expired, "is", "are"));
	if (at_release)
		buf_printf(&r->h, "<p>%lld %s rejected at %s release by a budget rule, after every "
				  "approver approved, %s not counted.</p>\n",
			   at_release, plural(at_release, "order", "orders"),
			   plural(at_release, "its", "their"), plural(at_release, "is", "are"));

	buf_adds(&r->h, "</div><div>\n<h3>Wait per approver role</h3>\n"
			"<table><thead><tr><th>role</th><th class=\"r\">decisions</th>"
			"<th class=\"r\">median</th><th class=\"r\">max</th></tr></thead><tbody>\n");
	st = query(r, "SELECT c.role, " SECONDS_BETWEEN("julianday(c.decided_at)",
						       "julianday(COALESCE(p.decided_at, o.created))")
		      " FROM checkpoints c JOIN " HELD " o ON o.id = c.order_ref"
		      " LEFT JOIN checkpoints p ON p.order_ref = c.order_ref AND p.seq = c.seq - 1"
		      " WHERE o.mode = 'production' AND c.decided_at IS NOT NULL"
		      " ORDER BY c.role");
	struct durations d = { NULL, 0 };
	char *role = NULL;
	int roles = 0;
	for (;;) {
		int more = row(r, st);
		if (role && (!more || strcmp(role, text(st, 0)))) {
			dur_row(&r->h, role, &d);
			roles++;
			free(role);
			role = NULL;
			d.n = 0;
		}
		if (!more)
			break;
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			continue;
		if (!role)
			role = xstrdup(text(st, 0));
		dur_add(&d, num(st, 1));
	}
	sqlite3_finalize(st);
	free(role);
	free(d.v);
	if (!roles)
		buf_adds(&r->h, "<tr><td colspan=\"4\" class=\"none\">no decision yet</td></tr>\n");
	buf_adds(&r->h, "</tbody></table>\n</div></div>\n</section>\n");
}

/* A reason table from sql (reason, count, orders), the top ones. */
static void reason_table(struct rep *r, const char *id, const char *title, const char *sql,
			 const char *count_name)
{
	buf_printf(&r->h, "<div id=\"%s\"><h3>%s</h3>\n", id, title);
	sqlite3_stmt *st = query(r, sql);
	int n = 0;
	long long rest = 0, rest_reasons = 0;
	while (row(r, st)) {
		if (n == 0)
			buf_printf(&r->h, "<table><thead><tr><th>reason</th><th class=\"r\">%s</th>"
					  "</tr></thead><tbody>\n",
				   count_name);
		if (n++ >= TOP_REASONS) {
			rest += num(st, 1);
			rest_reasons++;
			continue;
		}
		buf_adds(&r->h, "<tr><td class=\"reason\">");
		esc(&r->h, text(st, 0));
		buf_printf(&r->h, "</td><td class=\"r\">%lld</td></tr>\n", num(st, 1));
	}
	sqlite3_finalize(st);
	if (rest_reasons)
		buf_printf(&r->h, "<tr><td class=\"none\">%lld other %s</td><td class=\"r\">%lld</td>"
				  "</tr>\n",
			   rest_reasons, plural(rest_reasons, "reason", "reasons"), rest);
	if (n)
		buf_adds(&r->h, "</tbody></table>\n");
	else if (!r->err)
		buf_adds(&r->h, "<p class=\"none\">none</p>\n");
	buf_adds(&r->h, "</div>\n");
}

static void reasons(struct rep *r)
{
	start_section(r, "reasons", "Rejection and backorder reasons",
		      "Most frequent first. Orders: the message of rejected and declined orders "
		      "(a rule's message or the approver's comment); that of a rejected update or "
		      "cancellation, which leaves the order's version in force as it was, is "
		      "listed apart, under changes. Lines: the reason the rules "
		      "gave for a line they rejected or backordered.");
	reason_table(r, "reasons-orders", "Rejected and declined orders",
		     "SELECT COALESCE(NULLIF(message, ''), '(no message)') AS m, COUNT(*)"
		     " FROM " ORDERS " WHERE mode = 'production' AND state IN ('rejected', 'declined')"
		     " GROUP BY m ORDER BY COUNT(*) DESC, m",
		     "orders");
	/* apart, and only when there are any */
	if (scalar(r, "SELECT COUNT(*) FROM " CHANGES_NOT_TAKEN " WHERE mode = 'production'"
		      " AND state IN ('rejected', 'declined')") > 0)
		reason_table(r, "reasons-changes",
			     "Rejected and declined changes (the version in force stays)",
			     "SELECT COALESCE(NULLIF(message, ''), '(no message)') AS m, COUNT(*)"
			     " FROM " CHANGES_NOT_TAKEN " WHERE mode = 'production'"
			     " AND state IN ('rejected', 'declined') GROUP BY m ORDER BY COUNT(*) DESC, m",
			     "changes");
	buf_adds(&r->h, "<div class=\"cols\">\n");
	reason_table(r, "reasons-rejected", "Rejected lines",
		     "SELECT COALESCE(NULLIF(ol.reason, ''), '(no reason given)') AS m, COUNT(*)"
		     " FROM order_lines ol JOIN " ORDERS " o ON o.id = ol.order_ref"
		     " WHERE o.mode = 'production' AND ol.state = 'rejected'"
		     " AND (ol.reason IS NOT NULL OR o.state NOT IN ('rejected', 'declined'))"
		     " GROUP BY m ORDER BY COUNT(*) DESC, m",
		     "lines");
	reason_table(r, "reasons-backordered", "Backordered lines",
		     "SELECT COALESCE(NULLIF(ol.reason, ''), '(no reason given)') AS m, COUNT(*)"
		     " FROM order_lines ol JOIN " ORDERS " o ON o.id = ol.order_ref"
		     " WHERE o.mode = 'production' AND ol.state = 'backordered'"
		     " GROUP BY m ORDER BY COUNT(*) DESC, m",
		     "lines");
	buf_adds(&r->h, "</div>\n</section>\n");
}

enum recon { R_MATCHED, R_OPEN, R_UNDER_INV, R_OVER_SHIP, R_OVER_INV, R_REJECTED, R_AWAITING, R_N };

static const struct {
	const char *id, *name, *color, *meaning;
} recon_kinds[R_N] = {
	{ "matched", "matched", "#2e7d32", "invoiced = shipped = confirmed" },
	{ "open", "open", "#1e88e5", "shipped &lt; confirmed (still to ship)" },
	{ "under-invoiced", "under-invoiced", "#f9a825", "invoiced &lt; shipped" },
	{ "over-shipped", "over-shipped", "#c62828", "shipped &gt; confirmed" },
	{ "over-invoiced", "over-invoiced", "#8e24aa",
	  "invoiced &gt; shipped, everything confirmed shipped" },
	{ "rejected", "rejected", "#9aa5b1", "the line (or the whole order) was rejected" },
	{ "awaiting", "awaiting approval", "#ffcc80",
	  "the order waits for an approver: nothing is confirmed yet" },
};

static enum recon classify(const char *order_state, const char *line_state, dec_t confirmed,
			   dec_t shipped, dec_t invoiced)
{
	if (!strcmp(order_state, "pending"))
		return R_AWAITING;
	if (!strcmp(line_state, "rejected") || !strcmp(order_state, "rejected") ||
	    !strcmp(order_state, "declined"))
		return R_REJECTED;
	if (shipped > confirmed)
		return R_OVER_SHIP;
	if (invoiced < shipped)
		return R_UNDER_INV;
	if (shipped < confirmed)
		return R_OPEN;
	if (invoiced == shipped)
		return R_MATCHED;
	return R_OVER_INV;
}

static void reconciliation(struct rep *r)
{
	start_section(r, "recon", "Reconciliation per order line",
		      "Ordered = the line's quantity; confirmed = ordered minus rejected; shipped = "
		      "the sum over the order's shipments; invoiced = the sum over the order's "
		      "invoices. Each line counts once, in the first status that holds, in this "
		      "order: awaiting approval, rejected, over-shipped, under-invoiced, open, "
		      "matched, over-invoiced.");
	sqlite3_stmt *st = query(r,
				 "SELECT o.order_id, o.partner, o.state, ol.line_number, ol.supplier_part,"
				 " ol.state, ol.quantity_e4, ol.rejected_e4,"
				 " COALESCE((SELECT SUM(sl.quantity_e4) FROM shipments s"
				 "  JOIN shipment_lines sl ON sl.shipment_ref = s.id"
				 "  WHERE s.order_ref = o.id AND sl.line_number = ol.line_number), 0),"
				 " COALESCE((SELECT SUM(il.quantity_e4) FROM invoices i"
				 "  JOIN invoice_lines il ON il.invoice_ref = i.id"
				 "  WHERE i.order_ref = o.id AND il.line_number = ol.line_number), 0),"
				 " ol.uom FROM order_lines ol JOIN " ORDERS " o ON o.id = ol.order_ref"
				 " WHERE o.mode = 'production' ORDER BY o.id, ol.line_number");
	long long count[R_N] = { 0 }, total = 0;
	struct buf ex = BUF_INIT;
	int nex = 0, more_ex = 0;
	while (row(r, st)) {
		dec_t ordered = num(st, 6), rejected = num(st, 7);
		dec_t confirmed = rejected > ordered ? 0 : ordered - (rejected > 0 ? rejected : 0);
		dec_t shipped = num(st, 8), invoiced = num(st, 9);
		enum recon k = classify(text(st, 2), text(st, 5), confirmed, shipped, invoiced);
		count[k]++;
		total++;
		if (k != R_OVER_SHIP && k != R_UNDER_INV && k != R_OVER_INV)
			continue;
		if (nex >= MAX_EXCEPTIONS) {
			more_ex++;
			continue;
		}
		nex++;
		buf_adds(&ex, "<tr><td>");
		esc(&ex, text(st, 0));
		buf_adds(&ex, "</td><td>");
		esc(&ex, text(st, 1));
		buf_printf(&ex, "</td><td class=\"r\">%lld</td><td>", num(st, 3));
		esc(&ex, text(st, 4));
		buf_adds(&ex, "</td><td class=\"r\">");
		qty(&ex, ordered);
		if (*text(st, 10)) {
			buf_adds(&ex, "&nbsp;");
			esc(&ex, text(st, 10));
		}
		buf_adds(&ex, "</td><td class=\"r\">");
		qty(&ex, confirmed);
		buf_adds(&ex, "</td><td class=\"r\">");
		qty(&ex, shipped);
		buf_adds(&ex, "</td><td class=\"r\">");
		qty(&ex, invoiced);
		buf_printf(&ex, "</td><td><span class=\"sw\" style=\"background:%s\"></span>%s</td></tr>\n",
			   recon_kinds[k].color, recon_kinds[k].name);
	}
	sqlite3_finalize(st);
	if (total == 0) {
		if (!r->err)
			buf_adds(&r->h, "<p class=\"none\">No order lines.</p>\n");
		buf_release(&ex);
		buf_adds(&r->h, "</section>\n");
		return;
	}
	/* one bar, 100% wide, a segment per status */
	const double span = CHART_W;
	double x = 0;
	buf_printf(&r->h, "<svg class=\"chart\" viewBox=\"0 0 %d 30\" role=\"img\" "
			  "aria-label=\"order lines by reconciliation status\">\n", CHART_W);
	for (int k = 0; k < R_N; k++) {
		if (!count[k])
			continue;
		double w = (double)count[k] / (double)total * span;
		buf_printf(&r->h, "<g><title>%s: %lld %s</title><rect x=\"%.1f\" y=\"2\" "
				  "width=\"%.1f\" height=\"26\" fill=\"%s\"/></g>\n",
			   recon_kinds[k].name, count[k], plural(count[k], "line", "lines"), x, w,
			   recon_kinds[k].color);
		x += w;
	}
	buf_adds(&r->h, "</svg>\n<table><thead><tr><th>status</th><th class=\"r\">lines</th>"
			"<th>meaning</th></tr></thead><tbody>\n");
	for (int k = 0; k < R_N; k++)
		buf_printf(&r->h, "<tr id=\"recon-%s\"><td><span class=\"sw\" style=\"background:%s\">"
				  "</span>%s</td><td class=\"r\">%lld</td><td>%s</td></tr>\n",
			   recon_kinds[k].id, recon_kinds[k].color, recon_kinds[k].name, count[k],
			   recon_kinds[k].meaning);
	buf_printf(&r->h, "<tr><td><strong>all lines</strong></td><td class=\"r\"><strong>%lld"
			  "</strong></td><td></td></tr>\n</tbody></table>\n", total);
	buf_adds(&r->h, "<h3>Lines to look at</h3>\n");
	if (nex) {
		buf_adds(&r->h, "<table id=\"recon-exceptions\"><thead><tr><th>order</th>"
				"<th>partner</th><th class=\"r\">line</th><th>part</th>"
				"<th class=\"r\">ordered</th><th class=\"r\">confirmed</th>"
				"<th class=\"r\">shipped</th><th class=\"r\">invoiced</th><th>status</th>"
				"</tr></thead><tbody>\n");
		buf_add(&r->h, ex.data, ex.len);
		buf_adds(&r->h, "</tbody></table>\n");
		if (more_ex)
			buf_printf(&r->h, "<p class=\"none\">and %d more %s not listed.</p>\n", more_ex,
				   plural(more_ex, "line", "lines"));
	} else {
		buf_adds(&r->h, "<p class=\"none\">None: no line is over-shipped, under-invoiced or "
				"over-invoiced.</p>\n");
	}
	buf_release(&ex);
	buf_adds(&r->h, "</section>\n");
}

static void page(struct rep *r)
{
	struct buf *h = &r->h;
	buf_adds(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		    "style-src 'unsafe-inline'\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<title>ordergate report</title>\n<style>\n");
	buf_adds(h, css);
	buf_adds(h, "</style>\n</head>\n<body>\n<main>\n<header>\n<h1>ordergate report</h1>\n");
	buf_printf(h, "<p class=\"meta\">Generated <time id=\"generated\">%s</time> from the ledger "
		      "<code>", r->now);
	esc(h, r->l->path);
	buf_adds(h, "</code>.</p>\n");
	long long prod = scalar(r, "SELECT COUNT(*) FROM " ORDERS " WHERE mode = 'production'");
	long long test = scalar(r, "SELECT COUNT(*) FROM " ORDERS " WHERE mode <> 'production'");
	buf_printf(h, "<p class=\"note\" id=\"scope\">Only production orders are counted: %lld "
		      "test-mode %s %s left out.</p>\n</header>\n",
		   test, plural(test, "order", "orders"), plural(test, "is", "are"));
	if (prod == 0) {
		buf_printf(h, "<section id=\"empty\"><p class=\"empty\">%s</p></section>\n",
			   test ? "No production orders yet." : "No orders yet.");
	} else {
		summary(r);
		spend(r);
		volumes(r);
		cycle_times(r);
		reasons(r);
		reconciliation(r);
	}
	buf_adds(h, "<footer>ordergate " OG_VERSION " &middot; one self-contained page: no "
		    "scripts, nothing loaded from anywhere else. Amounts are exact; bar lengths "
		    "are drawn to scale within each chart.</footer>\n</main>\n</body>\n</html>\n");
}

int report_html(struct ledger *l, FILE *out, char **err)
{
	struct rep r;
	memset(&r, 0, sizeof r);
	r.l = l;
	*err = NULL;
	iso_time(og_now(), r.now);
	/* one read transaction: every section sees the same ledger */
	int own = sqlite3_get_autocommit(l->db);
	if (own && sqlite3_exec(l->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		*err = xasprintf("ledger %s: cannot read: %s", l->path, sqlite3_errmsg(l->db));
		return -1;
	}
	page(&r);
	if (own)
		sqlite3_exec(l->db, r.err ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	if (r.err) {
		*err = r.err;
		buf_release(&r.h);
		return -1;
	}
	errno = 0;
	if (fwrite(r.h.data, 1, r.h.len, out) != r.h.len || fflush(out) != 0 || ferror(out)) {
		*err = xasprintf("cannot write the report: %s", errno ? strerror(errno) : "I/O error");
		buf_release(&r.h);
		return -1;
	}
	buf_release(&r.h);
	return 0;
}
