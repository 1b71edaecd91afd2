/*
 * rules: see rules.h.
 */
#define _GNU_SOURCE
#include "rules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <sqlite3.h>

#include "dec.h"
#include "ledger.h"
#include "partner.h"
#include "xmlsafe.h"

#define OG_NS "urn:ordergate:rules"

enum action { A_APPROVE, A_REJECT, A_REQUIRE, A_ACCEPT, A_BACKORDER };

struct rule {
	char *id;
	int line_rule;
	int lineno;
	char *test;
	xmlXPathCompExprPtr comp;
	char *partners;
	enum action action;
	char *code, *message, *role, *reason, *quantity;
	int budget; /* an order rule whose test reads a budget: run again at release */
};

struct row {
	char **cells;
	int n;
};

struct table {
	char **header;
	int ncols;
	struct row *rows;
	int nrows;
};

static struct {
	int loaded;
	char *file;
	struct rule *rules;
	int n;
	char *cost_center_expr;
	long cost_center_line; /* 0: the default expression */
	struct table catalog, suppliers, budgets;
	char *ledger_path;
	sqlite3 *ledger;
	struct spend_list job_spend; /* this job's orders decided so far */
	int budget_only;	     /* rules_budget_recheck: the budget rules alone */
	/* per evaluation */
	struct spend_list seen;      /* the spend each og:spent read */
	const struct order_info *info; /* the order decided (its type, its earlier version) */
	int replaced_looked;	     /* replaced: looked up (replaced_spend) */
	struct ledger_replaced replaced; /* the version in force a change replaces */
	struct buf *trace;
	char *error;
	const char *period, *currency;
	const char *partner;
	char *cost_center;
} R;

/* --- tables ---------------------------------------------------------------- */

static void table_free(struct table *t)
{
	for (int i = 0; i < t->ncols; i++)
		free(t->header[i]);
	free(t->header);
	for (int r = 0; r < t->nrows; r++) {
		for (int i = 0; i < t->rows[r].n; i++)
			free(t->rows[r].cells[i]);
		free(t->rows[r].cells);
	}
	free(t->rows);
	memset(t, 0, sizeof *t);
}

/* A small trusted table: a header row, then comma-separated values (no
 * quoting), '#' starts a comment line. */
static int table_load(struct table *t, const char *path, const char *const *cols, int ncols,
		      char **err)
{
	memset(t, 0, sizeof *t);
	FILE *f = fopen(path, "r");
	if (!f) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;
	while (rc == 0 && getline(&line, &cap, f) > 0) {
		lineno++;
		char *s = str_trim(line);
		if (!*s || *s == '#')
			continue;
		char **cells;
		char *copy = xstrdup(s);
		char *p = copy;
		int n = 0;
		cells = NULL;
		for (char *tok; (tok = strsep(&p, ","));) {
			cells = xrealloc(cells, sizeof(char *) * (size_t)(n + 1));
			cells[n++] = xstrdup(str_trim(tok));
		}
		free(copy);
		if (!t->header) {
			t->header = cells;
			t->ncols = n;
			for (int c = 0; c < ncols && rc == 0; c++) {
				int found = 0;
				for (int k = 0; k < n; k++)
					found |= !strcasecmp(cells[k], cols[c]);
				if (!found) {
					*err = xasprintf("%s:%d: the header row lacks the column \"%s\"",
							 path, lineno, cols[c]);
					rc = -1;
				}
			}
			continue;
		}
		if (n != t->ncols) {
			*err = xasprintf("%s:%d: %d values, the header has %d", path, lineno, n, t->ncols);
			for (int k = 0; k < n; k++)
				free(cells[k]);
			free(cells);
			rc = -1;
			break;
		}
		t->rows = xrealloc(t->rows, sizeof *t->rows * (size_t)(t->nrows + 1));
		t->rows[t->nrows].cells = cells;
		t->rows[t->nrows++].n = n;
	}
	free(line);
	fclose(f);
	if (rc < 0)
		table_free(t);
	return rc;
}

static int col(const struct table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcasecmp(t->header[i], name))
			return i;
	return -1;
}

static const char *lookup(const struct table *t, const char *key_col, const char *key,
			  const char *want)
{
	int k = col(t, key_col), w = col(t, want);
	if (k < 0 || w < 0)
		return NULL;
	/* the first value given among the key's rows (a catalogue part's
	 * rows per currency may leave stock or blocked empty but on one) */
	const char *empty = NULL;
	for (int r = 0; r < t->nrows; r++)
		if (!strcmp(t->rows[r].cells[k], key)) {
			if (*t->rows[r].cells[w])
				return t->rows[r].cells[w];
			if (!empty)
				empty = t->rows[r].cells[w];
		}
	return empty;
}

/* Column want of the rows of t whose column key is key (and, with
 * key2_col, whose key2_col is key2) for the order's currency: the row
 * naming it in the optional currency column, else the first row without
 * a currency; NULL when there is neither (budgets, catalogue prices). */
static const char *for_currency(const struct table *t, const char *key_col, const char *key,
				const char *key2_col, const char *key2, const char *want)
{
	int k = col(t, key_col), k2 = key2_col ? col(t, key2_col) : -1, w = col(t, want),
	    ku = col(t, "currency");
	if (k < 0 || w < 0 || (key2_col && (k2 < 0 || !key2)))
		return NULL;
	const char *any = NULL;
	for (int r = 0; r < t->nrows; r++) {
		char **cells = t->rows[r].cells;
		if (strcmp(cells[k], key) || (k2 >= 0 && strcmp(cells[k2], key2)))
			continue;
		if (ku < 0 || !*cells[ku])
			any = any ? any : cells[w];
		else if (R.currency && !strcasecmp(cells[ku], R.currency))
			return cells[w];
	}
	return any;
}

static int truthy(const char *v)
{
	return v && (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"));
}

/* --- extension functions ---------------------------------------------------- */

static void trace_call(const char *fn, const char *a, const char *b, const char *result)
{
	if (!R.trace)
		return;
	buf_printf(R.trace, "      %s(", fn);
	if (a)
		buf_printf(R.trace, "'%s'", a);
	if (b)
		buf_printf(R.trace, ", '%s'", b);
	buf_printf(R.trace, ") = %s\n", result);
}

/* The test as one line, for the trace. */
static void trace_test(const char *indent, const char *kind, const char *id, const char *test)
{
	if (!R.trace)
		return;
	buf_printf(R.trace, "%s%s %s: ", indent, kind, id);
	int space = 0;
	for (const char *p = test; *p; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
			space = 1;
			continue;
		}
		if (space)
			buf_addch(R.trace, ' ');
		space = 0;
		buf_addch(R.trace, *p);
	}
	buf_addch(R.trace, '\n');
}

static int arg_dec(xmlXPathParserContextPtr ctxt, const char *fn, const char *s, dec_t *out)
{
	if (dec_parse(s, out) == 0)
		return 0;
	if (!R.error)
		R.error = xasprintf("%s: \"%s\" is not a decimal number (guard lookups that may be "
				    "empty with != '')",
				    fn, s);
	xmlXPathErr(ctxt, XPATH_INVALID_OPERAND);
	return -1;
}

static int pop2(xmlXPathParserContextPtr ctxt, int nargs, const char *fn, dec_t *a, dec_t *b,
		char **sa, char **sb)
{
	if (nargs != 2) {
		xmlXPathErr(ctxt, XPATH_INVALID_ARITY);
		return -1;
	}
	xmlChar *y = xmlXPathPopString(ctxt), *x = xmlXPathPopString(ctxt);
	*sa = xstrdup(x ? str_trim((char *)x) : "");
	*sb = xstrdup(y ? str_trim((char *)y) : "");
	xmlFree(x);
	xmlFree(y);
	if (arg_dec(ctxt, fn, *sa, a) < 0 || arg_dec(ctxt, fn, *sb, b) < 0) {
		free(*sa);
		free(*sb);
		return -1;
	}
	return 0;
}

static void compare(xmlXPathParserContextPtr ctxt, int nargs, const char *fn, int lo, int hi)
{
	dec_t a, b;
	char *sa, *sb;
	if (pop2(ctxt, nargs, fn, &a, &b, &sa, &sb) < 0)
		return;
	int c = dec_cmp(a, b);
	int r = c >= lo && c <= hi;
	trace_call(fn, sa, sb, r ? "true" : "false");
	free(sa);
	free(sb);
	valuePush(ctxt, xmlXPathNewBoolean(r));
}

static void f_gt(xmlXPathParserContextPtr c, int n) { compare(c, n, "og:gt", 1, 1); }
static void f_ge(xmlXPathParserContextPtr c, int n) { compare(c, n, "og:ge", 0, 1); }
static void f_lt(xmlXPathParserContextPtr c, int n) { compare(c, n, "og:lt", -1, -1); }
static void f_le(xmlXPathParserContextPtr c, int n) { compare(c, n, "og:le", -1, 0); }
static void f_eq(xmlXPathParserContextPtr c, int n) { compare(c, n, "og:eq", 0, 0); }

static void arith(xmlXPathParserContextPtr ctxt, int nargs, const char *fn, char op)
{
	dec_t a, b, r = 0;
	char *sa, *sb;
	if (pop2(ctxt, nargs, fn, &a, &b, &sa, &sb) < 0)
		return;
	int rc = op == '+' ? dec_add(a, b, &r) : op == '-' ? dec_sub(a, b, &r) : dec_mul(a, b, &r);
	char out[DEC_FMT_MAX];
	dec_format(r, 0, out);
	trace_call(fn, sa, sb, rc < 0 ? "overflow" : out);
	free(sa);
	free(sb);
	if (rc < 0) {
		if (!R.error)
			R.error = xasprintf("%s: result too large", fn);
		xmlXPathErr(ctxt, XPATH_INVALID_OPERAND);
		return;
	}
	valuePush(ctxt, xmlXPathNewString((const xmlChar *)out));
}

static void f_add(xmlXPathParserContextPtr c, int n) { arith(c, n, "og:add", '+'); }
static void f_sub(xmlXPathParserContextPtr c, int n) { arith(c, n, "og:sub", '-'); }
static void f_mul(xmlXPathParserContextPtr c, int n) { arith(c, n, "og:mul", '*'); }

static char *pop1(xmlXPathParserContextPtr ctxt, int nargs)
{
	if (nargs != 1) {
		xmlXPathErr(ctxt, XPATH_INVALID_ARITY);
		return NULL;
	}
	xmlChar *x = xmlXPathPopString(ctxt);
	char *s = xstrdup(x ? str_trim((char *)x) : "");
	xmlFree(x);
	return s;
}

static void push_string(xmlXPathParserContextPtr ctxt, const char *fn, const char *arg,
			const char *v)
{
	char shown[160];
	snprintf(shown, sizeof shown, "'%s'", v ? v : "");
	trace_call(fn, arg, NULL, v ? shown : "'' (not listed)");
	valuePush(ctxt, xmlXPathNewString((const xmlChar *)(v ? v : "")));
}

static void push_bool(xmlXPathParserContextPtr ctxt, const char *fn, const char *arg, int v)
{
	trace_call(fn, arg, NULL, v ? "true" : "false");
	valuePush(ctxt, xmlXPathNewBoolean(v));
}

static void f_catalog_price(xmlXPathParserContextPtr c, int n)
{
	char *p = pop1(c, n);
	if (!p)
		return;
	/* NULL when the part is listed only in other currencies: a price
	 * rule never compares yen with euros */
	push_string(c, "og:catalog-price", p,
		    for_currency(&R.catalog, "part", p, NULL, NULL, "list_price"));
	free(p);
}

static void f_stock(xmlXPathParserContextPtr c, int n)
{
	char *p = pop1(c, n);
	if (!p)
		return;
	push_string(c, "og:stock", p, lookup(&R.catalog, "part", p, "stock"));
	free(p);
}

static void f_in_catalog(xmlXPathParserContextPtr c, int n)
{
	char *p = pop1(c, n);
	if (!p)
		return;
	push_bool(c, "og:in-catalog", p, lookup(&R.catalog, "part", p, "part") != NULL);
	free(p);
}

static void f_part_blocked(xmlXPathParserContextPtr c, int n)
{
	char *p = pop1(c, n);
	if (!p)
		return;
	push_bool(c, "og:part-blocked", p, truthy(lookup(&R.catalog, "part", p, "blocked")));
	free(p);
}

static void f_supplier_blocked(xmlXPathParserContextPtr c, int n)
{
	char *p = pop1(c, n);
	if (!p)
		return;
	push_bool(c, "og:supplier-blocked", p,
		  truthy(lookup(&R.suppliers, "identity", p, "blocked")));
	free(p);
}

static void f_supplier_reason(xmlXPathParserContextPtr c, int n)
{
	char *p = pop1(c, n);
	if (!p)
		return;
	push_string(c, "og:supplier-reason", p, lookup(&R.suppliers, "identity", p, "reason"));
	free(p);
}

/* The budget of cc for the order's period and currency. */
static const char *budget_of(const char *cc)
{
	return for_currency(&R.budgets, "cost_center", cc, "period", R.period, "amount");
}

/* --- spend ------------------------------------------------------------------ */

static struct spend_entry *spend_list_find(const struct spend_list *l, const char *cost_center,
					   const char *period, const char *currency)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->e[i].cost_center, cost_center) && !strcmp(l->e[i].period, period) &&
		    !strcmp(l->e[i].currency, currency))
			return &l->e[i];
	return NULL;
}

void spend_list_add(struct spend_list *l, const char *cost_center, const char *period,
		    const char *currency, dec_t amount)
{
	struct spend_entry *e = spend_list_find(l, cost_center, period, currency);
	if (e) {
		dec_t sum;
		if (dec_add(e->amount, amount, &sum) == 0)
			e->amount = sum;
		return;
	}
	l->e = xrealloc(l->e, sizeof *l->e * (size_t)(l->n + 1));
	l->e[l->n].cost_center = xstrdup(cost_center);
	l->e[l->n].period = xstrdup(period);
	l->e[l->n].currency = xstrdup(currency);
	l->e[l->n++].amount = amount;
}

dec_t spend_list_get(const struct spend_list *l, const char *cost_center, const char *period,
		     const char *currency)
{
	const struct spend_entry *e = spend_list_find(l, cost_center, period, currency);
	return e ? e->amount : 0;
}

void spend_list_free(struct spend_list *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->e[i].cost_center);
		free(l->e[i].period);
		free(l->e[i].currency);
	}
	free(l->e);
	l->e = NULL;
	l->n = 0;
}

void spend_list_count(struct spend_list *l, const char *cost_center, const char *order_date,
		      const char *currency, const char *mode, const char *decision,
		      dec_t committed)
{
	if (!cost_center || !mode || strcmp(mode, "production") || !decision ||
	    (strcmp(decision, "accept") && strcmp(decision, "partial")))
		return;
	char period[8];
	ledger_period(order_date, period);
	if (*period) /* the ledger counts no order without a period */
		spend_list_add(l, cost_center, period, currency ? currency : "", committed);
}

void rules_job_begin(void)
{
	spend_list_free(&R.job_spend);
}

void rules_job_count(const char *cost_center, const char *order_date, const char *currency,
		     const char *mode, const char *decision, dec_t committed)
{
	spend_list_count(&R.job_spend, cost_center, order_date, currency, mode, decision, committed);
}

static void forget_replaced(void)
{
	ledger_replaced_free(&R.replaced);
	R.replaced_looked = 0;
}

/* What the version in force that this update or cancellation replaces
 * counts in cc's spend of the period and currency read (its committed
 * total), else 0: the change takes its place when it is recorded (or, held,
 * approved), so the rules read the spend without it. Looked up once per
 * decision, through R.ledger. */
static dec_t replaced_spend(const char *cc, const char *period, const char *cur, int trace)
{
	const struct order_info *i = R.info;
	if (!R.replaced_looked && R.ledger && i && i->type &&
	    (!strcmp(i->type, "update") || !strcmp(i->type, "delete"))) {
		R.replaced_looked = 1;
		/* a ledger too old to say: the spend as it is */
		if (ledger_replaced_spend(R.ledger, R.partner ? R.partner : "",
					  i->mode ? i->mode : "production", i->previous_payload_id,
					  i->order_id, &R.replaced) < 0)
			ledger_replaced_free(&R.replaced);
	}
	const struct ledger_replaced *x = &R.replaced;
	if (!x->cost_center || strcmp(x->cost_center, cc) || strcmp(x->period, period) ||
	    strcmp(x->currency, cur))
		return 0;
	if (trace && R.trace) {
		char shown[DEC_FMT_MAX];
		dec_format(x->committed, currency_decimals(cur), shown);
		buf_printf(R.trace,
			   "      (spend of %s read without %s of order %s (document %s), the version "
			   "this %s replaces)\n",
			   cc, shown, i->order_id ? i->order_id : "?", x->document_id,
			   strcmp(i->type, "delete") ? "update" : "cancellation");
	}
	return x->committed;
}

/* Spend approved in this period for cc: the ledger's (read only), plus the
 * orders of this job decided before this one, less the version in force an
 * update replaces (replaced_spend). The spend read is remembered per
 * decision as the ledger has it (without that exclusion), so the parent
 * can tell whether it is still current when it records. */
static dec_t spent_of(const char *cc)
{
	const char *period = R.period ? R.period : "", *cur = R.currency ? R.currency : "";
	const struct spend_entry *seen = spend_list_find(&R.seen, cc, period, cur);
	dec_t v = 0, diff;
	if (seen) {
		v = seen->amount;
		return dec_sub(v, replaced_spend(cc, period, cur, 0), &diff) == 0 ? diff : v;
	}
	if (!R.ledger && R.ledger_path) {
		struct stat st;
		if (stat(R.ledger_path, &st) == 0 &&
		    sqlite3_open_v2(R.ledger_path, &R.ledger, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
			sqlite3_close(R.ledger);
			R.ledger = NULL;
		}
		if (R.ledger) {
			sqlite3_busy_timeout(R.ledger, 10000);
			/* no temporary file outside the spool, ever */
			sqlite3_exec(R.ledger, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
		}
	}
	dec_t job = spend_list_get(&R.job_spend, cc, period, cur), sum;
	if (R.ledger)
		(void)ledger_spent(R.ledger, cc, period, cur, &v);
	if (dec_add(v, job, &sum) == 0)
		v = sum;
	spend_list_add(&R.seen, cc, period, cur, v);
	return dec_sub(v, replaced_spend(cc, period, cur, 1), &diff) == 0 ? diff : v;
}

/* The wire text: per entry
 * "<len>:<cost centre><len>:<period><len>:<currency><amount>;"
 * (lengths in decimal, the amount in 1/10000 units), so any byte of a cost
 * centre taken from a document goes through unharmed. */
char *rules_spend_seen(void)
{
	if (R.seen.n == 0)
		return NULL;
	struct buf b = BUF_INIT;
	for (int i = 0; i < R.seen.n; i++) {
		const struct spend_entry *e = &R.seen.e[i];
		buf_printf(&b, "%zu:%s%zu:%s%zu:%s%lld;", strlen(e->cost_center), e->cost_center,
			   strlen(e->period), e->period, strlen(e->currency), e->currency,
			   (long long)e->amount);
	}
	return buf_detach(&b);
}

static const char *take_counted(const char *p, char **out)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(p, &end, 10);
	if (end == p || *end != ':' || errno || n > strlen(end + 1))
		return NULL;
	*out = xstrndup(end + 1, (size_t)n);
	return end + 1 + n;
}

int rules_spend_parse(const char *text, struct spend_list *out)
{
	const char *p = text ? text : "";
	while (*p) {
		char *cc = NULL, *period = NULL, *cur = NULL, *end;
		const char *q = take_counted(p, &cc);
		if (q)
			q = take_counted(q, &period);
		if (q)
			q = take_counted(q, &cur);
		long long amount = 0;
		if (q) {
			errno = 0;
			amount = strtoll(q, &end, 10);
			if (end == q || *end != ';' || errno)
				q = NULL;
		}
		if (q)
			spend_list_add(out, cc, period, cur, (dec_t)amount);
		free(cc);
		free(period);
		free(cur);
		if (!q)
			return -1;
		p = end + 1;
	}
	return 0;
}

static void f_budget(xmlXPathParserContextPtr c, int n)
{
	char *p = pop1(c, n);
	if (!p)
		return;
	push_string(c, "og:budget", p, budget_of(p));
	free(p);
}

static void f_spent(xmlXPathParserContextPtr c, int n)
{
	char *p = pop1(c, n);
	if (!p)
		return;
	char out[DEC_FMT_MAX];
	dec_format(spent_of(p), currency_decimals(R.currency), out);
	push_string(c, "og:spent", p, out);
	free(p);
}

static void f_budget_left(xmlXPathParserContextPtr c, int n)
{
	char *p = pop1(c, n);
	if (!p)
		return;
	const char *b = budget_of(p);
	dec_t amount, left;
	char out[DEC_FMT_MAX] = "";
	if (b && dec_parse(b, &amount) == 0 && dec_sub(amount, spent_of(p), &left) == 0)
		dec_format(left, currency_decimals(R.currency), out);
	push_string(c, "og:budget-left", p, *out ? out : NULL);
	free(p);
}

static void f_cost_center(xmlXPathParserContextPtr c, int n)
{
	if (n != 0) {
		xmlXPathErr(c, XPATH_INVALID_ARITY);
		return;
	}
	push_string(c, "og:cost-center", NULL, R.cost_center ? R.cost_center : "");
}

static void f_partner(xmlXPathParserContextPtr c, int n)
{
	if (n != 0) {
		xmlXPathErr(c, XPATH_INVALID_ARITY);
		return;
	}
	push_string(c, "og:partner", NULL, R.partner ? R.partner : "");
}

static const struct {
	const char *name;
	xmlXPathFunction fn;
	int nargs;
} functions[] = {
	{ "gt", f_gt, 2 },
	{ "ge", f_ge, 2 },
	{ "lt", f_lt, 2 },
	{ "le", f_le, 2 },
	{ "eq", f_eq, 2 },
	{ "add", f_add, 2 },
	{ "sub", f_sub, 2 },
	{ "mul", f_mul, 2 },
	{ "catalog-price", f_catalog_price, 1 },
	{ "stock", f_stock, 1 },
	{ "in-catalog", f_in_catalog, 1 },
	{ "part-blocked", f_part_blocked, 1 },
	{ "supplier-blocked", f_supplier_blocked, 1 },
	{ "supplier-reason", f_supplier_reason, 1 },
	{ "budget", f_budget, 1 },
	{ "spent", f_spent, 1 },
	{ "budget-left", f_budget_left, 1 },
	{ "cost-center", f_cost_center, 0 },
	{ "partner", f_partner, 0 },
};

static xmlXPathContextPtr new_context(xmlDocPtr doc)
{
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(x, (const xmlChar *)"og", (const xmlChar *)OG_NS);
	for (size_t i = 0; i < ARRAY_SIZE(functions); i++)
		xmlXPathRegisterFuncNS(x, (const xmlChar *)functions[i].name, (const xmlChar *)OG_NS,
				       functions[i].fn);
	x->opLimit = 10000000;
	return x;
}

/* --- loading ---------------------------------------------------------------- */

static char *prop(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *r = v ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return r;
}

/* A catalogue's stock and blocked are the part's, whatever the currency:
 * the rows of one part (one per currency) must not disagree on them (an
 * empty cell says nothing; lookup reads the first value given). Sorted by
 * part, so a large catalogue is checked in n log n. */
struct sort_key {
	const struct table *t;
	int col;
};

/* qsort_r: row numbers by the key column, then in file order */
static int by_key(const void *a, const void *b, void *arg)
{
	const struct sort_key *k = arg;
	int ra = *(const int *)a, rb = *(const int *)b;
	int c = strcmp(k->t->rows[ra].cells[k->col], k->t->rows[rb].cells[k->col]);
	return c ? c : (ra > rb) - (ra < rb);
}

static int check_per_part(const struct table *t, const char *path, char **err)
{
	static const char *const per_part[] = { "stock", "blocked" };
	int k = col(t, "part");
	if (k < 0 || t->nrows < 2)
		return 0;
	int *order = xcalloc((size_t)t->nrows, sizeof *order);
	for (int r = 0; r < t->nrows; r++)
		order[r] = r;
	struct sort_key key = { t, k };
	qsort_r(order, (size_t)t->nrows, sizeof *order, by_key, &key);
	int rc = 0;
	for (size_t c = 0; c < ARRAY_SIZE(per_part) && rc == 0; c++) {
		int w = col(t, per_part[c]);
		if (w < 0)
			continue;
		/* the part's first value given, against each later one */
		const char *seen = NULL;
		for (int i = 0; i < t->nrows && rc == 0; i++) {
			char **cells = t->rows[order[i]].cells;
			if (i > 0 && strcmp(cells[k], t->rows[order[i - 1]].cells[k]))
				seen = NULL;
			if (!*cells[w])
				continue;
			if (seen && strcmp(seen, cells[w])) {
				*err = xasprintf("%s: part %s has rows saying %s \"%s\" and \"%s\"; %s "
						 "is the part's, whatever the currency: give its rows "
						 "the same value, or leave it empty on all but one",
						 path, cells[k], per_part[c], seen, cells[w],
						 per_part[c]);
				rc = -1;
			}
			if (!seen)
				seen = cells[w];
		}
	}
	free(order);
	return rc;
}

static int load_table_attr(xmlNodePtr root, const char *attr, const char *dir,
			   struct table *t, const char *const *cols, int ncols, char **err)
{
	char *name = prop(root, attr);
	if (!name)
		return 0;
	char *path = name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", dir, name);
	int rc = table_load(t, path, cols, ncols, err);
	if (rc == 0 && !strcmp(attr, "catalog"))
		rc = check_per_part(t, path, err);
	free(path);
	free(name);
	return rc;
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* The number of arguments of the call whose '(' is at open, or -1 when its
 * ')' is not before to. */
static int call_args(const char *open, const char *to)
{
	int depth = 0, commas = 0, any = 0;
	char quote = 0;
	for (const char *p = open + 1; p < to; p++) {
		if (quote) {
			quote = *p == quote ? 0 : quote;
			continue;
		}
		if (*p == '\'' || *p == '"')
			quote = *p;
		else if (*p == '(' || *p == '[')
			depth++;
		else if ((*p == ')' || *p == ']') && depth > 0)
			depth--;
		else if (*p == ')')
			return any ? commas + 1 : 0;
		else if (*p == ',' && depth == 0)
			commas++;
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			any = 1;
	}
	return -1;
}

/* The next og: function call in the XPath expression expr, from *p up to
 * to, string literals skipped: its name (*len bytes), with *p moved just
 * past the name; NULL when there is none. */
static const char *next_og_call(const char *expr, const char **p, const char *to, int *len)
{
	char quote = 0;
	for (const char *s = *p; s < to; s++) {
		if (quote) {
			quote = *s == quote ? 0 : quote;
			continue;
		}
		if (*s == '\'' || *s == '"') {
			quote = *s;
			continue;
		}
		if (strncmp(s, "og:", 3) || (s > expr && (name_char(s[-1]) || s[-1] == ':')))
			continue;
		const char *name = s + 3, *e = name;
		while (e < to && name_char(*e))
			e++;
		const char *q = e;
		while (q < to && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
			q++;
		if (e == name || q >= to || *q != '(')
			continue;
		*len = (int)(e - name);
		*p = e;
		return name;
	}
	return NULL;
}

/* What is wrong with the first bad og: call in the XPath expr [from, to):
 * a function that does not exist or the wrong number of arguments (caller
 * frees), or NULL. libxml2 looks functions up only when it evaluates, so
 * a misspelt one would otherwise fail every order at decide time instead
 * of the rules file at load time. String literals are skipped. */
static char *bad_og_call(const char *expr, const char *to)
{
	const char *p = expr, *name;
	int len;
	while ((name = next_og_call(expr, &p, to, &len))) {
		int found = -1;
		for (size_t i = 0; i < ARRAY_SIZE(functions) && found < 0; i++)
			if (strlen(functions[i].name) == (size_t)len && !strncmp(functions[i].name, name, (size_t)len))
				found = (int)i;
		if (found < 0)
			return xasprintf("calls og:%.*s(), which does not exist (docs/rules.md lists "
					 "the og: functions)",
					 len, name);
		const char *q = p;
		while (q < to && *q != '(')
			q++;
		int n = call_args(q, to);
		if (n >= 0 && n != functions[found].nargs)
			return xasprintf("calls og:%.*s() with %d argument%s; it takes %d", len, name, n,
					 n == 1 ? "" : "s", functions[found].nargs);
	}
	return NULL;
}

/* 1 when the XPath expr calls og:budget, og:spent or og:budget-left. */
static int reads_budget(const char *expr)
{
	const char *p = expr, *to = expr + strlen(expr), *name;
	int len;
	while ((name = next_og_call(expr, &p, to, &len)))
		if ((len == 6 && !strncmp(name, "budget", 6)) || (len == 5 && !strncmp(name, "spent", 5)) ||
		    (len == 11 && !strncmp(name, "budget-left", 11)))
			return 1;
	return 0;
}

/* The same for the {xpath} parts of a message template. */
static char *bad_og_call_in_template(const char *tpl)
{
	for (const char *p = tpl ? tpl : ""; (p = strchr(p, '{'));) {
		const char *close = strchr(p, '}');
		if (!close)
			break;
		char *bad = bad_og_call(p + 1, close);
		if (bad)
			return bad;
		p = close + 1;
	}
	return NULL;
}

/* 1 when expr compiles as XPath in cx. */
static int compiles(xmlXPathContextPtr cx, const char *expr)
{
	xmlsafe_errors_reset();
	xmlXPathCompExprPtr c = xmlXPathCtxtCompile(cx, (const xmlChar *)expr);
	if (!c)
		return 0;
	xmlXPathFreeCompExpr(c);
	return 1;
}

/* The first {xpath} part of a message template that does not compile, as
 * "{...}" (caller frees), or NULL. */
static char *bad_template_part(xmlXPathContextPtr cx, const char *tpl)
{
	for (const char *p = tpl ? tpl : ""; (p = strchr(p, '{'));) {
		const char *close = strchr(p, '}');
		if (!close)
			break;
		char *expr = xstrndup(p + 1, (size_t)(close - p - 1));
		int ok = compiles(cx, expr);
		free(expr);
		if (!ok)
			return xstrndup(p, (size_t)(close - p + 1));
		p = close + 1;
	}
	return NULL;
}

static int load_rule(xmlNodePtr n, xmlXPathContextPtr cx, const char *file, char **err)
{
	int line_rule = !strcmp((const char *)n->name, "line-rule");
	struct rule r;
	memset(&r, 0, sizeof r);
	r.line_rule = line_rule;
	r.lineno = (int)xmlGetLineNo(n);
	r.id = prop(n, "id");
	r.test = prop(n, "test");
	r.partners = prop(n, "partners");
	xmlNodePtr act = NULL;
	int nact = 0;
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			act = c;
			nact++;
		}
	const char *what = NULL;
	if (!r.id || !*r.id)
		what = "needs an id";
	else if (!r.test || !*r.test)
		what = "needs a test (an XPath condition)";
	else if (nact != 1)
		what = "needs exactly one action element";
	if (!what) {
		const char *a = (const char *)act->name;
		if (!line_rule && !strcmp(a, "approve"))
			r.action = A_APPROVE;
		else if (!line_rule && !strcmp(a, "reject"))
			r.action = A_REJECT;
		else if (!line_rule && !strcmp(a, "require"))
			r.action = A_REQUIRE;
		else if (line_rule && !strcmp(a, "accept"))
			r.action = A_ACCEPT;
		else if (line_rule && !strcmp(a, "reject"))
			r.action = A_REJECT;
		else if (line_rule && !strcmp(a, "backorder"))
			r.action = A_BACKORDER;
		else
			what = line_rule ? "a line-rule's action is accept, reject or backorder"
					 : "a rule's action is approve, reject or require";
		r.code = prop(act, "code");
		r.message = prop(act, "message");
		r.role = prop(act, "role");
		r.reason = prop(act, "reason");
		r.quantity = prop(act, "quantity");
		if (!what && r.action == A_REQUIRE && (!r.role || !*r.role))
			what = "require needs a role";
	}
	if (!what) {
		xmlsafe_errors_reset();
		r.comp = xmlXPathCtxtCompile(cx, (const xmlChar *)r.test);
		if (!r.comp)
			what = "its test is not valid XPath";
	}
	char *bad = NULL;
	const struct {
		const char *where, *text;
		int is_template;
	} parts[] = { { "test", r.test, 0 },
		      { "quantity", r.quantity, 0 },
		      { "message", r.message, 1 },
		      { "reason", r.reason, 1 } };
	for (size_t i = 0; i < ARRAY_SIZE(parts) && !what && !bad; i++) {
		const char *t = parts[i].text;
		char *what_is_bad = !t			 ? NULL
				    : parts[i].is_template ? bad_og_call_in_template(t)
							   : bad_og_call(t, t + strlen(t));
		if (what_is_bad)
			bad = xasprintf("%s, in its %s", what_is_bad, parts[i].where);
		free(what_is_bad);
	}
	/* the other expressions compile now too, not first on an order */
	if (!what && !bad && r.quantity && !compiles(cx, r.quantity))
		what = "its quantity is not valid XPath";
	for (size_t i = 2; i < ARRAY_SIZE(parts) && !what && !bad; i++) {
		char *part = bad_template_part(cx, parts[i].text);
		if (part)
			bad = xasprintf("its %s's %s is not valid XPath", parts[i].where, part);
		free(part);
	}
	if (bad)
		what = bad;
	if (!what && !line_rule)
		r.budget = reads_budget(r.test);
	R.rules = xrealloc(R.rules, sizeof *R.rules * (size_t)(R.n + 1));
	R.rules[R.n++] = r;
	if (what) {
		*err = xasprintf("%s:%d: rule \"%s\" %s%s%s", file, r.lineno, r.id ? r.id : "?", what,
				 *xmlsafe_errors() ? ": " : "", xmlsafe_errors());
		free(bad);
		return -1;
	}
	return 0;
}

int rules_init(const struct config *cfg, char **err)
{
	*err = NULL;
	if (R.loaded)
		return 0;
	R.loaded = 1;
	if (cfg->ledger_path)
		R.ledger_path = xstrdup(cfg->ledger_path);
	else if (cfg->spool_dir)
		R.ledger_path = xasprintf("%s/ledger.db", cfg->spool_dir);
	struct stat st;
	char *file = cfg->rules_file ? xstrdup(cfg->rules_file)
				     : xasprintf("%s/maps/rules.xml", cfg->data_dir);
	if (!cfg->rules_file && stat(file, &st) != 0) {
		free(file);
		return 0; /* no rules: every order is accepted */
	}
	R.file = file;
	xmlsafe_errors_reset();
	xmlDocPtr doc = xmlReadFile(file, NULL, XML_PARSE_NONET);
	if (!doc) {
		*err = xasprintf("rules file %s: %s", file,
				 *xmlsafe_errors() ? xmlsafe_errors() : "cannot read");
		return -1;
	}
	xmlNodePtr root = xmlDocGetRootElement(doc);
	int rc = 0;
	if (!root || strcmp((const char *)root->name, "rules")) {
		*err = xasprintf("%s: the root element must be <rules>", file);
		rc = -1;
	}
	char *dir = xstrdup(file);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	static const char *const cat_cols[] = { "part", "list_price", "stock", "blocked" };
	static const char *const sup_cols[] = { "identity", "blocked", "reason" };
	static const char *const bud_cols[] = { "cost_center", "period", "amount" };
	if (rc == 0)
		rc = load_table_attr(root, "catalog", dir, &R.catalog, cat_cols, 4, err);
	if (rc == 0)
		rc = load_table_attr(root, "suppliers", dir, &R.suppliers, sup_cols, 3, err);
	if (rc == 0)
		rc = load_table_attr(root, "budgets", dir, &R.budgets, bud_cols, 3, err);
	xmlXPathContextPtr cx = new_context(doc);
	for (xmlNodePtr n = root ? root->children : NULL; n && rc == 0; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)n->name;
		if (!strcmp(name, "rule") || !strcmp(name, "line-rule")) {
			rc = load_rule(n, cx, file, err);
		} else if (!strcmp(name, "costCenter")) {
			free(R.cost_center_expr);
			R.cost_center_expr = prop(n, "select");
			R.cost_center_line = xmlGetLineNo(n);
			char *bad = R.cost_center_expr
					    ? bad_og_call(R.cost_center_expr,
							  R.cost_center_expr + strlen(R.cost_center_expr))
					    : NULL;
			if (bad) {
				*err = xasprintf("%s:%ld: costCenter %s", file, xmlGetLineNo(n), bad);
				free(bad);
				rc = -1;
			} else if (R.cost_center_expr && !compiles(cx, R.cost_center_expr)) {
				*err = xasprintf("%s:%ld: costCenter: its select is not valid XPath%s%s",
						 file, xmlGetLineNo(n), *xmlsafe_errors() ? ": " : "",
						 xmlsafe_errors());
				rc = -1;
			}
		} else {
			*err = xasprintf("%s:%ld: unknown element <%s> (rule, line-rule, costCenter)", file,
					 xmlGetLineNo(n), name);
			rc = -1;
		}
	}
	xmlXPathFreeContext(cx);
	free(dir);
	xmlFreeDoc(doc);
	if (rc == 0 && !R.cost_center_expr)
		R.cost_center_expr = xstrdup("(extrinsics/extrinsic[@name='CostCenter']"
					     " | lines/line/distribution/accounting/segment"
					     "[@type='CostCenter']/@id)[1]");
	return rc;
}

void rules_shutdown(void)
{
	for (int i = 0; i < R.n; i++) {
		struct rule *r = &R.rules[i];
		free(r->id);
		free(r->test);
		free(r->partners);
		free(r->code);
		free(r->message);
		free(r->role);
		free(r->reason);
		free(r->quantity);
		if (r->comp)
			xmlXPathFreeCompExpr(r->comp);
	}
	free(R.rules);
	free(R.file);
	free(R.cost_center_expr);
	free(R.cost_center);
	free(R.ledger_path);
	table_free(&R.catalog);
	table_free(&R.suppliers);
	table_free(&R.budgets);
	if (R.ledger)
		sqlite3_close(R.ledger);
	spend_list_free(&R.job_spend);
	spend_list_free(&R.seen);
	forget_replaced();
	memset(&R, 0, sizeof R);
}

/* --- evaluation -------------------------------------------------------------- */

/* NULL when expr fails on this order: failed() says why. */
static char *eval_string(xmlXPathContextPtr cx, const char *expr)
{
	free(R.error);
	R.error = NULL;
	xmlsafe_errors_reset();
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, cx);
	char *s = NULL;
	if (o) {
		xmlChar *v = xmlXPathCastToString(o);
		s = xstrdup(v ? (const char *)v : "");
		xmlFree(v);
		xmlXPathFreeObject(o);
	}
	return s;
}

/* Why the last evaluation failed (an og: function's error, libxml2's). */
static const char *failed(void)
{
	return R.error		     ? R.error
	       : *xmlsafe_errors() ? xmlsafe_errors()
				   : "it could not be evaluated";
}

/* Expands {xpath} in a message template against the context node; NULL
 * when a part fails (failed() says why). */
static char *expand(xmlXPathContextPtr cx, const char *tpl)
{
	struct buf b = BUF_INIT;
	for (const char *p = tpl ? tpl : ""; *p;) {
		const char *open = strchr(p, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (!open || !close) {
			buf_adds(&b, p);
			break;
		}
		buf_add(&b, p, (size_t)(open - p));
		char *expr = xstrndup(open + 1, (size_t)(close - open - 1));
		char *v = eval_string(cx, expr);
		free(expr);
		if (!v) {
			buf_release(&b);
			return NULL;
		}
		buf_adds(&b, v);
		free(v);
		p = close + 1;
	}
	return buf_detach(&b);
}

static int applies(const struct rule *r)
{
	return !r->partners || partner_list_has(r->partners, R.partner);
}

/* Evaluates one rule's test; -1 on error (*err set). */
static int test(const struct rule *r, xmlXPathContextPtr cx, char **err)
{
	free(R.error);
	R.error = NULL;
	xmlsafe_errors_reset();
	xmlXPathObjectPtr o = xmlXPathCompiledEval(r->comp, cx);
	if (!o) {
		*err = xasprintf("rule \"%s\" (%s:%d): %s", r->id, R.file, r->lineno,
				 R.error ? R.error
				 : *xmlsafe_errors() ? xmlsafe_errors()
						     : "the test could not be evaluated");
		return -1;
	}
	int v = xmlXPathCastToBoolean(o);
	xmlXPathFreeObject(o);
	return v;
}

static xmlNodePtr add_child(xmlNodePtr parent, const char *name)
{
	return xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);
}

static void set(xmlNodePtr n, const char *name, const char *v)
{
	if (v)
		xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)v);
}



struct line_decision {
	long number;
	enum action action;
	char *quantity, *reason, *rule;
	char *accepted; /* the rest of a partly backordered line */
};

int rules_decide(xmlDocPtr canonical, const struct order_info *info, const char *partner,
		 char **cost_center, struct buf *trace, char **err)
{
	*err = NULL;
	if (cost_center)
		*cost_center = NULL;
	xmlNodePtr order = xmlDocGetRootElement(canonical);
	xmlNodePtr d = NULL;
	char period[8];
	ledger_period(info->order_date, period);
	R.period = period;
	R.currency = info->currency;
	spend_list_free(&R.seen);
	R.info = info;
	forget_replaced();
	R.partner = partner;
	R.trace = trace;
	xmlXPathContextPtr cx = new_context(canonical);
	cx->node = order;
	free(R.cost_center);
	R.cost_center = R.cost_center_expr ? eval_string(cx, R.cost_center_expr) : NULL;
	int rc = 0;
	if (R.cost_center_expr && !R.cost_center) {
		/* no cost centre would skip the budget rules: the order fails */
		*err = xasprintf("costCenter (%s:%ld): %s", R.file, R.cost_center_line, failed());
		rc = -1;
	}
	if (trace) {
		buf_printf(trace, "rules: %s\n", R.file ? R.file : "(none: every order is accepted)");
		buf_printf(trace, "order %s from %s, period %s, cost centre %s\n",
			   info->order_id ? info->order_id : "?", partner ? partner : "?", period,
			   R.cost_center && *R.cost_center ? R.cost_center
			   : rc < 0 ? "(could not be computed)" : "(none)");
	}
	int decision = DECISION_ACCEPT;
	const struct rule *decider = NULL;
	char *message = NULL;
	char **roles = NULL, **role_rules = NULL;
	int nroles = 0;
	struct line_decision *lines = NULL;
	int nlines = 0, nrejected = 0, ntotal = 0;
	const char *message_rule = NULL;

	/* order rules, in order */
	for (int i = 0; i < R.n && rc == 0; i++) {
		const struct rule *r = &R.rules[i];
		if (r->line_rule || (R.budget_only && !r->budget))
			continue;
		if (!applies(r)) {
			if (trace)
				buf_printf(trace, "  rule %s: not for partner %s\n", r->id, partner ? partner : "?");
			continue;
		}
		trace_test("  ", "rule", r->id, r->test);
		cx->node = order;
		int v = test(r, cx, err);
		if (v < 0) {
			rc = -1;
			break;
		}
		if (trace)
			buf_printf(trace, "    -> %s%s\n", v ? "fired: " : "not fired",
				   !v ? "" : r->action == A_APPROVE ? "approve (no further order rules)"
				   : r->action == A_REJECT	  ? "reject the order"
								  : "require an approver");
		if (!v)
			continue;
		if (r->action == A_REJECT) {
			decision = DECISION_REJECT;
			decider = r;
			message = r->message ? expand(cx, r->message)
					     : xasprintf("order rejected by rule %s", r->id);
			if (!message) {
				*err = xasprintf("rule \"%s\" (%s:%d): its message: %s", r->id, R.file,
						 r->lineno, failed());
				rc = -1;
			}
			break;
		}
		if (r->action == A_APPROVE) {
			decider = r;
			break;
		}
		int dup = 0;
		for (int k = 0; k < nroles; k++)
			dup |= !strcmp(roles[k], r->role);
		if (!dup) {
			roles = xrealloc(roles, sizeof(char *) * (size_t)(nroles + 1));
			role_rules = xrealloc(role_rules, sizeof(char *) * (size_t)(nroles + 1));
			roles[nroles] = r->role;
			role_rules[nroles++] = r->id;
		}
	}
	/* line rules, per line; the first that fires decides the line */
	for (xmlNodePtr l = canon_child(order, "lines") && !R.budget_only
				    ? canon_child(order, "lines")->children : NULL;
	     l && rc == 0 && decision != DECISION_REJECT; l = l->next) {
		if (l->type != XML_ELEMENT_NODE)
			continue;
		ntotal++;
		xmlChar *num = xmlGetProp(l, (const xmlChar *)"number");
		long number = num ? strtol((const char *)num, NULL, 10) : 0;
		xmlFree(num);
		if (trace)
			buf_printf(trace, "  line %ld:\n", number);
		for (int i = 0; i < R.n && rc == 0; i++) {
			const struct rule *r = &R.rules[i];
			if (!r->line_rule || !applies(r))
				continue;
			trace_test("    ", "line-rule", r->id, r->test);
			cx->node = l;
			int v = test(r, cx, err);
			if (v < 0) {
				rc = -1;
				break;
			}
			if (trace)
				buf_printf(trace, "      -> %s\n", v ? "fired" : "not fired");
			if (!v)
				continue;
			struct line_decision ld = { number, r->action, NULL, NULL, r->id, NULL };
			char *qty = canon_child_str(l, "quantity");
			if (r->action == A_BACKORDER) {
				char *q = r->quantity ? eval_string(cx, r->quantity) : xstrdup(qty);
				dec_t bq, lq;
				if (!q || dec_parse(q, &bq) < 0 || dec_parse(qty, &lq) < 0) {
					*err = q ? xasprintf("rule \"%s\" (%s:%d): backorder quantity \"%s\" "
							     "is not a decimal",
							     r->id, R.file, r->lineno, q)
						 : xasprintf("rule \"%s\" (%s:%d): its quantity: %s", r->id,
							     R.file, r->lineno, failed());
					free(q);
					free(qty);
					rc = -1;
					break;
				}
				if (bq > lq)
					bq = lq;
				if (bq <= 0) {
					free(q);
					free(qty);
					if (trace)
						buf_printf(trace, "      (nothing to backorder)\n");
					break;
				}
				char out[DEC_FMT_MAX];
				dec_format(bq, 0, out);
				ld.quantity = xstrdup(out);
				if (bq < lq) {
					dec_format(lq - bq, 0, out);
					ld.accepted = xstrdup(out);
				}
				free(q);
			} else if (r->action == A_REJECT) {
				ld.quantity = xstrdup(qty);
				nrejected++;
			}
			free(qty);
			ld.reason = r->reason ? expand(cx, r->reason) : NULL;
			if (r->reason && !ld.reason) {
				*err = xasprintf("rule \"%s\" (%s:%d): its reason: %s", r->id, R.file,
						 r->lineno, failed());
				free(ld.quantity);
				free(ld.accepted);
				rc = -1;
				break;
			}
			lines = xrealloc(lines, sizeof *lines * (size_t)(nlines + 1));
			lines[nlines++] = ld;
			if (trace)
				buf_printf(trace, "      line %ld: %s%s%s%s%s\n", number,
					   r->action == A_ACCEPT ? "accept" : r->action == A_REJECT ? "reject" : "backorder",
					   ld.quantity ? " " : "", ld.quantity ? ld.quantity : "",
					   ld.reason ? ": " : "", ld.reason ? ld.reason : "");
			break;
		}
	}
	if (rc == 0) {
		int changed = 0;
		for (int i = 0; i < nlines; i++)
			changed |= lines[i].action != A_ACCEPT;
		if (decision != DECISION_REJECT && ntotal > 0 && nrejected == ntotal) {
			decision = DECISION_REJECT;
			decider = NULL;
			/* the buyer's rejection says why, line by line (the
			 * first few: a long order's would not fit a comment) */
			struct buf m = BUF_INIT;
			buf_adds(&m, "every line of the order was rejected");
			int listed = 0;
			for (int i = 0; i < nlines; i++) {
				if (!message_rule)
					message_rule = lines[i].rule;
				if (lines[i].action != A_REJECT || listed == 5)
					continue;
				buf_printf(&m, "%sline %ld: %s", listed ? "; " : ": ", lines[i].number,
					   lines[i].reason ? lines[i].reason : "rejected");
				listed++;
			}
			if (nrejected > listed)
				buf_printf(&m, "; and %d more", nrejected - listed);
			message = buf_detach(&m);
		} else if (decision != DECISION_REJECT && nroles > 0 &&
			   !(info->type && !strcmp(info->type, "delete"))) {
			/* a cancellation spends nothing: it waits for no approver */
			decision = DECISION_HOLD;
		} else if (decision != DECISION_REJECT && changed) {
			decision = DECISION_PARTIAL;
		}
		d = add_child(order, "decision");
		set(d, "action", rules_decision_name(decision));
		set(d, "rule", decider ? decider->id : message_rule ? message_rule : R.n ? NULL : "default");
		if (decision == DECISION_REJECT && decider)
			set(d, "code", decider->code);
		if (decision != DECISION_REJECT || message_rule) {
			for (int i = 0; i < nlines; i++) {
				if (lines[i].action == A_ACCEPT && decision != DECISION_HOLD)
					continue;
				xmlNodePtr ln = add_child(d, "line");
				char num[32];
				snprintf(num, sizeof num, "%ld", lines[i].number);
				set(ln, "number", num);
				set(ln, "action", lines[i].action == A_ACCEPT ? "accept"
						  : lines[i].action == A_REJECT ? "reject" : "backorder");
				set(ln, "quantity", lines[i].quantity);
				set(ln, "accepted", lines[i].accepted);
				set(ln, "reason", lines[i].reason);
			}
		}
		if (message) {
			xmlNodePtr m = xmlNewTextChild(d, NULL, (const xmlChar *)"message", NULL);
			xmlChar *esc = xmlEncodeSpecialChars(canonical, (const xmlChar *)message);
			xmlNodeSetContent(m, esc);
			xmlFree(esc);
		}
		if (decision == DECISION_HOLD)
			for (int k = 0; k < nroles; k++) {
				xmlNodePtr c = xmlNewTextChild(d, NULL, (const xmlChar *)"checkpoint", NULL);
				set(c, "role", roles[k]);
				set(c, "state", "pending");
				xmlChar *esc = xmlEncodeSpecialChars(canonical, (const xmlChar *)role_rules[k]);
				xmlNodeSetContent(c, esc);
				xmlFree(esc);
			}
		if (trace) {
			buf_printf(trace, "decision: %s", rules_decision_name(decision));
			if (decider)
				buf_printf(trace, " (rule %s)", decider->id);
			if (message)
				buf_printf(trace, ": %s", message);
			for (int k = 0; k < nroles && decision == DECISION_HOLD; k++)
				buf_printf(trace, "%s%s", k ? ", then " : "; waits for ", roles[k]);
			buf_adds(trace, "\n");
		}
	}
	if (cost_center && R.cost_center && *R.cost_center)
		*cost_center = xstrdup(R.cost_center);
	for (int i = 0; i < nlines; i++) {
		free(lines[i].quantity);
		free(lines[i].accepted);
		free(lines[i].reason);
	}
	free(lines);
	free(roles);
	free(role_rules);
	free(message);
	free(R.error);
	R.error = NULL;
	R.trace = NULL;
	R.info = NULL;
	xmlXPathFreeContext(cx);
	return rc < 0 ? -1 : decision;
}

const char *rules_decision_name(int d)
{
	static const char *names[] = { "accept", "reject", "hold", "partial" };
	return d >= 0 && d < (int)ARRAY_SIZE(names) ? names[d] : "unknown";
}

/* --- deciding again in the parent ------------------------------------------- */

/* Larger canonical orders are decided again by a worker instead. */
#define SAME_DECISION_MAX_BYTES (4 << 20)

static char *node_text(xmlDocPtr doc, xmlNodePtr n)
{
	xmlBufferPtr b = xmlBufferCreate();
	char *s = NULL;
	if (b && xmlNodeDump(b, doc, n, 0, 0) >= 0)
		s = xstrdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return s;
}

int rules_same_decision(const char *canonical, size_t len, const struct order_info *info,
			const char *partner, sqlite3 *db, const struct spend_list *job)
{
	if (!R.loaded || !canonical || len == 0 || len > SAME_DECISION_MAX_BYTES)
		return 0;
	char *err = NULL;
	xmlDocPtr doc = xmlsafe_parse(canonical, len, &err);
	free(err);
	err = NULL;
	xmlNodePtr order = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlNodePtr old = order ? canon_child(order, "decision") : NULL;
	if (!old) {
		if (doc)
			xmlFreeDoc(doc);
		return 0;
	}
	char *before = node_text(doc, old);
	xmlUnlinkNode(old);
	xmlFreeNode(old);
	/* the spend through the caller's connection (its transaction's rows
	 * included) plus the job's earlier orders */
	sqlite3 *own = R.ledger;
	struct spend_list own_job = R.job_spend;
	R.ledger = db;
	R.job_spend = *job;
	int d = rules_decide(doc, info, partner, NULL, NULL, &err);
	R.ledger = own;
	R.job_spend = own_job;
	spend_list_free(&R.seen);
	forget_replaced();
	xmlNodePtr now = d >= 0 ? canon_child(order, "decision") : NULL;
	char *after = now ? node_text(doc, now) : NULL;
	int same = before && after && !strcmp(before, after);
	free(before);
	free(after);
	free(err);
	xmlFreeDoc(doc);
	return same;
}

/* --- budgets at release ------------------------------------------------------ */

/* The figures of the budgets the last decision read (the cost centres whose
 * spend it read, else the order's), through R.ledger: "cost centre CC-7,
 * 2026-05: budget 1500.00 EUR, spent 1400.00, left 100.00; this order
 * 800.00". */
static char *budget_figures(const char *period, const char *currency, const char *total)
{
	const char *saved_period = R.period, *saved_currency = R.currency;
	R.period = period;
	R.currency = currency;
	int cd = currency_decimals(currency);
	/* names first: spent_of() may add to R.seen */
	int n = R.seen.n;
	char **cc = xcalloc((size_t)(n ? n : 1), sizeof *cc);
	for (int i = 0; i < n; i++)
		cc[i] = xstrdup(R.seen.e[i].cost_center);
	if (n == 0 && R.cost_center && *R.cost_center)
		cc[n++] = xstrdup(R.cost_center);
	struct buf b = BUF_INIT;
	for (int i = 0; i < n; i++) {
		const char *budget = budget_of(cc[i]);
		dec_t spent = spent_of(cc[i]), amount, left;
		char a[DEC_FMT_MAX], sp[DEC_FMT_MAX], l[DEC_FMT_MAX];
		dec_format(spent, cd, sp);
		buf_printf(&b, "%scost centre %s, %s: ", i ? "; " : "", cc[i], period);
		if (budget && dec_parse(budget, &amount) == 0 && dec_sub(amount, spent, &left) == 0) {
			dec_format(amount, cd, a);
			dec_format(left, cd, l);
			buf_printf(&b, "budget %s %s, spent %s, left %s", a, currency, sp, l);
		} else {
			buf_printf(&b, "no budget in %s, spent %s", currency, sp);
		}
		free(cc[i]);
	}
	free(cc);
	dec_t t;
	char shown[DEC_FMT_MAX] = "?";
	if (total && dec_parse(total, &t) == 0)
		dec_format(t, cd, shown);
	buf_printf(&b, "%sthis order %s", n ? "; " : "", shown);
	R.period = saved_period;
	R.currency = saved_currency;
	return buf_detach(&b);
}

static char *node_content(xmlNodePtr n)
{
	xmlChar *v = n ? xmlNodeGetContent(n) : NULL;
	char *s = xstrdup(v ? (const char *)v : "");
	xmlFree(v);
	return s;
}

int rules_budget_recheck(const char *canonical, const char *partner, sqlite3 *db,
			 const char *const *received, int nreceived, struct budget_recheck *out,
			 char **err)
{
	memset(out, 0, sizeof *out);
	*err = NULL;
	int any = 0;
	for (int i = 0; i < R.n; i++)
		any |= R.rules[i].budget;
	if (!any)
		return DECISION_ACCEPT;
	size_t len = canonical ? strlen(canonical) : 0;
	xmlDocPtr doc = len ? xmlsafe_parse(canonical, len, err) : NULL;
	if (!doc) {
		if (!*err)
			*err = xstrdup("the ledger holds no copy of the order to run them on");
		return -1;
	}
	xmlNodePtr order = xmlDocGetRootElement(doc);
	/* the decision the order was held with stays; the budget rules decide
	 * on the order without it */
	xmlNodePtr held = canon_child(order, "decision"), after = held ? held->next : NULL;
	if (held)
		xmlUnlinkNode(held);
	struct order_info info;
	memset(&info, 0, sizeof info);
	info.order_id = canon_child_str(order, "orderID");
	info.order_date = canon_child_str(order, "orderDate");
	info.currency = canon_child_str(order, "currency");
	info.type = canon_child_str(order, "type");
	info.previous_payload_id = canon_child_str(order, "previousPayloadID");
	char *total = canon_child_str(canon_child(order, "summary"), "total");
	char period[8];
	ledger_period(info.order_date, period);
	sqlite3 *own = R.ledger;
	struct spend_list own_job = R.job_spend;
	R.ledger = db;
	memset(&R.job_spend, 0, sizeof R.job_spend);
	R.budget_only = 1;
	int d = rules_decide(doc, &info, partner, NULL, NULL, err);
	R.budget_only = 0;
	xmlNodePtr now = d >= 0 ? canon_child(order, "decision") : NULL;
	if (d == DECISION_REJECT) {
		out->rule = prop(now, "rule");
		out->message = canon_child_str(now, "message");
	} else if (d == DECISION_HOLD) {
		for (xmlNodePtr c = now->children; c; c = c->next) {
			if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "checkpoint"))
				continue;
			char *role = prop(c, "role");
			int have = 0;
			for (int k = 0; k < nreceived && role && !have; k++)
				have = !strcasecmp(received[k], role);
			if (!role || have) {
				free(role);
				continue;
			}
			out->roles = xrealloc(out->roles, sizeof(char *) * (size_t)(out->nroles + 1));
			out->rules = xrealloc(out->rules, sizeof(char *) * (size_t)(out->nroles + 1));
			out->roles[out->nroles] = role;
			out->rules[out->nroles++] = node_content(c);
			if (!out->rule)
				out->rule = xstrdup(out->rules[0]);
		}
		if (out->nroles == 0)
			d = DECISION_ACCEPT;
	} else if (d >= 0) {
		d = DECISION_ACCEPT;
	}
	if (d == DECISION_REJECT || d == DECISION_HOLD) {
		R.info = &info; /* the spend as the rules read it (replaced_spend) */
		out->figures = budget_figures(period, info.currency ? info.currency : "", total);
		R.info = NULL;
	}
	forget_replaced();
	R.ledger = own;
	R.job_spend = own_job;
	spend_list_free(&R.seen);
	if (d == DECISION_HOLD && held) {
		/* the order keeps its decision, with the new checkpoints */
		xmlUnlinkNode(now);
		xmlFreeNode(now);
		if (after)
			xmlAddPrevSibling(after, held);
		else
			xmlAddChild(order, held);
		held = NULL;
		xmlNodePtr d_node = canon_child(order, "decision");
		/* indented as the checkpoints before them */
		xmlNodePtr tail = d_node->last && d_node->last->type == XML_TEXT_NODE ? d_node->last
										       : NULL;
		xmlNodePtr indent = tail && tail->prev && tail->prev->prev &&
					    tail->prev->prev->type == XML_TEXT_NODE
					    ? tail->prev->prev : NULL;
		for (int k = 0; k < out->nroles; k++) {
			xmlNodePtr c = xmlNewDocNode(doc, NULL, (const xmlChar *)"checkpoint", NULL);
			if (tail)
				xmlAddPrevSibling(tail, c);
			else
				xmlAddChild(d_node, c);
			if (indent) /* after c: a text node next to a text node merges */
				xmlAddPrevSibling(c, xmlCopyNode(indent, 1));
			xmlSetProp(c, (const xmlChar *)"role", (const xmlChar *)out->roles[k]);
			xmlSetProp(c, (const xmlChar *)"state", (const xmlChar *)"pending");
			xmlChar *esc = xmlEncodeSpecialChars(doc, (const xmlChar *)out->rules[k]);
			xmlNodeSetContent(c, esc);
			xmlFree(esc);
		}
	}
	if (d == DECISION_HOLD) {
		xmlChar *mem = NULL;
		int size = 0;
		xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
		out->canonical = xstrndup(mem ? (const char *)mem : "", mem ? (size_t)size : 0);
		xmlFree(mem);
	}
	if (held)
		xmlFreeNode(held);
	free(info.order_id);
	free(info.order_date);
	free(info.currency);
	free(info.type);
	free(info.previous_payload_id);
	free(total);
	xmlFreeDoc(doc);
	return d;
}

void rules_budget_recheck_free(struct budget_recheck *r)
{
	for (int i = 0; i < r->nroles; i++) {
		free(r->roles[i]);
		free(r->rules[i]);
	}
	free(r->roles);
	free(r->rules);
	free(r->rule);
	free(r->message);
	free(r->figures);
	free(r->canonical);
	memset(r, 0, sizeof *r);
}
