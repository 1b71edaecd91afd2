/*
 * canon: normalise, compute and validate a canonical order in place.
 * These tests feed canonical documents directly (no map involved).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xpath.h>

#include "canon.h"
#include "rules.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"
#include "xmlsafe.h"

/* string(expr) over doc (caller frees). */
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

static xmlDocPtr read_doc(const char *xml)
{
	xmlDocPtr d = xmlReadMemory(xml, (int)strlen(xml), "canonical", NULL, XMLSAFE_OPTIONS);
	ck_assert_ptr_nonnull(d);
	return d;
}

/* Runs canon_complete on a canonical order; returns its rc. */
static int complete(const char *currency, const char *header, const char *date,
		    const char *lines, const char *zone, xmlDocPtr *doc, struct order_info *info,
		    char **err)
{
	char *xml = t_canonical(currency, header, date, lines);
	*doc = read_doc(xml);
	free(xml);
	*err = NULL;
	return canon_complete(*doc, zone, info, err);
}

START_TEST(normalises_fields)
{
	char *l1 = t_canon_line("1", " 3 ", " 0.1 ", " usd ");
	xmlDocPtr doc;
	struct order_info info;
	char *err;
	int rc = complete(" usd ", "<total>0.3</total>", " 2024-03-01 10:00:00 ", l1, "+00:00",
			  &doc, &info, &err);
	ck_assert_msg(rc == 0, "canon_complete: %s", err ? err : "?");
	assert_xp(doc, "/order/currency", "USD");
	assert_xp(doc, "/order/total", "0.30");
	assert_xp(doc, "/order/orderDate", "2024-03-01T10:00:00+00:00");
	assert_xp(doc, "/order/orderDate/@zoneAssumed", "true");
	assert_xp(doc, "/order/source/@timestamp", "2024-03-01T10:00:00+00:00");
	assert_xp(doc, "count(/order/source/@timestampZoneAssumed)", "0");
	assert_xp(doc, "/order/lines/line/quantity", "3");
	assert_xp(doc, "/order/lines/line/unitPrice", "0.10");
	assert_xp(doc, "/order/lines/line/unitPrice/@currency", "USD");
	assert_xp(doc, "/order/lines/line/unitOfMeasure", "EA");
	assert_xp(doc, "/order/lines/line/amount", "0.30");
	assert_xp(doc, "name(/order/lines/line/*[last()])", "amount");
	assert_xp(doc, "name(/order/lines/following-sibling::*[1])", "summary");
	assert_xp(doc, "/order/summary/subtotal", "0.30");
	assert_xp(doc, "/order/summary/shipping", "0.00");
	assert_xp(doc, "/order/summary/tax", "0.00");
	assert_xp(doc, "/order/summary/discount", "0.00");
	assert_xp(doc, "/order/summary/total", "0.30");
	/* the one warning: the order date's zone was assumed */
	assert_xp(doc, "count(/order/warning)", "1");
	assert_xp(doc, "/order/warning/@code", "zone-assumed");

	ck_assert_str_eq(info.currency, "USD");
	ck_assert_str_eq(info.payload_id, "p-1");
	ck_assert_str_eq(info.order_id, "PO-1");
	ck_assert_str_eq(info.order_date, "2024-03-01T10:00:00+00:00");
	ck_assert_str_eq(info.format, "cxml");
	ck_assert_str_eq(info.mode, "production");
	ck_assert_str_eq(info.sender_identity, "Buyer1");
	ck_assert_str_eq(info.to_domain, "DUNS");
	ck_assert_str_eq(info.type, "new");
	ck_assert_ptr_null(info.previous_payload_id);
	ck_assert_int_eq(info.nlines, 1);
	ck_assert_int_eq(info.lines[0].number, 1);
	ck_assert_int_eq(info.lines[0].quantity, 30000);
	ck_assert_int_eq(info.lines[0].unit_price, 1000);
	ck_assert_int_eq(info.lines[0].amount, 3000);
	ck_assert_str_eq(info.lines[0].uom, "EA");
	ck_assert_str_eq(info.lines[0].supplier_part, "P-1");
	ck_assert_str_eq(info.lines[0].description, "Widget 1");
	ck_assert_int_eq(info.subtotal, 3000);
	ck_assert_int_eq(info.total, 3000);
	ck_assert_int_eq(info.has_stated_total, 1);
	ck_assert_int_eq(info.stated_total, 3000);
	ck_assert_int_eq(info.nwarnings, 1);
	canon_info_release(&info);
	ck_assert_ptr_null(info.lines);
	xmlFreeDoc(doc);
	free(l1);
}
END_TEST

START_TEST(assumed_zone_is_configurable)
{
	char *l1 = t_canon_line("1", "1", "1", NULL);
	xmlDocPtr doc;
	struct order_info info;
	char *err;
	ck_assert_int_eq(complete("EUR", "", "2024-03-01T10:00", l1, "-05:00", &doc, &info, &err),
			 0);
	assert_xp(doc, "/order/orderDate", "2024-03-01T10:00:00-05:00");
	assert_xp(doc, "/order/orderDate/@zoneAssumed", "true");
	/* ... and said, with the value as sent and the zone taken */
	assert_xp(doc, "count(/order/warning[@code = 'zone-assumed'])", "1");
	ck_assert_msg(strstr(info.warnings[0], "/order/orderDate \"2024-03-01T10:00\"") &&
			      strstr(info.warnings[0], "taken to be in -05:00"),
		      "%s", info.warnings[0]);
	ck_assert_int_eq(info.has_stated_total, 0);
	canon_info_release(&info);
	xmlFreeDoc(doc);

	/* a zone that was sent is kept and not flagged */
	ck_assert_int_eq(complete("EUR", "", "2024-03-01T10:00:00+09:00", l1, "-05:00", &doc,
				  &info, &err), 0);
	assert_xp(doc, "/order/orderDate", "2024-03-01T10:00:00+09:00");
	assert_xp(doc, "count(/order/orderDate/@zoneAssumed)", "0");
	assert_xp(doc, "count(/order/warning)", "0");
	canon_info_release(&info);
	xmlFreeDoc(doc);

	/* an order date given as a date only: every outbound document states
	 * it as a date-time with a zone (cXML %datetime.tz), so it is taken as
	 * 00:00 in the assumed zone, flagged and said like a missing zone */
	ck_assert_int_eq(complete("EUR", "", "2024-03-01", l1, "-05:00", &doc, &info, &err), 0);
	assert_xp(doc, "/order/orderDate", "2024-03-01T00:00:00-05:00");
	assert_xp(doc, "/order/orderDate/@zoneAssumed", "true");
	assert_xp(doc, "count(/order/warning[@code = 'zone-assumed'])", "1");
	ck_assert_msg(strstr(info.warnings[0], "/order/orderDate \"2024-03-01\"") &&
			      strstr(info.warnings[0], "a date alone: at 00:00") &&
			      strstr(info.warnings[0], "taken to be in -05:00"),
		      "%s", info.warnings[0]);
	ck_assert_str_eq(info.order_date, "2024-03-01T00:00:00-05:00");
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(l1);
}
END_TEST

START_TEST(timestamp_zone_assumed_on_element)
{
	char *l1 = t_canon_line("1", "1", "1", NULL);
	char *xml = t_canonical("USD", "", "2024-03-01", l1);
	/* source/@timestamp without zone */
	char *p = strstr(xml, "timestamp=\"2024-03-01T10:00:00Z\"");
	ck_assert_ptr_nonnull(p);
	memcpy(p, "timestamp=\"2024-03-01T10:00:00 \"", 32);
	xmlDocPtr doc = read_doc(xml);
	struct order_info info;
	char *err = NULL;
	int rc = canon_complete(doc, "+01:00", &info, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	assert_xp(doc, "/order/source/@timestamp", "2024-03-01T10:00:00+01:00");
	assert_xp(doc, "/order/source/@timestampZoneAssumed", "true");
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(xml);
	free(l1);
}
END_TEST

static const struct {
	const char *currency, *quantity, *price, *amount;
} amount_cases[] = {
	{ "USD", "3", "0.1", "0.30" },
	{ "USD", "3", "33.333", "100.00" }, /* 99.999 rounds up */
	{ "USD", "3", "33.3333", "100.00" },
	{ "USD", "1", "0.005", "0.01" },    /* half away from zero */
	{ "USD", "1", "0.0049", "0.00" },
	{ "USD", "1", "-1.005", "-1.01" },   /* a credit line rounds away from zero too */
	{ "USD", "0.5", "0.01", "0.01" },    /* 0.005 */
	{ "USD", "2.5", "4.1", "10.25" },
	{ "EUR", "15", "15.666", "234.99" },
	{ "JPY", "3", "33.5", "101" },	     /* no minor unit: 100.5 -> 101 */
	{ "JPY", "1", "1000", "1000" },
	{ "JPY", "2", "0.25", "1" },	     /* 0.5 -> 1 */
	{ "KWD", "3", "0.3335", "1.001" },   /* three decimals: 1.0005 -> 1.001 */
	{ "KWD", "1", "2", "2.000" },
	{ "USD", "1000000", "9999.9999", "9999999900.00" },
	/* the exact product rounded once (it was rounded to four decimals first) */
	{ "USD", "0.3333", "0.015", "0.00" },  /* 0.0049995, not 0.0050 -> 0.01 */
	{ "USD", "0.3333", "-0.015", "0.00" }, /* a credit line: -0.0049995 is 0.00 too */
	{ "USD", "0.3333", "0.0151", "0.01" }, /* 0.00503283 */
	{ "JPY", "0.3333", "1.5", "0" },       /* 0.49995, not 0.5000 -> 1 */
	{ "KWD", "0.3333", "0.0015", "0.000" }, /* 0.00049995, not 0.0005 -> 0.001 */
	{ "EUR", "1.2345", "1.2345", "1.52" }, /* 1.52399025 */
};

START_TEST(line_amounts_exact)
{
	char *l1 = t_canon_line("1", amount_cases[_i].quantity, amount_cases[_i].price, NULL);
	xmlDocPtr doc;
	struct order_info info;
	char *err;
	/* a credit line alone would make the order a credit (refused): a
	 * shipping charge keeps its total above zero */
	int credit = amount_cases[_i].price[0] == '-';
	int rc = complete(amount_cases[_i].currency,
			  credit ? "<shipping><amount>100</amount></shipping>" : "", "2024-03-01", l1,
			  "+00:00", &doc, &info, &err);
	ck_assert_msg(rc == 0, "%s x %s %s: %s", amount_cases[_i].quantity, amount_cases[_i].price,
		      amount_cases[_i].currency, err ? err : "?");
	assert_xp(doc, "/order/lines/line/amount", amount_cases[_i].amount);
	assert_xp(doc, "/order/summary/subtotal", amount_cases[_i].amount);
	if (!credit)
		assert_xp(doc, "/order/summary/total", amount_cases[_i].amount);
	dec_t want;
	ck_assert_int_eq(dec_parse(amount_cases[_i].amount, &want), 0);
	ck_assert_int_eq(info.lines[0].amount, want);
	ck_assert_int_eq(info.total, want + (credit ? 100 * DEC_SCALE : 0));
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(l1);
}
END_TEST

/* Money is written with at least the order currency's decimals, more where
 * the value has more (it was always two: 100.00 JPY, 1.20 BHD). The
 * currency is normalised first (" bhd " is BHD). */
static const struct {
	const char *currency, *price, *want;
} money_cases[] = {
	{ "JPY", "100", "100" },      { "JPY", "100.00", "100" },  { "JPY", "333.4", "333.4" },
	{ "USD", "1.2", "1.20" },     { "USD", "0.0125", "0.0125" }, { "EUR", "3", "3.00" },
	{ "BHD", "1.2", "1.200" },    { "BHD", "0.0125", "0.0125" }, { " bhd ", "7", "7.000" },
	{ "KWD", "-0.5", "-0.500" },
};

START_TEST(money_in_currency_decimals)
{
	char *l1 = t_canon_line("1", "2", money_cases[_i].price, money_cases[_i].currency);
	xmlDocPtr doc;
	struct order_info info;
	char *err;
	/* the stated total and a charge are money too; the charge keeps a
	 * credit line's order above zero */
	char *hdr = xasprintf("<total>%s</total><shipping><amount>1000</amount></shipping>",
			      money_cases[_i].price);
	int rc = complete(money_cases[_i].currency, hdr, "2024-03-01T10:00:00Z", l1, "+00:00",
			  &doc, &info, &err);
	ck_assert_msg(rc == 0, "%s %s: %s", money_cases[_i].price, money_cases[_i].currency,
		      err ? err : "?");
	assert_xp(doc, "/order/lines/line/unitPrice", money_cases[_i].want);
	assert_xp(doc, "/order/total", money_cases[_i].want);
	int cd = currency_decimals(info.currency);
	assert_xp(doc, "/order/shipping/amount", cd == 0 ? "1000" : cd == 2 ? "1000.00" : "1000.000");
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(hdr);
	free(l1);
}
END_TEST

/* cXML types the header's requestedDeliveryDate as %datetime.tz, an item's
 * as %date: a date-only header date is taken as 00:00 in the assumed zone
 * (like the order date), an item's stays a date. */
START_TEST(header_delivery_date_is_a_datetime)
{
	char *l1 = t_canon_line("1", "1", "1", NULL);
	char *end = strstr(l1, "    </line>");
	ck_assert_ptr_nonnull(end);
	char *line = xasprintf("%.*s      <requestedDeliveryDate>2024-03-09</requestedDeliveryDate>\n%s",
			       (int)(end - l1), l1, end);
	char *xml = t_canonical("EUR", "", "2024-03-01T10:00:00+01:00", line);
	char *cur = strstr(xml, "  <currency>");
	ck_assert_ptr_nonnull(cur);
	char *with = xasprintf("%.*s  <requestedDeliveryDate> 2024-03-08 </requestedDeliveryDate>\n%s",
			       (int)(cur - xml), xml, cur);
	xmlDocPtr doc = read_doc(with);
	struct order_info info;
	char *err = NULL;
	int rc = canon_complete(doc, "-05:00", &info, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	assert_xp(doc, "/order/requestedDeliveryDate", "2024-03-08T00:00:00-05:00");
	assert_xp(doc, "/order/requestedDeliveryDate/@zoneAssumed", "true");
	assert_xp(doc, "/order/lines/line/requestedDeliveryDate", "2024-03-09");
	assert_xp(doc, "count(/order/lines/line/requestedDeliveryDate/@zoneAssumed)", "0");
	assert_xp(doc, "count(/order/warning[@code = 'zone-assumed'])", "1");
	ck_assert_msg(strstr(info.warnings[0], "/order/requestedDeliveryDate \"2024-03-08\"") &&
			      !strstr(info.warnings[0], "line"),
		      "%s", info.warnings[0]);
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(with);

	/* a header date with its zone is kept as sent */
	char *zoned = xasprintf("%.*s  <requestedDeliveryDate>2024-03-08T12:00:00+09:00"
				"</requestedDeliveryDate>\n%s",
				(int)(cur - xml), xml, cur);
	doc = read_doc(zoned);
	ck_assert_int_eq(canon_complete(doc, "-05:00", &info, &err), 0);
	assert_xp(doc, "/order/requestedDeliveryDate", "2024-03-08T12:00:00+09:00");
	assert_xp(doc, "count(/order/warning)", "0");
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(zoned);
	free(xml);
	free(line);
	free(l1);
}
END_TEST

/* A header charge goes into the total as stated: it must be an amount
 * the currency has. */
START_TEST(charge_finer_than_currency_refused)
{
	static const struct {
		const char *currency, *header;
		int ok;
	} cases[] = {
		{ "EUR", "<shipping><amount>5.005</amount></shipping>", 0 },
		{ "EUR", "<shipping><amount>5.0000</amount></shipping>", 1 },
		{ "EUR", "<tax><amount>0.001</amount></tax>", 0 },
		{ "EUR", "<discount><amount>0.10</amount></discount>", 1 },
		{ "JPY", "<tax><amount>100.5</amount></tax>", 0 },
		{ "JPY", "<tax><amount>100</amount></tax>", 1 },
		{ "BHD", "<shipping><amount>1.234</amount></shipping>", 1 },
		{ "BHD", "<shipping><amount>1.2345</amount></shipping>", 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *l1 = t_canon_line("1", "1", "1", NULL);
		xmlDocPtr doc;
		struct order_info info;
		memset(&info, 0, sizeof info);
		char *err = NULL;
		int rc = complete(cases[i].currency, cases[i].header, "2024-03-01", l1, "+00:00", &doc,
				  &info, &err);
		ck_assert_msg((rc == 0) == cases[i].ok, "%s %s: %s", cases[i].currency,
			      cases[i].header, err ? err : "accepted");
		if (!cases[i].ok)
			ck_assert_msg(strstr(err, "more decimals than") != NULL, "%s", err);
		free(err);
		canon_info_release(&info);
		xmlFreeDoc(doc);
		free(l1);
	}
}
END_TEST

/* A credit line may lower an order, not make it a credit. */
START_TEST(negative_total_refused)
{
	char *l1 = t_canon_line("1", "1", "2.00", NULL);
	char *l2 = t_canon_line("2", "1", "-2.50", NULL);
	char *lines = xasprintf("%s%s", l1, l2);
	xmlDocPtr doc;
	struct order_info info;
	char *err = NULL;
	ck_assert_int_eq(complete("EUR", "", "2024-03-01", lines, "+00:00", &doc, &info, &err), -1);
	ck_assert_msg(strstr(err, "come to -0.50 EUR, less than nothing") != NULL, "%s", err);
	free(err);
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(lines);
	/* ... and one that still comes to 0 or more is fine */
	char *l3 = t_canon_line("3", "1", "0.50", NULL);
	lines = xasprintf("%s%s%s", l1, l2, l3);
	ck_assert_int_eq(complete("EUR", "", "2024-03-01", lines, "+00:00", &doc, &info, &err), 0);
	ck_assert_int_eq(info.total, 0);
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(lines);
	free(l1);
	free(l2);
	free(l3);
}
END_TEST

START_TEST(summary_adds_charges)
{
	char *l1 = t_canon_line("1", "2", "10.005", NULL); /* 20.01 */
	char *l2 = t_canon_line("2", "1", "0.99", NULL);
	char *lines = xasprintf("%s%s", l1, l2);
	xmlDocPtr doc;
	struct order_info info;
	char *err;
	int rc = complete("USD",
			  "<total>24.50</total>"
			  "<shipping><amount>5</amount><description>freight</description></shipping>"
			  "<tax><amount currency=\" usd\">1.5</amount></tax>"
			  "<discount><amount>3</amount></discount>",
			  "2024-03-01T09:00:00+00:00", lines, "+00:00", &doc, &info, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	assert_xp(doc, "/order/lines/line[1]/amount", "20.01");
	assert_xp(doc, "/order/lines/line[2]/amount", "0.99");
	assert_xp(doc, "/order/summary/subtotal", "21.00");
	assert_xp(doc, "/order/summary/shipping", "5.00");
	assert_xp(doc, "/order/summary/tax", "1.50");
	assert_xp(doc, "/order/summary/discount", "3.00");
	assert_xp(doc, "/order/summary/total", "24.50");
	assert_xp(doc, "/order/shipping/amount", "5.00");
	/* a charge's own currency, when it is the order's, is kept normalised */
	assert_xp(doc, "/order/tax/amount/@currency", "USD");
	/* the stated total equals subtotal + charges: no warning */
	assert_xp(doc, "count(/order/warning)", "0");
	ck_assert_int_eq(info.subtotal, 210000);
	ck_assert_int_eq(info.shipping, 50000);
	ck_assert_int_eq(info.tax, 15000);
	ck_assert_int_eq(info.discount, 30000);
	ck_assert_int_eq(info.total, 245000);
	ck_assert_int_eq(info.nlines, 2);
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(lines);
	free(l1);
	free(l2);
}
END_TEST

START_TEST(total_mismatch_warns)
{
	char *l1 = t_canon_line("1", "3", "0.1", NULL);
	xmlDocPtr doc;
	struct order_info info;
	char *err;
	int rc = complete("USD", "<total>5</total>", "2024-03-01T09:00:00+00:00", l1, "+00:00", &doc, &info, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	ck_assert_int_eq(info.nwarnings, 1);
	ck_assert(str_starts_with(info.warnings[0], "total-mismatch: "));
	ck_assert_ptr_nonnull(strstr(info.warnings[0], "5.00 USD"));
	ck_assert_ptr_nonnull(strstr(info.warnings[0], "0.30 USD"));
	assert_xp(doc, "count(/order/warning)", "1");
	assert_xp(doc, "/order/warning/@code", "total-mismatch");
	assert_xp(doc, "name(/order/summary/following-sibling::*[1])", "warning");
	/* outbound figures are the computed ones */
	assert_xp(doc, "/order/summary/total", "0.30");
	ck_assert_int_eq(info.stated_total, 50000);
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(l1);
}
END_TEST

/* A line's stated amount (statedAmount) is compared exactly with quantity x
 * unit price in the currency's decimals: a difference is a warning naming
 * the line, both amounts and the currency, and the order keeps the computed
 * amount. */
START_TEST(line_amount_mismatch_warns)
{
	const char *lines =
		"<line number=\"1\"><quantity>3</quantity><unitOfMeasure>EA</unitOfMeasure>"
		"<supplierPartID>A</supplierPartID><description>a</description>"
		"<unitPrice>0.3333</unitPrice><statedAmount>1.00</statedAmount></line>"
		"<line number=\"2\"><quantity>2</quantity><unitOfMeasure>EA</unitOfMeasure>"
		"<supplierPartID>B</supplierPartID><description>b</description>"
		"<unitPrice>10.005</unitPrice><statedAmount currency=\"usd\">20.0100</statedAmount>"
		"</line>"
		"<line number=\"7\"><quantity>2</quantity><unitOfMeasure>EA</unitOfMeasure>"
		"<supplierPartID>C</supplierPartID><description>c</description>"
		"<unitPrice>10.005</unitPrice><statedAmount>20.00</statedAmount></line>";
	xmlDocPtr doc;
	struct order_info info;
	char *err;
	int rc = complete("USD", "", "2024-03-01T09:00:00+00:00", lines, "+00:00", &doc, &info, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	/* 3 x 0.3333 = 0.9999 is 1.00 and 2 x 10.005 = 20.01 as stated (20.0100 is
	 * the same amount); line 7 says 20.00 */
	ck_assert_int_eq(info.nwarnings, 1);
	ck_assert_msg(str_starts_with(info.warnings[0], "line-amount-mismatch: line 7 states an "
				      "amount of 20.00 USD but its quantity times unit price, "
				      "2 x 10.005, comes to 20.01 USD; outbound documents carry "
				      "20.01 USD. Ask the sender"),
		      "%s", info.warnings[0]);
	assert_xp(doc, "count(/order/warning)", "1");
	assert_xp(doc, "/order/warning/@code", "line-amount-mismatch");
	assert_xp(doc, "name(/order/summary/following-sibling::*[1])", "warning");
	assert_xp(doc, "/order/lines/line[2]/statedAmount", "20.01");
	assert_xp(doc, "/order/lines/line[2]/statedAmount/@currency", "USD");
	assert_xp(doc, "/order/lines/line[3]/statedAmount", "20.00");
	assert_xp(doc, "/order/lines/line[3]/amount", "20.01");
	assert_xp(doc, "/order/summary/subtotal", "41.02");
	ck_assert_int_eq(canon_validate(doc, &err), 0);
	canon_info_release(&info);
	xmlFreeDoc(doc);

	/* JPY: 3 x 0.5 = 1.5 is 2; a stated 1.5 is told so */
	const char *jpy = "<line number=\"1\"><quantity>3</quantity><unitOfMeasure>EA</unitOfMeasure>"
			  "<supplierPartID>A</supplierPartID><description>a</description>"
			  "<unitPrice>0.5</unitPrice><statedAmount>1.5</statedAmount></line>";
	rc = complete("JPY", "", "2024-03-01T09:00:00+00:00", jpy, "+00:00", &doc, &info, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	ck_assert_int_eq(info.nwarnings, 1);
	ck_assert_msg(strstr(info.warnings[0], "line 1 states an amount of 1.5 JPY but its quantity "
					       "times unit price, 3 x 0.5, comes to 2 JPY"),
		      "%s", info.warnings[0]);
	canon_info_release(&info);
	xmlFreeDoc(doc);
}
END_TEST

static const struct {
	const char *what;
	const char *currency, *header, *date;
	const char *lines[3]; /* number, quantity, price, currency per line: see below */
	const char *words[2];
} error_cases[] = {
	{ "comma decimal", "USD", "", "2024-03-01", { "1|3|12,5|" },
	  { "/order/lines/line/unitPrice", "\"12,5\"" } },
	{ "bad price in line 2", "USD", "", "2024-03-01", { "1|1|1|", "2|1|1e3|" },
	  { "/order/lines/line[2]/unitPrice", "\"1e3\"" } },
	{ "five decimals", "USD", "", "2024-03-01", { "1|1|0.12345|" }, { "\"0.12345\"", "4 decimals" } },
	{ "zero quantity", "USD", "", "2024-03-01", { "1|0|1|" },
	  { "/order/lines/line/quantity", "greater than zero" } },
	{ "negative quantity", "USD", "", "2024-03-01", { "1|-2|1|" }, { "\"-2\"", "quantity" } },
	{ "bad stated total", "USD", "<total>1,000.00</total>", "2024-03-01", { "1|1|1|" },
	  { "/order/total", "\"1,000.00\"" } },
	{ "bad date", "USD", "", "2023-02-29", { "1|1|1|" }, { "/order/orderDate", "\"2023-02-29\"" } },
	{ "garbage date", "USD", "", "next tuesday", { "1|1|1|" }, { "/order/orderDate", "next tuesday" } },
	{ "duplicate line numbers", "USD", "", "2024-03-01", { "1|1|1|", "1|2|2|" },
	  { "line number 1 appears twice", "/order/lines" } },
	{ "line in another currency", "USD", "", "2024-03-01", { "1|1|1|USD", "2|1|1|EUR" },
	  { "priced in EUR", "order is in USD" } },
	{ "no lines", "USD", "", "2024-03-01", { NULL }, { "/order/lines", "no lines" } },
	{ "no currency", "", "", "2024-03-01", { "1|1|1|" }, { "/order/currency", "missing" } },
	{ "line number zero", "USD", "", "2024-03-01", { "0|1|1|" }, { "@number", "positive" } },
	{ "line number text", "USD", "", "2024-03-01", { "x1|1|1|" }, { "@number", "line" } },
	{ "bad charge", "USD", "<tax><amount>1.2.3</amount></tax>", "2024-03-01", { "1|1|1|" },
	  { "/order/tax/amount", "\"1.2.3\"" } },
	{ "price past the limit", "USD", "", "2024-03-01", { "1|1|12345678901234.5678|" },
	  { "\"12345678901234.5678\" is larger than ordergate handles", "900000000000" } },
	{ "quantity past the limit", "USD", "", "2024-03-01", { "1|1000000000000|1|" },
	  { "/order/lines/line/quantity: \"1000000000000\" is larger", "at most 900000000000" } },
	{ "discount in another currency", "USD",
	  "<discount><amount currency=\"eur\">5</amount></discount>", "2024-03-01", { "1|1|1|" },
	  { "/order/discount/amount: the discount (5.00) is in EUR", "order is in USD" } },
};

/* "number|quantity|price|currency" -> a canonical line */
static char *line_from(const char *spec)
{
	char *copy = xstrdup(spec);
	char *f[4] = { NULL, NULL, NULL, NULL };
	char *p = copy;
	for (int i = 0; i < 4; i++) {
		f[i] = p;
		char *bar = strchr(p, '|');
		if (!bar)
			break;
		*bar = '\0';
		p = bar + 1;
	}
	char *l = t_canon_line(f[0], f[1], f[2], f[3] && *f[3] ? f[3] : NULL);
	free(copy);
	return l;
}

START_TEST(errors_name_path_and_value)
{
	struct buf lines = BUF_INIT;
	buf_adds(&lines, "");
	for (int k = 0; k < 3 && error_cases[_i].lines[k]; k++) {
		char *l = line_from(error_cases[_i].lines[k]);
		buf_adds(&lines, l);
		free(l);
	}
	xmlDocPtr doc;
	struct order_info info;
	char *err;
	int rc = complete(error_cases[_i].currency, error_cases[_i].header, error_cases[_i].date,
			  lines.data, "+00:00", &doc, &info, &err);
	ck_assert_msg(rc == -1, "%s: accepted", error_cases[_i].what);
	ck_assert_ptr_nonnull(err);
	for (int k = 0; k < 2; k++)
		ck_assert_msg(strstr(err, error_cases[_i].words[k]) != NULL, "%s: \"%s\" lacks %s",
			      error_cases[_i].what, err, error_cases[_i].words[k]);
	free(err);
	canon_info_release(&info);
	xmlFreeDoc(doc);
	buf_release(&lines);
}
END_TEST

START_TEST(not_an_order_root)
{
	xmlDocPtr doc = read_doc("<invoice/>");
	struct order_info info;
	char *err = NULL;
	ck_assert_int_eq(canon_complete(doc, "+00:00", &info, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "<invoice>"));
	free(err);
	canon_info_release(&info);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(schema_violation_named)
{
	char *l1 = t_canon_line("1", "1", "1", NULL);
	char *xml = t_canonical("USD", "", "2024-03-01", l1);
	/* orderType is required by the schema */
	static const char cut[] = "  <orderType>regular</orderType>\n";
	char *p = strstr(xml, cut);
	ck_assert_ptr_nonnull(p);
	memmove(p, p + strlen(cut), strlen(p + strlen(cut)) + 1);
	xmlDocPtr doc = read_doc(xml);
	struct order_info info;
	char *err = NULL;
	ck_assert_int_eq(canon_complete(doc, "+00:00", &info, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "canonical schema"));
	/* libxml2 names the element where the content stopped matching */
	ck_assert_msg(strstr(err, "/order/currency") != NULL, "err: %s", err);
	free(err);
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(xml);
	free(l1);
}
END_TEST

START_TEST(old_amount_and_summary_replaced)
{
	char *l1 = t_canon_line("1", "2", "1.5", NULL);
	/* a map that wrote its own amount: the engine's figure wins */
	char *p = strstr(l1, "    </line>");
	ck_assert_ptr_nonnull(p);
	*p = '\0';
	char *line = xasprintf("%s      <amount>999.00</amount>\n    </line>\n", l1);
	xmlDocPtr doc;
	struct order_info info;
	char *err;
	int rc = complete("USD", "", "2024-03-01", line, "+00:00", &doc, &info, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	assert_xp(doc, "count(/order/lines/line/amount)", "1");
	assert_xp(doc, "/order/lines/line/amount", "3.00");
	/* running it again over its own output gives the same document */
	xmlChar *once = NULL, *twice = NULL;
	int n1 = 0, n2 = 0;
	xmlDocDumpMemory(doc, &once, &n1);
	canon_info_release(&info);
	rc = canon_complete(doc, "+00:00", &info, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	xmlDocDumpMemory(doc, &twice, &n2);
	ck_assert_str_eq((const char *)once, (const char *)twice);
	assert_xp(doc, "count(/order/summary)", "1");
	xmlFree(once);
	xmlFree(twice);
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(line);
	free(l1);
}
END_TEST

START_TEST(validate_and_decide)
{
	char *l1 = t_canon_line("1", "1", "1", NULL);
	xmlDocPtr doc;
	struct order_info info;
	char *err;
	ck_assert_int_eq(complete("USD", "", "2024-03-01", l1, "+00:00", &doc, &info, &err), 0);
	int d = rules_decide(doc, &info, "p", NULL, NULL, &err);
	ck_assert_int_eq(d, DECISION_ACCEPT);
	ck_assert_str_eq(rules_decision_name(d), "accept");
	ck_assert_str_eq(rules_decision_name(DECISION_PARTIAL), "partial");
	ck_assert_str_eq(rules_decision_name(99), "unknown");
	ck_assert_str_eq(rules_decision_name(-1), "unknown");
	assert_xp(doc, "/order/decision/@action", "accept");
	assert_xp(doc, "/order/decision/@rule", "default");
	ck_assert_int_eq(canon_validate(doc, &err), 0);
	ck_assert_ptr_null(err);
	/* something the schema does not know */
	xmlNewChild(xmlDocGetRootElement(doc), NULL, (const xmlChar *)"surprise", NULL);
	ck_assert_int_eq(canon_validate(doc, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "surprise"));
	free(err);
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(l1);
}
END_TEST

/* A canonical order (t_canonical, one line) with `from` replaced by `to`. */
static int complete_with(const char *from, const char *to, xmlDocPtr *doc,
			 struct order_info *info, char **err)
{
	char *l1 = t_canon_line("1", "2", "10.00", NULL);
	char *l2 = t_canon_line("2", "1", "5.00", NULL);
	char *lines = xasprintf("%s%s", l1, l2);
	char *xml = t_canonical("EUR", "", "2024-03-01", lines);
	char *at = strstr(xml, from);
	ck_assert_ptr_nonnull(at);
	char *edited = xasprintf("%.*s%s%s", (int)(at - xml), xml, to, at + strlen(from));
	*doc = read_doc(edited);
	*err = NULL;
	int rc = canon_complete(*doc, "+00:00", info, err);
	free(edited);
	free(xml);
	free(lines);
	free(l1);
	free(l2);
	return rc;
}

static char *repeat(const char *unit, size_t n)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_adds(&b, unit);
	return buf_detach(&b);
}

static const struct {
	const char *from, *wrap, *unit;
	size_t n;
	int ok;
	const char *words[3];
} length_cases[] = {
	/* the limit itself passes, one more fails; characters, not bytes */
	{ "<orderID>PO-1</orderID>", "<orderID>%s</orderID>", "A", 256, 1, { NULL } },
	{ "<orderID>PO-1</orderID>", "<orderID>%s</orderID>", "\xc3\xa9", 256, 1, { NULL } },
	{ "<orderID>PO-1</orderID>", "<orderID>  %s  </orderID>", "A", 256, 1, { NULL } },
	{ "<orderID>PO-1</orderID>", "<orderID>%s</orderID>", "A", 257, 0,
	  { "/order/orderID: the order number is 257 characters long", "limit of 256",
	    "it begins \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...\"" } },
	{ "<orderID>PO-1</orderID>", "<orderID>%s</orderID>", "\xc3\xa9", 257, 0,
	  { "257 characters long", "Length limits", NULL } },
	/* the hostile corpus's case: ten million characters */
	{ "<orderID>PO-1</orderID>", "<orderID>%s</orderID>", "A", 10000000, 0,
	  { "is 10000000 characters long", "shorter value", NULL } },
	{ "payloadID=\"p-1\"", "payloadID=\"%s\"", "p", 300, 0,
	  { "/order/source/@payloadID: the payload ID is 300 characters", NULL } },
	{ "identity=\"123456789\"", "identity=\"%s\"", "9", 1000, 0,
	  { "/order/to/@identity: the supplier's identity is 1000", NULL } },
	{ "<supplierPartID>P-2</supplierPartID>", "<supplierPartID>%s</supplierPartID>", "x",
	  257, 0, { "/order/lines/line[2]/supplierPartID: the supplier part number", NULL } },
	{ "<currency>EUR</currency>", "<currency>%s</currency>", "E", 33, 0,
	  { "/order/currency: the currency code is 33 characters", "limit of 32", NULL } },
};

START_TEST(identifier_length_limits)
{
	char *value = repeat(length_cases[_i].unit, length_cases[_i].n);
	const char *wrap = length_cases[_i].wrap, *hole = strstr(wrap, "%s");
	ck_assert_ptr_nonnull(hole);
	char *to = xasprintf("%.*s%s%s", (int)(hole - wrap), wrap, value, hole + 2);
	xmlDocPtr doc;
	struct order_info info;
	char *err;
	int rc = complete_with(length_cases[_i].from, to, &doc, &info, &err);
	if (length_cases[_i].ok) {
		ck_assert_msg(rc == 0, "%zu x \"%s\": refused: %s", length_cases[_i].n,
			      length_cases[_i].unit, err ? err : "");
	} else {
		ck_assert_msg(rc == -1, "%zu x \"%s\" in %s: accepted", length_cases[_i].n,
			      length_cases[_i].unit, length_cases[_i].from);
		ck_assert_ptr_nonnull(err);
		ck_assert_msg(strlen(err) < 600, "the message is %zu bytes", strlen(err));
		for (int k = 0; k < 3 && length_cases[_i].words[k]; k++)
			ck_assert_msg(strstr(err, length_cases[_i].words[k]) != NULL,
				      "\"%s\" lacks %s", err, length_cases[_i].words[k]);
	}
	free(err);
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(to);
	free(value);
}
END_TEST

/* The pattern facets are checked by rngpat, compiled once, and the rest
 * of the schema by libxml2: the verdict must be libxml2's own with the
 * whole schema, value by value, at every kind of patterned place. */
static int whole_schema_accepts(xmlRelaxNGPtr whole, xmlDocPtr doc)
{
	xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(whole);
	xmlRelaxNGSetValidStructuredErrors(vc, NULL, NULL);
	int rc = xmlRelaxNGValidateDoc(vc, doc);
	xmlRelaxNGFreeValidCtxt(vc);
	return rc == 0;
}

static void set_at(xmlDocPtr doc, const char *xpath, const char *value)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
	ck_assert_msg(r && r->nodesetval && r->nodesetval->nodeNr == 1, "%s", xpath);
	xmlNodePtr n = r->nodesetval->nodeTab[0];
	xmlChar *esc = xmlEncodeSpecialChars(doc, (const xmlChar *)value);
	xmlNodeSetContent(n, esc);
	xmlFree(esc);
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
}

/* After the decision: lines rejected whole leave the purchase order's
 * figures (summary/accepted) and the committed total; a backorder or no
 * rejection leaves them as they are. */
START_TEST(accepted_without_rejected_lines)
{
	char *l1 = t_canon_line("1", "3", "6.67", NULL);
	char *l2 = t_canon_line("2", "1", "0.99", NULL);
	char *l3 = t_canon_line("3", "2", "10", NULL);
	char *lines = xasprintf("%s%s%s", l1, l2, l3);
	const char *charges = "<shipping><amount>5</amount></shipping>"
			      "<tax><amount>1.5</amount></tax><discount><amount>3</amount></discount>";
	xmlDocPtr doc;
	struct order_info info;
	char *err;
	ck_assert_int_eq(complete("USD", charges, "2024-03-01", lines, "+00:00", &doc, &info, &err),
			 0);
	ck_assert_int_eq(info.total, 445000); /* 20.01 + 0.99 + 20.00 + 5 + 1.5 - 3 */
	/* nothing rejected (a backorder is still ordered) */
	info.lines[2].backordered = info.lines[2].quantity;
	ck_assert_int_eq(canon_accepted(doc, &info, &err), 0);
	ck_assert_int_eq(info.committed, info.total);
	assert_xp(doc, "count(/order/summary/accepted)", "0");
	/* line 2 rejected */
	info.lines[1].rejected = info.lines[1].quantity;
	ck_assert_int_eq(canon_accepted(doc, &info, &err), 0);
	ck_assert_int_eq(info.committed, 435100);
	assert_xp(doc, "/order/summary/accepted/subtotal", "40.01");
	assert_xp(doc, "/order/summary/accepted/total", "43.51");
	assert_xp(doc, "/order/summary/total", "44.50");
	ck_assert_msg(canon_validate(doc, &err) == 0, "%s", err ? err : "");
	/* again, with line 1 rejected too: one accepted element, new figures */
	info.lines[0].rejected = info.lines[0].quantity;
	ck_assert_int_eq(canon_accepted(doc, &info, &err), 0);
	assert_xp(doc, "count(/order/summary/accepted)", "1");
	assert_xp(doc, "/order/summary/accepted/subtotal", "20.00");
	assert_xp(doc, "/order/summary/accepted/total", "23.50");
	ck_assert_int_eq(info.committed, 235000);
	/* every line rejected: nothing committed */
	info.lines[2].rejected = info.lines[2].quantity;
	ck_assert_int_eq(canon_accepted(doc, &info, &err), 0);
	ck_assert_int_eq(info.committed, 0);
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(lines);
	free(l1);
	free(l2);
	free(l3);
}
END_TEST

START_TEST(patterns_same_verdict_as_whole_schema)
{
	/* every path with a pattern in canonical.rng was placed */
	ck_assert_int_eq(canon_pattern_paths(), 30);
	char *rng = xasprintf("%s/xslt/canonical.rng", t_cfg()->data_dir);
	xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(rng);
	xmlRelaxNGPtr whole = xmlRelaxNGParse(pc);
	xmlRelaxNGFreeParserCtxt(pc);
	ck_assert_ptr_nonnull(whole);
	char *l1 = t_canon_line("1", "2", "1.5", NULL);
	xmlDocPtr doc;
	struct order_info info;
	char *err;
	ck_assert_int_eq(complete("USD", "", "2024-03-01", l1, "+00:00", &doc, &info, &err), 0);
	int d = rules_decide(doc, &info, "p", NULL, NULL, &err);
	ck_assert_int_eq(d, DECISION_ACCEPT);
	xmlNodePtr dl = xmlNewChild(canon_child(xmlDocGetRootElement(doc), "decision"), NULL,
				    (const xmlChar *)"line", NULL);
	xmlSetProp(dl, (const xmlChar *)"number", (const xmlChar *)"1");
	xmlSetProp(dl, (const xmlChar *)"action", (const xmlChar *)"accept");
	xmlSetProp(dl, (const xmlChar *)"quantity", (const xmlChar *)"2");
	ck_assert_int_eq(canon_validate(doc, &err), 0);
	ck_assert_int_eq(whole_schema_accepts(whole, doc), 1);
	static const struct {
		const char *xpath;
		const char *values[12];
	} cases[] = {
		{ "/order/lines/line/quantity",
		  { "2", "0", "0.0001", "0.00001", "1.2345", "+1", " 1", "1 ", "007", "0.00", "1.", "abc" } },
		{ "/order/lines/line/unitPrice",
		  { "-1.5", "1.", ".5", "1e3", "12.34567", "0", "-0", " 3.00", "1,5", "" } },
		{ "/order/lines/line/amount", { "3.00", "-3", "3.000001", "x" } },
		{ "/order/summary/total", { "10", "10.1234", "10.12345", "--1" } },
		{ "/order/orderDate",
		  { "2024-03-01", "2024-03-01T10:00:00+01:00", "2024-3-1", "2024-03-01T10:00:00Z",
		    "2024-03-01T10:00:00.123-05:00", "2024-03-01 ", "20240301" } },
		{ "/order/currency", { "USD", "usd", "US", "USDX", "U$D", " USD" } },
		{ "/order/source/@received",
		  { "2024-03-01T10:00:00+00:00", "2024-03-01", "2024-03-01T10:00+00:00" } },
		{ "/order/source/@timestamp",
		  { "2024-03-01", "2024-03-01T10:00:00+00:00", "yesterday" } },
		{ "/order/lines/line/@number", { "1", "01", "+1", "0", "1 ", "12" } },
		{ "/order/decision/line/@quantity", { "2", "0", "-1", "0.5", "1.23456" } },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		for (size_t k = 0; k < ARRAY_SIZE(cases[i].values) && cases[i].values[k]; k++) {
			xmlDocPtr copy = xmlCopyDoc(doc, 1);
			set_at(copy, cases[i].xpath, cases[i].values[k]);
			int want = whole_schema_accepts(whole, copy);
			int got = canon_validate(copy, &err) == 0;
			ck_assert_msg(got == want, "%s = \"%s\": whole schema %s, canon_validate %s (%s)",
				      cases[i].xpath, cases[i].values[k], want ? "accepts" : "refuses",
				      got ? "accepts" : "refuses", err ? err : "");
			if (!got) {
				ck_assert_ptr_nonnull(strstr(err, "canonical schema"));
				free(err);
			}
			xmlFreeDoc(copy);
		}
	}
	/* a refused pattern names the place, the value and the pattern */
	xmlDocPtr copy = xmlCopyDoc(doc, 1);
	set_at(copy, "/order/lines/line/quantity", "0");
	ck_assert_int_eq(canon_validate(copy, &err), -1);
	ck_assert_msg(strstr(err, "/order/lines/line/quantity: \"0\" does not match") != NULL,
		      "err: %s", err);
	free(err);
	xmlFreeDoc(copy);
	xmlRelaxNGFree(whole);
	canon_info_release(&info);
	xmlFreeDoc(doc);
	free(rng);
	free(l1);
}
END_TEST

Suite *suite_canon(void)
{
	Suite *s = suite_create("canon");
	TCase *tc = tcase_create("complete");
	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_test(tc, normalises_fields);
	tcase_add_test(tc, assumed_zone_is_configurable);
	tcase_add_test(tc, timestamp_zone_assumed_on_element);
	tcase_add_loop_test(tc, line_amounts_exact, 0, (int)ARRAY_SIZE(amount_cases));
	tcase_add_test(tc, summary_adds_charges);
	tcase_add_test(tc, total_mismatch_warns);
	tcase_add_test(tc, line_amount_mismatch_warns);
	tcase_add_loop_test(tc, errors_name_path_and_value, 0, (int)ARRAY_SIZE(error_cases));
	tcase_add_test(tc, not_an_order_root);
	tcase_add_test(tc, schema_violation_named);
	tcase_add_test(tc, old_amount_and_summary_replaced);
	tcase_add_test(tc, validate_and_decide);
	tcase_add_loop_test(tc, identifier_length_limits, 0, (int)ARRAY_SIZE(length_cases));
	tcase_add_test(tc, patterns_same_verdict_as_whole_schema);
	tcase_add_test(tc, accepted_without_rejected_lines);
	tcase_add_test(tc, charge_finer_than_currency_refused);
	tcase_add_test(tc, negative_total_refused);
	tcase_add_loop_test(tc, money_in_currency_decimals, 0, (int)ARRAY_SIZE(money_cases));
	tcase_add_test(tc, header_delivery_date_is_a_datetime);
	suite_add_tcase(s, tc);
	return s;
}
