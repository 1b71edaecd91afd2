/*
 * emit: outbound cXML, rendered from a decided canonical order and valid
 * against the vendored cXML 1.2.071 DTDs.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/valid.h>

#include "emit.h"
#include "pipeline.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"
#include "xmlsafe.h"

static const struct emit_formats cxml_formats = { "cxml", "cxml", NULL, NULL, 0, NULL, NULL };

#define DOC_ID "20240301-100000-000042-000007"

/* A decided canonical order, as the pipeline hands it to emit. */
static xmlDocPtr decided_order(const struct t_order *o)
{
	char *xml = t_cxml(o);
	struct doc_job job = { .id = DOC_ID, .name = "o.xml", .received = "2024-03-01T10:00:01+00:00" };
	struct doc_result r;
	memset(&r, 0, sizeof r);
	pipeline_run(t_cfg(), &job, xml, strlen(xml), 0, &r);
	free(xml);
	ck_assert_msg(r.ok, "%s: %s", r.stage, r.reason);
	ck_assert_int_eq(r.noutputs, 0);
	xmlDocPtr doc = xmlReadMemory(r.canonical.data, (int)r.canonical.len, "canonical", NULL,
				      XMLSAFE_OPTIONS);
	pipeline_result_release(&r);
	ck_assert_ptr_nonnull(doc);
	return doc;
}

/* Validates data against the named DTD of the vendored set, independently
 * of emit's own check. Returns 1 when valid. */
static int dtd_valid(const struct buf *data, const char *dtd_name)
{
	char *path = xasprintf("%s/xslt/schemas/cxml-1.2.071/%s", t_cfg()->data_dir, dtd_name);
	xmlsafe_errors_reset();
	xmlDtdPtr dtd = xmlParseDTD(NULL, (const xmlChar *)path);
	ck_assert_msg(dtd != NULL, "cannot load %s: %s", path, xmlsafe_errors());
	xmlDocPtr doc = xmlReadMemory(data->data, (int)data->len, "out", NULL, XMLSAFE_OPTIONS);
	ck_assert_ptr_nonnull(doc);
	xmlValidCtxtPtr vc = xmlNewValidCtxt();
	int ok = xmlValidateDtd(vc, doc, dtd);
	xmlFreeValidCtxt(vc);
	xmlFreeDoc(doc);
	xmlFreeDtd(dtd);
	free(path);
	return ok;
}

static void release_all(struct output_doc *out, int n)
{
	for (int i = 0; i < n; i++)
		emit_output_release(&out[i]);
}

START_TEST(outputs_valid_and_named)
{
	ck_assert_int_eq(t_cfg()->validate_outputs, 1);
	struct t_line l[] = { { "1", "3", "33.333", NULL }, { "2", "1", "0.01", NULL } };
	struct t_order o = { 0 };
	o.lines = l;
	o.nlines = 2;
	o.total = "999.99"; /* stated wrongly: a warning, and never written */
	o.header_extra = "<Tax><Money currency=\"USD\">8.00</Money><Description xml:lang=\"en\">"
			 "VAT</Description></Tax>";
	xmlDocPtr canonical = decided_order(&o);
	struct output_doc out[EMIT_MAX];
	char *err = NULL;
	int n = emit_render(t_cfg(), canonical, DOC_ID, &cxml_formats, out, &err);
	ck_assert_msg(n == 2, "emit_render = %d: %s", n, err ? err : "?");
	ck_assert_ptr_null(err);
	static const char *const kinds[] = { "po", "confirmation" };
	static const char *const dtds[] = { "cXML.dtd", "Fulfill.dtd" };
	for (int i = 0; i < n; i++) {
		ck_assert_str_eq(out[i].kind, kinds[i]);
		ck_assert_str_eq(out[i].format, "cxml");
		char *prefix = xasprintf(DOC_ID ".%s@", kinds[i]);
		ck_assert(str_starts_with(out[i].payload_id, prefix));
		ck_assert_str_eq(out[i].payload_id + strlen(prefix), t_cfg()->payload_host);
		free(prefix);
		ck_assert_ptr_nonnull(strstr(out[i].data.data, "payloadID=\"" DOC_ID "."));
		char *doctype = xasprintf("/cXML/1.2.071/%s\"", dtds[i]);
		ck_assert_msg(strstr(out[i].data.data, doctype) != NULL, "%s lacks %s", kinds[i],
			      doctype);
		free(doctype);
		ck_assert_msg(dtd_valid(&out[i].data, dtds[i]), "%s is not valid against %s:\n%s",
			      kinds[i], dtds[i], xmlsafe_errors());
		/* a zoned timestamp */
		ck_assert_ptr_nonnull(strstr(out[i].data.data, "timestamp=\""));
	}
	/* Total is the computed subtotal: 100.00 (3 x 33.333 rounded) + 0.01 */
	ck_assert_ptr_nonnull(strstr(out[0].data.data, "<Money currency=\"USD\">100.01</Money>"));
	ck_assert_ptr_nonnull(strstr(out[0].data.data, ">33.333</Money>"));
	ck_assert_ptr_nonnull(strstr(out[0].data.data, ">0.01</Money>"));
	ck_assert_ptr_nonnull(strstr(out[0].data.data, ">8.00</Money>"));
	for (int i = 0; i < n; i++)
		ck_assert_ptr_null(strstr(out[i].data.data, "999.99"));
	ck_assert_ptr_nonnull(strstr(out[0].data.data, "orderID=\"PO-1\""));
	ck_assert_ptr_nonnull(strstr(out[1].data.data, "confirmID=\"" DOC_ID "\""));
	ck_assert_ptr_null(strstr(out[0].data.data, "s3cret"));
	release_all(out, n);
	xmlFreeDoc(canonical);
}
END_TEST

START_TEST(our_identity_from_config)
{
	struct config c = *t_cfg();
	char domain[] = "DUNS", ident[] = "999888777", agent[] = "gate/9", host[] = "gw.example";
	c.our_domain = domain;
	c.our_identity = ident;
	c.user_agent = agent;
	c.payload_host = host;
	struct t_order o = { 0 };
	xmlDocPtr canonical = decided_order(&o);
	struct output_doc out[EMIT_MAX];
	char *err = NULL;
	int n = emit_render(&c, canonical, DOC_ID, &cxml_formats, out, &err);
	ck_assert_msg(n == 2, "%s", err ? err : "?");
	for (int i = 0; i < n; i++) {
		ck_assert(str_ends_with(out[i].payload_id, "@gw.example"));
		ck_assert_ptr_nonnull(strstr(out[i].data.data,
					     "<Sender>\n      <Credential domain=\"DUNS\">\n"
					     "        <Identity>999888777</Identity>"));
		ck_assert_ptr_nonnull(strstr(out[i].data.data, "<UserAgent>gate/9</UserAgent>"));
	}
	release_all(out, n);
	xmlFreeDoc(canonical);
}
END_TEST

START_TEST(fixed_time_in_timestamps)
{
	const char *old = getenv("ORDERGATE_TIME");
	char *saved = old ? xstrdup(old) : NULL;
	setenv("ORDERGATE_TIME", "1700000000", 1);
	struct t_order o = { 0 };
	xmlDocPtr canonical = decided_order(&o);
	struct output_doc out[EMIT_MAX];
	char *err = NULL;
	int n = emit_render(t_cfg(), canonical, DOC_ID, &cxml_formats, out, &err);
	char now[32];
	iso_time(1700000000, now);
	if (saved)
		setenv("ORDERGATE_TIME", saved, 1);
	else
		unsetenv("ORDERGATE_TIME");
	free(saved);
	ck_assert_msg(n == 2, "%s", err ? err : "?");
	char *ts = xasprintf("timestamp=\"%s\"", now);
	for (int i = 0; i < n; i++)
		ck_assert_msg(strstr(out[i].data.data, ts) != NULL, "%s lacks %s", out[i].kind, ts);
	free(ts);
	release_all(out, n);
	xmlFreeDoc(canonical);
}
END_TEST

/* What the stylesheets cannot turn into valid cXML is never returned. */
START_TEST(invalid_output_is_refused)
{
	struct t_order o = { 0 };
	xmlDocPtr canonical = decided_order(&o);
	/* drop every line: the PO would have no ItemOut */
	xmlNodePtr order = xmlDocGetRootElement(canonical);
	for (xmlNodePtr c = order->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "lines")) {
			xmlNodePtr l;
			while ((l = c->children)) {
				xmlUnlinkNode(l);
				xmlFreeNode(l);
			}
		}
	}
	struct output_doc out[EMIT_MAX];
	memset(out, 0, sizeof out);
	char *err = NULL;
	int n = emit_render(t_cfg(), canonical, DOC_ID, &cxml_formats, out, &err);
	ck_assert_int_eq(n, -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, "not valid against") != NULL, "err: %s", err);
	free(err);
	/* nothing left allocated in out[] */
	for (int i = 0; i < EMIT_MAX; i++)
		ck_assert_ptr_null(out[i].kind);
	xmlFreeDoc(canonical);
}
END_TEST

/* The text check behind tree validation: UTF-8 holding only characters
 * XML 1.0 allows, raw or as character references. */
START_TEST(serialised_chars_checked)
{
	static const struct {
		const char *text;
		int ok;
		size_t at;
	} cases[] = {
		{ "<a>plain &amp; simple</a>", 1, 0 },
		{ "<a>caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6</a>", 1, 0 },
		{ "<a>&#10;&#x9;&#xD;&#x20AC;&#128230;</a>\n", 1, 0 },
		{ "<a>\x01</a>", 0, 3 },
		{ "<a>x&#1;</a>", 0, 4 },
		{ "<a>&#x1F;</a>", 0, 3 },
		{ "<a>&#xFFFE;</a>", 0, 3 },
		{ "<a>&#xD800;</a>", 0, 3 },
		{ "<a>&#;</a>", 0, 3 },
		{ "<a>&#12</a>", 0, 3 },
		{ "<a>&#x110000;</a>", 0, 3 },
		{ "<a>\xc3\x28</a>", 0, 3 },       /* a lead byte without its continuation */
		{ "<a>\xe0\x80\x80</a>", 0, 3 },   /* overlong */
		{ "<a>\xed\xa0\x80</a>", 0, 3 },   /* a surrogate */
		{ "<a>\xef\xbf\xbf</a>", 0, 3 },   /* U+FFFF */
		{ "<a>\xff</a>", 0, 3 },
		{ "<a>\xe2\x82", 0, 3 },           /* cut short */
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t at = 99;
		int ok = emit_chars_ok(cases[i].text, strlen(cases[i].text), &at);
		ck_assert_msg(ok == cases[i].ok, "case %zu: %d", i, ok);
		if (!ok)
			ck_assert_msg(at == cases[i].at, "case %zu: at %zu", i, at);
	}
}
END_TEST

/* A stylesheet that writes another encoding is checked the old way: its
 * text parsed back and validated (here: valid, and still refused when the
 * canonical order cannot make a valid PO). */
START_TEST(other_encoding_parsed_back)
{
	char *dir = t_tempdir();
	char *xdir = xasprintf("%s/xslt", dir);
	ck_assert_int_eq(mkdir(xdir, 0755), 0);
	char *src = xasprintf("%s/xslt", t_cfg()->data_dir);
	DIR *d = opendir(src);
	ck_assert_ptr_nonnull(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "canonical-to-cxml-order.xsl"))
			continue;
		char *from = xasprintf("%s/%s", src, e->d_name), *to = xasprintf("%s/%s", xdir, e->d_name);
		ck_assert_int_eq(symlink(from, to), 0);
		free(from);
		free(to);
	}
	closedir(d);
	char *from = xasprintf("%s/canonical-to-cxml-order.xsl", src);
	char *sheet = t_read_file(from, NULL);
	ck_assert_ptr_nonnull(sheet);
	char *at = strstr(sheet, "encoding=\"UTF-8\" indent");
	ck_assert_ptr_nonnull(at);
	struct buf latin = BUF_INIT;
	buf_add(&latin, sheet, (size_t)(at - sheet));
	buf_adds(&latin, "encoding=\"ISO-8859-1\" indent");
	buf_adds(&latin, at + strlen("encoding=\"UTF-8\" indent"));
	char *to = xasprintf("%s/canonical-to-cxml-order.xsl", xdir);
	t_write_file(to, latin.data, latin.len);

	struct config c = *t_cfg();
	c.data_dir = dir;
	struct t_order o = { 0 };
	/* a character the Latin-1 text holds as one byte, not UTF-8 */
	o.header_extra = "<Tax><Money currency=\"USD\">1.00</Money><Description xml:lang=\"fr\">"
			 "Taxe caf\xc3\xa9</Description></Tax>";
	xmlDocPtr canonical = decided_order(&o);
	t_trust(xdir);
	struct output_doc out[EMIT_MAX];
	char *err = NULL;
	int n = emit_render(&c, canonical, DOC_ID, &cxml_formats, out, &err);
	ck_assert_msg(n == 2, "%s", err ? err : "?");
	ck_assert_ptr_nonnull(strstr(out[0].data.data, "encoding=\"ISO-8859-1\""));
	ck_assert_ptr_nonnull(strstr(out[0].data.data, "Taxe caf\xe9<"));
	release_all(out, n);
	/* without lines the PO is invalid, and the parsed-back check says so */
	xmlNodePtr order = xmlDocGetRootElement(canonical);
	for (xmlNodePtr ch = order->children; ch; ch = ch->next)
		if (ch->type == XML_ELEMENT_NODE && !strcmp((const char *)ch->name, "lines")) {
			xmlNodePtr l;
			while ((l = ch->children)) {
				xmlUnlinkNode(l);
				xmlFreeNode(l);
			}
		}
	n = emit_render(&c, canonical, DOC_ID, &cxml_formats, out, &err);
	ck_assert_int_eq(n, -1);
	ck_assert_msg(err && strstr(err, "not valid against"), "err: %s", err ? err : "?");
	free(err);
	t_trust(NULL);
	xmlFreeDoc(canonical);
	free(sheet);
	buf_release(&latin);
	t_rmtree(dir);
	free(dir);
	free(from);
	free(to);
	free(src);
	free(xdir);
}
END_TEST

Suite *suite_emit(void)
{
	Suite *s = suite_create("emit");
	TCase *tc = tcase_create("render");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_test(tc, outputs_valid_and_named);
	tcase_add_test(tc, our_identity_from_config);
	tcase_add_test(tc, fixed_time_in_timestamps);
	tcase_add_test(tc, invalid_output_is_refused);
	tcase_add_test(tc, serialised_chars_checked);
	tcase_add_test(tc, other_encoding_parsed_back);
	suite_add_tcase(s, tc);
	return s;
}
