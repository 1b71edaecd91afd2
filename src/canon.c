/*
 * canon: see canon.h. The normalisation list is a table of XPaths; adding a
 * field is one row.
 */
#include "canon.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/relaxng.h>

#include "datetime.h"
#include "rngpat.h"
#include "util.h"
#include "xmlsafe.h"

/* F_DATETIME: a date that every outbound document states as a date-time
 * with a zone (cXML's %datetime.tz: orderDate, and the header's
 * requestedDeliveryDate; an item's is a %date and stays F_DATE): a date
 * alone is taken as 00:00 in the assumed zone, like a time without a zone
 * (docs/canonical.md) */
enum field_kind { F_DATE, F_DATETIME, F_DECIMAL, F_QUANTITY, F_CODE };

static const struct {
	const char *xpath; /* child steps only: see visit_path() */
	enum field_kind kind;
} fields[] = {
	{ "/order/source/@timestamp", F_DATE },
	{ "/order/orderDate", F_DATETIME },
	{ "/order/requestedDeliveryDate", F_DATETIME },
	{ "/order/lines/line/requestedDeliveryDate", F_DATE },
	{ "/order/currency", F_CODE },
	{ "/order/parties/party/country/@code", F_CODE },
	{ "/order/lines/line/shipTo/country/@code", F_CODE },
	{ "/order/lines/line/unitOfMeasure", F_CODE },
	{ "/order/lines/line/unitPrice/@currency", F_CODE },
	{ "/order/lines/line/statedAmount/@currency", F_CODE },
	{ "/order/shipping/amount/@currency", F_CODE },
	{ "/order/tax/amount/@currency", F_CODE },
	{ "/order/discount/amount/@currency", F_CODE },
	{ "/order/payment/reference/amount/@currency", F_CODE },
	{ "/order/lines/line/distribution/charge/@currency", F_CODE },
	{ "/order/lines/line/shipping/amount/@currency", F_CODE },
	{ "/order/lines/line/tax/amount/@currency", F_CODE },
	{ "/order/total", F_DECIMAL },
	{ "/order/shipping/amount", F_DECIMAL },
	{ "/order/tax/amount", F_DECIMAL },
	{ "/order/discount/amount", F_DECIMAL },
	{ "/order/payment/reference/amount", F_DECIMAL },
	{ "/order/lines/line/quantity", F_QUANTITY },
	{ "/order/lines/line/unitPrice", F_DECIMAL },
	{ "/order/lines/line/statedAmount", F_DECIMAL },
	{ "/order/lines/line/distribution/charge", F_DECIMAL },
	{ "/order/lines/line/shipping/amount", F_DECIMAL },
	{ "/order/lines/line/tax/amount", F_DECIMAL },
};

/* Length limits (docs/canonical.md, "Length limits"). Identifiers and codes
 * are names, not prose: they go into file names, ledger keys, log lines and
 * the attributes of outbound documents. A value past its limit is refused
 * here, naming the field, instead of failing later in a stylesheet or a
 * parser limit where the message would blame the wrong party. Free text
 * (descriptions, comments, addresses) is bounded only by the document
 * limits. Counted in characters (UTF-8 code points), after trimming. */
#define ID_MAX 256
#define CODE_MAX 32

static const struct {
	const char *xpath;
	const char *what;
	size_t max;
} limits[] = {
	{ "/order/source/@payloadID", "payload ID", ID_MAX },
	{ "/order/sender/@domain", "sender's identity domain", ID_MAX },
	{ "/order/sender/@identity", "sender's identity", ID_MAX },
	{ "/order/from/@domain", "buyer's identity domain", ID_MAX },
	{ "/order/from/@identity", "buyer's identity", ID_MAX },
	{ "/order/to/@domain", "supplier's identity domain", ID_MAX },
	{ "/order/to/@identity", "supplier's identity", ID_MAX },
	{ "/order/orderID", "order number", ID_MAX },
	{ "/order/orderType", "order type", ID_MAX },
	{ "/order/previousPayloadID", "previous payload ID", ID_MAX },
	{ "/order/requisitionID", "requisition ID", ID_MAX },
	{ "/order/parties/party/@addressID", "address ID", ID_MAX },
	{ "/order/lines/line/supplierPartID", "supplier part number", ID_MAX },
	{ "/order/lines/line/buyerPartID", "buyer part number", ID_MAX },
	{ "/order/lines/line/manufacturerPartID", "manufacturer part number", ID_MAX },
	{ "/order/currency", "currency code", CODE_MAX },
	{ "/order/parties/party/country/@code", "country code", CODE_MAX },
	{ "/order/lines/line/shipTo/country/@code", "country code", CODE_MAX },
	{ "/order/lines/line/unitOfMeasure", "unit of measure", CODE_MAX },
	{ "/order/lines/line/unitPrice/@currency", "currency code", CODE_MAX },
	{ "/order/lines/line/statedAmount/@currency", "currency code", CODE_MAX },
	{ "/order/shipping/amount/@currency", "currency code", CODE_MAX },
	{ "/order/tax/amount/@currency", "currency code", CODE_MAX },
	{ "/order/discount/amount/@currency", "currency code", CODE_MAX },
	{ "/order/payment/reference/amount/@currency", "currency code", CODE_MAX },
	{ "/order/lines/line/distribution/charge/@currency", "currency code", CODE_MAX },
	{ "/order/lines/line/shipping/amount/@currency", "currency code", CODE_MAX },
	{ "/order/lines/line/tax/amount/@currency", "currency code", CODE_MAX },
};

/* Values that must not be empty (nor only white space): the order number
 * names the order in file names, the ledger and every answer; a line's
 * quantity and unit price (a line without them fails anyway: this names
 * the element the sender left out, not an empty decimal), and its unit of
 * measure, which says what the quantity counts. Checked before
 * normalising, so the reason names the sender's omission, not a schema
 * rule. Free text (a description) may be empty. */
static const struct {
	const char *xpath;
	const char *what;
	const char *where[3]; /* where the sender writes it: cXML, OAGIS, CSV */
} required[] = {
	{ "/order/orderID", "the order number",
	  { "OrderRequestHeader/@orderID", "PurchaseOrderHeader/ID",
	    "the column the map names as order_number" } },
	{ "/order/lines/line/quantity", "the quantity",
	  { "ItemOut/@quantity", "PurchaseOrderLine/Quantity",
	    "the column the map names as line.quantity" } },
	{ "/order/lines/line/unitOfMeasure", "the unit of measure",
	  { "ItemDetail/UnitOfMeasure", "Quantity/@unitCode",
	    "the column the map names as line.unitOfMeasure" } },
	{ "/order/lines/line/unitPrice", "the unit price",
	  { "ItemDetail/UnitPrice/Money", "UnitPrice/ChargeAmount",
	    "the column the map names as line.unitPrice" } },
};

/* Money besides the line prices that may say its own currency (the maps
 * copy Money/@currency, @currencyCode): one order has one currency, so an
 * amount in another is refused, never relabelled and added to the total.
 * (The line prices are checked in compute(), with the line's number.) */
static const struct {
	const char *xpath; /* the currency attribute */
	const char *what;
} money_currencies[] = {
	{ "/order/shipping/amount/@currency", "the shipping charge" },
	{ "/order/tax/amount/@currency", "the tax" },
	{ "/order/discount/amount/@currency", "the discount" },
	{ "/order/payment/reference/amount/@currency", "the payment amount" },
	{ "/order/lines/line/statedAmount/@currency", "the line's stated amount" },
	{ "/order/lines/line/distribution/charge/@currency", "the distribution charge" },
	{ "/order/lines/line/shipping/amount/@currency", "the line's shipping charge" },
	{ "/order/lines/line/tax/amount/@currency", "the line's tax" },
};

/* The canonical schema without its pattern facets, which rngpat checks
 * (compiled once instead of once per value: see rngpat.h). */
static xmlRelaxNGPtr schema;
static struct rngpat *patterns;

int canon_init(const char *schema_path, char **err)
{
	*err = NULL;
	if (schema)
		return 0;
	char *e = NULL;
	if (rngpat_load(schema_path, &schema, &patterns, &e) < 0) {
		*err = xasprintf("cannot load the canonical schema %s: %s", schema_path, e);
		free(e);
		return -1;
	}
	return 0;
}

void canon_shutdown(void)
{
	if (schema)
		xmlRelaxNGFree(schema);
	schema = NULL;
	rngpat_free(patterns);
	patterns = NULL;
}

int canon_pattern_paths(void)
{
	return rngpat_count(patterns);
}

static char *node_text(xmlNodePtr n)
{
	xmlChar *s = xmlNodeGetContent(n);
	char *r = xstrdup(s ? (const char *)s : "");
	xmlFree(s);
	return r;
}

static void node_set_text(xmlNodePtr n, const char *v)
{
	xmlChar *esc = xmlEncodeSpecialChars(n->doc, (const xmlChar *)v);
	xmlNodeSetContent(n, esc);
	xmlFree(esc);
}

static char *path_of(xmlNodePtr n)
{
	xmlChar *p = xmlGetNodePath(n);
	char *r = xstrdup(p ? (const char *)p : "?");
	xmlFree(p);
	return r;
}

static int field_error(xmlNodePtr n, const char *value, const char *what, char **err)
{
	char *p = path_of(n);
	char *shown = xstrndup(value, strlen(value) > 80 ? 80 : strlen(value));
	*err = xasprintf("%s: \"%s\" %s", p, shown, what);
	free(p);
	free(shown);
	return -1;
}

/* Where a date-time without a zone was given one (for the warning). */
struct assumed {
	struct buf paths; /* the first few */
	int n;
};

/* money_decimals: the least number of decimals an F_DECIMAL (money) field
 * is written with, the order currency's (JPY 100, EUR 100.00, BHD 1.200);
 * a value with more keeps them (0.0125 USD). */
static int normalise_one(xmlNodePtr n, enum field_kind kind, const char *zone,
			 int money_decimals, struct assumed *assumed, char **err)
{
	char *raw = node_text(n);
	char *v = str_trim(raw);
	int rc = 0;
	if (kind == F_DATE || kind == F_DATETIME) {
		char out[DATETIME_MAX];
		enum datetime_kind k = datetime_normalize(v, zone, out);
		if (k == DATETIME_DATE && kind == F_DATETIME) {
			char midnight[DATETIME_MAX + 16];
			snprintf(midnight, sizeof midnight, "%sT00:00:00", out);
			k = datetime_normalize(midnight, zone, out);
		}
		if (k == DATETIME_INVALID) {
			rc = field_error(n, v, "is not a date or date-time (expected ISO 8601, e.g. "
					 "2026-05-06T14:30:00+02:00)", err);
		} else {
			node_set_text(n, out);
			if (k == DATETIME_ASSUMED) {
				if (assumed->n++ < 3) {
					char *p = path_of(n);
					buf_printf(&assumed->paths, "%s%s \"%s\"",
						   assumed->n > 1 ? ", " : "", p, v);
					free(p);
				}
				/* an attribute cannot carry a flag: its element gets
				 * <name>ZoneAssumed instead (source/@timestampZoneAssumed) */
				if (n->type == XML_ATTRIBUTE_NODE) {
					char *flag = xasprintf("%sZoneAssumed", (const char *)n->name);
					xmlSetProp(n->parent, (const xmlChar *)flag,
						   (const xmlChar *)"true");
					free(flag);
				} else {
					xmlSetProp(n, (const xmlChar *)"zoneAssumed",
						   (const xmlChar *)"true");
				}
			}
		}
	} else if (kind == F_DECIMAL || kind == F_QUANTITY) {
		dec_t d;
		char out[DEC_FMT_MAX];
		int prc = dec_parse(v, &d);
		if (prc == DEC_TOO_LARGE)
			rc = field_error(n, v, "is larger than ordergate handles: amounts, prices "
					 "and quantities may be at most " DEC_MAX_TEXT " either "
					 "way (docs/canonical.md, \"Decimal limits\")", err);
		else if (prc < 0)
			rc = field_error(n, v, "is not a decimal number with at most 4 decimals "
					 "(no exponent, no thousands separator)", err);
		else if (kind == F_QUANTITY && d <= 0)
			rc = field_error(n, v, "is not a quantity greater than zero", err);
		else {
			dec_format(d, kind == F_DECIMAL ? money_decimals : 0, out);
			node_set_text(n, out);
		}
	} else {
		for (char *p = v; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		node_set_text(n, v);
	}
	free(raw);
	return rc;
}

/* Characters (UTF-8 code points) in s[0..n) after trimming white space. */
static size_t trimmed_chars(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	size_t chars = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			chars++;
	return chars;
}

/* Calls fn on every node an absolute path of child steps selects
 * ("/order/lines/line/quantity", ending in "@name" for an attribute), in
 * document order, as the XPath would but without compiling it: elements
 * and attributes in no namespace, by name. Stops at the first nonzero
 * return and returns it. */
typedef int (*visit_fn)(xmlNodePtr n, const void *arg, char **err);

static int visit_path(xmlNodePtr n, const char *rest, visit_fn fn, const void *arg, char **err)
{
	const char *end = strchr(rest, '/');
	size_t len = end ? (size_t)(end - rest) : strlen(rest);
	if (rest[0] == '@') {
		for (xmlAttrPtr a = n->properties; a; a = a->next)
			if (!a->ns && strlen((const char *)a->name) == len - 1 &&
			    !memcmp(a->name, rest + 1, len - 1))
				return fn((xmlNodePtr)a, arg, err);
		return 0;
	}
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || c->ns || strlen((const char *)c->name) != len ||
		    memcmp(c->name, rest, len))
			continue;
		int rc = end ? visit_path(c, end + 1, fn, arg, err) : fn(c, arg, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int visit(xmlDocPtr doc, const char *path, visit_fn fn, const void *arg, char **err)
{
	/* the document node's children hold the root element */
	return visit_path((xmlNodePtr)doc, path + 1, fn, arg, err);
}

static int check_length(xmlNodePtr n, const void *arg, char **err)
{
	const size_t *i = arg;
	char *v = node_text(n);
	size_t chars = trimmed_chars(v, strlen(v));
	int rc = 0;
	if (chars > limits[*i].max) {
		char *p = path_of(n);
		char *t = str_trim(v);
		size_t shown = 0;
		for (int k = 0; t[shown] && k < 40; k++) /* 40 characters */
			for (shown++; ((unsigned char)t[shown] & 0xc0) == 0x80; shown++)
				;
		*err = xasprintf("%s: the %s is %zu characters long, over the limit of %zu "
				 "characters for this field (docs/canonical.md, \"Length "
				 "limits\"); it begins \"%.*s...\"; the sender must send a "
				 "shorter value",
				 p, limits[*i].what, chars, limits[*i].max, (int)shown, t);
		free(p);
		rc = -1;
	}
	free(v);
	return rc;
}

static int check_lengths(xmlDocPtr doc, char **err)
{
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++)
		if (visit(doc, limits[i].xpath, check_length, &i, err) < 0)
			return -1;
	return 0;
}

struct required_arg {
	size_t i;   /* row of required[] */
	int format; /* column of required[].where, -1 if unknown */
};

static int check_present(xmlNodePtr n, const void *arg, char **err)
{
	const struct required_arg *a = arg;
	char *v = node_text(n);
	int empty = trimmed_chars(v, strlen(v)) == 0;
	free(v);
	if (!empty)
		return 0;
	char *p = path_of(n);
	xmlChar *num = NULL;
	if (n->parent && n->parent->type == XML_ELEMENT_NODE &&
	    !strcmp((const char *)n->parent->name, "line"))
		num = xmlGetProp(n->parent, (const xmlChar *)"number");
	char *of_line = num ? xasprintf(" of line %s", (const char *)num) : xstrdup("");
	char *where = a->format >= 0 ? xasprintf(" (%s)", required[a->i].where[a->format])
				     : xstrdup("");
	*err = xasprintf("%s: %s%s is empty; the sender must send it%s", p, required[a->i].what,
			 of_line, where);
	free(where);
	free(of_line);
	xmlFree(num);
	free(p);
	return -1;
}

static int check_required(xmlDocPtr doc, char **err)
{
	static const char *formats[] = { "cxml", "oagis", "csv" };
	xmlChar *f = xmlGetProp(canon_child(xmlDocGetRootElement(doc), "source"),
				(const xmlChar *)"format");
	struct required_arg a = { 0, -1 };
	for (int k = 0; f && k < (int)ARRAY_SIZE(formats); k++)
		if (!strcmp((const char *)f, formats[k]))
			a.format = k;
	xmlFree(f);
	for (a.i = 0; a.i < ARRAY_SIZE(required); a.i++)
		if (visit(doc, required[a.i].xpath, check_present, &a, err) < 0)
			return -1;
	return 0;
}

struct normalise_arg {
	enum field_kind kind;
	const char *zone;
	int money_decimals;
	struct assumed *assumed;
};

static int normalise_visit(xmlNodePtr n, const void *arg, char **err)
{
	const struct normalise_arg *a = arg;
	return normalise_one(n, a->kind, a->zone, a->money_decimals, a->assumed, err);
}

/* Two passes: money (F_DECIMAL) last, once /order/currency is normalised,
 * so every amount is written in the currency's decimals. One order has
 * one currency (a price or charge in another is refused in compute()), so
 * the order's decides; without one, 2 (compute() then refuses the order). */
static int normalise(xmlDocPtr doc, const char *zone, struct assumed *assumed, char **err)
{
	int money_decimals = 2;
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			xmlNodePtr c = canon_child(xmlDocGetRootElement(doc), "currency");
			char *cur = c ? node_text(c) : NULL;
			money_decimals = currency_decimals(cur);
			free(cur);
		}
		for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
			if ((fields[i].kind == F_DECIMAL) != (pass == 1))
				continue;
			struct normalise_arg a = { fields[i].kind, zone, money_decimals, assumed };
			if (visit(doc, fields[i].xpath, normalise_visit, &a, err) < 0)
				return -1;
		}
	}
	return 0;
}

xmlNodePtr canon_child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
			return c;
	return NULL;
}

char *canon_child_str(xmlNodePtr n, const char *name)
{
	xmlNodePtr c = canon_child(n, name);
	return c ? node_text(c) : xstrdup("");
}

static char *child_text(xmlNodePtr n, const char *name)
{
	xmlNodePtr c = canon_child(n, name);
	return c ? node_text(c) : NULL;
}

static char *prop(xmlNodePtr n, const char *name)
{
	if (!n)
		return NULL;
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *r = v ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return r;
}

static int dec_child(xmlNodePtr n, const char *name, dec_t *out)
{
	char *t = child_text(n, name);
	int rc = t ? dec_parse(t, out) : -1;
	free(t);
	return rc;
}

void canon_note_warning(struct order_info *info, const char *code, const char *text)
{
	info->warnings = xrealloc(info->warnings, sizeof(char *) * (size_t)(info->nwarnings + 1));
	info->warnings[info->nwarnings++] = xasprintf("%s: %s", code, text);
}

static void add_warning(xmlNodePtr order, struct order_info *info, const char *code,
			const char *text)
{
	xmlNodePtr w = xmlNewTextChild(order, NULL, (const xmlChar *)"warning", NULL);
	node_set_text(w, text);
	xmlSetProp(w, (const xmlChar *)"code", (const xmlChar *)code);
	canon_note_warning(info, code, text);
}

/* Removes n's first child element named name, if any. */
static void drop_child(xmlNodePtr n, const char *name)
{
	xmlNodePtr old = canon_child(n, name);
	if (old) {
		xmlUnlinkNode(old);
		xmlFreeNode(old);
	}
}

/* A total: subtotal plus the order's shipping and tax, less its discount. */
static int with_charges(dec_t subtotal, const struct order_info *info, dec_t *total, char **err)
{
	if (dec_add(subtotal, info->shipping, total) < 0 || dec_add(*total, info->tax, total) < 0 ||
	    dec_sub(*total, info->discount, total) < 0) {
		*err = xstrdup("/order: total too large");
		return -1;
	}
	return 0;
}

static void add_dec(xmlNodePtr parent, const char *name, dec_t v, int decimals)
{
	char s[DEC_FMT_MAX];
	dec_format(v, decimals, s);
	xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)s);
}

/* A header charge (shipping, tax, discount) goes into the total as it is
 * stated, so it must be an amount the currency has: 12.505 EUR is refused
 * (rounding it would change what the buyer said it charges). */
static int charge(xmlNodePtr order, const char *name, const char *currency, dec_t *out,
		  char **err)
{
	*out = 0;
	xmlNodePtr c = canon_child(order, name);
	if (!c)
		return 0;
	if (dec_child(c, "amount", out) < 0) {
		*err = xasprintf("/order/%s: no amount", name);
		return -1;
	}
	int cd = currency_decimals(currency);
	if (dec_round(*out, cd) != *out) {
		char *text = canon_child_str(c, "amount");
		*err = xasprintf("/order/%s/amount: %s %s has more decimals than %s has (%d), so "
				 "no total in %s can include it; ask the sender to state the %s "
				 "with at most %d decimals",
				 name, text ? text : "?", currency, currency, cd, currency, name, cd);
		free(text);
		return -1;
	}
	return 0;
}

struct currency_arg {
	const char *what;
	const char *order_currency;
};

static int check_currency(xmlNodePtr attr, const void *arg, char **err)
{
	const struct currency_arg *a = arg;
	char *cur = node_text(attr);
	int rc = 0;
	if (*cur && strcmp(cur, a->order_currency)) {
		char *p = path_of(attr->parent);
		char *amount = node_text(attr->parent);
		*err = xasprintf("%s: %s (%s) is in %s but the order is in %s; one order has "
				 "one currency, so the sender must state it in %s",
				 p, a->what, amount, cur, a->order_currency, a->order_currency);
		free(amount);
		free(p);
		rc = -1;
	}
	free(cur);
	return rc;
}

static int check_currencies(xmlDocPtr doc, const char *order_currency, char **err)
{
	for (size_t i = 0; i < ARRAY_SIZE(money_currencies); i++) {
		struct currency_arg a = { money_currencies[i].what, order_currency };
		if (visit(doc, money_currencies[i].xpath, check_currency, &a, err) < 0)
			return -1;
	}
	return 0;
}

/* Lines whose stated amount differs from quantity x unit price: the first
 * LINE_MISMATCH_NAMED get a warning each, the rest one more between them
 * (a partner whose system prices every line its own way would otherwise
 * add one warning, and log line, per order line). */
#define LINE_MISMATCH_NAMED 10

struct line_mismatch {
	long number;
	dec_t stated, quantity, unit_price, amount;
};

struct line_mismatches {
	struct line_mismatch named[LINE_MISMATCH_NAMED];
	int n;           /* lines that differ, named or not */
	long first_more; /* the first line not named */
};

static void note_line_mismatch(struct line_mismatches *m, const struct line_info *li,
			       dec_t stated)
{
	if (m->n < LINE_MISMATCH_NAMED)
		m->named[m->n] = (struct line_mismatch){ li->number, stated, li->quantity,
							 li->unit_price, li->amount };
	else if (m->n == LINE_MISMATCH_NAMED)
		m->first_more = li->number;
	m->n++;
}

/* The warnings line-amount-mismatch (docs/canonical.md, "Stated line
 * amounts"): a warning, not a refusal, like total-mismatch. */
static void warn_line_mismatches(xmlNodePtr order, struct order_info *info,
				 const struct line_mismatches *m, int cd)
{
	for (int i = 0; i < m->n && i < LINE_MISMATCH_NAMED; i++) {
		const struct line_mismatch *x = &m->named[i];
		char st[DEC_FMT_MAX], q[DEC_FMT_MAX], p[DEC_FMT_MAX], a[DEC_FMT_MAX];
		dec_format(x->stated, cd, st);
		dec_format(x->quantity, 0, q);
		dec_format(x->unit_price, cd, p);
		dec_format(x->amount, cd, a);
		char *text = xasprintf("line %ld states an amount of %s %s but its quantity times "
				       "unit price, %s x %s, comes to %s %s; outbound documents carry "
				       "%s %s. Ask the sender which is right: a discount belongs in "
				       "the unit price, and a wrong price or quantity needs a "
				       "corrected order",
				       x->number, st, info->currency, q, p, a, info->currency, a,
				       info->currency);
		add_warning(order, info, "line-amount-mismatch", text);
		free(text);
	}
	if (m->n > LINE_MISMATCH_NAMED) {
		char *text = xasprintf("%d more lines (of %d) state an amount other than their "
				       "quantity times unit price, the first of them line %ld; "
				       "outbound documents carry the computed amounts. Ask the sender "
				       "which are right; each line's stated amount is in the order's "
				       "canonical copy (statedAmount, next to amount)",
				       m->n - LINE_MISMATCH_NAMED, info->nlines, m->first_more);
		add_warning(order, info, "line-amount-mismatch", text);
		free(text);
	}
}

static int compute(xmlNodePtr order, struct order_info *info, char **err)
{
	struct line_mismatches mismatches = { .n = 0 };
	info->currency = child_text(order, "currency");
	if (!info->currency || !*info->currency) {
		*err = xstrdup("/order/currency: missing; the map must give the order's currency");
		return -1;
	}
	if (check_currencies(order->doc, info->currency, err) < 0)
		return -1;
	int cd = currency_decimals(info->currency);
	xmlNodePtr lines = canon_child(order, "lines");
	int n = 0;
	for (xmlNodePtr l = lines ? lines->children : NULL; l; l = l->next)
		if (l->type == XML_ELEMENT_NODE)
			n++;
	info->lines = xcalloc((size_t)(n ? n : 1), sizeof *info->lines);
	dec_t subtotal = 0;
	for (xmlNodePtr l = lines ? lines->children : NULL; l; l = l->next) {
		if (l->type != XML_ELEMENT_NODE || strcmp((const char *)l->name, "line"))
			continue;
		struct line_info *li = &info->lines[info->nlines];
		char *num = prop(l, "number");
		char *end = NULL;
		li->number = num ? strtol(num, &end, 10) : 0;
		int bad = !num || !*num || *end || li->number <= 0;
		free(num);
		if (bad) {
			char *p = path_of(l);
			*err = xasprintf("%s: @number must be a positive whole number", p);
			free(p);
			return -1;
		}
		for (int i = 0; i < info->nlines; i++)
			if (info->lines[i].number == li->number) {
				*err = xasprintf("/order/lines: line number %ld appears twice; "
						 "line numbers must be unique", li->number);
				return -1;
			}
		info->nlines++;
		li->uom = child_text(l, "unitOfMeasure");
		li->supplier_part = child_text(l, "supplierPartID");
		li->description = child_text(l, "description");
		if (dec_child(l, "quantity", &li->quantity) < 0 ||
		    dec_child(l, "unitPrice", &li->unit_price) < 0) {
			*err = xasprintf("/order/lines/line[@number=%ld]: needs a quantity and a "
					 "unitPrice", li->number);
			return -1;
		}
		char *cur = prop(canon_child(l, "unitPrice"), "currency");
		if (cur && *cur && strcmp(cur, info->currency)) {
			*err = xasprintf("/order/lines/line[@number=%ld]/unitPrice: priced in %s "
					 "but the order is in %s; one order has one currency",
					 li->number, cur, info->currency);
			free(cur);
			return -1;
		}
		free(cur);
		/* the exact product, rounded once to the currency */
		if (dec_mul_round(li->quantity, li->unit_price, cd, &li->amount) < 0 ||
		    dec_add(subtotal, li->amount, &subtotal) < 0) {
			*err = xasprintf("/order/lines/line[@number=%ld]: amount too large",
					 li->number);
			return -1;
		}
		drop_child(l, "amount");
		add_dec(l, "amount", li->amount, cd);
		/* what the sender says the line comes to, compared exactly */
		dec_t stated;
		if (dec_child(l, "statedAmount", &stated) == 0 && stated != li->amount)
			note_line_mismatch(&mismatches, li, stated);
	}
	if (info->nlines == 0) {
		*err = xstrdup("/order/lines: the order has no lines");
		return -1;
	}
	if (charge(order, "shipping", info->currency, &info->shipping, err) < 0 ||
	    charge(order, "tax", info->currency, &info->tax, err) < 0 ||
	    charge(order, "discount", info->currency, &info->discount, err) < 0)
		return -1;
	info->subtotal = subtotal;
	dec_t t;
	if (with_charges(subtotal, info, &t, err) < 0)
		return -1;
	info->total = t;
	if (t < 0) {
		/* credit lines (a negative unit price) may lower an order, not
		 * turn it into money owed to the buyer */
		char text[DEC_FMT_MAX];
		dec_format(t, cd, text);
		*err = xasprintf("/order: the lines and charges come to %s %s, less than nothing; a "
				 "purchase order cannot be a credit, so ask the sender for an order "
				 "worth 0 or more (a credit note goes by other means)",
				 text, info->currency);
		return -1;
	}
	drop_child(order, "summary");
	/* summary goes right after lines, before warnings and decision */
	xmlNodePtr s = xmlNewNode(NULL, (const xmlChar *)"summary");
	if (lines->next)
		xmlAddNextSibling(lines, s);
	else
		xmlAddChild(order, s);
	add_dec(s, "subtotal", subtotal, cd);
	add_dec(s, "shipping", info->shipping, cd);
	add_dec(s, "tax", info->tax, cd);
	add_dec(s, "discount", info->discount, cd);
	add_dec(s, "total", t, cd);
	warn_line_mismatches(order, info, &mismatches, cd);
	if (dec_child(order, "total", &info->stated_total) == 0) {
		info->has_stated_total = 1;
		if (info->stated_total != subtotal && info->stated_total != t) {
			char a[DEC_FMT_MAX], b[DEC_FMT_MAX];
			dec_format(info->stated_total, cd, a);
			dec_format(subtotal, cd, b);
			char *text = xasprintf("the order states a total of %s %s but its lines add "
					       "up to %s %s; outbound documents carry %s",
					       a, info->currency, b, info->currency, b);
			add_warning(order, info, "total-mismatch", text);
			free(text);
		}
	}
	return 0;
}

int canon_accepted(xmlDocPtr doc, struct order_info *info, char **err)
{
	int cd = currency_decimals(info->currency);
	dec_t sub = 0, t;
	int dropped = 0;
	for (int i = 0; i < info->nlines; i++) {
		const struct line_info *l = &info->lines[i];
		if (l->quantity > 0 && l->rejected >= l->quantity) {
			dropped++;
			continue;
		}
		if (dec_add(sub, l->amount, &sub) < 0) {
			*err = xstrdup("/order: total too large");
			return -1;
		}
	}
	if (!dropped) {
		info->committed = info->total;
		return 0;
	}
	if (dropped == info->nlines) {
		info->committed = 0;
		return 0;
	}
	if (with_charges(sub, info, &t, err) < 0)
		return -1;
	info->committed = t;
	xmlNodePtr s = canon_child(xmlDocGetRootElement(doc), "summary");
	if (!s) {
		*err = xstrdup("/order: no summary (the order was not completed)");
		return -1;
	}
	drop_child(s, "accepted");
	xmlNodePtr a = xmlNewChild(s, NULL, (const xmlChar *)"accepted", NULL);
	add_dec(a, "subtotal", sub, cd);
	add_dec(a, "total", t, cd);
	return 0;
}

static void read_info(xmlNodePtr order, struct order_info *info)
{
	xmlNodePtr src = canon_child(order, "source");
	info->format = prop(src, "format");
	info->payload_id = prop(src, "payloadID");
	info->timestamp = prop(src, "timestamp");
	info->mode = prop(src, "mode");
	info->sender_domain = prop(canon_child(order, "sender"), "domain");
	info->sender_identity = prop(canon_child(order, "sender"), "identity");
	info->from_domain = prop(canon_child(order, "from"), "domain");
	info->from_identity = prop(canon_child(order, "from"), "identity");
	info->to_domain = prop(canon_child(order, "to"), "domain");
	info->to_identity = prop(canon_child(order, "to"), "identity");
	info->order_id = child_text(order, "orderID");
	info->order_date = child_text(order, "orderDate");
	info->type = child_text(order, "type");
	info->previous_payload_id = child_text(order, "previousPayloadID");
}

static void relaxng_error(void *user, xmlErrorPtr e)
{
	struct buf *b = user;
	if (!e || b->len > 2000)
		return;
	if (b->len)
		buf_adds(b, "\n");
	if (e->node) {
		char *p = path_of((xmlNodePtr)e->node);
		buf_printf(b, "%s: ", p);
		free(p);
	}
	const char *m = e->message ? e->message : "invalid";
	size_t n = strlen(m);
	while (n && m[n - 1] == '\n')
		n--;
	buf_add(b, m, n);
}

int canon_validate(xmlDocPtr doc, char **err)
{
	*err = NULL;
	struct buf msgs = BUF_INIT;
	xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(schema);
	xmlRelaxNGSetValidStructuredErrors(vc, relaxng_error, &msgs);
	int rc = xmlRelaxNGValidateDoc(vc, doc);
	xmlRelaxNGFreeValidCtxt(vc);
	char *perr = NULL;
	if (rc == 0 && rngpat_check(patterns, doc, &perr) < 0) {
		buf_adds(&msgs, perr);
		free(perr);
		rc = 1;
	}
	if (rc != 0) {
		*err = xasprintf("the mapped order does not match the canonical schema "
				 "(xslt/canonical.rng): %s",
				 msgs.len ? buf_str(&msgs) : "invalid");
		buf_release(&msgs);
		return -1;
	}
	buf_release(&msgs);
	return 0;
}

int canon_complete(xmlDocPtr doc, const char *zone, struct order_info *info, char **err)
{
	*err = NULL;
	memset(info, 0, sizeof *info);
	xmlNodePtr order = xmlDocGetRootElement(doc);
	if (!order || strcmp((const char *)order->name, "order")) {
		*err = xasprintf("the map produced <%s>, not <order>",
				 order ? (const char *)order->name : "nothing");
		return -1;
	}
	struct assumed assumed = { BUF_INIT, 0 };
	if (check_lengths(doc, err) < 0 || check_required(doc, err) < 0 ||
	    normalise(doc, zone, &assumed, err) < 0) {
		buf_release(&assumed.paths);
		return -1;
	}
	read_info(order, info);
	/* the map's own warnings (what it could not carry) are reported with
	 * those of the checks below */
	for (xmlNodePtr c = order->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "warning")) {
			char *code = prop(c, "code");
			char *text = (char *)xmlNodeGetContent(c);
			canon_note_warning(info, code ? code : "map", text ? text : "");
			free(code);
			xmlFree(text);
		}
	if (assumed.n) {
		/* the outputs show the zone as if the sender had stated it */
		char *more = assumed.n > 3 ? xasprintf(" and %d more", assumed.n - 3) : xstrdup("");
		char *text = xasprintf("%s%s: a date-time without a time zone (a date alone: at 00:00), "
				       "taken to be in %s "
				       "([engine] assume_timezone) and sent on with that offset; "
				       "ask the sender to state the zone",
				       buf_str(&assumed.paths), more, zone && *zone ? zone : "UTC");
		add_warning(order, info, "zone-assumed", text);
		free(text);
		free(more);
	}
	buf_release(&assumed.paths);
	if (compute(order, info, err) < 0)
		return -1;
	return canon_validate(doc, err);
}

void canon_info_release(struct order_info *info)
{
	char **s[] = { &info->format, &info->payload_id, &info->timestamp, &info->mode,
		       &info->sender_domain, &info->sender_identity, &info->from_domain,
		       &info->from_identity, &info->to_domain, &info->to_identity,
		       &info->order_id, &info->order_date, &info->type, &info->currency,
		       &info->previous_payload_id };
	for (size_t i = 0; i < ARRAY_SIZE(s); i++) {
		free(*s[i]);
		*s[i] = NULL;
	}
	for (int i = 0; i < info->nlines; i++) {
		free(info->lines[i].uom);
		free(info->lines[i].supplier_part);
		free(info->lines[i].description);
		free(info->lines[i].state);
		free(info->lines[i].reason);
	}
	free(info->lines);
	for (int i = 0; i < info->nwarnings; i++)
		free(info->warnings[i]);
	free(info->warnings);
	memset(info, 0, sizeof *info);
}
