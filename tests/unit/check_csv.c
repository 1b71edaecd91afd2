/*
 * csv: column maps, the record splitter, encodings, grouping, decimals,
 * dates and constants (table-driven over small maps written to a temporary
 * folder), the error texts, header detection, the files in tests/data/csv
 * through xslt/csv-to-canonical.xsl and canon_complete, and the outbound
 * CSV sheets (quoting, formula neutralisation).
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "canon.h"
#include "csv.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"
#include "xform.h"
#include "xmlsafe.h"

/* ------------------------------------------------------------------ */
/* helpers                                                            */
/* ------------------------------------------------------------------ */

/* The map most tables use: header po,desc,qty,price with constants. */
#define BASE_CSV "[csv]\norder_number = po\n"
#define BASE_FIELDS                                                                    \
	"[fields]\nline.description = desc\nline.quantity = qty\nline.unitPrice = price\n" \
	"[constants]\ncurrency = USD\nline.unitOfMeasure = EA\n"
#define BASE_MAP BASE_CSV BASE_FIELDS

static char *data_path(const char *rel)
{
	return xasprintf("%s/%s", t_cfg()->data_dir, rel);
}

/* Writes text as DIR/NAME.ini and loads it; returns rc, *err on failure. */
static int load_map_text(const char *name, const char *text, struct csv_map **m, char **err)
{
	char *dir = t_tempdir();
	char *path = xasprintf("%s/%s.ini", dir, name);
	t_write_file(path, text, strlen(text));
	*err = NULL;
	int rc = csv_map_load(path, m, err);
	t_rmtree(dir);
	free(dir);
	free(path);
	return rc;
}

static struct csv_map *map_text(const char *text)
{
	struct csv_map *m = NULL;
	char *err = NULL;
	int rc = load_map_text("t", text, &m, &err);
	ck_assert_msg(rc == 0, "map did not load: %s", err ? err : "?");
	return m;
}

static struct csv_map *map_file(const char *rel)
{
	char *path = data_path(rel);
	struct csv_map *m = NULL;
	char *err = NULL;
	ck_assert_msg(csv_map_load(path, &m, &err) == 0, "%s: %s", path, err ? err : "?");
	free(path);
	return m;
}

static char *file_data(const char *rel, size_t *len)
{
	char *path = data_path(rel);
	char *d = t_read_file(path, len);
	ck_assert_msg(d != NULL, "cannot read %s", path);
	free(path);
	return d;
}

struct result {
	int rc;
	char *err;
	struct csv_order *o;
	int n;
};

static struct result run(const struct csv_map *m, const char *data, size_t len, const char *file)
{
	struct result r = { 0 };
	r.rc = csv_read(m, data, len, file, &r.o, &r.n, &r.err);
	return r;
}

static void result_free(struct result *r)
{
	csv_orders_free(r->o, r->n);
	free(r->err);
}

static void assert_has(const char *hay, const char *needle)
{
	ck_assert_msg(hay && strstr(hay, needle), "\"%s\" not found in:\n%s", needle,
		      hay ? hay : "(null)");
}

static char *xp(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	char *full = xasprintf("string(%s)", expr);
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)full, ctx);
	char *s = xstrdup(r && r->stringval ? (const char *)r->stringval : "<no result>");
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	free(full);
	return s;
}

static void assert_xp(xmlDocPtr doc, const char *expr, const char *want)
{
	char *got = xp(doc, expr);
	ck_assert_msg(!strcmp(got, want), "%s = \"%s\", want \"%s\"", expr, got, want);
	free(got);
}

static xsltStylesheetPtr sheet(const char *name)
{
	char *path = xasprintf("%s/xslt/%s", t_cfg()->data_dir, name);
	char *err = NULL;
	xsltStylesheetPtr s = xform_load(path, &err);
	ck_assert_msg(s != NULL, "%s: %s", path, err ? err : "?");
	free(path);
	return s;
}

/* Neutral XML -> csv-to-canonical.xsl -> engine attributes ->
 * canon_complete. Returns the completed canonical order. */
static xmlDocPtr to_canonical(const struct csv_order *o, struct order_info *info)
{
	char *err = NULL;
	ck_assert_msg(o->error == NULL, "order %s failed: %s", o->order_number, o->error);
	xmlDocPtr in = xmlsafe_parse(o->xml.data, o->xml.len, &err);
	ck_assert_msg(in != NULL, "neutral XML does not parse: %s\n%s", err ? err : "?",
		      o->xml.data);
	struct xform_param p[] = { { "received", "2026-01-01T09:30:00+01:00" } };
	xmlsafe_errors_reset();
	xmlDocPtr c = xform_apply(sheet("csv-to-canonical.xsl"), in, p, 1, &err);
	ck_assert_msg(c != NULL, "csv-to-canonical.xsl: %s", err ? err : "?");
	xmlFreeDoc(in);
	xmlNodePtr root = xmlDocGetRootElement(c);
	for (xmlNodePtr n = root->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, "source")) {
			xmlSetProp(n, (const xmlChar *)"documentID", (const xmlChar *)"t-1");
			xmlSetProp(n, (const xmlChar *)"received",
				   (const xmlChar *)"2026-01-01T09:30:00+01:00");
		}
	int rc = canon_complete(c, "+00:00", info, &err);
	if (rc < 0) {
		xmlChar *t = NULL;
		int tl = 0;
		xmlDocDumpFormatMemory(c, &t, &tl, 1);
		ck_abort_msg("canon_complete: %s\n%s", err ? err : "?", t ? (char *)t : "");
	}
	return c;
}

static char *apply_text(const char *sheet_name, const char *xml_rel)
{
	size_t len;
	char *data = file_data(xml_rel, &len);
	char *err = NULL;
	xmlDocPtr in = xmlsafe_parse(data, len, &err);
	ck_assert_msg(in != NULL, "%s: %s", xml_rel, err ? err : "?");
	free(data);
	xsltStylesheetPtr s = sheet(sheet_name);
	struct xform_param p[] = {
		{ "payloadID", "p-1@ordergate" }, { "timestamp", "2026-01-01T00:00:00+00:00" },
		{ "senderDomain", "NetworkId" },  { "senderIdentity", "supplier" },
		{ "userAgent", "ordergate" },     { "noticeDate", "2026-01-01T00:00:00+00:00" },
		{ "confirmID", "c-1" },
	};
	int np = strstr(sheet_name, "confirmation") ? 7 : 5;
	xmlDocPtr out = xform_apply(s, in, p, np, &err);
	ck_assert_msg(out != NULL, "%s on %s: %s", sheet_name, xml_rel, err ? err : "?");
	struct buf b = BUF_INIT;
	ck_assert_int_eq(xform_serialize(s, out, &b), 0);
	xmlFreeDoc(in);
	xmlFreeDoc(out);
	return buf_detach(&b);
}

/* ------------------------------------------------------------------ */
/* parsing edge cases                                                 */
/* ------------------------------------------------------------------ */

struct parse_case {
	const char *what;
	const char *map; /* NULL: BASE_MAP */
	const char *data;
	int rc;          /* csv_read's */
	int norders;
	int which;       /* the order the checks look at */
	const char *want; /* in its XML, or in *err when rc is -1 */
	const char *want_error; /* in its error, NULL: no error */
};

static const struct parse_case parse_cases[] = {
	{ "LF", NULL, "po,desc,qty,price\n1,a,2,3\n1,b,4,5\n", 0, 1, 0,
	  "<field name=\"line.description\">b</field>", NULL },
	{ "CRLF", NULL, "po,desc,qty,price\r\n1,a,2,3\r\n2,b,4,5\r\n", 0, 2, 1,
	  "<line row=\"3\">", NULL },
	{ "CR only", NULL, "po,desc,qty,price\r1,a,2,3\r2,b,4,5\r", 0, 2, 1, "<line row=\"3\">",
	  NULL },
	{ "no final line break", NULL, "po,desc,qty,price\n1,a,2,3", 0, 1, 0,
	  "<field name=\"line.unitPrice\">3</field>", NULL },
	{ "quoted delimiter", NULL, "po,desc,qty,price\n1,\"a, b\",2,3\n", 0, 1, 0,
	  "<field name=\"line.description\">a, b</field>", NULL },
	{ "doubled quotes", NULL, "po,desc,qty,price\n1,\"say \"\"hi\"\" & <go>\",2,3\n", 0, 1,
	  0, "<field name=\"line.description\">say \"hi\" &amp; &lt;go&gt;</field>", NULL },
	{ "line break in quotes", NULL, "po,desc,qty,price\r\n1,\"one\r\ntwo\",2,3\r\n2,x,1,1\r\n",
	  0, 2, 0, "<field name=\"line.description\">one\ntwo</field>", NULL },
	{ "row numbers count physical lines", NULL,
	  "po,desc,qty,price\n1,\"one\ntwo\",2,3\n2,x,1,1\n", 0, 2, 1, "<line row=\"4\">", NULL },
	{ "empty trailing fields", NULL, "po,desc,qty,price,,\n1,a,2,3,,\n", 0, 1, 0,
	  "<field name=\"line.quantity\">2</field>", NULL },
	{ "trailing delimiter past the header", NULL, "po,desc,qty,price\n1,a,2,3,,,\n", 0, 1, 0,
	  "<field name=\"line.quantity\">2</field>", NULL },
	{ "blank and empty rows skipped", NULL, "\npo,desc,qty,price\n\n,,,\n1,a,2,3\n , ,,\n", 0,
	  1, 0, "<line row=\"5\">", NULL },
	{ "repeated header row skipped", NULL, "po,desc,qty,price\n1,a,2,3\nPO,Desc,QTY,price\n1,b,2,3\n",
	  0, 1, 0, "<line row=\"4\">", NULL },
	{ "blanks around a quoted field", NULL, "po,desc,qty,price\n1, \"a,b\" ,2,3\n", 0, 1, 0,
	  "<field name=\"line.description\">a,b</field>", NULL },
	{ "values trimmed", NULL, "po,desc,qty,price\n 1 ,  a  , 2 ,3\n", 0, 1, 0,
	  "orderNumber=\"1\"", NULL },
	{ "header names trimmed, any case", NULL, " PO , Desc ,QTY,Price\n1,a,2,3\n", 0, 1, 0,
	  "<field name=\"orderID\">1</field>", NULL },
	{ "fewer columns than the header", "[csv]\norder_number = po\n[fields]\nline.quantity = qty\n"
	  "line.unitPrice = price\nline.description = desc\n[constants]\ncurrency = USD\n"
	  "line.unitOfMeasure = EA\n",
	  "po,qty,price,desc\n1,2,3\n", 0, 1, 0, "<field name=\"line.unitPrice\">3</field>", NULL },
	{ "quote none keeps quotes", "[csv]\nquote = none\n" "order_number = po\n" BASE_FIELDS,
	  "po,desc,qty,price\n1,PIPE 1/2\",2,3\n", 0, 1, 0,
	  "<field name=\"line.description\">PIPE 1/2\"</field>", NULL },
	{ "single quote as quote", "[csv]\nquote = '\norder_number = po\n" BASE_FIELDS,
	  "po,desc,qty,price\n1,'a,b',2,3\n", 0, 1, 0,
	  "<field name=\"line.description\">a,b</field>", NULL },
	{ "tab delimiter", "[csv]\ndelimiter = tab\norder_number = po\n" BASE_FIELDS,
	  "po\tdesc\tqty\tprice\n1\ta b\t2\t3\n", 0, 1, 0,
	  "<field name=\"line.description\">a b</field>", NULL },
	{ "semicolon delimiter", "[csv]\ndelimiter = semicolon\norder_number = po\n" BASE_FIELDS,
	  "po;desc;qty;price\n1;a,b;2;3\n", 0, 1, 0,
	  "<field name=\"line.description\">a,b</field>", NULL },
	{ "quote inside an unquoted field is text", NULL, "po,desc,qty,price\n1,5\" nail,2,3\n", 0,
	  1, 0, "<field name=\"line.description\">5\" nail</field>", NULL },
	{ "text after a closing quote", NULL, "po,desc,qty,price\n1,\"a\"b,2,3\n", 0, 1, 0, NULL,
	  "t.csv: row 2, column 2 (desc): text after the closing quote" },
	{ "more columns than the header", NULL, "po,desc,qty,price\n1,a,b,2,3\n", 0, 1, 0, NULL,
	  "t.csv: row 2, column 5: the row has 5 columns, the header 4" },
	{ "control character", NULL, "po,desc,qty,price\n1,a\001b,2,3\n", 0, 1, 0, NULL,
	  "t.csv: row 2, column 2 (desc): a control character in line.description" },
	{ "required field empty", NULL, "po,desc,qty,price\n1,a,,3\n", 0, 1, 0, NULL,
	  "t.csv: row 2, column 3 (qty): line.quantity is empty" },
	{ "required field past the row's end", NULL, "po,desc,qty,price\n1,a\n", 0, 1, 0, NULL,
	  "t.csv: row 2, column 3 (qty): line.quantity is missing (the row has only 2 columns)" },
	{ "no order number", NULL, "po,desc,qty,price\n,a,1,1\n2,b,1,1\n", 0, 2, 0, NULL,
	  "t.csv: row 2, column 1 (po): no order number" },
	{ "no order number after an order", NULL, "po,desc,qty,price\n1,a,1,1\n,b,1,1\n2,c,1,1\n",
	  0, 2, 0, NULL,
	  "t.csv: row 3, column 1 (po): no order number (the row is counted with the order above it)" },
	{ "several problems counted", NULL, "po,desc,qty,price\n1,a,x,1\n1,b,y,1\n1,c,z,1\n", 0, 1,
	  0, NULL, "(and 2 more problems in this order)" },
	{ "unterminated quote fails the file", NULL, "po,desc,qty,price\n1,a,1,1\n2,\"b,1,1\n3,c,1,1\n",
	  -1, 0, 0, "t.csv: row 3, column 2: the quote opened here is never closed", NULL },
	{ "header lacks a mapped column", NULL, "po,description,qty,price\n1,a,1,1\n", -1, 0, 0,
	  "t.csv: row 1: the header has no column \"desc\" (map t, line 4, wants it for "
	  "line.description)", NULL },
	{ "ambiguous header", NULL, "po,desc,qty,price,desc\n1,a,1,1,b\n", -1, 0, 0,
	  "more than once", NULL },
	{ "empty file", NULL, "", -1, 0, 0, "t.csv: empty file", NULL },
	{ "only blank lines", NULL, "\r\n\r\n", -1, 0, 0, "no header row", NULL },
	{ "header only", NULL, "po,desc,qty,price\r\n", -1, 0, 0, "t.csv: no data rows", NULL },
	{ "NUL byte", NULL, "po,desc,qty,price\n1,a\0b,1,1\n", -1, 0, 0,
	  "t.csv: row 2: a NUL character", NULL },
};

START_TEST(parse_edge_cases)
{
	const struct parse_case *c = &parse_cases[_i];
	struct csv_map *m = map_text(c->map ? c->map : BASE_MAP);
	size_t len = strlen(c->data);
	if (strstr(c->what, "NUL"))
		len = strlen(c->data) + 1 + strlen(c->data + strlen(c->data) + 1);
	struct result r = run(m, c->data, len, "t.csv");
	ck_assert_msg(r.rc == c->rc, "%s: rc %d, err %s", c->what, r.rc, r.err ? r.err : "-");
	if (c->rc < 0) {
		assert_has(r.err, c->want);
	} else {
		ck_assert_msg(r.n == c->norders, "%s: %d orders", c->what, r.n);
		const struct csv_order *o = &r.o[c->which];
		if (c->want_error) {
			assert_has(o->error, c->want_error);
			ck_assert_uint_eq(o->xml.len, 0);
		} else {
			ck_assert_msg(o->error == NULL, "%s: %s", c->what, o->error);
			assert_has(o->xml.data, c->want);
		}
	}
	result_free(&r);
	csv_map_free(m);
}
END_TEST

/* ------------------------------------------------------------------ */
/* decimals and dates                                                 */
/* ------------------------------------------------------------------ */

struct value_case {
	const char *csv_section; /* extra [csv] keys */
	const char *value;
	const char *want; /* normalised, or NULL: an error */
};

static const struct value_case decimal_cases[] = {
	{ "", "2.0", "2.0" },
	{ "", "1,234.50", "1234.50" },
	{ "", "1,234,567.5", "1234567.5" },
	{ "", "-3", "-3" },
	{ "", "+4", "4" },
	{ "", ".5", "0.5" },
	{ "", "007", "007" },
	{ "", "1234,5", NULL },
	{ "", "1,23", NULL },
	{ "", "1.2.3", NULL },
	{ "", "2.", NULL },
	{ "", "abc", NULL },
	{ "", "1e3", NULL },
	{ "", "-", NULL },
	{ "decimal = ,\n", "1.234,50", "1234.50" },
	{ "decimal = ,\n", "2,5", "2.5" },
	{ "decimal = ,\n", "1.234", "1234" },
	{ "decimal = ,\n", "1.234.567,891", "1234567.891" },
	{ "decimal = ,\n", "2.0", NULL },
	{ "decimal = ,\n", "12.34,5", NULL },
	{ "decimal = ,\n", "1,", NULL },
	{ "decimal = ,\n", "1,5,0", NULL },
};

START_TEST(decimals)
{
	const struct value_case *c = &decimal_cases[_i];
	/* "delimiter = ;" is an empty value (a comment): use the name */
	char *text = xasprintf("[csv]\ndelimiter = semicolon\norder_number = 1\nheader = no\n%s"
			       "[fields]\nline.quantity = 2\nline.unitPrice = 3\n"
			       "[constants]\ncurrency = USD\nline.unitOfMeasure = EA\n",
			       c->csv_section);
	struct csv_map *m = map_text(text);
	char *data = xasprintf("A1;1;%s\n", c->value);
	struct result r = run(m, data, strlen(data), "d.csv");
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.n, 1);
	if (c->want) {
		char *want = xasprintf("<field name=\"line.unitPrice\">%s</field>", c->want);
		ck_assert_msg(r.o[0].error == NULL, "%s: %s", c->value, r.o[0].error);
		assert_has(r.o[0].xml.data, want);
		free(want);
	} else {
		ck_assert_msg(r.o[0].error != NULL, "\"%s\" was accepted:\n%s", c->value,
			      r.o[0].xml.data);
		char *want = xasprintf("d.csv: row 1, column 3 (line.unitPrice): \"%s\" is not a "
				       "number for line.unitPrice",
				       c->value);
		assert_has(r.o[0].error, want);
		free(want);
	}
	result_free(&r);
	csv_map_free(m);
	free(data);
	free(text);
}
END_TEST

static const struct value_case date_cases[] = {
	{ "date_format = DD.MM.YYYY\n", "03.02.2025", "2025-02-03" },
	{ "date_format = DD.MM.YYYY\n", "3.2.2025", "2025-02-03" },
	{ "date_format = DD.MM.YYYY\n", "29.02.2024", "2024-02-29" },
	{ "date_format = DD.MM.YYYY\n", "03.02.2025 14:30", "2025-02-03 14:30:00" },
	{ "date_format = DD.MM.YYYY\n", "03.02.2025 14:30:05", "2025-02-03 14:30:05" },
	{ "date_format = DD.MM.YYYY\n", "29.02.2023", NULL },
	{ "date_format = DD.MM.YYYY\n", "31.04.2025", NULL },
	{ "date_format = DD.MM.YYYY\n", "2025-02-03", NULL },
	{ "date_format = DD.MM.YYYY\n", "03.02.25", NULL },
	{ "date_format = DD.MM.YYYY\n", "03.02.2025 25:00", NULL },
	{ "date_format = DD.MM.YYYY\n", "03.02.2025x", NULL },
	{ "date_format = MM/DD/YYYY\n", "01/15/2025", "2025-01-15" },
	{ "date_format = MM/DD/YYYY\n", "15/01/2025", NULL },
	{ "date_format = YYYY-MM-DD\n", "2025-01-15", "2025-01-15" },
	{ "date_format = YYYYMMDD\n", "20250115", "2025-01-15" },
	{ "", "2025-01-15T10:00:00Z", "2025-01-15T10:00:00Z" },
};

START_TEST(dates)
{
	const struct value_case *c = &date_cases[_i];
	char *text = xasprintf("[csv]\ndelimiter = semicolon\norder_number = 1\nheader = no\n%s"
			       "[fields]\nline.quantity = 2\nline.requestedDeliveryDate = 3\n"
			       "orderDate = 3\n"
			       "[constants]\ncurrency = USD\nline.unitOfMeasure = EA\n"
			       "line.unitPrice = 1\n",
			       c->csv_section);
	struct csv_map *m = map_text(text);
	char *data = xasprintf("A1;1;%s\n", c->value);
	struct result r = run(m, data, strlen(data), "d.csv");
	ck_assert_int_eq(r.rc, 0);
	if (c->want) {
		ck_assert_msg(r.o[0].error == NULL, "%s: %s", c->value, r.o[0].error);
		char *w1 = xasprintf("<field name=\"orderDate\">%s</field>", c->want);
		char *w2 = xasprintf("<field name=\"line.requestedDeliveryDate\">%s</field>", c->want);
		assert_has(r.o[0].xml.data, w1);
		assert_has(r.o[0].xml.data, w2);
		free(w1);
		free(w2);
	} else {
		ck_assert_msg(r.o[0].error != NULL, "\"%s\" was accepted", c->value);
		assert_has(r.o[0].error, "d.csv: row 1, column 3 (");
		assert_has(r.o[0].error, "is not a date in the form");
	}
	result_free(&r);
	csv_map_free(m);
	free(data);
	free(text);
}
END_TEST

START_TEST(line_numbers)
{
	struct csv_map *m = map_text("[csv]\norder_number = po\nline_number_base = 0\n"
				     "[fields]\nline.number = n\nline.quantity = qty\n"
				     "[constants]\ncurrency = EUR\nline.unitOfMeasure = EA\n"
				     "line.unitPrice = 1\n");
	const char *data = "po,n,qty\n1,0,1\n1,1,1\n2,x,1\n3,-1,1\n";
	struct result r = run(m, data, strlen(data), "n.csv");
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.n, 3);
	assert_has(r.o[0].xml.data, "<field name=\"line.number\">1</field>");
	assert_has(r.o[0].xml.data, "<field name=\"line.number\">2</field>");
	assert_has(r.o[1].error, "n.csv: row 4, column 2 (n): \"x\" is not a line number (0-based");
	assert_has(r.o[2].error, "\"-1\" is not a line number");
	result_free(&r);
	csv_map_free(m);

	m = map_text("[csv]\norder_number = po\n"
		     "[fields]\nline.number = n\nline.quantity = qty\n"
		     "[constants]\ncurrency = EUR\nline.unitOfMeasure = EA\nline.unitPrice = 1\n");
	data = "po,n,qty\n1,0,1\n1,10,1\n";
	r = run(m, data, strlen(data), "n.csv");
	assert_has(r.o[0].error, "n.csv: row 2, column 2 (n): \"0\" is not a line number (1-based");
	result_free(&r);
	/* the same rows twice (two exports concatenated, header repeated) */
	data = "po,n,qty\n1,1,1\n1,2,1\npo,n,qty\n1,1,1\n2,1,1\n";
	r = run(m, data, strlen(data), "n.csv");
	ck_assert_int_eq(r.n, 2);
	ck_assert_str_eq(r.o[0].error, "n.csv: row 5, column 2 (n): line number 1 is already on "
				       "row 2 of this order (the same rows twice?)");
	ck_assert_ptr_null(r.o[1].error);
	result_free(&r);
	csv_map_free(m);
}
END_TEST

/* ------------------------------------------------------------------ */
/* constants, order fields, grouping                                  */
/* ------------------------------------------------------------------ */

START_TEST(constants_fill_gaps)
{
	struct csv_map *m = map_text("[csv]\norder_number = po\n"
				     "[fields]\nline.quantity = qty\nline.unitOfMeasure = uom\n"
				     "currency = cur\nline.unitPrice = price\n"
				     "[constants]\ncurrency = USD\nline.unitOfMeasure = EA\n"
				     "line.unitPrice = 1,234.5\nfrom.domain = CSV\n"
				     "extrinsic.source = test & <co>\n");
	const char *data = "po,qty,uom,cur,price\n1,1,BX,EUR,2\n1,2,,,\n";
	struct result r = run(m, data, strlen(data), "c.csv");
	ck_assert_int_eq(r.rc, 0);
	ck_assert_msg(r.o[0].error == NULL, "%s", r.o[0].error);
	const char *x = r.o[0].xml.data;
	assert_has(x, "<field name=\"currency\">EUR</field>");
	assert_has(x, "<field name=\"from.domain\">CSV</field>");
	assert_has(x, "<field name=\"extrinsic.source\">test &amp; &lt;co&gt;</field>");
	/* row 2: values from the columns; row 3: from the constants */
	assert_has(x, "<line row=\"2\">\n    <field name=\"line.quantity\">1</field>\n"
		      "    <field name=\"line.unitOfMeasure\">BX</field>\n"
		      "    <field name=\"line.unitPrice\">2</field>\n  </line>");
	assert_has(x, "<line row=\"3\">\n    <field name=\"line.quantity\">2</field>\n"
		      "    <field name=\"line.unitOfMeasure\">EA</field>\n"
		      "    <field name=\"line.unitPrice\">1234.5</field>\n  </line>");
	result_free(&r);
	csv_map_free(m);
}
END_TEST

START_TEST(order_fields_must_agree)
{
	struct csv_map *m = map_text(BASE_CSV BASE_FIELDS "[fields]\norderDate = date\n");
	const char *data = "po,desc,qty,price,date\n1,a,1,1,2025-01-01\n1,b,1,1,\n"
			   "1,c,1,1,2025-01-02\n2,d,1,1,2025-01-01\n";
	struct result r = run(m, data, strlen(data), "a.csv");
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.n, 2);
	assert_has(r.o[0].error, "a.csv: row 4, column 5 (date): orderDate \"2025-01-02\" differs "
				 "from \"2025-01-01\" on row 2 of the same order");
	ck_assert_ptr_null(r.o[1].error);
	result_free(&r);
	csv_map_free(m);
}
END_TEST

/* a shipment feed's rows of one shipment (order and shipment ID) must agree
 * on the shipment's date, carrier and tracking: the message speaks of the
 * shipment, its line and what to do (it said "of the same order") */
START_TEST(shipment_fields_must_agree)
{
	struct csv_map *m = map_file("maps/csv/shipments.ini");
	const char *data = "order,line,shipped,ship_date,carrier,tracking,shipment\n"
			   "B-1,1,3,2026-06-01,DHL,JJD1,F-1\n"
			   "B-1,2,2,2026-06-02,DHL,JJD1,F-1\n"
			   "B-1,1,1,2026-06-01,UPS,1Z,F-2\n"
			   "B-1,1,1,2026-06-01,UPS,1Z,F-2\n";
	struct result r = run(m, data, strlen(data), "feed.csv");
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.n, 2);
	ck_assert_str_eq(r.o[0].error,
			 "feed.csv: row 3, column 4 (ship_date): shipment F-1 of order B-1, line 2: "
			 "ship_date \"2026-06-02\" differs from \"2026-06-01\" on row 2 (line 1) of "
			 "the same shipment; a shipment has one ship date, carrier and tracking "
			 "number: give every row of shipment F-1 the same ship_date, or give the "
			 "rows that shipped apart a shipment ID of their own");
	ck_assert_str_eq(r.o[1].error,
			 "feed.csv: row 5, column 2 (line): shipment F-2 of order B-1 lists line 1 "
			 "on row 4 already (the same rows twice?); a shipment lists each line "
			 "once: put the line's whole quantity in one row, or give a second "
			 "shipment of it a shipment ID of its own");
	result_free(&r);
	/* more than one problem: counted for the shipment */
	data = "order,line,shipped,ship_date,carrier,tracking,shipment\n"
	       "B-1,1,3,2026-06-01,DHL,JJD1,F-1\n"
	       "B-1,2,2,2026-06-02,UPS,JJD1,F-1\n";
	r = run(m, data, strlen(data), "feed.csv");
	assert_has(r.o[0].error, "(and 1 more problem in this shipment)");
	result_free(&r);
	csv_map_free(m);
}
END_TEST

START_TEST(grouping_by_order_number)
{
	struct csv_map *m = map_file("maps/csv/sap-b1.ini");
	size_t len;
	char *data = file_data("tests/data/csv/sap-b1-malformed.csv", &len);
	struct result r = run(m, data, len, "sap-b1-malformed.csv");
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.n, 2);
	/* in order of first appearance, interleaved rows grouped */
	ck_assert_str_eq(r.o[0].order_number, "410101");
	ck_assert_str_eq(r.o[1].order_number, "410102");
	ck_assert_int_eq(r.o[0].first_row, 2);
	ck_assert_int_eq(r.o[1].first_row, 3);
	ck_assert_int_eq(r.o[0].nlines, 2);
	ck_assert_int_eq(r.o[1].nlines, 2);
	/* the malformed row fails its order only, naming file, row and column */
	ck_assert_str_eq(r.o[0].error,
			 "sap-b1-malformed.csv: row 4, column 7 (OrderedQty): \"2.O\" is not a "
			 "number for line.quantity: not a number (decimal point expected: "
			 "1,234.50)");
	ck_assert_uint_eq(r.o[0].xml.len, 0);
	ck_assert_ptr_null(r.o[1].error);
	assert_has(r.o[1].xml.data, "<line row=\"3\">");
	assert_has(r.o[1].xml.data, "<line row=\"5\">");
	result_free(&r);
	free(data);
	csv_map_free(m);
}
END_TEST

START_TEST(continuation_rows)
{
	/* repeated = no: an empty order number continues the order above */
	struct csv_map *m = map_text("[csv]\norder_number = po\nrepeated = no\n" BASE_FIELDS);
	const char *data = "po,desc,qty,price\n1,a,1,1\n,b,1,1\n2,c,1,1\n,d,1,1\n1,e,1,1\n";
	struct result r = run(m, data, strlen(data), "r.csv");
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.n, 2);
	ck_assert_int_eq(r.o[0].nlines, 3);
	ck_assert_int_eq(r.o[1].nlines, 2);
	assert_has(r.o[0].xml.data, "<line row=\"6\">");
	result_free(&r);
	const char *bad = "po,desc,qty,price\n,a,1,1\n1,b,1,1\n";
	r = run(m, bad, strlen(bad), "r.csv");
	ck_assert_int_eq(r.n, 2);
	ck_assert_ptr_null(r.o[0].order_number);
	assert_has(r.o[0].error, "r.csv: row 2, column 1 (po): no order number");
	result_free(&r);
	csv_map_free(m);
}
END_TEST

START_TEST(digest_ignores_file_and_position)
{
	struct csv_map *m = map_text(BASE_MAP);
	const char *a = "po,desc,qty,price\n1,a,1,1\n2,x,1,1\n";
	const char *b = "po,desc,qty,price\r\n\r\n2,x,1,1\r\n1,\"a\",1,1\r\n";
	const char *c = "po,desc,qty,price\n1,a,2,1\n";
	struct result ra = run(m, a, strlen(a), "a.csv");
	struct result rb = run(m, b, strlen(b), "b.csv");
	struct result rc = run(m, c, strlen(c), "a.csv");
	ck_assert_str_eq(ra.o[0].sha256, rb.o[1].sha256);
	ck_assert_str_eq(ra.o[1].sha256, rb.o[0].sha256);
	ck_assert_str_ne(ra.o[0].sha256, rc.o[0].sha256);
	result_free(&ra);
	result_free(&rb);
	result_free(&rc);
	csv_map_free(m);
}
END_TEST

/* ------------------------------------------------------------------ */
/* encodings                                                          */
/* ------------------------------------------------------------------ */

struct enc_case {
	const char *encoding;
	const char *data;
	size_t len;
	const char *want; /* in the XML, or in *err */
	int rc;
};

static const struct enc_case enc_cases[] = {
	{ "UTF-8", "po,desc,qty,price\n1,K\xC3\xB6ln \xE2\x82\xAC,1,1\n", 0,
	  ">K\xC3\xB6ln \xE2\x82\xAC<", 0 },
	{ "UTF-8", "\xEF\xBB\xBFpo,desc,qty,price\n1,a,1,1\n", 0, "orderNumber=\"1\"", 0 },
	{ "WINDOWS-1252", "\xEF\xBB\xBFpo,desc,qty,price\n1,\xC3\xB6,1,1\n", 0, ">\xC3\xB6<", 0 },
	{ "WINDOWS-1252", "po,desc,qty,price\n1,K\xF6ln \x80 \x96,1,1\n", 0,
	  ">K\xC3\xB6ln \xE2\x82\xAC \xE2\x80\x93<", 0 },
	{ "ISO-8859-1", "po,desc,qty,price\n1,Caf\xE9 \xBD,1,1\n", 0, ">Caf\xC3\xA9 \xC2\xBD<", 0 },
	{ "UTF-8", "\xFF\xFEp\0o\0,\0d\0e\0s\0c\0,\0q\0t\0y\0,\0p\0r\0i\0c\0e\0\n\0"
		   "1\0,\0\xE9\0,\0\x31\0,\0\x31\0\n\0",
	  54, ">\xC3\xA9<", 0 },
	{ "UTF-8", "po,desc,qty,price\n1,a,1,1\n2,K\xF6ln,1,1\n", 0,
	  "u.csv: row 3: byte 0xF6 at offset 29 is not valid UTF-8", -1 },
	{ "UTF-8", "po,desc,qty,price\n1,\xC0\xAF,1,1\n", 0, "byte 0xC0", -1 },
	{ "UTF-8", "po,desc,qty,price\n1,\xED\xA0\x80,1,1\n", 0, "byte 0xED", -1 },
	{ "UTF-8", "po,desc,qty,price\n1,\xEF\xBF\xBF,1,1\n", 0, "byte 0xEF", -1 },
	{ "WINDOWS-1252", "po,desc,qty,price\n1,a\x81,1,1\n", 0,
	  "u.csv: row 2: byte 0x81 at offset 21 is not valid WINDOWS-1252", -1 },
};

START_TEST(encodings)
{
	const struct enc_case *c = &enc_cases[_i];
	char *text = xasprintf("[csv]\norder_number = po\nencoding = %s\n" BASE_FIELDS, c->encoding);
	struct csv_map *m = map_text(text);
	size_t len = c->len ? c->len : strlen(c->data);
	struct result r = run(m, c->data, len, "u.csv");
	ck_assert_msg(r.rc == c->rc, "case %d: rc %d, %s", _i, r.rc, r.err ? r.err : "-");
	if (c->rc < 0) {
		assert_has(r.err, c->want);
	} else {
		ck_assert_msg(r.o[0].error == NULL, "%s", r.o[0].error);
		assert_has(r.o[0].xml.data, c->want);
	}
	result_free(&r);
	csv_map_free(m);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* map errors                                                         */
/* ------------------------------------------------------------------ */

struct map_error_case {
	const char *text;
	const char *want; /* the whole message after the temporary folder */
};

static const struct map_error_case map_errors[] = {
	{ BASE_MAP "line.colour = red\n", "/m.ini:10: unknown field \"line.colour\" in [constants]" },
	{ BASE_CSV "[fields]\nline.quantity = qty\nline.price = p\n",
	  "/m.ini:5: unknown field \"line.price\" in [fields]" },
	{ "[csv]\nseparator = ,\n", "/m.ini:2: unknown key \"separator\" in [csv]" },
	{ "[csv]\norder_number = po\n[mapping]\na = b\n",
	  "/m.ini:4: unknown section [mapping] (csv, fields, constants)" },
	{ "[csv]\ndelimiter = ;\n", "/m.ini:2: empty delimiter (write \"semicolon\"" },
	{ "[csv]\ndelimiter = ab\n", "/m.ini:2: delimiter \"ab\": one printable character" },
	{ "[csv]\nquote = `\n", "/m.ini:2: quote \"`\": \", ' or none" },
	{ "[csv]\nheader = maybe\n", "/m.ini:2: header \"maybe\": yes or no" },
	{ "[csv]\nencoding = KLINGON-8\n", "/m.ini:2: encoding \"KLINGON-8\" is not known to iconv" },
	{ "[csv]\ndecimal = x\n", "/m.ini:2: decimal \"x\": \".\" or \",\"" },
	{ "[csv]\ndate_format = DD.MM.YY\n", "/m.ini:2: date_format \"DD.MM.YY\": DD, MM and YYYY" },
	{ "[csv]\nline_number_base = 2\n", "/m.ini:2: line_number_base \"2\": 0 or 1" },
	{ "[csv]\norder_number = po\n[fields]\norderID = po\n",
	  "/m.ini:4: orderID comes from [csv] order_number, not from [fields]" },
	{ BASE_MAP "[fields]\nline.quantity = q2\n",
	  "/m.ini:11: field \"line.quantity\" given twice in [fields]" },
	{ BASE_MAP "[constants]\nline.unitPrice = 1,5\n",
	  "/m.ini:11: field \"line.unitPrice\": constant \"1,5\": misplaced thousands separator" },
	{ BASE_MAP "[constants]\nline.number = 1\n",
	  "/m.ini:11: line.number cannot be a constant" },
	{ "[csv]\n" BASE_FIELDS, "/m.ini: [csv] order_number is missing" },
	{ "[csv]\norder_number = po\n[fields]\nline.quantity = q\n[constants]\ncurrency = USD\n"
	  "line.unitOfMeasure = EA\n",
	  "/m.ini: no column or constant gives line.unitPrice (every canonical order needs it)" },
	{ "[csv]\nheader = no\norder_number = po\n" BASE_FIELDS,
	  "/m.ini:3: order_number names column \"po\", but header = no: give a column number" },
	{ "[csv]\nheader = no\norder_number = 1\n" BASE_FIELDS,
	  "/m.ini:5: field \"line.description\" names column \"desc\", but header = no" },
	{ "[csv]\norder_number = po\nthis is not a key\n",
	  "/m.ini:3: not a [section] or key = value line" },
	{ "[csv]\n; a comment line that goes on and on and on and on and on and on and on and on "
	  "and on and on and on and on and on and on and on and on and on and on and on and on "
	  "and on and on and on and on and on and on and on and on and on and on and on and on "
	  "and on and on and on\norder_number = po\n",
	  "/m.ini:2: line too long" },
	{ "[csv]\norder_number = 0\n", "/m.ini:2: order_number column 0 out of range" },
	{ "[csv]\nheader = no\norder_number = 1\nsignature = a,b\n[fields]\nline.quantity = 2\n"
	  "[constants]\ncurrency = USD\nline.unitOfMeasure = EA\nline.unitPrice = 1\n",
	  "/m.ini: a signature needs header = yes" },
	{ "[csv]\ndelimiter = \"\norder_number = 1\n", "/m.ini:2: delimiter \"\"\"" },
	{ "[csv]\nsignature = ,\n", "/m.ini:2: empty signature" },
};

START_TEST(map_errors_name_the_line)
{
	const struct map_error_case *c = &map_errors[_i];
	struct csv_map *m = NULL;
	char *err = NULL;
	ck_assert_int_eq(load_map_text("m", c->text, &m, &err), -1);
	ck_assert_ptr_null(m);
	assert_has(err, c->want);
	free(err);
}
END_TEST

START_TEST(shipped_maps_load)
{
	struct csv_map *m = map_file("maps/csv/sap-b1.ini");
	ck_assert_str_eq(csv_map_name(m), "sap-b1");
	csv_map_free(m);
	m = map_file("maps/csv/example-erp.ini");
	ck_assert_str_eq(csv_map_name(m), "example-erp");
	csv_map_free(m);
	char *err = NULL;
	ck_assert_int_eq(csv_map_load("/nonexistent/x.ini", &m, &err), -1);
	assert_has(err, "/nonexistent/x.ini: No such file");
	free(err);
}
END_TEST

/* ------------------------------------------------------------------ */
/* header signature                                                   */
/* ------------------------------------------------------------------ */

START_TEST(header_signature)
{
	struct csv_map *sap = map_file("maps/csv/sap-b1.ini");
	struct csv_map *erp = map_file("maps/csv/example-erp.ini");
	struct csv_map *lat = map_file("tests/data/csv/maps/latin1-tab.ini");
	size_t l1, l2, l3;
	char *d1 = file_data("tests/data/csv/sap-b1-two-orders.csv", &l1);
	char *d2 = file_data("tests/data/csv/erp-export-cp1252.csv", &l2);
	char *d3 = file_data("tests/data/csv/latin1-orders.csv", &l3);
	ck_assert_int_eq(csv_map_matches_header(sap, d1, l1), 1);
	ck_assert_int_eq(csv_map_matches_header(erp, d1, l1), 0);
	ck_assert_int_eq(csv_map_matches_header(erp, d2, l2), 1);
	ck_assert_int_eq(csv_map_matches_header(sap, d2, l2), 0);
	/* no signature: never by header */
	ck_assert_int_eq(csv_map_matches_header(lat, d3, l3), 0);
	ck_assert_int_eq(csv_map_matches_header(sap, "", 0), 0);
	/* columns in another order and case, blank lines first */
	const char *moved = "\n\nBinCode,ponumber,Vendor,cardcode,LineNumber,ItemCode,OrderedQty\n";
	ck_assert_int_eq(csv_map_matches_header(sap, moved, strlen(moved)), 1);
	const char *missing = "poNumber,vendor,CardCode,LineNumber,ItemCode\n";
	ck_assert_int_eq(csv_map_matches_header(sap, missing, strlen(missing)), 0);
	const char *xml = "<?xml version=\"1.0\"?><cXML/>";
	ck_assert_int_eq(csv_map_matches_header(sap, xml, strlen(xml)), 0);
	free(d1);
	free(d2);
	free(d3);
	csv_map_free(sap);
	csv_map_free(erp);
	csv_map_free(lat);
}
END_TEST

START_TEST(detect_by_header)
{
	char *dir = data_path("maps/csv");
	size_t l1, l2, l3;
	char *d1 = file_data("tests/data/csv/sap-b1-two-orders.csv", &l1);
	char *d2 = file_data("tests/data/csv/erp-export-cp1252.csv", &l2);
	char *d3 = file_data("tests/data/csv/latin1-orders.csv", &l3);
	struct csv_map *m = NULL;
	char *err = NULL;
	ck_assert_int_eq(csv_map_detect(dir, d1, l1, &m, &err), 1);
	ck_assert_str_eq(csv_map_name(m), "sap-b1");
	csv_map_free(m);
	ck_assert_int_eq(csv_map_detect(dir, d2, l2, &m, &err), 1);
	ck_assert_str_eq(csv_map_name(m), "example-erp");
	csv_map_free(m);
	ck_assert_int_eq(csv_map_detect(dir, d3, l3, &m, &err), 0);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(csv_map_detect("/nonexistent", d1, l1, &m, &err), 0);

	/* two maps claiming the same header, and a broken map */
	char *tmp = t_tempdir();
	char *a = xasprintf("%s/a.ini", tmp), *b = xasprintf("%s/b.ini", tmp);
	const char *text = "[csv]\norder_number = poNumber\nsignature = poNumber\n"
			   "[fields]\nline.quantity = OrderedQty\n[constants]\ncurrency = USD\n"
			   "line.unitOfMeasure = EA\nline.unitPrice = 0\n";
	t_write_file(a, text, strlen(text));
	t_write_file(b, text, strlen(text));
	ck_assert_int_eq(csv_map_detect(tmp, d1, l1, &m, &err), -1);
	ck_assert_ptr_null(m);
	assert_has(err, "the header matches the signatures of maps a and b");
	free(err);
	t_write_file(b, "[csv]\nnonsense = 1\n", 20);
	ck_assert_int_eq(csv_map_detect(tmp, d1, l1, &m, &err), -1);
	assert_has(err, "/b.ini:2: unknown key \"nonsense\" in [csv]");
	free(err);
	t_rmtree(tmp);
	free(tmp);
	free(a);
	free(b);
	free(d1);
	free(d2);
	free(d3);
	free(dir);
}
END_TEST

/* ------------------------------------------------------------------ */
/* files through the canonical map                                    */
/* ------------------------------------------------------------------ */

START_TEST(sap_b1_to_canonical)
{
	struct csv_map *m = map_file("maps/csv/sap-b1.ini");
	size_t len;
	char *data = file_data("tests/data/csv/sap-b1-two-orders.csv", &len);
	struct result r = run(m, data, len, "sap-b1-two-orders.csv");
	ck_assert_msg(r.rc == 0, "%s", r.err ? r.err : "?");
	ck_assert_int_eq(r.n, 2);
	ck_assert_int_eq(r.o[0].nlines, 3);
	ck_assert_int_eq(r.o[1].nlines, 2);
	struct order_info info;
	xmlDocPtr c = to_canonical(&r.o[0], &info);
	assert_xp(c, "/order/source/@format", "csv");
	assert_xp(c, "/order/source/@documentType", "CSV");
	assert_xp(c, "/order/source/@payloadID", "sap-b1:410021");
	assert_xp(c, "/order/sender/@domain", "CSV");
	assert_xp(c, "/order/sender/@identity", "sap-b1");
	assert_xp(c, "/order/to/@domain", "SAP-B1-CardCode");
	assert_xp(c, "/order/to/@identity", "V000417");
	assert_xp(c, "/order/orderID", "410021");
	assert_xp(c, "/order/orderDate", "2026-01-01T00:00:00+00:00");
	assert_xp(c, "/order/currency", "USD");
	assert_xp(c, "/order/extrinsics/extrinsic[@name='vendor']", "KESTREL ENGINES INC (USD)");
	assert_xp(c, "count(/order/lines/line)", "3");
	assert_xp(c, "/order/lines/line[1]/@number", "1");
	assert_xp(c, "/order/lines/line[3]/@number", "3");
	assert_xp(c, "/order/lines/line[3]/supplierPartID", "7730987-KST");
	assert_xp(c, "/order/lines/line[3]/quantity", "9");
	assert_xp(c, "/order/lines/line[3]/unitPrice", "0.00");
	assert_xp(c, "/order/summary/total", "0.00");
	ck_assert_str_eq(info.payload_id, "sap-b1:410021");
	canon_info_release(&info);
	xmlFreeDoc(c);
	c = to_canonical(&r.o[1], &info);
	assert_xp(c, "/order/lines/line[1]/description", "O-RING 1/2\"");
	assert_xp(c, "/order/lines/line[1]/quantity", "12");
	canon_info_release(&info);
	xmlFreeDoc(c);
	result_free(&r);
	free(data);
	csv_map_free(m);
}
END_TEST

START_TEST(erp_cp1252_to_canonical)
{
	struct csv_map *m = map_file("maps/csv/example-erp.ini");
	size_t len;
	char *data = file_data("tests/data/csv/erp-export-cp1252.csv", &len);
	struct result r = run(m, data, len, "erp-export-cp1252.csv");
	ck_assert_msg(r.rc == 0, "%s", r.err ? r.err : "?");
	ck_assert_int_eq(r.n, 2);
	ck_assert_msg(r.o[0].error == NULL, "%s", r.o[0].error);
	ck_assert_int_eq(r.o[0].nlines, 3);
	/* row numbers are physical lines: the quoted comment spans two */
	assert_has(r.o[0].xml.data, "<line row=\"4\">");
	assert_has(r.o[0].xml.data, "<line row=\"5\">");
	assert_has(r.o[1].xml.data, "<line row=\"7\">");
	struct order_info info;
	xmlDocPtr c = to_canonical(&r.o[0], &info);
	assert_xp(c, "/order/source/@payloadID", "example-erp:4500012345");
	assert_xp(c, "/order/from/@identity", "example-erp");
	assert_xp(c, "/order/to/@domain", "SupplierID");
	assert_xp(c, "/order/to/@identity", "100200");
	assert_xp(c, "/order/orderDate", "2025-02-03T00:00:00+00:00");
	assert_xp(c, "/order/currency", "EUR");
	assert_xp(c, "/order/parties/party[@role='shipTo']/name", "Werk 2; Tor 4");
	assert_xp(c, "/order/parties/party[@role='shipTo']/city", "K\xC3\xB6ln");
	assert_xp(c, "/order/parties/party[@role='shipTo']/postalCode", "50667");
	assert_xp(c, "/order/parties/party[@role='shipTo']/country/@code", "DE");
	assert_xp(c, "/order/comments/comment", "Bitte anliefern zwischen 8 und 12 Uhr");
	assert_xp(c, "/order/extrinsics/extrinsic[@name='CostCenter']", "CC-100");
	assert_xp(c, "/order/lines/line[1]/description", "Schraube \"M8\" verzinkt");
	assert_xp(c, "/order/lines/line[1]/unitPrice", "1234.50");
	assert_xp(c, "/order/lines/line[1]/amount", "12345.00");
	assert_xp(c, "/order/lines/line[1]/requestedDeliveryDate", "2025-02-10");
	assert_xp(c, "/order/lines/line[2]/description",
		  "Mutter M8 \xE2\x80\x93 Edelstahl");
	assert_xp(c, "/order/lines/line[2]/quantity", "2.5");
	assert_xp(c, "/order/lines/line[2]/unitOfMeasure", "BX");
	assert_xp(c, "/order/lines/line[2]/amount", "30.00");
	assert_xp(c, "/order/lines/line[3]/description", "=HYPERLINK(\"http://x.example\")");
	assert_xp(c, "/order/summary/subtotal", "12375.99");
	canon_info_release(&info);

	/* and out again: the formula is neutralised, the quotes doubled */
	xsltStylesheetPtr s = sheet("canonical-to-csv-order.xsl");
	char *err = NULL;
	xmlDocPtr out = xform_apply(s, c, NULL, 0, &err);
	ck_assert_msg(out != NULL, "%s", err ? err : "?");
	struct buf b = BUF_INIT;
	ck_assert_int_eq(xform_serialize(s, out, &b), 0);
	assert_has(b.data, ",\"'=HYPERLINK(\"\"http://x.example\"\")\",1,EA,0.99,0.99,2025-02-28,"
			   "Werk 2; Tor 4,K\xC3\xB6ln,DE\r\n");
	assert_has(b.data, "4500012345,2025-02-03T00:00:00+00:00,EUR,1,A-100,,\"Schraube \"\"M8\"\" verzinkt\","
			   "10,EA,1234.50,12345.00,2025-02-10,");
	buf_release(&b);
	xmlFreeDoc(out);
	xmlFreeDoc(c);

	c = to_canonical(&r.o[1], &info);
	assert_xp(c, "/order/lines/line[1]/description", "Preisschild \xE2\x82\xAC");
	assert_xp(c, "/order/lines/line[1]/quantity", "1500");
	assert_xp(c, "/order/lines/line[1]/amount", "75.00");
	assert_xp(c, "count(/order/comments/comment)", "0");
	canon_info_release(&info);
	xmlFreeDoc(c);
	result_free(&r);
	free(data);
	csv_map_free(m);
}
END_TEST

START_TEST(latin1_to_canonical)
{
	struct csv_map *m = map_file("tests/data/csv/maps/latin1-tab.ini");
	size_t len;
	char *data = file_data("tests/data/csv/latin1-orders.csv", &len);
	struct result r = run(m, data, len, "latin1-orders.csv");
	ck_assert_msg(r.rc == 0, "%s", r.err ? r.err : "?");
	ck_assert_int_eq(r.n, 2);
	struct order_info info;
	xmlDocPtr c = to_canonical(&r.o[0], &info);
	assert_xp(c, "/order/source/@payloadID", "latin1-tab:7001");
	assert_xp(c, "/order/from/@identity", "latin1-buyer");
	assert_xp(c, "/order/orderDate", "2025-01-15T00:00:00+00:00");
	assert_xp(c, "count(/order/lines/line)", "2");
	assert_xp(c, "/order/lines/line[1]/description", "Caf\xC3\xA9 cr\xC3\xA8me 1kg");
	assert_xp(c, "/order/lines/line[1]/unitPrice", "1234.50");
	assert_xp(c, "/order/lines/line[2]/@number", "2");
	assert_xp(c, "/order/lines/line[2]/description",
		  "Th\xC3\xA9 \xC3\xA0 la menthe \xC2\xBD kg");
	canon_info_release(&info);
	xmlFreeDoc(c);
	c = to_canonical(&r.o[1], &info);
	assert_xp(c, "/order/orderDate", "2024-02-29T00:00:00+00:00");
	assert_xp(c, "/order/lines/line[1]/unitOfMeasure", "BX");
	canon_info_release(&info);
	xmlFreeDoc(c);
	result_free(&r);
	free(data);
	csv_map_free(m);
}
END_TEST

START_TEST(canonical_map_needs_an_order_date)
{
	struct csv_map *m = map_text(BASE_MAP);
	const char *data = "po,desc,qty,price\n1,a,1,1\n";
	struct result r = run(m, data, strlen(data), "t.csv");
	char *err = NULL;
	xmlDocPtr in = xmlsafe_parse(r.o[0].xml.data, r.o[0].xml.len, &err);
	ck_assert_ptr_nonnull(in);
	xmlsafe_errors_reset();
	xmlDocPtr c = xform_apply(sheet("csv-to-canonical.xsl"), in, NULL, 0, &err);
	ck_assert_ptr_null(c);
	assert_has(err, "CSV order 1 (t.csv, map t): no orderDate");
	free(err);
	xmlFreeDoc(in);
	result_free(&r);
	csv_map_free(m);
}
END_TEST

/* ------------------------------------------------------------------ */
/* outbound CSV                                                       */
/* ------------------------------------------------------------------ */

START_TEST(outbound_order_valid_1)
{
	char *t = apply_text("canonical-to-csv-order.xsl", "tests/data/schema/valid-1.xml");
	ck_assert_str_eq(t,
		"orderID,orderDate,currency,lineNumber,supplierPartID,buyerPartID,description,"
		"quantity,unitOfMeasure,unitPrice,amount,requestedDeliveryDate,shipToName,"
		"shipToCity,shipToCountry\r\n"
		"myorder-1,2022-09-14T16:12:13+00:00,USD,1,5555,KD5555,Excelsior Desk Chair,3,EA,"
		"763.20,2289.60,,Acme,Sunnyvale,US\r\n"
		"myorder-1,2022-09-14T16:12:13+00:00,USD,2,666,KD666,Other Desk Chair,5,EA,226.20,"
		"1131.00,,Acme,Sunnyvale,US\r\n");
	free(t);
	t = apply_text("canonical-to-csv-confirmation.xsl", "tests/data/schema/valid-1.xml");
	ck_assert_str_eq(t, "orderID,lineNumber,status,quantity,reason\r\n"
			    "myorder-1,1,accepted,3,\r\n"
			    "myorder-1,2,accepted,5,\r\n");
	free(t);
}
END_TEST

START_TEST(outbound_order_valid_2)
{
	char *t = apply_text("canonical-to-csv-order.xsl", "tests/data/schema/valid-2.xml");
	/* a description with a line break is quoted; the line's shipTo wins */
	assert_has(t, "PO-77,2026-05-06,EUR,1,,,\"B\xC3\xBCrostuhl schwarz\nOffice chair "
		      "\xE2\x80\x93 black\",2,EA,500,1000.00,2026-06-01T08:00:00+00:00,"
		      "Warehouse 9,K\xC3\xB6ln,DE\r\n");
	assert_has(t, "PO-77,2026-05-06,EUR,2,X-2,B-2,Screws,15,BX,15.666,234.99,,No postal,,\r\n");
	free(t);
	t = apply_text("canonical-to-csv-confirmation.xsl", "tests/data/schema/valid-2.xml");
	ck_assert_str_eq(t, "orderID,lineNumber,status,quantity,reason\r\n"
			    "PO-77,1,accepted,2,\r\n"
			    "PO-77,2,backordered,10,5 boxes ship in June\r\n");
	free(t);
}
END_TEST

START_TEST(outbound_quoting_and_formulas)
{
	char *t = apply_text("canonical-to-csv-order.xsl", "tests/data/csv/formula-order.xml");
	/* text cells starting with = + - @ TAB get an apostrophe; numbers (even
	 * negative ones) stay as they are; quotes doubled, commas and line
	 * breaks quoted */
	assert_has(t, "\r\n\"PO,\"\"7\"\"\",2025-02-03,EUR,1,'+49-123,'-5,"
		      "\"'=HYPERLINK(\"\"http://x.example\"\",\"\"click\"\")\",10,EA,-1.50,-15.00,,"
		      "'@SUM(A1:A9),'\tK\xC3\xB6ln,DE\r\n");
	assert_has(t, "\"PO,\"\"7\"\"\",2025-02-03,EUR,2,A-1,,\"two\nlines, one \"\"quote\"\"\",1,"
		      "EA,2,2.00,,");
	free(t);
	t = apply_text("canonical-to-csv-confirmation.xsl", "tests/data/csv/formula-order.xml");
	ck_assert_str_eq(t, "orderID,lineNumber,status,quantity,reason\r\n"
			    "\"PO,\"\"7\"\"\",1,rejected,10,\"'-negative prices, \"\"really\"\"\"\r\n"
			    "\"PO,\"\"7\"\"\",2,rejected,1,\"'-negative prices, \"\"really\"\"\"\r\n");
	free(t);
}
END_TEST

START_TEST(outbound_refuses_held_orders)
{
	size_t len;
	char *data = file_data("tests/data/schema/valid-1.xml", &len);
	char *err = NULL;
	xmlDocPtr in = xmlsafe_parse(data, len, &err);
	ck_assert_ptr_nonnull(in);
	xmlXPathContextPtr ctx = xmlXPathNewContext(in);
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)"/order/decision", ctx);
	xmlSetProp(r->nodesetval->nodeTab[0], (const xmlChar *)"action", (const xmlChar *)"hold");
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	xmlsafe_errors_reset();
	xmlDocPtr out = xform_apply(sheet("canonical-to-csv-confirmation.xsl"), in, NULL, 0, &err);
	ck_assert_ptr_null(out);
	assert_has(err, "on hold");
	free(err);
	xmlFreeDoc(in);
	free(data);
}
END_TEST

Suite *suite_csv(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("read");
	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_loop_test(tc, parse_edge_cases, 0, (int)ARRAY_SIZE(parse_cases));
	tcase_add_loop_test(tc, decimals, 0, (int)ARRAY_SIZE(decimal_cases));
	tcase_add_loop_test(tc, dates, 0, (int)ARRAY_SIZE(date_cases));
	tcase_add_test(tc, line_numbers);
	tcase_add_test(tc, constants_fill_gaps);
	tcase_add_test(tc, order_fields_must_agree);
	tcase_add_test(tc, shipment_fields_must_agree);
	tcase_add_test(tc, grouping_by_order_number);
	tcase_add_test(tc, continuation_rows);
	tcase_add_test(tc, digest_ignores_file_and_position);
	tcase_add_loop_test(tc, encodings, 0, (int)ARRAY_SIZE(enc_cases));
	tcase_add_loop_test(tc, map_errors_name_the_line, 0, (int)ARRAY_SIZE(map_errors));
	tcase_add_test(tc, shipped_maps_load);
	tcase_add_test(tc, header_signature);
	tcase_add_test(tc, detect_by_header);
	suite_add_tcase(s, tc);

	tc = tcase_create("canonical");
	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_test(tc, sap_b1_to_canonical);
	tcase_add_test(tc, erp_cp1252_to_canonical);
	tcase_add_test(tc, latin1_to_canonical);
	tcase_add_test(tc, canonical_map_needs_an_order_date);
	tcase_add_test(tc, outbound_order_valid_1);
	tcase_add_test(tc, outbound_order_valid_2);
	tcase_add_test(tc, outbound_quoting_and_formulas);
	tcase_add_test(tc, outbound_refuses_held_orders);
	suite_add_tcase(s, tc);
	return s;
}
