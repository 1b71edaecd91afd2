/*
 * detect: formats from content, never from names.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "detect.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"
#include "xmlsafe.h"

#define B(s) s, sizeof(s) - 1

static const struct {
	const char *what;
	const char *data;
	size_t len;
	int rc;
	const char *words; /* in the message when refused */
} byte_cases[] = {
	{ "empty", B(""), -1, "empty" },
	/* compressed input is unpacked before detection; here it is refused */
	{ "gzip", B("\x1f\x8b\x08\x00\x00\x00\x00\x00"), -1, "compressed" },
	{ "zip", B("PK\x03\x04\x14\x00"), -1, "compressed" },
	{ "xml", B("<?xml version=\"1.0\"?><a/>"), 0, NULL },
	{ "xml after whitespace", B(" \t\r\n<a/>"), 0, NULL },
	{ "utf-8 bom", B("\xef\xbb\xbf<a/>"), 0, NULL },
	{ "utf-8 bom and space", B("\xef\xbb\xbf\n<a/>"), 0, NULL },
	{ "utf-16le bom", B("\xff\xfe<\0a\0/\0>\0"), 0, NULL },
	{ "utf-16be bom", B("\xfe\xff\0<\0a\0/\0>"), 0, NULL },
	/* UTF-16 without a byte order mark, known by "<?" (XML 1.0, Appendix F) */
	{ "utf-16be, no bom", B("\0<\0?\0x\0m\0l\0 "), 0, NULL },
	{ "utf-16le, no bom", B("<\0?\0x\0m\0l\0 \0"), 0, NULL },
	{ "utf-16be, no bom, no declaration", B("\0<\0a\0/\0>"), -1, "not XML" },
	{ "utf-16be, no bom, cut short", B("\0<\0"), -1, "not XML" },
	{ "one '<'", B("<"), 0, NULL },
	{ "plain text", B("hello, this is not xml"), -1, "not XML" },
	{ "csv", B("order,line,qty\n1,1,3\n"), -1, "not XML" },
	{ "json", B("{\"order\": 1}"), -1, "not XML" },
	{ "bom then text", B("\xef\xbb\xbfhello"), -1, "not XML" },
	{ "only whitespace", B("   \n"), -1, "not XML" },
	{ "lone gzip byte", B("\x1f"), -1, "not XML" },
	{ "pdf", B("%PDF-1.4"), -1, "not XML" },
};

START_TEST(bytes_table)
{
	char *err = (char *)&err;
	int rc = detect_bytes(byte_cases[_i].data, byte_cases[_i].len, &err);
	ck_assert_msg(rc == byte_cases[_i].rc, "%s: detect_bytes = %d (%s)", byte_cases[_i].what, rc,
		      rc < 0 && err ? err : "");
	if (rc == 0) {
		ck_assert_ptr_null(err);
	} else {
		ck_assert_ptr_nonnull(err);
		ck_assert_msg(strstr(err, byte_cases[_i].words) != NULL, "%s: \"%s\" lacks \"%s\"",
			      byte_cases[_i].what, err, byte_cases[_i].words);
		free(err);
	}
}
END_TEST

static const char order_request[] =
	"<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd\">"
	"<cXML payloadID=\"x\"><Header/><Request><OrderRequest/></Request></cXML>";

static const struct {
	const char *what;
	const char *xml;
	int ok;		   /* 1: detected; words then names the format row */
	const char *words; /* in the message otherwise */
} xml_cases[] = {
	{ "cXML OrderRequest", order_request, 1, "cxml" },
	{ "cXML OrderRequest without DOCTYPE",
	  "<cXML><Header/><Request deploymentMode=\"test\"><OrderRequest/></Request></cXML>", 1,
	  "cxml" },
	{ "cXML Response", "<cXML><Response><Status code=\"200\" text=\"OK\"/></Response></cXML>", 0,
	  "Response" },
	{ "cXML Response after Header",
	  "<cXML><Header/><Response><Status code=\"200\" text=\"OK\"/></Response></cXML>", 0,
	  "Response" },
	{ "cXML invoice",
	  "<cXML><Header/><Request><InvoiceDetailRequest/></Request></cXML>", 0,
	  "InvoiceDetailRequest" },
	{ "cXML message", "<cXML><Header/><Message><PunchOutOrderMessage/></Message></cXML>", 0,
	  "PunchOutOrderMessage" },
	{ "empty cXML", "<cXML/>", 0, "not an OrderRequest" },
	{ "lowercase cxml", "<cxml><Request><OrderRequest/></Request></cxml>", 0,
	  "case-sensitive" },
	{ "upper CXML", "<CXML/>", 0, "<CXML>" },
	{ "unknown root", "<Invoice><Line/></Invoice>", 0, "unknown document type: root element <Invoice>" },
	{ "unknown namespace",
	  "<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"/>", 0,
	  "urn:oasis:names:specification:ubl:schema:xsd:Order-2" },
	{ "cXML in a namespace", "<cXML xmlns=\"urn:x\"><Request><OrderRequest/></Request></cXML>",
	  0, "urn:x" },
	{ "OAGIS 10",
	  "<ProcessPurchaseOrder xmlns=\"http://www.openapplications.org/oagis/10\">"
	  "<ApplicationArea/><DataArea/></ProcessPurchaseOrder>",
	  1, "oagis" },
	{ "OAGIS 9",
	  "<ProcessPurchaseOrder xmlns=\"http://www.openapplications.org/oagis/9\"/>", 1,
	  "oagis" },
	{ "Infor OAGIS",
	  "<ProcessPurchaseOrder xmlns=\"http://schema.infor.com/InforOAGIS/2\"/>", 1, "oagis" },
	{ "OAGIS in a foreign namespace",
	  "<ProcessPurchaseOrder xmlns=\"urn:example:not-oagis\"/>", 0,
	  "root element <ProcessPurchaseOrder> is in the namespace \"urn:example:not-oagis\"; "
	  "ordergate reads an OAGIS ProcessPurchaseOrder in these namespaces only: "
	  "\"http://www.openapplications.org/oagis/10\", " },
	{ "OAGIS 10.4 spelt as a namespace",
	  "<ProcessPurchaseOrder xmlns=\"http://www.openapplications.org/oagis/10.4\"/>", 0,
	  "namespaces only: \"http://www.openapplications.org/oagis/10\", "
	  "\"http://www.openapplications.org/oagis/9\", \"http://schema.infor.com/InforOAGIS/2\"; "
	  "ask the sender to declare the namespace" },
	{ "OAGIS without namespace", "<ProcessPurchaseOrder/>", 0,
	  "root element <ProcessPurchaseOrder> is in no namespace; ordergate reads an OAGIS "
	  "ProcessPurchaseOrder in these namespaces only" },
	{ "OAGIS verb not read, no namespace", "<SyncPurchaseOrder/>", 0,
	  "unknown document type: root element <SyncPurchaseOrder>" },
	{ "OAGIS acknowledgement",
	  "<AcknowledgePurchaseOrder xmlns=\"http://www.openapplications.org/oagis/10\"/>", 0,
	  "this OAGIS BOD is AcknowledgePurchaseOrder (namespace "
	  "\"http://www.openapplications.org/oagis/10\"), not a ProcessPurchaseOrder: ordergate "
	  "takes OAGIS purchase orders as ProcessPurchaseOrder only; if it is a purchase order "
	  "(a Sync or Change BOD), ask the sender to send it as a ProcessPurchaseOrder, otherwise "
	  "send it to the system that handles AcknowledgePurchaseOrder" },
	{ "OAGIS 9 Sync",
	  "<SyncPurchaseOrder xmlns=\"http://www.openapplications.org/oagis/9\"/>", 0,
	  "this OAGIS BOD is SyncPurchaseOrder" },
};

START_TEST(xml_table)
{
	char *err = NULL;
	xmlsafe_errors_reset();
	xmlDocPtr doc = xmlsafe_parse(xml_cases[_i].xml, strlen(xml_cases[_i].xml), &err);
	ck_assert_msg(doc != NULL, "%s: parse: %s", xml_cases[_i].what, err ? err : "?");
	err = (char *)&err;
	const struct format *f = detect_xml(doc, &err);
	/* copy and free first: a failing check then leaks nothing (valgrind) */
	int had_err = err != NULL;
	char msg[1024];
	snprintf(msg, sizeof msg, "%s", err ? err : "");
	free(err);
	xmlFreeDoc(doc);
	if (xml_cases[_i].ok) {
		ck_assert_msg(f != NULL, "%s: refused: %s", xml_cases[_i].what, msg);
		ck_assert(!had_err);
		ck_assert_str_eq(f->name, xml_cases[_i].words);
		ck_assert_ptr_nonnull(f->map);
	} else {
		ck_assert_msg(f == NULL, "%s: detected as %s", xml_cases[_i].what, f ? f->name : "");
		ck_assert(had_err);
		ck_assert_msg(strstr(msg, xml_cases[_i].words) != NULL, "%s: \"%s\" lacks \"%s\"",
			      xml_cases[_i].what, msg, xml_cases[_i].words);
	}
}
END_TEST

static const struct {
	const char *doctype;
	const char *version;
} version_cases[] = {
	{ "<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd\">", "1.2.050" },
	{ "<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.071/Fulfill.dtd\">",
	  "1.2.071" },
	{ "<!DOCTYPE cXML SYSTEM \"https://xml.cxml.org/schemas/cxml/1.1.010/cXML.dtd\">", "1.1.010" },
	{ "<!DOCTYPE cXML SYSTEM \"cXML.dtd\">", "" },
	{ "<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/latest/cXML.dtd\">", "" },
	{ "<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.050\">", "" },
	{ "<!DOCTYPE cXML PUBLIC \"-//x//y\" \"http://x/cXML/1.2.014/cXML.dtd\">", "1.2.014" },
	{ "", "" },
};

START_TEST(cxml_version_table)
{
	char *xml = xasprintf("%s<cXML><Request><OrderRequest/></Request></cXML>",
			      version_cases[_i].doctype);
	char *err = NULL;
	xmlsafe_errors_reset();
	xmlDocPtr doc = xmlsafe_parse(xml, strlen(xml), &err);
	ck_assert_msg(doc != NULL, "parse: %s", err ? err : "?");
	char *v = detect_cxml_version(doc);
	ck_assert_str_eq(v, version_cases[_i].version);
	free(v);
	xmlFreeDoc(doc);
	free(xml);
}
END_TEST

Suite *suite_detect(void)
{
	Suite *s = suite_create("detect");
	TCase *tc = tcase_create("bytes");
	tcase_add_loop_test(tc, bytes_table, 0, (int)ARRAY_SIZE(byte_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create("xml");
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_loop_test(tc, xml_table, 0, (int)ARRAY_SIZE(xml_cases));
	tcase_add_loop_test(tc, cxml_version_table, 0, (int)ARRAY_SIZE(version_cases));
	suite_add_tcase(s, tc);
	return s;
}
